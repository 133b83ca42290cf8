//! Per-worker flow tables.
//!
//! Stage 3 of the pipeline. Each capture worker owns one [`Worker`]: a flow
//! table it alone touches (no locks, no shared state on the hot path). A flow
//! is directional and keyed by [`FlowKey`]; its source and destination
//! network (ASN, country) are looked up once, when the flow is created, and
//! the flow remembers the index of its [`AsPair`] in the worker's pair table.
//! Every packet then adds to its flow *and* to its AS pair's counters, time
//! series and packet-size buckets (indexed adds, no second hash lookup), so
//! the matrices and rates are kept exactly at the pair level: per-flow detail
//! can be dropped (evicted) without losing a byte from them. When done, the
//! worker hands a [`WorkerOutput`] to the reducer.

mod flowmap;
mod key;
mod pair;
mod series;
mod table;

pub use flowmap::{hash_key, FlowMap};
pub use key::FlowKey;
pub use pair::{AsPair, PairCounters};
pub use series::{Series, MAX_SPAN_BINS};
pub use table::{
    FlowLimits, FlowStats, LinkSeries, PairOutput, SizeBuckets, Talker, Worker, WorkerOutput,
    BYTES_PER_FLOW, DEFAULT_BIN_NS, SIZE_BUCKET_BOUNDS,
};
