//! Flow-export sources end to end, on the real exporter captures committed with
//! trombone-flowrec (softflowd and pmacctd; see crates/flowrec/tests/data/README.md):
//!
//! - `analyze --decode` of each NetFlow/IPFIX capture gives, per AS pair, exactly the
//!   packets and bytes nfdump 1.7 reports for the same datagrams (its committed per-address
//!   totals, mapped to AS pairs here with the fixture's address table by a range lookup of
//!   this file's own), times the exporter's sampling interval (pmacctd's nfprobe sampled 1
//!   in 4 and says so in its options data; nfdump keeps counts as exported);
//! - `analyze --decode sflow` of the sFlow capture gives, per AS pair, the number of flow
//!   samples tshark lists for it (committed `pmacctd-sfprobe.expected.tsv`) times the
//!   sampling rate of each;
//! - the live collector, fed the same datagrams over loopback, gives the same matrices as
//!   the file decode.

use std::collections::BTreeMap;
use std::net::{IpAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;
use trombone_asdb::AsDb;
use trombone_pipeline::{analyze_all, CollectOptions, ExportKind, Options};
use trombone_schema::Report;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn data(name: &str) -> PathBuf {
    root().join("crates/flowrec/tests/data").join(name)
}

fn db() -> Arc<AsDb> {
    Arc::new(AsDb::load(&[root().join("capture-fixtures/fixture-asn.tsv")]).unwrap())
}

/// The fixture's address table as (first, last, ASN) ranges, read here independently.
fn ranges() -> Vec<(IpAddr, IpAddr, u32)> {
    std::fs::read_to_string(root().join("capture-fixtures/fixture-asn.tsv"))
        .unwrap()
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            Some((f[0].parse().ok()?, f[1].parse().ok()?, f[2].parse().ok()?))
        })
        .collect()
}

fn asn_of(r: &[(IpAddr, IpAddr, u32)], ip: IpAddr) -> u32 {
    r.iter()
        .find(|(a, b, _)| a <= &ip && &ip <= b && a.is_ipv4() == ip.is_ipv4())
        .map_or(0, |x| x.2)
}

/// Per (src ASN, dst ASN): packets and bytes of a result's AS matrix.
fn by_as(r: &Report) -> BTreeMap<(u32, u32), (u64, u64)> {
    let mut m = BTreeMap::new();
    for c in &r.as_matrix {
        let e = m.entry((c.src_asn, c.dst_asn)).or_insert((0, 0));
        e.0 += c.packets;
        e.1 += c.bytes;
    }
    m
}

/// Every decode port the committed captures use.
const PORTS: [u16; 6] = [6343, 2055, 4739, 4740, 9995, 9996];

fn decode(name: &str, workers: usize) -> Report {
    let opts = Options {
        workers,
        decode_ports: PORTS.to_vec(),
        ..Options::default()
    };
    analyze_all(&[data(name)], db(), &opts)
}

#[test]
fn netflow_and_ipfix_match_nfdump_per_as_pair() {
    let r = ranges();
    for (cap, factor) in [
        ("softflowd-v5", 1),
        ("softflowd-v9", 1),
        ("softflowd-ipfix", 1),
        ("pmacctd-nfprobe-v9", 4),
        ("pmacctd-nfprobe-ipfix", 4),
    ] {
        let mut want: BTreeMap<(u32, u32), (u64, u64)> = BTreeMap::new();
        let tsv = std::fs::read_to_string(data(&format!("{cap}.nfdump.tsv"))).unwrap();
        for l in tsv.lines().skip(1) {
            let f: Vec<&str> = l.split('\t').collect();
            let (s, d): (IpAddr, IpAddr) = (f[0].parse().unwrap(), f[1].parse().unwrap());
            let e = want.entry((asn_of(&r, s), asn_of(&r, d))).or_insert((0, 0));
            e.0 += f[2].parse::<u64>().unwrap() * factor;
            e.1 += f[3].parse::<u64>().unwrap() * factor;
        }
        for workers in [1, 3] {
            let rep = decode(&format!("{cap}.pcap"), workers);
            assert_eq!(by_as(&rep), want, "{cap}, {workers} workers");
            let c = rep.collector.as_ref().unwrap();
            assert_eq!(c.mode, "file");
            assert_eq!(c.bad_datagrams, 0, "{cap}");
            assert!(c.flow_records > 0);
            let (p, b) = want.values().fold((0, 0), |a, v| (a.0 + v.0, a.1 + v.1));
            assert_eq!((c.record_packets, c.record_bytes), (p, b), "{cap}");
            // the export datagrams are not traffic of their own
            assert!(rep
                .as_matrix
                .iter()
                .all(|x| x.src_asn != 0 || x.packets > 0));
            let h = rep.hairpin.as_ref();
            assert!(h.is_none());
        }
    }
}

