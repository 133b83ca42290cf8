//! Reading MRT records: framing and body decoding by `bgpkit-parser`, turned into route events
//! (a route replaced, a route withdrawn, a peer's session gone) for a [`Sink`].
//!
//! - TABLE_DUMP (v1): one route per record (2-byte AS paths).
//! - TABLE_DUMP_V2: PEER_INDEX_TABLE; RIB_IPV4/IPV6_UNICAST and their ADD-PATH variants;
//!   RIB_GENERIC(_ADDPATH) for AFI 1/2 SAFI 1. The RIB records themselves are walked here (the
//!   crate's own RIB walker stops silently at the first bad entry and has no RIB_GENERIC);
//!   each entry's attributes are decoded by `bgpkit_parser::parse_attributes`.
//! - BGP4MP and BGP4MP_ET: UPDATE messages (withdrawals, then announcements, from the classic
//!   fields and MP_REACH/MP_UNREACH for unicast), 2- and 4-byte AS (AS_PATH merged with AS4_PATH
//!   per RFC 6793), ADD-PATH subtypes (the path identifier keys the route); a state change out
//!   of Established drops the peer's routes. MESSAGE_LOCAL subtypes (what the collector sent)
//!   are skipped.
//!
//! Multicast, VPN and other address families, OSPF/IS-IS records and the deprecated
//! BGP4MP_ENTRY/SNAPSHOT subtypes are skipped and counted by reason. A record whose body does
//! not decode is skipped and counted (framing still holds); a record that cannot be framed
//! (truncated, oversized length, decompression error) ends the read with an error naming the
//! byte offset of that record.

use std::io::Read;
use std::net::IpAddr;

use bgpkit_parser::models::{
    AsPath as KitPath, AsPathSegment, AsnLength, Attributes, Bgp4MpEnum, BgpMessage, BgpState,
    MrtMessage, NetworkPrefix, Safi, TableDumpMessage, TableDumpV2Message,
};
use bgpkit_parser::parser::bgp::attributes::parse_attributes;
use bgpkit_parser::{chunk_mrt_record, ParserError};
use bytes::Bytes;

use crate::error::MrtError;
use crate::input::{decompress, Compression, Counting};
use crate::path::{encode, AsPath, Segment, SegmentKind};
use crate::prefix::Prefix;

/// A BGP peer of the collector: its address and AS number.
pub type PeerKey = (IpAddr, u32);

/// Receives the route events of an MRT stream, in file order.
pub(crate) trait Sink {
    /// `peer` now has `path` (encoded, see `path.rs`) for `prefix` (ADD-PATH id `path_id`, 0
    /// without ADD-PATH): a RIB entry or an announcement.
    fn route(&mut self, peer: PeerKey, prefix: Prefix, path_id: u32, path: &[u32]);
    /// `peer` withdrew `prefix` (`path_id` as above).
    fn withdraw(&mut self, peer: PeerKey, prefix: Prefix, path_id: u32);
    /// `peer`'s session left Established: all its routes are gone.
    fn peer_down(&mut self, peer: PeerKey);
}

/// Records of one kind that were skipped, how many, and where the first one was.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    /// Why.
    pub reason: String,
    /// How many records (or RIB entries, or prefixes, as the reason says).
    pub count: u64,
    /// Byte offset (decompressed stream) of the first record concerned.
    pub first_offset: u64,
    /// The decoder's message for the first one, where there was one.
    pub first_message: Option<String>,
}

/// What reading one MRT stream did: counts, skips, and the error that ended it early, if any.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadStats {
    /// The file name as given.
    pub file: String,
    /// Compression detected from the first bytes.
    pub compression: Compression,
    /// MRT records read whole (including skipped ones).
    pub records: u64,
    /// Decompressed bytes up to the end of the last whole record.
    pub bytes: u64,
    /// Raw (compressed) bytes read from the input.
    pub compressed_bytes: u64,
    /// PEER_INDEX_TABLE records.
    pub peer_tables: u64,
    /// Routes from RIB records (TABLE_DUMP, TABLE_DUMP_V2 entries).
    pub rib_entries: u64,
    /// Prefixes announced in BGP4MP UPDATE messages.
    pub announcements: u64,
    /// Prefixes withdrawn in BGP4MP UPDATE messages.
    pub withdrawals: u64,
    /// BGP4MP state changes out of Established (the peer's routes were dropped).
    pub peer_downs: u64,
    /// MRT header timestamp (Unix seconds) of the first record: a RIB dump's time.
    pub first_timestamp: Option<u32>,
    /// Records, entries or prefixes skipped, by reason.
    pub skipped: Vec<Skipped>,
    /// The error that ended the read before the end of the stream: the data before it is kept.
    pub error: Option<MrtError>,
}

