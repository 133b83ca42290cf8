//! Allocation-free helpers for the text formats: line iteration, address and number parsing.

use std::net::Ipv6Addr;

/// An address parsed from text, tagged with its family.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Addr {
    /// IPv4 as a host-order `u32`.
    V4(u32),
    /// IPv6 as a host-order `u128`.
    V6(u128),
}

/// Iterates `(1-based line number, line)` with the trailing `\r` and surrounding blanks removed.
pub fn lines(data: &[u8]) -> impl Iterator<Item = (u64, &[u8])> {
    data.split(|&b| b == b'\n')
        .enumerate()
        .map(|(i, l)| (i as u64 + 1, l.trim_ascii()))
}

/// Parses dotted-quad IPv4 (exactly four decimal parts 0..=255, no leading `+`).
pub fn parse_v4(s: &[u8]) -> Option<u32> {
    let mut out: u32 = 0;
    let mut parts = 0;
    for part in s.split(|&b| b == b'.') {
        if part.is_empty() || part.len() > 3 || !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let v = part.iter().fold(0u32, |a, &d| a * 10 + u32::from(d - b'0'));
        if v > 255 {
            return None;
        }
        out = (out << 8) | v;
        parts += 1;
    }
    (parts == 4).then_some(out)
}

/// Parses an IPv6 address in any standard text form.
pub fn parse_v6(s: &[u8]) -> Option<u128> {
    let s = std::str::from_utf8(s).ok()?;
    s.parse::<Ipv6Addr>().ok().map(u128::from)
}

/// Parses an IPv4 or IPv6 address.
pub fn parse_addr(s: &[u8]) -> Option<Addr> {
    if s.contains(&b':') {
        parse_v6(s).map(Addr::V6)
    } else {
        parse_v4(s).map(Addr::V4)
    }
}

/// Parses a plain unsigned decimal `u32` (no sign, no blanks).
pub fn parse_u32(s: &[u8]) -> Option<u32> {
    if s.is_empty() || s.len() > 10 || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let v = s.iter().fold(0u64, |a, &d| a * 10 + u64::from(d - b'0'));
    u32::try_from(v).ok()
}

/// Parses a plain unsigned decimal `u64`.
pub fn parse_u64(s: &[u8]) -> Option<u64> {
    std::str::from_utf8(s)
        .ok()?
        .parse::<u64>()
        .ok()
        .filter(|_| s.iter().all(u8::is_ascii_digit))
}

/// Parses `addr/len` into the address and prefix length.
pub fn parse_prefix(s: &[u8]) -> Option<(Addr, u8)> {
    let slash = s.iter().position(|&b| b == b'/')?;
    let addr = parse_addr(&s[..slash])?;
    let len = parse_u32(&s[slash + 1..])?;
    let max = match addr {
        Addr::V4(_) => 32,
        Addr::V6(_) => 128,
    };
    (len <= max).then_some((addr, len as u8))
}

/// Shows a line (or field) in an error message, shortened and with invalid UTF-8 replaced.
pub fn show(s: &[u8]) -> String {
    let cut = &s[..s.len().min(80)];
    let mut t = String::from_utf8_lossy(cut).into_owned();
    if s.len() > 80 {
        t.push('…');
    }
    t
}

/// Finds a `YYYYMMDD` date in a file name (e.g. `routeviews-rv2-20240406.pfx2as.gz`) as `YYYY-MM-DD`.
pub fn date_from_name(name: &str) -> Option<String> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let b = base.as_bytes();
    let mut i = 0;
    while i + 8 <= b.len() {
        let w = &b[i..i + 8];
        let bounded = (i == 0 || !b[i - 1].is_ascii_digit())
            && b.get(i + 8).is_none_or(|c| !c.is_ascii_digit());
        if bounded && w.iter().all(u8::is_ascii_digit) {
            if let Some(d) = ymd(w) {
                return Some(d);
            }
        }
        i += 1;
    }
    None
}

