//! The data provenance section: result files, capture inputs, ASN database, versions,
//! analysis settings, frame accounting and how several results were combined.

use crate::escape::html;
use crate::format;
use crate::html_page::Ctx;
use std::fmt::Write as _;

/// Name of a LINKTYPE number, for the ones trombone reads.
pub fn linktype_name(lt: &str) -> Option<&'static str> {
    Some(match lt {
        "0" => "BSD loopback",
        "1" => "Ethernet",
        "101" => "raw IP",
        "113" => "Linux cooked",
        "228" => "raw IPv4",
        "229" => "raw IPv6",
        "276" => "Linux cooked v2",
        _ => return None,
    })
}

/// Writes the provenance section.
pub(crate) fn section(s: &mut String, ctx: &Ctx<'_>) {
    let m = &ctx.merged;
    s.push_str(r#"<section id="provenance" class="page-break"><h2>Data provenance and method</h2><p class="lede">Where every number in this report comes from, so it can be reproduced: run <code>trombone analyze</code> with the same captures, database and settings, then <code>trombone report</code> on its JSON.</p>"#);

    s.push_str(r#"<h3>Result files</h3><table id="results-table"><thead><tr><th>Result file</th><th>Written by</th><th class="num">Schema</th><th>ASN database</th><th>Data date</th><th>Status</th></tr></thead><tbody>"#);
    for f in ctx.files {
        let r = &f.result;
        let _ = write!(
            s,
            r#"<tr><td><code>{name}</code></td><td>{tool} {ver}</td><td class="num" data-value="{sv}">{sv}</td><td>{src}</td><td>{date}</td><td>{st}</td></tr>"#,
            name = html(&f.name),
            tool = html(&r.tool.name),
            ver = html(&r.tool.version),
            sv = r.schema_version,
            src = html(&r.asn_db.source),
            date = html(r.asn_db.date.as_deref().unwrap_or("unknown")),
            st = if r.partial {
                r#"<span class="flag">partial</span>"#
            } else {
                "complete"
            }
        );
    }
    s.push_str("</tbody></table>");

    s.push_str(r#"<h3>Capture inputs</h3><table id="inputs-table"><thead><tr>"#);
    if ctx.multi() {
        s.push_str("<th>Result file</th>");
    }
    s.push_str(r#"<th>Capture file</th><th>Format</th><th class="num">Frames</th><th>Link types</th><th>Read</th></tr></thead><tbody>"#);
    for (res, i) in &m.inputs {
        s.push_str("<tr>");
        if ctx.multi() {
            let _ = write!(s, "<td><code>{}</code></td>", html(res));
        }
        let lts = i
            .linktypes
            .iter()
            .map(|(lt, n)| match linktype_name(lt) {
                Some(name) => format!("{} ({}) {}", html(name), html(lt), format::count(*n)),
                None => format!("LINKTYPE {} {}", html(lt), format::count(*n)),
            })
            .collect::<Vec<_>>()
            .join("<br>");
        let _ = write!(
            s,
            r#"<td><code>{file}</code></td><td>{fmt}</td><td class="num" data-value="{fr}">{frf}</td><td class="small">{lts}</td>{st}</tr>"#,
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

    let t = &m.totals;
    let _ = write!(
        s,
        r#"<h3>Frame accounting</h3><dl class="facts"><dt>Frames read</dt><dd>{fr}</dd><dt>IP packets (in the matrices)</dt><dd>{ip} ({ipb} at layer 3, {wb} on the wire)</dd><dt>Frames without IP</dt><dd>{nip}</dd><dt>Malformed frames</dt><dd>{mal}</dd><dt>Frames of an unsupported link type</dt><dd>{uns}</dd><dt>Flows</dt><dd>{fl}</dd></dl>"#,
        fr = format::count(t.frames),
        ip = format::count(t.ip_packets),
        ipb = html(&format::bytes(t.ip_bytes)),
        wb = html(&format::bytes(t.wire_bytes)),
        nip = format::count(t.non_ip_frames),
        mal = format::count(t.malformed_frames),
        uns = format::count(t.unsupported_frames),
        fl = format::count(t.flows),
    );

    let with_hairpin: Vec<_> = ctx
        .files
        .iter()
        .filter_map(|f| f.result.hairpin.as_ref().map(|h| (f, h)))
        .collect();
    if !with_hairpin.is_empty() {
        s.push_str(r#"<h3>Hairpin settings and replica matcher housekeeping</h3><table id="hairpin-settings"><thead><tr>"#);
        if ctx.multi() {
            s.push_str("<th>Result file</th>");
        }
        s.push_str(r#"<th>Home</th><th>Zone</th><th class="num">Replica window</th><th class="num">Domestic floor</th><th class="num">In-zone distance</th><th class="num" title="pending sightings pushed out by a fourth sighting of the same packet">Slot overflows</th><th class="num" title="pending sightings pushed out inside the window: matcher at its cap">Dropped early</th><th class="num" title="hairpin sightings on no identified link">No link</th></tr></thead><tbody>"#);
        for (f, h) in &with_hairpin {
            s.push_str("<tr>");
            if ctx.multi() {
                let _ = write!(s, "<td><code>{}</code></td>", html(&f.name));
            }
            let _ = write!(
                s,
                r#"<td>{home}</td><td>{zone}</td><td class="num">{w}</td><td class="num">{fl}</td><td class="num">{km} km</td><td class="num">{so}</td><td class="num">{df}</td><td class="num">{ul}</td></tr>"#,
                home = html(&h.home),
                zone = html(&h.zone.join(", ")),
                w = html(&format::duration(h.window_ms / 1000.0)),
                fl = html(&format::ms(h.domestic_floor_ms)),
                km = html(&format::plain(h.max_zone_km)),
                so = format::count(h.matcher.slot_overflows),
                df = format::count(h.matcher.dropped_fresh),
                ul = format::count(h.matcher.unidentified_link),
            );
        }
        s.push_str("</tbody></table>");
        if let Some(h) = &m.hairpin {
            if h.links.is_empty() {
                s.push_str(r#"<p class="small muted">No links file: every link of the vantage was assumed to lead abroad (a mirror of the international gateway).</p>"#);
            } else {
                s.push_str(r#"<h4>Links of the vantage</h4><table id="links-table"><thead><tr><th>Link</th><th>Neighbour</th><th>Country</th><th class="num">VLAN</th><th>Leads</th></tr></thead><tbody>"#);
                for l in &h.links {
                    let _ = write!(
                        s,
                        r#"<tr><td>{n}</td><td>AS{a} <span class="muted">{an}</span></td><td>{c}</td><td class="num">{v}</td><td>{ab}</td></tr>"#,
                        n = html(&l.name),
                        a = l.asn,
                        an = html(ctx.names.full(l.asn).unwrap_or("")),
                        c = html(l.country.as_deref().unwrap_or("??")),
                        v = l.vlan.map_or("–".into(), |v| v.to_string()),
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
    }

    let with_sizing: Vec<_> = ctx
        .files
        .iter()
        .filter_map(|f| f.result.sizing.as_ref().map(|z| (f, z)))
        .collect();
    if !with_sizing.is_empty() {
        s.push_str(r#"<h3>Rate settings</h3><table id="sizing-settings"><thead><tr>"#);
        if ctx.multi() {
            s.push_str("<th>Result file</th>");
        }
        s.push_str(r#"<th class="num">Bin</th><th class="num">Sample interval</th><th class="num">Bins</th><th class="num">Samples</th><th class="num">Port target</th><th class="num">Growth</th><th class="num">Transit price</th><th>First bin</th></tr></thead><tbody>"#);
        for (f, z) in &with_sizing {
            s.push_str("<tr>");
            if ctx.multi() {
                let _ = write!(s, "<td><code>{}</code></td>", html(&f.name));
            }
            let _ = write!(
                s,
                r#"<td class="num">{b}</td><td class="num">{si}</td><td class="num">{bins}</td><td class="num">{n}</td><td class="num">{t}</td><td class="num">× {g}</td><td class="num">{p} / Mbps / month</td><td>{fb}</td></tr>"#,
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
        s.push_str("</tbody></table>");
    }

    s.push_str(r#"<h3>How to read the figures</h3><ul class="small">"#);
    s.push_str("<li>Bytes are layer-3 (IP header and payload) bytes, in decimal units (1 GB = 10<sup>9</sup> bytes); rates are in bits per second.</li>");
    s.push_str("<li>Hairpin figures count a packet once even when it was seen both leaving and returning; the country matrix counts every sighting.</li>");
    s.push_str("<li>A p95 is the 95th percentile (nearest rank) of the average rate over each sample interval; sample intervals are aligned to the clock and the first and last may be partial. A p95 rests on as many values as there are samples (shown next to each figure).</li>");
    if ctx.multi() {
        s.push_str("<li><strong>Several result files:</strong> matrices, hairpin bytes and packets, via bytes and frame counts are summed; the hairpin share is recomputed as summed hairpin bytes ÷ summed local bytes. Percentiles (detour and handshake latency, rate p95, port sizes, transit savings) cannot be merged from summaries and are shown per file.</li>");
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
        assert_eq!(linktype_name("1"), Some("Ethernet"));
        assert_eq!(linktype_name("113"), Some("Linux cooked"));
        assert_eq!(linktype_name("9999"), None);
    }
}
