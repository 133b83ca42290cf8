//! `FlowMap`: the flow table's hash table — open addressing with linear
//! probing, so the slot a key lands in can be prefetched before it is needed.
//!
//! A worker's table holds 10⁵–10⁷ flows touched in no particular order, so
//! nearly every lookup misses the CPU caches; measured, that miss was three
//! quarters of a worker's time. A general-purpose map does not tell where a
//! key's bucket is; this one does ([`FlowMap::prefetch`]), which lets
//! [`crate::Worker::observe_batch`] fetch the slots of the next packets while it
//! updates the current one.

use crate::{FlowKey, FlowStats};

/// Hashes a flow key (the FxHash mix over its fields).
#[inline]
pub fn hash_key(k: &FlowKey) -> u64 {
    const K: u64 = 0xf135_7aea_2e62_a9c5;
    let mut h = 0u64;
    for w in [
        k.src as u64,
        (k.src >> 64) as u64,
        k.dst as u64,
        (k.dst >> 64) as u64,
        u64::from(k.sport)
            | u64::from(k.dport) << 16
            | u64::from(k.vlan) << 32
            | u64::from(k.proto) << 48
            | u64::from(k.ip_version) << 56,
    ] {
        h = (h.rotate_left(5) ^ w).wrapping_mul(K);
    }
    // fold the high bits down: the low bits pick the slot
    h ^ (h >> 29)
}

/// One slot: empty when `tag == 0`.
#[derive(Clone, Copy)]
struct Slot {
    key: FlowKey,
    stats: FlowStats,
    tag: u32,
}

/// The tag stored for a hash (never 0, which marks an empty slot).
#[inline]
fn tag_of(h: u64) -> u32 {
    ((h >> 32) as u32) | 1
}

/// Open-addressing flow table, at most half full.
pub struct FlowMap {
    slots: Vec<Slot>,
    mask: usize,
    len: usize,
}

/// An empty slot's contents (never read while `tag == 0`).
const EMPTY: Slot = Slot {
    key: FlowKey {
        src: 0,
        dst: 0,
        sport: 0,
        dport: 0,
        vlan: 0,
        proto: 0,
        ip_version: 0,
    },
    stats: FlowStats {
        packets: 0,
        bytes: 0,
        first_ns: 0,
        last_ns: 0,
        pair: trombone_hairpin::PairRef {
            idx: 0,
            src_local: false,
            dst_local: false,
        },
    },
    tag: 0,
};

impl FlowMap {
    /// Bytes of one slot.
    pub const SLOT_BYTES: usize = std::mem::size_of::<Slot>();

    /// A table sized for `flows` flows without growing.
    pub fn with_capacity(flows: usize) -> FlowMap {
        let n = (flows.max(512) * 2).next_power_of_two();
        FlowMap {
            slots: vec![EMPTY; n],
            mask: n - 1,
            len: 0,
        }
    }

    /// Flows held.
    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when no flow is held.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Flows it can hold before growing.
    pub fn capacity(&self) -> usize {
        self.slots.len() / 2
    }

    /// Bytes of slot memory.
    pub fn memory_bytes(&self) -> usize {
        self.slots.len() * std::mem::size_of::<Slot>()
    }

