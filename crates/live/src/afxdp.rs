//! AF_XDP engine: one XDP socket per NIC receive queue, each with its own
//! UMEM (the frame memory shared with the kernel) and rings.
//!
//! The XDP program (see `xdp_prog`) redirects the frames of each queue to
//! that queue's socket. The kernel writes a frame into a UMEM chunk taken
//! from the fill ring and posts `(address, length)` on the RX ring; the
//! worker hands the frame to its callback as a [`Frame`] borrowing the UMEM
//! in place, then gives the chunk back on the fill ring. Zero-copy mode (the
//! driver DMAs straight into the UMEM) is used when the driver supports it,
//! copy mode otherwise.
//!
//! Timestamps: the XDP program writes the time it ran (`bpf_ktime_get_ns`,
//! CLOCK_MONOTONIC) into 8 bytes of metadata just before each frame; the
//! socket reads it, clears it (so a chunk reused for a frame without a stamp
//! never shows a stale one) and converts it to CLOCK_REALTIME with the
//! offset between the two clocks measured at every batch. A frame without a
//! stamp (the plain program, or no room for metadata) is stamped when its
//! batch is taken off the ring, and counted in
//! [`QueueStats::batch_stamped`]. XDP sees frames before the kernel removes
//! VLAN tags in software; a NIC with receive VLAN offload on removes them in
//! hardware (`ethtool -K IF rxvlan off` keeps them).

use crate::afpacket::wait_readable;
use crate::caps::{LiveError, CAPS_XDP};
use crate::iface::Interface;
use crate::sys;
use crate::xdp_prog::{XskMap, META_LEN};
use crate::QueueStats;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use trombone_capture::{linktype, Frame};

/// How a socket is bound to its queue.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum BindMode {
    /// Zero-copy if the driver supports it, copy otherwise.
    #[default]
    Auto,
    /// Zero-copy or fail.
    ZeroCopy,
    /// Copy mode.
    Copy,
}

/// UMEM and ring sizes of one queue.
#[derive(Clone, Copy, Debug)]
pub struct XskOptions {
    /// UMEM chunks (frames in flight), a power of two; 0: as many as fit in
    /// [`XskOptions::umem_bytes`].
    pub frames: u32,
    /// Bytes per chunk: 2048 or 4096; 0: 2048 when the interface's frames fit
    /// in one with the kernel's headroom, 4096 otherwise.
    pub chunk_size: u32,
    /// UMEM bytes per queue when `frames` is 0.
    pub umem_bytes: usize,
    /// Zero-copy or copy.
    pub bind: BindMode,
    /// Frames worth one wake-up of the reader.
    pub batch: u32,
    /// Longest the reader lets a batch gather, µs (0: read at every wake-up).
    pub gather_us: u32,
}

impl Default for XskOptions {
    fn default() -> XskOptions {
        XskOptions {
            frames: 0,
            chunk_size: 0,
            umem_bytes: 128 << 20,
            bind: BindMode::Auto,
            batch: 256,
            gather_us: 1000,
        }
    }
}

/// One single-producer single-consumer ring mapped from the socket.
struct Ring {
    map: *mut u8,
    map_len: usize,
    producer: *const AtomicU32,
    consumer: *const AtomicU32,
    flags: *const AtomicU32,
    desc: *mut u8,
    mask: u32,
}

