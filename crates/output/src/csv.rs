//! CSV tables of the matrices, for spreadsheets.

use std::io::{self, Write};
use trombone_asdb::Country;
use trombone_reduce::Report;

/// Which matrix a CSV file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CsvTable {
    /// The AS×AS matrix.
    As,
    /// The country×country matrix.
    Country,
}

/// A country as a CSV field (empty when unknown).
fn cc(c: Option<Country>) -> String {
    c.map(|c| c.to_string()).unwrap_or_default()
}

/// Quotes a field when it holds a comma, quote or line break (RFC 4180).
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Writes one matrix as CSV with a header row.
pub fn write_csv(report: &Report, table: CsvTable, mut out: impl Write) -> io::Result<()> {
    let name = |asn: u32| field(report.as_names.get(&asn).map_or("", |s| s.as_str()));
    match table {
        CsvTable::As => {
            writeln!(
                out,
                "src_asn,src_as_name,src_country,dst_asn,dst_as_name,dst_country,packets,bytes,flows"
            )?;
            for c in &report.as_matrix {
                writeln!(
                    out,
                    "{},{},{},{},{},{},{},{},{}",
                    c.src_asn,
                    name(c.src_asn),
                    cc(c.src_country),
                    c.dst_asn,
                    name(c.dst_asn),
                    cc(c.dst_country),
                    c.packets,
                    c.bytes,
                    c.flows
                )?;
            }
        }
        CsvTable::Country => {
            writeln!(out, "src_country,dst_country,packets,bytes,flows")?;
            for c in &report.country_matrix {
                writeln!(
                    out,
                    "{},{},{},{},{}",
                    cc(c.src_country),
                    cc(c.dst_country),
                    c.packets,
                    c.bytes,
                    c.flows
                )?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_follows_rfc4180() {
        assert_eq!(field("VIETTEL-AS-VN"), "VIETTEL-AS-VN");
        assert_eq!(field("Foo, Inc."), "\"Foo, Inc.\"");
        assert_eq!(field("a\"b"), "\"a\"\"b\"");
    }
}
