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
    out: &mut dyn FnMut(FlowRecord),
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
        out(FlowRecord {
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
