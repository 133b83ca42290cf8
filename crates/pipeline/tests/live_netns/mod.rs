//! Test links for live capture: a veth pair with several queues between two
//! network namespaces this test creates (via `scripts/netns-veth`), a sender
//! that replays a capture file into one end, and entering a namespace from
//! one thread.
//!
//! Traffic only ever goes from `tx0` in `<name>-tx` to `rx0` in `<name>-rx`:
//! the namespaces hold nothing else. They are removed when the [`Link`] is
//! dropped, also when the test fails; namespaces left behind by a killed
//! test process are removed by the next run.

#![allow(dead_code)] // each test binary uses a different subset

use std::fs::File;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};
use trombone_capture::CaptureReader;

/// Prefix of the namespaces these tests create.
const PREFIX: &str = "trbt";

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// True when live tests can run here (root with namespaces). Without the
/// privilege, the test fails loudly unless `TROMBONE_SKIP_LIVE=1`, when it
/// says it is skipped and this returns false.
pub fn live_tests_possible(test: &str) -> bool {
    // SAFETY: geteuid has no preconditions.
    let root = unsafe { libc::geteuid() } == 0;
    let netns = Command::new("ip")
        .args(["netns", "list"])
        .output()
        .is_ok_and(|o| o.status.success());
    if root && netns {
        return true;
    }
    let why = if root {
        "the ip command (iproute2) is missing"
    } else {
        "not running as root"
    };
    if std::env::var("TROMBONE_SKIP_LIVE").as_deref() == Ok("1") {
        eprintln!("SKIPPED {test}: {why} and TROMBONE_SKIP_LIVE=1");
        return false;
    }
    panic!(
        "{test}: live capture tests need root to create network namespaces ({why}); \
         run as root (CI does) or set TROMBONE_SKIP_LIVE=1 to skip them"
    );
}

/// Removes namespaces of earlier test processes that no longer exist.
fn remove_stale() {
    let Ok(dir) = std::fs::read_dir("/run/netns") else {
        return;
    };
    for e in dir.flatten().take(256) {
        let name = e.file_name().to_string_lossy().to_string();
        let Some(rest) = name.strip_prefix(&format!("{PREFIX}-")) else {
            continue;
        };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        if !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = Command::new("ip").args(["netns", "del", &name]).status();
        }
    }
}

/// A veth pair `tx0` (namespace `<name>-tx`) ↔ `rx0` (namespace `<name>-rx`).
pub struct Link {
    /// Base name of the two namespaces.
    pub name: String,
}

