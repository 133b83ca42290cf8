//! No panic on any well-formed result, however extreme its numbers: every integer at the
//! top of its type, floats at the ends of their range, timestamps at the ends of i64,
//! empty and missing sections; and every CSV table of it.

mod common;

use common::*;
use serde_json::Value;
use trombone_report::{
    combine, parse, render_csv, render_html, CombineOptions, HtmlOptions, ReportTable,
};

/// Rewrites every number in `v` (except schema_version) with `f(path, number)`, where
/// `path` is the object keys down to it joined with '/'.
fn map_numbers(v: &mut Value, path: &str, f: &dyn Fn(&str, &serde_json::Number) -> Value) {
    match v {
        Value::Number(n) if !path.ends_with("schema_version") => *v = f(path, n),
        Value::Array(a) => {
            // a per-sample record: [index (i64), bytes, packets, peak bytes, peak packets]
            let record = path.ends_with("/samples") && a.len() == 5;
            for (i, x) in a.iter_mut().enumerate() {
                let p = if record && i == 0 {
                    format!("{path}/index_ns")
                } else {
                    path.to_string()
                };
                map_numbers(x, &p, f)
            }
        }
        Value::Object(o) => o
            .iter_mut()
            .for_each(|(k, x)| map_numbers(x, &format!("{path}/{k}"), f)),
        _ => {}
    }
}

/// The type a number at `path` has in the schema, for the integers that are not u64.
fn int_kind(path: &str) -> &'static str {
    let key = path.rsplit('/').next().unwrap();
    if key.ends_with("_ns") {
        "i64"
    } else if key == "vlan" {
        "u16"
    } else if key.contains("asn") || path.contains("/as_names") {
        "u32"
    } else if path.contains("/via/") && (key == "packets" || key == "bytes") {
        "i64"
    } else {
        "u64"
    }
}

fn render_all(v: &Value, what: &str) {
    let text = serde_json::to_string(v).unwrap();
    let input = parse(what, &text).unwrap_or_else(|e| panic!("{what}: {e}"));
    let c = combine(vec![input], &CombineOptions::default()).unwrap();
    let page = render_html(&c, &HtmlOptions::default());
    assert!(page.ends_with("</html>\n"), "{what}");
    for t in ReportTable::all() {
        render_csv(&c, t);
    }
}

#[test]
fn largest_integers_and_floats() {
    for name in ["kh-links.json", "kh-border-hour1.json"] {
        let mut v = json(name);
        map_numbers(&mut v, "", &|p, n| match (int_kind(p), n.is_f64()) {
            ("i64", _) => Value::from(i64::MAX),
            ("u32", _) => Value::from(u32::MAX),
            ("u16", _) => Value::from(u16::MAX),
            (_, false) => Value::from(u64::MAX),
            (_, true) => Value::from(f64::MAX),
        });
        render_all(&v, &format!("max-{name}"));
    }
}

#[test]
fn smallest_and_negative_values() {
    for name in ["kh-links.json", "kh-border-hour1.json"] {
        let mut v = json(name);
        map_numbers(&mut v, "", &|p, n| match (int_kind(p), n.is_f64()) {
            ("i64", _) => Value::from(i64::MIN),
            (_, false) => Value::from(0u64),
            (_, true) => Value::from(-f64::MAX),
        });
        render_all(&v, &format!("min-{name}"));
    }
}

#[test]
fn tiny_floats_and_huge_steps() {
    let mut v = json("kh-links.json");
    map_numbers(&mut v, "", &|p, n| {
        let key = p.rsplit('/').next().unwrap();
        match key {
            "series_step_s" | "bin_s" | "sample_s" => Value::from(1e300),
            _ if n.is_f64() => Value::from(f64::MIN_POSITIVE),
            _ => Value::Number(n.clone()),
        }
    });
    render_all(&v, "tiny.json");
}

#[test]
fn empty_and_missing_sections() {
    let mut v = json("kh-links.json");
    for path in [
        "/as_matrix",
        "/country_matrix",
        "/inputs",
        "/hairpin/pairs",
        "/hairpin/links",
        "/sizing/networks",
        "/sizing/pairs",
        "/sizing/links",
        "/sizing/what_if/ports",
        "/sizing/what_if/unknown_networks",
        "/sizing/port_speeds_gbps",
        "/series/rows",
        "/warnings",
    ] {
        *v.pointer_mut(path).unwrap() = Value::Array(vec![]);
    }
    *v.pointer_mut("/time/first_ns").unwrap() = Value::Null;
    *v.pointer_mut("/time/last_ns").unwrap() = Value::Null;
    *v.pointer_mut("/sizing/first_bin_ns").unwrap() = Value::Null;
    *v.pointer_mut("/as_names").unwrap() = Value::Object(Default::default());
    render_all(&v, "empty.json");
    for section in ["sizing", "hairpin", "series", "as_names", "warnings"] {
        v.as_object_mut().unwrap().remove(section);
        render_all(&v, &format!("without-{section}.json"));
    }
}

#[test]
fn hairpin_countries_missing_from_the_country_matrix() {
    let mut v = json("kh-links.json");
    // The country matrix says nothing about KH, yet every hairpin pair is KH -> KH.
    *v.pointer_mut("/country_matrix").unwrap() = serde_json::json!([
        {"src_country": "US", "dst_country": null, "packets": 1, "bytes": 100, "flows": 1}
    ]);
    render_all(&v, "mismatch.json");
}
