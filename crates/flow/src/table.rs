//! The worker: its flow table, its AS pair table and its hairpin state.

use crate::{AsPair, FlowKey, PairCounters, Series};
use hdrhistogram::Histogram;
use rustc_hash::FxHashMap;
use std::sync::Arc;
use trombone_asdb::AsDb;
use trombone_hairpin::{
    Direction, HairpinConfig, HairpinState, MatcherStats, PairHairpin, PairRef, Verdict,
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
    /// Earliest and latest packet timestamps seen.
    pub time: Option<(i64, i64)>,
}

/// A capture worker's private state.
pub struct Worker {
    db: Arc<AsDb>,
    table: FxHashMap<FlowKey, FlowStats>,
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
        let mut table = FxHashMap::default();
        table.reserve(flows_hint);
        let links = hairpin.as_ref().map_or(0, |h| h.links.links.len());
        Worker {
            db,
            table,
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

    /// Accounts one packet to its flow and AS pair, creating the flow (and
    /// resolving its networks) on first sight.
    #[inline]
    pub fn observe(&mut self, m: &PacketMeta) {
        let key = FlowKey::of(m);
        let l3 = u64::from(m.l3_len);
        self.first_ns = self.first_ns.min(m.ts_ns);
        self.last_ns = self.last_ns.max(m.ts_ns);
        let pair = match self.table.get_mut(&key) {
            Some(s) => {
                s.packets += 1;
                s.bytes += l3;
                s.first_ns = s.first_ns.min(m.ts_ns);
                s.last_ns = s.last_ns.max(m.ts_ns);
                s.pair
            }
            None => {
                let pair = self.new_flow(m);
                self.table.insert(
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
            if h.observe(m, pair, s) == Verdict::Hairpin {
                self.pairs[pair.idx as usize].hairpin_series.add(bin, l3);
            }
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
            time: (self.first_ns <= self.last_ns).then_some((self.first_ns, self.last_ns)),
        }
    }

    /// Ends the worker and hands its figures over.
    pub fn finish(self) -> WorkerOutput {
        let (hairpin, matcher) = match self.hairpin {
            Some(h) => {
                let (p, s) = h.finish();
                (Some(p), s)
            }
            None => (None, MatcherStats::default()),
        };
        WorkerOutput {
            pairs: self.pairs,
            hairpin,
            links: self.links,
            matcher,
            unbinned_packets: self.unbinned,
            sizes: Some(self.sizes),
            flows_in_table: self.table.len() as u64,
            time: (self.first_ns <= self.last_ns).then_some((self.first_ns, self.last_ns)),
        }
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
