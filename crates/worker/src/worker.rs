//! The worker: its flow table, pair table, open bins and plugged-in analyses.

use crate::{
    Analysis, AsPair, Flush, PacketCtx, PairCounters, PairTable, Partial, SeriesStore, SizeBuckets,
};
use hdrhistogram::Histogram;
use rustc_hash::FxHashMap;
use std::sync::Arc;
use trombone_asdb::AsDb;
use trombone_flow::{hash_key, FlowKey, FlowLimits, FlowStatus, FlowTable, FlowValue};
use trombone_hairpin::UNTIMED;
use trombone_packet::PacketMeta;

pub(crate) mod records;

/// What a worker keeps per flow.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FlowEntry {
    /// First packet's capture time, ns since the epoch.
    pub first_ns: i64,
    /// Latest packet's capture time.
    pub last_ns: i64,
    /// Packets.
    pub packets: u64,
    /// L3 bytes.
    pub bytes: u64,
    /// Index of the flow's AS pair in the worker's pair table.
    pub pair: u32,
}

impl FlowValue for FlowEntry {
    #[inline]
    fn first_ns(&self) -> i64 {
        self.first_ns
    }
    #[inline]
    fn last_ns(&self) -> i64 {
        self.last_ns
    }
}

/// How a worker is set up.
#[derive(Clone, Copy, Debug)]
pub struct WorkerConfig {
    /// Expected flows, to pre-size the table.
    pub flows_hint: usize,
    /// Flow-table cap and timeouts.
    pub limits: FlowLimits,
    /// Rate bin width, ns.
    pub bin_ns: i64,
    /// Hand over traffic per source address (for `--top-talkers`).
    pub talkers: bool,
}

impl Default for WorkerConfig {
    fn default() -> WorkerConfig {
        WorkerConfig {
            flows_hint: 1 << 16,
            limits: FlowLimits::default(),
            bin_ns: 1_000_000_000,
            talkers: false,
        }
    }
}

/// Traffic sent by one source address (for `--top-talkers`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Talker {
    /// The address (IPv4 in the low 32 bits).
    pub addr: u128,
    /// 4 or 6.
    pub ip_version: u8,
    /// Its AS pair's source ASN.
    pub asn: u32,
    /// Its AS pair's source country.
    pub country: Option<trombone_asdb::Country>,
    /// Packets of its flows still in the table.
    pub packets: u64,
    /// Their L3 bytes.
    pub bytes: u64,
    /// Its flows still in the table.
    pub flows: u64,
}

/// One AS pair's figures over an interval.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PairFigures {
    /// The pair.
    pub pair: AsPair,
    /// Packets, bytes, flows.
    pub counters: PairCounters,
    /// L3 packet sizes in RMON-style buckets.
    pub sizes: SizeBuckets,
}

/// A worker's figures for one interval (since its previous handover).
#[derive(Debug)]
pub struct Handover {
    /// Pairs with traffic in the interval.
    pub pairs: Vec<PairFigures>,
    /// L3 sizes of every IP packet in the interval.
    pub sizes: Histogram<u64>,
    /// Earliest and latest usable timestamps in the interval.
    pub time: Option<(i64, i64)>,
    /// Flows evicted from a full table in the interval (their traffic is in the matrices).
    pub evicted_flows: u64,
    /// Flows ended by the idle or active timeout in the interval.
    pub expired_flows: u64,
    /// Flows in the table now.
    pub flows_in_table: u64,
    /// Packets whose bin had closed when they arrived, in the interval.
    pub late_packets: u64,
    /// Per source address over the flows in the table now (only when asked for).
    pub talkers: Vec<Talker>,
    /// Each analysis's figures.
    pub analyses: Vec<Partial>,
}

/// The interval's time span before any usable timestamp.
const NO_TIME: (i64, i64) = (i64::MAX, i64::MIN);

