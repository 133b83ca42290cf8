//! Ethernet II, with 802.1Q / 802.1ad VLAN tags, MPLS label stacks and PPPoE.

use crate::link::{ethertype, ip_version_of, L3};
use crate::Skip;

/// Length of the Ethernet II header without tags.
const HEADER_LEN: usize = 14;
/// Most VLAN tags or MPLS labels we walk before calling a frame malformed.
const MAX_STACK: usize = 16;
/// PPP protocol number of IPv4.
const PPP_IPV4: u16 = 0x0021;
/// PPP protocol number of IPv6.
const PPP_IPV6: u16 = 0x0057;

/// Reads a big-endian u16 at `off`; the caller has checked the length.
#[inline]
fn be16(d: &[u8], off: usize) -> u16 {
    u16::from_be_bytes([d[off], d[off + 1]])
}

/// Strips Ethernet (and any VLAN/MPLS/PPPoE encapsulation) down to IP.
pub(crate) fn decap(data: &[u8]) -> Result<L3<'_>, Skip> {
    if data.len() < HEADER_LEN {
        return Err(Skip::Malformed);
    }
    let mut dst_mac = [0u8; 6];
    let mut src_mac = [0u8; 6];
    dst_mac.copy_from_slice(&data[0..6]);
    src_mac.copy_from_slice(&data[6..12]);
    let mut et = be16(data, 12);
    let mut off = HEADER_LEN;
    let mut vlan = 0u16;
    let mut tagged = false;
    let l3 = |off: usize, hint: u8, vlan: u16| L3 {
        bytes: &data[off..],
        version_hint: hint,
        vlan,
        src_mac,
        dst_mac,
    };
    for _ in 0..MAX_STACK {
        match et {
            ethertype::VLAN | ethertype::QINQ | ethertype::QINQ_OLD1 | ethertype::QINQ_OLD2 => {
                if data.len() < off + 4 {
                    return Err(Skip::Malformed);
                }
                if !tagged {
                    vlan = be16(data, off) & 0x0FFF;
                    tagged = true;
                }
                et = be16(data, off + 2);
                off += 4;
            }
            ethertype::MPLS | ethertype::MPLS_MC => {
                let mut bottom = false;
                for _ in 0..MAX_STACK {
                    if data.len() < off + 4 {
                        return Err(Skip::Malformed);
                    }
                    bottom = data[off + 2] & 0x01 == 1;
                    off += 4;
                    if bottom {
                        break;
                    }
                }
                if !bottom {
                    return Err(Skip::Malformed);
                }
                let Some(&first) = data.get(off) else {
                    return Err(Skip::Malformed);
                };
                // An MPLS payload carries no type: the IP version nibble is
                // the convention routers use; anything else (pseudowire
                // control word, Ethernet over MPLS) is not IP at this level.
                return match first >> 4 {
                    4 => Ok(l3(off, 4, vlan)),
                    6 => Ok(l3(off, 6, vlan)),
                    _ => Err(Skip::NonIp),
                };
            }
            ethertype::PPPOE => {
                if data.len() < off + 8 {
                    return Err(Skip::Malformed);
                }
                return match be16(data, off + 6) {
                    PPP_IPV4 => Ok(l3(off + 8, 4, vlan)),
                    PPP_IPV6 => Ok(l3(off + 8, 6, vlan)),
                    _ => Err(Skip::NonIp),
                };
            }
            _ => {
                return match ip_version_of(et) {
                    Some(v) => Ok(l3(off, v, vlan)),
                    None => Err(Skip::NonIp),
                };
            }
        }
    }
    Err(Skip::Malformed)
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
        let l3 = decap(&f).unwrap();
        assert_eq!(l3.version_hint, 4);
        assert_eq!(l3.bytes, &[0x45, 0, 0, 20]);
        assert_eq!(l3.vlan, 0);
        assert_eq!(l3.dst_mac, [2, 0, 0, 0, 0, 1]);
        assert_eq!(l3.src_mac, [2, 0, 0, 0, 0xa1, 0]);
    }

    #[test]
    fn dot1q_keeps_vlan_id_without_priority_bits() {
        let mut f = eth(0x8100);
        // PCP 5 (0xa000) | VID 100 (0x064)
        f.extend_from_slice(&[0xa0, 0x64, 0x86, 0xdd, 0x60]);
        let l3 = decap(&f).unwrap();
        assert_eq!(l3.vlan, 100);
        assert_eq!(l3.version_hint, 6);
        assert_eq!(l3.bytes, &[0x60]);
    }

    #[test]
    fn qinq_takes_outer_tag() {
        let mut f = eth(0x88a8);
        f.extend_from_slice(&[0x00, 0xc8, 0x81, 0x00]); // S-tag 200
        f.extend_from_slice(&[0x00, 0x0a, 0x08, 0x00]); // C-tag 10, IPv4
        f.push(0x45);
        let l3 = decap(&f).unwrap();
        assert_eq!(l3.vlan, 200);
        assert_eq!(l3.bytes, &[0x45]);
    }

    #[test]
    fn mpls_stack_then_ip_by_nibble() {
        let mut f = eth(0x8847);
        f.extend_from_slice(&[0x00, 0x01, 0x00, 0x40]); // label 16, not bottom
        f.extend_from_slice(&[0x00, 0x02, 0x01, 0x40]); // label 32, bottom
        f.extend_from_slice(&[0x60, 0, 0, 0]);
        let l3 = decap(&f).unwrap();
        assert_eq!(l3.version_hint, 6);
        assert_eq!(l3.bytes.len(), 4);
    }

    #[test]
    fn mpls_with_control_word_is_non_ip() {
        let mut f = eth(0x8847);
        f.extend_from_slice(&[0x00, 0x01, 0x01, 0x40]);
        f.extend_from_slice(&[0x00, 0, 0, 0]);
        assert_eq!(decap(&f).unwrap_err(), Skip::NonIp);
    }

    #[test]
    fn mpls_without_bottom_is_malformed() {
        let mut f = eth(0x8847);
        f.extend_from_slice(&[0x00, 0x01, 0x00, 0x40]);
        assert_eq!(decap(&f).unwrap_err(), Skip::Malformed);
    }

    #[test]
    fn pppoe_session_ipv4() {
        let mut f = eth(0x8864);
        f.extend_from_slice(&[0x11, 0x00, 0x00, 0x01, 0x00, 0x16, 0x00, 0x21, 0x45]);
        let l3 = decap(&f).unwrap();
        assert_eq!(l3.version_hint, 4);
        assert_eq!(l3.bytes, &[0x45]);
    }

    #[test]
    fn arp_and_llc_are_non_ip() {
        assert_eq!(decap(&eth(0x0806)).unwrap_err(), Skip::NonIp);
        assert_eq!(decap(&eth(0x0026)).unwrap_err(), Skip::NonIp); // 802.3 length field
        assert_eq!(decap(&eth(0x88cc)).unwrap_err(), Skip::NonIp); // LLDP
    }

    #[test]
    fn short_frames_are_malformed() {
        assert_eq!(decap(&[0u8; 13]).unwrap_err(), Skip::Malformed);
        let mut f = eth(0x8100);
        f.extend_from_slice(&[0, 1]);
        assert_eq!(decap(&f).unwrap_err(), Skip::Malformed);
    }

    #[test]
    fn endless_tags_are_malformed() {
        let mut f = eth(0x8100);
        for _ in 0..20 {
            f.extend_from_slice(&[0, 1, 0x81, 0x00]);
        }
        assert_eq!(decap(&f).unwrap_err(), Skip::Malformed);
    }
}
