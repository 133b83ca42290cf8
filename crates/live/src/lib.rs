//! Live capture from a network interface (Linux): one reader per NIC receive queue
//! (AF_XDP) or per fanout member (AF_PACKET, libpcap), each handing frames
//! to its worker in place, in the engine's own memory.
//!
//! [`LiveCapture::open`] opens every queue of the chosen engine (or picks
//! the fastest that works, saying why in [`LiveCapture::notes`]); the caller
//! moves each [`QueueReader`] to its own thread and calls
//! [`QueueReader::poll`] in a loop. To stop without losing what is already
//! captured, call [`QueueReader::stop_intake`] and keep polling until a poll
//! with a timeout returns nothing; then drop the [`LiveCapture`], which
//! detaches the XDP program (the kernel also detaches it if the process
//! dies).
//!
//! ```no_run
//! use trombone_live::{LiveCapture, LiveConfig};
//!
//! let mut cap = LiveCapture::open(&LiveConfig::new("eth0"))?;
//! eprintln!("{} ({}) on {} queues", cap.engine.name(), cap.mode, cap.queue_count());
//! let mut q = cap.take_queues().remove(0);
//! let mut frames = 0u64;
//! q.poll(100, |f| frames += u64::from(f.wire_len))?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

//!
//! This is the privileged, `unsafe` side of trombone's capture: system
//! calls, kernel-shared memory mappings (UMEM, rings) and the BPF loader.
//! The portable file readers, and the [`Frame`] type handed over here too,
//! are in `trombone-capture`, which has no `unsafe` code.

#![cfg(target_os = "linux")]
#![warn(missing_docs)]

pub mod afpacket;
pub mod afxdp;
pub mod caps;
mod config;
pub mod filter;
pub mod iface;
#[cfg(feature = "libpcap")]
pub mod pcap;
mod sys;
pub mod xdp_prog;

pub use afpacket::{AfPacketOptions, Fanout};
pub use afxdp::{BindMode, XskOptions};
pub use caps::LiveError;
pub use config::{parse_index_list, Engine, LiveConfig, XdpAttach};
pub use iface::{IfCounters, Interface};

use std::io;
use std::os::fd::{FromRawFd, OwnedFd};
use trombone_capture::{linktype, Frame};
use xdp_prog::{AttachMode, XdpProgram};

/// What one queue has handed over and what was lost on the way.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QueueStats {
    /// Frames handed to the caller.
    pub packets: u64,
    /// Their wire bytes.
    pub bytes: u64,
    /// Frames the kernel dropped because the socket's ring was full (AF_PACKET, libpcap).
    pub kernel_drops: u64,
    /// Frames the XDP socket dropped: no free UMEM chunk, RX ring full, bad descriptor (AF_XDP).
    pub xdp_drops: u64,
    /// Frames without a timestamp of their own, stamped with the time their
    /// batch was taken off the ring (AF_XDP without the stamping program).
    pub batch_stamped: u64,
}

/// One queue's reader, of whichever engine.
pub enum QueueReader {
    /// AF_PACKET TPACKET_V3 ring.
    AfPacket(afpacket::AfPacketQueue),
    /// AF_XDP socket.
    AfXdp(afxdp::XskQueue),
    /// libpcap handle.
    #[cfg(feature = "libpcap")]
    Pcap(pcap::PcapQueue),
}

impl QueueReader {
    /// The NIC queue (AF_XDP) or fanout member index (AF_PACKET, libpcap).
    pub fn queue(&self) -> u32 {
        match self {
            QueueReader::AfPacket(q) => q.queue(),
            QueueReader::AfXdp(q) => q.queue(),
            #[cfg(feature = "libpcap")]
            QueueReader::Pcap(q) => q.queue(),
        }
    }

    /// Hands every frame ready now to `f`, borrowed from the engine's memory;
    /// if none was ready, waits up to `timeout_ms` for some. Returns the
    /// number of frames handed over. An error means the queue cannot be read
    /// any more (the interface went down or away).
    #[inline]
    pub fn poll<F: FnMut(Frame<'_>)>(&mut self, timeout_ms: i32, f: F) -> io::Result<usize> {
        match self {
            QueueReader::AfPacket(q) => q.poll(timeout_ms, f),
            QueueReader::AfXdp(q) => q.poll(timeout_ms, f),
            #[cfg(feature = "libpcap")]
            QueueReader::Pcap(q) => q.poll(timeout_ms, f),
        }
    }

