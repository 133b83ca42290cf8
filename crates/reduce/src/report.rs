//! The report model: what every output format renders (the JSON contract).

use serde::Serialize;
use std::collections::BTreeMap;
use trombone_asdb::{Country, DbSource};

/// Version of the JSON contract; bumped on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

/// Frame and packet counts over the whole run.
///
/// Invariant: `frames = ip_packets + non_ip_frames + malformed_frames + unsupported_frames`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    /// Frames read from the sources.
    pub frames: u64,
    /// Frames that carried a parseable IP header (counted in the matrices).
    pub ip_packets: u64,
    /// L3 bytes of those packets, from their IP headers.
    pub ip_bytes: u64,
    /// Wire (frame) bytes of those packets.
    pub wire_bytes: u64,
    /// Frames whose link layer decoded but carried no IP (ARP, LLDP...).
    pub non_ip_frames: u64,
    /// Frames too short or inconsistent to decode.
    pub malformed_frames: u64,
    /// Frames of a link type trombone does not decode.
    pub unsupported_frames: u64,
    /// Flows: distinct (VLAN, addresses, protocol, ports) keys, plus one for
    /// each time an evicted or timed-out flow was seen again.
    pub flows: u64,
    /// Flows evicted from a full flow table (their traffic stays in every figure).
    pub evicted_flows: u64,
    /// Flows ended by the idle or active timeout.
    pub expired_flows: u64,
}

impl Totals {
    /// Adds another set of counts to this one.
    pub fn add(&mut self, o: &Totals) {
        self.frames += o.frames;
        self.ip_packets += o.ip_packets;
        self.ip_bytes += o.ip_bytes;
        self.wire_bytes += o.wire_bytes;
        self.non_ip_frames += o.non_ip_frames;
        self.malformed_frames += o.malformed_frames;
        self.unsupported_frames += o.unsupported_frames;
        self.flows += o.flows;
        self.evicted_flows += o.evicted_flows;
        self.expired_flows += o.expired_flows;
    }
}

/// One cell of the AS×AS matrix: traffic from one (ASN, country) to another.
///
/// An AS whose address space spans countries appears in one row per country.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AsCell {
    /// Source ASN (0 = unknown).
    pub src_asn: u32,
    /// Destination ASN (0 = unknown).
    pub dst_asn: u32,
    /// Source country (null = unknown).
    pub src_country: Option<Country>,
    /// Destination country (null = unknown).
    pub dst_country: Option<Country>,
    /// IP packets.
    pub packets: u64,
    /// L3 bytes.
    pub bytes: u64,
    /// Flows.
    pub flows: u64,
}

/// One cell of the country×country matrix.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CountryCell {
    /// Source country (null = unknown).
    pub src_country: Option<Country>,
    /// Destination country (null = unknown).
    pub dst_country: Option<Country>,
    /// IP packets.
    pub packets: u64,
    /// L3 bytes.
    pub bytes: u64,
    /// Flows.
    pub flows: u64,
}

/// What was read from one input and how reading ended.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct InputSummary {
    /// Path as given ("-" for stdin).
    pub file: String,
    /// Container format detected ("pcap", "pcap-ns", "pcapng"...), null if unreadable.
    pub format: Option<String>,
    /// Frames read from this input.
    pub frames: u64,
    /// Frames per LINKTYPE number.
    pub linktypes: BTreeMap<u32, u64>,
    /// The error that stopped reading, with file and byte offset; null if read to the end.
    pub error: Option<String>,
}

/// The name and version of the program that wrote a report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ToolInfo {
    /// Always "trombone".
    pub name: String,
    /// Crate version.
    pub version: String,
}

/// First and last capture timestamps seen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct TimeSpan {
    /// Earliest packet timestamp, ns since the Unix epoch (null if no packet).
    pub first_ns: Option<i64>,
    /// Latest packet timestamp, ns since the Unix epoch (null if no packet).
    pub last_ns: Option<i64>,
    /// `last - first` in seconds.
    pub duration_s: f64,
}

