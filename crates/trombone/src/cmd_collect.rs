//! `trombone collect`: a live sFlow/NetFlow/IPFIX collector, and the export kinds shared
//! with `analyze --decode`.

use clap::ValueEnum;

/// Flow-export protocols on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, ValueEnum)]
pub enum KindArg {
    /// sFlow v5 (UDP 6343).
    Sflow,
    /// NetFlow v5 and v9 (UDP 2055).
    Netflow,
    /// IPFIX (UDP 4739).
    Ipfix,
}

impl KindArg {
    /// The customary UDP port.
    pub fn default_port(self) -> u16 {
        match self {
            KindArg::Sflow => 6343,
            KindArg::Netflow => 2055,
            KindArg::Ipfix => 4739,
        }
    }
}

/// Parses `KIND=PORT` (`--decode-port`).
pub fn parse_decode_port(s: &str) -> Result<(KindArg, u16), String> {
    let (k, p) = s
        .split_once('=')
        .ok_or_else(|| format!("{s:?}: expected KIND=PORT, e.g. netflow=9995"))?;
    let kind = KindArg::from_str(k.trim(), true)
        .map_err(|_| format!("{k:?}: expected sflow, netflow or ipfix"))?;
    let port: u16 = p
        .trim()
        .parse()
        .ok()
        .filter(|&p| p > 0)
        .ok_or_else(|| format!("{p:?}: not a UDP port (1-65535)"))?;
    Ok((kind, port))
}

