//! CSV tables for spreadsheets: hairpin pairs, via links, port recommendations and rates.
//!
//! Every row starts with the result file it comes from, so several results can be given:
//! rows are never merged (percentiles cannot be), sum them in the spreadsheet if wanted.
//! Exact values, no units in cells (units are in the column names); empty cell = null.

use crate::escape::csv;
use crate::load::ResultFile;
use crate::model::Rate;
use std::collections::BTreeMap;
use std::fmt::Display;
use std::path::{Path, PathBuf};

/// The CSV tables `trombone report --format csv` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CsvTable {
    /// One row per hairpin AS pair, with latency evidence.
    HairpinPairs,
    /// One row per (hairpin pair, via link).
    Via,
    /// One row per what-if port recommendation.
    Ports,
    /// One row per rate (network/link/pair/port, in and out) with its percentiles.
    Rates,
}

impl CsvTable {
    /// Every table, in the order they are written.
    pub const ALL: [CsvTable; 4] = [
        CsvTable::HairpinPairs,
        CsvTable::Via,
        CsvTable::Ports,
        CsvTable::Rates,
    ];

    /// The table's name, used in file names: "hairpin-pairs", "via", "ports", "rates".
    pub fn name(self) -> &'static str {
        match self {
            CsvTable::HairpinPairs => "hairpin-pairs",
            CsvTable::Via => "via",
            CsvTable::Ports => "ports",
            CsvTable::Rates => "rates",
        }
    }

    /// The path a table is written to when all tables go next to `base`:
    /// `out/report.csv` → `out/report-hairpin-pairs.csv`.
    pub fn path_next_to(self, base: &Path) -> PathBuf {
        let stem = base
            .file_stem()
            .map_or_else(|| "report".into(), |s| s.to_string_lossy().into_owned());
        let ext = base
            .extension()
            .map_or_else(|| "csv".into(), |e| e.to_string_lossy().into_owned());
        base.with_file_name(format!("{stem}-{}.{ext}", self.name()))
    }
}

/// An optional value as a CSV cell (empty for None).
fn opt<T: Display>(v: Option<T>) -> String {
    v.map_or(String::new(), |v| v.to_string())
}

/// Writes one row from cells already formatted (text cells must be passed through `csv`).
fn row(out: &mut String, cells: &[String]) {
    out.push_str(&cells.join(","));
    out.push_str("\r\n");
}

fn names_of(f: &ResultFile) -> BTreeMap<u32, &str> {
    f.result
        .as_names
        .iter()
        .filter_map(|(k, v)| Some((k.parse().ok()?, v.as_str())))
        .collect()
}

/// Renders one table over all results (RFC 4180: CRLF line ends, header row first).
pub fn render_csv(files: &[ResultFile], table: CsvTable) -> String {
    let mut out = String::new();
    match table {
        CsvTable::HairpinPairs => pairs(&mut out, files),
        CsvTable::Via => via(&mut out, files),
        CsvTable::Ports => ports(&mut out, files),
        CsvTable::Rates => rates(&mut out, files),
    }
    out
}

fn header(out: &mut String, cols: &[&str]) {
    row(
        out,
        &cols.iter().map(|c| (*c).to_string()).collect::<Vec<_>>(),
    );
}

