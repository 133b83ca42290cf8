//! The AS pair table: the unit the matrices are kept in.

use rustc_hash::FxHashMap;
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

    /// True when nothing was counted.
    pub fn is_zero(&self) -> bool {
        *self == PairCounters::default()
    }
}

/// Upper bounds (inclusive, L3 bytes) of the packet-size buckets, after RFC 2819's
/// etherStatsPkts64…1518Octets ranges; the last bucket holds everything larger.
pub const SIZE_BUCKET_BOUNDS: [u32; 6] = [64, 127, 255, 511, 1023, 1499];

/// Packets per size bucket (see [`SIZE_BUCKET_BOUNDS`]): a few counters that stay in
/// cache, where a per-pair histogram would not.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SizeBuckets(pub [u64; 7]);

impl SizeBuckets {
    /// Counts one packet of `len` bytes.
    #[inline]
    pub fn record(&mut self, len: u32) {
        let i = SIZE_BUCKET_BOUNDS
            .iter()
            .position(|&b| len <= b)
            .unwrap_or(6);
        self.0[i] += 1;
    }

    /// Counts `n` packets of `len` bytes (a sampled packet standing for several).
    pub fn record_n(&mut self, len: u32, n: u64) {
        let i = SIZE_BUCKET_BOUNDS
            .iter()
            .position(|&b| len <= b)
            .unwrap_or(6);
        self.0[i] += n;
    }

    /// Adds another set of counts.
    pub fn add(&mut self, o: &SizeBuckets) {
        for (a, b) in self.0.iter_mut().zip(o.0.iter()) {
            *a += b;
        }
    }
}

/// One pair's slot: what the worker adds to per packet.
#[derive(Clone, Debug)]
pub(crate) struct PairSlot {
    pub pair: AsPair,
    pub counters: PairCounters,
    pub sizes: SizeBuckets,
    /// Its rate series in the worker's series store.
    pub series: u32,
}

/// The worker's AS pairs, indexed densely (flows hold the index).
#[derive(Default)]
pub struct PairTable {
    pub(crate) slots: Vec<PairSlot>,
    index: FxHashMap<AsPair, u32>,
}

impl PairTable {
    /// The index of `pair`, and whether it was created now.
    pub(crate) fn index_of(&mut self, pair: AsPair, new_series: impl FnOnce() -> u32) -> u32 {
        if let Some(&i) = self.index.get(&pair) {
            return i;
        }
        let i = self.slots.len() as u32;
        self.slots.push(PairSlot {
            pair,
            counters: PairCounters::default(),
            sizes: SizeBuckets::default(),
            series: new_series(),
        });
        self.index.insert(pair, i);
        i
    }

    /// The AS pair at index `i`.
    #[inline]
    pub fn pair(&self, i: u32) -> &AsPair {
        &self.slots[i as usize].pair
    }

    /// Pairs known to this worker.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// True when no pair is known.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_buckets_edges() {
        let mut b = SizeBuckets::default();
        for len in [0, 64, 65, 127, 128, 1499, 1500, 9000] {
            b.record(len);
        }
        assert_eq!(b.0, [2, 2, 1, 0, 0, 1, 2]);
    }
}
