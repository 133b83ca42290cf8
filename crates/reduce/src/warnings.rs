//! Warnings: what a reader must know to read a result right, derived from the result.

use crate::sizing::SizingConfig;
use trombone_schema::{Report, Warning};

/// Adds the warnings a result's figures call for (keeping any already there).
pub(crate) fn add_warnings(r: &mut Report, cfg: &SizingConfig) {
    let mut w: Vec<Warning> = Vec::new();
    let t = &r.totals;
    if t.untimed_frames > 0 || t.time_outliers > 0 {
        w.push(Warning::new(
            "untimed_frames",
            format!(
                "{} packets had no usable timestamp and {} lay far outside the capture's time: they are in the matrices but not in the time span, rates, detours or handshakes",
                t.untimed_frames, t.time_outliers
            ),
        ));
    }
    if t.late_packets > 0 {
        w.push(Warning::new(
            "late_packets",
            format!(
                "{} packets arrived after their 5-minute sample had closed (inputs out of time order): counted everywhere, but a sample's busiest bin may be understated",
                t.late_packets
            ),
        ));
    }
    if let Some(c) = &r.collector {
        let drops = c.socket_drops.unwrap_or(0);
        if c.lost_datagrams + c.lost_records + drops + c.bad_datagrams + c.sets_dropped_no_template
            > 0
        {
            w.push(Warning::new(
                "collector_loss",
                format!(
                    "flow export was lost: {} datagrams and {} records missing by the exporters' sequence numbers, {} dropped by the socket, {} undecodable, {} record sets without their template: the matrices undercount by that much",
                    c.lost_datagrams, c.lost_records, drops, c.bad_datagrams, c.sets_dropped_no_template
                ),
            ));
        }
    }
    if t.ip_packets > 0 && r.time.first_ns.is_none() {
        w.push(Warning::new(
            "no_timestamps",
            "no packet carried a usable timestamp: there are no rates, percentiles or port recommendations",
        ));
    }
    if r.time.first_ns.is_some() && r.time.duration_s < cfg.sample_ns as f64 / 1e9 {
        w.push(Warning::new(
            "short_span",
            format!(
                "the capture spans {:.0} s, less than one {:.0} s sample: p95 and port recommendations rest on a single partial sample",
                r.time.duration_s,
                cfg.sample_ns as f64 / 1e9
            ),
        ));
    }
    if let Some(h) = &r.hairpin {
        let zone_seen = r.as_matrix.iter().any(|c| {
            c.src_country.is_some_and(|x| h.zone.contains(&x))
                || c.dst_country.is_some_and(|x| h.zone.contains(&x))
        });
        let zone: Vec<&str> = h.zone.iter().map(|c| c.as_str()).collect();
        if !zone_seen && t.ip_packets > 0 {
            w.push(Warning::new(
                "zone_matched_nothing",
                format!(
                    "no packet came from or went to a network of the zone ({}): check --home/--zone and the database",
                    zone.join(",")
                ),
            ));
        } else if t.ip_packets > 0
            && !r.as_matrix.iter().any(|c| {
                // from the matrix, not the hairpin totals: flow-export records and sampled
                // headers reach the matrices but not the per-packet hairpin counters
                c.src_country.is_some_and(|x| h.zone.contains(&x))
                    && c.dst_country.is_some_and(|x| h.zone.contains(&x))
            })
        {
            w.push(Warning::new(
                "no_local_traffic",
                format!(
                    "no packet had both ends in the zone ({}): there is no local traffic to find hairpins in",
                    zone.join(",")
                ),
            ));
        }
        if h.links_assumed_abroad {
            w.push(Warning::new(
                "links_assumed_abroad",
                "no links file: every link is taken to lead abroad, so all local traffic seen counts as hairpinned",
            ));
        }
        for l in h.links.iter().filter(|l| l.frames == 0) {
            w.push(Warning::new(
                "link_unmatched",
                format!(
                    "link \"{}\" of the links file matched no frame: check its vlan and mac",
                    l.name
                ),
            ));
        }
        if h.matcher.dropped_fresh > 0 || h.matcher.slot_overflows > 0 {
            w.push(Warning::new(
                "matcher_pressure",
                format!(
                    "the replica matcher lost {} waiting sightings ({} at its cap, {} to repeated copies): some replicas may count as unique packets; raise --max-pending",
                    h.matcher.dropped_fresh + h.matcher.slot_overflows,
                    h.matcher.dropped_fresh,
                    h.matcher.slot_overflows
                ),
            ));
        }
    }
    if let Some(wi) = r.sizing.as_ref().and_then(|s| s.what_if.as_ref()) {
        if wi.asns_given {
            for p in wi
                .ports
                .iter()
                .filter(|p| p.hairpin_in.bytes + p.hairpin_out.bytes == 0)
            {
                w.push(Warning::new(
                    "what_if_no_traffic",
                    format!(
                        "--what-if-asns: AS{} has no hairpinned traffic in this result",
                        p.asn
                    ),
                ));
            }
        }
    }
    for x in w {
        if !r
            .warnings
            .iter()
            .any(|y| y.code == x.code && y.message == x.message)
        {
            r.warnings.push(x);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use trombone_schema::CollectorReport;

    /// A small real result (one of the fuzz seeds: a cut-down `analyze` result).
    fn result() -> Report {
        Report::from_json(include_str!(
            "../../fuzz/seeds/report_json/hairpin-kh-zone-clmv.json"
        ))
        .expect("a valid result")
    }

    fn codes(r: &Report) -> Vec<String> {
        r.warnings.iter().map(|w| w.code.clone()).collect()
    }

    #[test]
    fn local_traffic_is_judged_from_the_matrix_not_the_packet_counters() {
        let cfg = SizingConfig::default();
        let is_local = |r: &Report, c: &trombone_schema::AsCell| {
            let z = &r.hairpin.as_ref().expect("a hairpin section").zone;
            c.src_country.is_some_and(|x| z.contains(&x))
                && c.dst_country.is_some_and(|x| z.contains(&x))
        };
        // flow export: local records reach the matrix, not the per-packet counters
        let mut r = result();
        r.warnings.clear();
        assert!(
            r.as_matrix.iter().any(|c| is_local(&r, c)),
            "the seed has local cells"
        );
        r.hairpin.as_mut().expect("hairpin").totals.local_packets = 0;
        add_warnings(&mut r, &cfg);
        assert!(!codes(&r).contains(&"no_local_traffic".to_string()));
        // every destination abroad: no cell with both ends in the zone, the warning
        let mut r = result();
        r.warnings.clear();
        for c in &mut r.as_matrix {
            c.dst_country = Some("SG".parse().expect("a country code"));
        }
        assert!(!r.as_matrix.iter().any(|c| is_local(&r, c)));
        add_warnings(&mut r, &cfg);
        assert!(codes(&r).contains(&"no_local_traffic".to_string()));
    }

    #[test]
    fn lost_flow_export_is_a_warning() {
        let cfg = SizingConfig::default();
        let mut r = result();
        r.warnings.clear();
        r.collector = Some(CollectorReport::default());
        add_warnings(&mut r, &cfg);
        assert!(!codes(&r).contains(&"collector_loss".to_string()));
        let mut r = result();
        r.warnings.clear();
        r.collector = Some(CollectorReport {
            socket_drops: Some(3),
            ..CollectorReport::default()
        });
        add_warnings(&mut r, &cfg);
        let w = r
            .warnings
            .iter()
            .find(|w| w.code == "collector_loss")
            .expect("a collector_loss warning");
        assert!(
            w.message.contains("3 dropped by the socket"),
            "{}",
            w.message
        );
    }
}
