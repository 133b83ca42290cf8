//! The report as a person would use it: render from JSON results, open the page in headless
//! Chromium and check that it loads with no console errors (the page's CSP turns any
//! network or file fetch into one) and that the headline numbers in the rendered DOM equal
//! the JSON's; then print it to PDF on A4 as a regulator would and read the pages back with
//! poppler (`pdftotext`, `pdfinfo`, `pdftoppm`): the headline with its basis on the first
//! page, nothing asking to hover, no "AS0", no "1 samples", the heatmap's country labels,
//! nothing running off the page. Outputs are kept under `<target>/tmp/report-test/`.
//!
//! Chromium (Debian package `chromium`) and poppler (`poppler-utils`) are required: the
//! tests fail when they are missing unless TROMBONE_SKIP_BROWSER=1. TROMBONE_CHROMIUM=/path
//! overrides the browser.

mod common;

use common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// One Chromium at a time: the machine is small and shared.
static BROWSER: Mutex<()> = Mutex::new(());

fn out_dir() -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-test");
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

fn find_chromium() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("TROMBONE_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    ["chromium", "chromium-browser", "google-chrome", "chrome"]
        .iter()
        .find_map(|n| on_path(n))
}

fn skip() -> bool {
    std::env::var("TROMBONE_SKIP_BROWSER").as_deref() == Ok("1")
}

/// The browser, or None when the caller may skip (TROMBONE_SKIP_BROWSER=1); panics otherwise.
fn chromium() -> Option<PathBuf> {
    match find_chromium() {
        Some(p) => Some(p),
        None if skip() => {
            eprintln!("chromium not found; browser test skipped (TROMBONE_SKIP_BROWSER=1)");
            None
        }
        None => panic!(
            "chromium not found: install the Debian package `chromium` (or set TROMBONE_CHROMIUM=/path/to/chrome), \
             or set TROMBONE_SKIP_BROWSER=1 to skip the browser tests"
        ),
    }
}

