//! The hairpin section: per-pair accumulators, added from workers or from results.

use hdrhistogram::Histogram;
use std::collections::BTreeMap;
use trombone_asdb::Country;
use trombone_hairpin::{HairpinConfig, PairHairpin};
use trombone_schema::{
    hist, HairpinLink, HairpinPair, HairpinReport, HairpinTotals, Handshake, Hops, LocalPair,
    MatcherReport, Quantiles, Via,
};
use trombone_worker::AsPair;

/// A histogram with 3 significant digits that grows as needed.
fn new_hist() -> Histogram<u64> {
    let mut h = Histogram::new(3).expect("3 significant figures is valid");
    h.auto(true);
    h
}

/// Adds `b` into `a` (created on first use).
fn add_hist(a: &mut Option<Histogram<u64>>, b: &Histogram<u64>) {
    if b.is_empty() {
        return;
    }
    // auto-resizing histograms of one precision always add
    let _ = a.get_or_insert_with(new_hist).add(b);
}

/// One via link of a pair: identity and signed counts.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct ViaAcc {
    pub asn: u32,
    pub country: Option<Country>,
    pub name: Option<String>,
    pub packets: i64,
    pub bytes: i64,
}

/// Everything the hairpin section keeps per AS pair, in a form that adds.
#[derive(Clone, Debug, Default)]
pub(crate) struct PairAcc {
    pub packets: u64,
    pub bytes: u64,
    pub observations: u64,
    pub reobserved: u64,
    pub local_bytes: u64,
    pub detour_us: Option<Histogram<u64>>,
    pub hops: Option<Histogram<u64>>,
    pub handshake_us: Option<Histogram<u64>>,
    pub direct_handshake_us: Option<Histogram<u64>>,
    pub retransmitted: u64,
    pub retransmitted_direct: u64,
    pub via: BTreeMap<Option<String>, ViaAcc>,
}

impl PairAcc {
    /// Adds another accumulator of the same pair.
    pub fn add(&mut self, o: &PairAcc) {
        self.packets += o.packets;
        self.bytes += o.bytes;
        self.observations += o.observations;
        self.reobserved += o.reobserved;
        self.local_bytes += o.local_bytes;
        self.retransmitted += o.retransmitted;
        self.retransmitted_direct += o.retransmitted_direct;
        for (a, b) in [
            (&mut self.detour_us, &o.detour_us),
            (&mut self.hops, &o.hops),
            (&mut self.handshake_us, &o.handshake_us),
            (&mut self.direct_handshake_us, &o.direct_handshake_us),
        ] {
            if let Some(b) = b {
                add_hist(a, b);
            }
        }
        for (k, v) in &o.via {
            let e = self.via.entry(k.clone()).or_insert_with(|| ViaAcc {
                packets: 0,
                bytes: 0,
                ..v.clone()
            });
            e.packets += v.packets;
            e.bytes += v.bytes;
        }
    }
}

/// The hairpin section's totals and per-pair accumulators.
#[derive(Clone, Debug, Default)]
pub(crate) struct HairpinAcc {
    pub local_packets: u64,
    pub local_bytes: u64,
    pub pairs: BTreeMap<AsPair, PairAcc>,
    /// Unique local packets and bytes of every local pair, hairpinned or not.
    pub local: BTreeMap<AsPair, [u64; 2]>,
    pub matcher: MatcherReport,
    pub link_frames: Vec<u64>,
    /// BGP and IXP evidence of pairs, carried over from merged results.
    pub carried: BTreeMap<AsPair, trombone_schema::PairEvidence>,
    /// Where that evidence came from (BGP, IXP).
    pub carried_sources: (Option<String>, Option<String>),
}

impl HairpinAcc {
    /// Adds one worker's per-pair figures (unique counts derived, link names resolved).
    pub fn add_worker(
        &mut self,
        cfg: &HairpinConfig,
        pairs: &[(AsPair, PairHairpin)],
        names: &dyn Fn(u32) -> Option<String>,
    ) {
        for (p, h) in pairs {
            self.local_packets += h.unique_local_packets();
            self.local_bytes += h.unique_local_bytes();
            let l = self.local.entry(*p).or_default();
            l[0] += h.unique_local_packets();
            l[1] += h.unique_local_bytes();
            // a pair's local traffic may be split over workers, some of which saw no
            // hairpin: every non-empty part adds to the pair (the section lists only pairs
            // with hairpin sightings, but their local bytes count all of it)
            if h.is_empty() {
                continue;
            }
            let mut via = BTreeMap::new();
            for v in &h.via {
                let (key, acc) = match v.link.and_then(|l| cfg.links.links.get(usize::from(l))) {
                    Some(l) => (
                        Some(l.name.clone()),
                        ViaAcc {
                            asn: l.asn,
                            country: l.country,
                            name: names(l.asn),
                            ..ViaAcc::default()
                        },
                    ),
                    None => (None, ViaAcc::default()),
                };
                let e = via.entry(key).or_insert(acc);
                // counts may be a negative correction (see schema::Via), stored wrapped
                e.packets += v.packets as i64;
                e.bytes += v.bytes as i64;
            }
            let acc = PairAcc {
                packets: h.packets(),
                bytes: h.bytes(),
                observations: h.observations,
                reobserved: h.reobserved_packets,
                local_bytes: h.unique_local_bytes(),
                detour_us: h.detour_us.clone(),
                hops: h.hops.clone(),
                handshake_us: h.handshake_us.clone(),
                direct_handshake_us: h.direct_handshake_us.clone(),
                retransmitted: h.retransmitted_handshakes,
                retransmitted_direct: h.retransmitted_direct_handshakes,
                via,
            };
            self.pairs.entry(*p).or_default().add(&acc);
        }
    }

