//! `Handshakes`: TCP SYNs waiting for their SYN/ACK, and answered handshakes kept a little
//! longer, in a fixed budget.
//!
//! Built like the replica matcher: a set-associative table of 32-byte entries, four to
//! a 128-byte bucket. A handshake's key (a 64-bit hash of client, server and ports)
//! picks a home bucket; the entry lives there or in the next bucket. A pending entry older
//! than [`LIFETIME_NS`] (an answered one older than [`ANSWERED_NS`]) is free, so the table
//! needs no sweep and never rebuilds itself on the hot path; it grows (fourfold) when both buckets
//! are full of live entries, up to its cap, and only at the cap does a live entry give way
//! — the oldest of the two buckets: a pending one is counted in `dropped`, an answered one
//! is settled early. A SYN flood therefore costs a bounded amount of memory and a constant
//! amount of work per packet, and says what it pushed out.
//!
//! Karn's rule, as tcptrace and tstat apply it to passive traces: a handshake whose SYN or
//! SYN/ACK was sent more than once gives no RTT sample — which SYN the SYN/ACK answers, or
//! which SYN/ACK the vantage timed, is ambiguous — and is counted instead. So a SYN seen
//! again for a handshake, before or after its answer, and a SYN/ACK seen again within
//! [`ANSWERED_NS`] of the first, mark it retransmitted; an answered handshake's sample is
//! therefore settled only when that time has passed (or the input ends).
//!
//! Not a retransmission: the same packet seen again after crossing more routers — a
//! hairpinned SYN's replica, whether or not the replica matcher paired it within its
//! window. The table tells it by the packet's identity (24 bits of its
//! [`crate::replica_fingerprint`]: addresses, IP ID, length, ports, TCP seq/ack/flags) and a
//! TTL lower than the first sighting's. A retransmission on the same path comes with the
//! same TTL (and, from most IPv4 stacks, the next IP ID).

/// Ways per bucket: 4 entries of 32 bytes = two cache lines.
const WAYS: usize = 4;
/// Smallest table, in buckets (8 KiB).
const MIN_BUCKETS: usize = 64;
/// How long a SYN waits for its SYN/ACK (capture time): 10 s, longer than the 1 s and
/// 3 s SYN retransmission timers, so a retransmission finds the first SYN.
pub const LIFETIME_NS: i64 = 10_000_000_000;
/// How long an answered handshake is kept after its SYN/ACK (capture time) so that a
/// retransmitted SYN/ACK (or SYN) can void its sample: 4 s, longer than the 1 s initial
/// retransmission timeout of RFC 6298 and the 3 s of older stacks.
pub const ANSWERED_NS: i64 = 4_000_000_000;

/// The entry's flag: its SYN or SYN/ACK was seen twice.
const RETRANSMITTED: u32 = 1 << 28;
/// The entry's flag: its SYN hairpinned.
const HAIRPIN: u32 = 2 << 28;
/// The entry's flag: its SYN/ACK came (`word` holds the RTT in µs below the flags).
const ANSWERED: u32 = 4 << 28;
/// The RTT bits of `word` (2^28 µs = 268 s, far beyond [`LIFETIME_NS`]).
const RTT_MASK: u32 = (1 << 28) - 1;

/// A packet's identity for telling a replica from a retransmission: 24 bits of its
/// replica fingerprint and its TTL in the top byte.
#[inline]
pub(crate) fn sighting_id(fp: u64, ttl: u8) -> u32 {
    ((fp >> 2) as u32 & 0x00FF_FFFF) | u32::from(ttl) << 24
}

/// True when `now` is the same packet as `first` seen after more routers (same identity,
/// lower TTL): a replica, not a retransmission.
#[inline]
fn replica_of(first: u32, now: u32) -> bool {
    (first ^ now) & 0x00FF_FFFF == 0 && (now >> 24) < (first >> 24)
}

