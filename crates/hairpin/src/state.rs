//! A worker's hairpin state: classification, replica matcher, handshake timer.

use crate::handshake::{self, Handshakes, Settled};
use crate::pair::{record, PairHairpin};
use crate::replica::{ReplicaCache, Seen, Sighted, Stored};
use crate::{HairpinConfig, Sighting};
use std::sync::Arc;
use trombone_packet::{mix64, PacketMeta};

/// The worker's handle on a packet's AS pair and the zone membership of its ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PairRef {
    /// Index of the AS pair in the worker's pair table.
    pub idx: u32,
    /// Source network is in the zone.
    pub src_local: bool,
    /// Destination network is in the zone.
    pub dst_local: bool,
}

/// Folded multiply: the two halves of a 128-bit product, xored.
#[inline]
fn fold(a: u64, b: u64) -> u64 {
    let r = u128::from(a) * u128::from(b);
    (r as u64) ^ ((r >> 64) as u64)
}

/// The fingerprint under which a packet's sightings wait (bits 0 and 1 always set): a
/// 64-bit hash of the fields routers do not change — addresses, protocol,
/// IPv4 ID (or IPv6 fragment ID), L3 length, ports, TCP flags, and the TCP
/// sequence and acknowledgement numbers or, for other protocols, the
/// payload digest. Two packets that differ in any of them share a
/// fingerprint with probability about 2^-62 (2^-44 among the sightings of
/// one bucket of a 2^18-bucket cache).
#[inline]
pub fn replica_fingerprint(m: &PacketMeta) -> u64 {
    let disc = if m.proto == 6 {
        (u64::from(m.tcp_seq) << 32) | u64::from(m.tcp_ack)
    } else {
        m.payload_digest
    };
    let id_len = u64::from(m.ip_id) | u64::from(m.l3_len) << 32;
    let ports = u64::from(m.sport)
        | u64::from(m.dport) << 16
        | u64::from(m.proto) << 32
        | u64::from(m.tcp_flags) << 40;
    // wyhash-style: each pair of words through one 64×64→128 multiply
    let a = fold(
        m.src as u64 ^ 0xA076_1D64_78BD_642F,
        (m.src >> 64) as u64 ^ 0xE703_7ED1_A0B4_28DB,
    );
    let b = fold(
        m.dst as u64 ^ 0x8EBC_6AF0_9C88_C6E3,
        (m.dst >> 64) as u64 ^ 0x5899_65CC_7537_4CC3,
    );
    let c = fold(disc ^ 0x1D8E_4E27_C47D_124F, id_len ^ 0x243F_6A88_85A3_08D3);
    let d = fold(
        ports ^ a ^ 0x1319_8A2E_0370_7344,
        b ^ c ^ 0xA409_3822_299F_31D0,
    );
    // bits 0 and 1 set: never 0, and the matcher keeps a flag in bit 0
    mix64(d ^ c.rotate_left(32)) | 3
}

/// Counters of the matcher's own housekeeping, reported so nothing is hidden.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MatcherStats {
    /// Pending sightings pushed out by a fourth sighting of the same packet within the window.
    pub slot_overflows: u64,
    /// Pending sightings pushed out while still within the window, because the matcher was at its cap.
    pub dropped_fresh: u64,
    /// Hairpin sightings on no identified link.
    pub unidentified_link: u64,
    /// Pending handshakes pushed out while still waiting, the handshake table being full.
    pub handshakes_dropped: u64,
}

/// What one packet turned out to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Not both ends in the zone.
    NotLocal,
    /// Local, exchanged with a neighbour inside the zone.
    Direct,
    /// Local and exchanged abroad: a unique hairpinned packet (first sighting).
    Hairpin,
    /// The second sighting of a hairpinned packet already counted.
    Replica,
}

