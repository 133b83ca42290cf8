//! `ReplicaCache`: hairpin sightings waiting for their replica.
//!
//! A set-associative table, as a hardware flow cache is built: a sighting's
//! 64-bit fingerprint picks one 128-byte bucket of eight 16-byte entries
//! (its *home*), and the sighting lives in one of those eight ways or, when
//! the home is full, in the next bucket's — a bit per bucket records that the
//! home has spilled, so a lookup reads one bucket unless its home spilled.
//! A worker can prefetch the home a few packets ahead, and the table never
//! needs a sweep to stay bounded: a way whose sighting is older than the
//! window is simply free.
//!
//! The table starts small and grows fourfold whenever a sighting finds its home and
//! the next bucket full of fresh (within-window) sightings, up to the
//! configured cap. Only at the cap does a fresh sighting have to give way —
//! the oldest in those two buckets — and that is counted.
//!
//! Copies of one packet share a fingerprint, hence a bucket: beyond [`PER_KEY`] of
//! them waiting at once, further copies queue in a side table keyed by fingerprint
//! (the *crowd*), still matched first-in first-out, so byte-identical packets never
//! push one another out. Only the crowd's own cap (a quarter of the cache's) makes one
//! give way, and that is counted.
//!
//! Timestamps are kept as their low 40 bits of nanoseconds (18 minutes
//! before they wrap); differences are exact while every stored sighting is
//! less than 2^39 ns (9 minutes) older than the newest. That is guaranteed
//! by capping the window at [`MAX_WINDOW_NS`], dropping stale sightings
//! every [`SWEEP_EVERY_NS`] of capture time, and emptying the table when
//! capture time jumps forward by more than the window.

/// Ways per bucket: 8 entries of 16 bytes = two cache lines.
const WAYS: usize = 8;
/// Bits of the timestamp kept in an entry.
const TS_BITS: u32 = 40;
/// Mask of those bits.
const TS_MASK: u64 = (1 << TS_BITS) - 1;
/// The link field's value for "no identified link".
const NO_LINK: u16 = u16::MAX;

/// Longest replica window the cache supports (2^36 ns, about 68.7 s).
pub const MAX_WINDOW_NS: i64 = 1 << 36;
/// Capture time between two sweeps of stale sightings (2^37 ns, about 137 s).
const SWEEP_EVERY_NS: i64 = 1 << 37;
/// Smallest table, in buckets (8 KiB).
const MIN_BUCKETS: usize = 64;
/// Fresh sightings of one fingerprint kept in its buckets; further ones queue in the crowd.
pub(crate) const PER_KEY: usize = 3;
/// Smallest crowd cap.
const MIN_CROWD: usize = 1024;

/// One sighting: its fingerprint and its timestamp, TTL and link.
///
/// Fingerprints always have bits 0 and 1 set, so a way is free when its `fp`
/// is 0 or 1, and way 0 of each bucket keeps the bucket's spill flag in bit 0
/// of its `fp` (the fingerprint's own bit 0 being known to be 1).
#[derive(Clone, Copy, Debug, Default)]
#[repr(C)]
struct Entry {
    /// The packet's fingerprint (bit 0: see above).
    fp: u64,
    /// Low 40 bits of the timestamp in ns | TTL << 40 | link << 48.
    meta: u64,
}

impl Entry {
    /// True when the way holds a sighting.
    #[inline]
    fn used(self) -> bool {
        self.fp > 1
    }

    /// True when the way holds a sighting of `fp`.
    #[inline]
    fn is(self, fp: u64) -> bool {
        self.fp | 1 == fp
    }

    /// The sighting's timestamp bits.
    #[inline]
    fn ts(self) -> u64 {
        self.meta & TS_MASK
    }

    /// The sighting's TTL.
    #[inline]
    fn ttl(self) -> u8 {
        (self.meta >> TS_BITS) as u8
    }

    /// The sighting's link.
    #[inline]
    fn link(self) -> Option<u16> {
        let l = (self.meta >> 48) as u16;
        (l != NO_LINK).then_some(l)
    }
}

/// Eight ways, aligned to a pair of cache lines.
#[derive(Clone, Copy, Debug, Default)]
#[repr(C, align(128))]
struct Bucket([Entry; WAYS]);

impl Bucket {
    /// True when a sighting homed here was stored in the next bucket.
    #[inline]
    fn spilled(&self) -> bool {
        self.0[0].fp & 1 != 0
    }

    /// Sets or clears the spill flag.
    #[inline]
    fn set_spilled(&mut self, on: bool) {
        self.0[0].fp = (self.0[0].fp & !1) | u64::from(on);
    }

    /// Stores `e` (fingerprint with bit 0 set) in way `w`, keeping the spill flag.
    #[inline]
    fn put(&mut self, w: usize, mut e: Entry) {
        if w == 0 {
            e.fp = (e.fp & !1) | (self.0[0].fp & 1);
        }
        self.0[w] = e;
    }

