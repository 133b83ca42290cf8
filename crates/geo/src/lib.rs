//! Country locations, great-circle distances and the ESCAP Tromboning Index.
//!
//! - [`LatLon`] and [`great_circle_km`]: haversine distance on a sphere of radius
//!   [`MEAN_EARTH_RADIUS_KM`] (6371.0088 km).
//! - [`countries`], [`country`], [`country_point`], [`country_distance_km`]: a built-in table
//!   of one representative point per ISO 3166-1 alpha-2 country — its capital, or its primate
//!   city where that is more than 3 times as populous as the capital's area and over 100 km
//!   away (Yangon for MM, where Myanmar's networks and exchange are, not Nay Pyi Taw; Sydney
//!   for AU); see [`Basis`] and `scripts/build-geo-table`. The data is GeoNames', under
//!   CC BY 4.0: show [`COUNTRY_TABLE_ATTRIBUTION`] wherever its points or distances appear.
//! - [`tromboning_index`]: the ESCAP/AP-IS Tromboning Index of a pair, TI = path length
//!   inferred from the fastest RTT ÷ great-circle distance (floored at
//!   [`DEFAULT_FLOOR_KM`]), with its constants [`FIBRE_KM_PER_MS`], [`FIBRE_STRETCH`],
//!   [`TI_IDEAL`], [`TI_ACCEPTABLE`]; see the [`ti`] module for the definition and source.
//! - [`city_location`]: a point from a MaxMind City database, for finer locations than the
//!   country table.
//!
//! ```
//! use trombone_geo::{country, tromboning_index_countries, TiParams};
//!
//! let kh = country("kh").unwrap();
//! assert_eq!(kh.city, "Phnom Penh");
//! // A 40 ms handshake between Phnom Penh and Hanoi: path 40/2 × 200/1.5 ≈ 2667 km over
//! // about 1060 km of great circle.
//! let r = tromboning_index_countries(40.0, "KH", "VN", &TiParams::default()).unwrap();
//! assert!((r.ti - 2.5).abs() < 0.05);
//! assert!(!r.floored);
//! ```
//!
//! Nothing here panics: invalid points and parameters give NaN distances or `None`.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod countries;
mod latlon;
mod mmdb;
pub mod ti;

pub use countries::{
    countries, country, country_distance_km, country_point, Basis, CountryPoint,
    COUNTRY_TABLE_ATTRIBUTION,
};
pub use latlon::{great_circle_km, LatLon, MEAN_EARTH_RADIUS_KM};
pub use mmdb::city_location;
pub use ti::{
    path_km_from_rtt, rtt_floor_ms, tromboning_index, tromboning_index_countries, TiParams,
    TiResult, DEFAULT_FLOOR_KM, FIBRE_KM_PER_MS, FIBRE_STRETCH, TI_ACCEPTABLE, TI_IDEAL,
};
