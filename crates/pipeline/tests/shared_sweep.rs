//! The whole pipeline over every public test-suite capture in ../shared/pcaps:
//! no panic, every frame accounted for, and the frame count of each cleanly
//! read file equal to the independent readers' count recorded in
//! capture-fixtures/shared-frame-counts.tsv (capinfos / libpcap).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use trombone_asdb::AsDb;
use trombone_pipeline::{analyze_all, Options};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn every_shared_capture_is_accounted_for() {
    let root = repo_root();
    let pcaps = root.join("../shared/pcaps");
    if !pcaps.is_dir() {
        if std::env::var_os("TROMBONE_SKIP_SHARED").is_some() {
            return;
        }
        panic!(
            "{} is missing (set TROMBONE_SKIP_SHARED=1 to skip)",
            pcaps.display()
        );
    }
    let tsv = std::fs::read_to_string(root.join("capture-fixtures/shared-frame-counts.tsv"))
        .expect("read shared-frame-counts.tsv");
    let db = Arc::new(AsDb::empty());
    let opts = Options {
        workers: 2,
        ..Options::default()
    };
    let (mut checked, mut clean, mut mismatches) = (0, 0, Vec::new());
    for line in tsv
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("path\t"))
    {
        let cols: Vec<&str> = line.split('\t').collect();
        let (path, frames, status, exception) = (
            cols[0],
            cols[1],
            cols[2],
            cols.get(5).copied().unwrap_or(""),
        );
        let report = analyze_all(&[pcaps.join(path)], db.clone(), &opts);
        let t = &report.totals;
        assert_eq!(
            t.frames,
            t.ip_packets + t.non_ip_frames + t.malformed_frames + t.unsupported_frames,
            "{path}: frames not accounted for"
        );
        let matrix_packets: u64 = report.as_matrix.iter().map(|c| c.packets).sum();
        let matrix_bytes: u64 = report.as_matrix.iter().map(|c| c.bytes).sum();
        assert_eq!(matrix_packets, t.ip_packets, "{path}");
        assert_eq!(matrix_bytes, t.ip_bytes, "{path}");
        checked += 1;
        if status == "ok" && exception.is_empty() {
            clean += 1;
            let expected: u64 = frames.parse().expect("frame count");
            if t.frames != expected || report.partial {
                mismatches.push(format!(
                    "{path}: independent reader {expected}, trombone {} (partial: {:?})",
                    t.frames, report.inputs[0].error
                ));
            }
        }
    }
    assert!(checked > 800, "only {checked} captures listed");
    assert!(
        mismatches.is_empty(),
        "{} of {clean} cleanly read files disagree:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}
