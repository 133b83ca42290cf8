//! The hairpin state of one worker (`trombone_hairpin::HairpinState`: zone classification,
//! replica matcher, handshake timer) fed a stream of packets, as `trombone_worker`'s
//! `HairpinAnalysis` feeds it: the link from `Links::identify`, the fingerprint from
//! `replica_fingerprint`, the pair's zone membership from `Zone::contains`.
//!
//! Never panics, and what it reports agrees with a model of the stream kept by the
//! target (every count below follows from `HairpinState::observe`'s rules):
//! - verdicts: `NotLocal` exactly when an end is outside the zone, `Direct` exactly when
//!   local and seen on an identified link to a zone country, `Replica` never for an
//!   untimed packet;
//! - per pair, summed over every `take` and the `finish`: local packets and bytes,
//!   observations and observed bytes equal the model's; reobserved packets and bytes equal
//!   the `Replica` verdicts'; one detour and one hop count per replica, hops 1..=255,
//!   detours within the replica window; the via counts are non-negative and add up to the
//!   unique hairpin packets and bytes;
//! - replicas never outnumber the sightings stored for them, nor do the sightings pushed
//!   out (`dropped_fresh + slot_overflows`); `unidentified_link` counts exactly the
//!   hairpin sightings on no link; handshake samples and retransmissions never outnumber
//!   the SYNs or the SYN/ACKs timed, nor `handshakes_dropped` the SYNs; handshake times
//!   are within the 10 s a SYN waits;
//! - counters never go down; `take` hands over what `peek` showed and the counters'
//!   increase since the last `take`; the matcher, its crowd and the handshake table stay
//!   within the budget the caps give (rounded up to a power of two, at least 512 and
//!   256 entries).
//!
//! Input: byte 0 configures (bit 0: zone KH or KH,LA,MM,VN; bits 1-2: replica window
//! 2 s, 50 ms, 1 ms or the 68.7 s maximum; bits 3-4: matcher cap 64, 4,096 or 65,536;
//! bit 5: handshake cap 16 or 1,024; bit 6: time every pair's handshakes). Then packets of
//! 16 bytes: time step (forward in µs, ms or s, back by up to 2 s, none, or untimed), a
//! replay of one of the last 16 packets (same fingerprint: a replica or a duplicate),
//! addresses from a pool of 8 (in and out of the zone, one IPv6), TTL, IP id, TCP flags or
//! UDP/ICMP, MACs and VLAN from the links' and a few others, ports, length, sequence
//! number, an interval boundary (`take`) and, when byte 15 is 0xB0 to 0xBF, a burst of up
//! to 3,969 more copies (identical or each with its own id and port; 10,000 packets at
//! most per input).
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::{Arc, OnceLock};
use trombone_hairpin::{
    replica_fingerprint, HairpinConfig, HairpinState, Links, MatcherStats, PairHairpin, PairRef,
    Verdict, Zone, MAX_WINDOW_NS, UNTIMED,
};
use trombone_packet::PacketMeta;

const LINKS: &str = r#"
router_mac = "02:00:00:00:00:01"
[[link]]
name = "SG transit"
mac = "02:00:00:00:a1:00"
country = "SG"
[[link]]
name = "HK transit"
mac = "02:00:00:00:a2:00"
country = "HK"
[[link]]
name = "LA direct"
mac = "02:00:00:00:b1:00"
country = "LA"
[[link]]
name = "KH exchange"
vlan = 300
country = "KH"
[[link]]
name = "somewhere"
mac = "02:00:00:00:c1:00"
"#;

/// MACs a frame can carry: our router, the links' neighbours, a host, none.
const MACS: [[u8; 6]; 8] = [
    [2, 0, 0, 0, 0, 1],
    [2, 0, 0, 0, 0xa1, 0],
    [2, 0, 0, 0, 0xa2, 0],
    [2, 0, 0, 0, 0xb1, 0],
    [2, 0, 0, 0, 0xc1, 0],
    [2, 0, 0, 0, 0x99, 0x99],
    [0; 6],
    [2, 0, 0, 0, 0xa1, 0],
];
const VLANS: [u16; 4] = [0, 300, 100, 301];

