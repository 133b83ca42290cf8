//! MRT BGP dump reader: RIB and update records, AS paths per prefix, and the AS paths between
//! two networks.
//!
//! Reads TABLE_DUMP (v1), TABLE_DUMP_V2 (PEER_INDEX_TABLE, RIB_IPV4/IPV6_UNICAST, their
//! ADD-PATH variants, RIB_GENERIC) and BGP4MP/BGP4MP_ET updates (2- and 4-byte AS, ADD-PATH),
//! plain, gzip or bzip2 (detected by magic; bzip2 by a pure-Rust decoder). Decoding of MRT
//! framing, BGP messages and path attributes is done by the `bgpkit-parser` crate, kept behind
//! this crate's small API: [`Rib`], [`ReadStats`], [`Prefix`], [`AsPath`], [`Origin`].
//!
//! A stream that ends early (a cut download, a corrupt record) gives a partial read: everything
//! before the bad record is kept and [`ReadStats::error`] names the file and byte offset.
//!
//! ```no_run
//! let (rib, stats) = trombone_bgp::Rib::load("rib.20240406.0000.bz2")?;
//! eprintln!("{stats}");
//! let p = rib.paths_between(38623, 24087, 5);
//! for w in &p.paths {
//!     println!("{:?} via {:?} ({} prefixes)", p.basis, trombone_bgp::transit_of(&w.asns), w.prefixes);
//! }
//! # Ok::<(), trombone_bgp::MrtError>(())
//! ```

#![warn(missing_docs)]

mod error;
mod input;
mod intern;
mod path;
mod prefix;
mod reader;
mod rib;

pub use error::MrtError;
pub use input::{looks_like_mrt_header, sniff, Compression};
pub use path::{dedup_prepending, transit_of, AsPath, Origin, Segment, SegmentKind};
pub use prefix::Prefix;
pub use reader::{PeerKey, ReadStats, Skipped};
pub use rib::{Basis, PathsBetween, Rib, Route, WeightedPath};
