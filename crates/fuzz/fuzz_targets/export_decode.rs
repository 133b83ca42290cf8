//! Flow-export datagrams end to end, as `analyze --decode` and `collect` take them:
//! the export decoder (sFlow samples through the packet parser, flow records
//! renormalised and checked against a database, interface counters turned into
//! increases, the collector's counts) and then a worker (samples, records spread
//! over rate bins, counter intervals): never a panic, what comes out consistent.
//!
//! Input: byte 0 picks the set-up (bit 0 IXP learning and votes, bit 1 every
//! tunnel opened in sampled headers); then datagrams, each `sel u8, length u16
//! (big-endian), payload`, as the `flowrec_netflow` target reads them (whose
//! seeds serve here too): `sel` bits 0-1 pick one of four exporters; bits 2-3
//! force the version (0 as is — sFlow datagrams come this way —, 1 NetFlow v5,
//! 2 NetFlow v9, 3 IPFIX with its length field set to the payload's); bits 4-7
//! advance the clock by that many 10-second steps.
#![no_main]

use std::net::IpAddr;
use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use trombone_asdb::AsDb;
use trombone_packet::Decap;
use trombone_pipeline::ExportDecoder;
use trombone_reduce::IfaceRegistry;
use trombone_worker::{Worker, WorkerConfig, UNTIMED};

/// Addresses the database knows (so exported AS numbers can agree or disagree).
const NETWORKS: &[u8] = b"64500,10.0.0.0/8\n64501,192.0.2.0/24\n64502,2001:db8::/32\n";

/// The four exporters.
const EXPORTERS: [&str; 4] = ["192.0.2.1", "192.0.2.2", "2001:db8::1", "10.1.1.1"];

fuzz_target!(|data: &[u8]| {
    let Some((&mode, mut rest)) = data.split_first() else {
        return;
    };
    let db = Arc::new(AsDb::load_bytes(&[("networks.txt", NETWORKS)]).expect("networks"));
    let decap = if mode & 2 != 0 {
        Decap::all()
    } else {
        Decap::MIRROR_ONLY
    };
    let mut dec = ExportDecoder::new(decap, db.clone(), Arc::new(IfaceRegistry::new()), mode & 1 != 0);
    // A small flow table (the default pre-sizes 65,536 flows) and 1-minute rate bins:
    // a record is spread over up to 100,000 bins, and with 1-second bins the seeds'
    // records alone held the target to a dozen inputs a second.
    let mut worker = Worker::new(
        db,
        WorkerConfig {
            flows_hint: 64,
            bin_ns: 60_000_000_000,
            ..WorkerConfig::default()
        },
    );
    // 2023-11-14, in ns
    let mut now: i64 = 1_700_000_000_000_000_000;
    let mut datagrams = 0u64;
    while let Some((sel, dg)) = trombone_fuzz::next_datagram(&mut rest) {
        now += i64::from(sel >> 4) * 10_000_000_000;
        let exporter: IpAddr = EXPORTERS[usize::from(sel & 3)].parse().unwrap();
        dec.datagram(exporter, now, &dg);
        datagrams += 1;
        if let Some(t) = dec.last_time {
            assert_ne!(t, UNTIMED);
        }
        let obs = std::mem::take(&mut dec.out);
        for s in &obs.sampled {
            assert!(s.weight >= 1);
            assert!(s.meta.ip_version == 4 || s.meta.ip_version == 6);
            assert_eq!(s.meta.ts_ns, now);
        }
        for f in &obs.flows {
            assert!(f.ip_version == 4 || f.ip_version == 6);
            // untimed at both ends or neither, and never backwards
            assert_eq!(f.start_ns == UNTIMED, f.end_ns == UNTIMED, "{f:?}");
            assert!(f.start_ns <= f.end_ns, "{f:?}");
        }
        for c in &obs.counters {
            assert_eq!(c.end_ns, now);
            assert!(c.start_ns <= c.end_ns, "{c:?}");
        }
        worker.observe_sampled(&obs.sampled);
        worker.observe_flows(&obs.flows);
        worker.observe_counters(&obs.counters);
    }
    let part = dec.take_part("file", None);
    assert_eq!(part.counts.datagrams, datagrams);
    assert!(part.counts.bad_datagrams <= datagrams);
    let _ = worker.close(i64::MAX);
    let _ = worker.handover();
});
