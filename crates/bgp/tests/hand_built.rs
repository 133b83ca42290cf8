//! The reader and the table on MRT bytes built by hand (small builders below), with answers
//! worked out by hand from what was built.

use std::net::IpAddr;

use trombone_bgp::{transit_of, AsPath, Basis, Origin, Prefix, Rib, Segment, SegmentKind};

// ---------- builders ----------

fn mrt(ty: u16, sub: u16, body: &[u8]) -> Vec<u8> {
    let mut v = Vec::new();
    v.extend_from_slice(&1_400_000_000u32.to_be_bytes());
    v.extend_from_slice(&ty.to_be_bytes());
    v.extend_from_slice(&sub.to_be_bytes());
    v.extend_from_slice(&(body.len() as u32).to_be_bytes());
    v.extend_from_slice(body);
    v
}

fn ip_bytes(ip: &str) -> Vec<u8> {
    match ip.parse::<IpAddr>().unwrap() {
        IpAddr::V4(a) => a.octets().to_vec(),
        IpAddr::V6(a) => a.octets().to_vec(),
    }
}

/// PEER_INDEX_TABLE with 4-byte AS peers.
fn peer_table(peers: &[(&str, u32)]) -> Vec<u8> {
    let mut b = vec![192, 0, 2, 1, 0, 4];
    b.extend_from_slice(b"test");
    b.extend_from_slice(&(peers.len() as u16).to_be_bytes());
    for (ip, asn) in peers {
        let a = ip_bytes(ip);
        b.push(if a.len() == 16 { 3 } else { 2 });
        b.extend_from_slice(&[10, 0, 0, 1]);
        b.extend_from_slice(&a);
        b.extend_from_slice(&asn.to_be_bytes());
    }
    mrt(13, 1, &b)
}

fn attr(flags: u8, ty: u8, val: &[u8]) -> Vec<u8> {
    let mut v = vec![flags | if val.len() > 255 { 0x10 } else { 0 }, ty];
    if val.len() > 255 {
        v.extend_from_slice(&(val.len() as u16).to_be_bytes());
    } else {
        v.push(val.len() as u8);
    }
    v.extend_from_slice(val);
    v
}

/// Segments as (type, asns); `four` picks 4-byte ASNs.
fn segs(s: &[(u8, &[u32])], four: bool) -> Vec<u8> {
    let mut v = Vec::new();
    for (t, asns) in s {
        v.push(*t);
        v.push(asns.len() as u8);
        for a in *asns {
            if four {
                v.extend_from_slice(&a.to_be_bytes());
            } else {
                v.extend_from_slice(&(*a as u16).to_be_bytes());
            }
        }
    }
    v
}

fn origin_igp() -> Vec<u8> {
    attr(0x40, 1, &[0])
}

fn as_path(s: &[(u8, &[u32])], four: bool) -> Vec<u8> {
    attr(0x40, 2, &segs(s, four))
}

fn seq(asns: &[u32]) -> Vec<u8> {
    [origin_igp(), as_path(&[(2, asns)], true)].concat()
}

fn nlri(p: &str, path_id: Option<u32>) -> Vec<u8> {
    let p: Prefix = p.parse().unwrap();
    let mut v = Vec::new();
    if let Some(id) = path_id {
        v.extend_from_slice(&id.to_be_bytes());
    }
    v.push(p.len());
    let a = ip_bytes(&p.addr().to_string());
    v.extend_from_slice(&a[..usize::from(p.len()).div_ceil(8)]);
    v
}

/// A RIB entry: peer index, optional ADD-PATH id, attributes.
fn entry(peer: u16, path_id: Option<u32>, attrs: &[u8]) -> Vec<u8> {
    let mut v = peer.to_be_bytes().to_vec();
    v.extend_from_slice(&1_399_999_000u32.to_be_bytes());
    if let Some(id) = path_id {
        v.extend_from_slice(&id.to_be_bytes());
    }
    v.extend_from_slice(&(attrs.len() as u16).to_be_bytes());
    v.extend_from_slice(attrs);
    v
}

