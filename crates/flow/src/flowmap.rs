//! `FlowMap`: the flow table's hash table — open addressing with linear probing, so the
//! slot a key lands in can be prefetched before it is needed.
//!
//! A worker's table holds 10⁵–10⁷ flows touched in no particular order, so nearly every
//! lookup misses the CPU caches; measured, that miss was three quarters of a worker's
//! time. A general-purpose map does not tell where a key's bucket is; this one does
//! ([`FlowMap::prefetch`]), which lets a worker fetch the slots of the next packets while
//! it updates the current one. Removal is backward-shift deletion: the entries after a
//! removed one in its probe run move back, so the table never needs tombstones or a
//! rebuild.

use crate::FlowKey;

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
struct Slot<V> {
    key: FlowKey,
    val: V,
    tag: u32,
}

/// The tag stored for a hash (never 0, which marks an empty slot).
#[inline]
fn tag_of(h: u64) -> u32 {
    ((h >> 32) as u32) | 1
}

/// How many slots ahead [`FlowMap::retain`]'s walk fetches.
const RETAIN_AHEAD: usize = 32;

/// A slot of a [`FlowMap`], as [`FlowMap::locate`] found it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Spot(usize);

/// What [`FlowMap::locate`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Located {
    /// The key is in this slot.
    Present(Spot),
    /// The key is absent; this empty slot ends its probe run, where it would go.
    Vacant(Spot),
}

/// Open-addressing flow table, at most half full.
pub struct FlowMap<V> {
    slots: Vec<Slot<V>>,
    mask: usize,
    len: usize,
}

/// The all-zero key of an empty slot.
const NO_KEY: FlowKey = FlowKey {
    src: 0,
    dst: 0,
    sport: 0,
    dport: 0,
    vlan: 0,
    proto: 0,
    ip_version: 0,
};

impl<V: Copy + Default> FlowMap<V> {
    /// Bytes of one slot.
    pub const SLOT_BYTES: usize = std::mem::size_of::<Slot<V>>();

    /// An empty slot.
    #[inline]
    fn empty() -> Slot<V> {
        Slot {
            key: NO_KEY,
            val: V::default(),
            tag: 0,
        }
    }

