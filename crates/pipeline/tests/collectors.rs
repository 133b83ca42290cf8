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
