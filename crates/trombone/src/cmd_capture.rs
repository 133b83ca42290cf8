//! `trombone capture`: live analysis of an interface's traffic.

use crate::options::{
    flow_limits, hairpin_config, ixp_setup, reorder_ns, rotate_ns, sizing_config, AnalysisOpts,
    Format,
};
use crate::sink::Sink;
use clap::{Args, ValueEnum};
use signal_hook::consts::{SIGINT, SIGTERM};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use trombone_live::{
    parse_index_list, AfPacketOptions, BindMode, Engine, Fanout, LiveConfig, XdpAttach, XskOptions,
};
use trombone_pipeline::{CaptureHealth, LiveOptions, Pinning};
use trombone_schema::ToolInfo;

/// Capture engines on the command line.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum EngineArg {
    /// AF_XDP: one XDP socket per NIC receive queue (zero-copy where the driver allows).
    Afxdp,
    /// AF_PACKET: TPACKET_V3 rings in a fanout group.
    Afpacket,
    /// libpcap (only in builds with the `libpcap` feature).
    Pcap,
}

/// Fanout modes on the command line.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum FanoutArg {
    /// Symmetric flow hash: both directions of a flow reach the same worker.
    Hash,
    /// The CPU that received the frame.
    Cpu,
    /// The NIC receive queue.
    Qm,
    /// Round robin (splits flows: throughput tests only).
    Lb,
}

/// Which frames to capture.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum DirectionArg {
    /// Frames the interface receives.
    In,
    /// Frames it receives and frames the host sends (afpacket, pcap).
    Inout,
}

/// XDP attach modes on the command line.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum XdpAttachArg {
    /// Native if the driver supports it, generic otherwise.
    Auto,
    /// In the driver.
    Native,
    /// In the core receive path.
    Generic,
}

/// XDP socket bind modes on the command line.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum XdpBindArg {
    /// Zero-copy if the driver supports it, copy otherwise.
    Auto,
    /// Zero-copy or fail.
    Zerocopy,
    /// Copy.
    Copy,
}

/// Arguments of `trombone capture`.
#[derive(Args, Debug)]
pub struct CaptureArgs {
    /// Interface to capture on.
    #[arg(short, long, value_name = "IF")]
    interface: String,
    /// Capture engine. Default, said on stderr: afxdp when the interface carries no IP
    /// address, no --filter is given and its driver offers AF_XDP zero-copy; afpacket otherwise
    /// (copy-mode AF_XDP is no faster, and AF_XDP takes the frames away from the host).
    #[arg(long, value_enum)]
    engine: Option<EngineArg>,
    /// Receive queues to capture, e.g. 0-3 or 0,2 (default: all). For afpacket and pcap,
    /// the number of fanout members.
    #[arg(long, value_name = "LIST")]
    queues: Option<String>,
    /// Cores to pin the workers to, in queue order (e.g. 2-5), or "none" (default: one
    /// core per worker, in order, when there are more cores than workers; else none).
    #[arg(long, value_name = "LIST")]
    cpus: Option<String>,
    /// Stop after this many seconds (default: at Ctrl-C / SIGTERM).
    #[arg(long, value_name = "SECONDS")]
    duration: Option<f64>,
    /// Also write a result every SECONDS (cumulative; --output FILE is replaced each time;
    /// not with --rotate, which writes each interval's result).
    #[arg(long, value_name = "SECONDS")]
    interval: Option<f64>,
    /// Capture filter, tcpdump syntax (afpacket, pcap). Compiled by libpcap in libpcap
    /// builds, otherwise by running /usr/bin/tcpdump (or /usr/sbin/tcpdump; never one
    /// found on PATH) `-ddd`, with an empty environment and no privilege.
    #[arg(long, value_name = "EXPR")]
    filter: Option<String>,
    /// How AF_PACKET/libpcap spread frames over the workers.
    #[arg(long, value_enum, default_value_t = FanoutArg::Hash)]
    fanout: FanoutArg,
    /// Frames to capture (afxdp always captures what the interface receives).
    #[arg(long, value_enum, default_value_t = DirectionArg::Inout)]
    direction: DirectionArg,
    /// Leave the interface's promiscuous mode alone.
    #[arg(long)]
    no_promisc: bool,
    /// Ring size per queue, MiB (afpacket, pcap).
    #[arg(long, value_name = "MIB", default_value_t = 64)]
    ring_mb: usize,
    /// Milliseconds after which a partly filled ring block is handed over (afpacket, pcap).
    #[arg(long, value_name = "MS", default_value_t = 10)]
    block_timeout_ms: u32,
    /// Where the XDP program runs.
    #[arg(long, value_enum, default_value_t = XdpAttachArg::Auto)]
    xdp_attach: XdpAttachArg,
    /// How the XDP sockets are bound.
    #[arg(long, value_enum, default_value_t = XdpBindArg::Auto)]
    xdp_bind: XdpBindArg,
    /// UMEM per XDP socket, MiB: 2 KiB chunks (4 KiB when the MTU needs them), one per
    /// frame in flight (128 MiB: 65,536 frames).
    #[arg(long, value_name = "MIB", default_value_t = 128)]
    xdp_umem_mb: usize,
    /// UMEM frames per XDP socket, a power of two (overrides --xdp-umem-mb).
    #[arg(long, value_name = "N")]
    xdp_frames: Option<u32>,
    /// Longest time, in seconds, to keep reading after the stop before the rings are closed.
    #[arg(long, value_name = "SECONDS", default_value_t = 1.0)]
    drain: f64,
    /// Analysis and output options, shared with `analyze`.
    #[command(flatten)]
    pub opts: AnalysisOpts,
}

