//! The worker: its flow table, its AS pair table and its hairpin state.

use crate::flowmap::{hash_key, FlowMap};
use crate::{AsPair, FlowKey, PairCounters, Series};
use hdrhistogram::Histogram;
use rustc_hash::FxHashMap;
use std::sync::Arc;
use trombone_asdb::AsDb;
use trombone_hairpin::{
    replica_fingerprint, Direction, HairpinConfig, HairpinState, MatcherStats, PairHairpin,
    PairRef, Verdict,
};
use trombone_packet::PacketMeta;

/// Default width of a rate bin: one second.
pub const DEFAULT_BIN_NS: i64 = 1_000_000_000;

/// Counters of one flow and what was resolved when it was created.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FlowStats {
    /// Packets seen.
    pub packets: u64,
    /// L3 bytes (from the IP header).
    pub bytes: u64,
    /// Timestamp of the first packet, ns since the epoch.
    pub first_ns: i64,
    /// Timestamp of the last packet, ns since the epoch.
    pub last_ns: i64,
    /// The flow's AS pair and the zone membership of its ends.
    pub pair: PairRef,
}

/// Everything a worker keeps per AS pair.
#[derive(Clone, Debug)]
pub struct PairOutput {
    /// The pair.
    pub pair: AsPair,
    /// Packets, bytes, flows.
    pub counters: PairCounters,
    /// Bytes and packets per bin.
    pub series: Series,
    /// L3 packet sizes in RMON-style buckets.
    pub sizes: SizeBuckets,
    /// Unique hairpinned bytes and packets per bin (empty without hairpin analysis).
    pub hairpin_series: Series,
}

/// Upper bounds (inclusive, L3 bytes) of the packet-size buckets, after RFC 2819's
/// etherStatsPkts64…1518Octets ranges; the last bucket holds everything larger.
pub const SIZE_BUCKET_BOUNDS: [u32; 6] = [64, 127, 255, 511, 1023, 1499];

/// Packets per size bucket (see [`SIZE_BUCKET_BOUNDS`]): a few counters that
/// stay in cache, where a per-pair histogram would not.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SizeBuckets(pub [u64; 7]);

impl SizeBuckets {
    /// Counts one packet of `len` bytes.
    #[inline]
    pub fn record(&mut self, len: u32) {
        let i = SIZE_BUCKET_BOUNDS
            .iter()
            .position(|&b| len <= b)
            .unwrap_or(6);
        self.0[i] += 1;
    }

    /// Adds another set of counts.
    pub fn add(&mut self, o: &SizeBuckets) {
        for (a, b) in self.0.iter_mut().zip(o.0.iter()) {
            *a += b;
        }
    }
}

/// Bytes and packets per bin crossing one link, by direction.
#[derive(Clone, Debug, Default)]
pub struct LinkSeries {
    /// Came in from the neighbour.
    pub inbound: Series,
    /// Went out to the neighbour.
    pub outbound: Series,
    /// Direction unknown (no MAC to tell).
    pub unknown: Series,
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

/// What a worker hands to the reducer.
#[derive(Debug, Default)]
pub struct WorkerOutput {
    /// Everything per AS pair.
    pub pairs: Vec<PairOutput>,
    /// Hairpin figures per AS pair (same order as `pairs`, possibly shorter), if hairpin analysis ran.
    pub hairpin: Option<Vec<PairHairpin>>,
    /// Per link (in links-file order) series; empty without a links file.
    pub links: Vec<LinkSeries>,
    /// The replica matcher's housekeeping counters.
    pub matcher: MatcherStats,
    /// Packets left out of time series because their timestamp was absurdly far from the rest.
    pub unbinned_packets: u64,
    /// L3 sizes of every IP packet the worker saw.
    pub sizes: Option<Histogram<u64>>,
    /// Flows alive in the table at the end.
    pub flows_in_table: u64,
    /// Flows evicted from a full table (their traffic is in the matrices).
    pub evicted_flows: u64,
    /// Flows ended by the idle or active timeout.
    pub expired_flows: u64,
    /// Per source address, when asked for with [`Worker::with_talkers`].
    pub talkers: Vec<Talker>,
    /// Earliest and latest packet timestamps seen.
    pub time: Option<(i64, i64)>,
}

/// Bounds on a worker's flow table, as flow exporters have them.
///
/// Evicting a flow loses only its per-flow detail: its packets and bytes
/// are already in its AS pair's counters, so the matrices stay exact. A flow
/// seen again after eviction is created anew and counted again in `flows`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FlowLimits {
    /// Most flows in the table; when full, idle flows and then the least
    /// recently active half are evicted.
    pub max_flows: usize,
    /// A flow with no packet for this long (capture time) is ended; 0 = never.
    pub idle_timeout_ns: i64,
    /// A flow older than this (capture time) is ended and restarted; 0 = never.
    pub active_timeout_ns: i64,
}

