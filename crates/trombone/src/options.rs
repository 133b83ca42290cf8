//! Options shared by `analyze` and `capture`: database, output, hairpin,
//! sizing and flow-table bounds, and turning them into configurations.

use clap::{Args, ValueEnum};
use std::path::PathBuf;
use trombone_flow::FlowLimits;
use trombone_hairpin::{HairpinConfig, Links, Zone};
use trombone_reduce::SizingConfig;

/// Output formats of `analyze`, `capture` and `merge`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Human summary for a terminal: matrices, hairpin verdict, rates and ports.
    Table,
    /// The versioned JSON contract (see README, "JSON output").
    Json,
    /// One table as CSV (choose it with --table).
    Csv,
    /// Append to a Hive-partitioned Parquet dataset in the -o directory, one table per view
    /// (see README, "Parquet dataset").
    Parquet,
}

/// Which table `--format csv` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TableArg {
    /// AS×AS matrix.
    As,
    /// Country×country matrix.
    Country,
    /// Hairpin AS pairs with latency evidence (needs --home).
    HairpinPairs,
    /// One row per hairpin AS pair and via link (needs --home).
    Via,
    /// What-if IXP port recommendations (needs --home).
    Ports,
    /// Rates of all traffic, networks, pairs and links with their percentiles.
    Rates,
    /// The top talkers (needs --top-talkers).
    Talkers,
}

impl TableArg {
    /// The output crate's table.
    pub fn table(self) -> trombone_output::CsvTable {
        use trombone_output::CsvTable as T;
        match self {
            TableArg::As => T::As,
            TableArg::Country => T::Country,
            TableArg::HairpinPairs => T::HairpinPairs,
            TableArg::Via => T::Via,
            TableArg::Ports => T::Ports,
            TableArg::Rates => T::Rates,
            TableArg::Talkers => T::Talkers,
        }
    }

    /// True for the tables only hairpin analysis fills.
    pub fn needs_home(self) -> bool {
        matches!(
            self,
            TableArg::HairpinPairs | TableArg::Via | TableArg::Ports
        )
    }
}

/// Whose TCP handshakes are timed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RttScope {
    /// Pairs with both ends in the zone, hairpinned or not.
    Local,
    /// Every pair.
    All,
}

/// Parses a duration such as `300`, `90s`, `5m`, `1h`, `1d` into seconds.
pub fn parse_duration(s: &str) -> Result<f64, String> {
    let s = s.trim();
    let (num, unit) = match s.char_indices().find(|(_, c)| c.is_ascii_alphabetic()) {
        Some((i, _)) => (&s[..i], &s[i..]),
        None => (s, "s"),
    };
    let mult = match unit {
        "s" => 1.0,
        "m" | "min" => 60.0,
        "h" => 3600.0,
        "d" => 86_400.0,
        _ => {
            return Err(format!(
                "{s:?}: use a number of seconds or s, m, h, d (e.g. 5m, 1h, 1d)"
            ))
        }
    };
    let v: f64 = num
        .trim()
        .parse()
        .map_err(|_| format!("{s:?}: not a duration (e.g. 300, 5m, 1h, 1d)"))?;
    if !(v > 0.0 && v.is_finite()) {
        return Err(format!("{s:?}: a duration must be positive"));
    }
    Ok(v * mult)
}

