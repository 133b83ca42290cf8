//! A packet-size mix as a tiny inline SVG bar chart (one bar per size range), for tables.

use crate::escape::html;
use crate::format;
use std::fmt::Write as _;
use trombone_schema::SizeMix;

const BAR_W: f64 = 11.0;
const GAP: f64 = 2.0;
const H: f64 = 22.0;

/// The lower and upper bound of a range "65-127" or "1500+" (upper None: open).
fn bounds(range: &str) -> Option<(u64, Option<u64>)> {
    match range.strip_suffix('+') {
        Some(lo) => Some((lo.trim().parse().ok()?, None)),
        None => {
            let (lo, hi) = range.split_once('-')?;
            Some((lo.trim().parse().ok()?, Some(hi.trim().parse().ok()?)))
        }
    }
}

/// Renders the mix: one bar per range, its height the range's share of packets, and the
/// shares of small (up to 127 B) and large (1024 B and more) packets printed beside it.
pub fn size_mix(mix: &SizeMix) -> String {
    let n = mix.buckets.len();
    let total = mix
        .buckets
        .iter()
        .map(|b| b.packets)
        .fold(0u64, u64::saturating_add);
    let share = |p: u64| {
        if total > 0 {
            p as f64 / total as f64
        } else {
            0.0
        }
    };
    let w = n as f64 * (BAR_W + GAP);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<span class="size-mix-cell"><svg class="size-mix" width="{w:.0}" height="{H}" viewBox="0 0 {w:.0} {H}" role="img" aria-label="packets per size range" xmlns="http://www.w3.org/2000/svg">"#,
    );
    for (i, b) in mix.buckets.iter().enumerate() {
        let h = (share(b.packets) * (H - 1.0)).max(if b.packets > 0 { 1.0 } else { 0.0 });
        let _ = write!(
            s,
            r#"<rect class="size-bar" data-value="{p}" x="{x:.1}" y="{y:.1}" width="{BAR_W}" height="{h:.1}"/>"#,
            p = b.packets,
            x = i as f64 * (BAR_W + GAP),
            y = H - h,
        );
    }
    let small: u64 = mix
        .buckets
        .iter()
        .filter(|b| bounds(&b.range).is_some_and(|(_, hi)| hi.is_some_and(|h| h <= 127)))
        .map(|b| b.packets)
        .fold(0u64, u64::saturating_add);
    let large: u64 = mix
        .buckets
        .iter()
        .filter(|b| bounds(&b.range).is_some_and(|(lo, _)| lo >= 1024))
        .map(|b| b.packets)
        .fold(0u64, u64::saturating_add);
    let _ = write!(
        s,
        r#"</svg><span class="size-shares">{} ≤127 B · {} ≥1024 B</span></span>"#,
        html(&format::percent(share(small))),
        html(&format::percent(share(large)))
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use trombone_schema::SizeBucket;

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
        // 1 of 4 packets is at most 127 B, 3 of 4 at least 1024 B
        assert!(svg.contains("25.0% ≤127 B · 75.0% ≥1024 B"), "{svg}");
        assert!(!svg.contains("<title>"));
    }
}
