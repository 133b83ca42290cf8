//! Evaluating the options of a plan file on one result.

use crate::file::{port_name, route_key, IxpSpec, OptionSpec, PlanFile, PriceBook};
use crate::series::{pair_key, End, PairKey, SeriesIndex, Span};
use std::collections::{BTreeMap, BTreeSet};
use trombone_geo::{DEFAULT_FLOOR_KM, FIBRE_KM_PER_MS, FIBRE_STRETCH, TI_ACCEPTABLE};
use trombone_schema::plan::{
    CostItem, LocalisedPair, MemberPort, PairLatency, PlanAssumptions, PlanBasis, PlanCost,
    PlanInterconnect, PlanIxp, PlanLatency, PlanOption, PortCount, PriceUsed, SensitivityRow,
    SeriesBasis, TransportNeed, Uplink,
};
use trombone_schema::{Country, HairpinPair, PairEvidence, Plan, Report, Warning};

/// Why a plan could not be made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanError(pub String);

impl std::fmt::Display for PlanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PlanError {}

/// Fewer samples than this make a p95 the highest sample.
const FEW_SAMPLES: u64 = 20;

/// Where a localised pair is exchanged: its source's IXP, its destination's IXP (the same
/// one unless it crosses the interconnect).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Route {
    src_ixp: usize,
    dst_ixp: usize,
}

impl Route {
    fn via_interconnect(&self) -> bool {
        self.src_ixp != self.dst_ixp
    }
}

/// The IXP (or IXP pair through the interconnect) an option exchanges pair `p` on, if any.
fn route(o: &OptionSpec, p: &HairpinPair) -> Option<Route> {
    if p.src_asn == 0 || p.dst_asn == 0 || p.src_asn == p.dst_asn {
        return None;
    }
    let (a, b) = (p.src_country?, p.dst_country?);
    if let Some(i) = o
        .ixps
        .iter()
        .position(|x| x.members.contains(&a) && x.members.contains(&b))
    {
        return Some(Route {
            src_ixp: i,
            dst_ixp: i,
        });
    }
    let ic = o.interconnect.as_ref()?;
    let home = |c: Country| {
        o.ixps
            .iter()
            .position(|x| x.members.contains(&c) && ic.members.contains(&x.at))
    };
    let (i, j) = (home(a)?, home(b)?);
    (i != j).then_some(Route {
        src_ixp: i,
        dst_ixp: j,
    })
}

/// The countries a pair's traffic passes on the option's exchange path.
fn path_countries(o: &OptionSpec, p: &HairpinPair, r: Route) -> Vec<Country> {
    let mut v = vec![p.src_country.expect("routed pairs have countries")];
    v.push(o.ixps[r.src_ixp].at);
    if r.via_interconnect() {
        if let Some(ic) = &o.interconnect {
            v.push(ic.at);
        }
        v.push(o.ixps[r.dst_ixp].at);
    }
    v.push(p.dst_country.expect("routed pairs have countries"));
    v.dedup();
    v
}

/// Great-circle km between two countries' reference points (0 for one country).
fn km(a: Country, b: Country) -> f64 {
    if a == b {
        return 0.0;
    }
    trombone_geo::country_distance_km(a.as_str(), b.as_str()).unwrap_or(0.0)
}

/// The port rule: the smallest speed whose capacity × target holds p95 × growth; above
/// the largest speed, as many of the largest as it takes.
#[derive(Clone, Copy, Debug, PartialEq)]
struct PortChoice {
    needed_mbps: f64,
    gbps: f64,
    ports: u32,
    utilisation: f64,
}

impl PortChoice {
    fn of(p95: f64, growth: f64, target: f64, speeds: &[f64]) -> PortChoice {
        let needed = p95 * growth / target;
        let (gbps, ports) = match speeds.iter().copied().find(|&g| g * 1000.0 >= needed) {
            Some(g) => (g, 1),
            None => {
                let g = speeds.last().copied().unwrap_or(1.0);
                (g, (needed / (g * 1000.0)).ceil().max(1.0) as u32)
            }
        };
        PortChoice {
            needed_mbps: needed,
            gbps,
            ports,
            utilisation: p95 * growth / (f64::from(ports) * gbps * 1000.0),
        }
    }

    fn name(&self) -> String {
        if self.ports == 1 {
            port_name(self.gbps)
        } else {
            format!("{}×{}", self.ports, port_name(self.gbps))
        }
    }
}

/// What is measured for one option (independent of growth and prices).
struct Measured<'a> {
    spec: &'a OptionSpec,
    /// Localised pairs (index into the hairpin pairs) and their route.
    localised: Vec<(usize, Route)>,
    /// The p95 of each localised pair's own hairpinned traffic, by hairpin-pair index.
    pair_p95: BTreeMap<usize, (f64, SeriesBasis)>,
    all_p95: (f64, SeriesBasis),
    ixp_p95: Vec<(f64, SeriesBasis)>,
    ic_p95: Option<(f64, SeriesBasis)>,
    members: Vec<MemberM>,
    uplinks: Vec<UplinkM>,
}

struct MemberM {
    ixp: usize,
    asn: u32,
    country: Country,
    bytes: u64,
    in_p95: f64,
    out_p95: f64,
    basis: SeriesBasis,
}

struct UplinkM {
    ixp: usize,
    in_p95: f64,
    out_p95: f64,
    basis: SeriesBasis,
}

fn worse(a: SeriesBasis, b: SeriesBasis) -> SeriesBasis {
    if a == SeriesBasis::Apportioned || b == SeriesBasis::Apportioned {
        SeriesBasis::Apportioned
    } else {
        SeriesBasis::Exact
    }
}

