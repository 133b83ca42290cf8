//! Classic BPF socket filters: compiling a tcpdump-style expression, and the
//! drop-everything filter that fences a socket off before capture starts and
//! after it stops.
//!
//! An expression is compiled by libpcap when the `libpcap` feature is on,
//! otherwise by running `tcpdump -ddd` (the Debian `tcpdump` package), so the
//! default build needs no C library. tcpdump is run only from an absolute
//! path ([`TCPDUMP_PATHS`], never a `PATH` search), with an empty
//! environment, and without privilege: the child gives up every capability
//! and, when it runs as root, becomes `nobody` before it executes tcpdump.

use crate::caps::LiveError;
use crate::sys::{self, SockFilter, SockFprog, SO_ATTACH_FILTER};
use std::io;
use std::os::fd::RawFd;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};

/// Where the filter compiler is looked for, in order: Debian's tcpdump
/// (`/usr/bin` since bookworm, `/usr/sbin` before). `PATH` is never searched:
/// the capture runs privileged, and a `tcpdump` planted earlier on `PATH`
/// must not run in its place.
pub const TCPDUMP_PATHS: [&str; 2] = ["/usr/bin/tcpdump", "/usr/sbin/tcpdump"];

/// uid and gid of `nobody` on Debian, which a root process becomes before
/// it runs the filter compiler.
const NOBODY: u32 = 65534;
use trombone_capture::linktype;

/// A classic BPF program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BpfProgram {
    /// Its instructions.
    pub insns: Vec<SockFilter>,
}

/// `BPF_RET | BPF_K`.
const RET_K: u16 = 0x06;
/// Longest program the kernel accepts (`BPF_MAXINSNS`).
const MAX_INSNS: usize = 4096;

impl BpfProgram {
    /// A program that accepts nothing.
    pub fn drop_all() -> BpfProgram {
        BpfProgram {
            insns: vec![SockFilter {
                code: RET_K,
                jt: 0,
                jf: 0,
                k: 0,
            }],
        }
    }

    /// Compiles a filter expression for frames of `linktype`.
    pub fn compile(expr: &str, linktype: u32) -> Result<BpfProgram, LiveError> {
        #[cfg(feature = "libpcap")]
        {
            compile_libpcap(expr, linktype)
        }
        #[cfg(not(feature = "libpcap"))]
        {
            compile_tcpdump(expr, linktype)
        }
    }

    /// Attaches the program to a socket (replacing any filter it had).
    pub fn attach(&self, fd: RawFd) -> io::Result<()> {
        let prog = SockFprog {
            len: self.insns.len() as u16,
            filter: self.insns.as_ptr(),
        };
        sys::setsockopt(fd, libc::SOL_SOCKET, SO_ATTACH_FILTER, &prog)
    }
}

/// Removes a socket's filter (accept everything again); no filter is not an error.
pub fn detach(fd: RawFd) -> io::Result<()> {
    let zero: libc::c_int = 0;
    match sys::setsockopt(fd, libc::SOL_SOCKET, libc::SO_DETACH_FILTER, &zero) {
        Err(e) if e.raw_os_error() == Some(libc::ENOENT) => Ok(()),
        r => r,
    }
}

/// tcpdump's `-y` name for a LINKTYPE trombone captures live.
fn dlt_name(linktype: u32) -> Option<&'static str> {
    match linktype {
        linktype::ETHERNET => Some("EN10MB"),
        linktype::RAW | linktype::RAW_BSD12 => Some("RAW"),
        linktype::LINUX_SLL => Some("LINUX_SLL"),
        _ => None,
    }
}

