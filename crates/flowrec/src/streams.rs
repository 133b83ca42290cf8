//! A bounded map of per-exporter state: when full, the least recently seen
//! entry makes room if it has been idle long enough; otherwise the newcomer
//! is refused.

use std::collections::HashMap;
use std::hash::Hash;

struct Slot<V> {
    value: V,
    last_seen_ns: i64,
}

/// Per-stream state keyed by `K`, at most `cap` entries.
pub(crate) struct Bounded<K, V> {
    map: HashMap<K, Slot<V>>,
    cap: usize,
    idle_ns: i64,
}

impl<K: Hash + Eq + Copy, V> Bounded<K, V> {
    pub(crate) fn new(cap: usize, idle_ns: i64) -> Bounded<K, V> {
        Bounded {
            map: HashMap::new(),
            cap,
            idle_ns,
        }
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.map.len()
    }

    /// The entry for `k`, made with `make` when new, and the number of
    /// entries. `None` when the map is full and no entry has been idle for
    /// `idle_ns`; an entry evicted to make room is handed to `evicted` first.
    pub(crate) fn entry(
        &mut self,
        k: K,
        now_ns: i64,
        make: impl FnOnce() -> V,
        evicted: impl FnOnce(V),
    ) -> (Option<&mut V>, usize) {
        let len = self.map.len();
        if !self.map.contains_key(&k) {
            if len >= self.cap {
                let Some(oldest) = self
                    .map
                    .iter()
                    .min_by_key(|(_, s)| s.last_seen_ns)
                    .map(|(k, s)| (*k, s.last_seen_ns))
                else {
                    return (None, len);
                };
                if now_ns.saturating_sub(oldest.1) < self.idle_ns {
                    return (None, len);
                }
                if let Some(s) = self.map.remove(&oldest.0) {
                    evicted(s.value);
                }
            }
            self.map.insert(
                k,
                Slot {
                    value: make(),
                    last_seen_ns: now_ns,
                },
            );
        }
        let len = self.map.len();
        let slot = self.map.get_mut(&k);
        (
            slot.map(|slot| {
                slot.last_seen_ns = slot.last_seen_ns.max(now_ns);
                &mut slot.value
            }),
            len,
        )
    }

    /// Every value.
    #[cfg(test)]
    pub(crate) fn values(&self) -> impl Iterator<Item = &V> {
        self.map.values().map(|s| &s.value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_map_evicts_only_idle_entries() {
        let mut m: Bounded<u32, u32> = Bounded::new(2, 100);
        let mut gone = Vec::new();
        assert_eq!(*m.entry(1, 0, || 10, |v| gone.push(v)).0.unwrap(), 10);
        assert_eq!(*m.entry(2, 50, || 20, |v| gone.push(v)).0.unwrap(), 20);
        // Full, and entry 1 idle only 60 ns: refused.
        assert!(m.entry(3, 60, || 30, |v| gone.push(v)).0.is_none());
        // Entry 1 idle 100 ns: it goes.
        assert_eq!(*m.entry(3, 100, || 30, |v| gone.push(v)).0.unwrap(), 30);
        assert_eq!(gone, vec![10]);
        assert_eq!(m.len(), 2);
        // Seeing an entry refreshes it.
        assert_eq!(*m.entry(2, 200, || 99, |v| gone.push(v)).0.unwrap(), 20);
        assert_eq!(*m.entry(4, 210, || 40, |v| gone.push(v)).0.unwrap(), 40);
        assert_eq!(gone, vec![10, 30]);
    }
}
