//! Flow tables: flows and nothing else.
//!
//! Stage 3 of the pipeline, first half. A flow is directional and keyed by [`FlowKey`]
//! (outer VLAN, addresses, protocol, ports). [`FlowMap`] is the hash table (open
//! addressing with linear probing, so the slot a key lands in can be prefetched before
//! it is needed; removal shifts entries back in place, no rebuild). [`FlowTable`] bounds
//! it the way flow exporters do: a cap on flows, idle and active timeouts in capture
//! time, eviction of idle and then least recently active flows when full, and counts of
//! what it evicted and expired. What a flow carries is the caller's choice (any
//! [`FlowValue`]): this crate knows nothing about networks, pairs or hairpins; the worker
//! crate above it does.

mod flowmap;
mod key;
mod table;

pub use flowmap::{hash_key, FlowMap, Located, Spot};
pub use key::FlowKey;
pub use table::{FlowLimits, FlowStatus, FlowTable, FlowValue};
