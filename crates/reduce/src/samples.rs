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
use trombone_schema::{PeakRule, SampleRec};
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
    rows: FxHashMap<RowKey, RowStore>,
    scratch: Vec<RowKey>,
    /// Per output row, the (bin, bytes, packets) of one fold; reused between folds.
    per_row: FxHashMap<RowKey, Vec<(i64, u64, u64)>>,
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
            rows: FxHashMap::default(),
            scratch: Vec::new(),
            per_row: FxHashMap::default(),
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
        // per (series, bin) over all workers → per output row, its bins sorted and summed
        // (several series feed one row: every pair feeds the total), then appended in
        // bin order: one row lookup per row, not per bin, and integer sorts only
        let per_sample = self.per_sample;
        self.pending.retain(|&(k, bin), v| {
            if bin >= m {
                return true;
            }
            targets(&k, &mut self.scratch);
            for r in &self.scratch {
                self.per_row.entry(*r).or_default().push((bin, v[0], v[1]));
            }
            false
        });
        for (r, cells) in self.per_row.iter_mut() {
            if cells.is_empty() {
                continue;
            }
            cells.sort_unstable_by_key(|c| c.0);
            let row = &mut self.rows.entry(*r).or_default().open;
            let mut i = 0;
            while i < cells.len() {
                let (bin, mut b, mut p) = cells[i];
                i += 1;
                while i < cells.len() && cells[i].0 == bin {
                    b += cells[i].1;
                    p += cells[i].2;
                    i += 1;
                }
                put_in(row, bin.div_euclid(per_sample), b, p, b, p);
            }
            cells.clear();
        }
        // rows gone quiet give their scratch space back
        self.per_row.retain(|_, c| c.capacity() <= 64);
        // samples whose every bin is folded now are sealed (stored compactly)
        let complete = m.div_euclid(per_sample);
        for row in self.rows.values_mut() {
            row.seal_before(complete);
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
        self.rows.entry(r).or_default().put(index, b, p, pb, pp);
    }

    /// Takes out every sample record with an index below `before` (all with `i64::MAX`).
    pub fn take_before(&mut self, before: i64) -> BTreeMap<RowKey, Vec<SampleRec>> {
        let mut out = BTreeMap::new();
        for (k, row) in self.rows.iter_mut() {
            let taken = row.take_before(before);
            if !taken.is_empty() {
                out.insert(*k, taken);
            }
        }
        self.rows.retain(|_, row| !row.is_empty());
        out
    }

    /// Output rows held.
    pub fn rows_held(&self) -> usize {
        self.rows.len()
    }
}

/// One output row's samples. Samples still receiving bins are plain records (`open`);
/// once every bin of a sample is folded it is sealed: appended to `sealed` as five
/// LEB128 numbers (index step, bytes, packets, busiest-bin bytes and packets), about 10
/// bytes instead of 40, so a month of 5-minute samples per row costs little. A late bin
/// for a sealed sample goes to `fixes`, added to the sealed record (busiest bin: the
/// larger) when the row is taken, exactly as if it had been added in place.
#[derive(Clone, Default)]
struct RowStore {
    sealed: Vec<u8>,
    /// Index of the last sealed sample.
    last_sealed: Option<i64>,
    open: Vec<SampleRec>,
    fixes: Vec<SampleRec>,
}

impl RowStore {
    /// Adds a bin to sample `index`.
    fn put(&mut self, index: i64, b: u64, p: u64, pb: u64, pp: u64) {
        if self.last_sealed.is_some_and(|l| index <= l) {
            put_in(&mut self.fixes, index, b, p, pb, pp);
        } else {
            put_in(&mut self.open, index, b, p, pb, pp);
        }
    }

    /// Seals every open sample with an index below `complete`.
    fn seal_before(&mut self, complete: i64) {
        let n = self.open.partition_point(|s| s.index < complete);
        if n == 0 {
            return;
        }
        for s in &self.open[..n] {
            let step = match self.last_sealed {
                Some(l) => s.index - l,
                None => s.index,
            };
            // the first index is absolute (a sample index since the epoch, never below
            // zero for real time; zigzag keeps a negative one exact anyway)
            put_varint(&mut self.sealed, ((step << 1) ^ (step >> 63)) as u64);
            put_varint(&mut self.sealed, s.bytes);
            put_varint(&mut self.sealed, s.packets);
            put_varint(&mut self.sealed, s.peak_bin_bytes);
            put_varint(&mut self.sealed, s.peak_bin_packets);
            self.last_sealed = Some(s.index);
        }
        self.open.drain(..n);
        if self.open.capacity() > 64 && self.open.len() < self.open.capacity() / 4 {
            self.open.shrink_to(self.open.len().max(16));
        }
    }

