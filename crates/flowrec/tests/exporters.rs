//! Real exporter datagrams (softflowd and pmacctd, captured on loopback; see
//! tests/data/README.md) decoded record by record and compared with what
//! tshark's independent NetFlow/IPFIX and sFlow dissectors made of the same
//! captures (tests/data/*.expected.tsv, written by tests/data/expected.py).

use std::collections::BTreeMap;
use std::net::IpAddr;

use trombone_flowrec::{ip_from_u128, DecodeError, Decoder, Limits, Protocol, Record, Stats};

mod support;
use support::{data, read_pcap};

/// The expected table: header names and rows of fields.
fn expected(name: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(data(name)).unwrap();
    let mut lines = text.lines();
    let header = lines
        .next()
        .unwrap()
        .split('\t')
        .map(String::from)
        .collect();
    let rows = lines
        .map(|l| l.split('\t').map(String::from).collect())
        .collect();
    (header, rows)
}

/// Decodes every datagram of a capture; flow records come back as the
/// expected file's columns.
fn decode_flows(pcap: &str) -> (Vec<Vec<String>>, Vec<trombone_flowrec::FlowRecord>, Stats) {
    let mut dec = Decoder::new(Limits::default());
    let mut recs = Vec::new();
    for d in read_pcap(pcap) {
        let r = dec.decode(d.src, d.ts_ns, &d.payload, &mut |r| match r {
            Record::Flow(f) => recs.push(f),
            other => panic!("unexpected record {other:?}"),
        });
        assert!(r.is_ok(), "{pcap}: {r:?}");
    }
    let rows = recs
        .iter()
        .map(|f| {
            vec![
                ip_from_u128(f.src, f.ip_version).to_string(),
                ip_from_u128(f.dst, f.ip_version).to_string(),
                f.sport.to_string(),
                f.dport.to_string(),
                f.proto.to_string(),
                f.bytes.to_string(),
                f.packets.to_string(),
                f.tcp_flags.to_string(),
                (f.start_ns / 1_000_000).to_string(),
                ((f.end_ns - f.start_ns) / 1_000_000).to_string(),
            ]
        })
        .collect();
    (rows, recs, dec.stats().clone())
}

/// Compares decoded rows with the expected ones; `-` in the expected file
/// means tshark gave no value for that column.
fn compare(pcap: &str, expected_name: &str, got: &[Vec<String>]) {
    let (header, want) = expected(expected_name);
    assert_eq!(got.len(), want.len(), "{pcap}: record count");
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        for (c, name) in header.iter().enumerate() {
            if w[c] != "-" {
                assert_eq!(
                    g[c], w[c],
                    "{pcap}: record {i} column {name}: got {g:?}, want {w:?}"
                );
            }
        }
    }
    // Totals per (src, dst) pair, as a collector would aggregate them.
    let totals = |rows: &[Vec<String>]| {
        let mut m: BTreeMap<(String, String), (u64, u64, u64)> = BTreeMap::new();
        for r in rows {
            let e = m.entry((r[0].clone(), r[1].clone())).or_default();
            e.0 += r[5].parse::<u64>().unwrap();
            e.1 += r[6].parse::<u64>().unwrap();
            e.2 += 1;
        }
        m
    };
    assert_eq!(totals(got), totals(&want), "{pcap}: per-pair totals");
}

fn clean(stats: &Stats, pcap: &str) {
    assert_eq!(stats.total_errors(), 0, "{pcap}: {stats:?}");
    assert_eq!(stats.bad_datagrams, 0, "{pcap}");
    assert_eq!(
        stats.lost_datagrams + stats.lost_records,
        0,
        "{pcap}: {stats:?}"
    );
    assert_eq!(stats.sets_dropped_no_template, 0, "{pcap}");
    assert_eq!(stats.sequence_resets, 0, "{pcap}");
}

#[test]
fn softflowd_netflow_v5() {
    let pcap = "softflowd-v5.pcap";
    let (rows, recs, stats) = decode_flows(pcap);
    compare(pcap, "softflowd-v5.expected.tsv", &rows);
    clean(&stats, pcap);
    assert_eq!(stats.v5_datagrams, 7);
    // softflowd's own count: "Flows exported: 202 (202 records)".
    assert_eq!(stats.flow_records, 202);
    assert!(recs
        .iter()
        .all(|r| r.protocol == Protocol::NetflowV5 && r.sampling_interval == 0));
}

#[test]
fn softflowd_netflow_v9() {
    let pcap = "softflowd-v9.pcap";
    let (rows, recs, stats) = decode_flows(pcap);
    compare(pcap, "softflowd-v9.expected.tsv", &rows);
    clean(&stats, pcap);
    // softflowd: "Flows exported: 128 (222 records) in 8 packets".
    assert_eq!((stats.v9_datagrams, stats.flow_records), (8, 222));
    // Four templates (IPv4/IPv6 × ports/ICMP) and one options template
    // (tshark: "Options Template (Id = 256)").
    assert_eq!(stats.templates_active, 5);
    assert_eq!(stats.options_templates_received, 1);
    assert!(recs.iter().any(|r| r.ip_version == 6));
}

