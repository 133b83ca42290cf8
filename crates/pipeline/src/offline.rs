//! Offline analysis of capture files.

use crate::clock::{Stamp, TimeGate};
use crate::exports::{ExportDecoder, FileSources, Pending};
use crossbeam_channel::{bounded, unbounded, Receiver, Sender};
use std::path::PathBuf;
use std::sync::Arc;
use std::thread;
use trombone_asdb::AsDb;
use trombone_capture::CaptureReader;
use trombone_flow::FlowLimits;
use trombone_hairpin::HairpinConfig;
use trombone_packet::{Decap, PacketMeta, Parser, Skip};
use trombone_reduce::{ReduceConfig, Reducer, SizingConfig, WHOLE_RUN};
use trombone_schema::{InputSummary, Report, ToolInfo, Totals};
use trombone_worker::{
    Flush, HairpinAnalysis, Handover, IxpAnalysis, Worker, WorkerConfig, UNTIMED,
};

/// How to run an analysis.
#[derive(Clone, Debug)]
pub struct Options {
    /// Number of flow-table workers (at least 1).
    pub workers: usize,
    /// Packets per batch sent to a worker.
    pub batch: usize,
    /// Expected flows per worker, to pre-size tables.
    pub flows_hint: usize,
    /// Hairpin detection settings; `None` turns it off.
    pub hairpin: Option<Arc<HairpinConfig>>,
    /// Rate bins, samples and port sizing.
    pub sizing: SizingConfig,
    /// Flow-table cap and timeouts, per worker.
    pub limits: FlowLimits,
    /// How many top source addresses to list (0: none, the default).
    pub top_talkers: usize,
    /// Write one result per epoch-aligned interval of this length, ns (a multiple of the
    /// sample interval); `None`: one result for the whole run.
    pub rotate_ns: Option<i64>,
    /// The vantage point's name.
    pub site: Option<String>,
    /// The program and its command line, recorded in every result.
    pub tool: ToolInfo,
    /// Timestamps may go back this much within an input before they count as outliers;
    /// also how long a sample interval stays open after its end.
    pub reorder_ns: i64,
    /// BGP dumps and IXP member lists for the evidence section.
    pub evidence: Option<Arc<trombone_reduce::EvidenceSources>>,
    /// Tunnels opened besides the mirror encapsulations (`--decap`).
    pub decap: Decap,
    /// UDP destination ports whose datagrams are decoded as sFlow/NetFlow/IPFIX exports
    /// (`--decode`); empty: they are ordinary traffic.
    pub decode_ports: Vec<u16>,
    /// The IXP peering-LAN vantage's member lists (`--ixp-members`).
    pub ixp: Option<trombone_reduce::IxpSetup>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            workers: 2,
            // A batch sent may wake a sleeping worker: a futex wake that took a fifth of
            // the reader's time with 512-packet batches (perf, 2 M packets, 2 cores).
            batch: 4096,
            flows_hint: 1 << 16,
            hairpin: None,
            sizing: SizingConfig::default(),
            limits: FlowLimits::default(),
            top_talkers: 0,
            rotate_ns: None,
            site: None,
            tool: ToolInfo::this(Vec::new()),
            reorder_ns: 2_000_000_000,
            evidence: None,
            decap: Decap::default(),
            decode_ports: Vec::new(),
            ixp: None,
        }
    }
}

/// Where the reader is, for a progress display.
#[derive(Clone, Copy, Debug)]
pub struct Progress {
    /// Index of the input being read.
    pub input: usize,
    /// Bytes of that input consumed so far.
    pub offset: u64,
    /// Frames read so far over all inputs.
    pub frames: u64,
}

/// Frames between two progress callbacks.
const PROGRESS_EVERY: u64 = 1 << 16;

