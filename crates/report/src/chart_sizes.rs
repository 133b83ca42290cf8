//! A packet-size mix as a tiny inline SVG bar chart (one bar per size range), for tables.

use crate::escape::html;
use crate::format;
use crate::model::SizeMix;
use std::fmt::Write as _;

const BAR_W: f64 = 11.0;
const GAP: f64 = 2.0;
const H: f64 = 22.0;

/// Renders the mix; each bar's height is its share of packets, the tooltip lists every range.
pub fn size_mix(mix: &SizeMix) -> String {
    let n = mix.buckets.len();
    let total = mix
        .buckets
        .iter()
        .map(|b| b.packets)
        .fold(0u64, u64::saturating_add);
    let w = n as f64 * (BAR_W + GAP);
    let title = mix
        .buckets
        .iter()
        .map(|b| {
            format!(
                "{} B: {} packets ({})",
                b.range,
                format::count(b.packets),
                format::percent(if total > 0 {
                    b.packets as f64 / total as f64
                } else {
                    0.0
                })
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="size-mix" width="{w:.0}" height="{H}" viewBox="0 0 {w:.0} {H}" role="img" aria-label="packet sizes" xmlns="http://www.w3.org/2000/svg"><title>{t}</title>"#,
        t = html(&title)
    );
    for (i, b) in mix.buckets.iter().enumerate() {
        let share = if total > 0 {
            b.packets as f64 / total as f64
        } else {
            0.0
        };
        let h = (share * (H - 1.0)).max(if b.packets > 0 { 1.0 } else { 0.0 });
        let _ = write!(
            s,
            r#"<rect class="size-bar" data-value="{p}" x="{x:.1}" y="{y:.1}" width="{BAR_W}" height="{h:.1}"/>"#,
            p = b.packets,
            x = i as f64 * (BAR_W + GAP),
            y = H - h,
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SizeBucket;

    #[test]
    fn bars_are_proportional_to_packets() {
        let mix = SizeMix {
            packets: 4,
            mean: 700.0,
            buckets: vec![
                SizeBucket {
                    range: "0-64".into(),
                    packets: 1,
                },
                SizeBucket {
                    range: "65-127".into(),
                    packets: 0,
                },
                SizeBucket {
                    range: "1500+".into(),
                    packets: 3,
                },
            ],
        };
        let svg = size_mix(&mix);
        // 3 of 4 packets: 0.75 × 21 = 15.75 high; 1 of 4: 5.25; none: 0.
        assert!(
            svg.contains(r#"data-value="3" x="26.0" y="6.2" width="11" height="15.8""#),
            "{svg}"
        );
        assert!(
            svg.contains(r#"data-value="1" x="0.0" y="16.8" width="11" height="5.2""#),
            "{svg}"
        );
        assert!(
            svg.contains(r#"data-value="0" x="13.0" y="22.0" width="11" height="0.0""#),
            "{svg}"
        );
        assert!(svg.contains("1500+ B: 3 packets (75.0%)"));
    }
}