    /// Frees way `w`, returning its sighting (fingerprint restored).
    #[inline]
    fn take(&mut self, w: usize) -> Entry {
        let mut e = self.0[w];
        self.0[w] = Entry {
            fp: if w == 0 { e.fp & 1 } else { 0 },
            meta: 0,
        };
        e.fp |= 1;
        e
    }
}

/// A sighting as the matcher sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Seen {
    /// Capture time, ns.
    pub ts_ns: i64,
    /// TTL or hop limit.
    pub ttl: u8,
    /// The link it was seen on.
    pub link: Option<u16>,
}

/// What storing a sighting cost.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stored {
    /// It took a free or stale way.
    Free,
    /// [`PER_KEY`] or more copies of the same packet were waiting: it queued behind
    /// them in the crowd.
    Crowd,
    /// The crowd was at its cap: the oldest waiting copy of this packet gave way.
    KeyFull,
    /// The cache is at its cap and the home and next buckets were full of
    /// fresh sightings: the oldest of them gave way.
    CacheFull,
}

/// What a sighting turned out to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Sighted {
    /// The replica of this earlier sighting (now removed).
    Replica(Seen),
    /// A first sighting, now waiting.
    Stored(Stored),
}

/// Pending sightings of one worker.
pub(crate) struct ReplicaCache {
    buckets: Vec<Bucket>,
    max_buckets: usize,
    window_ns: i64,
    /// Newest capture time seen (`i64::MIN` before the first).
    max_ts: i64,
    /// Capture time of the last sweep.
    last_sweep: i64,
    /// Ways in use (fresh or stale).
    used: usize,
    /// Fresh sightings that found no way while the table grew (counted as dropped).
    pub(crate) lost: u64,
    /// Copies beyond [`PER_KEY`] of one fingerprint.
    crowd: Crowd,
    /// Most sightings the crowd holds.
    crowd_cap: usize,
}

/// What one pass over a bucket found for a sighting.
#[derive(Clone, Copy, Debug)]
struct Scan {
    /// The matching earlier sighting (bucket, way) and `ts - its ts`: the largest wins.
    hit: Option<(usize, usize, i64)>,
    /// Fresh sightings with the same fingerprint.
    same: usize,
    /// The oldest of them (bucket, way, age).
    oldest_same: Option<(usize, usize, i64)>,
    /// The oldest fresh sighting of any fingerprint (bucket, way, age).
    oldest: Option<(usize, usize, i64)>,
    /// A free or stale way (bucket, way).
    free: Option<(usize, usize)>,
}

/// The home bucket of a fingerprint in a table of `mask + 1` buckets: from
/// bits 2 and up, as bits 0 and 1 are always set.
#[inline]
fn home_of(fp: u64, mask: usize) -> usize {
    ((fp >> 2) as usize) & mask
}

/// Signed difference `a - b` of two 40-bit timestamps (exact below 2^39 ns).
#[inline]
fn delta(a: u64, b: u64) -> i64 {
    ((a.wrapping_sub(b) << (64 - TS_BITS)) as i64) >> (64 - TS_BITS)
}

impl ReplicaCache {
    /// A cache of at most `max_entries` sightings (rounded up to a power of
    /// two, at least 512) matching within `window_ns` (capped at [`MAX_WINDOW_NS`]).
    pub(crate) fn new(max_entries: usize, window_ns: i64) -> ReplicaCache {
        let max_buckets = (max_entries.div_ceil(WAYS))
            .max(MIN_BUCKETS)
            .next_power_of_two();
        ReplicaCache {
            buckets: trombone_memory::table(MIN_BUCKETS, Bucket::default()),
            max_buckets,
            window_ns: window_ns.clamp(0, MAX_WINDOW_NS),
            max_ts: i64::MIN,
            last_sweep: i64::MIN,
            used: 0,
            lost: 0,
            crowd: Crowd::default(),
            crowd_cap: (max_buckets * WAYS / 4).max(MIN_CROWD),
        }
    }

    /// Ways the cache has now (it grows up to its cap).
    #[cfg(test)]
    pub(crate) fn capacity(&self) -> usize {
        self.buckets.len() * WAYS
    }

    /// The bucket index of a fingerprint.
    #[inline]
    fn index(&self, fp: u64) -> usize {
        home_of(fp, self.buckets.len() - 1)
    }

    /// Asks the CPU to fetch the bucket of `fp` (both of its cache lines).
    #[inline]
    pub(crate) fn prefetch(&self, fp: u64) {
        let p = self.buckets.as_ptr().wrapping_add(self.index(fp)) as *const u8;
        trombone_packet::prefetch(p);
        trombone_packet::prefetch(p.wrapping_add(64));
    }

    /// Moves capture time forward to `ts_ns` (a no-op for an older time),
    /// keeping every stored timestamp within the range `delta` is exact for.
    #[inline]
    pub(crate) fn advance(&mut self, ts_ns: i64) {
        if ts_ns <= self.max_ts {
            return;
        }
        if self.max_ts != i64::MIN && ts_ns.saturating_sub(self.max_ts) > self.window_ns {
            // everything pending is older than the window now
            self.clear();
        }
        self.max_ts = ts_ns;
        if ts_ns.saturating_sub(self.last_sweep) > SWEEP_EVERY_NS {
            self.last_sweep = ts_ns;
            self.sweep();
        }
    }