/// Seconds from the command line as a duration.
fn seconds(flag: &str, s: f64) -> Result<Duration, String> {
    if s.is_finite() && s > 0.0 && s < 1e9 {
        Ok(Duration::from_secs_f64(s))
    } else {
        Err(format!("{flag} must be a positive number of seconds"))
    }
}

/// Builds the capture request from the engine options.
fn live_config(a: &CaptureArgs) -> Result<LiveConfig, String> {
    let mut cfg = LiveConfig::new(&a.interface);
    cfg.engine = a.engine.map(|e| match e {
        EngineArg::Afxdp => Engine::AfXdp,
        EngineArg::Afpacket => Engine::AfPacket,
        EngineArg::Pcap => Engine::Pcap,
    });
    if let Some(q) = &a.queues {
        cfg.queues = Some(parse_index_list(q).map_err(|e| format!("--queues {e}"))?);
    }
    cfg.filter = a.filter.clone();
    if a.ring_mb == 0 || a.ring_mb > 16 << 10 {
        return Err("--ring-mb must be between 1 and 16384".into());
    }
    cfg.packet = AfPacketOptions {
        fanout: match a.fanout {
            FanoutArg::Hash => Fanout::Hash,
            FanoutArg::Cpu => Fanout::Cpu,
            FanoutArg::Qm => Fanout::Qm,
            FanoutArg::Lb => Fanout::Lb,
        },
        ring_bytes: a.ring_mb << 20,
        block_timeout_ms: a.block_timeout_ms.clamp(1, 1000),
        ignore_outgoing: matches!(a.direction, DirectionArg::In),
        promisc: !a.no_promisc,
        ..AfPacketOptions::default()
    };
    cfg.xdp_attach = match a.xdp_attach {
        XdpAttachArg::Auto => XdpAttach::Auto,
        XdpAttachArg::Native => XdpAttach::Native,
        XdpAttachArg::Generic => XdpAttach::Generic,
    };
    if a.xdp_umem_mb == 0 || a.xdp_umem_mb > 16 << 10 {
        return Err("--xdp-umem-mb must be between 1 and 16384".into());
    }
    if let Some(f) = a.xdp_frames {
        if !(64..=1 << 20).contains(&f) || !f.is_power_of_two() {
            return Err("--xdp-frames must be a power of two between 64 and 1048576".into());
        }
    }
    cfg.xsk = XskOptions {
        frames: a.xdp_frames.unwrap_or(0),
        umem_bytes: a.xdp_umem_mb << 20,
        bind: match a.xdp_bind {
            XdpBindArg::Auto => BindMode::Auto,
            XdpBindArg::Zerocopy => BindMode::ZeroCopy,
            XdpBindArg::Copy => BindMode::Copy,
        },
        ..XskOptions::default()
    };
    Ok(cfg)
}

