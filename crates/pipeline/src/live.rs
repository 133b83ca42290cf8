//! Live analysis: one worker per capture queue, each pinned to a core,
//! parsing frames in place in its queue's ring or UMEM into its own flow
//! table; the calling thread is the reducer.
//!
//! ```text
//!  queue 0 ─▶ worker 0 (core a): poll → parse in place → flow table ─┐
//!  queue 1 ─▶ worker 1 (core b): poll → parse in place → flow table ─┼─▶ [bins, figures] ─▶ reducer (caller)
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
//! Time is the machine's clock: each worker closes the rate bins of sample
//! intervals that ended (after a grace period for late frames) and, with
//! `rotate`, hands its figures over at each epoch-aligned interval boundary;
//! the reducer turns every complete interval into a result at once.
//!
//! Snapshots (`interval`): the reducer bumps an epoch; each worker, between
//! two polls, sends a copy of its figures ([`Worker::snapshot`]), and the
//! reducer builds the result so far on a copy of itself, stopping nothing.
//!
//! Stopping (the caller's flag — SIGINT/SIGTERM — or `duration`): each
//! worker reads until its queue goes quiet (bounded by `drain`), fences the
//! queue off ([`QueueReader::stop_intake`]), reads what is left in the ring
//! (a partly filled TPACKET_V3 block is handed over at the block timeout),
//! and only then hands everything to the reducer. The XDP program is
//! detached when the capture is dropped, after every worker is done.
//!
//! Every result carries its `capture` health: frames and drops per queue, the
//! interface's own drop counters, and whether anything was lost — in which
//! case the result is marked partial.

use crate::exports::Sighting;
use crate::ticks::{next_snapshot, now_ns, wait_for};
use crossbeam_channel::{unbounded, RecvTimeoutError, Sender};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};
use trombone_asdb::AsDb;
use trombone_capture::Frame;
use trombone_flow::FlowLimits;
use trombone_hairpin::HairpinConfig;
use trombone_live::{iface, Engine, LiveCapture, LiveConfig, LiveError, QueueReader, QueueStats};
use trombone_packet::{Decap, PacketMeta, Parser, Skip, Tunnel};
use trombone_reduce::{ReduceConfig, Reducer, SizingConfig, WHOLE_RUN};
pub use trombone_schema::{CaptureHealth, QueueHealth};
use trombone_schema::{InputSummary, Report, ToolInfo, Totals};
use trombone_worker::{Flush, HairpinAnalysis, Handover, IxpAnalysis, Worker, WorkerConfig};

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
    /// Write one result per epoch-aligned interval of this length (a multiple of the
    /// sample interval).
    pub rotate: Option<Duration>,
    /// The vantage point's name.
    pub site: Option<String>,
    /// How many top source addresses to list (0: none).
    pub top_talkers: usize,
    /// The program and its command line, recorded in every result.
    pub tool: ToolInfo,
    /// How long a sample interval stays open after its end, for frames that come late.
    pub grace: Duration,
    /// Raised (e.g. by a second Ctrl-C) to cut the final drain short: each
    /// worker fences its queue off and hands over at once what it has; the
    /// result is then marked partial. `None`: the drain always runs its course.
    pub cut_short: Option<Arc<AtomicBool>>,
    /// BGP dumps and IXP member lists for the evidence section.
    pub evidence: Option<Arc<trombone_reduce::EvidenceSources>>,
    /// Tunnels opened besides the mirror encapsulations (`--decap`); decapsulated
    /// packets and their outer headers' bytes are counted in the totals, as offline.
    pub decap: Decap,
    /// The IXP peering-LAN vantage's member lists (`--ixp-members`): the member matrix
    /// and ports, MACs learned from ARP/ND as offline.
    pub ixp: Option<trombone_reduce::IxpSetup>,
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
            rotate: None,
            site: None,
            top_talkers: 0,
            tool: ToolInfo::this(Vec::new()),
            grace: Duration::from_secs(2),
            cut_short: None,
            evidence: None,
            decap: Decap::MIRROR_ONLY,
            ixp: None,
        }
    }
}

