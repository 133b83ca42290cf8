//! trombone-report: turns trombone results (JSON, any readable schema version) into a
//! self-contained HTML report (inline CSS and SVG, no scripts, no network; prints on A4)
//! or CSV tables.
//!
//! ```no_run
//! use trombone_report::{combine, load, render_html, CombineOptions, HtmlOptions};
//! let inputs = vec![load(std::path::Path::new("result.json"))?];
//! let combined = combine(inputs, &CombineOptions::default())?;
//! std::fs::write("report.html", render_html(&combined, &HtmlOptions::default()))?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The results are read as [`trombone_schema::Report`]; several are merged exactly with
//! [`trombone_reduce::merge`] (per site first, then across sites), so every figure —
//! rates, percentiles, ports, savings, latency quantiles — is the combined one. Each
//! headline figure carries its basis (the traffic it rests on, the samples behind a p95,
//! the assumptions made) and a grade of the evidence. CSV goes through trombone-output's
//! one writer.
//!
//! The report shows aggregates only; results hold no IP addresses (unless top talkers
//! were asked for, which the report does not show) and none are added.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod axis;
mod chart_heatmap;
mod chart_latency;
mod chart_period;
mod chart_rate;
mod chart_sizes;
pub mod colour;
mod combine;
mod csv;
mod error;
pub mod escape;
pub mod evidence;
pub mod format;
mod html_evidence;
mod html_hairpin;
mod html_method;
mod html_page;
mod html_plan;
mod html_provenance;
mod html_sizing;
mod html_time;
mod load;
mod method_evidence;
mod names;
pub mod periods;
mod style;

pub use combine::{combine, coverage, CombineOptions, Combined, Coverage, InputInfo, SiteView};
pub use csv::{render_csv, write_table, ReportTable};
pub use error::ReportError;
pub use html_page::{render_html, render_html_with_plan, HtmlOptions};
pub use load::{expand, load, parse, Input};
