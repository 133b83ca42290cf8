//! The reducer: adds what the workers stream into per-interval results.

use crate::hairpin::links_of;
use crate::result::{talker_row, Context, HairpinParams, ResultAcc};
use crate::samples::SampleBuilder;
use crate::sizing::SizingConfig;
use std::collections::BTreeMap;
use std::sync::Arc;
use trombone_asdb::{AsDb, DbSource};
use trombone_hairpin::HairpinConfig;
use trombone_schema::{AsnDb, CaptureHealth, InputSummary, Interval, Report, ToolInfo, Totals};
use trombone_worker::{Flush, Handover, Partial};

/// The end of the interval of a run that is not rotated.
pub const WHOLE_RUN: i64 = i64::MAX;

/// How a reducer builds its results.
#[derive(Clone, Debug)]
pub struct ReduceConfig {
    /// Rates and port sizing.
    pub sizing: SizingConfig,
    /// Hairpin analysis settings, when it runs.
    pub hairpin: Option<Arc<HairpinConfig>>,
    /// How many top source addresses to list (0: none).
    pub top_talkers: usize,
    /// Workers streaming to the reducer.
    pub workers: usize,
    /// Rotation period, ns (`None`: one result for the whole run).
    pub rotate_ns: Option<i64>,
    /// The vantage point's name.
    pub site: Option<String>,
    /// The program and its command line.
    pub tool: ToolInfo,
    /// How many sources report frame counts per interval (the reader offline: 1; each
    /// capture worker live: one per queue).
    pub count_sources: usize,
    /// BGP dumps and IXP member lists for the evidence section.
    pub evidence: Option<Arc<crate::evidence::EvidenceSources>>,
}

impl Default for ReduceConfig {
    fn default() -> ReduceConfig {
        ReduceConfig {
            sizing: SizingConfig::default(),
            hairpin: None,
            top_talkers: 0,
            workers: 1,
            rotate_ns: None,
            site: None,
            tool: ToolInfo::this(Vec::new()),
            count_sources: 1,
            evidence: None,
        }
    }
}

/// One interval being put together.
#[derive(Clone, Default)]
struct Pending {
    acc: ResultAcc,
    handovers: usize,
    counted: usize,
}

/// Adds worker flushes and handovers, in any order from any worker, into results: one
/// per rotation interval, or one for the whole run.
///
/// Addition is commutative and a flow always lives on one worker, so the result does not
/// depend on how many workers there were or in which order they reported.
#[derive(Clone)]
pub struct Reducer {
    cfg: ReduceConfig,
    db: Arc<AsDb>,
    samples: SampleBuilder,
    pending: BTreeMap<i64, Pending>,
    sources: Option<crate::sources::SourcesState>,
}

/// The database's identity as results record it.
pub fn asn_db_info(s: &DbSource) -> AsnDb {
    AsnDb {
        source: s.source.clone(),
        date: s.date.clone(),
        digest: None,
    }
}

impl Reducer {
    /// A reducer for `cfg.workers` workers resolving names with `db`.
    pub fn new(cfg: ReduceConfig, db: Arc<AsDb>) -> Reducer {
        let samples = SampleBuilder::new(cfg.workers, cfg.sizing.per_sample());
        Reducer {
            cfg,
            db,
            samples,
            pending: BTreeMap::new(),
            sources: None,
        }
    }

    /// Turns on the `collector` and `ixp` sections (flow-export sources, the IXP vantage).
    pub fn with_sources(mut self, setup: crate::sources::SourcesSetup) -> Reducer {
        self.sources = Some(crate::sources::SourcesState::new(setup));
        self
    }

    /// Takes an ARP/ND sighting (`mac` claimed `ip` on `vlan`, 0: untagged) for the IXP
    /// vantage's MAC learning; every result built later uses it.
    pub fn sighting(&mut self, mac: [u8; 6], ip: std::net::IpAddr, vlan: u16) {
        if let Some(s) = &mut self.sources {
            s.sighting(mac, ip, vlan);
        }
    }

