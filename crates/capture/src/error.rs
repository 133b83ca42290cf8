//! The error type: every failure names the file and the byte offset of the
//! record that could not be read.

use std::fmt;
use std::io;

/// A capture file could not be read: which file, where, and what is wrong.
///
/// Displays as `FILE: byte OFFSET: what is wrong`.
#[derive(Debug)]
pub struct CaptureError {
    /// The file's name as given to the reader (`<stdin>` for standard input).
    pub file: String,
    /// Byte offset (in the decompressed file) of the header or record that is bad.
    pub offset: u64,
    /// What is wrong.
    pub kind: ErrorKind,
}

/// What is wrong with a capture file.
#[derive(Debug)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The operating system reported an error while opening, mapping or reading.
    Io(io::Error),
    /// Reading the gzip-compressed input failed (corrupt or cut-short gzip data).
    Gzip(io::Error),
    /// The file is empty.
    Empty,
    /// The first bytes are not a pcap, pcapng or gzip magic number.
    UnknownMagic(u32),
    /// A pcapng Section Header Block has a byte-order magic that is neither order.
    BadByteOrderMagic(u32),
    /// A version number this reader does not understand.
    UnsupportedVersion {
        /// Which format (`pcap` or `pcapng`).
        format: &'static str,
        /// Major version found.
        major: u16,
        /// Minor version found.
        minor: u16,
    },
    /// The file ends inside a header or record.
    Truncated {
        /// What was being read (e.g. "pcap record header").
        what: &'static str,
        /// Bytes the header or record needs.
        needed: u64,
        /// Bytes that were left in the file.
        available: u64,
    },
    /// A record's captured length exceeds the sanity bound.
    CaplenTooLarge {
        /// Captured length found.
        caplen: u32,
        /// The bound.
        limit: u32,
    },
    /// A pcapng packet block's captured length does not fit in the block.
    CaplenExceedsBlock {
        /// Captured length found.
        caplen: u32,
        /// Bytes the block has room for.
        room: u32,
    },
    /// A pcapng block total length is too small, not a multiple of 4, or too large.
    BadBlockLength {
        /// Block type.
        block_type: u32,
        /// Total length found.
        length: u32,
    },
    /// A pcapng block's trailing length differs from its leading length.
    BlockLengthMismatch {
        /// Block type.
        block_type: u32,
        /// Leading total length.
        leading: u32,
        /// Trailing total length.
        trailing: u32,
    },
    /// A pcapng block's options overrun the block.
    BadOptions {
        /// Block type.
        block_type: u32,
    },
    /// A pcapng packet refers to an interface no Interface Description Block defined.
    UnknownInterface {
        /// Interface id found.
        interface: u32,
        /// Number of interfaces defined in the section.
        defined: u32,
    },
}

impl CaptureError {
    /// Build an error for `file` at `offset`.
    pub fn new(file: &str, offset: u64, kind: ErrorKind) -> CaptureError {
        CaptureError {
            file: file.to_string(),
            offset,
            kind,
        }
    }

    /// True if the error is that the file ends inside a header or record.
    pub fn is_truncation(&self) -> bool {
        matches!(self.kind, ErrorKind::Truncated { .. })
    }
}

impl fmt::Display for CaptureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: byte {}: {}", self.file, self.offset, self.kind)
    }
}

impl std::error::Error for CaptureError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            ErrorKind::Io(e) | ErrorKind::Gzip(e) => Some(e),
            _ => None,
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::Io(e) => write!(f, "{e}"),
            ErrorKind::Gzip(e) => write!(f, "gzip stream: {e}"),
            ErrorKind::Empty => write!(f, "file is empty, no capture header"),
            ErrorKind::UnknownMagic(m) => write!(
                f,
                "not a pcap, pcapng or gzip file (first four bytes {m:08x})"
            ),
            ErrorKind::BadByteOrderMagic(m) => {
                write!(f, "pcapng section header has bad byte-order magic {m:08x}")
            }
            ErrorKind::UnsupportedVersion {
                format,
                major,
                minor,
            } => write!(f, "unsupported {format} version {major}.{minor}"),
            ErrorKind::Truncated {
                what,
                needed,
                available,
            } => write!(
                f,
                "file ends inside a {what} ({needed} bytes needed, {available} left)"
            ),
            ErrorKind::CaplenTooLarge { caplen, limit } => write!(
                f,
                "captured length {caplen} exceeds the {limit}-byte limit (corrupt record?)"
            ),
            ErrorKind::CaplenExceedsBlock { caplen, room } => write!(
                f,
                "captured length {caplen} does not fit in its block ({room} bytes of room)"
            ),
            ErrorKind::BadBlockLength { block_type, length } => write!(
                f,
                "pcapng block type 0x{block_type:08x} has bad total length {length}"
            ),
            ErrorKind::BlockLengthMismatch {
                block_type,
                leading,
                trailing,
            } => write!(
                f,
                "pcapng block type 0x{block_type:08x}: trailing length {trailing} differs from leading length {leading}"
            ),
            ErrorKind::BadOptions { block_type } => write!(
                f,
                "pcapng block type 0x{block_type:08x} has options overrunning the block"
            ),
            ErrorKind::UnknownInterface { interface, defined } => write!(
                f,
                "packet refers to interface {interface} but the section defines {defined}"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_file_and_offset() {
        let e = CaptureError::new(
            "x.pcap",
            40,
            ErrorKind::Truncated {
                what: "pcap record",
                needed: 60,
                available: 4,
            },
        );
        assert_eq!(
            e.to_string(),
            "x.pcap: byte 40: file ends inside a pcap record (60 bytes needed, 4 left)"
        );
        assert!(e.is_truncation());
    }

    #[test]
    fn io_error_is_the_source() {
        use std::error::Error;
        let e = CaptureError::new("y", 0, ErrorKind::Io(io::Error::other("boom")));
        assert!(e.source().is_some());
        assert_eq!(e.to_string(), "y: byte 0: boom");
    }
}
