//! Appends JSON results to a Parquet dataset, each as it is (a rotated piece stays a
//! piece): for archives of results written before `--format parquet`.
//!
//! `cargo run --release -p trombone-dataset --example import_json -- DIR RESULT...`
//! (a RESULT may be a directory: every `*.json` inside, recursively).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn collect(p: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if p.is_dir() {
        let mut v: Vec<PathBuf> = std::fs::read_dir(p)?
            .map(|e| e.map(|e| e.path()))
            .collect::<Result<_, _>>()?;
        v.sort();
        for x in v {
            if x.is_dir() || x.extension().is_some_and(|e| e == "json") {
                collect(&x, out)?;
            }
        }
    } else {
        out.push(p.to_path_buf());
    }
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let Some((dir, inputs)) = args.split_first().filter(|(_, r)| !r.is_empty()) else {
        eprintln!("usage: import_json DATASET_DIR RESULT.json|DIR...");
        return ExitCode::from(2);
    };
    let mut files = Vec::new();
    for p in inputs {
        if let Err(e) = collect(p, &mut files) {
            eprintln!("import_json: {}: {e}", p.display());
            return ExitCode::from(2);
        }
    }
    let (mut new, mut present, mut bytes) = (0, 0, 0);
    for f in &files {
        let r = std::fs::read_to_string(f)
            .map_err(|e| e.to_string())
            .and_then(|t| trombone_schema::Report::from_json(&t))
            .and_then(|r| trombone_dataset::write_dataset(&r, dir).map_err(|e| e.to_string()));
        match r {
            Ok(w) if w.already_present => present += 1,
            Ok(w) => {
                new += 1;
                bytes += w.bytes;
            }
            Err(e) => {
                eprintln!("import_json: {}: {e}", f.display());
                return ExitCode::from(1);
            }
        }
    }
    eprintln!(
        "import_json: {new} results appended ({bytes} bytes), {present} already in {}",
        dir.display()
    );
    ExitCode::SUCCESS
}
