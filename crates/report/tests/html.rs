//! The HTML report of results written by `trombone analyze` (tests/data, see its README),
//! checked against the JSON read as plain values and against hand computation: the fixes
//! a first-time user asked for (issue #16 items 4-5) each have a test here.

mod common;

use common::*;
use serde_json::Value;
use trombone_report::{combine, parse, render_html, CombineOptions, HtmlOptions};

const KH: &str = "kh-links.json";
const KH_NOLINKS: &str = "kh-nolinks.json";
const ZONE: &str = "clmv-multilink-zone.json";

#[test]
fn headline_transit_saving_carries_its_basis_and_grade() {
    let j = json(KH);
    let html = page(&[KH]);
    let z = &j["sizing"];
    // the capture spans 45.07 s, one 5-minute sample
    assert_eq!(z["samples"].as_u64(), Some(1));
    assert_eq!(z["sample_s"].as_f64(), Some(300.0));
    assert!(j["time"]["duration_s"].as_f64().unwrap() < 86_400.0);
    let value = attr(element(&html, "transit-saved", "</span>"), "data-value").unwrap();
    assert_eq!(
        value.parse::<f64>().unwrap(),
        z["what_if"]["total_transit_saved_usd_per_month"]
            .as_f64()
            .unwrap()
    );
    let basis = visible_text(element(&html, "transit-saved-basis", "</div>"));
    for want in [
        "indicative",
        "less than one day of traffic",
        "a p95 of 1 sample is that sample",
        "p95 of 1 sample of 5 min",
        "of the hairpinned traffic of 3 networks",
        "45.1 s of traffic",
        "× $100 per Mbps per month",
        "ESCAP",
        // the unknown networks' bytes from the JSON: 18,110 B
        "Not counted: 18.1 kB",
    ] {
        assert!(basis.contains(want), "basis lacks {want:?}: {basis}");
    }
    // the findings sentence that repeats the saving says how weak it is too
    let findings = visible_text(element(&html, "headline", "</section>"));
    let f = &findings[findings
        .find("Peering locally")
        .expect("saving in the findings")..];
    assert!(f.contains("less than one day of traffic"), "{f}");
}

#[test]
fn headline_share_says_what_it_rests_on_and_assumes() {
    let html = page(&[KH_NOLINKS]);
    let j = json(KH_NOLINKS);
    assert_eq!(j["hairpin"]["links_assumed_abroad"], Value::Bool(true));
    let basis = visible_text(element(&html, "hairpin-share-basis", "</div>"));
    assert!(basis.contains("indicative"), "{basis}");
    assert!(
        basis.contains("Assumption: no links file: every link taken as international"),
        "{basis}"
    );
    // local packets from the JSON: 460
    assert_eq!(j["hairpin"]["totals"]["local_packets"].as_u64(), Some(460));
    assert!(basis.contains("(460 packets)"), "{basis}");
    // with a links file there is nothing to assume, and the links are counted instead
    let with = visible_text(element(&page(&[KH]), "hairpin-share-basis", "</div>"));
    assert!(!with.contains("Assumption"), "{with}");
    let links = json(KH)["hairpin"]["links"].as_array().unwrap().clone();
    let abroad = links
        .iter()
        .filter(|l| l["abroad"] == Value::Bool(true))
        .count();
    assert!(
        with.contains(&format!(
            "Links: {} from the links file, {abroad} abroad",
            links.len()
        )),
        "{with}"
    );
}

#[test]
fn result_warnings_come_before_the_figures() {
    for name in [KH, KH_NOLINKS, ZONE] {
        let j = json(name);
        let html = page(&[name]);
        let warn_at = html.find("id=\"warnings\"").unwrap();
        assert!(warn_at < html.find("id=\"headline\"").unwrap(), "{name}");
        let box_text = visible_text(element(&html, "warnings", "</section>"));
        for w in j["warnings"].as_array().unwrap() {
            let m = w["message"].as_str().unwrap();
            if w["code"] == "links_assumed_abroad" {
                assert!(
                    box_text.contains("every link was taken as international"),
                    "{name}"
                );
            } else {
                assert!(box_text.contains(m), "{name}: warning {m:?} not shown");
            }
        }
        assert!(box_text.contains("less than one day of traffic"), "{name}");
    }
}

/// The rotated column labels of one heatmap.
fn column_labels(html: &str, id: &str) -> Vec<String> {
    let svg = element(html, id, "</svg>");
    svg.split("<text class=\"col-label\"")
        .skip(1)
        .map(|p| {
            let p = &p[p.find('>').unwrap() + 1..];
            p[..p.find("</text>").unwrap()].to_string()
        })
        .collect()
}