/// How many packets ahead the flow-table slot is prefetched.
const FLOW_AHEAD: usize = 6;
/// How many packets ahead analyses prepare (and prefetch) — fewer than for the flow
/// table: more outstanding misses than the core can track stall the prefetches.
const PREPARE_AHEAD: usize = 4;
/// Analyses whose preparation is pipelined (more run without it).
const MAX_PREPARED: usize = 4;
/// Length of the rings of hashes and preparations made ahead: a power of two longer
/// than either distance.
const AHEAD_RING: usize = 8;
const _: () =
    assert!(AHEAD_RING.is_power_of_two() && AHEAD_RING > FLOW_AHEAD && AHEAD_RING > PREPARE_AHEAD);

/// A packet-size histogram: 1 B to 64 KiB at 3 significant digits, growing as needed.
fn size_hist() -> Histogram<u64> {
    let mut h = Histogram::new_with_bounds(1, 1 << 20, 3).expect("valid bounds");
    h.auto(true);
    h
}

/// L3 sizes up to this (jumbo frames included) are counted exactly, one counter per
/// size, and folded into the size histogram when it is handed over or copied; larger
/// ones go straight to the histogram. Recording `n` packets of one size with
/// `record_n` gives the same histogram as recording them one by one.
const EXACT_SIZES: usize = 9216;

/// Adds the exact size counts to `h` (a size of 0 counts as 1, as when recorded
/// directly).
fn fold_sizes(exact: &[u64], h: &mut Histogram<u64>) {
    for (len, &c) in exact.iter().enumerate() {
        if c != 0 {
            // auto-resizing: any length records
            let _ = h.record_n((len as u64).max(1), c);
        }
    }
}

/// A capture worker's private state.
pub struct Worker {
    db: Arc<AsDb>,
    flows: FlowTable<FlowEntry>,
    pairs: PairTable,
    series: SeriesStore,
    sizes: Histogram<u64>,
    /// Packets per L3 size `0..=EXACT_SIZES` not yet folded into `sizes`.
    exact_sizes: Box<[u64]>,
    analyses: Vec<Box<dyn Analysis>>,
    talkers: bool,
    bin_ns: i64,
    /// The rate bin last computed and the capture times it covers, `[start, end)`:
    /// a packet in it needs no division.
    bin_cache: (i64, i64, i64),
    /// Earliest and latest usable timestamps in the interval; `(i64::MAX, i64::MIN)`
    /// when there is none (a usable timestamp is never `i64::MIN`, [`UNTIMED`]).
    time: (i64, i64),
    newest_ns: i64,
    lookups: u64,
    reported: (u64, u64, u64),
    scratch: records::RecordScratch,
}

impl Worker {
    /// A worker resolving networks with `db`.
    pub fn new(db: Arc<AsDb>, cfg: WorkerConfig) -> Worker {
        Worker {
            db,
            flows: FlowTable::new(cfg.flows_hint, cfg.limits),
            pairs: PairTable::default(),
            series: SeriesStore::default(),
            sizes: size_hist(),
            exact_sizes: vec![0; EXACT_SIZES + 1].into_boxed_slice(),
            analyses: Vec::new(),
            talkers: cfg.talkers,
            bin_ns: cfg.bin_ns.max(1),
            bin_cache: (0, 0, 0),
            time: NO_TIME,
            newest_ns: i64::MIN,
            lookups: 0,
            reported: (0, 0, 0),
            scratch: records::RecordScratch::default(),
        }
    }

    /// Plugs an analysis in: it sees every packet from now on.
    pub fn with_analysis(mut self, a: Box<dyn Analysis>) -> Worker {
        self.analyses.push(a);
        self
    }

    /// Bytes of flow table one flow costs at most.
    pub const BYTES_PER_FLOW: usize = FlowTable::<FlowEntry>::BYTES_PER_FLOW;