    /// True when `e` is older than the window (free to reuse).
    #[inline]
    fn stale(&self, e: Entry) -> bool {
        delta(self.max_ts as u64 & TS_MASK, e.ts()) > self.window_ns
    }

    /// True when bucket `i` has spilled into the next one.
    #[cfg(test)]
    fn has_spilled(&self, i: usize) -> bool {
        self.buckets[i].spilled()
    }

    /// Scans bucket `i` for a sighting `s` of `fp` (timestamp bits `ts`,
    /// capture time bits `now`), adding to `r`.
    #[inline]
    fn scan(&self, i: usize, fp: u64, s: Seen, ts: u64, now: u64, r: &mut Scan) {
        let window = self.window_ns;
        for (w, e) in self.buckets[i].0.iter().enumerate() {
            if !e.used() {
                r.free = r.free.or(Some((i, w)));
                continue;
            }
            if e.is(fp) && e.ttl() != s.ttl {
                let d = delta(ts, e.ts());
                if d.abs() <= window && r.hit.is_none_or(|(_, _, hd)| d > hd) {
                    r.hit = Some((i, w, d));
                }
            }
            let age = delta(now, e.ts());
            if age > window {
                r.free = r.free.or(Some((i, w)));
                continue;
            }
            if r.oldest.is_none_or(|(_, _, a)| age > a) {
                r.oldest = Some((i, w, age));
            }
            if e.is(fp) {
                r.same += 1;
                if r.oldest_same.is_none_or(|(_, _, a)| age > a) {
                    r.oldest_same = Some((i, w, age));
                }
            }
        }
    }

    /// One hairpin sighting of the packet with fingerprint `fp` (bits 0 and 1 set):
    /// if an earlier sighting of it is pending with a different TTL and at
    /// most the window apart, that sighting (the oldest such) is removed and
    /// returned; otherwise this one is stored to wait for its replica.
    ///
    /// A sighting lives in its home bucket or, when that was full, in the
    /// next one (the home's spill bit then says to look there too), so a
    /// lookup is one pass over one bucket unless its home has spilled.
    #[inline]
    pub(crate) fn sight(&mut self, fp: u64, s: Seen) -> Sighted {
        debug_assert!(fp & 3 == 3, "fingerprints have bits 0 and 1 set");
        let i = self.index(fp);
        let next = (i + 1) & (self.buckets.len() - 1);
        let ts = s.ts_ns as u64 & TS_MASK;
        let now = self.max_ts as u64 & TS_MASK;
        let mut r = Scan {
            hit: None,
            same: 0,
            oldest_same: None,
            oldest: None,
            free: None,
        };
        self.scan(i, fp, s, ts, now, &mut r);
        let spilled = self.buckets[i].spilled();
        if spilled {
            self.scan(next, fp, s, ts, now, &mut r);
        }
        if let Some((b, w, d)) = r.hit {
            let e = self.buckets[b].take(w);
            self.used -= 1;
            return Sighted::Replica(Seen {
                ts_ns: s.ts_ns - d,
                ttl: e.ttl(),
                link: e.link(),
            });
        }
        if !self.crowd.is_empty() {
            if let Some(hit) = self.crowd.take_match(fp, s, self.max_ts, self.window_ns) {
                return Sighted::Replica(hit);
            }
        }
        let entry = Entry {
            fp,
            meta: ts | u64::from(s.ttl) << TS_BITS | u64::from(s.link.unwrap_or(NO_LINK)) << 48,
        };
        if r.same >= PER_KEY || self.crowd.has(fp) {
            // growing cannot help: copies of one packet share a bucket; they queue,
            // behind the older copies in the buckets, so the order stays first-in first-out
            return Sighted::Stored(self.crowd.push(fp, s, self.crowd_cap));
        }
        if r.free.is_none() && !spilled {
            // the home is full: try the next bucket
            self.scan(next, fp, s, ts, now, &mut r);
            if r.free.is_some() {
                self.buckets[i].set_spilled(true);
            }
        }
        if let Some((b, w)) = r.free {
            if !self.buckets[b].0[w].used() {
                self.used += 1;
            }
            self.buckets[b].put(w, entry);
            return Sighted::Stored(Stored::Free);
        }
        if self.buckets.len() < self.max_buckets {
            // nothing pending matched and nothing moved: after growing, the
            // same sighting finds its new home (or grows the table again)
            self.grow();
            return self.sight(fp, s);
        }
        // at the cap, home and next both full: the oldest sighting in them gives way
        let (b, w, _) = r.oldest.expect("full buckets hold fresh sightings");
        self.buckets[b].put(w, entry);
        Sighted::Stored(Stored::CacheFull)
    }

