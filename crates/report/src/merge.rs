//! Combining several results into one view.
//!
//! Additive figures (matrices, hairpin pair bytes/packets, via bytes, frame counts) are
//! summed and the hairpin share is recomputed from the sums. Percentiles (detour and
//! handshake quantiles, rate p95s, port recommendations) cannot be merged from
//! summaries, so the report shows them per result file.

use crate::error::ReportError;
use crate::load::ResultFile;
use crate::model::{HairpinTotals, Input, Link, Totals};
use std::collections::BTreeMap;

/// An AS with the country its addresses were seen in (an AS may span countries).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AsKey {
    /// ASN (0 = unknown).
    pub asn: u32,
    /// Country (None = unknown).
    pub country: Option<String>,
}

/// Summed traffic between two ASes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Volume {
    /// Packets.
    pub packets: u64,
    /// L3 bytes.
    pub bytes: u64,
    /// Flows.
    pub flows: u64,
}

/// Identity of a via link.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ViaKey {
    /// Link name (None: no link identified).
    pub link: Option<String>,
    /// Neighbour ASN.
    pub asn: u32,
    /// Neighbour country.
    pub country: Option<String>,
}

/// Summed hairpin traffic through one via link.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ViaSum {
    /// Neighbour AS name, if known.
    pub name: Option<String>,
    /// Unique packets.
    pub packets: u64,
    /// Their L3 bytes.
    pub bytes: u64,
}

/// Summed hairpin figures of one AS pair.
#[derive(Clone, Debug, Default)]
pub struct PairSum {
    /// Unique hairpinned packets.
    pub packets: u64,
    /// Their L3 bytes.
    pub bytes: u64,
    /// Sightings, replicas included.
    pub observations: u64,
    /// Sightings matched as replicas.
    pub reobserved_packets: u64,
    /// Local bytes of the pair.
    pub local_bytes: u64,
    /// Via links, summed.
    pub via: BTreeMap<ViaKey, ViaSum>,
}

/// One merged hairpin pair.
#[derive(Clone, Debug)]
pub struct MergedPair {
    /// Source AS.
    pub src: AsKey,
    /// Destination AS.
    pub dst: AsKey,
    /// Summed figures.
    pub sum: PairSum,
}

/// The merged hairpin section.
#[derive(Clone, Debug)]
pub struct MergedHairpin {
    /// Country under audit.
    pub home: String,
    /// Countries counted as local.
    pub zone: Vec<String>,
    /// Summed totals; `share_of_local_bytes` recomputed from the sums.
    pub totals: HairpinTotals,
    /// Pairs by hairpin bytes, descending.
    pub pairs: Vec<MergedPair>,
    /// Links configured in any result (by name).
    pub links: Vec<Link>,
}

/// The view of one or more results that the additive sections render.
#[derive(Clone, Debug)]
pub(crate) struct Merged {
    /// Number of result files.
    pub results: usize,
    /// True when any result is partial.
    pub partial: bool,
    /// Every capture input, with the result file it came from.
    pub inputs: Vec<(String, Input)>,
    /// Capture files that appear in more than one result (their traffic may be double-counted).
    pub repeated_inputs: Vec<String>,
    /// Earliest packet over all results.
    pub first_ns: Option<i64>,
    /// Latest packet over all results.
    pub last_ns: Option<i64>,
    /// Capture span in seconds (the result's own figure for a single result).
    pub duration_s: f64,
    /// Summed frame/packet counts.
    pub totals: Totals,
    /// AS names from all results (first result wins on conflict).
    pub as_names: BTreeMap<u32, String>,
    /// AS×AS matrix of all traffic, summed, by bytes descending.
    pub as_matrix: Vec<(AsKey, AsKey, Volume)>,
    /// Country×country matrix of all traffic, summed, by bytes descending.
    pub country_matrix: Vec<(Option<String>, Option<String>, Volume)>,
    /// Merged hairpin section, when every result has one for the same home and zone.
    pub hairpin: Option<MergedHairpin>,
}

fn sort_desc<K: Ord, V>(map: BTreeMap<K, V>, bytes: impl Fn(&V) -> u64) -> Vec<(K, V)> {
    let mut v: Vec<(K, V)> = map.into_iter().collect();
    // Stable sort keeps the key order among equal byte counts: deterministic output.
    v.sort_by_key(|x| std::cmp::Reverse(bytes(&x.1)));
    v
}

