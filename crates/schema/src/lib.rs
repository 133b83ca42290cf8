//! trombone's result contract, defined once.
//!
//! Every result trombone writes — `analyze`, `capture`, rotated pieces, `merge` — is a
//! [`Report`] serialised as JSON. These types are the only definition of that contract:
//! the reducer builds them, the outputs (table, JSON, CSV, HTML, Parquet) and the merge read
//! them, and [`json_schema`] generates the JSON Schema committed beside this crate
//! (`trombone-result.schema.json`, checked for drift by a test) so that other programs can
//! validate results.
//!
//! # Versioning
//! `schema_version` is bumped on any incompatible change (a field removed, renamed or
//! given another meaning or unit). Within a version, fields are only ever added, and
//! every field added after a version began is optional when read (it has a default), so
//! a reader of version N reads every result of version N. Readers accept every version
//! back to [`OLDEST_READABLE`]: version 1 results lack the mergeable sections and read
//! with those empty.

mod capture;
mod country;
mod evidence;
mod hairpin;
pub mod hist;
mod matrix;
pub mod plan;
mod series;
mod sizing;
mod sources;

pub use capture::{CaptureHealth, QueueHealth};
pub use country::{BadCountry, Country};
pub use evidence::{
    BgpEvidence, BgpPath, CountryPairEvidence, Evidence, IxpRef, LatencyHeadline, PairEvidence,
    Rtt, Ti, TiMethod,
};
pub use hairpin::{
    HairpinLink, HairpinPair, HairpinReport, HairpinTotals, Handshake, Hops, LocalPair,
    MatcherReport, Quantiles, Via,
};
pub use matrix::{AsCell, CountryCell};
pub use plan::{plan_json_schema, Plan, PlanResult, PLAN_VERSION};
pub use series::{PeakRule, SampleRec, SeriesKind, SeriesRow, SeriesSet};
pub use sizing::{
    LinkRate, NetworkRate, PacketSizes, PairRate, PortPlan, Rate, SizeBucket, SizeMix,
    SizingReport, UnknownNetwork, WhatIf,
};
pub use sources::{
    CollectorReport, InterfaceRate, IxpReport, MacBytes, MacLearning, MemberCell, MemberPort,
    Unattributed,
};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Version of the contract written by this build.
pub const SCHEMA_VERSION: u32 = 2;

/// Oldest contract version this build still reads.
pub const OLDEST_READABLE: u32 = 1;

/// The result of one run, one rotated interval, or a merge of several.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Report {
    /// Version of this contract.
    pub schema_version: u32,
    /// Program that wrote it.
    pub tool: ToolInfo,
    /// The vantage point (`--site`), if named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    /// The epoch-aligned interval this result covers when it is a rotated piece (`--rotate`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<Interval>,
    /// Present when this result is a merge of several results (`trombone merge`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged: Option<MergeInfo>,
    /// The IP→ASN/country database used.
    pub asn_db: AsnDb,
    /// True when some input could not be read to its end (or a live capture lost frames):
    /// the figures cover what was read.
    pub partial: bool,
    /// Each input and how reading it ended.
    pub inputs: Vec<InputSummary>,
    /// Time covered by the packets that carried a usable timestamp.
    pub time: TimeSpan,
    /// Overall counts.
    pub totals: Totals,
    /// AS×AS matrix, by bytes descending.
    pub as_matrix: Vec<AsCell>,
    /// Country×country matrix, by bytes descending.
    pub country_matrix: Vec<CountryCell>,
    /// Rates, percentiles and port sizing (derived from `series`).
    #[serde(default)]
    pub sizing: Option<SizingReport>,
    /// Traffic per sample interval of every pair, network and link: what an exact merge
    /// of rates needs (absent in version 1 results).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub series: Option<SeriesSet>,
    /// The sources sending most bytes, only when asked for (`--top-talkers`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_talkers: Option<TopTalkers>,
    /// Hairpin verdict, when a home country was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hairpin: Option<HairpinReport>,
    /// Handshake RTTs, the latency local exchange would save, the Tromboning Index, BGP
    /// paths and common IXPs (with hairpin analysis).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Evidence>,
    /// Health of a live capture (absent for files).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capture: Option<CaptureHealth>,
    /// Flow-export sources (sFlow, NetFlow, IPFIX: `analyze --decode`, `trombone
    /// collect`): their health, renormalisation and interface counters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collector: Option<CollectorReport>,
    /// The IXP peering-LAN vantage (`--ixp-members`): member × member matrix and member
    /// ports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ixp: Option<IxpReport>,
    /// Things a reader must know to read the figures right (no usable timestamps,
    /// a zone that matched nothing, a capture too short for a 5-minute p95...).
    #[serde(default)]
    pub warnings: Vec<Warning>,
    /// Names of the ASNs in the result, from the database.
    #[serde(default)]
    pub as_names: BTreeMap<u32, String>,
}

