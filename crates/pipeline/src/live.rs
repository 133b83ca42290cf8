//! Live analysis: one worker per capture queue, each pinned to a core,
//! parsing frames in place in its queue's ring or UMEM into its own flow
//! table; the calling thread is the reducer.
//!
//! ```text
//!  queue 0 ─▶ worker 0 (core a): poll → parse in place → flow table ─┐
//!  queue 1 ─▶ worker 1 (core b): poll → parse in place → flow table ─┼─▶ [WorkerOutput] ─▶ reducer (caller)
//!  ...                                                                ┘
//! ```
//!
//! Each poll's frames are parsed into a reused batch of [`PacketMeta`] and
//! added with [`Worker::observe_batch`], the offline workers' path, which
//! prefetches flow slots and replica buckets ahead.
//!
//! There is no dispatcher thread: the NIC's RSS (AF_XDP, one socket per
//! receive queue) or the kernel's fanout hash (AF_PACKET, libpcap) decides
//! which worker sees a frame. The fanout hash is symmetric, so both
//! directions of a flow reach the same worker.
//!
//! Snapshots (`interval`): the reducer bumps an epoch; each worker, between
//! two polls, sends a cumulative copy of its figures ([`Worker::snapshot`]),
//! and the reducer merges them into a report without stopping anything.
//!
//! Stopping (the caller's flag — SIGINT/SIGTERM — or `duration`): each
//! worker reads until its queue goes quiet (bounded by `drain`), fences the
//! queue off ([`QueueReader::stop_intake`]), reads what is left in the ring
//! (a partly filled TPACKET_V3 block is handed over at the block timeout),
//! and only then hands its whole flow table to the reducer. The XDP program
//! is detached when the capture is dropped, after every worker is done.
//!
//! Every report carries [`CaptureHealth`]: frames and drops per queue, the
//! interface's own drop counters, and whether anything was lost — in which
//! case the report is marked partial.

use crossbeam_channel::{bounded, Receiver, RecvTimeoutError, Sender};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use trombone_asdb::AsDb;
use trombone_capture::Frame;
use trombone_flow::{FlowLimits, Worker, WorkerOutput};
use trombone_hairpin::HairpinConfig;
use trombone_live::{iface, Engine, LiveCapture, LiveConfig, LiveError, QueueReader, QueueStats};
use trombone_packet::{PacketMeta, Skip};
use trombone_reduce::{InputSummary, Reducer, Report, SizingConfig, Totals};

/// Which cores the workers run on.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Pinning {
    /// Worker `i` on the `i`-th core the process may use, when there are
    /// more such cores than workers; otherwise not pinned (the scheduler
    /// then moves a worker off a core that the kernel's receive path, the
    /// sender or anything else keeps busy, where a pinned worker would wait
    /// while its ring fills: measured by scripts/bench-live on 2 cores).
    #[default]
    Auto,
    /// Worker `i` on core `list[i % len]`.
    Cpus(Vec<usize>),
    /// Not pinned.
    Off,
}

/// How to run a live analysis.
#[derive(Clone, Debug)]
pub struct LiveOptions {
    /// What to capture and how.
    pub capture: LiveConfig,
    /// Worker pinning.
    pub pinning: Pinning,
    /// Expected flows per worker, to pre-size tables.
    pub flows_hint: usize,
    /// Hairpin detection settings; `None` turns it off.
    pub hairpin: Option<Arc<HairpinConfig>>,
    /// Rate bins, samples and port sizing.
    pub sizing: SizingConfig,
    /// Bounds of each worker's flow table (cap, idle and active timeouts).
    pub limits: FlowLimits,
    /// Stop after this long (else only when the stop flag is raised).
    pub duration: Option<Duration>,
    /// Produce a snapshot report this often.
    pub interval: Option<Duration>,
    /// Longest a worker keeps reading after the stop before fencing its queue off.
    pub drain: Duration,
    /// Raised (e.g. by a second Ctrl-C) to cut the final drain short: each
    /// worker fences its queue off and hands over at once what it has; the
    /// result is then marked partial. `None`: the drain always runs its course.
    pub cut_short: Option<Arc<AtomicBool>>,
}