impl Link {
    /// Creates the namespaces and a veth pair with `queues` queues each way.
    pub fn new(queues: u32) -> Link {
        static N: AtomicU32 = AtomicU32::new(0);
        remove_stale();
        let name = format!(
            "{PREFIX}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        );
        let script = repo().join("scripts/netns-veth");
        let link = Link { name };
        let out = Command::new(&script)
            .args(["up", &link.name, &queues.to_string()])
            .output()
            .expect("run scripts/netns-veth");
        assert!(
            out.status.success(),
            "scripts/netns-veth up {} failed: {}",
            link.name,
            String::from_utf8_lossy(&out.stderr)
        );
        link
    }

    /// The receiving namespace.
    pub fn rx_ns(&self) -> String {
        format!("{}-rx", self.name)
    }

    /// The sending namespace.
    pub fn tx_ns(&self) -> String {
        format!("{}-tx", self.name)
    }

    /// `ip link show rx0` in the receiving namespace (shows "xdp" while a program is attached).
    pub fn rx_link_line(&self) -> String {
        let out = Command::new("ip")
            .args(["-n", &self.rx_ns(), "link", "show", "rx0"])
            .output()
            .expect("run ip");
        String::from_utf8_lossy(&out.stdout).to_string()
    }

    /// Replays every frame of `pcap` into `tx0` at about `pps` frames per
    /// second, from a thread of its own inside the sending namespace, the
    /// kernel choosing the queue by flow (see [`send_all`]). Returns the
    /// number of frames sent (every send is checked).
    pub fn send_capture(&self, pcap: &Path, pps: u64) -> u64 {
        let ns = self.tx_ns();
        let pcap = pcap.to_path_buf();
        std::thread::spawn(move || {
            let _back = enter_netns(&ns);
            send_all(&pcap, pps).expect("send the capture into tx0")
        })
        .join()
        .expect("sender thread")
    }

    /// Replays `pcap` into `tx0` with the frames of each address pair sent
    /// from one CPU, bypassing the qdisc: the kernel then puts each frame on
    /// queue `cpu % queues`, so the frames of one flow share a queue whatever
    /// their headers (the way [`Link::send_capture`] cannot for VLAN-tagged
    /// frames). Frames keep their bytes exactly. Only as many queues as
    /// usable CPUs receive traffic. Returns the number of frames sent.
    pub fn send_capture_pinned(&self, pcap: &Path, pps: u64) -> u64 {
        let cpus = usable_cpus();
        let mut buckets: Vec<Vec<Vec<u8>>> = vec![Vec::new(); cpus.len()];
        let mut reader = CaptureReader::open(pcap).expect("open capture");
        while let Some(f) = reader.next_frame().expect("read capture") {
            let h = trombone_packet::parse(f.linktype, f.data, f.wire_len, f.ts_ns, 0)
                .map_or(0, |m| m.pair_hash());
            buckets[(h % cpus.len() as u64) as usize].push(f.data.to_vec());
        }
        let share = (pps / cpus.len() as u64).max(1);
        let threads: Vec<_> = buckets
            .into_iter()
            .zip(cpus)
            .map(|(frames, cpu)| {
                let ns = self.tx_ns();
                std::thread::spawn(move || {
                    let _back = enter_netns(&ns);
                    pin_to(cpu);
                    send_frames_bypass(&frames, share).expect("send frames into tx0")
                })
            })
            .collect();
        threads
            .into_iter()
            .map(|t| t.join().expect("sender thread"))
            .sum()
    }
}

impl Drop for Link {
    fn drop(&mut self) {
        let _ = Command::new(repo().join("scripts/netns-veth"))
            .args(["down", &self.name])
            .status();
    }
}

/// Puts the calling thread back into its previous network namespace when dropped.
pub struct NsGuard(OwnedFd);

impl Drop for NsGuard {
    fn drop(&mut self) {
        // SAFETY: setns on a valid namespace descriptor.
        unsafe { libc::setns(self.0.as_raw_fd(), libc::CLONE_NEWNET) };
    }
}

/// Moves the calling thread (only it) into network namespace `ns`.
pub fn enter_netns(ns: &str) -> NsGuard {
    let prev = File::open("/proc/thread-self/ns/net").expect("open own netns");
    let target = File::open(format!("/run/netns/{ns}")).expect("open target netns");
    // SAFETY: setns on a valid namespace descriptor; affects this thread only.
    let r = unsafe { libc::setns(target.as_raw_fd(), libc::CLONE_NEWNET) };
    assert_eq!(r, 0, "setns {ns}: {}", io::Error::last_os_error());
    NsGuard(prev.into())
}

/// CPUs this process may run on.
fn usable_cpus() -> Vec<usize> {
    // SAFETY: cpu_set_t is plain old data filled by sched_getaffinity.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    // SAFETY: valid set of the given size for this thread.
    let r = unsafe { libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set) };
    assert_eq!(r, 0, "sched_getaffinity");
    // SAFETY: CPU_ISSET reads the set.
    (0..libc::CPU_SETSIZE as usize)
        .filter(|&c| unsafe { libc::CPU_ISSET(c, &set) })
        .collect()
}

/// Pins the calling thread to `cpu`.
fn pin_to(cpu: usize) {
    // SAFETY: as in `usable_cpus`.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    // SAFETY: CPU_SET writes the set.
    unsafe { libc::CPU_SET(cpu, &mut set) };
    // SAFETY: valid set for this thread.
    let r = unsafe { libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set) };
    assert_eq!(r, 0, "sched_setaffinity {cpu}");
}

/// `PACKET_QDISC_BYPASS`.
const PACKET_QDISC_BYPASS: libc::c_int = 20;

