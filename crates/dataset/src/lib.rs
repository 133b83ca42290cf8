//! trombone results as a Hive-partitioned Parquet dataset.
//!
//! A national study is many vantage points measured for weeks: more results than one
//! JSON merge should hold. [`write_dataset`] appends one result (a run, a rotated piece or
//! a merge) to a dataset directory that DuckDB, Spark, Trino and ClickHouse query as they
//! are, one table per view:
//!
//! ```text
//! DIR/<table>/site=<site>/date=<YYYY-MM-DD>/part-<YYYYMMDDTHHMMSSZ>-<result id>.parquet
//! ```
//!
//! - `<table>` is one of [`TABLES`] (`as_matrix`, `country_matrix`, `hairpin_pairs`,
//!   `via`, `samples`, `capture_health`, `results`); a table without rows for a result
//!   gets no file for it.
//! - `site` is the result's `--site` made path-safe (letters, digits, `.`, `-`, `_`; any
//!   other character becomes `_`), [`UNNAMED_SITE`] without one, [`MERGED_SITE`] for a
//!   merge of several sites. The name as given is in `results.site_name`.
//! - `date` is the UTC day of the interval start (rotated pieces), else of the first
//!   packet, else 1970-01-01.
//! - `<result id>` is a content hash of the result (its command line left out): writing
//!   the same result again finds its files already there and writes nothing, so a
//!   re-run never counts twice.
//!
//! Files are written under a temporary name starting with `.` (which every engine skips)
//! and renamed into place; `results` is written last, so a result with a row there is
//! complete in every table. Appending is adding files; no file is ever rewritten.

mod schema;
mod table;

pub use schema::{
    columns, schema_markdown, table, ColType, Column, Table, COMMON, DATASET_VERSION, MERGED_SITE,
    TABLES, UNNAMED_SITE,
};
pub use table::arrow_schema;

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use table::{TableFile, V};
use trombone_schema::{Country, Report, SeriesKind};

/// What [`write_dataset`] wrote.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Written {
    /// The result's id (content hash, 16 hex digits): `result_id` in every table.
    pub result_id: String,
    /// The files written (empty when the result was already in the dataset).
    pub files: Vec<PathBuf>,
    /// Rows written, all tables.
    pub rows: u64,
    /// Bytes of the files written.
    pub bytes: u64,
    /// True when this result's files were already there: nothing was written.
    pub already_present: bool,
}

/// Why a result could not be written.
#[derive(Debug)]
pub enum DatasetError {
    /// A file or directory operation failed.
    Io {
        /// The path concerned.
        path: PathBuf,
        /// The error.
        source: io::Error,
    },
    /// The Parquet or Arrow writer failed.
    Parquet(String),
    /// The result does not fit the schema (a bug, or a count beyond 2^63).
    Invalid(String),
}

impl DatasetError {
    pub(crate) fn io(path: &Path) -> impl FnOnce(io::Error) -> DatasetError + '_ {
        move |source| DatasetError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
    pub(crate) fn parquet(e: impl fmt::Display) -> DatasetError {
        DatasetError::Parquet(e.to_string())
    }
}

impl fmt::Display for DatasetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DatasetError::Io { path, source } => write!(f, "{}: {source}", path.display()),
            DatasetError::Parquet(e) => write!(f, "parquet: {e}"),
            DatasetError::Invalid(e) => write!(f, "dataset schema: {e}"),
        }
    }
}

impl std::error::Error for DatasetError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            DatasetError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// The `site` partition value of a result.
pub fn site_partition(r: &Report) -> String {
    match r.site.as_deref() {
        Some(s) if !s.is_empty() => s
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                    c
                } else {
                    '_'
                }
            })
            .collect(),
        _ if r.merged.as_ref().is_some_and(|m| m.sites.len() > 1) => MERGED_SITE.into(),
        _ => UNNAMED_SITE.into(),
    }
}

/// Start and end (exclusive) of what a result covers, ns: its interval, else its packets.
pub fn result_span(r: &Report) -> (Option<i64>, Option<i64>) {
    match (r.interval, r.time.first_ns, r.time.last_ns) {
        (Some(i), _, _) => (Some(i.start_ns), Some(i.end_ns)),
        (None, f, l) => (f, l.map(|l| l + 1)),
    }
}

