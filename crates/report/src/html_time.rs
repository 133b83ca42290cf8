//! Over days and weeks: daily and weekly p95 per link, network and of all traffic, the
//! busiest hour, per site and combined, from the per-sample series (`series.rows`).

use crate::chart_period::{period_chart, Bar};
use crate::chart_rate::{rate_chart, Geometry, Series};
use crate::combine::{site_words, Coverage};
use crate::escape::html;
use crate::evidence::Grade;
use crate::format::{self, plural};
use crate::html_page::Ctx;
use crate::names::{country, country_long, utc_offset_min, AsKey, Names};
use crate::periods::{
    busiest_hour, higher_p95, sample_rates, subjects, InOut, PeriodKind, PeriodStat, SampleSpan,
    Subject, SubjectSeries,
};
use std::fmt::Write as _;
use trombone_schema::{Country, Report};

/// Links and networks per table (the CSV table `periods` has all).
const COLUMNS: usize = 5;

/// The country of a network for its label: the series name it only for ASN 0, the
/// result's network list (or matrix) for the others.
fn network_country(r: &Report, asn: u32, cc: Option<Country>) -> Option<Country> {
    if asn == 0 {
        return cc;
    }
    r.sizing
        .iter()
        .flat_map(|z| z.networks.iter())
        .find(|n| n.asn == asn)
        .and_then(|n| n.country)
        .or_else(|| {
            r.as_matrix.iter().find_map(|c| {
                if c.src_asn == asn {
                    c.src_country
                } else if c.dst_asn == asn {
                    c.dst_country
                } else {
                    None
                }
            })
        })
}

/// A subject's column heading.
pub(crate) fn subject_label(names: &Names, r: &Report, s: &Subject) -> String {
    let net = |asn: u32, cc: Option<Country>| {
        let k = AsKey {
            asn,
            country: network_country(r, asn, cc),
        };
        if k.country.is_none() && asn != 0 {
            names.short(asn, 16)
        } else {
            names.short_cc(&k, 16)
        }
    };
    match s {
        Subject::Total => "all traffic".into(),
        Subject::Link(l) => format!("link {l}"),
        Subject::Network(asn, cc) => net(*asn, *cc),
        Subject::Hairpin(asn, cc) => format!("hairpin {}", net(*asn, *cc)),
    }
}

/// "2024-04-11 Thu" or "week of 2024-04-08".
fn period_label(kind: PeriodKind, p: &PeriodStat) -> String {
    match kind {
        PeriodKind::Day => format!(
            "{} {}",
            format::date(p.start_ns),
            format::weekday(p.start_ns)
        ),
        PeriodKind::Week => format!("week of {}", format::date(p.start_ns)),
    }
}

