//! The directory built from the synthetic files in tests/data, checked against counts made by
//! hand from those files (tests/data/README.md lists them).

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use trombone_ixp::{
    DirectoryBuilder, Format, IpConflict, IxpDirectory, IxpId, Location, MacConflict, Origin,
};

fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(rel)
}

const IXF: [&str; 2] = ["ixf-1.0-cnx-synthetic.json", "ixf-0.4-vnix-synthetic.json"];
const PDB: [&str; 5] = [
    "peeringdb/ix.json",
    "peeringdb/ixlan.json",
    "peeringdb/ixpfx.json",
    "peeringdb/net.json",
    "peeringdb/netixlan.json",
];

fn paths(pdb_dump: bool) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = IXF.iter().map(|f| data(f)).collect();
    if pdb_dump {
        v.push(data("peeringdb/dump-synthetic.json"));
    } else {
        v.extend(PDB.iter().map(|f| data(f)));
    }
    v
}

fn dir() -> IxpDirectory {
    IxpDirectory::load(&paths(false)).unwrap()
}

fn id(d: &IxpDirectory, name: &str) -> IxpId {
    d.ixps()
        .iter()
        .find(|x| x.name == name)
        .unwrap_or_else(|| panic!("no IXP {name}"))
        .id
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn mac(last: u8) -> [u8; 6] {
    [0x02, 0x00, 0x5e, 0x10, 0x00, last]
}

#[test]
fn ixps_are_merged_across_sources() {
    let d = dir();
    let mut names: Vec<&str> = d.ixps().iter().map(|x| x.name.as_str()).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "CNX",
            "LAOIX",
            "MMIX",
            "PeeringDB ix 90009",
            "VNIX-HCM",
            "VNIX-HN"
        ]
    );
    let cnx = d.ixp(id(&d, "CNX")).unwrap();
    assert_eq!(cnx.country.as_deref(), Some("KH"));
    assert_eq!(cnx.city.as_deref(), Some("Phnom Penh")); // from PeeringDB
    assert_eq!(
        cnx.long_name.as_deref(),
        Some("Cambodian Network Exchange (synthetic example)") // IX-F wins
    );
    assert_eq!(cnx.peeringdb_id, Some(90001));
    assert_eq!(cnx.ixf_id, Some(901));
    assert_eq!(cnx.sources.len(), 2);
    let lans: Vec<String> = cnx.lans.iter().map(|p| p.to_string()).collect();
    assert_eq!(lans, ["192.0.2.0/24", "2001:db8:100::/64"]);
    let hn = d.ixp(id(&d, "VNIX-HN")).unwrap();
    assert_eq!(hn.country.as_deref(), Some("VN")); // "vn" in the export
    assert_eq!(hn.city.as_deref(), Some("Hanoi"));
    assert_eq!(hn.peeringdb_id, Some(90002)); // given as a string
    let hcm = d.ixp(id(&d, "VNIX-HCM")).unwrap();
    assert_eq!(hcm.lans[0].to_string(), "2001:db8:43::/64");
    assert_eq!(hcm.sources.len(), 1);
    assert_eq!(d.ixp_by_peeringdb_id(90004), Some(id(&d, "MMIX")));
    assert_eq!(d.ixp_by_peeringdb_id(90006), None); // deleted
    let ph = d.ixp(id(&d, "PeeringDB ix 90009")).unwrap();
    assert_eq!(ph.country, None);
}

