//! NetFlow v9 / IPFIX template state shared by both decoders: compiled
//! templates per (exporter, domain), data record decoding into
//! [`FlowRecord`], sampling learnt from options data, and the bounded
//! buffer of data sets that came before their template.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;

use crate::buf::{be_uint, Reader};
use crate::record::{FlowRecord, Protocol};
use crate::seq::{OwnCount, SeqTracker};
use crate::stats::{DecodeError, Stats};
use crate::streams::Bounded;
use crate::Limits;

/// Field length meaning "variable length" (RFC 7011 §7).
pub(crate) const VARLEN: u16 = 0xFFFF;

/// The information elements the decoder reads; everything else is skipped by length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ie {
    Skip,
    Octets,
    Packets,
    PostOctets,
    PostPackets,
    OctetsTotal,
    PacketsTotal,
    Proto,
    Tos,
    TcpFlags,
    SrcPort,
    DstPort,
    SrcV4,
    DstV4,
    SrcV6,
    DstV6,
    SrcMaskV4,
    DstMaskV4,
    SrcMaskV6,
    DstMaskV6,
    InIf,
    OutIf,
    NextHopV4,
    NextHopV6,
    BgpNextHopV4,
    BgpNextHopV6,
    SrcAs,
    DstAs,
    LastSwitched,
    FirstSwitched,
    SrcMac,
    DstMac,
    PostSrcMac,
    PostDstMac,
    Vlan,
    PostVlan,
    Dot1qVlan,
    PostDot1qVlan,
    IpVersion,
    Direction,
    StartSec,
    EndSec,
    StartMs,
    EndMs,
    StartUs,
    EndUs,
    StartNs,
    EndNs,
    StartDeltaUs,
    EndDeltaUs,
    SysInitMs,
    SamplingInterval,
    SamplerId,
    SamplerRandomInterval,
    SelectorId,
    PacketInterval,
    PacketSpace,
    SamplingSize,
    SamplingPopulation,
}

impl Ie {
    /// The IANA / RFC 3954 element `id` (enterprise 0).
    pub(crate) fn from_id(id: u16) -> Ie {
        match id {
            1 => Ie::Octets,
            2 => Ie::Packets,
            4 => Ie::Proto,
            5 => Ie::Tos,
            6 => Ie::TcpFlags,
            7 => Ie::SrcPort,
            8 => Ie::SrcV4,
            9 => Ie::SrcMaskV4,
            10 => Ie::InIf,
            11 => Ie::DstPort,
            12 => Ie::DstV4,
            13 => Ie::DstMaskV4,
            14 => Ie::OutIf,
            15 => Ie::NextHopV4,
            16 => Ie::SrcAs,
            17 => Ie::DstAs,
            18 => Ie::BgpNextHopV4,
            21 => Ie::LastSwitched,
            22 => Ie::FirstSwitched,
            23 => Ie::PostOctets,
            24 => Ie::PostPackets,
            27 => Ie::SrcV6,
            28 => Ie::DstV6,
            29 => Ie::SrcMaskV6,
            30 => Ie::DstMaskV6,
            34 => Ie::SamplingInterval,
            48 => Ie::SamplerId,
            50 => Ie::SamplerRandomInterval,
            56 => Ie::SrcMac,
            57 => Ie::PostDstMac,
            58 => Ie::Vlan,
            59 => Ie::PostVlan,
            60 => Ie::IpVersion,
            61 => Ie::Direction,
            62 => Ie::NextHopV6,
            63 => Ie::BgpNextHopV6,
            80 => Ie::DstMac,
            81 => Ie::PostSrcMac,
            85 => Ie::OctetsTotal,
            86 => Ie::PacketsTotal,
            150 => Ie::StartSec,
            151 => Ie::EndSec,
            152 => Ie::StartMs,
            153 => Ie::EndMs,
            154 => Ie::StartUs,
            155 => Ie::EndUs,
            156 => Ie::StartNs,
            157 => Ie::EndNs,
            158 => Ie::StartDeltaUs,
            159 => Ie::EndDeltaUs,
            160 => Ie::SysInitMs,
            243 => Ie::Dot1qVlan,
            254 => Ie::PostDot1qVlan,
            302 => Ie::SelectorId,
            305 => Ie::PacketInterval,
            306 => Ie::PacketSpace,
            309 => Ie::SamplingSize,
            310 => Ie::SamplingPopulation,
            _ => Ie::Skip,
        }
    }

