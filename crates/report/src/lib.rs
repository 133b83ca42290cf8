//! trombone-report: turns the JSON results of `trombone analyze` into a self-contained
//! HTML report (inline CSS and SVG, no scripts, no network) or CSV tables.
//!
//! ```no_run
//! let files = vec![trombone_report::load(std::path::Path::new("result.json"))?];
//! let page = trombone_report::render_html(&files, &trombone_report::HtmlOptions::default())?;
//! std::fs::write("report.html", page)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Several results: additive figures (matrices, hairpin bytes and packets, via bytes,
//! frame counts) are summed and the hairpin share is recomputed from the sums; results
//! must audit the same `--home`/`--zone`. Percentiles (latency, rate p95, port sizes,
//! transit savings) cannot be merged, so the report shows them per result file, and the
//! CSV tables carry one row per result with the result's name in the first column.
//!
//! The report shows aggregates only; the JSON holds no IP addresses and none are added.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod axis;
mod chart_heatmap;
mod chart_latency;
mod chart_rate;
mod chart_sizes;
pub mod colour;
mod csv_tables;
mod error;
pub mod escape;
pub mod format;
mod html_hairpin;
mod html_page;
mod html_provenance;
mod html_sizing;
mod load;
mod merge;
pub mod model;
mod names;
mod style;

pub use csv_tables::{render_csv, CsvTable};
pub use error::ReportError;
pub use html_page::{render_html, HtmlOptions};
pub use load::{load, parse, ResultFile};
pub use merge::check_combinable;