/// The address pool: (address, IP version, network, its country).
const HOSTS: [(u128, u8, u32, &str); 8] = [
    (0x0A00_0001, 4, 0, "KH"),
    (0x0A00_0002, 4, 0, "KH"),
    (0x0A01_0001, 4, 1, "KH"),
    (0x0A02_0001, 4, 2, "LA"),
    (0x0A03_0001, 4, 3, "VN"),
    (0x0808_0808, 4, 4, "US"),
    (0x0101_0101, 4, 5, "SG"),
    (0x2001_0db8_0000_0000_0000_0000_0000_0001, 6, 0, "KH"),
];
const NETWORKS: u32 = 6;

const TCP_FLAGS: [u8; 8] = [0, SYN, SYN | ACK, ACK, SYN | ACK, 0x04, 0x11, SYN | 0x80];
const SYN: u8 = 0x02;
const ACK: u8 = 0x10;
/// 2023-11-14T22:13:20Z.
const T0: i64 = 1_700_000_000_000_000_000;
/// How long a SYN waits for its SYN/ACK (the handshake module's `LIFETIME_NS`).
const HANDSHAKE_LIFETIME_NS: i64 = 10_000_000_000;
/// Most packets one input may make (bursts multiply records).
/// Most packets one input may make (bursts multiply records). Byte-identical copies at one
/// TTL cost the matcher's crowd a scan of the copies waiting, so a burst of them is
/// quadratic: 20,000 took 0.56 s at the 65,536 cap; 10,000 stay well inside the time limit.
const MAX_PACKETS: usize = 10_000;
/// Bytes per packet record.
const RECORD: usize = 16;

/// What the model expects of one pair.
#[derive(Clone, Copy, Default, Debug, PartialEq)]
struct Want {
    local_packets: u64,
    local_bytes: u64,
    observations: u64,
    observed_bytes: u64,
    reobserved_packets: u64,
    reobserved_bytes: u64,
}

/// The model's stream-wide counts.
#[derive(Default, Debug)]
struct Counts {
    /// Timed hairpin first sightings: stored in the matcher.
    stored: u64,
    replicas: u64,
    /// Hairpin sightings (first or replica) on no identified link.
    unidentified: u64,
    syns: u64,
    syn_acks: u64,
}

struct Run {
    state: HairpinState,
    zone: Zone,
    links: Links,
    window_ns: i64,
    rtt_all: bool,
    want: Vec<Want>,
    counts: Counts,
    /// Per pair, the figures handed over so far.
    got: Vec<PairHairpin>,
    last_stats: MatcherStats,
    taken_stats: MatcherStats,
    ways_budget: usize,
    crowd_budget: usize,
    handshake_budget: usize,
}

