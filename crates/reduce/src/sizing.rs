//! Rates over time, percentiles and port sizing: the `sizing` section, derived from the
//! per-sample series (so a merge derives it the same way from merged series).
//!
//! Definitions (hand-checkable, and tested against hand computations):
//!
//! - Traffic is binned in fixed bins (`bin_s`, default 1 s) numbered from the Unix epoch.
//!   The capture span is every bin from the first timed packet's to the last's,
//!   inclusive.
//! - **Samples** are intervals of `sample_s` (default 300 s), also aligned to the epoch
//!   (like MRTG's 5-minute samples). A sample's rate is its bytes divided by the part of
//!   it that lies inside the capture span, so a partial first or last sample is not
//!   diluted by time outside the capture; samples without traffic count as zero.
//! - `p90`/`p95` are **nearest-rank** percentiles of the sample rates: sort ascending,
//!   take element `ceil(q × n)` (1-based). `samples` says how many rates a percentile
//!   rests on; with one sample, every percentile is it.
//! - `avg` is total bytes over the whole span; `max` the highest sample; `peak_bin` the
//!   highest single bin.
//! - A port is the smallest configured speed whose capacity × `port_target` holds
//!   `p95 × growth`, where p95 is the higher of the in and out p95 (the IXP convention).
//!   Transit saved is that p95 in Mbps × the price.

use hdrhistogram::Histogram;
use std::collections::BTreeMap;
use trombone_asdb::Country;
use trombone_schema::{
    AsCell, HairpinLink, LinkRate, NetworkRate, PacketSizes, PairRate, PortPlan, Rate, SampleRec,
    SeriesKind, SeriesRow, SeriesSet, SizeBucket, SizeMix, SizingReport, TimeSpan, UnknownNetwork,
    WhatIf,
};

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

impl SizingConfig {
    /// Bins per sample.
    pub fn per_sample(&self) -> i64 {
        (self.sample_ns / self.bin_ns.max(1)).max(1)
    }
}

/// The span of bins a result covers and how bins group into samples.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Span {
    first: i64,
    last: i64,
    bin_s: f64,
    per_sample: i64,
}

impl Span {
    /// The span of `time` under `cfg` (`None` without timed packets).
    pub(crate) fn new(cfg: &SizingConfig, time: &TimeSpan) -> Option<Span> {
        let (f, l) = (time.first_ns?, time.last_ns?);
        Some(Span {
            first: f.div_euclid(cfg.bin_ns),
            last: l.div_euclid(cfg.bin_ns),
            bin_s: cfg.bin_ns as f64 / 1e9,
            per_sample: cfg.per_sample(),
        })
    }

    /// First and last sample index the span touches.
    fn sample_range(&self) -> (i64, i64) {
        (
            self.first.div_euclid(self.per_sample),
            self.last.div_euclid(self.per_sample),
        )
    }

    /// Number of sample intervals the span touches.
    fn samples(&self) -> i64 {
        let (a, b) = self.sample_range();
        b - a + 1
    }

    /// Seconds of sample `k` inside the span.
    fn sample_secs(&self, k: i64) -> f64 {
        let lo = (k * self.per_sample).max(self.first);
        let hi = (k * self.per_sample + self.per_sample - 1).min(self.last);
        (hi - lo + 1).max(0) as f64 * self.bin_s
    }
}

/// Bytes/s → Mbit/s.
fn mbps(bytes_per_s: f64) -> f64 {
    bytes_per_s * 8.0 / 1e6
}

