//! The plan model on a small result built by hand, every figure computed here on paper:
//! which pairs each kind of option localises (national, subregional, hybrid through an
//! interconnect), unknown networks and intra-network pairs never localised, exact and
//! apportioned p95 where they differ, ports, reach, cost and the price errors.
//!
//! The result: 4 samples of 1 s (bins of 1 s); zone KH, VN. Networks: 1 and 2 in KH, 3 in
//! VN, unknown addresses (ASN 0) in KH. Hairpinned pairs (unique bytes, packets):
//!
//! | pair      | bytes | packets | per-sample sightings of the pair (bytes) |
//! |-----------|-------|---------|------------------------------------------|
//! | 1→2 KH-KH | 4000  | 4       | 2000, 4000, 2000, 0 (share 4000/8000)     |
//! | 1→3 KH-VN | 2000  | 2       | 0, 2000, 2000, 0 (share 2000/4000)        |
//! | 3→2 VN-KH | 1000  | 1       | 0, 0, 0, 2000 (share 1000/2000)           |
//! | 1→1 KH-KH | 300   | 3       | 600, 0, 0, 0                              |
//! | 0→2 KH-KH | 500   | 5       | 0, 1000, 0, 0                             |
//!
//! Network 1's own hairpinned series (first sightings): out 1300, 3000, 1000, 0; in 300,
//! 0, 0, 0. Network 2 in: 0, 3500, 1000, 1000. Network 3 out 0, 0, 0, 1000; in 0, 1000,
//! 1000, 0.

use serde_json::json;
use trombone_plan::{plan, PlanFile};
use trombone_schema::Report;

fn pair(s: u32, sc: &str, d: u32, dc: &str, bytes: u64, packets: u64) -> serde_json::Value {
    json!({"src_asn": s, "dst_asn": d, "src_country": sc, "dst_country": dc,
        "packets": packets, "bytes": bytes, "observations": 2 * packets,
        "reobserved_packets": packets, "local_bytes": bytes, "detour_ms": null,
        "hops_abroad": null, "handshake_rtt_ms": null, "via": []})
}

fn row(kind: &str, extra: serde_json::Value, samples: &[(i64, u64)]) -> serde_json::Value {
    let mut r = extra;
    r["kind"] = json!(kind);
    r["samples"] = json!(samples
        .iter()
        .map(|(i, b)| json!([i, b, 1, b, 1]))
        .collect::<Vec<_>>());
    r
}

fn p(s: u32, sc: &str, d: u32, dc: &str) -> serde_json::Value {
    json!({"src_asn": s, "src_country": sc, "dst_asn": d, "dst_country": dc})
}

fn report() -> Report {
    let pairs = vec![
        pair(1, "KH", 2, "KH", 4000, 4),
        pair(1, "KH", 3, "VN", 2000, 2),
        pair(3, "VN", 2, "KH", 1000, 1),
        pair(1, "KH", 1, "KH", 300, 3),
        pair(0, "KH", 2, "KH", 500, 5),
    ];
    let rows = vec![
        row(
            "pair",
            p(1, "KH", 2, "KH"),
            &[(0, 2000), (1, 4000), (2, 2000)],
        ),
        row("pair", p(1, "KH", 3, "VN"), &[(1, 2000), (2, 2000)]),
        row("pair", p(3, "VN", 2, "KH"), &[(3, 2000)]),
        row("pair", p(1, "KH", 1, "KH"), &[(0, 600)]),
        row("pair", p(0, "KH", 2, "KH"), &[(1, 1000)]),
        row(
            "hairpin_out",
            json!({"asn": 1}),
            &[(0, 1300), (1, 3000), (2, 1000)],
        ),
        row("hairpin_in", json!({"asn": 1}), &[(0, 300)]),
        row(
            "hairpin_in",
            json!({"asn": 2}),
            &[(1, 3500), (2, 1000), (3, 1000)],
        ),
        row("hairpin_out", json!({"asn": 3}), &[(3, 1000)]),
        row("hairpin_in", json!({"asn": 3}), &[(1, 1000), (2, 1000)]),
        row(
            "hairpin_out",
            json!({"asn": 0, "country": "KH"}),
            &[(1, 500)],
        ),
    ];
    let v = json!({
        "schema_version": 2,
        "tool": {"name": "trombone", "version": "test"},
        "asn_db": {"source": "hand"},
        "partial": false,
        "inputs": [],
        "time": {"first_ns": 0, "last_ns": 3_999_999_999i64, "duration_s": 4.0},
        "totals": {"frames": 0, "ip_packets": 0, "ip_bytes": 0, "wire_bytes": 0,
            "non_ip_frames": 0, "malformed_frames": 0, "unsupported_frames": 0, "flows": 0},
        "as_matrix": [
            {"src_asn": 1, "dst_asn": 2, "src_country": "KH", "dst_country": "KH", "packets": 8, "bytes": 8000, "flows": 1},
            {"src_asn": 1, "dst_asn": 3, "src_country": "KH", "dst_country": "VN", "packets": 4, "bytes": 4000, "flows": 1}
        ],
        "country_matrix": [],
        "series": {"bin_s": 1.0, "sample_s": 1.0, "rows": rows},
        "hairpin": {"home": "KH", "zone": ["KH", "VN"], "window_ms": 2000.0,
            "domestic_floor_ms": 39.0, "max_zone_km": 2600.0, "links": [],
            "links_assumed_abroad": true,
            "totals": {"packets": 15, "bytes": 7800, "observations": 30, "reobserved_packets": 15,
                "local_packets": 20, "local_bytes": 10000, "share_of_local_bytes": 0.78},
            "matcher": {"slot_overflows": 0, "dropped_fresh": 0, "unidentified_link": 0},
            "pairs": pairs},
        "as_names": {"1": "ONE", "2": "TWO", "3": "THREE"}
    });
    serde_json::from_value(v).expect("a result")
}

