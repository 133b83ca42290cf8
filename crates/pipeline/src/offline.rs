//! Offline analysis of capture files.

use crossbeam_channel::{bounded, Receiver, Sender};
use std::path::PathBuf;
use std::sync::Arc;
use std::thread;
use trombone_asdb::AsDb;
use trombone_capture::CaptureReader;
use trombone_flow::{FlowLimits, Worker, WorkerOutput};
use trombone_hairpin::HairpinConfig;
use trombone_packet::{PacketMeta, Skip};
use trombone_reduce::{InputSummary, Reducer, Report, SizingConfig, Totals};

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
}

impl Default for Options {
    fn default() -> Options {
        Options {
            workers: 2,
            batch: 512,
            flows_hint: 1 << 16,
            hairpin: None,
            sizing: SizingConfig::default(),
            limits: FlowLimits::default(),
            top_talkers: 0,
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

/// Worker `i`'s channel ends and thread.
struct WorkerHandle {
    tx: Sender<Vec<PacketMeta>>,
    batch: Vec<PacketMeta>,
    thread: thread::JoinHandle<()>,
}

/// Reads every input in order, runs the pipeline and returns the report.
///
/// An input that cannot be opened or ends in an error is recorded in its
/// [`InputSummary`] (with file and byte offset) and marks the report
/// partial; what was counted before the error is kept, and the next input
/// is read.
pub fn analyze(
    inputs: &[PathBuf],
    db: Arc<AsDb>,
    opts: &Options,
    mut progress: impl FnMut(Progress),
) -> Report {
    let n = opts.workers.max(1);
    let batch_len = opts.batch.max(1);
    let (flow_tx, flow_rx) = bounded::<WorkerOutput>(n);
    let (recycle_tx, recycle_rx) = bounded::<Vec<PacketMeta>>(n * 8 + 8);

    let sizing = opts.sizing.clone();
    let top_talkers = opts.top_talkers;
    let reducer = thread::Builder::new()
        .name("reducer".into())
        .spawn(move || {
            let mut r = Reducer::with_sizing(sizing);
            r.set_top_talkers(top_talkers);
            for out in flow_rx {
                r.add_worker(out);
            }
            r
        })
        .expect("spawn reducer thread");

    let mut workers: Vec<WorkerHandle> = (0..n)
        .map(|i| {
            let (tx, rx) = bounded::<Vec<PacketMeta>>(8);
            let db = db.clone();
            let flow_tx = flow_tx.clone();
            let recycle_tx = recycle_tx.clone();
            let worker = Worker::new(
                db,
                opts.flows_hint.min(opts.limits.max_flows),
                opts.sizing.bin_ns,
                opts.hairpin.clone(),
            )
            .with_limits(opts.limits)
            .with_talkers(opts.top_talkers > 0);
            let thread = thread::Builder::new()
                .name(format!("worker-{i}"))
                .spawn(move || worker_loop(worker, rx, recycle_tx, flow_tx))
                .expect("spawn worker thread");
            WorkerHandle {
                tx,
                batch: Vec::with_capacity(batch_len),
                thread,
            }
        })
        .collect();
    drop(flow_tx);
    drop(recycle_tx);

    let mut totals = Totals::default();
    let mut summaries = Vec::with_capacity(inputs.len());
    for (idx, path) in inputs.iter().enumerate() {
        let mut summary = InputSummary {
            file: path.display().to_string(),
            ..InputSummary::default()
        };
        let mut reader = match CaptureReader::open(path) {
            Ok(r) => r,
            Err(e) => {
                summary.error = Some(e.to_string());
                summaries.push(summary);
                continue;
            }
        };
        summary.format = Some(reader.format().to_string());
        let mut linktypes: Vec<(u32, u64)> = Vec::new();
        // frames of the current run of one link type, folded into `linktypes` when it changes
        let (mut run_lt, mut run_n) = (u32::MAX, 0u64);
        loop {
            let frame = match reader.next_frame() {
                Ok(Some(f)) => f,
                Ok(None) => break,
                Err(e) => {
                    summary.error = Some(e.to_string());
                    break;
                }
            };
            totals.frames += 1;
            summary.frames += 1;
            if frame.linktype != run_lt {
                add_run(&mut linktypes, run_lt, run_n);
                (run_lt, run_n) = (frame.linktype, 0);
            }
            run_n += 1;
            match trombone_packet::parse(
                frame.linktype,
                frame.data,
                frame.wire_len,
                frame.ts_ns,
                frame.interface,
            ) {
                Ok(meta) => {
                    totals.ip_packets += 1;
                    totals.ip_bytes += u64::from(meta.l3_len);
                    totals.wire_bytes += u64::from(meta.wire_len);
                    let w = ((u128::from(meta.pair_hash()) * n as u128) >> 64) as usize;
                    let h = &mut workers[w];
                    h.batch.push(meta);
                    if h.batch.len() >= batch_len {
                        let fresh = recycle_rx
                            .try_recv()
                            .unwrap_or_else(|_| Vec::with_capacity(batch_len));
                        let full = std::mem::replace(&mut h.batch, fresh);
                        // A worker only hangs up by panicking; its flows are lost
                        // then, and joining it below reports the panic.
                        let _ = h.tx.send(full);
                    }
                }
                Err(Skip::NonIp) => totals.non_ip_frames += 1,
                Err(Skip::Malformed) => totals.malformed_frames += 1,
                Err(Skip::Unsupported) => totals.unsupported_frames += 1,
            }
            if totals.frames % PROGRESS_EVERY == 0 {
                progress(Progress {
                    input: idx,
                    offset: reader.offset(),
                    frames: totals.frames,
                });
            }
        }
        add_run(&mut linktypes, run_lt, run_n);
        summary.linktypes = linktypes.into_iter().collect();
        summaries.push(summary);
    }

    for h in workers.iter_mut() {
        if !h.batch.is_empty() {
            let _ = h.tx.send(std::mem::take(&mut h.batch));
        }
    }
    for h in workers {
        drop(h.tx);
        h.thread.join().expect("worker thread panicked");
    }
    drop(recycle_rx);
    let mut reducer = reducer.join().expect("reducer thread panicked");
    reducer.add_counts(&totals);
    reducer.finish(&db, summaries, opts.hairpin.as_deref())
}

/// Adds `n` frames of link type `lt` to the per-link-type counts.
fn add_run(counts: &mut Vec<(u32, u64)>, lt: u32, n: u64) {
    if n == 0 {
        return;
    }
    match counts.iter_mut().find(|(l, _)| *l == lt) {
        Some((_, c)) => *c += n,
        None => counts.push((lt, n)),
    }
}

/// A worker thread: apply batches to the flow table, recycle them, and hand
/// its figures to the reducer when the reader hangs up.
fn worker_loop(
    mut w: Worker,
    rx: Receiver<Vec<PacketMeta>>,
    recycle: Sender<Vec<PacketMeta>>,
    to_reducer: Sender<WorkerOutput>,
) {
    for mut batch in rx {
        w.observe_batch(&batch);
        batch.clear();
        let _ = recycle.try_send(batch);
    }
    let _ = to_reducer.send(w.finish());
}
