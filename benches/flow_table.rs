//! Flow-table update cost per packet with 100k live flows (the bench capture's
//! size), and what hairpin detection adds to it.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use std::sync::Arc;
use trombone_asdb::AsDb;
use trombone_hairpin::{HairpinConfig, Links, Zone};
use trombone_packet::PacketMeta;
use trombone_worker::{HairpinAnalysis, Worker, WorkerConfig};

/// Flows in both benchmarks (the bench capture's count).
const FLOWS: u64 = 100_000;

/// A TCP packet of flow `i` (of `FLOWS`), 800 bytes of L3.
fn flow_packet(i: u64) -> PacketMeta {
    PacketMeta {
        src: u128::from(0x1b40_0000u32 + (i as u32 % 4096)),
        dst: u128::from(0x0ac8_0000u32 + (i as u32 / 4096)),
        ip_version: 4,
        proto: 6,
        sport: 1024 + (i % 60000) as u16,
        dport: 443,
        l3_len: 800,
        wire_len: 814,
        ..PacketMeta::default()
    }
}

fn bench_observe(c: &mut Criterion) {
    // 100k flows, visited in a scrambled order (a multiplicative step coprime with the count).
    let metas: Vec<PacketMeta> = (0..FLOWS).map(flow_packet).collect();
    let mut w = Worker::new(
        Arc::new(AsDb::empty()),
        WorkerConfig {
            flows_hint: FLOWS as usize,
            ..WorkerConfig::default()
        },
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

/// Packets per measured batch (what the pipeline hands a worker at a time is smaller;
/// a longer batch keeps criterion's per-iteration overhead out of the figure).
const BATCH: usize = 16_384;

/// The `n`-th packet of the hairpin stream: a UDP packet of flow `n * 7919 mod FLOWS`
/// (between two Vietnamese networks in the database below), 1 µs apart, a fresh IP ID.
fn packet(n: u64) -> PacketMeta {
    PacketMeta {
        ts_ns: 1_700_000_000_000_000_000 + n as i64 * 1000,
        proto: 17,
        ip_id: n as u32,
        ttl: 60,
        payload_digest: n,
        ..flow_packet((n * 7919) % FLOWS)
    }
}

/// Per-packet cost of `observe_batch` on the same packet stream: backbone only,
/// with hairpin detection (every packet local and hairpinned, none seen twice:
/// the matcher's worst case), and with every packet seen again 30 ms later.
fn bench_hairpin(c: &mut Criterion) {
    let db = Arc::new(
        AsDb::load_bytes(&[(
            "bench.ip2asn.tsv",
            b"10.200.0.0\t10.200.255.255\t45899\tVN\tVNPT\n27.64.0.0\t27.79.255.255\t7552\tVN\tVIETTEL\n",
        )])
        .expect("valid ip2asn"),
    );
    let zone = Zone::parse("VN", Some("KH,LA,MM,VN")).expect("valid zone");
    let hairpin = Arc::new(HairpinConfig::new(zone, Links::default()));
    let mut g = c.benchmark_group("worker_batch");
    g.throughput(Throughput::Elements(BATCH as u64));
    for (name, cfg, replicas) in [
        ("backbone", None, false),
        ("hairpin_no_replicas", Some(hairpin.clone()), false),
        ("hairpin_all_replicated", Some(hairpin.clone()), true),
    ] {
        let mut w = Worker::new(
            db.clone(),
            WorkerConfig {
                flows_hint: FLOWS as usize,
                ..WorkerConfig::default()
            },
        );
        if let Some(h) = cfg {
            w = w.with_analysis(Box::new(HairpinAnalysis::new(h)));
        }
        let mut n = 0u64;
        // warm: every flow exists
        let warm: Vec<PacketMeta> = (0..FLOWS).map(packet).collect();
        w.observe_batch(&warm);
        n += FLOWS;
        g.bench_function(name, |b| {
            b.iter_batched_ref(
                || {
                    let mut v: Vec<PacketMeta> = Vec::with_capacity(BATCH);
                    while v.len() < BATCH {
                        let p = packet(n);
                        v.push(p);
                        if replicas && v.len() < BATCH {
                            // the replica of the packet sent 30 ms (30,000 packets) ago
                            if let Some(k) = n.checked_sub(30_000) {
                                let mut r = packet(k);
                                r.ts_ns = p.ts_ns;
                                r.ttl = 52;
                                v.push(r);
                            }
                        }
                        n += 1;
                    }
                    v
                },
                |v| w.observe_batch(v),
                BatchSize::LargeInput,
            )
        });
    }
    g.finish();
}

criterion_group!(benches, bench_observe, bench_hairpin);
criterion_main!(benches);
