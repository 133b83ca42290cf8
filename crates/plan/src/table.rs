//! The comparison as a terminal table: one column per option, then the sensitivity of
//! each option's payback, the prices used and what the data cannot show.

use std::fmt::Write as _;
use trombone_report::format::{bytes, count, duration, mbps, ms, percent, plural, usd, utc};
use trombone_schema::plan::{LocalisedPair, PlanOption, SensitivityRow, SeriesBasis};
use trombone_schema::{Country, PlanResult};

/// "not priced" for a missing cost figure.
fn or_dash(v: Option<String>) -> String {
    v.unwrap_or_else(|| "not priced".into())
}

/// Months for people: "14.2 months", or why there is none.
pub fn months(o: &PlanOption) -> String {
    match o.cost.payback_months {
        Some(m) => format!("{} months", trombone_report::format::sig(m, 3)),
        None if o.cost.capex_usd.is_none() || o.cost.net_usd_per_year.is_none() => {
            "not priced".into()
        }
        None => "never (net ≤ 0)".into(),
    }
}

/// One option's value / payback under one case: "$5,708,500 / 0.412 mo", "-$1,082,962 /
/// never" (net saving ≤ 0), or "not priced" (no value: a price it needs is missing).
pub fn sensitivity_cell(r: &SensitivityRow) -> String {
    match (r.value_usd, r.payback_months) {
        (None, _) => "not priced".into(),
        (Some(v), Some(m)) => format!("{} / {} mo", usd(v), trombone_report::format::sig(m, 3)),
        (Some(v), None) => format!("{} / never", usd(v)),
    }
}

/// Ports per speed over the option's switches: "3×1GE 2×10GE (+2 spare)".
pub fn ports_words(o: &PlanOption) -> String {
    let mut per: Vec<(f64, String, u32, u32)> = Vec::new();
    let all = o
        .ixps
        .iter()
        .flat_map(|x| x.switch_ports.iter())
        .chain(o.interconnect.iter().flat_map(|i| i.switch_ports.iter()));
    for p in all {
        match per.iter_mut().find(|e| e.0 == p.speed_gbps) {
            Some(e) => {
                e.2 += p.members + p.uplinks;
                e.3 += p.spares;
            }
            None => per.push((
                p.speed_gbps,
                p.port.clone(),
                p.members + p.uplinks,
                p.spares,
            )),
        }
    }
    per.sort_by(|a, b| a.0.total_cmp(&b.0));
    if per.is_empty() {
        return "none".into();
    }
    let used: Vec<String> = per
        .iter()
        .filter(|e| e.2 > 0)
        .map(|e| format!("{}×{}", e.2, e.1))
        .collect();
    let spares: u32 = per.iter().map(|e| e.3).sum();
    format!(
        "{} (+{spares} spare)",
        if used.is_empty() {
            "0 in use".to_string()
        } else {
            used.join(" ")
        }
    )
}

/// "4 IXPs", "1 IXP at VN", "4 IXPs + interconnect at VN".
pub fn sites_words(o: &PlanOption) -> String {
    let mut s = if o.ixps.len() == 1 {
        format!("1 IXP at {}", o.ixps[0].at)
    } else {
        format!(
            "{} IXPs ({})",
            o.ixps.len(),
            o.ixps
                .iter()
                .map(|x| x.at.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        )
    };
    if let Some(ic) = &o.interconnect {
        let _ = write!(s, " + interconnect at {}", ic.at);
    }
    s
}

/// Pairs listed per option in the table (the JSON has all).
const PAIR_ROWS: usize = 5;

/// The option's localised pairs, each once (a pair crossing the interconnect is listed
/// under both its IXPs), largest first.
pub fn option_pairs(o: &PlanOption) -> Vec<&LocalisedPair> {
    let mut seen = std::collections::BTreeSet::new();
    let mut v: Vec<&LocalisedPair> = o
        .ixps
        .iter()
        .flat_map(|x| x.pairs.iter())
        .filter(|p| seen.insert((p.src_asn, p.src_country, p.dst_asn, p.dst_country)))
        .collect();
    v.sort_by(|a, b| {
        b.bytes
            .cmp(&a.bytes)
            .then((a.src_asn, a.dst_asn).cmp(&(b.src_asn, b.dst_asn)))
    });
    v
}

fn basis_mark(b: SeriesBasis) -> &'static str {
    match b {
        SeriesBasis::Exact => "",
        SeriesBasis::Apportioned => " (apportioned)",
    }
}

