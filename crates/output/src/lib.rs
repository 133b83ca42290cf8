//! Rendering a [`Report`]: terminal table, JSON, CSV.
//!
//! Last stage of the pipeline. Every renderer reads the same result, so the figures
//! agree across formats. JSON is the versioned contract (see the README's "JSON output"
//! section and `trombone-schema`); CSV writes one table per file for spreadsheets, with
//! the one CSV writer every trombone CSV goes through ([`CsvOut`]); the table is a human
//! summary.

mod csv;
mod table;

pub use crate::csv::{defuse, write_csv, CsvOut, CsvTable};
pub use table::write_table;

use std::io::{self, Write};
use trombone_schema::Report;

/// Writes the result as pretty-printed JSON followed by a newline.
pub fn write_json(report: &Report, mut out: impl Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut out, report).map_err(io::Error::other)?;
    out.write_all(b"\n")
}
