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

/// Where descending through tunnels stopped.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Stop<'a> {
    /// At an IP packet, now in the `PacketMeta`: its transport bytes.
    Ip(&'a [u8]),
    /// At another payload: its ethertype (0 if none) and bytes.
    Other(u16, &'a [u8]),
}

/// Offset of `inner` within `data` (a sub-slice of it).
#[inline]
fn offset_in(data: &[u8], inner: &[u8]) -> usize {
    (inner.as_ptr() as usize).saturating_sub(data.as_ptr() as usize)
}

/// Whether an IP packet might be a tunnel that `decap` opens: GRE, or UDP
/// on a tunnel port (and not a later fragment). Cheap, so the common path
/// pays only these compares.
#[inline]
pub(crate) fn worth_a_look(meta: &PacketMeta, decap: &Decap) -> bool {
    if meta.fragment == Fragment::Later {
        return false;
    }
    match meta.proto {
        PROTO_GRE => true,
        PROTO_UDP => {
            meta.dport == tzsp::PORT
                || (decap.vxlan && meta.dport == vxlan::PORT)
                || (decap.geneve && meta.dport == geneve::PORT)
        }
        _ => false,
    }
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
    if meta.dport == tzsp::PORT {
        return tzsp::inner(body).map(|r| (Tunnel::Tzsp, r));
    }
    if meta.dport == vxlan::PORT && decap.vxlan {
        return vxlan::inner(body).map(|f| (Tunnel::Vxlan, Ok(Inner::Ethernet(f))));
    }
    if meta.dport == geneve::PORT && decap.geneve {
        return geneve::inner(body).map(|r| (Tunnel::Geneve, r));
    }
    None
}

/// Opens the tunnels `decap` asks for, as deep as they nest, starting from
/// the IP packet already in `meta` (whose transport bytes are `transport`,
/// found `depth` decapsulations deep in `data`).
///
/// On return `meta` holds the innermost IP packet reached, with the link
/// fields of the Ethernet header that carried it, `tunnel` set to the
/// outermost encapsulation and `encap_len` to the bytes removed — or the
/// walk stopped at a payload that is not IP.
#[inline(never)]
pub(crate) fn descend<'a>(
    data: &'a [u8],
    meta: &mut PacketMeta,
    mut depth: u8,
    mut transport: &'a [u8],
    decap: &Decap,
) -> Result<Stop<'a>, Skip> {
    while worth_a_look(meta, decap) {
        let Some((kind, inner)) = open(meta, transport, decap) else {
            break;
        };
        if depth >= MAX_DEPTH {
            return Err(Skip::Malformed);
        }
        depth += 1;
        if meta.tunnel == Tunnel::None {
            meta.tunnel = kind;
        }
        let (bytes, hint) = match inner? {
            Inner::Ethernet(frame) => {
                let l3: L3<'a> = ethernet::decap(frame, MAX_DEPTH - depth)?;
                depth += l3.depth;
                meta.vlan = l3.vlan;
                meta.src_mac = l3.src_mac;
                meta.dst_mac = l3.dst_mac;
                meta.encap_len = saturate(offset_in(data, frame) + l3.tag_len);
                match l3.payload {
                    Payload::Ip(hint) => (l3.bytes, hint),
                    Payload::Other(et) => return Ok(Stop::Other(et, l3.bytes)),
                }
            }
            Inner::Ip(packet, hint) => {
                // A mirror that carries a bare IP packet has no link layer
                // for it; a tunnel's packet keeps the frame it travelled in.
                if kind.is_mirror() {
                    meta.vlan = 0;
                    meta.src_mac = [0; 6];
                    meta.dst_mac = [0; 6];
                }
                meta.encap_len = saturate(offset_in(data, packet));
                (packet, hint)
            }
            Inner::NonIp => return Ok(Stop::Other(0, &[])),
        };
        // every IP and transport field of the outer packet is overwritten
        transport = ip::parse_ip(meta, bytes, hint)?;
    }
    Ok(Stop::Ip(transport))
}

/// A byte count as a `u16`, saturating.
#[inline]
pub(crate) fn saturate(n: usize) -> u16 {
    u16::try_from(n).unwrap_or(u16::MAX)
}