/// A result of a live capture: `report.capture` holds its health.
pub type LiveReport = Report;

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

/// A worker's queue facts: counters, link type, and why it stopped.
#[derive(Clone, Debug, Default)]
struct QueueFacts {
    stats: QueueStats,
    error: Option<String>,
    /// The final drain was cut short.
    cut_short: bool,
}

/// Messages from workers to the reducer.
enum Msg {
    /// Closed rate bins.
    Flush(usize, Flush),
    /// Figures of the interval ending at the given time, with the frame counts and inputs.
    Handover(
        usize,
        i64,
        Box<Handover>,
        Totals,
        Vec<InputSummary>,
        QueueFacts,
    ),
    /// A snapshot for the given epoch.
    Snapshot(
        u64,
        usize,
        Box<(Flush, Handover, Totals, Vec<InputSummary>)>,
        QueueFacts,
    ),
    /// The worker is done (its last flush and handover came before).
    Done(usize, QueueFacts),
    /// ARP/ND claims for the IXP vantage's MAC learning.
    Sightings(Vec<Sighting>),
}

/// Runs the capture until `stop` is raised or `opts.duration` has passed.
///
/// With `opts.rotate`, `on_result` gets each interval's result as soon as it is
/// complete, the last one included, and nothing is returned; otherwise the whole run's
/// result is returned. `on_snapshot` gets a result so far every `opts.interval`.
pub fn run_capture(
    mut cap: LiveCapture,
    db: Arc<AsDb>,
    opts: &LiveOptions,
    stop: &AtomicBool,
    mut on_snapshot: impl FnMut(&LiveReport),
    mut on_result: impl FnMut(LiveReport),
) -> Option<LiveReport> {
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
        started_ns: now_ns(),
        t0: Instant::now(),
    };
    let ctl = Arc::new(Control {
        stop: AtomicBool::new(false),
        epoch: AtomicU64::new(0),
    });
    let (tx, rx) = unbounded::<Msg>();
    let tail_ms = opts.capture.packet.block_timeout_ms as i32 * 2 + 20;
    let rotate_ns = opts.rotate.map(|d| d.as_nanos() as i64).filter(|&r| r > 0);
    let first_end = rotate_ns.map(|r| (meta.started_ns.div_euclid(r) + 1) * r);
    let wcfg = WorkerConfig {
        flows_hint: opts.flows_hint.min(opts.limits.max_flows),
        limits: opts.limits,
        bin_ns: opts.sizing.bin_ns,
        talkers: opts.top_talkers > 0,
    };
    let mut handles = Vec::with_capacity(n);
    for (i, q) in queues.into_iter().enumerate() {
        let mut worker = Worker::new(db.clone(), wcfg);
        if let Some(h) = &opts.hairpin {
            worker = worker.with_analysis(Box::new(HairpinAnalysis::new(h.clone())));
        }
        if opts.ixp.is_some() {
            worker = worker.with_analysis(Box::new(IxpAnalysis::new()));
        }
        let ctx = WorkerCtx {
            index: i,
            cpu: cpus[i],
            worker,
            ctl: ctl.clone(),
            tx: tx.clone(),
            drain: opts.drain,
            cut_short: opts.cut_short.clone(),
            tail_ms,
            input: format!("{}:{}", meta.engine.name(), meta.interface),
            mode: meta.mode.clone(),
            rotate_ns,
            interval_end: first_end,
            sample_ns: opts.sizing.sample_ns,
            bin_ns: opts.sizing.bin_ns,
            grace_ns: opts.grace.as_nanos() as i64,
            // the payload digest only when hairpin detection matches replicas
            parser: Parser {
                decap: opts.decap,
                digest: opts.hairpin.is_some(),
            },
            learn: opts.ixp.is_some(),
            sightings: Vec::new(),
        };
        let name = format!("capture-q{}", q.queue());
        let h = thread::Builder::new()
            .name(name)
            .spawn(move || ctx.run(q))
            .expect("spawn capture worker thread");
        handles.push(h);
    }
    drop(tx);

    let mut reducer = Reducer::new(
        ReduceConfig {
            sizing: opts.sizing.clone(),
            hairpin: opts.hairpin.clone(),
            top_talkers: opts.top_talkers,
            workers: n,
            rotate_ns,
            site: opts.site.clone(),
            tool: opts.tool.clone(),
            count_sources: n,
            evidence: opts.evidence.clone(),
        },
        db.clone(),
    );
    if let Some(x) = &opts.ixp {
        reducer = reducer.with_sources(trombone_reduce::SourcesSetup {
            collector_mode: None,
            listeners: Vec::new(),
            ixp: Some(x.clone()),
            interfaces: Arc::new(trombone_reduce::IfaceRegistry::new()),
        });
    }
    let mut facts: Vec<QueueFacts> = vec![QueueFacts::default(); n];
    let mut done = vec![false; n];
    let deadline = opts.duration.map(|d| meta.t0 + d);
    let mut next_snap = opts.interval.map(|i| meta.t0 + i);
    let mut snap: Option<(u64, Vec<SnapPart>)> = None;
    let mut stopping = false;
    while done.iter().any(|d| !d) {
        let now = Instant::now();
        if !stopping && (stop.load(Ordering::Relaxed) || deadline.is_some_and(|d| now >= d)) {
            stopping = true;
            ctl.stop.store(true, Ordering::Release);
        }
        if !stopping {
            if let Some(at) = next_snap {
                if now >= at && snap.is_none() {
                    let epoch = ctl.epoch.fetch_add(1, Ordering::AcqRel) + 1;
                    snap = Some((epoch, Vec::with_capacity(n)));
                    let every = opts.interval.unwrap_or(Duration::from_secs(1));
                    next_snap = Some(next_snapshot(at, every));
                }
            }
        }
        let msg = match rx.recv_timeout(wait_for(now, deadline, next_snap)) {
            Ok(m) => m,
            Err(RecvTimeoutError::Timeout) => continue,
            // every worker thread is gone
            Err(RecvTimeoutError::Disconnected) => break,
        };
        match msg {
            Msg::Flush(w, f) => reducer.flush(w, f),
            Msg::Handover(w, end, h, t, inputs, f) => {
                facts[w] = f;
                reducer.handover(end, *h);
                reducer.counts(end, &t, &inputs);
            }
            Msg::Snapshot(e, w, part, f) => {
                facts[w] = f;
                if let Some((epoch, parts)) = &mut snap {
                    if *epoch == e {
                        let (fl, h, t, i) = *part;
                        parts.push((w, fl, h, t, i));
                        if parts.len() == n {
                            let (_, parts) = snap.take().expect("present");
                            let end =
                                rotate_ns.map_or(WHOLE_RUN, |r| (now_ns().div_euclid(r) + 1) * r);
                            let health = health(&meta, &facts, false);
                            if let Some(r) = reducer.snapshot(end, parts, Some(&health)) {
                                on_snapshot(&r);
                            }
                        }
                    }
                }
            }
            Msg::Done(w, f) => {
                facts[w] = f;
                done[w] = true;
            }
            Msg::Sightings(v) => {
                for (mac, ip, vlan) in v {
                    reducer.sighting(mac, ip, vlan);
                }
            }
        }
        // rotated intervals go out as they complete; the whole run's result waits for the
        // end, so that it carries the final capture health (drops, drain, `final`)
        if rotate_ns.is_some() {
            let h = health(&meta, &facts, false);
            for r in reducer.ready(Some(&h)) {
                on_result(r);
            }
        }
    }
    for (i, h) in handles.into_iter().enumerate() {
        if h.join().is_err() {
            facts[i].error = Some("worker thread panicked: its flows are lost".into());
        }
    }
    let h = health(&meta, &facts, true);
    let mut rest = reducer.finish(Some(&h));
    // Detaches the XDP program and leaves promiscuous mode.
    drop(cap);
    if rotate_ns.is_some() {
        // every interval's result goes to `on_result`, the last one included
        for r in rest {
            on_result(r);
        }
        return None;
    }
    let fin = rest.pop();
    for r in rest {
        on_result(r);
    }
    Some(fin.unwrap_or_else(|| {
        // no worker reported at all: an empty result that says what happened
        let mut r = Reducer::new(ReduceConfig::default(), db.clone());
        r.counts(WHOLE_RUN, &Totals::default(), &[]);
        let mut r = r
            .finish(Some(&h))
            .pop()
            .unwrap_or_else(|| unreachable!("a counted whole-run interval always gives a result"));
        r.partial = true;
        r
    }))
}