/// The p95 of a set of pairs summed at `end`.
fn p95(
    ix: &SeriesIndex<'_>,
    span: Option<&Span>,
    set: &BTreeSet<PairKey>,
    end: End,
) -> (f64, SeriesBasis) {
    if set.is_empty() {
        return (0.0, SeriesBasis::Exact);
    }
    let (s, b) = ix.sum(set, end);
    (span.map_or(0.0, |sp| sp.p95_mbps(&s)), b)
}

fn measure<'a>(
    o: &'a OptionSpec,
    pairs: &[&HairpinPair],
    ix: &SeriesIndex<'_>,
    span: Option<&Span>,
) -> Measured<'a> {
    let localised: Vec<(usize, Route)> = pairs
        .iter()
        .enumerate()
        .filter_map(|(i, p)| route(o, p).map(|r| (i, r)))
        .collect();
    let keys = |f: &dyn Fn(&Route) -> bool| -> BTreeSet<PairKey> {
        localised
            .iter()
            .filter(|(_, r)| f(r))
            .map(|(i, _)| pair_key(pairs[*i]))
            .collect()
    };
    let all_p95 = p95(ix, span, &keys(&|_| true), End::Src);
    let pair_p95 = localised
        .iter()
        .map(|(i, _)| {
            let one: BTreeSet<PairKey> = [pair_key(pairs[*i])].into_iter().collect();
            (*i, p95(ix, span, &one, End::Src))
        })
        .collect();
    let ixp_p95 = (0..o.ixps.len())
        .map(|i| {
            p95(
                ix,
                span,
                &keys(&|r| r.src_ixp == i || r.dst_ixp == i),
                End::Src,
            )
        })
        .collect();
    let ic_p95 = o
        .interconnect
        .as_ref()
        .map(|_| p95(ix, span, &keys(&|r| r.via_interconnect()), End::Src));
    // member ports: (ixp, asn, country) → pairs sent, pairs received
    type MemberSets = (BTreeSet<PairKey>, BTreeSet<PairKey>, u64);
    let mut m: BTreeMap<(usize, u32, Country), MemberSets> = BTreeMap::new();
    for (i, r) in &localised {
        let p = pairs[*i];
        let k = pair_key(p);
        let s = m
            .entry((r.src_ixp, p.src_asn, p.src_country.expect("routed")))
            .or_default();
        s.0.insert(k);
        s.2 += p.bytes;
        let d = m
            .entry((r.dst_ixp, p.dst_asn, p.dst_country.expect("routed")))
            .or_default();
        d.1.insert(k);
        d.2 += p.bytes;
    }
    let members = m
        .into_iter()
        .map(|((ixp, asn, country), (out, inn, bytes))| {
            let (o95, ob) = p95(ix, span, &out, End::Src);
            let (i95, ib) = p95(ix, span, &inn, End::Dst);
            MemberM {
                ixp,
                asn,
                country,
                bytes,
                in_p95: i95,
                out_p95: o95,
                basis: worse(ob, ib),
            }
        })
        .collect();
    let uplinks = match &o.interconnect {
        None => Vec::new(),
        Some(ic) => o
            .ixps
            .iter()
            .enumerate()
            .filter(|(_, x)| ic.members.contains(&x.at))
            .map(|(i, _)| {
                let (o95, ob) = p95(
                    ix,
                    span,
                    &keys(&|r| r.via_interconnect() && r.src_ixp == i),
                    End::Src,
                );
                let (i95, ib) = p95(
                    ix,
                    span,
                    &keys(&|r| r.via_interconnect() && r.dst_ixp == i),
                    End::Dst,
                );
                UplinkM {
                    ixp: i,
                    in_p95: i95,
                    out_p95: o95,
                    basis: worse(ob, ib),
                }
            })
            .collect(),
    };
    Measured {
        spec: o,
        localised,
        pair_p95,
        all_p95,
        ixp_p95,
        ic_p95,
        members,
        uplinks,
    }
}

/// A price needed and missing, with what needs it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Missing {
    key: String,
    why: String,
}

/// Prices as one variation of the assumptions sees them.
struct Pricing<'a> {
    book: &'a PriceBook,
    transit_f: f64,
    cost_f: f64,
    missing: BTreeSet<Missing>,
}

impl Pricing<'_> {
    fn need(&mut self, key: String, why: String, p: Option<f64>, f: f64) -> Option<f64> {
        match p {
            Some(v) => Some(v * f),
            None => {
                self.missing.insert(Missing { key, why });
                None
            }
        }
    }

    fn transit(&mut self, c: Country, why: String) -> Option<f64> {
        let p = self.book.transit.get(&c).map(|p| p.usd);
        let f = self.transit_f;
        self.need(format!("prices.transit.{c}"), why, p, f)
    }

    fn transport(&mut self, route: &str, why: String) -> Option<f64> {
        let p = self.book.transport.get(route).map(|p| p.usd);
        let f = self.cost_f;
        self.need(format!("prices.transport.{route}"), why, p, f)
    }

    fn port(&mut self, name: &str, why: String) -> (String, Option<f64>) {
        let p = self.book.port.get(name).map(|p| p.usd);
        let f = self.cost_f;
        let key = format!("prices.port.{name}");
        (key.clone(), self.need(key, why, p, f))
    }

    fn switch(&mut self, why: String) -> Option<f64> {
        let p = self.book.switch.as_ref().map(|s| s.price.usd);
        let f = self.cost_f;
        self.need("prices.switch".into(), why, p, f)
    }

    fn site(&mut self, table: &str, at: Country, why: String) -> (String, Option<f64>) {
        let t = if table == "colocation" {
            &self.book.colocation
        } else {
            &self.book.operations
        };
        match PriceBook::per_site(t, at) {
            Some((p, k)) => (format!("prices.{table}.{k}"), Some(p.usd * self.cost_f)),
            None => {
                let key = format!("prices.{table}.{at}");
                self.missing.insert(Missing {
                    key: format!("{key} (or prices.{table}.default)"),
                    why,
                });
                (key, None)
            }
        }
    }
}

