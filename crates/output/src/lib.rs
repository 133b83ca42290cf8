//! Rendering a [`Report`]: terminal table, JSON, CSV.
//!
//! Last stage of the pipeline. Every renderer reads the same report, so the
//! figures agree across formats. JSON is the versioned contract (see the
//! README's "JSON output" section); CSV writes one matrix per file for
//! spreadsheets; the table is a human summary.

mod csv;
mod table;

pub use csv::{write_csv, CsvTable};
pub use table::write_table;

use std::io::{self, Write};
use trombone_reduce::Report;

/// Writes the report as pretty-printed JSON followed by a newline.
pub fn write_json(report: &Report, mut out: impl Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut out, report).map_err(io::Error::other)?;
    out.write_all(b"\n")
}
