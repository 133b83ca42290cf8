//! A result being put together: everything that adds, and how it becomes a [`Report`].
//!
//! The reducer adds worker handovers into one of these per interval; the merge adds
//! whole results into one. Both then call [`ResultAcc::finish`], so a merged result is
//! derived exactly as a single run's is.

use crate::hairpin::HairpinAcc;
use crate::samples::RowKey;
use crate::sizing::{sizing_report, SizingConfig, SizingInputs};
use hdrhistogram::Histogram;
use std::collections::BTreeMap;
use trombone_asdb::Country;
use trombone_schema::{
    AsCell, AsnDb, CaptureHealth, CountryCell, HairpinLink, InputSummary, Interval, MergeInfo,
    PeakRule, Report, SeriesKind, SeriesRow, SeriesSet, TalkerRow, TimeSpan, ToolInfo, TopTalkers,
    Totals, Warning, SCHEMA_VERSION,
};
use trombone_worker::{AsPair, LinkDir, PairCounters};

/// The hairpin settings a result is derived under.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct HairpinParams {
    pub home: Country,
    pub zone: Vec<Country>,
    pub window_ms: f64,
    pub floor_ms: f64,
    pub max_zone_km: f64,
    pub links: Vec<HairpinLink>,
    pub rtt_all: bool,
}

/// What a result is derived under besides its figures.
pub(crate) struct Context {
    pub tool: ToolInfo,
    pub asn_db: AsnDb,
    pub site: Option<String>,
    pub interval: Option<Interval>,
    pub merged: Option<MergeInfo>,
    pub sizing: SizingConfig,
    pub hairpin: Option<HairpinParams>,
    pub top_talkers: usize,
    pub capture: Option<CaptureHealth>,
    pub evidence: Option<std::sync::Arc<crate::evidence::EvidenceSources>>,
}

/// Everything of a result that adds up.
#[derive(Clone, Default)]
pub(crate) struct ResultAcc {
    pub pairs: BTreeMap<AsPair, PairCounters>,
    pub rows: BTreeMap<RowId, SeriesRow>,
    pub hairpin: HairpinAcc,
    pub sizes: Option<Histogram<u64>>,
    pub time: Option<(i64, i64)>,
    pub totals: Totals,
    pub inputs: Vec<InputSummary>,
    pub partial: bool,
    pub talkers: BTreeMap<String, TalkerRow>,
    pub talkers_anonymized: bool,
    pub names: BTreeMap<u32, String>,
    pub unbinned: u64,
    pub warnings: Vec<Warning>,
    pub sources: crate::sources::SourcesAcc,
}

/// A series row's identity in a result: kind, pair or network, or link name.
pub(crate) type RowId = (
    SeriesKind,
    Option<u32>,
    Option<Country>,
    Option<u32>,
    Option<Country>,
    Option<u32>,
    Option<Country>,
    Option<String>,
);

/// The identity of a row.
pub(crate) fn row_id(r: &SeriesRow) -> RowId {
    let k = r.key();
    (k.0, k.1, k.2, k.3, k.4, k.5, k.6, k.7.map(str::to_string))
}

impl ResultAcc {
    /// Adds time span `t`.
    pub fn add_time(&mut self, t: Option<(i64, i64)>) {
        if let Some((f, l)) = t {
            self.time = Some(match self.time {
                Some((f0, l0)) => (f0.min(f), l0.max(l)),
                None => (f, l),
            });
        }
    }

    /// Adds a histogram of packet sizes.
    pub fn add_sizes(&mut self, h: &Histogram<u64>) {
        if h.is_empty() {
            return;
        }
        match &mut self.sizes {
            // auto-resizing histograms of one precision always add
            Some(x) => {
                let _ = x.add(h);
            }
            None => {
                let mut c = h.clone();
                c.auto(true);
                self.sizes = Some(c);
            }
        }
    }

    /// Adds one row of series (same identity adds sample by sample).
    pub fn add_row(&mut self, r: &SeriesRow, peak: PeakRule) {
        match self.rows.get_mut(&row_id(r)) {
            Some(mine) => mine.add(r, peak),
            None => {
                self.rows.insert(row_id(r), r.clone());
            }
        }
    }

    /// [`Self::add_row`] for a row the caller gives away: a new identity keeps its
    /// samples without a copy (a month of 5-minute samples is tens of megabytes).
    pub fn add_row_owned(&mut self, mut r: SeriesRow, peak: PeakRule) {
        match self.rows.get_mut(&row_id(&r)) {
            Some(mine) => {
                if mine.samples.is_empty() {
                    // a row with packet sizes only so far: take the samples over
                    mine.samples = std::mem::take(&mut r.samples);
                }
                mine.add(&r, peak)
            }
            None => {
                self.rows.insert(row_id(&r), r);
            }
        }
    }