/// What the reader sends a worker.
enum ToWorker {
    /// Packets to account.
    Packets(Vec<PacketMeta>),
    /// Close every rate bin before this one.
    Close(i64),
    /// The interval ending at this time (ns) is over: hand its figures over.
    Rotate(i64),
    /// No more input: hand everything over for the interval ending at this time.
    Finish(i64),
    /// Sampled packets, flow records and counter increases from flow-export datagrams.
    Records(Box<Pending>),
}

/// What workers and the reader send the reducer.
enum ToReducer {
    Flush(usize, Flush),
    Handover(i64, Box<Handover>),
    Counts(i64, Totals, Vec<InputSummary>),
    /// ARP/ND sightings for the IXP vantage's MAC learning.
    Sightings(Vec<crate::exports::Sighting>),
    /// What the export decoder counted in the interval ending at this time.
    Collector(i64, Box<trombone_reduce::CollectorPart>),
}

/// Worker `i`'s channel end, pending batch and thread.
struct WorkerHandle {
    tx: Sender<ToWorker>,
    batch: Vec<PacketMeta>,
    pending: Pending,
    thread: thread::JoinHandle<()>,
}

/// The reader's bookkeeping of time: watermark, open interval, closed samples.
struct Timeline {
    newest: i64,
    interval_end: Option<i64>,
    closed_bin: i64,
    rotate_ns: Option<i64>,
    sample_ns: i64,
    bin_ns: i64,
    grace_ns: i64,
    /// The watermark below which [`advance`] has nothing to do: the next rotation or the
    /// next step of the closing point (no divisions per packet).
    due: i64,
}

/// Frames of one input in the current interval, by link type.
#[derive(Default)]
struct InputCount {
    summary: InputSummary,
    run_lt: u32,
    run_n: u64,
}

impl InputCount {
    fn frame(&mut self, lt: u32) {
        self.summary.frames += 1;
        if lt != self.run_lt {
            self.fold();
            self.run_lt = lt;
        }
        self.run_n += 1;
    }

    fn fold(&mut self) {
        if self.run_n > 0 {
            *self.summary.linktypes.entry(self.run_lt).or_default() += self.run_n;
        }
        self.run_n = 0;
    }

    /// The interval's summary so far, counting afresh from here.
    fn take(&mut self) -> InputSummary {
        self.fold();
        let s = InputSummary {
            file: self.summary.file.clone(),
            format: self.summary.format.clone(),
            ..InputSummary::default()
        };
        std::mem::replace(&mut self.summary, s)
    }
}