impl ReadStats {
    fn new(file: &str) -> ReadStats {
        ReadStats {
            file: file.to_string(),
            compression: Compression::None,
            records: 0,
            bytes: 0,
            compressed_bytes: 0,
            peer_tables: 0,
            rib_entries: 0,
            announcements: 0,
            withdrawals: 0,
            peer_downs: 0,
            first_timestamp: None,
            skipped: Vec::new(),
            error: None,
        }
    }

    /// True when the read ended in an error: what was read before it is kept.
    pub fn partial(&self) -> bool {
        self.error.is_some()
    }

    /// Total of all skip counts.
    pub fn skipped_total(&self) -> u64 {
        self.skipped.iter().map(|s| s.count).sum()
    }

    fn skip(&mut self, reason: &str, offset: u64, message: Option<String>) {
        if let Some(s) = self.skipped.iter_mut().find(|s| s.reason == reason) {
            s.count += 1;
        } else {
            self.skipped.push(Skipped {
                reason: reason.to_string(),
                count: 1,
                first_offset: offset,
                first_message: message,
            });
        }
    }
}

impl std::fmt::Display for ReadStats {
    /// One line: records, bytes, routes, skips, and the error if the read was partial.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {} MRT records, {} bytes ({}), {} RIB entries, {} announced, {} withdrawn, {} skipped",
            self.file,
            self.records,
            self.bytes,
            self.compression.name(),
            self.rib_entries,
            self.announcements,
            self.withdrawals,
            self.skipped_total()
        )?;
        if let Some(e) = &self.error {
            write!(f, "; PARTIAL: {e}")?;
        }
        Ok(())
    }
}

/// Reads an MRT stream (compression detected by magic) into `sink`. Never fails as a whole: an
/// error ends the read and is recorded in the returned stats with its byte offset.
pub(crate) fn read(name: &str, input: impl Read, sink: &mut impl Sink) -> ReadStats {
    let mut st = ReadStats::new(name);
    let (comp, dec, raw) = match decompress(input) {
        Ok(x) => x,
        Err(e) => {
            st.error = Some(MrtError::file(name, format!("cannot read: {e}")));
            return st;
        }
    };
    st.compression = comp;
    let mut r = Counting { inner: dec, pos: 0 };
    let mut peers: Option<Vec<Option<PeerKey>>> = None;
    loop {
        let start = r.pos;
        match chunk_mrt_record(&mut r) {
            Ok(rec) => {
                st.records += 1;
                st.bytes = r.pos;
                st.first_timestamp
                    .get_or_insert(rec.common_header.timestamp);
                let ty = u16::from(rec.common_header.entry_type);
                let sub = rec.common_header.entry_subtype;
                let body = rec.message_bytes.clone();
                let mut rd = Rec {
                    st: &mut st,
                    sink,
                    peers: &mut peers,
                    offset: start,
                };
                rd.record(ty, sub, rec, body);
            }
            Err(e) => {
                if matches!(e.error, ParserError::EofExpected) {
                    break;
                }
                let consumed = r.pos - start;
                let declared = e
                    .bytes
                    .as_ref()
                    .filter(|b| b.len() >= 12)
                    .map(|b| u32::from_be_bytes([b[8], b[9], b[10], b[11]]));
                let io = matches!(e.error, ParserError::IoError(_) | ParserError::EofError(_));
                // A header that was rejected (unknown type) but whose body was read whole: the
                // stream is still framed, so skip the record and go on.
                if !io && declared.is_some_and(|d| consumed == 12 + u64::from(d)) {
                    st.records += 1;
                    st.bytes = r.pos;
                    st.skip(
                        "MRT record of an unknown type",
                        start,
                        Some(e.error.to_string()),
                    );
                    continue;
                }
                let msg = match (&e.error, declared) {
                    (ParserError::OversizedRecord { length }, _) => format!(
                        "MRT record header declares a {length}-byte body (over 16 MiB): not MRT, or corrupt"
                    ),
                    (err, Some(d)) if io => format!(
                        "MRT record truncated: {consumed} of its {} bytes read ({err})",
                        12 + u64::from(d)
                    ),
                    (err, None) if io => {
                        format!("MRT record header truncated: {consumed} of 12 bytes read ({err})")
                    }
                    (err, _) => format!("cannot frame MRT record: {err}"),
                };
                st.error = Some(MrtError::at(name, start, msg));
                break;
            }
        }
    }
    st.compressed_bytes = raw.get();
    st
}