/// Merges results; fails when their hairpin settings differ (the share would be meaningless).
pub(crate) fn merge(files: &[ResultFile]) -> Result<Merged, ReportError> {
    let first = files.first().ok_or(ReportError::NoInput)?;
    check_combinable(files)?;

    let mut totals = Totals::default();
    let mut inputs = Vec::new();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut as_names = BTreeMap::new();
    let mut as_m: BTreeMap<(AsKey, AsKey), Volume> = BTreeMap::new();
    let mut cc_m: BTreeMap<(Option<String>, Option<String>), Volume> = BTreeMap::new();
    let (mut first_ns, mut last_ns): (Option<i64>, Option<i64>) = (None, None);

    for f in files {
        let r = &f.result;
        let t = &r.totals;
        totals.frames = totals.frames.saturating_add(t.frames);
        totals.ip_packets = totals.ip_packets.saturating_add(t.ip_packets);
        totals.ip_bytes = totals.ip_bytes.saturating_add(t.ip_bytes);
        totals.wire_bytes = totals.wire_bytes.saturating_add(t.wire_bytes);
        totals.non_ip_frames = totals.non_ip_frames.saturating_add(t.non_ip_frames);
        totals.malformed_frames = totals.malformed_frames.saturating_add(t.malformed_frames);
        totals.unsupported_frames = totals
            .unsupported_frames
            .saturating_add(t.unsupported_frames);
        totals.flows = totals.flows.saturating_add(t.flows);
        for i in &r.inputs {
            inputs.push((f.name.clone(), i.clone()));
            *seen.entry(i.file.clone()).or_default() += 1;
        }
        for (k, v) in &r.as_names {
            if let Ok(asn) = k.parse::<u32>() {
                as_names.entry(asn).or_insert_with(|| v.clone());
            }
        }
        for c in &r.as_matrix {
            let key = (
                AsKey {
                    asn: c.src_asn,
                    country: c.src_country.clone(),
                },
                AsKey {
                    asn: c.dst_asn,
                    country: c.dst_country.clone(),
                },
            );
            let e = as_m.entry(key).or_default();
            e.packets = e.packets.saturating_add(c.packets);
            e.bytes = e.bytes.saturating_add(c.bytes);
            e.flows = e.flows.saturating_add(c.flows);
        }
        for c in &r.country_matrix {
            let e = cc_m
                .entry((c.src_country.clone(), c.dst_country.clone()))
                .or_default();
            e.packets = e.packets.saturating_add(c.packets);
            e.bytes = e.bytes.saturating_add(c.bytes);
            e.flows = e.flows.saturating_add(c.flows);
        }
        first_ns = match (first_ns, r.time.first_ns) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        last_ns = match (last_ns, r.time.last_ns) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
    }
    let duration_s = if files.len() == 1 {
        first.result.time.duration_s
    } else {
        match (first_ns, last_ns) {
            (Some(a), Some(b)) => (b - a) as f64 / 1e9,
            _ => 0.0,
        }
    };

    Ok(Merged {
        results: files.len(),
        partial: files.iter().any(|f| f.result.partial),
        inputs,
        repeated_inputs: seen
            .into_iter()
            .filter(|&(_, n)| n > 1)
            .map(|(k, _)| k)
            .collect(),
        first_ns,
        last_ns,
        duration_s,
        totals,
        as_names,
        as_matrix: sort_desc(as_m, |v| v.bytes)
            .into_iter()
            .map(|((s, d), v)| (s, d, v))
            .collect(),
        country_matrix: sort_desc(cc_m, |v| v.bytes)
            .into_iter()
            .map(|((s, d), v)| (s, d, v))
            .collect(),
        hairpin: merge_hairpin(files),
    })
}

