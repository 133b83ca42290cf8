//! Detour latency dot plot (inline SVG): per AS pair, the detour time's p50/p90/p99 on a
//! range bar, the fastest TCP handshake as a second marker, and the domestic RTT floor.

use crate::axis::value_ticks;
use crate::escape::html;
use crate::format;
use crate::model::{Handshake, Quantiles};
use std::fmt::Write as _;

/// One row of the plot.
#[derive(Clone, Debug)]
pub struct LatencyRow {
    /// Short label shown left of the row.
    pub label: String,
    /// Tooltip with the full pair description.
    pub title: String,
    /// Detour time quantiles, ms.
    pub detour: Option<Quantiles>,
    /// Handshake RTT evidence, ms.
    pub handshake: Option<Handshake>,
}

const W: f64 = 1000.0;
const LEFT: f64 = 330.0;
const RIGHT: f64 = 30.0;
const TOP: f64 = 40.0;
const ROW: f64 = 26.0;
const BOTTOM: f64 = 42.0;

/// Renders the dot plot; `floor_ms` is the domestic round-trip floor drawn as a vertical line.
pub fn latency_plot(rows: &[LatencyRow], floor_ms: f64, id: &str) -> String {
    let pw = W - LEFT - RIGHT;
    let h = TOP + ROW * rows.len() as f64 + BOTTOM;
    let vmax = rows
        .iter()
        .flat_map(|r| {
            let d = r.detour.map_or(0.0, |q| q.p99.max(q.p90).max(q.p50));
            let hs = r.handshake.map_or(0.0, |x| x.min);
            [d, hs]
        })
        .chain([floor_ms])
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    let ticks = value_ticks(vmax, 8);
    let top = *ticks.last().unwrap_or(&1.0);
    let x_of = |v: f64| LEFT + pw * (v / top).clamp(0.0, 1.0);
    let plot_bottom = TOP + ROW * rows.len() as f64;

    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart latency-chart" id="{id}" viewBox="0 0 {W} {h:.0}" style="max-width:{W}px" role="img" aria-label="detour time per AS pair, ms" xmlns="http://www.w3.org/2000/svg">"#
    );
    // Legend.
    let _ = write!(
        s,
        r#"<g class="legend"><line class="range" x1="{a}" x2="{b}" y1="14" y2="14"/><circle class="q50" cx="{a}" cy="14" r="4.5"/><text x="{t1}" y="18">detour p50</text><rect class="q90" x="{c}" y="10" width="8" height="8"/><text x="{t2}" y="18">p90</text><circle class="q99" cx="{d}" cy="14" r="4"/><text x="{t3}" y="18">p99</text><path class="hs" d="M{e},9 l5,9 l-10,0 z"/><text x="{t4}" y="18">fastest TCP handshake</text><line class="floor" x1="{f}" x2="{f}" y1="6" y2="22"/><text x="{t5}" y="18">domestic floor</text></g>"#,
        a = LEFT,
        b = LEFT + 40.0,
        t1 = LEFT + 48.0,
        c = LEFT + 126.0,
        t2 = LEFT + 140.0,
        d = LEFT + 180.0,
        t3 = LEFT + 190.0,
        e = LEFT + 236.0,
        t4 = LEFT + 248.0,
        f = LEFT + 410.0,
        t5 = LEFT + 418.0,
    );
    for v in &ticks {
        let x = x_of(*v);
        let _ = write!(
            s,
            r#"<line class="grid-x" x1="{x:.1}" x2="{x:.1}" y1="{TOP}" y2="{plot_bottom:.1}"/><text class="tick" x="{x:.1}" y="{ty:.1}" text-anchor="middle">{l}</text>"#,
            ty = plot_bottom + 16.0,
            l = format::sig(*v, 3)
        );
    }
    let _ = write!(
        s,
        r#"<text class="axis-title" x="{x:.1}" y="{y:.1}" text-anchor="middle">milliseconds</text>"#,
        x = LEFT + pw / 2.0,
        y = h - 6.0
    );
    for (i, r) in rows.iter().enumerate() {
        let cy = TOP + ROW * (i as f64 + 0.5);
        if i % 2 == 1 {
            let _ = write!(
                s,
                r#"<rect class="band" x="0" y="{y:.1}" width="{W}" height="{ROW}"/>"#,
                y = cy - ROW / 2.0
            );
        }
        let _ = write!(
            s,
            r#"<text class="row-label" x="{x:.1}" y="{y:.1}" text-anchor="end"><title>{t}</title>{l}</text>"#,
            x = LEFT - 10.0,
            y = cy + 4.0,
            t = html(&r.title),
            l = html(&r.label)
        );
        if let Some(q) = r.detour {
            let _ = write!(
                s,
                r#"<g class="detour" data-p50="{p50}" data-p90="{p90}" data-p99="{p99}"><title>detour p50 {a}, p90 {b}, p99 {c} ({n} matched packets)</title><line class="range" x1="{x50:.1}" x2="{x99:.1}" y1="{cy:.1}" y2="{cy:.1}"/><rect class="q90" x="{x90m:.1}" y="{ym:.1}" width="8" height="8"/><circle class="q99" cx="{x99:.1}" cy="{cy:.1}" r="4"/><circle class="q50" cx="{x50:.1}" cy="{cy:.1}" r="4.5"/></g>"#,
                p50 = q.p50,
                p90 = q.p90,
                p99 = q.p99,
                a = format::ms(q.p50),
                b = format::ms(q.p90),
                c = format::ms(q.p99),
                n = format::count(q.samples),
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
                r#"<path class="hs" data-value="{v}" d="M{x:.1},{y:.1} l5,9 l-10,0 z"><title>fastest TCP handshake {m} (median {p}, {n} handshakes)</title></path>"#,
                v = hs.min,
                y = cy - 5.0,
                m = format::ms(hs.min),
                p = format::ms(hs.p50),
                n = format::count(hs.samples)
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

    #[test]
    fn rows_carry_quantiles_and_floor() {
        let rows = [LatencyRow {
            label: "AS1 → AS2".into(),
            title: "<x>".into(),
            detour: Some(Quantiles {
                samples: 10,
                p50: 40.0,
                p90: 55.0,
                p99: 80.0,
            }),
            handshake: Some(Handshake {
                samples: 3,
                min: 60.0,
                p50: 62.0,
                exceeds_domestic_floor: true,
            }),
        }];
        let svg = latency_plot(&rows, 8.0, "lat");
        assert!(svg.contains(r#"data-p50="40" data-p90="55" data-p99="80""#));
        assert!(svg.contains(r#"class="hs" data-value="60""#));
        assert!(svg.contains(r#"class="floor" data-value="8""#));
        assert!(svg.contains("&lt;x&gt;"));
        // Axis 0..80 (ticks of 10): p50 = 40 sits at the middle of the plot width.
        let mid = LEFT + (W - LEFT - RIGHT) / 2.0;
        assert!(
            svg.contains(&format!(r#"class="q50" cx="{mid:.1}""#)),
            "{svg}"
        );
    }
}