/// The state needed to decode one record.
struct Rec<'a, S> {
    st: &'a mut ReadStats,
    sink: &'a mut S,
    peers: &'a mut Option<Vec<Option<PeerKey>>>,
    offset: u64,
}

impl<S: Sink> Rec<'_, S> {
    fn skip(&mut self, reason: &str) {
        self.st.skip(reason, self.offset, None);
    }

    fn malformed(&mut self, what: &str, err: impl ToString) {
        self.st.skip(what, self.offset, Some(err.to_string()));
    }

    fn record(&mut self, ty: u16, sub: u16, rec: bgpkit_parser::RawMrtRecord, body: Bytes) {
        match (ty, sub) {
            (13, 1) => match rec.parse().map(|r| r.message) {
                Ok(MrtMessage::TableDumpV2Message(TableDumpV2Message::PeerIndexTable(t))) => {
                    self.st.peer_tables += 1;
                    let n = t
                        .id_peer_map
                        .keys()
                        .map(|&k| usize::from(k) + 1)
                        .max()
                        .unwrap_or(0);
                    let mut v = vec![None; n];
                    for (&i, p) in &t.id_peer_map {
                        v[usize::from(i)] = Some((p.peer_ip, p.peer_asn.to_u32()));
                    }
                    *self.peers = Some(v);
                }
                Ok(_) => self.skip("PEER_INDEX_TABLE decoded as something else"),
                Err(e) => self.malformed("malformed PEER_INDEX_TABLE record", e),
            },
            (13, 2 | 4 | 6 | 8 | 10 | 13) => {
                let fam = match sub {
                    6 | 13 => None,
                    s => Some(matches!(s, 4 | 10)),
                };
                let peers = self.peers.take();
                self.rib(&body, fam, sub >= 8, peers.as_deref());
                *self.peers = peers;
            }
            (13, 3 | 5 | 9 | 11) => self.skip("TABLE_DUMP_V2 multicast RIB record"),
            (13, 7) => self.skip("TABLE_DUMP_V2 GEO_PEER_TABLE record"),
            (13, _) => self.skip("TABLE_DUMP_V2 record of an undefined subtype"),
            (12, _) => match rec.parse().map(|r| r.message) {
                Ok(MrtMessage::TableDumpMessage(m)) => self.table_dump(m),
                Ok(MrtMessage::TableDumpMessageBatch(v)) => {
                    v.into_iter().for_each(|m| self.table_dump(m))
                }
                Ok(_) => self.skip("TABLE_DUMP decoded as something else"),
                Err(e) => self.malformed("malformed TABLE_DUMP record", e),
            },
            (16 | 17, 2 | 3) => {
                self.skip("BGP4MP_ENTRY/BGP4MP_SNAPSHOT record (deprecated subtype)")
            }
            (16 | 17, 6 | 7 | 10 | 11) => {
                self.skip("BGP4MP MESSAGE_LOCAL record (sent by the collector, not received)")
            }
            (16 | 17, 0 | 1 | 4 | 5 | 8 | 9) => match rec.parse().map(|r| r.message) {
                Ok(MrtMessage::Bgp4Mp(Bgp4MpEnum::Message(m))) => {
                    let peer = (m.peer_ip, m.peer_asn.to_u32());
                    match m.bgp_message {
                        BgpMessage::Update(u) => self.update(peer, u),
                        _ => self.skip("BGP4MP message other than UPDATE (OPEN, KEEPALIVE, ...)"),
                    }
                }
                Ok(MrtMessage::Bgp4Mp(Bgp4MpEnum::StateChange(s))) => {
                    if s.old_state == BgpState::Established && s.new_state != BgpState::Established
                    {
                        self.st.peer_downs += 1;
                        self.sink.peer_down((s.peer_ip, s.peer_asn.to_u32()));
                    }
                }
                Ok(_) => self.skip("BGP4MP decoded as something else"),
                Err(e) => self.malformed("malformed BGP4MP record", e),
            },
            (16 | 17, _) => self.skip("BGP4MP record of an undefined subtype"),
            _ => self.skip("MRT record of a type not read (OSPF, IS-IS, legacy BGP, ...)"),
        }
    }

    /// A TABLE_DUMP_V2 RIB record: AFI-specific (`v6` given) or RIB_GENERIC (`v6` None).
    fn rib(
        &mut self,
        body: &Bytes,
        v6: Option<bool>,
        add_path: bool,
        peers: Option<&[Option<PeerKey>]>,
    ) {
        let mut c = Cur { b: body, p: 0 };
        let Some(_seq) = c.u32() else {
            return self.malformed("malformed RIB record", "too short");
        };
        let v6 = match v6 {
            Some(v) => v,
            None => {
                let (Some(afi), Some(safi)) = (c.u16(), c.u8()) else {
                    return self.malformed("malformed RIB record", "too short");
                };
                match (afi, safi) {
                    (1 | 2, 1) => afi == 2,
                    (1 | 2, 2) => return self.skip("TABLE_DUMP_V2 multicast RIB record"),
                    _ => return self.skip("RIB_GENERIC record of an address family not read"),
                }
            }
        };
        let Some(prefix) = c.prefix(v6) else {
            return self.malformed("malformed RIB record", "bad prefix");
        };
        let Some(count) = c.u16() else {
            return self.malformed("malformed RIB record", "too short");
        };
        let Some(peers) = peers else {
            return self.skip("RIB record before any PEER_INDEX_TABLE");
        };
        let (afi, kit_prefix) = kit(prefix);
        for _ in 0..count {
            let (Some(pi), Some(_t)) = (c.u16(), c.u32()) else {
                return self
                    .malformed("RIB record shorter than its entry count", "truncated entry");
            };
            let path_id = if add_path { c.u32() } else { Some(0) };
            let (Some(path_id), Some(alen)) = (path_id, c.u16()) else {
                return self
                    .malformed("RIB record shorter than its entry count", "truncated entry");
            };
            let Some(range) = c.take(usize::from(alen)) else {
                return self.malformed(
                    "RIB record shorter than its entry count",
                    "truncated attributes",
                );
            };
            let Some(&Some(peer)) = peers.get(usize::from(pi)) else {
                self.skip("RIB entry naming a peer missing from the PEER_INDEX_TABLE");
                continue;
            };
            let attrs = match parse_attributes(
                body.slice(range),
                &AsnLength::Bits32,
                add_path,
                Some(afi),
                Some(Safi::Unicast),
                Some(std::slice::from_ref(&kit_prefix)),
            ) {
                Ok(a) => a,
                Err(e) => {
                    self.malformed("RIB entry with malformed attributes", e);
                    continue;
                }
            };
            match path_of(&attrs) {
                Some(p) => {
                    self.st.rib_entries += 1;
                    self.sink.route(peer, prefix, path_id, &p);
                }
                None => self.skip("RIB entry without AS_PATH"),
            }
        }
        if c.p != body.len() {
            self.skip("RIB record with bytes after its last entry");
        }
    }

    fn table_dump(&mut self, m: TableDumpMessage) {
        let Some(prefix) = to_prefix(&m.prefix) else {
            return self.skip("TABLE_DUMP prefix longer than its family allows");
        };
        match path_of(&m.attributes) {
            Some(p) => {
                self.st.rib_entries += 1;
                self.sink
                    .route((m.peer_ip, m.peer_asn.to_u32()), prefix, 0, &p);
            }
            None => self.skip("RIB entry without AS_PATH"),
        }
    }

    fn update(&mut self, peer: PeerKey, u: bgpkit_parser::models::BgpUpdateMessage) {
        let a = &u.attributes;
        let mut gone: Vec<&NetworkPrefix> = u.withdrawn_prefixes.iter().collect();
        if let Some(n) = a.get_unreachable_nlri() {
            if n.safi == Safi::Unicast {
                gone.extend(n.prefixes.iter());
            } else {
                self.skip("MP_UNREACH_NLRI of a SAFI other than unicast");
            }
        }
        for p in gone {
            match to_prefix(p) {
                Some(x) => {
                    self.st.withdrawals += 1;
                    self.sink.withdraw(peer, x, p.path_id.unwrap_or(0));
                }
                None => self.skip("withdrawn prefix longer than its family allows"),
            }
        }
        let mut new: Vec<&NetworkPrefix> = u.announced_prefixes.iter().collect();
        if let Some(n) = a.get_reachable_nlri() {
            if n.safi == Safi::Unicast {
                new.extend(n.prefixes.iter());
            } else {
                self.skip("MP_REACH_NLRI of a SAFI other than unicast");
            }
        }
        if new.is_empty() {
            return;
        }
        let path = path_of(a);
        for p in new {
            let Some(x) = to_prefix(p) else {
                self.skip("announced prefix longer than its family allows");
                continue;
            };
            let id = p.path_id.unwrap_or(0);
            match &path {
                Some(path) => {
                    self.st.announcements += 1;
                    self.sink.route(peer, x, id, path);
                }
                None => {
                    // RFC 7606: an UPDATE missing a mandatory attribute is treated as withdrawal.
                    self.skip("announcement without AS_PATH (treated as a withdrawal, RFC 7606)");
                    self.sink.withdraw(peer, x, id);
                }
            }
        }
    }
}

