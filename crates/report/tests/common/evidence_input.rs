//! Evidence built from the schema types with numbers chosen by hand, put into a real
//! result (tests/data/kh-links.json, which has none of its own): what tests/evidence.rs
//! and the PDF check in tests/browser.rs render. The expected texts are in those tests.

use super::data;
use trombone_report::{combine, parse, render_html, CombineOptions, HtmlOptions};
use trombone_schema::{
    BgpEvidence, BgpPath, Country, CountryPairEvidence, Evidence, IxpRef, LatencyHeadline,
    PairEvidence, Rtt, Ti, TiMethod,
};

/// A country code.
pub fn cc(s: &str) -> Option<Country> {
    Some(s.parse().unwrap())
}

/// Handshake RTTs (p90 made up: the report does not show it).
pub fn rtt(samples: u64, min: f64, p50: f64) -> Option<Rtt> {
    Some(Rtt {
        samples,
        min,
        p50,
        p90: p50 * 1.5,
        hist: None,
    })
}

/// The fastest RTT's path length, km: RTT ÷ 2 × 200 km/ms ÷ 1.5 (the README's constants).
pub fn path_km(min_ms: f64) -> f64 {
    min_ms / 2.0 * 200.0 / 1.5
}

/// A TI as the schema carries it, from the fastest RTT and the distance (floor 100 km).
pub fn ti(min_ms: f64, geo_km: f64) -> Option<Ti> {
    let p = path_km(min_ms);
    let floored = geo_km < 100.0;
    let v = p / geo_km.max(100.0);
    Some(Ti {
        value: v,
        path_km: p,
        geo_km,
        floored,
        above_acceptable: v > 5.0,
    })
}

/// A pair with nothing but its ends.
pub fn pair(src: u32, s: &str, dst: u32, d: &str) -> PairEvidence {
    PairEvidence {
        src_asn: src,
        dst_asn: dst,
        src_country: cc(s),
        dst_country: cc(d),
        local: true,
        hairpinned_bytes: 0,
        hairpinned: None,
        direct: None,
        retransmitted: 0,
        retransmitted_hairpinned: 0,
        retransmitted_direct: 0,
        exceeds_domestic_floor: None,
        baseline_ms: None,
        baseline_basis: None,
        saving_ms: None,
        ti: None,
        ti_direct: None,
        bgp: None,
        common_ixps: None,
        peering: None,
    }
}

/// The IXP both ends of two pairs are members of.
pub const CNX: &str = "CNX";
/// KH–VN great circle chosen for the test, km.
pub const KH_VN_KM: f64 = 1040.0;
/// KH–MM great circle chosen for the test, km.
pub const KH_MM_KM: f64 = 1109.43;