impl LiveOptions {
    /// Defaults for a capture: automatic pinning, no duration or interval, 1 s drain.
    pub fn new(capture: LiveConfig) -> LiveOptions {
        LiveOptions {
            capture,
            pinning: Pinning::Auto,
            flows_hint: 1 << 16,
            hairpin: None,
            sizing: SizingConfig::default(),
            limits: FlowLimits::default(),
            duration: None,
            interval: None,
            drain: Duration::from_secs(1),
            cut_short: None,
        }
    }
}

/// Health of one capture queue.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct QueueHealth {
    /// NIC receive queue (afxdp) or fanout member index (afpacket, pcap).
    pub queue: u32,
    /// Core the worker was pinned to (null: not pinned).
    pub cpu: Option<usize>,
    /// Frames captured.
    pub packets: u64,
    /// Their wire bytes.
    pub bytes: u64,
    /// Frames the kernel dropped because this queue's ring was full (afpacket, pcap).
    pub kernel_drops: u64,
    /// Frames the XDP socket dropped: no free UMEM chunk or RX ring full (afxdp).
    pub xdp_drops: u64,
    /// Frames stamped with the time their batch was read instead of their own
    /// arrival time (afxdp when the XDP program could not stamp them).
    pub batch_stamped: u64,
    /// Why this queue stopped being read early (null: it was read to the end).
    pub error: Option<String>,
}

/// How a live capture went: what was captured and what was lost.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct CaptureHealth {
    /// "afxdp", "afpacket" or "pcap".
    pub engine: String,
    /// Interface name.
    pub interface: String,
    /// "xdp-native-zerocopy", "xdp-native-copy", "xdp-generic-copy", "tpacket_v3" or "libpcap".
    pub mode: String,
    /// Fanout mode (afpacket, pcap with several queues).
    pub fanout: Option<String>,
    /// Capture filter expression, if any.
    pub filter: Option<String>,
    /// Where the frames' timestamps come from, and on which clock.
    pub clock: String,
    /// False for a periodic snapshot, true for the result written at the end.
    #[serde(rename = "final")]
    pub is_final: bool,
    /// When capture started, ns since the Unix epoch.
    pub started_ns: i64,
    /// Seconds since then.
    pub elapsed_s: f64,
    /// CPU time (user + system) the capturing process has used so far, seconds.
    pub cpu_s: f64,
    /// Per queue.
    pub queues: Vec<QueueHealth>,
    /// Frames captured, all queues.
    pub packets: u64,
    /// Kernel ring drops, all queues.
    pub kernel_drops: u64,
    /// XDP socket drops, all queues.
    pub xdp_drops: u64,
    /// Frames without a timestamp of their own, all queues (see [`QueueHealth::batch_stamped`]).
    pub batch_stamped: u64,
    /// Frames the NIC lost meanwhile before any capture saw them (rx_missed + rx_fifo +
    /// rx_over errors of the interface; with afxdp also rx_dropped, see
    /// `host_discards`). Null if unreadable.
    pub interface_drops: Option<u64>,
    /// The interface's rx_dropped meanwhile. With afpacket and pcap: frames the host
    /// stack received and then discarded (unhandled protocol, no VLAN device...), not
    /// capture loss, the capture saw them first. With afxdp the frames never reach the
    /// host stack, and rx_dropped counts frames the driver dropped before the XDP
    /// socket (e.g. veth's 256-frame XDP ring overflowing, a failed redirect): capture
    /// loss, so it is in `interface_drops` too. Null if unreadable.
    pub host_discards: Option<u64>,
    /// True when a second stop signal cut the final drain short: frames still
    /// in the rings then were not read, and the result is marked partial.
    pub drain_cut_short: bool,
    /// True when any of the drop counters above is non-zero, a queue failed or
    /// the drain was cut short: the matrices then do not cover all the traffic.
    pub dropped_any: bool,
    /// Why the engine or mode is not the first choice.
    pub notes: Vec<String>,
}

/// A report together with the health of the capture behind it.
#[derive(Clone, Debug)]
pub struct LiveReport {
    /// The matrices (marked partial when anything was dropped).
    pub report: Report,
    /// Capture health.
    pub health: CaptureHealth,
}

