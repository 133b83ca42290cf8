//! The zone under audit: a home country and the countries counted as local.

use std::fmt;
use trombone_asdb::Country;

/// The home country (`--home`) and the countries whose traffic counts as local (`--zone`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Zone {
    home: Country,
    members: Vec<Country>,
}

/// A `--home`/`--zone` value that is not a list of ISO country codes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZoneError(pub String);

impl fmt::Display for ZoneError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl std::error::Error for ZoneError {}

impl Zone {
    /// A zone of `home` plus the comma-separated countries in `zone` (which may repeat `home`).
    pub fn parse(home: &str, zone: Option<&str>) -> Result<Zone, ZoneError> {
        let parse_cc = |s: &str| -> Result<Country, ZoneError> {
            let c: Country = s.trim().to_ascii_uppercase().parse().map_err(|_| {
                ZoneError(format!("{s:?} is not a two-letter ISO 3166 country code"))
            })?;
            // a code that names no country (a typo such as XX) would match no traffic and
            // give an empty verdict that reads like a measurement
            if trombone_geo::country(c.as_str()).is_none() {
                return Err(ZoneError(format!(
                    "{s:?} is not an ISO 3166-1 country code (e.g. KH, LA, MM, VN)"
                )));
            }
            Ok(c)
        };
        let home = parse_cc(home)?;
        let mut members = vec![home];
        if let Some(z) = zone {
            for part in z.split(',').filter(|p| !p.trim().is_empty()) {
                members.push(parse_cc(part)?);
            }
        }
        members.sort();
        members.dedup();
        Ok(Zone { home, members })
    }

    /// The home country.
    pub fn home(&self) -> Country {
        self.home
    }

    /// The countries of the zone, sorted.
    pub fn members(&self) -> &[Country] {
        &self.members
    }

    /// True when `c` is a known country of the zone.
    #[inline]
    pub fn contains(&self, c: Option<Country>) -> bool {
        match c {
            Some(c) => self.members.contains(&c),
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_that_name_no_country_are_refused() {
        assert!(Zone::parse("XX", None).is_err());
        assert!(Zone::parse("KH", Some("LA,QQ")).is_err());
        assert!(Zone::parse("kh", Some("la, mm,VN")).is_ok());
    }

    #[test]
    fn home_is_always_in_the_zone() {
        let z = Zone::parse("kh", Some("LA, MM,VN,KH")).unwrap();
        assert_eq!(z.home().to_string(), "KH");
        assert_eq!(z.members().len(), 4);
        assert!(z.contains("VN".parse().ok()));
        assert!(!z.contains("SG".parse().ok()));
        assert!(!z.contains(None));
        let z = Zone::parse("KH", None).unwrap();
        assert_eq!(z.members().len(), 1);
        assert!(Zone::parse("Cambodia", None).is_err());
        assert!(Zone::parse("KH", Some("LA,X")).is_err());
    }
}
