//! Flow-export sources and the IXP peering-LAN vantage in results: the `collector` and
//! `ixp` sections.
//!
//! Workers key the IXP analysis by MAC and interface counters by an interface id; this
//! module turns those into members and interfaces when a result is built:
//!
//! - **Members.** A MAC belongs to the member the member list gives it to
//!   ([`trombone_ixp::IxpDirectory::members_by_mac`]), else to the member whose peering-LAN
//!   address it was seen claiming in ARP or neighbour discovery
//!   ([`trombone_ixp::MacLearner`]), using every sighting read up to the moment the result
//!   is built. A MAC of no member (or claimed by two) is *unattributed*. A member's port
//!   traffic is the sum of its MACs' (bytes per sample add exactly; the busiest bin of a
//!   member with several MACs is the sum of theirs, an upper bound).
//! - **Port speed** comes from the member list: the ports at the IXP where one of the
//!   member's seen MACs is listed, else at its only IXP in the list; else from the sFlow
//!   counters of the switch interface facing the member.
//! - **Interfaces.** An exporter interface (agent, sub-agent, ifIndex) gets its rates from
//!   the increases of its octet counters. It faces the member whose router MAC received the
//!   most sampled bytes sent out of that ifIndex; such a member's port p95 is then taken
//!   from the counters (every frame, no sampling error): octets the switch sent out of the
//!   interface are the member's *in*, octets it received are the member's *out*.

use crate::sizing::{port_name, rate, SizingConfig, Span};
use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use trombone_asdb::AsDb;
use trombone_ixp::{format_mac, IxpDirectory, MacLearner};
use trombone_schema::{
    CollectorReport, InterfaceRate, IxpReport, MacBytes, MacLearning, MemberCell, MemberPort,
    PeakRule, Rate, SampleRec, TimeSpan, Unattributed,
};
use trombone_worker::{LinkDir, MacPairCount};

/// One exporter interface, as its counter samples name it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IfaceKey {
    /// The agent's address ("unknown" when it sent none).
    pub agent: String,
    /// The agent's sub-agent id.
    pub sub_agent: u32,
    /// ifIndex.
    pub if_index: u32,
}

/// Interface ids shared by the threads that decode counter samples and the reducer that
/// names them. Taking an id locks (once per counter record, a few per minute per
/// interface).
#[derive(Debug, Default)]
pub struct IfaceRegistry {
    inner: Mutex<IfaceTable>,
}

/// Interfaces by id (with their latest speed) and ids by interface.
type IfaceTable = (Vec<(IfaceKey, u64)>, BTreeMap<IfaceKey, u32>);

impl IfaceRegistry {
    /// An empty registry.
    pub fn new() -> IfaceRegistry {
        IfaceRegistry::default()
    }

    /// The id of `key` (created on first use), recording its latest speed (bit/s; 0 keeps
    /// the one known).
    pub fn id(&self, key: &IfaceKey, speed_bps: u64) -> u32 {
        let mut g = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let (list, index) = &mut *g;
        let id = match index.get(key) {
            Some(&i) => i,
            None => {
                let i = list.len() as u32;
                list.push((key.clone(), 0));
                index.insert(key.clone(), i);
                i
            }
        };
        if speed_bps > 0 {
            list[id as usize].1 = speed_bps;
        }
        id
    }

    /// The interface with id `id` and its latest speed.
    pub fn get(&self, id: u32) -> Option<(IfaceKey, u64)> {
        let g = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        g.0.get(id as usize).cloned()
    }
}

/// The member lists of an IXP vantage.
#[derive(Clone, Debug)]
pub struct IxpSetup {
    /// The merged lists.
    pub dir: Arc<IxpDirectory>,
    /// What they were read from (file names).
    pub lists: Vec<String>,
}

/// What a reducer needs for flow-export sources and the IXP vantage.
#[derive(Clone, Debug, Default)]
pub struct SourcesSetup {
    /// "file" or "live" when flow-export datagrams are decoded (`None`: they are not).
    pub collector_mode: Option<String>,
    /// Live: the sockets listened on.
    pub listeners: Vec<String>,
    /// The IXP vantage's member lists (`None`: no `--ixp-members`).
    pub ixp: Option<IxpSetup>,
    /// Interface ids used in the workers' interface series.
    pub interfaces: Arc<IfaceRegistry>,
}

