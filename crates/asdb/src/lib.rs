//! IP address -> (ASN, country) database for trombone: longest-prefix match over IPv4 and IPv6,
//! loaded from the public formats operators already hold, with a compact embedded default.
//!
//! # Formats (detected from content, gzip detected by magic)
//! - iptoasn.com `ip2asn` TSV (v4, v6, combined): routing (ASN per range) + the ASN's country.
//! - CAIDA RouteViews Prefix-to-AS (`pfx2as`): routing. **Multi-origin `a_b` and AS-set `a,b`
//!   rule: the first AS listed is used** (counted in the source's notes). This is the same rule
//!   the shared derived ip2asn table used, so both agree.
//! - RIR delegated statistics (normal and extended): a *country* source: `ipv4`/`ipv6` records
//!   give the country of address ranges, `asn` records the registered country of ASNs. Only
//!   `allocated`/`assigned` records count; others are counted as skipped.
//! - MaxMind DB (`.mmdb`, GeoLite2/GeoIP2 ASN, Country, City, ISP; DB-IP lite): ASN databases are
//!   routing sources (and AS names); country databases are range-country sources
//!   (`country.iso_code`, else `registered_country.iso_code`).
//! - pmacct `networks_file`: routing.
//! - AS names JSON (`{"asn": "NAME, CC"}`): AS names, and the `CC` suffix as a last-resort ASN country.
//! - trombone's own compact binary format ([`build_compact`]), the fastest to load.
//! - MRT routing dumps (RouteViews/RIS RIBs and updates; plain, gzip or bzip2), read by
//!   `trombone-bgp`: routing, one origin per prefix. **Multi-origin prefixes take the origin
//!   on most routes (ties: lowest AS), AS-set origins their first AS** (counted in the notes).
//!   A dump cut short is used up to the cut, and its source report says where.
//!
//! # Combining rule
//! All files given are combined into one database:
//! - **ASN** of an address: longest-prefix match over all routing records of all files. On equal
//!   specificity the earlier file wins. A non-CIDR range counts as specific as the longest prefix
//!   that is no larger than it.
//! - **Country** of an address: longest-prefix match over the range-country records (RIR
//!   `ipv4`/`ipv6` records, mmdb country databases) when one covers the address; otherwise the
//!   registered country of the address's ASN, taking an RIR `asn` record first, then the ip2asn
//!   country column, then the AS-names suffix (earlier file first within each kind).
//! - Unknown: ASN 0 and country `None`. An address with no route but a range country has ASN 0
//!   and that country.
//!
//! Lookups are allocation-free: both layers are flattened at build time into sorted
//! non-overlapping ranges with final answers, indexed by the top 16 address bits.

#![warn(missing_docs)]

mod asn_ranges;
mod combine;
mod compact;
mod country;
mod db;
mod detect;
mod embedded;
mod error;
mod explain;
mod fmt_asnames;
mod fmt_ip2asn;
mod fmt_mmdb;
mod fmt_mrt;
mod fmt_pfx2as;
mod fmt_pmacct;
mod fmt_rir;
mod names;
mod ranges;
mod source;
mod table;
mod text;

pub use compact::{build_compact, write_compact, BuildOptions, Stats};
pub use country::{BadCountry, Country};
pub use db::AsDb;
pub use detect::detect;
pub use error::{DbError, Location};
pub use explain::{CountryOrigin, DbInfo, Explanation, RouteMatch};
pub use source::{Format, Skip, SourceFile, SourceInfo};

use serde::Serialize;

/// What an address maps to: its origin ASN (0 = unknown) and country (`None` = unknown).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct NetInfo {
    /// Origin AS number; 0 when no routing record covers the address.
    pub asn: u32,
    /// ISO 3166-1 alpha-2 country; `None` when unknown.
    pub country: Option<Country>,
}

impl NetInfo {
    /// The answer for an address nothing is known about.
    pub const UNKNOWN: NetInfo = NetInfo {
        asn: 0,
        country: None,
    };
}

/// Where a database's data came from and how old it is (written into every JSON report).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Default)]
pub struct DbSource {
    /// Human-readable description of the sources.
    pub source: String,
    /// Data date `YYYY-MM-DD` (the oldest dated routing source), if known.
    pub date: Option<String>,
}