    /// Every sample, ascending, as plain records (sealed ones with their fixes added).
    fn decode(&self) -> Vec<SampleRec> {
        let mut v = Vec::with_capacity(self.open.len() + self.sealed.len() / 6);
        let mut pos = 0;
        let mut last: Option<i64> = None;
        while pos < self.sealed.len() {
            let z = get_varint(&self.sealed, &mut pos);
            let step = ((z >> 1) as i64) ^ -((z & 1) as i64);
            let index = last.map_or(step, |l| l + step);
            last = Some(index);
            v.push(SampleRec {
                index,
                bytes: get_varint(&self.sealed, &mut pos),
                packets: get_varint(&self.sealed, &mut pos),
                peak_bin_bytes: get_varint(&self.sealed, &mut pos),
                peak_bin_packets: get_varint(&self.sealed, &mut pos),
            });
        }
        for f in &self.fixes {
            match v.binary_search_by_key(&f.index, |s| s.index) {
                Ok(i) => v[i] = v[i].combine(f, PeakRule::Max),
                Err(i) => v.insert(i, *f),
            }
        }
        v.extend_from_slice(&self.open);
        v.shrink_to_fit();
        v
    }

    /// Takes out the samples with an index below `before`, ascending.
    fn take_before(&mut self, before: i64) -> Vec<SampleRec> {
        let mut all = self.decode();
        let n = all.partition_point(|s| s.index < before);
        let rest = all.split_off(n);
        // what stays is held plain again and sealed by the next fold
        *self = RowStore {
            open: rest,
            ..RowStore::default()
        };
        all
    }

    /// Whether no sample is held.
    fn is_empty(&self) -> bool {
        self.sealed.is_empty() && self.open.is_empty() && self.fixes.is_empty()
    }
}

/// Appends `x` as LEB128.
fn put_varint(out: &mut Vec<u8>, mut x: u64) {
    while x >= 0x80 {
        out.push((x as u8) | 0x80);
        x >>= 7;
    }
    out.push(x as u8);
}

/// Reads a LEB128 number at `pos` (written by [`put_varint`]).
fn get_varint(b: &[u8], pos: &mut usize) -> u64 {
    let mut x = 0u64;
    let mut shift = 0;
    loop {
        let byte = b[*pos];
        *pos += 1;
        x |= u64::from(byte & 0x7f) << shift;
        if byte < 0x80 {
            return x;
        }
        shift += 7;
    }
}

/// Adds a bin's bytes and packets to the record of sample `index` in `v` (ascending by
/// index), creating it if needed; the busiest bin is the larger of `pb`/`pp` and the old.
fn put_in(v: &mut Vec<SampleRec>, index: i64, b: u64, p: u64, pb: u64, pp: u64) {
    let blank = SampleRec {
        index,
        bytes: 0,
        packets: 0,
        peak_bin_bytes: 0,
        peak_bin_packets: 0,
    };
    let i = match v.last() {
        Some(last) if last.index == index => v.len() - 1,
        Some(last) if last.index > index => match v.binary_search_by_key(&index, |s| s.index) {
            Ok(i) => i,
            Err(i) => {
                v.insert(i, blank);
                i
            }
        },
        _ => {
            // grow by an eighth (at least 16): a month of samples per row keeps at most
            // 12.5% spare, where doubling would keep up to half again
            if v.len() == v.capacity() {
                v.reserve_exact((v.len() / 8).max(16));
            }
            v.push(blank);
            v.len() - 1
        }
    };
    let s = &mut v[i];
    s.bytes += b;
    s.packets += p;
    s.peak_bin_bytes = s.peak_bin_bytes.max(pb);
    s.peak_bin_packets = s.peak_bin_packets.max(pp);
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

    #[test]
    fn sealed_rows_give_back_exactly_what_plain_records_hold() {
        // The compact store against the plain vector it replaces: the same bins (in
        // order, late ones, huge values, negative indices), sealed at every step.
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut rnd = move |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n
        };
        for round in 0..50 {
            let mut plain: Vec<SampleRec> = Vec::new();
            let mut store = RowStore::default();
            let mut now: i64 = if round % 2 == 0 { -20 } else { 1_000_000 };
            for _ in 0..400 {
                now += rnd(3) as i64;
                // mostly current samples, sometimes a late one up to 10 back
                let index = if rnd(8) == 0 {
                    now - rnd(10) as i64
                } else {
                    now
                };
                let b = if rnd(50) == 0 {
                    u64::MAX / 4
                } else {
                    rnd(1 << 20)
                };
                let p = rnd(1000);
                let (pb, pp) = (rnd(1 << 16), rnd(100));
                put_in(&mut plain, index, b, p, pb, pp);
                store.put(index, b, p, pb, pp);
                if rnd(4) == 0 {
                    store.seal_before(now - rnd(3) as i64);
                }
            }
            let cut = now - 5;
            let want_rest: Vec<SampleRec> =
                plain.iter().copied().filter(|s| s.index >= cut).collect();
            let want: Vec<SampleRec> = plain.into_iter().filter(|s| s.index < cut).collect();
            assert_eq!(store.take_before(cut), want, "round {round}");
            assert_eq!(store.take_before(i64::MAX), want_rest, "round {round}");
            assert!(store.is_empty());
        }
    }
}
