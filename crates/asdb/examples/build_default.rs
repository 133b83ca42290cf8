//! Rebuilds the embedded default database `crates/asdb/data/default.asdb.gz` from the shared
//! sources (run by `scripts/build-default-db`).
//!
//! Usage: `build_default [SHARED_ASN_DIR [OUT]]`; defaults: `<repo>/../shared/data/asn` and
//! `crates/asdb/data/default.asdb.gz`.
//!
//! iptoasn.com's IPv6 table is published with overlapping ranges (about 23 k of its 152 k lines
//! lie inside or across an earlier range), which the ip2asn loader refuses. It is resolved here
//! first: "Not routed" (AS 0) lines are dropped, and where routed ranges overlap the one that
//! starts later (for nested ranges: the inner, more specific one) wins. The resolved ranges go
//! in as a routing-only source under the original file name.

use std::io::{Read, Write};
use std::net::Ipv6Addr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use trombone_asdb::{write_compact, AsDb, BuildOptions, SourceFile};

/// The embedded default's summary, as `db info` and every report's `asn_db.source` show it.
const LABEL: &str = "trombone embedded default: CAIDA RouteViews Prefix-to-AS 2024-04-06 (IPv4 routing) + \
iptoasn.com ip2asn-v6 2023-12-08 (IPv6 routing) + APNIC delegated statistics 2024-10-01 (country) + \
pyasn AS names 2021";

/// iptoasn.com's terms for its tables.
const IPTOASN_TERMS: &str =
    "iptoasn.com IP-to-ASN data (ip2asn-v6), released into the public domain \
under the Open Data Commons PDDL";

/// The IPv6 table's name in the shared data.
const V6_TABLE: &str = "ip2asn-v6.20231208.tsv.gz";

/// Disjoint routed IPv6 ranges `(first, last, asn)`.
type Ranges = Vec<(u128, u128, u32)>;

/// Resolves the overlapping ranges of an ip2asn TSV into disjoint routed ranges
/// `(first, last, asn)`, ascending: AS 0 lines dropped, the later-starting range winning where
/// ranges overlap. Returns them and the number of lines that overlapped an earlier range.
fn resolve(text: &str) -> Result<(Ranges, usize), String> {
    let mut rows: Vec<(u128, u128, u32)> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        let bad = || format!("line {}: {line:?}", i + 1);
        let (Some(a), Some(b), Some(asn)) = (f.first(), f.get(1), f.get(2)) else {
            return Err(bad());
        };
        let s = u128::from(a.parse::<Ipv6Addr>().map_err(|_| bad())?);
        let e = u128::from(b.parse::<Ipv6Addr>().map_err(|_| bad())?);
        let asn: u32 = asn.parse().map_err(|_| bad())?;
        if e < s || rows.last().is_some_and(|r| s < r.0) {
            return Err(format!("{} (end before start, or not sorted)", bad()));
        }
        if asn != 0 {
            rows.push((s, e, asn));
        }
    }
    let mut out: Vec<(u128, u128, u32)> = Vec::new();
    let mut emit = |s: u128, e: u128, a: u32| {
        if let Some(l) = out.last_mut() {
            if l.2 == a && l.1.checked_add(1) == Some(s) {
                l.1 = e;
                return;
            }
        }
        out.push((s, e, a));
    };
    // Open ranges, the most recently started on top; `cur` is the first address not yet given out.
    let mut stack: Vec<(u128, u128, u32)> = Vec::new();
    let mut cur: Option<u128> = None;
    let mut overlapping = 0;
    for &(s, e, a) in &rows {
        while let Some(&(_, te, ta)) = stack.last() {
            if te >= s {
                break;
            }
            if let Some(c) = cur.filter(|&c| c <= te) {
                emit(c, te, ta);
                cur = te.checked_add(1);
            }
            stack.pop();
        }
        if let Some(&(_, _, ta)) = stack.last() {
            overlapping += 1;
            if let Some(c) = cur.filter(|&c| c < s) {
                emit(c, s - 1, ta);
            }
        }
        cur = Some(s);
        stack.push((s, e, a));
    }
    while let Some((_, te, ta)) = stack.pop() {
        if let Some(c) = cur.filter(|&c| c <= te) {
            emit(c, te, ta);
            cur = te.checked_add(1);
        }
    }
    Ok((out, overlapping))
}