/// A table: one row per period, one column per subject, cells the higher of in/out p95.
fn period_table(
    s: &mut String,
    id: &str,
    kind: PeriodKind,
    cov: &Coverage,
    cols: &[(String, Vec<InOut>)],
) {
    let Some((_, first)) = cols.first() else {
        return;
    };
    let _ = write!(
        s,
        r#"<table class="period-table" id="{id}"><thead><tr><th>{k}</th><th class="num">Traffic covered</th>"#,
        k = if kind == PeriodKind::Day {
            "Day (UTC)"
        } else {
            "Week (UTC)"
        }
    );
    for (label, _) in cols {
        let _ = write!(s, r#"<th class="num">{}</th>"#, html(label));
    }
    s.push_str("</tr></thead><tbody>");
    for (i, p) in first.iter().enumerate() {
        let stat = p.0.as_ref().or(p.1.as_ref());
        let Some(stat) = stat else { continue };
        let full = match kind {
            PeriodKind::Day => 86_400.0,
            PeriodKind::Week => 7.0 * 86_400.0,
        };
        // What the inputs cover of the period (gaps between them left out).
        let seen = cov.within(stat.start_ns, stat.end_ns);
        let _ = write!(
            s,
            r#"<tr><td class="nowrap">{l}</td><td class="num{c}">{cov}<span class="sub">{n}</span></td>"#,
            l = html(&period_label(kind, stat)),
            c = if seen < full { " warn-text" } else { "" },
            cov = if seen > 0.0 {
                html(&format::duration(seen))
            } else {
                "not covered".into()
            },
            n = html(&plural(stat.samples, "sample", "samples")),
        );
        if seen <= 0.0 {
            // No input covers the period: no figure, not a zero.
            for _ in cols {
                s.push_str("<td class=\"num\">–</td>");
            }
            s.push_str("</tr>");
            continue;
        }
        for (_, v) in cols {
            let cell = v.get(i);
            match cell {
                Some(c) if c.0.is_some() || c.1.is_some() => {
                    let _ = write!(
                        s,
                        r#"<td class="num" data-value="{v}">{f}</td>"#,
                        v = higher_p95(c),
                        f = html(&format::mbps(higher_p95(c)))
                    );
                }
                _ => s.push_str("<td class=\"num\">–</td>"),
            }
        }
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table>");
}

/// The columns of a table: `subjects` per period of `kind`.
fn columns(
    names: &Names,
    r: &Report,
    subjects: &[&SubjectSeries<'_>],
    span: &SampleSpan,
    kind: PeriodKind,
) -> Vec<(String, Vec<InOut>)> {
    subjects
        .iter()
        .map(|x| (subject_label(names, r, &x.subject), x.periods(span, kind)))
        .collect()
}

/// "19:00–20:00 UTC on 2024-04-11 (02:00–03:00 in Cambodia (KH), UTC+7)".
fn hour_words(h: &PeriodStat, home: Option<trombone_schema::Country>) -> String {
    let mut w = format!(
        "{}–{} UTC on {}",
        format::clock(h.start_ns, false),
        format::clock(h.end_ns, false),
        format::date(h.start_ns)
    );
    let len_s = (i128::from(h.end_ns) - i128::from(h.start_ns)) as f64 / 1e9;
    if h.covered_s < len_s {
        let _ = write!(w, " ({} of traffic in it)", format::duration(h.covered_s));
    }
    if let Some((cc, off)) = home.and_then(|c| utc_offset_min(c).map(|o| (c, o))) {
        let d = off * 60_000_000_000;
        let _ = write!(
            w,
            " ({}–{} in {}, UTC+{}{})",
            format::clock(h.start_ns.saturating_add(d), false),
            format::clock(h.end_ns.saturating_add(d), false),
            country_long(cc),
            off / 60,
            if off % 60 == 0 {
                String::new()
            } else {
                format!(":{:02}", off % 60)
            }
        );
    }
    w
}

/// Writes the days-and-weeks section (only results with series have one).
pub(crate) fn section(s: &mut String, ctx: &Ctx<'_>) {
    let r = ctx.r;
    let (Some(set), Some(span)) = (&r.series, SampleSpan::of(r)) else {
        return;
    };
    let g = ctx.grade();
    let _ = write!(
        s,
        r#"<section id="time" class="page-break"><h2>Over days and weeks</h2><p class="lede">The 95th percentile of the {len} sample rates of each day and each week (UTC), from the per-sample traffic of {traffic}: for links and networks the higher of in and out, the figure a port is sized on. A period's p95 rests on that period's samples only; samples of the span without traffic count as zero.</p>"#,
        len = html(&format::duration(span.sample_s())),
        traffic = html(&ctx.traffic_words()),
    );
    if g == Grade::Indicative {
        s.push_str(r#"<p class="note warn">Less than one day of traffic: the table has one (partial) day; a robust view needs a week or more of capture (rotate it with <code>--rotate 1h</code> and give the directory to <code>trombone report</code>).</p>"#);
    }
    let subs = subjects(set);
    let home = r.hairpin.as_ref().map(|h| h.home);
    if let Some(total) = subs.iter().find(|x| x.subject == Subject::Total) {
        if let Some(row) = total.inbound {
            if let Some(h) = busiest_hour(&row.samples, &span) {
                let _ = write!(
                    s,
                    r#"<p id="busiest-hour" data-start-ns="{st}" data-value="{v}">Busiest hour of all traffic: <strong>{w}</strong>, average {m} over it.</p>"#,
                    st = h.start_ns,
                    v = h.avg_mbps,
                    w = html(&hour_words(&h, home)),
                    m = html(&format::mbps(h.avg_mbps)),
                );
            }
            let rates = sample_rates(&row.samples, &span);
            if rates.len() < 2 {
                s.push_str(r#"<p class="small muted">One sample only: no curve to draw; its figures are in the tables below.</p>"#);
            }
            let p95 = r
                .sizing
                .as_ref()
                .and_then(|z| z.total.as_ref())
                .map_or(0.0, |t| t.p95_mbps);
            if rates.len() >= 2 {
                let _ = write!(
                    s,
                    r#"<figure class="rate-figure"><figcaption><span class="fig-title">All traffic, one point per {len} sample</span><span class="fig-meta">dashed: p95 over the whole span, {p}</span></figcaption>{chart}</figure>"#,
                    len = html(&format::duration(span.sample_s())),
                    p = html(&format::mbps(p95)),
                    chart = rate_chart(
                        &[Series {
                            label: "all",
                            class: "s-in",
                            values: &rates,
                            step_s: span.sample_s(),
                            p95_mbps: p95,
                        }],
                        Some(span.start_ns()),
                        "time-total",
                        Geometry::WIDE,
                    ),
                );
            }
            for kind in [PeriodKind::Day, PeriodKind::Week] {
                let per = total.periods(&span, kind);
                if kind == PeriodKind::Week && per.len() < 2 && g != Grade::Robust {
                    continue;
                }
                let bars: Vec<Bar> = per
                    .iter()
                    .filter_map(|p| p.0.as_ref())
                    .map(|p| Bar {
                        label: match kind {
                            PeriodKind::Day => format::date(p.start_ns)[5..].to_string(),
                            PeriodKind::Week => format!("w/c {}", &format::date(p.start_ns)[5..]),
                        },
                        sub: match kind {
                            PeriodKind::Day => format::weekday(p.start_ns).to_string(),
                            PeriodKind::Week => String::new(),
                        },
                        value: p.p95_mbps,
                        mark: p.max_mbps,
                    })
                    .collect();
                let _ = write!(
                    s,
                    r#"<figure><figcaption><span class="fig-title">{k} p95 of all traffic</span><span class="fig-meta">bar: p95 (printed above it); line: highest sample</span></figcaption>{}</figure>"#,
                    period_chart(&bars, &format!("{}-chart", kind.name())),
                    k = if kind == PeriodKind::Day {
                        "Daily"
                    } else {
                        "Weekly"
                    },
                );
            }
        }
    }
    let total: Vec<&SubjectSeries<'_>> = subs
        .iter()
        .filter(|x| x.subject == Subject::Total)
        .collect();
    let links: Vec<&SubjectSeries<'_>> = subs
        .iter()
        .filter(|x| matches!(x.subject, Subject::Link(_)))
        .take(COLUMNS - 1)
        .collect();
    let nets: Vec<&SubjectSeries<'_>> = subs
        .iter()
        .filter(|x| matches!(x.subject, Subject::Network(..)))
        .take(COLUMNS)
        .collect();
    let hairpin: Vec<&SubjectSeries<'_>> = subs
        .iter()
        .filter(|x| matches!(x.subject, Subject::Hairpin(asn, _) if asn != 0))
        .take(COLUMNS)
        .collect();
    for kind in [PeriodKind::Day, PeriodKind::Week] {
        let name = kind.name();
        let head = if kind == PeriodKind::Day {
            "Daily"
        } else {
            "Weekly"
        };
        let n_periods = total.first().map_or(0, |t| t.periods(&span, kind).len());
        if kind == PeriodKind::Week && n_periods < 2 && g != Grade::Robust {
            let _ = write!(
                s,
                r#"<p class="small muted">Weekly p95: the traffic lies within {}; see the daily figures.</p>"#,
                if n_periods == 1 {
                    "one week"
                } else {
                    "no week"
                }
            );
            continue;
        }
        let mut first_cols: Vec<&SubjectSeries<'_>> = total.clone();
        first_cols.extend(links.iter());
        let _ = write!(s, "<h3>{head} p95: all traffic and links</h3>");
        period_table(
            s,
            &format!("{name}-p95"),
            kind,
            &ctx.c.coverage,
            &columns(&ctx.names, ctx.r, &first_cols, &span, kind),
        );
        if !nets.is_empty() {
            let _ = write!(s, "<h3>{head} p95: networks (busiest {})</h3>", nets.len());
            period_table(
                s,
                &format!("{name}-p95-networks"),
                kind,
                &ctx.c.coverage,
                &columns(&ctx.names, ctx.r, &nets, &span, kind),
            );
        }
        if !hairpin.is_empty() {
            let _ = write!(s, "<h3>{head} p95: hairpinned traffic per network (what a local IXP port would carry)</h3>");
            period_table(
                s,
                &format!("{name}-p95-hairpin"),
                kind,
                &ctx.c.coverage,
                &columns(&ctx.names, ctx.r, &hairpin, &span, kind),
            );
        }
    }
    if ctx.c.sites.len() > 1 {
        s.push_str(r#"<h3>Per site</h3><p class="small">Each site's pieces merged on their own, then the sites added (traffic seen at two sites counts at each); a period a site did not cover shows “–”.</p>"#);
        sites_table(s, ctx, &span, PeriodKind::Day);
        let weeks = total
            .first()
            .map_or(0, |t| t.periods(&span, PeriodKind::Week).len());
        if weeks >= 2 || g == Grade::Robust {
            sites_table(s, ctx, &span, PeriodKind::Week);
        }
        sites_busiest(s, ctx);
    }
    s.push_str(r#"<p class="caption">Every period, series and direction, with max and average too: <code>trombone report --format csv --table periods</code>.</p></section>"#);
}

/// Daily or weekly p95 of all traffic per site and combined.
fn sites_table(s: &mut String, ctx: &Ctx<'_>, span: &SampleSpan, kind: PeriodKind) {
    let _ = write!(
        s,
        "<h4>{} p95 of all traffic per site</h4>",
        if kind == PeriodKind::Day {
            "Daily"
        } else {
            "Weekly"
        }
    );
    let combined: Vec<i64> = subjects(ctx.r.series.as_ref().expect("has series"))
        .iter()
        .find(|x| x.subject == Subject::Total)
        .map_or(Vec::new(), |t| {
            t.periods(span, kind)
                .iter()
                .filter_map(|p| p.0.as_ref().map(|x| x.start_ns))
                .collect()
        });
    // Each site on its own span, aligned to the combined days: a day a site did not
    // cover shows "–", not zero.
    // `cov`: leave out the days it does not cover (a site's own coverage; the combined
    // column keeps every day, the table blanks the days no site covers).
    let view = |r: &Report, cov: Option<&Coverage>| -> Vec<InOut> {
        let own: Vec<PeriodStat> = r
            .series
            .as_ref()
            .zip(SampleSpan::of(r))
            .and_then(|(set, sp)| {
                let subs = subjects(set);
                let t = subs.iter().find(|x| x.subject == Subject::Total)?;
                Some(crate::periods::periods(&t.inbound?.samples, &sp, kind))
            })
            .unwrap_or_default();
        combined
            .iter()
            .map(|start| {
                let p = own
                    .iter()
                    .find(|p| {
                        p.start_ns == *start
                            && cov.is_none_or(|c| c.within(p.start_ns, p.end_ns) > 0.0)
                    })
                    .cloned();
                (p, None)
            })
            .collect()
    };
    let mut cols = vec![("all sites".to_string(), view(ctx.r, None))];
    for site in &ctx.c.sites {
        let mut label = site_words(&site.site);
        if let Some(h) = site.report.hairpin.as_ref() {
            let _ = write!(label, " ({})", country(Some(h.home)));
        }
        cols.push((label, view(&site.report, Some(&site.coverage))));
    }
    let id = format!(
        "{}-p95-sites",
        if kind == PeriodKind::Day {
            "daily"
        } else {
            "weekly"
        }
    );
    period_table(s, &id, kind, &ctx.c.coverage, &cols);
}

/// The busiest hour of each site.
fn sites_busiest(s: &mut String, ctx: &Ctx<'_>) {
    for site in &ctx.c.sites {
        let span = SampleSpan::of(&site.report);
        let busy = site
            .report
            .series
            .as_ref()
            .zip(span)
            .and_then(|(set, span)| {
                let t = subjects(set)
                    .into_iter()
                    .find(|x| x.subject == Subject::Total)?;
                busiest_hour(&t.inbound?.samples, &span)
            });
        if let Some(h) = busy {
            let _ = write!(
                s,
                r#"<p class="small">{}: busiest hour {}, average {}; {} of traffic ({}).</p>"#,
                html(&site_words(&site.site)),
                html(&hour_words(
                    &h,
                    site.report.hairpin.as_ref().map(|x| x.home)
                )),
                html(&format::mbps(h.avg_mbps)),
                html(&format::duration(site.coverage.covered_s)),
                html(&Grade::of_span(site.coverage.covered_s).span_label()),
            );
        }
    }
}
