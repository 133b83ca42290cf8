//! The ESCAP Tromboning Index: how much longer a path is than the straight line.
//!
//! TI = (path length inferred from the round-trip time) ÷ (great-circle distance), from the
//! ESCAP / NIA Asia-Pacific Information Superhighway (AP-IS) study *A Pre-Feasibility Study on
//! the Asia-Pacific Information Superhighway in the ASEAN Sub-region: Conceptualization,
//! International Traffic & Quality Analysis, Network Topology Design and Implementation
//! Model* (2016). TI 1 is the ideal (the path follows the straight line); the study proposed
//! about 5 as acceptable, and the worst pair it measured had a TI of 35, at 230 ms.
//!
//! Path length = min RTT ÷ 2 × [`FIBRE_KM_PER_MS`] ÷ [`FIBRE_STRETCH`]: half the fastest round
//! trip (the handshake RTT: the least queueing and server time), at the speed of light in
//! fibre, less the usual excess of cable routes over straight lines. These are the constants
//! of trombone's domestic floor (README, "The hairpin model": 2 × distance × 1.5 ÷ 200 km/ms),
//! so [`rtt_floor_ms`] and [`path_km_from_rtt`] are inverses and a pair exactly at the floor
//! has TI 1.
//!
//! Distances under the floor ([`DEFAULT_FLOOR_KM`]) count as the floor, so that two networks
//! in one city (a few km apart, or the same country point) do not get an index in the
//! thousands; the result says when it was floored ([`TiResult::floored`]).

use crate::countries::country_point;
use crate::latlon::{great_circle_km, LatLon};
use std::fmt;

/// Speed of light in optical fibre, km per ms (about c ÷ 1.5, the glass's refractive index).
pub const FIBRE_KM_PER_MS: f64 = 200.0;

/// Route stretch: how much longer a fibre route is than the great circle (1.5, as the README's
/// domestic floor).
pub const FIBRE_STRETCH: f64 = 1.5;

/// Distance floor in km: a great-circle distance below it counts as this much.
pub const DEFAULT_FLOOR_KM: f64 = 100.0;

/// TI of a path along the great circle (the ESCAP study's ideal).
pub const TI_IDEAL: f64 = 1.0;

/// The TI the ESCAP study proposed as acceptable (about 5).
pub const TI_ACCEPTABLE: f64 = 5.0;

/// The constants of the index.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TiParams {
    /// Speed of light in fibre, km/ms ([`FIBRE_KM_PER_MS`]).
    pub fibre_km_per_ms: f64,
    /// Route stretch ([`FIBRE_STRETCH`]).
    pub stretch: f64,
    /// Distance floor, km ([`DEFAULT_FLOOR_KM`]).
    pub floor_km: f64,
}

impl Default for TiParams {
    fn default() -> TiParams {
        TiParams {
            fibre_km_per_ms: FIBRE_KM_PER_MS,
            stretch: FIBRE_STRETCH,
            floor_km: DEFAULT_FLOOR_KM,
        }
    }
}

impl TiParams {
    /// True when the speed and stretch are finite and positive and the floor finite and ≥ 0.
    pub fn is_valid(&self) -> bool {
        self.fibre_km_per_ms.is_finite()
            && self.fibre_km_per_ms > 0.0
            && self.stretch.is_finite()
            && self.stretch > 0.0
            && self.floor_km.is_finite()
            && self.floor_km >= 0.0
    }
}

/// The index for one pair, with what it rests on.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TiResult {
    /// The Tromboning Index: `path_km / max(geo_km, floor_km)`.
    pub ti: f64,
    /// Path length inferred from the RTT, km.
    pub path_km: f64,
    /// Great-circle distance, km.
    pub geo_km: f64,
    /// The distance divided by: `geo_km`, or the floor when `geo_km` is below it.
    pub distance_km: f64,
    /// True when the floor replaced the great-circle distance.
    pub floored: bool,
    /// The floor in force, km.
    pub floor_km: f64,
    /// The RTT the path rests on, ms.
    pub rtt_ms: f64,
}

impl TiResult {
    /// True when the index is above the ESCAP study's acceptable level ([`TI_ACCEPTABLE`]).
    pub fn above_acceptable(&self) -> bool {
        self.ti > TI_ACCEPTABLE
    }
}

impl fmt::Display for TiResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "TI {:.1} (RTT {:.1} ms -> path {:.0} km; great circle {:.0} km",
            self.ti, self.rtt_ms, self.path_km, self.geo_km
        )?;
        if self.floored {
            write!(f, ", floored to {:.0} km", self.floor_km)?;
        }
        write!(f, ")")
    }
}

/// Path length in km inferred from a round-trip time: `rtt_ms / 2 × speed / stretch`.
pub fn path_km_from_rtt(rtt_ms: f64, params: &TiParams) -> f64 {
    rtt_ms / 2.0 * params.fibre_km_per_ms / params.stretch
}

/// The fastest round trip possible over `distance_km` of straight line: `2 × distance ×
/// stretch / speed` (the README's domestic floor).
pub fn rtt_floor_ms(distance_km: f64, params: &TiParams) -> f64 {
    2.0 * distance_km * params.stretch / params.fibre_km_per_ms
}

/// The Tromboning Index of a pair of points whose fastest handshake took `rtt_min_ms`.
/// `None` if the RTT is negative or not finite, a point is not valid, the parameters are not
/// valid, or both the distance and the floor are 0.
pub fn tromboning_index(
    rtt_min_ms: f64,
    a: LatLon,
    b: LatLon,
    params: &TiParams,
) -> Option<TiResult> {
    if !rtt_min_ms.is_finite() || rtt_min_ms < 0.0 || !params.is_valid() {
        return None;
    }
    if !a.is_valid() || !b.is_valid() {
        return None;
    }
    let geo_km = great_circle_km(a, b);
    let floored = geo_km < params.floor_km;
    let distance_km = if floored { params.floor_km } else { geo_km };
    if distance_km <= 0.0 {
        return None;
    }
    let path_km = path_km_from_rtt(rtt_min_ms, params);
    Some(TiResult {
        ti: path_km / distance_km,
        path_km,
        geo_km,
        distance_km,
        floored,
        floor_km: params.floor_km,
        rtt_ms: rtt_min_ms,
    })
}

/// The Tromboning Index between two countries' representative points (ISO alpha-2 codes).
pub fn tromboning_index_countries(
    rtt_min_ms: f64,
    a: &str,
    b: &str,
    params: &TiParams,
) -> Option<TiResult> {
    tromboning_index(rtt_min_ms, country_point(a)?, country_point(b)?, params)
}