    fn is_option_value(self) -> bool {
        matches!(
            self,
            Ie::SamplingInterval
                | Ie::SamplerId
                | Ie::SamplerRandomInterval
                | Ie::SelectorId
                | Ie::PacketInterval
                | Ie::PacketSpace
                | Ie::SamplingSize
                | Ie::SamplingPopulation
                | Ie::SysInitMs
        )
    }
}

/// One field of a compiled template.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Field {
    pub(crate) ie: Ie,
    /// Length in bytes, or [`VARLEN`].
    pub(crate) len: u16,
}

/// A template or options template, compiled for decoding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Template {
    fields: Box<[Field]>,
    /// The wire bytes of its field specifiers, to tell a refresh from a replacement.
    wire: Box<[u8]>,
    options: bool,
    /// Smallest possible record (a variable-length field counts 1 byte).
    min_len: usize,
    /// Record length when no field is variable-length.
    fixed_len: Option<usize>,
}

impl Template {
    /// Compiles `fields`; `None` when a record of it would be empty.
    pub(crate) fn new(fields: Vec<Field>, wire: &[u8], options: bool) -> Option<Template> {
        let mut min_len = 0usize;
        let mut varlen = false;
        for f in &fields {
            if f.len == VARLEN {
                varlen = true;
                min_len += 1;
            } else {
                min_len += usize::from(f.len);
            }
        }
        if min_len == 0 || fields.is_empty() {
            return None;
        }
        Some(Template {
            fields: fields.into_boxed_slice(),
            wire: wire.into(),
            options,
            min_len,
            fixed_len: (!varlen).then_some(min_len),
        })
    }
}

/// How a datagram's header anchors relative timestamps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub(crate) struct TimeBase {
    /// Export time, seconds since the Unix epoch.
    pub(crate) export_secs: u32,
    /// NetFlow v9 sysUptime in ms at export (0 for IPFIX).
    pub(crate) sys_uptime_ms: u32,
}

/// A data set kept until its template comes.
struct Pending {
    template_id: u16,
    received_ns: i64,
    time: TimeBase,
    data: Vec<u8>,
}

/// Sampling the exporter announced in options data.
#[derive(Default, Debug)]
struct Sampling {
    /// From options records that named no sampler.
    default_interval: u32,
    /// Per sampler / selector id.
    by_sampler: Vec<(u64, u32)>,
}

/// At most this many samplers remembered per stream.
const MAX_SAMPLERS: usize = 64;

impl Sampling {
    fn set(&mut self, sampler: Option<u64>, interval: u32) {
        match sampler {
            None => self.default_interval = interval,
            Some(id) => {
                if let Some(e) = self.by_sampler.iter_mut().find(|e| e.0 == id) {
                    e.1 = interval;
                } else if self.by_sampler.len() < MAX_SAMPLERS {
                    self.by_sampler.push((id, interval));
                }
            }
        }
    }

    fn lookup(&self, sampler: Option<u64>) -> u32 {
        if let Some(id) = sampler {
            if let Some(e) = self.by_sampler.iter().find(|e| e.0 == id) {
                return e.1;
            }
        }
        if self.default_interval != 0 {
            return self.default_interval;
        }
        match self.by_sampler.as_slice() {
            [only] => only.1,
            _ => 0,
        }
    }
}

/// Everything known about one (exporter, domain, protocol) stream.
#[derive(Default)]
pub(crate) struct Stream {
    templates: HashMap<u16, Template>,
    pub(crate) seq: SeqTracker,
    /// IPFIX: the exporter may number messages by the records including their own.
    pub(crate) own_count: OwnCount,
    sampling: Sampling,
    /// IPFIX systemInitTimeMilliseconds from options data.
    sys_init_ms: Option<u64>,
    pending: VecDeque<Pending>,
    pending_bytes: usize,
}

/// Stream key: exporter address, source id / observation domain, protocol.
pub(crate) type StreamKey = (IpAddr, u32, Protocol);

/// All template streams.
pub(crate) struct TemplateState {
    streams: Bounded<StreamKey, Stream>,
}

impl TemplateState {
    pub(crate) fn new(limits: &Limits) -> TemplateState {
        TemplateState {
            streams: Bounded::new(limits.max_streams, limits.stream_idle_ns),
        }
    }

    /// The stream for `key`, made if new; `None` (counted) when no room.
    pub(crate) fn stream(
        &mut self,
        key: StreamKey,
        now_ns: i64,
        stats: &mut Stats,
    ) -> Option<&mut Stream> {
        let (s, len) = self.streams.entry(key, now_ns, Stream::default, |old| {
            stats.streams_evicted += 1;
            stats.templates_withdrawn += old.templates.len() as u64;
            stats.templates_active -= old.templates.len() as u64;
            stats.sets_dropped_no_template += old.pending.len() as u64;
            stats.bytes_dropped_no_template += old.pending_bytes as u64;
        });
        stats.streams_active = len as u64;
        s
    }

