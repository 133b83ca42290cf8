//! Known frames wrapped in each encapsulation: the packet parsed out of the
//! wrapping equals the bare frame's, except the encapsulation fields
//! (`tunnel`, `encap_len`) and the frame length, and `encap_len` is the
//! hand-counted size of the headers in front.

use trombone_packet::{parse, parse_with, Decap, PacketMeta, Skip, Tunnel};

/// LINKTYPE_ETHERNET.
const ETH: u32 = 1;
/// LINKTYPE_RAW.
const RAW: u32 = 101;

/// An Ethernet header.
fn eth(dst: [u8; 6], src: [u8; 6], et: u16) -> Vec<u8> {
    let mut f = dst.to_vec();
    f.extend_from_slice(&src);
    f.extend_from_slice(&et.to_be_bytes());
    f
}

/// An outer Ethernet header of a mirror transport (collector's VLAN 999).
fn outer_eth(et: u16) -> Vec<u8> {
    let mut f = eth(
        [0x02, 0, 0, 0, 0xc0, 0x11],
        [0x02, 0, 0, 0, 0x5e, 0x01],
        0x8100,
    );
    f.extend_from_slice(&[0x03, 0xe7]); // VLAN 999
    f.extend_from_slice(&et.to_be_bytes());
    f
}

/// An IPv4 header (no options) with the given protocol around `payload`.
fn ipv4(proto: u8, src: [u8; 4], dst: [u8; 4], ttl: u8, payload: &[u8]) -> Vec<u8> {
    let mut h = vec![0x45, 0];
    h.extend_from_slice(&(20 + payload.len() as u16).to_be_bytes());
    h.extend_from_slice(&[0xbe, 0xef, 0x40, 0, ttl, proto, 0, 0]);
    h.extend_from_slice(&src);
    h.extend_from_slice(&dst);
    h.extend_from_slice(payload);
    h
}

/// An IPv6 header with the given next header around `payload`.
fn ipv6(next: u8, src_last: u8, dst_last: u8, hlim: u8, payload: &[u8]) -> Vec<u8> {
    let mut h = vec![0x60, 0x01, 0x23, 0x45];
    h.extend_from_slice(&(payload.len() as u16).to_be_bytes());
    h.extend_from_slice(&[next, hlim]);
    h.extend_from_slice(&[
        0x24, 0x04, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, src_last,
    ]);
    h.extend_from_slice(&[
        0x24, 0x04, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, dst_last,
    ]);
    h.extend_from_slice(payload);
    h
}

/// A UDP header around `payload`.
fn udp(sport: u16, dport: u16, payload: &[u8]) -> Vec<u8> {
    let mut u = sport.to_be_bytes().to_vec();
    u.extend_from_slice(&dport.to_be_bytes());
    u.extend_from_slice(&(8 + payload.len() as u16).to_be_bytes());
    u.extend_from_slice(&[0, 0]);
    u.extend_from_slice(payload);
    u
}

/// Inner frame 1: Ethernet, 802.1Q VLAN 42, IPv4, TCP PSH/ACK with 40 bytes of data.
fn inner_v4_tcp() -> Vec<u8> {
    let mut tcp = vec![
        0x01, 0xbb, 0xc7, 0x38, 0, 0, 0x10, 0, 0, 0, 0x20, 0, 0x50, 0x18,
    ];
    tcp.extend_from_slice(&[0xff, 0xff, 0, 0, 0, 0]);
    tcp.extend_from_slice(b"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n..");
    let mut f = eth(
        [0, 0x11, 0x22, 0x33, 0x44, 0x55],
        [0, 0x66, 0x77, 0x88, 0x99, 0xaa],
        0x8100,
    );
    f.extend_from_slice(&[0x00, 0x2a, 0x08, 0x00]);
    f.extend_from_slice(&ipv4(6, [203, 0, 113, 5], [198, 51, 100, 7], 57, &tcp));
    f
}

/// Inner frame 2: untagged Ethernet, IPv6, UDP 443 with 48 bytes of QUIC-like data.
fn inner_v6_udp() -> Vec<u8> {
    let payload: Vec<u8> = (0..48u8).map(|i| i.wrapping_mul(37) ^ 0x40).collect();
    let mut f = eth(
        [0, 0x11, 0x22, 0x33, 0x44, 0x56],
        [0, 0x66, 0x77, 0x88, 0x99, 0xab],
        0x86dd,
    );
    f.extend_from_slice(&ipv6(17, 1, 2, 63, &udp(50000, 443, &payload)));
    f
}

