//! Rate-over-time line charts (inline SVG) with each series' p95 drawn as a labelled dashed line.

use crate::axis::{time_ticks, value_ticks};
use crate::escape::html;
use crate::format;
use std::fmt::Write as _;

/// One line of a rate chart.
#[derive(Clone, Debug)]
pub struct Series<'a> {
    /// Legend text ("in", "out").
    pub label: &'a str,
    /// CSS class selecting its colour (`s-in`, `s-out`).
    pub class: &'a str,
    /// Mb/s per step.
    pub values: &'a [f64],
    /// Seconds per value.
    pub step_s: f64,
    /// The p95 of the sampled rate, Mb/s, drawn as a dashed line.
    pub p95_mbps: f64,
}

/// Most points drawn per line; longer series are reduced to the maximum of each bucket so peaks survive.
pub const MAX_POINTS: usize = 720;

/// Reduces `v` to at most `max` points by taking each bucket's maximum; returns the points
/// and how many input values each point covers.
pub fn peak_downsample(v: &[f64], max: usize) -> (Vec<f64>, usize) {
    let max = max.max(1);
    if v.len() <= max {
        return (v.to_vec(), 1);
    }
    let per = v.len().div_ceil(max);
    let out = v
        .chunks(per)
        .map(|c| c.iter().copied().fold(f64::NEG_INFINITY, f64::max))
        .collect();
    (out, per)
}

/// Size and margins of a rate chart, in SVG user units (CSS pixels at natural size).
#[derive(Clone, Copy, Debug)]
pub struct Geometry {
    /// Total width.
    pub w: f64,
    /// Total height.
    pub h: f64,
    /// Room for the value axis labels.
    pub left: f64,
    /// Room for the p95 labels.
    pub right: f64,
    /// Space above the plot.
    pub top: f64,
    /// Room for the time axis.
    pub bottom: f64,
    /// Most time ticks.
    pub x_ticks: usize,
}

impl Geometry {
    /// A full-width chart.
    pub const WIDE: Geometry = Geometry {
        w: 1000.0,
        h: 250.0,
        left: 74.0,
        right: 130.0,
        top: 14.0,
        bottom: 40.0,
        x_ticks: 8,
    };
    /// A half-width chart for small multiples.
    pub const COMPACT: Geometry = Geometry {
        w: 500.0,
        h: 210.0,
        left: 66.0,
        right: 124.0,
        top: 12.0,
        bottom: 38.0,
        x_ticks: 4,
    };
}

