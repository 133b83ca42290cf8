//! Detour latency dot plot (inline SVG): per AS pair, the detour time's p50/p90/p99 on a
//! range bar, the fastest TCP handshake as a second marker, and the domestic RTT floor,
//! on a logarithmic axis so that a 2-second outlier does not squash 30–60 ms detours
//! against the left edge. The exact values are in the table printed beside it.

use crate::axis::{log_bounds, log_ticks};
use crate::escape::html;
use crate::format;
use std::fmt::Write as _;

/// Detour quantiles of one pair, ms.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Detour {
    /// Matched packets.
    pub samples: u64,
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
}

/// Handshake evidence of one pair, ms.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Handshake {
    /// Handshakes timed.
    pub samples: u64,
    /// Fastest.
    pub min: f64,
    /// Median.
    pub p50: f64,
}

/// One row of the plot.
#[derive(Clone, Debug)]
pub struct LatencyRow {
    /// Label shown left of the row.
    pub label: String,
    /// Detour time quantiles.
    pub detour: Option<Detour>,
    /// Handshake RTT evidence.
    pub handshake: Option<Handshake>,
}

/// Width of the plotting area.
pub const PLOT_W: f64 = 630.0;
/// Least room for the row labels.
const MIN_LEFT: f64 = 160.0;
/// Right margin.
pub const RIGHT: f64 = 40.0;

/// Room the row labels need (11.5 px text, generously 6.9 px a character).
fn left_margin(rows: &[LatencyRow]) -> f64 {
    let widest = rows
        .iter()
        .map(|r| r.label.chars().count())
        .max()
        .unwrap_or(0);
    (widest as f64 * 6.9 + 20.0).max(MIN_LEFT)
}
const TOP: f64 = 40.0;
const ROW: f64 = 26.0;
const BOTTOM: f64 = 44.0;

/// The axis of a plot of `rows` with the floor `floor_ms`: (low, high) ms.
pub fn latency_axis(rows: &[LatencyRow], floor_ms: f64) -> (f64, f64) {
    let values: Vec<f64> = rows
        .iter()
        .flat_map(|r| {
            let d = r.detour.map_or([f64::NAN; 3], |q| [q.p50, q.p90, q.p99]);
            let h = r.handshake.map_or(f64::NAN, |x| x.min);
            [d[0], d[1], d[2], h]
        })
        .chain([floor_ms])
        .filter(|v| v.is_finite() && *v > 0.0)
        .collect();
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(0.0, f64::max);
    log_bounds(min, max)
}

