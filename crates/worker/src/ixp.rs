//! The IXP peering-LAN analysis: traffic per (source MAC, destination MAC) and per-MAC
//! rate bins.
//!
//! On an exchange's peering LAN the address pair says who talks, but the member that
//! carried a frame across the exchange is the router whose MAC is on it. The worker keeps
//! only MACs: which member owns a MAC is decided by the reducer when it builds a result,
//! from the member list and from every ARP/ND sighting read by then — so a MAC learned late
//! in a capture still attributes the traffic seen before. Per packet: one hash lookup on
//! the MAC pair and two bin additions.

use crate::{Analysis, PacketCtx, PairTable, Partial, SeriesKey, SeriesStore, Weighted};
use rustc_hash::FxHashMap;
use trombone_packet::PacketMeta;

/// Traffic of one (source MAC, destination MAC) pair over an interval.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MacPairCount {
    /// Source MAC of the frames.
    pub src_mac: [u8; 6],
    /// Destination MAC.
    pub dst_mac: [u8; 6],
    /// Packets (renormalised for sampled sources).
    pub packets: u64,
    /// L3 bytes.
    pub bytes: u64,
}

/// The IXP analysis's figures for an interval.
#[derive(Debug, Default)]
pub struct IxpPartial {
    /// MAC pairs with traffic in the interval.
    pub pairs: Vec<MacPairCount>,
}

/// One MAC pair's slot: its counters and the series of both ends.
struct Slot {
    count: MacPairCount,
    from: u32,
    to: u32,
}

/// A worker's IXP analysis (see the module docs).
#[derive(Default)]
pub struct IxpAnalysis {
    index: FxHashMap<([u8; 6], [u8; 6]), u32>,
    slots: Vec<Slot>,
}

impl IxpAnalysis {
    /// An analysis with no MAC seen yet.
    pub fn new() -> IxpAnalysis {
        IxpAnalysis::default()
    }

    /// The slot of a MAC pair, created (with its two series) on first sight.
    #[inline]
    fn slot(&mut self, src: [u8; 6], dst: [u8; 6], series: &mut SeriesStore) -> usize {
        if let Some(&i) = self.index.get(&(src, dst)) {
            return i as usize;
        }
        self.new_slot(src, dst, series)
    }

    #[cold]
    fn new_slot(&mut self, src: [u8; 6], dst: [u8; 6], series: &mut SeriesStore) -> usize {
        let i = self.slots.len();
        self.slots.push(Slot {
            count: MacPairCount {
                src_mac: src,
                dst_mac: dst,
                ..MacPairCount::default()
            },
            from: series.id(SeriesKey::MacFrom(src)),
            to: series.id(SeriesKey::MacTo(dst)),
        });
        self.index.insert((src, dst), i as u32);
        i
    }

    fn partial(&self) -> IxpPartial {
        IxpPartial {
            pairs: self
                .slots
                .iter()
                .filter(|s| s.count.packets > 0 || s.count.bytes > 0)
                .map(|s| s.count)
                .collect(),
        }
    }
}

impl Analysis for IxpAnalysis {
    #[inline]
    fn packet(&mut self, m: &PacketMeta, ctx: &PacketCtx<'_>, series: &mut SeriesStore) {
        let i = self.slot(m.src_mac, m.dst_mac, series);
        let s = &mut self.slots[i];
        let l3 = u64::from(m.l3_len);
        s.count.packets += 1;
        s.count.bytes += l3;
        if let Some(bin) = ctx.bin {
            let (from, to) = (s.from, s.to);
            series.add(from, bin, l3);
            series.add(to, bin, l3);
        }
    }

    fn weighted(&mut self, w: &Weighted<'_>, _ctx: &PacketCtx<'_>, series: &mut SeriesStore) {
        let i = self.slot(w.src_mac, w.dst_mac, series);
        let s = &mut self.slots[i];
        s.count.packets += w.packets;
        s.count.bytes += w.bytes;
        let (from, to) = (s.from, s.to);
        for c in w.cells {
            series.add_cell(from, c.bin, c.bytes, c.packets);
            series.add_cell(to, c.bin, c.bytes, c.packets);
        }
    }

    fn take(&mut self, _pairs: &PairTable) -> Partial {
        let p = self.partial();
        for s in &mut self.slots {
            s.count.packets = 0;
            s.count.bytes = 0;
        }
        Partial::Ixp(p)
    }

    fn snapshot(&self, _pairs: &PairTable) -> Partial {
        Partial::Ixp(self.partial())
    }
}
