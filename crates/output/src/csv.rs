//! CSV tables for spreadsheets, through the one CSV writer trombone has.
//!
//! [`CsvOut`] writes RFC 4180 CSV (the `csv` crate: fields with a comma, quote or line
//! break are quoted, quotes doubled; CRLF line ends, as RFC 4180 has them) and defuses
//! spreadsheet formulas: a text cell that starts with `=`, `+`, `-`, `@`, a tab or a
//! carriage return gets a leading `'` ([`defuse`]), so an AS name such as
//! `=HYPERLINK(...)` from third-party data stays text when a regulator opens the file.
//! Numbers are written as numbers. Units are in the column names; an empty cell is null.

use std::borrow::Cow;
use std::io::{self, Write};
use trombone_schema::{Country, Rate, Report};

/// A text cell made safe for spreadsheets: a leading `'` when it would start a formula.
pub fn defuse(s: &str) -> Cow<'_, str> {
    match s.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => Cow::Owned(format!("'{s}")),
        _ => Cow::Borrowed(s),
    }
}

/// The one CSV writer: RFC 4180 quoting, CRLF, formula defence on text cells.
pub struct CsvOut<W: Write> {
    w: csv::Writer<W>,
}

impl<W: Write> CsvOut<W> {
    /// A writer onto `out`.
    pub fn new(out: W) -> CsvOut<W> {
        CsvOut {
            w: csv::WriterBuilder::new()
                .terminator(csv::Terminator::CRLF)
                .flexible(false)
                .from_writer(out),
        }
    }

    /// The header row.
    pub fn header(&mut self, names: &[&str]) -> io::Result<()> {
        self.w.write_record(names).map_err(io::Error::other)
    }

    /// A text cell (defused).
    pub fn text(&mut self, s: &str) -> io::Result<()> {
        self.w
            .write_field(defuse(s).as_ref())
            .map_err(io::Error::other)
    }

    /// A number or other value written as it formats (never defused: `-5` stays a number).
    pub fn num(&mut self, v: impl std::fmt::Display) -> io::Result<()> {
        self.w.write_field(v.to_string()).map_err(io::Error::other)
    }

    /// An optional value: empty when absent.
    pub fn opt(&mut self, v: Option<impl std::fmt::Display>) -> io::Result<()> {
        match v {
            Some(v) => self.num(v),
            None => self.w.write_field("").map_err(io::Error::other),
        }
    }

    /// A country code, empty when unknown.
    pub fn country(&mut self, c: Option<Country>) -> io::Result<()> {
        match c {
            Some(c) => self.w.write_field(c.0),
            None => self.w.write_field(""),
        }
        .map_err(io::Error::other)
    }

    /// Ends the row.
    pub fn end(&mut self) -> io::Result<()> {
        self.w.write_record(None::<&[u8]>).map_err(io::Error::other)
    }

    /// Flushes and hands the output back.
    pub fn finish(self) -> io::Result<W> {
        self.w
            .into_inner()
            .map_err(|e| io::Error::other(e.to_string()))
    }
}

/// The CSV tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CsvTable {
    /// The AS×AS matrix.
    As,
    /// The country×country matrix.
    Country,
    /// One row per hairpin AS pair, with latency evidence (header only without `--home`).
    HairpinPairs,
    /// One row per (hairpin pair, via link).
    Via,
    /// One row per what-if port recommendation.
    Ports,
    /// One row per rate (all traffic, network, pair, link; in and out) with percentiles.
    Rates,
    /// The top talkers (only with `--top-talkers`).
    Talkers,
}

impl CsvTable {
    /// Every table.
    pub const ALL: [CsvTable; 7] = [
        CsvTable::As,
        CsvTable::Country,
        CsvTable::HairpinPairs,
        CsvTable::Via,
        CsvTable::Ports,
        CsvTable::Rates,
        CsvTable::Talkers,
    ];

    /// The table's name, as `--table` takes it and file names carry it.
    pub fn name(self) -> &'static str {
        match self {
            CsvTable::As => "as",
            CsvTable::Country => "country",
            CsvTable::HairpinPairs => "hairpin-pairs",
            CsvTable::Via => "via",
            CsvTable::Ports => "ports",
            CsvTable::Rates => "rates",
            CsvTable::Talkers => "talkers",
        }
    }

    /// The table called `name`.
    pub fn from_name(name: &str) -> Option<CsvTable> {
        CsvTable::ALL.into_iter().find(|t| t.name() == name)
    }
}

/// Columns of a rate in the rates table.
const RATE_COLS: [&str; 11] = [
    "bytes",
    "packets",
    "avg_mbps",
    "p90_mbps",
    "p95_mbps",
    "max_mbps",
    "peak_bin_mbps",
    "avg_pps",
    "p95_pps",
    "peak_bin_pps",
    "samples",
];

