//! AF_PACKET engine: one TPACKET_V3 memory-mapped receive ring per worker,
//! the workers' sockets joined in one `PACKET_FANOUT` group.
//!
//! The kernel writes frames into blocks of the ring and hands a block over
//! when it is full or after the block timeout; the worker walks the block in
//! place, hands every frame to its callback as a [`Frame`] borrowing the
//! ring, and gives the block back. Nothing is copied.
//!
//! Fencing: each socket is created listening to nothing, gets a drop-all
//! filter before it is bound, and only loses that filter once every socket
//! has joined the fanout group — so no frame is seen twice (by two sockets
//! before they were grouped), and capture starts at one point. Stopping puts
//! the drop-all filter back; what is already in the ring (including the
//! partly filled block, handed over at the block timeout) is then drained.
//!
//! 802.1Q tags: the kernel takes the outer VLAN tag out of the frame and
//! reports it beside it. Like libpcap, the tag is put back in place (the
//! twelve address bytes move four bytes into the ring's headroom), so frames
//! look exactly as tcpdump would have written them.

use crate::caps::{LiveError, CAPS_PACKET};
use crate::filter::{self, BpfProgram};
use crate::iface::Interface;
use crate::sys::{self, block, frame, PacketMreq, TpacketReq3, TpacketStatsV3};
use crate::QueueStats;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicU32, Ordering};
use trombone_capture::{linktype, Frame};

/// How the kernel spreads frames over the sockets of a fanout group.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Fanout {
    /// By a symmetric hash of the flow: both directions of a flow reach the same worker.
    #[default]
    Hash,
    /// By the CPU that received the frame.
    Cpu,
    /// By the NIC receive queue the frame arrived on.
    Qm,
    /// Round robin (splits flows between workers: only for raw throughput tests).
    Lb,
}

impl Fanout {
    /// The `PACKET_FANOUT_*` mode.
    fn mode(self) -> u32 {
        match self {
            Fanout::Hash => sys::PACKET_FANOUT_HASH,
            Fanout::Cpu => sys::PACKET_FANOUT_CPU,
            Fanout::Qm => sys::PACKET_FANOUT_QM,
            Fanout::Lb => sys::PACKET_FANOUT_LB,
        }
    }

    /// Its name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Fanout::Hash => "hash",
            Fanout::Cpu => "cpu",
            Fanout::Qm => "qm",
            Fanout::Lb => "lb",
        }
    }
}

/// Ring geometry and socket options of the AF_PACKET engine.
#[derive(Clone, Debug)]
pub struct AfPacketOptions {
    /// Fanout mode (used when there is more than one worker).
    pub fanout: Fanout,
    /// Ring bytes per worker.
    pub ring_bytes: usize,
    /// Bytes per ring block (a power of two, at least a page).
    pub block_size: usize,
    /// Milliseconds after which a partly filled block is handed over.
    pub block_timeout_ms: u32,
    /// Capture only frames the interface receives, not those the host sends.
    pub ignore_outgoing: bool,
    /// Put the interface in promiscuous mode while capturing.
    pub promisc: bool,
}

impl Default for AfPacketOptions {
    fn default() -> AfPacketOptions {
        AfPacketOptions {
            fanout: Fanout::Hash,
            ring_bytes: 64 << 20,
            block_size: 1 << 20,
            block_timeout_ms: 10,
            ignore_outgoing: false,
            promisc: true,
        }
    }
}

/// Bytes of headroom reserved before each frame, room to put a VLAN tag back.
const VLAN_TAG_LEN: usize = 4;

/// One worker's socket and its memory-mapped TPACKET_V3 ring.
pub struct AfPacketQueue {
    fd: OwnedFd,
    ring: *mut u8,
    block_size: usize,
    block_nr: usize,
    cur: usize,
    linktype: u32,
    queue: u32,
    stats: QueueStats,
}

// SAFETY: the ring mapping is owned by this value alone; moving it to another
// thread moves the only pointer to it.
unsafe impl Send for AfPacketQueue {}

impl Drop for AfPacketQueue {
    fn drop(&mut self) {
        // SAFETY: `ring` was mapped with this length in `open_one` and is unmapped once.
        unsafe { libc::munmap(self.ring.cast(), self.block_size * self.block_nr) };
    }
}

