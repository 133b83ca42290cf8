//! NetFlow version 5: a fixed header and 1 to 30 fixed 48-byte records.
//!
//! ```text
//! header (24 bytes): version=5 u16, count u16, sysUptime ms u32, unix secs u32,
//!   unix nsecs u32, flow sequence u32 (flows seen before this packet),
//!   engine type u8, engine id u8, sampling u16 (mode: top 2 bits, interval: low 14)
//! record (48 bytes): srcaddr u32, dstaddr u32, nexthop u32, input u16, output u16,
//!   dPkts u32, dOctets u32, first u32, last u32 (sysUptime ms), srcport u16,
//!   dstport u16, pad u8, tcp_flags u8, prot u8, tos u8, src_as u16, dst_as u16,
//!   src_mask u8, dst_mask u8, pad u16
//! ```

use std::net::IpAddr;

use crate::buf::Reader;
use crate::netflow9::seq_stats;
use crate::record::{FlowRecord, Protocol};
use crate::seq::SeqTracker;
use crate::stats::{DecodeError, Stats};
use crate::streams::Bounded;
use crate::templates::uptime_ns;
use crate::Outcome;

/// Header length.
pub(crate) const HEADER_LEN: usize = 24;
/// Record length.
pub(crate) const RECORD_LEN: usize = 48;
/// Most records in one datagram.
pub(crate) const MAX_COUNT: usize = 30;

/// Sequence trackers per (exporter, engine type and id).
pub(crate) type V5State = Bounded<(IpAddr, u32), SeqTracker>;

const NS: i64 = 1_000_000_000;

