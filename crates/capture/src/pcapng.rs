//! pcapng blocks: section headers, interface descriptions and the three
//! packet-carrying blocks (Enhanced, Simple, obsolete Packet Block).
//!
//! Every block is `type (u32) | total length (u32) | body | total length (u32)`
//! in its section's byte order. The functions here take a whole block (header
//! and trailer included) as a byte slice whose length the reader has already
//! validated with [`check_block_len`], and return plain values, so nothing
//! here allocates per packet.

use crate::endian::Endian;
use crate::error::ErrorKind;
use crate::pcap::MAX_CAPLEN;
use crate::timestamp::TsScale;

/// Section Header Block type (a palindrome, the same in both byte orders).
pub(crate) const SHB: u32 = 0x0A0D_0D0A;
/// Interface Description Block type.
pub(crate) const IDB: u32 = 1;
/// Obsolete Packet Block type.
pub(crate) const PB: u32 = 2;
/// Simple Packet Block type.
pub(crate) const SPB: u32 = 3;
/// Enhanced Packet Block type.
pub(crate) const EPB: u32 = 6;

/// Largest block accepted (Wireshark's limit too); a larger length is corruption.
pub(crate) const MAX_BLOCK_LEN: u32 = 16 * 1024 * 1024;

const BYTE_ORDER_MAGIC: u32 = 0x1A2B_3C4D;
const OPT_ENDOFOPT: u16 = 0;
const OPT_IF_TSRESOL: u16 = 9;
const OPT_IF_TSOFFSET: u16 = 14;

/// One Interface Description Block's parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Interface {
    /// LINKTYPE_* of the interface.
    pub(crate) linktype: u32,
    /// Snapshot length (0 = unlimited).
    pub(crate) snaplen: u32,
    /// Timestamp unit (`if_tsresol`, default µs).
    pub(crate) scale: TsScale,
    /// Seconds to add to every timestamp (`if_tsoffset`, default 0).
    pub(crate) offset_s: i64,
}

/// State of the current section: its byte order and interfaces.
#[derive(Debug)]
pub(crate) struct Section {
    /// Byte order of every block in the section.
    pub(crate) endian: Endian,
    /// Interfaces defined so far, by id.
    pub(crate) interfaces: Vec<Interface>,
    /// File-wide number of this section's interface 0 (interfaces of earlier sections come first).
    pub(crate) first_index: u32,
}

/// A packet block's contents, with the data located inside the block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Packet {
    /// Interface id within the section.
    pub(crate) interface: u32,
    /// LINKTYPE_* of that interface.
    pub(crate) linktype: u32,
    /// Timestamp, ns since the epoch (0 for Simple Packet Blocks, which carry none).
    pub(crate) ts_ns: i64,
    /// Captured length.
    pub(crate) caplen: u32,
    /// Original length on the wire.
    pub(crate) wire_len: u32,
    /// Offset of the packet data from the start of the block.
    pub(crate) data_start: usize,
}

/// The byte order a Section Header Block's byte-order magic (bytes 8..12) denotes.
pub(crate) fn section_endian(magic: [u8; 4]) -> Result<Endian, ErrorKind> {
    if u32::from_le_bytes(magic) == BYTE_ORDER_MAGIC {
        Ok(Endian::Little)
    } else if u32::from_be_bytes(magic) == BYTE_ORDER_MAGIC {
        Ok(Endian::Big)
    } else {
        Err(ErrorKind::BadByteOrderMagic(u32::from_be_bytes(magic)))
    }
}

/// Smallest valid total length of a block of type `block_type`.
pub(crate) fn min_block_len(block_type: u32) -> u32 {
    match block_type {
        SHB => 28,
        IDB => 20,
        EPB | PB => 32,
        SPB => 16,
        _ => 12,
    }
}

/// Check a block's leading total length: at least the type's minimum, a
/// multiple of 4, at most [`MAX_BLOCK_LEN`].
pub(crate) fn check_block_len(block_type: u32, length: u32) -> Result<(), ErrorKind> {
    if length < min_block_len(block_type) || length & 3 != 0 || length > MAX_BLOCK_LEN {
        return Err(ErrorKind::BadBlockLength { block_type, length });
    }
    Ok(())
}