/// RIB_IPV4/IPV6_UNICAST (ADD-PATH variant when the entries carry path ids).
fn rib(p: &str, entries: &[Vec<u8>], add_path: bool) -> Vec<u8> {
    let pf: Prefix = p.parse().unwrap();
    let mut b = 7u32.to_be_bytes().to_vec();
    b.extend_from_slice(&nlri(p, None));
    b.extend_from_slice(&(entries.len() as u16).to_be_bytes());
    for e in entries {
        b.extend_from_slice(e);
    }
    let sub = match (pf.is_v4(), add_path) {
        (true, false) => 2,
        (false, false) => 4,
        (true, true) => 8,
        (false, true) => 10,
    };
    mrt(13, sub, &b)
}

fn rib_generic(afi: u16, safi: u8, p: &str, entries: &[Vec<u8>]) -> Vec<u8> {
    let mut b = 9u32.to_be_bytes().to_vec();
    b.extend_from_slice(&afi.to_be_bytes());
    b.push(safi);
    b.extend_from_slice(&nlri(p, None));
    b.extend_from_slice(&(entries.len() as u16).to_be_bytes());
    for e in entries {
        b.extend_from_slice(e);
    }
    mrt(13, 6, &b)
}

/// A BGP UPDATE message.
fn update(withdrawn: &[u8], attrs: &[u8], announced: &[u8]) -> Vec<u8> {
    let mut body = (withdrawn.len() as u16).to_be_bytes().to_vec();
    body.extend_from_slice(withdrawn);
    body.extend_from_slice(&(attrs.len() as u16).to_be_bytes());
    body.extend_from_slice(attrs);
    body.extend_from_slice(announced);
    let mut m = vec![0xff; 16];
    m.extend_from_slice(&((19 + body.len()) as u16).to_be_bytes());
    m.push(2);
    m.extend_from_slice(&body);
    m
}

/// BGP4MP envelope: subtype, peer (ip, AS), the BGP message; 2-byte AS for subtypes 0/1/8.
fn bgp4mp(ty: u16, sub: u16, peer: (&str, u32), msg: &[u8]) -> Vec<u8> {
    let four = !matches!(sub, 0 | 1 | 8);
    let mut b = Vec::new();
    for asn in [peer.1, 65000] {
        if four {
            b.extend_from_slice(&asn.to_be_bytes());
        } else {
            b.extend_from_slice(&(asn as u16).to_be_bytes());
        }
    }
    b.extend_from_slice(&0u16.to_be_bytes());
    let pip = ip_bytes(peer.0);
    b.extend_from_slice(&(if pip.len() == 16 { 2u16 } else { 1 }).to_be_bytes());
    b.extend_from_slice(&pip);
    b.extend_from_slice(&vec![0; pip.len()]);
    b.extend_from_slice(msg);
    if ty == 17 {
        let mut et = 123_456u32.to_be_bytes().to_vec();
        et.extend_from_slice(&b);
        b = et;
    }
    mrt(ty, sub, &b)
}

fn state_change(peer: (&str, u32), old: u16, new: u16) -> Vec<u8> {
    let mut b = Vec::new();
    b.extend_from_slice(&peer.1.to_be_bytes());
    b.extend_from_slice(&65000u32.to_be_bytes());
    b.extend_from_slice(&[0, 0, 0, 1]);
    b.extend_from_slice(&ip_bytes(peer.0));
    b.extend_from_slice(&[0; 4]);
    b.extend_from_slice(&old.to_be_bytes());
    b.extend_from_slice(&new.to_be_bytes());
    mrt(16, 5, &b)
}

fn mp_reach_v6(prefixes: &[u8]) -> Vec<u8> {
    let mut v = vec![0, 2, 1, 16];
    v.extend_from_slice(&ip_bytes("2001:db8:ffff::1"));
    v.push(0);
    v.extend_from_slice(prefixes);
    attr(0x80, 14, &v)
}