    /// Adds what the threads decoding flow-export datagrams counted in the interval ending
    /// at `end`.
    pub fn collector(&mut self, end: i64, part: &crate::sources::CollectorPart) {
        let p = self.pending.entry(end).or_default();
        p.acc.sources.add_collector_part(part);
    }

    /// Adds worker `worker`'s closed bins.
    pub fn flush(&mut self, worker: usize, f: Flush) {
        self.samples.add(worker, f);
    }

    /// Adds a worker's figures for the interval ending at `end` ([`WHOLE_RUN`] when not rotating).
    pub fn handover(&mut self, end: i64, h: Handover) {
        let cfg = self.cfg.hairpin.clone();
        let db = self.db.clone();
        let p = self.pending.entry(end).or_default();
        p.handovers += 1;
        let a = &mut p.acc;
        let mut sizes = BTreeMap::new();
        for f in &h.pairs {
            a.pairs.entry(f.pair).or_default().add(&f.counters);
            a.totals.flows += f.counters.flows;
            let s: &mut [u64; 7] = sizes.entry(f.pair).or_insert([0; 7]);
            for (x, y) in s.iter_mut().zip(f.sizes.0.iter()) {
                *x += y;
            }
        }
        a.add_samples(BTreeMap::new(), &sizes, &[]);
        a.add_sizes(&h.sizes);
        a.add_time(h.time);
        a.totals.evicted_flows += h.evicted_flows;
        a.totals.expired_flows += h.expired_flows;
        a.totals.late_packets += h.late_packets;
        for t in &h.talkers {
            a.add_talker(&talker_row(t));
        }
        for part in &h.analyses {
            match part {
                Partial::Ixp(x) => a.sources.add_mac_pairs(&x.pairs),
                Partial::Hairpin(hp) => {
                    if let Some(cfg) = &cfg {
                        let names = |asn: u32| db.as_name(asn).map(str::to_string);
                        a.hairpin.add_worker(cfg, &hp.pairs, &names);
                        let m = &mut a.hairpin.matcher;
                        m.slot_overflows += hp.matcher.slot_overflows;
                        m.dropped_fresh += hp.matcher.dropped_fresh;
                        m.unidentified_link += hp.matcher.unidentified_link;
                        m.handshakes_dropped += hp.matcher.handshakes_dropped;
                        if a.hairpin.link_frames.len() < hp.link_frames.len() {
                            a.hairpin.link_frames.resize(hp.link_frames.len(), 0);
                        }
                        for (x, y) in a.hairpin.link_frames.iter_mut().zip(&hp.link_frames) {
                            *x += y;
                        }
                    }
                }
            }
        }
    }

    /// Adds the reader's frame counts and inputs for the interval ending at `end`.
    pub fn counts(&mut self, end: i64, totals: &Totals, inputs: &[InputSummary]) {
        let p = self.pending.entry(end).or_default();
        p.counted += 1;
        let keep = (
            p.acc.totals.flows,
            p.acc.totals.evicted_flows,
            p.acc.totals.expired_flows,
            p.acc.totals.late_packets,
        );
        p.acc.totals.add(totals);
        (
            p.acc.totals.flows,
            p.acc.totals.evicted_flows,
            p.acc.totals.expired_flows,
            p.acc.totals.late_packets,
        ) = keep;
        p.acc.unbinned = p.acc.totals.untimed_frames + p.acc.totals.time_outliers;
        p.acc.add_inputs(inputs);
    }

