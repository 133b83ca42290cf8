//! `trombone db build|info|lookup`: compile databases into the compact format, show what a
//! database holds (sources, dates, attribution, sizes), and explain lookups.

use std::fmt::Write as _;
use std::fs::File;
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::options::{Format, TableArg};
use crate::sink::Sink;

use clap::{Subcommand, ValueEnum};
use trombone_asdb::{AsDb, BuildOptions, CountryOrigin, DbInfo, Explanation};

/// Output formats of `db info` and `db lookup` (the same flag as everywhere else).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DbFormat {
    /// Text for people.
    Table,
    /// JSON (one object per address for lookup).
    Json,
}

/// The `trombone db` subcommands.
#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Compile any mix of database files (ip2asn TSV, pfx2as, RIR delegated, mmdb, pmacct
    /// networks_file, AS-names JSON, compact) into trombone's compact file, the fastest to load.
    Build {
        /// Source files, in precedence order (format detected from content; gzip allowed).
        #[arg(required = true, value_name = "FILE")]
        inputs: Vec<PathBuf>,
        /// Output file.
        #[arg(short = 'o', long, value_name = "FILE")]
        output: PathBuf,
        /// Gzip-compress the output.
        #[arg(long)]
        gzip: bool,
        /// Description stored in the file and printed in reports (default: the source list).
        #[arg(long, value_name = "TEXT")]
        label: Option<String>,
    },
    /// Show the database's sources, dates, attribution, record counts, skips and memory use.
    Info {
        /// Database files (repeatable); the embedded default when absent.
        #[arg(long = "asn-db", value_name = "FILE")]
        asn_db: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = DbFormat::Table)]
        format: DbFormat,
        /// Same as --format json (kept for scripts written before --format existed).
        #[arg(long, hide = true)]
        json: bool,
    },
    /// Look up addresses: matched prefix, ASN, AS name, country, and which source said so.
    Lookup {
        /// IPv4 or IPv6 addresses.
        #[arg(required = true, value_name = "ADDR")]
        addrs: Vec<String>,
        /// Database files (repeatable); the embedded default when absent.
        #[arg(long = "asn-db", value_name = "FILE")]
        asn_db: Vec<PathBuf>,
        /// Output format: text, or one JSON object per address.
        #[arg(long, value_enum, default_value_t = DbFormat::Table)]
        format: DbFormat,
        /// Same as --format json (kept for scripts written before --format existed).
        #[arg(long, hide = true)]
        json: bool,
    },
}

/// Runs a `trombone db` subcommand and prints any error: exit 2 for a usage error found
/// before any work (an output that cannot be written, an input that cannot be opened), 1
/// when the work itself fails.
pub fn main(cmd: DbCommand) -> ExitCode {
    if let Err(e) = preflight(&cmd) {
        eprintln!("trombone db: {e}");
        return ExitCode::from(2);
    }
    match run(cmd) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("trombone db: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Checks, before anything is read, that `db build` can write its output (a file is
/// created and removed beside it, as for every other command's `-o`) and open each input.
fn preflight(cmd: &DbCommand) -> Result<(), String> {
    let DbCommand::Build { inputs, output, .. } = cmd else {
        return Ok(());
    };
    Sink {
        format: Format::Table,
        table: TableArg::As,
        output: Some(output.clone()),
        top: 0,
        rotating: false,
    }
    .preflight()?;
    for p in inputs {
        if p.is_dir() {
            return Err(format!(
                "{}: is a directory (give a database file)",
                p.display()
            ));
        }
        File::open(p).map_err(|e| format!("{}: {e}", p.display()))?;
    }
    Ok(())
}

/// Runs a `trombone db` subcommand; the error is the message to print.
pub fn run(cmd: DbCommand) -> Result<(), String> {
    match cmd {
        DbCommand::Build {
            inputs,
            output,
            gzip,
            label,
        } => {
            let stats =
                trombone_asdb::build_compact(&inputs, &output, &BuildOptions { label, gzip })
                    .map_err(|e| e.to_string())?;
            println!(
                "wrote {} ({} bytes): {} sources, {} IPv4 + {} IPv6 routes -> {} + {} lookup ranges, {} AS names, {} records skipped",
                output.display(),
                stats.bytes,
                stats.sources,
                stats.routes_v4,
                stats.routes_v6,
                stats.lookup_ranges_v4,
                stats.lookup_ranges_v6,
                stats.as_names,
                stats.skipped
            );
            Ok(())
        }
        DbCommand::Info {
            asn_db,
            format,
            json,
        } => {
            let json = json || format == DbFormat::Json;
            let db = open(&asn_db)?;
            let info = db.info();
            if json {
                println!("{}", info.to_json());
            } else {
                print!("{}", render_info(&info));
            }
            Ok(())
        }
        DbCommand::Lookup {
            addrs,
            asn_db,
            format,
            json,
        } => {
            let json = json || format == DbFormat::Json;
            let db = open(&asn_db)?;
            let mut bad = Vec::new();
            for a in &addrs {
                let Ok(ip) = a.trim().parse::<IpAddr>() else {
                    bad.push(a.clone());
                    eprintln!("trombone db lookup: not an IP address: {a:?}");
                    continue;
                };
                let e = db.explain(ip);
                if json {
                    println!("{}", e.to_json());
                } else {
                    print!("{}", render_explanation(&e));
                }
            }
            if bad.is_empty() {
                Ok(())
            } else {
                Err(format!(
                    "{} argument(s) were not IP addresses: {}",
                    bad.len(),
                    bad.join(", ")
                ))
            }
        }
    }
}

/// Loads the given files, or the embedded default when none are given.
fn open(files: &[PathBuf]) -> Result<AsDb, String> {
    if files.is_empty() {
        Ok(AsDb::embedded())
    } else {
        AsDb::load(files).map_err(|e| e.to_string())
    }
}

/// Human-readable `db info`.
fn render_info(i: &DbInfo) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "database:  {}", i.source.source);
    let _ = writeln!(
        s,
        "data date: {}",
        i.source.date.as_deref().unwrap_or("unknown")
    );
    let _ = writeln!(s, "sources:");
    for src in &i.sources {
        let _ = writeln!(
            s,
            "  {} [{}] dated {}",
            src.name,
            src.format,
            src.date.as_deref().unwrap_or("unknown")
        );
        if let Some(d) = &src.description {
            let _ = writeln!(s, "    description: {d}");
        }
        let _ = writeln!(
            s,
            "    records {}: routes v4 {} v6 {}; country ranges v4 {} v6 {}; ASN countries {}; AS names {}",
            src.records,
            src.routes_v4,
            src.routes_v6,
            src.country_ranges_v4,
            src.country_ranges_v6,
            src.asn_countries,
            src.as_names
        );
        let unit = if src.format == "mmdb" {
            "network"
        } else {
            "line"
        };
        for k in &src.skipped {
            let at = k
                .first_line
                .filter(|&l| l > 0)
                .map(|l| format!(" (first at {unit} {l})"))
                .unwrap_or_default();
            let _ = writeln!(s, "    skipped {}: {}{at}", k.count, k.reason);
        }
        for (what, n) in &src.notes {
            let _ = writeln!(s, "    note: {n} {what}");
        }
        if let Some(a) = &src.attribution {
            let _ = writeln!(s, "    attribution: {a}");
        }
    }
    let mb = |b: usize| b as f64 / (1024.0 * 1024.0);
    let _ = writeln!(
        s,
        "routing records: {} IPv4, {} IPv6; country ranges: {} IPv4, {} IPv6",
        i.routes_v4, i.routes_v6, i.country_ranges_v4, i.country_ranges_v6
    );
    let _ = writeln!(
        s,
        "lookup table: {} IPv4 + {} IPv6 ranges, {:.1} MiB; whole database {:.1} MiB; {} ASN countries, {} AS names",
        i.lookup_ranges_v4,
        i.lookup_ranges_v6,
        mb(i.lookup_bytes),
        mb(i.memory_bytes),
        i.asn_countries,
        i.as_names
    );
    s
}

