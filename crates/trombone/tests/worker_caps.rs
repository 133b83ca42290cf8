//! What the worker count may change (issue #16, item 8).
//!
//! The replica matcher's capacity (`--max-pending`) is per worker, and so is the handshake
//! table's (`--max-handshakes`). Below those caps a result is identical for any worker
//! count (tests/cli.rs, tests/hairpin.rs). At a cap, which sightings are pushed out depends
//! on how flows fall to workers, so the hairpin figures may differ between worker counts;
//! every other figure must not. This test drives the matcher far past its cap with
//! `--workers 1` and `--workers 2` and checks exactly that: totals, both matrices, time,
//! inputs, the sizing section (all but the what-if, which rests on hairpin bytes) and the
//! non-hairpin series are identical — and equal to the generator's own model where it has
//! one — while the hairpin counters are only recorded (printed), with the invariants that
//! hold at any cap.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use trombone_fixtures::bench::{write_bench, BenchConfig, BenchReplicas};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../capture-fixtures")
}

/// Sorts matrix rows so two matrices compare as sets (ties in bytes may order differently).
fn rows(v: &Value, fields: &[&str]) -> Vec<String> {
    let mut r: Vec<String> = v
        .as_array()
        .expect("matrix array")
        .iter()
        .map(|row| {
            fields
                .iter()
                .map(|f| format!("{f}={}", row[*f]))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    r.sort();
    r
}

/// The series rows of kinds other than the hairpin ones, as sorted JSON strings.
fn plain_series(v: &Value) -> Vec<String> {
    let mut r: Vec<String> = v["series"]["rows"]
        .as_array()
        .expect("series rows")
        .iter()
        .filter(|row| !row["kind"].as_str().unwrap().starts_with("hairpin"))
        .map(|row| row.to_string())
        .collect();
    r.sort();
    r
}

fn analyze(cap: &Path, workers: &str) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_trombone"))
        .arg("analyze")
        .arg(cap)
        .args(["--no-progress", "--asn-db"])
        .arg(fixtures().join("fixture-asn.tsv"))
        .args(["--home", "VN", "--zone", "KH,LA,MM,VN"])
        .args(["--max-pending", "4096", "--workers", workers])
        .args(["--format", "json"])
        .output()
        .expect("run trombone");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON result")
}

#[test]
fn only_hairpin_figures_may_depend_on_the_worker_count_at_the_matchers_cap() {
    let dir = std::env::temp_dir().join(format!("trombone-worker-caps-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    // 100 k packets about 1.3 µs apart, a quarter of the local IPv4 ones seen again
    // 15–45 ms later: tens of thousands of sightings wait at once, against 4,096 ways
    let cfg = BenchConfig {
        packets: 100_000,
        flows: 5_000,
        seed: 0x16_0008,
        snaplen: 96,
        arp_every: 5000,
        replicas: Some(BenchReplicas {
            zone: ["KH", "LA", "MM", "VN"].map(String::from).to_vec(),
            percent: 25,
            delay_us: 30_000,
            hops: 8,
        }),
        span_s: None,
    };
    let cap = dir.join("replicated.pcap");
    let f = std::io::BufWriter::new(std::fs::File::create(&cap).unwrap());
    let bench = write_bench(&cfg, f).unwrap();
    let truth = bench.hairpin.clone().expect("replicas were asked for");
    let model: Value = serde_json::from_str(&bench.expected.to_json()).unwrap();

    let one = analyze(&cap, "1");
    let two = analyze(&cap, "2");

    for (n, v) in [("1", &one), ("2", &two)] {
        let m = &v["hairpin"]["matcher"];
        let t = &v["hairpin"]["totals"];
        // recorded, not compared between the two runs
        eprintln!(
            "--workers {n}: matcher {m}; hairpin packets {} reobserved {} bytes {}",
            t["packets"], t["reobserved_packets"], t["bytes"]
        );
        let u = |x: &Value| x.as_u64().unwrap();
        // the run is past the cap (else this test shows nothing) and says so
        assert!(
            u(&m["dropped_fresh"]) + u(&m["slot_overflows"]) > 0,
            "--workers {n}: the matcher did not overflow: {m}"
        );
        assert!(
            v["warnings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|w| w["code"] == "matcher_pressure"),
            "--workers {n}"
        );
        // what holds at any cap: every sighting is counted once, as a first sighting or a
        // matched replica, and no more replicas are matched than were written
        assert_eq!(
            u(&t["observations"]),
            truth.local_packets + truth.replicas,
            "--workers {n}"
        );
        assert_eq!(
            u(&t["packets"]) + u(&t["reobserved_packets"]),
            u(&t["observations"]),
            "--workers {n}"
        );
        assert!(
            u(&t["reobserved_packets"]) <= truth.replicas,
            "--workers {n}"
        );
        // the generator's model: totals and both matrices
        for (k, x) in model["totals"].as_object().unwrap() {
            assert_eq!(&v["totals"][k], x, "--workers {n}: totals.{k}");
        }
        let as_fields = [
            "src_asn",
            "dst_asn",
            "src_country",
            "dst_country",
            "packets",
            "bytes",
            "flows",
        ];
        assert_eq!(
            rows(&v["as_matrix"], &as_fields),
            rows(&model["as_matrix"], &as_fields),
            "--workers {n}: as_matrix"
        );
        let cc_fields = ["src_country", "dst_country", "packets", "bytes", "flows"];
        assert_eq!(
            rows(&v["country_matrix"], &cc_fields),
            rows(&model["country_matrix"], &cc_fields),
            "--workers {n}: country_matrix"
        );
    }

    // identical between the worker counts, field by field
    for k in [
        "totals",
        "as_matrix",
        "country_matrix",
        "time",
        "inputs",
        "partial",
        "asn_db",
    ] {
        assert_eq!(one[k], two[k], "{k} differs between --workers 1 and 2");
    }
    let sizing = |v: &Value| {
        let mut s = v["sizing"].as_object().expect("a sizing section").clone();
        assert!(s.remove("what_if").is_some(), "a what-if section");
        s
    };
    let (s1, s2) = (sizing(&one), sizing(&two));
    for (k, x) in &s1 {
        assert_eq!(
            Some(x),
            s2.get(k),
            "sizing.{k} differs between --workers 1 and 2"
        );
    }
    assert_eq!(s1.len(), s2.len());
    let (p1, p2) = (plain_series(&one), plain_series(&two));
    assert!(p1.len() > 10, "{} non-hairpin series rows", p1.len());
    assert_eq!(
        p1, p2,
        "non-hairpin series differ between --workers 1 and 2"
    );
    std::fs::remove_dir_all(&dir).ok();
}