/// Sums of optional figures: None when any is None.
fn total(v: impl IntoIterator<Item = Option<f64>>) -> Option<f64> {
    v.into_iter().try_fold(0.0, |a, x| x.map(|x| a + x))
}

/// The ports of one switch per speed, with spares.
fn switch_ports(
    used: &BTreeMap<u64, (f64, u32, u32)>,
    spare_share: f64,
    min_spares: u32,
) -> Vec<PortCount> {
    used.values()
        .map(|&(g, members, uplinks)| {
            let n = members + uplinks;
            let spares = ((f64::from(n) * spare_share).ceil() as u32).max(min_spares);
            PortCount {
                speed_gbps: g,
                port: port_name(g),
                members,
                uplinks,
                spares,
                total: n + spares,
            }
        })
        .collect()
}

/// Everything an option's figures are under one growth and one set of price factors.
struct Sized {
    ixps: Vec<PlanIxp>,
    interconnect: Option<PlanInterconnect>,
    transport: Vec<TransportNeed>,
    cost: PlanCost,
}

struct Ctx<'a> {
    pf: &'a PlanFile,
    report: &'a Report,
    pairs: &'a [&'a HairpinPair],
    samples: u64,
}

fn sized(cx: &Ctx<'_>, m: &Measured<'_>, growth: f64, pricing: &mut Pricing<'_>) -> Sized {
    let pf = cx.pf;
    let o = m.spec;
    let choose = |p95: f64| PortChoice::of(p95, growth, pf.port_target, &pf.port_speeds_gbps);
    let mut transport: Vec<TransportNeed> = Vec::new();
    let mut need_transport = |from: Country,
                              to: Country,
                              purpose: String,
                              needed: f64,
                              pricing: &mut Pricing<'_>|
     -> TransportNeed {
        let r = route_key(from, to);
        let price = pricing.transport(&r, format!("{purpose} in option {:?}", o.name));
        let t = TransportNeed {
            route: r,
            from,
            to,
            purpose,
            needed_mbps: needed,
            price_usd_per_mbps_month: price,
            usd_per_year: price.map(|p| p * needed * 12.0),
        };
        transport.push(t.clone());
        t
    };
    let mut capex: Vec<CostItem> = Vec::new();
    let mut opex: Vec<CostItem> = Vec::new();
    let mut saved: Vec<Option<f64>> = Vec::new();

    let uplink_of: BTreeMap<usize, &UplinkM> = m.uplinks.iter().map(|u| (u.ixp, u)).collect();
    let mut ic_used: BTreeMap<u64, (f64, u32, u32)> = BTreeMap::new();
    let mut ixps = Vec::new();
    for (i, x) in o.ixps.iter().enumerate() {
        let mut used: BTreeMap<u64, (f64, u32, u32)> = BTreeMap::new();
        let mut member_ports = Vec::new();
        for mm in m.members.iter().filter(|mm| mm.ixp == i) {
            let p95 = mm.in_p95.max(mm.out_p95);
            let c = choose(p95);
            used.entry(c.gbps.to_bits()).or_insert((c.gbps, 0, 0)).1 += c.ports;
            let price = pricing.transit(
                mm.country,
                format!(
                    "transit saved by AS{} ({}) in option {:?}",
                    mm.asn, mm.country, o.name
                ),
            );
            let per_month = price.map(|p| p95 * growth * p);
            saved.push(per_month.map(|v| v * 12.0));
            let reach = (mm.country != x.at).then(|| {
                need_transport(
                    mm.country,
                    x.at,
                    format!("AS{} to {}", mm.asn, x.name),
                    c.needed_mbps,
                    pricing,
                )
            });
            member_ports.push(MemberPort {
                asn: mm.asn,
                country: Some(mm.country),
                name: cx.report.as_names.get(&mm.asn).cloned(),
                localised_bytes: mm.bytes,
                in_p95_mbps: mm.in_p95,
                out_p95_mbps: mm.out_p95,
                p95_mbps: p95,
                p95_basis: mm.basis,
                samples: cx.samples,
                needed_mbps: c.needed_mbps,
                port_gbps: c.gbps,
                ports: c.ports,
                port: c.name(),
                utilisation_at_p95: c.utilisation,
                transit_price_usd_per_mbps_month: price,
                transit_saved_usd_per_month: per_month,
                reach,
            });
        }
        member_ports.sort_by(|a, b| {
            b.p95_mbps
                .total_cmp(&a.p95_mbps)
                .then(b.localised_bytes.cmp(&a.localised_bytes))
                .then(a.asn.cmp(&b.asn))
        });
        let uplink = uplink_of.get(&i).map(|u| {
            let ic = o
                .interconnect
                .as_ref()
                .expect("uplinks only with an interconnect");
            let p95 = u.in_p95.max(u.out_p95);
            let c = choose(p95);
            used.entry(c.gbps.to_bits()).or_insert((c.gbps, 0, 0)).2 += c.ports;
            ic_used.entry(c.gbps.to_bits()).or_insert((c.gbps, 0, 0)).2 += c.ports;
            let transport = (x.at != ic.at).then(|| {
                need_transport(
                    x.at,
                    ic.at,
                    format!("{} to {}", x.name, ic.name),
                    c.needed_mbps,
                    pricing,
                )
            });
            Uplink {
                in_p95_mbps: u.in_p95,
                out_p95_mbps: u.out_p95,
                p95_mbps: p95,
                p95_basis: u.basis,
                needed_mbps: c.needed_mbps,
                port_gbps: c.gbps,
                ports: c.ports,
                port: c.name(),
                transport,
            }
        });
        let ports = switch_ports(&used, pf.spare_share, pf.min_spares);
        let switches = site_costs(x, &ports, &o.name, pricing, &mut capex, &mut opex);
        let mut lp: Vec<LocalisedPair> = m
            .localised
            .iter()
            .filter(|(_, r)| r.src_ixp == i || r.dst_ixp == i)
            .map(|(k, r)| localised_pair(o, cx.pairs[*k], *r, m.pair_p95[k]))
            .collect();
        lp.sort_by_key(|x| std::cmp::Reverse(x.bytes));
        let own = |r: &Route| r.src_ixp == i && r.dst_ixp == i;
        let (bytes, packets) = m
            .localised
            .iter()
            .filter(|(_, r)| own(r))
            .fold((0u64, 0u64), |(b, p), (k, _)| {
                (b + cx.pairs[*k].bytes, p + cx.pairs[*k].packets)
            });
        ixps.push(PlanIxp {
            name: x.name.clone(),
            at: x.at,
            members: x.members.clone(),
            localised_bytes: bytes,
            localised_packets: packets,
            p95_mbps: m.ixp_p95[i].0,
            p95_basis: m.ixp_p95[i].1,
            pairs: lp,
            member_ports,
            uplink,
            switch_ports: ports,
            switches,
        });
    }
    let interconnect = o.interconnect.as_ref().map(|ic| {
        let ports = switch_ports(&ic_used, pf.spare_share, pf.min_spares);
        let switches = site_costs(ic, &ports, &o.name, pricing, &mut capex, &mut opex);
        let (bytes, packets) = m
            .localised
            .iter()
            .filter(|(_, r)| r.via_interconnect())
            .fold((0u64, 0u64), |(b, p), (k, _)| {
                (b + cx.pairs[*k].bytes, p + cx.pairs[*k].packets)
            });
        let (p95, basis) = m.ic_p95.unwrap_or((0.0, SeriesBasis::Exact));
        PlanInterconnect {
            at: ic.at,
            members: ic.members.clone(),
            localised_bytes: bytes,
            localised_packets: packets,
            p95_mbps: p95,
            p95_basis: basis,
            switch_ports: ports,
            switches,
        }
    });
    // transport, one line per route
    let mut routes: BTreeMap<String, (f64, Option<f64>)> = BTreeMap::new();
    for t in &transport {
        let e = routes
            .entry(t.route.clone())
            .or_insert((0.0, t.price_usd_per_mbps_month));
        e.0 += t.needed_mbps;
    }
    for (r, (mbps, price)) in routes {
        opex.push(CostItem {
            item: format!("transport {r}: {} Mbit/s × 12 months", sig(mbps)),
            key: format!("prices.transport.{r}"),
            quantity: mbps * 12.0,
            unit_usd: price,
            usd: price.map(|p| p * mbps * 12.0),
        });
    }
    let capex_usd = total(capex.iter().map(|c| c.usd));
    let opex_usd = total(opex.iter().map(|c| c.usd));
    let saved_usd = total(saved);
    let net = saved_usd.zip(opex_usd).map(|(s, o)| s - o);
    let payback = capex_usd
        .zip(net)
        .and_then(|(c, n)| (n > 0.0).then(|| c / (n / 12.0)));
    let value = capex_usd.zip(net).map(|(c, n)| n * cx.pf.horizon_years - c);
    let cost = PlanCost {
        capex_usd,
        capex_items: capex,
        opex_usd_per_year: opex_usd,
        opex_items: opex,
        transit_saved_usd_per_year: saved_usd,
        net_usd_per_year: net,
        payback_months: payback,
        value_usd: value,
        not_priced: pricing
            .missing
            .iter()
            .map(|m| m.key.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect(),
    };
    Sized {
        ixps,
        interconnect,
        transport,
        cost,
    }
}

/// Four significant digits, for item labels.
fn sig(x: f64) -> String {
    trombone_report::format::sig(x, 4)
}

/// A site's capital and yearly items (switches, ports, colocation, operations); returns
/// the switches it needs.
fn site_costs(
    x: &IxpSpec,
    ports: &[PortCount],
    option: &str,
    pricing: &mut Pricing<'_>,
    capex: &mut Vec<CostItem>,
    opex: &mut Vec<CostItem>,
) -> u32 {
    let n: u32 = ports.iter().map(|p| p.total).sum();
    let per = pricing.book.switch.as_ref().map(|s| s.ports);
    let switches = per.map_or(1, |per| n.div_ceil(per).max(1));
    let unit = pricing.switch(format!("the switch of {} in option {option:?}", x.name));
    capex.push(CostItem {
        item: format!(
            "{}: {switches} switch{}",
            x.name,
            if switches == 1 { "" } else { "es" }
        ),
        key: "prices.switch".into(),
        quantity: f64::from(switches),
        unit_usd: unit,
        usd: unit.map(|u| u * f64::from(switches)),
    });
    for p in ports {
        let (key, unit) = pricing.port(
            &p.port,
            format!(
                "{} × {} ports at {} in option {option:?}",
                p.total, p.port, x.name
            ),
        );
        capex.push(CostItem {
            item: format!(
                "{}: {} × {} ports ({} in use, {} spare)",
                x.name,
                p.total,
                p.port,
                p.members + p.uplinks,
                p.spares
            ),
            key,
            quantity: f64::from(p.total),
            unit_usd: unit,
            usd: unit.map(|u| u * f64::from(p.total)),
        });
    }
    for table in ["colocation", "operations"] {
        let (key, unit) = pricing.site(
            table,
            x.at,
            format!("{table} of {} in option {option:?}", x.name),
        );
        opex.push(CostItem {
            item: format!("{}: {table} per year", x.name),
            key,
            quantity: 1.0,
            unit_usd: unit,
            usd: unit,
        });
    }
    switches
}

fn localised_pair(
    o: &OptionSpec,
    p: &HairpinPair,
    r: Route,
    (p95_mbps, p95_basis): (f64, SeriesBasis),
) -> LocalisedPair {
    let mut path = vec![o.ixps[r.src_ixp].name.clone()];
    if r.via_interconnect() {
        if let Some(ic) = &o.interconnect {
            path.push(ic.name.clone());
        }
        path.push(o.ixps[r.dst_ixp].name.clone());
    }
    LocalisedPair {
        src_asn: p.src_asn,
        dst_asn: p.dst_asn,
        src_country: p.src_country,
        dst_country: p.dst_country,
        bytes: p.bytes,
        packets: p.packets,
        p95_mbps,
        p95_basis,
        path,
    }
}

fn latency(
    o: &OptionSpec,
    m: &Measured<'_>,
    pairs: &[&HairpinPair],
    evidence: &BTreeMap<PairKey, &PairEvidence>,
    floor_km: f64,
) -> PlanLatency {
    let mut out = PlanLatency::default();
    let (mut weighted, mut weight) = (0.0, 0u64);
    for (k, r) in &m.localised {
        let p = pairs[*k];
        let e = evidence.get(&pair_key(p));
        let figures = e.and_then(|e| {
            let h = e.hairpinned.as_ref()?;
            Some((e, h, e.baseline_ms?, e.saving_ms?))
        });
        let Some((e, h, baseline, saving)) = figures else {
            out.pairs_without_rtt += 1;
            out.bytes_without_rtt += p.bytes;
            continue;
        };
        let path = path_countries(o, p, *r);
        let along: f64 = path.windows(2).map(|w| km(w[0], w[1])).sum();
        let direct = km(path[0], *path.last().expect("a path has ends"));
        let extra_km = (along - direct).max(0.0);
        let extra_ms = 2.0 * extra_km * FIBRE_STRETCH / FIBRE_KM_PER_MS;
        let ti_before = e.ti.as_ref().map(|t| t.value);
        // the TI's divisor: the great-circle distance, or the floor when it was floored
        // (a domestic pair's countries share one reference point)
        let ti_after = e.ti_direct.as_ref().and_then(|t| {
            let d = if t.floored { floor_km } else { t.geo_km };
            (d > 0.0).then(|| (t.path_km + extra_km) / d)
        });
        if let Some(t) = &e.ti {
            out.pairs_with_ti_before += 1;
            if t.above_acceptable {
                out.ti_above_acceptable_before += 1;
            }
        }
        if let Some(t) = ti_after {
            out.pairs_with_ti_after += 1;
            if t > TI_ACCEPTABLE {
                out.ti_above_acceptable_after += 1;
            }
        }
        let s = saving - extra_ms;
        weighted += s * h.samples as f64;
        weight += h.samples;
        out.handshakes += h.samples;
        out.pairs.push(PairLatency {
            src_asn: p.src_asn,
            dst_asn: p.dst_asn,
            src_country: p.src_country,
            dst_country: p.dst_country,
            handshakes: h.samples,
            hairpinned_median_ms: h.p50,
            baseline_ms: baseline,
            baseline_basis: e.baseline_basis.clone().unwrap_or_default(),
            extra_ms,
            saving_ms: s,
            ti_before,
            ti_after,
        });
    }
    out.saving_ms = (weight > 0).then(|| weighted / weight as f64);
    out.pairs.sort_by(|a, b| {
        b.handshakes
            .cmp(&a.handshakes)
            .then((a.src_asn, a.dst_asn).cmp(&(b.src_asn, b.dst_asn)))
    });
    out
}

/// "national" (one IXP per country, each its own), "subregional" (one IXP, several
/// countries), "hybrid" (with an interconnect), else "mixed".
fn kind(o: &OptionSpec) -> &'static str {
    if o.interconnect.is_some() {
        "hybrid"
    } else if o
        .ixps
        .iter()
        .all(|x| x.members.len() == 1 && x.members[0] == x.at)
    {
        "national"
    } else if o.ixps.len() == 1 {
        "subregional"
    } else {
        "mixed"
    }
}

