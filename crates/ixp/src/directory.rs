//! The merged IXP directory: loading files, merging IXPs and members across sources, and the
//! queries the classifier needs.

use crate::error::{IxpError, Location, Warning, Warnings};
use crate::ixf;
use crate::mac::{MacConflict, MacTable};
use crate::model::{Ixp, IxpId, LanMac, Member, Origin, RawFile, RawIxp, RawMember, Source};
use crate::peeringdb::{self, PdbTables};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::IpAddr;
use std::path::Path;

/// The kind of a membership file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// IX-F Member Export JSON.
    IxF,
    /// PeeringDB JSON (API response or full dump).
    PeeringDb,
}

/// Tells an IX-F export from PeeringDB JSON by content: a `"member_list"` key means IX-F;
/// otherwise JSON that opens with `{` or `[` is taken as PeeringDB. `None` for anything else.
pub fn detect(data: &[u8]) -> Option<Format> {
    const KEY: &[u8] = b"\"member_list\"";
    let first = data.iter().find(|b| !b.is_ascii_whitespace())?;
    if *first != b'{' && *first != b'[' {
        return None;
    }
    if data.windows(KEY.len()).any(|w| w == KEY) {
        Some(Format::IxF)
    } else {
        Some(Format::PeeringDb)
    }
}

/// What one loaded file held.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileInfo {
    /// The file, as named when loaded.
    pub file: String,
    /// Its format.
    pub format: Format,
    /// IXP records read (IX-F `ixp_list` entries, PeeringDB `ix` objects).
    pub ixps: usize,
    /// Membership records read (IX-F member × IXP, PeeringDB `netixlan`).
    pub members: usize,
}

/// One peering-LAN address claimed by several ASNs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IpConflict {
    /// The address.
    pub ip: IpAddr,
    /// Every ASN that claimed it (within the winning source kind), ascending.
    pub asns: Vec<u32>,
}

/// Collects IX-F and PeeringDB files, then merges them into an [`IxpDirectory`].
#[derive(Debug, Default)]
pub struct DirectoryBuilder {
    ixf: Vec<RawFile>,
    pdb: PdbTables,
    warnings: Warnings,
    files: Vec<FileInfo>,
}

impl DirectoryBuilder {
    /// An empty builder.
    pub fn new() -> DirectoryBuilder {
        DirectoryBuilder::default()
    }

    /// Adds an IX-F Member Export; `name` is used in errors and sources.
    pub fn add_ixf(&mut self, name: &str, data: &[u8]) -> Result<&mut Self, IxpError> {
        let (raw, w) = ixf::load(name, data)?;
        self.files.push(FileInfo {
            file: name.to_string(),
            format: Format::IxF,
            ixps: raw.ixps.len(),
            members: raw.members.len(),
        });
        self.warnings.extend(w);
        self.ixf.push(raw);
        Ok(self)
    }

    /// Adds a PeeringDB file (one object type, or a full dump); `name` is used in errors,
    /// sources, and (its tokens) to tell a one-type file's type when its records do not.
    pub fn add_peeringdb(&mut self, name: &str, data: &[u8]) -> Result<&mut Self, IxpError> {
        let (t, w) = peeringdb::load(name, data)?;
        self.files.push(FileInfo {
            file: name.to_string(),
            format: Format::PeeringDb,
            ixps: t.ix.len(),
            members: t.netixlan.len(),
        });
        self.warnings.extend(w);
        self.pdb.append(t);
        Ok(self)
    }

    /// Adds a file of either format, told by [`detect`].
    pub fn add_bytes(&mut self, name: &str, data: &[u8]) -> Result<&mut Self, IxpError> {
        match detect(data) {
            Some(Format::IxF) => self.add_ixf(name, data),
            Some(Format::PeeringDb) => self.add_peeringdb(name, data),
            None => Err(IxpError::file(
                name,
                "neither an IX-F member export nor PeeringDB JSON (not a JSON object or list)",
            )),
        }
    }

    /// Reads and adds a file of either format.
    pub fn add_path(&mut self, path: &Path) -> Result<&mut Self, IxpError> {
        let name = path.display().to_string();
        let data = std::fs::read(path).map_err(|e| IxpError::file(&name, e.to_string()))?;
        self.add_bytes(&name, &data)
    }