impl Ring {
    /// Maps the ring at page offset `pgoff` with `n` entries of `entry` bytes.
    fn map(
        fd: RawFd,
        off: &libc::xdp_ring_offset,
        pgoff: u64,
        n: u32,
        entry: usize,
    ) -> io::Result<Ring> {
        let len = off.desc as usize + n as usize * entry;
        // SAFETY: maps a ring the kernel created for this socket, at its documented offset.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED | libc::MAP_POPULATE,
                fd,
                pgoff as libc::off_t,
            )
        };
        if p == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        let p = p.cast::<u8>();
        // SAFETY: the offsets come from XDP_MMAP_OFFSETS and lie inside the mapping.
        unsafe {
            Ok(Ring {
                map: p,
                map_len: len,
                producer: p.add(off.producer as usize).cast(),
                consumer: p.add(off.consumer as usize).cast(),
                flags: p.add(off.flags as usize).cast(),
                desc: p.add(off.desc as usize),
                mask: n - 1,
            })
        }
    }

    /// The producer index.
    fn producer(&self) -> &AtomicU32 {
        // SAFETY: points into the live mapping, 4-aligned (kernel layout).
        unsafe { &*self.producer }
    }

    /// The consumer index.
    fn consumer(&self) -> &AtomicU32 {
        // SAFETY: as for `producer`.
        unsafe { &*self.consumer }
    }

    /// The ring's flags word.
    fn flags(&self) -> u32 {
        // SAFETY: as for `producer`.
        unsafe { &*self.flags }.load(Ordering::Acquire)
    }
}

impl Drop for Ring {
    fn drop(&mut self) {
        // SAFETY: unmaps exactly what `map` mapped, once.
        unsafe { libc::munmap(self.map.cast(), self.map_len) };
    }
}

/// One queue's XDP socket, UMEM and rings.
pub struct XskQueue {
    // Field order is drop order: rings and the socket go before the UMEM they refer to.
    rx: Ring,
    fill: Ring,
    _comp: Ring,
    fd: OwnedFd,
    umem: *mut u8,
    umem_len: usize,
    chunk_mask: u64,
    map: Arc<XskMap>,
    queue: u32,
    zerocopy: bool,
    registered: bool,
    /// The XDP program writes a timestamp before each frame.
    stamps: bool,
    /// Frames worth one wake-up ([`XskOptions::batch`], at most a quarter of the ring).
    batch: usize,
    /// Longest a batch may gather ([`XskOptions::gather_us`]).
    gather: std::time::Duration,
    stats: QueueStats,
}

// SAFETY: the UMEM and ring mappings are owned by this value alone.
unsafe impl Send for XskQueue {}

impl Drop for XskQueue {
    fn drop(&mut self) {
        if self.registered {
            let _ = self.map.clear(self.queue);
        }
        // The socket and rings are dropped after this body, the UMEM region is
        // freed here; the kernel keeps its own reference to the pages until the
        // socket is gone.
        // SAFETY: unmaps the UMEM mapped in `open`, once.
        unsafe { libc::munmap(self.umem.cast(), self.umem_len) };
    }
}

/// Sets an integer socket option at level SOL_XDP.
fn xdp_opt(fd: RawFd, name: libc::c_int, v: u32) -> io::Result<()> {
    sys::setsockopt(fd, libc::SOL_XDP, name, &v)
}

