//! The packet parser over every link type: never panics, and what it returns
//! is consistent with what it was given — with the mirror encapsulations
//! only (`parse`) and with every tunnel opened (`parse_with(.., Decap::all())`);
//! and the neighbour-sighting extractor on the same frame.
//!
//! Input: byte 0 picks the link type from `LINKTYPES`, byte 1 how much longer
//! than the captured bytes the frame was on the wire; the rest is the frame.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trombone_fuzz::LINKTYPES;
use trombone_packet::{
    neighbour_sighting, parse, parse_headers, parse_with, Decap, Fragment, PacketMeta, Skip, Tunnel,
    PAYLOAD_DIGEST_BYTES,
};

/// What every parsed packet must satisfy.
fn check(m: &PacketMeta, frame: &[u8], wire_len: u32, ts: i64, extra: u8) {
    assert_eq!(m.wire_len, wire_len);
    assert_eq!(m.ts_ns, ts);
    assert_eq!(u32::from(m.interface), u32::from(extra));
    assert!(
        m.ip_version == 4 || m.ip_version == 6,
        "version {}",
        m.ip_version
    );
    if m.ip_version == 4 {
        assert!(
            m.src >> 32 == 0 && m.dst >> 32 == 0,
            "IPv4 address above 32 bits"
        );
        assert!(m.l3_len <= 0xFFFF, "IPv4 length {}", m.l3_len);
    } else {
        assert!(m.l3_len >= 40, "IPv6 length {}", m.l3_len);
    }
    if m.fragment == Fragment::Later {
        assert_eq!((m.sport, m.dport, m.tcp_flags), (0, 0, 0));
    }
    // Encapsulation removed lies within the captured frame, and is there
    // exactly when a tunnel kind is recorded.
    assert!(usize::from(m.encap_len) < frame.len().max(1), "encap {}", m.encap_len);
    assert_eq!(m.tunnel == Tunnel::None, m.encap_len == 0, "{:?}", m.tunnel);
    assert!(m.digest_len() <= PAYLOAD_DIGEST_BYTES);
    let _ = (m.src_addr(), m.dst_addr());
    // The pair hash is symmetric in the two addresses.
    let mut r = *m;
    std::mem::swap(&mut r.src, &mut r.dst);
    assert_eq!(m.pair_hash(), r.pair_hash());
}

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let Some((&extra, frame)) = rest.split_first() else {
        return;
    };
    let linktype = LINKTYPES[usize::from(sel) % LINKTYPES.len()];
    let known = trombone_packet::LinkType::from_linktype(linktype).is_some();
    let wire_len = (frame.len() as u32).saturating_add(u32::from(extra) * 61);
    let ts = i64::from(sel) * 1_000_000_007 - 5;
    let mirror = parse(linktype, frame, wire_len, ts, u32::from(extra));
    let all = parse_with(linktype, frame, wire_len, ts, u32::from(extra), &Decap::all());
    // Without the digest, the same outcome and fields, the digest left at 0.
    for (decap, with) in [(Decap::MIRROR_ONLY, mirror), (Decap::all(), all)] {
        let without = parse_headers(linktype, frame, wire_len, ts, u32::from(extra), &decap);
        let zeroed = with.map(|m| PacketMeta {
            payload_digest: 0,
            ..m
        });
        assert_eq!(without, zeroed);
    }
    for outcome in [mirror, all] {
        match outcome {
            Ok(m) => {
                assert!(known);
                check(&m, frame, wire_len, ts, extra);
            }
            Err(Skip::Unsupported) => assert!(!known),
            Err(Skip::NonIp | Skip::Malformed) => {}
        }
    }
    // Opening more tunnels never changes whether the link type is known,
    // and a bare frame (nothing to open) parses the same either way.
    assert_eq!(mirror == Err(Skip::Unsupported), all == Err(Skip::Unsupported));
    if let Ok(m) = mirror {
        if m.tunnel == Tunnel::None && !matches!(m.proto, 17 | 47) {
            assert_eq!(all, mirror);
        }
    }
    if let Some(n) = neighbour_sighting(linktype, frame) {
        assert!(known);
        assert!(n.mac != [0; 6] && n.mac[0] & 1 == 0, "{:?}", n.mac);
        assert!(!n.ip.is_unspecified());
        assert!(n.vlan <= 0x0FFF);
    }
});
