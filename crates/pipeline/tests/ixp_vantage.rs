//! The IXP peering-LAN vantage on trombone-ixp's synthetic member lists (IX-F export of
//! CNX plus the PeeringDB dump; hand counts in crates/ixp/tests/data/README.md): a capture
//! written here frame by frame, and every expected figure counted by hand from it.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use trombone_asdb::AsDb;
use trombone_pipeline::{analyze_all, Options};

fn ixp_data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../ixp/tests/data")
        .join(name)
}

const T0: u64 = 1_712_365_200; // 2024-04-06T01:00:00Z

/// A classic pcap (µs, Ethernet) of `frames` (timestamp µs after T0, bytes).
fn pcap(path: &Path, frames: &[(u64, Vec<u8>)]) {
    let mut b = Vec::new();
    b.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
    b.extend_from_slice(&2u16.to_le_bytes());
    b.extend_from_slice(&4u16.to_le_bytes());
    b.extend_from_slice(&[0; 8]);
    b.extend_from_slice(&65535u32.to_le_bytes());
    b.extend_from_slice(&1u32.to_le_bytes());
    for (us, f) in frames {
        b.extend_from_slice(&((T0 + us / 1_000_000) as u32).to_le_bytes());
        b.extend_from_slice(&((us % 1_000_000) as u32).to_le_bytes());
        b.extend_from_slice(&(f.len() as u32).to_le_bytes());
        b.extend_from_slice(&(f.len() as u32).to_le_bytes());
        b.extend_from_slice(f);
    }
    std::fs::write(path, b).unwrap();
}

fn mac(last: u8) -> [u8; 6] {
    [0x02, 0x00, 0x5e, 0x10, 0x00, last]
}

/// An Ethernet/IPv4/UDP frame of `l3` IP bytes between two documentation addresses.
fn udp(src: [u8; 6], dst: [u8; 6], l3: u16) -> Vec<u8> {
    let mut f = Vec::new();
    f.extend_from_slice(&dst);
    f.extend_from_slice(&src);
    f.extend_from_slice(&[0x08, 0x00]);
    let len = l3.to_be_bytes();
    f.extend_from_slice(&[0x45, 0, len[0], len[1], 0, 1, 0, 0, 64, 17, 0, 0]);
    f.extend_from_slice(&[198, 18, 0, 1, 198, 18, 0, 2]);
    let ulen = (l3 - 20).to_be_bytes();
    f.extend_from_slice(&[0x30, 0x39, 0x00, 0x35, ulen[0], ulen[1], 0, 0]);
    f.resize(14 + usize::from(l3), 0);
    f
}

/// An ARP reply: `mac` says it has `ip`.
fn arp_reply(m: [u8; 6], ip: [u8; 4]) -> Vec<u8> {
    let mut f = Vec::new();
    f.extend_from_slice(&mac(0x11));
    f.extend_from_slice(&m);
    f.extend_from_slice(&[0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0, 2]);
    f.extend_from_slice(&m);
    f.extend_from_slice(&ip);
    f.extend_from_slice(&mac(0x11));
    f.extend_from_slice(&[192, 0, 2, 11]);
    f.resize(60, 0);
    f
}

#[test]
fn member_matrix_ports_and_learning_by_hand() {
    let learned = [0x02, 0, 0, 0, 0, 0x77];
    let stranger = [0x02, 0, 0, 0, 0, 0x99];
    let mut frames = Vec::new();
    let mut t = 0;
    let mut push = |f: Vec<u8>, n: usize| {
        for _ in 0..n {
            frames.push((t, f.clone()));
            t += 1000;
        }
    };
    push(udp(mac(0x11), mac(0x12), 100), 3); // AS64496 → AS64497
    push(udp(mac(0x12), mac(0x11), 200), 2); // AS64497 → AS64496
    push(udp(mac(0x20), mac(0x13), 1000), 1); // AS64500 → AS64498
    push(udp(mac(0x14), mac(0x11), 50), 1); // conflicted MAC → AS64496
    push(udp(learned, mac(0x20), 60), 4); // AS64503 (learned below) → AS64500
    push(udp(stranger, mac(0x01), 70), 1); // no member → AS64499
    push(arp_reply(learned, [192, 0, 2, 30]), 1); // 192.0.2.30 is AS64503's
    let dir = std::env::temp_dir().join(format!("trombone-ixp-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cap = dir.join("peering-lan.pcap");
    pcap(&cap, &frames);

    let lists = [
        ixp_data("ixf-1.0-cnx-synthetic.json"),
        ixp_data("peeringdb/dump-synthetic.json"),
    ];
    let setup = trombone_reduce::IxpSetup {
        dir: Arc::new(trombone_ixp::IxpDirectory::load(&lists).unwrap()),
        lists: lists.iter().map(|p| p.display().to_string()).collect(),
    };
    for workers in [1, 2] {
        let opts = Options {
            workers,
            ixp: Some(setup.clone()),
            ..Options::default()
        };
        let r = analyze_all(std::slice::from_ref(&cap), Arc::new(AsDb::empty()), &opts);
        // the prefix-based matrix is there too: 12 packets, all of the unknown pair
        assert_eq!(r.totals.ip_packets, 12);
        assert_eq!(r.as_matrix.len(), 1);
        let x = r.ixp.expect("an ixp section");
        assert_eq!(x.macs_learned, 1);
        assert_eq!((x.learning.sightings, x.learning.attributed), (1, 1));
        let cells: Vec<_> = x
            .matrix
            .iter()
            .map(|c| (c.src_asn, c.dst_asn, c.packets, c.bytes))
            .collect();
        assert_eq!(
            cells,
            vec![
                (64500, 64498, 1, 1000),
                (64497, 64496, 2, 400),
                (64496, 64497, 3, 300),
                (64503, 64500, 4, 240),
                (0, 64499, 1, 70),
                (0, 64496, 1, 50),
            ],
            "{workers} workers"
        );
        assert_eq!(
            (
                x.unattributed.packets,
                x.unattributed.bytes,
                x.unattributed.macs
            ),
            (2, 120, 2)
        );
        // by bytes in + out, descending
        let ports: Vec<_> = x
            .members
            .iter()
            .map(|m| (m.asn, m.inbound.bytes, m.outbound.bytes, m.port_speed_mbps))
            .collect();
        assert_eq!(
            ports,
            vec![
                (64500, 240, 1000, Some(10_000)),
                (64498, 1000, 0, Some(100_000)),
                (64496, 450, 300, Some(20_000)),
                (64497, 300, 400, Some(1000)),
                (64503, 0, 240, Some(1000)),
                (64499, 70, 0, Some(1000)),
            ]
        );
        // every frame fell in one 1 s bin of a capture shorter than a sample: AS64496's
        // p95 is its busier direction's bytes in that second, 450 B/s = 0.0036 Mbit/s
        let m = x.members.iter().find(|m| m.asn == 64496).unwrap();
        assert!((m.p95_mbps - 450.0 * 8.0 / 1e6).abs() < 1e-12);
        assert_eq!(m.utilisation_p95, Some(m.p95_mbps / 20_000.0));
        assert_eq!(m.port.as_deref(), Some("1GE"));
        assert_eq!(m.macs, vec!["02:00:5e:10:00:11".to_string()]);
        assert_eq!(x.members_listed, setup.dir.member_count() as u64);
    }
    std::fs::remove_dir_all(&dir).ok();
}
