//! Live capture, end to end, with each engine: a bundled fixture is replayed
//! into one end of a 4-queue veth pair between two namespaces made for the
//! test, captured on the other end with several queues, and the result is
//! compared with the fixture's expected report (derived by the fixture
//! generator from what it sent, not by the analyzer) and with the offline
//! analysis of the same file. Nothing may be dropped at this modest rate,
//! and stopping right after the last frame must lose nothing.
//!
//! Needs root; without it these tests fail unless TROMBONE_SKIP_LIVE=1. The
//! AF_XDP tests fail on a kernel without AF_XDP unless TROMBONE_SKIP_AFXDP=1.

mod live_netns;

use live_netns::{enter_netns, live_tests_possible, repo, Link};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;
use trombone_asdb::AsDb;
use trombone_live::{BindMode, Engine, LiveConfig, XdpAttach};
use trombone_pipeline::{open_capture, run_capture, LiveOptions, LiveReport, Options};

/// The fixture replayed: full frames (snaplen 65535), VLAN/QinQ/MPLS links,
/// fragments, non-IP and malformed frames.
const FIXTURE: &str = "capture-fixtures/clmv-gateway-usec-le";
/// Replay rate, frames per second (modest: nothing may be dropped).
const PPS: u64 = 20_000;

fn fixture_pcap() -> PathBuf {
    repo().join(format!("{FIXTURE}.pcap"))
}

fn expected() -> Value {
    let p = repo().join(format!("{FIXTURE}.expected.json"));
    serde_json::from_str(&std::fs::read_to_string(&p).expect("read expected report"))
        .expect("parse expected report")
}

/// The fixture's own address table, the database its expected report assumes.
fn fixture_db() -> Arc<AsDb> {
    Arc::new(
        AsDb::load(&[repo().join("capture-fixtures/fixture-asn.tsv")])
            .expect("load fixture-asn.tsv"),
    )
}

/// The result of one capture of the replayed fixture.
struct Outcome {
    live: LiveReport,
    snapshots: Vec<LiveReport>,
    engine: Engine,
    mode: String,
    sent: u64,
    link_during: String,
    link_after: String,
}

/// How the replay spreads frames over tx0's queues (= rx0's receive queues).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Spread {
    /// By the kernel's flow hash (right for all but VLAN-tagged frames).
    ByFlow,
    /// By sending CPU, address pair per CPU (all frames; as many queues as CPUs).
    ByCpu,
}

/// Captures on rx0 with `cfg` while `pcap` is replayed into tx0; stops
/// right after the last frame is sent, or, with `snapshot_every`, once a
/// snapshot has counted every frame.
fn capture_replay(
    queues: u32,
    mut cfg: LiveConfig,
    pcap: &Path,
    spread: Spread,
    snapshot_every: Option<Duration>,
) -> Outcome {
    let link = Link::new(queues);
    cfg.interface = "rx0".into();
    let mut opts = LiveOptions::new(cfg);
    opts.interval = snapshot_every;
    opts.drain = Duration::from_secs(2);
    let stop = Arc::new(AtomicBool::new(false));
    let (ready_tx, ready_rx) = crossbeam_channel::bounded(1);
    let (snap_tx, snap_rx) = crossbeam_channel::unbounded::<u64>();
    let rx_ns = link.rx_ns();
    let stop2 = stop.clone();
    let worker = thread::spawn(move || {
        let _ns = enter_netns(&rx_ns);
        let cap = match open_capture(&opts) {
            Ok(c) => c,
            Err(e) => {
                let _ = ready_tx.send(Err(e.to_string()));
                return None;
            }
        };
        let _ = ready_tx.send(Ok((cap.engine, cap.mode.clone())));
        let mut snaps = Vec::new();
        let live = run_capture(
            cap,
            fixture_db(),
            &opts,
            &stop2,
            |s| {
                let _ = snap_tx.send(s.totals.frames);
                snaps.push(s.clone());
            },
            |_| {},
        )
        .expect("a run without --rotate returns its result");
        Some((live, snaps))
    });
    let (engine, mode) = match ready_rx.recv().expect("capture thread answers") {
        Ok(x) => x,
        Err(e) => {
            stop.store(true, Ordering::Relaxed);
            let _ = worker.join();
            panic!("opening the capture on rx0 failed: {e}");
        }
    };
    let link_during = link.rx_link_line();
    let sent = match spread {
        Spread::ByFlow => link.send_capture(pcap, PPS),
        Spread::ByCpu => link.send_capture_pinned(pcap, PPS),
    };
    if snapshot_every.is_some() {
        // Wait (bounded) for a snapshot that has seen every frame.
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while let Ok(frames) = snap_rx.recv_deadline(deadline) {
            if frames >= sent {
                break;
            }
        }
    }
    stop.store(true, Ordering::Relaxed);
    let (live, snapshots) = worker.join().expect("capture thread").expect("capture ran");
    // The program's link is released when its last descriptor closes; a
    // child that another test thread is forking at that moment may hold a
    // copy until it execs, so give it a moment (bounded) before looking.
    let mut link_after = link.rx_link_line();
    for _ in 0..40 {
        if !link_after.contains("xdp") {
            break;
        }
        thread::sleep(Duration::from_millis(50));
        link_after = link.rx_link_line();
    }
    Outcome {
        live,
        snapshots,
        engine,
        mode,
        sent,
        link_during,
        link_after,
    }
}