/// Check a whole block's trailing total length equals its leading one.
pub(crate) fn check_trailer(endian: Endian, block: &[u8]) -> Result<(), ErrorKind> {
    let block_type = endian.u32(block, 0);
    let leading = endian.u32(block, 4);
    let trailing = endian.u32(block, block.len().saturating_sub(4));
    if leading != trailing {
        return Err(ErrorKind::BlockLengthMismatch {
            block_type,
            leading,
            trailing,
        });
    }
    Ok(())
}

/// Check a whole Section Header Block's version (major must be 1).
pub(crate) fn check_shb_version(endian: Endian, block: &[u8]) -> Result<(), ErrorKind> {
    let major = endian.u16(block, 12);
    let minor = endian.u16(block, 14);
    if major != 1 {
        return Err(ErrorKind::UnsupportedVersion {
            format: "pcapng",
            major,
            minor,
        });
    }
    Ok(())
}

/// Parse a whole Interface Description Block.
pub(crate) fn parse_idb(endian: Endian, block: &[u8]) -> Result<Interface, ErrorKind> {
    let mut iface = Interface {
        linktype: u32::from(endian.u16(block, 8)),
        snaplen: endian.u32(block, 12),
        scale: TsScale::MICROS,
        offset_s: 0,
    };
    let end = block.len().saturating_sub(4);
    let mut off = 16;
    while off + 4 <= end {
        let code = endian.u16(block, off);
        let len = usize::from(endian.u16(block, off + 2));
        if code == OPT_ENDOFOPT {
            break;
        }
        let value = off + 4;
        if value + len > end {
            return Err(ErrorKind::BadOptions { block_type: IDB });
        }
        match (code, len) {
            (OPT_IF_TSRESOL, 1) => iface.scale = TsScale::from_tsresol(block[value]),
            (OPT_IF_TSOFFSET, 8) => iface.offset_s = endian.i64(block, value),
            _ => {}
        }
        off = value + ((len + 3) & !3);
    }
    Ok(iface)
}

