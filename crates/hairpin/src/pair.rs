//! Per AS pair hairpin accumulators, merged by the reducer.

use hdrhistogram::Histogram;

/// Sightings attributed to one via link of a pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ViaCount {
    /// Index of the link in the links file, `None` for an unidentified link.
    pub link: Option<u16>,
    /// Unique hairpin packets first seen on that link.
    pub packets: u64,
    /// Their L3 bytes.
    pub bytes: u64,
}

/// Hairpin figures of one AS pair (src network → dst network, both in the zone).
///
/// Unique packets = `observations - reobserved_packets`: a matched replica is
/// the same packet seen a second time.
#[derive(Clone, Debug, Default)]
pub struct PairHairpin {
    /// Local packets observed (hairpinned or not), replicas included.
    pub local_packets: u64,
    /// Their L3 bytes.
    pub local_bytes: u64,
    /// Hairpin sightings (each sighting of a hairpinned packet counts).
    pub observations: u64,
    /// Their L3 bytes.
    pub observed_bytes: u64,
    /// Sightings matched as the replica of an earlier one.
    pub reobserved_packets: u64,
    /// Their L3 bytes.
    pub reobserved_bytes: u64,
    /// Detour time between the two sightings of matched packets, µs.
    pub detour_us: Option<Histogram<u64>>,
    /// TTL / hop-limit difference between the two sightings.
    pub hops: Option<Histogram<u64>>,
    /// TCP SYN → SYN/ACK time of handshakes whose SYN hairpinned, µs.
    pub handshake_us: Option<Histogram<u64>>,
    /// TCP SYN → SYN/ACK time of handshakes whose SYN did not leave the zone (or, with
    /// `rtt_all`, of pairs not in the zone), µs.
    pub direct_handshake_us: Option<Histogram<u64>>,
    /// Hairpinned handshakes whose SYN was retransmitted: no sample (Karn's rule).
    pub retransmitted_handshakes: u64,
    /// Other handshakes whose SYN was retransmitted.
    pub retransmitted_direct_handshakes: u64,
    /// Unique hairpin packets by the link they were first seen on.
    pub via: Vec<ViaCount>,
}

/// A histogram with 3 significant digits that grows as needed.
fn new_hist() -> Histogram<u64> {
    let mut h = Histogram::new(3).expect("3 significant figures is valid");
    h.auto(true);
    h
}

/// Records `v` into a lazily created histogram.
#[inline]
pub(crate) fn record(h: &mut Option<Histogram<u64>>, v: u64) {
    // auto-resizing histograms accept any u64
    let _ = h.get_or_insert_with(new_hist).record(v);
}

impl PairHairpin {
    /// Unique hairpin packets.
    pub fn packets(&self) -> u64 {
        self.observations - self.reobserved_packets
    }

    /// Unique hairpin bytes.
    pub fn bytes(&self) -> u64 {
        self.observed_bytes - self.reobserved_bytes
    }

    /// Unique local bytes (replicas of hairpinned packets counted once).
    pub fn unique_local_bytes(&self) -> u64 {
        self.local_bytes - self.reobserved_bytes
    }

    /// Unique local packets.
    pub fn unique_local_packets(&self) -> u64 {
        self.local_packets - self.reobserved_packets
    }

    /// Adds `n` packets / `bytes` to the via entry of `link`.
    #[inline]
    pub(crate) fn add_via(&mut self, link: Option<u16>, packets: i64, bytes: i64) {
        let v = match self.via.iter_mut().find(|v| v.link == link) {
            Some(v) => v,
            None => {
                self.via.push(ViaCount {
                    link,
                    packets: 0,
                    bytes: 0,
                });
                self.via.last_mut().expect("just pushed")
            }
        };
        v.packets = v.packets.wrapping_add_signed(packets);
        v.bytes = v.bytes.wrapping_add_signed(bytes);
    }

    /// Adds another worker's figures for the same pair.
    pub fn merge(&mut self, o: &PairHairpin) {
        self.local_packets += o.local_packets;
        self.local_bytes += o.local_bytes;
        self.observations += o.observations;
        self.observed_bytes += o.observed_bytes;
        self.reobserved_packets += o.reobserved_packets;
        self.reobserved_bytes += o.reobserved_bytes;
        self.retransmitted_handshakes += o.retransmitted_handshakes;
        self.retransmitted_direct_handshakes += o.retransmitted_direct_handshakes;
        for (mine, theirs) in [
            (&mut self.detour_us, &o.detour_us),
            (&mut self.hops, &o.hops),
            (&mut self.handshake_us, &o.handshake_us),
            (&mut self.direct_handshake_us, &o.direct_handshake_us),
        ] {
            if let Some(t) = theirs {
                // auto-resizing histograms of the same precision always add
                let _ = mine.get_or_insert_with(new_hist).add(t);
            }
        }
        for v in &o.via {
            self.add_via(v.link, v.packets as i64, v.bytes as i64);
        }
    }

    /// True when the pair saw no local traffic and timed no handshake.
    pub fn is_empty(&self) -> bool {
        self.local_packets == 0
            && self.direct_handshake_us.is_none()
            && self.handshake_us.is_none()
            && self.retransmitted_handshakes == 0
            && self.retransmitted_direct_handshakes == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_adds_counts_histograms_and_via() {
        let mut a = PairHairpin {
            observations: 3,
            observed_bytes: 300,
            reobserved_packets: 1,
            reobserved_bytes: 100,
            ..PairHairpin::default()
        };
        record(&mut a.detour_us, 30_000);
        a.add_via(Some(0), 2, 200);
        let mut b = PairHairpin {
            observations: 1,
            observed_bytes: 50,
            ..PairHairpin::default()
        };
        record(&mut b.detour_us, 10_000);
        record(&mut b.detour_us, 20_000);
        b.add_via(Some(0), 1, 50);
        b.add_via(None, 0, 0);
        a.merge(&b);
        assert_eq!(a.packets(), 3);
        assert_eq!(a.bytes(), 250);
        let h = a.detour_us.as_ref().unwrap();
        assert_eq!(h.len(), 3);
        assert_eq!(h.value_at_quantile(0.5), h.highest_equivalent(20_000));
        assert_eq!(a.via.len(), 2);
        assert_eq!((a.via[0].packets, a.via[0].bytes), (3, 250));
    }
}
