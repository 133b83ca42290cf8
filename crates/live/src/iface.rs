//! What the live engines need to know about a network interface: its index,
//! link type, receive queues, whether the host uses it, and its own drop
//! counters.
//!
//! Everything is asked of the kernel in the calling thread's network
//! namespace (ioctls on a socket, `getifaddrs`, `/proc/thread-self/net/dev`),
//! so a thread that entered a namespace with `setns` sees that namespace's
//! interfaces even though `/sys` still shows another one.

use crate::sys::{self, EthtoolChannels, ETHTOOL_GCHANNELS};
use std::ffi::CString;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use trombone_capture::linktype;

/// `ARPHRD_ETHER`.
const ARPHRD_ETHER: u16 = 1;
/// `ARPHRD_LOOPBACK`: a zeroed Ethernet header precedes each frame.
const ARPHRD_LOOPBACK: u16 = 772;
/// `ARPHRD_NONE` (tun devices): frames are bare IP packets.
const ARPHRD_NONE: u16 = 0xfffe;
/// `ARPHRD_RAWIP`: bare IP packets.
const ARPHRD_RAWIP: u16 = 519;

/// A network interface as the live engines see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Interface {
    /// Its name.
    pub name: String,
    /// Its kernel index.
    pub index: u32,
    /// `ARPHRD_*` hardware type.
    pub hw_type: u16,
    /// Receive queues in use (at least 1).
    pub rx_queues: u32,
    /// The MTU (0 if unreadable).
    pub mtu: u32,
}

impl Interface {
    /// Looks an interface up by name.
    pub fn by_name(name: &str) -> io::Result<Interface> {
        if name.is_empty() || name.len() >= libc::IFNAMSIZ {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{name:?} is not a valid interface name"),
            ));
        }
        let c = CString::new(name).map_err(|_| {
            io::Error::new(io::ErrorKind::InvalidInput, "interface name contains NUL")
        })?;
        // SAFETY: `c` is a valid NUL-terminated string.
        let index = unsafe { libc::if_nametoindex(c.as_ptr()) };
        if index == 0 {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("no interface named {name} in this network namespace"),
            ));
        }
        let sock = control_socket()?;
        let mut req = ifreq(name);
        // SAFETY: `req` is a valid ifreq; SIOCGIFHWADDR fills ifru_hwaddr.
        sys::cvt(unsafe { libc::ioctl(sock.as_raw_fd(), libc::SIOCGIFHWADDR, &mut req) })?;
        // SAFETY: the ioctl succeeded, so the union holds a sockaddr.
        let hw_type = unsafe { req.ifr_ifru.ifru_hwaddr.sa_family };
        let rx_queues = rx_queue_count(&sock, name).unwrap_or(1).max(1);
        let mut req = ifreq(name);
        // SAFETY: `req` is a valid ifreq; SIOCGIFMTU fills ifru_mtu.
        let mtu = if unsafe { libc::ioctl(sock.as_raw_fd(), libc::SIOCGIFMTU, &mut req) } == 0 {
            // SAFETY: the ioctl succeeded, so the union holds the MTU.
            unsafe { req.ifr_ifru.ifru_mtu }.max(0) as u32
        } else {
            0
        };
        Ok(Interface {
            name: name.to_string(),
            index,
            hw_type,
            rx_queues,
            mtu,
        })
    }

    /// The LINKTYPE_* of frames captured raw on this interface, if trombone decodes it.
    pub fn linktype(&self) -> Option<u32> {
        linktype_of(self.hw_type)
    }
}

/// LINKTYPE_* for an `ARPHRD_*` type (frames as a raw packet socket or XDP sees them).
pub fn linktype_of(hw_type: u16) -> Option<u32> {
    match hw_type {
        ARPHRD_ETHER | ARPHRD_LOOPBACK => Some(linktype::ETHERNET),
        ARPHRD_NONE | ARPHRD_RAWIP => Some(linktype::RAW),
        _ => None,
    }
}

/// An `AF_INET` datagram socket for interface ioctls.
fn control_socket() -> io::Result<OwnedFd> {
    // SAFETY: plain socket(2) call.
    let fd =
        sys::cvt(unsafe { libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0) })?;
    // SAFETY: `fd` was just returned by socket(2) and is owned by no one else.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// A zeroed `ifreq` naming `name` (which is shorter than IFNAMSIZ).
fn ifreq(name: &str) -> libc::ifreq {
    // SAFETY: ifreq is plain old data; all-zero is a valid value.
    let mut req: libc::ifreq = unsafe { std::mem::zeroed() };
    for (d, s) in req.ifr_name.iter_mut().zip(name.bytes()) {
        *d = s as libc::c_char;
    }
    req
}