/// Compiles with `tcpdump -ddd` (no capture is opened).
#[cfg_attr(feature = "libpcap", allow(dead_code))]
fn compile_tcpdump(expr: &str, linktype: u32) -> Result<BpfProgram, LiveError> {
    let dlt = dlt_name(linktype).ok_or_else(|| {
        LiveError::Unsupported(format!(
            "--filter: no filter compiler for LINKTYPE {linktype}"
        ))
    })?;
    let tcpdump = TCPDUMP_PATHS
        .iter()
        .map(Path::new)
        .find(|p| p.is_file())
        .ok_or_else(|| {
            LiveError::Unsupported(format!(
                "--filter needs tcpdump ({}) to compile the expression; install the \
                 tcpdump package, or build trombone with --features libpcap",
                TCPDUMP_PATHS.join(" or ")
            ))
        })?;
    let out = unprivileged(tcpdump)
        .args(["-ddd", "-y", dlt, "--", expr])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| {
            LiveError::Unsupported(format!(
                "--filter: running {} failed ({e}); build trombone with --features libpcap \
                 to compile filters without it",
                tcpdump.display()
            ))
        })?;
    if !out.status.success() {
        let msg = String::from_utf8_lossy(&out.stderr);
        return Err(LiveError::Config(format!(
            "--filter {expr:?}: {}",
            msg.lines()
                .find(|l| !l.starts_with("Warning"))
                .unwrap_or("tcpdump rejected it")
                .trim()
        )));
    }
    parse_ddd(&String::from_utf8_lossy(&out.stdout))
        .map_err(|m| LiveError::Config(format!("--filter {expr:?}: tcpdump -ddd output: {m}")))
}

/// A command for `program` (an absolute path) that runs with an empty
/// environment, in `/`, and without privilege: between fork and exec the
/// child sets no-new-privileges, leaves root for `nobody` (no supplementary
/// groups) if it is root, and clears every capability set, so nothing it
/// runs holds what the capture process holds.
pub fn unprivileged(program: &Path) -> Command {
    let mut c = Command::new(program);
    c.env_clear().current_dir("/");
    // SAFETY: the closure runs in the forked child before exec and makes only
    // async-signal-safe system calls (prctl, setgroups, setgid, setuid,
    // capset); it allocates nothing and touches no lock.
    unsafe {
        c.pre_exec(|| {
            if libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 {
                return Err(io::Error::last_os_error());
            }
            let root = libc::geteuid() == 0 || libc::getuid() == 0;
            if root
                && (libc::setgroups(0, std::ptr::null()) != 0
                    || libc::setgid(NOBODY) != 0
                    || libc::setuid(NOBODY) != 0)
            {
                return Err(io::Error::last_os_error());
            }
            crate::caps::clear_capability_sets()
        });
    }
    c
}

/// Parses `tcpdump -ddd` output: a count line, then "code jt jf k" per instruction.
pub fn parse_ddd(text: &str) -> Result<BpfProgram, String> {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let n: usize = lines
        .next()
        .ok_or("empty")?
        .trim()
        .parse()
        .map_err(|_| "first line is not an instruction count")?;
    if n == 0 || n > MAX_INSNS {
        return Err(format!("{n} instructions"));
    }
    let mut insns = Vec::with_capacity(n);
    for (i, l) in lines.enumerate() {
        let f: Vec<&str> = l.split_whitespace().collect();
        let bad = || format!("line {}: {l:?}", i + 2);
        if f.len() != 4 {
            return Err(bad());
        }
        insns.push(SockFilter {
            code: f[0].parse().map_err(|_| bad())?,
            jt: f[1].parse().map_err(|_| bad())?,
            jf: f[2].parse().map_err(|_| bad())?,
            k: f[3]
                .parse::<u32>()
                .or_else(|_| f[3].parse::<i32>().map(|v| v as u32))
                .map_err(|_| bad())?,
        });
    }
    if insns.len() != n {
        return Err(format!("{} instructions, count line says {n}", insns.len()));
    }
    Ok(BpfProgram { insns })
}

