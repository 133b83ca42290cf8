//! Rates over time, percentiles and port sizing: the report's `sizing` section.
//!
//! Definitions (hand-checkable, and tested against hand computations):
//!
//! - Traffic is binned in fixed bins (`bin_s`, default 1 s) numbered from the
//!   Unix epoch. The capture span is every bin from the first packet's to the
//!   last packet's, inclusive; empty bins inside it count as zero.
//! - **Samples** are intervals of `sample_s` (default 300 s), also aligned to
//!   the epoch (like MRTG's 5-minute samples). A sample's rate is its bytes
//!   divided by the part of it that lies inside the capture span, so a
//!   partial first or last sample is not diluted by time outside the capture.
//! - `p90`/`p95` are **nearest-rank** percentiles of the sample rates: sort
//!   ascending, take element `ceil(q × n)` (1-based). `samples` says how many
//!   rates a percentile rests on; with one sample, every percentile is it.
//! - `avg` is total bytes over the whole span; `max` the highest sample;
//!   `peak_bin` the highest single bin.
//! - A port is the smallest configured speed whose capacity × `port_target`
//!   holds `p95 × growth`, where p95 is the higher of the in and out p95
//!   (the IXP convention). Transit saved is that p95 in Mbps × the price.

use crate::report::{
    LinkRate, NetworkRate, PacketSizes, PairRate, PortPlan, Rate, SizeBucket, SizeMix,
    SizingReport, WhatIf,
};
use hdrhistogram::Histogram;
use std::collections::BTreeMap;
use trombone_asdb::{AsDb, Country};
use trombone_flow::{AsPair, PairOutput, Series, SizeBuckets, MAX_SPAN_BINS};
use trombone_hairpin::HairpinConfig;

/// Most points of a `series_mbps` array; longer spans are averaged down.
const MAX_POINTS: i64 = 2000;

/// How to compute rates and size ports.
#[derive(Clone, Debug, PartialEq)]
pub struct SizingConfig {
    /// Bin width, ns (must match the workers').
    pub bin_ns: i64,
    /// Sample interval, ns (a whole number of bins).
    pub sample_ns: i64,
    /// Highest p95 utilisation allowed on a recommended port (0..1].
    pub port_target: f64,
    /// Growth factor applied to p95 before sizing.
    pub growth: f64,
    /// International transit price, USD per Mbps per month.
    pub transit_price: f64,
    /// Port speeds to choose from, Gbps, ascending.
    pub port_speeds_gbps: Vec<f64>,
    /// ASNs for the what-if; `None` = every zone ASN with hairpin traffic.
    pub what_if_asns: Option<Vec<u32>>,
    /// Networks and pairs listed.
    pub top: usize,
}

impl Default for SizingConfig {
    fn default() -> SizingConfig {
        SizingConfig {
            bin_ns: 1_000_000_000,
            sample_ns: 300_000_000_000,
            port_target: 0.5,
            growth: 1.0,
            transit_price: 100.0,
            port_speeds_gbps: vec![1.0, 10.0, 25.0, 40.0, 100.0, 400.0],
            what_if_asns: None,
            top: 50,
        }
    }
}

/// The span of bins a report covers and how bins group into samples.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Span {
    first: i64,
    last: i64,
    bin_s: f64,
    per_sample: i64,
}

impl Span {
    /// The span of `time` (first/last ns) under `cfg`.
    /// A span longer than [`MAX_SPAN_BINS`] (a capture with absurd
    /// timestamps) is cut to its last `MAX_SPAN_BINS` bins.
    pub(crate) fn new(cfg: &SizingConfig, time: Option<(i64, i64)>) -> Option<Span> {
        let (f, l) = time?;
        let per_sample = (cfg.sample_ns / cfg.bin_ns).max(1);
        let last = l.div_euclid(cfg.bin_ns);
        let first = f.div_euclid(cfg.bin_ns).max(last - (MAX_SPAN_BINS - 1));
        Some(Span {
            first,
            last,
            bin_s: cfg.bin_ns as f64 / 1e9,
            per_sample,
        })
    }

