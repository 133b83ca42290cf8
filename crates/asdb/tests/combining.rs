//! The combining rule (crate docs), checked on small hand-made sources with hand-computed answers.

use trombone_asdb::{AsDb, Country, CountryOrigin, NetInfo};

fn c(s: &str) -> Option<Country> {
    Some(s.parse().unwrap())
}

fn at(db: &AsDb, ip: &str) -> NetInfo {
    db.lookup(ip.parse().unwrap())
}

const PFX: &[u8] = b"10.0.0.0\t8\t100\n10.1.0.0\t16\t200\n10.1.2.0\t24\t300\n2001:db8::\t32\t400\n";
const RIR: &[u8] = b"2|apnic|20241001|3|19830613|20240930|+1000\n\
apnic|KH|ipv4|10.1.2.0|128|20110412|allocated\n\
apnic|LA|asn|100|1|20020801|allocated\n\
apnic|VN|ipv6|2001:db8:8000::|33|20120307|assigned\n";
const TSV: &[u8] =
    b"10.0.0.0\t10.0.255.255\t100\tMM\tHUNDRED-TSV\n10.1.0.0\t10.1.255.255\t200\tTH\tTWOHUNDRED\n";
const NAMES: &[u8] =
    br#"{"100": "HUNDRED, SG", "300": "THREEHUNDRED, JP", "400": "FOURHUNDRED, US"}"#;

#[test]
fn country_precedence_range_then_rir_asn_then_column_then_name_suffix() {
    let db = AsDb::load_bytes(&[("p", PFX), ("d", RIR), ("t", TSV), ("n", NAMES)]).unwrap();
    // 10.1.2.0/25 is in the KH RIR range: range country wins over AS300's JP.
    assert_eq!(
        at(&db, "10.1.2.5"),
        NetInfo {
            asn: 300,
            country: c("KH")
        }
    );
    // 10.1.2.128: outside the 128-address RIR range; AS300 only has the name suffix JP.
    assert_eq!(
        at(&db, "10.1.2.200"),
        NetInfo {
            asn: 300,
            country: c("JP")
        }
    );
    // AS100: RIR asn record LA beats the ip2asn column MM and the name suffix SG.
    assert_eq!(
        at(&db, "10.200.0.1"),
        NetInfo {
            asn: 100,
            country: c("LA")
        }
    );
    // AS200: only the ip2asn column (TH).
    assert_eq!(
        at(&db, "10.1.9.9"),
        NetInfo {
            asn: 200,
            country: c("TH")
        }
    );
    // IPv6: AS400 US by name suffix; the VN range overrides in its /33.
    assert_eq!(
        at(&db, "2001:db8::1"),
        NetInfo {
            asn: 400,
            country: c("US")
        }
    );
    assert_eq!(
        at(&db, "2001:db8:8000::1"),
        NetInfo {
            asn: 400,
            country: c("VN")
        }
    );
    // Unknown.
    assert_eq!(at(&db, "11.0.0.1"), NetInfo::UNKNOWN);
    assert_eq!(at(&db, "2001:db9::"), NetInfo::UNKNOWN);
    // Names: first source with a name for the ASN (here the TSV, listed before the JSON).
    assert_eq!(db.as_name(100), Some("HUNDRED-TSV"));
    assert_eq!(db.as_name(300), Some("THREEHUNDRED"));
}

#[test]
fn routing_longest_prefix_across_files_and_earlier_file_on_ties() {
    let a = b"10.0.0.0\t8\t1\n10.5.0.0\t16\t2\n";
    let b = b"65003,10.5.0.0/16\n65004,10.5.5.0/24\n";
    let db = AsDb::load_bytes(&[("a.pfx2as", a), ("b.lst", b)]).unwrap();
    assert_eq!(at(&db, "10.4.0.0").asn, 1);
    assert_eq!(
        at(&db, "10.5.1.1").asn,
        2,
        "equal /16: the earlier file wins"
    );
    assert_eq!(
        at(&db, "10.5.5.5").asn,
        65004,
        "the longer prefix wins whatever the file order"
    );
    let db = AsDb::load_bytes(&[("b.lst", b), ("a.pfx2as", a)]).unwrap();
    assert_eq!(at(&db, "10.5.1.1").asn, 65003);
}

