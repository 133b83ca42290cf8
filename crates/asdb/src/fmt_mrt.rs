//! Loader for MRT routing dumps (RouteViews/RIS RIBs, BGP4MP updates; plain, gzip or bzip2),
//! read by `trombone-bgp`: every prefix with a route gives a routing record for its origin.
//!
//! Origins follow CAIDA's pfx2as: a path ending in an AS_SET has the set as origin, and a prefix
//! seen with several origins is multi-origin (MOAS). As the pfx2as loader takes the first AS of
//! `a_b`, this one takes one AS per prefix: **the origin shown by most routes (peers), ties to
//! the lowest AS; an AS-set origin gives its first AS**. How many prefixes took each rule is in
//! the source notes. The default route (`0.0.0.0/0`, `::/0`) is not an IP→ASN record and is
//! skipped. A dump that ends early (a cut download) is used up to the cut; the source report
//! says where the read stopped.

use trombone_bgp::{Origin, Prefix, Rib};

use crate::error::DbError;
use crate::ranges::Entry;
use crate::source::{Format, Loaded, Skip, SourceInfo};
use crate::text::date_from_epoch;

/// Loads an MRT file's content (compressed or not: the reader detects it).
pub fn load(name: &str, data: &[u8]) -> Result<Loaded, DbError> {
    let (rib, st) = Rib::load_reader(name, data).map_err(|e| match e.offset {
        Some(o) => DbError::offset(name, o, e.message),
        None => DbError::file(name, e.message),
    })?;
    let mut info = SourceInfo::new(name, Format::Mrt);
    info.records = st.records;
    info.date = st
        .first_timestamp
        .and_then(|t| date_from_epoch(u64::from(t)));
    info.description = Some(format!(
        "MRT routing data ({} compression): {} RIB entries, {} announced, {} withdrawn prefixes; \
         {} peers, {} distinct AS paths",
        st.compression.name(),
        st.rib_entries,
        st.announcements,
        st.withdrawals,
        rib.peers().len(),
        rib.distinct_paths()
    ));
    for s in &st.skipped {
        info.skipped.push(Skip {
            reason: format!(
                "MRT: {} (first at byte offset {})",
                s.reason, s.first_offset
            ),
            count: s.count,
            first_line: None,
        });
    }
    if let Some(e) = &st.error {
        info.skipped.push(Skip {
            reason: format!(
                "MRT read ended early, the {} records before it are used: {e}",
                st.records
            ),
            count: 1,
            first_line: None,
        });
    }
    let mut out = Loaded::new(info);
    let (mut moas, mut sets, mut no_origin, mut default) = (0u64, 0u64, 0u64, 0u64);
    rib.for_each_origin(|p, origins| {
        let Some((first, _)) = origins.first() else {
            no_origin += 1;
            return;
        };
        if p.is_empty() {
            default += 1;
            return;
        }
        moas += u64::from(origins.len() > 1);
        sets += u64::from(matches!(first, Origin::Set(_)));
        let asn = first.first();
        match p {
            Prefix::V4(a, l) => out.route4.extend(Entry::prefix(a, l, asn, 0)),
            Prefix::V6(a, l) => out.route6.extend(Entry::prefix(a, l, asn, 0)),
        }
    });
    // Deterministic record order whatever the table's hashing.
    out.route4.sort_by_key(|e| (e.start, e.prio));
    out.route6.sort_by_key(|e| (e.start, e.prio));
    let info = out.info();
    let mut note = |what: &str, n: u64| {
        if n > 0 {
            info.notes.insert(what.to_string(), n);
        }
    };
    note(
        "multi-origin prefixes (MOAS): the origin on most routes used (ties: lowest AS)",
        moas,
    );
    note("AS-set origins: first AS of the set used", sets);
    note(
        "prefixes whose routes have no origin (empty AS path): not used",
        no_origin,
    );
    note("default routes (0.0.0.0/0, ::/0): not used", default);
    out.finish_counts();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// TABLE_DUMP v1 record: IPv4 prefix, 2-byte AS path.
    fn td1(prefix: [u8; 4], len: u8, peer_as: u16, path: &[u16]) -> Vec<u8> {
        let mut attrs = vec![
            0x40,
            1,
            1,
            0,
            0x40,
            2,
            (2 + 2 * path.len()) as u8,
            2,
            path.len() as u8,
        ];
        for a in path {
            attrs.extend_from_slice(&a.to_be_bytes());
        }
        let mut b = vec![0, 0, 0, 1];
        b.extend_from_slice(&prefix);
        b.extend_from_slice(&[len, 1]);
        b.extend_from_slice(&1_400_000_000u32.to_be_bytes());
        b.extend_from_slice(&[198, 51, 100, peer_as as u8]);
        b.extend_from_slice(&peer_as.to_be_bytes());
        b.extend_from_slice(&(attrs.len() as u16).to_be_bytes());
        b.extend_from_slice(&attrs);
        let mut r = 1_400_000_000u32.to_be_bytes().to_vec();
        r.extend_from_slice(&[0, 12, 0, 1]);
        r.extend_from_slice(&(b.len() as u32).to_be_bytes());
        r.extend_from_slice(&b);
        r
    }

    #[test]
    fn origins_and_the_moas_rule() {
        let mut f = Vec::new();
        f.extend(td1([10, 0, 0, 0], 8, 1, &[1, 5]));
        // MOAS 10.1/16: origin 7 on two peers, 6 on one -> 7
        f.extend(td1([10, 1, 0, 0], 16, 1, &[1, 7]));
        f.extend(td1([10, 1, 0, 0], 16, 2, &[2, 7]));
        f.extend(td1([10, 1, 0, 0], 16, 3, &[3, 6]));
        // tie 10.2/16: 9 and 8 on one peer each -> 8
        f.extend(td1([10, 2, 0, 0], 16, 1, &[1, 9]));
        f.extend(td1([10, 2, 0, 0], 16, 2, &[2, 8]));
        f.extend(td1([0, 0, 0, 0], 0, 1, &[1]));
        let l = load("rib.20140523.mrt", &f).unwrap();
        let v: Vec<(u32, u8, u32)> = l.route4.iter().map(|e| (e.start, e.prio, e.val)).collect();
        assert_eq!(
            v,
            vec![
                (0x0a00_0000, 8, 5),
                (0x0a01_0000, 16, 7),
                (0x0a02_0000, 16, 8)
            ]
        );
        let i = &l.sources[0];
        assert_eq!(i.format, "mrt");
        assert_eq!(i.records, 7);
        assert_eq!(i.date.as_deref(), Some("2014-05-13"));
        assert_eq!(i.routes_v4, 3);
        assert_eq!(i.notes.values().sum::<u64>(), 3, "{:?}", i.notes);
        // cut in the last record: partial, the rest used, the skip names the offset
        let cut = load("c", &f[..f.len() - 3]).unwrap();
        assert_eq!(cut.route4.len(), 3);
        assert!(
            cut.sources[0].skipped[0].reason.contains("c: byte offset"),
            "{:?}",
            cut.sources[0].skipped
        );
        // nothing readable: an error at offset 0
        let e = load("x", &f[..5]).unwrap_err();
        assert_eq!(e.location, crate::Location::Offset(0));
    }
}