    /// Adds the reducer's sample records (keyed by worker series), naming links by `links`.
    pub fn add_samples(
        &mut self,
        recs: BTreeMap<RowKey, Vec<trombone_schema::SampleRec>>,
        sizes: &BTreeMap<AsPair, [u64; 7]>,
        links: &[HairpinLink],
    ) {
        for (k, samples) in recs {
            let Some(samples) = self.sources.row(k, samples) else {
                continue;
            };
            let mut r = match k {
                RowKey::Total => SeriesRow::new(SeriesKind::Total),
                RowKey::Pair(p) | RowKey::HairpinPair(p) => {
                    let mut r = SeriesRow::new(if matches!(k, RowKey::Pair(_)) {
                        SeriesKind::Pair
                    } else {
                        SeriesKind::HairpinPair
                    });
                    r.src_asn = Some(p.src_asn);
                    r.src_country = p.src_country;
                    r.dst_asn = Some(p.dst_asn);
                    r.dst_country = p.dst_country;
                    r
                }
                RowKey::NetIn(n)
                | RowKey::NetOut(n)
                | RowKey::HairpinIn(n)
                | RowKey::HairpinOut(n) => {
                    let kind = match k {
                        RowKey::NetIn(_) => SeriesKind::NetworkIn,
                        RowKey::NetOut(_) => SeriesKind::NetworkOut,
                        RowKey::HairpinIn(_) => SeriesKind::HairpinIn,
                        _ => SeriesKind::HairpinOut,
                    };
                    let mut r = SeriesRow::new(kind);
                    r.asn = Some(n.0);
                    r.country = n.1;
                    r
                }
                RowKey::MacFrom(_) | RowKey::MacTo(_) | RowKey::Iface(..) => continue,
                RowKey::Link(l, d) => {
                    let kind = match d {
                        LinkDir::In => SeriesKind::LinkIn,
                        LinkDir::Out => SeriesKind::LinkOut,
                        LinkDir::Unknown => SeriesKind::LinkUnknown,
                    };
                    let mut r = SeriesRow::new(kind);
                    r.link = Some(
                        links
                            .get(usize::from(l))
                            .map_or_else(|| format!("link {l}"), |x| x.name.clone()),
                    );
                    r
                }
            };
            r.samples = samples;
            self.add_row_owned(r, PeakRule::Max);
        }
        // packet sizes ride on the pair rows (a pair with sizes but no timed sample
        // still gets a row, so the sizes are never lost)
        for (p, s) in sizes {
            let mut r = SeriesRow::new(SeriesKind::Pair);
            r.src_asn = Some(p.src_asn);
            r.src_country = p.src_country;
            r.dst_asn = Some(p.dst_asn);
            r.dst_country = p.dst_country;
            r.sizes = Some(*s);
            self.add_row_owned(r, PeakRule::Max);
        }
    }

    /// Adds a source address's traffic.
    pub fn add_talker(&mut self, t: &TalkerRow) {
        let e = self
            .talkers
            .entry(t.address.clone())
            .or_insert_with(|| TalkerRow {
                packets: 0,
                bytes: 0,
                flows: 0,
                ..t.clone()
            });
        e.packets += t.packets;
        e.bytes += t.bytes;
        e.flows += t.flows;
    }

    /// Merges inputs by file name: frames and link types add, the first error stays.
    pub fn add_inputs(&mut self, inputs: &[InputSummary]) {
        for i in inputs {
            match self.inputs.iter_mut().find(|x| x.file == i.file) {
                Some(x) => {
                    x.frames += i.frames;
                    for (lt, n) in &i.linktypes {
                        *x.linktypes.entry(*lt).or_default() += n;
                    }
                    if x.format.is_none() {
                        x.format.clone_from(&i.format);
                    }
                    if x.error.is_none() {
                        x.error.clone_from(&i.error);
                    }
                }
                None => self.inputs.push(i.clone()),
            }
        }
    }

