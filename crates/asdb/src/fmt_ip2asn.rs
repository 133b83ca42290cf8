//! Loader for iptoasn.com `ip2asn-v4`, `ip2asn-v6` and `ip2asn-combined` TSV files:
//! `range_start<TAB>range_end<TAB>AS_number<TAB>country_code<TAB>AS_description`.
//!
//! Ranges need not be CIDR-aligned. Within each address family they must be ascending and
//! non-overlapping (as published); otherwise loading fails naming the line. AS 0 ("Not routed")
//! lines are address space without an ASN. The country column is the ASN's registered country
//! (iptoasn's own semantics), used when no per-range country source covers an address.

use std::collections::HashMap;

use crate::error::DbError;
use crate::ranges::Entry;
use crate::source::{AsnCountry, AsnCountryRank, Format, Loaded, SourceInfo};
use crate::text::{lines, parse_addr, parse_u32, show, Addr};
use crate::Country;

/// True if `line` looks like an ip2asn record (used by format detection).
pub fn looks_like(line: &[u8]) -> bool {
    let f: Vec<&[u8]> = line.split(|&b| b == b'\t').collect();
    f.len() >= 4
        && matches!(
            (parse_addr(f[0]), parse_addr(f[1])),
            (Some(Addr::V4(_)), Some(Addr::V4(_))) | (Some(Addr::V6(_)), Some(Addr::V6(_)))
        )
        && parse_u32(f[2]).is_some()
}

/// Parses the country column: two letters, or `None`/`-`/empty/`ZZ` for no country.
fn parse_cc(name: &str, ln: u64, f: &[u8]) -> Result<Option<Country>, DbError> {
    match f {
        b"" | b"None" | b"-" | b"--" | b"ZZ" | b"Unknown" => Ok(None),
        _ => Country::from_bytes(f)
            .map(Some)
            .ok_or_else(|| DbError::line(name, ln, format!("bad country code {:?}", show(f)))),
    }
}

