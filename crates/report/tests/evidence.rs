//! The evidence on paper (issue #13 items 2, 3 and 7): the latency headline, the tables per
//! AS pair and per country pair, and the methodology's lines for the baseline, the
//! Tromboning Index, BGP paths and common IXPs. The input is built here from the schema
//! types with numbers chosen by hand (on a real result's other sections), and every
//! expected text is written out or computed here, never by the report's code.

mod common;

use common::*;
use trombone_report::{combine, parse, render_html, CombineOptions, HtmlOptions};
use trombone_schema::{
    BgpEvidence, BgpPath, Country, CountryPairEvidence, Evidence, IxpRef, LatencyHeadline,
    PairEvidence, Rtt, Ti, TiMethod,
};

fn cc(s: &str) -> Option<Country> {
    Some(s.parse().unwrap())
}

fn rtt(samples: u64, min: f64, p50: f64) -> Option<Rtt> {
    Some(Rtt {
        samples,
        min,
        p50,
        p90: p50 * 1.5,
        hist: None,
    })
}

/// The fastest RTT's path length, km: RTT ÷ 2 × 200 km/ms ÷ 1.5 (the README's constants).
fn path_km(min_ms: f64) -> f64 {
    min_ms / 2.0 * 200.0 / 1.5
}

/// A TI as the schema carries it, from the fastest RTT and the distance (floor 100 km).
fn ti(min_ms: f64, geo_km: f64) -> Option<Ti> {
    let p = path_km(min_ms);
    let floored = geo_km < 100.0;
    let v = p / geo_km.max(100.0);
    Some(Ti {
        value: v,
        path_km: p,
        geo_km,
        floored,
        above_acceptable: v > 5.0,
    })
}

/// A pair with nothing but its ends.
fn pair(src: u32, s: &str, dst: u32, d: &str) -> PairEvidence {
    PairEvidence {
        src_asn: src,
        dst_asn: dst,
        src_country: cc(s),
        dst_country: cc(d),
        local: true,
        hairpinned_bytes: 0,
        hairpinned: None,
        direct: None,
        retransmitted: 0,
        exceeds_domestic_floor: None,
        baseline_ms: None,
        baseline_basis: None,
        saving_ms: None,
        ti: None,
        ti_direct: None,
        bgp: None,
        common_ixps: None,
        peering: None,
    }
}

const CNX: &str = "CNX";
/// KH–VN great circle chosen for the test, km.
const KH_VN_KM: f64 = 1040.0;
/// KH–MM great circle chosen for the test, km.
const KH_MM_KM: f64 = 1109.43;