#[test]
fn sflow_matches_tshark_samples_times_rate() {
    let r = ranges();
    let tsv = std::fs::read_to_string(data("pmacctd-sfprobe.expected.tsv")).unwrap();
    let mut head = tsv.lines().next().unwrap().split('\t');
    let col = |name: &str, h: &mut std::str::Split<'_, char>| h.position(|c| c == name).unwrap();
    let (rate_i, src_i, dst_i) = (
        col("rate", &mut head.clone()),
        col("src", &mut head.clone()),
        col("dst", &mut head),
    );
    let mut want: BTreeMap<(u32, u32), u64> = BTreeMap::new();
    let mut samples = 0;
    for l in tsv.lines().skip(1) {
        let f: Vec<&str> = l.split('\t').collect();
        let (Ok(s), Ok(d)) = (f[src_i].parse::<IpAddr>(), f[dst_i].parse::<IpAddr>()) else {
            continue;
        };
        samples += 1;
        *want.entry((asn_of(&r, s), asn_of(&r, d))).or_default() +=
            f[rate_i].parse::<u64>().unwrap();
    }
    assert!(samples > 500);
    let rep = decode("pmacctd-sfprobe.pcap", 2);
    let got: BTreeMap<(u32, u32), u64> = by_as(&rep).into_iter().map(|(k, v)| (k, v.0)).collect();
    assert_eq!(got, want);
    let c = rep.collector.unwrap();
    assert_eq!(c.packet_samples, 575);
    assert_eq!(c.sampling.get("2"), Some(&575));
    // the sample pool's growth from the first sample to the last, as tshark shows it (one
    // data source): the packets pmacctd's random 1-in-2 sampler saw meanwhile
    let pools: Vec<u64> = tsv
        .lines()
        .skip(1)
        .filter_map(|l| l.split('\t').nth(4)?.parse().ok())
        .collect();
    let span = pools.iter().max().unwrap() - pools.iter().min().unwrap();
    assert_eq!(c.sample_pool, span);
    // renormalised packets agree with the pool to within sampling error: 575 samples,
    // one standard deviation of a 1-in-2 count is sqrt(1168 × 1/2 × 1/2) ≈ 17 samples
    let dev = (c.sampled_packets as f64 - span as f64).abs() / 2.0;
    assert!(dev < 3.0 * (span as f64 * 0.25).sqrt(), "{dev}");
    assert!(rep.hairpin.is_none() && rep.evidence.is_none());
}

#[test]
fn without_decode_export_datagrams_are_ordinary_traffic() {
    let rep = analyze_all(&[data("softflowd-v9.pcap")], db(), &Options::default());
    assert!(rep.collector.is_none());
    // 8 datagrams from 127.0.0.1 to 127.0.0.1: one unknown pair
    assert_eq!(rep.totals.ip_packets, 8);
    assert_eq!(rep.as_matrix.len(), 1);
    assert_eq!(rep.as_matrix[0].packets, 8);
}

#[test]
fn hairpin_says_what_flow_export_cannot_give() {
    let mut opts = Options {
        decode_ports: PORTS.to_vec(),
        ..Options::default()
    };
    let zone = trombone_hairpin::Zone::parse("VN", None).unwrap();
    opts.hairpin = Some(Arc::new(trombone_hairpin::HairpinConfig::new(
        zone,
        trombone_hairpin::Links::default(),
    )));
    let rep = analyze_all(&[data("softflowd-v9.pcap")], db(), &opts);
    let h = rep.hairpin.unwrap();
    let n = h.not_available.expect("the hairpin section says it");
    assert!(n.starts_with("not available from NetFlow/sFlow"), "{n}");
    assert!(rep.evidence.unwrap().not_available.is_some());
}