/// Loads an ip2asn TSV file.
pub fn load(name: &str, data: &[u8]) -> Result<Loaded, DbError> {
    let mut out = Loaded::new(SourceInfo::new(name, Format::Ip2Asn));
    let mut last4: Option<u32> = None;
    let mut last6: Option<u128> = None;
    let mut cc_of: HashMap<u32, Country> = HashMap::new();
    let mut name_of: HashMap<u32, usize> = HashMap::new();
    for (ln, line) in lines(data) {
        if line.is_empty() || line[0] == b'#' {
            continue;
        }
        let mut f = line.splitn(5, |&b| b == b'\t');
        let (Some(a), Some(b), Some(asn), Some(cc)) = (f.next(), f.next(), f.next(), f.next())
        else {
            return Err(DbError::line(
                name,
                ln,
                format!("expected 5 tab-separated fields: {:?}", show(line)),
            ));
        };
        let desc = f.next().unwrap_or(b"").trim_ascii();
        let asn = parse_u32(asn.trim_ascii())
            .ok_or_else(|| DbError::line(name, ln, format!("bad AS number {:?}", show(asn))))?;
        let cc = parse_cc(name, ln, cc.trim_ascii())?;
        let bad_range = |what: &str| DbError::line(name, ln, format!("{what}: {:?}", show(line)));
        out.info().records += 1;
        match (parse_addr(a.trim_ascii()), parse_addr(b.trim_ascii())) {
            (Some(Addr::V4(s)), Some(Addr::V4(e))) => {
                if e < s {
                    return Err(bad_range("range end before start"));
                }
                if let Some(prev) = last4 {
                    if s <= prev {
                        return Err(bad_range(
                            "range overlaps or is out of order with the previous IPv4 range",
                        ));
                    }
                }
                last4 = Some(e);
                if asn != 0 {
                    out.route4.extend(Entry::range(s, e, asn, 0));
                }
            }
            (Some(Addr::V6(s)), Some(Addr::V6(e))) => {
                if e < s {
                    return Err(bad_range("range end before start"));
                }
                if let Some(prev) = last6 {
                    if s <= prev {
                        return Err(bad_range(
                            "range overlaps or is out of order with the previous IPv6 range",
                        ));
                    }
                }
                last6 = Some(e);
                if asn != 0 {
                    out.route6.extend(Entry::range(s, e, asn, 0));
                }
            }
            _ => return Err(bad_range("bad or mixed-family range addresses")),
        }
        if asn == 0 {
            out.info().note("ranges with AS 0 (not routed)");
            continue;
        }
        if let Some(c) = cc {
            match cc_of.get(&asn) {
                None => {
                    cc_of.insert(asn, c);
                    out.asn_cc.push(AsnCountry {
                        asn,
                        last: asn,
                        country: c,
                        rank: AsnCountryRank::Column,
                        src: 0,
                    });
                }
                Some(&old) if old != c => out
                    .info()
                    .skip("ASN listed with a second country (first kept)", ln),
                Some(_) => {}
            }
        }
        if !desc.is_empty()
            && desc != b"Unknown"
            && desc != b"Not routed"
            && !name_of.contains_key(&asn)
        {
            name_of.insert(asn, out.names.len());
            out.names
                .push((asn, String::from_utf8_lossy(desc).into_owned(), 0));
        }
    }
    out.finish_counts();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &[u8] = b"1.0.0.0\t1.0.0.255\t13335\tUS\tCLOUDFLARENET - CloudFlare, Inc.\n\
1.0.1.0\t1.0.3.255\t0\tNone\tNot routed\n\
1.0.4.0\t1.0.6.255\t38803\tAU\tGOLDENIT\n\
2001:200::\t2001:200:5ff:ffff:ffff:ffff:ffff:ffff\t2500\tJP\tWIDE-BB WIDE Project\n";

    #[test]
    fn parses_ranges_countries_names() {
        let l = load("t.tsv", SAMPLE).unwrap();
        assert_eq!(l.route4.len(), 2);
        assert_eq!(
            (l.route4[1].start, l.route4[1].end, l.route4[1].val),
            (0x0100_0400, 0x0100_06ff, 38803)
        );
        assert!(!l.route4[1].cidr, "768-address range is not a prefix");
        assert_eq!(l.route6.len(), 1);
        assert_eq!(l.route6[0].end, 0x2001_0200_05ff_ffff_ffff_ffff_ffff_ffff);
        assert_eq!(l.asn_cc.len(), 3);
        assert_eq!(l.asn_cc[2].country, Country(*b"JP"));
        assert_eq!(
            l.names[0],
            (13335, "CLOUDFLARENET - CloudFlare, Inc.".to_string(), 0)
        );
        assert_eq!(l.sources[0].records, 4);
        assert_eq!(l.sources[0].routes_v4, 2);
    }

    #[test]
    fn overlap_and_order_errors_name_the_line() {
        let bad = b"1.0.0.0\t1.0.0.255\t1\tUS\tx\n1.0.0.128\t1.0.1.255\t2\tUS\ty\n";
        let e = load("o.tsv", bad).unwrap_err();
        assert_eq!(e.location, crate::error::Location::Line(2));
        assert!(
            e.to_string().starts_with("o.tsv: line 2: range overlaps"),
            "{e}"
        );
        let bad = b"1.0.1.0\t1.0.1.255\t1\tUS\tx\n1.0.0.0\t1.0.0.255\t2\tUS\ty\n";
        assert!(load("o.tsv", bad).is_err());
        let bad = b"1.0.1.0\t1.0.0.255\t1\tUS\tx\n";
        assert!(load("o.tsv", bad)
            .unwrap_err()
            .message
            .contains("end before start"));
    }

    #[test]
    fn malformed_lines_error() {
        for bad in [
            &b"1.0.0.0\t1.0.0.255\tAS1\tUS\tx\n"[..],
            b"1.0.0.0\t1.0.0.255\t1\tUSA\tx\n",
            b"1.0.0.0\t2001::\t1\tUS\tx\n",
            b"1.0.0.0 1.0.0.255 1 US x\n",
            b"1.0.0.0\t1.0.0.256\t1\tUS\tx\n",
        ] {
            let e = load("m.tsv", bad).unwrap_err();
            assert_eq!(e.location, crate::error::Location::Line(1), "{e}");
        }
    }

    #[test]
    fn detection() {
        assert!(looks_like(b"1.0.0.0\t1.0.0.255\t13335\tUS\tCLOUDFLARENET"));
        assert!(!looks_like(b"1.0.0.0\t24\t13335"));
    }
}
