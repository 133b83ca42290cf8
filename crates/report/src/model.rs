//! The JSON contract of `trombone analyze --format json` (schema_version 1), as read back.
//!
//! Fields the report does not use are ignored; sections added after schema 1 began
//! (`hairpin`, `sizing`) are optional so older results still render.

use serde::Deserialize;
use std::collections::BTreeMap;

/// The schema version this crate reads.
pub const SUPPORTED_SCHEMA: u32 = 1;

/// One analysis result (the whole JSON document).
#[derive(Clone, Debug, Deserialize)]
pub struct AnalysisResult {
    /// Version of the contract.
    pub schema_version: u32,
    /// The program that wrote it.
    pub tool: Tool,
    /// The IP→ASN/country database used.
    pub asn_db: AsnDb,
    /// True when some input could not be read to its end.
    pub partial: bool,
    /// Each capture input and how reading ended.
    pub inputs: Vec<Input>,
    /// Time covered by the packets.
    pub time: TimeSpan,
    /// Overall counts.
    pub totals: Totals,
    /// AS×AS matrix of all traffic.
    #[serde(default)]
    pub as_matrix: Vec<AsCell>,
    /// Country×country matrix of all traffic.
    #[serde(default)]
    pub country_matrix: Vec<CountryCell>,
    /// AS names by ASN (JSON object keys are decimal ASN strings).
    #[serde(default)]
    pub as_names: BTreeMap<String, String>,
    /// Hairpin section (present when analyze ran with --home).
    #[serde(default)]
    pub hairpin: Option<Hairpin>,
    /// Rates, percentiles and what-if peering.
    #[serde(default)]
    pub sizing: Option<Sizing>,
}

/// Name and version of the writer.
#[derive(Clone, Debug, Deserialize)]
pub struct Tool {
    /// Program name.
    pub name: String,
    /// Program version.
    pub version: String,
}

/// Where the ASN data came from.
#[derive(Clone, Debug, Deserialize)]
pub struct AsnDb {
    /// Description of the sources.
    pub source: String,
    /// Data date, if known.
    #[serde(default)]
    pub date: Option<String>,
}

/// One capture input.
#[derive(Clone, Debug, Deserialize)]
pub struct Input {
    /// Path as given to analyze.
    pub file: String,
    /// Container format, null if unreadable.
    #[serde(default)]
    pub format: Option<String>,
    /// Frames read.
    pub frames: u64,
    /// Frames per LINKTYPE number.
    #[serde(default)]
    pub linktypes: BTreeMap<String, u64>,
    /// Error that stopped reading, null if read to the end.
    #[serde(default)]
    pub error: Option<String>,
}

/// Capture time span.
#[derive(Clone, Copy, Debug, Deserialize)]
pub struct TimeSpan {
    /// First packet, ns since the Unix epoch.
    #[serde(default)]
    pub first_ns: Option<i64>,
    /// Last packet, ns since the Unix epoch.
    #[serde(default)]
    pub last_ns: Option<i64>,
    /// Duration in seconds.
    pub duration_s: f64,
}

/// Overall frame and packet counts.
#[derive(Clone, Copy, Debug, Default, Deserialize)]
pub struct Totals {
    /// Frames read.
    pub frames: u64,
    /// Frames with an IP packet.
    pub ip_packets: u64,
    /// Their L3 bytes.
    pub ip_bytes: u64,
    /// Their wire bytes.
    pub wire_bytes: u64,
    /// Frames without IP.
    pub non_ip_frames: u64,
    /// Frames too short or inconsistent to decode.
    pub malformed_frames: u64,
    /// Frames of an undecoded link type.
    pub unsupported_frames: u64,
    /// Distinct flows.
    pub flows: u64,
}

/// One AS×AS cell.
#[derive(Clone, Debug, Deserialize)]
pub struct AsCell {
    /// Source ASN (0 = unknown).
    pub src_asn: u32,
    /// Destination ASN.
    pub dst_asn: u32,
    /// Source country.
    #[serde(default)]
    pub src_country: Option<String>,
    /// Destination country.
    #[serde(default)]
    pub dst_country: Option<String>,
    /// Packets.
    pub packets: u64,
    /// L3 bytes.
    pub bytes: u64,
    /// Flows.
    pub flows: u64,
}