/// Opens the capture `opts` describes (the privileged step; run it before dropping privileges).
pub fn open_capture(opts: &LiveOptions) -> Result<LiveCapture, LiveError> {
    LiveCapture::open(&opts.capture)
}

/// How long a worker waits in one poll before looking at the stop flag and the epoch.
const POLL_MS: i32 = 50;
/// A queue is quiet once a poll this long returns nothing.
const QUIET_MS: i32 = 20;

/// What the workers and the reducer share.
struct Control {
    stop: AtomicBool,
    epoch: AtomicU64,
}

/// One worker's figures, for a snapshot or at the end.
struct Part {
    worker: usize,
    out: WorkerOutput,
    counts: Totals,
    stats: QueueStats,
    linktype: Option<u32>,
    error: Option<String>,
    /// The final drain was cut short.
    cut_short: bool,
}

/// Messages from workers to the reducer.
enum Msg {
    Snapshot(u64, Part),
    Final(Part),
}

/// Runs the capture until `stop` is raised or `opts.duration` has passed,
/// calling `on_snapshot` every `opts.interval`; returns the final report.
pub fn run_capture(
    mut cap: LiveCapture,
    db: Arc<AsDb>,
    opts: &LiveOptions,
    stop: &AtomicBool,
    mut on_snapshot: impl FnMut(&LiveReport),
) -> LiveReport {
    let queues = cap.take_queues();
    let n = queues.len();
    let cpus = assign_cpus(&opts.pinning, n);
    let mut notes = cap.notes.clone();
    if opts.pinning == Pinning::Auto && n > 0 && cpus.iter().all(Option::is_none) {
        notes.push(format!(
            "{n} worker(s) and no more cores than that: workers not pinned (--cpus pins them)"
        ));
    }
    let meta = Meta {
        engine: cap.engine,
        interface: cap.interface.name.clone(),
        mode: cap.mode.clone(),
        fanout: (cap.engine != Engine::AfXdp && n > 1)
            .then(|| opts.capture.packet.fanout.name().to_string()),
        filter: opts.capture.filter.clone(),
        clock: cap.clock.clone(),
        notes,
        queue_ids: queues.iter().map(|q| q.queue()).collect(),
        cpus: cpus.clone(),
        if_start: iface::counters(cap.interface.index),
        if_index: cap.interface.index,
        started_ns: SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as i64),
        t0: Instant::now(),
    };
    let ctl = Arc::new(Control {
        stop: AtomicBool::new(false),
        epoch: AtomicU64::new(0),
    });
    let (tx, rx) = bounded::<Msg>(2 * n + 2);
    let tail_ms = opts.capture.packet.block_timeout_ms as i32 * 2 + 20;
    let mut handles = Vec::with_capacity(n);
    for (i, q) in queues.into_iter().enumerate() {
        let ctx = WorkerCtx {
            index: i,
            cpu: cpus[i],
            worker: Worker::new(
                db.clone(),
                opts.flows_hint.min(opts.limits.max_flows),
                opts.sizing.bin_ns,
                opts.hairpin.clone(),
            )
            .with_limits(opts.limits),
            ctl: ctl.clone(),
            tx: tx.clone(),
            drain: opts.drain,
            cut_short: opts.cut_short.clone(),
            tail_ms,
        };
        let name = format!("capture-q{}", q.queue());
        let h = thread::Builder::new()
            .name(name)
            .spawn(move || ctx.run(q))
            .expect("spawn capture worker thread");
        handles.push(h);
    }
    drop(tx);

    let deadline = opts.duration.map(|d| meta.t0 + d);
    let mut next_snap = opts.interval.map(|i| meta.t0 + i);
    let mut finals: Vec<Option<Part>> = (0..n).map(|_| None).collect();
    loop {
        let now = Instant::now();
        if stop.load(Ordering::Relaxed) || deadline.is_some_and(|d| now >= d) {
            break;
        }
        if let Some(at) = next_snap {
            if now >= at {
                let epoch = ctl.epoch.fetch_add(1, Ordering::AcqRel) + 1;
                let parts = gather_snapshot(&rx, epoch, n);
                on_snapshot(&reduce(&meta, &db, opts, parts, false));
                let every = opts.interval.unwrap_or(Duration::from_secs(1));
                let mut next = at + every;
                while next <= Instant::now() {
                    next += every;
                }
                next_snap = Some(next);
                continue;
            }
        }
        let mut wake = now + Duration::from_millis(50);
        for t in [deadline, next_snap].into_iter().flatten() {
            wake = wake.min(t);
        }
        // Workers send nothing between snapshots until they are stopped;
        // a disconnect means every worker thread died.
        match rx.recv_timeout(wake.saturating_duration_since(now)) {
            Ok(_) | Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => break,
        }
    }
    ctl.stop.store(true, Ordering::Release);
    while finals.iter().any(Option::is_none) {
        match rx.recv() {
            Ok(Msg::Final(p)) => {
                let w = p.worker;
                finals[w] = Some(p);
            }
            Ok(Msg::Snapshot(..)) => {}
            Err(_) => break,
        }
    }
    for (i, h) in handles.into_iter().enumerate() {
        if h.join().is_err() && finals[i].is_none() {
            finals[i] = Some(Part {
                worker: i,
                out: WorkerOutput::default(),
                counts: Totals::default(),
                stats: QueueStats::default(),
                linktype: None,
                error: Some("worker thread panicked: its flows are lost".into()),
                cut_short: false,
            });
        }
    }
    let parts: Vec<Part> = finals.into_iter().flatten().collect();
    let lr = reduce(&meta, &db, opts, parts, true);
    // Detaches the XDP program and leaves promiscuous mode.
    drop(cap);
    lr
}

