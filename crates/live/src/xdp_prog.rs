//! The XDP side of the AF_XDP engine: an XSK map, a small XDP program
//! assembled here (no compiler needed), and its attachment to the interface
//! through a BPF link.
//!
//! The program stamps each frame with the time it runs, in 8 bytes of
//! metadata just before the frame (which AF_XDP copies into the UMEM with
//! the frame), then redirects it to the XDP socket registered in the map for
//! the frame's receive queue, or passes it to the kernel stack when that
//! queue has none:
//!
//! ```text
//!  0: r6 = r1                       ; keep ctx (calls clobber r1-r5)
//!  1: r2 = -8
//!  2: call bpf_xdp_adjust_meta      ; reserve 8 bytes of metadata
//!  3: if r0 != 0 goto 11            ; no room or not supported: no stamp
//!  4: call bpf_ktime_get_ns         ; r0 = CLOCK_MONOTONIC, ns
//!  5: r2 = *(u32 *)(r6 + 8)         ; ctx->data_meta
//!  6: r3 = *(u32 *)(r6 + 0)         ; ctx->data
//!  7: r4 = r2
//!  8: r4 += 8
//!  9: if r4 > r3 goto 11            ; the bounds check the verifier wants
//! 10: *(u64 *)(r2 + 0) = r0         ; the stamp
//! 11: r2 = *(u32 *)(r6 + 16)        ; ctx->rx_queue_index
//! 12: r1 = map_fd ll                ; the XSK map (two slots)
//! 14: r3 = XDP_PASS                 ; action when the queue has no socket
//! 15: call bpf_redirect_map
//! 16: exit
//! ```
//!
//! The stamp is CLOCK_MONOTONIC; the socket converts it to CLOCK_REALTIME
//! with the offset between the two clocks, measured at every batch. Where
//! the stamping program cannot be loaded, the plain redirect program
//! ([`redirect_program`], instructions 11-16 alone) is used and frames are
//! stamped when they are taken off the ring; the capture health says so.
//!
//! The link is a file descriptor: the program is detached when it is closed,
//! which the kernel also does when the process dies, however it dies.

use crate::caps::{LiveError, CAPS_XDP};
use crate::sys::{self, bpf_cmd};
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

/// Where the program runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttachMode {
    /// In the driver, before any socket buffer is built.
    Native,
    /// In the core receive path (works on any interface, slower).
    Generic,
}

impl AttachMode {
    /// "native" or "generic".
    pub fn name(self) -> &'static str {
        match self {
            AttachMode::Native => "native",
            AttachMode::Generic => "generic",
        }
    }
}

/// One eBPF instruction (`struct bpf_insn`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C)]
pub struct Insn {
    /// Opcode.
    pub code: u8,
    /// Destination register (low nibble) and source register (high nibble).
    pub regs: u8,
    /// Offset.
    pub off: i16,
    /// Immediate.
    pub imm: i32,
}

/// `offsetof(struct xdp_md, data)`.
const XDP_MD_DATA: i16 = 0;
/// `offsetof(struct xdp_md, data_meta)`.
const XDP_MD_DATA_META: i16 = 8;
/// `offsetof(struct xdp_md, rx_queue_index)`.
const XDP_MD_RX_QUEUE_INDEX: i16 = 16;
/// `BPF_FUNC_ktime_get_ns`.
const BPF_FUNC_KTIME_GET_NS: i32 = 5;
/// `BPF_FUNC_xdp_adjust_meta`.
const BPF_FUNC_XDP_ADJUST_META: i32 = 54;
/// Bytes of metadata the stamping program puts before each frame: one u64.
pub const META_LEN: usize = 8;
/// `BPF_FUNC_redirect_map`.
const BPF_FUNC_REDIRECT_MAP: i32 = 51;
/// `XDP_PASS`.
const XDP_PASS: i32 = 2;
/// `BPF_PSEUDO_MAP_FD`: the 64-bit immediate is a map file descriptor.
const BPF_PSEUDO_MAP_FD: u8 = 1;

/// An instruction from its fields (`dst`, `src` registers).
const fn insn(code: u8, dst: u8, src: u8, off: i16, imm: i32) -> Insn {
    Insn {
        code,
        regs: dst | (src << 4),
        off,
        imm,
    }
}