fn mp_unreach_v6(prefixes: &[u8]) -> Vec<u8> {
    let mut v = vec![0, 2, 1];
    v.extend_from_slice(prefixes);
    attr(0x80, 15, &v)
}

fn pf(s: &str) -> Prefix {
    s.parse().unwrap()
}

fn origins(rib: &Rib, p: &str) -> Vec<(Origin, u32)> {
    rib.origins(&pf(p))
}

// ---------- the table used by several tests ----------

const P0: (&str, u32) = ("198.51.100.1", 100);
const P1: (&str, u32) = ("198.51.100.2", 200);
const P2: (&str, u32) = ("2001:db8::2", 300);

fn base_rib() -> Vec<u8> {
    let mut f = peer_table(&[P0, P1, P2]);
    f.extend(rib(
        "10.0.0.0/24",
        &[
            entry(0, None, &seq(&[100, 1, 1, 1, 2])),
            entry(1, None, &seq(&[200, 1, 2])),
            entry(2, None, &seq(&[300, 400, 2])),
        ],
        false,
    ));
    f.extend(rib(
        "10.0.1.0/24",
        &[
            entry(0, None, &seq(&[100, 1, 3])),
            entry(1, None, &seq(&[200, 3])),
        ],
        false,
    ));
    f.extend(rib(
        "10.0.2.0/24",
        &[
            entry(0, None, &seq(&[100, 1, 2])),
            entry(1, None, &seq(&[200, 5])),
        ],
        false,
    ));
    let set = [origin_igp(), as_path(&[(2, &[100, 1]), (1, &[2, 6])], true)].concat();
    f.extend(rib("10.0.3.0/24", &[entry(0, None, &set)], false));
    f.extend(rib(
        "2001:db8::/32",
        &[entry(0, None, &seq(&[100, 7]))],
        false,
    ));
    f
}

#[test]
fn rib_dump_paths_and_origins() {
    let (rib, st) = Rib::load_reader("base", &base_rib()[..]).unwrap();
    assert_eq!((st.records, st.peer_tables, st.rib_entries), (6, 1, 9));
    assert!(!st.partial());
    assert_eq!(rib.prefix_counts(), (4, 1));
    assert_eq!(rib.route_count(), 9);
    assert_eq!(rib.peers().len(), 3);
    assert_eq!(origins(&rib, "10.0.0.0/24"), vec![(Origin::As(2), 3)]);
    assert_eq!(
        origins(&rib, "10.0.2.0/24"),
        vec![(Origin::As(2), 1), (Origin::As(5), 1)],
        "MOAS: both origins"
    );
    assert_eq!(
        origins(&rib, "10.0.3.0/24"),
        vec![(Origin::Set(vec![2, 6]), 1)]
    );
    assert_eq!(origins(&rib, "2001:db8::/32"), vec![(Origin::As(7), 1)]);
    assert_eq!(origins(&rib, "10.0.4.0/24"), vec![]);
    // distinct paths per prefix, raw (prepending kept)
    let paths = rib.paths(&pf("10.0.0.0/24"));
    assert_eq!(paths.len(), 3);
    assert!(paths.contains(&(AsPath::from_sequence(&[100, 1, 1, 1, 2]), 1)));
    let routes = rib.routes(&pf("10.0.3.0/24"));
    assert_eq!(routes.len(), 1);
    assert_eq!(routes[0].peer, ("198.51.100.1".parse().unwrap(), 100));
    assert_eq!(
        routes[0].path,
        AsPath {
            segments: vec![
                Segment {
                    kind: SegmentKind::Sequence,
                    asns: vec![100, 1]
                },
                Segment {
                    kind: SegmentKind::Set,
                    asns: vec![2, 6]
                },
            ]
        }
    );
    assert_eq!(routes[0].path.to_string(), "100 1 {2,6}");
    // 9 routes, each with a different path
    assert_eq!(rib.distinct_paths(), 9);
    assert!(rib.heap_bytes() > 0);
}