/// Checks that results can be rendered together: at least one, and all auditing the same
/// `--home`/`--zone` (or none with a hairpin section).
pub fn check_combinable(files: &[ResultFile]) -> Result<(), ReportError> {
    let first = files.first().ok_or(ReportError::NoInput)?;
    let describe = |f: &ResultFile| match &f.result.hairpin {
        Some(h) => format!("--home {} --zone {}", h.home, h.zone.join(",")),
        None => "no hairpin section (analyze ran without --home)".to_string(),
    };
    for f in &files[1..] {
        let same = match (&first.result.hairpin, &f.result.hairpin) {
            (None, None) => true,
            (Some(a), Some(b)) => {
                let mut za = a.zone.clone();
                let mut zb = b.zone.clone();
                za.sort();
                zb.sort();
                a.home == b.home && za == zb
            }
            _ => false,
        };
        if !same {
            return Err(ReportError::Incompatible {
                message: format!(
                    "cannot merge {} ({}) with {} ({}): hairpin shares are only comparable for the same --home and --zone; render them in separate reports",
                    first.name,
                    describe(first),
                    f.name,
                    describe(f)
                ),
            });
        }
    }
    Ok(())
}

fn merge_hairpin(files: &[ResultFile]) -> Option<MergedHairpin> {
    let h0 = files[0].result.hairpin.as_ref()?;
    let mut totals = HairpinTotals::default();
    let mut pairs: BTreeMap<(AsKey, AsKey), PairSum> = BTreeMap::new();
    let mut links: Vec<Link> = Vec::new();
    for f in files {
        let h = f.result.hairpin.as_ref()?;
        let t = &h.totals;
        totals.packets = totals.packets.saturating_add(t.packets);
        totals.bytes = totals.bytes.saturating_add(t.bytes);
        totals.observations = totals.observations.saturating_add(t.observations);
        totals.reobserved_packets = totals
            .reobserved_packets
            .saturating_add(t.reobserved_packets);
        totals.local_packets = totals.local_packets.saturating_add(t.local_packets);
        totals.local_bytes = totals.local_bytes.saturating_add(t.local_bytes);
        for l in &h.links {
            if !links.iter().any(|x| x.name == l.name) {
                links.push(l.clone());
            }
        }
        for p in &h.pairs {
            let key = (
                AsKey {
                    asn: p.src_asn,
                    country: p.src_country.clone(),
                },
                AsKey {
                    asn: p.dst_asn,
                    country: p.dst_country.clone(),
                },
            );
            let s = pairs.entry(key).or_default();
            s.packets = s.packets.saturating_add(p.packets);
            s.bytes = s.bytes.saturating_add(p.bytes);
            s.observations = s.observations.saturating_add(p.observations);
            s.reobserved_packets = s.reobserved_packets.saturating_add(p.reobserved_packets);
            s.local_bytes = s.local_bytes.saturating_add(p.local_bytes);
            for v in &p.via {
                let vs = s
                    .via
                    .entry(ViaKey {
                        link: v.link.clone(),
                        asn: v.asn,
                        country: v.country.clone(),
                    })
                    .or_default();
                if vs.name.is_none() {
                    vs.name = v.name.clone();
                }
                vs.packets = vs.packets.saturating_add(v.packets);
                vs.bytes = vs.bytes.saturating_add(v.bytes);
            }
        }
    }
    totals.share_of_local_bytes = if files.len() == 1 {
        h0.totals.share_of_local_bytes
    } else if totals.local_bytes == 0 {
        0.0
    } else {
        totals.bytes as f64 / totals.local_bytes as f64
    };
    Some(MergedHairpin {
        home: h0.home.clone(),
        zone: h0.zone.clone(),
        totals,
        pairs: sort_desc(pairs, |v| v.bytes)
            .into_iter()
            .map(|((src, dst), sum)| MergedPair { src, dst, sum })
            .collect(),
        links,
    })
}

