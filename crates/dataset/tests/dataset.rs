//! The dataset layout, its contents read back with the Parquet reader, appending and
//! the documented schema. Expected values are the hand-written results below.

use arrow_array::{
    Array, BooleanArray, Float64Array, Int64Array, RecordBatch, StringArray,
    TimestampMicrosecondArray,
};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::fs;
use std::path::{Path, PathBuf};
use trombone_dataset::{
    arrow_schema, schema_markdown, table, write_dataset, DATASET_VERSION, TABLES,
};
use trombone_schema::Report;

/// 2024-04-06T01:00:00Z in ns (date -u -d @1712365200).
const T0: i64 = 1_712_365_200_000_000_000;

fn report(site: Option<&str>, start_ns: i64) -> Report {
    let site = site.map_or(String::new(), |s| {
        format!(r#""site": {},"#, serde_json::to_string(s).unwrap())
    });
    let end_ns = start_ns + 10_000_000_000;
    let k0 = start_ns / 5_000_000_000; // 5 s samples
    let json = format!(
        r#"{{
        "schema_version": 2,
        "tool": {{"name": "trombone", "version": "0.1.0", "command": ["trombone", "analyze"]}},
        {site}
        "interval": {{"start_ns": {start_ns}, "end_ns": {end_ns}}},
        "asn_db": {{"source": "fixture", "date": "2024-04-06", "digest": "abc"}},
        "partial": false,
        "inputs": [{{"file": "a.pcap", "format": "pcap", "frames": 12}}],
        "time": {{"first_ns": {first}, "last_ns": {last}, "duration_s": 9.0}},
        "totals": {{"frames": 12, "ip_packets": 11, "ip_bytes": 6600, "wire_bytes": 7000,
                    "non_ip_frames": 1, "malformed_frames": 0, "unsupported_frames": 0, "flows": 3}},
        "as_matrix": [
            {{"src_asn": 38623, "dst_asn": 17976, "src_country": "KH", "dst_country": "KH", "packets": 8, "bytes": 4800, "flows": 2}},
            {{"src_asn": 0, "dst_asn": 15169, "src_country": null, "dst_country": "US", "packets": 3, "bytes": 1800, "flows": 1}}
        ],
        "country_matrix": [
            {{"src_country": "KH", "dst_country": "KH", "packets": 8, "bytes": 4800, "flows": 2}},
            {{"src_country": null, "dst_country": "US", "packets": 3, "bytes": 1800, "flows": 1}}
        ],
        "series": {{"bin_s": 1.0, "sample_s": 5.0, "rows": [
            {{"kind": "total", "samples": [[{k0}, 3600, 6, 1200, 2], [{k1}, 3000, 5, 600, 1]]}},
            {{"kind": "network_in", "asn": 0, "country": "US", "samples": [[{k1}, 1800, 3, 600, 1]]}},
            {{"kind": "link_out", "link": "SG transit", "samples": [[{k0}, 600, 1, 600, 1]]}}
        ]}},
        "hairpin": {{
            "home": "KH", "zone": ["KH", "LA"], "window_ms": 2000.0, "domestic_floor_ms": 9.75, "max_zone_km": 650.0,
            "links": [],
            "totals": {{"packets": 4, "bytes": 2400, "observations": 7, "reobserved_packets": 3,
                        "local_packets": 8, "local_bytes": 4800, "share_of_local_bytes": 0.5}},
            "matcher": {{"slot_overflows": 0, "dropped_fresh": 1, "unidentified_link": 2}},
            "pairs": [{{
                "src_asn": 38623, "dst_asn": 17976, "src_country": "KH", "dst_country": "KH",
                "packets": 4, "bytes": 2400, "observations": 7, "reobserved_packets": 3, "local_bytes": 4800,
                "detour_ms": {{"samples": 3, "p50": 30.0, "p90": 41.5, "p99": 41.5, "hist": "HISTAAA"}},
                "hops_abroad": {{"samples": 3, "p50": 8}},
                "handshake_rtt_ms": null,
                "via": [
                    {{"link": "SG transit", "asn": 7473, "country": "SG", "name": "SINGTEL", "packets": 3, "bytes": 1800}},
                    {{"link": null, "asn": 0, "country": null, "name": null, "packets": 1, "bytes": 600}}
                ]
            }}]
        }},
        "warnings": [{{"code": "short_span", "message": "short"}}]
    }}"#,
        first = start_ns + 500_000_000,
        last = start_ns + 9_500_000_000,
        k1 = k0 + 1,
    );
    Report::from_json(&json).expect("the test result parses")
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("trombone-dataset-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&d);
    d
}