impl XskQueue {
    /// Creates the socket for `queue` of `iface`, binds it and registers it in `map`.
    /// `allow_zerocopy` is false when the program runs in generic mode.
    pub fn open(
        iface: &Interface,
        queue: u32,
        opts: &XskOptions,
        map: Arc<XskMap>,
        allow_zerocopy: bool,
        stamps: bool,
    ) -> Result<XskQueue, LiveError> {
        let what = |s: &str| format!("AF_XDP queue {queue} of {}: {s}", iface.name);
        // SAFETY: plain socket(2) call.
        let raw = unsafe { libc::socket(libc::AF_XDP, libc::SOCK_RAW | libc::SOCK_CLOEXEC, 0) };
        let raw = sys::cvt(raw).map_err(|e| match e.raw_os_error() {
            Some(libc::EAFNOSUPPORT) => LiveError::Unsupported(
                "this kernel has no AF_XDP sockets (CONFIG_XDP_SOCKETS)".into(),
            ),
            _ => LiveError::os(what("opening an XDP socket"), e, CAPS_XDP),
        })?;
        // SAFETY: fresh descriptor owned by nobody else.
        let fd = unsafe { OwnedFd::from_raw_fd(raw) };
        let chunk = match opts.chunk_size {
            // The frame, four VLAN/MPLS tags, the 8-byte stamp and the
            // kernel's XDP_PACKET_HEADROOM (256) must fit in a chunk.
            0 if iface.mtu > 0 && iface.mtu + 14 + 16 + 256 <= 2048 => 2048,
            0 => 4096,
            c => c.clamp(2048, 4096).next_power_of_two(),
        };
        let frames = match opts.frames {
            0 => (opts.umem_bytes / chunk as usize).clamp(64, 1 << 20) as u32,
            f => f,
        }
        .max(64)
        .next_power_of_two();
        let umem_len = frames as usize * chunk as usize;
        // SAFETY: anonymous private mapping for the UMEM.
        let umem = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                umem_len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if umem == libc::MAP_FAILED {
            return Err(LiveError::os(
                what("allocating the UMEM"),
                io::Error::last_os_error(),
                CAPS_XDP,
            ));
        }
        // Transparent huge pages where the system allows them: one TLB entry
        // per 2 MiB instead of one per two chunks (each frame has a chunk of
        // its own, so 4 KiB pages cost a TLB miss every other frame). A hint:
        // refused, the pages are simply small. Then every page is faulted in
        // now, not on the receive path.
        // SAFETY: advice on the mapping just made, of its length.
        unsafe { libc::madvise(umem, umem_len, libc::MADV_HUGEPAGE) };
        // SAFETY: as above; MADV_POPULATE_WRITE (Linux 5.14) only faults pages in.
        if unsafe { libc::madvise(umem, umem_len, libc::MADV_POPULATE_WRITE) } != 0 {
            for off in (0..umem_len).step_by(4096) {
                // SAFETY: inside the writable mapping just made.
                unsafe { umem.cast::<u8>().add(off).write_volatile(0) };
            }
        }
        let umem = umem.cast::<u8>();
        let free_umem = || {
            // SAFETY: unmaps the region just mapped (error paths before `XskQueue` owns it).
            unsafe { libc::munmap(umem.cast(), umem_len) };
        };
        let reg = libc::xdp_umem_reg {
            addr: umem as u64,
            len: umem_len as u64,
            chunk_size: chunk,
            headroom: 0,
            flags: 0,
            tx_metadata_len: 0,
        };
        let setup = || -> Result<(Ring, Ring, Ring), LiveError> {
            sys::setsockopt(raw, libc::SOL_XDP, libc::XDP_UMEM_REG, &reg)
                .map_err(|e| LiveError::os(what("registering the UMEM"), e, CAPS_XDP))?;
            let e = |s: &'static str| move |e: io::Error| LiveError::os(what(s), e, CAPS_XDP);
            xdp_opt(raw, libc::XDP_UMEM_FILL_RING, frames).map_err(e("sizing the fill ring"))?;
            xdp_opt(raw, libc::XDP_UMEM_COMPLETION_RING, 64)
                .map_err(e("sizing the completion ring"))?;
            xdp_opt(raw, libc::XDP_RX_RING, frames).map_err(e("sizing the RX ring"))?;
            // SAFETY: xdp_mmap_offsets is plain old data.
            let mut off: libc::xdp_mmap_offsets = unsafe { std::mem::zeroed() };
            sys::getsockopt(raw, libc::SOL_XDP, libc::XDP_MMAP_OFFSETS, &mut off)
                .map_err(e("reading the ring offsets"))?;
            let rx = Ring::map(raw, &off.rx, libc::XDP_PGOFF_RX_RING as u64, frames, 16)
                .map_err(e("mapping the RX ring"))?;
            let fill = Ring::map(raw, &off.fr, libc::XDP_UMEM_PGOFF_FILL_RING, frames, 8)
                .map_err(e("mapping the fill ring"))?;
            let comp = Ring::map(raw, &off.cr, libc::XDP_UMEM_PGOFF_COMPLETION_RING, 64, 8)
                .map_err(e("mapping the completion ring"))?;
            Ok((rx, fill, comp))
        };
        let (rx, fill, comp) = match setup() {
            Ok(r) => r,
            Err(e) => {
                drop(fd);
                free_umem();
                return Err(e);
            }
        };
        let mut q = XskQueue {
            rx,
            fill,
            _comp: comp,
            fd,
            umem,
            umem_len,
            chunk_mask: !(u64::from(chunk) - 1),
            map,
            queue,
            zerocopy: false,
            registered: false,
            stamps,
            batch: opts.batch.clamp(1, frames / 4) as usize,
            gather: std::time::Duration::from_micros(u64::from(opts.gather_us.min(100_000))),
            stats: QueueStats::default(),
        };
        // Every chunk starts on the fill ring.
        for i in 0..frames {
            // SAFETY: `i < frames`, the ring's size; entries are u64 addresses.
            unsafe {
                q.fill
                    .desc
                    .cast::<u64>()
                    .add(i as usize)
                    .write(u64::from(i) * u64::from(chunk))
            };
        }
        q.fill.producer().store(frames, Ordering::Release);
        // No mode flag: the kernel tries zero-copy and falls back to copy itself.
        let mode = match (opts.bind, allow_zerocopy) {
            (BindMode::Copy, _) | (BindMode::Auto, false) => libc::XDP_COPY,
            (BindMode::ZeroCopy, false) => {
                return Err(LiveError::Unsupported(
                    "AF_XDP zero-copy needs the XDP program in native (driver) mode".into(),
                ))
            }
            (BindMode::ZeroCopy, true) => libc::XDP_ZEROCOPY,
            (BindMode::Auto, true) => 0,
        };
        bind(raw, iface.index, queue, mode | libc::XDP_USE_NEED_WAKEUP).map_err(|e| {
            let how = if mode == libc::XDP_ZEROCOPY {
                "binding in zero-copy mode"
            } else {
                "binding"
            };
            LiveError::os(what(how), e, CAPS_XDP)
        })?;
        let mut xo = libc::xdp_options { flags: 0 };
        if sys::getsockopt(raw, libc::SOL_XDP, libc::XDP_OPTIONS, &mut xo).is_ok() {
            q.zerocopy = xo.flags & libc::XDP_OPTIONS_ZEROCOPY != 0;
        }
        q.map.set(queue, raw).map_err(|e| {
            LiveError::os(what("registering the socket in the XSK map"), e, CAPS_XDP)
        })?;
        q.registered = true;
        Ok(q)
    }

