//! Geneve (RFC 8926), UDP destination port 6081.
//!
//! Header: Ver (2 bits, = 0), Opt Len (6 bits, in 4-byte words), O (1), C (1),
//! reserved (6), protocol type (16, an ethertype), VNI (24), reserved (8),
//! then the options, which are skipped. The payload is an Ethernet frame
//! (0x6558) or an IP packet (0x0800 / 0x86DD). Real overlay traffic, so
//! opened only when asked ([`crate::Decap::geneve`]).

use crate::link::{be16, ethertype};
use crate::tunnel::Inner;
use crate::Skip;

/// UDP destination port.
pub(crate) const PORT: u16 = 6081;
/// Fixed header length.
const LEN: usize = 8;

/// The payload of a Geneve packet; `None` when it is not Geneve (too short
/// or another version), which leaves the UDP packet as it is.
pub(crate) fn inner(d: &[u8]) -> Option<Result<Inner<'_>, Skip>> {
    if d.len() < LEN || d[0] >> 6 != 0 {
        return None;
    }
    let start = LEN + usize::from(d[0] & 0x3F) * 4;
    let Some(rest) = d.get(start..) else {
        return Some(Err(Skip::Malformed));
    };
    Some(Ok(match be16(d, 2) {
        ethertype::TEB => Inner::Ethernet(rest),
        ethertype::IPV4 => Inner::Ip(rest, 4),
        ethertype::IPV6 => Inner::Ip(rest, 6),
        _ => Inner::NonIp,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ethernet_without_options() {
        let d = [0x00, 0x00, 0x65, 0x58, 0, 0, 0x0a, 0x00, 0xee];
        assert_eq!(inner(&d), Some(Ok(Inner::Ethernet(&[0xee]))));
    }

    #[test]
    fn options_are_skipped() {
        // Opt Len 2 (8 bytes): one option class 0x0103 type 0x80 length 1 (4 bytes of data).
        let mut d = vec![0x02, 0x00, 0x08, 0x00, 0, 0, 0x0b, 0x00];
        d.extend_from_slice(&[0x01, 0x03, 0x80, 0x01, 0xde, 0xad, 0xbe, 0xef]);
        d.push(0x45);
        assert_eq!(inner(&d), Some(Ok(Inner::Ip(&[0x45], 4))));
        assert_eq!(inner(&d[..15]), Some(Err(Skip::Malformed)));
    }

    #[test]
    fn other_payloads_and_versions() {
        let ipv6 = [0x00, 0x00, 0x86, 0xdd, 0, 0, 0, 0, 0x60];
        assert_eq!(inner(&ipv6), Some(Ok(Inner::Ip(&[0x60], 6))));
        let nsh = [0x00, 0x00, 0x89, 0x4f, 0, 0, 0, 0];
        assert_eq!(inner(&nsh), Some(Ok(Inner::NonIp)));
        let v1 = [0x40, 0x00, 0x65, 0x58, 0, 0, 0, 0];
        assert_eq!(inner(&v1), None);
        assert_eq!(inner(&ipv6[..7]), None);
    }
}
