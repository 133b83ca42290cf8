//! `trombone report`: renders JSON results of `trombone analyze` as a self-contained HTML
//! report (opens offline, prints on A4) or as CSV tables for spreadsheets.

use clap::{Args, ValueEnum};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use trombone_report::{CsvTable, HtmlOptions, ResultFile};

/// Output formats of `report`.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ReportFormat {
    /// One self-contained HTML page: inline CSS and SVG, no scripts, no network.
    Html,
    /// CSV tables (see --table).
    Csv,
}

/// The CSV tables `report --format csv` can write.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum TableArg {
    /// One row per hairpin AS pair, with detour and handshake latency.
    HairpinPairs,
    /// One row per hairpin AS pair and via link.
    Via,
    /// One row per what-if IXP port recommendation, with transit saved.
    Ports,
    /// One row per rate (network, link, AS pair, hairpin; in and out) with avg/p90/p95/max.
    Rates,
}

impl From<TableArg> for CsvTable {
    fn from(t: TableArg) -> CsvTable {
        match t {
            TableArg::HairpinPairs => CsvTable::HairpinPairs,
            TableArg::Via => CsvTable::Via,
            TableArg::Ports => CsvTable::Ports,
            TableArg::Rates => CsvTable::Rates,
        }
    }
}

/// Arguments of `trombone report`.
#[derive(Args, Debug)]
pub struct ReportArgs {
    /// JSON results of `trombone analyze --format json` ("-" reads standard input). With several,
    /// matrices and hairpin bytes are summed (same --home/--zone required) and percentiles are
    /// shown per file: they cannot be merged.
    #[arg(required = true, value_name = "RESULT.json")]
    results: Vec<PathBuf>,
    /// Write to FILE instead of standard output. With --format csv and no --table, every
    /// table is written next to FILE as STEM-TABLE.EXT (report.csv -> report-hairpin-pairs.csv,
    /// report-via.csv, report-ports.csv, report-rates.csv).
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Html)]
    format: ReportFormat,
    /// Title of the HTML report (default: "Tromboning report: " and the audited country or zone).
    #[arg(long, value_name = "TEXT")]
    title: Option<String>,
    /// With --format csv: write only this table (to -o or standard output; the default on
    /// standard output is hairpin-pairs).
    #[arg(long, value_enum)]
    table: Option<TableArg>,
}

/// Reads one result; "-" is standard input.
fn load(path: &Path) -> Result<ResultFile, String> {
    if path == Path::new("-") {
        let mut text = String::new();
        io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| format!("standard input: {e}"))?;
        trombone_report::parse("-", &text).map_err(|e| e.to_string())
    } else {
        trombone_report::load(path).map_err(|e| e.to_string())
    }
}

/// Writes `text` to `path`, or to standard output when `path` is None.
fn write_out(path: Option<&Path>, text: &str) -> Result<(), String> {
    match path {
        Some(p) => std::fs::write(p, text).map_err(|e| format!("{}: {e}", p.display())),
        None => {
            let mut out = io::stdout().lock();
            out.write_all(text.as_bytes())
                .and_then(|()| out.flush())
                .map_err(|e| format!("standard output: {e}"))
        }
    }
}

fn render(a: &ReportArgs) -> Result<(), String> {
    if a.results.iter().filter(|p| *p == Path::new("-")).count() > 1 {
        return Err("standard input (\"-\") can be given only once".into());
    }
    let files = a
        .results
        .iter()
        .map(|p| load(p))
        .collect::<Result<Vec<_>, _>>()?;
    for f in files.iter().filter(|f| f.result.partial) {
        eprintln!(
            "trombone: warning: {} is a partial result (a capture was not read to its end); the report says so",
            f.name
        );
    }
    match a.format {
        ReportFormat::Html => {
            if a.table.is_some() {
                return Err("--table applies to --format csv only".into());
            }
            let page = trombone_report::render_html(
                &files,
                &HtmlOptions {
                    title: a.title.clone(),
                },
            )
            .map_err(|e| e.to_string())?;
            write_out(a.output.as_deref(), &page)
        }
        ReportFormat::Csv => {
            // Check the results combine, as the HTML report would.
            trombone_report::check_combinable(&files).map_err(|e| e.to_string())?;
            match (a.table, a.output.as_deref()) {
                (Some(t), out) => write_out(out, &trombone_report::render_csv(&files, t.into())),
                (None, None) => write_out(
                    None,
                    &trombone_report::render_csv(&files, CsvTable::HairpinPairs),
                ),
                (None, Some(base)) => {
                    for t in CsvTable::ALL {
                        let path = t.path_next_to(base);
                        write_out(Some(&path), &trombone_report::render_csv(&files, t))?;
                        eprintln!("trombone: wrote {}", path.display());
                    }
                    Ok(())
                }
            }
        }
    }
}

/// Runs `trombone report`. Exit code 0 on success, 2 when a result cannot be read or
/// combined or the output cannot be written.
pub fn run(a: ReportArgs) -> ExitCode {
    match render(&a) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("trombone: {e}");
            ExitCode::from(2)
        }
    }
}
