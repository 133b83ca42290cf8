//! The evidence that holds up when an operator disputes the verdict: the latency headline
//! (hairpinned against locally exchanged handshakes, and what a local IXP would save), and
//! per AS pair and per country pair the handshake RTTs, the saving, the Tromboning Index,
//! the BGP route and whether both networks are already at the same IXP.
//!
//! Everything prints: each figure is in a cell, with what it rests on in the line under
//! it; nothing is left to a tooltip.

use crate::escape::html;
use crate::evidence::{Grade, FEW_SAMPLES};
use crate::format::{self, plural};
use crate::html_hairpin::as_cell;
use crate::html_page::{basis, card, zone_words, Ctx};
use crate::names::{country_long, AsKey, Names};
use std::fmt::Write as _;
use trombone_schema::{BgpEvidence, Country, CountryPairEvidence, Evidence, PairEvidence, Rtt, Ti};

/// The section's own layout rules: narrow figure columns that wrap their basis lines.
const EVIDENCE_CSS: &str = "#evidence table.evidence-table td{white-space:normal}#evidence table.evidence-table td .sub{white-space:normal}#evidence td.fig{text-align:right;font-variant-numeric:tabular-nums}#evidence td.fig .sub{text-align:right}#evidence td.verdict{min-width:9em}#evidence td.pair-cell{min-width:11em}@media print{#evidence table.evidence-table{font-size:8pt}#evidence table.evidence-table th,#evidence table.evidence-table td{padding:3pt 4pt}}";

/// Rows of the per-pair table (the JSON's `evidence.pairs` has all).
pub(crate) const PAIR_ROWS: usize = 30;
/// Rows of the per-country-pair table.
pub(crate) const COUNTRY_ROWS: usize = 30;
/// The card's label.
const LABEL: &str = "Latency: hairpinned vs local";

/// A number for a data attribute ("" for none).
fn dv(v: Option<f64>) -> String {
    v.map_or(String::new(), |x| x.to_string())
}

/// The grade of a comparison of medians and why: the span's grade, indicative when a
/// median rests on fewer than 20 handshakes. `sides` are (which, handshakes) of the
/// medians compared.
pub(crate) fn median_grade(covered_s: f64, sides: &[(&str, u64)]) -> (Grade, String) {
    let span = Grade::of_span(covered_s);
    let mut why = span.span_reason().to_string();
    let few: Vec<String> = sides
        .iter()
        .filter(|(_, n)| *n < FEW_SAMPLES)
        .map(|(w, n)| {
            format!(
                "the {w} median rests on {}",
                plural(*n, "handshake", "handshakes")
            )
        })
        .collect();
    if few.is_empty() {
        return (span, why);
    }
    why.push_str("; ");
    why.push_str(&few.join(" and "));
    why.push_str(" (fewer than 20)");
    (Grade::Indicative, why)
}