/// Sends whole frames on `tx0` through a raw packet socket that bypasses the
/// qdisc (the queue is then the sending CPU modulo the queue count).
fn send_frames_bypass(frames: &[Vec<u8>], pps: u64) -> io::Result<u64> {
    // SAFETY: plain socket(2) call; protocol 0: the socket receives nothing.
    let raw = unsafe { libc::socket(libc::AF_PACKET, libc::SOCK_RAW | libc::SOCK_CLOEXEC, 0) };
    if raw < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: fresh descriptor.
    let fd = unsafe { OwnedFd::from_raw_fd(raw) };
    let one: libc::c_int = 1;
    // SAFETY: int option of the right size.
    let r = unsafe {
        libc::setsockopt(
            raw,
            libc::SOL_PACKET,
            PACKET_QDISC_BYPASS,
            (&one as *const libc::c_int).cast(),
            4,
        )
    };
    if r != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: NUL-terminated name.
    let ifindex = unsafe { libc::if_nametoindex(c"tx0".as_ptr()) };
    // SAFETY: sockaddr_ll is plain old data.
    let mut sll: libc::sockaddr_ll = unsafe { std::mem::zeroed() };
    sll.sll_family = libc::AF_PACKET as u16;
    sll.sll_ifindex = ifindex as i32;
    // SAFETY: valid sockaddr_ll of the given length.
    let r = unsafe {
        libc::bind(
            fd.as_raw_fd(),
            (&sll as *const libc::sockaddr_ll).cast(),
            std::mem::size_of::<libc::sockaddr_ll>() as u32,
        )
    };
    if r != 0 {
        return Err(io::Error::last_os_error());
    }
    let t0 = Instant::now();
    let mut sent = 0u64;
    for f in frames {
        let mut tries = 0;
        loop {
            // SAFETY: sends the frame on our bound socket.
            let n = unsafe { libc::send(fd.as_raw_fd(), f.as_ptr().cast(), f.len(), 0) };
            if n == f.len() as isize {
                break;
            }
            let e = io::Error::last_os_error();
            tries += 1;
            if tries > 1000 || !matches!(e.raw_os_error(), Some(libc::ENOBUFS) | Some(libc::EAGAIN))
            {
                return Err(io::Error::new(e.kind(), format!("frame {}: {e}", sent + 1)));
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        sent += 1;
        if sent.is_multiple_of(64) {
            let due = t0 + Duration::from_secs_f64(sent as f64 / pps as f64);
            if let Some(wait) = due.checked_duration_since(Instant::now()) {
                std::thread::sleep(wait);
            }
        }
    }
    Ok(sent)
}

/// `ETH_P_802_3`: the kernel writes the payload length in the type field.
const ETH_P_802_3: u16 = 1;

/// Sends each frame of `pcap` on `tx0` of the current namespace, paced at `pps`.
///
/// Frames go out through a `SOCK_DGRAM` packet socket: the kernel writes the
/// Ethernet header itself (the frame's destination MAC and type, tx0's own
/// source MAC), so it knows where the network header starts and spreads the
/// frames over tx0's queues — hence rx0's receive queues — by flow, as a
/// NIC's RSS does. (Through a `SOCK_RAW` socket the kernel would hash the
/// Ethernet header as if it were IP, and scatter the frames of one flow over
/// all queues.) Everything after the 14-byte Ethernet header, VLAN tags and
/// MPLS labels included, is sent as it is in the file.
fn send_all(pcap: &Path, pps: u64) -> io::Result<u64> {
    // SAFETY: plain socket(2) call; protocol 0: the socket receives nothing.
    let raw = unsafe { libc::socket(libc::AF_PACKET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0) };
    if raw < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: fresh descriptor.
    let fd = unsafe { OwnedFd::from_raw_fd(raw) };
    // SAFETY: NUL-terminated name.
    let ifindex = unsafe { libc::if_nametoindex(c"tx0".as_ptr()) };
    if ifindex == 0 {
        return Err(io::Error::last_os_error());
    }
    let mut reader = CaptureReader::open(pcap).map_err(io::Error::other)?;
    let t0 = Instant::now();
    let mut sent = 0u64;
    while let Some(f) = reader.next_frame().map_err(io::Error::other)? {
        if f.data.len() < 14 {
            return Err(io::Error::other(format!(
                "frame {} is shorter than an Ethernet header",
                sent + 1
            )));
        }
        let ty = u16::from_be_bytes([f.data[12], f.data[13]]);
        // SAFETY: sockaddr_ll is plain old data.
        let mut to: libc::sockaddr_ll = unsafe { std::mem::zeroed() };
        to.sll_family = libc::AF_PACKET as u16;
        to.sll_protocol = if ty < 0x600 { ETH_P_802_3 } else { ty }.to_be();
        to.sll_ifindex = ifindex as i32;
        to.sll_halen = 6;
        to.sll_addr[..6].copy_from_slice(&f.data[..6]);
        let payload = &f.data[14..];
        let mut tries = 0;
        loop {
            // SAFETY: sends the payload to a valid sockaddr_ll of the given length.
            let n = unsafe {
                libc::sendto(
                    fd.as_raw_fd(),
                    payload.as_ptr().cast(),
                    payload.len(),
                    0,
                    (&to as *const libc::sockaddr_ll).cast(),
                    std::mem::size_of::<libc::sockaddr_ll>() as u32,
                )
            };
            if n == payload.len() as isize {
                break;
            }
            let e = io::Error::last_os_error();
            tries += 1;
            if tries > 1000 || !matches!(e.raw_os_error(), Some(libc::ENOBUFS) | Some(libc::EAGAIN))
            {
                return Err(io::Error::new(e.kind(), format!("frame {}: {e}", sent + 1)));
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        sent += 1;
        if sent.is_multiple_of(64) {
            let due = t0 + Duration::from_secs_f64(sent as f64 / pps as f64);
            if let Some(wait) = due.checked_duration_since(Instant::now()) {
                std::thread::sleep(wait);
            }
        }
    }
    Ok(sent)
}