/// The UDP payloads of a capture written by tcpdump on lo (Ethernet, IPv4 or IPv6).
fn payloads(name: &str) -> Vec<Vec<u8>> {
    let mut r = trombone_capture::CaptureReader::open(&data(name)).unwrap();
    let mut out = Vec::new();
    while let Some(f) = r.next_frame().unwrap() {
        if let Some((_, _, p)) = trombone_pipeline::udp_payload(f.linktype, f.data) {
            out.push(p.to_vec());
        }
    }
    out
}

#[test]
fn live_collector_matches_the_file_decode() {
    for (cap, kind) in [
        ("softflowd-v9", ExportKind::Netflow),
        ("pmacctd-nfprobe-ipfix", ExportKind::Ipfix),
        ("pmacctd-sfprobe", ExportKind::Sflow),
    ] {
        let want = by_as(&decode(&format!("{cap}.pcap"), 1));
        let mut opts = CollectOptions::new(vec![(kind, "127.0.0.1:0".parse().unwrap())]);
        opts.workers = 2;
        let listeners = trombone_pipeline::open_collector(&opts).unwrap();
        let addr = listeners[0].addr;
        let stop = Arc::new(AtomicBool::new(false));
        let dgs = payloads(&format!("{cap}.pcap"));
        let n = dgs.len() as u64;
        let s2 = stop.clone();
        let sender = std::thread::spawn(move || {
            let tx = UdpSocket::bind("127.0.0.1:0").unwrap();
            std::thread::sleep(Duration::from_millis(100));
            for d in &dgs {
                tx.send_to(d, addr).unwrap();
                std::thread::sleep(Duration::from_micros(200));
            }
            std::thread::sleep(Duration::from_millis(300));
            s2.store(true, std::sync::atomic::Ordering::Release);
        });
        let rep = trombone_pipeline::run_collect(listeners, db(), &opts, &stop, |_| {}, |_| {});
        sender.join().unwrap();
        let c = rep.collector.as_ref().unwrap();
        assert_eq!(c.mode, "live");
        assert_eq!(c.datagrams, n, "{cap}");
        assert_eq!(c.socket_drops, Some(0));
        assert!(!rep.partial);
        assert_eq!(by_as(&rep), want, "{cap}");
        assert_eq!(rep.inputs.iter().map(|i| i.frames).sum::<u64>(), n);
    }
}

/// The records (header, data) of a classic pcap file, in order.
fn pcap_records(bytes: &[u8]) -> (Vec<u8>, Vec<Vec<u8>>) {
    assert_eq!(
        &bytes[..4],
        &[0xd4, 0xc3, 0xb2, 0xa1],
        "little-endian µs pcap"
    );
    let mut out = Vec::new();
    let mut o = 24;
    while o + 16 <= bytes.len() {
        let caplen = u32::from_le_bytes(bytes[o + 8..o + 12].try_into().unwrap()) as usize;
        out.push(bytes[o..o + 16 + caplen].to_vec());
        o += 16 + caplen;
    }
    (bytes[..24].to_vec(), out)
}

