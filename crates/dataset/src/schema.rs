//! The dataset's schema, defined once: every table, column, type and unit.
//!
//! The writer builds its Arrow schemas from [`TABLES`], and README's "Parquet dataset"
//! section is [`schema_markdown`] verbatim (a test checks it), so the documentation is
//! the schema written.

/// Version of the dataset layout and schema written by this build.
///
/// Bumped on any incompatible change (a column removed, renamed, retyped or given another
/// meaning or unit, or the path layout changed). Within a version, columns are only added
/// at the end of a table; engines reading a dataset whose older files lack a newer column
/// read it as null (DuckDB `union_by_name`, Spark `mergeSchema`).
pub const DATASET_VERSION: u32 = 1;

/// Partition directory name of results without a site (`--site` not given).
pub const UNNAMED_SITE: &str = "_unnamed";

/// Partition directory name of a merge of results from several sites.
pub const MERGED_SITE: &str = "_merged";

/// A column's type: Parquet physical type and logical annotation, as every engine reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColType {
    /// INT64 (signed): DuckDB BIGINT, Spark/Trino bigint, ClickHouse Int64.
    I64,
    /// DOUBLE.
    F64,
    /// BYTE_ARRAY with the STRING annotation (UTF-8).
    Str,
    /// BOOLEAN.
    Bool,
    /// INT64 TIMESTAMP(MICROS, adjusted to UTC): DuckDB TIMESTAMP WITH TIME ZONE, Spark
    /// timestamp, Trino timestamp(6) with time zone, ClickHouse DateTime64(6, 'UTC').
    Ts,
}

impl ColType {
    /// The name used in the documentation.
    pub fn sql(self) -> &'static str {
        match self {
            ColType::I64 => "BIGINT",
            ColType::F64 => "DOUBLE",
            ColType::Str => "VARCHAR",
            ColType::Bool => "BOOLEAN",
            ColType::Ts => "TIMESTAMPTZ",
        }
    }
}

/// One column of a table.
#[derive(Clone, Copy, Debug)]
pub struct Column {
    /// Column name.
    pub name: &'static str,
    /// Its type.
    pub ty: ColType,
    /// True when it may be null.
    pub nullable: bool,
    /// Unit and meaning, one line.
    pub doc: &'static str,
}

/// One table of the dataset: a directory `DIR/<name>/site=../date=../`.
#[derive(Clone, Copy, Debug)]
pub struct Table {
    /// Directory and table name.
    pub name: &'static str,
    /// What one row is.
    pub doc: &'static str,
    /// Columns stored in the files, in order (the partition columns `site` and `date`
    /// come from the path, Hive-style, and are not stored).
    pub columns: &'static [Column],
}

const fn c(name: &'static str, ty: ColType, nullable: bool, doc: &'static str) -> Column {
    Column {
        name,
        ty,
        nullable,
        doc,
    }
}

use ColType::{Bool, Str, Ts, F64, I64};

/// Columns every table starts with: which result a row belongs to and the time it covers.
pub const COMMON: &[Column] = &[
    c(
        "result_id",
        Str,
        false,
        "content hash of the result (16 hex digits): joins the tables; also in the file name",
    ),
    c(
        "interval_start",
        Ts,
        true,
        "start of the result's interval (`--rotate`), else its first packet; µs, UTC",
    ),
    c(
        "interval_start_ns",
        I64,
        true,
        "the same in ns since the Unix epoch (exact)",
    ),
    c(
        "interval_end_ns",
        I64,
        true,
        "end of the interval (exclusive), else last packet + 1 ns; ns since the epoch",
    ),
];

const AS_MATRIX: &[Column] = &[
    c("src_asn", I64, false, "source ASN (0 = unknown)"),
    c(
        "src_country",
        Str,
        true,
        "source country, ISO 3166-1 alpha-2 (null = unknown)",
    ),
    c("dst_asn", I64, false, "destination ASN (0 = unknown)"),
    c(
        "dst_country",
        Str,
        true,
        "destination country (null = unknown)",
    ),
    c("packets", I64, false, "IP packets"),
    c("bytes", I64, false, "L3 bytes (from the IP headers)"),
    c(
        "flows",
        I64,
        false,
        "directional flows (a flow alive across intervals counts in each)",
    ),
];

const COUNTRY_MATRIX: &[Column] = &[
    c("src_country", Str, true, "source country (null = unknown)"),
    c(
        "dst_country",
        Str,
        true,
        "destination country (null = unknown)",
    ),
    c("packets", I64, false, "IP packets"),
    c("bytes", I64, false, "L3 bytes"),
    c("flows", I64, false, "directional flows"),
];

