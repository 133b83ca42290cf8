//! Dispatch on the link type to the right decapsulator.

use crate::{ethernet, null, sll, Skip, Tunnel};

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

/// What a link layer carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Payload {
    /// An IP packet: 4 or 6 when the link layer says which, 0 to read the version nibble.
    Ip(u8),
    /// Something else, by ethertype (0 when the link layer has no ethertype for it).
    Other(u16),
}

/// What a link layer decapsulator found: the payload bytes and link facts.
#[derive(Clone, Copy, Debug)]
pub(crate) struct L3<'a> {
    /// The bytes from the payload (IP, ARP...) header on.
    pub bytes: &'a [u8],
    /// What `bytes` holds.
    pub payload: Payload,
    /// Outermost VLAN id of the innermost Ethernet header, 0 when untagged.
    pub vlan: u16,
    /// Source MAC (zero if none).
    pub src_mac: [u8; 6],
    /// Destination MAC (zero if none).
    pub dst_mac: [u8; 6],
    /// Outermost link-level mirror tag removed (FabricPath, VN-Tag, E-Tag), `None` if none.
    pub tunnel: Tunnel,
    /// Bytes of such tags removed (FabricPath: its whole outer header).
    pub tag_len: usize,
    /// Decapsulations done: one per FabricPath header, VN-Tag or E-Tag.
    pub depth: u8,
}

impl<'a> L3<'a> {
    /// An IP payload with no link-layer addresses.
    pub fn bare(bytes: &'a [u8], version_hint: u8) -> L3<'a> {
        L3 {
            bytes,
            payload: Payload::Ip(version_hint),
            vlan: 0,
            src_mac: [0; 6],
            dst_mac: [0; 6],
            tunnel: Tunnel::None,
            tag_len: 0,
            depth: 0,
        }
    }
}

/// Strips the link layer of a frame of type `linktype`, whatever it carries.
///
/// `depth_budget` is how many more mirror tags (FabricPath, VN-Tag, E-Tag)
/// may be removed before the frame counts as malformed.
#[inline]
pub(crate) fn frame(linktype: u32, data: &[u8], depth_budget: u8) -> Result<L3<'_>, Skip> {
    match LinkType::from_linktype(linktype) {
        Some(LinkType::Ethernet) => ethernet::decap(data, depth_budget),
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
    /// ARP.
    pub const ARP: u16 = 0x0806;
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
    /// Transparent Ethernet bridging (an Ethernet frame inside GRE or Geneve).
    pub const TEB: u16 = 0x6558;
    /// Cisco FabricPath (DCE) outer header.
    pub const FABRICPATH: u16 = 0x8903;
    /// Cisco VN-Tag.
    pub const VNTAG: u16 = 0x8926;
    /// IEEE 802.1BR E-Tag.
    pub const ETAG: u16 = 0x893F;
    /// ERSPAN types I and II (GRE protocol type).
    pub const ERSPAN_I_II: u16 = 0x88BE;
    /// ERSPAN type III (GRE protocol type).
    pub const ERSPAN_III: u16 = 0x22EB;
}

/// Maps an ethertype to what it carries: IP with its version, or something else.
#[inline]
pub(crate) fn payload_of(et: u16) -> Payload {
    match et {
        ethertype::IPV4 => Payload::Ip(4),
        ethertype::IPV6 => Payload::Ip(6),
        other => Payload::Other(other),
    }
}

/// Reads a big-endian u16 at `off`; the caller has checked the length.
#[inline]
pub(crate) fn be16(d: &[u8], off: usize) -> u16 {
    u16::from_be_bytes([d[off], d[off + 1]])
}
