//! `FlowTable`: a [`FlowMap`] bounded as flow exporters bound theirs.

use crate::{FlowKey, FlowMap, Located};

/// What a flow table needs to know of the value it keeps per flow.
pub trait FlowValue: Copy + Default {
    /// Capture time of the flow's first packet, ns since the epoch.
    fn first_ns(&self) -> i64;
    /// Capture time of the flow's latest packet, ns since the epoch.
    fn last_ns(&self) -> i64;
}

/// Bounds on a flow table.
///
/// Evicting a flow loses only its per-flow detail; whatever the caller adds up per
/// packet elsewhere (the matrices) stays exact. A flow seen again after eviction is
/// created anew.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FlowLimits {
    /// Most flows in the table; when full, idle flows and then the least recently
    /// active half are evicted.
    pub max_flows: usize,
    /// A flow with no packet for this long (capture time) is ended; 0 = never.
    pub idle_timeout_ns: i64,
    /// A flow older than this (capture time) is ended and restarted; 0 = never.
    pub active_timeout_ns: i64,
}

impl Default for FlowLimits {
    /// No timeouts and a cap of 16 M flows.
    fn default() -> FlowLimits {
        FlowLimits {
            max_flows: 1 << 24,
            idle_timeout_ns: 0,
            active_timeout_ns: 0,
        }
    }
}

/// How a packet's flow was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlowStatus {
    /// The flow was in the table.
    Existing,
    /// The flow was created for this packet.
    New,
    /// The flow had outlived the active timeout: it was ended and started again, its
    /// value left as it was for the caller to reset.
    Restarted,
}

/// Packets between two checks of the idle timeout.
const TIMEOUT_CHECK_EVERY: u64 = 1 << 16;

/// A bounded flow table.
pub struct FlowTable<V> {
    map: FlowMap<V>,
    limits: FlowLimits,
    evicted: u64,
    expired: u64,
    packets: u64,
    newest_ns: i64,
    last_sweep_ns: i64,
}

impl<V: FlowValue> FlowTable<V> {
    /// An empty table pre-sized for `hint` flows (no more than the cap).
    pub fn new(hint: usize, limits: FlowLimits) -> FlowTable<V> {
        let limits = FlowLimits {
            max_flows: limits.max_flows.max(1),
            ..limits
        };
        FlowTable {
            map: FlowMap::with_capacity(hint.min(limits.max_flows)),
            limits,
            evicted: 0,
            expired: 0,
            packets: 0,
            newest_ns: i64::MIN,
            last_sweep_ns: i64::MIN,
        }
    }

    /// Bytes one flow costs at most: its slot times two, as the table is kept at most
    /// half full (four times just after doubling).
    pub const BYTES_PER_FLOW: usize = 2 * FlowMap::<V>::SLOT_BYTES;

    /// Prefetches the slot of a key with hash `h`.
    #[inline]
    pub fn prefetch(&self, h: u64) {
        self.map.prefetch(h);
    }

    /// The flow of `key` (hash `h`) for a packet at `ts_ns` (`None`: no usable
    /// timestamp), created with `make` when absent. Makes room first when the table is
    /// full, and checks the timeouts now and then.
    #[inline]
    pub fn lookup(
        &mut self,
        h: u64,
        key: &FlowKey,
        ts_ns: Option<i64>,
        make: impl FnOnce() -> V,
    ) -> (&mut V, FlowStatus) {
        self.packets += 1;
        if let Some(t) = ts_ns {
            if t > self.newest_ns {
                self.newest_ns = t;
            }
            if self.packets.is_multiple_of(TIMEOUT_CHECK_EVERY) {
                self.expire();
            }
        }
        let active = self.limits.active_timeout_ns;
        match self.map.locate(h, key) {
            Located::Present(at) => {
                let v = self.map.at_mut(at);
                match ts_ns {
                    Some(t) if active > 0 && t - v.first_ns() > active => {
                        self.expired += 1;
                        (self.map.at_mut(at), FlowStatus::Restarted)
                    }
                    _ => (self.map.at_mut(at), FlowStatus::Existing),
                }
            }
            Located::Vacant(at) => {
                if self.map.len() >= self.limits.max_flows {
                    // eviction moves flows: place the new one afresh
                    self.evict();
                    return (self.map.insert(h, *key, make()), FlowStatus::New);
                }
                (self.map.insert_at(at, h, *key, make()), FlowStatus::New)
            }
        }
    }

    /// Ends flows past their idle timeout (capture time), at most once per second of it.
    fn expire(&mut self) {
        let idle = self.limits.idle_timeout_ns;
        if idle <= 0 || self.newest_ns == i64::MIN {
            return;
        }
        if self.newest_ns.saturating_sub(self.last_sweep_ns) < 1_000_000_000 {
            return;
        }
        self.last_sweep_ns = self.newest_ns;
        let horizon = self.newest_ns.saturating_sub(idle);
        self.expired += self.map.retain(|_, v| v.last_ns() >= horizon) as u64;
    }

