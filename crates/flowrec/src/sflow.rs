//! sFlow version 5 (sflow.org, sflow_version_5.txt): datagram header, flow
//! samples (formats 1 and 3) with their raw packet header (1), extended
//! switch (1001), router (1002) and gateway (1003) records, and counter
//! samples (formats 2 and 4) with the generic interface counters (1). Other
//! samples and records are skipped by their length. All integers are XDR:
//! big-endian 32-bit, opaque data padded to 4 bytes.
//!
//! ```text
//! datagram:  version=5, agent address (type 1: 4 bytes, 2: 16 bytes, 0: none),
//!            sub-agent id, sequence number, uptime ms, sample count, samples
//! sample:    data format (enterprise << 12 | format), length, data
//! flow sample (1):  sequence, source id (type << 24 | index), sampling rate,
//!            sample pool, drops, input, output (format << 30 | value),
//!            record count, records (format, length, data)
//! expanded flow sample (3): sequence, source id type, source id index,
//!            rate, pool, drops, input format, input value, output format,
//!            output value, record count, records
//! counter sample (2): sequence, source id, record count, records;
//!            expanded (4): sequence, source id type, source id index, count, records
//! ```

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::buf::{pad4, Reader};
use crate::netflow9::seq_stats;
use crate::record::{
    sflow_header_linktype, AsPath, Interface, InterfaceCounters, PacketSample, Record,
};
use crate::seq::SeqTracker;
use crate::stats::{DecodeError, Stats};
use crate::streams::Bounded;
use crate::Outcome;

/// Sequence trackers per (agent, sub-agent).
pub(crate) type SflowState = Bounded<(Option<IpAddr>, u32), SeqTracker>;

/// The datagram header fields every record carries.
#[derive(Clone, Copy)]
struct Header {
    agent: Option<IpAddr>,
    sub_agent: u32,
    uptime_ms: u32,
}

/// An sFlow address: type 0 (unknown, no bytes), 1 (IPv4), 2 (IPv6).
fn address(r: &mut Reader<'_>, truncated: DecodeError) -> Result<Option<IpAddr>, DecodeError> {
    match r.u32().ok_or(truncated)? {
        0 => Ok(None),
        1 => Ok(Some(IpAddr::V4(Ipv4Addr::from(r.u32().ok_or(truncated)?)))),
        2 => Ok(Some(IpAddr::V6(Ipv6Addr::from(r.u128().ok_or(truncated)?)))),
        _ => Err(DecodeError::SflowAddressType),
    }
}

/// Takes one XDR TLV (format, length, data padded to 4) from `r`.
fn tlv<'a>(r: &mut Reader<'a>, truncated: DecodeError) -> Result<(u32, &'a [u8]), DecodeError> {
    let (Some(format), Some(len)) = (r.u32(), r.u32()) else {
        return Err(truncated);
    };
    let len = len as usize;
    let data = r.take(len).ok_or(truncated)?;
    // The padding may be missing after the very last item: tolerate that.
    let _ = r.skip((pad4(len) - len).min(r.remaining()));
    Ok((format, data))
}

/// Decodes one sFlow v5 datagram (its version already checked).
pub(crate) fn decode<'a>(
    dg: &'a [u8],
    now_ns: i64,
    state: &mut SflowState,
    stats: &mut Stats,
    oc: &mut Outcome,
    out: &mut dyn FnMut(Record<'a>),
) {
    let mut r = Reader::new(dg);
    let _version = r.u32();
    let agent = match address(&mut r, DecodeError::TooShort) {
        Ok(a) => a,
        Err(e) => return oc.fail(stats, e),
    };
    let (Some(sub_agent), Some(seq), Some(uptime_ms), Some(samples)) =
        (r.u32(), r.u32(), r.u32(), r.u32())
    else {
        return oc.fail(stats, DecodeError::TooShort);
    };
    match state.entry((agent, sub_agent), now_ns, SeqTracker::default, |_| {}) {
        (Some(t), _) => seq_stats(t.observe(seq, Some(1)), stats, false),
        (None, _) => oc.fail(stats, DecodeError::TooManyStreams),
    }
    let hdr = Header {
        agent,
        sub_agent,
        uptime_ms,
    };
    for _ in 0..samples {
        if r.remaining() == 0 {
            oc.fail(stats, DecodeError::SflowCount);
            break;
        }
        let (format, data) = match tlv(&mut r, DecodeError::SflowSampleTruncated) {
            Ok(x) => x,
            Err(e) => {
                oc.fail(stats, e);
                break;
            }
        };
        let result = match format {
            1 => flow_sample(data, false, hdr, stats, oc, out),
            3 => flow_sample(data, true, hdr, stats, oc, out),
            2 => counter_sample(data, false, hdr, stats, oc, out),
            4 => counter_sample(data, true, hdr, stats, oc, out),
            // Other formats, and every enterprise but 0 (format > 0xFFF).
            _ => {
                stats.skipped_samples += 1;
                Ok(())
            }
        };
        if let Err(e) = result {
            oc.fail(stats, e);
        }
    }
}

