//! The directory's public records (IXPs, members, ports, peering-LAN prefixes) and the raw
//! records the loaders hand to the merge.

use std::fmt;
use std::net::IpAddr;

/// An IXP's index in an [`crate::IxpDirectory`] (valid for that directory only).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IxpId(pub u32);

impl fmt::Display for IxpId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ixp#{}", self.0)
    }
}

/// Which kind of source a record came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Origin {
    /// An IX-F Member Export (the IXP's own list).
    IxF,
    /// PeeringDB (what networks and IXPs entered there).
    PeeringDb,
}

/// Where an IXP record came from, with the ids that source gives it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Source {
    /// An `ixp_list[]` entry of an IX-F Member Export.
    IxF {
        /// The file, as named when loaded.
        file: String,
        /// Its `ixp_id` (the IXP's own id, local to the export).
        ixp_id: u64,
    },
    /// A PeeringDB `ix` object (or an `ix_id` that `netixlan` records referred to).
    PeeringDb {
        /// The file, as named when loaded.
        file: String,
        /// The PeeringDB ix id.
        ix_id: u64,
    },
}

/// A peering-LAN prefix (IPv4 or IPv6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LanPrefix {
    /// The network address (host bits cleared).
    pub addr: IpAddr,
    /// The prefix length.
    pub len: u8,
}

impl LanPrefix {
    /// A prefix from an address and length; `None` if the length is too long for the family.
    pub fn new(addr: IpAddr, len: u8) -> Option<LanPrefix> {
        let addr = match addr {
            IpAddr::V4(a) if len <= 32 => {
                let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
                IpAddr::V4((u32::from(a) & mask).into())
            }
            IpAddr::V6(a) if len <= 128 => {
                let mask = if len == 0 {
                    0
                } else {
                    u128::MAX << (128 - len)
                };
                IpAddr::V6((u128::from(a) & mask).into())
            }
            _ => return None,
        };
        Some(LanPrefix { addr, len })
    }

    /// Parses `203.0.113.0/24` or `2001:db8::/64`.
    pub fn parse(s: &str) -> Option<LanPrefix> {
        let (a, l) = s.trim().split_once('/')?;
        LanPrefix::new(a.trim().parse().ok()?, l.trim().parse().ok()?)
    }

    /// True when `ip` is inside the prefix.
    pub fn contains(&self, ip: IpAddr) -> bool {
        LanPrefix::new(ip, self.len).is_some_and(|p| p.addr == self.addr)
    }
}

impl fmt::Display for LanPrefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.len)
    }
}

/// An Internet Exchange Point, merged from every source that describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ixp {
    /// Its id in this directory.
    pub id: IxpId,
    /// Short name (IX-F `shortname`, else PeeringDB `name`, else `"PeeringDB ix N"`).
    pub name: String,
    /// Long name (IX-F `name`, else PeeringDB `name_long`), if given.
    pub long_name: Option<String>,
    /// ISO 3166-1 alpha-2 country, upper case, if given.
    pub country: Option<String>,
    /// City (PeeringDB `ix.city`), if given.
    pub city: Option<String>,
    /// PeeringDB ix id, if known (from PeeringDB or the IX-F `peeringdb_id`).
    pub peeringdb_id: Option<u64>,
    /// IX-F database id (`ixf_id`), if given.
    pub ixf_id: Option<u64>,
    /// Peering-LAN prefixes (IX-F `vlan[]`, PeeringDB `ixpfx`), sorted, deduplicated.
    pub lans: Vec<LanPrefix>,
    /// Every source record merged into this IXP, sorted.
    pub sources: Vec<Source>,
}

/// One port (interface or LAG) of a member at an IXP.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Port {
    /// Speed in Mbit/s (IX-F `if_speed`, PeeringDB `netixlan.speed`); 0 when not given.
    pub speed_mbps: u64,
    /// IX-F `switch_id`, if given.
    pub switch_id: Option<u64>,
    /// False for an IX-F connection whose `state` is inactive/disconnected, or a PeeringDB
    /// netixlan with `operational: false`.
    pub active: bool,
    /// Which source listed it.
    pub origin: Origin,
}

/// A MAC address a member uses on a peering LAN (IX-F `mac_addresses`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LanMac {
    /// The MAC.
    pub mac: [u8; 6],
    /// The IX-F `vlan_id` it was listed under, if any.
    pub vlan: Option<u16>,
}

/// A network's presence at one IXP, merged from every source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    /// The IXP.
    pub ixp: IxpId,
    /// The member's ASN.
    pub asn: u32,
    /// Name (IX-F member `name`, else PeeringDB `net.name`, else netixlan `name`), if given.
    pub name: Option<String>,
    /// IX-F `member_type` (`peering`, `ixp`, `routeserver`, `other`), if given.
    pub member_type: Option<String>,
    /// Ports from every source.
    pub ports: Vec<Port>,
    /// Peering-LAN addresses of active connections, sorted, deduplicated.
    pub lan_ips: Vec<IpAddr>,
    /// MACs of active connections, sorted, deduplicated.
    pub macs: Vec<LanMac>,
    /// True if any source says it peers with the IXP's route server.
    pub route_server: bool,
    /// Sources that list this member.
    pub origins: Vec<Origin>,
}

