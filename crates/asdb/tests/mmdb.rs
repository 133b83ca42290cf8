//! MaxMind DB loader checked against MaxMind's own test databases and the JSON they were built
//! from; corrupt databases must give errors (never a panic).

mod common;

use std::net::Ipv6Addr;
use std::path::PathBuf;

use common::*;
use serde_json::Value;
use trombone_asdb::{AsDb, Country, Location, NetInfo};

/// One network of a source JSON: family, first and last address, record.
struct Net {
    v4: bool,
    start: u128,
    end: u128,
    rec: Value,
}

/// Parses `source-data/NAME.json` (a list of `{cidr: record}`); `::a.b.c.d/len` with len >= 96
/// is the IPv4 network a.b.c.d/(len-96), as the mmdb writer stores it.
fn source_nets(name: &str) -> Vec<Net> {
    let j: Value =
        serde_json::from_str(&read_text(&mmdb(&format!("source-data/{name}.json")))).unwrap();
    let mut out = Vec::new();
    for item in j.as_array().unwrap() {
        for (cidr, rec) in item.as_object().unwrap() {
            let (a, len) = cidr.split_once('/').unwrap();
            let len: u32 = len.parse().unwrap();
            if a.contains(':') {
                let x = u128::from(a.parse::<Ipv6Addr>().unwrap());
                if x >> 32 == 0 && len >= 96 {
                    let l4 = len - 96;
                    let host = if l4 == 32 { 0 } else { u32::MAX >> l4 };
                    out.push(Net {
                        v4: true,
                        start: x,
                        end: x | u128::from(host),
                        rec: rec.clone(),
                    });
                } else {
                    let host = if len == 128 { 0 } else { u128::MAX >> len };
                    out.push(Net {
                        v4: false,
                        start: x,
                        end: x | host,
                        rec: rec.clone(),
                    });
                }
            } else {
                let x = v4(a);
                let host = if len == 32 { 0 } else { u32::MAX >> len };
                out.push(Net {
                    v4: true,
                    start: u128::from(x),
                    end: u128::from(x | host),
                    rec: rec.clone(),
                });
            }
        }
    }
    out
}

/// What the combining rule says a record means for a single-source database.
fn expected(rec: &Value) -> NetInfo {
    let asn = rec
        .get("autonomous_system_number")
        .and_then(Value::as_u64)
        .unwrap_or(0) as u32;
    let iso = |k: &str| {
        rec.get(k)
            .and_then(|c| c.get("iso_code"))
            .and_then(Value::as_str)
    };
    let country = iso("country")
        .or_else(|| iso("registered_country"))
        .map(|c| c.parse::<Country>().unwrap());
    NetInfo { asn, country }
}

/// Checks the first and last address of every source network that contains no other source
/// network (so the answer there is that record's own, whatever the writer's insertion order).
fn check_against_source(db_file: &str, json: &str) -> usize {
    let db = AsDb::load(&[mmdb(&format!("test-data/{db_file}"))]).unwrap();
    let nets = source_nets(json);
    let mut checked = 0;
    for n in &nets {
        let nested = nets.iter().any(|o| {
            o.v4 == n.v4
                && (o.start, o.end) != (n.start, n.end)
                && o.start >= n.start
                && o.end <= n.end
        });
        if nested {
            continue;
        }
        let want = expected(&n.rec);
        for x in [n.start, n.end] {
            let got = if n.v4 {
                db.lookup_v4(x as u32)
            } else {
                db.lookup_v6(x)
            };
            assert_eq!(got, want, "{db_file}: {:x} in record {}", x, n.rec);
        }
        checked += 1;
    }
    checked
}

#[test]
fn geolite2_asn_agrees_with_its_json() {
    assert!(check_against_source("GeoLite2-ASN-Test.mmdb", "GeoLite2-ASN-Test") > 600);
    let db = AsDb::load(&[mmdb("test-data/GeoLite2-ASN-Test.mmdb")]).unwrap();
    // 1.0.0.0/24 -> AS15169 "Google Inc." in the JSON.
    assert_eq!(db.lookup(ip("1.0.0.77")).asn, 15169);
    assert_eq!(db.as_name(15169), Some("Google Inc."));
    let s = &db.sources()[0];
    assert_eq!(s.format, "mmdb");
    assert_eq!(s.description.as_deref(), Some("GeoLite2-ASN"));
    assert!(s.date.is_some());
    assert!(s.attribution.as_deref().unwrap().contains("MaxMind"));
}

