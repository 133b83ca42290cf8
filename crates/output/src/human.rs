//! Numbers for people, shared by the terminal table and the HTML report: separators,
//! significant figures, milliseconds and plurals (the exact values stay in JSON and CSV).

/// Rounds to `n` significant digits and prints without an exponent ("0.0123", "12.3", "1230").
pub fn sig(x: f64, n: u32) -> String {
    if !x.is_finite() {
        return "–".into();
    }
    if x == 0.0 {
        return "0".into();
    }
    let n = n.max(1) as i32;
    let mag = x.abs().log10().floor() as i32;
    let scale = 10f64.powi(n - 1 - mag);
    let r = (x * scale).round() / scale;
    // Rounding may have added a digit (9.996 -> 10.0): recompute the magnitude.
    let mag = r.abs().log10().floor() as i32;
    let decimals = (n - 1 - mag).max(0) as usize;
    format!("{r:.decimals$}")
}

/// A plain number without trailing zeros: 800.0 -> "800", 2.50 -> "2.5", 0.125 -> "0.125"
/// (at most six significant digits).
pub fn plain(x: f64) -> String {
    let s = sig(x, 6);
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// An integer with thousands separators: 1234567 -> "1,234,567".
pub fn count(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Milliseconds with three significant digits: "12.3 ms".
pub fn ms(x: f64) -> String {
    format!("{} ms", sig(x, 3))
}

/// A count and its noun, singular for one: "1 sample", "0 samples", "1,234 samples".
pub fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", count(n), if n == 1 { one } else { many })
}