/// Compares the options of `pf` on the (merged) result `r`.
pub fn plan(r: &Report, pf: &PlanFile) -> Result<Plan, PlanError> {
    let h = r.hairpin.as_ref().ok_or_else(|| {
        PlanError("the result has no hairpin section: analyse the captures with --home (and --zone KH,LA,MM,VN to see cross-border pairs)".into())
    })?;
    let series = r.series.as_ref().ok_or_else(|| {
        PlanError(format!(
            "the result (schema_version {}) has no per-sample series, so no p95 can be derived for an IXP's pairs: analyse its captures again with this build",
            r.schema_version
        ))
    })?;
    let span = Span::new(&r.time, series.bin_s, series.sample_s);
    let samples = span.as_ref().map_or(0, Span::samples);
    let ix = SeriesIndex::new(r);
    let pairs: Vec<&HairpinPair> = h
        .pairs
        .iter()
        .filter(|p| p.packets > 0 || p.bytes > 0)
        .collect();
    let floor_km = r
        .evidence
        .as_ref()
        .map_or(DEFAULT_FLOOR_KM, |e| e.ti_method.floor_km);
    let evidence: BTreeMap<PairKey, &PairEvidence> = r
        .evidence
        .iter()
        .flat_map(|e| e.pairs.iter())
        .map(|e| ((e.src_asn, e.src_country, e.dst_asn, e.dst_country), e))
        .collect();
    let cx = Ctx {
        pf,
        report: r,
        pairs: &pairs,
        samples,
    };

    let mut options = Vec::new();
    let mut missing: BTreeSet<Missing> = BTreeSet::new();
    let mut apportioned = 0usize;
    for o in &pf.options {
        let m = measure(o, &pairs, &ix, span.as_ref());
        let mut pricing = Pricing {
            book: &pf.prices,
            transit_f: 1.0,
            cost_f: 1.0,
            missing: BTreeSet::new(),
        };
        let base = sized(&cx, &m, pf.growth, &mut pricing);
        missing.extend(pricing.missing);
        apportioned += base
            .ixps
            .iter()
            .flat_map(|x| x.member_ports.iter())
            .filter(|p| p.p95_basis == SeriesBasis::Apportioned)
            .count();
        let cases: [(&str, f64, f64, f64); 7] = [
            ("base", 1.0, 1.0, 1.0),
            ("growth -50%", 0.5, 1.0, 1.0),
            ("growth +50%", 1.5, 1.0, 1.0),
            ("transit price -50%", 1.0, 0.5, 1.0),
            ("transit price +50%", 1.0, 1.5, 1.0),
            ("cost prices -50%", 1.0, 1.0, 0.5),
            ("cost prices +50%", 1.0, 1.0, 1.5),
        ];
        let sensitivity = cases
            .iter()
            .map(|&(case, g, t, c)| {
                let mut pr = Pricing {
                    book: &pf.prices,
                    transit_f: t,
                    cost_f: c,
                    missing: BTreeSet::new(),
                };
                let s = sized(&cx, &m, pf.growth * g, &mut pr);
                SensitivityRow {
                    case: case.into(),
                    growth: pf.growth * g,
                    transit_price_factor: t,
                    cost_price_factor: c,
                    capex_usd: s.cost.capex_usd,
                    opex_usd_per_year: s.cost.opex_usd_per_year,
                    transit_saved_usd_per_year: s.cost.transit_saved_usd_per_year,
                    payback_months: s.cost.payback_months,
                    value_usd: s.cost.value_usd,
                }
            })
            .collect();
        let localised_bytes: u64 = m.localised.iter().map(|(k, _)| pairs[*k].bytes).sum();
        let localised_packets: u64 = m.localised.iter().map(|(k, _)| pairs[*k].packets).sum();
        let hb = h.totals.bytes.max(localised_bytes);
        let still = hb - localised_bytes;
        let ratio = |a: u64, b: u64| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        options.push(PlanOption {
            name: o.name.clone(),
            kind: kind(o).into(),
            description: o.description.clone(),
            localised_bytes,
            localised_packets,
            localised_pairs: m.localised.len() as u64,
            still_leaving_bytes: still,
            still_leaving_packets: h.totals.packets.saturating_sub(localised_packets),
            share_of_hairpin_localised: ratio(localised_bytes, hb),
            share_of_local_still_leaving: ratio(still, h.totals.local_bytes),
            localised_p95_mbps: m.all_p95.0,
            localised_p95_basis: m.all_p95.1,
            samples,
            ixps: base.ixps,
            interconnect: base.interconnect,
            transport: base.transport,
            latency: latency(o, &m, &pairs, &evidence, floor_km),
            cost: base.cost,
            sensitivity,
        });
    }
    if !missing.is_empty() && !pf.prices.allow_unpriced {
        let mut by_key: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for m in &missing {
            by_key.entry(&m.key).or_default().push(&m.why);
        }
        let list: Vec<String> = by_key
            .iter()
            .map(|(k, why)| {
                let more = if why.len() > 2 {
                    format!(" and {} more", why.len() - 2)
                } else {
                    String::new()
                };
                let shown: Vec<&str> = why.iter().take(2).copied().collect();
                format!("{k} (needed for {}{more})", shown.join("; "))
            })
            .collect();
        return Err(PlanError(format!(
            "{}: missing price{}: {}. Give each with its source (a quote, a public price list, or \"user estimate\"), or set prices.allow_unpriced = true to report those figures as not priced",
            pf.file,
            if list.len() == 1 { "" } else { "s" },
            list.join("; ")
        )));
    }

    let (ranking, ranked_by, ranking_basis) = rank(&options, pf);

    let basis = basis(r, h, &pairs, samples, series.sample_s);
    let prices = prices_used(pf, &options);
    let (cannot_show, warnings) = caveats(r, pf, &basis, &pairs, apportioned, &options);
    Ok(Plan {
        title: pf.title.clone(),
        basis,
        assumptions: PlanAssumptions {
            growth: pf.growth,
            port_target: pf.port_target,
            port_speeds_gbps: pf.port_speeds_gbps.clone(),
            spare_share: pf.spare_share,
            min_spares: pf.min_spares,
            fibre_km_per_ms: FIBRE_KM_PER_MS,
            fibre_stretch: FIBRE_STRETCH,
            allow_unpriced: pf.prices.allow_unpriced,
            price_book_given: pf.prices.given,
            horizon_years: pf.horizon_years,
        },
        prices,
        options,
        ranking,
        ranking_basis,
        ranked_by: ranked_by.into(),
        cannot_show,
        warnings,
    })
}

