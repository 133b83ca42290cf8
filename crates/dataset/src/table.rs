//! Column buffers of one table, checked against the schema, and the Parquet file they become.

use crate::schema::{columns, ColType, Table, DATASET_VERSION};
use crate::DatasetError;
use arrow_array::builder::{
    BooleanBuilder, Float64Builder, Int64Builder, StringBuilder, TimestampMicrosecondBuilder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, TimeUnit};
use parquet::arrow::arrow_writer::{ArrowWriter, ArrowWriterOptions};
use parquet::basic::Compression;
use parquet::file::metadata::KeyValue;
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::sync::Arc;

/// One value of a row, before its column's checks.
#[derive(Clone, Copy, Debug)]
pub(crate) enum V<'a> {
    /// A signed integer.
    I(i64),
    /// An unsigned count (must fit in an i64).
    U(u64),
    /// A float.
    F(f64),
    /// A string.
    S(&'a str),
    /// A boolean.
    B(bool),
    /// A timestamp, ns since the epoch (stored as µs).
    T(i64),
    /// Null.
    N,
}

impl<'a> V<'a> {
    /// An optional signed integer.
    pub(crate) fn oi(x: Option<i64>) -> V<'a> {
        x.map_or(V::N, V::I)
    }
    /// An optional count.
    pub(crate) fn ou(x: Option<u64>) -> V<'a> {
        x.map_or(V::N, V::U)
    }
    /// An optional float.
    pub(crate) fn of(x: Option<f64>) -> V<'a> {
        x.map_or(V::N, V::F)
    }
    /// An optional string.
    pub(crate) fn os(x: Option<&'a str>) -> V<'a> {
        x.map_or(V::N, V::S)
    }
    /// An optional boolean.
    pub(crate) fn ob(x: Option<bool>) -> V<'a> {
        x.map_or(V::N, V::B)
    }
}

enum Col {
    I(Int64Builder),
    F(Float64Builder),
    S(StringBuilder),
    B(BooleanBuilder),
    T(TimestampMicrosecondBuilder),
}

/// The rows of one table being built.
pub(crate) struct TableBuf {
    pub(crate) table: &'static Table,
    names: Vec<&'static str>,
    nullable: Vec<bool>,
    cols: Vec<Col>,
    /// Rows pushed in all.
    rows: usize,
    /// Rows in the builders, not yet handed over as a batch.
    pending: usize,
}

/// The Arrow type of a column type.
fn arrow_type(t: ColType) -> DataType {
    match t {
        ColType::I64 => DataType::Int64,
        ColType::F64 => DataType::Float64,
        ColType::Str => DataType::Utf8,
        ColType::Bool => DataType::Boolean,
        ColType::Ts => DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
    }
}

/// The Arrow schema of a table, from [`crate::TABLES`].
pub fn arrow_schema(t: &Table) -> Schema {
    Schema::new(
        columns(t)
            .map(|c| Field::new(c.name, arrow_type(c.ty), c.nullable))
            .collect::<Vec<_>>(),
    )
}

impl TableBuf {
    pub(crate) fn new(table: &'static Table) -> TableBuf {
        let mut names = Vec::new();
        let mut nullable = Vec::new();
        let mut cols = Vec::new();
        for c in columns(table) {
            names.push(c.name);
            nullable.push(c.nullable);
            cols.push(match c.ty {
                ColType::I64 => Col::I(Int64Builder::new()),
                ColType::F64 => Col::F(Float64Builder::new()),
                ColType::Str => Col::S(StringBuilder::new()),
                ColType::Bool => Col::B(BooleanBuilder::new()),
                ColType::Ts => Col::T(TimestampMicrosecondBuilder::new().with_timezone("UTC")),
            });
        }
        TableBuf {
            table,
            names,
            nullable,
            cols,
            rows: 0,
            pending: 0,
        }
    }

