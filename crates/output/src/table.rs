//! The human summary printed on a terminal.
//!
//! Figures are printed with enough precision to be read right: money with cents below
//! 100 USD (never "$0" for a saving of cents), rates with three significant figures in
//! the unit that fits (kbit/s below 1 Mbit/s), shares of a matrix out of that matrix's own
//! total. Where an analysis cannot be made from the data (flow export has no per-packet
//! times), the result's own "not available" text is printed instead of zeros.

use std::collections::BTreeMap;
use std::io::{self, Write};
use trombone_schema::{
    CollectorReport, Country, Evidence, HairpinReport, IxpReport, PairEvidence, PortPlan, Report,
    SizingReport, UnknownNetwork,
};

/// Formats a count with thousands separators.
fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
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

/// Rounds to `n` significant digits and prints without an exponent ("0.0123", "12.3",
/// "1230"); "–" for a value that is not a number.
fn sig(x: f64, n: u32) -> String {
    if !x.is_finite() {
        return "–".into();
    }
    if x == 0.0 {
        return "0".into();
    }
    let n = n.max(1) as i32;
    let mag = x.abs().log10().floor() as i32;
    let scale = 10f64.powi(n - 1 - mag);
    let r = (x * scale).round() / scale;
    // rounding may have added a digit (9.996 -> 10.0): recompute the magnitude
    let mag = r.abs().log10().floor() as i32;
    let decimals = (n - 1 - mag).max(0) as usize;
    format!("{r:.decimals$}")
}

/// A plain number without trailing zeros, at most six significant digits: 60.0 -> "60",
/// 1.5 -> "1.5".
fn plain(x: f64) -> String {
    let s = sig(x, 6);
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
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

/// Milliseconds to three significant figures: "44.3 ms".
fn ms(x: f64) -> String {
    format!("{} ms", sig(x, 3))
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

/// "1 sample", "21 samples".
fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
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
        plural(h.retransmitted, "handshake with a retransmitted SYN", "handshakes with a retransmitted SYN")
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
    let name = |asn: u32| clip(report.as_names.get(&asn).map_or("", |s| s.as_str()), 12);
    writeln!(
        out,
        "{:>8} {:<12} {:<2}   {:>8} {:<12} {:<2} {:>15} {:>17} {:>9} {:>7}  {:<30} COMMON IXPs",
        "SRC AS",
        "NAME",
        "CC",
        "DST AS",
        "NAME",
        "CC",
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
            "{:>8} {:<12} {:<2} → {:>8} {:<12} {:<2} {:>15} {:>17} {:>9} {:>7}  {:<30} {}",
            p.src_asn,
            name(p.src_asn),
            cc(p.src_country),
            p.dst_asn,
            name(p.dst_asn),
            cc(p.dst_country),
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
    let name = |asn: u32| clip(report.as_names.get(&asn).map_or("", |s| s.as_str()), 18);
    writeln!(
        out,
        "{:>8} {:<18} {:<2}   {:>8} {:<18} {:<2} {:>10} {:>8} {:>9} {:>5} {:>9}  VIA",
        "SRC AS",
        "NAME",
        "CC",
        "DST AS",
        "NAME",
        "CC",
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
            "{:>8} {:<18} {:<2} → {:>8} {:<18} {:<2} {:>10} {:>8} {:>9} {:>5} {:>9}  {}",
            p.src_asn,
            name(p.src_asn),
            cc(p.src_country),
            p.dst_asn,
            name(p.dst_asn),
            cc(p.dst_country),
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
