//! Neighbour sightings for MAC learning: which MAC address claims which IP
//! address, from ARP and from IPv6 neighbour discovery (RFC 4861).
//!
//! - ARP (RFC 826) request or reply for IPv4 over Ethernet: hardware type 1,
//!   protocol 0x0800, lengths 6 and 4; the sighting is the sender's hardware
//!   and protocol address. A probe (sender IP 0.0.0.0) claims nothing.
//! - ICMPv6 router solicitation (133), router advertisement (134) and
//!   neighbour solicitation (135) with a source link-layer address option:
//!   that MAC and the IPv6 source address.
//! - ICMPv6 neighbour advertisement (136) with a target link-layer address
//!   option: that MAC and the target address (the address being advertised,
//!   which a proxy may send from another source).
//!
//! Neighbour discovery is only believed as RFC 4861 requires of a receiver:
//! hop limit 255 (it was not forwarded), ICMP code 0, not a fragment. A MAC
//! that is zero or a group address claims nothing. Mirror encapsulations
//! (ERSPAN, TZSP, FabricPath, VN-Tag, E-Tag) are opened as for
//! [`crate::parse`], so an ARP frame seen through ERSPAN is a sighting too,
//! with the mirrored frame's VLAN.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::link::{self, ethertype, Payload};
use crate::tunnel::{self, Stop};
use crate::{ip, Decap, Fragment, PacketMeta};

/// A MAC address seen claiming an IP address on a VLAN.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NeighbourSighting {
    /// The claiming station's MAC address.
    pub mac: [u8; 6],
    /// The IP address it claims.
    pub ip: IpAddr,
    /// Outermost VLAN id of the frame that carried the claim, 0 when untagged.
    pub vlan: u16,
}

/// ARP packet length for Ethernet/IPv4.
const ARP_LEN: usize = 28;
/// IP protocol number of ICMPv6.
const PROTO_ICMPV6: u8 = 58;
/// Router solicitation.
const ND_RS: u8 = 133;
/// Router advertisement.
const ND_RA: u8 = 134;
/// Neighbour solicitation.
const ND_NS: u8 = 135;
/// Neighbour advertisement.
const ND_NA: u8 = 136;
/// Source link-layer address option.
const OPT_SOURCE_LL: u8 = 1;
/// Target link-layer address option.
const OPT_TARGET_LL: u8 = 2;
/// Most options walked in one message.
const MAX_OPTIONS: usize = 32;

/// The sender MAC and IP of an ARP request or reply seen on `linktype`, or
/// the link-layer address option of an IPv6 RS / RA / NS / NA, with the
/// address it belongs to. `None` for anything else. Never allocates, never
/// panics.
pub fn neighbour_sighting(linktype: u32, data: &[u8]) -> Option<NeighbourSighting> {
    let l3 = link::frame(linktype, data, tunnel::MAX_DEPTH).ok()?;
    let mut meta = PacketMeta {
        vlan: l3.vlan,
        ..PacketMeta::default()
    };
    let stop = match l3.payload {
        Payload::Other(et) => Stop::Other(et, l3.bytes),
        Payload::Ip(hint) => {
            let transport = ip::parse_ip(&mut meta, l3.bytes, hint).ok()?;
            let decap = Decap::MIRROR_ONLY;
            if tunnel::worth_a_look(&meta, &decap) {
                tunnel::descend(data, &mut meta, l3.depth, transport, &decap).ok()?
            } else {
                Stop::Ip(transport)
            }
        }
    };
    let (mac, ip) = match stop {
        Stop::Other(ethertype::ARP, arp_bytes) => arp(arp_bytes)?,
        Stop::Ip(transport) => nd(&meta, transport)?,
        Stop::Other(..) => return None,
    };
    if mac == [0; 6] || mac[0] & 0x01 != 0 {
        return None;
    }
    Some(NeighbourSighting {
        mac,
        ip,
        vlan: meta.vlan,
    })
}

/// Sender hardware and protocol address of an Ethernet/IPv4 ARP request or reply.
fn arp(d: &[u8]) -> Option<([u8; 6], IpAddr)> {
    if d.len() < ARP_LEN {
        return None;
    }
    // htype 1, ptype 0x0800, hlen 6, plen 4, op 1 (request) or 2 (reply)
    if d[0..6] != [0x00, 0x01, 0x08, 0x00, 6, 4] || d[6] != 0 || !matches!(d[7], 1 | 2) {
        return None;
    }
    let mut mac = [0u8; 6];
    mac.copy_from_slice(&d[8..14]);
    let ip = Ipv4Addr::new(d[14], d[15], d[16], d[17]);
    if ip.is_unspecified() {
        return None;
    }
    Some((mac, IpAddr::V4(ip)))
}

