//! Zero-copy packet parsing: link-layer decapsulation, tunnels, then IP and
//! transport headers, into a fixed-size [`PacketMeta`].
//!
//! Stage 2 of the pipeline. [`parse`] / [`parse_with`] borrow the frame,
//! allocate nothing and never panic: every frame ends up as exactly one
//! [`Parsed`] outcome, which is what lets the totals add up
//! (`frames = ip + non_ip + malformed + unsupported`).
//!
//! Link layers are decoded by hand (one file per protocol, byte-level tests
//! beside each): Ethernet with 802.1Q / 802.1ad / MPLS / PPPoE, Linux cooked
//! SLL and SLL2, raw IP, BSD NULL and LOOP. The IP and transport headers are
//! sliced laxly (the IPv6 header with `etherparse`; the IPv4 header read at
//! its fixed offsets, with the outcomes of `etherparse`'s lax slice, which a
//! test compares), so a frame cut short by the snaplen
//! still yields its IP header, and its volume is taken from the IP header
//! (IPv4 total length; IPv6 40 + payload length), as NetFlow and pmacct do.
//!
//! # Tunnels and mirror encapsulations
//!
//! | encapsulation | recognised by | opened |
//! |---|---|---|
//! | ERSPAN type I, II, III | GRE protocol 0x88BE (no sequence number: type I) / 0x22EB | always |
//! | TZSP | UDP destination port 37008, version 1, a received/transmitted frame, Ethernet encapsulation | always |
//! | Cisco FabricPath | ethertype 0x8903 (16-byte outer header) | always |
//! | VN-Tag, 802.1BR E-Tag | ethertype 0x8926 / 0x893F | always |
//! | VXLAN | UDP destination port 4789, I flag set | [`Decap::vxlan`] |
//! | Geneve | UDP destination port 6081, version 0 (options skipped) | [`Decap::geneve`] |
//! | GRE with Ethernet (0x6558) or IP (0x0800 / 0x86DD) | IP protocol 47, version 0, RFC 2890 key / sequence | [`Decap::gre`] |
//!
//! The mirror encapsulations (the first four rows) exist only to carry
//! copies of traffic to a collector, or frames inside a switch fabric, so
//! the packet that counts is always the one inside, and they cannot be
//! turned off: a mirrored frame that is not IP (ARP, STP) is a non-IP frame,
//! and one whose headers the capture cut is malformed. VXLAN, Geneve and GRE
//! also carry real traffic: when the capture point sees such a tunnel, the
//! tunnel packet *is* the traffic on that link, and opening it would count
//! the inner addresses instead — so they stay closed unless asked
//! ([`Decap::default`] is mirror-only; a command line's list such as
//! "vxlan,geneve,gre", "all" or "none" parses with [`Decap`]'s `FromStr`).
//! Encapsulations nest as they come (ERSPAN of a VLAN-tagged frame carrying
//! VXLAN, FabricPath inside ERSPAN...), up to 8 decapsulations; a deeper
//! frame is malformed. An IP fragment after the first cannot be opened and
//! stays the outer packet.
//!
//! # Replica digest
//!
//! [`PacketMeta::payload_digest`] hashes up to [`PAYLOAD_DIGEST_BYTES`] (32)
//! captured bytes of the transport payload — after the TCP header (options
//! included) or the UDP header; the IP payload for other protocols and for
//! later fragments — so packets with equal headers (QUIC over IPv6: no IP
//! ID, equal lengths and connection ids) still differ by their encrypted
//! bytes. Its top 6 bits say how many bytes it covered
//! ([`PacketMeta::digest_len`]); a mirrored copy digests like the original.
//!
//! When a frame was decapsulated, the innermost IP packet is the packet:
//! addresses, lengths, ports, TTL and digest are its own. [`PacketMeta::tunnel`]
//! names the outermost encapsulation removed and [`PacketMeta::encap_len`]
//! the bytes removed (everything in front of the inner frame, plus any
//! VN-Tag / E-Tag inside it), so `wire_len - encap_len` is the inner frame's
//! length and the outer headers' volume can be reported apart.
//!
//! **Link fields** (`vlan`, `src_mac`, `dst_mac`) describe one Ethernet
//! header, never a mix: the innermost one that carries the packet — the
//! mirrored frame's for ERSPAN, TZSP and FabricPath, the inner frame's for
//! VXLAN, Geneve or GRE carrying Ethernet. The outer VLAN is *not* kept when
//! the inner frame is untagged: it belongs to the mirror's transport (the
//! collector's VLAN), not to the mirrored link, and a bare capture of the
//! same frame would show it untagged too; ERSPAN's own VLAN header field is
//! not used either (see `erspan.rs`). VN-Tag and E-Tag are part of the frame
//! they sit in, so its MACs and first VLAN tag stand. A tunnel opened on
//! request that carries IP directly (GRE or Geneve with an IP payload)
//! keeps the link fields of the frame it travelled in, which is the link it
//! crossed; a mirror that carries a bare IP packet (ERSPAN III frame type 2)
//! has no link layer for it, so they are zero.

