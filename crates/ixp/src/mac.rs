//! MAC addresses: parsing, and a MAC → member ASN table that keeps conflicts instead of
//! overwriting.

use std::collections::HashMap;

/// Parses a MAC address: `00:0a:95:9d:68:16`, `00-0A-95-9D-68-16`, `000a.959d.6816` or
/// `000a959d6816` (any case). `None` for anything else.
pub fn parse_mac(s: &str) -> Option<[u8; 6]> {
    let s = s.trim();
    let mut hex = [0u8; 12];
    let mut n = 0usize;
    let bytes = s.as_bytes();
    // The separators allowed by each layout, checked by position below.
    let layout_ok = match bytes.len() {
        12 => true,
        17 => {
            let sep = bytes[2];
            (sep == b':' || sep == b'-') && [2, 5, 8, 11, 14].iter().all(|&i| bytes[i] == sep)
        }
        14 => bytes[4] == b'.' && bytes[9] == b'.',
        _ => false,
    };
    if !layout_ok {
        return None;
    }
    for &b in bytes {
        if b == b':' || b == b'-' || b == b'.' {
            continue;
        }
        let v = (b as char).to_digit(16)?;
        if n == 12 {
            return None;
        }
        hex[n] = v as u8;
        n += 1;
    }
    if n != 12 {
        return None;
    }
    let mut mac = [0u8; 6];
    for (i, m) in mac.iter_mut().enumerate() {
        *m = hex[2 * i] << 4 | hex[2 * i + 1];
    }
    Some(mac)
}

/// Formats a MAC as lowercase `xx:xx:xx:xx:xx:xx` (the IX-F export's own format).
pub fn format_mac(mac: &[u8; 6]) -> String {
    format!(
        "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
        mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]
    )
}

/// True for a MAC that names one station: not group (multicast/broadcast) and not all zero.
pub fn is_unicast_station(mac: &[u8; 6]) -> bool {
    mac[0] & 1 == 0 && *mac != [0; 6]
}

/// What a MAC (or a MAC on one VLAN) maps to.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Owner {
    /// One ASN.
    One(u32),
    /// Claimed by several ASNs (sorted, deduplicated): no answer is given.
    Conflict(Vec<u32>),
}

impl Owner {
    fn add(&mut self, asn: u32) -> bool {
        match self {
            Owner::One(a) if *a == asn => false,
            Owner::One(a) => {
                let mut v = vec![*a, asn];
                v.sort_unstable();
                *self = Owner::Conflict(v);
                true
            }
            Owner::Conflict(v) => {
                if let Err(i) = v.binary_search(&asn) {
                    v.insert(i, asn);
                }
                false
            }
        }
    }

    fn asn(&self) -> Option<u32> {
        match self {
            Owner::One(a) => Some(*a),
            Owner::Conflict(_) => None,
        }
    }
}

/// A MAC claimed by more than one ASN.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MacConflict {
    /// The MAC.
    pub mac: [u8; 6],
    /// The VLAN of the claims (`None`: claims without a VLAN, or across VLANs).
    pub vlan: Option<u16>,
    /// Every ASN that claimed it, ascending.
    pub asns: Vec<u32>,
}

/// MAC → ASN, per VLAN and across VLANs. A MAC claimed by two ASNs answers `None`, and is
/// listed by [`MacTable::conflicts`].
///
/// Lookup rule: with a VLAN, the claims made on that VLAN, else the claims made without one;
/// without a VLAN, all claims for the MAC on any VLAN (so it answers only when they agree).
#[derive(Clone, Debug, Default)]
pub struct MacTable {
    by_vlan: HashMap<([u8; 6], Option<u16>), Owner>,
    any_vlan: HashMap<[u8; 6], Owner>,
}

impl MacTable {
    /// An empty table.
    pub fn new() -> MacTable {
        MacTable::default()
    }

    /// Records that `asn` claims `mac` (on `vlan`, if known). Returns false when this made the
    /// MAC conflicted (it had another owner).
    pub fn insert(&mut self, mac: [u8; 6], vlan: Option<u16>, asn: u32) -> bool {
        let mut fresh_conflict = false;
        match self.by_vlan.get_mut(&(mac, vlan)) {
            Some(o) => fresh_conflict |= o.add(asn),
            None => {
                self.by_vlan.insert((mac, vlan), Owner::One(asn));
            }
        }
        match self.any_vlan.get_mut(&mac) {
            Some(o) => fresh_conflict |= o.add(asn),
            None => {
                self.any_vlan.insert(mac, Owner::One(asn));
            }
        }
        !fresh_conflict
    }

