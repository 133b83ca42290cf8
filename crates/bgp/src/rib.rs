//! The routing table: per prefix, the routes the collector's peers had (peer, ADD-PATH id, AS
//! path), with paths and whole per-prefix route sets interned, so a full table stores each
//! distinct AS path once and prefixes with the same routing share one route set.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;
use std::sync::OnceLock;

use rustc_hash::FxHashMap;

use crate::error::MrtError;
use crate::intern::Interner;
use crate::path::{self, AsPath, Origin};
use crate::prefix::Prefix;
use crate::reader::{self, PeerKey, ReadStats, Sink};

/// One route of a prefix: which peer had it, under which ADD-PATH id, with which AS path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    /// The collector's peer (address, AS number).
    pub peer: PeerKey,
    /// ADD-PATH path identifier (0 without ADD-PATH).
    pub path_id: u32,
    /// The AS path as received (prepending kept).
    pub path: AsPath,
}

/// IPv6 prefix key, packed to 24 bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct K6(u64, u64, u8);

fn k4(addr: u32, len: u8) -> u64 {
    u64::from(addr) << 8 | u64::from(len)
}

fn k6(addr: u128, len: u8) -> K6 {
    K6((addr >> 64) as u64, addr as u64, len)
}

/// A route-set item: route source slot (peer and ADD-PATH id) in the high half, path id low.
fn item(slot: u32, path: u32) -> u64 {
    u64::from(slot) << 32 | u64::from(path)
}

/// The origin index: origin ASN -> (route set, number of prefixes using it).
type OriginIndex = FxHashMap<u32, Vec<(u32, u32)>>;

/// Per prefix (IPv4 and IPv6), the routes seen: built from MRT RIB dumps and updates.
#[derive(Debug, Default)]
pub struct Rib {
    /// Distinct AS paths (encoded, see `path.rs`).
    paths: Interner<u32>,
    /// Distinct per-prefix route sets: sorted `item`s.
    sets: Interner<u64>,
    v4: FxHashMap<u64, u32>,
    v6: FxHashMap<K6, u32>,
    peers: Vec<PeerKey>,
    peer_ids: FxHashMap<PeerKey, u32>,
    /// Route sources: (peer id, ADD-PATH id).
    slots: Vec<(u32, u32)>,
    slot_ids: FxHashMap<(u32, u32), u32>,
    /// Items in the route sets prefixes use now (the rest of the set arena is garbage).
    live_items: usize,
    /// Routes that could not be stored (an arena passed 2^32 entries).
    dropped: u64,
    index: OnceLock<OriginIndex>,
}

/// On what the paths of [`PathsBetween`] rest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Basis {
    /// Sub-paths starting at the source AS: routes toward the destination's prefixes that pass
    /// through the source, cut at the source (its own best path, by BGP semantics: the source
    /// announced onward the path it uses).
    ViaSource,
    /// No route seen passes through the source: the paths the collector's peers use toward the
    /// destination's prefixes, each from the peer's AS to the destination.
    CollectorView,
    /// No route toward a prefix the destination originates.
    None,
}

/// One AS path of a [`PathsBetween`] answer and how many routes agree on it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WeightedPath {
    /// The ASNs, first hop first, destination last; prepending kept as received.
    pub asns: Vec<u32>,
    /// Destination prefixes over which this path was seen.
    pub prefixes: u32,
    /// Routes (peer × prefix) that carried it.
    pub routes: u32,
}

/// The AS paths from a source AS to a destination AS (see [`Rib::paths_between`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathsBetween {
    /// What the paths rest on.
    pub basis: Basis,
    /// The paths, most prefixes first (then most routes, then by ASNs); at most `max`.
    pub paths: Vec<WeightedPath>,
    /// Distinct paths found before cutting to `max`.
    pub distinct: usize,
    /// Prefixes the destination originates (alone or in a MOAS/AS-set origin).
    pub dst_prefixes: u32,
}