mod erspan;
mod ethernet;
mod fabricpath;
mod geneve;
mod gre;
mod ip;
mod link;
mod neighbour;
mod null;
mod sll;
mod tunnel;
mod tzsp;
mod vntag;
mod vxlan;

pub use link::LinkType;
pub use neighbour::{neighbour_sighting, NeighbourSighting};

use std::fmt;
use std::str::FromStr;

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
    /// Capture interface index within the source (pcapng interface, NIC
    /// queue); saturates at 65,535.
    pub interface: u16,
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
    /// Outermost VLAN id (802.1Q or 802.1ad S-tag) of the Ethernet header
    /// that carries the packet (see the crate docs for tunnels), 0 when untagged.
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
    /// Outermost tunnel or mirror encapsulation removed; `Tunnel::None` for a bare frame.
    pub tunnel: Tunnel,
    /// Bytes of encapsulation removed (outer headers in front of the inner
    /// frame, plus VN-Tag / E-Tag bytes), 0 for a bare frame; saturates at 65,535.
    pub encap_len: u16,
    /// A digest of the first captured bytes (up to 32) of the transport
    /// payload — after the TCP or UDP header; for other protocols and later
    /// fragments, the IP payload — used to recognise the same packet seen
    /// twice. Its top 6 bits are the number of bytes digested
    /// ([`PacketMeta::digest_len`]), the low 58 their hash.
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

    /// How many payload bytes [`PacketMeta::payload_digest`] covers (0 to
    /// [`PAYLOAD_DIGEST_BYTES`]): fewer than 32 means the payload was shorter
    /// or the capture cut it, so equal digests say less about identity.
    #[inline]
    pub fn digest_len(&self) -> u8 {
        (self.payload_digest >> ip::DIGEST_LEN_SHIFT) as u8
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

/// Most transport payload bytes [`PacketMeta::payload_digest`] covers.
pub const PAYLOAD_DIGEST_BYTES: u8 = ip::DIGEST_BYTES as u8;

/// Converts a stored address back to `IpAddr`.
fn to_ip(version: u8, a: u128) -> std::net::IpAddr {
    if version == 4 {
        std::net::IpAddr::V4(std::net::Ipv4Addr::from(a as u32))
    } else {
        std::net::IpAddr::V6(std::net::Ipv6Addr::from(a))
    }
}

/// Asks the CPU to fetch the cache line holding `p` ahead of its use (the flow table's,
/// the replica matcher's and the handshake table's buckets).
#[inline(always)]
pub fn prefetch<T>(p: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: prefetching is a hint; it never faults, even on an invalid address.
    unsafe {
        use core::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        _mm_prefetch(p as *const i8, _MM_HINT_T0);
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// Finaliser of splitmix64: a cheap, well-mixed 64-bit hash step.
#[inline]
pub const fn mix64(mut z: u64) -> u64 {
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

/// A tunnel or mirror encapsulation, as recorded in [`PacketMeta::tunnel`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Tunnel {
    /// No encapsulation removed.
    #[default]
    None = 0,
    /// ERSPAN type I (GRE 0x88BE without sequence number, no ERSPAN header).
    ErspanI = 1,
    /// ERSPAN type II (GRE 0x88BE with sequence number, 8-byte header).
    ErspanII = 2,
    /// ERSPAN type III (GRE 0x22EB, 12-byte header and optional subheader).
    ErspanIII = 3,
    /// TZSP (UDP destination port 37008).
    Tzsp = 4,
    /// Cisco FabricPath (ethertype 0x8903).
    FabricPath = 5,
    /// Cisco VN-Tag (ethertype 0x8926).
    VnTag = 6,
    /// IEEE 802.1BR E-Tag (ethertype 0x893F).
    ETag = 7,
    /// VXLAN (UDP 4789).
    Vxlan = 8,
    /// Geneve (UDP 6081).
    Geneve = 9,
    /// GRE carrying Ethernet or IP.
    Gre = 10,
}

impl Tunnel {
    /// Every kind, `None` first, in code order.
    pub const ALL: [Tunnel; 11] = [
        Tunnel::None,
        Tunnel::ErspanI,
        Tunnel::ErspanII,
        Tunnel::ErspanIII,
        Tunnel::Tzsp,
        Tunnel::FabricPath,
        Tunnel::VnTag,
        Tunnel::ETag,
        Tunnel::Vxlan,
        Tunnel::Geneve,
        Tunnel::Gre,
    ];

    /// A short lowercase name for reports ("none", "erspan-ii", "vxlan"...).
    pub fn name(self) -> &'static str {
        match self {
            Tunnel::None => "none",
            Tunnel::ErspanI => "erspan-i",
            Tunnel::ErspanII => "erspan-ii",
            Tunnel::ErspanIII => "erspan-iii",
            Tunnel::Tzsp => "tzsp",
            Tunnel::FabricPath => "fabricpath",
            Tunnel::VnTag => "vntag",
            Tunnel::ETag => "etag",
            Tunnel::Vxlan => "vxlan",
            Tunnel::Geneve => "geneve",
            Tunnel::Gre => "gre",
        }
    }

    /// Whether it only ever carries copies of traffic (always opened), as
    /// opposed to real tunnelled traffic (opened on request).
    pub fn is_mirror(self) -> bool {
        !matches!(
            self,
            Tunnel::None | Tunnel::Vxlan | Tunnel::Geneve | Tunnel::Gre
        )
    }

    /// The kind with the given code (`tunnel as u8`), if any.
    pub fn from_code(code: u8) -> Option<Tunnel> {
        Tunnel::ALL.get(usize::from(code)).copied()
    }
}

impl fmt::Display for Tunnel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Which tunnels that also carry real traffic to open, on top of the
/// mirror encapsulations that are always opened (ERSPAN, TZSP, FabricPath,
/// VN-Tag, E-Tag). The default opens none of them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Decap {
    /// Open VXLAN (UDP 4789) and count the inner frame.
    pub vxlan: bool,
    /// Open Geneve (UDP 6081) and count the inner frame or packet.
    pub geneve: bool,
    /// Open GRE carrying Ethernet (0x6558) or IP and count the inner packet.
    pub gre: bool,
}

impl Decap {
    /// Mirror encapsulations only (the default).
    pub const MIRROR_ONLY: Decap = Decap {
        vxlan: false,
        geneve: false,
        gre: false,
    };

    /// Every tunnel this crate knows.
    pub fn all() -> Decap {
        Decap {
            vxlan: true,
            geneve: true,
            gre: true,
        }
    }
}

/// The error of parsing a [`Decap`] list: the name not understood.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecapParseError(pub String);

impl fmt::Display for DecapParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown tunnel '{}' (expected a comma list of vxlan, geneve, gre, or all / none)",
            self.0
        )
    }
}

