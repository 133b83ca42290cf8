//! The report as a person would use it: render from JSON results, open the page in headless
//! Chromium, and check that it loads with no console errors (the page's CSP turns any
//! network or file fetch into one), that the headline numbers in the rendered DOM equal the
//! JSON's, and keep a screenshot and a PDF print under `<target>/tmp/report-test/`.
//!
//! Chromium (Debian package `chromium`) is required: the test fails when it is missing
//! unless TROMBONE_SKIP_BROWSER=1. TROMBONE_CHROMIUM=/path overrides the binary.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use trombone_report::{load, render_html, HtmlOptions, ResultFile};

/// One Chromium at a time: the machine is small and shared.
static BROWSER: Mutex<()> = Mutex::new(());

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn out_dir() -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-test");
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The JSON as a plain value: expected numbers come from the file, not from the crate's model.
fn json(name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(data(name)).unwrap()).unwrap()
}

fn find_chromium() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("TROMBONE_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for name in ["chromium", "chromium-browser", "google-chrome", "chrome"] {
        for dir in std::env::split_paths(&path) {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// The browser, or None when the caller may skip (TROMBONE_SKIP_BROWSER=1); panics otherwise.
fn chromium() -> Option<PathBuf> {
    match find_chromium() {
        Some(p) => Some(p),
        None if std::env::var("TROMBONE_SKIP_BROWSER").as_deref() == Ok("1") => {
            eprintln!("chromium not found; browser test skipped (TROMBONE_SKIP_BROWSER=1)");
            None
        }
        None => panic!(
            "chromium not found: install the Debian package `chromium` (or set TROMBONE_CHROMIUM=/path/to/chrome), \
             or set TROMBONE_SKIP_BROWSER=1 to skip the browser tests"
        ),
    }
}

/// What one Chromium run produced.
struct Run {
    stdout: String,
    stderr: String,
}

impl Run {
    /// Console messages Chromium logged for the page (errors, CSP violations, uncaught exceptions).
    fn console(&self) -> Vec<&str> {
        self.stderr
            .lines()
            .filter(|l| l.contains(":CONSOLE") || l.contains("Uncaught"))
            .collect()
    }
}

/// Runs headless Chromium on `page` with extra `args`, isolated and without network.
fn run_chromium(bin: &Path, page: &Path, args: &[String]) -> Run {
    let _guard = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let profile = out_dir().join(format!("profile-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&profile);
    let url = format!("file://{}", page.canonicalize().unwrap().display());
    let mut child = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--no-first-run",
            "--no-default-browser-check",
            // Any host name resolves nowhere: the report must not need the network.
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--enable-logging=stderr",
            "--v=0",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(&url)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
    // Read the pipes on threads so a full pipe cannot stall the browser.
    let mut so = child.stdout.take().unwrap();
    let mut se = child.stderr.take().unwrap();
    let t1 = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut so, &mut s).ok();
        s
    });
    let t2 = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut se, &mut s).ok();
        s
    });
    // A hang guard, not a timing assertion: a wedged browser must not hang the suite.
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        match child.try_wait().unwrap() {
            Some(_) => break,
            None if Instant::now() > deadline => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("chromium did not finish within 300 s");
            }
            None => std::thread::sleep(Duration::from_millis(50)),
        }
    }
    let run = Run {
        stdout: t1.join().unwrap(),
        stderr: t2.join().unwrap(),
    };
    let _ = std::fs::remove_dir_all(&profile);
    run
}

/// Dumps the DOM after load and fails on any console message.
fn load_page(bin: &Path, page: &Path) -> String {
    let run = run_chromium(bin, page, &["--dump-dom".to_string()]);
    let console = run.console();
    assert!(
        console.is_empty(),
        "console messages while loading {}:\n{}",
        page.display(),
        console.join("\n")
    );
    assert!(
        run.stdout.contains("</html>"),
        "no DOM from chromium; stderr:\n{}",
        run.stderr
    );
    run.stdout
}

/// The opening tag and the text up to the next tag of the element with `id`.
fn element<'a>(dom: &'a str, id: &str) -> Option<(&'a str, &'a str)> {
    let at = dom.find(&format!(" id=\"{id}\""))?;
    let start = dom[..at].rfind('<')?;
    let end = at + dom[at..].find('>')?;
    let text_end = end + 1 + dom[end + 1..].find('<')?;
    Some((&dom[start..=end], &dom[end + 1..text_end]))
}

