//! Flow-export datagrams (sFlow v5, NetFlow v5/v9, IPFIX) turned into what workers
//! observe: sampled packets, flow records and interface counter increases.
//!
//! One [`ExportDecoder`] per thread that receives datagrams (the offline reader, each
//! live collector socket): it keeps the decoder's per-exporter state (templates, sampling
//! rates, sequence numbers) and the counters of each interface, so an exporter must keep
//! reaching the same one — the offline reader is one thread, and `SO_REUSEPORT` sends a
//! source address and port to one socket.
//!
//! - An sFlow flow sample's header goes through [`trombone_packet::parse_with`] with the
//!   sample's link type, like a captured frame (the same tunnels opened), and becomes a
//!   [`Sampled`] of weight `sampling_rate` (0, from a broken agent, counts as 1). It is
//!   stamped with the datagram's time (capture time in a file, arrival time live): sFlow
//!   gives no per-sample time. A header that is ARP or IPv6 neighbour discovery is a MAC
//!   sighting for the IXP vantage.
//! - A flow record becomes a [`FlowObs`] with its counts renormalised by its sampling
//!   interval ([`trombone_flowrec::FlowRecord::scaled_bytes`]; an interval the exporter
//!   never stated counts as 1 and is reported as "unknown"), its own start and end time
//!   (0 from the exporter: untimed), and the exported AS numbers as a fallback for
//!   addresses the database does not know; exported AS numbers that disagree with the
//!   database are counted, the database's answer is used.
//! - A generic interface counter record is compared with the previous one of the same
//!   (agent, sub-agent, ifIndex): the octet and packet increases over the agent-uptime
//!   interval between them become a [`CounterDelta`] ending at the datagram's time. A
//!   counter that went back or an uptime that did not advance (a reboot, a reset) gives no
//!   delta and is counted in `counter_resets`.

use rustc_hash::FxHashMap;
use std::net::IpAddr;
use std::sync::Arc;
use trombone_asdb::AsDb;
use trombone_flowrec::{DecodeError, Decoder, Limits, Record, Stats};
use trombone_packet::{Decap, Skip};
use trombone_reduce::{CollectorPart, IfaceKey, IfaceRegistry};
use trombone_schema::CollectorReport;
use trombone_worker::{CounterDelta, FlowObs, Sampled, UNTIMED};

/// An ARP/ND claim seen on the peering LAN: MAC, address, outer VLAN (0: untagged).
pub(crate) type Sighting = ([u8; 6], IpAddr, u16);

/// 1990-01-01 in ns: exporter times before it are taken as unset.
const EARLIEST_NS: i64 = 631_152_000_000_000_000;

/// Most packets, or bytes, one flow record may stand for once renormalised: 2^48 (281 TB;
/// an hour of a full 400 Gbit/s port is 180 TB). A record claiming more comes from a
/// broken or hostile exporter: it is refused and counted as the decode error
/// `implausible_record`, and no sum downstream can overflow from it.
pub(crate) const MAX_RECORD_COUNT: u64 = 1 << 48;

/// What one datagram (or several) produced for the workers.
#[derive(Debug, Default)]
pub struct Observations {
    /// Sampled packets.
    pub sampled: Vec<Sampled>,
    /// Flow records.
    pub flows: Vec<FlowObs>,
    /// Interface counter increases.
    pub counters: Vec<CounterDelta>,
    /// ARP/ND sightings in sampled headers: (MAC, address, VLAN).
    pub sightings: Vec<Sighting>,
}

impl Observations {
    /// True when nothing is waiting.
    pub fn is_empty(&self) -> bool {
        self.sampled.is_empty()
            && self.flows.is_empty()
            && self.counters.is_empty()
            && self.sightings.is_empty()
    }
}

/// An sFlow data source: agent, sub-agent, source type and index.
type DataSource = (Option<IpAddr>, u32, u32, u32);

/// The last counter sample of an interface.
#[derive(Clone, Copy, Debug)]
struct LastCounters {
    uptime_ms: u32,
    in_octets: u64,
    out_octets: u64,
    in_packets: u32,
    out_packets: u32,
}

