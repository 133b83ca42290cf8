//! `trombone plan` end to end on the generator's plan scenarios (crates/fixtures/src/
//! plan_scenario.rs): captures at two gateways (kh-gw, la-gw) are analysed with `trombone
//! analyze`, and `trombone plan` compares three options (national, subregional at VN,
//! hybrid with an interconnect at VN) on the two results.
//!
//! Every figure is recomputed here by hand from the generator's model — the packets it
//! sent, their sightings and the handshakes' RTTs — never from the analyzer's output:
//! localised and still-leaving bytes and packets, each p95 by the nearest-rank rule over
//! the 20 samples of 0.1 s (exact from the pairs' hairpinned first sightings; apportioning, for results without per-pair hairpinned series, from the pairs'
//! sightings where the README says so), the port of every member, the switch port plans,
//! cross-border capacity, capex, opex, transit saved, payback and value from the plan
//! file's test price book, the sensitivity rows, and the latency saved per pair (the
//! analyzer's 3-significant-digit histograms allow 0.2% there). The option the scenario
//! was built for must rank first.

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use trombone_fixtures::plan_scenario::{self as ps, Kind, Model};

fn trombone(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_trombone"))
        .args(args)
        .output()
        .expect("run trombone")
}

fn ok(args: &[&str]) -> Output {
    let out = trombone(args);
    assert!(
        out.status.success(),
        "trombone {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Writes the scenario to a fresh directory, analyses both captures, and returns the
/// directory.
fn prepare(kind: Kind, tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "trombone-plan-{}-{tag}-{}",
        kind.winner(),
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (name, bytes) in ps::files(kind) {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
    let model = ps::scenario(kind).model;
    for s in &model.sites {
        let p = |f: String| dir.join(f).display().to_string();
        let mut args = vec![
            "analyze".to_string(),
            p(format!("{}.pcap", s.name)),
            "--asn-db".into(),
            p("asn.tsv".into()),
            "--links".into(),
            p(format!("{}.links.toml", s.name)),
            "--site".into(),
            s.name.into(),
            "--no-progress".into(),
            "--format".into(),
            "json".into(),
            "-o".into(),
            p(format!("{}.json", s.name)),
        ];
        args.extend(model.analyze_args.iter().map(|a| a.to_string()));
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        ok(&a);
    }
    dir
}

fn path(dir: &Path, f: &str) -> String {
    dir.join(f).display().to_string()
}

fn plan_json(dir: &Path, plan: &str) -> Value {
    let out = ok(&[
        "plan",
        &path(dir, "kh-gw.json"),
        &path(dir, "la-gw.json"),
        "--plan",
        plan,
        "--format",
        "json",
    ]);
    serde_json::from_slice(&out.stdout).expect("plan JSON")
}

// ---------------------------------------------------------------------------------------
// The hand computation.

const SAMPLES: usize = ps::SAMPLES as usize;
const ZONE: [&str; 4] = ["KH", "LA", "MM", "VN"];
const SPEEDS: [f64; 6] = [1.0, 10.0, 25.0, 40.0, 100.0, 400.0];
const TARGET: f64 = 0.5;
const HORIZON: f64 = 5.0;
const SWITCH_USD: f64 = 30_000.0;
const SWITCH_PORTS: u32 = 48;
const SITE_USD_PER_YEAR: f64 = 24_000.0 + 60_000.0; // colocation + operations
const TRANSPORT_USD: f64 = 30.0;

/// The test price book's port prices (plan.toml).
fn port_usd(g: f64) -> f64 {
    match g as u64 {
        1 => 500.0,
        10 => 2_000.0,
        25 => 4_000.0,
        40 => 6_000.0,
        100 => 12_000.0,
        _ => panic!("no test price for {g} GE"),
    }
}

/// Transit price: ESCAP 2016 default for KH, LA, MM; the test price for VN.
fn transit_usd(cc: &str) -> f64 {
    if cc == "VN" {
        40.0
    } else {
        100.0
    }
}

type Pair = (u32, String, u32, String);
type Series = [f64; SAMPLES];

/// What the model says, indexed.
struct Truth {
    /// Unique hairpinned bytes and packets per pair.
    hp: BTreeMap<Pair, (u64, u64)>,
    /// Hairpinned bytes per sample by first sighting, per pair.
    hp_first: BTreeMap<Pair, Series>,
    /// Unique local bytes.
    local_bytes: u64,
    hp_bytes: u64,
    hp_packets: u64,
}

fn sample(t: u64) -> usize {
    ((t - ps::START_NS) / ps::SAMPLE_NS) as usize
}

fn truth(m: &Model) -> Truth {
    let mut t = Truth {
        hp: BTreeMap::new(),
        hp_first: BTreeMap::new(),
        local_bytes: 0,
        hp_bytes: 0,
        hp_packets: 0,
    };
    for p in &m.packets {
        let (Some(a), Some(b)) = (p.src_country, p.dst_country) else {
            continue;
        };
        let k: Pair = (p.src_asn, a.to_string(), p.dst_asn, b.to_string());
        if ZONE.contains(&a) && ZONE.contains(&b) {
            t.local_bytes += u64::from(p.l3_len);
        }
        if p.hairpinned {
            let e = t.hp.entry(k.clone()).or_default();
            e.0 += u64::from(p.l3_len);
            e.1 += 1;
            t.hp_bytes += u64::from(p.l3_len);
            t.hp_packets += 1;
            t.hp_first.entry(k).or_insert([0.0; SAMPLES])[sample(p.sightings[0])] +=
                f64::from(p.l3_len);
        }
    }
    t
}

/// Nearest-rank p95 of the 20 sample rates (every sample wholly in the span), Mbit/s.
fn p95(s: &Series) -> f64 {
    let mut v: Vec<f64> = s
        .iter()
        .map(|b| b * 8.0 / 1e6 / (ps::SAMPLE_NS as f64 / 1e9))
        .collect();
    v.sort_by(f64::total_cmp);
    let rank = (0.95 * SAMPLES as f64).ceil() as usize; // 19
    v[rank - 1]
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum End {
    Src,
    Dst,
}

/// The per-sample traffic of `set`: results carry each pair's hairpinned first sightings
/// per sample (`hairpin_pair` series), so any set sums exactly from the pairs' own
/// hairpinned traffic, whichever `end` it is grouped by. Returns the series and whether
/// it is exact (always, for results of this build; older results without per-pair
/// hairpinned series are apportioned, as crates/plan/tests/hand.rs checks).
fn sum(t: &Truth, set: &BTreeSet<Pair>, end: End) -> (Series, bool) {
    let _ = end;
    let mut out = [0.0; SAMPLES];
    for k in set {
        for (o, b) in out.iter_mut().zip(t.hp_first[k].iter()) {
            *o += b;
        }
    }
    (out, true)
}

/// The port rule: (needed Mbit/s, speed Gbps, ports).
fn port(p95: f64, growth: f64) -> (f64, f64, u32) {
    let needed = p95 * growth / TARGET;
    match SPEEDS.iter().find(|g| *g * 1000.0 >= needed) {
        Some(g) => (needed, *g, 1),
        None => (needed, 400.0, (needed / 400_000.0).ceil() as u32),
    }
}

/// An option as the test lays it out: IXPs at countries with member countries, and the
/// interconnect country.
struct Opt {
    name: &'static str,
    ixps: Vec<(&'static str, Vec<&'static str>)>,
    interconnect: Option<&'static str>,
}

fn options() -> Vec<Opt> {
    let national = || ZONE.iter().map(|c| (*c, vec![*c])).collect::<Vec<_>>();
    vec![
        Opt {
            name: "national",
            ixps: national(),
            interconnect: None,
        },
        Opt {
            name: "subregional",
            ixps: vec![("VN", ZONE.to_vec())],
            interconnect: None,
        },
        Opt {
            name: "hybrid",
            ixps: national(),
            interconnect: Some("VN"),
        },
    ]
}

/// The IXPs a pair is exchanged on (source's, destination's), if the option localises it.
fn route(o: &Opt, k: &Pair) -> Option<(usize, usize)> {
    if k.0 == k.2 || !ZONE.contains(&k.1.as_str()) || !ZONE.contains(&k.3.as_str()) {
        return None;
    }
    let home = |c: &str| o.ixps.iter().position(|x| x.1.contains(&c));
    if let Some(i) = o
        .ixps
        .iter()
        .position(|x| x.1.contains(&k.1.as_str()) && x.1.contains(&k.3.as_str()))
    {
        return Some((i, i));
    }
    o.interconnect?;
    Some((home(&k.1)?, home(&k.3)?))
}

/// One member port by hand.
#[derive(Debug)]
struct HandPort {
    ixp: usize,
    asn: u32,
    country: String,
    p95: f64,
    exact: bool,
}

/// The figures of an option by hand, under one growth and price factors.
#[derive(Debug, Default)]
struct HandCost {
    capex: f64,
    opex: f64,
    saved: f64,
    transport_mbps: f64,
    ports_total: u32,
}

struct HandOption {
    localised: BTreeSet<Pair>,
    routes: BTreeMap<Pair, (usize, usize)>,
    ports: Vec<HandPort>,
    /// (ixp, in p95, out p95)
    uplinks: Vec<(usize, f64, f64)>,
    ixp_p95: Vec<(f64, bool)>,
    all_p95: (f64, bool),
}

fn hand_option(t: &Truth, o: &Opt) -> HandOption {
    let routes: BTreeMap<Pair, (usize, usize)> =
        t.hp.keys()
            .filter_map(|k| route(o, k).map(|r| (k.clone(), r)))
            .collect();
    let localised: BTreeSet<Pair> = routes.keys().cloned().collect();
    type InOut = (BTreeSet<Pair>, BTreeSet<Pair>);
    let mut members: BTreeMap<(usize, u32, String), InOut> = BTreeMap::new();
    for (k, (i, j)) in &routes {
        members
            .entry((*i, k.0, k.1.clone()))
            .or_default()
            .0
            .insert(k.clone());
        members
            .entry((*j, k.2, k.3.clone()))
            .or_default()
            .1
            .insert(k.clone());
    }
    let ports = members
        .into_iter()
        .map(|((ixp, asn, country), (out, inn))| {
            let (so, eo) = sum(t, &out, End::Src);
            let (si, ei) = sum(t, &inn, End::Dst);
            let (po, pi) = (
                if out.is_empty() { 0.0 } else { p95(&so) },
                if inn.is_empty() { 0.0 } else { p95(&si) },
            );
            HandPort {
                ixp,
                asn,
                country,
                p95: po.max(pi),
                exact: eo && ei,
            }
        })
        .collect();
    let sel = |f: &dyn Fn(&(usize, usize)) -> bool| -> BTreeSet<Pair> {
        routes
            .iter()
            .filter(|(_, r)| f(r))
            .map(|(k, _)| k.clone())
            .collect()
    };
    let p95_of = |set: &BTreeSet<Pair>, end| {
        if set.is_empty() {
            (0.0, true)
        } else {
            let (s, e) = sum(t, set, end);
            (p95(&s), e)
        }
    };
    let ixp_p95 = (0..o.ixps.len())
        .map(|i| p95_of(&sel(&|r| r.0 == i || r.1 == i), End::Src))
        .collect();
    let uplinks = match o.interconnect {
        None => Vec::new(),
        Some(_) => (0..o.ixps.len())
            .map(|i| {
                (
                    i,
                    p95_of(&sel(&|r| r.0 != r.1 && r.1 == i), End::Dst).0,
                    p95_of(&sel(&|r| r.0 != r.1 && r.0 == i), End::Src).0,
                )
            })
            .collect(),
    };
    HandOption {
        all_p95: p95_of(&localised, End::Src),
        localised,
        routes,
        ports,
        uplinks,
        ixp_p95,
    }
}

/// Spares per speed: max(1, ⌈25% of ports in use⌉).
fn spares(n: u32) -> u32 {
    ((f64::from(n) * 0.25).ceil() as u32).max(1)
}

/// Capex and opex of a site whose ports in use are `used` (speed → count).
fn site(used: &BTreeMap<u64, u32>, cost_f: f64, c: &mut HandCost) {
    let mut total = 0;
    for (g, n) in used {
        let all = n + spares(*n);
        total += all;
        c.capex += f64::from(all) * port_usd(*g as f64) * cost_f;
    }
    c.ports_total += total;
    let switches = total.div_ceil(SWITCH_PORTS).max(1);
    c.capex += f64::from(switches) * SWITCH_USD * cost_f;
    c.opex += SITE_USD_PER_YEAR * cost_f;
}

fn hand_cost(o: &Opt, h: &HandOption, growth: f64, transit_f: f64, cost_f: f64) -> HandCost {
    let mut c = HandCost::default();
    let mut ic_used: BTreeMap<u64, u32> = BTreeMap::new();
    for (i, (at, _)) in o.ixps.iter().enumerate() {
        let mut used: BTreeMap<u64, u32> = BTreeMap::new();
        for p in h.ports.iter().filter(|p| p.ixp == i) {
            let (needed, g, n) = port(p.p95, growth);
            *used.entry(g as u64).or_default() += n;
            c.saved += p.p95 * growth * transit_usd(&p.country) * transit_f * 12.0;
            if p.country != *at {
                c.transport_mbps += needed;
                c.opex += needed * TRANSPORT_USD * cost_f * 12.0;
            }
        }
        if let Some(ic) = o.interconnect {
            let &(_, pin, pout) = h.uplinks.iter().find(|u| u.0 == i).unwrap();
            let (needed, g, n) = port(pin.max(pout), growth);
            *used.entry(g as u64).or_default() += n;
            *ic_used.entry(g as u64).or_default() += n;
            if *at != ic {
                c.transport_mbps += needed;
                c.opex += needed * TRANSPORT_USD * cost_f * 12.0;
            }
        }
        site(&used, cost_f, &mut c);
    }
    if o.interconnect.is_some() {
        site(&ic_used, cost_f, &mut c);
    }
    c
}

/// Ports in use per speed (Gbps → (member ports, uplink ports)) at each IXP and at the
/// interconnect, at growth 1.
type Used = BTreeMap<u64, (u32, u32)>;

fn hand_sites(o: &Opt, h: &HandOption) -> (Vec<Used>, Used) {
    let mut ixps = Vec::new();
    let mut ic: Used = BTreeMap::new();
    for i in 0..o.ixps.len() {
        let mut used: Used = BTreeMap::new();
        for p in h.ports.iter().filter(|p| p.ixp == i) {
            let (_, g, n) = port(p.p95, 1.0);
            used.entry(g as u64).or_default().0 += n;
        }
        if o.interconnect.is_some() {
            let &(_, pin, pout) = h.uplinks.iter().find(|u| u.0 == i).unwrap();
            let (_, g, n) = port(pin.max(pout), 1.0);
            used.entry(g as u64).or_default().1 += n;
            ic.entry(g as u64).or_default().1 += n;
        }
        ixps.push(used);
    }
    (ixps, ic)
}

/// A switch's `switch_ports` and `switches` against the ports in use by hand: per speed
/// members, uplinks, spares = max(1, ⌈25%⌉) and their total; switches = ⌈total ÷ 48⌉.
fn check_switch(x: &Value, used: &Used, what: &str) {
    let got = x["switch_ports"].as_array().unwrap();
    assert_eq!(got.len(), used.len(), "{what}: speeds {got:?} {used:?}");
    let mut total = 0;
    for (sp, (g, (m, u))) in got.iter().zip(used) {
        let n = m + u;
        let want = (*g as f64, *m, *u, spares(n), n + spares(n));
        assert_eq!(
            (
                sp["speed_gbps"].as_f64().unwrap(),
                sp["members"].as_u64().unwrap() as u32,
                sp["uplinks"].as_u64().unwrap() as u32,
                sp["spares"].as_u64().unwrap() as u32,
                sp["total"].as_u64().unwrap() as u32,
            ),
            want,
            "{what}: switch ports"
        );
        assert_eq!(sp["port"], format!("{g}GE"), "{what}");
        total += want.4;
    }
    assert_eq!(
        x["switches"].as_u64().unwrap() as u32,
        total.div_ceil(SWITCH_PORTS).max(1),
        "{what}: switches"
    );
}

/// The kind of an option by its layout: an interconnect makes it hybrid; IXPs each of
/// its own country only, national; one IXP of several countries, subregional.
fn kind_of(o: &Opt) -> &'static str {
    if o.interconnect.is_some() {
        "hybrid"
    } else if o.ixps.iter().all(|(at, m)| m.len() == 1 && m[0] == *at) {
        "national"
    } else if o.ixps.len() == 1 {
        "subregional"
    } else {
        "mixed"
    }
}

fn payback(c: &HandCost) -> Option<f64> {
    let net = c.saved - c.opex;
    (net > 0.0).then(|| c.capex / (net / 12.0))
}

fn value(c: &HandCost) -> f64 {
    (c.saved - c.opex) * HORIZON - c.capex
}

/// |a − b| ≤ 1e-9 relative (+ a hair absolute).
fn same(got: &Value, want: f64, what: &str) {
    let g = got
        .as_f64()
        .unwrap_or_else(|| panic!("{what}: not a number: {got}"));
    assert!(
        (g - want).abs() <= 1e-9 * want.abs().max(1.0),
        "{what}: plan {g}, by hand {want}"
    );
}

fn same_opt(got: &Value, want: Option<f64>, what: &str) {
    match want {
        Some(w) => same(got, w, what),
        None => assert!(got.is_null(), "{what}: plan {got}, by hand none"),
    }
}

/// Nearest-rank median of RTTs, ms.
fn median_ms(v: &mut [u64]) -> f64 {
    v.sort_unstable();
    v[(v.len() as f64 * 0.5).ceil() as usize - 1] as f64 / 1e6
}

/// Great-circle km between two of the documented country points (crates/geo/data/
/// countries.tsv), haversine on the mean Earth radius.
fn km(a: &str, b: &str) -> f64 {
    let pt = |c: &str| -> (f64, f64) {
        match c {
            "KH" => (11.56245, 104.91601),
            "LA" => (17.96667, 102.6),
            "MM" => (16.80528, 96.15611),
            "VN" => (21.0245, 105.84117),
            _ => panic!("{c}"),
        }
    };
    if a == b {
        return 0.0;
    }
    let ((la1, lo1), (la2, lo2)) = (pt(a), pt(b));
    let (p1, p2) = (la1.to_radians(), la2.to_radians());
    let dp = p2 - p1;
    let dl = (lo2 - lo1).to_radians();
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * 6371.0088 * h.sqrt().asin()
}

/// Checks the latency figures of one option against the handshakes of the model.
/// TI before and after (None: unknown) of a pair.
type TiPair = (f64, Option<f64>);

/// Returns the pairs with a TI after by hand, and how many of them are above 5.
fn check_latency(m: &Model, t: &Truth, o: &Opt, h: &HandOption, got: &Value) -> (u64, u64) {
    let mut hp: BTreeMap<Pair, Vec<u64>> = BTreeMap::new();
    let mut direct: BTreeMap<Pair, Vec<u64>> = BTreeMap::new();
    for s in &m.handshakes {
        let k: Pair = (
            s.src_asn,
            s.src_country.into(),
            s.dst_asn,
            s.dst_country.into(),
        );
        if s.hairpinned { &mut hp } else { &mut direct }
            .entry(k)
            .or_default()
            .push(s.rtt_ns);
    }
    let mut zone: Vec<u64> = direct.values().flatten().copied().collect();
    let zone_median = median_ms(&mut zone);
    let mut want: BTreeMap<Pair, (u64, f64, f64, f64)> = BTreeMap::new();
    // the Tromboning Index (crates/geo/src/ti.rs): path km = fastest RTT ÷ 2 × 200 km/ms ÷
    // 1.5, over the great-circle km between the countries' points, at least 100 km
    let path_km = |v: &[u64]| *v.iter().min().unwrap() as f64 / 1e6 / 2.0 * 200.0 / 1.5;
    let mut ti_want: BTreeMap<Pair, TiPair> = BTreeMap::new();
    let (mut without, mut without_bytes) = (0u64, 0u64);
    let (mut weighted, mut weight) = (0.0, 0u64);
    for k in &h.localised {
        let Some(v) = hp.get(k) else {
            without += 1;
            without_bytes += t.hp[k].0;
            continue;
        };
        let hpm = median_ms(&mut v.clone());
        let baseline = if let Some(d) = direct.get(k) {
            median_ms(&mut d.clone())
        } else {
            let mut same_cc: Vec<u64> = direct
                .iter()
                .filter(|(d, _)| d.1 == k.1 && d.3 == k.3)
                .flat_map(|(_, v)| v.iter().copied())
                .collect();
            if same_cc.is_empty() {
                zone_median
            } else {
                median_ms(&mut same_cc)
            }
        };
        let (i, j) = h.routes[k];
        let mut path = vec![k.1.as_str(), o.ixps[i].0];
        if i != j {
            path.push(o.interconnect.unwrap());
            path.push(o.ixps[j].0);
        }
        path.push(k.3.as_str());
        path.dedup();
        let along: f64 = path.windows(2).map(|w| km(w[0], w[1])).sum();
        let extra_km = along - km(&k.1, &k.3);
        let extra = 2.0 * extra_km * 1.5 / 200.0;
        let saving = hpm - baseline - extra;
        let dist = km(&k.1, &k.3).max(100.0);
        ti_want.insert(
            k.clone(),
            (
                path_km(v) / dist,
                direct.get(k).map(|d| (path_km(d) + extra_km) / dist),
            ),
        );
        weighted += saving * v.len() as f64;
        weight += v.len() as u64;
        want.insert(k.clone(), (v.len() as u64, hpm, baseline, extra));
    }
    let pairs = got["pairs"].as_array().unwrap();
    assert_eq!(pairs.len(), want.len(), "{}: pairs with latency", o.name);
    for p in pairs {
        let k: Pair = (
            p["src_asn"].as_u64().unwrap() as u32,
            p["src_country"].as_str().unwrap().into(),
            p["dst_asn"].as_u64().unwrap() as u32,
            p["dst_country"].as_str().unwrap().into(),
        );
        let (n, hpm, base, extra) = want[&k];
        assert_eq!(p["handshakes"].as_u64().unwrap(), n, "{k:?}");
        let close = |g: &Value, w: f64, what: &str| {
            let g = g.as_f64().unwrap();
            assert!(
                (g - w).abs() <= 0.002 * w.abs() + 0.002,
                "{}: {k:?} {what}: plan {g}, by hand {w}",
                o.name
            );
        };
        close(&p["hairpinned_median_ms"], hpm, "hairpinned median");
        close(&p["baseline_ms"], base, "baseline");
        assert!(
            (p["extra_ms"].as_f64().unwrap() - extra).abs() < 1e-6,
            "{}: {k:?} extra: plan {}, by hand {extra}",
            o.name,
            p["extra_ms"]
        );
        let s = p["saving_ms"].as_f64().unwrap();
        let w = hpm - base - extra;
        assert!(
            (s - w).abs() <= 0.002 * (hpm + base) + 0.004,
            "{}: {k:?} saving: plan {s}, by hand {w}",
            o.name
        );
    }
    // TI now and after, and how many of each are known and above the acceptable 5
    for p in pairs {
        let k: Pair = (
            p["src_asn"].as_u64().unwrap() as u32,
            p["src_country"].as_str().unwrap().into(),
            p["dst_asn"].as_u64().unwrap() as u32,
            p["dst_country"].as_str().unwrap().into(),
        );
        let (before, after) = ti_want[&k];
        let close = |g: &Value, w: f64, what: &str| {
            let g = g
                .as_f64()
                .unwrap_or_else(|| panic!("{}: {k:?} {what}: {g}", o.name));
            assert!(
                (g - w).abs() <= 0.002 * w.abs() + 1e-6,
                "{}: {k:?} {what}: plan {g}, by hand {w}",
                o.name
            );
        };
        close(&p["ti_before"], before, "TI before");
        match after {
            Some(a) => close(&p["ti_after"], a, "TI after"),
            None => assert!(p["ti_after"].is_null(), "{}: {k:?} TI after", o.name),
        }
    }
    let count = |f: &dyn Fn(&TiPair) -> bool| ti_want.values().filter(|v| f(v)).count() as u64;
    assert_eq!(
        got["pairs_with_ti_before"].as_u64(),
        Some(count(&|_| true)),
        "{}",
        o.name
    );
    assert_eq!(
        got["ti_above_acceptable_before"].as_u64(),
        Some(count(&|v| v.0 > 5.0)),
        "{}",
        o.name
    );
    assert_eq!(
        got["pairs_with_ti_after"].as_u64(),
        Some(count(&|v| v.1.is_some())),
        "{}",
        o.name
    );
    assert_eq!(
        got["ti_above_acceptable_after"].as_u64(),
        Some(count(&|v| v.1.is_some_and(|a| a > 5.0))),
        "{}",
        o.name
    );
    assert_eq!(
        got["pairs_without_rtt"].as_u64(),
        Some(without),
        "{}",
        o.name
    );
    assert_eq!(
        got["bytes_without_rtt"].as_u64(),
        Some(without_bytes),
        "{}",
        o.name
    );
    let ti_after = (
        count(&|v| v.1.is_some()),
        count(&|v| v.1.is_some_and(|a| a > 5.0)),
    );
    let headline = weighted / weight as f64;
    let g = got["saving_ms"].as_f64().unwrap();
    assert!(
        (g - headline).abs() <= 0.002 * headline.abs() + 0.3,
        "{}: saving headline: plan {g}, by hand {headline}",
        o.name
    );
    assert_eq!(got["handshakes"].as_u64().unwrap(), weight, "{}", o.name);
    ti_after
}

/// The whole comparison of one scenario, by hand, against `trombone plan`.
fn check(kind: Kind) {
    let dir = prepare(kind, "check");
    let m = ps::scenario(kind).model;
    let t = truth(&m);
    let plan = plan_json(&dir, &path(&dir, "plan.toml"));
    assert_eq!(plan["plan_version"], 1);
    let p = &plan["plan"];
    assert_eq!(p["basis"]["samples"], 20);
    assert_eq!(p["basis"]["sites"], serde_json::json!(["kh-gw", "la-gw"]));
    assert_eq!(p["basis"]["hairpin_bytes"].as_u64().unwrap(), t.hp_bytes);
    assert_eq!(p["basis"]["local_bytes"].as_u64().unwrap(), t.local_bytes);
    let got_opts = p["options"].as_array().unwrap();
    assert_eq!(got_opts.len(), 3);
    let mut values = Vec::new();
    for (o, g) in options().iter().zip(got_opts) {
        assert_eq!(g["name"], o.name);
        let name = o.name;
        assert_eq!(g["kind"], kind_of(o), "{name}");
        let h = hand_option(&t, o);
        let (sites, ic_used) = hand_sites(o, &h);
        // traffic localised and still leaving
        let lb: u64 = h.localised.iter().map(|k| t.hp[k].0).sum();
        let lp: u64 = h.localised.iter().map(|k| t.hp[k].1).sum();
        assert_eq!(g["localised_bytes"].as_u64().unwrap(), lb, "{name}");
        assert_eq!(g["localised_packets"].as_u64().unwrap(), lp, "{name}");
        assert_eq!(
            g["localised_pairs"].as_u64().unwrap(),
            h.localised.len() as u64
        );
        assert_eq!(
            g["still_leaving_bytes"].as_u64().unwrap(),
            t.hp_bytes - lb,
            "{name}"
        );
        assert_eq!(
            g["still_leaving_packets"].as_u64().unwrap(),
            t.hp_packets - lp
        );
        same(
            &g["share_of_hairpin_localised"],
            lb as f64 / t.hp_bytes as f64,
            name,
        );
        same(
            &g["share_of_local_still_leaving"],
            (t.hp_bytes - lb) as f64 / t.local_bytes as f64,
            name,
        );
        same(&g["localised_p95_mbps"], h.all_p95.0, name);
        assert_eq!(
            g["localised_p95_basis"],
            if h.all_p95.1 { "exact" } else { "apportioned" },
            "{name}"
        );
        // IXPs and member ports
        let ixps = g["ixps"].as_array().unwrap();
        assert_eq!(ixps.len(), o.ixps.len());
        let mut n_ports = 0;
        for (i, x) in ixps.iter().enumerate() {
            assert_eq!(x["at"], o.ixps[i].0);
            let what = format!("{name} IXP at {}", o.ixps[i].0);
            same(&x["p95_mbps"], h.ixp_p95[i].0, &format!("{what} p95"));
            assert_eq!(x["p95_basis"], "exact", "{what}");
            // its own pairs' bytes and packets (not those it passes to the interconnect)
            let own: Vec<&Pair> = h
                .routes
                .iter()
                .filter(|(_, r)| r.0 == i && r.1 == i)
                .map(|(k, _)| k)
                .collect();
            assert_eq!(
                x["localised_bytes"].as_u64().unwrap(),
                own.iter().map(|k| t.hp[*k].0).sum::<u64>(),
                "{what}"
            );
            assert_eq!(
                x["localised_packets"].as_u64().unwrap(),
                own.iter().map(|k| t.hp[*k].1).sum::<u64>(),
                "{what}"
            );
            // the pairs it carries, each with its own p95 (its hairpinned first sightings)
            let carried: BTreeMap<&Pair, &(usize, usize)> = h
                .routes
                .iter()
                .filter(|(_, r)| r.0 == i || r.1 == i)
                .collect();
            let got_pairs = x["pairs"].as_array().unwrap();
            assert_eq!(got_pairs.len(), carried.len(), "{what}: pairs");
            for lp in got_pairs {
                let k: Pair = (
                    lp["src_asn"].as_u64().unwrap() as u32,
                    lp["src_country"].as_str().unwrap().into(),
                    lp["dst_asn"].as_u64().unwrap() as u32,
                    lp["dst_country"].as_str().unwrap().into(),
                );
                let r = carried
                    .get(&k)
                    .unwrap_or_else(|| panic!("{what}: {k:?} not carried by hand"));
                assert_eq!(lp["bytes"].as_u64().unwrap(), t.hp[&k].0, "{what} {k:?}");
                assert_eq!(lp["packets"].as_u64().unwrap(), t.hp[&k].1, "{what} {k:?}");
                same(
                    &lp["p95_mbps"],
                    p95(&t.hp_first[&k]),
                    &format!("{what} {k:?} p95"),
                );
                assert_eq!(lp["p95_basis"], "exact", "{what} {k:?}");
                let mut path = vec![format!("IXP at {}", o.ixps[r.0].0)];
                if r.0 != r.1 {
                    path.push(format!("interconnect at {}", o.interconnect.unwrap()));
                    path.push(format!("IXP at {}", o.ixps[r.1].0));
                }
                assert_eq!(lp["path"], serde_json::json!(path), "{what} {k:?}");
            }
            check_switch(x, &sites[i], &what);
            for mp in x["member_ports"].as_array().unwrap() {
                n_ports += 1;
                let asn = mp["asn"].as_u64().unwrap() as u32;
                let hp = h
                    .ports
                    .iter()
                    .find(|p| p.ixp == i && p.asn == asn)
                    .unwrap_or_else(|| panic!("{name}: no hand port for AS{asn} at {i}"));
                let what = format!("{name}: AS{asn} at {}", o.ixps[i].0);
                same(&mp["p95_mbps"], hp.p95, &what);
                assert_eq!(
                    mp["p95_basis"],
                    if hp.exact { "exact" } else { "apportioned" },
                    "{what}"
                );
                let (needed, gbps, n) = port(hp.p95, 1.0);
                same(&mp["needed_mbps"], needed, &what);
                same(&mp["port_gbps"], gbps, &what);
                assert_eq!(mp["ports"].as_u64().unwrap(), u64::from(n), "{what}");
                assert_eq!(mp["samples"], 20);
                same_opt(
                    &mp["transit_saved_usd_per_month"],
                    Some(hp.p95 * transit_usd(&hp.country)),
                    &what,
                );
                // a member abroad needs capacity to reach the IXP
                if hp.country != o.ixps[i].0 {
                    same(&mp["reach"]["needed_mbps"], needed, &what);
                    assert_eq!(mp["reach"]["route"], format!("{}-VN", hp.country), "{what}");
                } else {
                    assert!(mp["reach"].is_null(), "{what}");
                }
            }
            if let Some(u) = h.uplinks.iter().find(|u| u.0 == i) {
                let ul = &x["uplink"];
                let (needed, gbps, n) = port(u.1.max(u.2), 1.0);
                let what = format!("{name} uplink of IXP at {}", o.ixps[i].0);
                same(&ul["needed_mbps"], needed, &what);
                same(&ul["port_gbps"], gbps, &what);
                assert_eq!(ul["ports"].as_u64().unwrap(), u64::from(n), "{what}");
                let ic = o.interconnect.unwrap();
                if o.ixps[i].0 == ic {
                    assert!(ul["transport"].is_null(), "{what}");
                } else {
                    let tr = &ul["transport"];
                    assert_eq!(tr["route"], format!("{}-{ic}", o.ixps[i].0), "{what}");
                    same(&tr["needed_mbps"], needed, &what);
                    same(&tr["price_usd_per_mbps_month"], TRANSPORT_USD, &what);
                    same(&tr["usd_per_year"], needed * TRANSPORT_USD * 12.0, &what);
                }
                same(
                    &x["uplink"]["in_p95_mbps"],
                    u.1,
                    &format!("{name} uplink {i} in"),
                );
                same(
                    &x["uplink"]["out_p95_mbps"],
                    u.2,
                    &format!("{name} uplink {i} out"),
                );
            }
        }
        assert_eq!(n_ports, h.ports.len(), "{name}: member ports");
        match o.interconnect {
            None => assert!(g["interconnect"].is_null(), "{name}"),
            Some(at) => {
                let ic = &g["interconnect"];
                assert_eq!(ic["at"], at);
                let via: BTreeSet<Pair> = h
                    .routes
                    .iter()
                    .filter(|(_, r)| r.0 != r.1)
                    .map(|(k, _)| k.clone())
                    .collect();
                assert_eq!(
                    ic["localised_bytes"].as_u64().unwrap(),
                    via.iter().map(|k| t.hp[k].0).sum::<u64>(),
                    "{name} interconnect"
                );
                assert_eq!(
                    ic["localised_packets"].as_u64().unwrap(),
                    via.iter().map(|k| t.hp[k].1).sum::<u64>(),
                    "{name} interconnect"
                );
                let want = if via.is_empty() {
                    0.0
                } else {
                    p95(&sum(&t, &via, End::Src).0)
                };
                same(&ic["p95_mbps"], want, &format!("{name} interconnect p95"));
                check_switch(ic, &ic_used, &format!("{name} interconnect"));
            }
        }
        // cost, payback, value and the sensitivity rows
        let c = hand_cost(o, &h, 1.0, 1.0, 1.0);
        let cost = &g["cost"];
        same(&cost["capex_usd"], c.capex, &format!("{name} capex"));
        same(&cost["opex_usd_per_year"], c.opex, &format!("{name} opex"));
        same(
            &cost["transit_saved_usd_per_year"],
            c.saved,
            &format!("{name} transit saved"),
        );
        same(
            &cost["net_usd_per_year"],
            c.saved - c.opex,
            &format!("{name} net"),
        );
        same_opt(
            &cost["payback_months"],
            payback(&c),
            &format!("{name} payback"),
        );
        same(&cost["value_usd"], value(&c), &format!("{name} value"));
        assert_eq!(cost["not_priced"], serde_json::json!([]));
        // every cost line is priced, by a price listed with its source
        let listed: BTreeSet<&str> = p["prices"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["key"].as_str().unwrap())
            .collect();
        for item in cost["capex_items"]
            .as_array()
            .unwrap()
            .iter()
            .chain(cost["opex_items"].as_array().unwrap())
        {
            let k = item["key"].as_str().unwrap();
            assert!(
                listed.contains(k),
                "{name}: {k} not in the price list {listed:?}"
            );
            assert!(item["unit_usd"].is_number(), "{name}: {item}");
        }
        for hp in &h.ports {
            let k = format!("prices.transit.{}", hp.country);
            assert!(listed.contains(k.as_str()), "{name}: {k} not listed");
        }
        let transport: f64 = g["transport"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["needed_mbps"].as_f64().unwrap())
            .sum();
        assert!((transport - c.transport_mbps).abs() < 1e-6 * c.transport_mbps.max(1.0));
        let switch_ports: u64 = ixps
            .iter()
            .chain(g["interconnect"].as_object().map(|_| &g["interconnect"]))
            .flat_map(|x| x["switch_ports"].as_array().unwrap().iter())
            .map(|p| p["total"].as_u64().unwrap())
            .sum();
        assert_eq!(
            switch_ports,
            u64::from(c.ports_total),
            "{name}: switch ports"
        );
        let cases = [
            ("base", 1.0, 1.0, 1.0),
            ("growth -50%", 0.5, 1.0, 1.0),
            ("growth +50%", 1.5, 1.0, 1.0),
            ("transit price -50%", 1.0, 0.5, 1.0),
            ("transit price +50%", 1.0, 1.5, 1.0),
            ("cost prices -50%", 1.0, 1.0, 0.5),
            ("cost prices +50%", 1.0, 1.0, 1.5),
        ];
        let rows = g["sensitivity"].as_array().unwrap();
        assert_eq!(rows.len(), cases.len());
        for (row, (case, gf, tf, cf)) in rows.iter().zip(cases) {
            assert_eq!(row["case"], case);
            let c = hand_cost(o, &h, gf, tf, cf);
            let what = format!("{name} {case}");
            same(&row["capex_usd"], c.capex, &what);
            same(&row["opex_usd_per_year"], c.opex, &what);
            same(&row["transit_saved_usd_per_year"], c.saved, &what);
            same_opt(&row["payback_months"], payback(&c), &what);
            same(&row["value_usd"], value(&c), &what);
        }
        let (with_after, above_after) = check_latency(&m, &t, o, &h, &g["latency"]);
        // by construction (direct handshakes of hairpinned pairs): the TI after is known
        // for a pair of every option, and a domestic KH pair sent through the one IXP at VN
        // (Metfone→Ezecom) stays above the acceptable 5 after localisation
        assert!(with_after >= 1, "{name}: no TI after to check");
        if o.name == "subregional" {
            assert!(above_after >= 1, "{name}: no TI above 5 after");
        }
        values.push((o.name, value(&c), lb));
    }
    // the option the scenario was built for ranks first; the whole order is by value
    assert_eq!(p["ranking"][0], kind.winner(), "{kind:?}: {}", p["ranking"]);
    assert_eq!(p["ranked_by"], "value_usd");
    let mut by_value = values.clone();
    by_value.sort_by(|a, b| b.1.total_cmp(&a.1));
    let order: Vec<&str> = by_value.iter().map(|v| v.0).collect();
    assert_eq!(p["ranking"], serde_json::json!(order), "{kind:?}");
    let best = values.iter().max_by(|a, b| a.1.total_cmp(&b.1)).unwrap().0;
    assert_eq!(best, kind.winner());
    let (nat, sub) = (values[0].2 as f64, values[1].2 as f64);
    match kind {
        // by construction: nearly all hairpinned traffic is domestic
        Kind::National => assert!(nat >= 0.95 * sub, "{nat} {sub}"),
        // by construction: nearly all of it crosses a border
        Kind::Subregional => assert!(nat <= 0.1 * sub, "{nat} {sub}"),
    }

    // the p95 of a member whose every hairpinned pair is localised equals the analyzer's
    // own what-if port p95 of the merged result (two derivations of one rule)
    let merged = ok(&[
        "merge",
        &path(&dir, "kh-gw.json"),
        &path(&dir, "la-gw.json"),
        "--format",
        "json",
    ]);
    let merged: Value = serde_json::from_slice(&merged.stdout).unwrap();
    let sub_opt = &got_opts[1];
    let mut compared = 0;
    for wp in merged["sizing"]["what_if"]["ports"].as_array().unwrap() {
        let asn = wp["asn"].as_u64().unwrap();
        let mp = sub_opt["ixps"][0]["member_ports"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["asn"].as_u64() == Some(asn));
        if let Some(mp) = mp.filter(|m| m["p95_basis"] == "exact") {
            same(
                &mp["p95_mbps"],
                wp["p95_mbps"].as_f64().unwrap(),
                "what-if p95",
            );
            compared += 1;
        }
    }
    assert!(compared >= 4, "compared {compared} ports with the what-if");

    // the terminal table and the HTML report say the same
    let table = ok(&[
        "plan",
        &path(&dir, "kh-gw.json"),
        &path(&dir, "la-gw.json"),
        "--plan",
        &path(&dir, "plan.toml"),
    ]);
    let table = String::from_utf8(table.stdout).unwrap();
    assert!(table.contains("Ranking (value over 5 years"), "{table}");
    assert!(
        table.contains(&format!("  1. {}\n", kind.winner())),
        "{table}"
    );
    assert!(
        table
            .lines()
            .any(|l| options().iter().all(|o| l.contains(o.name))),
        "a line heads the options' columns: {table}"
    );
    assert!(table.contains("prices.transit.KH = 100 USD per Mbps per month — UN ESCAP"));
    let html = path(&dir, "plan.html");
    ok(&[
        "plan",
        &path(&dir, "kh-gw.json"),
        &path(&dir, "la-gw.json"),
        "--plan",
        &path(&dir, "plan.toml"),
        "--format",
        "html",
        "-o",
        &html,
    ]);
    let html = std::fs::read_to_string(html).unwrap();
    assert!(html.contains(r#"<section id="plan">"#));
    assert!(html.contains(r##"<a href="#plan">IXP options</a>"##));
    for g in got_opts {
        let v = g["localised_bytes"].as_u64().unwrap();
        assert!(html.contains(&format!(r#"data-value="{v}""#)), "{v}");
    }
    assert!(html.contains("What the data cannot show"));
    assert!(html.contains("No vantage point saw local traffic of MM"));
    assert!(html.contains("p95 of 20 samples of 100 ms"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn national_scenario_every_figure_by_hand_and_national_wins() {
    check(Kind::National);
}

#[test]
fn subregional_scenario_every_figure_by_hand_and_subregional_wins() {
    check(Kind::Subregional);
}

#[test]
fn plan_file_errors_name_the_file_and_the_key() {
    let dir = prepare(Kind::National, "errors");
    let good = ps::PLAN_TOML;
    let run = |name: &str, text: &str| -> String {
        let f = path(&dir, name);
        std::fs::write(&f, text).unwrap();
        let out = trombone(&[
            "plan",
            &path(&dir, "kh-gw.json"),
            &path(&dir, "la-gw.json"),
            "--plan",
            &f,
        ]);
        assert_eq!(out.status.code(), Some(2), "{name}");
        let e = String::from_utf8(out.stderr).unwrap();
        assert!(e.contains(&f), "{name}: the message names the file: {e}");
        e
    };
    // a missing price: VN transit has no default
    let e = run(
        "no-vn-transit.toml",
        &good.replace("[prices.transit.VN]\nusd_per_mbps_month = 40\nsource = \"test price book (trombone-fixtures), not a market price\"\n", ""),
    );
    assert!(
        e.contains("missing price: prices.transit.VN (needed for transit saved by AS"),
        "{e}"
    );
    // allowed unpriced: the plan is made, with those figures null and listed
    let f = path(&dir, "unpriced.toml");
    std::fs::write(
        &f,
        good.replace("[prices.transit.VN]\nusd_per_mbps_month = 40\nsource = \"test price book (trombone-fixtures), not a market price\"\n", "[prices]\nallow_unpriced = true\n"),
    )
    .unwrap();
    let v: Value = plan_json(&dir, &f);
    let sub = &v["plan"]["options"][1]["cost"];
    assert!(sub["transit_saved_usd_per_year"].is_null() && sub["payback_months"].is_null());
    assert_eq!(sub["not_priced"], serde_json::json!(["prices.transit.VN"]));
    // an unknown country, a negative price, an unknown key
    let e = run(
        "bad-country.toml",
        &good.replace(
            "{ at = \"VN\", members = [\"KH\", \"LA\", \"MM\", \"VN\"] }",
            "{ at = \"VN\", members = [\"KH\", \"LA\", \"XM\", \"VN\"] }",
        ),
    );
    assert!(
        e.contains("option[1] \"subregional\": ixps[0].members[2]: unknown country \"XM\""),
        "{e}"
    );
    let e = run("negative.toml", &good.replace("usd = 2000", "usd = -2000"));
    assert!(
        e.contains("prices.port.10GE.usd: must be a number zero or more, not -2000"),
        "{e}"
    );
    let e = run(
        "unknown-key.toml",
        &good.replace("spare_share", "spare_shares"),
    );
    assert!(e.contains("unknown field `spare_shares`"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The plan file shown in issue #17, verbatim: two options and no price book.
const ISSUE_PLAN: &str = r#"[[option]]
name = "national"
ixps = [ { at = "KH", members = ["KH"] }, { at = "LA", members = ["LA"] }, { at = "MM", members = ["MM"] }, { at = "VN", members = ["VN"] } ]
[[option]]
name = "subregional"
ixps = [ { at = "VN", members = ["KH", "LA", "MM", "VN"] } ]
"#;

#[test]
fn the_issue_plan_file_without_prices_works_with_every_cost_not_priced() {
    let dir = prepare(Kind::Subregional, "bare");
    let t = truth(&ps::scenario(Kind::Subregional).model);
    let f = path(&dir, "issue.toml");
    std::fs::write(&f, ISSUE_PLAN).unwrap();
    let run = |format: &str| {
        let out = trombone(&[
            "plan",
            &path(&dir, "kh-gw.json"),
            &path(&dir, "la-gw.json"),
            "--plan",
            &f,
            "--format",
            format,
        ]);
        let err = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(out.status.success(), "{format}: {err}");
        assert!(
            err.contains("trombone plan: warning: ")
                && err
                    .contains("has no [prices] table: every cost, payback and value is not priced"),
            "{format}: {err}"
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let v: Value = serde_json::from_str(&run("json")).unwrap();
    let p = &v["plan"];
    assert_eq!(p["assumptions"]["price_book_given"], false);
    assert_eq!(p["assumptions"]["allow_unpriced"], true);
    assert!(p["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|w| w["code"] == "no_price_book"));
    let opts = p["options"].as_array().unwrap();
    assert_eq!(opts.len(), 2);
    let mut by_bytes = Vec::new();
    for (o, g) in options().iter().take(2).zip(opts) {
        assert_eq!(g["name"], o.name);
        let h = hand_option(&t, o);
        let lb: u64 = h.localised.iter().map(|k| t.hp[k].0).sum();
        let lp: u64 = h.localised.iter().map(|k| t.hp[k].1).sum();
        assert_eq!(g["localised_bytes"].as_u64(), Some(lb), "{}", o.name);
        assert_eq!(g["localised_packets"].as_u64(), Some(lp), "{}", o.name);
        assert_eq!(g["still_leaving_bytes"].as_u64(), Some(t.hp_bytes - lb));
        // no switch or port price: capex, opex, payback and value not priced
        let c = &g["cost"];
        for k in [
            "capex_usd",
            "opex_usd_per_year",
            "payback_months",
            "value_usd",
        ] {
            assert!(c[k].is_null(), "{}: {k} = {}", o.name, c[k]);
        }
        assert!(c["not_priced"]
            .as_array()
            .unwrap()
            .iter()
            .any(|k| k == "prices.switch"));
        for row in g["sensitivity"].as_array().unwrap() {
            assert!(row["value_usd"].is_null());
        }
        by_bytes.push((o.name, lb));
    }
    // no value to rank by: by localised bytes (subregional localises all of it here)
    by_bytes.sort_by_key(|x| std::cmp::Reverse(x.1));
    assert_eq!(p["ranked_by"], "localised_bytes");
    assert_eq!(
        p["ranking"],
        serde_json::json!(by_bytes.iter().map(|x| x.0).collect::<Vec<_>>())
    );
    assert_eq!(p["ranking"][0], "subregional");
    let table = run("table");
    assert!(
        table.contains(
            "Ranking (hairpinned bytes localised, highest first: every option has no value"
        ),
        "{table}"
    );
    assert!(table.contains("  1. subregional\n"), "{table}");
    assert!(
        !table.contains("- /") && !table.contains(" / never"),
        "{table}"
    );
    let base = table.lines().find(|l| l.starts_with("base ")).unwrap();
    assert_eq!(base.matches("not priced").count(), 2, "{base}");
    assert!(table.contains("warning: "), "{table}");
    let html = run("html");
    assert!(
        html.contains("Not every option is priced, so none is ranked by value; first by hairpinned traffic localised: <strong>subregional</strong>"),
        "the HTML lede"
    );
    assert!(html.contains(r#"data-code="no_price_book""#));
    let _ = std::fs::remove_dir_all(&dir);
}

/// The plan of a JSON plan document without what names its inputs (the file names, the
/// count of results merged, and the merge's notes on how): what a plan must not change.
fn comparable(mut v: Value) -> Value {
    let p = v["plan"].take();
    let mut p = p;
    p["basis"]["results"] = Value::Null;
    p["basis"]["merge_notes"] = Value::Null;
    p
}

#[test]
fn rotated_pieces_and_merged_results_give_the_whole_results_plan() {
    let dir = prepare(Kind::National, "rotated");
    let model = ps::scenario(Kind::National).model;
    let whole = comparable(plan_json(&dir, &path(&dir, "plan.toml")));
    let mut piece_dirs = Vec::new();
    for s in &model.sites {
        let out = path(&dir, &format!("rot-{}", s.name));
        let mut args = vec![
            "analyze".to_string(),
            path(&dir, &format!("{}.pcap", s.name)),
            "--asn-db".into(),
            path(&dir, "asn.tsv"),
            "--links".into(),
            path(&dir, &format!("{}.links.toml", s.name)),
            "--site".into(),
            s.name.into(),
            "--no-progress".into(),
            "--format".into(),
            "json".into(),
            "--rotate".into(),
            "1s".into(),
            "-o".into(),
            out.clone(),
        ];
        args.extend(model.analyze_args.iter().map(|a| a.to_string()));
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        ok(&a);
        let n = std::fs::read_dir(&out).unwrap().count();
        assert!(n >= 2, "{}: {n} pieces", s.name);
        piece_dirs.push(out);
    }
    let plan_of = |inputs: &[&str]| -> Value {
        let mut args = vec!["plan"];
        args.extend_from_slice(inputs);
        let pf = path(&dir, "plan.toml");
        args.extend_from_slice(&["--plan", &pf, "--format", "json"]);
        comparable(serde_json::from_slice(&ok(&args).stdout).unwrap())
    };
    let rotated = plan_of(&[&piece_dirs[0], &piece_dirs[1]]);
    assert_eq!(rotated, whole, "rotated pieces");
    // trombone merge of the two whole results, and of every rotated piece
    let merged = path(&dir, "merged.json");
    ok(&[
        "merge",
        &path(&dir, "kh-gw.json"),
        &path(&dir, "la-gw.json"),
        "-o",
        &merged,
    ]);
    assert_eq!(plan_of(&[&merged]), whole, "merged whole results");
    let merged_pieces = path(&dir, "merged-pieces.json");
    ok(&[
        "merge",
        &piece_dirs[0],
        &piece_dirs[1],
        "-o",
        &merged_pieces,
    ]);
    assert_eq!(plan_of(&[&merged_pieces]), whole, "merged pieces");
    let _ = std::fs::remove_dir_all(&dir);
}
