//! The packet parser over every link type: never panics, and what it returns
//! is consistent with what it was given.
//!
//! Input: byte 0 picks the link type from `LINKTYPES`, byte 1 how much longer
//! than the captured bytes the frame was on the wire; the rest is the frame.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trombone_fuzz::LINKTYPES;
use trombone_packet::{parse, Fragment, Skip};

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let Some((&extra, frame)) = rest.split_first() else {
        return;
    };
    let linktype = LINKTYPES[usize::from(sel) % LINKTYPES.len()];
    let wire_len = (frame.len() as u32).saturating_add(u32::from(extra) * 61);
    let ts = i64::from(sel) * 1_000_000_007 - 5;
    match parse(linktype, frame, wire_len, ts, u32::from(extra)) {
        Ok(m) => {
            assert!(trombone_packet::LinkType::from_linktype(linktype).is_some());
            assert_eq!(m.wire_len, wire_len);
            assert_eq!(m.ts_ns, ts);
            assert_eq!(m.interface, u32::from(extra));
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
            let _ = (m.src_addr(), m.dst_addr());
            // The pair hash is symmetric in the two addresses.
            let mut r = m;
            std::mem::swap(&mut r.src, &mut r.dst);
            assert_eq!(m.pair_hash(), r.pair_hash());
        }
        Err(Skip::Unsupported) => {
            assert!(trombone_packet::LinkType::from_linktype(linktype).is_none());
        }
        Err(Skip::NonIp | Skip::Malformed) => {}
    }
});