fuzz_target!(|data: &[u8]| {
    let Some((&cfg_byte, rest)) = data.split_first() else {
        return;
    };
    let zone = Zone::parse("KH", (cfg_byte & 1 != 0).then_some("LA,MM,VN")).unwrap();
    static PARSED: OnceLock<Links> = OnceLock::new();
    let links = PARSED
        .get_or_init(|| Links::parse(LINKS, "links.toml").unwrap())
        .clone();
    let mut cfg = HairpinConfig::new(zone.clone(), links.clone());
    cfg.window_ns =
        [2_000_000_000, 50_000_000, 1_000_000, MAX_WINDOW_NS][usize::from(cfg_byte >> 1) & 3];
    cfg.max_pending = [64, 4096, 65_536, 64][usize::from(cfg_byte >> 3) & 3];
    cfg.max_handshakes = if cfg_byte & 0x20 != 0 { 1024 } else { 16 };
    cfg.rtt_all = cfg_byte & 0x40 != 0;
    let ways_budget = cfg.max_pending.max(512).next_power_of_two();
    let mut run = Run {
        window_ns: cfg.window_ns.min(MAX_WINDOW_NS),
        rtt_all: cfg.rtt_all,
        ways_budget,
        // the crowd holds a quarter of the matcher's cap, at least 1,024
        crowd_budget: (ways_budget / 4).max(1024),
        handshake_budget: cfg.max_handshakes.max(256).next_power_of_two(),
        state: HairpinState::new(Arc::new(cfg)),
        zone,
        links,
        want: vec![Want::default(); (NETWORKS * NETWORKS) as usize],
        counts: Counts::default(),
        got: Vec::new(),
        last_stats: MatcherStats::default(),
        taken_stats: MatcherStats::default(),
    };

    let mut now = T0;
    let mut ring: Vec<(PacketMeta, usize, usize)> = Vec::with_capacity(16);
    let mut made = 0usize;
    for (n, r) in rest.chunks_exact(RECORD).enumerate() {
        let step = u16::from_le_bytes([r[1], r[2]]);
        let ts = match r[0] & 7 {
            0 | 1 => now + i64::from(step) * 1_000,
            2 => now + i64::from(step) * 1_000_000,
            3 => now - i64::from(step) * 1_000,
            // back by up to 2 s, the pipeline's default reorder tolerance
            4 => now - i64::from(step % 2001) * 1_000_000,
            5 => now + i64::from(step) * 1_000_000_000,
            6 => now,
            _ => UNTIMED,
        };
        if ts != UNTIMED {
            now = now.max(ts);
        }
        let (mut m, si, di) = match ring.len() {
            len if r[0] & 8 != 0 && len > 0 => ring[usize::from(r[0] >> 4) % len],
            _ => {
                let (si, di) = (usize::from(r[3] & 7), usize::from(r[3] >> 4 & 7));
                let (src, v, ..) = HOSTS[si];
                let (dst, ..) = HOSTS[di];
                let proto = [6, 6, 17, 1][usize::from(r[7] >> 3) & 3];
                let m = PacketMeta {
                    src,
                    dst,
                    ip_version: v,
                    proto,
                    ip_id: u32::from(u16::from_le_bytes([r[5], r[6]])),
                    tcp_flags: if proto == 6 {
                        TCP_FLAGS[usize::from(r[7] & 7)]
                    } else {
                        0
                    },
                    sport: [40000, 40001, 53, 443][usize::from(r[9] & 3)],
                    dport: [443, 80, 53, 40000][usize::from(r[9] >> 2 & 3)],
                    l3_len: 20 + u32::from(u16::from_le_bytes([r[10], r[11]])),
                    tcp_seq: if proto == 6 {
                        u32::from(r[12]) | u32::from(r[9] >> 4) << 8
                    } else {
                        0
                    },
                    tcp_ack: if proto == 6 { u32::from(r[13]) } else { 0 },
                    payload_digest: if proto == 6 {
                        0
                    } else {
                        u64::from(r[12]) << 8 | u64::from(r[13])
                    },
                    ..PacketMeta::default()
                };
                (m, si, di)
            }
        };
        m.ts_ns = ts;
        m.ttl = r[4];
        m.src_mac = MACS[usize::from(r[8] & 7)];
        m.dst_mac = MACS[usize::from(r[8] >> 3 & 7)];
        m.vlan = VLANS[usize::from(r[8] >> 6)];
        m.wire_len = m.l3_len + 14;
        if ring.len() < 16 {
            ring.push((m, si, di));
        } else {
            ring[n % 16] = (m, si, di);
        }
        // a burst (byte 15 = 0xB_): identical copies (bit 1 clear) or each with its own
        // id and source port
        let copies = if r[15] >> 4 == 0xB {
            1 + usize::from(r[14] >> 2).pow(2)
        } else {
            1
        };
        let vary = r[14] & 2 != 0;
        for i in 0..copies.min(MAX_PACKETS - made) {
            let mut c = m;
            if i > 0 && vary {
                c.ip_id = c.ip_id.wrapping_add(i as u32);
                c.sport = c.sport.wrapping_add(i as u16);
            }
            if i > 0 && c.ts_ns != UNTIMED {
                c.ts_ns += i as i64;
                now = now.max(c.ts_ns);
            }
            run.packet(&c, si, di);
            made += 1;
        }
        if r[14] & 1 != 0 {
            run.take();
        }
    }
    run.finish();
});