/// Inner frame 3: Ethernet, IPv4, ICMP echo request, 32 bytes of data.
fn inner_v4_icmp() -> Vec<u8> {
    let mut icmp = vec![8, 0, 0, 0, 0x12, 0x34, 0, 1];
    icmp.extend_from_slice(&[0xab; 32]);
    let mut f = eth(
        [0, 0x11, 0x22, 0x33, 0x44, 0x57],
        [0, 0x66, 0x77, 0x88, 0x99, 0xac],
        0x0800,
    );
    f.extend_from_slice(&ipv4(1, [10, 1, 1, 1], [10, 2, 2, 2], 255, &icmp));
    f
}

/// The three inner frames.
fn inners() -> [Vec<u8>; 3] {
    [inner_v4_tcp(), inner_v6_udp(), inner_v4_icmp()]
}

/// Outer IPv4 between the mirror source and the collector.
fn mirror_ipv4(proto: u8, payload: &[u8]) -> Vec<u8> {
    let mut f = outer_eth(0x0800);
    f.extend_from_slice(&ipv4(proto, [192, 0, 2, 1], [192, 0, 2, 100], 250, payload));
    f
}

/// Outer IPv6 between the mirror source and the collector.
fn mirror_ipv6(next: u8, payload: &[u8]) -> Vec<u8> {
    let mut f = outer_eth(0x86dd);
    f.extend_from_slice(&ipv6(next, 0xa1, 0xa2, 250, payload));
    f
}

/// GRE header: flags word, protocol, then options.
fn gre(flags: u16, proto: u16, options: &[u8]) -> Vec<u8> {
    let mut g = flags.to_be_bytes().to_vec();
    g.extend_from_slice(&proto.to_be_bytes());
    g.extend_from_slice(options);
    g
}

/// ERSPAN type II header: version 1, VLAN 100, session 5, index 0.
const ERSPAN_II: [u8; 8] = [0x10, 0x64, 0x00, 0x05, 0, 0, 0, 0];

/// ERSPAN type III header: version 2, session 9, frame type `ft`, O bit `o`.
fn erspan_iii(ft: u8, o: bool) -> Vec<u8> {
    vec![
        0x20,
        0x64,
        0x00,
        0x09,
        0x11,
        0x22,
        0x33,
        0x44,
        0,
        0,
        ft << 2,
        u8::from(o),
    ]
}

/// How one wrapping is built and what it should report.
struct Wrap {
    /// Its name, for failure messages.
    name: &'static str,
    /// Builds the captured frame around an inner Ethernet frame.
    build: fn(&[u8]) -> Vec<u8>,
    /// The outermost encapsulation.
    tunnel: Tunnel,
    /// Hand-counted bytes in front of the inner frame (or inside it, for tags).
    encap_len: u16,
    /// Whether the default (mirror-only) decapsulation opens it.
    mirror: bool,
}

