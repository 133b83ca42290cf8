//! Closed rate bins from every worker, folded into per-sample records.
//!
//! Workers hand over the bins of closed sample intervals ([`Flush`]). A bin is final
//! once every worker has closed it; then the bins of every series are added up across
//! workers, the derived series (all traffic, each network in and out, each network's
//! hairpinned traffic) are summed per bin from the pairs, and each series' bins fold into
//! one [`SampleRec`] per sample interval: bytes, packets and the busiest bin. Only the
//! bins of intervals still open anywhere are held, so memory follows the traffic's
//! active series, not the length of the capture.

use rustc_hash::FxHashMap;
use std::collections::BTreeMap;
use trombone_asdb::Country;
use trombone_schema::SampleRec;
use trombone_worker::{AsPair, Cell, Flush, LinkDir, SeriesKey};

/// A network in series and sizing: the ASN, and for ASN 0 (unknown) the country.
pub type NetKey = (u32, Option<Country>);

/// The network key of an (ASN, country) end.
pub fn net_key(asn: u32, country: Option<Country>) -> NetKey {
    (asn, if asn == 0 { country } else { None })
}

/// The identity of an output series.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RowKey {
    /// All traffic.
    Total,
    /// One AS pair.
    Pair(AsPair),
    /// Towards one network.
    NetIn(NetKey),
    /// From one network.
    NetOut(NetKey),
    /// Hairpinned traffic towards one network.
    HairpinIn(NetKey),
    /// Hairpinned traffic from one network.
    HairpinOut(NetKey),
    /// Hairpinned traffic of one AS pair.
    HairpinPair(AsPair),
    /// One link, one way (index into the links file).
    Link(u16, LinkDir),
    /// Frames from one MAC (the IXP analysis; turned into members when a result is built).
    MacFrom([u8; 6]),
    /// Frames to one MAC.
    MacTo([u8; 6]),
    /// Counter octets of one exporter interface (by id), in or out.
    Iface(u32, LinkDir),
}

/// The output series a worker series adds to, per bin.
fn targets(k: &SeriesKey, out: &mut Vec<RowKey>) {
    out.clear();
    match k {
        SeriesKey::Pair(p) => {
            out.push(RowKey::Total);
            out.push(RowKey::Pair(*p));
            out.push(RowKey::NetOut(net_key(p.src_asn, p.src_country)));
            out.push(RowKey::NetIn(net_key(p.dst_asn, p.dst_country)));
        }
        SeriesKey::HairpinPair(p) => {
            out.push(RowKey::HairpinPair(*p));
            out.push(RowKey::HairpinOut(net_key(p.src_asn, p.src_country)));
            out.push(RowKey::HairpinIn(net_key(p.dst_asn, p.dst_country)));
        }
        SeriesKey::Link(l, d) => out.push(RowKey::Link(*l, *d)),
        SeriesKey::MacFrom(m) => out.push(RowKey::MacFrom(*m)),
        SeriesKey::MacTo(m) => out.push(RowKey::MacTo(*m)),
        SeriesKey::Iface(i, d) => out.push(RowKey::Iface(*i, *d)),
    }
}

/// Folds workers' closed bins into per-sample records.
#[derive(Clone)]
pub struct SampleBuilder {
    per_sample: i64,
    upto: Vec<i64>,
    folded_upto: i64,
    pending: FxHashMap<(SeriesKey, i64), [u64; 2]>,
    /// Late bins with the `upto_bin` of the flush that carried them (their epoch).
    late: Vec<(i64, SeriesKey, Cell)>,
    rows: BTreeMap<RowKey, Vec<SampleRec>>,
    scratch: Vec<RowKey>,
}

impl SampleBuilder {
    /// A builder for `workers` workers, `per_sample` bins to a sample.
    pub fn new(workers: usize, per_sample: i64) -> SampleBuilder {
        SampleBuilder {
            per_sample: per_sample.max(1),
            upto: vec![i64::MIN; workers.max(1)],
            folded_upto: i64::MIN,
            pending: FxHashMap::default(),
            late: Vec::new(),
            rows: BTreeMap::new(),
            scratch: Vec::new(),
        }
    }

    /// Adds one worker's flush.
    pub fn add(&mut self, worker: usize, f: Flush) {
        for (k, c) in f.cells {
            let e = self.pending.entry((k, c.bin)).or_insert([0, 0]);
            e[0] += c.bytes;
            e[1] += c.packets;
        }
        let epoch = f.upto_bin;
        self.late
            .extend(f.late.into_iter().map(|(k, c)| (epoch, k, c)));
        if let Some(u) = self.upto.get_mut(worker) {
            *u = (*u).max(f.upto_bin);
        }
        self.fold();
    }

