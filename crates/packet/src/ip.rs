//! IPv4 and IPv6 headers (sliced laxly with etherparse) and the transport
//! fields trombone keeps: ports, TCP flags and sequence numbers.

use crate::{mix64, Fragment, PacketMeta, Skip};
use etherparse::{Ipv6HeaderSlice, LaxIpv4Slice};

/// IP protocol numbers whose first four payload bytes are source and destination ports.
#[inline]
fn has_ports(proto: u8) -> bool {
    // TCP, UDP, DCCP, SCTP, UDP-Lite
    matches!(proto, 6 | 17 | 33 | 132 | 136)
}

/// Fills ports, TCP fields and the payload digest from the transport bytes
/// of an unfragmented packet or a first fragment.
#[inline]
fn fill_transport(meta: &mut PacketMeta, payload: &[u8]) {
    if has_ports(meta.proto) && payload.len() >= 4 {
        meta.sport = u16::from_be_bytes([payload[0], payload[1]]);
        meta.dport = u16::from_be_bytes([payload[2], payload[3]]);
        if meta.proto == 6 && payload.len() >= 14 {
            meta.tcp_seq = u32::from_be_bytes([payload[4], payload[5], payload[6], payload[7]]);
            meta.tcp_ack = u32::from_be_bytes([payload[8], payload[9], payload[10], payload[11]]);
            meta.tcp_flags = payload[13];
        }
    }
}

/// Most payload bytes the digest covers.
pub(crate) const DIGEST_BYTES: usize = 32;
/// Where the digested byte count sits in the digest (its top 6 bits).
pub(crate) const DIGEST_LEN_SHIFT: u32 = 58;

/// The bytes the payload digest covers: after the TCP header (its data
/// offset) or the UDP / UDP-Lite header; for other protocols, and for later
/// fragments, which carry no transport header, the whole IP payload.
#[inline]
fn digested(proto: u8, later: bool, transport: &[u8]) -> &[u8] {
    if later {
        return transport;
    }
    match proto {
        6 => match transport.get(12) {
            Some(&b) => transport
                .get(usize::from(b >> 4).max(5) * 4..)
                .unwrap_or(&[]),
            None => &[],
        },
        17 | 136 => transport.get(8..).unwrap_or(&[]),
        _ => transport,
    }
}

/// Digest of up to the first 32 captured bytes of `payload`: identical for
/// two sightings of one packet, different for most distinct packets. The
/// top 6 bits hold how many bytes it covered, the low 58 their hash.
#[inline]
fn digest(payload: &[u8]) -> u64 {
    let n = payload.len().min(DIGEST_BYTES);
    if n == 0 {
        // pure ACKs and headers cut by the snaplen: common, and all alike
        return EMPTY_DIGEST;
    }
    // Two lanes (words 0 and 2, words 1 and 3) halve the chain of dependent
    // multiplies. Each step is a bijection of its lane for a fixed word, and
    // the lanes are combined by XOR, so two payloads of one length that
    // differ in one word differ before the final mix.
    let step = |h: u64, w: u64| (h ^ w).wrapping_mul(0xD6E8_FEB8_6659_FD93).rotate_left(32);
    let mut lanes = [
        (n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15),
        (n as u64).wrapping_mul(0xC2B2_AE3D_27D4_EB4F) ^ 0x1656_67B1_9E37_79F9,
    ];
    if let Some(full) = payload.first_chunk::<DIGEST_BYTES>() {
        // the usual case: four whole words, no bounds to check
        for (i, w) in full.chunks_exact(8).enumerate() {
            let mut b = [0u8; 8];
            b.copy_from_slice(w);
            lanes[i & 1] = step(lanes[i & 1], u64::from_le_bytes(b));
        }
    } else {
        for i in 0..DIGEST_BYTES / 8 {
            lanes[i & 1] = step(lanes[i & 1], le_word(payload, i * 8));
        }
    }
    let h = lanes[0] ^ lanes[1].rotate_left(21);
    (mix64(h) >> 6) | ((n as u64) << DIGEST_LEN_SHIFT)
}