    /// Stores `e` in its home bucket or the next, spilling as
    /// [`ReplicaCache::sight`] does (for re-placing sightings as the table grows).
    fn place(&mut self, e: Entry) -> bool {
        let i = self.index(e.fp);
        let next = (i + 1) & (self.buckets.len() - 1);
        for (b, spill) in [(i, false), (next, true)] {
            let ways = &self.buckets[b].0;
            let free = ways
                .iter()
                .position(|x| !x.used())
                .or_else(|| ways.iter().position(|x| self.stale(*x)));
            if let Some(w) = free {
                if !self.buckets[b].0[w].used() {
                    self.used += 1;
                }
                self.buckets[b].put(w, e);
                if spill {
                    self.buckets[i].set_spilled(true);
                }
                return true;
            }
        }
        false
    }

    /// Grows the table fourfold (twofold for its last step to the cap), dropping stale
    /// sightings; a fresh one that finds no way (vanishingly rare at this load) is
    /// dropped and counted in `lost`. Fourfold, because each growth takes new memory
    /// that the kernel must clear (and, in a virtual machine, the host back) before it
    /// is first written: doubling up to the cap takes twice the final table's size in new
    /// memory, quadrupling a third less, and the peak (old and new table together) is
    /// 1.25 times the final table instead of 1.5.
    #[cold]
    fn grow(&mut self) {
        let n = grown(self.buckets.len(), self.max_buckets);
        let old = std::mem::replace(
            &mut self.buckets,
            trombone_memory::table(n, Bucket::default()),
        );
        self.used = 0;
        for b in old {
            for mut e in b.0 {
                e.fp |= 1;
                if e.used() && !self.stale(e) && !self.place(e) {
                    self.lost += 1;
                }
            }
        }
    }

    /// Frees every way holding a stale sighting and recomputes the spill bits.
    #[cold]
    fn sweep(&mut self) {
        self.crowd.sweep(self.max_ts, self.window_ns);
        let now = self.max_ts as u64 & TS_MASK;
        let window = self.window_ns;
        let mask = self.buckets.len() - 1;
        for b in &mut self.buckets {
            b.set_spilled(false);
            for w in 0..WAYS {
                let e = b.0[w];
                if e.used() && delta(now, e.ts()) > window {
                    b.take(w);
                }
            }
        }
        // second pass: a home's flag may sit in a bucket the first pass visits later
        let mut used = 0;
        for i in 0..self.buckets.len() {
            for w in 0..WAYS {
                let e = self.buckets[i].0[w];
                if e.used() {
                    used += 1;
                    let home = home_of(e.fp, mask);
                    if home != i {
                        self.buckets[home].set_spilled(true);
                    }
                }
            }
        }
        self.used = used;
    }

    /// Frees every way.
    #[cold]
    fn clear(&mut self) {
        self.crowd = Crowd::default();
        if self.used > 0 {
            self.buckets.fill(Bucket::default());
            self.used = 0;
        }
    }

    /// Ways the cache has now (16 bytes each).
    pub(crate) fn ways(&self) -> usize {
        self.buckets.len() * WAYS
    }

    /// Sightings stored and still within the window of the newest capture time.
    pub(crate) fn fresh(&self) -> usize {
        let now = self.max_ts;
        self.buckets
            .iter()
            .flat_map(|b| b.0.iter())
            .filter(|e| e.used() && !self.stale(**e))
            .count()
            + self.crowd.fresh(now, self.window_ns)
    }
}

/// One TTL's waiting copies of a packet: the TTL and (arrival number, sighting), oldest first.
type TtlQueue = (u8, std::collections::VecDeque<(u64, Seen)>);

/// Copies of one packet beyond [`PER_KEY`], waiting for their replicas: per fingerprint,
/// one queue per TTL, oldest first, each copy tagged with its arrival number.
///
/// A replica has another TTL than its first sighting, so a lookup reads only the fronts of
/// the other TTLs' queues (the earliest arrival within the window wins, as in one queue
/// of all copies): a flood of byte-identical packets, all one TTL, costs a constant per
/// packet instead of a pass over every waiting copy (10,000 copies took 185 ms against
/// 5 ms for distinct packets when they were one queue).
#[derive(Default)]
struct Crowd {
    by_fp: rustc_hash::FxHashMap<u64, Vec<TtlQueue>>,
    /// Copies held.
    len: usize,
    /// Arrival number of the next copy.
    seq: u64,
}

impl Crowd {
    /// True when no copy waits.
    fn is_empty(&self) -> bool {
        self.by_fp.is_empty()
    }

    /// True when copies of `fp` wait.
    fn has(&self, fp: u64) -> bool {
        self.by_fp.contains_key(&fp)
    }

    /// Takes out the earliest-arrived copy of `fp` that `s` is the replica of (another
    /// TTL, at most `window` apart), dropping copies older than the window before `now`.
    #[cold]
    fn take_match(&mut self, fp: u64, s: Seen, now: i64, window: i64) -> Option<Seen> {
        let qs = self.by_fp.get_mut(&fp)?;
        let mut gone = 0;
        let mut best: Option<(u64, usize, usize)> = None;
        for (k, (ttl, q)) in qs.iter_mut().enumerate() {
            while q
                .front()
                .is_some_and(|(_, e)| now.saturating_sub(e.ts_ns) > window)
            {
                q.pop_front();
                gone += 1;
            }
            if *ttl == s.ttl {
                continue;
            }
            if let Some(j) = q
                .iter()
                .position(|(_, e)| (s.ts_ns - e.ts_ns).abs() <= window)
            {
                let seq = q[j].0;
                if best.is_none_or(|(b, _, _)| seq < b) {
                    best = Some((seq, k, j));
                }
            }
        }
        let hit = best.and_then(|(_, k, j)| qs[k].1.remove(j)).map(|(_, e)| e);
        gone += usize::from(hit.is_some());
        qs.retain(|(_, q)| !q.is_empty());
        if qs.is_empty() {
            self.by_fp.remove(&fp);
        }
        self.len -= gone;
        hit
    }

