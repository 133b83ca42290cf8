//! The lines of evidence of the result's `evidence` section, as the methodology explains
//! them (listed in [`crate::html_method::LINES`]): the baseline and saving, the
//! Tromboning Index, BGP paths and common IXPs — each with what it proves, what it does
//! not, and the counts it rests on in this result.

use crate::format::{self, plural};
use crate::html_method::EvidenceLine;
use crate::names::Names;
use std::collections::BTreeSet;
use trombone_schema::{Evidence, Report};

fn kv(what: &str, v: String) -> (String, String) {
    (what.to_string(), v)
}

/// The evidence section, or the line saying why there is none.
fn evidence_or<'a>(
    r: &'a Report,
    id: &'static str,
    title: &'static str,
    proves: &'static str,
    not: &'static str,
) -> Result<&'a Evidence, EvidenceLine> {
    let why = if r.hairpin.is_none() {
        "hairpin analysis was off (no --home)"
    } else if r.evidence.is_none() {
        "this result has no evidence section (written before trombone timed local handshakes)"
    } else {
        return Ok(r.evidence.as_ref().expect("checked"));
    };
    Err(EvidenceLine {
        id,
        title,
        available: false,
        proves,
        does_not_prove: not,
        rests_on: vec![("not in this result".into(), why.into())],
    })
}

const BASELINE_PROVES: &str = "How much longer a typical connection set-up between local networks takes when its SYN hairpins than when it is exchanged in the zone, at this vantage: the median hairpinned handshake minus a baseline of locally exchanged handshakes — the pair's own direct handshakes, else those of the same country pair, else the zone's. That difference is the latency a local IXP would remove.";
const BASELINE_NOT: &str = "The saving of every user or packet: a handshake's time includes the server's answer, so a baseline taken from other networks (the country pair's or the zone's) assumes their servers answer as fast. A median of fewer than 20 handshakes is indicative only; a pair seen only hairpinning, in a zone with no direct handshake, has no baseline.";

/// The baseline of locally exchanged handshakes and the latency a local IXP would save.
pub(crate) fn baseline(r: &Report) -> EvidenceLine {
    let (id, title) = ("evidence-baseline", "Latency a local IXP would save");
    let e = match evidence_or(r, id, title, BASELINE_PROVES, BASELINE_NOT) {
        Ok(e) => e,
        Err(l) => return l,
    };
    let hl = &e.headline;
    let hairpinned: Vec<_> = e
        .pairs
        .iter()
        .filter(|p| p.local && p.hairpinned.is_some())
        .collect();
    let by = |b: &str| {
        hairpinned
            .iter()
            .filter(|p| p.saving_ms.is_some() && p.baseline_basis.as_deref() == Some(b))
            .count() as u64
    };
    let none = hairpinned.iter().filter(|p| p.saving_ms.is_none()).count() as u64;
    let med = |m: Option<f64>| m.map_or_else(|| "none".to_string(), format::ms);
    EvidenceLine {
        id,
        title,
        available: hl.saving_ms.is_some(),
        proves: BASELINE_PROVES,
        does_not_prove: BASELINE_NOT,
        rests_on: vec![
            kv(
                "handshakes timed whose SYN hairpinned (median)",
                format!(
                    "{} ({})",
                    format::count(hl.hairpinned_handshakes),
                    med(hl.hairpinned_median_ms)
                ),
            ),
            kv(
                "handshakes timed exchanged in the zone (median)",
                format!(
                    "{} ({})",
                    format::count(hl.direct_handshakes),
                    med(hl.direct_median_ms)
                ),
            ),
            kv(
                "left out under Karn's rule (SYN or SYN/ACK retransmitted)",
                format::count(hl.retransmitted),
            ),
            kv(
                "pairs with hairpinned handshakes",
                format::count(hairpinned.len() as u64),
            ),
            kv(
                "… compared with their own direct handshakes",
                format::count(by("this pair's direct handshakes")),
            ),
            kv(
                "… with their country pair's",
                format::count(by("direct handshakes of the same country pair")),
            ),
            kv(
                "… with the zone's",
                format::count(by("direct handshakes of the zone")),
            ),
            kv("… without a baseline", format::count(none)),
        ],
    }
}

