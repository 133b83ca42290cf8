//! The evidence on paper (issue #13 items 2, 3 and 7): the latency headline, the tables per
//! AS pair and per country pair, and the methodology's lines for the baseline, the
//! Tromboning Index, BGP paths and common IXPs. The input is built here from the schema
//! types with numbers chosen by hand (on a real result's other sections), and every
//! expected text is written out or computed here, never by the report's code.

mod common;

use common::evidence_input::*;
use common::*;
use trombone_schema::LatencyHeadline;

/// The visible text of the row of pair `src` → `dst` in table `id`.
fn row(html: &str, id: &str, src: &str, dst: &str) -> String {
    let t = element(html, id, "</table>");
    let key = format!("<tr data-src=\"{src}\" data-dst=\"{dst}\">");
    let at = t
        .find(&key)
        .unwrap_or_else(|| panic!("{id}: no row {src} → {dst}"));
    let r = &t[at..];
    visible_text(&r[..r.find("</tr>").unwrap()])
}

#[test]
fn latency_headline_says_both_medians_the_saving_and_its_basis() {
    let html = page_with(Some(evidence()));
    let card = element(&html, "latency-saving", "</span>");
    // 52.5 − 4.3 = 48.2
    let v: f64 = attr(card, "data-value").unwrap().parse().unwrap();
    assert!((v - 48.2).abs() < 1e-9, "{v}");
    assert_eq!(attr(card, "data-hairpinned-ms"), Some("52.5"));
    assert_eq!(attr(card, "data-direct-ms"), Some("4.3"));
    let at = html.find("id=\"latency-saving\"").unwrap();
    let whole = &html[html[..at].rfind("<div class=\"card").unwrap()..];
    let whole = visible_text(&whole[..whole.find("id=\"latency-saving-basis\"").unwrap()]);
    assert!(
        whole.contains("LATENCY") || whole.contains("Latency"),
        "{whole}"
    );
    assert!(
        whole.contains("Hairpinned local traffic: median handshake 52.5 ms; locally exchanged: 4.30 ms; a local IXP would save about 48.2 ms per handshake."),
        "{whole}"
    );
    let basis = visible_text(element(&html, "latency-saving-basis", "</div>"));
    for want in [
        // kh-links.json spans 45 s; both medians rest on 20 handshakes or more
        "indicative less than one day of traffic.",
        "between networks in Cambodia (KH), seen at this vantage in 45.1 s of traffic in 1 result file",
        "25 handshakes whose SYN hairpinned, 21 handshakes exchanged locally",
        "3 handshakes left out under Karn's rule (SYN or SYN/ACK retransmitted)",
    ] {
        assert!(basis.contains(want), "basis lacks {want:?}: {basis}");
    }
    assert!(!basis.contains("fewer than 20"), "{basis}");
    // the card sits with the other headline cards, on the first screen
    let headline = element(&html, "headline", "</section>");
    assert!(headline.contains("id=\"latency-saving\""));
}

#[test]
fn latency_headline_without_data_says_so() {
    // few direct handshakes: indicative, and says why
    let mut e = evidence();
    e.headline.direct_handshakes = 9;
    let basis = visible_text(element(
        &page_with(Some(e)),
        "latency-saving-basis",
        "</div>",
    ));
    assert!(
        basis.contains("the locally exchanged median rests on 9 handshakes (fewer than 20)"),
        "{basis}"
    );
    // no direct handshakes: no baseline
    let mut e = evidence();
    e.headline.direct_handshakes = 0;
    e.headline.direct_median_ms = None;
    e.headline.saving_ms = None;
    let html = page_with(Some(e));
    let text = visible_text(element(&html, "headline", "</section>"));
    assert!(
        text.contains("Hairpinned local traffic: median handshake 52.5 ms; no direct handshakes seen: no baseline, so no saving can be estimated."),
        "{text}"
    );
    assert_eq!(
        attr(element(&html, "latency-saving", "</span>"), "data-value"),
        Some("")
    );
    // nothing timed at all
    let mut e = evidence();
    e.headline = LatencyHeadline::default();
    let text = visible_text(element(&page_with(Some(e)), "headline", "</section>"));
    assert!(
        text.contains(
            "No TCP handshakes between local networks were timed: no latency comparison."
        ),
        "{text}"
    );
    // traffic from flow export: the reason is said on the card and over the tables
    let mut e = evidence();
    e.not_available = Some(
        "Some traffic came from flow export: handshake times cover the captured packets only."
            .into(),
    );
    let html = page_with(Some(e));
    for id in ["headline", "evidence"] {
        let text = visible_text(element(&html, id, "</section>"));
        assert!(
            text.contains("handshake times cover the captured packets only"),
            "{id}: {text}"
        );
    }
    // a result written before the evidence section
    let html = page_with(None);
    let text = visible_text(element(&html, "headline", "</section>"));
    assert!(
        text.contains("This result carries no handshake evidence"),
        "{text}"
    );
    assert!(visible_text(element(&html, "evidence", "</section>"))
        .contains("This result carries no evidence section"));
    // without hairpin analysis there is no latency card at all
    let html = page(&["hostile-names.json"]);
    assert!(!html.contains("id=\"latency-saving\""));
    assert!(!html.contains("id=\"evidence\""));
}

