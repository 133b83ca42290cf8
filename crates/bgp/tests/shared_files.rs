//! Every MRT file in `../shared/data/bgp` read and checked against figures from an independent
//! decoder: `tests/data/mrtparse-expected.tsv`, written by `tests/mrtparse_expected.py` from
//! Python's mrtparse 2.2.0 (never from this crate's output). The two RouteViews RIB samples are
//! cut mid-stream: they must be reported partial, at the offset of the cut record.

use std::collections::HashSet;
use std::path::PathBuf;

use trombone_bgp::{Origin, Prefix, Rib};

fn shared_bgp() -> PathBuf {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/bgp");
    assert!(p.is_dir(), "shared data not found at {}", p.display());
    p
}

fn expected() -> String {
    std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/mrtparse-expected.tsv"),
    )
    .unwrap()
}

/// The origins of a prefix as the expected file writes them: each origin an AS or its set
/// members joined by ",", sorted as strings, joined by "_".
fn canonical(origins: &[(Origin, u32)]) -> String {
    let mut v: Vec<String> = origins.iter().map(|(o, _)| o.to_string()).collect();
    v.sort();
    v.dedup();
    v.join("_")
}

struct Summary {
    v4: u64,
    v6: u64,
    moas: u64,
    sets: u64,
    crc: u32,
    distinct_paths: usize,
}

fn summarize(rib: &Rib) -> Summary {
    let mut lines: Vec<(Prefix, String)> = Vec::new();
    let (mut moas, mut sets) = (0, 0);
    rib.for_each_origin(|p, o| {
        if o.is_empty() {
            return;
        }
        let c = canonical(o);
        moas += u64::from(c.contains('_'));
        sets += u64::from(o.iter().any(|(x, _)| matches!(x, Origin::Set(_))));
        lines.push((p, c));
    });
    lines.sort();
    let text: String = lines.iter().map(|(p, c)| format!("{p}\t{c}\n")).collect();
    let mut crc = flate2::Crc::new();
    crc.update(text.as_bytes());
    let mut paths = HashSet::new();
    for p in rib.prefixes() {
        for r in rib.routes(&p) {
            paths.insert(r.path);
        }
    }
    Summary {
        v4: lines.iter().filter(|(p, _)| p.is_v4()).count() as u64,
        v6: lines.iter().filter(|(p, _)| !p.is_v4()).count() as u64,
        moas,
        sets,
        crc: crc.sum(),
        distinct_paths: paths.len(),
    }
}

#[test]
fn every_shared_file_matches_mrtparse() {
    let dir = shared_bgp();
    let exp = expected();
    let mut files = 0;
    let mut ribs = std::collections::HashMap::new();
    for line in exp
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("origin\t") && !l.starts_with("lookup\t"))
    {
        let f: Vec<&str> = line.split('\t').collect();
        assert_eq!(f.len(), 14, "{line}");
        let n = |i: usize| f[i].parse::<i64>().unwrap();
        let path = dir.join(f[0]);
        let (rib, st) = Rib::load(&path).unwrap_or_else(|e| panic!("{e}"));
        let s = summarize(&rib);
        let what = format!("{}: {st}", f[0]);
        assert_eq!(st.records as i64, n(1), "records, {what}");
        assert_eq!(st.rib_entries as i64, n(2), "RIB entries, {what}");
        assert_eq!(st.announcements as i64, n(3), "announced, {what}");
        assert_eq!(st.withdrawals as i64, n(4), "withdrawn, {what}");
        assert_eq!(s.v4 as i64, n(5), "IPv4 prefixes with an origin, {what}");
        assert_eq!(s.v6 as i64, n(6), "IPv6 prefixes with an origin, {what}");
        assert_eq!(rib.route_count() as i64, n(7), "routes, {what}");
        assert_eq!(s.distinct_paths as i64, n(8), "distinct paths, {what}");
        assert_eq!(s.moas as i64, n(9), "MOAS prefixes, {what}");
        assert_eq!(s.sets as i64, n(10), "AS-set origin prefixes, {what}");
        assert_eq!(
            i64::from(s.crc),
            n(11),
            "per-prefix origins (crc32), {what}"
        );
        assert_eq!(st.partial(), n(12) == 1, "partial, {what}");
        if let Some(e) = &st.error {
            assert_eq!(e.offset.map(|o| o as i64), Some(n(13)), "{what}");
            assert!(e.to_string().contains(f[0]), "error names the file: {e}");
            assert_eq!(st.bytes as i64, n(13), "bytes read up to the cut record");
        }
        if f[0].starts_with("rib") {
            ribs.insert(f[0].to_string(), rib);
        }
        files += 1;
    }
    assert_eq!(files, 15);
    // Spot checks of single prefixes (every 97th, and every MOAS / AS-set one).
    let mut spots = 0;
    for line in exp.lines().filter(|l| l.starts_with("origin\t")) {
        let f: Vec<&str> = line.split('\t').collect();
        let p: Prefix = f[2].parse().unwrap();
        assert_eq!(canonical(&ribs[f[1]].origins(&p)), f[3], "{line}");
        spots += 1;
    }
    assert!(spots > 250, "{spots}");
}

/// The truncated samples still give a usable table, and the report says how far it got.
#[test]
fn truncated_rib_is_a_reported_partial_read() {
    let path = shared_bgp().join("rib.20140523.0600_firstMB.bz2");
    let (rib, st) = Rib::load(&path).unwrap();
    assert!(st.partial());
    let e = st.error.clone().unwrap();
    let text = st.to_string();
    assert!(
        text.contains("PARTIAL") && text.contains("byte offset"),
        "{text}"
    );
    assert!(e.message.contains("truncated"), "{e}");
    assert_eq!(st.compressed_bytes, 1_048_576);
    assert!(rib.prefix_counts().0 > 9000);
}
