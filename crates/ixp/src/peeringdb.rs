//! PeeringDB loader: API responses (`{"data": [...], "meta": {...}}`, one object type per
//! file, or a bare list) and full dumps (`{"net": {"data": [...]}, "ix": {"data": [...]}, ...}`,
//! the shape of PeeringDB's own dump and of CAIDA's daily archive of it).
//!
//! Object types read (other types and other keys are ignored):
//! - `ix`: `id`, `name`, `name_long`, `country`, `city`;
//! - `ixlan`: `id`, `ix_id`;
//! - `ixpfx`: `ixlan_id`, `prefix`;
//! - `net`: `id`, `asn`, `name`;
//! - `netixlan`: `net_id`, `ix_id`, `ixlan_id`, `asn`, `ipaddr4`, `ipaddr6`, `speed` (Mbit/s),
//!   `is_rs_peer`, `operational`.
//!
//! Records with `status: "deleted"` are skipped. In a one-type file the type of each record is
//! told by its keys (`netixlan`: `asn` + `ixlan_id`; `ixpfx`: `prefix` + `ixlan_id`; `ixlan`:
//! `ix_id` without `asn`, `net_id` or `fac_id`; `net`: `asn` alone; `ix`: `name` + `country`
//! without address or coordinates), else by a token of the file name (`ix-0.json`,
//! `peeringdb_netixlan.json`).
//!
//! The tables of all PeeringDB files loaded are joined together when the directory is built,
//! so `ix`, `ixlan`, `ixpfx`, `net` and `netixlan` may come in separate files.

use crate::error::{IxpError, Warnings};
use crate::json::{Any, Flag, Has, List, Num, Str};
use crate::model::{
    country_code, parse_lan_ip, LanPrefix, Origin, Port, RawIxp, RawMember, Source,
};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;

#[derive(Deserialize, Default)]
struct PdbRec {
    #[serde(default)]
    id: Has<Num>,
    #[serde(default)]
    asn: Has<Num>,
    #[serde(default)]
    net_id: Has<Num>,
    #[serde(default)]
    ix_id: Has<Num>,
    #[serde(default)]
    ixlan_id: Has<Num>,
    #[serde(default)]
    name: Has<Str>,
    #[serde(default)]
    name_long: Has<Str>,
    #[serde(default)]
    country: Has<Str>,
    #[serde(default)]
    city: Has<Str>,
    #[serde(default)]
    ipaddr4: Has<Str>,
    #[serde(default)]
    ipaddr6: Has<Str>,
    #[serde(default)]
    speed: Has<Num>,
    #[serde(default)]
    is_rs_peer: Has<Flag>,
    #[serde(default)]
    operational: Has<Flag>,
    #[serde(default)]
    status: Has<Str>,
    #[serde(default)]
    prefix: Has<Str>,
    #[serde(default)]
    address1: Has<Any>,
    #[serde(default)]
    latitude: Has<Any>,
    #[serde(default)]
    fac_id: Has<Any>,
    #[serde(default)]
    zipcode: Has<Any>,
}

#[derive(Deserialize, Default)]
struct Wrap {
    #[serde(default)]
    data: List<PdbRec>,
}

#[derive(Deserialize)]
struct Top {
    #[serde(default)]
    data: Has<List<PdbRec>>,
    #[serde(default)]
    net: Option<Wrap>,
    #[serde(default)]
    ix: Option<Wrap>,
    #[serde(default)]
    ixlan: Option<Wrap>,
    #[serde(default)]
    netixlan: Option<Wrap>,
    #[serde(default)]
    ixpfx: Option<Wrap>,
}

/// The PeeringDB object types read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Net,
    Ix,
    IxLan,
    NetIxLan,
    IxPfx,
}

impl Kind {
    fn from_token(t: &str) -> Option<Kind> {
        match t {
            "net" => Some(Kind::Net),
            "ix" => Some(Kind::Ix),
            "ixlan" => Some(Kind::IxLan),
            "netixlan" => Some(Kind::NetIxLan),
            "ixpfx" => Some(Kind::IxPfx),
            _ => None,
        }
    }

    /// The object type named by a token of the file's name, if exactly one is.
    fn from_file_name(file: &str) -> Option<Kind> {
        let base = file.rsplit(['/', '\\']).next().unwrap_or(file);
        let mut found = None;
        for t in base
            .to_ascii_lowercase()
            .split(|c: char| !c.is_ascii_alphanumeric())
        {
            if let Some(k) = Kind::from_token(t) {
                if found.is_some_and(|f| f != k) {
                    return None;
                }
                found = Some(k);
            }
        }
        found
    }

