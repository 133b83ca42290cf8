//! Decode throughput on one of the exporter captures, templates already
//! known: prints datagrams and records decoded and their rates per second of
//! wall time. On a busy machine, run it under `perf stat -e task-clock` and
//! divide by the CPU time instead.
//!
//!     cargo run --release -p trombone-flowrec --example throughput -- pmacctd-sfprobe.pcap 20000

use std::time::Instant;

use trombone_flowrec::{Decoder, Limits};

#[path = "../tests/support/mod.rs"]
mod support;

fn main() {
    let mut args = std::env::args().skip(1);
    let pcap = args.next().unwrap_or_else(|| "pmacctd-sfprobe.pcap".into());
    let passes: u64 = args.next().map_or(10_000, |p| p.parse().expect("passes"));
    let dgs = support::read_pcap(&pcap);
    let mut dec = Decoder::new(Limits::default());
    for d in &dgs {
        let _ = dec.decode(d.src, d.ts_ns, &d.payload, &mut |_| {});
    }
    let t = Instant::now();
    let mut records = 0u64;
    for _ in 0..passes {
        for d in &dgs {
            let _ = dec.decode(d.src, d.ts_ns, &d.payload, &mut |r| {
                std::hint::black_box(r);
                records += 1;
            });
        }
    }
    let s = t.elapsed().as_secs_f64();
    let datagrams = passes * dgs.len() as u64;
    println!(
        "{pcap}: {datagrams} datagrams, {records} records in {s:.3} s: {:.0} datagrams/s, {:.0} records/s",
        datagrams as f64 / s,
        records as f64 / s
    );
}