const TI_PROVES: &str = "How many times longer than the straight line between the two networks' countries the path of the fastest handshake is: TI = path distance ÷ great-circle distance, the path distance being the fastest round trip ÷ 2 × the speed of light in fibre ÷ the fibre stretch. The ESCAP/AP-IS pre-feasibility study for ASEAN (2016) proposed it: TI 1 is ideal, about 5 acceptable; the worst path it measured had TI 35 at 230 ms. A TI far above the acceptable one says the path is far longer than geography needs.";
const TI_NOT: &str = "The route itself: the distance is inferred from time, so the server's answer and queues count as distance (an upper bound), while the handshake is timed at the vantage point, from the SYN's sighting to the SYN/ACK's, so only the path between the vantage and the server counts (the client's side is not in it: a TI below 1 is possible). And the great-circle distance is between each country's reference city (its capital, or its primate city), not the networks' own sites. Distances below the floor are taken as the floor, so the TI of a same-city pair is relative to the floor, not to the true distance.";

/// The ESCAP Tromboning Index.
pub(crate) fn tromboning_index(r: &Report) -> EvidenceLine {
    let (id, title) = ("evidence-ti", "Tromboning Index");
    let e = match evidence_or(r, id, title, TI_PROVES, TI_NOT) {
        Ok(e) => e,
        Err(l) => return l,
    };
    let m = &e.ti_method;
    let local = || e.pairs.iter().filter(|p| p.local);
    let with_ti: Vec<_> = local().filter_map(|p| p.ti.as_ref()).collect();
    let above = with_ti.iter().filter(|t| t.above_acceptable).count() as u64;
    let direct = local().filter(|p| p.ti_direct.is_some()).count() as u64;
    let floored = local()
        .filter(|p| {
            p.ti.as_ref()
                .or(p.ti_direct.as_ref())
                .is_some_and(|t| t.floored)
        })
        .count() as u64;
    let countries = e.country_pairs.iter().filter(|c| c.ti.is_some()).count() as u64;
    EvidenceLine {
        id,
        title,
        available: !with_ti.is_empty() || direct > 0,
        proves: TI_PROVES,
        does_not_prove: TI_NOT,
        rests_on: vec![
            kv("definition", m.definition.clone()),
            kv(
                "constants",
                format!(
                    "light in fibre {} km/ms, fibre stretch {}",
                    format::plain(m.fibre_km_per_ms),
                    format::plain(m.fibre_stretch)
                ),
            ),
            kv(
                "distance floor",
                format!(
                    "{} km (pairs floored: {})",
                    format::plain(m.floor_km),
                    format::count(floored)
                ),
            ),
            kv(
                "acceptable TI",
                format!(
                    "{} (ESCAP/AP-IS 2016; 1 ideal; worst measured 35 at 230 ms)",
                    format::plain(m.acceptable)
                ),
            ),
            kv("locations", m.locations.clone()),
            kv(
                "pairs with a hairpinned TI",
                format::count(with_ti.len() as u64),
            ),
            kv("… above the acceptable TI", format::count(above)),
            kv("pairs with a direct TI", format::count(direct)),
            kv("country pairs with a TI", format::count(countries)),
        ],
    }
}

const BGP_PROVES: &str = "Whose routes carry the traffic, and so why it leaves: the AS path by which the source network reaches the destination in the BGP dumps given, and whether the best one crosses a network registered outside the zone (named as the transit). Paths through the source itself (routes it announced onward) show the path it uses.";
const BGP_NOT: &str = "The path of every packet: a dump is a snapshot of what the collectors' peers saw, routing changes, and traffic may follow another path (load balancing, more specific routes, policy). A collector view (how the collectors' peers reach the destination) shows how others reach it, not the source's own choice. A missing route proves nothing about the traffic, and a network's registered country is not where its routers are.";

