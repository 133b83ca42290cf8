//! Loader for RIR delegated statistics (normal and extended):
//! `registry|cc|type|start|value|date|status[|opaque-id[|extensions]]`.
//!
//! A country source: `ipv4` records give the country of `value` addresses from `start` (a count
//! that need not be a power of two), `ipv6` records the country of `start/value`, and `asn`
//! records the registered country of `value` ASNs from `start`. Only `allocated` and `assigned`
//! records are used; `available`/`reserved` records and records without a country are counted as
//! skipped. Overlapping address records are an error naming the line; overlapping `asn`
//! records are fine when they agree on the country, else an error naming the later line.
//! ASN blocks are kept as intervals, never expanded one ASN at a time.

use crate::asn_ranges::Disjoint;
use crate::error::DbError;
use crate::ranges::Entry;
use crate::source::{AsnCountry, AsnCountryRank, Format, Loaded, SourceInfo};
use crate::text::{lines, parse_u32, parse_u64, parse_v4, parse_v6, show, ymd};
use crate::Country;

/// Largest ASN block one record may cover (the biggest real blocks are a few thousand).
const MAX_ASN_BLOCK: u32 = 1 << 20;

/// True if `line` looks like a delegated-stats line (version header or record).
pub fn looks_like(line: &[u8]) -> bool {
    let f: Vec<&[u8]> = line.split(|&b| b == b'|').collect();
    f.len() >= 6
}

/// The registry's conditions of use, for the registries whose terms we know.
fn attribution(registry: &str) -> String {
    match registry {
        "apnic" => "APNIC delegated statistics; APNIC's conditions of use: freely available on the condition that \
                    APNIC will not be held responsible for any loss or damage arising from the use of the information; \
                    records show where resources were first allocated or assigned, not necessarily where they are used"
            .to_string(),
        r => format!("{} delegated statistics (records show where resources were first allocated or assigned)", r.to_uppercase()),
    }
}

