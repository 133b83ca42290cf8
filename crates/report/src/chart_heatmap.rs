//! The AS×AS heatmap (inline SVG): rows are source ASes, columns destination ASes, cell
//! colour is bytes on a log scale and each cell prints its bytes; ASes beyond the top N
//! are folded into "other ASes". Every label carries the country, so the addresses of no
//! known network (ASN 0) read "unknown AS · KH", one row and column per country, and
//! the margins are measured from the labels so that none is cut off.

use crate::colour::{text_on, LogScale, Rgb};
use crate::escape::html;
use crate::format;
use crate::names::{AsKey, Names};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// A heatmap axis entry: a real AS or the fold of the rest.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Axis {
    As(AsKey),
    Other(usize),
}

/// Picks the `n` keys with the most bytes; the rest become one `Other` entry. The named
/// ASes come first, then the unknown networks (ASN 0) of each country together, each
/// group by bytes.
fn top_axis(totals: &BTreeMap<AsKey, u64>, n: usize) -> (Vec<Axis>, BTreeMap<AsKey, usize>) {
    let mut v: Vec<(&AsKey, &u64)> = totals.iter().collect();
    v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let folded = v.len().saturating_sub(n);
    // Folding a single AS would hide its name for nothing: show it instead.
    let shown = if folded == 1 { v.len() } else { v.len().min(n) };
    let (head, tail) = v.split_at(shown);
    let mut head = head.to_vec();
    head.sort_by(|a, b| {
        (a.0.asn == 0)
            .cmp(&(b.0.asn == 0))
            .then(b.1.cmp(a.1))
            .then(a.0.cmp(b.0))
    });
    let mut axis = Vec::new();
    let mut index = BTreeMap::new();
    for (i, (k, _)) in head.iter().enumerate() {
        axis.push(Axis::As(**k));
        index.insert(**k, i);
    }
    for (k, _) in tail {
        index.insert(**k, shown);
    }
    if !tail.is_empty() {
        axis.push(Axis::Other(tail.len()));
    }
    (axis, index)
}

/// Characters of an AS name handle in a label (registry handles are shorter: only an
/// absurd one is shortened).
const LABEL_HANDLE: usize = 32;

/// Width of a label at the heatmap's 11.5 px label size, generously estimated (0.62 em a
/// character: registry handles are mostly capitals), so margins are never too small.
pub fn text_width(s: &str) -> f64 {
    s.chars().count() as f64 * 7.2
}

