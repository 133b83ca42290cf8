//! Loads MRT files and prints what was read, table size, memory per prefix and load time.
//!
//! Usage: `mrt_stats FILE...` (each file into its own table), or `mrt_stats --apply RIB UPDATES...`
//! (updates applied on top of the RIB).

use std::process::ExitCode;
use std::time::Instant;

use trombone_bgp::Rib;

fn report(rib: &Rib, secs: f64) {
    let (v4, v6) = rib.prefix_counts();
    let n = (v4 + v6).max(1);
    println!(
        "  prefixes v4 {v4} v6 {v6}; routes {}; distinct paths {}; route sets {}; peers {}",
        rib.route_count(),
        rib.distinct_paths(),
        rib.distinct_route_sets(),
        rib.peers().len()
    );
    println!(
        "  heap {} bytes = {:.1} bytes/prefix, {:.1} bytes/route; load {:.3} s",
        rib.heap_bytes(),
        rib.heap_bytes() as f64 / n as f64,
        rib.heap_bytes() as f64 / rib.route_count().max(1) as f64,
        secs
    );
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut failed = false;
    if args.first().map(String::as_str) == Some("--apply") {
        let mut rib = Rib::new();
        let t = Instant::now();
        for f in &args[1..] {
            match rib.apply(f) {
                Ok(st) => println!("{st}"),
                Err(e) => {
                    eprintln!("{e}");
                    failed = true;
                }
            }
        }
        report(&rib, t.elapsed().as_secs_f64());
    } else {
        for f in &args {
            let t = Instant::now();
            match Rib::load(f) {
                Ok((rib, st)) => {
                    println!("{st}");
                    for s in &st.skipped {
                        println!(
                            "  skipped {} x {} (first at byte {})",
                            s.count, s.reason, s.first_offset
                        );
                    }
                    report(&rib, t.elapsed().as_secs_f64());
                }
                Err(e) => {
                    eprintln!("{e}");
                    failed = true;
                }
            }
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