/// Every encapsulation that carries an Ethernet frame.
fn wraps() -> Vec<Wrap> {
    vec![
        Wrap {
            name: "ERSPAN I",
            // outer Ethernet 18 (VLAN) + IPv4 20 + GRE 4
            build: |f| mirror_ipv4(47, &[gre(0x0000, 0x88be, &[]), f.to_vec()].concat()),
            tunnel: Tunnel::ErspanI,
            encap_len: 42,
            mirror: true,
        },
        Wrap {
            name: "ERSPAN II",
            // 18 + 20 + GRE with sequence 8 + ERSPAN 8
            build: |f| {
                let g = gre(0x1000, 0x88be, &[0, 0, 0, 1]);
                mirror_ipv4(47, &[g, ERSPAN_II.to_vec(), f.to_vec()].concat())
            },
            tunnel: Tunnel::ErspanII,
            encap_len: 54,
            mirror: true,
        },
        Wrap {
            name: "ERSPAN II over IPv6",
            // 18 + 40 + 8 + 8
            build: |f| {
                let g = gre(0x1000, 0x88be, &[0, 0, 0, 1]);
                mirror_ipv6(47, &[g, ERSPAN_II.to_vec(), f.to_vec()].concat())
            },
            tunnel: Tunnel::ErspanII,
            encap_len: 74,
            mirror: true,
        },
        Wrap {
            name: "ERSPAN III",
            // 18 + 20 + GRE with sequence 8 + ERSPAN 12
            build: |f| {
                let g = gre(0x1000, 0x22eb, &[0, 0, 0, 2]);
                mirror_ipv4(47, &[g, erspan_iii(0, false), f.to_vec()].concat())
            },
            tunnel: Tunnel::ErspanIII,
            encap_len: 58,
            mirror: true,
        },
        Wrap {
            name: "ERSPAN III with platform subheader",
            // 18 + 20 + 8 + 12 + 8
            build: |f| {
                let g = gre(0x1000, 0x22eb, &[0, 0, 0, 2]);
                let sub = [0x08, 0, 0, 0, 0, 0, 0, 0];
                mirror_ipv4(
                    47,
                    &[g, erspan_iii(0, true), sub.to_vec(), f.to_vec()].concat(),
                )
            },
            tunnel: Tunnel::ErspanIII,
            encap_len: 66,
            mirror: true,
        },
        Wrap {
            name: "TZSP",
            // 18 + 20 + UDP 8 + TZSP 4 + original-length tag 4 + padding 1 + end 1
            build: |f| {
                let t = [1, 0, 0, 1, 41, 2, 0x05, 0xea, 0, 1];
                mirror_ipv4(17, &udp(40000, 37008, &[t.to_vec(), f.to_vec()].concat()))
            },
            tunnel: Tunnel::Tzsp,
            encap_len: 56,
            mirror: true,
        },
        Wrap {
            name: "FabricPath",
            // outer DA, SA, 0x8903, FTag/TTL
            build: |f| {
                let mut v = vec![
                    2, 1, 0x23, 0, 0, 5, 2, 4, 0x56, 0, 0, 9, 0x89, 0x03, 0, 0x60,
                ];
                v.extend_from_slice(f);
                v
            },
            tunnel: Tunnel::FabricPath,
            encap_len: 16,
            mirror: true,
        },
        Wrap {
            name: "VN-Tag",
            // 0x8926 + 4 bytes, after the MACs
            build: |f| [&f[..12], &[0x89, 0x26, 0x80, 0x05, 0x00, 0x07], &f[12..]].concat(),
            tunnel: Tunnel::VnTag,
            encap_len: 6,
            mirror: true,
        },
        Wrap {
            name: "E-Tag",
            // 0x893F + 6 bytes, after the MACs
            build: |f| [&f[..12], &[0x89, 0x3f, 0, 0x10, 0, 0x20, 0, 0], &f[12..]].concat(),
            tunnel: Tunnel::ETag,
            encap_len: 8,
            mirror: true,
        },
        Wrap {
            name: "VXLAN",
            // 18 + 20 + 8 + 8
            build: |f| {
                let v = [0x08, 0, 0, 0, 0, 0x12, 0x34, 0];
                mirror_ipv4(17, &udp(51234, 4789, &[v.to_vec(), f.to_vec()].concat()))
            },
            tunnel: Tunnel::Vxlan,
            encap_len: 54,
            mirror: false,
        },
        Wrap {
            name: "VXLAN over IPv6",
            // 18 + 40 + 8 + 8
            build: |f| {
                let v = [0x08, 0, 0, 0, 0, 0x12, 0x34, 0];
                mirror_ipv6(17, &udp(51234, 4789, &[v.to_vec(), f.to_vec()].concat()))
            },
            tunnel: Tunnel::Vxlan,
            encap_len: 74,
            mirror: false,
        },
        Wrap {
            name: "Geneve with options",
            // 18 + 20 + 8 + Geneve 8 + options 8
            build: |f| {
                let g = [0x02, 0, 0x65, 0x58, 0, 0, 0x0b, 0];
                let opt = [0x01, 0x03, 0x80, 0x01, 0xde, 0xad, 0xbe, 0xef];
                mirror_ipv4(17, &udp(51234, 6081, &[&g[..], &opt, f].concat()))
            },
            tunnel: Tunnel::Geneve,
            encap_len: 62,
            mirror: false,
        },
        Wrap {
            name: "GRE bridging with key and sequence",
            // 18 + 20 + GRE 12
            build: |f| {
                mirror_ipv4(
                    47,
                    &[gre(0x3000, 0x6558, &[0, 0, 0, 9, 0, 0, 0, 1]), f.to_vec()].concat(),
                )
            },
            tunnel: Tunnel::Gre,
            encap_len: 50,
            mirror: false,
        },
        Wrap {
            name: "GRE bridging with checksum",
            // 18 + 20 + GRE 8
            build: |f| {
                mirror_ipv4(
                    47,
                    &[gre(0x8000, 0x6558, &[0, 0, 0, 0]), f.to_vec()].concat(),
                )
            },
            tunnel: Tunnel::Gre,
            encap_len: 46,
            mirror: false,
        },
        Wrap {
            name: "VXLAN inside ERSPAN II",
            // ERSPAN II 54, then the VXLAN frame's 18 + 20 + 8 + 8
            build: |f| {
                let v = [0x08, 0, 0, 0, 0, 0x12, 0x34, 0];
                let vx = mirror_ipv4(17, &udp(51234, 4789, &[v.to_vec(), f.to_vec()].concat()));
                let g = gre(0x1000, 0x88be, &[0, 0, 0, 1]);
                mirror_ipv4(47, &[g, ERSPAN_II.to_vec(), vx].concat())
            },
            tunnel: Tunnel::ErspanII,
            encap_len: 54 + 54,
            mirror: false,
        },
        Wrap {
            name: "FabricPath inside TZSP",
            // TZSP 56 + FabricPath 16
            build: |f| {
                let mut fp = vec![
                    2, 1, 0x23, 0, 0, 5, 2, 4, 0x56, 0, 0, 9, 0x89, 0x03, 0, 0x60,
                ];
                fp.extend_from_slice(f);
                let t = [1, 0, 0, 1, 41, 2, 0x05, 0xea, 0, 1];
                mirror_ipv4(17, &udp(40000, 37008, &[t.to_vec(), fp].concat()))
            },
            tunnel: Tunnel::Tzsp,
            encap_len: 72,
            mirror: true,
        },
        Wrap {
            name: "VN-Tag frame inside ERSPAN I",
            // ERSPAN I 42 + VN-Tag 6
            build: |f| {
                let tagged = [&f[..12], &[0x89, 0x26, 0, 1, 0, 2], &f[12..]].concat();
                mirror_ipv4(47, &[gre(0, 0x88be, &[]), tagged].concat())
            },
            tunnel: Tunnel::ErspanI,
            encap_len: 48,
            mirror: true,
        },
    ]
}