/// The link-layer address option of a neighbour discovery message, with
/// the address it speaks for.
fn nd(meta: &PacketMeta, icmp: &[u8]) -> Option<([u8; 6], IpAddr)> {
    if meta.ip_version != 6
        || meta.proto != PROTO_ICMPV6
        || meta.ttl != 255
        || meta.fragment != Fragment::None
        || icmp.len() < 8
        || icmp[1] != 0
    {
        return None;
    }
    let (options_at, wanted, ip) = match icmp[0] {
        ND_RS => (8, OPT_SOURCE_LL, meta.src),
        ND_RA => (16, OPT_SOURCE_LL, meta.src),
        ND_NS => (24, OPT_SOURCE_LL, meta.src),
        ND_NA => {
            let target: [u8; 16] = icmp.get(8..24)?.try_into().ok()?;
            (24, OPT_TARGET_LL, u128::from_be_bytes(target))
        }
        _ => return None,
    };
    let ip = Ipv6Addr::from(ip);
    if ip.is_unspecified() {
        return None;
    }
    let mut opts = icmp.get(options_at..)?;
    for _ in 0..MAX_OPTIONS {
        if opts.len() < 8 {
            return None;
        }
        // length in units of 8 bytes; 0 is invalid and ends the walk
        let len = usize::from(opts[1]) * 8;
        if len == 0 {
            return None;
        }
        if opts[0] == wanted && len == 8 {
            let mut mac = [0u8; 6];
            mac.copy_from_slice(&opts[2..8]);
            return Some((mac, IpAddr::V6(ip)));
        }
        opts = opts.get(len..)?;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ethernet header (broadcast destination, source 00:11:22:33:44:55) with the given ethertype.
    fn eth(et: u16) -> Vec<u8> {
        let mut f = vec![0xff; 6];
        f.extend_from_slice(&[0x00, 0x11, 0x22, 0x33, 0x44, 0x55]);
        f.extend_from_slice(&et.to_be_bytes());
        f
    }

    /// An ARP packet: op, sender MAC 00:11:22:33:44:55 / sender IP, target 0 / 10.0.0.1.
    fn arp_body(op: u8, sender_ip: [u8; 4]) -> Vec<u8> {
        let mut a = vec![0x00, 0x01, 0x08, 0x00, 6, 4, 0, op];
        a.extend_from_slice(&[0x00, 0x11, 0x22, 0x33, 0x44, 0x55]);
        a.extend_from_slice(&sender_ip);
        a.extend_from_slice(&[0; 6]);
        a.extend_from_slice(&[10, 0, 0, 1]);
        a
    }

    #[test]
    fn arp_request_and_reply() {
        for op in [1, 2] {
            let mut f = eth(0x0806);
            f.extend_from_slice(&arp_body(op, [192, 0, 2, 7]));
            assert_eq!(
                neighbour_sighting(1, &f),
                Some(NeighbourSighting {
                    mac: [0x00, 0x11, 0x22, 0x33, 0x44, 0x55],
                    ip: "192.0.2.7".parse().unwrap(),
                    vlan: 0,
                })
            );
        }
    }

    #[test]
    fn arp_on_a_vlan_and_in_sll() {
        let mut f = eth(0x8100);
        f.extend_from_slice(&[0x00, 0xc8, 0x08, 0x06]); // VLAN 200
        f.extend_from_slice(&arp_body(1, [192, 0, 2, 7]));
        assert_eq!(neighbour_sighting(1, &f).unwrap().vlan, 200);
        // Linux cooked v1: packet type, ARPHRD 1, address length 6, address, protocol ARP.
        let mut s = vec![
            0, 0, 0, 1, 0, 6, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0, 0, 0x08, 0x06,
        ];
        s.extend_from_slice(&arp_body(2, [198, 51, 100, 1]));
        let n = neighbour_sighting(113, &s).unwrap();
        assert_eq!(n.ip, "198.51.100.1".parse::<IpAddr>().unwrap());
        assert_eq!(n.vlan, 0);
    }

    #[test]
    fn arp_that_claims_nothing() {
        let with = |body: Vec<u8>| {
            let mut f = eth(0x0806);
            f.extend_from_slice(&body);
            neighbour_sighting(1, &f)
        };
        assert_eq!(with(arp_body(1, [0, 0, 0, 0])), None); // probe
        assert_eq!(with(arp_body(3, [192, 0, 2, 7])), None); // RARP request
        assert_eq!(with(arp_body(1, [192, 0, 2, 7])[..27].to_vec()), None);
        let mut group = arp_body(1, [192, 0, 2, 7]);
        group[8] = 0x01; // multicast sender MAC
        assert_eq!(with(group), None);
        let mut zero = arp_body(1, [192, 0, 2, 7]);
        zero[8..14].copy_from_slice(&[0; 6]);
        assert_eq!(with(zero), None);
        let mut ipv6 = arp_body(1, [192, 0, 2, 7]);
        ipv6[2..4].copy_from_slice(&[0x86, 0xdd]);
        assert_eq!(with(ipv6), None);
    }

    /// An IPv6 header (hop limit `hlim`, source fe80::1, destination ff02::1)
    /// followed by ICMPv6 bytes `icmp`.
    fn ipv6_icmp(hlim: u8, icmp: &[u8]) -> Vec<u8> {
        let mut p = vec![0x60, 0, 0, 0];
        p.extend_from_slice(&(icmp.len() as u16).to_be_bytes());
        p.extend_from_slice(&[58, hlim]);
        p.extend_from_slice(&[0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
        p.extend_from_slice(&[0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
        p.extend_from_slice(icmp);
        p
    }

    /// 2001:db8::5 as bytes.
    const TARGET: [u8; 16] = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5];
    /// Source link-layer address option with 02:aa:bb:cc:dd:ee.
    const SLLA: [u8; 8] = [1, 1, 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee];
    /// Target link-layer address option with 02:aa:bb:cc:dd:ee.
    const TLLA: [u8; 8] = [2, 1, 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee];
    /// Its MAC.
    const MAC: [u8; 6] = [0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee];

    /// An ICMPv6 message: type, code 0, checksum 0, `body` after the 4-byte header.
    fn icmp(t: u8, body: &[u8]) -> Vec<u8> {
        let mut m = vec![t, 0, 0, 0];
        m.extend_from_slice(body);
        m
    }

    #[test]
    fn router_advertisement_on_raw_ipv6() {
        // RA: hop limit 64, flags 0, lifetime 1800, reachable 0, retrans 0, an MTU option, then SLLA.
        let mut body = vec![64, 0, 0x07, 0x08, 0, 0, 0, 0, 0, 0, 0, 0];
        body.extend_from_slice(&[5, 1, 0, 0, 0, 0, 0x05, 0xdc]);
        body.extend_from_slice(&SLLA);
        let p = ipv6_icmp(255, &icmp(134, &body));
        let n = neighbour_sighting(101, &p).unwrap();
        assert_eq!(n.mac, MAC);
        assert_eq!(n.ip, "fe80::1".parse::<IpAddr>().unwrap());
        // forwarded (hop limit 254): not believed
        assert_eq!(
            neighbour_sighting(101, &ipv6_icmp(254, &icmp(134, &body))),
            None
        );
    }

    #[test]
    fn solicitations_use_the_source_address() {
        let mut ns = vec![0; 4];
        ns.extend_from_slice(&TARGET);
        ns.extend_from_slice(&SLLA);
        let n = neighbour_sighting(229, &ipv6_icmp(255, &icmp(135, &ns))).unwrap();
        assert_eq!((n.mac, n.ip), (MAC, "fe80::1".parse().unwrap()));
        let mut rs = vec![0; 4];
        rs.extend_from_slice(&SLLA);
        let n = neighbour_sighting(229, &ipv6_icmp(255, &icmp(133, &rs))).unwrap();
        assert_eq!(n.mac, MAC);
        // NS without the option (duplicate address detection): nothing
        assert_eq!(
            neighbour_sighting(229, &ipv6_icmp(255, &icmp(135, &ns[..20]))),
            None
        );
    }

    #[test]
    fn advertisement_uses_the_target_address() {
        let mut na = vec![0x60, 0, 0, 0]; // solicited, override
        na.extend_from_slice(&TARGET);
        na.extend_from_slice(&[14, 1, 0, 0, 0, 0, 0, 0]); // a nonce option first
        na.extend_from_slice(&TLLA);
        let mut f = eth(0x86dd);
        f.extend_from_slice(&ipv6_icmp(255, &icmp(136, &na)));
        let n = neighbour_sighting(1, &f).unwrap();
        assert_eq!((n.mac, n.ip), (MAC, "2001:db8::5".parse().unwrap()));
        // an NA's source option is not the advertised one
        let mut na_src = na[..20].to_vec();
        na_src.extend_from_slice(&SLLA);
        assert_eq!(
            neighbour_sighting(229, &ipv6_icmp(255, &icmp(136, &na_src))),
            None
        );
    }

    #[test]
    fn malformed_options_claim_nothing() {
        let mut ns = vec![0; 4];
        ns.extend_from_slice(&TARGET);
        ns.extend_from_slice(&[1, 0, 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee]); // length 0
        assert_eq!(
            neighbour_sighting(229, &ipv6_icmp(255, &icmp(135, &ns))),
            None
        );
        let mut ns = vec![0; 4];
        ns.extend_from_slice(&TARGET);
        ns.extend_from_slice(&[1, 2, 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee]); // 16-byte option, 8 captured
        assert_eq!(
            neighbour_sighting(229, &ipv6_icmp(255, &icmp(135, &ns))),
            None
        );
        // code 1
        let mut m = icmp(133, &[0, 0, 0, 0]);
        m.extend_from_slice(&SLLA);
        m[1] = 1;
        assert_eq!(neighbour_sighting(229, &ipv6_icmp(255, &m)), None);
        // echo request, IPv4, short and non-IP frames
        assert_eq!(
            neighbour_sighting(229, &ipv6_icmp(255, &icmp(128, &SLLA))),
            None
        );
        assert_eq!(neighbour_sighting(1, &eth(0x88cc)), None);
        assert_eq!(neighbour_sighting(1, &[0; 5]), None);
        assert_eq!(neighbour_sighting(147, &[0; 64]), None);
    }
}
