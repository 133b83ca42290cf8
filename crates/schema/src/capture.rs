//! The health of a live capture.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Health of one capture queue.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct QueueHealth {
    /// NIC receive queue (afxdp) or fanout member index (afpacket, pcap).
    pub queue: u32,
    /// Core the worker was pinned to (null: not pinned).
    pub cpu: Option<usize>,
    /// Frames captured.
    pub packets: u64,
    /// Their wire bytes.
    pub bytes: u64,
    /// Frames the kernel dropped because this queue's ring was full (afpacket, pcap).
    pub kernel_drops: u64,
    /// Frames the XDP socket dropped: no free UMEM chunk or RX ring full (afxdp).
    pub xdp_drops: u64,
    /// Frames stamped with the time their batch was read instead of their own
    /// arrival time (afxdp when the XDP program could not stamp them).
    #[serde(default)]
    pub batch_stamped: u64,
    /// Why this queue stopped being read early (null: it was read to the end).
    pub error: Option<String>,
}

/// How a live capture went: what was captured and what was lost.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CaptureHealth {
    /// "afxdp", "afpacket" or "pcap".
    pub engine: String,
    /// Interface name.
    pub interface: String,
    /// "xdp-native-zerocopy", "xdp-native-copy", "xdp-generic-copy", "tpacket_v3" or "libpcap".
    pub mode: String,
    /// Fanout mode (afpacket, pcap with several queues).
    pub fanout: Option<String>,
    /// Capture filter expression, if any.
    pub filter: Option<String>,
    /// Where the frames' timestamps come from, and on which clock.
    #[serde(default)]
    pub clock: String,
    /// False for a periodic snapshot, true for the result written at the end.
    #[serde(rename = "final")]
    pub is_final: bool,
    /// When capture started, ns since the Unix epoch.
    pub started_ns: i64,
    /// Seconds since then.
    pub elapsed_s: f64,
    /// CPU time (user + system) the capturing process has used so far, seconds.
    #[serde(default)]
    pub cpu_s: f64,
    /// Per queue.
    pub queues: Vec<QueueHealth>,
    /// Frames captured, all queues.
    pub packets: u64,
    /// Kernel ring drops, all queues.
    pub kernel_drops: u64,
    /// XDP socket drops, all queues.
    pub xdp_drops: u64,
    /// Frames without a timestamp of their own, all queues (see `queues[].batch_stamped`).
    #[serde(default)]
    pub batch_stamped: u64,
    /// Frames the NIC lost meanwhile before any capture saw them (rx_missed + rx_fifo +
    /// rx_over errors of the interface; with afxdp also rx_dropped, see
    /// `host_discards`). Null if unreadable.
    pub interface_drops: Option<u64>,
    /// The interface's rx_dropped meanwhile. With afpacket and pcap: frames the host
    /// stack received and then discarded (unhandled protocol, no VLAN device...), not
    /// capture loss, the capture saw them first. With afxdp the frames never reach the
    /// host stack, and rx_dropped counts frames the driver dropped before the XDP
    /// socket (e.g. veth's 256-frame XDP ring overflowing, a failed redirect): capture
    /// loss, so it is in `interface_drops` too. Null if unreadable.
    pub host_discards: Option<u64>,
    /// True when a second stop signal cut the final drain short: frames still in the
    /// rings then were not read, and the result is marked partial.
    #[serde(default)]
    pub drain_cut_short: bool,
    /// True when any of the drop counters above is non-zero, a queue failed or the
    /// drain was cut short: the matrices then do not cover all the traffic.
    pub dropped_any: bool,
    /// Why the engine or mode is not the first choice.
    pub notes: Vec<String>,
}
