//! Rotated pieces merged equal one run, and results do not depend on the worker count.
//!
//! The hairpin fixture (a Cambodian gateway's mirrored links, with packets seen leaving
//! and returning 30–60 ms later) is analysed once whole and once rotated into 2-second
//! pieces (1-second samples), which cuts through handshakes and replica pairs; the
//! pieces, merged, must give exactly the single run's matrices, hairpin figures and
//! quantiles, rates, percentiles and port plans, and evidence.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use trombone_asdb::AsDb;
use trombone_hairpin::{HairpinConfig, Links, Zone};
use trombone_pipeline::{analyze, analyze_all, Options};
use trombone_reduce::{merge, MergeOptions, SizingConfig};
use trombone_schema::Report;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../capture-fixtures")
}

fn db() -> Arc<AsDb> {
    Arc::new(AsDb::load(&[fixtures().join("fixture-asn.tsv")]).expect("fixture db"))
}

fn opts(workers: usize, zone: Option<&str>) -> Options {
    let links = Links::load(&fixtures().join("hairpin-kh.links.toml")).expect("links");
    let cfg = HairpinConfig::new(Zone::parse("KH", zone).expect("zone"), links);
    Options {
        workers,
        hairpin: Some(Arc::new(cfg)),
        sizing: SizingConfig {
            sample_ns: 1_000_000_000,
            ..SizingConfig::default()
        },
        ..Options::default()
    }
}

/// The parts of a result that are measurements (not who ran it, when or how).
fn figures(r: &Report) -> serde_json::Value {
    let mut v = serde_json::to_value(r).expect("serialises");
    let o = v.as_object_mut().expect("object");
    for k in ["tool", "interval", "merged"] {
        o.remove(k);
    }
    v
}

#[test]
fn rotated_pieces_merge_into_the_single_run() {
    let input = [fixtures().join("hairpin-kh.pcap")];
    for zone in [None, Some("KH,LA,MM,VN")] {
        let one = analyze_all(&input, db(), &opts(2, zone));
        let mut rotated = opts(2, zone);
        rotated.rotate_ns = Some(2_000_000_000);
        let mut pieces = Vec::new();
        analyze(&input, db(), &rotated, |_| {}, |r| pieces.push(r));
        assert!(pieces.len() >= 10, "{} pieces", pieces.len());
        for w in pieces.windows(2) {
            let (a, b) = (w[0].interval.unwrap(), w[1].interval.unwrap());
            assert!(a.end_ns <= b.start_ns, "pieces in order, not overlapping");
            assert_eq!(a.end_ns - a.start_ns, 2_000_000_000);
        }
        // the pieces really split the hairpin figures: no single piece holds them all
        let h = one.hairpin.as_ref().unwrap();
        assert!(h.totals.reobserved_packets > 100, "{:?}", h.totals);
        let most = pieces
            .iter()
            .map(|p| p.hairpin.as_ref().unwrap().totals.reobserved_packets)
            .max()
            .unwrap();
        assert!(most < h.totals.reobserved_packets);
        let merged = merge(&pieces, &MergeOptions::default()).expect("pieces merge");
        let m = merged.merged.as_ref().unwrap();
        assert_eq!(m.results, pieces.len() as u64);
        assert!(!m.mixed);
        let (a, b) = (figures(&merged), figures(&one));
        if a != b {
            let (a, b) = (
                serde_json::to_string_pretty(&a).unwrap(),
                serde_json::to_string_pretty(&b).unwrap(),
            );
            for (i, (x, y)) in a.lines().zip(b.lines()).enumerate() {
                if x != y {
                    eprintln!("DIFF line {i}: {x} | {y}");
                }
            }
        }
        assert_eq!(figures(&merged), figures(&one), "zone {zone:?}");
    }
}

#[test]
fn results_are_identical_for_any_worker_count() {
    let input = [fixtures().join("hairpin-kh.pcap")];
    let base = figures(&analyze_all(&input, db(), &opts(1, None)));
    for workers in [2, 3, 5] {
        assert_eq!(
            figures(&analyze_all(&input, db(), &opts(workers, None))),
            base,
            "{workers} workers"
        );
    }
}

#[test]
fn merge_refuses_mixed_zones_unless_asked() {
    let input = [fixtures().join("hairpin-kh.pcap")];
    let kh = analyze_all(&input, db(), &opts(2, None));
    let clmv = analyze_all(&input, db(), &opts(2, Some("KH,LA,MM,VN")));
    let e = merge(&[kh.clone(), clmv.clone()], &MergeOptions::default()).unwrap_err();
    assert!(e.contains("home and zone"), "{e}");
    let m = merge(
        &[kh, clmv],
        &MergeOptions {
            allow_mixed: true,
            ..MergeOptions::default()
        },
    )
    .expect("allowed");
    assert!(m.merged.unwrap().mixed);
}

/// Every fixture's result survives JSON and back unchanged: the contract is defined
/// once, with both directions from the same types.
#[test]
fn every_fixture_result_round_trips_through_json() {
    let mut n = 0;
    for e in std::fs::read_dir(fixtures()).expect("fixtures") {
        let p = e.expect("entry").path();
        let ext = p.extension().and_then(|x| x.to_str()).unwrap_or("");
        if ext != "pcap" && ext != "pcapng" {
            continue;
        }
        for o in [
            opts(2, None),
            opts(2, Some("KH,LA,MM,VN")),
            Options::default(),
        ] {
            let r = analyze_all(std::slice::from_ref(&p), db(), &o);
            let text = serde_json::to_string(&r).expect("serialises");
            let back = Report::from_json(&text).expect("reads back");
            if back != r {
                let a = format!("{back:#?}");
                let b = format!("{r:#?}");
                for (i, (x, y)) in a.lines().zip(b.lines()).enumerate() {
                    if x != y {
                        eprintln!("DIFF line {i}: {x} | {y}");
                    }
                }
            }
            assert_eq!(back, r, "{}", p.display());
            assert_eq!(serde_json::to_string(&back).unwrap(), text);
            n += 1;
        }
    }
    assert!(n >= 15, "{n} results");
}
