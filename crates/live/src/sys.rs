//! Kernel ABI the live engines use that the `libc` crate does not define:
//! TPACKET_V3 ring headers, packet socket options, classic BPF, and the
//! `bpf(2)` command numbers. Layouts follow `linux/if_packet.h`,
//! `linux/filter.h` and `linux/bpf.h`; the tests below pin their sizes and
//! field offsets.

use std::io;
use std::os::fd::RawFd;

/// `PACKET_ADD_MEMBERSHIP` (linux/if_packet.h).
pub const PACKET_ADD_MEMBERSHIP: libc::c_int = 1;
/// `PACKET_RX_RING`.
pub const PACKET_RX_RING: libc::c_int = 5;
/// `PACKET_STATISTICS`.
pub const PACKET_STATISTICS: libc::c_int = 6;
/// `PACKET_VERSION`.
pub const PACKET_VERSION: libc::c_int = 10;
/// `PACKET_RESERVE`: headroom before each frame in the ring.
pub const PACKET_RESERVE: libc::c_int = 12;
/// `PACKET_FANOUT`.
pub const PACKET_FANOUT: libc::c_int = 18;
/// `PACKET_IGNORE_OUTGOING` (Linux 4.20).
pub const PACKET_IGNORE_OUTGOING: libc::c_int = 23;
/// `TPACKET_V3` for `PACKET_VERSION`.
pub const TPACKET_V3: libc::c_int = 2;
/// `PACKET_MR_PROMISC` membership type.
pub const PACKET_MR_PROMISC: u16 = 1;

/// Fanout by symmetric flow hash.
pub const PACKET_FANOUT_HASH: u32 = 0;
/// Fanout round robin.
pub const PACKET_FANOUT_LB: u32 = 1;
/// Fanout by the CPU that received the frame.
pub const PACKET_FANOUT_CPU: u32 = 2;
/// Fanout by the NIC receive queue.
pub const PACKET_FANOUT_QM: u32 = 5;
/// Let the kernel choose a free fanout group id (Linux 4.16).
pub const PACKET_FANOUT_FLAG_UNIQUEID: u32 = 0x2000;

/// Block or frame owned by the kernel.
pub const TP_STATUS_KERNEL: u32 = 0;
/// Block handed to user space.
pub const TP_STATUS_USER: u32 = 1;
/// Frame's VLAN TCI is valid (the tag was taken out of the frame).
pub const TP_STATUS_VLAN_VALID: u32 = 1 << 4;
/// Frame's VLAN TPID is valid.
pub const TP_STATUS_VLAN_TPID_VALID: u32 = 1 << 6;

/// `SO_ATTACH_FILTER`.
pub const SO_ATTACH_FILTER: libc::c_int = 26;

/// `struct tpacket_req3`: the geometry of a TPACKET_V3 receive ring.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct TpacketReq3 {
    /// Bytes per block (a multiple of the page size).
    pub tp_block_size: u32,
    /// Number of blocks.
    pub tp_block_nr: u32,
    /// Nominal frame size (V3 packs frames; only used for the count check).
    pub tp_frame_size: u32,
    /// `block_size / frame_size * block_nr`.
    pub tp_frame_nr: u32,
    /// Milliseconds after which a partly filled block is handed over.
    pub tp_retire_blk_tov: u32,
    /// Private area per block.
    pub tp_sizeof_priv: u32,
    /// Feature request bits.
    pub tp_feature_req_word: u32,
}

/// `struct tpacket_stats_v3`, read (and reset) with `PACKET_STATISTICS`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct TpacketStatsV3 {
    /// Frames that reached the socket, drops included.
    pub tp_packets: u32,
    /// Frames dropped because the ring was full.
    pub tp_drops: u32,
    /// Times the ring was frozen for lack of a free block.
    pub tp_freeze_q_cnt: u32,
}