/// The evidence of the tests: four local pairs and one with an end outside the zone.
///
/// - 38623 KH → 7552 VN: 12 hairpinned handshakes (min 93.6, p50 140), 5 direct (min
///   15.6, p50 7.5), 2 retransmitted; saving 132.5 against its own direct
///   median; TI 6240 km ÷ 1040 km = 6.00 (above 5), direct 1040 ÷ 1040 = 1.00; BGP from
///   its own routes, 38623 7473 7552, leaving via 7473; both at CNX.
/// - 131178 KH → 131178 KH: 2 hairpinned (min 44.288, p50 44.319), no direct, saving
///   against the zone's direct median 4.3: 40.019; TI 2952.53 ÷ 100 (floored) = 29.5;
///   collector view, stays in the zone; no common IXP.
/// - 17976 KH → 0 MM: 3 hairpinned (min 60, p50 66.6), no baseline; TI 4000 ÷ 1109.43 =
///   3.61; no route; IXPs not checked.
/// - 7552 VN → 38623 KH: direct only (4 handshakes, min 3.9, p50 4.1); both at CNX, not
///   hairpinning.
/// - 38623 KH → 15169 US: outside the zone (--rtt all), not shown.
pub fn evidence() -> Evidence {
    let mut p1 = pair(38623, "KH", 7552, "VN");
    p1.hairpinned_bytes = 120_000;
    p1.hairpinned = Some(Rtt {
        samples: 12,
        min: 93.6,
        p50: 140.0,
        p90: 180.0,
        hist: None,
    });
    p1.direct = rtt(5, 15.6, 7.5);
    p1.retransmitted = 2;
    p1.exceeds_domestic_floor = Some(true);
    p1.baseline_ms = Some(7.5);
    p1.baseline_basis = Some("this pair's direct handshakes".into());
    p1.saving_ms = Some(132.5);
    p1.ti = ti(93.6, KH_VN_KM);
    p1.ti_direct = ti(15.6, KH_VN_KM);
    p1.bgp = Some(BgpEvidence {
        basis: "source_view".into(),
        paths: vec![BgpPath {
            path: vec![38623, 7473, 7552],
            weight: 3,
        }],
        leaves_zone: Some(true),
        transit: vec![7473],
    });
    p1.common_ixps = Some(vec![IxpRef {
        name: CNX.into(),
        country: cc("KH"),
    }]);
    p1.peering = Some("present at the same IXP, not exchanging locally".into());

    let mut p2 = pair(131178, "KH", 131178, "KH");
    p2.hairpinned_bytes = 78_731;
    p2.hairpinned = rtt(2, 44.288, 44.319);
    p2.exceeds_domestic_floor = Some(true);
    p2.baseline_ms = Some(4.3);
    p2.baseline_basis = Some("direct handshakes of the zone".into());
    p2.saving_ms = Some(44.319 - 4.3);
    p2.ti = ti(44.288, 0.0);
    p2.bgp = Some(BgpEvidence {
        basis: "collector_view".into(),
        paths: vec![BgpPath {
            path: vec![131178],
            weight: 1,
        }],
        leaves_zone: Some(false),
        transit: vec![],
    });
    p2.common_ixps = Some(vec![]);
    p2.peering = Some("no common IXP".into());

    let mut p3 = pair(17976, "KH", 0, "MM");
    p3.hairpinned_bytes = 25_235;
    p3.hairpinned = rtt(3, 60.0, 66.6);
    p3.exceeds_domestic_floor = Some(true);
    p3.ti = ti(60.0, KH_MM_KM);
    p3.bgp = Some(BgpEvidence {
        basis: "none".into(),
        paths: vec![],
        leaves_zone: None,
        transit: vec![],
    });

    let mut p4 = pair(7552, "VN", 38623, "KH");
    p4.direct = rtt(4, 3.9, 4.1);
    p4.ti_direct = ti(3.9, KH_VN_KM);
    p4.common_ixps = Some(vec![IxpRef {
        name: CNX.into(),
        country: cc("KH"),
    }]);

    let mut p5 = pair(38623, "KH", 15169, "US");
    p5.local = false;
    p5.direct = rtt(7, 180.0, 190.0);

    Evidence {
        rtt_scope: "all".into(),
        handshake_lifetime_s: 10.0,
        domestic_floor_ms: 9.75,
        headline: LatencyHeadline {
            hairpinned_handshakes: 25,
            hairpinned_median_ms: Some(52.5),
            direct_handshakes: 21,
            direct_median_ms: Some(4.3),
            saving_ms: Some(52.5 - 4.3),
            retransmitted: 3,
            handshakes_dropped: 0,
        },
        ti_method: TiMethod {
            definition: "TI = path distance / great-circle distance (test)".into(),
            fibre_km_per_ms: 200.0,
            fibre_stretch: 1.5,
            floor_km: 100.0,
            locations: "Country locations: GeoNames (geonames.org), CC BY 4.0 (test)".into(),
            acceptable: 5.0,
        },
        pairs: vec![p1, p2, p3, p4, p5],
        country_pairs: vec![
            CountryPairEvidence {
                src_country: cc("KH"),
                dst_country: cc("VN"),
                hairpinned: rtt(12, 93.6, 140.0),
                direct: rtt(9, 3.9, 5.0),
                saving_ms: Some(135.0),
                ti: ti(93.6, KH_VN_KM),
                geo_km: Some(KH_VN_KM),
            },
            CountryPairEvidence {
                src_country: cc("KH"),
                dst_country: cc("KH"),
                hairpinned: rtt(2, 44.288, 44.319),
                direct: None,
                saving_ms: Some(44.319 - 4.3),
                ti: ti(44.288, 0.0),
                geo_km: Some(0.0),
            },
        ],
        bgp_source: Some("MRT test-rib.mrt (3 prefixes)".into()),
        ixp_source: Some("PeeringDB test-dump.json (1 IXP)".into()),
        not_available: None,
    }
}

/// The HTML of kh-links.json (a real result, no evidence of its own) with `e` put in.
pub fn page_with(e: Option<Evidence>) -> String {
    let text = std::fs::read_to_string(data("kh-links.json")).unwrap();
    let mut input = parse("kh-links.json", &text).unwrap();
    input.report.evidence = e;
    let c = combine(vec![input], &CombineOptions::default()).unwrap();
    render_html(&c, &HtmlOptions::default())
}
