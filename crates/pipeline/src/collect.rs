//! The live flow-export collector: UDP sockets in `SO_REUSEPORT` groups, one worker per
//! socket of each group, each decoding its datagrams into its own flow table; the calling
//! thread is the reducer.
//!
//! ```text
//!  exporters ─▶ sflow :6343 ─┬─ socket 0 ─▶ worker 0: recv → decode → flow table ─┐
//!             ─▶ netflow :2055 ┴─ socket 1 ─▶ worker 1: ...                         ┼─▶ reducer (caller)
//! ```
//!
//! The kernel sends each exporter (source address and port) to one socket of a group, so
//! its templates, sampling rates, sequence numbers and interface counters live in one
//! worker's decoder. Matrices, rates and sizing add across workers; there is no dispatcher.
//!
//! Time is the machine's clock, as for `capture`: sampled packets are stamped when their
//! datagram arrives, flow records keep their exporter's start and end times, and each
//! worker closes the rate bins of sample intervals that ended (after the grace period)
//! and hands its figures over at each `rotate` boundary. Records that arrive after their
//! sample closed are still counted in it (`totals.late_packets` says how many packets).
//! On stop (the flag or `duration`) each worker reads what its sockets still hold, then
//! hands everything over.

use crate::exports::ExportDecoder;
use crate::ticks::{next_snapshot, now_ns, wait_for};
use crossbeam_channel::{unbounded, RecvTimeoutError, Sender};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};
use trombone_asdb::AsDb;
use trombone_collect::{Kind, Listener, Socket, MAX_DATAGRAM};
use trombone_flow::FlowLimits;
use trombone_hairpin::HairpinConfig;
use trombone_packet::Decap;
use trombone_reduce::{
    CollectorPart, IfaceRegistry, IxpSetup, ReduceConfig, Reducer, SizingConfig, SourcesSetup,
    WHOLE_RUN,
};
use trombone_schema::{InputSummary, Report, ToolInfo, Totals};
use trombone_worker::{Flush, HairpinAnalysis, Handover, IxpAnalysis, Worker, WorkerConfig};

/// How to run a collector.
#[derive(Clone, Debug)]
pub struct CollectOptions {
    /// What to listen on.
    pub listen: Vec<(Kind, SocketAddr)>,
    /// Workers (sockets per listener), at least 1.
    pub workers: usize,
    /// Expected flows per worker, to pre-size tables.
    pub flows_hint: usize,
    /// Hairpin settings (the hairpin section then says what flow export cannot give).
    pub hairpin: Option<Arc<HairpinConfig>>,
    /// Rate bins, samples and port sizing.
    pub sizing: SizingConfig,
    /// Flow-table bounds per worker.
    pub limits: FlowLimits,
    /// Stop after this long (else only when the stop flag is raised).
    pub duration: Option<Duration>,
    /// Produce a snapshot result this often.
    pub interval: Option<Duration>,
    /// One result per epoch-aligned interval of this length.
    pub rotate: Option<Duration>,
    /// The vantage point's name.
    pub site: Option<String>,
    /// How many top source addresses to list.
    pub top_talkers: usize,
    /// The program and its command line.
    pub tool: ToolInfo,
    /// How long a sample interval stays open after its end.
    pub grace: Duration,
    /// Tunnels opened in sampled headers besides the mirror encapsulations.
    pub decap: Decap,
    /// The IXP vantage's member lists.
    pub ixp: Option<IxpSetup>,
    /// BGP dumps and IXP lists for the evidence section.
    pub evidence: Option<Arc<trombone_reduce::EvidenceSources>>,
}

impl CollectOptions {
    /// Defaults for listening on `listen`: one worker, no duration, 2 s grace.
    pub fn new(listen: Vec<(Kind, SocketAddr)>) -> CollectOptions {
        CollectOptions {
            listen,
            workers: 1,
            flows_hint: 1 << 16,
            hairpin: None,
            sizing: SizingConfig::default(),
            limits: FlowLimits::default(),
            duration: None,
            interval: None,
            rotate: None,
            site: None,
            top_talkers: 0,
            tool: ToolInfo::this(Vec::new()),
            grace: Duration::from_secs(2),
            decap: Decap::default(),
            ixp: None,
            evidence: None,
        }
    }
}