/// Worker `i`'s core, per the pinning policy.
fn assign_cpus(p: &Pinning, n: usize) -> Vec<Option<usize>> {
    match p {
        Pinning::Off => vec![None; n],
        Pinning::Cpus(list) if !list.is_empty() => {
            (0..n).map(|i| Some(list[i % list.len()])).collect()
        }
        _ => {
            let ids = core_affinity::get_core_ids().unwrap_or_default();
            if ids.len() <= n {
                vec![None; n]
            } else {
                (0..n).map(|i| Some(ids[i].id)).collect()
            }
        }
    }
}

/// Collects the workers' snapshots for `epoch` (waiting at most a few
/// seconds: a worker that does not answer is left out of this snapshot).
fn gather_snapshot(rx: &Receiver<Msg>, epoch: u64, n: usize) -> Vec<Part> {
    let mut got: Vec<Part> = Vec::with_capacity(n);
    let limit = Instant::now() + Duration::from_secs(5);
    while got.len() < n {
        match rx.recv_deadline(limit) {
            Ok(Msg::Snapshot(e, p)) if e == epoch => got.push(p),
            Ok(_) => {}
            Err(_) => break,
        }
    }
    got
}

/// What the reducer knows about the capture itself.
struct Meta {
    engine: Engine,
    interface: String,
    mode: String,
    fanout: Option<String>,
    filter: Option<String>,
    clock: String,
    notes: Vec<String>,
    queue_ids: Vec<u32>,
    cpus: Vec<Option<usize>>,
    if_start: Option<iface::IfCounters>,
    if_index: u32,
    started_ns: i64,
    t0: Instant,
}