    /// Makes room in a full table: idle flows first, then the least recently active
    /// half (cut at the median last-seen time of a sample of the flows).
    #[cold]
    fn evict(&mut self) {
        let idle = self.limits.idle_timeout_ns;
        if idle > 0 && self.newest_ns != i64::MIN {
            let horizon = self.newest_ns.saturating_sub(idle);
            self.expired += self.map.retain(|_, v| v.last_ns() >= horizon) as u64;
        }
        if self.map.len() * 10 >= self.limits.max_flows * 9 {
            // about 256 flows from evenly spaced slots (the hash fills them at random):
            // reading those slots, not walking the whole table, which under a flood of
            // new flows (an eviction every half table) was one of its three walks
            let mut sample: Vec<i64> = self.map.sample_values(256).map(|v| v.last_ns()).collect();
            if sample.is_empty() {
                sample = self.map.values().map(|v| v.last_ns()).collect();
            }
            sample.sort_unstable();
            let cut = sample[sample.len() / 2];
            let n = self.map.len();
            let mut removed = self.map.retain(|_, v| v.last_ns() > cut);
            if removed == 0 {
                // every sampled flow shares one timestamp: drop them all
                self.map.clear();
                removed = n;
            }
            self.evicted += removed as u64;
        }
    }

    /// Flows in the table.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// True when the table holds no flow.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Flows evicted from a full table so far.
    pub fn evicted(&self) -> u64 {
        self.evicted
    }

    /// Flows ended by a timeout so far.
    pub fn expired(&self) -> u64 {
        self.expired
    }

    /// Every flow's key and value.
    pub fn iter(&self) -> impl Iterator<Item = (&FlowKey, &V)> {
        self.map.iter()
    }

    /// Bytes of slot memory.
    pub fn memory_bytes(&self) -> usize {
        self.map.memory_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash_key;

    #[derive(Clone, Copy, Default, Debug, PartialEq)]
    struct F {
        first: i64,
        last: i64,
        n: u64,
    }
    impl FlowValue for F {
        fn first_ns(&self) -> i64 {
            self.first
        }
        fn last_ns(&self) -> i64 {
            self.last
        }
    }

    fn key(i: u32) -> FlowKey {
        FlowKey {
            src: u128::from(i),
            dst: 7,
            sport: 1,
            dport: 53,
            vlan: 0,
            proto: 17,
            ip_version: 4,
        }
    }

    /// Accounts one packet of flow `i` at `t` as a worker would.
    fn see(t: &mut FlowTable<F>, i: u32, ts: i64) -> FlowStatus {
        let k = key(i);
        let (v, st) = t.lookup(hash_key(&k), &k, Some(ts), || F {
            first: ts,
            last: ts,
            n: 0,
        });
        if st == FlowStatus::Restarted {
            *v = F {
                first: ts,
                last: ts,
                n: 0,
            };
        }
        v.n += 1;
        v.last = v.last.max(ts);
        st
    }

    #[test]
    fn cap_is_never_exceeded_and_evictions_are_counted() {
        let limits = FlowLimits {
            max_flows: 1000,
            ..FlowLimits::default()
        };
        let mut t: FlowTable<F> = FlowTable::new(1000, limits);
        let mut created = 0;
        for i in 0..100_000u32 {
            if see(&mut t, i, i64::from(i)) == FlowStatus::New {
                created += 1;
            }
            assert!(t.len() <= 1000);
        }
        assert_eq!(created, 100_000);
        assert_eq!(t.evicted() + t.len() as u64, 100_000);
        assert!(t.evicted() >= 99_000);
    }

    #[test]
    fn active_timeout_restarts_and_idle_timeout_expires() {
        let s = 1_000_000_000i64;
        let limits = FlowLimits {
            max_flows: 1 << 20,
            idle_timeout_ns: 15 * s,
            active_timeout_ns: 60 * s,
        };
        let mut t: FlowTable<F> = FlowTable::new(16, limits);
        // one long flow with a packet every 10 s for 200 s: restarted at 70 s and 140 s
        let st: Vec<FlowStatus> = (0..=20).map(|k| see(&mut t, 1, k * 10 * s)).collect();
        assert_eq!(
            st.iter().filter(|&&x| x == FlowStatus::Restarted).count(),
            2
        );
        assert_eq!(t.expired(), 2);
        // an idle flow goes at the next sweep after its timeout (sweeps run every 65,536 packets)
        see(&mut t, 2, 0);
        for n in 0..70_000 {
            see(&mut t, 3, 300 * s + n);
        }
        assert_eq!(t.len(), 1, "flows 1 and 2 idle for more than 15 s are gone");
        assert_eq!(t.expired(), 4);
    }
}
