//! `PendingMap`: sightings waiting for their replica, in an open-addressing
//! table keyed by the packet's 128-bit fingerprint, so a worker can prefetch
//! the slot of a packet a few places ahead (the table is far larger than the
//! CPU caches; a lookup is otherwise a cache miss).

/// Linear probing over power-of-two slots, at most half full; key 0 = empty.
pub(crate) struct PendingMap<V: Copy> {
    slots: Vec<(u128, V)>,
    mask: usize,
    len: usize,
    empty: V,
}

impl<V: Copy> PendingMap<V> {
    /// A table for about `n` entries; `empty` fills unused slots.
    pub(crate) fn with_capacity(n: usize, empty: V) -> PendingMap<V> {
        let size = (n.max(64) * 2).next_power_of_two();
        PendingMap {
            slots: vec![(0, empty); size],
            mask: size - 1,
            len: 0,
            empty,
        }
    }

    /// Entries held.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The home slot of a fingerprint.
    #[inline]
    fn home(&self, k: u128) -> usize {
        (k as usize) & self.mask
    }

    /// Asks the CPU to fetch the slot of `k`.
    #[inline]
    pub(crate) fn prefetch(&self, k: u128) {
        let p = self.slots.as_ptr().wrapping_add(self.home(k));
        #[cfg(target_arch = "x86_64")]
        // SAFETY: prefetching is a hint; it never faults, even on an invalid address.
        unsafe {
            core::arch::x86_64::_mm_prefetch(p as *const i8, core::arch::x86_64::_MM_HINT_T0);
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = p;
    }

    /// Index of `k`'s slot, if present.
    #[inline]
    fn find(&self, k: u128) -> Option<usize> {
        let mut i = self.home(k);
        loop {
            let s = self.slots[i].0;
            if s == 0 {
                return None;
            }
            if s == k {
                return Some(i);
            }
            i = (i + 1) & self.mask;
        }
    }

    /// The value of `k` (never 0), if present.
    #[inline]
    pub(crate) fn get_mut(&mut self, k: u128) -> Option<&mut V> {
        self.find(k).map(|i| &mut self.slots[i].1)
    }

    /// Inserts `k` (never 0, known absent).
    pub(crate) fn insert(&mut self, k: u128, v: V) {
        if (self.len + 1) * 2 > self.slots.len() {
            self.rebuild(self.slots.len() * 2, |_| true);
        }
        let mut i = self.home(k);
        while self.slots[i].0 != 0 {
            i = (i + 1) & self.mask;
        }
        self.slots[i] = (k, v);
        self.len += 1;
    }

    /// Removes `k` with backward-shift deletion (no tombstones).
    pub(crate) fn remove(&mut self, k: u128) {
        let Some(mut hole) = self.find(k) else {
            return;
        };
        let mut j = hole;
        loop {
            j = (j + 1) & self.mask;
            let kj = self.slots[j].0;
            if kj == 0 {
                break;
            }
            let h = self.home(kj);
            // move j into the hole unless its home lies cyclically in (hole, j]
            let in_between = if hole <= j {
                hole < h && h <= j
            } else {
                hole < h || h <= j
            };
            if !in_between {
                self.slots[hole] = self.slots[j];
                hole = j;
            }
        }
        self.slots[hole] = (0, self.empty);
        self.len -= 1;
    }

    /// Keeps the entries `keep` says yes to (it may edit them).
    pub(crate) fn retain(&mut self, keep: impl FnMut(&mut V) -> bool) {
        let n = self.slots.len();
        self.rebuild(n, keep);
    }

    /// Rehashes into `size` slots the entries `keep` accepts.
    fn rebuild(&mut self, size: usize, mut keep: impl FnMut(&mut V) -> bool) {
        let old = std::mem::replace(&mut self.slots, vec![(0, self.empty); size]);
        self.mask = size - 1;
        self.len = 0;
        for (k, mut v) in old {
            if k != 0 && keep(&mut v) {
                let mut i = self.home(k);
                while self.slots[i].0 != 0 {
                    i = (i + 1) & self.mask;
                }
                self.slots[i] = (k, v);
                self.len += 1;
            }
        }
    }

    /// Removes every entry.
    pub(crate) fn clear(&mut self) {
        self.slots.fill((0, self.empty));
        self.len = 0;
    }

    /// Every value.
    pub(crate) fn values(&self) -> impl Iterator<Item = &V> {
        self.slots.iter().filter(|s| s.0 != 0).map(|s| &s.1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_find_remove_keeps_probe_runs_intact() {
        let mut m = PendingMap::with_capacity(8, 0u32);
        // keys crafted to collide on their home slot (same low bits)
        let keys: Vec<u128> = (1..=40u128).map(|i| (i << 64) | 5).collect();
        for (n, k) in keys.iter().enumerate() {
            m.insert(*k, n as u32);
        }
        assert_eq!(m.len(), 40);
        for (n, k) in keys.iter().enumerate().filter(|(n, _)| n % 3 == 0) {
            assert_eq!(*m.get_mut(*k).unwrap(), n as u32);
            m.remove(*k);
        }
        for (n, k) in keys.iter().enumerate() {
            assert_eq!(
                m.get_mut(*k).copied(),
                (n % 3 != 0).then_some(n as u32),
                "{n}"
            );
        }
        m.retain(|v| *v % 2 == 0);
        assert!(m.values().all(|v| v % 2 == 0));
        assert_eq!(m.len(), m.values().count());
        m.clear();
        assert_eq!(m.len(), 0);
        assert!(m.get_mut(keys[1]).is_none());
    }
}
