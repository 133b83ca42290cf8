//! The worker: its flow table, its AS pair table and its hairpin state.

use crate::{AsPair, FlowKey, PairCounters};
use rustc_hash::FxHashMap;
use std::sync::Arc;
use trombone_asdb::AsDb;
use trombone_hairpin::{HairpinConfig, HairpinState, MatcherStats, PairHairpin, PairRef};
use trombone_packet::PacketMeta;

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

/// What a worker hands to the reducer.
#[derive(Debug, Default)]
pub struct WorkerOutput {
    /// Counters per AS pair.
    pub pairs: Vec<(AsPair, PairCounters)>,
    /// Hairpin figures per AS pair (same order as `pairs`, possibly shorter), if hairpin analysis ran.
    pub hairpin: Option<Vec<PairHairpin>>,
    /// The replica matcher's housekeeping counters.
    pub matcher: MatcherStats,
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
    pairs: Vec<(AsPair, PairCounters)>,
    hairpin: Option<HairpinState>,
    lookups: u64,
    first_ns: i64,
    last_ns: i64,
}

impl Worker {
    /// A worker resolving networks with `db`, its table pre-sized for
    /// `flows_hint` flows; with `hairpin`, it also runs hairpin detection.
    pub fn new(db: Arc<AsDb>, flows_hint: usize, hairpin: Option<Arc<HairpinConfig>>) -> Worker {
        let mut table = FxHashMap::default();
        table.reserve(flows_hint);
        Worker {
            db,
            table,
            pair_index: FxHashMap::default(),
            pairs: Vec::new(),
            hairpin: hairpin.map(HairpinState::new),
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
        let c = &mut self.pairs[pair.idx as usize].1;
        c.packets += 1;
        c.bytes += l3;
        c.wire_bytes += u64::from(m.wire_len);
        if let Some(h) = &mut self.hairpin {
            h.observe(m, pair);
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
                self.pairs.push((ap, PairCounters::default()));
                self.pair_index.insert(ap, i);
                i
            }
        };
        self.pairs[idx as usize].1.flows += 1;
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
            matcher,
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
            matcher,
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
        let mut w = Worker::new(Arc::new(AsDb::empty()), 16, None);
        w.observe(&pkt(1, 2, 1000, 100, 50));
        w.observe(&pkt(1, 2, 1000, 60, 10));
        w.observe(&pkt(2, 1, 53, 200, 30));
        assert_eq!(w.len(), 2);
        assert_eq!(w.lookups(), 4);
        let out = w.finish();
        // the empty database puts everything in one (0, None, 0, None) pair
        assert_eq!(out.pairs.len(), 1);
        let c = out.pairs[0].1;
        assert_eq!(
            (c.packets, c.bytes, c.wire_bytes, c.flows),
            (3, 360, 402, 2)
        );
        assert_eq!(out.time, Some((10, 50)));
        assert_eq!(out.flows_in_table, 2);
        assert!(out.hairpin.is_none());
    }

    #[test]
    fn vlan_separates_flows() {
        let mut w = Worker::new(Arc::new(AsDb::empty()), 0, None);
        let mut a = pkt(1, 2, 1, 40, 0);
        w.observe(&a);
        a.vlan = 100;
        w.observe(&a);
        assert_eq!(w.len(), 2);
        assert_eq!(w.finish().pairs[0].1.flows, 2);
    }
}
