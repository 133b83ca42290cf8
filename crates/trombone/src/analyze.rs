//! `trombone analyze`: offline analysis of capture files.

use crate::options::{flow_limits, hairpin_config, sizing_config, AnalysisOpts, CsvWhich, Format};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use trombone_asdb::AsDb;
use trombone_output::CsvTable;
use trombone_pipeline::Options;

/// Arguments of `trombone analyze`.
#[derive(Args, Debug)]
pub struct AnalyzeArgs {
    /// Capture files (pcap or pcapng, optionally gzip-compressed); "-" reads standard input.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Flow-table worker threads (results are identical for any value).
    #[arg(long, default_value_t = default_workers())]
    workers: usize,
    /// Never show a progress bar (it is shown only when stderr is a terminal).
    #[arg(long)]
    no_progress: bool,
    /// List the N source addresses sending most bytes. The only output with
    /// addresses in it: combine with --anonymize to publish it.
    #[arg(long, value_name = "N", default_value_t = 0)]
    top_talkers: usize,
    /// Anonymise every address written (Crypto-PAn, prefix-preserving, IPv4 and
    /// IPv6) with the 32-byte key in KEYFILE (raw or 64 hex digits); the same key
    /// gives the same mapping across runs and sites.
    #[arg(long, value_name = "KEYFILE")]
    anonymize: Option<PathBuf>,
    /// Analysis and output options, shared with `capture`.
    #[command(flatten)]
    pub opts: AnalysisOpts,
}

/// One worker per available core, at least one.
fn default_workers() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Runs the analysis and writes the output. Exit code 0 when every input was
/// read to its end, 1 when the result is partial, 2 on a usage or output error.
pub fn run(a: AnalyzeArgs) -> ExitCode {
    let db = if a.opts.asn_db.is_empty() {
        AsDb::embedded()
    } else {
        match AsDb::load(&a.opts.asn_db) {
            Ok(db) => db,
            Err(e) => {
                eprintln!("trombone: {e}");
                return ExitCode::from(2);
            }
        }
    };
    let hairpin = match hairpin_config(&a.opts) {
        Ok(h) => h.map(Arc::new),
        Err(e) => {
            eprintln!("trombone: {e}");
            return ExitCode::from(2);
        }
    };
    if hairpin.is_none() && matches!(a.opts.csv_table, CsvWhich::Hairpin) {
        eprintln!("trombone: --csv-table hairpin needs --home");
        return ExitCode::from(2);
    }
    let sizing = match sizing_config(&a.opts) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("trombone: {e}");
            return ExitCode::from(2);
        }
    };
    let workers = a.workers.max(1);
    let limits = match flow_limits(&a.opts, workers) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("trombone: {e}");
            return ExitCode::from(2);
        }
    };
    let anonymizer = match &a.anonymize {
        Some(p) => match trombone_anon::Anonymizer::from_key_file(p) {
            Ok(x) => Some(x),
            Err(e) => {
                eprintln!("trombone: --anonymize: {e}");
                return ExitCode::from(2);
            }
        },
        None => None,
    };
    let opts = Options {
        workers,
        top_talkers: a.top_talkers,
        hairpin,
        sizing,
        limits,
        ..Options::default()
    };
    let bar = (!a.no_progress && io::stderr().is_terminal()).then(|| {
        let sizes: Vec<u64> = a
            .files
            .iter()
            .map(|p| std::fs::metadata(p).map_or(0, |m| m.len()))
            .collect();
        let pb = ProgressBar::new(sizes.iter().sum());
        pb.set_style(
            ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        (pb, sizes)
    });
    let report = trombone_pipeline::analyze(&a.files, Arc::new(db), &opts, |p| {
        if let Some((pb, sizes)) = &bar {
            let before: u64 = sizes[..p.input].iter().sum();
            pb.set_position(before + p.offset);
            pb.set_message(format!("{} frames", p.frames));
        }
    });
    if let Some((pb, _)) = bar {
        pb.finish_and_clear();
    }
    let mut report = report;
    if let (Some(anon), Some(t)) = (&anonymizer, &mut report.top_talkers) {
        for r in &mut t.rows {
            if let Ok(ip) = r.address.parse::<std::net::IpAddr>() {
                r.address = anon.anonymize(ip).to_string();
            }
        }
        t.anonymized = true;
    }
    for i in &report.inputs {
        if let Some(e) = &i.error {
            eprintln!(
                "trombone: {e} — stopped reading there; the {} frames before it are counted, the result is marked partial",
                i.frames
            );
        }
    }
    let written = match &a.opts.output {
        Some(path) => File::create(path)
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))
            .and_then(|f| write(&a, &report, BufWriter::new(f))),
        None => write(&a, &report, io::stdout().lock()),
    };
    if let Err(e) = written {
        if e.kind() != io::ErrorKind::BrokenPipe {
            eprintln!("trombone: cannot write output: {e}");
            return ExitCode::from(2);
        }
    }
    if report.partial {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Renders the report in the chosen format.
fn write(a: &AnalyzeArgs, report: &trombone_reduce::Report, mut out: impl Write) -> io::Result<()> {
    match a.opts.format {
        Format::Table => trombone_output::write_table(report, a.opts.top, &mut out)?,
        Format::Json => trombone_output::write_json(report, &mut out)?,
        Format::Csv => {
            let t = match a.opts.csv_table {
                CsvWhich::As => CsvTable::As,
                CsvWhich::Country => CsvTable::Country,
                CsvWhich::Hairpin => CsvTable::Hairpin,
            };
            trombone_output::write_csv(report, t, &mut out)?
        }
    }
    out.flush()
}
