//! Zero-copy packet parsing: link-layer decapsulation, then IP and transport
//! headers, into a fixed-size [`PacketMeta`].
//!
//! Stage 2 of the pipeline. [`parse`] borrows the frame, allocates nothing and
//! never panics: every frame ends up as exactly one [`Parsed`] outcome, which is
//! what lets the totals add up (`frames = ip + non_ip + malformed + unsupported`).
//!
//! Link layers are decoded by hand (one file per protocol, byte-level tests
//! beside each): Ethernet with 802.1Q / 802.1ad / MPLS / PPPoE, Linux cooked
//! SLL and SLL2, raw IP, BSD NULL and LOOP. The IP and transport headers are
//! sliced with `etherparse` in lax mode, so a frame cut short by the snaplen
//! still yields its IP header, and its volume is taken from the IP header
//! (IPv4 total length; IPv6 40 + payload length), as NetFlow and pmacct do.

mod ethernet;
mod ip;
mod link;
mod null;
mod sll;

pub use link::LinkType;

/// Where a packet stands in IP fragmentation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Fragment {
    /// Not fragmented.
    #[default]
    None,
    /// First fragment (offset 0, more-fragments set): carries the transport header.
    First,
    /// A later fragment (offset > 0): no transport header, ports are 0.
    Later,
}

/// The header fields of one IP packet that the rest of the pipeline needs.
///
/// Plain `Copy` data: it can be batched and sent between threads without
/// touching the heap. Addresses are stored as `u128`; IPv4 addresses occupy
/// the low 32 bits and `ip_version` says which family.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PacketMeta {
    /// Capture timestamp, nanoseconds since the Unix epoch.
    pub ts_ns: i64,
    /// Capture interface index within the source (pcapng interface, NIC queue).
    pub interface: u32,
    /// Source address (IPv4 in the low 32 bits).
    pub src: u128,
    /// Destination address (IPv4 in the low 32 bits).
    pub dst: u128,
    /// 4 or 6.
    pub ip_version: u8,
    /// IP protocol of the transport payload (after IPv6 extension headers).
    pub proto: u8,
    /// Transport source port; 0 when the protocol has none or for later fragments.
    pub sport: u16,
    /// Transport destination port; 0 when the protocol has none or for later fragments.
    pub dport: u16,
    /// Packet length from the IP header (IPv4 total length, IPv6 40 + payload length).
    pub l3_len: u32,
    /// Frame length on the wire, link header included.
    pub wire_len: u32,
    /// Outermost VLAN id (802.1Q or 802.1ad S-tag), 0 when untagged.
    pub vlan: u16,
    /// IPv4 TTL or IPv6 hop limit.
    pub ttl: u8,
    /// TCP flags byte (FIN=0x01 SYN=0x02 RST=0x04 PSH=0x08 ACK=0x10), 0 when not TCP.
    pub tcp_flags: u8,
    /// IPv4 identification or IPv6 fragment identification (0 when absent).
    pub ip_id: u32,
    /// TCP sequence number, 0 when not TCP or not captured.
    pub tcp_seq: u32,
    /// TCP acknowledgement number, 0 when not TCP or not captured.
    pub tcp_ack: u32,
    /// Fragmentation state.
    pub fragment: Fragment,
    /// Source MAC address, zero when the link layer has none.
    pub src_mac: [u8; 6],
    /// Destination MAC address, zero when the link layer has none.
    pub dst_mac: [u8; 6],
    /// A 64-bit digest of the first captured bytes of the IP payload (up to 16),
    /// used to recognise the same packet seen twice.
    pub payload_digest: u64,
}

impl PacketMeta {
    /// Symmetric hash of the address pair: both directions of a conversation,
    /// its fragments and its replicas all hash alike, so a dispatcher that
    /// routes by it keeps them on one worker.
    #[inline]
    pub fn pair_hash(&self) -> u64 {
        let (a, b) = if self.src <= self.dst {
            (self.src, self.dst)
        } else {
            (self.dst, self.src)
        };
        let x = (a as u64) ^ ((a >> 64) as u64).rotate_left(17);
        let y = (b as u64) ^ ((b >> 64) as u64).rotate_left(29);
        mix64(x.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ y)
    }

    /// The source address as a standard library address.
    pub fn src_addr(&self) -> std::net::IpAddr {
        to_ip(self.ip_version, self.src)
    }

    /// The destination address as a standard library address.
    pub fn dst_addr(&self) -> std::net::IpAddr {
        to_ip(self.ip_version, self.dst)
    }
}

/// Converts a stored address back to `IpAddr`.
fn to_ip(version: u8, a: u128) -> std::net::IpAddr {
    if version == 4 {
        std::net::IpAddr::V4(std::net::Ipv4Addr::from(a as u32))
    } else {
        std::net::IpAddr::V6(std::net::Ipv6Addr::from(a))
    }
}

/// Finaliser of splitmix64: a cheap, well-mixed 64-bit hash step.
#[inline]
pub fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Why a frame produced no [`PacketMeta`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Skip {
    /// The link layer decoded, but it carries something other than IP (ARP, LLDP, STP...).
    NonIp,
    /// Too short or inconsistent to decode the link or IP header.
    Malformed,
    /// A link type trombone does not decode.
    Unsupported,
}

/// The outcome of parsing one frame.
pub type Parsed = Result<PacketMeta, Skip>;

/// Parses one frame of the given LINKTYPE into a [`PacketMeta`].
///
/// `wire_len` is the frame's original length and `ts_ns` its timestamp; both
/// are copied into the result. Never allocates, never panics.
#[inline]
pub fn parse(linktype: u32, data: &[u8], wire_len: u32, ts_ns: i64, interface: u32) -> Parsed {
    let l3 = link::decap(linktype, data)?;
    let mut meta = ip::parse_ip(l3.bytes, l3.version_hint)?;
    meta.ts_ns = ts_ns;
    meta.interface = interface;
    meta.wire_len = wire_len.max(data.len() as u32);
    meta.vlan = l3.vlan;
    meta.src_mac = l3.src_mac;
    meta.dst_mac = l3.dst_mac;
    Ok(meta)
}