    /// The NIC receive queue this socket serves.
    pub fn queue(&self) -> u32 {
        self.queue
    }

    /// True when the driver writes frames straight into the UMEM.
    pub fn zerocopy(&self) -> bool {
        self.zerocopy
    }

    /// Hands every frame on the RX ring to `f`; if there was none, waits up
    /// to `timeout_ms` for some. Returns the frames handed over.
    ///
    /// Frames are taken in batches, not one wake-up each: when fewer than
    /// [`XskOptions::batch`] frames were ready, the reader first lets frames
    /// gather for up to [`XskOptions::gather_us`] (the ring holds
    /// `frames` of them; each keeps its own arrival time, so nothing but
    /// CPU depends on when it is read). Without that, a copy-mode socket
    /// wakes its reader for every few frames, which on a small machine takes
    /// the CPU the sender and the kernel's receive path need.
    pub fn poll<F: FnMut(Frame<'_>)>(&mut self, timeout_ms: i32, mut f: F) -> io::Result<usize> {
        let mut n = self.read_ready(&mut f);
        if n >= self.batch || timeout_ms == 0 {
            return Ok(n);
        }
        if n == 0 {
            // poll() also wakes the driver up when it asked for it (need_wakeup).
            wait_readable(self.fd.as_raw_fd(), timeout_ms)?;
        }
        if self.gather.is_zero() {
            return Ok(n + self.read_ready(&mut f));
        }
        // Let a batch gather: one sleep (one wake-up) for the gathering time,
        // unless a batch is already there or nothing came at all.
        let ready = self.ready();
        if ready > 0 && ready < self.batch as u32 {
            std::thread::sleep(self.gather);
        }
        n += self.read_ready(&mut f);
        Ok(n)
    }

