//! The AS pair: the unit the matrices are kept in.

use trombone_asdb::{Country, NetInfo};

/// Source and destination network of a flow: one cell of the AS×AS matrix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AsPair {
    /// Source ASN (0 = unknown).
    pub src_asn: u32,
    /// Source country.
    pub src_country: Option<Country>,
    /// Destination ASN (0 = unknown).
    pub dst_asn: u32,
    /// Destination country.
    pub dst_country: Option<Country>,
}

impl AsPair {
    /// The pair of two resolved networks.
    pub fn of(src: NetInfo, dst: NetInfo) -> AsPair {
        AsPair {
            src_asn: src.asn,
            src_country: src.country,
            dst_asn: dst.asn,
            dst_country: dst.country,
        }
    }
}

/// Packets, bytes and flows of one AS pair.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PairCounters {
    /// IP packets.
    pub packets: u64,
    /// L3 bytes.
    pub bytes: u64,
    /// Wire bytes.
    pub wire_bytes: u64,
    /// Flows created (a flow evicted and seen again counts again).
    pub flows: u64,
}

impl PairCounters {
    /// Adds another set of counters.
    pub fn add(&mut self, o: &PairCounters) {
        self.packets += o.packets;
        self.bytes += o.bytes;
        self.wire_bytes += o.wire_bytes;
        self.flows += o.flows;
    }
}
