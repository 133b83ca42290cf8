//! The evidence section, derived from the per-pair handshake distributions (so a merge
//! derives it the same way from merged distributions).
//!
//! - **Handshake RTT** per AS pair, split by whether the handshake's SYN hairpinned, with
//!   Karn's rule (a retransmitted SYN or SYN/ACK gives no sample; those are counted, split
//!   the same way).
//! - **Latency a local IXP would save**: a hairpinned pair's median handshake against a
//!   baseline of locally exchanged handshakes — the pair's own direct handshakes, else
//!   those of the same country pair, else the zone's — and the difference.
//! - **Tromboning Index** (ESCAP/AP-IS, 2016): the path distance the fastest handshake
//!   implies (RTT ÷ 2 × 200 km/ms ÷ 1.5 fibre stretch) over the great-circle distance
//!   between the two networks' locations (the built-in country table: capital or primate
//!   city, from GeoNames), with distances below a floor taken as the floor.

use crate::hairpin::PairAcc;
use hdrhistogram::Histogram;
use std::collections::BTreeMap;
use trombone_asdb::Country;
use trombone_geo::{TiParams, DEFAULT_FLOOR_KM, FIBRE_KM_PER_MS, FIBRE_STRETCH, TI_ACCEPTABLE};
use trombone_schema::{
    hist, CountryPairEvidence, Evidence, LatencyHeadline, PairEvidence, Rtt, Ti, TiMethod,
};
use trombone_worker::AsPair;

/// Routing and membership data the evidence draws on besides the traffic: BGP dumps
/// (`--bgp`), IXP member lists (`--peeringdb`, `--ixp-members`) and the database's
/// registered country of each AS (to tell whether a path leaves the zone).
pub struct EvidenceSources {
    /// The RIB and what it was read from.
    pub bgp: Option<(trombone_bgp::Rib, String)>,
    /// The IXP directory and what it was read from.
    pub ixp: Option<(trombone_ixp::IxpDirectory, String)>,
    /// The registered country of an AS.
    pub as_country: Box<dyn Fn(u32) -> Option<Country> + Send + Sync>,
}

impl std::fmt::Debug for EvidenceSources {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EvidenceSources")
            .field("bgp", &self.bgp.as_ref().map(|b| &b.1))
            .field("ixp", &self.ixp.as_ref().map(|i| &i.1))
            .finish()
    }
}

/// The BGP evidence of a pair: the paths by which `a` reaches `b`, whether the best one
/// leaves the zone, and through whom.
fn bgp_evidence(
    rib: &trombone_bgp::Rib,
    a: u32,
    b: u32,
    zone: &[Country],
    as_country: &dyn Fn(u32) -> Option<Country>,
) -> trombone_schema::BgpEvidence {
    let pb = rib.paths_between(a, b, 3);
    let basis = match pb.basis {
        trombone_bgp::Basis::ViaSource => "source_view",
        trombone_bgp::Basis::CollectorView => "collector_view",
        trombone_bgp::Basis::None => "none",
    };
    let paths: Vec<trombone_schema::BgpPath> = pb
        .paths
        .iter()
        .map(|p| trombone_schema::BgpPath {
            path: trombone_bgp::dedup_prepending(&p.asns),
            weight: p.prefixes,
        })
        .collect();
    let transit: Vec<u32> = paths.first().map_or_else(Vec::new, |best| {
        trombone_bgp::transit_of(&best.path)
            .into_iter()
            .filter(|t| *t != a && *t != b)
            .filter(|t| !as_country(*t).is_some_and(|c| zone.contains(&c)))
            .collect()
    });
    trombone_schema::BgpEvidence {
        basis: basis.into(),
        leaves_zone: paths.first().map(|_| !transit.is_empty()),
        paths,
        transit,
    }
}

/// What the evidence is derived under.
pub(crate) struct EvidenceInputs<'a> {
    pub sources: Option<&'a EvidenceSources>,
    pub zone: &'a [Country],
    pub floor_ms: f64,
    pub rtt_all: bool,
    pub handshakes_dropped: u64,
    pub pairs: &'a BTreeMap<AsPair, PairAcc>,
    /// Unique local packets and bytes of every local pair, hairpinned or not.
    pub local: &'a BTreeMap<AsPair, [u64; 2]>,
    /// BGP and IXP evidence carried over per pair (from results being merged).
    pub carried: &'a BTreeMap<AsPair, PairEvidence>,
    /// Where the carried BGP and IXP evidence came from.
    pub carried_sources: &'a (Option<String>, Option<String>),
}

