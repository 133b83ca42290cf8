//! The human summary printed on a terminal.

use std::io::{self, Write};
use trombone_schema::{CaptureHealth, Country, HairpinReport, Report, SizingReport};

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

/// Writes the summary: totals, inputs with problems, the top `top` AS pairs and the country matrix.
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
    if let Some(h) = &report.hairpin {
        write_hairpin(report, h, top, &mut out)?;
    }
    let total = t.ip_bytes.max(1) as f64;
    let name = |asn: u32| clip(report.as_names.get(&asn).map_or("", |s| s.as_str()), 22);
    writeln!(out)?;
    writeln!(
        out,
        "AS matrix — top {} of {} cells by bytes",
        top.min(report.as_matrix.len()),
        report.as_matrix.len()
    )?;
    writeln!(
        out,
        "{:>10} {:<22} {:<2}   {:>10} {:<22} {:<2} {:>12} {:>10} {:>6} {:>8}",
        "SRC AS", "NAME", "CC", "DST AS", "NAME", "CC", "PACKETS", "BYTES", "SHARE", "FLOWS"
    )?;
    for c in report.as_matrix.iter().take(top) {
        writeln!(
            out,
            "{:>10} {:<22} {:<2} → {:>10} {:<22} {:<2} {:>12} {:>10} {:>5.1}% {:>8}",
            c.src_asn,
            name(c.src_asn),
            cc(c.src_country),
            c.dst_asn,
            name(c.dst_asn),
            cc(c.dst_country),
            thousands(c.packets),
            human_bytes(c.bytes),
            c.bytes as f64 * 100.0 / total,
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
            "{:<3} → {:<3} {:>12} {:>10} {:>5.1}% {:>8}",
            cc(c.src_country),
            cc(c.dst_country),
            thousands(c.packets),
            human_bytes(c.bytes),
            c.bytes as f64 * 100.0 / total,
            thousands(c.flows)
        )?;
    }
    if let Some(sz) = &report.sizing {
        write_sizing(report, sz, top, &mut out)?;
    }
    if let Some(h) = &report.capture {
        write_health(h, &mut out)?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "More in --format json (every pair's rates, per-sample series, packet sizes, hairpin histograms{}) and in `trombone report` (HTML: heatmap, rate charts, detours, port plans, provenance); --format csv writes each table for spreadsheets.",
        if report.hairpin.is_some() { ", via links" } else { "" }
    )?;
    Ok(())
}

/// Rates and port sizing per network: what an IXP engineer sizes ports from.
fn write_sizing(
    report: &Report,
    sz: &SizingReport,
    top: usize,
    mut out: impl Write,
) -> io::Result<()> {
    writeln!(out)?;
    let basis = if sz.samples == 0 {
        "no timed packets: no rates".to_string()
    } else {
        format!(
            "{} sample(s) of {:.0} s; p95 is nearest-rank over them{}",
            sz.samples,
            sz.sample_s,
            if report.time.duration_s < sz.sample_s {
                " — INDICATIVE ONLY: shorter than one sample"
            } else {
                ""
            }
        )
    };
    writeln!(out, "RATES per network, Mbit/s ({basis})")?;
    if let Some(t) = &sz.total {
        writeln!(
            out,
            "  all traffic: avg {:.2}, p95 {:.2}, busiest {:.0} s bin {:.2}, {:.0} pps p95",
            t.avg_mbps, t.p95_mbps, sz.bin_s, t.peak_bin_mbps, t.p95_pps
        )?;
    }
    let name = |asn: u32| clip(report.as_names.get(&asn).map_or("", |s| s.as_str()), 20);
    writeln!(
        out,
        "{:>10} {:<20} {:<2} {:>9} {:>9} {:>9} {:>9} {:>10} {:>6}",
        "AS", "NAME", "CC", "P95 IN", "P95 OUT", "PEAK IN", "PEAK OUT", "P95 PPS", "MEAN B"
    )?;
    for n in sz.networks.iter().take(top) {
        writeln!(
            out,
            "{:>10} {:<20} {:<2} {:>9.2} {:>9.2} {:>9.2} {:>9.2} {:>10.0} {:>6.0}",
            n.asn,
            name(n.asn),
            cc(n.country),
            n.inbound.p95_mbps,
            n.outbound.p95_mbps,
            n.inbound.peak_bin_mbps,
            n.outbound.peak_bin_mbps,
            n.inbound.p95_pps.max(n.outbound.p95_pps),
            n.packet_sizes.mean
        )?;
    }
    if let Some(w) = &sz.what_if {
        writeln!(out)?;
        writeln!(
            out,
            "IXP PORTS for the hairpinned traffic (p95 × growth {} under {:.0}% of the port; transit at {} USD/Mbps/month)",
            sz.growth,
            sz.port_target * 100.0,
            sz.transit_price_usd_per_mbps_month
        )?;
        writeln!(
            out,
            "{:>10} {:<20} {:<2} {:>10} {:>10} {:>7} {:>12}",
            "AS", "NAME", "CC", "P95 Mbps", "NEEDED", "PORT", "USD/MONTH"
        )?;
        for p in &w.ports {
            writeln!(
                out,
                "{:>10} {:<20} {:<2} {:>10.2} {:>10.2} {:>7} {:>12.0}",
                p.asn,
                name(p.asn),
                cc(p.country),
                p.p95_mbps,
                p.needed_mbps,
                p.port.as_deref().unwrap_or("> max"),
                p.transit_saved_usd_per_month
            )?;
        }
        for u in &w.unknown_networks {
            writeln!(
                out,
                "  not sized: addresses of no known network ({}) with {:.2} Mbit/s p95 hairpinned",
                cc(u.country),
                u.p95_mbps
            )?;
        }
        writeln!(
            out,
            "  transit that local peering would save: {:.0} USD per month",
            w.total_transit_saved_usd_per_month
        )?;
    }
    Ok(())
}

/// The capture health section.
fn write_health(h: &CaptureHealth, out: &mut impl Write) -> io::Result<()> {
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

/// The hairpin verdict: the answer first, then the pairs behind it.
fn write_hairpin(
    report: &Report,
    h: &HairpinReport,
    top: usize,
    mut out: impl Write,
) -> io::Result<()> {
    let zone: Vec<String> = h.zone.iter().map(|c| c.to_string()).collect();
    let t = &h.totals;
    writeln!(out)?;
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
            p.detour_ms
                .as_ref()
                .map_or("-".into(), |q| format!("{:.1} ms", q.p50)),
            p.hops_abroad
                .as_ref()
                .map_or("-".into(), |x| x.p50.to_string()),
            p.handshake_rtt_ms.as_ref().map_or("-".into(), |x| format!(
                "{:.1} ms{}",
                x.min,
                if x.exceeds_domestic_floor { "*" } else { "" }
            )),
            via.join(", ")
        )?;
    }
    writeln!(
        out,
        "  * fastest handshake slower than the {:.1} ms an in-zone path of {:.0} km needs (evidence the path leaves)",
        h.domestic_floor_ms, h.max_zone_km
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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
    }
}
