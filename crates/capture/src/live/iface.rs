//! What the live engines need to know about a network interface: its index,
//! link type, receive queues, whether the host uses it, and its own drop
//! counters.
//!
//! Everything is asked of the kernel in the calling thread's network
//! namespace (ioctls on a socket, `getifaddrs`, `/proc/thread-self/net/dev`),
//! so a thread that entered a namespace with `setns` sees that namespace's
//! interfaces even though `/sys` still shows another one.

use super::sys::{self, EthtoolChannels, ETHTOOL_GCHANNELS};
use std::ffi::CString;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

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
        Ok(Interface {
            name: name.to_string(),
            index,
            hw_type,
            rx_queues,
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
        ARPHRD_ETHER | ARPHRD_LOOPBACK => Some(crate::linktype::ETHERNET),
        ARPHRD_NONE | ARPHRD_RAWIP => Some(crate::linktype::RAW),
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

/// The interface's own receive counters (from `/proc/net/dev`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IfCounters {
    /// Frames received.
    pub rx_packets: u64,
    /// Frames the interface or the kernel dropped on receive (`drop`: rx_dropped + rx_missed_errors).
    pub rx_dropped: u64,
    /// Receive FIFO overruns.
    pub rx_fifo: u64,
}

/// Reads the interface's counters as the calling thread's namespace sees them.
pub fn counters(name: &str) -> Option<IfCounters> {
    let text = std::fs::read_to_string("/proc/thread-self/net/dev")
        .or_else(|_| std::fs::read_to_string("/proc/net/dev"))
        .ok()?;
    parse_proc_net_dev(&text, name)
}

/// Finds `name`'s receive counters in the text of `/proc/net/dev`.
pub fn parse_proc_net_dev(text: &str, name: &str) -> Option<IfCounters> {
    for line in text.lines().skip(2) {
        let Some((n, rest)) = line.split_once(':') else {
            continue;
        };
        if n.trim() != name {
            continue;
        }
        let f: Vec<u64> = rest
            .split_whitespace()
            .map(|x| x.parse().unwrap_or(0))
            .collect();
        if f.len() < 5 {
            return None;
        }
        return Some(IfCounters {
            rx_packets: f[1],
            rx_dropped: f[3],
            rx_fifo: f[4],
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROC_NET_DEV: &str = "\
Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:    1200      12    0    0    0     0          0         0     1200      12    0    0    0     0       0          0
  eth0: 98765432  123456    1    7    2     0          0        55  5555555    4444    0    0    0     0       0          0
";

    #[test]
    fn proc_net_dev_fields_are_bytes_packets_errs_drop_fifo() {
        assert_eq!(
            parse_proc_net_dev(PROC_NET_DEV, "eth0"),
            Some(IfCounters {
                rx_packets: 123456,
                rx_dropped: 7,
                rx_fifo: 2
            })
        );
        assert_eq!(
            parse_proc_net_dev(PROC_NET_DEV, "lo").map(|c| c.rx_packets),
            Some(12)
        );
        assert_eq!(parse_proc_net_dev(PROC_NET_DEV, "eth1"), None);
        // "eth" must not match "eth0"
        assert_eq!(parse_proc_net_dev(PROC_NET_DEV, "eth"), None);
    }

    #[test]
    fn arphrd_types_map_to_linktypes() {
        assert_eq!(linktype_of(1), Some(crate::linktype::ETHERNET));
        assert_eq!(linktype_of(772), Some(crate::linktype::ETHERNET));
        assert_eq!(linktype_of(0xfffe), Some(crate::linktype::RAW));
        assert_eq!(linktype_of(519), Some(crate::linktype::RAW));
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