/// One handshake (`key == 0`: free).
#[derive(Clone, Copy, Debug, Default)]
#[repr(C)]
struct Entry {
    key: u64,
    /// The SYN's time while pending, the SYN/ACK's once answered.
    ts_ns: i64,
    pair: u32,
    /// The first SYN's [`sighting_id`].
    syn: u32,
    /// The first SYN/ACK's [`sighting_id`] (once answered).
    syn_ack: u32,
    /// Flags (top 4 bits) and the RTT in µs once answered.
    word: u32,
}

impl Entry {
    /// Makes this entry the pending SYN of handshake `key`, field by field in place: an
    /// entry built aside and copied in was stored as 4- and 8-byte fields and loaded
    /// back 16 bytes at a time, a store-forwarding stall that perf put at a third of
    /// `Handshakes::syn`'s samples under a SYN flood.
    #[inline(always)]
    fn pending(&mut self, key: u64, ts_ns: i64, pair: u32, syn: u32, word: u32) {
        self.key = key;
        self.ts_ns = ts_ns;
        self.pair = pair;
        self.syn = syn;
        self.syn_ack = 0;
        self.word = word;
    }

    /// What an answered entry gives: its sample, or its Karn exclusion.
    fn settled(&self) -> Settled {
        let hairpin = self.word & HAIRPIN != 0;
        if self.word & RETRANSMITTED != 0 {
            Settled::Retransmitted {
                pair: self.pair,
                hairpin,
            }
        } else {
            Settled::Sample {
                pair: self.pair,
                us: u64::from(self.word & RTT_MASK),
                hairpin,
            }
        }
    }
}

/// Four ways, aligned to a pair of cache lines.
#[derive(Clone, Copy, Debug, Default)]
#[repr(C, align(128))]
struct Bucket([Entry; WAYS]);

/// A settled handshake.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Settled {
    /// A sample: SYN → SYN/ACK in µs, for the SYN's pair; whether the SYN hairpinned.
    Sample { pair: u32, us: u64, hairpin: bool },
    /// Its SYN or SYN/ACK was retransmitted: no sample (Karn's rule).
    Retransmitted { pair: u32, hairpin: bool },
}

/// The handshake key of client → server.
#[inline]
pub(crate) fn key(client: u128, server: u128, cport: u16, sport: u16) -> u64 {
    let a = (client as u64) ^ ((client >> 64) as u64).rotate_left(23);
    let b = (server as u64) ^ ((server >> 64) as u64).rotate_left(41);
    let p = u64::from(cport) << 16 | u64::from(sport);
    trombone_packet::mix64(a.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ b.rotate_left(29) ^ p) | 1
}

/// Handshakes of one worker.
pub(crate) struct Handshakes {
    buckets: Vec<Bucket>,
    max_buckets: usize,
    newest: i64,
    /// Answered entries in the table, settled or not yet due (0: nothing to settle, so
    /// [`Handshakes::settle_expired`] and [`Handshakes::settle_all`] skip their scan).
    answered: usize,
    /// Pending (unanswered) entries pushed out at the cap.
    pub(crate) dropped: u64,
    /// Handshakes settled since the caller last drained them (kept allocated).
    pub(crate) settled: Vec<Settled>,
}

impl Handshakes {
    /// A table of at most `max_entries` handshakes (rounded up to a power of two, at least 256).
    pub(crate) fn new(max_entries: usize) -> Handshakes {
        Handshakes {
            buckets: trombone_memory::table(MIN_BUCKETS, Bucket::default()),
            max_buckets: max_entries
                .div_ceil(WAYS)
                .max(MIN_BUCKETS)
                .next_power_of_two(),
            newest: i64::MIN,
            answered: 0,
            dropped: 0,
            settled: Vec::with_capacity(16),
        }
    }

    /// Entries the table has now (32 bytes each).
    pub(crate) fn capacity(&self) -> usize {
        self.buckets.len() * WAYS
    }

    #[inline]
    fn home(&self, key: u64) -> usize {
        ((key >> 1) as usize) & (self.buckets.len() - 1)
    }

