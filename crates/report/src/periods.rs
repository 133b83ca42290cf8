//! Traffic over days and weeks, from the per-sample series (`series.rows`).
//!
//! The same definitions as the result's own rates (README, "Rates and port sizing"): a
//! sample's rate is its bytes over the part of it inside the traffic's span (so a
//! partial first or last sample is not diluted), samples of the span without traffic
//! count as zero, and p95 is the nearest-rank percentile (sort ascending, take element
//! ⌈0.95 n⌉). A sample belongs to the day (UTC) or ISO week (Monday 00:00 UTC) its
//! start falls in; each period's p95 rests on that period's samples only.

use trombone_schema::{Country, Report, SampleRec, SeriesKind, SeriesRow, SeriesSet};

const NS: i128 = 1_000_000_000;
/// One day, ns.
pub const DAY_NS: i64 = 86_400_000_000_000;
/// One week, ns.
pub const WEEK_NS: i64 = 7 * DAY_NS;
/// 1970-01-05, the first Monday after the epoch, ns: weeks start on Mondays.
const MONDAY_NS: i64 = 4 * DAY_NS;

/// The traffic's span in bins and how bins group into samples.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SampleSpan {
    first_bin: i128,
    last_bin: i128,
    bin_ns: i128,
    per_sample: i128,
}

impl SampleSpan {
    /// The span of a result with series and timed packets (None otherwise).
    pub fn of(r: &Report) -> Option<SampleSpan> {
        let s = r.series.as_ref()?;
        let (f, l) = (r.time.first_ns?, r.time.last_ns?);
        let bin_ns = (s.bin_s * 1e9).round() as i128;
        let sample_ns = (s.sample_s * 1e9).round() as i128;
        if bin_ns <= 0 || sample_ns <= 0 || l < f {
            return None;
        }
        Some(SampleSpan {
            first_bin: i128::from(f).div_euclid(bin_ns),
            last_bin: i128::from(l).div_euclid(bin_ns),
            bin_ns,
            per_sample: (sample_ns / bin_ns).max(1),
        })
    }

    /// Sample length, ns.
    fn sample_ns(&self) -> i128 {
        self.per_sample * self.bin_ns
    }

    /// First and last sample index of the span.
    fn sample_range(&self) -> (i128, i128) {
        (
            self.first_bin.div_euclid(self.per_sample),
            self.last_bin.div_euclid(self.per_sample),
        )
    }

    /// Seconds of sample `k` inside the span.
    fn sample_secs(&self, k: i128) -> f64 {
        let lo = (k * self.per_sample).max(self.first_bin);
        let hi = (k * self.per_sample + self.per_sample - 1).min(self.last_bin);
        ((hi - lo + 1).max(0) * self.bin_ns) as f64 / 1e9
    }

    /// Start of sample `k`, ns.
    fn sample_start(&self, k: i128) -> i128 {
        k * self.sample_ns()
    }
}

/// Calendar periods.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeriodKind {
    /// A day, 00:00 to 24:00 UTC.
    Day,
    /// An ISO week, Monday 00:00 UTC to the next Monday.
    Week,
}

impl PeriodKind {
    /// "day" or "week".
    pub fn name(self) -> &'static str {
        match self {
            PeriodKind::Day => "day",
            PeriodKind::Week => "week",
        }
    }

    fn len_offset(self) -> (i128, i128) {
        match self {
            PeriodKind::Day => (i128::from(DAY_NS), 0),
            PeriodKind::Week => (i128::from(WEEK_NS), i128::from(MONDAY_NS)),
        }
    }
}

/// Figures of one series over one period.
#[derive(Clone, Debug, PartialEq)]
pub struct PeriodStat {
    /// Start of the period, ns since the epoch.
    pub start_ns: i64,
    /// End (exclusive), ns.
    pub end_ns: i64,
    /// Samples of the traffic's span that start in the period (what the p95 rests on).
    pub samples: u64,
    /// Seconds of the period inside the traffic's span.
    pub covered_s: f64,
    /// Bytes in the period.
    pub bytes: u64,
    /// Nearest-rank 95th percentile of the sample rates, Mbit/s.
    pub p95_mbps: f64,
    /// Highest sample rate, Mbit/s.
    pub max_mbps: f64,
    /// Bytes over the covered seconds, Mbit/s.
    pub avg_mbps: f64,
}