#[test]
fn heatmap_names_the_country_of_unknown_networks_once_each() {
    let j = json(KH);
    let html = page(&[KH]);
    let labels = column_labels(&html, "hairpin-heatmap");
    // the destinations of the JSON's pairs, ASN 0 told apart by country
    let mut dst: Vec<(u64, String)> = j["hairpin"]["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["dst_asn"].as_u64().unwrap(),
                p["dst_country"].as_str().unwrap_or("??").to_string(),
            )
        })
        .collect();
    dst.sort();
    dst.dedup();
    assert_eq!(labels.len(), dst.len(), "{labels:?}");
    for (asn, cc) in &dst {
        let want = if *asn == 0 {
            format!("unknown AS · {cc}")
        } else {
            format!("AS{asn}")
        };
        assert!(
            labels
                .iter()
                .any(|l| l.starts_with(&want) && l.ends_with(&format!("· {cc}"))),
            "no column {want} · {cc} in {labels:?}"
        );
    }
    assert!(!labels.iter().any(|l| l == "unknown AS"), "{labels:?}");
    let mut uniq = labels.clone();
    uniq.sort();
    uniq.dedup();
    assert_eq!(
        uniq.len(),
        labels.len(),
        "two columns read the same: {labels:?}"
    );
    // AS handles are whole, never cut with an ellipsis
    assert!(!labels.iter().any(|l| l.contains('…')), "{labels:?}");
}

#[test]
fn all_traffic_heatmap_groups_unknown_networks_per_country() {
    // Without hairpin analysis the all-traffic AS matrix is drawn: its unknown networks
    // come from several countries (from the JSON).
    let mut j = json(KH);
    j.as_object_mut().unwrap().remove("hairpin");
    let input = parse("no-hairpin.json", &j.to_string()).unwrap();
    let c = combine(vec![input], &CombineOptions::default()).unwrap();
    let html = render_html(&c, &HtmlOptions::default());
    let labels = column_labels(&html, "as-heatmap");
    let unknown: Vec<&String> = labels
        .iter()
        .filter(|l| l.starts_with("unknown AS"))
        .collect();
    assert!(unknown.len() >= 2, "{labels:?}");
    for l in &unknown {
        assert!(l.starts_with("unknown AS · "), "{l}");
    }
    // named ASes first, then the unknown networks together
    let first_unknown = labels
        .iter()
        .position(|l| l.starts_with("unknown AS"))
        .unwrap();
    assert!(
        labels[first_unknown..]
            .iter()
            .all(|l| l.starts_with("unknown AS") || l.ends_with("other ASes")),
        "{labels:?}"
    );
}

#[test]
fn detour_chart_is_logarithmic_and_the_table_keeps_names_and_countries() {
    let j = json(KH);
    let html = page(&[KH]);
    let pairs = j["hairpin"]["pairs"].as_array().unwrap();
    // one pair has a 2 s p99 among 30-60 ms medians
    let p99max = pairs
        .iter()
        .filter_map(|p| p["detour_ms"]["p99"].as_f64())
        .fold(0.0, f64::max);
    assert!(p99max > 1500.0, "{p99max}");
    let svg = element(&html, "latency-0", "</svg>");
    assert_eq!(attr(svg, "data-axis"), Some("log"));
    let lo: f64 = attr(svg, "data-lo").unwrap().parse().unwrap();
    let hi: f64 = attr(svg, "data-hi").unwrap().parse().unwrap();
    assert!(lo <= 9.75 && hi >= p99max);
    let x0: f64 = attr(svg, "data-x0").unwrap().parse().unwrap();
    let x1: f64 = attr(svg, "data-x1").unwrap().parse().unwrap();
    // every median sits where log10 puts it: x = x0 + (x1 - x0) × log(v/lo) / log(hi/lo)
    let mut xs = Vec::new();
    for g in svg.split("<g class=\"detour\"").skip(1) {
        let p50: f64 = attr(&format!("<g{g}"), "data-p50")
            .unwrap()
            .parse()
            .unwrap();
        let c = &g[g.find("class=\"q50\" cx=\"").unwrap() + 16..];
        let x: f64 = c[..c.find('"').unwrap()].parse().unwrap();
        let want = x0 + (x1 - x0) * (p50 / lo).ln() / (hi / lo).ln();
        assert!((x - want).abs() < 0.06, "p50 {p50}: x {x}, want {want}");
        xs.push(x);
    }
    // the medians spread over five times the room a linear axis up to the outlier gives
    let spread =
        xs.iter().copied().fold(f64::MIN, f64::max) - xs.iter().copied().fold(f64::MAX, f64::min);
    let p50s: Vec<f64> = pairs
        .iter()
        .filter_map(|p| p["detour_ms"]["p50"].as_f64())
        .collect();
    let linear = (x1 - x0)
        * (p50s.iter().copied().fold(f64::MIN, f64::max)
            - p50s.iter().copied().fold(f64::MAX, f64::min))
        / hi;
    assert!(
        spread > 5.0 * linear,
        "{spread} against {linear} on a linear axis"
    );
    // the table: AS name and country of both ends of every pair with latency evidence
    let table = element(&html, "latency-table", "</table>");
    for p in pairs
        .iter()
        .filter(|p| !p["detour_ms"].is_null() || !p["handshake_rtt_ms"].is_null())
    {
        let row_at = table
            .find(&format!(
                "<tr data-src=\"{}\" data-dst=\"{}\">",
                p["src_asn"], p["dst_asn"]
            ))
            .unwrap();
        let row = &table[row_at..row_at + table[row_at..].find("</tr>").unwrap()];
        for end in ["src", "dst"] {
            let asn = p[format!("{end}_asn")].as_u64().unwrap();
            let cc = p[format!("{end}_country")].as_str().unwrap();
            assert!(row.contains(&format!(" · {cc}")), "{row}");
            if asn != 0 {
                let name = j["as_names"][asn.to_string()].as_str().unwrap();
                let handle = name.split_whitespace().next().unwrap();
                assert!(row.contains(handle), "{handle} not in {row}");
            }
        }
    }
}

