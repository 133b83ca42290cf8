//! Days and weeks from per-sample series, on synthetic results built here from the schema
//! types: two sites, one rotated piece per day each, hourly samples whose bytes are set by
//! formula, so every daily and weekly p95 is computed by hand from the values put in.

mod common;

use common::*;
use trombone_report::{
    combine, render_csv, render_html, CombineOptions, Combined, HtmlOptions, Input, ReportTable,
};
use trombone_schema::{
    AsCell, Interval, Report, SampleRec, SeriesKind, SeriesRow, SeriesSet, TimeSpan, Totals,
};

const S: i64 = 1_000_000_000;
const HOUR: i64 = 3600 * S;
const DAY: i64 = 24 * HOUR;
/// Monday 2024-04-08 00:00 UTC (date -u -d 2024-04-08 +%s = 1712534400).
const MON: i64 = 1_712_534_400 * S;

/// Bytes of site "pnh" in hour `h` of day `d` (days 0..8): (h + 1 + d) MB.
fn pnh(d: i64, h: i64) -> u64 {
    ((h + 1 + d) * 1_000_000) as u64
}

/// Bytes of site "sre" in hour `h` of day `d` (days 1 and 2 only): (24 − h) × 0.5 MB.
fn sre(_d: i64, h: i64) -> u64 {
    ((24 - h) * 500_000) as u64
}

/// Mbit/s of `bytes` in one hour.
fn mbps(bytes: u64) -> f64 {
    bytes as f64 * 8.0 / 3600.0 / 1e6
}

/// One day of one site as a rotated piece: hourly samples of all traffic and of link
/// "transit" (in: half the bytes, out: a quarter).
fn piece(site: &str, day: i64, bytes: fn(i64, i64) -> u64) -> Input {
    let start = MON + day * DAY;
    let samples = |f: u64| -> Vec<SampleRec> {
        (0..24)
            .map(|h| {
                let b = bytes(day, h) / f;
                SampleRec {
                    index: (start + h * HOUR) / HOUR,
                    bytes: b,
                    packets: b / 1000,
                    peak_bin_bytes: b / 60,
                    peak_bin_packets: b / 60_000,
                }
            })
            .collect()
    };
    let mut total = SeriesRow::new(SeriesKind::Total);
    total.samples = samples(1);
    let mut lin = SeriesRow::new(SeriesKind::LinkIn);
    lin.link = Some("transit".into());
    lin.samples = samples(2);
    let mut lout = SeriesRow::new(SeriesKind::LinkOut);
    lout.link = Some("transit".into());
    lout.samples = samples(4);
    let all: u64 = (0..24).map(|h| bytes(day, h)).sum();
    // From JSON, so that fields added to the contract later take their defaults.
    let mut report = Report::from_json(
        r#"{"schema_version": 2, "tool": {"name": "trombone", "version": "0"},
            "asn_db": {"source": "test", "date": "2024-04-01"}, "partial": false,
            "inputs": [], "time": {"duration_s": 0},
            "totals": {"frames": 0, "ip_packets": 0, "ip_bytes": 0, "wire_bytes": 0,
                       "non_ip_frames": 0, "malformed_frames": 0, "unsupported_frames": 0,
                       "flows": 0},
            "as_matrix": [], "country_matrix": []}"#,
    )
    .unwrap();
    report.site = Some(site.into());
    report.interval = Some(Interval {
        start_ns: start,
        end_ns: start + DAY,
    });
    report.time = TimeSpan::of(Some((start, start + DAY - S)));
    report.totals = Totals {
        frames: all / 1000,
        ip_packets: all / 1000,
        ip_bytes: all,
        wire_bytes: all,
        ..Totals::default()
    };
    report.as_matrix = vec![AsCell {
        src_asn: 38901,
        dst_asn: 7473,
        src_country: Some("KH".parse().unwrap()),
        dst_country: Some("SG".parse().unwrap()),
        packets: all / 1000,
        bytes: all,
        flows: 1,
    }];
    report.series = Some(SeriesSet {
        bin_s: 60.0,
        sample_s: 3600.0,
        rows: vec![total, lin, lout],
    });
    Input {
        name: format!("{site}-{day}.json"),
        report,
    }
}

/// pnh on days 0..8 but `skip`, sre on days 1 and 2.
fn two_sites(skip: Option<i64>) -> Combined {
    let mut inputs: Vec<Input> = (0..8)
        .filter(|d| Some(*d) != skip)
        .map(|d| piece("pnh", d, pnh))
        .collect();
    inputs.push(piece("sre", 1, sre));
    inputs.push(piece("sre", 2, sre));
    combine(inputs, &CombineOptions::default()).unwrap()
}

/// The `data-value` of the cells of a period table's column `col` (0 = first figure column).
fn column(html: &str, id: &str, col: usize) -> Vec<Option<f64>> {
    let t = element(html, id, "</table>");
    let body = &t[t.find("<tbody>").unwrap()..];
    body.split("<tr>")
        .skip(1)
        .map(|row| {
            // cells after the period and coverage cells
            let cell = row.split("<td").nth(3 + col).unwrap();
            attr(&format!("<td{cell}"), "data-value").map(|v| v.parse().unwrap())
        })
        .collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * b.abs().max(1e-9)
}