/// Receive queues in use: ethtool's channel count, else the `rx-N`
/// directories under `/sys/class/net/IF/queues`.
fn rx_queue_count(sock: &OwnedFd, name: &str) -> Option<u32> {
    let mut ch = EthtoolChannels {
        cmd: ETHTOOL_GCHANNELS,
        ..EthtoolChannels::default()
    };
    let mut req = ifreq(name);
    req.ifr_ifru.ifru_data = (&mut ch as *mut EthtoolChannels).cast();
    // SAFETY: ifru_data points to a live ethtool_channels for the duration of the call.
    let r = unsafe { libc::ioctl(sock.as_raw_fd(), libc::SIOCETHTOOL, &mut req) };
    if r == 0 {
        let n = ch.rx_count + ch.combined_count;
        if n > 0 {
            return Some(n);
        }
    }
    let dir = std::fs::read_dir(format!("/sys/class/net/{name}/queues")).ok()?;
    let n = dir
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with("rx-"))
        .count() as u32;
    (n > 0).then_some(n)
}

/// True when any IPv4 or IPv6 address is configured on the interface
/// (the host itself uses it, so its frames must not be taken away from the stack).
pub fn has_addresses(name: &str) -> bool {
    let mut head: *mut libc::ifaddrs = std::ptr::null_mut();
    // SAFETY: getifaddrs fills `head` with a list freed below.
    if unsafe { libc::getifaddrs(&mut head) } != 0 {
        return false;
    }
    let mut found = false;
    let mut p = head;
    while !p.is_null() {
        // SAFETY: `p` is a node of the list getifaddrs returned.
        let ifa = unsafe { &*p };
        if !ifa.ifa_addr.is_null() && !ifa.ifa_name.is_null() {
            // SAFETY: ifa_name is a NUL-terminated string; ifa_addr is a sockaddr.
            let n = unsafe { std::ffi::CStr::from_ptr(ifa.ifa_name) };
            let fam = i32::from(unsafe { (*ifa.ifa_addr).sa_family });
            if n.to_bytes() == name.as_bytes() && (fam == libc::AF_INET || fam == libc::AF_INET6) {
                found = true;
                break;
            }
        }
        p = ifa.ifa_next;
    }
    // SAFETY: `head` came from getifaddrs.
    unsafe { libc::freeifaddrs(head) };
    found
}

/// The interface's own receive counters (`struct rtnl_link_stats64`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IfCounters {
    /// Frames received.
    pub rx_packets: u64,
    /// Frames received and then discarded by the host (no handler for the
    /// protocol, no VLAN device, ...; some drivers count buffer shortages here too).
    pub rx_dropped: u64,
    /// Frames the NIC lost for want of receive buffers (`rx_missed_errors`).
    pub rx_missed: u64,
    /// Receive FIFO overruns (`rx_fifo_errors`).
    pub rx_fifo: u64,
    /// Receive ring overruns (`rx_over_errors`).
    pub rx_over: u64,
}

impl IfCounters {
    /// Frames lost in the NIC before any capture could see them.
    pub fn nic_losses(&self) -> u64 {
        self.rx_missed + self.rx_fifo + self.rx_over
    }
}

/// `RTM_GETLINK`.
const RTM_GETLINK: u16 = 18;
/// `RTM_NEWLINK` (the answer).
const RTM_NEWLINK: u16 = 16;
/// `NLMSG_ERROR`.
const NLMSG_ERROR: u16 = 2;
/// `IFLA_STATS64` attribute.
const IFLA_STATS64: u16 = 23;
/// `sizeof(struct nlmsghdr)`.
const NLMSG_HDRLEN: usize = 16;
/// `sizeof(struct ifinfomsg)`.
const IFINFOMSG_LEN: usize = 16;

/// Reads interface `index`'s counters over rtnetlink, in the calling thread's namespace.
pub fn counters(index: u32) -> Option<IfCounters> {
    // SAFETY: plain socket(2) call.
    let raw = unsafe {
        libc::socket(
            libc::AF_NETLINK,
            libc::SOCK_RAW | libc::SOCK_CLOEXEC,
            libc::NETLINK_ROUTE,
        )
    };
    let raw = sys::cvt(raw).ok()?;
    // SAFETY: fresh descriptor owned by nobody else.
    let fd = unsafe { OwnedFd::from_raw_fd(raw) };
    let mut req = [0u8; NLMSG_HDRLEN + IFINFOMSG_LEN];
    req[0..4].copy_from_slice(&((NLMSG_HDRLEN + IFINFOMSG_LEN) as u32).to_ne_bytes());
    req[4..6].copy_from_slice(&RTM_GETLINK.to_ne_bytes());
    req[6..8].copy_from_slice(&(libc::NLM_F_REQUEST as u16).to_ne_bytes());
    req[8..12].copy_from_slice(&1u32.to_ne_bytes()); // sequence number
    req[NLMSG_HDRLEN + 4..NLMSG_HDRLEN + 8].copy_from_slice(&(index as i32).to_ne_bytes());
    // SAFETY: sends `req` on our socket (to the kernel: no address needed).
    let sent = unsafe { libc::send(fd.as_raw_fd(), req.as_ptr().cast(), req.len(), 0) };
    if sent != req.len() as isize {
        return None;
    }
    let mut buf = vec![0u8; 32 * 1024];
    // SAFETY: receives into `buf`, which is writable for its length.
    let n = unsafe { libc::recv(fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len(), 0) };
    if n <= 0 {
        return None;
    }
    parse_newlink(&buf[..n as usize])
}

