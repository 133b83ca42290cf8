//! Combining several results into the one the report renders.
//!
//! One result is rendered as it is (whatever its schema version). Several are merged
//! exactly by [`trombone_reduce::merge`], which adds their per-sample series and derives
//! rates, percentiles and port plans from the sums, so the rotated pieces of a capture
//! give the report of the whole capture. Inputs are grouped by `site` first: the pieces
//! of each site are merged on their own (a site's views over days and weeks come from
//! that), then the sites are merged into the combined result. Version 1 results carry no
//! series and cannot be merged: they are refused with their file named.

use crate::error::ReportError;
use crate::load::Input;
use std::collections::BTreeMap;
use trombone_reduce::{merge, MergeOptions};
use trombone_schema::{Interval, Report, ToolInfo};

/// How to combine several results.
#[derive(Clone, Debug)]
pub struct CombineOptions {
    /// Merge results made with different databases, zones, windows or bins anyway (the
    /// report says so).
    pub allow_mixed: bool,
    /// The program and command line recorded in a merged result.
    pub tool: ToolInfo,
}

impl Default for CombineOptions {
    fn default() -> CombineOptions {
        CombineOptions {
            allow_mixed: false,
            tool: ToolInfo::this(Vec::new()),
        }
    }
}

/// What the report says about one input file.
#[derive(Clone, Debug)]
pub struct InputInfo {
    /// File name as given.
    pub name: String,
    /// Its vantage point, if named.
    pub site: Option<String>,
    /// Its contract version.
    pub schema_version: u32,
    /// Version of the program that wrote it.
    pub tool_version: String,
    /// True when it is partial.
    pub partial: bool,
    /// The rotation interval it covers, for a rotated piece.
    pub interval: Option<Interval>,
    /// Its first timed packet, ns.
    pub first_ns: Option<i64>,
    /// Its last timed packet, ns.
    pub last_ns: Option<i64>,
    /// Results it stands for (more than one when it is itself a merge).
    pub results: u64,
}

/// The time traffic was observed over: the union of the inputs' spans.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Coverage {
    /// Seconds covered by at least one input.
    pub covered_s: f64,
    /// Earliest timed packet, ns.
    pub first_ns: Option<i64>,
    /// Latest timed packet, ns.
    pub last_ns: Option<i64>,
    /// Holes of a minute or more between covered stretches, `[start, end)` ns.
    pub gaps: Vec<(i64, i64)>,
}

impl Coverage {
    /// Seconds of `[start, end)` (ns) that some input covers.
    pub fn within(&self, start: i64, end: i64) -> f64 {
        let (Some(f), Some(l)) = (self.first_ns, self.last_ns) else {
            return 0.0;
        };
        let overlap =
            |a: i64, b: i64| -> i128 { (i128::from(b.min(end)) - i128::from(a.max(start))).max(0) };
        let gaps: i128 = self.gaps.iter().map(|(a, b)| overlap(*a, *b)).sum();
        ((overlap(f, l) - gaps).max(0)) as f64 / 1e9
    }
}

/// Shortest hole reported as a gap, ns.
const MIN_GAP_NS: i64 = 60_000_000_000;

/// The coverage of a set of inputs (all from one vantage point or several).
pub fn coverage(inputs: &[&Report]) -> Coverage {
    let first = inputs.iter().filter_map(|r| r.time.first_ns).min();
    let last = inputs.iter().filter_map(|r| r.time.last_ns).max();
    let (Some(first), Some(last)) = (first, last) else {
        return Coverage::default();
    };
    if let [r] = inputs {
        return Coverage {
            covered_s: r.time.duration_s,
            first_ns: Some(first),
            last_ns: Some(last),
            gaps: Vec::new(),
        };
    }
    // A rotated piece covers its interval (the capture ran through it even where it was
    // quiet), clipped to the traffic's overall span; other results their own span.
    let mut spans: Vec<(i64, i64)> = inputs
        .iter()
        .filter_map(|r| match (r.interval, r.time.first_ns, r.time.last_ns) {
            (Some(iv), Some(_), Some(_)) => Some((iv.start_ns.max(first), iv.end_ns.min(last))),
            (None, Some(f), Some(l)) => Some((f, l)),
            _ => None,
        })
        .filter(|(a, b)| b >= a)
        .collect();
    spans.sort_unstable();
    let mut merged: Vec<(i64, i64)> = Vec::new();
    for (a, b) in spans {
        match merged.last_mut() {
            Some(m) if a <= m.1 => m.1 = m.1.max(b),
            _ => merged.push((a, b)),
        }
    }
    let covered_ns: i128 = merged
        .iter()
        .map(|(a, b)| i128::from(*b) - i128::from(*a))
        .sum();
    let gaps = merged
        .windows(2)
        .map(|w| (w[0].1, w[1].0))
        .filter(|(a, b)| i128::from(*b) - i128::from(*a) >= i128::from(MIN_GAP_NS))
        .collect();
    Coverage {
        covered_s: covered_ns as f64 / 1e9,
        first_ns: Some(first),
        last_ns: Some(last),
        gaps,
    }
}