/// Reads every input in order, runs the pipeline and hands each result to `deliver`:
/// one for the whole run, or one per rotation interval as soon as it is complete.
///
/// An input that cannot be opened or ends in an error is recorded in its
/// [`InputSummary`] (with file and byte offset) and marks the result partial; what was
/// counted before the error is kept, and the next input is read.
pub fn analyze(
    inputs: &[PathBuf],
    db: Arc<AsDb>,
    opts: &Options,
    mut progress: impl FnMut(Progress),
    mut deliver: impl FnMut(Report),
) {
    let n = opts.workers.max(1);
    let batch_len = opts.batch.max(1);
    let (to_reducer, reducer_rx) = unbounded::<ToReducer>();
    let (done_tx, done_rx) = unbounded::<Report>();
    let (recycle_tx, recycle_rx) = bounded::<Vec<PacketMeta>>(n * 8 + 8);

    let rcfg = ReduceConfig {
        sizing: opts.sizing.clone(),
        hairpin: opts.hairpin.clone(),
        top_talkers: opts.top_talkers,
        workers: n,
        rotate_ns: opts.rotate_ns,
        site: opts.site.clone(),
        tool: opts.tool.clone(),
        count_sources: 1,
        evidence: opts.evidence.clone(),
    };
    let rdb = db.clone();
    let ifaces = Arc::new(trombone_reduce::IfaceRegistry::new());
    let mut src = FileSources {
        ports: opts.decode_ports.clone(),
        exports: (!opts.decode_ports.is_empty()).then(|| {
            ExportDecoder::new(opts.decap, db.clone(), ifaces.clone(), opts.ixp.is_some())
        }),
        learn: opts.ixp.is_some(),
        sightings: Vec::new(),
        gate: TimeGate::new(opts.reorder_ns),
    };
    let setup = (src.exports.is_some() || src.learn).then(|| trombone_reduce::SourcesSetup {
        collector_mode: src.exports.is_some().then(|| "file".to_string()),
        listeners: Vec::new(),
        ixp: opts.ixp.clone(),
        interfaces: ifaces.clone(),
    });
    let reducer = thread::Builder::new()
        .name("reducer".into())
        .spawn(move || {
            let mut r = Reducer::new(rcfg, rdb);
            if let Some(s) = setup {
                r = r.with_sources(s);
            }
            for m in reducer_rx {
                match m {
                    ToReducer::Flush(w, f) => r.flush(w, f),
                    ToReducer::Handover(end, h) => r.handover(end, *h),
                    ToReducer::Counts(end, t, i) => r.counts(end, &t, &i),
                    ToReducer::Sightings(v) => {
                        for (mac, ip, vlan) in v {
                            r.sighting(mac, ip, vlan);
                        }
                    }
                    ToReducer::Collector(end, c) => r.collector(end, &c),
                }
                for rep in r.ready(None) {
                    let _ = done_tx.send(rep);
                }
            }
            for rep in r.finish(None) {
                let _ = done_tx.send(rep);
            }
        })
        .expect("spawn reducer thread");

    let wcfg = WorkerConfig {
        flows_hint: opts.flows_hint.min(opts.limits.max_flows),
        limits: opts.limits,
        bin_ns: opts.sizing.bin_ns,
        talkers: opts.top_talkers > 0,
    };
    let mut workers: Vec<WorkerHandle> = (0..n)
        .map(|i| {
            // At most 4 batches waiting per worker (16 k packets, about 2 MB).
            let (tx, rx) = bounded::<ToWorker>(4);
            let mut worker = Worker::new(db.clone(), wcfg);
            if let Some(h) = &opts.hairpin {
                worker = worker.with_analysis(Box::new(HairpinAnalysis::new(h.clone())));
            }
            if opts.ixp.is_some() {
                worker = worker.with_analysis(Box::new(IxpAnalysis::new()));
            }
            let to_reducer = to_reducer.clone();
            let recycle_tx = recycle_tx.clone();
            let thread = thread::Builder::new()
                .name(format!("worker-{i}"))
                .spawn(move || worker_loop(i, worker, rx, recycle_tx, to_reducer))
                .expect("spawn worker thread");
            WorkerHandle {
                tx,
                batch: Vec::with_capacity(batch_len),
                pending: Pending::default(),
                thread,
            }
        })
        .collect();
    drop(recycle_tx);

    let mut tl = Timeline {
        newest: i64::MIN,
        interval_end: None,
        closed_bin: i64::MIN,
        rotate_ns: opts.rotate_ns,
        sample_ns: opts.sizing.sample_ns,
        bin_ns: opts.sizing.bin_ns,
        grace_ns: opts.reorder_ns.max(0),
        due: i64::MIN,
    };
    let mut totals = Totals::default();
    let mut frames_all = 0u64;
    let parser = Parser {
        decap: opts.decap,
        // the payload digest is for the replica matcher alone
        digest: opts.hairpin.is_some(),
    };
    // the packet being read, parsed in place and copied once, into its worker's batch
    let mut meta = PacketMeta::default();
    let mut done_inputs: Vec<InputSummary> = Vec::new();

    for (idx, path) in inputs.iter().enumerate() {
        let mut count = InputCount {
            summary: InputSummary {
                file: path.display().to_string(),
                ..InputSummary::default()
            },
            run_lt: u32::MAX,
            run_n: 0,
        };
        let mut reader = match CaptureReader::open(path) {
            Ok(r) => r,
            Err(e) => {
                count.summary.error = Some(e.to_string());
                done_inputs.push(count.summary);
                continue;
            }
        };
        count.summary.format = Some(reader.format().to_string());
        let mut gate = TimeGate::new(opts.reorder_ns);
        loop {
            let frame = match reader.next_frame() {
                Ok(Some(f)) => f,
                Ok(None) => break,
                Err(e) => {
                    count.summary.error = Some(e.to_string());
                    break;
                }
            };
            frames_all += 1;
            totals.frames += 1;
            count.frame(frame.linktype);
            // parsed in place: every field of `meta` is written
            let parsed = parser.parse_into(
                &mut meta,
                frame.linktype,
                frame.data,
                frame.wire_len,
                frame.ts_ns,
                frame.interface,
            );
            match parsed {
                Ok(()) => {
                    let mut consumed = false;
                    totals.ip_packets += 1;
                    totals.ip_bytes += u64::from(meta.l3_len);
                    totals.wire_bytes += u64::from(meta.wire_len);
                    if meta.tunnel != trombone_packet::Tunnel::None {
                        totals.decapsulated_packets += 1;
                        totals.encap_bytes += u64::from(meta.encap_len);
                    }
                    if src.learn && meta.proto == 58 {
                        learn(&mut src, frame.linktype, frame.data, &to_reducer);
                    }
                    if src.exports.is_some() {
                        let ts = match gate.check(meta.ts_ns) {
                            Stamp::Timed => meta.ts_ns,
                            _ => UNTIMED,
                        };
                        let m = PacketMeta { ts_ns: ts, ..meta };
                        let mut p: Vec<&mut Pending> =
                            workers.iter_mut().map(|h| &mut h.pending).collect();
                        if src.datagram(&m, frame.linktype, frame.data, &mut p) {
                            let t = src.exports.as_ref().and_then(|x| x.last_time);
                            if let Some(t) = t {
                                if src.gate.check(t) == Stamp::Timed && t > tl.newest {
                                    tl.newest = t;
                                    advance(
                                        &mut tl,
                                        &mut workers,
                                        &mut totals,
                                        &mut done_inputs,
                                        &mut count,
                                        &to_reducer,
                                        &mut src,
                                    );
                                }
                            }
                            for h in workers.iter_mut().filter(|h| h.pending.full(batch_len)) {
                                let full = std::mem::take(&mut h.pending);
                                let _ = h.tx.send(ToWorker::Records(Box::new(full)));
                            }
                            if src.sightings.len() >= 256 {
                                let v = std::mem::take(&mut src.sightings);
                                let _ = to_reducer.send(ToReducer::Sightings(v));
                            }
                            consumed = true;
                        }
                    }
                    if !consumed {
                        match gate.check(meta.ts_ns) {
                            Stamp::Timed => {
                                if meta.ts_ns > tl.newest {
                                    tl.newest = meta.ts_ns;
                                    advance(
                                        &mut tl,
                                        &mut workers,
                                        &mut totals,
                                        &mut done_inputs,
                                        &mut count,
                                        &to_reducer,
                                        &mut src,
                                    );
                                }
                            }
                            Stamp::Untimed => {
                                totals.untimed_frames += 1;
                                meta.ts_ns = UNTIMED;
                            }
                            Stamp::Outlier => {
                                totals.time_outliers += 1;
                                meta.ts_ns = UNTIMED;
                            }
                        }
                        let w = ((u128::from(meta.pair_hash()) * n as u128) >> 64) as usize;
                        let h = &mut workers[w];
                        // the lines this worker's batch fills 6 packets on: the batch came
                        // back from the worker's core, and the copy into it waited for them
                        // (perf: a quarter of the read loop's own samples sat on the copy)
                        let ahead = h.batch.as_ptr().wrapping_add(h.batch.len() + 6) as *const u8;
                        trombone_packet::prefetch(ahead);
                        trombone_packet::prefetch(ahead.wrapping_add(64));
                        // copied straight from `meta` (a push by value copied it twice)
                        h.batch.extend_from_slice(std::slice::from_ref(&meta));
                        if h.batch.len() >= batch_len {
                            let fresh = recycle_rx
                                .try_recv()
                                .unwrap_or_else(|_| Vec::with_capacity(batch_len));
                            let full = std::mem::replace(&mut h.batch, fresh);
                            let _ = h.tx.send(ToWorker::Packets(full));
                        }
                    }
                }
                Err(Skip::NonIp) => {
                    totals.non_ip_frames += 1;
                    if src.learn {
                        learn(&mut src, frame.linktype, frame.data, &to_reducer);
                    }
                }
                Err(Skip::Malformed) => totals.malformed_frames += 1,
                Err(Skip::Unsupported) => totals.unsupported_frames += 1,
            }
            if frames_all.is_multiple_of(PROGRESS_EVERY) {
                progress(Progress {
                    input: idx,
                    offset: reader.offset(),
                    frames: frames_all,
                });
                while let Ok(r) = done_rx.try_recv() {
                    deliver(r);
                }
            }
        }
        done_inputs.push(count.take());
    }

    let end = tl.interval_end.unwrap_or(WHOLE_RUN);
    broadcast(&mut workers, || ToWorker::Finish(end));
    src.flush(end, &to_reducer);
    let _ = to_reducer.send(ToReducer::Counts(end, totals, done_inputs));
    drop(to_reducer);
    for h in workers {
        drop(h.tx);
        h.thread.join().expect("worker thread panicked");
    }
    drop(recycle_rx);
    reducer.join().expect("reducer thread panicked");
    for r in done_rx.try_iter() {
        deliver(r);
    }
}

