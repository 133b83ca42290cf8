//! Adding worker outputs into the matrices.

use crate::hairpin::hairpin_report;
use crate::report::{
    AsCell, CountryCell, InputSummary, Report, TalkerRow, TimeSpan, ToolInfo, TopTalkers, Totals,
};
use crate::sizing::{sizing_report, SizingConfig};
use crate::SCHEMA_VERSION;
use rustc_hash::FxHashMap;
use std::collections::BTreeMap;
use trombone_asdb::{AsDb, Country};
use trombone_flow::{AsPair, LinkSeries, PairCounters, PairOutput, WorkerOutput};
use trombone_hairpin::{HairpinConfig, MatcherStats, PairHairpin};

/// Merges the outputs of any number of workers into traffic matrices.
#[derive(Debug, Default)]
pub struct Reducer {
    sizing: SizingConfig,
    pairs: BTreeMap<AsPair, PairOutput>,
    links: Vec<LinkSeries>,
    sizes: Option<hdrhistogram::Histogram<u64>>,
    unbinned: u64,
    top_talkers: usize,
    talkers: FxHashMap<(u128, u8), trombone_flow::Talker>,
    hairpin: FxHashMap<AsPair, PairHairpin>,
    matcher: MatcherStats,
    totals: Totals,
    time: Option<(i64, i64)>,
}

impl Reducer {
    /// An empty reducer with default sizing (1 s bins, 5-minute samples).
    pub fn new() -> Reducer {
        Reducer::default()
    }

    /// An empty reducer computing rates as `sizing` says (its bin must be the workers').
    pub fn with_sizing(sizing: SizingConfig) -> Reducer {
        Reducer {
            sizing,
            ..Reducer::default()
        }
    }

    /// Lists the `n` sources sending most bytes (0: none; workers must hand over talkers).
    pub fn set_top_talkers(&mut self, n: usize) {
        self.top_talkers = n;
    }

    /// Adds one worker's figures (from any worker, in any order).
    pub fn add_worker(&mut self, out: WorkerOutput) {
        for t in &out.talkers {
            let e = self
                .talkers
                .entry((t.addr, t.ip_version))
                .or_insert(trombone_flow::Talker {
                    packets: 0,
                    bytes: 0,
                    flows: 0,
                    ..*t
                });
            e.packets += t.packets;
            e.bytes += t.bytes;
            e.flows += t.flows;
        }
        let mut hp = out.hairpin.map(|v| v.into_iter());
        for o in out.pairs {
            let pair = o.pair;
            self.totals.flows += o.counters.flows;
            if let Some(h) = hp.as_mut().and_then(|it| it.next()) {
                if !h.is_empty() {
                    self.hairpin.entry(pair).or_default().merge(&h);
                }
            }
            match self.pairs.get_mut(&pair) {
                Some(mine) => {
                    mine.counters.add(&o.counters);
                    self.unbinned += mine.series.merge(&o.series);
                    self.unbinned += mine.hairpin_series.merge(&o.hairpin_series);
                    mine.sizes.add(&o.sizes);
                }
                None => {
                    self.pairs.insert(pair, o);
                }
            }
        }
        if self.links.len() < out.links.len() {
            self.links.resize(out.links.len(), LinkSeries::default());
        }
        for (mine, theirs) in self.links.iter_mut().zip(out.links.iter()) {
            self.unbinned += mine.inbound.merge(&theirs.inbound);
            self.unbinned += mine.outbound.merge(&theirs.outbound);
            self.unbinned += mine.unknown.merge(&theirs.unknown);
        }
        self.unbinned += out.unbinned_packets;
        if let Some(h) = &out.sizes {
            match &mut self.sizes {
                Some(x) => {
                    // auto-resizing histograms of one precision always add
                    let _ = x.add(h);
                }
                None => self.sizes = Some(h.clone()),
            }
        }
        self.totals.evicted_flows += out.evicted_flows;
        self.totals.expired_flows += out.expired_flows;
        let m = &mut self.matcher;
        m.slot_overflows += out.matcher.slot_overflows;
        m.dropped_fresh += out.matcher.dropped_fresh;
        m.unidentified_link += out.matcher.unidentified_link;
        if let Some((f, l)) = out.time {
            self.time = Some(match self.time {
                Some((f0, l0)) => (f0.min(f), l0.max(l)),
                None => (f, l),
            });
        }
    }