/// Loads a delegated-stats file.
pub fn load(name: &str, data: &[u8]) -> Result<Loaded, DbError> {
    let mut out = Loaded::new(SourceInfo::new(name, Format::RirDelegated));
    let mut v4: Vec<(Entry<u32>, u64)> = Vec::new();
    let mut v6: Vec<(Entry<u128>, u64)> = Vec::new();
    // First registration of each ASN: (country, line), as disjoint intervals.
    let mut asn_seen: Disjoint<(Country, u64)> = Disjoint::default();
    let mut header_seen = false;
    for (ln, line) in lines(data) {
        if line.is_empty() || line[0] == b'#' {
            continue;
        }
        let f: Vec<&[u8]> = line.split(|&b| b == b'|').map(<[u8]>::trim_ascii).collect();
        let bad = |what: &str| DbError::line(name, ln, format!("{what}: {:?}", show(line)));
        if !header_seen
            && f.first().is_some_and(|v| {
                !v.is_empty() && v.iter().all(|&b| b.is_ascii_digit() || b == b'.')
            })
        {
            // Version line: version|registry|serial|records|startdate|enddate|UTCoffset
            header_seen = true;
            let registry = String::from_utf8_lossy(f.get(1).copied().unwrap_or(b"")).to_lowercase();
            let info = out.info();
            info.date = f
                .get(2)
                .and_then(|s| ymd(s))
                .or_else(|| f.get(5).and_then(|s| ymd(s)));
            info.description = Some(format!("{registry} delegated statistics"));
            info.attribution = Some(attribution(&registry));
            continue;
        }
        if f.get(5) == Some(&&b"summary"[..]) {
            continue;
        }
        if f.len() < 7 {
            return Err(bad("expected registry|cc|type|start|value|date|status"));
        }
        if out.info().attribution.is_none() {
            let registry = String::from_utf8_lossy(f[0]).to_lowercase();
            out.info().attribution = Some(attribution(&registry));
        }
        let (cc, ty, start, value, status) = (f[1], f[2], f[3], f[4], f[6]);
        out.info().records += 1;
        if ty != b"asn" && ty != b"ipv4" && ty != b"ipv6" {
            return Err(bad("unknown record type"));
        }
        let status_ok =
            status.eq_ignore_ascii_case(b"allocated") || status.eq_ignore_ascii_case(b"assigned");
        if !status_ok {
            out.info()
                .skip("not allocated/assigned (available, reserved, ...)", ln);
            continue;
        }
        let country = match cc {
            b"" | b"ZZ" | b"*" => {
                out.info().skip("no country code", ln);
                continue;
            }
            _ => Country::from_bytes(cc).ok_or_else(|| bad("bad country code"))?,
        };
        let cval = u32::from(country.to_u16());
        match ty {
            b"asn" => {
                let first = parse_u32(start).ok_or_else(|| bad("bad start ASN"))?;
                let n = parse_u32(value)
                    .filter(|&n| (1..=MAX_ASN_BLOCK).contains(&n))
                    .ok_or_else(|| bad("bad ASN count"))?;
                let last = first
                    .checked_add(n - 1)
                    .ok_or_else(|| bad("ASN block overflows"))?;
                asn_seen.fill(first, last, (country, ln), |asn, &(c, prev_ln)| {
                    if c != country {
                        return Err(bad(&format!(
                            "AS{asn} already registered to {c} on line {prev_ln}"
                        )));
                    }
                    Ok(())
                })?;
            }
            b"ipv4" => {
                let s = parse_v4(start).ok_or_else(|| bad("bad IPv4 start address"))?;
                let n = parse_u64(value)
                    .filter(|&n| n >= 1)
                    .ok_or_else(|| bad("bad IPv4 address count"))?;
                let e = u64::from(s) + n - 1;
                let e =
                    u32::try_from(e).map_err(|_| bad("IPv4 range runs past 255.255.255.255"))?;
                v4.extend(Entry::range(s, e, cval, 0).map(|x| (x, ln)));
            }
            _ => {
                let s = parse_v6(start).ok_or_else(|| bad("bad IPv6 start address"))?;
                let len = parse_u32(value)
                    .filter(|&l| l <= 128)
                    .ok_or_else(|| bad("bad IPv6 prefix length"))?;
                let e = Entry::prefix(s, len as u8, cval, 0)
                    .ok_or_else(|| bad("IPv6 prefix has host bits set"))?;
                v6.push((e, ln));
            }
        }
    }
    for (asn, last, (country, _)) in asn_seen.pieces() {
        out.asn_cc.push(AsnCountry {
            asn,
            last,
            country,
            rank: AsnCountryRank::Rir,
            src: 0,
        });
    }
    check_overlaps(name, &mut v4)?;
    check_overlaps(name, &mut v6)?;
    out.cc4 = v4.into_iter().map(|(e, _)| e).collect();
    out.cc6 = v6.into_iter().map(|(e, _)| e).collect();
    out.finish_counts();
    Ok(out)
}