    /// Frames waiting on the RX ring.
    fn ready(&self) -> u32 {
        let cons = self.rx.consumer().load(Ordering::Relaxed);
        self.rx
            .producer()
            .load(Ordering::Acquire)
            .wrapping_sub(cons)
    }

    /// Takes what is on the RX ring, returning each chunk to the fill ring.
    fn read_ready<F: FnMut(Frame<'_>)>(&mut self, f: &mut F) -> usize {
        let cons = self.rx.consumer().load(Ordering::Relaxed);
        let prod = self.rx.producer().load(Ordering::Acquire);
        let n = prod.wrapping_sub(cons);
        if n == 0 {
            return 0;
        }
        // CLOCK_REALTIME now, and its offset from CLOCK_MONOTONIC (the
        // program's clock), measured once per batch so clock steps and slews
        // are followed.
        let (real, mono) = (
            clock_ns(libc::CLOCK_REALTIME),
            clock_ns(libc::CLOCK_MONOTONIC),
        );
        let offset = real - mono;
        let fill_prod = self.fill.producer().load(Ordering::Relaxed);
        for i in 0..n {
            if i + PREFETCH_AHEAD < n {
                // The kernel wrote the frame (and its stamp) from another
                // core: ask for both cache lines a few frames ahead.
                let ahead = (cons.wrapping_add(i + PREFETCH_AHEAD) & self.rx.mask) as usize;
                // SAFETY: masked index into the RX ring, as below.
                let a = unsafe { self.rx.desc.cast::<libc::xdp_desc>().add(ahead).read() }.addr;
                let a = (a as usize).min(self.umem_len - 1);
                prefetch(self.umem.wrapping_add(a.saturating_sub(META_LEN)));
                prefetch(self.umem.wrapping_add(a));
            }
            let idx = (cons.wrapping_add(i) & self.rx.mask) as usize;
            // SAFETY: `idx` is masked to the ring size; entries are `struct xdp_desc`.
            let d = unsafe { self.rx.desc.cast::<libc::xdp_desc>().add(idx).read() };
            let (addr, len) = (d.addr as usize, d.len as usize);
            if addr
                .checked_add(len)
                .is_some_and(|end| end <= self.umem_len)
            {
                let in_chunk = (d.addr & !self.chunk_mask) as usize;
                let mut ts = 0;
                if self.stamps && in_chunk >= META_LEN {
                    // SAFETY: the metadata lies in the same chunk, just before
                    // the frame (`in_chunk >= META_LEN`), inside the UMEM.
                    let meta = unsafe { self.umem.add(addr - META_LEN) }.cast::<u64>();
                    // SAFETY: as above; the chunk is ours until it goes back on the fill ring.
                    let stamp = unsafe { meta.read_unaligned() };
                    // SAFETY: as above.
                    unsafe { meta.write_unaligned(0) };
                    if stamp != 0 {
                        ts = stamp as i64 + offset;
                    }
                }
                if ts == 0 {
                    ts = real;
                    self.stats.batch_stamped += 1;
                }
                // SAFETY: the range lies inside the UMEM and the chunk is ours
                // until it is put back on the fill ring below.
                let data = unsafe { std::slice::from_raw_parts(self.umem.add(addr), len) };
                self.stats.packets += 1;
                self.stats.bytes += len as u64;
                f(Frame {
                    ts_ns: ts,
                    linktype: linktype::ETHERNET,
                    interface: self.queue,
                    wire_len: len as u32,
                    data,
                });
            } else {
                self.stats.xdp_drops += 1;
            }
            let fi = (fill_prod.wrapping_add(i) & self.fill.mask) as usize;
            // SAFETY: the fill ring has room: it holds every chunk that is not on the RX ring.
            unsafe {
                self.fill
                    .desc
                    .cast::<u64>()
                    .add(fi)
                    .write(d.addr & self.chunk_mask)
            };
            if (i + 1) % REFILL_EVERY == 0 {
                // Give chunks back while the batch is still being read, so a
                // long batch does not starve the kernel of free chunks.
                self.fill
                    .producer()
                    .store(fill_prod.wrapping_add(i + 1), Ordering::Release);
                self.rx
                    .consumer()
                    .store(cons.wrapping_add(i + 1), Ordering::Release);
            }
        }
        self.fill
            .producer()
            .store(fill_prod.wrapping_add(n), Ordering::Release);
        self.rx
            .consumer()
            .store(cons.wrapping_add(n), Ordering::Release);
        if self.fill.flags() & libc::XDP_RING_NEED_WAKEUP != 0 {
            // Kick the driver so it uses the chunks just returned.
            // SAFETY: zero-length non-blocking receive on our socket.
            unsafe {
                libc::recvfrom(
                    self.fd.as_raw_fd(),
                    std::ptr::null_mut(),
                    0,
                    libc::MSG_DONTWAIT,
                    std::ptr::null_mut(),
                    std::ptr::null_mut(),
                )
            };
        }
        n as usize
    }

