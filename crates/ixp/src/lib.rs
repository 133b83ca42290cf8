//! IXP membership: IX-F Member Export and PeeringDB records.
//!
//! Which networks are members of which Internet Exchange Point, with their port speeds and
//! their addresses and MACs on the peering LAN, for two jobs: classifying frames captured on
//! a peering LAN (source/destination MAC → member ASN), and answering "could these two
//! networks have exchanged this traffic locally?" (IXPs in the zone where both are present).
//!
//! # Inputs
//! - **IX-F Member Export** JSON (euro-ix json-schemas, versions 0.4 to 1.0): the IXP's own
//!   list, the authoritative source for its members, ports and MACs. See [`ixf`] for the keys
//!   read and the version differences accepted.
//! - **PeeringDB** JSON: API responses of one object type (`{"data": [...]}`, from
//!   `/api/ix`, `/api/ixlan`, `/api/ixpfx`, `/api/net`, `/api/netixlan`) or a full dump
//!   (`{"net": {"data": [...]}, "ix": {"data": [...]}, ...}`); see [`peeringdb`].
//!
//! Unknown keys are ignored; numbers given as strings and `null` for absent values are
//! accepted. Errors ([`IxpError`]) name the file and the line/column (malformed JSON, a value
//! of the wrong type) or the JSON path (`member_list[3].connection_list[0]...`). A value that
//! cannot be used (an address that does not parse, an AS number out of range, a connection to
//! an IXP not in `ixp_list`) is skipped with a [`Warning`] naming its path, and the rest of the
//! file is used. Nothing here panics on any input.
//!
//! # Merge rules ([`DirectoryBuilder::build`])
//! - IXP records with the same PeeringDB id (PeeringDB `ix.id`, IX-F `peeringdb_id`) or the
//!   same IX-F id (`ixf_id`) are one IXP. Its name, long name and country come from the IX-F
//!   export when it gives them, else from PeeringDB (a country disagreement is a warning).
//!   A PeeringDB `netixlan` naming an `ix` not loaded makes an IXP named `PeeringDB ix N`.
//! - [`IxpId`]s are indexes sorted by (country, name, ids): they do not depend on the order
//!   in which files were added, but belong to one directory.
//! - A member is one ASN at one IXP; its ports, addresses and MACs are the union of every
//!   source's. Port capacity ([`Member::port_speed_mbps`]) is the sum of the active IX-F
//!   ports when the export gives any speed, else the sum of the operational PeeringDB ones —
//!   never both added together.
//! - Peering-LAN address → ASN: IX-F claims win over PeeringDB ones (a disagreement is a
//!   warning); two ASNs claiming one address within the same kind of source make it answer
//!   nothing ([`IxpDirectory::ip_conflicts`]). MACs come from IX-F exports only; a MAC claimed
//!   by two ASNs answers nothing ([`IxpDirectory::mac_conflicts`]).
//! - Connections whose IX-F `state` is one of [`INACTIVE_STATES`], and PeeringDB netixlans
//!   with `operational: false`, keep their ports (marked inactive) but give no address, MAC or
//!   capacity.
//!
//! # Use
//! ```
//! use trombone_ixp::{DirectoryBuilder, MacLearner};
//!
//! let ixf = br#"{"version": "1.0", "timestamp": "2024-01-01T00:00:00Z",
//!   "ixp_list": [{"ixp_id": 1, "ixf_id": 9, "shortname": "EX-IX", "country": "KH"}],
//!   "member_list": [
//!     {"asnum": 64500, "connection_list": [{"ixp_id": 1,
//!       "if_list": [{"switch_id": 1, "if_speed": 10000}],
//!       "vlan_list": [{"vlan_id": 10, "ipv4": {"address": "192.0.2.1",
//!                      "mac_addresses": ["02:00:00:00:00:01"]}}]}]},
//!     {"asnum": 64501, "connection_list": [{"ixp_id": 1,
//!       "vlan_list": [{"vlan_id": 10, "ipv4": {"address": "192.0.2.2"}}]}]}]}"#;
//! let mut b = DirectoryBuilder::new();
//! b.add_bytes("example-ixf.json", ixf).unwrap();
//! let dir = b.build();
//! let ex = dir.ixps()[0].id;
//! assert_eq!(dir.members_by_mac(&[2, 0, 0, 0, 0, 1], Some(10)), Some(64500));
//! assert_eq!(dir.port_speed_mbps(64500, ex), Some(10_000));
//! assert_eq!(dir.common_ixps(64500, 64501, &["KH", "VN"]), vec![ex]);
//!
//! // The second member's MAC is not listed: learn it from an ARP reply it sent.
//! let mut learner = MacLearner::new();
//! let mac = [2, 0, 0, 0, 0, 2];
//! learner.observe(&dir, mac, "192.0.2.2".parse().unwrap(), Some(10));
//! assert_eq!(learner.asn_of(&mac, Some(10)), Some(64501));
//! ```
//!
//! The VLAN in MAC lookups is the IX-F `vlan_id`, which the schema leaves to the IXP (most
//! use the 802.1Q tag of the peering LAN); pass `None` when unsure, which answers when every
//! claim for the MAC agrees.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod directory;
mod error;
pub mod ixf;
mod json;
mod learner;
mod mac;
mod model;
pub mod peeringdb;

pub use directory::{detect, DirectoryBuilder, FileInfo, Format, IpConflict, IxpDirectory};
pub use error::{IxpError, Location, Warning, MAX_WARNINGS};
pub use ixf::INACTIVE_STATES;
pub use learner::{LearnerStats, MacLearner};
pub use mac::{format_mac, is_unicast_station, parse_mac, MacConflict, MacTable};
pub use model::{Ixp, IxpId, LanMac, LanPrefix, Member, Origin, Port, Source};