impl Member {
    /// Total port capacity in Mbit/s: the active IX-F ports if the IX-F export gives any speed,
    /// else the active PeeringDB ports; `None` when no source gives a speed.
    pub fn port_speed_mbps(&self) -> Option<u64> {
        for origin in [Origin::IxF, Origin::PeeringDb] {
            let sum = self
                .ports
                .iter()
                .filter(|p| p.origin == origin && p.active)
                .fold(0u64, |s, p| s.saturating_add(p.speed_mbps));
            if sum > 0 {
                return Some(sum);
            }
        }
        None
    }
}

/// A raw IXP record from one source, before merging.
#[derive(Clone, Debug, Default)]
pub(crate) struct RawIxp {
    pub sources: Vec<Source>,
    pub shortname: Option<String>,
    pub long_name: Option<String>,
    pub country: Option<String>,
    pub city: Option<String>,
    pub peeringdb_id: Option<u64>,
    pub ixf_id: Option<u64>,
    pub lans: Vec<LanPrefix>,
    /// True for an IX-F record (its names and country take precedence).
    pub from_ixf: bool,
}

/// A raw membership record (one IX-F member at one IXP, or one PeeringDB netixlan).
#[derive(Clone, Debug)]
pub(crate) struct RawMember {
    /// The file it came from.
    pub file: String,
    /// Index into the loader's `ixps`.
    pub ixp: usize,
    pub asn: u32,
    pub name: Option<String>,
    pub member_type: Option<String>,
    pub origin: Origin,
    pub ports: Vec<Port>,
    /// Addresses of active connections (with the JSON path they came from).
    pub ips: Vec<(IpAddr, String)>,
    pub macs: Vec<(LanMac, String)>,
    pub route_server: bool,
}

/// What one file contributed.
#[derive(Clone, Debug, Default)]
pub(crate) struct RawFile {
    pub ixps: Vec<RawIxp>,
    pub members: Vec<RawMember>,
}

/// Normalises a country code: two ASCII letters, upper-cased.
pub(crate) fn country_code(s: &str) -> Option<String> {
    let t = s.trim();
    (t.len() == 2 && t.bytes().all(|b| b.is_ascii_alphabetic())).then(|| t.to_ascii_uppercase())
}

/// Parses a peering-LAN address; tolerates a `/len` suffix (some exports give one).
pub(crate) fn parse_lan_ip(s: &str) -> Option<IpAddr> {
    let t = s.trim();
    let t = t.split_once('/').map_or(t, |(a, _)| a).trim();
    t.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes() {
        let p = LanPrefix::parse("203.0.113.77/24").unwrap();
        assert_eq!(p.to_string(), "203.0.113.0/24");
        assert!(p.contains("203.0.113.1".parse().unwrap()));
        assert!(!p.contains("203.0.114.1".parse().unwrap()));
        assert!(!p.contains("2001:db8::1".parse().unwrap()));
        let q = LanPrefix::parse("2001:db8:7::/48").unwrap();
        assert!(q.contains("2001:db8:7:ffff::1".parse().unwrap()));
        assert!(!q.contains("2001:db8:8::1".parse().unwrap()));
        assert_eq!(LanPrefix::parse("10.0.0.0/33"), None);
        assert_eq!(LanPrefix::parse("10.0.0.0"), None);
        assert!(LanPrefix::parse("0.0.0.0/0")
            .unwrap()
            .contains("8.8.8.8".parse().unwrap()));
    }

    #[test]
    fn codes_and_ips() {
        assert_eq!(country_code(" kh "), Some("KH".to_string()));
        assert_eq!(country_code("KHM"), None);
        assert_eq!(country_code("K1"), None);
        assert_eq!(
            parse_lan_ip("203.0.113.5/24"),
            Some("203.0.113.5".parse().unwrap())
        );
        assert_eq!(parse_lan_ip("nope"), None);
    }

    #[test]
    fn member_speed_prefers_ixf() {
        let port = |speed_mbps, active, origin| Port {
            speed_mbps,
            switch_id: None,
            active,
            origin,
        };
        let mut m = Member {
            ixp: IxpId(0),
            asn: 64500,
            name: None,
            member_type: None,
            ports: vec![
                port(10_000, true, Origin::PeeringDb),
                port(1_000, true, Origin::IxF),
                port(1_000, true, Origin::IxF),
                port(100_000, false, Origin::IxF),
            ],
            lan_ips: vec![],
            macs: vec![],
            route_server: false,
            origins: vec![],
        };
        assert_eq!(m.port_speed_mbps(), Some(2_000));
        m.ports.retain(|p| p.origin == Origin::PeeringDb);
        assert_eq!(m.port_speed_mbps(), Some(10_000));
        m.ports.clear();
        assert_eq!(m.port_speed_mbps(), None);
    }
}
