//! TZSP (TaZmen Sniffer Protocol), UDP port 37008: how MikroTik and other
//! remote sniffers stream mirrored frames.
//!
//! Header: version (8 bits, = 1), type (8), encapsulation (16); for types 0
//! (received tag list) and 1 (packet for transmit) tagged fields follow — tag
//! 0 is one byte of padding, tag 1 ends the list, any other tag is type,
//! length, value — then the frame. Encapsulation 1 is Ethernet; 802.11 and
//! the radio headers are not IP as far as trombone can tell. The other types
//! (configuration, keepalive, port opener) carry no frame. A mirror-only
//! encapsulation, always opened.

use crate::link::be16;
use crate::tunnel::Inner;
use crate::Skip;

/// UDP port (either direction, as Wireshark takes it).
pub(crate) const PORT: u16 = 37008;
/// Fixed header length.
const LEN: usize = 4;
/// Padding tag (no length byte).
const TAG_PADDING: u8 = 0;
/// End-of-tags tag (no length byte).
const TAG_END: u8 = 1;
/// Encapsulation number of Ethernet.
const ENCAP_ETHERNET: u16 = 1;
/// Highest defined packet type (port opener).
const MAX_TYPE: u8 = 5;

/// The frame inside a TZSP packet; `None` when it is not TZSP (too short,
/// another version or an undefined type), which leaves the UDP packet as it is.
pub(crate) fn inner(d: &[u8]) -> Option<Result<Inner<'_>, Skip>> {
    if d.len() < LEN || d[0] != 1 || d[1] > MAX_TYPE {
        return None;
    }
    if d[1] > 1 {
        return Some(Ok(Inner::NonIp));
    }
    let encap = be16(d, 2);
    let mut pos = LEN;
    loop {
        let Some(&tag) = d.get(pos) else {
            return Some(Err(Skip::Malformed));
        };
        pos += 1;
        match tag {
            TAG_PADDING => {}
            TAG_END => break,
            _ => {
                let Some(&len) = d.get(pos) else {
                    return Some(Err(Skip::Malformed));
                };
                pos += 1 + usize::from(len);
            }
        }
    }
    let Some(frame) = d.get(pos..) else {
        return Some(Err(Skip::Malformed));
    };
    Some(Ok(if encap == ENCAP_ETHERNET {
        Inner::Ethernet(frame)
    } else {
        Inner::NonIp
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ethernet_after_end_tag() {
        let d = [0x01, 0x00, 0x00, 0x01, 0x01, 0xee, 0xff];
        assert_eq!(inner(&d), Some(Ok(Inner::Ethernet(&[0xee, 0xff]))));
    }

    #[test]
    fn tagged_fields_are_skipped() {
        // padding, original length (tag 41, 2 bytes: 1514), sensor MAC (tag 60, 6 bytes), end.
        let mut d = vec![0x01, 0x01, 0x00, 0x01, 0x00, 41, 2, 0x05, 0xea, 60, 6];
        d.extend_from_slice(&[2, 0, 0, 0, 0, 1]);
        d.push(0x01);
        d.push(0xee);
        assert_eq!(inner(&d), Some(Ok(Inner::Ethernet(&[0xee]))));
        // a tag whose value runs past the end, or no end tag at all
        assert_eq!(inner(&d[..10]), Some(Err(Skip::Malformed)));
        assert_eq!(inner(&d[..9]), Some(Err(Skip::Malformed)));
    }

    #[test]
    fn other_encapsulations_and_types() {
        // 802.11 (18)
        assert_eq!(inner(&[1, 0, 0, 18, 1, 0x08]), Some(Ok(Inner::NonIp)));
        // keepalive (4): no tags, no frame
        assert_eq!(inner(&[1, 4, 0, 0]), Some(Ok(Inner::NonIp)));
        // not TZSP: version 2, undefined type 6, too short
        assert_eq!(inner(&[2, 0, 0, 1, 1]), None);
        assert_eq!(inner(&[1, 6, 0, 1, 1]), None);
        assert_eq!(inner(&[1, 0, 0]), None);
    }
}