/// Adds a settled handshake to its pair.
fn add_settled(pairs: &mut Vec<PairHairpin>, s: Settled) {
    let (Settled::Sample { pair, hairpin, .. } | Settled::Retransmitted { pair, hairpin }) = s;
    let i = pair as usize;
    if pairs.len() <= i {
        pairs.resize_with(i + 1, PairHairpin::default);
    }
    let p = &mut pairs[i];
    match s {
        Settled::Sample { us, .. } => record(
            if hairpin {
                &mut p.handshake_us
            } else {
                &mut p.direct_handshake_us
            },
            us,
        ),
        Settled::Retransmitted { .. } if hairpin => p.retransmitted_handshakes += 1,
        Settled::Retransmitted { .. } => p.retransmitted_direct_handshakes += 1,
    }
}

/// Per-worker hairpin state. Owned by one worker thread; never shared.
pub struct HairpinState {
    cfg: Arc<HairpinConfig>,
    pairs: Vec<PairHairpin>,
    pending: ReplicaCache,
    handshakes: Handshakes,
    stats: MatcherStats,
    reported: MatcherStats,
}

/// TCP SYN flag.
const SYN: u8 = 0x02;
/// TCP ACK flag.
const ACK: u8 = 0x10;

impl HairpinState {
    /// Empty state for one worker.
    pub fn new(cfg: Arc<HairpinConfig>) -> HairpinState {
        HairpinState {
            cfg: cfg.clone(),
            pairs: Vec::new(),
            pending: ReplicaCache::new(cfg.max_pending, cfg.window_ns),
            handshakes: Handshakes::new(cfg.max_handshakes),
            stats: MatcherStats::default(),
            reported: MatcherStats::default(),
        }
    }

    /// The configuration this state classifies with.
    pub fn config(&self) -> &HairpinConfig {
        &self.cfg
    }

    /// Asks the CPU to fetch the matcher's bucket for a packet about to be
    /// observed, by its [`replica_fingerprint`], and for a SYN or SYN/ACK also the
    /// handshake table's buckets of its handshake (a hint: harmless for packets that
    /// turn out not to be local).
    #[inline]
    pub fn prefetch(&self, m: &PacketMeta, fp: u64) {
        self.pending.prefetch(fp);
        if m.proto == 6 {
            let flags = m.tcp_flags & (SYN | ACK);
            if flags == SYN {
                self.handshakes
                    .prefetch(handshake::key(m.src, m.dst, m.sport, m.dport));
            } else if flags == SYN | ACK {
                self.handshakes
                    .prefetch(handshake::key(m.dst, m.src, m.dport, m.sport));
            }
        }
    }

    /// Accounts one packet seen as `s` (see [`crate::Links::identify`]) and
    /// says what it was; `fp` is its [`replica_fingerprint`]. Only packets
    /// with both ends in the zone do any work.
    #[inline]
    pub fn observe(&mut self, m: &PacketMeta, p: PairRef, s: Sighting, fp: u64) -> Verdict {
        if !(p.src_local && p.dst_local) {
            if self.cfg.rtt_all && m.proto == 6 && m.ts_ns != crate::UNTIMED {
                self.pair_slot(p.idx);
                self.handshake(m, p.idx, false, fp);
            }
            return Verdict::NotLocal;
        }
        self.local(m, p.idx, s, fp)
    }

    /// Makes sure pair `idx` has its accumulators.
    #[inline]
    fn pair_slot(&mut self, idx: u32) {
        let i = idx as usize;
        if self.pairs.len() <= i {
            self.pairs.resize_with(i + 1, PairHairpin::default);
        }
    }