/// What the threads decoding flow-export datagrams counted over an interval.
#[derive(Clone, Debug, Default)]
pub struct CollectorPart {
    /// Counters (the `interfaces` list stays empty).
    pub counts: CollectorReport,
    /// Sampled bytes sent out of an interface to a destination MAC: (interface id, MAC,
    /// bytes), for the interface → member mapping.
    pub votes: Vec<(u32, [u8; 6], u64)>,
}

/// A reducer's state for sources: the setup and the MACs learned so far.
#[derive(Clone, Debug)]
pub(crate) struct SourcesState {
    pub setup: SourcesSetup,
    pub learner: MacLearner,
}

impl SourcesState {
    /// State for `setup`, nothing learned yet.
    pub fn new(setup: SourcesSetup) -> SourcesState {
        SourcesState {
            setup,
            learner: MacLearner::new(),
        }
    }

    /// Takes one ARP/ND sighting.
    pub fn sighting(&mut self, mac: [u8; 6], ip: IpAddr, vlan: u16) {
        if let Some(x) = &self.setup.ixp {
            self.learner
                .observe(&x.dir, mac, ip, (vlan != 0).then_some(vlan));
        }
    }

    /// The member ASN behind `mac`, if any.
    fn member_of(&self, dir: &IxpDirectory, mac: &[u8; 6]) -> Option<u32> {
        dir.members_by_mac(mac, None)
            .or_else(|| self.learner.asn_of(mac, None))
    }

    /// Turns the MAC- and id-keyed figures of `acc` into members and interfaces.
    pub fn resolve(&self, acc: &mut SourcesAcc, db: &AsDb) {
        if self.setup.collector_mode.is_some() {
            let c = acc.collector.get_or_insert_with(CollectorReport::default);
            if c.mode.is_empty() {
                c.mode = self.setup.collector_mode.clone().unwrap_or_default();
            }
            if c.listeners.is_empty() {
                c.listeners = self.setup.listeners.clone();
            }
        }
        let mut mac_member: BTreeMap<[u8; 6], Option<u32>> = BTreeMap::new();
        if let Some(x) = &self.setup.ixp {
            let dir = &x.dir;
            let mut lookup = |m: &[u8; 6]| {
                *mac_member
                    .entry(*m)
                    .or_insert_with(|| self.member_of(dir, m))
            };
            let ixp = acc.ixp.get_or_insert_with(IxpAcc::default);
            ixp.lists.clone_from(&x.lists);
            ixp.members_listed = dir.member_count() as u64;
            ixp.macs_listed = dir.mac_count() as u64;
            let ls = self.learner.stats();
            ixp.macs_learned = self.learner.table().len().try_into().unwrap_or(u64::MAX);
            ixp.learning = MacLearning {
                sightings: ls.sightings,
                attributed: ls.attributed,
                unknown_lan_ip: ls.unknown_lan_ip,
                unknown_ip: ls.unknown_ip,
                ignored: ls.ignored,
                directory_disagreements: ls.directory_disagreements,
                mac_conflicts: ls.mac_conflicts,
                ip_conflicts: ls.ip_conflicts,
            };
            for ((s, d), (p, b)) in std::mem::take(&mut acc.mac_pairs) {
                let (sa, da) = (lookup(&s), lookup(&d));
                let c = ixp
                    .matrix
                    .entry((sa.unwrap_or(0), da.unwrap_or(0)))
                    .or_default();
                c.0 += p;
                c.1 += b;
                if sa.is_none() || da.is_none() {
                    ixp.unattributed.0 += p;
                    ixp.unattributed.1 += b;
                }
                for (m, a) in [(s, sa), (d, da)] {
                    if a.is_none() {
                        *ixp.unattributed_macs.entry(format_mac(&m)).or_default() += b;
                    }
                }
            }
            for ((mac, to), samples) in std::mem::take(&mut acc.mac_rows) {
                let Some(asn) = lookup(&mac) else {
                    continue;
                };
                let m = ixp.members.entry(asn).or_default();
                m.macs.insert(format_mac(&mac));
                let v = if to {
                    &mut m.samples_in
                } else {
                    &mut m.samples_out
                };
                add_samples(v, &samples, PeakRule::Sum);
            }
            for (asn, m) in ixp.members.iter_mut() {
                if m.name.is_none() {
                    m.name = dir
                        .as_name(*asn)
                        .or_else(|| db.as_name(*asn))
                        .map(str::to_string);
                }
                if m.port_speed_mbps.is_none() {
                    m.port_speed_mbps = listed_speed(dir, *asn, &m.macs);
                }
            }
        }
        let reg = &self.setup.interfaces;
        for ((id, dir), samples) in std::mem::take(&mut acc.iface_rows) {
            let Some((key, speed)) = reg.get(id) else {
                continue;
            };
            let i = acc.interfaces.entry(key).or_default();
            if speed > 0 {
                i.speed_bps = Some(speed);
            }
            let v = if dir == LinkDir::Out {
                &mut i.samples_out
            } else {
                &mut i.samples_in
            };
            add_samples(v, &samples, PeakRule::Max);
        }
        for (id, mac, bytes) in std::mem::take(&mut acc.votes) {
            let Some((key, speed)) = reg.get(id) else {
                continue;
            };
            let Some(x) = &self.setup.ixp else {
                continue;
            };
            let Some(asn) = self.member_of(&x.dir, &mac) else {
                continue;
            };
            let i = acc.interfaces.entry(key).or_default();
            if speed > 0 && i.speed_bps.is_none() {
                i.speed_bps = Some(speed);
            }
            *i.member_bytes.entry(asn).or_default() += bytes;
        }
    }
}