/// BGP paths of local pairs.
pub(crate) fn bgp_paths(r: &Report) -> EvidenceLine {
    let (id, title) = ("evidence-bgp", "BGP paths");
    let e = match evidence_or(r, id, title, BGP_PROVES, BGP_NOT) {
        Ok(e) => e,
        Err(l) => return l,
    };
    let Some(src) = &e.bgp_source else {
        return EvidenceLine {
            id,
            title,
            available: false,
            proves: BGP_PROVES,
            does_not_prove: BGP_NOT,
            rests_on: vec![kv("BGP data", "none given (--bgp)".into())],
        };
    };
    let bgp: Vec<_> = e
        .pairs
        .iter()
        .filter(|p| p.local)
        .filter_map(|p| p.bgp.as_ref())
        .collect();
    let basis = |b: &str| bgp.iter().filter(|x| x.basis == b).count() as u64;
    let routed = bgp.iter().filter(|b| b.leaves_zone.is_some());
    let leaves = routed
        .clone()
        .filter(|b| b.leaves_zone == Some(true))
        .count() as u64;
    let stays = routed.filter(|b| b.leaves_zone == Some(false)).count() as u64;
    let transit: BTreeSet<u32> = bgp
        .iter()
        .filter(|b| b.leaves_zone == Some(true))
        .flat_map(|b| b.transit.iter().copied())
        .collect();
    let names = Names::new(r.as_names.clone());
    let mut carriers = transit
        .iter()
        .take(4)
        .map(|a| names.short(*a, 24))
        .collect::<Vec<_>>()
        .join(", ");
    if transit.len() > 4 {
        carriers.push_str(&format!(" +{} more", transit.len() - 4));
    }
    EvidenceLine {
        id,
        title,
        available: !bgp.is_empty(),
        proves: BGP_PROVES,
        does_not_prove: BGP_NOT,
        rests_on: vec![
            kv("BGP data", src.clone()),
            kv("local pairs looked up", format::count(bgp.len() as u64)),
            kv(
                "… from the source's own routes",
                format::count(basis("source_view")),
            ),
            kv(
                "… collector view only",
                format::count(basis("collector_view")),
            ),
            kv("… no route in the dumps", format::count(basis("none"))),
            kv("best path leaves the zone", format::count(leaves)),
            kv("best path stays in the zone", format::count(stays)),
            kv(
                "networks carrying it out of the zone",
                if transit.is_empty() {
                    "none".into()
                } else {
                    format!("{}: {carriers}", format::count(transit.len() as u64))
                },
            ),
        ],
    }
}

const IXP_PROVES: &str = "Both networks of a hairpinned pair are members of the same IXP in the zone: they could exchange this traffic locally today, yet it left — a peering decision, not missing infrastructure. “No common IXP” says a local exchange would need one of them to join one first.";
const IXP_NOT: &str = "Why they do not peer (policy, price, capacity, a route server not used): membership says who could peer, not why they do not. Nor that the membership lists are complete or current: a network missing from a list may be a member all the same.";

/// Common IXPs of hairpinned pairs.
pub(crate) fn common_ixp(r: &Report) -> EvidenceLine {
    let (id, title) = ("evidence-ixp", "Common IXP");
    let e = match evidence_or(r, id, title, IXP_PROVES, IXP_NOT) {
        Ok(e) => e,
        Err(l) => return l,
    };
    let Some(src) = &e.ixp_source else {
        return EvidenceLine {
            id,
            title,
            available: false,
            proves: IXP_PROVES,
            does_not_prove: IXP_NOT,
            rests_on: vec![kv(
                "IXP membership data",
                "none given (--peeringdb, --ixp-members)".into(),
            )],
        };
    };
    let checked: Vec<_> = e
        .pairs
        .iter()
        .filter(|p| p.local && p.hairpinned_bytes > 0)
        .filter_map(|p| p.common_ixps.as_ref())
        .collect();
    let present = checked.iter().filter(|c| !c.is_empty()).count() as u64;
    let ixps: BTreeSet<&str> = checked
        .iter()
        .flat_map(|c| c.iter().map(|x| x.name.as_str()))
        .collect();
    EvidenceLine {
        id,
        title,
        available: !checked.is_empty(),
        proves: IXP_PROVES,
        does_not_prove: IXP_NOT,
        rests_on: vec![
            kv("IXP membership data", src.clone()),
            kv(
                "hairpinned pairs checked",
                format::count(checked.len() as u64),
            ),
            kv(
                "… present at the same IXP, not exchanging locally",
                format::count(present),
            ),
            kv(
                "… no common IXP",
                format::count(checked.len() as u64 - present),
            ),
            kv(
                "IXPs where such pairs meet",
                if ixps.is_empty() {
                    "none".into()
                } else {
                    format!(
                        "{}: {}",
                        plural(ixps.len() as u64, "IXP", "IXPs"),
                        ixps.into_iter().collect::<Vec<_>>().join(", ")
                    )
                },
            ),
        ],
    }
}
