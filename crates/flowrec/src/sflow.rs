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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{decoder, every_prefix_is_counted, exporter, B};
    use crate::{DecodeError, Decoder};

    /// An sFlow v5 datagram from IPv4 agent `agent` with `samples` (each a
    /// complete format + length + data TLV).
    fn datagram(agent: [u8; 4], sub: u32, seq: u32, samples: &[B]) -> Vec<u8> {
        let mut b = B::new()
            .u32(5)
            .u32(1)
            .bytes(&agent)
            .u32(sub)
            .u32(seq)
            .u32(60_000)
            .u32(samples.len() as u32);
        for s in samples {
            b = b.bytes(&s.0);
        }
        b.0
    }

    fn decode_all(
        dec: &mut Decoder,
        dg: &[u8],
    ) -> (Vec<Record<'static>>, Result<u32, DecodeError>) {
        // Leak the datagram so the borrowed records can be returned (tests only).
        let dg: &'static [u8] = Box::leak(dg.to_vec().into_boxed_slice());
        let mut v = Vec::new();
        let r = dec.decode(exporter(), 0, dg, &mut |r| v.push(r));
        (v, r)
    }

    /// A 20-byte IPv4 header: 10.1.2.3 → 10.4.5.6, total length 64, UDP.
    const IPV4_HEADER: [u8; 20] = [
        0x45, 0, 0, 64, 0, 1, 0, 0, 64, 17, 0, 0, 10, 1, 2, 3, 10, 4, 5, 6,
    ];

    fn generic_counters() -> B {
        B::new()
            .u32(7) // ifIndex
            .u32(6) // ifType ethernetCsmacd
            .u64(10_000_000_000) // ifSpeed
            .u32(1) // ifDirection full duplex
            .u32(3) // ifStatus admin+oper up
            .u64(0x1_0000_0005) // ifInOctets
            .u32(10)
            .u32(11)
            .u32(12)
            .u32(13)
            .u32(14)
            .u32(15)
            .u64(999) // ifOutOctets
            .u32(20)
            .u32(21)
            .u32(22)
            .u32(23)
            .u32(24)
            .u32(2) // ifPromiscuousMode false
    }

    /// IPv6 agent, an expanded flow sample with every record kind, an
    /// enterprise sample, and a compact counter sample.
    fn rich_datagram() -> Vec<u8> {
        let raw = B::new().u32(11).u32(64).u32(0).u32(20).bytes(&IPV4_HEADER);
        let switch = B::new().u32(100).u32(3).u32(200).u32(5);
        let router = B::new().u32(1).bytes(&[192, 0, 2, 254]).u32(24).u32(16);
        let gateway = B::new()
            .u32(1)
            .bytes(&[198, 51, 100, 1])
            .u32(64496) // as
            .u32(64497) // src_as
            .u32(64498) // src_peer_as
            .u32(2) // segments
            .u32(2) // AS_SEQUENCE
            .u32(2)
            .u32(64499)
            .u32(64500)
            .u32(1) // AS_SET
            .u32(1)
            .u32(64501)
            .u32(1) // communities
            .u32(0x1234_5678)
            .u32(100); // localpref
        let flow = B::new()
            .u32(11) // sequence
            .u32(0) // source id type
            .u32(7) // source id index
            .u32(512) // sampling rate
            .u32(1_024_000) // sample pool
            .u32(3) // drops
            .u32(0) // input format: ifIndex
            .u32(7)
            .u32(2) // output format: multiple
            .u32(3)
            .u32(5) // records
            .tlv(1, raw)
            .tlv(1001, switch)
            .tlv(1002, router)
            .tlv(1003, gateway)
            .tlv(2100, B::new().u32(0xdead_beef));
        let enterprise = B::new().tlv(4413 << 12 | 5, B::new().u32(1).u32(2));
        let ethernet = (0..13).fold(B::new(), |b, i| b.u32(i));
        let counters = B::new()
            .u32(5) // sequence
            .u32(7) // source id: type 0, index 7
            .u32(2)
            .tlv(1, generic_counters())
            .tlv(2, ethernet);
        let mut agent6 = [0u8; 16];
        agent6[..4].copy_from_slice(&[0x20, 0x01, 0x0d, 0xb8]);
        agent6[15] = 7;
        B::new()
            .u32(5)
            .u32(2)
            .bytes(&agent6)
            .u32(9) // sub-agent
            .u32(100) // sequence
            .u32(123_456) // uptime
            .u32(3)
            .tlv(3, flow)
            .bytes(&enterprise.0)
            .tlv(2, counters)
            .0
    }

    #[test]
    fn expanded_flow_sample_with_every_record() {
        let mut dec = decoder();
        let dg = rich_datagram();
        let (recs, r) = decode_all(&mut dec, &dg);
        assert_eq!(r, Ok(2));
        let Record::PacketSample(s) = recs[0] else {
            panic!("{:?}", recs[0])
        };
        let agent: IpAddr = "2001:db8::7".parse().unwrap();
        assert_eq!(
            (s.agent, s.sub_agent, s.uptime_ms),
            (Some(agent), 9, 123_456)
        );
        assert_eq!(
            (s.sequence, s.source_id_type, s.source_id_index),
            (11, 0, 7)
        );
        assert_eq!(
            (s.sampling_rate, s.sample_pool, s.drops),
            (512, 1_024_000, 3)
        );
        assert_eq!(
            s.input,
            Interface {
                format: 0,
                value: 7
            }
        );
        assert_eq!(s.input.if_index(), Some(7));
        assert_eq!(
            s.output,
            Interface {
                format: 2,
                value: 3
            }
        );
        assert_eq!(s.output.if_index(), None);
        // Raw header: IPv4 (11) → LINKTYPE_IPV4 228, borrowed bytes.
        assert_eq!((s.header_protocol, s.linktype), (11, Some(228)));
        assert_eq!((s.frame_length, s.stripped), (64, 0));
        assert_eq!(s.header, &IPV4_HEADER);
        // Extended switch.
        assert!(s.has_switch);
        assert_eq!(
            (s.src_vlan, s.src_priority, s.dst_vlan, s.dst_priority),
            (100, 3, 200, 5)
        );
        // Extended router: its next hop wins over the gateway's.
        assert!(s.has_router);
        assert_eq!(s.next_hop, Some("192.0.2.254".parse().unwrap()));
        assert_eq!((s.src_mask, s.dst_mask), (24, 16));
        // Extended gateway.
        assert!(s.has_gateway);
        assert_eq!(
            (s.router_as, s.src_as, s.src_peer_as),
            (64496, 64497, 64498)
        );
        assert_eq!(s.dst_as_path.segments(), 2);
        let path: Vec<_> = s.dst_as_path.iter().collect();
        assert_eq!(path, vec![(2, 64499), (2, 64500), (1, 64501)]);
        assert_eq!((s.dst_peer_as(), s.dst_as()), (64499, 64501));

        let Record::Counters(c) = recs[1] else {
            panic!("{:?}", recs[1])
        };
        assert_eq!((c.agent, c.sub_agent, c.sequence), (Some(agent), 9, 5));
        assert_eq!((c.source_id_type, c.source_id_index), (0, 7));
        assert_eq!((c.if_index, c.if_type, c.if_speed), (7, 6, 10_000_000_000));
        assert_eq!((c.if_direction, c.if_status), (1, 3));
        assert_eq!(c.in_octets, 0x1_0000_0005);
        assert_eq!(
            (c.in_ucast_pkts, c.in_multicast_pkts, c.in_broadcast_pkts),
            (10, 11, 12)
        );
        assert_eq!(
            (c.in_discards, c.in_errors, c.in_unknown_protos),
            (13, 14, 15)
        );
        assert_eq!(c.out_octets, 999);
        assert_eq!(
            (c.out_ucast_pkts, c.out_multicast_pkts, c.out_broadcast_pkts),
            (20, 21, 22)
        );
        assert_eq!(
            (c.out_discards, c.out_errors, c.promiscuous_mode),
            (23, 24, 2)
        );

        let st = dec.stats();
        assert_eq!(
            (st.sflow_datagrams, st.packet_samples, st.counter_samples),
            (1, 1, 1)
        );
        assert_eq!(st.counter_records, 1);
        // The enterprise sample; record 2100 and the ethernet counters.
        assert_eq!((st.skipped_samples, st.skipped_records), (1, 2));
        assert_eq!(st.total_errors(), 0);
        assert_eq!(st.bytes, dg.len() as u64);
    }

    #[test]
    fn compact_sample_interfaces_and_unsupported_header() {
        // Header protocol 7 (PPP): no LINKTYPE mapping here. 5 header bytes, padded to 8.
        let raw = B::new()
            .u32(7)
            .u32(100)
            .u32(4)
            .u32(5)
            .bytes(&[1, 2, 3, 4, 5, 0, 0, 0]);
        let flow = B::new()
            .u32(1)
            .u32(1 << 24 | 300) // smonVlanDataSource 300
            .u32(10)
            .u32(20)
            .u32(0)
            .u32(0x3FFF_FFFF) // input unknown
            .u32(1 << 30 | 257) // output: discarded, reason 257
            .u32(1)
            .u32(1)
            .u32(16 + 5) // unpadded opaque length
            .bytes(&raw.0);
        let dg = datagram([10, 0, 0, 1], 0, 1, &[B::new().tlv(1, flow)]);
        let mut dec = decoder();
        let (recs, r) = decode_all(&mut dec, &dg);
        assert_eq!(r, Ok(1));
        let Record::PacketSample(s) = recs[0] else {
            panic!()
        };
        assert_eq!((s.source_id_type, s.source_id_index), (1, 300));
        assert_eq!(
            s.input,
            Interface {
                format: 0,
                value: 0x3FFF_FFFF
            }
        );
        assert_eq!(s.input.if_index(), None);
        assert_eq!(
            s.output,
            Interface {
                format: 1,
                value: 257
            }
        );
        assert_eq!(
            (s.header_protocol, s.linktype, s.header),
            (7, None, &[1u8, 2, 3, 4, 5][..])
        );
        assert_eq!((s.frame_length, s.stripped), (100, 4));
        assert_eq!(dec.stats().unsupported_header_protocol, 1);
    }

    #[test]
    fn header_protocols_map_to_linktypes() {
        assert_eq!(sflow_header_linktype(1), Some(1));
        assert_eq!(sflow_header_linktype(11), Some(228));
        assert_eq!(sflow_header_linktype(12), Some(229));
        for p in [2, 3, 4, 5, 6, 7, 8, 9, 10, 13, 14, 0] {
            assert_eq!(sflow_header_linktype(p), None);
        }
    }

    #[test]
    fn sample_without_header_is_still_handed_out() {
        let flow = B::new()
            .u32(1)
            .u32(7)
            .u32(10)
            .u32(20)
            .u32(0)
            .u32(1)
            .u32(2)
            .u32(1)
            .tlv(1001, B::new().u32(5).u32(0).u32(6).u32(0));
        let dg = datagram([10, 0, 0, 1], 0, 1, &[B::new().tlv(1, flow)]);
        let mut dec = decoder();
        let (recs, r) = decode_all(&mut dec, &dg);
        assert_eq!(r, Ok(1));
        let Record::PacketSample(s) = recs[0] else {
            panic!()
        };
        assert_eq!(
            (s.header.len(), s.linktype, s.src_vlan, s.dst_vlan),
            (0, None, 5, 6)
        );
        assert_eq!(dec.stats().samples_without_header, 1);
    }

    #[test]
    fn sequence_gaps_and_resets_per_agent_and_sub_agent() {
        let mut dec = decoder();
        let mut feed = |agent: [u8; 4], sub: u32, seq: u32| {
            let dg = datagram(agent, sub, seq, &[]);
            dec.decode(exporter(), 0, &dg, &mut |_| {}).unwrap();
        };
        feed([10, 0, 0, 1], 0, 1);
        feed([10, 0, 0, 1], 0, 2);
        feed([10, 0, 0, 1], 0, 5); // 3 and 4 lost
        feed([10, 0, 0, 1], 1, 50); // another sub-agent: first seen
        feed([10, 0, 0, 2], 0, 9); // another agent: first seen
        feed([10, 0, 0, 1], 1, 51);
        feed([10, 0, 0, 1], 0, 1); // agent restarted
        feed([10, 0, 0, 1], 0, 2);
        let s = dec.stats();
        assert_eq!((s.lost_datagrams, s.sequence_resets), (2, 1));
    }

    #[test]
    fn malformed_datagrams_are_counted_by_reason() {
        let mut dec = decoder();
        // Agent address type 3.
        let dg = B::new().u32(5).u32(3).u32(0).u32(0).u32(0).u32(0).0;
        assert_eq!(
            dec.decode(exporter(), 0, &dg, &mut |_| {}),
            Err(DecodeError::SflowAddressType)
        );
        // Two samples announced, none present.
        let mut dg = datagram([10, 0, 0, 1], 0, 1, &[]);
        dg[27] = 2;
        assert_eq!(
            dec.decode(exporter(), 0, &dg, &mut |_| {}),
            Err(DecodeError::SflowCount)
        );
        // A sample longer than the datagram.
        let dg = datagram([10, 0, 0, 1], 0, 2, &[B::new().u32(1).u32(400).u32(0)]);
        assert_eq!(
            dec.decode(exporter(), 0, &dg, &mut |_| {}),
            Err(DecodeError::SflowSampleTruncated)
        );
        // A flow sample whose fields stop early.
        let dg = datagram(
            [10, 0, 0, 1],
            0,
            3,
            &[B::new().tlv(1, B::new().u32(1).u32(2))],
        );
        assert_eq!(
            dec.decode(exporter(), 0, &dg, &mut |_| {}),
            Err(DecodeError::SflowSampleTruncated)
        );
        // A generic counters record of 84 bytes instead of 88.
        let short = B(generic_counters().0[..84].to_vec());
        let counters = B::new().u32(1).u32(7).u32(1).tlv(1, short);
        let dg = datagram([10, 0, 0, 1], 0, 4, &[B::new().tlv(2, counters)]);
        assert_eq!(
            dec.decode(exporter(), 0, &dg, &mut |_| {}),
            Err(DecodeError::SflowRecordTruncated)
        );
        let s = dec.stats();
        assert_eq!(s.bad_datagrams, 5);
        assert_eq!(s.error(DecodeError::SflowAddressType), 1);
        assert_eq!(s.error(DecodeError::SflowCount), 1);
        assert_eq!(s.error(DecodeError::SflowSampleTruncated), 2);
        assert_eq!(s.error(DecodeError::SflowRecordTruncated), 1);
        assert_eq!(s.counter_records, 0);
    }

    #[test]
    fn every_truncation_is_counted_never_a_panic() {
        every_prefix_is_counted(&rich_datagram());
    }
}