const LOCAL_PAIRS: &[Column] = &[
    c("src_asn", I64, false, "source ASN"),
    c("src_country", Str, true, "source country"),
    c("dst_asn", I64, false, "destination ASN"),
    c("dst_country", Str, true, "destination country"),
    c(
        "packets",
        I64,
        false,
        "unique local packets of the pair, hairpinned or not (a replica once)",
    ),
    c("bytes", I64, false, "their L3 bytes"),
];

const HAIRPIN_PAIRS: &[Column] = &[
    c("src_asn", I64, false, "source ASN"),
    c("src_country", Str, true, "source country"),
    c("dst_asn", I64, false, "destination ASN"),
    c("dst_country", Str, true, "destination country"),
    c("packets", I64, false, "unique hairpinned packets (a packet seen leaving and returning counts once)"),
    c("bytes", I64, false, "their L3 bytes"),
    c("observations", I64, false, "hairpin sightings, replicas included"),
    c("reobserved_packets", I64, false, "sightings matched as replicas"),
    c("local_bytes", I64, false, "unique local L3 bytes of the pair, hairpinned or not"),
    c("detour_samples", I64, true, "matched replicas behind the detour figures (null: none)"),
    c("detour_p50_ms", F64, true, "detour (time between the two sightings), median, ms"),
    c("detour_p90_ms", F64, true, "detour, 90th percentile, ms"),
    c("detour_p99_ms", F64, true, "detour, 99th percentile, ms"),
    c("detour_hist", Str, true, "detour distribution in µs: hdrhistogram V2+DEFLATE, base64 (merge these, not the quantiles)"),
    c("hops_samples", I64, true, "matched replicas behind the hop figures"),
    c("hops_p50", I64, true, "TTL difference between the two sightings, median"),
    c("hops_hist", Str, true, "TTL difference distribution: hdrhistogram V2+DEFLATE, base64"),
    c("handshake_samples", I64, true, "TCP handshakes timed (SYN → SYN/ACK)"),
    c("handshake_min_ms", F64, true, "fastest handshake, ms"),
    c("handshake_p50_ms", F64, true, "median handshake, ms"),
    c("handshake_exceeds_floor", Bool, true, "even the fastest handshake took longer than the domestic floor"),
    c("handshake_hist", Str, true, "handshake distribution in µs: hdrhistogram V2+DEFLATE, base64"),
];

const VIA: &[Column] = &[
    c("src_asn", I64, false, "source ASN of the hairpinned pair"),
    c("src_country", Str, true, "source country"),
    c("dst_asn", I64, false, "destination ASN"),
    c("dst_country", Str, true, "destination country"),
    c(
        "link",
        Str,
        true,
        "link name from the links file (null: no link identified)",
    ),
    c(
        "via_asn",
        I64,
        false,
        "the link's neighbour ASN (0 = unknown)",
    ),
    c("via_country", Str, true, "the neighbour's country"),
    c("via_name", Str, true, "the neighbour's AS name"),
    c(
        "packets",
        I64,
        false,
        "unique hairpinned packets through it (a rotated piece may hold a negative correction)",
    ),
    c("bytes", I64, false, "their L3 bytes (signed, like packets)"),
];

const SAMPLES: &[Column] = &[
    c("kind", Str, false, "total, pair, network_in, network_out, hairpin_in, hairpin_out, hairpin_pair, link_in, link_out, link_unknown"),
    c("src_asn", I64, true, "pair rows: source ASN"),
    c("src_country", Str, true, "pair rows: source country"),
    c("dst_asn", I64, true, "pair rows: destination ASN"),
    c("dst_country", Str, true, "pair rows: destination country"),
    c("asn", I64, true, "network and hairpin rows: the ASN (0 = unknown)"),
    c("country", Str, true, "network and hairpin rows of ASN 0: the country of the unknown addresses"),
    c("link", Str, true, "link rows: the link's name"),
    c("sample_index", I64, false, "sample number since the epoch: the sample covers [index × sample_s, (index + 1) × sample_s)"),
    c("sample_start", Ts, false, "start of the sample, µs, UTC"),
    c("sample_s", F64, false, "sample length, s (`--sample`)"),
    c("bytes", I64, false, "L3 bytes in the sample"),
    c("packets", I64, false, "packets in the sample"),
    c("peak_bin_bytes", I64, false, "bytes of the sample's busiest bin (`bin_s` in results)"),
    c("peak_bin_packets", I64, false, "packets of the sample's busiest bin by packets"),
];

