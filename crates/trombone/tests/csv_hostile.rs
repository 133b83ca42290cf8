//! No CSV trombone writes carries a live spreadsheet formula, whatever the AS names say.
//!
//! AS names come from third-party files. This test gives every network of the fixture
//! address table a hostile name (a formula, a DDE command, a sign, an `@` function, quotes
//! and commas), runs every CSV output — each `analyze --format csv --table` and every table
//! of `report --format csv` — and checks each cell of each file, parsed back with an
//! RFC 4180 reader: a cell starting with `=`, `+`, `-` or `@` must be a plain number (a
//! negative saving, say); every hostile name must appear, defused with a leading `'`, in
//! the outputs that list names, so the check cannot pass by the names going missing.

use std::path::{Path, PathBuf};
use std::process::Command;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../capture-fixtures")
}

const HOSTILE: [&str; 5] = [
    "=HYPERLINK(\"http://example.invalid/x\",\"click\")",
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "=1+1,\"quoted\", and a comma",
];

/// The fixture table with every AS name replaced by one of [`HOSTILE`].
fn hostile_table(dir: &Path) -> PathBuf {
    let src = std::fs::read_to_string(fixtures().join("fixture-asn.tsv")).unwrap();
    let mut out = String::new();
    for (i, line) in src.lines().enumerate() {
        let f: Vec<&str> = line.split('\t').collect();
        assert!(f.len() >= 5, "{line}");
        out.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\n",
            f[0],
            f[1],
            f[2],
            f[3],
            HOSTILE[i % HOSTILE.len()]
        ));
    }
    let p = dir.join("hostile-asn.tsv");
    std::fs::write(&p, out).unwrap();
    p
}

fn run(args: &[&str]) -> Vec<u8> {
    let out = Command::new(env!("CARGO_BIN_EXE_trombone"))
        .args(args)
        .output()
        .expect("run trombone");
    assert!(
        out.status.success(),
        "trombone {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Every cell of a CSV file.
fn cells(bytes: &[u8]) -> Vec<String> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut v = Vec::new();
    for rec in r.records() {
        v.extend(rec.expect("RFC 4180 CSV").iter().map(String::from));
    }
    v
}

/// Checks one output; returns the hostile names found defused in it.
fn check(what: &str, bytes: &[u8], found: &mut [bool; 5]) {
    let c = cells(bytes);
    assert!(c.len() > 5, "{what}: almost empty");
    for cell in &c {
        if let Some(ch) = cell.chars().next() {
            if matches!(ch, '=' | '+' | '-' | '@' | '\t' | '\r') {
                assert!(
                    cell.parse::<f64>().is_ok(),
                    "{what}: a live formula cell: {cell:?}"
                );
            }
        }
        for (i, h) in HOSTILE.iter().enumerate() {
            if cell == &format!("'{h}") {
                found[i] = true;
            }
        }
    }
}

#[test]
fn no_csv_output_carries_a_live_formula() {
    let dir = std::env::temp_dir().join(format!("trombone-csv-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let table = hostile_table(&dir);
    let cap = fixtures().join("hairpin-kh.pcap");
    let links = fixtures().join("hairpin-kh.links.toml");
    let base = [
        "analyze",
        cap.to_str().unwrap(),
        "--asn-db",
        table.to_str().unwrap(),
        "--home",
        "KH",
        "--links",
        links.to_str().unwrap(),
        "--top-talkers",
        "5",
        "--no-progress",
    ];
    let mut found = [false; 5];
    for t in [
        "as",
        "country",
        "hairpin-pairs",
        "via",
        "ports",
        "rates",
        "talkers",
    ] {
        let mut a = base.to_vec();
        a.extend(["--format", "csv", "--table", t]);
        check(&format!("analyze --table {t}"), &run(&a), &mut found);
    }
    assert!(
        found.iter().all(|f| *f),
        "names not seen defused: {found:?}"
    );

    // the report's CSV tables, from the JSON result
    let json = dir.join("r.json");
    let mut a = base.to_vec();
    a.extend(["--format", "json", "-o", json.to_str().unwrap()]);
    run(&a);
    let out = dir.join("report.csv");
    run(&[
        "report",
        json.to_str().unwrap(),
        "--format",
        "csv",
        "-o",
        out.to_str().unwrap(),
    ]);
    let mut found = [false; 5];
    let mut n = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        if name.starts_with("report-") && name.ends_with(".csv") {
            check(
                &format!("report {name}"),
                &std::fs::read(&p).unwrap(),
                &mut found,
            );
            n += 1;
        }
    }
    assert!(n >= 7, "{n} report tables");
    assert!(
        found.iter().all(|f| *f),
        "names not seen defused: {found:?}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
