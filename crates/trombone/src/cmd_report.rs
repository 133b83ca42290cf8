//! `trombone report`: renders results of `analyze`, `capture` or `merge` — one, several,
//! or directories of rotated pieces — as a self-contained HTML report (opens offline,
//! prints on A4) or as CSV tables for spreadsheets.

use clap::builder::PossibleValuesParser;
use clap::{Args, ValueEnum};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use trombone_report::{CombineOptions, HtmlOptions, Input, ReportTable};
use trombone_schema::ToolInfo;

/// Output formats of `report`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// One self-contained HTML page: inline CSS and SVG, no scripts, no network.
    Html,
    /// CSV tables (see --table).
    Csv,
}

/// Arguments of `trombone report`.
#[derive(Args, Debug)]
pub struct ReportArgs {
    /// JSON results of `analyze`, `capture` or `merge` ("-" reads standard input), or
    /// directories of them (every *.json inside, as --rotate writes them). Several are
    /// merged exactly, the results of each site (--site) first: rates, percentiles and
    /// ports are those of all the traffic.
    #[arg(required = true, value_name = "RESULT")]
    results: Vec<PathBuf>,
    /// Write to FILE instead of standard output. With --format csv and no --table, every
    /// table is written next to FILE as STEM-TABLE.EXT (out/report.csv ->
    /// out/report-as.csv, out/report-rates.csv, out/report-periods.csv...).
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Html)]
    format: ReportFormat,
    /// With --format csv: write only this table (the tables of `analyze --format csv`, and
    /// `periods`: daily and weekly p95 and the busiest hour of every series). On standard
    /// output without --table: hairpin-pairs (as without hairpin analysis).
    #[arg(long, value_name = "NAME", value_parser = PossibleValuesParser::new(
        ["as", "country", "hairpin-pairs", "via", "ports", "rates", "talkers", "periods"]
    ))]
    table: Option<String>,
    /// Title of the HTML report (default: "Tromboning report: " and the audited country or zone).
    #[arg(long, value_name = "TEXT")]
    title: Option<String>,
    /// Merge results made with different databases, zones, windows or bins anyway (the
    /// report says so prominently).
    #[arg(long)]
    allow_mixed: bool,
}

/// Reads one result; "-" is standard input.
fn load(path: &Path) -> Result<Input, String> {
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

fn render(a: &ReportArgs) -> Result<(), String> {
    if a.results.iter().filter(|p| *p == Path::new("-")).count() > 1 {
        return Err("standard input (\"-\") can be given only once".into());
    }
    if a.format == ReportFormat::Html && a.table.is_some() {
        return Err("--table applies to --format csv only".into());
    }
    let files = trombone_report::expand(&a.results).map_err(|e| e.to_string())?;
    let inputs = files
        .iter()
        .map(|p| load(p))
        .collect::<Result<Vec<_>, _>>()?;
    let partial = inputs.iter().filter(|i| i.report.partial).count();
    if partial > 0 {
        eprintln!(
            "trombone report: warning: {partial} of {} results are partial (a capture was not read to its end); the report says so",
            inputs.len()
        );
    }
    let combined = trombone_report::combine(
        inputs,
        &CombineOptions {
            allow_mixed: a.allow_mixed,
            tool: ToolInfo::this(std::env::args().collect()),
        },
    )
    .map_err(|e| e.to_string())?;
    if combined.merged() {
        eprintln!(
            "trombone report: merged {} results from {} site(s){}",
            combined.inputs.len(),
            combined.sites.len(),
            if combined.report.merged.as_ref().is_some_and(|m| m.mixed) {
                ", MIXED settings"
            } else {
                ""
            }
        );
    }
    match a.format {
        ReportFormat::Html => {
            let page = trombone_report::render_html(
                &combined,
                &HtmlOptions {
                    title: a.title.clone(),
                },
            );
            crate::sink::write_bytes(a.output.as_deref(), page.as_bytes())
        }
        ReportFormat::Csv => {
            let one = |t: ReportTable| trombone_report::render_csv(&combined, t);
            let table = a
                .table
                .as_deref()
                .map(|n| ReportTable::from_name(n).ok_or(format!("no table {n:?}")))
                .transpose()?;
            match (table, a.output.as_deref()) {
                (Some(t), out) => crate::sink::write_bytes(out, one(t).as_bytes()),
                (None, None) => {
                    let t = if combined.report.hairpin.is_some() {
                        "hairpin-pairs"
                    } else {
                        "as"
                    };
                    crate::sink::write_bytes(
                        None,
                        one(ReportTable::from_name(t).expect("a table")).as_bytes(),
                    )
                }
                (None, Some(base)) => {
                    for t in ReportTable::all() {
                        let path = t.path_next_to(base);
                        crate::sink::write_bytes(Some(&path), one(t).as_bytes())?;
                        eprintln!("trombone report: wrote {}", path.display());
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
            eprintln!("trombone report: {e}");
            ExitCode::from(2)
        }
    }
}
