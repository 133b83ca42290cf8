//! Ethernet II, with 802.1Q / 802.1ad VLAN tags, MPLS label stacks, PPPoE,
//! and the mirror-only link-level encapsulations: Cisco FabricPath (see
//! `fabricpath.rs`), VN-Tag and 802.1BR E-Tag (see `vntag.rs`).

use crate::link::{be16, ethertype, payload_of, Payload, L3};
use crate::{fabricpath, vntag, Skip, Tunnel};

/// Length of the Ethernet II header without tags.
const HEADER_LEN: usize = 14;
/// Most VLAN tags or MPLS labels we walk before calling a frame malformed.
const MAX_STACK: usize = 16;
/// PPP protocol number of IPv4.
const PPP_IPV4: u16 = 0x0021;
/// PPP protocol number of IPv6.
const PPP_IPV6: u16 = 0x0057;

/// Mirror tags removed so far while walking one captured frame.
#[derive(Clone, Copy)]
struct Tags {
    /// Outermost one.
    tunnel: Tunnel,
    /// Their bytes.
    len: usize,
    /// How many.
    depth: u8,
    /// How many more are allowed.
    budget: u8,
}

impl Tags {
    /// Counts one more mirror tag of `len` bytes; malformed past the budget.
    #[inline]
    fn add(&mut self, kind: Tunnel, len: usize) -> Result<(), Skip> {
        if self.depth >= self.budget {
            return Err(Skip::Malformed);
        }
        self.depth += 1;
        self.len += len;
        if self.tunnel == Tunnel::None {
            self.tunnel = kind;
        }
        Ok(())
    }
}

