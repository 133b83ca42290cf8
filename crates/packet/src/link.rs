//! Dispatch on the link type to the right decapsulator.

use crate::{ethernet, null, sll, Skip};

/// LINKTYPE_* values (tcpdump.org) with a decoder in this crate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkType {
    /// BSD loopback (0), family in the writer's byte order.
    Null,
    /// Ethernet II (1).
    Ethernet,
    /// Raw IPv4/IPv6 (101, and DLT_RAW 12/14 as some writers store it).
    Raw,
    /// OpenBSD loopback (108), family in network byte order.
    Loop,
    /// Linux cooked v1 (113).
    LinuxSll,
    /// Raw IPv4 (228).
    Ipv4,
    /// Raw IPv6 (229).
    Ipv6,
    /// Linux cooked v2 (276).
    LinuxSll2,
}

impl LinkType {
    /// Maps a LINKTYPE_* number to a decodable link type, if trombone has one.
    pub fn from_linktype(lt: u32) -> Option<LinkType> {
        Some(match lt {
            0 => LinkType::Null,
            1 => LinkType::Ethernet,
            12 | 14 | 101 => LinkType::Raw,
            108 => LinkType::Loop,
            113 => LinkType::LinuxSll,
            228 => LinkType::Ipv4,
            229 => LinkType::Ipv6,
            276 => LinkType::LinuxSll2,
            _ => return None,
        })
    }
}

/// What a link layer decapsulator found: the IP bytes and link facts.
#[derive(Clone, Copy, Debug)]
pub(crate) struct L3<'a> {
    /// The bytes from the IP header on.
    pub bytes: &'a [u8],
    /// 4 or 6 when the link layer says which; 0 to decide from the version nibble.
    pub version_hint: u8,
    /// Outermost VLAN id, 0 when untagged.
    pub vlan: u16,
    /// Source MAC (zero if none).
    pub src_mac: [u8; 6],
    /// Destination MAC (zero if none).
    pub dst_mac: [u8; 6],
}

impl<'a> L3<'a> {
    /// An L3 payload with no link-layer addresses.
    pub fn bare(bytes: &'a [u8], version_hint: u8) -> L3<'a> {
        L3 {
            bytes,
            version_hint,
            vlan: 0,
            src_mac: [0; 6],
            dst_mac: [0; 6],
        }
    }
}

/// Strips the link layer of a frame of type `linktype`.
#[inline]
pub(crate) fn decap(linktype: u32, data: &[u8]) -> Result<L3<'_>, Skip> {
    match LinkType::from_linktype(linktype) {
        Some(LinkType::Ethernet) => ethernet::decap(data),
        Some(LinkType::Raw) => Ok(L3::bare(data, 0)),
        Some(LinkType::Ipv4) => Ok(L3::bare(data, 4)),
        Some(LinkType::Ipv6) => Ok(L3::bare(data, 6)),
        Some(LinkType::LinuxSll) => sll::decap_v1(data),
        Some(LinkType::LinuxSll2) => sll::decap_v2(data),
        Some(LinkType::Null) => null::decap_null(data),
        Some(LinkType::Loop) => null::decap_loop(data),
        None => Err(Skip::Unsupported),
    }
}

/// Ethertype / protocol numbers shared by the decapsulators.
pub(crate) mod ethertype {
    /// IPv4.
    pub const IPV4: u16 = 0x0800;
    /// IPv6.
    pub const IPV6: u16 = 0x86DD;
    /// 802.1Q customer VLAN tag.
    pub const VLAN: u16 = 0x8100;
    /// 802.1ad service VLAN tag (QinQ outer tag).
    pub const QINQ: u16 = 0x88A8;
    /// Pre-standard QinQ outer tags.
    pub const QINQ_OLD1: u16 = 0x9100;
    /// Pre-standard QinQ outer tags.
    pub const QINQ_OLD2: u16 = 0x9200;
    /// MPLS unicast.
    pub const MPLS: u16 = 0x8847;
    /// MPLS multicast.
    pub const MPLS_MC: u16 = 0x8848;
    /// PPPoE session stage.
    pub const PPPOE: u16 = 0x8864;
}

/// Maps an ethertype of an IP payload to a version hint.
#[inline]
pub(crate) fn ip_version_of(ethertype: u16) -> Option<u8> {
    match ethertype {
        ethertype::IPV4 => Some(4),
        ethertype::IPV6 => Some(6),
        _ => None,
    }
}