/// The digest of no bytes.
const EMPTY_DIGEST: u64 = mix64(0) >> 6;

/// The little-endian word of `p` at `i`, zero-padded past the end of `p`
/// (and past the digested bytes).
#[inline(always)]
fn le_word(p: &[u8], i: usize) -> u64 {
    if let Some(w) = p.get(i..i + 8) {
        let mut b = [0u8; 8];
        b.copy_from_slice(w);
        return u64::from_le_bytes(b);
    }
    let mut w = 0u64;
    for (k, &b) in p.iter().skip(i).enumerate() {
        w |= u64::from(b) << (8 * k);
    }
    w
}

/// Parses the IP header at the start of `bytes` into the IP and transport
/// fields of `meta`, which must be zero (a fresh `PacketMeta`, or one
/// passed through [`clear_ip`]); the link, capture and encapsulation fields
/// are left alone. Returns the transport bytes
/// (after any IPv6 extension headers, within the IP length, as far as
/// captured).
///
/// `hint` is the version the link layer announced (0 = read the nibble). A
/// version nibble that contradicts the link layer makes the frame malformed.
#[inline]
pub(crate) fn parse_ip<'a>(
    meta: &mut PacketMeta,
    bytes: &'a [u8],
    hint: u8,
) -> Result<&'a [u8], Skip> {
    let Some(&first) = bytes.first() else {
        return Err(Skip::Malformed);
    };
    let version = first >> 4;
    if hint != 0 && hint != version {
        return Err(Skip::Malformed);
    }
    match version {
        4 => parse_v4(meta, bytes),
        6 => parse_v6(meta, bytes),
        _ => Err(Skip::Malformed),
    }
}

/// The [`PacketMeta::payload_digest`] of a packet [`parse_ip`] filled, whose transport
/// bytes it returned.
#[inline]
pub(crate) fn payload_digest(meta: &PacketMeta, transport: &[u8]) -> u64 {
    digest(digested(
        meta.proto,
        meta.fragment == Fragment::Later,
        transport,
    ))
}

/// Zeroes the IP and transport fields that [`parse_ip`] may leave unset,
/// before parsing a tunnel's inner packet over its outer one's.
#[inline]
pub(crate) fn clear_ip(meta: &mut PacketMeta) {
    meta.sport = 0;
    meta.dport = 0;
    meta.tcp_seq = 0;
    meta.tcp_ack = 0;
    meta.tcp_flags = 0;
    meta.ip_id = 0;
    meta.fragment = Fragment::None;
}

/// IPv4: volume from total length (or the captured length when total length
/// is 0, as segmentation offload leaves it in captures taken on the sender).
#[inline]
fn parse_v4<'a>(meta: &mut PacketMeta, bytes: &'a [u8]) -> Result<&'a [u8], Skip> {
    let (slice, _) = LaxIpv4Slice::from_slice(bytes).map_err(|_| Skip::Malformed)?;
    let h = slice.header();
    let header_len = h.slice().len() as u32;
    let total = u32::from(h.total_len());
    let l3_len = if total == 0 {
        bytes.len() as u32
    } else if total < header_len {
        return Err(Skip::Malformed);
    } else {
        total
    };
    meta.src = u128::from(u32::from_be_bytes(h.source()));
    meta.dst = u128::from(u32::from_be_bytes(h.destination()));
    meta.ip_version = 4;
    meta.ttl = h.ttl();
    meta.ip_id = u32::from(h.identification());
    meta.l3_len = l3_len;
    let payload = slice.payload();
    meta.proto = payload.ip_number.0;
    let offset = h.fragments_offset().value();
    meta.fragment = if offset > 0 {
        Fragment::Later
    } else if h.more_fragments() {
        Fragment::First
    } else {
        Fragment::None
    };
    if offset == 0 {
        fill_transport(meta, payload.payload);
    }
    Ok(payload.payload)
}