#[test]
fn members_counted_by_hand() {
    let d = dir();
    let asns = |n: &str| -> Vec<u32> { d.members(id(&d, n)).iter().map(|m| m.asn).collect() };
    assert_eq!(
        asns("CNX"),
        [64496, 64497, 64498, 64499, 64500, 64501, 64503, 64504]
    );
    assert_eq!(asns("VNIX-HN"), [64496, 64500, 64510]);
    assert_eq!(asns("VNIX-HCM"), [64500]);
    assert_eq!(asns("MMIX"), [64500, 64505, 64506]);
    assert_eq!(asns("LAOIX"), [64507, 64508]);
    assert_eq!(asns("PeeringDB ix 90009"), [64509]);
    assert_eq!(d.member_count(), 18);

    let cnx = id(&d, "CNX");
    let a = d.member(64496, cnx).unwrap();
    assert_eq!(a.name.as_deref(), Some("Synthetic KH ISP A"));
    assert_eq!(a.origins, [Origin::IxF, Origin::PeeringDb]);
    assert!(a.route_server);
    assert_eq!(a.lan_ips, [ip("192.0.2.11"), ip("2001:db8:100::11")]);
    assert_eq!(a.macs.len(), 1);
    assert_eq!(
        d.member(64499, cnx).unwrap().member_type.as_deref(),
        Some("ixp")
    );
    assert!(!d.member(64497, cnx).unwrap().route_server);
    // Only in PeeringDB: the net name.
    assert_eq!(
        d.member(64503, cnx).unwrap().name.as_deref(),
        Some("Synthetic KH hosting")
    );
    assert_eq!(d.as_name(64496), Some("Synthetic KH ISP A"));
    assert_eq!(d.as_name(64505), Some("Synthetic MM ISP"));
    assert!(d.member(64502, cnx).is_none());
    assert!(d.member(64497, id(&d, "MMIX")).is_none());
}

#[test]
fn port_speeds() {
    let d = dir();
    let (cnx, hn, mm, la) = (
        id(&d, "CNX"),
        id(&d, "VNIX-HN"),
        id(&d, "MMIX"),
        id(&d, "LAOIX"),
    );
    // IX-F: two 10G interfaces; PeeringDB's 10000 is not added to them.
    assert_eq!(d.port_speed_mbps(64496, cnx), Some(20_000));
    assert_eq!(d.port_speed_mbps(64496, hn), Some(1_000));
    // The 10G connection is inactive.
    assert_eq!(d.port_speed_mbps(64497, cnx), Some(1_000));
    assert_eq!(d.port_speed_mbps(64498, cnx), Some(100_000));
    // PeeringDB only.
    assert_eq!(d.port_speed_mbps(64503, cnx), Some(1_000));
    assert_eq!(d.port_speed_mbps(64504, cnx), Some(1_000));
    // "10000" as a string.
    assert_eq!(d.port_speed_mbps(64500, hn), Some(10_000));
    // Several netixlans add up: 10000 + 1000, and 1000 + 1000 + 1000.
    assert_eq!(d.port_speed_mbps(64505, mm), Some(11_000));
    assert_eq!(d.port_speed_mbps(64506, mm), Some(3_000));
    // One netixlan joined through net_id and ixlan_id: 1000 + 1000.
    assert_eq!(d.port_speed_mbps(64507, la), Some(2_000));
    // operational: false.
    assert_eq!(d.port_speed_mbps(64508, la), None);
    assert_eq!(d.port_speed_mbps(64510, la), None);
}

#[test]
fn ixps_of_and_common_ixps() {
    let d = dir();
    let (cnx, hn, hcm, mm) = (
        id(&d, "CNX"),
        id(&d, "VNIX-HN"),
        id(&d, "VNIX-HCM"),
        id(&d, "MMIX"),
    );
    let mut want = vec![cnx, hn, hcm, mm];
    want.sort();
    assert_eq!(d.ixps_of(64500), want.as_slice());
    assert_eq!(d.ixps_of(64509).len(), 1);
    assert!(d.ixps_of(1).is_empty());
    assert_eq!(d.common_ixps(64496, 64500, &["KH"]), vec![cnx]);
    let mut kv = vec![cnx, hn];
    kv.sort();
    assert_eq!(d.common_ixps(64496, 64500, &["kh", "VN"]), kv);
    assert_eq!(d.common_ixps(64500, 64496, &["KH", "VN"]), kv);
    assert!(d.common_ixps(64496, 64500, &["MM", "LA"]).is_empty());
    assert!(d.common_ixps::<&str>(64496, 64500, &[]).is_empty());
    assert_eq!(d.common_ixps(64505, 64500, &[String::from("MM")]), vec![mm]);
    assert_eq!(d.shared_ixps(64496, 64500), kv);
    assert!(d.shared_ixps(64496, 64505).is_empty());
    // The IXP of unknown country is in no zone.
    assert!(d
        .common_ixps(64509, 64509, &["KH", "LA", "MM", "VN"])
        .is_empty());
}

