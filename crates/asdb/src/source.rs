//! What one loaded file contributes (entries per layer, ASN countries, names) and the per-source
//! report (format, date, counts, skips, attribution).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::ranges::{Entry, Layer};
use crate::Country;

/// The file formats the database reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// iptoasn.com `ip2asn-v4/v6/combined` TSV: `start end asn cc description`.
    Ip2Asn,
    /// pmacct `networks_file`: `[nexthop,][[peer_]asn,]prefix/len`.
    Pmacct,
    /// CAIDA RouteViews Prefix-to-AS: `prefix<TAB>len<TAB>asn`.
    Pfx2as,
    /// RIR delegated statistics `registry|cc|type|start|value|date|status`.
    RirDelegated,
    /// MaxMind DB (`.mmdb`): GeoLite2/GeoIP2 ASN, Country, City; DB-IP lite.
    Mmdb,
    /// AS names JSON (`{"asn": "NAME, CC"}`, pyasn's `asnames.json`).
    AsNames,
    /// trombone's own compact binary database.
    Compact,
    /// MRT routing dump (TABLE_DUMP/TABLE_DUMP_V2 RIB, BGP4MP updates), plain, gzip or bzip2.
    Mrt,
}

impl Format {
    /// Short name used in reports.
    pub fn name(self) -> &'static str {
        match self {
            Format::Ip2Asn => "ip2asn-tsv",
            Format::Pmacct => "pmacct-networks",
            Format::Pfx2as => "routeviews-pfx2as",
            Format::RirDelegated => "rir-delegated",
            Format::Mmdb => "mmdb",
            Format::AsNames => "as-names-json",
            Format::Compact => "trombone-compact",
            Format::Mrt => "mrt",
        }
    }
}

/// One input file of a database and how it is used.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SourceFile {
    /// The file (format detected from its content).
    pub path: std::path::PathBuf,
    /// Use only its routing records: its ASN countries and AS names are left out (counted in
    /// its notes), e.g. to add a table's IPv6 routes without letting its country column
    /// outrank other sources' ASN countries.
    pub routing_only: bool,
    /// Attribution/terms to record for it (replaces what its loader found, if given).
    pub attribution: Option<String>,
    /// Description to record for it (replaces what its loader found, if given).
    pub description: Option<String>,
}

/// A kind of skipped record, how many, and the first line/offset where it occurred.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skip {
    /// Why the records were skipped.
    pub reason: String,
    /// How many.
    pub count: u64,
    /// First line (text formats) or network number (mmdb, in iteration order) where it happened.
    pub first_line: Option<u64>,
}

/// Report on one source file: what it is and what it contributed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceInfo {
    /// The file name as given (or a label for embedded data).
    pub name: String,
    /// Detected format name (see [`Format::name`]).
    pub format: String,
    /// Data date (`YYYY-MM-DD`) from the file's header/metadata or, failing that, its name.
    pub date: Option<String>,
    /// Free-text description (e.g. the mmdb `database_type`).
    pub description: Option<String>,
    /// Attribution/terms the data's publisher asks for.
    pub attribution: Option<String>,
    /// Data records read (lines or mmdb networks).
    pub records: u64,
    /// IPv4 prefixes/ranges with an ASN.
    pub routes_v4: u64,
    /// IPv6 prefixes/ranges with an ASN.
    pub routes_v6: u64,
    /// IPv4 ranges with a country.
    pub country_ranges_v4: u64,
    /// IPv6 ranges with a country.
    pub country_ranges_v6: u64,
    /// ASNs with a registered country.
    pub asn_countries: u64,
    /// ASNs with a name.
    pub as_names: u64,
    /// Records skipped, by reason.
    pub skipped: Vec<Skip>,
    /// Other facts worth reporting (e.g. how many multi-origin prefixes were resolved by the rule).
    pub notes: BTreeMap<String, u64>,
}

impl SourceInfo {
    /// A fresh report for `name` in `format`.
    pub fn new(name: &str, format: Format) -> SourceInfo {
        SourceInfo {
            name: name.to_string(),
            format: format.name().to_string(),
            ..SourceInfo::default()
        }
    }

    /// Counts a skipped record.
    pub fn skip(&mut self, reason: &str, line: u64) {
        if let Some(s) = self.skipped.iter_mut().find(|s| s.reason == reason) {
            s.count += 1;
        } else {
            self.skipped.push(Skip {
                reason: reason.to_string(),
                count: 1,
                first_line: Some(line),
            });
        }
    }