/// The UDP ports `analyze --decode` takes datagrams from: each kind's port (its
/// `--decode-port`, else the default).
pub fn decode_ports(kinds: &[KindArg], ports: &[(KindArg, u16)]) -> Result<Vec<u16>, String> {
    if let Some((k, _)) = ports.iter().find(|(k, _)| !kinds.contains(k)) {
        return Err(format!(
            "--decode-port {}=...: {} is not in --decode",
            k.to_possible_value()
                .map_or("?".into(), |v| v.get_name().to_string()),
            k.to_possible_value()
                .map_or("?".into(), |v| v.get_name().to_string())
        ));
    }
    let mut out: Vec<u16> = kinds
        .iter()
        .flat_map(|k| {
            let given: Vec<u16> = ports
                .iter()
                .filter(|(x, _)| x == k)
                .map(|(_, p)| *p)
                .collect();
            if given.is_empty() {
                vec![k.default_port()]
            } else {
                given
            }
        })
        .collect();
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

#[cfg(target_os = "linux")]
pub use live::{run, CollectArgs};

#[cfg(target_os = "linux")]
mod live {
    use super::KindArg;
    use crate::options::{
        flow_limits, hairpin_config, ixp_setup, reorder_ns, rotate_ns, sizing_config, AnalysisOpts,
        Format,
    };
    use crate::sink::Sink;
    use clap::Args;
    use signal_hook::consts::{SIGINT, SIGTERM};
    use std::net::SocketAddr;
    use std::process::ExitCode;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    use std::time::Duration;
    use trombone_pipeline::{CollectOptions, ExportKind};
    use trombone_schema::{Report, ToolInfo};

    /// Arguments of `trombone collect`.
    #[derive(Args, Debug)]
    pub struct CollectArgs {
        /// Listen for sFlow v5 on ADDR:PORT (repeatable; a bare PORT listens on 0.0.0.0,
        /// "[::]:PORT" on IPv6).
        #[arg(long, value_name = "ADDR:PORT", value_parser = parse_listen, help_heading = "Listen")]
        sflow: Vec<SocketAddr>,
        /// Listen for NetFlow v5/v9 on ADDR:PORT (repeatable).
        #[arg(long, value_name = "ADDR:PORT", value_parser = parse_listen, help_heading = "Listen")]
        netflow: Vec<SocketAddr>,
        /// Listen for IPFIX (UDP) on ADDR:PORT (repeatable).
        #[arg(long, value_name = "ADDR:PORT", value_parser = parse_listen, help_heading = "Listen")]
        ipfix: Vec<SocketAddr>,
        /// Worker threads: each listener gets one SO_REUSEPORT socket per worker, and the
        /// kernel keeps each exporter on one of them.
        #[arg(long, default_value_t = default_workers(), help_heading = "Performance")]
        workers: usize,
        /// Stop after this many seconds (default: at Ctrl-C / SIGTERM).
        #[arg(long, value_name = "SECONDS", help_heading = "Listen")]
        duration: Option<f64>,
        /// Also write a result every SECONDS (cumulative; not with --rotate).
        #[arg(long, value_name = "SECONDS", help_heading = "Output")]
        interval: Option<f64>,
        /// Analysis and output options, shared with `analyze` and `capture`.
        #[command(flatten)]
        pub opts: AnalysisOpts,
    }

    fn default_workers() -> usize {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    }

    /// `ADDR:PORT`, `[V6]:PORT` or a bare `PORT` (0.0.0.0).
    fn parse_listen(s: &str) -> Result<SocketAddr, String> {
        if let Ok(p) = s.trim().trim_start_matches(':').parse::<u16>() {
            return Ok(SocketAddr::from(([0, 0, 0, 0], p)));
        }
        s.trim()
            .parse()
            .map_err(|_| format!("{s:?}: expected ADDR:PORT, [IPV6]:PORT or PORT"))
    }

    fn seconds(flag: &str, s: f64) -> Result<Duration, String> {
        if s.is_finite() && s > 0.0 && s < 1e9 {
            Ok(Duration::from_secs_f64(s))
        } else {
            Err(format!("{flag} must be a positive number of seconds"))
        }
    }

    fn options(a: &CollectArgs) -> Result<CollectOptions, String> {
        let mut listen = Vec::new();
        for (k, list) in [
            (KindArg::Sflow, &a.sflow),
            (KindArg::Netflow, &a.netflow),
            (KindArg::Ipfix, &a.ipfix),
        ] {
            let kind = match k {
                KindArg::Sflow => ExportKind::Sflow,
                KindArg::Netflow => ExportKind::Netflow,
                KindArg::Ipfix => ExportKind::Ipfix,
            };
            listen.extend(list.iter().map(|&addr| (kind, addr)));
        }
        if listen.is_empty() {
            return Err(
                "nothing to listen on: give --sflow, --netflow and/or --ipfix ADDR:PORT".into(),
            );
        }
        if a.workers == 0 {
            return Err("--workers must be at least 1".into());
        }
        let mut o = CollectOptions::new(listen);
        o.workers = a.workers;
        o.duration = a.duration.map(|s| seconds("--duration", s)).transpose()?;
        o.interval = a.interval.map(|s| seconds("--interval", s)).transpose()?;
        o.hairpin = hairpin_config(&a.opts)?.map(Arc::new);
        o.sizing = sizing_config(&a.opts)?;
        let rotate = rotate_ns(&a.opts, &o.sizing)?;
        if rotate.is_some() && o.interval.is_some() {
            return Err("--interval and --rotate: use one".into());
        }
        if o.interval.is_some() && a.opts.format == Format::Parquet {
            return Err("--interval with --format parquet: snapshots are cumulative and a dataset is appended to (use --rotate)".into());
        }
        o.rotate = rotate.map(|ns| Duration::from_nanos(ns as u64));
        o.grace = Duration::from_nanos(reorder_ns(&a.opts)? as u64);
        o.site = a.opts.site.clone();
        o.tool = ToolInfo::this(std::env::args().collect());
        o.limits = flow_limits(&a.opts, a.workers)?;
        o.decap = a.opts.decap;
        o.ixp = ixp_setup(&a.opts)?;
        if o.hairpin.is_none() && a.opts.table.needs_home() && a.opts.format == Format::Csv {
            return Err(format!("--table {:?} needs --home", a.opts.table).to_lowercase());
        }
        Ok(o)
    }

    /// Says on stderr what a result's collector section holds.
    fn summarize(r: &Report) {
        if let Some(c) = &r.collector {
            eprintln!(
                "trombone: {} datagrams ({} bad), {} flow samples, {} flow records, {} counter records; lost by sequence: {} datagrams, {} records; socket drops: {}",
                c.datagrams,
                c.bad_datagrams,
                c.packet_samples,
                c.flow_records,
                c.counter_records,
                c.lost_datagrams,
                c.lost_records,
                c.socket_drops.unwrap_or(0)
            );
        }
    }

    /// Collects until --duration or Ctrl-C/SIGTERM and writes the result. Exit code 0
    /// when no datagram was lost at the sockets, 1 when some were (the result is marked
    /// partial), 2 on a usage, bind or output error.
    pub fn run(a: CollectArgs) -> ExitCode {
        let mut opts = match options(&a) {
            Ok(o) => o,
            Err(e) => {
                eprintln!("trombone: {e}");
                return ExitCode::from(2);
            }
        };
        let sink = Sink {
            format: a.opts.format,
            table: a.opts.table,
            output: a.opts.output.clone(),
            top: a.opts.top,
            rotating: opts.rotate.is_some(),
        };
        if let Err(e) = sink.preflight() {
            eprintln!("trombone: {e}");
            return ExitCode::from(2);
        }
        let db = match crate::analyze::load_db(&a.opts) {
            Ok(db) => Arc::new(db),
            Err(e) => {
                eprintln!("trombone: {e}");
                return ExitCode::from(2);
            }
        };
        match crate::options::evidence_sources(&a.opts, &db) {
            Ok(e) => opts.evidence = e,
            Err(e) => {
                eprintln!("trombone: {e}");
                return ExitCode::from(2);
            }
        }
        let stop = Arc::new(AtomicBool::new(false));
        for sig in [SIGINT, SIGTERM] {
            if let Err(e) = signal_hook::flag::register(sig, stop.clone()) {
                eprintln!("trombone: cannot install the signal handler: {e}");
                return ExitCode::from(2);
            }
        }
        let listeners = match trombone_pipeline::open_collector(&opts) {
            Ok(l) => l,
            Err(e) => {
                eprintln!("trombone: cannot listen: {e}");
                return ExitCode::from(2);
            }
        };
        eprintln!(
            "trombone: collecting on {}; {}",
            listeners
                .iter()
                .map(|l| l.describe())
                .collect::<Vec<_>>()
                .join(", "),
            match opts.duration {
                Some(d) => format!("for {:.1} s (Ctrl-C stops earlier)", d.as_secs_f64()),
                None => "Ctrl-C or SIGTERM stops".into(),
            }
        );
        let mut write_failed = false;
        let last = trombone_pipeline::run_collect(
            listeners,
            db,
            &opts,
            &stop,
            |snap| {
                if let Err(e) = sink.write(snap) {
                    eprintln!("trombone: snapshot: {e}");
                }
            },
            |piece| match sink.write(&piece) {
                Ok(Some(p)) => {
                    eprintln!("trombone: wrote {}", p.display());
                    summarize(&piece);
                }
                Ok(None) => {}
                Err(e) => {
                    eprintln!("trombone: {e}");
                    write_failed = true;
                }
            },
        );
        stop.store(true, Ordering::Release);
        summarize(&last);
        if let Err(e) = sink.write(&last) {
            eprintln!("trombone: {e}");
            write_failed = true;
        }
        if write_failed {
            ExitCode::from(2)
        } else if last.partial {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        }
    }
}
