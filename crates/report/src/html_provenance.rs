//! The data provenance section: result files, capture inputs, ASN database, versions,
//! the command lines, analysis settings, frame accounting and how results were combined.

use crate::combine::site_words;
use crate::escape::html;
use crate::format::{self, plural};
use crate::html_page::Ctx;
use std::fmt::Write as _;

/// Name of a LINKTYPE number, for the ones trombone reads.
pub fn linktype_name(lt: u32) -> Option<&'static str> {
    Some(match lt {
        0 => "BSD loopback",
        1 => "Ethernet",
        12 | 14 | 101 => "raw IP",
        113 => "Linux cooked",
        228 => "raw IPv4",
        229 => "raw IPv6",
        276 => "Linux cooked v2",
        _ => return None,
    })
}

/// Rows of a file table before it is summarised.
const FILE_ROWS: usize = 12;

/// Writes the provenance section.
pub(crate) fn section(s: &mut String, ctx: &Ctx<'_>) {
    let r = ctx.r;
    let c = ctx.c;
    s.push_str(r#"<section id="provenance" class="page-break"><h2>Data provenance</h2><p class="lede">Where every number in this report comes from, so it can be reproduced: run <code>trombone analyze</code> with the same captures, database and settings, then <code>trombone report</code> on its JSON.</p>"#);

    s.push_str(r#"<h3>Result files</h3>"#);
    if c.inputs.len() > FILE_ROWS {
        s.push_str(r#"<table id="results-table"><thead><tr><th>Site</th><th class="num">Result files</th><th>First traffic</th><th>Last traffic</th><th>Traffic covered</th><th>Partial</th></tr></thead><tbody>"#);
        for site in &c.sites {
            let ins: Vec<_> = c
                .inputs
                .iter()
                .filter(|i| i.site.clone().unwrap_or_default() == site.site)
                .collect();
            let _ = write!(
                s,
                r#"<tr><td>{n}</td><td class="num">{k}</td><td>{a}</td><td>{b}</td><td>{cov}</td><td>{p}</td></tr>"#,
                n = html(&site_words(&site.site)),
                k = format::count(ins.len() as u64),
                a = site
                    .coverage
                    .first_ns
                    .map_or("–".into(), |v| html(&format::utc(v))),
                b = site
                    .coverage
                    .last_ns
                    .map_or("–".into(), |v| html(&format::utc(v))),
                cov = html(&format::duration(site.coverage.covered_s)),
                p = format::count(ins.iter().filter(|i| i.partial).count() as u64),
            );
        }
        s.push_str("</tbody></table>");
        let _ = write!(
            s,
            r#"<p class="small muted">{} in all, from <code>{}</code> to <code>{}</code>.</p>"#,
            html(&plural(
                c.inputs.len() as u64,
                "result file",
                "result files"
            )),
            html(&c.inputs[0].name),
            html(&c.inputs[c.inputs.len() - 1].name)
        );
    } else {
        s.push_str(r#"<table id="results-table"><thead><tr><th>Result file</th><th>Site</th><th>Written by</th><th class="num">Schema</th><th>Covers</th><th>Status</th></tr></thead><tbody>"#);
        for i in &c.inputs {
            let covers = match (i.interval, i.first_ns, i.last_ns) {
                (Some(iv), _, _) => format!(
                    "{} to {}",
                    format::utc(iv.start_ns),
                    format::clock(iv.end_ns, true)
                ),
                (None, Some(a), Some(b)) => {
                    format!("{} to {}", format::utc(a), format::clock(b, true))
                }
                _ => "no timed packets".into(),
            };
            let _ = write!(
                s,
                r#"<tr><td><code>{name}</code></td><td>{site}</td><td>trombone {ver}</td><td class="num" data-value="{sv}">{sv}</td><td class="small">{covers}{m}</td><td>{st}</td></tr>"#,
                name = html(&i.name),
                site = html(i.site.as_deref().unwrap_or("–")),
                ver = html(&i.tool_version),
                sv = i.schema_version,
                covers = html(&covers),
                m = if i.results > 1 {
                    format!(" (a merge of {})", plural(i.results, "result", "results"))
                } else {
                    String::new()
                },
                st = if i.partial {
                    r#"<span class="flag">partial</span>"#
                } else {
                    "complete"
                }
            );
        }
        s.push_str("</tbody></table>");
    }
    if !r.tool.command.is_empty() {
        let _ = write!(
            s,
            r#"<p class="small">Made with: <code>{}</code></p>"#,
            html(&r.tool.command.join(" "))
        );
    }
    let _ = write!(
        s,
        r#"<dl class="facts"><dt>ASN database</dt><dd>{src}</dd><dt>Data date</dt><dd>{date}</dd>{digest}</dl>"#,
        src = html(&r.asn_db.source),
        date = html(r.asn_db.date.as_deref().unwrap_or("unknown")),
        digest = r
            .asn_db
            .digest
            .as_deref()
            .map_or(String::new(), |d| format!(
                "<dt>Database digest</dt><dd><code>{}</code></dd>",
                html(d)
            )),
    );

    s.push_str(r#"<h3>Capture inputs</h3><table id="inputs-table"><thead><tr><th>Capture file</th><th>Format</th><th class="num">Frames</th><th>Link types</th><th>Read</th></tr></thead><tbody>"#);
    for i in r.inputs.iter().take(FILE_ROWS * 2) {
        let lts = i
            .linktypes
            .iter()
            .map(|(lt, n)| match linktype_name(*lt) {
                Some(name) => format!("{} ({}) {}", html(name), lt, format::count(*n)),
                None => format!("LINKTYPE {} {}", lt, format::count(*n)),
            })
            .collect::<Vec<_>>()
            .join("<br>");
        let _ = write!(
            s,
            r#"<tr><td><code>{file}</code></td><td>{fmt}</td><td class="num" data-value="{fr}">{frf}</td><td class="small">{lts}</td>{st}</tr>"#,
            file = html(&i.file),
            fmt = html(i.format.as_deref().unwrap_or("unreadable")),
            fr = i.frames,
            frf = format::count(i.frames),
            lts = if lts.is_empty() { "–".into() } else { lts },
            st = match &i.error {
                Some(e) => format!(r#"<td class="err">stopped: {}</td>"#, html(e)),
                None => "<td>to the end</td>".into(),
            }
        );
    }
    s.push_str("</tbody></table>");
    if r.inputs.len() > FILE_ROWS * 2 {
        let _ = write!(
            s,
            r#"<p class="small muted">The first {} of {}.</p>"#,
            FILE_ROWS * 2,
            html(&plural(
                r.inputs.len() as u64,
                "capture input",
                "capture inputs"
            ))
        );
    }

    if let Some(cap) = &r.capture {
        let _ = write!(
            s,
            r#"<h3>Live capture</h3><dl class="facts"><dt>Engine</dt><dd>{e} ({m}) on {i}</dd><dt>Frames captured</dt><dd>{p}</dd><dt>Dropped</dt><dd>{k} by the kernel, {x} by XDP, {nic} by the NIC{any}</dd></dl>"#,
            e = html(&cap.engine),
            m = html(&cap.mode),
            i = html(&cap.interface),
            p = format::count(cap.packets),
            k = format::count(cap.kernel_drops),
            x = format::count(cap.xdp_drops),
            nic = cap.interface_drops.map_or("unknown".into(), format::count),
            any = if cap.dropped_any {
                r#" — <span class="flag">the figures do not cover all the traffic</span>"#
            } else {
                ""
            },
        );
    }

    let t = &r.totals;
    let _ = write!(
        s,
        r#"<h3>Frame accounting</h3><dl class="facts"><dt>Frames read</dt><dd>{fr}</dd><dt>IP packets (in the matrices)</dt><dd>{ip} ({ipb} at layer 3, {wb} on the wire)</dd><dt>Frames without IP</dt><dd>{nip}</dd><dt>Malformed frames</dt><dd>{mal}</dd><dt>Frames of an unsupported link type</dt><dd>{uns}</dd><dt>Packets without a usable time</dt><dd>{unt}</dd><dt>Flows</dt><dd>{fl}</dd></dl>"#,
        fr = format::count(t.frames),
        ip = format::count(t.ip_packets),
        ipb = html(&format::bytes(t.ip_bytes)),
        wb = html(&format::bytes(t.wire_bytes)),
        nip = format::count(t.non_ip_frames),
        mal = format::count(t.malformed_frames),
        uns = format::count(t.unsupported_frames),
        unt = format::count(t.untimed_frames.saturating_add(t.time_outliers)),
        fl = format::count(t.flows),
    );

    if let Some(h) = &r.hairpin {
        let _ = write!(
            s,
            r#"<h3>Hairpin settings and replica matcher housekeeping</h3><table id="hairpin-settings"><thead><tr><th>Home</th><th>Zone</th><th class="num">Replica window</th><th class="num">Domestic floor</th><th class="num">In-zone distance</th><th class="num">Slot overflows</th><th class="num">Dropped early</th><th class="num">On no link</th></tr></thead><tbody><tr><td>{home}</td><td>{zone}</td><td class="num">{w}</td><td class="num">{fl}</td><td class="num">{km} km</td><td class="num">{so}</td><td class="num">{df}</td><td class="num">{ul}</td></tr></tbody></table>"#,
            home = html(h.home.as_str()),
            zone = html(
                &h.zone
                    .iter()
                    .map(|c| c.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            w = html(&format::duration(h.window_ms / 1000.0)),
            fl = html(&format::ms(h.domestic_floor_ms)),
            km = html(&format::plain(h.max_zone_km)),
            so = format::count(h.matcher.slot_overflows),
            df = format::count(h.matcher.dropped_fresh),
            ul = format::count(h.matcher.unidentified_link),
        );
        s.push_str(r#"<p class="small muted">Slot overflows: pending sightings pushed out by a fourth sighting of the same packet; dropped early: pushed out inside the window with the matcher at its cap; on no link: hairpin sightings on no identified link.</p>"#);
        if h.links_assumed_abroad || h.links.is_empty() {
            s.push_str(r#"<p class="small">No links file: every link of the vantage was assumed to lead abroad (a mirror of the international gateway).</p>"#);
        } else {
            s.push_str(r#"<h4>Links of the vantage</h4><table id="links-table"><thead><tr><th>Link</th><th>Neighbour</th><th>Country</th><th class="num">VLAN</th><th class="num">Frames</th><th>Leads</th></tr></thead><tbody>"#);
            for l in &h.links {
                let _ = write!(
                    s,
                    r#"<tr><td>{n}</td><td>{a} <span class="muted">{an}</span></td><td>{c}</td><td class="num">{v}</td><td class="num">{f}</td><td>{ab}</td></tr>"#,
                    n = html(&l.name),
                    a = html(&ctx.names.neighbour(l.asn)),
                    an = html(ctx.names.full(l.asn).unwrap_or("")),
                    c = html(&crate::names::country(l.country)),
                    v = l.vlan.map_or("–".into(), |v| v.to_string()),
                    f = format::count(l.frames),
                    ab = if l.abroad {
                        "abroad"
                    } else {
                        "inside the zone"
                    }
                );
            }
            s.push_str("</tbody></table>");
        }
    }

    if let Some(z) = &r.sizing {
        let _ = write!(
            s,
            r#"<h3>Rate settings</h3><table id="sizing-settings"><thead><tr><th class="num">Bin</th><th class="num">Sample interval</th><th class="num">Bins</th><th class="num">Samples</th><th class="num">Port target</th><th class="num">Growth</th><th class="num">Transit price</th><th>First bin</th></tr></thead><tbody><tr><td class="num">{b}</td><td class="num">{si}</td><td class="num">{bins}</td><td class="num">{n}</td><td class="num">{t}</td><td class="num">× {g}</td><td class="num">{p} / Mbps / month</td><td>{fb}</td></tr></tbody></table>"#,
            b = html(&format::duration(z.bin_s)),
            si = html(&format::duration(z.sample_s)),
            bins = format::count(z.bins),
            n = format::count(z.samples),
            t = html(&format::percent(z.port_target)),
            g = html(&format::plain(z.growth)),
            p = html(&format::usd(z.transit_price_usd_per_mbps_month)),
            fb = z.first_bin_ns.map_or("–".into(), |v| html(&format::utc(v))),
        );
    }

    s.push_str(r#"<h3>How to read the figures</h3><ul class="small">"#);
    s.push_str("<li>Bytes are layer-3 (IP header and payload) bytes, in decimal units (1 GB = 10<sup>9</sup> bytes); rates are in bits per second.</li>");
    s.push_str("<li>Hairpin figures count a packet once even when it was seen both leaving and returning; the country matrix counts every sighting.</li>");
    s.push_str("<li>A p95 is the 95th percentile (nearest rank) of the average rate over each sample interval; sample intervals are aligned to the clock and the first and last may be partial. A p95 rests on as many values as there are samples (shown next to each figure); with fewer than 20 it is the highest of them.</li>");
    if c.merged() {
        s.push_str("<li><strong>Several result files:</strong> merged exactly: matrices, hairpin counts and distributions and the per-sample series are added, and every rate, percentile, port and saving is derived again from the sums, as a single run over all the traffic would. Traffic seen at two sites counts at each.</li>");
    }
    s.push_str("<li>This report contains aggregates only: no IP addresses.</li></ul>");
    let _ = write!(
        s,
        r#"<p class="small muted">Report rendered by trombone-report {}.</p></section>"#,
        env!("CARGO_PKG_VERSION")
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linktypes() {
        assert_eq!(linktype_name(1), Some("Ethernet"));
        assert_eq!(linktype_name(113), Some("Linux cooked"));
        assert_eq!(linktype_name(9999), None);
    }
}