/// The `date` partition value (`YYYY-MM-DD`, UTC) of a result.
pub fn date_partition(r: &Report) -> String {
    let (y, m, d) = civil(result_span(r).0.unwrap_or(0).div_euclid(86_400_000_000_000));
    format!("{y:04}-{m:02}-{d:02}")
}

/// The result's id: FNV-1a (64 bits) of its JSON with the command line left out (as if
/// `tool.command` were empty).
///
/// The JSON is hashed as it is produced, never held: a month-long result's is tens of MB.
pub fn result_id(r: &Report) -> String {
    let mut key = b"\"command\":".to_vec();
    serde_json::to_writer(&mut key, &r.tool.command).expect("strings serialise");
    let mut h = IdHasher {
        hash: FNV_OFFSET,
        head: Some(Vec::new()),
        key,
    };
    serde_json::to_writer(&mut h, r).expect("a result serialises");
    h.finish();
    format!("{:016x}", h.hash)
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// FNV-1a over a JSON stream in which the first `"command":[...]` (the tool's: a raw,
/// unescaped `"command":` can only be a key, and `tool` comes before any other object)
/// is hashed as `"command":[]`. Bytes are held only until that key has gone by.
struct IdHasher {
    hash: u64,
    /// The stream's first bytes, until the command has been seen; then `None`.
    head: Option<Vec<u8>>,
    /// `"command":` followed by the command's JSON.
    key: Vec<u8>,
}

impl IdHasher {
    fn eat(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.hash ^= u64::from(b);
            self.hash = self.hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    /// Hashes what is still held (a stream without a command: as it was).
    fn finish(&mut self) {
        if let Some(head) = self.head.take() {
            self.eat(&head);
        }
    }
}

impl io::Write for IdHasher {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.head {
            None => self.eat(buf),
            Some(head) => {
                head.extend_from_slice(buf);
                let at = head.windows(self.key.len()).position(|w| w == self.key);
                if let Some(at) = at {
                    let head = self.head.take().expect("held");
                    self.eat(&head[..at]);
                    self.eat(b"\"command\":[]");
                    self.eat(&head[at + self.key.len()..]);
                }
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Appends `report` to the dataset in `dir` (created if missing).
pub fn write_dataset(report: &Report, dir: &Path) -> Result<Written, DatasetError> {
    let id = result_id(report);
    let site = site_partition(report);
    let date = date_partition(report);
    let start = result_span(report).0.unwrap_or(0);
    let name = format!("part-{}-{id}.parquet", stamp(start));
    let path_of = |t: &str| {
        dir.join(t)
            .join(format!("site={site}"))
            .join(format!("date={date}"))
            .join(&name)
    };
    let mut w = Written {
        result_id: id.clone(),
        ..Written::default()
    };
    if path_of("results").exists() {
        w.already_present = true;
        return Ok(w);
    }
    let mut out = Out {
        path_of: &path_of,
        id: &id,
        written: &mut w,
    };
    build(report, &id, &mut out)?;
    Ok(w)
}

/// Where [`build`] sends its tables: each one a file of its own, finished in turn.
struct Out<'a> {
    path_of: &'a dyn Fn(&str) -> PathBuf,
    id: &'a str,
    written: &'a mut Written,
}

impl Out<'_> {
    /// A new table's file (nothing is created before its first rows).
    fn open(&self, name: &str) -> TableFile {
        let t = table(name).expect("a table of TABLES");
        TableFile::new(t, (self.path_of)(t.name), self.id)
    }

    /// Finishes a table's file (none for a table without rows) and counts it.
    fn close(&mut self, t: TableFile) -> Result<(), DatasetError> {
        let path = t.path().to_path_buf();
        if let Some((rows, bytes)) = t.finish()? {
            self.written.rows += rows as u64;
            self.written.bytes += bytes;
            self.written.files.push(path);
        }
        Ok(())
    }
}

fn cc(c: &Option<Country>) -> V<'_> {
    V::os(c.as_ref().map(|c| c.as_str()))
}

/// Every table's rows of one result, written in [`TABLES`] order, one table at a time
/// (`results` last: its row says the result is complete in every table).
fn build(r: &Report, id: &str, out: &mut Out<'_>) -> Result<(), DatasetError> {
    let (start, end) = result_span(r);
    let common = [
        ("result_id", V::S(id)),
        ("interval_start", start.map_or(V::N, V::T)),
        ("interval_start_ns", V::oi(start)),
        ("interval_end_ns", V::oi(end)),
    ];

    let mut t = out.open("as_matrix");
    for c in &r.as_matrix {
        t.push(
            &common,
            &[
                ("src_asn", V::I(c.src_asn.into())),
                ("src_country", cc(&c.src_country)),
                ("dst_asn", V::I(c.dst_asn.into())),
                ("dst_country", cc(&c.dst_country)),
                ("packets", V::U(c.packets)),
                ("bytes", V::U(c.bytes)),
                ("flows", V::U(c.flows)),
            ],
        )?;
    }
    out.close(t)?;

    let mut t = out.open("country_matrix");
    for c in &r.country_matrix {
        t.push(
            &common,
            &[
                ("src_country", cc(&c.src_country)),
                ("dst_country", cc(&c.dst_country)),
                ("packets", V::U(c.packets)),
                ("bytes", V::U(c.bytes)),
                ("flows", V::U(c.flows)),
            ],
        )?;
    }
    out.close(t)?;

    let mut pairs = out.open("hairpin_pairs");
    let mut via = out.open("via");
    for p in r.hairpin.iter().flat_map(|h| h.pairs.iter()) {
        let d = p.detour_ms.as_ref();
        let h = p.hops_abroad.as_ref();
        let s = p.handshake_rtt_ms.as_ref();
        pairs.push(
            &common,
            &[
                ("src_asn", V::I(p.src_asn.into())),
                ("src_country", cc(&p.src_country)),
                ("dst_asn", V::I(p.dst_asn.into())),
                ("dst_country", cc(&p.dst_country)),
                ("packets", V::U(p.packets)),
                ("bytes", V::U(p.bytes)),
                ("observations", V::U(p.observations)),
                ("reobserved_packets", V::U(p.reobserved_packets)),
                ("local_bytes", V::U(p.local_bytes)),
                ("detour_samples", V::ou(d.map(|q| q.samples))),
                ("detour_p50_ms", V::of(d.map(|q| q.p50))),
                ("detour_p90_ms", V::of(d.map(|q| q.p90))),
                ("detour_p99_ms", V::of(d.map(|q| q.p99))),
                ("detour_hist", V::os(d.and_then(|q| q.hist.as_deref()))),
                ("hops_samples", V::ou(h.map(|q| q.samples))),
                ("hops_p50", V::ou(h.map(|q| q.p50))),
                ("hops_hist", V::os(h.and_then(|q| q.hist.as_deref()))),
                ("handshake_samples", V::ou(s.map(|q| q.samples))),
                ("handshake_min_ms", V::of(s.map(|q| q.min))),
                ("handshake_p50_ms", V::of(s.map(|q| q.p50))),
                (
                    "handshake_exceeds_floor",
                    V::ob(s.map(|q| q.exceeds_domestic_floor)),
                ),
                ("handshake_hist", V::os(s.and_then(|q| q.hist.as_deref()))),
            ],
        )?;
        for v in &p.via {
            via.push(
                &common,
                &[
                    ("src_asn", V::I(p.src_asn.into())),
                    ("src_country", cc(&p.src_country)),
                    ("dst_asn", V::I(p.dst_asn.into())),
                    ("dst_country", cc(&p.dst_country)),
                    ("link", V::os(v.link.as_deref())),
                    ("via_asn", V::I(v.asn.into())),
                    ("via_country", cc(&v.country)),
                    ("via_name", V::os(v.name.as_deref())),
                    ("packets", V::I(v.packets)),
                    ("bytes", V::I(v.bytes)),
                ],
            )?;
        }
    }
    out.close(pairs)?;
    let mut local = out.open("local_pairs");
    for p in r.hairpin.iter().flat_map(|h| h.local_pairs.iter()) {
        local.push(
            &common,
            &[
                ("src_asn", V::I(p.src_asn.into())),
                ("src_country", cc(&p.src_country)),
                ("dst_asn", V::I(p.dst_asn.into())),
                ("dst_country", cc(&p.dst_country)),
                ("packets", V::U(p.packets)),
                ("bytes", V::U(p.bytes)),
            ],
        )?;
    }
    out.close(local)?;
    out.close(via)?;

    let mut t = out.open("samples");
    if let Some(set) = &r.series {
        let sample_ns = (set.sample_s * 1e9).round() as i64;
        let kinds: Vec<(SeriesKind, String)> = set
            .rows
            .iter()
            .map(|x| x.kind)
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .map(|k| (k, kind_name(k)))
            .collect();
        for s in &set.rows {
            let kind = &kinds
                .iter()
                .find(|(k, _)| *k == s.kind)
                .expect("collected")
                .1;
            for x in &s.samples {
                let at = x.index.checked_mul(sample_ns).ok_or_else(|| {
                    DatasetError::Invalid(format!("sample index {} out of range", x.index))
                })?;
                t.push(
                    &common,
                    &[
                        ("kind", V::S(kind)),
                        ("src_asn", V::oi(s.src_asn.map(i64::from))),
                        ("src_country", cc(&s.src_country)),
                        ("dst_asn", V::oi(s.dst_asn.map(i64::from))),
                        ("dst_country", cc(&s.dst_country)),
                        ("asn", V::oi(s.asn.map(i64::from))),
                        ("country", cc(&s.country)),
                        ("link", V::os(s.link.as_deref())),
                        ("sample_index", V::I(x.index)),
                        ("sample_start", V::T(at)),
                        ("sample_s", V::F(set.sample_s)),
                        ("bytes", V::U(x.bytes)),
                        ("packets", V::U(x.packets)),
                        ("peak_bin_bytes", V::U(x.peak_bin_bytes)),
                        ("peak_bin_packets", V::U(x.peak_bin_packets)),
                    ],
                )?;
            }
        }
    }
    out.close(t)?;

    let mut t = out.open("capture_health");
    if let Some(h) = &r.capture {
        let notes = (!h.notes.is_empty()).then(|| h.notes.join("; "));
        let queues: Vec<Option<&trombone_schema::QueueHealth>> = if h.queues.is_empty() {
            vec![None]
        } else {
            h.queues.iter().map(Some).collect()
        };
        for q in queues {
            t.push(
                &common,
                &[
                    ("engine", V::S(&h.engine)),
                    ("interface", V::S(&h.interface)),
                    ("mode", V::S(&h.mode)),
                    ("fanout", V::os(h.fanout.as_deref())),
                    ("filter", V::os(h.filter.as_deref())),
                    ("is_final", V::B(h.is_final)),
                    ("started_ns", V::I(h.started_ns)),
                    ("elapsed_s", V::F(h.elapsed_s)),
                    ("packets", V::U(h.packets)),
                    ("kernel_drops", V::U(h.kernel_drops)),
                    ("xdp_drops", V::U(h.xdp_drops)),
                    ("interface_drops", V::ou(h.interface_drops)),
                    ("host_discards", V::ou(h.host_discards)),
                    ("dropped_any", V::B(h.dropped_any)),
                    ("notes", V::os(notes.as_deref())),
                    ("queue", V::ou(q.map(|q| u64::from(q.queue)))),
                    ("queue_cpu", V::ou(q.and_then(|q| q.cpu).map(|c| c as u64))),
                    ("queue_packets", V::ou(q.map(|q| q.packets))),
                    ("queue_bytes", V::ou(q.map(|q| q.bytes))),
                    ("queue_kernel_drops", V::ou(q.map(|q| q.kernel_drops))),
                    ("queue_xdp_drops", V::ou(q.map(|q| q.xdp_drops))),
                    ("queue_error", V::os(q.and_then(|q| q.error.as_deref()))),
                ],
            )?;
        }
    }
    out.close(t)?;

    let mut t = out.open("results");
    let tot = &r.totals;
    let hp = r.hairpin.as_ref();
    let ht = hp.map(|h| h.totals);
    let hm = hp.map(|h| h.matcher);
    let zone = hp.map(|h| {
        h.zone
            .iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>()
            .join(",")
    });
    let merged_sites = r.merged.as_ref().map(|m| m.sites.join(","));
    let warnings = (!r.warnings.is_empty()).then(|| {
        r.warnings
            .iter()
            .map(|w| w.code.as_str())
            .collect::<Vec<_>>()
            .join(",")
    });
    let home = hp.map(|h| h.home);
    t.push(
        &common,
        &[
            ("site_name", V::os(r.site.as_deref())),
            ("rotated", V::B(r.interval.is_some())),
            ("first_ns", V::oi(r.time.first_ns)),
            ("last_ns", V::oi(r.time.last_ns)),
            ("duration_s", V::F(r.time.duration_s)),
            ("frames", V::U(tot.frames)),
            ("ip_packets", V::U(tot.ip_packets)),
            ("ip_bytes", V::U(tot.ip_bytes)),
            ("wire_bytes", V::U(tot.wire_bytes)),
            ("non_ip_frames", V::U(tot.non_ip_frames)),
            ("malformed_frames", V::U(tot.malformed_frames)),
            ("unsupported_frames", V::U(tot.unsupported_frames)),
            ("flows", V::U(tot.flows)),
            ("evicted_flows", V::U(tot.evicted_flows)),
            ("expired_flows", V::U(tot.expired_flows)),
            ("untimed_frames", V::U(tot.untimed_frames)),
            ("time_outliers", V::U(tot.time_outliers)),
            ("late_packets", V::U(tot.late_packets)),
            ("encap_bytes", V::U(tot.encap_bytes)),
            ("decapsulated_packets", V::U(tot.decapsulated_packets)),
            ("bin_s", V::of(r.series.as_ref().map(|s| s.bin_s))),
            ("sample_s", V::of(r.series.as_ref().map(|s| s.sample_s))),
            ("hairpin_home", V::os(home.as_ref().map(|c| c.as_str()))),
            ("hairpin_zone", V::os(zone.as_deref())),
            ("hairpin_window_ms", V::of(hp.map(|h| h.window_ms))),
            ("hairpin_packets", V::ou(ht.map(|x| x.packets))),
            ("hairpin_bytes", V::ou(ht.map(|x| x.bytes))),
            ("hairpin_observations", V::ou(ht.map(|x| x.observations))),
            (
                "hairpin_reobserved_packets",
                V::ou(ht.map(|x| x.reobserved_packets)),
            ),
            ("local_packets", V::ou(ht.map(|x| x.local_packets))),
            ("local_bytes", V::ou(ht.map(|x| x.local_bytes))),
            (
                "matcher_slot_overflows",
                V::ou(hm.map(|m| m.slot_overflows)),
            ),
            ("matcher_dropped_fresh", V::ou(hm.map(|m| m.dropped_fresh))),
            (
                "matcher_unidentified_link",
                V::ou(hm.map(|m| m.unidentified_link)),
            ),
            (
                "matcher_handshakes_dropped",
                V::ou(hm.map(|m| m.handshakes_dropped)),
            ),
            ("asn_db_source", V::S(&r.asn_db.source)),
            ("asn_db_date", V::os(r.asn_db.date.as_deref())),
            ("asn_db_digest", V::os(r.asn_db.digest.as_deref())),
            ("schema_version", V::I(r.schema_version.into())),
            ("tool_name", V::S(&r.tool.name)),
            ("tool_version", V::S(&r.tool.version)),
            ("dataset_version", V::I(DATASET_VERSION.into())),
            ("partial", V::B(r.partial)),
            (
                "merged_results",
                V::ou(r.merged.as_ref().map(|m| m.results)),
            ),
            ("merged_sites", V::os(merged_sites.as_deref())),
            ("inputs", V::U(r.inputs.len() as u64)),
            (
                "input_errors",
                V::U(r.inputs.iter().filter(|i| i.error.is_some()).count() as u64),
            ),
            ("warnings", V::os(warnings.as_deref())),
        ],
    )?;
    out.close(t)?;
    Ok(())
}

/// A series kind's name, as the JSON contract spells it (`network_in`...).
fn kind_name(k: SeriesKind) -> String {
    match serde_json::to_value(k) {
        Ok(serde_json::Value::String(s)) => s,
        _ => format!("{k:?}"),
    }
}

/// `YYYYMMDDTHHMMSSZ` of a time in ns since the epoch (UTC).
fn stamp(ns: i64) -> String {
    let secs = ns.div_euclid(1_000_000_000);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil(secs.div_euclid(86_400));
    format!(
        "{y:04}{m:02}{d:02}T{:02}{:02}{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Year, month, day of a day count since 1970-01-01 (Howard Hinnant's algorithm).
fn civil(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}
