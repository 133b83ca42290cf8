//! Per-sample traffic of sets of hairpinned pairs, and their nearest-rank p95.
//!
//! The rule is `sizing`'s (crates/reduce/src/sizing.rs): samples of `sample_s` aligned to
//! the epoch; the span is every bin from the first timed packet's to the last's; a
//! sample's rate is its bytes over the part of it inside the span; samples without traffic
//! count as zero; p95 is element ⌈0.95 n⌉ of the n sample rates sorted ascending.
//!
//! A result carries each network's hairpinned traffic per sample (`hairpin_in`,
//! `hairpin_out`), each AS pair's traffic per sample (`pair`, every sighting, hairpinned
//! or not) and, in results written since it was added, each AS pair's hairpinned traffic
//! per sample (`hairpin_pair`). The traffic of a set of hairpinned pairs is summed network
//! by network: where the set holds every hairpinned pair a network sends (or receives),
//! that network's own hairpinned series is used; otherwise the pairs' own hairpinned
//! series — both exact; only for older results, without per-pair hairpinned series, is
//! each pair's per-sample traffic scaled by the pair's hairpinned share of its bytes —
//! apportioned, an estimate ([`SeriesBasis::Apportioned`]).

use std::collections::{BTreeMap, BTreeSet};
use trombone_schema::plan::SeriesBasis;
use trombone_schema::{Country, HairpinPair, Report, SampleRec, SeriesKind, SeriesRow, TimeSpan};

/// A network in the series: the ASN, and for ASN 0 the country.
pub type Net = (u32, Option<Country>);

/// The network key of an (ASN, country) end (as the reducer keys networks).
pub fn net_key(asn: u32, country: Option<Country>) -> Net {
    (asn, if asn == 0 { country } else { None })
}

/// The span of bins a result covers and how they group into samples.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Span {
    first: i64,
    last: i64,
    bin_s: f64,
    per_sample: i64,
}

impl Span {
    /// The span of `time` with bins of `bin_s` and samples of `sample_s` (None without
    /// timed packets or with unusable lengths).
    pub fn new(time: &TimeSpan, bin_s: f64, sample_s: f64) -> Option<Span> {
        let bin_ns = (bin_s * 1e9).round() as i64;
        let sample_ns = (sample_s * 1e9).round() as i64;
        if bin_ns <= 0 || sample_ns <= 0 {
            return None;
        }
        let (f, l) = (time.first_ns?, time.last_ns?);
        Some(Span {
            first: f.div_euclid(bin_ns),
            last: l.div_euclid(bin_ns),
            bin_s: bin_ns as f64 / 1e9,
            per_sample: (sample_ns / bin_ns).max(1),
        })
    }

    /// First and last sample index the span touches.
    pub fn sample_range(&self) -> (i64, i64) {
        (
            self.first.div_euclid(self.per_sample),
            self.last.div_euclid(self.per_sample),
        )
    }

    /// Samples the span touches: what every p95 rests on.
    pub fn samples(&self) -> u64 {
        let (a, b) = self.sample_range();
        (b - a + 1) as u64
    }

    /// Seconds of sample `k` inside the span.
    pub fn sample_secs(&self, k: i64) -> f64 {
        let lo = (k * self.per_sample).max(self.first);
        let hi = (k * self.per_sample + self.per_sample - 1).min(self.last);
        (hi - lo + 1).max(0) as f64 * self.bin_s
    }

    /// Nearest-rank p95 of the sample rates of `s` (bytes per sample index), Mbit/s.
    pub fn p95_mbps(&self, s: &Samples) -> f64 {
        let (s0, s1) = self.sample_range();
        let mut rates: Vec<f64> =
            s.0.iter()
                .filter(|(k, b)| **k >= s0 && **k <= s1 && **b > 0.0)
                .map(|(k, b)| b / self.sample_secs(*k))
                .collect();
        let n = self.samples() as usize;
        let zeros = n - rates.len();
        rates.sort_by(f64::total_cmp);
        let rank = ((0.95 * n as f64).ceil() as usize).clamp(1, n);
        let bps = if rank <= zeros {
            0.0
        } else {
            rates[rank - zeros - 1]
        };
        bps * 8.0 / 1e6
    }
}

/// Bytes per sample index (fractional when apportioned).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Samples(pub BTreeMap<i64, f64>);

impl Samples {
    /// Adds sample records.
    fn add_recs(&mut self, recs: &[SampleRec], scale: f64) {
        for r in recs {
            *self.0.entry(r.index).or_default() += r.bytes as f64 * scale;
        }
    }

    /// Adds another series.
    pub fn add(&mut self, o: &Samples) {
        for (k, v) in &o.0 {
            *self.0.entry(*k).or_default() += v;
        }
    }
}

/// A hairpinned pair's identity.
pub type PairKey = (u32, Option<Country>, u32, Option<Country>);

/// The key of a hairpin pair.
pub fn pair_key(p: &HairpinPair) -> PairKey {
    (p.src_asn, p.src_country, p.dst_asn, p.dst_country)
}

/// The series of a result, indexed for sums over sets of hairpinned pairs.
pub struct SeriesIndex<'a> {
    hp_out: BTreeMap<Net, &'a SeriesRow>,
    hp_in: BTreeMap<Net, &'a SeriesRow>,
    pair: BTreeMap<PairKey, &'a SeriesRow>,
    hp_pair: BTreeMap<PairKey, &'a SeriesRow>,
    /// Hairpinned pairs sent by each network.
    sends: BTreeMap<Net, BTreeSet<PairKey>>,
    /// Hairpinned pairs received by each network.
    receives: BTreeMap<Net, BTreeSet<PairKey>>,
    /// Unique hairpinned bytes of each pair.
    hp_bytes: BTreeMap<PairKey, u64>,
}

