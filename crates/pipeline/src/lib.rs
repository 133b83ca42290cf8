//! The pipeline: sources → parse → per-worker flow tables → reducer.
//!
//! This crate only wires the stages together; each stage lives in its own
//! crate. Threads and what crosses between them:
//!
//! ```text
//!  reader (this thread)          workers 0..N (one thread each)     reducer (one thread)
//!  read frame → parse → meta ──▶ [batch of PacketMeta] ─▶ flow table ─▶ [bins, figures] ─▶ results
//!                          ◀── empty batch recycled ◀──┘
//! ```
//!
//! The reader routes each packet by a symmetric hash of its address pair
//! ([`PacketMeta::pair_hash`]), as a NIC's RSS does for live capture: both
//! directions, fragments and replicas of a conversation reach the same
//! worker, so a flow lives in exactly one table and the result is identical
//! for any worker count. Batches are recycled, so the steady state allocates
//! nothing per packet.

mod clock;
#[cfg(target_os = "linux")]
mod collect;
mod exports;
#[cfg(target_os = "linux")]
mod live;
mod offline;
mod ticks;

pub use clock::{Stamp, TimeGate};
#[cfg(target_os = "linux")]
pub use collect::{open_collector, run_collect, CollectOptions};
pub use exports::{udp_payload, ExportDecoder, Observations};
#[cfg(target_os = "linux")]
pub use live::{
    open_capture, run_capture, CaptureHealth, LiveOptions, LiveReport, Pinning, QueueHealth,
};
pub use offline::{analyze, analyze_all, Options, Progress};
#[cfg(target_os = "linux")]
pub use trombone_collect::Kind as ExportKind;
pub use trombone_packet::PacketMeta;
