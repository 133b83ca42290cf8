//! The plan contract: IXP options (national, subregional, hybrid) compared on measured
//! traffic — what `trombone plan` writes.
//!
//! A [`PlanResult`] is its own JSON document (not a section of a [`crate::Report`]): it
//! names the results it was computed from and carries a [`Plan`] with one [`PlanOption`]
//! per option of the plan file. Every byte count is unique (a hairpinned packet seen
//! leaving and returning counts once); every p95 is a nearest-rank 95th percentile of
//! sample rates, as in `sizing`, and says how many samples it rests on and whether it is
//! exact or apportioned ([`SeriesBasis`]). Every price carries its source.
//!
//! Versioning as the result contract: [`PLAN_VERSION`] is bumped on any incompatible
//! change; within a version fields are only added.

use crate::{Country, ToolInfo, Warning};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Version of the plan contract written by this build.
pub const PLAN_VERSION: u32 = 1;

/// What `trombone plan` writes: the comparison of the plan file's options.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PlanResult {
    /// Version of this contract ([`PLAN_VERSION`]).
    pub plan_version: u32,
    /// Program that wrote it.
    pub tool: ToolInfo,
    /// The plan file, as given.
    pub plan_file: String,
    /// The result files read (merged into one before planning when several).
    pub results: Vec<String>,
    /// The comparison.
    pub plan: Plan,
}

/// The comparison of IXP options on one (merged) result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Plan {
    /// Title from the plan file, if any.
    #[serde(default)]
    pub title: Option<String>,
    /// What every figure rests on: span, vantage points, samples, the hairpin totals.
    pub basis: PlanBasis,
    /// Growth, utilisation target, port speeds and spares applied.
    pub assumptions: PlanAssumptions,
    /// Every price the options use, with its source (user, cited, or documented default).
    pub prices: Vec<PriceUsed>,
    /// One entry per option, in plan-file order.
    pub options: Vec<PlanOption>,
    /// Option names, best first: by value over the horizon (net yearly saving × horizon −
    /// capex, highest first) when every option is priced, otherwise by localised bytes
    /// (`ranked_by` says which; `ranking_basis` says it in words).
    pub ranking: Vec<String>,
    /// How `ranking` is ordered, in words.
    pub ranking_basis: String,
    /// The rule `ranking` follows: "value_usd" (every option priced) or "localised_bytes"
    /// (some option not priced, so values cannot be compared).
    #[serde(default = "ranked_by_value")]
    pub ranked_by: String,
    /// What the measured data cannot show (traffic no vantage point saw, views the
    /// result's zone excludes, estimates made).
    pub cannot_show: Vec<String>,
    /// Things a reader must know to read the figures right.
    #[serde(default)]
    pub warnings: Vec<Warning>,
}

/// The ranking rule of plans written before `ranked_by` was added.
fn ranked_by_value() -> String {
    "value_usd".into()
}

/// `true`, for fields added later whose absence meant yes.
fn yes() -> bool {
    true
}

/// What the figures rest on.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PlanBasis {
    /// Results combined (a merged result counts as the results it stands for).
    pub results: u64,
    /// Vantage points (sites) of those results ("" for an unnamed one).
    pub sites: Vec<String>,
    /// First timed packet, ns since the epoch.
    pub first_ns: Option<i64>,
    /// Last timed packet, ns since the epoch.
    pub last_ns: Option<i64>,
    /// Last − first, s.
    pub duration_s: f64,
    /// Sample length of the rates, s (every p95 is over samples of this length).
    pub sample_s: f64,
    /// Samples in the span: what every p95 here rests on.
    pub samples: u64,
    /// The country under audit of the result.
    pub home: Option<Country>,
    /// The result's zone: only pairs with both ends in it were classified as local.
    pub zone: Vec<Country>,
    /// Unique hairpinned bytes of the result.
    pub hairpin_bytes: u64,
    /// Unique hairpinned packets.
    pub hairpin_packets: u64,
    /// Unique local bytes (both ends in the zone, hairpinned or not).
    pub local_bytes: u64,
    /// Unique local packets.
    pub local_packets: u64,
    /// Hairpinned bytes with an end in no known network (ASN 0): no IXP can be planned for
    /// them, so they are never localised.
    pub unknown_network_bytes: u64,
    /// True when a result was partial: the figures cover what was read.
    pub partial: bool,
    /// What the merge of several results could not do exactly.
    #[serde(default)]
    pub merge_notes: Vec<String>,
}

