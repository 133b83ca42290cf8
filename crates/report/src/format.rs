//! Number, size, rate, time and currency formatting for people (the exact values go in
//! `data-value` attributes and CSV).

pub use trombone_output::human::{count, ms, plain, plural, sig};

/// Scales a value with decimal (SI) prefixes to three significant digits.
fn si(x: f64, unit: &str, prefixes: &[&str]) -> String {
    let mut v = x;
    let mut i = 0;
    while v.abs() >= 999.5 && i + 1 < prefixes.len() {
        v /= 1000.0;
        i += 1;
    }
    format!("{} {}{}", sig(v, 3), prefixes[i], unit)
}

/// A byte count in decimal units, as networks count: 1234567 -> "1.23 MB".
pub fn bytes(n: u64) -> String {
    if n < 1000 {
        return format!("{n} B");
    }
    si(n as f64, "B", &["", "k", "M", "G", "T", "P", "E"])
}

/// A rate given in Mb/s, rescaled: 0.5 -> "500 kb/s", 1234 -> "1.23 Gb/s".
pub fn mbps(x: f64) -> String {
    if x == 0.0 {
        return "0 Mb/s".into();
    }
    if x.abs() < 1.0 {
        return si(x * 1000.0, "b/s", &["k"]);
    }
    si(x, "b/s", &["M", "G", "T", "P"])
}

/// A packet rate: 12345.6 -> "12.3 kpps".
pub fn pps(x: f64) -> String {
    si(x, "pps", &["", "k", "M", "G"])
}

/// A share in 0..1 as a percentage with one decimal; tiny non-zero shares show as "<0.1%".
pub fn percent(share: f64) -> String {
    if !share.is_finite() {
        return "–".into();
    }
    let p = share * 100.0;
    if p > 0.0 && p < 0.05 {
        return "<0.1%".into();
    }
    format!("{p:.1}%")
}

/// A dollar amount with separators, whole dollars from $100: 12345.6 -> "$12,346",
/// 1.624 -> "$1.62".
pub fn usd(x: f64) -> String {
    if !x.is_finite() {
        return "–".into();
    }
    if x.abs() < 99.995 && x.fract() != 0.0 {
        let sign = if x < 0.0 { "-" } else { "" };
        return format!("{sign}${:.2}", x.abs());
    }
    let r = x.round();
    let sign = if r < 0.0 { "-" } else { "" };
    format!("{sign}${}", count(r.abs() as u64))
}

/// A duration in seconds for people: "850 ms", "42.5 s", "12 min 05 s", "3 h 07 min", "2 d 04 h".
pub fn duration(s: f64) -> String {
    if !s.is_finite() || s < 0.0 {
        return "–".into();
    }
    if s < 1.0 {
        return ms(s * 1000.0);
    }
    if s < 59.95 {
        let v = sig(s, 3);
        let v = if v.contains('.') {
            v.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            v
        };
        return format!("{v} s");
    }
    let t = s.round() as u64;
    let (d, h, m, sec) = (t / 86_400, t / 3600 % 24, t / 60 % 60, t % 60);
    match (d, h, m, sec) {
        (0, 0, m, 0) => format!("{m} min"),
        (0, 0, m, sec) => format!("{m} min {sec:02} s"),
        (0, h, 0, _) => format!("{h} h"),
        (0, h, m, _) => format!("{h} h {m:02} min"),
        (d, 0, _, _) => format!("{d} d"),
        (d, h, _, _) => format!("{d} d {h:02} h"),
    }
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// A timestamp (ns since the Unix epoch) as "YYYY-MM-DD HH:MM:SS UTC".
pub fn utc(ns: i64) -> String {
    let secs = ns.div_euclid(1_000_000_000);
    let (y, mo, d) = civil_from_days(secs.div_euclid(86_400));
    let sod = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{mo:02}-{d:02} {:02}:{:02}:{:02} UTC",
        sod / 3600,
        sod / 60 % 60,
        sod % 60
    )
}

/// The time of day of a timestamp, "HH:MM" or "HH:MM:SS" when `seconds` is set.
pub fn clock(ns: i64, seconds: bool) -> String {
    let sod = ns.div_euclid(1_000_000_000).rem_euclid(86_400);
    if seconds {
        format!("{:02}:{:02}:{:02}", sod / 3600, sod / 60 % 60, sod % 60)
    } else {
        format!("{:02}:{:02}", sod / 3600, sod / 60 % 60)
    }
}

/// The date of a timestamp (ns since the Unix epoch), "YYYY-MM-DD" (UTC).
pub fn date(ns: i64) -> String {
    let (y, mo, d) = civil_from_days(ns.div_euclid(1_000_000_000).div_euclid(86_400));
    format!("{y:04}-{mo:02}-{d:02}")
}