impl Run {
    /// Observes one packet as a worker does, checks its verdict and updates the model.
    fn packet(&mut self, m: &PacketMeta, si: usize, di: usize) {
        let (src_net, dst_net) = (HOSTS[si].2, HOSTS[di].2);
        let idx = src_net * NETWORKS + dst_net;
        let p = PairRef {
            idx,
            src_local: self.zone.contains(HOSTS[si].3.parse().ok()),
            dst_local: self.zone.contains(HOSTS[di].3.parse().ok()),
        };
        let s = self.links.identify(m);
        let v = self.state.observe(m, p, s, replica_fingerprint(m));

        let timed = m.ts_ns != UNTIMED;
        let local = p.src_local && p.dst_local;
        let direct = s
            .link
            .is_some_and(|l| self.zone.contains(self.links.links[usize::from(l)].country));
        let w = &mut self.want[idx as usize];
        let len = u64::from(m.l3_len);
        let timed_handshake = match v {
            Verdict::NotLocal => {
                assert!(!local, "a local packet was not local");
                self.rtt_all && m.proto == 6 && timed
            }
            Verdict::Direct => {
                assert!(
                    local && direct,
                    "{v:?} for local {local}, link {:?}",
                    s.link
                );
                m.proto == 6 && timed
            }
            Verdict::Hairpin | Verdict::Replica => {
                assert!(
                    local && !direct,
                    "{v:?} for local {local}, link {:?}",
                    s.link
                );
                w.observations += 1;
                w.observed_bytes += len;
                if s.link.is_none() {
                    self.counts.unidentified += 1;
                }
                if v == Verdict::Replica {
                    assert!(timed, "an untimed packet matched as a replica");
                    w.reobserved_packets += 1;
                    w.reobserved_bytes += len;
                    self.counts.replicas += 1;
                    false
                } else {
                    if timed {
                        self.counts.stored += 1;
                    }
                    m.proto == 6 && timed
                }
            }
        };
        if local {
            w.local_packets += 1;
            w.local_bytes += len;
        }
        if timed_handshake {
            match m.tcp_flags & (SYN | ACK) {
                SYN => self.counts.syns += 1,
                f if f == SYN | ACK => self.counts.syn_acks += 1,
                _ => {}
            }
        }

        let st = self.state.stats();
        let last = self.last_stats;
        assert!(
            st.slot_overflows >= last.slot_overflows
                && st.dropped_fresh >= last.dropped_fresh
                && st.handshakes_dropped >= last.handshakes_dropped,
            "a counter went down: {last:?} then {st:?}"
        );
        assert_eq!(st.unidentified_link, self.counts.unidentified, "{st:?}");
        assert!(
            st.dropped_fresh + st.slot_overflows <= self.counts.stored,
            "more sightings pushed out than stored: {st:?} {:?}",
            self.counts
        );
        assert!(
            st.handshakes_dropped <= self.counts.syns,
            "{st:?} {:?}",
            self.counts
        );
        self.last_stats = st;
    }

    /// An interval boundary: what `take` hands over is what `peek` showed.
    fn take(&mut self) {
        self.check_budget();
        let (peek_pairs, peek_stats) = self.state.peek();
        let now = self.state.stats();
        let (pairs, delta) = self.state.take();
        assert_eq!(peek_stats, delta);
        assert_eq!(
            delta,
            diff(&now, &self.taken_stats),
            "take's counters are not the increase"
        );
        self.taken_stats = now;
        assert_eq!(peek_pairs.len(), pairs.len());
        for (a, b) in peek_pairs.iter().zip(&pairs) {
            assert_eq!(summary(a), summary(b), "take differs from peek");
        }
        add(&mut self.got, pairs, self.want.len());
        let (again, d) = self.state.peek();
        assert!(again.is_empty(), "pairs left after take");
        assert_eq!(d, MatcherStats::default());
    }

    fn check_budget(&self) {
        let ways = self.state.capacity();
        assert!(
            ways <= self.ways_budget,
            "matcher {ways} ways over {}",
            self.ways_budget
        );
        let pending = self.state.pending();
        assert!(
            pending <= self.ways_budget + self.crowd_budget,
            "{pending} sightings pending over {} + {}",
            self.ways_budget,
            self.crowd_budget
        );
        let hs = self.state.handshake_capacity();
        assert!(
            hs <= self.handshake_budget,
            "{hs} handshakes over {}",
            self.handshake_budget
        );
    }