/// One worker's answer to a snapshot.
type SnapPart = (usize, Flush, Handover, Totals, Vec<InputSummary>);

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

/// The capture's health from the queues' latest facts.
fn health(meta: &Meta, facts: &[QueueFacts], is_final: bool) -> CaptureHealth {
    let queues: Vec<QueueHealth> = meta
        .queue_ids
        .iter()
        .zip(&meta.cpus)
        .zip(facts)
        .map(|((&q, &cpu), f)| QueueHealth {
            queue: q,
            cpu,
            packets: f.stats.packets,
            bytes: f.stats.bytes,
            kernel_drops: f.stats.kernel_drops,
            xdp_drops: f.stats.xdp_drops,
            batch_stamped: f.stats.batch_stamped,
            error: f.error.clone(),
        })
        .collect();
    let drain_cut_short = facts.iter().any(|f| f.cut_short);
    let (interface_drops, host_discards) = match (meta.if_start, iface::counters(meta.if_index)) {
        (Some(a), Some(b)) => {
            let nic = b.nic_losses().saturating_sub(a.nic_losses());
            let dropped = b.rx_dropped.saturating_sub(a.rx_dropped);
            // with afxdp the frames never reach the host stack: rx_dropped counts
            // frames the driver dropped before the XDP socket, which is capture loss
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
    CaptureHealth {
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
    }
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
    input: String,
    mode: String,
    rotate_ns: Option<i64>,
    interval_end: Option<i64>,
    sample_ns: i64,
    bin_ns: i64,
    grace_ns: i64,
    /// How frames are parsed: the tunnels opened, and the payload digest only when the
    /// hairpin analysis's replica matcher uses it.
    parser: Parser,
    /// Offer ARP/ND frames to the IXP vantage's MAC learning.
    learn: bool,
    /// Claims waiting to go to the reducer (sent after each poll).
    sightings: Vec<Sighting>,
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
    linktypes: &'a mut BTreeMap<u32, u64>,
    /// Reused for every poll: cleared, never shrunk (capacity [`LIVE_BATCH`]).
    batch: &'a mut Vec<PacketMeta>,
    /// How frames are parsed (tunnels opened, payload digest or not).
    parser: Parser,
    /// ARP/ND claims seen (None: no IXP vantage, nothing learned).
    sightings: Option<&'a mut Vec<Sighting>>,
}

impl Drop for Tally<'_> {
    /// Whatever ends a poll, its packets reach the table before anything
    /// (a snapshot, the final hand-over) looks at it.
    fn drop(&mut self) {
        self.flush();
    }
}

impl Tally<'_> {
    /// Adds the queued packets to the flow table, in arrival order.
    #[inline]
    fn flush(&mut self) {
        if !self.batch.is_empty() {
            self.worker.observe_batch(self.batch);
            self.batch.clear();
        }
    }

    /// Parses one frame where it lies, accounts it, and queues its metadata.
    #[inline]
    fn frame(&mut self, f: Frame<'_>) {
        let c = &mut *self.counts;
        c.frames += 1;
        *self.linktypes.entry(f.linktype).or_insert(0) += 1;
        let (lt, d, wl, ts, ifc) = (f.linktype, f.data, f.wire_len, f.ts_ns, f.interface);
        match self.parser.parse(lt, d, wl, ts, ifc) {
            Ok(m) => {
                c.ip_packets += 1;
                c.ip_bytes += u64::from(m.l3_len);
                c.wire_bytes += u64::from(m.wire_len);
                if m.tunnel != Tunnel::None {
                    c.decapsulated_packets += 1;
                    c.encap_bytes += u64::from(m.encap_len);
                }
                if m.proto == 58 {
                    self.learn(&f);
                }
                self.batch.push(m);
                if self.batch.len() >= LIVE_BATCH {
                    self.flush();
                }
            }
            Err(Skip::NonIp) => {
                c.non_ip_frames += 1;
                self.learn(&f);
            }
            Err(Skip::Malformed) => c.malformed_frames += 1,
            Err(Skip::Unsupported) => c.unsupported_frames += 1,
        }
    }

    /// Offers a frame to the IXP vantage's MAC learning (ARP, IPv6 neighbour discovery).
    #[cold]
    fn learn(&mut self, f: &Frame<'_>) {
        if let Some(v) = self.sightings.as_deref_mut() {
            if let Some(n) = trombone_packet::neighbour_sighting(f.linktype, f.data) {
                v.push((n.mac, n.ip, n.vlan));
            }
        }
    }
}