/// The analysis and output options of `analyze` and `capture`.
#[derive(Args, Debug)]
pub struct AnalysisOpts {
    /// IP→ASN/country database file (repeatable; format detected from content).
    /// Without it, the embedded default database is used.
    #[arg(long = "asn-db", value_name = "FILE", help_heading = "Database")]
    pub asn_db: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table, help_heading = "Output")]
    pub format: Format,
    /// Table written by --format csv.
    #[arg(long, value_enum, default_value_t = TableArg::As, alias = "csv-table", help_heading = "Output")]
    pub table: TableArg,
    /// Write the output to FILE instead of standard output (with --rotate: a directory,
    /// one file per interval). Checked before anything is read.
    #[arg(short, long, value_name = "FILE", help_heading = "Output")]
    pub output: Option<PathBuf>,
    /// Rows of each matrix shown by --format table.
    #[arg(long, default_value_t = 20, help_heading = "Output")]
    pub top: usize,
    /// The vantage point's name, recorded in every result (e.g. kh-gw1).
    #[arg(long, value_name = "NAME", help_heading = "Output")]
    pub site: Option<String>,
    /// Write one result per epoch-aligned interval of this length (e.g. 5m, 1h, 1d; a
    /// multiple of --sample) into the --output directory, each as soon as it is complete.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, help_heading = "Output")]
    pub rotate: Option<f64>,
    /// Country under audit (ISO code, e.g. KH): turns on hairpin detection.
    #[arg(long, value_name = "CC", help_heading = "Hairpin")]
    pub home: Option<String>,
    /// Countries whose traffic counts as local, comma-separated (default: just --home;
    /// KH,LA,MM,VN is the subregional view).
    #[arg(
        long,
        value_name = "CC,CC,...",
        requires = "home",
        help_heading = "Hairpin"
    )]
    pub zone: Option<String>,
    /// The vantage's links (TOML: router_mac and [[link]] name/vlan/mac/asn/country).
    /// Without it every link is assumed to lead abroad (a mirror of the international gateway).
    #[arg(long, value_name = "FILE", requires = "home", help_heading = "Hairpin")]
    pub links: Option<PathBuf>,
    /// Two sightings of one packet further apart than this are two packets (at most 60000).
    #[arg(long, value_name = "MS", default_value_t = trombone_hairpin::DEFAULT_WINDOW_MS, requires = "home", help_heading = "Hairpin")]
    pub window_ms: u64,
    /// Most sightings each worker's replica matcher holds waiting for their replica
    /// (16 bytes each; rounded up to a power of two, at least 512; it grows to this
    /// only as the traffic needs). At the cap, a sighting may push out an older one
    /// still inside the window (counted in hairpin.matcher.dropped_fresh).
    #[arg(long, value_name = "N", default_value_t = trombone_hairpin::DEFAULT_MAX_PENDING, requires = "home", help_heading = "Hairpin")]
    pub max_pending: usize,
    /// Most pending TCP handshakes (SYNs waiting for their SYN/ACK) each worker holds,
    /// 32 bytes each; at the cap a SYN pushes out the oldest waiting one, counted in
    /// hairpin.matcher.handshakes_dropped (a SYN flood costs no more than this).
    #[arg(long, value_name = "N", default_value_t = trombone_hairpin::DEFAULT_MAX_HANDSHAKES, requires = "home", help_heading = "Hairpin")]
    pub max_handshakes: usize,
    /// BGP dumps (MRT: TABLE_DUMP/TABLE_DUMP_V2 RIBs, BGP4MP updates applied in order;
    /// plain, gzip or bz2) for the evidence: the AS paths each local pair's traffic takes,
    /// and whether they cross a network outside the zone.
    #[arg(long, value_name = "MRT", requires = "home", help_heading = "Evidence")]
    pub bgp: Vec<PathBuf>,
    /// IXP membership for the evidence (PeeringDB JSON — net, ix, ixlan, netixlan — or
    /// IX-F Member Export JSON; repeatable): for each hairpinned pair, the IXPs in the zone
    /// where both networks are present.
    #[arg(
        long,
        value_name = "JSON",
        requires = "home",
        help_heading = "Evidence"
    )]
    pub peeringdb: Vec<PathBuf>,
    /// Whose handshakes are timed: local pairs (both ends in the zone), or all pairs.
    #[arg(long, value_enum, default_value_t = RttScope::Local, requires = "home", help_heading = "Hairpin")]
    pub rtt: RttScope,
    /// Longest in-zone distance in km for the handshake-RTT floor (default per zone, see README).
    #[arg(long, value_name = "KM", requires = "home", help_heading = "Hairpin")]
    pub zone_km: Option<f64>,
    /// Rate bin width in seconds.
    #[arg(
        long = "bin",
        value_name = "SECONDS",
        default_value_t = 1.0,
        help_heading = "Sizing"
    )]
    pub bin_s: f64,
    /// Sampling interval for avg/max/p90/p95 in seconds (a whole number of bins;
    /// 300 = the 5-minute samples IXPs bill and plan on).
    #[arg(
        long = "sample",
        value_name = "SECONDS",
        default_value_t = 300.0,
        help_heading = "Sizing"
    )]
    pub sample_s: f64,
    /// Highest p95 utilisation allowed on a recommended IXP port (0..1].
    #[arg(
        long,
        value_name = "FRACTION",
        default_value_t = 0.5,
        help_heading = "Sizing"
    )]
    pub port_target: f64,
    /// Growth factor applied to p95 before sizing ports.
    #[arg(
        long,
        value_name = "FACTOR",
        default_value_t = 1.0,
        help_heading = "Sizing"
    )]
    pub growth: f64,
    /// International transit price in USD per Mbps per month. The default, 100,
    /// is the figure ESCAP's 2016 study gives for Cambodia, Lao PDR and Myanmar
    /// (against under 10 in Singapore).
    #[arg(
        long,
        value_name = "USD",
        default_value_t = 100.0,
        help_heading = "Sizing"
    )]
    pub transit_price: f64,
    /// Standard port speeds to choose from, Gbps.
    #[arg(
        long,
        value_name = "GBPS,...",
        value_delimiter = ',',
        default_value = "1,10,25,40,100,400",
        help_heading = "Sizing"
    )]
    pub port_speeds: Vec<f64>,
    /// ASNs for the what-if local peering (default: every zone ASN with hairpin traffic).
    #[arg(
        long,
        value_name = "ASN,...",
        value_delimiter = ',',
        help_heading = "Sizing"
    )]
    pub what_if_asns: Option<Vec<u32>>,
    /// Networks and AS pairs listed in the sizing section.
    #[arg(long, value_name = "N", default_value_t = 50, help_heading = "Sizing")]
    pub sizing_top: usize,
    /// Most flows per worker's table (default: a quarter of available memory
    /// shared by the workers). When full, idle and least recently active flows
    /// are evicted; the matrices stay exact (only per-flow detail is lost).
    #[arg(long, value_name = "N", help_heading = "Performance")]
    pub max_flows: Option<usize>,
    /// End flows idle for this many seconds of capture time (0 = never; NetFlow uses 15).
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 0.0,
        help_heading = "Performance"
    )]
    pub idle_timeout: f64,
    /// End and restart flows older than this many seconds (0 = never; NetFlow uses 1800).
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 0.0,
        help_heading = "Performance"
    )]
    pub active_timeout: f64,
    /// Timestamps may go back this many seconds within an input before they count as
    /// outliers; also how long a 5-minute sample stays open for late packets.
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 2.0,
        help_heading = "Input"
    )]
    pub reorder: f64,
    /// Tunnels to open besides the mirror encapsulations (ERSPAN, TZSP, FabricPath,
    /// VN-Tag/E-Tag, always opened): a comma list of vxlan, geneve, gre, or all / none.
    /// Off by default: VXLAN, Geneve and GRE also carry real traffic, and then the tunnel
    /// packet is what crossed the link (see README, "Sources").
    #[arg(
        long,
        value_name = "LIST",
        default_value = "none",
        help_heading = "Input"
    )]
    pub decap: trombone_packet::Decap,
    /// IXP member list (IX-F Member Export JSON or PeeringDB netixlan JSON, told apart by
    /// content; repeatable): the input is an IXP peering LAN. Adds the member × member
    /// matrix by router MAC (MACs from the list, else learned from ARP/ND in the traffic),
    /// member port rates, utilisation and port sizing (the `ixp` section).
    #[arg(long = "ixp-members", value_name = "JSON", help_heading = "IXP")]
    pub ixp_members: Vec<PathBuf>,
}