/// Renders the heatmap. `cells` are (source, destination, bytes); `id` must be unique in
/// the page (it names the legend gradient); at most `top` ASes per axis are shown.
pub fn heatmap(
    cells: &[(AsKey, AsKey, u64)],
    names: &Names,
    palette: &'static [Rgb],
    top: usize,
    id: &str,
) -> String {
    let mut row_tot: BTreeMap<AsKey, u64> = BTreeMap::new();
    let mut col_tot: BTreeMap<AsKey, u64> = BTreeMap::new();
    for (s, d, b) in cells {
        let e = row_tot.entry(*s).or_default();
        *e = e.saturating_add(*b);
        let e = col_tot.entry(*d).or_default();
        *e = e.saturating_add(*b);
    }
    let (rows, row_ix) = top_axis(&row_tot, top);
    let (cols, col_ix) = top_axis(&col_tot, top);
    let mut grid = vec![vec![0u64; cols.len()]; rows.len()];
    for (s, d, b) in cells {
        let cell = &mut grid[row_ix[s]][col_ix[d]];
        *cell = cell.saturating_add(*b);
    }
    let scale = LogScale::new(grid.iter().flatten().copied(), palette);

    let axis_label = |a: &Axis| -> String {
        match a {
            Axis::As(k) => names.short_cc(k, LABEL_HANDLE),
            Axis::Other(n) => format!("{n} other ASes"),
        }
    };
    let row_labels: Vec<String> = rows.iter().map(axis_label).collect();
    let col_labels: Vec<String> = cols.iter().map(axis_label).collect();
    // Margins measured from the labels: row labels end at the grid; column labels are
    // rotated 45° up and to the right from their column's centre.
    let widest = |v: &[String]| v.iter().map(|l| text_width(l)).fold(0.0, f64::max);
    let label_w = (widest(&row_labels) + 16.0).max(120.0);
    let cell_w = ((930.0 - label_w) / cols.len().max(1) as f64).clamp(44.0, 78.0);
    let cell_h = 30.0;
    let grid_w = cell_w * cols.len() as f64;
    let diag = std::f64::consts::FRAC_1_SQRT_2;
    let top_h = widest(&col_labels) * diag + 20.0;
    let right = col_labels
        .iter()
        .enumerate()
        .map(|(j, l)| cell_w * (j as f64 + 0.5) + text_width(l) * diag + 10.0 - grid_w)
        .fold(20.0, f64::max);
    let grid_h = cell_h * rows.len() as f64;
    let legend_h = 56.0;
    // Wide enough for the legend line too.
    let width = (label_w + grid_w + right).max(label_w + 520.0);
    let height = top_h + grid_h + legend_h;
    let small = cell_w < 56.0;

    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart heatmap" id="{id}" viewBox="0 0 {width:.0} {height:.0}" style="max-width:{width:.0}px" role="img" aria-label="AS by AS heatmap of bytes" xmlns="http://www.w3.org/2000/svg">"#
    );
    // Column labels, rotated.
    for (j, label) in col_labels.iter().enumerate() {
        let x = label_w + cell_w * (j as f64 + 0.5);
        let _ = write!(
            s,
            r#"<text class="col-label" transform="translate({x:.1},{y:.1}) rotate(-45)">{l}</text>"#,
            y = top_h - 8.0,
            l = html(label)
        );
    }
    // Rows: label then cells.
    for (i, label) in row_labels.iter().enumerate() {
        let y = top_h + cell_h * i as f64;
        let _ = write!(
            s,
            r#"<text class="row-label" x="{x:.1}" y="{ty:.1}" text-anchor="end">{l}</text>"#,
            x = label_w - 8.0,
            ty = y + cell_h / 2.0 + 4.0,
            l = html(label)
        );
        for (j, &v) in grid[i].iter().enumerate() {
            let x = label_w + cell_w * j as f64;
            let (fill, ink) = match scale.colour(v) {
                Some(f) => (f.hex(), text_on(f).hex()),
                None => ("#f4f5f7".to_string(), "#9aa0a6".to_string()),
            };
            let _ = write!(
                s,
                r#"<g class="cell" data-value="{v}"><rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}" fill="{fill}"/>"#,
                w = cell_w - 2.0,
                h = cell_h - 2.0,
            );
            if v > 0 {
                let _ = write!(
                    s,
                    r#"<text class="cell-value{cls}" x="{cx:.1}" y="{cy:.1}" text-anchor="middle" style="fill:{ink}">{t}</text>"#,
                    cls = if small { " small" } else { "" },
                    cx = x + (cell_w - 2.0) / 2.0,
                    cy = y + cell_h / 2.0 + 3.0,
                    t = html(&format::bytes(v))
                );
            }
            s.push_str("</g>");
        }
    }
    // Legend: a gradient along the palette, labelled with the scale's ends.
    let ly = top_h + grid_h + 22.0;
    let lw = 220.0;
    let _ = write!(s, r#"<defs><linearGradient id="{id}-grad">"#);
    let pal = scale.palette();
    for (k, c) in pal.iter().enumerate() {
        let _ = write!(
            s,
            r#"<stop offset="{o:.3}" stop-color="{c}"/>"#,
            o = 0.12 + 0.88 * k as f64 / (pal.len() - 1).max(1) as f64,
            c = c.hex()
        );
    }
    let _ = write!(
        s,
        r##"</linearGradient></defs><rect x="{lx:.1}" y="{ly:.1}" width="{lw:.1}" height="10" fill="url(#{id}-grad)" stroke="#c9ccd1" stroke-width="0.5"/><text class="legend" x="{lx:.1}" y="{ty:.1}">{min}</text><text class="legend" x="{rx:.1}" y="{ty:.1}" text-anchor="end">{max}</text><text class="legend" x="{tx:.1}" y="{my:.1}">bytes per cell (log scale); grey = none</text></svg>"##,
        lx = label_w,
        ty = ly + 24.0,
        my = ly + 9.0,
        rx = label_w + lw,
        tx = label_w + lw + 12.0,
        min = html(&format::bytes(scale.min() as u64)),
        max = html(&format::bytes(scale.max() as u64)),
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::colour::ORANGE_RED;

    fn k(asn: u32) -> AsKey {
        AsKey {
            asn,
            country: Some("KH".parse().unwrap()),
        }
    }

    #[test]
    fn folds_beyond_top_n_and_sums() {
        let mut t = BTreeMap::new();
        for (asn, b) in [(1, 50u64), (2, 40), (3, 30), (4, 20)] {
            t.insert(k(asn), b);
        }
        let (axis, ix) = top_axis(&t, 2);
        assert_eq!(axis, vec![Axis::As(k(1)), Axis::As(k(2)), Axis::Other(2)]);
        assert_eq!(ix[&k(3)], 2);
        assert_eq!(ix[&k(4)], 2);
        // One AS beyond the limit is shown rather than folded.
        let (axis, _) = top_axis(&t, 3);
        assert_eq!(axis.len(), 4);
        assert!(axis.iter().all(|a| matches!(a, Axis::As(_))));
    }

    #[test]
    fn cells_carry_values_and_escaped_names() {
        let mut m = BTreeMap::new();
        m.insert(1, "<b>EVIL</b> & co".to_string());
        let names = Names::new(m);
        let svg = heatmap(
            &[(k(1), k(2), 1500), (k(2), k(1), 0), (k(1), k(1), 7)],
            &names,
            &ORANGE_RED,
            12,
            "hm",
        );
        assert!(svg.contains(r#"data-value="1500""#));
        assert!(svg.contains("1.50 kB"));
        assert!(!svg.contains("<b>EVIL"));
        assert!(svg.contains("&lt;b&gt;EVIL&lt;/b&gt;"));
        // The largest cell gets the darkest colour of the palette.
        assert!(svg.contains(&format!(r#"fill="{}""#, ORANGE_RED[8].hex())));
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    }

    /// (x, y) of each rotated column label, in order.
    fn col_anchors(svg: &str) -> Vec<(f64, f64, String)> {
        svg.split(r#"<text class="col-label" transform="translate("#)
            .skip(1)
            .map(|p| {
                let (xy, rest) = p.split_once(')').unwrap();
                let (x, y) = xy.split_once(',').unwrap();
                let label = &rest[rest.find('>').unwrap() + 1..rest.find("</text>").unwrap()];
                (x.parse().unwrap(), y.parse().unwrap(), label.to_string())
            })
            .collect()
    }

    #[test]
    fn unknown_networks_are_one_column_per_country_and_labels_fit() {
        let cc = |s: &str| Some(s.parse().unwrap());
        let u = |c: &str| AsKey {
            asn: 0,
            country: cc(c),
        };
        let mut m = BTreeMap::new();
        m.insert(
            131_178,
            "SBN-AWN-IIG-AS-AP SBN-IIG/AWN-IIG transit provider".to_string(),
        );
        let names = Names::new(m);
        let long = AsKey {
            asn: 131_178,
            country: cc("KH"),
        };
        let cells = [
            (k(1), u("KH"), 500),
            (k(1), u("LA"), 400),
            (k(1), u("MM"), 300),
            (u("KH"), long, 200),
            (u("VN"), k(1), 100),
        ];
        let svg = heatmap(&cells, &names, &ORANGE_RED, 12, "hm");
        let cols = col_anchors(&svg);
        let labels: Vec<&str> = cols.iter().map(|c| c.2.as_str()).collect();
        // one column per country of the unknown addresses, each saying which, after AS 131178
        assert_eq!(
            labels,
            [
                "AS131178 SBN-AWN-IIG-AS-AP · KH",
                "AS1 · KH",
                "unknown AS · KH",
                "unknown AS · LA",
                "unknown AS · MM"
            ]
        );
        let mut sorted = labels.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(
            sorted.len(),
            labels.len(),
            "two columns read the same: {labels:?}"
        );
        for c in ["KH", "LA", "MM"] {
            assert!(
                labels.contains(&format!("unknown AS · {c}").as_str()),
                "{labels:?}"
            );
        }
        assert!(
            svg.contains(">unknown AS · VN</text>"),
            "row of the VN unknowns"
        );
        // every rotated label ends inside the picture: its far end is at
        // (x + w/√2, y − w/√2) for a label w wide
        let vb = &svg[svg.find("viewBox=\"0 0 ").unwrap() + 13..];
        let (w, rest) = vb.split_once(' ').unwrap();
        let h: f64 = rest[..rest.find('"').unwrap()].parse().unwrap();
        let w: f64 = w.parse().unwrap();
        assert!(h > 0.0);
        for (x, y, l) in &cols {
            let d = text_width(l) / 2f64.sqrt();
            assert!(x + d <= w, "{l} runs off the right edge");
            assert!(y - d >= 0.0, "{l} runs off the top");
        }
    }
}