fn pairs(out: &mut String, files: &[ResultFile]) {
    header(
        out,
        &[
            "result",
            "src_asn",
            "src_name",
            "src_country",
            "dst_asn",
            "dst_name",
            "dst_country",
            "hairpin_bytes",
            "hairpin_packets",
            "observations",
            "reobserved_packets",
            "local_bytes",
            "share_of_local_bytes",
            "detour_samples",
            "detour_p50_ms",
            "detour_p90_ms",
            "detour_p99_ms",
            "hops_abroad_samples",
            "hops_abroad_p50",
            "handshake_samples",
            "handshake_min_ms",
            "handshake_p50_ms",
            "handshake_exceeds_domestic_floor",
            "domestic_floor_ms",
        ],
    );
    for f in files {
        let Some(h) = &f.result.hairpin else { continue };
        let names = names_of(f);
        for p in &h.pairs {
            let share = if p.local_bytes > 0 {
                Some(p.bytes as f64 / p.local_bytes as f64)
            } else {
                None
            };
            row(
                out,
                &[
                    csv(&f.name),
                    p.src_asn.to_string(),
                    csv(names.get(&p.src_asn).copied().unwrap_or("")),
                    csv(p.src_country.as_deref().unwrap_or("")),
                    p.dst_asn.to_string(),
                    csv(names.get(&p.dst_asn).copied().unwrap_or("")),
                    csv(p.dst_country.as_deref().unwrap_or("")),
                    p.bytes.to_string(),
                    p.packets.to_string(),
                    p.observations.to_string(),
                    p.reobserved_packets.to_string(),
                    p.local_bytes.to_string(),
                    opt(share),
                    opt(p.detour_ms.map(|q| q.samples)),
                    opt(p.detour_ms.map(|q| q.p50)),
                    opt(p.detour_ms.map(|q| q.p90)),
                    opt(p.detour_ms.map(|q| q.p99)),
                    opt(p.hops_abroad.map(|q| q.samples)),
                    opt(p.hops_abroad.map(|q| q.p50)),
                    opt(p.handshake_rtt_ms.map(|q| q.samples)),
                    opt(p.handshake_rtt_ms.map(|q| q.min)),
                    opt(p.handshake_rtt_ms.map(|q| q.p50)),
                    opt(p.handshake_rtt_ms.map(|q| q.exceeds_domestic_floor)),
                    h.domestic_floor_ms.to_string(),
                ],
            );
        }
    }
}

fn via(out: &mut String, files: &[ResultFile]) {
    header(
        out,
        &[
            "result",
            "src_asn",
            "src_country",
            "dst_asn",
            "dst_country",
            "link",
            "via_asn",
            "via_country",
            "via_name",
            "packets",
            "bytes",
        ],
    );
    for f in files {
        let Some(h) = &f.result.hairpin else { continue };
        for p in &h.pairs {
            for v in &p.via {
                row(
                    out,
                    &[
                        csv(&f.name),
                        p.src_asn.to_string(),
                        csv(p.src_country.as_deref().unwrap_or("")),
                        p.dst_asn.to_string(),
                        csv(p.dst_country.as_deref().unwrap_or("")),
                        csv(v.link.as_deref().unwrap_or("")),
                        v.asn.to_string(),
                        csv(v.country.as_deref().unwrap_or("")),
                        csv(v.name.as_deref().unwrap_or("")),
                        v.packets.to_string(),
                        v.bytes.to_string(),
                    ],
                );
            }
        }
    }
}

fn ports(out: &mut String, files: &[ResultFile]) {
    header(
        out,
        &[
            "result",
            "asn",
            "name",
            "country",
            "hairpin_in_p95_mbps",
            "hairpin_out_p95_mbps",
            "p95_mbps",
            "samples",
            "growth",
            "port_target",
            "needed_mbps",
            "port",
            "port_gbps",
            "utilisation_at_p95",
            "transit_price_usd_per_mbps_month",
            "transit_saved_usd_per_month",
        ],
    );
    for f in files {
        let Some(z) = &f.result.sizing else { continue };
        let Some(w) = &z.what_if else { continue };
        let names = names_of(f);
        for p in &w.ports {
            row(
                out,
                &[
                    csv(&f.name),
                    p.asn.to_string(),
                    csv(names.get(&p.asn).copied().unwrap_or("")),
                    csv(p.country.as_deref().unwrap_or("")),
                    p.hairpin_in.p95_mbps.to_string(),
                    p.hairpin_out.p95_mbps.to_string(),
                    p.p95_mbps.to_string(),
                    p.hairpin_in.samples.max(p.hairpin_out.samples).to_string(),
                    z.growth.to_string(),
                    z.port_target.to_string(),
                    p.needed_mbps.to_string(),
                    csv(p.port.as_deref().unwrap_or("")),
                    opt(p.port_gbps),
                    opt(p.utilisation_at_p95),
                    z.transit_price_usd_per_mbps_month.to_string(),
                    p.transit_saved_usd_per_month.to_string(),
                ],
            );
        }
    }
}

