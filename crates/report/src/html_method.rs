//! Method and evidence: for each line of evidence the result carries, what it proves,
//! what it does not, and the counts it rests on.
//!
//! Each line is one function returning an [`EvidenceLine`], listed in [`LINES`]; a new
//! line of evidence (a Tromboning Index, RTT baselines of local pairs that do not
//! hairpin, BGP paths, common-IXP verdicts...) is one more function and one more entry.
//! A line whose data the result lacks says so rather than disappearing.

use crate::escape::html;
use crate::format::{self, plural};
use crate::html_page::Ctx;
use std::fmt::Write as _;
use trombone_schema::{HairpinReport, Report};

/// One line of evidence, as the report explains it.
pub(crate) struct EvidenceLine {
    /// Anchor id, stable ("evidence-detour").
    pub id: &'static str,
    /// Its name.
    pub title: &'static str,
    /// False when the result holds no data for it (the reason is in `rests_on`).
    pub available: bool,
    /// What the line establishes.
    pub proves: &'static str,
    /// What it does not establish.
    pub does_not_prove: &'static str,
    /// The counts it rests on, as (what, how many), for this result.
    pub rests_on: Vec<(String, String)>,
}

/// Builds one line of evidence from a result.
type LineFn = fn(&Report) -> EvidenceLine;

/// Every line of evidence, in the order the report explains them.
pub(crate) const LINES: &[LineFn] = &[
    foreign_link,
    detour,
    hops,
    handshake,
    crate::method_evidence::baseline,
    crate::method_evidence::tromboning_index,
    via,
    crate::method_evidence::bgp_paths,
    crate::method_evidence::common_ixp,
];

fn no_hairpin(
    id: &'static str,
    title: &'static str,
    proves: &'static str,
    not: &'static str,
) -> EvidenceLine {
    EvidenceLine {
        id,
        title,
        available: false,
        proves,
        does_not_prove: not,
        rests_on: vec![(
            "not in this result".into(),
            "hairpin analysis was off (no --home)".into(),
        )],
    }
}

fn kv(what: &str, v: String) -> (String, String) {
    (what.to_string(), v)
}

const FOREIGN_PROVES: &str = "A packet with both ends in the zone was exchanged with a neighbour outside it (or of unknown country): local traffic that crossed an international link at this vantage point.";
const FOREIGN_NOT: &str = "Where it was exchanged beyond that neighbour, or that a local path existed and would have been used. Without a links file every link is taken as international, so domestic links are counted as foreign: the share is then an upper bound.";

fn foreign_link(r: &Report) -> EvidenceLine {
    let (id, title) = (
        "evidence-foreign-link",
        "Local packets on international links",
    );
    let Some(h) = &r.hairpin else {
        return no_hairpin(id, title, FOREIGN_PROVES, FOREIGN_NOT);
    };
    let t = &h.totals;
    let mut rests_on = vec![
        kv(
            "local packets (both ends in the zone)",
            format::count(t.local_packets),
        ),
        kv("of them hairpinned (unique)", format::count(t.packets)),
        kv(
            "hairpinned bytes / local bytes",
            format!(
                "{} / {}",
                format::count(t.bytes),
                format::count(t.local_bytes)
            ),
        ),
    ];
    if h.links_assumed_abroad || h.links.is_empty() {
        rests_on.push(kv(
            "links",
            "none given: every link taken as international".into(),
        ));
    } else {
        rests_on.push(kv(
            "links in the links file",
            format!(
                "{} ({} abroad)",
                h.links.len(),
                h.links.iter().filter(|l| l.abroad).count()
            ),
        ));
    }
    EvidenceLine {
        id,
        title,
        available: true,
        proves: FOREIGN_PROVES,
        does_not_prove: FOREIGN_NOT,
        rests_on,
    }
}

const DETOUR_PROVES: &str = "The same packet was seen leaving and, with a lower TTL, returning: it went abroad and came back. The time between the two sightings is how long the detour beyond the vantage point took.";
const DETOUR_NOT: &str = "Which country or exchange it passed through, or that the whole extra delay is due to the detour (queues add time). Only packets whose both sightings were captured count; the rest of the hairpinned traffic is inferred from the link alone.";