/// Matrix rows as comparable JSON, in a canonical order.
fn rows(v: &Value) -> Vec<String> {
    let mut r: Vec<String> = v
        .as_array()
        .expect("matrix is an array")
        .iter()
        .map(|c| c.to_string())
        .collect();
    r.sort();
    r
}

/// Checks a live result of the whole fixture against the fixture's expected
/// report and the offline analysis, and its capture health.
fn check(o: &Outcome, queues: usize) {
    let exp = expected();
    let want_frames = exp["totals"]["frames"].as_u64().unwrap();
    check_against_offline(o, queues, &fixture_pcap(), want_frames);
    let live = serde_json::to_value(&o.live).unwrap();
    for key in [
        "frames",
        "ip_packets",
        "ip_bytes",
        "wire_bytes",
        "non_ip_frames",
        "malformed_frames",
        "unsupported_frames",
        "flows",
    ] {
        assert_eq!(
            live["totals"][key], exp["totals"][key],
            "totals.{key} against the generator's model"
        );
    }
    assert_eq!(
        rows(&live["as_matrix"]),
        rows(&exp["as_matrix"]),
        "AS matrix against the generator's model"
    );
    assert_eq!(
        rows(&live["country_matrix"]),
        rows(&exp["country_matrix"]),
        "country matrix against the generator's model"
    );
}

/// Checks a live result of `pcap` (of `want_frames` frames) against the
/// offline analysis of the same file, and its capture health.
fn check_against_offline(o: &Outcome, queues: usize, pcap: &Path, want_frames: u64) {
    assert_eq!(
        o.sent, want_frames,
        "the sender sent every frame of the file"
    );
    let h = o.live.capture.as_ref().expect("capture health");
    assert!(h.is_final);
    assert_eq!(h.queues.len(), queues);
    assert_eq!(h.packets, want_frames, "frames captured, all queues: {h:?}");
    assert_eq!(h.kernel_drops + h.xdp_drops, 0, "{h:?}");
    assert_eq!(h.interface_drops, Some(0), "{h:?}");
    assert!(!h.dropped_any && !o.live.partial, "{h:?}");
    assert!(h.queues.iter().all(|q| q.error.is_none()), "{h:?}");
    assert_eq!(h.queues.iter().map(|q| q.packets).sum::<u64>(), want_frames);
    let offline =
        trombone_pipeline::analyze_all(&[pcap.to_path_buf()], fixture_db(), &Options::default());
    assert_eq!(offline.totals.frames, want_frames);
    assert_eq!(
        o.live.as_matrix, offline.as_matrix,
        "AS matrix against offline analysis"
    );
    assert_eq!(
        o.live.country_matrix, offline.country_matrix,
        "country matrix against offline analysis"
    );
    assert_eq!(
        o.live.totals, offline.totals,
        "totals against offline analysis"
    );
    assert_eq!(o.live.inputs.len(), 1);
    assert_eq!(o.live.inputs[0].frames, want_frames);
    assert!(o.live.inputs[0].error.is_none());
}
#[test]
fn afpacket_four_queue_fanout_matches_the_fixture_and_loses_nothing_on_stop() {
    if !live_tests_possible("afpacket") {
        return;
    }
    let mut cfg = LiveConfig::new("rx0");
    cfg.engine = Some(Engine::AfPacket);
    let o = capture_replay(4, cfg, &fixture_pcap(), Spread::ByFlow, None);
    assert_eq!(o.engine, Engine::AfPacket);
    assert_eq!(o.mode, "tpacket_v3");
    check(&o, 4);
    assert_eq!(
        o.live.capture.as_ref().unwrap().fanout.as_deref(),
        Some("hash")
    );
    let busy = o
        .live
        .capture
        .as_ref()
        .unwrap()
        .queues
        .iter()
        .filter(|q| q.packets > 0)
        .count();
    assert!(
        busy >= 2,
        "the fanout spread 244 flows over at least two of four sockets: {:?}",
        o.live.capture.as_ref().unwrap().queues
    );
    // The fixture's VLAN/QinQ frames were untagged by the kernel and tagged
    // again in place: otherwise wire_bytes and the VLAN flows would differ.
}