/// Binds every listener's sockets (one per worker); the addresses bound are in the
/// result (port 0 becomes the port the system chose).
pub fn open_collector(opts: &CollectOptions) -> std::io::Result<Vec<Listener>> {
    opts.listen
        .iter()
        .map(|(k, a)| {
            Listener::open(*k, *a, opts.workers.max(1))
                .map_err(|e| std::io::Error::new(e.kind(), format!("{} {a}: {e}", k.name())))
        })
        .collect()
}

/// How long a worker waits for a datagram before looking at the clock and the flags.
const POLL_MS: i32 = 50;
/// Most datagrams read from one socket before the others get a turn.
const BURST: usize = 256;

/// Messages from workers to the reducer.
enum Msg {
    Flush(usize, Flush),
    /// Figures of the interval ending at the given time, with the collector's counts.
    Handover(i64, Box<(Handover, CollectorPart, Vec<InputSummary>)>),
    Sightings(Vec<crate::exports::Sighting>),
    Snapshot(
        u64,
        usize,
        Box<(Flush, Handover, CollectorPart, Vec<InputSummary>)>,
    ),
    Done,
}

/// Runs the collector on `listeners` until `stop` is raised or `opts.duration` passed.
///
/// With `opts.rotate`, `on_result` gets each interval's result as soon as it is complete;
/// `on_snapshot` gets a result so far every `opts.interval`. Returns the last result.
pub fn run_collect(
    listeners: Vec<Listener>,
    db: Arc<AsDb>,
    opts: &CollectOptions,
    stop: &AtomicBool,
    mut on_snapshot: impl FnMut(&Report),
    mut on_result: impl FnMut(Report),
) -> Report {
    let n = listeners
        .iter()
        .map(|l| l.sockets.len())
        .min()
        .unwrap_or(1)
        .max(1);
    let describe: Vec<String> = listeners.iter().map(Listener::describe).collect();
    let ifaces = Arc::new(IfaceRegistry::new());
    // socket i of every listener goes to worker i
    let mut per_worker: Vec<Vec<(String, Socket)>> = (0..n).map(|_| Vec::new()).collect();
    for l in listeners {
        let name = format!("{} {}", l.kind.name(), l.addr);
        for (i, s) in l.sockets.into_iter().enumerate().take(n) {
            per_worker[i].push((name.clone(), s));
        }
    }
    let rotate_ns = opts.rotate.map(|d| d.as_nanos() as i64).filter(|&r| r > 0);
    let started = now_ns();
    let first_end = rotate_ns.map(|r| (started.div_euclid(r) + 1) * r);
    let stopping = Arc::new(AtomicBool::new(false));
    let epoch = Arc::new(AtomicU64::new(0));
    let (tx, rx) = unbounded::<Msg>();
    let wcfg = WorkerConfig {
        flows_hint: opts.flows_hint.min(opts.limits.max_flows),
        limits: opts.limits,
        bin_ns: opts.sizing.bin_ns,
        talkers: opts.top_talkers > 0,
    };
    let mut handles = Vec::new();
    for (i, sockets) in per_worker.into_iter().enumerate() {
        let mut worker = Worker::new(db.clone(), wcfg);
        if let Some(h) = &opts.hairpin {
            worker = worker.with_analysis(Box::new(HairpinAnalysis::new(h.clone())));
        }
        if opts.ixp.is_some() {
            worker = worker.with_analysis(Box::new(IxpAnalysis::new()));
        }
        let ctx = WorkerCtx {
            index: i,
            worker,
            decoder: ExportDecoder::new(opts.decap, db.clone(), ifaces.clone(), opts.ixp.is_some()),
            sockets,
            tx: tx.clone(),
            stop: stopping.clone(),
            epoch: epoch.clone(),
            rotate_ns,
            interval_end: first_end,
            sample_ns: opts.sizing.sample_ns,
            bin_ns: opts.sizing.bin_ns,
            grace_ns: opts.grace.as_nanos() as i64,
        };
        handles.push(
            thread::Builder::new()
                .name(format!("collect-{i}"))
                .spawn(move || ctx.run())
                .expect("spawn collector worker thread"),
        );
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
    )
    .with_sources(SourcesSetup {
        collector_mode: Some("live".into()),
        listeners: describe,
        ixp: opts.ixp.clone(),
        interfaces: ifaces,
    });
    let t0 = Instant::now();
    let deadline = opts.duration.map(|d| t0 + d);
    let mut next_snap = opts.interval.map(|i| t0 + i);
    let mut snap: Option<(u64, Vec<SnapPart>)> = None;
    let mut done = 0;
    let mut last: Option<Report> = None;
    while done < n {
        let now = Instant::now();
        if !stopping.load(Ordering::Relaxed)
            && (stop.load(Ordering::Relaxed) || deadline.is_some_and(|d| now >= d))
        {
            stopping.store(true, Ordering::Release);
        }
        if let Some(at) = next_snap {
            if now >= at && snap.is_none() && !stopping.load(Ordering::Relaxed) {
                let e = epoch.fetch_add(1, Ordering::AcqRel) + 1;
                snap = Some((e, Vec::with_capacity(n)));
                let every = opts.interval.unwrap_or(Duration::from_secs(1));
                next_snap = Some(next_snapshot(at, every));
            }
        }
        let msg = match rx.recv_timeout(wait_for(now, deadline, next_snap)) {
            Ok(m) => m,
            Err(RecvTimeoutError::Timeout) => continue,
            Err(RecvTimeoutError::Disconnected) => break,
        };
        match msg {
            Msg::Flush(w, f) => reducer.flush(w, f),
            Msg::Handover(end, b) => {
                let (h, part, inputs) = *b;
                reducer.collector(end, &part);
                reducer.handover(end, h);
                reducer.counts(end, &Totals::default(), &inputs);
            }
            Msg::Sightings(v) => {
                for (mac, ip, vlan) in v {
                    reducer.sighting(mac, ip, vlan);
                }
            }
            Msg::Snapshot(e, w, b) => {
                if let Some((epoch_now, parts)) = &mut snap {
                    if *epoch_now == e {
                        parts.push((w, b));
                        if parts.len() == n {
                            let (_, parts) = snap.take().expect("present");
                            let end =
                                rotate_ns.map_or(WHOLE_RUN, |r| (now_ns().div_euclid(r) + 1) * r);
                            let mut r = reducer.clone();
                            let mut rest = Vec::with_capacity(n);
                            for (w, b) in parts {
                                let (f, h, part, inputs) = *b;
                                r.collector(end, &part);
                                rest.push((w, f, h, Totals::default(), inputs));
                            }
                            if let Some(rep) = r.snapshot(end, rest, None) {
                                on_snapshot(&rep);
                            }
                        }
                    }
                }
            }
            Msg::Done => done += 1,
        }
        for r in reducer.ready(None) {
            if rotate_ns.is_some() {
                on_result(r);
            } else {
                last = Some(r);
            }
        }
    }
    for h in handles {
        let _ = h.join();
    }
    let mut rest = reducer.finish(None);
    if let Some(l) = last {
        rest.insert(0, l);
    }
    let fin = rest.pop();
    for r in rest {
        on_result(r);
    }
    fin.unwrap_or_else(|| {
        let mut r = Reducer::new(ReduceConfig::default(), db)
            .finish(None)
            .pop()
            .expect("a whole-run result");
        r.partial = true;
        r
    })
}

