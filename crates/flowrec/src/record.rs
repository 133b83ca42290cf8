//! What the decoders hand out: sampled packet headers (sFlow), flow records
//! (NetFlow v5/v9, IPFIX) and interface counters (sFlow).

use std::net::IpAddr;

/// One decoded record, borrowed from the datagram where it can be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Record<'a> {
    /// An sFlow flow sample: a sampled packet's header and what the agent knew about it.
    PacketSample(PacketSample<'a>),
    /// A NetFlow/IPFIX flow record.
    Flow(FlowRecord),
    /// An sFlow generic interface counter record.
    Counters(InterfaceCounters),
}

/// The export protocol a record came in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Protocol {
    /// sFlow version 5.
    #[default]
    SflowV5,
    /// NetFlow version 5.
    NetflowV5,
    /// NetFlow version 9 (RFC 3954).
    NetflowV9,
    /// IPFIX (RFC 7011).
    Ipfix,
}

/// The sFlow header protocols a raw packet header can carry, mapped to pcap
/// LINKTYPE values: Ethernet (1) → 1, IPv4 (11) → 228, IPv6 (12) → 229.
pub fn sflow_header_linktype(header_protocol: u32) -> Option<u32> {
    match header_protocol {
        1 => Some(1),
        11 => Some(228),
        12 => Some(229),
        _ => None,
    }
}

/// An sFlow interface reference: how the agent identified an input or output
/// interface (sFlow v5 §5 "interface" and the expanded `interface_expanded`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Interface {
    /// 0: `value` is an ifIndex (0x3FFFFFFF: unknown); 1: the packet was
    /// discarded and `value` is the reason; 2: sent to several interfaces and
    /// `value` is their number (0: unknown).
    pub format: u32,
    /// The ifIndex, discard reason or interface count, per `format`.
    pub value: u32,
}

impl Interface {
    /// The ifIndex when `format` is 0 and the index is known.
    pub fn if_index(&self) -> Option<u32> {
        (self.format == 0 && self.value != 0x3FFF_FFFF).then_some(self.value)
    }
}

/// An AS path from an sFlow extended gateway record, borrowed from the
/// datagram: XDR segments of (type: 1 AS_SET, 2 AS_SEQUENCE; count; ASNs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct AsPath<'a> {
    raw: &'a [u8],
    segments: u32,
}

impl<'a> AsPath<'a> {
    pub(crate) fn new(raw: &'a [u8], segments: u32) -> AsPath<'a> {
        AsPath { raw, segments }
    }

    /// Number of segments.
    pub fn segments(&self) -> u32 {
        self.segments
    }

    /// Every (segment type, ASN) of the path, in order.
    pub fn iter(&self) -> impl Iterator<Item = (u32, u32)> + 'a {
        let mut r = crate::buf::Reader::new(self.raw);
        let mut left_segments = self.segments;
        let mut seg_type = 0;
        let mut left_in_seg = 0u32;
        std::iter::from_fn(move || loop {
            if left_in_seg > 0 {
                left_in_seg -= 1;
                return r.u32().map(|asn| (seg_type, asn));
            }
            if left_segments == 0 {
                return None;
            }
            left_segments -= 1;
            seg_type = r.u32()?;
            left_in_seg = r.u32()?;
        })
    }

    /// The first ASN of the path (the neighbour the traffic goes to), 0 if empty.
    pub fn first(&self) -> u32 {
        self.iter().next().map_or(0, |(_, a)| a)
    }

    /// The last ASN of the path (the destination's origin AS), 0 if empty.
    pub fn last(&self) -> u32 {
        self.iter().last().map_or(0, |(_, a)| a)
    }
}