fn rates(out: &mut String, files: &[ResultFile]) {
    header(
        out,
        &[
            "result",
            "kind",
            "name",
            "asn",
            "country",
            "peer_asn",
            "peer_country",
            "direction",
            "bytes",
            "packets",
            "avg_mbps",
            "p90_mbps",
            "p95_mbps",
            "max_mbps",
            "peak_bin_mbps",
            "avg_pps",
            "p95_pps",
            "peak_bin_pps",
            "samples",
            "sample_s",
            "bin_s",
        ],
    );
    for f in files {
        let Some(z) = &f.result.sizing else { continue };
        let names = names_of(f);
        let mut emit = |kind: &str,
                        name: &str,
                        asn: u32,
                        cc: Option<&str>,
                        peer: Option<(u32, Option<&str>)>,
                        dir: &str,
                        r: &Rate| {
            row(
                out,
                &[
                    csv(&f.name),
                    kind.to_string(),
                    csv(name),
                    asn.to_string(),
                    csv(cc.unwrap_or("")),
                    opt(peer.map(|p| p.0)),
                    csv(peer.and_then(|p| p.1).unwrap_or("")),
                    dir.to_string(),
                    r.bytes.to_string(),
                    r.packets.to_string(),
                    r.avg_mbps.to_string(),
                    r.p90_mbps.to_string(),
                    r.p95_mbps.to_string(),
                    r.max_mbps.to_string(),
                    r.peak_bin_mbps.to_string(),
                    r.avg_pps.to_string(),
                    r.p95_pps.to_string(),
                    r.peak_bin_pps.to_string(),
                    r.samples.to_string(),
                    z.sample_s.to_string(),
                    z.bin_s.to_string(),
                ],
            );
        };
        for n in &z.networks {
            let name = names.get(&n.asn).copied().unwrap_or("");
            let cc = n.country.as_deref();
            emit("network", name, n.asn, cc, None, "in", &n.in_);
            emit("network", name, n.asn, cc, None, "out", &n.out);
        }
        for l in &z.links {
            let cc = l.country.as_deref();
            emit("link", &l.name, l.asn, cc, None, "in", &l.in_);
            emit("link", &l.name, l.asn, cc, None, "out", &l.out);
            if let Some(u) = &l.unknown_direction {
                emit("link", &l.name, l.asn, cc, None, "unknown", u);
            }
        }
        for p in &z.pairs {
            let name = names.get(&p.src_asn).copied().unwrap_or("");
            let peer = Some((p.dst_asn, p.dst_country.as_deref()));
            emit(
                "pair",
                name,
                p.src_asn,
                p.src_country.as_deref(),
                peer,
                "src_to_dst",
                &p.rate,
            );
        }
        if let Some(w) = &z.what_if {
            for p in &w.ports {
                let name = names.get(&p.asn).copied().unwrap_or("");
                let cc = p.country.as_deref();
                emit("hairpin", name, p.asn, cc, None, "in", &p.hairpin_in);
                emit("hairpin", name, p.asn, cc, None, "out", &p.hairpin_out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_paths() {
        assert_eq!(
            CsvTable::HairpinPairs.path_next_to(Path::new("out/report.csv")),
            PathBuf::from("out/report-hairpin-pairs.csv")
        );
        assert_eq!(
            CsvTable::Ports.path_next_to(Path::new("kh")),
            PathBuf::from("kh-ports.csv")
        );
        assert_eq!(
            CsvTable::Rates.path_next_to(Path::new("a.b.txt")),
            PathBuf::from("a.b-rates.txt")
        );
    }

    #[test]
    fn optional_cells() {
        assert_eq!(opt(Some(1.5)), "1.5");
        assert_eq!(opt::<u64>(None), "");
    }
}