#[test]
fn afpacket_snapshots_are_cumulative_and_the_final_result_matches() {
    if !live_tests_possible("afpacket snapshots") {
        return;
    }
    let mut cfg = LiveConfig::new("rx0");
    cfg.engine = Some(Engine::AfPacket);
    let o = capture_replay(
        2,
        cfg,
        &fixture_pcap(),
        Spread::ByFlow,
        Some(Duration::from_millis(100)),
    );
    check(&o, 2);
    assert!(
        !o.snapshots.is_empty(),
        "at least one snapshot before the stop"
    );
    let mut prev = 0;
    for s in &o.snapshots {
        assert!(!s.capture.as_ref().unwrap().is_final);
        assert!(s.totals.frames >= prev, "snapshots never go back");
        prev = s.totals.frames;
    }
    let last = o.snapshots.last().unwrap();
    assert_eq!(
        last.totals.frames, o.sent,
        "the last snapshot waited for had every frame"
    );
    assert_eq!(last.as_matrix, o.live.as_matrix);
}

/// Runs an AF_XDP capture. A kernel without AF_XDP fails the test, unless
/// TROMBONE_SKIP_AFXDP=1 asks to skip it (then this says so and returns `None`),
/// as TROMBONE_SKIP_LIVE=1 does for all live tests.
fn afxdp_replay(queues: u32, cfg: LiveConfig, pcap: &Path, spread: Spread) -> Option<Outcome> {
    let pcap = pcap.to_path_buf();
    match std::panic::catch_unwind(move || capture_replay(queues, cfg, &pcap, spread, None)) {
        Ok(o) => Some(o),
        Err(e) => {
            let msg = e.downcast_ref::<String>().cloned().unwrap_or_default();
            if msg.contains("no AF_XDP sockets")
                && std::env::var("TROMBONE_SKIP_AFXDP").as_deref() == Ok("1")
            {
                eprintln!("SKIPPED: {msg} and TROMBONE_SKIP_AFXDP=1");
                return None;
            }
            std::panic::resume_unwind(e);
        }
    }
}

/// The fixture without its VLAN-tagged frames, written to a temporary pcap;
/// returns the path and its frame count. (The kernel spreads packet-socket
/// frames over a veth's queues by a flow hash it gets wrong for VLAN tags.)
fn untagged_fixture() -> (PathBuf, u64) {
    let path = std::env::temp_dir().join(format!(
        "trombone-live-untagged-{}.pcap",
        std::process::id()
    ));
    let mut out = Vec::new();
    // classic pcap header: magic, v2.4, zone 0, sigfigs 0, snaplen 65535, LINKTYPE_ETHERNET
    for (v, n) in [
        (0xa1b2_c3d4u32, 4),
        (2, 2),
        (4, 2),
        (0, 4),
        (0, 4),
        (65535, 4),
        (1, 4),
    ] {
        out.extend_from_slice(&v.to_le_bytes()[..n]);
    }
    let mut reader = trombone_capture::CaptureReader::open(&fixture_pcap()).unwrap();
    let mut n = 0u64;
    while let Some(f) = reader.next_frame().unwrap() {
        let ty = f.data.get(12..14).map(|t| u16::from_be_bytes([t[0], t[1]]));
        if matches!(ty, Some(0x8100) | Some(0x88a8) | Some(0x9100)) {
            continue;
        }
        let ts = f.ts_ns;
        for v in [
            (ts / 1_000_000_000) as u32,
            ((ts % 1_000_000_000) / 1000) as u32,
            f.data.len() as u32,
            f.wire_len,
        ] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(f.data);
        n += 1;
    }
    std::fs::write(&path, out).expect("write the untagged capture");
    (path, n)
}

