//! The human summary printed on a terminal.
//!
//! Figures are printed with enough precision to be read right: money with cents below
//! 100 USD (never "$0" for a saving of cents), rates with three significant figures in
//! the unit that fits (kbit/s below 1 Mbit/s), shares of a matrix out of that matrix's own
//! total. Where an analysis cannot be made from the data (flow export has no per-packet
//! times), the result's own "not available" text is printed instead of zeros.

use crate::human::{count as thousands, ms, plain, plural, sig};
use std::collections::BTreeMap;
use std::io::{self, Write};
use trombone_schema::{
    CollectorReport, Country, Evidence, HairpinReport, IxpReport, PairEvidence, PortPlan, Report,
    SizingReport, UnknownNetwork,
};

/// The "SRC AS NAME CC → DST AS NAME CC" cells that start a pair's row, names clipped to
/// `w` characters.
fn pair_cells(
    report: &Report,
    w: usize,
    src: u32,
    src_cc: Option<Country>,
    dst: u32,
    dst_cc: Option<Country>,
) -> String {
    let name = |asn: u32| clip(report.as_names.get(&asn).map_or("", |s| s.as_str()), w);
    format!(
        "{src:>8} {:<w$} {:<2} → {dst:>8} {:<w$} {:<2}",
        name(src),
        cc(src_cc),
        name(dst),
        cc(dst_cc)
    )
}

/// The header over [`pair_cells`].
fn pair_header(w: usize) -> String {
    format!(
        "{:>8} {:<w$} {:<2}   {:>8} {:<w$} {:<2}",
        "SRC AS", "NAME", "CC", "DST AS", "NAME", "CC"
    )
}