/// Rates of one series over the span, from its sample records.
pub(crate) fn rate(samples: &[SampleRec], span: &Span) -> Rate {
    let (s0, s1) = span.sample_range();
    let total_samples = span.samples();
    let step = (total_samples + MAX_POINTS - 1) / MAX_POINTS;
    let npoints = ((total_samples + step - 1) / step) as usize;
    let mut points = vec![0u64; npoints];
    let (mut bytes, mut packets, mut peak_b, mut peak_p) = (0u64, 0u64, 0u64, 0u64);
    let mut bps = Vec::with_capacity(samples.len());
    let mut pps = Vec::with_capacity(samples.len());
    for s in samples.iter().filter(|s| s.index >= s0 && s.index <= s1) {
        bytes += s.bytes;
        packets += s.packets;
        peak_b = peak_b.max(s.peak_bin_bytes);
        peak_p = peak_p.max(s.peak_bin_packets);
        points[((s.index - s0) / step) as usize] += s.bytes;
        if s.bytes > 0 || s.packets > 0 {
            let secs = span.sample_secs(s.index);
            bps.push(s.bytes as f64 / secs);
            pps.push(s.packets as f64 / secs);
        }
    }
    let zeros = total_samples as usize - bps.len();
    bps.sort_by(f64::total_cmp);
    pps.sort_by(f64::total_cmp);
    let span_s = (span.last - span.first + 1) as f64 * span.bin_s;
    let series_mbps = points
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            let k0 = s0 + i as i64 * step;
            let k1 = (k0 + step - 1).min(s1);
            let secs: f64 = (k0..=k1).map(|k| span.sample_secs(k)).sum();
            mbps(x as f64 / secs)
        })
        .collect();
    Rate {
        bytes,
        packets,
        avg_mbps: mbps(bytes as f64 / span_s),
        max_mbps: mbps(bps.last().copied().unwrap_or(0.0)),
        p90_mbps: mbps(rank_with_zeros(&bps, zeros, 0.90)),
        p95_mbps: mbps(rank_with_zeros(&bps, zeros, 0.95)),
        peak_bin_mbps: mbps(peak_b as f64 / span.bin_s),
        avg_pps: packets as f64 / span_s,
        p95_pps: rank_with_zeros(&pps, zeros, 0.95),
        peak_bin_pps: peak_p as f64 / span.bin_s,
        samples: total_samples as u64,
        series_mbps,
        series_step_s: step as f64 * span.per_sample as f64 * span.bin_s,
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
pub(crate) fn packet_sizes(h: &Histogram<u64>) -> PacketSizes {
    PacketSizes {
        samples: h.len(),
        mean: h.mean(),
        p50: h.value_at_quantile(0.5),
        p90: h.value_at_quantile(0.9),
        p99: h.value_at_quantile(0.99),
        max: h.max(),
        hist: Some(trombone_schema::hist::encode(h)),
    }
}

/// Bucket labels matching the workers' size buckets.
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
fn size_mix(b: &[u64; 7], bytes: u64) -> SizeMix {
    let packets: u64 = b.iter().sum();
    SizeMix {
        packets,
        mean: if packets == 0 {
            0.0
        } else {
            bytes as f64 / packets as f64
        },
        buckets: BUCKET_LABELS
            .iter()
            .zip(b.iter())
            .map(|(l, &n)| SizeBucket {
                range: (*l).to_string(),
                packets: n,
            })
            .collect(),
    }
}

/// "10GE", "400GE", "2.5GE".
pub(crate) fn port_name(g: f64) -> String {
    if g.fract() == 0.0 {
        format!("{}GE", g as u64)
    } else {
        format!("{g}GE")
    }
}

/// A network: ASN, and for ASN 0 the country.
type Net = (u32, Option<Country>);

/// What the sizing derivation reads besides the series.
pub(crate) struct SizingInputs<'a> {
    pub cfg: &'a SizingConfig,
    pub time: &'a TimeSpan,
    pub series: &'a SeriesSet,
    pub as_matrix: &'a [AsCell],
    pub names: &'a BTreeMap<u32, String>,
    pub packet_size: Option<&'a Histogram<u64>>,
    /// Hairpin zone and links, with hairpin analysis.
    pub zone: Option<&'a [Country]>,
    pub links: &'a [HairpinLink],
    pub unbinned: u64,
}