#[test]
fn daily_p95_of_each_site_and_combined_by_hand() {
    let c = two_sites(None);
    assert_eq!(c.sites.len(), 2);
    assert_eq!(c.coverage.covered_s, 8.0 * 86_400.0 - 1.0);
    let html = render_html(&c, &HtmlOptions::default());
    // kept for a person to look at (and print)
    let keep = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-test");
    std::fs::create_dir_all(&keep).unwrap();
    std::fs::write(keep.join("two-sites-8-days.html"), &html).unwrap();

    // Combined: 24 hourly samples a day, p95 is rank ⌈0.95 × 24⌉ = 23, the second largest.
    // Day 0 (pnh alone): 1..24 MB → 23 MB. Day 1: pnh (h + 2) MB + sre (24 − h)/2 MB =
    // (14 + h/2) MB, largest at h = 23 → second largest h = 22: 25 MB.
    let all = column(&html, "day-p95", 0);
    assert_eq!(all.len(), 8);
    assert!(close(all[0].unwrap(), mbps(23_000_000)), "{:?}", all[0]);
    assert!(close(all[1].unwrap(), mbps(25_000_000)), "{:?}", all[1]);
    // every day, from the formulas, with the nearest rank written out in the test
    for (d, got) in all.iter().enumerate() {
        let d = d as i64;
        let v: Vec<f64> = (0..24)
            .map(|h| {
                let extra = if d == 1 || d == 2 { sre(d, h) } else { 0 };
                mbps(pnh(d, h) + extra)
            })
            .collect();
        assert!(close(got.unwrap(), nearest_rank(&v, 0.95)), "day {d}");
    }
    // link "transit": the higher of in (half) and out (a quarter) is in
    let link = column(&html, "day-p95", 1);
    assert!(close(link[0].unwrap(), mbps(23_000_000 / 2)));

    // Per site: sre on its own covers days 1 and 2 only; the other days read "–".
    let sites = element(&html, "daily-p95-sites", "</table>");
    let head = visible_text(&sites[..sites.find("</thead>").unwrap()]);
    assert!(
        head.contains("all sites site \"pnh\" site \"sre\""),
        "{head}"
    );
    let sre_col = column(&html, "daily-p95-sites", 2);
    assert_eq!(sre_col[0], None);
    // sre day 1: (24 − h)/2 MB = 12, 11.5, ... 0.5 MB → second largest 11.5 MB
    assert!(
        close(sre_col[1].unwrap(), mbps(11_500_000)),
        "{:?}",
        sre_col[1]
    );
    assert!(sre_col[3..].iter().all(Option::is_none));
    let pnh_col = column(&html, "daily-p95-sites", 1);
    assert!(close(pnh_col[7].unwrap(), mbps(pnh(7, 22))));

    // Weeks: Monday 04-08 (days 0-6, 168 samples: rank ⌈159.6⌉ = 160) and 04-15 (day 7).
    let weeks = column(&html, "week-p95", 0);
    assert_eq!(weeks.len(), 2);
    let v: Vec<f64> = (0..7)
        .flat_map(|d| {
            (0..24).map(move |h| {
                let extra = if d == 1 || d == 2 { sre(d, h) } else { 0 };
                mbps(pnh(d, h) + extra)
            })
        })
        .collect();
    assert_eq!(v.len(), 168);
    assert!(close(weeks[0].unwrap(), nearest_rank(&v, 0.95)));
    // by hand: the 9th largest of week 1 is pnh day 6 at h = 15: (15 + 1 + 6) MB = 22 MB
    // (day 6 holds 7..30 MB, day 5 6..29, day 4 5..28: the largest nine are 30, 29, 29,
    // 28, 28, 28, 27, 27, 27), so 27 MB
    assert!(close(weeks[0].unwrap(), mbps(27_000_000)), "{:?}", weeks[0]);
    assert!(close(weeks[1].unwrap(), mbps(pnh(7, 22))));
    // per site: sre's week is its two days (48 samples: rank ⌈45.6⌉ = 46, the third
    // largest: 12, 12, 11.5 MB), and it did not cover the second week
    let sre_weeks = column(&html, "weekly-p95-sites", 2);
    assert!(
        close(sre_weeks[0].unwrap(), mbps(11_500_000)),
        "{sre_weeks:?}"
    );
    assert_eq!(sre_weeks[1], None);

    // Busiest hour: pnh's last day at 23:00 carries 31 MB, more than any sum with sre.
    let busy = element(&html, "busiest-hour", "</p>");
    assert_eq!(
        attr(busy, "data-start-ns"),
        Some((MON + 7 * DAY + 23 * HOUR).to_string().as_str())
    );
    assert!(
        visible_text(busy).contains("23:00–00:00 UTC on 2024-04-15 "),
        "{}",
        visible_text(busy)
    );

    // A week or more of traffic: robust, and said so before the figures.
    let warn = visible_text(element(&html, "warnings", "</section>"));
    assert!(
        warn.contains("robust") && warn.contains("a week or more of traffic"),
        "{warn}"
    );
    assert!(warn.contains("2 sites added up"), "{warn}");
    assert_eq!(bad_plurals(&visible_text(&html)), Vec::<String>::new());
}