/// Everything `run` needs, checked.
fn options(a: &CaptureArgs) -> Result<LiveOptions, String> {
    let mut o = LiveOptions::new(live_config(a)?);
    o.decap = a.opts.decap;
    o.ixp = ixp_setup(&a.opts)?;
    o.pinning = match a.cpus.as_deref() {
        None => Pinning::Auto,
        Some("none") => Pinning::Off,
        Some(l) => Pinning::Cpus(
            parse_index_list(l)
                .map_err(|e| format!("--cpus {e}"))?
                .into_iter()
                .map(|c| c as usize)
                .collect(),
        ),
    };
    o.duration = a.duration.map(|s| seconds("--duration", s)).transpose()?;
    o.interval = a.interval.map(|s| seconds("--interval", s)).transpose()?;
    o.drain = seconds("--drain", a.drain)?;
    o.hairpin = hairpin_config(&a.opts)?.map(Arc::new);
    o.sizing = sizing_config(&a.opts)?;
    let rotate = rotate_ns(&a.opts, &o.sizing)?;
    if rotate.is_some() && o.interval.is_some() {
        return Err(
            "--interval and --rotate: use one (--rotate already writes a result per interval)"
                .into(),
        );
    }
    // Parquet datasets are appended to: cumulative --interval snapshots would count twice.
    if o.interval.is_some() && a.opts.format == Format::Parquet {
        return Err("--interval with --format parquet: snapshots are cumulative and a dataset is appended to (use --rotate)".into());
    }
    o.rotate = rotate.map(|ns| Duration::from_nanos(ns as u64));
    o.grace = Duration::from_nanos(reorder_ns(&a.opts)? as u64);
    o.site = a.opts.site.clone();
    o.top_talkers = 0;
    o.tool = ToolInfo::this(std::env::args().collect());
    let workers = o.capture.queues.as_ref().map_or_else(
        || std::thread::available_parallelism().map_or(1, |n| n.get()),
        Vec::len,
    );
    o.limits = flow_limits(&a.opts, workers)?;
    if o.hairpin.is_none() && a.opts.table.needs_home() && a.opts.format == Format::Csv {
        return Err(format!("--table {:?} needs --home", a.opts.table).to_lowercase());
    }
    Ok(o)
}