#[test]
fn address_with_range_country_but_no_route() {
    let db = AsDb::load_bytes(&[("d", RIR)]).unwrap();
    assert_eq!(
        at(&db, "10.1.2.1"),
        NetInfo {
            asn: 0,
            country: c("KH")
        }
    );
    assert_eq!(at(&db, "10.1.3.1"), NetInfo::UNKNOWN);
}

#[test]
fn explain_names_prefix_range_and_sources() {
    let db = AsDb::load_bytes(&[("p", PFX), ("d", RIR), ("t", TSV), ("n", NAMES)]).unwrap();
    let e = db.explain("10.1.2.5".parse().unwrap());
    let r = e.route.unwrap();
    assert_eq!(
        (r.prefix.as_str(), r.asn, r.source.as_str()),
        ("10.1.2.0/24", 300, "p")
    );
    assert_eq!(e.as_name.as_deref(), Some("THREEHUNDRED"));
    assert_eq!(
        e.country_origin,
        CountryOrigin::Range {
            range: "10.1.2.0/25".into(),
            source: "d".into()
        }
    );
    let e = db.explain("10.200.0.1".parse().unwrap());
    assert_eq!(e.route.unwrap().prefix, "10.0.0.0/8");
    assert_eq!(
        e.country_origin,
        CountryOrigin::AsnRegistration { source: "d".into() }
    );
    // The TSV range 10.0.0.0-10.0.255.255 is a /16 and is more specific than the /8 of "p".
    let e = db.explain("10.0.1.1".parse().unwrap());
    let r = e.route.unwrap();
    assert_eq!((r.prefix.as_str(), r.source.as_str()), ("10.0.0.0/16", "t"));
    let e = db.explain("11.0.0.1".parse().unwrap());
    assert_eq!(
        (e.asn, e.route, e.country_origin),
        (0, None, CountryOrigin::Unknown)
    );
}

#[test]
fn non_cidr_range_is_shown_as_a_range() {
    let db = AsDb::load_bytes(&[("t", b"1.0.4.0\t1.0.6.255\t38803\tAU\tGOLDENIT\n".as_slice())])
        .unwrap();
    let e = db.explain("1.0.5.1".parse().unwrap());
    assert_eq!(e.route.unwrap().prefix, "1.0.4.0-1.0.6.255");
}

#[test]
fn info_counts_and_date_rule() {
    let db = AsDb::load_bytes(&[("p-20240406", PFX), ("d", RIR), ("n", NAMES)]).unwrap();
    let i = db.info();
    assert_eq!(
        (
            i.routes_v4,
            i.routes_v6,
            i.country_ranges_v4,
            i.country_ranges_v6
        ),
        (3, 1, 1, 1)
    );
    assert_eq!(i.as_names, 3);
    // Date: the oldest routing source's (p, from its name); the RIR file is newer and not routing.
    assert_eq!(db.source().date.as_deref(), Some("2024-04-06"));
    assert!(i.memory_bytes >= i.lookup_bytes && i.lookup_bytes > 0);
    let json = serde_json::to_value(db.source()).unwrap();
    assert_eq!(json["date"], "2024-04-06");
}

#[test]
fn load_error_names_file_and_line() {
    let e = AsDb::load_bytes(&[
        ("good", PFX),
        (
            "bad.tsv",
            b"1.0.0.0\t1.0.0.255\t1\tUS\tx\n1.0.0.9\t1.0.1.0\t2\tUS\ty\n",
        ),
    ])
    .unwrap_err();
    assert_eq!(
        e.to_string().split(':').take(2).collect::<Vec<_>>(),
        vec!["bad.tsv", " line 2"]
    );
    let e = AsDb::load(&["/nonexistent/x.tsv".into()]).unwrap_err();
    assert!(
        e.to_string().starts_with("/nonexistent/x.tsv: cannot read"),
        "{e}"
    );
}

#[test]
fn as0_has_no_name_or_country() {
    let db = AsDb::load_bytes(&[(
        "n",
        br#"{"0": "-Reserved AS-, ZZ", "1": "ONE, US"}"#.as_slice(),
    )])
    .unwrap();
    assert_eq!(db.as_name(0), None);
    assert_eq!(db.as_name(1), Some("ONE"));
    assert_eq!(db.asn_country(0), None);
}