    /// The ASN owning `mac` (see the type's lookup rule), `None` if unknown or conflicted.
    pub fn get(&self, mac: &[u8; 6], vlan: Option<u16>) -> Option<u32> {
        match vlan {
            Some(_) => self
                .by_vlan
                .get(&(*mac, vlan))
                .or_else(|| self.by_vlan.get(&(*mac, None)))
                .and_then(Owner::asn),
            None => self.any_vlan.get(mac).and_then(Owner::asn),
        }
    }

    /// Number of distinct MACs in the table.
    pub fn len(&self) -> usize {
        self.any_vlan.len()
    }

    /// True when the table has no MAC.
    pub fn is_empty(&self) -> bool {
        self.any_vlan.is_empty()
    }

    /// Every conflicted MAC: per VLAN where the claims on one VLAN disagree, and with
    /// `vlan: None` where the claims across VLANs disagree. Sorted by MAC, then VLAN.
    pub fn conflicts(&self) -> Vec<MacConflict> {
        let mut out: Vec<MacConflict> = Vec::new();
        for ((mac, vlan), o) in &self.by_vlan {
            if let (Owner::Conflict(v), Some(_)) = (o, vlan) {
                out.push(MacConflict {
                    mac: *mac,
                    vlan: *vlan,
                    asns: v.clone(),
                });
            }
        }
        for (mac, o) in &self.any_vlan {
            if let Owner::Conflict(v) = o {
                out.push(MacConflict {
                    mac: *mac,
                    vlan: None,
                    asns: v.clone(),
                });
            }
        }
        out.sort_by_key(|c| (c.mac, c.vlan));
        out
    }

    /// Number of distinct MACs whose claims (across VLANs) disagree.
    pub fn conflicted_macs(&self) -> usize {
        self.any_vlan
            .values()
            .filter(|o| matches!(o, Owner::Conflict(_)))
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const M: [u8; 6] = [0x00, 0x0a, 0x95, 0x9d, 0x68, 0x16];

    #[test]
    fn parses_common_layouts() {
        assert_eq!(parse_mac("00:0a:95:9d:68:16"), Some(M));
        assert_eq!(parse_mac("00-0A-95-9D-68-16"), Some(M));
        assert_eq!(parse_mac("000a.959d.6816"), Some(M));
        assert_eq!(parse_mac(" 000A959D6816 "), Some(M));
        for bad in [
            "",
            "00:0a:95:9d:68",
            "00:0a:95:9d:68:1g",
            "00:0a-95:9d:68:16",
            "000a.959d.681",
            "00:0a:95:9d:68:16:00",
            "0:0a:95:9d:68:16:",
            "ü0:0a:95:9d:68:1",
        ] {
            assert_eq!(parse_mac(bad), None, "{bad}");
        }
        assert_eq!(format_mac(&M), "00:0a:95:9d:68:16");
        assert!(is_unicast_station(&M));
        assert!(!is_unicast_station(&[0xff; 6]));
        assert!(!is_unicast_station(&[0x01, 0, 0x5e, 0, 0, 1]));
        assert!(!is_unicast_station(&[0; 6]));
    }

    #[test]
    fn conflicts_are_kept_not_overwritten() {
        let mut t = MacTable::new();
        assert!(t.insert(M, Some(10), 64500));
        assert!(t.insert(M, Some(10), 64500));
        assert_eq!(t.get(&M, Some(10)), Some(64500));
        assert_eq!(t.get(&M, None), Some(64500));
        assert_eq!(t.get(&M, Some(11)), None);
        // Another ASN claims it on another VLAN: per-VLAN answers stay, the VLAN-less one goes.
        assert!(!t.insert(M, Some(11), 64501));
        assert_eq!(t.get(&M, Some(10)), Some(64500));
        assert_eq!(t.get(&M, Some(11)), Some(64501));
        assert_eq!(t.get(&M, None), None);
        assert_eq!(
            t.conflicts(),
            vec![MacConflict {
                mac: M,
                vlan: None,
                asns: vec![64500, 64501]
            }]
        );
        // A third claim on VLAN 10 conflicts there too.
        assert!(!t.insert(M, Some(10), 64502));
        assert_eq!(t.get(&M, Some(10)), None);
        assert_eq!(t.conflicts().len(), 2);
        assert_eq!(t.conflicted_macs(), 1);
        assert_eq!(t.len(), 1);
    }

    #[test]
    fn vlan_less_claims_answer_any_vlan() {
        let mut t = MacTable::new();
        t.insert(M, None, 64500);
        assert_eq!(t.get(&M, Some(7)), Some(64500));
        assert_eq!(t.get(&M, None), Some(64500));
    }
}
