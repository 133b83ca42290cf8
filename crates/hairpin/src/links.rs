//! The vantage's links, from `links.toml`: which neighbour a frame was exchanged with.
//!
//! ```toml
//! router_mac = "02:00:00:00:00:01"   # optional: our side of the links
//! [[link]]
//! name = "SG transit"
//! vlan = 100                          # vlan and/or mac identify the link
//! mac = "02:00:00:00:a1:00"           # the neighbour router's MAC
//! asn = 7473
//! country = "SG"
//! ```
//!
//! A link matches a frame when its `vlan` (if given) equals the frame's outer
//! VLAN and its `mac` (if given) is the frame's source or destination MAC;
//! the first matching link in file order wins. The direction comes from the
//! neighbour's MAC (source = it came **in** from the neighbour, destination =
//! it went **out** to it), else from `router_mac`, else it is unknown.

use serde::Deserialize;
use std::fmt;
use std::path::Path;
use trombone_asdb::Country;
use trombone_packet::PacketMeta;

/// One link of the vantage: a neighbour network.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    /// Human name ("SG transit").
    pub name: String,
    /// VLAN id that identifies the link, if any.
    pub vlan: Option<u16>,
    /// The neighbour router's MAC, if known.
    pub mac: Option<[u8; 6]>,
    /// The neighbour's ASN (0 if not given).
    pub asn: u32,
    /// The neighbour's country, if given.
    pub country: Option<Country>,
}

/// Which way a frame crossed its link.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Came in from the neighbour.
    In,
    /// Went out to the neighbour.
    Out,
    /// Not known (no MAC to tell).
    Unknown,
}

/// Where one frame was seen: on which link (index into [`Links::links`]) and which way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sighting {
    /// Index of the link, `None` when no link matched.
    pub link: Option<u16>,
    /// Direction across that link.
    pub direction: Direction,
}

/// All links of the vantage.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Links {
    /// Our own router's MAC, if given.
    pub router_mac: Option<[u8; 6]>,
    /// The links in file order.
    pub links: Vec<Link>,
}

/// A links file that cannot be used, with the file name and position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinksError(pub String);

impl fmt::Display for LinksError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl std::error::Error for LinksError {}

/// The file as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    router_mac: Option<String>,
    #[serde(default)]
    link: Vec<RawLink>,
}

/// One `[[link]]` table as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLink {
    name: String,
    vlan: Option<u16>,
    mac: Option<String>,
    asn: Option<u32>,
    country: Option<String>,
}

/// Parses "02:00:00:00:a1:00" (or with dashes).
fn parse_mac(s: &str) -> Option<[u8; 6]> {
    let mut mac = [0u8; 6];
    let mut parts = s.split([':', '-']);
    for b in mac.iter_mut() {
        let p = parts.next()?;
        if p.len() != 2 {
            return None;
        }
        *b = u8::from_str_radix(p, 16).ok()?;
    }
    parts.next().is_none().then_some(mac)
}