    /// Merges everything added into a directory (see the crate docs for the merge rules).
    pub fn build(self) -> IxpDirectory {
        let mut warnings = self.warnings;
        let (pdb_ixps, pdb_members, pdb_names) = peeringdb::resolve(&self.pdb, &mut warnings);

        // Every raw IXP, globally indexed; members re-pointed at the global index.
        let mut raw_ixps: Vec<RawIxp> = Vec::new();
        let mut raw_members: Vec<RawMember> = Vec::new();
        for f in self.ixf {
            let base = raw_ixps.len();
            raw_ixps.extend(f.ixps);
            for mut m in f.members {
                m.ixp += base;
                raw_members.push(m);
            }
        }
        let base = raw_ixps.len();
        raw_ixps.extend(pdb_ixps);
        for mut m in pdb_members {
            m.ixp += base;
            raw_members.push(m);
        }

        // Union IXP records that share a PeeringDB id or an IX-F id.
        let mut uf: Vec<usize> = (0..raw_ixps.len()).collect();
        fn find(uf: &mut [usize], mut x: usize) -> usize {
            while uf[x] != x {
                uf[x] = uf[uf[x]];
                x = uf[x];
            }
            x
        }
        let mut by_pdb: HashMap<u64, usize> = HashMap::new();
        let mut by_ixf: HashMap<u64, usize> = HashMap::new();
        for (i, r) in raw_ixps.iter().enumerate() {
            for (key, map) in [(r.peeringdb_id, &mut by_pdb), (r.ixf_id, &mut by_ixf)] {
                let Some(k) = key else { continue };
                match map.get(&k) {
                    Some(&j) => {
                        let (a, b) = (find(&mut uf, i), find(&mut uf, j));
                        uf[a.max(b)] = a.min(b);
                    }
                    None => {
                        map.insert(k, i);
                    }
                }
            }
        }
        let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for i in 0..raw_ixps.len() {
            let root = find(&mut uf, i);
            groups.entry(root).or_default().push(i);
        }

        // One merged IXP per group; IX-F records first for names and country.
        let mut merged: Vec<(Ixp, Vec<usize>)> = Vec::new();
        for (_, mut idx) in groups {
            idx.sort_by_key(|&i| (!raw_ixps[i].from_ixf, i));
            let recs: Vec<&RawIxp> = idx.iter().map(|&i| &raw_ixps[i]).collect();
            let first = |f: &dyn Fn(&RawIxp) -> Option<String>| recs.iter().find_map(|r| f(r));
            let peeringdb_id = recs.iter().filter_map(|r| r.peeringdb_id).min();
            let ixf_id = recs.iter().filter_map(|r| r.ixf_id).min();
            let mut sources: Vec<Source> = recs.iter().flat_map(|r| r.sources.clone()).collect();
            sources.sort();
            sources.dedup();
            let name = first(&|r| r.shortname.clone())
                .or_else(|| first(&|r| r.long_name.clone()))
                .unwrap_or_else(|| match (&sources[0], peeringdb_id) {
                    (_, Some(id)) => format!("PeeringDB ix {id}"),
                    (Source::IxF { ixp_id, .. }, None) => format!("IX-F ixp_id {ixp_id}"),
                    (Source::PeeringDb { ix_id, .. }, None) => format!("PeeringDB ix {ix_id}"),
                });
            let countries: BTreeSet<&str> =
                recs.iter().filter_map(|r| r.country.as_deref()).collect();
            if countries.len() > 1 {
                warnings.push(
                    &source_file(&sources[0]),
                    "",
                    format!(
                        "IXP {name}: sources disagree on the country ({}): the IX-F export's (else the first) is used",
                        countries.into_iter().collect::<Vec<_>>().join(", ")
                    ),
                );
            }
            let pdb_ids: BTreeSet<u64> = recs.iter().filter_map(|r| r.peeringdb_id).collect();
            if pdb_ids.len() > 1 {
                warnings.push(
                    &source_file(&sources[0]),
                    "",
                    format!("IXP {name}: records with one ixf_id name several PeeringDB ids {pdb_ids:?}: the lowest is used"),
                );
            }
            let mut lans: Vec<_> = recs.iter().flat_map(|r| r.lans.iter().copied()).collect();
            lans.sort();
            lans.dedup();
            merged.push((
                Ixp {
                    id: IxpId(0),
                    name,
                    long_name: first(&|r| r.long_name.clone()),
                    country: first(&|r| r.country.clone()),
                    city: first(&|r| r.city.clone()),
                    peeringdb_id,
                    ixf_id,
                    lans,
                    sources,
                },
                idx,
            ));
        }
        // Ids independent of the order files were added in.
        merged.sort_by(|a, b| {
            (
                &a.0.country,
                &a.0.name,
                a.0.peeringdb_id,
                a.0.ixf_id,
                &a.0.sources,
            )
                .cmp(&(
                    &b.0.country,
                    &b.0.name,
                    b.0.peeringdb_id,
                    b.0.ixf_id,
                    &b.0.sources,
                ))
        });
        let mut raw_to_id = vec![IxpId(0); raw_ixps.len()];
        let mut ixps = Vec::with_capacity(merged.len());
        for (n, (mut ixp, idx)) in merged.into_iter().enumerate() {
            let id = IxpId(n as u32);
            ixp.id = id;
            for i in idx {
                raw_to_id[i] = id;
            }
            ixps.push(ixp);
        }

        // Names of networks: IX-F member names first, then PeeringDB net names.
        let mut as_names: HashMap<u32, String> = HashMap::new();
        for m in raw_members.iter().filter(|m| m.origin == Origin::IxF) {
            if let Some(n) = &m.name {
                as_names.entry(m.asn).or_insert_with(|| n.clone());
            }
        }
        let mut pdb_name: HashMap<u32, String> = HashMap::new();
        for (asn, n) in pdb_names {
            pdb_name.entry(asn).or_insert_with(|| n.clone());
            as_names.entry(asn).or_insert(n);
        }

        // Members per (IXP, ASN), and the IP and MAC claims with their places.
        let mut members: BTreeMap<(IxpId, u32), Member> = BTreeMap::new();
        let mut ip_claims: Vec<(IpAddr, u32, Origin, String, String)> = Vec::new();
        let mut macs = MacTable::new();
        let mut mac_claims: Vec<(LanMac, u32, String, String)> = Vec::new();
        for m in raw_members {
            let file = m.file;
            let id = raw_to_id[m.ixp];
            let e = members.entry((id, m.asn)).or_insert_with(|| Member {
                ixp: id,
                asn: m.asn,
                name: None,
                member_type: None,
                ports: Vec::new(),
                lan_ips: Vec::new(),
                macs: Vec::new(),
                route_server: false,
                origins: Vec::new(),
            });
            if e.name.is_none() {
                e.name = m.name.clone();
            }
            if e.member_type.is_none() {
                e.member_type = m.member_type.clone();
            }
            e.ports.extend(m.ports);
            e.route_server |= m.route_server;
            if !e.origins.contains(&m.origin) {
                e.origins.push(m.origin);
                e.origins.sort();
            }
            for (ip, path) in m.ips {
                e.lan_ips.push(ip);
                ip_claims.push((ip, m.asn, m.origin, file.clone(), path));
            }
            for (lm, path) in m.macs {
                e.macs.push(lm);
                mac_claims.push((lm, m.asn, file.clone(), path));
            }
        }
        for m in members.values_mut() {
            if m.name.is_none() {
                m.name = pdb_name.get(&m.asn).cloned();
            }
            m.lan_ips.sort();
            m.lan_ips.dedup();
            m.macs.sort();
            m.macs.dedup();
        }

        // IP -> ASN: IX-F claims win over PeeringDB; disagreement within a kind = conflict.
        let mut ip_owner: HashMap<IpAddr, (Origin, BTreeSet<u32>)> = HashMap::new();
        ip_claims.sort_by_key(|c| c.2);
        for (ip, asn, origin, file, path) in &ip_claims {
            match ip_owner.get_mut(ip) {
                None => {
                    ip_owner.insert(*ip, (*origin, BTreeSet::from([*asn])));
                }
                Some((o, set)) if *o == *origin => {
                    if set.insert(*asn) && set.len() == 2 {
                        warnings.push(
                            file,
                            path.clone(),
                            format!("{ip} is claimed by several ASNs ({set:?}): it answers none"),
                        );
                    }
                }
                Some((_, set)) => {
                    if !set.contains(asn) {
                        warnings.push(
                            file,
                            path.clone(),
                            format!("PeeringDB gives {ip} to AS{asn}, the IX-F export to {set:?}: the IX-F export is used"),
                        );
                    }
                }
            }
        }
        let mut ip_conflicts = Vec::new();
        let mut ip_asn: HashMap<IpAddr, u32> = HashMap::new();
        for (ip, (_, set)) in ip_owner {
            if set.len() == 1 {
                ip_asn.insert(ip, *set.iter().next().unwrap_or(&0));
            } else {
                ip_conflicts.push(IpConflict {
                    ip,
                    asns: set.into_iter().collect(),
                });
            }
        }
        ip_conflicts.sort_by_key(|c| c.ip);
        // The IXP of each member address (for ixp_of_lan_ip), when one IXP claims it.
        let mut ip_ixp: HashMap<IpAddr, Option<IxpId>> = HashMap::new();
        for m in members.values() {
            for ip in &m.lan_ips {
                ip_ixp
                    .entry(*ip)
                    .and_modify(|x| {
                        if *x != Some(m.ixp) {
                            *x = None
                        }
                    })
                    .or_insert(Some(m.ixp));
            }
        }

        for (lm, asn, file, path) in &mac_claims {
            if !macs.insert(lm.mac, lm.vlan, *asn) {
                warnings.push(
                    file,
                    path.clone(),
                    format!(
                        "MAC {} is claimed by several ASNs: it answers none",
                        crate::mac::format_mac(&lm.mac)
                    ),
                );
            }
        }

        let mut by_asn: HashMap<u32, Vec<IxpId>> = HashMap::new();
        let mut member_list: Vec<Member> = Vec::with_capacity(members.len());
        let mut member_index: HashMap<(IxpId, u32), usize> = HashMap::new();
        let mut ixp_members: Vec<(usize, usize)> = vec![(0, 0); ixps.len()];
        for ((id, asn), m) in members {
            by_asn.entry(asn).or_default().push(id);
            let i = member_list.len();
            member_index.insert((id, asn), i);
            let r = &mut ixp_members[id.0 as usize];
            if r.1 == r.0 {
                *r = (i, i);
            }
            r.1 = i + 1;
            member_list.push(m);
        }
        for v in by_asn.values_mut() {
            v.sort();
            v.dedup();
        }
        IxpDirectory {
            ixps,
            members: member_list,
            member_index,
            ixp_members,
            by_asn,
            ip_asn,
            ip_ixp,
            ip_conflicts,
            macs,
            as_names,
            warnings: warnings.kept,
            warning_count: warnings.total,
            files: self.files,
        }
    }
}

