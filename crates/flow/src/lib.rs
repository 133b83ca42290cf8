//! Per-worker flow tables.
//!
//! Stage 3 of the pipeline. Each capture worker owns one [`Worker`]: a flow
//! table it alone touches (no locks, no shared state on the hot path). A flow
//! is directional and keyed by [`FlowKey`]; its source and destination
//! network (ASN, country) are looked up once, when the flow is created, and
//! stored with its counters. When the worker is done (end of file, end of
//! capture, or later on eviction) it hands its [`FlowRecord`]s to the reducer.

mod key;
mod table;

pub use key::FlowKey;
pub use table::{FlowRecord, FlowStats, Worker};