const CAPTURE_HEALTH: &[Column] = &[
    c("engine", Str, false, "afxdp, afpacket or pcap"),
    c("interface", Str, false, "interface name"),
    c(
        "mode",
        Str,
        false,
        "xdp-native-zerocopy, xdp-native-copy, xdp-generic-copy, tpacket_v3 or libpcap",
    ),
    c("fanout", Str, true, "fanout mode"),
    c("filter", Str, true, "capture filter expression"),
    c(
        "is_final",
        Bool,
        false,
        "true for the result written when the capture ended",
    ),
    c(
        "started_ns",
        I64,
        false,
        "when the capture started, ns since the epoch",
    ),
    c(
        "elapsed_s",
        F64,
        false,
        "seconds since then when the result was made",
    ),
    c(
        "packets",
        I64,
        false,
        "frames captured, all queues, since the capture started (cumulative)",
    ),
    c(
        "kernel_drops",
        I64,
        false,
        "kernel ring drops, all queues, cumulative",
    ),
    c(
        "xdp_drops",
        I64,
        false,
        "XDP socket drops, all queues, cumulative",
    ),
    c(
        "interface_drops",
        I64,
        true,
        "frames the NIC lost, cumulative (null: unreadable)",
    ),
    c(
        "host_discards",
        I64,
        true,
        "frames the host stack discarded after capture, cumulative",
    ),
    c(
        "dropped_any",
        Bool,
        false,
        "any drop counter non-zero or a queue failed",
    ),
    c(
        "notes",
        Str,
        true,
        "why the engine or mode is not the first choice (joined with '; ')",
    ),
    c(
        "queue",
        I64,
        true,
        "receive queue or fanout member of this row (null: no queue reported)",
    ),
    c(
        "queue_cpu",
        I64,
        true,
        "core the queue's worker was pinned to",
    ),
    c(
        "queue_packets",
        I64,
        true,
        "frames captured on the queue, cumulative",
    ),
    c("queue_bytes", I64, true, "their wire bytes, cumulative"),
    c(
        "queue_kernel_drops",
        I64,
        true,
        "kernel drops of the queue, cumulative",
    ),
    c(
        "queue_xdp_drops",
        I64,
        true,
        "XDP drops of the queue, cumulative",
    ),
    c("queue_error", Str, true, "why the queue stopped early"),
];

const RESULTS: &[Column] = &[
    c(
        "site_name",
        Str,
        true,
        "`--site` as given (the `site` partition is its path-safe form; null: unnamed)",
    ),
    c(
        "rotated",
        Bool,
        false,
        "true for a rotated piece (`--rotate`): the interval columns are its interval",
    ),
    c(
        "first_ns",
        I64,
        true,
        "first timed packet, ns since the epoch",
    ),
    c(
        "last_ns",
        I64,
        true,
        "last timed packet, ns since the epoch",
    ),
    c("duration_s", F64, false, "last − first, s"),
    c("frames", I64, false, "frames read"),
    c(
        "ip_packets",
        I64,
        false,
        "frames with a parseable IP header",
    ),
    c("ip_bytes", I64, false, "their L3 bytes"),
    c("wire_bytes", I64, false, "their frame bytes"),
    c(
        "non_ip_frames",
        I64,
        false,
        "frames without IP (ARP, LLDP...)",
    ),
    c(
        "malformed_frames",
        I64,
        false,
        "frames too short or inconsistent to decode",
    ),
    c(
        "unsupported_frames",
        I64,
        false,
        "frames of an unsupported link type",
    ),
    c("flows", I64, false, "directional flows"),
    c(
        "evicted_flows",
        I64,
        false,
        "flows evicted from a full flow table",
    ),
    c("expired_flows", I64, false, "flows ended by a timeout"),
    c(
        "untimed_frames",
        I64,
        false,
        "IP packets without a usable timestamp",
    ),
    c(
        "time_outliers",
        I64,
        false,
        "IP packets with an outlying timestamp",
    ),
    c(
        "late_packets",
        I64,
        false,
        "IP packets that arrived after their sample closed",
    ),
    c(
        "encap_bytes",
        I64,
        false,
        "tunnel header bytes removed from mirrored frames",
    ),
    c(
        "decapsulated_packets",
        I64,
        false,
        "IP packets that arrived in a tunnel",
    ),
    c(
        "bin_s",
        F64,
        true,
        "rate bin width, s (`--bin`; null: no series)",
    ),
    c("sample_s", F64, true, "sample length, s (`--sample`)"),
    c(
        "hairpin_home",
        Str,
        true,
        "country under audit (`--home`; null: no hairpin analysis)",
    ),
    c(
        "hairpin_zone",
        Str,
        true,
        "countries counted as local, comma-separated",
    ),
    c("hairpin_window_ms", F64, true, "replica window, ms"),
    c("hairpin_packets", I64, true, "unique hairpinned packets"),
    c("hairpin_bytes", I64, true, "their L3 bytes"),
    c(
        "hairpin_observations",
        I64,
        true,
        "hairpin sightings, replicas included",
    ),
    c(
        "hairpin_reobserved_packets",
        I64,
        true,
        "sightings matched as replicas",
    ),
    c(
        "local_packets",
        I64,
        true,
        "unique packets with both ends in the zone",
    ),
    c("local_bytes", I64, true, "their L3 bytes"),
    c(
        "matcher_slot_overflows",
        I64,
        true,
        "replica matcher: sightings pushed out by a fourth copy",
    ),
    c(
        "matcher_dropped_fresh",
        I64,
        true,
        "replica matcher: sightings pushed out at the cap",
    ),
    c(
        "matcher_unidentified_link",
        I64,
        true,
        "hairpin sightings on no identified link",
    ),
    c(
        "matcher_handshakes_dropped",
        I64,
        true,
        "pending handshakes pushed out of a full table",
    ),
    c("asn_db_source", Str, false, "the IP→ASN/country data used"),
    c("asn_db_date", Str, true, "its date, YYYY-MM-DD"),
    c("asn_db_digest", Str, true, "digest of the loaded data"),
    c(
        "schema_version",
        I64,
        false,
        "JSON result contract version of the result",
    ),
    c("tool_name", Str, false, "always trombone"),
    c(
        "tool_version",
        Str,
        false,
        "version of the program that made the result",
    ),
    c(
        "dataset_version",
        I64,
        false,
        "version of this dataset schema the row was written under",
    ),
    c(
        "partial",
        Bool,
        false,
        "an input ended in an error or a capture lost frames: the figures cover what was read",
    ),
    c(
        "merged_results",
        I64,
        true,
        "a merge (`trombone merge`): results combined (null: not a merge)",
    ),
    c(
        "merged_sites",
        Str,
        true,
        "a merge: the sites combined, comma-separated",
    ),
    c("inputs", I64, false, "inputs read"),
    c("input_errors", I64, false, "inputs that ended in an error"),
    c("warnings", Str, true, "warning codes, comma-separated"),
];

