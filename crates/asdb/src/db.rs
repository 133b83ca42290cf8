//! The database handle: construction entry points, hot-path lookups, names, info and explanations.

use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use crate::asn_ranges::AsnCountries;
use crate::explain::{CountryOrigin, DbInfo, Explanation, RouteMatch};
use crate::names::AsNames;
use crate::ranges::{prefix_mask, Attr, Key, Layer, NONE};
use crate::source::{Prebuilt, SourceFile, SourceInfo};
use crate::table::Table;
use crate::{combine, detect, Country, DbError, DbSource, NetInfo};

/// An IP -> (ASN, country) database. Immutable once built; `Send + Sync`, share it via `Arc`.
#[derive(Clone, Debug, Default)]
pub struct AsDb {
    /// IPv4 lookup table (final answers).
    pub(crate) v4: Table<u32>,
    /// IPv6 lookup table (final answers).
    pub(crate) v6: Table<u128>,
    /// The routing and country layers the tables were built from (for explanations/export).
    pub(crate) layers: Prebuilt,
    /// ASN -> (registered country, source index), as ASN intervals.
    pub(crate) asn_cc: AsnCountries,
    /// ASN -> name.
    pub(crate) names: AsNames,
    /// Every source, indexed by the `src` of layer pieces.
    pub(crate) sources: Vec<SourceInfo>,
    /// Summary description and date.
    pub(crate) source: DbSource,
}

impl AsDb {
    /// A database that knows nothing: every address is ASN 0, country `None`.
    pub fn empty() -> AsDb {
        AsDb {
            source: DbSource {
                source: "none (empty database)".to_string(),
                date: None,
            },
            ..AsDb::default()
        }
    }

    /// Loads and combines the given files (format detected from each file's content).
    pub fn load(paths: &[PathBuf]) -> Result<AsDb, DbError> {
        let mut loaded = Vec::with_capacity(paths.len());
        for p in paths {
            let data = detect::read_source(p)?;
            loaded.push(detect::load_bytes(&p.display().to_string(), &data)?);
        }
        combine::combine(loaded)
    }

    /// Loads and combines the given files, each used as its [`SourceFile`] says.
    pub fn load_files(files: &[SourceFile]) -> Result<AsDb, DbError> {
        let mut loaded = Vec::with_capacity(files.len());
        for f in files {
            let data = detect::read_source(&f.path)?;
            let mut l = detect::load_bytes(&f.path.display().to_string(), &data)?;
            if f.routing_only {
                let (cc, names) = (l.asn_cc.len(), l.names.len());
                l.asn_cc.clear();
                l.names.clear();
                l.finish_counts();
                let info = l.info();
                if cc > 0 {
                    info.notes.insert(
                        "ASN country records not used (routing-only source)".to_string(),
                        cc as u64,
                    );
                }
                if names > 0 {
                    info.notes.insert(
                        "AS names not used (routing-only source)".to_string(),
                        names as u64,
                    );
                }
            }
            if let Some(a) = &f.attribution {
                l.info().attribution = Some(a.clone());
            }
            if let Some(d) = &f.description {
                l.info().description = Some(d.clone());
            }
            loaded.push(l);
        }
        combine::combine(loaded)
    }

    /// Loads and combines in-memory file contents given as `(name, bytes)` (gzip allowed;
    /// anything else is read in place, not copied).
    pub fn load_bytes(files: &[(&str, &[u8])]) -> Result<AsDb, DbError> {
        let mut loaded = Vec::with_capacity(files.len());
        for (name, bytes) in files {
            let unzipped = detect::gunzip(name, bytes)?;
            loaded.push(detect::load_bytes(
                name,
                unzipped.as_deref().unwrap_or(bytes),
            )?);
        }
        combine::combine(loaded)
    }

    /// The default database compiled into the binary (2024 RouteViews + APNIC; see `db info`).
    pub fn embedded() -> AsDb {
        crate::embedded::load()
    }

    /// The embedded default database, decoded once per process and shared (cheap to call
    /// repeatedly, e.g. from many tests).
    pub fn embedded_shared() -> Arc<AsDb> {
        static DB: OnceLock<Arc<AsDb>> = OnceLock::new();
        DB.get_or_init(|| Arc::new(AsDb::embedded())).clone()
    }

    /// Looks up an address (IPv4 or IPv6). IPv4-mapped IPv6 addresses are looked up as IPv6.
    #[inline]
    pub fn lookup(&self, ip: IpAddr) -> NetInfo {
        match ip {
            IpAddr::V4(a) => self.v4.lookup(u32::from(a)),
            IpAddr::V6(a) => self.v6.lookup(u128::from(a)),
        }
    }

    /// Looks up an IPv4 address given as a host-order `u32`.
    #[inline]
    pub fn lookup_v4(&self, ip: u32) -> NetInfo {
        self.v4.lookup(ip)
    }

    /// Looks up an IPv6 address given as a host-order `u128`.
    #[inline]
    pub fn lookup_v6(&self, ip: u128) -> NetInfo {
        self.v6.lookup(ip)
    }

