//! Tunnelled and neighbour-discovery frames of the public captures in
//! `../shared/pcaps`, against what tshark reads in them.
//!
//! `tests/tshark/record.py` ran tshark (Wireshark's dissectors, PDML output)
//! over the captures and wrote `tests/tshark/tunnels.tsv` (one row per frame
//! and decapsulation mode: the fields of the packet that counts) and
//! `tests/tshark/neighbours.tsv` (ARP senders and ND link-layer address
//! options). Every frame of the listed captures is compared, so a frame we
//! read differently from tshark — or one we decapsulate that tshark does not
//! — fails.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::PathBuf;

use trombone_capture::CaptureReader;
use trombone_packet::{
    neighbour_sighting, parse_headers, parse_with, Decap, PacketMeta, Parsed, Parser, Skip,
};

/// `<repo>/../shared/pcaps`, or `None` when absent and skipping is allowed.
fn shared_pcaps() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/pcaps");
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("TROMBONE_SKIP_SHARED").as_deref() == Ok("1") {
        eprintln!("SKIPPED: {} missing", dir.display());
        return None;
    }
    panic!(
        "{} is missing (set TROMBONE_SKIP_SHARED=1 to skip)",
        dir.display()
    );
}

/// The rows of a TSV under tests/tshark, header and comments skipped, keyed by (file, frame).
fn rows(name: &str) -> BTreeMap<(String, usize), Vec<Vec<String>>> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/tshark")
        .join(name);
    let text = std::fs::read_to_string(&path).expect("read TSV");
    let mut out: BTreeMap<(String, usize), Vec<Vec<String>>> = BTreeMap::new();
    for line in text.lines().filter(|l| !l.starts_with('#')).skip(1) {
        let cols: Vec<String> = line.split('\t').map(String::from).collect();
        let key = (cols[0].clone(), cols[1].parse().expect("frame number"));
        out.entry(key).or_default().push(cols);
    }
    out
}

/// Every frame of a capture as (linktype, bytes, wire length).
fn frames(path: &std::path::Path) -> Vec<(u32, Vec<u8>, u32)> {
    let mut r = CaptureReader::open(path).expect("open capture");
    let mut v = Vec::new();
    while let Some(f) = r.next_frame().expect("read frame") {
        v.push((f.linktype, f.data.to_vec(), f.wire_len));
    }
    v
}