/// The assumptions applied to every option.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PlanAssumptions {
    /// Traffic at the planning horizon ÷ measured traffic: ports, transport and transit
    /// saved are computed for p95 × growth.
    pub growth: f64,
    /// Highest p95 utilisation allowed on a port or transport circuit (0..1].
    pub port_target: f64,
    /// Standard port speeds, Gbps, ascending.
    pub port_speeds_gbps: Vec<f64>,
    /// Spare ports per speed per switch, as a share of the ports in use (rounded up).
    pub spare_share: f64,
    /// Fewest spare ports of each speed in use.
    pub min_spares: u32,
    /// Speed of light in fibre, km per ms (for the extra distance of an IXP abroad).
    pub fibre_km_per_ms: f64,
    /// Fibre route stretch over the great circle.
    pub fibre_stretch: f64,
    /// True when a missing price makes figures "not priced" instead of an error (always
    /// so when the plan file has no price book).
    pub allow_unpriced: bool,
    /// False when the plan file has no `[prices]` table: every cost figure that needs a
    /// price other than the documented transit defaults is not priced.
    #[serde(default = "yes")]
    pub price_book_given: bool,
    /// Years over which options are compared (`value_usd` = net per year × this − capex).
    pub horizon_years: f64,
}

/// One price used, and where it comes from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PriceUsed {
    /// The plan file key, e.g. `prices.transit.KH`, `prices.port.10GE`.
    pub key: String,
    /// The figure, USD.
    pub usd: f64,
    /// Its unit: "USD per Mbps per month", "USD per port", "USD per switch", "USD per year".
    pub unit: String,
    /// Where it comes from, as the plan file says (or the documented default's citation).
    pub source: String,
    /// True for a documented default (the ESCAP 2016 transit price), not given in the file.
    pub default: bool,
}

/// Whether a series is the measured one or an apportioned estimate.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SeriesBasis {
    /// The measured hairpinned traffic of the set: the network's own hairpinned series
    /// (every hairpinned pair of the network is in the set) or the pairs' own
    /// (`hairpin_pair` series): exact.
    #[default]
    Exact,
    /// Some of the network's hairpinned pairs only: each pair's per-sample traffic scaled
    /// by the pair's hairpinned share of its bytes (the result has no per-pair hairpinned
    /// series): an estimate.
    Apportioned,
}

/// One option of the plan file, evaluated.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PlanOption {
    /// Its name in the plan file.
    pub name: String,
    /// "national", "subregional", "hybrid" or "mixed", from its IXPs.
    pub kind: String,
    /// Its description in the plan file.
    #[serde(default)]
    pub description: Option<String>,
    /// Unique hairpinned bytes the option's IXPs would carry instead.
    pub localised_bytes: u64,
    /// Unique hairpinned packets they would carry.
    pub localised_packets: u64,
    /// Hairpinned AS pairs localised.
    pub localised_pairs: u64,
    /// Unique hairpinned bytes still leaving the zone (total hairpinned − localised).
    pub still_leaving_bytes: u64,
    /// Unique hairpinned packets still leaving.
    pub still_leaving_packets: u64,
    /// localised ÷ hairpinned bytes (0 without hairpinned traffic).
    pub share_of_hairpin_localised: f64,
    /// still leaving ÷ local bytes: the share of local (in-zone) traffic that would still
    /// trip abroad (0 without local traffic).
    pub share_of_local_still_leaving: f64,
    /// p95 of all localised traffic together, Mbit/s.
    pub localised_p95_mbps: f64,
    /// How that p95 was derived.
    pub localised_p95_basis: SeriesBasis,
    /// Samples it rests on.
    pub samples: u64,
    /// The IXPs, in plan-file order.
    pub ixps: Vec<PlanIxp>,
    /// The interconnect between the IXPs (hybrid options).
    #[serde(default)]
    pub interconnect: Option<PlanInterconnect>,
    /// Cross-border capacity needed to reach an IXP abroad (members of a subregional IXP,
    /// uplinks of national IXPs to the interconnect).
    pub transport: Vec<TransportNeed>,
    /// Handshake latency the option would save.
    pub latency: PlanLatency,
    /// Rough-order-of-magnitude cost and payback.
    pub cost: PlanCost,
    /// Cost and payback with growth, the transit price and the cost prices each ±50%.
    pub sensitivity: Vec<SensitivityRow>,
}

