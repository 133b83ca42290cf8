//! A capture worker: everything one core keeps about its share of the traffic.
//!
//! Stage 3 of the pipeline. Each worker owns one [`Worker`] and touches nothing else on
//! the hot path (no locks, no shared state). For every packet it finds the packet's flow
//! in its [`trombone_flow::FlowTable`] (resolving both ends' networks once, when the flow
//! is created), adds the packet to its AS pair's counters and size buckets and to the
//! pair's open rate bins, and hands the packet to each plugged-in [`Analysis`] (the
//! hairpin analysis is one; collector records, BGP and evidence analyses plug in the
//! same way). The matrices and rates are kept at the pair level, so per-flow detail can
//! be evicted without losing a byte from them.
//!
//! Nothing accumulates for the whole run: rate bins leave the worker as soon as their
//! sample interval closes ([`Worker::close`] → [`Flush`]), and counters, histograms and
//! the analyses' figures leave at each interval boundary ([`Worker::handover`] →
//! [`Handover`]); flows, pending replicas and handshakes carry over. Memory therefore
//! depends on the active pairs and the open bins, not on how long the capture runs.

mod analysis;
mod hairpin;
mod ixp;
mod pairs;
mod series;
mod worker;

pub use analysis::{Analysis, PacketCtx, Partial, Weighted};
pub use hairpin::{HairpinAnalysis, HairpinPartial};
pub use ixp::{IxpAnalysis, IxpPartial, MacPairCount};
pub use pairs::{AsPair, PairCounters, PairTable, SizeBuckets, SIZE_BUCKET_BOUNDS};
pub use series::{Cell, Flush, LinkDir, SeriesKey, SeriesStore};
pub use trombone_hairpin::UNTIMED;
pub use worker::records::{spread, CounterDelta, FlowObs, Sampled, MAX_SPREAD_BINS};
pub use worker::{FlowEntry, Handover, PairFigures, Talker, Worker, WorkerConfig};