/// One vantage point's results, merged.
#[derive(Clone, Debug)]
pub struct SiteView {
    /// The site's name ("" when the results name none).
    pub site: String,
    /// Its results merged (or its one result).
    pub report: Report,
    /// Input files of this site.
    pub inputs: usize,
    /// The time its inputs cover.
    pub coverage: Coverage,
}

/// The results a report renders.
#[derive(Clone, Debug)]
pub struct Combined {
    /// All inputs combined: the result every section renders.
    pub report: Report,
    /// Each input file, in the order given.
    pub inputs: Vec<InputInfo>,
    /// One view per site, by name (a single entry when all inputs are from one site).
    pub sites: Vec<SiteView>,
    /// The time all inputs cover together.
    pub coverage: Coverage,
    /// What the merges could not do exactly, per site and across sites.
    pub notes: Vec<String>,
}

impl Combined {
    /// True when the report merged several inputs.
    pub fn merged(&self) -> bool {
        self.inputs.len() > 1
    }
}

/// "1 = a.json, 2 = b.json, ..." for a merge error (at most ten names).
fn numbering(names: &[&str]) -> String {
    let mut v: Vec<String> = names
        .iter()
        .take(10)
        .enumerate()
        .map(|(i, n)| format!("{} = {n}", i + 1))
        .collect();
    if names.len() > 10 {
        v.push(format!("… {} more", names.len() - 10));
    }
    v.join(", ")
}

/// Combines `inputs` (at least one) into what the report renders.
pub fn combine(inputs: Vec<Input>, opts: &CombineOptions) -> Result<Combined, ReportError> {
    if inputs.is_empty() {
        return Err(ReportError::NoInput);
    }
    let infos: Vec<InputInfo> = inputs
        .iter()
        .map(|i| InputInfo {
            name: i.name.clone(),
            site: i.report.site.clone(),
            schema_version: i.report.schema_version,
            tool_version: i.report.tool.version.clone(),
            partial: i.report.partial,
            interval: i.report.interval,
            first_ns: i.report.time.first_ns,
            last_ns: i.report.time.last_ns,
            results: i.report.merged.as_ref().map_or(1, |m| m.results),
        })
        .collect();
    let cov = coverage(&inputs.iter().map(|i| &i.report).collect::<Vec<_>>());
    if inputs.len() > 1 {
        if let Some(old) = inputs.iter().find(|i| i.report.series.is_none()) {
            return Err(ReportError::Combine {
                message: format!(
                    "{}: a schema_version {} result without per-sample series cannot be combined with others exactly; render it on its own, or analyse its capture again with this trombone",
                    old.name, old.report.schema_version
                ),
            });
        }
    }
    let mopts = MergeOptions {
        allow_mixed: opts.allow_mixed,
        tool: opts.tool.clone(),
        ..MergeOptions::default()
    };
    let mut by_site: BTreeMap<String, Vec<Input>> = BTreeMap::new();
    for i in inputs {
        by_site
            .entry(i.report.site.clone().unwrap_or_default())
            .or_default()
            .push(i);
    }
    let mut sites = Vec::new();
    let mut notes = Vec::new();
    for (site, group) in by_site {
        let coverage = coverage(&group.iter().map(|i| &i.report).collect::<Vec<_>>());
        let n = group.len();
        let report = if n == 1 {
            group.into_iter().next().expect("one input").report
        } else {
            let names: Vec<&str> = group.iter().map(|i| i.name.as_str()).collect();
            let reports: Vec<Report> = group.iter().map(|i| i.report.clone()).collect();
            let r = merge(&reports, &mopts).map_err(|e| ReportError::Combine {
                message: format!(
                    "cannot merge the results of {}: {e} (results numbered: {})",
                    site_words(&site),
                    numbering(&names)
                ),
            })?;
            for note in r.merged.iter().flat_map(|m| m.notes.iter()) {
                notes.push(format!("{}: {note}", site_words(&site)));
            }
            r
        };
        sites.push(SiteView {
            site,
            report,
            inputs: n,
            coverage,
        });
    }
    let report = if sites.len() == 1 {
        sites[0].report.clone()
    } else {
        let names: Vec<&str> = sites.iter().map(|s| s.site.as_str()).collect();
        let reports: Vec<Report> = sites.iter().map(|s| s.report.clone()).collect();
        let r = merge(&reports, &mopts).map_err(|e| ReportError::Combine {
            message: format!(
                "cannot combine the sites: {e} (results numbered: {})",
                numbering(&names)
            ),
        })?;
        notes.extend(r.merged.iter().flat_map(|m| m.notes.iter().cloned()));
        r
    };
    Ok(Combined {
        report,
        inputs: infos,
        sites,
        coverage: cov,
        notes,
    })
}