    /// Adds another section (a result being merged): its totals and pairs.
    pub fn add_report(&mut self, r: &HairpinReport) -> Result<(), String> {
        self.local_packets += r.totals.local_packets;
        self.local_bytes += r.totals.local_bytes;
        let m = &mut self.matcher;
        m.slot_overflows += r.matcher.slot_overflows;
        m.dropped_fresh += r.matcher.dropped_fresh;
        m.unidentified_link += r.matcher.unidentified_link;
        m.handshakes_dropped += r.matcher.handshakes_dropped;
        if self.link_frames.len() < r.links.len() {
            self.link_frames.resize(r.links.len(), 0);
        }
        for (a, l) in self.link_frames.iter_mut().zip(&r.links) {
            *a += l.frames;
        }
        for l in &r.local_pairs {
            let key = AsPair {
                src_asn: l.src_asn,
                src_country: l.src_country,
                dst_asn: l.dst_asn,
                dst_country: l.dst_country,
            };
            let e = self.local.entry(key).or_default();
            e[0] += l.packets;
            e[1] += l.bytes;
        }
        if r.local_pairs.is_empty() {
            // a result from before local_pairs: its listed pairs' local bytes are all there is
            for p in &r.pairs {
                let key = AsPair {
                    src_asn: p.src_asn,
                    src_country: p.src_country,
                    dst_asn: p.dst_asn,
                    dst_country: p.dst_country,
                };
                self.local.entry(key).or_default()[1] += p.local_bytes;
            }
        }
        for p in &r.pairs {
            let dec = |s: &Option<String>| -> Result<Option<Histogram<u64>>, String> {
                s.as_deref().map(hist::decode).transpose()
            };
            let missing = |what: &str| {
                format!(
                    "hairpin pair AS{} → AS{} has {what} quantiles but no histogram: it was written by a build that cannot be merged exactly",
                    p.src_asn, p.dst_asn
                )
            };
            let detour = match &p.detour_ms {
                Some(q) => Some(dec(&q.hist)?.ok_or_else(|| missing("detour"))?),
                None => None,
            };
            let hops = match &p.hops_abroad {
                Some(q) => Some(dec(&q.hist)?.ok_or_else(|| missing("hop"))?),
                None => None,
            };
            // handshake distributions are added from the evidence section (both kinds)
            let _ = missing;
            let acc = PairAcc {
                packets: p.packets,
                bytes: p.bytes,
                observations: p.observations,
                reobserved: p.reobserved_packets,
                local_bytes: p.local_bytes,
                detour_us: detour,
                hops,
                handshake_us: None,
                direct_handshake_us: None,
                retransmitted: 0,
                retransmitted_direct: 0,
                via: p
                    .via
                    .iter()
                    .map(|v| {
                        (
                            v.link.clone(),
                            ViaAcc {
                                asn: v.asn,
                                country: v.country,
                                name: v.name.clone(),
                                packets: v.packets,
                                bytes: v.bytes,
                            },
                        )
                    })
                    .collect(),
            };
            let key = AsPair {
                src_asn: p.src_asn,
                src_country: p.src_country,
                dst_asn: p.dst_asn,
                dst_country: p.dst_country,
            };
            self.pairs.entry(key).or_default().add(&acc);
        }
        Ok(())
    }

    /// Adds the handshake distributions of an evidence section (a result being merged).
    pub fn add_evidence(&mut self, e: &trombone_schema::Evidence) -> Result<(), String> {
        let dec = |r: &Option<trombone_schema::Rtt>| -> Result<Option<Histogram<u64>>, String> {
            match r {
                Some(r) => Ok(Some(hist::decode(r.hist.as_deref().ok_or(
                    "a handshake distribution carries no histogram: it cannot be merged exactly",
                )?)?)),
                None => Ok(None),
            }
        };
        if self.carried_sources.0.is_none() {
            self.carried_sources.0.clone_from(&e.bgp_source);
        }
        if self.carried_sources.1.is_none() {
            self.carried_sources.1.clone_from(&e.ixp_source);
        }
        for p in &e.pairs {
            let key = AsPair {
                src_asn: p.src_asn,
                src_country: p.src_country,
                dst_asn: p.dst_asn,
                dst_country: p.dst_country,
            };
            let acc = PairAcc {
                handshake_us: dec(&p.hairpinned)?,
                direct_handshake_us: dec(&p.direct)?,
                // older results carry only the total: counted as hairpinned, as before
                retransmitted: p.retransmitted.saturating_sub(p.retransmitted_direct),
                retransmitted_direct: p.retransmitted_direct,
                ..PairAcc::default()
            };
            self.pairs.entry(key).or_default().add(&acc);
            self.carried.entry(key).or_insert_with(|| p.clone());
        }
        Ok(())
    }