/// Renders `r` as text for a terminal.
pub fn render(r: &PlanResult) -> String {
    let p = &r.plan;
    let b = &p.basis;
    let mut s = String::new();
    let zone: Vec<&str> = b.zone.iter().map(Country::as_str).collect();
    let _ = writeln!(
        s,
        "trombone plan: {} on {} from {}{}",
        plural(p.options.len() as u64, "option", "options"),
        plural(b.results, "result", "results"),
        plural(b.sites.len() as u64, "vantage point", "vantage points"),
        if b.sites.iter().all(String::is_empty) {
            String::new()
        } else {
            format!(" ({})", b.sites.join(", "))
        }
    );
    let _ = writeln!(
        s,
        "Traffic: {} from {}; every p95 rests on {} of {} s.",
        duration(b.duration_s),
        b.first_ns.map_or("-".into(), utc),
        plural(b.samples, "sample", "samples"),
        trombone_report::format::plain(b.sample_s)
    );
    let _ = writeln!(
        s,
        "Zone {}: {} hairpinned of {} local ({}); growth {} and ports at most {} used at p95.",
        zone.join(","),
        bytes(b.hairpin_bytes),
        bytes(b.local_bytes),
        percent(if b.local_bytes == 0 {
            0.0
        } else {
            b.hairpin_bytes as f64 / b.local_bytes as f64
        }),
        trombone_report::format::plain(p.assumptions.growth),
        percent(p.assumptions.port_target)
    );
    for w in &p.warnings {
        let _ = writeln!(s, "warning: {}", w.message);
    }
    s.push('\n');

    type Row = (&'static str, Box<dyn Fn(&PlanOption) -> String>);
    let rows: Vec<Row> = vec![
        ("Kind", Box::new(|o| o.kind.clone())),
        ("Sites", Box::new(sites_words)),
        ("Localised", Box::new(|o| bytes(o.localised_bytes))),
        ("  packets", Box::new(|o| count(o.localised_packets))),
        ("  AS pairs", Box::new(|o| count(o.localised_pairs))),
        (
            "  share of hairpinned",
            Box::new(|o| percent(o.share_of_hairpin_localised)),
        ),
        ("Still leaving", Box::new(|o| bytes(o.still_leaving_bytes))),
        (
            "  share of local",
            Box::new(|o| percent(o.share_of_local_still_leaving)),
        ),
        (
            "Localised p95",
            Box::new(|o| {
                format!(
                    "{}{}",
                    mbps(o.localised_p95_mbps),
                    basis_mark(o.localised_p95_basis)
                )
            }),
        ),
        (
            "Member ports",
            Box::new(|o| count(o.ixps.iter().flat_map(|x| x.member_ports.iter()).count() as u64)),
        ),
        ("Switch ports", Box::new(ports_words)),
        (
            "Cross-border capacity",
            Box::new(|o| mbps(o.transport.iter().map(|t| t.needed_mbps).sum())),
        ),
        (
            "Latency saved",
            Box::new(|o| match o.latency.saving_ms {
                Some(v) => format!(
                    "{} ({})",
                    ms(v),
                    plural(o.latency.handshakes, "handshake", "handshakes")
                ),
                None => "not measured".into(),
            }),
        ),
        (
            "Pairs above TI 5, now → after",
            Box::new(|o| {
                let l = &o.latency;
                format!(
                    "{} of {} → {} of {}",
                    l.ti_above_acceptable_before,
                    l.pairs_with_ti_before,
                    l.ti_above_acceptable_after,
                    l.pairs_with_ti_after
                )
            }),
        ),
        ("Capex", Box::new(|o| or_dash(o.cost.capex_usd.map(usd)))),
        (
            "Opex per year",
            Box::new(|o| or_dash(o.cost.opex_usd_per_year.map(usd))),
        ),
        (
            "Transit saved per year",
            Box::new(|o| or_dash(o.cost.transit_saved_usd_per_year.map(usd))),
        ),
        (
            "Net per year",
            Box::new(|o| or_dash(o.cost.net_usd_per_year.map(usd))),
        ),
        ("Payback", Box::new(months)),
        (
            "Value over horizon",
            Box::new(|o| or_dash(o.cost.value_usd.map(usd))),
        ),
    ];
    let mut grid: Vec<Vec<String>> = Vec::new();
    let mut head = vec![String::new()];
    head.extend(p.options.iter().map(|o| o.name.clone()));
    grid.push(head);
    for (label, f) in &rows {
        let mut line = vec![(*label).to_string()];
        line.extend(p.options.iter().map(f));
        grid.push(line);
    }
    table(&mut s, &grid);

    let _ = writeln!(
        s,
        "\nPairs each option localises (the {PAIR_ROWS} largest by bytes; all in the JSON):"
    );
    for o in &p.options {
        let pairs = option_pairs(o);
        let _ = writeln!(
            s,
            "  {} ({}):",
            o.name,
            plural(pairs.len() as u64, "AS pair", "AS pairs")
        );
        let mut grid: Vec<Vec<String>> = Vec::new();
        for lp in pairs.iter().take(PAIR_ROWS) {
            let end = |a: u32, c: Option<Country>| {
                format!(
                    "AS{a} ({})",
                    c.map_or_else(|| "??".to_string(), |c| c.to_string())
                )
            };
            grid.push(vec![
                format!(
                    "    {} → {}",
                    end(lp.src_asn, lp.src_country),
                    end(lp.dst_asn, lp.dst_country)
                ),
                bytes(lp.bytes),
                format!("p95 {}{}", mbps(lp.p95_mbps), basis_mark(lp.p95_basis)),
                format!("via {}", lp.path.join(" → ")),
            ]);
        }
        table(&mut s, &grid);
    }

    let _ = writeln!(s, "\nRanking ({}):", p.ranking_basis);
    for (i, n) in p.ranking.iter().enumerate() {
        let _ = writeln!(s, "  {}. {n}", i + 1);
    }

    let _ = writeln!(
        s,
        "\nValue over {} years / payback, by case (growth, transit and cost prices ±50%):",
        trombone_report::format::plain(p.assumptions.horizon_years)
    );
    let mut grid = vec![{
        let mut h = vec!["case".to_string()];
        h.extend(p.options.iter().map(|o| o.name.clone()));
        h
    }];
    if let Some(first) = p.options.first() {
        for (i, row) in first.sensitivity.iter().enumerate() {
            let mut line = vec![row.case.clone()];
            for o in &p.options {
                line.push(o.sensitivity.get(i).map_or("-".into(), sensitivity_cell));
            }
            grid.push(line);
        }
    }
    table(&mut s, &grid);

    let _ = writeln!(s, "\nPrices used:");
    for pr in &p.prices {
        let _ = writeln!(
            s,
            "  {} = {} {} — {}{}",
            pr.key,
            trombone_report::format::plain(pr.usd),
            pr.unit,
            pr.source,
            if pr.default { " (default)" } else { "" }
        );
    }
    let not_priced: std::collections::BTreeSet<&String> = p
        .options
        .iter()
        .flat_map(|o| o.cost.not_priced.iter())
        .collect();
    if !not_priced.is_empty() {
        let _ = writeln!(
            s,
            "  not priced: {}",
            not_priced
                .into_iter()
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let _ = writeln!(s, "\nWhat the data cannot show:");
    for c in &p.cannot_show {
        let _ = writeln!(s, "  - {c}");
    }
    s
}

/// Writes `grid` as aligned columns: the first left-aligned, the others right-aligned.
fn table(s: &mut String, grid: &[Vec<String>]) {
    let cols = grid.iter().map(Vec::len).max().unwrap_or(0);
    let width: Vec<usize> = (0..cols)
        .map(|c| {
            grid.iter()
                .filter_map(|r| r.get(c))
                .map(|x| x.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in grid {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            let pad = width[c] - cell.chars().count();
            if c == 0 {
                line.push_str(cell);
                line.push_str(&" ".repeat(pad));
            } else {
                line.push_str("  ");
                line.push_str(&" ".repeat(pad));
                line.push_str(cell);
            }
        }
        s.push_str(line.trim_end());
        s.push('\n');
    }
}