    /// Every bin before this one is final (folded).
    pub fn folded_upto(&self) -> i64 {
        self.folded_upto
    }

    /// Folds every bin all workers have closed.
    fn fold(&mut self) {
        let m = self.upto.iter().copied().min().unwrap_or(i64::MIN);
        if m <= self.folded_upto {
            return;
        }
        // per (series, bin) over all workers → per (output row, bin)
        let mut per_bin: FxHashMap<(RowKey, i64), [u64; 2]> = FxHashMap::default();
        let mut keep = FxHashMap::default();
        for ((k, bin), v) in self.pending.drain() {
            if bin >= m {
                keep.insert((k, bin), v);
                continue;
            }
            targets(&k, &mut self.scratch);
            for r in &self.scratch {
                let e = per_bin.entry((*r, bin)).or_insert([0, 0]);
                e[0] += v[0];
                e[1] += v[1];
            }
        }
        self.pending = keep;
        let mut cells: Vec<((RowKey, i64), [u64; 2])> = per_bin.into_iter().collect();
        cells.sort_unstable_by_key(|(k, _)| *k);
        for ((r, bin), [b, p]) in cells {
            self.put(r, bin, b, p, b, p);
        }
        // Late bins, on their own (their sample's other bins were folded already), summed
        // per row, bin and epoch over all workers: every worker's flushes of an epoch up to
        // `m` are in, and the late packets of one epoch are the same whichever worker took
        // them, so the result does not depend on the worker count.
        let late = std::mem::take(&mut self.late);
        let (now, later): (Vec<_>, Vec<_>) = late.into_iter().partition(|(e, _, _)| *e <= m);
        self.late = later;
        let mut grouped: BTreeMap<(RowKey, i64, i64), [u64; 2]> = BTreeMap::new();
        for (epoch, k, c) in now {
            targets(&k, &mut self.scratch);
            for r in &self.scratch {
                let e = grouped.entry((*r, c.bin, epoch)).or_insert([0, 0]);
                e[0] += c.bytes;
                e[1] += c.packets;
            }
        }
        for ((r, bin, _), [b, p]) in grouped {
            self.put(r, bin, b, p, b, p);
        }
        self.folded_upto = m;
    }

    /// Adds a bin to its row's sample record.
    fn put(&mut self, r: RowKey, bin: i64, b: u64, p: u64, pb: u64, pp: u64) {
        let index = bin.div_euclid(self.per_sample);
        let v = self.rows.entry(r).or_default();
        let i = match v.last() {
            Some(last) if last.index == index => v.len() - 1,
            Some(last) if last.index < index => {
                v.push(SampleRec {
                    index,
                    bytes: 0,
                    packets: 0,
                    peak_bin_bytes: 0,
                    peak_bin_packets: 0,
                });
                v.len() - 1
            }
            None => {
                v.push(SampleRec {
                    index,
                    bytes: 0,
                    packets: 0,
                    peak_bin_bytes: 0,
                    peak_bin_packets: 0,
                });
                0
            }
            Some(_) => match v.binary_search_by_key(&index, |s| s.index) {
                Ok(i) => i,
                Err(i) => {
                    v.insert(
                        i,
                        SampleRec {
                            index,
                            bytes: 0,
                            packets: 0,
                            peak_bin_bytes: 0,
                            peak_bin_packets: 0,
                        },
                    );
                    i
                }
            },
        };
        let s = &mut v[i];
        s.bytes += b;
        s.packets += p;
        s.peak_bin_bytes = s.peak_bin_bytes.max(pb);
        s.peak_bin_packets = s.peak_bin_packets.max(pp);
    }

    /// Takes out every sample record with an index below `before` (all with `i64::MAX`).
    pub fn take_before(&mut self, before: i64) -> BTreeMap<RowKey, Vec<SampleRec>> {
        let mut out = BTreeMap::new();
        for (k, v) in self.rows.iter_mut() {
            let n = v.partition_point(|s| s.index < before);
            if n > 0 {
                out.insert(*k, v.drain(..n).collect::<Vec<_>>());
            }
        }
        self.rows.retain(|_, v| !v.is_empty());
        out
    }