/// Ports of 1 and 10 Mbit/s, to fit the tiny traffic.
const HEAD: &str = "port_speeds_gbps = [0.001, 0.01]\n";

const PRICES: &str = r#"
[prices.transit.VN]
usd_per_mbps_month = 50
source = "hand"
[prices.transport.KH-VN]
usd_per_mbps_month = 10
source = "hand"
[prices.port."0.001GE"]
usd = 100
source = "hand"
[prices.port."0.01GE"]
usd = 1000
source = "hand"
[prices.switch]
usd = 5000
ports = 4
source = "hand"
[prices.colocation.default]
usd_per_year = 1200
source = "hand"
[prices.operations.KH]
usd_per_year = 2400
source = "hand"
[prices.operations.VN]
usd_per_year = 3600
source = "hand"
"#;

const OPTIONS: &str = r#"
[[option]]
name = "national"
ixps = [ { at = "KH", members = ["KH"] }, { at = "VN", members = ["VN"] } ]
[[option]]
name = "subregional"
ixps = [ { at = "VN", members = ["KH", "VN"] } ]
[[option]]
name = "hybrid"
ixps = [ { at = "KH", members = ["KH"] }, { at = "VN", members = ["VN"] } ]
interconnect = { at = "VN", members = ["KH", "VN"] }
"#;

fn close(a: f64, b: f64, what: &str) {
    assert!(
        (a - b).abs() <= 1e-9 * b.abs().max(1.0),
        "{what}: {a} against {b}"
    );
}

/// Mbit/s of a byte count in a 1 s sample.
fn mbps(bytes: f64) -> f64 {
    bytes * 8.0 / 1e6
}

#[test]
fn options_localise_the_pairs_their_members_exchange() {
    let pf = PlanFile::parse("plan.toml", &format!("{HEAD}{OPTIONS}{PRICES}")).unwrap();
    let p = plan(&report(), &pf).unwrap();
    let [nat, sub, hyb] = [&p.options[0], &p.options[1], &p.options[2]];
    // national: only 1→2 (the intra-network 1→1 and the unknown 0→2 never)
    assert_eq!((nat.localised_bytes, nat.localised_packets), (4000, 4));
    assert_eq!(nat.still_leaving_bytes, 7800 - 4000);
    close(
        nat.share_of_local_still_leaving,
        3800.0 / 10000.0,
        "national share",
    );
    // subregional and hybrid: 1→2, 1→3, 3→2
    assert_eq!((sub.localised_bytes, sub.localised_packets), (7000, 7));
    assert_eq!(sub.still_leaving_bytes, 800);
    assert_eq!(hyb.localised_bytes, 7000);
    let hp = &hyb.ixps[0].pairs;
    let cross = hp.iter().find(|x| x.dst_asn == 3).unwrap();
    assert_eq!(cross.path, ["IXP at KH", "interconnect at VN", "IXP at VN"]);
    assert_eq!(hyb.interconnect.as_ref().unwrap().localised_bytes, 3000);
    assert!(p
        .cannot_show
        .iter()
        .any(|c| c.contains("500 bytes were hairpinned by addresses in no known network")));
    assert!(p
        .cannot_show
        .iter()
        .any(|c| c.contains("300 bytes were hairpinned within single networks")));
    assert_eq!(p.basis.unknown_network_bytes, 500);
    assert!(p.warnings.iter().any(|w| w.code == "few_samples"));
    assert!(p.warnings.iter().any(|w| w.code == "links_assumed_abroad"));
}