    /// Queues `s` behind the waiting copies of `fp`; at `cap` copies the oldest copy of
    /// `fp` gives way, or `s` is not kept when none of `fp` waits.
    #[cold]
    fn push(&mut self, fp: u64, s: Seen, cap: usize) -> Stored {
        let full = self.len >= cap;
        if full && !self.by_fp.contains_key(&fp) {
            // the crowd is full of other packets' copies: this one is not kept
            return Stored::KeyFull;
        }
        let qs = self.by_fp.entry(fp).or_default();
        let st = if full {
            // the oldest waiting copy of this packet, over its TTLs
            if let Some(k) =
                (0..qs.len()).min_by_key(|&k| qs[k].1.front().map_or(u64::MAX, |f| f.0))
            {
                qs[k].1.pop_front();
                qs.retain(|(_, q)| !q.is_empty());
            }
            Stored::KeyFull
        } else {
            self.len += 1;
            Stored::Crowd
        };
        let seq = self.seq;
        self.seq += 1;
        match qs.iter_mut().find(|(t, _)| *t == s.ttl) {
            Some((_, q)) => q.push_back((seq, s)),
            None => qs.push((s.ttl, std::collections::VecDeque::from([(seq, s)]))),
        }
        st
    }

    /// Drops copies older than `window` before `now`.
    fn sweep(&mut self, now: i64, window: i64) {
        let mut n = 0;
        self.by_fp.retain(|_, qs| {
            for (_, q) in qs.iter_mut() {
                q.retain(|(_, e)| now.saturating_sub(e.ts_ns) <= window);
                n += q.len();
            }
            qs.retain(|(_, q)| !q.is_empty());
            !qs.is_empty()
        });
        self.len = n;
    }

    /// Copies within `window` of `now`.
    fn fresh(&self, now: i64, window: i64) -> usize {
        self.by_fp
            .values()
            .flat_map(|qs| qs.iter().flat_map(|(_, q)| q.iter()))
            .filter(|(_, e)| now.saturating_sub(e.ts_ns) <= window)
            .count()
    }
}

