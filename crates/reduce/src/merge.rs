//! Merging results: rotated pieces of one vantage point, or several vantage points.
//!
//! Everything that adds is added — matrices, totals, hairpin counts and histograms,
//! per-sample series — and everything derived (rates, percentiles, port plans, hairpin
//! quantiles and shares) is derived again from the sums, exactly as a single run derives
//! it. So the rotated pieces of one capture merge into the result of analysing the
//! capture in one run.
//!
//! Across sites traffic adds up too, which counts twice a packet seen at two vantage
//! points: a merge cannot tell the same packet seen twice from two packets, so it says so
//! in `merged.notes`. Busiest bins of one sample interval add across sites (an upper
//! bound: two sites need not have peaked in the same bin).

use crate::hairpin::HairpinAcc;
use crate::result::{Context, HairpinParams, ResultAcc};
use crate::sizing::SizingConfig;
use std::collections::BTreeSet;
use trombone_schema::{Interval, MergeInfo, PeakRule, Report, ToolInfo};
use trombone_worker::{AsPair, PairCounters};

/// How to merge.
#[derive(Clone, Debug)]
pub struct MergeOptions {
    /// Combine results made with different databases, zones, links or bins anyway
    /// (the output says so).
    pub allow_mixed: bool,
    /// Networks and pairs listed in the merged sizing section.
    pub top: usize,
    /// The merging program and its command line.
    pub tool: ToolInfo,
}

impl Default for MergeOptions {
    fn default() -> MergeOptions {
        MergeOptions {
            allow_mixed: false,
            top: 50,
            tool: ToolInfo::this(Vec::new()),
        }
    }
}

/// The settings two results must share to merge, as one line each for an error message.
fn identity(r: &Report) -> Vec<(&'static str, String)> {
    let mut v = vec![
        (
            "ASN database",
            format!(
                "{} ({}){}",
                r.asn_db.source,
                r.asn_db.date.as_deref().unwrap_or("undated"),
                r.asn_db
                    .digest
                    .as_deref()
                    .map_or(String::new(), |d| format!(" digest {d}"))
            ),
        ),
        (
            "bins and samples",
            r.series.as_ref().map_or("none".into(), |s| {
                format!("{} s bins, {} s samples", s.bin_s, s.sample_s)
            }),
        ),
    ];
    match &r.hairpin {
        Some(h) => {
            let zone: Vec<&str> = h.zone.iter().map(|c| c.as_str()).collect();
            v.push((
                "home and zone",
                format!("home {} zone {}", h.home, zone.join(",")),
            ));
            v.push(("replica window", format!("{} ms", h.window_ms)));
        }
        None => v.push(("home and zone", "no hairpin analysis".into())),
    }
    v
}

