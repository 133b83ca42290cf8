//! Tunnelled mirrors: every frame of the committed fixture capture wrapped in each
//! encapsulation trombone-packet opens (built here byte by byte from the protocols'
//! layouts), analysed, and compared with the bare capture: the AS matrix (packets, bytes,
//! flows), the IP totals and the tunnel-header bytes must be the bare capture's. Where
//! tshark is installed it dissects every wrapped capture, and the innermost addresses and
//! lengths it finds must be those it finds in the bare capture, frame by frame — an
//! independent check that the wrapping is what it claims to be.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use trombone_asdb::AsDb;
use trombone_packet::Decap;
use trombone_pipeline::{analyze_all, Options};
use trombone_schema::Report;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn bare() -> PathBuf {
    root().join("capture-fixtures/clmv-gateway-usec-le.pcap")
}

/// The bare capture's frames (timestamp, bytes).
fn frames() -> Vec<(i64, Vec<u8>)> {
    let mut r = trombone_capture::CaptureReader::open(&bare()).unwrap();
    let mut v = Vec::new();
    while let Some(f) = r.next_frame().unwrap() {
        assert_eq!(f.linktype, 1);
        assert_eq!(f.data.len() as u32, f.wire_len, "full frames");
        v.push((f.ts_ns, f.data.to_vec()));
    }
    v
}

/// Writes a classic pcap (ns, Ethernet).
fn write_pcap(path: &Path, frames: &[(i64, Vec<u8>)]) {
    let mut b = Vec::new();
    b.extend_from_slice(&0xa1b2_3c4du32.to_le_bytes());
    b.extend_from_slice(&2u16.to_le_bytes());
    b.extend_from_slice(&4u16.to_le_bytes());
    b.extend_from_slice(&[0; 8]);
    b.extend_from_slice(&262_144u32.to_le_bytes());
    b.extend_from_slice(&1u32.to_le_bytes());
    for (ts, f) in frames {
        b.extend_from_slice(&((ts / 1_000_000_000) as u32).to_le_bytes());
        b.extend_from_slice(&((ts % 1_000_000_000) as u32).to_le_bytes());
        b.extend_from_slice(&(f.len() as u32).to_le_bytes());
        b.extend_from_slice(&(f.len() as u32).to_le_bytes());
        b.extend_from_slice(f);
    }
    std::fs::write(path, b).unwrap();
}

/// Outer Ethernet + IPv4 (collector 192.0.2.99 ← probe 192.0.2.1, protocol `proto`)
/// around `payload`.
fn outer_ip(proto: u8, payload: &[u8]) -> Vec<u8> {
    let mut f = vec![0x02, 0, 0, 0, 0, 0x99, 0x02, 0, 0, 0, 0, 0x01, 0x08, 0x00];
    let len = (20 + payload.len() as u16).to_be_bytes();
    f.extend_from_slice(&[0x45, 0, len[0], len[1], 0, 0, 0x40, 0, 64, proto, 0, 0]);
    f.extend_from_slice(&[192, 0, 2, 1, 192, 0, 2, 99]);
    f.extend_from_slice(payload);
    f
}

/// Outer Ethernet + IPv4 + UDP to `dport`.
fn outer_udp(dport: u16, payload: &[u8]) -> Vec<u8> {
    let mut u = vec![0xc3, 0x50];
    u.extend_from_slice(&dport.to_be_bytes());
    u.extend_from_slice(&(8 + payload.len() as u16).to_be_bytes());
    u.extend_from_slice(&[0, 0]);
    u.extend_from_slice(payload);
    outer_ip(17, &u)
}

fn cat(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut v = a.to_vec();
    v.extend_from_slice(b);
    v
}

/// Each encapsulation: its name, whether only `--decap` opens it, and the wrapping.
type Wrap = fn(&[u8], u32) -> Vec<u8>;