#[test]
fn pair_table_has_names_times_saving_ti_bgp_and_ixp() {
    let html = page_with(Some(evidence()));
    let t = element(&html, "evidence-pair-table", "</table>");
    let head = visible_text(&t[..t.find("</thead>").unwrap()]);
    assert_eq!(
        head,
        "Source AS → destination AS Hairpinned handshake Direct handshake Saving Tromboning Index BGP route Common IXP"
    );
    // 38623 → 7552: TI 93.6 / 2 × 200 / 1.5 = 6240 km over 1040 km = 6.00; direct
    // 15.6 ms → 1040 km → 1.00; saving 140 − 7.5 = 132.5
    assert!((path_km(93.6) - 6240.0).abs() < 1e-9);
    let r = row(&html, "evidence-pair-table", "38623", "7552");
    for want in [
        "AS38623 · KH VIETTELCAMBODIA-AS-AP",
        "→ AS7552 · VN VIETEL-AS-AP",
        "120 kB hairpinned · 2 handshakes left out (SYN or SYN/ACK retransmitted)",
        "p50 140 ms min 93.6 ms · 12 handshakes fastest above the floor",
        "p50 7.50 ms min 15.6 ms · 5 handshakes",
        "133 ms vs 7.50 ms, this pair's direct median",
        "6.00 direct 1.00",
        "leaves the zone via AS7473 SINGTEL-AS-AP the source's own routes path 38623 7473 7552",
        "present at the same IXP (CNX), not exchanging locally",
    ] {
        assert!(r.contains(want), "row lacks {want:?}: {r}");
    }
    assert!(!r.contains("floored"), "{r}");
    // 131178 → 131178: same city, 2952.5 km over the 100 km floor = 29.5
    let r = row(&html, "evidence-pair-table", "131178", "131178");
    for want in [
        "p50 44.3 ms min 44.3 ms · 2 handshakes",
        "none seen",
        "40.0 ms vs 4.30 ms, the zone's direct median",
        "29.5 floored to 100 km",
        "stays in the zone collector view only path 131178",
        "no common IXP",
    ] {
        assert!(r.contains(want), "row lacks {want:?}: {r}");
    }
    // 17976 → unknown AS in MM: 4000 km over 1109.43 km = 3.61, not flagged
    assert!((path_km(60.0) / KH_MM_KM - 3.6054).abs() < 1e-4);
    let r = row(&html, "evidence-pair-table", "17976", "0");
    for want in [
        "→ unknown AS · MM",
        "no baseline no direct handshakes seen",
        "3.61",
        "no route the dumps have no route to the destination",
        "not checked",
    ] {
        assert!(r.contains(want), "row lacks {want:?}: {r}");
    }
    // 7552 → 38623: direct only; both at CNX but nothing hairpinned
    let r = row(&html, "evidence-pair-table", "7552", "38623");
    for want in [
        "none seen p50 4.10 ms min 3.90 ms · 4 handshakes",
        "– no hairpinned handshake",
        "both present at CNX",
    ] {
        assert!(r.contains(want), "row lacks {want:?}: {r}");
    }
    // the pair with an end outside the zone is not shown, and the caption says so
    assert!(!t.contains("data-dst=\"15169\""));
    let cap = visible_text(&html[html.find("id=\"evidence-pair-table\"").unwrap()..]);
    let cap = &cap[cap.find("Handshake times are medians").unwrap()..];
    for want in [
        "BGP: MRT test-rib.mrt (3 prefixes).",
        "IXP membership: PeeringDB test-dump.json (1 IXP).",
        "1 pair with an end outside the zone not shown",
        "1 is ideal, about 5 acceptable (ESCAP/AP-IS 2016)",
    ] {
        assert!(cap.contains(want), "caption lacks {want:?}: {cap}");
    }
    // the ones above the acceptable TI are flagged, the others not
    let flagged = |src: &str, dst: &str, v: &str| {
        let at = t
            .find(&format!("data-src=\"{src}\" data-dst=\"{dst}\""))
            .unwrap();
        let r = &t[at..];
        r[..r.find("</tr>").unwrap()].contains(&format!("<span class=\"flag\">{v}</span>"))
    };
    assert!(flagged("38623", "7552", "6.00"));
    assert!(flagged("131178", "131178", "29.5"));
    assert!(!flagged("17976", "0", "3.61"));
}