/// Opens `n` sockets on `iface`, joined in one fanout group, with `user_filter` (if any)
/// applied once all of them are in the group.
pub fn open_group(
    iface: &Interface,
    linktype: u32,
    n: usize,
    opts: &AfPacketOptions,
    user_filter: Option<&BpfProgram>,
) -> Result<Vec<AfPacketQueue>, LiveError> {
    let mut qs = Vec::with_capacity(n);
    for i in 0..n {
        qs.push(open_one(
            iface,
            linktype,
            i as u32,
            opts,
            i == 0 && opts.promisc,
        )?);
    }
    if n > 1 {
        let fds: Vec<RawFd> = qs.iter().map(|q| q.fd()).collect();
        join_fanout(&fds, opts.fanout, &iface.name)?;
    }
    for q in &qs {
        let r = match user_filter {
            Some(p) => p.attach(q.fd()),
            None => filter::detach(q.fd()),
        };
        r.map_err(|e| LiveError::os("setting the capture filter", e, CAPS_PACKET))?;
    }
    Ok(qs)
}

/// Joins the sockets `fds` in a new fanout group of mode `fanout`: the
/// kernel picks a free group id for the first, the others join that id.
pub(crate) fn join_fanout(fds: &[RawFd], fanout: Fanout, name: &str) -> Result<(), LiveError> {
    let mode = fanout.mode();
    let err = |e| LiveError::os(format!("joining a fanout group on {name}"), e, CAPS_PACKET);
    let first = (mode | sys::PACKET_FANOUT_FLAG_UNIQUEID) << 16;
    sys::setsockopt(fds[0], libc::SOL_PACKET, sys::PACKET_FANOUT, &first).map_err(err)?;
    let mut got: u32 = 0;
    sys::getsockopt(fds[0], libc::SOL_PACKET, sys::PACKET_FANOUT, &mut got).map_err(err)?;
    let arg = (got & 0xffff) | (mode << 16);
    for &fd in &fds[1..] {
        sys::setsockopt(fd, libc::SOL_PACKET, sys::PACKET_FANOUT, &arg).map_err(err)?;
    }
    Ok(())
}