    /// Templates held over every stream (for checking the gauge).
    #[cfg(test)]
    pub(crate) fn template_count(&self) -> usize {
        self.streams.values().map(|s| s.templates.len()).sum()
    }
}

/// Where a data set came from, for the records decoded from it.
#[derive(Clone, Copy)]
pub(crate) struct Origin {
    pub(crate) protocol: Protocol,
    pub(crate) exporter: IpAddr,
    pub(crate) domain: u32,
}

impl Stream {
    /// True when template `id` is known and is an options template.
    pub(crate) fn is_options(&self, id: u16) -> bool {
        self.templates.get(&id).is_some_and(|t| t.options)
    }

    /// Adds or refreshes template `id`, then decodes the data sets that were
    /// waiting for it. `Err` when the stream has no room for another template.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn add_template(
        &mut self,
        id: u16,
        t: Template,
        origin: Origin,
        limits: &Limits,
        stats: &mut Stats,
        out: &mut dyn FnMut(&FlowRecord),
    ) -> Result<(), DecodeError> {
        if t.options {
            stats.options_templates_received += 1;
        } else {
            stats.templates_received += 1;
        }
        match self.templates.get_mut(&id) {
            Some(old) => {
                if *old != t {
                    stats.templates_replaced += 1;
                    *old = t;
                }
            }
            None => {
                if self.templates.len() >= limits.max_templates_per_stream {
                    return Err(DecodeError::TooManyTemplates);
                }
                self.templates.insert(id, t);
                stats.templates_active += 1;
            }
        }
        if self.pending.iter().any(|p| p.template_id == id) {
            let mut kept = VecDeque::with_capacity(self.pending.len());
            let waiting = std::mem::take(&mut self.pending);
            for p in waiting {
                if p.template_id == id {
                    self.pending_bytes -= p.data.len();
                    // Flow records only: an options data set counts options records.
                    let before = stats.flow_records;
                    let _ = self.data_set(id, &p.data, p.time, origin, stats, out);
                    stats.records_decoded_late += stats.flow_records - before;
                } else {
                    kept.push_back(p);
                }
            }
            self.pending = kept;
        }
        Ok(())
    }

    /// Withdraws template `id` (IPFIX field count 0).
    pub(crate) fn withdraw(&mut self, id: u16, stats: &mut Stats) {
        if self.templates.remove(&id).is_some() {
            stats.templates_withdrawn += 1;
            stats.templates_active -= 1;
        }
    }

    /// Withdraws every template (`options` false) or options template (`true`).
    pub(crate) fn withdraw_all(&mut self, options: bool, stats: &mut Stats) {
        let before = self.templates.len();
        self.templates.retain(|_, t| t.options != options);
        let gone = (before - self.templates.len()) as u64;
        stats.templates_withdrawn += gone;
        stats.templates_active -= gone;
    }

    /// Drops kept-aside sets older than the limit.
    pub(crate) fn expire_pending(&mut self, now_ns: i64, limits: &Limits, stats: &mut Stats) {
        while let Some(p) = self.pending.front() {
            if now_ns.saturating_sub(p.received_ns) <= limits.pending_max_age_ns {
                break;
            }
            self.drop_oldest_pending(stats);
        }
    }

    fn drop_oldest_pending(&mut self, stats: &mut Stats) {
        if let Some(p) = self.pending.pop_front() {
            self.pending_bytes -= p.data.len();
            stats.sets_dropped_no_template += 1;
            stats.bytes_dropped_no_template += p.data.len() as u64;
        }
    }

    /// Decodes one data set with template `id`, or keeps it aside when the
    /// template is not known yet. Returns the records it held (`None`: kept
    /// aside, count unknown).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn data_set_or_keep(
        &mut self,
        id: u16,
        body: &[u8],
        time: TimeBase,
        origin: Origin,
        now_ns: i64,
        limits: &Limits,
        stats: &mut Stats,
        out: &mut dyn FnMut(&FlowRecord),
    ) -> Result<Option<u32>, DecodeError> {
        if self.templates.contains_key(&id) {
            return self.data_set(id, body, time, origin, stats, out).map(Some);
        }
        stats.sets_buffered += 1;
        if body.len() > limits.pending_max_bytes || limits.pending_max_sets == 0 {
            stats.sets_dropped_no_template += 1;
            stats.bytes_dropped_no_template += body.len() as u64;
            return Ok(None);
        }
        while self.pending.len() >= limits.pending_max_sets
            || self.pending_bytes + body.len() > limits.pending_max_bytes
        {
            self.drop_oldest_pending(stats);
        }
        self.pending_bytes += body.len();
        self.pending.push_back(Pending {
            template_id: id,
            received_ns: now_ns,
            time,
            data: body.to_vec(),
        });
        Ok(None)
    }

    /// Decodes every record of a data set whose template is known.
    fn data_set(
        &mut self,
        id: u16,
        body: &[u8],
        time: TimeBase,
        origin: Origin,
        stats: &mut Stats,
        out: &mut dyn FnMut(&FlowRecord),
    ) -> Result<u32, DecodeError> {
        let Some(t) = self.templates.get(&id) else {
            return Ok(0);
        };
        let mut r = Reader::new(body);
        let mut n = 0u32;
        if t.options {
            while r.remaining() >= t.min_len {
                let opt = decode_options(&t.fields, &mut r).ok_or(DecodeError::RecordTruncated)?;
                n += 1;
                stats.options_records += 1;
                if let Some(ms) = opt.sys_init_ms {
                    self.sys_init_ms = Some(ms);
                }
                if let Some(iv) = opt.interval {
                    self.sampling.set(opt.sampler, iv);
                }
            }
            return Ok(n);
        }
        let base = FlowRecord {
            protocol: origin.protocol,
            exporter: Some(origin.exporter),
            domain: origin.domain,
            direction: 255,
            ..FlowRecord::default()
        };
        let ctx = RecordCtx {
            time,
            sys_init_ms: self.sys_init_ms,
            ipfix: origin.protocol == Protocol::Ipfix,
        };
        // One record reused: reset from `base`, filled in place, handed out by reference.
        let mut fr: FlowRecord;
        if let Some(len) = t.fixed_len {
            for rec in body.chunks_exact(len) {
                fr = base;
                let (sampler, own) = decode_flow(&t.fields, &mut Reader::new(rec), &mut fr, ctx)
                    .ok_or(DecodeError::RecordTruncated)?;
                fr.sampling_interval = own.unwrap_or_else(|| self.sampling.lookup(sampler));
                n += 1;
                stats.flow_records += 1;
                out(&fr);
            }
        } else {
            while r.remaining() >= t.min_len {
                fr = base;
                let (sampler, own) = decode_flow(&t.fields, &mut r, &mut fr, ctx)
                    .ok_or(DecodeError::RecordTruncated)?;
                fr.sampling_interval = own.unwrap_or_else(|| self.sampling.lookup(sampler));
                n += 1;
                stats.flow_records += 1;
                out(&fr);
            }
        }
        Ok(n)
    }
}

