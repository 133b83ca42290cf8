//! Observations from flow-export sources: sampled packets (sFlow), flow records
//! (NetFlow, IPFIX) and interface counters (sFlow counter samples).
//!
//! They take their own entry points, so the captured-packet path
//! ([`Worker::observe_batch`]) stays as it is.
//!
//! - A **sampled packet** is a captured header standing for `weight` packets (the
//!   sampler's 1-in-N rate): it goes through the flow table like a captured packet and
//!   adds `weight` packets and `weight × L3 length` bytes to its pair, its size buckets,
//!   the size histogram and its rate bin.
//! - A **flow record** adds its (already renormalised) packets and bytes to its pair. The
//!   pair comes from the record's addresses and the same database as for packets; when the
//!   database does not know an address (ASN 0) and the exporter sent an AS number for that
//!   end, that AS is used, with its registered country. The record's flow key (VLAN,
//!   addresses, protocol, ports) goes through the flow table, so `flows` counts distinct
//!   keys as for packets. Its bytes and packets are **spread over the rate bins** that
//!   `[start, end]` overlaps, in proportion to the overlap (cumulative rounding, so the
//!   bins add up exactly to the record); a record with `start == end` (or no start) lands
//!   in the bin of its end; a record spanning more than [`MAX_SPREAD_BINS`] bins is spread
//!   over the last [`MAX_SPREAD_BINS`] before its end. Records without a usable time count
//!   in the matrices only. Packet sizes are not known per packet: records add nothing to
//!   the size buckets or histogram.
//! - **Interface counters** become octets per bin of per-interface series, spread the same
//!   way over the interval between two counter samples.

use super::{resolve_with, Worker};
use crate::{Cell, LinkDir, PacketCtx, SeriesKey, Weighted};
use trombone_asdb::{AsDb, NetInfo};
use trombone_flow::{hash_key, FlowKey, FlowStatus};
use trombone_hairpin::UNTIMED;
use trombone_packet::PacketMeta;

/// Most rate bins one flow record or counter interval is spread over.
pub const MAX_SPREAD_BINS: i64 = 100_000;

/// A sampled packet: its header parsed like a captured frame, standing for `weight` packets.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sampled {
    /// The sampled header's fields; `ts_ns` is when the sample was taken (or
    /// [`UNTIMED`]).
    pub meta: PacketMeta,
    /// Packets it stands for: the sampling rate (1 in N), at least 1.
    pub weight: u32,
}

/// A flow record, renormalised by its sampling interval.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FlowObs {
    /// Source address (IPv4 in the low 32 bits).
    pub src: u128,
    /// Destination address (IPv4 in the low 32 bits).
    pub dst: u128,
    /// 4 or 6.
    pub ip_version: u8,
    /// IP protocol.
    pub proto: u8,
    /// Transport source port.
    pub sport: u16,
    /// Transport destination port.
    pub dport: u16,
    /// VLAN, 0 when not exported.
    pub vlan: u16,
    /// Source MAC, zero when not exported.
    pub src_mac: [u8; 6],
    /// Destination MAC, zero when not exported.
    pub dst_mac: [u8; 6],
    /// Packets (renormalised).
    pub packets: u64,
    /// L3 bytes (renormalised).
    pub bytes: u64,
    /// Flow start, ns since the epoch ([`UNTIMED`] when unusable).
    pub start_ns: i64,
    /// Flow end, ns since the epoch ([`UNTIMED`] when unusable).
    pub end_ns: i64,
    /// Exported source AS, used only when the database does not know the source (0: none).
    pub src_as: u32,
    /// Exported destination AS, used only when the database does not know the destination.
    pub dst_as: u32,
}

impl FlowObs {
    /// The record's flow key.
    pub fn key(&self) -> FlowKey {
        FlowKey {
            src: self.src,
            dst: self.dst,
            sport: self.sport,
            dport: self.dport,
            vlan: self.vlan,
            proto: self.proto,
            ip_version: self.ip_version,
        }
    }
}

