//! trombone-plan: compares IXP options — an IXP in each country, one subregional IXP, or
//! national IXPs joined by a subregional interconnect — on measured trombone results.
//!
//! ```no_run
//! use trombone_plan::{plan, PlanFile};
//! let report = trombone_schema::Report::from_json(&std::fs::read_to_string("result.json")?)?;
//! let file = PlanFile::load(std::path::Path::new("plan.toml"))?;
//! let p = plan(&report, &file)?;
//! for o in &p.options {
//!     println!("{}: {} bytes localised, {} still leaving", o.name, o.localised_bytes, o.still_leaving_bytes);
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # The model (every figure from the result, nothing else measured)
//!
//! - **Which pairs an option localises.** A hairpinned AS pair (the result's
//!   `hairpin.pairs`, unique bytes and packets) is exchanged on the first IXP of the option
//!   (plan-file order) whose member countries include both its ends' countries: a national
//!   IXP carries only its country's pairs, a subregional one also cross-border pairs of
//!   its members. With an `interconnect`, a pair whose ends belong to two different IXPs
//!   connected to it crosses from one to the other through it. Pairs with an unknown
//!   network (ASN 0) or within one network (same ASN) are never localised. Still leaving
//!   = hairpinned bytes − localised bytes; its share of local traffic = still leaving ÷
//!   `hairpin.totals.local_bytes`.
//! - **p95** is sizing's rule (nearest rank of sample rates, empty samples count), over the
//!   traffic a port would carry. See [`series`] for when it is exact and when apportioned.
//! - **Ports.** Per member network and IXP: p95 = the higher of its localised traffic in
//!   and out; needed = p95 × growth ÷ port_target; the smallest standard speed whose
//!   capacity holds it (above the largest: as many of the largest as it takes). Per switch
//!   and speed: spares = max(min_spares, ⌈in use × spare_share⌉); switches = ⌈ports ÷
//!   ports per switch⌉ (at least one). A national IXP's uplink to the interconnect is
//!   sized the same way from the cross-border traffic leaving and arriving.
//! - **Reach.** A member in another country than its IXP (or an IXP in another country
//!   than the interconnect) needs cross-border transport of `needed` Mbit/s on the route
//!   between the two.
//! - **Latency.** Per localised pair with timed hairpinned handshakes: the evidence's
//!   saving (hairpinned median − baseline of locally exchanged handshakes) less the round
//!   trip of any extra distance the option's exchange path adds over the direct one (2 ×
//!   km × 1.5 ÷ 200 km/ms, great-circle km between the countries' reference points); the
//!   headline weighs pairs by their handshakes. TI after = (direct path km + extra km) ÷
//!   great-circle km (the evidence's floor, 100 km, when shorter), for pairs with timed
//!   direct handshakes (`pairs_with_ti_after` counts them; the others' TI after is unknown).
//! - **Cost** (rough order of magnitude, USD). Capex: switches and ports (with spares) at
//!   every site. Opex per year: colocation and operations per site, transport Mbit/s ×
//!   price × 12. Transit saved per year: Σ members p95 × growth × their country's transit
//!   price × 12 (at growth 1, analyze's what-if). Payback = capex ÷ ((saved − opex) ÷ 12).
//!   Value = (saved − opex) × `horizon_years` (default 5) − capex: options are ranked by
//!   it, highest first, when every option has one; otherwise (some price not priced) by
//!   localised bytes, highest first, and `ranked_by` says so. Sensitivity: growth, transit prices and cost prices each at −50%
//!   and +50%.
//! - **Prices.** Every price comes from the plan file with its source, except transit in
//!   Cambodia, Lao PDR and Myanmar, which defaults to ESCAP's 2016 figure
//!   ([`file::ESCAP_TRANSIT_SOURCE`]). A price an option needs and the file lacks is an
//!   error naming it — unless `prices.allow_unpriced = true`, which reports the figures
//!   that need it as not priced (null) and lists it in `cost.not_priced`. A plan file
//!   with no `[prices]` table at all is run that way too, with a `no_price_book` warning.
//! - **p95 per pair.** Each localised pair's own hairpinned p95 (`LocalisedPair.p95_mbps`)
//!   is over its `hairpin_pair` series: exact on results that carry them.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod compute;
pub mod file;
pub mod series;
pub mod table;

pub use compute::{plan, PlanError};
pub use file::{PlanFile, PlanFileError};

use trombone_schema::{PlanResult, Report, ToolInfo, PLAN_VERSION};

/// Merges several results into one exactly (`trombone_reduce::merge`); one is returned as it is.
pub fn merge_results(reports: Vec<Report>, tool: &ToolInfo) -> Result<Report, PlanError> {
    if reports.len() == 1 {
        return Ok(reports.into_iter().next().expect("one"));
    }
    trombone_reduce::merge(
        &reports,
        &trombone_reduce::MergeOptions {
            tool: tool.clone(),
            ..Default::default()
        },
    )
    .map_err(PlanError)
}

/// The document `trombone plan` writes.
pub fn plan_result(
    report: &Report,
    file: &PlanFile,
    results: Vec<String>,
    tool: ToolInfo,
) -> Result<PlanResult, PlanError> {
    Ok(PlanResult {
        plan_version: PLAN_VERSION,
        tool,
        plan_file: file.file.clone(),
        results,
        plan: plan(report, file)?,
    })
}
