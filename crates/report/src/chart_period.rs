//! Bars of one figure per calendar period (the daily or weekly p95), each bar's value
//! printed above it so the chart reads on paper.

use crate::axis::value_ticks;
use crate::escape::html;
use crate::format;
use std::fmt::Write as _;

/// One bar.
#[derive(Clone, Debug)]
pub struct Bar {
    /// Label under the bar ("04-11").
    pub label: String,
    /// Second line under it ("Thu").
    pub sub: String,
    /// Its value, Mbit/s (the period's p95).
    pub value: f64,
    /// A mark above it, Mbit/s (the period's highest sample).
    pub mark: f64,
}

const W: f64 = 1000.0;
const H: f64 = 230.0;
const LEFT: f64 = 74.0;
const RIGHT: f64 = 20.0;
const TOP: f64 = 24.0;
const BOTTOM: f64 = 44.0;

/// Renders the bars; `id` must be unique in the page.
pub fn period_chart(bars: &[Bar], id: &str) -> String {
    let pw = W - LEFT - RIGHT;
    let ph = H - TOP - BOTTOM;
    let vmax = bars
        .iter()
        .flat_map(|b| [b.value, b.mark])
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    let yt = value_ticks(vmax, 5);
    let ytop = *yt.last().unwrap_or(&1.0);
    let y_of = |v: f64| TOP + ph * (1.0 - (v / ytop).clamp(0.0, 1.0));
    let n = bars.len().max(1) as f64;
    let slot = pw / n;
    let bw = (slot * 0.6).min(60.0);
    // Print every value when they fit, else every k-th label and no values.
    let every = ((bars.len() as f64 * 46.0 / pw).ceil() as usize).max(1);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart period-chart" id="{id}" viewBox="0 0 {W} {H}" style="max-width:{W}px" role="img" aria-label="p95 per period, Mb/s" xmlns="http://www.w3.org/2000/svg">"#
    );
    for v in &yt {
        let y = y_of(*v);
        let _ = write!(
            s,
            r#"<line class="grid" x1="{LEFT}" x2="{x2:.1}" y1="{y:.1}" y2="{y:.1}"/><text class="tick" x="{tx:.1}" y="{ty:.1}" text-anchor="end">{l}</text>"#,
            x2 = LEFT + pw,
            tx = LEFT - 6.0,
            ty = y + 4.0,
            l = if *v == 0.0 {
                "0".to_string()
            } else {
                html(&format::mbps(*v))
            }
        );
    }
    for (i, b) in bars.iter().enumerate() {
        let cx = LEFT + slot * (i as f64 + 0.5);
        let y = y_of(b.value);
        let _ = write!(
            s,
            r#"<g class="bar" data-value="{v}" data-mark="{m}"><rect class="p95-bar" x="{x:.1}" y="{y:.1}" width="{bw:.1}" height="{h:.1}"/><line class="max-mark" x1="{x:.1}" x2="{x2:.1}" y1="{my:.1}" y2="{my:.1}"/>"#,
            v = b.value,
            m = b.mark,
            x = cx - bw / 2.0,
            h = (TOP + ph - y).max(0.0),
            x2 = cx + bw / 2.0,
            my = y_of(b.mark),
        );
        if every == 1 {
            let _ = write!(
                s,
                r#"<text class="bar-value" x="{cx:.1}" y="{ty:.1}" text-anchor="middle">{l}</text>"#,
                ty = y - 4.0,
                l = html(&format::mbps(b.value))
            );
        }
        if i % every == 0 {
            let _ = write!(
                s,
                r#"<text class="tick" x="{cx:.1}" y="{ty:.1}" text-anchor="middle">{l}</text><text class="tick" x="{cx:.1}" y="{ty2:.1}" text-anchor="middle">{sub}</text>"#,
                ty = TOP + ph + 15.0,
                ty2 = TOP + ph + 28.0,
                l = html(&b.label),
                sub = html(&b.sub)
            );
        }
        s.push_str("</g>");
    }
    let _ = write!(
        s,
        r#"<line class="axis" x1="{LEFT}" x2="{x2:.1}" y1="{y:.1}" y2="{y:.1}"/></svg>"#,
        x2 = LEFT + pw,
        y = TOP + ph
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_stand_at_their_values() {
        let bars = [
            Bar {
                label: "04-11".into(),
                sub: "Thu".into(),
                value: 20.0,
                mark: 40.0,
            },
            Bar {
                label: "04-12".into(),
                sub: "Fri".into(),
                value: 10.0,
                mark: 12.0,
            },
        ];
        let svg = period_chart(&bars, "p");
        // axis 0..40: a 20 Mb/s bar reaches half-way up the plot
        let ph = H - TOP - BOTTOM;
        assert!(
            svg.contains(&format!(r#"y="{:.1}""#, TOP + ph / 2.0)),
            "{svg}"
        );
        assert!(svg.contains(">20.0 Mb/s<"));
        assert!(svg.contains(">04-12<") && svg.contains(">Fri<"));
    }
}
