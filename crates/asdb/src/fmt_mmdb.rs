//! Loader for MaxMind DB (`.mmdb`) files via the maintained `maxminddb` crate: GeoLite2/GeoIP2
//! ASN, ISP, Country, City and Enterprise layouts and DB-IP lite files of the same format.
//!
//! The file is verified (search tree, separator, data section) and every network read once at
//! load time: `autonomous_system_number` makes a
//! routing record (and `autonomous_system_organization` an AS name); `country.iso_code`, else
//! `registered_country.iso_code`, makes a range-country record. A corrupt file is an error naming
//! the file and byte offset; the reader is additionally guarded so that a panic inside it becomes
//! an error too.

use std::panic::{catch_unwind, AssertUnwindSafe};

use maxminddb::{MaxMindDbError, Reader, WithinOptions};
use serde::Deserialize;

use crate::error::DbError;
use crate::ranges::Entry;
use crate::source::{Format, Loaded, SourceInfo};
use crate::text::date_from_epoch;
use crate::Country;

/// The fields trombone reads from a record (others are ignored).
#[derive(Deserialize, Default)]
struct Rec<'a> {
    #[serde(default)]
    autonomous_system_number: Option<u32>,
    #[serde(borrow, default)]
    autonomous_system_organization: Option<&'a str>,
    #[serde(borrow, default)]
    country: Option<Iso<'a>>,
    #[serde(borrow, default)]
    registered_country: Option<Iso<'a>>,
}

/// A `country`/`registered_country` sub-record.
#[derive(Deserialize, Default)]
struct Iso<'a> {
    #[serde(borrow, default)]
    iso_code: Option<&'a str>,
}

/// Attribution the publishers ask for, by database type.
fn attribution(db_type: &str, description: Option<&String>) -> Option<String> {
    if db_type.starts_with("GeoLite2") {
        Some("This product includes GeoLite2 data created by MaxMind".to_string())
    } else if db_type.starts_with("GeoIP") {
        Some("GeoIP2 data by MaxMind".to_string())
    } else if db_type.to_ascii_lowercase().contains("dbip")
        || db_type.to_ascii_lowercase().contains("db-ip")
    {
        Some("IP Geolocation by DB-IP, licensed under CC BY 4.0".to_string())
    } else {
        description.cloned()
    }
}

/// Converts a reader error to a `DbError` with an absolute byte offset where one is known.
fn to_err(name: &str, data_section: u64, e: MaxMindDbError) -> DbError {
    match &e {
        MaxMindDbError::InvalidDatabase {
            offset: Some(o), ..
        } => DbError::offset(name, *o as u64, format!("corrupt mmdb: {e}")),
        MaxMindDbError::Decoding {
            offset: Some(o), ..
        }
        | MaxMindDbError::ResourceLimit {
            offset: Some(o), ..
        } => DbError::offset(name, data_section + *o as u64, format!("corrupt mmdb: {e}")),
        _ => DbError::file(name, format!("corrupt mmdb: {e}")),
    }
}

/// Loads an mmdb file.
pub fn load(name: &str, data: &[u8]) -> Result<Loaded, DbError> {
    match catch_unwind(AssertUnwindSafe(|| load_inner(name, data))) {
        Ok(r) => r,
        Err(_) => Err(DbError::file(
            name,
            "corrupt mmdb: the reader failed on this file",
        )),
    }
}

fn load_inner(name: &str, data: &[u8]) -> Result<Loaded, DbError> {
    let reader = Reader::from_source(data).map_err(|e| to_err(name, 0, e))?;
    let md = reader.metadata();
    let tree_bytes = u64::from(md.node_count) * u64::from(md.record_size) / 4;
    let data_section = tree_bytes + 16;
    // Iteration alone tolerates some corrupt trees (records pointing into nowhere read as "no
    // data"); the full structural check turns those into errors.
    reader.verify().map_err(|e| to_err(name, data_section, e))?;
    let mut info = SourceInfo::new(name, Format::Mmdb);
    info.date = date_from_epoch(md.build_epoch);
    info.description = Some(md.database_type.clone());
    info.attribution = attribution(&md.database_type, md.description.get("en"));
    let mut out = Loaded::new(info);
    let mut n = 0u64;
    for item in reader
        .networks(WithinOptions::default())
        .map_err(|e| to_err(name, data_section, e))?
    {
        n += 1;
        let res = item.map_err(|e| to_err(name, data_section, e))?;
        let net = res.network().map_err(|e| to_err(name, data_section, e))?;
        let Some(rec) = res
            .decode::<Rec>()
            .map_err(|e| to_err(name, data_section, e))?
        else {
            continue;
        };
        out.info().records += 1;
        let country_code = rec.country.as_ref().and_then(|c| c.iso_code);
        let reg_code = rec.registered_country.as_ref().and_then(|c| c.iso_code);
        let cc = match (country_code, reg_code) {
            (Some(c), _) => Some(c),
            (None, Some(r)) => {
                out.info()
                    .note("networks with registered_country only (used as country)");
                Some(r)
            }
            (None, None) => None,
        };
        let cc = match cc.map(|c| c.parse::<Country>()) {
            Some(Ok(c)) => Some(c),
            Some(Err(_)) => {
                out.info().skip("bad country iso_code", n);
                None
            }
            None => None,
        };
        if rec.autonomous_system_number.is_none() && cc.is_none() {
            out.info().skip("network without ASN or country", n);
            continue;
        }
        let prefix = net.prefix();
        match net.network() {
            std::net::IpAddr::V4(a) => {
                let a = u32::from(a);
                if let Some(asn) = rec.autonomous_system_number {
                    out.route4.extend(Entry::prefix(a, prefix, asn, 0));
                }
                if let Some(c) = cc {
                    out.cc4
                        .extend(Entry::prefix(a, prefix, u32::from(c.to_u16()), 0));
                }
            }
            std::net::IpAddr::V6(a) => {
                let a = u128::from(a);
                if let Some(asn) = rec.autonomous_system_number {
                    out.route6.extend(Entry::prefix(a, prefix, asn, 0));
                }
                if let Some(c) = cc {
                    out.cc6
                        .extend(Entry::prefix(a, prefix, u32::from(c.to_u16()), 0));
                }
            }
        }
        if let (Some(asn), Some(org)) = (
            rec.autonomous_system_number,
            rec.autonomous_system_organization,
        ) {
            out.names.push((asn, org.to_string(), 0));
        }
    }
    out.finish_counts();
    Ok(out)
}
