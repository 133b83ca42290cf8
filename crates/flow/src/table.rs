//! The worker's flow table and the records it hands to the reducer.

use crate::FlowKey;
use rustc_hash::FxHashMap;
use std::sync::Arc;
use trombone_asdb::{AsDb, NetInfo};
use trombone_packet::PacketMeta;

/// Counters and resolved networks of one flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FlowStats {
    /// Packets seen.
    pub packets: u64,
    /// L3 bytes (from the IP header).
    pub bytes: u64,
    /// Frame bytes on the wire.
    pub wire_bytes: u64,
    /// Timestamp of the first packet, ns since the epoch.
    pub first_ns: i64,
    /// Timestamp of the last packet, ns since the epoch.
    pub last_ns: i64,
    /// Network of the source address, resolved when the flow was created.
    pub src_net: NetInfo,
    /// Network of the destination address, resolved when the flow was created.
    pub dst_net: NetInfo,
}

/// One flow as handed to the reducer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FlowRecord {
    /// The flow's key.
    pub key: FlowKey,
    /// Its counters and networks.
    pub stats: FlowStats,
}

/// A capture worker's private state: its flow table and the database it resolves with.
pub struct Worker {
    db: Arc<AsDb>,
    table: FxHashMap<FlowKey, FlowStats>,
    lookups: u64,
}

impl Worker {
    /// A worker resolving networks with `db`, its table pre-sized for `flows_hint` flows.
    pub fn new(db: Arc<AsDb>, flows_hint: usize) -> Worker {
        let mut table = FxHashMap::default();
        table.reserve(flows_hint);
        Worker {
            db,
            table,
            lookups: 0,
        }
    }

    /// Accounts one packet to its flow, creating the flow (and resolving its
    /// networks) on first sight.
    #[inline]
    pub fn observe(&mut self, m: &PacketMeta) {
        let key = FlowKey::of(m);
        let l3 = u64::from(m.l3_len);
        let wire = u64::from(m.wire_len);
        match self.table.get_mut(&key) {
            Some(s) => {
                s.packets += 1;
                s.bytes += l3;
                s.wire_bytes += wire;
                s.first_ns = s.first_ns.min(m.ts_ns);
                s.last_ns = s.last_ns.max(m.ts_ns);
            }
            None => {
                let (src_net, dst_net) = self.resolve(m);
                self.table.insert(
                    key,
                    FlowStats {
                        packets: 1,
                        bytes: l3,
                        wire_bytes: wire,
                        first_ns: m.ts_ns,
                        last_ns: m.ts_ns,
                        src_net,
                        dst_net,
                    },
                );
            }
        }
    }

    /// Looks up both ends of a new flow.
    #[cold]
    fn resolve(&mut self, m: &PacketMeta) -> (NetInfo, NetInfo) {
        self.lookups += 2;
        if m.ip_version == 4 {
            (
                self.db.lookup_v4(m.src as u32),
                self.db.lookup_v4(m.dst as u32),
            )
        } else {
            (self.db.lookup_v6(m.src), self.db.lookup_v6(m.dst))
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

    /// Empties the table, handing every flow to `sink` in chunks of at most `chunk` records.
    pub fn drain_into(&mut self, chunk: usize, mut sink: impl FnMut(Vec<FlowRecord>)) {
        let chunk = chunk.max(1);
        let mut buf = Vec::with_capacity(chunk.min(self.table.len()));
        for (key, stats) in self.table.drain() {
            buf.push(FlowRecord { key, stats });
            if buf.len() == chunk {
                sink(std::mem::replace(&mut buf, Vec::with_capacity(chunk)));
            }
        }
        if !buf.is_empty() {
            sink(buf);
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
    fn counts_per_flow_and_resolves_once() {
        let mut w = Worker::new(Arc::new(AsDb::empty()), 16);
        w.observe(&pkt(1, 2, 1000, 100, 50));
        w.observe(&pkt(1, 2, 1000, 60, 10));
        w.observe(&pkt(2, 1, 53, 200, 30));
        assert_eq!(w.len(), 2);
        assert_eq!(w.lookups(), 4);
        let mut all = Vec::new();
        w.drain_into(1, |v| {
            assert_eq!(v.len(), 1);
            all.extend(v)
        });
        all.sort_by_key(|r| r.key);
        assert_eq!(all[0].stats.packets, 2);
        assert_eq!(all[0].stats.bytes, 160);
        assert_eq!(all[0].stats.wire_bytes, 188);
        assert_eq!((all[0].stats.first_ns, all[0].stats.last_ns), (10, 50));
        assert_eq!(all[1].stats.bytes, 200);
        assert_eq!(all[1].stats.src_net.asn, 0);
        assert!(w.is_empty());
    }

    #[test]
    fn vlan_separates_flows() {
        let mut w = Worker::new(Arc::new(AsDb::empty()), 0);
        let mut a = pkt(1, 2, 1, 40, 0);
        w.observe(&a);
        a.vlan = 100;
        w.observe(&a);
        assert_eq!(w.len(), 2);
    }
}