/// IPv6: volume is 40 + payload length; extension headers are walked to the
/// transport protocol and the fragment header.
///
/// The fixed header is sliced with etherparse; the extension chain is walked
/// here with explicit bounds checks, because etherparse 0.21's extension
/// iterator reads out of bounds on a truncated chain after a lax parse
/// (found by the shared corpus: tcpdump's ipv6-next-header-oobr-1.pcap).
#[inline]
fn parse_v6<'a>(meta: &mut PacketMeta, bytes: &'a [u8]) -> Result<&'a [u8], Skip> {
    let h = Ipv6HeaderSlice::from_slice(bytes).map_err(|_| Skip::Malformed)?;
    let payload_len = u32::from(h.payload_length());
    // Payload length 0 means a jumbogram or an offloaded capture: use what we have.
    let l3_len = if payload_len == 0 {
        bytes.len() as u32
    } else {
        40 + payload_len
    };
    meta.src = u128::from_be_bytes(h.source());
    meta.dst = u128::from_be_bytes(h.destination());
    meta.ip_version = 6;
    meta.ttl = h.hop_limit();
    meta.l3_len = l3_len;
    // Only the bytes the header says belong to the packet (when captured).
    let end = (40 + payload_len as usize).min(bytes.len());
    let end = if payload_len == 0 { bytes.len() } else { end };
    let mut rest = &bytes[40..end];
    let mut next = h.next_header().0;
    let mut later = false;
    for _ in 0..MAX_V6_EXTENSIONS {
        match next {
            // hop-by-hop, routing, destination options, mobility, HIP, shim6
            0 | 43 | 60 | 135 | 139 | 140 => {
                if rest.len() < 8 {
                    break;
                }
                let len = (usize::from(rest[1]) + 1) * 8;
                next = rest[0];
                rest = rest.get(len..).unwrap_or(&[]);
            }
            // authentication header: length in 4-octet units, minus 2
            51 => {
                if rest.len() < 8 {
                    break;
                }
                let len = (usize::from(rest[1]) + 2) * 4;
                next = rest[0];
                rest = rest.get(len..).unwrap_or(&[]);
            }
            44 => {
                if rest.len() < 8 {
                    break;
                }
                let off_flags = u16::from_be_bytes([rest[2], rest[3]]);
                let offset = off_flags >> 3;
                let more = off_flags & 1 == 1;
                if offset > 0 || more {
                    meta.ip_id = u32::from_be_bytes([rest[4], rest[5], rest[6], rest[7]]);
                    later = offset > 0;
                    meta.fragment = if later {
                        Fragment::Later
                    } else {
                        Fragment::First
                    };
                }
                next = rest[0];
                rest = &rest[8..];
            }
            _ => break,
        }
    }
    meta.proto = next;
    if !later {
        fill_transport(meta, rest);
    }
    Ok(rest)
}

