//! `trombone`: the command-line front end. Parses arguments, runs the
//! pipeline, renders the report. All the work happens in the library crates.

mod analyze;
#[cfg(target_os = "linux")]
mod cmd_capture;
mod cmd_collect;
mod cmd_db;
mod cmd_merge;
mod cmd_plan;
mod cmd_report;
mod options;
mod sink;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Measures how much local Internet traffic trips abroad and back ("tromboning"), from packets.
#[derive(Parser)]
#[command(name = "trombone", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The subcommands.
#[derive(Subcommand)]
enum Command {
    /// Analyze pcap/pcapng captures: AS×AS and country×country traffic matrices.
    Analyze(Box<analyze::AnalyzeArgs>),
    /// Capture live from an interface (AF_XDP, AF_PACKET, libpcap): the same analysis as `analyze`.
    #[cfg(target_os = "linux")]
    Capture(Box<cmd_capture::CaptureArgs>),
    /// Collect sFlow, NetFlow and IPFIX over UDP (live): the same analysis from flow export.
    #[cfg(target_os = "linux")]
    Collect(Box<cmd_collect::CollectArgs>),
    /// Merge results (rotated pieces, several sites) into one, exactly.
    Merge(cmd_merge::MergeArgs),
    /// Render analyze JSON results as a self-contained HTML report or CSV tables.
    Report(cmd_report::ReportArgs),
    /// Compare IXP options (national, subregional, hybrid) on results: traffic localised, latency, ports, cost.
    Plan(Box<cmd_plan::PlanArgs>),
    /// Build, inspect and query the IP→ASN/country database.
    #[command(subcommand)]
    Db(cmd_db::DbCommand),
}

/// Fixes glibc's threshold for serving allocations with their own mappings at 128 KiB.
///
/// glibc raises the threshold each time such a block is freed, after which large
/// buffers (a result's series, a fold's scratch) come from per-thread heaps that keep
/// freed memory: a month-long result then peaked at 1.44 times an hour's resident
/// memory, with the threshold fixed at 1.16 times (issue #11; measured with GNU time).
/// Blocks this large are rare and not per packet, so mapping them costs nothing
/// measurable.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn fix_malloc_threshold() {
    // SAFETY: mallopt only sets an allocator parameter; called before any thread starts.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}

fn main() -> ExitCode {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    fix_malloc_threshold();
    let cli = Cli::parse();
    match cli.command {
        Command::Analyze(a) => analyze::run(*a),
        Command::Report(a) => cmd_report::run(a),
        Command::Merge(a) => cmd_merge::run(a),
        Command::Plan(a) => cmd_plan::run(*a),
        #[cfg(target_os = "linux")]
        Command::Capture(a) => cmd_capture::run(*a),
        #[cfg(target_os = "linux")]
        Command::Collect(a) => cmd_collect::run(*a),
        Command::Db(c) => cmd_db::main(c),
    }
}
