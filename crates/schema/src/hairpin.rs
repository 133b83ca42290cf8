//! The hairpin section: how much local traffic left the zone and came back.

use crate::Country;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The hairpin verdict of a run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct HairpinReport {
    /// The country under audit.
    pub home: Country,
    /// Countries counted as local.
    pub zone: Vec<Country>,
    /// Replica window, ms.
    pub window_ms: f64,
    /// Shortest RTT of a path crossing the zone and staying in it, ms (see README).
    pub domestic_floor_ms: f64,
    /// The in-zone distance that floor assumes, km.
    pub max_zone_km: f64,
    /// The vantage's links as configured (empty without a links file).
    pub links: Vec<HairpinLink>,
    /// True when no links file was given: every link is then taken to lead abroad.
    #[serde(default)]
    pub links_assumed_abroad: bool,
    /// Overall hairpin figures.
    pub totals: HairpinTotals,
    /// The replica matcher's housekeeping (nothing hidden).
    pub matcher: MatcherReport,
    /// AS pairs with hairpin traffic, by unique bytes descending.
    pub pairs: Vec<HairpinPair>,
    /// Unique local packets and bytes of every local AS pair, hairpinned or not, so that a
    /// pair's `local_bytes` merges exactly across rotated pieces and vantage points (a pair
    /// may hairpin in one piece and not in another). Absent in results before it was added.
    #[serde(default)]
    pub local_pairs: Vec<LocalPair>,
    /// Set when some traffic came from flow export (sFlow, NetFlow, IPFIX): what these
    /// figures cannot cover, because replica matching needs every captured packet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_available: Option<String>,
}

/// A configured link of the vantage.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct HairpinLink {
    /// Its name in the links file.
    pub name: String,
    /// Neighbour ASN (0: not given in the links file).
    pub asn: u32,
    /// Neighbour country.
    pub country: Option<Country>,
    /// VLAN that identifies it, if any.
    pub vlan: Option<u16>,
    /// True when the neighbour is outside the zone (or of unknown country).
    pub abroad: bool,
    /// Frames that matched this link (0: the link never matched, check the links file).
    #[serde(default)]
    pub frames: u64,
}

/// Overall hairpin figures.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct HairpinTotals {
    /// Unique hairpinned packets (a packet seen leaving and returning counts once).
    pub packets: u64,
    /// Their L3 bytes.
    pub bytes: u64,
    /// Hairpin sightings, replicas included.
    pub observations: u64,
    /// Sightings matched as the replica of an earlier sighting.
    pub reobserved_packets: u64,
    /// Unique packets with both ends in the zone, hairpinned or not.
    pub local_packets: u64,
    /// Their L3 bytes.
    pub local_bytes: u64,
    /// `bytes / local_bytes`: the share of local traffic that hairpinned (0 when there is none).
    pub share_of_local_bytes: f64,
}

/// Housekeeping of the replica matcher and handshake table.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct MatcherReport {
    /// Pending sightings pushed out by a fourth sighting of the same packet within the window.
    pub slot_overflows: u64,
    /// Pending sightings pushed out inside the window because the matcher was at its cap (`--max-pending`).
    pub dropped_fresh: u64,
    /// Hairpin sightings on no identified link (all of them without a links file).
    pub unidentified_link: u64,
    /// Pending handshakes (SYNs waiting for their SYN/ACK) pushed out while still
    /// young because the handshake table was full.
    #[serde(default)]
    pub handshakes_dropped: u64,
}

/// Hairpin figures of one AS pair.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct HairpinPair {
    /// Source ASN.
    pub src_asn: u32,
    /// Destination ASN.
    pub dst_asn: u32,
    /// Source country.
    pub src_country: Option<Country>,
    /// Destination country.
    pub dst_country: Option<Country>,
    /// Unique hairpinned packets.
    pub packets: u64,
    /// Their L3 bytes.
    pub bytes: u64,
    /// Hairpin sightings, replicas included.
    pub observations: u64,
    /// Sightings matched as replicas (= packets seen both leaving and returning).
    pub reobserved_packets: u64,
    /// Unique local bytes of this pair, hairpinned or not.
    pub local_bytes: u64,
    /// Time between the two sightings of matched packets, ms (null without matches).
    pub detour_ms: Option<Quantiles>,
    /// TTL difference between the two sightings (null without matches).
    pub hops_abroad: Option<Hops>,
    /// TCP SYN → SYN/ACK time at the vantage, ms (null without handshakes).
    pub handshake_rtt_ms: Option<Handshake>,
    /// The links unique hairpinned packets left by (or arrived on, when only that was seen).
    pub via: Vec<Via>,
}

/// Nearest-rank quantiles in ms, with the number of samples behind them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Quantiles {
    /// Samples.
    pub samples: u64,
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
    /// The distribution (µs), hdrhistogram V2 + DEFLATE, base64: what an exact merge adds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hist: Option<String>,
}

/// Median hop difference.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Hops {
    /// Samples.
    pub samples: u64,
    /// Median TTL difference.
    pub p50: u64,
    /// The distribution, hdrhistogram V2 + DEFLATE, base64.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hist: Option<String>,
}

/// Handshake RTT evidence of one pair.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Handshake {
    /// Handshakes timed.
    pub samples: u64,
    /// Fastest, ms.
    pub min: f64,
    /// Median, ms.
    pub p50: f64,
    /// True when even the fastest handshake took longer than the domestic floor.
    pub exceeds_domestic_floor: bool,
    /// The distribution (µs), hdrhistogram V2 + DEFLATE, base64.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hist: Option<String>,
}

/// Hairpin traffic of a pair through one link.
///
/// Signed: in a rotated piece, a replica matched across the boundary moves its packet to
/// the link it left by, which can leave a negative correction in the later piece; merged
/// and single-run results are never negative.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Via {
    /// Link name (null: no link identified — every link leads abroad).
    pub link: Option<String>,
    /// Neighbour ASN (0 when unknown).
    pub asn: u32,
    /// Neighbour country.
    pub country: Option<Country>,
    /// Neighbour AS name from the database.
    pub name: Option<String>,
    /// Unique packets.
    pub packets: i64,
    /// Their L3 bytes.
    pub bytes: i64,
}

/// One local AS pair's unique local traffic.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct LocalPair {
    /// Source ASN.
    pub src_asn: u32,
    /// Destination ASN.
    pub dst_asn: u32,
    /// Source country.
    pub src_country: Option<Country>,
    /// Destination country.
    pub dst_country: Option<Country>,
    /// Unique local packets (a replica counted once).
    pub packets: u64,
    /// Their L3 bytes.
    pub bytes: u64,
}
