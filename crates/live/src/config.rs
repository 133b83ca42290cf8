//! What a live capture is asked to do: interface, engine, queues, filter,
//! ring and XDP settings.

use crate::afpacket::AfPacketOptions;
use crate::afxdp::XskOptions;

/// A capture engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    /// AF_XDP sockets, one per NIC receive queue, fed by an XDP program.
    AfXdp,
    /// AF_PACKET TPACKET_V3 rings in a fanout group.
    AfPacket,
    /// libpcap handles in a fanout group (cargo feature `libpcap`).
    Pcap,
}

impl Engine {
    /// Its name on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Engine::AfXdp => "afxdp",
            Engine::AfPacket => "afpacket",
            Engine::Pcap => "pcap",
        }
    }
}

/// Where the XDP program is attached.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum XdpAttach {
    /// Native (in the driver) if possible, generic otherwise.
    #[default]
    Auto,
    /// Native or fail.
    Native,
    /// Generic (in the core receive path).
    Generic,
}

/// A live capture request.
#[derive(Clone, Debug)]
pub struct LiveConfig {
    /// Interface name.
    pub interface: String,
    /// Engine; `None` picks the fastest that works on the interface.
    pub engine: Option<Engine>,
    /// Receive queues (AF_XDP) or number of fanout members (the others); `None` = all RX queues.
    pub queues: Option<Vec<u32>>,
    /// tcpdump-style filter expression (AF_PACKET, libpcap).
    pub filter: Option<String>,
    /// Ring, fanout, direction and promiscuity settings (AF_PACKET and libpcap; promiscuity for all).
    pub packet: AfPacketOptions,
    /// XDP attach mode.
    pub xdp_attach: XdpAttach,
    /// UMEM and bind settings of the XDP sockets.
    pub xsk: XskOptions,
}

impl LiveConfig {
    /// Defaults for `interface`: automatic engine, all queues, no filter.
    pub fn new(interface: &str) -> LiveConfig {
        LiveConfig {
            interface: interface.to_string(),
            engine: None,
            queues: None,
            filter: None,
            packet: AfPacketOptions::default(),
            xdp_attach: XdpAttach::Auto,
            xsk: XskOptions::default(),
        }
    }
}

/// Parses a list of indices like `0-3,6,8-9` (queues, CPUs), in the order given.
pub fn parse_index_list(s: &str) -> Result<Vec<u32>, String> {
    let mut out = Vec::new();
    for part in s.split(',').map(str::trim) {
        if part.is_empty() {
            return Err(format!("{s:?}: empty item"));
        }
        let num = |x: &str| {
            x.trim()
                .parse::<u32>()
                .map_err(|_| format!("{s:?}: {x:?} is not a number"))
        };
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (num(a)?, num(b)?);
                if a > b || b - a >= 4096 {
                    return Err(format!("{s:?}: bad range {part}"));
                }
                out.extend(a..=b);
            }
            None => out.push(num(part)?),
        }
    }
    let mut sorted = out.clone();
    sorted.sort_unstable();
    if sorted.windows(2).any(|w| w[0] == w[1]) {
        return Err(format!("{s:?}: an index is listed twice"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_lists_accept_ranges_and_singles() {
        assert_eq!(parse_index_list("0-3").unwrap(), vec![0, 1, 2, 3]);
        assert_eq!(parse_index_list("2,0, 5-6").unwrap(), vec![2, 0, 5, 6]);
        assert_eq!(parse_index_list("7").unwrap(), vec![7]);
    }

    #[test]
    fn bad_index_lists_are_rejected() {
        for bad in ["", "1,", "a", "3-1", "1-2,2", "0-99999", "-1"] {
            assert!(parse_index_list(bad).is_err(), "{bad:?}");
        }
    }
}