#[test]
fn counts_take_the_singular_for_one() {
    for name in [
        KH,
        KH_NOLINKS,
        ZONE,
        "kh-border-hour1.json",
        "clmv-zone-many-pairs.json",
    ] {
        let text = visible_text(&page(&[name]));
        assert_eq!(bad_plurals(&text), Vec::<String>::new(), "{name}");
    }
    // the one-sample captures do say "1 sample"
    let text = visible_text(&page(&[KH]));
    assert!(text.contains("p95 of 1 sample of 5 min"));
    // the checker itself finds what it looks for
    assert_eq!(
        bad_plurals("rests on 1 samples, 21 samples, 1.1 samples"),
        vec!["1 samples"]
    );
}

#[test]
fn unknown_networks_get_no_port_and_no_link_reads_as0() {
    let j = json(KH);
    let html = page(&[KH]);
    let w = &j["sizing"]["what_if"];
    let table = element(&html, "port-table", "</table>");
    let rows: Vec<u64> = table
        .split("<tr data-asn=\"")
        .skip(1)
        .map(|r| r[..r.find('"').unwrap()].parse().unwrap())
        .collect();
    let want: Vec<u64> = w["ports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["asn"].as_u64().unwrap())
        .collect();
    assert_eq!(rows, want);
    assert!(!rows.contains(&0));
    let unknown = element(&html, "unknown-networks", "</table>");
    for u in w["unknown_networks"].as_array().unwrap() {
        assert!(unknown.contains(&format!(">{}<", u["country"].as_str().unwrap())));
        assert!(unknown.contains(&format!("data-value=\"{}\"", u["bytes"])));
    }
    // the links file gives "domestic-ix-kh-v401" no asn
    let link = j["hairpin"]["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["asn"] == 0)
        .unwrap();
    let name = link["name"].as_str().unwrap();
    for table in ["link-rates", "links-table"] {
        let t = visible_text(element(&html, table, "</table>"));
        assert!(t.contains(&format!("{name} no ASN given")), "{table}: {t}");
    }
    let text = visible_text(&html);
    let as0 = text
        .match_indices("AS0")
        .filter(|(i, _)| !text[i + 3..].starts_with(|c: char| c.is_ascii_digit()));
    assert_eq!(as0.count(), 0, "the page says AS0");
}

#[test]
fn an_older_result_with_a_port_for_asn_0_has_it_listed_apart() {
    // A version 1 result could plan a port for ASN 0; the report must not recommend it
    // nor count its saving.
    let mut j = json(KH);
    let w = &mut j["sizing"]["what_if"];
    let known_total = w["total_transit_saved_usd_per_month"].as_f64().unwrap();
    let mut p0 = w["ports"][0].clone();
    p0["asn"] = 0.into();
    p0["transit_saved_usd_per_month"] = 1000.0.into();
    p0["hairpin_in"]["bytes"] = 1234.into();
    p0["hairpin_out"]["bytes"] = 766.into();
    w["ports"].as_array_mut().unwrap().push(p0);
    w["total_transit_saved_usd_per_month"] = (known_total + 1000.0).into();
    w.as_object_mut().unwrap().remove("unknown_networks");
    let c = combine(
        vec![parse("old.json", &j.to_string()).unwrap()],
        &CombineOptions::default(),
    )
    .unwrap();
    let html = render_html(&c, &HtmlOptions::default());
    let card = element(&html, "transit-saved", "</span>");
    let v: f64 = attr(card, "data-value").unwrap().parse().unwrap();
    // the three known ports' savings, added by hand from the JSON
    let sum: f64 = json(KH)["sizing"]["what_if"]["ports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["transit_saved_usd_per_month"].as_f64().unwrap())
        .sum();
    assert!((v - sum).abs() < 1e-9, "{v} vs {sum}");
    assert!(!element(&html, "port-table", "</table>").contains("data-asn=\"0\""));
    // 1234 + 766 = 2000 hairpinned bytes listed apart
    assert!(element(&html, "unknown-networks", "</table>").contains("data-value=\"2000\""));
}

#[test]
fn nothing_asks_the_reader_to_hover() {
    for name in [
        KH,
        KH_NOLINKS,
        ZONE,
        "kh-border-hour1.json",
        "hostile-names.json",
    ] {
        let html = page(&[name]);
        assert!(!html.to_lowercase().contains("hover"), "{name}");
        // tooltips are not printed: no figure may live only in one
        assert!(
            !html.contains("<title>") || html.matches("<title>").count() == 1,
            "{name}"
        );
    }
}

#[test]
fn method_section_explains_each_line_of_evidence_with_its_counts() {
    let j = json(KH);
    let html = page(&[KH]);
    let pairs = j["hairpin"]["pairs"].as_array().unwrap();
    for id in [
        "evidence-foreign-link",
        "evidence-detour",
        "evidence-hops",
        "evidence-handshake",
        "evidence-via",
    ] {
        let e = visible_text(element(&html, id, "</table>"));
        assert!(
            e.contains("Proves") && e.contains("Does not prove") && e.contains("Rests on"),
            "{id}"
        );
    }
    let matched: u64 = pairs
        .iter()
        .filter_map(|p| p["detour_ms"]["samples"].as_u64())
        .sum();
    let with: usize = pairs.iter().filter(|p| !p["detour_ms"].is_null()).count();
    let e = visible_text(element(&html, "evidence-detour", "</table>"));
    assert!(
        e.contains(&format!("packets seen leaving and returning {matched}")),
        "{e}"
    );
    assert!(
        e.contains(&format!("AS pairs with such packets {with}")),
        "{e}"
    );
    let handshakes: u64 = pairs
        .iter()
        .filter_map(|p| p["handshake_rtt_ms"]["samples"].as_u64())
        .sum();
    let e = visible_text(element(&html, "evidence-handshake", "</table>"));
    assert!(e.contains(&format!("handshakes timed {handshakes}")), "{e}");
    // without hairpin analysis the lines are there, marked as without data
    let html = page(&["hostile-names.json"]);
    let e = visible_text(element(&html, "evidence-detour", "</table>"));
    assert!(
        e.contains("no data") && e.contains("hairpin analysis was off"),
        "{e}"
    );
}

#[test]
fn version_1_results_render_alone_and_are_refused_together() {
    let name = "kh-border-hour1.json";
    let j = json(name);
    assert_eq!(j["schema_version"], 1);
    let html = page(&[name]);
    let share = element(&html, "hairpin-share", "</span>");
    assert_eq!(
        attr(share, "data-value").unwrap().parse::<f64>().unwrap(),
        j["hairpin"]["totals"]["share_of_local_bytes"]
            .as_f64()
            .unwrap()
    );
    assert!(visible_text(&html).contains("has no per-sample series"));
    assert!(
        !html.contains("id=\"time\""),
        "no days-and-weeks view without series"
    );
    let inputs = ["kh-border-hour1.json", "kh-border-hour2-partial.json"]
        .iter()
        .map(|n| trombone_report::load(&data(n)).unwrap())
        .collect();
    let e = combine(inputs, &CombineOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("kh-border-hour1.json: a schema_version 1 result"),
        "{e}"
    );
}

#[test]
fn hostile_names_render_as_text() {
    let html = page(&["hostile-names.json"]);
    assert!(!html.contains("<script"), "raw <script> in the page");
    assert!(!html.contains("<img"), "raw <img> in the page");
    assert!(!html.contains("<b onmouseover"), "raw <b> in the page");
    assert!(html.contains("&lt;script&gt;alert(3)&lt;/script&gt;.pcap"));
}
