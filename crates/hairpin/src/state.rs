//! A worker's hairpin state: classification, replica matcher, handshake timer.

use crate::pair::{record, PairHairpin};
use crate::pending::PendingMap;
use crate::{HairpinConfig, Sighting};
use rustc_hash::FxHashMap;
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

/// What identifies one packet across two sightings: fields routers do not change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct ReplicaKey {
    src: u128,
    dst: u128,
    /// TCP sequence and acknowledgement, or the payload digest for other protocols.
    disc: u64,
    ip_id: u32,
    l3_len: u32,
    sport: u16,
    dport: u16,
    proto: u8,
    /// TCP flags: an IPv6 ACK and FIN can share seq/ack, not flags.
    tcp_flags: u8,
}

impl ReplicaKey {
    /// A 128-bit fingerprint of the key: two independently mixed 64-bit
    /// halves. The pending table is keyed by it (16 bytes instead of 56,
    /// so more of it stays in cache); two different keys collide with
    /// probability about 2^-128 per pair.
    #[inline]
    fn fingerprint(&self) -> u128 {
        let words = [
            self.src as u64,
            (self.src >> 64) as u64,
            self.dst as u64,
            (self.dst >> 64) as u64,
            self.disc,
            u64::from(self.ip_id) | u64::from(self.l3_len) << 32,
            u64::from(self.sport)
                | u64::from(self.dport) << 16
                | u64::from(self.proto) << 32
                | u64::from(self.tcp_flags) << 40,
        ];
        let (mut a, mut b) = (0x243F_6A88_85A3_08D3u64, 0x1319_8A2E_0370_7344u64);
        for w in words {
            a = mix64(a ^ w);
            b = mix64(b.rotate_left(23) ^ w.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        }
        u128::from(a) << 64 | u128::from(b)
    }
}

/// One sighting waiting for its replica.
#[derive(Clone, Copy, Debug)]
struct Seen {
    ts_ns: i64,
    ttl: u8,
    link: Option<u16>,
}

/// Sightings of packets with the same key, oldest first (duplicates matched first-in first-out).
#[derive(Clone, Copy, Debug)]
struct Slot {
    len: u8,
    seen: [Seen; SLOT],
}

/// An unused slot.
const EMPTY_SLOT: Slot = Slot {
    len: 0,
    seen: [Seen {
        ts_ns: 0,
        ttl: 0,
        link: None,
    }; SLOT],
};

/// The fingerprint under which a packet's sightings wait (never 0).
#[inline]
fn replica_fp(m: &PacketMeta) -> u128 {
    ReplicaKey {
        src: m.src,
        dst: m.dst,
        disc: if m.proto == 6 {
            (u64::from(m.tcp_seq) << 32) | u64::from(m.tcp_ack)
        } else {
            m.payload_digest
        },
        ip_id: m.ip_id,
        l3_len: m.l3_len,
        sport: m.sport,
        dport: m.dport,
        proto: m.proto,
        tcp_flags: m.tcp_flags,
    }
    .fingerprint()
        | 1
}

/// Sightings kept per key; a further one pushes out the oldest.
const SLOT: usize = 3;

/// A TCP handshake: client → server addresses and ports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct HsKey {
    client: u128,
    server: u128,
    cport: u16,
    sport: u16,
}

/// Counters of the matcher's own housekeeping, reported so nothing is hidden.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MatcherStats {
    /// Sightings dropped unmatched because more than three shared one key.
    pub slot_overflows: u64,
    /// Pending sightings swept as stale (older than the window) to bound memory.
    pub swept: u64,
    /// Pending sightings dropped while still within the window, because the cap was reached.
    pub dropped_fresh: u64,
    /// Hairpin sightings on no identified link.
    pub unidentified_link: u64,
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

/// Per-worker hairpin state. Owned by one worker thread; never shared.
pub struct HairpinState {
    cfg: Arc<HairpinConfig>,
    pairs: Vec<PairHairpin>,
    pending: PendingMap<Slot>,
    handshakes: FxHashMap<HsKey, (i64, u32)>,
    max_ts: i64,
    stats: MatcherStats,
}

/// TCP SYN flag.
const SYN: u8 = 0x02;
/// TCP ACK flag.
const ACK: u8 = 0x10;

impl HairpinState {
    /// Empty state for one worker.
    pub fn new(cfg: Arc<HairpinConfig>) -> HairpinState {
        HairpinState {
            cfg,
            pairs: Vec::new(),
            pending: PendingMap::with_capacity(1 << 12, EMPTY_SLOT),
            handshakes: FxHashMap::default(),
            max_ts: i64::MIN,
            stats: MatcherStats::default(),
        }
    }

    /// The configuration this state classifies with.
    pub fn config(&self) -> &HairpinConfig {
        &self.cfg
    }

    /// Asks the CPU to fetch the pending-table slot of a packet about to be
    /// observed (a hint: harmless for packets that turn out not to be local).
    #[inline]
    pub fn prefetch(&self, m: &PacketMeta) {
        self.pending.prefetch(replica_fp(m));
    }

    /// Accounts one packet seen as `s` (see [`crate::Links::identify`]) and
    /// says what it was. Only packets with both ends in the zone do any work.
    #[inline]
    pub fn observe(&mut self, m: &PacketMeta, p: PairRef, s: Sighting) -> Verdict {
        if !(p.src_local && p.dst_local) {
            return Verdict::NotLocal;
        }
        self.local(m, p.idx, s)
    }