/// The bucket count after growing a table of `len` buckets (a power of two below
/// `max`, itself a power of two): four times as many, or `max` when that is nearer.
pub(crate) fn grown(len: usize, max: usize) -> usize {
    (len * 4).min(max.max(len * 2))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: i64 = 1_000_000;

    fn seen(ts_ms: i64, ttl: u8, link: Option<u16>) -> Seen {
        Seen {
            ts_ns: ts_ms * MS,
            ttl,
            link,
        }
    }

    #[test]
    fn delta_is_signed_and_wraps() {
        assert_eq!(delta(5, 3), 2);
        assert_eq!(delta(3, 5), -2);
        // across the 40-bit wrap
        assert_eq!(delta(2, TS_MASK - 1), 4);
        assert_eq!(delta(TS_MASK - 1, 2), -4);
    }

    /// The `i`-th key homed in `bucket` of the smallest table (see [`fp`]).
    fn fp_in(bucket: u64, i: u64) -> u64 {
        i * MIN_BUCKETS as u64 + bucket
    }

    /// The fingerprint of test key `k`: homed in bucket `k mod buckets`.
    fn fp(k: u64) -> u64 {
        (k << 2) | 3
    }

    /// The replica `s` of key `k` matched, if any (otherwise `s` is now pending).
    fn take(c: &mut ReplicaCache, k: u64, s: Seen) -> Option<Seen> {
        c.advance(s.ts_ns);
        match c.sight(fp(k), s) {
            Sighted::Replica(first) => Some(first),
            Sighted::Stored(_) => None,
        }
    }

    /// Stores a first sighting `s` of key `k`, saying what it cost.
    fn put(c: &mut ReplicaCache, k: u64, s: Seen) -> Stored {
        c.advance(s.ts_ns);
        match c.sight(fp(k), s) {
            Sighted::Stored(st) => st,
            Sighted::Replica(r) => panic!("{s:?} matched {r:?}"),
        }
    }

    #[test]
    fn replica_is_taken_once_with_its_first_sighting() {
        let mut c = ReplicaCache::new(1024, 2000 * MS);
        assert_eq!(put(&mut c, 77, seen(1000, 60, Some(3))), Stored::Free);
        // another fingerprint: stored, not matched
        assert_eq!(take(&mut c, 78, seen(1036, 52, None)), None);
        assert_eq!(
            take(&mut c, 77, seen(1036, 52, None)),
            Some(seen(1000, 60, Some(3)))
        );
        // the first sighting is gone: this one now waits
        assert_eq!(take(&mut c, 77, seen(1037, 52, None)), None);
        assert_eq!(c.fresh(), 2);
    }

    #[test]
    fn same_ttl_is_a_duplicate_not_a_replica() {
        let mut c = ReplicaCache::new(1024, 2000 * MS);
        put(&mut c, 77, seen(1000, 60, None));
        assert_eq!(take(&mut c, 77, seen(1001, 60, None)), None);
        assert_eq!(c.fresh(), 2);
        // a replica matches the older of the two duplicates
        assert_eq!(
            take(&mut c, 77, seen(1030, 50, None)).unwrap().ts_ns,
            1000 * MS
        );
    }

    #[test]
    fn window_is_inclusive_in_both_directions_to_the_nanosecond() {
        let w = 2000 * MS;
        let mut c = ReplicaCache::new(1024, w);
        for fp in [5, 6, 7] {
            put(&mut c, fp, seen(10_000, 60, None));
        }
        let at = |ts_ns| Seen {
            ts_ns,
            ttl: 50,
            link: None,
        };
        // a replica may carry an earlier timestamp (interfaces merged out of order)
        assert!(take(&mut c, 7, at(10_000 * MS - w)).is_some());
        assert!(take(&mut c, 5, at(10_000 * MS + w)).is_some());
        assert!(take(&mut c, 6, at(10_000 * MS + w + 1)).is_none());
    }

    #[test]
    fn duplicates_match_oldest_first() {
        let mut c = ReplicaCache::new(1024, 2000 * MS);
        for t in [0, 10, 20] {
            put(&mut c, 9, seen(t, 60, Some(t as u16)));
        }
        for t in [0, 10, 20] {
            assert_eq!(
                take(&mut c, 9, seen(40, 50, None)).unwrap().link,
                Some(t as u16)
            );
        }
    }

    #[test]
    fn many_identical_copies_queue_and_match_first_in_first_out() {
        let mut c = ReplicaCache::new(1 << 20, 2000 * MS);
        // 50 byte-identical packets (one fingerprint) leave, 1 ms apart...
        for t in 0..50i64 {
            let want = if t < PER_KEY as i64 {
                Stored::Free
            } else {
                Stored::Crowd
            };
            assert_eq!(put(&mut c, 9, seen(t, 60, Some(t as u16))), want);
        }
        assert_eq!(
            c.capacity(),
            MIN_BUCKETS * WAYS,
            "copies do not grow the table"
        );
        assert_eq!(c.fresh(), 50);
        // ...and come back 30 ms later in the same order: each matches its own first sighting
        for t in 0..50i64 {
            let first = take(&mut c, 9, seen(30 + t, 52, None)).expect("a waiting copy");
            assert_eq!((first.ts_ns, first.link), (t * MS, Some(t as u16)));
        }
        assert_eq!(c.fresh(), 0);
        assert!(c.crowd.is_empty());
    }

    #[test]
    fn the_crowd_has_a_cap_and_says_so() {
        // the smallest cache: 512 ways, a crowd of 1024
        let mut c = ReplicaCache::new(512, 60_000 * MS);
        let mut full = 0;
        for t in 0..2000i64 {
            if put(&mut c, 9, seen(t, 60, None)) == Stored::KeyFull {
                full += 1;
            }
        }
        // 3 in the buckets, 1024 in the crowd, the rest pushed out the oldest
        assert_eq!(full, 2000 - 3 - 1024);
        assert_eq!(c.fresh(), 3 + 1024);
        // the oldest still waiting in the crowd is the one at 976 ms (2000 - 1024)
        let _ = take(&mut c, 9, seen(2000, 50, None)); // bucket copy at 0 ms
        let _ = take(&mut c, 9, seen(2000, 50, None)); // 1 ms
        let _ = take(&mut c, 9, seen(2000, 50, None)); // 2 ms
        assert_eq!(
            take(&mut c, 9, seen(2000, 50, None)).unwrap().ts_ns,
            976 * MS
        );
    }

    #[test]
    fn tables_grow_fourfold_and_end_at_the_cap() {
        // 64 -> 256 -> 1024 -> 4096, and a last step of two to a cap of 8192
        let mut len = 64;
        let mut seen = vec![len];
        while len < 8192 {
            len = grown(len, 8192);
            seen.push(len);
        }
        assert_eq!(seen, [64, 256, 1024, 4096, 8192]);
        assert_eq!(grown(64, 128), 128);
        assert_eq!(grown(64, 256), 256);
    }

    #[test]
    fn grows_instead_of_dropping_below_the_cap() {
        let mut c = ReplicaCache::new(1 << 16, 2000 * MS);
        // all in one bucket of the initial table: forces several growths
        let fps: Vec<u64> = (1..=40u64).map(|i| fp_in(1, i)).collect();
        for &fp in &fps {
            assert_eq!(put(&mut c, fp, seen(0, 60, None)), Stored::Free);
        }
        assert!(c.capacity() > MIN_BUCKETS * WAYS);
        for &fp in &fps {
            assert!(take(&mut c, fp, seen(1, 50, None)).is_some(), "{fp:#x}");
        }
    }

    #[test]
    fn a_full_bucket_spills_into_the_next_and_at_the_cap_the_oldest_gives_way() {
        let mut c = ReplicaCache::new(MIN_BUCKETS * WAYS, 2000 * MS);
        let fp = |i: u64| fp_in(3, i); // all homed in bucket 3
                                       // 8 fill bucket 3, 8 more spill into bucket 4
        for i in 0..2 * WAYS as u64 {
            assert_eq!(put(&mut c, fp(i), seen(i as i64, 60, None)), Stored::Free);
        }
        assert!(c.has_spilled(3) && !c.has_spilled(4));
        // a spilled sighting is found
        assert_eq!(
            take(&mut c, fp(12), seen(50, 50, None)).unwrap().ts_ns,
            12 * MS
        );
        assert_eq!(put(&mut c, fp(99), seen(51, 60, None)), Stored::Free);
        // both full: the oldest of the two buckets (fp(0)) gives way
        assert_eq!(put(&mut c, fp(100), seen(100, 60, None)), Stored::CacheFull);
        assert!(take(&mut c, fp(1), seen(101, 50, None)).is_some());
        // fp(0) was pushed out: this sighting of it waits (in the way fp(1) left)
        assert!(take(&mut c, fp(0), seen(101, 50, None)).is_none());
        assert_eq!(put(&mut c, fp(100), seen(103, 60, None)), Stored::CacheFull);
        assert_eq!(put(&mut c, fp(100), seen(104, 60, None)), Stored::CacheFull);
        // a fourth copy of fp(100) queues in the crowd instead of pushing one out
        assert_eq!(put(&mut c, fp(100), seen(105, 60, None)), Stored::Crowd);
        assert_eq!(
            take(&mut c, fp(100), seen(106, 50, None)).unwrap().ts_ns,
            100 * MS
        );
        assert_eq!(c.lost, 0);
        // stale ways are reused without counting
        assert_eq!(put(&mut c, fp(200), seen(5000, 60, None)), Stored::Free);
    }

    #[test]
    fn a_sweep_clears_spill_bits_it_no_longer_needs() {
        let mut c = ReplicaCache::new(MIN_BUCKETS * WAYS, 2000 * MS);
        let fp = |i: u64| fp_in(3, i);
        for i in 0..=WAYS as u64 {
            put(&mut c, fp(i), seen(i as i64, 60, None));
        }
        assert!(c.has_spilled(3));
        // a sighting a second elsewhere (bucket 20) until the sweep after 137 s has run
        for k in 1..=140u64 {
            put(&mut c, fp_in(20, k), seen(k as i64 * 1000, 60, None));
        }
        assert!(!c.has_spilled(3));
        assert_eq!(c.fresh(), 3);
    }

    #[test]
    fn time_jumps_and_long_captures_never_resurrect_old_sightings() {
        let mut c = ReplicaCache::new(4096, 2000 * MS);
        put(&mut c, 11, seen(0, 60, None));
        // exactly 2^40 ns later the 40-bit timestamps alias: must not match
        let later = Seen {
            ts_ns: 1i64 << TS_BITS,
            ttl: 50,
            link: None,
        };
        assert!(take(&mut c, 11, later).is_none());
        // a slow trickle: one packet a second for an hour, each seen again a
        // second later; none lost to aliasing or sweeping
        let mut c = ReplicaCache::new(4096, 2000 * MS);
        for s in 0..3600i64 {
            if s > 0 {
                assert!(take(&mut c, 1000 + s as u64 - 1, seen(s * 1000, 50, None)).is_some());
            }
            put(&mut c, 1000 + s as u64, seen(s * 1000 + 1, 60, None));
            assert!(c.fresh() <= 2);
        }
    }

    /// The matcher's rules written the plain way: a queue of pending sightings per
    /// fingerprint, no limit on copies or capacity (the oracle for the differential
    /// test below).
    #[derive(Default)]
    struct Oracle {
        pending: std::collections::HashMap<u64, Vec<Seen>>,
        window: i64,
        max_ts: i64,
    }

    impl Oracle {
        fn sight(&mut self, fp: u64, s: Seen) -> Option<Seen> {
            self.max_ts = self.max_ts.max(s.ts_ns);
            let (w, now) = (self.window, self.max_ts);
            let q = self.pending.entry(fp).or_default();
            q.retain(|e| now - e.ts_ns <= w);
            // oldest first among different-TTL sightings within the window
            let hit = q
                .iter()
                .enumerate()
                .filter(|(_, e)| e.ttl != s.ttl && (s.ts_ns - e.ts_ns).abs() <= w)
                .min_by_key(|(_, e)| e.ts_ns)
                .map(|(j, _)| j);
            if let Some(j) = hit {
                return Some(q.remove(j));
            }
            q.push(s);
            None
        }
    }

    /// Differential test: random streams over a few hundred fingerprints, some of
    /// them crowded into few buckets so homes spill and the table grows and
    /// sweeps, must give exactly the oracle's matches (below the cap).
    #[test]
    fn matches_what_a_plain_per_key_queue_matches() {
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        let mut rnd = move |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n
        };
        for round in 0..20 {
            let window = [30, 2000][round % 2] * MS;
            let mut c = ReplicaCache::new(1 << 16, window);
            let mut o = Oracle {
                window,
                ..Oracle::default()
            };
            let nkeys = [40u64, 400][round % 2];
            let keys: Vec<u64> = (0..nkeys)
                .map(|k| {
                    // a third of the keys come three to an even home bucket whatever
                    // the table size: nine copies overflow it into the odd one after
                    let low = if k % 3 == 0 {
                        (k / 9) * 2
                    } else {
                        rnd(1 << 20)
                    };
                    ((k + 1) << 32) | low << 2 | 3
                })
                .collect();
            let mut ts = 0i64;
            let (mut matched, mut spills) = (0, 0);
            for _ in 0..20_000 {
                ts += rnd(3 * MS as u64) as i64;
                if rnd(500) == 0 {
                    ts += 150_000 * MS; // a gap: a sweep or a clear
                }
                let s = Seen {
                    ts_ns: ts,
                    ttl: [50, 60][rnd(2) as usize],
                    link: Some(rnd(3) as u16),
                };
                let fp = keys[rnd(keys.len() as u64) as usize];
                c.advance(ts);
                let got = match c.sight(fp, s) {
                    Sighted::Replica(r) => Some(r),
                    Sighted::Stored(st) => {
                        assert_ne!(st, Stored::CacheFull, "the cap was reached");
                        None
                    }
                };
                let want = o.sight(fp, s);
                assert_eq!(
                    got.map(|r| (r.ts_ns, r.ttl)),
                    want.map(|r| (r.ts_ns, r.ttl)),
                    "round {round} at {ts}"
                );
                matched += usize::from(got.is_some());
                spills += usize::from(c.buckets.iter().any(|b| b.spilled()));
            }
            assert!(matched > 300, "round {round}: {matched}");
            assert!(
                round % 2 == 0 || spills > 1000,
                "round {round}: homes spilled in {spills} steps"
            );
            assert_eq!(c.lost, 0);
        }
    }

    /// The crowd against the rule it implements, written the plain way: one queue of
    /// every waiting copy per fingerprint, oldest first; a replica takes the first copy
    /// with another TTL within the window; at the cap the oldest copy of the same packet
    /// gives way (or the new copy is not kept when none of its packet waits).
    #[test]
    fn the_crowd_follows_the_one_queue_rule() {
        use std::collections::{HashMap, VecDeque};
        #[derive(Default)]
        struct Plain {
            q: HashMap<u64, VecDeque<Seen>>,
            len: usize,
        }
        impl Plain {
            fn take(&mut self, fp: u64, s: Seen, now: i64, window: i64) -> Option<Seen> {
                let q = self.q.get_mut(&fp)?;
                let before = q.len();
                while q.front().is_some_and(|e| now - e.ts_ns > window) {
                    q.pop_front();
                }
                let j = q
                    .iter()
                    .position(|e| e.ttl != s.ttl && (s.ts_ns - e.ts_ns).abs() <= window);
                let hit = j.and_then(|j| q.remove(j));
                self.len -= before - q.len();
                if q.is_empty() {
                    self.q.remove(&fp);
                }
                hit
            }
            fn push(&mut self, fp: u64, s: Seen, cap: usize) -> Stored {
                let full = self.len >= cap;
                if full && !self.q.contains_key(&fp) {
                    return Stored::KeyFull;
                }
                let q = self.q.entry(fp).or_default();
                let st = if full {
                    q.pop_front();
                    Stored::KeyFull
                } else {
                    self.len += 1;
                    Stored::Crowd
                };
                q.push_back(s);
                st
            }
        }
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        let mut rnd = move |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n
        };
        let (window, cap) = (100, 8);
        let (mut hits, mut full) = (0u32, 0u32);
        for round in 0..200 {
            let (mut crowd, mut plain) = (Crowd::default(), Plain::default());
            let mut now = 0i64;
            for step in 0..300 {
                now += rnd(15) as i64;
                let fp = 3 + 4 * rnd(3);
                let s = seen(now, 60 + rnd(3) as u8, Some(step as u16));
                if rnd(2) == 0 {
                    let st = crowd.push(fp, s, cap);
                    assert_eq!(st, plain.push(fp, s, cap), "round {round} step {step}");
                    full += u32::from(st == Stored::KeyFull);
                } else {
                    let got = crowd.take_match(fp, s, now * MS, window * MS);
                    assert_eq!(
                        got,
                        plain.take(fp, s, now * MS, window * MS),
                        "round {round} step {step}"
                    );
                    hits += u32::from(got.is_some());
                }
                assert_eq!(crowd.len, plain.len, "round {round} step {step}");
                assert_eq!(crowd.has(fp), plain.q.contains_key(&fp));
            }
        }
        // the streams did exercise matching, the window and the cap
        assert!(hits > 5_000, "{hits} replicas matched");
        assert!(full > 1_000, "{full} copies met the cap");
    }
}