/// A country pair.
type CountryPair = (Option<Country>, Option<Country>);
/// A histogram that may not exist yet.
type Hist = Option<Histogram<u64>>;

/// A histogram that adds others.
fn new_hist() -> Histogram<u64> {
    let mut h = Histogram::new(3).expect("3 significant figures is valid");
    h.auto(true);
    h
}

/// RTT figures of a µs histogram, or `None` without samples.
pub(crate) fn rtt(h: Option<&Histogram<u64>>) -> Option<Rtt> {
    let h = h.filter(|h| !h.is_empty())?;
    Some(Rtt {
        samples: h.len(),
        min: h.min() as f64 / 1000.0,
        p50: h.value_at_quantile(0.5) as f64 / 1000.0,
        p90: h.value_at_quantile(0.9) as f64 / 1000.0,
        hist: Some(hist::encode(h)),
    })
}

/// The TI of a path whose fastest handshake took `min_ms`, between two countries.
fn ti(min_ms: f64, a: Option<Country>, b: Option<Country>) -> Option<Ti> {
    let params = TiParams::default();
    let r = trombone_geo::tromboning_index_countries(min_ms, a?.as_str(), b?.as_str(), &params)?;
    Some(Ti {
        value: r.ti,
        path_km: r.path_km,
        geo_km: r.geo_km,
        floored: r.floored,
        above_acceptable: r.above_acceptable(),
    })
}

/// Adds `b` into `a`.
fn add(a: &mut Option<Histogram<u64>>, b: &Option<Histogram<u64>>) {
    if let Some(b) = b.as_ref().filter(|b| !b.is_empty()) {
        let _ = a.get_or_insert_with(new_hist).add(b);
    }
}

