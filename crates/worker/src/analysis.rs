//! The seam where analyses plug into a worker.

use crate::{Cell, HairpinPartial, IxpPartial, PairTable, SeriesStore};
use trombone_packet::PacketMeta;

/// What the worker knows about a packet when it hands it to an analysis.
pub struct PacketCtx<'a> {
    /// Index of the packet's AS pair in `pairs`.
    pub pair: u32,
    /// The worker's pair table.
    pub pairs: &'a PairTable,
    /// The packet's rate bin, `None` when it has no usable timestamp.
    pub bin: Option<i64>,
    /// What this analysis's [`Analysis::prepare`] returned for the packet.
    pub prepared: u64,
}

/// A per-worker analysis: sees every packet after the worker has found its flow and AS
/// pair, keeps its own state, and hands over its figures at each interval boundary.
///
/// One instance per worker, owned by that worker's thread: no locks, no sharing.
pub trait Analysis: Send {
    /// Work done a few packets ahead of [`Analysis::packet`], typically a hash whose
    /// memory is prefetched; the value comes back in [`PacketCtx::prepared`].
    #[inline]
    fn prepare(&self, _m: &PacketMeta) -> u64 {
        0
    }

    /// Accounts one packet; rate bins of the analysis's own series go to `series`.
    fn packet(&mut self, m: &PacketMeta, ctx: &PacketCtx<'_>, series: &mut SeriesStore);

    /// Accounts traffic known only in aggregate: a sampled packet standing for several
    /// (sFlow), or a flow record (NetFlow, IPFIX) spread over rate bins. Analyses that
    /// need every captured packet — replica matching, handshakes — cannot use it: the
    /// default ignores it. `ctx.bin` is `None`; the bins are in `w.cells`.
    fn weighted(&mut self, _w: &Weighted<'_>, _ctx: &PacketCtx<'_>, _series: &mut SeriesStore) {}

    /// The input has ended (called once, before the last [`Analysis::take`]): state held
    /// back for what might still come can be settled.
    fn end(&mut self) {}

    /// Hands over what was accumulated since the last call and starts afresh, keeping
    /// whatever state must carry over an interval boundary.
    fn take(&mut self, pairs: &PairTable) -> Partial;

    /// A copy of what [`Analysis::take`] would hand over now, leaving everything as it is
    /// (for periodic snapshots of a live capture).
    fn snapshot(&self, pairs: &PairTable) -> Partial;
}

/// Traffic an analysis gets from a flow-export source (see [`Analysis::weighted`]).
#[derive(Clone, Copy, Debug)]
pub struct Weighted<'a> {
    /// The sampled packet's header fields (`None` for a flow record).
    pub meta: Option<&'a PacketMeta>,
    /// Source MAC (zero when the exporter gave none).
    pub src_mac: [u8; 6],
    /// Destination MAC (zero when the exporter gave none).
    pub dst_mac: [u8; 6],
    /// Outer VLAN, 0 when untagged or not exported.
    pub vlan: u16,
    /// Packets it stands for (renormalised).
    pub packets: u64,
    /// Their L3 bytes (renormalised).
    pub bytes: u64,
    /// Its rate bins, which add up to `packets` and `bytes` (empty when untimed).
    pub cells: &'a [Cell],
}

/// One analysis's figures for an interval, as the reducer adds them up.
#[derive(Debug)]
pub enum Partial {
    /// The hairpin analysis.
    Hairpin(HairpinPartial),
    /// The IXP peering-LAN analysis.
    Ixp(IxpPartial),
}
