//! A user's first hour (issue #16): the command line refuses what it cannot honour, says
//! when a question has no answer, spells each concept one way, records how a result was
//! made, and never drops a finished measurement.
//!
//! Expected values come from outside the analyzer: the fixture generator's own model
//! (`capture-fixtures/*.expected.json`, `trombone_fixtures::bench`), pcap record headers
//! walked by hand, iptoasn's published IPv6 table read with `gzip -dc`, the arguments the
//! test itself gave, and the crate's version from Cargo.

use serde_json::Value;
use std::net::Ipv6Addr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn fixtures() -> PathBuf {
    root().join("capture-fixtures")
}

fn fixture(name: &str) -> String {
    fixtures().join(name).display().to_string()
}

fn trombone(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_trombone"))
        .args(args)
        .output()
        .expect("run trombone")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn json_of(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}); stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// Runs a command that must succeed and print JSON.
fn ok_json(args: &[&str]) -> (Value, Output) {
    let out = trombone(args);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    (json_of(&out), out)
}

fn load(p: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

/// A fresh temporary directory for one test.
fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("trombone-first-hour-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The codes of a result's warnings.
fn codes(v: &Value) -> Vec<String> {
    v["warnings"]
        .as_array()
        .expect("warnings array")
        .iter()
        .map(|w| w["code"].as_str().unwrap().to_string())
        .collect()
}

/// The messages of a result's warnings with this code.
fn messages(v: &Value, code: &str) -> Vec<String> {
    v["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["code"] == code)
        .map(|w| w["message"].as_str().unwrap().to_string())
        .collect()
}

/// Countries of a generator-model country matrix: every one seen, and those with traffic
/// to themselves.
fn model_countries(expected: &Value) -> (Vec<String>, Vec<String>) {
    let (mut seen, mut own) = (Vec::new(), Vec::new());
    for r in expected["country_matrix"].as_array().unwrap() {
        for k in ["src_country", "dst_country"] {
            if let Some(c) = r[k].as_str() {
                if !seen.contains(&c.to_string()) {
                    seen.push(c.to_string());
                }
            }
        }
        if r["src_country"].is_string() && r["src_country"] == r["dst_country"] {
            own.push(r["src_country"].as_str().unwrap().to_string());
        }
    }
    (seen, own)
}

// ---------------------------------------------------------------- refusals (item 10)

#[test]
fn zero_workers_and_unknown_country_codes_are_usage_errors() {
    let cap = fixture("hairpin-kh.pcap");
    let cases: [(&[&str], &str); 4] = [
        (
            &["analyze", "--workers", "0", "--format", "json", &cap],
            "--workers",
        ),
        (
            // refused before listening (the --duration bounds the run if it were not)
            &[
                "collect",
                "--workers",
                "0",
                "--sflow",
                "127.0.0.1:0",
                "--duration",
                "2",
                "--format",
                "json",
            ],
            "--workers",
        ),
        (
            &["analyze", "--home", "XX", "--format", "json", &cap],
            "--home",
        ),
        (
            &[
                "analyze", "--home", "KH", "--zone", "KH,QQ", "--format", "json", &cap,
            ],
            "--zone",
        ),
    ];
    for (args, option) in cases {
        let out = trombone(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(out.stdout.is_empty(), "{args:?}: a result was written");
        let err = stderr(&out);
        assert!(err.contains(option), "{args:?}: {err}");
    }
    // the refused code is named, so the user sees which one was wrong
    let err = stderr(&trombone(&["analyze", "--home", "XX", &cap]));
    assert!(err.contains("\"XX\""), "{err}");
}

/// A valid code that matches no traffic is accepted, with a warning in the result and on
/// stderr. The generator's model of the capture has no French network at all, and has
/// Cambodian ones.
#[test]
fn a_zone_without_traffic_is_a_warning() {
    let cap = fixture("clmv-gateway-usec-le.pcap");
    let table = fixture("fixture-asn.tsv");
    let (seen, _) = model_countries(&load(
        &fixtures().join("clmv-gateway-usec-le.expected.json"),
    ));
    assert!(!seen.contains(&"FR".to_string()) && seen.contains(&"KH".to_string()));
    let (v, out) = ok_json(&[
        "analyze", "--asn-db", &table, "--home", "FR", "--format", "json", &cap,
    ]);
    let msg = messages(&v, "zone_matched_nothing");
    assert_eq!(msg.len(), 1, "{:?}", codes(&v));
    assert!(msg[0].contains("(FR)"), "{}", msg[0]);
    assert!(stderr(&out).contains(&msg[0]), "{}", stderr(&out));
    let (v, _) = ok_json(&[
        "analyze", "--asn-db", &table, "--home", "KH", "--format", "json", &cap,
    ]);
    assert!(!codes(&v).contains(&"zone_matched_nothing".to_string()));
}

#[test]
fn port_speeds_take_commas_and_help_shows_them_so() {
    let cap = fixture("hairpin-kh.pcap");
    let out = trombone(&["analyze", "--port-speeds", "1 10 25", &cap]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--port-speeds"), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    let (v, _) = ok_json(&[
        "analyze",
        "--port-speeds",
        "1,10,25",
        "--format",
        "json",
        &cap,
    ]);
    assert_eq!(
        v["sizing"]["port_speeds_gbps"],
        serde_json::json!([1.0, 10.0, 25.0])
    );
    // the default is shown as it must be typed
    let help = String::from_utf8(trombone(&["analyze", "--help"]).stdout).unwrap();
    let i = help
        .find("--port-speeds <GBPS,...>")
        .expect("--port-speeds in --help");
    let rest = &help[i..];
    let next = rest[2..].find("\n      --").map_or(rest.len(), |j| j + 2);
    assert!(
        rest[..next].contains("[default: 1,10,25,40,100,400]"),
        "{}",
        &rest[..next]
    );
}

// ---------------------------------------------------------------- the database (item 7)

/// iptoasn's ip2asn-v6 lines (start, end, ASN) that contain `a`, read from the shared file
/// with gzip, not through trombone's reader.
fn iptoasn_v6(file: &Path, addrs: &[Ipv6Addr]) -> Vec<Vec<u32>> {
    let out = Command::new("gzip")
        .arg("-dc")
        .arg(file)
        .output()
        .expect("gzip -dc");
    assert!(out.status.success(), "gzip -dc {}", file.display());
    let text = String::from_utf8(out.stdout).expect("the table is UTF-8");
    let mut hits = vec![Vec::new(); addrs.len()];
    let mut lines = 0;
    for line in text.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        let (Ok(s), Ok(e)) = (f[0].parse::<Ipv6Addr>(), f[1].parse::<Ipv6Addr>()) else {
            continue;
        };
        lines += 1;
        let (s, e) = (u128::from(s), u128::from(e));
        for (i, a) in addrs.iter().enumerate() {
            if (s..=e).contains(&u128::from(*a)) {
                hits[i].push(f[2].parse().expect("an ASN"));
            }
        }
    }
    assert!(lines > 100_000, "{lines} lines in {}", file.display());
    hits
}

#[test]
fn the_embedded_default_answers_ipv6_from_iptoasn() {
    let file = root().join("../shared/data/asn/ip2asn-v6.20231208.tsv.gz");
    assert!(
        file.exists(),
        "{} (the shared data the embedded default is built from) is missing",
        file.display()
    );
    let name = "ip2asn-v6.20231208.tsv.gz";
    // well-known resolvers and CLMV operators, and one address the table marks not routed
    let addrs: Vec<Ipv6Addr> = [
        "2001:4860:4860::8888",
        "2606:4700:4700::1111",
        "2620:fe::fe",
        "2402:800::1",
        "2001:ee0::1",
        "2400:8480::1",
    ]
    .iter()
    .map(|a| a.parse().unwrap())
    .collect();
    let want = iptoasn_v6(&file, &addrs);
    let mut args = vec!["db", "lookup", "--format", "json"];
    let texts: Vec<String> = addrs.iter().map(|a| a.to_string()).collect();
    args.extend(texts.iter().map(|s| s.as_str()));
    let out = trombone(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    let answers: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(answers.len(), addrs.len());
    for ((a, ans), lines) in addrs.iter().zip(&answers).zip(&want) {
        assert_eq!(ans["ip"].as_str().unwrap().parse::<Ipv6Addr>().unwrap(), *a);
        assert_eq!(
            lines.len(),
            1,
            "{a}: {} iptoasn lines cover it",
            lines.len()
        );
        let asn = u64::from(lines[0]);
        assert_eq!(ans["asn"].as_u64(), Some(asn), "{a}: {ans}");
        if asn == 0 {
            assert!(ans["route"].is_null(), "{a}: {ans}");
        } else {
            assert_eq!(ans["route"]["asn"].as_u64(), Some(asn), "{a}: {ans}");
            assert_eq!(ans["route"]["source"], name, "{a}: {ans}");
        }
    }
    // the first of them is Google's public resolver
    assert_eq!(answers[0]["asn"], 15169);

    let (info, _) = ok_json(&["db", "info", "--format", "json"]);
    let src = info["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no source named {name}: {info}"));
    // the date is the one in the published file's name
    assert_eq!(src["date"], "2023-12-08");
    assert!(src["routes_v6"].as_u64().unwrap() > 0, "{src}");
    assert!(
        src["attribution"].as_str().unwrap().contains("iptoasn"),
        "{src}"
    );
    assert!(info["routes_v6"].as_u64().unwrap() >= src["routes_v6"].as_u64().unwrap());
    let label = info["source"]["source"].as_str().unwrap();
    assert!(label.contains("ip2asn-v6 2023-12-08"), "{label}");
    // --json, the older spelling, gives the same
    let (old, _) = ok_json(&["db", "info", "--json"]);
    assert_eq!(old, info);
}

#[test]
fn db_build_checks_its_output_before_reading_anything() {
    let dir = temp_dir("db-build");
    // an unwritable output is named, exit 2, even when the input does not exist either:
    // the output was checked first
    let out = trombone(&[
        "db",
        "build",
        "-o",
        "/nonexistent-dir/x",
        "/nonexistent-input.tsv",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("/nonexistent-dir/x"), "{err}");
    assert!(!err.contains("/nonexistent-input.tsv"), "{err}");
    // a good input and a bad output: exit 2, nothing written
    let table = fixture("fixture-asn.tsv");
    let out = trombone(&["db", "build", "-o", "/nonexistent-dir/x", &table]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    // an output that is a directory, and an input that is one
    let d = dir.display().to_string();
    let out = trombone(&["db", "build", "-o", &d, &table]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let built = dir.join("fixture.db");
    let b = built.display().to_string();
    let out = trombone(&["db", "build", "-o", &b, &d]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains(&d));
    assert!(!built.exists());
    // and a good build still works: 8.8.8.0/24 is AS15169 in the fixture table
    let out = trombone(&["db", "build", "-o", &b, &table]);
    assert!(out.status.success(), "{}", stderr(&out));
    let (v, _) = ok_json(&[
        "db", "lookup", "--asn-db", &b, "--format", "json", "8.8.8.8",
    ]);
    assert_eq!(v["asn"], 15169);
    // the directory holds the database and no probe or temporary file
    let names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("fixture.db")]);
    std::fs::remove_dir_all(&dir).ok();
}

// ---------------------------------------------------------------- one spelling (item 10)

/// The hairpin-pairs CSV of `analyze` and of `report` have one header, with the unit last.
#[test]
fn hairpin_csv_headers_agree_between_analyze_and_report() {
    let dir = temp_dir("csv");
    let cap = fixture("hairpin-kh.pcap");
    let links = fixture("hairpin-kh.links.toml");
    let json = dir.join("r.json");
    let j = json.display().to_string();
    let hp = ["--home", "KH", "--links", &links];
    let out = trombone(
        &[
            &["analyze", &cap, "--format", "json", "-o", &j][..],
            &hp[..],
        ]
        .concat(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let a = trombone(
        &[
            &[
                "analyze",
                &cap,
                "--format",
                "csv",
                "--table",
                "hairpin-pairs",
            ][..],
            &hp[..],
        ]
        .concat(),
    );
    assert!(a.status.success(), "{}", stderr(&a));
    let r = trombone(&["report", &j, "--format", "csv", "--table", "hairpin-pairs"]);
    assert!(r.status.success(), "{}", stderr(&r));
    let head = |o: &Output| {
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .next()
            .unwrap()
            .to_string()
    };
    let (ha, hr) = (head(&a), head(&r));
    assert_eq!(ha, hr);
    let cols: Vec<&str> = ha.split(',').collect();
    for c in [
        "detour_p50_ms",
        "detour_p90_ms",
        "detour_p99_ms",
        "handshake_p50_ms",
    ] {
        assert!(cols.contains(&c), "{c} missing: {ha}");
    }
    assert!(!ha.contains("detour_ms_p"), "{ha}");
    // and the rows agree too
    assert_eq!(a.stdout, r.stdout);
    std::fs::remove_dir_all(&dir).ok();
}

/// The result records the exact argument vector (one element per argument, spaces kept)
/// and the version; the HTML report's provenance shows both.
#[test]
fn the_command_and_version_are_recorded_and_reported() {
    let dir = temp_dir("provenance");
    let cap = fixture("hairpin-kh.pcap");
    let json = dir.join("r.json");
    let j = json.display().to_string();
    let args = [
        "analyze",
        "--site",
        "kh gw1",
        "--home",
        "KH",
        "--workers",
        "1",
        &cap,
        "--format",
        "json",
        "-o",
        &j,
    ];
    let out = trombone(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    let v = load(&json);
    let mut want = vec![env!("CARGO_BIN_EXE_trombone").to_string()];
    want.extend(args.iter().map(|s| s.to_string()));
    let got: Vec<String> = v["tool"]["command"]
        .as_array()
        .expect("tool.command")
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect();
    assert_eq!(got, want);
    assert_eq!(v["tool"]["version"], env!("CARGO_PKG_VERSION"));
    let page = dir.join("r.html");
    let p = page.display().to_string();
    let out = trombone(&["report", &j, "-o", &p]);
    assert!(out.status.success(), "{}", stderr(&out));
    let html = std::fs::read_to_string(&page).unwrap();
    let made = format!("Made with: <code>{}</code>", want.join(" "));
    assert!(html.contains(&made), "no {made:?} in the report");
    let ver = format!("trombone {}", env!("CARGO_PKG_VERSION"));
    assert!(html.contains(&ver), "no {ver:?} in the report");
    std::fs::remove_dir_all(&dir).ok();
}

/// `analyze --help` groups its options under task headings.
#[test]
fn analyze_help_is_grouped_by_task() {
    let help = String::from_utf8(trombone(&["analyze", "--help"]).stdout).unwrap();
    // heading of each option: the last unindented "Name:" line above it. Options start
    // their line at column 2 ("-o, --output") or 6 ("--home"); descriptions and possible
    // values are indented further.
    let mut heading = String::new();
    let mut under: Vec<(String, String)> = Vec::new();
    for line in help.lines() {
        if !line.starts_with(' ') && line.ends_with(':') {
            heading = line.trim_end_matches(':').to_string();
        } else if line.starts_with("  -") || line.starts_with("      --") {
            if let Some(long) = line.split("--").nth(1) {
                let opt = long.split(' ').next().unwrap();
                under.push((format!("--{opt}"), heading.clone()));
            }
        }
    }
    let heading_of = |o: &str| {
        under
            .iter()
            .find(|(x, _)| x == o)
            .map(|(_, h)| h.as_str())
            .unwrap_or_else(|| panic!("{o} not in --help:\n{help}"))
    };
    for (opt, h) in [
        ("--decode", "Input"),
        ("--reorder", "Input"),
        ("--asn-db", "Database"),
        ("--home", "Hairpin"),
        ("--zone", "Hairpin"),
        ("--links", "Hairpin"),
        ("--max-pending", "Hairpin"),
        ("--port-speeds", "Sizing"),
        ("--sample", "Sizing"),
        ("--what-if-asns", "Sizing"),
        ("--format", "Output"),
        ("--table", "Output"),
        ("--output", "Output"),
        ("--workers", "Performance"),
        ("--max-flows", "Performance"),
    ] {
        assert_eq!(heading_of(opt), h, "{opt}");
    }
}

/// `-o` on a device where every write fails: the finished result is saved in the working
/// directory instead, and stderr names the file.
#[test]
fn a_failed_write_falls_back_to_the_working_directory() {
    let full = Path::new("/dev/full");
    assert!(full.exists(), "/dev/full (Linux) is needed");
    let wd = temp_dir("fallback");
    let cap = fixture("hairpin-kh.pcap");
    let want = load(&fixtures().join("hairpin-kh.expected.json"));
    for format in ["json", "table"] {
        let out = Command::new(env!("CARGO_BIN_EXE_trombone"))
            .current_dir(&wd)
            .args(["analyze", "--format", format, "-o", "/dev/full", &cap])
            .output()
            .unwrap();
        // the asked-for output was not written: a script must notice
        assert!(!out.status.success(), "{format}");
        let err = stderr(&out);
        assert!(err.contains("/dev/full"), "{err}");
        let named = err
            .split("saved as JSON in ")
            .nth(1)
            .and_then(|s| s.split(" instead").next())
            .unwrap_or_else(|| panic!("stderr names no fallback file: {err}"));
        let path = wd.join(named);
        assert_eq!(
            std::fs::canonicalize(path.parent().unwrap()).unwrap(),
            std::fs::canonicalize(&wd).unwrap(),
            "{named}: not in the working directory"
        );
        let v = load(&path);
        // the whole measurement: the generator's totals for this capture
        for (k, x) in want["totals"].as_object().unwrap() {
            assert_eq!(&v["totals"][k], x, "{format}: totals.{k}");
        }
        std::fs::remove_file(&path).unwrap();
    }
    std::fs::remove_dir_all(&wd).ok();
}

// ---------------------------------------------------------------- no answer (item 11)

/// A country that has traffic but none with itself: the zone matched, yet nothing is local.
#[test]
fn no_local_traffic_is_a_warning() {
    let cap = fixture("clmv-gateway-usec-le.pcap");
    let table = fixture("fixture-asn.tsv");
    let (seen, own) = model_countries(&load(
        &fixtures().join("clmv-gateway-usec-le.expected.json"),
    ));
    let lonely = seen
        .iter()
        .find(|c| !own.contains(c))
        .expect("a country of the model with no traffic to itself");
    let (v, out) = ok_json(&[
        "analyze", "--asn-db", &table, "--home", lonely, "--format", "json", &cap,
    ]);
    let c = codes(&v);
    assert!(
        c.contains(&"no_local_traffic".to_string()),
        "{lonely}: {c:?}"
    );
    assert!(!c.contains(&"zone_matched_nothing".to_string()), "{c:?}");
    assert_eq!(v["hairpin"]["totals"]["local_packets"], 0);
    assert!(stderr(&out).contains(&messages(&v, "no_local_traffic")[0]));
    // a country with traffic to itself: no such warning
    let (v, _) = ok_json(&[
        "analyze", "--asn-db", &table, "--home", &own[0], "--format", "json", &cap,
    ]);
    assert!(!codes(&v).contains(&"no_local_traffic".to_string()));
}

/// A links file naming a VLAN no frame of the capture carries.
#[test]
fn a_link_matching_no_frame_is_a_warning() {
    let dir = temp_dir("links");
    let cap = fixture("hairpin-kh.pcap");
    let base = std::fs::read_to_string(fixtures().join("hairpin-kh.links.toml")).unwrap();
    let links = dir.join("links.toml");
    std::fs::write(
        &links,
        format!("{base}\n[[link]]\nname = \"unused-v3999\"\nvlan = 3999\nasn = 2914\ncountry = \"US\"\n"),
    )
    .unwrap();
    let l = links.display().to_string();
    let run = |l: &str| {
        ok_json(&[
            "analyze", "--home", "KH", "--links", l, "--format", "json", &cap,
        ])
    };
    let (v, out) = run(&l);
    let msg = messages(&v, "link_unmatched");
    assert_eq!(msg.len(), 1, "{msg:?}");
    assert!(msg[0].contains("\"unused-v3999\""), "{}", msg[0]);
    assert!(stderr(&out).contains(&msg[0]));
    // the file's own links all carry traffic of the generator's scenario
    let (v, _) = run(&fixture("hairpin-kh.links.toml"));
    assert!(messages(&v, "link_unmatched").is_empty(), "{:?}", codes(&v));
    std::fs::remove_dir_all(&dir).ok();
}

/// `--what-if-asns` naming a network with no traffic (AS64512, private use: in no table).
#[test]
fn what_if_for_a_network_without_traffic_is_a_warning() {
    let cap = fixture("hairpin-kh.pcap");
    let links = fixture("hairpin-kh.links.toml");
    // a zone network with hairpinned traffic in the generator's model
    let model = load(&fixtures().join("hairpin-kh.zone-KH.expected.json"));
    let busy = model["hairpin"]["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["bytes"].as_u64().unwrap() > 0 && p["src_asn"] != 0)
        .expect("a hairpinned pair")["src_asn"]
        .as_u64()
        .unwrap();
    let asns = format!("{busy},64512");
    let (v, out) = ok_json(&[
        "analyze",
        "--home",
        "KH",
        "--links",
        &links,
        "--what-if-asns",
        &asns,
        "--format",
        "json",
        &cap,
    ]);
    let msg = messages(&v, "what_if_no_traffic");
    assert_eq!(msg.len(), 1, "{msg:?}");
    assert!(msg[0].contains("AS64512 "), "{}", msg[0]);
    assert!(stderr(&out).contains(&msg[0]));
    // without --what-if-asns, nothing is named that has no traffic
    let (v, _) = ok_json(&[
        "analyze", "--home", "KH", "--links", &links, "--format", "json", &cap,
    ]);
    assert!(messages(&v, "what_if_no_traffic").is_empty());
}

/// Time span of a little-endian microsecond classic pcap, from its record headers.
fn pcap_usec_le_span_s(data: &[u8]) -> f64 {
    assert_eq!(
        data[0..4],
        [0xd4, 0xc3, 0xb2, 0xa1],
        "a µs little-endian pcap"
    );
    let rd = |o: usize| u32::from_le_bytes([data[o], data[o + 1], data[o + 2], data[o + 3]]);
    let (mut lo, mut hi) = (u64::MAX, 0u64);
    let mut off = 24;
    while off + 16 <= data.len() {
        let us = u64::from(rd(off)) * 1_000_000 + u64::from(rd(off + 4));
        lo = lo.min(us);
        hi = hi.max(us);
        off += 16 + rd(off + 8) as usize;
    }
    (hi - lo) as f64 / 1e6
}

/// A capture shorter than one 5-minute sample: the p95 rests on a partial sample.
#[test]
fn a_capture_shorter_than_one_sample_is_a_warning() {
    let path = fixtures().join("clmv-gateway-usec-le.pcap");
    let span = pcap_usec_le_span_s(&std::fs::read(&path).unwrap());
    assert!(span > 30.0 && span < 300.0, "span {span}");
    let cap = path.display().to_string();
    let (v, out) = ok_json(&["analyze", "--format", "json", &cap]);
    assert!((v["time"]["duration_s"].as_f64().unwrap() - span).abs() < 1e-6);
    let msg = messages(&v, "short_span");
    assert_eq!(msg.len(), 1, "{:?}", codes(&v));
    assert!(
        msg[0].contains(&format!("spans {span:.0} s, less than one 300 s sample")),
        "{}",
        msg[0]
    );
    assert!(stderr(&out).contains(&msg[0]));
    // 30 s samples fit in the capture: no warning
    let (v, _) = ok_json(&["analyze", "--sample", "30", "--format", "json", &cap]);
    assert!(messages(&v, "short_span").is_empty(), "{:?}", codes(&v));
}

/// The replica matcher at a cap far below what ~40 ms of bench traffic needs.
#[test]
fn matcher_pressure_is_a_warning() {
    use trombone_fixtures::bench::{write_bench, BenchConfig, BenchReplicas};
    let dir = temp_dir("pressure");
    let cfg = BenchConfig {
        packets: 30_000,
        flows: 2_000,
        seed: 0x16_0011,
        snaplen: 96,
        arp_every: 5000,
        replicas: Some(BenchReplicas {
            zone: ["KH", "LA", "MM", "VN"].map(String::from).to_vec(),
            percent: 25,
            delay_us: 30_000,
            hops: 8,
        }),
        span_s: None,
    };
    let cap = dir.join("replicated.pcap");
    let f = std::io::BufWriter::new(std::fs::File::create(&cap).unwrap());
    let truth = write_bench(&cfg, f).unwrap().hairpin.unwrap();
    assert!(truth.replicas > 1_000, "{truth:?}");
    let c = cap.display().to_string();
    let table = fixture("fixture-asn.tsv");
    let run = |extra: &[&str]| {
        ok_json(
            &[
                &[
                    "analyze",
                    "--no-progress",
                    "--asn-db",
                    &table,
                    "--home",
                    "VN",
                    "--zone",
                    "KH,LA,MM,VN",
                    "--format",
                    "json",
                    &c,
                ][..],
                extra,
            ]
            .concat(),
        )
    };
    let (v, out) = run(&["--max-pending", "512"]);
    let m = &v["hairpin"]["matcher"];
    let lost = m["dropped_fresh"].as_u64().unwrap() + m["slot_overflows"].as_u64().unwrap();
    assert!(lost > 0, "{m}");
    let msg = messages(&v, "matcher_pressure");
    assert_eq!(msg.len(), 1, "{:?}", codes(&v));
    assert!(
        msg[0].contains(&format!("lost {lost} waiting")),
        "{}",
        msg[0]
    );
    assert!(msg[0].contains("--max-pending"), "{}", msg[0]);
    assert!(stderr(&out).contains(&msg[0]));
    // at the default cap every replica is matched and nothing is lost
    let (v, _) = run(&[]);
    assert_eq!(
        v["hairpin"]["totals"]["reobserved_packets"].as_u64(),
        Some(truth.replicas)
    );
    assert!(
        messages(&v, "matcher_pressure").is_empty(),
        "{:?}",
        codes(&v)
    );
    std::fs::remove_dir_all(&dir).ok();
}
