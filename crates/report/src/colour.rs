//! Colour scales for heatmaps and shaded tables: log-scaled sequential ramps and a
//! legible text colour for any cell.

/// An sRGB colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// CSS hex notation, "#rrggbb".
    pub fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }

    /// WCAG 2 relative luminance (0 black .. 1 white).
    pub fn luminance(self) -> f64 {
        fn lin(c: u8) -> f64 {
            let c = f64::from(c) / 255.0;
            if c <= 0.040_45 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        }
        0.2126 * lin(self.0) + 0.7152 * lin(self.1) + 0.0722 * lin(self.2)
    }
}

/// WCAG 2 contrast ratio of two colours (1..21).
pub fn contrast(a: Rgb, b: Rgb) -> f64 {
    let (la, lb) = (a.luminance(), b.luminance());
    let (hi, lo) = if la > lb { (la, lb) } else { (lb, la) };
    (hi + 0.05) / (lo + 0.05)
}

/// Dark text colour used on light cells.
pub const INK: Rgb = Rgb(0x1b, 0x1f, 0x24);
/// Light text colour used on dark cells.
pub const PAPER: Rgb = Rgb(0xff, 0xff, 0xff);

/// The text colour (ink or paper) with the higher contrast on `bg`.
pub fn text_on(bg: Rgb) -> Rgb {
    if contrast(INK, bg) >= contrast(PAPER, bg) {
        INK
    } else {
        PAPER
    }
}

/// ColorBrewer OrRd (9 classes): hairpin traffic, light to dark.
pub const ORANGE_RED: [Rgb; 9] = [
    Rgb(0xff, 0xf7, 0xec),
    Rgb(0xfe, 0xe8, 0xc8),
    Rgb(0xfd, 0xd4, 0x9e),
    Rgb(0xfd, 0xbb, 0x84),
    Rgb(0xfc, 0x8d, 0x59),
    Rgb(0xef, 0x65, 0x48),
    Rgb(0xd7, 0x30, 0x1f),
    Rgb(0xb3, 0x00, 0x00),
    Rgb(0x7f, 0x00, 0x00),
];

/// ColorBrewer Blues (9 classes): all traffic, light to dark.
pub const BLUES: [Rgb; 9] = [
    Rgb(0xf7, 0xfb, 0xff),
    Rgb(0xde, 0xeb, 0xf7),
    Rgb(0xc6, 0xdb, 0xef),
    Rgb(0x9e, 0xca, 0xe1),
    Rgb(0x6b, 0xae, 0xd6),
    Rgb(0x42, 0x92, 0xc6),
    Rgb(0x21, 0x71, 0xb5),
    Rgb(0x08, 0x51, 0x9c),
    Rgb(0x08, 0x30, 0x6b),
];