/// Captures until --duration or Ctrl-C/SIGTERM and writes the result.
/// Exit code 0 when nothing was lost, 1 when frames were dropped or a queue
/// failed (the result is marked partial), 2 on a usage, open or output error.
pub fn run(a: CaptureArgs) -> ExitCode {
    let opts = match options(&a) {
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
    // before anything is captured: a capture whose result cannot be written is lost work
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
    let mut opts = opts;
    match crate::options::evidence_sources(&a.opts, &db) {
        Ok(e) => opts.evidence = e,
        Err(e) => {
            eprintln!("trombone: {e}");
            return ExitCode::from(2);
        }
    }
    // The first SIGINT/SIGTERM stops the capture and drains the rings; a second one
    // cuts the drain short. Either way the result is written (marked partial when the
    // drain was cut): no signal ends the run without it.
    let stop = Arc::new(AtomicBool::new(false));
    let hurry = Arc::new(AtomicBool::new(false));
    opts.cut_short = Some(hurry.clone());
    for sig in [SIGINT, SIGTERM] {
        let (stop, hurry) = (stop.clone(), hurry.clone());
        // SAFETY: the handler only swaps and stores atomics, which is
        // async-signal-safe (no allocation, no lock). It runs in the handler
        // itself, so two quick signals are never merged into one.
        let r = unsafe {
            signal_hook::low_level::register(sig, move || {
                if stop.swap(true, Ordering::AcqRel) {
                    hurry.store(true, Ordering::Release);
                }
            })
        };
        if let Err(e) = r {
            eprintln!("trombone: cannot install the signal handler: {e}");
            return ExitCode::from(2);
        }
    }
    let cap = match trombone_pipeline::open_capture(&opts) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("trombone: {e}");
            return ExitCode::from(2);
        }
    };
    for note in &cap.notes {
        eprintln!("trombone: {note}");
    }
    // Least privilege: the sockets are open and any XDP program attached;
    // nothing after this needs a capability, and the workers (spawned next)
    // inherit this thread's empty sets.
    match trombone_live::caps::drop_all_capabilities() {
        Ok(()) => eprintln!("trombone: capture opened; all capabilities dropped"),
        Err(e) => eprintln!("trombone: warning: could not drop capabilities: {e}"),
    }
    eprintln!(
        "trombone: capturing on {} with {} ({}), {} queue(s); {}",
        cap.interface.name,
        cap.engine.name(),
        cap.mode,
        cap.queue_count(),
        match opts.duration {
            Some(d) => format!("for {:.1} s (Ctrl-C stops earlier)", d.as_secs_f64()),
            None => "Ctrl-C or SIGTERM stops".into(),
        }
    );
    {
        // Says when a stop signal has been taken in (the handler itself may
        // not print), and that a second one cuts the drain short.
        let (stop, hurry) = (stop.clone(), hurry.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::Acquire) {
                std::thread::sleep(Duration::from_millis(20));
            }
            if hurry.load(Ordering::Acquire) {
                return;
            }
            eprintln!(
                "trombone: stopping: draining the capture rings (a second Ctrl-C cuts this short)"
            );
        });
    }
    let mut write_failed = false;
    let mut last_health = None;
    let mut partial = false;
    let last = trombone_pipeline::run_capture(
        cap,
        db,
        &opts,
        &stop,
        |snap| {
            if let Err(e) = sink.write(snap) {
                eprintln!("trombone: snapshot: {e}");
            }
        },
        |piece| {
            partial |= piece.partial;
            last_health.clone_from(&piece.capture);
            match sink.write(&piece) {
                Ok(Some(p)) => {
                    let h = piece.capture.as_ref();
                    eprintln!(
                        "trombone: wrote {} ({} packets, drops {}, flows evicted {}, matcher dropped {})",
                        p.display(),
                        piece.totals.ip_packets,
                        h.map_or(0, |h| h.kernel_drops + h.xdp_drops),
                        piece.totals.evicted_flows,
                        piece.hairpin.as_ref().map_or(0, |x| x.matcher.dropped_fresh)
                    );
                }
                Ok(None) => {}
                Err(e) => {
                    eprintln!("trombone: {e}");
                    write_failed = true;
                }
            }
        },
    );
    if let Some(last) = &last {
        partial |= last.partial;
        last_health.clone_from(&last.capture);
        if let Err(e) = sink.write(last) {
            eprintln!("trombone: {e}");
            write_failed = true;
        }
    }
    if let Some(h) = &last_health {
        summarize(h);
    }
    if write_failed {
        ExitCode::from(2)
    } else if partial {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Says on stderr what was captured and lost.
fn summarize(h: &CaptureHealth) {
    let drops = h.kernel_drops + h.xdp_drops;
    eprintln!(
        "trombone: {} frames captured on {} in {:.1} s over {} queue(s); dropped: {} by the capture rings, {} by the NIC",
        h.packets,
        h.interface,
        h.elapsed_s,
        h.queues.len(),
        drops,
        h.interface_drops.map_or("unknown".into(), |d| d.to_string()),
    );
    for q in &h.queues {
        if let Some(e) = &q.error {
            eprintln!("trombone: queue {} stopped early: {e}", q.queue);
        }
    }
    if h.drain_cut_short {
        eprintln!("trombone: a second stop signal cut the drain short: frames still in the rings were not read");
    }
    if h.dropped_any {
        eprintln!("trombone: frames were lost: the result covers only what was captured and is marked partial");
    }
}