#[test]
fn without_bgp_or_ixp_data_the_columns_go_and_the_caption_says_why() {
    let mut e = evidence();
    e.bgp_source = None;
    e.ixp_source = None;
    let html = page_with(Some(e));
    let t = element(&html, "evidence-pair-table", "</table>");
    let head = visible_text(&t[..t.find("</thead>").unwrap()]);
    assert!(head.ends_with("Tromboning Index"), "{head}");
    let text = visible_text(element(&html, "evidence", "</section>"));
    assert!(text.contains("No BGP dumps were given (--bgp): no route verdicts."));
    assert!(text.contains("No IXP membership data was given (--peeringdb, --ixp-members)"));
    let b = visible_text(element(&html, "evidence-bgp", "</table>"));
    assert!(
        b.contains("no data") && b.contains("BGP data none given (--bgp)"),
        "{b}"
    );
}

#[test]
fn country_pair_table_has_names_ti_saving_and_distance() {
    let html = page_with(Some(evidence()));
    let r = row(&html, "evidence-country-table", "KH", "VN");
    for want in [
        "Cambodia (KH) → Viet Nam (VN)",
        "p50 140 ms min 93.6 ms · 12 handshakes",
        "p50 5.00 ms min 3.90 ms · 9 handshakes",
        "135 ms vs 5.00 ms, its direct median",
        "6.00",
        "1,040 km",
    ] {
        assert!(r.contains(want), "row lacks {want:?}: {r}");
    }
    let r = row(&html, "evidence-country-table", "KH", "KH");
    for want in [
        "Cambodia (KH) → Cambodia (KH)",
        "40.0 ms vs 4.30 ms, the zone's direct median",
        "29.5 floored to 100 km",
        "0 km taken as 100 km",
    ] {
        assert!(r.contains(want), "row lacks {want:?}: {r}");
    }
}