    /// Accounts a batch of packets, fetching the flow-table slots (and whatever the
    /// analyses prefetch) of packets a few places ahead while it updates the current one.
    pub fn observe_batch(&mut self, batch: &[PacketMeta]) {
        let na = self.analyses.len().min(MAX_PREPARED);
        // rings indexed by packet number modulo a power of two (a mask, no division),
        // longer than the distances ahead so a packet's entries are read in place
        let mut hashes = [0u64; AHEAD_RING];
        let mut prep = [[0u64; MAX_PREPARED]; AHEAD_RING];
        for (i, m) in batch.iter().take(FLOW_AHEAD).enumerate() {
            hashes[i] = self.flow_hash(m);
        }
        for (i, m) in batch.iter().take(PREPARE_AHEAD).enumerate() {
            self.prepare(m, &mut prep[i], na);
        }
        for (i, m) in batch.iter().enumerate() {
            let h = hashes[i % AHEAD_RING];
            if let Some(next) = batch.get(i + FLOW_AHEAD) {
                hashes[(i + FLOW_AHEAD) % AHEAD_RING] = self.flow_hash(next);
            }
            // (without analyses, nothing to prepare)
            if na > 0 {
                if let Some(next) = batch.get(i + PREPARE_AHEAD) {
                    self.prepare(next, &mut prep[(i + PREPARE_AHEAD) % AHEAD_RING], na);
                }
            }
            self.observe_hashed(m, h, &prep[i % AHEAD_RING]);
        }
    }

    /// Accounts one packet.
    #[inline]
    pub fn observe(&mut self, m: &PacketMeta) {
        let mut p = [0u64; MAX_PREPARED];
        let na = self.analyses.len().min(MAX_PREPARED);
        self.prepare(m, &mut p, na);
        let h = self.flow_hash(m);
        self.observe_hashed(m, h, &p);
    }

    /// A packet's flow-key hash, its table slot prefetched.
    #[inline]
    fn flow_hash(&self, m: &PacketMeta) -> u64 {
        let h = hash_key(&FlowKey::of(m));
        self.flows.prefetch(h);
        h
    }

    /// The analyses' preparation of a packet.
    #[inline]
    fn prepare(&self, m: &PacketMeta, out: &mut [u64; MAX_PREPARED], n: usize) {
        for (o, a) in out.iter_mut().zip(self.analyses.iter()).take(n) {
            *o = a.prepare(m);
        }
    }

    /// [`Worker::observe`] with the flow hash and the analyses' preparations done.
    #[inline]
    fn observe_hashed(&mut self, m: &PacketMeta, h: u64, prepared: &[u64; MAX_PREPARED]) {
        let timed = m.ts_ns != UNTIMED;
        let ts = timed.then_some(m.ts_ns);
        if timed {
            self.time = (self.time.0.min(m.ts_ns), self.time.1.max(m.ts_ns));
            self.newest_ns = self.newest_ns.max(m.ts_ns);
        }
        let l3 = u64::from(m.l3_len);
        let key = FlowKey::of(m);
        let stamp = ts.unwrap_or(self.newest_ns.max(0));
        let (db, pairs, series, lookups) = (
            &self.db,
            &mut self.pairs,
            &mut self.series,
            &mut self.lookups,
        );
        let (flow, status) = self.flows.lookup(h, &key, ts, || FlowEntry {
            first_ns: stamp,
            last_ns: stamp,
            packets: 0,
            bytes: 0,
            pair: resolve(db, pairs, series, lookups, m),
        });
        if status == FlowStatus::Restarted {
            *flow = FlowEntry {
                first_ns: stamp,
                last_ns: stamp,
                packets: 0,
                bytes: 0,
                pair: flow.pair,
            };
        }
        flow.packets += 1;
        flow.bytes += l3;
        if flow.last_ns < stamp {
            flow.last_ns = stamp;
        }
        let pair = flow.pair;
        let slot = &mut self.pairs.slots[pair as usize];
        if status != FlowStatus::Existing {
            slot.counters.flows += 1;
        }
        slot.counters.packets += 1;
        slot.counters.bytes += l3;
        slot.counters.wire_bytes += u64::from(m.wire_len);
        slot.sizes.record(m.l3_len);
        let sid = slot.series;
        let bin = ts.map(|t| self.bin_of(t));
        if let Some(b) = bin {
            self.series.add(sid, b, l3);
        }
        match self.exact_sizes.get_mut(m.l3_len as usize) {
            Some(c) => *c += 1,
            None => self.record_large(l3),
        }
        for (i, a) in self.analyses.iter_mut().enumerate() {
            let ctx = PacketCtx {
                pair,
                pairs: &self.pairs,
                bin,
                prepared: prepared.get(i).copied().unwrap_or(0),
            };
            a.packet(m, &ctx, &mut self.series);
        }
    }