/// Writes a rate's cells.
fn rate_cells<W: Write>(o: &mut CsvOut<W>, r: &Rate) -> io::Result<()> {
    o.num(r.bytes)?;
    o.num(r.packets)?;
    o.num(r.avg_mbps)?;
    o.num(r.p90_mbps)?;
    o.num(r.p95_mbps)?;
    o.num(r.max_mbps)?;
    o.num(r.peak_bin_mbps)?;
    o.num(r.avg_pps)?;
    o.num(r.p95_pps)?;
    o.num(r.peak_bin_pps)?;
    o.num(r.samples)
}

/// Writes one table with a header row.
pub fn write_csv(report: &Report, table: CsvTable, out: impl Write) -> io::Result<()> {
    let mut o = CsvOut::new(out);
    let name = |asn: u32| report.as_names.get(&asn).map_or("", |s| s.as_str());
    match table {
        CsvTable::As => {
            o.header(&[
                "src_asn",
                "src_as_name",
                "src_country",
                "dst_asn",
                "dst_as_name",
                "dst_country",
                "packets",
                "bytes",
                "flows",
            ])?;
            for c in &report.as_matrix {
                o.num(c.src_asn)?;
                o.text(name(c.src_asn))?;
                o.country(c.src_country)?;
                o.num(c.dst_asn)?;
                o.text(name(c.dst_asn))?;
                o.country(c.dst_country)?;
                o.num(c.packets)?;
                o.num(c.bytes)?;
                o.num(c.flows)?;
                o.end()?;
            }
        }
        CsvTable::Country => {
            o.header(&["src_country", "dst_country", "packets", "bytes", "flows"])?;
            for c in &report.country_matrix {
                o.country(c.src_country)?;
                o.country(c.dst_country)?;
                o.num(c.packets)?;
                o.num(c.bytes)?;
                o.num(c.flows)?;
                o.end()?;
            }
        }
        CsvTable::HairpinPairs => {
            o.header(&[
                "src_asn",
                "src_as_name",
                "src_country",
                "dst_asn",
                "dst_as_name",
                "dst_country",
                "packets",
                "bytes",
                "observations",
                "reobserved_packets",
                "local_bytes",
                "detour_samples",
                "detour_p50_ms",
                "detour_p90_ms",
                "detour_p99_ms",
                "hops_abroad_p50",
                "handshake_samples",
                "handshake_min_ms",
                "handshake_p50_ms",
                "exceeds_domestic_floor",
            ])?;
            for p in report.hairpin.iter().flat_map(|h| h.pairs.iter()) {
                o.num(p.src_asn)?;
                o.text(name(p.src_asn))?;
                o.country(p.src_country)?;
                o.num(p.dst_asn)?;
                o.text(name(p.dst_asn))?;
                o.country(p.dst_country)?;
                o.num(p.packets)?;
                o.num(p.bytes)?;
                o.num(p.observations)?;
                o.num(p.reobserved_packets)?;
                o.num(p.local_bytes)?;
                let d = p.detour_ms.as_ref();
                o.opt(d.map(|q| q.samples))?;
                o.opt(d.map(|q| q.p50))?;
                o.opt(d.map(|q| q.p90))?;
                o.opt(d.map(|q| q.p99))?;
                o.opt(p.hops_abroad.as_ref().map(|h| h.p50))?;
                let h = p.handshake_rtt_ms.as_ref();
                o.opt(h.map(|h| h.samples))?;
                o.opt(h.map(|h| h.min))?;
                o.opt(h.map(|h| h.p50))?;
                o.opt(h.map(|h| h.exceeds_domestic_floor))?;
                o.end()?;
            }
        }
        CsvTable::Via => {
            o.header(&[
                "src_asn",
                "src_country",
                "dst_asn",
                "dst_country",
                "link",
                "via_asn",
                "via_as_name",
                "via_country",
                "packets",
                "bytes",
            ])?;
            for p in report.hairpin.iter().flat_map(|h| h.pairs.iter()) {
                for v in &p.via {
                    o.num(p.src_asn)?;
                    o.country(p.src_country)?;
                    o.num(p.dst_asn)?;
                    o.country(p.dst_country)?;
                    o.text(v.link.as_deref().unwrap_or(""))?;
                    o.num(v.asn)?;
                    o.text(v.name.as_deref().unwrap_or(""))?;
                    o.country(v.country)?;
                    o.num(v.packets)?;
                    o.num(v.bytes)?;
                    o.end()?;
                }
            }
        }
        CsvTable::Ports => {
            o.header(&[
                "asn",
                "as_name",
                "country",
                "hairpin_in_p95_mbps",
                "hairpin_out_p95_mbps",
                "p95_mbps",
                "needed_mbps",
                "port",
                "port_gbps",
                "utilisation_at_p95",
                "transit_saved_usd_per_month",
                "samples",
            ])?;
            let w = report.sizing.as_ref().and_then(|s| s.what_if.as_ref());
            for p in w.iter().flat_map(|w| w.ports.iter()) {
                o.num(p.asn)?;
                o.text(p.name.as_deref().unwrap_or(""))?;
                o.country(p.country)?;
                o.num(p.hairpin_in.p95_mbps)?;
                o.num(p.hairpin_out.p95_mbps)?;
                o.num(p.p95_mbps)?;
                o.num(p.needed_mbps)?;
                o.text(p.port.as_deref().unwrap_or(""))?;
                o.opt(p.port_gbps)?;
                o.opt(p.utilisation_at_p95)?;
                o.num(p.transit_saved_usd_per_month)?;
                o.num(p.hairpin_in.samples)?;
                o.end()?;
            }
        }
        CsvTable::Rates => {
            let mut h = vec![
                "kind",
                "asn",
                "as_name",
                "country",
                "dst_asn",
                "dst_country",
                "link",
                "direction",
            ];
            h.extend(RATE_COLS);
            o.header(&h)?;
            if let Some(s) = &report.sizing {
                if let Some(t) = &s.total {
                    for c in ["total", "", "", "", "", "", "", ""] {
                        o.text(c)?;
                    }
                    rate_cells(&mut o, t)?;
                    o.end()?;
                }
                for n in &s.networks {
                    for (dir, r) in [("in", &n.inbound), ("out", &n.outbound)] {
                        o.text("network")?;
                        o.num(n.asn)?;
                        o.text(n.name.as_deref().unwrap_or(""))?;
                        o.country(n.country)?;
                        o.text("")?;
                        o.text("")?;
                        o.text("")?;
                        o.text(dir)?;
                        rate_cells(&mut o, r)?;
                        o.end()?;
                    }
                }
                for p in &s.pairs {
                    o.text("pair")?;
                    o.num(p.src_asn)?;
                    o.text(name(p.src_asn))?;
                    o.country(p.src_country)?;
                    o.num(p.dst_asn)?;
                    o.country(p.dst_country)?;
                    o.text("")?;
                    o.text("")?;
                    rate_cells(&mut o, &p.rate)?;
                    o.end()?;
                }
                for l in &s.links {
                    let dirs = [
                        ("in", Some(&l.inbound)),
                        ("out", Some(&l.outbound)),
                        ("unknown", l.unknown_direction.as_ref()),
                    ];
                    for (dir, r) in dirs {
                        let Some(r) = r else { continue };
                        o.text("link")?;
                        o.num(l.asn)?;
                        o.text(name(l.asn))?;
                        o.country(l.country)?;
                        o.text("")?;
                        o.text("")?;
                        o.text(&l.name)?;
                        o.text(dir)?;
                        rate_cells(&mut o, r)?;
                        o.end()?;
                    }
                }
            }
        }
        CsvTable::Talkers => {
            o.header(&["address", "asn", "country", "packets", "bytes", "flows"])?;
            for r in report.top_talkers.iter().flat_map(|t| t.rows.iter()) {
                o.text(&r.address)?;
                o.num(r.asn)?;
                o.country(r.country)?;
                o.num(r.packets)?;
                o.num(r.bytes)?;
                o.num(r.flows)?;
                o.end()?;
            }
        }
    }
    o.finish()?.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(cells: &[&str]) -> String {
        let mut o = CsvOut::new(Vec::new());
        for c in cells {
            o.text(c).unwrap();
        }
        o.num(-5).unwrap();
        o.end().unwrap();
        String::from_utf8(o.finish().unwrap()).unwrap()
    }

    #[test]
    fn quoting_follows_rfc4180() {
        assert_eq!(render(&["VIETTEL-AS-VN"]), "VIETTEL-AS-VN,-5\r\n");
        assert_eq!(render(&["Foo, Inc."]), "\"Foo, Inc.\",-5\r\n");
        assert_eq!(render(&["a\"b"]), "\"a\"\"b\",-5\r\n");
        assert_eq!(render(&["two\nlines"]), "\"two\nlines\",-5\r\n");
    }

    #[test]
    fn formulas_are_defused_numbers_are_not() {
        // the cells OWASP's CSV injection page lists as dangerous starts
        assert_eq!(
            render(&["=HYPERLINK(\"http://x\",\"y\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tx", "\rx"]),
            "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",'+cmd|' /C calc'!A0,'-2+3,'@SUM(A1),'\tx,\"'\rx\",-5\r\n"
        );
        assert_eq!(defuse("AS-NAME"), "AS-NAME");
    }
}
