//! Loader for pmacct `networks_file` lists:
//! `[<next-hop>,][[<peer AS>_]<origin AS>,]<prefix>/<len>`, comments starting with `!` or `#`.
//!
//! The origin AS is used; a line without an AS number (a bare prefix, or next-hop + prefix)
//! carries no ASN for trombone and is counted as skipped. Nested prefixes are resolved by
//! longest-prefix match; an exact duplicate prefix keeps its first line and is counted.

use crate::error::DbError;
use crate::ranges::Entry;
use crate::source::{Format, Loaded, SourceInfo};
use crate::text::{lines, parse_addr, parse_prefix, parse_u32, show, Addr};

/// True if `line` looks like a pmacct networks_file record (used by format detection).
pub fn looks_like(line: &[u8]) -> bool {
    let last = line.rsplit(|&b| b == b',').next().unwrap_or(line);
    parse_prefix(last.trim_ascii()).is_some() && !line.contains(&b'\t')
}

/// Parses `[peer_]origin` into the origin AS.
fn parse_as_field(f: &[u8]) -> Option<u32> {
    let origin = f.rsplit(|&b| b == b'_').next()?;
    let peer_ok = match f.iter().position(|&b| b == b'_') {
        Some(p) => parse_u32(&f[..p]).is_some() && f[p + 1..].iter().all(|&b| b != b'_'),
        None => true,
    };
    if !peer_ok {
        return None;
    }
    parse_u32(origin)
}

/// Loads a pmacct networks_file.
pub fn load(name: &str, data: &[u8]) -> Result<Loaded, DbError> {
    let mut out = Loaded::new(SourceInfo::new(name, Format::Pmacct));
    for (ln, line) in lines(data) {
        if line.is_empty() || line[0] == b'!' || line[0] == b'#' {
            continue;
        }
        out.info().records += 1;
        let fields: Vec<&[u8]> = line.split(|&b| b == b',').map(<[u8]>::trim_ascii).collect();
        let bad = |what: &str| DbError::line(name, ln, format!("{what}: {:?}", show(line)));
        let (pfx, asn) = match fields.as_slice() {
            [p] => (*p, None),
            [a, p] if parse_addr(a).is_some() => (*p, None), // next-hop, prefix
            [a, p] => (
                *p,
                Some(parse_as_field(a).ok_or_else(|| bad("bad AS number"))?),
            ),
            [nh, a, p] => {
                if parse_addr(nh).is_none() {
                    return Err(bad("bad next-hop address"));
                }
                (
                    *p,
                    Some(parse_as_field(a).ok_or_else(|| bad("bad AS number"))?),
                )
            }
            _ => return Err(bad("expected [nexthop,][[peer_]asn,]prefix/len")),
        };
        let (addr, len) = parse_prefix(pfx).ok_or_else(|| bad("bad prefix"))?;
        let Some(asn) = asn else {
            out.info().skip("prefix without an AS number", ln);
            continue;
        };
        match addr {
            Addr::V4(a) => out.route4.push(
                Entry::prefix(a, len, asn, 0).ok_or_else(|| bad("prefix has host bits set"))?,
            ),
            Addr::V6(a) => out.route6.push(
                Entry::prefix(a, len, asn, 0).ok_or_else(|| bad("prefix has host bits set"))?,
            ),
        }
    }
    out.finish_counts();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    // The forms listed in pmacct's examples/networks.lst.example.
    const SAMPLE: &[u8] = b"!\n! comment\n192.168.95.0/24\n65500,192.168.1.0/24\n\
64512_65501,192.168.2.0/25\n10.0.0.3,65502,192.168.4.0/23\n10.0.0.4,64512_65503,2001:db8::/32\n# hash comment\n";

    #[test]
    fn parses_all_forms() {
        let l = load("n.lst", SAMPLE).unwrap();
        let v: Vec<(u32, u8, u32)> = l.route4.iter().map(|e| (e.start, e.prio, e.val)).collect();
        assert_eq!(
            v,
            vec![
                (0xc0a8_0100, 24, 65500),
                (0xc0a8_0200, 25, 65501),
                (0xc0a8_0400, 23, 65502)
            ]
        );
        assert_eq!(l.route6.len(), 1);
        assert_eq!(
            (l.route6[0].start >> 96, l.route6[0].val),
            (0x2001_0db8, 65503)
        );
        assert_eq!(l.sources[0].skipped_total(), 1, "bare prefix has no ASN");
        assert_eq!(l.sources[0].records, 5);
    }

    #[test]
    fn errors_name_the_line() {
        for (bad, ln) in [
            (&b"65500,192.168.1.1/24\n"[..], 1),
            (b"! x\nAS1,10.0.0.0/8\n", 2),
            (b"1,10.0.0.0/33\n", 1),
            (b"1_2_3,10.0.0.0/8\n", 1),
            (b"x,1,10.0.0.0/8\n", 1),
            (b"1,2,3,10.0.0.0/8\n", 1),
        ] {
            let e = load("n.lst", bad).unwrap_err();
            assert_eq!(e.location, crate::error::Location::Line(ln), "{e}");
        }
    }

    #[test]
    fn detection() {
        assert!(looks_like(b"65500,192.168.1.0/24"));
        assert!(looks_like(b"192.168.1.0/24"));
        assert!(!looks_like(b"1.0.0.0\t24\t13335"));
    }
}
