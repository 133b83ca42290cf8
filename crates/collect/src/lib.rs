//! UDP sockets for a flow-export collector (sFlow, NetFlow, IPFIX).
//!
//! [`Listener::open`] binds `n` sockets to one address with `SO_REUSEPORT`, one per
//! worker: the kernel spreads datagrams over them by a hash of the sender's address and
//! port, so each exporter keeps reaching one socket — and one worker's decoder, which
//! holds that exporter's templates and sequence numbers. IPv4 and IPv6 addresses both
//! work (an IPv6 socket is bound `IPV6_V6ONLY`, so `0.0.0.0:P` and `[::]:P` can be
//! listened on side by side).
//!
//! Every socket asks for `SO_RXQ_OVFL`: the kernel then attaches to each datagram the
//! number of datagrams it dropped on that socket so far because its receive buffer was
//! full, which [`Socket::drops`] keeps. The receive buffer is raised to
//! [`RECV_BUFFER`] bytes where the system allows it (`net.core.rmem_max`).
//!
//! `unsafe` is confined to the system calls the standard library does not offer:
//! `socket`/`setsockopt`/`bind` (the options must be set before binding), `recvmsg` with
//! its control buffer, and `poll`. Each call's buffers are owned and sized here.
//! Linux only (`SO_RXQ_OVFL`).
#![cfg(target_os = "linux")]

use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::os::fd::{AsRawFd, FromRawFd, RawFd};

/// Receive buffer asked for on each socket, bytes.
pub const RECV_BUFFER: usize = 8 << 20;

/// Largest datagram read (a UDP payload cannot be larger).
pub const MAX_DATAGRAM: usize = 65_535;

/// The export protocol a listener is for (the decoder tells the protocol from the
/// datagram itself; this names the listener).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// sFlow v5 (default port 6343).
    Sflow,
    /// NetFlow v5/v9 (default port 2055).
    Netflow,
    /// IPFIX (default port 4739).
    Ipfix,
}

impl Kind {
    /// "sflow", "netflow", "ipfix".
    pub fn name(self) -> &'static str {
        match self {
            Kind::Sflow => "sflow",
            Kind::Netflow => "netflow",
            Kind::Ipfix => "ipfix",
        }
    }

    /// The IANA/customary UDP port.
    pub fn default_port(self) -> u16 {
        match self {
            Kind::Sflow => 6343,
            Kind::Netflow => 2055,
            Kind::Ipfix => 4739,
        }
    }
}

/// One UDP socket of a listener.
#[derive(Debug)]
pub struct Socket {
    sock: UdpSocket,
    kind: Kind,
    drops: u64,
    cmsg: Vec<u8>,
}

/// What [`Socket::recv`] got.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Received {
    /// Bytes of the datagram (it is at the start of the buffer; longer ones are cut).
    pub len: usize,
    /// The sender.
    pub from: SocketAddr,
    /// True when the datagram was longer than the buffer.
    pub truncated: bool,
}

/// A group of sockets bound to one address with `SO_REUSEPORT`.
#[derive(Debug)]
pub struct Listener {
    /// The protocol it is for.
    pub kind: Kind,
    /// The address bound (with the port the system chose for port 0).
    pub addr: SocketAddr,
    /// One socket per worker.
    pub sockets: Vec<Socket>,
}

fn cvt(r: libc::c_int) -> io::Result<libc::c_int> {
    if r < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(r)
    }
}