impl WorkerCtx {
    /// Sends the ARP/ND claims waiting, before anything else this worker hands over.
    fn send_sightings(&mut self) {
        if !self.sightings.is_empty() {
            let _ = self
                .tx
                .send(Msg::Sightings(std::mem::take(&mut self.sightings)));
        }
    }

    /// This interval's inputs (the queue), its counts starting afresh.
    fn take_counts(
        &self,
        counts: &mut Totals,
        linktypes: &mut BTreeMap<u32, u64>,
        error: &Option<String>,
    ) -> (Totals, Vec<InputSummary>) {
        let t = std::mem::take(counts);
        let input = InputSummary {
            file: self.input.clone(),
            format: Some(self.mode.clone()),
            frames: t.frames,
            linktypes: std::mem::take(linktypes),
            error: error.clone(),
        };
        (t, vec![input])
    }

    /// Closes sample intervals and hands over rotation intervals that `now` has passed.
    fn tick(
        &mut self,
        now: i64,
        counts: &mut Totals,
        linktypes: &mut BTreeMap<u32, u64>,
        q: &mut QueueReader,
        error: &Option<String>,
    ) {
        if let (Some(r), Some(end)) = (self.rotate_ns, self.interval_end) {
            if now >= end {
                let (t, inputs) = self.take_counts(counts, linktypes, error);
                let h = self.worker.handover();
                let facts = QueueFacts {
                    stats: q.stats(),
                    error: error.clone(),
                    cut_short: false,
                };
                let _ = self.tx.send(Msg::Handover(
                    self.index,
                    end,
                    Box::new(h),
                    t,
                    inputs,
                    facts,
                ));
                self.interval_end = Some((now.div_euclid(r) + 1) * r);
            }
        }
        let upto = (now - self.grace_ns).div_euclid(self.sample_ns) * self.sample_ns;
        let upto_bin = upto.div_euclid(self.bin_ns);
        if upto_bin > self.worker.closed_bin() {
            let _ = self
                .tx
                .send(Msg::Flush(self.index, self.worker.close(upto_bin)));
        }
    }