/// What one exporter interface counted between two counter samples.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CounterDelta {
    /// The interface's id (given by whoever tracks the counters).
    pub iface: u32,
    /// Start of the interval, ns since the epoch.
    pub start_ns: i64,
    /// End of the interval.
    pub end_ns: i64,
    /// Octets received in it.
    pub in_bytes: u64,
    /// Packets received in it.
    pub in_packets: u64,
    /// Octets sent in it.
    pub out_bytes: u64,
    /// Packets sent in it.
    pub out_packets: u64,
}

/// A worker's scratch space for spreading.
#[derive(Default)]
pub(crate) struct RecordScratch {
    cells: Vec<Cell>,
}

/// Spreads `bytes` and `packets` over the bins of width `bin_ns` that `[start, end]`
/// overlaps, in proportion to the overlap, into `out` (cleared first). The shares add up
/// exactly (cumulative rounding); bins that get nothing are left out.
pub fn spread(start: i64, end: i64, bin_ns: i64, bytes: u64, packets: u64, out: &mut Vec<Cell>) {
    out.clear();
    let bin_ns = bin_ns.max(1);
    let end_bin = end.div_euclid(bin_ns);
    let mut start = start.min(end);
    if end_bin - start.div_euclid(bin_ns) >= MAX_SPREAD_BINS {
        start = (end_bin - MAX_SPREAD_BINS + 1) * bin_ns;
    }
    let first = start.div_euclid(bin_ns);
    // in i128: a record's times come from an exporter and may sit at either end of i64
    let total = (i128::from(end) - i128::from(start)) as u128;
    if total == 0 || first == end_bin {
        if bytes > 0 || packets > 0 {
            out.push(Cell {
                bin: end_bin,
                bytes,
                packets,
            });
        }
        return;
    }
    let (mut done_b, mut done_p) = (0u64, 0u64);
    for b in first..=end_bin {
        // the last bin's end may lie past i64::MAX
        let hi = (b + 1).saturating_mul(bin_ns).min(end);
        let cum = (i128::from(hi) - i128::from(start)) as u128;
        let want_b = (u128::from(bytes) * cum / total) as u64;
        let want_p = (u128::from(packets) * cum / total) as u64;
        let (cb, cp) = (want_b - done_b, want_p - done_p);
        (done_b, done_p) = (want_b, want_p);
        if cb > 0 || cp > 0 {
            out.push(Cell {
                bin: b,
                bytes: cb,
                packets: cp,
            });
        }
    }
}

/// The network of one end of a flow record: the database's answer, else the exported AS.
fn end_of(db: &AsDb, v4: bool, addr: u128, exported: u32) -> NetInfo {
    let n = if v4 {
        db.lookup_v4(addr as u32)
    } else {
        db.lookup_v6(addr)
    };
    if n.asn == 0 && exported != 0 {
        NetInfo {
            asn: exported,
            country: n.country.or_else(|| db.asn_country(exported)),
        }
    } else {
        n
    }
}

impl Worker {
    /// Accounts sampled packets, each counted `weight` times (see the module docs).
    pub fn observe_sampled(&mut self, batch: &[Sampled]) {
        for s in batch {
            self.sampled_one(s);
        }
    }

    fn note_time(&mut self, first: i64, last: i64) {
        debug_assert!(last != UNTIMED, "an untimed observation has no time span");
        self.time = (self.time.0.min(first), self.time.1.max(last));
        self.newest_ns = self.newest_ns.max(last);
    }

