//! Loaders for the text formats, checked against the real shared files: every expected answer is
//! read from the source files themselves.

mod common;

use common::*;
use trombone_asdb::{AsDb, Country, Format, NetInfo};

fn cc(s: &str) -> Option<Country> {
    match s {
        "None" | "" | "ZZ" => None, // ZZ: "unknown", treated as no country
        c => Some(c.parse().unwrap()),
    }
}

/// The shared ip2asn-style table loads, and every one of its 428k ranges answers with its own
/// ASN and country column at the first, middle and last address.
#[test]
fn ip2asn_tsv_every_line_agrees() {
    let p = asn("ip2asn-v4-style.20240406.tsv.gz");
    let db = AsDb::load(std::slice::from_ref(&p)).unwrap();
    assert_eq!(db.sources()[0].format, Format::Ip2Asn.name());
    assert_eq!(
        db.source().date.as_deref(),
        Some("2024-04-06"),
        "date from the file name"
    );
    let text = read_text(&p);
    let mut n = 0;
    for line in text.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        let (s, e, a) = (v4(f[0]), v4(f[1]), f[2].parse::<u32>().unwrap());
        let want = NetInfo {
            asn: a,
            country: if a == 0 { None } else { cc(f[3]) },
        };
        for x in [s, s + (e - s) / 2, e] {
            assert_eq!(db.lookup_v4(x), want, "{line}");
        }
        if a != 0 && f[4] != "Unknown" {
            assert_eq!(db.as_name(a), Some(f[4].trim()), "{line}");
        }
        n += 1;
    }
    assert!(n > 400_000);
    assert_eq!(
        db.info().lookup_ranges_v4,
        n,
        "ranges are the file's lines (all adjacent ranges differ)"
    );
}

/// CAIDA pfx2as flattened by our longest-prefix match equals the shared ip2asn table, which its
/// publisher derived from the same pfx2as file by LPM with the first-AS rule.
#[test]
fn pfx2as_lpm_matches_the_derived_table() {
    let db = AsDb::load(&[asn("routeviews-rv2-20240406.pfx2as.gz")]).unwrap();
    let s = &db.sources()[0];
    assert_eq!(s.format, Format::Pfx2as.name());
    let text = read_text(&asn("routeviews-rv2-20240406.pfx2as.gz"));
    let lines = text.lines().count() as u64;
    assert_eq!(s.records, lines);
    assert_eq!(s.routes_v4, lines);
    assert_eq!(s.skipped_total(), 0);
    let multi = text.lines().filter(|l| l.contains('_')).count() as u64;
    assert_eq!(
        s.notes
            .get("multi-origin prefixes (a_b): first origin used"),
        Some(&multi)
    );
    assert!(s
        .attribution
        .as_deref()
        .unwrap()
        .contains("CAIDA UCSD RouteViews Prefix-to-AS"));
    let derived = read_text(&asn("ip2asn-v4-style.20240406.tsv.gz"));
    for line in derived.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        let a: u32 = f[2].parse().unwrap();
        assert_eq!(db.lookup_v4(v4(f[0])).asn, a, "{line}");
        assert_eq!(db.lookup_v4(v4(f[1])).asn, a, "{line}");
    }
    // Multi-origin and AS-set lines: the prefix's own first AS where it is the most specific.
    for (pfx, want) in [("1.2.4.0", 24151), ("49.15.128.0", 45271)] {
        let line = text
            .lines()
            .find(|l| l.starts_with(&format!("{pfx}\t")))
            .unwrap();
        let first: u32 = line
            .split('\t')
            .nth(2)
            .unwrap()
            .split(['_', ','])
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(first, want);
        assert_eq!(db.lookup(ip(pfx)).asn, want);
    }
}