/// The day of the week of a timestamp (UTC), "Mon".."Sun".
pub fn weekday(ns: i64) -> &'static str {
    // 1970-01-01 was a Thursday.
    let d = ns
        .div_euclid(1_000_000_000)
        .div_euclid(86_400)
        .rem_euclid(7);
    ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][d as usize]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn significant_digits() {
        assert_eq!(sig(0.0, 3), "0");
        assert_eq!(sig(1.0, 3), "1.00");
        assert_eq!(sig(12.345, 3), "12.3");
        assert_eq!(sig(123.45, 3), "123");
        assert_eq!(sig(1234.5, 3), "1230");
        assert_eq!(sig(0.012345, 3), "0.0123");
        assert_eq!(sig(9.996, 3), "10.0");
        assert_eq!(sig(99.96, 3), "100");
        assert_eq!(sig(-4.567, 2), "-4.6");
        assert_eq!(sig(f64::NAN, 3), "–");
    }

    #[test]
    fn plain_numbers() {
        assert_eq!(plain(800.0), "800");
        assert_eq!(plain(2.5), "2.5");
        assert_eq!(plain(0.125), "0.125");
        assert_eq!(plain(400.0), "400");
        assert_eq!(plain(0.0), "0");
        assert_eq!(plain(1234567.0), "1234570");
    }

    #[test]
    fn counts_have_separators() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1000), "1,000");
        assert_eq!(count(1_234_567), "1,234,567");
        assert_eq!(count(u64::MAX), "18,446,744,073,709,551,615");
    }

    #[test]
    fn bytes_are_decimal() {
        assert_eq!(bytes(0), "0 B");
        assert_eq!(bytes(999), "999 B");
        assert_eq!(bytes(1000), "1.00 kB");
        assert_eq!(bytes(1_234_567), "1.23 MB");
        assert_eq!(bytes(999_499), "999 kB");
        assert_eq!(bytes(999_500), "1.00 MB");
        assert_eq!(bytes(45_600_000_000), "45.6 GB");
        assert_eq!(bytes(3_000_000_000_000), "3.00 TB");
    }

    #[test]
    fn rates() {
        assert_eq!(mbps(0.0), "0 Mb/s");
        assert_eq!(mbps(0.5), "500 kb/s");
        assert_eq!(mbps(0.0012), "1.20 kb/s");
        assert_eq!(mbps(12.34), "12.3 Mb/s");
        assert_eq!(mbps(1234.0), "1.23 Gb/s");
        assert_eq!(pps(950.0), "950 pps");
        assert_eq!(pps(12_345.0), "12.3 kpps");
    }

    #[test]
    fn percentages() {
        assert_eq!(percent(0.0), "0.0%");
        assert_eq!(percent(0.41234), "41.2%");
        assert_eq!(percent(1.0), "100.0%");
        assert_eq!(percent(0.0004), "<0.1%");
        assert_eq!(percent(0.0005), "0.1%");
    }

    #[test]
    fn money_and_latency() {
        assert_eq!(usd(0.0), "$0");
        assert_eq!(usd(12_345.6), "$12,346");
        assert_eq!(usd(-5.0), "-$5");
        assert_eq!(usd(100.0), "$100");
        assert_eq!(usd(1.6245), "$1.62");
        assert_eq!(usd(99.999), "$100");
        assert_eq!(ms(0.851), "0.851 ms");
        assert_eq!(ms(41.27), "41.3 ms");
    }

    #[test]
    fn durations() {
        assert_eq!(duration(0.25), "250 ms");
        assert_eq!(duration(42.54), "42.5 s");
        assert_eq!(duration(1.0), "1 s");
        assert_eq!(duration(2.5), "2.5 s");
        assert_eq!(duration(59.99), "1 min");
        assert_eq!(duration(300.0), "5 min");
        assert_eq!(duration(3600.0), "1 h");
        assert_eq!(duration(3599.998), "1 h");
        assert_eq!(duration(86_400.0), "1 d");
        assert_eq!(duration(725.0), "12 min 05 s");
        assert_eq!(duration(3600.0 * 3.0 + 7.0 * 60.0), "3 h 07 min");
        assert_eq!(duration(86_400.0 * 2.0 + 4.0 * 3600.0), "2 d 04 h");
    }

    #[test]
    fn plurals() {
        assert_eq!(plural(1, "sample", "samples"), "1 sample");
        assert_eq!(plural(0, "sample", "samples"), "0 samples");
        assert_eq!(plural(2016, "sample", "samples"), "2,016 samples");
    }

    #[test]
    fn dates_and_weekdays() {
        // 2024-04-11T00:00:00Z = 1712793600 s (date -u -d 2024-04-11 +%s), a Thursday
        assert_eq!(date(1_712_793_600_000_000_000), "2024-04-11");
        assert_eq!(weekday(1_712_793_600_000_000_000), "Thu");
        assert_eq!(
            weekday(1_712_793_600_000_000_000 + 4 * 86_400_000_000_000),
            "Mon"
        );
        assert_eq!(date(-1), "1969-12-31");
    }

    #[test]
    fn utc_timestamps() {
        // 2024-05-01T10:00:00Z = 1714557600 s (date -u -d 2024-05-01T10:00:00Z +%s).
        assert_eq!(utc(1_714_557_600_000_000_000), "2024-05-01 10:00:00 UTC");
        assert_eq!(utc(0), "1970-01-01 00:00:00 UTC");
        // 2000-02-29T23:59:59Z = 951868799 s: leap day of a century leap year.
        assert_eq!(utc(951_868_799_999_999_999), "2000-02-29 23:59:59 UTC");
        // One second before the epoch.
        assert_eq!(utc(-1_000_000_000), "1969-12-31 23:59:59 UTC");
        assert_eq!(
            clock(1_714_557_600_000_000_000 + 3_723_000_000_000, true),
            "11:02:03"
        );
    }
}
