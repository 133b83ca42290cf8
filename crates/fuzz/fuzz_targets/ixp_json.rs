//! The IXP membership loaders (IX-F Member Export, PeeringDB) and the merged directory: never
//! panic; errors and warnings name the file; whatever is accepted answers its queries
//! consistently (ids, members, MACs, addresses, common IXPs, the MAC learner).
//!
//! Input: byte 0 picks the loader (0: detect by content, 1: IX-F, 2: PeeringDB) and, from
//! bit 2, the file names given (which tell a PeeringDB one-type file's type); the rest is up
//! to three files separated by a line `@@`, merged into one directory.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::collections::BTreeSet;
use std::net::IpAddr;
use trombone_ixp::{DirectoryBuilder, IxpId, MacLearner};

const NAMES: [[&str; 3]; 2] = [
    ["fuzz-a.json", "fuzz-b.json", "fuzz-c.json"],
    ["ix.json", "netixlan.json", "ixlan.json"],
];

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let names = NAMES[usize::from(mode >> 2) & 1];
    let mut b = DirectoryBuilder::new();
    for (i, part) in split(rest).into_iter().take(3).enumerate() {
        let name = names[i];
        let r = match mode & 3 {
            1 => b.add_ixf(name, part).map(|_| ()),
            2 => b.add_peeringdb(name, part).map(|_| ()),
            _ => b.add_bytes(name, part).map(|_| ()),
        };
        if let Err(e) = r {
            assert_eq!(e.file, name);
            assert!(e.to_string().starts_with(name), "{e}");
        }
    }
    let d = b.build();
    for w in d.warnings() {
        assert!(names.contains(&w.file.as_str()), "warning names no file: {w}");
    }
    assert!(d.warnings().len() as u64 <= d.warning_count());

    let mut asns = BTreeSet::new();
    let mut ips: Vec<IpAddr> = Vec::new();
    for (i, x) in d.ixps().iter().enumerate() {
        assert_eq!(x.id, IxpId(i as u32));
        assert_eq!(d.ixp(x.id), Some(x));
        let mut last = None;
        for m in d.members(x.id) {
            assert_eq!(m.ixp, x.id);
            assert!(last < Some(m.asn), "members not ascending");
            last = Some(m.asn);
            assert_eq!(d.member(m.asn, x.id), Some(m));
            assert!(d.ixps_of(m.asn).contains(&x.id));
            assert_eq!(d.port_speed_mbps(m.asn, x.id), m.port_speed_mbps());
            asns.insert(m.asn);
            for ip in &m.lan_ips {
                ips.push(*ip);
                if let Some(owner) = d.asn_by_lan_ip(*ip) {
                    // Whoever answers for it lists it somewhere.
                    assert!(d
                        .ixps_of(owner)
                        .iter()
                        .any(|&o| d.member(owner, o).is_some_and(|mm| mm.lan_ips.contains(ip))));
                }
                let _ = d.ixp_of_lan_ip(*ip);
            }
            for lm in &m.macs {
                for vlan in [lm.vlan, None] {
                    if let Some(owner) = d.members_by_mac(&lm.mac, vlan) {
                        assert!(d.ixps_of(owner).iter().any(|&o| d
                            .member(owner, o)
                            .is_some_and(|mm| mm.macs.iter().any(|x| x.mac == lm.mac))));
                    }
                }
            }
        }
    }
    assert_eq!(
        d.member_count(),
        d.ixps().iter().map(|x| d.members(x.id).len()).sum::<usize>()
    );
    let asns: Vec<u32> = asns.into_iter().take(8).collect();
    for &a in &asns {
        let ixps = d.ixps_of(a);
        assert!(ixps.windows(2).all(|w| w[0] < w[1]));
        for &c in &asns {
            let shared = d.shared_ixps(a, c);
            for zone in [&["KH", "VN"][..], &["mm"][..], &[][..]] {
                for id in d.common_ixps(a, c, zone) {
                    assert!(shared.contains(&id));
                    let cc = d.ixp(id).and_then(|x| x.country.clone()).unwrap();
                    assert!(zone.iter().any(|z| z.eq_ignore_ascii_case(&cc)));
                }
            }
        }
    }
    // ARP sightings from the members' own addresses, with MACs taken from the input.
    let mut l = MacLearner::new();
    for (i, ip) in ips.iter().take(64).enumerate() {
        let mut mac = [0x02, 0, 0, 0, 0, 0];
        mac[5] = rest.get(i).copied().unwrap_or(0);
        if let Some(asn) = l.observe(&d, mac, *ip, None) {
            assert_eq!(Some(asn), d.asn_by_lan_ip(*ip));
        }
        let _ = l.asn_of(&mac, None);
    }
    let s = l.stats();
    assert!(s.attributed + s.unknown_ip + s.unknown_lan_ip + s.ignored == s.sightings);
});

/// Splits at lines `@@`.
fn split(data: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i + 4 <= data.len() {
        if &data[i..i + 4] == b"\n@@\n" {
            out.push(&data[start..i]);
            start = i + 4;
            i = start;
        } else {
            i += 1;
        }
    }
    out.push(&data[start..]);
    out
}