/// One worker's answer to a snapshot.
type SnapPart = (
    usize,
    Box<(Flush, Handover, CollectorPart, Vec<InputSummary>)>,
);

/// One collector worker, moved into its thread.
struct WorkerCtx {
    index: usize,
    worker: Worker,
    decoder: ExportDecoder,
    sockets: Vec<(String, Socket)>,
    tx: Sender<Msg>,
    stop: Arc<AtomicBool>,
    epoch: Arc<AtomicU64>,
    rotate_ns: Option<i64>,
    interval_end: Option<i64>,
    sample_ns: i64,
    bin_ns: i64,
    grace_ns: i64,
}

impl WorkerCtx {
    /// Reads every socket until none has a datagram (at most `BURST` each per round);
    /// returns how many were read.
    fn read(&mut self, buf: &mut [u8], datagrams: &mut [u64]) -> usize {
        let mut total = 0;
        for (i, (_, s)) in self.sockets.iter_mut().enumerate() {
            for _ in 0..BURST {
                match s.recv(buf) {
                    Ok(Some(r)) => {
                        datagrams[i] += 1;
                        total += 1;
                        self.decoder.datagram(r.from.ip(), now_ns(), &buf[..r.len]);
                    }
                    Ok(None) | Err(_) => break,
                }
            }
        }
        let o = &mut self.decoder.out;
        self.worker.observe_sampled(&o.sampled);
        self.worker.observe_flows(&o.flows);
        self.worker.observe_counters(&o.counters);
        o.sampled.clear();
        o.flows.clear();
        o.counters.clear();
        if !o.sightings.is_empty() {
            let _ = self
                .tx
                .send(Msg::Sightings(std::mem::take(&mut o.sightings)));
        }
        total
    }