/// `struct packet_mreq` for `PACKET_ADD_MEMBERSHIP`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct PacketMreq {
    /// Interface index.
    pub mr_ifindex: i32,
    /// `PACKET_MR_*`.
    pub mr_type: u16,
    /// Address length (unused for promiscuous mode).
    pub mr_alen: u16,
    /// Address (unused for promiscuous mode).
    pub mr_address: [u8; 8],
}

/// Byte offsets inside a TPACKET_V3 block descriptor (`struct tpacket_block_desc`).
pub mod block {
    /// `hdr.bh1.block_status`.
    pub const STATUS: usize = 8;
    /// `hdr.bh1.num_pkts`.
    pub const NUM_PKTS: usize = 12;
    /// `hdr.bh1.offset_to_first_pkt`.
    pub const FIRST_PKT: usize = 16;
}

/// Byte offsets inside a TPACKET_V3 frame header (`struct tpacket3_hdr`).
pub mod frame {
    /// `tp_next_offset`.
    pub const NEXT: usize = 0;
    /// `tp_sec`.
    pub const SEC: usize = 4;
    /// `tp_nsec`.
    pub const NSEC: usize = 8;
    /// `tp_snaplen`.
    pub const SNAPLEN: usize = 12;
    /// `tp_len`.
    pub const LEN: usize = 16;
    /// `tp_status`.
    pub const STATUS: usize = 20;
    /// `tp_mac` (u16).
    pub const MAC: usize = 24;
    /// `hv1.tp_vlan_tci`.
    pub const VLAN_TCI: usize = 32;
    /// `hv1.tp_vlan_tpid` (u16).
    pub const VLAN_TPID: usize = 36;
    /// `TPACKET3_HDRLEN`: aligned header plus the `sockaddr_ll` after it.
    pub const HDRLEN: usize = 48 + 20;
}

/// `struct sock_filter`: one classic BPF instruction.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SockFilter {
    /// Opcode.
    pub code: u16,
    /// Jump offset if true.
    pub jt: u8,
    /// Jump offset if false.
    pub jf: u8,
    /// Constant.
    pub k: u32,
}

/// `struct sock_fprog`.
#[repr(C)]
pub struct SockFprog {
    /// Instruction count.
    pub len: u16,
    /// Instructions.
    pub filter: *const SockFilter,
}

/// `bpf(2)` commands.
pub mod bpf_cmd {
    /// Create a map.
    pub const MAP_CREATE: libc::c_long = 0;
    /// Insert or replace a map element.
    pub const MAP_UPDATE_ELEM: libc::c_long = 2;
    /// Remove a map element.
    pub const MAP_DELETE_ELEM: libc::c_long = 3;
    /// Load a program.
    pub const PROG_LOAD: libc::c_long = 5;
    /// Attach a program through a link (Linux 5.7; XDP links 5.9).
    pub const LINK_CREATE: libc::c_long = 28;
}

/// `BPF_MAP_TYPE_XSKMAP`.
pub const BPF_MAP_TYPE_XSKMAP: u32 = 17;
/// `BPF_PROG_TYPE_XDP`.
pub const BPF_PROG_TYPE_XDP: u32 = 6;
/// `BPF_XDP` attach type.
pub const BPF_XDP: u32 = 37;
/// `XDP_FLAGS_SKB_MODE`: generic XDP in the core receive path.
pub const XDP_FLAGS_SKB_MODE: u32 = 1 << 1;
/// `XDP_FLAGS_DRV_MODE`: native XDP in the driver.
pub const XDP_FLAGS_DRV_MODE: u32 = 1 << 2;

/// `ETHTOOL_GCHANNELS` ethtool command.
pub const ETHTOOL_GCHANNELS: u32 = 0x3c;