/// A member's listed port capacity: at the IXP where one of its seen MACs is listed, else
/// at its only IXP in the lists.
fn listed_speed(dir: &IxpDirectory, asn: u32, macs: &BTreeSet<String>) -> Option<u64> {
    let ixps = dir.ixps_of(asn);
    for &x in ixps {
        if let Some(m) = dir.member(asn, x) {
            if m.macs.iter().any(|l| macs.contains(&format_mac(&l.mac))) {
                return m.port_speed_mbps();
            }
        }
    }
    match ixps {
        [only] => dir.port_speed_mbps(asn, *only),
        _ => None,
    }
}

/// Adds `b`'s samples into `a` (both ascending by index) under `peak`.
pub(crate) fn add_samples(a: &mut Vec<SampleRec>, b: &[SampleRec], peak: PeakRule) {
    if b.is_empty() {
        return;
    }
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) if x.index == y.index => {
                out.push(x.combine(y, peak));
                i += 1;
                j += 1;
            }
            (Some(x), Some(y)) if x.index < y.index => {
                out.push(*x);
                i += 1;
            }
            (Some(_), Some(y)) | (None, Some(y)) => {
                out.push(*y);
                j += 1;
            }
            (Some(x), None) => {
                out.push(*x);
                i += 1;
            }
            (None, None) => break,
        }
    }
    *a = out;
}

/// Adds the counters of `b` into `a` (the interface list is not touched).
pub(crate) fn add_collector(a: &mut CollectorReport, b: &CollectorReport) {
    if a.mode.is_empty() {
        a.mode.clone_from(&b.mode);
    }
    for l in &b.listeners {
        if !a.listeners.contains(l) {
            a.listeners.push(l.clone());
        }
    }
    let add = |x: &mut u64, y: u64| *x = x.saturating_add(y);
    add(&mut a.datagrams, b.datagrams);
    add(&mut a.datagram_bytes, b.datagram_bytes);
    for (k, v) in &b.by_protocol {
        add(a.by_protocol.entry(k.clone()).or_default(), *v);
    }
    add(&mut a.bad_datagrams, b.bad_datagrams);
    for (k, v) in &b.errors {
        add(a.errors.entry(k.clone()).or_default(), *v);
    }
    add(&mut a.lost_datagrams, b.lost_datagrams);
    add(&mut a.lost_records, b.lost_records);
    add(&mut a.sequence_resets, b.sequence_resets);
    if let Some(d) = b.socket_drops {
        let x = a.socket_drops.get_or_insert(0);
        *x = x.saturating_add(d);
    }
    add(&mut a.sets_dropped_no_template, b.sets_dropped_no_template);
    add(&mut a.packet_samples, b.packet_samples);
    add(&mut a.samples_non_ip, b.samples_non_ip);
    add(&mut a.samples_unusable, b.samples_unusable);
    add(&mut a.sampled_packets, b.sampled_packets);
    add(&mut a.sampled_bytes, b.sampled_bytes);
    add(&mut a.sample_pool, b.sample_pool);
    add(&mut a.sample_drops, b.sample_drops);
    add(&mut a.flow_records, b.flow_records);
    add(
        &mut a.records_without_addresses,
        b.records_without_addresses,
    );
    add(&mut a.record_packets, b.record_packets);
    add(&mut a.record_bytes, b.record_bytes);
    for (k, v) in &b.sampling {
        add(a.sampling.entry(k.clone()).or_default(), *v);
    }
    add(&mut a.untimed_records, b.untimed_records);
    add(&mut a.as_from_export, b.as_from_export);
    add(&mut a.as_disagreements, b.as_disagreements);
    add(&mut a.counter_records, b.counter_records);
    add(&mut a.counter_resets, b.counter_resets);
}