    /// Stops new frames from reaching this queue; frames already captured stay readable.
    pub fn stop_intake(&mut self) {
        match self {
            QueueReader::AfPacket(q) => q.stop_intake(),
            QueueReader::AfXdp(q) => q.stop_intake(),
            #[cfg(feature = "libpcap")]
            QueueReader::Pcap(q) => q.stop_intake(),
        }
    }

    /// Counters so far.
    pub fn stats(&mut self) -> QueueStats {
        match self {
            QueueReader::AfPacket(q) => q.stats(),
            QueueReader::AfXdp(q) => q.stats(),
            #[cfg(feature = "libpcap")]
            QueueReader::Pcap(q) => q.stats(),
        }
    }
}

/// An open live capture: its queues, and what must live as long as they do
/// (the XDP program's attachment, the promiscuous-mode membership).
pub struct LiveCapture {
    /// The engine in use.
    pub engine: Engine,
    /// How it runs: "xdp-native-zerocopy", "xdp-native-copy", "xdp-generic-copy",
    /// "tpacket_v3" or "libpcap".
    pub mode: String,
    /// The interface.
    pub interface: Interface,
    /// Where frame timestamps come from, and on which clock.
    pub clock: String,
    /// Why the engine or mode differs from the first choice, for the user.
    pub notes: Vec<String>,
    queues: Vec<QueueReader>,
    queue_ids: Vec<u32>,
    // Dropped after the queues (declared later): detaches the program.
    xdp: Option<XdpProgram>,
    _promisc: Option<OwnedFd>,
}

impl LiveCapture {
    /// Opens the capture `cfg` describes.
    pub fn open(cfg: &LiveConfig) -> Result<LiveCapture, LiveError> {
        let iface = Interface::by_name(&cfg.interface).map_err(|e| LiveError::Io {
            what: format!("interface {}", cfg.interface),
            source: e,
        })?;
        let queues = match &cfg.queues {
            Some(q) => q.clone(),
            None => (0..iface.rx_queues).collect(),
        };
        if queues.is_empty() {
            return Err(LiveError::Config("--queues: no queue given".into()));
        }
        let mut notes = Vec::new();
        let engine = match cfg.engine {
            Some(e) => e,
            None if cfg.filter.is_some() => {
                notes.push("--filter given, which AF_XDP cannot apply: using afpacket".into());
                Engine::AfPacket
            }
            None if iface::has_addresses(&iface.name) => {
                notes.push(format!(
                    "{} carries IP addresses and AF_XDP would take its frames away from the \
                     host: using afpacket (--engine afxdp to insist, e.g. on a mirror port)",
                    iface.name
                ));
                Engine::AfPacket
            }
            None => Engine::AfXdp,
        };
        let mut cap = LiveCapture {
            engine,
            mode: String::new(),
            clock: String::new(),
            interface: iface,
            notes,
            queues: Vec::new(),
            queue_ids: queues,
            xdp: None,
            _promisc: None,
        };
        match engine {
            Engine::AfXdp => match cap.open_xdp(cfg) {
                Ok(()) if cfg.engine.is_none() && !cap.mode.ends_with("zerocopy") => {
                    // Copy-mode AF_XDP gains little over TPACKET_V3 (on veth it
                    // is slower: measured by scripts/bench-live), so the
                    // automatic choice takes AF_XDP only with zero-copy.
                    cap.notes.push(format!(
                        "{} offers AF_XDP only in copy mode ({}): using afpacket \
                         (--engine afxdp to insist)",
                        cap.interface.name, cap.mode
                    ));
                    cap.queues.clear();
                    cap.xdp = None;
                    cap._promisc = None;
                    cap.engine = Engine::AfPacket;
                    cap.open_packet(cfg)?;
                }
                Ok(()) => {}
                Err(e) if cfg.engine.is_none() => {
                    cap.notes
                        .push(format!("afxdp unavailable ({e}): using afpacket"));
                    cap.engine = Engine::AfPacket;
                    cap.xdp = None;
                    cap._promisc = None;
                    cap.open_packet(cfg)?;
                }
                Err(e) => return Err(e),
            },
            Engine::AfPacket => cap.open_packet(cfg)?,
            Engine::Pcap => cap.open_pcap(cfg)?,
        }
        Ok(cap)
    }