/// The stamping redirect program for the map `map_fd` (listing above).
pub fn timestamp_program(map_fd: RawFd) -> [Insn; 17] {
    let r = redirect_program(map_fd);
    [
        // BPF_ALU64 | BPF_MOV | BPF_X: r6 = r1
        insn(0xbf, 6, 1, 0, 0),
        // BPF_ALU64 | BPF_MOV | BPF_K: r2 = -8
        insn(0xb7, 2, 0, 0, -(META_LEN as i32)),
        // BPF_JMP | BPF_CALL: bpf_xdp_adjust_meta(ctx, -8)
        insn(0x85, 0, 0, 0, BPF_FUNC_XDP_ADJUST_META),
        // BPF_JMP | BPF_JNE | BPF_K: if r0 != 0 goto +7 (instruction 11)
        insn(0x55, 0, 0, 7, 0),
        // BPF_JMP | BPF_CALL: bpf_ktime_get_ns()
        insn(0x85, 0, 0, 0, BPF_FUNC_KTIME_GET_NS),
        // BPF_LDX | BPF_MEM | BPF_W: r2 = ctx->data_meta, r3 = ctx->data
        insn(0x61, 2, 6, XDP_MD_DATA_META, 0),
        insn(0x61, 3, 6, XDP_MD_DATA, 0),
        // r4 = r2; r4 += 8 (BPF_ALU64 | BPF_ADD | BPF_K)
        insn(0xbf, 4, 2, 0, 0),
        insn(0x07, 4, 0, 0, META_LEN as i32),
        // BPF_JMP | BPF_JGT | BPF_X: if r4 > r3 goto +1 (instruction 11)
        insn(0x2d, 4, 3, 1, 0),
        // BPF_STX | BPF_MEM | BPF_DW: *(u64 *)(r2 + 0) = r0
        insn(0x7b, 2, 0, 0, 0),
        // 11: the redirect program, reading ctx from r6
        insn(0x61, 2, 6, XDP_MD_RX_QUEUE_INDEX, 0),
        r[1],
        r[2],
        r[3],
        r[4],
        r[5],
    ]
}

/// The plain redirect program for the map `map_fd`.
pub fn redirect_program(map_fd: RawFd) -> [Insn; 6] {
    [
        // BPF_LDX | BPF_MEM | BPF_W: r2 = *(u32 *)(r1 + 16)
        Insn {
            code: 0x61,
            regs: 2 | (1 << 4),
            off: XDP_MD_RX_QUEUE_INDEX,
            imm: 0,
        },
        // BPF_LD | BPF_DW | BPF_IMM: r1 = map (two slots)
        Insn {
            code: 0x18,
            regs: 1 | (BPF_PSEUDO_MAP_FD << 4),
            off: 0,
            imm: map_fd,
        },
        Insn {
            code: 0,
            regs: 0,
            off: 0,
            imm: 0,
        },
        // BPF_ALU64 | BPF_MOV | BPF_K: r3 = XDP_PASS
        Insn {
            code: 0xb7,
            regs: 3,
            off: 0,
            imm: XDP_PASS,
        },
        // BPF_JMP | BPF_CALL
        Insn {
            code: 0x85,
            regs: 0,
            off: 0,
            imm: BPF_FUNC_REDIRECT_MAP,
        },
        // BPF_JMP | BPF_EXIT
        Insn {
            code: 0x95,
            regs: 0,
            off: 0,
            imm: 0,
        },
    ]
}

/// A `union bpf_attr`, zero-padded to 128 bytes (more than any command used here needs).
struct Attr([u8; 128]);

impl Attr {
    /// All zero.
    fn new() -> Attr {
        Attr([0; 128])
    }

    /// Sets the u32 at byte offset `at`.
    fn u32(&mut self, at: usize, v: u32) -> &mut Attr {
        self.0[at..at + 4].copy_from_slice(&v.to_ne_bytes());
        self
    }

    /// Sets the u64 (or pointer) at byte offset `at`.
    fn u64(&mut self, at: usize, v: u64) -> &mut Attr {
        self.0[at..at + 8].copy_from_slice(&v.to_ne_bytes());
        self
    }
}

/// `bpf(2)`.
fn bpf(cmd: libc::c_long, attr: &mut Attr) -> io::Result<libc::c_long> {
    // SAFETY: `attr` is a 128-byte buffer that the kernel copies in; the
    // pointers inside it point to live values of this stack frame's caller.
    let r = unsafe {
        libc::syscall(
            libc::SYS_bpf,
            cmd,
            attr.0.as_mut_ptr(),
            attr.0.len() as libc::c_uint,
        )
    };
    if r < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(r)
    }
}

/// Takes ownership of a descriptor returned by `bpf(2)`.
fn own(fd: libc::c_long) -> OwnedFd {
    // SAFETY: `fd` is a fresh descriptor returned by the kernel, owned by no one else.
    unsafe { OwnedFd::from_raw_fd(fd as RawFd) }
}

/// The XSK map, shared by the queues (each registers and removes its own socket).
#[derive(Debug)]
pub struct XskMap {
    fd: OwnedFd,
}