impl Sink for Rib {
    fn route(&mut self, peer: PeerKey, prefix: Prefix, path_id: u32, path: &[u32]) {
        let Some(pid) = self.paths.intern(path) else {
            self.dropped += 1;
            return;
        };
        let slot = self.slot(peer, path_id);
        self.edit(prefix, |items| {
            match items.binary_search_by_key(&slot, |&i| (i >> 32) as u32) {
                Ok(k) => items[k] = item(slot, pid),
                Err(k) => items.insert(k, item(slot, pid)),
            }
        });
    }

    fn withdraw(&mut self, peer: PeerKey, prefix: Prefix, path_id: u32) {
        let Some(&p) = self.peer_ids.get(&peer) else {
            return;
        };
        let Some(&slot) = self.slot_ids.get(&(p, path_id)) else {
            return;
        };
        self.edit(prefix, |items| {
            if let Ok(k) = items.binary_search_by_key(&slot, |&i| (i >> 32) as u32) {
                items.remove(k);
            }
        });
    }

    fn peer_down(&mut self, peer: PeerKey) {
        let Some(&p) = self.peer_ids.get(&peer) else {
            return;
        };
        let mine: Vec<u32> = (0..self.slots.len() as u32)
            .filter(|&s| self.slots[s as usize].0 == p)
            .collect();
        let keys: Vec<Prefix> = self.prefixes_unsorted().collect();
        for pfx in keys {
            self.edit(pfx, |items| {
                items.retain(|&i| !mine.contains(&((i >> 32) as u32)))
            });
        }
    }
}

impl Rib {
    /// An empty table.
    pub fn new() -> Rib {
        Rib::default()
    }

    /// Reads an MRT file (plain, gzip or bzip2) into a new table. A read that ends in an error
    /// after at least one record is a partial read: `Ok`, with the error in
    /// [`ReadStats::error`]. `Err` when the file cannot be opened or not one record could be
    /// read (not MRT).
    pub fn load(file: impl AsRef<Path>) -> Result<(Rib, ReadStats), MrtError> {
        let mut rib = Rib::new();
        let st = rib.apply(file)?;
        Ok((rib, st))
    }

    /// As [`Rib::load`], from a reader; `name` is used in errors and stats.
    pub fn load_reader(name: &str, input: impl Read) -> Result<(Rib, ReadStats), MrtError> {
        let mut rib = Rib::new();
        let st = rib.apply_reader(name, input)?;
        Ok((rib, st))
    }

    /// Applies an MRT file on top of this table, record by record in file order: RIB entries
    /// and announcements replace the peer's route for the prefix, withdrawals remove it, a
    /// session leaving Established removes all the peer's routes. Errors as [`Rib::load`].
    pub fn apply(&mut self, file: impl AsRef<Path>) -> Result<ReadStats, MrtError> {
        let name = file.as_ref().display().to_string();
        let f = std::fs::File::open(file.as_ref())
            .map_err(|e| MrtError::file(&name, format!("cannot open: {e}")))?;
        self.apply_reader(&name, f)
    }

    /// As [`Rib::apply`], from a reader.
    pub fn apply_reader(&mut self, name: &str, input: impl Read) -> Result<ReadStats, MrtError> {
        let st = reader::read(name, input, self);
        self.index = OnceLock::new();
        if self.sets.elements() > 2 * self.live_items + 4096 {
            self.compact();
        }
        self.paths.shrink();
        self.sets.shrink();
        self.v4.shrink_to_fit();
        self.v6.shrink_to_fit();
        match &st.error {
            Some(e) if st.records == 0 => Err(e.clone()),
            _ => Ok(st),
        }
    }

    /// Interns a peer and ADD-PATH id as a route source slot.
    fn slot(&mut self, peer: PeerKey, path_id: u32) -> u32 {
        let n = self.peers.len() as u32;
        let p = *self.peer_ids.entry(peer).or_insert(n);
        if p == n {
            self.peers.push(peer);
        }
        let n = self.slots.len() as u32;
        let s = *self.slot_ids.entry((p, path_id)).or_insert(n);
        if s == n {
            self.slots.push((p, path_id));
        }
        s
    }