/// APNIC delegated stats: every allocated/assigned IPv4 and IPv6 record gives its country at its
/// first and last address, and every ASN record the ASN's registered country.
#[test]
fn rir_delegated_every_record_agrees() {
    let p = asn("delegated-apnic-latest.20241001");
    let db = AsDb::load(std::slice::from_ref(&p)).unwrap();
    let s = &db.sources()[0];
    assert_eq!(s.format, Format::RirDelegated.name());
    assert_eq!(s.date.as_deref(), Some("2024-10-01"));
    assert!(s.attribution.as_deref().unwrap().contains("APNIC"));
    let text = read_text(&p);
    let (mut n4, mut n6, mut nasn) = (0u64, 0u64, 0u64);
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let f: Vec<&str> = line.split('|').collect();
        if f.len() < 7 || !(f[6] == "allocated" || f[6] == "assigned") {
            continue;
        }
        let want = NetInfo {
            asn: 0,
            country: cc(f[1]),
        };
        match f[2] {
            "ipv4" => {
                let (start, count) = (v4(f[3]), f[4].parse::<u32>().unwrap());
                assert_eq!(db.lookup_v4(start), want, "{line}");
                assert_eq!(db.lookup_v4(start + (count - 1)), want, "{line}");
                n4 += 1;
            }
            "ipv6" => {
                let (start, len) = (v6(f[3]), f[4].parse::<u32>().unwrap());
                let last = start | (u128::MAX >> len);
                assert_eq!(db.lookup_v6(start), want, "{line}");
                assert_eq!(db.lookup_v6(last), want, "{line}");
                n6 += 1;
            }
            "asn" => {
                let (first, count) = (f[3].parse::<u32>().unwrap(), f[4].parse::<u32>().unwrap());
                assert_eq!(db.asn_country(first), cc(f[1]), "{line}");
                assert_eq!(db.asn_country(first + count - 1), cc(f[1]), "{line}");
                nasn += 1;
            }
            _ => panic!("unexpected type in {line}"),
        }
    }
    assert_eq!((s.country_ranges_v4, s.country_ranges_v6), (n4, n6));
    assert!(nasn > 10_000 && n4 > 40_000 && n6 > 10_000);
    // Unallocated space and an ARIN-region address: unknown.
    assert_eq!(db.lookup(ip("8.8.8.8")), NetInfo::UNKNOWN);
}

/// pmacct networks_file: a file in pmacct's `asn,prefix/len` and `peer_asn,prefix/len` forms
/// written from the first 20k pfx2as lines answers like pfx2as itself.
#[test]
fn pmacct_networks_file_from_real_prefixes() {
    let text = read_text(&asn("routeviews-rv2-20240406.pfx2as.gz"));
    let sample: Vec<&str> = text.lines().take(20_000).collect();
    let mut pfx = String::new();
    let mut nets = String::from("! pmacct networks_file written from RouteViews pfx2as\n");
    for (i, l) in sample.iter().enumerate() {
        let f: Vec<&str> = l.split('\t').collect();
        let first = f[2].split(['_', ',']).next().unwrap();
        pfx.push_str(&format!("{}\t{}\t{}\n", f[0], f[1], first));
        if i % 2 == 0 {
            nets.push_str(&format!("{first},{}/{}\n", f[0], f[1]));
        } else {
            nets.push_str(&format!("64512_{first},{}/{}\n", f[0], f[1]));
        }
    }
    let a = AsDb::load_bytes(&[("nets.lst", nets.as_bytes())]).unwrap();
    let b = AsDb::load_bytes(&[("p.pfx2as", pfx.as_bytes())]).unwrap();
    assert_eq!(a.sources()[0].format, Format::Pmacct.name());
    assert_eq!(a.sources()[0].routes_v4, 20_000);
    for l in &sample {
        let start = v4(l.split('\t').next().unwrap());
        for x in [start.saturating_sub(1), start, start + 1] {
            assert_eq!(a.lookup_v4(x), b.lookup_v4(x), "{l}");
        }
    }
}
