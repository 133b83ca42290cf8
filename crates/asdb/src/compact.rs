//! trombone's own compact binary database format (what `trombone db build` writes and the
//! embedded default uses), and building one from any mix of source files.
//!
//! Layout (all integers little-endian; `v` = LEB128 varint):
//! ```text
//! "TRMBASDB" u32:version=2
//! v:len label-bytes                    summary description (DbSource.source)
//! v:len sources-json                   [SourceInfo, ...] (names reduced to file base names)
//! layer route4, layer route6, layer cc4, layer cc6
//!    layer = v:n, n x v:start-delta, n x v:(val+1 or 0 for none), n x u8:prio, n x u8:cidr, n x v:(src+1 or 0)
//! v:n, n x (v:first-delta, v:count-1, u16:country, v:src)
//!                                      registered country per ASN interval, ascending, disjoint
//!                                      (version 1 had no count: one ASN per entry; still read)
//! v:n, n x (v:asn-delta, v:len, bytes)                AS names, ascending
//! u32:crc32 of everything before it
//! ```
//! Columns are stored one after the other so the file gzips well; a gzip-compressed compact file
//! is read transparently. Every read is bounds-checked: truncation or corruption is an error
//! naming the byte offset, and the CRC catches what the structure does not.

use std::path::{Path, PathBuf};

use crate::db::AsDb;
use crate::error::DbError;
use crate::ranges::{Attr, Key, Layer, NONE};
use crate::source::{AsnCountry, AsnCountryRank, Format, Loaded, Prebuilt, SourceInfo};
use crate::Country;

/// The first bytes of a compact file.
pub const MAGIC: &[u8] = b"TRMBASDB";
/// The format version written (1 is still read).
const VERSION: u32 = 2;

/// Options for [`build_compact`] / [`write_compact`].
#[derive(Clone, Debug, Default)]
pub struct BuildOptions {
    /// Summary description to store (defaults to the list of sources).
    pub label: Option<String>,
    /// Gzip-compress the output file.
    pub gzip: bool,
}

/// What [`build_compact`] produced.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Stats {
    /// Source files read.
    pub sources: usize,
    /// IPv4 routing records read.
    pub routes_v4: u64,
    /// IPv6 routing records read.
    pub routes_v6: u64,
    /// IPv4 lookup-table ranges.
    pub lookup_ranges_v4: usize,
    /// IPv6 lookup-table ranges.
    pub lookup_ranges_v6: usize,
    /// AS names stored.
    pub as_names: usize,
    /// Records skipped across all sources.
    pub skipped: u64,
    /// Bytes written.
    pub bytes: u64,
}

/// Compiles any mix of source files into a compact database file at `out`.
pub fn build_compact(srcs: &[PathBuf], out: &Path, opts: &BuildOptions) -> Result<Stats, DbError> {
    let db = AsDb::load(srcs)?;
    let bytes = write_compact(&db, out, opts)?;
    let info = db.info();
    Ok(Stats {
        sources: srcs.len(),
        routes_v4: info.routes_v4,
        routes_v6: info.routes_v6,
        lookup_ranges_v4: info.lookup_ranges_v4,
        lookup_ranges_v6: info.lookup_ranges_v6,
        as_names: info.as_names,
        skipped: info.sources.iter().map(SourceInfo::skipped_total).sum(),
        bytes,
    })
}

/// Writes `db` as a compact file; returns the number of bytes written.
pub fn write_compact(db: &AsDb, out: &Path, opts: &BuildOptions) -> Result<u64, DbError> {
    let name = out.display().to_string();
    let mut bytes = encode(db, opts.label.as_deref());
    if opts.gzip {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(&bytes)
            .and_then(|_| enc.finish())
            .map(|b| bytes = b)
            .map_err(|e| DbError::file(&name, format!("gzip failed: {e}")))?;
    }
    std::fs::write(out, &bytes).map_err(|e| DbError::file(&name, format!("cannot write: {e}")))?;
    Ok(bytes.len() as u64)
}