    /// Number of sample intervals the span touches.
    fn samples(&self) -> i64 {
        self.last.div_euclid(self.per_sample) - self.first.div_euclid(self.per_sample) + 1
    }
}

/// Bytes/s → Mbit/s.
fn mbps(bytes_per_s: f64) -> f64 {
    bytes_per_s * 8.0 / 1e6
}

/// Rates of one series over the span.
///
/// Works in time proportional to the series' own bins (plus the points of
/// `series_mbps`), not to the span: samples the series never touched are
/// zeros, counted without being materialised.
pub(crate) fn rate(s: &Series, span: &Span) -> Rate {
    let total_samples = span.samples() as usize;
    // seconds of sample k that lie inside the span
    let sample_secs = |k: i64| {
        let lo = (k * span.per_sample).max(span.first);
        let hi = (k * span.per_sample + span.per_sample - 1).min(span.last);
        (hi - lo + 1) as f64 * span.bin_s
    };
    let nbins = span.last - span.first + 1;
    let step = (nbins + MAX_POINTS - 1) / MAX_POINTS;
    let npoints = ((nbins + step - 1) / step) as usize;
    let mut points = vec![0u64; npoints];
    let (mut bytes, mut packets, mut peak_b, mut peak_p) = (0u64, 0u64, 0u64, 0u64);
    // (sample index, bytes, packets) for the samples the series touches, in order
    let mut touched: Vec<(i64, u64, u64)> = Vec::new();
    let lo = s.start().max(span.first);
    let hi = (s.start() + s.bins().len() as i64 - 1).min(span.last);
    if !s.is_empty() {
        for b in lo..=hi {
            let [x, p] = s.get(b);
            if x == 0 && p == 0 {
                continue;
            }
            bytes += x;
            packets += p;
            peak_b = peak_b.max(x);
            peak_p = peak_p.max(p);
            points[((b - span.first) / step) as usize] += x;
            let k = b.div_euclid(span.per_sample);
            match touched.last_mut() {
                Some(t) if t.0 == k => {
                    t.1 += x;
                    t.2 += p;
                }
                _ => touched.push((k, x, p)),
            }
        }
    }
    let zeros = total_samples - touched.len();
    let mut sample_bps: Vec<f64> = touched
        .iter()
        .map(|t| t.1 as f64 / sample_secs(t.0))
        .collect();
    let mut sample_pps: Vec<f64> = touched
        .iter()
        .map(|t| t.2 as f64 / sample_secs(t.0))
        .collect();
    sample_bps.sort_by(f64::total_cmp);
    sample_pps.sort_by(f64::total_cmp);
    let span_s = nbins as f64 * span.bin_s;
    let series_mbps = points
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            let b0 = span.first + i as i64 * step;
            let b1 = (b0 + step - 1).min(span.last);
            mbps(x as f64 / ((b1 - b0 + 1) as f64 * span.bin_s))
        })
        .collect();
    Rate {
        bytes,
        packets,
        avg_mbps: mbps(bytes as f64 / span_s),
        max_mbps: mbps(sample_bps.last().copied().unwrap_or(0.0)),
        p90_mbps: mbps(rank_with_zeros(&sample_bps, zeros, 0.90)),
        p95_mbps: mbps(rank_with_zeros(&sample_bps, zeros, 0.95)),
        peak_bin_mbps: mbps(peak_b as f64 / span.bin_s),
        avg_pps: packets as f64 / span_s,
        p95_pps: rank_with_zeros(&sample_pps, zeros, 0.95),
        peak_bin_pps: peak_p as f64 / span.bin_s,
        samples: total_samples as u64,
        series_mbps,
        series_step_s: step as f64 * span.bin_s,
    }
}

/// Nearest-rank percentile of `zeros` zero values followed by `sorted` (ascending).
fn rank_with_zeros(sorted: &[f64], zeros: usize, q: f64) -> f64 {
    let n = sorted.len() + zeros;
    if n == 0 {
        return 0.0;
    }
    let rank = ((q * n as f64).ceil() as usize).clamp(1, n);
    if rank <= zeros {
        0.0
    } else {
        sorted[rank - zeros - 1]
    }
}