/// Renders the dot plot; `floor_ms` is the domestic round-trip floor drawn as a line.
/// The plot's x range is given as `data-x0`/`data-x1`, its axis as `data-lo`/`data-hi`.
pub fn latency_plot(rows: &[LatencyRow], floor_ms: f64, id: &str) -> String {
    let left = left_margin(rows);
    let pw = PLOT_W;
    let width = left + PLOT_W + RIGHT;
    let h = TOP + ROW * rows.len() as f64 + BOTTOM;
    let (lo, hi) = latency_axis(rows, floor_ms);
    let x_of = |v: f64| {
        let v = if v.is_finite() { v.clamp(lo, hi) } else { lo };
        left + pw * (v / lo).ln() / (hi / lo).ln()
    };
    let plot_bottom = TOP + ROW * rows.len() as f64;

    let x1 = left + pw;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart latency-chart" id="{id}" data-axis="log" data-lo="{lo}" data-hi="{hi}" data-x0="{left}" data-x1="{x1}" viewBox="0 0 {width} {h:.0}" style="max-width:{width}px" role="img" aria-label="detour time per AS pair, ms, logarithmic axis" xmlns="http://www.w3.org/2000/svg">"#
    );
    let _ = write!(
        s,
        r#"<g class="legend"><line class="range" x1="{a}" x2="{b}" y1="14" y2="14"/><circle class="q50" cx="{a}" cy="14" r="4.5"/><text x="{t1}" y="18">detour p50</text><rect class="q90" x="{c}" y="10" width="8" height="8"/><text x="{t2}" y="18">p90</text><circle class="q99" cx="{d}" cy="14" r="4"/><text x="{t3}" y="18">p99</text><path class="hs" d="M{e},9 l5,9 l-10,0 z"/><text x="{t4}" y="18">fastest TCP handshake</text><line class="floor" x1="{f}" x2="{f}" y1="6" y2="22"/><text x="{t5}" y="18">domestic floor</text></g>"#,
        a = left,
        b = left + 40.0,
        t1 = left + 48.0,
        c = left + 126.0,
        t2 = left + 140.0,
        d = left + 180.0,
        t3 = left + 190.0,
        e = left + 236.0,
        t4 = left + 248.0,
        f = left + 410.0,
        t5 = left + 418.0,
    );
    for v in log_ticks(lo, hi, 12) {
        let x = x_of(v);
        let _ = write!(
            s,
            r#"<line class="grid-x" x1="{x:.1}" x2="{x:.1}" y1="{TOP}" y2="{plot_bottom:.1}"/><text class="tick" x="{x:.1}" y="{ty:.1}" text-anchor="middle">{l}</text>"#,
            ty = plot_bottom + 16.0,
            l = format::plain(v)
        );
    }
    let _ = write!(
        s,
        r#"<text class="axis-title" x="{x:.1}" y="{y:.1}" text-anchor="middle">milliseconds (logarithmic scale)</text>"#,
        x = left + pw / 2.0,
        y = h - 6.0
    );
    for (i, r) in rows.iter().enumerate() {
        let cy = TOP + ROW * (i as f64 + 0.5);
        if i % 2 == 1 {
            let _ = write!(
                s,
                r#"<rect class="band" x="0" y="{y:.1}" width="{width}" height="{ROW}"/>"#,
                y = cy - ROW / 2.0
            );
        }
        let _ = write!(
            s,
            r#"<text class="row-label" x="{x:.1}" y="{y:.1}" text-anchor="end">{l}</text>"#,
            x = left - 10.0,
            y = cy + 4.0,
            l = html(&r.label)
        );
        if let Some(q) = r.detour {
            let _ = write!(
                s,
                r#"<g class="detour" data-p50="{p50}" data-p90="{p90}" data-p99="{p99}"><line class="range" x1="{x50:.1}" x2="{x99:.1}" y1="{cy:.1}" y2="{cy:.1}"/><rect class="q90" x="{x90m:.1}" y="{ym:.1}" width="8" height="8"/><circle class="q99" cx="{x99:.1}" cy="{cy:.1}" r="4"/><circle class="q50" cx="{x50:.1}" cy="{cy:.1}" r="4.5"/></g>"#,
                p50 = q.p50,
                p90 = q.p90,
                p99 = q.p99,
                x50 = x_of(q.p50),
                x99 = x_of(q.p99),
                x90m = x_of(q.p90) - 4.0,
                ym = cy - 4.0,
            );
        }
        if let Some(hs) = r.handshake {
            let x = x_of(hs.min);
            let _ = write!(
                s,
                r#"<path class="hs" data-value="{v}" d="M{x:.1},{y:.1} l5,9 l-10,0 z"/>"#,
                v = hs.min,
                y = cy - 5.0,
            );
        }
    }
    let fx = x_of(floor_ms);
    let _ = write!(
        s,
        r#"<line class="floor" data-value="{floor_ms}" x1="{fx:.1}" x2="{fx:.1}" y1="{y1:.1}" y2="{plot_bottom:.1}"/><text class="floor-label" x="{tx:.1}" y="{ty:.1}">floor {l}</text></svg>"#,
        y1 = TOP - 6.0,
        tx = fx + 4.0,
        ty = TOP - 8.0,
        l = html(&format::ms(floor_ms))
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(p50: f64, p90: f64, p99: f64) -> LatencyRow {
        LatencyRow {
            label: "<x>".into(),
            detour: Some(Detour {
                samples: 10,
                p50,
                p90,
                p99,
            }),
            handshake: None,
        }
    }

    /// The x of the `class` circle in the row whose data-p50 is `p50`.
    fn cx(svg: &str, p50: f64, class: &str) -> f64 {
        let g = &svg[svg.find(&format!(r#"data-p50="{p50}""#)).unwrap()..];
        let c = &g[g.find(&format!(r#"class="{class}" cx=""#)).unwrap() + 13 + class.len()..];
        c[..c.find('"').unwrap()].parse().unwrap()
    }

    #[test]
    fn one_slow_outlier_does_not_squash_the_others() {
        // Three pairs at 30, 45 and 60 ms and one whose p99 is a 2 s outlier; floor 9.75 ms.
        let rows = [
            row(30.0, 35.0, 40.0),
            row(45.0, 50.0, 55.0),
            row(60.0, 62.0, 2000.0),
        ];
        let svg = latency_plot(&rows, 9.75, "lat");
        // axis 5 ms .. 2 s (the 1-2-5 numbers around 9.75 and 2000): log10(400) decades
        assert!(
            svg.contains(r#"data-axis="log" data-lo="5" data-hi="2000""#),
            "{svg}"
        );
        let left = MIN_LEFT;
        let pw = PLOT_W;
        assert!(svg.contains(&format!(r#"data-x0="{left}" data-x1="{}""#, left + pw)));
        // by hand: x = left + pw × log10(v / 5) / log10(400)
        for v in [30.0, 45.0, 60.0] {
            let want = left + pw * (v / 5.0f64).log10() / 400f64.log10();
            assert!((cx(&svg, v, "q50") - want).abs() < 0.06, "{v}");
        }
        // 30 → 60 ms is log10 2 / log10 400 = 11.6% of the width, not 1.5% as on a linear
        // axis up to 2 s
        let gap = cx(&svg, 60.0, "q50") - cx(&svg, 30.0, "q50");
        assert!(gap > 0.11 * pw, "{gap}");
        // the outlier stays on the plot, at its right edge
        assert!((cx(&svg, 60.0, "q99") - (left + pw)).abs() < 0.06);
        assert!(svg.contains("&lt;x&gt;"));
        assert!(svg.contains("logarithmic"));
        assert!(svg.contains(r#"class="floor" data-value="9.75""#));
    }
}
