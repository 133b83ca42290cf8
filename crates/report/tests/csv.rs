//! CSV tables checked against the JSON they come from (read as plain JSON values).

use serde_json::Value;
use std::path::{Path, PathBuf};
use trombone_report::{load, render_csv, CsvTable};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn json(name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(data(name)).unwrap()).unwrap()
}

/// Minimal RFC 4180 reader (quoted fields, doubled quotes, CRLF) for checking our output.
fn parse_csv(s: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    assert!(
        field.is_empty() && row.is_empty(),
        "last row not terminated"
    );
    rows
}

fn col(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name}"))
}

#[test]
fn hairpin_pairs_match_the_json() {
    let name = "kh-border-hour1.json";
    let j = json(name);
    let f = load(&data(name)).unwrap();
    let rows = parse_csv(&render_csv(&[f], CsvTable::HairpinPairs));
    let (head, body) = rows.split_first().unwrap();
    let pairs = j["hairpin"]["pairs"].as_array().unwrap();
    assert_eq!(body.len(), pairs.len());
    for (r, p) in body.iter().zip(pairs) {
        assert_eq!(r.len(), head.len());
        assert_eq!(r[col(head, "src_asn")], p["src_asn"].to_string());
        assert_eq!(r[col(head, "dst_asn")], p["dst_asn"].to_string());
        assert_eq!(r[col(head, "hairpin_bytes")], p["bytes"].to_string());
        assert_eq!(r[col(head, "local_bytes")], p["local_bytes"].to_string());
        let name = j["as_names"][p["src_asn"].to_string()].as_str().unwrap();
        assert_eq!(r[col(head, "src_name")], name);
        match p["detour_ms"]["p50"].as_f64() {
            Some(v) => assert_eq!(r[col(head, "detour_p50_ms")].parse::<f64>().unwrap(), v),
            None => assert_eq!(r[col(head, "detour_p50_ms")], ""),
        }
        assert_eq!(
            r[col(head, "result")],
            data("kh-border-hour1.json").display().to_string()
        );
    }
}

#[test]
fn via_rows_sum_to_pair_bytes() {
    let name = "kh-border-hour1.json";
    let j = json(name);
    let rows = parse_csv(&render_csv(&[load(&data(name)).unwrap()], CsvTable::Via));
    let (head, body) = rows.split_first().unwrap();
    let total: u64 = body
        .iter()
        .map(|r| r[col(head, "bytes")].parse::<u64>().unwrap())
        .sum();
    let expected: u64 = j["hairpin"]["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["via"].as_array().unwrap())
        .map(|v| v["bytes"].as_u64().unwrap())
        .sum();
    assert_eq!(total, expected);
}

#[test]
fn port_rows_match_the_json_and_several_results_stay_separate() {
    let (a, b) = ("kh-border-hour1.json", "kh-border-hour2-partial.json");
    let files = [load(&data(a)).unwrap(), load(&data(b)).unwrap()];
    let rows = parse_csv(&render_csv(&files, CsvTable::Ports));
    let (head, body) = rows.split_first().unwrap();
    let mut expected = Vec::new();
    for n in [a, b] {
        for p in json(n)["sizing"]["what_if"]["ports"].as_array().unwrap() {
            expected.push((
                data(n).display().to_string(),
                p["asn"].to_string(),
                p["port"].as_str().unwrap().to_string(),
                p["transit_saved_usd_per_month"].as_f64().unwrap(),
            ));
        }
    }
    assert_eq!(body.len(), expected.len());
    for (r, e) in body.iter().zip(&expected) {
        assert_eq!(r[col(head, "result")], e.0);
        assert_eq!(r[col(head, "asn")], e.1);
        assert_eq!(r[col(head, "port")], e.2);
        assert_eq!(
            r[col(head, "transit_saved_usd_per_month")]
                .parse::<f64>()
                .unwrap(),
            e.3
        );
    }
}

#[test]
fn rates_table_has_in_and_out_for_every_network() {
    let name = "kh-border-hour1.json";
    let j = json(name);
    let rows = parse_csv(&render_csv(&[load(&data(name)).unwrap()], CsvTable::Rates));
    let (head, body) = rows.split_first().unwrap();
    for n in j["sizing"]["networks"].as_array().unwrap() {
        for dir in ["in", "out"] {
            let r = body
                .iter()
                .find(|r| {
                    r[col(head, "kind")] == "network"
                        && r[col(head, "asn")].parse::<u64>().ok() == n["asn"].as_u64()
                        && r[col(head, "direction")] == dir
                })
                .unwrap_or_else(|| panic!("no row for AS{} {dir}", n["asn"]));
            assert_eq!(
                r[col(head, "p95_mbps")].parse::<f64>().unwrap(),
                n[dir]["p95_mbps"].as_f64().unwrap()
            );
            assert_eq!(r[col(head, "samples")], n[dir]["samples"].to_string());
        }
    }
}

#[test]
fn results_without_the_sections_give_headers_only() {
    let f = load(&data("hostile-names.json")).unwrap();
    // No hairpin section: header only.
    let rows = parse_csv(&render_csv(
        std::slice::from_ref(&f),
        CsvTable::HairpinPairs,
    ));
    assert_eq!(rows.len(), 1);
    let rows = parse_csv(&render_csv(&[f], CsvTable::Ports));
    assert_eq!(rows.len(), 1);
}