/// A member port being put together.
#[derive(Clone, Debug, Default)]
pub(crate) struct MemberAcc {
    pub name: Option<String>,
    pub macs: BTreeSet<String>,
    pub port_speed_mbps: Option<u64>,
    pub samples_in: Vec<SampleRec>,
    pub samples_out: Vec<SampleRec>,
}

/// The IXP section being put together.
#[derive(Clone, Debug, Default)]
pub(crate) struct IxpAcc {
    pub lists: Vec<String>,
    pub members_listed: u64,
    pub macs_listed: u64,
    pub macs_learned: u64,
    pub learning: MacLearning,
    pub matrix: BTreeMap<(u32, u32), (u64, u64)>,
    pub members: BTreeMap<u32, MemberAcc>,
    /// Packets and bytes of frames with a MAC of no member.
    pub unattributed: (u64, u64),
    pub unattributed_macs: BTreeMap<String, u64>,
}

/// An interface being put together.
#[derive(Clone, Debug, Default)]
pub(crate) struct IfaceAcc {
    pub speed_bps: Option<u64>,
    pub samples_in: Vec<SampleRec>,
    pub samples_out: Vec<SampleRec>,
    pub member_bytes: BTreeMap<u32, u64>,
}

/// Everything of the `collector` and `ixp` sections that adds up.
#[derive(Clone, Debug, Default)]
pub(crate) struct SourcesAcc {
    pub collector: Option<CollectorReport>,
    pub ixp: Option<IxpAcc>,
    pub interfaces: BTreeMap<IfaceKey, IfaceAcc>,
    /// Raw from the workers, resolved when the result is built.
    pub mac_pairs: BTreeMap<([u8; 6], [u8; 6]), (u64, u64)>,
    pub mac_rows: BTreeMap<([u8; 6], bool), Vec<SampleRec>>,
    pub iface_rows: BTreeMap<(u32, LinkDir), Vec<SampleRec>>,
    pub votes: Vec<(u32, [u8; 6], u64)>,
}

/// A member's p95 from its interface counters, when an interface faces it.
struct CounterBasis {
    p95_mbps: f64,
    speed_mbps: Option<u64>,
}

impl SourcesAcc {
    /// Adds a worker's IXP figures.
    pub fn add_mac_pairs(&mut self, pairs: &[MacPairCount]) {
        for p in pairs {
            let e = self.mac_pairs.entry((p.src_mac, p.dst_mac)).or_default();
            e.0 += p.packets;
            e.1 += p.bytes;
        }
    }

    /// Adds the counters of the decoding threads.
    pub fn add_collector_part(&mut self, part: &CollectorPart) {
        add_collector(
            self.collector.get_or_insert_with(CollectorReport::default),
            &part.counts,
        );
        self.votes.extend_from_slice(&part.votes);
    }

    /// Takes a sample row of a MAC or an interface; gives back any other.
    pub fn row(
        &mut self,
        k: crate::samples::RowKey,
        samples: Vec<SampleRec>,
    ) -> Option<Vec<SampleRec>> {
        use crate::samples::RowKey;
        let v = match k {
            RowKey::MacFrom(m) => self.mac_rows.entry((m, false)).or_default(),
            RowKey::MacTo(m) => self.mac_rows.entry((m, true)).or_default(),
            RowKey::Iface(i, d) => self.iface_rows.entry((i, d)).or_default(),
            _ => return Some(samples),
        };
        add_samples(v, &samples, PeakRule::Max);
        None
    }