    /// Asks the CPU to fetch the slot a key with hash `h` lands in: both of
    /// the cache lines a 96-byte slot straddles (its tag sits in the second).
    #[inline]
    pub fn prefetch(&self, h: u64) {
        let p = self.slots.as_ptr().wrapping_add(h as usize & self.mask) as *const i8;
        #[cfg(target_arch = "x86_64")]
        // SAFETY: prefetching is a hint; it never faults, even on an invalid address.
        unsafe {
            use core::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
            _mm_prefetch(p, _MM_HINT_T0);
            _mm_prefetch(p.wrapping_add(Self::SLOT_BYTES - 1), _MM_HINT_T0);
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = p;
    }

    /// The flow with key `k` (hash `h`), if present.
    #[inline]
    pub fn get_mut(&mut self, h: u64, k: &FlowKey) -> Option<&mut FlowStats> {
        let tag = tag_of(h);
        let mut i = h as usize & self.mask;
        loop {
            let s = &self.slots[i];
            if s.tag == 0 {
                return None;
            }
            if s.tag == tag && s.key == *k {
                return Some(&mut self.slots[i].stats);
            }
            i = (i + 1) & self.mask;
        }
    }

    /// Inserts a flow known to be absent.
    #[inline]
    pub fn insert(&mut self, h: u64, k: FlowKey, stats: FlowStats) {
        if (self.len + 1) * 2 > self.slots.len() {
            self.grow();
        }
        self.place(h, k, stats);
    }

    /// Puts an entry in the first free slot of its probe run.
    #[inline]
    fn place(&mut self, h: u64, key: FlowKey, stats: FlowStats) {
        let mut i = h as usize & self.mask;
        while self.slots[i].tag != 0 {
            i = (i + 1) & self.mask;
        }
        self.slots[i] = Slot {
            key,
            stats,
            tag: tag_of(h),
        };
        self.len += 1;
    }

    /// Doubles the table.
    #[cold]
    fn grow(&mut self) {
        let n = self.slots.len() * 2;
        let old = std::mem::replace(&mut self.slots, vec![EMPTY; n]);
        self.mask = n - 1;
        self.len = 0;
        for s in old.into_iter().filter(|s| s.tag != 0) {
            self.place(hash_key(&s.key), s.key, s.stats);
        }
    }

    /// Keeps only the flows `keep` says yes to; returns how many were removed.
    pub fn retain(&mut self, mut keep: impl FnMut(&FlowKey, &FlowStats) -> bool) -> usize {
        let kept: Vec<(FlowKey, FlowStats)> = self
            .slots
            .iter()
            .filter(|s| s.tag != 0 && keep(&s.key, &s.stats))
            .map(|s| (s.key, s.stats))
            .collect();
        let removed = self.len - kept.len();
        if removed > 0 {
            self.slots.fill(EMPTY);
            self.len = 0;
            for (k, st) in kept {
                self.place(hash_key(&k), k, st);
            }
        }
        removed
    }

    /// Removes every flow.
    pub fn clear(&mut self) {
        self.slots.fill(EMPTY);
        self.len = 0;
    }

    /// Every flow's key and counters.
    pub fn iter(&self) -> impl Iterator<Item = (&FlowKey, &FlowStats)> {
        self.slots
            .iter()
            .filter(|s| s.tag != 0)
            .map(|s| (&s.key, &s.stats))
    }

    /// Every flow's counters.
    pub fn values(&self) -> impl Iterator<Item = &FlowStats> {
        self.slots.iter().filter(|s| s.tag != 0).map(|s| &s.stats)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(i: u32) -> FlowKey {
        FlowKey {
            src: u128::from(i),
            dst: 7,
            sport: (i % 60000) as u16,
            dport: 53,
            vlan: 0,
            proto: 17,
            ip_version: 4,
        }
    }

    fn stats(n: u64) -> FlowStats {
        FlowStats {
            packets: n,
            ..EMPTY.stats
        }
    }

    #[test]
    fn insert_get_grow_retain() {
        let mut m = FlowMap::with_capacity(10);
        for i in 0..10_000u32 {
            let k = key(i);
            assert!(m.get_mut(hash_key(&k), &k).is_none());
            m.insert(hash_key(&k), k, stats(u64::from(i)));
        }
        assert_eq!(m.len(), 10_000);
        assert!(m.capacity() >= 10_000);
        for i in 0..10_000u32 {
            let k = key(i);
            assert_eq!(m.get_mut(hash_key(&k), &k).unwrap().packets, u64::from(i));
        }
        let removed = m.retain(|_, s| s.packets % 2 == 0);
        assert_eq!(removed, 5_000);
        assert_eq!(m.len(), 5_000);
        for i in 0..10_000u32 {
            let k = key(i);
            assert_eq!(m.get_mut(hash_key(&k), &k).is_some(), i % 2 == 0);
        }
        assert_eq!(m.values().count(), 5_000);
        m.clear();
        assert!(m.is_empty());
        let k = key(3);
        assert!(m.get_mut(hash_key(&k), &k).is_none());
    }

    #[test]
    fn keys_differing_in_one_field_are_different_flows() {
        let mut m = FlowMap::with_capacity(16);
        let a = key(1);
        let mut b = a;
        b.vlan = 100;
        let mut c = a;
        c.ip_version = 6;
        for (k, n) in [(a, 1), (b, 2), (c, 3)] {
            m.insert(hash_key(&k), k, stats(n));
        }
        assert_eq!(m.get_mut(hash_key(&b), &b).unwrap().packets, 2);
        assert_eq!(m.get_mut(hash_key(&c), &c).unwrap().packets, 3);
        assert_eq!(m.len(), 3);
    }
}
