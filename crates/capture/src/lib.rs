//! Capture files: where offline frames come from.
//!
//! Stage 1 of the pipeline. A reader yields [`Frame`]s — a timestamp, the
//! link type, the captured bytes and the original wire length — borrowed from
//! the reader's own reused chunks, so reading allocates nothing per packet. A
//! large input is read ahead (and decompressed) on a thread of its own.
//! This crate is portable and has no `unsafe` code; live capture (AF_XDP,
//! AF_PACKET, libpcap) is the separate, Linux-only crate `trombone-live`,
//! which hands over frames of this same [`Frame`] type.
//!
//! Formats: classic pcap (µs and ns, both byte orders, and Kuznetzov's
//! "modified" pcap) and pcapng (any number of sections and interfaces, either
//! byte order, `if_tsresol`/`if_tsoffset`; Enhanced, Simple and obsolete
//! Packet Blocks; other blocks are skipped and counted in [`ReadStats`]).
//! gzip-compressed input is recognised by its magic and decompressed while
//! streaming. Bad input gives a [`CaptureError`] naming the file and byte
//! offset; frames read before it have already been yielded.
//!
//! ```no_run
//! use std::path::Path;
//! use trombone_capture::CaptureReader;
//!
//! let mut reader = CaptureReader::open(Path::new("trace.pcap"))?;
//! let mut bytes = 0u64;
//! while let Some(frame) = reader.next_frame()? {
//!     bytes += frame.data.len() as u64;
//! }
//! println!("{} frames, {bytes} bytes, format {}", reader.stats().frames, reader.format());
//! # Ok::<(), trombone_capture::CaptureError>(())
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod endian;
mod error;
mod format;
mod pcap;
mod pcapng;
mod reader;
mod source;
mod stats;
mod timestamp;

#[cfg(test)]
mod test_files;

pub use error::{CaptureError, ErrorKind};
pub use format::FileFormat;
pub use reader::CaptureReader;
pub use stats::{ReadStats, SkippedBlocks};

/// Largest captured length accepted in one record (256 KiB, libpcap's and
/// Wireshark's usual maximum snapshot length); a larger one is reported as a
/// corrupt record.
pub const MAX_CAPLEN: u32 = pcap::MAX_CAPLEN;

/// Link-layer header types (LINKTYPE_* values from tcpdump.org) trombone decodes.
pub mod linktype {
    /// BSD loopback: 4-byte address family in the writer's byte order.
    pub const NULL: u32 = 0;
    /// Ethernet II (with 802.1Q/802.1ad/MPLS handled by the parser).
    pub const ETHERNET: u32 = 1;
    /// Raw IP as written by some BSDs (DLT_RAW = 12).
    pub const RAW_BSD12: u32 = 12;
    /// Raw IP as written by OpenBSD (DLT_RAW = 14).
    pub const RAW_BSD14: u32 = 14;
    /// Raw IPv4 or IPv6, no link header.
    pub const RAW: u32 = 101;
    /// OpenBSD loopback: 4-byte address family in network byte order.
    pub const LOOP: u32 = 108;
    /// Linux cooked capture v1.
    pub const LINUX_SLL: u32 = 113;
    /// Raw IPv4 only.
    pub const IPV4: u32 = 228;
    /// Raw IPv6 only.
    pub const IPV6: u32 = 229;
    /// Linux cooked capture v2.
    pub const LINUX_SLL2: u32 = 276;
}

/// One captured frame, borrowed from the source's buffer.
#[derive(Clone, Copy, Debug)]
pub struct Frame<'a> {
    /// Capture timestamp in nanoseconds since the Unix epoch.
    pub ts_ns: i64,
    /// LINKTYPE_* of the interface the frame was captured on.
    pub linktype: u32,
    /// Interface index within the file (0 for classic pcap).
    pub interface: u32,
    /// Length of the frame on the wire (may exceed `data.len()` when truncated by snaplen).
    pub wire_len: u32,
    /// The captured bytes.
    pub data: &'a [u8],
}