    #[inline]
    fn live(&self, e: &Entry) -> bool {
        let life = if e.word & ANSWERED != 0 {
            ANSWERED_NS
        } else {
            LIFETIME_NS
        };
        e.key != 0 && self.newest.saturating_sub(e.ts_ns) <= life
    }

    /// Asks the CPU to fetch the home and next buckets of `key` (four cache lines: a new
    /// SYN's `find` reads both): under a SYN flood the table is at its cap and far larger
    /// than the caches, so without it every SYN waits for memory in `find`.
    #[inline]
    pub(crate) fn prefetch(&self, key: u64) {
        let h = self.home(key);
        let n = (h + 1) & (self.buckets.len() - 1);
        for b in [h, n] {
            let p = self.buckets.as_ptr().wrapping_add(b) as *const u8;
            trombone_packet::prefetch(p);
            trombone_packet::prefetch(p.wrapping_add(64));
        }
    }

    /// The (bucket, way) of the live entry of `key`, if any.
    #[inline]
    fn find(&self, key: u64) -> Option<(usize, usize)> {
        let h = self.home(key);
        let n = (h + 1) & (self.buckets.len() - 1);
        for b in [h, n] {
            for (w, e) in self.buckets[b].0.iter().enumerate() {
                if e.key == key && self.live(e) {
                    return Some((b, w));
                }
            }
        }
        None
    }

    /// Settles `e` if it was answered (its sample or its Karn exclusion): `e` is leaving
    /// the table.
    #[inline]
    fn settle(&mut self, e: &Entry) {
        if e.key != 0 && e.word & ANSWERED != 0 {
            self.settled.push(e.settled());
            self.answered -= 1;
        }
    }

    /// A SYN of handshake `key` at `ts_ns`, for pair `pair`, with its [`sighting_id`].
    ///
    /// One pass over the home and next buckets finds the handshake's live entry (a SYN
    /// seen again), or else the first free way and the oldest live entry, which is
    /// what [`Handshakes::find`] followed by [`Handshakes::store`] would find: under a
    /// SYN flood every SYN is new, and the second pass was pure overhead.
    pub(crate) fn syn(&mut self, key: u64, ts_ns: i64, pair: u32, hairpin: bool, id: u32) {
        self.newest = self.newest.max(ts_ns);
        let h = self.home(key);
        let n = (h + 1) & (self.buckets.len() - 1);
        let mut free: Option<(usize, usize)> = None;
        let mut oldest: Option<(usize, usize, i64)> = None;
        for b in [h, n] {
            for w in 0..WAYS {
                let x = &self.buckets[b].0[w];
                if !self.live(x) {
                    if free.is_none() {
                        free = Some((b, w));
                    }
                    continue;
                }
                if x.key == key {
                    let e = &mut self.buckets[b].0[w];
                    if !replica_of(e.syn, id) {
                        e.word |= RETRANSMITTED;
                    }
                    return;
                }
                if oldest.is_none_or(|(_, _, t)| x.ts_ns < t) {
                    oldest = Some((b, w, x.ts_ns));
                }
            }
        }
        let word = if hairpin { HAIRPIN } else { 0 };
        if let Some((b, w)) = free {
            let x = self.buckets[b].0[w];
            self.settle(&x);
            self.buckets[b].0[w].pending(key, ts_ns, pair, id, word);
        } else if self.buckets.len() < self.max_buckets {
            self.grow();
            let mut e = Entry::default();
            e.pending(key, ts_ns, pair, id, word);
            self.store(e);
        } else {
            let (b, w, _) = oldest.expect("full buckets");
            self.give_way(b, w);
            self.buckets[b].0[w].pending(key, ts_ns, pair, id, word);
        }
    }