/// An sFlow flow sample (enterprise 0, format 1 or expanded format 3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PacketSample<'a> {
    /// The agent's address from the datagram header (`None` when the agent sent type 0, unknown).
    pub agent: Option<IpAddr>,
    /// The datagram's sub-agent id.
    pub sub_agent: u32,
    /// Agent uptime in milliseconds when the datagram was sent.
    pub uptime_ms: u32,
    /// The sample's sequence number (per data source).
    pub sequence: u32,
    /// Data source type (0 ifIndex, 1 smonVlanDataSource, 2 entPhysicalEntry).
    pub source_id_type: u32,
    /// Data source index.
    pub source_id_index: u32,
    /// One packet in `sampling_rate` was sampled (0 from a broken agent: treat as unknown).
    pub sampling_rate: u32,
    /// Packets that could have been sampled (total packets seen by the data source).
    pub sample_pool: u32,
    /// Samples dropped for lack of resources.
    pub drops: u32,
    /// Input interface.
    pub input: Interface,
    /// Output interface.
    pub output: Interface,
    /// The sFlow header protocol of the raw packet header record, 0 when the sample had none.
    pub header_protocol: u32,
    /// The header's pcap LINKTYPE (Ethernet 1, raw IPv4 228, raw IPv6 229); `None` when absent or unsupported.
    pub linktype: Option<u32>,
    /// Length of the original frame, before sampling (includes FCS on Ethernet).
    pub frame_length: u32,
    /// Bytes removed from the frame before the header was taken (e.g. the 4-byte FCS).
    pub stripped: u32,
    /// The sampled header bytes, borrowed from the datagram (empty when absent).
    pub header: &'a [u8],
    /// Set when an extended switch record (1001) was present.
    pub has_switch: bool,
    /// 802.1Q VLAN of the incoming frame (1001).
    pub src_vlan: u32,
    /// 802.1p priority of the incoming frame (1001).
    pub src_priority: u32,
    /// 802.1Q VLAN of the outgoing frame (1001).
    pub dst_vlan: u32,
    /// 802.1p priority of the outgoing frame (1001).
    pub dst_priority: u32,
    /// Set when an extended router record (1002) was present.
    pub has_router: bool,
    /// Next hop (1002, or 1003 when only that is present); `None` when unknown.
    pub next_hop: Option<IpAddr>,
    /// Source address prefix length (1002).
    pub src_mask: u32,
    /// Destination address prefix length (1002).
    pub dst_mask: u32,
    /// Set when an extended gateway record (1003) was present.
    pub has_gateway: bool,
    /// The router's own AS (1003).
    pub router_as: u32,
    /// Source AS (1003).
    pub src_as: u32,
    /// The AS of the peer the traffic came from (1003).
    pub src_peer_as: u32,
    /// Destination AS path (1003); its last ASN is the destination AS.
    pub dst_as_path: AsPath<'a>,
}

impl PacketSample<'_> {
    /// The destination's origin AS: the last ASN of the AS path, 0 if none.
    pub fn dst_as(&self) -> u32 {
        self.dst_as_path.last()
    }

    /// The AS the traffic is handed to: the first ASN of the AS path, 0 if none.
    pub fn dst_peer_as(&self) -> u32 {
        self.dst_as_path.first()
    }
}

/// One NetFlow v5/v9 or IPFIX flow record, flattened into the fields a
/// traffic matrix needs. Absent fields are 0. Counts are as exported (not
/// renormalised): see [`FlowRecord::scaled_bytes`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct FlowRecord {
    /// Export protocol.
    pub protocol: Protocol,
    /// The exporter's address (the datagram's source, as given to the decoder).
    pub exporter: Option<IpAddr>,
    /// NetFlow v9 source id, IPFIX observation domain, or NetFlow v5 engine type << 8 | engine id.
    pub domain: u32,
    /// Source address (IPv4 in the low 32 bits).
    pub src: u128,
    /// Destination address (IPv4 in the low 32 bits).
    pub dst: u128,
    /// 4 or 6; 0 when the record carried no address.
    pub ip_version: u8,
    /// IP protocol.
    pub proto: u8,
    /// Transport source port.
    pub sport: u16,
    /// Transport destination port.
    pub dport: u16,
    /// TCP flags, OR-ed over the flow (IPFIX tcpControlBits is 16 bits wide).
    pub tcp_flags: u16,
    /// IPv4 type of service / IPv6 traffic class.
    pub tos: u8,
    /// Octets (octetDeltaCount 1; else postOctetDeltaCount 23; else octetTotalCount 85).
    pub bytes: u64,
    /// Packets (packetDeltaCount 2; else postPacketDeltaCount 24; else packetTotalCount 86).
    pub packets: u64,
    /// Flow start, nanoseconds since the Unix epoch; 0 when not exported (or,
    /// for IPFIX flowStartSysUpTime, when the exporter's
    /// systemInitTimeMilliseconds is not known yet).
    pub start_ns: i64,
    /// Flow end, nanoseconds since the Unix epoch; 0 when not exported.
    pub end_ns: i64,
    /// Source AS.
    pub src_as: u32,
    /// Destination AS.
    pub dst_as: u32,
    /// Input interface ifIndex.
    pub in_if: u32,
    /// Output interface ifIndex.
    pub out_if: u32,
    /// Source MAC (56 sourceMacAddress, else 81 postSourceMacAddress).
    pub src_mac: [u8; 6],
    /// Destination MAC (80 destinationMacAddress, else 57 postDestinationMacAddress).
    pub dst_mac: [u8; 6],
    /// VLAN (58 vlanId, else 243 dot1qVlanId).
    pub vlan: u16,
    /// Egress VLAN (59 postVlanId, else 254 postDot1qVlanId).
    pub post_vlan: u16,
    /// Flow direction (61): 0 ingress, 1 egress, 255 when not exported.
    pub direction: u8,
    /// Source prefix length (v5 src_mask, 9 or 29).
    pub src_mask: u8,
    /// Destination prefix length (v5 dst_mask, 13 or 30).
    pub dst_mask: u8,
    /// Next hop (v5 nexthop, 15/62 ipNextHop, else 18/63 bgpNextHop; IPv4 in the low 32 bits).
    pub next_hop: u128,
    /// BGP next hop (18 or 63; IPv4 in the low 32 bits).
    pub bgp_next_hop: u128,
    /// The exporter's packet sampling interval for this record (1 in N): from
    /// the record itself, the sampler it names, the exporter's options data,
    /// or the NetFlow v5 header. 0 when the exporter said nothing (unknown),
    /// 1 when it said it does not sample.
    pub sampling_interval: u32,
}

