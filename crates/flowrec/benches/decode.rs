//! Decode throughput on real exporter datagrams (tests/data): sFlow from
//! pmacctd's sfprobe, IPFIX and NetFlow v9 from softflowd, with templates
//! already known (the steady state of a collector).
//!
//!     cargo bench -p trombone-flowrec --bench decode
//!
//! Throughput is reported in records per second; datagrams per second is
//! that times datagrams/records (printed once per benchmark).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use trombone_flowrec::{Decoder, Limits, Record};

#[path = "../tests/support/mod.rs"]
mod support;

fn bench_capture(c: &mut Criterion, name: &str, pcap: &str) {
    let dgs = support::read_pcap(pcap);
    let mut dec = Decoder::new(Limits::default());
    let mut records = 0u64;
    // Learn the templates (and count the records of one pass).
    for d in &dgs {
        let _ = dec.decode(d.src, d.ts_ns, &d.payload, &mut |_| records += 1);
    }
    eprintln!("{name}: {} datagrams, {records} records a pass", dgs.len());
    let mut g = c.benchmark_group("flowrec");
    g.throughput(Throughput::Elements(records));
    g.bench_function(name, |b| {
        b.iter(|| {
            let mut n = 0u64;
            for d in &dgs {
                let _ = dec.decode(d.src, d.ts_ns, &d.payload, &mut |r| {
                    if let Record::PacketSample(s) = r {
                        n += s.header.len() as u64;
                    } else {
                        n += 1;
                    }
                });
            }
            n
        })
    });
    g.finish();
}

fn benches(c: &mut Criterion) {
    bench_capture(c, "sflow_pmacctd", "pmacctd-sfprobe.pcap");
    bench_capture(c, "ipfix_softflowd", "softflowd-ipfix.pcap");
    bench_capture(c, "ipfix_pmacctd", "pmacctd-nfprobe-ipfix.pcap");
    bench_capture(c, "netflow9_softflowd", "softflowd-v9.pcap");
}

criterion_group!(decode, benches);
criterion_main!(decode);