/// Mean and quantiles of a packet-size histogram.
fn sizes(h: &Histogram<u64>) -> PacketSizes {
    PacketSizes {
        samples: h.len(),
        mean: h.mean(),
        p50: h.value_at_quantile(0.5),
        p90: h.value_at_quantile(0.9),
        p99: h.value_at_quantile(0.99),
        max: h.max(),
    }
}

/// Bucket labels matching [`SIZE_BUCKET_BOUNDS`].
const BUCKET_LABELS: [&str; 7] = [
    "0-64",
    "65-127",
    "128-255",
    "256-511",
    "512-1023",
    "1024-1499",
    "1500+",
];

/// A network's packet-size buckets and mean.
fn buckets(b: &SizeBuckets, bytes: u64) -> SizeMix {
    let packets: u64 = b.0.iter().sum();
    SizeMix {
        packets,
        mean: if packets == 0 {
            0.0
        } else {
            bytes as f64 / packets as f64
        },
        buckets: BUCKET_LABELS
            .iter()
            .zip(b.0.iter())
            .map(|(l, &n)| SizeBucket {
                range: (*l).to_string(),
                packets: n,
            })
            .collect(),
    }
}

/// Per-ASN aggregates derived from the pairs.
#[derive(Default)]
struct Net {
    out: Series,
    inb: Series,
    hp_out: Series,
    hp_in: Series,
    sizes: SizeBuckets,
    size_bytes: u64,
    bytes_by_country: BTreeMap<Option<Country>, u64>,
    zone: bool,
}