    /// Results of the intervals that are complete, oldest first (none while the first is
    /// still open). `capture` is the live capture's health to attach, if any.
    pub fn ready(&mut self, capture: Option<&CaptureHealth>) -> Vec<Report> {
        let mut out = Vec::new();
        while let Some((&end, p)) = self.pending.iter().next() {
            let folded = self.samples.folded_upto();
            let end_bin = if end == WHOLE_RUN {
                i64::MAX
            } else {
                end.div_euclid(self.cfg.sizing.bin_ns)
            };
            if p.handovers < self.cfg.workers
                || p.counted < self.cfg.count_sources
                || folded < end_bin
            {
                break;
            }
            let p = self.pending.remove(&end).expect("present");
            out.push(self.build(end, p, capture.cloned()));
        }
        out
    }

    /// Everything still pending, as results (for the end of a run whose every worker
    /// has handed over and flushed).
    pub fn finish(mut self, capture: Option<&CaptureHealth>) -> Vec<Report> {
        let mut out = self.ready(capture);
        let rest = std::mem::take(&mut self.pending);
        for (end, p) in rest {
            out.push(self.build(end, p, capture.cloned()));
        }
        out
    }

    /// Builds the result of the interval ending at `end`.
    fn build(&mut self, end: i64, mut p: Pending, capture: Option<CaptureHealth>) -> Report {
        let before = if end == WHOLE_RUN {
            i64::MAX
        } else {
            end.div_euclid(self.cfg.sizing.sample_ns)
        };
        let links = self
            .cfg
            .hairpin
            .as_deref()
            .map(links_of)
            .unwrap_or_default();
        let recs = self.samples.take_before(before);
        p.acc.add_samples(recs, &BTreeMap::new(), &links);
        if let Some(s) = &self.sources {
            s.resolve(&mut p.acc.sources, &self.db);
        }
        // names of every ASN the result mentions
        let mut asns: Vec<u32> = Vec::new();
        for k in p.acc.pairs.keys() {
            asns.push(k.src_asn);
            asns.push(k.dst_asn);
        }
        for l in &links {
            asns.push(l.asn);
        }
        for a in asns {
            if let Some(n) = self.db.as_name(a) {
                p.acc.names.entry(a).or_insert_with(|| n.to_string());
            }
        }
        let interval = match (self.cfg.rotate_ns, end) {
            (Some(r), e) if e != WHOLE_RUN => Some(Interval {
                start_ns: e - r,
                end_ns: e,
            }),
            _ => None,
        };
        let ctx = Context {
            tool: self.cfg.tool.clone(),
            asn_db: asn_db_info(self.db.source()),
            site: self.cfg.site.clone(),
            interval,
            merged: None,
            sizing: self.cfg.sizing.clone(),
            hairpin: self.cfg.hairpin.as_deref().map(|h| HairpinParams {
                home: h.zone.home(),
                zone: h.zone.members().to_vec(),
                window_ms: h.window_ns as f64 / 1e6,
                floor_ms: h.domestic_floor_ms(),
                max_zone_km: h.max_zone_km,
                links,
                rtt_all: h.rtt_all,
            }),
            top_talkers: self.cfg.top_talkers,
            capture,
            evidence: self.cfg.evidence.clone(),
        };
        p.acc.finish(ctx)
    }

    /// The result so far of the interval ending at `end`, from a copy of the reducer and
    /// each worker's [`trombone_worker::Worker::snapshot`] with its frame counts;
    /// changes nothing. Live snapshots use it.
    pub fn snapshot(
        &self,
        end: i64,
        parts: Vec<(usize, Flush, Handover, Totals, Vec<InputSummary>)>,
        capture: Option<&CaptureHealth>,
    ) -> Option<Report> {
        let mut r = self.clone();
        r.cfg.workers = parts.len().max(1);
        r.cfg.count_sources = parts.len().max(1);
        for (w, f, h, t, inputs) in parts {
            r.samples.add(w, f);
            r.handover(end, h);
            r.counts(end, &t, &inputs);
        }
        r.finish(capture).pop()
    }

    /// Intervals being put together and series rows held (for health logs).
    pub fn held(&self) -> (usize, usize) {
        (self.pending.len(), self.samples.rows_held())
    }
}