    /// Number of queues.
    pub fn queue_count(&self) -> usize {
        self.queue_ids.len()
    }

    /// Hands the queue readers over (once); the capture stays open until `self` is dropped.
    pub fn take_queues(&mut self) -> Vec<QueueReader> {
        std::mem::take(&mut self.queues)
    }

    /// The frames' LINKTYPE on this interface, or why the raw engines cannot capture it.
    fn linktype(&self) -> Result<u32, LiveError> {
        self.interface.linktype().ok_or_else(|| {
            LiveError::Unsupported(format!(
                "{}: hardware type {} is not Ethernet or raw IP; try --engine pcap",
                self.interface.name, self.interface.hw_type
            ))
        })
    }

    /// Opens the AF_PACKET engine: one fanout member per listed queue.
    fn open_packet(&mut self, cfg: &LiveConfig) -> Result<(), LiveError> {
        let linktype = self.linktype()?;
        let prog = match &cfg.filter {
            Some(expr) => Some(filter::BpfProgram::compile(expr, linktype)?),
            None => None,
        };
        let qs = afpacket::open_group(
            &self.interface,
            linktype,
            self.queue_ids.len(),
            &cfg.packet,
            prog.as_ref(),
        )?;
        self.queue_ids = qs.iter().map(|q| q.queue()).collect();
        self.queues = qs.into_iter().map(QueueReader::AfPacket).collect();
        self.mode = "tpacket_v3".into();
        self.clock = CLOCK_KERNEL.into();
        Ok(())
    }

    /// Opens the libpcap engine (or says it is not built in).
    fn open_pcap(&mut self, cfg: &LiveConfig) -> Result<(), LiveError> {
        #[cfg(feature = "libpcap")]
        {
            let qs = pcap::open_group(
                &self.interface,
                self.queue_ids.len(),
                &cfg.packet,
                cfg.filter.as_deref(),
            )?;
            self.queue_ids = qs.iter().map(|q| q.queue()).collect();
            self.queues = qs.into_iter().map(QueueReader::Pcap).collect();
            self.mode = "libpcap".into();
            self.clock = CLOCK_KERNEL.into();
            Ok(())
        }
        #[cfg(not(feature = "libpcap"))]
        {
            let _ = cfg;
            Err(LiveError::Unsupported(
                "--engine pcap: this trombone was built without libpcap \
                 (rebuild with --features libpcap; needs libpcap-dev)"
                    .into(),
            ))
        }
    }

