//! Locations from a MaxMind City database (GeoIP2/GeoLite2 City, or any mmdb with
//! `location.latitude`/`location.longitude`).

use crate::latlon::LatLon;
use maxminddb::Reader;
use serde::Deserialize;
use std::net::IpAddr;

#[derive(Deserialize)]
struct Rec {
    #[serde(default)]
    location: Option<Loc>,
}

#[derive(Deserialize)]
struct Loc {
    #[serde(default)]
    latitude: Option<f64>,
    #[serde(default)]
    longitude: Option<f64>,
}

/// The coordinates an mmdb City database gives for `ip`; `None` when it has none (no record,
/// no location, an invalid point, or a lookup or decoding error).
pub fn city_location<S: AsRef<[u8]>>(reader: &Reader<S>, ip: IpAddr) -> Option<LatLon> {
    let found = reader.lookup(ip).ok()?;
    let rec: Rec = found.decode().ok()??;
    let loc = rec.location?;
    let p = LatLon::new(loc.latitude?, loc.longitude?);
    p.is_valid().then_some(p)
}
