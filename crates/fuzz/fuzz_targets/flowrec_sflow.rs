//! The sFlow v5 decoder: never panics, every refusal is counted, what it
//! hands out is consistent with the datagram.
//!
//! Input: one sFlow datagram; its first 4 bytes are forced to version 5 so
//! mutations stay in the sFlow decoder. It is decoded twice by one decoder
//! (the second time exercises the sequence tracking).
#![no_main]

use libfuzzer_sys::fuzz_target;
use trombone_flowrec::{Decoder, Limits, Record};

fuzz_target!(|data: &[u8]| {
    let mut dg = data.to_vec();
    if dg.len() >= 4 {
        dg[..4].copy_from_slice(&[0, 0, 0, 5]);
    }
    let (start, end) = (dg.as_ptr() as usize, dg.as_ptr() as usize + dg.len());
    let mut dec = Decoder::new(Limits::default());
    let mut errors = 0;
    for round in 0..2 {
        let mut n = 0u32;
        let r = dec.decode("192.0.2.1".parse().unwrap(), round, &dg, &mut |rec| {
            n += 1;
            match rec {
                Record::PacketSample(s) => {
                    // The header is borrowed from the datagram.
                    let p = s.header.as_ptr() as usize;
                    assert!(s.header.is_empty() || (p >= start && p + s.header.len() <= end));
                    if let Some(lt) = s.linktype {
                        assert_eq!(trombone_flowrec::sflow_header_linktype(s.header_protocol), Some(lt));
                    }
                    // The AS path walks within its bytes.
                    let hops = s.dst_as_path.iter().count();
                    assert!(hops <= dg.len() / 4);
                    let _ = (s.dst_as(), s.dst_peer_as(), s.input.if_index());
                }
                Record::Counters(c) => {
                    let _ = c.in_octets;
                }
                Record::Flow(f) => panic!("a flow record from an sFlow datagram: {f:?}"),
            }
        });
        match r {
            Ok(k) => assert_eq!(k, n),
            Err(_) => errors += 1,
        }
    }
    let s = dec.stats();
    assert_eq!(s.bad_datagrams, errors);
    assert!(s.total_errors() >= errors);
    assert_eq!(s.datagrams, 2);
    assert_eq!(s.flow_records, 0);
});