#[test]
fn paths_between_via_source_and_collector_view() {
    let (rib, _) = Rib::load_reader("base", &base_rib()[..]).unwrap();
    // AS 1 to AS 2: prefixes with origin 2 are 10.0.0.0/24, 10.0.2.0/24 (MOAS) and
    // 10.0.3.0/24 (AS-set origin). Sub-paths from AS 1: [1 1 1 2] (P0 on .0), [1 2] (P1 on .0,
    // P0 on .2, P0 on .3 through the set).
    let p = rib.paths_between(1, 2, 10);
    assert_eq!(p.basis, Basis::ViaSource);
    assert_eq!(p.dst_prefixes, 3);
    assert_eq!(p.distinct, 2);
    assert_eq!(p.paths[0].asns, vec![1, 2]);
    assert_eq!((p.paths[0].prefixes, p.paths[0].routes), (3, 3));
    assert_eq!(p.paths[1].asns, vec![1, 1, 1, 2]);
    assert_eq!((p.paths[1].prefixes, p.paths[1].routes), (1, 1));
    assert_eq!(transit_of(&p.paths[1].asns), Vec::<u32>::new());
    assert_eq!(rib.paths_between(1, 2, 1).paths.len(), 1, "max");
    // AS 300 to AS 2 passes through 400
    let p = rib.paths_between(300, 2, 10);
    assert_eq!(p.basis, Basis::ViaSource);
    assert_eq!(p.paths.len(), 1);
    assert_eq!(p.paths[0].asns, vec![300, 400, 2]);
    assert_eq!(transit_of(&p.paths[0].asns), vec![400]);
    // No seen route to AS 3 passes through AS 400: the collector's view, whole paths
    let p = rib.paths_between(400, 3, 10);
    assert_eq!(p.basis, Basis::CollectorView);
    let v: Vec<(Vec<u32>, u32, u32)> = p
        .paths
        .iter()
        .map(|w| (w.asns.clone(), w.prefixes, w.routes))
        .collect();
    assert_eq!(v, vec![(vec![100, 1, 3], 1, 1), (vec![200, 3], 1, 1)]);
    // AS 5 only on the MOAS prefix; unknown destination
    assert_eq!(rib.paths_between(200, 5, 10).paths[0].asns, vec![200, 5]);
    let none = rib.paths_between(100, 99, 10);
    assert_eq!(
        (none.basis, none.paths.len(), none.dst_prefixes),
        (Basis::None, 0, 0)
    );
    // IPv6 prefixes count too
    assert_eq!(rib.paths_between(100, 7, 10).paths[0].asns, vec![100, 7]);
}

#[test]
fn add_path_and_rib_generic() {
    let mut f = peer_table(&[P0]);
    f.extend(rib(
        "10.1.0.0/16",
        &[
            entry(0, Some(1), &seq(&[100, 8])),
            entry(0, Some(2), &seq(&[100, 9, 8])),
        ],
        true,
    ));
    f.extend(rib(
        "2001:db8:1::/48",
        &[entry(0, Some(5), &seq(&[100, 8]))],
        true,
    ));
    f.extend(rib_generic(
        1,
        1,
        "10.2.0.0/16",
        &[entry(0, None, &seq(&[100, 11]))],
    ));
    f.extend(rib_generic(
        2,
        1,
        "2001:db8:2::/48",
        &[entry(0, None, &seq(&[100, 12]))],
    ));
    f.extend(rib_generic(
        1,
        128,
        "10.3.0.0/16",
        &[entry(0, None, &seq(&[100, 13]))],
    ));
    let (rib, st) = Rib::load_reader("ap", &f[..]).unwrap();
    assert_eq!(st.rib_entries, 5);
    assert_eq!(
        rib.routes(&pf("10.1.0.0/16")).len(),
        2,
        "two ADD-PATH routes of one peer"
    );
    assert_eq!(
        rib.routes(&pf("10.1.0.0/16"))
            .iter()
            .map(|r| r.path_id)
            .collect::<Vec<_>>(),
        vec![1, 2]
    );
    assert_eq!(origins(&rib, "10.1.0.0/16"), vec![(Origin::As(8), 2)]);
    assert_eq!(origins(&rib, "10.2.0.0/16"), vec![(Origin::As(11), 1)]);
    assert_eq!(origins(&rib, "2001:db8:2::/48"), vec![(Origin::As(12), 1)]);
    assert_eq!(rib.prefix_counts(), (2, 2));
    assert_eq!(st.skipped.len(), 1);
    assert_eq!(
        st.skipped[0].reason,
        "RIB_GENERIC record of an address family not read"
    );
}