/// Every table of the dataset, in the order the writer writes them (`results` last: a
/// result whose row is in `results` is complete in every table).
pub const TABLES: &[Table] = &[
    Table {
        name: "as_matrix",
        doc: "one row per result and (src ASN, src country, dst ASN, dst country)",
        columns: AS_MATRIX,
    },
    Table {
        name: "country_matrix",
        doc: "one row per result and (src country, dst country)",
        columns: COUNTRY_MATRIX,
    },
    Table {
        name: "hairpin_pairs",
        doc: "one row per result and hairpinned AS pair (results with `--home` only)",
        columns: HAIRPIN_PAIRS,
    },
    Table {
        name: "local_pairs",
        doc: "one row per result and local AS pair with local traffic, hairpinned or not (results with `--home` only): a pair's local bytes over several results are the sum of these, not of `hairpin_pairs.local_bytes`, which has rows only where the pair hairpinned",
        columns: LOCAL_PAIRS,
    },
    Table {
        name: "via",
        doc: "one row per result, hairpinned AS pair and link it went abroad by",
        columns: VIA,
    },
    Table {
        name: "samples",
        doc: "one row per result, series (total, pair, network in/out, hairpin in/out, link in/out/unknown) and sample with traffic",
        columns: SAMPLES,
    },
    Table {
        name: "capture_health",
        doc: "one row per live-capture result and receive queue (`trombone capture` only)",
        columns: CAPTURE_HEALTH,
    },
    Table {
        name: "results",
        doc: "one row per result: its span, totals, hairpin totals, database and provenance",
        columns: RESULTS,
    },
];

/// The table called `name`.
pub fn table(name: &str) -> Option<&'static Table> {
    TABLES.iter().find(|t| t.name == name)
}

/// Every column of `t` as stored: [`COMMON`] then the table's own.
pub fn columns(t: &Table) -> impl Iterator<Item = &'static Column> + '_ {
    COMMON.iter().chain(t.columns.iter())
}

/// The schema as Markdown: README's "Parquet dataset" section carries this text verbatim.
pub fn schema_markdown() -> String {
    let mut s = format!(
        "Dataset schema version {DATASET_VERSION}. Every table starts with these columns; `site` and `date` \
         (VARCHAR and DATE) are Hive partition columns from the path, not stored in the files.\n\n"
    );
    s.push_str("| column | type | null | meaning |\n|---|---|---|---|\n");
    for col in COMMON {
        row(&mut s, col);
    }
    for t in TABLES {
        s.push_str(&format!("\n`{}`: {}.\n\n", t.name, t.doc));
        s.push_str("| column | type | null | meaning |\n|---|---|---|---|\n");
        for col in t.columns {
            row(&mut s, col);
        }
    }
    s
}

fn row(s: &mut String, col: &Column) {
    s.push_str(&format!(
        "| `{}` | {} | {} | {} |\n",
        col.name,
        col.ty.sql(),
        if col.nullable { "yes" } else { "" },
        col.doc.replace('|', "\\|")
    ));
}