    fn sampled_one(&mut self, s: &Sampled) {
        let m = &s.meta;
        let w = u64::from(s.weight.max(1));
        let timed = m.ts_ns != UNTIMED;
        if timed {
            self.note_time(m.ts_ns, m.ts_ns);
        }
        let ts = timed.then_some(m.ts_ns);
        let l3 = u64::from(m.l3_len);
        let bytes = l3.saturating_mul(w);
        let key = FlowKey::of(m);
        let stamp = ts.unwrap_or(self.newest_ns.max(0));
        let (db, pairs, series, lookups) = (
            &self.db,
            &mut self.pairs,
            &mut self.series,
            &mut self.lookups,
        );
        let (flow, status) = self
            .flows
            .lookup(hash_key(&key), &key, ts, || super::FlowEntry {
                first_ns: stamp,
                last_ns: stamp,
                packets: 0,
                bytes: 0,
                pair: super::resolve(db, pairs, series, lookups, m),
            });
        if status == FlowStatus::Restarted {
            *flow = super::FlowEntry {
                first_ns: stamp,
                last_ns: stamp,
                packets: 0,
                bytes: 0,
                pair: flow.pair,
            };
        }
        flow.packets += w;
        flow.bytes += bytes;
        flow.last_ns = flow.last_ns.max(stamp);
        let pair = flow.pair;
        let slot = &mut self.pairs.slots[pair as usize];
        if status != FlowStatus::Existing {
            slot.counters.flows += 1;
        }
        slot.counters.packets += w;
        slot.counters.bytes += bytes;
        slot.counters.wire_bytes += u64::from(m.wire_len).saturating_mul(w);
        slot.sizes.record_n(m.l3_len, w);
        let sid = slot.series;
        let _ = self.sizes.record_n(l3.max(1), w);
        let cell = ts.map(|t| Cell {
            bin: t.div_euclid(self.bin_ns),
            bytes,
            packets: w,
        });
        if let Some(c) = cell {
            self.series.add_cell(sid, c.bin, c.bytes, c.packets);
        }
        let cells = cell.as_slice();
        let wt = Weighted {
            meta: Some(m),
            src_mac: m.src_mac,
            dst_mac: m.dst_mac,
            vlan: m.vlan,
            packets: w,
            bytes,
            cells,
        };
        for a in self.analyses.iter_mut() {
            let ctx = PacketCtx {
                pair,
                pairs: &self.pairs,
                bin: None,
                prepared: 0,
            };
            a.weighted(&wt, &ctx, &mut self.series);
        }
    }

    /// Accounts flow records (see the module docs for how their bytes are binned).
    pub fn observe_flows(&mut self, batch: &[FlowObs]) {
        for r in batch {
            self.flow_one(r);
        }
    }

    fn flow_one(&mut self, r: &FlowObs) {
        let timed = r.end_ns != UNTIMED;
        let start = if r.start_ns == UNTIMED || r.start_ns > r.end_ns {
            r.end_ns
        } else {
            r.start_ns
        };
        if timed {
            self.note_time(start, r.end_ns);
        }
        let ts = timed.then_some(r.end_ns);
        let stamp = ts.unwrap_or(self.newest_ns.max(0));
        let key = r.key();
        let (db, pairs, series, lookups) = (
            &self.db,
            &mut self.pairs,
            &mut self.series,
            &mut self.lookups,
        );
        let (flow, status) = self.flows.lookup(hash_key(&key), &key, ts, || {
            let v4 = r.ip_version == 4;
            let s = end_of(db, v4, r.src, r.src_as);
            let d = end_of(db, v4, r.dst, r.dst_as);
            super::FlowEntry {
                first_ns: stamp,
                last_ns: stamp,
                packets: 0,
                bytes: 0,
                pair: resolve_with(pairs, series, lookups, s, d),
            }
        });
        if status == FlowStatus::Restarted {
            *flow = super::FlowEntry {
                first_ns: stamp,
                last_ns: stamp,
                packets: 0,
                bytes: 0,
                pair: flow.pair,
            };
        }
        flow.packets += r.packets;
        flow.bytes += r.bytes;
        flow.last_ns = flow.last_ns.max(stamp);
        let pair = flow.pair;
        let slot = &mut self.pairs.slots[pair as usize];
        if status != FlowStatus::Existing {
            slot.counters.flows += 1;
        }
        slot.counters.packets += r.packets;
        slot.counters.bytes += r.bytes;
        let sid = slot.series;
        let mut cells = std::mem::take(&mut self.scratch.cells);
        if timed {
            spread(start, r.end_ns, self.bin_ns, r.bytes, r.packets, &mut cells);
        } else {
            cells.clear();
        }
        for c in &cells {
            self.series.add_cell(sid, c.bin, c.bytes, c.packets);
        }
        let wt = Weighted {
            meta: None,
            src_mac: r.src_mac,
            dst_mac: r.dst_mac,
            vlan: r.vlan,
            packets: r.packets,
            bytes: r.bytes,
            cells: &cells,
        };
        for a in self.analyses.iter_mut() {
            let ctx = PacketCtx {
                pair,
                pairs: &self.pairs,
                bin: None,
                prepared: 0,
            };
            a.weighted(&wt, &ctx, &mut self.series);
        }
        self.scratch.cells = cells;
    }