#[test]
fn softflowd_ipfix() {
    let pcap = "softflowd-ipfix.pcap";
    let (rows, recs, stats) = decode_flows(pcap);
    compare(pcap, "softflowd-ipfix.expected.tsv", &rows);
    // softflowd 1.1.0 sends as sequence number the data records sent
    // *including* this message's flow records (RFC 7011: those sent before it).
    // tshark, by message: FlowSequence 22 with 23 data records (22 flows and one
    // options record), then 55, 85, 117, 146, 178, 209, 222 with 33, 30, 32, 29,
    // 32, 31, 13 flow records: each number is the previous plus the message's own.
    // Read by the RFC, tshark flags seven: "55 (expected 45)", 85 (88), 117 (115),
    // 146 (149), 178 (175), 209 (210), 222 (240). The stream is recognised
    // (seq::OwnCount) and shows no loss.
    assert_eq!(stats.sequence_own_records, 1);
    clean(&stats, pcap);
    assert_eq!((stats.ipfix_datagrams, stats.flow_records), (8, 222));
    // Its options template (meteringProcessId scope; systemInitTimeMilliseconds,
    // samplingPacketInterval 1, samplingPacketSpace 0, selectorAlgorithm) says
    // 1 in 1: every record is unsampled.
    assert!(stats.options_records > 0);
    assert!(
        recs.iter().all(|r| r.sampling_interval == 1),
        "{:?}",
        recs[0]
    );

    // Without its third message (FlowSequence 85, 30 flow records) the stream is
    // still recognised by the second, and the loss is a gap of those 30 records.
    let mut dec = Decoder::new(Limits::default());
    for (i, d) in read_pcap(pcap).iter().enumerate() {
        if i != 2 {
            let _ = dec.decode(d.src, d.ts_ns, &d.payload, &mut |_| {});
        }
    }
    let s = dec.stats();
    assert_eq!(
        (s.lost_records, s.sequence_resets, s.sequence_own_records),
        (30, 0, 1)
    );
    assert_eq!(s.flow_records, 222 - 30);
}

#[test]
fn pmacctd_netflow_v9_sampled() {
    let pcap = "pmacctd-nfprobe-v9.pcap";
    let (rows, recs, stats) = decode_flows(pcap);
    compare(pcap, "pmacctd-nfprobe-v9.expected.tsv", &rows);
    clean(&stats, pcap);
    // pmacctd ran with sampling_rate 4: its options data (FLOW_SAMPLER_ID 1,
    // FLOW_SAMPLER_RANDOM_INTERVAL 4) and every record's FLOW_SAMPLER_ID 1.
    assert!(recs
        .iter()
        .all(|r| r.sampling_interval == 4 && r.domain == 7));
    let raw: u64 = recs.iter().map(|r| r.bytes).sum();
    let scaled: u64 = recs.iter().map(|r| r.scaled_bytes()).sum();
    assert_eq!(scaled, raw * 4);
}

#[test]
fn pmacctd_ipfix_sampled() {
    let pcap = "pmacctd-nfprobe-ipfix.pcap";
    let (rows, recs, stats) = decode_flows(pcap);
    compare(pcap, "pmacctd-nfprobe-ipfix.expected.tsv", &rows);
    clean(&stats, pcap);
    assert!(recs
        .iter()
        .all(|r| r.sampling_interval == 4 && r.domain == 9));
    // Its templates carry MACs and the VLAN.
    assert!(recs.iter().any(|r| r.vlan != 0 && r.src_mac != [0; 6]));
}

#[test]
fn pmacctd_sflow() {
    let pcap = "pmacctd-sfprobe.pcap";
    let (header, want) = expected("pmacctd-sfprobe.expected.tsv");
    let mut dec = Decoder::new(Limits::default());
    let mut got = Vec::new();
    for d in read_pcap(pcap) {
        let r = dec.decode(d.src, d.ts_ns, &d.payload, &mut |r| {
            let Record::PacketSample(s) = r else {
                panic!("unexpected {r:?}")
            };
            // The sampled header, parsed by trombone's own packet parser.
            let meta = trombone_packet::parse(s.linktype.unwrap(), s.header, s.frame_length, 0, 0);
            let (src, dst) = match meta {
                Ok(m) => (
                    ip_from_u128(m.src, m.ip_version).to_string(),
                    ip_from_u128(m.dst, m.ip_version).to_string(),
                ),
                Err(_) => ("-".into(), "-".into()),
            };
            got.push(vec![
                s.agent.unwrap().to_string(),
                String::new(), // datagram sequence: filled below
                s.sequence.to_string(),
                s.sampling_rate.to_string(),
                s.sample_pool.to_string(),
                s.input.value.to_string(),
                s.src_vlan.to_string(),
                s.header_protocol.to_string(),
                s.frame_length.to_string(),
                s.stripped.to_string(),
                s.header.len().to_string(),
                src,
                dst,
            ]);
        });
        assert!(r.is_ok(), "{r:?}");
    }
    // The datagram sequence column is the sFlow header's: compare it apart.
    assert_eq!(got.len(), want.len());
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        for (c, name) in header.iter().enumerate() {
            if c != 1 {
                assert_eq!(g[c], w[c], "sample {i} column {name}");
            }
        }
    }
    let stats = dec.stats();
    clean(stats, pcap);
    assert_eq!(stats.sflow_datagrams, 86);
    assert_eq!(stats.packet_samples, 575);
    assert_eq!(
        stats.unsupported_header_protocol + stats.samples_without_header,
        0
    );
}