/// Linear interpolation along a palette; `t` is clamped to 0..1.
pub fn ramp(palette: &[Rgb], t: f64) -> Rgb {
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let n = palette.len();
    if n == 0 {
        return PAPER;
    }
    if n == 1 {
        return palette[0];
    }
    let x = t * (n - 1) as f64;
    let i = (x.floor() as usize).min(n - 2);
    let f = x - i as f64;
    let (a, b) = (palette[i], palette[i + 1]);
    let mix = |p: u8, q: u8| (f64::from(p) + (f64::from(q) - f64::from(p)) * f).round() as u8;
    Rgb(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// A logarithmic colour scale over the positive values of one chart.
#[derive(Clone, Copy, Debug)]
pub struct LogScale {
    min: f64,
    max: f64,
    palette: &'static [Rgb],
}

/// Where on the palette the smallest non-zero value lands, so it stays distinct from empty cells.
const FLOOR: f64 = 0.12;

impl LogScale {
    /// A scale spanning the positive values among `values` (zeros are "no traffic").
    pub fn new(values: impl IntoIterator<Item = u64>, palette: &'static [Rgb]) -> LogScale {
        let (mut min, mut max) = (f64::INFINITY, 0f64);
        for v in values.into_iter().filter(|&v| v > 0) {
            min = min.min(v as f64);
            max = max.max(v as f64);
        }
        if max == 0.0 {
            min = 1.0;
            max = 1.0;
        }
        LogScale { min, max, palette }
    }

    /// Position of `v` on the palette (0..1), `None` for zero.
    pub fn position(&self, v: u64) -> Option<f64> {
        if v == 0 {
            return None;
        }
        let span = (self.max / self.min).ln();
        let t = if span > 0.0 {
            ((v as f64 / self.min).ln() / span).clamp(0.0, 1.0)
        } else {
            1.0
        };
        Some(FLOOR + (1.0 - FLOOR) * t)
    }

    /// Fill colour of `v`, `None` for zero.
    pub fn colour(&self, v: u64) -> Option<Rgb> {
        self.position(v).map(|t| ramp(self.palette, t))
    }

    /// Smallest positive value of the scale.
    pub fn min(&self) -> f64 {
        self.min
    }

    /// Largest value of the scale.
    pub fn max(&self) -> f64 {
        self.max
    }

    /// The palette.
    pub fn palette(&self) -> &'static [Rgb] {
        self.palette
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_is_lowercase_css() {
        assert_eq!(Rgb(0xff, 0x08, 0x6b).hex(), "#ff086b");
    }

    #[test]
    fn luminance_endpoints() {
        assert_eq!(Rgb(0, 0, 0).luminance(), 0.0);
        assert!((Rgb(255, 255, 255).luminance() - 1.0).abs() < 1e-12);
        // Black on white is the WCAG maximum, 21:1.
        assert!((contrast(Rgb(0, 0, 0), PAPER) - 21.0).abs() < 1e-9);
    }

    #[test]
    fn ramp_hits_stops_and_midpoints() {
        let p = [Rgb(0, 0, 0), Rgb(200, 100, 50)];
        assert_eq!(ramp(&p, 0.0), Rgb(0, 0, 0));
        assert_eq!(ramp(&p, 1.0), Rgb(200, 100, 50));
        assert_eq!(ramp(&p, 0.5), Rgb(100, 50, 25));
        assert_eq!(ramp(&p, 7.0), Rgb(200, 100, 50));
        assert_eq!(ramp(&p, f64::NAN), Rgb(0, 0, 0));
        assert_eq!(ramp(&ORANGE_RED, 0.5), ORANGE_RED[4]);
    }

    #[test]
    fn palettes_darken_monotonically() {
        for pal in [&ORANGE_RED[..], &BLUES[..]] {
            let mut last = f64::INFINITY;
            for i in 0..=100 {
                let l = ramp(pal, f64::from(i) / 100.0).luminance();
                assert!(l <= last + 1e-9, "luminance rose at t={i}%");
                last = l;
            }
        }
    }

    #[test]
    fn text_is_legible_everywhere() {
        for pal in [&ORANGE_RED[..], &BLUES[..]] {
            for i in 0..=100 {
                let bg = ramp(pal, f64::from(i) / 100.0);
                // Ink and paper cross over at about 4.07:1, so the better one never falls below 4:1.
                assert!(contrast(text_on(bg), bg) >= 4.0, "t={i}% {}", bg.hex());
            }
        }
        assert_eq!(text_on(ORANGE_RED[0]), INK);
        assert_eq!(text_on(ORANGE_RED[8]), PAPER);
    }

    #[test]
    fn log_scale_positions() {
        let s = LogScale::new([0, 10, 1000, 100], &BLUES);
        assert_eq!(s.position(0), None);
        assert_eq!(s.position(10), Some(FLOOR));
        assert_eq!(s.position(1000), Some(1.0));
        // 100 is half-way between 10 and 1000 on a log axis.
        let mid = s.position(100).unwrap();
        assert!((mid - (FLOOR + (1.0 - FLOOR) * 0.5)).abs() < 1e-12);
        assert_eq!(s.colour(1000), Some(BLUES[8]));
    }

    #[test]
    fn log_scale_degenerate_cases() {
        let one = LogScale::new([5, 5], &BLUES);
        assert_eq!(one.position(5), Some(1.0));
        let none = LogScale::new([0, 0], &BLUES);
        assert_eq!(none.position(0), None);
        assert_eq!(none.position(3), Some(1.0));
    }
}