    /// The worker thread: read, close bins, rotate, answer snapshots, drain on stop,
    /// hand over.
    fn run(mut self, mut q: QueueReader) {
        if let Some(c) = self.cpu {
            core_affinity::set_for_current(core_affinity::CoreId { id: c });
        }
        let mut counts = Totals::default();
        let mut linktypes = BTreeMap::new();
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
                    linktypes: &mut linktypes,
                    batch: &mut batch,
                    parser: self.parser,
                    sightings: self.learn.then_some(&mut self.sightings),
                };
                if let Err(e) = q.poll(POLL_MS, |f| t.frame(f)) {
                    error = Some(e.to_string());
                }
                drop(t);
                self.send_sightings();
            } else {
                thread::sleep(Duration::from_millis(POLL_MS as u64));
            }
            self.tick(now_ns(), &mut counts, &mut linktypes, &mut q, &error);
            let e = self.ctl.epoch.load(Ordering::Acquire);
            if e != seen_epoch {
                seen_epoch = e;
                let (f, h) = self.worker.snapshot();
                let input = InputSummary {
                    file: self.input.clone(),
                    format: Some(self.mode.clone()),
                    frames: counts.frames,
                    linktypes: linktypes.clone(),
                    error: error.clone(),
                };
                let facts = QueueFacts {
                    stats: q.stats(),
                    error: error.clone(),
                    cut_short: false,
                };
                let part = Box::new((f, h, counts, vec![input]));
                let _ = self.tx.send(Msg::Snapshot(e, self.index, part, facts));
            }
        }
        let mut cut_short = false;
        if error.is_none() {
            let mut t = Tally {
                worker: &mut self.worker,
                counts: &mut counts,
                linktypes: &mut linktypes,
                batch: &mut batch,
                parser: self.parser,
                sightings: self.learn.then_some(&mut self.sightings),
            };
            let hurry = self.cut_short.clone();
            match drain(&mut q, self.drain, self.tail_ms, hurry.as_deref(), |f| {
                t.frame(f)
            }) {
                Ok(cut) => cut_short = cut,
                Err(e) => error = Some(e.to_string()),
            }
        }
        let facts = QueueFacts {
            stats: q.stats(),
            error: error.clone(),
            cut_short,
        };
        drop(q);
        self.send_sightings();
        let end = self.interval_end.unwrap_or(WHOLE_RUN);
        let (t, inputs) = self.take_counts(&mut counts, &mut linktypes, &error);
        let _ = self
            .tx
            .send(Msg::Flush(self.index, self.worker.close(i64::MAX)));
        let h = self.worker.handover();
        let _ = self.tx.send(Msg::Handover(
            self.index,
            end,
            Box::new(h),
            t,
            inputs,
            facts.clone(),
        ));
        let _ = self.tx.send(Msg::Done(self.index, facts));
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