#[test]
fn updates_applied_in_order_on_top_of_a_rib() {
    let (mut rib, _) = Rib::load_reader("base", &base_rib()[..]).unwrap();
    let mut u = Vec::new();
    // P1 withdraws 10.0.1.0/24 and announces 10.0.9.0/24 via [200 8]
    u.extend(bgp4mp(
        16,
        4,
        P1,
        &update(
            &nlri("10.0.1.0/24", None),
            &seq(&[200, 8]),
            &nlri("10.0.9.0/24", None),
        ),
    ));
    // a 2-byte session: AS_PATH [200 23456] with AS4_PATH [70000] merges to [200 70000]
    let two = [
        origin_igp(),
        as_path(&[(2, &[200, 23456])], false),
        attr(0xc0, 17, &segs(&[(2, &[70000])], true)),
    ]
    .concat();
    u.extend(bgp4mp(
        16,
        1,
        P1,
        &update(&[], &two, &nlri("10.0.10.0/24", None)),
    ));
    // ADD-PATH announcement over BGP4MP_ET, two path ids
    let ap = [nlri("10.0.11.0/24", Some(1)), nlri("10.0.11.0/24", Some(2))].concat();
    u.extend(bgp4mp(17, 9, P1, &update(&[], &seq(&[200, 12]), &ap)));
    // then path id 1 is withdrawn
    u.extend(bgp4mp(
        16,
        9,
        P1,
        &update(&nlri("10.0.11.0/24", Some(1)), &[], &[]),
    ));
    // IPv6 over MP_REACH from P2, and an MP_UNREACH of the table's 2001:db8::/32 (P0's) from P2: no effect
    let v6 = [
        seq(&[300, 14]),
        mp_reach_v6(&nlri("2001:db8:14::/48", None)),
    ]
    .concat();
    u.extend(bgp4mp(16, 4, P2, &update(&[], &v6, &[])));
    u.extend(bgp4mp(
        16,
        4,
        P2,
        &update(&[], &mp_unreach_v6(&nlri("2001:db8::/32", None)), &[]),
    ));
    // an announcement without AS_PATH is a withdrawal (RFC 7606): P1 loses 10.0.2.0/24
    u.extend(bgp4mp(
        16,
        4,
        P1,
        &update(&[], &origin_igp(), &nlri("10.0.2.0/24", None)),
    ));
    // P0's session goes down: all its routes go
    u.extend(state_change(P0, 6, 1));
    // a message the collector sent (MESSAGE_LOCAL): ignored
    u.extend(bgp4mp(
        16,
        7,
        P1,
        &update(&nlri("10.0.0.0/24", None), &[], &[]),
    ));
    let st = rib.apply_reader("upd", &u[..]).unwrap();
    assert_eq!(st.records, 9);
    assert_eq!((st.announcements, st.withdrawals, st.peer_downs), (5, 3, 1));
    assert!(!st.partial());
    assert_eq!(
        origins(&rib, "10.0.1.0/24"),
        vec![],
        "P1 withdrew, P0 went down"
    );
    assert_eq!(origins(&rib, "10.0.9.0/24"), vec![(Origin::As(8), 1)]);
    assert_eq!(
        rib.paths(&pf("10.0.10.0/24"))[0].0,
        AsPath::from_sequence(&[200, 70000])
    );
    let r = rib.routes(&pf("10.0.11.0/24"));
    assert_eq!(r.iter().map(|r| r.path_id).collect::<Vec<_>>(), vec![2]);
    assert_eq!(origins(&rib, "2001:db8:14::/48"), vec![(Origin::As(14), 1)]);
    assert_eq!(origins(&rib, "2001:db8::/32"), vec![], "P0 went down");
    assert_eq!(
        origins(&rib, "10.0.2.0/24"),
        vec![],
        "P0 down, P1 treat-as-withdraw"
    );
    assert_eq!(
        origins(&rib, "10.0.0.0/24"),
        vec![(Origin::As(2), 2)],
        "P1 and P2 remain"
    );
    assert_eq!(origins(&rib, "10.0.3.0/24"), vec![]);
    assert_eq!(rib.prefix_counts(), (4, 1));
    assert_eq!(rib.route_count(), 6);
    assert!(st.skipped.iter().any(|s| s.reason.contains("RFC 7606")));
    assert!(st
        .skipped
        .iter()
        .any(|s| s.reason.contains("MESSAGE_LOCAL")));
    // queries see the new state
    assert_eq!(rib.paths_between(1, 2, 5).paths[0].asns, vec![1, 2]);
    assert_eq!(rib.paths_between(1, 2, 5).paths[0].prefixes, 1);
    // an update-only file into an empty table collects its final state
    let (alone, _) = Rib::load_reader("upd", &u[..]).unwrap();
    assert_eq!(alone.prefix_counts(), (3, 1));
    assert_eq!(origins(&alone, "10.0.11.0/24"), vec![(Origin::As(12), 1)]);
}

