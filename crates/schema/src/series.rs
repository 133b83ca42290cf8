//! Traffic per sample interval: the raw material of every rate, kept so results merge exactly.
//!
//! A result's rates (`sizing`) are derived from these rows; a merge adds rows sample by
//! sample and derives the rates again, so merging the rotated pieces of one capture gives
//! the rates of the capture analysed in one run.

use crate::Country;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Every series of a result at sample resolution.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SeriesSet {
    /// Bin width, seconds (the unit of `peak_bin_*`).
    pub bin_s: f64,
    /// Sample interval, seconds; sample `k` covers `[k × sample_s, (k + 1) × sample_s)`
    /// since the Unix epoch.
    pub sample_s: f64,
    /// One row per series that saw traffic.
    pub rows: Vec<SeriesRow>,
}

/// What a series counts.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum SeriesKind {
    /// All IP traffic.
    Total,
    /// One AS pair (`src_*`, `dst_*`).
    Pair,
    /// Traffic towards one network (`asn`; `country` only for unknown networks, ASN 0).
    NetworkIn,
    /// Traffic from one network.
    NetworkOut,
    /// Unique hairpinned traffic towards one network.
    HairpinIn,
    /// Unique hairpinned traffic from one network.
    HairpinOut,
    /// Unique hairpinned traffic of one AS pair (`src_*`, `dst_*`): what the traffic an
    /// IXP would carry sums exactly from (written since schema 2 began: absent in the
    /// earliest version-2 results).
    HairpinPair,
    /// In from the neighbour of one link (`link`).
    LinkIn,
    /// Out to the neighbour of one link.
    LinkOut,
    /// Over one link in an unknown direction.
    LinkUnknown,
}

/// One series: its identity and its samples.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SeriesRow {
    /// What it counts.
    pub kind: SeriesKind,
    /// Pair rows: source ASN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub src_asn: Option<u32>,
    /// Pair rows: source country.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub src_country: Option<Country>,
    /// Pair rows: destination ASN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dst_asn: Option<u32>,
    /// Pair rows: destination country.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dst_country: Option<Country>,
    /// Network and hairpin rows: the ASN (0 = unknown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asn: Option<u32>,
    /// Network and hairpin rows of ASN 0: the country of the unknown addresses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<Country>,
    /// Link rows: the link's name in the links file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// Pair rows: packets per L3 size range (bounds 64, 127, 255, 511, 1023, 1499, larger).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sizes: Option<[u64; 7]>,
    /// Samples with traffic, ascending by index.
    pub samples: Vec<SampleRec>,
}

impl SeriesRow {
    /// An empty row of `kind` with no identity set.
    pub fn new(kind: SeriesKind) -> SeriesRow {
        SeriesRow {
            kind,
            src_asn: None,
            src_country: None,
            dst_asn: None,
            dst_country: None,
            asn: None,
            country: None,
            link: None,
            sizes: None,
            samples: Vec::new(),
        }
    }

    /// The identity of the row, for matching rows of two results.
    #[allow(clippy::type_complexity)]
    pub fn key(
        &self,
    ) -> (
        SeriesKind,
        Option<u32>,
        Option<Country>,
        Option<u32>,
        Option<Country>,
        Option<u32>,
        Option<Country>,
        Option<&str>,
    ) {
        (
            self.kind,
            self.src_asn,
            self.src_country,
            self.dst_asn,
            self.dst_country,
            self.asn,
            self.country,
            self.link.as_deref(),
        )
    }

    /// Total bytes over all samples.
    pub fn bytes(&self) -> u64 {
        self.samples.iter().map(|s| s.bytes).sum()
    }

