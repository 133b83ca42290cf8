//! Memory does not grow with the length of a capture (issue #11): the same million
//! packets of the same hundred flows, spread over one hour, seven days and thirty days,
//! are analysed with hairpin detection and rates; the peak resident memory of each run
//! is measured from outside (GNU time's maximum resident set size) and the week and the
//! month must stay within 1.5 times the hour's, written as JSON and as a Parquet dataset.
//! The results must also agree on every count: only the time axis differs.

use std::path::{Path, PathBuf};
use std::process::Command;
use trombone_fixtures::bench::{write_bench, BenchConfig};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../capture-fixtures")
}

/// Peak RSS in KiB of one analyze run writing `format` to `out`.
fn peak_kb(pcap: &Path, format: &str, out: &Path) -> u64 {
    let time = Path::new("/usr/bin/time");
    assert!(
        time.exists(),
        "GNU time (/usr/bin/time, Debian package `time`) is needed: scripts/test installs it"
    );
    let o = Command::new(time)
        .args(["-f", "maxrss_kb=%M"])
        .arg(env!("CARGO_BIN_EXE_trombone"))
        .arg("analyze")
        .arg(pcap)
        .args([
            "--workers",
            "2",
            "--no-progress",
            "--home",
            "VN",
            "--zone",
            "KH,LA,MM,VN",
        ])
        .args(["--format", format, "-o"])
        .arg(out)
        .output()
        .expect("run trombone under GNU time");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "trombone failed: {err}");
    let kb = err
        .lines()
        .find_map(|l| l.strip_prefix("maxrss_kb="))
        .and_then(|v| v.trim().parse().ok())
        .expect("GNU time printed the peak");
    kb
}

/// Peak RSS in KiB and the JSON result of one analyze run.
fn measure(pcap: &Path, out: &Path) -> (u64, serde_json::Value) {
    let kb = peak_kb(pcap, "json", out);
    let v = serde_json::from_str(&std::fs::read_to_string(out).unwrap()).unwrap();
    (kb, v)
}

#[test]
fn memory_is_independent_of_how_long_the_capture_spans() {
    let dir = std::env::temp_dir().join(format!("trombone-duration-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let _ = fixtures(); // the bench generator uses the fixture networks built in
    let mut runs = Vec::new();
    for (name, span) in [
        ("hour", 3600.0),
        ("week", 7.0 * 86_400.0),
        ("month", 30.0 * 86_400.0),
    ] {
        let pcap = dir.join(format!("{name}.pcap"));
        let cfg = BenchConfig {
            packets: 1_000_000,
            flows: 100,
            span_s: Some(span),
            ..BenchConfig::default()
        };
        let f = std::io::BufWriter::new(std::fs::File::create(&pcap).unwrap());
        write_bench(&cfg, f).unwrap();
        let (kb, v) = measure(&pcap, &dir.join(format!("{name}.json")));
        let days = v["time"]["duration_s"].as_f64().unwrap() / 86_400.0;
        eprintln!(
            "{name}: {days:.2} days of traffic, peak RSS {} MiB",
            kb / 1024
        );
        // the Parquet writer must not hold a long result's sample rows all at once
        let ds = dir.join(format!("{name}.dataset"));
        let pq_kb = peak_kb(&pcap, "parquet", &ds);
        assert!(ds.join("samples").is_dir(), "{name}: a samples table");
        eprintln!(
            "{name}: as a Parquet dataset, peak RSS {} MiB",
            pq_kb / 1024
        );
        runs.push((name, kb, v, pq_kb));
        let _ = std::fs::remove_file(&pcap);
    }
    let (_, hour_kb, hour, hour_pq) = &runs[0];
    for (name, kb, v, pq) in &runs[1..] {
        assert!(
            *kb as f64 <= 1.5 * *hour_kb as f64,
            "{name}: peak RSS {kb} KiB against {hour_kb} KiB for the hour"
        );
        assert!(
            *pq as f64 <= 1.5 * *hour_pq as f64,
            "{name} as Parquet: peak RSS {pq} KiB against {hour_pq} KiB for the hour"
        );
        assert_eq!(v["totals"]["ip_packets"], hour["totals"]["ip_packets"]);
        assert_eq!(
            v["as_matrix"], hour["as_matrix"],
            "{name}: the same traffic"
        );
        assert_eq!(
            v["hairpin"]["totals"]["local_bytes"],
            hour["hairpin"]["totals"]["local_bytes"]
        );
    }
    let month_samples = runs[2].2["sizing"]["samples"].as_u64().unwrap();
    assert!(
        month_samples > 8000,
        "{month_samples} five-minute samples in the month"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