/// Per-set context for decoding records.
#[derive(Clone, Copy)]
struct RecordCtx {
    time: TimeBase,
    sys_init_ms: Option<u64>,
    ipfix: bool,
}

/// The next field's value bytes (variable-length prefix read for [`VARLEN`]).
#[inline]
fn field_bytes<'a>(r: &mut Reader<'a>, len: u16) -> Option<&'a [u8]> {
    if len == VARLEN {
        let l = match r.u8()? {
            255 => usize::from(r.u16()?),
            l => usize::from(l),
        };
        r.take(l)
    } else {
        r.take(usize::from(len))
    }
}

#[inline]
fn addr(b: &[u8]) -> Option<u128> {
    match b.len() {
        4 => Some(u128::from(u32::from_be_bytes(b.try_into().ok()?))),
        16 => Some(u128::from_be_bytes(b.try_into().ok()?)),
        _ => None,
    }
}

#[inline]
fn mac(b: &[u8]) -> Option<[u8; 6]> {
    b.try_into().ok()
}

const NS: i64 = 1_000_000_000;
/// Seconds from 1900-01-01 (NTP era 0) to 1970-01-01.
const NTP_UNIX_OFFSET: i64 = 2_208_988_800;

/// An NTP-format timestamp (RFC 7011 dateTimeMicroseconds / dateTimeNanoseconds) in Unix ns.
fn ntp_ns(v: u64) -> i64 {
    let secs = (v >> 32) as i64 - NTP_UNIX_OFFSET;
    let frac = ((v & 0xFFFF_FFFF) * 1_000_000_000) >> 32;
    secs.saturating_mul(NS).saturating_add(frac as i64)
}