impl XskMap {
    /// Registers `xsk_fd` as the socket of `queue`.
    pub fn set(&self, queue: u32, xsk_fd: RawFd) -> io::Result<()> {
        let key = queue;
        let value = xsk_fd as u32;
        let mut a = Attr::new();
        a.u32(0, self.fd.as_raw_fd() as u32)
            .u64(8, &key as *const u32 as u64)
            .u64(16, &value as *const u32 as u64);
        bpf(bpf_cmd::MAP_UPDATE_ELEM, &mut a).map(|_| ())
    }

    /// Removes `queue`'s socket: its frames go to the kernel stack from now on.
    pub fn clear(&self, queue: u32) -> io::Result<()> {
        let key = queue;
        let mut a = Attr::new();
        a.u32(0, self.fd.as_raw_fd() as u32)
            .u64(8, &key as *const u32 as u64);
        bpf(bpf_cmd::MAP_DELETE_ELEM, &mut a).map(|_| ())
    }
}

/// The loaded program and its map; attached while [`XdpProgram::attach`]'s link lives.
#[derive(Debug)]
pub struct XdpProgram {
    map: std::sync::Arc<XskMap>,
    prog: OwnedFd,
    link: Option<OwnedFd>,
    mode: Option<AttachMode>,
    stamps: bool,
    /// Why the stamping program could not be loaded, if it could not.
    pub stamp_error: Option<String>,
}

impl XdpProgram {
    /// Creates an XSK map with `queues` slots and loads the redirect program.
    pub fn load(queues: u32) -> Result<XdpProgram, LiveError> {
        let mut a = Attr::new();
        a.u32(0, sys::BPF_MAP_TYPE_XSKMAP)
            .u32(4, 4) // key_size
            .u32(8, 4) // value_size
            .u32(12, queues.max(1)); // max_entries
        let map = bpf(bpf_cmd::MAP_CREATE, &mut a)
            .map_err(|e| LiveError::os("creating the XSK map (bpf BPF_MAP_CREATE)", e, CAPS_XDP))?;
        let map = XskMap { fd: own(map) };
        let (prog, stamps, stamp_error) = match load_program(&timestamp_program(map.fd.as_raw_fd()))
        {
            Ok(p) => (p, true, None),
            Err(e) if e.is_permission() => return Err(e),
            Err(e) => (
                load_program(&redirect_program(map.fd.as_raw_fd()))?,
                false,
                Some(e.to_string()),
            ),
        };
        Ok(XdpProgram {
            map: std::sync::Arc::new(map),
            prog,
            link: None,
            mode: None,
            stamps,
            stamp_error,
        })
    }

    /// True when the program stamps each frame in its metadata ([`META_LEN`] bytes).
    pub fn stamps(&self) -> bool {
        self.stamps
    }

    /// The map, for the queues to register their sockets in.
    pub fn map(&self) -> std::sync::Arc<XskMap> {
        self.map.clone()
    }

    /// Attaches the program to interface `ifindex` in `mode`.
    pub fn attach(&mut self, ifindex: u32, mode: AttachMode) -> io::Result<()> {
        let flags = match mode {
            AttachMode::Native => sys::XDP_FLAGS_DRV_MODE,
            AttachMode::Generic => sys::XDP_FLAGS_SKB_MODE,
        };
        let mut a = Attr::new();
        a.u32(0, self.prog.as_raw_fd() as u32)
            .u32(4, ifindex)
            .u32(8, sys::BPF_XDP)
            .u32(12, flags);
        let link = bpf(bpf_cmd::LINK_CREATE, &mut a)?;
        self.link = Some(own(link));
        self.mode = Some(mode);
        Ok(())
    }

    /// Where the program is attached, if it is.
    pub fn mode(&self) -> Option<AttachMode> {
        self.mode
    }

    /// Detaches the program (dropping it does the same).
    pub fn detach(&mut self) {
        self.link = None;
        self.mode = None;
    }
}