/// The encoded effective AS path of a route (AS_PATH merged with AS4_PATH), `None` without an
/// AS_PATH attribute.
fn path_of(a: &Attributes) -> Option<Vec<u32>> {
    match (a.as_path(), a.as4_path()) {
        (Some(p), None) => Some(encode_kit(p)),
        (Some(_), Some(_)) => a.effective_as_path().map(|p| encode_kit(&p)),
        _ => None,
    }
}

fn encode_kit(p: &KitPath) -> Vec<u32> {
    let segs = p
        .segments
        .iter()
        .map(|s| {
            let (kind, v) = match s {
                AsPathSegment::AsSequence(v) => (SegmentKind::Sequence, v),
                AsPathSegment::AsSet(v) => (SegmentKind::Set, v),
                AsPathSegment::ConfedSequence(v) => (SegmentKind::ConfedSequence, v),
                AsPathSegment::ConfedSet(v) => (SegmentKind::ConfedSet, v),
            };
            Segment {
                kind,
                asns: v.iter().map(|a| a.to_u32()).collect(),
            }
        })
        .collect();
    encode(&AsPath { segments: segs })
}

fn to_prefix(p: &NetworkPrefix) -> Option<Prefix> {
    Prefix::new(p.prefix.addr(), p.prefix.prefix_len())
}