#[cfg(test)]
mod tests {
    use super::*;

    /// An inner frame (Ethernet, IPv4 UDP 10.0.0.1 → 10.0.0.2, 28 bytes of IP) in VXLAN:
    /// outer Ethernet (14), IPv4 (20), UDP to port 4789 (8) and the VXLAN header (8) are
    /// 50 bytes of encapsulation, by the layout of RFC 7348.
    fn vxlan_frame() -> Vec<u8> {
        let inner_ip = [
            0x45, 0, 0, 28, 0, 1, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2, // IPv4
            0x30, 0x39, 0, 53, 0, 8, 0, 0, // UDP
        ];
        let mut inner = vec![0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0];
        inner.extend_from_slice(&inner_ip);
        let outer_ip_len = 20 + 8 + 8 + inner.len();
        let mut f = vec![0x02, 0, 0, 0, 0, 0xb, 0x02, 0, 0, 0, 0, 0xa, 0x08, 0];
        f.extend_from_slice(&[0x45, 0, 0, outer_ip_len as u8, 0, 2, 0x40, 0, 64, 17, 0, 0]);
        f.extend_from_slice(&[192, 0, 2, 1, 192, 0, 2, 2]);
        let udp_len = 8 + 8 + inner.len();
        f.extend_from_slice(&[0xc0, 0x00, 0x12, 0xb5, 0, udp_len as u8, 0, 0]); // dport 4789
        f.extend_from_slice(&[0x08, 0, 0, 0, 0, 0, 0x2a, 0]); // VXLAN, VNI 42
        f.extend_from_slice(&inner);
        f
    }