    /// The rate bin of capture time `t`: `t.div_euclid(bin_ns)`, divided only when `t`
    /// is outside the bin computed last.
    #[inline]
    fn bin_of(&mut self, t: i64) -> i64 {
        let (start, end, bin) = self.bin_cache;
        if start <= t && t < end {
            bin
        } else {
            self.bin_of_new(t)
        }
    }

    /// [`Worker::bin_of`] for a time outside the cached bin: divides and caches the bin.
    #[cold]
    #[inline(never)]
    fn bin_of_new(&mut self, t: i64) -> i64 {
        let bin = t.div_euclid(self.bin_ns);
        // the bin's bounds, clamped to i64 (a bound beyond them excludes no time of the
        // bin, or only i64::MAX, which is then divided every time)
        let start = bin.saturating_mul(self.bin_ns);
        let end = bin.saturating_add(1).saturating_mul(self.bin_ns);
        self.bin_cache = (start, end, bin);
        bin
    }

    /// Records an L3 size beyond the exact counters in the size histogram.
    #[cold]
    #[inline(never)]
    fn record_large(&mut self, l3: u64) {
        // auto-resizing: any length records
        let _ = self.sizes.record(l3.max(1));
    }

    /// The interval's earliest and latest usable timestamps.
    fn time_span(&self) -> Option<(i64, i64)> {
        (self.time.1 != i64::MIN).then_some(self.time)
    }

    /// Closes every rate bin before `upto_bin` and hands the closed bins over.
    /// Closing every bin (`i64::MAX`) means the input has ended: the analyses are told
    /// ([`Analysis::end`]) before their last hand-over.
    pub fn close(&mut self, upto_bin: i64) -> Flush {
        if upto_bin == i64::MAX {
            for a in &mut self.analyses {
                a.end();
            }
        }
        self.series.close(upto_bin)
    }

    /// Hands over the figures of the interval that ends now and starts the next one;
    /// flows, open bins and the analyses' carried-over state stay.
    pub fn handover(&mut self) -> Handover {
        let mut pairs = Vec::new();
        for s in &mut self.pairs.slots {
            if !s.counters.is_zero() {
                pairs.push(PairFigures {
                    pair: s.pair,
                    counters: s.counters,
                    sizes: s.sizes,
                });
                s.counters = PairCounters::default();
                s.sizes = SizeBuckets::default();
            }
        }
        let analyses = self
            .analyses
            .iter_mut()
            .map(|a| a.take(&self.pairs))
            .collect();
        let (ev, ex, late) = (
            self.flows.evicted(),
            self.flows.expired(),
            self.series.late_packets(),
        );
        let (rev, rex, rlate) = self.reported;
        self.reported = (ev, ex, late);
        fold_sizes(&self.exact_sizes, &mut self.sizes);
        self.exact_sizes.fill(0);
        let time = self.time_span();
        self.time = NO_TIME;
        Handover {
            pairs,
            sizes: std::mem::replace(&mut self.sizes, size_hist()),
            time,
            evicted_flows: ev - rev,
            expired_flows: ex - rex,
            flows_in_table: self.flows.len() as u64,
            late_packets: late - rlate,
            talkers: self.talkers(),
            analyses,
        }
    }

