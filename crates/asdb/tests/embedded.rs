//! The embedded default database agrees with the shared RouteViews + iptoasn IPv6 + APNIC data it
//! was built from, and with the combining rule; the compact format round-trips the full table.

mod common;

use common::*;
use trombone_asdb::{AsDb, BuildOptions, Country, CountryOrigin, NetInfo};

/// APNIC allocated/assigned IPv4 ranges `(first, last, cc)`, sorted, read straight from the file.
fn apnic_v4() -> Vec<(u32, u32, Country)> {
    let text = read_text(&asn("delegated-apnic-latest.20241001"));
    let mut v: Vec<(u32, u32, Country)> = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| l.split('|').collect::<Vec<_>>())
        .filter(|f| f.len() >= 7 && f[2] == "ipv4" && (f[6] == "allocated" || f[6] == "assigned"))
        .map(|f| {
            let s = v4(f[3]);
            (
                s,
                s + (f[4].parse::<u32>().unwrap() - 1),
                f[1].parse().unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

fn apnic_cc(ranges: &[(u32, u32, Country)], x: u32) -> Option<Country> {
    let i = ranges.partition_point(|r| r.0 <= x);
    (i > 0 && ranges[i - 1].1 >= x).then(|| ranges[i - 1].2)
}

/// Every range of the shared derived table (pfx2as flattened by LPM; country column = APNIC ASN
/// record else AS-names suffix) must answer the same ASN, and the country our rule gives: the
/// APNIC range country where APNIC covers the address, else the derived column.
#[test]
fn embedded_agrees_with_shared_sources() {
    let db = AsDb::embedded_shared();
    // the oldest routing source: iptoasn's IPv6 table
    assert_eq!(db.source().date.as_deref(), Some("2023-12-08"));
    assert!(
        db.source().source.contains("CAIDA RouteViews"),
        "{}",
        db.source().source
    );
    assert!(db.source().source.contains("APNIC"));
    assert!(db.source().source.contains("ip2asn-v6 2023-12-08"));
    let info = db.info();
    assert_eq!(info.sources.len(), 4);
    assert!(info.sources.iter().any(|s| s
        .attribution
        .as_deref()
        .is_some_and(|a| a.contains("CAIDA UCSD"))));
    assert!(info.sources.iter().any(|s| s
        .attribution
        .as_deref()
        .is_some_and(|a| a.contains("APNIC's conditions"))));
    assert!(info
        .sources
        .iter()
        .any(|s| s.attribution.as_deref().is_some_and(|a| a.contains("PDDL"))));
    assert_eq!(db.attributions().len(), 4, "CAIDA, APNIC, pyasn, iptoasn");
    let apnic = apnic_v4();
    let derived = read_text(&asn("ip2asn-v4-style.20240406.tsv.gz"));
    let mut from_range = 0;
    for line in derived.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        let a: u32 = f[2].parse().unwrap();
        let column = match f[3] {
            "None" | "ZZ" => None,
            c => Some(c.parse::<Country>().unwrap()),
        };
        for x in [v4(f[0]), v4(f[1])] {
            let range_cc = apnic_cc(&apnic, x);
            from_range += usize::from(range_cc.is_some());
            let want = NetInfo {
                asn: a,
                country: range_cc.or(if a == 0 { None } else { column }),
            };
            assert_eq!(db.lookup_v4(x), want, "{line} at {x:#x}");
        }
    }
    assert!(from_range > 50_000);
}

/// For every APNIC KH/LA/MM/VN IPv4 range whose first address also starts a pfx2as prefix: the
/// embedded database answers the first AS of the longest such prefix and the APNIC country, and
/// `explain` names the prefix and both source files.
#[test]
fn clmv_ranges_from_the_sources() {
    let db = AsDb::embedded_shared();
    let rv = read_text(&asn("routeviews-rv2-20240406.pfx2as.gz"));
    // start address -> (longest length, its first AS)
    let mut longest: std::collections::HashMap<u32, (u32, u32)> = std::collections::HashMap::new();
    for l in rv.lines() {
        let f: Vec<&str> = l.split('\t').collect();
        let len: u32 = f[1].parse().unwrap();
        let a: u32 = f[2].split(['_', ',']).next().unwrap().parse().unwrap();
        let e = longest.entry(v4(f[0])).or_insert((len, a));
        if len > e.0 {
            *e = (len, a);
        }
    }
    let mut n = 0;
    for (s, _, c) in apnic_v4() {
        if !["KH", "LA", "MM", "VN"].contains(&c.as_str()) {
            continue;
        }
        let Some(&(len, a)) = longest.get(&s) else {
            continue;
        };
        let addr = std::net::Ipv4Addr::from(s);
        assert_eq!(
            db.lookup_v4(s),
            NetInfo {
                asn: a,
                country: Some(c)
            },
            "{addr}"
        );
        let e = db.explain(addr.into());
        let route = e.route.unwrap();
        assert_eq!(route.prefix, format!("{addr}/{len}"));
        assert_eq!(route.source, "routeviews-rv2-20240406.pfx2as.gz");
        assert!(
            matches!(e.country_origin, CountryOrigin::Range { ref source, .. } if source == "delegated-apnic-latest.20241001"),
            "{:?}",
            e.country_origin
        );
        n += 1;
    }
    assert!(n > 100, "{n}");
}

/// IPv6 ranges of iptoasn's table, read straight from the file: `(start, end, asn)` in file
/// order (sorted by start), with the running maximum of `end` for the backward search.
struct V6Table {
    rows: Vec<(u128, u128, u32)>,
    max_end: Vec<u128>,
}

impl V6Table {
    fn read() -> V6Table {
        let text = read_text(&asn("ip2asn-v6.20231208.tsv.gz"));
        let rows: Vec<(u128, u128, u32)> = text
            .lines()
            .map(|l| l.split('\t').collect::<Vec<_>>())
            .map(|f| (v6(f[0]), v6(f[1]), f[2].parse().unwrap()))
            .collect();
        let mut m = 0;
        let max_end = rows
            .iter()
            .map(|r| {
                m = m.max(r.1);
                m
            })
            .collect();
        V6Table { rows, max_end }
    }

    /// The ASN the file gives `x`: of the routed lines whose range holds `x`, the one that
    /// starts last (the innermost; the published ranges overlap in places), else 0.
    fn asn(&self, x: u128) -> u32 {
        let mut i = self.rows.partition_point(|r| r.0 <= x);
        while i > 0 && self.max_end[i - 1] >= x {
            let (s, e, a) = self.rows[i - 1];
            if s <= x && x <= e && a != 0 {
                return a;
            }
            i -= 1;
        }
        0
    }
}

/// IPv6 routing comes from iptoasn's table: well-known resolvers, CLMV networks and a sample
/// of every range's edges answer what the file itself says.
#[test]
fn ipv6_routing_from_iptoasn() {
    let db = AsDb::embedded_shared();
    let t = V6Table::read();
    for (addr, want) in [
        ("2001:4860:4860::8888", 15169),
        ("2606:4700:4700::1111", 13335),
    ] {
        assert_eq!(t.asn(v6(addr)), want, "the file itself: {addr}");
        let e = db.explain(ip(addr));
        assert_eq!(e.asn, want, "{addr}");
        assert_eq!(e.route.unwrap().source, "ip2asn-v6.20231208.tsv.gz");
    }
    // CLMV: the first routed range of each country in the file, and one from its middle
    let text = read_text(&asn("ip2asn-v6.20231208.tsv.gz"));
    let mut clmv = 0;
    for cc in ["KH", "LA", "MM", "VN"] {
        let lines: Vec<Vec<&str>> = text
            .lines()
            .map(|l| l.split('\t').collect::<Vec<_>>())
            .filter(|f| f[3] == cc && f[2] != "0")
            .collect();
        assert!(lines.len() > 5, "{cc}");
        for f in [&lines[0], &lines[lines.len() / 2]] {
            let x = v6(f[0]);
            let want = t.asn(x);
            assert_ne!(want, 0);
            assert_eq!(db.lookup_v6(x).asn, want, "{cc} {}", f[0]);
            clmv += 1;
        }
    }
    assert_eq!(clmv, 8);
    // every 20th line: both ends
    let mut n = 0;
    for r in t.rows.iter().step_by(20) {
        for x in [r.0, r.1] {
            assert_eq!(db.lookup_v6(x).asn, t.asn(x), "{:x}", x);
            n += 1;
        }
    }
    assert!(n > 15_000, "{n}");
    // IPv4 answers do not come from this source
    assert_eq!(
        db.explain(ip("8.8.8.8")).route.unwrap().source,
        "routeviews-rv2-20240406.pfx2as.gz"
    );
}

/// IPv6 country comes from APNIC's ranges; the ASN from iptoasn's table.
#[test]
fn ipv6_country_from_apnic() {
    let db = AsDb::embedded_shared();
    let text = read_text(&asn("delegated-apnic-latest.20241001"));
    let line = text
        .lines()
        .find(|l| l.starts_with("apnic|KH|ipv6|"))
        .unwrap();
    let f: Vec<&str> = line.split('|').collect();
    assert_eq!(
        db.lookup_v6(v6(f[3])),
        NetInfo {
            asn: V6Table::read().asn(v6(f[3])),
            country: Some(Country(*b"KH"))
        }
    );
    assert_eq!(
        db.lookup(ip("2001:db8::1")),
        NetInfo::UNKNOWN,
        "documentation prefix is unallocated"
    );
}

/// `build_compact` of the same sources gives a file that answers exactly like loading the
/// sources, over every range boundary of the table.
#[test]
fn compact_build_of_full_table_roundtrips() {
    let srcs = [
        asn("routeviews-rv2-20240406.pfx2as.gz"),
        asn("delegated-apnic-latest.20241001"),
    ];
    let direct = AsDb::load(&srcs).unwrap();
    let dir = std::env::temp_dir().join(format!("asdb-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("t.asdb");
    let stats = trombone_asdb::build_compact(&srcs, &out, &BuildOptions::default()).unwrap();
    assert_eq!(stats.routes_v4, 998_042);
    let back = AsDb::load(std::slice::from_ref(&out)).unwrap();
    let derived = read_text(&asn("ip2asn-v4-style.20240406.tsv.gz"));
    for line in derived.lines() {
        for a in line.split('\t').take(2) {
            let x = v4(a);
            assert_eq!(back.lookup_v4(x), direct.lookup_v4(x));
        }
    }
    assert_eq!(back.info().lookup_ranges_v4, direct.info().lookup_ranges_v4);
    assert_eq!(back.source(), direct.source());
    std::fs::remove_dir_all(&dir).unwrap();
}