    /// The end of the stream: everything handed over agrees with the model.
    fn finish(mut self) {
        self.check_budget();
        let st = self.state.stats();
        let (pairs, fin) = self.state.finish();
        assert_eq!(fin, st, "finish's counters are not the totals");
        add(&mut self.got, pairs, self.want.len());
        let c = &self.counts;
        assert!(c.replicas <= c.stored, "{c:?}");
        let mut handshakes = 0u64;
        for (i, w) in self.want.iter().enumerate() {
            let empty = PairHairpin::default();
            let g = self.got.get(i).unwrap_or(&empty);
            let got = Want {
                local_packets: g.local_packets,
                local_bytes: g.local_bytes,
                observations: g.observations,
                observed_bytes: g.observed_bytes,
                reobserved_packets: g.reobserved_packets,
                reobserved_bytes: g.reobserved_bytes,
            };
            assert_eq!(&got, w, "pair {i}");
            let hist_len =
                |h: &Option<hdrhistogram::Histogram<u64>>| h.as_ref().map_or(0, |h| h.len());
            assert_eq!(
                hist_len(&g.detour_us),
                g.reobserved_packets,
                "pair {i}: detours"
            );
            assert_eq!(hist_len(&g.hops), g.reobserved_packets, "pair {i}: hops");
            if let Some(h) = &g.hops {
                assert!(
                    h.min() >= 1 && h.lowest_equivalent(h.max()) <= 255,
                    "pair {i}: hops {}..{}",
                    h.min(),
                    h.max()
                );
            }
            if let Some(h) = &g.detour_us {
                let max = h.lowest_equivalent(h.max());
                assert!(
                    max <= self.window_ns as u64 / 1000,
                    "pair {i}: detour {max} µs beyond the window"
                );
            }
            for h in [&g.handshake_us, &g.direct_handshake_us]
                .into_iter()
                .flatten()
            {
                let max = h.lowest_equivalent(h.max());
                assert!(
                    max <= HANDSHAKE_LIFETIME_NS as u64 / 1000,
                    "pair {i}: handshake {max} µs"
                );
            }
            handshakes += hist_len(&g.handshake_us)
                + hist_len(&g.direct_handshake_us)
                + g.retransmitted_handshakes
                + g.retransmitted_direct_handshakes;
            let mut via = (0u64, 0u64);
            for (k, v) in g.via.iter().enumerate() {
                assert!(
                    (v.packets as i64) >= 0 && (v.bytes as i64) >= 0,
                    "pair {i}: negative via {v:?}"
                );
                assert!(v
                    .link
                    .is_none_or(|l| usize::from(l) < self.links.links.len()));
                assert!(
                    g.via[..k].iter().all(|o| o.link != v.link),
                    "pair {i}: via {:?} twice",
                    v.link
                );
                via = (via.0 + v.packets, via.1 + v.bytes);
            }
            assert_eq!(
                via,
                (g.packets(), g.bytes()),
                "pair {i}: via does not add up"
            );
        }
        assert!(
            handshakes <= c.syns.min(c.syn_acks),
            "{handshakes} handshakes timed from {c:?}"
        );
    }
}

/// Adds an interval's pairs to the totals (as the reducer merges them); pair indices
/// never exceed the pair table's.
fn add(got: &mut Vec<PairHairpin>, pairs: Vec<PairHairpin>, indices: usize) {
    assert!(
        pairs.len() <= indices,
        "{} pairs for {indices} indices",
        pairs.len()
    );
    if got.len() < pairs.len() {
        got.resize_with(pairs.len(), PairHairpin::default);
    }
    for (g, p) in got.iter_mut().zip(&pairs) {
        g.merge(p);
    }
}

/// The counters' increase from `b` to `a`.
fn diff(a: &MatcherStats, b: &MatcherStats) -> MatcherStats {
    MatcherStats {
        slot_overflows: a.slot_overflows - b.slot_overflows,
        dropped_fresh: a.dropped_fresh - b.dropped_fresh,
        unidentified_link: a.unidentified_link - b.unidentified_link,
        handshakes_dropped: a.handshakes_dropped - b.handshakes_dropped,
    }
}

/// A pair's figures as comparable text (`PairHairpin` has no `PartialEq`).
fn summary(p: &PairHairpin) -> String {
    let h =
        |h: &Option<hdrhistogram::Histogram<u64>>| h.as_ref().map(|h| (h.len(), h.min(), h.max()));
    format!(
        "{} {} {} {} {} {} {} {} {:?} {:?} {:?} {:?} {:?}",
        p.local_packets,
        p.local_bytes,
        p.observations,
        p.observed_bytes,
        p.reobserved_packets,
        p.reobserved_bytes,
        p.retransmitted_handshakes,
        p.retransmitted_direct_handshakes,
        h(&p.detour_us),
        h(&p.hops),
        h(&p.handshake_us),
        h(&p.direct_handshake_us),
        p.via,
    )
}