/// Serializes a database to compact bytes (uncompressed).
pub fn encode(db: &AsDb, label: Option<&str>) -> Vec<u8> {
    let mut w = Vec::with_capacity(1 << 20);
    w.extend_from_slice(MAGIC);
    w.extend_from_slice(&VERSION.to_le_bytes());
    put_bytes(&mut w, label.unwrap_or(&db.source.source).as_bytes());
    let sources: Vec<SourceInfo> = db
        .sources
        .iter()
        .map(|s| {
            let mut s = s.clone();
            s.name = s
                .name
                .rsplit(['/', '\\'])
                .next()
                .unwrap_or(&s.name)
                .to_string();
            s
        })
        .collect();
    put_bytes(
        &mut w,
        serde_json::to_string(&sources)
            .unwrap_or_else(|_| "[]".to_string())
            .as_bytes(),
    );
    put_layer(&mut w, &db.layers.route4);
    put_layer(&mut w, &db.layers.route6);
    put_layer(&mut w, &db.layers.cc4);
    put_layer(&mut w, &db.layers.cc6);
    put_v(&mut w, db.asn_cc.intervals().count() as u128);
    let mut prev = 0u32;
    for (a, l, c, s) in db.asn_cc.intervals() {
        put_v(&mut w, u128::from(a - prev));
        put_v(&mut w, u128::from(l - a));
        prev = a;
        w.extend_from_slice(&c.to_u16().to_le_bytes());
        put_v(&mut w, u128::from(s));
    }
    put_v(&mut w, db.names.len() as u128);
    let mut prev = 0u32;
    for (a, n) in db.names.iter() {
        put_v(&mut w, u128::from(a - prev));
        prev = a;
        put_bytes(&mut w, n.as_bytes());
    }
    let crc = crc32fast::hash(&w);
    w.extend_from_slice(&crc.to_le_bytes());
    w
}

fn put_v(w: &mut Vec<u8>, mut v: u128) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            w.push(b);
            return;
        }
        w.push(b | 0x80);
    }
}

fn put_bytes(w: &mut Vec<u8>, b: &[u8]) {
    put_v(w, b.len() as u128);
    w.extend_from_slice(b);
}

fn put_layer<K: Key>(w: &mut Vec<u8>, l: &Layer<K>) {
    put_v(w, l.starts.len() as u128);
    let mut prev = 0u128;
    for s in &l.starts {
        let s = s.to_u128();
        put_v(w, s - prev);
        prev = s;
    }
    for a in &l.attrs {
        put_v(
            w,
            if a.val == NONE {
                0
            } else {
                u128::from(a.val) + 1
            },
        );
    }
    w.extend(l.attrs.iter().map(|a| a.prio));
    w.extend(l.attrs.iter().map(|a| u8::from(a.cidr)));
    for a in &l.attrs {
        put_v(
            w,
            if a.src == u16::MAX {
                0
            } else {
                u128::from(a.src) + 1
            },
        );
    }
}

/// A bounds-checked reader over compact bytes.
struct Rd<'a> {
    name: &'a str,
    b: &'a [u8],
    pos: usize,
}