/// The IXP vantage's member lists (`--ixp-members`), loaded.
pub fn ixp_setup(a: &AnalysisOpts) -> Result<Option<trombone_reduce::IxpSetup>, String> {
    if a.ixp_members.is_empty() {
        return Ok(None);
    }
    let dir = trombone_ixp::IxpDirectory::load(&a.ixp_members)
        .map_err(|e| format!("--ixp-members: {e}"))?;
    if dir.member_count() == 0 {
        return Err(format!(
            "--ixp-members: no member found in {}",
            a.ixp_members
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    Ok(Some(trombone_reduce::IxpSetup {
        dir: std::sync::Arc::new(dir),
        lists: a
            .ixp_members
            .iter()
            .map(|p| p.display().to_string())
            .collect(),
    }))
}

/// Loads the BGP dumps and IXP member lists the options name, for the evidence section.
pub fn evidence_sources(
    a: &AnalysisOpts,
    db: &std::sync::Arc<trombone_asdb::AsDb>,
) -> Result<Option<std::sync::Arc<trombone_reduce::EvidenceSources>>, String> {
    if a.bgp.is_empty() && a.peeringdb.is_empty() {
        return Ok(None);
    }
    let bgp = match a.bgp.split_first() {
        None => None,
        Some((first, rest)) => {
            let mut notes = Vec::new();
            let (mut rib, st) = trombone_bgp::Rib::load(first).map_err(|e| e.to_string())?;
            let mut read = |p: &std::path::Path, st: &trombone_bgp::ReadStats| match &st.error {
                Some(e) => {
                    eprintln!("trombone: --bgp {}: read partially: {e}", p.display());
                    notes.push(format!("{} (partial: {e})", p.display()));
                }
                None => notes.push(p.display().to_string()),
            };
            read(first, &st);
            for p in rest {
                let st = rib.apply(p).map_err(|e| e.to_string())?;
                read(p, &st);
            }
            let (v4, v6) = rib.prefix_counts();
            Some((
                rib,
                format!(
                    "MRT {} ({v4} IPv4 and {v6} IPv6 prefixes)",
                    notes.join(", ")
                ),
            ))
        }
    };
    let ixp = if a.peeringdb.is_empty() {
        None
    } else {
        let dir = trombone_ixp::IxpDirectory::load(&a.peeringdb).map_err(|e| e.to_string())?;
        let names: Vec<String> = a
            .peeringdb
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        let n = dir.ixps().len();
        Some((dir, format!("{} ({n} IXPs)", names.join(", "))))
    };
    let db = db.clone();
    Ok(Some(std::sync::Arc::new(
        trombone_reduce::EvidenceSources {
            bgp,
            ixp,
            as_country: Box::new(move |asn| db.asn_country(asn)),
        },
    )))
}

/// The rotation period in ns, checked against the sample interval.
pub fn rotate_ns(a: &AnalysisOpts, sizing: &SizingConfig) -> Result<Option<i64>, String> {
    let Some(r) = a.rotate else {
        return Ok(None);
    };
    let ns = (r * 1e9).round() as i64;
    if ns % sizing.sample_ns != 0 {
        return Err(format!(
            "--rotate {r} s must be a whole number of --sample intervals ({} s), so that no sample straddles two results",
            sizing.sample_ns as f64 / 1e9
        ));
    }
    if a.output.is_none() {
        return Err("--rotate writes one file per interval: give the directory with -o".into());
    }
    Ok(Some(ns))
}

/// The reorder tolerance in ns, checked.
pub fn reorder_ns(a: &AnalysisOpts) -> Result<i64, String> {
    if !(a.reorder >= 0.0 && a.reorder <= 3600.0) {
        return Err("--reorder must be between 0 and 3600 seconds".into());
    }
    Ok((a.reorder * 1e9) as i64)
}

/// A quarter of the available memory, shared by `workers` flow tables.
pub fn default_max_flows(workers: usize) -> usize {
    let avail = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find(|l| l.starts_with("MemAvailable:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map_or(4 << 30, |kb| kb * 1024);
    let per_flow = trombone_worker::Worker::BYTES_PER_FLOW as u64;
    ((avail / 4 / per_flow / workers.max(1) as u64) as usize).clamp(1 << 16, 1 << 26)
}

/// Builds the sizing configuration from the rate and port options.
pub fn sizing_config(a: &AnalysisOpts) -> Result<SizingConfig, String> {
    if !(a.bin_s >= 0.001 && a.bin_s.is_finite()) {
        return Err("--bin must be at least 0.001 seconds".into());
    }
    let bin_ns = (a.bin_s * 1e9).round() as i64;
    let sample_ns = (a.sample_s * 1e9).round() as i64;
    if !(a.sample_s.is_finite() && sample_ns >= bin_ns && sample_ns % bin_ns == 0) {
        return Err("--sample must be a whole number of --bin widths".into());
    }
    if !(a.port_target > 0.0 && a.port_target <= 1.0) {
        return Err("--port-target must be in (0, 1]".into());
    }
    if !(a.growth > 0.0 && a.growth.is_finite()) {
        return Err("--growth must be positive".into());
    }
    if !(a.transit_price >= 0.0 && a.transit_price.is_finite()) {
        return Err("--transit-price must be zero or more".into());
    }
    let mut speeds = a.port_speeds.clone();
    if speeds.is_empty() || speeds.iter().any(|s| !(*s > 0.0 && s.is_finite())) {
        return Err("--port-speeds must be positive numbers".into());
    }
    speeds.sort_by(f64::total_cmp);
    Ok(SizingConfig {
        bin_ns,
        sample_ns,
        port_target: a.port_target,
        growth: a.growth,
        transit_price: a.transit_price,
        port_speeds_gbps: speeds,
        what_if_asns: a.what_if_asns.clone(),
        top: a.sizing_top,
    })
}

/// Longest `--window-ms` accepted (the matcher supports up to [`trombone_hairpin::MAX_WINDOW_NS`]).
pub const MAX_WINDOW_MS: u64 = 60_000;

/// Builds the hairpin configuration from --home/--zone/--links.
pub fn hairpin_config(a: &AnalysisOpts) -> Result<Option<HairpinConfig>, String> {
    let Some(home) = &a.home else {
        return Ok(None);
    };
    let zone = Zone::parse(home, a.zone.as_deref()).map_err(|e| format!("--home/--zone: {e}"))?;
    let links = match &a.links {
        Some(p) => Links::load(p).map_err(|e| e.to_string())?,
        None => Links::default(),
    };
    let mut cfg = HairpinConfig::new(zone, links);
    if a.window_ms > MAX_WINDOW_MS {
        return Err(format!(
            "--window-ms {}: at most {MAX_WINDOW_MS} (a replica returns within a minute; \
             detours are seconds at the very most)",
            a.window_ms
        ));
    }
    cfg.window_ns = (a.window_ms as i64).saturating_mul(1_000_000);
    cfg.max_pending = a.max_pending.max(1);
    cfg.max_handshakes = a.max_handshakes.max(1);
    cfg.rtt_all = a.rtt == RttScope::All;
    if let Some(km) = a.zone_km {
        if !(km > 0.0 && km.is_finite()) {
            return Err("--zone-km must be a positive number".into());
        }
        cfg.max_zone_km = km;
    }
    Ok(Some(cfg))
}

/// Flow-table bounds from --max-flows/--idle-timeout/--active-timeout, for `workers` workers.
pub fn flow_limits(a: &AnalysisOpts, workers: usize) -> Result<FlowLimits, String> {
    for (name, v) in [
        ("--idle-timeout", a.idle_timeout),
        ("--active-timeout", a.active_timeout),
    ] {
        if !(v >= 0.0 && v.is_finite()) {
            return Err(format!("{name} must be zero or more seconds"));
        }
    }
    Ok(FlowLimits {
        max_flows: a
            .max_flows
            .unwrap_or_else(|| default_max_flows(workers))
            .max(1),
        idle_timeout_ns: (a.idle_timeout * 1e9) as i64,
        active_timeout_ns: (a.active_timeout * 1e9) as i64,
    })
}