/// Creates one fenced socket with its ring, bound to `iface`.
fn open_one(
    iface: &Interface,
    linktype: u32,
    queue: u32,
    opts: &AfPacketOptions,
    promisc: bool,
) -> Result<AfPacketQueue, LiveError> {
    let name = &iface.name;
    // Protocol 0: the socket receives nothing until it is bound below.
    // SAFETY: plain socket(2) call.
    let raw = unsafe { libc::socket(libc::AF_PACKET, libc::SOCK_RAW | libc::SOCK_CLOEXEC, 0) };
    let raw = sys::cvt(raw).map_err(|e| {
        LiveError::os(
            format!("opening a packet socket for {name}"),
            e,
            CAPS_PACKET,
        )
    })?;
    // SAFETY: `raw` is a fresh descriptor owned by nobody else.
    let fd = unsafe { OwnedFd::from_raw_fd(raw) };
    let opt = |what: &str, e: io::Error| LiveError::os(format!("{what} on {name}"), e, CAPS_PACKET);
    let v3: libc::c_int = sys::TPACKET_V3;
    sys::setsockopt(raw, libc::SOL_PACKET, sys::PACKET_VERSION, &v3)
        .map_err(|e| opt("selecting TPACKET_V3", e))?;
    let reserve = VLAN_TAG_LEN as libc::c_uint;
    sys::setsockopt(raw, libc::SOL_PACKET, sys::PACKET_RESERVE, &reserve)
        .map_err(|e| opt("reserving ring headroom", e))?;
    let block_size = opts.block_size.max(4096).next_power_of_two();
    let block_nr = (opts.ring_bytes / block_size).max(2);
    let frame_size = 2048u32;
    let req = TpacketReq3 {
        tp_block_size: block_size as u32,
        tp_block_nr: block_nr as u32,
        tp_frame_size: frame_size,
        tp_frame_nr: (block_size as u32 / frame_size) * block_nr as u32,
        tp_retire_blk_tov: opts.block_timeout_ms.max(1),
        tp_sizeof_priv: 0,
        tp_feature_req_word: 0,
    };
    sys::setsockopt(raw, libc::SOL_PACKET, sys::PACKET_RX_RING, &req)
        .map_err(|e| opt(&format!("creating a {block_nr}×{block_size}-byte ring"), e))?;
    let len = block_size * block_nr;
    // SAFETY: maps the ring the kernel just allocated for this socket.
    let ring = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            len,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_SHARED | libc::MAP_POPULATE,
            raw,
            0,
        )
    };
    if ring == libc::MAP_FAILED {
        return Err(opt("mapping the ring", io::Error::last_os_error()));
    }
    let q = AfPacketQueue {
        fd,
        ring: ring.cast(),
        block_size,
        block_nr,
        cur: 0,
        linktype,
        queue,
        stats: QueueStats::default(),
    };
    BpfProgram::drop_all()
        .attach(raw)
        .map_err(|e| opt("fencing the socket", e))?;
    if opts.ignore_outgoing {
        let one: libc::c_int = 1;
        sys::setsockopt(raw, libc::SOL_PACKET, sys::PACKET_IGNORE_OUTGOING, &one)
            .map_err(|e| opt("ignoring outgoing frames", e))?;
    }
    if promisc {
        let mreq = PacketMreq {
            mr_ifindex: iface.index as i32,
            mr_type: sys::PACKET_MR_PROMISC,
            ..PacketMreq::default()
        };
        sys::setsockopt(raw, libc::SOL_PACKET, sys::PACKET_ADD_MEMBERSHIP, &mreq)
            .map_err(|e| opt("entering promiscuous mode", e))?;
    }
    // SAFETY: sockaddr_ll is plain old data.
    let mut sll: libc::sockaddr_ll = unsafe { std::mem::zeroed() };
    sll.sll_family = libc::AF_PACKET as u16;
    sll.sll_protocol = (libc::ETH_P_ALL as u16).to_be();
    sll.sll_ifindex = iface.index as i32;
    // SAFETY: `sll` is a valid sockaddr_ll of the length given.
    let r = unsafe {
        libc::bind(
            raw,
            (&sll as *const libc::sockaddr_ll).cast(),
            std::mem::size_of::<libc::sockaddr_ll>() as libc::socklen_t,
        )
    };
    sys::cvt(r).map_err(|e| opt("binding", e))?;
    Ok(q)
}