/// The crate's AFI and prefix type for one of ours.
fn kit(p: Prefix) -> (bgpkit_parser::models::Afi, NetworkPrefix) {
    use bgpkit_parser::models::Afi;
    let afi = if p.is_v4() { Afi::Ipv4 } else { Afi::Ipv6 };
    let net = ipnet::IpNet::new(p.addr(), p.len()).unwrap_or_default();
    (afi, NetworkPrefix::new(net, None))
}

/// A bounds-checked big-endian cursor.
struct Cur<'a> {
    b: &'a [u8],
    p: usize,
}

impl Cur<'_> {
    fn take(&mut self, n: usize) -> Option<std::ops::Range<usize>> {
        let end = self.p.checked_add(n)?;
        (end <= self.b.len()).then(|| {
            let r = self.p..end;
            self.p = end;
            r
        })
    }
    fn u8(&mut self) -> Option<u8> {
        let r = self.take(1)?;
        Some(self.b[r.start])
    }
    fn u16(&mut self) -> Option<u16> {
        let r = self.take(2)?;
        Some(u16::from_be_bytes([self.b[r.start], self.b[r.start + 1]]))
    }
    fn u32(&mut self) -> Option<u32> {
        let r = self.take(4)?;
        let s = &self.b[r];
        Some(u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
    }
    /// An NLRI-encoded prefix (length byte, then the significant bytes).
    fn prefix(&mut self, v6: bool) -> Option<Prefix> {
        let len = self.u8()?;
        if len > if v6 { 128 } else { 32 } {
            return None;
        }
        let r = self.take(usize::from(len).div_ceil(8))?;
        let mut a = [0u8; 16];
        a[..r.len()].copy_from_slice(&self.b[r]);
        if v6 {
            Prefix::v6(u128::from_be_bytes(a), len)
        } else {
            Prefix::v4(u32::from_be_bytes([a[0], a[1], a[2], a[3]]), len)
        }
    }
}