    /// A copy of what closing every bin and handing over would give now, changing
    /// nothing: for periodic snapshots of a live capture.
    pub fn snapshot(&self) -> (Flush, Handover) {
        let pairs = self
            .pairs
            .slots
            .iter()
            .filter(|s| !s.counters.is_zero())
            .map(|s| PairFigures {
                pair: s.pair,
                counters: s.counters,
                sizes: s.sizes,
            })
            .collect();
        let (rev, rex, rlate) = self.reported;
        let mut sizes = self.sizes.clone();
        fold_sizes(&self.exact_sizes, &mut sizes);
        let h = Handover {
            pairs,
            sizes,
            time: self.time_span(),
            evicted_flows: self.flows.evicted() - rev,
            expired_flows: self.flows.expired() - rex,
            flows_in_table: self.flows.len() as u64,
            late_packets: self.series.late_packets() - rlate,
            talkers: self.talkers(),
            analyses: self
                .analyses
                .iter()
                .map(|a| a.snapshot(&self.pairs))
                .collect(),
        };
        (self.series.peek(), h)
    }

    /// Ends the worker: every open bin closed, the last interval handed over.
    pub fn finish(mut self) -> (Flush, Handover) {
        let f = self.close(i64::MAX);
        (f, self.handover())
    }

    /// Traffic per source address over the flows in the table.
    fn talkers(&self) -> Vec<Talker> {
        if !self.talkers {
            return Vec::new();
        }
        let mut by: FxHashMap<(u128, u8), Talker> = FxHashMap::default();
        for (k, f) in self.flows.iter() {
            let p = self.pairs.pair(f.pair);
            let t = by.entry((k.src, k.ip_version)).or_insert(Talker {
                addr: k.src,
                ip_version: k.ip_version,
                asn: p.src_asn,
                country: p.src_country,
                packets: 0,
                bytes: 0,
                flows: 0,
            });
            t.packets += f.packets;
            t.bytes += f.bytes;
            t.flows += 1;
        }
        by.into_values().collect()
    }

    /// Flows in the table.
    pub fn len(&self) -> usize {
        self.flows.len()
    }

    /// True when the table holds no flow.
    pub fn is_empty(&self) -> bool {
        self.flows.is_empty()
    }

    /// Database lookups made so far (two per flow created).
    pub fn lookups(&self) -> u64 {
        self.lookups
    }

    /// Every bin before this one has been closed.
    pub fn closed_bin(&self) -> i64 {
        self.series.closed_bin()
    }
}

/// Resolves both ends of a new flow and finds (or creates) its AS pair.
#[cold]
fn resolve(
    db: &AsDb,
    pairs: &mut PairTable,
    series: &mut SeriesStore,
    lookups: &mut u64,
    m: &PacketMeta,
) -> u32 {
    let (src, dst) = if m.ip_version == 4 {
        (db.lookup_v4(m.src as u32), db.lookup_v4(m.dst as u32))
    } else {
        (db.lookup_v6(m.src), db.lookup_v6(m.dst))
    };
    resolve_with(pairs, series, lookups, src, dst)
}