/// What a wrapped frame should report besides the bare frame's fields.
struct Expect {
    /// Outermost encapsulation.
    tunnel: Tunnel,
    /// Bytes removed.
    encap_len: u16,
    /// Link fields (VLAN, source MAC, destination MAC) when they are not the
    /// inner frame's.
    link: Option<(u16, [u8; 6], [u8; 6])>,
}

/// Parses `frame` and checks it against the bare parse of `inner` (of link
/// type `inner_linktype`).
fn check_same(
    name: &str,
    frame: &[u8],
    (inner, inner_linktype): (&[u8], u32),
    decap: &Decap,
    want: &Expect,
) {
    let bare = parse(inner_linktype, inner, inner.len() as u32, 77, 3).unwrap();
    let got = parse_with(ETH, frame, frame.len() as u32, 77, 3, decap)
        .unwrap_or_else(|e| panic!("{name}: {e:?}"));
    assert_eq!(got.tunnel, want.tunnel, "{name}");
    assert_eq!(got.encap_len, want.encap_len, "{name}");
    assert_eq!(
        got.wire_len as usize - usize::from(got.encap_len),
        inner.len(),
        "{name}: wire_len - encap_len is the inner frame"
    );
    let mut norm = PacketMeta {
        tunnel: Tunnel::None,
        encap_len: 0,
        wire_len: bare.wire_len,
        ..got
    };
    if let Some((vlan, src, dst)) = want.link {
        assert_eq!(
            (got.vlan, got.src_mac, got.dst_mac),
            (vlan, src, dst),
            "{name}"
        );
        norm.vlan = bare.vlan;
        norm.src_mac = bare.src_mac;
        norm.dst_mac = bare.dst_mac;
    }
    assert_eq!(norm, bare, "{name}");
}

#[test]
fn every_encapsulation_yields_the_bare_frames_packet() {
    for w in wraps() {
        for inner in inners() {
            let frame = (w.build)(&inner);
            check_same(
                w.name,
                &frame,
                (&inner, ETH),
                &Decap::all(),
                &Expect {
                    tunnel: w.tunnel,
                    encap_len: w.encap_len,
                    link: None,
                },
            );
            if w.mirror {
                check_same(
                    w.name,
                    &frame,
                    (&inner, ETH),
                    &Decap::default(),
                    &Expect {
                        tunnel: w.tunnel,
                        encap_len: w.encap_len,
                        link: None,
                    },
                );
            }
        }
    }
}