/// Source id and interfaces of a compact or expanded flow sample.
fn interfaces(s: &mut Reader<'_>, expanded: bool) -> Option<(Interface, Interface)> {
    if expanded {
        let (inf, inv, outf, outv) = (s.u32()?, s.u32()?, s.u32()?, s.u32()?);
        Some((
            Interface {
                format: inf,
                value: inv,
            },
            Interface {
                format: outf,
                value: outv,
            },
        ))
    } else {
        let compact = |v: u32| Interface {
            format: v >> 30,
            value: v & 0x3FFF_FFFF,
        };
        Some((compact(s.u32()?), compact(s.u32()?)))
    }
}

/// Data source (type, index) of a compact or expanded sample.
fn source_id(s: &mut Reader<'_>, expanded: bool) -> Option<(u32, u32)> {
    if expanded {
        Some((s.u32()?, s.u32()?))
    } else {
        let v = s.u32()?;
        Some((v >> 24, v & 0x00FF_FFFF))
    }
}

fn flow_sample<'a>(
    data: &'a [u8],
    expanded: bool,
    hdr: Header,
    stats: &mut Stats,
    oc: &mut Outcome,
    out: &mut dyn FnMut(Record<'a>),
) -> Result<(), DecodeError> {
    let mut s = Reader::new(data);
    let head = (|| {
        let sequence = s.u32()?;
        let (source_id_type, source_id_index) = source_id(&mut s, expanded)?;
        let (rate, pool, drops) = (s.u32()?, s.u32()?, s.u32()?);
        let (input, output) = interfaces(&mut s, expanded)?;
        let records = s.u32()?;
        Some((
            sequence,
            source_id_type,
            source_id_index,
            rate,
            pool,
            drops,
            input,
            output,
            records,
        ))
    })();
    let Some((
        sequence,
        source_id_type,
        source_id_index,
        rate,
        pool,
        drops,
        input,
        output,
        records,
    )) = head
    else {
        return Err(DecodeError::SflowSampleTruncated);
    };
    let mut ps = PacketSample {
        agent: hdr.agent,
        sub_agent: hdr.sub_agent,
        uptime_ms: hdr.uptime_ms,
        sequence,
        source_id_type,
        source_id_index,
        sampling_rate: rate,
        sample_pool: pool,
        drops,
        input,
        output,
        header_protocol: 0,
        linktype: None,
        frame_length: 0,
        stripped: 0,
        header: &[],
        has_switch: false,
        src_vlan: 0,
        src_priority: 0,
        dst_vlan: 0,
        dst_priority: 0,
        has_router: false,
        next_hop: None,
        src_mask: 0,
        dst_mask: 0,
        has_gateway: false,
        router_as: 0,
        src_as: 0,
        src_peer_as: 0,
        dst_as_path: AsPath::default(),
    };
    let mut has_header = false;
    for _ in 0..records {
        if s.remaining() == 0 {
            oc.fail(stats, DecodeError::SflowCount);
            break;
        }
        let (format, rec) = match tlv(&mut s, DecodeError::SflowRecordTruncated) {
            Ok(x) => x,
            Err(e) => {
                oc.fail(stats, e);
                break;
            }
        };
        let mut f = Reader::new(rec);
        let ok = match format {
            1 if !has_header => {
                let r = raw_header(&mut f, &mut ps);
                has_header = r.is_ok();
                r
            }
            1001 => (|| {
                let v = (f.u32()?, f.u32()?, f.u32()?, f.u32()?);
                (ps.src_vlan, ps.src_priority, ps.dst_vlan, ps.dst_priority) = v;
                ps.has_switch = true;
                Some(())
            })()
            .ok_or(DecodeError::SflowRecordTruncated),
            1002 => router(&mut f, &mut ps),
            1003 => gateway(&mut f, &mut ps),
            _ => {
                stats.skipped_records += 1;
                Ok(())
            }
        };
        if let Err(e) = ok {
            oc.fail(stats, e);
        }
    }
    stats.packet_samples += 1;
    if !has_header {
        stats.samples_without_header += 1;
    } else if ps.linktype.is_none() {
        stats.unsupported_header_protocol += 1;
    }
    oc.records += 1;
    out(Record::PacketSample(ps));
    Ok(())
}

/// Raw packet header (flow record 1): header protocol, frame length,
/// stripped, header bytes (opaque).
fn raw_header<'a>(f: &mut Reader<'a>, ps: &mut PacketSample<'a>) -> Result<(), DecodeError> {
    let t = DecodeError::SflowRecordTruncated;
    let (proto, frame_length, stripped, len) = (
        f.u32().ok_or(t)?,
        f.u32().ok_or(t)?,
        f.u32().ok_or(t)?,
        f.u32().ok_or(t)?,
    );
    ps.header = f.take(len as usize).ok_or(t)?;
    ps.header_protocol = proto;
    ps.linktype = sflow_header_linktype(proto);
    ps.frame_length = frame_length;
    ps.stripped = stripped;
    Ok(())
}