/// Finds (or creates) the AS pair of two resolved ends.
fn resolve_with(
    pairs: &mut PairTable,
    series: &mut SeriesStore,
    lookups: &mut u64,
    src: trombone_asdb::NetInfo,
    dst: trombone_asdb::NetInfo,
) -> u32 {
    *lookups += 2;
    let ap = AsPair::of(src, dst);
    pairs.index_of(ap, || series.id(crate::SeriesKey::Pair(ap)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Cell, SeriesKey};

    fn pkt(src: u32, dst: u32, sport: u16, len: u32, ts: i64) -> PacketMeta {
        PacketMeta {
            src: src.into(),
            dst: dst.into(),
            ip_version: 4,
            proto: 17,
            sport,
            dport: 53,
            l3_len: len,
            wire_len: len + 14,
            ts_ns: ts,
            ..PacketMeta::default()
        }
    }

    fn worker(limits: FlowLimits) -> Worker {
        Worker::new(
            Arc::new(AsDb::empty()),
            WorkerConfig {
                flows_hint: 16,
                limits,
                ..WorkerConfig::default()
            },
        )
    }

    #[test]
    fn counts_per_pair_bins_and_resolves_once_per_flow() {
        let mut w = worker(FlowLimits::default());
        w.observe(&pkt(1, 2, 1000, 100, 50));
        w.observe(&pkt(1, 2, 1000, 60, 10));
        w.observe(&pkt(2, 1, 53, 200, 1_500_000_000));
        assert_eq!(w.len(), 2);
        assert_eq!(w.lookups(), 4);
        let (f, h) = w.finish();
        // the empty database puts everything in one (0, None, 0, None) pair
        assert_eq!(h.pairs.len(), 1);
        let c = h.pairs[0].counters;
        assert_eq!(
            (c.packets, c.bytes, c.wire_bytes, c.flows),
            (3, 360, 402, 2)
        );
        assert_eq!(h.pairs[0].sizes.0, [1, 1, 1, 0, 0, 0, 0]);
        assert_eq!(h.sizes.len(), 3);
        assert_eq!(h.time, Some((10, 1_500_000_000)));
        assert_eq!(h.flows_in_table, 2);
        let bins: Vec<Cell> = f.cells.iter().map(|(_, c)| *c).collect();
        assert_eq!(
            bins,
            vec![
                Cell {
                    bin: 0,
                    bytes: 160,
                    packets: 2
                },
                Cell {
                    bin: 1,
                    bytes: 200,
                    packets: 1
                }
            ]
        );
        assert!(matches!(f.cells[0].0, SeriesKey::Pair(_)));
    }

    #[test]
    fn handover_starts_a_new_interval_and_flows_carry_over() {
        let mut w = worker(FlowLimits::default());
        w.observe(&pkt(1, 2, 1000, 100, 0));
        let h1 = w.handover();
        assert_eq!(h1.pairs[0].counters.flows, 1);
        w.observe(&pkt(1, 2, 1000, 100, 5_000_000_000)); // same flow: not counted again
        w.observe(&pkt(1, 2, 1001, 100, 5_000_000_001)); // a new flow
        let h2 = w.handover();
        let c = h2.pairs[0].counters;
        assert_eq!((c.packets, c.flows), (2, 1));
        assert_eq!(h2.time, Some((5_000_000_000, 5_000_000_001)));
        assert!(w.handover().pairs.is_empty());
    }

    #[test]
    fn eviction_keeps_pair_counters_exact() {
        let mut w = worker(FlowLimits {
            max_flows: 1000,
            ..FlowLimits::default()
        });
        for i in 0..100_000u32 {
            w.observe(&pkt(i, 7, (i % 1000) as u16, 100, i64::from(i)));
            assert!(w.len() <= 1000);
        }
        let (_, h) = w.finish();
        let c = h.pairs[0].counters;
        assert_eq!((c.packets, c.bytes), (100_000, 10_000_000));
        assert_eq!(c.flows, 100_000);
        assert_eq!(h.evicted_flows + h.flows_in_table, 100_000);
    }

    #[test]
    fn untimed_packets_count_but_are_not_binned() {
        let mut w = worker(FlowLimits::default());
        w.observe(&pkt(1, 2, 1, 40, 3_000_000_000));
        w.observe(&pkt(1, 2, 1, 40, UNTIMED));
        let (f, h) = w.finish();
        assert_eq!(h.pairs[0].counters.packets, 2);
        assert_eq!(h.time, Some((3_000_000_000, 3_000_000_000)));
        let binned: u64 = f.cells.iter().map(|(_, c)| c.packets).sum();
        assert_eq!(binned, 1);
    }

    /// A histogram built by recording `sizes` one by one, as the worker once did.
    fn direct(sizes: &[u32]) -> Histogram<u64> {
        let mut h = Histogram::new_with_bounds(1, 1 << 20, 3).unwrap();
        h.auto(true);
        for &s in sizes {
            h.record(u64::from(s.max(1))).unwrap();
        }
        h
    }

    /// Every recorded value and its count.
    fn values(h: &Histogram<u64>) -> Vec<(u64, u64)> {
        h.iter_recorded()
            .map(|v| (v.value_iterated_to(), v.count_at_value()))
            .collect()
    }

    /// The two histograms hold the same counts and give the same figures.
    fn assert_same(got: &Histogram<u64>, want: &Histogram<u64>) {
        assert_eq!(got, want);
        assert_eq!(values(got), values(want));
        assert_eq!(
            (got.len(), got.min(), got.max(), got.mean().to_bits()),
            (want.len(), want.min(), want.max(), want.mean().to_bits())
        );
        for q in [0.0, 0.01, 0.25, 0.5, 0.9, 0.99, 0.999, 1.0] {
            assert_eq!(got.value_at_quantile(q), want.value_at_quantile(q));
        }
    }

    #[test]
    fn size_histogram_is_the_one_recorded_packet_by_packet() {
        // sizes 0 and 1, around the exact counters' bound, jumbo, beyond any frame
        let first: Vec<u32> = [0, 1, 1, 2, 40, 64, 576, 1500, 1500, 9000, 9215]
            .into_iter()
            .chain([9216, 9217, 9217, 20_000, 65_535, 70_000, 2_000_000])
            .chain((0..3000).map(|i| (i * 7919) % 12_000))
            .collect();
        let second: Vec<u32> = [0, 0, 9216, 9217, 1500, 3_000_000, 77]
            .into_iter()
            .chain((0..500).map(|i| (i * 104_729) % 70_000))
            .collect();
        let mut w = worker(FlowLimits::default());
        for (i, &len) in first.iter().enumerate() {
            w.observe(&pkt(1, 2, i as u16, len, i as i64));
        }
        // a snapshot folds a copy and changes nothing
        assert_same(&w.snapshot().1.sizes, &direct(&first));
        assert_same(&w.snapshot().1.sizes, &direct(&first));
        let h1 = w.handover();
        assert_same(&h1.sizes, &direct(&first));
        // the hand-over emptied the counters: the next interval has only its own packets
        for (i, &len) in second.iter().enumerate() {
            w.observe(&pkt(3, 4, i as u16, len, 10_000 + i as i64));
        }
        assert_same(&w.snapshot().1.sizes, &direct(&second));
        let (_, h2) = w.finish();
        assert_same(&h2.sizes, &direct(&second));
        // an interval without packets has no sizes and no time span
        let mut w = worker(FlowLimits::default());
        w.observe(&pkt(1, 2, 1, 100, 0));
        w.handover();
        let empty = w.handover();
        assert!(empty.sizes.is_empty());
        assert_eq!(empty.time, None);
    }

    #[test]
    fn rate_bins_are_divisions_whatever_the_order_and_sign() {
        let bin = 1_000_000_000i64;
        let times = [
            0,
            1,
            bin - 1,
            bin,
            bin + 1,
            -1,
            -bin,
            -bin - 1,
            5 * bin + 3,
            4 * bin,
            5 * bin - 1,
            5 * bin,
            i64::MAX,
            i64::MAX - 1,
            i64::MIN + 1,
            i64::MIN + 2,
            -1,
            0,
        ];
        for width in [bin, 1, 3, 7] {
            let mut w = Worker::new(
                Arc::new(AsDb::empty()),
                WorkerConfig {
                    flows_hint: 16,
                    bin_ns: width,
                    ..WorkerConfig::default()
                },
            );
            for &t in &times {
                assert_eq!(w.bin_of(t), t.div_euclid(width), "{t} in bins of {width}");
            }
        }
    }

    #[test]
    fn vlan_separates_flows() {
        let mut w = worker(FlowLimits::default());
        let mut a = pkt(1, 2, 1, 40, 0);
        w.observe(&a);
        a.vlan = 100;
        w.observe(&a);
        assert_eq!(w.len(), 2);
        assert_eq!(w.finish().1.pairs[0].counters.flows, 2);
    }
}
