//! A minimal pcap reader for the exporter captures, shared by the tests and the bench.
#![allow(dead_code)]

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::PathBuf;

/// A file in tests/data.
pub fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// One captured UDP datagram: the sender and the payload.
pub struct Datagram {
    pub ts_ns: i64,
    pub src: IpAddr,
    pub payload: Vec<u8>,
}

/// A minimal classic-pcap reader (either byte order, µs or ns) for Ethernet
/// frames carrying IPv4/IPv6 + UDP, as tcpdump writes them on `lo`.
pub fn read_pcap(name: &str) -> Vec<Datagram> {
    let b = std::fs::read(data(name)).unwrap();
    let magic = u32::from_le_bytes(b[0..4].try_into().unwrap());
    let (le, nano) = match magic {
        0xa1b2_c3d4 => (true, false),
        0xa1b2_3c4d => (true, true),
        0xd4c3_b2a1 => (false, false),
        0x4d3c_b2a1 => (false, true),
        m => panic!("{name}: not a pcap file (magic {m:#x})"),
    };
    let u32_at = |o: usize| {
        let a: [u8; 4] = b[o..o + 4].try_into().unwrap();
        if le {
            u32::from_le_bytes(a)
        } else {
            u32::from_be_bytes(a)
        }
    };
    assert_eq!(u32_at(20), 1, "{name}: Ethernet link type expected");
    let mut out = Vec::new();
    let mut o = 24;
    while o + 16 <= b.len() {
        let (secs, frac, caplen) = (u32_at(o), u32_at(o + 4), u32_at(o + 8) as usize);
        let frame = &b[o + 16..o + 16 + caplen];
        o += 16 + caplen;
        let ts_ns = i64::from(secs) * 1_000_000_000 + i64::from(frac) * if nano { 1 } else { 1000 };
        let ethertype = u16::from_be_bytes([frame[12], frame[13]]);
        let ip = &frame[14..];
        let (src, udp) = match ethertype {
            0x0800 => {
                assert_eq!(ip[9], 17, "UDP expected");
                let ihl = usize::from(ip[0] & 0x0f) * 4;
                let s: [u8; 4] = ip[12..16].try_into().unwrap();
                (IpAddr::V4(Ipv4Addr::from(s)), &ip[ihl..])
            }
            0x86dd => {
                assert_eq!(ip[6], 17, "UDP expected");
                let s: [u8; 16] = ip[8..24].try_into().unwrap();
                (IpAddr::V6(Ipv6Addr::from(s)), &ip[40..])
            }
            t => panic!("ethertype {t:#x}"),
        };
        let udp_len = usize::from(u16::from_be_bytes([udp[4], udp[5]]));
        out.push(Datagram {
            ts_ns,
            src,
            payload: udp[8..udp_len].to_vec(),
        });
    }
    out
}