    /// A table sized for `flows` flows without growing.
    pub fn with_capacity(flows: usize) -> FlowMap<V> {
        let n = (flows.max(512) * 2).next_power_of_two();
        FlowMap {
            slots: trombone_memory::table(n, Self::empty()),
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
        self.slots.len() * Self::SLOT_BYTES
    }

    /// Asks the CPU to fetch the slot a key with hash `h` lands in: the first and last
    /// byte of the slot, so both cache lines of a slot that straddles two are fetched.
    #[inline]
    pub fn prefetch(&self, h: u64) {
        let p = self.slots.as_ptr().wrapping_add(h as usize & self.mask) as *const u8;
        trombone_packet::prefetch(p);
        trombone_packet::prefetch(p.wrapping_add(Self::SLOT_BYTES - 1));
    }

    /// Index of the slot holding `k` (hash `h`), if present.
    #[inline]
    fn find(&self, h: u64, k: &FlowKey) -> Option<usize> {
        match self.locate(h, k) {
            Located::Present(Spot(i)) => Some(i),
            Located::Vacant(_) => None,
        }
    }

    /// Where the flow with key `k` (hash `h`) is, or where it would go: one probe, whose
    /// answer [`FlowMap::at_mut`] and [`FlowMap::insert_at`] use without probing again.
    /// The answer holds until the map next changes.
    #[inline]
    pub fn locate(&self, h: u64, k: &FlowKey) -> Located {
        let tag = tag_of(h);
        let mut i = h as usize & self.mask;
        loop {
            let s = &self.slots[i];
            if s.tag == 0 {
                return Located::Vacant(Spot(i));
            }
            if s.tag == tag && s.key == *k {
                return Located::Present(Spot(i));
            }
            i = (i + 1) & self.mask;
        }
    }

    /// The value in a slot [`FlowMap::locate`] found present (since when the map has not
    /// changed).
    #[inline]
    pub fn at_mut(&mut self, at: Spot) -> &mut V {
        &mut self.slots[at.0].val
    }

    /// Inserts a flow [`FlowMap::locate`] found absent, at the slot it found (since when
    /// the map has not changed), and returns its value; if the map must grow first, the
    /// flow is placed afresh.
    #[inline]
    pub fn insert_at(&mut self, at: Spot, h: u64, k: FlowKey, val: V) -> &mut V {
        if (self.len + 1) * 2 > self.slots.len() || self.slots[at.0].tag != 0 {
            return self.insert(h, k, val);
        }
        self.slots[at.0] = Slot {
            key: k,
            val,
            tag: tag_of(h),
        };
        self.len += 1;
        &mut self.slots[at.0].val
    }

    /// The flow with key `k` (hash `h`), if present.
    #[inline]
    pub fn get_mut(&mut self, h: u64, k: &FlowKey) -> Option<&mut V> {
        let i = self.find(h, k)?;
        Some(&mut self.slots[i].val)
    }

    /// Inserts a flow known to be absent and returns its value.
    #[inline]
    pub fn insert(&mut self, h: u64, k: FlowKey, val: V) -> &mut V {
        if (self.len + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let i = self.place(h, k, val);
        &mut self.slots[i].val
    }

    /// Puts an entry in the first free slot of its probe run; returns the slot.
    #[inline]
    fn place(&mut self, h: u64, key: FlowKey, val: V) -> usize {
        let mut i = h as usize & self.mask;
        while self.slots[i].tag != 0 {
            i = (i + 1) & self.mask;
        }
        self.slots[i] = Slot {
            key,
            val,
            tag: tag_of(h),
        };
        self.len += 1;
        i
    }

    /// Doubles the table.
    #[cold]
    fn grow(&mut self) {
        let n = self.slots.len() * 2;
        let old = std::mem::replace(&mut self.slots, trombone_memory::table(n, Self::empty()));
        self.mask = n - 1;
        self.len = 0;
        for s in old.into_iter().filter(|s| s.tag != 0) {
            self.place(hash_key(&s.key), s.key, s.val);
        }
    }

    /// Empties slot `i` and shifts the rest of its probe run back (backward-shift
    /// deletion), so every remaining key stays reachable from its home slot.
    fn remove_at(&mut self, mut i: usize) {
        self.len -= 1;
        let mut j = i;
        loop {
            j = (j + 1) & self.mask;
            if self.slots[j].tag == 0 {
                break;
            }
            let home = hash_key(&self.slots[j].key) as usize & self.mask;
            // the entry at j may move to i when its home is not in (i, j] (cyclically)
            let stays = if i <= j {
                i < home && home <= j
            } else {
                i < home || home <= j
            };
            if !stays {
                self.slots[i] = self.slots[j];
                i = j;
            }
        }
        self.slots[i] = Self::empty();
    }

    /// Removes the flow with key `k` (hash `h`); its value, if it was present.
    pub fn remove(&mut self, h: u64, k: &FlowKey) -> Option<V> {
        let i = self.find(h, k)?;
        let v = self.slots[i].val;
        self.remove_at(i);
        Some(v)
    }

    /// Keeps only the flows `keep` says yes to, removing the others in place; returns
    /// how many were removed.
    pub fn retain(&mut self, mut keep: impl FnMut(&FlowKey, &V) -> bool) -> usize {
        if self.len == 0 {
            return 0;
        }
        // Start just after an empty slot: no probe run crosses it, so shifting entries
        // back never moves one across the start of the walk.
        let n = self.slots.len();
        let start = (0..n)
            .find(|&i| self.slots[i].tag == 0)
            .expect("a table at most half full has an empty slot");
        let mut removed = 0;
        let mut step = 1;
        while step <= n {
            let i = (start + step) & self.mask;
            // the walk streams through the whole table: fetch a few slots ahead (the
            // hardware's prefetcher stops at page boundaries)
            let ahead = self
                .slots
                .as_ptr()
                .wrapping_add((i + RETAIN_AHEAD) & self.mask) as *const u8;
            trombone_packet::prefetch(ahead);
            trombone_packet::prefetch(ahead.wrapping_add(Self::SLOT_BYTES - 1));
            let s = &self.slots[i];
            if s.tag != 0 && !keep(&s.key, &s.val) {
                self.remove_at(i);
                removed += 1;
                // slot i now holds the next entry of the run (or is empty): look again
                continue;
            }
            step += 1;
        }
        removed
    }

    /// Removes every flow.
    pub fn clear(&mut self) {
        self.slots.fill(Self::empty());
        self.len = 0;
    }

    /// Every flow's key and value.
    pub fn iter(&self) -> impl Iterator<Item = (&FlowKey, &V)> {
        self.slots
            .iter()
            .filter(|s| s.tag != 0)
            .map(|s| (&s.key, &s.val))
    }

    /// Every flow's value.
    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.slots.iter().filter(|s| s.tag != 0).map(|s| &s.val)
    }

    /// About `want` flows' values, from slots evenly spaced over the table (every
    /// `len / want`-th slot): a sample of the flows (the hash spreads them over the
    /// slots) that reads only the slots it visits, not the whole table.
    pub fn sample_values(&self, want: usize) -> impl Iterator<Item = &V> {
        let every = (self.len / want.max(1)).max(1);
        self.slots
            .iter()
            .step_by(every)
            .filter(|s| s.tag != 0)
            .map(|s| &s.val)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

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

    #[test]
    fn sample_values_spreads_over_the_table() {
        let mut m: FlowMap<u64> = FlowMap::with_capacity(0);
        for i in 0..400u32 {
            let k = FlowKey {
                src: u128::from(i),
                dst: 7,
                sport: 1,
                dport: 53,
                vlan: 0,
                proto: 17,
                ip_version: 4,
            };
            m.insert(crate::hash_key(&k), k, u64::from(i));
        }
        // every 400/100 = 4th slot of the table: a quarter of its slots, so about a
        // quarter of the flows, each a real one and none twice
        let s: Vec<u64> = m.sample_values(100).copied().collect();
        assert!((50..=150).contains(&s.len()), "{}", s.len());
        let mut d = s.clone();
        d.sort_unstable();
        d.dedup();
        assert_eq!(d.len(), s.len());
        assert!(s.iter().all(|&v| v < 400));
        // asking for more than there are visits every slot: every flow once
        assert_eq!(m.sample_values(1_000).count(), 400);
        let empty: FlowMap<u64> = FlowMap::with_capacity(0);
        assert_eq!(empty.sample_values(256).count(), 0);
    }

    #[test]
    fn locate_then_insert_at_or_update_in_place() {
        let mut m: FlowMap<u64> = FlowMap::with_capacity(10);
        // inserted through locate/insert_at across several doublings (insert_at places
        // afresh when the map must grow first)
        for i in 0..5_000u32 {
            let k = key(i);
            let h = hash_key(&k);
            let Located::Vacant(at) = m.locate(h, &k) else {
                panic!("{i} found before it was inserted");
            };
            assert_eq!(*m.insert_at(at, h, k, u64::from(i)), u64::from(i));
        }
        assert_eq!(m.len(), 5_000);
        for i in 0..5_000u32 {
            let k = key(i);
            let h = hash_key(&k);
            let Located::Present(at) = m.locate(h, &k) else {
                panic!("{i} lost");
            };
            *m.at_mut(at) += 1;
            assert_eq!(m.get_mut(h, &k).copied(), Some(u64::from(i) + 1));
        }
        assert_eq!(m.len(), 5_000);
    }

    #[test]
    fn insert_get_grow_retain() {
        let mut m: FlowMap<u64> = FlowMap::with_capacity(10);
        for i in 0..10_000u32 {
            let k = key(i);
            assert!(m.get_mut(hash_key(&k), &k).is_none());
            m.insert(hash_key(&k), k, u64::from(i));
        }
        assert_eq!(m.len(), 10_000);
        assert!(m.capacity() >= 10_000);
        for i in 0..10_000u32 {
            let k = key(i);
            assert_eq!(*m.get_mut(hash_key(&k), &k).unwrap(), u64::from(i));
        }
        let removed = m.retain(|_, v| v % 2 == 0);
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
        let mut m: FlowMap<u64> = FlowMap::with_capacity(16);
        let a = key(1);
        let mut b = a;
        b.vlan = 100;
        let mut c = a;
        c.ip_version = 6;
        for (k, n) in [(a, 1), (b, 2), (c, 3)] {
            m.insert(hash_key(&k), k, n);
        }
        assert_eq!(*m.get_mut(hash_key(&b), &b).unwrap(), 2);
        assert_eq!(*m.get_mut(hash_key(&c), &c).unwrap(), 3);
        assert_eq!(m.len(), 3);
    }

    /// A small xorshift generator: deterministic, no dependency.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
    }

    /// Differential test: random inserts, removals and sweeps against std's HashMap,
    /// on a small table (long probe runs that wrap around its end), with keys drawn
    /// from a small space so the same key comes and goes many times.
    #[test]
    fn matches_a_hashmap_under_random_insert_remove_retain() {
        for seed in 1..=20u64 {
            let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
            let mut m: FlowMap<u64> = FlowMap::with_capacity(0); // 1024 slots
            let mut model: HashMap<FlowKey, u64> = HashMap::new();
            for step in 0..20_000u64 {
                let k = key((rng.next() % 700) as u32);
                let h = hash_key(&k);
                match rng.next() % 10 {
                    0..=5 => match m.get_mut(h, &k) {
                        Some(v) => {
                            *v += 1;
                            *model.get_mut(&k).expect("model has it") += 1;
                        }
                        None => {
                            assert!(!model.contains_key(&k));
                            m.insert(h, k, step);
                            model.insert(k, step);
                        }
                    },
                    6..=8 => assert_eq!(m.remove(h, &k), model.remove(&k)),
                    _ => {
                        let cut = rng.next() % 20_000;
                        let removed = m.retain(|_, &v| v % 20_000 >= cut);
                        let before = model.len();
                        model.retain(|_, v| *v % 20_000 >= cut);
                        assert_eq!(removed, before - model.len());
                    }
                }
                assert_eq!(m.len(), model.len());
            }
            for (k, v) in &model {
                assert_eq!(m.get_mut(hash_key(k), k), Some(&mut v.clone()));
            }
            assert_eq!(m.iter().count(), model.len());
        }
    }
}
