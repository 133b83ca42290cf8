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
    /// The hairpin AS pairs (empty, header only, without a hairpin section).
    Hairpin,
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
        CsvTable::Hairpin => {
            writeln!(
                out,
                "src_asn,src_as_name,src_country,dst_asn,dst_as_name,dst_country,packets,bytes,observations,reobserved_packets,local_bytes,detour_ms_p50,detour_ms_p90,hops_abroad_p50,handshake_rtt_ms_min,handshake_rtt_ms_p50,via"
            )?;
            let opt = |v: Option<f64>| v.map(|x| format!("{x}")).unwrap_or_default();
            for p in report.hairpin.iter().flat_map(|h| h.pairs.iter()) {
                let via: Vec<String> = p
                    .via
                    .iter()
                    .map(|v| {
                        format!(
                            "{} AS{} {}",
                            v.link.as_deref().unwrap_or("unidentified link"),
                            v.asn,
                            v.bytes
                        )
                    })
                    .collect();
                writeln!(
                    out,
                    "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
                    p.src_asn,
                    name(p.src_asn),
                    cc(p.src_country),
                    p.dst_asn,
                    name(p.dst_asn),
                    cc(p.dst_country),
                    p.packets,
                    p.bytes,
                    p.observations,
                    p.reobserved_packets,
                    p.local_bytes,
                    opt(p.detour_ms.map(|q| q.p50)),
                    opt(p.detour_ms.map(|q| q.p90)),
                    p.hops_abroad.map(|h| h.p50.to_string()).unwrap_or_default(),
                    opt(p.handshake_rtt_ms.map(|h| h.min)),
                    opt(p.handshake_rtt_ms.map(|h| h.p50)),
                    field(&via.join("; "))
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