/// The result of one run: the contract rendered as JSON, CSV and tables.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    /// Version of this contract.
    pub schema_version: u32,
    /// Program that wrote it.
    pub tool: ToolInfo,
    /// The IP→ASN/country database used.
    pub asn_db: DbSource,
    /// True when some input could not be read to its end: the figures cover what was read.
    pub partial: bool,
    /// Each input and how reading it ended.
    pub inputs: Vec<InputSummary>,
    /// Time covered by the packets.
    pub time: TimeSpan,
    /// Overall counts.
    pub totals: Totals,
    /// AS×AS matrix, by bytes descending.
    pub as_matrix: Vec<AsCell>,
    /// Country×country matrix, by bytes descending.
    pub country_matrix: Vec<CountryCell>,
    /// Rates, percentiles and port sizing.
    pub sizing: SizingReport,
    /// The sources sending most bytes, only when asked for (`--top-talkers`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top_talkers: Option<TopTalkers>,
    /// Hairpin verdict, when a home country was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hairpin: Option<HairpinReport>,
    /// Names of the ASNs in the matrix, from the database.
    pub as_names: BTreeMap<u32, String>,
}

/// The hairpin section: how much local traffic left the zone and came back.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HairpinReport {
    /// The country under audit.
    pub home: Country,
    /// Countries counted as local.
    pub zone: Vec<Country>,
    /// Replica window, ms.
    pub window_ms: f64,
    /// Shortest RTT of a path crossing the zone and staying in it, ms (see README).
    pub domestic_floor_ms: f64,
    /// The in-zone distance that floor assumes, km.
    pub max_zone_km: f64,
    /// The vantage's links as configured.
    pub links: Vec<HairpinLink>,
    /// Overall hairpin figures.
    pub totals: HairpinTotals,
    /// The replica matcher's housekeeping (nothing hidden).
    pub matcher: MatcherReport,
    /// AS pairs with hairpin traffic, by unique bytes descending.
    pub pairs: Vec<HairpinPair>,
}

/// A configured link of the vantage.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HairpinLink {
    /// Its name in the links file.
    pub name: String,
    /// Neighbour ASN.
    pub asn: u32,
    /// Neighbour country.
    pub country: Option<Country>,
    /// VLAN that identifies it, if any.
    pub vlan: Option<u16>,
    /// True when the neighbour is outside the zone (or of unknown country).
    pub abroad: bool,
}

/// Overall hairpin figures.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct HairpinTotals {
    /// Unique hairpinned packets (a packet seen leaving and returning counts once).
    pub packets: u64,
    /// Their L3 bytes.
    pub bytes: u64,
    /// Hairpin sightings, replicas included.
    pub observations: u64,
    /// Sightings matched as the replica of an earlier sighting.
    pub reobserved_packets: u64,
    /// Unique packets with both ends in the zone, hairpinned or not.
    pub local_packets: u64,
    /// Their L3 bytes.
    pub local_bytes: u64,
    /// `bytes / local_bytes`: the share of local traffic that hairpinned (0 when there is none).
    pub share_of_local_bytes: f64,
}

/// Housekeeping of the replica matcher.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct MatcherReport {
    /// Pending sightings pushed out by a fourth sighting of the same packet within the window.
    pub slot_overflows: u64,
    /// Pending sightings pushed out inside the window because the matcher was at its cap (`--max-pending`).
    pub dropped_fresh: u64,
    /// Hairpin sightings on no identified link (all of them without a links file).
    pub unidentified_link: u64,
}

/// Hairpin figures of one AS pair.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HairpinPair {
    /// Source ASN.
    pub src_asn: u32,
    /// Destination ASN.
    pub dst_asn: u32,
    /// Source country.
    pub src_country: Option<Country>,
    /// Destination country.
    pub dst_country: Option<Country>,
    /// Unique hairpinned packets.
    pub packets: u64,
    /// Their L3 bytes.
    pub bytes: u64,
    /// Hairpin sightings, replicas included.
    pub observations: u64,
    /// Sightings matched as replicas (= packets seen both leaving and returning).
    pub reobserved_packets: u64,
    /// Unique local bytes of this pair, hairpinned or not.
    pub local_bytes: u64,
    /// Time between the two sightings of matched packets, ms (null without matches).
    pub detour_ms: Option<Quantiles>,
    /// TTL difference between the two sightings (null without matches).
    pub hops_abroad: Option<Hops>,
    /// TCP SYN → SYN/ACK time at the vantage, ms (null without handshakes).
    pub handshake_rtt_ms: Option<Handshake>,
    /// The links unique hairpinned packets left by (or arrived on, when only that was seen).
    pub via: Vec<Via>,
}