impl std::error::Error for DecapParseError {}

impl FromStr for Decap {
    type Err = DecapParseError;

    /// Parses "vxlan,geneve,gre" (any subset, any order, case-insensitive),
    /// "all", or "none" / "" (mirror encapsulations only).
    fn from_str(s: &str) -> Result<Decap, DecapParseError> {
        let mut d = Decap::default();
        for name in s.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            match name.to_ascii_lowercase().as_str() {
                "vxlan" => d.vxlan = true,
                "geneve" => d.geneve = true,
                "gre" => d.gre = true,
                "all" => d = Decap::all(),
                "none" => {}
                _ => return Err(DecapParseError(name.to_string())),
            }
        }
        Ok(d)
    }
}

impl fmt::Display for Decap {
    /// The list form `FromStr` reads back: "vxlan,geneve,gre", or "none".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = [
            (self.vxlan, "vxlan"),
            (self.geneve, "geneve"),
            (self.gre, "gre"),
        ];
        let mut first = true;
        for (_, name) in names.iter().filter(|(on, _)| *on) {
            if !first {
                f.write_str(",")?;
            }
            f.write_str(name)?;
            first = false;
        }
        if first {
            f.write_str("none")?;
        }
        Ok(())
    }
}

/// Parses one frame of the given LINKTYPE into a [`PacketMeta`], opening
/// the mirror encapsulations only ([`Decap::default`]).
///
/// `wire_len` is the frame's original length and `ts_ns` its timestamp; both
/// are copied into the result. Never allocates, never panics.
#[inline]
pub fn parse(linktype: u32, data: &[u8], wire_len: u32, ts_ns: i64, interface: u32) -> Parsed {
    parse_with(
        linktype,
        data,
        wire_len,
        ts_ns,
        interface,
        &Decap::MIRROR_ONLY,
    )
}

