//! The report model: what every output format renders (the JSON contract).

use serde::Serialize;
use std::collections::BTreeMap;
use trombone_asdb::{Country, DbSource};

/// Version of the JSON contract; bumped on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

/// Frame and packet counts over the whole run.
///
/// Invariant: `frames = ip_packets + non_ip_frames + malformed_frames + unsupported_frames`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
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
    /// Distinct flows (flow records handed to the reducer).
    pub flows: u64,
}

impl Totals {
    /// Adds another set of counts to this one.
    pub fn add(&mut self, o: &Totals) {
        self.frames += o.frames;
        self.ip_packets += o.ip_packets;
        self.ip_bytes += o.ip_bytes;
        self.wire_bytes += o.wire_bytes;
        self.non_ip_frames += o.non_ip_frames;
        self.malformed_frames += o.malformed_frames;
        self.unsupported_frames += o.unsupported_frames;
        self.flows += o.flows;
    }
}

/// One cell of the AS×AS matrix: traffic from one (ASN, country) to another.
///
/// An AS whose address space spans countries appears in one row per country.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AsCell {
    /// Source ASN (0 = unknown).
    pub src_asn: u32,
    /// Destination ASN (0 = unknown).
    pub dst_asn: u32,
    /// Source country (null = unknown).
    pub src_country: Option<Country>,
    /// Destination country (null = unknown).
    pub dst_country: Option<Country>,
    /// IP packets.
    pub packets: u64,
    /// L3 bytes.
    pub bytes: u64,
    /// Flows.
    pub flows: u64,
}

/// One cell of the country×country matrix.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CountryCell {
    /// Source country (null = unknown).
    pub src_country: Option<Country>,
    /// Destination country (null = unknown).
    pub dst_country: Option<Country>,
    /// IP packets.
    pub packets: u64,
    /// L3 bytes.
    pub bytes: u64,
    /// Flows.
    pub flows: u64,
}

/// What was read from one input and how reading ended.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct InputSummary {
    /// Path as given ("-" for stdin).
    pub file: String,
    /// Container format detected ("pcap", "pcap-ns", "pcapng"...), null if unreadable.
    pub format: Option<String>,
    /// Frames read from this input.
    pub frames: u64,
    /// Frames per LINKTYPE number.
    pub linktypes: BTreeMap<u32, u64>,
    /// The error that stopped reading, with file and byte offset; null if read to the end.
    pub error: Option<String>,
}

/// The name and version of the program that wrote a report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ToolInfo {
    /// Always "trombone".
    pub name: String,
    /// Crate version.
    pub version: String,
}

/// First and last capture timestamps seen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct TimeSpan {
    /// Earliest packet timestamp, ns since the Unix epoch (null if no packet).
    pub first_ns: Option<i64>,
    /// Latest packet timestamp, ns since the Unix epoch (null if no packet).
    pub last_ns: Option<i64>,
    /// `last - first` in seconds.
    pub duration_s: f64,
}

/// The result of one run: the contract rendered as JSON, CSV and tables.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    /// Version of this contract.
    pub schema_version: u32,
    /// Program that wrote it.
    pub tool: ToolInfo,
    /// The IP→ASN/country database used.
    pub asn_db: DbSource,
    /// True when some input could not be read to its end: the figures cover what was read.
    pub partial: bool,
    /// Each input and how reading it ended.
    pub inputs: Vec<InputSummary>,
    /// Time covered by the packets.
    pub time: TimeSpan,
    /// Overall counts.
    pub totals: Totals,
    /// AS×AS matrix, by bytes descending.
    pub as_matrix: Vec<AsCell>,
    /// Country×country matrix, by bytes descending.
    pub country_matrix: Vec<CountryCell>,
    /// Names of the ASNs in the matrix, from the database.
    pub as_names: BTreeMap<u32, String>,
}
