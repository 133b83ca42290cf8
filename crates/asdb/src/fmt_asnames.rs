//! Loader for AS-names JSON (`{"13335": "CLOUDFLARENET - Cloudflare, Inc., US", ...}`, the layout
//! of pyasn's `asnames.json`): AS names, and the trailing `, CC` as a last-resort ASN country.

use std::collections::BTreeMap;

use crate::error::DbError;
use crate::source::{AsnCountry, AsnCountryRank, Format, Loaded, SourceInfo};
use crate::text::parse_u32;
use crate::Country;

/// Splits `"NAME, CC"` into the name and the country (if the suffix is a country code).
fn split_name(v: &str) -> (&str, Option<Country>) {
    if let Some((n, cc)) = v.rsplit_once(", ") {
        let cc = cc.trim();
        if cc == "ZZ" {
            return (n.trim(), None); // "unknown"
        }
        if let Ok(c) = cc.parse::<Country>() {
            return (n.trim(), Some(c));
        }
    }
    (v.trim(), None)
}

/// Loads an AS-names JSON object.
pub fn load(name: &str, data: &[u8]) -> Result<Loaded, DbError> {
    let mut info = SourceInfo::new(name, Format::AsNames);
    info.attribution = Some("AS names: pyasn's asnames.json (MIT licence)".to_string());
    let mut out = Loaded::new(info);
    let map: BTreeMap<String, serde_json::Value> = serde_json::from_slice(data).map_err(|e| {
        DbError::line(
            name,
            e.line() as u64,
            format!("bad AS-names JSON (column {}): {e}", e.column()),
        )
    })?;
    let mut parsed: Vec<(u32, &str)> = Vec::with_capacity(map.len());
    for (k, v) in &map {
        out.info().records += 1;
        let key = k.trim_start_matches("AS");
        let (Some(asn), Some(text)) = (parse_u32(key.as_bytes()), v.as_str()) else {
            out.info()
                .skip("key is not an AS number or value is not a string", 0);
            continue;
        };
        parsed.push((asn, text));
    }
    parsed.sort_by_key(|p| p.0);
    for (asn, text) in parsed {
        let (n, cc) = split_name(text);
        if let Some(c) = cc {
            out.asn_cc.push(AsnCountry {
                asn,
                last: asn,
                country: c,
                rank: AsnCountryRank::NameSuffix,
                src: 0,
            });
        }
        if !n.is_empty() {
            out.names.push((asn, n.to_string(), 0));
        }
    }
    out.finish_counts();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_suffix_countries() {
        let l = load(
            "n.json",
            br#"{"50088": "FITL-IE Fort Technologies, GB", "7": "NO COUNTRY", "x": "bad", "9": 5, "8": "Z, ZZ"}"#,
        )
        .unwrap();
        assert_eq!(
            l.names,
            vec![
                (7, "NO COUNTRY".to_string(), 0),
                (8, "Z".to_string(), 0),
                (50088, "FITL-IE Fort Technologies".to_string(), 0)
            ]
        );
        assert_eq!(l.asn_cc.len(), 1);
        assert_eq!(l.asn_cc[0].country, Country(*b"GB"));
        assert_eq!(l.sources[0].skipped_total(), 2);
    }

    #[test]
    fn bad_json_names_the_line() {
        let e = load("n.json", b"{\n\"1\": \"A, US\",\n\"2\" \"B\"}").unwrap_err();
        assert_eq!(e.location, crate::Location::Line(3));
    }
}