/// One country×country cell.
#[derive(Clone, Debug, Deserialize)]
pub struct CountryCell {
    /// Source country (null = unknown).
    #[serde(default)]
    pub src_country: Option<String>,
    /// Destination country.
    #[serde(default)]
    pub dst_country: Option<String>,
    /// Packets.
    pub packets: u64,
    /// L3 bytes.
    pub bytes: u64,
    /// Flows.
    pub flows: u64,
}

/// The hairpin verdict.
#[derive(Clone, Debug, Deserialize)]
pub struct Hairpin {
    /// Country under audit.
    pub home: String,
    /// Countries counted as local.
    pub zone: Vec<String>,
    /// Replica window, ms.
    pub window_ms: f64,
    /// Domestic RTT floor, ms.
    pub domestic_floor_ms: f64,
    /// In-zone distance behind the floor, km.
    pub max_zone_km: f64,
    /// Configured links.
    #[serde(default)]
    pub links: Vec<Link>,
    /// Overall hairpin figures.
    pub totals: HairpinTotals,
    /// Replica matcher housekeeping.
    pub matcher: Matcher,
    /// AS pairs with hairpin traffic.
    #[serde(default)]
    pub pairs: Vec<HairpinPair>,
}

/// A configured link of the vantage.
#[derive(Clone, Debug, Deserialize)]
pub struct Link {
    /// Link name.
    pub name: String,
    /// Neighbour ASN.
    pub asn: u32,
    /// Neighbour country.
    #[serde(default)]
    pub country: Option<String>,
    /// VLAN, if any.
    #[serde(default)]
    pub vlan: Option<u32>,
    /// True when the neighbour is outside the zone.
    pub abroad: bool,
}

/// Overall hairpin figures.
#[derive(Clone, Copy, Debug, Default, Deserialize)]
pub struct HairpinTotals {
    /// Unique hairpinned packets.
    pub packets: u64,
    /// Their L3 bytes.
    pub bytes: u64,
    /// Sightings, replicas included.
    pub observations: u64,
    /// Sightings matched as replicas.
    pub reobserved_packets: u64,
    /// Unique local packets.
    pub local_packets: u64,
    /// Their L3 bytes.
    pub local_bytes: u64,
    /// bytes / local_bytes.
    pub share_of_local_bytes: f64,
}

/// Replica matcher housekeeping.
#[derive(Clone, Copy, Debug, Default, Deserialize)]
pub struct Matcher {
    /// Pending sightings pushed out by a fourth sighting of the same packet within the window.
    pub slot_overflows: u64,
    /// Pending sightings pushed out inside the window because the matcher was at its cap.
    pub dropped_fresh: u64,
    /// Hairpin sightings on no identified link.
    pub unidentified_link: u64,
}

/// Hairpin figures of one AS pair.
#[derive(Clone, Debug, Deserialize)]
pub struct HairpinPair {
    /// Source ASN.
    pub src_asn: u32,
    /// Destination ASN.
    pub dst_asn: u32,
    /// Source country.
    #[serde(default)]
    pub src_country: Option<String>,
    /// Destination country.
    #[serde(default)]
    pub dst_country: Option<String>,
    /// Unique hairpinned packets.
    pub packets: u64,
    /// Their L3 bytes.
    pub bytes: u64,
    /// Sightings, replicas included.
    pub observations: u64,
    /// Sightings matched as replicas.
    pub reobserved_packets: u64,
    /// Unique local bytes of the pair.
    pub local_bytes: u64,
    /// Detour time quantiles, ms.
    #[serde(default)]
    pub detour_ms: Option<Quantiles>,
    /// Median hops abroad.
    #[serde(default)]
    pub hops_abroad: Option<Hops>,
    /// Handshake RTT evidence.
    #[serde(default)]
    pub handshake_rtt_ms: Option<Handshake>,
    /// Via links.
    #[serde(default)]
    pub via: Vec<Via>,
}

