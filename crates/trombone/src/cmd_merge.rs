//! `trombone merge`: combines results — rotated pieces of one vantage point, or several
//! vantage points — into one, exactly.

use crate::options::{Format, TableArg};
use crate::sink::Sink;
use clap::Args;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use trombone_reduce::{merge, MergeOptions};
use trombone_schema::{Report, ToolInfo};

/// Arguments of `trombone merge`.
#[derive(Args, Debug)]
pub struct MergeArgs {
    /// JSON results of `analyze`, `capture` or `merge`, or directories of them (every
    /// `*.json` inside, as `--rotate` writes them).
    #[arg(required = true, value_name = "RESULT")]
    results: Vec<PathBuf>,
    /// Write to FILE instead of standard output (checked before anything is read).
    #[arg(short, long, value_name = "FILE", help_heading = "Output")]
    output: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Json, help_heading = "Output")]
    format: Format,
    /// Table written by --format csv.
    #[arg(long, value_enum, default_value_t = TableArg::As, help_heading = "Output")]
    table: TableArg,
    /// Rows of each matrix shown by --format table.
    #[arg(long, default_value_t = 20, help_heading = "Output")]
    top: usize,
    /// Networks and AS pairs listed in the merged sizing section.
    #[arg(long, value_name = "N", default_value_t = 50, help_heading = "Output")]
    sizing_top: usize,
    /// Merge results made with different databases, zones, windows or bins anyway (the
    /// output's `merged.mixed` and `merged.notes` say so).
    #[arg(long)]
    allow_mixed: bool,
}

/// Every result file `p` names: itself, or the `*.json` files of a directory, sorted.
fn expand(p: &Path) -> Result<Vec<PathBuf>, String> {
    if p.is_dir() {
        let mut v: Vec<PathBuf> = std::fs::read_dir(p)
            .map_err(|e| format!("{}: {e}", p.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|f| f.extension().is_some_and(|x| x == "json"))
            .collect();
        v.sort();
        if v.is_empty() {
            return Err(format!(
                "{}: no *.json results in this directory",
                p.display()
            ));
        }
        Ok(v)
    } else {
        Ok(vec![p.to_path_buf()])
    }
}

/// Reads one result.
pub fn load_result(p: &Path) -> Result<Report, String> {
    let text = if p == Path::new("-") {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
            .map_err(|e| format!("standard input: {e}"))?;
        s
    } else {
        std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?
    };
    Report::from_json(&text).map_err(|e| format!("{}: {e}", p.display()))
}

/// Merges and writes. Exit 0, 1 when a merged result is partial, 2 on any error.
pub fn run(a: MergeArgs) -> ExitCode {
    let sink = Sink {
        format: a.format,
        table: a.table,
        output: a.output.clone(),
        top: a.top,
        rotating: false,
    };
    let go = || -> Result<Report, String> {
        sink.preflight()?;
        let mut files = Vec::new();
        for p in &a.results {
            files.extend(expand(p)?);
        }
        let reports: Vec<Report> = files
            .iter()
            .map(|f| load_result(f))
            .collect::<Result<_, _>>()?;
        merge(
            &reports,
            &MergeOptions {
                allow_mixed: a.allow_mixed,
                top: a.sizing_top,
                tool: ToolInfo::this(std::env::args().collect()),
            },
        )
    };
    let r = match go() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("trombone merge: {e}");
            return ExitCode::from(2);
        }
    };
    if let Some(m) = &r.merged {
        eprintln!(
            "trombone merge: {} results from {} site(s){}",
            m.results,
            m.sites.len(),
            if m.mixed { ", MIXED settings" } else { "" }
        );
        for n in &m.notes {
            eprintln!("trombone merge: note: {n}");
        }
    }
    if let Err(e) = sink.write(&r) {
        eprintln!("trombone merge: {e}");
        return ExitCode::from(2);
    }
    if r.partial {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