/// Decodes datagrams from any number of exporters into [`Observations`] and counts what
/// it saw (see the module docs).
pub struct ExportDecoder {
    dec: Decoder,
    decap: Decap,
    db: Arc<AsDb>,
    ifaces: Arc<IfaceRegistry>,
    iface_ids: FxHashMap<(Option<IpAddr>, u32, u32), u32>,
    last: FxHashMap<u32, LastCounters>,
    pools: FxHashMap<DataSource, (u32, u32)>,
    counts: CollectorReport,
    votes: FxHashMap<(u32, [u8; 6]), u64>,
    reported: Stats,
    /// Records refused as implausible (see [`MAX_RECORD_COUNT`]) since the last part.
    implausible: u64,
    /// Datagrams that decoded without error but carried such a record, since the last part.
    implausible_datagrams: u64,
    learn: bool,
    vote: bool,
    /// The records of the datagrams decoded so far, for the caller to hand on.
    pub out: Observations,
    /// The latest usable time among the records handed out by the last datagram (the
    /// datagram's own time for samples), for whoever keeps a clock; `None` if none.
    pub last_time: Option<i64>,
}

impl ExportDecoder {
    /// A decoder opening `decap`'s tunnels in sampled headers, checking exported AS numbers
    /// against `db`, naming interfaces in `ifaces`; `ixp` turns on MAC sightings and the
    /// interface → member votes.
    pub fn new(decap: Decap, db: Arc<AsDb>, ifaces: Arc<IfaceRegistry>, ixp: bool) -> Self {
        ExportDecoder {
            dec: Decoder::new(Limits::default()),
            decap,
            db,
            ifaces,
            iface_ids: FxHashMap::default(),
            last: FxHashMap::default(),
            pools: FxHashMap::default(),
            counts: CollectorReport::default(),
            votes: FxHashMap::default(),
            reported: Stats::default(),
            implausible: 0,
            implausible_datagrams: 0,
            learn: ixp,
            vote: ixp,
            out: Observations::default(),
            last_time: None,
        }
    }

    /// The id of an interface, registered on first sight.
    fn iface(&mut self, agent: Option<IpAddr>, sub: u32, if_index: u32, speed: u64) -> u32 {
        if speed == 0 {
            if let Some(&id) = self.iface_ids.get(&(agent, sub, if_index)) {
                return id;
            }
        }
        let key = IfaceKey {
            agent: agent.map_or_else(|| "unknown".into(), |a| a.to_string()),
            sub_agent: sub,
            if_index,
        };
        let id = self.ifaces.id(&key, speed);
        self.iface_ids.insert((agent, sub, if_index), id);
        id
    }

    /// Decodes one datagram from `exporter` received (or captured) at `now_ns`, adding its
    /// records to [`ExportDecoder::out`]. A bad datagram is counted by reason; what was
    /// decoded before the error is kept.
    pub fn datagram(&mut self, exporter: IpAddr, now_ns: i64, payload: &[u8]) {
        let mut recs: Vec<Record<'_>> = Vec::new();
        let decoded = self
            .dec
            .decode(exporter, now_ns, payload, &mut |r| recs.push(r));
        self.last_time = None;
        let refused = self.implausible;
        for r in recs {
            match r {
                Record::PacketSample(s) => self.sample(&s, now_ns),
                Record::Flow(f) => self.flow(&f),
                Record::Counters(c) => self.counter(&c, now_ns),
            }
        }
        if decoded.is_ok() && self.implausible > refused {
            self.implausible_datagrams += 1;
        }
    }

    fn note_time(&mut self, t: i64) {
        if t != UNTIMED {
            self.last_time = Some(self.last_time.map_or(t, |x| x.max(t)));
        }
    }

    fn sampling(&mut self, rate: u32) {
        let k = if rate == 0 {
            "unknown".to_string()
        } else {
            rate.to_string()
        };
        *self.counts.sampling.entry(k).or_default() += 1;
    }

