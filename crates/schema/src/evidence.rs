//! The evidence section: handshake RTTs of local pairs, the latency a local IXP would
//! save, the ESCAP Tromboning Index, BGP paths and common IXPs.

use crate::Country;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Evidence that holds up when an operator disputes the verdict.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Evidence {
    /// Which pairs' handshakes are timed: "local" (both ends in the zone) or "all".
    pub rtt_scope: String,
    /// How long a SYN waits for its SYN/ACK, s; older ones are forgotten.
    pub handshake_lifetime_s: f64,
    /// The domestic floor the hairpinned RTTs are compared with, ms.
    pub domestic_floor_ms: f64,
    /// Hairpinned against locally exchanged handshakes, over all local pairs.
    pub headline: LatencyHeadline,
    /// How the Tromboning Index is computed.
    pub ti_method: TiMethod,
    /// Per AS pair with timed handshakes (or BGP/IXP evidence), hairpinned bytes descending.
    pub pairs: Vec<PairEvidence>,
    /// Per country pair.
    pub country_pairs: Vec<CountryPairEvidence>,
    /// Where BGP paths came from (null: no `--bgp` given).
    #[serde(default)]
    pub bgp_source: Option<String>,
    /// Where IXP membership came from (null: no `--peeringdb`/`--ixp-members` given).
    #[serde(default)]
    pub ixp_source: Option<String>,
    /// Set when some traffic came from flow export (sFlow, NetFlow, IPFIX): handshake
    /// RTTs need captured packets, so they cover only those.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_available: Option<String>,
}

/// The comparison a regulator cites: local traffic that left against local traffic that
/// did not (the same zone, the same vantage).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LatencyHeadline {
    /// Handshakes timed whose SYN hairpinned.
    pub hairpinned_handshakes: u64,
    /// Their median RTT, ms (null without any).
    pub hairpinned_median_ms: Option<f64>,
    /// Handshakes timed between local networks without leaving the zone.
    pub direct_handshakes: u64,
    /// Their median RTT, ms (null without any).
    pub direct_median_ms: Option<f64>,
    /// Hairpinned median minus direct median, ms: what local exchange would save a
    /// typical handshake (null unless both exist).
    pub saving_ms: Option<f64>,
    /// Handshakes left out because their SYN or SYN/ACK was retransmitted (Karn's rule).
    pub retransmitted: u64,
    /// Pending handshakes pushed out of a full table (under a SYN flood).
    pub handshakes_dropped: u64,
}

/// How the Tromboning Index is computed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TiMethod {
    /// The definition in words.
    pub definition: String,
    /// Speed of light in fibre, km per ms.
    pub fibre_km_per_ms: f64,
    /// Fibre path stretch over the great circle.
    pub fibre_stretch: f64,
    /// Distances below this are taken as this, km (same-city pairs).
    pub floor_km: f64,
    /// Where network locations come from.
    pub locations: String,
    /// The TI ESCAP proposed as acceptable.
    pub acceptable: f64,
}

/// A distribution of handshake RTTs, ms.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Rtt {
    /// Handshakes timed.
    pub samples: u64,
    /// Fastest, ms.
    pub min: f64,
    /// Median, ms.
    pub p50: f64,
    /// 90th percentile, ms.
    pub p90: f64,
    /// The distribution (µs), hdrhistogram V2 + DEFLATE, base64.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hist: Option<String>,
}

/// The Tromboning Index of one path.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Ti {
    /// Path distance inferred from the fastest RTT ÷ great-circle distance.
    pub value: f64,
    /// Path distance inferred from the RTT, km.
    pub path_km: f64,
    /// Great-circle distance between the two ends' locations, km.
    pub geo_km: f64,
    /// True when the distance was below the floor and taken as the floor.
    pub floored: bool,
    /// True when above the acceptable TI.
    pub above_acceptable: bool,
}