impl Default for FlowLimits {
    /// No timeouts and a cap of 16 M flows.
    fn default() -> FlowLimits {
        FlowLimits {
            max_flows: 1 << 24,
            idle_timeout_ns: 0,
            active_timeout_ns: 0,
        }
    }
}

/// Bytes of table one flow costs at most: its slot (key, counters, tag) times
/// two, as the table is kept at most half full (4× just after doubling).
pub const BYTES_PER_FLOW: usize = 2 * FlowMap::SLOT_BYTES;

/// How many packets ahead the flow-table slot is prefetched.
const FLOW_AHEAD: usize = 6;
/// How many packets ahead the replica matcher's bucket is prefetched (fewer
/// than for the flow table: more outstanding misses than the core can track
/// stall the prefetches themselves).
const REPLICA_AHEAD: usize = 4;

/// Packets between two checks of the timeouts.
const TIMEOUT_CHECK_EVERY: u64 = 1 << 16;

/// A capture worker's private state.
pub struct Worker {
    db: Arc<AsDb>,
    table: FlowMap,
    limits: FlowLimits,
    talkers: bool,
    evicted: u64,
    expired: u64,
    packets: u64,
    last_sweep_ns: i64,
    pair_index: FxHashMap<AsPair, u32>,
    pairs: Vec<PairOutput>,
    hairpin: Option<HairpinState>,
    links: Vec<LinkSeries>,
    sizes: Histogram<u64>,
    bin_ns: i64,
    unbinned: u64,
    lookups: u64,
    first_ns: i64,
    last_ns: i64,
}

/// A packet-size histogram: 1 B to 64 KiB at 3 significant digits.
fn size_hist() -> Histogram<u64> {
    let mut h = Histogram::new_with_bounds(1, 1 << 20, 3).expect("valid bounds");
    h.auto(true);
    h
}

impl Worker {
    /// A worker resolving networks with `db`, its table pre-sized for
    /// `flows_hint` flows, binning rates every `bin_ns` nanoseconds; with
    /// `hairpin`, it also runs hairpin detection.
    pub fn new(
        db: Arc<AsDb>,
        flows_hint: usize,
        bin_ns: i64,
        hairpin: Option<Arc<HairpinConfig>>,
    ) -> Worker {
        let table = FlowMap::with_capacity(flows_hint);
        let links = hairpin.as_ref().map_or(0, |h| h.links.links.len());
        Worker {
            db,
            table,
            limits: FlowLimits::default(),
            talkers: false,
            evicted: 0,
            expired: 0,
            packets: 0,
            last_sweep_ns: i64::MIN,
            pair_index: FxHashMap::default(),
            pairs: Vec::new(),
            hairpin: hairpin.map(HairpinState::new),
            links: vec![LinkSeries::default(); links],
            sizes: size_hist(),
            bin_ns: bin_ns.max(1),
            unbinned: 0,
            lookups: 0,
            first_ns: i64::MAX,
            last_ns: i64::MIN,
        }
    }

    /// Sets the bounds of the flow table (the table is pre-sized no larger than the cap).
    pub fn with_limits(mut self, limits: FlowLimits) -> Worker {
        self.limits = FlowLimits {
            max_flows: limits.max_flows.max(1),
            ..limits
        };
        if self.table.capacity() > self.limits.max_flows * 2 {
            self.table = FlowMap::with_capacity(self.limits.max_flows);
        }
        self
    }

    /// Also hands over traffic per source address at the end (for top talkers).
    pub fn with_talkers(mut self, on: bool) -> Worker {
        self.talkers = on;
        self
    }

    /// Traffic per source address over the flows in the table.
    fn talkers(&self) -> Vec<Talker> {
        if !self.talkers {
            return Vec::new();
        }
        let mut by: FxHashMap<(u128, u8), Talker> = FxHashMap::default();
        for (k, s) in self.table.iter() {
            let p = &self.pairs[s.pair.idx as usize].pair;
            let t = by.entry((k.src, k.ip_version)).or_insert(Talker {
                addr: k.src,
                ip_version: k.ip_version,
                asn: p.src_asn,
                country: p.src_country,
                packets: 0,
                bytes: 0,
                flows: 0,
            });
            t.packets += s.packets;
            t.bytes += s.bytes;
            t.flows += 1;
        }
        by.into_values().collect()
    }

