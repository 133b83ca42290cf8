//! libpcap engine (cargo feature `libpcap`): one libpcap handle per worker.
//!
//! On Linux each handle is a TPACKET ring of its own; the handles' sockets
//! are joined in one `PACKET_FANOUT` group exactly like the AF_PACKET
//! engine's, and fenced the same way (a drop-all filter until all are
//! grouped, whatever entered a ring before that discarded). Reads are
//! non-blocking, with `poll(2)` on the handle's descriptor for waiting: a
//! blocking read with a timeout never returns on an idle link with the
//! libpcap of Debian 12. Frames are handed over in libpcap's buffer (the
//! ring), uncopied; libpcap puts VLAN tags back in place itself.

use crate::afpacket::{join_fanout, wait_readable, AfPacketOptions};
use crate::caps::{LiveError, CAPS_PACKET};
use crate::filter::{self, BpfProgram};
use crate::iface::Interface;
use crate::QueueStats;
use pcap::{Active, Capture, Direction, Precision};
use std::io;
use std::os::fd::{AsRawFd, RawFd};
use trombone_capture::Frame;

/// One worker's libpcap handle.
pub struct PcapQueue {
    cap: Capture<Active>,
    queue: u32,
    linktype: u32,
    stats: QueueStats,
}

/// Turns a libpcap error into a [`LiveError`], recognising missing privileges.
fn pcap_err(what: String, e: pcap::Error) -> LiveError {
    let msg = e.to_string();
    let lower = msg.to_ascii_lowercase();
    if lower.contains("permission") || lower.contains("not permitted") {
        LiveError::Permission {
            what: format!("{what} ({msg})"),
            caps: CAPS_PACKET,
            source: io::Error::from_raw_os_error(libc::EPERM),
        }
    } else {
        LiveError::Io {
            what,
            source: io::Error::other(msg),
        }
    }
}

/// Opens `n` handles on `iface`, joined in one fanout group, with the filter
/// expression `user_filter` (compiled by libpcap for the live handle).
pub fn open_group(
    iface: &Interface,
    n: usize,
    opts: &AfPacketOptions,
    user_filter: Option<&str>,
) -> Result<Vec<PcapQueue>, LiveError> {
    let name = &iface.name;
    let tov = opts.block_timeout_ms.max(1);
    let mut qs = Vec::with_capacity(n);
    for i in 0..n {
        let cap = Capture::from_device(name.as_str())
            .map_err(|e| pcap_err(format!("libpcap: {name}"), e))?
            .promisc(opts.promisc)
            .snaplen(262_144)
            .timeout(tov as i32)
            .buffer_size(opts.ring_bytes.min(i32::MAX as usize) as i32)
            .precision(Precision::Nano)
            .open()
            .map_err(|e| pcap_err(format!("libpcap: opening {name}"), e))?
            .setnonblock()
            .map_err(|e| pcap_err(format!("libpcap: {name}: non-blocking mode"), e))?;
        BpfProgram::drop_all()
            .attach(cap.as_raw_fd())
            .map_err(|e| {
                LiveError::os(
                    format!("fencing the libpcap socket on {name}"),
                    e,
                    CAPS_PACKET,
                )
            })?;
        if opts.ignore_outgoing {
            cap.direction(Direction::In)
                .map_err(|e| pcap_err(format!("libpcap: {name}: direction"), e))?;
        }
        let linktype = cap.get_datalink().0 as u32;
        qs.push(PcapQueue {
            cap,
            queue: i as u32,
            linktype,
            stats: QueueStats::default(),
        });
    }
    if n > 1 {
        let fds: Vec<RawFd> = qs.iter().map(|q| q.cap.as_raw_fd()).collect();
        join_fanout(&fds, opts.fanout, name)?;
    }
    // Frames that entered a ring before the fence (seen by every handle, not
    // yet grouped) are discarded: wait for libpcap's block timeout to hand
    // over the partly filled block, then empty each ring.
    std::thread::sleep(std::time::Duration::from_millis(u64::from(tov) * 2 + 10));
    for q in &mut qs {
        while q.cap.next_packet().is_ok() {}
    }
    for q in &mut qs {
        let name = name.clone();
        match user_filter {
            Some(expr) => q
                .cap
                .filter(expr, true)
                .map_err(|e| LiveError::Config(format!("--filter {expr:?}: {e}")))?,
            None => filter::detach(q.cap.as_raw_fd()).map_err(|e| {
                LiveError::os(
                    format!("opening the libpcap socket on {name}"),
                    e,
                    CAPS_PACKET,
                )
            })?,
        }
    }
    Ok(qs)
}

impl PcapQueue {
    /// The worker's index in the fanout group.
    pub fn queue(&self) -> u32 {
        self.queue
    }

    /// Hands every frame libpcap has ready to `f`; if none, waits up to
    /// `timeout_ms` for some. Returns the frames handed over.
    pub fn poll<F: FnMut(Frame<'_>)>(&mut self, timeout_ms: i32, mut f: F) -> io::Result<usize> {
        let n = self.read_ready(&mut f)?;
        if n > 0 || timeout_ms == 0 {
            return Ok(n);
        }
        wait_readable(self.cap.as_raw_fd(), timeout_ms)?;
        self.read_ready(&mut f)
    }

    /// Reads until libpcap has nothing ready (bounded, so a busy link still
    /// lets the worker look up).
    fn read_ready<F: FnMut(Frame<'_>)>(&mut self, f: &mut F) -> io::Result<usize> {
        let mut n = 0;
        while n < 8192 {
            match self.cap.next_packet() {
                Ok(p) => {
                    let wire = p.header.len;
                    self.stats.packets += 1;
                    self.stats.bytes += u64::from(wire);
                    // Nanosecond precision: tv_usec holds nanoseconds.
                    let ts = p.header.ts.tv_sec * 1_000_000_000 + p.header.ts.tv_usec;
                    f(Frame {
                        ts_ns: ts,
                        linktype: self.linktype,
                        interface: self.queue,
                        wire_len: wire,
                        data: p.data,
                    });
                    n += 1;
                }
                Err(pcap::Error::TimeoutExpired) | Err(pcap::Error::NoMorePackets) => break,
                Err(e) => return Err(io::Error::other(format!("libpcap: {e}"))),
            }
        }
        Ok(n)
    }

    /// Stops new frames from entering the ring (what is in it can still be read).
    pub fn stop_intake(&mut self) {
        let _ = BpfProgram::drop_all().attach(self.cap.as_raw_fd());
    }

    /// Frames and bytes handed over, and libpcap's count of ring-full drops.
    pub fn stats(&mut self) -> QueueStats {
        if let Ok(st) = self.cap.stats() {
            self.stats.kernel_drops = u64::from(st.dropped);
        }
        self.stats
    }
}