    fn sample(&mut self, s: &trombone_flowrec::PacketSample<'_>, now_ns: i64) {
        self.sampling(s.sampling_rate);
        let src = (s.agent, s.sub_agent, s.source_id_type, s.source_id_index);
        let (pool, drops) = (s.sample_pool, s.drops);
        if let Some((p0, d0)) = self.pools.insert(src, (pool, drops)) {
            self.counts.sample_pool += u64::from(pool.wrapping_sub(p0));
            self.counts.sample_drops += u64::from(drops.wrapping_sub(d0));
        }
        let Some(lt) = s.linktype else {
            self.counts.samples_unusable += 1;
            return;
        };
        let wire = s.frame_length.saturating_sub(s.stripped);
        match trombone_packet::parse_with(
            lt,
            s.header,
            wire,
            now_ns,
            s.input.if_index().unwrap_or(0),
            &self.decap,
        ) {
            Ok(meta) => {
                let w = s.sampling_rate.max(1);
                let bytes = u64::from(meta.l3_len) * u64::from(w);
                self.counts.sampled_packets += u64::from(w);
                self.counts.sampled_bytes += bytes;
                if self.vote {
                    if let Some(out_if) = s.output.if_index() {
                        let id = self.iface(s.agent, s.sub_agent, out_if, 0);
                        *self.votes.entry((id, meta.dst_mac)).or_default() += bytes;
                    }
                }
                self.note_time(now_ns);
                self.out.sampled.push(Sampled { meta, weight: w });
            }
            Err(Skip::NonIp) => {
                self.counts.samples_non_ip += 1;
                if self.learn {
                    if let Some(n) = trombone_packet::neighbour_sighting(lt, s.header) {
                        self.out.sightings.push((n.mac, n.ip, n.vlan));
                    }
                }
            }
            Err(_) => self.counts.samples_unusable += 1,
        }
    }

    fn flow(&mut self, f: &trombone_flowrec::FlowRecord) {
        self.sampling(f.sampling_interval);
        if f.ip_version != 4 && f.ip_version != 6 {
            self.counts.records_without_addresses += 1;
            return;
        }
        let (packets, bytes) = (f.scaled_packets(), f.scaled_bytes());
        if packets > MAX_RECORD_COUNT || bytes > MAX_RECORD_COUNT {
            self.implausible += 1;
            return;
        }
        self.counts.record_packets += packets;
        self.counts.record_bytes += bytes;
        let ok = |t: i64| if t >= EARLIEST_NS { t } else { UNTIMED };
        let (mut start, mut end) = (ok(f.start_ns), ok(f.end_ns));
        if end == UNTIMED {
            end = start;
        }
        if start == UNTIMED || start > end {
            start = end;
        }
        if end == UNTIMED {
            self.counts.untimed_records += 1;
        }
        let v4 = f.ip_version == 4;
        let look = |a: u128| {
            if v4 {
                self.db.lookup_v4(a as u32).asn
            } else {
                self.db.lookup_v6(a).asn
            }
        };
        let (ds, dd) = (look(f.src), look(f.dst));
        let mut from_export = false;
        let mut disagree = false;
        let mut pick = |db_asn: u32, exported: u32| {
            if exported == 0 {
                0
            } else if db_asn == 0 {
                from_export = true;
                exported
            } else {
                disagree |= db_asn != exported;
                0
            }
        };
        let (src_as, dst_as) = (pick(ds, f.src_as), pick(dd, f.dst_as));
        self.counts.as_from_export += u64::from(from_export);
        self.counts.as_disagreements += u64::from(disagree);
        self.note_time(end);
        self.out.flows.push(FlowObs {
            src: f.src,
            dst: f.dst,
            ip_version: f.ip_version,
            proto: f.proto,
            sport: f.sport,
            dport: f.dport,
            vlan: f.vlan,
            src_mac: f.src_mac,
            dst_mac: f.dst_mac,
            packets,
            bytes,
            start_ns: start,
            end_ns: end,
            src_as,
            dst_as,
        });
    }

    fn counter(&mut self, c: &trombone_flowrec::InterfaceCounters, now_ns: i64) {
        let id = self.iface(c.agent, c.sub_agent, c.if_index, c.if_speed);
        let now = LastCounters {
            uptime_ms: c.uptime_ms,
            in_octets: c.in_octets,
            out_octets: c.out_octets,
            in_packets: c
                .in_ucast_pkts
                .wrapping_add(c.in_multicast_pkts)
                .wrapping_add(c.in_broadcast_pkts),
            out_packets: c
                .out_ucast_pkts
                .wrapping_add(c.out_multicast_pkts)
                .wrapping_add(c.out_broadcast_pkts),
        };
        let Some(prev) = self.last.insert(id, now) else {
            return;
        };
        let dt_ms = now.uptime_ms.wrapping_sub(prev.uptime_ms);
        if now.uptime_ms <= prev.uptime_ms
            || dt_ms > 86_400_000
            || now.in_octets < prev.in_octets
            || now.out_octets < prev.out_octets
        {
            self.counts.counter_resets += 1;
            return;
        }
        self.note_time(now_ns);
        self.out.counters.push(CounterDelta {
            iface: id,
            start_ns: now_ns - i64::from(dt_ms) * 1_000_000,
            end_ns: now_ns,
            in_bytes: now.in_octets - prev.in_octets,
            in_packets: u64::from(now.in_packets.wrapping_sub(prev.in_packets)),
            out_bytes: now.out_octets - prev.out_octets,
            out_packets: u64::from(now.out_packets.wrapping_sub(prev.out_packets)),
        });
    }