    /// Appends one row: the common columns, then the table's own, naming every column
    /// in schema order.
    pub(crate) fn push(
        &mut self,
        common: &[(&str, V<'_>)],
        own: &[(&str, V<'_>)],
    ) -> Result<(), DatasetError> {
        let t = self.table.name;
        if common.len() + own.len() != self.cols.len() {
            return Err(DatasetError::Invalid(format!(
                "{t}: a row of {} values for {} columns",
                common.len() + own.len(),
                self.cols.len()
            )));
        }
        let vals = common.iter().chain(own.iter());
        for (i, ((name, v), col)) in vals.zip(self.cols.iter_mut()).enumerate() {
            let want = self.names[i];
            // Both are the same literal almost always: address and length settle it.
            let same = std::ptr::eq(name.as_ptr(), want.as_ptr()) && name.len() == want.len();
            if !same && *name != want {
                return Err(DatasetError::Invalid(format!(
                    "{t}: column {i} is {want}, not {name}"
                )));
            }
            let bad = |what: &str| DatasetError::Invalid(format!("{t}.{want}: {what}"));
            if matches!(v, V::N) && !self.nullable[i] {
                return Err(bad("null in a column that is never null"));
            }
            match (col, *v) {
                (Col::I(b), V::I(x)) => b.append_value(x),
                (Col::I(b), V::U(x)) => {
                    b.append_value(i64::try_from(x).map_err(|_| bad("count beyond 2^63"))?)
                }
                (Col::I(b), V::N) => b.append_null(),
                (Col::F(b), V::F(x)) => b.append_value(x),
                (Col::F(b), V::N) => b.append_null(),
                (Col::S(b), V::S(x)) => b.append_value(x),
                (Col::S(b), V::N) => b.append_null(),
                (Col::B(b), V::B(x)) => b.append_value(x),
                (Col::B(b), V::N) => b.append_null(),
                (Col::T(b), V::T(ns)) => b.append_value(ns.div_euclid(1000)),
                (Col::T(b), V::N) => b.append_null(),
                (_, v) => return Err(bad(&format!("value {v:?} of the wrong type"))),
            }
        }
        self.rows += 1;
        self.pending += 1;
        Ok(())
    }

    /// Hands the rows buffered so far over as one Arrow batch; the buffer starts again empty.
    fn take_batch(&mut self) -> Result<RecordBatch, DatasetError> {
        let arrays: Vec<ArrayRef> = self
            .cols
            .iter_mut()
            .map(|c| -> ArrayRef {
                match c {
                    Col::I(b) => Arc::new(b.finish()),
                    Col::F(b) => Arc::new(b.finish()),
                    Col::S(b) => Arc::new(b.finish()),
                    Col::B(b) => Arc::new(b.finish()),
                    Col::T(b) => Arc::new(b.finish()),
                }
            })
            .collect();
        self.pending = 0;
        RecordBatch::try_new(Arc::new(arrow_schema(self.table)), arrays)
            .map_err(DatasetError::parquet)
    }
}

/// Rows buffered before they go to the Parquet writer as one batch: the samples table of a
/// month-long result has millions of rows, which must not all sit in column builders.
pub(crate) const BATCH_ROWS: usize = 32_768;

/// Rows per Parquet row group (the unit engines read in parallel).
const ROW_GROUP_ROWS: usize = 131_072;

/// One table's Parquet file, written as its rows come: batches of [`BATCH_ROWS`] go to the
/// writer under a hidden temporary name, which [`TableFile::finish`] renames into place.
/// A table file dropped before `finish` (an error on the way) removes its temporary file.
pub(crate) struct TableFile {
    buf: TableBuf,
    path: PathBuf,
    result_id: String,
    open: Option<(ArrowWriter<BufWriter<File>>, PathBuf)>,
}

impl TableFile {
    /// A table file that will be `path` once finished.
    pub(crate) fn new(table: &'static Table, path: PathBuf, result_id: &str) -> TableFile {
        TableFile {
            buf: TableBuf::new(table),
            path,
            result_id: result_id.to_string(),
            open: None,
        }
    }

    /// The file's final path.
    pub(crate) fn path(&self) -> &std::path::Path {
        &self.path
    }

    /// Appends one row (see [`TableBuf::push`]); a full batch goes to the file.
    pub(crate) fn push(
        &mut self,
        common: &[(&str, V<'_>)],
        own: &[(&str, V<'_>)],
    ) -> Result<(), DatasetError> {
        self.buf.push(common, own)?;
        if self.buf.pending >= BATCH_ROWS {
            self.flush(false)?;
        }
        Ok(())
    }

    /// Sends the buffered rows to the writer, opening the temporary file first if needed.
    fn flush(&mut self, last: bool) -> Result<(), DatasetError> {
        if self.open.is_none() {
            // A table that ends within its first batch with a handful of rows (a result,
            // its capture queues) gains nothing from dictionaries or min/max statistics,
            // which cost a page and two values per column.
            let small = last && self.buf.rows <= 16;
            let dir = self.path.parent().expect("a partition directory");
            fs::create_dir_all(dir).map_err(DatasetError::io(dir))?;
            let tmp = dir.join(format!(
                ".{}.tmp-{}",
                self.path
                    .file_name()
                    .expect("a file name")
                    .to_string_lossy(),
                std::process::id()
            ));
            let file = File::create(&tmp).map_err(DatasetError::io(&tmp))?;
            let w = writer(self.buf.table, BufWriter::new(file), &self.result_id, small)
                .inspect_err(|_| {
                    let _ = fs::remove_file(&tmp);
                })?;
            self.open = Some((w, tmp));
        }
        if self.buf.pending > 0 {
            let batch = self.buf.take_batch()?;
            let (w, _) = self.open.as_mut().expect("opened above");
            w.write(&batch).map_err(DatasetError::parquet)?;
        }
        Ok(())
    }

    /// Writes what is left, syncs the file, renames it into place and syncs the directory;
    /// returns the rows and bytes written (`None`: the table had no rows, no file).
    pub(crate) fn finish(mut self) -> Result<Option<(usize, u64)>, DatasetError> {
        if self.buf.rows == 0 {
            return Ok(None);
        }
        self.flush(true)?;
        let (w, tmp) = self.open.take().expect("flushed");
        let res = (|| {
            let out = w.into_inner().map_err(DatasetError::parquet)?;
            let file = out
                .into_inner()
                .map_err(|e| DatasetError::io(&tmp)(e.into_error()))?;
            file.sync_all().map_err(DatasetError::io(&tmp))?;
            let bytes = file.metadata().map_err(DatasetError::io(&tmp))?.len();
            fs::rename(&tmp, &self.path).map_err(DatasetError::io(&self.path))?;
            let dir = self.path.parent().expect("a partition directory");
            File::open(dir)
                .and_then(|d| d.sync_all())
                .map_err(DatasetError::io(dir))?;
            Ok(bytes)
        })();
        match res {
            Ok(bytes) => Ok(Some((self.buf.rows, bytes))),
            Err(e) => {
                let _ = fs::remove_file(&tmp);
                Err(e)
            }
        }
    }
}

impl Drop for TableFile {
    fn drop(&mut self) {
        if let Some((_, tmp)) = self.open.take() {
            let _ = fs::remove_file(tmp);
        }
    }
}

/// The Parquet writer of one table: Snappy, the trombone key-value metadata, no embedded
/// Arrow schema (the Parquet logical types say it all), statistics per column chunk only
/// (no page index); `small` tables get neither dictionaries nor statistics.
fn writer<W: Write + Send>(
    table: &'static Table,
    out: W,
    result_id: &str,
    small: bool,
) -> Result<ArrowWriter<W>, DatasetError> {
    let meta = vec![
        KeyValue::new(
            "trombone.dataset_version".into(),
            DATASET_VERSION.to_string(),
        ),
        KeyValue::new("trombone.table".into(), table.name.to_string()),
        KeyValue::new("trombone.result_id".into(), result_id.to_string()),
    ];
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_dictionary_enabled(!small)
        .set_statistics_enabled(if small {
            EnabledStatistics::None
        } else {
            EnabledStatistics::Chunk
        })
        .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
        .set_key_value_metadata(Some(meta))
        .set_created_by(format!("trombone-dataset {}", env!("CARGO_PKG_VERSION")))
        .build();
    let options = ArrowWriterOptions::new()
        .with_properties(props)
        .with_skip_arrow_metadata(true)
        .with_schema_root(format!("trombone_{}", table.name));
    ArrowWriter::try_new_with_options(out, Arc::new(arrow_schema(table)), options)
        .map_err(DatasetError::parquet)
}