/// Renders a rate chart. `start_ns` is the time of the first value (None: elapsed time axis).
pub fn rate_chart(series: &[Series<'_>], start_ns: Option<i64>, id: &str, g: Geometry) -> String {
    let Geometry {
        w,
        h,
        left,
        right,
        top,
        bottom,
        x_ticks,
    } = g;
    let pw = w - left - right;
    let ph = h - top - bottom;
    let duration = series
        .iter()
        .map(|s| s.values.len() as f64 * s.step_s)
        .fold(0.0, f64::max)
        .max(1e-9);
    let vmax = series
        .iter()
        .flat_map(|s| s.values.iter().copied().chain([s.p95_mbps]))
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    let yt = value_ticks(vmax, 5);
    let ytop = *yt.last().unwrap_or(&1.0);
    let x_of = |t: f64| left + pw * (t / duration).clamp(0.0, 1.0);
    let y_of = |v: f64| top + ph * (1.0 - (v / ytop).clamp(0.0, 1.0));

    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart rate-chart" id="{id}" viewBox="0 0 {w} {h}" style="max-width:{w}px" role="img" aria-label="rate over time, Mb/s" xmlns="http://www.w3.org/2000/svg">"#
    );
    // Y grid and labels.
    for v in &yt {
        let y = y_of(*v);
        let _ = write!(
            s,
            r#"<line class="grid" x1="{left}" x2="{x2:.1}" y1="{y:.1}" y2="{y:.1}"/><text class="tick" x="{tx:.1}" y="{ty:.1}" text-anchor="end">{l}</text>"#,
            x2 = left + pw,
            tx = left - 6.0,
            ty = y + 4.0,
            l = if *v == 0.0 {
                "0".to_string()
            } else {
                html(&format::mbps(*v))
            }
        );
    }
    // X ticks: clock time when the start is known, else elapsed seconds.
    let origin_s = start_ns.map_or(0.0, |ns| ns as f64 / 1e9);
    let (step, xt) = time_ticks(origin_s, origin_s + duration, x_ticks);
    for t in &xt {
        let x = x_of(t - origin_s);
        let ns = (t * 1e9) as i64;
        let label = match start_ns {
            // Over days: dates at day ticks, times of day between them.
            Some(_) if step >= 86_400 => format::date(ns)[5..].to_string(),
            Some(_) if duration > 86_400.0 && ns.rem_euclid(86_400_000_000_000) == 0 => {
                format::date(ns)[5..].to_string()
            }
            Some(_) => format::clock(ns, step < 60),
            None => format::duration(t - origin_s),
        };
        let _ = write!(
            s,
            r#"<line class="grid-x" x1="{x:.1}" x2="{x:.1}" y1="{top}" y2="{yb:.1}"/><text class="tick" x="{x:.1}" y="{ty:.1}" text-anchor="middle">{l}</text>"#,
            yb = top + ph,
            ty = top + ph + 16.0,
            l = html(&label)
        );
    }
    let _ = write!(
        s,
        r#"<text class="axis-title" x="{x:.1}" y="{y:.1}" text-anchor="middle">{t}</text>"#,
        x = left + pw / 2.0,
        y = h - 4.0,
        t = if start_ns.is_some() {
            "time (UTC)"
        } else {
            "time since start"
        }
    );
    let _ = write!(
        s,
        r#"<line class="axis" x1="{left}" x2="{x2:.1}" y1="{y:.1}" y2="{y:.1}"/>"#,
        x2 = left + pw,
        y = top + ph
    );
    // Lines.
    for se in series {
        let (pts, per) = peak_downsample(se.values, MAX_POINTS);
        let step = se.step_s * per as f64;
        let mut d = String::with_capacity(pts.len() * 14);
        for (i, v) in pts.iter().enumerate() {
            // Each value covers [i*step, (i+1)*step): plot it at the middle of its interval.
            let _ = write!(
                d,
                "{}{:.1},{:.1}",
                if i == 0 { "" } else { " " },
                x_of((i as f64 + 0.5) * step),
                y_of(if v.is_finite() { *v } else { 0.0 })
            );
        }
        let _ = write!(
            s,
            r#"<polyline class="series {c}" data-points="{n}" points="{d}"/>"#,
            c = html(se.class),
            n = se.values.len()
        );
    }
    // p95 lines last so they sit on top, labels at the right edge (nudged apart if they collide).
    let mut label_ys: Vec<f64> = Vec::new();
    for se in series {
        let y = y_of(se.p95_mbps);
        let mut ly = y + 4.0;
        for prev in &label_ys {
            if (ly - prev).abs() < 13.0 {
                ly = if ly <= *prev {
                    prev - 13.0
                } else {
                    prev + 13.0
                };
            }
        }
        label_ys.push(ly);
        let _ = write!(
            s,
            r#"<line class="p95 {c}" data-value="{v}" x1="{left}" x2="{x2:.1}" y1="{y:.1}" y2="{y:.1}"/><text class="p95-label {c}" x="{tx:.1}" y="{ly:.1}">p95 {l} {val}</text>"#,
            c = html(se.class),
            v = se.p95_mbps,
            x2 = left + pw,
            tx = left + pw + 6.0,
            l = html(se.label),
            val = html(&format::mbps(se.p95_mbps))
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn downsampling_keeps_peaks() {
        let v: Vec<f64> = (0..10).map(f64::from).collect();
        assert_eq!(peak_downsample(&v, 20), (v.clone(), 1));
        assert_eq!(peak_downsample(&v, 5), (vec![1.0, 3.0, 5.0, 7.0, 9.0], 2));
        // 10 values into at most 3 points: buckets of 4 (0-3, 4-7, 8-9).
        assert_eq!(peak_downsample(&v, 3), (vec![3.0, 7.0, 9.0], 4));
        let mut spike = vec![0.0; 1000];
        spike[517] = 42.0;
        let (p, _) = peak_downsample(&spike, 100);
        assert_eq!(p.iter().copied().fold(0.0, f64::max), 42.0);
    }

    #[test]
    fn chart_has_lines_and_labelled_p95() {
        let values = [10.0, 20.0, 30.0, 40.0];
        let svg = rate_chart(
            &[Series {
                label: "in",
                class: "s-in",
                values: &values,
                step_s: 1.0,
                p95_mbps: 38.5,
            }],
            Some(1_714_557_600_000_000_000),
            "c1",
            Geometry::WIDE,
        );
        assert!(svg.contains(r#"data-points="4""#));
        assert!(svg.contains(r#"class="p95 s-in" data-value="38.5""#));
        assert!(svg.contains("p95 in 38.5 Mb/s"));
        assert!(svg.contains("10:00:00"));
        assert!(svg.contains("time (UTC)"));
    }

    #[test]
    fn days_are_labelled_with_dates() {
        // three days of hourly values from 2024-04-11 00:00 UTC
        let values = vec![1.0; 72];
        let svg = rate_chart(
            &[Series {
                label: "in",
                class: "s-in",
                values: &values,
                step_s: 3600.0,
                p95_mbps: 1.0,
            }],
            Some(1_712_793_600_000_000_000),
            "c3",
            Geometry::WIDE,
        );
        assert!(svg.contains(">04-12<"), "{svg}");
        assert!(svg.contains(">04-13<"), "{svg}");
    }

    #[test]
    fn p95_line_sits_at_its_value() {
        // Axis top is 40 (ticks 0..40 by 10); a p95 of 20 is half-way down the plot.
        let values = [40.0, 0.0];
        let svg = rate_chart(
            &[Series {
                label: "out",
                class: "s-out",
                values: &values,
                step_s: 1.0,
                p95_mbps: 20.0,
            }],
            None,
            "c2",
            Geometry::WIDE,
        );
        let g = Geometry::WIDE;
        let mid = g.top + (g.h - g.top - g.bottom) / 2.0;
        assert!(
            svg.contains(&format!(
                r#"y1="{mid:.1}" y2="{mid:.1}"/><text class="p95-label"#
            )),
            "{svg}"
        );
    }
}
