//! Hairpin ("tromboning") detection.
//!
//! Traffic between two networks of the zone under audit is **local**; a
//! local packet exchanged with a neighbour outside the zone (or with an
//! unknown neighbour, on a border vantage) is **hairpin**: it left the zone
//! and came back. This crate holds the model and the per-worker state:
//!
//! - [`Zone`]: the home country and the countries that count as local;
//! - [`Links`]: the vantage's links (from `links.toml`), which tell from a
//!   frame's MACs or VLAN which neighbour it was exchanged with;
//! - [`HairpinState`]: a worker's replica matcher (a packet seen leaving and
//!   again returning, with a lower TTL, is one packet: its detour time and
//!   hops abroad are measured) and TCP handshake timer;
//! - [`PairHairpin`]: per AS pair accumulators that the reducer merges.
//!
//! Both sightings of a packet carry the same address pair, so the pipeline's
//! dispatcher (or a NIC's RSS hash) sends them to the same worker: replica
//! state never has to cross workers, and the reducer only adds.

mod config;
pub mod handshake;
mod links;
mod pair;
mod replica;
mod state;
mod zone;

pub use config::{HairpinConfig, DEFAULT_MAX_HANDSHAKES, DEFAULT_MAX_PENDING, DEFAULT_WINDOW_MS};
pub use links::{Direction, Link, Links, LinksError, Sighting};
pub use pair::{PairHairpin, ViaCount};
pub use replica::MAX_WINDOW_NS;
pub use state::{replica_fingerprint, HairpinState, MatcherStats, PairRef, Verdict};
pub use zone::{Zone, ZoneError};

/// The timestamp of a packet that carried no usable one (see the pipeline's time
/// checks): such packets are counted everywhere but never timed or matched.
pub const UNTIMED: i64 = i64::MIN;
