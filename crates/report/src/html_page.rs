//! The HTML document: shell, header, the warnings a reader must see first, headline
//! numbers with the basis and grade of each, and the findings in words; the sections come
//! from the `html_*` modules.

use crate::combine::{site_words, Combined};
use crate::escape::html;
use crate::evidence::{p95_basis, p95_label, Grade};
use crate::format::{self, plural};
use crate::names::{country_long, AsKey, Names};
use crate::style::{CSS, PARTIAL_PRINT_CSS};
use std::fmt::Write as _;
use trombone_schema::{Country, HairpinReport, PortPlan, Report, UnknownNetwork, Warning};

/// Options of the HTML report.
#[derive(Clone, Debug, Default)]
pub struct HtmlOptions {
    /// Title of the report (default: "Tromboning report" and the audited country).
    pub title: Option<String>,
}

/// What every section renders from.
pub(crate) struct Ctx<'a> {
    /// The inputs and how they were combined.
    pub c: &'a Combined,
    /// The result every section renders.
    pub r: &'a Report,
    /// AS labels.
    pub names: Names,
}

impl Ctx<'_> {
    /// Seconds of traffic the figures rest on.
    pub fn covered_s(&self) -> f64 {
        self.c.coverage.covered_s
    }

    /// The grade of figures resting on the whole span.
    pub fn grade(&self) -> Grade {
        Grade::of_span(self.covered_s())
    }

    /// True when every link was taken to lead abroad (no links file).
    pub fn links_assumed(&self) -> bool {
        self.r
            .hairpin
            .as_ref()
            .is_some_and(|h| h.links_assumed_abroad || h.links.is_empty())
    }

    /// The port plans of known networks (an ASN 0 plan of an older result is left out:
    /// no port can be recommended for a network the database does not know).
    pub fn known_ports(&self) -> Vec<&PortPlan> {
        self.r
            .sizing
            .iter()
            .filter_map(|z| z.what_if.as_ref())
            .flat_map(|w| w.ports.iter())
            .filter(|p| p.asn != 0)
            .collect()
    }

    /// Hairpinned traffic of addresses in no known network, by country.
    pub fn unknown_networks(&self) -> Vec<UnknownNetwork> {
        let Some(w) = self.r.sizing.as_ref().and_then(|z| z.what_if.as_ref()) else {
            return Vec::new();
        };
        let mut v = w.unknown_networks.clone();
        // Older results planned ports for ASN 0 too: list those here instead.
        for p in w.ports.iter().filter(|p| p.asn == 0) {
            v.push(UnknownNetwork {
                country: p.country,
                p95_mbps: p.p95_mbps,
                bytes: p.hairpin_in.bytes.saturating_add(p.hairpin_out.bytes),
            });
        }
        v
    }

    /// Transit saved per month by the known networks' ports.
    pub fn transit_saved(&self) -> Option<f64> {
        let w = self.r.sizing.as_ref()?.what_if.as_ref()?;
        if w.ports.iter().any(|p| p.asn == 0) {
            Some(
                self.known_ports()
                    .iter()
                    .map(|p| p.transit_saved_usd_per_month)
                    .sum(),
            )
        } else {
            Some(w.total_transit_saved_usd_per_month)
        }
    }

    /// "2 sites (a, b)", "site \"pp\"" or "" for one unnamed site.
    pub fn sites_words(&self) -> String {
        match self.c.sites.as_slice() {
            [one] if one.site.is_empty() => String::new(),
            [one] => site_words(&one.site),
            many => format!(
                "{} ({})",
                plural(many.len() as u64, "site", "sites"),
                many.iter()
                    .map(|s| if s.site.is_empty() {
                        "unnamed"
                    } else {
                        s.site.as_str()
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }

    /// "45 s of traffic in 1 result file" (and the sites).
    pub fn traffic_words(&self) -> String {
        let sites = self.sites_words();
        format!(
            "{} of traffic in {}{}",
            format::duration(self.covered_s()),
            plural(self.c.inputs.len() as u64, "result file", "result files"),
            if sites.is_empty() {
                String::new()
            } else {
                format!(", {sites}")
            }
        )
    }

    /// The warnings worth showing: those of the result, less the `link_unmatched` ones its
    /// own link counts contradict (a merge keeps the warnings of pieces in which a link
    /// was quiet).
    pub fn warnings(&self) -> Vec<&Warning> {
        let matched: Vec<&str> = self
            .r
            .hairpin
            .iter()
            .flat_map(|h| h.links.iter())
            .filter(|l| l.frames > 0)
            .map(|l| l.name.as_str())
            .collect();
        self.r
            .warnings
            .iter()
            .filter(|w| {
                !(w.code == "link_unmatched"
                    && matched
                        .iter()
                        .any(|n| w.message.contains(&format!("\"{n}\""))))
            })
            .collect()
    }
}

/// The zone in words: "Cambodia (KH)" or "the zone KH, LA, MM, VN".
pub(crate) fn zone_words(h: &HairpinReport) -> String {
    if h.zone.len() <= 1 {
        country_long(h.home)
    } else {
        format!(
            "the zone {}",
            h.zone
                .iter()
                .map(Country::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

/// Renders the self-contained HTML report of combined results.
pub fn render_html(c: &Combined, opts: &HtmlOptions) -> String {
    render_page(c, opts, None)
}

/// Renders the report with the IXP options of a plan compared after the headline
/// (`trombone plan --format html`).
pub fn render_html_with_plan(
    c: &Combined,
    opts: &HtmlOptions,
    plan: &trombone_schema::PlanResult,
) -> String {
    render_page(c, opts, Some(plan))
}

fn render_page(
    c: &Combined,
    opts: &HtmlOptions,
    plan: Option<&trombone_schema::PlanResult>,
) -> String {
    let ctx = Ctx {
        c,
        r: &c.report,
        names: Names::new(c.report.as_names.clone()),
    };
    let r = ctx.r;
    let title = opts.title.clone().unwrap_or_else(|| match &r.hairpin {
        Some(h) => format!("Tromboning report: {}", zone_words(h)),
        None => "Traffic report".to_string(),
    });

    let mut s = String::with_capacity(256 * 1024);
    let _ = write!(
        s,
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="trombone-report {ver}">
<title>{t}</title>
<style>{CSS}{pp}</style>
</head>
<body data-partial="{partial}"><main>
"#,
        ver = env!("CARGO_PKG_VERSION"),
        t = html(&title),
        pp = if r.partial { PARTIAL_PRINT_CSS } else { "" },
        partial = r.partial
    );
    header(&mut s, &ctx, &title);
    warnings(&mut s, &ctx);
    headline(&mut s, &ctx);
    if let Some(p) = plan {
        crate::html_plan::section(&mut s, &ctx, p);
    }
    crate::html_hairpin::sections(&mut s, &ctx);
    crate::html_evidence::section(&mut s, &ctx);
    crate::html_time::section(&mut s, &ctx);
    crate::html_sizing::sections(&mut s, &ctx);
    crate::html_method::section(&mut s, &ctx);
    crate::html_provenance::section(&mut s, &ctx);
    let _ = write!(
        s,
        r#"<footer>Generated by trombone report {ver} from {n}. Aggregates only: this report contains no IP addresses.</footer>
</main></body></html>
"#,
        ver = env!("CARGO_PKG_VERSION"),
        n = plural(c.inputs.len() as u64, "result file", "result files")
    );
    s
}

fn header(s: &mut String, ctx: &Ctx<'_>, title: &str) {
    let r = ctx.r;
    let status = if r.partial {
        r#"<span class="badge partial">PARTIAL RESULT</span>"#
    } else {
        r#"<span class="badge complete">complete</span>"#
    };
    let span = match (ctx.c.coverage.first_ns, ctx.c.coverage.last_ns) {
        (Some(a), Some(b)) => format!(
            "Traffic from {} to {} · {}",
            format::utc(a),
            format::utc(b),
            ctx.traffic_words()
        ),
        _ => format!(
            "No timed packets · {}",
            plural(ctx.c.inputs.len() as u64, "result file", "result files")
        ),
    };
    let _ = write!(
        s,
        r#"<header class="report"><h1>{t}{status}</h1><p class="subtitle">{span}</p>"#,
        t = html(title),
        span = html(&span),
    );
    s.push_str(
        r##"<nav class="toc"><a href="#warnings">Read first</a><a href="#headline">Headline</a>"##,
    );
    if r.hairpin.is_some() {
        s.push_str(r##"<a href="#hairpin-pairs">AS×AS hairpin</a><a href="#countries">Countries</a><a href="#via">Via networks</a><a href="#latency">Detour latency</a><a href="#evidence">Evidence per pair</a>"##);
    } else {
        s.push_str(r##"<a href="#as-matrix">AS×AS traffic</a><a href="#countries">Countries</a>"##);
    }
    if r.series.is_some() {
        s.push_str(r##"<a href="#time">Days and weeks</a>"##);
    }
    if r.sizing.is_some() {
        s.push_str(r##"<a href="#rates">Rates</a><a href="#ports">Port sizing &amp; transit</a>"##);
    }
    s.push_str(r##"<a href="#method">Method and evidence</a><a href="#provenance">Data provenance</a></nav></header>"##);

    if r.partial {
        let bad: Vec<_> = r.inputs.iter().filter(|i| i.error.is_some()).collect();
        let _ = write!(
            s,
            r#"<div class="banner partial" id="partial-banner" role="alert"><strong>Partial result.</strong> Trombone could not read every capture to its end ({}){}. Every figure in this report covers only the packets that were read; the true volumes are higher.<ul>"#,
            plural(
                bad.len() as u64,
                "input stopped early",
                "inputs stopped early"
            ),
            if r.capture.as_ref().is_some_and(|c| c.dropped_any) {
                ", or the live capture lost frames"
            } else {
                ""
            }
        );
        for i in &bad {
            let err = i.error.as_deref().unwrap_or("");
            // Errors usually start with the file name already; do not print it twice.
            let err = err
                .strip_prefix(i.file.as_str())
                .and_then(|e| e.strip_prefix(": "))
                .unwrap_or(err);
            let _ = write!(s, "<li><code>{}</code>: {}</li>", html(&i.file), html(err));
        }
        for i in ctx.c.inputs.iter().filter(|i| i.partial) {
            let _ = write!(
                s,
                "<li>result <code>{}</code> is marked partial</li>",
                html(&i.name)
            );
        }
        s.push_str("</ul></div>");
    }
}

/// What a reader must know before reading any figure: the evidence grade, the result's
/// warnings, what the merge could not do exactly, gaps in the traffic.
fn warnings(s: &mut String, ctx: &Ctx<'_>) {
    let r = ctx.r;
    let g = ctx.grade();
    let _ = write!(
        s,
        r#"<section id="warnings" class="read-first grade-{w}"><h2>Read before the figures</h2><ul><li class="grade-line"><span class="grade g-{w}">{w}</span> <strong>Evidence:</strong> {reason} ({traffic}). Figures from less than a day of traffic have not seen the daily cycle; from less than a week, not the weekly one.</li>"#,
        w = g.word(),
        reason = html(g.span_reason()),
        traffic = html(&ctx.traffic_words()),
    );
    if ctx.links_assumed() {
        s.push_str(r#"<li class="assumption"><strong>Assumption:</strong> no links file: every link was taken as international, so all local traffic seen counts as hairpinned. Give <code>--links</code> to tell domestic links from foreign ones.</li>"#);
    }
    for w in ctx.warnings() {
        if w.code == "links_assumed_abroad" {
            continue; // said just above, in words for the reader
        }
        let _ = write!(
            s,
            r#"<li class="warning" data-code="{c}">{m} <span class="code">({c})</span></li>"#,
            c = html(&w.code),
            m = html(&w.message)
        );
    }
    if let Some(m) = &r.merged {
        if m.mixed {
            s.push_str(r#"<li class="warning"><strong>Mixed settings:</strong> results made with different databases, zones, windows or bins were combined (<code>--allow-mixed</code>): the sums do not describe one measurement.</li>"#);
        }
    }
    for n in &ctx.c.notes {
        let _ = write!(s, r#"<li class="note-line">Merge: {}</li>"#, html(n));
    }
    for (a, b) in &ctx.c.coverage.gaps {
        let _ = write!(
            s,
            r#"<li class="gap">No result covers {} to {} (a gap of {}): a day it spans wholly shows no figure; weekly figures and the whole span's p95 count it as silence.</li>"#,
            html(&format::utc(*a)),
            html(&format::utc(*b)),
            html(&format::duration(
                (i128::from(*b) - i128::from(*a)) as f64 / 1e9
            ))
        );
    }
    if r.series.is_none() {
        let _ = write!(
            s,
            r#"<li>This result (schema_version {}) has no per-sample series: there is no view over days and weeks, and it cannot be combined with others.</li>"#,
            r.schema_version
        );
    }
    s.push_str("</ul></section>");
}

/// The basis line under a headline figure: its grade, why, and what it rests on.
pub(crate) fn basis(id: &str, grade: Grade, why: &str, facts: &str) -> String {
    format!(
        r#"<div class="basis" id="{id}-basis"><span class="grade g-{w}">{w}</span> {why}. {facts}</div>"#,
        w = grade.word(),
        why = html(why),
    )
}

/// A headline card; `id` and `data` make the number machine-checkable.
#[allow(clippy::too_many_arguments)]
pub(crate) fn card(
    s: &mut String,
    class: &str,
    label: &str,
    id: &str,
    data: &str,
    value: &str,
    sub: &str,
    basis: &str,
) {
    let _ = write!(
        s,
        r#"<div class="card {class}"><div class="label">{label}</div><div class="value"><span id="{id}" {data}>{value}</span></div><div class="sub">{sub}</div>{basis}</div>"#
    );
}

/// "$3.27 per month" and its basis, when the result has a what-if section.
fn saved_basis(ctx: &Ctx<'_>) -> Option<(f64, Grade, String, String)> {
    let z = ctx.r.sizing.as_ref()?;
    z.what_if.as_ref()?;
    let total = ctx.transit_saved()?;
    let ports = ctx.known_ports();
    let samples = ports
        .iter()
        .map(|p| p.hairpin_in.samples.max(p.hairpin_out.samples))
        .max()
        .unwrap_or(z.samples);
    let grade = Grade::of_p95(ctx.covered_s(), samples);
    let why = p95_label(ctx.covered_s(), samples);
    let why = why
        .split_once(": ")
        .map_or(why.as_str(), |x| x.1)
        .to_string();
    let unknown = ctx.unknown_networks();
    let unknown_bytes: u64 = unknown.iter().map(|u| u.bytes).fold(0, u64::saturating_add);
    let facts = format!(
        "Basis: the {p95} of the hairpinned traffic of {n} (the higher of in and out), over {traffic}, × {price} per Mbps per month ({src}).{unk}",
        p95 = html(&p95_basis(samples, z.sample_s)),
        n = html(&plural(ports.len() as u64, "network", "networks")),
        traffic = html(&ctx.traffic_words()),
        price = html(&format::usd(z.transit_price_usd_per_mbps_month)),
        src = if (z.transit_price_usd_per_mbps_month - 100.0).abs() < 1e-9 {
            "UN ESCAP's 2016 figure for Cambodia, Lao PDR and Myanmar"
        } else {
            "set with --transit-price"
        },
        unk = if unknown.is_empty() {
            String::new()
        } else {
            format!(
                " Not counted: {} hairpinned by addresses in no known network (no port can be planned for them).",
                html(&format::bytes(unknown_bytes))
            )
        }
    );
    Some((total, grade, why, facts))
}

fn headline(s: &mut String, ctx: &Ctx<'_>) {
    let r = ctx.r;
    let grade = ctx.grade();
    s.push_str(r#"<section id="headline"><div class="headline">"#);
    if let Some(h) = &r.hairpin {
        let t = &h.totals;
        let bar = format!(
            r#"<div class="share-bar" aria-hidden="true"><span style="width:{w:.2}%"></span></div><div class="share-legend"><span>hairpin {hb}</span><span>local {lb}</span></div>"#,
            w = (t.share_of_local_bytes * 100.0).clamp(0.0, 100.0),
            hb = html(&format::bytes(t.bytes)),
            lb = html(&format::bytes(t.local_bytes)),
        );
        let mut facts = format!(
            "Basis: {} of local traffic ({}) in {}.",
            html(&format::bytes(t.local_bytes)),
            html(&plural(t.local_packets, "packet", "packets")),
            html(&ctx.traffic_words())
        );
        if ctx.links_assumed() {
            facts.push_str(" <strong>Assumption: no links file: every link taken as international</strong>, so every local packet seen counts as hairpinned.");
        } else {
            let abroad = h.links.iter().filter(|l| l.abroad).count() as u64;
            let _ = write!(
                facts,
                " Links: {} from the links file, {} abroad.",
                h.links.len(),
                abroad
            );
        }
        card(
            s,
            "primary",
            "Hairpin share of local traffic",
            "hairpin-share",
            &format!(r#"data-value="{}""#, t.share_of_local_bytes),
            &html(&format::percent(t.share_of_local_bytes)),
            &format!(
                "of the bytes with both ends in {} left the zone and came back{bar}",
                html(&zone_words(h)),
            ),
            &basis("hairpin-share", grade, grade.span_reason(), &facts),
        );
        card(
            s,
            "",
            "Hairpin bytes",
            "hairpin-bytes",
            &format!(r#"data-value="{}""#, t.bytes),
            &html(&format::bytes(t.bytes)),
            &format!("{} bytes, unique (counted once)", format::count(t.bytes)),
            "",
        );
        card(
            s,
            "",
            "Local bytes",
            "local-bytes",
            &format!(r#"data-value="{}""#, t.local_bytes),
            &html(&format::bytes(t.local_bytes)),
            &format!(
                "{} bytes with both ends local",
                format::count(t.local_bytes)
            ),
            "",
        );
        card(
            s,
            "",
            "Unique hairpin packets",
            "hairpin-packets",
            &format!(r#"data-value="{}""#, t.packets),
            &format::count(t.packets),
            &format!(
                "{}; {} seen leaving and returning",
                plural(t.observations, "sighting", "sightings"),
                format::count(t.reobserved_packets)
            ),
            "",
        );
    }
    let cov = &ctx.c.coverage;
    card(
        s,
        "",
        "Traffic span",
        "capture-span",
        &format!(
            r#"data-value="{}" data-first-ns="{}" data-last-ns="{}""#,
            cov.covered_s,
            cov.first_ns.map_or("".into(), |v| v.to_string()),
            cov.last_ns.map_or("".into(), |v| v.to_string())
        ),
        &html(&format::duration(cov.covered_s)),
        &match cov.first_ns {
            Some(a) => format!("from {}", html(&format::utc(a))),
            None => "no timed packets".into(),
        },
        &format!(
            r#"<div class="basis"><span class="grade g-{w}">{w}</span> {why}</div>"#,
            w = grade.word(),
            why = html(grade.span_reason())
        ),
    );
    card(
        s,
        "",
        "Capture inputs",
        "input-count",
        &format!(
            r#"data-value="{}" data-results="{}""#,
            r.inputs.len(),
            ctx.c.inputs.len()
        ),
        &r.inputs.len().to_string(),
        &format!(
            "in {}",
            plural(ctx.c.inputs.len() as u64, "result file", "result files")
        ),
        "",
    );
    let failed = r.inputs.iter().filter(|i| i.error.is_some()).count() as u64;
    card(
        s,
        if r.partial { "alert" } else { "" },
        "Result",
        "partial",
        &format!(r#"data-value="{}""#, r.partial),
        if r.partial { "PARTIAL" } else { "Complete" },
        &if r.partial {
            format!("{} not read to the end", plural(failed, "input", "inputs"))
        } else {
            "every input read to its end".into()
        },
        "",
    );
    card(
        s,
        "",
        "IP traffic observed",
        "ip-bytes",
        &format!(r#"data-value="{}""#, r.totals.ip_bytes),
        &html(&format::bytes(r.totals.ip_bytes)),
        &format!(
            "{}, {}",
            plural(r.totals.ip_packets, "packet", "packets"),
            plural(r.totals.flows, "flow", "flows")
        ),
        "",
    );
    match saved_basis(ctx) {
        Some((total, g, why, facts)) => card(
            s,
            "wide",
            "Transit saved by local peering",
            "transit-saved",
            &format!(r#"data-value="{total}""#),
            &format!(
                "{}<span class=\"per\"> / month</span>",
                html(&format::usd(total))
            ),
            "estimate of the international transit the hairpinning networks would stop buying",
            &basis("transit-saved", g, &why, &facts),
        ),
        None => {
            if let Some(h) = &r.hairpin {
                card(
                    s,
                    "",
                    "Hairpin AS pairs",
                    "hairpin-pairs-count",
                    &format!(r#"data-value="{}""#, h.pairs.len()),
                    &format::count(h.pairs.len() as u64),
                    "source/destination AS pairs with hairpin traffic",
                    "",
                );
            }
        }
    }
    crate::html_evidence::latency_card(s, ctx);
    s.push_str("</div>");
    findings(s, ctx);
    s.push_str("</section>");
}

/// One paragraph in words: the answer a reader takes away.
fn findings(s: &mut String, ctx: &Ctx<'_>) {
    let r = ctx.r;
    let Some(h) = &r.hairpin else {
        s.push_str(r#"<p class="note">Hairpin detection was off for this result (analyze ran without <code>--home</code>), so the report shows traffic matrices only.</p>"#);
        return;
    };
    let t = &h.totals;
    let mut p = format!(
        "Of {} of traffic with both ends in {}, <strong>{} ({})</strong> left the zone and came back, in {}.",
        html(&format::bytes(t.local_bytes)),
        html(&zone_words(h)),
        html(&format::bytes(t.bytes)),
        html(&format::percent(t.share_of_local_bytes)),
        html(&plural(t.packets, "unique packet", "unique packets"))
    );
    if let Some(top) = h.pairs.first() {
        let k = |asn, country| AsKey { asn, country };
        let _ = write!(
            p,
            " The largest hairpin flow is {} → {} ({})",
            html(&ctx.names.short_cc(&k(top.src_asn, top.src_country), 30)),
            html(&ctx.names.short_cc(&k(top.dst_asn, top.dst_country), 30)),
            html(&format::bytes(top.bytes))
        );
        let via_total: i64 = top
            .via
            .iter()
            .map(|v| v.bytes.max(0))
            .fold(0i64, i64::saturating_add);
        if let Some(v) = top.via.iter().max_by_key(|v| v.bytes) {
            if via_total > 0 && v.bytes > 0 {
                let who = match (&v.link, v.asn) {
                    (None, 0) => "an unidentified link".to_string(),
                    (Some(l), 0) => format!("link {l}"),
                    (_, a) => ctx.names.short(a, 30),
                };
                let _ = write!(
                    p,
                    ", {} via {}",
                    if v.bytes == via_total {
                        "all".to_string()
                    } else {
                        format!(
                            "{} of it",
                            format::percent(v.bytes as f64 / via_total as f64)
                        )
                    },
                    html(&who)
                );
            }
        }
        p.push('.');
    }
    if let (Some(z), Some((total, _, why, _))) = (&r.sizing, saved_basis(ctx)) {
        let n = ctx.known_ports().len() as u64;
        if n > 0 {
            let _ = write!(
                p,
                " Peering locally would take this traffic off international transit for {}, saving an estimated <strong>{}</strong> per month at {} per Mbps ({}; see its basis above).",
                html(&plural(n, "network", "networks")),
                html(&format::usd(total)),
                html(&format::usd(z.transit_price_usd_per_mbps_month)),
                html(&why)
            );
        }
    }
    let _ = write!(s, r#"<p class="findings">{p}</p>"#);
}