    /// What was counted since the last call, as the reducer adds it, counting afresh;
    /// `socket_drops` is the live collector's (`None` for files).
    pub fn take_part(&mut self, mode: &str, socket_drops: Option<u64>) -> CollectorPart {
        let p = self.peek_part(mode, socket_drops);
        self.counts = CollectorReport::default();
        self.implausible = 0;
        self.implausible_datagrams = 0;
        self.votes.clear();
        self.reported = self.dec.stats().clone();
        p
    }

    /// What [`ExportDecoder::take_part`] would give now, changing nothing (snapshots).
    pub fn peek_part(&self, mode: &str, socket_drops: Option<u64>) -> CollectorPart {
        let s = self.dec.stats();
        let r = &self.reported;
        let mut c = self.counts.clone();
        c.mode = mode.into();
        c.datagrams = s.datagrams - r.datagrams;
        c.datagram_bytes = s.bytes - r.bytes;
        for (k, a, b) in [
            ("sflow", s.sflow_datagrams, r.sflow_datagrams),
            ("netflow_v5", s.v5_datagrams, r.v5_datagrams),
            ("netflow_v9", s.v9_datagrams, r.v9_datagrams),
            ("ipfix", s.ipfix_datagrams, r.ipfix_datagrams),
        ] {
            if a > b {
                c.by_protocol.insert(k.into(), a - b);
            }
        }
        c.bad_datagrams = s.bad_datagrams - r.bad_datagrams + self.implausible_datagrams;
        for e in DecodeError::ALL {
            let n = s.error(e) - r.error(e);
            if n > 0 {
                c.errors.insert(e.name().into(), n);
            }
        }
        if self.implausible > 0 {
            c.errors
                .insert("implausible_record".into(), self.implausible);
        }
        c.lost_datagrams = s.lost_datagrams - r.lost_datagrams;
        c.lost_records = s.lost_records - r.lost_records;
        c.sequence_resets = s.sequence_resets - r.sequence_resets;
        c.sets_dropped_no_template = s.sets_dropped_no_template - r.sets_dropped_no_template;
        c.packet_samples = s.packet_samples - r.packet_samples;
        c.flow_records = s.flow_records - r.flow_records;
        c.counter_records = s.counter_records - r.counter_records;
        c.socket_drops = socket_drops;
        CollectorPart {
            counts: c,
            votes: self
                .votes
                .iter()
                .map(|(&(id, mac), &b)| (id, mac, b))
                .collect(),
        }
    }
}