    /// A local packet: count it, time handshakes, classify, match replicas.
    fn local(&mut self, m: &PacketMeta, idx: u32, s: Sighting) -> Verdict {
        let i = idx as usize;
        if self.pairs.len() <= i {
            self.pairs.resize_with(i + 1, PairHairpin::default);
        }
        self.max_ts = self.max_ts.max(m.ts_ns);
        let len = u64::from(m.l3_len);
        {
            let pair = &mut self.pairs[i];
            pair.local_packets += 1;
            pair.local_bytes += len;
        }
        if m.proto == 6 {
            self.handshake(m, idx);
        }
        let abroad = match s.link {
            Some(l) => !self
                .cfg
                .zone
                .contains(self.cfg.links.links[usize::from(l)].country),
            None => true,
        };
        if !abroad {
            return Verdict::Direct;
        }
        if s.link.is_none() {
            self.stats.unidentified_link += 1;
        }
        let pair = &mut self.pairs[i];
        pair.observations += 1;
        pair.observed_bytes += len;
        if self.match_replica(m, idx, s.link) {
            Verdict::Replica
        } else {
            Verdict::Hairpin
        }
    }

    /// Times SYN → SYN/ACK at the vantage; the first sighting of each counts.
    fn handshake(&mut self, m: &PacketMeta, idx: u32) {
        let flags = m.tcp_flags & (SYN | ACK);
        if flags == SYN {
            let key = HsKey {
                client: m.src,
                server: m.dst,
                cport: m.sport,
                sport: m.dport,
            };
            self.handshakes.entry(key).or_insert((m.ts_ns, idx));
            if self.handshakes.len() > self.cfg.max_pending {
                let horizon = self.max_ts - self.cfg.window_ns * 5;
                self.handshakes.retain(|_, (t, _)| *t >= horizon);
            }
        } else if flags == SYN | ACK {
            let key = HsKey {
                client: m.dst,
                server: m.src,
                cport: m.dport,
                sport: m.sport,
            };
            if let Some((t0, pidx)) = self.handshakes.remove(&key) {
                if m.ts_ns >= t0 {
                    let us = ((m.ts_ns - t0) / 1000) as u64;
                    record(&mut self.pairs[pidx as usize].handshake_us, us);
                }
            }
        }
    }

    /// Matches a hairpin sighting with an earlier sighting of the same
    /// packet; true when it was the replica of one.
    fn match_replica(&mut self, m: &PacketMeta, idx: u32, link: Option<u16>) -> bool {
        let key = replica_fp(m);
        let len = m.l3_len as i64;
        let window = self.cfg.window_ns;
        let pair = &mut self.pairs[idx as usize];
        let here = Seen {
            ts_ns: m.ts_ns,
            ttl: m.ttl,
            link,
        };
        if let Some(slot) = self.pending.get_mut(key) {
            let n = usize::from(slot.len);
            let hit = slot.seen[..n]
                .iter()
                .position(|e| e.ttl != m.ttl && (m.ts_ns - e.ts_ns).abs() <= window);
            if let Some(j) = hit {
                let first = slot.seen[j];
                slot.seen.copy_within(j + 1..n, j);
                slot.len -= 1;
                if slot.len == 0 {
                    self.pending.remove(key);
                }
                pair.reobserved_packets += 1;
                pair.reobserved_bytes += m.l3_len as u64;
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
            pair.add_via(link, 1, len);
            if n == SLOT {
                slot.seen.copy_within(1..SLOT, 0);
                slot.seen[SLOT - 1] = here;
                self.stats.slot_overflows += 1;
            } else {
                slot.seen[n] = here;
                slot.len += 1;
            }
            return false;
        }
        pair.add_via(link, 1, len);
        let mut seen = [here; SLOT];
        seen[0] = here;
        self.pending.insert(key, Slot { len: 1, seen });
        if self.pending.len() > self.cfg.max_pending {
            self.sweep();
        }
        false
    }

    /// Drops pending sightings older than the window; if the table is still
    /// over its cap, drops everything pending (counted).
    #[cold]
    fn sweep(&mut self) {
        let horizon = self.max_ts - self.cfg.window_ns;
        let (mut swept, mut after) = (0u64, 0u64);
        self.pending.retain(|s| {
            let n = usize::from(s.len);
            let mut k = 0;
            for j in 0..n {
                if s.seen[j].ts_ns >= horizon {
                    s.seen[k] = s.seen[j];
                    k += 1;
                }
            }
            s.len = k as u8;
            swept += (n - k) as u64;
            after += k as u64;
            k > 0
        });
        self.stats.swept += swept;
        if self.pending.len() > self.cfg.max_pending * 3 / 4 {
            self.stats.dropped_fresh += after;
            self.pending.clear();
        }
    }

    /// Sightings still waiting for a replica.
    pub fn pending(&self) -> usize {
        self.pending.values().map(|s| usize::from(s.len)).sum()
    }

    /// Housekeeping counters.
    pub fn stats(&self) -> MatcherStats {
        self.stats
    }

    /// Hands over the per-pair figures (indexed like the worker's pair table) and the counters.
    pub fn finish(self) -> (Vec<PairHairpin>, MatcherStats) {
        (self.pairs, self.stats)
    }

    /// A copy of the per-pair figures so far, for a periodic snapshot of a live capture.
    pub fn snapshot(&self) -> (Vec<PairHairpin>, MatcherStats) {
        (self.pairs.clone(), self.stats)
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
            self.observe(m, p, s)
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

    #[test]
    fn pending_is_bounded() {
        let mut cfg = HairpinConfig::new(Zone::parse("KH", None).unwrap(), Links::default());
        cfg.max_pending = 1000;
        let mut s = HairpinState::new(Arc::new(cfg));
        for i in 0..100_000u32 {
            s.obs(&pkt(i64::from(i), 60, US, SG, i), LOCAL);
            assert!(s.pending() <= 1001);
        }
        let st = s.stats();
        assert!(st.swept + st.dropped_fresh > 90_000);
        assert_eq!(st.unidentified_link, 100_000);
    }
}