    /// Output rows held.
    pub fn rows_held(&self) -> usize {
        self.rows.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(s: u32, d: u32) -> AsPair {
        AsPair {
            src_asn: s,
            src_country: None,
            dst_asn: d,
            dst_country: None,
        }
    }

    fn cell(bin: i64, bytes: u64, packets: u64) -> Cell {
        Cell {
            bin,
            bytes,
            packets,
        }
    }

    #[test]
    fn bins_from_two_workers_add_before_the_busiest_bin_is_taken() {
        // 4 bins per sample. Worker 0 and 1 both carry pair 1→2 in bin 1: the busiest
        // bin of sample 0 is their sum (300), not either part.
        let mut s = SampleBuilder::new(2, 4);
        let k = SeriesKey::Pair(pair(1, 2));
        let j = SeriesKey::Pair(pair(3, 2));
        s.add(
            0,
            Flush {
                upto_bin: 4,
                cells: vec![(k, cell(0, 100, 1)), (k, cell(1, 200, 2))],
                late: vec![],
            },
        );
        assert_eq!(
            s.folded_upto(),
            i64::MIN,
            "worker 1 has not closed sample 0 yet"
        );
        s.add(
            1,
            Flush {
                upto_bin: 4,
                cells: vec![(k, cell(1, 100, 1)), (j, cell(2, 250, 5))],
                late: vec![],
            },
        );
        assert_eq!(s.folded_upto(), 4);
        let rows = s.take_before(i64::MAX);
        let rec = |b, p, pb, pp| {
            vec![SampleRec {
                index: 0,
                bytes: b,
                packets: p,
                peak_bin_bytes: pb,
                peak_bin_packets: pp,
            }]
        };
        assert_eq!(rows[&RowKey::Pair(pair(1, 2))], rec(400, 4, 300, 3));
        // network 2 receives from both pairs: bins 100, 300, 250 → peak 300 bytes, 5 packets
        assert_eq!(rows[&RowKey::NetIn((2, None))], rec(650, 9, 300, 5));
        assert_eq!(rows[&RowKey::NetOut((3, None))], rec(250, 5, 250, 5));
        assert_eq!(rows[&RowKey::Total], rec(650, 9, 300, 5));
    }

    #[test]
    fn late_bins_add_to_their_sample_alone() {
        let mut s = SampleBuilder::new(1, 4);
        let k = SeriesKey::Link(0, LinkDir::In);
        s.add(
            0,
            Flush {
                upto_bin: 8,
                cells: vec![(k, cell(1, 100, 1)), (k, cell(5, 10, 1))],
                late: vec![],
            },
        );
        s.add(
            0,
            Flush {
                upto_bin: 12,
                cells: vec![],
                late: vec![(k, cell(1, 50, 1)), (k, cell(2, 500, 1))],
            },
        );
        let rows = s.take_before(1);
        let r = &rows[&RowKey::Link(0, LinkDir::In)];
        assert_eq!(r.len(), 1);
        // bin 1 was 100, its late part 50 on its own: peak stays 100 ... then 500 in bin 2
        assert_eq!(
            (r[0].bytes, r[0].packets, r[0].peak_bin_bytes),
            (650, 3, 500)
        );
        assert_eq!(
            s.take_before(i64::MAX)[&RowKey::Link(0, LinkDir::In)][0].index,
            1
        );
    }
    #[test]
    fn late_bins_do_not_depend_on_how_workers_split_them() {
        let k = SeriesKey::Link(0, LinkDir::In);
        let closed = |upto| Flush {
            upto_bin: upto,
            cells: vec![],
            late: vec![],
        };
        let late = |upto, v: Vec<(SeriesKey, Cell)>| Flush {
            upto_bin: upto,
            cells: vec![],
            late: v,
        };
        // one worker: its late bin 1 in two pieces (30 + 40) in the epoch up to 12
        let mut one = SampleBuilder::new(1, 4);
        one.add(0, closed(8));
        one.add(0, late(12, vec![(k, cell(1, 30, 1)), (k, cell(1, 40, 1))]));
        // two workers: one piece each, the second worker a whole epoch behind at first
        let mut two = SampleBuilder::new(2, 4);
        two.add(0, closed(8));
        two.add(0, late(12, vec![(k, cell(1, 30, 1))]));
        two.add(0, closed(16));
        two.add(1, closed(8));
        two.add(1, late(12, vec![(k, cell(1, 40, 1))]));
        two.add(1, closed(16));
        one.add(0, closed(16));
        let a = one.take_before(i64::MAX);
        let b = two.take_before(i64::MAX);
        assert_eq!(a, b);
        let r = &a[&RowKey::Link(0, LinkDir::In)][0];
        assert_eq!((r.bytes, r.packets, r.peak_bin_bytes), (70, 2, 70));
    }
}