/// Merges the workers' parts into a report with its capture health.
fn reduce(
    meta: &Meta,
    db: &AsDb,
    opts: &LiveOptions,
    parts: Vec<Part>,
    is_final: bool,
) -> LiveReport {
    let mut r = Reducer::with_sizing(opts.sizing.clone());
    let mut totals = Totals::default();
    let mut linktypes = BTreeMap::new();
    let mut queues: Vec<QueueHealth> = meta
        .queue_ids
        .iter()
        .zip(&meta.cpus)
        .map(|(&q, &cpu)| QueueHealth {
            queue: q,
            cpu,
            ..QueueHealth::default()
        })
        .collect();
    let mut errors = Vec::new();
    let mut drain_cut_short = false;
    for p in parts {
        drain_cut_short |= p.cut_short;
        totals.add(&p.counts);
        if let Some(lt) = p.linktype {
            *linktypes.entry(lt).or_insert(0) += p.counts.frames;
        }
        if let Some(q) = queues.get_mut(p.worker) {
            q.packets = p.stats.packets;
            q.bytes = p.stats.bytes;
            q.kernel_drops = p.stats.kernel_drops;
            q.xdp_drops = p.stats.xdp_drops;
            q.batch_stamped = p.stats.batch_stamped;
            if let Some(e) = &p.error {
                errors.push(format!("queue {}: {e}", q.queue));
            }
            q.error = p.error;
        }
        r.add_worker(p.out);
    }
    r.add_counts(&totals);
    let summary = InputSummary {
        file: format!("{}:{}", meta.engine.name(), meta.interface),
        format: Some(meta.mode.clone()),
        frames: totals.frames,
        linktypes,
        error: (!errors.is_empty()).then(|| errors.join("; ")),
    };
    let mut report = r.finish(db, vec![summary], opts.hairpin.as_deref());
    let (interface_drops, host_discards) = match (meta.if_start, iface::counters(meta.if_index)) {
        (Some(a), Some(b)) => {
            let nic = b.nic_losses().saturating_sub(a.nic_losses());
            let dropped = b.rx_dropped.saturating_sub(a.rx_dropped);
            let xdp = meta.engine == Engine::AfXdp;
            (Some(nic + if xdp { dropped } else { 0 }), Some(dropped))
        }
        _ => (None, None),
    };
    let kernel_drops = queues.iter().map(|q| q.kernel_drops).sum();
    let xdp_drops = queues.iter().map(|q| q.xdp_drops).sum();
    let batch_stamped = queues.iter().map(|q| q.batch_stamped).sum();
    let dropped_any = kernel_drops > 0
        || xdp_drops > 0
        || interface_drops.unwrap_or(0) > 0
        || drain_cut_short
        || queues.iter().any(|q| q.error.is_some());
    report.partial |= dropped_any;
    let health = CaptureHealth {
        engine: meta.engine.name().into(),
        interface: meta.interface.clone(),
        mode: meta.mode.clone(),
        fanout: meta.fanout.clone(),
        filter: meta.filter.clone(),
        clock: meta.clock.clone(),
        is_final,
        started_ns: meta.started_ns,
        elapsed_s: meta.t0.elapsed().as_secs_f64(),
        cpu_s: trombone_live::process_cpu_seconds(),
        packets: queues.iter().map(|q| q.packets).sum(),
        queues,
        kernel_drops,
        xdp_drops,
        batch_stamped,
        interface_drops,
        host_discards,
        drain_cut_short,
        dropped_any,
        notes: meta.notes.clone(),
    };
    LiveReport { report, health }
}

/// One worker's state, moved into its thread.
struct WorkerCtx {
    index: usize,
    cpu: Option<usize>,
    worker: Worker,
    ctl: Arc<Control>,
    tx: Sender<Msg>,
    drain: Duration,
    cut_short: Option<Arc<AtomicBool>>,
    tail_ms: i32,
}

/// Frames parsed from a ring before they are added to the flow table in one
/// [`Worker::observe_batch`] call (which prefetches flow slots and replica
/// buckets ahead, as offline).
const LIVE_BATCH: usize = 256;

/// A worker's frame counts, by the outcome of parsing, and the batch of
/// parsed packets waiting to be added to its table.
struct Tally<'a> {
    worker: &'a mut Worker,
    counts: &'a mut Totals,
    linktype: &'a mut Option<u32>,
    /// Reused for every poll: cleared, never shrunk (capacity [`LIVE_BATCH`]).
    batch: &'a mut Vec<PacketMeta>,
}