    /// Puts `e` in a free way of its home or the next bucket, growing or pushing out
    /// the oldest entry when both are full; an answered entry it replaces is settled.
    fn store(&mut self, e: Entry) {
        loop {
            let h = self.home(e.key);
            let n = (h + 1) & (self.buckets.len() - 1);
            let mut oldest: Option<(usize, usize, i64)> = None;
            for b in [h, n] {
                for w in 0..WAYS {
                    let x = self.buckets[b].0[w];
                    if !self.live(&x) {
                        self.settle(&x);
                        self.buckets[b].0[w] = e;
                        return;
                    }
                    if oldest.is_none_or(|(_, _, t)| x.ts_ns < t) {
                        oldest = Some((b, w, x.ts_ns));
                    }
                }
            }
            if self.buckets.len() < self.max_buckets {
                self.grow();
                continue;
            }
            let (b, w, _) = oldest.expect("full buckets");
            self.push_out(b, w, e);
            return;
        }
    }

    /// Puts `e` in the place of the live entry at (`b`, `w`), the table being at its cap:
    /// an answered entry is settled early, a pending one counted in `dropped`.
    #[inline]
    fn push_out(&mut self, b: usize, w: usize, e: Entry) {
        self.give_way(b, w);
        self.buckets[b].0[w] = e;
    }

    /// Accounts for the live entry at (`b`, `w`) leaving at the cap: an answered entry
    /// is settled early, a pending one counted in `dropped`.
    #[inline]
    fn give_way(&mut self, b: usize, w: usize) {
        let x = self.buckets[b].0[w];
        if x.word & ANSWERED != 0 {
            self.settle(&x);
        } else {
            self.dropped += 1;
        }
    }

    /// Grows the table fourfold (twofold for its last step to the cap; see
    /// [`crate::replica`]'s growth for why), settling and dropping expired entries.
    #[cold]
    fn grow(&mut self) {
        let n = crate::replica::grown(self.buckets.len(), self.max_buckets);
        let old = std::mem::replace(
            &mut self.buckets,
            trombone_memory::table(n, Bucket::default()),
        );
        for b in old {
            for e in b.0 {
                if self.live(&e) {
                    self.store(e);
                } else {
                    self.settle(&e);
                }
            }
        }
    }

    /// A SYN/ACK answering handshake `key` at `ts_ns`, with its [`sighting_id`]. The first
    /// answers the pending SYN (its sample is settled later: see the module docs); another
    /// one, not a replica, marks the handshake retransmitted.
    pub(crate) fn syn_ack(&mut self, key: u64, ts_ns: i64, id: u32) {
        self.newest = self.newest.max(ts_ns);
        let Some((b, w)) = self.find(key) else {
            return;
        };
        let e = &mut self.buckets[b].0[w];
        if e.word & ANSWERED != 0 {
            if !replica_of(e.syn_ack, id) {
                e.word |= RETRANSMITTED;
            }
            return;
        }
        if ts_ns < e.ts_ns {
            // answered before it was asked (skewed capture ports): no sample
            *e = Entry::default();
            return;
        }
        let us = ((ts_ns - e.ts_ns) / 1000).min(i64::from(RTT_MASK)) as u32;
        e.word = (e.word & !RTT_MASK) | ANSWERED | us;
        e.syn_ack = id;
        e.ts_ns = ts_ns;
        self.answered += 1;
    }