/// Parses one frame of the given LINKTYPE into a [`PacketMeta`], opening the
/// tunnels `decap` asks for on top of the mirror encapsulations.
///
/// See the crate docs for which fields describe the inner packet. Never
/// allocates, never panics.
#[inline]
pub fn parse_with(
    linktype: u32,
    data: &[u8],
    wire_len: u32,
    ts_ns: i64,
    interface: u32,
    decap: &Decap,
) -> Parsed {
    let p = Parser {
        decap: *decap,
        digest: true,
    };
    p.parse(linktype, data, wire_len, ts_ns, interface)
}

/// [`parse_with`] without the payload digest ([`PacketMeta::payload_digest`] stays 0):
/// for a pipeline that does not match replicas, which is the digest's only use (it reads
/// up to 32 more bytes of every packet).
#[inline]
pub fn parse_headers(
    linktype: u32,
    data: &[u8],
    wire_len: u32,
    ts_ns: i64,
    interface: u32,
    decap: &Decap,
) -> Parsed {
    let p = Parser {
        decap: *decap,
        digest: false,
    };
    p.parse(linktype, data, wire_len, ts_ns, interface)
}

/// How a capture loop parses its frames: the tunnels it opens and whether it
/// computes the payload digest. [`Parser::parse_into`] writes straight into
/// a caller's `PacketMeta`, which a loop keeps from one frame to the next.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Parser {
    /// Tunnels opened besides the mirror encapsulations.
    pub decap: Decap,
    /// Compute [`PacketMeta::payload_digest`] ([`parse_with`]); `false` leaves
    /// it 0 ([`parse_headers`]): only the replica matcher reads it.
    pub digest: bool,
}

impl Parser {
    /// Parses one frame into a new [`PacketMeta`]: [`parse_with`] or
    /// [`parse_headers`], as [`Parser::digest`] says.
    #[inline]
    pub fn parse(
        &self,
        linktype: u32,
        data: &[u8],
        wire_len: u32,
        ts_ns: i64,
        interface: u32,
    ) -> Parsed {
        let mut meta = PacketMeta::default();
        self.parse_into(&mut meta, linktype, data, wire_len, ts_ns, interface)
            .map(|()| meta)
    }

    /// Parses one frame into `meta`, overwriting every field (whatever it
    /// held before), with no `PacketMeta` returned or copied: on `Ok` it
    /// equals what [`Parser::parse`] returns; on `Err` its contents are
    /// unspecified. Never allocates, never panics.
    #[inline]
    pub fn parse_into(
        &self,
        meta: &mut PacketMeta,
        linktype: u32,
        data: &[u8],
        wire_len: u32,
        ts_ns: i64,
        interface: u32,
    ) -> Result<(), Skip> {
        meta.ts_ns = ts_ns;
        meta.interface = u16::try_from(interface).unwrap_or(u16::MAX);
        let transport = parse_frame(meta, linktype, data, wire_len, &self.decap)?;
        if self.digest {
            meta.payload_digest = ip::payload_digest(meta, transport);
        }
        Ok(())
    }
}