/// An attribute of an opening tag.
fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let at = tag.find(&key)? + key.len();
    Some(&tag[at..at + tag[at..].find('"')?])
}

fn data_value(dom: &str, id: &str) -> String {
    let (tag, _) = element(dom, id).unwrap_or_else(|| panic!("no element #{id} in the page"));
    attr(tag, "data-value")
        .unwrap_or_else(|| panic!("#{id} has no data-value: {tag}"))
        .to_string()
}

fn text(dom: &str, id: &str) -> String {
    element(dom, id).unwrap().1.to_string()
}

fn write_report(files: &[ResultFile], name: &str) -> PathBuf {
    let page = render_html(files, &HtmlOptions::default()).unwrap();
    let path = out_dir().join(name);
    std::fs::write(&path, page).unwrap();
    path
}

/// Counts the `<g class="cell" data-value=...>` of one heatmap and sums their bytes.
fn heatmap_sum(dom: &str, id: &str) -> (usize, u64) {
    let at = dom
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id}"));
    let end = at + dom[at..].find("</svg>").unwrap();
    let svg = &dom[at..end];
    let mut n = 0;
    let mut sum = 0u64;
    for part in svg.split("<g class=\"cell\" data-value=\"").skip(1) {
        n += 1;
        sum += part[..part.find('"').unwrap()].parse::<u64>().unwrap();
    }
    (n, sum)
}

/// True when the text holds something shaped like a dotted-quad IPv4 address.
fn has_ipv4(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() && (i == 0 || !(b[i - 1].is_ascii_digit() || b[i - 1] == b'.')) {
            let mut j = i;
            let mut groups = 0;
            loop {
                let k = j;
                while j < b.len() && b[j].is_ascii_digit() && j - k < 4 {
                    j += 1;
                }
                if j == k || j - k > 3 {
                    break;
                }
                groups += 1;
                if groups == 4 {
                    if j >= b.len() || !(b[j].is_ascii_digit() || b[j] == b'.') {
                        return true;
                    }
                    break;
                }
                if j < b.len() && b[j] == b'.' {
                    j += 1;
                } else {
                    break;
                }
            }
        }
        i += 1;
    }
    false
}

#[test]
fn ipv4_detector_works() {
    assert!(has_ipv4("from 10.0.0.1 to"));
    assert!(has_ipv4("203.0.113.255"));
    assert!(!has_ipv4("version 0.1.0 and 1.23 GB"));
    assert!(!has_ipv4("1.2.3.4.5"));
}

/// The detector the tests rely on really sees console errors and blocked fetches.
#[test]
fn console_errors_are_detected() {
    let Some(bin) = chromium() else { return };
    let page = out_dir().join("broken.html");
    std::fs::write(
        &page,
        r#"<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<link rel="stylesheet" href="https://fonts.example.net/x.css"></head><body><p id="x" data-value="1">x</p></body></html>"#,
    )
    .unwrap();
    let run = run_chromium(&bin, &page, &["--dump-dom".to_string()]);
    assert!(
        !run.console().is_empty(),
        "a blocked external stylesheet must show up as a console message; stderr:\n{}",
        run.stderr
    );
}

