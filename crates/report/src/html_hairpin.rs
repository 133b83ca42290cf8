//! Report sections about who hairpins: AS×AS heatmap and pair table, country×country
//! matrix, via-network breakdown and detour latency.

use crate::chart_heatmap::heatmap;
use crate::chart_latency::{latency_plot, Detour, Handshake, LatencyRow};
use crate::colour::{text_on, LogScale, BLUES, ORANGE_RED};
use crate::escape::html;
use crate::format::{self, plural};
use crate::html_page::Ctx;
use crate::names::{country, handle, AsKey, Names};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use trombone_schema::{Country, HairpinPair, HairpinReport};

/// Summed traffic of a matrix cell.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Volume {
    packets: u64,
    bytes: u64,
    flows: u64,
}

/// The source and destination of a hairpin pair.
fn ends(p: &HairpinPair) -> (AsKey, AsKey) {
    (
        AsKey {
            asn: p.src_asn,
            country: p.src_country,
        },
        AsKey {
            asn: p.dst_asn,
            country: p.dst_country,
        },
    )
}

/// Identity of a via link.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct ViaKey {
    link: Option<String>,
    asn: u32,
    country: Option<Country>,
}

/// Summed hairpin traffic through one via link.
#[derive(Clone, Debug, Default)]
struct ViaSum {
    name: Option<String>,
    packets: u64,
    bytes: u64,
    pairs: usize,
}

/// Hairpin traffic per via link over all pairs, by bytes descending.
fn via_totals(h: &HairpinReport) -> Vec<(ViaKey, ViaSum)> {
    let mut m: BTreeMap<ViaKey, ViaSum> = BTreeMap::new();
    for p in &h.pairs {
        for v in &p.via {
            let e = m
                .entry(ViaKey {
                    link: v.link.clone(),
                    asn: v.asn,
                    country: v.country,
                })
                .or_default();
            if e.name.is_none() {
                e.name.clone_from(&v.name);
            }
            // Only a rotated piece can carry a negative correction; never shown below 0.
            e.packets = e.packets.saturating_add(v.packets.max(0) as u64);
            e.bytes = e.bytes.saturating_add(v.bytes.max(0) as u64);
            e.pairs += 1;
        }
    }
    let mut v: Vec<(ViaKey, ViaSum)> = m.into_iter().collect();
    v.sort_by(|a, b| b.1.bytes.cmp(&a.1.bytes).then(a.0.cmp(&b.0)));
    v
}

/// ASes per heatmap axis.
const HEATMAP_TOP: usize = 12;
/// Rows of the pair table (the CSV has all).
const PAIR_ROWS: usize = 30;
/// Rows of the latency plot.
const LATENCY_ROWS: usize = 15;
/// Countries per matrix axis.
const COUNTRY_TOP: usize = 10;

