//! CSV tables of a report, written with trombone-output's one CSV writer: the tables
//! `analyze --format csv` writes (of the combined result), and `periods`, the daily and
//! weekly figures and busiest hour of every series, per site and combined (`site` is
//! "all sites" for the combination of several). `covered_s` is the part of the period
//! inside the traffic's span (what the samples are divided by), `observed_s` the part some
//! input covers (gaps between rotated pieces left out).

use crate::combine::{Combined, Coverage};
use crate::periods::{
    busiest_hour, periods, subjects, PeriodKind, PeriodStat, SampleSpan, Subject,
};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use trombone_output::{write_csv, CsvOut, CsvTable};
use trombone_schema::{Report, SeriesRow};

/// A table `trombone report --format csv` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportTable {
    /// A table of the combined result, as `analyze --format csv --table NAME` writes it.
    Result(CsvTable),
    /// Daily and weekly p95, max and average, and the busiest hour of every series.
    Periods,
}

impl ReportTable {
    /// Every table, in the order they are written.
    pub fn all() -> Vec<ReportTable> {
        let mut v: Vec<ReportTable> = CsvTable::ALL.into_iter().map(ReportTable::Result).collect();
        v.push(ReportTable::Periods);
        v
    }

    /// Its name, as `--table` takes it and file names carry it.
    pub fn name(self) -> &'static str {
        match self {
            ReportTable::Result(t) => t.name(),
            ReportTable::Periods => "periods",
        }
    }

    /// The table called `name`.
    pub fn from_name(name: &str) -> Option<ReportTable> {
        ReportTable::all().into_iter().find(|t| t.name() == name)
    }

    /// Where this table goes when every table is written next to `base`:
    /// `out/report.csv` → `out/report-rates.csv`.
    pub fn path_next_to(self, base: &Path) -> PathBuf {
        let stem = base
            .file_stem()
            .map_or_else(|| "report".into(), |s| s.to_string_lossy().into_owned());
        let ext = base
            .extension()
            .map_or_else(|| "csv".into(), |s| s.to_string_lossy().into_owned());
        base.with_file_name(format!("{stem}-{}.{ext}", self.name()))
    }
}

/// Writes one table of the combined results.
pub fn write_table(c: &Combined, t: ReportTable, out: impl Write) -> io::Result<()> {
    match t {
        ReportTable::Result(t) => write_csv(&c.report, t, out),
        ReportTable::Periods => write_periods(c, out),
    }
}

/// One table as a string (for tests and standard output).
pub fn render_csv(c: &Combined, t: ReportTable) -> String {
    let mut v = Vec::new();
    write_table(c, t, &mut v).expect("writing to a Vec cannot fail");
    String::from_utf8(v).expect("the CSV writer writes UTF-8")
}

const PERIOD_COLS: [&str; 17] = [
    "site",
    "period",
    "start_utc",
    "end_utc",
    "start_ns",
    "subject",
    "asn",
    "country",
    "link",
    "direction",
    "p95_mbps",
    "max_mbps",
    "avg_mbps",
    "bytes",
    "samples",
    "covered_s",
    "observed_s",
];

fn write_periods(c: &Combined, out: impl Write) -> io::Result<()> {
    let mut o = CsvOut::new(out);
    o.header(&PERIOD_COLS)?;
    let mut views: Vec<(String, &Report, &Coverage)> = Vec::new();
    if c.sites.len() > 1 {
        views.push(("all sites".into(), &c.report, &c.coverage));
        for s in &c.sites {
            views.push((s.site.clone(), &s.report, &s.coverage));
        }
    } else {
        views.push((
            c.report.site.clone().unwrap_or_default(),
            &c.report,
            &c.coverage,
        ));
    }
    for (site, r, cov) in views {
        let (Some(set), Some(span)) = (&r.series, SampleSpan::of(r)) else {
            continue;
        };
        for subj in subjects(set) {
            let (kind, asn, country, link) = match &subj.subject {
                Subject::Total => ("total", None, None, None),
                Subject::Link(l) => ("link", None, None, Some(l.as_str())),
                Subject::Network(a, cc) => ("network", Some(*a), *cc, None),
                Subject::Hairpin(a, cc) => ("hairpin", Some(*a), *cc, None),
            };
            let dirs: [(&str, Option<&SeriesRow>); 2] = if subj.subject == Subject::Total {
                [("", subj.inbound), ("", None)]
            } else {
                [("in", subj.inbound), ("out", subj.outbound)]
            };
            for (dir, row) in dirs {
                let Some(row) = row else { continue };
                let mut rows: Vec<(&str, PeriodStat)> = Vec::new();
                for pk in [PeriodKind::Day, PeriodKind::Week] {
                    rows.extend(
                        periods(&row.samples, &span, pk)
                            .into_iter()
                            .map(|p| (pk.name(), p)),
                    );
                }
                if let Some(h) = busiest_hour(&row.samples, &span) {
                    rows.push(("busiest-hour", h));
                }
                for (period, p) in rows {
                    o.text(&site)?;
                    o.text(period)?;
                    o.text(&crate::format::utc(p.start_ns))?;
                    o.text(&crate::format::utc(p.end_ns))?;
                    o.num(p.start_ns)?;
                    o.text(kind)?;
                    o.opt(asn)?;
                    o.country(country)?;
                    o.text(link.unwrap_or(""))?;
                    o.text(dir)?;
                    o.num(p.p95_mbps)?;
                    o.num(p.max_mbps)?;
                    o.num(p.avg_mbps)?;
                    o.num(p.bytes)?;
                    o.num(p.samples)?;
                    o.num(p.covered_s)?;
                    o.num(cov.within(p.start_ns, p.end_ns))?;
                    o.end()?;
                }
            }
        }
    }
    o.finish()?.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_match_analyze() {
        let names: Vec<&str> = ReportTable::all().iter().map(|t| t.name()).collect();
        assert_eq!(
            names,
            [
                "as",
                "country",
                "hairpin-pairs",
                "via",
                "ports",
                "rates",
                "talkers",
                "periods"
            ]
        );
        for t in ReportTable::all() {
            assert_eq!(ReportTable::from_name(t.name()), Some(t));
        }
        assert_eq!(ReportTable::from_name("nope"), None);
        assert_eq!(
            ReportTable::Periods.path_next_to(Path::new("out/report.csv")),
            PathBuf::from("out/report-periods.csv")
        );
    }
}