/// Parse a whole packet block (EPB, SPB or obsolete PB) of the section `sec`.
pub(crate) fn parse_packet(
    block_type: u32,
    block: &[u8],
    sec: &Section,
) -> Result<Packet, ErrorKind> {
    let e = sec.endian;
    // Room for packet data: the block minus its fixed fields and trailer.
    let (interface, fixed) = match block_type {
        EPB => (e.u32(block, 8), 28),
        PB => (u32::from(e.u16(block, 8)), 28),
        _ => (0, 12),
    };
    let room = u32::try_from(block.len().saturating_sub(fixed + 4)).unwrap_or(u32::MAX);
    let Some(iface) = sec.interfaces.get(interface as usize) else {
        return Err(ErrorKind::UnknownInterface {
            interface,
            defined: u32::try_from(sec.interfaces.len()).unwrap_or(u32::MAX),
        });
    };
    let (ts_ns, caplen, wire_len) = if block_type == SPB {
        let wire_len = e.u32(block, 8);
        let mut caplen = wire_len.min(room);
        if iface.snaplen != 0 {
            caplen = caplen.min(iface.snaplen);
        }
        (0, caplen, wire_len)
    } else {
        let units = (u64::from(e.u32(block, 12)) << 32) | u64::from(e.u32(block, 16));
        let caplen = e.u32(block, 20);
        if caplen > room {
            return Err(ErrorKind::CaplenExceedsBlock { caplen, room });
        }
        (
            iface.scale.to_ns(units, iface.offset_s),
            caplen,
            e.u32(block, 24),
        )
    };
    if caplen > MAX_CAPLEN {
        return Err(ErrorKind::CaplenTooLarge {
            caplen,
            limit: MAX_CAPLEN,
        });
    }
    Ok(Packet {
        interface,
        linktype: iface.linktype,
        ts_ns,
        caplen,
        wire_len,
        data_start: fixed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(endian: Endian, interfaces: Vec<Interface>) -> Section {
        Section {
            endian,
            interfaces,
            first_index: 0,
        }
    }

    fn eth_us() -> Interface {
        Interface {
            linktype: 1,
            snaplen: 0,
            scale: TsScale::MICROS,
            offset_s: 0,
        }
    }

    #[test]
    fn byte_order_magic() {
        assert!(matches!(
            section_endian([0x4d, 0x3c, 0x2b, 0x1a]),
            Ok(Endian::Little)
        ));
        assert!(matches!(
            section_endian([0x1a, 0x2b, 0x3c, 0x4d]),
            Ok(Endian::Big)
        ));
        assert!(matches!(
            section_endian([1, 2, 3, 4]),
            Err(ErrorKind::BadByteOrderMagic(0x0102_0304))
        ));
    }

    #[test]
    fn block_lengths() {
        assert!(check_block_len(EPB, 32).is_ok());
        assert!(check_block_len(EPB, 28).is_err());
        assert!(check_block_len(5, 12).is_ok());
        assert!(check_block_len(5, 8).is_err());
        assert!(check_block_len(5, 14).is_err()); // not a multiple of 4
        assert!(check_block_len(5, MAX_BLOCK_LEN).is_ok());
        assert!(check_block_len(5, MAX_BLOCK_LEN + 4).is_err());
        assert!(check_block_len(SHB, 24).is_err());
    }

    #[test]
    fn trailer_mismatch() {
        // type 5, length 12, trailer 16
        let b = [5, 0, 0, 0, 12, 0, 0, 0, 16, 0, 0, 0];
        assert!(matches!(
            check_trailer(Endian::Little, &b),
            Err(ErrorKind::BlockLengthMismatch {
                leading: 12,
                trailing: 16,
                ..
            })
        ));
        let b = [0, 0, 0, 5, 0, 0, 0, 12, 0, 0, 0, 12];
        assert!(check_trailer(Endian::Big, &b).is_ok());
    }

    #[test]
    fn idb_with_options_big_endian() {
        #[rustfmt::skip]
        let b = [
            0, 0, 0, 1, 0, 0, 0, 48,        // type 1, length 48
            0, 101, 0, 0, 0, 0, 0x05, 0xdc, // linktype 101 (RAW), reserved, snaplen 1500
            0, 2, 0, 4, b'e', b't', b'h', b'0', // if_name "eth0"
            0, 9, 0, 1, 9, 0, 0, 0,         // if_tsresol 9 (ns)
            0, 14, 0, 8, 0, 0, 0, 0, 0, 0, 0, 10, // if_tsoffset 10 s
            0, 0, 0, 0,                     // opt_endofopt
            0, 0, 0, 48,
        ];
        let i = parse_idb(Endian::Big, &b).unwrap();
        assert_eq!(i.linktype, 101);
        assert_eq!(i.snaplen, 1500);
        assert_eq!(i.scale, TsScale::Mul(1));
        assert_eq!(i.offset_s, 10);
    }

    #[test]
    fn idb_binary_tsresol_little_endian() {
        #[rustfmt::skip]
        let b = [
            1, 0, 0, 0, 28, 0, 0, 0,
            113, 0, 0, 0, 0, 0, 4, 0,       // linktype 113, snaplen 262144
            9, 0, 1, 0, 0x94, 0, 0, 0,      // if_tsresol 2^-20
            28, 0, 0, 0,
        ];
        let i = parse_idb(Endian::Little, &b).unwrap();
        assert_eq!(i.linktype, 113);
        assert_eq!(i.snaplen, 262_144);
        assert_eq!(i.scale, TsScale::Pow2(20));
        assert_eq!(i.offset_s, 0);
    }

    #[test]
    fn idb_option_overrun() {
        #[rustfmt::skip]
        let b = [
            1, 0, 0, 0, 28, 0, 0, 0,
            1, 0, 0, 0, 0, 0, 0, 0,
            2, 0, 200, 0, b'x', 0, 0, 0,    // if_name claims 200 bytes
            28, 0, 0, 0,
        ];
        assert!(matches!(
            parse_idb(Endian::Little, &b),
            Err(ErrorKind::BadOptions { block_type: IDB })
        ));
    }

    #[test]
    fn epb_little_endian() {
        #[rustfmt::skip]
        let b = [
            6, 0, 0, 0, 40, 0, 0, 0,
            1, 0, 0, 0,                     // interface 1
            0, 0, 0, 0, 0x40, 0x42, 0x0f, 0, // ts 1_000_000 µs
            5, 0, 0, 0, 9, 0, 0, 0,          // caplen 5, len 9
            0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0, 0, 0,
            40, 0, 0, 0,
        ];
        let mut raw = eth_us();
        raw.linktype = 101;
        let sec = section(Endian::Little, vec![eth_us(), raw]);
        let p = parse_packet(EPB, &b, &sec).unwrap();
        assert_eq!(p.interface, 1);
        assert_eq!(p.linktype, 101);
        assert_eq!(p.ts_ns, 1_000_000_000);
        assert_eq!((p.caplen, p.wire_len, p.data_start), (5, 9, 28));
        assert_eq!(&b[28..33], &[0xaa, 0xbb, 0xcc, 0xdd, 0xee]);

        // interface 2 is not defined
        let mut b2 = b;
        b2[8] = 2;
        assert!(matches!(
            parse_packet(EPB, &b2, &sec),
            Err(ErrorKind::UnknownInterface {
                interface: 2,
                defined: 2
            })
        ));
        // caplen 9 > room 8
        let mut b3 = b;
        b3[20] = 9;
        assert!(matches!(
            parse_packet(EPB, &b3, &sec),
            Err(ErrorKind::CaplenExceedsBlock { caplen: 9, room: 8 })
        ));
    }

    #[test]
    fn obsolete_packet_block_big_endian() {
        #[rustfmt::skip]
        let b = [
            0, 0, 0, 2, 0, 0, 0, 36,
            0, 0, 0, 7,                     // interface 0, drops 7
            0, 0, 0, 1, 0, 0, 0, 0,         // ts 2^32 units
            0, 0, 0, 4, 0, 0, 0, 4,
            1, 2, 3, 4,
            0, 0, 0, 36,
        ];
        let sec = section(Endian::Big, vec![eth_us()]);
        let p = parse_packet(PB, &b, &sec).unwrap();
        assert_eq!(p.interface, 0);
        assert_eq!(p.ts_ns, 4_294_967_296_000);
        assert_eq!((p.caplen, p.wire_len, p.data_start), (4, 4, 28));
    }

    #[test]
    fn simple_packet_block_caplen() {
        #[rustfmt::skip]
        let b = [
            3, 0, 0, 0, 24, 0, 0, 0,
            6, 0, 0, 0,                     // original length 6
            1, 2, 3, 4, 5, 6, 0, 0,         // 6 bytes + 2 padding
            24, 0, 0, 0,
        ];
        // snaplen 0: caplen = min(orig 6, room 8) = 6
        let sec = section(Endian::Little, vec![eth_us()]);
        let p = parse_packet(SPB, &b, &sec).unwrap();
        assert_eq!((p.caplen, p.wire_len, p.data_start, p.ts_ns), (6, 6, 12, 0));
        // snaplen 4: caplen 4
        let mut i = eth_us();
        i.snaplen = 4;
        let p = parse_packet(SPB, &b, &section(Endian::Little, vec![i])).unwrap();
        assert_eq!((p.caplen, p.wire_len), (4, 6));
        // original length 100 (snapped by the writer): caplen = room 8
        let mut b2 = b;
        b2[8] = 100;
        let p = parse_packet(SPB, &b2, &sec).unwrap();
        assert_eq!((p.caplen, p.wire_len), (8, 100));
        // no interface yet
        assert!(matches!(
            parse_packet(SPB, &b, &section(Endian::Little, vec![])),
            Err(ErrorKind::UnknownInterface {
                interface: 0,
                defined: 0
            })
        ));
    }
}