/// Most IPv6 extension headers walked before giving up on the chain.
const MAX_V6_EXTENSIONS: usize = 16;

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses into a fresh PacketMeta.
    fn parse_ip(bytes: &[u8], hint: u8) -> Result<PacketMeta, Skip> {
        let mut m = PacketMeta::default();
        super::parse_ip(&mut m, bytes, hint).map(|_| m)
    }

    /// A 20-byte IPv4 header with the given total length, flags/offset word and protocol.
    fn v4(total: u16, frag: u16, proto: u8) -> Vec<u8> {
        let mut h = vec![
            0x45, 0, 0, 0, 0x12, 0x34, 0, 0, 64, proto, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
        ];
        h[2..4].copy_from_slice(&total.to_be_bytes());
        h[6..8].copy_from_slice(&frag.to_be_bytes());
        h
    }

    #[test]
    fn truncated_ipv4_tcp_keeps_true_volume() {
        let mut p = v4(1500, 0x4000, 6);
        // TCP: sport 443, dport 51000, seq 7, ack 9, data offset 5, flags SYN|ACK
        p.extend_from_slice(&[0x01, 0xbb, 0xc7, 0x38, 0, 0, 0, 7, 0, 0, 0, 9, 0x50, 0x12]);
        let m = parse_ip(&p, 4).unwrap();
        assert_eq!(m.l3_len, 1500);
        assert_eq!((m.sport, m.dport), (443, 51000));
        assert_eq!((m.tcp_seq, m.tcp_ack, m.tcp_flags), (7, 9, 0x12));
        assert_eq!(m.src, 0x0a00_0001);
        assert_eq!(m.dst, 0x0a00_0002);
        assert_eq!(m.ttl, 64);
        assert_eq!(m.ip_id, 0x1234);
        assert_eq!(m.fragment, Fragment::None);
    }

    #[test]
    fn ipv4_fragments() {
        let mut first = v4(1500, 0x2000, 17); // MF, offset 0
        first.extend_from_slice(&[0, 53, 0, 99, 0, 8, 0, 0]);
        let m = parse_ip(&first, 0).unwrap();
        assert_eq!(m.fragment, Fragment::First);
        assert_eq!((m.sport, m.dport), (53, 99));
        let mut later = v4(300, 185, 17); // offset 185*8
        later.extend_from_slice(&[0, 53, 0, 99]);
        let m = parse_ip(&later, 0).unwrap();
        assert_eq!(m.fragment, Fragment::Later);
        assert_eq!((m.sport, m.dport), (0, 0));
        assert_eq!(m.l3_len, 300);
    }

    #[test]
    fn ipv4_bad_headers_are_malformed() {
        assert_eq!(parse_ip(&[], 0).unwrap_err(), Skip::Malformed);
        assert_eq!(
            parse_ip(&v4(60, 0, 6)[..19], 4).unwrap_err(),
            Skip::Malformed
        );
        assert_eq!(parse_ip(&v4(10, 0, 6), 4).unwrap_err(), Skip::Malformed);
        let mut bad = v4(60, 0, 6);
        bad[0] = 0x55; // version 5
        assert_eq!(parse_ip(&bad, 0).unwrap_err(), Skip::Malformed);
        assert_eq!(parse_ip(&v4(60, 0, 6), 6).unwrap_err(), Skip::Malformed);
    }

    #[test]
    fn ipv4_total_length_zero_uses_captured_length() {
        let mut p = v4(0, 0, 17);
        p.extend_from_slice(&[0; 30]);
        assert_eq!(parse_ip(&p, 4).unwrap().l3_len, 50);
    }

    /// A 40-byte IPv6 header with the given payload length and next header.
    fn v6(payload_len: u16, next: u8) -> Vec<u8> {
        let mut h = vec![0x60, 0, 0, 0, 0, 0, next, 57];
        h[4..6].copy_from_slice(&payload_len.to_be_bytes());
        h.extend_from_slice(&[0x24, 0x04, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
        h.extend_from_slice(&[0x24, 0x04, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]);
        h
    }

    #[test]
    fn ipv6_udp_truncated() {
        let mut p = v6(1200, 17);
        p.extend_from_slice(&[0x13, 0x88, 0x00, 0x35]);
        let m = parse_ip(&p, 6).unwrap();
        assert_eq!(m.l3_len, 1240);
        assert_eq!((m.sport, m.dport), (5000, 53));
        assert_eq!(m.ttl, 57);
        assert_eq!(m.src >> 96, 0x2404_0db8);
        assert_eq!(m.dst & 0xff, 2);
    }

    #[test]
    fn ipv6_fragment_header() {
        // fragment header: next UDP, offset 0 + M flag, id 0xdeadbeef
        let mut p = v6(16, 44);
        p.extend_from_slice(&[17, 0, 0x00, 0x01, 0xde, 0xad, 0xbe, 0xef]);
        p.extend_from_slice(&[0, 7, 0, 9, 0, 8, 0, 0]);
        let m = parse_ip(&p, 0).unwrap();
        assert_eq!(m.proto, 17);
        assert_eq!(m.fragment, Fragment::First);
        assert_eq!(m.ip_id, 0xdead_beef);
        assert_eq!((m.sport, m.dport), (7, 9));
        // offset 100 (100 << 3 = 0x0320), no M flag: a later fragment
        p[42] = 0x03;
        p[43] = 0x20;
        let m = parse_ip(&p, 0).unwrap();
        assert_eq!(m.fragment, Fragment::Later);
        assert_eq!((m.sport, m.dport), (0, 0));
    }

    #[test]
    fn digest_tells_packets_apart() {
        let a = b"abcdefghijklmnopqrstuvwxyz012345";
        assert_eq!(digest(b"abcdefghijklmnopqrstuvwxyz012345XYZ"), digest(a));
        assert_ne!(digest(b"abcdefghijklmnopqrstuvwxyz012346"), digest(a));
        assert_ne!(digest(b"bbcdefghijklmnopqrstuvwxyz012345"), digest(a));
        assert_ne!(digest(b"abcdefghijklmnop"), digest(b"abcdefghijklmnoq"));
        assert_ne!(digest(b"abc"), digest(b"abc\0"));
        // the top 6 bits say how many bytes were digested
        assert_eq!(digest(a) >> 58, 32);
        assert_eq!(digest(b"abc") >> 58, 3);
        assert_eq!(digest(b"") >> 58, 0);
    }

    #[test]
    fn digest_skips_tcp_and_udp_headers() {
        // TCP with data offset 6 (24-byte header): payload starts at 24.
        let mut tcp = vec![0u8; 24];
        tcp[12] = 0x60;
        tcp.extend_from_slice(b"payload");
        assert_eq!(digested(6, false, &tcp), b"payload");
        // data offset below 5 is read as 5; a header cut short leaves nothing
        tcp[12] = 0x10;
        assert_eq!(&digested(6, false, &tcp)[..4], &[0, 0, 0, 0]);
        assert_eq!(digested(6, false, &tcp[..12]), b"");
        tcp[12] = 0x60;
        assert_eq!(digested(6, false, &tcp[..22]), b"");
        // UDP and UDP-Lite: 8 bytes
        assert_eq!(digested(17, false, b"12345678quic"), b"quic");
        assert_eq!(digested(136, false, b"12345678x"), b"x");
        assert_eq!(digested(17, false, b"1234"), b"");
        // ICMP, and any later fragment: the whole IP payload
        assert_eq!(digested(1, false, b"\x08\x00ping"), b"\x08\x00ping");
        assert_eq!(digested(17, true, b"12345678quic"), b"12345678quic");
    }

    #[test]
    fn truncated_extension_chain_does_not_read_out_of_bounds() {
        // hop-by-hop header claiming 255*8+8 bytes, but only 8 captured
        let mut p = v6(2048, 0);
        p.extend_from_slice(&[17, 255, 0, 0, 0, 0, 0, 0]);
        let m = parse_ip(&p, 6).unwrap();
        assert_eq!(m.l3_len, 2088);
        assert_eq!((m.sport, m.dport), (0, 0));
        // a chain of hop-by-hop headers longer than the walk limit
        let mut p = v6(200, 0);
        for _ in 0..20 {
            p.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 0]);
        }
        assert!(parse_ip(&p, 6).is_ok());
    }

    #[test]
    fn ipv6_destination_options_then_tcp() {
        let mut p = v6(28, 60);
        p.extend_from_slice(&[6, 0, 1, 4, 0, 0, 0, 0]); // dest opts, 8 bytes, next TCP
        p.extend_from_slice(&[0, 80, 0x1f, 0x90, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02]);
        let m = parse_ip(&p, 6).unwrap();
        assert_eq!(m.proto, 6);
        assert_eq!((m.sport, m.dport, m.tcp_flags), (80, 8080, 0x02));
    }
}
