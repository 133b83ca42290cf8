//! Peeling a frame down to the packet that counts: the link layer, then
//! tunnels found in IP (GRE/ERSPAN, VXLAN, Geneve, TZSP), as deep as they
//! nest, up to [`MAX_DEPTH`] decapsulations.

use crate::link::{self, Payload, L3};
use crate::{erspan, ethernet, geneve, gre, ip, tzsp, vxlan};
use crate::{Decap, Fragment, PacketMeta, Skip, Tunnel};

/// Most decapsulations (tunnels and mirror tags together) in one frame;
/// a frame nested deeper is malformed.
pub(crate) const MAX_DEPTH: u8 = 8;

/// IP protocol number of GRE.
const PROTO_GRE: u8 = 47;
/// IP protocol number of UDP.
const PROTO_UDP: u8 = 17;
/// UDP header length.
const UDP_LEN: usize = 8;

/// What a tunnel header says follows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Inner<'a> {
    /// A whole Ethernet frame.
    Ethernet(&'a [u8]),
    /// An IP packet without link header: version hint (0 = read the nibble).
    Ip(&'a [u8], u8),
    /// Nothing trombone reads as IP (another frame type, a keepalive).
    NonIp,
}

/// Link facts of the packet that counts, and how it was reached.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Outer {
    /// VLAN of the Ethernet header the packet is reported with.
    pub vlan: u16,
    /// Its source MAC.
    pub src_mac: [u8; 6],
    /// Its destination MAC.
    pub dst_mac: [u8; 6],
    /// Outermost encapsulation removed.
    pub tunnel: Tunnel,
    /// Bytes of encapsulation removed.
    pub encap_len: usize,
}

/// Where peeling stopped.
#[derive(Clone, Copy, Debug)]
pub(crate) enum End<'a> {
    /// An IP packet: its header fields and its transport bytes (after the
    /// IP header and extension headers, within the IP length).
    Ip(PacketMeta, &'a [u8]),
    /// Another payload: its ethertype (0 if none) and bytes.
    Other(u16, &'a [u8]),
}

/// Offset of `inner` within `data` (a sub-slice of it).
#[inline]
fn offset_in(data: &[u8], inner: &[u8]) -> usize {
    (inner.as_ptr() as usize).saturating_sub(data.as_ptr() as usize)
}

/// Whether an IP packet might be a tunnel: GRE, or UDP (not a later fragment).
#[inline]
fn maybe_tunnel(meta: &PacketMeta) -> bool {
    (meta.proto == PROTO_GRE || meta.proto == PROTO_UDP) && meta.fragment != Fragment::Later
}

/// The tunnel an IP packet carries, if any that `decap` opens, with what
/// follows its headers.
fn open<'a>(
    meta: &PacketMeta,
    transport: &'a [u8],
    decap: &Decap,
) -> Option<(Tunnel, Result<Inner<'a>, Skip>)> {
    if meta.proto == PROTO_GRE {
        let g = gre::header(transport)?;
        let kind = match g.proto {
            link::ethertype::ERSPAN_I_II if g.seq => Tunnel::ErspanII,
            link::ethertype::ERSPAN_I_II => Tunnel::ErspanI,
            link::ethertype::ERSPAN_III => Tunnel::ErspanIII,
            link::ethertype::TEB | link::ethertype::IPV4 | link::ethertype::IPV6 if decap.gre => {
                Tunnel::Gre
            }
            _ => return None,
        };
        let Some(body) = transport.get(g.header_len..) else {
            return Some((kind, Err(Skip::Malformed)));
        };
        let inner = match (kind, g.proto) {
            (Tunnel::ErspanI, _) => erspan::type_i(body),
            (Tunnel::ErspanII, _) => erspan::type_ii(body),
            (Tunnel::ErspanIII, _) => erspan::type_iii(body),
            (_, link::ethertype::TEB) => Ok(Inner::Ethernet(body)),
            (_, link::ethertype::IPV4) => Ok(Inner::Ip(body, 4)),
            (_, _) => Ok(Inner::Ip(body, 6)),
        };
        return Some((kind, inner));
    }
    // UDP
    let body = transport.get(UDP_LEN..)?;
    let sport = meta.sport;
    let dport = meta.dport;
    if dport == tzsp::PORT || sport == tzsp::PORT {
        return tzsp::inner(body).map(|r| (Tunnel::Tzsp, r));
    }
    if dport == vxlan::PORT && decap.vxlan {
        return vxlan::inner(body).map(|f| (Tunnel::Vxlan, Ok(Inner::Ethernet(f))));
    }
    if dport == geneve::PORT && decap.geneve {
        return geneve::inner(body).map(|r| (Tunnel::Geneve, r));
    }
    None
}

/// Peels `data` down to the packet that counts.
///
/// The link layer first (with any FabricPath, VN-Tag or E-Tag); then, while
/// the IP packet is a tunnel that `decap` opens, its inner frame or packet.
#[inline]
pub(crate) fn peel<'a>(
    linktype: u32,
    data: &'a [u8],
    decap: &Decap,
) -> Result<(Outer, End<'a>), Skip> {
    let l3 = link::frame(linktype, data, MAX_DEPTH)?;
    let mut outer = Outer {
        vlan: l3.vlan,
        src_mac: l3.src_mac,
        dst_mac: l3.dst_mac,
        tunnel: l3.tunnel,
        encap_len: l3.tag_len,
    };
    let hint = match l3.payload {
        Payload::Ip(hint) => hint,
        Payload::Other(et) => return Ok((outer, End::Other(et, l3.bytes))),
    };
    let (mut meta, mut transport) = ip::parse_ip(l3.bytes, hint)?;
    if !maybe_tunnel(&meta) {
        return Ok((outer, End::Ip(meta, transport)));
    }
    let mut depth = l3.depth;
    while maybe_tunnel(&meta) {
        let Some((kind, inner)) = open(&meta, transport, decap) else {
            break;
        };
        if depth >= MAX_DEPTH {
            return Err(Skip::Malformed);
        }
        depth += 1;
        if outer.tunnel == Tunnel::None {
            outer.tunnel = kind;
        }
        let (bytes, hint) = match inner? {
            Inner::Ethernet(frame) => {
                let l3: L3<'a> = ethernet::decap(frame, MAX_DEPTH - depth)?;
                depth += l3.depth;
                outer.vlan = l3.vlan;
                outer.src_mac = l3.src_mac;
                outer.dst_mac = l3.dst_mac;
                outer.encap_len = offset_in(data, frame) + l3.tag_len;
                match l3.payload {
                    Payload::Ip(hint) => (l3.bytes, hint),
                    Payload::Other(et) => return Ok((outer, End::Other(et, l3.bytes))),
                }
            }
            Inner::Ip(packet, hint) => {
                // A mirror that carries a bare IP packet has no link layer
                // for it; a tunnel's packet keeps the frame it travelled in.
                if kind.is_mirror() {
                    outer.vlan = 0;
                    outer.src_mac = [0; 6];
                    outer.dst_mac = [0; 6];
                }
                outer.encap_len = offset_in(data, packet);
                (packet, hint)
            }
            Inner::NonIp => return Ok((outer, End::Other(0, &[]))),
        };
        (meta, transport) = ip::parse_ip(bytes, hint)?;
    }
    Ok((outer, End::Ip(meta, transport)))
}