/// Sorts address records and fails on the first overlap, naming the later line.
fn check_overlaps<K: crate::ranges::Key>(
    name: &str,
    v: &mut [(Entry<K>, u64)],
) -> Result<(), DbError> {
    v.sort_by_key(|(e, ln)| (e.start, *ln));
    for w in v.windows(2) {
        let ((a, la), (b, lb)) = (&w[0], &w[1]);
        if b.start <= a.end {
            let later = (*la).max(*lb);
            let earlier = (*la).min(*lb);
            return Err(DbError::line(
                name,
                later,
                format!(
                    "address range {}-{} overlaps line {earlier} ({}-{})",
                    b.start.fmt_addr(),
                    b.end.fmt_addr(),
                    a.start.fmt_addr(),
                    a.end.fmt_addr()
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Location;

    const NORMAL: &[u8] = b"2|apnic|20241001|5|19830613|20240930|+1000\n\
apnic|*|asn|*|1|summary\n\
apnic|KH|asn|17726|2|20020801|allocated\n\
apnic|KH|ipv4|36.37.0.0|768|20110412|allocated\n\
apnic|LA|ipv6|2001:df0:2000::|48|20120307|assigned\n\
apnic||ipv4|1.0.0.0|256|20110811|available\n";

    #[test]
    fn normal_format() {
        let l = load("d", NORMAL).unwrap();
        let i = &l.sources[0];
        assert_eq!(i.date.as_deref(), Some("2024-10-01"));
        assert!(i.attribution.as_deref().unwrap().contains("APNIC"));
        assert_eq!(
            l.asn_cc
                .iter()
                .flat_map(|a| a.asn..=a.last)
                .collect::<Vec<_>>(),
            vec![17726, 17727]
        );
        assert_eq!(i.asn_countries, 2);
        assert_eq!(l.cc4.len(), 1);
        // 768 addresses: 36.37.0.0 - 36.37.2.255
        assert_eq!((l.cc4[0].start, l.cc4[0].end), (0x2425_0000, 0x2425_02ff));
        assert_eq!(
            Country::from_u16(l.cc4[0].val as u16),
            Some(Country(*b"KH"))
        );
        assert_eq!(l.cc6.len(), 1);
        assert_eq!(i.skipped_total(), 1);
        assert_eq!(i.records, 4);
    }

    #[test]
    fn extended_format() {
        let ext = b"2.3|arin|1700000000000|3|19700101|20240101|-0500\n\
arin|US|ipv4|3.0.0.0|16777216|19880223|allocated|e5e3b9c13678dfc483fb1f819d70883c\n\
arin||ipv4|4.0.0.0|256||reserved|\n\
arin|CA|asn|1000|1|19900101|assigned|abc\n";
        let l = load("e", ext).unwrap();
        assert_eq!(l.cc4.len(), 1);
        assert_eq!((l.cc4[0].prio, l.cc4[0].cidr), (8, true));
        assert_eq!(l.asn_cc.len(), 1);
        assert_eq!(l.sources[0].skipped_total(), 1);
        assert!(l.sources[0]
            .attribution
            .as_deref()
            .unwrap()
            .starts_with("ARIN"));
    }

    #[test]
    fn asn_records_covering_many_asns_are_intervals() {
        // the fuzzer's reproducer (crates/fuzz/regressions/asdb_rir): 64 blocks of 2^20 ASNs
        // each, 3 KB of text that once took more than 2 GB when expanded one ASN at a time;
        // as intervals it is 64 records
        let mut f = b"2|apnic|20241001|64|19830613|20240930|+1000\n".to_vec();
        for i in 0..64u64 {
            f.extend_from_slice(
                format!(
                    "apnic|KH|asn|{}|1048576|20080101|allocated\n",
                    i * (1 << 20) + 1
                )
                .as_bytes(),
            );
        }
        let t = std::time::Instant::now();
        let l = load("big", &f).unwrap();
        assert!(t.elapsed().as_secs_f64() < 1.0);
        assert_eq!(l.asn_cc.len(), 64);
        assert_eq!(l.sources[0].asn_countries, 64 << 20);
        // overlapping blocks: agreeing is fine, a different country names both lines
        let ok = b"apnic|KH|asn|10|20|2|allocated\napnic|KH|asn|15|10|2|allocated\n";
        let l = load("o", ok).unwrap();
        assert_eq!(
            (l.asn_cc.len(), l.sources[0].asn_countries),
            (1, 20),
            "10..=29"
        );
        let clash = b"apnic|KH|asn|10|20|2|allocated\napnic|LA|asn|5|10|2|allocated\n";
        let e = load("c", clash).unwrap_err();
        assert_eq!(e.location, Location::Line(2));
        assert!(
            e.message
                .contains("AS10 already registered to KH on line 1"),
            "{e}"
        );
    }

    #[test]
    fn overlaps_and_bad_records_error() {
        let ov = b"apnic|KH|ipv4|10.0.0.0|512|20110412|allocated\napnic|LA|ipv4|10.0.1.0|256|20110412|allocated\n";
        let e = load("o", ov).unwrap_err();
        assert_eq!(e.location, Location::Line(2));
        assert!(e.message.contains("overlaps line 1"), "{e}");
        for bad in [
            &b"apnic|KH|ipv4|10.0.0.0|0|20110412|allocated\n"[..],
            b"apnic|KH|ipv4|255.255.255.0|512|20110412|allocated\n",
            b"apnic|KHM|ipv4|10.0.0.0|1|20110412|allocated\n",
            b"apnic|KH|ipv5|10.0.0.0|1|20110412|allocated\n",
            b"apnic|KH|ipv6|2001::1|32|20110412|allocated\n",
            b"apnic|KH|asn|1|2000000|20110412|allocated\n",
            b"apnic|KH|asn|1|1\n",
        ] {
            assert_eq!(
                load("b", bad).unwrap_err().location,
                Location::Line(1),
                "{}",
                show(bad)
            );
        }
        let conflict = b"apnic|KH|asn|5|1|2|allocated\napnic|LA|asn|5|1|2|allocated\n";
        assert_eq!(load("c", conflict).unwrap_err().location, Location::Line(2));
    }
}
