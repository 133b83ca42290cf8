//! Adding flow records into the matrices.

use crate::report::{AsCell, CountryCell, InputSummary, Report, TimeSpan, ToolInfo, Totals};
use crate::SCHEMA_VERSION;
use rustc_hash::FxHashMap;
use std::collections::BTreeMap;
use trombone_asdb::{AsDb, Country};
use trombone_flow::FlowRecord;

/// Key of an AS×AS cell: (src ASN, src country, dst ASN, dst country).
type AsKey = (u32, Option<Country>, u32, Option<Country>);

/// Packets, bytes and flows of one cell.
#[derive(Clone, Copy, Debug, Default)]
struct Counts {
    packets: u64,
    bytes: u64,
    flows: u64,
}

/// Merges flow records from any number of workers into traffic matrices.
#[derive(Debug, Default)]
pub struct Reducer {
    as_cells: FxHashMap<AsKey, Counts>,
    totals: Totals,
    first_ns: Option<i64>,
    last_ns: Option<i64>,
}

impl Reducer {
    /// An empty reducer.
    pub fn new() -> Reducer {
        Reducer::default()
    }

    /// Adds flow records (from any worker, in any order).
    pub fn add_flows(&mut self, records: &[FlowRecord]) {
        for r in records {
            let s = &r.stats;
            let key = (s.src_net.asn, s.src_net.country, s.dst_net.asn, s.dst_net.country);
            let c = self.as_cells.entry(key).or_default();
            c.packets += s.packets;
            c.bytes += s.bytes;
            c.flows += 1;
            self.totals.flows += 1;
            self.first_ns = Some(self.first_ns.map_or(s.first_ns, |f| f.min(s.first_ns)));
            self.last_ns = Some(self.last_ns.map_or(s.last_ns, |l| l.max(s.last_ns)));
        }
    }

    /// Adds frame counts gathered by a reader or capture worker.
    pub fn add_counts(&mut self, counts: &Totals) {
        let flows = self.totals.flows;
        self.totals.add(counts);
        self.totals.flows = flows + counts.flows;
    }

    /// Totals so far.
    pub fn totals(&self) -> &Totals {
        &self.totals
    }

    /// Sorts the matrices and builds the report.
    pub fn finish(self, db: &AsDb, inputs: Vec<InputSummary>) -> Report {
        let mut as_matrix: Vec<AsCell> = self
            .as_cells
            .iter()
            .map(|(&(sa, sc, da, dc), c)| AsCell {
                src_asn: sa,
                dst_asn: da,
                src_country: sc,
                dst_country: dc,
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
        let mut by_country: BTreeMap<(Option<Country>, Option<Country>), Counts> = BTreeMap::new();
        for a in &as_matrix {
            let c = by_country.entry((a.src_country, a.dst_country)).or_default();
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
        country_matrix.sort_by(|a, b| b.bytes.cmp(&a.bytes));
        let mut as_names = BTreeMap::new();
        for a in &as_matrix {
            for asn in [a.src_asn, a.dst_asn] {
                if let Some(n) = db.as_name(asn) {
                    as_names.entry(asn).or_insert_with(|| n.to_string());
                }
            }
        }
        let partial = inputs.iter().any(|i| i.error.is_some());
        let time = match (self.first_ns, self.last_ns) {
            (Some(f), Some(l)) => TimeSpan {
                first_ns: Some(f),
                last_ns: Some(l),
                duration_s: (l - f) as f64 / 1e9,
            },
            _ => TimeSpan::default(),
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
            as_names,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use trombone_asdb::NetInfo;
    use trombone_flow::{FlowKey, FlowStats};

    fn rec(src_asn: u32, sc: &str, dst_asn: u32, dc: &str, packets: u64, bytes: u64) -> FlowRecord {
        let net = |asn, cc: &str| NetInfo {
            asn,
            country: cc.parse().ok(),
        };
        FlowRecord {
            key: FlowKey {
                src: 1,
                dst: 2,
                sport: 0,
                dport: 0,
                vlan: 0,
                proto: 6,
                ip_version: 4,
            },
            stats: FlowStats {
                packets,
                bytes,
                wire_bytes: bytes,
                first_ns: 5,
                last_ns: 2_000_000_005,
                src_net: net(src_asn, sc),
                dst_net: net(dst_asn, dc),
            },
        }
    }

    #[test]
    fn matrices_add_up_and_sort() {
        let mut r = Reducer::new();
        r.add_flows(&[rec(7552, "VN", 45899, "VN", 3, 300)]);
        r.add_flows(&[
            rec(7552, "VN", 7473, "SG", 1, 1000),
            rec(7552, "VN", 45899, "VN", 2, 50),
            rec(24560, "KH", 45899, "VN", 1, 40),
        ]);
        let rep = r.finish(&AsDb::empty(), vec![]);
        assert_eq!(rep.totals.flows, 4);
        assert_eq!(rep.as_matrix.len(), 3);
        assert_eq!(rep.as_matrix[0].dst_asn, 7473);
        assert_eq!(rep.as_matrix[1].packets, 5);
        assert_eq!(rep.as_matrix[1].bytes, 350);
        assert_eq!(rep.as_matrix[1].flows, 2);
        // country matrix: VN->SG 1000, VN->VN 350, KH->VN 40
        let cc: Vec<(String, u64)> = rep
            .country_matrix
            .iter()
            .map(|c| (format!("{}>{}", c.src_country.unwrap(), c.dst_country.unwrap()), c.bytes))
            .collect();
        assert_eq!(
            cc,
            vec![("VN>SG".into(), 1000), ("VN>VN".into(), 350), ("KH>VN".into(), 40)]
        );
        assert_eq!(rep.time.duration_s, 2.0);
        assert!(!rep.partial);
    }

    #[test]
    fn order_of_arrival_does_not_matter() {
        let recs = vec![
            rec(1, "KH", 2, "LA", 1, 10),
            rec(2, "LA", 1, "KH", 1, 10),
            rec(3, "MM", 3, "MM", 4, 99),
        ];
        let mut a = Reducer::new();
        a.add_flows(&recs);
        let mut b = Reducer::new();
        for r in recs.iter().rev() {
            b.add_flows(std::slice::from_ref(r));
        }
        let db = AsDb::empty();
        assert_eq!(a.finish(&db, vec![]), b.finish(&db, vec![]));
    }
}