    /// With the IXP vantage, a worker's tally offers ARP to the MAC learning: an ARP reply
    /// from 02:00:5e:10:00:30 for 192.0.2.30 (RFC 826 layout) is one sighting of that pair,
    /// and the frame counts as non-IP; without it nothing is learned.
    #[test]
    fn live_arp_is_offered_to_mac_learning() {
        let mac = [0x02, 0, 0x5e, 0x10, 0, 0x30];
        let mut arp = vec![0xff; 6];
        arp.extend_from_slice(&mac);
        arp.extend_from_slice(&[0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0, 2]);
        arp.extend_from_slice(&mac);
        arp.extend_from_slice(&[192, 0, 2, 30]);
        arp.extend_from_slice(&[0x02, 0, 0x5e, 0x10, 0, 0x11, 192, 0, 2, 17]);
        for learn in [false, true] {
            let mut worker = Worker::new(Arc::new(AsDb::empty()), WorkerConfig::default());
            let (mut counts, mut linktypes, mut batch) =
                (Totals::default(), BTreeMap::new(), Vec::new());
            let mut seen = Vec::new();
            let mut t = Tally {
                worker: &mut worker,
                counts: &mut counts,
                linktypes: &mut linktypes,
                batch: &mut batch,
                parser: Parser {
                    decap: Decap::MIRROR_ONLY,
                    digest: false,
                },
                sightings: learn.then_some(&mut seen),
            };
            t.frame(Frame {
                ts_ns: 1_712_365_200_000_000_000,
                linktype: 1,
                interface: 0,
                wire_len: arp.len() as u32,
                data: &arp,
            });
            drop(t);
            assert_eq!((counts.frames, counts.non_ip_frames), (1, 1));
            let want: Vec<Sighting> = if learn {
                vec![(mac, "192.0.2.30".parse().unwrap(), 0)]
            } else {
                Vec::new()
            };
            assert_eq!(seen, want);
        }
    }

    /// Live capture opens the tunnels `--decap` asks for and counts them as offline does.
    #[test]
    fn live_frames_are_decapsulated_on_request() {
        let frame = vxlan_frame();
        for (decap, inner) in [
            (Decap::MIRROR_ONLY, false),
            (
                Decap {
                    vxlan: true,
                    ..Decap::MIRROR_ONLY
                },
                true,
            ),
        ] {
            let mut worker = Worker::new(Arc::new(AsDb::empty()), WorkerConfig::default());
            let (mut counts, mut linktypes, mut batch) =
                (Totals::default(), BTreeMap::new(), Vec::new());
            let mut t = Tally {
                worker: &mut worker,
                counts: &mut counts,
                linktypes: &mut linktypes,
                batch: &mut batch,
                parser: Parser {
                    decap,
                    digest: true,
                },
                sightings: None,
            };
            t.frame(Frame {
                ts_ns: 1_712_365_200_000_000_000,
                linktype: 1,
                interface: 0,
                wire_len: frame.len() as u32,
                data: &frame,
            });
            let m = t.batch[0];
            drop(t);
            assert_eq!(counts.ip_packets, 1);
            if inner {
                assert_eq!((m.l3_len, m.src, m.dst), (28, 0x0a00_0001, 0x0a00_0002));
                assert_eq!((counts.decapsulated_packets, counts.encap_bytes), (1, 50));
                assert_eq!(counts.ip_bytes, 28);
            } else {
                // the tunnel packet is the traffic: 20 + 8 + 8 + 42 bytes of outer IP
                assert_eq!(m.l3_len, 78);
                assert_eq!((counts.decapsulated_packets, counts.encap_bytes), (0, 0));
            }
        }
    }
}