#[test]
fn geolite2_and_geoip2_country_and_city_agree_with_their_json() {
    assert!(check_against_source("GeoLite2-Country-Test.mmdb", "GeoLite2-Country-Test") > 200);
    assert!(check_against_source("GeoLite2-City-Test.mmdb", "GeoLite2-City-Test") > 200);
    assert!(check_against_source("GeoIP2-Country-Test.mmdb", "GeoIP2-Country-Test") > 200);
    assert!(check_against_source("GeoIP2-City-Test.mmdb", "GeoIP2-City-Test") > 200);
}

#[test]
fn geoip2_isp_asn_fields_agree_with_its_json() {
    assert!(check_against_source("GeoIP2-ISP-Test.mmdb", "GeoIP2-ISP-Test") > 1000);
}

/// A country mmdb supplies range countries that override an ASN's registered country.
#[test]
fn mmdb_country_combines_with_routing() {
    let rv = b"2.125.160.0\t19\t65001\n";
    let rir = b"apnic|JP|asn|65001|1|20020801|allocated\n";
    let country = std::fs::read(mmdb("test-data/GeoLite2-Country-Test.mmdb")).unwrap();
    let db = AsDb::load_bytes(&[("r.pfx2as", rv), ("d.rir", rir), ("c.mmdb", &country)]).unwrap();
    // GeoLite2-Country-Test.json: 2.125.160.216/29 -> country GB (registered FR).
    assert_eq!(
        db.lookup(ip("2.125.160.217")),
        NetInfo {
            asn: 65001,
            country: Some(Country(*b"GB"))
        }
    );
    // Elsewhere in the routed /19 the ASN's registered country (JP) applies.
    assert_eq!(
        db.lookup(ip("2.125.161.1")),
        NetInfo {
            asn: 65001,
            country: Some(Country(*b"JP"))
        }
    );
}

fn mmdb_files(dir: PathBuf) -> Vec<PathBuf> {
    let mut v = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            v.extend(mmdb_files(p));
        } else if p.extension().is_some_and(|x| x == "mmdb") {
            v.push(p);
        }
    }
    v.sort();
    v
}

/// Every deliberately broken database is an error naming the file. (The one structurally valid
/// file there, with build_epoch = u64::MAX, is refused by the reader's verification as an
/// impossible build time, which is the conservative answer.)
#[test]
fn bad_data_gives_errors_not_panics() {
    let files = mmdb_files(mmdb("bad-data"));
    assert!(files.len() >= 20);
    for f in files {
        let name = f.display().to_string();
        match AsDb::load(std::slice::from_ref(&f)) {
            Ok(_) => panic!("{name}: corrupt database accepted"),
            Err(e) => {
                assert!(e.to_string().starts_with(&name), "{e}");
                if name.ends_with("uint64-max-epoch.mmdb") {
                    assert!(e.message.contains("build_epoch"), "{e}");
                }
            }
        }
    }
}

/// The broken databases among the test data, and every truncation of a good one, are errors.
#[test]
fn broken_and_truncated_test_databases_are_errors() {
    for f in [
        "MaxMind-DB-test-broken-pointers-24.mmdb",
        "MaxMind-DB-test-broken-search-tree-24.mmdb",
    ] {
        let e = AsDb::load(&[mmdb(&format!("test-data/{f}"))]).err();
        assert!(e.is_some(), "{f} accepted");
    }
    let good = std::fs::read(mmdb("test-data/GeoLite2-ASN-Test.mmdb")).unwrap();
    for cut in (0..good.len()).step_by(97) {
        let r = AsDb::load_bytes(&[("cut.mmdb", &good[..cut])]);
        let e = r
            .err()
            .unwrap_or_else(|| panic!("truncated at {cut} accepted"));
        assert!(e.to_string().starts_with("cut.mmdb"), "{e}");
        if let Location::Offset(o) = e.location {
            assert!(o <= cut as u64 + 16, "offset {o} beyond the {cut} bytes");
        }
    }
}

/// Every test database of the suite loads or fails cleanly (no panic), whatever its layout.
#[test]
fn every_test_database_loads_or_errors_cleanly() {
    for f in mmdb_files(mmdb("test-data")) {
        let _ = AsDb::load(std::slice::from_ref(&f));
    }
}