fn matched(h: &HairpinReport) -> (u64, u64) {
    let pairs = h.pairs.iter().filter(|p| p.detour_ms.is_some()).count() as u64;
    let n = h
        .pairs
        .iter()
        .filter_map(|p| p.detour_ms.as_ref().map(|q| q.samples))
        .fold(0u64, u64::saturating_add);
    (n, pairs)
}

fn detour(r: &Report) -> EvidenceLine {
    let (id, title) = ("evidence-detour", "Replicas: detour time");
    let Some(h) = &r.hairpin else {
        return no_hairpin(id, title, DETOUR_PROVES, DETOUR_NOT);
    };
    let (n, pairs) = matched(h);
    EvidenceLine {
        id,
        title,
        available: n > 0,
        proves: DETOUR_PROVES,
        does_not_prove: DETOUR_NOT,
        rests_on: vec![
            kv("packets seen leaving and returning", format::count(n)),
            kv("AS pairs with such packets", format::count(pairs)),
            kv("hairpinned packets in all", format::count(h.totals.packets)),
            kv("replica window", format::duration(h.window_ms / 1000.0)),
            kv(
                "sightings pushed out before a match could be tried",
                format::count(
                    h.matcher
                        .dropped_fresh
                        .saturating_add(h.matcher.slot_overflows),
                ),
            ),
        ],
    }
}

const HOPS_PROVES: &str = "How many routers the packet crossed between its two sightings (the TTL difference): a path of that many hops lies beyond the vantage point.";
const HOPS_NOT: &str = "Distance or country: MPLS tunnels hide routers (a lower bound), and a few hops can still cross a sea.";

fn hops(r: &Report) -> EvidenceLine {
    let (id, title) = ("evidence-hops", "Replicas: hops abroad");
    let Some(h) = &r.hairpin else {
        return no_hairpin(id, title, HOPS_PROVES, HOPS_NOT);
    };
    let n: u64 = h
        .pairs
        .iter()
        .filter_map(|p| p.hops_abroad.as_ref().map(|x| x.samples))
        .fold(0u64, u64::saturating_add);
    let pairs = h.pairs.iter().filter(|p| p.hops_abroad.is_some()).count() as u64;
    EvidenceLine {
        id,
        title,
        available: n > 0,
        proves: HOPS_PROVES,
        does_not_prove: HOPS_NOT,
        rests_on: vec![
            kv("TTL differences measured", format::count(n)),
            kv("AS pairs", format::count(pairs)),
        ],
    }
}

const HANDSHAKE_PROVES: &str = "When even the fastest TCP handshake (SYN to SYN/ACK) between two local networks took longer than light needs in fibre to cross the zone and back (the domestic floor), that pair's path is longer than any path inside the zone, or slow; a handshake faster than the floor leaves no room for a detour.";
const HANDSHAKE_NOT: &str = "That the path left the country: a slow server or a congested link adds time too. It is evidence, weighed with the replicas and the links, not proof.";

fn handshake(r: &Report) -> EvidenceLine {
    let (id, title) = (
        "evidence-handshake",
        "Handshake RTT against the domestic floor",
    );
    let Some(h) = &r.hairpin else {
        return no_hairpin(id, title, HANDSHAKE_PROVES, HANDSHAKE_NOT);
    };
    let timed: Vec<_> = h
        .pairs
        .iter()
        .filter_map(|p| p.handshake_rtt_ms.as_ref())
        .collect();
    let n: u64 = timed
        .iter()
        .map(|x| x.samples)
        .fold(0u64, u64::saturating_add);
    let above = timed.iter().filter(|x| x.exceeds_domestic_floor).count() as u64;
    EvidenceLine {
        id,
        title,
        available: n > 0,
        proves: HANDSHAKE_PROVES,
        does_not_prove: HANDSHAKE_NOT,
        rests_on: vec![
            kv("handshakes timed", format::count(n)),
            kv(
                "AS pairs with a handshake",
                format::count(timed.len() as u64),
            ),
            kv(
                "of them with even the fastest above the floor",
                format::count(above),
            ),
            kv(
                "domestic floor",
                format!(
                    "{} ({} km of fibre, 2 × distance × 1.5 ÷ 200 km/ms)",
                    format::ms(h.domestic_floor_ms),
                    format::plain(h.max_zone_km)
                ),
            ),
            kv(
                "handshakes pushed out of a full table",
                format::count(h.matcher.handshakes_dropped),
            ),
        ]
        .into_iter()
        .chain(r.evidence.as_ref().map(|e| {
            kv(
                "left out under Karn's rule (SYN or SYN/ACK retransmitted)",
                format::count(e.headline.retransmitted),
            )
        }))
        .collect(),
    }
}

