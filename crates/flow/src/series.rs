//! Traffic per fixed time bin: the raw material of rates and percentiles.

/// Most bins one series may span (at 1 s bins, about 48 days); packets whose
/// timestamp would stretch a series further are counted, not binned.
pub const MAX_SPAN_BINS: i64 = 1 << 22;

/// Bytes and packets per bin, bins numbered from the Unix epoch (bin `b`
/// covers `[b × bin, (b + 1) × bin)`), so series from different workers add
/// up bin by bin.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Series {
    start: i64,
    bins: Vec<[u64; 2]>,
}

impl Series {
    /// Adds one packet of `bytes` to bin `bin`; false (and nothing added)
    /// when that would stretch the series beyond [`MAX_SPAN_BINS`].
    #[inline]
    pub fn add(&mut self, bin: i64, bytes: u64) -> bool {
        self.add_n(bin, bytes, 1)
    }

    /// Adds `packets` packets totalling `bytes` to bin `bin`.
    #[inline]
    pub fn add_n(&mut self, bin: i64, bytes: u64, packets: u64) -> bool {
        if self.bins.is_empty() {
            self.start = bin;
        }
        let idx = bin - self.start;
        if idx >= 0 && (idx as usize) < self.bins.len() {
            let b = &mut self.bins[idx as usize];
            b[0] += bytes;
            b[1] += packets;
            return true;
        }
        self.grow(bin, bytes, packets)
    }

    /// The slow path of [`Series::add_n`]: extend forwards or backwards.
    #[cold]
    fn grow(&mut self, bin: i64, bytes: u64, packets: u64) -> bool {
        let end = self.start + self.bins.len() as i64; // exclusive
        if bin >= end {
            if bin - self.start >= MAX_SPAN_BINS {
                return false;
            }
            self.bins.resize((bin - self.start + 1) as usize, [0, 0]);
        } else {
            // bin < start
            if end - bin > MAX_SPAN_BINS {
                return false;
            }
            let extra = (self.start - bin) as usize;
            let mut v = vec![[0u64, 0u64]; extra + self.bins.len()];
            v[extra..].copy_from_slice(&self.bins);
            self.bins = v;
            self.start = bin;
        }
        let b = &mut self.bins[(bin - self.start) as usize];
        b[0] += bytes;
        b[1] += packets;
        true
    }

    /// Adds another series bin by bin; returns the packets that did not fit.
    pub fn merge(&mut self, o: &Series) -> u64 {
        let mut lost = 0;
        for (i, b) in o.bins.iter().enumerate() {
            if (b[1] != 0 || b[0] != 0) && !self.add_n(o.start + i as i64, b[0], b[1]) {
                lost += b[1];
            }
        }
        lost
    }

    /// Index of the first bin (meaningless when empty).
    pub fn start(&self) -> i64 {
        self.start
    }

    /// `[bytes, packets]` per bin from [`Series::start`].
    pub fn bins(&self) -> &[[u64; 2]] {
        &self.bins
    }

    /// Bytes and packets of bin `b` (zero outside the series).
    pub fn get(&self, b: i64) -> [u64; 2] {
        let i = b - self.start;
        if i < 0 || i as usize >= self.bins.len() {
            [0, 0]
        } else {
            self.bins[i as usize]
        }
    }

    /// True when nothing was added.
    pub fn is_empty(&self) -> bool {
        self.bins.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_both_ways_and_merges() {
        let mut s = Series::default();
        assert!(s.add(100, 10));
        assert!(s.add(103, 5));
        assert!(s.add(98, 7));
        assert!(s.add(100, 1));
        assert_eq!(s.start(), 98);
        assert_eq!(s.bins(), &[[7, 1], [0, 0], [11, 2], [0, 0], [0, 0], [5, 1]]);
        let mut t = Series::default();
        t.add(103, 100);
        t.add(200, 1);
        assert_eq!(t.merge(&s), 0);
        assert_eq!(t.get(103), [105, 2]);
        assert_eq!(t.get(98), [7, 1]);
        assert_eq!(t.get(200), [1, 1]);
        assert_eq!(t.get(5000), [0, 0]);
    }

    #[test]
    fn refuses_absurd_spans() {
        let mut s = Series::default();
        assert!(s.add(0, 1));
        assert!(!s.add(MAX_SPAN_BINS, 1));
        assert!(!s.add(-MAX_SPAN_BINS, 1));
        assert!(s.add(MAX_SPAN_BINS - 1, 1));
        assert_eq!(s.bins().len(), MAX_SPAN_BINS as usize);
    }
}
