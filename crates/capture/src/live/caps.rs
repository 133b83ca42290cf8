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