/// The UDP payload, source address and destination port of a frame, when it is an
/// unfragmented UDP datagram over IPv4 or IPv6 on a link type this knows (Ethernet with
/// VLAN tags, Linux cooked SLL/SLL2, BSD NULL/LOOP, raw IP).
pub fn udp_payload(linktype: u32, frame: &[u8]) -> Option<(IpAddr, u16, &[u8])> {
    let ip = match linktype {
        1 => {
            let mut o = 12;
            loop {
                let t = u16::from_be_bytes([*frame.get(o)?, *frame.get(o + 1)?]);
                match t {
                    0x8100 | 0x88a8 | 0x9100 => o += 4,
                    0x0800 | 0x86dd => break frame.get(o + 2..)?,
                    _ => return None,
                }
            }
        }
        113 => frame.get(16..)?,
        276 => frame.get(20..)?,
        0 | 108 => frame.get(4..)?,
        101 | 12 | 14 | 228 | 229 => frame,
        _ => return None,
    };
    let (src, udp) = match ip.first()? >> 4 {
        4 => {
            let ihl = usize::from(ip[0] & 0x0f) * 4;
            let total = usize::from(u16::from_be_bytes([*ip.get(2)?, *ip.get(3)?]));
            let frag = u16::from_be_bytes([*ip.get(6)?, *ip.get(7)?]);
            if ip.get(9) != Some(&17) || ihl < 20 || frag & 0x3fff != 0 {
                return None;
            }
            let s: [u8; 4] = ip.get(12..16)?.try_into().ok()?;
            (IpAddr::from(s), ip.get(ihl..total.min(ip.len()))?)
        }
        6 => {
            if ip.get(6) != Some(&17) {
                return None;
            }
            let plen = usize::from(u16::from_be_bytes([*ip.get(4)?, *ip.get(5)?]));
            let s: [u8; 16] = ip.get(8..24)?.try_into().ok()?;
            (IpAddr::from(s), ip.get(40..(40 + plen).min(ip.len()))?)
        }
        _ => return None,
    };
    let dport = u16::from_be_bytes([*udp.get(2)?, *udp.get(3)?]);
    let ulen = usize::from(u16::from_be_bytes([*udp.get(4)?, *udp.get(5)?]));
    if ulen < 8 {
        return None;
    }
    Some((src, dport, udp.get(8..ulen.min(udp.len()))?))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A NetFlow v9 datagram: a template (IPv4 source and destination, 8-byte packet and
    /// byte counts) and one data record per `(packets, bytes)`.
    fn v9(records: &[(u64, u64)]) -> Vec<u8> {
        let mut d = Vec::new();
        let count = 1 + records.len() as u16;
        d.extend_from_slice(&9u16.to_be_bytes());
        d.extend_from_slice(&count.to_be_bytes());
        d.extend_from_slice(&10_000u32.to_be_bytes()); // uptime, ms
        d.extend_from_slice(&1_712_361_600u32.to_be_bytes()); // unix seconds
        d.extend_from_slice(&1u32.to_be_bytes()); // sequence
        d.extend_from_slice(&7u32.to_be_bytes()); // source id

        // template flowset: id 0, length 4 + 4 + 4 fields × 4
        for v in [0u16, 24, 256, 4, 8, 4, 12, 4, 2, 8, 1, 8] {
            d.extend_from_slice(&v.to_be_bytes());
        }
        // data flowset 256: records of 4 + 4 + 8 + 8 bytes
        d.extend_from_slice(&256u16.to_be_bytes());
        d.extend_from_slice(&(4 + 24 * records.len() as u16).to_be_bytes());
        for &(packets, bytes) in records {
            d.extend_from_slice(&[10, 0, 0, 1, 10, 0, 0, 2]);
            d.extend_from_slice(&packets.to_be_bytes());
            d.extend_from_slice(&bytes.to_be_bytes());
        }
        d
    }

    #[test]
    fn implausible_records_are_refused_and_counted() {
        let mut x = ExportDecoder::new(
            Decap::MIRROR_ONLY,
            Arc::new(AsDb::empty()),
            Arc::new(IfaceRegistry::new()),
            false,
        );
        let exporter: IpAddr = "192.0.2.9".parse().unwrap();
        let now = 1_712_361_600_000_000_000;
        // 2^48 bytes is the most a record may claim; one byte more, or as many packets,
        // is refused (and u64::MAX would overflow the sums it goes into)
        let max = MAX_RECORD_COUNT;
        x.datagram(exporter, now, &v9(&[(5, 1_500), (1, max + 1), (max, max)]));
        x.datagram(exporter, now, &v9(&[(max + 1, 60), (u64::MAX, u64::MAX)]));
        x.datagram(exporter, now, &v9(&[(2, 120)]));
        let flows: Vec<(u64, u64)> = x.out.flows.iter().map(|f| (f.packets, f.bytes)).collect();
        assert_eq!(flows, vec![(5, 1_500), (max, max), (2, 120)]);
        let c = x.take_part("file", None).counts;
        assert_eq!(
            (c.record_packets, c.record_bytes),
            (5 + max + 2, 1_500 + max + 120)
        );
        assert_eq!(c.errors.get("implausible_record"), Some(&3));
        // the first two datagrams decoded, each with a refused record
        assert_eq!((c.datagrams, c.bad_datagrams), (3, 2));
        // counted afresh after a part
        x.datagram(exporter, now, &v9(&[(1, 1)]));
        let c = x.take_part("file", None).counts;
        assert_eq!(
            (c.bad_datagrams, c.errors.get("implausible_record")),
            (0, None)
        );
    }

    #[test]
    fn udp_payload_of_each_link_type() {
        // IPv4 192.0.2.1 → 192.0.2.2, UDP 1234 → 2055, payload "abc"
        let mut ip = vec![
            0x45, 0, 0, 31, 0, 0, 0x40, 0, 64, 17, 0, 0, 192, 0, 2, 1, 192, 0, 2, 2,
        ];
        ip.extend_from_slice(&[0x04, 0xd2, 0x08, 0x07, 0, 11, 0, 0, b'a', b'b', b'c']);
        let want = ("192.0.2.1".parse::<IpAddr>().unwrap(), 2055u16, &b"abc"[..]);
        let mut eth = vec![0u8; 12];
        eth.extend_from_slice(&[0x81, 0, 0, 10, 0x08, 0]);
        eth.extend_from_slice(&ip);
        eth.extend_from_slice(&[0; 4]); // trailer (FCS): not payload
        assert_eq!(udp_payload(1, &eth), Some(want));
        assert_eq!(udp_payload(101, &ip), Some(want));
        let mut null = vec![2, 0, 0, 0];
        null.extend_from_slice(&ip);
        assert_eq!(udp_payload(0, &null), Some(want));
        // a later fragment, TCP, cut short, an unknown link type: none
        let mut frag = ip.clone();
        frag[7] = 1;
        assert_eq!(udp_payload(101, &frag), None);
        let mut tcp = ip.clone();
        tcp[9] = 6;
        assert_eq!(udp_payload(101, &tcp), None);
        assert_eq!(udp_payload(101, &ip[..22]), None);
        assert_eq!(udp_payload(147, &ip), None);
        for n in 0..ip.len() {
            let _ = udp_payload(1, &eth[..n]);
        }
    }
}

/// What the offline reader keeps for flow-export datagrams and the IXP vantage.
pub(crate) struct FileSources {
    /// UDP destination ports whose datagrams are decoded (empty: none).
    pub ports: Vec<u16>,
    /// The decoder, when some port is given.
    pub exports: Option<ExportDecoder>,
    /// Learn MACs from ARP/ND (the IXP vantage).
    pub learn: bool,
    /// Sightings not sent yet.
    pub sightings: Vec<Sighting>,
    /// The clock of the decoded records (their own times).
    pub gate: crate::clock::TimeGate,
}

/// Observations waiting for one worker.
#[derive(Debug, Default)]
pub(crate) struct Pending {
    pub obs: Observations,
}

impl Pending {
    /// True when a batch of `n` is full.
    pub fn full(&self, n: usize) -> bool {
        self.obs.sampled.len() >= n || self.obs.flows.len() >= n || self.obs.counters.len() >= n
    }
}

/// The pair hash of a flow record's addresses (as [`trombone_packet::PacketMeta::pair_hash`]).
pub(crate) fn record_pair_hash(src: u128, dst: u128) -> u64 {
    trombone_packet::PacketMeta {
        src,
        dst,
        ..Default::default()
    }
    .pair_hash()
}

/// Worker index of a hash among `n`.
#[inline]
pub(crate) fn worker_of(h: u64, n: usize) -> usize {
    ((u128::from(h) * n as u128) >> 64) as usize
}

impl FileSources {
    /// Takes a frame if it is a flow-export datagram (decoding it, routing what it held
    /// into `pending`): true when it was one.
    pub fn datagram(
        &mut self,
        m: &trombone_packet::PacketMeta,
        linktype: u32,
        data: &[u8],
        pending: &mut [&mut Pending],
    ) -> bool {
        let Some(x) = &mut self.exports else {
            return false;
        };
        if m.proto != 17 || m.tunnel != trombone_packet::Tunnel::None {
            return false;
        }
        if !self.ports.contains(&m.dport) {
            return false;
        }
        let Some((src, _, payload)) = udp_payload(linktype, data) else {
            return false;
        };
        x.datagram(src, m.ts_ns, payload);
        let n = pending.len();
        for s in x.out.sampled.drain(..) {
            pending[worker_of(s.meta.pair_hash(), n)]
                .obs
                .sampled
                .push(s);
        }
        for f in x.out.flows.drain(..) {
            pending[worker_of(record_pair_hash(f.src, f.dst), n)]
                .obs
                .flows
                .push(f);
        }
        for c in x.out.counters.drain(..) {
            pending[c.iface as usize % n].obs.counters.push(c);
        }
        self.sightings.append(&mut x.out.sightings);
        true
    }
}