/// A sysUptime-relative time `at_ms` (NetFlow v5/v9 first/last switched) in
/// Unix ns, given the export time and the uptime at export: export − (uptime −
/// at). A time more than an hour *after* the export cannot be: the 32-bit
/// uptime wrapped between the two, so the time is taken 2^32 ms earlier.
pub(crate) fn uptime_ns(export_ns: i64, uptime_ms: u32, at_ms: u32) -> i64 {
    let mut after = i64::from(at_ms) - i64::from(uptime_ms);
    if after > 3_600_000 {
        after -= 1 << 32;
    }
    export_ns + after * 1_000_000
}

/// Decodes one flow record; also returns the sampler it names and the
/// sampling interval it carries itself.
#[inline]
fn decode_flow(
    fields: &[Field],
    r: &mut Reader<'_>,
    fr: &mut FlowRecord,
    ctx: RecordCtx,
) -> Option<(Option<u64>, Option<u32>)> {
    let (mut octets, mut post_octets, mut total_octets) = (None, None, None);
    let (mut pkts, mut post_pkts, mut total_pkts) = (None, None, None);
    let (mut src_mac, mut post_src_mac, mut dst_mac, mut post_dst_mac) = (None, None, None, None);
    let (mut vlan, mut dot1q, mut post_vlan, mut post_dot1q) = (None, None, None, None);
    let (mut next_hop, mut version) = (None, 0u8);
    let (mut first, mut last) = (None::<u32>, None::<u32>);
    let mut sys_init = ctx.sys_init_ms;
    let mut sampler = None;
    let mut own_interval = None;
    for f in fields {
        let b = field_bytes(r, f.len)?;
        let v = || be_uint(b);
        match f.ie {
            Ie::Skip => {}
            Ie::Octets => octets = v(),
            Ie::Packets => pkts = v(),
            Ie::PostOctets => post_octets = v(),
            Ie::PostPackets => post_pkts = v(),
            Ie::OctetsTotal => total_octets = v(),
            Ie::PacketsTotal => total_pkts = v(),
            Ie::Proto => fr.proto = v().unwrap_or(0) as u8,
            Ie::Tos => fr.tos = v().unwrap_or(0) as u8,
            Ie::TcpFlags => fr.tcp_flags = v().unwrap_or(0) as u16,
            Ie::SrcPort => fr.sport = v().unwrap_or(0) as u16,
            Ie::DstPort => fr.dport = v().unwrap_or(0) as u16,
            // The address length says the version; one IPv6 address makes it 6.
            Ie::SrcV4 | Ie::SrcV6 => {
                if let Some(a) = addr(b) {
                    fr.src = a;
                    version = version.max(if b.len() == 4 { 4 } else { 6 });
                }
            }
            Ie::DstV4 | Ie::DstV6 => {
                if let Some(a) = addr(b) {
                    fr.dst = a;
                    version = version.max(if b.len() == 4 { 4 } else { 6 });
                }
            }
            Ie::SrcMaskV4 | Ie::SrcMaskV6 => fr.src_mask = v().unwrap_or(0) as u8,
            Ie::DstMaskV4 | Ie::DstMaskV6 => fr.dst_mask = v().unwrap_or(0) as u8,
            Ie::InIf => fr.in_if = v().unwrap_or(0) as u32,
            Ie::OutIf => fr.out_if = v().unwrap_or(0) as u32,
            Ie::NextHopV4 | Ie::NextHopV6 => next_hop = addr(b),
            Ie::BgpNextHopV4 | Ie::BgpNextHopV6 => fr.bgp_next_hop = addr(b).unwrap_or(0),
            Ie::SrcAs => fr.src_as = v().unwrap_or(0) as u32,
            Ie::DstAs => fr.dst_as = v().unwrap_or(0) as u32,
            Ie::FirstSwitched => first = v().map(|x| x as u32),
            Ie::LastSwitched => last = v().map(|x| x as u32),
            Ie::SrcMac => src_mac = mac(b),
            Ie::DstMac => dst_mac = mac(b),
            Ie::PostSrcMac => post_src_mac = mac(b),
            Ie::PostDstMac => post_dst_mac = mac(b),
            Ie::Vlan => vlan = v(),
            Ie::Dot1qVlan => dot1q = v(),
            Ie::PostVlan => post_vlan = v(),
            Ie::PostDot1qVlan => post_dot1q = v(),
            Ie::IpVersion => fr.ip_version = v().unwrap_or(0) as u8,
            Ie::Direction => fr.direction = v().unwrap_or(255) as u8,
            Ie::StartSec => fr.start_ns = v().map_or(0, |s| (s as i64).saturating_mul(NS)),
            Ie::EndSec => fr.end_ns = v().map_or(0, |s| (s as i64).saturating_mul(NS)),
            Ie::StartMs => fr.start_ns = v().map_or(0, |s| (s as i64).saturating_mul(1_000_000)),
            Ie::EndMs => fr.end_ns = v().map_or(0, |s| (s as i64).saturating_mul(1_000_000)),
            Ie::StartUs | Ie::StartNs => fr.start_ns = v().map_or(0, ntp_ns),
            Ie::EndUs | Ie::EndNs => fr.end_ns = v().map_or(0, ntp_ns),
            Ie::StartDeltaUs => {
                fr.start_ns = v().map_or(0, |d| {
                    i64::from(ctx.time.export_secs) * NS - (d as u32 as i64) * 1000
                })
            }
            Ie::EndDeltaUs => {
                fr.end_ns = v().map_or(0, |d| {
                    i64::from(ctx.time.export_secs) * NS - (d as u32 as i64) * 1000
                })
            }
            Ie::SysInitMs => sys_init = v().or(sys_init),
            Ie::SamplingInterval | Ie::SamplerRandomInterval => {
                own_interval = v()
                    .filter(|&x| x != 0)
                    .map(|x| x.min(u64::from(u32::MAX)) as u32)
            }
            Ie::SamplerId | Ie::SelectorId => sampler = v(),
            Ie::PacketInterval | Ie::PacketSpace | Ie::SamplingSize | Ie::SamplingPopulation => {}
        }
    }
    fr.bytes = octets.or(post_octets).or(total_octets).unwrap_or(0);
    fr.packets = pkts.or(post_pkts).or(total_pkts).unwrap_or(0);
    fr.src_mac = src_mac.or(post_src_mac).unwrap_or_default();
    fr.dst_mac = dst_mac.or(post_dst_mac).unwrap_or_default();
    fr.vlan = vlan.or(dot1q).unwrap_or(0) as u16;
    fr.post_vlan = post_vlan.or(post_dot1q).unwrap_or(0) as u16;
    fr.next_hop = next_hop.unwrap_or(fr.bgp_next_hop);
    // ipVersion (60) only when no address said it.
    if version != 0 || (fr.ip_version != 4 && fr.ip_version != 6) {
        fr.ip_version = version;
    }
    if ctx.ipfix {
        // flowStart/EndSysUpTime: ms since systemInitTimeMilliseconds.
        if let Some(init) = sys_init {
            let at =
                |ms: u32| (init.saturating_add(u64::from(ms)) as i64).saturating_mul(1_000_000);
            if let Some(f) = first {
                fr.start_ns = at(f);
            }
            if let Some(l) = last {
                fr.end_ns = at(l);
            }
        }
    } else {
        let export_ns = i64::from(ctx.time.export_secs) * NS;
        if let Some(f) = first {
            fr.start_ns = uptime_ns(export_ns, ctx.time.sys_uptime_ms, f);
        }
        if let Some(l) = last {
            fr.end_ns = uptime_ns(export_ns, ctx.time.sys_uptime_ms, l);
        }
    }
    Some((sampler, own_interval))
}

