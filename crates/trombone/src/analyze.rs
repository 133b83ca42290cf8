//! `trombone analyze`: offline analysis of capture files.

use crate::options::{
    flow_limits, hairpin_config, reorder_ns, rotate_ns, sizing_config, AnalysisOpts,
};
use crate::sink::Sink;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::{self, IsTerminal};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use trombone_asdb::AsDb;
use trombone_pipeline::Options;
use trombone_schema::{Report, ToolInfo};

/// Arguments of `trombone analyze`.
#[derive(Args, Debug)]
pub struct AnalyzeArgs {
    /// Capture files (pcap or pcapng, optionally gzip-compressed); "-" reads standard input.
    #[arg(required = true, help_heading = "Input")]
    files: Vec<PathBuf>,
    /// Flow-table worker threads, at least 1 (results are identical for any value while the
    /// hairpin matcher stays below its per-worker caps; an overflow is counted and warned).
    #[arg(long, default_value_t = default_workers(), help_heading = "Performance")]
    workers: usize,
    /// Never show a progress bar (it is shown only when stderr is a terminal).
    #[arg(long, help_heading = "Output")]
    no_progress: bool,
    /// List the N source addresses sending most bytes. The only output with
    /// addresses in it: combine with --anonymize to publish it.
    #[arg(long, value_name = "N", default_value_t = 0, help_heading = "Output")]
    top_talkers: usize,
    /// Anonymise every address written (Crypto-PAn, prefix-preserving, IPv4 and
    /// IPv6) with the 32-byte key in KEYFILE (raw or 64 hex digits); the same key
    /// gives the same mapping across runs and sites.
    #[arg(long, value_name = "KEYFILE", help_heading = "Output")]
    anonymize: Option<PathBuf>,
    /// Decode flow-export datagrams found in the captures instead of counting them as
    /// traffic: a comma list of sflow, netflow (v5 and v9), ipfix. The traffic they
    /// describe goes into the matrices (renormalised by the sampling rate); their health
    /// is in the `collector` section.
    #[arg(
        long,
        value_name = "LIST",
        value_delimiter = ',',
        help_heading = "Input"
    )]
    decode: Vec<crate::cmd_collect::KindArg>,
    /// The UDP destination port of a --decode kind (repeatable; defaults sflow=6343,
    /// netflow=2055, ipfix=4739). Datagrams to any of these ports are decoded whatever
    /// protocol they turn out to carry.
    #[arg(long, value_name = "KIND=PORT", value_parser = crate::cmd_collect::parse_decode_port, help_heading = "Input")]
    decode_port: Vec<(crate::cmd_collect::KindArg, u16)>,
    /// Analysis and output options, shared with `capture`.
    #[command(flatten)]
    pub opts: AnalysisOpts,
}

/// One worker per available core, at least one.
fn default_workers() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Loads the database the options name, or the embedded default.
pub fn load_db(a: &AnalysisOpts) -> Result<AsDb, String> {
    if a.asn_db.is_empty() {
        Ok(AsDb::embedded())
    } else {
        AsDb::load(&a.asn_db).map_err(|e| e.to_string())
    }
}

/// An input that cannot be read at all is a usage error, not a partial result.
fn check_input(p: &Path) -> Result<(), String> {
    if p == Path::new("-") {
        return Ok(());
    }
    match std::fs::metadata(p) {
        Err(e) => Err(format!("{}: {e}", p.display())),
        Ok(m) if m.is_dir() => Err(format!(
            "{}: is a directory, not a capture file",
            p.display()
        )),
        Ok(_) => std::fs::File::open(p)
            .map(|_| ())
            .map_err(|e| format!("{}: {e}", p.display())),
    }
}

/// Everything `run` needs, checked before any work.
struct Plan {
    db: Arc<AsDb>,
    opts: Options,
    sink: Sink,
    anonymizer: Option<trombone_anon::Anonymizer>,
}

