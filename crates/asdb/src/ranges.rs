//! Address keys, source entries (prefixes or ranges) and longest-prefix-match flattening into
//! non-overlapping layers that cover the whole address space.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fmt::Debug;
use std::net::{Ipv4Addr, Ipv6Addr};

/// An address as an unsigned integer in host order: `u32` for IPv4, `u128` for IPv6.
pub trait Key: Copy + Ord + Eq + Default + Debug + Send + Sync + 'static {
    /// Address width in bits (32 or 128).
    const BITS: u32;
    /// The highest address.
    const MAX: Self;
    /// `self + 1` (callers never pass `MAX`).
    fn inc(self) -> Self;
    /// `self - 1` (callers never pass 0).
    fn dec(self) -> Self;
    /// The top 16 bits, used as the first-level index of lookup tables.
    fn bucket(self) -> usize;
    /// Widens to `u128` (IPv4 values stay in the low 32 bits).
    fn to_u128(self) -> u128;
    /// Narrows from `u128` (callers guarantee it fits).
    fn from_u128(v: u128) -> Self;
    /// Renders the address in the usual text form.
    fn fmt_addr(self) -> String;
}

impl Key for u32 {
    const BITS: u32 = 32;
    const MAX: u32 = u32::MAX;
    #[inline]
    fn inc(self) -> u32 {
        self.wrapping_add(1)
    }
    #[inline]
    fn dec(self) -> u32 {
        self.wrapping_sub(1)
    }
    #[inline(always)]
    fn bucket(self) -> usize {
        (self >> 16) as usize
    }
    fn to_u128(self) -> u128 {
        self as u128
    }
    fn from_u128(v: u128) -> u32 {
        v as u32
    }
    fn fmt_addr(self) -> String {
        Ipv4Addr::from(self).to_string()
    }
}

impl Key for u128 {
    const BITS: u32 = 128;
    const MAX: u128 = u128::MAX;
    #[inline]
    fn inc(self) -> u128 {
        self.wrapping_add(1)
    }
    #[inline]
    fn dec(self) -> u128 {
        self.wrapping_sub(1)
    }
    #[inline(always)]
    fn bucket(self) -> usize {
        (self >> 112) as usize
    }
    fn to_u128(self) -> u128 {
        self
    }
    fn from_u128(v: u128) -> u128 {
        v
    }
    fn fmt_addr(self) -> String {
        Ipv6Addr::from(self).to_string()
    }
}

/// The value stored for "no data" in a layer (no ASN / no country).
pub const NONE: u32 = u32::MAX;

/// One record of a source: an inclusive address range with a value and its specificity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry<K> {
    /// First address.
    pub start: K,
    /// Last address (inclusive).
    pub end: K,
    /// ASN (routing layers) or packed country code (country layers).
    pub val: u32,
    /// Specificity: the prefix length, or for a non-CIDR range the length of the shortest prefix
    /// that is no larger than the range.
    pub prio: u8,
    /// True when the record was a CIDR prefix (so `start/prio` names it).
    pub cidr: bool,
    /// Index of the source (file) the record came from.
    pub src: u16,
}

/// Mask with the top `len` bits set.
pub fn prefix_mask<K: Key>(len: u8) -> u128 {
    let len = u32::from(len).min(K::BITS);
    if len == 0 {
        return 0;
    }
    let all: u128 = if K::BITS == 128 {
        u128::MAX
    } else {
        (1u128 << K::BITS) - 1
    };
    let host_bits = K::BITS - len;
    if host_bits == 0 {
        all
    } else {
        all & !((1u128 << host_bits) - 1)
    }
}

impl<K: Key> Entry<K> {
    /// A CIDR prefix record; `None` if `len` is too long or `addr` has host bits set.
    pub fn prefix(addr: K, len: u8, val: u32, src: u16) -> Option<Entry<K>> {
        if u32::from(len) > K::BITS {
            return None;
        }
        let mask = prefix_mask::<K>(len);
        let a = addr.to_u128();
        if a & !mask != 0 {
            return None;
        }
        let end = a | (!mask & Self::all_ones());
        Some(Entry {
            start: addr,
            end: K::from_u128(end),
            val,
            prio: len,
            cidr: true,
            src,
        })
    }