fn source_file(s: &Source) -> String {
    match s {
        Source::IxF { file, .. } | Source::PeeringDb { file, .. } => file.clone(),
    }
}

/// IXPs and their members, merged from IX-F exports and PeeringDB, with the lookups a frame
/// classifier needs. Build one with [`DirectoryBuilder`] or [`IxpDirectory::load`].
#[derive(Clone, Debug, Default)]
pub struct IxpDirectory {
    ixps: Vec<Ixp>,
    members: Vec<Member>,
    member_index: HashMap<(IxpId, u32), usize>,
    ixp_members: Vec<(usize, usize)>,
    by_asn: HashMap<u32, Vec<IxpId>>,
    ip_asn: HashMap<IpAddr, u32>,
    ip_ixp: HashMap<IpAddr, Option<IxpId>>,
    ip_conflicts: Vec<IpConflict>,
    macs: MacTable,
    as_names: HashMap<u32, String>,
    warnings: Vec<Warning>,
    warning_count: u64,
    files: Vec<FileInfo>,
}

impl IxpDirectory {
    /// Loads and merges files of either format (told apart by content).
    pub fn load<P: AsRef<Path>>(paths: &[P]) -> Result<IxpDirectory, IxpError> {
        let mut b = DirectoryBuilder::new();
        for p in paths {
            b.add_path(p.as_ref())?;
        }
        Ok(b.build())
    }