    /// Adds the sections of a result being merged.
    pub fn add_report(&mut self, r: &trombone_schema::Report, peak: PeakRule) {
        if let Some(c) = &r.collector {
            add_collector(
                self.collector.get_or_insert_with(CollectorReport::default),
                c,
            );
            for i in &c.interfaces {
                let key = IfaceKey {
                    agent: i.agent.clone(),
                    sub_agent: i.sub_agent,
                    if_index: i.if_index,
                };
                let a = self.interfaces.entry(key).or_default();
                if i.speed_bps.is_some() {
                    a.speed_bps = i.speed_bps;
                }
                add_samples(&mut a.samples_in, &i.samples_in, peak);
                add_samples(&mut a.samples_out, &i.samples_out, peak);
                for (m, b) in &i.member_bytes {
                    *a.member_bytes.entry(*m).or_default() += b;
                }
            }
        }
        if let Some(x) = &r.ixp {
            let a = self.ixp.get_or_insert_with(IxpAcc::default);
            for l in &x.member_lists {
                if !a.lists.contains(l) {
                    a.lists.push(l.clone());
                }
            }
            a.members_listed = a.members_listed.max(x.members_listed);
            a.macs_listed = a.macs_listed.max(x.macs_listed);
            a.macs_learned = a.macs_learned.max(x.macs_learned);
            let (l, o) = (&mut a.learning, &x.learning);
            l.sightings += o.sightings;
            l.attributed += o.attributed;
            l.unknown_lan_ip += o.unknown_lan_ip;
            l.unknown_ip += o.unknown_ip;
            l.ignored += o.ignored;
            l.directory_disagreements += o.directory_disagreements;
            l.mac_conflicts = l.mac_conflicts.max(o.mac_conflicts);
            l.ip_conflicts = l.ip_conflicts.max(o.ip_conflicts);
            for c in &x.matrix {
                let e = a.matrix.entry((c.src_asn, c.dst_asn)).or_default();
                e.0 += c.packets;
                e.1 += c.bytes;
            }
            for m in &x.members {
                let e = a.members.entry(m.asn).or_default();
                if e.name.is_none() {
                    e.name.clone_from(&m.name);
                }
                if e.port_speed_mbps.is_none() {
                    e.port_speed_mbps = m.port_speed_mbps;
                }
                e.macs.extend(m.macs.iter().cloned());
                add_samples(&mut e.samples_in, &m.samples_in, peak);
                add_samples(&mut e.samples_out, &m.samples_out, peak);
            }
            a.unattributed.0 += x.unattributed.packets;
            a.unattributed.1 += x.unattributed.bytes;
            for t in &x.unattributed.top_macs {
                *a.unattributed_macs.entry(t.mac.clone()).or_default() += t.bytes;
            }
        }
    }

    /// True when some of the traffic in the matrices came from flow export.
    pub fn has_exported_traffic(&self) -> bool {
        self.collector
            .as_ref()
            .is_some_and(|c| c.sampled_packets > 0 || c.record_packets > 0)
    }