    /// Accounts a batch of packets, fetching the flow-table slots (and, with
    /// hairpin analysis, the replica matcher's buckets) of packets a few
    /// places ahead while it updates the current one.
    pub fn observe_batch(&mut self, batch: &[PacketMeta]) {
        let mut hashes = [0u64; FLOW_AHEAD];
        let mut fps = [0u64; REPLICA_AHEAD];
        for (i, m) in batch.iter().take(FLOW_AHEAD).enumerate() {
            hashes[i] = self.flow_hash(m);
        }
        for (i, m) in batch.iter().take(REPLICA_AHEAD).enumerate() {
            fps[i] = self.replica_fp(m);
        }
        for (i, m) in batch.iter().enumerate() {
            let h = hashes[i % FLOW_AHEAD];
            let fp = fps[i % REPLICA_AHEAD];
            if let Some(next) = batch.get(i + FLOW_AHEAD) {
                hashes[i % FLOW_AHEAD] = self.flow_hash(next);
            }
            if let Some(next) = batch.get(i + REPLICA_AHEAD) {
                fps[i % REPLICA_AHEAD] = self.replica_fp(next);
            }
            self.observe_hashed(m, h, fp);
        }
    }

    /// A packet's flow-key hash, its table slot prefetched.
    #[inline]
    fn flow_hash(&self, m: &PacketMeta) -> u64 {
        let h = hash_key(&FlowKey::of(m));
        self.table.prefetch(h);
        h
    }

    /// A packet's replica fingerprint (0 without hairpin analysis), its
    /// matcher bucket prefetched.
    #[inline]
    fn replica_fp(&self, m: &PacketMeta) -> u64 {
        match &self.hairpin {
            Some(hp) => {
                let fp = replica_fingerprint(m);
                hp.prefetch(fp);
                fp
            }
            None => 0,
        }
    }

    /// Accounts one packet to its flow and AS pair, creating the flow (and
    /// resolving its networks) on first sight.
    #[inline]
    pub fn observe(&mut self, m: &PacketMeta) {
        let (h, fp) = (self.flow_hash(m), self.replica_fp(m));
        self.observe_hashed(m, h, fp);
    }

    /// [`Worker::observe`] with the key's hash and replica fingerprint already computed.
    #[inline]
    fn observe_hashed(&mut self, m: &PacketMeta, h: u64, fp: u64) {
        let key = FlowKey::of(m);
        let l3 = u64::from(m.l3_len);
        self.first_ns = self.first_ns.min(m.ts_ns);
        self.last_ns = self.last_ns.max(m.ts_ns);
        self.packets += 1;
        if self.packets.is_multiple_of(TIMEOUT_CHECK_EVERY) {
            self.expire();
        }
        let active = self.limits.active_timeout_ns;
        let pair = match self.table.get_mut(h, &key) {
            Some(s) if active > 0 && m.ts_ns - s.first_ns > active => {
                // Active timeout: the flow ends here and starts again.
                self.expired += 1;
                let pair = s.pair;
                *s = FlowStats {
                    packets: 1,
                    bytes: l3,
                    first_ns: m.ts_ns,
                    last_ns: m.ts_ns,
                    pair,
                };
                self.pairs[pair.idx as usize].counters.flows += 1;
                pair
            }
            Some(s) => {
                s.packets += 1;
                s.bytes += l3;
                s.first_ns = s.first_ns.min(m.ts_ns);
                s.last_ns = s.last_ns.max(m.ts_ns);
                s.pair
            }
            None => {
                if self.table.len() >= self.limits.max_flows {
                    self.evict();
                }
                let pair = self.new_flow(m);
                self.table.insert(
                    h,
                    key,
                    FlowStats {
                        packets: 1,
                        bytes: l3,
                        first_ns: m.ts_ns,
                        last_ns: m.ts_ns,
                        pair,
                    },
                );
                pair
            }
        };
        let bin = m.ts_ns.div_euclid(self.bin_ns);
        let p = &mut self.pairs[pair.idx as usize];
        p.counters.packets += 1;
        p.counters.bytes += l3;
        p.counters.wire_bytes += u64::from(m.wire_len);
        if !p.series.add(bin, l3) {
            self.unbinned += 1;
        }
        p.sizes.record(m.l3_len);
        // auto-resizing: any length records
        let _ = self.sizes.record(l3.max(1));
        if let Some(h) = &mut self.hairpin {
            let s = h.config().links.identify(m);
            if let Some(l) = s.link {
                let ls = &mut self.links[usize::from(l)];
                let series = match s.direction {
                    Direction::In => &mut ls.inbound,
                    Direction::Out => &mut ls.outbound,
                    Direction::Unknown => &mut ls.unknown,
                };
                series.add(bin, l3);
            }
            if h.observe(m, pair, s, fp) == Verdict::Hairpin {
                self.pairs[pair.idx as usize].hairpin_series.add(bin, l3);
            }
        }
    }

