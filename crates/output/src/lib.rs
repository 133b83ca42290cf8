//! Rendering a [`Report`]: terminal table, JSON, CSV.
//!
//! Last stage of the pipeline. Every renderer reads the same result, so the figures
//! agree across formats. JSON is the versioned contract (see the README's "JSON output"
//! section and `trombone-schema`); CSV writes one table per file for spreadsheets, with
//! the one CSV writer every trombone CSV goes through ([`CsvOut`]); the table is a human
//! summary.

mod csv;
pub mod human;
mod json;
mod table;

pub use crate::csv::{defuse, write_csv, CsvOut, CsvTable};
pub use json::LeafArrays;
pub use table::write_table;

use std::io::{self, Write};
use trombone_schema::Report;

/// Writes the result as indented JSON (arrays of plain values on one line, see
/// [`LeafArrays`]) followed by a newline.
pub fn write_json(report: &Report, mut out: impl Write) -> io::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(&mut out, LeafArrays::new());
    serde::Serialize::serialize(report, &mut ser).map_err(io::Error::other)?;
    out.write_all(b"\n")
}
