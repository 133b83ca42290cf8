//! Parse cost per packet: link decapsulation + lax IP/L4 slicing into PacketMeta.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;

/// Ethernet + IPv4 + TCP (SYN), 54 bytes captured.
fn eth_v4_tcp() -> Vec<u8> {
    let mut f = vec![2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0xa1, 0, 0x08, 0x00];
    f.extend_from_slice(&[0x45, 0, 0x05, 0xdc, 0x12, 0x34, 0x40, 0, 60, 6, 0, 0]);
    f.extend_from_slice(&[27, 64, 1, 10, 113, 160, 2, 20]);
    f.extend_from_slice(&[
        0x01, 0xbb, 0xc7, 0x38, 0, 0, 0, 7, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0,
    ]);
    f
}

/// Ethernet + 802.1Q + IPv6 + UDP, 66 bytes captured.
fn vlan_v6_udp() -> Vec<u8> {
    let mut f = vec![
        2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0xa1, 0, 0x81, 0x00, 0x00, 0x64, 0x86, 0xdd,
    ];
    f.extend_from_slice(&[0x60, 0, 0, 0, 0x04, 0xb0, 17, 57]);
    f.extend_from_slice(&[0x24, 0x04, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    f.extend_from_slice(&[0x24, 0x04, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]);
    f.extend_from_slice(&[0x13, 0x88, 0x00, 0x35, 0x04, 0xb0, 0, 0]);
    f
}

fn bench_parse(c: &mut Criterion) {
    let frames = [eth_v4_tcp(), vlan_v6_udp()];
    let mut g = c.benchmark_group("parse");
    g.throughput(Throughput::Elements(1));
    g.bench_function("ethernet_ipv4_tcp", |b| {
        b.iter(|| trombone_packet::parse(1, black_box(&frames[0]), 1514, 0, 0))
    });
    g.bench_function("dot1q_ipv6_udp", |b| {
        b.iter(|| trombone_packet::parse(1, black_box(&frames[1]), 1258, 0, 0))
    });
    g.finish();
}

criterion_group!(benches, bench_parse);
criterion_main!(benches);