#[test]
fn tunnels_opened_on_request_only() {
    // By default VXLAN, Geneve and GRE are the traffic: the outer packet counts.
    for w in wraps().iter().filter(|w| !w.mirror) {
        let inner = inner_v4_tcp();
        let frame = (w.build)(&inner);
        let m = parse(ETH, &frame, frame.len() as u32, 0, 0).unwrap();
        if w.tunnel == Tunnel::ErspanII {
            // ERSPAN is opened; the VXLAN inside it is not.
            assert_eq!(
                (m.tunnel, m.encap_len, m.dport),
                (Tunnel::ErspanII, 54, 4789),
                "{}",
                w.name
            );
            continue;
        }
        assert_eq!((m.tunnel, m.encap_len), (Tunnel::None, 0), "{}", w.name);
        assert!(m.src_addr().to_string().starts_with("192.0.2.") || m.ip_version == 6);
        assert_eq!(m.vlan, 999, "{}", w.name);
        // and each flag opens only its own tunnel
        let only = |s: &str| s.parse::<Decap>().unwrap();
        let (own, others) = match w.tunnel {
            Tunnel::Vxlan => (only("vxlan"), only("geneve,gre")),
            Tunnel::Geneve => (only("geneve"), only("vxlan,gre")),
            _ => (only("gre"), only("vxlan,geneve")),
        };
        let f = |d: &Decap| {
            parse_with(ETH, &frame, frame.len() as u32, 0, 0, d)
                .unwrap()
                .tunnel
        };
        assert_eq!(f(&own), w.tunnel, "{}", w.name);
        assert_eq!(f(&others), Tunnel::None, "{}", w.name);
    }
}

#[test]
fn tunnels_carrying_ip_keep_the_outer_link_fields() {
    for inner in inners() {
        // the IP packet without its Ethernet header (and VLAN tag)
        let ip_start = if inner[12..14] == [0x81, 0x00] {
            18
        } else {
            14
        };
        let packet = &inner[ip_start..];
        let v6 = packet[0] >> 4 == 6;
        let outer_link = Some((
            999,
            [0x02, 0, 0, 0, 0x5e, 0x01],
            [0x02, 0, 0, 0, 0xc0, 0x11],
        ));
        // GRE carrying IP: 18 + 20 + 4
        let proto = if v6 { 0x86dd } else { 0x0800 };
        let frame = mirror_ipv4(47, &[gre(0, proto, &[]), packet.to_vec()].concat());
        check_same(
            "GRE-in-IP",
            &frame,
            (packet, RAW),
            &Decap::all(),
            &Expect {
                tunnel: Tunnel::Gre,
                encap_len: 42,
                link: outer_link,
            },
        );
        // Geneve carrying IP: 18 + 20 + 8 + 8
        let g = [0x00, 0, (proto >> 8) as u8, proto as u8, 0, 0, 0x0c, 0];
        let frame = mirror_ipv4(17, &udp(1, 6081, &[&g[..], packet].concat()));
        check_same(
            "Geneve IP",
            &frame,
            (packet, RAW),
            &Decap::all(),
            &Expect {
                tunnel: Tunnel::Geneve,
                encap_len: 54,
                link: outer_link,
            },
        );
        // ERSPAN III frame type 2 is a mirror: no link layer for the packet
        let g = gre(0x1000, 0x22eb, &[0, 0, 0, 2]);
        let frame = mirror_ipv4(47, &[g, erspan_iii(2, false), packet.to_vec()].concat());
        let zero = Some((0, [0; 6], [0; 6]));
        check_same(
            "ERSPAN III IP",
            &frame,
            (packet, RAW),
            &Decap::default(),
            &Expect {
                tunnel: Tunnel::ErspanIII,
                encap_len: 58,
                link: zero,
            },
        );
    }
}

