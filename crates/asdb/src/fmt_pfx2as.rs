//! Loader for CAIDA RouteViews Prefix-to-AS files: `prefix<TAB>length<TAB>AS` (plain or gzip).
//!
//! Multi-origin prefixes (`a_b`, announced by several origins) and AS sets (`a,b`, from
//! aggregation) resolve to **the first AS listed** — the same rule the shared derived ip2asn
//! table used. How many lines took the rule is reported in the source notes.

use crate::error::DbError;
use crate::ranges::Entry;
use crate::source::{Format, Loaded, SourceInfo};
use crate::text::{lines, parse_addr, parse_u32, show, Addr};

/// CAIDA's requested citation for the dataset.
pub const CAIDA_CITATION: &str =
    "The CAIDA UCSD RouteViews Prefix-to-AS mappings Dataset (pfx2as), \
used under CAIDA's Acceptable Use Agreement";

/// Loads a pfx2as file.
pub fn load(name: &str, data: &[u8]) -> Result<Loaded, DbError> {
    let mut info = SourceInfo::new(name, Format::Pfx2as);
    info.attribution = Some(CAIDA_CITATION.to_string());
    let mut out = Loaded::new(info);
    let mut multi = 0u64;
    let mut sets = 0u64;
    for (ln, line) in lines(data) {
        if line.is_empty() || line[0] == b'#' {
            continue;
        }
        let mut f = line
            .split(|b| b.is_ascii_whitespace())
            .filter(|x| !x.is_empty());
        let bad = |what: &str| DbError::line(name, ln, format!("{what}: {:?}", show(line)));
        let (Some(p), Some(len), Some(asf), None) = (f.next(), f.next(), f.next(), f.next()) else {
            return Err(bad("expected 3 fields: prefix, length, AS"));
        };
        let len = parse_u32(len)
            .filter(|&l| l <= 128)
            .ok_or_else(|| bad("bad prefix length"))? as u8;
        if asf.contains(&b'_') {
            multi += 1;
        }
        if asf.contains(&b',') {
            sets += 1;
        }
        let first = asf.split(|&b| b == b'_' || b == b',').next().unwrap_or(asf);
        let asn = parse_u32(first).ok_or_else(|| bad("bad AS number"))?;
        // Every listed AS must be a number, even though only the first is used.
        if !asf
            .split(|&b| b == b'_' || b == b',')
            .all(|a| parse_u32(a).is_some())
        {
            return Err(bad("bad AS number in multi-origin/AS-set list"));
        }
        out.info().records += 1;
        match parse_addr(p) {
            Some(Addr::V4(a)) => out
                .route4
                .push(Entry::prefix(a, len, asn, 0).ok_or_else(|| bad("bad prefix"))?),
            Some(Addr::V6(a)) => out
                .route6
                .push(Entry::prefix(a, len, asn, 0).ok_or_else(|| bad("bad prefix"))?),
            None => return Err(bad("bad prefix address")),
        }
    }
    if multi > 0 {
        out.info().notes.insert(
            "multi-origin prefixes (a_b): first origin used".to_string(),
            multi,
        );
    }
    if sets > 0 {
        out.info()
            .notes
            .insert("AS-set origins (a,b): first AS used".to_string(), sets);
    }
    out.finish_counts();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_applies_first_as_rule() {
        let l = load(
            "p",
            b"1.0.0.0\t24\t13335\n1.2.4.0\t24\t24151_24409\n67.14.0.0\t17\t209_3356,6223\n2001:db8::\t32\t65000\n",
        )
        .unwrap();
        let v: Vec<(u32, u8, u32)> = l.route4.iter().map(|e| (e.start, e.prio, e.val)).collect();
        assert_eq!(
            v,
            vec![
                (0x0100_0000, 24, 13335),
                (0x0102_0400, 24, 24151),
                (0x430e_0000, 17, 209)
            ]
        );
        assert_eq!(l.route6[0].val, 65000);
        assert_eq!(
            l.sources[0]
                .notes
                .get("multi-origin prefixes (a_b): first origin used"),
            Some(&2)
        );
        assert_eq!(
            l.sources[0]
                .notes
                .get("AS-set origins (a,b): first AS used"),
            Some(&1)
        );
    }

    #[test]
    fn bad_lines_name_the_line() {
        for (bad, ln) in [
            (&b"1.0.0.0\t24\t13335\n1.0.0.1\t24\t1\n"[..], 2),
            (b"1.0.0.0\t33\t1\n", 1),
            (b"1.0.0.0\t24\n", 1),
            (b"1.0.0.0\t24\t1\t2\n", 1),
            (b"1.0.0.0\t24\t1_x\n", 1),
            (b"1.0.0\t24\t1\n", 1),
        ] {
            assert_eq!(
                load("p", bad).unwrap_err().location,
                crate::error::Location::Line(ln)
            );
        }
    }
}