    /// Opens the AF_XDP engine: program, then one socket per listed queue.
    fn open_xdp(&mut self, cfg: &LiveConfig) -> Result<(), LiveError> {
        let name = self.interface.name.clone();
        if cfg.filter.is_some() {
            return Err(LiveError::Config(
                "--filter cannot be applied by AF_XDP; use --engine afpacket or pcap".into(),
            ));
        }
        if self.interface.linktype() != Some(linktype::ETHERNET) {
            return Err(LiveError::Unsupported(format!(
                "{name}: AF_XDP needs an Ethernet interface"
            )));
        }
        let n = self.interface.rx_queues;
        let mut seen = Vec::new();
        for &q in &self.queue_ids {
            if q >= n {
                return Err(LiveError::Config(format!(
                    "--queues: {name} has {n} receive queues (0-{}), not {q}",
                    n - 1
                )));
            }
            if seen.contains(&q) {
                return Err(LiveError::Config(format!(
                    "--queues: queue {q} listed twice"
                )));
            }
            seen.push(q);
        }
        let mut prog = XdpProgram::load(n)?;
        if let Some(e) = &prog.stamp_error {
            self.notes.push(format!(
                "the timestamping XDP program could not be loaded ({e}): frames are stamped \
                 when their batch is read, not when they arrive"
            ));
        }
        let stamps = prog.stamps();
        let ifindex = self.interface.index;
        let attach = |prog: &mut XdpProgram, mode: AttachMode| {
            prog.attach(ifindex, mode).map_err(|e| {
                let what = format!("attaching the XDP program to {name} ({} mode)", mode.name());
                match e.raw_os_error() {
                    Some(libc::EBUSY) | Some(libc::EEXIST) => LiveError::Unsupported(format!(
                        "{what}: {e}: the interface already has an XDP program"
                    )),
                    _ => LiveError::os(what, e, caps::CAPS_XDP),
                }
            })
        };
        match cfg.xdp_attach {
            XdpAttach::Native => attach(&mut prog, AttachMode::Native)?,
            XdpAttach::Generic => attach(&mut prog, AttachMode::Generic)?,
            XdpAttach::Auto => {
                if let Err(e) = attach(&mut prog, AttachMode::Native) {
                    if e.is_permission() {
                        return Err(e);
                    }
                    self.notes
                        .push(format!("native XDP unavailable ({e}): generic mode"));
                    attach(&mut prog, AttachMode::Generic)?;
                }
            }
        }
        let native = prog.mode() == Some(AttachMode::Native);
        let map = prog.map();
        self.xdp = Some(prog);
        let mut qs = Vec::with_capacity(self.queue_ids.len());
        for &q in &self.queue_ids {
            qs.push(afxdp::XskQueue::open(
                &self.interface,
                q,
                &cfg.xsk,
                map.clone(),
                native,
                stamps,
            )?);
        }
        let zc = qs.iter().all(|q| q.zerocopy());
        if self.queue_ids.len() < n as usize {
            self.notes.push(format!(
                "capturing {} of the {n} receive queues of {name}: frames arriving on the \
                 others go to the host and are not counted",
                self.queue_ids.len()
            ));
        }
        if cfg.packet.promisc {
            self._promisc = Some(promisc_holder(&self.interface)?);
        }
        self.queues = qs.into_iter().map(QueueReader::AfXdp).collect();
        self.clock = if stamps { CLOCK_XDP } else { CLOCK_BATCH }.into();
        self.mode = format!(
            "xdp-{}-{}",
            if native { "native" } else { "generic" },
            if zc { "zerocopy" } else { "copy" }
        );
        Ok(())
    }
}

/// [`LiveCapture::clock`] of AF_PACKET and libpcap: the kernel's receive time.
pub const CLOCK_KERNEL: &str =
    "kernel receive time per frame (TPACKET_V3 tp_sec/tp_nsec, CLOCK_REALTIME)";
/// [`LiveCapture::clock`] of AF_XDP with the stamping program.
pub const CLOCK_XDP: &str = "XDP program time per frame (bpf_ktime_get_ns, CLOCK_MONOTONIC, \
     converted to CLOCK_REALTIME at every batch)";
/// [`LiveCapture::clock`] of AF_XDP without it.
pub const CLOCK_BATCH: &str =
    "time each batch is read off the ring (CLOCK_REALTIME; no per-frame timestamp)";

/// User plus system CPU time the whole process has used so far, in seconds
/// (`getrusage(RUSAGE_SELF)`; kernel receive work done in softirq is
/// charged to whichever task it interrupted, so part of it lands here).
pub fn process_cpu_seconds() -> f64 {
    // SAFETY: rusage is plain old data that getrusage fills.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: valid `who` and pointer.
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) } != 0 {
        return 0.0;
    }
    let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    tv(ru.ru_utime) + tv(ru.ru_stime)
}

/// A packet socket that receives nothing and only keeps the interface
/// promiscuous while it is open (the kernel undoes it on close).
fn promisc_holder(iface: &Interface) -> Result<OwnedFd, LiveError> {
    // SAFETY: plain socket(2) call.
    let raw = unsafe { libc::socket(libc::AF_PACKET, libc::SOCK_RAW | libc::SOCK_CLOEXEC, 0) };
    let raw = sys::cvt(raw).map_err(|e| {
        LiveError::os(
            format!("opening a packet socket on {}", iface.name),
            e,
            caps::CAPS_PACKET,
        )
    })?;
    // SAFETY: fresh descriptor owned by nobody else.
    let fd = unsafe { OwnedFd::from_raw_fd(raw) };
    let mreq = sys::PacketMreq {
        mr_ifindex: iface.index as i32,
        mr_type: sys::PACKET_MR_PROMISC,
        ..sys::PacketMreq::default()
    };
    sys::setsockopt(raw, libc::SOL_PACKET, sys::PACKET_ADD_MEMBERSHIP, &mreq).map_err(|e| {
        LiveError::os(
            format!("entering promiscuous mode on {}", iface.name),
            e,
            caps::CAPS_PACKET,
        )
    })?;
    Ok(fd)
}
