//! MacLearner over the synthetic directory: attribution, conflicts, merging.

use std::net::IpAddr;
use std::path::Path;
use trombone_ixp::{IxpDirectory, LearnerStats, MacConflict, MacLearner};

fn dir() -> IxpDirectory {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    IxpDirectory::load(&[
        d.join("ixf-1.0-cnx-synthetic.json"),
        d.join("peeringdb/dump-synthetic.json"),
    ])
    .unwrap()
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

const M77: [u8; 6] = [0x02, 0, 0, 0, 0, 0x77];
const M78: [u8; 6] = [0x02, 0, 0, 0, 0, 0x78];

#[test]
fn learns_and_keeps_conflicts() {
    let d = dir();
    let mut l = MacLearner::new();
    // 192.0.2.30 is AS64503's (PeeringDB only: no MAC listed for it).
    assert_eq!(l.observe(&d, M77, ip("192.0.2.30"), Some(100)), Some(64503));
    assert_eq!(l.observe(&d, M77, ip("192.0.2.30"), Some(100)), Some(64503));
    assert_eq!(l.asn_of(&M77, Some(100)), Some(64503));
    assert_eq!(l.asn_of(&M77, None), Some(64503));
    // The same MAC now answers ARP for AS64497's address: conflicted, not overwritten.
    assert_eq!(l.observe(&d, M77, ip("192.0.2.12"), Some(100)), Some(64497));
    assert_eq!(l.asn_of(&M77, Some(100)), None);
    assert_eq!(
        l.mac_conflicts(),
        [
            MacConflict {
                mac: M77,
                vlan: None,
                asns: vec![64497, 64503]
            },
            MacConflict {
                mac: M77,
                vlan: Some(100),
                asns: vec![64497, 64503]
            }
        ]
    );
    // A second MAC for 192.0.2.30: an IP conflict; the new MAC still maps to AS64503.
    assert_eq!(l.observe(&d, M78, ip("192.0.2.30"), Some(100)), Some(64503));
    assert_eq!(l.asn_of(&M78, Some(100)), Some(64503));
    assert_eq!(l.ip_conflicts(), [(ip("192.0.2.30"), vec![M77, M78])]);
    // Ignored: broadcast MAC, ARP probe (0.0.0.0), DAD (::).
    assert_eq!(l.observe(&d, [0xff; 6], ip("192.0.2.30"), None), None);
    assert_eq!(l.observe(&d, M78, ip("0.0.0.0"), None), None);
    assert_eq!(l.observe(&d, M78, ip("::"), None), None);
    // Inside CNX's LAN but nobody's; outside every LAN.
    assert_eq!(l.observe(&d, M78, ip("192.0.2.250"), None), None);
    assert_eq!(l.observe(&d, M78, ip("100.64.0.1"), None), None);
    // AS64496's listed MAC answering for AS64497's address: disagrees with the directory.
    let m11 = [0x02, 0x00, 0x5e, 0x10, 0x00, 0x11];
    assert_eq!(l.observe(&d, m11, ip("192.0.2.12"), Some(100)), Some(64497));
    assert_eq!(
        l.stats(),
        LearnerStats {
            sightings: 10,
            attributed: 5,
            unknown_lan_ip: 1,
            unknown_ip: 1,
            ignored: 3,
            directory_disagreements: 1,
            mac_conflicts: 1,
            ip_conflicts: 2,
        }
    );
    assert_eq!(l.table().len(), 3);
}

#[test]
fn merge_is_like_observing_everything_in_one() {
    let d = dir();
    // Even ones to `a`, odd ones to `b`.
    let sightings = [
        (M77, "192.0.2.30"),
        (M77, "192.0.2.12"),
        (M78, "192.0.2.12"),
    ];
    let mut one = MacLearner::new();
    let (mut a, mut b) = (MacLearner::new(), MacLearner::new());
    for (i, (m, addr)) in sightings.iter().enumerate() {
        one.observe(&d, *m, ip(addr), Some(100));
        let half = if i % 2 == 0 { &mut a } else { &mut b };
        half.observe(&d, *m, ip(addr), Some(100));
    }
    // Neither half saw M77 with two ASNs, nor 192.0.2.12 with two MACs.
    for half in [&a, &b] {
        assert_eq!(half.stats().mac_conflicts, 0);
        assert_eq!(half.stats().ip_conflicts, 0);
    }
    a.merge(b);
    assert_eq!(a.stats(), one.stats());
    assert_eq!(a.mac_conflicts(), one.mac_conflicts());
    assert_eq!(a.ip_conflicts(), one.ip_conflicts());
    assert_eq!(a.asn_of(&M77, Some(100)), None);
    assert_eq!(a.asn_of(&M78, Some(100)), Some(64497));
    assert_eq!(one.stats().mac_conflicts, 1);
    assert_eq!(one.stats().ip_conflicts, 1);
}