    /// Where the data came from and its date (for reports).
    pub fn source(&self) -> &DbSource {
        &self.source
    }

    /// Per-file reports (format, date, attribution, counts, skipped records).
    pub fn sources(&self) -> &[SourceInfo] {
        &self.sources
    }

    /// The attribution/terms statements of all sources, deduplicated, in source order.
    pub fn attributions(&self) -> Vec<&str> {
        let mut v: Vec<&str> = Vec::new();
        for a in self.sources.iter().filter_map(|s| s.attribution.as_deref()) {
            if !v.contains(&a) {
                v.push(a);
            }
        }
        v
    }

    /// The name of an AS, if any source provided one.
    pub fn as_name(&self, asn: u32) -> Option<&str> {
        self.names.get(asn)
    }

    /// The registered country of an AS, if any source provided one.
    pub fn asn_country(&self, asn: u32) -> Option<Country> {
        self.asn_cc.get(asn).map(|(c, _)| c)
    }

    /// Summary for `trombone db info`.
    pub fn info(&self) -> DbInfo {
        let sum = |f: fn(&SourceInfo) -> u64| self.sources.iter().map(f).sum::<u64>();
        let lookup_bytes = self.v4.heap_bytes() + self.v6.heap_bytes();
        let layer_bytes = self.layers.route4.heap_bytes()
            + self.layers.route6.heap_bytes()
            + self.layers.cc4.heap_bytes()
            + self.layers.cc6.heap_bytes();
        let map_bytes = self.asn_cc.heap_bytes();
        DbInfo {
            source: self.source.clone(),
            sources: self.sources.clone(),
            routes_v4: sum(|s| s.routes_v4),
            routes_v6: sum(|s| s.routes_v6),
            country_ranges_v4: sum(|s| s.country_ranges_v4),
            country_ranges_v6: sum(|s| s.country_ranges_v6),
            lookup_ranges_v4: self.v4.len(),
            lookup_ranges_v6: self.v6.len(),
            asn_countries: self.asn_cc.len(),
            as_names: self.names.len(),
            lookup_bytes,
            memory_bytes: lookup_bytes + layer_bytes + map_bytes + self.names.heap_bytes(),
        }
    }

    /// Explains the answer for `ip`: matched prefix, ASN, AS name, country and their sources.
    pub fn explain(&self, ip: IpAddr) -> Explanation {
        let info = self.lookup(ip);
        let (route, cc_range) = match ip {
            IpAddr::V4(a) => {
                let k = u32::from(a);
                (piece(&self.layers.route4, k), piece(&self.layers.cc4, k))
            }
            IpAddr::V6(a) => {
                let k = u128::from(a);
                (piece(&self.layers.route6, k), piece(&self.layers.cc6, k))
            }
        };
        let src_name = |src: u16| {
            self.sources
                .get(src as usize)
                .map(|s| s.name.clone())
                .unwrap_or_else(|| format!("source #{src}"))
        };
        let route = route.map(|(prefix, a)| RouteMatch {
            prefix,
            asn: a.val,
            source: src_name(a.src),
        });
        let country_origin = match (cc_range, info.asn) {
            (Some((range, a)), _) => CountryOrigin::Range {
                range,
                source: src_name(a.src),
            },
            (None, asn) if asn != 0 => match self.asn_cc.get(asn) {
                Some((_, src)) => CountryOrigin::AsnRegistration {
                    source: src_name(src),
                },
                None => CountryOrigin::Unknown,
            },
            _ => CountryOrigin::Unknown,
        };
        Explanation {
            ip,
            asn: info.asn,
            as_name: self.as_name(info.asn).map(str::to_string),
            country: info.country,
            route,
            country_origin,
        }
    }
}

/// The data piece of `layer` containing `ip`, as (prefix-or-range text, attributes).
fn piece<K: Key>(layer: &Layer<K>, ip: K) -> Option<(String, Attr)> {
    let i = layer.find(ip);
    let a = *layer.attrs.get(i)?;
    if a.val == NONE {
        return None;
    }
    let text = if a.cidr {
        let net = ip.to_u128() & prefix_mask::<K>(a.prio);
        format!("{}/{}", K::from_u128(net).fmt_addr(), a.prio)
    } else {
        format!(
            "{}-{}",
            layer.starts[i].fmt_addr(),
            layer.piece_end(i).fmt_addr()
        )
    };
    Some((text, a))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn empty_knows_nothing_and_is_shareable() {
        assert_send_sync::<AsDb>();
        let db = AsDb::empty();
        assert_eq!(db.lookup("1.1.1.1".parse().unwrap()), NetInfo::UNKNOWN);
        assert_eq!(db.lookup("2001:db8::1".parse().unwrap()), NetInfo::UNKNOWN);
        assert_eq!(db.lookup_v4(u32::MAX), NetInfo::UNKNOWN);
        assert_eq!(db.lookup_v6(u128::MAX), NetInfo::UNKNOWN);
        assert_eq!(db.as_name(13335), None);
        let e = db.explain("1.1.1.1".parse().unwrap());
        assert_eq!((e.route, e.country_origin), (None, CountryOrigin::Unknown));
    }
}