#[test]
fn methodology_explains_the_new_lines_with_their_counts() {
    let html = page_with(Some(evidence()));
    let text = |id: &str| visible_text(element(&html, id, "</table>"));
    for id in [
        "evidence-baseline",
        "evidence-ti",
        "evidence-bgp",
        "evidence-ixp",
    ] {
        let e = text(id);
        assert!(
            e.contains("Proves") && e.contains("Does not prove") && e.contains("Rests on"),
            "{id}"
        );
        assert!(!e.contains("no data"), "{id}: {e}");
    }
    // baseline: hairpinned pairs 38623→7552 (own direct), 131178→131178 (zone's),
    // 17976→0 (none)
    let e = text("evidence-baseline");
    for want in [
        "handshakes timed whose SYN hairpinned (median) 25 (52.5 ms)",
        "handshakes timed exchanged in the zone (median) 21 (4.30 ms)",
        "left out under Karn's rule (SYN or SYN/ACK retransmitted) 3",
        "pairs with hairpinned handshakes 3",
        "… compared with their own direct handshakes 1",
        "… with their country pair's 0",
        "… with the zone's 1",
        "… without a baseline 1",
    ] {
        assert!(e.contains(want), "baseline lacks {want:?}: {e}");
    }
    // TI: hairpinned TIs 6.00, 29.5, 3.61 (two above 5); direct 1.00 (twice); one floored
    let e = text("evidence-ti");
    for want in [
        "TI 1 is ideal, about 5 acceptable; the worst path it measured had TI 35 at 230 ms",
        "constants light in fibre 200 km/ms, fibre stretch 1.5",
        "distance floor 100 km (pairs floored: 1)",
        "acceptable TI 5 (ESCAP/AP-IS 2016; 1 ideal; worst measured 35 at 230 ms)",
        "locations Country locations: GeoNames (geonames.org), CC BY 4.0 (test)",
        "pairs with a hairpinned TI 3",
        "… above the acceptable TI 2",
        "pairs with a direct TI 2",
        "country pairs with a TI 2",
    ] {
        assert!(e.contains(want), "TI lacks {want:?}: {e}");
    }
    // BGP: three local pairs looked up, one of each basis
    let e = text("evidence-bgp");
    for want in [
        "collector view",
        "BGP data MRT test-rib.mrt (3 prefixes)",
        "local pairs looked up 3",
        "… from the source's own routes 1",
        "… collector view only 1",
        "… no route in the dumps 1",
        "best path leaves the zone 1",
        "best path stays in the zone 1",
        "networks carrying it out of the zone 1: AS7473 SINGTEL-AS-AP",
    ] {
        assert!(e.contains(want), "BGP lacks {want:?}: {e}");
    }
    // IXP: hairpinned pairs with membership checked: 38623→7552 (CNX), 131178→131178 (none)
    let e = text("evidence-ixp");
    for want in [
        "membership says who could peer, not why they do not",
        "IXP membership data PeeringDB test-dump.json (1 IXP)",
        "hairpinned pairs checked 2",
        "… present at the same IXP, not exchanging locally 1",
        "… no common IXP 1",
        "IXPs where such pairs meet 1 IXP: CNX",
    ] {
        assert!(e.contains(want), "IXP lacks {want:?}: {e}");
    }
    // the handshake line counts Karn's exclusions too
    let e = text("evidence-handshake");
    assert!(
        e.contains("left out under Karn's rule (SYN or SYN/ACK retransmitted) 3"),
        "{e}"
    );
    // a result without the evidence section: each new line says why it has no data
    let html = page_with(None);
    for id in [
        "evidence-baseline",
        "evidence-ti",
        "evidence-bgp",
        "evidence-ixp",
    ] {
        let e = visible_text(element(&html, id, "</table>"));
        assert!(
            e.contains("no data") && e.contains("no evidence section"),
            "{id}: {e}"
        );
    }
}

/// A result written by trombone (tests/data/kh-zone-evidence.json): the headline and the
/// country pairs' figures are the JSON's.
#[test]
fn a_real_result_shows_the_json_figures() {
    let name = "kh-zone-evidence.json";
    let j = json(name);
    let e = &j["evidence"];
    let html = page(&[name]);
    let card = element(&html, "latency-saving", "</span>");
    assert_eq!(
        attr(card, "data-value").unwrap().parse::<f64>().unwrap(),
        e["headline"]["saving_ms"].as_f64().unwrap()
    );
    assert_eq!(
        attr(card, "data-hairpinned-ms")
            .unwrap()
            .parse::<f64>()
            .unwrap(),
        e["headline"]["hairpinned_median_ms"].as_f64().unwrap()
    );
    let basis = visible_text(element(&html, "latency-saving-basis", "</div>"));
    let n = e["headline"]["hairpinned_handshakes"].as_u64().unwrap();
    assert!(
        basis.contains(&format!("{n} handshakes whose SYN hairpinned")),
        "{basis}"
    );
    // every local pair (at most 30) has its row; every country pair too
    let local: Vec<_> = e["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["local"] == true)
        .collect();
    for p in local.iter().take(30) {
        let r = row(
            &html,
            "evidence-pair-table",
            &p["src_asn"].to_string(),
            &p["dst_asn"].to_string(),
        );
        if let Some(h) = p["hairpinned"].as_object() {
            let n = h["samples"].as_u64().unwrap();
            let word = if n == 1 { "handshake" } else { "handshakes" };
            assert!(r.contains(&format!("· {n} {word}")), "{r}");
        }
        if p["ti"]["floored"] == true {
            assert!(r.contains("floored to 100 km"), "{r}");
        }
        assert!(!r.contains("AS0"), "{r}");
    }
    for c in e["country_pairs"].as_array().unwrap() {
        let r = row(
            &html,
            "evidence-country-table",
            c["src_country"].as_str().unwrap(),
            c["dst_country"].as_str().unwrap(),
        );
        if let Some(km) = c["geo_km"].as_f64() {
            let km = km.round() as u64;
            let s = if km >= 1000 {
                format!("{},{:03} km", km / 1000, km % 1000)
            } else {
                format!("{km} km")
            };
            assert!(r.contains(&s), "{r} lacks {s}");
        }
    }
}
