//! Errors of the live engines, and turning "permission denied" into a
//! message that names the capability the operation needs.

use std::fmt;
use std::io;

/// Capabilities a raw packet socket needs.
pub const CAPS_PACKET: &str = "CAP_NET_RAW";
/// Capabilities an AF_XDP capture needs: the socket, loading the program, attaching it.
pub const CAPS_XDP: &str =
    "CAP_NET_RAW, CAP_BPF and CAP_NET_ADMIN (CAP_SYS_ADMIN before Linux 5.8)";

/// Why a live capture could not be opened or read.
#[derive(Debug)]
pub enum LiveError {
    /// The operation needs privileges the process lacks.
    Permission {
        /// What was being done.
        what: String,
        /// The capabilities it needs.
        caps: &'static str,
        /// The error the kernel returned.
        source: io::Error,
    },
    /// The kernel, the driver or this build cannot do it.
    Unsupported(String),
    /// Any other system error.
    Io {
        /// What was being done.
        what: String,
        /// The error the kernel returned.
        source: io::Error,
    },
    /// The configuration is inconsistent (bad queue list, filter on an engine without one...).
    Config(String),
}

impl LiveError {
    /// Wraps a system error: permission errors name `caps`, others keep `what`.
    pub fn os(what: impl Into<String>, source: io::Error, caps: &'static str) -> LiveError {
        let what = what.into();
        match source.raw_os_error() {
            Some(libc::EPERM) | Some(libc::EACCES) => LiveError::Permission { what, caps, source },
            _ => LiveError::Io { what, source },
        }
    }

    /// True when the error is a lack of privilege.
    pub fn is_permission(&self) -> bool {
        matches!(self, LiveError::Permission { .. })
    }
}

impl fmt::Display for LiveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LiveError::Permission { what, caps, source } => write!(
                f,
                "{what}: {source}: live capture needs {caps}; run it as root, or grant the \
                 capabilities to the binary: sudo setcap cap_net_raw,cap_net_admin,cap_bpf+ep \
                 \"$(command -v trombone)\""
            ),
            LiveError::Unsupported(m) | LiveError::Config(m) => f.write_str(m),
            LiveError::Io { what, source } => write!(f, "{what}: {source}"),
        }
    }
}

impl std::error::Error for LiveError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            LiveError::Permission { source, .. } | LiveError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permission_errors_name_the_capability() {
        let e = LiveError::os(
            "opening a packet socket on eth0",
            io::Error::from_raw_os_error(libc::EPERM),
            CAPS_PACKET,
        );
        assert!(e.is_permission());
        let m = e.to_string();
        assert!(m.contains("CAP_NET_RAW"), "{m}");
        assert!(m.contains("eth0"), "{m}");
        let e = LiveError::os("x", io::Error::from_raw_os_error(libc::EACCES), CAPS_XDP);
        assert!(e.to_string().contains("CAP_BPF") && e.to_string().contains("CAP_NET_ADMIN"));
    }

    #[test]
    fn other_errors_keep_what_was_done() {
        let e = LiveError::os(
            "binding to vb",
            io::Error::from_raw_os_error(libc::ENODEV),
            CAPS_PACKET,
        );
        assert!(!e.is_permission());
        let m = e.to_string();
        assert!(m.starts_with("binding to vb: "), "{m}");
        assert!(!m.contains("CAP_"), "{m}");
    }
}

/// `_LINUX_CAPABILITY_VERSION_3`: 64-bit capability sets in two 32-bit words.
const CAP_VERSION_3: u32 = 0x2008_0522;

/// Header of the capget/capset system calls.
#[repr(C)]
struct CapHeader {
    version: u32,
    pid: i32,
}

/// One 32-bit word of each capability set.
#[repr(C)]
#[derive(Clone, Copy, Default)]
struct CapData {
    effective: u32,
    permitted: u32,
    inheritable: u32,
}

/// Drops every capability of the calling thread — effective, permitted,
/// inheritable and ambient, the bounding set where allowed — and sets
/// no-new-privileges, so nothing it runs can regain them.
///
/// Call it after the sockets are open and the XDP program attached, before
/// any worker thread is spawned: capabilities are per thread, and threads
/// inherit the creator's. Open sockets keep working; closing them (which
/// detaches an XDP link) needs no privilege.
pub fn drop_all_capabilities() -> io::Result<()> {
    // SAFETY: prctl and capset take plain integers and pointers to the
    // properly laid out structs above, which live across the calls.
    unsafe {
        if libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 {
            return Err(io::Error::last_os_error());
        }
        // EINVAL past the last capability, EPERM without CAP_SETPCAP: both harmless.
        for cap in 0..64 {
            libc::prctl(libc::PR_CAPBSET_DROP, cap, 0, 0, 0);
        }
        libc::prctl(
            libc::PR_CAP_AMBIENT,
            libc::PR_CAP_AMBIENT_CLEAR_ALL,
            0,
            0,
            0,
        );
    }
    clear_capability_sets()
}

/// Clears the calling thread's effective, permitted and inheritable
/// capability sets (one `capset` call; async-signal-safe, so a forked child
/// may call it before exec).
pub fn clear_capability_sets() -> io::Result<()> {
    let hdr = CapHeader {
        version: CAP_VERSION_3,
        pid: 0,
    };
    let data = [CapData {
        effective: 0,
        permitted: 0,
        inheritable: 0,
    }; 2];
    // SAFETY: capset reads the header and two CapData words, which live across the call.
    if unsafe { libc::syscall(libc::SYS_capset, &hdr as *const CapHeader, data.as_ptr()) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// The calling thread's effective and permitted capability sets, as bit masks.
pub fn current_capabilities() -> io::Result<(u64, u64)> {
    let mut hdr = CapHeader {
        version: CAP_VERSION_3,
        pid: 0,
    };
    let mut data = [CapData::default(); 2];
    // SAFETY: capget writes two CapData words into `data`, which is that long.
    let r = unsafe {
        libc::syscall(
            libc::SYS_capget,
            &mut hdr as *mut CapHeader,
            data.as_mut_ptr(),
        )
    };
    if r != 0 {
        return Err(io::Error::last_os_error());
    }
    let join = |lo: u32, hi: u32| u64::from(lo) | (u64::from(hi) << 32);
    Ok((
        join(data[0].effective, data[1].effective),
        join(data[0].permitted, data[1].permitted),
    ))
}

#[cfg(test)]
mod drop_tests {
    use super::*;

    #[test]
    fn dropping_leaves_no_capability_and_no_raw_socket() {
        // capabilities are per thread: do it on a thread of its own
        std::thread::spawn(|| {
            drop_all_capabilities().unwrap();
            assert_eq!(current_capabilities().unwrap(), (0, 0));
            // SAFETY: a plain socket call; the fd, if any, is closed at once.
            let fd = unsafe { libc::socket(libc::AF_PACKET, libc::SOCK_RAW, 0) };
            let err = io::Error::last_os_error();
            if fd >= 0 {
                unsafe { libc::close(fd) };
            }
            assert!(fd < 0, "a packet socket opened without capabilities");
            assert_eq!(err.raw_os_error(), Some(libc::EPERM));
        })
        .join()
        .unwrap();
    }
}