fn wraps() -> Vec<(&'static str, bool, Wrap)> {
    vec![
        // VXLAN (RFC 7348): flags I, VNI 5000
        ("vxlan", true, |f, _| {
            outer_udp(4789, &cat(&[0x08, 0, 0, 0, 0x00, 0x13, 0x88, 0], f))
        }),
        // Geneve (RFC 8926): version 0, no options, protocol 0x6558 (Ethernet), VNI 77
        ("geneve", true, |f, _| {
            outer_udp(6081, &cat(&[0, 0, 0x65, 0x58, 0, 0, 77, 0], f))
        }),
        // GRE (RFC 2784/2890) with a key, carrying Ethernet (transparent bridging)
        ("gre", true, |f, _| {
            outer_ip(47, &cat(&[0x20, 0, 0x65, 0x58, 0, 0, 0, 42], f))
        }),
        // ERSPAN type I: GRE 0x88BE, no sequence number, no ERSPAN header
        ("erspan-i", false, |f, _| {
            outer_ip(47, &cat(&[0, 0, 0x88, 0xbe], f))
        }),
        // ERSPAN type II: GRE 0x88BE with sequence number, 8-byte header (version 1,
        // VLAN 0, COS 0, En 0, T 0, session 7, index 0)
        ("erspan-ii", false, |f, seq| {
            let s = seq.to_be_bytes();
            let gre = [0x10, 0, 0x88, 0xbe, s[0], s[1], s[2], s[3]];
            outer_ip(47, &cat(&cat(&gre, &[0x10, 0, 0, 7, 0, 0, 0, 0]), f))
        }),
        // ERSPAN type III: GRE 0x22EB with sequence number, 12-byte header (version 2,
        // session 9, a timestamp, frame type 0 = Ethernet, no platform subheader)
        ("erspan-iii", false, |f, seq| {
            let s = seq.to_be_bytes();
            let gre = [0x10, 0, 0x22, 0xeb, s[0], s[1], s[2], s[3]];
            let hdr = [0x20, 0, 0, 9, 0, 0, 0x12, 0x34, 0, 0, 0, 0];
            outer_ip(47, &cat(&cat(&gre, &hdr), f))
        }),
        // TZSP: version 1, type 0 (received), encapsulation 1 (Ethernet), END tag
        ("tzsp", false, |f, _| {
            outer_udp(37008, &cat(&[1, 0, 0, 1, 1], f))
        }),
        // Cisco FabricPath: 16-byte outer header (switch addresses, ethertype 0x8903,
        // FTag/TTL) in front of the frame
        ("fabricpath", false, |f, _| {
            let hdr = [
                0x02, 0, 0x0a, 0, 0, 1, 0x02, 0, 0x0a, 0, 0, 2, 0x89, 0x03, 0x04, 0x3f,
            ];
            cat(&hdr, f)
        }),
        // VN-Tag: ethertype 0x8926 and a 4-byte tag after the MACs
        ("vntag", false, |f, _| {
            let mut v = f[..12].to_vec();
            v.extend_from_slice(&[0x89, 0x26, 0x80, 0x05, 0x00, 0x03]);
            v.extend_from_slice(&f[12..]);
            v
        }),
        // 802.1BR E-Tag: ethertype 0x893F and a 6-byte tag after the MACs
        ("etag", false, |f, _| {
            let mut v = f[..12].to_vec();
            v.extend_from_slice(&[0x89, 0x3f, 0, 0, 0x10, 0x05, 0, 0]);
            v.extend_from_slice(&f[12..]);
            v
        }),
    ]
}

fn analyze(path: &Path, decap: Decap) -> Report {
    let db = AsDb::load(&[root().join("capture-fixtures/fixture-asn.tsv")]).unwrap();
    let opts = Options {
        workers: 2,
        decap,
        ..Options::default()
    };
    analyze_all(&[path.to_path_buf()], Arc::new(db), &opts)
}