#[test]
fn periods_csv_carries_the_same_figures() {
    let c = two_sites(None);
    let csv = render_csv(&c, ReportTable::Periods);
    let mut lines = csv.split("\r\n");
    let head: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |n: &str| head.iter().position(|h| *h == n).unwrap();
    let rows: Vec<Vec<&str>> = lines
        .filter(|l| !l.is_empty())
        .map(|l| l.split(',').collect())
        .collect();
    let find = |site: &str, period: &str, subject: &str, dir: &str, start: i64| {
        rows.iter()
            .find(|r| {
                r[col("site")] == site
                    && r[col("period")] == period
                    && r[col("subject")] == subject
                    && r[col("direction")] == dir
                    && r[col("start_ns")] == start.to_string()
            })
            .unwrap_or_else(|| panic!("no row {site} {period} {subject} {dir} {start}"))
    };
    let r = find("all sites", "day", "total", "", MON + DAY);
    assert!(close(r[col("p95_mbps")].parse().unwrap(), mbps(25_000_000)));
    assert_eq!(r[col("samples")], "24");
    // bytes of day 1: Σ (h + 2) MB + Σ (24 − h)/2 MB = 324 + 150 = 474 MB
    assert_eq!(r[col("bytes")], "474000000");
    assert_eq!(r[col("start_utc")], "2024-04-09 00:00:00 UTC");
    assert_eq!(r[col("observed_s")], "86400");
    let r = find("sre", "day", "link", "out", MON + DAY);
    // out is a quarter of (24 − h)/2 MB: second largest 11.5 MB / 4
    assert!(close(
        r[col("p95_mbps")].parse().unwrap(),
        mbps(11_500_000 / 4)
    ));
    assert_eq!(r[col("link")], "transit");
    let r = find(
        "pnh",
        "busiest-hour",
        "total",
        "",
        MON + 7 * DAY + 23 * HOUR,
    );
    assert!(close(r[col("avg_mbps")].parse().unwrap(), mbps(31_000_000)));
}

#[test]
fn a_missing_piece_is_a_gap_said_and_counted_as_silence() {
    let c = two_sites(Some(4));
    assert_eq!(c.coverage.gaps, vec![(MON + 4 * DAY, MON + 5 * DAY)]);
    let html = render_html(&c, &HtmlOptions::default());
    let warn = visible_text(element(&html, "warnings", "</section>"));
    assert!(
        warn.contains(
            "No result covers 2024-04-12 00:00:00 UTC to 2024-04-13 00:00:00 UTC (a gap of 1 d)"
        ),
        "{warn}"
    );
    // seven days less a second of traffic: not quite a week
    assert_eq!(c.coverage.covered_s, 7.0 * 86_400.0 - 1.0);
    assert!(warn.contains("moderate"), "{warn}");
    // the day no result covers has no figure (not a zero), here and per site
    let all = column(&html, "day-p95", 0);
    assert_eq!(all[4], None);
    assert!(all[3].is_some() && all[5].is_some());
    assert_eq!(column(&html, "daily-p95-sites", 1)[4], None);
    let t = visible_text(element(&html, "day-p95", "</table>"));
    assert!(t.contains("2024-04-12 Fri not covered"), "{t}");
    // the week holding the gap counts it as silence: 144 samples of traffic and 24 zeros
    let v: Vec<f64> = (0..7)
        .flat_map(|d| {
            (0..24).map(move |h| {
                let extra = if d == 1 || d == 2 { sre(d, h) } else { 0 };
                if d == 4 {
                    0.0
                } else {
                    mbps(pnh(d, h) + extra)
                }
            })
        })
        .collect();
    assert!(close(
        column(&html, "week-p95", 0)[0].unwrap(),
        nearest_rank(&v, 0.95)
    ));
}

#[test]
fn one_day_is_indicative_and_has_no_weekly_table() {
    let c = combine(vec![piece("pnh", 0, pnh)], &CombineOptions::default()).unwrap();
    let html = render_html(&c, &HtmlOptions::default());
    assert!(!html.contains("id=\"week-p95\""));
    assert!(!html.contains("id=\"daily-p95-sites\""));
    // 24 h less the last second of the day: less than one day
    let warn = visible_text(element(&html, "warnings", "</section>"));
    assert!(
        warn.contains("indicative") && warn.contains("less than one day of traffic"),
        "{warn}"
    );
    let all = column(&html, "day-p95", 0);
    assert!(close(all[0].unwrap(), mbps(23_000_000)));
}