    /// Adds frame counts gathered by a reader or capture worker (its flow counts are ignored).
    pub fn add_counts(&mut self, counts: &Totals) {
        let keep = (
            self.totals.flows,
            self.totals.evicted_flows,
            self.totals.expired_flows,
        );
        self.totals.add(counts);
        (
            self.totals.flows,
            self.totals.evicted_flows,
            self.totals.expired_flows,
        ) = keep;
    }

    /// Totals so far.
    pub fn totals(&self) -> &Totals {
        &self.totals
    }

    /// Sorts the matrices and builds the report.
    pub fn finish(
        self,
        db: &AsDb,
        inputs: Vec<InputSummary>,
        hairpin: Option<&HairpinConfig>,
    ) -> Report {
        let mut as_matrix: Vec<AsCell> = self
            .pairs
            .iter()
            .map(|(p, o)| (p, &o.counters))
            .map(|(p, c)| AsCell {
                src_asn: p.src_asn,
                dst_asn: p.dst_asn,
                src_country: p.src_country,
                dst_country: p.dst_country,
                packets: c.packets,
                bytes: c.bytes,
                flows: c.flows,
            })
            .collect();
        as_matrix.sort_by(|a, b| {
            b.bytes
                .cmp(&a.bytes)
                .then(a.src_asn.cmp(&b.src_asn))
                .then(a.dst_asn.cmp(&b.dst_asn))
                .then(a.src_country.cmp(&b.src_country))
                .then(a.dst_country.cmp(&b.dst_country))
        });
        let mut by_country: BTreeMap<(Option<Country>, Option<Country>), PairCounters> =
            BTreeMap::new();
        for a in &as_matrix {
            let c = by_country
                .entry((a.src_country, a.dst_country))
                .or_default();
            c.packets += a.packets;
            c.bytes += a.bytes;
            c.flows += a.flows;
        }
        let mut country_matrix: Vec<CountryCell> = by_country
            .into_iter()
            .map(|((sc, dc), c)| CountryCell {
                src_country: sc,
                dst_country: dc,
                packets: c.packets,
                bytes: c.bytes,
                flows: c.flows,
            })
            .collect();
        // Stable sort: ties keep the BTreeMap's country order.
        country_matrix.sort_by_key(|c| std::cmp::Reverse(c.bytes));
        let sizing = sizing_report(
            &self.sizing,
            self.unbinned,
            self.sizes.as_ref(),
            self.time,
            &self.pairs,
            &self.links,
            hairpin,
            db,
        );
        let hairpin = hairpin.map(|cfg| hairpin_report(cfg, &self.hairpin, &self.matcher, db));
        let mut as_names = BTreeMap::new();
        let mut name = |asn: u32| {
            if let Some(n) = db.as_name(asn) {
                as_names.entry(asn).or_insert_with(|| n.to_string());
            }
        };
        for a in &as_matrix {
            name(a.src_asn);
            name(a.dst_asn);
        }
        if let Some(h) = &hairpin {
            for v in h.pairs.iter().flat_map(|p| p.via.iter()) {
                name(v.asn);
            }
        }
        let top_talkers = (self.top_talkers > 0).then(|| {
            let mut v: Vec<&trombone_flow::Talker> = self.talkers.values().collect();
            v.sort_by(|a, b| {
                b.bytes
                    .cmp(&a.bytes)
                    .then((a.ip_version, a.addr).cmp(&(b.ip_version, b.addr)))
            });
            TopTalkers {
                anonymized: false,
                basis: "flows in the tables at the end".into(),
                rows: v
                    .into_iter()
                    .take(self.top_talkers)
                    .map(|t| TalkerRow {
                        address: if t.ip_version == 4 {
                            std::net::Ipv4Addr::from(t.addr as u32).to_string()
                        } else {
                            std::net::Ipv6Addr::from(t.addr).to_string()
                        },
                        asn: t.asn,
                        country: t.country,
                        packets: t.packets,
                        bytes: t.bytes,
                        flows: t.flows,
                    })
                    .collect(),
            }
        });
        let partial = inputs.iter().any(|i| i.error.is_some());
        let time = match self.time {
            Some((f, l)) => TimeSpan {
                first_ns: Some(f),
                last_ns: Some(l),
                duration_s: (l - f) as f64 / 1e9,
            },
            None => TimeSpan::default(),
        };
        Report {
            schema_version: SCHEMA_VERSION,
            tool: ToolInfo {
                name: "trombone".into(),
                version: env!("CARGO_PKG_VERSION").into(),
            },
            asn_db: db.source().clone(),
            partial,
            inputs,
            time,
            totals: self.totals,
            as_matrix,
            country_matrix,
            sizing,
            top_talkers,
            hairpin,
            as_names,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(src_asn: u32, sc: &str, dst_asn: u32, dc: &str) -> AsPair {
        AsPair {
            src_asn,
            src_country: sc.parse().ok(),
            dst_asn,
            dst_country: dc.parse().ok(),
        }
    }

    fn out(cells: &[(AsPair, u64, u64, u64)]) -> WorkerOutput {
        WorkerOutput {
            pairs: cells
                .iter()
                .map(|&(pair, packets, bytes, flows)| PairOutput {
                    pair,
                    counters: PairCounters {
                        packets,
                        bytes,
                        wire_bytes: bytes,
                        flows,
                    },
                    series: Default::default(),
                    sizes: Default::default(),
                    hairpin_series: Default::default(),
                })
                .collect(),
            time: Some((5, 2_000_000_005)),
            ..WorkerOutput::default()
        }
    }

    #[test]
    fn matrices_add_up_and_sort() {
        let mut r = Reducer::new();
        r.add_worker(out(&[(pair(7552, "VN", 45899, "VN"), 3, 300, 1)]));
        r.add_worker(out(&[
            (pair(7552, "VN", 7473, "SG"), 1, 1000, 1),
            (pair(7552, "VN", 45899, "VN"), 2, 50, 1),
            (pair(24560, "KH", 45899, "VN"), 1, 40, 1),
        ]));
        let rep = r.finish(&AsDb::empty(), vec![], None);
        assert_eq!(rep.totals.flows, 4);
        assert_eq!(rep.as_matrix.len(), 3);
        assert_eq!(rep.as_matrix[0].dst_asn, 7473);
        assert_eq!(rep.as_matrix[1].packets, 5);
        assert_eq!(rep.as_matrix[1].bytes, 350);
        assert_eq!(rep.as_matrix[1].flows, 2);
        let cc: Vec<(String, u64)> = rep
            .country_matrix
            .iter()
            .map(|c| {
                (
                    format!("{}>{}", c.src_country.unwrap(), c.dst_country.unwrap()),
                    c.bytes,
                )
            })
            .collect();
        assert_eq!(
            cc,
            vec![
                ("VN>SG".into(), 1000),
                ("VN>VN".into(), 350),
                ("KH>VN".into(), 40)
            ]
        );
        assert_eq!(rep.time.duration_s, 2.0);
        assert!(!rep.partial);
        assert!(rep.hairpin.is_none());
    }

    #[test]
    fn order_of_arrival_does_not_matter() {
        let cells = [
            (pair(1, "KH", 2, "LA"), 1, 10, 1),
            (pair(2, "LA", 1, "KH"), 1, 10, 1),
            (pair(3, "MM", 3, "MM"), 4, 99, 2),
        ];
        let mut a = Reducer::new();
        a.add_worker(out(&cells));
        let mut b = Reducer::new();
        for c in cells.iter().rev() {
            b.add_worker(out(std::slice::from_ref(c)));
        }
        let db = AsDb::empty();
        assert_eq!(a.finish(&db, vec![], None), b.finish(&db, vec![], None));
    }
}