/// The ranking, its rule ("value_usd" or "localised_bytes") and the rule in words. By value
/// when every option has one; otherwise values cannot be compared (an option without one
/// might be the best), so by localised bytes, highest first — ties in plan-file order.
fn rank(options: &[PlanOption], pf: &PlanFile) -> (Vec<String>, &'static str, String) {
    let mut order: Vec<&PlanOption> = options.iter().collect();
    let h = trombone_report::format::plain(pf.horizon_years);
    let unpriced = options
        .iter()
        .filter(|o| o.cost.value_usd.is_none())
        .count();
    let (by, words) = if unpriced == 0 {
        order.sort_by(|a, b| {
            let v = |o: &PlanOption| o.cost.value_usd.unwrap_or(f64::NEG_INFINITY);
            v(b).total_cmp(&v(a))
        });
        (
            "value_usd",
            format!("value over {h} years: (transit saved − opex) per year × {h} − capex, highest first"),
        )
    } else {
        order.sort_by_key(|o| std::cmp::Reverse(o.localised_bytes));
        (
            "localised_bytes",
            format!(
                "hairpinned bytes localised, highest first: {} no value (a price it needs is not priced), so the options cannot be ranked by value",
                if unpriced == options.len() {
                    "every option has".to_string()
                } else {
                    format!("{unpriced} of {} options have", options.len())
                }
            ),
        )
    };
    (order.iter().map(|o| o.name.clone()).collect(), by, words)
}

