//! Rebuilds the embedded default database `crates/asdb/data/default.asdb.gz` from the shared
//! 2024 sources (run by `scripts/build-default-db`).
//!
//! Usage: `build_default [SHARED_ASN_DIR [OUT]]`; defaults: `<repo>/../shared/data/asn` and
//! `crates/asdb/data/default.asdb.gz`.

use std::path::PathBuf;
use std::process::ExitCode;

use trombone_asdb::{build_compact, BuildOptions};

fn main() -> ExitCode {
    let crate_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut args = std::env::args_os().skip(1);
    let asn_dir = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| crate_dir.join("../../../shared/data/asn"));
    let out = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| crate_dir.join("data/default.asdb.gz"));
    let srcs = [
        asn_dir.join("routeviews-rv2-20240406.pfx2as.gz"),
        asn_dir.join("delegated-apnic-latest.20241001"),
        asn_dir.join("asnames.json.gz"),
    ];
    let opts = BuildOptions {
        label: Some(
            "trombone embedded default: CAIDA RouteViews Prefix-to-AS 2024-04-06 (IPv4 routing) + \
             APNIC delegated statistics 2024-10-01 (country) + pyasn AS names 2021"
                .to_string(),
        ),
        gzip: true,
    };
    match build_compact(&srcs, &out, &opts) {
        Ok(s) => {
            println!("wrote {} ({} bytes)", out.display(), s.bytes);
            println!(
                "routes v4 {} v6 {}; lookup ranges v4 {} v6 {}; AS names {}; skipped records {}",
                s.routes_v4,
                s.routes_v6,
                s.lookup_ranges_v4,
                s.lookup_ranges_v6,
                s.as_names,
                s.skipped
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("build-default-db: {e}");
            ExitCode::FAILURE
        }
    }
}