    /// Takes this queue out of the XSK map: its frames go to the kernel stack
    /// from now on; what is already on the RX ring can still be read.
    pub fn stop_intake(&mut self) {
        if self.registered && self.map.clear(self.queue).is_ok() {
            self.registered = false;
        }
    }

    /// Frames and bytes handed over, and the socket's drops.
    pub fn stats(&mut self) -> QueueStats {
        // SAFETY: xdp_statistics is plain old data.
        let mut st: libc::xdp_statistics = unsafe { std::mem::zeroed() };
        let mut s = self.stats;
        if sys::getsockopt(
            self.fd.as_raw_fd(),
            libc::SOL_XDP,
            libc::XDP_STATISTICS,
            &mut st,
        )
        .is_ok()
        {
            // Cumulative in the kernel: frames dropped for want of a fill
            // chunk or of room on the RX ring.
            s.xdp_drops += st.rx_dropped + st.rx_ring_full;
        }
        s
    }
}

/// Frames after which a batch's chunks go back on the fill ring (and the RX
/// ring's consumer index moves) while the rest of the batch is read.
const REFILL_EVERY: u32 = 64;

/// Frames ahead whose UMEM lines are prefetched while a frame is handed over.
const PREFETCH_AHEAD: u32 = 8;

/// Asks the CPU to bring the cache line at `p` in (a hint: never faults).
#[inline(always)]
fn prefetch(p: *const u8) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is a hint that never faults, whatever the address.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p.cast())
    };
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// Binds an XDP socket to a queue.
fn bind(fd: RawFd, ifindex: u32, queue: u32, flags: u16) -> io::Result<()> {
    let sa = libc::sockaddr_xdp {
        sxdp_family: libc::AF_XDP as u16,
        sxdp_flags: flags,
        sxdp_ifindex: ifindex,
        sxdp_queue_id: queue,
        sxdp_shared_umem_fd: 0,
    };
    // SAFETY: `sa` is a valid sockaddr_xdp of the length given.
    let r = unsafe {
        libc::bind(
            fd,
            (&sa as *const libc::sockaddr_xdp).cast(),
            std::mem::size_of::<libc::sockaddr_xdp>() as libc::socklen_t,
        )
    };
    sys::cvt(r).map(|_| ())
}

/// The time on `clock` in ns (since the Unix epoch for CLOCK_REALTIME).
fn clock_ns(clock: libc::clockid_t) -> i64 {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: valid clock id and pointer.
    unsafe { libc::clock_gettime(clock, &mut t) };
    t.tv_sec * 1_000_000_000 + t.tv_nsec
}

#[cfg(test)]
mod tests {
    #[test]
    fn kernel_structs_have_the_uapi_sizes() {
        assert_eq!(std::mem::size_of::<libc::xdp_desc>(), 16);
        assert_eq!(std::mem::size_of::<libc::sockaddr_xdp>(), 16);
        assert_eq!(std::mem::size_of::<libc::xdp_umem_reg>(), 32);
        assert_eq!(std::mem::size_of::<libc::xdp_statistics>(), 48);
    }
}