    /// Every IXP, in id order (sorted by country, then name).
    pub fn ixps(&self) -> &[Ixp] {
        &self.ixps
    }

    /// The IXP with this id.
    pub fn ixp(&self, id: IxpId) -> Option<&Ixp> {
        self.ixps.get(id.0 as usize)
    }

    /// The IXP with this PeeringDB ix id.
    pub fn ixp_by_peeringdb_id(&self, ix_id: u64) -> Option<IxpId> {
        self.ixps
            .iter()
            .find(|x| x.peeringdb_id == Some(ix_id))
            .map(|x| x.id)
    }

    /// The members of an IXP, by ascending ASN.
    pub fn members(&self, ixp: IxpId) -> &[Member] {
        match self.ixp_members.get(ixp.0 as usize) {
            Some(&(a, b)) => &self.members[a..b],
            None => &[],
        }
    }

    /// The membership of `asn` at `ixp`.
    pub fn member(&self, asn: u32, ixp: IxpId) -> Option<&Member> {
        self.member_index
            .get(&(ixp, asn))
            .map(|&i| &self.members[i])
    }

    /// The member ASN using `mac` on a peering LAN, from the IX-F exports' MACs: with a VLAN,
    /// the MACs listed under that IX-F `vlan_id` (else those listed without one); without,
    /// the MAC on any VLAN. `None` when unknown or claimed by several ASNs.
    pub fn members_by_mac(&self, mac: &[u8; 6], vlan: Option<u16>) -> Option<u32> {
        self.macs.get(mac, vlan)
    }

