//! `trombone report` end to end: results of `analyze` (whole, rotated into pieces, merged,
//! from several sites) rendered as HTML and CSV. Expected values come from the JSON of a
//! single run over the whole capture, read as plain JSON, and from hand computation over
//! its per-sample series — never from the report code.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn fixture(name: &str) -> String {
    root()
        .join("capture-fixtures")
        .join(name)
        .display()
        .to_string()
}

/// A fresh directory for one test.
fn dir(test: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("trombone-report-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn trombone(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_trombone"))
        .args(args)
        .output()
        .expect("run trombone")
}

fn ok(args: &[&str]) -> Output {
    let out = trombone(args);
    assert!(
        out.status.success(),
        "trombone {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Analyses the KH hairpin fixture with its links file, 10-second samples, and `extra`.
fn analyze_kh(extra: &[&str]) {
    let cap = fixture("hairpin-kh.pcap");
    let links = fixture("hairpin-kh.links.toml");
    let mut a = vec![
        "analyze", &cap, "--home", "KH", "--links", &links, "--sample", "10", "--format", "json",
    ];
    a.extend_from_slice(extra);
    ok(&a);
}

fn json(p: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

/// The `data-value` of the element with `id` in a page.
fn value(page: &str, id: &str) -> String {
    let at = page
        .find(&format!(" id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id}"));
    let start = page[..at].rfind('<').unwrap();
    let tag = &page[start..at + page[at..].find('>').unwrap()];
    let v = &tag[tag
        .find("data-value=\"")
        .unwrap_or_else(|| panic!("#{id}: no data-value"))
        + 12..];
    v[..v.find('"').unwrap()].to_string()
}

fn f(s: &str) -> f64 {
    s.parse().unwrap()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1e-12)
}

#[test]
fn rotated_pieces_and_their_merge_report_the_whole_capture() {
    let d = dir("rotated");
    let whole = d.join("whole.json");
    analyze_kh(&["-o", whole.to_str().unwrap()]);
    let pieces = d.join("pieces");
    analyze_kh(&[
        "--rotate",
        "10s",
        "--site",
        "pp",
        "-o",
        pieces.to_str().unwrap(),
    ]);
    let n_pieces = std::fs::read_dir(&pieces).unwrap().count();
    assert!(n_pieces >= 4, "{n_pieces} pieces");
    let merged = d.join("merged.json");
    ok(&[
        "merge",
        pieces.to_str().unwrap(),
        "-o",
        merged.to_str().unwrap(),
    ]);

    let j = json(&whole);
    let pages: Vec<(String, String)> = [
        ("whole", whole.clone()),
        ("pieces", pieces.clone()),
        ("merged", merged.clone()),
    ]
    .into_iter()
    .map(|(what, input)| {
        let html = d.join(format!("{what}.html"));
        ok(&[
            "report",
            input.to_str().unwrap(),
            "-o",
            html.to_str().unwrap(),
        ]);
        (what.to_string(), std::fs::read_to_string(html).unwrap())
    })
    .collect();
    let h = &j["hairpin"]["totals"];
    for (what, page) in &pages {
        // the figures of one run over the whole capture, whichever way it was cut
        assert_eq!(
            value(page, "hairpin-bytes"),
            h["bytes"].to_string(),
            "{what}"
        );
        assert_eq!(
            value(page, "local-bytes"),
            h["local_bytes"].to_string(),
            "{what}"
        );
        assert!(
            close(
                f(&value(page, "hairpin-share")),
                h["share_of_local_bytes"].as_f64().unwrap()
            ),
            "{what}"
        );
        assert_eq!(
            value(page, "ip-bytes"),
            j["totals"]["ip_bytes"].to_string(),
            "{what}"
        );
        let saved = j["sizing"]["what_if"]["total_transit_saved_usd_per_month"]
            .as_f64()
            .unwrap();
        assert!(close(f(&value(page, "transit-saved")), saved), "{what}");
        assert!(
            close(
                f(&value(page, "total-p95")),
                j["sizing"]["total"]["p95_mbps"].as_f64().unwrap()
            ),
            "{what}"
        );
    }
    // The daily p95 of all traffic, by hand from the whole run's series: 10-second samples,
    // each divided by its seconds inside the span of 1-second bins, nearest rank.
    let first_bin = j["time"]["first_ns"]
        .as_i64()
        .unwrap()
        .div_euclid(1_000_000_000);
    let last_bin = j["time"]["last_ns"]
        .as_i64()
        .unwrap()
        .div_euclid(1_000_000_000);
    let total = j["series"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "total")
        .unwrap();
    let bytes_of = |k: i64| -> u64 {
        total["samples"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s[0].as_i64() == Some(k))
            .map_or(0, |s| s[1].as_u64().unwrap())
    };
    let mut rates: Vec<f64> = (first_bin / 10..=last_bin / 10)
        .map(|k| {
            let secs = ((k * 10 + 9).min(last_bin) - (k * 10).max(first_bin) + 1) as f64;
            bytes_of(k) as f64 * 8.0 / secs / 1e6
        })
        .collect();
    rates.sort_by(f64::total_cmp);
    let p95 = rates[(0.95 * rates.len() as f64).ceil() as usize - 1];
    for (what, page) in &pages {
        let t = &page[page
            .find("id=\"day-p95\"")
            .unwrap_or_else(|| panic!("{what}: no daily table"))..];
        let row = &t[t.find("<tbody>").unwrap()..];
        let cell = row.split("<td").nth(3).unwrap();
        let v = &cell[cell.find("data-value=\"").unwrap() + 12..];
        assert!(
            close(f(&v[..v.find('"').unwrap()]), p95),
            "{what}: daily p95"
        );
    }
    // The pieces' report says where they came from.
    let p = &pages[1].1;
    assert!(p.contains(&format!("{n_pieces} result files")), "pieces");
    assert!(p.contains("site &quot;pp&quot;"));
    std::fs::remove_dir_all(&d).ok();
}

#[test]
fn csv_writes_every_table_next_to_the_output_or_one_with_table() {
    let d = dir("csv");
    let whole = d.join("whole.json");
    analyze_kh(&["-o", whole.to_str().unwrap()]);
    let out = d.join("out");
    std::fs::create_dir_all(&out).unwrap();
    ok(&[
        "report",
        whole.to_str().unwrap(),
        "--format",
        "csv",
        "-o",
        out.join("report.csv").to_str().unwrap(),
    ]);
    let mut files: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            "report-as.csv",
            "report-country.csv",
            "report-hairpin-pairs.csv",
            "report-periods.csv",
            "report-ports.csv",
            "report-rates.csv",
            "report-talkers.csv",
            "report-via.csv"
        ]
    );
    // the same table as analyze writes it
    let analyze_as = ok(&[
        "analyze",
        &fixture("hairpin-kh.pcap"),
        "--home",
        "KH",
        "--links",
        &fixture("hairpin-kh.links.toml"),
        "--sample",
        "10",
        "--format",
        "csv",
        "--table",
        "via",
    ]);
    assert_eq!(
        std::fs::read(out.join("report-via.csv")).unwrap(),
        analyze_as.stdout
    );
    // one table on standard output
    let periods = ok(&[
        "report",
        whole.to_str().unwrap(),
        "--format",
        "csv",
        "--table",
        "periods",
    ]);
    let text = String::from_utf8(periods.stdout).unwrap();
    assert!(
        text.starts_with("site,period,start_utc,end_utc,start_ns,subject,"),
        "{text}"
    );
    assert!(text.contains("\r\n"));
    // hairpin pairs: one row per pair of the JSON
    let pairs = ok(&["report", whole.to_str().unwrap(), "--format", "csv"]);
    let n = String::from_utf8(pairs.stdout).unwrap().lines().count() - 1;
    assert_eq!(
        n,
        json(&whole)["hairpin"]["pairs"].as_array().unwrap().len()
    );
    // flags that do not apply are refused
    let bad = trombone(&[
        "report",
        whole.to_str().unwrap(),
        "--format",
        "csv",
        "--table",
        "nope",
    ]);
    assert_eq!(bad.status.code(), Some(2));
    let bad = trombone(&["report", whole.to_str().unwrap(), "--table", "as"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--table applies to --format csv"));
    std::fs::remove_dir_all(&d).ok();
}

#[test]
fn results_of_different_zones_merge_only_with_allow_mixed() {
    let d = dir("mixed");
    let (kh, clmv) = (d.join("kh.json"), d.join("clmv.json"));
    analyze_kh(&["-o", kh.to_str().unwrap()]);
    analyze_kh(&["--zone", "KH,LA,MM,VN", "-o", clmv.to_str().unwrap()]);
    let html = d.join("r.html");
    let out = trombone(&[
        "report",
        kh.to_str().unwrap(),
        clmv.to_str().unwrap(),
        "-o",
        html.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("home and zone") && err.contains("--allow-mixed"),
        "{err}"
    );
    assert!(!html.exists(), "no page from a refused merge");
    ok(&[
        "report",
        kh.to_str().unwrap(),
        clmv.to_str().unwrap(),
        "--allow-mixed",
        "-o",
        html.to_str().unwrap(),
    ]);
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("Mixed settings"));
    std::fs::remove_dir_all(&d).ok();
}

#[test]
fn two_sites_are_merged_per_site_then_together() {
    let d = dir("sites");
    let (a, b) = (d.join("a.json"), d.join("b.json"));
    analyze_kh(&["--site", "pnh", "-o", a.to_str().unwrap()]);
    analyze_kh(&["--site", "sre", "-o", b.to_str().unwrap()]);
    let html = d.join("r.html");
    ok(&[
        "report",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "-o",
        html.to_str().unwrap(),
    ]);
    let page = std::fs::read_to_string(&html).unwrap();
    let j = json(&a);
    // the same capture seen at two sites counts at each: twice the bytes
    let twice = 2 * j["hairpin"]["totals"]["bytes"].as_u64().unwrap();
    assert_eq!(value(&page, "hairpin-bytes"), twice.to_string());
    assert!(page.contains("2 sites added up"));
    assert!(page.contains("id=\"daily-p95-sites\""));
    std::fs::remove_dir_all(&d).ok();
}

#[test]
fn an_old_result_renders_alone_but_is_not_combined() {
    let d = dir("old");
    let new = d.join("new.json");
    analyze_kh(&["-o", new.to_str().unwrap()]);
    let old = root().join("crates/report/tests/data/kh-border-hour1.json");
    let out = trombone(&[
        "report",
        old.to_str().unwrap(),
        new.to_str().unwrap(),
        "-o",
        d.join("r.html").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("kh-border-hour1.json: a schema_version 1 result"),
        "{err}"
    );
    ok(&[
        "report",
        old.to_str().unwrap(),
        "-o",
        d.join("old.html").to_str().unwrap(),
    ]);
    std::fs::remove_dir_all(&d).ok();
}
