//! BGP and IXP-membership evidence end to end, against truth built by the generator.
//!
//! `capture-fixtures/hairpin-kh.mrt` (an MRT TABLE_DUMP_V2 RIB) and
//! `hairpin-kh.peeringdb.json` are written by crates/fixtures/src/bgp_model.rs, which knows by
//! construction, for each hairpinned pair of the `--home KH` view, whether its path leaves the
//! zone and through whom, stays in it, or rests only on the collectors' view, and at which
//! Cambodian IXPs both networks are present; `hairpin-kh.routing-truth.json` holds those
//! answers. Compared exactly: the set of evidence pairs, and per pair `bgp.basis`,
//! `bgp.paths` (paths and weights), `bgp.leaves_zone`, `bgp.transit`, `common_ixps` and
//! `peering`.
//!
//! The shared MRT samples (`../shared/data/bgp`) go through the CLI as `--bgp`: every one is
//! read (exit status 0); the two cut-off RouteViews dumps (`*_firstMB.bz2`, whose bz2 streams
//! `bzip2 -t` rejects) are reported partial on stderr and in `bgp_source`, the others not; for
//! the RIB dumps the prefix count `bgp_source` gives equals the distinct prefixes of their
//! RIB records that have a route with an AS_PATH attribute, counted here by walking the MRT records
//! (RFC 6396, RFC 8050 for ADD-PATH); the RIS sample's three records come without a
//! PEER_INDEX_TABLE, so none is usable.

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn fixtures() -> PathBuf {
    root().join("capture-fixtures")
}

fn trombone(args: &[String]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_trombone"))
        .args(args)
        .output()
        .expect("run trombone")
}

fn result(args: &[String]) -> (Value, String) {
    let out = trombone(args);
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "trombone {args:?}: {err}");
    let mut v: Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    if let Some(t) = v["tool"].as_object_mut() {
        t.remove("command");
    }
    (v, err)
}

