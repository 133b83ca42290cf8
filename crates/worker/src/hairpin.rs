//! The hairpin analysis as a worker plugs it in.

use crate::{Analysis, AsPair, LinkDir, PacketCtx, PairTable, Partial, SeriesKey, SeriesStore};
use std::sync::Arc;
use trombone_hairpin::{
    replica_fingerprint, Direction, HairpinConfig, HairpinState, MatcherStats, PairHairpin,
    PairRef, Verdict,
};
use trombone_packet::PacketMeta;

/// A worker's hairpin analysis: link identification and per-link rates, the zone
/// classification, the replica matcher and the handshake timer.
pub struct HairpinAnalysis {
    state: HairpinState,
    /// Per pair index: (src in zone, dst in zone), filled as pairs appear.
    local: Vec<(bool, bool)>,
    /// Per pair index: its hairpin series id (`u32::MAX` until first used).
    hp_series: Vec<u32>,
    /// Per link: series ids for in, out, unknown (`u32::MAX` until first used).
    link_series: Vec<[u32; 3]>,
    /// Per link: frames that matched it since the last handover.
    link_frames: Vec<u64>,
}

/// The hairpin analysis's figures for an interval.
#[derive(Debug, Default)]
pub struct HairpinPartial {
    /// Per AS pair with local traffic.
    pub pairs: Vec<(AsPair, PairHairpin)>,
    /// The matcher's housekeeping counters over the interval.
    pub matcher: MatcherStats,
    /// Frames that matched each link (links-file order).
    pub link_frames: Vec<u64>,
    /// Ways of the replica matcher now.
    pub capacity: u64,
}

impl HairpinAnalysis {
    /// The analysis for one worker.
    pub fn new(cfg: Arc<HairpinConfig>) -> HairpinAnalysis {
        let links = cfg.links.links.len();
        HairpinAnalysis {
            state: HairpinState::new(cfg),
            local: Vec::new(),
            hp_series: Vec::new(),
            link_series: vec![[u32::MAX; 3]; links],
            link_frames: vec![0; links],
        }
    }

    /// Zone membership of pair `idx`'s ends.
    #[inline]
    fn local_of(&mut self, idx: u32, pairs: &PairTable) -> (bool, bool) {
        if let Some(&l) = self.local.get(idx as usize) {
            return l;
        }
        self.fill_local(idx, pairs)
    }

    #[cold]
    fn fill_local(&mut self, idx: u32, pairs: &PairTable) -> (bool, bool) {
        let zone = &self.state.config().zone;
        while self.local.len() <= idx as usize {
            let p = pairs.pair(self.local.len() as u32);
            self.local
                .push((zone.contains(p.src_country), zone.contains(p.dst_country)));
        }
        self.local[idx as usize]
    }
}

impl Analysis for HairpinAnalysis {
    #[inline]
    fn prepare(&self, m: &PacketMeta) -> u64 {
        let fp = replica_fingerprint(m);
        self.state.prefetch(m, fp);
        fp
    }

    #[inline]
    fn packet(&mut self, m: &PacketMeta, ctx: &PacketCtx<'_>, series: &mut SeriesStore) {
        let l3 = u64::from(m.l3_len);
        let s = self.state.config().links.identify(m);
        if let Some(l) = s.link {
            let l = usize::from(l);
            self.link_frames[l] += 1;
            if let Some(bin) = ctx.bin {
                let d = match s.direction {
                    Direction::In => 0,
                    Direction::Out => 1,
                    Direction::Unknown => 2,
                };
                let mut id = self.link_series[l][d];
                if id == u32::MAX {
                    let dir = [LinkDir::In, LinkDir::Out, LinkDir::Unknown][d];
                    id = series.id(SeriesKey::Link(l as u16, dir));
                    self.link_series[l][d] = id;
                }
                series.add(id, bin, l3);
            }
        }
        let (src_local, dst_local) = self.local_of(ctx.pair, ctx.pairs);
        let p = PairRef {
            idx: ctx.pair,
            src_local,
            dst_local,
        };
        if self.state.observe(m, p, s, ctx.prepared) == Verdict::Hairpin {
            if let Some(bin) = ctx.bin {
                let i = ctx.pair as usize;
                if self.hp_series.len() <= i {
                    self.hp_series.resize(i + 1, u32::MAX);
                }
                if self.hp_series[i] == u32::MAX {
                    self.hp_series[i] =
                        series.id(SeriesKey::HairpinPair(*ctx.pairs.pair(ctx.pair)));
                }
                series.add(self.hp_series[i], bin, l3);
            }
        }
    }

    fn end(&mut self) {
        self.state.end();
    }

    fn take(&mut self, pairs: &PairTable) -> Partial {
        let (per_pair, matcher) = self.state.take();
        let link_frames = std::mem::replace(&mut self.link_frames, vec![0; self.link_series.len()]);
        partial(pairs, per_pair, matcher, link_frames, self.state.capacity())
    }

    fn snapshot(&self, pairs: &PairTable) -> Partial {
        let (per_pair, matcher) = self.state.peek();
        partial(
            pairs,
            per_pair,
            matcher,
            self.link_frames.clone(),
            self.state.capacity(),
        )
    }
}

/// The partial of per-pair figures indexed like the worker's pair table.
fn partial(
    pairs: &PairTable,
    per_pair: Vec<PairHairpin>,
    matcher: MatcherStats,
    link_frames: Vec<u64>,
    capacity: usize,
) -> Partial {
    let out = per_pair
        .into_iter()
        .enumerate()
        .filter(|(_, h)| !h.is_empty())
        .map(|(i, h)| (*pairs.pair(i as u32), h))
        .collect();
    Partial::Hairpin(HairpinPartial {
        pairs: out,
        matcher,
        link_frames,
        capacity: capacity as u64,
    })
}
