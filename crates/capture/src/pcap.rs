//! Classic libpcap format: the 24-byte file header and the per-record header
//! (16 bytes, or 24 in Kuznetzov's "modified" format).
//!
//! File header: magic, version major/minor (u16 each), thiszone, sigfigs,
//! snaplen, linktype (u32 each), all in the writer's byte order, which the
//! magic reveals. Record header: ts seconds, ts fraction (µs or ns), captured
//! length, original length; the modified format adds ifindex (u32),
//! protocol (u16), packet type (u8) and a pad byte.

use crate::endian::Endian;
use crate::error::ErrorKind;
use crate::format::FileFormat;
use crate::timestamp::pcap_ns;

/// Length of the classic pcap file header.
pub(crate) const FILE_HEADER_LEN: usize = 24;
/// Largest captured length accepted in a record (libpcap's and Wireshark's
/// usual maximum snapshot length); anything larger is treated as corruption.
pub(crate) const MAX_CAPLEN: u32 = 262_144;

const MAGIC_MICROS: u32 = 0xa1b2_c3d4;
const MAGIC_NANOS: u32 = 0xa1b2_3c4d;
const MAGIC_MODIFIED: u32 = 0xa1b2_cd34;

/// The link-type field holds the LINKTYPE in its low bits and FCS
/// information in its top bits (bits 26..31: "P" flag and FCS length);
/// libpcap's `LT_LINKTYPE` keeps the low 26 bits.
const LINKTYPE_MASK: u32 = 0x03ff_ffff;

/// What a classic pcap file header says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PcapHeader {
    /// The writer's byte order.
    pub(crate) endian: Endian,
    /// Which variant (µs, ns, modified).
    pub(crate) format: FileFormat,
    /// Snapshot length from the header (informational only).
    pub(crate) snaplen: u32,
    /// LINKTYPE_* of every record, FCS bits masked off.
    pub(crate) linktype: u32,
}

/// What a record header says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RecordHeader {
    /// Timestamp, ns since the epoch.
    pub(crate) ts_ns: i64,
    /// Bytes of packet data following the header.
    pub(crate) caplen: u32,
    /// Length of the packet on the wire.
    pub(crate) wire_len: u32,
}

/// The byte order and variant a classic pcap magic number denotes, if it is one.
pub(crate) fn magic(first4: [u8; 4]) -> Option<(Endian, FileFormat)> {
    let le = u32::from_le_bytes(first4);
    let be = u32::from_be_bytes(first4);
    for (value, endian) in [(le, Endian::Little), (be, Endian::Big)] {
        let format = match value {
            MAGIC_MICROS => FileFormat::Pcap,
            MAGIC_NANOS => FileFormat::PcapNs,
            MAGIC_MODIFIED => FileFormat::PcapModified,
            _ => continue,
        };
        return Some((endian, format));
    }
    None
}

impl PcapHeader {
    /// Parse the 24-byte file header `b` (whose magic `magic` already recognised).
    pub(crate) fn parse(b: &[u8]) -> Result<PcapHeader, ErrorKind> {
        let first4: [u8; 4] = b.get(..4).and_then(|s| s.try_into().ok()).unwrap_or([0; 4]);
        let Some((endian, format)) = magic(first4) else {
            return Err(ErrorKind::UnknownMagic(u32::from_be_bytes(first4)));
        };
        let major = endian.u16(b, 4);
        let minor = endian.u16(b, 6);
        if major != 2 {
            return Err(ErrorKind::UnsupportedVersion {
                format: "pcap",
                major,
                minor,
            });
        }
        Ok(PcapHeader {
            endian,
            format,
            snaplen: endian.u32(b, 16),
            linktype: endian.u32(b, 20) & LINKTYPE_MASK,
        })
    }

    /// Length of each record header in this variant.
    pub(crate) fn record_header_len(&self) -> usize {
        match self.format {
            FileFormat::PcapModified => 24,
            _ => 16,
        }
    }

