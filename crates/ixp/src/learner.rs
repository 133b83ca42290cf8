//! Learning which member owns a MAC from ARP/ND sightings on a peering LAN.

use crate::directory::IxpDirectory;
use crate::mac::{is_unicast_station, MacConflict, MacTable};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::net::IpAddr;

/// Counts kept by a [`MacLearner`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LearnerStats {
    /// Sightings offered.
    pub sightings: u64,
    /// Sightings whose address belongs to a known member (the MAC was attributed).
    pub attributed: u64,
    /// Sightings from an address inside a known peering LAN but of no known member.
    pub unknown_lan_ip: u64,
    /// Sightings from an address outside every known peering LAN (or conflicted).
    pub unknown_ip: u64,
    /// Sightings ignored: group or zero MAC, or an unspecified/multicast address.
    pub ignored: u64,
    /// Attributed sightings whose MAC the IX-F exports give to another ASN.
    pub directory_disagreements: u64,
    /// Distinct MACs attributed to more than one ASN (they answer none).
    pub mac_conflicts: u64,
    /// Distinct addresses seen with more than one MAC (router swaps, VRRP, spoofing).
    pub ip_conflicts: u64,
}

/// Builds MAC → member ASN from (MAC, IP, VLAN) sightings taken from ARP and Neighbour
/// Discovery on a peering LAN, using [`IxpDirectory::asn_by_lan_ip`]: the address says which
/// member sent it, so its MAC is that member's.
///
/// A MAC attributed to two ASNs is not overwritten: it becomes conflicted, answers `None`, and
/// is counted and listed. An address seen with two MACs is counted and listed too; both MACs
/// still map to the address's ASN (a router swap or a VRRP pair is the usual cause).
///
/// What to feed it: ARP requests and replies (sender hardware and protocol address, including
/// gratuitous ARP); Neighbour Advertisements (target address and target link-layer address
/// option) and Neighbour Solicitations (source address and source link-layer address option).
/// Unspecified addresses (ARP probes, DAD) are ignored here.
#[derive(Clone, Debug, Default)]
pub struct MacLearner {
    table: MacTable,
    claims: HashSet<([u8; 6], Option<u16>, u32)>,
    ip_macs: HashMap<IpAddr, BTreeSet<[u8; 6]>>,
    stats: LearnerStats,
}

impl MacLearner {
    /// An empty learner.
    pub fn new() -> MacLearner {
        MacLearner::default()
    }

    /// Takes one sighting: `mac` used `ip` (on `vlan`, the frame's VLAN, if any). Returns the
    /// ASN the MAC was attributed to, if the address is a known member's.
    pub fn observe(
        &mut self,
        dir: &IxpDirectory,
        mac: [u8; 6],
        ip: IpAddr,
        vlan: Option<u16>,
    ) -> Option<u32> {
        self.stats.sightings += 1;
        if !is_unicast_station(&mac) || ip.is_unspecified() || ip.is_multicast() {
            self.stats.ignored += 1;
            return None;
        }
        let macs = self.ip_macs.entry(ip).or_default();
        if macs.insert(mac) && macs.len() == 2 {
            self.stats.ip_conflicts += 1;
        }
        let Some(asn) = dir.asn_by_lan_ip(ip) else {
            if dir.ixp_of_lan_ip(ip).is_some() {
                self.stats.unknown_lan_ip += 1;
            } else {
                self.stats.unknown_ip += 1;
            }
            return None;
        };
        self.stats.attributed += 1;
        if dir
            .members_by_mac(&mac, vlan)
            .is_some_and(|listed| listed != asn)
        {
            self.stats.directory_disagreements += 1;
        }
        if self.claims.insert((mac, vlan, asn)) {
            self.table.insert(mac, vlan, asn);
            self.stats.mac_conflicts = self.table.conflicted_macs() as u64;
        }
        Some(asn)
    }

    /// The ASN learned for `mac` (same VLAN rule as [`MacTable::get`]); `None` when not
    /// learned or conflicted.
    pub fn asn_of(&self, mac: &[u8; 6], vlan: Option<u16>) -> Option<u32> {
        self.table.get(mac, vlan)
    }

    /// The counts so far.
    pub fn stats(&self) -> LearnerStats {
        self.stats
    }

    /// The learned table.
    pub fn table(&self) -> &MacTable {
        &self.table
    }

    /// MACs attributed to several ASNs.
    pub fn mac_conflicts(&self) -> Vec<MacConflict> {
        self.table.conflicts()
    }

    /// Addresses seen with several MACs, sorted, each with its MACs ascending.
    pub fn ip_conflicts(&self) -> Vec<(IpAddr, Vec<[u8; 6]>)> {
        let mut v: Vec<_> = self
            .ip_macs
            .iter()
            .filter(|(_, m)| m.len() > 1)
            .map(|(ip, m)| (*ip, m.iter().copied().collect()))
            .collect();
        v.sort();
        v
    }

    /// Adds another learner's sightings (e.g. one per worker), as if they had been observed
    /// here: counts add, conflicts are recomputed over the union.
    pub fn merge(&mut self, other: MacLearner) {
        for (mac, vlan, asn) in other.claims {
            if self.claims.insert((mac, vlan, asn)) {
                self.table.insert(mac, vlan, asn);
            }
        }
        for (ip, macs) in other.ip_macs {
            self.ip_macs.entry(ip).or_default().extend(macs);
        }
        let o = other.stats;
        let s = &mut self.stats;
        s.sightings += o.sightings;
        s.attributed += o.attributed;
        s.unknown_lan_ip += o.unknown_lan_ip;
        s.unknown_ip += o.unknown_ip;
        s.ignored += o.ignored;
        s.directory_disagreements += o.directory_disagreements;
        s.mac_conflicts = self.table.conflicted_macs() as u64;
        s.ip_conflicts = self.ip_macs.values().filter(|m| m.len() > 1).count() as u64;
    }
}
