//! The NetFlow v5/v9 and IPFIX decoders with their state across datagrams
//! (templates, data kept aside for its template, sampling options, sequence
//! numbers): never a panic, every refusal counted, the books balanced.
//!
//! Input: byte 0 picks tight limits (bit 0) or the defaults; then datagrams,
//! each `sel u8, length u16 (big-endian), payload`. `sel` bits 0-1 pick one
//! of four exporters; bits 2-3 force the version (0 as is, 1 NetFlow v5,
//! 2 NetFlow v9, 3 IPFIX with its length field set to the payload's);
//! bits 4-7 advance the clock by that many 10-second steps (so kept-aside
//! data ages out and idle streams can be evicted).
#![no_main]

use std::net::IpAddr;

use libfuzzer_sys::fuzz_target;
use trombone_flowrec::{Decoder, Limits, Record};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, mut rest)) = data.split_first() else {
        return;
    };
    let limits = if mode & 1 == 1 {
        Limits {
            max_streams: 2,
            stream_idle_ns: 20_000_000_000,
            max_templates_per_stream: 4,
            pending_max_sets: 3,
            pending_max_bytes: 600,
            pending_max_age_ns: 15_000_000_000,
        }
    } else {
        Limits::default()
    };
    let mut dec = Decoder::new(limits);
    let exporters: [IpAddr; 4] = [
        "192.0.2.1".parse().unwrap(),
        "192.0.2.2".parse().unwrap(),
        "2001:db8::1".parse().unwrap(),
        "2001:db8::2".parse().unwrap(),
    ];
    let mut now = 1_712_361_600_000_000_000i64;
    let (mut datagrams, mut errors, mut records) = (0u64, 0u64, 0u64);
    while let Some((sel, dg)) = trombone_fuzz::next_datagram(&mut rest) {
        now += i64::from(sel >> 4) * 10_000_000_000;
        let mut n = 0u32;
        let r = dec.decode(exporters[usize::from(sel & 3)], now, &dg, &mut |rec| {
            n += 1;
            match rec {
                Record::Flow(f) => {
                    assert!(matches!(f.ip_version, 0 | 4 | 6), "{f:?}");
                    if f.ip_version == 4 {
                        assert!(f.src >> 32 == 0 && f.dst >> 32 == 0, "{f:?}");
                    }
                    assert!(f.scaled_bytes() >= f.bytes && f.scaled_packets() >= f.packets);
                }
                Record::PacketSample(_) | Record::Counters(_) => {}
            }
        });
        datagrams += 1;
        records += u64::from(n);
        match r {
            Ok(k) => assert_eq!(k, n),
            Err(_) => errors += 1,
        }
        let s = dec.stats();
        assert_eq!(s.bad_datagrams, errors);
        assert!(s.total_errors() >= errors);
        assert!(s.streams_active <= dec.limits().max_streams as u64);
        assert!(
            s.sets_dropped_no_template <= s.sets_buffered,
            "dropped {} of {} kept",
            s.sets_dropped_no_template,
            s.sets_buffered
        );
    }
    let s = dec.stats();
    assert_eq!(s.datagrams, datagrams);
    assert_eq!(s.flow_records + s.packet_samples + s.counter_records, records);
    assert!(s.records_decoded_late <= s.flow_records);
    assert!(
        s.templates_active
            <= s.templates_received + s.options_templates_received - s.templates_withdrawn
    );
});