/// One AS path between two local networks as BGP saw it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct BgpPath {
    /// ASNs from the source network to the destination network (prepending removed).
    pub path: Vec<u32>,
    /// Prefixes (or collector peers) that agree on it.
    pub weight: u32,
}

/// Why the traffic left: whose routes carry it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct BgpEvidence {
    /// "source_view": paths the source network itself announced onward (a collector peer
    /// path through it); "collector_view": paths to the destination as the collectors'
    /// peers saw them; "none": the dump has no route to the destination.
    pub basis: String,
    /// The best paths, most agreed first.
    pub paths: Vec<BgpPath>,
    /// True when the best path crosses a network outside the zone.
    pub leaves_zone: Option<bool>,
    /// Networks outside the zone (or of unknown country) on the best path: who carries it.
    pub transit: Vec<u32>,
}

/// An IXP where both networks of a pair are present.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct IxpRef {
    /// The IXP's name.
    pub name: String,
    /// Its country.
    pub country: Option<Country>,
}

/// The evidence about one AS pair.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PairEvidence {
    /// Source ASN.
    pub src_asn: u32,
    /// Destination ASN.
    pub dst_asn: u32,
    /// Source country.
    pub src_country: Option<Country>,
    /// Destination country.
    pub dst_country: Option<Country>,
    /// Both ends in the zone.
    pub local: bool,
    /// Unique hairpinned bytes of the pair.
    pub hairpinned_bytes: u64,
    /// Handshakes whose SYN hairpinned.
    pub hairpinned: Option<Rtt>,
    /// Handshakes that stayed in the zone (for pairs outside the zone: all of them).
    pub direct: Option<Rtt>,
    /// Handshakes left out because their SYN or SYN/ACK was retransmitted (Karn's rule):
    /// `retransmitted_hairpinned` + `retransmitted_direct`.
    pub retransmitted: u64,
    /// Of those, handshakes whose SYN hairpinned (absent from older results: 0).
    #[serde(default)]
    pub retransmitted_hairpinned: u64,
    /// Of those, handshakes that stayed in the zone (for pairs outside the zone: all of
    /// them; absent from older results: 0).
    #[serde(default)]
    pub retransmitted_direct: u64,
    /// True when even the fastest hairpinned handshake took longer than the domestic floor.
    pub exceeds_domestic_floor: Option<bool>,
    /// The locally exchanged RTT this pair's hairpinned RTT is compared with, ms.
    pub baseline_ms: Option<f64>,
    /// What the baseline is: "this pair's direct handshakes", "direct handshakes of the
    /// same country pair", or "direct handshakes of the zone".
    pub baseline_basis: Option<String>,
    /// Hairpinned median minus the baseline, ms: what local exchange would save.
    pub saving_ms: Option<f64>,
    /// Tromboning Index of the hairpinned path (from its fastest handshake).
    pub ti: Option<Ti>,
    /// Tromboning Index of the direct path.
    pub ti_direct: Option<Ti>,
    /// Whose routes carry the traffic (with `--bgp`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bgp: Option<BgpEvidence>,
    /// IXPs in the zone where both networks are present (with `--peeringdb`/`--ixp-members`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub common_ixps: Option<Vec<IxpRef>>,
    /// "present at the same IXP, not exchanging locally", "no common IXP" (with membership data).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peering: Option<String>,
}

/// The evidence about one country pair: its AS pairs' handshakes together.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CountryPairEvidence {
    /// Source country.
    pub src_country: Option<Country>,
    /// Destination country.
    pub dst_country: Option<Country>,
    /// Handshakes whose SYN hairpinned.
    pub hairpinned: Option<Rtt>,
    /// Handshakes that stayed in the zone.
    pub direct: Option<Rtt>,
    /// Hairpinned median minus direct median (or the zone's), ms.
    pub saving_ms: Option<f64>,
    /// Tromboning Index of the fastest hairpinned handshake.
    pub ti: Option<Ti>,
    /// Great-circle distance between the two countries' reference cities, km.
    pub geo_km: Option<f64>,
}