/// Builds the sizing section from the merged pairs and links.
#[allow(clippy::too_many_arguments)]
pub(crate) fn sizing_report(
    cfg: &SizingConfig,
    unbinned: u64,
    all_sizes: Option<&Histogram<u64>>,
    time: Option<(i64, i64)>,
    pairs: &BTreeMap<AsPair, PairOutput>,
    links: &[trombone_flow::LinkSeries],
    hairpin: Option<&HairpinConfig>,
    db: &AsDb,
) -> SizingReport {
    let mut rep = SizingReport {
        bin_s: cfg.bin_ns as f64 / 1e9,
        sample_s: cfg.sample_ns as f64 / 1e9,
        port_target: cfg.port_target,
        growth: cfg.growth,
        transit_price_usd_per_mbps_month: cfg.transit_price,
        port_speeds_gbps: cfg.port_speeds_gbps.clone(),
        first_bin_ns: None,
        bins: 0,
        samples: 0,
        unbinned_packets: unbinned,
        packet_size: all_sizes.filter(|h| !h.is_empty()).map(sizes),
        networks: Vec::new(),
        pairs: Vec::new(),
        links: Vec::new(),
        what_if: None,
    };
    let Some(span) = Span::new(cfg, time) else {
        return rep;
    };
    rep.first_bin_ns = Some(span.first * cfg.bin_ns);
    rep.bins = (span.last - span.first + 1) as u64;
    rep.samples = span.samples() as u64;

    let in_zone = |c: Option<Country>| hairpin.is_some_and(|h| h.zone.contains(c));
    let mut nets: BTreeMap<u32, Net> = BTreeMap::new();
    for (p, o) in pairs {
        let bytes = o.counters.bytes;
        let src = nets.entry(p.src_asn).or_default();
        src.out.merge(&o.series);
        src.hp_out.merge(&o.hairpin_series);
        *src.bytes_by_country.entry(p.src_country).or_default() += bytes;
        src.zone |= in_zone(p.src_country);
        src.sizes.add(&o.sizes);
        src.size_bytes += bytes;
        let dst = nets.entry(p.dst_asn).or_default();
        dst.inb.merge(&o.series);
        dst.hp_in.merge(&o.hairpin_series);
        *dst.bytes_by_country.entry(p.dst_country).or_default() += bytes;
        dst.zone |= in_zone(p.dst_country);
        if p.dst_asn != p.src_asn {
            dst.sizes.add(&o.sizes);
            dst.size_bytes += bytes;
        }
    }
    let country_of = |n: &Net| {
        n.bytes_by_country
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
            .and_then(|(c, _)| *c)
    };

    let mut networks: Vec<NetworkRate> = nets
        .iter()
        .map(|(&asn, n)| NetworkRate {
            asn,
            country: country_of(n),
            name: db.as_name(asn).map(str::to_string),
            inbound: rate(&n.inb, &span),
            outbound: rate(&n.out, &span),
            packet_sizes: buckets(&n.sizes, n.size_bytes),
        })
        .collect();
    networks.sort_by(|a, b| {
        (b.inbound.bytes + b.outbound.bytes)
            .cmp(&(a.inbound.bytes + a.outbound.bytes))
            .then(a.asn.cmp(&b.asn))
    });
    networks.truncate(cfg.top);
    rep.networks = networks;

    let mut top_pairs: Vec<(&AsPair, &PairOutput)> = pairs.iter().collect();
    top_pairs.sort_by(|a, b| {
        b.1.counters
            .bytes
            .cmp(&a.1.counters.bytes)
            .then(a.0.cmp(b.0))
    });
    rep.pairs = top_pairs
        .into_iter()
        .take(cfg.top)
        .map(|(p, o)| PairRate {
            src_asn: p.src_asn,
            dst_asn: p.dst_asn,
            src_country: p.src_country,
            dst_country: p.dst_country,
            rate: rate(&o.series, &span),
        })
        .collect();

    if let Some(h) = hairpin {
        rep.links = h
            .links
            .links
            .iter()
            .zip(links.iter())
            .map(|(l, s)| LinkRate {
                name: l.name.clone(),
                asn: l.asn,
                country: l.country,
                inbound: rate(&s.inbound, &span),
                outbound: rate(&s.outbound, &span),
                unknown_direction: (!s.unknown.is_empty()).then(|| rate(&s.unknown, &span)),
            })
            .collect();
        let asns: Vec<u32> = match &cfg.what_if_asns {
            Some(v) => v.clone(),
            None => nets
                .iter()
                .filter(|(_, n)| n.zone && (!n.hp_in.is_empty() || !n.hp_out.is_empty()))
                .map(|(&a, _)| a)
                .collect(),
        };
        let empty = Net::default();
        let mut ports = Vec::new();
        let mut total = 0.0;
        for &asn in &asns {
            let n = nets.get(&asn).unwrap_or(&empty);
            let hin = rate(&n.hp_in, &span);
            let hout = rate(&n.hp_out, &span);
            let p95 = hin.p95_mbps.max(hout.p95_mbps);
            let needed = p95 * cfg.growth / cfg.port_target;
            let port = cfg
                .port_speeds_gbps
                .iter()
                .copied()
                .find(|&g| g * 1000.0 >= needed);
            let saved = p95 * cfg.transit_price;
            total += saved;
            ports.push(PortPlan {
                asn,
                country: country_of(n),
                name: db.as_name(asn).map(str::to_string),
                hairpin_in: hin,
                hairpin_out: hout,
                p95_mbps: p95,
                needed_mbps: needed,
                port_gbps: port,
                port: port.map(port_name),
                utilisation_at_p95: port.map(|g| p95 * cfg.growth / (g * 1000.0)),
                transit_saved_usd_per_month: saved,
            });
        }
        rep.what_if = Some(WhatIf {
            asns,
            ports,
            total_transit_saved_usd_per_month: total,
        });
    }
    rep
}