impl Links {
    /// Reads and validates a links file.
    pub fn load(path: &Path) -> Result<Links, LinksError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| LinksError(format!("{}: {e}", path.display())))?;
        Links::parse(&text, &path.display().to_string())
    }

    /// Parses links TOML; `file` names the source in errors.
    pub fn parse(text: &str, file: &str) -> Result<Links, LinksError> {
        let raw: RawFile = toml::from_str(text).map_err(|e| LinksError(format!("{file}: {e}")))?;
        let router_mac = match raw.router_mac {
            Some(m) => Some(parse_mac(&m).ok_or_else(|| {
                LinksError(format!(
                    "{file}: router_mac {m:?} is not a MAC address like 02:00:00:00:00:01"
                ))
            })?),
            None => None,
        };
        let mut links = Vec::with_capacity(raw.link.len());
        for (i, l) in raw.link.into_iter().enumerate() {
            let at = format!("{file}: link #{} ({:?})", i + 1, l.name);
            let mac =
                match l.mac {
                    Some(m) => Some(parse_mac(&m).ok_or_else(|| {
                        LinksError(format!("{at}: mac {m:?} is not a MAC address"))
                    })?),
                    None => None,
                };
            if mac.is_none() && l.vlan.is_none() {
                return Err(LinksError(format!(
                    "{at}: give a vlan or a mac to identify the link"
                )));
            }
            if l.vlan.is_some_and(|v| v > 4095) {
                return Err(LinksError(format!("{at}: vlan must be 0..=4095")));
            }
            let country = match l.country {
                Some(c) => Some(c.to_ascii_uppercase().parse::<Country>().map_err(|_| {
                    LinksError(format!("{at}: country {c:?} is not a two-letter ISO code"))
                })?),
                None => None,
            };
            links.push(Link {
                name: l.name,
                vlan: l.vlan,
                mac,
                asn: l.asn.unwrap_or(0),
                country,
            });
        }
        if links.len() > usize::from(u16::MAX) {
            return Err(LinksError(format!("{file}: too many links")));
        }
        Ok(Links { router_mac, links })
    }

    /// Which link a packet was seen on, and which way it went.
    #[inline]
    pub fn identify(&self, m: &PacketMeta) -> Sighting {
        for (i, l) in self.links.iter().enumerate() {
            if l.vlan.is_some_and(|v| v != m.vlan) {
                continue;
            }
            let direction = match l.mac {
                Some(mac) if mac == m.src_mac => Direction::In,
                Some(mac) if mac == m.dst_mac => Direction::Out,
                Some(_) => continue,
                None => match self.router_mac {
                    Some(r) if r == m.src_mac => Direction::Out,
                    Some(r) if r == m.dst_mac => Direction::In,
                    _ => Direction::Unknown,
                },
            };
            return Sighting {
                link: Some(i as u16),
                direction,
            };
        }
        Sighting {
            link: None,
            direction: Direction::Unknown,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"
router_mac = "02:00:00:00:00:01"
[[link]]
name = "SG transit"
vlan = 100
mac = "02:00:00:00:a1:00"
asn = 7473
country = "SG"
[[link]]
name = "HK transit"
vlan = 200
asn = 3491
country = "hk"
[[link]]
name = "VN direct"
mac = "02:00:00:00:b2:00"
asn = 7552
country = "VN"
"#;

    fn pkt(vlan: u16, src_mac: [u8; 6], dst_mac: [u8; 6]) -> PacketMeta {
        PacketMeta {
            vlan,
            src_mac,
            dst_mac,
            ..PacketMeta::default()
        }
    }

    #[test]
    fn parses_and_identifies() {
        let l = Links::parse(FILE, "links.toml").unwrap();
        assert_eq!(l.links.len(), 3);
        assert_eq!(l.links[1].country.unwrap().to_string(), "HK");
        let router = [2, 0, 0, 0, 0, 1];
        let sg = [2, 0, 0, 0, 0xa1, 0];
        let vn = [2, 0, 0, 0, 0xb2, 0];
        let other = [2, 9, 9, 9, 9, 9];
        // in from SG on vlan 100
        let s = l.identify(&pkt(100, sg, router));
        assert_eq!((s.link, s.direction), (Some(0), Direction::In));
        // out to SG
        let s = l.identify(&pkt(100, router, sg));
        assert_eq!((s.link, s.direction), (Some(0), Direction::Out));
        // SG's MAC on the wrong VLAN does not match link 0
        assert_eq!(l.identify(&pkt(300, sg, router)).link, None);
        // HK by VLAN only, direction from router_mac
        let s = l.identify(&pkt(200, other, router));
        assert_eq!((s.link, s.direction), (Some(1), Direction::In));
        let s = l.identify(&pkt(200, router, other));
        assert_eq!((s.link, s.direction), (Some(1), Direction::Out));
        // VN by MAC on any VLAN
        let s = l.identify(&pkt(0, vn, router));
        assert_eq!((s.link, s.direction), (Some(2), Direction::In));
    }

    #[test]
    fn bad_files_name_the_problem() {
        let e = Links::parse("[[link]]\nname = \"x\"\n", "l.toml").unwrap_err();
        assert!(
            e.0.contains("l.toml") && e.0.contains("vlan or a mac"),
            "{e}"
        );
        let e = Links::parse("[[link]]\nname = \"x\"\nmac = \"02:00\"\n", "l.toml").unwrap_err();
        assert!(e.0.contains("not a MAC"), "{e}");
        let e =
            Links::parse("[[link]]\nname = \"x\"\nvlan = 5\ncolour = 1\n", "l.toml").unwrap_err();
        assert!(e.0.contains("l.toml"), "{e}");
        let e = Links::parse("router_mac = 5", "l.toml").unwrap_err();
        assert!(e.0.contains("l.toml"), "{e}");
        assert_eq!(parse_mac("02-00-00-00-a1-00"), Some([2, 0, 0, 0, 0xa1, 0]));
        assert_eq!(parse_mac("02:00:00:00:a1:00:00"), None);
    }
}