fn mbps(bytes: f64, secs: f64) -> f64 {
    if secs > 0.0 {
        bytes * 8.0 / secs / 1e6
    } else {
        0.0
    }
}

/// Nearest-rank percentile of ascending `sorted` values.
fn nearest_rank(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let n = sorted.len();
    let rank = ((q * n as f64).ceil() as usize).clamp(1, n);
    sorted[rank - 1]
}

/// Groups the span's samples into periods of `len` ns starting at `offset` (mod `len`):
/// calls `f(period_start, sample_index)` for every sample of the span, in order.
fn each_sample(span: &SampleSpan, len: i128, offset: i128, mut f: impl FnMut(i128, i128)) {
    let (k0, k1) = span.sample_range();
    // A span of more than 10 million samples is not a capture: stop rather than loop for ages.
    let k1 = k1.min(k0 + 10_000_000);
    for k in k0..=k1 {
        let t = span.sample_start(k);
        let p = (t - offset).div_euclid(len) * len + offset;
        f(p, k);
    }
}

/// The figures of `samples` (one series' records) per period of `kind`, for every period
/// the span touches, in time order.
pub fn periods(samples: &[SampleRec], span: &SampleSpan, kind: PeriodKind) -> Vec<PeriodStat> {
    let (len, offset) = kind.len_offset();
    by_period(samples, span, len, offset)
}

fn by_period(samples: &[SampleRec], span: &SampleSpan, len: i128, offset: i128) -> Vec<PeriodStat> {
    let mut out: Vec<(i128, Vec<f64>, f64, u64)> = Vec::new();
    let mut it = samples.iter().peekable();
    each_sample(span, len, offset, |p, k| {
        if out.last().is_none_or(|l| l.0 != p) {
            out.push((p, Vec::new(), 0.0, 0));
        }
        let secs = span.sample_secs(k);
        while it.peek().is_some_and(|s| i128::from(s.index) < k) {
            it.next();
        }
        let bytes = match it.peek() {
            Some(s) if i128::from(s.index) == k => s.bytes,
            _ => 0,
        };
        let e = out.last_mut().expect("pushed");
        e.1.push(mbps(bytes as f64, secs));
        e.2 += secs;
        e.3 = e.3.saturating_add(bytes);
    });
    out.into_iter()
        .map(|(p, mut rates, secs, bytes)| {
            rates.sort_by(f64::total_cmp);
            PeriodStat {
                start_ns: clamp_ns(p),
                end_ns: clamp_ns(p + len),
                samples: rates.len() as u64,
                covered_s: secs,
                bytes,
                p95_mbps: nearest_rank(&rates, 0.95),
                max_mbps: rates.last().copied().unwrap_or(0.0),
                avg_mbps: mbps(bytes as f64, secs),
            }
        })
        .collect()
}

fn clamp_ns(v: i128) -> i64 {
    v.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
}

/// The busiest clock hour (UTC) of one series: the hour whose samples carried the most
/// bytes per second of the span inside it. Samples longer than an hour make it the
/// busiest sample instead.
pub fn busiest_hour(samples: &[SampleRec], span: &SampleSpan) -> Option<PeriodStat> {
    let len = (3600 * NS).max(span.sample_ns());
    by_period(samples, span, len, 0)
        .into_iter()
        .filter(|p| p.bytes > 0)
        .max_by(|a, b| {
            a.avg_mbps
                .total_cmp(&b.avg_mbps)
                .then(b.start_ns.cmp(&a.start_ns))
        })
}