fn read(path: &Path) -> RecordBatch {
    let f = fs::File::open(path).unwrap();
    let r = ParquetRecordBatchReaderBuilder::try_new(f)
        .unwrap()
        .build()
        .unwrap();
    let batches: Vec<RecordBatch> = r.map(|b| b.unwrap()).collect();
    assert_eq!(batches.len(), 1, "{}", path.display());
    batches.into_iter().next().unwrap()
}

fn i64s(b: &RecordBatch, c: &str) -> Vec<Option<i64>> {
    let a = b
        .column_by_name(c)
        .unwrap()
        .as_any()
        .downcast_ref::<Int64Array>()
        .unwrap();
    (0..a.len())
        .map(|i| a.is_valid(i).then(|| a.value(i)))
        .collect()
}

fn strs(b: &RecordBatch, c: &str) -> Vec<Option<String>> {
    let a = b
        .column_by_name(c)
        .unwrap()
        .as_any()
        .downcast_ref::<StringArray>()
        .unwrap();
    (0..a.len())
        .map(|i| a.is_valid(i).then(|| a.value(i).to_string()))
        .collect()
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn every_view_lands_in_its_hive_partition() {
    let dir = tmp("layout");
    let r = report(Some("kh-gw1"), T0);
    let w = write_dataset(&r, &dir).unwrap();
    assert!(!w.already_present);
    assert_eq!(w.result_id.len(), 16);
    let name = format!("part-20240406T010000Z-{}.parquet", w.result_id);
    let expect: Vec<PathBuf> = [
        "as_matrix",
        "country_matrix",
        "hairpin_pairs",
        "results",
        "samples",
        "via",
    ]
    .iter()
    .map(|t| {
        dir.join(t)
            .join("site=kh-gw1")
            .join("date=2024-04-06")
            .join(&name)
    })
    .collect();
    // no capture_health (not a live capture), no temporary file left behind
    assert_eq!(files_under(&dir), expect);
    let mut written = w.files.clone();
    written.sort();
    assert_eq!(written, expect);
    // rows: 2 AS cells + 2 country cells + 1 pair + 2 via + 4 samples + 1 result
    assert_eq!(w.rows, 12);
    assert_eq!(
        w.bytes,
        expect
            .iter()
            .map(|p| fs::metadata(p).unwrap().len())
            .sum::<u64>()
    );
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn rows_read_back_as_written() {
    let dir = tmp("rows");
    let r = report(Some("kh-gw1"), T0);
    let w = write_dataset(&r, &dir).unwrap();
    let file = |t: &str| {
        w.files
            .iter()
            .find(|p| p.starts_with(dir.join(t)))
            .unwrap()
            .clone()
    };

    let b = read(&file("as_matrix"));
    assert_eq!(b.num_rows(), 2);
    assert_eq!(i64s(&b, "src_asn"), [Some(38623), Some(0)]);
    assert_eq!(strs(&b, "src_country"), [Some("KH".into()), None]);
    assert_eq!(
        strs(&b, "dst_country"),
        [Some("KH".into()), Some("US".into())]
    );
    assert_eq!(i64s(&b, "bytes"), [Some(4800), Some(1800)]);
    assert_eq!(i64s(&b, "flows"), [Some(2), Some(1)]);
    assert_eq!(i64s(&b, "interval_start_ns"), [Some(T0), Some(T0)]);
    assert_eq!(i64s(&b, "interval_end_ns"), [Some(T0 + 10_000_000_000); 2]);
    assert_eq!(
        strs(&b, "result_id"),
        [Some(w.result_id.clone()), Some(w.result_id.clone())]
    );
    let ts = b.column_by_name("interval_start").unwrap();
    let ts = ts
        .as_any()
        .downcast_ref::<TimestampMicrosecondArray>()
        .unwrap();
    assert_eq!(ts.value(0), T0 / 1000);
    assert_eq!(ts.timezone(), Some("UTC"));

    let b = read(&file("samples"));
    assert_eq!(b.num_rows(), 4);
    let k0 = T0 / 5_000_000_000;
    assert_eq!(
        strs(&b, "kind"),
        ["total", "total", "network_in", "link_out"].map(|s| Some(s.to_string()))
    );
    assert_eq!(
        i64s(&b, "sample_index"),
        [Some(k0), Some(k0 + 1), Some(k0 + 1), Some(k0)]
    );
    assert_eq!(
        i64s(&b, "bytes"),
        [Some(3600), Some(3000), Some(1800), Some(600)]
    );
    assert_eq!(
        i64s(&b, "peak_bin_bytes"),
        [Some(1200), Some(600), Some(600), Some(600)]
    );
    assert_eq!(i64s(&b, "asn"), [None, None, Some(0), None]);
    assert_eq!(strs(&b, "country"), [None, None, Some("US".into()), None]);
    assert_eq!(
        strs(&b, "link"),
        [None, None, None, Some("SG transit".into())]
    );
    let ts = b.column_by_name("sample_start").unwrap();
    let ts = ts
        .as_any()
        .downcast_ref::<TimestampMicrosecondArray>()
        .unwrap();
    assert_eq!(ts.value(1), (k0 + 1) * 5_000_000); // µs
    let s = b.column_by_name("sample_s").unwrap();
    assert_eq!(
        s.as_any().downcast_ref::<Float64Array>().unwrap().value(0),
        5.0
    );

    let b = read(&file("hairpin_pairs"));
    assert_eq!(i64s(&b, "packets"), [Some(4)]);
    assert_eq!(i64s(&b, "detour_samples"), [Some(3)]);
    assert_eq!(strs(&b, "detour_hist"), [Some("HISTAAA".into())]);
    assert_eq!(i64s(&b, "hops_p50"), [Some(8)]);
    assert_eq!(strs(&b, "hops_hist"), [None]);
    assert_eq!(i64s(&b, "handshake_samples"), [None]);
    let p90 = b.column_by_name("detour_p90_ms").unwrap();
    assert_eq!(
        p90.as_any()
            .downcast_ref::<Float64Array>()
            .unwrap()
            .value(0),
        41.5
    );

    let b = read(&file("via"));
    assert_eq!(strs(&b, "link"), [Some("SG transit".into()), None]);
    assert_eq!(i64s(&b, "via_asn"), [Some(7473), Some(0)]);
    assert_eq!(i64s(&b, "bytes"), [Some(1800), Some(600)]);
    assert_eq!(i64s(&b, "src_asn"), [Some(38623), Some(38623)]);

    let b = read(&file("results"));
    assert_eq!(b.num_rows(), 1);
    assert_eq!(strs(&b, "site_name"), [Some("kh-gw1".into())]);
    assert_eq!(i64s(&b, "ip_packets"), [Some(11)]);
    assert_eq!(i64s(&b, "ip_bytes"), [Some(6600)]);
    assert_eq!(i64s(&b, "first_ns"), [Some(T0 + 500_000_000)]);
    assert_eq!(i64s(&b, "hairpin_bytes"), [Some(2400)]);
    assert_eq!(i64s(&b, "local_bytes"), [Some(4800)]);
    assert_eq!(i64s(&b, "matcher_unidentified_link"), [Some(2)]);
    assert_eq!(i64s(&b, "matcher_handshakes_dropped"), [Some(0)]);
    assert_eq!(strs(&b, "hairpin_zone"), [Some("KH,LA".into())]);
    assert_eq!(strs(&b, "warnings"), [Some("short_span".into())]);
    assert_eq!(strs(&b, "asn_db_digest"), [Some("abc".into())]);
    assert_eq!(
        i64s(&b, "dataset_version"),
        [Some(i64::from(DATASET_VERSION))]
    );
    assert_eq!(i64s(&b, "merged_results"), [None]);
    let rot = b.column_by_name("rotated").unwrap();
    assert!(rot
        .as_any()
        .downcast_ref::<BooleanArray>()
        .unwrap()
        .value(0));
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn files_carry_the_documented_schema() {
    let dir = tmp("schema");
    let w = write_dataset(&report(None, T0), &dir).unwrap();
    for f in &w.files {
        let t = f.strip_prefix(&dir).unwrap().components().next().unwrap();
        let t = table(t.as_os_str().to_str().unwrap()).unwrap();
        let file = fs::File::open(f).unwrap();
        let b = ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
        let kv = b.metadata().file_metadata().key_value_metadata().unwrap();
        let get = |k: &str| kv.iter().find(|x| x.key == k).and_then(|x| x.value.clone());
        assert_eq!(
            get("trombone.dataset_version"),
            Some(DATASET_VERSION.to_string())
        );
        assert_eq!(get("trombone.table").as_deref(), Some(t.name));
        assert_eq!(get("trombone.result_id"), Some(w.result_id.clone()));
        let got = b.schema();
        let want = arrow_schema(t);
        assert_eq!(got.fields().len(), want.fields().len(), "{}", t.name);
        for (g, w) in got.fields().iter().zip(want.fields()) {
            assert_eq!(g.name(), w.name());
            assert_eq!(g.data_type(), w.data_type(), "{}.{}", t.name, g.name());
            assert_eq!(g.is_nullable(), w.is_nullable(), "{}.{}", t.name, g.name());
        }
    }
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn appending_adds_files_and_never_rewrites() {
    let dir = tmp("append");
    let a = write_dataset(&report(Some("A"), T0), &dir).unwrap();
    let before: Vec<(PathBuf, Vec<u8>, std::time::SystemTime)> = files_under(&dir)
        .into_iter()
        .map(|p| {
            (
                p.clone(),
                fs::read(&p).unwrap(),
                fs::metadata(&p).unwrap().modified().unwrap(),
            )
        })
        .collect();
    // the next day's interval: new files in the next date partition
    let b = write_dataset(&report(Some("A"), T0 + 86_400_000_000_000), &dir).unwrap();
    assert_ne!(a.result_id, b.result_id);
    assert!(b
        .files
        .iter()
        .all(|p| p.to_string_lossy().contains("/date=2024-04-07/")));
    assert_eq!(files_under(&dir).len(), before.len() * 2);
    for (p, bytes, mtime) in &before {
        assert_eq!(&fs::read(p).unwrap(), bytes);
        assert_eq!(&fs::metadata(p).unwrap().modified().unwrap(), mtime);
    }
    // the same result again (another command line): already there, nothing written
    let mut again = report(Some("A"), T0);
    again.tool.command = vec!["trombone".into(), "merge".into()];
    let c = write_dataset(&again, &dir).unwrap();
    assert!(c.already_present);
    assert_eq!(c.result_id, a.result_id);
    assert!(c.files.is_empty());
    assert_eq!(files_under(&dir).len(), before.len() * 2);
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn site_partitions_unnamed_merged_and_unsafe_names() {
    let dir = tmp("sites");
    let part = |w: &trombone_dataset::Written| {
        let p = w.files[0].strip_prefix(&dir).unwrap().to_path_buf();
        p.components()
            .nth(1)
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .into_owned()
    };
    let w = write_dataset(&report(None, T0), &dir).unwrap();
    assert_eq!(part(&w), "site=_unnamed");
    let w = write_dataset(&report(Some("Phnom Penh/gw 1"), T0), &dir).unwrap();
    assert_eq!(part(&w), "site=Phnom_Penh_gw_1");
    let res = w
        .files
        .iter()
        .find(|p| p.starts_with(dir.join("results")))
        .unwrap();
    assert_eq!(
        strs(&read(res), "site_name"),
        [Some("Phnom Penh/gw 1".into())]
    );
    let mut m = report(None, T0);
    m.merged = Some(trombone_schema::MergeInfo {
        results: 4,
        sites: vec!["A".into(), "B".into()],
        mixed: false,
        notes: vec![],
    });
    let w = write_dataset(&m, &dir).unwrap();
    assert_eq!(part(&w), "site=_merged");
    let res = w
        .files
        .iter()
        .find(|p| p.starts_with(dir.join("results")))
        .unwrap();
    assert_eq!(i64s(&read(res), "merged_results"), [Some(4)]);
    assert_eq!(strs(&read(res), "merged_sites"), [Some("A,B".into())]);
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn unrotated_results_partition_by_first_packet_and_undated_by_the_epoch() {
    let dir = tmp("dates");
    let mut r = report(Some("A"), T0);
    r.interval = None;
    // first packet 2024-04-06T23:59:59.5Z: that day, although the last is the next day
    r.time.first_ns = Some(T0 + 82_799_500_000_000);
    r.time.last_ns = Some(T0 + 82_801_000_000_000);
    let w = write_dataset(&r, &dir).unwrap();
    assert!(w.files[0]
        .to_string_lossy()
        .contains("/date=2024-04-06/part-20240406T235959Z-"));
    let res = w
        .files
        .iter()
        .find(|p| p.starts_with(dir.join("results")))
        .unwrap();
    let b = read(res);
    assert_eq!(i64s(&b, "interval_start_ns"), [r.time.first_ns]);
    assert_eq!(
        i64s(&b, "interval_end_ns"),
        [Some(r.time.last_ns.unwrap() + 1)]
    );
    let rot = b.column_by_name("rotated").unwrap();
    assert!(!rot
        .as_any()
        .downcast_ref::<BooleanArray>()
        .unwrap()
        .value(0));

    let mut u = report(Some("A"), T0);
    u.interval = None;
    u.time = trombone_schema::TimeSpan::default();
    u.series = None;
    let w = write_dataset(&u, &dir).unwrap();
    assert!(w.files[0]
        .to_string_lossy()
        .contains("/date=1970-01-01/part-19700101T000000Z-"));
    let b = read(
        w.files
            .iter()
            .find(|p| p.starts_with(dir.join("results")))
            .unwrap(),
    );
    assert_eq!(i64s(&b, "interval_start_ns"), [None]);
    assert!(!w.files.iter().any(|p| p.starts_with(dir.join("samples"))));
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn capture_health_has_one_row_per_queue() {
    let dir = tmp("capture");
    let mut r = report(Some("A"), T0);
    r.capture = Some(trombone_schema::CaptureHealth {
        engine: "afpacket".into(),
        interface: "eth1".into(),
        mode: "tpacket_v3".into(),
        fanout: Some("hash".into()),
        is_final: true,
        started_ns: T0,
        elapsed_s: 10.0,
        queues: vec![
            trombone_schema::QueueHealth {
                queue: 0,
                cpu: Some(1),
                packets: 7,
                bytes: 700,
                kernel_drops: 1,
                ..Default::default()
            },
            trombone_schema::QueueHealth {
                queue: 1,
                packets: 5,
                bytes: 500,
                error: Some("gone".into()),
                ..Default::default()
            },
        ],
        packets: 12,
        kernel_drops: 1,
        dropped_any: true,
        notes: vec!["a".into(), "b".into()],
        ..Default::default()
    });
    let w = write_dataset(&r, &dir).unwrap();
    let f = w
        .files
        .iter()
        .find(|p| p.starts_with(dir.join("capture_health")))
        .unwrap();
    let b = read(f);
    assert_eq!(i64s(&b, "queue"), [Some(0), Some(1)]);
    assert_eq!(i64s(&b, "queue_cpu"), [Some(1), None]);
    assert_eq!(i64s(&b, "queue_packets"), [Some(7), Some(5)]);
    assert_eq!(i64s(&b, "packets"), [Some(12), Some(12)]);
    assert_eq!(strs(&b, "queue_error"), [None, Some("gone".into())]);
    assert_eq!(
        strs(&b, "notes"),
        [Some("a; b".into()), Some("a; b".into())]
    );
    assert_eq!(i64s(&b, "interface_drops"), [None, None]);
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn readme_documents_this_schema() {
    let readme =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md")).unwrap();
    assert!(
        readme.contains(&schema_markdown()),
        "README.md's \"Parquet dataset\" section must carry trombone_dataset::schema_markdown() verbatim:\n{}",
        schema_markdown()
    );
    // every table is documented, and has columns of its own
    for t in TABLES {
        assert!(readme.contains(&format!("`{}`", t.name)), "{}", t.name);
        assert!(!t.columns.is_empty());
    }
}

/// FNV-1a 64 of `bytes`, written out here from the published constants.
fn fnv(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x100_0000_01b3);
    }
    h
}

#[test]
fn result_id_is_the_hash_of_the_json_without_the_command_line() {
    let mut r = report(Some("A"), T0);
    // arguments that look like the key itself, quotes and non-ASCII
    r.tool.command = vec![
        "trombone".into(),
        r#""command":[]"#.into(),
        "--site".into(),
        "Phnom Penh \"ix\" – ទី១".into(),
    ];
    let mut plain = r.clone();
    plain.tool.command.clear();
    let want = format!("{:016x}", fnv(&serde_json::to_vec(&plain).unwrap()));
    assert_eq!(trombone_dataset::result_id(&r), want);
    assert_eq!(trombone_dataset::result_id(&plain), want);
    // and it is a content hash: another count, another id
    plain.totals.frames += 1;
    assert_ne!(trombone_dataset::result_id(&plain), want);
}

#[test]
fn a_table_larger_than_a_batch_is_written_whole_in_row_groups() {
    use trombone_schema::SampleRec;
    let mut r = report(Some("A"), T0);
    // 300,000 samples of one series: several batches and row groups of the writer
    let n = 300_000i64;
    let set = r.series.as_mut().unwrap();
    let k0 = T0 / 5_000_000_000;
    set.rows[0].samples = (0..n)
        .map(|i| SampleRec {
            index: k0 + i,
            bytes: 3 * i as u64,
            packets: i as u64,
            peak_bin_bytes: i as u64 % 7,
            peak_bin_packets: 1,
        })
        .collect();
    let dir = tmp("batches");
    let w = write_dataset(&r, &dir).unwrap();
    let path = w
        .files
        .iter()
        .find(|p| p.to_string_lossy().contains("/samples/"))
        .unwrap();
    let f = fs::File::open(path).unwrap();
    let b = ParquetRecordBatchReaderBuilder::try_new(f).unwrap();
    assert!(b.metadata().num_row_groups() > 1);
    let batches: Vec<RecordBatch> = b.build().unwrap().map(|b| b.unwrap()).collect();
    let idx: Vec<Option<i64>> = batches
        .iter()
        .flat_map(|b| i64s(b, "sample_index"))
        .collect();
    let bytes: Vec<Option<i64>> = batches.iter().flat_map(|b| i64s(b, "bytes")).collect();
    // the big series, then the two one-sample series of the report
    assert_eq!(idx.len(), n as usize + 2);
    for i in 0..n as usize {
        assert_eq!(idx[i], Some(k0 + i as i64));
        assert_eq!(bytes[i], Some(3 * i as i64));
    }
    // no temporary file left behind
    assert!(files_under(&dir).iter().all(|p| !p
        .file_name()
        .unwrap()
        .to_string_lossy()
        .starts_with('.')));
    fs::remove_dir_all(&dir).unwrap();
}
