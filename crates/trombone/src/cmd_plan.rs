//! `trombone plan`: compares IXP options (national, subregional, hybrid) on measured
//! results — traffic localised, latency saved, ports, rough-order-of-magnitude cost and
//! payback — from a plan file (see crates/plan and the README's worked example).

use clap::{Args, ValueEnum};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use trombone_plan::PlanFile;
use trombone_report::{CombineOptions, HtmlOptions};
use trombone_schema::ToolInfo;

/// Output formats of `plan`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    /// A comparison table for the terminal.
    Table,
    /// The plan as JSON (`plan_version`, `plan.options[]`...; schema in
    /// crates/schema/trombone-plan.schema.json).
    Json,
    /// The HTML report of the results with the options side by side.
    Html,
}

/// Arguments of `trombone plan`.
#[derive(Args, Debug)]
pub struct PlanArgs {
    /// JSON results of `analyze`, `capture` or `merge` ("-" reads standard input), or
    /// directories of them. Several are merged exactly first (each site's, then across
    /// sites), as `trombone report` merges them.
    #[arg(required = true, value_name = "RESULT")]
    results: Vec<PathBuf>,
    /// The plan file (TOML): the options, growth, port target and the price book.
    #[arg(long, value_name = "FILE")]
    plan: PathBuf,
    /// Write to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = PlanFormat::Table)]
    format: PlanFormat,
    /// Title of the HTML report.
    #[arg(long, value_name = "TEXT")]
    title: Option<String>,
    /// Merge results made with different databases, zones, windows or bins anyway.
    #[arg(long)]
    allow_mixed: bool,
}

fn go(a: &PlanArgs) -> Result<bool, String> {
    // the plan file first: its errors are the user's to fix, before anything is read
    let file = PlanFile::load(&a.plan).map_err(|e| e.to_string())?;
    if a.results.iter().filter(|p| *p == Path::new("-")).count() > 1 {
        return Err("standard input (\"-\") can be given only once".into());
    }
    let files = trombone_report::expand(&a.results).map_err(|e| e.to_string())?;
    let mut inputs = Vec::new();
    for p in &files {
        inputs.push(if p == Path::new("-") {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
                .map_err(|e| format!("standard input: {e}"))?;
            trombone_report::parse("-", &text).map_err(|e| e.to_string())?
        } else {
            trombone_report::load(p).map_err(|e| e.to_string())?
        });
    }
    let names: Vec<String> = inputs.iter().map(|i| i.name.clone()).collect();
    let tool = ToolInfo::this(std::env::args().collect());
    let combined = trombone_report::combine(
        inputs,
        &CombineOptions {
            allow_mixed: a.allow_mixed,
            tool: tool.clone(),
        },
    )
    .map_err(|e| e.to_string())?;
    let result = trombone_plan::plan_result(&combined.report, &file, names, tool)
        .map_err(|e| e.to_string())?;
    for w in &result.plan.warnings {
        eprintln!("trombone plan: warning: {}", w.message);
    }
    let out = match a.format {
        PlanFormat::Json => {
            let mut s = serde_json::to_string_pretty(&result).map_err(|e| e.to_string())?;
            s.push('\n');
            s
        }
        PlanFormat::Table => trombone_plan::table::render(&result),
        PlanFormat::Html => trombone_report::render_html_with_plan(
            &combined,
            &HtmlOptions {
                title: a.title.clone().or_else(|| {
                    Some(
                        result
                            .plan
                            .title
                            .clone()
                            .unwrap_or_else(|| "IXP options compared".into()),
                    )
                }),
            },
            &result,
        ),
    };
    crate::sink::write_bytes(a.output.as_deref(), out.as_bytes())?;
    Ok(combined.report.partial)
}

/// Runs `trombone plan`. Exit 0; 1 when a result is partial; 2 on a plan-file, input,
/// pricing or output error.
pub fn run(a: PlanArgs) -> ExitCode {
    match go(&a) {
        Ok(false) => ExitCode::SUCCESS,
        Ok(true) => ExitCode::from(1),
        Err(e) => {
            eprintln!("trombone plan: {e}");
            ExitCode::from(2)
        }
    }
}