#[test]
fn bgp_paths_and_common_ixps_match_the_construction() {
    let truth: Value = serde_json::from_str(
        &std::fs::read_to_string(fixtures().join("hairpin-kh.routing-truth.json")).unwrap(),
    )
    .unwrap();
    let mut args: Vec<String> = truth["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let a = a.as_str().unwrap();
            let p = fixtures().join(a);
            if p.exists() {
                p.display().to_string()
            } else {
                a.to_string()
            }
        })
        .collect();
    args.extend(["--format", "json", "--no-progress"].map(String::from));
    let mut one = args.clone();
    one.extend(["--workers", "1"].map(String::from));
    let mut three = args.clone();
    three.extend(["--workers", "3"].map(String::from));
    let (v, _) = result(&one);
    let (v3, _) = result(&three);
    assert_eq!(v, v3, "--workers 3 differs from --workers 1");
    let ev = &v["evidence"];
    assert!(
        ev["bgp_source"]
            .as_str()
            .is_some_and(|s| s.contains("hairpin-kh.mrt") && !s.contains("partial")),
        "{}",
        ev["bgp_source"]
    );
    assert!(
        ev["ixp_source"]
            .as_str()
            .is_some_and(|s| s.contains("hairpin-kh.peeringdb.json")),
        "{}",
        ev["ixp_source"]
    );
    let got: Vec<&Value> = ev["pairs"].as_array().unwrap().iter().collect();
    let key = |p: &Value| {
        (
            p["src_asn"].as_u64().unwrap(),
            p["dst_asn"].as_u64().unwrap(),
        )
    };
    let want_keys: BTreeSet<(u64, u64)> =
        truth["pairs"].as_array().unwrap().iter().map(key).collect();
    let got_keys: BTreeSet<(u64, u64)> = got.iter().map(|p| key(p)).collect();
    assert_eq!(got_keys, want_keys, "evidence pairs");
    for w in truth["pairs"].as_array().unwrap() {
        let g = got.iter().find(|p| key(p) == key(w)).unwrap();
        let ctx = format!("pair {:?} ({})", key(w), w["construction"]);
        let gb = &g["bgp"];
        let wb = &w["bgp"];
        for f in ["basis", "leaves_zone", "transit"] {
            assert_eq!(gb[f], wb[f], "{ctx}: bgp.{f}");
        }
        let paths = |b: &Value| -> Vec<(Value, Value)> {
            b["paths"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| (p["path"].clone(), p["weight"].clone()))
                .collect()
        };
        assert_eq!(paths(gb), paths(wb), "{ctx}: bgp.paths");
        let ixps = |x: &Value| -> Vec<(Value, Value)> {
            x.as_array()
                .unwrap_or_else(|| panic!("{ctx}: common_ixps {x}"))
                .iter()
                .map(|i| (i["name"].clone(), i["country"].clone()))
                .collect()
        };
        assert_eq!(
            ixps(&g["common_ixps"]),
            ixps(&w["common_ixps"]),
            "{ctx}: common_ixps"
        );
        assert_eq!(g["peering"], w["peering"], "{ctx}: peering");
    }
    // the construction covers every verdict
    let bases: BTreeSet<&str> = truth["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["bgp"]["basis"].as_str().unwrap())
        .collect();
    assert!(bases.contains("source_view") && bases.contains("collector_view"));
    let leaves: BTreeSet<bool> = truth["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["bgp"]["leaves_zone"].as_bool().unwrap())
        .collect();
    assert_eq!(leaves.len(), 2);
    let peering: BTreeSet<&str> = truth["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["peering"].as_str())
        .collect();
    assert_eq!(peering.len(), 2);
}

/// True when BGP path attributes `a` include an AS_PATH (empty for a route the peer
/// originates itself); a route without attributes says nothing about paths.
fn has_as_path(a: &[u8]) -> bool {
    let mut i = 0;
    while i + 3 <= a.len() {
        let (flags, ty) = (a[i], a[i + 1]);
        if ty == 2 {
            return true;
        }
        let (len, h) = if flags & 0x10 != 0 {
            match a.get(i + 2..i + 4) {
                Some(l) => (usize::from(u16::from_be_bytes([l[0], l[1]])), 4),
                None => return false,
            }
        } else {
            (usize::from(a[i + 2]), 3)
        };
        i += h + len;
    }
    false
}

/// Distinct (family, prefix) with at least one route that has an AS_PATH, over the RIB
/// records of an uncompressed MRT dump: TABLE_DUMP (type 12, subtypes 1 IPv4 / 2 IPv6) and
/// TABLE_DUMP_V2 (13) RIB_IPV4_UNICAST (2), RIB_IPV6_UNICAST (4) and their ADD-PATH forms (8,
/// 10, whose entries carry a path identifier), those after a PEER_INDEX_TABLE (13/1) only;
/// `None` when the records do not add up to the file (cut short).
fn rib_prefixes(data: &[u8]) -> Option<(usize, usize)> {
    let mut at = 0;
    let mut peer_table = false;
    let (mut v4, mut v6) = (BTreeSet::new(), BTreeSet::new());
    while at < data.len() {
        let h = data.get(at..at + 12)?;
        let ty = u16::from_be_bytes([h[4], h[5]]);
        let sub = u16::from_be_bytes([h[6], h[7]]);
        let len = u32::from_be_bytes([h[8], h[9], h[10], h[11]]) as usize;
        let body = data.get(at + 12..at + 12 + len)?;
        let u16_at = |o: usize| usize::from(u16::from_be_bytes([body[o], body[o + 1]]));
        match (ty, sub) {
            (13, 1) => peer_table = true,
            (13, 2 | 4 | 8 | 10) if peer_table => {
                let plen = body[4];
                let pend = 5 + usize::from(plen).div_ceil(8);
                let key = (body[5..pend].to_vec(), plen);
                let mut o = pend + 2;
                let mut usable = false;
                for _ in 0..u16_at(pend) {
                    o += 6 + if sub >= 8 { 4 } else { 0 };
                    let alen = u16_at(o);
                    usable |= has_as_path(&body[o + 2..o + 2 + alen]);
                    o += 2 + alen;
                }
                if usable {
                    if matches!(sub, 2 | 8) {
                        v4.insert(key);
                    } else {
                        v6.insert(key);
                    }
                }
            }
            (12, 1) if has_as_path(&body[22..]) => {
                v4.insert((body[4..8].to_vec(), body[8]));
            }
            (12, 2) if has_as_path(&body[46..]) => {
                v6.insert((body[4..20].to_vec(), body[20]));
            }
            _ => {}
        }
        at += 12 + len;
    }
    Some((v4.len(), v6.len()))
}

#[test]
fn shared_mrt_samples_are_read_and_cut_ones_reported_partial() {
    let dir = root().join("../shared/data/bgp");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("../shared/data/bgp")
        .chain(std::fs::read_dir(dir.join("mrtparse-samples")).expect("mrtparse-samples"))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && p.file_name().unwrap() != "LICENSE")
        .collect();
    files.sort();
    assert!(files.len() >= 15, "{files:?}");
    let mut partial = 0;
    for f in &files {
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        let bz2 = name.ends_with(".bz2");
        // independent: is the file whole? (bzip2 -t for bz2 streams)
        let cut = bz2
            && !Command::new("bzip2")
                .arg("-tq")
                .arg(f)
                .stderr(std::process::Stdio::null())
                .status()
                .expect("bzip2")
                .success();
        let raw = if bz2 && !cut {
            Command::new("bzcat").arg(f).output().expect("bzcat").stdout
        } else {
            std::fs::read(f).unwrap()
        };
        let args: Vec<String> = [
            "analyze",
            &fixtures().join("hairpin-kh.pcap").display().to_string(),
            "--asn-db",
            &fixtures().join("fixture-asn.tsv").display().to_string(),
            "--home",
            "KH",
            "--bgp",
            &f.display().to_string(),
            "--format",
            "json",
            "--no-progress",
        ]
        .map(String::from)
        .to_vec();
        let (v, err) = result(&args);
        let src = v["evidence"]["bgp_source"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(src.contains(&name), "{name}: bgp_source {src}");
        assert_eq!(v["partial"], false, "{name}: the traffic was read whole");
        let said_partial = err.contains("read partially") && src.contains("partial");
        assert_eq!(
            said_partial, cut,
            "{name}: partial? stderr {err}, source {src}"
        );
        let counts = |s: &str| -> (usize, usize) {
            let t = s.rsplit('(').next().unwrap();
            let n: Vec<usize> = t
                .split(|c: char| !c.is_ascii_digit())
                .filter(|x| !x.is_empty())
                .filter_map(|x| x.parse().ok())
                .collect();
            (n[0], n[2])
        };
        let (g4, g6) = counts(&src);
        if cut {
            partial += 1;
            assert!(
                g4 + g6 > 1000,
                "{name}: the part before the cut is used ({src})"
            );
        } else if let Some((w4, w6)) = rib_prefixes(&raw).filter(|_| !name.contains("_bgp")) {
            assert_eq!((g4, g6), (w4, w6), "{name}: prefixes");
        }
    }
    assert_eq!(partial, 2, "the two cut-off RouteViews dumps");
}
