//! The IXP options section (`trombone plan --format html`): the plan file's options side
//! by side — traffic localised and still leaving, latency saved, ports, cost and payback —
//! with the evidence each figure rests on (span, vantage points, samples behind each p95,
//! exact or apportioned) and what the data cannot show; then each option's IXPs, member
//! ports, cross-border transport, cost lines and sensitivity, and every price with its
//! source.

use crate::escape::html;
use crate::evidence::{p95_basis, p95_label, Grade};
use crate::format::{self, plural};
use crate::html_page::Ctx;
use crate::names::AsKey;
use std::fmt::Write as _;
use trombone_schema::plan::{PlanOption, SeriesBasis};
use trombone_schema::PlanResult;

/// The section's own layout rules (the comparison's cells wrap their basis lines).
const PLAN_CSS: &str = "#plan table.plan-options td{white-space:normal;text-align:right}#plan table.plan-options td .sub{white-space:normal}#plan table.plan-options tbody th{width:22%;text-align:left;font-weight:600;color:inherit;text-transform:none;letter-spacing:0;font-size:13px}#plan table.plan-options thead th{text-align:right;font-size:13px;color:inherit}#plan ul.plan-limits li{margin:3px 0;max-width:95ch}@media print{#plan h3{break-after:avoid}#plan table{break-inside:auto}}";

/// Pairs listed per option in the latency table (the JSON has all).
const LATENCY_ROWS: usize = 12;

/// Pairs listed per option in the localised-pairs table (the JSON has all).
const PAIR_ROWS: usize = 12;

/// The ESCAP study's acceptable Tromboning Index, as the latency lines print it.
const TI_ACCEPTABLE_WORD: &str = "5";

/// "exact" or "apportioned", for a basis line.
fn basis_word(b: SeriesBasis) -> &'static str {
    match b {
        SeriesBasis::Exact => "exact",
        SeriesBasis::Apportioned => "apportioned (estimate)",
    }
}

/// A cost figure, or "not priced".
fn usd_or(v: Option<f64>) -> String {
    v.map_or_else(|| "not priced".into(), format::usd)
}

/// A number for a data-value attribute ("" for none).
fn dv(v: Option<f64>) -> String {
    v.map_or(String::new(), |x| x.to_string())
}

/// Payback in words.
fn payback(o: &PlanOption) -> String {
    match o.cost.payback_months {
        Some(m) => format!("{} months", format::sig(m, 3)),
        None if o.cost.capex_usd.is_none() || o.cost.net_usd_per_year.is_none() => {
            "not priced".into()
        }
        None => "never at these figures".into(),
    }
}