/// Quantiles in ms.
#[derive(Clone, Copy, Debug, Deserialize)]
pub struct Quantiles {
    /// Samples behind them.
    pub samples: u64,
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
}

/// Median hop difference.
#[derive(Clone, Copy, Debug, Deserialize)]
pub struct Hops {
    /// Samples.
    pub samples: u64,
    /// Median.
    pub p50: f64,
}

/// Handshake RTT evidence.
#[derive(Clone, Copy, Debug, Deserialize)]
pub struct Handshake {
    /// Handshakes timed.
    pub samples: u64,
    /// Fastest, ms.
    pub min: f64,
    /// Median, ms.
    pub p50: f64,
    /// True when even the fastest exceeded the domestic floor.
    pub exceeds_domestic_floor: bool,
}

/// Hairpin traffic of a pair through one link.
#[derive(Clone, Debug, Deserialize)]
pub struct Via {
    /// Link name (null: no link identified).
    #[serde(default)]
    pub link: Option<String>,
    /// Neighbour ASN (0 = unknown).
    pub asn: u32,
    /// Neighbour country.
    #[serde(default)]
    pub country: Option<String>,
    /// Neighbour AS name.
    #[serde(default)]
    pub name: Option<String>,
    /// Unique packets.
    pub packets: u64,
    /// Their L3 bytes.
    pub bytes: u64,
}

/// Traffic rates over time, percentiles and what-if peering.
#[derive(Clone, Debug, Deserialize)]
pub struct Sizing {
    /// Bin width, s.
    pub bin_s: f64,
    /// Sampling interval, s.
    pub sample_s: f64,
    /// Target port utilisation at p95 (0..1).
    pub port_target: f64,
    /// Growth factor applied before choosing a port.
    pub growth: f64,
    /// Transit price, USD per Mbps per month.
    pub transit_price_usd_per_mbps_month: f64,
    /// Port speeds considered, Gb/s.
    #[serde(default)]
    pub port_speeds_gbps: Vec<f64>,
    /// Start of the first bin, ns since the Unix epoch.
    #[serde(default)]
    pub first_bin_ns: Option<i64>,
    /// Number of bins.
    pub bins: u64,
    /// Number of sample intervals the span touches (the first and last may be partial).
    pub samples: u64,
    /// Packets left out of the series (timestamps far from the rest); they are in the matrices.
    #[serde(default)]
    pub unbinned_packets: u64,
    /// L3 sizes of all IP packets.
    #[serde(default)]
    pub packet_size: Option<PacketSize>,
    /// Top networks by bytes.
    #[serde(default)]
    pub networks: Vec<NetworkRates>,
    /// Top AS pairs by bytes.
    #[serde(default)]
    pub pairs: Vec<PairRates>,
    /// Per-link rates (only with a links file).
    #[serde(default)]
    pub links: Vec<LinkRates>,
    /// What-if local peering.
    #[serde(default)]
    pub what_if: Option<WhatIf>,
}

/// Rates of one network, in and out.
#[derive(Clone, Debug, Deserialize)]
pub struct NetworkRates {
    /// ASN.
    pub asn: u32,
    /// Country.
    #[serde(default)]
    pub country: Option<String>,
    /// AS name.
    #[serde(default)]
    pub name: Option<String>,
    /// Traffic into the network.
    #[serde(rename = "in")]
    pub in_: Rate,
    /// Traffic out of the network.
    pub out: Rate,
    /// Packets per size range, sent and received.
    #[serde(default)]
    pub packet_sizes: Option<SizeMix>,
}

/// Packet-size distribution, L3 bytes.
#[derive(Clone, Copy, Debug, Deserialize)]
pub struct PacketSize {
    /// Packets measured.
    pub samples: u64,
    /// Mean.
    pub mean: f64,
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Largest.
    #[serde(default)]
    pub max: Option<f64>,
}

/// Packets per size range and the mean size.
#[derive(Clone, Debug, Deserialize)]
pub struct SizeMix {
    /// Packets.
    pub packets: u64,
    /// Mean L3 size, bytes.
    pub mean: f64,
    /// Packets per range, smallest first.
    #[serde(default)]
    pub buckets: Vec<SizeBucket>,
}