    /// What [`Handshakes::settle_expired`] would settle now, changing nothing.
    pub(crate) fn expired(&self) -> impl Iterator<Item = Settled> + '_ {
        let scan = if self.answered == 0 {
            0
        } else {
            self.buckets.len()
        };
        self.buckets[..scan]
            .iter()
            .flat_map(|b| b.0.iter())
            .filter(|e| e.key != 0 && e.word & ANSWERED != 0 && !self.live(e))
            .map(Entry::settled)
    }

    /// Settles the answered handshakes whose [`ANSWERED_NS`] has passed (an interval
    /// boundary: the others carry over). Scans the table only while answered entries
    /// remain unvisited: not at all under a flood of SYNs that are never answered.
    pub(crate) fn settle_expired(&mut self) {
        let mut unvisited = self.answered;
        for b in 0..self.buckets.len() {
            if unvisited == 0 {
                return;
            }
            for w in 0..WAYS {
                let e = self.buckets[b].0[w];
                if e.key != 0 && e.word & ANSWERED != 0 {
                    unvisited -= 1;
                    if !self.live(&e) {
                        self.settle(&e);
                        self.buckets[b].0[w] = Entry::default();
                    }
                }
            }
        }
    }

    /// Settles every answered handshake (the input has ended: no retransmission can come),
    /// scanning the table only until the last one is settled.
    pub(crate) fn settle_all(&mut self) {
        for b in 0..self.buckets.len() {
            if self.answered == 0 {
                return;
            }
            for w in 0..WAYS {
                let e = self.buckets[b].0[w];
                if e.key != 0 && e.word & ANSWERED != 0 {
                    self.settle(&e);
                    self.buckets[b].0[w] = Entry::default();
                }
            }
        }
    }

    /// Answered entries found by scanning the whole table (checks `answered`).
    #[cfg(test)]
    fn answered_in_table(&self) -> usize {
        self.buckets
            .iter()
            .flat_map(|b| b.0.iter())
            .filter(|e| e.key != 0 && e.word & ANSWERED != 0)
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: i64 = 1_000_000;

    /// The identity of a sighting of packet `n` (a stand-in fingerprint) at `ttl`.
    fn id(n: u64, ttl: u8) -> u32 {
        sighting_id(n.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 3, ttl)
    }

    fn settled(h: &mut Handshakes) -> Vec<Settled> {
        h.settle_all();
        std::mem::take(&mut h.settled)
    }

    #[test]
    fn entries_are_32_bytes() {
        assert_eq!(std::mem::size_of::<Entry>(), 32);
        assert_eq!(std::mem::size_of::<Bucket>(), 128);
    }

    #[test]
    fn syn_then_syn_ack_is_one_sample_settled_later() {
        let mut h = Handshakes::new(1024);
        let k = key(1, 2, 40000, 443);
        h.syn(k, 100 * MS, 7, true, id(1, 60));
        h.syn_ack(k, 130 * MS, id(2, 58));
        assert!(
            h.settled.is_empty(),
            "kept until a retransmission is ruled out"
        );
        assert_eq!(
            settled(&mut h),
            vec![Settled::Sample {
                pair: 7,
                us: 30_000,
                hairpin: true
            }]
        );
        // the reverse direction is another handshake
        assert_ne!(key(2, 1, 443, 40000), k);
    }

    #[test]
    fn karns_rule_a_retransmitted_syn_gives_no_sample() {
        let mut h = Handshakes::new(1024);
        let k = key(1, 2, 40000, 443);
        h.syn(k, 0, 3, false, id(1, 60));
        // the client gave up on the first after 1 s: the next IP ID, the same TTL
        h.syn(k, 1000 * MS, 3, false, id(2, 60));
        h.syn_ack(k, 1030 * MS, id(9, 61));
        assert_eq!(
            settled(&mut h),
            vec![Settled::Retransmitted {
                pair: 3,
                hairpin: false
            }]
        );
        // IPv6 (no IP ID): the retransmission is the same packet at the same hop limit
        let k = key(5, 6, 1, 443);
        h.syn(k, 2000 * MS, 4, true, id(3, 60));
        h.syn(k, 3000 * MS, 4, true, id(3, 60));
        h.syn_ack(k, 3040 * MS, id(10, 61));
        assert_eq!(
            settled(&mut h),
            vec![Settled::Retransmitted {
                pair: 4,
                hairpin: true
            }]
        );
    }

    #[test]
    fn a_replica_of_the_syn_is_not_a_retransmission_however_late() {
        // the same SYN seen again 8 hops later, 40 ms or 1.5 s after (beyond a short
        // replica window): not a retransmission
        for late_ms in [40, 1500] {
            let mut h = Handshakes::new(1024);
            let k = key(1, 2, 40000, 443);
            h.syn(k, 0, 1, true, id(1, 60));
            h.syn(k, late_ms * MS, 1, true, id(1, 52));
            h.syn_ack(k, (late_ms + 30) * MS, id(2, 60));
            assert_eq!(
                settled(&mut h),
                vec![Settled::Sample {
                    pair: 1,
                    us: (late_ms as u64 + 30) * 1000,
                    hairpin: true
                }]
            );
        }
    }

    #[test]
    fn karns_rule_a_retransmitted_syn_ack_voids_the_sample() {
        let mut h = Handshakes::new(1024);
        let k = key(1, 2, 40000, 443);
        h.syn(k, 0, 2, false, id(1, 60));
        h.syn_ack(k, 20 * MS, id(2, 57));
        // its replica (3 hops later) changes nothing; the server's retransmission 1 s
        // later (the same segment at the same TTL) voids it
        h.syn_ack(k, 60 * MS, id(2, 54));
        h.syn_ack(k, 1020 * MS, id(2, 57));
        assert_eq!(
            settled(&mut h),
            vec![Settled::Retransmitted {
                pair: 2,
                hairpin: false
            }]
        );
        // a SYN sent again after the answer (the SYN/ACK lost beyond the vantage) too
        let k = key(3, 4, 1, 2);
        h.syn(k, 2000 * MS, 5, false, id(3, 60));
        h.syn_ack(k, 2020 * MS, id(4, 57));
        h.syn(k, 3000 * MS, 5, false, id(5, 60));
        assert_eq!(
            settled(&mut h),
            vec![Settled::Retransmitted {
                pair: 5,
                hairpin: false
            }]
        );
    }

    #[test]
    fn an_answered_handshake_is_settled_once_its_time_is_up() {
        let mut h = Handshakes::new(1024);
        let k = key(1, 2, 40000, 443);
        h.syn(k, 0, 2, false, id(1, 60));
        h.syn_ack(k, 20 * MS, id(2, 57));
        // another handshake 4 s later: the first is not yet settled
        let k2 = key(7, 8, 1, 2);
        h.syn(k2, 20 * MS + ANSWERED_NS, 3, false, id(3, 60));
        h.settle_expired();
        assert!(h.settled.is_empty());
        // 1 ns more: settled at the boundary, and a SYN/ACK after it changes nothing
        h.syn(
            key(9, 9, 9, 9),
            20 * MS + ANSWERED_NS + 1,
            3,
            false,
            id(4, 60),
        );
        h.settle_expired();
        assert_eq!(
            std::mem::take(&mut h.settled),
            vec![Settled::Sample {
                pair: 2,
                us: 20_000,
                hairpin: false
            }]
        );
        h.syn_ack(k, 20 * MS + ANSWERED_NS + 2, id(2, 57));
        assert!(settled(&mut h).is_empty());
    }

    #[test]
    fn expired_syns_are_free_and_give_nothing() {
        let mut h = Handshakes::new(1024);
        let k = key(1, 2, 1, 2);
        h.syn(k, 0, 0, false, id(1, 60));
        h.syn(key(9, 9, 9, 9), LIFETIME_NS + 1, 0, false, id(2, 60));
        h.syn_ack(k, LIFETIME_NS + 2, id(3, 60));
        assert!(settled(&mut h).is_empty());
    }

    /// The `j`-th key whose home is bucket `b` of a 64-bucket table.
    fn key_in(b: u64, j: u64) -> u64 {
        (b + 64 * j) << 1 | 1
    }

    #[test]
    fn a_syn_seen_again_is_found_in_the_next_bucket_though_its_home_has_room() {
        let mut h = Handshakes::new(1024);
        assert_eq!(h.capacity(), 256, "64 buckets");
        // bucket 5 filled (k0 at 0 s, k1..k3 at 5 s); k4 spills into bucket 6
        h.syn(key_in(5, 0), 0, 0, false, id(0, 60));
        for j in 1..5 {
            h.syn(key_in(5, j), 5000 * MS, j as u32, false, id(j, 60));
        }
        // 10 s + 1 ns: k0 has waited its 10 s (its way is free), k4 has not; k4's SYN sent
        // again (the next IP ID) marks k4 and takes no second way
        h.syn(key_in(5, 4), LIFETIME_NS + 1, 4, false, id(40, 60));
        h.syn_ack(key_in(5, 4), LIFETIME_NS + 20 * MS, id(41, 61));
        assert_eq!(h.capacity(), 256, "nothing grew");
        assert_eq!(h.dropped, 0);
        assert_eq!(
            settled(&mut h),
            vec![Settled::Retransmitted {
                pair: 4,
                hairpin: false
            }]
        );
    }

    #[test]
    fn answered_entries_are_counted_in_and_out() {
        // 256 entries: 64 buckets, the cap from the start
        let mut h = Handshakes::new(256);
        assert_eq!(h.capacity(), 256);
        // eight handshakes homed in bucket 5 (four spill into bucket 6), each answered
        // 10 ms after its SYN
        for j in 0..8 {
            h.syn(key_in(5, j), j as i64 * MS, j as u32, false, id(j, 60));
        }
        assert_eq!((h.answered, h.answered_in_table()), (0, 0));
        for j in 0..8 {
            h.syn_ack(key_in(5, j), (10 + j as i64) * MS, id(100 + j, 60));
        }
        assert_eq!((h.answered, h.answered_in_table()), (8, 8));
        // a ninth SYN finds both buckets full at the cap: the oldest (k0, answered at 10 ms)
        // is settled early, nothing is dropped
        h.syn(key_in(5, 8), 20 * MS, 8, false, id(8, 60));
        assert_eq!(
            std::mem::take(&mut h.settled),
            vec![Settled::Sample {
                pair: 0,
                us: 10_000,
                hairpin: false
            }]
        );
        assert_eq!((h.answered, h.answered_in_table(), h.dropped), (7, 7, 0));
        // not yet due (k7 answered at 17 ms, now 20 ms): an interval boundary settles none
        assert_eq!(h.expired().count(), 0);
        h.settle_expired();
        assert!(h.settled.is_empty());
        assert_eq!(h.answered, 7);
        // 4 s after k3's SYN/ACK (13 ms) and before k4's (14 ms): k1..k3 are due
        h.syn(key_in(9, 0), 13 * MS + ANSWERED_NS + 1, 9, false, id(9, 60));
        assert_eq!(h.expired().count(), 3);
        h.settle_expired();
        let pairs: Vec<u32> = h
            .settled
            .drain(..)
            .map(|s| match s {
                Settled::Sample {
                    pair, us: 10_000, ..
                } => pair,
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(pairs, vec![1, 2, 3]);
        assert_eq!((h.answered, h.answered_in_table()), (4, 4));
        // the end: k4..k7 settled, the two pending SYNs give nothing
        assert_eq!(settled(&mut h).len(), 4);
        assert_eq!((h.answered, h.answered_in_table()), (0, 0));
        assert_eq!(h.expired().count(), 0);
    }

    #[test]
    fn a_flood_stays_within_the_cap_and_counts_what_it_pushed_out() {
        let mut h = Handshakes::new(4096);
        // 100,000 spoofed SYNs in 1 s, never answered
        for i in 0..100_000u32 {
            h.syn(
                key(u128::from(i), 7, i as u16, 80),
                i64::from(i) * 10_000,
                0,
                false,
                id(u64::from(i), 60),
            );
            assert!(h.capacity() <= 4096);
        }
        assert_eq!(h.capacity(), 4096);
        // all live (1 s < 10 s): everything beyond the table's room was pushed out
        assert!(h.dropped >= 100_000 - 4096, "{}", h.dropped);
        assert!(h.settled.is_empty(), "nothing answered, nothing settled");
        // a genuine handshake in the middle of the flood still completes when its
        // answer comes before it is pushed out
        let k = key(1 << 40, 8, 5, 443);
        h.syn(k, 1_000_000_000, 1, false, id(1, 60));
        h.syn_ack(k, 1_020_000_000, id(2, 60));
        assert!(matches!(
            settled(&mut h)[..],
            [Settled::Sample { us: 20_000, .. }]
        ));
    }
}