    /// A local packet: count it, time handshakes, classify, match replicas.
    ///
    /// A packet without a usable timestamp ([`crate::UNTIMED`]) is counted and
    /// classified, but neither timed nor matched: it counts as a unique packet.
    fn local(&mut self, m: &PacketMeta, idx: u32, s: Sighting, fp: u64) -> Verdict {
        let i = idx as usize;
        self.pair_slot(idx);
        let timed = m.ts_ns != crate::UNTIMED;
        if timed {
            self.pending.advance(m.ts_ns);
        }
        let len = u64::from(m.l3_len);
        {
            let pair = &mut self.pairs[i];
            pair.local_packets += 1;
            pair.local_bytes += len;
        }
        let tcp = m.proto == 6 && timed;
        let abroad = match s.link {
            Some(l) => !self
                .cfg
                .zone
                .contains(self.cfg.links.links[usize::from(l)].country),
            None => true,
        };
        if !abroad {
            if tcp {
                self.handshake(m, idx, false, fp);
            }
            return Verdict::Direct;
        }
        if s.link.is_none() {
            self.stats.unidentified_link += 1;
        }
        let pair = &mut self.pairs[i];
        pair.observations += 1;
        pair.observed_bytes += len;
        if !timed {
            pair.add_via(s.link, 1, len as i64);
            return Verdict::Hairpin;
        }
        if self.match_replica(m, idx, s.link, fp) {
            // the second sighting of a packet already timed: not a retransmission
            Verdict::Replica
        } else {
            if tcp {
                self.handshake(m, idx, true, fp);
            }
            Verdict::Hairpin
        }
    }

    /// Times SYN → SYN/ACK at the vantage, per Karn's rule (see [`crate::handshake`]);
    /// `hairpin` says whether this packet's sighting hairpinned, `fp` is its
    /// [`replica_fingerprint`] (which, with the TTL, tells a replica from a retransmission).
    #[inline]
    fn handshake(&mut self, m: &PacketMeta, idx: u32, hairpin: bool, fp: u64) {
        let flags = m.tcp_flags & (SYN | ACK);
        if flags == SYN {
            let k = handshake::key(m.src, m.dst, m.sport, m.dport);
            let id = handshake::sighting_id(fp, m.ttl);
            self.handshakes.syn(k, m.ts_ns, idx, hairpin, id);
        } else if flags == SYN | ACK {
            let k = handshake::key(m.dst, m.src, m.dport, m.sport);
            self.handshakes
                .syn_ack(k, m.ts_ns, handshake::sighting_id(fp, m.ttl));
        } else {
            return;
        }
        if !self.handshakes.settled.is_empty() {
            self.drain_settled();
        }
    }

    /// Adds the handshakes the table settled to their pairs.
    #[cold]
    fn drain_settled(&mut self) {
        for s in self.handshakes.settled.drain(..) {
            add_settled(&mut self.pairs, s);
        }
    }

    /// Settles every answered handshake: call once the input has ended, before the last
    /// [`HairpinState::take`] (an answered handshake waits [`handshake::ANSWERED_NS`] for
    /// a retransmission that would void its sample; at the end none can come).
    pub fn end(&mut self) {
        self.handshakes.settle_all();
        self.drain_settled();
    }

    /// Matches a hairpin sighting with an earlier sighting of the same
    /// packet; true when it was the replica of one.
    fn match_replica(&mut self, m: &PacketMeta, idx: u32, link: Option<u16>, fp: u64) -> bool {
        let len = i64::from(m.l3_len);
        let here = Seen {
            ts_ns: m.ts_ns,
            ttl: m.ttl,
            link,
        };
        let pair = &mut self.pairs[idx as usize];
        let stored = match self.pending.sight(fp, here) {
            Sighted::Stored(st) => st,
            Sighted::Replica(first) => {
                pair.reobserved_packets += 1;
                pair.reobserved_bytes += u64::from(m.l3_len);
                record(
                    &mut pair.detour_us,
                    ((m.ts_ns - first.ts_ns).unsigned_abs()) / 1000,
                );
                record(&mut pair.hops, u64::from(first.ttl.abs_diff(m.ttl)));
                // The sighting with the higher TTL is the one nearer the
                // source: it says which way the packet left.
                if m.ttl > first.ttl && first.link != link {
                    pair.add_via(first.link, -1, -len);
                    pair.add_via(link, 1, len);
                }
                return true;
            }
        };
        pair.add_via(link, 1, len);
        match stored {
            Stored::Free | Stored::Crowd => {}
            Stored::KeyFull => self.stats.slot_overflows += 1,
            Stored::CacheFull => self.stats.dropped_fresh += 1,
        }
        false
    }

    /// Ways of the replica matcher now (16 bytes each; it grows up to `max_pending`).
    pub fn capacity(&self) -> usize {
        self.pending.ways()
    }

