//! What a hairpin analysis is configured with.

use crate::{Links, Zone};
use trombone_asdb::Country;

/// Default replica window: two sightings further apart than this are two packets.
pub const DEFAULT_WINDOW_MS: u64 = 2000;

/// Default cap on the sightings each worker's replica matcher holds: 2^21
/// ways of 16 bytes, 32 MiB per worker at most (the matcher starts at 8 KiB
/// and grows only as far as the traffic needs). Kept at most about a quarter
/// full, it holds a 2 s window of about 250 k hairpin packets/s per worker
/// without losing a match.
pub const DEFAULT_MAX_PENDING: usize = 1 << 21;

/// Zone, links and matcher settings shared (read-only) by all workers.
#[derive(Clone, Debug)]
pub struct HairpinConfig {
    /// The zone under audit.
    pub zone: Zone,
    /// The vantage's links; empty means every link leads abroad.
    pub links: Links,
    /// Replica window in nanoseconds.
    pub window_ns: i64,
    /// Most sightings each worker's matcher holds (rounded up to a power of two).
    pub max_pending: usize,
    /// Longest in-zone fibre path assumed, in km (see [`HairpinConfig::domestic_floor_ms`]).
    pub max_zone_km: f64,
    /// Most pending TCP handshakes each worker holds (32 bytes each).
    pub max_handshakes: usize,
    /// Time handshakes of every pair, not only of local ones.
    pub rtt_all: bool,
}

/// Default cap on pending handshakes per worker: 2^20 entries, 32 MiB at most.
pub const DEFAULT_MAX_HANDSHAKES: usize = 1 << 20;

/// Default longest domestic distance per country, in km: the straight-line
/// extent of the country (north–south for LA, MM, VN), a documented default
/// that `--zone-km` overrides.
pub fn default_country_km(c: Country) -> Option<f64> {
    Some(match c.as_str() {
        "KH" => 650.0,
        "LA" => 1_050.0,
        "MM" => 2_050.0,
        "VN" => 1_650.0,
        "TH" => 1_650.0,
        "SG" => 50.0,
        _ => return None,
    })
}

/// Fibre paths are longer than straight lines: the stretch assumed (one definition, in
/// trombone-geo, shared with the Tromboning Index).
pub use trombone_geo::FIBRE_STRETCH;

/// Light in fibre covers about 200 km per millisecond (trombone-geo's constant).
pub use trombone_geo::FIBRE_KM_PER_MS;

impl HairpinConfig {
    /// A configuration with the default window and the zone's default distance.
    pub fn new(zone: Zone, links: Links) -> HairpinConfig {
        let max_zone_km = default_zone_km(&zone);
        HairpinConfig {
            zone,
            links,
            window_ns: (DEFAULT_WINDOW_MS * 1_000_000) as i64,
            max_pending: DEFAULT_MAX_PENDING,
            max_zone_km,
            max_handshakes: DEFAULT_MAX_HANDSHAKES,
            rtt_all: false,
        }
    }

    /// The shortest round-trip time, in ms, of a path that crosses the whole
    /// zone and stays in it: 2 × distance × fibre stretch ÷ speed of light in fibre.
    /// A handshake whose *minimum* RTT exceeds this took longer than an
    /// in-zone path needs — evidence (not proof) that the path leaves.
    pub fn domestic_floor_ms(&self) -> f64 {
        2.0 * self.max_zone_km * FIBRE_STRETCH / FIBRE_KM_PER_MS
    }
}

/// Default longest in-zone distance: the largest member's extent, or for a
/// multi-country zone 2,600 km (CLMV's span, Myitkyina to Ca Mau) when larger.
fn default_zone_km(zone: &Zone) -> f64 {
    let single = zone
        .members()
        .iter()
        .filter_map(|c| default_country_km(*c))
        .fold(0.0f64, f64::max);
    let single = if single == 0.0 { 2_000.0 } else { single };
    if zone.members().len() > 1 {
        single.max(2_600.0)
    } else {
        single
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floors_by_hand() {
        let kh = HairpinConfig::new(Zone::parse("KH", None).unwrap(), Links::default());
        // 2 * 650 km * 1.5 / 200 km/ms = 9.75 ms
        assert!((kh.domestic_floor_ms() - 9.75).abs() < 1e-9);
        let clmv = HairpinConfig::new(
            Zone::parse("KH", Some("LA,MM,VN")).unwrap(),
            Links::default(),
        );
        // 2 * 2600 * 1.5 / 200 = 39 ms
        assert!((clmv.domestic_floor_ms() - 39.0).abs() < 1e-9);
        assert_eq!(kh.window_ns, 2_000_000_000);
    }
}
