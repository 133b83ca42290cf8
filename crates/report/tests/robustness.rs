//! No panic on any well-formed result, however extreme its numbers: every integer at u64::MAX,
//! floats at the ends of their range, timestamps at the ends of i64, empty sections.

use serde_json::Value;
use std::path::Path;
use trombone_report::{parse, render_csv, render_html, CsvTable, HtmlOptions};

fn fixture() -> Value {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/kh-border-hour1.json");
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

/// Rewrites every number in `v` (except schema_version) with `f`.
fn map_numbers(v: &mut Value, key: &str, f: &dyn Fn(&str, &serde_json::Number) -> Value) {
    match v {
        Value::Number(n) if key != "schema_version" => *v = f(key, n),
        Value::Array(a) => a.iter_mut().for_each(|x| map_numbers(x, key, f)),
        Value::Object(o) => o.iter_mut().for_each(|(k, x)| map_numbers(x, k, f)),
        _ => {}
    }
}

fn render_all(v: &Value, what: &str) {
    let text = serde_json::to_string(v).unwrap();
    let f = parse(what, &text).unwrap_or_else(|e| panic!("{what}: {e}"));
    let page = render_html(std::slice::from_ref(&f), &HtmlOptions::default()).unwrap();
    assert!(page.ends_with("</html>\n"), "{what}");
    // Twice the same result merges too (sums at the edge of u64).
    render_html(&[f.clone(), f.clone()], &HtmlOptions::default()).unwrap();
    for t in CsvTable::ALL {
        render_csv(&[f.clone(), f.clone()], t);
    }
}

#[test]
fn largest_integers_and_floats() {
    let mut v = fixture();
    map_numbers(&mut v, "", &|k, n| {
        if k.ends_with("_ns") {
            Value::from(i64::MAX)
        } else if k.contains("asn") || k == "vlan" {
            Value::from(u32::MAX)
        } else if n.is_u64() {
            Value::from(u64::MAX)
        } else {
            Value::from(f64::MAX)
        }
    });
    render_all(&v, "max.json");
}

#[test]
fn smallest_and_negative_values() {
    let mut v = fixture();
    map_numbers(&mut v, "", &|k, n| {
        if k.ends_with("_ns") {
            Value::from(i64::MIN)
        } else if n.is_u64() {
            Value::from(0u64)
        } else {
            Value::from(-f64::MAX)
        }
    });
    render_all(&v, "min.json");
}

#[test]
fn tiny_floats_and_huge_series_steps() {
    let mut v = fixture();
    map_numbers(&mut v, "", &|k, n| match k {
        "series_step_s" | "bin_s" | "sample_s" => Value::from(1e300),
        _ if n.is_f64() => Value::from(f64::MIN_POSITIVE),
        _ => Value::Number(n.clone()),
    });
    render_all(&v, "tiny.json");
}

#[test]
fn empty_sections() {
    let mut v = fixture();
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
        "/sizing/port_speeds_gbps",
    ] {
        *v.pointer_mut(path).unwrap() = Value::Array(vec![]);
    }
    *v.pointer_mut("/time/first_ns").unwrap() = Value::Null;
    *v.pointer_mut("/time/last_ns").unwrap() = Value::Null;
    *v.pointer_mut("/sizing/first_bin_ns").unwrap() = Value::Null;
    *v.pointer_mut("/as_names").unwrap() = Value::Object(Default::default());
    render_all(&v, "empty.json");
    // And without the optional sections at all.
    v.as_object_mut().unwrap().remove("sizing");
    v.as_object_mut().unwrap().remove("hairpin");
    render_all(&v, "bare.json");
}

#[test]
fn hairpin_countries_missing_from_the_country_matrix() {
    let mut v = fixture();
    // The country matrix says nothing about KH, yet every hairpin pair is KH -> KH.
    *v.pointer_mut("/country_matrix").unwrap() = serde_json::json!([
        {"src_country": "US", "dst_country": null, "packets": 1, "bytes": 100, "flows": 1}
    ]);
    render_all(&v, "mismatch.json");
}
