//! Open rate bins: bytes and packets per bin, kept only until their sample closes.

use crate::AsPair;
use rustc_hash::FxHashMap;

/// Which way traffic crossed a link.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LinkDir {
    /// In from the neighbour.
    In,
    /// Out to the neighbour.
    Out,
    /// Unknown.
    Unknown,
}

/// What a series counts, the same in every worker (the reducer adds series by key).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SeriesKey {
    /// All traffic of an AS pair.
    Pair(AsPair),
    /// Unique hairpinned traffic of an AS pair.
    HairpinPair(AsPair),
    /// Traffic over one link of the links file (by index), one way.
    Link(u16, LinkDir),
    /// Frames sent from one MAC (the IXP analysis: a member router sending onto the exchange).
    MacFrom([u8; 6]),
    /// Frames delivered to one MAC (the IXP analysis).
    MacTo([u8; 6]),
    /// Octets one exporter interface counted (by interface id), in or out.
    Iface(u32, LinkDir),
}

/// Bytes and packets of one bin.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cell {
    /// Bin number since the epoch (bin `b` covers `[b × bin, (b + 1) × bin)`).
    pub bin: i64,
    /// L3 bytes.
    pub bytes: u64,
    /// Packets.
    pub packets: u64,
}

/// Bins handed to the reducer when sample intervals close.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Flush {
    /// Every bin before this one is now closed in this worker.
    pub upto_bin: i64,
    /// Bins of the intervals that just closed.
    pub cells: Vec<(SeriesKey, Cell)>,
    /// Bins of packets that arrived after their interval had closed (late).
    pub late: Vec<(SeriesKey, Cell)>,
}

/// One series' open bins, in arrival order (nearly always ascending).
struct Open {
    key: SeriesKey,
    cells: Vec<Cell>,
    dirty: bool,
}

/// A worker's open bins for every series it has seen.
pub struct SeriesStore {
    series: Vec<Open>,
    ids: FxHashMap<SeriesKey, u32>,
    dirty: Vec<u32>,
    late: Vec<(SeriesKey, Cell)>,
    closed_bin: i64,
    late_packets: u64,
}

impl Default for SeriesStore {
    fn default() -> SeriesStore {
        SeriesStore {
            series: Vec::new(),
            ids: FxHashMap::default(),
            dirty: Vec::new(),
            late: Vec::new(),
            closed_bin: i64::MIN,
            late_packets: 0,
        }
    }
}

impl SeriesStore {
    /// The id of the series `key`, created on first use.
    pub fn id(&mut self, key: SeriesKey) -> u32 {
        if let Some(&i) = self.ids.get(&key) {
            return i;
        }
        let i = self.series.len() as u32;
        self.series.push(Open {
            key,
            cells: Vec::new(),
            dirty: false,
        });
        self.ids.insert(key, i);
        i
    }

    /// Adds one packet of `bytes` to bin `bin` of series `id`.
    #[inline]
    pub fn add(&mut self, id: u32, bin: i64, bytes: u64) {
        let s = &mut self.series[id as usize];
        if let Some(c) = s.cells.last_mut() {
            if c.bin == bin {
                c.bytes += bytes;
                c.packets += 1;
                return;
            }
        }
        self.add_slow(id, bin, bytes);
    }

    /// Adds `packets` packets of `bytes` in all to bin `bin` of series `id` (sampled
    /// packets counted several times, a flow record's share of a bin, counter octets).
    pub fn add_cell(&mut self, id: u32, bin: i64, bytes: u64, packets: u64) {
        let s = &mut self.series[id as usize];
        if let Some(c) = s.cells.last_mut() {
            if c.bin == bin {
                c.bytes += bytes;
                c.packets += packets;
                return;
            }
        }
        self.add_slow_n(id, bin, bytes, packets);
    }

    /// A bin other than the series' latest: a new one, an earlier open one, or a late one.
    #[cold]
    fn add_slow(&mut self, id: u32, bin: i64, bytes: u64) {
        self.add_slow_n(id, bin, bytes, 1);
    }