/// Merges `reports` into one.
pub fn merge(reports: &[Report], opts: &MergeOptions) -> Result<Report, String> {
    let first = reports.first().ok_or("nothing to merge")?;
    let mut notes: Vec<String> = Vec::new();
    let mut mixed = false;
    for (i, r) in reports.iter().enumerate() {
        if r.series.is_none() {
            return Err(format!(
                "result {} (schema_version {}) has no per-sample series: it was written by a build whose results cannot be merged exactly; analyse its capture again",
                i + 1,
                r.schema_version
            ));
        }
        for ((what, a), (_, b)) in identity(first).iter().zip(identity(r).iter()) {
            if a != b {
                if !opts.allow_mixed {
                    return Err(format!(
                        "results 1 and {} differ in their {what}: \"{a}\" against \"{b}\"; they would not add up to one measurement (--allow-mixed merges them anyway, and says so)",
                        i + 1
                    ));
                }
                mixed = true;
                notes.push(format!("mixed {what}: \"{a}\" and \"{b}\""));
            }
        }
    }
    let sites: BTreeSet<String> = reports
        .iter()
        .map(|r| r.site.clone().unwrap_or_default())
        .collect();
    let peak = if sites.len() > 1 {
        notes.push(format!(
            "{} sites added up: traffic seen at more than one site is counted once per site (a merge cannot tell one packet seen twice from two packets); busiest bins are summed across sites, an upper bound",
            sites.len()
        ));
        PeakRule::Sum
    } else {
        PeakRule::Max
    };
    // pieces of one site that overlap in time count their overlap twice
    let mut spans: Vec<(i64, i64)> = reports
        .iter()
        .filter_map(|r| match (r.interval, r.time.first_ns, r.time.last_ns) {
            (Some(iv), _, _) => Some((iv.start_ns, iv.end_ns)),
            (None, Some(f), Some(l)) => Some((f, l + 1)),
            _ => None,
        })
        .collect();
    spans.sort_unstable();
    if sites.len() == 1 && spans.windows(2).any(|w| w[1].0 < w[0].1) {
        notes.push(
            "some results of the same site overlap in time: traffic in the overlap is counted once per result".into(),
        );
    }
    if reports.iter().any(|r| r.top_talkers.is_some()) {
        notes.push(
            "top talkers are summed over the results' flow tables at their ends: a flow alive across a boundary counts in each".into(),
        );
    }

    let mut acc = ResultAcc::default();
    let mut hairpin = HairpinAcc::default();
    for r in reports {
        for c in &r.as_matrix {
            let k = AsPair {
                src_asn: c.src_asn,
                src_country: c.src_country,
                dst_asn: c.dst_asn,
                dst_country: c.dst_country,
            };
            acc.pairs.entry(k).or_default().add(&PairCounters {
                packets: c.packets,
                bytes: c.bytes,
                wire_bytes: 0,
                flows: c.flows,
            });
        }
        for row in r.series.iter().flat_map(|s| s.rows.iter()) {
            acc.add_row(row, peak);
        }
        if let Some(h) = &r.hairpin {
            hairpin.add_report(h)?;
        }
        if let Some(e) = &r.evidence {
            hairpin.add_evidence(e)?;
        }
        if let Some(ps) = r.sizing.as_ref().and_then(|s| s.packet_size.as_ref()) {
            let h = ps
                .hist
                .as_deref()
                .ok_or("a result's packet sizes carry no histogram: it cannot be merged exactly")?;
            acc.add_sizes(&trombone_schema::hist::decode(h)?);
        }
        acc.add_time(r.time.first_ns.zip(r.time.last_ns));
        acc.sources.add_report(r, peak);
        acc.totals.add(&r.totals);
        acc.unbinned += r.sizing.as_ref().map_or(0, |s| s.unbinned_packets);
        acc.add_inputs(&r.inputs);
        acc.partial |= r.partial;
        if let Some(t) = &r.top_talkers {
            acc.talkers_anonymized |= t.anonymized;
            for row in &t.rows {
                acc.add_talker(row);
            }
        }
        for (a, n) in &r.as_names {
            acc.names.entry(*a).or_insert_with(|| n.clone());
        }
        // warnings are derived again from the merged figures (a piece's unmatched link
        // may have matched in another piece)
    }
    acc.hairpin = hairpin;

    let s = first.sizing.as_ref();
    let series = first.series.as_ref().expect("checked above");
    let sizing = SizingConfig {
        bin_ns: (series.bin_s * 1e9).round() as i64,
        sample_ns: (series.sample_s * 1e9).round() as i64,
        port_target: s.map_or(0.5, |s| s.port_target),
        growth: s.map_or(1.0, |s| s.growth),
        transit_price: s.map_or(100.0, |s| s.transit_price_usd_per_mbps_month),
        port_speeds_gbps: s.map_or_else(
            || SizingConfig::default().port_speeds_gbps,
            |s| s.port_speeds_gbps.clone(),
        ),
        what_if_asns: s
            .and_then(|s| s.what_if.as_ref())
            .filter(|w| w.asns_given)
            .map(|w| w.asns.clone()),
        top: opts.top,
    };
    let hairpin_params = first.hairpin.as_ref().map(|h| HairpinParams {
        home: h.home,
        zone: h.zone.clone(),
        window_ms: h.window_ms,
        floor_ms: h.domestic_floor_ms,
        max_zone_km: h.max_zone_km,
        links: h
            .links
            .iter()
            .map(|l| trombone_schema::HairpinLink {
                frames: 0,
                ..l.clone()
            })
            .collect(),
        rtt_all: first
            .evidence
            .as_ref()
            .is_some_and(|e| e.rtt_scope == "all"),
    });
    let intervals: Option<Vec<Interval>> = reports.iter().map(|r| r.interval).collect();
    let interval = intervals.and_then(|v| {
        let start = v.iter().map(|i| i.start_ns).min()?;
        let end = v.iter().map(|i| i.end_ns).max()?;
        Some(Interval {
            start_ns: start,
            end_ns: end,
        })
    });
    let results = reports
        .iter()
        .map(|r| r.merged.as_ref().map_or(1, |m| m.results))
        .sum();
    let ctx = Context {
        tool: opts.tool.clone(),
        asn_db: first.asn_db.clone(),
        site: (sites.len() == 1).then(|| first.site.clone()).flatten(),
        interval,
        merged: Some(MergeInfo {
            results,
            sites: sites.into_iter().collect(),
            mixed,
            notes,
        }),
        sizing,
        hairpin: hairpin_params,
        top_talkers: reports
            .iter()
            .filter_map(|r| r.top_talkers.as_ref().map(|t| t.rows.len()))
            .max()
            .unwrap_or(0),
        capture: None,
        evidence: None,
    };
    Ok(acc.finish(ctx))
}
