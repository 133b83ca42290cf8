//! MRT dumps as a routing source: databases built from the shared RouteViews RIB samples answer,
//! for addresses in their prefixes, the origin Python's mrtparse shows for those prefixes (the
//! `lookup` lines of `crates/bgp/tests/data/mrtparse-expected.tsv`, written by
//! `crates/bgp/tests/mrtparse_expected.py` with the documented multi-origin rule).

mod common;

use std::path::PathBuf;

use common::*;
use trombone_asdb::{AsDb, BuildOptions, CountryOrigin};

fn bgp(name: &str) -> PathBuf {
    shared().join("bgp").join(name)
}

/// `(file, address, asn)` from the independent decoder's lookup lines.
fn expected_lookups() -> Vec<(String, String, u32)> {
    let p =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../bgp/tests/data/mrtparse-expected.tsv");
    std::fs::read_to_string(p)
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("lookup\t"))
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f[1].to_string(), f[2].to_string(), f[3].parse().unwrap())
        })
        .collect()
}

#[test]
fn rib_samples_answer_mrtparse_origins() {
    let exp = expected_lookups();
    assert!(exp.len() >= 30, "{}", exp.len());
    for (file, date) in [
        ("rib.20140523.0600_firstMB.bz2", "2014-05-23"),
        ("rib6.20151101.0600_firstMB.bz2", "2015-11-01"),
    ] {
        let db = AsDb::load(&[bgp(file)]).unwrap();
        let s = &db.sources()[0];
        assert_eq!(s.format, "mrt");
        // dated from the dump's own MRT timestamps
        assert_eq!(s.date.as_deref(), Some(date));
        // the cut at the end of the sample is reported, with its byte offset
        assert!(
            s.skipped
                .iter()
                .any(|k| k.reason.contains("ended early") && k.reason.contains("byte offset")),
            "{:?}",
            s.skipped
        );
        let mut n = 0;
        for (f, addr, asn) in exp.iter().filter(|e| e.0 == file) {
            let e = db.explain(ip(addr));
            assert_eq!(e.asn, *asn, "{f} {addr}: {e:?}");
            assert_eq!(
                e.route.as_ref().unwrap().source,
                bgp(file).display().to_string()
            );
            n += 1;
        }
        assert!(n >= 15, "{file}: {n}");
        // outside every prefix: unknown, and the default route was not used
        assert_eq!(db.lookup(ip("0.0.0.1")).asn, 0);
        assert!(matches!(
            db.explain(ip("0.0.0.1")).country_origin,
            CountryOrigin::Unknown
        ));
    }
}

#[test]
fn gzip_wrapped_mrt_and_compact_roundtrip() {
    use std::io::Write;
    let plain = std::fs::read(bgp("mrtparse-samples/quagga_rib")).unwrap();
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(&plain).unwrap();
    let gz = e.finish().unwrap();
    let a = AsDb::load_bytes(&[("quagga_rib", &plain)]).unwrap();
    let b = AsDb::load_bytes(&[("quagga_rib.gz", &gz)]).unwrap();
    assert_eq!(a.sources()[0].format, "mrt");
    assert_eq!(b.sources()[0].format, "mrt");
    // mrtparse: 3 IPv4 and 3 IPv6 prefixes with an origin in quagga_rib
    assert_eq!((a.info().routes_v4, a.info().routes_v6), (3, 3));
    assert_eq!((b.info().routes_v4, b.info().routes_v6), (3, 3));
    // compact build of a bzip2 RIB answers like the RIB
    let src = bgp("rib.20140523.0600_firstMB.bz2");
    let direct = AsDb::load(std::slice::from_ref(&src)).unwrap();
    let dir = std::env::temp_dir().join(format!("asdb-mrt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("rib.asdb");
    let st =
        trombone_asdb::build_compact(std::slice::from_ref(&src), &out, &BuildOptions::default())
            .unwrap();
    assert!(st.routes_v4 > 9000, "{st:?}");
    let back = AsDb::load(&[out]).unwrap();
    for (f, addr, asn) in expected_lookups() {
        if f == "rib.20140523.0600_firstMB.bz2" {
            assert_eq!(back.lookup(ip(&addr)).asn, asn, "{addr}");
            assert_eq!(direct.lookup(ip(&addr)).asn, asn, "{addr}");
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