    /// The `collector` and `ixp` sections, rates over `time`.
    pub fn report(
        &self,
        cfg: &SizingConfig,
        time: &TimeSpan,
    ) -> (Option<CollectorReport>, Option<IxpReport>) {
        let span = Span::new(cfg, time);
        let rate_of = |s: &[SampleRec]| span.as_ref().map(|sp| rate(s, sp));
        let zero = || rate_of(&[]).unwrap_or_else(empty_rate);
        // interfaces
        let mut ifaces: Vec<InterfaceRate> = self
            .interfaces
            .iter()
            .map(|(k, i)| {
                let inbound = rate_of(&i.samples_in).unwrap_or_else(zero);
                let outbound = rate_of(&i.samples_out).unwrap_or_else(zero);
                let p95 = inbound.p95_mbps.max(outbound.p95_mbps);
                InterfaceRate {
                    agent: k.agent.clone(),
                    sub_agent: k.sub_agent,
                    if_index: k.if_index,
                    speed_bps: i.speed_bps,
                    utilisation_p95: i.speed_bps.filter(|&s| s > 0).map(|s| p95 * 1e6 / s as f64),
                    inbound,
                    outbound,
                    member_asn: i
                        .member_bytes
                        .iter()
                        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                        .map(|(a, _)| *a),
                    member_bytes: i.member_bytes.clone(),
                    samples_in: i.samples_in.clone(),
                    samples_out: i.samples_out.clone(),
                }
            })
            .collect();
        ifaces.sort_by(|a, b| {
            (b.inbound.bytes + b.outbound.bytes)
                .cmp(&(a.inbound.bytes + a.outbound.bytes))
                .then((&a.agent, a.sub_agent, a.if_index).cmp(&(&b.agent, b.sub_agent, b.if_index)))
        });
        // interfaces facing a member: their counters size its port
        let mut by_member: BTreeMap<u32, CounterBasis> = BTreeMap::new();
        for i in &ifaces {
            let Some(asn) = i.member_asn else { continue };
            if i.samples_in.is_empty() && i.samples_out.is_empty() {
                continue;
            }
            let e = by_member.entry(asn).or_insert(CounterBasis {
                p95_mbps: 0.0,
                speed_mbps: None,
            });
            e.p95_mbps += i.inbound.p95_mbps.max(i.outbound.p95_mbps);
            if let Some(s) = i.speed_bps {
                *e.speed_mbps.get_or_insert(0) += s / 1_000_000;
            }
        }
        let collector = self.collector.clone().map(|mut c| {
            c.interfaces = ifaces;
            if self.has_exported_traffic() {
                c.not_available = vec![
                    "replica matching, detours and hops abroad (hairpin): need every captured packet".into(),
                    "TCP handshake RTT and the latency evidence: need captured packets".into(),
                    "packet sizes of flow records: a record carries only totals (sampled packets keep theirs)".into(),
                ];
            }
            c
        });
        let ixp = self.ixp.as_ref().map(|x| {
            let mut matrix: Vec<MemberCell> = x
                .matrix
                .iter()
                .map(|(&(s, d), &(p, b))| MemberCell {
                    src_asn: s,
                    dst_asn: d,
                    packets: p,
                    bytes: b,
                })
                .collect();
            matrix.sort_by(|a, b| {
                b.bytes
                    .cmp(&a.bytes)
                    .then((a.src_asn, a.dst_asn).cmp(&(b.src_asn, b.dst_asn)))
            });
            let mut members: Vec<MemberPort> = x
                .members
                .iter()
                .map(|(&asn, m)| {
                    let inbound = rate_of(&m.samples_in).unwrap_or_else(zero);
                    let outbound = rate_of(&m.samples_out).unwrap_or_else(zero);
                    let counters = by_member.get(&asn);
                    let (p95, basis) = match counters {
                        Some(c) => (c.p95_mbps, "interface counters"),
                        None => (inbound.p95_mbps.max(outbound.p95_mbps), "traffic"),
                    };
                    let speed = m
                        .port_speed_mbps
                        .or_else(|| counters.and_then(|c| c.speed_mbps));
                    let needed = p95 * cfg.growth / cfg.port_target;
                    let port = cfg
                        .port_speeds_gbps
                        .iter()
                        .copied()
                        .find(|&g| g * 1000.0 >= needed);
                    MemberPort {
                        asn,
                        name: m.name.clone(),
                        macs: m.macs.iter().cloned().collect(),
                        port_speed_mbps: speed,
                        utilisation_p95: speed.filter(|&s| s > 0).map(|s| p95 / s as f64),
                        inbound,
                        outbound,
                        p95_mbps: p95,
                        basis: basis.into(),
                        needed_mbps: needed,
                        port_gbps: port,
                        port: port.map(port_name),
                        samples_in: m.samples_in.clone(),
                        samples_out: m.samples_out.clone(),
                    }
                })
                .collect();
            members.sort_by(|a, b| {
                (b.inbound.bytes + b.outbound.bytes)
                    .cmp(&(a.inbound.bytes + a.outbound.bytes))
                    .then(a.asn.cmp(&b.asn))
            });
            let mut top: Vec<MacBytes> = x
                .unattributed_macs
                .iter()
                .map(|(m, b)| MacBytes {
                    mac: m.clone(),
                    bytes: *b,
                })
                .collect();
            top.sort_by(|a, b| b.bytes.cmp(&a.bytes).then(a.mac.cmp(&b.mac)));
            let macs = top.len() as u64;
            top.truncate(20);
            IxpReport {
                member_lists: x.lists.clone(),
                members_listed: x.members_listed,
                macs_listed: x.macs_listed,
                macs_learned: x.macs_learned,
                learning: x.learning.clone(),
                matrix,
                members,
                unattributed: Unattributed {
                    packets: x.unattributed.0,
                    bytes: x.unattributed.1,
                    macs,
                    top_macs: top,
                },
            }
        });
        (collector, ixp)
    }
}