    /// A range record (need not be CIDR-aligned); `None` if `end < start`.
    pub fn range(start: K, end: K, val: u32, src: u16) -> Option<Entry<K>> {
        if end < start {
            return None;
        }
        let span = end.to_u128() - start.to_u128(); // size - 1
                                                    // Number of bits needed to hold `size`, rounded up: ceil(log2(span + 1)).
        let bits = if span == u128::MAX {
            128
        } else {
            128 - span.leading_zeros()
        };
        let bits = bits.min(K::BITS);
        let prio = (K::BITS - bits) as u8;
        // A range that is exactly a prefix is recorded as one so it can be named as such.
        let cidr = bits == 0 || {
            let size_pow2 = span == u128::MAX || (span + 1).is_power_of_two();
            size_pow2 && start.to_u128() & span == 0
        };
        Some(Entry {
            start,
            end,
            val,
            prio,
            cidr,
            src,
        })
    }

    fn all_ones() -> u128 {
        if K::BITS == 128 {
            u128::MAX
        } else {
            (1u128 << K::BITS) - 1
        }
    }
}

/// Attributes of one piece of a flattened layer (8 bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Attr {
    /// ASN / packed country, or [`NONE`].
    pub val: u32,
    /// Specificity of the winning record (prefix length for CIDR records).
    pub prio: u8,
    /// Whether the winning record was a CIDR prefix.
    pub cidr: bool,
    /// Source index of the winning record.
    pub src: u16,
}

impl Attr {
    /// The attribute of address space no record covers.
    pub const GAP: Attr = Attr {
        val: NONE,
        prio: 0,
        cidr: false,
        src: u16::MAX,
    };
}

/// A flattened layer: sorted, non-overlapping pieces covering the whole address space; piece `i`
/// spans `starts[i] ..= starts[i+1]-1` (the last one up to `K::MAX`). `starts[0]` is always 0.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layer<K> {
    /// First address of each piece.
    pub starts: Vec<K>,
    /// What each piece maps to.
    pub attrs: Vec<Attr>,
}

impl<K: Key> Default for Layer<K> {
    fn default() -> Self {
        Layer {
            starts: vec![K::default()],
            attrs: vec![Attr::GAP],
        }
    }
}

impl<K: Key> Layer<K> {
    /// Index of the piece containing `ip` (binary search; for explanations, not the hot path).
    pub fn find(&self, ip: K) -> usize {
        self.starts.partition_point(|&s| s <= ip).saturating_sub(1)
    }

    /// Last address of piece `i`.
    pub fn piece_end(&self, i: usize) -> K {
        match self.starts.get(i + 1) {
            Some(&next) => next.dec(),
            None => K::MAX,
        }
    }

    /// Converts data pieces back to entries (so a prebuilt layer can be combined with others).
    pub fn to_entries(&self, src_offset: u16) -> Vec<Entry<K>> {
        let mut out = Vec::with_capacity(self.attrs.len());
        for (i, a) in self.attrs.iter().enumerate() {
            if a.val == NONE {
                continue;
            }
            out.push(Entry {
                start: self.starts[i],
                end: self.piece_end(i),
                val: a.val,
                prio: a.prio,
                cidr: a.cidr,
                src: a.src.saturating_add(src_offset),
            });
        }
        out
    }

    /// Heap bytes used.
    pub fn heap_bytes(&self) -> usize {
        self.starts.capacity() * std::mem::size_of::<K>()
            + self.attrs.capacity() * std::mem::size_of::<Attr>()
    }

    fn push(&mut self, start: K, attr: Attr) {
        if self.attrs.last() == Some(&attr) {
            return; // contiguous with an identical piece: extend it
        }
        self.starts.push(start);
        self.attrs.push(attr);
    }
}

/// A record active during the flattening sweep, ordered so the heap's top is the winner:
/// (specificity, earlier source, earlier start, end, value, cidr).
type Active<K> = (u8, Reverse<u16>, Reverse<K>, K, u32, bool);