/// One IXP of an option.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PlanIxp {
    /// Its name (from the plan file, or "IXP at CC").
    pub name: String,
    /// Country it is built in.
    pub at: Country,
    /// Countries whose networks join it.
    pub members: Vec<Country>,
    /// Unique hairpinned bytes it would carry (pairs exchanged on it).
    pub localised_bytes: u64,
    /// Unique hairpinned packets.
    pub localised_packets: u64,
    /// p95 of the traffic its switch carries (its pairs, and those crossing to the
    /// interconnect), Mbit/s.
    pub p95_mbps: f64,
    /// How that p95 was derived.
    pub p95_basis: SeriesBasis,
    /// The pairs exchanged on it (also those reaching it through the interconnect).
    pub pairs: Vec<LocalisedPair>,
    /// One port per member network with localised traffic.
    pub member_ports: Vec<MemberPort>,
    /// The uplink to the interconnect (hybrid options).
    #[serde(default)]
    pub uplink: Option<Uplink>,
    /// The switch's ports per speed: members, uplinks, spares.
    pub switch_ports: Vec<PortCount>,
    /// Switches needed for those ports (at least one).
    pub switches: u32,
}

/// A hairpinned AS pair an option localises.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LocalisedPair {
    /// Source ASN.
    pub src_asn: u32,
    /// Destination ASN.
    pub dst_asn: u32,
    /// Source country.
    pub src_country: Option<Country>,
    /// Destination country.
    pub dst_country: Option<Country>,
    /// Unique hairpinned bytes.
    pub bytes: u64,
    /// Unique hairpinned packets.
    pub packets: u64,
    /// p95 of the pair's hairpinned traffic (source to destination), Mbit/s, over the
    /// option's `samples`.
    #[serde(default)]
    pub p95_mbps: f64,
    /// How that p95 was derived (exact from the pair's own hairpinned series; apportioned
    /// only for results without them).
    #[serde(default)]
    pub p95_basis: SeriesBasis,
    /// The exchange path, e.g. ["IXP at KH"] or ["IXP at KH", "interconnect at VN", "IXP at LA"].
    pub path: Vec<String>,
}

/// A member network's port.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MemberPort {
    /// ASN.
    pub asn: u32,
    /// Country of the network's end that joins.
    pub country: Option<Country>,
    /// AS name.
    #[serde(default)]
    pub name: Option<String>,
    /// Unique localised bytes to and from it.
    pub localised_bytes: u64,
    /// p95 of its localised traffic towards it, Mbit/s.
    pub in_p95_mbps: f64,
    /// p95 of its localised traffic from it, Mbit/s.
    pub out_p95_mbps: f64,
    /// Higher of the two (the IXP convention), Mbit/s.
    pub p95_mbps: f64,
    /// How the p95 was derived.
    pub p95_basis: SeriesBasis,
    /// Samples the p95 rests on.
    pub samples: u64,
    /// p95 × growth ÷ port target, Mbit/s.
    pub needed_mbps: f64,
    /// Speed of each port, Gbps.
    pub port_gbps: f64,
    /// Ports of that speed (more than one only above the largest speed).
    pub ports: u32,
    /// "10GE", or "2×400GE".
    pub port: String,
    /// p95 × growth ÷ capacity.
    pub utilisation_at_p95: f64,
    /// Transit price of its country, USD per Mbps per month (null: not priced).
    pub transit_price_usd_per_mbps_month: Option<f64>,
    /// p95 × growth × that price: the transit it would stop buying, USD per month.
    pub transit_saved_usd_per_month: Option<f64>,
    /// Cross-border capacity to reach the IXP, when it is abroad.
    #[serde(default)]
    pub reach: Option<TransportNeed>,
}