/// Strips Ethernet (and any VLAN/MPLS/PPPoE encapsulation, FabricPath
/// header, VN-Tag or E-Tag) down to the payload, IP or not.
///
/// `depth_budget` is how many FabricPath headers, VN-Tags and E-Tags may be
/// removed before the frame counts as malformed.
#[inline]
pub(crate) fn decap(data: &[u8], depth_budget: u8) -> Result<L3<'_>, Skip> {
    let mut tags = Tags {
        tunnel: Tunnel::None,
        len: 0,
        depth: 0,
        budget: depth_budget,
    };
    let mut frame = data;
    // Each pass decodes one Ethernet header; FabricPath starts another.
    loop {
        // Tag bytes counted before this header: a FabricPath header removes
        // the whole outer header, tags already counted in it included.
        let before = tags.len;
        if frame.len() < HEADER_LEN {
            return Err(Skip::Malformed);
        }
        let mut dst_mac = [0u8; 6];
        let mut src_mac = [0u8; 6];
        dst_mac.copy_from_slice(&frame[0..6]);
        src_mac.copy_from_slice(&frame[6..12]);
        let l3 = |off: usize, payload: Payload, vlan: u16, tags: Tags| L3 {
            bytes: &frame[off..],
            payload,
            vlan,
            src_mac,
            dst_mac,
            tunnel: tags.tunnel,
            tag_len: tags.len,
            depth: tags.depth,
        };
        let mut et = be16(frame, 12);
        // The common case first: untagged IPv4.
        if et == ethertype::IPV4 {
            return Ok(l3(HEADER_LEN, Payload::Ip(4), 0, tags));
        }
        let mut off = HEADER_LEN;
        let mut vlan = 0u16;
        let mut tagged = false;
        let mut next = None;
        for _ in 0..MAX_STACK {
            match et {
                ethertype::VLAN | ethertype::QINQ | ethertype::QINQ_OLD1 | ethertype::QINQ_OLD2 => {
                    if frame.len() < off + 4 {
                        return Err(Skip::Malformed);
                    }
                    if !tagged {
                        vlan = be16(frame, off) & 0x0FFF;
                        tagged = true;
                    }
                    et = be16(frame, off + 2);
                    off += 4;
                }
                ethertype::VNTAG | ethertype::ETAG => {
                    let (kind, len) = if et == ethertype::VNTAG {
                        (Tunnel::VnTag, vntag::VNTAG_LEN)
                    } else {
                        (Tunnel::ETag, vntag::ETAG_LEN)
                    };
                    if frame.len() < off + len + 2 {
                        return Err(Skip::Malformed);
                    }
                    tags.add(kind, len + 2)?;
                    et = be16(frame, off + len);
                    off += len + 2;
                }
                ethertype::FABRICPATH => {
                    // Everything up to here was the outer header: the
                    // original frame starts after the FTag/TTL word.
                    let inner = fabricpath::inner_start(off);
                    if frame.len() < inner {
                        return Err(Skip::Malformed);
                    }
                    tags.add(Tunnel::FabricPath, inner - (tags.len - before))?;
                    next = Some(inner);
                    break;
                }
                ethertype::MPLS | ethertype::MPLS_MC => {
                    let mut bottom = false;
                    for _ in 0..MAX_STACK {
                        if frame.len() < off + 4 {
                            return Err(Skip::Malformed);
                        }
                        bottom = frame[off + 2] & 0x01 == 1;
                        off += 4;
                        if bottom {
                            break;
                        }
                    }
                    if !bottom {
                        return Err(Skip::Malformed);
                    }
                    let Some(&first) = frame.get(off) else {
                        return Err(Skip::Malformed);
                    };
                    // An MPLS payload carries no type: the IP version nibble is
                    // the convention routers use; anything else (pseudowire
                    // control word, Ethernet over MPLS) is not IP at this level.
                    return match first >> 4 {
                        4 => Ok(l3(off, Payload::Ip(4), vlan, tags)),
                        6 => Ok(l3(off, Payload::Ip(6), vlan, tags)),
                        _ => Err(Skip::NonIp),
                    };
                }
                ethertype::PPPOE => {
                    if frame.len() < off + 8 {
                        return Err(Skip::Malformed);
                    }
                    return match be16(frame, off + 6) {
                        PPP_IPV4 => Ok(l3(off + 8, Payload::Ip(4), vlan, tags)),
                        PPP_IPV6 => Ok(l3(off + 8, Payload::Ip(6), vlan, tags)),
                        _ => Err(Skip::NonIp),
                    };
                }
                _ => return Ok(l3(off, payload_of(et), vlan, tags)),
            }
        }
        match next {
            Some(inner) => frame = &frame[inner..],
            None => return Err(Skip::Malformed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds an Ethernet header with the given ethertype.
    fn eth(et: u16) -> Vec<u8> {
        let mut v = vec![
            0x02, 0, 0, 0, 0, 0x01, // dst
            0x02, 0, 0, 0, 0xa1, 0x00, // src
        ];
        v.extend_from_slice(&et.to_be_bytes());
        v
    }

    #[test]
    fn plain_ipv4() {
        let mut f = eth(0x0800);
        f.extend_from_slice(&[0x45, 0, 0, 20]);
        let l3 = decap(&f, 8).unwrap();
        assert_eq!(l3.payload, Payload::Ip(4));
        assert_eq!(l3.bytes, &[0x45, 0, 0, 20]);
        assert_eq!((l3.tunnel, l3.tag_len, l3.depth), (Tunnel::None, 0, 0));
        assert_eq!(l3.vlan, 0);
        assert_eq!(l3.dst_mac, [2, 0, 0, 0, 0, 1]);
        assert_eq!(l3.src_mac, [2, 0, 0, 0, 0xa1, 0]);
    }

    #[test]
    fn dot1q_keeps_vlan_id_without_priority_bits() {
        let mut f = eth(0x8100);
        // PCP 5 (0xa000) | VID 100 (0x064)
        f.extend_from_slice(&[0xa0, 0x64, 0x86, 0xdd, 0x60]);
        let l3 = decap(&f, 8).unwrap();
        assert_eq!(l3.vlan, 100);
        assert_eq!(l3.payload, Payload::Ip(6));
        assert_eq!(l3.bytes, &[0x60]);
    }

    #[test]
    fn qinq_takes_outer_tag() {
        let mut f = eth(0x88a8);
        f.extend_from_slice(&[0x00, 0xc8, 0x81, 0x00]); // S-tag 200
        f.extend_from_slice(&[0x00, 0x0a, 0x08, 0x00]); // C-tag 10, IPv4
        f.push(0x45);
        let l3 = decap(&f, 8).unwrap();
        assert_eq!(l3.vlan, 200);
        assert_eq!(l3.bytes, &[0x45]);
    }

    #[test]
    fn mpls_stack_then_ip_by_nibble() {
        let mut f = eth(0x8847);
        f.extend_from_slice(&[0x00, 0x01, 0x00, 0x40]); // label 16, not bottom
        f.extend_from_slice(&[0x00, 0x02, 0x01, 0x40]); // label 32, bottom
        f.extend_from_slice(&[0x60, 0, 0, 0]);
        let l3 = decap(&f, 8).unwrap();
        assert_eq!(l3.payload, Payload::Ip(6));
        assert_eq!(l3.bytes.len(), 4);
    }

    #[test]
    fn mpls_with_control_word_is_non_ip() {
        let mut f = eth(0x8847);
        f.extend_from_slice(&[0x00, 0x01, 0x01, 0x40]);
        f.extend_from_slice(&[0x00, 0, 0, 0]);
        assert_eq!(decap(&f, 8).unwrap_err(), Skip::NonIp);
    }

    #[test]
    fn mpls_without_bottom_is_malformed() {
        let mut f = eth(0x8847);
        f.extend_from_slice(&[0x00, 0x01, 0x00, 0x40]);
        assert_eq!(decap(&f, 8).unwrap_err(), Skip::Malformed);
    }

    #[test]
    fn pppoe_session_ipv4() {
        let mut f = eth(0x8864);
        f.extend_from_slice(&[0x11, 0x00, 0x00, 0x01, 0x00, 0x16, 0x00, 0x21, 0x45]);
        let l3 = decap(&f, 8).unwrap();
        assert_eq!(l3.payload, Payload::Ip(4));
        assert_eq!(l3.bytes, &[0x45]);
    }

    #[test]
    fn arp_and_llc_are_other_payloads() {
        let other = |et| decap(&eth(et), 8).unwrap().payload;
        assert_eq!(other(0x0806), Payload::Other(0x0806));
        assert_eq!(other(0x0026), Payload::Other(0x0026)); // 802.3 length field
        assert_eq!(other(0x0000), Payload::Other(0x0000)); // not raw IP
        assert_eq!(other(0x88cc), Payload::Other(0x88cc)); // LLDP
    }

    #[test]
    fn short_frames_are_malformed() {
        assert_eq!(decap(&[0u8; 13], 8).unwrap_err(), Skip::Malformed);
        let mut f = eth(0x8100);
        f.extend_from_slice(&[0, 1]);
        assert_eq!(decap(&f, 8).unwrap_err(), Skip::Malformed);
    }

    #[test]
    fn endless_tags_are_malformed() {
        let mut f = eth(0x8100);
        for _ in 0..20 {
            f.extend_from_slice(&[0, 1, 0x81, 0x00]);
        }
        assert_eq!(decap(&f, 8).unwrap_err(), Skip::Malformed);
    }
}