/// "site \"pp\"" or "the unnamed site".
pub fn site_words(site: &str) -> String {
    if site.is_empty() {
        "the unnamed site".into()
    } else {
        format!("site \"{site}\"")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use trombone_schema::TimeSpan;

    /// A result with no traffic but its time span (built from JSON, so that fields added
    /// to the contract later take their defaults).
    fn piece(first: i64, last: i64, iv: Option<(i64, i64)>) -> Report {
        let mut r = Report::from_json(
            r#"{"schema_version": 2, "tool": {"name": "trombone", "version": "0"},
                "asn_db": {"source": "test"}, "partial": false, "inputs": [],
                "time": {"duration_s": 0},
                "totals": {"frames": 0, "ip_packets": 0, "ip_bytes": 0, "wire_bytes": 0,
                           "non_ip_frames": 0, "malformed_frames": 0, "unsupported_frames": 0,
                           "flows": 0},
                "as_matrix": [], "country_matrix": []}"#,
        )
        .unwrap();
        r.time = TimeSpan::of(Some((first, last)));
        r.interval = iv.map(|(a, b)| Interval {
            start_ns: a,
            end_ns: b,
        });
        r
    }

    const S: i64 = 1_000_000_000;

    #[test]
    fn one_result_covers_its_own_span() {
        let r = piece(10 * S, 55 * S, None);
        let c = coverage(&[&r]);
        assert_eq!(c.covered_s, 45.0);
        assert!(c.gaps.is_empty());
    }

    #[test]
    fn rotated_pieces_cover_their_intervals_and_gaps_show() {
        // three 10-minute pieces, the third missing: traffic 00:00:05 .. 00:39:50
        let m = 60 * S;
        let a = piece(5 * S, 9 * m, Some((0, 10 * m)));
        let b = piece(10 * m + S, 19 * m, Some((10 * m, 20 * m)));
        let d = piece(30 * m, 39 * m + 50 * S, Some((30 * m, 40 * m)));
        let c = coverage(&[&a, &b, &d]);
        // [5 s, 20 min) and [30 min, 39 min 50 s): 1195 s + 590 s
        assert_eq!(c.covered_s, 1195.0 + 590.0);
        assert_eq!(c.gaps, vec![(20 * m, 30 * m)]);
        assert_eq!(c.first_ns, Some(5 * S));
        assert_eq!(c.last_ns, Some(39 * m + 50 * S));
    }

    #[test]
    fn coverage_within_a_period_leaves_the_gaps_out() {
        let m = 60 * S;
        let a = piece(0, 10 * m, Some((0, 10 * m)));
        let b = piece(20 * m, 30 * m, Some((20 * m, 30 * m)));
        let c = coverage(&[&a, &b]);
        // [0, 15 min): 10 min covered, 5 min of the gap
        assert_eq!(c.within(0, 15 * m), 600.0);
        assert_eq!(c.within(10 * m, 20 * m), 0.0);
        assert_eq!(c.within(-m, 40 * m), 1200.0);
    }

    #[test]
    fn overlapping_results_count_once() {
        let a = piece(0, 100 * S, None);
        let b = piece(50 * S, 130 * S, None);
        assert_eq!(coverage(&[&a, &b]).covered_s, 130.0);
    }

    #[test]
    fn old_results_are_refused_when_combined_with_their_name() {
        let mk = |name: &str| Input {
            name: name.into(),
            report: piece(0, S, None),
        };
        let e = combine(
            vec![mk("old.json"), mk("b.json")],
            &CombineOptions::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.starts_with("old.json: a schema_version 2 result without per-sample series"),
            "{e}"
        );
        // alone it renders as it is
        let c = combine(vec![mk("old.json")], &CombineOptions::default()).unwrap();
        assert_eq!(c.sites.len(), 1);
        assert!(!c.merged());
    }
}