/// Formats a byte count in decimal units (B, kB, MB, GB, TB).
fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1000.0 && u < UNITS.len() - 1 {
        v /= 1000.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

/// A rate given in Mbit/s, to three significant figures in the unit that fits:
/// 0.0137 -> "13.7 kbit/s", 0.987 -> "987 kbit/s", 1234 -> "1.23 Gbit/s", 0 -> "0".
fn rate(mbps: f64) -> String {
    if !mbps.is_finite() {
        return "–".into();
    }
    if mbps == 0.0 {
        return "0".into();
    }
    const UNITS: [&str; 5] = ["bit/s", "kbit/s", "Mbit/s", "Gbit/s", "Tbit/s"];
    let mut v = mbps * 1e6;
    let mut u = 0;
    // 999.5 and up rounds to 1000 at three figures: print it in the next unit
    while v.abs() >= 999.5 && u < UNITS.len() - 1 {
        v /= 1000.0;
        u += 1;
    }
    format!("{} {}", sig(v, 3), UNITS[u])
}

/// A packet rate to three significant figures ("0.65", "1.8", "12300").
fn pps(x: f64) -> String {
    sig(x, 3)
}

/// A dollar amount: cents below 100 USD ("$0.34", "$12.50"), whole dollars with
/// separators from 100 USD ("$12,346"); a positive amount under a cent is "<$0.01".
fn usd(x: f64) -> String {
    if !x.is_finite() {
        return "–".into();
    }
    let sign = if x < 0.0 { "-" } else { "" };
    let a = x.abs();
    if a == 0.0 {
        return "$0".into();
    }
    if a < 0.005 {
        return format!("{sign}<$0.01");
    }
    if a < 99.995 {
        return format!("{sign}${a:.2}");
    }
    format!("{sign}${}", thousands(a.round() as u64))
}

/// `part` as a percentage of `whole` with one decimal; a tiny non-zero share is "<0.1%",
/// and a share of nothing is "–".
fn share(part: u64, whole: u64) -> String {
    if whole == 0 {
        return "–".into();
    }
    let p = part as f64 * 100.0 / whole as f64;
    if p > 0.0 && p < 0.05 {
        return "<0.1%".into();
    }
    format!("{p:.1}%")
}

/// How far a 95th percentile of `samples` samples over `span_s` seconds of traffic can be
/// trusted, in words (the grades of the HTML report).
fn p95_grade(span_s: f64, samples: u64) -> String {
    const DAY: f64 = 86_400.0;
    let (word, why) = if span_s.is_nan() || span_s < DAY {
        ("indicative", "less than one day of traffic")
    } else if span_s < 7.0 * DAY {
        (
            "moderate",
            "one day or more, less than a week of traffic: the weekly cycle is not covered",
        )
    } else {
        ("robust", "a week or more of traffic")
    };
    let mut s = if samples < 20 {
        format!("indicative: {why}")
    } else {
        format!("{word}: {why}")
    };
    if samples < 20 {
        s.push_str(&format!(
            "; a p95 of {} is {}",
            plural(samples, "sample", "samples"),
            if samples == 1 {
                "that sample"
            } else {
                "the highest of them"
            }
        ));
    }
    s
}

/// A country for display ("??" when unknown).
fn cc(c: Option<Country>) -> String {
    c.map_or_else(|| "??".to_string(), |c| c.to_string())
}

/// Cuts a name to `n` characters for a column.
fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// Sum of byte counts, saturating.
fn sum_bytes(it: impl Iterator<Item = u64>) -> u64 {
    it.fold(0u64, u64::saturating_add)
}

/// Writes the summary: totals, the sources' health, the hairpin verdict and its evidence,
/// the top `top` AS pairs, the country matrix, rates with port sizing, the IXP vantage and
/// a footer naming what only the JSON and HTML views hold.
pub fn write_table(report: &Report, top: usize, mut out: impl Write) -> io::Result<()> {
    let t = &report.totals;
    writeln!(
        out,
        "trombone {} · {} input(s) · {:.1} s of traffic · ASN database: {}{}",
        report.tool.version,
        report.inputs.len(),
        report.time.duration_s,
        report.asn_db.source,
        report
            .asn_db
            .date
            .as_deref()
            .map(|d| format!(" ({d})"))
            .unwrap_or_default()
    )?;
    if let Some(site) = &report.site {
        writeln!(out, "site {site}")?;
    }
    writeln!(
        out,
        "frames {} = IP {} + non-IP {} + malformed {} + unsupported link {} · {} L3 ({} on the wire) · {} flows",
        thousands(t.frames),
        thousands(t.ip_packets),
        thousands(t.non_ip_frames),
        thousands(t.malformed_frames),
        thousands(t.unsupported_frames),
        human_bytes(t.ip_bytes),
        human_bytes(t.wire_bytes),
        thousands(t.flows)
    )?;
    if t.decapsulated_packets > 0 || t.encap_bytes > 0 {
        writeln!(
            out,
            "DECAPSULATED: {} packets arrived inside a tunnel (ERSPAN, GRE, VXLAN…) and were opened; {} of outer headers removed ({} B), not counted in the L3 bytes",
            thousands(t.decapsulated_packets),
            human_bytes(t.encap_bytes),
            thousands(t.encap_bytes)
        )?;
    }
    for i in &report.inputs {
        if let Some(e) = &i.error {
            writeln!(
                out,
                "INCOMPLETE: {e} (counted {} frames before it)",
                thousands(i.frames)
            )?;
        }
    }
    if report.partial {
        writeln!(
            out,
            "PARTIAL RESULT: some input could not be read to its end; figures cover what was read."
        )?;
    }
    for w in &report.warnings {
        writeln!(out, "NOTE: {}", w.message)?;
    }
    if let Some(c) = &report.collector {
        write_collector(c, &mut out)?;
    }
    if let Some(h) = &report.hairpin {
        write_hairpin(report, h, top, &mut out)?;
    }
    if let Some(e) = &report.evidence {
        write_evidence(report, e, top, &mut out)?;
    }
    let name = |asn: u32| clip(report.as_names.get(&asn).map_or("", |s| s.as_str()), 22);
    // shares out of the matrix's own total: with flow export the matrix holds the traffic
    // the records describe, not the export datagrams counted in `totals.ip_bytes`
    let as_total = sum_bytes(report.as_matrix.iter().map(|c| c.bytes));
    writeln!(out)?;
    writeln!(
        out,
        "AS matrix — top {} of {} cells by bytes (SHARE: of the matrix's {})",
        top.min(report.as_matrix.len()),
        report.as_matrix.len(),
        human_bytes(as_total)
    )?;
    writeln!(
        out,
        "{:>10} {:<22} {:<2}   {:>10} {:<22} {:<2} {:>12} {:>10} {:>6} {:>8}",
        "SRC AS", "NAME", "CC", "DST AS", "NAME", "CC", "PACKETS", "BYTES", "SHARE", "FLOWS"
    )?;
    for c in report.as_matrix.iter().take(top) {
        writeln!(
            out,
            "{:>10} {:<22} {:<2} → {:>10} {:<22} {:<2} {:>12} {:>10} {:>6} {:>8}",
            c.src_asn,
            name(c.src_asn),
            cc(c.src_country),
            c.dst_asn,
            name(c.dst_asn),
            cc(c.dst_country),
            thousands(c.packets),
            human_bytes(c.bytes),
            share(c.bytes, as_total),
            thousands(c.flows)
        )?;
    }
    if let Some(tt) = &report.top_talkers {
        writeln!(out)?;
        writeln!(
            out,
            "Top talkers ({}; {})",
            tt.basis,
            if tt.anonymized {
                "addresses anonymised with Crypto-PAn"
            } else {
                "RAW ADDRESSES"
            }
        )?;
        for r in &tt.rows {
            writeln!(
                out,
                "{:>40} AS{:<10} {:<2} {:>10} {:>12} pkts {:>8} flows",
                r.address,
                r.asn,
                cc(r.country),
                human_bytes(r.bytes),
                thousands(r.packets),
                thousands(r.flows)
            )?;
        }
    }
    let country_total = sum_bytes(report.country_matrix.iter().map(|c| c.bytes));
    writeln!(out)?;
    writeln!(
        out,
        "Country matrix — {} cells by bytes",
        report.country_matrix.len()
    )?;
    writeln!(
        out,
        "{:<3}   {:<3} {:>12} {:>10} {:>6} {:>8}",
        "SRC", "DST", "PACKETS", "BYTES", "SHARE", "FLOWS"
    )?;
    for c in report.country_matrix.iter().take(top) {
        writeln!(
            out,
            "{:<3} → {:<3} {:>12} {:>10} {:>6} {:>8}",
            cc(c.src_country),
            cc(c.dst_country),
            thousands(c.packets),
            human_bytes(c.bytes),
            share(c.bytes, country_total),
            thousands(c.flows)
        )?;
    }
    if let Some(sz) = &report.sizing {
        write_sizing(report, sz, top, &mut out)?;
    }
    if let Some(x) = &report.ixp {
        write_ixp(report, x, top, &mut out)?;
    }
    if let Some(h) = &report.capture {
        write_health(h, &mut out)?;
    }
    writeln!(out)?;
    let mut json_views = vec![
        "every pair's and link's rates",
        "per-sample series",
        "packet sizes",
    ];
    if report.hairpin.is_some() {
        json_views.extend(["hairpin histograms", "via links"]);
    }
    if report.evidence.is_some() {
        json_views.extend(["every pair's and country pair's RTTs and TI", "BGP paths"]);
    }
    if report.collector.is_some() {
        json_views.push("interface counter rates");
    }
    if report.ixp.is_some() {
        json_views.push("the member × member matrix");
    }
    writeln!(
        out,
        "More in --format json ({}) and in `trombone report` (HTML: heatmap, rate charts, detours, port plans, evidence and method, provenance); --format csv writes each table for spreadsheets.",
        json_views.join(", ")
    )?;
    Ok(())
}

/// The flow-export section: what the datagrams contributed and how healthy their stream was.
fn write_collector(c: &CollectorReport, out: &mut impl Write) -> io::Result<()> {
    let join = |m: &BTreeMap<String, u64>| {
        m.iter()
            .map(|(k, v)| format!("{k} {}", thousands(*v)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    writeln!(out)?;
    writeln!(
        out,
        "FLOW EXPORT ({}{}): {} datagrams ({}) · {} flow records ({} packets, {}) · {} packet samples ({} packets, {}) · sampling 1 in N: {}",
        c.mode,
        if c.listeners.is_empty() {
            String::new()
        } else {
            format!(" on {}", c.listeners.join(", "))
        },
        thousands(c.datagrams),
        if c.by_protocol.is_empty() {
            "none".to_string()
        } else {
            join(&c.by_protocol)
        },
        thousands(c.flow_records),
        thousands(c.record_packets),
        human_bytes(c.record_bytes),
        thousands(c.packet_samples),
        thousands(c.sampled_packets),
        human_bytes(c.sampled_bytes),
        if c.sampling.is_empty() {
            "-".to_string()
        } else {
            c.sampling
                .iter()
                .map(|(k, v)| format!("N={k}: {}", thousands(*v)))
                .collect::<Vec<_>>()
                .join(", ")
        }
    )?;
    writeln!(
        out,
        "  health: {} datagrams with decode errors{} · lost by sequence gaps: {} datagrams, {} records ({} sequence resets) · {} data sets without a template · socket drops: {}",
        thousands(c.bad_datagrams),
        if c.errors.is_empty() {
            String::new()
        } else {
            format!(" ({})", join(&c.errors))
        },
        thousands(c.lost_datagrams),
        thousands(c.lost_records),
        thousands(c.sequence_resets),
        thousands(c.sets_dropped_no_template),
        match c.socket_drops {
            Some(d) => thousands(d),
            None if c.mode == "file" => "n/a (read from files)".to_string(),
            None => "unknown".to_string(),
        }
    )?;
    if !c.not_available.is_empty() {
        writeln!(
            out,
            "  not available from flow export: {}",
            c.not_available.join("; ")
        )?;
    }
    Ok(())
}

/// The evidence section: the latency headline and, per hairpinned pair, its handshake RTT
/// against the locally exchanged baseline, Tromboning Index, BGP verdict and common IXPs.
fn write_evidence(
    report: &Report,
    e: &Evidence,
    top: usize,
    out: &mut impl Write,
) -> io::Result<()> {
    let h = &e.headline;
    writeln!(out)?;
    writeln!(
        out,
        "EVIDENCE — TCP handshake RTT (SYN → SYN/ACK) at the vantage, {} pairs; Karn's rule: {} left out",
        e.rtt_scope,
        plural(h.retransmitted, "handshake with a retransmitted SYN or SYN/ACK", "handshakes with a retransmitted SYN or SYN/ACK")
    )?;
    if let Some(na) = &e.not_available {
        writeln!(out, "  {na}")?;
    }
    let median = |m: Option<f64>, n: u64, what: &str| match m {
        Some(m) => format!(
            "{what}: median handshake {} ({})",
            ms(m),
            plural(n, "handshake", "handshakes")
        ),
        None => format!("{what}: no handshake timed"),
    };
    writeln!(
        out,
        "  {}; {}{}",
        median(
            h.hairpinned_median_ms,
            h.hairpinned_handshakes,
            "hairpinned local traffic"
        ),
        median(h.direct_median_ms, h.direct_handshakes, "locally exchanged"),
        match h.saving_ms {
            Some(s) => format!("; local exchange would save {} per handshake", ms(s)),
            None => String::new(),
        }
    )?;
    if let Some(b) = &e.bgp_source {
        writeln!(out, "  BGP paths from {b}")?;
    }
    if let Some(x) = &e.ixp_source {
        writeln!(out, "  IXP membership from {x}")?;
    }
    let hairpinned: Vec<&PairEvidence> = e
        .pairs
        .iter()
        .filter(|p| {
            (p.hairpinned_bytes > 0 || p.hairpinned.is_some())
                && (p.hairpinned.is_some() || p.bgp.is_some() || p.common_ixps.is_some())
        })
        .collect();
    if hairpinned.is_empty() {
        writeln!(
            out,
            "  no hairpinned pair has a timed handshake, a BGP path or IXP membership to show"
        )?;
        return Ok(());
    }
    writeln!(
        out,
        "{} {:>15} {:>17} {:>9} {:>7}  {:<30} COMMON IXPs",
        pair_header(12),
        "HAIRPIN P50 (N)",
        "BASELINE",
        "SAVING",
        "TI",
        "BGP"
    )?;
    for p in hairpinned.iter().take(top) {
        let hp = p.hairpinned.as_ref().map_or("-".to_string(), |r| {
            format!("{} ({})", ms(r.p50), thousands(r.samples))
        });
        let base = match (p.baseline_ms, p.baseline_basis.as_deref()) {
            (Some(b), basis) => format!(
                "{} {}",
                ms(b),
                match basis {
                    Some("this pair's direct handshakes") => "pair",
                    Some("direct handshakes of the same country pair") => "ctry",
                    Some("direct handshakes of the zone") => "zone",
                    _ => "",
                }
            ),
            (None, _) => "-".to_string(),
        };
        let ti = p.ti.as_ref().map_or("-".to_string(), |t| {
            format!(
                "{}{}{}",
                if t.floored { "≥" } else { "" },
                sig(t.value, 3),
                if t.above_acceptable { "!" } else { "" }
            )
        });
        let bgp = p.bgp.as_ref().map_or("-".to_string(), |b| {
            let verdict = match b.leaves_zone {
                Some(true) if b.transit.is_empty() => "leaves the zone".to_string(),
                Some(true) => format!(
                    "leaves via {}",
                    b.transit
                        .iter()
                        .map(|a| format!("AS{a}"))
                        .collect::<Vec<_>>()
                        .join(",")
                ),
                Some(false) => "stays in zone".to_string(),
                None => "no route".to_string(),
            };
            if b.basis == "collector_view" {
                format!("{verdict} (collectors)")
            } else {
                verdict
            }
        });
        let ixps = match &p.common_ixps {
            None => "-".to_string(),
            Some(v) if v.is_empty() => "none".to_string(),
            Some(v) => v
                .iter()
                .map(|i| i.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        };
        writeln!(
            out,
            "{} {:>15} {:>17} {:>9} {:>7}  {:<30} {}",
            pair_cells(
                report,
                12,
                p.src_asn,
                p.src_country,
                p.dst_asn,
                p.dst_country
            ),
            hp,
            base,
            p.saving_ms.map_or("-".to_string(), ms),
            ti,
            bgp,
            ixps
        )?;
    }
    let m = &e.ti_method;
    writeln!(
        out,
        "  BASELINE: median of locally exchanged handshakes of the pair, else its country pair (ctry), else the zone; SAVING: hairpinned median − baseline"
    )?;
    writeln!(
        out,
        "  TI (ESCAP Tromboning Index): path length from the fastest hairpinned handshake (RTT/2 × {} km/ms ÷ stretch {}) ÷ great-circle distance; 1 is ideal, {} acceptable, ! above it; ≥: ends under {} km apart, distance taken as {} km",
        plain(m.fibre_km_per_ms),
        plain(m.fibre_stretch),
        plain(m.acceptable),
        plain(m.floor_km),
        plain(m.floor_km)
    )?;
    if hairpinned.iter().any(|p| p.common_ixps.is_some()) {
        writeln!(
            out,
            "  COMMON IXPs: IXPs in the zone where both networks are present, yet this traffic left the zone"
        )?;
    }
    let more = hairpinned.len().saturating_sub(top);
    writeln!(
        out,
        "  {}every pair's p90, TI of the direct path and BGP paths, and {}: --format json (evidence) and the HTML report",
        if more > 0 {
            format!("{} more hairpinned pairs, ", thousands(more as u64))
        } else {
            String::new()
        },
        plural(e.country_pairs.len() as u64, "country pair", "country pairs")
    )?;
    Ok(())
}

/// The IXP port recommended for each known network's hairpinned traffic, and the traffic
/// of unknown networks (ASN 0), which no port is recommended for.
fn split_ports(sz: &SizingReport) -> (Vec<&PortPlan>, Vec<UnknownNetwork>) {
    let Some(w) = &sz.what_if else {
        return (Vec::new(), Vec::new());
    };
    let known = w.ports.iter().filter(|p| p.asn != 0).collect();
    let mut unknown = w.unknown_networks.clone();
    // older results planned ports for ASN 0 too: list those as unknown instead
    for p in w.ports.iter().filter(|p| p.asn == 0) {
        unknown.push(UnknownNetwork {
            country: p.country,
            p95_mbps: p.p95_mbps,
            bytes: p.hairpin_in.bytes.saturating_add(p.hairpin_out.bytes),
        });
    }
    (known, unknown)
}

/// Rates and port sizing per network: what an IXP engineer sizes ports from.
fn write_sizing(
    report: &Report,
    sz: &SizingReport,
    top: usize,
    out: &mut impl Write,
) -> io::Result<()> {
    writeln!(out)?;
    let basis = if sz.samples == 0 {
        "no timed packets: no rates".to_string()
    } else {
        format!(
            "p95 of {} of {} s, nearest rank; peak: busiest {} s bin{}",
            plural(sz.samples, "sample", "samples"),
            plain(sz.sample_s),
            plain(sz.bin_s),
            if report.time.duration_s < sz.sample_s {
                " — INDICATIVE ONLY: shorter than one sample"
            } else {
                ""
            }
        )
    };
    writeln!(out, "RATES per network ({basis})")?;
    if let Some(t) = &sz.total {
        writeln!(
            out,
            "  all traffic: avg {}, p95 {}, busiest bin {}, p95 {} pps",
            rate(t.avg_mbps),
            rate(t.p95_mbps),
            rate(t.peak_bin_mbps),
            pps(t.p95_pps)
        )?;
    }
    let (known, unknown) = split_ports(sz);
    let port_of = |asn: u32| {
        known
            .iter()
            .find(|p| p.asn == asn)
            .map(|p| p.port.clone().unwrap_or_else(|| "> largest".into()))
    };
    let name = |asn: u32| clip(report.as_names.get(&asn).map_or("", |s| s.as_str()), 20);
    writeln!(
        out,
        "{:>10} {:<20} {:<2} {:>12} {:>12} {:>12} {:>12} {:>8} {:>6} {:>9}",
        "AS",
        "NAME",
        "CC",
        "P95 IN",
        "P95 OUT",
        "PEAK IN",
        "PEAK OUT",
        "P95 PPS",
        "MEAN B",
        "IXP PORT"
    )?;
    for n in sz.networks.iter().take(top) {
        writeln!(
            out,
            "{:>10} {:<20} {:<2} {:>12} {:>12} {:>12} {:>12} {:>8} {:>6} {:>9}",
            n.asn,
            name(n.asn),
            cc(n.country),
            rate(n.inbound.p95_mbps),
            rate(n.outbound.p95_mbps),
            rate(n.inbound.peak_bin_mbps),
            rate(n.outbound.peak_bin_mbps),
            pps(n.inbound.p95_pps.max(n.outbound.p95_pps)),
            if n.packet_sizes.packets == 0 {
                "-".to_string()
            } else {
                format!("{:.0}", n.packet_sizes.mean)
            },
            if n.asn == 0 {
                "unknown".to_string()
            } else {
                port_of(n.asn).unwrap_or_else(|| "-".into())
            }
        )?;
    }
    if sz.networks.len() > top {
        writeln!(
            out,
            "  {} more networks in --format json (sizing.networks) and --format csv --table rates",
            sz.networks.len() - top
        )?;
    }
    if sz.what_if.is_some() {
        writeln!(
            out,
            "  IXP PORT: the port recommended for the network's hairpinned traffic (IXP PORTS below); -: no hairpinned traffic to move; unknown: an address range of no known network (AS0), never sized"
        )?;
    } else {
        writeln!(
            out,
            "  IXP PORT: recommended for hairpinned traffic only, so only with hairpin analysis (--home)"
        )?;
    }
    let Some(w) = &sz.what_if else {
        return Ok(());
    };
    writeln!(out)?;
    writeln!(
        out,
        "IXP PORTS for the hairpinned traffic ({}; smallest port keeping p95 × growth {} at or under {}% of it; transit at {} per Mbit/s per month)",
        if w.asns_given {
            "networks given with --what-if-asns"
        } else {
            "every zone network with hairpinned traffic"
        },
        plain(sz.growth),
        plain(sz.port_target * 100.0),
        usd(sz.transit_price_usd_per_mbps_month)
    )?;
    if known.is_empty() {
        writeln!(out, "  no known network qualified")?;
    } else {
        writeln!(
            out,
            "{:>10} {:<20} {:<2} {:>12} {:>12} {:>12} {:>12} {:>10} {:>7} {:>12}",
            "AS",
            "NAME",
            "CC",
            "HP P95 IN",
            "HP P95 OUT",
            "P95",
            "NEEDED",
            "PORT",
            "USE",
            "SAVED/MONTH"
        )?;
        for p in &known {
            writeln!(
                out,
                "{:>10} {:<20} {:<2} {:>12} {:>12} {:>12} {:>12} {:>10} {:>7} {:>12}",
                p.asn,
                name(p.asn),
                cc(p.country),
                rate(p.hairpin_in.p95_mbps),
                rate(p.hairpin_out.p95_mbps),
                rate(p.p95_mbps),
                rate(p.needed_mbps),
                p.port.as_deref().unwrap_or("> largest"),
                p.utilisation_at_p95
                    .map_or("-".to_string(), |u| format!("{}%", sig(u * 100.0, 3))),
                usd(p.transit_saved_usd_per_month)
            )?;
        }
    }
    for u in &unknown {
        writeln!(
            out,
            "  not sized: addresses of no known network ({}) with {} hairpinned, {} p95",
            cc(u.country),
            human_bytes(u.bytes),
            rate(u.p95_mbps)
        )?;
    }
    let total = if w.ports.iter().any(|p| p.asn == 0) {
        known.iter().map(|p| p.transit_saved_usd_per_month).sum()
    } else {
        w.total_transit_saved_usd_per_month
    };
    let samples = known
        .iter()
        .map(|p| p.hairpin_in.samples.max(p.hairpin_out.samples))
        .max()
        .unwrap_or(sz.samples);
    writeln!(
        out,
        "  transit that local peering would save: {} per month (hairpin p95 × transit price; {})",
        usd(total),
        p95_grade(report.time.duration_s, samples)
    )?;
    Ok(())
}

/// The IXP peering-LAN section: members seen, their ports, and traffic of no member.
fn write_ixp(report: &Report, x: &IxpReport, top: usize, out: &mut impl Write) -> io::Result<()> {
    let total = sum_bytes(x.matrix.iter().map(|c| c.bytes));
    writeln!(out)?;
    writeln!(
        out,
        "IXP PEERING LAN ({}): {} members with traffic, of {} listed · member MACs: {} listed, {} learned from ARP/ND · no member's MAC: {} ({} of the member matrix's {}), {} MACs",
        if x.member_lists.is_empty() {
            "no member list".to_string()
        } else {
            x.member_lists.join(", ")
        },
        thousands(x.members.len() as u64),
        thousands(x.members_listed),
        thousands(x.macs_listed),
        thousands(x.macs_learned),
        human_bytes(x.unattributed.bytes),
        share(x.unattributed.bytes, total),
        human_bytes(total),
        thousands(x.unattributed.macs)
    )?;
    if x.members.is_empty() {
        return Ok(());
    }
    let name = |m: &trombone_schema::MemberPort| {
        clip(
            m.name
                .as_deref()
                .or_else(|| report.as_names.get(&m.asn).map(|s| s.as_str()))
                .unwrap_or(""),
            20,
        )
    };
    writeln!(
        out,
        "{:>10} {:<20} {:>12} {:>12} {:>12} {:>10} {:>7}  BASIS",
        "MEMBER AS", "NAME", "P95 IN", "P95 OUT", "NEEDED", "PORT", "USE"
    )?;
    for m in x.members.iter().take(top) {
        writeln!(
            out,
            "{:>10} {:<20} {:>12} {:>12} {:>12} {:>10} {:>7}  {}",
            m.asn,
            name(m),
            rate(m.inbound.p95_mbps),
            rate(m.outbound.p95_mbps),
            rate(m.needed_mbps),
            m.port.as_deref().unwrap_or("> largest"),
            m.utilisation_p95
                .map_or("-".to_string(), |u| format!("{}%", sig(u * 100.0, 3))),
            m.basis
        )?;
    }
    if x.members.len() > top {
        writeln!(
            out,
            "  {} more members in --format json (ixp.members)",
            x.members.len() - top
        )?;
    }
    writeln!(
        out,
        "  USE: p95 over the port speed the member list gives (-: not listed); NEEDED: p95 × growth ÷ port target"
    )?;
    Ok(())
}

/// The capture health section.
fn write_health(h: &trombone_schema::CaptureHealth, out: &mut impl Write) -> io::Result<()> {
    writeln!(out)?;
    writeln!(
        out,
        "Capture health ({}): {} on {} ({}{}), {:.1} s",
        if h.is_final { "final" } else { "snapshot" },
        h.engine,
        h.interface,
        h.mode,
        h.fanout
            .as_ref()
            .map_or(String::new(), |f| format!(", fanout {f}")),
        h.elapsed_s
    )?;
    if let Some(f) = &h.filter {
        writeln!(out, "  filter: {f}")?;
    }
    if !h.clock.is_empty() {
        writeln!(out, "  timestamps: {}", h.clock)?;
    }
    if h.batch_stamped > 0 {
        writeln!(
            out,
            "  {} frames had no timestamp of their own: stamped when their batch was read",
            h.batch_stamped
        )?;
    }
    writeln!(
        out,
        "  {:>5} {:>4} {:>14} {:>16} {:>12} {:>10}",
        "queue", "cpu", "packets", "bytes", "kernel_drop", "xdp_drop"
    )?;
    for q in &h.queues {
        writeln!(
            out,
            "  {:>5} {:>4} {:>14} {:>16} {:>12} {:>10}{}",
            q.queue,
            q.cpu.map_or("-".into(), |c| c.to_string()),
            q.packets,
            q.bytes,
            q.kernel_drops,
            q.xdp_drops,
            q.error
                .as_ref()
                .map_or(String::new(), |e| format!("  stopped: {e}"))
        )?;
    }
    let or_unknown = |v: Option<u64>| v.map_or("unknown".into(), |d| d.to_string());
    writeln!(
        out,
        "  lost by the NIC: {}; discarded by the host stack after capture (not a loss): {}",
        or_unknown(h.interface_drops),
        or_unknown(h.host_discards)
    )?;
    if h.drain_cut_short {
        writeln!(
            out,
            "  the drain was cut short by a second stop signal: frames still in the rings were not read"
        )?;
    }
    writeln!(
        out,
        "  {}",
        if h.dropped_any {
            "FRAMES WERE LOST: the matrices cover only what was captured"
        } else {
            "nothing dropped"
        }
    )
}

/// The hairpin verdict: the answer first, then the pairs behind it. When the traffic came
/// from flow export only, the result's "not available" text replaces the zeros.
fn write_hairpin(
    report: &Report,
    h: &HairpinReport,
    top: usize,
    out: &mut impl Write,
) -> io::Result<()> {
    let zone: Vec<String> = h.zone.iter().map(|c| c.to_string()).collect();
    let t = &h.totals;
    writeln!(out)?;
    match &h.not_available {
        Some(na) if t.local_packets == 0 && t.observations == 0 => {
            writeln!(
                out,
                "HAIRPIN — home {}, zone {}: {na}",
                h.home,
                zone.join(",")
            )?;
            return Ok(());
        }
        _ => {}
    }
    writeln!(
        out,
        "HAIRPIN — home {}, zone {}: {:.1}% of local traffic left the zone and came back",
        h.home,
        zone.join(","),
        t.share_of_local_bytes * 100.0
    )?;
    writeln!(
        out,
        "  {} of {} local L3 bytes · {} unique packets ({} sightings, {} seen both leaving and returning)",
        human_bytes(t.bytes),
        human_bytes(t.local_bytes),
        thousands(t.packets),
        thousands(t.observations),
        thousands(t.reobserved_packets)
    )?;
    if let Some(na) = &h.not_available {
        writeln!(out, "  {na}")?;
    }
    if h.links.is_empty() {
        writeln!(out, "  no links file: every link is taken to lead abroad (a mirror of the international gateway)")?;
    }
    if h.pairs.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "{} {:>10} {:>8} {:>9} {:>5} {:>9}  VIA",
        pair_header(18),
        "BYTES",
        "PACKETS",
        "DETOUR50",
        "HOPS",
        "RTT MIN"
    )?;
    for p in h.pairs.iter().take(top) {
        let via: Vec<String> = p
            .via
            .iter()
            .take(3)
            .map(|v| match &v.link {
                Some(l) => format!("{l} (AS{})", v.asn),
                None => "unidentified link".to_string(),
            })
            .collect();
        writeln!(
            out,
            "{} {:>10} {:>8} {:>9} {:>5} {:>9}  {}",
            pair_cells(
                report,
                18,
                p.src_asn,
                p.src_country,
                p.dst_asn,
                p.dst_country
            ),
            human_bytes(p.bytes),
            thousands(p.packets),
            p.detour_ms.as_ref().map_or("-".into(), |q| ms(q.p50)),
            p.hops_abroad
                .as_ref()
                .map_or("-".into(), |x| x.p50.to_string()),
            p.handshake_rtt_ms.as_ref().map_or("-".into(), |x| format!(
                "{}{}",
                ms(x.min),
                if x.exceeds_domestic_floor { "*" } else { "" }
            )),
            via.join(", ")
        )?;
    }
    if h.pairs.len() > top {
        writeln!(
            out,
            "  {} more hairpinned pairs in --format json (hairpin.pairs) and --format csv --table hairpin-pairs",
            h.pairs.len() - top
        )?;
    }
    writeln!(
        out,
        "  * fastest handshake slower than the {} an in-zone path of {:.0} km needs (evidence the path leaves)",
        ms(h.domestic_floor_ms),
        h.max_zone_km
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};
    use trombone_schema::{CollectorReport, IxpReport, Unattributed};

    /// A result with nothing in it but `extra`'s fields (merged over the top level).
    fn report(extra: Value) -> Report {
        let mut v = json!({
            "schema_version": 2,
            "tool": {"name": "trombone", "version": "0.0.0"},
            "asn_db": {"source": "test"},
            "partial": false,
            "inputs": [],
            "time": {"duration_s": 3600.0},
            "totals": {
                "frames": 0, "ip_packets": 0, "ip_bytes": 0, "wire_bytes": 0,
                "non_ip_frames": 0, "malformed_frames": 0, "unsupported_frames": 0, "flows": 0
            },
            "as_matrix": [],
            "country_matrix": []
        });
        for (k, x) in extra.as_object().unwrap() {
            v[k] = x.clone();
        }
        serde_json::from_value(v).expect("a valid result")
    }

    fn table(r: &Report, top: usize) -> String {
        let mut out = Vec::new();
        write_table(r, top, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// A rate object with this p95 (and peak), Mbit/s.
    fn rate_json(p95: f64, peak: f64) -> Value {
        json!({
            "bytes": 1000, "packets": 10, "avg_mbps": p95 / 2.0, "max_mbps": p95,
            "p90_mbps": p95, "p95_mbps": p95, "peak_bin_mbps": peak,
            "p95_pps": 1.8, "samples": 21
        })
    }

    fn network(asn: u32, cc: Option<&str>, p95_in: f64, p95_out: f64) -> Value {
        json!({
            "asn": asn, "country": cc, "name": null,
            "in": rate_json(p95_in, 0.987264), "out": rate_json(p95_out, 0.0479),
            "packet_sizes": {"packets": 10, "mean": 906.7, "buckets": []}
        })
    }

    fn port(asn: u32, p95: f64, port: &str, saved: f64) -> Value {
        json!({
            "asn": asn, "country": "KH", "name": null,
            "hairpin_in": rate_json(p95, p95), "hairpin_out": rate_json(p95 / 2.0, p95),
            "p95_mbps": p95, "needed_mbps": p95 * 2.0e6, "port_gbps": 25.0, "port": port,
            "utilisation_at_p95": 0.275, "transit_saved_usd_per_month": saved
        })
    }

    fn sizing(networks: Vec<Value>, ports: Vec<Value>, total_saved: f64) -> Value {
        json!({
            "bin_s": 1.0, "sample_s": 60.0, "port_target": 0.5, "growth": 1.0,
            "transit_price_usd_per_mbps_month": 100.0, "port_speeds_gbps": [1.0, 10.0, 25.0],
            "first_bin_ns": 0, "bins": 3600, "samples": 60, "unbinned_packets": 0,
            "packet_size": null, "networks": networks, "pairs": [], "links": [],
            "total": rate_json(0.0167, 0.988),
            "what_if": {
                "asns": [], "ports": ports, "total_transit_saved_usd_per_month": total_saved,
                "unknown_networks": [{"country": "KH", "p95_mbps": 0.0012, "bytes": 5000}]
            }
        })
    }

    #[test]
    fn number_formats() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(human_bytes(999), "999 B");
        assert_eq!(human_bytes(1500), "1.5 kB");
        assert_eq!(human_bytes(2_500_000_000), "2.5 GB");
        assert_eq!(clip("abcdef", 4), "abc…");
        assert_eq!(sig(0.012345, 3), "0.0123");
        assert_eq!(sig(9.996, 3), "10.0");
        assert_eq!(plain(60.0), "60");
        assert_eq!(plain(1.5), "1.5");
        assert_eq!(share(1, 3), "33.3%");
        assert_eq!(share(1, 10_000), "<0.1%");
        assert_eq!(share(0, 0), "–");
        assert_eq!(plural(1, "sample", "samples"), "1 sample");
        assert_eq!(plural(21, "sample", "samples"), "21 samples");
    }

    #[test]
    fn money_keeps_cents_below_100_usd() {
        assert_eq!(usd(0.3421), "$0.34");
        assert_eq!(usd(0.9542), "$0.95");
        assert_eq!(usd(12.5), "$12.50");
        assert_eq!(usd(99.994), "$99.99");
        // rounds to 100.00: whole dollars from there
        assert_eq!(usd(99.996), "$100");
        assert_eq!(usd(12_345.6), "$12,346");
        assert_eq!(usd(0.001), "<$0.01");
        assert_eq!(usd(0.0), "$0");
        assert_eq!(usd(-2.5), "-$2.50");
        assert_eq!(usd(f64::NAN), "–");
        // the headline saving of a small capture: cents, not "$0"
        let r = report(
            json!({"sizing": sizing(vec![], vec![port(38901, 0.0034, "25GE", 0.34)], 0.34)}),
        );
        let t = table(&r, 20);
        assert!(t.contains("would save: $0.34 per month"), "{t}");
        assert!(!t.contains("$0 per month") && !t.contains("0 USD"), "{t}");
    }

    #[test]
    fn rates_keep_three_significant_figures() {
        assert_eq!(rate(0.0137), "13.7 kbit/s");
        assert_eq!(rate(0.987264), "987 kbit/s");
        assert_eq!(rate(0.99996), "1.00 Mbit/s");
        assert_eq!(rate(12.345), "12.3 Mbit/s");
        assert_eq!(rate(1234.0), "1.23 Gbit/s");
        assert_eq!(rate(0.00000036), "0.360 bit/s");
        assert_eq!(rate(0.000847), "847 bit/s");
        assert_eq!(rate(0.0), "0");
        assert_eq!(pps(0.0714285), "0.0714");
        let r = report(json!({"sizing": sizing(
            vec![network(38623, Some("KH"), 0.0028284, 0.005403)], vec![], 0.0)}));
        let t = table(&r, 20);
        let row = t
            .lines()
            .find(|l| l.trim_start().starts_with("38623"))
            .expect("row");
        assert!(
            row.contains("2.83 kbit/s") && row.contains("5.40 kbit/s"),
            "{row}"
        );
        assert!(
            row.contains("987 kbit/s") && row.contains("47.9 kbit/s"),
            "{row}"
        );
        assert!(!row.contains("0.00 "), "{row}");
    }

    #[test]
    fn shares_come_from_the_matrix_total() {
        // flow export: the datagrams' own bytes (ip_bytes) are a fraction of the traffic
        // their records describe; shares must be out of the matrix's 4,000 bytes
        let cell = |s: u32, d: u32, b: u64| {
            json!({"src_asn": s, "dst_asn": d, "src_country": "KH", "dst_country": "LA",
                   "packets": 1, "bytes": b, "flows": 1})
        };
        let r = report(json!({
            "totals": {"frames": 2, "ip_packets": 2, "ip_bytes": 1000, "wire_bytes": 1100,
                       "non_ip_frames": 0, "malformed_frames": 0, "unsupported_frames": 0, "flows": 2},
            "as_matrix": [cell(1, 2, 3000), cell(3, 4, 1000)],
            "country_matrix": [
                {"src_country": "KH", "dst_country": "LA", "packets": 1, "bytes": 3000, "flows": 1},
                {"src_country": "LA", "dst_country": "KH", "packets": 1, "bytes": 1000, "flows": 1}
            ]
        }));
        let t = table(&r, 20);
        let rows: Vec<&str> = t.lines().filter(|l| l.contains('→')).collect();
        assert_eq!(rows.len(), 4, "{t}");
        assert!(
            rows[0].contains(" 75.0% ") && rows[1].contains(" 25.0% "),
            "{t}"
        );
        assert!(
            rows[2].contains(" 75.0% ") && rows[3].contains(" 25.0% "),
            "{t}"
        );
        assert!(!t.contains("300.0%"), "{t}");
    }

    fn hairpin(not_available: Option<&str>, local_packets: u64) -> Value {
        json!({
            "home": "KH", "zone": ["KH"], "window_ms": 250.0, "domestic_floor_ms": 9.75,
            "max_zone_km": 650.0, "links": [],
            "totals": {"packets": local_packets / 2, "bytes": local_packets * 50,
                       "observations": local_packets / 2, "reobserved_packets": 0,
                       "local_packets": local_packets, "local_bytes": local_packets * 100,
                       "share_of_local_bytes": if local_packets > 0 { 0.5 } else { 0.0 }},
            "matcher": {"slot_overflows": 0, "dropped_fresh": 0, "unidentified_link": 0},
            "pairs": [],
            "not_available": not_available
        })
    }

    fn evidence(pairs: Vec<Value>, not_available: Option<&str>) -> Value {
        json!({
            "rtt_scope": "local", "handshake_lifetime_s": 10.0, "domestic_floor_ms": 9.75,
            "headline": {"hairpinned_handshakes": 23, "hairpinned_median_ms": 47.78,
                         "direct_handshakes": 9, "direct_median_ms": 4.585, "saving_ms": 43.195,
                         "retransmitted": 2, "handshakes_dropped": 0},
            "ti_method": {"definition": "", "fibre_km_per_ms": 200.0, "fibre_stretch": 1.5,
                          "floor_km": 100.0, "locations": "", "acceptable": 5.0},
            "pairs": pairs, "country_pairs": [],
            "not_available": not_available
        })
    }

    const NA: &str =
        "not available from NetFlow/sFlow: 1201 packets of the matrices came from flow export";

    #[test]
    fn flow_export_prints_not_available_instead_of_zeros() {
        let r = report(
            json!({"hairpin": hairpin(Some(NA), 0), "evidence": evidence(vec![], Some(NA))}),
        );
        let t = table(&r, 20);
        assert!(
            t.contains(&format!("HAIRPIN — home KH, zone KH: {NA}")),
            "{t}"
        );
        assert!(!t.contains("% of local traffic left the zone"), "{t}");
        assert!(!t.contains("0 B of 0 B"), "{t}");
        let ev = t.find("EVIDENCE").expect("evidence section");
        assert!(t[ev..].contains(NA), "{t}");
        // captured packets beside the flow export: the share of those, and what it leaves out
        let r = report(json!({"hairpin": hairpin(Some(NA), 10)}));
        let t = table(&r, 20);
        assert!(
            t.contains("zone KH: 50.0% of local traffic left the zone"),
            "{t}"
        );
        assert!(t.contains(&format!("  {NA}")), "{t}");
        // packets only: no such text
        let r = report(json!({"hairpin": hairpin(None, 10)}));
        assert!(!table(&r, 20).contains("not available"));
    }

    #[test]
    fn port_column_and_unknown_networks() {
        // a result written before unknown networks were left out: a port planned for AS0
        let r = report(json!({"sizing": sizing(
            vec![
                network(38901, Some("KH"), 0.0137, 0.0119),
                network(15169, Some("US"), 0.00036, 0.0004),
                network(0, Some("KH"), 0.001, 0.001),
            ],
            vec![port(38901, 0.006875, "25GE", 0.6875), port(0, 0.002, "1GE", 0.2)],
            0.8875,
        )}));
        let t = table(&r, 20);
        let last = |asn: &str| {
            let l = t
                .lines()
                .find(|l| l.trim_start().starts_with(asn) && l.contains("kbit/s"))
                .unwrap_or_else(|| panic!("row {asn} in\n{t}"));
            l.split_whitespace().last().unwrap().to_string()
        };
        assert_eq!(last("38901 "), "25GE");
        assert_eq!(last("15169 "), "-");
        assert_eq!(last("0 "), "unknown");
        let ports = &t[t.find("IXP PORTS").expect("ports section")..];
        let rows: Vec<&str> = ports.lines().filter(|l| l.contains("GE ")).collect();
        assert_eq!(rows.len(), 1, "AS0 gets no port:\n{ports}");
        assert!(
            rows[0].contains("$0.69") && rows[0].contains("27.5%"),
            "{}",
            rows[0]
        );
        assert_eq!(
            ports
                .matches("not sized: addresses of no known network (KH)")
                .count(),
            2,
            "{ports}"
        );
        // the saving is the known networks' only (0.6875), not the stored 0.8875
        assert!(ports.contains("would save: $0.69 per month"), "{ports}");
        assert!(
            ports.contains("indicative: less than one day of traffic"),
            "{ports}"
        );
    }

    fn pair_evidence(src: u32, dst: u32) -> Value {
        json!({
            "src_asn": src, "dst_asn": dst, "src_country": "KH", "dst_country": "KH",
            "local": true, "hairpinned_bytes": 78731,
            "hairpinned": {"samples": 1, "min": 55.2, "p50": 55.2, "p90": 55.2},
            "direct": null, "retransmitted": 0, "exceeds_domestic_floor": true,
            "baseline_ms": 4.585, "baseline_basis": "direct handshakes of the same country pair",
            "saving_ms": 50.615,
            "ti": {"value": 36.83, "path_km": 3683.0, "geo_km": 0.0, "floored": true,
                   "above_acceptable": true},
            "ti_direct": null,
            "bgp": {"basis": "collector_view", "paths": [{"path": [src, 4760, dst], "weight": 3}],
                    "leaves_zone": true, "transit": [4760]},
            "common_ixps": [{"name": "CNX", "country": "KH"}, {"name": "Mekong-IX", "country": "KH"}]
        })
    }

    #[test]
    fn evidence_lines_say_each_figure() {
        let mut quiet = pair_evidence(17976, 38623);
        quiet["bgp"] =
            json!({"basis": "source_view", "paths": [], "leaves_zone": false, "transit": []});
        quiet["common_ixps"] = json!([]);
        quiet["ti"]["floored"] = json!(false);
        quiet["ti"]["above_acceptable"] = json!(false);
        quiet["ti"]["value"] = json!(3.56);
        let r =
            report(json!({"evidence": evidence(vec![pair_evidence(38901, 38623), quiet], None)}));
        let t = table(&r, 20);
        assert!(
            t.contains("hairpinned local traffic: median handshake 47.8 ms (23 handshakes); locally exchanged: median handshake 4.59 ms (9 handshakes); local exchange would save 43.2 ms per handshake"),
            "{t}"
        );
        assert!(
            t.contains("Karn's rule: 2 handshakes with a retransmitted SYN or SYN/ACK left out"),
            "{t}"
        );
        let row = t
            .lines()
            .find(|l| l.trim_start().starts_with("38901"))
            .expect("row");
        for want in [
            "55.2 ms (1)",
            "4.59 ms ctry",
            "50.6 ms",
            "≥36.8!",
            "leaves via AS4760 (collectors)",
            "CNX, Mekong-IX",
        ] {
            assert!(row.contains(want), "{want:?} in {row}");
        }
        let row = t
            .lines()
            .find(|l| l.trim_start().starts_with("17976"))
            .expect("row");
        for want in [" 3.56 ", "stays in zone", " none"] {
            assert!(row.contains(want), "{want:?} in {row}");
        }
        assert!(!row.contains('≥') && !row.contains('!'), "{row}");
        // concise: top 1, and where the rest is
        let t = table(&r, 1);
        assert!(
            !t.lines().any(|l| l.trim_start().starts_with("17976")),
            "{t}"
        );
        assert!(t.contains("1 more hairpinned pairs"), "{t}");
    }

    #[test]
    fn collector_ixp_and_decapsulation_lines() {
        let mut r = report(json!({
            "totals": {"frames": 10, "ip_packets": 10, "ip_bytes": 5000, "wire_bytes": 5600,
                       "non_ip_frames": 0, "malformed_frames": 0, "unsupported_frames": 0,
                       "flows": 1, "decapsulated_packets": 10, "encap_bytes": 500}
        }));
        let mut c = CollectorReport {
            mode: "live".into(),
            datagrams: 1234,
            flow_records: 5000,
            bad_datagrams: 2,
            lost_datagrams: 3,
            lost_records: 40,
            socket_drops: Some(7),
            not_available: vec!["TCP handshake RTT: need captured packets".into()],
            ..CollectorReport::default()
        };
        c.by_protocol.insert("ipfix".into(), 1234);
        c.errors.insert("too_short".into(), 2);
        r.collector = Some(c);
        r.ixp = Some(IxpReport {
            members_listed: 6,
            matrix: vec![trombone_schema::MemberCell {
                src_asn: 0,
                dst_asn: 0,
                packets: 4,
                bytes: 4000,
            }],
            unattributed: Unattributed {
                packets: 1,
                bytes: 1000,
                macs: 3,
                top_macs: vec![],
            },
            ..IxpReport::default()
        });
        let t = table(&r, 20);
        assert!(t.contains("DECAPSULATED: 10 packets"), "{t}");
        assert!(t.contains("500 B of outer headers removed"), "{t}");
        assert!(
            t.contains("FLOW EXPORT (live): 1,234 datagrams (ipfix 1,234) · 5,000 flow records"),
            "{t}"
        );
        assert!(
            t.contains("2 datagrams with decode errors (too_short 2)"),
            "{t}"
        );
        assert!(
            t.contains("lost by sequence gaps: 3 datagrams, 40 records"),
            "{t}"
        );
        assert!(t.contains("socket drops: 7"), "{t}");
        assert!(
            t.contains("not available from flow export: TCP handshake RTT"),
            "{t}"
        );
        assert!(t.contains("0 members with traffic, of 6 listed"), "{t}");
        assert!(
            t.contains("no member's MAC: 1.0 kB (25.0% of the member matrix's 4.0 kB), 3 MACs"),
            "{t}"
        );
        // files: no socket to drop from
        r.collector.as_mut().unwrap().mode = "file".into();
        r.collector.as_mut().unwrap().socket_drops = None;
        assert!(table(&r, 20).contains("socket drops: n/a (read from files)"));
    }
}