/// The rate of nothing, for a result without timed traffic.
fn empty_rate() -> Rate {
    Rate {
        bytes: 0,
        packets: 0,
        avg_mbps: 0.0,
        max_mbps: 0.0,
        p90_mbps: 0.0,
        p95_mbps: 0.0,
        peak_bin_mbps: 0.0,
        avg_pps: 0.0,
        p95_pps: 0.0,
        peak_bin_pps: 0.0,
        samples: 0,
        series_mbps: Vec::new(),
        series_step_s: 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::samples::RowKey;

    const S: i64 = 1_000_000_000;
    const M1: [u8; 6] = [2, 0, 0, 0, 0, 1];
    const M2: [u8; 6] = [2, 0, 0, 0, 0, 2];
    const M9: [u8; 6] = [2, 0, 0, 0, 0, 0x99];

    /// Two members of EX-IX: AS64500 with a listed MAC and a 10 GE port, AS64501 with
    /// only an address (its MAC has to be learned).
    fn setup() -> SourcesSetup {
        let ixf = br#"{"version": "1.0", "timestamp": "2024-01-01T00:00:00Z",
          "ixp_list": [{"ixp_id": 1, "ixf_id": 9, "shortname": "EX-IX", "country": "KH"}],
          "member_list": [
            {"asnum": 64500, "name": "Alpha", "connection_list": [{"ixp_id": 1,
              "if_list": [{"switch_id": 1, "if_speed": 10000}],
              "vlan_list": [{"vlan_id": 10, "ipv4": {"address": "192.0.2.1",
                             "mac_addresses": ["02:00:00:00:00:01"]}}]}]},
            {"asnum": 64501, "connection_list": [{"ixp_id": 1,
              "vlan_list": [{"vlan_id": 10, "ipv4": {"address": "192.0.2.2"}}]}]}]}"#;
        let mut b = trombone_ixp::DirectoryBuilder::new();
        b.add_bytes("ex.json", ixf).unwrap();
        SourcesSetup {
            ixp: Some(IxpSetup {
                dir: Arc::new(b.build()),
                lists: vec!["ex.json".into()],
            }),
            ..SourcesSetup::default()
        }
    }

    fn rec(index: i64, bytes: u64) -> SampleRec {
        SampleRec {
            index,
            bytes,
            packets: bytes / 1000,
            peak_bin_bytes: bytes / 10,
            peak_bin_packets: bytes / 10_000,
        }
    }

    fn cfg() -> SizingConfig {
        SizingConfig {
            bin_ns: S,
            sample_ns: 10 * S,
            ..SizingConfig::default()
        }
    }

    #[test]
    fn members_from_the_list_and_from_arp_matrix_ports_and_unattributed() {
        let mut st = SourcesState::new(setup());
        let mut acc = SourcesAcc::default();
        acc.add_mac_pairs(&[
            MacPairCount {
                src_mac: M1,
                dst_mac: M2,
                packets: 10,
                bytes: 10_000,
            },
            MacPairCount {
                src_mac: M2,
                dst_mac: M1,
                packets: 4,
                bytes: 400,
            },
            MacPairCount {
                src_mac: M9,
                dst_mac: M1,
                packets: 1,
                bytes: 77,
            },
        ]);
        for (k, v) in [
            (
                RowKey::MacTo(M1),
                vec![rec(0, 1_250_000), rec(1, 2_500_000)],
            ),
            (RowKey::MacFrom(M1), vec![rec(0, 10_000)]),
            (RowKey::MacTo(M2), vec![rec(1, 10_000)]),
        ] {
            assert!(acc.row(k, v).is_none());
        }
        // the MAC of AS64501 is learned from an ARP reply (a sighting of its address)
        st.sighting(M2, "192.0.2.2".parse().unwrap(), 10);
        st.resolve(&mut acc, &AsDb::empty());
        let time = TimeSpan::of(Some((0, 20 * S - 1)));
        let (collector, ixp) = acc.report(&cfg(), &time);
        assert!(collector.is_none());
        let x = ixp.unwrap();
        assert_eq!((x.members_listed, x.macs_listed, x.macs_learned), (2, 1, 1));
        assert_eq!((x.learning.sightings, x.learning.attributed), (1, 1));
        let cells: Vec<_> = x
            .matrix
            .iter()
            .map(|c| (c.src_asn, c.dst_asn, c.packets, c.bytes))
            .collect();
        assert_eq!(
            cells,
            vec![
                (64500, 64501, 10, 10_000),
                (64501, 64500, 4, 400),
                (0, 64500, 1, 77)
            ]
        );
        assert_eq!((x.unattributed.packets, x.unattributed.bytes), (1, 77));
        assert_eq!(x.unattributed.top_macs[0].mac, "02:00:00:00:00:99");
        let a = &x.members[0];
        assert_eq!(a.asn, 64500);
        assert_eq!(a.name.as_deref(), Some("Alpha"));
        assert_eq!(a.macs, vec!["02:00:00:00:00:01".to_string()]);
        assert_eq!(a.port_speed_mbps, Some(10_000));
        // in: 1.25 MB over the 10 s sample 0 = 1 Mbit/s, 2.5 MB in sample 1 = 2 Mbit/s;
        // nearest-rank p95 of two samples is the 2nd: 2 Mbit/s
        assert_eq!(a.inbound.p95_mbps, 2.0);
        assert_eq!(a.p95_mbps, 2.0);
        assert_eq!(a.basis, "traffic");
        // needed = 2 × growth 1 ÷ target 0.5 = 4 Mbit/s → the smallest port, 1 GE
        assert_eq!(a.needed_mbps, 4.0);
        assert_eq!(a.port.as_deref(), Some("1GE"));
        assert_eq!(a.utilisation_p95, Some(2.0 / 10_000.0));
        let b = &x.members[1];
        assert_eq!((b.asn, b.port_speed_mbps), (64501, None));
        assert_eq!(b.inbound.bytes, 10_000);
    }

    #[test]
    fn interface_counters_size_the_port_of_the_member_they_face() {
        let mut setup = setup();
        setup.collector_mode = Some("file".into());
        let reg = setup.interfaces.clone();
        let st = SourcesState::new(setup);
        let id = reg.id(
            &IfaceKey {
                agent: "192.0.2.7".into(),
                sub_agent: 0,
                if_index: 5,
            },
            25_000_000_000,
        );
        let mut acc = SourcesAcc::default();
        acc.add_collector_part(&CollectorPart {
            counts: CollectorReport {
                packet_samples: 3,
                sampled_packets: 6,
                ..CollectorReport::default()
            },
            // bytes sent out of ifIndex 5: mostly to AS64500's router
            votes: vec![(id, M1, 9000), (id, M9, 100)],
        });
        // the switch sent 12.5 MB out of the port in sample 0 (10 Mbit/s): the member's in
        assert!(acc
            .row(RowKey::Iface(id, LinkDir::Out), vec![rec(0, 12_500_000)])
            .is_none());
        acc.add_mac_pairs(&[MacPairCount {
            src_mac: M9,
            dst_mac: M1,
            packets: 6,
            bytes: 9000,
        }]);
        assert!(acc.row(RowKey::MacTo(M1), vec![rec(0, 9000)]).is_none());
        st.resolve(&mut acc, &AsDb::empty());
        let (c, x) = acc.report(&cfg(), &TimeSpan::of(Some((0, 10 * S - 1))));
        let c = c.unwrap();
        assert_eq!(c.mode, "file");
        assert_eq!(c.interfaces.len(), 1);
        let i = &c.interfaces[0];
        assert_eq!(i.member_asn, Some(64500));
        assert_eq!(i.outbound.p95_mbps, 10.0);
        assert_eq!(i.utilisation_p95, Some(10.0 / 25_000.0));
        assert!(!c.not_available.is_empty());
        let m = &x.unwrap().members[0];
        assert_eq!((m.basis.as_str(), m.p95_mbps), ("interface counters", 10.0));
        assert_eq!(m.port_speed_mbps, Some(10_000), "the list's speed wins");
    }

    #[test]
    fn collector_counts_and_samples_add() {
        let mut a = CollectorReport::default();
        let mut b = CollectorReport {
            mode: "live".into(),
            datagrams: 3,
            socket_drops: Some(2),
            ..CollectorReport::default()
        };
        b.errors.insert("too_short".into(), 1);
        add_collector(&mut a, &b);
        add_collector(&mut a, &b);
        assert_eq!(
            (a.mode.as_str(), a.datagrams, a.socket_drops),
            ("live", 6, Some(4))
        );
        assert_eq!(a.errors["too_short"], 2);
        let mut v = vec![rec(1, 10), rec(3, 30)];
        add_samples(&mut v, &[rec(0, 5), rec(3, 30), rec(4, 1)], PeakRule::Max);
        let idx: Vec<_> = v.iter().map(|s| (s.index, s.bytes)).collect();
        assert_eq!(idx, vec![(0, 5), (1, 10), (3, 60), (4, 1)]);
    }
}