/// Builds the sizing section from the series.
pub(crate) fn sizing_report(x: &SizingInputs<'_>) -> SizingReport {
    let cfg = x.cfg;
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
        unbinned_packets: x.unbinned,
        packet_size: x.packet_size.filter(|h| !h.is_empty()).map(packet_sizes),
        networks: Vec::new(),
        pairs: Vec::new(),
        links: Vec::new(),
        total: None,
        what_if: None,
    };
    let Some(span) = Span::new(cfg, x.time) else {
        return rep;
    };
    rep.first_bin_ns = Some(span.first * cfg.bin_ns);
    rep.bins = (span.last - span.first + 1) as u64;
    rep.samples = span.samples() as u64;

    let net_of = |r: &SeriesRow| -> Net { (r.asn.unwrap_or(0), r.country) };
    let mut by_kind: BTreeMap<(SeriesKind, Net), &SeriesRow> = BTreeMap::new();
    let mut link_rows: BTreeMap<(&str, SeriesKind), &SeriesRow> = BTreeMap::new();
    let mut pair_rows: Vec<&SeriesRow> = Vec::new();
    for r in &x.series.rows {
        match r.kind {
            SeriesKind::Total => rep.total = Some(rate(&r.samples, &span)),
            SeriesKind::Pair => pair_rows.push(r),
            SeriesKind::HairpinPair => {}
            SeriesKind::LinkIn | SeriesKind::LinkOut | SeriesKind::LinkUnknown => {
                link_rows.insert((r.link.as_deref().unwrap_or(""), r.kind), r);
            }
            k => {
                by_kind.insert((k, net_of(r)), r);
            }
        }
    }
    if rep.total.is_none() {
        rep.total = Some(rate(&[], &span));
    }

    // countries of each ASN by bytes, zone membership, size mixes
    let mut bytes_by_country: BTreeMap<u32, BTreeMap<Option<Country>, u64>> = BTreeMap::new();
    let mut in_zone: BTreeMap<Net, bool> = BTreeMap::new();
    let zone_has = |c: Option<Country>| x.zone.is_some_and(|z| c.is_some_and(|c| z.contains(&c)));
    for c in x.as_matrix {
        *bytes_by_country
            .entry(c.src_asn)
            .or_default()
            .entry(c.src_country)
            .or_default() += c.bytes;
        *bytes_by_country
            .entry(c.dst_asn)
            .or_default()
            .entry(c.dst_country)
            .or_default() += c.bytes;
        *in_zone
            .entry(crate::samples::net_key(c.src_asn, c.src_country))
            .or_default() |= zone_has(c.src_country);
        *in_zone
            .entry(crate::samples::net_key(c.dst_asn, c.dst_country))
            .or_default() |= zone_has(c.dst_country);
    }
    let country_of = |n: &Net| -> Option<Country> {
        if n.0 == 0 {
            return n.1;
        }
        bytes_by_country.get(&n.0).and_then(|m| {
            m.iter()
                .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                .and_then(|(c, _)| *c)
        })
    };
    let mut mixes: BTreeMap<Net, ([u64; 7], u64)> = BTreeMap::new();
    for r in &pair_rows {
        let s = r.sizes.unwrap_or([0; 7]);
        let bytes = r.bytes();
        let src = crate::samples::net_key(r.src_asn.unwrap_or(0), r.src_country);
        let dst = crate::samples::net_key(r.dst_asn.unwrap_or(0), r.dst_country);
        let mut add = |n: Net| {
            let e = mixes.entry(n).or_insert(([0; 7], 0));
            for (a, b) in e.0.iter_mut().zip(s.iter()) {
                *a += b;
            }
            e.1 += bytes;
        };
        add(src);
        if dst != src {
            add(dst);
        }
    }

    let empty: Vec<SampleRec> = Vec::new();
    let samples_of = |k: SeriesKind, n: &Net| by_kind.get(&(k, *n)).map_or(&empty, |r| &r.samples);
    let nets: std::collections::BTreeSet<Net> = by_kind
        .keys()
        .filter(|(k, _)| matches!(k, SeriesKind::NetworkIn | SeriesKind::NetworkOut))
        .map(|(_, n)| *n)
        .collect();
    let mut networks: Vec<NetworkRate> = nets
        .iter()
        .map(|n| {
            let (b, bytes) = mixes.get(n).copied().unwrap_or(([0; 7], 0));
            NetworkRate {
                asn: n.0,
                country: country_of(n),
                name: x.names.get(&n.0).cloned(),
                inbound: rate(samples_of(SeriesKind::NetworkIn, n), &span),
                outbound: rate(samples_of(SeriesKind::NetworkOut, n), &span),
                packet_sizes: size_mix(&b, bytes),
            }
        })
        .collect();
    networks.sort_by(|a, b| {
        (b.inbound.bytes + b.outbound.bytes)
            .cmp(&(a.inbound.bytes + a.outbound.bytes))
            .then(a.asn.cmp(&b.asn))
            .then(a.country.cmp(&b.country))
    });
    networks.truncate(cfg.top);
    rep.networks = networks;

    let mut pairs: Vec<(u64, &SeriesRow)> = pair_rows.iter().map(|r| (r.bytes(), *r)).collect();
    pairs.sort_by(|a, b| {
        b.0.cmp(&a.0).then(
            (a.1.src_asn, a.1.dst_asn, a.1.src_country, a.1.dst_country).cmp(&(
                b.1.src_asn,
                b.1.dst_asn,
                b.1.src_country,
                b.1.dst_country,
            )),
        )
    });
    rep.pairs = pairs
        .into_iter()
        .take(cfg.top)
        .map(|(_, r)| PairRate {
            src_asn: r.src_asn.unwrap_or(0),
            dst_asn: r.dst_asn.unwrap_or(0),
            src_country: r.src_country,
            dst_country: r.dst_country,
            rate: rate(&r.samples, &span),
        })
        .collect();

    let Some(_) = x.zone else {
        return rep;
    };
    let link_samples = |name: &str, k: SeriesKind| link_rows.get(&(name, k)).map(|r| &r.samples);
    rep.links = x
        .links
        .iter()
        .map(|l| LinkRate {
            name: l.name.clone(),
            asn: l.asn,
            country: l.country,
            inbound: rate(
                link_samples(&l.name, SeriesKind::LinkIn).unwrap_or(&empty),
                &span,
            ),
            outbound: rate(
                link_samples(&l.name, SeriesKind::LinkOut).unwrap_or(&empty),
                &span,
            ),
            unknown_direction: link_samples(&l.name, SeriesKind::LinkUnknown)
                .map(|s| rate(s, &span)),
        })
        .collect();

    let hairpin_nets: Vec<Net> = by_kind
        .keys()
        .filter(|(k, _)| matches!(k, SeriesKind::HairpinIn | SeriesKind::HairpinOut))
        .map(|(_, n)| *n)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let asns_given = cfg.what_if_asns.is_some();
    let targets: Vec<Net> = match &cfg.what_if_asns {
        Some(v) => v.iter().map(|&a| (a, None)).collect(),
        None => hairpin_nets
            .iter()
            .filter(|n| n.0 != 0 && in_zone.get(n).copied().unwrap_or(false))
            .copied()
            .collect(),
    };
    let plan = |n: &Net| {
        let hin = rate(samples_of(SeriesKind::HairpinIn, n), &span);
        let hout = rate(samples_of(SeriesKind::HairpinOut, n), &span);
        let p95 = hin.p95_mbps.max(hout.p95_mbps);
        (hin, hout, p95)
    };
    let mut ports = Vec::new();
    let mut total = 0.0;
    for n in &targets {
        let (hin, hout, p95) = plan(n);
        let needed = p95 * cfg.growth / cfg.port_target;
        let port = cfg
            .port_speeds_gbps
            .iter()
            .copied()
            .find(|&g| g * 1000.0 >= needed);
        let saved = p95 * cfg.transit_price;
        total += saved;
        ports.push(PortPlan {
            asn: n.0,
            country: country_of(n),
            name: x.names.get(&n.0).cloned(),
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
    let unknown_networks = hairpin_nets
        .iter()
        .filter(|n| n.0 == 0 && (asns_given || in_zone.get(n).copied().unwrap_or(false)))
        .map(|n| {
            let (hin, hout, p95) = plan(n);
            UnknownNetwork {
                country: n.1,
                p95_mbps: p95,
                bytes: hin.bytes + hout.bytes,
            }
        })
        .collect();
    rep.what_if = Some(WhatIf {
        asns: targets.iter().map(|n| n.0).collect(),
        ports,
        total_transit_saved_usd_per_month: total,
        unknown_networks,
        asns_given,
    });
    rep
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

    fn span(c: &SizingConfig, first_ns: i64, last_ns: i64) -> Span {
        Span::new(c, &TimeSpan::of(Some((first_ns, last_ns)))).unwrap()
    }

    fn rec(index: i64, bytes: u64, packets: u64, pb: u64, pp: u64) -> SampleRec {
        SampleRec {
            index,
            bytes,
            packets,
            peak_bin_bytes: pb,
            peak_bin_packets: pp,
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
    fn samples_partial_intervals_by_hand() {
        // 1 s bins, 4 s samples. Span from bin 2 to bin 9 (8 s):
        // samples: 0 = bins [2,3] (partial, 2 s), 1 = [4..7] (4 s), 2 = [8,9] (partial, 2 s).
        // Traffic: bin 2: 1000 B/1 p; bin 5: 4000 B/4 p; bin 7: 8000 B/2 p; bin 9: 100 B/1 p.
        let c = cfg(1, 4);
        let sp = span(&c, 2_000_000_000, 9_999_999_999);
        assert_eq!(sp.samples(), 3);
        let s = [
            rec(0, 1000, 1, 1000, 1),
            rec(1, 12_000, 6, 8000, 4),
            rec(2, 100, 1, 100, 1),
        ];
        let r = rate(&s, &sp);
        assert_eq!(r.bytes, 13_100);
        assert_eq!(r.packets, 8);
        assert_eq!(r.samples, 3);
        // B/s: 1000/2 = 500, 12000/4 = 3000, 100/2 = 50; p95 = ceil(2.85) = 3rd = 3000 B/s
        assert!((r.p95_mbps - 0.024).abs() < 1e-12);
        assert!((r.p90_mbps - 0.024).abs() < 1e-12);
        assert!((r.max_mbps - 0.024).abs() < 1e-12);
        // avg: 13100 B / 8 s = 1637.5 B/s = 0.0131 Mbps
        assert!((r.avg_mbps - 0.0131).abs() < 1e-12);
        // peak bin: 8000 B in 1 s = 0.064 Mbps; 4 packets in 1 s
        assert!((r.peak_bin_mbps - 0.064).abs() < 1e-12);
        assert_eq!(r.peak_bin_pps, 4.0);
        // one point per sample: 500, 3000, 50 B/s
        assert_eq!(r.series_mbps.len(), 3);
        assert_eq!(r.series_step_s, 4.0);
        assert!((r.series_mbps[1] - 0.024).abs() < 1e-12);
        assert!((r.series_mbps[2] - 0.0004).abs() < 1e-12);
        // pps: 0.5, 1.5, 0.5 → p95 = 1.5
        assert_eq!(r.p95_pps, 1.5);
    }

    #[test]
    fn long_spans_are_averaged_down() {
        // 30 days of 5-minute samples = 8640 samples → step 5 samples per point
        let c = cfg(1, 300);
        let days = 30 * 86_400i64;
        let sp = span(&c, 0, (days - 1) * 1_000_000_000);
        let s: Vec<SampleRec> = (0..8640)
            .map(|k| rec(k, 37_500_000, 300, 125_000, 1))
            .collect();
        let r = rate(&s, &sp);
        assert_eq!(r.samples, 8640);
        assert_eq!(r.series_step_s, 1500.0);
        assert_eq!(r.series_mbps.len(), 1728);
        // 37.5 MB per 300 s = 125 kB/s = 1 Mbps
        assert!(r.series_mbps.iter().all(|&x| (x - 1.0).abs() < 1e-9));
        assert!((r.p95_mbps - 1.0).abs() < 1e-9);
    }

    #[test]
    fn port_names() {
        assert_eq!(port_name(10.0), "10GE");
        assert_eq!(port_name(2.5), "2.5GE");
    }
}
