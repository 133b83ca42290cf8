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
use std::io::Write;
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
    pub(crate) rows: usize,
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
        }
    }

    /// Appends one row: `vals` names every column in schema order.
    pub(crate) fn push(&mut self, vals: &[(&str, V<'_>)]) -> Result<(), DatasetError> {
        let t = self.table.name;
        if vals.len() != self.cols.len() {
            return Err(DatasetError::Invalid(format!(
                "{t}: a row of {} values for {} columns",
                vals.len(),
                self.cols.len()
            )));
        }
        for (i, ((name, v), col)) in vals.iter().zip(self.cols.iter_mut()).enumerate() {
            let want = self.names[i];
            if *name != want {
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
        Ok(())
    }

    /// Writes the rows as one Parquet file (one row group, Snappy) to `out`.
    pub(crate) fn write<W: Write + Send>(
        self,
        out: W,
        result_id: &str,
    ) -> Result<(), DatasetError> {
        let schema = Arc::new(arrow_schema(self.table));
        let arrays: Vec<ArrayRef> = self
            .cols
            .into_iter()
            .map(|c| -> ArrayRef {
                match c {
                    Col::I(mut b) => Arc::new(b.finish()),
                    Col::F(mut b) => Arc::new(b.finish()),
                    Col::S(mut b) => Arc::new(b.finish()),
                    Col::B(mut b) => Arc::new(b.finish()),
                    Col::T(mut b) => Arc::new(b.finish()),
                }
            })
            .collect();
        let batch = RecordBatch::try_new(schema.clone(), arrays).map_err(DatasetError::parquet)?;
        let meta = vec![
            KeyValue::new(
                "trombone.dataset_version".into(),
                DATASET_VERSION.to_string(),
            ),
            KeyValue::new("trombone.table".into(), self.table.name.to_string()),
            KeyValue::new("trombone.result_id".into(), result_id.to_string()),
        ];
        // Files are small (one interval's aggregates): no embedded Arrow schema (the
        // Parquet logical types say it all) and statistics per column chunk only, not per
        // page (no page index).
        // One-row tables (a result, its capture queues) gain nothing from dictionaries or
        // min/max statistics, which cost a page and two values per column.
        let one_row = self.rows <= 16;
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_dictionary_enabled(!one_row)
            .set_statistics_enabled(if one_row {
                EnabledStatistics::None
            } else {
                EnabledStatistics::Chunk
            })
            .set_key_value_metadata(Some(meta))
            .set_created_by(format!("trombone-dataset {}", env!("CARGO_PKG_VERSION")))
            .build();
        let options = ArrowWriterOptions::new()
            .with_properties(props)
            .with_skip_arrow_metadata(true)
            .with_schema_root(format!("trombone_{}", self.table.name));
        let mut w = ArrowWriter::try_new_with_options(out, schema, options)
            .map_err(DatasetError::parquet)?;
        w.write(&batch).map_err(DatasetError::parquet)?;
        w.close().map_err(DatasetError::parquet)?;
        Ok(())
    }
}