    /// Ends flows past their idle timeout (capture time), if one is set.
    fn expire(&mut self) {
        let idle = self.limits.idle_timeout_ns;
        if idle <= 0 || self.last_ns == i64::MIN {
            return;
        }
        // at most once per second of capture time
        if self.last_ns - self.last_sweep_ns < 1_000_000_000 {
            return;
        }
        self.last_sweep_ns = self.last_ns;
        let horizon = self.last_ns.saturating_sub(idle);
        self.expired += self.table.retain(|_, s| s.last_ns >= horizon) as u64;
    }

    /// Makes room in a full table: idle flows first, then the least recently
    /// active half (cut at the median last-seen time of a sample).
    #[cold]
    fn evict(&mut self) {
        let idle = self.limits.idle_timeout_ns;
        if idle > 0 {
            let horizon = self.last_ns.saturating_sub(idle);
            self.expired += self.table.retain(|_, s| s.last_ns >= horizon) as u64;
        }
        if self.table.len() * 10 >= self.limits.max_flows * 9 {
            let step = (self.table.len() / 256).max(1);
            let mut sample: Vec<i64> = self
                .table
                .values()
                .step_by(step)
                .map(|s| s.last_ns)
                .collect();
            sample.sort_unstable();
            let cut = sample[sample.len() / 2];
            let n = self.table.len();
            let mut removed = self.table.retain(|_, s| s.last_ns > cut);
            if removed == 0 {
                // every sampled flow shares one timestamp: drop them all
                self.table.clear();
                removed = n;
            }
            self.evicted += removed as u64;
        }
    }

    /// Resolves both ends of a new flow and finds (or creates) its AS pair.
    #[cold]
    fn new_flow(&mut self, m: &PacketMeta) -> PairRef {
        self.lookups += 2;
        let (src, dst) = if m.ip_version == 4 {
            (
                self.db.lookup_v4(m.src as u32),
                self.db.lookup_v4(m.dst as u32),
            )
        } else {
            (self.db.lookup_v6(m.src), self.db.lookup_v6(m.dst))
        };
        let ap = AsPair::of(src, dst);
        let idx = match self.pair_index.get(&ap) {
            Some(&i) => i,
            None => {
                let i = self.pairs.len() as u32;
                self.pairs.push(PairOutput {
                    pair: ap,
                    counters: PairCounters::default(),
                    series: Series::default(),
                    sizes: SizeBuckets::default(),
                    hairpin_series: Series::default(),
                });
                self.pair_index.insert(ap, i);
                i
            }
        };
        self.pairs[idx as usize].counters.flows += 1;
        let (src_local, dst_local) = match &self.hairpin {
            Some(h) => {
                let zone = &h.config().zone;
                (zone.contains(src.country), zone.contains(dst.country))
            }
            None => (false, false),
        };
        PairRef {
            idx,
            src_local,
            dst_local,
        }
    }

    /// Number of flows currently in the table.
    pub fn len(&self) -> usize {
        self.table.len()
    }

    /// True when the table holds no flow.
    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    /// Database lookups made so far (two per flow created).
    pub fn lookups(&self) -> u64 {
        self.lookups
    }

    /// A copy of the worker's figures so far (cumulative since it started),
    /// for periodic snapshots of a live capture; the worker carries on.
    pub fn snapshot(&self) -> WorkerOutput {
        let (hairpin, matcher) = match &self.hairpin {
            Some(h) => {
                let (p, s) = h.snapshot();
                (Some(p), s)
            }
            None => (None, MatcherStats::default()),
        };
        WorkerOutput {
            pairs: self.pairs.clone(),
            hairpin,
            links: self.links.clone(),
            matcher,
            unbinned_packets: self.unbinned,
            sizes: Some(self.sizes.clone()),
            flows_in_table: self.table.len() as u64,
            evicted_flows: self.evicted,
            expired_flows: self.expired,
            talkers: self.talkers(),
            time: (self.first_ns <= self.last_ns).then_some((self.first_ns, self.last_ns)),
        }
    }

