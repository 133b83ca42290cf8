//! How ASes, countries and links are labelled in the report.

use crate::escape::truncate;
use std::collections::BTreeMap;
use trombone_schema::Country;

/// An AS with the country its addresses were seen in (an AS may span countries; the
/// addresses of no known AS, ASN 0, are told apart by country).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AsKey {
    /// ASN (0 = unknown).
    pub asn: u32,
    /// Country (None = unknown).
    pub country: Option<Country>,
}

/// Country code for display: "VN", or "??" when unknown.
pub fn country(c: Option<Country>) -> String {
    c.map_or_else(|| "??".to_string(), |c| c.to_string())
}

/// English short name of a country code, for the countries a CLMV report usually meets.
pub fn country_name(cc: &str) -> Option<&'static str> {
    Some(match cc {
        "KH" => "Cambodia",
        "LA" => "Lao PDR",
        "MM" => "Myanmar",
        "VN" => "Viet Nam",
        "TH" => "Thailand",
        "SG" => "Singapore",
        "MY" => "Malaysia",
        "ID" => "Indonesia",
        "PH" => "Philippines",
        "BN" => "Brunei",
        "TL" => "Timor-Leste",
        "HK" => "Hong Kong",
        "CN" => "China",
        "TW" => "Taiwan",
        "JP" => "Japan",
        "KR" => "Korea",
        "IN" => "India",
        "BD" => "Bangladesh",
        "AU" => "Australia",
        "US" => "United States",
        "GB" => "United Kingdom",
        "DE" => "Germany",
        "FR" => "France",
        "NL" => "Netherlands",
        _ => return None,
    })
}

/// "Cambodia (KH)" or just the code when the name is not in the table.
pub fn country_long(cc: Country) -> String {
    match country_name(cc.as_str()) {
        Some(n) => format!("{n} ({cc})"),
        None => cc.to_string(),
    }
}

/// Offset of local time from UTC in minutes, for the CLMV countries and their neighbours
/// (none of them keeps daylight saving time).
pub fn utc_offset_min(cc: Country) -> Option<i64> {
    Some(match cc.as_str() {
        "KH" | "LA" | "VN" | "TH" => 420,
        "MM" => 390,
        "SG" | "MY" | "HK" | "CN" | "PH" | "TW" => 480,
        _ => return None,
    })
}

/// The AS name's first word, the registry handle ("VIETTEL-AS-VN Viettel Group, VN" -> "VIETTEL-AS-VN").
pub fn handle(name: &str) -> &str {
    name.split_whitespace().next().unwrap_or("")
}

/// Labels for ASes from the result's name table.
#[derive(Clone, Debug, Default)]
pub struct Names {
    names: BTreeMap<u32, String>,
}

impl Names {
    /// Wraps an ASN → name table.
    pub fn new(names: BTreeMap<u32, String>) -> Names {
        Names { names }
    }

    /// The full AS name, if known (never for ASN 0).
    pub fn full(&self, asn: u32) -> Option<&str> {
        if asn == 0 {
            return None;
        }
        self.names.get(&asn).map(String::as_str)
    }

    /// "AS7552", or for ASN 0 "unknown AS".
    pub fn number(asn: u32) -> String {
        if asn == 0 {
            "unknown AS".into()
        } else {
            format!("AS{asn}")
        }
    }

    /// A short label without the country: "AS7552 VIETTEL-AS-VN" (handle truncated to
    /// `max` characters), "unknown AS".
    pub fn short(&self, asn: u32, max: usize) -> String {
        match self.full(asn).map(handle).filter(|h| !h.is_empty()) {
            Some(h) => format!("{} {}", Names::number(asn), truncate(h, max)),
            None => Names::number(asn),
        }
    }

    /// A short label with the country: "AS7552 VIETTEL-AS-VN · VN"; unknown networks are
    /// named by their country: "unknown AS · KH", "unknown AS · ??".
    pub fn short_cc(&self, k: &AsKey, max: usize) -> String {
        format!("{} · {}", self.short(k.asn, max), country(k.country))
    }

    /// A link's neighbour: "AS7473 SINGTEL-AS-AP", or "no ASN given" when the links file
    /// gives none (never "AS0").
    pub fn neighbour(&self, asn: u32) -> String {
        if asn == 0 {
            "no ASN given".into()
        } else {
            self.short(asn, 30)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Names {
        let mut m = BTreeMap::new();
        m.insert(7552, "VIETTEL-AS-VN Viettel Group, VN".to_string());
        m.insert(0, "should never show".to_string());
        Names::new(m)
    }

    fn cc(s: &str) -> Option<Country> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn labels() {
        let n = names();
        let k = AsKey {
            asn: 7552,
            country: cc("VN"),
        };
        assert_eq!(n.short(7552, 30), "AS7552 VIETTEL-AS-VN");
        assert_eq!(n.short(7552, 8), "AS7552 VIETTEL…");
        assert_eq!(n.short(9988, 30), "AS9988");
        assert_eq!(n.short(0, 30), "unknown AS");
        assert_eq!(n.short_cc(&k, 30), "AS7552 VIETTEL-AS-VN · VN");
        let unknown = AsKey {
            asn: 9988,
            country: None,
        };
        assert_eq!(n.short_cc(&unknown, 30), "AS9988 · ??");
    }

    #[test]
    fn unknown_networks_carry_their_country_and_no_as0() {
        let n = names();
        let kh = AsKey {
            asn: 0,
            country: cc("KH"),
        };
        assert_eq!(n.short_cc(&kh, 30), "unknown AS · KH");
        assert_eq!(n.neighbour(0), "no ASN given");
        assert_eq!(n.neighbour(7552), "AS7552 VIETTEL-AS-VN");
    }

    #[test]
    fn countries() {
        assert_eq!(country_long("KH".parse().unwrap()), "Cambodia (KH)");
        assert_eq!(country_long("ZZ".parse().unwrap()), "ZZ");
        assert_eq!(country(None), "??");
        assert_eq!(utc_offset_min("MM".parse().unwrap()), Some(390));
    }
}