    /// [`SeriesStore::add_slow`] for `packets` packets.
    fn add_slow_n(&mut self, id: u32, bin: i64, bytes: u64, packets: u64) {
        let s = &mut self.series[id as usize];
        if bin < self.closed_bin {
            self.late_packets += packets;
            match self
                .late
                .iter_mut()
                .rev()
                .take(8)
                .find(|(k, c)| *k == s.key && c.bin == bin)
            {
                Some((_, c)) => {
                    c.bytes += bytes;
                    c.packets += packets;
                }
                None => self.late.push((
                    s.key,
                    Cell {
                        bin,
                        bytes,
                        packets,
                    },
                )),
            }
            return;
        }
        if !s.dirty {
            s.dirty = true;
            self.dirty.push(id);
        }
        // a few steps back find an earlier bin of a slightly reordered packet
        if let Some(c) = s.cells.iter_mut().rev().take(4).find(|c| c.bin == bin) {
            c.bytes += bytes;
            c.packets += packets;
            return;
        }
        s.cells.push(Cell {
            bin,
            bytes,
            packets,
        });
    }

    /// Closes every bin before `upto_bin`: hands them over, with the late bins gathered
    /// since the last call, and keeps the rest open.
    pub fn close(&mut self, upto_bin: i64) -> Flush {
        let upto = upto_bin.max(self.closed_bin);
        self.closed_bin = upto;
        let mut cells = Vec::new();
        let mut still = Vec::with_capacity(self.dirty.len());
        for &id in &self.dirty {
            let s = &mut self.series[id as usize];
            s.cells.sort_unstable_by_key(|c| c.bin);
            // merge equal bins (a reordered packet may have opened a bin twice)
            s.cells.dedup_by(|b, a| {
                if a.bin == b.bin {
                    a.bytes += b.bytes;
                    a.packets += b.packets;
                    true
                } else {
                    false
                }
            });
            let n = s.cells.partition_point(|c| c.bin < upto);
            cells.extend(s.cells.drain(..n).map(|c| (s.key, c)));
            if s.cells.is_empty() {
                s.dirty = false;
                // give back memory of a series that was busy once and is quiet now
                if s.cells.capacity() > 64 {
                    s.cells = Vec::new();
                }
            } else {
                still.push(id);
            }
        }
        self.dirty = still;
        Flush {
            upto_bin: upto,
            cells,
            late: std::mem::take(&mut self.late),
        }
    }

    /// A copy of every open bin and of the late bins not yet handed over, changing
    /// nothing (for snapshots).
    pub fn peek(&self) -> Flush {
        let mut cells = Vec::new();
        for &id in &self.dirty {
            let s = &self.series[id as usize];
            cells.extend(s.cells.iter().map(|c| (s.key, *c)));
        }
        Flush {
            upto_bin: i64::MAX,
            cells,
            late: self.late.clone(),
        }
    }

    /// Packets that arrived after their bin had closed, so far.
    pub fn late_packets(&self) -> u64 {
        self.late_packets
    }

    /// Every bin before this one has been closed.
    pub fn closed_bin(&self) -> i64 {
        self.closed_bin
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(a: u32) -> SeriesKey {
        SeriesKey::Pair(AsPair {
            src_asn: a,
            src_country: None,
            dst_asn: 0,
            dst_country: None,
        })
    }

    #[test]
    fn bins_close_in_order_and_late_ones_are_set_apart() {
        let mut s = SeriesStore::default();
        let a = s.id(pair(1));
        let b = s.id(pair(2));
        assert_eq!(s.id(pair(1)), a);
        s.add(a, 10, 100);
        s.add(a, 10, 50);
        s.add(a, 12, 10);
        s.add(a, 11, 7); // reordered
        s.add(b, 13, 1);
        let f = s.close(12);
        assert_eq!(
            f.cells,
            vec![
                (
                    pair(1),
                    Cell {
                        bin: 10,
                        bytes: 150,
                        packets: 2
                    }
                ),
                (
                    pair(1),
                    Cell {
                        bin: 11,
                        bytes: 7,
                        packets: 1
                    }
                ),
            ]
        );
        assert!(f.late.is_empty());
        s.add(a, 11, 3); // late: bin 11 is closed
        s.add(a, 11, 3);
        assert_eq!(s.late_packets(), 2);
        let f = s.close(100);
        assert_eq!(
            f.late,
            vec![(
                pair(1),
                Cell {
                    bin: 11,
                    bytes: 6,
                    packets: 2
                }
            )]
        );
        let mut keys: Vec<_> = f.cells.iter().map(|(k, c)| (*k, c.bin)).collect();
        keys.sort();
        assert_eq!(keys, vec![(pair(1), 12), (pair(2), 13)]);
        assert!(s.close(200).cells.is_empty());
    }
}
