//! ERSPAN (Cisco's encapsulated remote SPAN, draft-foschiano-erspan), carried in GRE.
//!
//! - Type I: GRE protocol 0x88BE without a sequence number; no ERSPAN
//!   header, the mirrored Ethernet frame follows GRE directly.
//! - Type II: GRE protocol 0x88BE with a sequence number; an 8-byte header —
//!   Ver (4 bits, = 1), VLAN (12), COS (3), En (2), T (1), session id (10),
//!   reserved (12), index (20) — then the mirrored frame.
//! - Type III: GRE protocol 0x22EB; a 12-byte header — Ver (4 bits, = 2),
//!   VLAN (12), COS (3), BSO (2), T (1), session id (10), timestamp (32),
//!   SGT (16), P (1), FT (5), hardware id (6), D (1), Gra (2), O (1) — then,
//!   when O is set, an 8-byte platform-specific subheader. FT 0 is an
//!   Ethernet frame, FT 2 an IP packet without link header; other frame
//!   types are not IP as far as trombone can tell.
//!
//! The header's VLAN field is not used: its meaning varies by platform (the
//! public capture tcpdump/erspan-type-ii-2.pcap carries VLAN 100 or 101 in it
//! with En 0 and En 1 for untagged frames of one session), so the reported
//! VLAN is the mirrored frame's own tag, as a capture of that frame would show.

use crate::tunnel::Inner;
use crate::Skip;

/// Type II header length.
const II_LEN: usize = 8;
/// Type III header length without the platform-specific subheader.
const III_LEN: usize = 12;
/// Type III platform-specific subheader length.
const III_PLATFORM_LEN: usize = 8;
/// Type III frame type of an Ethernet frame.
const FT_ETHERNET: u8 = 0;
/// Type III frame type of an IP packet.
const FT_IP: u8 = 2;

/// Type I: the GRE payload is the mirrored frame.
#[inline]
pub(crate) fn type_i(body: &[u8]) -> Result<Inner<'_>, Skip> {
    Ok(Inner::Ethernet(body))
}

/// Type II: an 8-byte header of version 1, then the mirrored frame.
pub(crate) fn type_ii(body: &[u8]) -> Result<Inner<'_>, Skip> {
    if body.len() < II_LEN || body[0] >> 4 != 1 {
        return Err(Skip::Malformed);
    }
    Ok(Inner::Ethernet(&body[II_LEN..]))
}

/// Type III: a 12-byte header of version 2, an optional 8-byte
/// platform-specific subheader, then a frame of the announced type.
pub(crate) fn type_iii(body: &[u8]) -> Result<Inner<'_>, Skip> {
    if body.len() < III_LEN || body[0] >> 4 != 2 {
        return Err(Skip::Malformed);
    }
    let ft = (body[10] >> 2) & 0x1F;
    let platform = body[11] & 0x01 == 1;
    let start = III_LEN + if platform { III_PLATFORM_LEN } else { 0 };
    let Some(rest) = body.get(start..) else {
        return Err(Skip::Malformed);
    };
    Ok(match ft {
        FT_ETHERNET => Inner::Ethernet(rest),
        FT_IP => Inner::Ip(rest, 0),
        _ => Inner::NonIp,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_i_is_the_frame() {
        assert_eq!(type_i(&[1, 2, 3]).unwrap(), Inner::Ethernet(&[1, 2, 3]));
    }

    #[test]
    fn type_ii_header() {
        // Ver 1, VLAN 101, COS 0, En 0, T 0, session 1; index 0x12345.
        let d = [0x10, 0x65, 0x00, 0x01, 0x00, 0x01, 0x23, 0x45, 0xaa, 0xbb];
        assert_eq!(type_ii(&d).unwrap(), Inner::Ethernet(&[0xaa, 0xbb]));
        let mut v2 = d;
        v2[0] = 0x20;
        assert_eq!(type_ii(&v2).unwrap_err(), Skip::Malformed);
        assert_eq!(type_ii(&d[..7]).unwrap_err(), Skip::Malformed);
    }

    /// A type III header with the given frame type and O bit.
    fn iii(ft: u8, o: bool) -> Vec<u8> {
        vec![
            0x20,
            0x14,
            0x00,
            0x14, // ver 2, VLAN 20, session 20
            0x12,
            0x34,
            0x56,
            0x78, // timestamp
            0x00,
            0x00, // SGT
            (ft & 0x1f) << 2,
            0x08 | u8::from(o), // D = 1, Gra 0, O
        ]
    }

    #[test]
    fn type_iii_frame_types() {
        let mut d = iii(0, false);
        d.push(0xee);
        assert_eq!(type_iii(&d).unwrap(), Inner::Ethernet(&[0xee]));
        let mut d = iii(2, false);
        d.push(0x45);
        assert_eq!(type_iii(&d).unwrap(), Inner::Ip(&[0x45], 0));
        let mut d = iii(7, false);
        d.push(0x45);
        assert_eq!(type_iii(&d).unwrap(), Inner::NonIp);
    }

    #[test]
    fn type_iii_platform_subheader() {
        let mut d = iii(0, true);
        d.extend_from_slice(&[0x08, 0, 0, 0, 0, 0, 0, 0]); // platform id 1
        d.push(0xee);
        assert_eq!(type_iii(&d).unwrap(), Inner::Ethernet(&[0xee]));
        assert_eq!(type_iii(&d[..19]).unwrap_err(), Skip::Malformed);
        assert_eq!(type_iii(&d[..11]).unwrap_err(), Skip::Malformed);
        let mut v1 = d.clone();
        v1[0] = 0x10;
        assert_eq!(type_iii(&v1).unwrap_err(), Skip::Malformed);
    }
}
