//! Report sections from the `sizing` part: rate charts per network and link with their
//! figures printed beside them, and the what-if peering table (IXP ports and transit
//! cost). Merged results carry rates derived from their summed series, so every figure
//! here is the combined one.

use crate::chart_rate::{rate_chart, Geometry, Series, MAX_POINTS};
use crate::escape::html;
use crate::evidence::{p95_basis, p95_label, Grade};
use crate::format::{self, plural};
use crate::html_page::Ctx;
use crate::names::{country, AsKey};
use std::fmt::Write as _;
use trombone_schema::{Rate, SizingReport};

/// Networks with a chart (the table lists more).
const NETWORK_CHARTS: usize = 6;
/// Hairpin rate charts in the port section.
const PORT_CHARTS: usize = 6;
/// Rows of the network and pair rate tables (the CSV has all).
const RATE_ROWS: usize = 20;

/// Writes the rates and port-sizing sections.
pub(crate) fn sections(s: &mut String, ctx: &Ctx<'_>) {
    let Some(z) = &ctx.r.sizing else {
        s.push_str(r#"<section id="rates"><h2>Rates and port sizing</h2><p class="note">This result has no <code>sizing</code> section (written by an older trombone), so rates, percentiles and port recommendations are not available.</p></section>"#);
        return;
    };
    rates_section(s, ctx, z);
    ports_section(s, ctx, z);
}

/// "p95 of 12 samples of 5 min · indicative: …".
fn samples_note(ctx: &Ctx<'_>, r: &Rate, z: &SizingReport) -> String {
    let g = Grade::of_p95(ctx.covered_s(), r.samples);
    format!(
        r#"<span class="g-text-{w}">{b} · {l}</span>"#,
        w = g.word(),
        b = html(&p95_basis(r.samples, z.sample_s)),
        l = html(&p95_label(ctx.covered_s(), r.samples)),
    )
}

/// An in/out summary table under a chart.
fn rate_table(rows: &[(&str, &str, &Rate)]) -> String {
    let mut s = String::from(
        r#"<table class="rate-table"><thead><tr><th></th><th class="num">Average</th><th class="num">p90</th><th class="num">p95</th><th class="num">Max sample</th><th class="num">Busiest bin</th><th class="num">p95 packets/s</th><th class="num">Bytes</th></tr></thead><tbody>"#,
    );
    for (label, class, r) in rows {
        let _ = write!(
            s,
            r#"<tr><td><span class="key {class}"></span>{label}</td><td class="num">{avg}</td><td class="num">{p90}</td><td class="num" data-value="{p95v}">{p95}</td><td class="num">{max}</td><td class="num">{peak}</td><td class="num">{pps}</td><td class="num">{b}</td></tr>"#,
            label = html(label),
            avg = html(&format::mbps(r.avg_mbps)),
            p90 = html(&format::mbps(r.p90_mbps)),
            p95v = r.p95_mbps,
            p95 = html(&format::mbps(r.p95_mbps)),
            max = html(&format::mbps(r.max_mbps)),
            peak = html(&format::mbps(r.peak_bin_mbps)),
            pps = html(&format::pps(r.p95_pps)),
            b = html(&format::bytes(r.bytes)),
        );
    }
    s.push_str("</tbody></table>");
    s
}

/// One chart card: title, in/out chart with p95 lines, and (wide charts) the figures.
/// `head` is (title, note at the right); `in_`/`out` are (legend text, rate); `unknown` is
/// traffic of unknown direction (table only); `compact` draws a half-width chart whose
/// figures are printed in a line under it.
fn rate_figure(
    (title, meta): (&str, &str),
    z: &SizingReport,
    in_: (&str, &Rate),
    out: (&str, &Rate),
    unknown: Option<&Rate>,
    id: &str,
    compact: bool,
) -> String {
    let step = |r: &Rate| {
        if r.series_step_s > 0.0 {
            r.series_step_s
        } else {
            z.sample_s
        }
    };
    let series = [
        Series {
            label: "in",
            class: "s-in",
            values: &in_.1.series_mbps,
            step_s: step(in_.1),
            p95_mbps: in_.1.p95_mbps,
        },
        Series {
            label: "out",
            class: "s-out",
            values: &out.1.series_mbps,
            step_s: step(out.1),
            p95_mbps: out.1.p95_mbps,
        },
    ];
    // What one drawn point stands for.
    let longest = series.iter().map(|x| x.values.len()).max().unwrap_or(0);
    let per = longest.div_ceil(MAX_POINTS).max(1);
    let resolution = if per > 1 {
        format!(
            "highest of each {} drawn",
            format::duration(series[0].step_s * per as f64)
        )
    } else {
        format!("one point per {}", format::duration(series[0].step_s))
    };
    let geometry = if compact {
        Geometry::COMPACT
    } else {
        Geometry::WIDE
    };
    // The chart starts at the first sample interval the span touches.
    let start = z.first_bin_ns.map(|ns| {
        let sample_ns = (z.sample_s * 1e9) as i64;
        if sample_ns > 0 {
            ns.div_euclid(sample_ns).saturating_mul(sample_ns)
        } else {
            ns
        }
    });
    format!(
        r#"<figure class="rate-figure"><figcaption><span class="fig-title">{title}</span><span class="fig-meta">{meta}</span></figcaption><div class="legend-keys"><span><span class="key in"></span>{li}</span><span><span class="key out"></span>{lo}</span><span><span class="key dash"></span>p95 of {sample} samples</span><span>{resolution}</span></div>{chart}{table}</figure>"#,
        title = html(title),
        li = html(in_.0),
        lo = html(out.0),
        sample = html(&format::duration(z.sample_s)),
        resolution = html(&resolution),
        chart = rate_chart(&series, start, id, geometry),
        table = if compact {
            format!(
                r#"<p class="small">p95 in <strong>{}</strong>, out <strong>{}</strong>; average in {}, out {}{}.</p>"#,
                html(&format::mbps(in_.1.p95_mbps)),
                html(&format::mbps(out.1.p95_mbps)),
                html(&format::mbps(in_.1.avg_mbps)),
                html(&format::mbps(out.1.avg_mbps)),
                unknown.map_or(String::new(), |u| format!(
                    "; direction unknown: {} (not drawn)",
                    html(&format::bytes(u.bytes))
                ))
            )
        } else {
            let mut rows = vec![(in_.0, "in", in_.1), (out.0, "out", out.1)];
            if let Some(u) = unknown {
                rows.push(("direction unknown (not drawn)", "unknown", u));
            }
            rate_table(&rows)
        },
    )
}

fn higher<'a>(a: &'a Rate, b: &'a Rate) -> &'a Rate {
    if a.p95_mbps >= b.p95_mbps {
        a
    } else {
        b
    }
}

fn rates_section(s: &mut String, ctx: &Ctx<'_>, z: &SizingReport) {
    let sample_len = html(&format::duration(z.sample_s));
    let _ = write!(
        s,
        r#"<section id="rates" class="page-break"><h2>Traffic rates over time</h2><p class="lede">Rates per network and link in both directions, one point per sample, with the 95th percentile of the sample rates (the IXP convention for billing and planning: the higher of in and out p95, usually over 5-minute samples; this result's samples are {sample_len}). Percentiles come from the analysis, not from the drawn points; the figures are printed under each chart and in the tables.</p>"#
    );
    let _ = write!(
        s,
        r#"<p class="small muted">Bins of {bin} ({bins}); samples of {sample}, aligned to the clock ({n}; the first and last may be partial).</p>"#,
        bin = html(&format::duration(z.bin_s)),
        bins = html(&plural(z.bins, "bin", "bins")),
        sample = html(&format::duration(z.sample_s)),
        n = html(&plural(z.samples, "sample interval", "sample intervals")),
    );
    if let Some(p) = z.packet_size.as_ref().filter(|p| p.samples > 0) {
        let _ = write!(
            s,
            r#"<p class="small muted">Packet sizes over all {} (layer 3): mean {} B, median {} B, p90 {} B, p99 {} B.</p>"#,
            html(&plural(p.samples, "IP packet", "IP packets")),
            format::sig(p.mean, 3),
            p.p50,
            p.p90,
            p.p99
        );
    }
    if z.unbinned_packets > 0 {
        let _ = write!(
            s,
            r#"<p class="note warn">{} had unusable timestamps and are left out of the rates; they are counted in the matrices.</p>"#,
            html(&plural(z.unbinned_packets, "packet", "packets"))
        );
    }
    if z.samples < 2 {
        let _ = write!(
            s,
            r#"<p class="note warn">The traffic lies within a single {} sample interval, so every p95 below rests on a single (possibly partial) sample. Capture for longer to size ports.</p>"#,
            html(&format::duration(z.sample_s))
        );
    }
    if let Some(t) = &z.total {
        let _ = write!(
            s,
            r#"<p>All traffic: average {}, p95 <strong data-value="{}" id="total-p95">{}</strong> ({}), busiest bin {}.</p>"#,
            html(&format::mbps(t.avg_mbps)),
            t.p95_mbps,
            html(&format::mbps(t.p95_mbps)),
            html(&p95_basis(t.samples, z.sample_s)),
            html(&format::mbps(t.peak_bin_mbps))
        );
    }
    // With one sample there is no curve to draw: the tables carry the figures.
    let draw = z.samples >= 2;
    if !z.networks.is_empty() {
        s.push_str("<h3>Per network</h3>");
        if draw {
            s.push_str(r#"<div class="grid2">"#);
            for (i, n) in z.networks.iter().take(NETWORK_CHARTS).enumerate() {
                let k = AsKey {
                    asn: n.asn,
                    country: n.country,
                };
                s.push_str(&rate_figure(
                    (
                        &ctx.names.short_cc(&k, 24),
                        &samples_note(ctx, higher(&n.inbound, &n.outbound), z),
                    ),
                    z,
                    ("into the network", &n.inbound),
                    ("out of the network", &n.outbound),
                    None,
                    &format!("rate-net-{i}"),
                    true,
                ));
            }
            s.push_str("</div>");
        }
        network_table(s, ctx, z);
    }
    if !z.links.is_empty() {
        s.push_str("<h3>Per link of the vantage</h3>");
        if draw {
            s.push_str(r#"<div class="grid2">"#);
            for (i, l) in z.links.iter().enumerate() {
                let title = format!("{} — {}", l.name, ctx.names.neighbour(l.asn));
                s.push_str(&rate_figure(
                    (
                        &title,
                        &samples_note(ctx, higher(&l.inbound, &l.outbound), z),
                    ),
                    z,
                    ("in from the neighbour", &l.inbound),
                    ("out to the neighbour", &l.outbound),
                    l.unknown_direction.as_ref(),
                    &format!("rate-link-{i}"),
                    true,
                ));
            }
            s.push_str("</div>");
        }
        links_table(s, ctx, z);
    }
    if !z.pairs.is_empty() {
        s.push_str(r#"<h3>Busiest AS pairs</h3><table class="pair-rates"><thead><tr><th>Source AS</th><th>Destination AS</th><th class="num">Average</th><th class="num">p95</th><th class="num">Max sample</th><th class="num">Busiest bin</th><th class="num">Bytes</th></tr></thead><tbody>"#);
        for p in z.pairs.iter().take(RATE_ROWS) {
            let r = &p.rate;
            let _ = write!(
                s,
                r#"<tr><td>{src}</td><td>{dst}</td><td class="num">{avg}</td><td class="num" data-value="{p95v}">{p95}</td><td class="num">{max}</td><td class="num">{peak}</td><td class="num">{b}</td></tr>"#,
                src = html(&ctx.names.short_cc(
                    &AsKey {
                        asn: p.src_asn,
                        country: p.src_country
                    },
                    20
                )),
                dst = html(&ctx.names.short_cc(
                    &AsKey {
                        asn: p.dst_asn,
                        country: p.dst_country
                    },
                    20
                )),
                avg = html(&format::mbps(r.avg_mbps)),
                p95v = r.p95_mbps,
                p95 = html(&format::mbps(r.p95_mbps)),
                max = html(&format::mbps(r.max_mbps)),
                peak = html(&format::mbps(r.peak_bin_mbps)),
                b = html(&format::bytes(r.bytes)),
            );
        }
        s.push_str("</tbody></table>");
        more_rows(s, z.pairs.len(), "AS pairs");
    }
    s.push_str("</section>");
}

/// Says how many rows a table left out and where to find them.
fn more_rows(s: &mut String, total: usize, what: &str) {
    if total > RATE_ROWS {
        let _ = write!(
            s,
            r#"<p class="caption">The {RATE_ROWS} busiest of {total} {what} in the result; <code>trombone report --format csv --table rates</code> lists them all.</p>"#
        );
    }
}

fn links_table(s: &mut String, ctx: &Ctx<'_>, z: &SizingReport) {
    s.push_str(r#"<table class="link-rates" id="link-rates"><thead><tr><th>Link</th><th>Neighbour</th><th class="num">In p95</th><th class="num">Out p95</th><th class="num">In average</th><th class="num">Out average</th><th class="num">Busiest bin</th><th class="num">Direction unknown</th><th class="num">Samples</th></tr></thead><tbody>"#);
    for l in &z.links {
        let _ = write!(
            s,
            r#"<tr><td>{name}</td><td>{nb} · {cc}</td><td class="num" data-value="{ip}">{ipf}</td><td class="num" data-value="{op}">{opf}</td><td class="num">{ia}</td><td class="num">{oa}</td><td class="num">{peak}</td><td class="num">{unk}</td><td class="num">{n}</td></tr>"#,
            name = html(&l.name),
            nb = html(&ctx.names.neighbour(l.asn)),
            cc = html(&country(l.country)),
            ip = l.inbound.p95_mbps,
            ipf = html(&format::mbps(l.inbound.p95_mbps)),
            op = l.outbound.p95_mbps,
            opf = html(&format::mbps(l.outbound.p95_mbps)),
            ia = html(&format::mbps(l.inbound.avg_mbps)),
            oa = html(&format::mbps(l.outbound.avg_mbps)),
            peak = html(&format::mbps(
                l.inbound.peak_bin_mbps.max(l.outbound.peak_bin_mbps)
            )),
            unk = l
                .unknown_direction
                .as_ref()
                .map_or("–".into(), |u| html(&format::bytes(u.bytes))),
            n = format::count(l.inbound.samples.max(l.outbound.samples)),
        );
    }
    s.push_str("</tbody></table>");
}

fn network_table(s: &mut String, ctx: &Ctx<'_>, z: &SizingReport) {
    s.push_str(r#"<table class="network-rates"><thead><tr><th>Network</th><th class="num">In p95</th><th class="num">Out p95</th><th class="num">In average</th><th class="num">Out average</th><th class="num">Busiest bin</th><th class="num">Mean packet</th><th>Packet sizes</th><th class="num">Samples</th></tr></thead><tbody>"#);
    for n in z.networks.iter().take(RATE_ROWS) {
        let k = AsKey {
            asn: n.asn,
            country: n.country,
        };
        let mix = Some(&n.packet_sizes).filter(|m| m.packets > 0);
        let _ = write!(
            s,
            r#"<tr><td>{name}</td><td class="num" data-value="{ip}">{ipf}</td><td class="num" data-value="{op}">{opf}</td><td class="num">{ia}</td><td class="num">{oa}</td><td class="num">{peak}</td><td class="num">{mean}</td><td>{ps}</td><td class="num">{n}</td></tr>"#,
            name = html(&ctx.names.short_cc(&k, 26)),
            ip = n.inbound.p95_mbps,
            ipf = html(&format::mbps(n.inbound.p95_mbps)),
            op = n.outbound.p95_mbps,
            opf = html(&format::mbps(n.outbound.p95_mbps)),
            ia = html(&format::mbps(n.inbound.avg_mbps)),
            oa = html(&format::mbps(n.outbound.avg_mbps)),
            peak = html(&format::mbps(
                n.inbound.peak_bin_mbps.max(n.outbound.peak_bin_mbps)
            )),
            mean = mix.map_or("–".into(), |m| format!("{} B", format::sig(m.mean, 3))),
            ps = mix.map_or(String::new(), crate::chart_sizes::size_mix),
            n = format::count(n.inbound.samples.max(n.outbound.samples)),
        );
    }
    s.push_str("</tbody></table>");
    more_rows(s, z.networks.len(), "networks");
}

fn ports_section(s: &mut String, ctx: &Ctx<'_>, z: &SizingReport) {
    s.push_str(r#"<section id="ports"><h2>What if these networks peered locally?</h2><p class="lede">If the hairpinning networks exchanged this traffic at a local IXP instead, each would need a port sized for its hairpin traffic, and would stop buying that much international transit.</p>"#);
    let Some(w) = &z.what_if else {
        s.push_str(r#"<p class="note">No what-if section in this result (hairpin detection off).</p></section>"#);
        return;
    };
    let speeds = z
        .port_speeds_gbps
        .iter()
        .map(|g| format!("{}GE", format::plain(*g)))
        .collect::<Vec<_>>()
        .join(", ");
    let _ = write!(
        s,
        r#"<dl class="facts"><dt>Networks</dt><dd>{who}</dd><dt>Port rule</dt><dd>smallest standard port ({speeds}) keeping p95 × growth at or under {t} utilisation</dd><dt>Growth factor</dt><dd>× {g}</dd><dt>Transit price</dt><dd>{p} per Mbps per month{src}</dd><dt>Savings</dt><dd>hairpin p95 (higher of in/out) × transit price</dd><dt>Evidence</dt><dd>{basis} · {grade}</dd></dl>"#,
        who = if w.asns_given {
            "as given with --what-if-asns"
        } else {
            "every zone network with hairpinned traffic"
        },
        speeds = html(&speeds),
        t = html(&format::percent(z.port_target)),
        g = html(&format::plain(z.growth)),
        p = html(&format::usd(z.transit_price_usd_per_mbps_month)),
        src = if (z.transit_price_usd_per_mbps_month - 100.0).abs() < 1e-9 {
            " (the default: UN ESCAP's 2016 figure for Cambodia, Lao PDR and Myanmar)"
        } else {
            " (set with --transit-price)"
        },
        basis = html(&p95_basis(z.samples, z.sample_s)),
        grade = html(&p95_label(ctx.covered_s(), z.samples)),
    );
    let ports = ctx.known_ports();
    if ports.is_empty() {
        s.push_str(r#"<p class="note">No known network qualified (no zone network in the database had hairpin traffic).</p>"#);
    } else {
        s.push_str(r#"<table id="port-table" class="port-table"><thead><tr><th class="net-cell">Network</th><th class="num">Hairpin p95 in</th><th class="num">p95 out</th><th class="num">p95 (higher)</th><th class="num">Needed</th><th class="num">Port</th><th class="num">Use at p95</th><th class="num">Transit saved / month</th></tr></thead><tbody>"#);
        for p in &ports {
            let samples = p.hairpin_in.samples.max(p.hairpin_out.samples);
            let few = Grade::of_p95(ctx.covered_s(), samples) == Grade::Indicative;
            let _ = write!(
                s,
                r#"<tr data-asn="{asn}"><td class="net-cell">AS{asn} · {cc}<span class="sub">{full}</span></td><td class="num">{pin}</td><td class="num">{pout}</td><td class="num" data-value="{p95v}">{p95}<span class="sub{fewc}">{samples}</span></td><td class="num" data-value="{nv}">{need}</td><td class="num" data-value="{port_v}"><strong>{port}</strong></td><td class="num">{util}</td><td class="num" data-value="{sv}">{save}</td></tr>"#,
                asn = p.asn,
                cc = html(&country(p.country)),
                full = html(
                    p.name
                        .as_deref()
                        .or_else(|| ctx.names.full(p.asn))
                        .unwrap_or("")
                ),
                pin = html(&format::mbps(p.hairpin_in.p95_mbps)),
                pout = html(&format::mbps(p.hairpin_out.p95_mbps)),
                p95v = p.p95_mbps,
                p95 = html(&format::mbps(p.p95_mbps)),
                fewc = if few { " warn-text" } else { "" },
                samples = html(&plural(samples, "sample", "samples")),
                nv = p.needed_mbps,
                need = html(&format::mbps(p.needed_mbps)),
                port_v = p.port_gbps.map_or(String::new(), |g| g.to_string()),
                port = html(p.port.as_deref().unwrap_or("beyond largest")),
                util = p
                    .utilisation_at_p95
                    .map_or("–".into(), |u| html(&format::percent(u))),
                sv = p.transit_saved_usd_per_month,
                save = html(&format::usd(p.transit_saved_usd_per_month)),
            );
        }
        let total = ctx.transit_saved().unwrap_or(0.0);
        let _ = write!(
            s,
            r#"</tbody><tfoot><tr><td colspan="7">Total transit no longer bought</td><td class="num" data-value="{total}">{t}</td></tr></tfoot></table>"#,
            t = html(&format::usd(total))
        );
    }
    let unknown = ctx.unknown_networks();
    if !unknown.is_empty() {
        s.push_str(r#"<h3>Not sized: addresses in no known network</h3><p class="small">The database maps these addresses to no network (ASN 0), so no port can be recommended and no saving is counted for them; their hairpinned traffic is in every other figure.</p><table id="unknown-networks"><thead><tr><th>Country of the addresses</th><th class="num">Hairpinned bytes</th><th class="num">Hairpin p95 (higher of in and out)</th></tr></thead><tbody>"#);
        for u in &unknown {
            let _ = write!(
                s,
                r#"<tr><td>{c}</td><td class="num" data-value="{b}">{bf}</td><td class="num">{p}</td></tr>"#,
                c = html(&country(u.country)),
                b = u.bytes,
                bf = html(&format::bytes(u.bytes)),
                p = html(&format::mbps(u.p95_mbps)),
            );
        }
        s.push_str("</tbody></table>");
    }
    let mut charted: Vec<_> = ports.clone();
    charted.sort_by(|a, b| b.p95_mbps.total_cmp(&a.p95_mbps));
    // With one sample there is no curve to draw: the table has the figures.
    if !charted.is_empty() && z.samples >= 2 {
        s.push_str(r#"<h3>Hairpin traffic of these networks</h3><div class="grid2">"#);
        for (i, p) in charted.iter().take(PORT_CHARTS).enumerate() {
            let k = AsKey {
                asn: p.asn,
                country: p.country,
            };
            s.push_str(&rate_figure(
                (
                    &ctx.names.short_cc(&k, 22),
                    &format!(
                        "port {}",
                        html(p.port.as_deref().unwrap_or("beyond largest"))
                    ),
                ),
                z,
                ("hairpin in", &p.hairpin_in),
                ("hairpin out", &p.hairpin_out),
                None,
                &format!("rate-port-{i}"),
                true,
            ));
        }
        s.push_str("</div>");
    }
    s.push_str("</section>");
}
