//! `Handshakes`: TCP SYNs waiting for their SYN/ACK, in a fixed budget.
//!
//! Built like the replica matcher: a set-associative table of 32-byte entries, four to
//! a 128-byte bucket. A handshake's key (a 64-bit hash of client, server and ports)
//! picks a home bucket; the entry lives there or in the next bucket. An entry older
//! than [`LIFETIME_NS`] is free, so the table needs no sweep and never rebuilds itself
//! on the hot path; it doubles when both buckets are full of live entries, up to its
//! cap, and only at the cap does a live entry give way — the oldest of the two buckets —
//! counted in `dropped`. A SYN flood therefore costs a bounded amount of memory and a
//! constant amount of work per packet, and says what it pushed out.
//!
//! Karn's rule, as tcptrace and tstat apply it to passive traces: a SYN seen again for
//! the same handshake (a retransmission: its first copy, or its answer, was lost) makes
//! the handshake give no RTT sample — which SYN the SYN/ACK answers is ambiguous — and is
//! counted instead. (The second sighting of a hairpinned SYN, its replica, is not a
//! retransmission: the replica matcher recognises it before it gets here.)

/// Ways per bucket: 4 entries of 32 bytes = two cache lines.
const WAYS: usize = 4;
/// Smallest table, in buckets (8 KiB).
const MIN_BUCKETS: usize = 64;
/// How long a SYN waits for its SYN/ACK (capture time): 10 s, longer than the 1 s and
/// 3 s SYN retransmission timers, so a retransmission finds the first SYN.
pub const LIFETIME_NS: i64 = 10_000_000_000;

/// The entry's flag: its SYN was seen twice.
const RETRANSMITTED: u8 = 1;
/// The entry's flag: its SYN hairpinned.
const HAIRPIN: u8 = 2;

/// One pending handshake (`key == 0`: free).
#[derive(Clone, Copy, Debug, Default)]
#[repr(C)]
struct Entry {
    key: u64,
    ts_ns: i64,
    pair: u32,
    flags: u8,
    _pad: [u8; 11],
}

/// Four ways, aligned to a pair of cache lines.
#[derive(Clone, Copy, Debug, Default)]
#[repr(C, align(128))]
struct Bucket([Entry; WAYS]);

/// What a SYN/ACK completed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Answer {
    /// No pending SYN (never seen, expired, or already answered).
    Unknown,
    /// A sample: SYN → SYN/ACK in µs, for the SYN's pair; whether the SYN hairpinned.
    Sample { pair: u32, us: u64, hairpin: bool },
    /// The SYN had been retransmitted: no sample (Karn's rule).
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

/// Pending handshakes of one worker.
pub(crate) struct Handshakes {
    buckets: Vec<Bucket>,
    max_buckets: usize,
    newest: i64,
    /// Live entries pushed out at the cap.
    pub(crate) dropped: u64,
}

