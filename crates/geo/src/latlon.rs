//! Points on the Earth and great-circle distance.

use std::fmt;

/// Mean Earth radius in km (IUGG mean radius R1 = (2a + b) / 3 of WGS 84).
pub const MEAN_EARTH_RADIUS_KM: f64 = 6371.0088;

/// A point: latitude and longitude in decimal degrees (north and east positive).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LatLon {
    /// Latitude, −90 to 90.
    pub lat: f64,
    /// Longitude, −180 to 180.
    pub lon: f64,
}

impl LatLon {
    /// A point (not checked: see [`LatLon::is_valid`]).
    pub const fn new(lat: f64, lon: f64) -> LatLon {
        LatLon { lat, lon }
    }

    /// True when both are finite and in range (latitude ±90, longitude ±180).
    pub fn is_valid(&self) -> bool {
        self.lat.is_finite()
            && self.lon.is_finite()
            && (-90.0..=90.0).contains(&self.lat)
            && (-180.0..=180.0).contains(&self.lon)
    }
}

impl fmt::Display for LatLon {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (ns, ew) = (
            if self.lat < 0.0 { 'S' } else { 'N' },
            if self.lon < 0.0 { 'W' } else { 'E' },
        );
        write!(
            f,
            "{:.4}°{} {:.4}°{}",
            self.lat.abs(),
            ns,
            self.lon.abs(),
            ew
        )
    }
}

/// Great-circle distance in km between two points, by the haversine formula on a sphere of
/// radius [`MEAN_EARTH_RADIUS_KM`] (within about 0.5% of the ellipsoidal distance). NaN if a
/// point is not valid.
pub fn great_circle_km(a: LatLon, b: LatLon) -> f64 {
    if !a.is_valid() || !b.is_valid() {
        return f64::NAN;
    }
    let (p1, p2) = (a.lat.to_radians(), b.lat.to_radians());
    let dp = p2 - p1;
    let dl = (b.lon - a.lon).to_radians();
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    // Rounding can push h a hair past 1 for antipodes.
    2.0 * MEAN_EARTH_RADIUS_KM * h.clamp(0.0, 1.0).sqrt().asin()
}
