//! ISO 3166-1 alpha-2 country codes as a two-byte `Copy` value: part of the result
//! contract (it is serialised as a two-letter string), so it lives in the schema crate.

use std::fmt;
use std::str::FromStr;

/// An ISO 3166-1 alpha-2 country code, two uppercase ASCII letters (e.g. `KH`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Country(pub [u8; 2]);

/// Why a string is not a country code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadCountry(pub String);

impl fmt::Display for BadCountry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "not a two-letter country code: {:?}", self.0)
    }
}

impl std::error::Error for BadCountry {}

impl Country {
    /// Parses two ASCII letters (either case) into an uppercase code; `None` otherwise.
    pub fn from_bytes(b: &[u8]) -> Option<Country> {
        match b {
            [a, c] if a.is_ascii_alphabetic() && c.is_ascii_alphabetic() => {
                Some(Country([a.to_ascii_uppercase(), c.to_ascii_uppercase()]))
            }
            _ => None,
        }
    }

    /// The code as a `&str` (always two uppercase ASCII letters).
    pub fn as_str(&self) -> &str {
        // Constructors only admit ASCII letters; fall back defensively for hand-built values.
        std::str::from_utf8(&self.0).unwrap_or("??")
    }

    /// Packs the code into a `u16` (first letter in the high byte), used by the compact format.
    pub fn to_u16(self) -> u16 {
        u16::from_be_bytes(self.0)
    }

    /// Unpacks a code packed by [`Country::to_u16`]; `None` if the bytes are not letters.
    pub fn from_u16(v: u16) -> Option<Country> {
        Country::from_bytes(&v.to_be_bytes())
    }
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Country {
    type Err = BadCountry;
    fn from_str(s: &str) -> Result<Country, BadCountry> {
        Country::from_bytes(s.as_bytes()).ok_or_else(|| BadCountry(s.to_string()))
    }
}

impl serde::Serialize for Country {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Country {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Country, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl schemars::JsonSchema for Country {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Country".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^[A-Z]{2}$",
            "description": "ISO 3166-1 alpha-2 country code"
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_uppercases() {
        assert_eq!("kh".parse::<Country>().unwrap(), Country(*b"KH"));
        assert_eq!("VN".parse::<Country>().unwrap().to_string(), "VN");
        assert!("K".parse::<Country>().is_err());
        assert!("KHM".parse::<Country>().is_err());
        assert!("K1".parse::<Country>().is_err());
        assert!("".parse::<Country>().is_err());
    }

    #[test]
    fn serializes_as_string_and_back() {
        assert_eq!(serde_json::to_string(&Country(*b"LA")).unwrap(), "\"LA\"");
        let c: Country = serde_json::from_str("\"la\"").unwrap();
        assert_eq!(c, Country(*b"LA"));
        assert!(serde_json::from_str::<Country>("\"LAO\"").is_err());
    }

    #[test]
    fn u16_roundtrip_and_order() {
        let mm = Country(*b"MM");
        assert_eq!(Country::from_u16(mm.to_u16()), Some(mm));
        assert_eq!(Country::from_u16(0), None);
        assert!(Country(*b"KH") < Country(*b"LA"));
    }
}