    /// The object type told by a record's keys.
    fn from_keys(r: &PdbRec) -> Option<Kind> {
        if r.ixlan_id.present && r.asn.present {
            Some(Kind::NetIxLan)
        } else if r.ixlan_id.present && r.prefix.present {
            Some(Kind::IxPfx)
        } else if r.ix_id.present
            && !r.asn.present
            && !r.net_id.present
            && !r.fac_id.present
            && !r.ixlan_id.present
        {
            Some(Kind::IxLan)
        } else if r.asn.present && !r.ix_id.present && !r.ixlan_id.present {
            Some(Kind::Net)
        } else if r.name.present
            && r.country.present
            && !r.asn.present
            && !r.ix_id.present
            && !r.net_id.present
            && !r.ixlan_id.present
            && !r.fac_id.present
            && !r.address1.present
            && !r.latitude.present
            && !r.zipcode.present
        {
            Some(Kind::Ix)
        } else {
            None
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Net => "net",
            Kind::Ix => "ix",
            Kind::IxLan => "ixlan",
            Kind::NetIxLan => "netixlan",
            Kind::IxPfx => "ixpfx",
        }
    }
}

/// A PeeringDB `ix`.
#[derive(Clone, Debug)]
pub(crate) struct PdbIx {
    pub file: String,
    pub id: u64,
    pub name: Option<String>,
    pub name_long: Option<String>,
    pub country: Option<String>,
    pub city: Option<String>,
}

/// A PeeringDB `netixlan`.
#[derive(Clone, Debug)]
pub(crate) struct PdbNetIxLan {
    pub file: String,
    pub path: String,
    pub net_id: Option<u64>,
    pub asn: Option<u32>,
    pub ix_id: Option<u64>,
    pub ixlan_id: Option<u64>,
    pub ips: Vec<(IpAddr, String)>,
    pub speed: u64,
    pub rs: bool,
    pub operational: bool,
}

/// PeeringDB tables from one or more files.
#[derive(Clone, Debug, Default)]
pub(crate) struct PdbTables {
    pub ix: Vec<PdbIx>,
    /// (ixlan id, ix id)
    pub ixlan: Vec<(u64, u64)>,
    /// (ixlan id, prefix)
    pub ixpfx: Vec<(u64, LanPrefix)>,
    /// (net id, asn, name)
    pub net: Vec<(u64, u32, Option<String>)>,
    pub netixlan: Vec<PdbNetIxLan>,
    /// Records of no type read, or of a type not read.
    pub ignored: u64,
}

impl PdbTables {
    pub fn append(&mut self, mut o: PdbTables) {
        self.ix.append(&mut o.ix);
        self.ixlan.append(&mut o.ixlan);
        self.ixpfx.append(&mut o.ixpfx);
        self.net.append(&mut o.net);
        self.netixlan.append(&mut o.netixlan);
        self.ignored += o.ignored;
    }

    fn records(&self) -> usize {
        self.ix.len() + self.ixlan.len() + self.ixpfx.len() + self.net.len() + self.netixlan.len()
    }
}

fn asn_of(n: &Num, file: &str, path: &str, w: &mut Warnings) -> Option<u32> {
    match n.0 {
        Some(a) if (1..=u64::from(u32::MAX)).contains(&a) => Some(a as u32),
        Some(a) => {
            w.push(file, path, format!("AS number {a} out of range: ignored"));
            None
        }
        None => None,
    }
}