/// Compiles with libpcap on a dead handle of the right link type.
#[cfg(feature = "libpcap")]
fn compile_libpcap(expr: &str, linktype: u32) -> Result<BpfProgram, LiveError> {
    let dead = pcap::Capture::dead(pcap::Linktype(linktype as i32))
        .map_err(|e| LiveError::Unsupported(format!("--filter: libpcap: {e}")))?;
    let prog = dead
        .compile(expr, true)
        .map_err(|e| LiveError::Config(format!("--filter {expr:?}: {e}")))?;
    // The instructions print as "code jt jf k", the `tcpdump -ddd` line format.
    let mut text = format!("{}\n", prog.get_instructions().len());
    for i in prog.get_instructions() {
        text.push_str(&format!("{i}\n"));
    }
    let insns = parse_ddd(&text)
        .map_err(|m| LiveError::Config(format!("--filter {expr:?}: libpcap program: {m}")))?
        .insns;
    if insns.is_empty() || insns.len() > MAX_INSNS {
        return Err(LiveError::Config(format!(
            "--filter {expr:?}: {} instructions",
            insns.len()
        )));
    }
    Ok(BpfProgram { insns })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `tcpdump -ddd -y EN10MB 'ip'` as printed by tcpdump 4.99.
    const IP_ONLY: &str = "4\n40 0 0 12\n21 0 1 2048\n6 0 0 262144\n6 0 0 0\n";

    #[test]
    fn ddd_output_is_parsed_instruction_by_instruction() {
        let p = parse_ddd(IP_ONLY).unwrap();
        assert_eq!(p.insns.len(), 4);
        // ldh [12]
        assert_eq!(
            p.insns[0],
            SockFilter {
                code: 0x28,
                jt: 0,
                jf: 0,
                k: 12
            }
        );
        // jeq #0x800 jt 0 jf 1
        assert_eq!(
            p.insns[1],
            SockFilter {
                code: 0x15,
                jt: 0,
                jf: 1,
                k: 0x800
            }
        );
        assert_eq!(p.insns[2].k, 262144);
        assert_eq!(p.insns[3], BpfProgram::drop_all().insns[0]);
    }

    #[test]
    fn malformed_ddd_output_is_rejected() {
        assert!(parse_ddd("").is_err());
        assert!(parse_ddd("2\n40 0 0 12\n").is_err()); // count mismatch
        assert!(parse_ddd("1\n40 0 12\n").is_err()); // three fields
        assert!(parse_ddd("1\n40 0 0 x\n").is_err());
        assert!(parse_ddd("0\n").is_err());
        assert!(parse_ddd("x\n6 0 0 0\n").is_err());
    }

    #[test]
    fn the_filter_compiler_runs_without_privilege_or_environment() {
        let out = unprivileged(Path::new("/bin/sh"))
            .args([
                "-c",
                "grep -E '^(Cap(Inh|Prm|Eff|Amb)|NoNewPrivs|Uid)' /proc/self/status; \
                 echo \"env=$(env | grep -vc '^PWD=\\|^SHLVL=\\|^_=')\"; echo \"pwd=$(pwd)\"",
            ])
            .output()
            .expect("run /bin/sh");
        assert!(out.status.success(), "{out:?}");
        let text = String::from_utf8_lossy(&out.stdout);
        for set in ["CapInh", "CapPrm", "CapEff", "CapAmb"] {
            let line = text.lines().find(|l| l.starts_with(set)).expect(set);
            assert!(line.ends_with("0000000000000000"), "{set}: {line}");
        }
        assert!(text.contains("NoNewPrivs:\t1"), "{text}");
        let uid = text.lines().find(|l| l.starts_with("Uid:")).unwrap();
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } == 0 {
            assert!(
                uid.split_whitespace().skip(1).all(|u| u == "65534"),
                "root becomes nobody: {uid}"
            );
        }
        assert!(text.contains("env=0"), "empty environment: {text}");
        assert!(text.contains("pwd=/\n"), "{text}");
    }

    #[test]
    fn drop_all_is_a_single_return_zero() {
        assert_eq!(
            BpfProgram::drop_all().insns,
            vec![SockFilter {
                code: 6,
                jt: 0,
                jf: 0,
                k: 0
            }]
        );
    }
}