    /// Accounts interface counter increases as octets per bin of the interfaces' series.
    pub fn observe_counters(&mut self, batch: &[CounterDelta]) {
        let mut cells = std::mem::take(&mut self.scratch.cells);
        for d in batch {
            if d.end_ns == UNTIMED {
                continue;
            }
            let start = if d.start_ns == UNTIMED {
                d.end_ns
            } else {
                d.start_ns.min(d.end_ns)
            };
            self.note_time(start, d.end_ns);
            for (dir, bytes, packets) in [
                (LinkDir::In, d.in_bytes, d.in_packets),
                (LinkDir::Out, d.out_bytes, d.out_packets),
            ] {
                let id = self.series.id(SeriesKey::Iface(d.iface, dir));
                spread(start, d.end_ns, self.bin_ns, bytes, packets, &mut cells);
                for c in &cells {
                    self.series.add_cell(id, c.bin, c.bytes, c.packets);
                }
            }
        }
        self.scratch.cells = cells;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: i64 = 1_000_000_000;

    fn cells(start: i64, end: i64, bin: i64, b: u64, p: u64) -> Vec<(i64, u64, u64)> {
        let mut v = Vec::new();
        spread(start, end, bin, b, p, &mut v);
        v.iter().map(|c| (c.bin, c.bytes, c.packets)).collect()
    }

    #[test]
    fn spread_by_hand() {
        // 10 s bins; a flow from 5 s to 35 s (30 s): 5 s in bin 0, 10 in bins 1 and 2,
        // 5 in bin 3 → 1/6, 1/3, 1/3, 1/6 of 600 bytes and 6 packets.
        assert_eq!(
            cells(5 * S, 35 * S, 10 * S, 600, 6),
            vec![(0, 100, 1), (1, 200, 2), (2, 200, 2), (3, 100, 1)]
        );
        // 7 bytes and one packet: cumulative shares 5/30, 15/30, 25/30, 30/30 of the span
        // give floor(7 × share) = 1, 3, 5, 7 bytes and floor(1 × share) = 0, 0, 0, 1 packets
        assert_eq!(
            cells(5 * S, 35 * S, 10 * S, 7, 1),
            vec![(0, 1, 0), (1, 2, 0), (2, 2, 0), (3, 2, 1)]
        );
        // no duration, no start: the end's bin
        assert_eq!(cells(42 * S, 42 * S, 10 * S, 9, 3), vec![(4, 9, 3)]);
        assert_eq!(cells(50 * S, 42 * S, 10 * S, 9, 3), vec![(4, 9, 3)]);
        // within one bin
        assert_eq!(cells(41 * S, 49 * S, 10 * S, 9, 3), vec![(4, 9, 3)]);
        // nothing to spread
        assert!(cells(0, 10 * S, S, 0, 0).is_empty());
    }

    #[test]
    fn spread_always_adds_up_and_is_capped() {
        for (start, end, bin, b, p) in [
            (0, 999_999_999_999, 1_000_000, 123_456_789u64, 987u64),
            (-5 * S, 5 * S, 3 * S, 1, 1),
            (17, 10_000_017, 3, u64::MAX / 2, 3),
        ] {
            let v = cells(start, end, bin, b, p);
            assert_eq!(v.iter().map(|c| c.1).sum::<u64>(), b);
            assert_eq!(v.iter().map(|c| c.2).sum::<u64>(), p);
            assert!(v.len() as i64 <= MAX_SPREAD_BINS);
            // the last bin is the end's, or the one before when the end falls on a bin
            // boundary (no overlap with the end's bin)
            let last = v.last().unwrap().0;
            assert!(last == end.div_euclid(bin) || last == (end - 1).div_euclid(bin));
        }
    }

    #[test]
    fn spread_at_the_end_of_time() {
        // An exporter's end time of i64::MAX ns (9,223,372,036.854775807 s), 2.5 s long,
        // 1 s bins: 0.645224193 s in bin 9,223,372,034, 1 s in the next, 0.854775807 s in
        // the end's; cumulative floors of 2,500 bytes: 645, 1,645, 2,500; of 25 packets:
        // 6, 16, 25. The end's bin ends past i64::MAX (a fuzzer found the overflow).
        let end = i64::MAX;
        let b = 9_223_372_034;
        assert_eq!(
            cells(end - 2_500_000_000, end, S, 2_500, 25),
            vec![(b, 645, 6), (b + 1, 1_000, 10), (b + 2, 855, 9)]
        );
        // and the earliest time there is, over the whole span: capped, adding up
        let v = cells(i64::MIN, end, S, 1_000, 10);
        assert_eq!(
            v.iter()
                .map(|c| (c.1, c.2))
                .fold((0, 0), |a, c| (a.0 + c.0, a.1 + c.1)),
            (1_000, 10)
        );
        assert!(v.len() as i64 <= MAX_SPREAD_BINS);
    }

    use crate::{Analysis, IxpAnalysis, Partial, WorkerConfig};
    use std::sync::Arc;

    fn db() -> Arc<AsDb> {
        let tsv = "10.0.0.0\t10.0.0.255\t64500\tKH\tA\n10.0.1.0\t10.0.1.255\t64501\tLA\tB\n";
        Arc::new(AsDb::load_bytes(&[("t.tsv", tsv.as_bytes())]).unwrap())
    }

    fn worker() -> Worker {
        Worker::new(
            db(),
            WorkerConfig {
                flows_hint: 16,
                bin_ns: S,
                ..WorkerConfig::default()
            },
        )
    }

    fn meta(src: u32, dst: u32, len: u32, ts: i64) -> PacketMeta {
        PacketMeta {
            src: src.into(),
            dst: dst.into(),
            ip_version: 4,
            proto: 6,
            sport: 1000,
            dport: 80,
            l3_len: len,
            wire_len: len + 18,
            ts_ns: ts,
            src_mac: [2, 0, 0, 0, 0, 1],
            dst_mac: [2, 0, 0, 0, 0, 2],
            ..PacketMeta::default()
        }
    }

    const A: u32 = 0x0a00_0001; // 10.0.0.1, AS64500 KH
    const B: u32 = 0x0a00_0101; // 10.0.1.1, AS64501 LA
    const X: u32 = 0xc000_0201; // 192.0.2.1, unknown to the database

    #[test]
    fn a_sample_counts_weight_times() {
        let mut w = worker().with_analysis(Box::new(IxpAnalysis::new()));
        let t = 1_700_000_000 * S;
        w.observe_sampled(&[
            Sampled {
                meta: meta(A, B, 1000, t),
                weight: 512,
            },
            Sampled {
                meta: meta(A, B, 100, t + S / 2),
                weight: 0, // a broken agent: counted once
            },
        ]);
        let (f, h) = w.finish();
        assert_eq!(h.pairs.len(), 1);
        let c = h.pairs[0].counters;
        assert_eq!((c.packets, c.bytes, c.flows), (513, 512_100, 1));
        assert_eq!(c.wire_bytes, 1018 * 512 + 118);
        assert_eq!(h.pairs[0].pair.src_asn, 64500);
        assert_eq!(h.pairs[0].sizes.0, [0, 1, 0, 0, 512, 0, 0]);
        assert_eq!(h.sizes.len(), 513);
        let pair: Vec<_> = f
            .cells
            .iter()
            .filter(|(k, _)| matches!(k, SeriesKey::Pair(_)))
            .map(|(_, c)| (c.bin, c.bytes, c.packets))
            .collect();
        assert_eq!(pair, vec![(1_700_000_000, 512_100, 513)]);
        let Partial::Ixp(x) = &h.analyses[0] else {
            panic!("an IXP partial")
        };
        assert_eq!(x.pairs.len(), 1);
        assert_eq!((x.pairs[0].packets, x.pairs[0].bytes), (513, 512_100));
        let mac_bins: u64 = f
            .cells
            .iter()
            .filter(|(k, _)| matches!(k, SeriesKey::MacFrom(_)))
            .map(|(_, c)| c.bytes)
            .sum();
        assert_eq!(mac_bins, 512_100);
    }

    #[test]
    fn flow_records_resolve_spread_and_fall_back_to_exported_as() {
        let mut w = worker().with_analysis(Box::new(IxpAnalysis::new()));
        let t = 1_700_000_000 * S;
        let r = FlowObs {
            src: A.into(),
            dst: B.into(),
            ip_version: 4,
            proto: 6,
            sport: 1,
            dport: 2,
            packets: 30,
            bytes: 3000,
            start_ns: t,
            end_ns: t + 3 * S,
            src_as: 65000, // the database knows A: not used
            ..FlowObs::default()
        };
        let unknown = FlowObs {
            src: X.into(),
            src_as: 64999,
            dst_as: 0,
            start_ns: UNTIMED,
            end_ns: UNTIMED,
            packets: 4,
            bytes: 400,
            ..r
        };
        // the same key again (an active-timeout split): one flow
        w.observe_flows(&[r, r, unknown]);
        let (f, h) = w.finish();
        let mut got: Vec<_> = h
            .pairs
            .iter()
            .map(|p| {
                (
                    p.pair.src_asn,
                    p.pair.dst_asn,
                    p.counters.packets,
                    p.counters.bytes,
                    p.counters.flows,
                )
            })
            .collect();
        got.sort();
        assert_eq!(
            got,
            vec![(64500, 64501, 60, 6000, 1), (64999, 64501, 4, 400, 1)]
        );
        // [t, t+3 s] over 1 s bins: 4 bins touched, shares 1/3 each of the 3 s
        let mut bins: Vec<_> = f
            .cells
            .iter()
            .filter(|(k, _)| matches!(k, SeriesKey::Pair(_)))
            .map(|(_, c)| (c.bin - 1_700_000_000, c.bytes, c.packets))
            .collect();
        bins.sort();
        assert_eq!(bins, vec![(0, 2000, 20), (1, 2000, 20), (2, 2000, 20)]);
        assert_eq!(h.time, Some((t, t + 3 * S)));
        let Partial::Ixp(x) = &h.analyses[0] else {
            panic!("an IXP partial")
        };
        let total: u64 = x.pairs.iter().map(|p| p.bytes).sum();
        assert_eq!(total, 6400);
    }

    #[test]
    fn counters_become_interface_series() {
        let mut w = worker();
        let t = 1_700_000_000 * S;
        w.observe_counters(&[CounterDelta {
            iface: 7,
            start_ns: t,
            end_ns: t + 2 * S,
            in_bytes: 2000,
            in_packets: 20,
            out_bytes: 10,
            out_packets: 1,
        }]);
        let (f, h) = w.finish();
        assert!(h.pairs.is_empty());
        let mut v: Vec<_> = f
            .cells
            .iter()
            .map(|(k, c)| (*k, c.bin - 1_700_000_000, c.bytes, c.packets))
            .collect();
        v.sort();
        assert_eq!(
            v,
            vec![
                (SeriesKey::Iface(7, LinkDir::In), 0, 1000, 10),
                (SeriesKey::Iface(7, LinkDir::In), 1, 1000, 10),
                (SeriesKey::Iface(7, LinkDir::Out), 0, 5, 0),
                (SeriesKey::Iface(7, LinkDir::Out), 1, 5, 1),
            ]
        );
    }

    #[test]
    fn ixp_analysis_counts_captured_packets_per_mac_pair() {
        let mut w = worker().with_analysis(Box::new(IxpAnalysis::new()));
        let t = 1_700_000_000 * S;
        w.observe(&meta(A, B, 100, t));
        w.observe(&meta(B, A, 60, t + 1));
        let mut back = meta(B, A, 40, t + 2);
        back.src_mac = [2, 0, 0, 0, 0, 2];
        back.dst_mac = [2, 0, 0, 0, 0, 1];
        w.observe(&back);
        let h = w.handover();
        let Partial::Ixp(x) = &h.analyses[0] else {
            panic!("an IXP partial")
        };
        let mut v: Vec<_> = x
            .pairs
            .iter()
            .map(|p| (p.src_mac[5], p.dst_mac[5], p.packets, p.bytes))
            .collect();
        v.sort();
        assert_eq!(v, vec![(1, 2, 2, 160), (2, 1, 1, 40)]);
        // the next interval starts afresh
        let h = w.handover();
        let Partial::Ixp(x) = &h.analyses[0] else {
            panic!("an IXP partial")
        };
        assert!(x.pairs.is_empty());
        let _ = IxpAnalysis::new().snapshot(&crate::PairTable::default());
    }
}