/// Writes the plan section.
pub(crate) fn section(s: &mut String, ctx: &Ctx<'_>, pr: &PlanResult) {
    // the contents list (written before this section) gets a link to it
    const HEADLINE: &str = r##"<a href="#headline">Headline</a>"##;
    if let Some(i) = s.find(HEADLINE) {
        s.insert_str(i + HEADLINE.len(), r##"<a href="#plan">IXP options</a>"##);
    }
    let p = &pr.plan;
    let b = &p.basis;
    let grade = Grade::of_p95(ctx.covered_s(), b.samples);
    let _ = write!(
        s,
        r#"<section id="plan"><style>{PLAN_CSS}</style><h2>IXP options compared</h2><p class="lede">{n} from the plan file <code>{file}</code>, on the traffic measured: which hairpinned pairs each option would exchange in the zone instead of abroad, what would still leave, the handshake time saved, the ports each IXP needs, and a rough order of magnitude of cost and payback from the plan file's price book. {by}: <strong>{first}</strong>.</p>"#,
        n = html(&plural(p.options.len() as u64, "option", "options")),
        file = html(&pr.plan_file),
        by = if p.ranked_by == "localised_bytes" {
            "Not every option is priced, so none is ranked by value; first by hairpinned traffic localised"
        } else {
            "First by value over the horizon"
        },
        first = html(p.ranking.first().map_or("–", String::as_str)),
    );
    let sites = if b.sites.iter().all(String::is_empty) {
        plural(
            b.sites.len() as u64,
            "unnamed vantage point",
            "vantage points",
        )
    } else {
        format!(
            "{} ({})",
            plural(b.sites.len() as u64, "vantage point", "vantage points"),
            b.sites.join(", ")
        )
    };
    let zone: Vec<&str> = b.zone.iter().map(|c| c.as_str()).collect();
    let _ = write!(
        s,
        r#"<dl class="facts" id="plan-basis"><dt>Traffic</dt><dd>{span}{from}, {sites}, {res}</dd><dt>Every p95</dt><dd data-samples="{ns}">{p95b} · <span class="g-text-{gw}">{gl}</span></dd><dt>Zone</dt><dd>{zone}: {hb} hairpinned of {lb} local traffic</dd><dt>Ports</dt><dd>smallest of {speeds} keeping p95 × growth {g} at or under {t} use; spares per speed ⌈{ss} of ports in use⌉, at least {ms}</dd><dt>Ranking</dt><dd>{rb}</dd></dl>"#,
        span = html(&format::duration(b.duration_s)),
        from = b.first_ns.map_or(String::new(), |f| format!(
            " from {}",
            html(&format::utc(f))
        )),
        sites = html(&sites),
        res = html(&plural(b.results, "result", "results")),
        ns = b.samples,
        p95b = html(&p95_basis(b.samples, b.sample_s)),
        gw = grade.word(),
        gl = html(&p95_label(ctx.covered_s(), b.samples)),
        zone = html(&zone.join(", ")),
        hb = html(&format::bytes(b.hairpin_bytes)),
        lb = html(&format::bytes(b.local_bytes)),
        speeds = html(
            &p.assumptions
                .port_speeds_gbps
                .iter()
                .map(|g| format!("{}GE", format::plain(*g)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        g = html(&format::plain(p.assumptions.growth)),
        t = html(&format::percent(p.assumptions.port_target)),
        ss = html(&format::percent(p.assumptions.spare_share)),
        ms = p.assumptions.min_spares,
        rb = html(&p.ranking_basis),
    );
    for w in &p.warnings {
        let _ = write!(
            s,
            r#"<p class="note warn" data-code="{c}">{m}</p>"#,
            c = html(&w.code),
            m = html(&w.message)
        );
    }
    side_by_side(s, p);
    for (i, o) in p.options.iter().enumerate() {
        option_detail(s, ctx, o, i, b.sample_s);
    }
    s.push_str(r#"<h3 id="plan-prices">Prices used</h3><p class="small">Every price is the plan file's, with the source it gives, except transit in Cambodia, Lao PDR and Myanmar, which defaults to the figure of UN ESCAP's 2016 study (marked default). trombone invents no price.</p><table id="plan-price-table"><thead><tr><th>Key</th><th class="num">USD</th><th>Unit</th><th>Source</th></tr></thead><tbody>"#);
    for pu in &p.prices {
        let _ = write!(
            s,
            r#"<tr><td><code>{k}</code></td><td class="num" data-value="{v}">{vf}</td><td>{u}</td><td>{src}{d}</td></tr>"#,
            k = html(&pu.key),
            v = pu.usd,
            vf = html(&format::plain(pu.usd)),
            u = html(&pu.unit),
            src = html(&pu.source),
            d = if pu.default {
                " <em>(default)</em>"
            } else {
                ""
            },
        );
    }
    s.push_str("</tbody></table>");
    let not_priced: std::collections::BTreeSet<&String> = p
        .options
        .iter()
        .flat_map(|o| o.cost.not_priced.iter())
        .collect();
    if !not_priced.is_empty() {
        let _ = write!(
            s,
            r#"<p class="note warn" id="plan-not-priced"><strong>Not priced:</strong> {}. The figures that need these are shown as not priced.</p>"#,
            html(
                &not_priced
                    .into_iter()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        );
    }
    s.push_str(
        r#"<h3 id="plan-cannot-show">What the data cannot show</h3><ul class="plan-limits">"#,
    );
    for c in &p.cannot_show {
        let _ = write!(s, "<li>{}</li>", html(c));
    }
    s.push_str("</ul></section>");
}

/// The options as columns, one row per figure, each with its basis.
fn side_by_side(s: &mut String, p: &trombone_schema::Plan) {
    s.push_str(r#"<div class="scroll"><table id="plan-options" class="plan-options"><thead><tr><th>Figure</th>"#);
    for o in &p.options {
        let _ = write!(
            s,
            r#"<th class="num" data-option="{n}">{n}</th>"#,
            n = html(&o.name),
        );
    }
    s.push_str("</tr></thead><tbody>");
    type Cell = Box<dyn Fn(&PlanOption) -> (String, String, String)>;
    let rows: Vec<(&str, &str, Cell)> = vec![
        (
            "sites",
            "IXPs",
            Box::new(|o| {
                let mut v = o
                    .ixps
                    .iter()
                    .map(|x| x.at.as_str().to_string())
                    .collect::<Vec<_>>()
                    .join(", ");
                if let Some(ic) = &o.interconnect {
                    let _ = write!(v, " + interconnect at {}", ic.at);
                }
                (o.ixps.len().to_string(), v, o.kind.clone())
            }),
        ),
        (
            "localised-bytes",
            "Hairpinned traffic localised",
            Box::new(|o| {
                (
                    o.localised_bytes.to_string(),
                    format::bytes(o.localised_bytes),
                    format!(
                        "{} of hairpinned · {} · {}",
                        format::percent(o.share_of_hairpin_localised),
                        plural(o.localised_packets, "packet", "packets"),
                        plural(o.localised_pairs, "AS pair", "AS pairs")
                    ),
                )
            }),
        ),
        (
            "still-leaving-bytes",
            "Still leaving the zone",
            Box::new(|o| {
                (
                    o.still_leaving_bytes.to_string(),
                    format::bytes(o.still_leaving_bytes),
                    format!(
                        "{} of local traffic",
                        format::percent(o.share_of_local_still_leaving)
                    ),
                )
            }),
        ),
        (
            "localised-p95",
            "p95 of the localised traffic",
            Box::new(|o| {
                (
                    o.localised_p95_mbps.to_string(),
                    format::mbps(o.localised_p95_mbps),
                    format!(
                        "{} · {}",
                        plural(o.samples, "sample", "samples"),
                        basis_word(o.localised_p95_basis)
                    ),
                )
            }),
        ),
        (
            "latency-saved",
            "Handshake time saved",
            Box::new(|o| {
                match o.latency.saving_ms {
                Some(v) => (
                    v.to_string(),
                    format::ms(v),
                    format!(
                        "mean over {} of {}; {} without timed handshakes; TI above {} now: {} of {}, after: {} of {} with a known TI after",
                        plural(o.latency.handshakes, "handshake", "handshakes"),
                        plural(o.latency.pairs.len() as u64, "pair", "pairs"),
                        plural(o.latency.pairs_without_rtt, "pair", "pairs"),
                        TI_ACCEPTABLE_WORD,
                        o.latency.ti_above_acceptable_before,
                        o.latency.pairs_with_ti_before,
                        o.latency.ti_above_acceptable_after,
                        o.latency.pairs_with_ti_after
                    ),
                ),
                None => (
                    String::new(),
                    "not measured".into(),
                    "no localised pair with timed hairpinned handshakes".into(),
                ),
            }
            }),
        ),
        (
            "ports",
            "IXP switch ports",
            Box::new(|o| {
                let used: u32 = o
                    .ixps
                    .iter()
                    .flat_map(|x| x.switch_ports.iter())
                    .chain(o.interconnect.iter().flat_map(|i| i.switch_ports.iter()))
                    .map(|p| p.total)
                    .sum();
                let members = o.ixps.iter().map(|x| x.member_ports.len()).sum::<usize>();
                (
                    used.to_string(),
                    used.to_string(),
                    format!(
                        "{} member networks; spares included",
                        format::count(members as u64)
                    ),
                )
            }),
        ),
        (
            "cross-border",
            "Cross-border capacity",
            Box::new(|o| {
                let t: f64 = o.transport.iter().map(|t| t.needed_mbps).sum();
                (
                    t.to_string(),
                    format::mbps(t),
                    plural(o.transport.len() as u64, "circuit", "circuits"),
                )
            }),
        ),
        (
            "capex",
            "Capex (switches, ports)",
            Box::new(|o| {
                (
                    dv(o.cost.capex_usd),
                    usd_or(o.cost.capex_usd),
                    String::new(),
                )
            }),
        ),
        (
            "opex",
            "Opex per year",
            Box::new(|o| {
                (
                    dv(o.cost.opex_usd_per_year),
                    usd_or(o.cost.opex_usd_per_year),
                    "colocation, operations, transport".into(),
                )
            }),
        ),
        (
            "transit-saved",
            "Transit saved per year",
            Box::new(|o| {
                (
                    dv(o.cost.transit_saved_usd_per_year),
                    usd_or(o.cost.transit_saved_usd_per_year),
                    "members' p95 × growth × transit price".into(),
                )
            }),
        ),
        (
            "net",
            "Net per year",
            Box::new(|o| {
                (
                    dv(o.cost.net_usd_per_year),
                    usd_or(o.cost.net_usd_per_year),
                    String::new(),
                )
            }),
        ),
        (
            "payback",
            "Payback",
            Box::new(|o| (dv(o.cost.payback_months), payback(o), String::new())),
        ),
        (
            "value",
            "Value over the horizon",
            Box::new(|o| {
                (
                    dv(o.cost.value_usd),
                    usd_or(o.cost.value_usd),
                    "net per year × horizon − capex".into(),
                )
            }),
        ),
    ];
    for (id, label, f) in &rows {
        let _ = write!(s, r#"<tr data-row="{id}"><th>{}</th>"#, html(label));
        for o in &p.options {
            let (v, text, sub) = f(o);
            let _ = write!(
                s,
                r#"<td class="num" data-value="{v}"><strong>{t}</strong>{sub}</td>"#,
                v = html(&v),
                t = html(&text),
                sub = if sub.is_empty() {
                    String::new()
                } else {
                    format!(r#"<span class="sub">{}</span>"#, html(&sub))
                }
            );
        }
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table></div>");
}

/// One option's IXPs, member ports, transport, latency, cost lines and sensitivity.
fn option_detail(s: &mut String, ctx: &Ctx<'_>, o: &PlanOption, i: usize, sample_s: f64) {
    let _ = write!(
        s,
        r#"<h3 id="plan-option-{i}">Option “{n}” ({k})</h3>{d}"#,
        n = html(&o.name),
        k = html(&o.kind),
        d = o
            .description
            .as_ref()
            .map_or(String::new(), |d| format!("<p>{}</p>", html(d))),
    );
    s.push_str(r#"<table class="plan-ixps"><thead><tr><th>IXP</th><th>Members</th><th class="num">Localised</th><th class="num">p95 through it</th><th>Ports (in use + spare)</th><th class="num">Switches</th></tr></thead><tbody>"#);
    let ixp_row = |s: &mut String,
                   name: &str,
                   members: &str,
                   bytes: u64,
                   p95: f64,
                   basis: SeriesBasis,
                   ports: &[trombone_schema::plan::PortCount],
                   switches: u32| {
        let pw = ports
            .iter()
            .map(|p| {
                format!(
                    "{}×{} ({}+{})",
                    p.total,
                    p.port,
                    p.members + p.uplinks,
                    p.spares
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        let _ = write!(
            s,
            r#"<tr><td>{n}</td><td>{m}</td><td class="num" data-value="{b}">{bf}</td><td class="num" data-value="{p}">{pf}<span class="sub">{basis}</span></td><td>{pw}</td><td class="num">{sw}</td></tr>"#,
            n = html(name),
            m = html(members),
            b = bytes,
            bf = html(&format::bytes(bytes)),
            p = p95,
            pf = html(&format::mbps(p95)),
            basis = html(&format!(
                "{}, {}",
                p95_basis(o.samples, sample_s),
                basis_word(basis)
            )),
            pw = html(if pw.is_empty() { "none" } else { &pw }),
            sw = switches,
        );
    };
    for x in &o.ixps {
        let members: Vec<&str> = x.members.iter().map(|c| c.as_str()).collect();
        ixp_row(
            s,
            &x.name,
            &members.join(", "),
            x.localised_bytes,
            x.p95_mbps,
            x.p95_basis,
            &x.switch_ports,
            x.switches,
        );
    }
    if let Some(ic) = &o.interconnect {
        let members: Vec<&str> = ic.members.iter().map(|c| c.as_str()).collect();
        ixp_row(
            s,
            &format!("interconnect at {}", ic.at),
            &format!("IXPs at {}", members.join(", ")),
            ic.localised_bytes,
            ic.p95_mbps,
            ic.p95_basis,
            &ic.switch_ports,
            ic.switches,
        );
    }
    s.push_str("</tbody></table>");

    // the pairs it would carry, each once (a pair through the interconnect is on two IXPs)
    let mut seen = std::collections::BTreeSet::new();
    let mut pairs: Vec<(&str, &trombone_schema::plan::LocalisedPair)> = o
        .ixps
        .iter()
        .flat_map(|x| x.pairs.iter().map(move |p| (x.name.as_str(), p)))
        .filter(|(_, p)| seen.insert((p.src_asn, p.src_country, p.dst_asn, p.dst_country)))
        .collect();
    pairs.sort_by(|a, b| {
        b.1.bytes
            .cmp(&a.1.bytes)
            .then((a.1.src_asn, a.1.dst_asn).cmp(&(b.1.src_asn, b.1.dst_asn)))
    });
    if !pairs.is_empty() {
        s.push_str(r#"<table class="plan-pairs"><thead><tr><th class="pair-cell">Pair it would carry</th><th class="num">Localised</th><th class="num">p95</th><th>Exchanged on</th></tr></thead><tbody>"#);
        for (_, l) in pairs.iter().take(PAIR_ROWS) {
            let a = AsKey {
                asn: l.src_asn,
                country: l.src_country,
            };
            let b = AsKey {
                asn: l.dst_asn,
                country: l.dst_country,
            };
            let _ = write!(
                s,
                r#"<tr><td class="pair-cell"><span class="end">{a} →</span><span class="end">{b}</span></td><td class="num" data-value="{bv}">{bf}<span class="sub">{pk}</span></td><td class="num" data-value="{pv}">{pf}<span class="sub">{basis}</span></td><td>{path}</td></tr>"#,
                a = html(&ctx.names.short_cc(&a, 24)),
                b = html(&ctx.names.short_cc(&b, 24)),
                bv = l.bytes,
                bf = html(&format::bytes(l.bytes)),
                pk = html(&plural(l.packets, "packet", "packets")),
                pv = l.p95_mbps,
                pf = html(&format::mbps(l.p95_mbps)),
                basis = html(basis_word(l.p95_basis)),
                path = html(&l.path.join(" → ")),
            );
        }
        s.push_str("</tbody></table>");
        if pairs.len() > PAIR_ROWS {
            let _ = write!(
                s,
                r#"<p class="caption">{} more pairs in the JSON.</p>"#,
                pairs.len() - PAIR_ROWS
            );
        }
    }

    let ports: Vec<_> = o
        .ixps
        .iter()
        .flat_map(|x| x.member_ports.iter().map(move |p| (x, p)))
        .collect();
    if ports.is_empty() {
        s.push_str(
            r#"<p class="note">No member network has localised traffic in this option.</p>"#,
        );
    } else {
        s.push_str(r#"<table class="plan-ports"><thead><tr><th class="net-cell">Member network</th><th>IXP</th><th class="num">Localised p95 in</th><th class="num">out</th><th class="num">Port</th><th class="num">Use at p95</th><th class="num">Transit saved / month</th><th class="num">Cross-border reach</th></tr></thead><tbody>"#);
        for (x, p) in &ports {
            let k = AsKey {
                asn: p.asn,
                country: p.country,
            };
            let _ = write!(
                s,
                r#"<tr data-asn="{asn}"><td class="net-cell">{name}<span class="sub">{full}</span></td><td>{ixp}</td><td class="num">{i}</td><td class="num">{o}<span class="sub">{basis}</span></td><td class="num" data-value="{gbps}"><strong>{port}</strong></td><td class="num">{u}</td><td class="num" data-value="{sv}">{save}</td><td class="num">{reach}</td></tr>"#,
                asn = p.asn,
                name = html(&ctx.names.short_cc(&k, 26)),
                full = html(
                    p.name
                        .as_deref()
                        .or_else(|| ctx.names.full(p.asn))
                        .unwrap_or("")
                ),
                ixp = html(&x.name),
                i = html(&format::mbps(p.in_p95_mbps)),
                o = html(&format::mbps(p.out_p95_mbps)),
                basis = html(basis_word(p.p95_basis)),
                gbps = p.port_gbps,
                port = html(&p.port),
                u = html(&format::percent(p.utilisation_at_p95)),
                sv = dv(p.transit_saved_usd_per_month),
                save = html(&usd_or(p.transit_saved_usd_per_month)),
                reach = p.reach.as_ref().map_or("–".into(), |r| {
                    html(&format!("{} on {}", format::mbps(r.needed_mbps), r.route))
                }),
            );
        }
        s.push_str("</tbody></table>");
    }
    if !o.transport.is_empty() {
        s.push_str(r#"<table class="plan-transport"><thead><tr><th>Cross-border transport</th><th>Route</th><th class="num">Capacity</th><th class="num">Price / Mbps / month</th><th class="num">Per year</th></tr></thead><tbody>"#);
        for t in &o.transport {
            let _ = write!(
                s,
                r#"<tr><td>{p}</td><td>{r}</td><td class="num" data-value="{nv}">{n}</td><td class="num">{pr}</td><td class="num">{y}</td></tr>"#,
                p = html(&t.purpose),
                r = html(&t.route),
                nv = t.needed_mbps,
                n = html(&format::mbps(t.needed_mbps)),
                pr = html(&usd_or(t.price_usd_per_mbps_month)),
                y = html(&usd_or(t.usd_per_year)),
            );
        }
        s.push_str("</tbody></table>");
    }
    if !o.latency.pairs.is_empty() {
        s.push_str(r#"<table class="plan-latency"><thead><tr><th class="pair-cell">Localised pair</th><th class="num">Handshakes</th><th class="num">Hairpinned median</th><th class="num">Baseline</th><th class="num">Extra distance</th><th class="num">Saved</th><th class="num">TI now → after</th></tr></thead><tbody>"#);
        for l in o.latency.pairs.iter().take(LATENCY_ROWS) {
            let a = AsKey {
                asn: l.src_asn,
                country: l.src_country,
            };
            let b = AsKey {
                asn: l.dst_asn,
                country: l.dst_country,
            };
            let ti = |t: Option<f64>| t.map_or("–".into(), |v| format::sig(v, 3));
            let _ = write!(
                s,
                r#"<tr><td class="pair-cell"><span class="end">{a} →</span><span class="end">{b}</span></td><td class="num">{n}</td><td class="num">{h}</td><td class="num">{bl}<span class="sub">{bb}</span></td><td class="num">{x}</td><td class="num" data-value="{sv}"><strong>{sf}</strong></td><td class="num">{t0} → {t1}</td></tr>"#,
                a = html(&ctx.names.short_cc(&a, 24)),
                b = html(&ctx.names.short_cc(&b, 24)),
                n = format::count(l.handshakes),
                h = html(&format::ms(l.hairpinned_median_ms)),
                bl = html(&format::ms(l.baseline_ms)),
                bb = html(&l.baseline_basis),
                x = html(&format::ms(l.extra_ms)),
                sv = l.saving_ms,
                sf = html(&format::ms(l.saving_ms)),
                t0 = html(&ti(l.ti_before)),
                t1 = html(&ti(l.ti_after)),
            );
        }
        s.push_str("</tbody></table>");
        if o.latency.pairs.len() > LATENCY_ROWS {
            let _ = write!(
                s,
                r#"<p class="caption">{} more pairs in the JSON.</p>"#,
                o.latency.pairs.len() - LATENCY_ROWS
            );
        }
    }
    s.push_str(r#"<table class="plan-cost"><thead><tr><th>Cost line</th><th><code>key</code></th><th class="num">Quantity</th><th class="num">Unit</th><th class="num">USD</th></tr></thead><tbody>"#);
    for (when, items) in [
        ("capex", &o.cost.capex_items),
        ("per year", &o.cost.opex_items),
    ] {
        for c in items.iter() {
            let _ = write!(
                s,
                r#"<tr><td>{i} <span class="muted small">({when})</span></td><td><code>{k}</code></td><td class="num">{q}</td><td class="num">{u}</td><td class="num">{v}</td></tr>"#,
                i = html(&c.item),
                k = html(&c.key),
                q = html(&format::plain(c.quantity)),
                u = html(&usd_or(c.unit_usd)),
                v = html(&usd_or(c.usd)),
            );
        }
    }
    s.push_str("</tbody></table>");
    s.push_str(r#"<table class="plan-sensitivity"><thead><tr><th>Case</th><th class="num">Growth</th><th class="num">Capex</th><th class="num">Opex / year</th><th class="num">Transit saved / year</th><th class="num">Payback</th><th class="num">Value over the horizon</th></tr></thead><tbody>"#);
    for r in &o.sensitivity {
        let _ = write!(
            s,
            r#"<tr><td>{c}</td><td class="num">× {g}</td><td class="num">{cx}</td><td class="num">{ox}</td><td class="num">{ts}</td><td class="num" data-value="{pv}">{pb}</td><td class="num" data-value="{vv}">{vf}</td></tr>"#,
            c = html(&r.case),
            g = html(&format::plain(r.growth)),
            cx = html(&usd_or(r.capex_usd)),
            ox = html(&usd_or(r.opex_usd_per_year)),
            ts = html(&usd_or(r.transit_saved_usd_per_year)),
            pv = dv(r.payback_months),
            vv = dv(r.value_usd),
            vf = html(&usd_or(r.value_usd)),
            pb = html(&match r.payback_months {
                Some(m) => format!("{} months", format::sig(m, 3)),
                // the value needs capex, opex and transit saved: without it, not priced
                None if r.value_usd.is_none() => "not priced".into(),
                None => "never".into(),
            }),
        );
    }
    s.push_str("</tbody></table>");
}