impl Tally<'_> {
    /// Parses one frame where it lies, accounts it, and queues its metadata.
    #[inline]
    fn frame(&mut self, f: Frame<'_>) {
        let c = &mut *self.counts;
        c.frames += 1;
        if self.linktype.is_none() {
            *self.linktype = Some(f.linktype);
        }
        match trombone_packet::parse(f.linktype, f.data, f.wire_len, f.ts_ns, f.interface) {
            Ok(m) => {
                c.ip_packets += 1;
                c.ip_bytes += u64::from(m.l3_len);
                c.wire_bytes += u64::from(m.wire_len);
                self.batch.push(m);
                if self.batch.len() >= LIVE_BATCH {
                    self.flush();
                }
            }
            Err(Skip::NonIp) => c.non_ip_frames += 1,
            Err(Skip::Malformed) => c.malformed_frames += 1,
            Err(Skip::Unsupported) => c.unsupported_frames += 1,
        }
    }

    /// Adds the queued packets to the flow table, in arrival order.
    #[inline]
    fn flush(&mut self) {
        if !self.batch.is_empty() {
            self.worker.observe_batch(self.batch);
            self.batch.clear();
        }
    }
}

impl Drop for Tally<'_> {
    /// Whatever ends a poll, its packets reach the table before anything
    /// (a snapshot, the final hand-over) looks at it.
    fn drop(&mut self) {
        self.flush();
    }
}

impl WorkerCtx {
    /// The worker thread: read, answer snapshots, drain on stop, hand over.
    fn run(mut self, mut q: QueueReader) {
        if let Some(c) = self.cpu {
            core_affinity::set_for_current(core_affinity::CoreId { id: c });
        }
        let mut counts = Totals::default();
        let mut linktype = None;
        let mut error: Option<String> = None;
        let mut seen_epoch = 0;
        let mut batch = Vec::with_capacity(LIVE_BATCH);
        loop {
            if self.ctl.stop.load(Ordering::Acquire) {
                break;
            }
            if error.is_none() {
                let mut t = Tally {
                    worker: &mut self.worker,
                    counts: &mut counts,
                    linktype: &mut linktype,
                    batch: &mut batch,
                };
                if let Err(e) = q.poll(POLL_MS, |f| t.frame(f)) {
                    error = Some(e.to_string());
                }
            } else {
                thread::sleep(Duration::from_millis(POLL_MS as u64));
            }
            let e = self.ctl.epoch.load(Ordering::Acquire);
            if e != seen_epoch {
                seen_epoch = e;
                let part = Part {
                    worker: self.index,
                    out: self.worker.snapshot(),
                    counts,
                    stats: q.stats(),
                    linktype,
                    error: error.clone(),
                    cut_short: false,
                };
                let _ = self.tx.send(Msg::Snapshot(e, part));
            }
        }
        let mut cut_short = false;
        if error.is_none() {
            let mut t = Tally {
                worker: &mut self.worker,
                counts: &mut counts,
                linktype: &mut linktype,
                batch: &mut batch,
            };
            let hurry = self.cut_short.as_deref();
            match drain(&mut q, self.drain, self.tail_ms, hurry, |f| t.frame(f)) {
                Ok(cut) => cut_short = cut,
                Err(e) => error = Some(e.to_string()),
            }
        }
        let stats = q.stats();
        drop(q);
        let part = Part {
            worker: self.index,
            out: self.worker.finish(),
            counts,
            stats,
            linktype,
            error,
            cut_short,
        };
        let _ = self.tx.send(Msg::Final(part));
    }
}

/// Reads until the queue is quiet (at most `limit`), fences it off, then
/// reads what is left, including a block the kernel hands over only at its
/// timeout (`tail_ms`). Raising `hurry` ends the drain at the next poll (at
/// most `QUIET_MS` or `tail_ms` later): the queue is fenced off, what is
/// ready at once is read, and the answer is true (cut short).
fn drain<F: FnMut(Frame<'_>)>(
    q: &mut QueueReader,
    limit: Duration,
    tail_ms: i32,
    hurry: Option<&AtomicBool>,
    mut f: F,
) -> std::io::Result<bool> {
    let hurried = || hurry.is_some_and(|h| h.load(Ordering::Acquire));
    let t0 = Instant::now();
    while !hurried() && q.poll(QUIET_MS, &mut f)? > 0 && t0.elapsed() < limit / 2 {}
    q.stop_intake();
    while !hurried() && q.poll(tail_ms, &mut f)? > 0 && t0.elapsed() < limit {}
    if hurried() {
        q.poll(0, &mut f)?;
        return Ok(true);
    }
    Ok(false)
}