fn setsockopt_int(
    fd: RawFd,
    level: libc::c_int,
    name: libc::c_int,
    v: libc::c_int,
) -> io::Result<()> {
    // SAFETY: `v` lives for the call and its size is passed; `fd` is an open socket.
    cvt(unsafe {
        libc::setsockopt(
            fd,
            level,
            name,
            (&v as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    })
    .map(|_| ())
}

/// The address as the kernel's sockaddr, and its length.
fn sockaddr(addr: &SocketAddr) -> (libc::sockaddr_storage, libc::socklen_t) {
    // SAFETY: sockaddr_storage is plain data; all-zero is a valid (unspecified) value.
    let mut ss: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
    let len = match addr {
        SocketAddr::V4(a) => {
            let sin = libc::sockaddr_in {
                sin_family: libc::AF_INET as libc::sa_family_t,
                sin_port: a.port().to_be(),
                sin_addr: libc::in_addr {
                    s_addr: u32::from_ne_bytes(a.ip().octets()),
                },
                sin_zero: [0; 8],
            };
            // SAFETY: sockaddr_storage is larger than and aligned for sockaddr_in.
            unsafe { std::ptr::write((&mut ss as *mut libc::sockaddr_storage).cast(), sin) };
            std::mem::size_of::<libc::sockaddr_in>()
        }
        SocketAddr::V6(a) => {
            let sin6 = libc::sockaddr_in6 {
                sin6_family: libc::AF_INET6 as libc::sa_family_t,
                sin6_port: a.port().to_be(),
                sin6_flowinfo: a.flowinfo(),
                sin6_addr: libc::in6_addr {
                    s6_addr: a.ip().octets(),
                },
                sin6_scope_id: a.scope_id(),
            };
            // SAFETY: sockaddr_storage is larger than and aligned for sockaddr_in6.
            unsafe { std::ptr::write((&mut ss as *mut libc::sockaddr_storage).cast(), sin6) };
            std::mem::size_of::<libc::sockaddr_in6>()
        }
    };
    (ss, len as libc::socklen_t)
}

/// The sender of a datagram from the kernel's sockaddr.
fn from_sockaddr(ss: &libc::sockaddr_storage) -> Option<SocketAddr> {
    match libc::c_int::from(ss.ss_family) {
        libc::AF_INET => {
            // SAFETY: the family says the storage holds a sockaddr_in.
            let sin: libc::sockaddr_in =
                unsafe { std::ptr::read((ss as *const libc::sockaddr_storage).cast()) };
            let ip = std::net::Ipv4Addr::from(sin.sin_addr.s_addr.to_ne_bytes());
            Some(SocketAddr::from((ip, u16::from_be(sin.sin_port))))
        }
        libc::AF_INET6 => {
            // SAFETY: the family says the storage holds a sockaddr_in6.
            let sin6: libc::sockaddr_in6 =
                unsafe { std::ptr::read((ss as *const libc::sockaddr_storage).cast()) };
            let ip = std::net::Ipv6Addr::from(sin6.sin6_addr.s6_addr);
            Some(SocketAddr::V6(std::net::SocketAddrV6::new(
                ip,
                u16::from_be(sin6.sin6_port),
                sin6.sin6_flowinfo,
                sin6.sin6_scope_id,
            )))
        }
        _ => None,
    }
}

/// Binds one UDP socket to `addr` with `SO_REUSEPORT` and `SO_RXQ_OVFL`.
fn bind_one(addr: &SocketAddr) -> io::Result<UdpSocket> {
    let family = if addr.is_ipv4() {
        libc::AF_INET
    } else {
        libc::AF_INET6
    };
    // SAFETY: plain system call; the descriptor is owned by the UdpSocket below (closed on
    // every error path by its drop).
    let fd = cvt(unsafe {
        libc::socket(
            family,
            libc::SOCK_DGRAM | libc::SOCK_CLOEXEC | libc::SOCK_NONBLOCK,
            0,
        )
    })?;
    // SAFETY: `fd` is a fresh socket nobody else owns.
    let sock = unsafe { UdpSocket::from_raw_fd(fd) };
    setsockopt_int(fd, libc::SOL_SOCKET, libc::SO_REUSEPORT, 1)?;
    setsockopt_int(fd, libc::SOL_SOCKET, libc::SO_RXQ_OVFL, 1)?;
    // best effort: the kernel caps it at net.core.rmem_max
    let _ = setsockopt_int(
        fd,
        libc::SOL_SOCKET,
        libc::SO_RCVBUF,
        RECV_BUFFER as libc::c_int,
    );
    if family == libc::AF_INET6 {
        setsockopt_int(fd, libc::IPPROTO_IPV6, libc::IPV6_V6ONLY, 1)?;
    }
    let (ss, len) = sockaddr(addr);
    // SAFETY: `ss` holds a sockaddr of `len` bytes for the socket's family.
    cvt(unsafe { libc::bind(fd, (&ss as *const libc::sockaddr_storage).cast(), len) })?;
    Ok(sock)
}

impl Listener {
    /// Binds `n` (at least 1) sockets of `kind` to `addr` (port 0: the system picks one,
    /// shared by all `n`).
    pub fn open(kind: Kind, addr: SocketAddr, n: usize) -> io::Result<Listener> {
        let first = bind_one(&addr)?;
        let bound = first.local_addr()?;
        let mut sockets = vec![Socket::new(first, kind)];
        for _ in 1..n.max(1) {
            sockets.push(Socket::new(bind_one(&bound)?, kind));
        }
        Ok(Listener {
            kind,
            addr: bound,
            sockets,
        })
    }

    /// "sflow 0.0.0.0:6343 ×2".
    pub fn describe(&self) -> String {
        format!("{} {} ×{}", self.kind.name(), self.addr, self.sockets.len())
    }
}

/// Control buffer space for one `SO_RXQ_OVFL` message (a u32), with room to spare.
const CMSG_SPACE: usize = 64;

impl Socket {
    fn new(sock: UdpSocket, kind: Kind) -> Socket {
        Socket {
            sock,
            kind,
            drops: 0,
            cmsg: vec![0; CMSG_SPACE],
        }
    }

    /// The protocol of its listener.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// Datagrams the kernel dropped on this socket so far for a full receive buffer, as
    /// of the last datagram read (`SO_RXQ_OVFL`).
    pub fn drops(&self) -> u64 {
        self.drops
    }

    /// Reads one datagram into `buf` without waiting: `Ok(None)` when none is queued.
    pub fn recv(&mut self, buf: &mut [u8]) -> io::Result<Option<Received>> {
        // SAFETY: zeroed plain-data structures.
        let mut from: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
        let mut iov = libc::iovec {
            iov_base: buf.as_mut_ptr().cast(),
            iov_len: buf.len(),
        };
        // SAFETY: msghdr is plain data; all-zero is valid before the fields are set.
        let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
        msg.msg_name = (&mut from as *mut libc::sockaddr_storage).cast();
        msg.msg_namelen = std::mem::size_of::<libc::sockaddr_storage>() as libc::socklen_t;
        msg.msg_iov = &mut iov;
        msg.msg_iovlen = 1;
        msg.msg_control = self.cmsg.as_mut_ptr().cast();
        msg.msg_controllen = self.cmsg.len() as _;
        // SAFETY: every pointer in `msg` points at a live buffer of the stated size.
        let n = unsafe { libc::recvmsg(self.sock.as_raw_fd(), &mut msg, libc::MSG_DONTWAIT) };
        if n < 0 {
            let e = io::Error::last_os_error();
            return match e.kind() {
                io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted => Ok(None),
                _ => Err(e),
            };
        }
        // SAFETY: the kernel filled `msg`'s control buffer; the CMSG macros walk it within
        // msg_controllen.
        unsafe {
            let mut c = libc::CMSG_FIRSTHDR(&msg);
            while !c.is_null() {
                if (*c).cmsg_level == libc::SOL_SOCKET && (*c).cmsg_type == libc::SO_RXQ_OVFL {
                    let v: u32 = std::ptr::read_unaligned(libc::CMSG_DATA(c).cast());
                    self.drops = u64::from(v);
                }
                c = libc::CMSG_NXTHDR(&msg, c);
            }
        }
        let Some(from) = from_sockaddr(&from) else {
            return Ok(None);
        };
        Ok(Some(Received {
            len: n as usize,
            from,
            truncated: msg.msg_flags & libc::MSG_TRUNC != 0,
        }))
    }
}

/// Waits up to `timeout_ms` for any of `sockets` to have a datagram; returns how many do.
pub fn wait<'a>(
    sockets: impl IntoIterator<Item = &'a Socket>,
    timeout_ms: i32,
) -> io::Result<usize> {
    let mut fds: Vec<libc::pollfd> = sockets
        .into_iter()
        .map(|s| libc::pollfd {
            fd: s.sock.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        })
        .collect();
    // SAFETY: `fds` is a live array of `fds.len()` pollfd.
    let r = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, timeout_ms) };
    if r < 0 {
        let e = io::Error::last_os_error();
        if e.kind() == io::ErrorKind::Interrupted {
            return Ok(0);
        }
        return Err(e);
    }
    Ok(r as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reuseport_group_receives_v4_and_v6() {
        let l = Listener::open(Kind::Netflow, "127.0.0.1:0".parse().unwrap(), 3).unwrap();
        assert_eq!(l.sockets.len(), 3);
        assert_ne!(l.addr.port(), 0);
        let tx = UdpSocket::bind("127.0.0.1:0").unwrap();
        let mut sockets = l.sockets;
        for i in 0..20u8 {
            tx.send_to(&[i; 10], l.addr).unwrap();
        }
        // one sender (address and port): every datagram reaches the same socket
        let mut got = vec![0; 3];
        let mut buf = vec![0u8; MAX_DATAGRAM];
        let t0 = std::time::Instant::now();
        while got.iter().sum::<usize>() < 20 && t0.elapsed().as_secs() < 5 {
            wait(&sockets, 100).unwrap();
            for (i, s) in sockets.iter_mut().enumerate() {
                while let Some(r) = s.recv(&mut buf).unwrap() {
                    assert_eq!(r.len, 10);
                    assert_eq!(r.from, tx.local_addr().unwrap());
                    assert!(!r.truncated);
                    got[i] += 1;
                }
            }
        }
        assert_eq!(got.iter().sum::<usize>(), 20);
        assert_eq!(got.iter().filter(|&&g| g > 0).count(), 1, "{got:?}");
        assert_eq!(sockets[0].drops(), 0);
        assert_eq!(sockets[0].kind(), Kind::Netflow);

        if let Ok(l6) = Listener::open(Kind::Sflow, "[::1]:0".parse().unwrap(), 1) {
            let tx6 = UdpSocket::bind("[::1]:0").unwrap();
            tx6.send_to(b"hello", l6.addr).unwrap();
            let mut s = l6.sockets;
            wait(&s, 2000).unwrap();
            let r = s[0].recv(&mut buf).unwrap().unwrap();
            assert_eq!(
                (&buf[..r.len], r.from),
                (&b"hello"[..], tx6.local_addr().unwrap())
            );
            assert!(l6.addr.is_ipv6());
        }
    }

    #[test]
    fn drops_are_counted_when_the_buffer_overflows() {
        let l = Listener::open(Kind::Sflow, "127.0.0.1:0".parse().unwrap(), 1).unwrap();
        let mut s = l.sockets;
        // a small buffer overflows quickly
        setsockopt_int(
            s[0].sock.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_RCVBUF,
            4096,
        )
        .unwrap();
        let tx = UdpSocket::bind("127.0.0.1:0").unwrap();
        for _ in 0..2000 {
            let _ = tx.send_to(&[0u8; 1000], l.addr);
        }
        tx.send_to(b"last", l.addr).unwrap();
        let mut buf = vec![0u8; MAX_DATAGRAM];
        let mut n = 0;
        while let Some(_r) = s[0].recv(&mut buf).unwrap() {
            n += 1;
        }
        assert!(n < 2001);
        // the drop count rides on each datagram read after the drops
        assert!(s[0].drops() > 0, "read {n}, drops {}", s[0].drops());
        tx.send_to(b"after", l.addr).unwrap();
        wait(&s, 1000).unwrap();
        let r = s[0].recv(&mut buf).unwrap().unwrap();
        assert_eq!(&buf[..r.len], b"after");
        // (a send the loopback refused is neither read nor dropped)
        assert!(s[0].drops() + n as u64 <= 2001);
    }

    #[test]
    fn a_datagram_longer_than_the_buffer_is_flagged() {
        let l = Listener::open(Kind::Ipfix, "127.0.0.1:0".parse().unwrap(), 1).unwrap();
        let mut s = l.sockets;
        let tx = UdpSocket::bind("127.0.0.1:0").unwrap();
        tx.send_to(&[7u8; 100], l.addr).unwrap();
        wait(&s, 1000).unwrap();
        let mut small = [0u8; 10];
        let r = s[0].recv(&mut small).unwrap().unwrap();
        assert!(r.truncated);
        assert!(Listener::open(Kind::Ipfix, "192.0.2.1:1".parse().unwrap(), 1).is_err());
    }
}
