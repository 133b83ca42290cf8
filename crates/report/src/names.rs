//! How ASes, countries and links are labelled in the report.

use crate::escape::truncate;
use crate::merge::AsKey;
use std::collections::BTreeMap;

/// Country code for display: "VN", or "??" when unknown.
pub fn country(c: Option<&str>) -> &str {
    c.unwrap_or("??")
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
pub fn country_long(cc: &str) -> String {
    match country_name(cc) {
        Some(n) => format!("{n} ({cc})"),
        None => cc.to_string(),
    }
}

/// The AS name's first word, the registry handle ("VIETTEL-AS-VN Viettel Group, VN" -> "VIETTEL-AS-VN").
pub fn handle(name: &str) -> &str {
    name.split_whitespace().next().unwrap_or("")
}

/// Labels for ASes from the results' name table.
#[derive(Clone, Debug, Default)]
pub struct Names {
    names: BTreeMap<u32, String>,
}

impl Names {
    /// Wraps an ASN → name table.
    pub fn new(names: BTreeMap<u32, String>) -> Names {
        Names { names }
    }

    /// The full AS name, if known.
    pub fn full(&self, asn: u32) -> Option<&str> {
        self.names.get(&asn).map(String::as_str)
    }

    /// "AS7552" or "unknown AS" for 0.
    pub fn number(asn: u32) -> String {
        if asn == 0 {
            "unknown AS".into()
        } else {
            format!("AS{asn}")
        }
    }

    /// A short label: "AS7552 VIETTEL-AS-VN" (handle truncated to `max` characters).
    pub fn short(&self, asn: u32, max: usize) -> String {
        match self.full(asn).map(handle).filter(|h| !h.is_empty()) {
            Some(h) => format!("{} {}", Names::number(asn), truncate(h, max)),
            None => Names::number(asn),
        }
    }

    /// A short label with the country: "AS7552 VIETTEL-AS-VN · VN".
    pub fn short_cc(&self, k: &AsKey, max: usize) -> String {
        format!(
            "{} · {}",
            self.short(k.asn, max),
            country(k.country.as_deref())
        )
    }

    /// The long label for tooltips: "AS7552 VIETTEL-AS-VN Viettel Group, VN (VN)".
    pub fn long_cc(&self, k: &AsKey) -> String {
        match self.full(k.asn) {
            Some(n) => format!(
                "{} {} ({})",
                Names::number(k.asn),
                n,
                country(k.country.as_deref())
            ),
            None => format!(
                "{} ({})",
                Names::number(k.asn),
                country(k.country.as_deref())
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Names {
        let mut m = BTreeMap::new();
        m.insert(7552, "VIETTEL-AS-VN Viettel Group, VN".to_string());
        Names::new(m)
    }

    #[test]
    fn labels() {
        let n = names();
        let k = AsKey {
            asn: 7552,
            country: Some("VN".into()),
        };
        assert_eq!(n.short(7552, 30), "AS7552 VIETTEL-AS-VN");
        assert_eq!(n.short(7552, 8), "AS7552 VIETTEL…");
        assert_eq!(n.short(9988, 30), "AS9988");
        assert_eq!(n.short(0, 30), "unknown AS");
        assert_eq!(n.short_cc(&k, 30), "AS7552 VIETTEL-AS-VN · VN");
        assert_eq!(n.long_cc(&k), "AS7552 VIETTEL-AS-VN Viettel Group, VN (VN)");
        let unknown = AsKey {
            asn: 9988,
            country: None,
        };
        assert_eq!(n.long_cc(&unknown), "AS9988 (??)");
    }

    #[test]
    fn countries() {
        assert_eq!(country_long("KH"), "Cambodia (KH)");
        assert_eq!(country_long("ZZ"), "ZZ");
        assert_eq!(country(None), "??");
    }
}