#[test]
fn lan_addresses() {
    let d = dir();
    assert_eq!(d.asn_by_lan_ip(ip("192.0.2.11")), Some(64496));
    assert_eq!(d.asn_by_lan_ip(ip("2001:db8:100::11")), Some(64496));
    assert_eq!(d.asn_by_lan_ip(ip("192.0.2.12")), Some(64497));
    // On an inactive connection.
    assert_eq!(d.asn_by_lan_ip(ip("192.0.2.112")), None);
    // IX-F says AS64498, PeeringDB AS64504: the IX-F export wins.
    assert_eq!(d.asn_by_lan_ip(ip("192.0.2.13")), Some(64498));
    assert_eq!(d.asn_by_lan_ip(ip("192.0.2.30")), Some(64503));
    assert_eq!(d.asn_by_lan_ip(ip("198.51.100.130")), Some(64500));
    assert_eq!(d.asn_by_lan_ip(ip("2001:db8:43::1")), Some(64500));
    assert_eq!(d.asn_by_lan_ip(ip("203.0.113.17")), Some(64507));
    assert_eq!(d.asn_by_lan_ip(ip("203.0.113.8")), None); // not operational
    assert_eq!(d.asn_by_lan_ip(ip("198.51.100.200")), Some(64509));
    // Two PeeringDB records give one address to two networks: it answers none.
    assert_eq!(d.asn_by_lan_ip(ip("198.51.100.99")), None);
    assert_eq!(
        d.ip_conflicts(),
        [IpConflict {
            ip: ip("198.51.100.99"),
            asns: vec![64505, 64506]
        }]
    );
    // Which IXP's LAN: member address first, else the longest covering prefix.
    assert_eq!(d.ixp_of_lan_ip(ip("192.0.2.112")), Some(id(&d, "CNX")));
    assert_eq!(
        d.ixp_of_lan_ip(ip("198.51.100.196")),
        Some(id(&d, "VNIX-HN"))
    );
    assert_eq!(
        d.ixp_of_lan_ip(ip("198.51.100.220")),
        Some(id(&d, "PeeringDB ix 90009"))
    );
    assert_eq!(
        d.ixp_of_lan_ip(ip("198.51.100.150")),
        Some(id(&d, "VNIX-HN"))
    );
    assert_eq!(d.ixp_of_lan_ip(ip("198.51.100.50")), Some(id(&d, "MMIX")));
    assert_eq!(d.ixp_of_lan_ip(ip("100.64.0.1")), None);
}

#[test]
fn macs() {
    let d = dir();
    assert_eq!(d.mac_count(), 10);
    assert_eq!(d.members_by_mac(&mac(0x11), Some(100)), Some(64496));
    assert_eq!(d.members_by_mac(&mac(0x11), None), Some(64496));
    assert_eq!(d.members_by_mac(&mac(0x11), Some(200)), None);
    assert_eq!(d.members_by_mac(&mac(0x13), Some(100)), Some(64498));
    assert_eq!(d.members_by_mac(&mac(0x01), Some(100)), Some(64499));
    assert_eq!(d.members_by_mac(&mac(0x20), None), Some(64500));
    // Claimed by AS64498 and AS64501.
    assert_eq!(d.members_by_mac(&mac(0x14), Some(100)), None);
    assert_eq!(d.members_by_mac(&mac(0x14), None), None);
    // Inactive connection.
    assert_eq!(d.members_by_mac(&mac(0xaa), None), None);
    // 0.4 layout: mac_address beside ipv4/ipv6.
    assert_eq!(
        d.members_by_mac(&[0x02, 0x00, 0x5e, 0x42, 0x00, 0x10], Some(0)),
        Some(64510)
    );
    assert_eq!(
        d.members_by_mac(&[0x02, 0x00, 0x5e, 0x43, 0x00, 0x01], Some(0)),
        Some(64500)
    );
    assert_eq!(
        d.mac_conflicts(),
        [
            MacConflict {
                mac: mac(0x14),
                vlan: None,
                asns: vec![64498, 64501]
            },
            MacConflict {
                mac: mac(0x14),
                vlan: Some(100),
                asns: vec![64498, 64501]
            }
        ]
    );
}