/// A MAC in tshark's notation.
fn mac(m: &[u8; 6]) -> String {
    m.iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// Compares one parse with one row; returns the differences.
fn compare(got: &Parsed, row: &[String]) -> Vec<String> {
    let mut bad = Vec::new();
    let want = |i: usize| row[i].as_str();
    match (want(3), got) {
        ("non_ip", Err(Skip::NonIp)) | ("malformed", Err(Skip::Malformed)) => {}
        ("ip", Ok(m)) => {
            let m: &PacketMeta = m;
            let checks: [(&str, String, &str); 12] = [
                ("tunnel", m.tunnel.name().to_string(), want(4)),
                ("encap_len", m.encap_len.to_string(), want(5)),
                ("src", m.src_addr().to_string(), want(6)),
                ("dst", m.dst_addr().to_string(), want(7)),
                ("l3_len", m.l3_len.to_string(), want(8)),
                ("ttl", m.ttl.to_string(), want(9)),
                ("proto", m.proto.to_string(), want(10)),
                ("sport", m.sport.to_string(), want(11)),
                ("dport", m.dport.to_string(), want(12)),
                ("vlan", m.vlan.to_string(), want(13)),
                ("src_mac", mac(&m.src_mac), want(14)),
                ("dst_mac", mac(&m.dst_mac), want(15)),
            ];
            for (name, g, w) in checks {
                // tshark prints addresses in canonical form; compare parsed
                let same = match (g.parse::<IpAddr>(), w.parse::<IpAddr>()) {
                    (Ok(a), Ok(b)) => a == b,
                    _ => g == w,
                };
                if !same {
                    bad.push(format!("{name}: got {g}, tshark {w}"));
                }
            }
        }
        (w, g) => bad.push(format!("outcome: got {g:?}, tshark {w}")),
    }
    bad
}

#[test]
fn tunnelled_frames_match_tshark() {
    let Some(pcaps) = shared_pcaps() else { return };
    let expected = rows("tunnels.tsv");
    let files: Vec<String> = {
        let mut f: Vec<String> = expected.keys().map(|(f, _)| f.clone()).collect();
        f.dedup();
        f
    };
    assert!(files.len() >= 20, "{files:?}");
    let (mut checked, mut decapsulated, mut failures) = (0, 0, Vec::new());
    for file in &files {
        for (i, (lt, data, wire)) in frames(&pcaps.join(file)).iter().enumerate() {
            let n = i + 1;
            let Some(want) = expected.get(&(file.clone(), n)) else {
                failures.push(format!("{file}#{n}: no tshark row"));
                continue;
            };
            for row in want {
                let decap = match row[2].as_str() {
                    "mirror" => Decap::default(),
                    "all" => Decap::all(),
                    m => panic!("mode {m}"),
                };
                let got = parse_with(*lt, data, *wire, 0, 0, &decap);
                if got.is_ok_and(|m| m.encap_len > 0) {
                    decapsulated += 1;
                }
                for d in compare(&got, row) {
                    failures.push(format!("{file}#{n} ({}): {d}", row[2]));
                }
                checked += 1;
            }
        }
    }
    eprintln!("{checked} frame/mode pairs checked, {decapsulated} decapsulated");
    assert!(
        failures.is_empty(),
        "{} differences:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(decapsulated >= 250, "{decapsulated}");
}

#[test]
fn neighbour_sightings_match_tshark() {
    let Some(pcaps) = shared_pcaps() else { return };
    let expected = rows("neighbours.tsv");
    // The files record.py read, including those where tshark found none.
    let files = [
        "tcpdump/icmpv6.pcap",
        "tcpdump/icmpv6-ra-pref64.pcap",
        "tcpdump/icmpv6_opt24.pcap",
        "tcpdump/dcb_ets.pcap",
        "tcpdump/icmpv6-ns-nonce.pcap",
        "tcpdump/vxlan.pcap",
        "tcpdump/erspan-type-i-3.pcap",
        "tcpdump/erspan-type-ii-3.pcap",
        "tcpdump/802.1ad_QinQ.pcap",
        "tcpdump/dhcp-rfc4388.pcap",
        "tcpdump/bgp-4byte-asn.pcap",
        "tcpdump/arp-too-long-tha.pcap",
        "pcap-parser/wireshark_samples-test.pcapng",
    ];
    let (mut seen, mut failures) = (0, Vec::new());
    for file in files {
        for (i, (lt, data, _)) in frames(&pcaps.join(file)).iter().enumerate() {
            let n = i + 1;
            let got = neighbour_sighting(*lt, data);
            let want = expected.get(&(file.to_string(), n)).map(|r| &r[0]);
            match (got, want) {
                (None, None) => {}
                (Some(g), Some(w)) => {
                    seen += 1;
                    let ip: IpAddr = w[3].parse().expect("tshark IP");
                    if mac(&g.mac) != w[2] || g.ip != ip || g.vlan.to_string() != w[4] {
                        failures.push(format!(
                            "{file}#{n}: got {} {} vlan {}, tshark {} {} vlan {}",
                            mac(&g.mac),
                            g.ip,
                            g.vlan,
                            w[2],
                            w[3],
                            w[4]
                        ));
                    }
                }
                (g, w) => failures.push(format!("{file}#{n}: got {g:?}, tshark {w:?}")),
            }
        }
    }
    eprintln!("{seen} sightings agree");
    assert!(
        failures.is_empty(),
        "{} differences:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(seen > 1000, "{seen}");
}

/// `parse_headers` (no payload digest, for pipelines without replica matching) gives
/// every frame of the tunnel captures and of the bundled fixtures the same outcome and
/// fields as `parse_with`, in both decapsulation modes, with the digest left at 0; and
/// `Parser::parse_into`, writing over the slot a capture loop keeps from frame to frame
/// (the previous frame's fields, or whatever a failed parse left), gives what they give.
#[test]
fn headers_only_parse_equals_full_parse_without_digest() {
    let Some(pcaps) = shared_pcaps() else { return };
    let mut paths: Vec<PathBuf> = rows("tunnels.tsv")
        .keys()
        .map(|(f, _)| pcaps.join(f))
        .collect();
    paths.dedup();
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../capture-fixtures");
    for e in std::fs::read_dir(&fixtures).expect("capture-fixtures") {
        let p = e.expect("entry").path();
        if matches!(
            p.extension().and_then(|x| x.to_str()),
            Some("pcap" | "pcapng")
        ) {
            paths.push(p);
        }
    }
    let (mut frames_seen, mut digested) = (0, 0);
    let mut slot = PacketMeta::default();
    for path in &paths {
        for (lt, data, wire) in frames(path) {
            for decap in [Decap::MIRROR_ONLY, Decap::all()] {
                let full = parse_with(lt, &data, wire, 7, 1, &decap);
                let headers = parse_headers(lt, &data, wire, 7, 1, &decap);
                for (digest, want) in [(true, full), (false, headers)] {
                    let p = Parser { decap, digest };
                    let got = p
                        .parse_into(&mut slot, lt, &data, wire, 7, 1)
                        .map(|()| slot);
                    assert_eq!(got, want, "{} ({decap}, digest {digest})", path.display());
                }
                if full.is_ok_and(|m| m.payload_digest != 0) {
                    digested += 1;
                    assert_eq!(headers.map(|m| m.payload_digest), Ok(0));
                }
                let zeroed = full.map(|m| PacketMeta {
                    payload_digest: 0,
                    ..m
                });
                assert_eq!(headers, zeroed, "{} ({decap})", path.display());
            }
            frames_seen += 1;
        }
    }
    eprintln!("{frames_seen} frames, {digested} frame/mode pairs with a digest");
    assert!(
        frames_seen > 1000 && digested > 1000,
        "{frames_seen} {digested}"
    );
}