impl AfPacketQueue {
    /// The socket.
    fn fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }

    /// The worker's index in the fanout group.
    pub fn queue(&self) -> u32 {
        self.queue
    }

    /// Hands every frame of every block ready now to `f`; if none was ready,
    /// waits up to `timeout_ms` for one. Returns the frames handed over.
    pub fn poll<F: FnMut(Frame<'_>)>(&mut self, timeout_ms: i32, mut f: F) -> io::Result<usize> {
        let n = self.read_ready(&mut f);
        if n > 0 || timeout_ms == 0 {
            return Ok(n);
        }
        wait_readable(self.fd(), timeout_ms)?;
        Ok(self.read_ready(&mut f))
    }

    /// Walks the blocks the kernel has handed over, in ring order.
    fn read_ready<F: FnMut(Frame<'_>)>(&mut self, f: &mut F) -> usize {
        let mut n = 0;
        for _ in 0..self.block_nr {
            // SAFETY: `cur < block_nr`, so the block lies inside the mapping.
            let b = unsafe { self.ring.add(self.cur * self.block_size) };
            // SAFETY: the status word is 4-aligned inside the block header, and the
            // kernel only writes it atomically.
            let status = unsafe { AtomicU32::from_ptr(b.add(block::STATUS).cast()) };
            if status.load(Ordering::Acquire) & sys::TP_STATUS_USER == 0 {
                break;
            }
            // SAFETY: the block is ours until its status is set back to KERNEL.
            n += unsafe { self.read_block(b, f) };
            status.store(sys::TP_STATUS_KERNEL, Ordering::Release);
            self.cur = (self.cur + 1) % self.block_nr;
        }
        n
    }

    /// Hands the frames of one user-owned block to `f`.
    ///
    /// # Safety
    /// `b` must point to a block of this ring whose status is `TP_STATUS_USER`.
    unsafe fn read_block<F: FnMut(Frame<'_>)>(&mut self, b: *mut u8, f: &mut F) -> usize {
        let bs = self.block_size;
        let rd32 = |p: *const u8| p.cast::<u32>().read_unaligned();
        let num = rd32(b.add(block::NUM_PKTS));
        let mut off = rd32(b.add(block::FIRST_PKT)) as usize;
        let mut n = 0;
        for _ in 0..num {
            if off < 48 || off + frame::HDRLEN > bs {
                break;
            }
            let h = b.add(off);
            let next = rd32(h.add(frame::NEXT)) as usize;
            let sec = rd32(h.add(frame::SEC));
            let nsec = rd32(h.add(frame::NSEC));
            let status = rd32(h.add(frame::STATUS));
            let mut mac = h.add(frame::MAC).cast::<u16>().read_unaligned() as usize;
            let mut snap = rd32(h.add(frame::SNAPLEN)) as usize;
            let mut wire = rd32(h.add(frame::LEN));
            if mac < frame::HDRLEN || off + mac + snap > bs {
                break;
            }
            let tci = rd32(h.add(frame::VLAN_TCI));
            if self.linktype == linktype::ETHERNET
                && (tci != 0 || status & sys::TP_STATUS_VLAN_VALID != 0)
                && mac >= frame::HDRLEN + VLAN_TAG_LEN
                && snap >= 12
            {
                let tpid = if status & sys::TP_STATUS_VLAN_TPID_VALID != 0 {
                    match h.add(frame::VLAN_TPID).cast::<u16>().read_unaligned() {
                        0 => 0x8100,
                        t => t,
                    }
                } else {
                    0x8100
                };
                let at = h.add(mac - VLAN_TAG_LEN);
                std::ptr::copy(h.add(mac), at, 12);
                at.add(12).cast::<[u8; 2]>().write(tpid.to_be_bytes());
                at.add(14)
                    .cast::<[u8; 2]>()
                    .write((tci as u16).to_be_bytes());
                mac -= VLAN_TAG_LEN;
                snap += VLAN_TAG_LEN;
                wire += VLAN_TAG_LEN as u32;
            }
            let data = std::slice::from_raw_parts(h.add(mac), snap);
            self.stats.packets += 1;
            self.stats.bytes += u64::from(wire);
            f(Frame {
                ts_ns: i64::from(sec) * 1_000_000_000 + i64::from(nsec),
                linktype: self.linktype,
                interface: self.queue,
                wire_len: wire,
                data,
            });
            n += 1;
            if next == 0 {
                break;
            }
            off += next;
        }
        n
    }

    /// Stops new frames from entering the ring (what is in it can still be read).
    pub fn stop_intake(&mut self) {
        let _ = BpfProgram::drop_all().attach(self.fd());
    }

    /// Frames and bytes handed over, and the kernel's ring-full drops so far.
    pub fn stats(&mut self) -> QueueStats {
        let mut st = TpacketStatsV3::default();
        // PACKET_STATISTICS resets the kernel's counters, so they are added up here.
        if sys::getsockopt(self.fd(), libc::SOL_PACKET, sys::PACKET_STATISTICS, &mut st).is_ok() {
            self.stats.kernel_drops += u64::from(st.tp_drops);
        }
        self.stats
    }
}

/// Waits up to `timeout_ms` for `fd` to become readable; a pending socket
/// error (the interface went down or away) is returned as the error.
pub(crate) fn wait_readable(fd: RawFd, timeout_ms: i32) -> io::Result<()> {
    let mut pfd = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid pollfd.
    let r = unsafe { libc::poll(&mut pfd, 1, timeout_ms) };
    if r < 0 {
        let e = io::Error::last_os_error();
        return if e.kind() == io::ErrorKind::Interrupted {
            Ok(())
        } else {
            Err(e)
        };
    }
    if pfd.revents & (libc::POLLERR | libc::POLLHUP | libc::POLLNVAL) != 0 {
        let mut err: libc::c_int = 0;
        let _ = sys::getsockopt(fd, libc::SOL_SOCKET, libc::SO_ERROR, &mut err);
        return Err(if err != 0 {
            io::Error::from_raw_os_error(err)
        } else {
            io::Error::new(io::ErrorKind::BrokenPipe, "capture socket hung up")
        });
    }
    Ok(())
}