const VIA_PROVES: &str = "Which neighbour network, on which link of the links file, the hairpinned packet was handed to (the link of its first sighting): who carries the traffic abroad and is paid for it.";
const VIA_NOT: &str = "The whole path: the neighbour may hand the packet on to others before it returns. Packets on no configured link (or without a links file) are “unidentified”.";

fn via(r: &Report) -> EvidenceLine {
    let (id, title) = ("evidence-via", "Via links");
    let Some(h) = &r.hairpin else {
        return no_hairpin(id, title, VIA_PROVES, VIA_NOT);
    };
    let (mut known, mut unknown) = (0u64, 0u64);
    let mut nets = std::collections::BTreeSet::new();
    for v in h.pairs.iter().flat_map(|p| p.via.iter()) {
        let b = v.bytes.max(0) as u64;
        if v.link.is_some() {
            known = known.saturating_add(b);
            if v.asn != 0 {
                nets.insert(v.asn);
            }
        } else {
            unknown = unknown.saturating_add(b);
        }
    }
    EvidenceLine {
        id,
        title,
        available: known > 0,
        proves: VIA_PROVES,
        does_not_prove: VIA_NOT,
        rests_on: vec![
            kv(
                "hairpinned bytes on an identified link",
                format::count(known),
            ),
            kv(
                "hairpinned bytes on no identified link",
                format::count(unknown),
            ),
            kv("neighbour networks", format::count(nets.len() as u64)),
            kv(
                "sightings on no identified link",
                format::count(h.matcher.unidentified_link),
            ),
        ],
    }
}

/// Writes the method-and-evidence section.
pub(crate) fn section(s: &mut String, ctx: &Ctx<'_>) {
    s.push_str(r#"<section id="method" class="page-break"><h2>Method and evidence</h2><p class="lede">What each line of evidence in this report establishes, what it does not, and the counts it rests on in this result. The lines support each other: a pair whose packets were seen leaving and returning, many hops apart, on a foreign link, with handshakes slower than the domestic floor, hairpins beyond reasonable doubt.</p>"#);
    let lines: Vec<EvidenceLine> = LINES.iter().map(|f| f(ctx.r)).collect();
    let n = lines.iter().filter(|l| l.available).count() as u64;
    let _ = write!(
        s,
        r#"<p class="small">{} of {} of evidence have data in this result.</p>"#,
        format::count(n),
        plural(lines.len() as u64, "line", "lines")
    );
    for l in &lines {
        let _ = write!(
            s,
            r#"<div class="evidence{cls}" id="{id}"><h3>{t}{badge}</h3><dl class="facts"><dt>Proves</dt><dd>{p}</dd><dt>Does not prove</dt><dd>{np}</dd><dt>Rests on</dt><dd><table class="rests-on"><tbody>"#,
            cls = if l.available { "" } else { " unavailable" },
            id = l.id,
            t = html(l.title),
            badge = if l.available {
                ""
            } else {
                r#" <span class="badge none">no data</span>"#
            },
            p = html(l.proves),
            np = html(l.does_not_prove),
        );
        for (what, v) in &l.rests_on {
            // Counts align as numbers; sentences (a definition, a source) wrap as text.
            let _ = write!(
                s,
                r#"<tr><td>{}</td><td class="{}">{}</td></tr>"#,
                html(what),
                if v.chars().count() > 40 {
                    "text"
                } else {
                    "num"
                },
                html(v)
            );
        }
        s.push_str("</tbody></table></dd></dl></div>");
    }
    s.push_str("</section>");
}