#[test]
fn table_dump_v1_two_byte_paths() {
    let mut b = Vec::new();
    b.extend_from_slice(&[0, 0, 0, 1]); // view, sequence
    b.extend_from_slice(&[192, 0, 2, 0, 24, 1]); // prefix, length, status
    b.extend_from_slice(&1_400_000_000u32.to_be_bytes());
    b.extend_from_slice(&[198, 51, 100, 9]);
    b.extend_from_slice(&64500u16.to_be_bytes());
    let attrs = [origin_igp(), as_path(&[(2, &[64500, 3356, 15169])], false)].concat();
    b.extend_from_slice(&(attrs.len() as u16).to_be_bytes());
    b.extend_from_slice(&attrs);
    let (rib, st) = Rib::load_reader("td1", &mrt(12, 1, &b)[..]).unwrap();
    assert_eq!(st.rib_entries, 1);
    assert_eq!(origins(&rib, "192.0.2.0/24"), vec![(Origin::As(15169), 1)]);
    assert_eq!(rib.routes(&pf("192.0.2.0/24"))[0].peer.1, 64500);
}

fn gz(b: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(b).unwrap();
    e.finish().unwrap()
}

fn bz(b: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
    e.write_all(b).unwrap();
    e.finish().unwrap()
}

#[test]
fn compressed_input_reads_the_same() {
    let f = base_rib();
    let (plain, _) = Rib::load_reader("p", &f[..]).unwrap();
    for (name, data) in [("g.gz", gz(&f)), ("b.bz2", bz(&f))] {
        let (r, st) = Rib::load_reader(name, &data[..]).unwrap();
        assert_eq!(st.bytes, f.len() as u64, "{name}");
        assert_eq!(st.compressed_bytes, data.len() as u64, "{name}");
        assert_eq!(r.prefixes(), plain.prefixes());
        for p in plain.prefixes() {
            assert_eq!(r.origins(&p), plain.origins(&p));
        }
    }
}