/// tshark's innermost (source, destination, length) of every frame: the last IPv4 or
/// IPv6 header it dissected ("" when none).
fn tshark_inner(path: &Path) -> Option<Vec<String>> {
    let out = Command::new("tshark")
        .args(["-n", "-r"])
        .arg(path)
        .args([
            "-d",
            "udp.port==6081,geneve",
            "-T",
            "fields",
            "-E",
            "separator=|",
            "-e",
            "ip.src",
            "-e",
            "ip.dst",
            "-e",
            "ip.len",
            "-e",
            "ipv6.src",
            "-e",
            "ipv6.dst",
            "-e",
            "ipv6.plen",
        ])
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let last = |s: &str| s.rsplit(',').next().unwrap_or("").to_string();
    Some(
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| {
                let f: Vec<&str> = l.split('|').collect();
                // an IPv6 packet inside IPv4 (or the reverse) is not in this capture
                if !f[3].is_empty() {
                    format!("{} {} {}", last(f[3]), last(f[4]), last(f[5]))
                } else {
                    format!("{} {} {}", last(f[0]), last(f[1]), last(f[2]))
                }
            })
            .collect(),
    )
}

#[test]
fn every_encapsulation_gives_the_bare_matrix() {
    let frames = frames();
    let dir = std::env::temp_dir().join(format!("trombone-decap-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let base = analyze(&bare(), Decap::default());
    assert_eq!(base.totals.decapsulated_packets, 0);
    let bare_tshark = tshark_inner(&bare());
    for (name, on_request, wrap) in wraps() {
        let wrapped: Vec<(i64, Vec<u8>)> = frames
            .iter()
            .enumerate()
            .map(|(i, (ts, f))| (*ts, wrap(f, i as u32)))
            .collect();
        let path = dir.join(format!("{name}.pcap"));
        write_pcap(&path, &wrapped);
        let outer: u64 = wrapped
            .iter()
            .zip(&frames)
            .map(|(w, f)| (w.1.len() - f.1.len()) as u64)
            .sum();
        let opened = analyze(&path, Decap::all());
        assert_eq!(
            opened.as_matrix, base.as_matrix,
            "{name}: decapsulated matrix"
        );
        assert_eq!(opened.country_matrix, base.country_matrix, "{name}");
        let (t, b) = (&opened.totals, &base.totals);
        assert_eq!(
            (
                t.frames,
                t.ip_packets,
                t.ip_bytes,
                t.non_ip_frames,
                t.malformed_frames
            ),
            (
                b.frames,
                b.ip_packets,
                b.ip_bytes,
                b.non_ip_frames,
                b.malformed_frames
            ),
            "{name}: totals"
        );
        assert_eq!(t.decapsulated_packets, b.ip_packets, "{name}");
        // the tunnel headers of the IP packets' frames (non-IP and malformed frames were
        // wrapped too, but their headers are not traffic of any packet)
        let per_frame = outer / frames.len() as u64;
        assert_eq!(
            t.encap_bytes,
            per_frame * b.ip_packets,
            "{name}: outer bytes"
        );
        let default = analyze(&path, Decap::default());
        if on_request {
            // not opened by default: the tunnel packets are the traffic (one pair: the
            // probe and the collector, both unknown to the database)
            assert_eq!(default.as_matrix.len(), 1, "{name}");
            assert_eq!(default.totals.ip_packets, frames.len() as u64, "{name}");
            assert_eq!(default.totals.decapsulated_packets, 0);
        } else {
            assert_eq!(
                default.as_matrix, base.as_matrix,
                "{name}: mirror, always opened"
            );
        }
        if let (Some(want), Some(got)) = (&bare_tshark, tshark_inner(&path)) {
            assert_eq!(got.len(), want.len(), "{name}");
            for (i, (g, w)) in got.iter().zip(want).enumerate() {
                // a frame without a whole IP header inside (non-IP, malformed) shows
                // only the outer header
                let g = if g.starts_with("192.0.2.1 192.0.2.99 ") && w.starts_with(' ') {
                    w
                } else {
                    g
                };
                assert_eq!(g, w, "{name}: tshark, frame {}", i + 1);
            }
        }
    }
    std::fs::remove_dir_all(&dir).ok();
}
