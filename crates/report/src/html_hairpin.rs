//! Report sections about who hairpins: AS×AS heatmap and pair table, country×country
//! matrix, via-network breakdown and detour latency.

use crate::chart_heatmap::heatmap;
use crate::chart_latency::{latency_plot, LatencyRow};
use crate::colour::{text_on, LogScale, BLUES, ORANGE_RED};
use crate::escape::html;
use crate::format;
use crate::html_page::Ctx;
use crate::merge::{AsKey, Volume};
use crate::names::{country, handle, Names};
use std::collections::BTreeMap;
use std::fmt::Write as _;

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
    let m = &ctx.merged;
    match &m.hairpin {
        Some(_) => {
            pairs_section(s, ctx);
            country_section(s, ctx);
            via_section(s, ctx);
            latency_section(s, ctx);
        }
        None => {
            s.push_str(r#"<section id="as-matrix"><h2>AS×AS traffic</h2><p class="lede">All observed traffic between the busiest networks (rows: source AS, columns: destination AS). Hairpin detection was off, so no hairpin verdict is shown.</p>"#);
            let cells: Vec<(AsKey, AsKey, u64)> = m
                .as_matrix
                .iter()
                .map(|(a, b, v)| (a.clone(), b.clone(), v.bytes))
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

fn pairs_section(s: &mut String, ctx: &Ctx<'_>) {
    let Some(h) = &ctx.merged.hairpin else { return };
    s.push_str(r#"<section id="hairpin-pairs"><h2>Which networks hairpin: AS × AS</h2><p class="lede">Unique hairpin bytes from each source AS (rows) to each destination AS (columns). A packet seen leaving and returning counts once. Darker is more, on a logarithmic scale; hover a cell for exact bytes.</p>"#);
    if h.pairs.is_empty() {
        s.push_str(r#"<p class="note">No hairpin traffic was found.</p></section>"#);
        return;
    }
    let cells: Vec<(AsKey, AsKey, u64)> = h
        .pairs
        .iter()
        .map(|p| (p.src.clone(), p.dst.clone(), p.sum.bytes))
        .collect();
    let _ = write!(
        s,
        r#"<figure>{}<p class="caption">Rows: source AS · country. Columns: destination AS. At most {HEATMAP_TOP} ASes per axis are named; the rest are summed as “other ASes”.</p></figure>"#,
        heatmap(
            &cells,
            &ctx.names,
            &ORANGE_RED,
            HEATMAP_TOP,
            "hairpin-heatmap"
        )
    );
    s.push_str(r#"<h3>Hairpin AS pairs</h3><table id="pair-table"><thead><tr><th class="num">#</th><th>Source AS</th><th>Destination AS</th><th class="num">Hairpin bytes</th><th class="num" title="hairpin bytes ÷ all local bytes of the pair">Of pair's local</th><th class="num" title="unique hairpinned packets">Packets</th><th class="num" title="unique packets seen both leaving and returning">Seen twice</th><th class="via-cell">Via (share of hairpin bytes)</th></tr></thead><tbody>"#);
    for (i, p) in h.pairs.iter().take(PAIR_ROWS).enumerate() {
        let share = if p.sum.local_bytes > 0 {
            p.sum.bytes as f64 / p.sum.local_bytes as f64
        } else {
            0.0
        };
        let via_total = p
            .sum
            .via
            .values()
            .map(|v| v.bytes)
            .fold(0u64, u64::saturating_add);
        let mut via: Vec<_> = p.sum.via.iter().collect();
        via.sort_by(|a, b| b.1.bytes.cmp(&a.1.bytes).then(a.0.cmp(b.0)));
        let via_html = via
            .iter()
            .take(3)
            .map(|(k, v)| {
                let who = via_label(&ctx.names, k.link.as_deref(), k.asn, v.name.as_deref());
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
        let as_cell = |k: &AsKey| {
            format!(
                r#"<span title="{t}">{n} · {c}<span class="sub">{h}</span></span>"#,
                t = html(&ctx.names.long_cc(k)),
                n = html(&Names::number(k.asn)),
                c = html(country(k.country.as_deref())),
                h = html(&crate::escape::truncate(
                    ctx.names.full(k.asn).map(handle).unwrap_or(""),
                    26
                )),
            )
        };
        let _ = write!(
            s,
            r#"<tr data-src="{sa}" data-dst="{da}"><td class="num">{n}</td><td>{src}</td><td>{dst}</td><td class="num" data-value="{b}">{bf}</td><td class="num" data-value="{share}">{sf}</td><td class="num">{pk}</td><td class="num">{ro}</td><td class="via-cell">{via_html}{more}</td></tr>"#,
            sa = p.src.asn,
            da = p.dst.asn,
            n = i + 1,
            src = as_cell(&p.src),
            dst = as_cell(&p.dst),
            b = p.sum.bytes,
            bf = html(&format::bytes(p.sum.bytes)),
            sf = html(&format::percent(share)),
            pk = format::count(p.sum.packets),
            ro = format::count(p.sum.reobserved_packets),
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
            r#"<p class="caption">Top {PAIR_ROWS} of {} pairs by hairpin bytes; <code>trombone report --format csv</code> lists them all.</p>"#,
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
    let m = &ctx.merged;
    s.push_str(r#"<section id="countries"><h2>Country × country</h2><p class="lede">All observed IP bytes by source country (rows) and destination country (columns), shaded on a logarithmic scale."#);
    if m.hairpin.is_some() {
        s.push_str(" The red line in a cell is the unique hairpin bytes of that country pair.");
    }
    s.push_str("</p>");
    let mut hp: BTreeMap<(Option<String>, Option<String>), u64> = BTreeMap::new();
    if let Some(h) = &m.hairpin {
        for p in &h.pairs {
            let e = hp
                .entry((p.src.country.clone(), p.dst.country.clone()))
                .or_default();
            *e = e.saturating_add(p.sum.bytes);
        }
    }
    let mut tot: BTreeMap<Option<String>, u64> = BTreeMap::new();
    for (a, b, v) in &m.country_matrix {
        {
            let e = tot.entry(a.clone()).or_default();
            *e = e.saturating_add(v.bytes);
        }
        {
            let e = tot.entry(b.clone()).or_default();
            *e = e.saturating_add(v.bytes);
        }
    }
    // Countries that only the hairpin pairs mention still get a row and a column.
    for (a, b) in hp.keys() {
        tot.entry(a.clone()).or_default();
        tot.entry(b.clone()).or_default();
    }
    if tot.is_empty() {
        s.push_str(r#"<p class="note">No IP traffic.</p></section>"#);
        return;
    }
    // Zone countries first (home first), then the rest by volume.
    let zone: Vec<String> = m.hairpin.as_ref().map_or(Vec::new(), |h| {
        let mut z = vec![h.home.clone()];
        z.extend(h.zone.iter().filter(|c| **c != h.home).cloned());
        z
    });
    let mut order: Vec<Option<String>> = zone
        .iter()
        .filter(|c| tot.contains_key(&Some((*c).clone())))
        .map(|c| Some(c.clone()))
        .collect();
    let mut rest: Vec<(&Option<String>, &u64)> =
        tot.iter().filter(|(c, _)| !order.contains(c)).collect();
    rest.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let room = COUNTRY_TOP.saturating_sub(order.len()).max(1);
    let folded = rest.len() > room + 1;
    for (c, _) in rest.iter().take(if folded { room } else { rest.len() }) {
        order.push((*c).clone());
    }
    let n = order.len() + usize::from(folded);
    // Every country is in `order` or folded into the last index (which exists when folded).
    let idx = |c: &Option<String>| {
        order
            .iter()
            .position(|o| o == c)
            .unwrap_or(order.len())
            .min(n - 1)
    };
    let mut grid = vec![vec![(Volume::default(), 0u64); n]; n];
    for (a, b, v) in &m.country_matrix {
        let cell = &mut grid[idx(a)][idx(b)];
        cell.0.bytes = cell.0.bytes.saturating_add(v.bytes);
        cell.0.packets = cell.0.packets.saturating_add(v.packets);
        cell.0.flows = cell.0.flows.saturating_add(v.flows);
    }
    for ((a, b), v) in &hp {
        let cell = &mut grid[idx(a)][idx(b)].1;
        *cell = cell.saturating_add(*v);
    }
    let scale = LogScale::new(grid.iter().flatten().map(|c| c.0.bytes), &BLUES);
    let label = |i: usize| -> String {
        if i < order.len() {
            country(order[i].as_deref()).to_string()
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
        for (j, (v, hb)) in row.iter().enumerate() {
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
                r#"<td data-value="{b}" data-hairpin="{hb}" title="{from} → {to}: {cnt} bytes, {pk} packets, {fl} flows"{style}>{txt}{hp_line}</td>"#,
                b = v.bytes,
                from = html(&label(i)),
                to = html(&label(j)),
                cnt = format::count(v.bytes),
                pk = format::count(v.packets),
                fl = format::count(v.flows),
                txt = if v.bytes > 0 {
                    html(&format::bytes(v.bytes))
                } else {
                    "·".into()
                }
            );
        }
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table></div><p class=\"caption\">Bytes are observed bytes: a hairpinned packet seen leaving and returning is counted at each sighting here, once in the hairpin figures. “??” is address space the ASN database places in no country.</p></section>");
}

fn via_section(s: &mut String, ctx: &Ctx<'_>) {
    let Some(h) = &ctx.merged.hairpin else { return };
    s.push_str(r#"<section id="via"><h2>Via which networks</h2><p class="lede">The foreign neighbours hairpin traffic was exchanged with: the link a unique hairpinned packet left by (or arrived on, when only one sighting was captured).</p>"#);
    let via = h.via_totals();
    if via.is_empty() {
        s.push_str(r#"<p class="note">No via information.</p></section>"#);
        return;
    }
    let total = via
        .iter()
        .map(|v| v.1.bytes)
        .fold(0u64, u64::saturating_add);
    let max = via.iter().map(|v| v.1.bytes).max().unwrap_or(1).max(1);
    let mut pairs_per: BTreeMap<&crate::merge::ViaKey, usize> = BTreeMap::new();
    for p in &h.pairs {
        for k in p.sum.via.keys() {
            *pairs_per.entry(k).or_default() += 1;
        }
    }
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
                "unknown".to_string()
            } else {
                format!("AS{}", k.asn)
            },
            name = html(name),
            cc = html(country(k.country.as_deref())),
            w = (160.0 * v.bytes as f64 / max as f64).max(1.0),
            pct = html(&format::percent(share)),
            b = v.bytes,
            bf = html(&format::bytes(v.bytes)),
            pk = format::count(v.packets),
            np = pairs_per.get(k).copied().unwrap_or(0)
        );
    }
    s.push_str("</tbody></table>");
    if via.iter().any(|(k, _)| k.link.is_none()) {
        s.push_str(r#"<p class="caption">“unidentified link”: no links file was given (every link is assumed to lead abroad) or the frame matched no configured link.</p>"#);
    }
    s.push_str("</section>");
}

fn latency_section(s: &mut String, ctx: &Ctx<'_>) {
    s.push_str(r#"<section id="latency"><h2>Detour latency</h2><p class="lede">Time between the two sightings of a hairpinned packet (leaving, then returning) per AS pair, with the fastest TCP handshake seen between the pair. The green line is the domestic floor: the shortest round trip possible over fibre across the zone without leaving it. When even the fastest handshake is slower than the floor, the timing is consistent with a detour abroad (congestion or a slow server can also add time; a handshake faster than the floor leaves no room for one).</p>"#);
    if ctx.multi() {
        s.push_str(r#"<p class="note">Percentiles cannot be merged across result files, so latency is shown per file.</p>"#);
    }
    for (fi, f) in ctx.files.iter().enumerate() {
        let Some(h) = &f.result.hairpin else { continue };
        s.push_str(&ctx.file_heading(f));
        let pairs: Vec<_> = h
            .pairs
            .iter()
            .filter(|p| p.detour_ms.is_some() || p.handshake_rtt_ms.is_some())
            .collect();
        if pairs.is_empty() {
            s.push_str(r#"<p class="note">No packet was seen both leaving and returning, and no TCP handshake was timed, so there is no latency evidence in this result.</p>"#);
            continue;
        }
        let key = |asn: u32, cc: &Option<String>| AsKey {
            asn,
            country: cc.clone(),
        };
        let rows: Vec<LatencyRow> = pairs
            .iter()
            .take(LATENCY_ROWS)
            .map(|p| {
                let (a, b) = (
                    key(p.src_asn, &p.src_country),
                    key(p.dst_asn, &p.dst_country),
                );
                LatencyRow {
                    label: format!(
                        "{} → {}",
                        ctx.names.short(a.asn, 11),
                        ctx.names.short(b.asn, 11)
                    ),
                    title: format!("{} → {}", ctx.names.long_cc(&a), ctx.names.long_cc(&b)),
                    detour: p.detour_ms,
                    handshake: p.handshake_rtt_ms,
                }
            })
            .collect();
        let _ = write!(
            s,
            r#"<figure>{}<p class="caption">Domestic floor {} for {} km of fibre within the zone. {}</p></figure>"#,
            latency_plot(&rows, h.domestic_floor_ms, &format!("latency-{fi}")),
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
        s.push_str(r#"<table class="latency-table"><thead><tr><th>AS pair</th><th class="num">Matched packets</th><th class="num">Detour p50</th><th class="num">p90</th><th class="num">p99</th><th class="num" title="TTL difference between the two sightings, median">Hops abroad</th><th class="num">TCP handshakes</th><th class="num">Fastest</th><th class="num">Median</th><th title="even the fastest handshake took longer than the domestic floor">Above floor?</th></tr></thead><tbody>"#);
        for p in &pairs {
            let d = p.detour_ms;
            let hs = p.handshake_rtt_ms;
            let (a, b) = (
                key(p.src_asn, &p.src_country),
                key(p.dst_asn, &p.dst_country),
            );
            let _ = write!(
                s,
                r#"<tr><td class="nowrap" title="{t}">{pair}</td><td class="num">{n}</td><td class="num">{p50}</td><td class="num">{p90}</td><td class="num">{p99}</td><td class="num">{hops}</td><td class="num">{hn}</td><td class="num">{hmin}</td><td class="num">{hp50}</td><td>{flag}</td></tr>"#,
                t = html(&format!(
                    "{} → {}",
                    ctx.names.long_cc(&a),
                    ctx.names.long_cc(&b)
                )),
                pair = html(&format!(
                    "{} → {}",
                    Names::number(a.asn),
                    Names::number(b.asn)
                )),
                n = d.map_or("–".into(), |q| format::count(q.samples)),
                p50 = d.map_or("–".into(), |q| html(&format::ms(q.p50))),
                p90 = d.map_or("–".into(), |q| html(&format::ms(q.p90))),
                p99 = d.map_or("–".into(), |q| html(&format::ms(q.p99))),
                hops = p.hops_abroad.map_or("–".into(), |x| format::plain(x.p50)),
                hn = hs.map_or("–".into(), |x| format::count(x.samples)),
                hmin = hs.map_or("–".into(), |x| html(&format::ms(x.min))),
                hp50 = hs.map_or("–".into(), |x| html(&format::ms(x.p50))),
                flag = match hs {
                    Some(x) if x.exceeds_domestic_floor => {
                        r#"<span class="flag">yes</span>"#
                    }
                    Some(_) => "no",
                    None => r#"<span class="muted">no handshake</span>"#,
                }
            );
        }
        s.push_str("</tbody></table>");
    }
    s.push_str("</section>");
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