fn basis(
    r: &Report,
    h: &trombone_schema::HairpinReport,
    pairs: &[&HairpinPair],
    samples: u64,
    sample_s: f64,
) -> PlanBasis {
    let (results, sites, notes) = match &r.merged {
        Some(m) => (m.results, m.sites.clone(), m.notes.clone()),
        None => (1, vec![r.site.clone().unwrap_or_default()], Vec::new()),
    };
    PlanBasis {
        results,
        sites,
        first_ns: r.time.first_ns,
        last_ns: r.time.last_ns,
        duration_s: r.time.duration_s,
        sample_s,
        samples,
        home: Some(h.home),
        zone: h.zone.clone(),
        hairpin_bytes: h.totals.bytes,
        hairpin_packets: h.totals.packets,
        local_bytes: h.totals.local_bytes,
        local_packets: h.totals.local_packets,
        unknown_network_bytes: pairs
            .iter()
            .filter(|p| p.src_asn == 0 || p.dst_asn == 0)
            .map(|p| p.bytes)
            .sum(),
        partial: r.partial,
        merge_notes: notes,
    }
}

/// Every price some option's base case used, with its source.
fn prices_used(pf: &PlanFile, options: &[PlanOption]) -> Vec<PriceUsed> {
    let mut keys: BTreeSet<String> = BTreeSet::new();
    for o in options {
        for c in o.cost.capex_items.iter().chain(o.cost.opex_items.iter()) {
            if c.unit_usd.is_some() {
                keys.insert(c.key.clone());
            }
        }
        for p in o.ixps.iter().flat_map(|x| x.member_ports.iter()) {
            if let (Some(c), Some(_)) = (p.country, p.transit_price_usd_per_mbps_month) {
                keys.insert(format!("prices.transit.{c}"));
            }
        }
    }
    let b = &pf.prices;
    let mut out = Vec::new();
    for k in keys {
        let rest = k.strip_prefix("prices.").unwrap_or(&k);
        let (table, item) = rest.split_once('.').unwrap_or((rest, ""));
        let found = match table {
            "transit" => item
                .parse::<Country>()
                .ok()
                .and_then(|c| b.transit.get(&c))
                .map(|p| (p, "USD per Mbps per month")),
            "transport" => b.transport.get(item).map(|p| (p, "USD per Mbps per month")),
            "port" => b.port.get(item).map(|p| (p, "USD per port")),
            "switch" => b.switch.as_ref().map(|s| (&s.price, "USD per switch")),
            "colocation" | "operations" => {
                let t = if table == "colocation" {
                    &b.colocation
                } else {
                    &b.operations
                };
                let c = if item == "default" {
                    None
                } else {
                    item.parse::<Country>().ok()
                };
                t.get(&c).map(|p| (p, "USD per year per site"))
            }
            _ => None,
        };
        if let Some((p, unit)) = found {
            let unit = if table == "switch" {
                format!(
                    "{unit} ({} ports)",
                    b.switch.as_ref().map_or(0, |s| s.ports)
                )
            } else {
                unit.to_string()
            };
            out.push(PriceUsed {
                key: k.clone(),
                usd: p.usd,
                unit,
                source: p.source.clone(),
                default: p.default,
            });
        }
    }
    out
}