#[test]
fn warnings_name_file_and_path() {
    let d = dir();
    let w: Vec<String> = d.warnings().iter().map(|w| w.to_string()).collect();
    let has = |file: &str, path: &str| {
        assert!(
            d.warnings()
                .iter()
                .any(|w| w.file.ends_with(file) && w.path() == Some(path)),
            "no warning at {file} {path}: {w:#?}"
        )
    };
    let cnx = IXF[0];
    has(cnx, "member_list[6].asnum");
    has(cnx, "member_list[7].connection_list[0].ixp_id");
    has(
        cnx,
        "member_list[4].connection_list[0].vlan_list[0].ipv4.mac_addresses[1]",
    );
    has(
        cnx,
        "member_list[5].connection_list[0].vlan_list[0].ipv4.mac_addresses[0]",
    );
    has("netixlan.json", "data[2].ipaddr4");
    has("netixlan.json", "data[8].ipaddr4");
    assert_eq!(d.warning_count(), 6, "{w:#?}");
    assert_eq!(d.warnings().len(), 6);
    for x in d.warnings() {
        assert!(x.to_string().starts_with(&x.file));
    }
}

#[test]
fn files_and_formats() {
    let d = dir();
    let f = d.files();
    assert_eq!(f.len(), 7);
    assert_eq!((f[0].format, f[0].ixps, f[0].members), (Format::IxF, 1, 6));
    assert_eq!((f[1].format, f[1].ixps, f[1].members), (Format::IxF, 2, 4));
    assert_eq!((f[2].format, f[2].ixps), (Format::PeeringDb, 4));
    assert_eq!((f[6].format, f[6].members), (Format::PeeringDb, 13));
}

/// Everything a query can see, by IXP name (ids aside).
fn summary(d: &IxpDirectory) -> Vec<String> {
    let mut out = Vec::new();
    for x in d.ixps() {
        out.push(format!(
            "{} {:?} {:?} {:?} {:?} {:?}",
            x.name, x.long_name, x.country, x.city, x.peeringdb_id, x.lans
        ));
        for m in d.members(x.id) {
            out.push(format!(
                "  {} {:?} {:?} {:?} {:?} {} {:?}",
                m.asn,
                m.name,
                m.port_speed_mbps(),
                m.lan_ips,
                m.macs,
                m.route_server,
                m.origins
            ));
        }
    }
    out.push(format!("{:?} {:?}", d.ip_conflicts(), d.mac_conflicts()));
    out
}

#[test]
fn dump_and_per_type_files_agree() {
    let a = dir();
    let b = IxpDirectory::load(&paths(true)).unwrap();
    assert_eq!(summary(&a), summary(&b));
    assert_eq!(a.warning_count(), b.warning_count());
    let bw: Vec<_> = b.warnings().iter().filter_map(|w| w.path()).collect();
    assert!(bw.contains(&"netixlan.data[2].ipaddr4"), "{bw:?}");
}

#[test]
fn order_of_files_does_not_matter() {
    let a = dir();
    let mut p = paths(false);
    p.reverse();
    let b = IxpDirectory::load(&p).unwrap();
    assert_eq!(summary(&a), summary(&b));
    for x in a.ixps() {
        assert_eq!(id(&b, &x.name), x.id);
    }
}