fn add(t: &mut PdbTables, w: &mut Warnings, file: &str, path: &str, kind: Kind, r: &PdbRec) {
    if r.status
        .value
        .text()
        .is_some_and(|s| s.eq_ignore_ascii_case("deleted"))
    {
        return;
    }
    let text = |s: &Has<Str>| s.value.text().map(str::to_string);
    match kind {
        Kind::Ix => {
            let Some(id) = r.id.value.0 else {
                w.push(file, format!("{path}.id"), "ix without id: skipped");
                return;
            };
            let country = match r.country.value.text() {
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
            t.ix.push(PdbIx {
                file: file.to_string(),
                id,
                name: text(&r.name),
                name_long: text(&r.name_long),
                country,
                city: text(&r.city),
            });
        }
        Kind::IxLan => match (r.id.value.0, r.ix_id.value.0) {
            (Some(id), Some(ix)) => t.ixlan.push((id, ix)),
            _ => w.push(file, path, "ixlan without id or ix_id: skipped"),
        },
        Kind::IxPfx => {
            let (Some(lan), Some(p)) = (r.ixlan_id.value.0, r.prefix.value.text()) else {
                w.push(file, path, "ixpfx without ixlan_id or prefix: skipped");
                return;
            };
            match LanPrefix::parse(p) {
                Some(lp) => t.ixpfx.push((lan, lp)),
                None => w.push(
                    file,
                    format!("{path}.prefix"),
                    format!("{p:?} is not a prefix: skipped"),
                ),
            }
        }
        Kind::Net => {
            let (Some(id), Some(asn)) = (
                r.id.value.0,
                asn_of(&r.asn.value, file, &format!("{path}.asn"), w),
            ) else {
                w.push(file, path, "net without id or valid asn: skipped");
                return;
            };
            t.net.push((id, asn, text(&r.name)));
        }
        Kind::NetIxLan => {
            let asn = asn_of(&r.asn.value, file, &format!("{path}.asn"), w);
            let net_id = r.net_id.value.0;
            let ix_id = r.ix_id.value.0;
            let ixlan_id = r.ixlan_id.value.0;
            if asn.is_none() && net_id.is_none() {
                w.push(file, path, "netixlan without asn or net_id: skipped");
                return;
            }
            if ix_id.is_none() && ixlan_id.is_none() {
                w.push(file, path, "netixlan without ix_id or ixlan_id: skipped");
                return;
            }
            let operational = r.operational.value.0 != Some(false);
            let mut ips = Vec::new();
            for (key, has, v4) in [
                ("ipaddr4", &r.ipaddr4, true),
                ("ipaddr6", &r.ipaddr6, false),
            ] {
                let Some(s) = has.value.text() else { continue };
                match parse_lan_ip(s) {
                    Some(ip) if ip.is_ipv4() == v4 => ips.push((ip, format!("{path}.{key}"))),
                    _ => w.push(
                        file,
                        format!("{path}.{key}"),
                        format!(
                            "{s:?} is not an IPv{} address: skipped",
                            if v4 { 4 } else { 6 }
                        ),
                    ),
                }
            }
            t.netixlan.push(PdbNetIxLan {
                file: file.to_string(),
                path: path.to_string(),
                net_id,
                asn,
                ix_id,
                ixlan_id,
                ips,
                speed: r.speed.value.0.unwrap_or(0),
                rs: r.is_rs_peer.value.0 == Some(true),
                operational,
            });
        }
    }
}

/// Parses one PeeringDB file into tables (joined with the other files' by [`resolve`]).
pub(crate) fn load(file: &str, data: &[u8]) -> Result<(PdbTables, Warnings), IxpError> {
    let mut t = PdbTables::default();
    let mut w = Warnings::default();
    let hint = Kind::from_file_name(file);
    let first = data.iter().find(|b| !b.is_ascii_whitespace()).copied();
    let one_type = |t: &mut PdbTables, w: &mut Warnings, prefix: &str, recs: &[PdbRec]| {
        for (i, r) in recs.iter().enumerate() {
            match Kind::from_keys(r).or(hint) {
                Some(k) => add(t, w, file, &format!("{prefix}[{i}]"), k, r),
                None => t.ignored += 1,
            }
        }
    };
    if first == Some(b'[') {
        let recs: List<PdbRec> =
            serde_json::from_slice(data).map_err(|e| IxpError::json(file, &e))?;
        one_type(&mut t, &mut w, "", &recs.0);
    } else {
        let top: Top = serde_json::from_slice(data).map_err(|e| IxpError::json(file, &e))?;
        let mut any = top.data.present;
        if top.data.present {
            one_type(&mut t, &mut w, "data", &top.data.value.0);
        }
        for (kind, wrap) in [
            (Kind::Ix, &top.ix),
            (Kind::IxLan, &top.ixlan),
            (Kind::IxPfx, &top.ixpfx),
            (Kind::Net, &top.net),
            (Kind::NetIxLan, &top.netixlan),
        ] {
            let Some(wrap) = wrap else { continue };
            any = true;
            for (i, r) in wrap.data.0.iter().enumerate() {
                add(
                    &mut t,
                    &mut w,
                    file,
                    &format!("{}.data[{i}]", kind.name()),
                    kind,
                    r,
                );
            }
        }
        if !any {
            return Err(IxpError::file(
                file,
                "not a PeeringDB file: no data, net, ix, ixlan, netixlan or ixpfx at the top level",
            ));
        }
    }
    if t.records() == 0 && t.ignored > 0 {
        w.push(
            file,
            "",
            format!(
                "none of its {} records is a net, ix, ixlan, netixlan or ixpfx",
                t.ignored
            ),
        );
    }
    Ok((t, w))
}

/// Joins the PeeringDB tables into IXP and membership records.
pub(crate) fn resolve(
    t: &PdbTables,
    w: &mut Warnings,
) -> (Vec<RawIxp>, Vec<RawMember>, Vec<(u32, String)>) {
    // ix id -> index into ixps (BTreeMap: deterministic order).
    let mut ix_index: BTreeMap<u64, usize> = BTreeMap::new();
    let mut ixps: Vec<RawIxp> = Vec::new();
    for x in &t.ix {
        if ix_index.contains_key(&x.id) {
            // The same ix in two files: the first kept, the other's file named as a source.
            let i = ix_index[&x.id];
            let s = Source::PeeringDb {
                file: x.file.clone(),
                ix_id: x.id,
            };
            if !ixps[i].sources.contains(&s) {
                ixps[i].sources.push(s);
            }
            continue;
        }
        ix_index.insert(x.id, ixps.len());
        ixps.push(RawIxp {
            sources: vec![Source::PeeringDb {
                file: x.file.clone(),
                ix_id: x.id,
            }],
            shortname: x.name.clone(),
            long_name: x.name_long.clone(),
            country: x.country.clone(),
            city: x.city.clone(),
            peeringdb_id: Some(x.id),
            ixf_id: None,
            lans: Vec::new(),
            from_ixf: false,
        });
    }
    let ixlan_ix: HashMap<u64, u64> = t.ixlan.iter().copied().collect();
    let net_asn: HashMap<u64, u32> = t.net.iter().map(|(id, asn, _)| (*id, *asn)).collect();
    let mut members = Vec::new();
    for n in &t.netixlan {
        let asn = n
            .asn
            .or_else(|| n.net_id.and_then(|id| net_asn.get(&id).copied()));
        let Some(asn) = asn else {
            w.push(
                &n.file,
                format!("{}.net_id", n.path),
                format!("net_id {:?} is in no loaded net record: skipped", n.net_id),
            );
            continue;
        };
        let ix = n
            .ix_id
            .or_else(|| n.ixlan_id.and_then(|l| ixlan_ix.get(&l).copied()));
        let Some(ix) = ix else {
            w.push(
                &n.file,
                format!("{}.ixlan_id", n.path),
                format!(
                    "ixlan_id {:?} is in no loaded ixlan record: skipped",
                    n.ixlan_id
                ),
            );
            continue;
        };
        let ixp = *ix_index.entry(ix).or_insert_with(|| {
            ixps.push(RawIxp {
                sources: vec![Source::PeeringDb {
                    file: n.file.clone(),
                    ix_id: ix,
                }],
                peeringdb_id: Some(ix),
                ..RawIxp::default()
            });
            ixps.len() - 1
        });
        members.push(RawMember {
            file: n.file.clone(),
            ixp,
            asn,
            name: None,
            member_type: None,
            origin: Origin::PeeringDb,
            ports: vec![Port {
                speed_mbps: n.speed,
                switch_id: None,
                active: n.operational,
                origin: Origin::PeeringDb,
            }],
            ips: if n.operational {
                n.ips.clone()
            } else {
                Vec::new()
            },
            macs: Vec::new(),
            route_server: n.rs,
        });
    }
    for (lan, p) in &t.ixpfx {
        if let Some(&ix) = ixlan_ix.get(lan) {
            if let Some(&i) = ix_index.get(&ix) {
                ixps[i].lans.push(*p);
            }
        }
    }
    let names = t
        .net
        .iter()
        .filter_map(|(_, asn, name)| name.clone().map(|n| (*asn, n)))
        .collect();
    (ixps, members, names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_from_file_name() {
        assert_eq!(Kind::from_file_name("ix-0.json"), Some(Kind::Ix));
        assert_eq!(
            Kind::from_file_name("/tmp/net/peeringdb_netixlan.json"),
            Some(Kind::NetIxLan)
        );
        assert_eq!(Kind::from_file_name("dump.json"), None);
        assert_eq!(Kind::from_file_name("net-and-ix.json"), None);
        assert_eq!(Kind::from_file_name("netix.json"), None);
    }

    #[test]
    fn kind_from_keys() {
        let k = |s: &str| Kind::from_keys(&serde_json::from_str::<PdbRec>(s).unwrap());
        assert_eq!(
            k(r#"{"id":1,"net_id":2,"ix_id":3,"ixlan_id":3,"asn":64500}"#),
            Some(Kind::NetIxLan)
        );
        assert_eq!(
            k(r#"{"id":1,"ixlan_id":3,"prefix":"192.0.2.0/24","protocol":"IPv4"}"#),
            Some(Kind::IxPfx)
        );
        assert_eq!(k(r#"{"id":3,"ix_id":3,"mtu":1500}"#), Some(Kind::IxLan));
        assert_eq!(k(r#"{"id":5,"asn":64500,"name":"x"}"#), Some(Kind::Net));
        assert_eq!(
            k(r#"{"id":3,"name":"X-IX","country":"KH","city":"Phnom Penh"}"#),
            Some(Kind::Ix)
        );
        // fac, ixfac, netfac, org: none of ours.
        assert_eq!(
            k(r#"{"id":9,"name":"DC","country":"KH","city":"P","address1":"","latitude":null}"#),
            None
        );
        assert_eq!(k(r#"{"id":9,"ix_id":3,"fac_id":4}"#), None);
        assert_eq!(k(r#"{"id":9,"net_id":3,"fac_id":4}"#), None);
    }
}
