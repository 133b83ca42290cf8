//! Report types for `trombone db info` and `trombone db lookup`: database summary and per-address
//! explanation (matched prefix, ASN, AS name, country, and which source said so).

use std::net::IpAddr;

use serde::Serialize;

use crate::{Country, DbSource, SourceInfo};

/// The routing record that gave an address its ASN.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RouteMatch {
    /// The matched prefix (`a.b.c.d/len`) or, for non-CIDR sources, the range (`first-last`).
    pub prefix: String,
    /// The origin ASN.
    pub asn: u32,
    /// The source file that said so.
    pub source: String,
}

/// Where an address's country came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum CountryOrigin {
    /// A range-country record (RIR `ipv4`/`ipv6` record, mmdb country) covering the address.
    Range {
        /// The matched prefix or range.
        range: String,
        /// The source file.
        source: String,
    },
    /// The registered country of the address's ASN.
    AsnRegistration {
        /// The source file.
        source: String,
    },
    /// No source knows the country.
    Unknown,
}

/// Why an address maps to what it maps to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Explanation {
    /// The address asked about.
    pub ip: IpAddr,
    /// Its ASN (0 = unknown).
    pub asn: u32,
    /// The AS name, if known.
    pub as_name: Option<String>,
    /// Its country.
    pub country: Option<Country>,
    /// The routing record that matched, if any.
    pub route: Option<RouteMatch>,
    /// Where the country came from.
    pub country_origin: CountryOrigin,
}

/// Summary of a loaded database for `trombone db info`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DbInfo {
    /// Description and date (as written into reports).
    pub source: DbSource,
    /// Every source file with its format, date, attribution, counts and skips.
    pub sources: Vec<SourceInfo>,
    /// IPv4 routing prefixes/ranges read (all sources).
    pub routes_v4: u64,
    /// IPv6 routing prefixes/ranges read (all sources).
    pub routes_v6: u64,
    /// IPv4 range-country records read.
    pub country_ranges_v4: u64,
    /// IPv6 range-country records read.
    pub country_ranges_v6: u64,
    /// Ranges in the IPv4 lookup table after flattening.
    pub lookup_ranges_v4: usize,
    /// Ranges in the IPv6 lookup table after flattening.
    pub lookup_ranges_v6: usize,
    /// ASNs with a registered country.
    pub asn_countries: usize,
    /// ASNs with a name.
    pub as_names: usize,
    /// Heap bytes of the lookup tables alone (the hot-path structure).
    pub lookup_bytes: usize,
    /// Heap bytes of the whole database (lookup tables, explanation layers, names).
    pub memory_bytes: usize,
}

impl Explanation {
    /// The explanation as one line of JSON (for `trombone db lookup --json`).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }
}

impl DbInfo {
    /// The summary as pretty-printed JSON (for `trombone db info --json`).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }
}