#[test]
fn errors_name_file_and_place() {
    let mut b = DirectoryBuilder::new();
    let e = b
        .add_ixf(
            "t.json",
            b"{\"ixp_list\": [],\n \"member_list\": [ {\"asnum\": 1,",
        )
        .unwrap_err();
    assert_eq!(e.file, "t.json");
    assert!(matches!(e.location, Location::Line { line: 2, .. }), "{e}");
    let e = b
        .add_ixf(
            "t.json",
            b"{\"ixp_list\": [],\n\"member_list\": {\"a\": 1}}",
        )
        .unwrap_err();
    // Line 2 is `"member_list": {"a": 1}}`: the `{` is its 16th character.
    assert_eq!(
        e.location,
        Location::Line {
            line: 2,
            column: 16
        },
        "{e}"
    );
    assert!(e
        .to_string()
        .starts_with("t.json: line 2 column 16: invalid type"));
    let e = b.add_ixf("t.json", b"{\"member_list\": []}").unwrap_err();
    assert_eq!(e.to_string(), "t.json: IX-F member export without ixp_list");
    let e = b
        .add_ixf(
            "t.json",
            br#"{"ixp_list": [{"shortname": "x"}], "member_list": []}"#,
        )
        .unwrap_err();
    assert_eq!(e.location, Location::Path("ixp_list".into()));
    let e = b
        .add_ixf(
            "t.json",
            br#"{"ixp_list": [{"ixp_id": 1}], "member_list": [{"asnum": 1, "connection_list": [{"ixp_id": 1, "if_list": [{"if_speed": -5}]}]}]}"#,
        )
        .unwrap_err();
    assert!(e.to_string().contains("invalid value: integer `-5`"), "{e}");
    let e = b.add_peeringdb("p.json", b"{\"foo\": 1}").unwrap_err();
    assert!(
        e.to_string().starts_with("p.json: not a PeeringDB file"),
        "{e}"
    );
    let e = b.add_bytes("x.bin", b"\x00\x01").unwrap_err();
    assert_eq!(e.location, Location::File);
    let e = b
        .add_path(Path::new("/nonexistent/trombone-ixp.json"))
        .unwrap_err();
    assert!(
        e.to_string()
            .starts_with("/nonexistent/trombone-ixp.json: "),
        "{e}"
    );
    // Nothing was added by the failures.
    assert_eq!(b.build().ixps().len(), 0);
}

#[test]
fn bare_list_and_kind_from_file_name() {
    // A bare list of minimal ix records: the keys say "ix".
    let mut b = DirectoryBuilder::new();
    b.add_peeringdb(
        "whatever.json",
        br#"[{"id": 1, "name": "A-IX", "country": "KH", "city": "Phnom Penh"}]"#,
    )
    .unwrap();
    // netixlan records without asn/ix_id: only the file name says what they are.
    b.add_peeringdb(
        "peeringdb-netixlan-2024.json",
        br#"{"data": [{"net_id": 5, "ixlan_id": 7, "speed": 1000, "ipaddr4": "192.0.2.9"}]}"#,
    )
    .unwrap();
    b.add_peeringdb(
        "net.json",
        br#"{"data": [{"id": 5, "asn": 64511, "name": "N"}]}"#,
    )
    .unwrap();
    b.add_peeringdb("ixlan.json", br#"{"data": [{"id": 7, "ix_id": 1}]}"#)
        .unwrap();
    let d = b.build();
    assert_eq!(d.ixps().len(), 1);
    let x = d.ixps()[0].id;
    assert_eq!(d.port_speed_mbps(64511, x), Some(1000));
    assert_eq!(d.asn_by_lan_ip(ip("192.0.2.9")), Some(64511));
    assert_eq!(d.common_ixps(64511, 64511, &["KH"]), vec![x]);
}

#[test]
fn detect_formats() {
    use trombone_ixp::detect;
    for f in IXF {
        assert_eq!(detect(&std::fs::read(data(f)).unwrap()), Some(Format::IxF));
    }
    for f in PDB {
        assert_eq!(
            detect(&std::fs::read(data(f)).unwrap()),
            Some(Format::PeeringDb)
        );
    }
    assert_eq!(detect(b"  [1]"), Some(Format::PeeringDb));
    assert_eq!(detect(b"hello"), None);
    assert_eq!(detect(b""), None);
}