    /// Ends the worker and hands its figures over (a final snapshot: the
    /// one copy it costs happens once, at the end).
    pub fn finish(self) -> WorkerOutput {
        self.snapshot()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn counts_per_pair_and_resolves_once_per_flow() {
        let mut w = Worker::new(Arc::new(AsDb::empty()), 16, DEFAULT_BIN_NS, None);
        w.observe(&pkt(1, 2, 1000, 100, 50));
        w.observe(&pkt(1, 2, 1000, 60, 10));
        w.observe(&pkt(2, 1, 53, 200, 1_500_000_000));
        assert_eq!(w.len(), 2);
        assert_eq!(w.lookups(), 4);
        let out = w.finish();
        // the empty database puts everything in one (0, None, 0, None) pair
        assert_eq!(out.pairs.len(), 1);
        let p = &out.pairs[0];
        let c = p.counters;
        assert_eq!(
            (c.packets, c.bytes, c.wire_bytes, c.flows),
            (3, 360, 402, 2)
        );
        assert_eq!(p.series.bins(), &[[160, 2], [200, 1]]);
        assert_eq!(p.sizes.0, [1, 1, 1, 0, 0, 0, 0]);
        assert_eq!(out.sizes.as_ref().unwrap().len(), 3);
        assert_eq!(out.time, Some((10, 1_500_000_000)));
        assert_eq!(out.flows_in_table, 2);
        assert!(out.hairpin.is_none());
        assert!(out.links.is_empty());
    }

    #[test]
    fn size_buckets_edges() {
        let mut b = SizeBuckets::default();
        for len in [0, 64, 65, 127, 128, 1499, 1500, 9000] {
            b.record(len);
        }
        assert_eq!(b.0, [2, 2, 1, 0, 0, 1, 2]);
    }

    #[test]
    fn eviction_keeps_pair_counters_exact() {
        let limits = FlowLimits {
            max_flows: 1000,
            ..FlowLimits::default()
        };
        let mut w =
            Worker::new(Arc::new(AsDb::empty()), 1000, DEFAULT_BIN_NS, None).with_limits(limits);
        for i in 0..100_000u32 {
            w.observe(&pkt(i, 7, (i % 1000) as u16, 100, i64::from(i)));
            assert!(w.len() <= 1000);
        }
        let out = w.finish();
        let c = out.pairs[0].counters;
        assert_eq!((c.packets, c.bytes), (100_000, 10_000_000));
        // every packet is its own flow here: created = evicted + left in the table
        assert_eq!(c.flows, 100_000);
        assert_eq!(out.evicted_flows + out.flows_in_table, 100_000);
        assert!(out.evicted_flows >= 99_000);
    }

    #[test]
    fn timeouts_end_flows() {
        let limits = FlowLimits {
            max_flows: 1 << 20,
            idle_timeout_ns: 15_000_000_000,
            active_timeout_ns: 60_000_000_000,
        };
        let mut w =
            Worker::new(Arc::new(AsDb::empty()), 16, DEFAULT_BIN_NS, None).with_limits(limits);
        let s = 1_000_000_000i64;
        // one long flow with a packet every 10 s for 200 s: restarted by the
        // active timeout at 70 s, 140 s (each start + 60 s exceeded)
        for t in 0..=20 {
            w.observe(&pkt(1, 2, 1, 100, t * 10 * s));
        }
        let out = w.finish();
        assert_eq!(out.pairs[0].counters.flows, 3);
        assert_eq!(out.expired_flows, 2);
        assert_eq!(out.pairs[0].counters.packets, 21);
    }

    #[test]
    fn vlan_separates_flows() {
        let mut w = Worker::new(Arc::new(AsDb::empty()), 0, DEFAULT_BIN_NS, None);
        let mut a = pkt(1, 2, 1, 40, 0);
        w.observe(&a);
        a.vlan = 100;
        w.observe(&a);
        assert_eq!(w.len(), 2);
        assert_eq!(w.finish().pairs[0].counters.flows, 2);
    }

    #[test]
    fn absurd_timestamps_are_counted_not_binned() {
        let mut w = Worker::new(Arc::new(AsDb::empty()), 0, DEFAULT_BIN_NS, None);
        w.observe(&pkt(1, 2, 1, 40, 0));
        w.observe(&pkt(1, 2, 1, 40, i64::MAX));
        let out = w.finish();
        assert_eq!(out.unbinned_packets, 1);
        assert_eq!(out.pairs[0].counters.packets, 2);
    }
}