/// Chromium and poppler's tools, or None when the caller may skip.
fn chromium_and_poppler() -> Option<PathBuf> {
    let bin = chromium()?;
    for tool in ["pdftotext", "pdfinfo", "pdftoppm"] {
        if on_path(tool).is_none() {
            if skip() {
                eprintln!("{tool} not found; PDF test skipped (TROMBONE_SKIP_BROWSER=1)");
                return None;
            }
            panic!("{tool} not found: install the Debian package `poppler-utils`, or set TROMBONE_SKIP_BROWSER=1");
        }
    }
    Some(bin)
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

fn data_value(dom: &str, id: &str) -> String {
    attr(element(dom, id, ">"), "data-value")
        .unwrap_or_else(|| panic!("#{id} has no data-value"))
        .to_string()
}

/// `s` as it appears in HTML text.
fn html_text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn write_report(names: &[&str], file: &str) -> PathBuf {
    let path = out_dir().join(file);
    std::fs::write(&path, page(names)).unwrap();
    path
}

/// True when the text holds something shaped like a dotted-quad IPv4 address.
fn has_ipv4(s: &str) -> bool {
    s.split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .any(|t| {
            let p: Vec<&str> = t.split('.').collect();
            p.len() == 4
                && p.iter()
                    .all(|x| !x.is_empty() && x.len() <= 3 && x.parse::<u8>().is_ok())
        })
}

/// Runs a poppler tool and returns its standard output.
fn poppler(tool: &str, args: &[&str]) -> String {
    let out = Command::new(tool)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{tool}: {e}"));
    assert!(
        out.status.success(),
        "{tool} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Prints `page` to `pdf` with the command line a user would type.
fn print_pdf(bin: &Path, page: &Path, pdf: &Path) {
    let _ = std::fs::remove_file(pdf);
    run_chromium(
        bin,
        page,
        &[
            format!("--print-to-pdf={}", pdf.display()),
            "--no-pdf-header-footer".to_string(),
        ],
    );
    let printed = std::fs::read(pdf).expect("PDF written");
    assert!(printed.starts_with(b"%PDF-"));
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

/// The headline figures every report must show, checked against the JSON.
fn check_headline(dom: &str, j: &Value) {
    if let Some(hp) = j.get("hairpin").map(|h| &h["totals"]) {
        let share = hp["share_of_local_bytes"].as_f64().unwrap();
        assert_eq!(
            data_value(dom, "hairpin-share").parse::<f64>().unwrap(),
            share
        );
        let shown = visible_text(element(dom, "hairpin-share", "</span>"));
        assert_eq!(shown, format!("{:.1}%", share * 100.0));
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
        assert!(!dom.contains("id=\"hairpin-share\""));
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
    assert_eq!(dom.contains("id=\"partial-banner\""), partial);
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

#[test]
fn reports_open_offline_with_the_json_numbers() {
    let Some(bin) = chromium() else { return };
    for name in [
        "kh-links.json",
        "kh-nolinks.json",
        "clmv-multilink-zone.json",
        "kh-border-hour1.json",
    ] {
        let j = json(name);
        let page = write_report(&[name], &format!("{name}.html"));
        let dom = load_page(&bin, &page);
        check_headline(&dom, &j);
        // The heatmap's cells add up to the hairpin bytes (folded ASes included).
        let svg = element(&dom, "hairpin-heatmap", "</svg>");
        let sum: u64 = svg
            .split("<g class=\"cell\" data-value=\"")
            .skip(1)
            .map(|p| p[..p.find('"').unwrap()].parse::<u64>().unwrap())
            .sum();
        assert_eq!(
            sum,
            j["hairpin"]["totals"]["bytes"].as_u64().unwrap(),
            "{name}"
        );
        // Provenance: the capture file and database date are shown.
        assert!(
            dom.contains(j["inputs"][0]["file"].as_str().unwrap()),
            "{name}"
        );
        assert!(
            dom.contains(&html_text(j["asn_db"]["source"].as_str().unwrap())),
            "{name}"
        );
        if let Some(date) = j["asn_db"]["date"].as_str() {
            assert!(dom.contains(date), "{name}");
        }
    }
    // Without hairpin analysis: no hairpin figures, the all-traffic AS matrix instead,
    // and hostile names stay text in the DOM the browser built.
    let page = write_report(&["hostile-names.json"], "hostile.html");
    let dom = load_page(&bin, &page);
    check_headline(&dom, &json("hostile-names.json"));
    assert!(!dom.contains("<script") && !dom.contains("<img"));
    assert!(dom.contains("&lt;img src=x onerror=alert(2)&gt;"));
    assert!(dom.contains("id=\"as-heatmap\""));
}

/// The text of each page of a PDF in reading order (pdftotext), pages split at form feeds.
fn pdf_pages(pdf: &Path) -> Vec<String> {
    let text = poppler("pdftotext", &[pdf.to_str().unwrap(), "-"]);
    let mut pages: Vec<String> = text.split('\u{c}').map(str::to_string).collect();
    if pages.last().is_some_and(|p| p.trim().is_empty()) {
        pages.pop();
    }
    pages
}

/// The right margin of the report's `@page` rule (12 mm), in points.
const RIGHT_MARGIN_PT: f64 = 12.0 / 25.4 * 72.0;

/// Words cut at the right edge of the printable area (pdftotext -bbox): Chromium clips
/// what overflows the page there, so the last word drawn of a too-wide line runs over it
/// (its box is the whole glyphs'), and the rest is not in the PDF at all. Text that wraps
/// normally ends within a fraction of a point of the edge.
fn words_off_the_page(pdf: &Path) -> Vec<String> {
    let xml = poppler("pdftotext", &["-bbox", pdf.to_str().unwrap(), "-"]);
    let num = |s: &str, k: &str| -> f64 {
        let at = s.find(&format!("{k}=\"")).unwrap() + k.len() + 2;
        s[at..at + s[at..].find('"').unwrap()].parse().unwrap()
    };
    let mut off = Vec::new();
    for page in xml.split("<page ").skip(1) {
        let edge = num(page, "width") - RIGHT_MARGIN_PT;
        for word in page.split("<word ").skip(1) {
            if num(word, "xMax") > edge + 1.0 {
                let t = &word[word.find('>').unwrap() + 1..word.find("</word>").unwrap()];
                off.push(t.to_string());
            }
        }
    }
    off
}

/// The check for text off the page sees a table too wide for A4.
#[test]
fn text_off_the_page_is_detected() {
    let Some(bin) = chromium_and_poppler() else {
        return;
    };
    let page = out_dir().join("too-wide.html");
    let cells: String = (0..40).map(|i| format!("<td>column{i}</td>")).collect();
    std::fs::write(
        &page,
        format!(
            "<!DOCTYPE html><html><head><style>@page {{ size: A4; margin: 14mm 12mm 16mm; }}</style></head><body><table><tr>{cells}</tr></table></body></html>"
        ),
    )
    .unwrap();
    let pdf = out_dir().join("too-wide.pdf");
    print_pdf(&bin, &page, &pdf);
    let off = words_off_the_page(&pdf);
    assert_eq!(off.len(), 1, "{off:?}");
    assert!(off[0].starts_with("col"), "{off:?}");
}

/// The words printed, each as drawn (pdftotext -bbox: a word broken at a line's end
/// after a hyphen is two words, "IX-" and "KH", where plain pdftotext would join them
/// and drop the hyphen), in capitals (headers print in capitals).
struct PaperWords {
    whole: std::collections::BTreeSet<String>,
}

impl PaperWords {
    fn of(pdf: &Path) -> PaperWords {
        let xml = poppler("pdftotext", &["-bbox", pdf.to_str().unwrap(), "-"]);
        let whole = xml
            .split("<word ")
            .skip(1)
            .map(|w| {
                w[w.find('>').unwrap() + 1..w.find("</word>").unwrap()]
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&quot;", "\"")
                    .replace("&apos;", "'")
                    .replace("&amp;", "&")
                    .to_uppercase()
            })
            .collect();
        PaperWords { whole }
    }

    /// True when `w` is on paper whole, or broken after some of its hyphens.
    fn has(&self, w: &str) -> bool {
        let w = w.to_uppercase();
        self.whole.contains(&w)
            || w.match_indices('-').any(|(i, _)| {
                self.whole.contains(&w[..=i]) && i + 1 < w.len() && self.has(&w[i + 1..])
            })
    }
}

/// Every table's last column header is on paper (a table too wide for A4 loses it).
fn last_columns_on_paper(html: &str, words: &PaperWords, name: &str) {
    for head in html.split("<thead>").skip(1) {
        let head = &head[..head.find("</thead>").unwrap()];
        let last = &head[head.rfind("<th").unwrap()..];
        for w in visible_text(last).split_whitespace() {
            assert!(words.has(w), "{name}: column {last:?} not on paper");
        }
    }
}

/// No word a reader should see is missing from paper: `AS0` only as part of a longer
/// number, nothing asking to hover.
fn no_hover_no_as0(all: &str, name: &str) {
    assert!(
        !all.to_lowercase().contains("hover"),
        "{name}: asks to hover on paper"
    );
    let as0 = all
        .match_indices("AS0")
        .filter(|(i, _)| !all[i + 3..].starts_with(|c: char| c.is_ascii_digit()))
        .count();
    assert_eq!(as0, 0, "{name}: AS0 on paper");
}

#[test]
fn a_regulator_can_print_it_on_a4() {
    let Some(bin) = chromium_and_poppler() else {
        return;
    };
    for (name, with_plan) in [
        ("kh-links.json", false),
        ("kh-nolinks.json", false),
        ("clmv-multilink-zone.json", false),
        ("kh-zone-evidence.json", false),
        // the report with the IXP options of `trombone plan` side by side
        ("kh-zone-evidence.json", true),
    ] {
        let j = json(name);
        let plan = with_plan.then(|| plan_of(name));
        let name = &*if with_plan {
            format!("plan-{name}")
        } else {
            name.to_string()
        };
        let page = match &plan {
            None => write_report(&[name], &format!("print-{name}.html")),
            Some(p) => {
                let path = out_dir().join(format!("print-{name}.html"));
                let c = combined(&["kh-zone-evidence.json"]);
                let html = trombone_report::render_html_with_plan(
                    &c,
                    &trombone_report::HtmlOptions::default(),
                    p,
                );
                std::fs::write(&path, html).unwrap();
                path
            }
        };
        let pdf = out_dir().join(format!("{name}.pdf"));
        print_pdf(&bin, &page, &pdf);
        let info = poppler("pdfinfo", &[pdf.to_str().unwrap()]);
        assert!(info.contains("(A4)"), "{name}: not A4:\n{info}");
        let pages = pdf_pages(&pdf);
        let n: usize = info
            .lines()
            .find_map(|l| l.strip_prefix("Pages:"))
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        assert_eq!(pages.len(), n, "{name}");
        // a whole report, not a page per table row nor one endless page
        assert!((4..=30).contains(&n), "{name}: {n} pages");
        if let Some(p) = &plan {
            // every option on paper with its localised-bytes headline, and the ranking
            let all: String = pages
                .join(" ")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            assert!(all.contains("IXP options compared"), "{name}");
            assert!(all.contains("Hairpinned traffic localised"), "{name}");
            for o in &p.plan.options {
                assert!(
                    all.contains(&o.name),
                    "{name}: option {} not on paper",
                    o.name
                );
                let b = trombone_report::format::bytes(o.localised_bytes);
                let share = format!(
                    "{} of hairpinned",
                    trombone_report::format::percent(o.share_of_hairpin_localised)
                );
                assert!(
                    all.contains(&b) && all.contains(&share),
                    "{name}: {}'s localised bytes ({b}, {share}) not on paper",
                    o.name
                );
            }
            assert!(
                all.contains(&format!(
                    "First by value over the horizon: {}",
                    p.plan.ranking[0]
                )),
                "{name}"
            );
            assert!(all.contains("What the data cannot show"), "{name}");
        }

        // Page 1: the headline, with the basis of its figures and their grade.
        let p1: String = pages[0].split_whitespace().collect::<Vec<_>>().join(" ");
        for want in [
            "Read before the figures",
            "HAIRPIN SHARE OF LOCAL TRAFFIC",
            "Basis:",
            "less than one day of traffic",
            "TRANSIT SAVED BY LOCAL PEERING",
            "p95 of 1 sample of 5 min",
        ] {
            assert!(p1.contains(want), "{name}: page 1 lacks {want:?}:\n{p1}");
        }
        assert!(p1.to_lowercase().contains("indicative"), "{name}");
        if j["hairpin"]["links_assumed_abroad"] == Value::Bool(true) {
            // (in reading order the card's lines may interleave with its neighbours')
            assert!(p1.contains("Assumption: no links file:"), "{name}");
            assert!(p1.contains("every link taken as international"), "{name}");
        }
        let all: String = pages
            .join(" ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            !all.to_lowercase().contains("hover"),
            "{name}: asks to hover on paper"
        );
        assert_eq!(bad_plurals(&all), Vec::<String>::new(), "{name}");
        let as0 = all
            .match_indices("AS0")
            .filter(|(i, _)| !all[i + 3..].starts_with(|c: char| c.is_ascii_digit()))
            .count();
        assert_eq!(as0, 0, "{name}: AS0 on paper");
        // The heatmap's labels carry their countries on paper too.
        let cc = j["hairpin"]["home"].as_str().unwrap();
        assert!(all.contains(&format!("· {cc}")), "{name}");
        // Unknown networks are named by their country.
        for p in j["hairpin"]["pairs"].as_array().unwrap() {
            if p["dst_asn"] == 0 {
                let c = p["dst_country"].as_str().unwrap_or("??");
                assert!(all.contains(&format!("unknown AS · {c}")), "{name}");
            }
        }
        // Every figure of the what-if table is on paper: the port of each network.
        for p in j["sizing"]["what_if"]["ports"].as_array().unwrap() {
            assert!(
                all.contains(&format!("AS{} ·", p["asn"])),
                "{name}: port of AS{}",
                p["asn"]
            );
        }
        assert_eq!(
            words_off_the_page(&pdf),
            Vec::<String>::new(),
            "{name}: text runs off the page"
        );
        // Every table's last column is on paper (a table too wide for A4 loses it).
        let html = std::fs::read_to_string(&page).unwrap();
        last_columns_on_paper(&html, &PaperWords::of(&pdf), name);

        // Layout sanity: every page rasterises to an A4-shaped image with ink on it.
        let prefix = out_dir().join(format!("{name}-page"));
        for f in std::fs::read_dir(out_dir()).unwrap().flatten() {
            if f.file_name()
                .to_string_lossy()
                .starts_with(&format!("{name}-page"))
            {
                let _ = std::fs::remove_file(f.path());
            }
        }
        poppler(
            "pdftoppm",
            &[
                "-png",
                "-r",
                "50",
                pdf.to_str().unwrap(),
                prefix.to_str().unwrap(),
            ],
        );
        let mut pngs: Vec<PathBuf> = std::fs::read_dir(out_dir())
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with(&format!("{name}-page"))
            })
            .collect();
        pngs.sort();
        assert_eq!(pngs.len(), n, "{name}");
        for png in &pngs {
            let b = std::fs::read(png).unwrap();
            assert_eq!(&b[..8], b"\x89PNG\r\n\x1a\n");
            let (w, h) = (
                u32::from_be_bytes(b[16..20].try_into().unwrap()),
                u32::from_be_bytes(b[20..24].try_into().unwrap()),
            );
            // A4 at 50 dpi: 8.27 × 11.69 in → 413 × 585 px
            assert!(
                (410..=416).contains(&w) && (582..=588).contains(&h),
                "{}: {w}×{h}",
                png.display()
            );
            // a blank page compresses to almost nothing
            assert!(b.len() > 3000, "{} looks blank", png.display());
        }
    }
}

/// The plan of tests/data `name` (zone KH, LA, MM, VN) with the three modality kinds and a
/// test price book (round figures, labelled as not market prices).
fn plan_of(name: &str) -> trombone_schema::PlanResult {
    let src = "test price book (report tests), not a market price";
    let mut text = String::from(
        r#"[[option]]
name = "national"
ixps = [ { at = "KH", members = ["KH"] }, { at = "LA", members = ["LA"] }, { at = "MM", members = ["MM"] }, { at = "VN", members = ["VN"] } ]
[[option]]
name = "subregional"
ixps = [ { at = "VN", members = ["KH", "LA", "MM", "VN"] } ]
[[option]]
name = "hybrid"
ixps = [ { at = "KH", members = ["KH"] }, { at = "LA", members = ["LA"] }, { at = "MM", members = ["MM"] }, { at = "VN", members = ["VN"] } ]
interconnect = { at = "VN", members = ["KH", "LA", "MM", "VN"] }
"#,
    );
    for (table, key, field, usd) in [
        ("transit", "VN", "usd_per_mbps_month", 40.0),
        ("transport", "KH-VN", "usd_per_mbps_month", 30.0),
        ("transport", "LA-VN", "usd_per_mbps_month", 30.0),
        ("transport", "MM-VN", "usd_per_mbps_month", 30.0),
        ("port", "1GE", "usd", 500.0),
        ("port", "10GE", "usd", 2000.0),
        ("port", "25GE", "usd", 4000.0),
        ("port", "40GE", "usd", 6000.0),
        ("port", "100GE", "usd", 12000.0),
        ("port", "400GE", "usd", 40000.0),
        ("colocation", "default", "usd_per_year", 24000.0),
        ("operations", "default", "usd_per_year", 60000.0),
    ] {
        text.push_str(&format!(
            "[prices.{table}.{key}]\n{field} = {usd}\nsource = \"{src}\"\n"
        ));
    }
    text.push_str(&format!(
        "[prices.switch]\nusd = 30000\nports = 48\nsource = \"{src}\"\n"
    ));
    let pf = trombone_plan::PlanFile::parse("plan.toml", &text).unwrap();
    let c = combined(&[name]);
    trombone_plan::plan_result(
        &c.report,
        &pf,
        vec![name.to_string()],
        trombone_schema::ToolInfo::this(Vec::new()),
    )
    .unwrap()
}

/// The evidence tables on A4: every word of each cell of the per-pair and per-country-pair
/// tables is on paper (none clipped at the edge, no column lost), nothing asks to hover,
/// no "AS0"; the latency headline is on page 1 with its basis. On hand-built evidence
/// with every verdict (tests/common/evidence_input.rs, with a long transit list) and on a
/// real result (tests/data/kh-zone-evidence.json).
#[test]
fn evidence_tables_print_on_a4() {
    let Some(bin) = chromium_and_poppler() else {
        return;
    };
    let mut e = common::evidence_input::evidence();
    if let Some(b) = e.pairs[0].bgp.as_mut() {
        b.paths[0].path = vec![38623, 7473, 4760, 2914, 7552];
        b.transit = vec![7473, 4760, 2914];
    }
    let built = common::evidence_input::page_with(Some(e));
    let real = page(&["kh-zone-evidence.json"]);
    for (name, html) in [("evidence-built", built), ("evidence-real", real)] {
        let page = out_dir().join(format!("{name}.html"));
        std::fs::write(&page, &html).unwrap();
        let pdf = out_dir().join(format!("{name}.pdf"));
        print_pdf(&bin, &page, &pdf);
        let pages = pdf_pages(&pdf);
        let flat = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
        let all = flat(&pages.join(" "));
        no_hover_no_as0(&all, name);
        last_columns_on_paper(&html, &PaperWords::of(&pdf), name);
        assert_eq!(
            words_off_the_page(&pdf),
            Vec::<String>::new(),
            "{name}: text runs off the page"
        );
        let p1 = flat(&pages[0]);
        assert!(p1.contains("LATENCY: HAIRPINNED VS LOCAL"), "{name}: {p1}");
        // (the card's lines may interleave with its neighbour's in reading order)
        assert!(p1.contains("would save about"), "{name}: {p1}");
        assert!(p1.contains("Karn"), "{name}: {p1}");
        // Every word of every cell is on paper. pdftotext may run a line of one cell on
        // with the next cell's, so words are checked, not phrases.
        let words = PaperWords::of(&pdf);
        for id in ["evidence-pair-table", "evidence-country-table"] {
            let t = element(&html, id, "</table>");
            let text = visible_text(&format!("<body>{}", &t[t.find("<thead>").unwrap()..]));
            for w in text.split_whitespace() {
                assert!(words.has(w), "{name}: {id}: {w:?} not on paper");
            }
            let rows = t.matches("<tr data-src=").count();
            assert!(rows > 0, "{name}: {id} has no rows");
        }
    }
}
