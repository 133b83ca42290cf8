//! Shared pieces of trombone's fuzz targets: input framing for the ASN database
//! loaders, invariant checks run on whatever a loader accepts, and a reader that
//! hands a capture over in small pieces.
//!
//! A fuzz target fails when the code under test panics, overflows, runs out of
//! memory or time, or when one of the invariants below does not hold (those are
//! `assert!`s, so a broken invariant is a crash libFuzzer saves).

use std::borrow::Cow;
use std::io::{self, Read};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use trombone_asdb::{AsDb, Format};

/// The next flow-export datagram of a fuzz input framed `sel u8, length u16
/// (big-endian), payload`, with `sel` and `rest` moved past it; `None` when fewer
/// than 3 bytes are left. `sel` bits 2-3 force the version: 0 as is, 1 NetFlow v5,
/// 2 NetFlow v9, 3 IPFIX with its length field set to the payload's (the other bits
/// are the target's).
pub fn next_datagram(rest: &mut &[u8]) -> Option<(u8, Vec<u8>)> {
    if rest.len() < 3 {
        return None;
    }
    let sel = rest[0];
    let len = usize::from(u16::from_be_bytes([rest[1], rest[2]])).min(rest.len() - 3);
    let mut dg = rest[3..3 + len].to_vec();
    *rest = &rest[3 + len..];
    match (sel >> 2) & 3 {
        1 if dg.len() >= 2 => dg[..2].copy_from_slice(&[0, 5]),
        2 if dg.len() >= 2 => dg[..2].copy_from_slice(&[0, 9]),
        3 if dg.len() >= 4 => {
            let l = (dg.len() as u16).to_be_bytes();
            dg[..4].copy_from_slice(&[0, 10, l[0], l[1]]);
        }
        _ => {}
    }
    Some((sel, dg))
}

/// Every LINKTYPE the packet parser decodes, plus two it does not (PPP = 9 and
/// an absurd value) so the "unsupported" path is covered too.
pub const LINKTYPES: [u32; 12] = [0, 1, 12, 14, 101, 108, 113, 228, 229, 276, 9, u32::MAX];

/// Gives `data` to the loader of `fmt`: as it is when content detection
/// already picks `fmt` (so seeds are fuzzed whole, headers included), else
/// behind `prefix`, a line that makes detection pick `fmt` (so mutations that
/// break the first line still reach the loader's record parsing). `None`
/// when no prefix can force the format (JSON, mmdb): the input is skipped.
pub fn for_format<'a>(data: &'a [u8], fmt: Format, prefix: Option<&[u8]>) -> Option<Cow<'a, [u8]>> {
    if trombone_asdb::detect(data) == Some(fmt) {
        return Some(Cow::Borrowed(data));
    }
    let prefix = prefix?;
    let mut v = Vec::with_capacity(prefix.len() + data.len());
    v.extend_from_slice(prefix);
    v.extend_from_slice(data);
    (trombone_asdb::detect(&v) == Some(fmt)).then_some(Cow::Owned(v))
}

/// Loads `files` as one database; when that succeeds, checks it (see [`check_db`]).
pub fn load_and_check(files: &[(&str, &[u8])], probe_seed: &[u8]) {
    if let Ok(db) = AsDb::load_bytes(files) {
        check_db(&db, probe_seed);
    }
}

/// Exercises a loaded database: summary, attributions, and lookups at a few
/// addresses (fixed edges plus some taken from the input), asserting that the
/// flattened lookup table and the explanation layers give the same answer.
pub fn check_db(db: &AsDb, probe_seed: &[u8]) {
    let info = db.info();
    assert_eq!(info.sources.len(), db.sources().len());
    let _ = db.attributions();
    let _ = db.source();
    let mut probes: Vec<IpAddr> = vec![
        Ipv4Addr::new(0, 0, 0, 0).into(),
        Ipv4Addr::new(1, 0, 0, 1).into(),
        Ipv4Addr::new(192, 0, 2, 1).into(),
        Ipv4Addr::new(255, 255, 255, 255).into(),
        Ipv6Addr::UNSPECIFIED.into(),
        Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1).into(),
        Ipv6Addr::from(u128::MAX).into(),
    ];
    for c in probe_seed.chunks_exact(16).take(4) {
        let b: [u8; 16] = c.try_into().unwrap_or([0; 16]);
        probes.push(Ipv6Addr::from(b).into());
        probes.push(Ipv4Addr::new(b[0], b[1], b[2], b[3]).into());
    }
    for ip in probes {
        let hit = db.lookup(ip);
        let why = db.explain(ip);
        assert_eq!(
            why.asn, hit.asn,
            "lookup and explain disagree on the ASN of {ip}"
        );
        assert_eq!(
            why.country, hit.country,
            "lookup and explain disagree on the country of {ip}"
        );
        let _ = db.as_name(hit.asn);
        let _ = db.asn_country(hit.asn);
        let _ = why.to_json();
    }
}

/// A reader that returns at most `step` bytes per `read` call, to exercise
/// the stream path's handling of short reads.
pub struct Trickle {
    data: Vec<u8>,
    pos: usize,
    step: usize,
}

impl Trickle {
    /// Serves `data` in reads of at most `step` (at least 1) bytes.
    pub fn new(data: Vec<u8>, step: usize) -> Trickle {
        Trickle {
            data,
            pos: 0,
            step: step.max(1),
        }
    }
}

impl Read for Trickle {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = out.len().min(self.step).min(self.data.len() - self.pos);
        out[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}