/// A national IXP's link to the interconnect.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Uplink {
    /// p95 of cross-border traffic arriving, Mbit/s.
    pub in_p95_mbps: f64,
    /// p95 of cross-border traffic leaving, Mbit/s.
    pub out_p95_mbps: f64,
    /// Higher of the two, Mbit/s.
    pub p95_mbps: f64,
    /// How the p95 was derived.
    pub p95_basis: SeriesBasis,
    /// p95 × growth ÷ port target, Mbit/s.
    pub needed_mbps: f64,
    /// Port speed, Gbps.
    pub port_gbps: f64,
    /// Ports of that speed (at each end).
    pub ports: u32,
    /// "10GE", or "2×400GE".
    pub port: String,
    /// The cross-border transport to the interconnect (null when in the same country).
    #[serde(default)]
    pub transport: Option<TransportNeed>,
}

/// The interconnect of a hybrid option: a switch the national IXPs connect to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PlanInterconnect {
    /// Country it is built in.
    pub at: Country,
    /// Countries whose IXPs connect to it.
    pub members: Vec<Country>,
    /// Unique hairpinned bytes crossing it.
    pub localised_bytes: u64,
    /// Unique hairpinned packets crossing it.
    pub localised_packets: u64,
    /// p95 of the traffic crossing it, Mbit/s.
    pub p95_mbps: f64,
    /// How that p95 was derived.
    pub p95_basis: SeriesBasis,
    /// Its ports per speed: one per connected IXP, and spares.
    pub switch_ports: Vec<PortCount>,
    /// Switches needed (at least one).
    pub switches: u32,
}

/// Ports of one speed on a switch.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PortCount {
    /// Speed, Gbps.
    pub speed_gbps: f64,
    /// "10GE".
    pub port: String,
    /// Ports for member networks.
    pub members: u32,
    /// Ports for uplinks (to or from the interconnect).
    pub uplinks: u32,
    /// Spare ports.
    pub spares: u32,
    /// members + uplinks + spares.
    pub total: u32,
}

/// Cross-border capacity one member or uplink needs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TransportNeed {
    /// The route, its two countries in alphabetical order: "KH-VN".
    pub route: String,
    /// Where the traffic comes from.
    pub from: Country,
    /// Where the IXP (or interconnect) is.
    pub to: Country,
    /// What it is for: "AS38623 to IXP at VN", "IXP at KH to interconnect at VN".
    pub purpose: String,
    /// Capacity: p95 × growth ÷ port target, Mbit/s.
    pub needed_mbps: f64,
    /// Price of the route, USD per Mbps per month (null: not priced).
    pub price_usd_per_mbps_month: Option<f64>,
    /// needed × price × 12 (null: not priced).
    pub usd_per_year: Option<f64>,
}

/// The handshake latency an option would save.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PlanLatency {
    /// Per localised pair with timed hairpinned handshakes.
    pub pairs: Vec<PairLatency>,
    /// Hairpinned handshakes behind the figures.
    pub handshakes: u64,
    /// Mean of the pairs' savings weighted by their hairpinned handshakes, ms (null:
    /// no localised pair has timed handshakes and a baseline).
    pub saving_ms: Option<f64>,
    /// Localised pairs without a latency figure (no timed hairpinned handshake or no baseline).
    pub pairs_without_rtt: u64,
    /// Their unique hairpinned bytes.
    pub bytes_without_rtt: u64,
    /// Localised pairs with a Tromboning Index of the hairpinned path (timed hairpinned
    /// handshakes between located countries).
    #[serde(default)]
    pub pairs_with_ti_before: u64,
    /// Of those, how many are above the acceptable Tromboning Index.
    pub ti_above_acceptable_before: u64,
    /// Localised pairs with a TI after localisation: those with timed *direct* handshakes
    /// too (the TI after is the direct path's plus the option's extra distance). 0 means
    /// the TI after is unknown for every pair, not that none would be above it.
    #[serde(default)]
    pub pairs_with_ti_after: u64,
    /// Of the `pairs_with_ti_after`, how many would still be above the acceptable TI.
    pub ti_above_acceptable_after: u64,
}