/// Which end of the pairs a sum is grouped by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    /// By source network, with its `hairpin_out` series.
    Src,
    /// By destination network, with its `hairpin_in` series.
    Dst,
}

impl<'a> SeriesIndex<'a> {
    /// Indexes `r`'s series and hairpinned pairs.
    pub fn new(r: &'a Report) -> SeriesIndex<'a> {
        let mut ix = SeriesIndex {
            hp_out: BTreeMap::new(),
            hp_in: BTreeMap::new(),
            pair: BTreeMap::new(),
            hp_pair: BTreeMap::new(),
            sends: BTreeMap::new(),
            receives: BTreeMap::new(),
            hp_bytes: BTreeMap::new(),
        };
        for row in r.series.iter().flat_map(|s| s.rows.iter()) {
            let net = || net_key(row.asn.unwrap_or(0), row.country);
            match row.kind {
                SeriesKind::HairpinOut => {
                    ix.hp_out.insert(net(), row);
                }
                SeriesKind::HairpinIn => {
                    ix.hp_in.insert(net(), row);
                }
                SeriesKind::Pair | SeriesKind::HairpinPair => {
                    let k = (
                        row.src_asn.unwrap_or(0),
                        row.src_country,
                        row.dst_asn.unwrap_or(0),
                        row.dst_country,
                    );
                    if row.kind == SeriesKind::Pair {
                        ix.pair.insert(k, row);
                    } else {
                        ix.hp_pair.insert(k, row);
                    }
                }
                _ => {}
            }
        }
        for p in r.hairpin.iter().flat_map(|h| h.pairs.iter()) {
            if p.packets == 0 && p.bytes == 0 {
                continue;
            }
            let k = pair_key(p);
            ix.sends
                .entry(net_key(p.src_asn, p.src_country))
                .or_default()
                .insert(k);
            ix.receives
                .entry(net_key(p.dst_asn, p.dst_country))
                .or_default()
                .insert(k);
            *ix.hp_bytes.entry(k).or_default() += p.bytes;
        }
        ix
    }

    /// The apportioned per-sample hairpinned traffic of one pair.
    fn apportioned(&self, k: &PairKey) -> Samples {
        let mut s = Samples::default();
        let Some(row) = self.pair.get(k) else {
            return s;
        };
        let all = row.bytes();
        if all == 0 {
            return s;
        }
        let hp = self.hp_bytes.get(k).copied().unwrap_or(0);
        s.add_recs(&row.samples, hp as f64 / all as f64);
        s
    }

    /// The per-sample traffic of the hairpinned pairs `set`, summed network by network at
    /// `end`, and whether it is exact.
    pub fn sum(&self, set: &BTreeSet<PairKey>, end: End) -> (Samples, SeriesBasis) {
        let mut groups: BTreeMap<Net, BTreeSet<PairKey>> = BTreeMap::new();
        for k in set {
            let n = match end {
                End::Src => net_key(k.0, k.1),
                End::Dst => net_key(k.2, k.3),
            };
            groups.entry(n).or_default().insert(*k);
        }
        let mut out = Samples::default();
        let mut basis = SeriesBasis::Exact;
        let (all, rows) = match end {
            End::Src => (&self.sends, &self.hp_out),
            End::Dst => (&self.receives, &self.hp_in),
        };
        for (n, g) in &groups {
            match (all.get(n), rows.get(n)) {
                (Some(a), Some(row)) if a == g => out.add_recs(&row.samples, 1.0),
                _ if !self.hp_pair.is_empty() => {
                    // the pairs' own hairpinned series (a pair without one had no timed
                    // hairpinned packet: nothing to add)
                    for k in g {
                        if let Some(row) = self.hp_pair.get(k) {
                            out.add_recs(&row.samples, 1.0);
                        }
                    }
                }
                _ => {
                    basis = SeriesBasis::Apportioned;
                    for k in g {
                        out.add(&self.apportioned(k));
                    }
                }
            }
        }
        (out, basis)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(first_ns: i64, last_ns: i64, bin_s: f64, sample_s: f64) -> Span {
        Span::new(&TimeSpan::of(Some((first_ns, last_ns))), bin_s, sample_s).unwrap()
    }

    #[test]
    fn p95_is_nearest_rank_with_zeros_and_partial_samples() {
        // 1 s bins, 4 s samples, span bins 2..=9: samples 0 (2 s), 1 (4 s), 2 (2 s)
        let sp = span(2_000_000_000, 9_999_999_999, 1.0, 4.0);
        assert_eq!(sp.samples(), 3);
        let s = Samples(
            [(0, 1000.0), (1, 12_000.0), (2, 100.0)]
                .into_iter()
                .collect(),
        );
        // 500, 3000, 50 B/s → ⌈2.85⌉ = 3rd = 3000 B/s = 0.024 Mbit/s
        assert!((sp.p95_mbps(&s) - 0.024).abs() < 1e-12);
        // 20 samples of 1 s, traffic in 3 of them: rank 19 of 17 zeros + [1, 2, 3] → 2
        let sp = span(0, 19_999_999_999, 1.0, 1.0);
        let s = Samples(
            [(3, 125_000.0), (7, 250_000.0), (9, 375_000.0)]
                .into_iter()
                .collect(),
        );
        assert!((sp.p95_mbps(&s) - 2.0).abs() < 1e-12);
        assert_eq!(sp.p95_mbps(&Samples::default()), 0.0);
    }
}
