//! Flow-export sources and the IXP peering-LAN vantage: the `collector` and `ixp`
//! sections.
//!
//! Both keep their per-sample series (`samples_in`, `samples_out`) beside the rates
//! derived from them, so that rotated pieces and merges add up exactly, as `series` does
//! for the matrices.

use crate::{Rate, SampleRec};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What flow-export datagrams (sFlow v5, NetFlow v5/v9, IPFIX) contributed, and how
/// healthy their stream was: read from capture files (`analyze --decode`) or received
/// live (`trombone collect`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CollectorReport {
    /// "file" (datagrams inside capture files) or "live" (`trombone collect`).
    pub mode: String,
    /// Live: the UDP sockets listened on (`sflow 0.0.0.0:6343 ×2` ...).
    #[serde(default)]
    pub listeners: Vec<String>,
    /// Datagrams handed to the decoders.
    pub datagrams: u64,
    /// Their UDP payload bytes.
    pub datagram_bytes: u64,
    /// Datagrams by protocol: `sflow`, `netflow_v5`, `netflow_v9`, `ipfix`.
    #[serde(default)]
    pub by_protocol: BTreeMap<String, u64>,
    /// Datagrams with at least one decode error.
    pub bad_datagrams: u64,
    /// Decode errors by reason (`too_short`, `unknown_version`, `bad_template`...; and
    /// `implausible_record`: a flow record claiming more than 2^48 packets or bytes, refused).
    #[serde(default)]
    pub errors: BTreeMap<String, u64>,
    /// Datagrams lost by sequence gaps (sFlow per agent and sub-agent, NetFlow v9 per
    /// source id).
    pub lost_datagrams: u64,
    /// Flow records lost by sequence gaps (NetFlow v5 and IPFIX count records).
    pub lost_records: u64,
    /// Sequence numbers that went back (an exporter restart or reordering; not loss).
    pub sequence_resets: u64,
    /// Live: datagrams the kernel dropped because a socket's receive buffer was full
    /// (`SO_RXQ_OVFL`); null when reading files.
    #[serde(default)]
    pub socket_drops: Option<u64>,
    /// Data sets dropped because their template never came in time.
    pub sets_dropped_no_template: u64,
    /// sFlow flow samples read.
    pub packet_samples: u64,
    /// Of them, samples whose header was not an IP packet (ARP, LLDP...).
    pub samples_non_ip: u64,
    /// Of them, samples without a usable header (none, an unsupported header protocol,
    /// or too short to decode).
    pub samples_unusable: u64,
    /// Packets the usable samples stand for (each sample counted `sampling_rate` times).
    pub sampled_packets: u64,
    /// Their L3 bytes, renormalised the same way.
    pub sampled_bytes: u64,
    /// sFlow: packets the samplers saw (the increase of each data source's sample pool),
    /// a check on `sampled_packets`.
    pub sample_pool: u64,
    /// sFlow: samples the agents dropped for lack of resources (the increase of their
    /// drop counters).
    pub sample_drops: u64,
    /// NetFlow/IPFIX flow records read.
    pub flow_records: u64,
    /// Records without addresses (options-like or layer-2 records): not in the matrices.
    pub records_without_addresses: u64,
    /// Packets the records stand for, renormalised by their sampling interval.
    pub record_packets: u64,
    /// Their bytes, renormalised the same way.
    pub record_bytes: u64,
    /// Records and samples per sampling rate (1 in N; "unknown": the exporter never said,
    /// counted as 1).
    #[serde(default)]
    pub sampling: BTreeMap<String, u64>,
    /// Records with no usable start or end time: in the matrices, not in the rates.
    pub untimed_records: u64,
    /// Records whose address the database does not know but whose exported AS field is
    /// set: that AS was used (the database's answer is used otherwise).
    pub as_from_export: u64,
    /// Records whose exported AS differs from the database's (the database's was used).
    pub as_disagreements: u64,
    /// Interface counter records (sFlow generic interface counters) read.
    pub counter_records: u64,
    /// Counter records that restarted (a counter went back or the agent rebooted): no
    /// rate from that interval.
    pub counter_resets: u64,
    /// Per exporter interface: rates from its counters.
    #[serde(default)]
    pub interfaces: Vec<InterfaceRate>,
    /// What cannot be derived from exported data.
    #[serde(default)]
    pub not_available: Vec<String>,
}

/// One exporter interface's rates from its octet counters (sFlow counter samples).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct InterfaceRate {
    /// The agent's address.
    pub agent: String,
    /// The agent's sub-agent id.
    pub sub_agent: u32,
    /// ifIndex.
    pub if_index: u32,
    /// ifSpeed, bit/s (the latest reported; null: 0 or not reported).
    pub speed_bps: Option<u64>,
    /// Octets the interface received (ifInOctets increase), as a rate.
    #[serde(rename = "in")]
    pub inbound: Rate,
    /// Octets the interface sent (ifOutOctets increase), as a rate.
    #[serde(rename = "out")]
    pub outbound: Rate,
    /// Higher of the in/out p95 over `speed_bps` (null without a speed).
    pub utilisation_p95: Option<f64>,
    /// The IXP member behind the interface (null: none found): the member whose router
    /// MAC received the most sampled bytes sent out of this ifIndex.
    #[serde(default)]
    pub member_asn: Option<u32>,
    /// Sampled bytes sent out of this interface per member ASN: the evidence for
    /// `member_asn` (what a merge adds).
    #[serde(default)]
    pub member_bytes: BTreeMap<u32, u64>,
    /// Received octets per sample interval (`[index, bytes, packets, peak_bin_bytes,
    /// peak_bin_packets]`; packets are unicast + multicast + broadcast packets).
    #[serde(default)]
    pub samples_in: Vec<SampleRec>,
    /// Sent octets per sample interval.
    #[serde(default)]
    pub samples_out: Vec<SampleRec>,
}