/// The latency one localised pair would save.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PairLatency {
    /// Source ASN.
    pub src_asn: u32,
    /// Destination ASN.
    pub dst_asn: u32,
    /// Source country.
    pub src_country: Option<Country>,
    /// Destination country.
    pub dst_country: Option<Country>,
    /// Hairpinned handshakes timed.
    pub handshakes: u64,
    /// Their median, ms.
    pub hairpinned_median_ms: f64,
    /// The locally exchanged RTT the evidence compares with, ms.
    pub baseline_ms: f64,
    /// What the baseline is (the evidence's words).
    pub baseline_basis: String,
    /// Extra round trip of the option's exchange path over the direct one (an IXP in a
    /// third country), from great-circle distances, ms.
    pub extra_ms: f64,
    /// hairpinned median − baseline − extra, ms.
    pub saving_ms: f64,
    /// Tromboning Index of the hairpinned path now.
    #[serde(default)]
    pub ti_before: Option<f64>,
    /// Tromboning Index of the direct path plus the option's extra distance (null without
    /// timed direct handshakes of the pair).
    #[serde(default)]
    pub ti_after: Option<f64>,
}

/// Rough-order-of-magnitude cost of an option.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PlanCost {
    /// Switches and ports, USD (null: some item not priced).
    pub capex_usd: Option<f64>,
    /// The capital items.
    pub capex_items: Vec<CostItem>,
    /// Colocation, operations and cross-border transport, USD per year (null: not priced).
    pub opex_usd_per_year: Option<f64>,
    /// The yearly items.
    pub opex_items: Vec<CostItem>,
    /// International transit the member networks would stop buying, USD per year.
    pub transit_saved_usd_per_year: Option<f64>,
    /// Transit saved − opex, USD per year.
    pub net_usd_per_year: Option<f64>,
    /// capex ÷ (net ÷ 12), months (null: not priced, or the net saving is not positive).
    pub payback_months: Option<f64>,
    /// Net per year × the horizon − capex, USD: what the options are ranked by.
    pub value_usd: Option<f64>,
    /// Prices missing from the plan file (with `allow_unpriced`), by key.
    pub not_priced: Vec<String>,
}

/// One line of a cost.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CostItem {
    /// What it is: "IXP at KH: 3 × 10GE ports".
    pub item: String,
    /// The price key it uses.
    pub key: String,
    /// How many (ports, switches, Mbps × 12 months, sites).
    pub quantity: f64,
    /// Unit price, USD (null: not priced).
    pub unit_usd: Option<f64>,
    /// quantity × unit price, USD (null: not priced).
    pub usd: Option<f64>,
}

/// The cost and payback under one variation of the assumptions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SensitivityRow {
    /// "base", "growth -50%", "growth +50%", "transit price -50%", ..., "cost prices +50%".
    pub case: String,
    /// Growth factor applied.
    pub growth: f64,
    /// Factor on every transit price.
    pub transit_price_factor: f64,
    /// Factor on every cost price (ports, switches, colocation, operations, transport).
    pub cost_price_factor: f64,
    /// Capex, USD.
    pub capex_usd: Option<f64>,
    /// Opex, USD per year.
    pub opex_usd_per_year: Option<f64>,
    /// Transit saved, USD per year.
    pub transit_saved_usd_per_year: Option<f64>,
    /// Payback, months.
    pub payback_months: Option<f64>,
    /// Net per year × the horizon − capex, USD.
    pub value_usd: Option<f64>,
}

/// The JSON Schema (draft 2020-12) of [`PlanResult`], pretty-printed.
pub fn plan_json_schema() -> String {
    let s = schemars::schema_for!(PlanResult);
    let mut out = serde_json::to_string_pretty(&s).expect("a schema serialises");
    out.push('\n');
    out
}

impl PlanResult {
    /// Reads a plan result from JSON, refusing versions this build cannot read.
    pub fn from_json(text: &str) -> Result<PlanResult, String> {
        #[derive(Deserialize)]
        struct Version {
            plan_version: Option<u32>,
        }
        let v: Version = serde_json::from_str(text).map_err(|e| e.to_string())?;
        match v.plan_version {
            None => return Err("not a trombone plan: no plan_version".into()),
            Some(n) if n != PLAN_VERSION => {
                return Err(format!(
                    "plan_version {n} is not readable by this build (it reads {PLAN_VERSION})"
                ))
            }
            Some(_) => {}
        }
        serde_json::from_str(text).map_err(|e| e.to_string())
    }
}
