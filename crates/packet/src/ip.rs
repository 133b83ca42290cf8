//! IPv4 headers (read at their fixed offsets, laxly, as etherparse would
//! slice them) and IPv6 headers (sliced with etherparse), and the transport
//! fields trombone keeps: ports, TCP flags and sequence numbers.

use crate::{mix64, Fragment, PacketMeta, Skip};
use etherparse::Ipv6HeaderSlice;

/// IP protocol numbers whose first four payload bytes are source and destination ports.
#[inline]
fn has_ports(proto: u8) -> bool {
    // TCP, UDP, DCCP, SCTP, UDP-Lite
    matches!(proto, 6 | 17 | 33 | 132 | 136)
}

/// Writes ports and TCP fields from the transport bytes of an unfragmented
/// packet or a first fragment (0 when the protocol has none or the capture
/// cut them; pass no bytes for a later fragment).
#[inline]
fn fill_transport(meta: &mut PacketMeta, payload: &[u8]) {
    let (mut sport, mut dport) = (0, 0);
    let (mut seq, mut ack, mut flags) = (0, 0, 0);
    if has_ports(meta.proto) && payload.len() >= 4 {
        sport = u16::from_be_bytes([payload[0], payload[1]]);
        dport = u16::from_be_bytes([payload[2], payload[3]]);
        if meta.proto == 6 && payload.len() >= 14 {
            seq = u32::from_be_bytes([payload[4], payload[5], payload[6], payload[7]]);
            ack = u32::from_be_bytes([payload[8], payload[9], payload[10], payload[11]]);
            flags = payload[13];
        }
    }
    meta.sport = sport;
    meta.dport = dport;
    meta.tcp_seq = seq;
    meta.tcp_ack = ack;
    meta.tcp_flags = flags;
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
/// fields of `meta`, writing every one of them (addresses, version,
/// protocol, ports, lengths, TTL, TCP fields, IP ID, fragment), whatever
/// they held; the link, capture and encapsulation fields are left alone. On
/// an error they are unspecified. Returns the transport bytes
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

/// IPv4: volume from total length (or the captured length when total length
/// is 0, as segmentation offload leaves it in captures taken on the sender).
///
/// The header is read at its fixed offsets after checking its length, with
/// the outcome etherparse 0.21's `LaxIpv4Slice::from_slice` gives (a unit
/// test compares the two over a sweep of headers): malformed when shorter
/// than 20 bytes, IHL below 5, or the options cut; the payload ends at the
/// total length when captured that far, else at the captured end; an
/// authentication header (protocol 51) that fits is skipped, its next
/// header taken as the protocol.
#[inline]
fn parse_v4<'a>(meta: &mut PacketMeta, bytes: &'a [u8]) -> Result<&'a [u8], Skip> {
    let Some(h) = bytes.first_chunk::<V4_MIN_LEN>() else {
        return Err(Skip::Malformed);
    };
    let header_len = usize::from(h[0] & 0x0f) * 4;
    if header_len < V4_MIN_LEN || bytes.len() < header_len {
        return Err(Skip::Malformed);
    }
    let total = usize::from(u16::from_be_bytes([h[2], h[3]]));
    let (l3_len, end) = if total == 0 {
        (bytes.len(), bytes.len())
    } else if total < header_len {
        return Err(Skip::Malformed);
    } else {
        (total, total.min(bytes.len()))
    };
    let mut payload = &bytes[header_len..end];
    let mut proto = h[9];
    if proto == PROTO_AH {
        if let Some(rest) = skip_auth(payload) {
            proto = payload[0];
            payload = rest;
        }
    }
    meta.src = u128::from(u32::from_be_bytes([h[12], h[13], h[14], h[15]]));
    meta.dst = u128::from(u32::from_be_bytes([h[16], h[17], h[18], h[19]]));
    meta.ip_version = 4;
    meta.ttl = h[8];
    meta.ip_id = u32::from(u16::from_be_bytes([h[4], h[5]]));
    meta.l3_len = l3_len as u32;
    meta.proto = proto;
    let offset = u16::from_be_bytes([h[6] & 0x1f, h[7]]);
    meta.fragment = if offset > 0 {
        Fragment::Later
    } else if h[6] & 0x20 != 0 {
        Fragment::First
    } else {
        Fragment::None
    };
    fill_transport(meta, if offset == 0 { payload } else { &[] });
    Ok(payload)
}

/// Length of an IPv4 header without options.
const V4_MIN_LEN: usize = 20;
/// IP protocol number of the authentication header.
const PROTO_AH: u8 = 51;