/// The rate of every sample of the span, Mbit/s, zeros included: one value per sample
/// from the first the span touches (at most `max` values: longer spans give the highest
/// of each run of samples).
pub fn sample_rates(samples: &[SampleRec], span: &SampleSpan) -> Vec<f64> {
    let mut out = Vec::new();
    let mut it = samples.iter().peekable();
    each_sample(span, i128::MAX / 4, 0, |_, k| {
        while it.peek().is_some_and(|s| i128::from(s.index) < k) {
            it.next();
        }
        let bytes = match it.peek() {
            Some(s) if i128::from(s.index) == k => s.bytes,
            _ => 0,
        };
        out.push(mbps(bytes as f64, span.sample_secs(k)));
    });
    out
}

impl SampleSpan {
    /// Start of the first sample of the span, ns.
    pub fn start_ns(&self) -> i64 {
        clamp_ns(self.sample_start(self.sample_range().0))
    }

    /// Sample length, seconds.
    pub fn sample_s(&self) -> f64 {
        self.sample_ns() as f64 / 1e9
    }
}

/// The in and out figures of one period (all traffic: in only).
pub type InOut = (Option<PeriodStat>, Option<PeriodStat>);

/// What a series or pair of series is about.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Subject {
    /// All traffic.
    Total,
    /// One link of the vantage (by its name in the links file).
    Link(String),
    /// One network (ASN; for ASN 0 the country of the unknown addresses).
    Network(u32, Option<Country>),
    /// The hairpinned traffic of one network.
    Hairpin(u32, Option<Country>),
}

/// A subject and its series: in and out (or the one series of all traffic).
#[derive(Clone, Debug)]
pub struct SubjectSeries<'a> {
    /// What it is about.
    pub subject: Subject,
    /// Traffic towards it (all traffic: the one series).
    pub inbound: Option<&'a SeriesRow>,
    /// Traffic from it.
    pub outbound: Option<&'a SeriesRow>,
    /// Bytes over both directions.
    pub bytes: u64,
}

impl SubjectSeries<'_> {
    /// Per period of `kind`: the in and out figures (all traffic: in only).
    pub fn periods(
        &self,
        span: &SampleSpan,
        kind: PeriodKind,
    ) -> Vec<(Option<PeriodStat>, Option<PeriodStat>)> {
        let a = self.inbound.map(|r| periods(&r.samples, span, kind));
        let b = self.outbound.map(|r| periods(&r.samples, span, kind));
        let n = a.as_ref().or(b.as_ref()).map_or(0, Vec::len);
        (0..n)
            .map(|i| {
                (
                    a.as_ref().and_then(|v| v.get(i).cloned()),
                    b.as_ref().and_then(|v| v.get(i).cloned()),
                )
            })
            .collect()
    }
}

/// The higher p95 of an in/out pair of period figures (the IXP convention for a port).
pub fn higher_p95(p: &InOut) -> f64 {
    let a = p.0.as_ref().map_or(0.0, |s| s.p95_mbps);
    let b = p.1.as_ref().map_or(0.0, |s| s.p95_mbps);
    a.max(b)
}