impl<'a> Rd<'a> {
    fn err(&self, what: &str) -> DbError {
        DbError::offset(
            self.name,
            self.pos as u64,
            format!("corrupt compact database: {what}"),
        )
    }

    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], DbError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.b.len())
            .ok_or_else(|| self.err(&format!("truncated {what}")))?;
        let s = &self.b[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    fn v(&mut self, what: &str) -> Result<u128, DbError> {
        let mut v = 0u128;
        for shift in (0..128).step_by(7) {
            let b = *self
                .b
                .get(self.pos)
                .ok_or_else(|| self.err(&format!("truncated {what}")))?;
            self.pos += 1;
            let bits = u128::from(b & 0x7f);
            if shift == 126 && bits > 3 {
                return Err(self.err(&format!("{what} overflows")));
            }
            v |= bits << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(self.err(&format!("{what} too long")))
    }

    fn v32(&mut self, what: &str) -> Result<u32, DbError> {
        let at = self.pos;
        u32::try_from(self.v(what)?).map_err(|_| {
            DbError::offset(
                self.name,
                at as u64,
                format!("corrupt compact database: {what} out of range"),
            )
        })
    }

    /// A count of items each taking at least `min_bytes`, checked against the bytes left.
    fn count(&mut self, min_bytes: usize, what: &str) -> Result<usize, DbError> {
        let n = self.v32(what)? as usize;
        if n.saturating_mul(min_bytes) > self.b.len() - self.pos {
            return Err(self.err(&format!("{what} {n} exceeds the file size")));
        }
        Ok(n)
    }

    fn layer<K: Key>(&mut self, what: &str) -> Result<Layer<K>, DbError> {
        let at = self.pos;
        let n = self.count(4, what)?;
        if n == 0 {
            return Err(self.err(&format!("{what} has no pieces")));
        }
        let mut starts = Vec::with_capacity(n);
        let mut acc = 0u128;
        let max = K::MAX.to_u128();
        for i in 0..n {
            let d = self.v(what)?;
            if i > 0 && d == 0 {
                return Err(self.err(&format!("{what} starts not ascending")));
            }
            acc = acc
                .checked_add(d)
                .filter(|&a| a <= max)
                .ok_or_else(|| self.err(&format!("{what} start out of range")))?;
            starts.push(K::from_u128(acc));
        }
        if starts.first().map(|s| s.to_u128()) != Some(0) {
            return Err(DbError::offset(
                self.name,
                at as u64,
                format!("corrupt compact database: {what} does not start at address 0"),
            ));
        }
        let mut vals = Vec::with_capacity(n);
        for _ in 0..n {
            let v = self.v32(what)?;
            vals.push(if v == 0 { NONE } else { v - 1 });
        }
        let prios = self.take(n, what)?;
        let cidrs = self.take(n, what)?;
        let mut attrs = Vec::with_capacity(n);
        for i in 0..n {
            let s = self.v32(what)?;
            let src = if s == 0 {
                u16::MAX
            } else {
                u16::try_from(s - 1).map_err(|_| self.err("source index out of range"))?
            };
            if u32::from(prios[i]) > K::BITS || cidrs[i] > 1 {
                return Err(self.err(&format!("{what} piece {i} has bad attributes")));
            }
            attrs.push(Attr {
                val: vals[i],
                prio: prios[i],
                cidr: cidrs[i] == 1,
                src,
            });
        }
        Ok(Layer { starts, attrs })
    }
}

/// Loads compact bytes (already gunzipped).
pub fn load(name: &str, data: &[u8]) -> Result<Loaded, DbError> {
    if data.len() < MAGIC.len() + 8 || !data.starts_with(MAGIC) {
        return Err(DbError::offset(
            name,
            0,
            "not a trombone compact database (bad magic or too short)",
        ));
    }
    let body_len = data.len() - 4;
    let crc = crc32fast::hash(&data[..body_len]);
    let stored = u32::from_le_bytes([
        data[body_len],
        data[body_len + 1],
        data[body_len + 2],
        data[body_len + 3],
    ]);
    if crc != stored {
        return Err(DbError::offset(
            name,
            body_len as u64,
            "corrupt compact database: checksum mismatch (truncated or damaged file)",
        ));
    }
    let mut r = Rd {
        name,
        b: &data[..body_len],
        pos: MAGIC.len(),
    };
    let ver = u32::from_le_bytes(r.take(4, "version")?.try_into().unwrap_or([0; 4]));
    if ver != VERSION && ver != 1 {
        return Err(DbError::offset(
            name,
            MAGIC.len() as u64,
            format!("unsupported compact database version {ver} (this build reads {VERSION})"),
        ));
    }
    let n = r.count(1, "label length")?;
    let label = String::from_utf8_lossy(r.take(n, "label")?).into_owned();
    let n = r.count(1, "sources length")?;
    let at = r.pos;
    let mut sources: Vec<SourceInfo> =
        serde_json::from_slice(r.take(n, "sources")?).map_err(|e| {
            DbError::offset(
                name,
                at as u64,
                format!("corrupt compact database: sources: {e}"),
            )
        })?;
    if sources.is_empty() {
        sources.push(SourceInfo::new(name, Format::Compact));
    }
    let nsrc = sources.len();
    let pre = Prebuilt {
        route4: r.layer("IPv4 routing layer")?,
        route6: r.layer("IPv6 routing layer")?,
        cc4: r.layer("IPv4 country layer")?,
        cc6: r.layer("IPv6 country layer")?,
    };
    for l in [
        &pre.route4.attrs,
        &pre.route6.attrs,
        &pre.cc4.attrs,
        &pre.cc6.attrs,
    ] {
        if l.iter().any(|a| a.val != NONE && a.src as usize >= nsrc) {
            return Err(r.err("layer piece names a source that does not exist"));
        }
    }
    for l in [&pre.cc4.attrs, &pre.cc6.attrs] {
        if l.iter()
            .any(|a| a.val != NONE && (a.val > 0xffff || Country::from_u16(a.val as u16).is_none()))
        {
            return Err(r.err("country layer holds a value that is not a country code"));
        }
    }
    let n = r.count(4, "ASN country count")?;
    let mut asn_cc = Vec::with_capacity(n);
    let mut asn = 0u32;
    let mut prev_last: Option<u32> = None;
    for _ in 0..n {
        let d = r.v32("ASN")?;
        asn = asn.checked_add(d).ok_or_else(|| r.err("ASN overflows"))?;
        if prev_last.is_some_and(|p| asn <= p) {
            return Err(r.err("ASN country list not ascending"));
        }
        let span = if ver == 1 { 0 } else { r.v32("ASN count")? };
        let last = asn
            .checked_add(span)
            .ok_or_else(|| r.err("ASN interval overflows"))?;
        prev_last = Some(last);
        let c = r.take(2, "country")?;
        let country = Country::from_u16(u16::from_le_bytes([c[0], c[1]]))
            .ok_or_else(|| r.err("bad country code"))?;
        let src = r.v32("source index")?;
        let src = u16::try_from(src)
            .ok()
            .filter(|&s| (s as usize) < nsrc)
            .ok_or_else(|| r.err("bad source index"))?;
        asn_cc.push(AsnCountry {
            asn,
            last,
            country,
            rank: AsnCountryRank::Rir,
            src,
        });
    }
    let n = r.count(2, "AS name count")?;
    let mut names = Vec::with_capacity(n);
    let mut asn = 0u32;
    for i in 0..n {
        let d = r.v32("ASN")?;
        if i > 0 && d == 0 {
            return Err(r.err("AS name list not ascending"));
        }
        asn = asn.checked_add(d).ok_or_else(|| r.err("ASN overflows"))?;
        let len = r.count(1, "name length")?;
        let text = String::from_utf8_lossy(r.take(len, "name")?).into_owned();
        names.push((asn, text, 0u16));
    }
    if r.pos != r.b.len() {
        return Err(r.err("trailing bytes after the last section"));
    }
    Ok(Loaded {
        sources,
        asn_cc,
        names,
        prebuilt: Some(Box::new(pre)),
        label: Some(label),
        ..Loaded::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_db() -> AsDb {
        AsDb::load_bytes(&[
            (
                "p.pfx2as",
                b"10.0.0.0\t8\t100\n10.1.0.0\t16\t200\n2001:db8::\t32\t300\n",
            ),
            (
                "d.rir",
                b"apnic|KH|ipv4|10.1.0.0|256|20110412|allocated\napnic|LA|asn|100|1|2|allocated\n",
            ),
            ("n.json", br#"{"100": "HUNDRED, VN", "200": "TWO HUNDRED"}"#),
        ])
        .unwrap()
    }

    #[test]
    fn roundtrip_preserves_answers_names_and_sources() {
        let db = sample_db();
        let bytes = encode(&db, Some("test label"));
        let back = crate::combine::combine(vec![load("c.bin", &bytes).unwrap()]).unwrap();
        for ip in [
            "10.0.0.1",
            "10.1.0.5",
            "10.1.1.5",
            "11.0.0.0",
            "2001:db8::1",
            "2001:db9::1",
        ] {
            let ip = ip.parse().unwrap();
            assert_eq!(back.lookup(ip), db.lookup(ip), "{ip}");
            assert_eq!(back.explain(ip), db.explain(ip), "{ip}");
        }
        assert_eq!(back.as_name(100), Some("HUNDRED"));
        assert_eq!(back.source().source, "test label");
        assert_eq!(back.sources().len(), 3);
        assert_eq!(back.info().lookup_ranges_v4, db.info().lookup_ranges_v4);
    }

    #[test]
    fn every_truncation_and_bit_flip_is_an_error_not_a_panic() {
        let bytes = encode(&sample_db(), None);
        for cut in 0..bytes.len() {
            assert!(load("c", &bytes[..cut]).is_err(), "truncated at {cut}");
        }
        for i in 0..bytes.len() {
            let mut b = bytes.clone();
            b[i] ^= 0x55;
            assert!(load("c", &b).is_err(), "flip at {i}");
        }
    }

    #[test]
    fn varint_roundtrip() {
        for v in [0u128, 1, 127, 128, 300, u32::MAX as u128, u128::MAX] {
            let mut w = vec![];
            put_v(&mut w, v);
            let mut r = Rd {
                name: "x",
                b: &w,
                pos: 0,
            };
            assert_eq!(r.v("v").unwrap(), v);
            assert_eq!(r.pos, w.len());
        }
    }
}