/// The evidence section.
pub(crate) fn evidence(x: &EvidenceInputs<'_>) -> Evidence {
    let in_zone = |c: Option<Country>| c.is_some_and(|c| x.zone.contains(&c));
    let mut all_hairpin: Option<Histogram<u64>> = None;
    let mut all_direct: Option<Histogram<u64>> = None;
    let mut retransmitted = 0;
    let mut by_country: BTreeMap<CountryPair, (Hist, Hist)> = BTreeMap::new();
    for (p, a) in x.pairs {
        let local = in_zone(p.src_country) && in_zone(p.dst_country);
        if !local {
            // with `--rtt all` pairs outside the zone are timed too, but the headline
            // compares local handshakes only: their Karn exclusions stay out of it
            continue;
        }
        retransmitted += a.retransmitted + a.retransmitted_direct;
        add(&mut all_hairpin, &a.handshake_us);
        add(&mut all_direct, &a.direct_handshake_us);
        let e = by_country
            .entry((p.src_country, p.dst_country))
            .or_default();
        add(&mut e.0, &a.handshake_us);
        add(&mut e.1, &a.direct_handshake_us);
    }
    // every local country pair with local traffic is listed, whether or not any of its
    // pairs hairpinned or shook hands: from the local traffic of every pair, which merges
    // exactly (a pair without hairpin sightings in one piece is still in its local_pairs)
    for p in x.local.keys() {
        if in_zone(p.src_country) && in_zone(p.dst_country) {
            by_country
                .entry((p.src_country, p.dst_country))
                .or_default();
        }
    }
    let median = |h: &Option<Histogram<u64>>| {
        h.as_ref()
            .filter(|h| !h.is_empty())
            .map(|h| h.value_at_quantile(0.5) as f64 / 1000.0)
    };
    let zone_direct = median(&all_direct);
    let headline = LatencyHeadline {
        hairpinned_handshakes: all_hairpin.as_ref().map_or(0, |h| h.len()),
        hairpinned_median_ms: median(&all_hairpin),
        direct_handshakes: all_direct.as_ref().map_or(0, |h| h.len()),
        direct_median_ms: zone_direct,
        saving_ms: median(&all_hairpin).zip(zone_direct).map(|(h, d)| h - d),
        retransmitted,
        handshakes_dropped: x.handshakes_dropped,
    };
    let mut pairs: Vec<PairEvidence> = Vec::new();
    for (p, a) in x.pairs {
        let local = in_zone(p.src_country) && in_zone(p.dst_country);
        let carried = x.carried.get(p);
        let has_rtt = a.handshake_us.is_some()
            || a.direct_handshake_us.is_some()
            || a.retransmitted + a.retransmitted_direct > 0;
        let hairpinned_pair = local && a.bytes > 0;
        if !(has_rtt
            || hairpinned_pair
            || carried.is_some_and(|c| c.bgp.is_some() || c.common_ixps.is_some()))
        {
            continue;
        }
        if !local && !x.rtt_all {
            continue;
        }
        let hairpinned = rtt(a.handshake_us.as_ref());
        let direct = rtt(a.direct_handshake_us.as_ref());
        let (baseline, basis) = if let Some(d) = &direct {
            (Some(d.p50), Some("this pair's direct handshakes"))
        } else if let Some(d) = by_country
            .get(&(p.src_country, p.dst_country))
            .and_then(|e| median(&e.1))
        {
            (Some(d), Some("direct handshakes of the same country pair"))
        } else if let Some(d) = zone_direct {
            (Some(d), Some("direct handshakes of the zone"))
        } else {
            (None, None)
        };
        let (baseline, basis) = if hairpinned.is_some() {
            (baseline, basis)
        } else {
            (None, None)
        };
        pairs.push(PairEvidence {
            src_asn: p.src_asn,
            dst_asn: p.dst_asn,
            src_country: p.src_country,
            dst_country: p.dst_country,
            local,
            hairpinned_bytes: a.bytes,
            exceeds_domestic_floor: hairpinned.as_ref().map(|h| h.min > x.floor_ms),
            saving_ms: hairpinned.as_ref().zip(baseline).map(|(h, b)| h.p50 - b),
            baseline_ms: baseline,
            baseline_basis: basis.map(str::to_string),
            ti: hairpinned
                .as_ref()
                .and_then(|h| ti(h.min, p.src_country, p.dst_country)),
            ti_direct: direct
                .as_ref()
                .and_then(|h| ti(h.min, p.src_country, p.dst_country)),
            hairpinned,
            direct,
            retransmitted: a.retransmitted + a.retransmitted_direct,
            retransmitted_hairpinned: a.retransmitted,
            retransmitted_direct: a.retransmitted_direct,
            bgp: match x.sources.and_then(|s| s.bgp.as_ref()) {
                Some((rib, _)) if local => Some(bgp_evidence(
                    rib,
                    p.src_asn,
                    p.dst_asn,
                    x.zone,
                    &*x.sources.expect("has bgp").as_country,
                )),
                _ => carried.and_then(|c| c.bgp.clone()),
            },
            common_ixps: match x.sources.and_then(|s| s.ixp.as_ref()) {
                Some((dir, _)) if local => {
                    let zone: Vec<&str> = x.zone.iter().map(|c| c.as_str()).collect();
                    Some(
                        dir.common_ixps(p.src_asn, p.dst_asn, &zone)
                            .into_iter()
                            .filter_map(|id| dir.ixp(id))
                            .map(|ix| trombone_schema::IxpRef {
                                name: ix.name.clone(),
                                country: ix.country.as_deref().and_then(|c| c.parse().ok()),
                            })
                            .collect(),
                    )
                }
                _ => carried.and_then(|c| c.common_ixps.clone()),
            },
            peering: None,
        });
    }
    for p in &mut pairs {
        if p.hairpinned_bytes > 0 {
            p.peering = p.common_ixps.as_ref().map(|c| {
                if c.is_empty() {
                    "no common IXP".to_string()
                } else {
                    "present at the same IXP, not exchanging locally".to_string()
                }
            });
        }
    }
    pairs.sort_by(|a, b| {
        b.hairpinned_bytes.cmp(&a.hairpinned_bytes).then(
            (a.src_asn, a.dst_asn, a.src_country, a.dst_country).cmp(&(
                b.src_asn,
                b.dst_asn,
                b.src_country,
                b.dst_country,
            )),
        )
    });
    let country_pairs = by_country
        .iter()
        .map(|((s, d), (h, dir))| {
            let hr = rtt(h.as_ref());
            let dr = rtt(dir.as_ref());
            let base = dr.as_ref().map(|d| d.p50).or(zone_direct);
            CountryPairEvidence {
                src_country: *s,
                dst_country: *d,
                saving_ms: hr.as_ref().zip(base).map(|(h, b)| h.p50 - b),
                ti: hr.as_ref().and_then(|h| ti(h.min, *s, *d)),
                geo_km: s
                    .zip(*d)
                    .and_then(|(a, b)| trombone_geo::country_distance_km(a.as_str(), b.as_str())),
                hairpinned: hr,
                direct: dr,
            }
        })
        .collect();
    Evidence {
        rtt_scope: if x.rtt_all { "all" } else { "local" }.into(),
        handshake_lifetime_s: trombone_hairpin::handshake::LIFETIME_NS as f64 / 1e9,
        domestic_floor_ms: x.floor_ms,
        headline,
        ti_method: TiMethod {
            definition: "TI = (fastest handshake RTT / 2 × fibre speed / fibre stretch) / great-circle distance between the two networks' locations (ESCAP/AP-IS ASEAN pre-feasibility study, 2016: 1 is ideal, about 5 acceptable)".into(),
            fibre_km_per_ms: FIBRE_KM_PER_MS,
            fibre_stretch: FIBRE_STRETCH,
            floor_km: DEFAULT_FLOOR_KM,
            locations: trombone_geo::COUNTRY_TABLE_ATTRIBUTION.into(),
            acceptable: TI_ACCEPTABLE,
        },
        pairs,
        country_pairs,
        bgp_source: x
            .sources
            .and_then(|s| s.bgp.as_ref().map(|b| b.1.clone()))
            .or_else(|| x.carried_sources.0.clone()),
        ixp_source: x
            .sources
            .and_then(|s| s.ixp.as_ref().map(|i| i.1.clone()))
            .or_else(|| x.carried_sources.1.clone()),
        not_available: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cc(s: &str) -> Option<Country> {
        Some(s.parse().expect("a country code"))
    }

    fn pair(a: u32, ca: &str, b: u32, cb: &str) -> AsPair {
        AsPair {
            src_asn: a,
            src_country: cc(ca),
            dst_asn: b,
            dst_country: cc(cb),
        }
    }

    fn hist_of(us: &[u64]) -> Option<Histogram<u64>> {
        let mut h = new_hist();
        for v in us {
            h.record(*v).expect("auto-resizing");
        }
        Some(h)
    }

    /// Two local pairs and one pair outside the zone, all with Karn exclusions.
    fn inputs() -> BTreeMap<AsPair, PairAcc> {
        let mut m = BTreeMap::new();
        m.insert(
            pair(1, "KH", 2, "KH"),
            PairAcc {
                bytes: 500,
                handshake_us: hist_of(&[40_000, 50_000]),
                direct_handshake_us: hist_of(&[5_000]),
                retransmitted: 2,
                retransmitted_direct: 1,
                ..PairAcc::default()
            },
        );
        m.insert(
            pair(3, "LA", 1, "KH"),
            PairAcc {
                direct_handshake_us: hist_of(&[9_000]),
                retransmitted_direct: 4,
                ..PairAcc::default()
            },
        );
        // not local: KH -> US, timed only under --rtt all
        m.insert(
            pair(1, "KH", 15169, "US"),
            PairAcc {
                direct_handshake_us: hist_of(&[200_000]),
                retransmitted_direct: 8,
                ..PairAcc::default()
            },
        );
        m
    }

    fn run(rtt_all: bool, pairs: &BTreeMap<AsPair, PairAcc>) -> Evidence {
        let zone = [cc("KH").unwrap(), cc("LA").unwrap()];
        let local = BTreeMap::new();
        let carried = BTreeMap::new();
        evidence(&EvidenceInputs {
            sources: None,
            zone: &zone,
            floor_ms: 39.0,
            rtt_all,
            handshakes_dropped: 0,
            pairs,
            local: &local,
            carried: &carried,
            carried_sources: &(None, None),
        })
    }

    #[test]
    fn the_headline_counts_karn_exclusions_of_local_pairs_only() {
        let pairs = inputs();
        for rtt_all in [false, true] {
            let e = run(rtt_all, &pairs);
            // by hand: 2 + 1 (KH -> KH) + 4 (LA -> KH); the 8 of KH -> US are not local
            assert_eq!(e.headline.retransmitted, 7, "rtt_all {rtt_all}");
            assert_eq!(e.headline.direct_handshakes, 2, "rtt_all {rtt_all}");
            let us = e.pairs.iter().find(|p| p.dst_asn == 15169);
            assert_eq!(us.is_some(), rtt_all, "the pair outside the zone is listed");
            if let Some(us) = us {
                assert!(!us.local);
                assert_eq!(
                    (
                        us.retransmitted,
                        us.retransmitted_hairpinned,
                        us.retransmitted_direct
                    ),
                    (8, 0, 8)
                );
            }
            let kh = e.pairs.iter().find(|p| p.dst_asn == 2).unwrap();
            assert_eq!(
                (
                    kh.retransmitted,
                    kh.retransmitted_hairpinned,
                    kh.retransmitted_direct
                ),
                (3, 2, 1)
            );
        }
    }
}