/// Writes the hairpin sections (or the all-traffic matrix when hairpin detection was off).
pub(crate) fn sections(s: &mut String, ctx: &Ctx<'_>) {
    let r = ctx.r;
    match &r.hairpin {
        Some(h) => {
            pairs_section(s, ctx, h);
            country_section(s, ctx);
            via_section(s, ctx, h);
            latency_section(s, ctx, h);
        }
        None => {
            s.push_str(r#"<section id="as-matrix"><h2>AS×AS traffic</h2><p class="lede">All observed traffic between the busiest networks (rows: source AS, columns: destination AS); each cell prints its bytes. Hairpin detection was off, so no hairpin verdict is shown.</p>"#);
            let cells: Vec<(AsKey, AsKey, u64)> = r
                .as_matrix
                .iter()
                .map(|c| {
                    (
                        AsKey {
                            asn: c.src_asn,
                            country: c.src_country,
                        },
                        AsKey {
                            asn: c.dst_asn,
                            country: c.dst_country,
                        },
                        c.bytes,
                    )
                })
                .collect();
            if cells.is_empty() {
                s.push_str(r#"<p class="note">No IP traffic.</p>"#);
            } else {
                let _ = write!(
                    s,
                    "<figure>{}</figure>",
                    heatmap(&cells, &ctx.names, &BLUES, HEATMAP_TOP, "as-heatmap")
                );
            }
            s.push_str("</section>");
            country_section(s, ctx);
        }
    }
}

/// An AS table cell: "AS38901 · KH" over its name (its registry handle only when not
/// `full`); unknown networks by country.
pub(crate) fn as_cell(ctx: &Ctx<'_>, k: &AsKey, full: bool) -> String {
    let name = ctx.names.full(k.asn).map_or(
        if k.asn == 0 {
            "no network in the database"
        } else {
            ""
        },
        |n| if full { n } else { handle(n) },
    );
    format!(
        r#"{n} · {c}<span class="sub">{h}</span>"#,
        n = html(&Names::number(k.asn)),
        c = html(&country(k.country)),
        h = html(&crate::escape::truncate(name, 60)),
    )
}

fn pairs_section(s: &mut String, ctx: &Ctx<'_>, h: &HairpinReport) {
    s.push_str(r#"<section id="hairpin-pairs"><h2>Which networks hairpin: AS × AS</h2><p class="lede">Unique hairpin bytes from each source AS (rows) to each destination AS (columns); each cell prints its bytes, darker is more (logarithmic scale). A packet seen leaving and returning counts once. Addresses the database places in no network are shown as “unknown AS” with their country. The exact bytes of every pair are in the table below the chart.</p>"#);
    if h.pairs.is_empty() {
        s.push_str(r#"<p class="note">No hairpin traffic was found.</p></section>"#);
        return;
    }
    let cells: Vec<(AsKey, AsKey, u64)> = h
        .pairs
        .iter()
        .map(|p| {
            let (a, b) = ends(p);
            (a, b, p.bytes)
        })
        .collect();
    let _ = write!(
        s,
        r#"<figure>{}<p class="caption">Rows: source AS · country. Columns: destination AS · country. At most {HEATMAP_TOP} ASes per axis are named; the rest are summed as “other ASes”.</p></figure>"#,
        heatmap(
            &cells,
            &ctx.names,
            &ORANGE_RED,
            HEATMAP_TOP,
            "hairpin-heatmap"
        )
    );
    s.push_str(r#"<h3>Hairpin AS pairs</h3><table id="pair-table"><thead><tr><th class="num">#</th><th>Source AS</th><th>Destination AS</th><th class="num">Hairpin bytes</th><th class="num">Of pair's local</th><th class="num">Packets</th><th class="num">Seen twice</th><th class="via-cell">Via (share of hairpin bytes)</th></tr></thead><tbody>"#);
    for (i, p) in h.pairs.iter().take(PAIR_ROWS).enumerate() {
        let (src, dst) = ends(p);
        let share = if p.local_bytes > 0 {
            p.bytes as f64 / p.local_bytes as f64
        } else {
            0.0
        };
        let via_total: i64 = p
            .via
            .iter()
            .map(|v| v.bytes.max(0))
            .fold(0i64, i64::saturating_add);
        let mut via: Vec<_> = p.via.iter().filter(|v| v.bytes > 0).collect();
        via.sort_by(|a, b| b.bytes.cmp(&a.bytes).then(a.link.cmp(&b.link)));
        let via_html = via
            .iter()
            .take(3)
            .map(|v| {
                let who = via_label(&ctx.names, v.link.as_deref(), v.asn, v.name.as_deref());
                let pct = if via_total > 0 {
                    format::percent(v.bytes as f64 / via_total as f64)
                } else {
                    "–".into()
                };
                format!(
                    r#"<span class="via-line"><span class="via-pct">{}</span> {}</span>"#,
                    html(&pct),
                    html(&who)
                )
            })
            .collect::<String>();
        let _ = write!(
            s,
            r#"<tr data-src="{sa}" data-dst="{da}"><td class="num">{n}</td><td>{src}</td><td>{dst}</td><td class="num" data-value="{b}">{bf}</td><td class="num" data-value="{share}">{sf}</td><td class="num">{pk}</td><td class="num">{ro}</td><td class="via-cell">{via_html}{more}</td></tr>"#,
            sa = p.src_asn,
            da = p.dst_asn,
            n = i + 1,
            src = as_cell(ctx, &src, true),
            dst = as_cell(ctx, &dst, true),
            b = p.bytes,
            bf = html(&format::bytes(p.bytes)),
            sf = html(&format::percent(share)),
            pk = format::count(p.packets),
            ro = format::count(p.reobserved_packets),
            more = if via.len() > 3 {
                format!(
                    r#"<span class="via-line muted">+{} more</span>"#,
                    via.len() - 3
                )
            } else {
                String::new()
            }
        );
    }
    s.push_str("</tbody></table>");
    if h.pairs.len() > PAIR_ROWS {
        let _ = write!(
            s,
            r#"<p class="caption">Top {PAIR_ROWS} of {} pairs by hairpin bytes; <code>trombone report --format csv --table hairpin-pairs</code> lists them all.</p>"#,
            h.pairs.len()
        );
    }
    s.push_str("</section>");
}

/// "SG transit (AS7473)", "AS3491 PCCW-AS" when no link is named, or "unidentified link".
fn via_label(names: &Names, link: Option<&str>, asn: u32, name: Option<&str>) -> String {
    let as_part = if asn == 0 {
        None
    } else {
        let h = name
            .map(handle)
            .or_else(|| names.full(asn).map(handle))
            .unwrap_or("");
        Some(if h.is_empty() {
            format!("AS{asn}")
        } else {
            format!("AS{asn} {h}")
        })
    };
    match (link, as_part) {
        (Some(l), Some(_)) => format!("{l} (AS{asn})"),
        (Some(l), None) => l.to_string(),
        (None, Some(a)) => a,
        (None, None) => "unidentified link".to_string(),
    }
}

fn country_section(s: &mut String, ctx: &Ctx<'_>) {
    let r = ctx.r;
    s.push_str(r#"<section id="countries"><h2>Country × country</h2><p class="lede">All observed IP bytes by source country (rows) and destination country (columns), shaded on a logarithmic scale."#);
    if r.hairpin.is_some() {
        s.push_str(" The red line in a cell is the unique hairpin bytes of that country pair.");
    }
    s.push_str("</p>");
    let mut hp: BTreeMap<(Option<Country>, Option<Country>), u64> = BTreeMap::new();
    if let Some(h) = &r.hairpin {
        for p in &h.pairs {
            let e = hp.entry((p.src_country, p.dst_country)).or_default();
            *e = e.saturating_add(p.bytes);
        }
    }
    let mut tot: BTreeMap<Option<Country>, u64> = BTreeMap::new();
    for c in &r.country_matrix {
        let e = tot.entry(c.src_country).or_default();
        *e = e.saturating_add(c.bytes);
        let e = tot.entry(c.dst_country).or_default();
        *e = e.saturating_add(c.bytes);
    }
    // Countries that only the hairpin pairs mention still get a row and a column.
    for (a, b) in hp.keys() {
        tot.entry(*a).or_default();
        tot.entry(*b).or_default();
    }
    if tot.is_empty() {
        s.push_str(r#"<p class="note">No IP traffic.</p></section>"#);
        return;
    }
    // Zone countries first (home first), then the rest by volume.
    let zone: Vec<Country> = r.hairpin.as_ref().map_or(Vec::new(), |h| {
        let mut z = vec![h.home];
        z.extend(h.zone.iter().filter(|c| **c != h.home).copied());
        z
    });
    let mut order: Vec<Option<Country>> = zone
        .iter()
        .filter(|c| tot.contains_key(&Some(**c)))
        .map(|c| Some(*c))
        .collect();
    let mut rest: Vec<(&Option<Country>, &u64)> =
        tot.iter().filter(|(c, _)| !order.contains(c)).collect();
    rest.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let room = COUNTRY_TOP.saturating_sub(order.len()).max(1);
    let folded = rest.len() > room + 1;
    for (c, _) in rest.iter().take(if folded { room } else { rest.len() }) {
        order.push(**c);
    }
    let n = order.len() + usize::from(folded);
    // Every country is in `order` or folded into the last index (which exists when folded).
    let idx = |c: &Option<Country>| {
        order
            .iter()
            .position(|o| o == c)
            .unwrap_or(order.len())
            .min(n - 1)
    };
    let mut grid = vec![vec![(Volume::default(), 0u64); n]; n];
    for c in &r.country_matrix {
        let cell = &mut grid[idx(&c.src_country)][idx(&c.dst_country)];
        cell.0.bytes = cell.0.bytes.saturating_add(c.bytes);
        cell.0.packets = cell.0.packets.saturating_add(c.packets);
        cell.0.flows = cell.0.flows.saturating_add(c.flows);
    }
    for ((a, b), v) in &hp {
        let cell = &mut grid[idx(a)][idx(b)].1;
        *cell = cell.saturating_add(*v);
    }
    let scale = LogScale::new(grid.iter().flatten().map(|c| c.0.bytes), &BLUES);
    let label = |i: usize| -> String {
        if i < order.len() {
            country(order[i])
        } else {
            format!("other ({})", rest.len() - room)
        }
    };
    s.push_str(r#"<div class="scroll"><table class="matrix" id="country-matrix"><thead><tr><th class="rowh">from \ to</th>"#);
    for j in 0..n {
        let _ = write!(s, r#"<th class="num">{}</th>"#, html(&label(j)));
    }
    s.push_str("</tr></thead><tbody>");
    for (i, row) in grid.iter().enumerate() {
        let _ = write!(s, r#"<tr><th class="rowh">{}</th>"#, html(&label(i)));
        for (v, hb) in row {
            let style = match scale.colour(v.bytes) {
                Some(c) => format!(
                    r#" style="background:{};color:{}""#,
                    c.hex(),
                    text_on(c).hex()
                ),
                None => String::new(),
            };
            let hp_line = if *hb > 0 {
                // Hairpin line in a colour legible on the cell's shade.
                let on_dark = scale
                    .colour(v.bytes)
                    .is_some_and(|c| text_on(c) == crate::colour::PAPER);
                format!(
                    r#"<span class="hp" style="color:{}">↺ {}</span>"#,
                    if on_dark { "#ffd8cc" } else { "#b42318" },
                    html(&format::bytes(*hb))
                )
            } else {
                String::new()
            };
            let _ = write!(
                s,
                r#"<td data-value="{b}" data-hairpin="{hb}"{style}>{txt}{hp_line}</td>"#,
                b = v.bytes,
                txt = if v.bytes > 0 {
                    html(&format::bytes(v.bytes))
                } else {
                    "·".into()
                }
            );
        }
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table></div><p class=\"caption\">Bytes are observed bytes: a hairpinned packet seen leaving and returning is counted at each sighting here, once in the hairpin figures. “??” is address space the ASN database places in no country; <code>--format csv --table country</code> has packets and flows too.</p></section>");
}

fn via_section(s: &mut String, ctx: &Ctx<'_>, h: &HairpinReport) {
    s.push_str(r#"<section id="via"><h2>Via which networks</h2><p class="lede">The neighbours hairpin traffic was exchanged with: the link a unique hairpinned packet left by (or arrived on, when only one sighting was captured).</p>"#);
    let via = via_totals(h);
    if via.is_empty() {
        s.push_str(r#"<p class="note">No via information.</p></section>"#);
        return;
    }
    let total = via
        .iter()
        .map(|v| v.1.bytes)
        .fold(0u64, u64::saturating_add);
    let max = via.iter().map(|v| v.1.bytes).max().unwrap_or(1).max(1);
    s.push_str(r#"<table id="via-table"><thead><tr><th>Link</th><th>Neighbour network</th><th>Country</th><th class="bar-cell">Share of hairpin bytes</th><th class="num">Hairpin bytes</th><th class="num">Unique packets</th><th class="num">AS pairs</th></tr></thead><tbody>"#);
    for (k, v) in &via {
        let share = if total > 0 {
            v.bytes as f64 / total as f64
        } else {
            0.0
        };
        let name = v
            .name
            .as_deref()
            .or_else(|| ctx.names.full(k.asn))
            .unwrap_or("");
        let _ = write!(
            s,
            r#"<tr><td>{link}</td><td>{asn}<span class="sub">{name}</span></td><td>{cc}</td><td class="bar-cell"><span class="bar" style="width:{w:.0}px"></span>{pct}</td><td class="num" data-value="{b}">{bf}</td><td class="num">{pk}</td><td class="num">{np}</td></tr>"#,
            link = html(k.link.as_deref().unwrap_or("unidentified link")),
            asn = if k.asn == 0 {
                "no ASN known".to_string()
            } else {
                format!("AS{}", k.asn)
            },
            name = html(name),
            cc = html(&country(k.country)),
            w = (110.0 * v.bytes as f64 / max as f64).max(1.0),
            pct = html(&format::percent(share)),
            b = v.bytes,
            bf = html(&format::bytes(v.bytes)),
            pk = format::count(v.packets),
            np = v.pairs
        );
    }
    s.push_str("</tbody></table>");
    if via.iter().any(|(k, _)| k.link.is_none()) {
        s.push_str(r#"<p class="caption">“unidentified link”: no links file was given (every link is assumed to lead abroad) or the frame matched no configured link.</p>"#);
    }
    s.push_str("</section>");
}

fn latency_section(s: &mut String, ctx: &Ctx<'_>, h: &HairpinReport) {
    s.push_str(r#"<section id="latency"><h2>Detour latency</h2><p class="lede">Time between the two sightings of a hairpinned packet (leaving, then returning) per AS pair, with the fastest TCP handshake seen between the pair, on a logarithmic axis. The green line is the domestic floor: the shortest round trip possible over fibre across the zone without leaving it. When even the fastest handshake is slower than the floor, the timing is consistent with a detour abroad (congestion or a slow server can also add time; a handshake faster than the floor leaves no room for one). The table below the chart gives every value.</p>"#);
    let pairs: Vec<&HairpinPair> = h
        .pairs
        .iter()
        .filter(|p| p.detour_ms.is_some() || p.handshake_rtt_ms.is_some())
        .collect();
    if pairs.is_empty() {
        s.push_str(r#"<p class="note">No packet was seen both leaving and returning, and no TCP handshake was timed, so there is no latency evidence in this result.</p></section>"#);
        return;
    }
    let rows: Vec<LatencyRow> = pairs
        .iter()
        .take(LATENCY_ROWS)
        .map(|p| {
            let (a, b) = ends(p);
            LatencyRow {
                label: format!(
                    "{} → {}",
                    ctx.names.short_cc(&a, 10),
                    ctx.names.short_cc(&b, 10)
                ),
                detour: p.detour_ms.as_ref().map(|q| Detour {
                    samples: q.samples,
                    p50: q.p50,
                    p90: q.p90,
                    p99: q.p99,
                }),
                handshake: p.handshake_rtt_ms.as_ref().map(|x| Handshake {
                    samples: x.samples,
                    min: x.min,
                    p50: x.p50,
                }),
            }
        })
        .collect();
    let _ = write!(
        s,
        r#"<figure>{}<p class="caption">Domestic floor {} for {} km of fibre within the zone. {}</p></figure>"#,
        latency_plot(&rows, h.domestic_floor_ms, "latency-0"),
        html(&format::ms(h.domestic_floor_ms)),
        html(&format::plain(h.max_zone_km)),
        if pairs.len() > LATENCY_ROWS {
            format!(
                "The {LATENCY_ROWS} pairs with the most hairpin bytes of {} with latency data.",
                pairs.len()
            )
        } else {
            String::new()
        }
    );
    s.push_str(r#"<table class="latency-table" id="latency-table"><thead><tr><th>Source AS → destination AS</th><th class="num">Packets matched</th><th class="num">Detour p50</th><th class="num">p90</th><th class="num">p99</th><th class="num">Hops abroad, median</th><th class="num">TCP handshakes</th><th class="num">Fastest</th><th class="num">Median</th><th>Fastest above floor?</th></tr></thead><tbody>"#);
    for p in &pairs {
        let d = p.detour_ms.as_ref();
        let hs = p.handshake_rtt_ms.as_ref();
        let (a, b) = ends(p);
        let _ = write!(
            s,
            r#"<tr data-src="{sa}" data-dst="{da}"><td class="pair-cell"><span class="end">{src}</span><span class="end">→ {dst}</span></td><td class="num">{n}</td><td class="num">{p50}</td><td class="num">{p90}</td><td class="num">{p99}</td><td class="num">{hops}</td><td class="num">{hn}</td><td class="num">{hmin}</td><td class="num">{hp50}</td><td>{flag}</td></tr>"#,
            sa = p.src_asn,
            da = p.dst_asn,
            src = as_cell(ctx, &a, false),
            dst = as_cell(ctx, &b, false),
            n = d.map_or("–".into(), |q| format::count(q.samples)),
            p50 = d.map_or("–".into(), |q| html(&format::ms(q.p50))),
            p90 = d.map_or("–".into(), |q| html(&format::ms(q.p90))),
            p99 = d.map_or("–".into(), |q| html(&format::ms(q.p99))),
            hops = p
                .hops_abroad
                .as_ref()
                .map_or("–".into(), |x| x.p50.to_string()),
            hn = hs.map_or("–".into(), |x| format::count(x.samples)),
            hmin = hs.map_or("–".into(), |x| html(&format::ms(x.min))),
            hp50 = hs.map_or("–".into(), |x| html(&format::ms(x.p50))),
            flag = match hs {
                Some(x) if x.exceeds_domestic_floor => r#"<span class="flag">yes</span>"#,
                Some(_) => "no",
                None => r#"<span class="muted">no handshake</span>"#,
            }
        );
    }
    s.push_str("</tbody></table>");
    let matched: u64 = pairs
        .iter()
        .filter_map(|p| p.detour_ms.as_ref().map(|q| q.samples))
        .fold(0u64, u64::saturating_add);
    let _ = write!(
        s,
        r#"<p class="caption">{} matched in {}.</p></section>"#,
        html(&plural(matched, "packet", "packets")),
        html(&plural(pairs.len() as u64, "AS pair", "AS pairs"))
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn via_labels() {
        let mut m = BTreeMap::new();
        m.insert(3491, "PCCW-AS PCCW Global".to_string());
        let n = Names::new(m);
        assert_eq!(
            via_label(&n, Some("SG transit"), 7473, Some("SINGTEL-AS-AP Singtel")),
            "SG transit (AS7473)"
        );
        assert_eq!(via_label(&n, None, 3491, None), "AS3491 PCCW-AS");
        assert_eq!(via_label(&n, None, 0, None), "unidentified link");
        assert_eq!(via_label(&n, Some("x"), 0, None), "x");
    }
}
