//! sFlow v5, NetFlow v5/v9 and IPFIX datagram decoders.
//!
//! [`Decoder::decode`] takes one UDP payload from a flow exporter, tells the
//! protocol from its first bytes, and hands every record to a callback:
//! sampled packet headers ([`PacketSample`], borrowed from the datagram),
//! flow records ([`FlowRecord`], a plain `Copy` struct) and interface
//! counters ([`InterfaceCounters`]). The decoder keeps the state the
//! protocols need across datagrams — NetFlow v9/IPFIX templates per
//! (exporter, domain), data that came before its template (bounded),
//! sampling rates from options data, and sequence numbers per exporter — and
//! counts everything in [`Stats`]: a bad datagram is counted with its reason
//! ([`DecodeError`]), never dropped silently, never a panic.
//!
//! No sockets here: the caller receives datagrams and passes them in.
//!
//! What is decoded:
//!
//! - **sFlow v5**: the datagram header (IPv4/IPv6/unknown agent, sub-agent,
//!   sequence, uptime); flow samples (format 1) and expanded flow samples (3)
//!   with the raw packet header record (1; Ethernet, IPv4 and IPv6 headers get
//!   a pcap LINKTYPE, other header protocols are handed out and counted as
//!   unsupported), extended switch (1001), router (1002) and gateway (1003:
//!   AS path borrowed, communities not read); counter samples (2) and expanded
//!   (4) with generic interface counters (1). Other samples, other records
//!   (sampled IPv4/IPv6, Ethernet counters, enterprise formats) are skipped by
//!   their length and counted. Lost datagrams per (agent, sub-agent).
//! - **NetFlow v5**: every field of the fixed record; the header's sampling
//!   interval; lost records from the flow sequence.
//! - **NetFlow v9** (RFC 3954) and **IPFIX** (RFC 7011): templates and options
//!   templates per (exporter, source id / observation domain), refresh and
//!   replacement, IPFIX withdrawal (one template, or all of a set's kind),
//!   variable-length and enterprise fields skipped by length; data sets that
//!   come before their template are kept (bounded by [`Limits`]) and decoded
//!   when it comes; sampling from options data (v9 SAMPLING_INTERVAL,
//!   FLOW_SAMPLER_ID + FLOW_SAMPLER_RANDOM_INTERVAL; IPFIX samplingInterval,
//!   samplerRandomInterval, samplingPacketInterval/Space, samplingSize/
//!   Population, per samplerId/selectorId) and systemInitTimeMilliseconds;
//!   lost export packets (v9) or data records (IPFIX) from the sequence.
//!   The fields read are those of [`FlowRecord`]; the rest are skipped.
//!   Not handled: IPFIX over SCTP/TCP framing (one message per call is
//!   expected), structured data (RFC 6313) beyond skipping it, NetFlow v1/v7/v8.
//!
//! ```
//! use trombone_flowrec::{Decoder, Limits, Record};
//! let mut dec = Decoder::new(Limits::default());
//! // A NetFlow v5 header announcing one record, and the record.
//! let mut dg = vec![0, 5, 0, 1, 0, 0, 0x03, 0xE8, 0x66, 0x10, 0x90, 0x80, 0, 0, 0, 0];
//! dg.extend_from_slice(&[0, 0, 0, 7, 0, 0, 0, 0]);
//! dg.extend_from_slice(&[10, 0, 0, 1, 10, 0, 0, 2, 0, 0, 0, 0, 0, 1, 0, 2]);
//! dg.extend_from_slice(&[0, 0, 0, 3, 0, 0, 1, 0, 0, 0, 0x03, 0xE8, 0, 0, 0x03, 0xE8]);
//! dg.extend_from_slice(&[0x30, 0x39, 0, 80, 0, 0x12, 6, 0, 0, 0, 0, 0, 24, 24, 0, 0]);
//! let mut bytes = 0;
//! dec.decode("192.0.2.1".parse().unwrap(), 0, &dg, &mut |r| {
//!     if let Record::Flow(f) = r {
//!         bytes += f.bytes;
//!     }
//! })
//! .unwrap();
//! assert_eq!(bytes, 256);
//! assert_eq!(dec.stats().flow_records, 1);
//! ```
#![forbid(unsafe_code)]

mod buf;
mod ipfix;
mod netflow5;
mod netflow9;
mod record;
mod seq;
mod sflow;
mod stats;
mod streams;
mod templates;
#[cfg(test)]
mod testutil;

use std::net::IpAddr;

pub use record::{
    ip_from_u128, sflow_header_linktype, AsPath, FlowRecord, Interface, InterfaceCounters,
    PacketSample, Protocol, Record,
};
pub use stats::{DecodeError, Stats};