/// `struct ethtool_channels`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct EthtoolChannels {
    /// `ETHTOOL_GCHANNELS`.
    pub cmd: u32,
    /// Most RX-only channels the device supports.
    pub max_rx: u32,
    /// Most TX-only channels.
    pub max_tx: u32,
    /// Most other channels.
    pub max_other: u32,
    /// Most combined (RX+TX) channels.
    pub max_combined: u32,
    /// RX-only channels in use.
    pub rx_count: u32,
    /// TX-only channels in use.
    pub tx_count: u32,
    /// Other channels in use.
    pub other_count: u32,
    /// Combined channels in use.
    pub combined_count: u32,
}

/// `setsockopt(2)` with a plain value.
pub fn setsockopt<T>(fd: RawFd, level: libc::c_int, name: libc::c_int, v: &T) -> io::Result<()> {
    // SAFETY: `v` points to a live `T` of the length given.
    let r = unsafe {
        libc::setsockopt(
            fd,
            level,
            name,
            (v as *const T).cast(),
            std::mem::size_of::<T>() as libc::socklen_t,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Plain data the kernel may fill with any bytes: integers and `repr(C)`
/// structs of integers, with no pointers, references, enums or `bool`s,
/// for which every bit pattern is a valid value.
///
/// # Safety
/// Implement only for such types. The trait is sealed in practice: this
/// module is private to the crate, and every implementation is listed below.
pub unsafe trait PlainData: Copy {}

// SAFETY: integers: every bit pattern is a value.
unsafe impl PlainData for u32 {}
// SAFETY: as above.
unsafe impl PlainData for i32 {}
// SAFETY: three u32 counters.
unsafe impl PlainData for TpacketStatsV3 {}
// SAFETY: u32 flags.
unsafe impl PlainData for libc::xdp_options {}
// SAFETY: six u64 counters.
unsafe impl PlainData for libc::xdp_statistics {}
// SAFETY: four `xdp_ring_offset`s of four u64 offsets each.
unsafe impl PlainData for libc::xdp_mmap_offsets {}

/// `getsockopt(2)` into a plain value; returns the length the kernel wrote.
/// The kernel writes at most `size_of::<T>()` bytes, any bytes, which is
/// sound only because `T` is [`PlainData`].
pub fn getsockopt<T: PlainData>(
    fd: RawFd,
    level: libc::c_int,
    name: libc::c_int,
    v: &mut T,
) -> io::Result<usize> {
    let mut len = std::mem::size_of::<T>() as libc::socklen_t;
    // SAFETY: `v` is writable for `len` bytes, `len` is passed by pointer so
    // the kernel writes no more, and any bytes it writes form a valid `T`
    // (`T: PlainData`).
    let r = unsafe { libc::getsockopt(fd, level, name, (v as *mut T).cast(), &mut len) };
    if r == 0 {
        Ok(len as usize)
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Result of a libc call returning -1 on error.
pub fn cvt(r: libc::c_int) -> io::Result<libc::c_int> {
    if r < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::{offset_of, size_of};

    #[test]
    fn abi_sizes_match_the_kernel_headers() {
        assert_eq!(size_of::<TpacketReq3>(), 28);
        assert_eq!(size_of::<TpacketStatsV3>(), 12);
        assert_eq!(size_of::<PacketMreq>(), 16);
        assert_eq!(size_of::<SockFilter>(), 8);
        assert_eq!(size_of::<SockFprog>(), 16);
        assert_eq!(size_of::<EthtoolChannels>(), 36);
        assert_eq!(offset_of!(TpacketReq3, tp_retire_blk_tov), 16);
        assert_eq!(offset_of!(PacketMreq, mr_address), 8);
        assert_eq!(offset_of!(EthtoolChannels, combined_count), 32);
    }

    #[test]
    fn tpacket3_header_length_is_aligned_header_plus_sockaddr_ll() {
        // TPACKET_ALIGN(sizeof(struct tpacket3_hdr)) = 48, sizeof(struct sockaddr_ll) = 20.
        assert_eq!(size_of::<libc::sockaddr_ll>(), 20);
        assert_eq!(frame::HDRLEN, 68);
    }
}