#[test]
fn p95_is_exact_where_a_network_is_whole_and_apportioned_where_not() {
    let pf = PlanFile::parse("plan.toml", &format!("{HEAD}{OPTIONS}{PRICES}")).unwrap();
    let p = plan(&report(), &pf).unwrap();
    let port = |o: usize, ixp: usize, asn: u32| {
        p.options[o].ixps[ixp]
            .member_ports
            .iter()
            .find(|m| m.asn == asn)
            .unwrap()
            .clone()
    };
    use trombone_schema::plan::SeriesBasis::{Apportioned, Exact};
    // national, network 1 out: only 1→2 of its 1→2, 1→3, 1→1 → apportioned:
    // 1→2's sightings × 0.5 = 1000, 2000, 1000, 0 → p95 (4th of 4) = 2000 B/s
    let m = port(0, 0, 1);
    assert_eq!(m.p95_basis, Apportioned);
    close(m.out_p95_mbps, mbps(2000.0), "national 1 out");
    assert_eq!(m.in_p95_mbps, 0.0);
    // national, network 2 in: 1→2 only, not 3→2 or 0→2 → apportioned, 2000 B/s
    let m = port(0, 0, 2);
    assert_eq!(m.p95_basis, Apportioned);
    close(m.in_p95_mbps, mbps(2000.0), "national 2 in");
    // subregional, network 3: sends only 3→2 and receives only 1→3, both localised →
    // exact: its own series, out 1000 (sample 3), in 1000 → p95 1000 B/s each
    let m = port(1, 0, 3);
    assert_eq!(m.p95_basis, Exact);
    close(m.out_p95_mbps, mbps(1000.0), "subregional 3 out");
    close(m.in_p95_mbps, mbps(1000.0), "subregional 3 in");
    // subregional, network 1 out: 1→2 and 1→3 but not 1→1 → apportioned:
    // 1000 + 0, 2000 + 1000, 1000 + 1000, 0 → p95 3000 B/s (its own series would say 3000
    // too, but from 1300, 3000, 1000, 0: the apportioned one differs in samples 0 and 2)
    let m = port(1, 0, 1);
    assert_eq!(m.p95_basis, Apportioned);
    close(m.out_p95_mbps, mbps(3000.0), "subregional 1 out");
    // the subregional IXP carries 1→2, 1→3 (apportioned via network 1) and 3→2 (exact via
    // network 3): 1000, 3000, 2000, 1000 → p95 3000 B/s
    close(
        p.options[1].ixps[0].p95_mbps,
        mbps(3000.0),
        "subregional IXP",
    );
    assert_eq!(p.options[1].ixps[0].p95_basis, Apportioned);
    // each localised pair's own p95: this result has no per-pair hairpinned series, so a
    // pair whose network sends other hairpinned pairs too is apportioned
    let pair = |o: usize, s: u32, d: u32| {
        p.options[o].ixps[0]
            .pairs
            .iter()
            .find(|x| x.src_asn == s && x.dst_asn == d)
            .unwrap()
            .clone()
    };
    // 1→2: 2000, 4000, 2000, 0 × 4000/8000 → 4th of 4 = 2000 B/s
    let x = pair(0, 1, 2);
    assert_eq!(x.p95_basis, Apportioned);
    close(x.p95_mbps, mbps(2000.0), "pair 1→2");
    // 1→3: 0, 2000, 2000, 0 × 2000/4000 → 1000 B/s
    let x = pair(1, 1, 3);
    assert_eq!(x.p95_basis, Apportioned);
    close(x.p95_mbps, mbps(1000.0), "pair 1→3");
    // 3→2: network 3's only hairpinned pair, so its own series: 0, 0, 0, 1000 → exact
    let x = pair(1, 3, 2);
    assert_eq!(x.p95_basis, Exact);
    close(x.p95_mbps, mbps(1000.0), "pair 3→2");
}