/// Decodes one NetFlow v5 datagram.
pub(crate) fn decode(
    dg: &[u8],
    exporter: IpAddr,
    now_ns: i64,
    state: &mut V5State,
    stats: &mut Stats,
    oc: &mut Outcome,
    out: &mut dyn FnMut(&FlowRecord),
) {
    if dg.len() < HEADER_LEN {
        return oc.fail(stats, DecodeError::TooShort);
    }
    let mut r = Reader::new(dg);
    let _version = r.u16();
    let count = usize::from(r.u16().unwrap_or(0));
    let uptime = r.u32().unwrap_or(0);
    let secs = r.u32().unwrap_or(0);
    let nsecs = r.u32().unwrap_or(0);
    let seq = r.u32().unwrap_or(0);
    let engine_type = r.u8().unwrap_or(0);
    let engine_id = r.u8().unwrap_or(0);
    let sampling = r.u16().unwrap_or(0);
    if count == 0 || count > MAX_COUNT || r.remaining() < count * RECORD_LEN {
        return oc.fail(stats, DecodeError::V5Count);
    }
    let domain = u32::from(engine_type) << 8 | u32::from(engine_id);
    match state.entry((exporter, domain), now_ns, SeqTracker::default, |_| {}) {
        (Some(t), _) => seq_stats(t.observe(seq, Some(count as u32)), stats, true),
        (None, _) => oc.fail(stats, DecodeError::TooManyStreams),
    }
    // Export time in ns; record times are sysUptime ms, before it.
    let export_ns = i64::from(secs) * NS + i64::from(nsecs);
    let at = |ms: u32| uptime_ns(export_ns, uptime, ms);
    // Sampling mode in the top 2 bits, the interval in the low 14 (0: not reported).
    let sampling_interval = u32::from(sampling & 0x3FFF);
    for _ in 0..count {
        let Some(rec) = r.take(RECORD_LEN) else { break };
        let mut f = Reader::new(rec);
        let mut u32_ = || f.u32().unwrap_or(0);
        let src = u32_();
        let dst = u32_();
        let next_hop = u32_();
        let ifs = u32_();
        let packets = u32_();
        let bytes = u32_();
        let first = u32_();
        let last = u32_();
        let ports = u32_();
        let flags = u32_();
        let ases = u32_();
        let masks = u32_();
        let [_, tcp_flags, proto, tos] = flags.to_be_bytes();
        let [src_mask, dst_mask, _, _] = masks.to_be_bytes();
        stats.flow_records += 1;
        out(&FlowRecord {
            protocol: Protocol::NetflowV5,
            exporter: Some(exporter),
            domain,
            src: u128::from(src),
            dst: u128::from(dst),
            ip_version: 4,
            proto,
            sport: (ports >> 16) as u16,
            dport: ports as u16,
            tcp_flags: u16::from(tcp_flags),
            tos,
            bytes: u64::from(bytes),
            packets: u64::from(packets),
            start_ns: at(first),
            end_ns: at(last),
            src_as: ases >> 16,
            dst_as: ases & 0xFFFF,
            in_if: ifs >> 16,
            out_if: ifs & 0xFFFF,
            direction: 255,
            src_mask,
            dst_mask,
            next_hop: u128::from(next_hop),
            sampling_interval,
            ..FlowRecord::default()
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::testutil::{decoder, every_prefix_is_counted, flows, B};
    use crate::{DecodeError, Protocol};

    fn header(count: u16, seq: u32) -> B {
        B::new()
            .u16(5)
            .u16(count)
            .u32(10_000) // sysUptime ms
            .u32(1_712_361_600) // 2024-04-06T00:00:00Z
            .u32(500_000_000) // + 0.5 s
            .u32(seq)
            .u8(1) // engine type
            .u8(2) // engine id
            .u16(0x4000 | 100) // mode 1, 1 in 100
    }

    fn record(src: [u8; 4], dst: [u8; 4], proto: u8, bytes: u32) -> B {
        B::new()
            .bytes(&src)
            .bytes(&dst)
            .bytes(&[10, 0, 0, 254])
            .u16(3)
            .u16(4)
            .u32(5) // packets
            .u32(bytes)
            .u32(9_000) // first: 1 s before the export
            .u32(9_500) // last: 0.5 s before
            .u16(443)
            .u16(51_000)
            .u8(0)
            .u8(0x1b)
            .u8(proto)
            .u8(0x20)
            .u16(64_500)
            .u16(64_501)
            .u8(24)
            .u8(16)
            .u16(0)
    }

    #[test]
    fn records_by_hand() {
        let dg = header(2, 1000)
            .bytes(&record([10, 0, 0, 1], [10, 0, 0, 2], 6, 1500).0)
            .bytes(&record([10, 0, 0, 3], [10, 0, 0, 4], 17, 60).0);
        assert_eq!(dg.len(), 24 + 2 * 48);
        let mut dec = decoder();
        let (recs, r) = flows(&mut dec, 0, &dg.0);
        assert_eq!(r, Ok(2));
        let f = recs[0];
        assert_eq!(f.protocol, Protocol::NetflowV5);
        assert_eq!(f.domain, 0x0102);
        assert_eq!((f.src, f.dst, f.ip_version), (0x0A00_0001, 0x0A00_0002, 4));
        assert_eq!(f.next_hop, 0x0A00_00FE);
        assert_eq!((f.in_if, f.out_if), (3, 4));
        assert_eq!((f.packets, f.bytes), (5, 1500));
        // Export at 1712361600.5 s with uptime 10 s: uptime 9 s and 9.5 s.
        assert_eq!(f.start_ns, 1_712_361_599_500_000_000);
        assert_eq!(f.end_ns, 1_712_361_600_000_000_000);
        assert_eq!(
            (f.sport, f.dport, f.tcp_flags, f.proto, f.tos),
            (443, 51_000, 0x1b, 6, 0x20)
        );
        assert_eq!(
            (f.src_as, f.dst_as, f.src_mask, f.dst_mask),
            (64_500, 64_501, 24, 16)
        );
        assert_eq!((f.direction, f.vlan, f.src_mac), (255, 0, [0; 6]));
        assert_eq!(f.sampling_interval, 100);
        assert_eq!((f.scaled_bytes(), f.scaled_packets()), (150_000, 500));
        assert_eq!((recs[1].proto, recs[1].bytes), (17, 60));
    }

    #[test]
    fn flow_sequence_counts_records() {
        let mut dec = decoder();
        let one = record([10, 0, 0, 1], [10, 0, 0, 2], 6, 1).0;
        let two = [one.clone(), one.clone()].concat();
        flows(&mut dec, 0, &header(2, 1000).bytes(&two).0)
            .1
            .unwrap();
        flows(&mut dec, 0, &header(1, 1002).bytes(&one).0)
            .1
            .unwrap();
        flows(&mut dec, 0, &header(1, 1010).bytes(&one).0)
            .1
            .unwrap(); // 7 lost
        flows(&mut dec, 0, &header(1, 3).bytes(&one).0).1.unwrap(); // restart
        let s = dec.stats();
        assert_eq!(
            (s.lost_records, s.sequence_resets, s.flow_records),
            (7, 1, 5)
        );
    }

    #[test]
    fn bad_counts_are_refused() {
        let mut dec = decoder();
        let one = record([10, 0, 0, 1], [10, 0, 0, 2], 6, 1).0;
        for dg in [
            header(0, 0).0,
            header(31, 0).bytes(&vec![0; 31 * 48]).0,
            header(2, 0).bytes(&one).0,
        ] {
            assert_eq!(flows(&mut dec, 0, &dg), (vec![], Err(DecodeError::V5Count)));
        }
        assert_eq!(
            flows(&mut dec, 0, &header(1, 0).0[..23]).1,
            Err(DecodeError::TooShort)
        );
        let s = dec.stats();
        assert_eq!(
            (
                s.error(DecodeError::V5Count),
                s.bad_datagrams,
                s.flow_records
            ),
            (3, 4, 0)
        );
    }

    #[test]
    fn every_truncation_is_counted_never_a_panic() {
        let one = record([10, 0, 0, 1], [10, 0, 0, 2], 6, 1).0;
        every_prefix_is_counted(&header(2, 0).bytes(&one).bytes(&one).0);
    }
}