/// Finds IFLA_STATS64 in an RTM_NEWLINK answer.
pub fn parse_newlink(msg: &[u8]) -> Option<IfCounters> {
    let u16_at =
        |b: &[u8], at: usize| Some(u16::from_ne_bytes(b.get(at..at + 2)?.try_into().ok()?));
    let u32_at =
        |b: &[u8], at: usize| Some(u32::from_ne_bytes(b.get(at..at + 4)?.try_into().ok()?));
    let len = (u32_at(msg, 0)? as usize).min(msg.len());
    match u16_at(msg, 4)? {
        RTM_NEWLINK => {}
        NLMSG_ERROR => return None,
        _ => return None,
    }
    let mut at = NLMSG_HDRLEN + IFINFOMSG_LEN;
    while at + 4 <= len {
        let alen = u16_at(msg, at)? as usize;
        let atype = u16_at(msg, at + 2)? & 0x3fff;
        if alen < 4 || at + alen > len {
            return None;
        }
        if atype == IFLA_STATS64 {
            let v = &msg[at + 4..at + alen];
            let f = |i: usize| -> Option<u64> {
                Some(u64::from_ne_bytes(
                    v.get(i * 8..i * 8 + 8)?.try_into().ok()?,
                ))
            };
            return Some(IfCounters {
                rx_packets: f(0)?,
                rx_dropped: f(6)?,
                rx_over: f(11)?,
                rx_fifo: f(14)?,
                rx_missed: f(15)?,
            });
        }
        at += (alen + 3) & !3;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An RTM_NEWLINK answer carrying an IFNAME and an IFLA_STATS64 attribute.
    fn newlink(stats: &[u64; 24]) -> Vec<u8> {
        let mut m = vec![0u8; NLMSG_HDRLEN + IFINFOMSG_LEN];
        m[4..6].copy_from_slice(&RTM_NEWLINK.to_ne_bytes());
        // IFLA_IFNAME "rx0\0" (type 3, length 8)
        m.extend_from_slice(&8u16.to_ne_bytes());
        m.extend_from_slice(&3u16.to_ne_bytes());
        m.extend_from_slice(b"rx0\0");
        m.extend_from_slice(&((4 + 24 * 8) as u16).to_ne_bytes());
        m.extend_from_slice(&IFLA_STATS64.to_ne_bytes());
        for v in stats {
            m.extend_from_slice(&v.to_ne_bytes());
        }
        let len = m.len() as u32;
        m[0..4].copy_from_slice(&len.to_ne_bytes());
        m
    }

    #[test]
    fn stats64_fields_are_read_at_their_uapi_positions() {
        // struct rtnl_link_stats64: rx_packets is field 0, rx_dropped 6,
        // rx_over_errors 11, rx_fifo_errors 14, rx_missed_errors 15.
        let mut st = [0u64; 24];
        st[0] = 1000;
        st[6] = 7;
        st[11] = 3;
        st[14] = 2;
        st[15] = 5;
        st[1] = 99; // tx_packets, ignored
        let c = parse_newlink(&newlink(&st)).unwrap();
        assert_eq!(
            c,
            IfCounters {
                rx_packets: 1000,
                rx_dropped: 7,
                rx_missed: 5,
                rx_fifo: 2,
                rx_over: 3
            }
        );
        assert_eq!(c.nic_losses(), 10);
    }

    #[test]
    fn answers_without_stats_or_cut_short_give_nothing() {
        let m = newlink(&[0; 24]);
        assert!(parse_newlink(&m[..m.len() - 8]).is_none());
        assert!(parse_newlink(&m[..NLMSG_HDRLEN + IFINFOMSG_LEN + 8]).is_none());
        let mut err = m.clone();
        err[4..6].copy_from_slice(&NLMSG_ERROR.to_ne_bytes());
        assert!(parse_newlink(&err).is_none());
        assert!(parse_newlink(&[]).is_none());
    }

    #[test]
    fn loopback_counters_are_readable() {
        let lo = Interface::by_name("lo").unwrap();
        assert!(counters(lo.index).is_some());
    }

    #[test]
    fn arphrd_types_map_to_linktypes() {
        assert_eq!(linktype_of(1), Some(linktype::ETHERNET));
        assert_eq!(linktype_of(772), Some(linktype::ETHERNET));
        assert_eq!(linktype_of(0xfffe), Some(linktype::RAW));
        assert_eq!(linktype_of(519), Some(linktype::RAW));
        assert_eq!(linktype_of(24), None); // ARPHRD_IEEE1394
    }

    #[test]
    fn loopback_is_found_with_at_least_one_queue() {
        let lo = Interface::by_name("lo").expect("every namespace has lo");
        assert_eq!(lo.hw_type, ARPHRD_LOOPBACK);
        assert!(lo.index >= 1 && lo.rx_queues >= 1);
        assert!(Interface::by_name("no-such-if0").is_err());
        assert!(Interface::by_name("").is_err());
    }
}