#[test]
fn single_result_report_opens_offline_with_the_json_numbers() {
    let Some(bin) = chromium() else { return };
    let name = "kh-border-hour1.json";
    let j = json(name);
    let page = write_report(&[load(&data(name)).unwrap()], "report.html");
    let dom = load_page(&bin, &page);

    let hp = &j["hairpin"]["totals"];
    let share = hp["share_of_local_bytes"].as_f64().unwrap();
    assert_eq!(
        data_value(&dom, "hairpin-share").parse::<f64>().unwrap(),
        share
    );
    assert_eq!(
        text(&dom, "hairpin-share"),
        format!("{:.1}%", share * 100.0)
    );
    assert_eq!(
        data_value(&dom, "hairpin-bytes"),
        hp["bytes"].as_u64().unwrap().to_string()
    );
    assert_eq!(
        data_value(&dom, "local-bytes"),
        hp["local_bytes"].as_u64().unwrap().to_string()
    );
    assert_eq!(
        data_value(&dom, "hairpin-packets"),
        hp["packets"].as_u64().unwrap().to_string()
    );
    assert_eq!(
        data_value(&dom, "capture-span").parse::<f64>().unwrap(),
        j["time"]["duration_s"].as_f64().unwrap()
    );
    let (span_tag, _) = element(&dom, "capture-span").unwrap();
    assert_eq!(
        attr(span_tag, "data-first-ns"),
        Some(j["time"]["first_ns"].as_i64().unwrap().to_string().as_str())
    );
    assert_eq!(
        data_value(&dom, "input-count"),
        j["inputs"].as_array().unwrap().len().to_string()
    );
    assert_eq!(data_value(&dom, "partial"), "false");
    assert_eq!(text(&dom, "partial"), "Complete");
    assert!(element(&dom, "partial-banner").is_none());
    assert_eq!(
        data_value(&dom, "ip-bytes"),
        j["totals"]["ip_bytes"].as_u64().unwrap().to_string()
    );
    assert_eq!(
        data_value(&dom, "transit-saved").parse::<f64>().unwrap(),
        j["sizing"]["what_if"]["total_transit_saved_usd_per_month"]
            .as_f64()
            .unwrap()
    );

    // The heatmap's cells add up to the hairpin bytes (folded ASes included).
    let (cells, sum) = heatmap_sum(&dom, "hairpin-heatmap");
    assert!(cells > 0);
    assert_eq!(sum, hp["bytes"].as_u64().unwrap());
    // One pair-table row per hairpin pair (the fixture has fewer than the 30-row limit).
    let pairs = j["hairpin"]["pairs"].as_array().unwrap();
    let table = &dom[dom.find("id=\"pair-table\"").unwrap()..];
    let table = &table[..table.find("</table>").unwrap()];
    assert_eq!(table.matches("<tr data-src=").count(), pairs.len());
    // Rate charts: one per charted network (at most 6), link and port, each with two p95 lines
    // carrying the JSON's p95 values.
    let z = &j["sizing"];
    let nets = z["networks"].as_array().unwrap();
    let charts = nets.len().min(6)
        + z["links"].as_array().unwrap().len()
        + z["what_if"]["ports"].as_array().unwrap().len().min(6);
    assert_eq!(dom.matches("class=\"chart rate-chart\"").count(), charts);
    for n in nets.iter().take(6) {
        for dir in ["in", "out"] {
            let v = n[dir]["p95_mbps"].as_f64().unwrap();
            assert!(
                dom.contains(&format!("class=\"p95 s-{dir}\" data-value=\"{v}\"")),
                "p95 line {v} of AS{} {dir}",
                n["asn"]
            );
        }
    }
    // The latency plot has one detour marker per pair with detour data (fewer than 15).
    let with_detour = pairs.iter().filter(|p| !p["detour_ms"].is_null()).count();
    assert_eq!(dom.matches("<g class=\"detour\"").count(), with_detour);
    // Port table rows equal the JSON's recommendations, in order, with their port names.
    let ports = z["what_if"]["ports"].as_array().unwrap();
    let pt = &dom[dom.find("id=\"port-table\"").unwrap()..];
    let pt = &pt[..pt.find("</table>").unwrap()];
    assert_eq!(pt.matches("<tr data-asn=").count(), ports.len());
    for p in ports {
        assert!(pt.contains(&format!("<strong>{}</strong>", p["port"].as_str().unwrap())));
    }
    // Provenance: the capture file, database date and tool version are shown.
    assert!(dom.contains(j["inputs"][0]["file"].as_str().unwrap()));
    assert!(dom.contains(j["asn_db"]["date"].as_str().unwrap()));
    assert!(!has_ipv4(&dom), "the report must not show an IP address");

    // Keep what a person would look at: a screenshot of the first screenful, and a print.
    let png = out_dir().join("report.png");
    let _ = std::fs::remove_file(&png);
    let run = run_chromium(
        &bin,
        &page,
        &[
            format!("--screenshot={}", png.display()),
            "--window-size=1280,2000".to_string(),
        ],
    );
    assert!(run.console().is_empty(), "{}", run.console().join("\n"));
    let shot = std::fs::read(&png).expect("screenshot written");
    assert_eq!(&shot[..8], b"\x89PNG\r\n\x1a\n");
    let pdf = out_dir().join("report.pdf");
    let _ = std::fs::remove_file(&pdf);
    run_chromium(
        &bin,
        &page,
        &[
            format!("--print-to-pdf={}", pdf.display()),
            "--no-pdf-header-footer".to_string(),
        ],
    );
    let printed = std::fs::read(&pdf).expect("PDF written");
    assert!(printed.starts_with(b"%PDF-"));
}

