//! The replica fingerprint's payload input: up to 32 captured bytes after
//! the TCP/UDP header, so QUIC packets that share headers and connection ids
//! still differ by their encrypted bytes.

use trombone_packet::{parse, PacketMeta, Tunnel, PAYLOAD_DIGEST_BYTES};

/// Ethernet + IPv6 + UDP 443 → 50000, hop limit 60, around `payload`.
fn quic_v6(payload: &[u8]) -> Vec<u8> {
    let mut f = vec![
        0, 0x11, 0x22, 0x33, 0x44, 0x55, 0, 0x66, 0x77, 0x88, 0x99, 0xaa, 0x86, 0xdd,
    ];
    f.extend_from_slice(&[0x60, 0, 0, 0]);
    f.extend_from_slice(&(8 + payload.len() as u16).to_be_bytes());
    f.extend_from_slice(&[17, 60]);
    f.extend_from_slice(&[
        0x24, 0x04, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ]);
    f.extend_from_slice(&[
        0x24, 0x04, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x20,
    ]);
    f.extend_from_slice(&[0x01, 0xbb, 0xc3, 0x50]);
    f.extend_from_slice(&(8 + payload.len() as u16).to_be_bytes());
    f.extend_from_slice(&[0, 0]);
    f.extend_from_slice(payload);
    f
}

/// A QUIC short-header payload: flags 0x41, an 8-byte connection id, a
/// 2-byte packet number and 5 more header-protected bytes (16 bytes in all,
/// the same for every packet here), then `tail`, the encrypted bytes.
fn short_header(tail: &[u8]) -> Vec<u8> {
    let mut p = vec![
        0x41, 0xc1, 0xd2, 0xe3, 0xf4, 0x05, 0x16, 0x27, 0x38, 0x00, 0x07,
    ];
    p.extend_from_slice(&[0x9a, 0x9b, 0x9c, 0x9d, 0x9e]);
    assert_eq!(p.len(), 16);
    p.extend_from_slice(tail);
    p
}

/// Parses an Ethernet frame captured whole.
fn meta(frame: &[u8]) -> PacketMeta {
    parse(1, frame, frame.len() as u32, 0, 0).unwrap()
}

#[test]
fn quic_packets_with_equal_first_16_bytes_differ() {
    let a: Vec<u8> = (0..40u8).collect();
    let mut b = a.clone();
    b[0] ^= 0x80; // the 17th payload byte
    let mut c = a.clone();
    c[15] ^= 0x01; // the 32nd
    let (ma, mb, mc) = (
        meta(&quic_v6(&short_header(&a))),
        meta(&quic_v6(&short_header(&b))),
        meta(&quic_v6(&short_header(&c))),
    );
    // identical everything else: addresses, ports, lengths, hop limit
    assert_eq!(
        PacketMeta {
            payload_digest: 0,
            ..ma
        },
        PacketMeta {
            payload_digest: 0,
            ..mb
        }
    );
    assert_ne!(ma.payload_digest, mb.payload_digest);
    assert_ne!(ma.payload_digest, mc.payload_digest);
    assert_ne!(mb.payload_digest, mc.payload_digest);
    assert_eq!(ma.digest_len(), PAYLOAD_DIGEST_BYTES);
    // bytes after the 32nd are not digested
    let mut d = a.clone();
    d[16] ^= 0xff; // the 33rd
    assert_eq!(
        meta(&quic_v6(&short_header(&d))).payload_digest,
        ma.payload_digest
    );
}

#[test]
fn digest_len_tells_short_or_cut_payloads() {
    let full = quic_v6(&short_header(&[7; 40]));
    let m = meta(&full);
    assert_eq!(m.digest_len(), 32);
    // the same packet with a snaplen that keeps 10 payload bytes
    let headers = 14 + 40 + 8;
    let cut = parse(1, &full[..headers + 10], full.len() as u32, 0, 0).unwrap();
    assert_eq!(cut.digest_len(), 10);
    assert_eq!(cut.l3_len, m.l3_len);
    assert_ne!(cut.payload_digest, m.payload_digest);
    // a payload of 5 bytes, captured whole
    assert_eq!(meta(&quic_v6(&[1, 2, 3, 4, 5])).digest_len(), 5);
    // Ethernet padding after a short packet is not payload
    let mut padded = quic_v6(&[1, 2, 3]);
    let len3 = meta(&padded).payload_digest;
    padded.extend_from_slice(&[0; 10]);
    assert_eq!(meta(&padded).payload_digest, len3);
}

/// Ethernet + IPv4 + TCP (data offset 8: 12 bytes of options) around `data`.
fn tcp_v4(data: &[u8]) -> Vec<u8> {
    let mut f = vec![
        0, 0x11, 0x22, 0x33, 0x44, 0x55, 0, 0x66, 0x77, 0x88, 0x99, 0xaa, 8, 0,
    ];
    f.extend_from_slice(&[0x45, 0]);
    f.extend_from_slice(&(20 + 32 + data.len() as u16).to_be_bytes());
    f.extend_from_slice(&[0x12, 0x34, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]);
    f.extend_from_slice(&[0x01, 0xbb, 0xc7, 0x38, 0, 0, 0, 7, 0, 0, 0, 9, 0x80, 0x18]);
    f.extend_from_slice(&[0xff, 0xff, 0, 0, 0, 0]);
    f.extend_from_slice(&[1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2]); // NOP NOP timestamps
    f.extend_from_slice(data);
    f
}

#[test]
fn tcp_digest_covers_data_after_the_options() {
    let ack = meta(&tcp_v4(&[]));
    assert_eq!(ack.digest_len(), 0);
    assert_eq!((ack.tcp_seq, ack.tcp_ack, ack.tcp_flags), (7, 9, 0x18));
    let a = meta(&tcp_v4(b"0123456789abcdefXYZ"));
    let b = meta(&tcp_v4(b"0123456789abcdefXYw"));
    assert_eq!(a.digest_len(), 19);
    assert_ne!(a.payload_digest, b.payload_digest);
}

#[test]
fn a_mirrored_copy_digests_like_the_original() {
    let frame = quic_v6(&short_header(&[0x5a; 20]));
    // the same frame inside ERSPAN type I over IPv4
    let mut erspan = vec![2, 0, 0, 0, 0, 9, 2, 0, 0, 0, 0, 8, 0x08, 0x00];
    erspan.extend_from_slice(&[0x45, 0]);
    erspan.extend_from_slice(&(20 + 4 + frame.len() as u16).to_be_bytes());
    erspan.extend_from_slice(&[0, 0, 0, 0, 64, 47, 0, 0, 192, 0, 2, 1, 192, 0, 2, 2]);
    erspan.extend_from_slice(&[0, 0, 0x88, 0xbe]);
    erspan.extend_from_slice(&frame);
    let bare = meta(&frame);
    let mirrored = meta(&erspan);
    assert_eq!(mirrored.tunnel, Tunnel::ErspanI);
    assert_eq!(mirrored.payload_digest, bare.payload_digest);
    assert_eq!(mirrored.digest_len(), 32);
}