/// Flattens possibly nested/overlapping entries by longest-prefix match into a layer.
///
/// Where records overlap, the most specific wins (highest `prio`); on equal specificity the
/// record from the lower source index (earlier file) wins. An exact duplicate (same start, end
/// and source) keeps the first occurrence and is counted in `dups[src]`.
pub fn flatten<K: Key>(mut entries: Vec<Entry<K>>, dups: &mut Vec<u64>) -> Layer<K> {
    // Stable: duplicates keep their input order, so the first one of a group is the earliest.
    entries.sort_by(|a, b| {
        a.start
            .cmp(&b.start)
            .then(a.end.cmp(&b.end))
            .then(a.src.cmp(&b.src))
    });
    let mut out = Layer {
        starts: Vec::with_capacity(entries.len() * 2 + 1),
        attrs: Vec::new(),
    };
    out.attrs.reserve(entries.len() * 2 + 1);
    // Max-heap on (prio, earlier source); entries expire lazily once their end is passed.
    let mut heap: BinaryHeap<Active<K>> = BinaryHeap::new();
    let mut i = 0usize;
    let mut p = K::default();
    loop {
        while let Some(e) = entries.get(i) {
            if e.start != p {
                break;
            }
            let is_dup = i > 0 && {
                let prev = &entries[i - 1];
                prev.start == e.start && prev.end == e.end && prev.src == e.src
            };
            if is_dup {
                let s = e.src as usize;
                if dups.len() <= s {
                    dups.resize(s + 1, 0);
                }
                dups[s] += 1;
            } else {
                heap.push((
                    e.prio,
                    Reverse(e.src),
                    Reverse(e.start),
                    e.end,
                    e.val,
                    e.cidr,
                ));
            }
            i += 1;
        }
        while let Some(top) = heap.peek() {
            if top.3 < p {
                heap.pop();
            } else {
                break;
            }
        }
        let next_start = entries.get(i).map(|e| e.start);
        let (attr, seg_end) = match heap.peek() {
            Some(&(prio, Reverse(src), _, end, val, cidr)) => {
                let seg_end = match next_start {
                    Some(n) if n.dec() < end => n.dec(),
                    _ => end,
                };
                (
                    Attr {
                        val,
                        prio,
                        cidr,
                        src,
                    },
                    seg_end,
                )
            }
            None => (Attr::GAP, next_start.map(|n| n.dec()).unwrap_or(K::MAX)),
        };
        out.push(p, attr);
        if seg_end == K::MAX {
            break;
        }
        p = seg_end.inc();
    }
    out.starts.shrink_to_fit();
    out.attrs.shrink_to_fit();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v4(s: &str) -> u32 {
        u32::from(s.parse::<Ipv4Addr>().unwrap())
    }

    fn at(l: &Layer<u32>, ip: &str) -> u32 {
        l.attrs[l.find(v4(ip))].val
    }

    #[test]
    fn prefix_entry_bounds() {
        let e = Entry::<u32>::prefix(v4("10.0.0.0"), 8, 1, 0).unwrap();
        assert_eq!((e.start, e.end), (v4("10.0.0.0"), v4("10.255.255.255")));
        assert!(
            Entry::<u32>::prefix(v4("10.0.0.1"), 8, 1, 0).is_none(),
            "host bits set"
        );
        assert!(Entry::<u32>::prefix(0, 33, 1, 0).is_none());
        let all = Entry::<u32>::prefix(0, 0, 1, 0).unwrap();
        assert_eq!(all.end, u32::MAX);
        let all6 = Entry::<u128>::prefix(0, 0, 1, 0).unwrap();
        assert_eq!(all6.end, u128::MAX);
        let host6 = Entry::<u128>::prefix(5, 128, 1, 0).unwrap();
        assert_eq!((host6.start, host6.end), (5, 5));
    }

    #[test]
    fn range_priority_and_cidr_detection() {
        // 1.0.4.0 - 1.0.7.255 is exactly 1.0.4.0/22.
        let r = Entry::<u32>::range(v4("1.0.4.0"), v4("1.0.7.255"), 1, 0).unwrap();
        assert_eq!((r.prio, r.cidr), (22, true));
        // 768 addresses: not a power of two; shortest prefix no larger is /22 (1024 >= 768).
        let r = Entry::<u32>::range(v4("1.0.0.0"), v4("1.0.2.255"), 1, 0).unwrap();
        assert_eq!((r.prio, r.cidr), (22, false));
        // Power-of-two size but misaligned.
        let r = Entry::<u32>::range(v4("1.0.1.0"), v4("1.0.2.255"), 1, 0).unwrap();
        assert_eq!((r.prio, r.cidr), (23, false));
        let r = Entry::<u32>::range(7, 7, 1, 0).unwrap();
        assert_eq!((r.prio, r.cidr), (32, true));
        let r = Entry::<u128>::range(0, u128::MAX, 1, 0).unwrap();
        assert_eq!((r.prio, r.cidr), (0, true));
        assert!(Entry::<u32>::range(8, 7, 1, 0).is_none());
    }

    #[test]
    fn longest_prefix_wins_and_gaps_are_none() {
        let es = vec![
            Entry::prefix(v4("10.0.0.0"), 8, 100, 0).unwrap(),
            Entry::prefix(v4("10.1.0.0"), 16, 200, 0).unwrap(),
            Entry::prefix(v4("10.1.2.0"), 24, 300, 0).unwrap(),
            Entry::prefix(v4("10.1.2.128"), 25, 400, 0).unwrap(),
        ];
        let mut d = vec![];
        let l = flatten(es, &mut d);
        assert_eq!(at(&l, "9.255.255.255"), NONE);
        assert_eq!(at(&l, "10.0.0.0"), 100);
        assert_eq!(at(&l, "10.0.255.255"), 100);
        assert_eq!(at(&l, "10.1.0.0"), 200);
        assert_eq!(at(&l, "10.1.1.255"), 200);
        assert_eq!(at(&l, "10.1.2.0"), 300);
        assert_eq!(at(&l, "10.1.2.127"), 300);
        assert_eq!(at(&l, "10.1.2.128"), 400);
        assert_eq!(at(&l, "10.1.2.255"), 400);
        assert_eq!(at(&l, "10.1.3.0"), 200);
        assert_eq!(at(&l, "10.255.255.255"), 100);
        assert_eq!(at(&l, "11.0.0.0"), NONE);
        assert_eq!(at(&l, "255.255.255.255"), NONE);
        assert_eq!(l.starts[0], 0);
        // gap, /8, /16, /24, /25, /16, /8, gap
        assert_eq!(l.starts.len(), 8);
        assert!(d.iter().all(|&c| c == 0));
    }

    #[test]
    fn equal_specificity_earlier_source_wins_and_dups_counted() {
        let es = vec![
            Entry::prefix(v4("10.0.0.0"), 24, 2, 1).unwrap(),
            Entry::prefix(v4("10.0.0.0"), 24, 1, 0).unwrap(),
            Entry::prefix(v4("10.0.0.0"), 24, 3, 1).unwrap(), // duplicate within source 1
        ];
        let mut d = vec![];
        let l = flatten(es, &mut d);
        assert_eq!(at(&l, "10.0.0.5"), 1);
        assert_eq!(d, vec![0, 1]);
    }

    #[test]
    fn adjacent_identical_pieces_merge_and_top_of_space() {
        let es = vec![
            Entry::prefix(v4("10.0.0.0"), 24, 7, 0).unwrap(),
            Entry::prefix(v4("10.0.1.0"), 24, 7, 0).unwrap(),
            Entry::prefix(v4("255.255.255.255"), 32, 9, 0).unwrap(),
        ];
        let mut d = vec![];
        let l = flatten(es, &mut d);
        assert_eq!(
            l.starts,
            vec![0, v4("10.0.0.0"), v4("10.0.2.0"), v4("255.255.255.255")]
        );
        assert_eq!(at(&l, "255.255.255.255"), 9);
        assert_eq!(at(&l, "255.255.255.254"), NONE);
    }

    #[test]
    fn partial_overlap_of_ranges_from_two_sources() {
        // Source 0: 10.0.0.0-10.0.2.255 (prio 22, range); source 1: 10.0.2.0/24 (prio 24).
        let es = vec![
            Entry::range(v4("10.0.0.0"), v4("10.0.2.255"), 1, 0).unwrap(),
            Entry::prefix(v4("10.0.2.0"), 23, 5, 1).unwrap(),
        ];
        let mut d = vec![];
        let l = flatten(es, &mut d);
        assert_eq!(at(&l, "10.0.1.255"), 1);
        assert_eq!(
            at(&l, "10.0.2.0"),
            5,
            "/23 (prio 23) beats a 768-address range (prio 22)"
        );
        assert_eq!(at(&l, "10.0.3.255"), 5);
        assert_eq!(at(&l, "10.0.4.0"), NONE);
    }

    #[test]
    fn to_entries_roundtrip() {
        let es = vec![
            Entry::prefix(v4("10.0.0.0"), 8, 100, 0).unwrap(),
            Entry::prefix(v4("10.1.0.0"), 16, 200, 0).unwrap(),
        ];
        let mut d = vec![];
        let l = flatten(es, &mut d);
        let again = flatten(l.to_entries(0), &mut d);
        assert_eq!(l, again);
    }
}