impl MergedHairpin {
    /// Hairpin bytes per via link over all pairs, by bytes descending.
    pub fn via_totals(&self) -> Vec<(ViaKey, ViaSum)> {
        let mut m: BTreeMap<ViaKey, ViaSum> = BTreeMap::new();
        for p in &self.pairs {
            for (k, v) in &p.sum.via {
                let e = m.entry(k.clone()).or_default();
                if e.name.is_none() {
                    e.name = v.name.clone();
                }
                e.packets = e.packets.saturating_add(v.packets);
                e.bytes = e.bytes.saturating_add(v.bytes);
            }
        }
        sort_desc(m, |v| v.bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::parse;

    fn result(name: &str, home: Option<&str>, pair_bytes: u64, local: u64) -> ResultFile {
        let hairpin = match home {
            Some(h) => format!(
                r#","hairpin":{{"home":"{h}","zone":["{h}"],"window_ms":2000,"domestic_floor_ms":8,"max_zone_km":800,
                "links":[{{"name":"SG transit","asn":7473,"country":"SG","vlan":100,"abroad":true}}],
                "totals":{{"packets":10,"bytes":{pair_bytes},"observations":20,"reobserved_packets":10,"local_packets":50,"local_bytes":{local},"share_of_local_bytes":0.5}},
                "matcher":{{"slot_overflows":0,"dropped_fresh":0,"unidentified_link":0}},
                "pairs":[{{"src_asn":24560,"dst_asn":38623,"src_country":"KH","dst_country":"KH","packets":10,"bytes":{pair_bytes},
                  "observations":20,"reobserved_packets":10,"local_bytes":{local},"detour_ms":null,"hops_abroad":null,"handshake_rtt_ms":null,
                  "via":[{{"link":"SG transit","asn":7473,"country":"SG","name":"SINGTEL","packets":10,"bytes":{pair_bytes}}}]}}]}}"#
            ),
            None => String::new(),
        };
        let text = format!(
            r#"{{"schema_version":1,"tool":{{"name":"trombone","version":"0.1.0"}},"asn_db":{{"source":"test","date":null}},
            "partial":false,"inputs":[{{"file":"a.pcap","format":"pcap","frames":5,"linktypes":{{"1":5}},"error":null}}],
            "time":{{"first_ns":1000000000,"last_ns":3000000000,"duration_s":2.0}},
            "totals":{{"frames":5,"ip_packets":5,"ip_bytes":500,"wire_bytes":570,"non_ip_frames":0,"malformed_frames":0,"unsupported_frames":0,"flows":1}},
            "as_matrix":[{{"src_asn":24560,"dst_asn":38623,"src_country":"KH","dst_country":"KH","packets":5,"bytes":500,"flows":1}}],
            "country_matrix":[{{"src_country":"KH","dst_country":"KH","packets":5,"bytes":500,"flows":1}}],
            "as_names":{{"24560":"EZECOM"}}{hairpin}}}"#
        );
        parse(name, &text).unwrap()
    }

    #[test]
    fn single_result_keeps_its_own_figures() {
        let m = merge(&[result("a.json", Some("KH"), 300, 600)]).unwrap();
        let h = m.hairpin.unwrap();
        // The file says 0.5 and the single-file view reports exactly that.
        assert_eq!(h.totals.share_of_local_bytes, 0.5);
        assert_eq!(m.duration_s, 2.0);
        assert!(m.repeated_inputs.is_empty());
    }

    #[test]
    fn sums_and_recomputes_share() {
        let m = merge(&[
            result("a.json", Some("KH"), 300, 600),
            result("b.json", Some("KH"), 100, 1400),
        ])
        .unwrap();
        let h = m.hairpin.unwrap();
        assert_eq!(h.totals.bytes, 400);
        assert_eq!(h.totals.local_bytes, 2000);
        assert_eq!(h.totals.share_of_local_bytes, 0.2);
        assert_eq!(h.pairs.len(), 1);
        assert_eq!(h.pairs[0].sum.bytes, 400);
        assert_eq!(h.pairs[0].sum.observations, 40);
        let via = h.via_totals();
        assert_eq!(via.len(), 1);
        assert_eq!(via[0].1.bytes, 400);
        assert_eq!(m.totals.frames, 10);
        assert_eq!(m.as_matrix[0].2.bytes, 1000);
        assert_eq!(m.country_matrix[0].2.flows, 2);
        // Both results read "a.pcap": flagged as possibly double-counted.
        assert_eq!(m.repeated_inputs, vec!["a.pcap".to_string()]);
    }

    #[test]
    fn refuses_different_homes() {
        let e = merge(&[
            result("a.json", Some("KH"), 1, 2),
            result("b.json", Some("LA"), 1, 2),
        ])
        .unwrap_err();
        assert!(e.to_string().contains("--home KH --zone KH"), "{e}");
        assert!(e.to_string().contains("--home LA --zone LA"), "{e}");
        let e = merge(&[
            result("a.json", Some("KH"), 1, 2),
            result("b.json", None, 1, 2),
        ])
        .unwrap_err();
        assert!(e.to_string().contains("without --home"), "{e}");
    }

    #[test]
    fn no_input_is_an_error() {
        assert!(matches!(merge(&[]), Err(ReportError::NoInput)));
    }
}