    /// Parse a record header `b` (`record_header_len()` bytes).
    pub(crate) fn parse_record(&self, b: &[u8]) -> Result<RecordHeader, ErrorKind> {
        let e = self.endian;
        let frac_ns = match self.format {
            FileFormat::PcapNs => 1,
            _ => 1_000,
        };
        let caplen = e.u32(b, 8);
        if caplen > MAX_CAPLEN {
            return Err(ErrorKind::CaplenTooLarge {
                caplen,
                limit: MAX_CAPLEN,
            });
        }
        Ok(RecordHeader {
            ts_ns: pcap_ns(e.u32(b, 0), e.u32(b, 4), frac_ns),
            caplen,
            wire_len: e.u32(b, 12),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Hand-written headers: version 2.4, thiszone 0, sigfigs 0, snaplen 65535 (0xffff), linktype 1.
    const LE_MICROS: [u8; 24] = [
        0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0,
    ];
    const BE_NANOS: [u8; 24] = [
        0xa1, 0xb2, 0x3c, 0x4d, 0, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 1,
    ];

    #[test]
    fn magic_numbers() {
        assert_eq!(
            magic([0xd4, 0xc3, 0xb2, 0xa1]),
            Some((Endian::Little, FileFormat::Pcap))
        );
        assert_eq!(
            magic([0xa1, 0xb2, 0xc3, 0xd4]),
            Some((Endian::Big, FileFormat::Pcap))
        );
        assert_eq!(
            magic([0x4d, 0x3c, 0xb2, 0xa1]),
            Some((Endian::Little, FileFormat::PcapNs))
        );
        assert_eq!(
            magic([0xa1, 0xb2, 0x3c, 0x4d]),
            Some((Endian::Big, FileFormat::PcapNs))
        );
        assert_eq!(
            magic([0x34, 0xcd, 0xb2, 0xa1]),
            Some((Endian::Little, FileFormat::PcapModified))
        );
        assert_eq!(magic([0x0a, 0x0d, 0x0d, 0x0a]), None);
        assert_eq!(magic([0x1f, 0x8b, 0x08, 0x00]), None);
    }

    #[test]
    fn header_both_orders() {
        let le = PcapHeader::parse(&LE_MICROS).unwrap();
        assert_eq!(le.endian, Endian::Little);
        assert_eq!(le.format, FileFormat::Pcap);
        assert_eq!(le.snaplen, 65535);
        assert_eq!(le.linktype, 1);
        assert_eq!(le.record_header_len(), 16);
        let be = PcapHeader::parse(&BE_NANOS).unwrap();
        assert_eq!(be.endian, Endian::Big);
        assert_eq!(be.format, FileFormat::PcapNs);
        assert_eq!(be.snaplen, 65535);
        assert_eq!(be.linktype, 1);
    }

    #[test]
    fn fcs_bits_masked_from_linktype() {
        // 0x30000084: FCS length 3 in bits 28..31, LINKTYPE 132 below.
        let mut h = LE_MICROS;
        h[20..24].copy_from_slice(&0x3000_0084u32.to_le_bytes());
        assert_eq!(PcapHeader::parse(&h).unwrap().linktype, 132);
        // "P" bit (bit 26) set, LINKTYPE_ETHERNET
        h[20..24].copy_from_slice(&0x0400_0001u32.to_le_bytes());
        assert_eq!(PcapHeader::parse(&h).unwrap().linktype, 1);
    }

    #[test]
    fn bad_version() {
        let mut h = LE_MICROS;
        h[4] = 1;
        assert!(matches!(
            PcapHeader::parse(&h),
            Err(ErrorKind::UnsupportedVersion {
                major: 1,
                minor: 4,
                ..
            })
        ));
    }

    #[test]
    fn records() {
        let le = PcapHeader::parse(&LE_MICROS).unwrap();
        // ts 0x5f5e1000 s (1600000000), 250000 µs, caplen 60, len 1514
        let rec = [
            0x00, 0x10, 0x5e, 0x5f, 0x90, 0xd0, 0x03, 0x00, 60, 0, 0, 0, 0xea, 0x05, 0, 0,
        ];
        let r = le.parse_record(&rec).unwrap();
        assert_eq!(r.ts_ns, 1_600_000_000_250_000_000);
        assert_eq!(r.caplen, 60);
        assert_eq!(r.wire_len, 1514);

        let be = PcapHeader::parse(&BE_NANOS).unwrap();
        // ts 1 s + 5 ns, caplen 0x40000 (limit, allowed), len 0x40000
        let rec = [0, 0, 0, 1, 0, 0, 0, 5, 0, 4, 0, 0, 0, 4, 0, 0];
        let r = be.parse_record(&rec).unwrap();
        assert_eq!(r.ts_ns, 1_000_000_005);
        assert_eq!(r.caplen, 262_144);
        // one byte over the limit
        let rec = [0, 0, 0, 1, 0, 0, 0, 5, 0, 4, 0, 1, 0, 4, 0, 1];
        assert!(matches!(
            be.parse_record(&rec),
            Err(ErrorKind::CaplenTooLarge {
                caplen: 262_145,
                ..
            })
        ));
    }

    #[test]
    fn modified_format_record() {
        let mut h = LE_MICROS;
        h[..4].copy_from_slice(&[0x34, 0xcd, 0xb2, 0xa1]);
        let m = PcapHeader::parse(&h).unwrap();
        assert_eq!(m.format, FileFormat::PcapModified);
        assert_eq!(m.record_header_len(), 24);
        // ts 10 s 1 µs, caplen 4, len 4, ifindex 2, protocol 0x0800, type 0, pad 0
        let rec = [
            10, 0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0, 2, 0, 0, 0, 0, 8, 0, 0,
        ];
        let r = m.parse_record(&rec).unwrap();
        assert_eq!(r.ts_ns, 10_000_001_000);
        assert_eq!((r.caplen, r.wire_len), (4, 4));
    }
}