/// Nearest-rank quantiles in ms, with the number of samples behind them.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Quantiles {
    /// Samples.
    pub samples: u64,
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
}

/// Median hop difference.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Hops {
    /// Samples.
    pub samples: u64,
    /// Median TTL difference.
    pub p50: u64,
}

/// Handshake RTT evidence of one pair.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Handshake {
    /// Handshakes timed.
    pub samples: u64,
    /// Fastest, ms.
    pub min: f64,
    /// Median, ms.
    pub p50: f64,
    /// True when even the fastest handshake took longer than the domestic floor.
    pub exceeds_domestic_floor: bool,
}

/// Hairpin traffic of a pair through one link.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Via {
    /// Link name (null: no link identified — every link leads abroad).
    pub link: Option<String>,
    /// Neighbour ASN (0 when unknown).
    pub asn: u32,
    /// Neighbour country.
    pub country: Option<Country>,
    /// Neighbour AS name from the database.
    pub name: Option<String>,
    /// Unique packets.
    pub packets: u64,
    /// Their L3 bytes.
    pub bytes: u64,
}

/// Rates over time and port sizing (see the `sizing` module docs for definitions).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SizingReport {
    /// Bin width, seconds.
    pub bin_s: f64,
    /// Sample interval, seconds.
    pub sample_s: f64,
    /// Highest p95 utilisation allowed on a recommended port.
    pub port_target: f64,
    /// Growth factor applied before sizing.
    pub growth: f64,
    /// Transit price assumed, USD per Mbps per month.
    pub transit_price_usd_per_mbps_month: f64,
    /// Port speeds considered, Gbps.
    pub port_speeds_gbps: Vec<f64>,
    /// Start of the first bin, ns since the epoch (null without packets).
    pub first_bin_ns: Option<i64>,
    /// Bins in the capture span.
    pub bins: u64,
    /// Sample intervals the span touches (the first and last may be partial).
    pub samples: u64,
    /// Packets left out of the time series because their timestamp lay absurdly
    /// far (weeks) from the rest; they are in the matrices.
    pub unbinned_packets: u64,
    /// L3 sizes of all IP packets (null without packets).
    pub packet_size: Option<PacketSizes>,
    /// Networks by bytes (in + out), rates in and out.
    pub networks: Vec<NetworkRate>,
    /// AS pairs by bytes, with their rates.
    pub pairs: Vec<PairRate>,
    /// Links of the links file, rates in and out.
    pub links: Vec<LinkRate>,
    /// What-if local peering (only with hairpin analysis).
    pub what_if: Option<WhatIf>,
}

/// Rates of one series.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Rate {
    /// L3 bytes in the span.
    pub bytes: u64,
    /// Packets in the span.
    pub packets: u64,
    /// Mean rate over the span, Mbit/s.
    pub avg_mbps: f64,
    /// Highest sample rate, Mbit/s.
    pub max_mbps: f64,
    /// 90th percentile (nearest rank) of sample rates, Mbit/s.
    pub p90_mbps: f64,
    /// 95th percentile (nearest rank) of sample rates, Mbit/s.
    pub p95_mbps: f64,
    /// Highest single bin, Mbit/s.
    pub peak_bin_mbps: f64,
    /// Mean packets per second.
    pub avg_pps: f64,
    /// 95th percentile of sample packet rates.
    pub p95_pps: f64,
    /// Highest single bin, packets per second.
    pub peak_bin_pps: f64,
    /// Samples the percentiles rest on.
    pub samples: u64,
    /// Rate per point of the span, Mbit/s (one point per `series_step_s`).
    pub series_mbps: Vec<f64>,
    /// Seconds per point of `series_mbps`.
    pub series_step_s: f64,
}