/// Sends every worker its pending batch, then `msg`.
fn broadcast(workers: &mut [WorkerHandle], msg: impl Fn() -> ToWorker) {
    for h in workers.iter_mut() {
        if !h.batch.is_empty() {
            // A worker only hangs up by panicking; joining it reports that.
            let _ = h.tx.send(ToWorker::Packets(std::mem::take(&mut h.batch)));
        }
        if !h.pending.obs.is_empty() {
            let p = std::mem::take(&mut h.pending);
            let _ = h.tx.send(ToWorker::Records(Box::new(p)));
        }
        let _ = h.tx.send(msg());
    }
}

/// Moves time to the reader's new watermark: rotates intervals that ended and closes
/// sample intervals past the grace period.
#[inline]
fn advance(
    tl: &mut Timeline,
    workers: &mut [WorkerHandle],
    totals: &mut Totals,
    done_inputs: &mut Vec<InputSummary>,
    count: &mut InputCount,
    to_reducer: &Sender<ToReducer>,
    src: &mut FileSources,
) {
    if tl.newest >= tl.due {
        advance_due(tl, workers, totals, done_inputs, count, to_reducer, src);
    }
}

/// [`advance`] once the watermark has reached `tl.due`.
#[cold]
#[inline(never)]
fn advance_due(
    tl: &mut Timeline,
    workers: &mut [WorkerHandle],
    totals: &mut Totals,
    done_inputs: &mut Vec<InputSummary>,
    count: &mut InputCount,
    to_reducer: &Sender<ToReducer>,
    src: &mut FileSources,
) {
    let w = tl.newest;
    if let Some(r) = tl.rotate_ns {
        match tl.interval_end {
            None => tl.interval_end = Some((w.div_euclid(r) + 1) * r),
            Some(end) if w >= end => {
                broadcast(workers, || ToWorker::Rotate(end));
                src.flush(end, to_reducer);
                let mut inputs = std::mem::take(done_inputs);
                inputs.push(count.take());
                let _ = to_reducer.send(ToReducer::Counts(end, std::mem::take(totals), inputs));
                // intervals without a packet produce no result
                tl.interval_end = Some((w.div_euclid(r) + 1) * r);
            }
            Some(_) => {}
        }
    }
    let upto = (w - tl.grace_ns).div_euclid(tl.sample_ns) * tl.sample_ns;
    let upto_bin = upto.div_euclid(tl.bin_ns);
    if upto_bin > tl.closed_bin {
        tl.closed_bin = upto_bin;
        broadcast(workers, || ToWorker::Close(upto_bin));
    }
    // nothing changes until the closing point's next step (w - grace reaching the next
    // sample boundary) or the end of the interval
    tl.due = upto
        .saturating_add(tl.sample_ns)
        .saturating_add(tl.grace_ns);
    if let (Some(_), Some(end)) = (tl.rotate_ns, tl.interval_end) {
        tl.due = tl.due.min(end);
    }
}