    /// Socket drops since the start, all this worker's sockets.
    fn drops(&self) -> u64 {
        self.sockets.iter().map(|(_, s)| s.drops()).sum()
    }

    /// The interval's inputs (one per listener), counting afresh.
    fn inputs(&self, datagrams: &mut [u64]) -> Vec<InputSummary> {
        self.sockets
            .iter()
            .zip(datagrams.iter_mut())
            .map(|((name, s), d)| InputSummary {
                file: name.clone(),
                format: Some(s.kind().name().to_string()),
                frames: std::mem::take(d),
                ..InputSummary::default()
            })
            .collect()
    }

    fn run(mut self) {
        let mut buf = vec![0u8; MAX_DATAGRAM];
        let mut datagrams = vec![0u64; self.sockets.len()];
        let mut reported_drops = 0u64;
        let mut seen_epoch = 0;
        loop {
            if self.stop.load(Ordering::Acquire) {
                break;
            }
            let ready =
                trombone_collect::wait(self.sockets.iter().map(|(_, s)| s), POLL_MS).unwrap_or(0);
            if ready > 0 {
                self.read(&mut buf, &mut datagrams);
            }
            let now = now_ns();
            if let (Some(r), Some(end)) = (self.rotate_ns, self.interval_end) {
                if now >= end {
                    let d = self.drops();
                    let part = self.decoder.take_part("live", Some(d - reported_drops));
                    reported_drops = d;
                    let inputs = self.inputs(&mut datagrams);
                    let h = self.worker.handover();
                    let _ = self
                        .tx
                        .send(Msg::Handover(end, Box::new((h, part, inputs))));
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
            let e = self.epoch.load(Ordering::Acquire);
            if e != seen_epoch {
                seen_epoch = e;
                let (f, h) = self.worker.snapshot();
                let d = self.drops();
                let part = self.decoder.peek_part("live", Some(d - reported_drops));
                let inputs = self
                    .sockets
                    .iter()
                    .zip(&datagrams)
                    .map(|((name, s), d)| InputSummary {
                        file: name.clone(),
                        format: Some(s.kind().name().to_string()),
                        frames: *d,
                        ..InputSummary::default()
                    })
                    .collect();
                let _ = self
                    .tx
                    .send(Msg::Snapshot(e, self.index, Box::new((f, h, part, inputs))));
            }
        }
        // what the sockets still hold
        while self.read(&mut buf, &mut datagrams) > 0 {}
        let d = self.drops();
        let part = self.decoder.take_part("live", Some(d - reported_drops));
        let inputs = self.inputs(&mut datagrams);
        let end = self.interval_end.unwrap_or(WHOLE_RUN);
        let _ = self
            .tx
            .send(Msg::Flush(self.index, self.worker.close(i64::MAX)));
        let h = self.worker.handover();
        let _ = self
            .tx
            .send(Msg::Handover(end, Box::new((h, part, inputs))));
        let _ = self.tx.send(Msg::Done);
    }
}