/// The IXP peering-LAN vantage (`--ixp-members`): who exchanged traffic with whom across
/// the exchange, by the member router MAC at each end of every frame.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct IxpReport {
    /// The member lists read (IX-F Member Export and PeeringDB files).
    pub member_lists: Vec<String>,
    /// Members (an ASN at an IXP) in the lists.
    pub members_listed: u64,
    /// Member router MACs the lists give.
    pub macs_listed: u64,
    /// MACs learned from ARP and IPv6 neighbour discovery in the traffic (the sender's
    /// address is a member's peering-LAN address).
    pub macs_learned: u64,
    /// What MAC learning saw.
    pub learning: MacLearning,
    /// Member × member traffic by the router MAC at each end (`src_asn`: the member that
    /// sent the frame onto the exchange; 0: a MAC of no member), bytes descending.
    pub matrix: Vec<MemberCell>,
    /// Per member: its port's traffic, rates and sizing, bytes descending.
    pub members: Vec<MemberPort>,
    /// Traffic of frames whose source or destination MAC belongs to no member.
    pub unattributed: Unattributed,
}

/// Counts of the MAC learner.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct MacLearning {
    /// ARP/ND sightings offered.
    pub sightings: u64,
    /// Sightings from a member's peering-LAN address (its MAC was attributed).
    pub attributed: u64,
    /// Sightings from a peering-LAN address of no known member.
    pub unknown_lan_ip: u64,
    /// Sightings from an address outside every known peering LAN.
    pub unknown_ip: u64,
    /// Sightings ignored (group or zero MAC, unspecified address).
    pub ignored: u64,
    /// Attributed MACs the member list gives to another ASN (the list wins).
    pub directory_disagreements: u64,
    /// MACs attributed to several ASNs (they count as no member).
    pub mac_conflicts: u64,
    /// Addresses seen with several MACs.
    pub ip_conflicts: u64,
}

/// One cell of the member × member matrix.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct MemberCell {
    /// Member that sent the frames onto the exchange (0: no member).
    pub src_asn: u32,
    /// Member they were delivered to (0: no member).
    pub dst_asn: u32,
    /// Packets (renormalised for sampled sources).
    pub packets: u64,
    /// L3 bytes.
    pub bytes: u64,
}

/// One member's port on the exchange.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MemberPort {
    /// Member ASN.
    pub asn: u32,
    /// Its name (member list, else the ASN database).
    pub name: Option<String>,
    /// Its router MACs seen in the traffic (listed or learned).
    pub macs: Vec<String>,
    /// Port capacity from the member list, Mbit/s (null: not listed).
    pub port_speed_mbps: Option<u64>,
    /// Frames delivered to the member (destination MAC is its router), as a rate.
    #[serde(rename = "in")]
    pub inbound: Rate,
    /// Frames the member sent onto the exchange, as a rate.
    #[serde(rename = "out")]
    pub outbound: Rate,
    /// Higher of the in/out p95, Mbit/s.
    pub p95_mbps: f64,
    /// What the p95 rests on: "traffic" (frames seen, renormalised when sampled) or
    /// "interface counters" (the sFlow counters of the switch port facing the member).
    pub basis: String,
    /// p95 over the listed port speed (null without one).
    pub utilisation_p95: Option<f64>,
    /// p95 × growth ÷ port target, Mbit/s.
    pub needed_mbps: f64,
    /// Recommended port speed, Gbps (null: more than the largest speed).
    pub port_gbps: Option<f64>,
    /// Its name ("10GE").
    pub port: Option<String>,
    /// Bytes per sample interval delivered to the member (what a merge adds).
    #[serde(default)]
    pub samples_in: Vec<SampleRec>,
    /// Bytes per sample interval sent by the member.
    #[serde(default)]
    pub samples_out: Vec<SampleRec>,
}

/// Frames with a MAC of no member at one end or both.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Unattributed {
    /// Packets.
    pub packets: u64,
    /// L3 bytes.
    pub bytes: u64,
    /// Distinct MACs of no member seen.
    pub macs: u64,
    /// The busiest such MACs (bytes sent or received), at most 20.
    #[serde(default)]
    pub top_macs: Vec<MacBytes>,
}

/// A MAC and its bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct MacBytes {
    /// The MAC, `aa:bb:cc:dd:ee:ff`.
    pub mac: String,
    /// L3 bytes sent or received.
    pub bytes: u64,
}