    /// The member ASN holding a peering-LAN address (IX-F first, else PeeringDB); `None` when
    /// unknown or claimed by several ASNs.
    pub fn asn_by_lan_ip(&self, ip: IpAddr) -> Option<u32> {
        self.ip_asn.get(&ip).copied()
    }

    /// The IXP whose peering LAN holds `ip`: the IXP of the member holding it, else the IXP
    /// whose LAN prefix covers it (the longest such prefix).
    pub fn ixp_of_lan_ip(&self, ip: IpAddr) -> Option<IxpId> {
        if let Some(x) = self.ip_ixp.get(&ip) {
            return *x;
        }
        self.ixps
            .iter()
            .flat_map(|x| x.lans.iter().map(move |p| (p, x.id)))
            .filter(|(p, _)| p.contains(ip))
            .max_by_key(|(p, _)| p.len)
            .map(|(_, id)| id)
    }

    /// The IXPs where `asn` is a member, ascending.
    pub fn ixps_of(&self, asn: u32) -> &[IxpId] {
        self.by_asn.get(&asn).map_or(&[], Vec::as_slice)
    }

    /// The IXPs in one of the `zone` countries (ISO alpha-2, any case) where both `a` and `b`
    /// are members, ascending. An IXP of unknown country is in no zone; an empty zone has none.
    pub fn common_ixps<S: AsRef<str>>(&self, a: u32, b: u32, zone: &[S]) -> Vec<IxpId> {
        self.shared_ixps(a, b)
            .into_iter()
            .filter(|id| {
                self.ixp(*id)
                    .and_then(|x| x.country.as_deref())
                    .is_some_and(|c| {
                        zone.iter()
                            .any(|z| z.as_ref().trim().eq_ignore_ascii_case(c))
                    })
            })
            .collect()
    }

    /// The IXPs anywhere where both `a` and `b` are members, ascending.
    pub fn shared_ixps(&self, a: u32, b: u32) -> Vec<IxpId> {
        let (xa, xb) = (self.ixps_of(a), self.ixps_of(b));
        xa.iter()
            .filter(|x| xb.binary_search(x).is_ok())
            .copied()
            .collect()
    }

    /// Total port capacity of `asn` at `ixp` in Mbit/s (see [`Member::port_speed_mbps`]).
    pub fn port_speed_mbps(&self, asn: u32, ixp: IxpId) -> Option<u64> {
        self.member(asn, ixp).and_then(Member::port_speed_mbps)
    }

    /// A network's name: an IX-F member name, else its PeeringDB net name.
    pub fn as_name(&self, asn: u32) -> Option<&str> {
        self.as_names.get(&asn).map(String::as_str)
    }

    /// MACs claimed by several ASNs in the IX-F exports (they answer no ASN).
    pub fn mac_conflicts(&self) -> Vec<MacConflict> {
        self.macs.conflicts()
    }

    /// Peering-LAN addresses claimed by several ASNs (they answer no ASN).
    pub fn ip_conflicts(&self) -> &[IpConflict] {
        &self.ip_conflicts
    }

    /// The first [`crate::MAX_WARNINGS`] values skipped or overruled while loading.
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// How many warnings there were in all.
    pub fn warning_count(&self) -> u64 {
        self.warning_count
    }

    /// The files loaded, in order.
    pub fn files(&self) -> &[FileInfo] {
        &self.files
    }

    /// Number of memberships (member × IXP).
    pub fn member_count(&self) -> usize {
        self.members.len()
    }

    /// Number of distinct MACs known from the IX-F exports.
    pub fn mac_count(&self) -> usize {
        self.macs.len()
    }
}

impl Warning {
    /// The JSON path of the warning, if it has one.
    pub fn path(&self) -> Option<&str> {
        match &self.location {
            Location::Path(p) => Some(p),
            _ => None,
        }
    }
}