    /// Counts a note.
    pub fn note(&mut self, what: &str) {
        *self.notes.entry(what.to_string()).or_insert(0) += 1;
    }

    /// Total records skipped.
    pub fn skipped_total(&self) -> u64 {
        self.skipped.iter().map(|s| s.count).sum()
    }
}

/// How strongly an ASN -> country record speaks (lower is stronger).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AsnCountryRank {
    /// An RIR delegated-statistics `asn` record.
    Rir = 0,
    /// A country column attached to an ASN (ip2asn TSV).
    Column = 1,
    /// The `, CC` suffix of an AS name.
    NameSuffix = 2,
}

/// The registered country of a block of ASNs (`asn..=last`) according to one source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AsnCountry {
    /// The (first) ASN.
    pub asn: u32,
    /// The last ASN of the block (`asn` for a single ASN).
    pub last: u32,
    /// Its country.
    pub country: Country,
    /// What kind of record said so.
    pub rank: AsnCountryRank,
    /// Source index (local to the loaded file until combined).
    pub src: u16,
}

/// Layers and maps already flattened (from a compact file), usable without re-flattening.
#[derive(Clone, Debug, Default)]
pub struct Prebuilt {
    /// Routing layer, IPv4.
    pub route4: Layer<u32>,
    /// Routing layer, IPv6.
    pub route6: Layer<u128>,
    /// Country layer, IPv4.
    pub cc4: Layer<u32>,
    /// Country layer, IPv6.
    pub cc6: Layer<u128>,
}

/// Everything one file contributed, before combining.
#[derive(Debug, Default)]
pub struct Loaded {
    /// Source reports; entries' `src` index into this (a compact file carries several).
    pub sources: Vec<SourceInfo>,
    /// IPv4 routing records (value: ASN).
    pub route4: Vec<Entry<u32>>,
    /// IPv6 routing records (value: ASN).
    pub route6: Vec<Entry<u128>>,
    /// IPv4 country records (value: packed country).
    pub cc4: Vec<Entry<u32>>,
    /// IPv6 country records (value: packed country).
    pub cc6: Vec<Entry<u128>>,
    /// ASN -> registered country records.
    pub asn_cc: Vec<AsnCountry>,
    /// ASN -> name (with source index).
    pub names: Vec<(u32, String, u16)>,
    /// Already-flattened layers (compact files); the entry vectors are then empty.
    pub prebuilt: Option<Box<Prebuilt>>,
    /// Summary description stored in a compact file.
    pub label: Option<String>,
}

impl Loaded {
    /// An empty contribution from one source described by `info`.
    pub fn new(info: SourceInfo) -> Loaded {
        Loaded {
            sources: vec![info],
            ..Loaded::default()
        }
    }

    /// The (single) source report of a text/mmdb loader.
    pub fn info(&mut self) -> &mut SourceInfo {
        if self.sources.is_empty() {
            self.sources.push(SourceInfo::default());
        }
        &mut self.sources[0]
    }

    /// Fills the per-source counters from the collected records.
    pub fn finish_counts(&mut self) {
        let mut counts = vec![[0u64; 6]; self.sources.len()];
        let mut add = |src: u16, k: usize, n: u64| {
            if let Some(c) = counts.get_mut(src as usize) {
                c[k] += n;
            }
        };
        let mut bump = |src: u16, k: usize| add(src, k, 1);
        self.route4.iter().for_each(|e| bump(e.src, 0));
        self.route6.iter().for_each(|e| bump(e.src, 1));
        self.cc4.iter().for_each(|e| bump(e.src, 2));
        self.cc6.iter().for_each(|e| bump(e.src, 3));
        self.names.iter().for_each(|n| bump(n.2, 5));
        self.asn_cc
            .iter()
            .for_each(|a| add(a.src, 4, u64::from(a.last.saturating_sub(a.asn)) + 1));
        for (s, c) in self.sources.iter_mut().zip(counts) {
            s.routes_v4 = c[0];
            s.routes_v6 = c[1];
            s.country_ranges_v4 = c[2];
            s.country_ranges_v6 = c[3];
            s.asn_countries = c[4];
            s.as_names = c[5];
        }
    }
}