#[test]
fn merged_partial_results_sum_and_warn() {
    let Some(bin) = chromium() else { return };
    let (a, b) = ("kh-border-hour1.json", "kh-border-hour2-partial.json");
    let (ja, jb) = (json(a), json(b));
    let page = write_report(
        &[load(&data(a)).unwrap(), load(&data(b)).unwrap()],
        "report-merged.html",
    );
    let dom = load_page(&bin, &page);

    let sum = |k: &str| {
        ja["hairpin"]["totals"][k].as_u64().unwrap() + jb["hairpin"]["totals"][k].as_u64().unwrap()
    };
    assert_eq!(data_value(&dom, "hairpin-bytes"), sum("bytes").to_string());
    assert_eq!(
        data_value(&dom, "local-bytes"),
        sum("local_bytes").to_string()
    );
    assert_eq!(
        data_value(&dom, "hairpin-packets"),
        sum("packets").to_string()
    );
    assert_eq!(
        data_value(&dom, "hairpin-share").parse::<f64>().unwrap(),
        sum("bytes") as f64 / sum("local_bytes") as f64
    );
    // Span: first packet of the first hour to the last of the second.
    let first = ja["time"]["first_ns"].as_i64().unwrap();
    let last = jb["time"]["last_ns"].as_i64().unwrap();
    assert_eq!(
        data_value(&dom, "capture-span").parse::<f64>().unwrap(),
        (last - first) as f64 / 1e9
    );
    assert_eq!(data_value(&dom, "input-count"), "2");
    // Partial: impossible to miss.
    assert_eq!(data_value(&dom, "partial"), "true");
    assert_eq!(text(&dom, "partial"), "PARTIAL");
    let (banner, _) = element(&dom, "partial-banner").expect("partial banner");
    assert!(banner.contains("role=\"alert\""));
    assert!(dom.contains("truncated record at byte offset 1873211392"));
    assert!(dom.contains("PARTIAL RESULT"));
    // Percentile sections are per file: two latency plots, two port tables, no summed saving.
    assert_eq!(dom.matches("class=\"chart latency-chart\"").count(), 2);
    assert_eq!(dom.matches("id=\"port-table\"").count(), 2);
    assert!(element(&dom, "transit-saved").is_none());
    assert!(dom.contains("Percentiles cannot be merged"));
    let (_, hm) = heatmap_sum(&dom, "hairpin-heatmap");
    assert_eq!(hm, sum("bytes"));
}

#[test]
fn hostile_names_render_as_text() {
    let Some(bin) = chromium() else { return };
    let name = "hostile-names.json";
    let page = write_report(&[load(&data(name)).unwrap()], "report-hostile.html");
    let html = std::fs::read_to_string(&page).unwrap();
    // No markup from the JSON survives into the source...
    assert!(!html.contains("<script"), "raw <script> in the page");
    assert!(!html.contains("<img"), "raw <img> in the page");
    assert!(!html.contains("<b onmouseover"), "raw <b> in the page");
    assert!(html.contains("&lt;script&gt;alert(3)&lt;/script&gt;.pcap"));
    let dom = load_page(&bin, &page);
    // ...nor into the DOM the browser built: only our own elements exist.
    assert!(!dom.contains("<script"));
    assert!(!dom.contains("<img"));
    assert!(dom.contains("&lt;img src=x onerror=alert(2)&gt;"));
    // Without a hairpin section: no hairpin figures, the all-traffic AS matrix instead.
    assert!(element(&dom, "hairpin-share").is_none());
    let (_, sum) = heatmap_sum(&dom, "as-heatmap");
    assert_eq!(sum, 6000);
    assert_eq!(data_value(&dom, "ip-bytes"), "6000");
}