/// Checks the arguments, the inputs and the output: every problem is a usage error (2).
fn plan(a: &AnalyzeArgs) -> Result<Plan, String> {
    if a.workers == 0 {
        return Err("--workers must be at least 1".into());
    }
    for f in &a.files {
        check_input(f)?;
    }
    let hairpin = hairpin_config(&a.opts)?.map(Arc::new);
    if hairpin.is_none()
        && a.opts.table.needs_home()
        && a.opts.format == crate::options::Format::Csv
    {
        return Err(format!("--table {:?} needs --home", a.opts.table).to_lowercase());
    }
    let sizing = sizing_config(&a.opts)?;
    let rotate = rotate_ns(&a.opts, &sizing)?;
    let limits = flow_limits(&a.opts, a.workers)?;
    let anonymizer = match &a.anonymize {
        Some(p) => Some(
            trombone_anon::Anonymizer::from_key_file(p).map_err(|e| format!("--anonymize: {e}"))?,
        ),
        None => None,
    };
    let sink = Sink {
        format: a.opts.format,
        table: a.opts.table,
        output: a.opts.output.clone(),
        top: a.opts.top,
        rotating: rotate.is_some(),
    };
    sink.preflight()?;
    let db = Arc::new(load_db(&a.opts)?);
    let evidence = crate::options::evidence_sources(&a.opts, &db)?;
    let opts = Options {
        workers: a.workers,
        top_talkers: a.top_talkers,
        hairpin,
        sizing,
        limits,
        rotate_ns: rotate,
        site: a.opts.site.clone(),
        tool: ToolInfo::this(std::env::args().collect()),
        reorder_ns: reorder_ns(&a.opts)?,
        evidence,
        decap: a.opts.decap,
        decode_ports: crate::cmd_collect::decode_ports(&a.decode, &a.decode_port)?,
        ixp: crate::options::ixp_setup(&a.opts)?,
        ..Options::default()
    };
    Ok(Plan {
        db,
        opts,
        sink,
        anonymizer,
    })
}

/// Runs the analysis and writes the output. Exit code 0 when every input was
/// read to its end, 1 when the result is partial, 2 on a usage or output error.
pub fn run(a: AnalyzeArgs) -> ExitCode {
    let p = match plan(&a) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("trombone: {e}");
            return ExitCode::from(2);
        }
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
    let mut partial = false;
    let mut failed = false;
    let mut single: Option<Report> = None;
    let rotating = p.sink.rotating;
    let mut deliver = |mut r: Report| {
        if let (Some(anon), Some(t)) = (&p.anonymizer, &mut r.top_talkers) {
            for row in &mut t.rows {
                if let Ok(ip) = row.address.parse::<std::net::IpAddr>() {
                    row.address = anon.anonymize(ip).to_string();
                }
            }
            t.anonymized = true;
        }
        partial |= r.partial;
        if rotating {
            match p.sink.write(&r) {
                Ok(Some(path)) => eprintln!(
                    "trombone: wrote {} ({} packets, {} frames{})",
                    path.display(),
                    r.totals.ip_packets,
                    r.totals.frames,
                    if r.partial { ", partial" } else { "" }
                ),
                Ok(None) => {}
                Err(e) => {
                    eprintln!("trombone: {e}");
                    failed = true;
                }
            }
        } else {
            single = Some(r);
        }
    };
    trombone_pipeline::analyze(
        &a.files,
        p.db.clone(),
        &p.opts,
        |pr| {
            if let Some((pb, sizes)) = &bar {
                let before: u64 = sizes[..pr.input].iter().sum();
                pb.set_position(before + pr.offset);
                pb.set_message(format!("{} frames", pr.frames));
            }
        },
        &mut deliver,
    );
    if let Some((pb, _)) = bar {
        pb.finish_and_clear();
    }
    if let Some(r) = &single {
        for i in &r.inputs {
            if let Some(e) = &i.error {
                eprintln!(
                    "trombone: {e} — stopped reading there; the {} frames before it are counted, the result is marked partial",
                    i.frames
                );
            }
        }
        for w in &r.warnings {
            eprintln!("trombone: note: {}", w.message);
        }
        if let Err(e) = p.sink.write(r) {
            eprintln!("trombone: {e}");
            failed = true;
        }
    }
    if failed {
        ExitCode::from(2)
    } else if partial {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
