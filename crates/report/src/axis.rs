//! Axis tick placement for the SVG charts: "nice" value ticks and calendar-aligned time ticks.

/// Up to about `target` evenly spaced round ticks (1, 2, 2.5 or 5 × 10^k) covering 0..=`max`.
///
/// Always starts at 0 and ends at the first tick at or above `max`, so the axis top is a tick.
pub fn value_ticks(max: f64, target: usize) -> Vec<f64> {
    let target = target.max(2);
    if !(max.is_finite() && max > 0.0) {
        return vec![0.0, 1.0];
    }
    let raw = max / target as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| max / s <= target as f64 + 1e-9)
        .unwrap_or(10.0 * mag);
    let n = (max / step - 1e-9).ceil().max(1.0) as usize;
    (0..=n).map(|i| i as f64 * step).collect()
}

/// Candidate time steps in seconds, from 1 s to 1 week.
const TIME_STEPS: [i64; 20] = [
    1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400,
    172_800, 604_800,
];

/// Ticks for a time axis from `start_s` to `end_s` (seconds, any origin): the smallest
/// calendar-friendly step giving at most `target` ticks, aligned to multiples of the step.
/// Returns (step, tick positions).
pub fn time_ticks(start_s: f64, end_s: f64, target: usize) -> (i64, Vec<f64>) {
    let target = target.max(2) as f64;
    let span = (end_s - start_s).max(1.0);
    if !(start_s.is_finite() && end_s.is_finite() && span.is_finite()) {
        return (1, Vec::new());
    }
    let step = TIME_STEPS
        .iter()
        .map(|&s| s as f64)
        .find(|&s| span / s <= target)
        .unwrap_or_else(|| (span / target / 604_800.0).ceil().max(1.0) * 604_800.0);
    let first = (start_s / step).ceil() * step;
    // At most target + 1 ticks by construction; the bound also stops float stalls.
    let ticks = (0..=target as usize + 1)
        .map(|i| first + i as f64 * step)
        .filter(|t| *t <= end_s + 1e-9)
        .collect();
    (step.min(i64::MAX as f64) as i64, ticks)
}

/// The 1-2-5 steps of a logarithmic axis.
const LOG_STEPS: [f64; 3] = [1.0, 2.0, 5.0];

/// Bounds of a logarithmic axis holding every value of `min..=max` (both > 0): the largest
/// 1-2-5 number at or below `min` and the smallest at or above `max`, at least a decade
/// apart. Non-positive or non-finite input gives 1..10.
pub fn log_bounds(min: f64, max: f64) -> (f64, f64) {
    if !(min.is_finite() && max.is_finite() && min > 0.0 && max >= min) {
        return (1.0, 10.0);
    }
    let below = |v: f64| {
        let mag = 10f64.powf(v.log10().floor());
        LOG_STEPS
            .iter()
            .rev()
            .map(|m| m * mag)
            .find(|s| *s <= v * (1.0 + 1e-12))
            .unwrap_or(mag)
    };
    let above = |v: f64| {
        let mag = 10f64.powf(v.log10().floor());
        LOG_STEPS
            .iter()
            .chain([10.0].iter())
            .map(|m| m * mag)
            .find(|s| *s >= v * (1.0 - 1e-12))
            .unwrap_or(10.0 * mag)
    };
    let lo = below(min);
    let hi = above(max).max(lo * 10.0);
    (lo, hi)
}

/// Ticks of a logarithmic axis from `lo` to `hi`: every 1-2-5 number between them, or
/// only the powers of ten (and the ends) when that would be more than `target`.
pub fn log_ticks(lo: f64, hi: f64, target: usize) -> Vec<f64> {
    if !(lo > 0.0 && hi > lo && lo.is_finite() && hi.is_finite()) {
        return vec![1.0, 10.0];
    }
    let k0 = lo.log10().floor() as i32;
    let k1 = hi.log10().ceil() as i32;
    let within = |v: &f64| *v >= lo * (1.0 - 1e-9) && *v <= hi * (1.0 + 1e-9);
    let all: Vec<f64> = (k0..=k1)
        .flat_map(|k| LOG_STEPS.iter().map(move |m| m * 10f64.powi(k)))
        .filter(within)
        .collect();
    if all.len() <= target.max(2) {
        return all;
    }
    let mut v: Vec<f64> = (k0..=k1).map(|k| 10f64.powi(k)).filter(within).collect();
    for end in [lo, hi] {
        if !v.iter().any(|t| (t / end - 1.0).abs() < 1e-9) {
            v.push(end);
        }
    }
    v.sort_by(f64::total_cmp);
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_ticks_are_round_and_cover_max() {
        assert_eq!(value_ticks(10.0, 5), vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
        assert_eq!(value_ticks(7.3, 5), vec![0.0, 2.0, 4.0, 6.0, 8.0]);
        assert_eq!(
            value_ticks(950.0, 4),
            vec![0.0, 250.0, 500.0, 750.0, 1000.0]
        );
        assert_eq!(value_ticks(0.03, 3), vec![0.0, 0.01, 0.02, 0.03]);
        assert_eq!(value_ticks(0.0, 5), vec![0.0, 1.0]);
        assert_eq!(value_ticks(f64::NAN, 5), vec![0.0, 1.0]);
    }

    #[test]
    fn value_ticks_never_exceed_target_by_more_than_one() {
        for i in 1..2000 {
            let max = f64::from(i) * 0.731;
            let t = value_ticks(max, 5);
            assert!(t.len() <= 6, "{max}: {t:?}");
            assert!(*t.last().unwrap() >= max, "{max}: {t:?}");
        }
    }

    #[test]
    fn log_axis_bounds_and_ticks() {
        // detours of 30-60 ms with a 2 s outlier and a 9.75 ms floor
        assert_eq!(log_bounds(9.75, 2000.9), (5.0, 5000.0));
        assert_eq!(log_bounds(30.0, 60.0), (20.0, 200.0));
        assert_eq!(log_bounds(1.0, 1.0), (1.0, 10.0));
        assert_eq!(log_bounds(0.0, 5.0), (1.0, 10.0));
        assert_eq!(
            log_ticks(5.0, 5000.0, 12),
            vec![5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0, 2000.0, 5000.0]
        );
        assert_eq!(
            log_ticks(1.0, 1e6, 8),
            vec![1.0, 10.0, 100.0, 1e3, 1e4, 1e5, 1e6]
        );
    }

    #[test]
    fn time_ticks_align_to_the_clock() {
        // One hour from 10:00:00 -> every 10 minutes (6 ticks would need 600 s: 3600/600 = 6).
        let (step, t) = time_ticks(36_000.0, 39_600.0, 6);
        assert_eq!(step, 600);
        assert_eq!(t.first(), Some(&36_000.0));
        assert_eq!(t.last(), Some(&39_600.0));
        assert_eq!(t.len(), 7);
        // 90 s starting at 12.5 s -> 15 s steps starting at 15 s.
        let (step, t) = time_ticks(12.5, 102.5, 6);
        assert_eq!(step, 15);
        assert_eq!(t, vec![15.0, 30.0, 45.0, 60.0, 75.0, 90.0]);
        // Absurd spans give week multiples, never an overflow.
        let (step, t) = time_ticks(0.0, 1e300, 8);
        assert!(step > 0 && t.len() <= 9);
        assert_eq!(time_ticks(0.0, f64::INFINITY, 8).1, Vec::<f64>::new());
    }
}