    /// Changes the route set of `prefix` with `f` and re-interns it (an empty set removes the
    /// prefix).
    fn edit(&mut self, prefix: Prefix, f: impl FnOnce(&mut Vec<u64>)) {
        let old = match prefix {
            Prefix::V4(a, l) => self.v4.get(&k4(a, l)).copied(),
            Prefix::V6(a, l) => self.v6.get(&k6(a, l)).copied(),
        };
        let mut items: Vec<u64> = old.map(|s| self.sets.get(s).to_vec()).unwrap_or_default();
        let before = items.len();
        f(&mut items);
        if let Some(o) = old {
            if self.sets.get(o) == items.as_slice() {
                return;
            }
        }
        if items.is_empty() {
            match prefix {
                Prefix::V4(a, l) => self.v4.remove(&k4(a, l)),
                Prefix::V6(a, l) => self.v6.remove(&k6(a, l)),
            };
            self.live_items = self.live_items.saturating_sub(before);
            return;
        }
        let Some(id) = self.sets.intern(&items) else {
            self.dropped += 1;
            return;
        };
        self.live_items = (self.live_items + items.len()).saturating_sub(before);
        match prefix {
            Prefix::V4(a, l) => self.v4.insert(k4(a, l), id),
            Prefix::V6(a, l) => self.v6.insert(k6(a, l), id),
        };
    }

    /// Rebuilds the arenas from what prefixes use now, dropping paths and route sets that
    /// updates left unused.
    pub fn compact(&mut self) {
        let mut paths = Interner::default();
        let mut sets = Interner::default();
        let mut pmap: FxHashMap<u32, u32> = FxHashMap::default();
        let mut smap: FxHashMap<u32, u32> = FxHashMap::default();
        let mut live = 0usize;
        let mut remap = |old: u32, sets_new: &mut Interner<u64>, paths_new: &mut Interner<u32>| {
            if let Some(&n) = smap.get(&old) {
                return n;
            }
            let items: Vec<u64> = self
                .sets
                .get(old)
                .iter()
                .map(|&i| {
                    let p = (i & 0xffff_ffff) as u32;
                    let np = *pmap
                        .entry(p)
                        .or_insert_with(|| paths_new.intern(self.paths.get(p)).unwrap_or(0));
                    (i & !0xffff_ffff) | u64::from(np)
                })
                .collect();
            let n = sets_new.intern(&items).unwrap_or(0);
            smap.insert(old, n);
            n
        };
        for v in self.v4.values_mut() {
            *v = remap(*v, &mut sets, &mut paths);
            live += sets.get(*v).len();
        }
        for v in self.v6.values_mut() {
            *v = remap(*v, &mut sets, &mut paths);
            live += sets.get(*v).len();
        }
        self.paths = paths;
        self.sets = sets;
        self.live_items = live;
        self.index = OnceLock::new();
    }

    /// IPv4 and IPv6 prefixes with at least one route.
    pub fn prefix_counts(&self) -> (usize, usize) {
        (self.v4.len(), self.v6.len())
    }

    /// Distinct AS paths stored.
    pub fn distinct_paths(&self) -> usize {
        self.paths.len()
    }

    /// Distinct per-prefix route sets stored.
    pub fn distinct_route_sets(&self) -> usize {
        self.sets.len()
    }

    /// Routes (peer × prefix × ADD-PATH id) in the table.
    pub fn route_count(&self) -> usize {
        self.live_items
    }

    /// The collector's peers seen.
    pub fn peers(&self) -> &[PeerKey] {
        &self.peers
    }

    /// Routes that could not be stored (an arena would have passed 2^32 entries).
    pub fn dropped_routes(&self) -> u64 {
        self.dropped
    }