    /// The section, with `links` as configured and the floor of the zone.
    pub fn report(
        &self,
        home: Country,
        zone: Vec<Country>,
        window_ms: f64,
        floor: f64,
        max_zone_km: f64,
        mut links: Vec<HairpinLink>,
    ) -> HairpinReport {
        for (l, f) in links.iter_mut().zip(&self.link_frames) {
            l.frames = *f;
        }
        let mut totals = HairpinTotals {
            local_packets: self.local_packets,
            local_bytes: self.local_bytes,
            ..HairpinTotals::default()
        };
        let mut out = Vec::new();
        for (p, h) in &self.pairs {
            totals.packets += h.packets;
            totals.bytes += h.bytes;
            totals.observations += h.observations;
            totals.reobserved_packets += h.reobserved;
            if h.observations == 0 {
                continue;
            }
            let mut via: Vec<Via> = h
                .via
                .iter()
                .filter(|(_, v)| v.packets != 0 || v.bytes != 0)
                .map(|(k, v)| Via {
                    link: k.clone(),
                    asn: v.asn,
                    country: v.country,
                    name: v.name.clone(),
                    packets: v.packets,
                    bytes: v.bytes,
                })
                .collect();
            via.sort_by(|a, b| b.bytes.cmp(&a.bytes).then(a.link.cmp(&b.link)));
            let handshake = h.handshake_us.as_ref().filter(|x| !x.is_empty()).map(|x| {
                let min = x.min() as f64 / 1000.0;
                Handshake {
                    samples: x.len(),
                    min,
                    p50: q_ms(x, 0.5),
                    exceeds_domestic_floor: min > floor,
                    hist: Some(hist::encode(x)),
                }
            });
            out.push(HairpinPair {
                src_asn: p.src_asn,
                dst_asn: p.dst_asn,
                src_country: p.src_country,
                dst_country: p.dst_country,
                packets: h.packets,
                bytes: h.bytes,
                observations: h.observations,
                reobserved_packets: h.reobserved,
                local_bytes: self.local.get(p).map_or(0, |l| l[1]),
                detour_ms: quantiles(&h.detour_us),
                hops_abroad: h.hops.as_ref().filter(|x| !x.is_empty()).map(|x| Hops {
                    samples: x.len(),
                    p50: x.value_at_quantile(0.5),
                    hist: Some(hist::encode(x)),
                }),
                handshake_rtt_ms: handshake,
                via,
            });
        }
        out.sort_by(|a, b| {
            b.bytes
                .cmp(&a.bytes)
                .then(a.src_asn.cmp(&b.src_asn))
                .then(a.dst_asn.cmp(&b.dst_asn))
                .then(a.src_country.cmp(&b.src_country))
                .then(a.dst_country.cmp(&b.dst_country))
        });
        totals.share_of_local_bytes = if totals.local_bytes == 0 {
            0.0
        } else {
            totals.bytes as f64 / totals.local_bytes as f64
        };
        HairpinReport {
            home,
            zone,
            window_ms,
            domestic_floor_ms: floor,
            max_zone_km,
            links_assumed_abroad: links.is_empty(),
            links,
            totals,
            matcher: self.matcher,
            pairs: out,
            local_pairs: self
                .local
                .iter()
                .filter(|(_, v)| v[0] != 0 || v[1] != 0)
                .map(|(p, v)| LocalPair {
                    src_asn: p.src_asn,
                    dst_asn: p.dst_asn,
                    src_country: p.src_country,
                    dst_country: p.dst_country,
                    packets: v[0],
                    bytes: v[1],
                })
                .collect(),
            not_available: None,
        }
    }
}

/// The configured links as the section lists them.
pub(crate) fn links_of(cfg: &HairpinConfig) -> Vec<HairpinLink> {
    cfg.links
        .links
        .iter()
        .map(|l| HairpinLink {
            name: l.name.clone(),
            asn: l.asn,
            country: l.country,
            vlan: l.vlan,
            abroad: !cfg.zone.contains(l.country),
            frames: 0,
        })
        .collect()
}

/// Nearest-rank quantile of a µs histogram, in ms (3 significant digits).
fn q_ms(h: &Histogram<u64>, q: f64) -> f64 {
    h.value_at_quantile(q) as f64 / 1000.0
}

/// p50/p90/p99 of a µs histogram in ms, or `None` without samples.
fn quantiles(h: &Option<Histogram<u64>>) -> Option<Quantiles> {
    let h = h.as_ref().filter(|h| !h.is_empty())?;
    Some(Quantiles {
        samples: h.len(),
        p50: q_ms(h, 0.5),
        p90: q_ms(h, 0.9),
        p99: q_ms(h, 0.99),
        hist: Some(hist::encode(h)),
    })
}
