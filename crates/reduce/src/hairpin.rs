//! The report's hairpin section, built from the merged per-pair accumulators.

use crate::report::{
    HairpinLink, HairpinPair, HairpinReport, HairpinTotals, Handshake, Hops, Quantiles, Via,
};
use hdrhistogram::Histogram;
use rustc_hash::FxHashMap;
use trombone_asdb::AsDb;
use trombone_flow::AsPair;
use trombone_hairpin::{HairpinConfig, MatcherStats, PairHairpin};

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
    })
}

/// Builds the hairpin section: pairs with any hairpin traffic, by unique bytes.
pub(crate) fn hairpin_report(
    cfg: &HairpinConfig,
    pairs: &FxHashMap<AsPair, PairHairpin>,
    matcher: &MatcherStats,
    db: &AsDb,
) -> HairpinReport {
    let floor = cfg.domestic_floor_ms();
    let mut totals = HairpinTotals::default();
    let mut out = Vec::new();
    for (p, h) in pairs {
        totals.local_packets += h.unique_local_packets();
        totals.local_bytes += h.unique_local_bytes();
        totals.packets += h.packets();
        totals.bytes += h.bytes();
        totals.observations += h.observations;
        totals.reobserved_packets += h.reobserved_packets;
        if h.observations == 0 {
            continue;
        }
        let mut via: Vec<Via> = h
            .via
            .iter()
            .filter(|v| v.packets > 0)
            .map(
                |v| match v.link.and_then(|l| cfg.links.links.get(usize::from(l))) {
                    Some(l) => Via {
                        link: Some(l.name.clone()),
                        asn: l.asn,
                        country: l.country,
                        name: db.as_name(l.asn).map(str::to_string),
                        packets: v.packets,
                        bytes: v.bytes,
                    },
                    None => Via {
                        link: None,
                        asn: 0,
                        country: None,
                        name: None,
                        packets: v.packets,
                        bytes: v.bytes,
                    },
                },
            )
            .collect();
        via.sort_by(|a, b| b.bytes.cmp(&a.bytes).then(a.link.cmp(&b.link)));
        let handshake = h.handshake_us.as_ref().filter(|x| !x.is_empty()).map(|x| {
            let min = x.min() as f64 / 1000.0;
            Handshake {
                samples: x.len(),
                min,
                p50: q_ms(x, 0.5),
                exceeds_domestic_floor: min > floor,
            }
        });
        out.push(HairpinPair {
            src_asn: p.src_asn,
            dst_asn: p.dst_asn,
            src_country: p.src_country,
            dst_country: p.dst_country,
            packets: h.packets(),
            bytes: h.bytes(),
            observations: h.observations,
            reobserved_packets: h.reobserved_packets,
            local_bytes: h.unique_local_bytes(),
            detour_ms: quantiles(&h.detour_us),
            hops_abroad: h.hops.as_ref().filter(|x| !x.is_empty()).map(|x| Hops {
                samples: x.len(),
                p50: x.value_at_quantile(0.5),
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
        home: cfg.zone.home(),
        zone: cfg.zone.members().to_vec(),
        window_ms: cfg.window_ns as f64 / 1e6,
        domestic_floor_ms: floor,
        max_zone_km: cfg.max_zone_km,
        links: cfg
            .links
            .links
            .iter()
            .map(|l| HairpinLink {
                name: l.name.clone(),
                asn: l.asn,
                country: l.country,
                vlan: l.vlan,
                abroad: !cfg.zone.contains(l.country),
            })
            .collect(),
        totals,
        matcher: crate::report::MatcherReport {
            slot_overflows: matcher.slot_overflows,
            dropped_fresh: matcher.dropped_fresh,
            unidentified_link: matcher.unidentified_link,
        },
        pairs: out,
    }
}
