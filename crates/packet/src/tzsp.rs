//! TZSP (TaZmen Sniffer Protocol), UDP destination port 37008: how MikroTik
//! and other remote sniffers stream mirrored frames.
//!
//! Header: version (8 bits, = 1), type (8), encapsulation (16); for types 0
//! (received tag list) and 1 (packet for transmit) tagged fields follow — tag
//! 0 is one byte of padding, tag 1 ends the list, any other tag is type,
//! length, value — then the frame.
//!
//! Port 37008 is inside Linux's ephemeral range, so ordinary UDP reaches it
//! too: only a packet that starts like a TZSP packet carrying an Ethernet
//! frame (version 1, type 0 or 1, encapsulation 1) is opened; anything else
//! on the port — other TZSP types (keepalives, 802.11 frames) included —
//! stays the UDP packet it looks like. A mirror-only encapsulation, always
//! opened.

use crate::link::be16;
use crate::tunnel::Inner;
use crate::Skip;

/// UDP destination port.
pub(crate) const PORT: u16 = 37008;
/// Fixed header length.
const LEN: usize = 4;
/// Padding tag (no length byte).
const TAG_PADDING: u8 = 0;
/// End-of-tags tag (no length byte).
const TAG_END: u8 = 1;
/// Encapsulation number of Ethernet.
const ENCAP_ETHERNET: u16 = 1;

/// The Ethernet frame inside a TZSP packet; `None` when the UDP payload is
/// not a TZSP packet carrying one, which leaves the UDP packet as it is.
pub(crate) fn inner(d: &[u8]) -> Option<Result<Inner<'_>, Skip>> {
    if d.len() < LEN || d[0] != 1 || d[1] > 1 || be16(d, 2) != ENCAP_ETHERNET {
        return None;
    }
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
    Some(match d.get(pos..) {
        Some(frame) => Ok(Inner::Ethernet(frame)),
        None => Err(Skip::Malformed),
    })
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
    fn anything_else_on_the_port_is_left_alone() {
        // 802.11 (18), a keepalive (type 4), a configuration packet (type 3)
        assert_eq!(inner(&[1, 0, 0, 18, 1, 0x08]), None);
        assert_eq!(inner(&[1, 4, 0, 0]), None);
        assert_eq!(inner(&[1, 3, 0, 1, 1]), None);
        // version 2, too short, a DNS reply to an ephemeral port 37008
        assert_eq!(inner(&[2, 0, 0, 1, 1]), None);
        assert_eq!(inner(&[1, 0, 0]), None);
        assert_eq!(inner(&[0x1c, 0x2f, 0x81, 0x80, 0, 1]), None);
        // "transmit" type carries a frame too
        assert_eq!(
            inner(&[1, 1, 0, 1, 1, 0xee]),
            Some(Ok(Inner::Ethernet(&[0xee])))
        );
    }
}
