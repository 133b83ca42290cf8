//! Rates over time and port sizing (derived from the per-sample series).

use crate::Country;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Rates over time and port sizing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SizingReport {
    /// Bin width, seconds.
    pub bin_s: f64,
    /// Sample interval, seconds.
    pub sample_s: f64,
    /// Highest p95 utilisation allowed on a recommended port.
    pub port_target: f64,
    /// Growth factor applied before sizing.
    pub growth: f64,
    /// Transit price assumed, USD per Mbps per month.
    pub transit_price_usd_per_mbps_month: f64,
    /// Port speeds considered, Gbps.
    pub port_speeds_gbps: Vec<f64>,
    /// Start of the first bin, ns since the epoch (null without timed packets).
    pub first_bin_ns: Option<i64>,
    /// Bins in the capture span.
    pub bins: u64,
    /// Sample intervals the span touches (the first and last may be partial).
    pub samples: u64,
    /// Packets left out of the time series because their timestamp was unusable (see
    /// `totals.untimed_frames` and `totals.time_outliers`); they are in the matrices.
    pub unbinned_packets: u64,
    /// L3 sizes of all IP packets (null without packets).
    pub packet_size: Option<PacketSizes>,
    /// Networks by bytes (in + out), rates in and out.
    pub networks: Vec<NetworkRate>,
    /// AS pairs by bytes, with their rates.
    pub pairs: Vec<PairRate>,
    /// Links of the links file, rates in and out.
    pub links: Vec<LinkRate>,
    /// All traffic.
    #[serde(default)]
    pub total: Option<Rate>,
    /// What-if local peering (only with hairpin analysis).
    pub what_if: Option<WhatIf>,
}

/// Rates of one series.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Rate {
    /// L3 bytes in the span.
    pub bytes: u64,
    /// Packets in the span.
    pub packets: u64,
    /// Mean rate over the span, Mbit/s.
    pub avg_mbps: f64,
    /// Highest sample rate, Mbit/s.
    pub max_mbps: f64,
    /// 90th percentile (nearest rank) of sample rates, Mbit/s.
    pub p90_mbps: f64,
    /// 95th percentile (nearest rank) of sample rates, Mbit/s.
    pub p95_mbps: f64,
    /// Highest single bin, Mbit/s.
    pub peak_bin_mbps: f64,
    /// Mean packets per second.
    #[serde(default)]
    pub avg_pps: f64,
    /// 95th percentile of sample packet rates.
    #[serde(default)]
    pub p95_pps: f64,
    /// Highest single bin, packets per second.
    #[serde(default)]
    pub peak_bin_pps: f64,
    /// Samples the percentiles rest on.
    pub samples: u64,
    /// Rate per point of the span, Mbit/s (one point per `series_step_s`).
    #[serde(default)]
    pub series_mbps: Vec<f64>,
    /// Seconds per point of `series_mbps`.
    #[serde(default)]
    pub series_step_s: f64,
}

/// Packet sizes (L3 bytes).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PacketSizes {
    /// Packets.
    pub samples: u64,
    /// Mean size.
    pub mean: f64,
    /// Median.
    pub p50: u64,
    /// 90th percentile.
    pub p90: u64,
    /// 99th percentile.
    pub p99: u64,
    /// Largest.
    pub max: u64,
    /// The distribution, hdrhistogram V2 + DEFLATE, base64: what an exact merge adds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hist: Option<String>,
}

/// Packets per size bucket (L3 bytes, RFC 2819-style ranges) and the mean size.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SizeMix {
    /// Packets.
    pub packets: u64,
    /// Mean L3 size.
    pub mean: f64,
    /// Packets per range, smallest first.
    pub buckets: Vec<SizeBucket>,
}

/// One size range.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SizeBucket {
    /// "65-127" (L3 bytes, inclusive), "1500+".
    pub range: String,
    /// Packets in it.
    pub packets: u64,
}

/// One network's rates.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct NetworkRate {
    /// ASN.
    pub asn: u32,
    /// Its country (the one most of its bytes were resolved to).
    pub country: Option<Country>,
    /// AS name.
    pub name: Option<String>,
    /// Traffic towards the network.
    #[serde(rename = "in")]
    pub inbound: Rate,
    /// Traffic from the network.
    #[serde(rename = "out")]
    pub outbound: Rate,
    /// Sizes of the packets it sent and received.
    pub packet_sizes: SizeMix,
}

/// One AS pair's rates.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PairRate {
    /// Source ASN.
    pub src_asn: u32,
    /// Destination ASN.
    pub dst_asn: u32,
    /// Source country.
    pub src_country: Option<Country>,
    /// Destination country.
    pub dst_country: Option<Country>,
    /// Rates.
    pub rate: Rate,
}

/// One link's rates.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LinkRate {
    /// Link name.
    pub name: String,
    /// Neighbour ASN.
    pub asn: u32,
    /// Neighbour country.
    pub country: Option<Country>,
    /// In from the neighbour.
    #[serde(rename = "in")]
    pub inbound: Rate,
    /// Out to the neighbour.
    #[serde(rename = "out")]
    pub outbound: Rate,
    /// Direction unknown (present only when some traffic could not be told).
    pub unknown_direction: Option<Rate>,
}

/// What-if local peering: the hairpinned traffic moved to a local IXP.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct WhatIf {
    /// The ASNs considered.
    pub asns: Vec<u32>,
    /// Port plan per ASN.
    pub ports: Vec<PortPlan>,
    /// Sum of the transit each would stop buying, USD per month.
    pub total_transit_saved_usd_per_month: f64,
    /// Networks with hairpin traffic left out of the port plans because the database
    /// does not know them (ASN 0): no port can be recommended for an unknown network.
    #[serde(default)]
    pub unknown_networks: Vec<UnknownNetwork>,
    /// True when the ASNs were given (`--what-if-asns`), false when they are every zone
    /// network with hairpinned traffic.
    #[serde(default)]
    pub asns_given: bool,
}

/// Hairpinned traffic of addresses the database maps to no network.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct UnknownNetwork {
    /// Country of the addresses (null: unknown too).
    pub country: Option<Country>,
    /// Higher of the in/out hairpin p95, Mbit/s.
    pub p95_mbps: f64,
    /// Hairpinned bytes to and from these addresses.
    pub bytes: u64,
}

/// The IXP port one network would need for its hairpinned traffic.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PortPlan {
    /// ASN.
    pub asn: u32,
    /// Country.
    pub country: Option<Country>,
    /// AS name.
    pub name: Option<String>,
    /// Hairpinned traffic towards it.
    pub hairpin_in: Rate,
    /// Hairpinned traffic from it.
    pub hairpin_out: Rate,
    /// Higher of in/out p95, Mbit/s.
    pub p95_mbps: f64,
    /// p95 × growth ÷ port target, Mbit/s.
    pub needed_mbps: f64,
    /// Recommended port speed, Gbps (null: more than the largest speed).
    pub port_gbps: Option<f64>,
    /// Its name ("10GE").
    pub port: Option<String>,
    /// p95 × growth ÷ port capacity.
    pub utilisation_at_p95: Option<f64>,
    /// p95 Mbps × transit price, USD per month.
    pub transit_saved_usd_per_month: f64,
}