#[test]
fn ports_reach_cost_and_payback_by_hand() {
    let pf = PlanFile::parse("plan.toml", &format!("{HEAD}{OPTIONS}{PRICES}")).unwrap();
    let p = plan(&report(), &pf).unwrap();
    // subregional at VN; ports of 1 Mbit/s (0.001GE) and 10 Mbit/s; target 0.5, growth 1
    let sub = &p.options[1];
    let x = &sub.ixps[0];
    let get = |asn: u32| x.member_ports.iter().find(|m| m.asn == asn).unwrap();
    // network 1: out 0.024 Mbit/s, in (1→1 is not localised; nothing else to it) 0 →
    // needed 0.048 → 0.001GE (1 Mbit/s); reach KH-VN 0.048 Mbit/s
    let m1 = get(1);
    close(m1.needed_mbps, 0.048, "needed 1");
    assert_eq!(m1.port, "0.001GE");
    let r = m1.reach.as_ref().unwrap();
    assert_eq!(
        (r.route.as_str(), r.from.as_str(), r.to.as_str()),
        ("KH-VN", "KH", "VN")
    );
    close(r.needed_mbps, 0.048, "reach 1");
    // network 2 (KH) in: 1→2 apportioned 1000, 2000, 1000, 0 plus 3→2 exact? No: network 2
    // receives 1→2, 3→2 and 0→2; the set lacks 0→2 → apportioned: 1→2 × 0.5 and 3→2 × 0.5
    // = 1000, 2000, 1000, 1000 → p95 2000 B/s = 0.016 Mbit/s, needed 0.032
    let m2 = get(2);
    close(m2.in_p95_mbps, 0.016, "2 in");
    // network 3 (VN, at the IXP): p95 0.008, no reach
    let m3 = get(3);
    close(m3.p95_mbps, 0.008, "3 p95");
    assert!(m3.reach.is_none());
    // switch: 3 member ports of 0.001GE + max(1, ⌈0.75⌉) = 1 spare = 4 ports → 1 switch of 4
    assert_eq!(x.switch_ports.len(), 1);
    assert_eq!(
        (
            x.switch_ports[0].members,
            x.switch_ports[0].spares,
            x.switch_ports[0].total
        ),
        (3, 1, 4)
    );
    assert_eq!(x.switches, 1);
    let c = &sub.cost;
    // capex: 5000 + 4 × 100
    close(c.capex_usd.unwrap(), 5400.0, "capex");
    // opex: colocation (default) 1200 + operations VN 3600 + transport KH-VN
    // (0.048 + 0.032) × 10 × 12
    let transport = (0.048 + 0.032) * 10.0 * 12.0;
    close(c.opex_usd_per_year.unwrap(), 4800.0 + transport, "opex");
    // transit saved: (0.024 + 0.016) × 100 (KH, ESCAP default) + 0.008 × 50 (VN), × 12
    let saved = ((0.024 + 0.016) * 100.0 + 0.008 * 50.0) * 12.0;
    close(c.transit_saved_usd_per_year.unwrap(), saved, "saved");
    let net = saved - 4800.0 - transport;
    assert!(net < 0.0);
    assert_eq!(c.payback_months, None);
    close(c.value_usd.unwrap(), net * 5.0 - 5400.0, "value");
    // hybrid: KH's uplink carries 1→3 out (apportioned 0, 1000, 1000, 0 → 1000 B/s) and
    // 3→2 in (network 2's set lacks 1→2, 0→2 → apportioned 0, 0, 0, 1000 → 1000 B/s)
    let up = p.options[2].ixps[0].uplink.as_ref().unwrap();
    close(up.out_p95_mbps, 0.008, "uplink out");
    close(up.in_p95_mbps, 0.008, "uplink in");
    let t = up.transport.as_ref().unwrap();
    assert_eq!(t.route, "KH-VN");
    close(t.needed_mbps, 0.016, "uplink transport");
    assert!(p.options[2].ixps[1]
        .uplink
        .as_ref()
        .unwrap()
        .transport
        .is_none());
    // the prices used, each with its source; KH transit is the documented default
    let kh = p
        .prices
        .iter()
        .find(|x| x.key == "prices.transit.KH")
        .unwrap();
    assert!(kh.default && kh.source.contains("ESCAP") && kh.usd == 100.0);
    assert!(p
        .prices
        .iter()
        .any(|x| x.key == "prices.operations.VN" && x.usd == 3600.0));
}