/// A worker thread: account batches, recycle them, close bins and hand figures over
/// when told.
fn worker_loop(
    i: usize,
    mut w: Worker,
    rx: Receiver<ToWorker>,
    recycle: Sender<Vec<PacketMeta>>,
    to_reducer: Sender<ToReducer>,
) {
    for msg in rx {
        match msg {
            ToWorker::Packets(mut batch) => {
                w.observe_batch(&batch);
                batch.clear();
                let _ = recycle.try_send(batch);
            }
            ToWorker::Close(upto) => {
                let _ = to_reducer.send(ToReducer::Flush(i, w.close(upto)));
            }
            ToWorker::Rotate(end) => {
                let _ = to_reducer.send(ToReducer::Handover(end, Box::new(w.handover())));
            }
            ToWorker::Records(p) => {
                w.observe_sampled(&p.obs.sampled);
                w.observe_flows(&p.obs.flows);
                w.observe_counters(&p.obs.counters);
            }
            ToWorker::Finish(end) => {
                let _ = to_reducer.send(ToReducer::Flush(i, w.close(i64::MAX)));
                let _ = to_reducer.send(ToReducer::Handover(end, Box::new(w.handover())));
                return;
            }
        }
    }
}

/// Runs [`analyze`] and returns the whole run's result: the one result, or the rotated
/// pieces merged (which is the same result: see [`trombone_reduce::merge`]).
pub fn analyze_all(inputs: &[PathBuf], db: Arc<AsDb>, opts: &Options) -> Report {
    let mut out = Vec::new();
    analyze(inputs, db, opts, |_| {}, |r| out.push(r));
    if out.len() == 1 {
        return out.pop().expect("one result");
    }
    let mo = trombone_reduce::MergeOptions {
        tool: opts.tool.clone(),
        ..trombone_reduce::MergeOptions::default()
    };
    trombone_reduce::merge(&out, &mo).expect("pieces of one run merge")
}

/// Offers a frame to the IXP vantage's MAC learning (ARP, IPv6 neighbour discovery).
fn learn(src: &mut FileSources, linktype: u32, data: &[u8], to_reducer: &Sender<ToReducer>) {
    if let Some(n) = trombone_packet::neighbour_sighting(linktype, data) {
        src.sightings.push((n.mac, n.ip, n.vlan));
        if src.sightings.len() >= 256 {
            let v = std::mem::take(&mut src.sightings);
            let _ = to_reducer.send(ToReducer::Sightings(v));
        }
    }
}

impl FileSources {
    /// Sends the sightings waiting and what the decoder counted in the interval ending at
    /// `end` (before the interval's frame counts, so the reducer has them when it builds).
    fn flush(&mut self, end: i64, to_reducer: &Sender<ToReducer>) {
        if !self.sightings.is_empty() {
            let v = std::mem::take(&mut self.sightings);
            let _ = to_reducer.send(ToReducer::Sightings(v));
        }
        if let Some(x) = &mut self.exports {
            let part = x.take_part("file", None);
            let _ = to_reducer.send(ToReducer::Collector(end, Box::new(part)));
        }
    }
}