/// Every subject of a series set, all traffic first, then links, networks and hairpinned
/// traffic by bytes descending.
pub fn subjects(set: &SeriesSet) -> Vec<SubjectSeries<'_>> {
    use std::collections::BTreeMap;
    let mut m: BTreeMap<Subject, SubjectSeries<'_>> = BTreeMap::new();
    for row in &set.rows {
        let (subject, inbound) = match row.kind {
            SeriesKind::Total => (Subject::Total, true),
            SeriesKind::LinkIn | SeriesKind::LinkOut => (
                Subject::Link(row.link.clone().unwrap_or_default()),
                row.kind == SeriesKind::LinkIn,
            ),
            SeriesKind::NetworkIn | SeriesKind::NetworkOut => (
                Subject::Network(row.asn.unwrap_or(0), row.country),
                row.kind == SeriesKind::NetworkIn,
            ),
            SeriesKind::HairpinIn | SeriesKind::HairpinOut => (
                Subject::Hairpin(row.asn.unwrap_or(0), row.country),
                row.kind == SeriesKind::HairpinIn,
            ),
            SeriesKind::Pair | SeriesKind::HairpinPair | SeriesKind::LinkUnknown => continue,
        };
        let e = m.entry(subject.clone()).or_insert(SubjectSeries {
            subject,
            inbound: None,
            outbound: None,
            bytes: 0,
        });
        e.bytes = e.bytes.saturating_add(row.bytes());
        if inbound {
            e.inbound = Some(row);
        } else {
            e.outbound = Some(row);
        }
    }
    let mut v: Vec<SubjectSeries<'_>> = m.into_values().collect();
    let rank = |s: &Subject| match s {
        Subject::Total => 0,
        Subject::Link(_) => 1,
        Subject::Network(..) => 2,
        Subject::Hairpin(..) => 3,
    };
    v.sort_by(|a, b| {
        rank(&a.subject)
            .cmp(&rank(&b.subject))
            .then(b.bytes.cmp(&a.bytes))
            .then(a.subject.cmp(&b.subject))
    });
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(index: i64, bytes: u64) -> SampleRec {
        SampleRec {
            index,
            bytes,
            packets: 1,
            peak_bin_bytes: bytes,
            peak_bin_packets: 1,
        }
    }

    /// 10-second samples, 1-second bins, traffic from 00:00:05 to 00:00:34 (bins 5..=34).
    fn span() -> SampleSpan {
        SampleSpan {
            first_bin: 5,
            last_bin: 34,
            bin_ns: NS,
            per_sample: 10,
        }
    }

    #[test]
    fn partial_samples_are_divided_by_their_part_in_the_span() {
        // samples 0 (5 s inside), 1, 2 (10 s), 3 (5 s); sample 2 has no record: zero.
        let s = [rec(0, 5_000), rec(1, 20_000), rec(3, 2_500)];
        let p = periods(&s, &span(), PeriodKind::Day);
        assert_eq!(p.len(), 1);
        let d = &p[0];
        assert_eq!(d.samples, 4);
        assert_eq!(d.covered_s, 30.0);
        assert_eq!(d.bytes, 27_500);
        // rates: 5000*8/5 = 8000 b/s, 16000, 0, 4000 → sorted 0, 4000, 8000, 16000;
        // rank ⌈0.95 × 4⌉ = 4 → 16000 b/s = 0.016 Mb/s
        assert_eq!(d.p95_mbps, 0.016);
        assert_eq!(d.max_mbps, 0.016);
        assert!((d.avg_mbps - 27_500.0 * 8.0 / 30.0 / 1e6).abs() < 1e-15);
        assert_eq!(d.start_ns, 0);
        assert_eq!(d.end_ns, DAY_NS);
    }

    #[test]
    fn weeks_start_on_monday() {
        // one sample on Sunday 1970-01-04 12:00 and one on Monday 1970-01-05 12:00
        let day = 86_400i128;
        let sp = SampleSpan {
            first_bin: 3 * day + day / 2,
            last_bin: 4 * day + day / 2 + 3599,
            bin_ns: NS,
            per_sample: 3600,
        };
        let k0 = (3 * day + day / 2) / 3600;
        let k1 = (4 * day + day / 2) / 3600;
        let p = periods(
            &[rec(k0 as i64, 100), rec(k1 as i64, 200)],
            &sp,
            PeriodKind::Week,
        );
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].start_ns, -3 * DAY_NS); // Monday 1969-12-29
        assert_eq!(p[1].start_ns, 4 * DAY_NS); // Monday 1970-01-05
        assert_eq!((p[0].bytes, p[1].bytes), (100, 200));
    }

    #[test]
    fn busiest_hour_is_by_rate_not_bytes() {
        // hour 0 holds samples 0..=359 at 10 s; traffic only in hour 0 and hour 1.
        let sp = SampleSpan {
            first_bin: 1800,
            last_bin: 7199,
            bin_ns: NS,
            per_sample: 10,
        };
        // hour 0: 1800 s inside, 1.8 MB → 8000 b/s; hour 1: 3600 s, 3 MB → 6667 b/s
        let h = busiest_hour(&[rec(200, 1_800_000), rec(400, 3_000_000)], &sp).unwrap();
        assert_eq!(h.start_ns, 0);
        assert_eq!(h.covered_s, 1800.0);
    }
}