#[test]
fn template_after_data_is_decoded_late() {
    // softflowd's first datagram carries the templates; feeding it last, the
    // data of the others waits for it and is decoded when it comes.
    let pcap = "softflowd-ipfix.pcap";
    let dgs = read_pcap(pcap);
    let mut dec = Decoder::new(Limits::default());
    let mut late = Vec::new();
    for d in dgs.iter().skip(1) {
        dec.decode(d.src, d.ts_ns, &d.payload, &mut |r| {
            late.push(r.clone_flow())
        })
        .unwrap();
    }
    assert!(late.is_empty());
    let buffered = dec.stats().sets_buffered;
    assert!(buffered > 0);
    dec.decode(dgs[0].src, dgs[0].ts_ns, &dgs[0].payload, &mut |r| {
        late.push(r.clone_flow())
    })
    .unwrap();
    assert_eq!(late.len(), 222);
    let s = dec.stats();
    assert_eq!(s.records_decoded_late + (222 - s.records_decoded_late), 222);
    assert_eq!(s.sets_dropped_no_template, 0);
    // While records were waiting, their count was unknown: no sequence check.
    assert_eq!((s.sequence_resets, s.lost_records), (0, 0));
    let (_, want) = expected("softflowd-ipfix.expected.tsv");
    let total = |rows: &[(String, u64)]| rows.iter().map(|r| r.1).sum::<u64>();
    let got: Vec<_> = late.iter().map(|f| (String::new(), f.bytes)).collect();
    let want: Vec<_> = want
        .iter()
        .map(|w| (String::new(), w[5].parse().unwrap()))
        .collect();
    assert_eq!(total(&got), total(&want));
}

#[test]
fn stale_data_without_template_is_dropped_and_counted() {
    let pcap = "softflowd-v9.pcap";
    let dgs = read_pcap(pcap);
    let limits = Limits {
        pending_max_age_ns: 1_000,
        ..Limits::default()
    };
    let mut dec = Decoder::new(limits);
    let d = &dgs[1];
    dec.decode(d.src, 0, &d.payload, &mut |_| panic!("no template yet"))
        .unwrap();
    let kept = dec.stats().sets_buffered;
    assert!(kept > 0);
    // Much later the template comes: what waited is too old.
    let d = &dgs[0];
    let mut n = 0;
    dec.decode(d.src, 1_000_000, &d.payload, &mut |_| n += 1)
        .unwrap();
    let s = dec.stats();
    assert_eq!(s.sets_dropped_no_template, kept);
    assert_eq!(s.records_decoded_late, 0);
    assert!(n > 0);
    assert_eq!(s.error(DecodeError::BadTemplate), 0);
}

trait CloneFlow {
    fn clone_flow(&self) -> trombone_flowrec::FlowRecord;
}

impl CloneFlow for Record<'_> {
    fn clone_flow(&self) -> trombone_flowrec::FlowRecord {
        match self {
            Record::Flow(f) => *f,
            other => panic!("unexpected {other:?}"),
        }
    }
}

/// Per-(src, dst) packets, bytes and records, compared with nfdump's
/// aggregation (`nfdump -A srcip,dstip`) of the same datagrams replayed to
/// nfcapd (tests/data/nfdump-totals.sh): a second independent decoder.
#[test]
fn per_pair_totals_match_nfdump() {
    for cap in [
        "softflowd-v5",
        "softflowd-v9",
        "softflowd-ipfix",
        "pmacctd-nfprobe-v9",
        "pmacctd-nfprobe-ipfix",
    ] {
        let (_, recs, _) = decode_flows(&format!("{cap}.pcap"));
        let mut got: BTreeMap<(IpAddr, IpAddr), (u64, u64, u64)> = BTreeMap::new();
        for f in &recs {
            let e = got
                .entry((
                    ip_from_u128(f.src, f.ip_version),
                    ip_from_u128(f.dst, f.ip_version),
                ))
                .or_default();
            e.0 += f.packets;
            e.1 += f.bytes;
            e.2 += 1;
        }
        let (_, rows) = expected(&format!("{cap}.nfdump.tsv"));
        let want: BTreeMap<(IpAddr, IpAddr), (u64, u64, u64)> = rows
            .iter()
            .map(|r| {
                (
                    (r[0].parse().unwrap(), r[1].parse().unwrap()),
                    (
                        r[2].parse().unwrap(),
                        r[3].parse().unwrap(),
                        r[4].parse().unwrap(),
                    ),
                )
            })
            .collect();
        assert_eq!(got, want, "{cap}");
    }
}