    /// Sightings still waiting for a replica.
    pub fn pending(&self) -> usize {
        self.pending.fresh()
    }

    /// Housekeeping counters.
    pub fn stats(&self) -> MatcherStats {
        MatcherStats {
            dropped_fresh: self.stats.dropped_fresh + self.pending.lost,
            handshakes_dropped: self.handshakes.dropped,
            ..self.stats
        }
    }

    /// Entries of the handshake table now (32 bytes each; it grows up to `max_handshakes`).
    pub fn handshake_capacity(&self) -> usize {
        self.handshakes.capacity()
    }

    /// Hands over the per-pair figures (indexed like the worker's pair table) and the counters.
    /// (Settles every answered handshake first: see [`HairpinState::end`].)
    pub fn finish(mut self) -> (Vec<PairHairpin>, MatcherStats) {
        self.end();
        let stats = self.stats();
        (self.pairs, stats)
    }

    /// Hands over the figures accumulated since the last call (an interval's worth) and
    /// starts counting afresh; the sightings and handshakes still waiting carry over, so
    /// a replica or handshake split by an interval boundary is still matched once.
    /// Answered handshakes whose wait for a retransmission is over are settled into it;
    /// the others are settled in a later interval (or by [`HairpinState::end`]).
    pub fn take(&mut self) -> (Vec<PairHairpin>, MatcherStats) {
        self.handshakes.settle_expired();
        self.drain_settled();
        let (_, delta) = self.peek_stats();
        self.reported = self.stats();
        (std::mem::take(&mut self.pairs), delta)
    }

    /// The counters now and since the last [`HairpinState::take`].
    fn peek_stats(&self) -> (MatcherStats, MatcherStats) {
        let now = self.stats();
        let delta = MatcherStats {
            slot_overflows: now.slot_overflows - self.reported.slot_overflows,
            dropped_fresh: now.dropped_fresh - self.reported.dropped_fresh,
            unidentified_link: now.unidentified_link - self.reported.unidentified_link,
            handshakes_dropped: now.handshakes_dropped - self.reported.handshakes_dropped,
        };
        (now, delta)
    }

