//! Port sizing against an independent model.
//!
//! `capture-fixtures/sizing-kh.sizing.expected.json` holds the `sizing` section that the
//! generator's own model (crates/fixtures/src/sizing_model.rs) computed from the frames
//! crates/fixtures/src/sizing_set.rs wrote: twenty-one 60-second samples at the Cambodian
//! gateway, partial first and last samples, quiet samples, a one-second burst, replicas,
//! traffic of unknown direction, and a what-if that needs three different port speeds. The
//! model never runs the analyzer.
//!
//! Compared: every field of the expected section, recursively — integers and strings
//! exactly, floats to 1e-9 relative (the same arithmetic in another order), lists element by
//! element and of the same length (so a missing or extra network, pair, link or sample
//! fails) — for `--workers 1` and `--workers 3`; and the `ports` and `rates` CSV tables
//! against the same expected figures.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../capture-fixtures")
}

fn expected() -> Value {
    let p = fixtures().join("sizing-kh.sizing.expected.json");
    serde_json::from_str(&std::fs::read_to_string(&p).expect("sizing fixture")).unwrap()
}

/// The expected file's analyzer arguments, file names made absolute.
fn args(exp: &Value) -> Vec<String> {
    let files = ["sizing-kh.pcap", "fixture-asn.tsv", "hairpin-kh.links.toml"];
    exp["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let a = a.as_str().unwrap();
            if files.contains(&a) {
                fixtures().join(a).display().to_string()
            } else {
                a.to_string()
            }
        })
        .collect()
}

fn run(exp: &Value, extra: &[&str]) -> Vec<u8> {
    let out = Command::new(env!("CARGO_BIN_EXE_trombone"))
        .args(args(exp))
        .args(["--no-progress"])
        .args(extra)
        .output()
        .expect("run trombone");
    assert!(
        out.status.success(),
        "trombone failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Every difference between `want` and `got` under `path`; returns the leaves compared.
fn compare(want: &Value, got: &Value, path: &str, diffs: &mut Vec<String>) -> usize {
    match (want, got) {
        (Value::Object(w), Value::Object(g)) => w
            .iter()
            .map(|(k, v)| match g.get(k) {
                Some(x) => compare(v, x, &format!("{path}.{k}"), diffs),
                None => {
                    diffs.push(format!("{path}.{k}: missing"));
                    1
                }
            })
            .sum(),
        (Value::Array(w), Value::Array(g)) => {
            if w.len() != g.len() {
                diffs.push(format!("{path}: {} elements, want {}", g.len(), w.len()));
                return 1;
            }
            w.iter()
                .zip(g)
                .enumerate()
                .map(|(i, (a, b))| compare(a, b, &format!("{path}[{i}]"), diffs))
                .sum()
        }
        (Value::Number(w), Value::Number(g)) if w.is_f64() || g.is_f64() => {
            let (a, b) = (w.as_f64().unwrap(), g.as_f64().unwrap());
            if (a - b).abs() > 1e-9 * a.abs().max(b.abs()) {
                diffs.push(format!("{path}: {b}, want {a}"));
            }
            1
        }
        _ => {
            if want != got {
                diffs.push(format!("{path}: {got}, want {want}"));
            }
            1
        }
    }
}

#[test]
fn sizing_section_equals_the_model_for_one_and_three_workers() {
    let exp = expected();
    let want = &exp["sizing"];
    // the fixture is what the model says it is: many samples, three port speeds
    assert_eq!(want["samples"], 21);
    assert_eq!(want["what_if"]["ports"].as_array().unwrap().len(), 3);
    let mut results = Vec::new();
    for workers in ["1", "3"] {
        let out = run(&exp, &["--format", "json", "--workers", workers]);
        let v: Value = serde_json::from_slice(&out).expect("JSON");
        let mut diffs = Vec::new();
        let leaves = compare(want, &v["sizing"], "sizing", &mut diffs);
        assert!(leaves > 1000, "only {leaves} figures compared");
        assert!(
            diffs.is_empty(),
            "--workers {workers}: {} of {leaves} figures differ from the model:\n{}",
            diffs.len(),
            diffs[..diffs.len().min(40)].join("\n")
        );
        results.push(v["sizing"].clone());
    }
    assert_eq!(results[0], results[1], "1 and 3 workers differ");
}

fn csv(exp: &Value, table: &str) -> Vec<Vec<String>> {
    let out = run(exp, &["--format", "csv", "--table", table]);
    let mut r = csv::Reader::from_reader(&out[..]);
    let head: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    let mut rows = vec![head];
    for rec in r.records() {
        rows.push(rec.unwrap().iter().map(String::from).collect());
    }
    rows
}

fn col(rows: &[Vec<String>], name: &str) -> usize {
    rows[0]
        .iter()
        .position(|c| c == name)
        .unwrap_or_else(|| panic!("column {name} in {:?}", rows[0]))
}

fn close(got: &str, want: &Value) -> bool {
    let g: f64 = got.parse().unwrap_or(f64::NAN);
    let w = want.as_f64().unwrap();
    (g - w).abs() <= 1e-9 * g.abs().max(w.abs())
}

#[test]
fn ports_and_rates_csv_carry_the_models_figures() {
    let exp = expected();
    let want = &exp["sizing"];
    let rows = csv(&exp, "ports");
    let ports = want["what_if"]["ports"].as_array().unwrap();
    assert_eq!(rows.len() - 1, ports.len(), "{rows:?}");
    for (row, p) in rows[1..].iter().zip(ports) {
        assert_eq!(row[col(&rows, "asn")], p["asn"].to_string());
        assert_eq!(row[col(&rows, "port")], p["port"].as_str().unwrap());
        for f in ["p95_mbps", "needed_mbps", "transit_saved_usd_per_month"] {
            assert!(close(&row[col(&rows, f)], &p[f]), "{f}: {row:?} vs {p}");
        }
    }
    let rows = csv(&exp, "rates");
    let total = rows
        .iter()
        .find(|r| r[col(&rows, "kind")] == "total")
        .expect("total row");
    let t = &want["total"];
    assert_eq!(total[col(&rows, "bytes")], t["bytes"].to_string());
    assert_eq!(total[col(&rows, "packets")], t["packets"].to_string());
    for f in [
        "avg_mbps",
        "p90_mbps",
        "p95_mbps",
        "max_mbps",
        "peak_bin_mbps",
    ] {
        assert!(close(&total[col(&rows, f)], &t[f]), "{f}: {total:?}");
    }
    // one row per network direction the model has
    let nets = want["networks"].as_array().unwrap();
    let net_rows = rows.iter().filter(|r| r[col(&rows, "kind")] == "network");
    assert_eq!(net_rows.count(), nets.len() * 2);
}