/// Loads an XDP program, with the verifier's log in the error.
fn load_program(insns: &[Insn]) -> Result<OwnedFd, LiveError> {
    let license = c"Dual MIT/GPL";
    let mut log = vec![0u8; 16384];
    let mut a = Attr::new();
    a.u32(0, sys::BPF_PROG_TYPE_XDP)
        .u32(4, insns.len() as u32)
        .u64(8, insns.as_ptr() as u64)
        .u64(16, license.as_ptr() as u64)
        .u32(24, 1) // log_level
        .u32(28, log.len() as u32)
        .u64(32, log.as_mut_ptr() as u64)
        .u32(68, sys::BPF_XDP); // expected_attach_type
    let prog = bpf(bpf_cmd::PROG_LOAD, &mut a).map_err(|e| {
        let msg = String::from_utf8_lossy(&log);
        let msg = msg.trim_end_matches('\0').trim();
        let what = if msg.is_empty() {
            "loading the XDP program (bpf BPF_PROG_LOAD)".to_string()
        } else {
            format!("loading the XDP program (verifier: {msg})")
        };
        LiveError::os(what, e, CAPS_XDP)
    })?;
    Ok(own(prog))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Encodes instructions as the kernel reads them (little-endian x86-64/arm64).
    fn bytes(insns: &[Insn]) -> Vec<u8> {
        insns
            .iter()
            .flat_map(|i| {
                let mut b = vec![i.code, i.regs];
                b.extend_from_slice(&i.off.to_le_bytes());
                b.extend_from_slice(&i.imm.to_le_bytes());
                b
            })
            .collect()
    }

    #[test]
    fn program_bytes_match_the_hand_assembled_listing() {
        assert_eq!(std::mem::size_of::<Insn>(), 8);
        // As `llvm-objdump -d` prints the same program built from C with map fd 7.
        let want: [[u8; 8]; 6] = [
            [0x61, 0x12, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00], // r2 = *(u32 *)(r1 + 0x10)
            [0x18, 0x11, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00], // r1 = map fd 7 ll
            [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00],
            [0xb7, 0x03, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00], // r3 = 0x2
            [0x85, 0x00, 0x00, 0x00, 0x33, 0x00, 0x00, 0x00], // call 0x33
            [0x95, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00], // exit
        ];
        assert_eq!(bytes(&redirect_program(7)), want.concat());
    }

    #[test]
    fn stamping_program_bytes_match_the_listing() {
        // As `llvm-objdump -d` prints the program of the module listing (map fd 7).
        let want: [[u8; 8]; 17] = [
            [0xbf, 0x16, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00], // r6 = r1
            [0xb7, 0x02, 0x00, 0x00, 0xf8, 0xff, 0xff, 0xff], // r2 = -0x8
            [0x85, 0x00, 0x00, 0x00, 0x36, 0x00, 0x00, 0x00], // call 0x36
            [0x55, 0x00, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00], // if r0 != 0x0 goto +0x7
            [0x85, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00], // call 0x5
            [0x61, 0x62, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00], // r2 = *(u32 *)(r6 + 0x8)
            [0x61, 0x63, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00], // r3 = *(u32 *)(r6 + 0x0)
            [0xbf, 0x24, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00], // r4 = r2
            [0x07, 0x04, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00], // r4 += 0x8
            [0x2d, 0x34, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00], // if r4 > r3 goto +0x1
            [0x7b, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00], // *(u64 *)(r2 + 0x0) = r0
            [0x61, 0x62, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00], // r2 = *(u32 *)(r6 + 0x10)
            [0x18, 0x11, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00], // r1 = map fd 7 ll
            [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00],
            [0xb7, 0x03, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00], // r3 = 0x2
            [0x85, 0x00, 0x00, 0x00, 0x33, 0x00, 0x00, 0x00], // call 0x33
            [0x95, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00], // exit
        ];
        assert_eq!(bytes(&timestamp_program(7)), want.concat());
    }

    #[test]
    fn stamping_program_jumps_land_on_the_redirect() {
        let p = timestamp_program(7);
        // both conditional jumps go to the rx_queue_index load, and no
        // instruction before it reads r1 after a call
        for (at, i) in p.iter().enumerate() {
            if i.code == 0x55 || i.code == 0x2d {
                let to = at as i32 + 1 + i32::from(i.off);
                assert_eq!(to, 11, "jump at {at}");
                assert_eq!(p[to as usize].off, XDP_MD_RX_QUEUE_INDEX);
            }
        }
        assert_eq!(&p[12..], &redirect_program(7)[1..]);
        let reads_r1 = |i: &Insn| i.code == 0x61 && i.regs >> 4 == 1;
        assert!(!p[1..].iter().any(reads_r1), "ctx is read through r6 only");
    }

    #[test]
    fn attr_fields_land_at_their_byte_offsets() {
        let mut a = Attr::new();
        a.u32(4, 0x0102_0304)
            .u64(8, 0x1122_3344_5566_7788)
            .u32(68, 37);
        assert_eq!(&a.0[4..8], &0x0102_0304u32.to_ne_bytes());
        assert_eq!(&a.0[8..16], &0x1122_3344_5566_7788u64.to_ne_bytes());
        assert_eq!(&a.0[68..72], &37u32.to_ne_bytes());
        assert!(a.0[..4]
            .iter()
            .chain(&a.0[16..68])
            .chain(&a.0[72..])
            .all(|&b| b == 0));
    }
}