    fn prefixes_unsorted(&self) -> impl Iterator<Item = Prefix> + '_ {
        let v4 = self
            .v4
            .keys()
            .map(|&k| Prefix::V4((k >> 8) as u32, k as u8));
        let v6 = self
            .v6
            .keys()
            .map(|k| Prefix::V6(u128::from(k.0) << 64 | u128::from(k.1), k.2));
        v4.chain(v6)
    }

    /// Every prefix with a route, sorted (IPv4 first).
    pub fn prefixes(&self) -> Vec<Prefix> {
        let mut v: Vec<Prefix> = self.prefixes_unsorted().collect();
        v.sort_unstable();
        v
    }

    fn set_of(&self, p: &Prefix) -> Option<u32> {
        match *p {
            Prefix::V4(a, l) => self.v4.get(&k4(a, l)).copied(),
            Prefix::V6(a, l) => self.v6.get(&k6(a, l)).copied(),
        }
    }

    /// The routes of `prefix`, in peer order of first appearance.
    pub fn routes(&self, prefix: &Prefix) -> Vec<Route> {
        let Some(s) = self.set_of(prefix) else {
            return Vec::new();
        };
        self.sets
            .get(s)
            .iter()
            .map(|&i| {
                let (peer, path_id) = self.slots[(i >> 32) as usize];
                Route {
                    peer: self.peers[peer as usize],
                    path_id,
                    path: path::decode(self.paths.get(i as u32)),
                }
            })
            .collect()
    }

    /// The distinct AS paths of `prefix`, each with the number of routes carrying it, most
    /// routes first (ties: path order).
    pub fn paths(&self, prefix: &Prefix) -> Vec<(AsPath, u32)> {
        let Some(s) = self.set_of(prefix) else {
            return Vec::new();
        };
        let mut n: HashMap<u32, u32> = HashMap::new();
        for &i in self.sets.get(s) {
            *n.entry(i as u32).or_insert(0) += 1;
        }
        let mut v: Vec<(Vec<u32>, u32)> = n
            .into_iter()
            .map(|(p, c)| (self.paths.get(p).to_vec(), c))
            .collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        v.into_iter().map(|(e, c)| (path::decode(&e), c)).collect()
    }

    /// The origins of `prefix` (CAIDA pfx2as style: one AS, an AS-set origin, or several of
    /// either for a multi-origin prefix), each with the number of routes that show it, most
    /// routes first, then by origin. Routes with an empty path (originated by the collector's
    /// peer's own AS over iBGP) contribute none.
    pub fn origins(&self, prefix: &Prefix) -> Vec<(Origin, u32)> {
        match self.set_of(prefix) {
            Some(s) => self.set_origins(s),
            None => Vec::new(),
        }
    }

    fn set_origins(&self, s: u32) -> Vec<(Origin, u32)> {
        let mut v: Vec<(Origin, u32)> = Vec::new();
        for &i in self.sets.get(s) {
            if let Some(o) = path::origin(self.paths.get(i as u32)) {
                match v.iter_mut().find(|(x, _)| *x == o) {
                    Some(e) => e.1 += 1,
                    None => v.push((o, 1)),
                }
            }
        }
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        v
    }

    /// Calls `f` for every prefix (unordered) with its origins as [`Rib::origins`] gives them.
    pub fn for_each_origin(&self, mut f: impl FnMut(Prefix, &[(Origin, u32)])) {
        let mut cache: FxHashMap<u32, Vec<(Origin, u32)>> = FxHashMap::default();
        for p in self.prefixes_unsorted() {
            let Some(s) = self.set_of(&p) else { continue };
            let o = cache.entry(s).or_insert_with(|| self.set_origins(s));
            f(p, o);
        }
    }

    fn origin_index(&self) -> &OriginIndex {
        self.index.get_or_init(|| {
            let mut uses: FxHashMap<u32, u32> = FxHashMap::default();
            for &s in self.v4.values().chain(self.v6.values()) {
                *uses.entry(s).or_insert(0) += 1;
            }
            let mut idx: OriginIndex = FxHashMap::default();
            let mut sorted: Vec<(u32, u32)> = uses.into_iter().collect();
            sorted.sort_unstable();
            for (s, n) in sorted {
                let mut asns: Vec<u32> = Vec::new();
                for &i in self.sets.get(s) {
                    match path::origin(self.paths.get(i as u32)) {
                        Some(Origin::As(a)) => asns.push(a),
                        Some(Origin::Set(m)) => asns.extend(m),
                        None => {}
                    }
                }
                asns.sort_unstable();
                asns.dedup();
                for a in asns {
                    idx.entry(a).or_default().push((s, n));
                }
            }
            idx
        })
    }

    /// The AS paths by which AS `a` reaches AS `b`, at most `max`.
    ///
    /// Looks at every route toward a prefix `b` originates (alone, in an AS-set origin or as
    /// one of several origins). Routes whose path contains `a` give the sub-path from `a`
    /// (its first occurrence, so `a`'s own prepending is kept) to `b`: [`Basis::ViaSource`],
    /// weighted by the prefixes over which it was seen and the routes that carried it. If no
    /// route passes through `a`, the whole paths from the collector's peers to `b` are returned
    /// instead, marked [`Basis::CollectorView`]. Paths with an AS_SET before their last segment
    /// have no hop order and are not used; a final AS_SET stands for `b`. With `a == b` the
    /// answer is `b`'s own prepending (`[b]` without).
    pub fn paths_between(&self, a: u32, b: u32, max: usize) -> PathsBetween {
        let empty = |basis, dst_prefixes| PathsBetween {
            basis,
            paths: Vec::new(),
            distinct: 0,
            dst_prefixes,
        };
        let Some(sets) = self.origin_index().get(&b) else {
            return empty(Basis::None, 0);
        };
        let dst_prefixes: u32 = sets.iter().map(|&(_, n)| n).sum();
        let mut via: HashMap<Vec<u32>, (u32, u32)> = HashMap::new();
        let mut seen: HashMap<Vec<u32>, (u32, u32)> = HashMap::new();
        for &(s, n) in sets {
            // Per route set: sub-paths (and whole paths) with the routes carrying them.
            let mut v_here: HashMap<Vec<u32>, u32> = HashMap::new();
            let mut s_here: HashMap<Vec<u32>, u32> = HashMap::new();
            for &i in self.sets.get(s) {
                let enc = self.paths.get(i as u32);
                if !path::origin(enc).is_some_and(|o| o.includes(b)) {
                    continue;
                }
                let Some((mut seq, tail)) = path::hops(enc) else {
                    continue;
                };
                if !tail.is_empty() {
                    seq.push(b);
                }
                if let Some(k) = seq.iter().position(|&x| x == a) {
                    *v_here.entry(seq[k..].to_vec()).or_insert(0) += 1;
                } else if via.is_empty() && v_here.is_empty() {
                    *s_here.entry(seq).or_insert(0) += 1;
                }
            }
            for (p, r) in v_here {
                let e = via.entry(p).or_insert((0, 0));
                e.0 += n;
                e.1 += r * n;
            }
            if via.is_empty() {
                for (p, r) in s_here {
                    let e = seen.entry(p).or_insert((0, 0));
                    e.0 += n;
                    e.1 += r * n;
                }
            }
        }
        let (basis, found) = if !via.is_empty() {
            (Basis::ViaSource, via)
        } else if !seen.is_empty() {
            (Basis::CollectorView, seen)
        } else {
            return empty(Basis::None, dst_prefixes);
        };
        let distinct = found.len();
        let mut paths: Vec<WeightedPath> = found
            .into_iter()
            .map(|(asns, (prefixes, routes))| WeightedPath {
                asns,
                prefixes,
                routes,
            })
            .collect();
        paths.sort_by(|x, y| {
            y.prefixes
                .cmp(&x.prefixes)
                .then(y.routes.cmp(&x.routes))
                .then_with(|| x.asns.cmp(&y.asns))
        });
        paths.truncate(max);
        PathsBetween {
            basis,
            paths,
            distinct,
            dst_prefixes,
        }
    }

    /// Approximate heap bytes held (arenas, prefix maps, peer tables).
    pub fn heap_bytes(&self) -> usize {
        // hashbrown: a key-value slot plus one control byte per bucket.
        fn map<K, V>(m: &FxHashMap<K, V>) -> usize {
            m.capacity() * (std::mem::size_of::<(K, V)>() + 1)
        }
        let idx = self.index.get().map_or(0, |i| {
            map(i) + i.values().map(|v| v.capacity() * 8).sum::<usize>()
        });
        self.paths.heap_bytes()
            + self.sets.heap_bytes()
            + map(&self.v4)
            + map(&self.v6)
            + self.peers.capacity() * std::mem::size_of::<PeerKey>()
            + map(&self.peer_ids)
            + self.slots.capacity() * 8
            + map(&self.slot_ids)
            + idx
    }
}
