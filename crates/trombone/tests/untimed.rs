//! Frames without a usable timestamp do not drive time (issue: a bundled capture's Simple
//! Packet Blocks once gave "1970-01-01 … (19821 d)", 13,982 empty samples, p95 = 0 and a $0
//! headline).
//!
//! `capture-fixtures/clmv-multilink.pcapng` holds Simple Packet Blocks (no timestamp)
//! among Enhanced Packet Blocks. This test walks the file's blocks itself (pcapng block
//! type and length, byte order from the section header) to count the IP frames in SPBs,
//! takes the span of the dated IP frames from tshark, and checks the analyzer's
//! `totals.untimed_frames`, `time`, sample count, warning and a non-zero what-if saving.

use serde_json::Value;
use std::path::Path;
use std::process::Command;

const SHB: u32 = 0x0A0D_0D0A;
const SPB: u32 = 3;

/// Is this Ethernet frame IPv4/IPv6 (after any 802.1Q/802.1ad tags and MPLS labels)?
fn is_ip(frame: &[u8]) -> bool {
    let mut o = 12;
    while o + 2 <= frame.len() {
        match u16::from_be_bytes([frame[o], frame[o + 1]]) {
            0x8100 | 0x88a8 => o += 4,
            0x0800 | 0x86dd => return true,
            0x8847 | 0x8848 => {
                // labels of 4 bytes up to the bottom of the stack, then IP by its version
                o += 2;
                while o + 4 <= frame.len() {
                    let bottom = frame[o + 2] & 1 == 1;
                    o += 4;
                    if bottom {
                        return frame.get(o).is_some_and(|b| matches!(b >> 4, 4 | 6));
                    }
                }
                return false;
            }
            _ => return false,
        }
    }
    false
}

/// IP frames in Simple Packet Blocks (which always belong to interface 0, Ethernet here).
fn spb_ip_frames(data: &[u8]) -> u64 {
    let mut o = 0;
    let mut le = true;
    let mut n = 0;
    let u32_at = |le: bool, b: &[u8]| {
        let a = [b[0], b[1], b[2], b[3]];
        if le {
            u32::from_le_bytes(a)
        } else {
            u32::from_be_bytes(a)
        }
    };
    while o + 12 <= data.len() {
        if u32::from_le_bytes(data[o..o + 4].try_into().unwrap()) == SHB {
            le = data[o + 8..o + 12] == [0x4d, 0x3c, 0x2b, 0x1a];
        }
        let t = u32_at(le, &data[o..]);
        let len = u32_at(le, &data[o + 4..]) as usize;
        assert!(len >= 12 && o + len <= data.len(), "block at {o}");
        // an SPB's body: original length, then the frame
        if t == SPB && is_ip(&data[o + 12..o + len - 4]) {
            n += 1;
        }
        o += len;
    }
    n
}

/// First and last timestamp (ns) of the IP frames tshark dates after 2000.
fn tshark_ip_span(cap: &Path) -> (i64, i64) {
    let out = Command::new("tshark")
        .arg("-r")
        .arg(cap)
        .args([
            "-T",
            "fields",
            "-e",
            "frame.time_epoch",
            "-e",
            "ip.src",
            "-e",
            "ipv6.src",
        ])
        .output()
        .expect("tshark (scripts/test installs it)");
    assert!(out.status.success());
    let (mut first, mut last) = (i64::MAX, i64::MIN);
    for line in String::from_utf8(out.stdout).unwrap().lines() {
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() < 3 || f[0].is_empty() || (f[1].is_empty() && f[2].is_empty()) {
            continue;
        }
        let (s, frac) = f[0].split_once('.').unwrap_or((f[0], "0"));
        let frac = format!("{frac:0<9}");
        let ns = s.parse::<i64>().unwrap() * 1_000_000_000 + frac[..9].parse::<i64>().unwrap();
        if ns >= 946_684_800_000_000_000 {
            first = first.min(ns);
            last = last.max(ns);
        }
    }
    (first, last)
}

#[test]
fn simple_packet_blocks_count_but_do_not_move_time() {
    let fx = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../capture-fixtures");
    let cap = fx.join("clmv-multilink.pcapng");
    let spb_ip = spb_ip_frames(&std::fs::read(&cap).unwrap());
    let (first, last) = tshark_ip_span(&cap);
    assert!(
        spb_ip > 0,
        "the fixture has IP frames in Simple Packet Blocks"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_trombone"))
        .args(["analyze", cap.to_str().unwrap(), "--asn-db"])
        .arg(fx.join("fixture-asn.tsv"))
        .args(["--home", "KH", "--format", "json", "--no-progress"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["totals"]["untimed_frames"], spb_ip);
    assert_eq!(v["time"]["first_ns"], first);
    assert_eq!(v["time"]["last_ns"], last);
    // the samples cover the EPBs' span only: ceil over 5-minute boundaries, not 19821 days
    let s = 300_000_000_000i64;
    let samples = last.div_euclid(s) - first.div_euclid(s) + 1;
    assert_eq!(v["sizing"]["samples"], samples);
    let codes: Vec<&str> = v["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"untimed_frames"), "{codes:?}");
    // p95 and the what-if rest on the timed traffic: not zero
    assert!(v["sizing"]["total"]["p95_mbps"].as_f64().unwrap() > 0.0);
    let saved = v["sizing"]["what_if"]["total_transit_saved_usd_per_month"]
        .as_f64()
        .unwrap();
    assert!(saved > 0.0, "{saved}");
    // the untimed frames' bytes are still in the matrices: the AS matrix holds every IP packet
    let packets: u64 = v["as_matrix"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["packets"].as_u64().unwrap())
        .sum();
    assert_eq!(packets, v["totals"]["ip_packets"].as_u64().unwrap());
}