    /// A copy of what [`HairpinState::take`] would hand over now, changing nothing (for
    /// periodic snapshots of a live capture).
    pub fn peek(&self) -> (Vec<PairHairpin>, MatcherStats) {
        let mut pairs = self.pairs.clone();
        for s in self.handshakes.expired() {
            add_settled(&mut pairs, s);
        }
        (pairs, self.peek_stats().1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Links, Zone};

    const LINKS: &str = r#"
[[link]]
name = "SG transit"
mac = "02:00:00:00:a1:00"
asn = 7473
country = "SG"
[[link]]
name = "HK transit"
mac = "02:00:00:00:a2:00"
asn = 3491
country = "HK"
[[link]]
name = "LA direct"
mac = "02:00:00:00:b1:00"
asn = 9873
country = "LA"
"#;
    const SG: [u8; 6] = [2, 0, 0, 0, 0xa1, 0];
    const HK: [u8; 6] = [2, 0, 0, 0, 0xa2, 0];
    const LA: [u8; 6] = [2, 0, 0, 0, 0xb1, 0];
    const US: [u8; 6] = [2, 0, 0, 0, 0, 1];

    /// Test shim: identify the link as a worker does, then observe.
    trait Obs {
        fn obs(&mut self, m: &PacketMeta, p: PairRef) -> Verdict;
    }
    impl Obs for HairpinState {
        fn obs(&mut self, m: &PacketMeta, p: PairRef) -> Verdict {
            let s = self.cfg.links.identify(m);
            self.observe(m, p, s, replica_fingerprint(m))
        }
    }

    fn state(zone: Option<&str>) -> HairpinState {
        let cfg = HairpinConfig::new(
            Zone::parse("KH", zone).unwrap(),
            Links::parse(LINKS, "t").unwrap(),
        );
        HairpinState::new(Arc::new(cfg))
    }

    fn pkt(ts_ms: i64, ttl: u8, src_mac: [u8; 6], dst_mac: [u8; 6], id: u32) -> PacketMeta {
        PacketMeta {
            ts_ns: ts_ms * 1_000_000,
            src: 1,
            dst: 2,
            ip_version: 4,
            proto: 17,
            sport: 5000,
            dport: 53,
            ip_id: id,
            l3_len: 100,
            ttl,
            src_mac,
            dst_mac,
            payload_digest: 42,
            ..PacketMeta::default()
        }
    }

    const LOCAL: PairRef = PairRef {
        idx: 0,
        src_local: true,
        dst_local: true,
    };

    #[test]
    fn out_and_back_is_one_packet_with_detour_and_hops() {
        let mut s = state(None);
        s.obs(&pkt(1000, 60, US, SG, 7), LOCAL); // leaves to SG
        s.obs(&pkt(1036, 52, HK, US, 7), LOCAL); // returns from HK, 8 hops later
        let (pairs, _) = s.finish();
        let p = &pairs[0];
        assert_eq!(p.observations, 2);
        assert_eq!(p.packets(), 1);
        assert_eq!(p.bytes(), 100);
        assert_eq!(p.reobserved_packets, 1);
        assert_eq!(p.unique_local_bytes(), 100);
        let d = p.detour_us.as_ref().unwrap();
        assert_eq!(d.len(), 1);
        assert!(d.equivalent(d.value_at_quantile(0.5), 36_000));
        assert_eq!(p.hops.as_ref().unwrap().value_at_quantile(0.5), 8);
        assert_eq!(
            p.via,
            vec![crate::ViaCount {
                link: Some(0),
                packets: 1,
                bytes: 100
            }]
        );
    }

    #[test]
    fn replica_seen_first_moves_via_to_the_leaving_link() {
        let mut s = state(None);
        s.obs(&pkt(1036, 52, HK, US, 7), LOCAL);
        s.obs(&pkt(1000, 60, US, SG, 7), LOCAL);
        let (pairs, _) = s.finish();
        let via: Vec<_> = pairs[0].via.iter().filter(|v| v.packets > 0).collect();
        assert_eq!(via.len(), 1);
        assert_eq!(via[0].link, Some(0));
    }

    #[test]
    fn single_sighting_outside_window_and_same_ttl_do_not_match() {
        let mut s = state(None);
        s.obs(&pkt(0, 60, US, SG, 1), LOCAL);
        s.obs(&pkt(2500, 52, HK, US, 1), LOCAL); // beyond the 2 s window
        s.obs(&pkt(3000, 60, US, SG, 2), LOCAL);
        s.obs(&pkt(3001, 60, US, SG, 2), LOCAL); // same TTL: a duplicate, not a replica
        let (pairs, _) = s.finish();
        assert_eq!(pairs[0].observations, 4);
        assert_eq!(pairs[0].packets(), 4);
        assert!(pairs[0].detour_us.is_none());
    }

    #[test]
    fn duplicates_match_first_in_first_out() {
        let mut s = state(None);
        s.obs(&pkt(0, 60, US, SG, 9), LOCAL);
        s.obs(&pkt(10, 60, US, SG, 9), LOCAL);
        s.obs(&pkt(40, 50, HK, US, 9), LOCAL); // matches the one at 0: 40 ms
        s.obs(&pkt(45, 50, HK, US, 9), LOCAL); // matches the one at 10: 35 ms
        let (pairs, _) = s.finish();
        let d = pairs[0].detour_us.as_ref().unwrap();
        assert_eq!(d.len(), 2);
        assert!(d.equivalent(d.min(), 35_000));
        assert!(d.equivalent(d.max(), 40_000));
    }

    #[test]
    fn zone_decides_what_is_abroad() {
        // KH -> KH via the LA direct link: not hairpin under --zone KH? LA is
        // outside the KH-only zone, so it is; under the CLMV zone it is not.
        let mut kh = state(None);
        kh.obs(&pkt(0, 60, US, LA, 1), LOCAL);
        assert_eq!(kh.finish().0[0].observations, 1);
        let mut clmv = state(Some("LA,MM,VN"));
        clmv.obs(&pkt(0, 60, US, LA, 1), LOCAL);
        let (pairs, _) = clmv.finish();
        assert_eq!(pairs[0].observations, 0);
        assert_eq!(pairs[0].local_packets, 1);
    }

    #[test]
    fn non_local_packets_are_ignored() {
        let mut s = state(None);
        let p = PairRef {
            idx: 3,
            src_local: true,
            dst_local: false,
        };
        s.obs(&pkt(0, 60, US, SG, 1), p);
        assert!(s.finish().0.is_empty());
    }

    #[test]
    fn handshake_rtt_first_sightings() {
        let mut s = state(None);
        let mut syn = pkt(100, 60, US, SG, 1);
        syn.proto = 6;
        syn.tcp_flags = SYN;
        let mut synack = pkt(130, 60, SG, US, 2);
        synack.proto = 6;
        synack.tcp_flags = SYN | ACK;
        std::mem::swap(&mut synack.src, &mut synack.dst);
        std::mem::swap(&mut synack.sport, &mut synack.dport);
        s.obs(&syn, LOCAL);
        let mut syn_replica = syn;
        syn_replica.ts_ns += 5_000_000;
        syn_replica.ttl = 50;
        s.obs(&syn_replica, LOCAL);
        s.obs(&synack, PairRef { idx: 1, ..LOCAL });
        let (pairs, _) = s.finish();
        let h = pairs[0].handshake_us.as_ref().unwrap();
        assert_eq!(h.len(), 1);
        assert!(h.equivalent(h.min(), 30_000));
    }

    /// A TCP segment of 1:40000 -> 2:443 (`back`: the reverse direction) with `flags`.
    fn tcp(
        ts_ms: i64,
        ttl: u8,
        macs: ([u8; 6], [u8; 6]),
        id: u32,
        flags: u8,
        back: bool,
    ) -> PacketMeta {
        let mut m = pkt(ts_ms, ttl, macs.0, macs.1, id);
        m.proto = 6;
        m.tcp_flags = flags;
        m.sport = 40000;
        m.dport = 443;
        m.tcp_seq = 1000;
        if back {
            std::mem::swap(&mut m.src, &mut m.dst);
            std::mem::swap(&mut m.sport, &mut m.dport);
            m.tcp_seq = 5000;
            m.tcp_ack = 1001;
        }
        m
    }

    #[test]
    fn karn_tells_late_replicas_from_retransmissions_whatever_the_window() {
        let back = PairRef { idx: 1, ..LOCAL };
        // a 30 ms window: the SYN's and SYN/ACK's replicas (36 ms later, 8 hops lower) are
        // not paired by the matcher, yet are no retransmissions
        let mut cfg = HairpinConfig::new(
            Zone::parse("KH", None).unwrap(),
            Links::parse(LINKS, "t").unwrap(),
        );
        cfg.window_ns = 30_000_000;
        let mut s = HairpinState::new(Arc::new(cfg));
        s.obs(&tcp(0, 60, (US, SG), 7, SYN, false), LOCAL);
        s.obs(&tcp(36, 52, (HK, US), 7, SYN, false), LOCAL);
        s.obs(&tcp(80, 61, (US, SG), 9, SYN | ACK, true), back);
        s.obs(&tcp(116, 53, (HK, US), 9, SYN | ACK, true), back);
        // handshake 2 (another client port): the SYN sent again 1 s later, next IP ID
        let mut a = tcp(2000, 60, (US, SG), 20, SYN, false);
        a.sport = 40001;
        s.obs(&a, LOCAL);
        let mut b = tcp(3000, 60, (US, SG), 21, SYN, false);
        b.sport = 40001;
        s.obs(&b, LOCAL);
        let mut c = tcp(3050, 61, (US, SG), 22, SYN | ACK, true);
        c.dport = 40001;
        s.obs(&c, back);
        // handshake 3: the SYN/ACK sent again 1 s after the first (same segment, same TTL)
        let mut d = tcp(5000, 60, (US, SG), 30, SYN, false);
        d.sport = 40002;
        s.obs(&d, LOCAL);
        let mut e = tcp(5045, 61, (US, SG), 31, SYN | ACK, true);
        e.dport = 40002;
        s.obs(&e, back);
        let mut f = e;
        f.ts_ns += 1_000_000_000;
        s.obs(&f, back);
        let (pairs, _) = s.finish();
        let h = pairs[0].handshake_us.as_ref().unwrap();
        assert_eq!(h.len(), 1, "only the first handshake gives a sample");
        assert!(h.equivalent(h.min(), 80_000));
        assert_eq!(pairs[0].retransmitted_handshakes, 2);
        assert!(pairs[1].handshake_us.is_none());
    }

    #[test]
    fn an_interval_boundary_does_not_change_what_a_handshake_gives() {
        // the SYN/ACK's retransmission comes after the boundary: the sample, held back,
        // is voided all the same; a handshake answered 5 s before the boundary is settled
        let back = PairRef { idx: 1, ..LOCAL };
        let mut s = state(Some("LA,MM,VN"));
        s.obs(&tcp(0, 60, (US, LA), 1, SYN, false), LOCAL);
        s.obs(&tcp(25, 61, (LA, US), 2, SYN | ACK, true), back);
        let mut g = tcp(4900, 60, (US, LA), 3, SYN, false);
        g.sport = 40009;
        s.obs(&g, LOCAL);
        let mut h = tcp(4920, 61, (LA, US), 4, SYN | ACK, true);
        h.dport = 40009;
        s.obs(&h, back);
        let (first, _) = s.take();
        let d = first[0].direct_handshake_us.as_ref().unwrap();
        assert_eq!(d.len(), 1);
        assert!(d.equivalent(d.min(), 25_000));
        h.ts_ns += 1_000_000_000;
        s.obs(&h, back);
        let (second, _) = s.finish();
        assert!(second[0].direct_handshake_us.is_none());
        assert_eq!(second[0].retransmitted_direct_handshakes, 1);
    }

    #[test]
    fn pending_is_bounded() {
        let mut cfg = HairpinConfig::new(Zone::parse("KH", None).unwrap(), Links::default());
        cfg.max_pending = 1000;
        let mut s = HairpinState::new(Arc::new(cfg));
        // one sighting per ms with a 2 s window: 2,000 would wait, 1,024 fit
        for i in 0..100_000u32 {
            s.obs(&pkt(i64::from(i), 60, US, SG, i), LOCAL);
            assert!(s.pending() <= 1024);
        }
        let st = s.stats();
        assert!(st.dropped_fresh > 90_000, "{st:?}");
        assert_eq!(st.slot_overflows, 0);
        assert_eq!(st.unidentified_link, 100_000);
    }

    #[test]
    fn below_the_cap_every_replica_matches() {
        // 200 k packets, one per 10 µs, each seen again 30 ms later: 3,000 wait at any time
        let mut s = state(None);
        let us = |t: i64| t * 1000;
        let mut out = Vec::new();
        for i in 0..200_000i64 {
            let mut a = pkt(0, 60, US, SG, i as u32);
            a.ts_ns = us(10 * i);
            s.obs(&a, LOCAL);
            out.push(a);
            if i >= 3000 {
                let mut b = out[(i - 3000) as usize];
                b.ts_ns += 30_000_000;
                b.ttl = 52;
                b.src_mac = HK;
                b.dst_mac = US;
                s.obs(&b, LOCAL);
            }
        }
        let st = s.stats();
        assert_eq!((st.dropped_fresh, st.slot_overflows), (0, 0));
        let (pairs, _) = s.finish();
        assert_eq!(pairs[0].reobserved_packets, 197_000);
        assert_eq!(pairs[0].packets(), 200_000);
        let d = pairs[0].detour_us.as_ref().unwrap();
        assert_eq!(d.len(), 197_000);
        assert!(d.equivalent(d.min(), 30_000) && d.equivalent(d.max(), 30_000));
    }
}