/// One packet-size range.
#[derive(Clone, Debug, Deserialize)]
pub struct SizeBucket {
    /// "65-127" (L3 bytes, inclusive), "1500+".
    pub range: String,
    /// Packets in it.
    pub packets: u64,
}

/// Rate of one AS pair.
#[derive(Clone, Debug, Deserialize)]
pub struct PairRates {
    /// Source ASN.
    pub src_asn: u32,
    /// Destination ASN.
    pub dst_asn: u32,
    /// Source country.
    #[serde(default)]
    pub src_country: Option<String>,
    /// Destination country.
    #[serde(default)]
    pub dst_country: Option<String>,
    /// The pair's rate.
    pub rate: Rate,
}

/// Rates of one configured link.
#[derive(Clone, Debug, Deserialize)]
pub struct LinkRates {
    /// Link name.
    pub name: String,
    /// Neighbour ASN.
    pub asn: u32,
    /// Neighbour country.
    #[serde(default)]
    pub country: Option<String>,
    /// Traffic in from the neighbour.
    #[serde(rename = "in")]
    pub in_: Rate,
    /// Traffic out to the neighbour.
    pub out: Rate,
    /// Traffic whose direction could not be told (absent when there is none).
    #[serde(default)]
    pub unknown_direction: Option<Rate>,
}

/// A rate time series with its summary statistics.
#[derive(Clone, Debug, Deserialize)]
pub struct Rate {
    /// L3 bytes.
    pub bytes: u64,
    /// Packets.
    pub packets: u64,
    /// Average over the capture, Mb/s.
    pub avg_mbps: f64,
    /// Highest sample, Mb/s.
    pub max_mbps: f64,
    /// p90 of the samples, Mb/s.
    pub p90_mbps: f64,
    /// p95 of the samples, Mb/s.
    pub p95_mbps: f64,
    /// Busiest bin, Mb/s.
    pub peak_bin_mbps: f64,
    /// Average packets per second.
    #[serde(default)]
    pub avg_pps: f64,
    /// p95 packets per second.
    #[serde(default)]
    pub p95_pps: f64,
    /// Busiest bin, packets per second.
    #[serde(default)]
    pub peak_bin_pps: f64,
    /// Samples the percentiles rest on.
    pub samples: u64,
    /// One value per `series_step_s` seconds, Mb/s.
    #[serde(default)]
    pub series_mbps: Vec<f64>,
    /// Seconds per series value (the bin width unless downsampled).
    #[serde(default)]
    pub series_step_s: Option<f64>,
}

/// What-if local peering.
#[derive(Clone, Debug, Deserialize)]
pub struct WhatIf {
    /// ASNs considered.
    #[serde(default)]
    pub asns: Vec<u32>,
    /// Per-ASN port recommendations.
    #[serde(default)]
    pub ports: Vec<PortRecommendation>,
    /// Sum of transit saved, USD per month.
    pub total_transit_saved_usd_per_month: f64,
}

/// The IXP port one ASN would need.
#[derive(Clone, Debug, Deserialize)]
pub struct PortRecommendation {
    /// ASN.
    pub asn: u32,
    /// Country.
    #[serde(default)]
    pub country: Option<String>,
    /// AS name.
    #[serde(default)]
    pub name: Option<String>,
    /// Hairpin traffic into the ASN.
    pub hairpin_in: Rate,
    /// Hairpin traffic out of the ASN.
    pub hairpin_out: Rate,
    /// Higher of in/out p95, Mb/s.
    pub p95_mbps: f64,
    /// p95 × growth ÷ port target, Mb/s.
    pub needed_mbps: f64,
    /// Port speed, Gb/s (null: beyond the largest).
    #[serde(default)]
    pub port_gbps: Option<f64>,
    /// Port name ("10GE").
    #[serde(default)]
    pub port: Option<String>,
    /// p95 × growth ÷ port capacity.
    #[serde(default)]
    pub utilisation_at_p95: Option<f64>,
    /// Transit no longer bought, USD per month.
    pub transit_saved_usd_per_month: f64,
}