    /// The result.
    pub fn finish(mut self, ctx: Context) -> Report {
        let mut as_matrix: Vec<AsCell> = self
            .pairs
            .iter()
            .map(|(p, c)| AsCell {
                src_asn: p.src_asn,
                dst_asn: p.dst_asn,
                src_country: p.src_country,
                dst_country: p.dst_country,
                packets: c.packets,
                bytes: c.bytes,
                flows: c.flows,
            })
            .collect();
        as_matrix.sort_by(|a, b| {
            b.bytes
                .cmp(&a.bytes)
                .then(a.src_asn.cmp(&b.src_asn))
                .then(a.dst_asn.cmp(&b.dst_asn))
                .then(a.src_country.cmp(&b.src_country))
                .then(a.dst_country.cmp(&b.dst_country))
        });
        let mut by_country: BTreeMap<(Option<Country>, Option<Country>), PairCounters> =
            BTreeMap::new();
        for a in &as_matrix {
            let c = by_country
                .entry((a.src_country, a.dst_country))
                .or_default();
            c.packets += a.packets;
            c.bytes += a.bytes;
            c.flows += a.flows;
        }
        let mut country_matrix: Vec<CountryCell> = by_country
            .into_iter()
            .map(|((sc, dc), c)| CountryCell {
                src_country: sc,
                dst_country: dc,
                packets: c.packets,
                bytes: c.bytes,
                flows: c.flows,
            })
            .collect();
        // stable: ties keep the country order
        country_matrix.sort_by_key(|c| std::cmp::Reverse(c.bytes));

        let series = SeriesSet {
            bin_s: ctx.sizing.bin_ns as f64 / 1e9,
            sample_s: ctx.sizing.sample_ns as f64 / 1e9,
            rows: std::mem::take(&mut self.rows).into_values().collect(),
        };
        let time = TimeSpan::of(self.time);
        let (collector, ixp) = self.sources.report(&ctx.sizing, &time);
        let exported = self.sources.has_exported_traffic().then(|| {
            let c = collector.as_ref().expect("exported traffic has a collector section");
            format!(
                "not available from NetFlow/sFlow: {} packets of the matrices came from flow export (sampled packets and flow records), and replica matching, detours, hops abroad and handshake RTTs need every captured packet: these figures cover the captured packets only",
                c.sampled_packets.saturating_add(c.record_packets)
            )
        });
        let hairpin = ctx.hairpin.as_ref().map(|h| {
            self.hairpin.report(
                h.home,
                h.zone.clone(),
                h.window_ms,
                h.floor_ms,
                h.max_zone_km,
                h.links.clone(),
            )
        });
        let evidence = ctx.hairpin.as_ref().map(|h| {
            crate::evidence::evidence(&crate::evidence::EvidenceInputs {
                zone: &h.zone,
                floor_ms: h.floor_ms,
                rtt_all: h.rtt_all,
                handshakes_dropped: self.hairpin.matcher.handshakes_dropped,
                pairs: &self.hairpin.pairs,
                local: &self.hairpin.local,
                carried: &self.hairpin.carried,
                carried_sources: &self.hairpin.carried_sources,
                sources: ctx.evidence.as_deref(),
            })
        });
        let hairpin = hairpin.map(|mut h| {
            h.not_available.clone_from(&exported);
            h
        });
        let evidence = evidence.map(|mut e| {
            e.not_available.clone_from(&exported);
            e
        });
        let sizing = sizing_report(&SizingInputs {
            cfg: &ctx.sizing,
            time: &time,
            series: &series,
            as_matrix: &as_matrix,
            names: &self.names,
            packet_size: self.sizes.as_ref(),
            zone: ctx.hairpin.as_ref().map(|h| h.zone.as_slice()),
            links: ctx.hairpin.as_ref().map_or(&[], |h| h.links.as_slice()),
            unbinned: self.unbinned,
        });
        let mut as_names = BTreeMap::new();
        let mut name = |asn: u32| {
            if let Some(n) = self.names.get(&asn) {
                as_names.entry(asn).or_insert_with(|| n.clone());
            }
        };
        for a in &as_matrix {
            name(a.src_asn);
            name(a.dst_asn);
        }
        if let Some(h) = &hairpin {
            for v in h.pairs.iter().flat_map(|p| p.via.iter()) {
                name(v.asn);
            }
            for l in &h.links {
                name(l.asn);
            }
        }
        let top_talkers = (ctx.top_talkers > 0).then(|| {
            let mut v: Vec<TalkerRow> = self.talkers.values().cloned().collect();
            v.sort_by(|a, b| b.bytes.cmp(&a.bytes).then(a.address.cmp(&b.address)));
            v.truncate(ctx.top_talkers);
            TopTalkers {
                anonymized: self.talkers_anonymized,
                basis: "flows in the tables at the end".into(),
                rows: v,
            }
        });
        let partial = self.partial
            || self.inputs.iter().any(|i| i.error.is_some())
            || ctx.capture.as_ref().is_some_and(|c| c.dropped_any);
        let mut rep = Report {
            schema_version: SCHEMA_VERSION,
            tool: ctx.tool,
            site: ctx.site,
            interval: ctx.interval,
            merged: ctx.merged,
            asn_db: ctx.asn_db,
            partial,
            inputs: self.inputs,
            time,
            totals: self.totals,
            as_matrix,
            country_matrix,
            sizing: Some(sizing),
            series: Some(series),
            top_talkers,
            hairpin,
            evidence,
            capture: ctx.capture,
            collector,
            ixp,
            warnings: self.warnings,
            as_names,
        };
        crate::warnings::add_warnings(&mut rep, &ctx.sizing);
        rep
    }
}

/// A talker row from a worker's talker.
pub(crate) fn talker_row(t: &trombone_worker::Talker) -> TalkerRow {
    TalkerRow {
        address: if t.ip_version == 4 {
            std::net::Ipv4Addr::from(t.addr as u32).to_string()
        } else {
            std::net::Ipv6Addr::from(t.addr).to_string()
        },
        asn: t.asn,
        country: t.country,
        packets: t.packets,
        bytes: t.bytes,
        flows: t.flows,
    }
}
