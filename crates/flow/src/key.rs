//! The flow key: what makes two packets belong to one flow.

use trombone_packet::PacketMeta;

/// A directional flow key: (VLAN, addresses, protocol, ports).
///
/// ICMP and later IP fragments have ports 0, so a fragmented datagram's
/// non-first fragments form their own flow on the same address pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FlowKey {
    /// Source address (IPv4 in the low 32 bits).
    pub src: u128,
    /// Destination address (IPv4 in the low 32 bits).
    pub dst: u128,
    /// Source port or 0.
    pub sport: u16,
    /// Destination port or 0.
    pub dport: u16,
    /// Outermost VLAN id or 0.
    pub vlan: u16,
    /// IP protocol.
    pub proto: u8,
    /// 4 or 6.
    pub ip_version: u8,
}

impl FlowKey {
    /// The key of the flow a packet belongs to.
    #[inline]
    pub fn of(m: &PacketMeta) -> FlowKey {
        FlowKey {
            src: m.src,
            dst: m.dst,
            sport: m.sport,
            dport: m.dport,
            vlan: m.vlan,
            proto: m.proto,
            ip_version: m.ip_version,
        }
    }
}
