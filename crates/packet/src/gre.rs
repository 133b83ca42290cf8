//! GRE (RFC 2784), with the RFC 2890 key and sequence number options.
//!
//! Header: C R K S s Recur A Flags Ver (16 bits), protocol type (16 bits),
//! then 4 bytes of checksum + reserved when C is set, 4 bytes of key when K
//! is set, 4 bytes of sequence number when S is set. Version 1 is PPTP's
//! enhanced GRE and RFC 1701 source routing (R) lays out differently: neither
//! is opened.

use crate::link::be16;

/// Fixed part of the header.
const BASE_LEN: usize = 4;
/// Checksum present.
const FLAG_C: u16 = 0x8000;
/// Routing present (RFC 1701).
const FLAG_R: u16 = 0x4000;
/// Key present.
const FLAG_K: u16 = 0x2000;
/// Sequence number present.
const FLAG_S: u16 = 0x1000;
/// Version bits.
const VERSION: u16 = 0x0007;

/// The parts of a GRE header the decapsulator needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Gre {
    /// Protocol type (an ethertype) of the payload.
    pub proto: u16,
    /// Header length with its options; may exceed the captured bytes.
    pub header_len: usize,
    /// The sequence number option is present (tells ERSPAN type II from type I).
    pub seq: bool,
}

/// Reads a GRE header; `None` when too short for the fixed part or of a
/// version or layout this crate does not open.
#[inline]
pub(crate) fn header(d: &[u8]) -> Option<Gre> {
    if d.len() < BASE_LEN {
        return None;
    }
    let flags = be16(d, 0);
    if flags & (VERSION | FLAG_R) != 0 {
        return None;
    }
    let opt = |flag: u16| if flags & flag != 0 { 4 } else { 0 };
    Some(Gre {
        proto: be16(d, 2),
        header_len: BASE_LEN + opt(FLAG_C) + opt(FLAG_K) + opt(FLAG_S),
        seq: flags & FLAG_S != 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_header() {
        let g = header(&[0x00, 0x00, 0x08, 0x00, 0x45]).unwrap();
        assert_eq!(
            g,
            Gre {
                proto: 0x0800,
                header_len: 4,
                seq: false
            }
        );
    }

    #[test]
    fn key_and_sequence_options() {
        // K and S: key 0x0000abcd, sequence 7, transparent Ethernet bridging.
        let d = [0x30, 0x00, 0x65, 0x58, 0, 0, 0xab, 0xcd, 0, 0, 0, 7];
        let g = header(&d).unwrap();
        assert_eq!((g.proto, g.header_len, g.seq), (0x6558, 12, true));
        // C, K and S: 16 bytes.
        let g = header(&[0xb0, 0x00, 0x86, 0xdd]).unwrap();
        assert_eq!((g.header_len, g.seq), (16, true));
        // S only: ERSPAN type II's usual header.
        let g = header(&[0x10, 0x00, 0x88, 0xbe]).unwrap();
        assert_eq!((g.proto, g.header_len, g.seq), (0x88be, 8, true));
    }

    #[test]
    fn pptp_routing_and_short_headers_are_not_opened() {
        assert_eq!(header(&[0x30, 0x81, 0x88, 0x0b]), None); // version 1 (PPTP)
        assert_eq!(header(&[0x40, 0x00, 0x08, 0x00]), None); // routing present
        assert_eq!(header(&[0x00, 0x00, 0x08]), None);
    }
}