#[test]
fn a_missing_price_is_an_error_naming_it_unless_allowed() {
    let text = format!("{HEAD}{OPTIONS}{PRICES}").replace(
        "[prices.transport.KH-VN]\nusd_per_mbps_month = 10\nsource = \"hand\"\n",
        "",
    );
    let pf = PlanFile::parse("plan.toml", &text).unwrap();
    let e = plan(&report(), &pf).unwrap_err().0;
    assert!(
        e.starts_with("plan.toml: missing price: prices.transport.KH-VN (needed for "),
        "{e}"
    );
    let text = text.replace(
        "[prices.transit.VN]",
        "[prices]\nallow_unpriced = true\n[prices.transit.VN]",
    );
    let pf = PlanFile::parse("plan.toml", &text).unwrap();
    let p = plan(&report(), &pf).unwrap();
    let sub = &p.options[1].cost;
    assert_eq!(sub.not_priced, ["prices.transport.KH-VN"]);
    assert!(
        sub.opex_usd_per_year.is_none() && sub.payback_months.is_none() && sub.value_usd.is_none()
    );
    // the national option needs no transport: fully priced
    assert!(p.options[0].cost.not_priced.is_empty());
    assert!(p.options[0].cost.capex_usd.is_some());
    // the hybrid's uplink needs the route too: two options have no value, so none is
    // ranked by value; by localised bytes instead: subregional and hybrid 7000 (1→2, 1→3,
    // 3→2; a tie kept in file order), national 4000 (1→2 only)
    assert!(p.options[2].cost.value_usd.is_none());
    assert_eq!(p.ranked_by, "localised_bytes");
    assert_eq!(p.ranking, ["subregional", "hybrid", "national"]);
    assert!(
        p.ranking_basis
            .starts_with("hairpinned bytes localised, highest first: 2 of 3 options have no value"),
        "{}",
        p.ranking_basis
    );
    // the sensitivity rows of an option without a value say so in the table
    let t = trombone_plan::table::render(&trombone_schema::PlanResult {
        plan_version: trombone_schema::PLAN_VERSION,
        tool: trombone_schema::ToolInfo::this(Vec::new()),
        plan_file: "plan.toml".into(),
        results: Vec::new(),
        plan: p.clone(),
    });
    let base = t
        .lines()
        .find(|l| l.starts_with("base "))
        .unwrap_or_else(|| panic!("no base row: {t}"));
    assert_eq!(base.matches("not priced").count(), 2, "{base}");
    assert!(!base.contains("- /"), "{base}");
    assert!(t.contains("Ranking (hairpinned bytes localised"), "{t}");
}

#[test]
fn with_every_option_priced_the_ranking_is_by_value() {
    let pf = PlanFile::parse("plan.toml", &format!("{HEAD}{OPTIONS}{PRICES}")).unwrap();
    let p = plan(&report(), &pf).unwrap();
    assert_eq!(p.ranked_by, "value_usd");
    let mut by_hand: Vec<(f64, &str)> = p
        .options
        .iter()
        .map(|o| (o.cost.value_usd.unwrap(), o.name.as_str()))
        .collect();
    by_hand.sort_by(|a, b| b.0.total_cmp(&a.0));
    let names: Vec<&str> = by_hand.iter().map(|x| x.1).collect();
    assert_eq!(p.ranking, names);
}

#[test]
fn a_zone_narrower_than_the_plan_is_said() {
    let text = format!(
        "{HEAD}[[option]]\nname = \"with-la\"\nixps = [ {{ at = \"VN\", members = [\"KH\", \"VN\", \"LA\"] }} ]\n{PRICES}"
    );
    let pf = PlanFile::parse("plan.toml", &text).unwrap();
    let p = plan(&report(), &pf).unwrap();
    assert!(
        p.cannot_show.iter().any(|c| c.starts_with(
            "The result's zone is KH,VN: traffic with an end in LA was never classified as local"
        )),
        "{:?}",
        p.cannot_show
    );
    // LA has no traffic in the result either: nothing is credited to it
    assert_eq!(p.options[0].localised_bytes, 7000);
}