/// The evidence of the tests: four local pairs and one with an end outside the zone.
///
/// - 38623 KH → 7552 VN: 12 hairpinned handshakes (min 93.6, p50 140), 5 direct (min
///   15.6, p50 7.5), 2 retransmitted; saving 132.5 against its own direct
///   median; TI 6240 km ÷ 1040 km = 6.00 (above 5), direct 1040 ÷ 1040 = 1.00; BGP from
///   its own routes, 38623 7473 7552, leaving via 7473; both at CNX.
/// - 131178 KH → 131178 KH: 2 hairpinned (min 44.288, p50 44.319), no direct, saving
///   against the zone's direct median 4.3: 40.019; TI 2952.53 ÷ 100 (floored) = 29.5;
///   collector view, stays in the zone; no common IXP.
/// - 17976 KH → 0 MM: 3 hairpinned (min 60, p50 66.6), no baseline; TI 4000 ÷ 1109.43 =
///   3.61; no route; IXPs not checked.
/// - 7552 VN → 38623 KH: direct only (4 handshakes, min 3.9, p50 4.1); both at CNX, not
///   hairpinning.
/// - 38623 KH → 15169 US: outside the zone (--rtt all), not shown.
fn evidence() -> Evidence {
    let mut p1 = pair(38623, "KH", 7552, "VN");
    p1.hairpinned_bytes = 120_000;
    p1.hairpinned = Some(Rtt {
        samples: 12,
        min: 93.6,
        p50: 140.0,
        p90: 180.0,
        hist: None,
    });
    p1.direct = rtt(5, 15.6, 7.5);
    p1.retransmitted = 2;
    p1.exceeds_domestic_floor = Some(true);
    p1.baseline_ms = Some(7.5);
    p1.baseline_basis = Some("this pair's direct handshakes".into());
    p1.saving_ms = Some(132.5);
    p1.ti = ti(93.6, KH_VN_KM);
    p1.ti_direct = ti(15.6, KH_VN_KM);
    p1.bgp = Some(BgpEvidence {
        basis: "source_view".into(),
        paths: vec![BgpPath {
            path: vec![38623, 7473, 7552],
            weight: 3,
        }],
        leaves_zone: Some(true),
        transit: vec![7473],
    });
    p1.common_ixps = Some(vec![IxpRef {
        name: CNX.into(),
        country: cc("KH"),
    }]);
    p1.peering = Some("present at the same IXP, not exchanging locally".into());

    let mut p2 = pair(131178, "KH", 131178, "KH");
    p2.hairpinned_bytes = 78_731;
    p2.hairpinned = rtt(2, 44.288, 44.319);
    p2.exceeds_domestic_floor = Some(true);
    p2.baseline_ms = Some(4.3);
    p2.baseline_basis = Some("direct handshakes of the zone".into());
    p2.saving_ms = Some(44.319 - 4.3);
    p2.ti = ti(44.288, 0.0);
    p2.bgp = Some(BgpEvidence {
        basis: "collector_view".into(),
        paths: vec![BgpPath {
            path: vec![131178],
            weight: 1,
        }],
        leaves_zone: Some(false),
        transit: vec![],
    });
    p2.common_ixps = Some(vec![]);
    p2.peering = Some("no common IXP".into());

    let mut p3 = pair(17976, "KH", 0, "MM");
    p3.hairpinned_bytes = 25_235;
    p3.hairpinned = rtt(3, 60.0, 66.6);
    p3.exceeds_domestic_floor = Some(true);
    p3.ti = ti(60.0, KH_MM_KM);
    p3.bgp = Some(BgpEvidence {
        basis: "none".into(),
        paths: vec![],
        leaves_zone: None,
        transit: vec![],
    });

    let mut p4 = pair(7552, "VN", 38623, "KH");
    p4.direct = rtt(4, 3.9, 4.1);
    p4.ti_direct = ti(3.9, KH_VN_KM);
    p4.common_ixps = Some(vec![IxpRef {
        name: CNX.into(),
        country: cc("KH"),
    }]);

    let mut p5 = pair(38623, "KH", 15169, "US");
    p5.local = false;
    p5.direct = rtt(7, 180.0, 190.0);

    Evidence {
        rtt_scope: "all".into(),
        handshake_lifetime_s: 10.0,
        domestic_floor_ms: 9.75,
        headline: LatencyHeadline {
            hairpinned_handshakes: 25,
            hairpinned_median_ms: Some(52.5),
            direct_handshakes: 21,
            direct_median_ms: Some(4.3),
            saving_ms: Some(52.5 - 4.3),
            retransmitted: 3,
            handshakes_dropped: 0,
        },
        ti_method: TiMethod {
            definition: "TI = path distance / great-circle distance (test)".into(),
            fibre_km_per_ms: 200.0,
            fibre_stretch: 1.5,
            floor_km: 100.0,
            locations: "Country locations: GeoNames (geonames.org), CC BY 4.0 (test)".into(),
            acceptable: 5.0,
        },
        pairs: vec![p1, p2, p3, p4, p5],
        country_pairs: vec![
            CountryPairEvidence {
                src_country: cc("KH"),
                dst_country: cc("VN"),
                hairpinned: rtt(12, 93.6, 140.0),
                direct: rtt(9, 3.9, 5.0),
                saving_ms: Some(135.0),
                ti: ti(93.6, KH_VN_KM),
                geo_km: Some(KH_VN_KM),
            },
            CountryPairEvidence {
                src_country: cc("KH"),
                dst_country: cc("KH"),
                hairpinned: rtt(2, 44.288, 44.319),
                direct: None,
                saving_ms: Some(44.319 - 4.3),
                ti: ti(44.288, 0.0),
                geo_km: Some(0.0),
            },
        ],
        bgp_source: Some("MRT test-rib.mrt (3 prefixes)".into()),
        ixp_source: Some("PeeringDB test-dump.json (1 IXP)".into()),
        not_available: None,
    }
}

/// The HTML of kh-links.json (a real result, no evidence of its own) with `e` put in.
fn page_with(e: Option<Evidence>) -> String {
    let text = std::fs::read_to_string(data("kh-links.json")).unwrap();
    let mut input = parse("kh-links.json", &text).unwrap();
    input.report.evidence = e;
    let c = combine(vec![input], &CombineOptions::default()).unwrap();
    render_html(&c, &HtmlOptions::default())
}

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
        "3 handshakes left out under Karn's rule (SYN retransmitted)",
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
        "120 kB hairpinned · 2 handshakes left out (SYN retransmitted)",
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
        "left out under Karn's rule (SYN retransmitted) 3",
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
        e.contains("left out under Karn's rule (SYN retransmitted) 3"),
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
