//! IX-F Member Export loader (euro-ix json-schemas, versions 0.4 to 1.0).
//!
//! Read: `ixp_list[]` (`ixp_id`, `ixf_id`, `shortname`, `name`, `country`, `peeringdb_id`,
//! `vlan[]` with `ipv4`/`ipv6` `prefix` + `mask_length`) and `member_list[]` (`asnum`, `name`,
//! `member_type`, `connection_list[]` with `ixp_id`, `state`, `if_list[]` (`switch_id`,
//! `if_speed` in Mbit/s) and `vlan_list[]` (`vlan_id`, `ipv4`/`ipv6` with `address`,
//! `routeserver`, `mac_addresses[]`)). Version differences accepted: MACs as `mac_address`
//! (a string, 0.4/0.5, beside `ipv4`/`ipv6` in the vlan entry) or `mac_addresses` (a list,
//! 0.6 on, inside `ipv4`/`ipv6`), at either level; numbers given as strings; `null` for
//! absent. Every other key is ignored.

use crate::error::{IxpError, Warnings};
use crate::json::{Flag, Has, List, Num, Str};
use crate::mac::{is_unicast_station, parse_mac};
use crate::model::{
    country_code, parse_lan_ip, LanMac, LanPrefix, Origin, Port, RawFile, RawIxp, RawMember, Source,
};
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Deserialize)]
struct Export {
    #[serde(default)]
    version: Str,
    #[serde(default)]
    ixp_list: Has<List<IxfIxp>>,
    #[serde(default)]
    member_list: Has<List<IxfMember>>,
}

#[derive(Deserialize)]
struct IxfIxp {
    #[serde(default)]
    ixp_id: Num,
    #[serde(default)]
    ixf_id: Num,
    #[serde(default)]
    shortname: Str,
    #[serde(default)]
    name: Str,
    #[serde(default)]
    country: Str,
    #[serde(default)]
    peeringdb_id: Num,
    #[serde(default)]
    vlan: List<IxfLan>,
}

#[derive(Deserialize)]
struct IxfLan {
    #[serde(default)]
    ipv4: Option<IxfLanAf>,
    #[serde(default)]
    ipv6: Option<IxfLanAf>,
}

#[derive(Deserialize)]
struct IxfLanAf {
    #[serde(default)]
    prefix: Str,
    #[serde(default)]
    mask_length: Num,
}

#[derive(Deserialize)]
struct IxfMember {
    #[serde(default)]
    asnum: Num,
    #[serde(default)]
    name: Str,
    #[serde(default)]
    member_type: Str,
    #[serde(default)]
    connection_list: List<IxfConn>,
}

#[derive(Deserialize)]
struct IxfConn {
    #[serde(default)]
    ixp_id: Num,
    #[serde(default)]
    state: Str,
    #[serde(default)]
    if_list: List<IxfIf>,
    #[serde(default)]
    vlan_list: List<IxfVlan>,
}

#[derive(Deserialize)]
struct IxfIf {
    #[serde(default)]
    switch_id: Num,
    #[serde(default)]
    if_speed: Num,
}

#[derive(Deserialize)]
struct IxfVlan {
    #[serde(default)]
    vlan_id: Num,
    #[serde(default)]
    mac_address: List<Str>,
    #[serde(default)]
    mac_addresses: List<Str>,
    #[serde(default)]
    ipv4: Option<IxfAddr>,
    #[serde(default)]
    ipv6: Option<IxfAddr>,
}

#[derive(Deserialize)]
struct IxfAddr {
    #[serde(default)]
    address: Str,
    #[serde(default)]
    routeserver: Flag,
    #[serde(default)]
    mac_address: List<Str>,
    #[serde(default)]
    mac_addresses: List<Str>,
}

/// Connection states taken as "not on the peering LAN now" (compared case-insensitively).
/// Any other state, or none, is active.
pub const INACTIVE_STATES: &[&str] = &[
    "inactive",
    "disconnected",
    "down",
    "disabled",
    "deleted",
    "quarantine",
];

fn is_active(state: &Str) -> bool {
    match state.text() {
        None => true,
        Some(s) => !INACTIVE_STATES.iter().any(|x| x.eq_ignore_ascii_case(s)),
    }
}