/// Parses the headers of one frame into `meta`, writing every field but
/// `ts_ns` and `interface` (the digest is set to 0), and returns its
/// innermost packet's transport bytes.
///
/// Out of line: inlined into a capture loop it took more instructions per
/// packet (callgrind), the loop's registers spilled around it.
#[inline(never)]
fn parse_frame<'a>(
    meta: &mut PacketMeta,
    linktype: u32,
    data: &'a [u8],
    wire_len: u32,
    decap: &Decap,
) -> Result<&'a [u8], Skip> {
    let l3 = link::frame(linktype, data, tunnel::MAX_DEPTH)?;
    let link::Payload::Ip(hint) = l3.payload else {
        return Err(Skip::NonIp);
    };
    meta.wire_len = wire_len.max(data.len() as u32);
    meta.vlan = l3.vlan;
    meta.src_mac = l3.src_mac;
    meta.dst_mac = l3.dst_mac;
    meta.tunnel = l3.tunnel;
    meta.encap_len = tunnel::saturate(l3.tag_len);
    meta.payload_digest = 0;
    // the IP and transport fields, all of them
    let mut transport = ip::parse_ip(meta, l3.bytes, hint)?;
    if tunnel::worth_a_look(meta, decap) {
        match tunnel::descend(data, meta, l3.depth, transport, decap)? {
            tunnel::Stop::Ip(inner) => transport = inner,
            tunnel::Stop::Other(..) => return Err(Skip::NonIp),
        }
    }
    Ok(transport)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packet_meta_stays_96_bytes() {
        // 96 before the tunnel fields: u128 addresses make it 16-aligned, so
        // any growth would cost 16 bytes per packet.
        assert_eq!(std::mem::size_of::<PacketMeta>(), 96);
        assert_eq!(std::mem::size_of::<Tunnel>(), 1);
    }

    #[test]
    fn decap_lists() {
        assert_eq!(Decap::default(), Decap::MIRROR_ONLY);
        assert_eq!("".parse::<Decap>().unwrap(), Decap::default());
        assert_eq!("none".parse::<Decap>().unwrap(), Decap::default());
        assert_eq!("all".parse::<Decap>().unwrap(), Decap::all());
        assert_eq!("ALL".parse::<Decap>().unwrap(), Decap::all());
        assert_eq!("vxlan,geneve,gre".parse::<Decap>().unwrap(), Decap::all());
        assert_eq!(
            " gre , vxlan ".parse::<Decap>().unwrap(),
            Decap {
                vxlan: true,
                geneve: false,
                gre: true
            }
        );
        assert_eq!(
            "vxlan,erspan".parse::<Decap>().unwrap_err(),
            DecapParseError("erspan".into())
        );
        for d in [
            Decap::default(),
            Decap::all(),
            "geneve".parse().unwrap(),
            "gre,vxlan".parse().unwrap(),
        ] {
            assert_eq!(d.to_string().parse::<Decap>().unwrap(), d);
        }
        assert_eq!(Decap::all().to_string(), "vxlan,geneve,gre");
        assert_eq!(Decap::default().to_string(), "none");
    }

    #[test]
    fn tunnel_codes_round_trip() {
        for (i, t) in Tunnel::ALL.iter().enumerate() {
            assert_eq!(*t as u8 as usize, i);
            assert_eq!(Tunnel::from_code(i as u8), Some(*t));
        }
        assert_eq!(Tunnel::from_code(11), None);
        let mirrors: Vec<_> = Tunnel::ALL.iter().filter(|t| t.is_mirror()).collect();
        assert_eq!(mirrors.len(), 7);
        assert_eq!(Tunnel::ErspanII.to_string(), "erspan-ii");
    }

    #[test]
    fn digest_len_reads_the_top_bits() {
        let m = PacketMeta {
            payload_digest: (17 << 58) | 12345,
            ..PacketMeta::default()
        };
        assert_eq!(m.digest_len(), 17);
        assert_eq!(PAYLOAD_DIGEST_BYTES, 32);
    }

    #[test]
    fn interface_saturates() {
        let f = [
            0x45, 0, 0, 20, 0, 0, 0, 0, 64, 6, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8,
        ];
        assert_eq!(parse(101, &f, 20, 0, 7).unwrap().interface, 7);
        assert_eq!(parse(101, &f, 20, 0, 70_000).unwrap().interface, u16::MAX);
    }
}