/// Human-readable `db lookup` answer for one address.
fn render_explanation(e: &Explanation) -> String {
    let mut s = String::new();
    let asn = if e.asn == 0 {
        "AS0 (unknown)".to_string()
    } else {
        format!("AS{}", e.asn)
    };
    let name = e
        .as_name
        .as_deref()
        .map(|n| format!(" {n}"))
        .unwrap_or_default();
    let cc = e
        .country
        .map(|c| c.to_string())
        .unwrap_or_else(|| "--".to_string());
    let _ = writeln!(s, "{}  {asn}{name}  country {cc}", e.ip);
    match &e.route {
        Some(r) => {
            let _ = writeln!(s, "  prefix  {}  AS{}  from {}", r.prefix, r.asn, r.source);
        }
        None => {
            let _ = writeln!(s, "  prefix  none: no routing record covers this address");
        }
    }
    let _ = match &e.country_origin {
        CountryOrigin::Range { range, source } => {
            writeln!(s, "  country {cc}  range {range}  from {source}")
        }
        CountryOrigin::AsnRegistration { source } => {
            writeln!(
                s,
                "  country {cc}  registered country of AS{}  from {source}",
                e.asn
            )
        }
        CountryOrigin::Unknown => writeln!(
            s,
            "  country unknown: no source covers this address or its ASN"
        ),
    };
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values from the shared sources: pfx2as `43.224.36.0 24 9873`, APNIC
    /// `apnic|LA|ipv4|43.224.36.0|1024|...`, asnames `"9873": "TELECOM-LA-AS-AP Lao Telecom
    /// Communication, LTC, LA"`.
    #[test]
    fn lookup_text_names_prefix_country_and_sources() {
        let db = AsDb::embedded_shared();
        let t = render_explanation(&db.explain("43.224.36.1".parse().unwrap()));
        assert_eq!(
            t,
            "43.224.36.1  AS9873 TELECOM-LA-AS-AP Lao Telecom Communication, LTC  country LA\n\
             \x20 prefix  43.224.36.0/24  AS9873  from routeviews-rv2-20240406.pfx2as.gz\n\
             \x20 country LA  range 43.224.36.0/22  from delegated-apnic-latest.20241001\n"
        );
        let t = render_explanation(&db.explain("2001:db8::1".parse().unwrap()));
        assert!(
            t.starts_with("2001:db8::1  AS0 (unknown)  country --\n"),
            "{t}"
        );
    }

    #[test]
    fn info_text_shows_date_sources_and_attribution() {
        let t = render_info(&AsDb::embedded_shared().info());
        // the oldest dated routing source: the IPv6 table (2023-12-08), not RouteViews' IPv4
        assert!(t.contains("data date: 2023-12-08\n"), "{t}");
        assert!(
            t.contains("routeviews-rv2-20240406.pfx2as.gz [routeviews-pfx2as] dated 2024-04-06")
        );
        assert!(t.contains("delegated-apnic-latest.20241001 [rir-delegated] dated 2024-10-01"));
        assert!(t.contains("The CAIDA UCSD RouteViews Prefix-to-AS mappings Dataset"));
    }

    #[test]
    fn lookup_rejects_non_addresses() {
        let r = run(DbCommand::Lookup {
            addrs: vec!["nope".into()],
            asn_db: vec![],
            format: DbFormat::Table,
            json: false,
        });
        assert!(r.unwrap_err().contains("nope"));
    }
}