/// What one options data record said.
#[derive(Default)]
struct OptionsRecord {
    sampler: Option<u64>,
    interval: Option<u32>,
    sys_init_ms: Option<u64>,
}

fn decode_options(fields: &[Field], r: &mut Reader<'_>) -> Option<OptionsRecord> {
    let mut o = OptionsRecord::default();
    let (mut interval, mut pi, mut ps, mut size, mut pop) = (None, None, None, None, None);
    for f in fields {
        let b = field_bytes(r, f.len)?;
        if !f.ie.is_option_value() {
            continue;
        }
        let v = be_uint(b);
        match f.ie {
            Ie::SamplingInterval | Ie::SamplerRandomInterval => interval = v,
            Ie::SamplerId | Ie::SelectorId => o.sampler = v,
            Ie::PacketInterval => pi = v,
            Ie::PacketSpace => ps = v,
            Ie::SamplingSize => size = v,
            Ie::SamplingPopulation => pop = v,
            Ie::SysInitMs => o.sys_init_ms = v,
            _ => {}
        }
    }
    // Systematic count-based: `pi` packets taken, then `ps` skipped.
    let counted = match (pi, ps) {
        (Some(i), Some(s)) if i > 0 => Some(i.saturating_add(s) / i),
        _ => None,
    };
    // Random n-out-of-N: `size` of every `pop`.
    let random = match (size, pop) {
        (Some(n), Some(big_n)) if n > 0 => Some(big_n / n),
        _ => None,
    };
    o.interval = interval
        .or(counted)
        .or(random)
        .filter(|&x| x != 0)
        .map(|x| x.min(u64::from(u32::MAX)) as u32);
    Some(o)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{exporter, flows, B};
    use crate::{Decoder, Record};

    fn ipfix(seq: u32, sets: B) -> Vec<u8> {
        B::new()
            .u16(10)
            .u16(16 + sets.len() as u16)
            .u32(1_712_361_600)
            .u32(seq)
            .u32(1)
            .bytes(&sets.0)
            .0
    }

    /// Template 256: one 4-byte octetDeltaCount.
    fn template() -> B {
        B::new().set(2, B::new().u16(256).u16(1).u16(1).u16(4))
    }

    /// A data set of `n` records for template 256.
    fn data(n: u32) -> B {
        B::new().set(256, (0..n).fold(B::new(), |b, i| b.u32(i + 1)))
    }

    #[test]
    fn kept_aside_sets_are_bounded_by_count_and_bytes() {
        let mut dec = Decoder::new(Limits {
            pending_max_sets: 2,
            pending_max_bytes: 40,
            ..Limits::default()
        });
        for i in 0..3 {
            assert_eq!(flows(&mut dec, i, &ipfix(0, data(2))).1, Ok(0));
        }
        let s = dec.stats();
        // The oldest of three went when the third came.
        assert_eq!((s.sets_buffered, s.sets_dropped_no_template), (3, 1));
        assert_eq!(s.bytes_dropped_no_template, 8);
        // A set bigger than the whole budget is dropped at once.
        flows(&mut dec, 3, &ipfix(0, data(11))).1.unwrap();
        assert_eq!(dec.stats().sets_dropped_no_template, 2);
        // Filling the byte budget pushes out the oldest: 8 + 8 + 28 > 40.
        flows(&mut dec, 4, &ipfix(0, data(7))).1.unwrap();
        assert_eq!(dec.stats().sets_dropped_no_template, 3);
        let (recs, r) = flows(&mut dec, 5, &ipfix(0, template()));
        assert_eq!((recs.len(), r), (2 + 7, Ok(9)));
        assert_eq!(dec.stats().records_decoded_late, 9);
    }

    #[test]
    fn full_stream_table_evicts_only_idle_streams() {
        let mut dec = Decoder::new(Limits {
            max_streams: 1,
            stream_idle_ns: 100,
            ..Limits::default()
        });
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        let dg = ipfix(0, template().bytes(&data(1).0));
        assert_eq!(dec.decode(a, 0, &dg, &mut |_| {}), Ok(1));
        assert_eq!(
            dec.decode(b, 50, &dg, &mut |_| {}),
            Err(DecodeError::TooManyStreams)
        );
        // Exporter b's data waits for nothing: refused, counted.
        assert_eq!(dec.stats().error(DecodeError::TooManyStreams), 1);
        // a has been idle 100 ns: b takes its place, a's template goes with it.
        assert_eq!(dec.decode(b, 100, &dg, &mut |_| {}), Ok(1));
        let s = dec.stats();
        assert_eq!(
            (
                s.streams_evicted,
                s.streams_active,
                s.templates_withdrawn,
                s.templates_active
            ),
            (1, 1, 1, 1)
        );
        assert_eq!(dec.templates.template_count(), 1);
    }

    #[test]
    fn unknown_and_short_datagrams() {
        let mut dec = Decoder::new(Limits::default());
        let mut count = |dg: &[u8]| dec.decode(exporter(), 0, dg, &mut |_| {});
        assert_eq!(count(&[0, 7, 0, 0, 0, 0]), Err(DecodeError::UnknownVersion));
        assert_eq!(count(&[0, 0, 0, 4]), Err(DecodeError::UnknownVersion));
        assert_eq!(count(&[0, 10, 0]), Err(DecodeError::TooShort));
        assert_eq!(count(&[]), Err(DecodeError::TooShort));
        assert_eq!(dec.stats().bad_datagrams, 4);
    }

    /// Random bytes after valid headers: never a panic, every refusal
    /// counted, the template gauge equal to what is held.
    #[test]
    fn random_datagrams_keep_the_books_straight() {
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        let mut rnd = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let mut dec = Decoder::new(Limits {
            max_templates_per_stream: 8,
            max_streams: 4,
            ..Limits::default()
        });
        let mut errs = 0;
        for i in 0..20_000 {
            let len = (rnd() % 200) as usize;
            let mut dg: Vec<u8> = (0..len).map(|_| rnd() as u8).collect();
            let head: &[u8] = match i % 4 {
                0 => &[0, 10],
                1 => &[0, 9],
                2 => &[0, 5],
                _ => &[0, 0, 0, 5],
            };
            if dg.len() >= head.len() {
                dg[..head.len()].copy_from_slice(head);
            }
            if i % 4 == 0 && dg.len() >= 4 {
                let l = (dg.len() as u16).to_be_bytes();
                dg[2..4].copy_from_slice(&l);
            }
            // Favour template and small data set ids.
            if dg.len() > 20 {
                dg[16..18].copy_from_slice(&[0, (rnd() % 4) as u8]);
            }
            let src: IpAddr = format!("192.0.2.{}", rnd() % 6).parse().unwrap();
            if dec.decode(src, i, &dg, &mut |_: Record<'_>| {}).is_err() {
                errs += 1;
            }
        }
        let s = dec.stats();
        assert_eq!(s.bad_datagrams, errs);
        assert_eq!(s.templates_active, dec.templates.template_count() as u64);
        assert_eq!(s.datagrams, 20_000);
    }

    fn f(id: u16, len: u16) -> Field {
        Field {
            ie: Ie::from_id(id),
            len,
        }
    }

    #[test]
    fn template_lengths() {
        let t = Template::new(vec![f(8, 4), f(12, 4), f(1, 8)], &[], false).unwrap();
        assert_eq!((t.min_len, t.fixed_len), (16, Some(16)));
        let t = Template::new(vec![f(8, 4), f(82, VARLEN)], &[], false).unwrap();
        assert_eq!((t.min_len, t.fixed_len), (5, None));
        assert!(Template::new(vec![f(8, 0)], &[], false).is_none());
        assert!(Template::new(vec![], &[], false).is_none());
    }

    #[test]
    fn ntp_timestamps() {
        // 2024-04-06T00:00:00Z is Unix 1712361600; NTP seconds add 2208988800.
        let secs = 1_712_361_600u64 + 2_208_988_800;
        assert_eq!(ntp_ns(secs << 32), 1_712_361_600 * NS);
        // Half a second in the fraction.
        assert_eq!(
            ntp_ns((secs << 32) | 0x8000_0000),
            1_712_361_600 * NS + 500_000_000
        );
    }

    #[test]
    fn uptime_relative_times() {
        // Exported at Unix 1000 s with uptime 5 s: uptime 4 s was 1 s earlier.
        assert_eq!(uptime_ns(1000 * NS, 5000, 4000), 999 * NS);
        // A little after the export (clock skew) stays after it.
        assert_eq!(uptime_ns(1000 * NS, 5000, 5250), 1000 * NS + 250_000_000);
        // Uptime wrapped since the flow started: 2^32 - 900 ms was 1 s before uptime 100 ms.
        assert_eq!(uptime_ns(1000 * NS, 100, u32::MAX - 899), 999 * NS);
    }

    #[test]
    fn options_sampling_rates() {
        let run = |fields: &[Field], bytes: &[u8]| {
            decode_options(fields, &mut Reader::new(bytes)).unwrap()
        };
        // softflowd: samplingPacketInterval 1, samplingPacketSpace 9 → 1 in 10.
        let o = run(&[f(305, 4), f(306, 4)], &[0, 0, 0, 1, 0, 0, 0, 9]);
        assert_eq!(o.interval, Some(10));
        // samplingSize 2 of samplingPopulation 100 → 1 in 50.
        let o = run(&[f(309, 4), f(310, 4)], &[0, 0, 0, 2, 0, 0, 0, 100]);
        assert_eq!(o.interval, Some(50));
        // pmacct: FLOW_SAMPLER_ID 1, FLOW_SAMPLER_MODE 2, FLOW_SAMPLER_RANDOM_INTERVAL 4.
        let o = run(&[f(48, 1), f(49, 1), f(50, 4)], &[1, 2, 0, 0, 0, 4]);
        assert_eq!((o.sampler, o.interval), (Some(1), Some(4)));
        // An interval of 0 says nothing.
        let o = run(&[f(34, 4)], &[0, 0, 0, 0]);
        assert_eq!(o.interval, None);
    }

    #[test]
    fn sampler_lookup() {
        let mut s = Sampling::default();
        assert_eq!(s.lookup(None), 0);
        s.set(Some(1), 4);
        // The only sampler stands in for records that name none.
        assert_eq!(s.lookup(None), 4);
        assert_eq!(s.lookup(Some(1)), 4);
        s.set(Some(2), 8);
        assert_eq!(s.lookup(Some(2)), 8);
        assert_eq!(s.lookup(None), 0);
        s.set(None, 100);
        assert_eq!(s.lookup(Some(3)), 100);
        assert_eq!(s.lookup(Some(1)), 4);
    }
}
