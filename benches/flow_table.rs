//! Flow-table update cost per packet with 100k live flows (the bench capture's size).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::sync::Arc;
use trombone_asdb::AsDb;
use trombone_flow::Worker;
use trombone_packet::PacketMeta;

fn bench_observe(c: &mut Criterion) {
    // 100k flows, visited in a scrambled order (a multiplicative step coprime with the count).
    const FLOWS: u64 = 100_000;
    let metas: Vec<PacketMeta> = (0..FLOWS)
        .map(|i| PacketMeta {
            src: u128::from(0x1b40_0000u32 + (i as u32 % 4096)),
            dst: u128::from(0x0ac8_0000u32 + (i as u32 / 4096)),
            ip_version: 4,
            proto: 6,
            sport: 1024 + (i % 60000) as u16,
            dport: 443,
            l3_len: 800,
            wire_len: 814,
            ..PacketMeta::default()
        })
        .collect();
    let mut w = Worker::new(
        Arc::new(AsDb::empty()),
        FLOWS as usize,
        trombone_flow::DEFAULT_BIN_NS,
        None,
    );
    for m in &metas {
        w.observe(m);
    }
    let mut g = c.benchmark_group("flow_table");
    g.throughput(Throughput::Elements(1));
    let mut i = 0u64;
    g.bench_function("observe_existing_100k", |b| {
        b.iter(|| {
            i = (i + 7919) % FLOWS;
            w.observe(&metas[i as usize]);
        })
    });
    g.finish();
}

criterion_group!(benches, bench_observe);
criterion_main!(benches);