#[test]
fn mirrored_frames_that_are_not_ip() {
    let arp = [
        eth([0xff; 6], [0, 1, 2, 3, 4, 5], 0x0806),
        vec![0, 1, 8, 0, 6, 4, 0, 1],
    ]
    .concat();
    let g = gre(0x1000, 0x88be, &[0, 0, 0, 1]);
    let frame = mirror_ipv4(47, &[g.clone(), ERSPAN_II.to_vec(), arp].concat());
    assert_eq!(parse(ETH, &frame, 0, 0, 0), Err(Skip::NonIp));
    // ERSPAN III of an unknown frame type
    let g3 = gre(0x1000, 0x22eb, &[0, 0, 0, 2]);
    let frame = mirror_ipv4(47, &[g3, erspan_iii(7, false), vec![0x45; 40]].concat());
    assert_eq!(parse(ETH, &frame, 0, 0, 0), Err(Skip::NonIp));
    // a TZSP keepalive, 802.11 in TZSP, and TZSP sent *from* port 37008:
    // left as the UDP packets they are (37008 is an ephemeral port too)
    for (sport, dport, payload) in [
        (40000, 37008, &[1u8, 4, 0, 0][..]),
        (40000, 37008, &[1, 0, 0, 18, 1, 0x08, 0x02][..]),
        (37008, 40000, &[1, 0, 0, 1, 1][..]),
    ] {
        let frame = mirror_ipv4(17, &udp(sport, dport, payload));
        let m = parse(ETH, &frame, 0, 0, 0).unwrap();
        assert_eq!((m.tunnel, m.sport, m.dport), (Tunnel::None, sport, dport));
    }
    // cut inside the mirrored frame's headers
    let inner = inner_v4_tcp();
    let frame = mirror_ipv4(47, &[g, ERSPAN_II.to_vec(), inner[..16].to_vec()].concat());
    assert_eq!(parse(ETH, &frame, 0, 0, 0), Err(Skip::Malformed));
    // not tunnels after all: VXLAN without the I flag, UDP to 37008 that is not TZSP
    let frame = mirror_ipv4(17, &udp(1, 4789, &[0, 0, 0, 0, 0, 0, 0, 0, 0xee]));
    let m = parse_with(ETH, &frame, 0, 0, 0, &Decap::all()).unwrap();
    assert_eq!((m.tunnel, m.dport), (Tunnel::None, 4789));
    let frame = mirror_ipv4(17, &udp(1, 37008, &[2, 0, 0, 1, 1]));
    assert_eq!(parse(ETH, &frame, 0, 0, 0).unwrap().tunnel, Tunnel::None);
}

#[test]
fn later_fragments_of_a_tunnel_stay_outer() {
    // the second fragment of an ERSPAN packet: offset 185 (1480 bytes)
    let mut frame = mirror_ipv4(47, &[0x45; 64]);
    frame[18 + 6] = 0x00;
    frame[18 + 7] = 185;
    let m = parse(ETH, &frame, 0, 0, 0).unwrap();
    assert_eq!((m.tunnel, m.proto, m.vlan), (Tunnel::None, 47, 999));
}

#[test]
fn nesting_is_bounded_at_eight() {
    // GRE bridging inside GRE bridging ... around the ICMP frame
    let nest = |n: usize| {
        let mut f = inner_v4_icmp();
        for _ in 0..n {
            let mut outer = eth([2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2], 0x0800);
            outer.extend_from_slice(&ipv4(
                47,
                [10, 9, 9, 1],
                [10, 9, 9, 2],
                64,
                &[gre(0, 0x6558, &[]), f].concat(),
            ));
            f = outer;
        }
        f
    };
    let eight = nest(8);
    let m = parse_with(ETH, &eight, 0, 0, 0, &Decap::all()).unwrap();
    assert_eq!((m.tunnel, m.encap_len), (Tunnel::Gre, 8 * (14 + 20 + 4)));
    assert_eq!(m.src_addr().to_string(), "10.1.1.1");
    assert_eq!(
        parse_with(ETH, &nest(9), 0, 0, 0, &Decap::all()),
        Err(Skip::Malformed)
    );
    // by default none is opened
    assert_eq!(
        parse(ETH, &nest(9), 0, 0, 0)
            .unwrap()
            .src_addr()
            .to_string(),
        "10.9.9.1"
    );
    // tags count too: seven GRE layers and a VN-Tag and an E-Tag inside are nine
    let inner = inner_v4_icmp();
    let tagged = [
        &inner[..12],
        &[0x89, 0x26, 0, 0, 0, 0, 0x89, 0x3f, 0, 0, 0, 0, 0, 0],
        &inner[12..],
    ]
    .concat();
    let mut f = tagged;
    for _ in 0..7 {
        let mut outer = eth([2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2], 0x0800);
        outer.extend_from_slice(&ipv4(
            47,
            [10, 9, 9, 1],
            [10, 9, 9, 2],
            64,
            &[gre(0, 0x6558, &[]), f].concat(),
        ));
        f = outer;
    }
    assert_eq!(
        parse_with(ETH, &f, 0, 0, 0, &Decap::all()),
        Err(Skip::Malformed)
    );
}