/// The latency headline card: the median handshake of hairpinned local traffic against
/// that of locally exchanged traffic, and what a local IXP would save, with its basis.
/// Nothing when hairpin analysis was off.
pub(crate) fn latency_card(s: &mut String, ctx: &Ctx<'_>) {
    let Some(h) = &ctx.r.hairpin else { return };
    let Some(e) = &ctx.r.evidence else {
        card(
            s,
            "wide",
            LABEL,
            "latency-saving",
            r#"data-value="""#,
            "–",
            "This result carries no handshake evidence (it was written before trombone timed the handshakes of local networks): no latency comparison.",
            "",
        );
        return;
    };
    let hl = &e.headline;
    let (hp, dir) = (hl.hairpinned_median_ms, hl.direct_median_ms);
    let ms = |x: f64| html(&format::ms(x));
    let (value, mut sub) = match (hp, dir, hl.saving_ms) {
        (Some(a), Some(b), Some(z)) if z > 0.0 => (
            format!(r#"{}<span class="per"> saved</span>"#, ms(z)),
            format!(
                "Hairpinned local traffic: median handshake {}; locally exchanged: {}; a local IXP would save about {} per handshake.",
                ms(a),
                ms(b),
                ms(z)
            ),
        ),
        (Some(a), Some(b), z) => (
            "none".to_string(),
            format!(
                "Hairpinned local traffic: median handshake {}; locally exchanged: {}: hairpinned handshakes were not slower{}, so no saving is measured.",
                ms(a),
                ms(b),
                z.map_or(String::new(), |z| format!(" ({})", ms(z)))
            ),
        ),
        (Some(a), None, _) => (
            format!(r#"{}<span class="per"> hairpinned</span>"#, ms(a)),
            format!(
                "Hairpinned local traffic: median handshake {}; no direct handshakes seen: no baseline, so no saving can be estimated.",
                ms(a)
            ),
        ),
        (None, Some(b), _) => (
            "–".to_string(),
            format!(
                "No hairpinned handshakes seen: nothing to compare. Locally exchanged: median handshake {}.",
                ms(b)
            ),
        ),
        (None, None, _) => (
            "–".to_string(),
            "No TCP handshakes between local networks were timed: no latency comparison.".to_string(),
        ),
    };
    if let Some(na) = &e.not_available {
        let _ = write!(sub, " {}", html(na));
    }
    let mut sides = Vec::new();
    if hp.is_some() {
        sides.push(("hairpinned", hl.hairpinned_handshakes));
    }
    if dir.is_some() {
        sides.push(("locally exchanged", hl.direct_handshakes));
    }
    let (grade, why) = median_grade(ctx.covered_s(), &sides);
    let mut facts = format!(
        "Basis: TCP handshakes (SYN to SYN/ACK) between networks in {zone}, seen at this vantage in {traffic}: {hn} whose SYN hairpinned, {dn} exchanged locally; {kn} left out under Karn's rule (SYN or SYN/ACK retransmitted).",
        zone = html(&zone_words(h)),
        traffic = html(&ctx.traffic_words()),
        hn = html(&plural(hl.hairpinned_handshakes, "handshake", "handshakes")),
        dn = html(&plural(hl.direct_handshakes, "handshake", "handshakes")),
        kn = html(&plural(hl.retransmitted, "handshake", "handshakes")),
    );
    if hl.handshakes_dropped > 0 {
        let _ = write!(
            facts,
            " {} still waiting for an answer pushed out of a full table (not timed).",
            html(&plural(hl.handshakes_dropped, "SYN", "SYNs"))
        );
    }
    facts.push_str(" A handshake's time includes the server's answer: the saving assumes servers answer as fast either way.");
    card(
        s,
        "wide",
        LABEL,
        "latency-saving",
        &format!(
            r#"data-value="{}" data-hairpinned-ms="{}" data-direct-ms="{}""#,
            dv(hl.saving_ms),
            dv(hp),
            dv(dir)
        ),
        &value,
        &sub,
        &basis("latency-saving", grade, &why, &facts),
    );
}

/// "44.3 ms" over "min 44.3 ms · 2 handshakes", or `none` in muted text.
fn rtt_cell(r: Option<&Rtt>, none: &str, extra: &str) -> String {
    match r {
        Some(r) => format!(
            r#"<td class="fig" data-p50="{p50}" data-min="{min}" data-samples="{n}">p50 {p50f}<span class="sub">min {minf} · {nf}</span>{extra}</td>"#,
            p50 = r.p50,
            min = r.min,
            n = r.samples,
            p50f = html(&format::ms(r.p50)),
            minf = html(&format::ms(r.min)),
            nf = html(&plural(r.samples, "handshake", "handshakes")),
        ),
        None => format!(
            r#"<td class="fig"><span class="muted">{}</span>{extra}</td>"#,
            html(none)
        ),
    }
}

/// The baseline's basis in a few words.
fn basis_short(b: &str) -> &str {
    match b {
        "this pair's direct handshakes" => "this pair's direct median",
        "direct handshakes of the same country pair" => "the country pair's direct median",
        "direct handshakes of the zone" => "the zone's direct median",
        other => other,
    }
}

/// A saving; one that is not positive says that hairpinned handshakes were not slower.
fn saving_value(z: f64) -> String {
    if z > 0.0 {
        html(&format::ms(z))
    } else {
        format!(
            r#"<span class="muted">none</span><span class="sub">hairpinned not slower ({})</span>"#,
            html(&format::ms(z))
        )
    }
}

/// The saving of a pair, over its baseline and basis.
fn pair_saving_cell(p: &PairEvidence) -> String {
    match (p.saving_ms, p.baseline_ms, &p.hairpinned) {
        (Some(z), Some(b), _) => format!(
            r#"<td class="fig" data-value="{z}">{zf}<span class="sub">vs {bf}, {w}</span></td>"#,
            zf = saving_value(z),
            bf = html(&format::ms(b)),
            w = html(basis_short(p.baseline_basis.as_deref().unwrap_or("baseline"))),
        ),
        (_, _, Some(_)) => r#"<td class="fig" data-value=""><span class="muted">no baseline</span><span class="sub">no direct handshakes seen</span></td>"#.to_string(),
        (_, _, None) => r#"<td class="fig" data-value=""><span class="muted">–</span><span class="sub">no hairpinned handshake</span></td>"#.to_string(),
    }
}

/// A TI value, flagged when above the acceptable TI.
fn ti_value(t: &Ti) -> String {
    let v = html(&format::sig(t.value, 3));
    if t.above_acceptable {
        format!(r#"<span class="flag">{v}</span>"#)
    } else {
        v
    }
}

/// "floored to 100 km" when a distance was taken as the floor.
fn floored_words(floor_km: f64) -> String {
    format!("floored to {} km", format::plain(floor_km))
}

/// The TI of the hairpinned path over that of the direct path, the floor marked.
fn ti_cell(hairpinned: Option<&Ti>, direct: Option<&Ti>, timed: bool, floor_km: f64) -> String {
    let mut c = format!(
        r#"<td class="fig" data-value="{}" data-direct="{}">"#,
        dv(hairpinned.map(|t| t.value)),
        dv(direct.map(|t| t.value))
    );
    match hairpinned {
        Some(t) => c.push_str(&ti_value(t)),
        None => c.push_str(r#"<span class="muted">–</span>"#),
    }
    if let Some(d) = direct {
        let _ = write!(c, r#"<span class="sub">direct {}</span>"#, ti_value(d));
    }
    if hairpinned.or(direct).is_some_and(|t| t.floored) {
        let _ = write!(
            c,
            r#"<span class="sub floored">{}</span>"#,
            html(&floored_words(floor_km))
        );
    } else if hairpinned.is_none() && direct.is_none() && timed {
        c.push_str(r#"<span class="sub">no location for a country</span>"#);
    }
    c.push_str("</td>");
    c
}

/// The BGP verdict of a pair and what it rests on: (verdict, lines under it).
pub(crate) fn bgp_verdict(b: Option<&BgpEvidence>, names: &Names) -> (String, Vec<String>) {
    let Some(b) = b else {
        return ("not checked".into(), Vec::new());
    };
    let best = b.paths.first();
    let Some(best) = best.filter(|_| b.basis != "none") else {
        return (
            "no route".into(),
            vec!["the dumps have no route to the destination".into()],
        );
    };
    let verdict = match b.leaves_zone {
        Some(true) if !b.transit.is_empty() => {
            let mut v = format!(
                "leaves the zone via {}",
                b.transit
                    .iter()
                    .take(2)
                    .map(|a| names.short(*a, 24))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            if b.transit.len() > 2 {
                let _ = write!(v, " +{} more", b.transit.len() - 2);
            }
            v
        }
        Some(true) => "leaves the zone".into(),
        Some(false) => "stays in the zone".into(),
        None => "no route".into(),
    };
    let mut lines = vec![match b.basis.as_str() {
        "source_view" => "the source's own routes".to_string(),
        "collector_view" => "collector view only".to_string(),
        other => other.to_string(),
    }];
    lines.push(format!(
        "path {}",
        best.path
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(" ")
    ));
    (verdict, lines)
}

/// The IXP verdict of a pair: "present at the same IXP (CNX), not exchanging locally",
/// "no common IXP", or "not checked".
pub(crate) fn ixp_verdict(p: &PairEvidence) -> String {
    match &p.common_ixps {
        None => "not checked".into(),
        Some(v) if v.is_empty() => "no common IXP".into(),
        Some(v) => {
            let names = v
                .iter()
                .map(|x| x.name.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            if p.peering.is_some() {
                format!("present at the same IXP ({names}), not exchanging locally")
            } else {
                format!("both present at {names}")
            }
        }
    }
}

/// "Cambodia (KH)", or "unknown country (??)".
fn country_words(c: Option<Country>) -> String {
    c.map_or_else(|| "unknown country (??)".into(), country_long)
}

/// Writes the evidence section (nothing when hairpin analysis was off).
pub(crate) fn section(s: &mut String, ctx: &Ctx<'_>) {
    if ctx.r.hairpin.is_none() {
        return;
    }
    let _ = write!(
        s,
        r#"<section id="evidence" class="page-break"><style>{EVIDENCE_CSS}</style><h2>Evidence per pair</h2>"#
    );
    let Some(e) = &ctx.r.evidence else {
        s.push_str(r#"<p class="note">This result carries no evidence section: it was written before trombone timed the handshakes of local networks. Analyse the capture again with a current trombone for handshake times, the Tromboning Index, BGP paths and common IXPs.</p></section>"#);
        return;
    };
    let _ = write!(
        s,
        r##"<p class="lede">For each pair of local networks: the TCP handshake time (SYN to SYN/ACK) of handshakes whose SYN hairpinned and of those exchanged in the zone, the latency a local IXP would save, the Tromboning Index of each path, what BGP says about the route and whether both networks are already at the same IXP. A handshake whose SYN or SYN/ACK was retransmitted gives no time (Karn's rule). The domestic floor is {floor}. What each line proves and does not prove is under <a href="#method">Method and evidence</a>.</p>"##,
        floor = html(&format::ms(e.domestic_floor_ms)),
    );
    if let Some(na) = &e.not_available {
        let _ = write!(s, r#"<p class="note warn">{}</p>"#, html(na));
    }
    pair_table(s, ctx, e);
    country_table(s, e);
    s.push_str("</section>");
}

fn pair_table(s: &mut String, ctx: &Ctx<'_>, e: &Evidence) {
    let local: Vec<&PairEvidence> = e.pairs.iter().filter(|p| p.local).collect();
    let others = e.pairs.len() - local.len();
    s.push_str(r#"<h3>Local AS pairs</h3>"#);
    if local.is_empty() {
        s.push_str(r#"<p class="note">No pair of local networks had a timed handshake, BGP or IXP evidence.</p>"#);
        return;
    }
    let (bgp, ixp) = (e.bgp_source.is_some(), e.ixp_source.is_some());
    s.push_str(r#"<table class="evidence-table" id="evidence-pair-table"><thead><tr><th>Source AS → destination AS</th><th class="num">Hairpinned handshake</th><th class="num">Direct handshake</th><th class="num">Saving</th><th class="num">Tromboning Index</th>"#);
    if bgp {
        s.push_str("<th>BGP route</th>");
    }
    if ixp {
        s.push_str("<th>Common IXP</th>");
    }
    s.push_str("</tr></thead><tbody>");
    for p in local.iter().take(PAIR_ROWS) {
        let k = |asn, country| AsKey { asn, country };
        let mut facts = Vec::new();
        if p.hairpinned_bytes > 0 {
            facts.push(format!("{} hairpinned", format::bytes(p.hairpinned_bytes)));
        }
        if p.retransmitted > 0 {
            facts.push(format!(
                "{} left out (SYN or SYN/ACK retransmitted)",
                plural(p.retransmitted, "handshake", "handshakes")
            ));
        }
        let floor = match p.exceeds_domestic_floor {
            Some(true) => r#"<span class="sub flag">fastest above the floor</span>"#,
            Some(false) => r#"<span class="sub">fastest within the floor</span>"#,
            None => "",
        };
        let _ = write!(
            s,
            r#"<tr data-src="{sa}" data-dst="{da}"><td class="pair-cell"><span class="end">{src}</span><span class="end">→ {dst}</span>{facts}</td>{h}{d}{z}{ti}"#,
            sa = p.src_asn,
            da = p.dst_asn,
            src = as_cell(ctx, &k(p.src_asn, p.src_country), false),
            dst = as_cell(ctx, &k(p.dst_asn, p.dst_country), false),
            facts = if facts.is_empty() {
                String::new()
            } else {
                format!(r#"<span class="sub">{}</span>"#, html(&facts.join(" · ")))
            },
            h = rtt_cell(p.hairpinned.as_ref(), "none seen", floor),
            d = rtt_cell(p.direct.as_ref(), "none seen", ""),
            z = pair_saving_cell(p),
            ti = ti_cell(
                p.ti.as_ref(),
                p.ti_direct.as_ref(),
                p.hairpinned.is_some() || p.direct.is_some(),
                e.ti_method.floor_km
            ),
        );
        if bgp {
            let (v, lines) = bgp_verdict(p.bgp.as_ref(), &ctx.names);
            let cls = if p.bgp.as_ref().and_then(|b| b.leaves_zone) == Some(true) {
                " flag"
            } else {
                ""
            };
            let _ = write!(
                s,
                r#"<td class="verdict bgp"><span class="v{cls}">{}</span>{}</td>"#,
                html(&v),
                lines
                    .iter()
                    .map(|l| format!(r#"<span class="sub">{}</span>"#, html(l)))
                    .collect::<String>()
            );
        }
        if ixp {
            let v = ixp_verdict(p);
            let cls =
                if p.peering.is_some() && p.common_ixps.as_ref().is_some_and(|c| !c.is_empty()) {
                    " flag"
                } else {
                    ""
                };
            let _ = write!(
                s,
                r#"<td class="verdict ixp"><span class="v{cls}">{}</span></td>"#,
                html(&v)
            );
        }
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table>");
    let mut cap = format!(
        "Handshake times are medians (p50) and the fastest (min) of the handshakes timed; the saving is the hairpinned median minus the baseline named under it. Tromboning Index: the path length the fastest handshake implies (RTT ÷ 2 × {} km/ms ÷ {} fibre stretch) over the great-circle distance between the two countries' reference cities, distances below {} km taken as {} km; 1 is ideal, about {} acceptable (ESCAP/AP-IS 2016); red: above it.",
        format::plain(e.ti_method.fibre_km_per_ms),
        format::plain(e.ti_method.fibre_stretch),
        format::plain(e.ti_method.floor_km),
        format::plain(e.ti_method.floor_km),
        format::plain(e.ti_method.acceptable),
    );
    match &e.bgp_source {
        Some(b) => {
            let _ = write!(cap, " BGP: {b}.");
        }
        None => cap.push_str(" No BGP dumps were given (--bgp): no route verdicts."),
    }
    match &e.ixp_source {
        Some(x) => {
            let _ = write!(cap, " IXP membership: {x}.");
        }
        None => cap.push_str(
            " No IXP membership data was given (--peeringdb, --ixp-members): no common-IXP verdicts.",
        ),
    }
    if local.len() > PAIR_ROWS {
        let _ = write!(
            cap,
            " The {PAIR_ROWS} pairs with the most hairpinned bytes of {}; the JSON's evidence.pairs lists them all.",
            local.len()
        );
    }
    if others > 0 {
        let _ = write!(
            cap,
            " {} with an end outside the zone not shown (--rtt all).",
            plural(others as u64, "pair", "pairs")
        );
    }
    let _ = write!(s, r#"<p class="caption">{}</p>"#, html(&cap));
}

/// The saving of a country pair, over its baseline.
fn country_saving_cell(c: &CountryPairEvidence, zone_direct: Option<f64>) -> String {
    match (c.saving_ms, &c.hairpinned) {
        (Some(z), _) => {
            let (b, w) = match &c.direct {
                Some(d) => (Some(d.p50), "its direct median"),
                None => (zone_direct, "the zone's direct median"),
            };
            format!(
                r#"<td class="fig" data-value="{z}">{zf}<span class="sub">{vs}</span></td>"#,
                zf = saving_value(z),
                vs = html(&b.map_or(String::new(), |b| format!("vs {}, {w}", format::ms(b)))),
            )
        }
        (None, Some(_)) => r#"<td class="fig" data-value=""><span class="muted">no baseline</span><span class="sub">no direct handshakes seen</span></td>"#.to_string(),
        (None, None) => r#"<td class="fig" data-value=""><span class="muted">–</span><span class="sub">no hairpinned handshake</span></td>"#.to_string(),
    }
}

fn country_table(s: &mut String, e: &Evidence) {
    s.push_str(r#"<h3>Country pairs</h3>"#);
    if e.country_pairs.is_empty() {
        s.push_str(r#"<p class="note">No handshakes between local networks were timed.</p>"#);
        return;
    }
    s.push_str(r#"<table class="evidence-table" id="evidence-country-table"><thead><tr><th>Source country → destination country</th><th class="num">Hairpinned handshake</th><th class="num">Direct handshake</th><th class="num">Saving</th><th class="num">Tromboning Index</th><th class="num">Distance</th></tr></thead><tbody>"#);
    let floor = e.ti_method.floor_km;
    for c in e.country_pairs.iter().take(COUNTRY_ROWS) {
        let dist = match c.geo_km {
            Some(d) if d < floor => format!(
                r#"<td class="fig" data-value="{d}">{} km<span class="sub">taken as {} km</span></td>"#,
                format::count(d.round() as u64),
                format::plain(floor)
            ),
            Some(d) => format!(
                r#"<td class="fig" data-value="{d}">{} km</td>"#,
                format::count(d.round() as u64)
            ),
            None => {
                r#"<td class="fig" data-value=""><span class="muted">unknown</span></td>"#.into()
            }
        };
        let _ = write!(
            s,
            r#"<tr data-src="{sc}" data-dst="{dc}"><td>{src} → {dst}</td>{h}{d}{z}{ti}{dist}</tr>"#,
            sc = crate::names::country(c.src_country),
            dc = crate::names::country(c.dst_country),
            src = html(&country_words(c.src_country)),
            dst = html(&country_words(c.dst_country)),
            h = rtt_cell(c.hairpinned.as_ref(), "none seen", ""),
            d = rtt_cell(c.direct.as_ref(), "none seen", ""),
            z = country_saving_cell(c, e.headline.direct_median_ms),
            ti = ti_cell(c.ti.as_ref(), None, c.hairpinned.is_some(), floor),
        );
    }
    s.push_str("</tbody></table>");
    let mut cap = String::from("A country pair's handshakes are those of all its local AS pairs together; its saving is its hairpinned median minus its own direct median, else the zone's. Distance: great circle between the two countries' reference cities.");
    if e.country_pairs.len() > COUNTRY_ROWS {
        let _ = write!(
            cap,
            " {COUNTRY_ROWS} of {} country pairs shown.",
            e.country_pairs.len()
        );
    }
    let _ = write!(s, r#"<p class="caption">{}</p>"#, html(&cap));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn few_handshakes_make_a_median_indicative() {
        let week = 8.0 * 86_400.0;
        assert_eq!(
            median_grade(week, &[("hairpinned", 40), ("locally exchanged", 25)]),
            (Grade::Robust, "a week or more of traffic".to_string())
        );
        let (g, why) = median_grade(week, &[("hairpinned", 40), ("locally exchanged", 9)]);
        assert_eq!(g, Grade::Indicative);
        assert_eq!(
            why,
            "a week or more of traffic; the locally exchanged median rests on 9 handshakes (fewer than 20)"
        );
        let (g, why) = median_grade(45.0, &[("hairpinned", 1)]);
        assert_eq!(g, Grade::Indicative);
        assert!(why.ends_with("the hairpinned median rests on 1 handshake (fewer than 20)"));
    }

    #[test]
    fn bgp_verdicts_in_words() {
        let mut m = std::collections::BTreeMap::new();
        m.insert(7473, "SINGTEL-AS-AP Singtel".to_string());
        let n = Names::new(m);
        let b = |basis: &str, path: Vec<u32>, transit: Vec<u32>| BgpEvidence {
            basis: basis.into(),
            leaves_zone: if path.is_empty() {
                None
            } else {
                Some(!transit.is_empty())
            },
            paths: if path.is_empty() {
                vec![]
            } else {
                vec![trombone_schema::BgpPath { path, weight: 1 }]
            },
            transit,
        };
        assert_eq!(
            bgp_verdict(Some(&b("source_view", vec![1, 7473, 2], vec![7473])), &n),
            (
                "leaves the zone via AS7473 SINGTEL-AS-AP".to_string(),
                vec![
                    "the source's own routes".to_string(),
                    "path 1 7473 2".to_string()
                ]
            )
        );
        assert_eq!(
            bgp_verdict(Some(&b("collector_view", vec![1, 2], vec![])), &n).0,
            "stays in the zone"
        );
        assert_eq!(
            bgp_verdict(Some(&b("collector_view", vec![1, 2], vec![])), &n).1[0],
            "collector view only"
        );
        assert_eq!(
            bgp_verdict(Some(&b("none", vec![], vec![])), &n).0,
            "no route"
        );
        assert_eq!(bgp_verdict(None, &n).0, "not checked");
    }
}
