//! The hot-path lookup table: non-overlapping sorted ranges with final answers, indexed by the
//! top 16 address bits so that a lookup is one index read plus a short binary search.

use crate::ranges::Key;
use crate::NetInfo;

/// Number of first-level index buckets (top 16 bits of the address).
const BUCKETS: usize = 1 << 16;

/// Sorted ranges covering the whole address space with their [`NetInfo`], plus a 16-bit index.
#[derive(Clone, Debug)]
pub struct Table<K> {
    /// First address of each range; `starts[0] == 0`.
    starts: Vec<K>,
    /// Answer for each range.
    infos: Vec<NetInfo>,
    /// `index[b]` = first range whose start lies in bucket `b` or later; `index[BUCKETS]` = len.
    index: Vec<u32>,
}

impl<K: Key> Default for Table<K> {
    fn default() -> Self {
        Table::from_ranges(vec![K::default()], vec![NetInfo::UNKNOWN])
    }
}

impl<K: Key> Table<K> {
    /// Builds from range starts (ascending, first is 0) and their answers; merges equal neighbours.
    pub fn from_ranges(starts_in: Vec<K>, infos_in: Vec<NetInfo>) -> Table<K> {
        let mut starts = Vec::with_capacity(starts_in.len());
        let mut infos: Vec<NetInfo> = Vec::with_capacity(starts_in.len());
        for (s, i) in starts_in.into_iter().zip(infos_in) {
            if infos.last() == Some(&i) {
                continue;
            }
            starts.push(s);
            infos.push(i);
        }
        if starts.first() != Some(&K::default()) {
            starts.insert(0, K::default());
            infos.insert(0, NetInfo::UNKNOWN);
        }
        starts.shrink_to_fit();
        infos.shrink_to_fit();
        let mut index = vec![0u32; BUCKETS + 1];
        let mut r = 0usize;
        for (b, slot) in index.iter_mut().enumerate().take(BUCKETS) {
            while r < starts.len() && starts[r].bucket() < b {
                r += 1;
            }
            *slot = r as u32;
        }
        index[BUCKETS] = starts.len() as u32;
        Table {
            starts,
            infos,
            index,
        }
    }

    /// The answer for `ip`: the range whose start is the greatest one `<= ip`.
    #[inline]
    pub fn lookup(&self, ip: K) -> NetInfo {
        let b = ip.bucket();
        let lo = self.index.get(b).copied().unwrap_or(0) as usize;
        let hi = self.index.get(b + 1).copied().unwrap_or(0) as usize;
        let pos = match self.starts.get(lo..hi) {
            Some(bucket) => lo + bucket.partition_point(|&s| s <= ip),
            None => 0,
        };
        // pos >= 1 always (starts[0] == 0 <= ip); the range before `lo` covers a bucket's head.
        match pos.checked_sub(1).and_then(|k| self.infos.get(k)) {
            Some(&i) => i,
            None => NetInfo::UNKNOWN,
        }
    }

    /// Number of ranges.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    /// Heap bytes used by the table.
    pub fn heap_bytes(&self) -> usize {
        self.starts.capacity() * std::mem::size_of::<K>()
            + self.infos.capacity() * std::mem::size_of::<NetInfo>()
            + self.index.capacity() * 4
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Country;

    fn ni(asn: u32) -> NetInfo {
        NetInfo {
            asn,
            country: Some(Country(*b"KH")),
        }
    }

    #[test]
    fn lookup_across_bucket_boundaries() {
        // Ranges: [0, 0x0001_8000) unknown, [0x0001_8000, 0x0003_0000) AS1, [0x0003_0000, ..) AS2,
        // [0xFFFF_FFFF] AS3.
        let t = Table::<u32>::from_ranges(
            vec![0, 0x0001_8000, 0x0003_0000, 0xFFFF_FFFF],
            vec![NetInfo::UNKNOWN, ni(1), ni(2), ni(3)],
        );
        assert_eq!(t.lookup(0), NetInfo::UNKNOWN);
        assert_eq!(t.lookup(0x0001_7FFF), NetInfo::UNKNOWN);
        assert_eq!(t.lookup(0x0001_8000), ni(1));
        assert_eq!(
            t.lookup(0x0002_1234),
            ni(1),
            "bucket 2 has no start: covered by previous"
        );
        assert_eq!(t.lookup(0x0002_FFFF), ni(1));
        assert_eq!(t.lookup(0x0003_0000), ni(2));
        assert_eq!(t.lookup(0x8000_0000), ni(2));
        assert_eq!(t.lookup(0xFFFF_FFFE), ni(2));
        assert_eq!(t.lookup(0xFFFF_FFFF), ni(3));
    }

    #[test]
    fn equal_neighbours_merge_and_missing_zero_start_is_added() {
        let t = Table::<u128>::from_ranges(vec![5, 10, 20], vec![ni(1), ni(1), ni(2)]);
        assert_eq!(t.len(), 3); // [0,5) unknown, [5,20) AS1, [20,..) AS2
        assert_eq!(t.lookup(4), NetInfo::UNKNOWN);
        assert_eq!(t.lookup(15), ni(1));
        assert_eq!(t.lookup(u128::MAX), ni(2));
    }

    #[test]
    fn default_is_all_unknown() {
        let t = Table::<u32>::default();
        assert_eq!(t.lookup(12345), NetInfo::UNKNOWN);
        assert_eq!(t.lookup(u32::MAX), NetInfo::UNKNOWN);
    }
}