fn temp_path(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("trombone-collectors-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn decode_path(path: &Path, opts: Options) -> Report {
    let opts = Options {
        decode_ports: PORTS.to_vec(),
        ..opts
    };
    analyze_all(&[path.to_path_buf()], db(), &opts)
}

/// A datagram missing from a capture is a sequence gap: softflowd's NetFlow v5 without its
/// third datagram, pmacctd's sFlow without its tenth. Hand counts from tshark: NetFlow v5
/// datagram 3 holds 29 records (FlowSequence 59; the next says 88), 208 packets and 116,012
/// octets, the rows 60 to 88 of `softflowd-v5.expected.tsv`; the sFlow datagram with
/// sequence number 10 holds 8 flow samples, the rows of seq 10 in
/// `pmacctd-sfprobe.expected.tsv`.
#[test]
fn a_missing_datagram_is_a_sequence_gap() {
    let r = ranges();
    // NetFlow v5: the sequence number counts records
    let (head, recs) = pcap_records(&std::fs::read(data("softflowd-v5.pcap")).unwrap());
    assert_eq!(recs.len(), 7);
    let mut cut = head.clone();
    for (i, rec) in recs.iter().enumerate() {
        if i != 2 {
            cut.extend_from_slice(rec);
        }
    }
    let path = temp_path("softflowd-v5-without-3.pcap");
    std::fs::write(&path, &cut).unwrap();
    let tsv = std::fs::read_to_string(data("softflowd-v5.expected.tsv")).unwrap();
    let rows: Vec<Vec<&str>> = tsv
        .lines()
        .skip(1)
        .map(|l| l.split('\t').collect())
        .collect();
    assert_eq!(rows.len(), 202);
    let mut want: BTreeMap<(u32, u32), (u64, u64)> = BTreeMap::new();
    let (mut gone_p, mut gone_b) = (0, 0);
    for (i, f) in rows.iter().enumerate() {
        let (b, p): (u64, u64) = (f[5].parse().unwrap(), f[6].parse().unwrap());
        if (59..88).contains(&i) {
            gone_p += p;
            gone_b += b;
            continue;
        }
        let (s, d): (IpAddr, IpAddr) = (f[0].parse().unwrap(), f[1].parse().unwrap());
        let e = want.entry((asn_of(&r, s), asn_of(&r, d))).or_insert((0, 0));
        e.0 += p;
        e.1 += b;
    }
    assert_eq!((gone_p, gone_b), (208, 116_012), "tshark's datagram 3");
    let full = decode("softflowd-v5.pcap", 1);
    assert!(full.warnings.iter().all(|w| w.code != "collector_loss"));
    for workers in [1, 2] {
        let rep = decode_path(
            &path,
            Options {
                workers,
                ..Options::default()
            },
        );
        let c = rep.collector.as_ref().unwrap();
        assert_eq!((c.datagrams, c.flow_records), (6, 202 - 29));
        assert_eq!(
            (c.lost_records, c.lost_datagrams, c.sequence_resets),
            (29, 0, 0)
        );
        assert_eq!(by_as(&rep), want);
        let w = rep
            .warnings
            .iter()
            .find(|w| w.code == "collector_loss")
            .expect("a collector_loss warning");
        assert!(
            w.message.contains("0 datagrams and 29 records"),
            "{}",
            w.message
        );
    }

    // sFlow: the sequence number counts datagrams (per agent and sub-agent)
    let (head, recs) = pcap_records(&std::fs::read(data("pmacctd-sfprobe.pcap")).unwrap());
    assert_eq!(recs.len(), 86);
    let mut cut = head;
    for (i, rec) in recs.iter().enumerate() {
        if i != 9 {
            cut.extend_from_slice(rec);
        }
    }
    let path = temp_path("pmacctd-sfprobe-without-10.pcap");
    std::fs::write(&path, &cut).unwrap();
    let tsv = std::fs::read_to_string(data("pmacctd-sfprobe.expected.tsv")).unwrap();
    let mut want: BTreeMap<(u32, u32), u64> = BTreeMap::new();
    let mut gone = 0;
    for l in tsv.lines().skip(1) {
        let f: Vec<&str> = l.split('\t').collect();
        if f[1] == "10" {
            gone += 1;
            continue;
        }
        let (Ok(s), Ok(d)) = (f[11].parse::<IpAddr>(), f[12].parse::<IpAddr>()) else {
            continue;
        };
        *want.entry((asn_of(&r, s), asn_of(&r, d))).or_default() += f[3].parse::<u64>().unwrap();
    }
    assert_eq!(gone, 8, "tshark: 8 samples in the datagram of seq 10");
    let rep = decode_path(
        &path,
        Options {
            workers: 2,
            ..Options::default()
        },
    );
    let c = rep.collector.as_ref().unwrap();
    assert_eq!((c.datagrams, c.packet_samples), (85, 575 - 8));
    assert_eq!(
        (c.lost_datagrams, c.lost_records, c.sequence_resets),
        (1, 0, 0)
    );
    let got: BTreeMap<(u32, u32), u64> = by_as(&rep).into_iter().map(|(k, v)| (k, v.0)).collect();
    assert_eq!(got, want);
    let w = rep
        .warnings
        .iter()
        .find(|w| w.code == "collector_loss")
        .unwrap();
    assert!(
        w.message.contains("1 datagrams and 0 records"),
        "{}",
        w.message
    );
}

/// XDR helpers for a hand-built sFlow v5 datagram.
fn u32be(v: &mut Vec<u8>, x: u32) {
    v.extend_from_slice(&x.to_be_bytes());
}

fn u64be(v: &mut Vec<u8>, x: u64) {
    v.extend_from_slice(&x.to_be_bytes());
}

/// A generic interface counters record (sFlow v5, counter_data format 1, 88 bytes).
fn if_counters(if_index: u32, speed: u64, in_octets: u64, out_octets: u64, pkts: u32) -> Vec<u8> {
    let mut r = Vec::new();
    u32be(&mut r, if_index);
    u32be(&mut r, 6); // ifType ethernetCsmacd
    u64be(&mut r, speed);
    u32be(&mut r, 1); // ifDirection full-duplex
    u32be(&mut r, 3); // ifStatus admin and oper up
    u64be(&mut r, in_octets);
    for x in [pkts, 0, 0, 0, 0, 0] {
        u32be(&mut r, x); // in ucast, mcast, bcast, discards, errors, unknown protos
    }
    u64be(&mut r, out_octets);
    for x in [pkts, 0, 0, 0, 0, 0] {
        u32be(&mut r, x); // out ucast, mcast, bcast, discards, errors, promiscuous mode
    }
    assert_eq!(r.len(), 88);
    r
}

/// One sFlow v5 datagram from agent 192.0.2.7, sub-agent 0: `samples` as (format, body).
fn sflow_datagram(seq: u32, uptime_ms: u32, samples: &[(u32, Vec<u8>)]) -> Vec<u8> {
    let mut d = Vec::new();
    for x in [5, 1] {
        u32be(&mut d, x); // version 5, agent address IPv4
    }
    d.extend_from_slice(&[192, 0, 2, 7]);
    for x in [0, seq, uptime_ms, samples.len() as u32] {
        u32be(&mut d, x);
    }
    for (format, body) in samples {
        u32be(&mut d, *format);
        u32be(&mut d, body.len() as u32);
        d.extend_from_slice(body);
    }
    d
}

/// A frame of Ethernet, IPv4 and UDP from 192.0.2.7 to 192.0.2.99 port 6343 around `payload`.
fn udp_frame(payload: &[u8]) -> Vec<u8> {
    let mut f = vec![0x02, 0, 0, 0, 0, 0x99, 0x02, 0, 0, 0, 0, 0x07, 0x08, 0x00];
    let total = 20 + 8 + payload.len();
    f.extend_from_slice(&[
        0x45,
        0,
        (total >> 8) as u8,
        total as u8,
        0,
        0,
        0x40,
        0,
        64,
        17,
        0,
        0,
    ]);
    f.extend_from_slice(&[192, 0, 2, 7, 192, 0, 2, 99]);
    let ulen = 8 + payload.len();
    f.extend_from_slice(&[0x9c, 0x40, 0x18, 0xc7, (ulen >> 8) as u8, ulen as u8, 0, 0]);
    f.extend_from_slice(payload);
    f
}

/// sFlow counter samples drive the member's port sizing. Two datagrams 600 s apart (at the
/// start of a 5-minute sample), each with a counter sample of ifIndex 5 (10 Gbit/s), the
/// agent's uptime 600,000 ms apart: 150,000,000 octets out of the port and 75,000,000 in
/// meanwhile. By hand: 250,000 bytes/s out = 2.0 Mbit/s, 125,000 in = 1.0 Mbit/s, in each of
/// the two full samples the interval covers (the third sample, the one second the second
/// datagram opens, holds nothing: the 95th percentile of {2, 2, 0} by nearest rank is 2).
/// The first datagram also has a flow sample sent out of ifIndex 5 to AS64496's router MAC
/// (trombone-ixp's synthetic CNX list), so the port faces AS64496: its p95 is 2.0 Mbit/s on
/// the basis "interface counters"; AS64497, the sender, has no such port: "traffic".
#[test]
fn sflow_counter_samples_size_the_member_port() {
    const T0: u32 = 1_712_365_200; // 2024-04-06T01:00:00Z, a multiple of 300 s
    let mut header = vec![
        0x02, 0, 0x5e, 0x10, 0, 0x11, 0x02, 0, 0x5e, 0x10, 0, 0x12, 0x08, 0,
    ];
    header.extend_from_slice(&[0x45, 0, 0, 100, 0, 1, 0x40, 0, 64, 17, 0, 0]);
    header.extend_from_slice(&[192, 0, 2, 1, 192, 0, 2, 2]);
    header.extend_from_slice(&[0x30, 0x39, 0x00, 0x35, 0, 80, 0, 0]);
    header.extend_from_slice(&[0; 14 + 100 - 42]); // the whole frame: 114 bytes
    let mut flow = Vec::new();
    // sequence, source id (ifIndex 7), rate 1, pool 1, drops 0, input 7, output 5, 1 record
    for x in [1, 7, 1, 1, 0, 7, 5, 1] {
        u32be(&mut flow, x);
    }
    assert_eq!(header.len(), 114);
    u32be(&mut flow, 1); // raw packet header, 16 bytes of fields and the header padded to 116
    u32be(&mut flow, 16 + 116);
    // Ethernet, frame length (with the FCS), stripped (the FCS), header length
    for x in [1, header.len() as u32 + 4, 4, header.len() as u32] {
        u32be(&mut flow, x);
    }
    flow.extend_from_slice(&header);
    flow.extend_from_slice(&[0, 0]); // XDR padding
    let counters = |seq: u32, octets_in: u64, octets_out: u64, pkts: u32| {
        let mut c = Vec::new();
        for x in [seq, 5, 1] {
            u32be(&mut c, x); // sequence, source id ifIndex 5, 1 record
        }
        u32be(&mut c, 1); // generic interface counters
        u32be(&mut c, 88);
        c.extend_from_slice(&if_counters(5, 10_000_000_000, octets_in, octets_out, pkts));
        (2, c)
    };
    let a = sflow_datagram(
        1,
        1_000_000,
        &[(1, flow), counters(1, 4_000_000_000, 9_000_000_000, 1000)],
    );
    let b = sflow_datagram(
        2,
        1_600_000,
        &[counters(2, 4_075_000_000, 9_150_000_000, 101_000)],
    );
    let mut pcap = Vec::new();
    pcap.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
    pcap.extend_from_slice(&[
        2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0,
    ]);
    for (t, d) in [(T0, a), (T0 + 600, b)] {
        let f = udp_frame(&d);
        for x in [t, 0, f.len() as u32, f.len() as u32] {
            pcap.extend_from_slice(&x.to_le_bytes());
        }
        pcap.extend_from_slice(&f);
    }
    let path = temp_path("sflow-counters.pcap");
    std::fs::write(&path, &pcap).unwrap();
    let list = root().join("crates/ixp/tests/data/ixf-1.0-cnx-synthetic.json");
    let setup = trombone_reduce::IxpSetup {
        dir: Arc::new(trombone_ixp::IxpDirectory::load(std::slice::from_ref(&list)).unwrap()),
        lists: vec![list.display().to_string()],
    };
    for workers in [1, 2] {
        let opts = Options {
            workers,
            ixp: Some(setup.clone()),
            ..Options::default()
        };
        let rep = decode_path(&path, opts);
        let c = rep.collector.as_ref().unwrap();
        assert_eq!(
            (c.datagrams, c.packet_samples, c.counter_records),
            (2, 1, 2)
        );
        assert_eq!(
            (c.lost_datagrams, c.counter_resets, c.bad_datagrams),
            (0, 0, 0)
        );
        assert_eq!(c.interfaces.len(), 1);
        let i = &c.interfaces[0];
        assert_eq!(
            (i.agent.as_str(), i.sub_agent, i.if_index),
            ("192.0.2.7", 0, 5)
        );
        assert_eq!(i.speed_bps, Some(10_000_000_000));
        assert_eq!(
            (i.outbound.bytes, i.inbound.bytes),
            (150_000_000, 75_000_000)
        );
        assert_eq!((i.outbound.packets, i.inbound.packets), (100_000, 100_000));
        assert_eq!((i.outbound.p95_mbps, i.inbound.p95_mbps), (2.0, 1.0));
        assert_eq!(i.utilisation_p95, Some(2.0e6 / 10e9));
        assert_eq!(i.member_asn, Some(64496));
        let x = rep.ixp.as_ref().expect("an ixp section");
        let m = x.members.iter().find(|m| m.asn == 64496).unwrap();
        assert_eq!((m.basis.as_str(), m.p95_mbps), ("interface counters", 2.0));
        assert_eq!(m.inbound.bytes, 100, "the sampled frame delivered to it");
        let s = x.members.iter().find(|m| m.asn == 64497).unwrap();
        assert_eq!(s.basis, "traffic");
        assert_eq!(s.outbound.bytes, 100);
    }
}