/// Packet sizes (L3 bytes) of a network's traffic.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct PacketSizes {
    /// Packets.
    pub samples: u64,
    /// Mean size.
    pub mean: f64,
    /// Median.
    pub p50: u64,
    /// 90th percentile.
    pub p90: u64,
    /// 99th percentile.
    pub p99: u64,
    /// Largest.
    pub max: u64,
}

/// Packets per size bucket (L3 bytes, RFC 2819-style ranges) and the mean size.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SizeMix {
    /// Packets.
    pub packets: u64,
    /// Mean L3 size.
    pub mean: f64,
    /// Packets per range, smallest first.
    pub buckets: Vec<SizeBucket>,
}

/// One size range.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SizeBucket {
    /// "65-127" (L3 bytes, inclusive), "1500+".
    pub range: String,
    /// Packets in it.
    pub packets: u64,
}

/// One network's rates.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NetworkRate {
    /// ASN.
    pub asn: u32,
    /// Its country (the one most of its bytes were resolved to).
    pub country: Option<Country>,
    /// AS name.
    pub name: Option<String>,
    /// Traffic towards the network.
    #[serde(rename = "in")]
    pub inbound: Rate,
    /// Traffic from the network.
    #[serde(rename = "out")]
    pub outbound: Rate,
    /// Sizes of the packets it sent and received.
    pub packet_sizes: SizeMix,
}

/// One AS pair's rates.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PairRate {
    /// Source ASN.
    pub src_asn: u32,
    /// Destination ASN.
    pub dst_asn: u32,
    /// Source country.
    pub src_country: Option<Country>,
    /// Destination country.
    pub dst_country: Option<Country>,
    /// Rates.
    pub rate: Rate,
}

/// One link's rates.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LinkRate {
    /// Link name.
    pub name: String,
    /// Neighbour ASN.
    pub asn: u32,
    /// Neighbour country.
    pub country: Option<Country>,
    /// In from the neighbour.
    #[serde(rename = "in")]
    pub inbound: Rate,
    /// Out to the neighbour.
    #[serde(rename = "out")]
    pub outbound: Rate,
    /// Direction unknown (present only when some traffic could not be told).
    pub unknown_direction: Option<Rate>,
}

/// What-if local peering: the hairpinned traffic moved to a local IXP.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WhatIf {
    /// The ASNs considered.
    pub asns: Vec<u32>,
    /// Port plan per ASN.
    pub ports: Vec<PortPlan>,
    /// Sum of the transit each would stop buying, USD per month.
    pub total_transit_saved_usd_per_month: f64,
}

/// The IXP port one network would need for its hairpinned traffic.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PortPlan {
    /// ASN.
    pub asn: u32,
    /// Country.
    pub country: Option<Country>,
    /// AS name.
    pub name: Option<String>,
    /// Hairpinned traffic towards it.
    pub hairpin_in: Rate,
    /// Hairpinned traffic from it.
    pub hairpin_out: Rate,
    /// Higher of in/out p95, Mbit/s.
    pub p95_mbps: f64,
    /// p95 × growth ÷ port target, Mbit/s.
    pub needed_mbps: f64,
    /// Recommended port speed, Gbps (null: more than the largest speed).
    pub port_gbps: Option<f64>,
    /// Its name ("10GE").
    pub port: Option<String>,
    /// p95 × growth ÷ port capacity.
    pub utilisation_at_p95: Option<f64>,
    /// p95 Mbps × transit price, USD per month.
    pub transit_saved_usd_per_month: f64,
}

/// The sources sending most bytes: the only output that carries addresses.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TopTalkers {
    /// True when the addresses were anonymised with Crypto-PAn (`--anonymize`).
    pub anonymized: bool,
    /// What the figures cover: flows still in the tables at the end (evicted
    /// or timed-out flows are not in them; see `totals.evicted_flows`).
    pub basis: String,
    /// By bytes, descending.
    pub rows: Vec<TalkerRow>,
}

/// One source address.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TalkerRow {
    /// The address (anonymised when `anonymized`).
    pub address: String,
    /// Its ASN.
    pub asn: u32,
    /// Its country.
    pub country: Option<Country>,
    /// Packets sent.
    pub packets: u64,
    /// L3 bytes sent.
    pub bytes: u64,
    /// Flows.
    pub flows: u64,
}