/// The bytes after an IPv4 packet's authentication header, when it is whole:
/// at least 12 bytes, a payload length field of at least 1, and its
/// `(field + 2) * 4` bytes captured; `None` leaves protocol 51 in place.
#[inline]
fn skip_auth(payload: &[u8]) -> Option<&[u8]> {
    if payload.len() < 12 || payload[1] == 0 {
        return None;
    }
    payload.get((usize::from(payload[1]) + 2) * 4..)
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
    let (mut ip_id, mut fragment) = (0, Fragment::None);
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
                    ip_id = u32::from_be_bytes([rest[4], rest[5], rest[6], rest[7]]);
                    later = offset > 0;
                    fragment = if later {
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
    meta.ip_id = ip_id;
    meta.fragment = fragment;
    fill_transport(meta, if later { &[] } else { rest });
    Ok(rest)
}

/// Most IPv6 extension headers walked before giving up on the chain.
const MAX_V6_EXTENSIONS: usize = 16;

#[cfg(test)]
mod tests {
    use super::*;

    use crate::Tunnel;

    /// Parses into a fresh PacketMeta, after checking that parsing over a
    /// used one (every field set) gives the same outcome, transport bytes and
    /// IP and transport fields, and leaves the other fields alone.
    fn parse_ip(bytes: &[u8], hint: u8) -> Result<PacketMeta, Skip> {
        let mut m = PacketMeta::default();
        let got = super::parse_ip(&mut m, bytes, hint).map(|t| (t.as_ptr(), t.len()));
        let mut used = used();
        let again = super::parse_ip(&mut used, bytes, hint).map(|t| (t.as_ptr(), t.len()));
        assert_eq!(got, again);
        if got.is_ok() {
            let others = PacketMeta {
                ts_ns: used.ts_ns,
                interface: used.interface,
                wire_len: used.wire_len,
                vlan: used.vlan,
                src_mac: used.src_mac,
                dst_mac: used.dst_mac,
                tunnel: used.tunnel,
                encap_len: used.encap_len,
                payload_digest: used.payload_digest,
                ..m
            };
            assert_eq!(used, others);
            assert_eq!(
                (used.ts_ns, used.interface, used.tunnel, used.payload_digest),
                (-1, 0xbeef, Tunnel::Gre, 12)
            );
        }
        got.map(|_| m)
    }

    /// A PacketMeta with every field set, as a capture loop's slot holds the
    /// previous packet.
    fn used() -> PacketMeta {
        PacketMeta {
            ts_ns: -1,
            interface: 0xbeef,
            src: u128::MAX,
            dst: 0x1234_5678,
            ip_version: 9,
            proto: 99,
            sport: 1,
            dport: 2,
            l3_len: 3,
            wire_len: 4,
            vlan: 5,
            ttl: 6,
            tcp_flags: 7,
            ip_id: 8,
            tcp_seq: 9,
            tcp_ack: 10,
            fragment: Fragment::Later,
            src_mac: [1; 6],
            dst_mac: [2; 6],
            tunnel: Tunnel::Gre,
            encap_len: 11,
            payload_digest: 12,
        }
    }

    /// The transport bytes `parse_ip` returns, as an offset and length in `bytes`.
    fn transport_at(bytes: &[u8]) -> (usize, usize) {
        let mut m = PacketMeta::default();
        let t = super::parse_ip(&mut m, bytes, 4).expect("parses");
        (t.as_ptr() as usize - bytes.as_ptr() as usize, t.len())
    }

    #[test]
    fn ipv4_options_udp_and_ethernet_padding() {
        // IHL 6 (24 bytes: one option word), total length 36 = 24 + UDP 8 + 4
        // bytes of data, then 6 bytes of Ethernet padding the capture kept.
        let p = [
            0x46, 0x00, 0x00, 0x24, 0xab, 0xcd, 0x00, 0x00, // total 36, id 0xabcd
            0x40, 0x11, 0x00, 0x00, // TTL 64, UDP
            0xc0, 0x00, 0x02, 0x01, // 192.0.2.1
            0xc6, 0x33, 0x64, 0x07, // 198.51.100.7
            0x01, 0x01, 0x01, 0x00, // NOP NOP NOP EOL
            0x04, 0xd2, 0x00, 0x35, 0x00, 0x0c, 0x00, 0x00, // UDP 1234 -> 53
            b'a', b'b', b'c', b'd', // data
            0, 0, 0, 0, 0, 0, // padding
        ];
        let m = parse_ip(&p, 4).unwrap();
        assert_eq!((m.src, m.dst), (0xc000_0201, 0xc633_6407));
        assert_eq!((m.ip_version, m.ttl, m.proto), (4, 64, 17));
        assert_eq!((m.ip_id, m.l3_len), (0xabcd, 36));
        assert_eq!((m.sport, m.dport), (1234, 53));
        assert_eq!((m.tcp_seq, m.tcp_ack, m.tcp_flags), (0, 0, 0));
        assert_eq!(m.fragment, Fragment::None);
        // the transport bytes stop at the total length, before the padding
        assert_eq!(transport_at(&p), (24, 12));
    }

    /// IPv4 (DF, TTL 63, 10.1.2.3 -> 10.4.5.6) with an authentication header
    /// whose payload length field is `ah_len`, then a TCP header (22 ->
    /// 50000, seq 4096, PSH|ACK); total length 64 = 20 + 24 + 20.
    fn v4_ah_tcp(ah_len: u8) -> Vec<u8> {
        let mut p = vec![
            0x45, 0x00, 0x00, 0x40, 0x00, 0x01, 0x40, 0x00, 0x3f, 51, 0x00, 0x00, //
            0x0a, 0x01, 0x02, 0x03, 0x0a, 0x04, 0x05, 0x06,
        ];
        // AH: next header TCP, length field, reserved, SPI 256, sequence 1, 12-byte ICV
        p.extend_from_slice(&[6, ah_len, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
        p.extend_from_slice(&[0; 12]);
        p.extend_from_slice(&[
            0x00, 0x16, 0xc3, 0x50, 0x00, 0x00, 0x10, 0x00, 0, 0, 0, 0, 0x50, 0x18, //
            0xff, 0xff, 0, 0, 0, 0,
        ]);
        p
    }

    #[test]
    fn ipv4_authentication_header_is_skipped() {
        // length field 4: (4 + 2) * 4 = 24 bytes of AH, TCP after it
        let p = v4_ah_tcp(4);
        let m = parse_ip(&p, 4).unwrap();
        assert_eq!((m.src, m.dst), (0x0a01_0203, 0x0a04_0506));
        assert_eq!((m.proto, m.ttl, m.ip_id, m.l3_len), (6, 63, 1, 64));
        assert_eq!((m.sport, m.dport), (22, 50000));
        assert_eq!((m.tcp_seq, m.tcp_ack, m.tcp_flags), (4096, 0, 0x18));
        assert_eq!(m.fragment, Fragment::None); // DF alone
        assert_eq!(transport_at(&p), (44, 20));
    }

    #[test]
    fn ipv4_authentication_header_not_whole_stays_protocol_51() {
        // length field 0 is invalid: the payload stays the AH, protocol 51 (no ports)
        let p = v4_ah_tcp(0);
        let m = parse_ip(&p, 4).unwrap();
        assert_eq!((m.proto, m.sport, m.dport, m.l3_len), (51, 0, 0, 64));
        assert_eq!(transport_at(&p), (20, 44));
        // a 24-byte AH of which the capture kept 16 bytes
        let p = v4_ah_tcp(4);
        let m = parse_ip(&p[..36], 4).unwrap();
        assert_eq!((m.proto, m.sport, m.l3_len), (51, 0, 64));
        assert_eq!(transport_at(&p[..36]), (20, 16));
        // fewer than 12 bytes: no AH at all
        assert_eq!(transport_at(&p[..31]), (20, 11));
        assert_eq!(parse_ip(&p[..31], 4).unwrap().proto, 51);
        // a length field of 255 runs past the packet: protocol 51
        let p = v4_ah_tcp(255);
        assert_eq!(parse_ip(&p, 4).unwrap().proto, 51);
    }

    #[test]
    fn ipv4_header_length_checks() {
        // IHL 4 (16 bytes) is below the minimum
        let mut p = v4(40, 0, 6);
        p[0] = 0x44;
        p.extend_from_slice(&[0; 20]);
        assert_eq!(parse_ip(&p, 4).unwrap_err(), Skip::Malformed);
        // IHL 15 asks for 60 bytes; 40 captured
        p[0] = 0x4f;
        assert_eq!(parse_ip(&p, 4).unwrap_err(), Skip::Malformed);
        // IHL 15 with 60 captured: the payload is empty (total 40 < 60 is malformed)
        p.extend_from_slice(&[0; 20]);
        assert_eq!(parse_ip(&p, 4).unwrap_err(), Skip::Malformed);
        p[2..4].copy_from_slice(&60u16.to_be_bytes());
        assert_eq!(parse_ip(&p, 4).unwrap().l3_len, 60);
        assert_eq!(transport_at(&p), (60, 0));
        // IHL 6 (24 bytes) with total length 22: shorter than its header
        let mut p = v4(22, 0, 17);
        p[0] = 0x46;
        p.extend_from_slice(&[0; 12]);
        assert_eq!(parse_ip(&p, 4).unwrap_err(), Skip::Malformed);
        // ... total length 0: the captured length (32), payload after the 24 bytes
        p[2..4].copy_from_slice(&[0, 0]);
        assert_eq!(parse_ip(&p, 4).unwrap().l3_len, 32);
        assert_eq!(transport_at(&p), (24, 8));
        // 19 bytes: too short for any header
        assert_eq!(
            parse_ip(&v4(20, 0, 6)[..19], 0).unwrap_err(),
            Skip::Malformed
        );
    }

    #[test]
    fn ipv4_flag_and_offset_bits() {
        let frag = |word: u16| {
            let mut p = v4(28, word, 17);
            p.extend_from_slice(&[0x00, 0x07, 0x00, 0x09, 0, 8, 0, 0]);
            let m = parse_ip(&p, 4).unwrap();
            (m.fragment, m.sport, m.dport)
        };
        assert_eq!(frag(0x0000), (Fragment::None, 7, 9));
        assert_eq!(frag(0x4000), (Fragment::None, 7, 9)); // DF
        assert_eq!(frag(0x8000), (Fragment::None, 7, 9)); // the reserved bit
        assert_eq!(frag(0x2000), (Fragment::First, 7, 9)); // MF, offset 0
        assert_eq!(frag(0x0001), (Fragment::Later, 0, 0)); // offset 1 (8 bytes)
        assert_eq!(frag(0x3fff), (Fragment::Later, 0, 0)); // MF, offset 8191
        assert_eq!(frag(0x1000), (Fragment::Later, 0, 0)); // offset 4096
    }

    /// IPv4 as this crate read it with etherparse 0.21's `LaxIpv4Slice`
    /// before the fixed-offset read: the reference `parse_v4` must equal.
    fn etherparse_v4<'a>(meta: &mut PacketMeta, bytes: &'a [u8]) -> Result<&'a [u8], Skip> {
        let (slice, _) =
            etherparse::LaxIpv4Slice::from_slice(bytes).map_err(|_| Skip::Malformed)?;
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

    #[test]
    fn ipv4_read_equals_etherparse_lax_slice() {
        // every IHL, total lengths around the header and capture lengths,
        // every capture length up to 72 bytes, fragment words, protocols
        // with and without ports, and AH length fields valid and not
        let totals = [
            0u16, 1, 19, 20, 23, 24, 27, 28, 36, 40, 44, 59, 60, 61, 72, 1500,
        ];
        let protos: [(u8, u8); 8] = [
            (6, 0),
            (17, 0),
            (1, 0),
            (51, 0),
            (51, 1),
            (51, 2),
            (51, 5),
            (51, 255),
        ];
        let mut cases = 0;
        for first in 0x40..=0x4f_u8 {
            for total in totals {
                for frag in [0x0000u16, 0x2000, 0x00b9] {
                    for (proto, ah_len) in protos {
                        let mut p = v4(total, frag, proto);
                        p[0] = first;
                        p.resize(72, 0);
                        for (i, b) in p.iter_mut().enumerate().skip(20) {
                            *b = (i * 7) as u8; // ports, TCP fields, options: not zero
                        }
                        for at in [20, 24, 28, 40, 60] {
                            // an AH (next header TCP, length field) wherever the header ends
                            p[at] = 6;
                            p[at + 1] = ah_len;
                        }
                        for len in 0..=p.len() {
                            let bytes = &p[..len];
                            let mut want = PacketMeta::default();
                            let want_t =
                                etherparse_v4(&mut want, bytes).map(|t| (t.as_ptr(), t.len()));
                            let mut got = used();
                            let got_t = parse_v4(&mut got, bytes).map(|t| (t.as_ptr(), t.len()));
                            assert_eq!(got_t, want_t, "{bytes:02x?}");
                            if got_t.is_ok() {
                                let got = PacketMeta {
                                    ts_ns: 0,
                                    interface: 0,
                                    wire_len: 0,
                                    vlan: 0,
                                    src_mac: [0; 6],
                                    dst_mac: [0; 6],
                                    tunnel: Tunnel::None,
                                    encap_len: 0,
                                    payload_digest: 0,
                                    ..got
                                };
                                assert_eq!(got, want, "{bytes:02x?}");
                            }
                            cases += 1;
                        }
                    }
                }
            }
        }
        assert!(cases > 200_000, "{cases}");
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