/// Formats 8 ASCII digits `YYYYMMDD` as `YYYY-MM-DD` if they form a plausible date.
pub fn ymd(w: &[u8]) -> Option<String> {
    if w.len() != 8 || !w.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n =
        |r: std::ops::Range<usize>| w[r].iter().fold(0u32, |a, &d| a * 10 + u32::from(d - b'0'));
    let (y, m, d) = (n(0..4), n(4..6), n(6..8));
    ((1980..=2100).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&d))
        .then(|| format!("{y:04}-{m:02}-{d:02}"))
}

/// Converts Unix seconds to a UTC `YYYY-MM-DD` date (proleptic Gregorian calendar).
pub fn date_from_epoch(secs: u64) -> Option<String> {
    let days = i64::try_from(secs / 86_400).ok()?;
    // Howard Hinnant's civil-from-days algorithm.
    let z = days.checked_add(719_468)?;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (0..=9999)
        .contains(&y)
        .then(|| format!("{y:04}-{m:02}-{d:02}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v4_parsing() {
        assert_eq!(parse_v4(b"1.2.3.4"), Some(0x0102_0304));
        assert_eq!(parse_v4(b"255.255.255.255"), Some(u32::MAX));
        assert_eq!(parse_v4(b"256.0.0.0"), None);
        assert_eq!(parse_v4(b"1.2.3"), None);
        assert_eq!(parse_v4(b"1.2.3.4.5"), None);
        assert_eq!(parse_v4(b"1..3.4"), None);
        assert_eq!(parse_v4(b"1.2.3.-4"), None);
        assert_eq!(parse_v4(b"1.2.3.0004"), None);
    }

    #[test]
    fn v6_and_prefix_parsing() {
        assert_eq!(
            parse_v6(b"2001:db8::1"),
            Some(0x2001_0db8_0000_0000_0000_0000_0000_0001)
        );
        assert_eq!(parse_addr(b"::"), Some(Addr::V6(0)));
        assert_eq!(
            parse_prefix(b"10.0.0.0/8"),
            Some((Addr::V4(0x0a00_0000), 8))
        );
        assert_eq!(parse_prefix(b"10.0.0.0/33"), None);
        assert_eq!(
            parse_prefix(b"2400::/12"),
            Some((Addr::V6(0x2400 << 112), 12))
        );
        assert_eq!(parse_prefix(b"2400::/129"), None);
        assert_eq!(parse_prefix(b"10.0.0.0"), None);
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_u32(b"4294967295"), Some(u32::MAX));
        assert_eq!(parse_u32(b"4294967296"), None);
        assert_eq!(parse_u32(b"12a"), None);
        assert_eq!(parse_u32(b""), None);
        assert_eq!(parse_u64(b"+5"), None);
    }

    #[test]
    fn lines_are_numbered_and_trimmed() {
        let v: Vec<_> = lines(b"a\r\n  b \n\nc").collect();
        assert_eq!(
            v,
            vec![
                (1, &b"a"[..]),
                (2, &b"b"[..]),
                (3, &b""[..]),
                (4, &b"c"[..])
            ]
        );
    }

    #[test]
    fn dates() {
        assert_eq!(
            date_from_name("x/routeviews-rv2-20240406.pfx2as.gz").as_deref(),
            Some("2024-04-06")
        );
        assert_eq!(
            date_from_name("delegated-apnic-latest.20241001").as_deref(),
            Some("2024-10-01")
        );
        assert_eq!(date_from_name("ip2asn-v4.tsv"), None);
        assert_eq!(
            date_from_name("123456789"),
            None,
            "nine digits are not a date"
        );
        // 2024-04-06T00:00:00Z = 1712361600 (date -u -d 2024-04-06 +%s)
        assert_eq!(
            date_from_epoch(1_712_361_600).as_deref(),
            Some("2024-04-06")
        );
        assert_eq!(date_from_epoch(0).as_deref(), Some("1970-01-01"));
        assert_eq!(date_from_epoch(u64::MAX), None);
    }
}