/// Bounds on the state the decoder keeps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Most (exporter, domain) streams tracked per protocol family (sFlow
    /// agents, NetFlow v5 engines, v9/IPFIX template streams each).
    pub max_streams: usize,
    /// A full stream table makes room by dropping its least recently seen
    /// stream only if that one has been idle this long (ns); else the newcomer is refused.
    pub stream_idle_ns: i64,
    /// Most templates and options templates per v9/IPFIX stream.
    pub max_templates_per_stream: usize,
    /// Most data sets kept aside per stream while their template is unknown.
    pub pending_max_sets: usize,
    /// Most bytes of such sets per stream.
    pub pending_max_bytes: usize,
    /// Kept-aside sets older than this (ns) are dropped.
    pub pending_max_age_ns: i64,
}

impl Default for Limits {
    /// 4096 streams (idle 1 hour before eviction), 1024 templates per stream,
    /// and per stream up to 256 sets / 1 MiB / 60 s kept for a template.
    fn default() -> Limits {
        Limits {
            max_streams: 4096,
            stream_idle_ns: 3_600_000_000_000,
            max_templates_per_stream: 1024,
            pending_max_sets: 256,
            pending_max_bytes: 1 << 20,
            pending_max_age_ns: 60_000_000_000,
        }
    }
}

/// What one `decode` call produced; the first error is returned, every error counted.
#[derive(Default)]
pub(crate) struct Outcome {
    pub(crate) records: u32,
    pub(crate) first_error: Option<DecodeError>,
}

impl Outcome {
    pub(crate) fn fail(&mut self, stats: &mut Stats, e: DecodeError) {
        stats.count(e);
        self.first_error.get_or_insert(e);
    }
}

/// A stateful decoder for datagrams from any number of exporters.
pub struct Decoder {
    limits: Limits,
    stats: Stats,
    sflow: sflow::SflowState,
    v5: netflow5::V5State,
    templates: templates::TemplateState,
}

impl Decoder {
    /// A decoder with no state yet.
    pub fn new(limits: Limits) -> Decoder {
        Decoder {
            sflow: streams::Bounded::new(limits.max_streams, limits.stream_idle_ns),
            v5: streams::Bounded::new(limits.max_streams, limits.stream_idle_ns),
            templates: templates::TemplateState::new(&limits),
            stats: Stats::default(),
            limits,
        }
    }

    /// Decodes one datagram (a UDP payload) sent by `exporter` and received
    /// at `now_ns` (Unix ns; used only to age state), handing each record to
    /// `out`. Records of earlier datagrams that waited for a template arriving
    /// in this one are handed out too. Returns the number of records handed
    /// out, or the first error met (records before it were still handed out;
    /// every error is counted in [`Stats::errors`]).
    pub fn decode<'a>(
        &mut self,
        exporter: IpAddr,
        now_ns: i64,
        datagram: &'a [u8],
        out: &mut impl FnMut(Record<'a>),
    ) -> Result<u32, DecodeError> {
        let stats = &mut self.stats;
        stats.datagrams += 1;
        stats.bytes += datagram.len() as u64;
        let mut oc = Outcome::default();
        let mut flows = 0u32;
        let mut flow_out = |fr: &FlowRecord| {
            flows += 1;
            out(Record::Flow(*fr));
        };
        let version = datagram
            .get(..4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]));
        match version {
            Some(5) => {
                stats.sflow_datagrams += 1;
                sflow::decode(
                    datagram,
                    now_ns,
                    &mut self.sflow,
                    stats,
                    &mut oc,
                    &mut |r| out(r),
                );
            }
            Some(v) if v >> 16 == 5 => {
                stats.v5_datagrams += 1;
                netflow5::decode(
                    datagram,
                    exporter,
                    now_ns,
                    &mut self.v5,
                    stats,
                    &mut oc,
                    &mut flow_out,
                );
            }
            Some(v) if v >> 16 == 9 => {
                stats.v9_datagrams += 1;
                netflow9::decode(
                    datagram,
                    exporter,
                    now_ns,
                    &mut self.templates,
                    &self.limits,
                    stats,
                    &mut oc,
                    &mut flow_out,
                );
            }
            Some(v) if v >> 16 == 10 => {
                stats.ipfix_datagrams += 1;
                ipfix::decode(
                    datagram,
                    exporter,
                    now_ns,
                    &mut self.templates,
                    &self.limits,
                    stats,
                    &mut oc,
                    &mut flow_out,
                );
            }
            Some(_) => oc.fail(stats, DecodeError::UnknownVersion),
            None => oc.fail(stats, DecodeError::TooShort),
        }
        let records = oc.records + flows;
        match oc.first_error {
            Some(e) => {
                stats.bad_datagrams += 1;
                Err(e)
            }
            None => Ok(records),
        }
    }

    /// Everything counted so far.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// The limits it was made with.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }
}