/// What the data cannot show, and the warnings.
fn caveats(
    r: &Report,
    pf: &PlanFile,
    b: &PlanBasis,
    pairs: &[&HairpinPair],
    apportioned: usize,
    options: &[PlanOption],
) -> (Vec<String>, Vec<Warning>) {
    let mut cs = Vec::new();
    let mut w = Vec::new();
    let zone: BTreeSet<Country> = b.zone.iter().copied().collect();
    let planned: BTreeSet<Country> = pf
        .options
        .iter()
        .flat_map(|o| o.ixps.iter().flat_map(|x| x.members.iter().copied()))
        .collect();
    let outside: Vec<&str> = planned
        .iter()
        .filter(|c| !zone.contains(c))
        .map(Country::as_str)
        .collect();
    if !outside.is_empty() {
        let z: Vec<&str> = b.zone.iter().map(Country::as_str).collect();
        cs.push(format!(
            "The result's zone is {}: traffic with an end in {} was never classified as local, so no option is credited with it. Analyse the captures with --zone {} to see those pairs.",
            z.join(","),
            outside.join(", "),
            planned.iter().map(Country::as_str).collect::<Vec<_>>().join(",")
        ));
    }
    // countries of the plan with no local traffic seen
    let seen: BTreeSet<Country> = r
        .as_matrix
        .iter()
        .filter(|c| {
            c.src_country.is_some_and(|x| zone.contains(&x))
                && c.dst_country.is_some_and(|x| zone.contains(&x))
        })
        .flat_map(|c| [c.src_country, c.dst_country])
        .flatten()
        .collect();
    let unseen: Vec<&str> = planned
        .iter()
        .filter(|c| zone.contains(c) && !seen.contains(c))
        .map(Country::as_str)
        .collect();
    if !unseen.is_empty() {
        cs.push(format!(
            "No vantage point saw local traffic of {}: an IXP for {} localises nothing here, which says nothing about the traffic there. A vantage point in each country is needed to size its IXP.",
            unseen.join(", "),
            if unseen.len() == 1 { "it" } else { "them" }
        ));
    }
    cs.push(format!(
        "Only traffic crossing the measured links ({}) is counted: local traffic exchanged elsewhere — at another gateway, an existing exchange, or inside one network — is in no figure, so localised bytes and ports are a floor for what the IXPs would carry.",
        if b.sites.len() > 1 {
            format!("{} vantage points", b.sites.len())
        } else {
            "one vantage point".to_string()
        }
    ));
    cs.push("Ports are sized for hairpinned traffic only: local traffic already exchanged in the zone (direct) may move onto an IXP too and would need more capacity.".into());
    if b.unknown_network_bytes > 0 {
        cs.push(format!(
            "{} bytes were hairpinned by addresses in no known network (ASN 0): no port can be planned for them, so every option leaves them leaving.",
            b.unknown_network_bytes
        ));
    }
    let intra: u64 = pairs
        .iter()
        .filter(|p| p.src_asn != 0 && p.src_asn == p.dst_asn)
        .map(|p| p.bytes)
        .sum();
    if intra > 0 {
        cs.push(format!(
            "{intra} bytes were hairpinned within single networks (the same ASN at both ends): an IXP does not carry a network's traffic to itself, so no option localises them."
        ));
    }
    if apportioned > 0 {
        cs.push(format!(
            "{apportioned} member p95 figure{} {} apportioned: the result holds each network's hairpinned traffic per sample and each pair's traffic per sample, not each pair's hairpinned traffic per sample, so where an option carries only some of a network's hairpinned pairs their per-sample traffic is estimated from the pairs' series (marked \"apportioned\").",
            if apportioned == 1 { "" } else { "s" },
            if apportioned == 1 { "is" } else { "are" }
        ));
    }
    if options.iter().any(|o| !o.transport.is_empty()) {
        cs.push("Cross-border transport is sized per member (or uplink) with the ports' headroom; members sharing one circuit would need less. Members' own routers, ports and domestic backhaul to the IXP are not costed.".into());
    }
    cs.push("Latency after localisation is the evidence's baseline (locally exchanged handshakes) plus the round trip of any extra distance to an IXP in another country, from great-circle distances between the countries' reference points (GeoNames, CC BY 4.0) × the fibre stretch: an estimate, not a measurement.".into());
    if b.sites.len() > 1 {
        cs.push("Results from several vantage points were added: a packet seen at two of them is counted twice (a merge cannot tell one packet seen twice from two packets).".into());
    }
    if r.partial {
        w.push(Warning::new(
            "partial",
            "A result is partial (an input ended in an error or a capture lost frames): the figures cover what was read.",
        ));
    }
    if b.samples < FEW_SAMPLES {
        w.push(Warning::new(
            "few_samples",
            format!(
                "Every p95 rests on {} sample{} of {} s: with fewer than {FEW_SAMPLES} a p95 is the highest sample, and less than a day of traffic has not seen the daily cycle.",
                b.samples,
                if b.samples == 1 { "" } else { "s" },
                b.sample_s
            ),
        ));
    }
    if !pf.prices.given {
        w.push(Warning::new(
            "no_price_book",
            format!(
                "{} has no [prices] table: every cost, payback and value is not priced (only transit in KH, LA and MM has a documented default), and the options are ranked by localised bytes. Add a [prices] table with sourced prices to compare costs.",
                pf.file
            ),
        ));
    }
    if r.evidence.is_none() {
        w.push(Warning::new(
            "no_evidence",
            "The result has no evidence section (handshake RTTs): no latency saving can be given.",
        ));
    }
    if r.hairpin
        .as_ref()
        .is_some_and(|h| h.links_assumed_abroad || h.links.is_empty())
    {
        w.push(Warning::new(
            "links_assumed_abroad",
            "No links file was given to analyze: every link was taken as international, so every local packet seen counts as hairpinned.",
        ));
    }
    (cs, w)
}