/// Cut the file at every byte: never a panic; the records before the cut are read; a cut
/// inside a record is an error naming that record's offset.
#[test]
fn every_truncation_is_a_partial_read() {
    let f = base_rib();
    // record start offsets
    let mut starts = vec![0usize];
    while *starts.last().unwrap() < f.len() {
        let s = *starts.last().unwrap();
        let n = u32::from_be_bytes([f[s + 8], f[s + 9], f[s + 10], f[s + 11]]) as usize;
        starts.push(s + 12 + n);
    }
    for cut in 0..f.len() {
        let whole = starts.iter().filter(|&&s| s > 0 && s <= cut).count() as u64;
        let res = Rib::load_reader("cut", &f[..cut]);
        if cut == 0 {
            let (rib, st) = res.unwrap();
            assert_eq!(
                (st.records, rib.prefix_counts()),
                (0, (0, 0)),
                "empty input is empty"
            );
            continue;
        }
        let boundary = starts.contains(&cut);
        match res {
            Ok((_, st)) => {
                assert_eq!(st.records, whole, "cut {cut}");
                assert_eq!(st.partial(), !boundary, "cut {cut}");
                if let Some(e) = st.error {
                    let at = starts[whole as usize] as u64;
                    assert_eq!(e.offset, Some(at), "cut {cut}");
                    assert!(
                        e.to_string()
                            .starts_with(&format!("cut: byte offset {at}: ")),
                        "{e}"
                    );
                }
            }
            Err(e) => {
                assert_eq!(whole, 0, "cut {cut}: {e}");
                assert_eq!(e.offset, Some(0));
            }
        }
    }
    // cut compressed streams: partial, not a panic (a gzip stream cut only in its 8-byte
    // trailer still yields all its data: flate2 does not report the missing CRC there)
    for data in [gz(&f), bz(&f)] {
        for cut in [data.len() / 3, data.len() / 2, data.len() - 12] {
            match Rib::load_reader("c", &data[..cut]) {
                Ok((_, st)) => assert!(st.partial(), "{st}"),
                Err(e) => assert!(e.to_string().starts_with("c: "), "{e}"),
            }
        }
    }
}

#[test]
fn not_mrt_is_an_error_and_junk_records_are_skipped() {
    let e = Rib::load_reader("x.txt", &b"1.0.0.0\t24\t13335\n"[..]).unwrap_err();
    assert_eq!(e.offset, Some(0));
    assert!(e.to_string().starts_with("x.txt: byte offset 0: "), "{e}");
    // a record of an unknown MRT type between good ones is skipped, the rest is read
    let mut f = peer_table(&[P0]);
    f.extend(mrt(99, 0, b"junk"));
    f.extend(mrt(11, 0, b"ospf"));
    f.extend(rib(
        "10.9.0.0/16",
        &[entry(0, None, &seq(&[100, 4]))],
        false,
    ));
    // a RIB entry whose attributes are cut short
    let mut bad = entry(0, None, &seq(&[100, 4]));
    bad.truncate(bad.len() - 2);
    f.extend(rib("10.8.0.0/16", &[bad], false));
    f.extend(rib(
        "10.7.0.0/16",
        &[entry(5, None, &seq(&[100, 4]))],
        false,
    ));
    let (rib, st) = Rib::load_reader("j", &f[..]).unwrap();
    assert!(!st.partial(), "{st}");
    assert_eq!(st.records, 6);
    assert_eq!(rib.prefix_counts(), (1, 0));
    let reasons: Vec<&str> = st.skipped.iter().map(|s| s.reason.as_str()).collect();
    assert_eq!(reasons.len(), 4, "{reasons:?}");
    assert_eq!(st.skipped[0].first_offset, peer_table(&[P0]).len() as u64);
    assert!(Rib::load("/nonexistent/rib.bz2")
        .unwrap_err()
        .offset
        .is_none());
}