/// "10GE", "400GE", "2.5GE".
fn port_name(g: f64) -> String {
    if g.fract() == 0.0 {
        format!("{}GE", g as u64)
    } else {
        format!("{g}GE")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(bin_s: i64, sample_s: i64) -> SizingConfig {
        SizingConfig {
            bin_ns: bin_s * 1_000_000_000,
            sample_ns: sample_s * 1_000_000_000,
            ..SizingConfig::default()
        }
    }

    #[test]
    fn zeros_count_in_percentiles() {
        // 17 zero samples and 3 of 1, 2, 3: n = 20, p95 = 19th = 2, p90 = 18th = 1
        assert_eq!(rank_with_zeros(&[1.0, 2.0, 3.0], 17, 0.95), 2.0);
        assert_eq!(rank_with_zeros(&[1.0, 2.0, 3.0], 17, 0.90), 1.0);
        assert_eq!(rank_with_zeros(&[1.0, 2.0, 3.0], 17, 0.5), 0.0);
        assert_eq!(rank_with_zeros(&[], 0, 0.5), 0.0);
    }

    #[test]
    fn nearest_rank_by_hand() {
        let v: Vec<f64> = (1..=20).map(f64::from).collect();
        assert_eq!(rank_with_zeros(&v, 0, 0.95), 19.0); // ceil(19.0) = 19th
        assert_eq!(rank_with_zeros(&v, 0, 0.90), 18.0);
        assert_eq!(rank_with_zeros(&v, 0, 0.5), 10.0);
        assert_eq!(rank_with_zeros(&[7.0], 0, 0.95), 7.0);
        let v: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(rank_with_zeros(&v, 0, 0.95), 10.0); // ceil(9.5) = 10th
    }

    #[test]
    fn samples_partial_intervals_and_zero_bins_by_hand() {
        // 1 s bins, 4 s samples. Span from bin 2 to bin 9 (8 s):
        // samples: [2,3] (partial, 2 s), [4..7] (4 s), [8,9] (partial, 2 s).
        let c = cfg(1, 4);
        let span = Span::new(&c, Some((2_000_000_000, 9_999_999_999))).unwrap();
        assert_eq!(span.samples(), 3);
        let mut s = Series::default();
        s.add_n(2, 1000, 1); // sample 0: 1000 B over 2 s = 500 B/s
        s.add_n(5, 4000, 4); // sample 1: 4000+8000 = 12000 B over 4 s = 3000 B/s
        s.add_n(7, 8000, 2);
        s.add_n(9, 100, 1); // sample 2: 100 B over 2 s = 50 B/s
        let r = rate(&s, &span);
        assert_eq!(r.bytes, 13_100);
        assert_eq!(r.packets, 8);
        assert_eq!(r.samples, 3);
        // sorted B/s: 50, 500, 3000 → p95 = ceil(2.85) = 3rd = 3000 B/s = 0.024 Mbps
        assert!((r.p95_mbps - 0.024).abs() < 1e-12);
        assert!((r.p90_mbps - 0.024).abs() < 1e-12);
        assert!((r.max_mbps - 0.024).abs() < 1e-12);
        // avg: 13100 B / 8 s = 1637.5 B/s = 0.0131 Mbps
        assert!((r.avg_mbps - 0.0131).abs() < 1e-12);
        // peak bin: 8000 B in 1 s = 0.064 Mbps
        assert!((r.peak_bin_mbps - 0.064).abs() < 1e-12);
        assert_eq!(r.series_mbps.len(), 8);
        assert_eq!(r.series_step_s, 1.0);
        assert!((r.series_mbps[3] - 0.032).abs() < 1e-12); // bin 5
                                                           // pps: samples 0.5, 1.5, 0.5 → p95 = 1.5
        assert_eq!(r.p95_pps, 1.5);
    }

    #[test]
    fn long_spans_are_averaged_down() {
        let c = cfg(1, 300);
        let span = Span::new(&c, Some((0, 4_999 * 1_000_000_000))).unwrap();
        let mut s = Series::default();
        for b in 0..5000 {
            s.add_n(b, 125_000, 1); // 1 Mbps every second
        }
        let r = rate(&s, &span);
        assert_eq!(r.series_step_s, 3.0);
        assert_eq!(r.series_mbps.len(), 1667);
        assert!(r.series_mbps.iter().all(|&x| (x - 1.0).abs() < 1e-9));
        assert!((r.p95_mbps - 1.0).abs() < 1e-9);
        assert_eq!(r.samples, 17); // 0..=16 five-minute samples
    }

    #[test]
    fn port_names() {
        assert_eq!(port_name(10.0), "10GE");
        assert_eq!(port_name(2.5), "2.5GE");
    }
}