/// The name and version of the program that wrote a result, and how it was run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ToolInfo {
    /// Always "trombone".
    pub name: String,
    /// Crate version.
    pub version: String,
    /// The command line, as given (program name first).
    #[serde(default)]
    pub command: Vec<String>,
}

impl ToolInfo {
    /// This build, run with `command`.
    pub fn this(command: Vec<String>) -> ToolInfo {
        ToolInfo {
            name: "trombone".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            command,
        }
    }
}

/// Where the IP→ASN/country data came from: what a merge checks before combining results.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct AsnDb {
    /// Human-readable description of the sources.
    pub source: String,
    /// Data date `YYYY-MM-DD` (the oldest dated routing source), if known.
    #[serde(default)]
    pub date: Option<String>,
    /// A digest of the loaded data (hex): two results made with the same data carry the
    /// same digest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
}

/// An epoch-aligned interval of capture time, `[start_ns, end_ns)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Interval {
    /// Start, ns since the Unix epoch (a multiple of the rotation period).
    pub start_ns: i64,
    /// End (exclusive), ns since the Unix epoch.
    pub end_ns: i64,
}

/// How a merged result was made.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct MergeInfo {
    /// Results combined.
    pub results: u64,
    /// Distinct sites among them (unnamed sites count as one, "").
    pub sites: Vec<String>,
    /// True when results made with different databases or zones were combined (`--allow-mixed`).
    pub mixed: bool,
    /// What the merge could not do exactly (e.g. de-duplicate traffic seen at two sites).
    pub notes: Vec<String>,
}

/// What was read from one input and how reading ended.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct InputSummary {
    /// Path as given ("-" for stdin).
    pub file: String,
    /// Container format detected ("pcap", "pcap-ns", "pcapng"...), null if unreadable.
    #[serde(default)]
    pub format: Option<String>,
    /// Frames read from this input.
    pub frames: u64,
    /// Frames per LINKTYPE number.
    #[serde(default)]
    pub linktypes: BTreeMap<u32, u64>,
    /// The error that stopped reading, with file and byte offset; null if read to the end.
    #[serde(default)]
    pub error: Option<String>,
}

/// First and last usable capture timestamps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TimeSpan {
    /// Earliest timestamp, ns since the Unix epoch (null if no packet had a usable one).
    #[serde(default)]
    pub first_ns: Option<i64>,
    /// Latest timestamp, ns since the Unix epoch.
    #[serde(default)]
    pub last_ns: Option<i64>,
    /// `last - first` in seconds.
    pub duration_s: f64,
}

impl TimeSpan {
    /// The span from `first` to `last` (ns), or the empty span.
    pub fn of(t: Option<(i64, i64)>) -> TimeSpan {
        match t {
            Some((f, l)) => TimeSpan {
                first_ns: Some(f),
                last_ns: Some(l),
                duration_s: (l - f) as f64 / 1e9,
            },
            None => TimeSpan::default(),
        }
    }
}

/// Frame and packet counts.
///
/// Invariant: `frames = ip_packets + non_ip_frames + malformed_frames + unsupported_frames`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Totals {
    /// Frames read from the sources.
    pub frames: u64,
    /// Frames that carried a parseable IP header (counted in the matrices).
    pub ip_packets: u64,
    /// L3 bytes of those packets, from their IP headers.
    pub ip_bytes: u64,
    /// Wire (frame) bytes of those packets.
    pub wire_bytes: u64,
    /// Frames whose link layer decoded but carried no IP (ARP, LLDP...).
    pub non_ip_frames: u64,
    /// Frames too short or inconsistent to decode.
    pub malformed_frames: u64,
    /// Frames of a link type trombone does not decode.
    pub unsupported_frames: u64,
    /// Flows: distinct (VLAN, addresses, protocol, ports) keys, plus one for each time an
    /// evicted or timed-out flow was seen again.
    pub flows: u64,
    /// Flows evicted from a full flow table (their traffic stays in every figure).
    #[serde(default)]
    pub evicted_flows: u64,
    /// Flows ended by the idle or active timeout.
    #[serde(default)]
    pub expired_flows: u64,
    /// IP packets without a usable timestamp (pcapng Simple Packet Blocks, zero, before
    /// 1990): in the matrices, not in time spans, rates, detours or handshakes.
    #[serde(default)]
    pub untimed_frames: u64,
    /// IP packets whose timestamp lay far outside the capture's flow of time (more than
    /// the reorder tolerance backwards, or an isolated jump forward): treated as untimed.
    #[serde(default)]
    pub time_outliers: u64,
    /// IP packets that arrived after their sample interval had been closed (inputs out of
    /// time order): in every count; a sample's busiest bin may then be understated.
    #[serde(default)]
    pub late_packets: u64,
    /// Bytes of tunnel headers removed from decapsulated mirrored frames (ERSPAN, GRE,
    /// VXLAN...): the mirror's own overhead, not counted in `ip_bytes`.
    #[serde(default)]
    pub encap_bytes: u64,
    /// IP packets that arrived inside a tunnel and were decapsulated.
    #[serde(default)]
    pub decapsulated_packets: u64,
}