/// Parses an IX-F Member Export. Returns what it held and the values it had to skip.
pub(crate) fn load(file: &str, data: &[u8]) -> Result<(RawFile, Warnings), IxpError> {
    let ex: Export = serde_json::from_slice(data).map_err(|e| IxpError::json(file, &e))?;
    if !ex.member_list.present {
        return Err(IxpError::file(
            file,
            "not an IX-F member export: no member_list",
        ));
    }
    if !ex.ixp_list.present {
        return Err(IxpError::file(file, "IX-F member export without ixp_list"));
    }
    let mut w = Warnings::default();
    let mut out = RawFile::default();
    if let Some(v) = ex.version.text() {
        if !matches!(v, "0.4" | "0.5" | "0.6" | "0.7" | "0.8" | "1.0") {
            w.push(
                file,
                "version",
                format!("schema version {v:?} not one of 0.4-1.0: read as 1.0"),
            );
        }
    }

    // ixp_list: the IXPs of this export, by their ixp_id.
    let mut by_ixp_id: HashMap<u64, usize> = HashMap::new();
    for (i, x) in ex.ixp_list.value.0.iter().enumerate() {
        let path = format!("ixp_list[{i}]");
        let Some(ixp_id) = x.ixp_id.0 else {
            w.push(
                file,
                format!("{path}.ixp_id"),
                "IXP without ixp_id: skipped",
            );
            continue;
        };
        if by_ixp_id.contains_key(&ixp_id) {
            w.push(
                file,
                format!("{path}.ixp_id"),
                format!("ixp_id {ixp_id} listed twice: the first kept"),
            );
            continue;
        }
        let country = match x.country.text() {
            None => None,
            Some(c) => {
                let cc = country_code(c);
                if cc.is_none() {
                    w.push(
                        file,
                        format!("{path}.country"),
                        format!("country {c:?} is not an ISO 3166-1 alpha-2 code: ignored"),
                    );
                }
                cc
            }
        };
        let mut lans = Vec::new();
        for (j, lan) in x.vlan.0.iter().enumerate() {
            for (af, a) in [("ipv4", &lan.ipv4), ("ipv6", &lan.ipv6)] {
                let Some(a) = a else { continue };
                let Some(p) = a.prefix.text() else { continue };
                let apath = format!("{path}.vlan[{j}].{af}");
                // The prefix may carry its own length; mask_length wins when given.
                let parsed = match (a.mask_length.0, p.split_once('/')) {
                    (Some(len), _) => u8::try_from(len)
                        .ok()
                        .and_then(|len| parse_lan_ip(p).and_then(|ip| LanPrefix::new(ip, len))),
                    (None, Some(_)) => LanPrefix::parse(p),
                    (None, None) => None,
                };
                match parsed {
                    Some(lp) => lans.push(lp),
                    None => w.push(
                        file,
                        format!("{apath}.prefix"),
                        format!("peering LAN prefix {p:?} with mask_length {:?} not understood: skipped", a.mask_length.0),
                    ),
                }
            }
        }
        by_ixp_id.insert(ixp_id, out.ixps.len());
        out.ixps.push(RawIxp {
            sources: vec![Source::IxF {
                file: file.to_string(),
                ixp_id,
            }],
            shortname: x.shortname.text().map(str::to_string),
            long_name: x.name.text().map(str::to_string),
            country,
            city: None,
            peeringdb_id: x.peeringdb_id.0.filter(|&v| v > 0),
            ixf_id: x.ixf_id.0.filter(|&v| v > 0),
            lans,
            from_ixf: true,
        });
    }
    if out.ixps.is_empty() {
        return Err(IxpError::path(
            file,
            "ixp_list",
            "no usable IXP in ixp_list",
        ));
    }

    for (i, m) in ex.member_list.value.0.iter().enumerate() {
        let path = format!("member_list[{i}]");
        let asn = match m.asnum.0 {
            Some(a) if (1..=u64::from(u32::MAX)).contains(&a) => a as u32,
            Some(a) => {
                w.push(
                    file,
                    format!("{path}.asnum"),
                    format!("AS number {a} out of range: member skipped"),
                );
                continue;
            }
            None => {
                w.push(
                    file,
                    format!("{path}.asnum"),
                    "member without asnum: skipped",
                );
                continue;
            }
        };
        if m.connection_list.0.is_empty() {
            w.push(
                file,
                format!("{path}.connection_list"),
                format!("AS{asn} has no connection: skipped"),
            );
            continue;
        }
        // One membership per IXP of this export, in order of first appearance.
        let mut per_ixp: Vec<RawMember> = Vec::new();
        for (k, c) in m.connection_list.0.iter().enumerate() {
            let cpath = format!("{path}.connection_list[{k}]");
            let ixp = match c.ixp_id.0 {
                Some(id) => by_ixp_id.get(&id).copied(),
                None if out.ixps.len() == 1 => Some(0),
                None => None,
            };
            let Some(ixp) = ixp else {
                w.push(
                    file,
                    format!("{cpath}.ixp_id"),
                    format!(
                        "connection of AS{asn} names ixp_id {:?}, not in ixp_list: skipped",
                        c.ixp_id.0
                    ),
                );
                continue;
            };
            let idx = match per_ixp.iter().position(|r| r.ixp == ixp) {
                Some(x) => x,
                None => {
                    per_ixp.push(RawMember {
                        file: file.to_string(),
                        ixp,
                        asn,
                        name: m.name.text().map(str::to_string),
                        member_type: m.member_type.text().map(str::to_ascii_lowercase),
                        origin: Origin::IxF,
                        ports: Vec::new(),
                        ips: Vec::new(),
                        macs: Vec::new(),
                        route_server: false,
                    });
                    per_ixp.len() - 1
                }
            };
            let rm = &mut per_ixp[idx];
            let active = is_active(&c.state);
            for ifc in &c.if_list.0 {
                rm.ports.push(Port {
                    speed_mbps: ifc.if_speed.0.unwrap_or(0),
                    switch_id: ifc.switch_id.0,
                    active,
                    origin: Origin::IxF,
                });
            }
            if !active {
                continue;
            }
            for (v, vl) in c.vlan_list.0.iter().enumerate() {
                let vpath = format!("{cpath}.vlan_list[{v}]");
                let vlan = match vl.vlan_id.0 {
                    None => None,
                    Some(id) => match u16::try_from(id) {
                        Ok(x) => Some(x),
                        Err(_) => {
                            w.push(
                                file,
                                format!("{vpath}.vlan_id"),
                                format!("vlan_id {id} too large: its MACs kept without a VLAN"),
                            );
                            None
                        }
                    },
                };
                let mut macs: Vec<(&Str, String)> = Vec::new();
                for (key, list) in [
                    ("mac_address", &vl.mac_address),
                    ("mac_addresses", &vl.mac_addresses),
                ] {
                    for (n, s) in list.0.iter().enumerate() {
                        macs.push((s, format!("{vpath}.{key}[{n}]")));
                    }
                }
                for (af, a) in [("ipv4", &vl.ipv4), ("ipv6", &vl.ipv6)] {
                    let Some(a) = a else { continue };
                    let apath = format!("{vpath}.{af}");
                    if a.routeserver.0 == Some(true) {
                        rm.route_server = true;
                    }
                    if let Some(s) = a.address.text() {
                        match parse_lan_ip(s) {
                            Some(ip) if ip.is_ipv4() == (af == "ipv4") => {
                                rm.ips.push((ip, format!("{apath}.address")))
                            }
                            _ => w.push(
                                file,
                                format!("{apath}.address"),
                                format!("{s:?} is not an {af} address: skipped"),
                            ),
                        }
                    }
                    for (key, list) in [
                        ("mac_address", &a.mac_address),
                        ("mac_addresses", &a.mac_addresses),
                    ] {
                        for (n, s) in list.0.iter().enumerate() {
                            macs.push((s, format!("{apath}.{key}[{n}]")));
                        }
                    }
                }
                for (s, mpath) in macs {
                    let Some(t) = s.text() else { continue };
                    match parse_mac(t) {
                        Some(mac) if is_unicast_station(&mac) => {
                            rm.macs.push((LanMac { mac, vlan }, mpath))
                        }
                        Some(_) => w.push(
                            file,
                            mpath,
                            format!("{t:?} is not a station's MAC (group or zero): skipped"),
                        ),
                        None => w.push(file, mpath, format!("{t:?} is not a MAC: skipped")),
                    }
                }
            }
        }
        out.members.extend(per_ixp);
    }
    Ok((out, w))
}
