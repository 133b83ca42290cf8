//! Report sections from the `sizing` part: rate charts per network and link, and the
//! what-if peering table (IXP ports and transit cost). Always per result file: percentiles
//! cannot be merged.

use crate::chart_rate::{rate_chart, Geometry, Series, MAX_POINTS};
use crate::escape::html;
use crate::format;
use crate::html_page::Ctx;
use crate::merge::AsKey;
use crate::model::{Rate, Sizing};
use crate::names::country;
use std::fmt::Write as _;

/// Networks with a chart (the table lists all).
const NETWORK_CHARTS: usize = 6;
/// Hairpin rate charts in the port section.
const PORT_CHARTS: usize = 6;
/// Rows of the network and pair rate tables (the CSV has all).
const RATE_ROWS: usize = 20;

/// Writes the rates and port-sizing sections when any result has a sizing part.
pub(crate) fn sections(s: &mut String, ctx: &Ctx<'_>) {
    if !ctx.files.iter().any(|f| f.result.sizing.is_some()) {
        s.push_str(r#"<section id="rates"><h2>Rates and port sizing</h2><p class="note">This result has no <code>sizing</code> section (written by an older trombone), so rates, percentiles and port recommendations are not available.</p></section>"#);
        return;
    }
    rates_section(s, ctx);
    ports_section(s, ctx);
}

/// "p95 of 12 samples of 5 min" with a warning style when few.
fn samples_note(r: &Rate, z: &Sizing) -> String {
    let few = r.samples < 20;
    format!(
        r#"<span class="{c}">p95 rests on {n} sample{pl} of {len}{w}</span>"#,
        c = if few { "warn-text" } else { "muted" },
        n = r.samples,
        pl = if r.samples == 1 { "" } else { "s" },
        len = html(&format::duration(z.sample_s)),
        w = if few { " — indicative only" } else { "" }
    )
}

/// A two-row in/out summary table under a chart.
fn rate_table(rows: &[(&str, &str, &Rate)]) -> String {
    let mut s = String::from(
        r#"<table class="rate-table"><thead><tr><th></th><th class="num">Average</th><th class="num">p90</th><th class="num">p95</th><th class="num">Max sample</th><th class="num">Busiest bin</th><th class="num">p95 packets/s</th><th class="num">Bytes</th></tr></thead><tbody>"#,
    );
    for (label, class, r) in rows {
        let _ = write!(
            s,
            r#"<tr><td><span class="key {class}"></span>{label}</td><td class="num">{avg}</td><td class="num">{p90}</td><td class="num" data-value="{p95v}">{p95}</td><td class="num">{max}</td><td class="num">{peak}</td><td class="num">{pps}</td><td class="num">{b}</td></tr>"#,
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

/// One chart card: title, in/out chart with p95 lines, and (wide charts) the summary table.
/// `head` is (title, note at the right); `in_`/`out` are (legend text, rate); `unknown` is
/// traffic of unknown direction (table only); `compact` draws a half-width chart without table.
fn rate_figure(
    (title, meta): (&str, &str),
    z: &Sizing,
    in_: (&str, &Rate),
    out: (&str, &Rate),
    unknown: Option<&Rate>,
    id: &str,
    compact: bool,
) -> String {
    let step = |r: &Rate| r.series_step_s.filter(|v| *v > 0.0).unwrap_or(z.bin_s);
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
    } else if (series[0].step_s - z.bin_s).abs() > 1e-9 {
        format!("one point per {}", format::duration(series[0].step_s))
    } else {
        format!("one point per {} bin", format::duration(z.bin_s))
    };
    let geometry = if compact {
        Geometry::COMPACT
    } else {
        Geometry::WIDE
    };
    format!(
        r#"<figure class="rate-figure"><figcaption><span class="fig-title">{title}</span><span class="fig-meta">{meta}</span></figcaption><div class="legend-keys"><span><span class="key in"></span>{li}</span><span><span class="key out"></span>{lo}</span><span><span class="key dash"></span>p95 of {sample} samples</span><span>{resolution}</span></div>{chart}{table}</figure>"#,
        title = html(title),
        li = html(in_.0),
        lo = html(out.0),
        sample = html(&format::duration(z.sample_s)),
        resolution = html(&resolution),
        chart = rate_chart(&series, z.first_bin_ns, id, geometry),
        table = if compact {
            String::new()
        } else {
            let mut rows = vec![(in_.0, "in", in_.1), (out.0, "out", out.1)];
            if let Some(u) = unknown {
                rows.push(("direction unknown (not drawn)", "unknown", u));
            }
            rate_table(&rows)
        },
    )
}

fn rates_section(s: &mut String, ctx: &Ctx<'_>) {
    s.push_str(r#"<section id="rates" class="page-break"><h2>Traffic rates over time</h2><p class="lede">Rates per network in both directions, in fixed bins, with the 95th percentile of the sampled rate (the IXP convention for billing and planning: the higher of in and out p95 over 5-minute samples). Percentiles come from the analysis, not from the drawn series.</p>"#);
    if ctx.multi() {
        s.push_str(r#"<p class="note">Percentiles cannot be merged across result files, so rates are shown per file.</p>"#);
    }
    for (fi, f) in ctx.files.iter().enumerate() {
        let Some(z) = &f.result.sizing else { continue };
        s.push_str(&ctx.file_heading(f));
        let _ = write!(
            s,
            r#"<p class="small muted">Bins of {bin} ({bins} bins); samples of {sample}, aligned to the clock ({n} sample interval{pl}; the first and last may be partial).</p>"#,
            bin = html(&format::duration(z.bin_s)),
            bins = format::count(z.bins),
            sample = html(&format::duration(z.sample_s)),
            n = z.samples,
            pl = if z.samples == 1 { "" } else { "s" }
        );
        if let Some(p) = z.packet_size.filter(|p| p.samples > 0) {
            let _ = write!(
                s,
                r#"<p class="small muted">Packet sizes over all {} IP packets (layer 3): mean {} B, median {} B, p90 {} B, p99 {} B.</p>"#,
                format::count(p.samples),
                format::sig(p.mean, 3),
                format::plain(p.p50),
                format::plain(p.p90),
                format::plain(p.p99)
            );
        }
        if z.unbinned_packets > 0 {
            let _ = write!(
                s,
                r#"<p class="note warn">{} packets had timestamps far (weeks) from the rest and are left out of the rates; they are counted in the matrices.</p>"#,
                format::count(z.unbinned_packets)
            );
        }
        if z.samples < 2 {
            let _ = write!(
                s,
                r#"<p class="note warn">The capture lies within a single {} sample interval, so every p95 below rests on a single (possibly partial) sample. Capture for longer to size ports.</p>"#,
                html(&format::duration(z.sample_s))
            );
        }
        if !z.networks.is_empty() {
            s.push_str("<h3>Per network</h3>");
            for (i, n) in z.networks.iter().take(NETWORK_CHARTS).enumerate() {
                let k = AsKey {
                    asn: n.asn,
                    country: n.country.clone(),
                };
                s.push_str(&rate_figure(
                    (
                        &ctx.names.long_cc(&k),
                        &samples_note(
                            if n.in_.p95_mbps >= n.out.p95_mbps {
                                &n.in_
                            } else {
                                &n.out
                            },
                            z,
                        ),
                    ),
                    z,
                    ("into the network", &n.in_),
                    ("out of the network", &n.out),
                    None,
                    &format!("rate-{fi}-net-{i}"),
                    false,
                ));
            }
            network_table(s, ctx, z);
        }
        if !z.links.is_empty() {
            s.push_str("<h3>Per link of the vantage</h3>");
            for (i, l) in z.links.iter().enumerate() {
                let title = format!(
                    "{} — AS{} {} ({})",
                    l.name,
                    l.asn,
                    ctx.names
                        .full(l.asn)
                        .map(crate::names::handle)
                        .unwrap_or(""),
                    country(l.country.as_deref())
                );
                s.push_str(&rate_figure(
                    (
                        &title,
                        &samples_note(
                            if l.in_.p95_mbps >= l.out.p95_mbps {
                                &l.in_
                            } else {
                                &l.out
                            },
                            z,
                        ),
                    ),
                    z,
                    ("in from the neighbour", &l.in_),
                    ("out to the neighbour", &l.out),
                    l.unknown_direction.as_ref(),
                    &format!("rate-{fi}-link-{i}"),
                    false,
                ));
            }
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
                            country: p.src_country.clone()
                        },
                        20
                    )),
                    dst = html(&ctx.names.short_cc(
                        &AsKey {
                            asn: p.dst_asn,
                            country: p.dst_country.clone()
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

fn network_table(s: &mut String, ctx: &Ctx<'_>, z: &Sizing) {
    s.push_str(r#"<table class="network-rates"><thead><tr><th>Network</th><th class="num">In p95</th><th class="num">Out p95</th><th class="num">In average</th><th class="num">Out average</th><th class="num">Busiest bin</th><th class="num">Mean packet</th><th>Packet sizes</th><th class="num">Samples</th></tr></thead><tbody>"#);
    for n in z.networks.iter().take(RATE_ROWS) {
        let k = AsKey {
            asn: n.asn,
            country: n.country.clone(),
        };
        let _ = write!(
            s,
            r#"<tr><td>{name}</td><td class="num" data-value="{ip}">{ipf}</td><td class="num" data-value="{op}">{opf}</td><td class="num">{ia}</td><td class="num">{oa}</td><td class="num">{peak}</td><td class="num">{mean}</td><td>{ps}</td><td class="num">{n}</td></tr>"#,
            name = html(&ctx.names.short_cc(&k, 26)),
            ip = n.in_.p95_mbps,
            ipf = html(&format::mbps(n.in_.p95_mbps)),
            op = n.out.p95_mbps,
            opf = html(&format::mbps(n.out.p95_mbps)),
            ia = html(&format::mbps(n.in_.avg_mbps)),
            oa = html(&format::mbps(n.out.avg_mbps)),
            peak = html(&format::mbps(n.in_.peak_bin_mbps.max(n.out.peak_bin_mbps))),
            mean = n
                .packet_sizes
                .as_ref()
                .filter(|m| m.packets > 0)
                .map_or("–".into(), |m| format!("{} B", format::sig(m.mean, 3))),
            ps = n
                .packet_sizes
                .as_ref()
                .filter(|m| m.packets > 0)
                .map_or(String::new(), crate::chart_sizes::size_mix),
            n = n.in_.samples.max(n.out.samples),
        );
    }
    s.push_str("</tbody></table>");
    more_rows(s, z.networks.len(), "networks");
}

fn ports_section(s: &mut String, ctx: &Ctx<'_>) {
    s.push_str(r#"<section id="ports"><h2>What if these networks peered locally?</h2><p class="lede">If the hairpinning networks exchanged this traffic at a local IXP instead, each would need a port sized for its hairpin traffic, and would stop buying that much international transit.</p>"#);
    if ctx.multi() {
        s.push_str(r#"<p class="note">Port sizes and savings rest on percentiles, which cannot be merged across result files: they are shown per file and not summed.</p>"#);
    }
    for (fi, f) in ctx.files.iter().enumerate() {
        let Some(z) = &f.result.sizing else { continue };
        s.push_str(&ctx.file_heading(f));
        let Some(w) = &z.what_if else {
            s.push_str(
                r#"<p class="note">No what-if section in this result (hairpin detection off).</p>"#,
            );
            continue;
        };
        let speeds = z
            .port_speeds_gbps
            .iter()
            .map(|g| format!("{}GE", format::plain(*g)))
            .collect::<Vec<_>>()
            .join(", ");
        let _ = write!(
            s,
            r#"<dl class="facts"><dt>Port rule</dt><dd>smallest standard port ({speeds}) keeping p95 × growth at or under {t} utilisation</dd><dt>Growth factor</dt><dd>× {g}</dd><dt>Transit price</dt><dd>{p} per Mbps per month{src}</dd><dt>Savings</dt><dd>hairpin p95 (higher of in/out) × transit price</dd></dl>"#,
            speeds = html(&speeds),
            t = html(&format::percent(z.port_target)),
            g = html(&format::plain(z.growth)),
            p = html(&format::usd(z.transit_price_usd_per_mbps_month)),
            src = if (z.transit_price_usd_per_mbps_month - 100.0).abs() < 1e-9 {
                " (the default: UN ESCAP's 2016 figure for Cambodia, Lao PDR and Myanmar)"
            } else {
                " (set with --transit-price)"
            }
        );
        if w.ports.is_empty() {
            s.push_str(r#"<p class="note">No network qualified (no zone network had hairpin traffic).</p>"#);
            continue;
        }
        s.push_str(r#"<table id="port-table" class="port-table"><thead><tr><th class="net-cell">Network</th><th class="num">Hairpin p95 in</th><th class="num">p95 out</th><th class="num">p95 (higher)</th><th class="num">Needed</th><th class="num">Port</th><th class="num" title="p95 × growth ÷ port capacity">Use at p95</th><th class="num">Transit saved / month</th></tr></thead><tbody>"#);
        for p in &w.ports {
            let k = AsKey {
                asn: p.asn,
                country: p.country.clone(),
            };
            let few = p.hairpin_in.samples.max(p.hairpin_out.samples) < 20;
            let label = format!(
                "{} · {}",
                crate::names::Names::number(k.asn),
                country(k.country.as_deref())
            );
            let samples_cell = format!(
                r#"<span class="sub{}">{} samples</span>"#,
                if few { " warn-text" } else { "" },
                p.hairpin_in.samples.max(p.hairpin_out.samples)
            );
            let _ = write!(
                s,
                r#"<tr data-asn="{asn}"><td class="net-cell">{name}<span class="sub">{full}</span></td><td class="num">{pin}</td><td class="num">{pout}</td><td class="num" data-value="{p95v}">{p95}{few}</td><td class="num" data-value="{nv}">{need}</td><td class="num" data-value="{port_v}"><strong>{port}</strong></td><td class="num">{util}</td><td class="num" data-value="{sv}">{save}</td></tr>"#,
                asn = p.asn,
                name = html(&label),
                full = html(ctx.names.full(p.asn).unwrap_or("")),
                pin = html(&format::mbps(p.hairpin_in.p95_mbps)),
                pout = html(&format::mbps(p.hairpin_out.p95_mbps)),
                p95v = p.p95_mbps,
                p95 = html(&format::mbps(p.p95_mbps)),
                few = samples_cell,
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
        let _ = write!(
            s,
            r#"</tbody><tfoot><tr><td colspan="7">Total transit no longer bought</td><td class="num" data-value="{v}">{t}</td></tr></tfoot></table>"#,
            v = w.total_transit_saved_usd_per_month,
            t = html(&format::usd(w.total_transit_saved_usd_per_month))
        );
        let mut ports: Vec<_> = w.ports.iter().collect();
        ports.sort_by(|a, b| b.p95_mbps.total_cmp(&a.p95_mbps));
        s.push_str(r#"<h3>Hairpin traffic of these networks</h3><div class="grid2">"#);
        for (i, p) in ports.iter().take(PORT_CHARTS).enumerate() {
            let k = AsKey {
                asn: p.asn,
                country: p.country.clone(),
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
                &format!("rate-{fi}-port-{i}"),
                true,
            ));
        }
        s.push_str("</div>");
    }
    s.push_str("</section>");
}