/// Extended router (flow record 1002): next hop, source and destination prefix lengths.
fn router(f: &mut Reader<'_>, ps: &mut PacketSample<'_>) -> Result<(), DecodeError> {
    let t = DecodeError::SflowRecordTruncated;
    let next_hop = address(f, t)?;
    let (src_mask, dst_mask) = (f.u32().ok_or(t)?, f.u32().ok_or(t)?);
    ps.next_hop = next_hop;
    ps.src_mask = src_mask;
    ps.dst_mask = dst_mask;
    ps.has_router = true;
    Ok(())
}

/// Extended gateway (flow record 1003): next hop, AS, source AS, source
/// peer AS, destination AS path (communities and local preference after it
/// are not read).
fn gateway<'a>(f: &mut Reader<'a>, ps: &mut PacketSample<'a>) -> Result<(), DecodeError> {
    let t = DecodeError::SflowRecordTruncated;
    let next_hop = address(f, t)?;
    let (router_as, src_as, src_peer_as, segments) = (
        f.u32().ok_or(t)?,
        f.u32().ok_or(t)?,
        f.u32().ok_or(t)?,
        f.u32().ok_or(t)?,
    );
    // Walk the segments once to bound the path's bytes.
    let start = f.rest();
    for _ in 0..segments {
        let _type = f.u32().ok_or(t)?;
        let n = f.u32().ok_or(t)? as usize;
        f.skip(n.checked_mul(4).ok_or(t)?).ok_or(t)?;
    }
    let raw = &start[..start.len() - f.remaining()];
    ps.dst_as_path = AsPath::new(raw, segments);
    if !ps.has_router {
        ps.next_hop = next_hop;
    }
    ps.router_as = router_as;
    ps.src_as = src_as;
    ps.src_peer_as = src_peer_as;
    ps.has_gateway = true;
    Ok(())
}

/// Length of a generic interface counters record (counter record 1).
const GENERIC_IF_LEN: usize = 88;

fn counter_sample<'a>(
    data: &'a [u8],
    expanded: bool,
    hdr: Header,
    stats: &mut Stats,
    oc: &mut Outcome,
    out: &mut dyn FnMut(Record<'a>),
) -> Result<(), DecodeError> {
    let mut s = Reader::new(data);
    let head = (|| {
        let sequence = s.u32()?;
        let (t, i) = source_id(&mut s, expanded)?;
        Some((sequence, t, i, s.u32()?))
    })();
    let Some((sequence, source_id_type, source_id_index, records)) = head else {
        return Err(DecodeError::SflowSampleTruncated);
    };
    stats.counter_samples += 1;
    for _ in 0..records {
        if s.remaining() == 0 {
            oc.fail(stats, DecodeError::SflowCount);
            break;
        }
        let (format, rec) = match tlv(&mut s, DecodeError::SflowRecordTruncated) {
            Ok(x) => x,
            Err(e) => {
                oc.fail(stats, e);
                break;
            }
        };
        if format != 1 {
            // Ethernet (2), token ring, VG, VLAN, processor... skipped by length.
            stats.skipped_records += 1;
            continue;
        }
        if rec.len() < GENERIC_IF_LEN {
            oc.fail(stats, DecodeError::SflowRecordTruncated);
            continue;
        }
        let mut f = Reader::new(rec);
        let mut u = || f.u32().unwrap_or(0);
        let if_index = u();
        let if_type = u();
        let if_speed = u64::from(u()) << 32 | u64::from(u());
        let if_direction = u();
        let if_status = u();
        let in_octets = u64::from(u()) << 32 | u64::from(u());
        let c = InterfaceCounters {
            agent: hdr.agent,
            sub_agent: hdr.sub_agent,
            uptime_ms: hdr.uptime_ms,
            sequence,
            source_id_type,
            source_id_index,
            if_index,
            if_type,
            if_speed,
            if_direction,
            if_status,
            in_octets,
            in_ucast_pkts: u(),
            in_multicast_pkts: u(),
            in_broadcast_pkts: u(),
            in_discards: u(),
            in_errors: u(),
            in_unknown_protos: u(),
            out_octets: u64::from(u()) << 32 | u64::from(u()),
            out_ucast_pkts: u(),
            out_multicast_pkts: u(),
            out_broadcast_pkts: u(),
            out_discards: u(),
            out_errors: u(),
            promiscuous_mode: u(),
        };
        stats.counter_records += 1;
        oc.records += 1;
        out(Record::Counters(c));
    }
    Ok(())
}