    /// Adds another row's samples (same identity), sample by sample.
    ///
    /// Bytes and packets add. The busiest bin of a sample present in both is `peak`'s
    /// rule: [`PeakRule::Max`] when the two rows cover disjoint traffic of one vantage
    /// point in time order (rotated pieces: exact), [`PeakRule::Sum`] when they may
    /// overlap in time (two sites: an upper bound).
    pub fn add(&mut self, o: &SeriesRow, peak: PeakRule) {
        if let Some(b) = &o.sizes {
            let a = self.sizes.get_or_insert([0; 7]);
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
        if o.samples.is_empty() {
            return;
        }
        if self.samples.is_empty() {
            self.samples = o.samples.clone();
            return;
        }
        let mut out = Vec::with_capacity(self.samples.len() + o.samples.len());
        let (mut i, mut j) = (0, 0);
        while i < self.samples.len() || j < o.samples.len() {
            let a = self.samples.get(i);
            let b = o.samples.get(j);
            match (a, b) {
                (Some(x), Some(y)) if x.index == y.index => {
                    out.push(x.combine(y, peak));
                    i += 1;
                    j += 1;
                }
                (Some(x), Some(y)) if x.index < y.index => {
                    out.push(*x);
                    i += 1;
                }
                (Some(_), Some(y)) => {
                    out.push(*y);
                    j += 1;
                }
                (Some(x), None) => {
                    out.push(*x);
                    i += 1;
                }
                (None, Some(y)) => {
                    out.push(*y);
                    j += 1;
                }
                (None, None) => break,
            }
        }
        self.samples = out;
    }
}

/// How two busiest-bin figures of one sample combine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeakRule {
    /// The larger: the two cover the same traffic stream split in time.
    Max,
    /// The sum: the two may have been busy in the same bin (an upper bound).
    Sum,
}

/// One sample of one series: `[index, bytes, packets, peak_bin_bytes, peak_bin_packets]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
#[schemars(with = "[i64; 5]")]
pub struct SampleRec {
    /// Sample index since the epoch.
    pub index: i64,
    /// L3 bytes in the sample.
    pub bytes: u64,
    /// Packets in the sample.
    pub packets: u64,
    /// Bytes of the sample's busiest bin.
    pub peak_bin_bytes: u64,
    /// Packets of the sample's busiest bin (by packets).
    pub peak_bin_packets: u64,
}

impl SampleRec {
    /// The two samples of one index combined under `peak`.
    pub fn combine(&self, o: &SampleRec, peak: PeakRule) -> SampleRec {
        let (pb, pp) = match peak {
            PeakRule::Max => (
                self.peak_bin_bytes.max(o.peak_bin_bytes),
                self.peak_bin_packets.max(o.peak_bin_packets),
            ),
            PeakRule::Sum => (
                self.peak_bin_bytes + o.peak_bin_bytes,
                self.peak_bin_packets + o.peak_bin_packets,
            ),
        };
        SampleRec {
            index: self.index,
            bytes: self.bytes + o.bytes,
            packets: self.packets + o.packets,
            peak_bin_bytes: pb,
            peak_bin_packets: pp,
        }
    }
}

impl Serialize for SampleRec {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (
            self.index,
            self.bytes,
            self.packets,
            self.peak_bin_bytes,
            self.peak_bin_packets,
        )
            .serialize(s)
    }
}

impl<'de> Deserialize<'de> for SampleRec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<SampleRec, D::Error> {
        let (index, bytes, packets, peak_bin_bytes, peak_bin_packets) =
            <(i64, u64, u64, u64, u64)>::deserialize(d)?;
        Ok(SampleRec {
            index,
            bytes,
            packets,
            peak_bin_bytes,
            peak_bin_packets,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(index: i64, bytes: u64, peak: u64) -> SampleRec {
        SampleRec {
            index,
            bytes,
            packets: bytes / 100,
            peak_bin_bytes: peak,
            peak_bin_packets: peak / 100,
        }
    }

    #[test]
    fn rows_add_sample_by_sample() {
        let mut a = SeriesRow::new(SeriesKind::Total);
        a.samples = vec![rec(1, 1000, 400), rec(3, 500, 500)];
        let mut b = SeriesRow::new(SeriesKind::Total);
        b.samples = vec![rec(2, 200, 200), rec(3, 300, 300), rec(9, 100, 100)];
        let mut m = a.clone();
        m.add(&b, PeakRule::Max);
        assert_eq!(
            m.samples,
            vec![
                rec(1, 1000, 400),
                rec(2, 200, 200),
                SampleRec {
                    index: 3,
                    bytes: 800,
                    packets: 8,
                    peak_bin_bytes: 500,
                    peak_bin_packets: 5
                },
                rec(9, 100, 100)
            ]
        );
        let mut s = a;
        s.add(&b, PeakRule::Sum);
        assert_eq!(s.samples[2].peak_bin_bytes, 800); // index 3: 500 + 300
        assert_eq!(s.bytes(), 1000 + 200 + 800 + 100);
    }

    #[test]
    fn sample_is_a_json_array() {
        let r = rec(7, 1500, 900);
        let j = serde_json::to_string(&r).unwrap();
        assert_eq!(j, "[7,1500,15,900,9]");
        assert_eq!(serde_json::from_str::<SampleRec>(&j).unwrap(), r);
    }
}
