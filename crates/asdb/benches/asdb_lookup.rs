//! Criterion benchmarks of the IP -> ASN/country database: load time of the full routing table
//! (embedded compact default; the ~1M-prefix RouteViews pfx2as text; a synthetic 200k-prefix
//! IPv6 table) and lookup time per address (IPv4 random and routed, IPv6).
//!
//! Run: `cargo bench -p trombone-asdb --bench asdb_lookup`. Needs `../shared` beside the repo.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use trombone_asdb::AsDb;

fn shared_asn(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/asn")
        .join(name)
}

/// Deterministic pseudo-random numbers (64-bit LCG, high bits).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0
    }
}

/// A pmacct networks_file of `n` random IPv6 prefixes (/19../48 under 2000::/3), as a stand-in for
/// a full IPv6 routing table (the shared data has IPv4 routing only).
fn synthetic_v6_table(n: usize) -> String {
    let mut r = Lcg(42);
    let mut s = String::with_capacity(n * 40);
    for _ in 0..n {
        let len = 19 + (r.next() >> 59) as u32 % 30; // 19..=48
        let raw = (0x2000u128 << 112) | ((u128::from(r.next()) << 64 | u128::from(r.next())) >> 3);
        let net = raw & !(u128::MAX >> len);
        let asn = 1 + (r.next() >> 40) as u32 % 400_000;
        s.push_str(&format!("{asn},{}/{len}\n", std::net::Ipv6Addr::from(net)));
    }
    s
}

fn bench_load(c: &mut Criterion) {
    let mut g = c.benchmark_group("asdb_load");
    g.sample_size(10).measurement_time(Duration::from_secs(8));
    g.bench_function("embedded_default_compact", |b| {
        b.iter(|| black_box(AsDb::embedded()))
    });
    let pfx = shared_asn("routeviews-rv2-20240406.pfx2as.gz");
    g.bench_function("routeviews_pfx2as_1M_prefixes_gz", |b| {
        b.iter(|| black_box(AsDb::load(std::slice::from_ref(&pfx)).unwrap()))
    });
    let v6 = synthetic_v6_table(200_000);
    g.bench_function("pmacct_text_200k_v6_prefixes", |b| {
        b.iter(|| black_box(AsDb::load_bytes(&[("v6.lst", v6.as_bytes())]).unwrap()))
    });
    g.finish();
}

fn bench_lookup(c: &mut Criterion) {
    let db = AsDb::embedded();
    let info = db.info();
    eprintln!(
        "embedded: {} IPv4 + {} IPv6 lookup ranges, lookup tables {} bytes, whole database {} bytes",
        info.lookup_ranges_v4, info.lookup_ranges_v6, info.lookup_bytes, info.memory_bytes
    );
    let mut r = Lcg(7);
    let random_v4: Vec<u32> = (0..4096).map(|_| (r.next() >> 32) as u32).collect();
    // Addresses inside routed prefixes: random hosts of random pfx2as lines.
    let text = {
        use std::io::Read;
        let raw = std::fs::read(shared_asn("routeviews-rv2-20240406.pfx2as.gz")).unwrap();
        let mut s = String::new();
        flate2::read::MultiGzDecoder::new(&raw[..])
            .read_to_string(&mut s)
            .unwrap();
        s
    };
    let starts: Vec<u32> = text
        .lines()
        .map(|l| {
            u32::from(
                l.split('\t')
                    .next()
                    .unwrap()
                    .parse::<std::net::Ipv4Addr>()
                    .unwrap(),
            )
        })
        .collect();
    let routed_v4: Vec<u32> = (0..4096)
        .map(|_| starts[(r.next() >> 33) as usize % starts.len()] + (r.next() >> 56) as u32)
        .collect();
    let v6db = AsDb::load_bytes(&[("v6.lst", synthetic_v6_table(200_000).as_bytes())]).unwrap();
    let random_v6: Vec<u128> = (0..4096)
        .map(|_| (0x2000u128 << 112) | (u128::from(r.next()) << 64 | u128::from(r.next())) >> 3)
        .collect();

    let mut g = c.benchmark_group("asdb_lookup");
    g.throughput(Throughput::Elements(4096));
    g.bench_function("v4_random_embedded", |b| {
        b.iter(|| {
            random_v4
                .iter()
                .map(|&ip| u64::from(db.lookup_v4(black_box(ip)).asn))
                .sum::<u64>()
        })
    });
    g.bench_function("v4_routed_embedded", |b| {
        b.iter(|| {
            routed_v4
                .iter()
                .map(|&ip| u64::from(db.lookup_v4(black_box(ip)).asn))
                .sum::<u64>()
        })
    });
    g.bench_function("v6_random_embedded_apnic", |b| {
        b.iter(|| {
            random_v6
                .iter()
                .filter(|&&ip| db.lookup_v6(black_box(ip)).country.is_some())
                .count()
        })
    });
    g.bench_function("v6_random_200k_prefixes", |b| {
        b.iter(|| {
            random_v6
                .iter()
                .map(|&ip| u64::from(v6db.lookup_v6(black_box(ip)).asn))
                .sum::<u64>()
        })
    });
    g.bench_function("ipaddr_v4_routed_embedded", |b| {
        let ips: Vec<std::net::IpAddr> = routed_v4
            .iter()
            .map(|&x| std::net::Ipv4Addr::from(x).into())
            .collect();
        b.iter(|| {
            ips.iter()
                .map(|&ip| u64::from(db.lookup(black_box(ip)).asn))
                .sum::<u64>()
        })
    });
    g.finish();
}

criterion_group!(benches, bench_load, bench_lookup);
criterion_main!(benches);