#[test]
fn many_pairs_fold_into_other_ases_and_missing_sizing_is_said() {
    let Some(bin) = chromium() else { return };
    let name = "clmv-zone-many-pairs.json";
    let j = json(name);
    let page = write_report(&[load(&data(name)).unwrap()], "report-zone.html");
    let dom = load_page(&bin, &page);
    let hp = &j["hairpin"]["totals"];
    assert_eq!(
        data_value(&dom, "hairpin-share").parse::<f64>().unwrap(),
        hp["share_of_local_bytes"].as_f64().unwrap()
    );
    // 16 ASes per axis in the data, 12 named: the other 4 are summed, and nothing is lost.
    let (cells, sum) = heatmap_sum(&dom, "hairpin-heatmap");
    assert_eq!(cells, 13 * 13);
    assert_eq!(sum, hp["bytes"].as_u64().unwrap());
    assert!(dom.contains("4 other ASes"));
    // The pair table stops at 30 rows and says where the rest are.
    let pairs = j["hairpin"]["pairs"].as_array().unwrap().len();
    assert!(pairs > 30);
    assert_eq!(dom.matches("<tr data-src=").count(), 30);
    assert!(dom.contains(&format!("Top 30 of {pairs} pairs")));
    // Zone countries lead the country matrix, home first.
    let m = &dom[dom.find("id=\"country-matrix\"").unwrap()..];
    let kh = m.find(">KH<").unwrap();
    for cc in ["LA", "MM", "VN"] {
        assert!(m.find(&format!(">{cc}<")).unwrap() > kh);
    }
    // No sizing section in this older result: said, not silently skipped.
    assert!(dom.contains("has no <code>sizing</code> section"));
    assert!(dom.contains("unidentified link"));
}

/// The headline figures every single-result report must show, checked against the JSON.
fn check_headline(dom: &str, j: &Value) {
    if let Some(hp) = j.get("hairpin").map(|h| &h["totals"]) {
        let share = hp["share_of_local_bytes"].as_f64().unwrap();
        assert_eq!(
            data_value(dom, "hairpin-share").parse::<f64>().unwrap(),
            share
        );
        assert_eq!(text(dom, "hairpin-share"), format!("{:.1}%", share * 100.0));
        for (id, key) in [
            ("hairpin-bytes", "bytes"),
            ("local-bytes", "local_bytes"),
            ("hairpin-packets", "packets"),
        ] {
            assert_eq!(
                data_value(dom, id),
                hp[key].as_u64().unwrap().to_string(),
                "#{id}"
            );
        }
    } else {
        assert!(element(dom, "hairpin-share").is_none());
    }
    assert_eq!(
        data_value(dom, "capture-span").parse::<f64>().unwrap(),
        j["time"]["duration_s"].as_f64().unwrap()
    );
    assert_eq!(
        data_value(dom, "input-count"),
        j["inputs"].as_array().unwrap().len().to_string()
    );
    let partial = j["partial"].as_bool().unwrap();
    assert_eq!(data_value(dom, "partial"), partial.to_string());
    assert_eq!(element(dom, "partial-banner").is_some(), partial);
    assert_eq!(
        data_value(dom, "ip-bytes"),
        j["totals"]["ip_bytes"].as_u64().unwrap().to_string()
    );
    if let Some(v) = j.pointer("/sizing/what_if/total_transit_saved_usd_per_month") {
        assert_eq!(
            data_value(dom, "transit-saved").parse::<f64>().unwrap(),
            v.as_f64().unwrap()
        );
    }
    assert!(!has_ipv4(dom), "the report must not show an IP address");
}

/// A result written by `trombone analyze` itself (capture-fixtures/clmv-gateway-usec-le.pcap,
/// --home VN, no links file; see tests/data/README.md), not by our sample model.
#[test]
fn real_analyze_output_renders_with_its_numbers() {
    let Some(bin) = chromium() else { return };
    let name = "analyze-clmv-gateway-usec-le.json";
    let j = json(name);
    let page = write_report(&[load(&data(name)).unwrap()], "report-analyze.html");
    let dom = load_page(&bin, &page);
    check_headline(&dom, &j);
    let (_, sum) = heatmap_sum(&dom, "hairpin-heatmap");
    assert_eq!(sum, j["hairpin"]["totals"]["bytes"].as_u64().unwrap());
    // Every what-if port appears with its port name.
    for p in j["sizing"]["what_if"]["ports"].as_array().unwrap() {
        assert!(dom.contains(&format!("<tr data-asn=\"{}\"", p["asn"])));
    }
    // A one-minute capture: the page says the p95s rest on a single sample.
    assert_eq!(j["sizing"]["samples"].as_u64(), Some(1));
    assert!(dom.contains("every p95 below rests on a single"));
}