#[test]
fn afxdp_four_queues_matches_offline_and_detaches_on_stop() {
    if !live_tests_possible("afxdp") {
        return;
    }
    let (pcap, frames) = untagged_fixture();
    let mut cfg = LiveConfig::new("rx0");
    cfg.engine = Some(Engine::AfXdp);
    let Some(o) = afxdp_replay(4, cfg, &pcap, Spread::ByFlow) else {
        let _ = std::fs::remove_file(&pcap);
        return;
    };
    assert_eq!(o.engine, Engine::AfXdp);
    // veth runs XDP in its driver but has no zero-copy AF_XDP.
    assert!(o.mode.starts_with("xdp-"), "{}", o.mode);
    eprintln!("afxdp mode on veth: {}", o.mode);
    check_against_offline(&o, 4, &pcap, frames);
    assert_eq!(
        o.live.capture.as_ref().unwrap().clock,
        trombone_live::CLOCK_XDP,
        "{:?}",
        o.live.capture.as_ref().unwrap().notes
    );
    assert_eq!(
        o.live.capture.as_ref().unwrap().batch_stamped,
        0,
        "every frame stamped by the program"
    );
    let _ = std::fs::remove_file(&pcap);
    let qs: Vec<u32> = o
        .live
        .capture
        .as_ref()
        .unwrap()
        .queues
        .iter()
        .map(|q| q.queue)
        .collect();
    assert_eq!(qs, vec![0, 1, 2, 3]);
    let busy = o
        .live
        .capture
        .as_ref()
        .unwrap()
        .queues
        .iter()
        .filter(|q| q.packets > 0)
        .count();
    assert!(
        busy >= 2,
        "RSS-like spread over the veth queues: {:?}",
        o.live.capture.as_ref().unwrap().queues
    );
    assert!(
        o.link_during.contains(" xdp"),
        "program attached while capturing: {}",
        o.link_during
    );
    assert!(
        !o.link_after.contains("xdp"),
        "program detached after the stop: {}",
        o.link_after
    );
}

#[test]
fn afxdp_two_queues_matches_the_whole_fixture() {
    if !live_tests_possible("afxdp") {
        return;
    }
    let mut cfg = LiveConfig::new("rx0");
    cfg.engine = Some(Engine::AfXdp);
    let Some(o) = afxdp_replay(2, cfg, &fixture_pcap(), Spread::ByCpu) else {
        return;
    };
    check(&o, 2);
    assert!(
        !o.link_after.contains("xdp"),
        "program detached after the stop: {}",
        o.link_after
    );
}

#[test]
fn afxdp_generic_copy_mode_captures_everything() {
    if !live_tests_possible("afxdp generic") {
        return;
    }
    let mut cfg = LiveConfig::new("rx0");
    cfg.engine = Some(Engine::AfXdp);
    cfg.xdp_attach = XdpAttach::Generic;
    cfg.xsk.bind = BindMode::Copy;
    let o = capture_replay(2, cfg, &fixture_pcap(), Spread::ByCpu, None);
    assert_eq!(o.mode, "xdp-generic-copy");
    check(&o, 2);
    // generic XDP has room for metadata too: every frame has its own stamp
    assert_eq!(
        o.live.capture.as_ref().unwrap().clock,
        trombone_live::CLOCK_XDP
    );
    assert_eq!(o.live.capture.as_ref().unwrap().batch_stamped, 0);
    assert!(o.link_during.contains("xdpgeneric"), "{}", o.link_during);
    assert!(!o.link_after.contains("xdp"), "{}", o.link_after);
}

#[cfg(feature = "libpcap")]
#[test]
fn libpcap_four_handle_fanout_matches_the_fixture() {
    if !live_tests_possible("libpcap") {
        return;
    }
    let mut cfg = LiveConfig::new("rx0");
    cfg.engine = Some(Engine::Pcap);
    let o = capture_replay(4, cfg, &fixture_pcap(), Spread::ByFlow, None);
    assert_eq!(o.mode, "libpcap");
    check(&o, 4);
}

#[test]
fn a_filter_keeps_only_what_it_matches() {
    if !live_tests_possible("afpacket filter") {
        return;
    }
    // tcpdump compiles the expression in the default build.
    if std::process::Command::new("tcpdump")
        .arg("--version")
        .output()
        .is_err()
    {
        panic!("this test needs tcpdump (Debian package tcpdump) to compile the filter");
    }
    let mut cfg = LiveConfig::new("rx0");
    cfg.engine = Some(Engine::AfPacket);
    // The destination MAC sits at offset 0 with or without VLAN tags, so
    // this filter means the same in the kernel (tags taken out) and in the file.
    cfg.filter = Some("ether broadcast".into());
    let o = capture_replay(2, cfg, &fixture_pcap(), Spread::ByFlow, None);
    let mut reader = trombone_capture::CaptureReader::open(&fixture_pcap()).unwrap();
    let (mut bcast, mut bcast_ip) = (0u64, 0u64);
    while let Some(f) = reader.next_frame().unwrap() {
        if f.data.len() >= 14 && f.data[..6] == [0xff; 6] {
            bcast += 1;
            if trombone_packet::parse(f.linktype, f.data, f.wire_len, f.ts_ns, 0).is_ok() {
                bcast_ip += 1;
            }
        }
    }
    assert!(bcast > 0 && bcast < o.sent);
    let h = o.live.capture.as_ref().expect("capture health");
    assert_eq!(h.filter.as_deref(), Some("ether broadcast"));
    assert_eq!(h.packets, bcast);
    assert_eq!(o.live.totals.frames, bcast);
    assert_eq!(o.live.totals.ip_packets, bcast_ip);
    assert!(!h.dropped_any);
}