impl Totals {
    /// Adds another set of counts to this one (saturating: a corrupt result cannot
    /// wrap a sum around).
    pub fn add(&mut self, o: &Totals) {
        self.frames = self.frames.saturating_add(o.frames);
        self.ip_packets = self.ip_packets.saturating_add(o.ip_packets);
        self.ip_bytes = self.ip_bytes.saturating_add(o.ip_bytes);
        self.wire_bytes = self.wire_bytes.saturating_add(o.wire_bytes);
        self.non_ip_frames = self.non_ip_frames.saturating_add(o.non_ip_frames);
        self.malformed_frames = self.malformed_frames.saturating_add(o.malformed_frames);
        self.unsupported_frames = self.unsupported_frames.saturating_add(o.unsupported_frames);
        self.flows = self.flows.saturating_add(o.flows);
        self.evicted_flows = self.evicted_flows.saturating_add(o.evicted_flows);
        self.expired_flows = self.expired_flows.saturating_add(o.expired_flows);
        self.untimed_frames = self.untimed_frames.saturating_add(o.untimed_frames);
        self.time_outliers = self.time_outliers.saturating_add(o.time_outliers);
        self.late_packets = self.late_packets.saturating_add(o.late_packets);
        self.encap_bytes = self.encap_bytes.saturating_add(o.encap_bytes);
        self.decapsulated_packets = self
            .decapsulated_packets
            .saturating_add(o.decapsulated_packets);
    }
}

/// Something a reader must know to read the figures right.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Warning {
    /// Stable machine-readable code, e.g. `untimed_frames`, `zone_matched_nothing`.
    pub code: String,
    /// One sentence for people.
    pub message: String,
}

impl Warning {
    /// A warning with `code` and `message`.
    pub fn new(code: &str, message: impl Into<String>) -> Warning {
        Warning {
            code: code.into(),
            message: message.into(),
        }
    }
}

/// The sources sending most bytes: the only output that carries addresses.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TopTalkers {
    /// True when the addresses were anonymised with Crypto-PAn (`--anonymize`).
    pub anonymized: bool,
    /// What the figures cover: flows still in the tables at the end (evicted or timed-out
    /// flows are not in them; see `totals.evicted_flows`).
    pub basis: String,
    /// By bytes, descending.
    pub rows: Vec<TalkerRow>,
}

/// One source address.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TalkerRow {
    /// The address (anonymised when `anonymized`).
    pub address: String,
    /// Its ASN.
    pub asn: u32,
    /// Its country.
    pub country: Option<Country>,
    /// Packets sent.
    pub packets: u64,
    /// L3 bytes sent.
    pub bytes: u64,
    /// Flows.
    pub flows: u64,
}

/// The JSON Schema (draft 2020-12) of [`Report`], pretty-printed.
pub fn json_schema() -> String {
    let s = schemars::schema_for!(Report);
    let mut out = serde_json::to_string_pretty(&s).expect("a schema serialises");
    out.push('\n');
    out
}

impl Report {
    /// Reads a result from JSON, refusing versions this build cannot read.
    pub fn from_json(text: &str) -> Result<Report, String> {
        #[derive(Deserialize)]
        struct Version {
            schema_version: Option<u32>,
        }
        let v: Version = serde_json::from_str(text).map_err(|e| e.to_string())?;
        match v.schema_version {
            None => return Err("not a trombone result: no schema_version".into()),
            Some(n) if !(OLDEST_READABLE..=SCHEMA_VERSION).contains(&n) => {
                return Err(format!(
                    "schema_version {n} is not readable by this build (it reads {OLDEST_READABLE} to {SCHEMA_VERSION})"
                ))
            }
            Some(_) => {}
        }
        serde_json::from_str(text).map_err(|e| e.to_string())
    }
}