impl Handshakes {
    /// A table of at most `max_entries` handshakes (rounded up to a power of two, at least 256).
    pub(crate) fn new(max_entries: usize) -> Handshakes {
        Handshakes {
            buckets: vec![Bucket::default(); MIN_BUCKETS],
            max_buckets: max_entries
                .div_ceil(WAYS)
                .max(MIN_BUCKETS)
                .next_power_of_two(),
            newest: i64::MIN,
            dropped: 0,
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
        e.key != 0 && self.newest.saturating_sub(e.ts_ns) <= LIFETIME_NS
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

    /// A SYN of handshake `key` at `ts_ns`, for pair `pair`.
    pub(crate) fn syn(&mut self, key: u64, ts_ns: i64, pair: u32, hairpin: bool) {
        self.newest = self.newest.max(ts_ns);
        if let Some((b, w)) = self.find(key) {
            self.buckets[b].0[w].flags |= RETRANSMITTED;
            return;
        }
        let e = Entry {
            key,
            ts_ns,
            pair,
            flags: if hairpin { HAIRPIN } else { 0 },
            _pad: [0; 11],
        };
        self.store(e);
    }

    /// Puts `e` in a free way of its home or the next bucket, growing or pushing out
    /// the oldest entry when both are full.
    fn store(&mut self, e: Entry) {
        loop {
            let h = self.home(e.key);
            let n = (h + 1) & (self.buckets.len() - 1);
            let mut oldest: Option<(usize, usize, i64)> = None;
            for b in [h, n] {
                for w in 0..WAYS {
                    let x = &self.buckets[b].0[w];
                    if !self.live(x) {
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
            self.buckets[b].0[w] = e;
            self.dropped += 1;
            return;
        }
    }

    /// Doubles the table, dropping expired entries.
    #[cold]
    fn grow(&mut self) {
        let n = self.buckets.len() * 2;
        let old = std::mem::replace(&mut self.buckets, vec![Bucket::default(); n]);
        for b in old {
            for e in b.0 {
                if self.live(&e) {
                    self.store(e);
                }
            }
        }
    }

    /// A SYN/ACK answering handshake `key` at `ts_ns`: the sample it completes, if any.
    /// The pending SYN is removed either way (a later SYN/ACK finds nothing).
    pub(crate) fn syn_ack(&mut self, key: u64, ts_ns: i64) -> Answer {
        self.newest = self.newest.max(ts_ns);
        let Some((b, w)) = self.find(key) else {
            return Answer::Unknown;
        };
        let e = std::mem::take(&mut self.buckets[b].0[w]);
        let hairpin = e.flags & HAIRPIN != 0;
        if e.flags & RETRANSMITTED != 0 {
            return Answer::Retransmitted {
                pair: e.pair,
                hairpin,
            };
        }
        if ts_ns < e.ts_ns {
            return Answer::Unknown;
        }
        Answer::Sample {
            pair: e.pair,
            us: ((ts_ns - e.ts_ns) / 1000) as u64,
            hairpin,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: i64 = 1_000_000;

    #[test]
    fn entries_are_32_bytes() {
        assert_eq!(std::mem::size_of::<Entry>(), 32);
        assert_eq!(std::mem::size_of::<Bucket>(), 128);
    }

    #[test]
    fn syn_then_syn_ack_is_one_sample() {
        let mut h = Handshakes::new(1024);
        let k = key(1, 2, 40000, 443);
        h.syn(k, 100 * MS, 7, true);
        assert_eq!(
            h.syn_ack(k, 130 * MS),
            Answer::Sample {
                pair: 7,
                us: 30_000,
                hairpin: true
            }
        );
        assert_eq!(h.syn_ack(k, 131 * MS), Answer::Unknown, "answered once");
        // the reverse direction is another handshake
        assert_ne!(key(2, 1, 443, 40000), k);
    }

    #[test]
    fn karns_rule_a_retransmitted_syn_gives_no_sample() {
        let mut h = Handshakes::new(1024);
        let k = key(1, 2, 40000, 443);
        h.syn(k, 0, 3, false);
        h.syn(k, 1000 * MS, 3, false); // the client gave up on the first after 1 s
        assert_eq!(
            h.syn_ack(k, 1030 * MS),
            Answer::Retransmitted {
                pair: 3,
                hairpin: false
            }
        );
    }

    #[test]
    fn expired_syns_are_free_and_give_nothing() {
        let mut h = Handshakes::new(1024);
        let k = key(1, 2, 1, 2);
        h.syn(k, 0, 0, false);
        h.syn(key(9, 9, 9, 9), LIFETIME_NS + 1, 0, false);
        assert_eq!(h.syn_ack(k, LIFETIME_NS + 2), Answer::Unknown);
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
            );
            assert!(h.capacity() <= 4096);
        }
        assert_eq!(h.capacity(), 4096);
        // all live (1 s < 10 s): everything beyond the table's room was pushed out
        assert!(h.dropped >= 100_000 - 4096, "{}", h.dropped);
        // a genuine handshake in the middle of the flood still completes when its
        // answer comes before it is pushed out
        let k = key(1 << 40, 8, 5, 443);
        h.syn(k, 1_000_000_000, 1, false);
        assert!(matches!(
            h.syn_ack(k, 1_020_000_000),
            Answer::Sample { us: 20_000, .. }
        ));
    }
}