/// Writes the resolved IPv6 table as an ip2asn TSV (gzip) named like the original in `dir`.
fn resolved_v6(src: &Path, dir: &Path) -> Result<(PathBuf, usize, usize), String> {
    let raw = std::fs::read(src).map_err(|e| format!("{}: {e}", src.display()))?;
    let mut text = String::new();
    flate2::read::MultiGzDecoder::new(&raw[..])
        .read_to_string(&mut text)
        .map_err(|e| format!("{}: {e}", src.display()))?;
    let (ranges, overlapping) = resolve(&text).map_err(|e| format!("{}: {e}", src.display()))?;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    for (s, e, a) in &ranges {
        writeln!(
            enc,
            "{}\t{}\t{a}\tNone\t",
            Ipv6Addr::from(*s),
            Ipv6Addr::from(*e)
        )
        .map_err(|e| e.to_string())?;
    }
    let out = dir.join(src.file_name().unwrap_or_default());
    std::fs::write(&out, enc.finish().map_err(|e| e.to_string())?)
        .map_err(|e| format!("{}: {e}", out.display()))?;
    Ok((out, ranges.len(), overlapping))
}

fn main() -> ExitCode {
    let crate_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut args = std::env::args_os().skip(1);
    let asn_dir = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| crate_dir.join("../../../shared/data/asn"));
    let out = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| crate_dir.join("data/default.asdb.gz"));
    let tmp = std::env::temp_dir().join(format!("trombone-build-default-{}", std::process::id()));
    if let Err(e) = std::fs::create_dir_all(&tmp) {
        eprintln!("build-default-db: {}: {e}", tmp.display());
        return ExitCode::FAILURE;
    }
    let built = build(&asn_dir, &out, &tmp);
    let _ = std::fs::remove_dir_all(&tmp);
    match built {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("build-default-db: {e}");
            ExitCode::FAILURE
        }
    }
}

fn build(asn_dir: &Path, out: &Path, tmp: &Path) -> Result<(), String> {
    let (v6, pieces, overlapping) = resolved_v6(&asn_dir.join(V6_TABLE), tmp)?;
    let file = |name: &str| SourceFile {
        path: asn_dir.join(name),
        ..SourceFile::default()
    };
    let srcs = [
        file("routeviews-rv2-20240406.pfx2as.gz"),
        file("delegated-apnic-latest.20241001"),
        file("asnames.json.gz"),
        // IPv6 routing only: its country column would outrank the AS-names countries of IPv4
        // networks (a column beats a name suffix), and its descriptions duplicate the names.
        SourceFile {
            path: v6,
            routing_only: true,
            attribution: Some(IPTOASN_TERMS.to_string()),
            description: Some(format!(
                "iptoasn.com IPv6 ranges, routed ones only, made disjoint ({pieces} ranges): \
                 {overlapping} published lines overlap an earlier range, and where they do the \
                 later-starting (inner) range wins"
            )),
        },
    ];
    let opts = BuildOptions {
        label: Some(LABEL.to_string()),
        gzip: true,
    };
    let db = AsDb::load_files(&srcs).map_err(|e| e.to_string())?;
    let bytes = write_compact(&db, out, &opts).map_err(|e| e.to_string())?;
    let i = db.info();
    println!("wrote {} ({bytes} bytes)", out.display());
    println!(
        "routes v4 {} v6 {}; lookup ranges v4 {} v6 {}; AS names {}; ASN countries {}",
        i.routes_v4,
        i.routes_v6,
        i.lookup_ranges_v4,
        i.lookup_ranges_v6,
        i.as_names,
        i.asn_countries
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::resolve;

    #[test]
    fn overlaps_resolve_to_the_later_start() {
        // outer 1-100 (AS 7), nested 10-20 (AS 8), partial 90-120 (AS 9), not routed 130-140
        let t = "::1\t::64\t7\tX\t\n::a\t::14\t8\tX\t\n::5a\t::78\t9\tX\t\n::82\t::8c\t0\tNone\t\n";
        let (r, n) = resolve(t).unwrap();
        assert_eq!(r, vec![(1, 9, 7), (10, 20, 8), (21, 89, 7), (90, 120, 9)]);
        assert_eq!(n, 2);
    }
}