impl FlowRecord {
    /// Sampling factor to renormalise by: the interval, or 1 when unknown.
    pub fn sampling_factor(&self) -> u64 {
        u64::from(self.sampling_interval.max(1))
    }

    /// Bytes renormalised by the sampling interval (saturating).
    pub fn scaled_bytes(&self) -> u64 {
        self.bytes.saturating_mul(self.sampling_factor())
    }

    /// Packets renormalised by the sampling interval (saturating).
    pub fn scaled_packets(&self) -> u64 {
        self.packets.saturating_mul(self.sampling_factor())
    }
}

/// An sFlow generic interface counters record (counter record format 1),
/// with the sample and datagram it came in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct InterfaceCounters {
    /// The agent's address (`None` for unknown).
    pub agent: Option<IpAddr>,
    /// The datagram's sub-agent id.
    pub sub_agent: u32,
    /// Agent uptime in milliseconds when the datagram was sent.
    pub uptime_ms: u32,
    /// The counter sample's sequence number.
    pub sequence: u32,
    /// Data source type of the counter sample.
    pub source_id_type: u32,
    /// Data source index of the counter sample.
    pub source_id_index: u32,
    /// ifIndex.
    pub if_index: u32,
    /// ifType (IANAifType).
    pub if_type: u32,
    /// ifSpeed in bits per second.
    pub if_speed: u64,
    /// 0 unknown, 1 full duplex, 2 half duplex, 3 in, 4 out.
    pub if_direction: u32,
    /// Bit 0 ifAdminStatus up, bit 1 ifOperStatus up.
    pub if_status: u32,
    /// ifInOctets / ifHCInOctets.
    pub in_octets: u64,
    /// ifInUcastPkts.
    pub in_ucast_pkts: u32,
    /// ifInMulticastPkts.
    pub in_multicast_pkts: u32,
    /// ifInBroadcastPkts.
    pub in_broadcast_pkts: u32,
    /// ifInDiscards.
    pub in_discards: u32,
    /// ifInErrors.
    pub in_errors: u32,
    /// ifInUnknownProtos.
    pub in_unknown_protos: u32,
    /// ifOutOctets / ifHCOutOctets.
    pub out_octets: u64,
    /// ifOutUcastPkts.
    pub out_ucast_pkts: u32,
    /// ifOutMulticastPkts.
    pub out_multicast_pkts: u32,
    /// ifOutBroadcastPkts.
    pub out_broadcast_pkts: u32,
    /// ifOutDiscards.
    pub out_discards: u32,
    /// ifOutErrors.
    pub out_errors: u32,
    /// ifPromiscuousMode (1 true, 2 false).
    pub promiscuous_mode: u32,
}

/// Converts an address held as u128 (IPv4 in the low 32 bits) back to `IpAddr`.
pub fn ip_from_u128(addr: u128, ip_version: u8) -> IpAddr {
    if ip_version == 4 {
        IpAddr::V4(std::net::Ipv4Addr::from(addr as u32))
    } else {
        IpAddr::V6(std::net::Ipv6Addr::from(addr))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_path_walks_segments() {
        // Two segments: SEQUENCE [64500, 64501], SET [64502].
        let raw: Vec<u8> = [2u32, 2, 64500, 64501, 1, 1, 64502]
            .iter()
            .flat_map(|v| v.to_be_bytes())
            .collect();
        let p = AsPath::new(&raw, 2);
        let v: Vec<_> = p.iter().collect();
        assert_eq!(v, vec![(2, 64500), (2, 64501), (1, 64502)]);
        assert_eq!(p.first(), 64500);
        assert_eq!(p.last(), 64502);
        assert_eq!(AsPath::default().last(), 0);
    }

    #[test]
    fn scaled_counts_saturate() {
        let r = FlowRecord {
            bytes: 100,
            packets: u64::MAX,
            sampling_interval: 10,
            ..FlowRecord::default()
        };
        assert_eq!(r.scaled_bytes(), 1000);
        assert_eq!(r.scaled_packets(), u64::MAX);
        let r = FlowRecord { bytes: 7, ..r };
        assert_eq!(
            FlowRecord {
                sampling_interval: 0,
                ..r
            }
            .scaled_bytes(),
            7
        );
    }
}
