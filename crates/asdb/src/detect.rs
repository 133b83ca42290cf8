//! Reading a source file, gzip detection by magic, and format detection from content.

use std::io::Read;
use std::path::Path;

use crate::error::DbError;
use crate::source::{Format, Loaded};
use crate::text::{lines, parse_addr, parse_u32, show};
use crate::{compact, fmt_asnames, fmt_ip2asn, fmt_mmdb, fmt_mrt, fmt_pfx2as, fmt_pmacct, fmt_rir};

/// The gzip magic bytes.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
/// The marker that starts an mmdb file's metadata section.
pub const MMDB_MARKER: &[u8] = b"\xab\xcd\xefMaxMind.com";

/// Reads a file, transparently decompressing gzip (detected by its magic bytes).
pub fn read_source(path: &Path) -> Result<Vec<u8>, DbError> {
    let name = path.display().to_string();
    let raw = std::fs::read(path).map_err(|e| DbError::file(&name, format!("cannot read: {e}")))?;
    Ok(gunzip(&name, &raw)?.unwrap_or(raw))
}

/// Decompresses `raw` if it starts with the gzip magic; `None`: it is to be read as it is
/// (no copy). MRT dumps (plain, gzip or bzip2) are read as they are: their reader
/// decompresses them itself and keeps what precedes a cut in the stream.
pub fn gunzip(name: &str, raw: &[u8]) -> Result<Option<Vec<u8>>, DbError> {
    if !raw.starts_with(&GZIP_MAGIC) || trombone_bgp::sniff(raw).is_some() {
        return Ok(None);
    }
    let mut out = Vec::with_capacity(raw.len() * 6);
    let mut dec = flate2::read::MultiGzDecoder::new(raw);
    dec.read_to_end(&mut out).map_err(|e| {
        DbError::offset(
            name,
            out.len() as u64,
            format!(
                "gzip data is corrupt or truncated (at decompressed byte offset {}): {e}",
                out.len()
            ),
        )
    })?;
    Ok(Some(out))
}

/// Detects the format of (decompressed) file content; `None` if unrecognised.
pub fn detect(data: &[u8]) -> Option<Format> {
    if data.starts_with(compact::MAGIC) {
        return Some(Format::Compact);
    }
    if trombone_bgp::sniff(data).is_some() {
        return Some(Format::Mrt);
    }
    let tail = &data[data.len().saturating_sub(128 * 1024)..];
    if tail.windows(MMDB_MARKER.len()).any(|w| w == MMDB_MARKER) {
        return Some(Format::Mmdb);
    }
    let (_, line) = lines(data).find(|(_, l)| !l.is_empty() && l[0] != b'#' && l[0] != b'!')?;
    if line.starts_with(b"{") {
        return Some(Format::AsNames);
    }
    if line.contains(&b'|') {
        return fmt_rir::looks_like(line).then_some(Format::RirDelegated);
    }
    if fmt_ip2asn::looks_like(line) {
        return Some(Format::Ip2Asn);
    }
    let f: Vec<&[u8]> = line
        .split(|b| b.is_ascii_whitespace())
        .filter(|x| !x.is_empty())
        .collect();
    if f.len() == 3 && parse_addr(f[0]).is_some() && parse_u32(f[1]).is_some_and(|l| l <= 128) {
        return Some(Format::Pfx2as);
    }
    if fmt_pmacct::looks_like(line) {
        return Some(Format::Pmacct);
    }
    None
}

/// Detects the format of `data` and loads it; `name` is used in errors and reports.
pub fn load_bytes(name: &str, data: &[u8]) -> Result<Loaded, DbError> {
    let Some(fmt) = detect(data) else {
        let first = lines(data).find(|(_, l)| !l.is_empty() && l[0] != b'#' && l[0] != b'!');
        return Err(match first {
            Some((ln, l)) => DbError::line(
                name,
                ln,
                format!(
                    "unrecognised database format (expected ip2asn TSV, pmacct networks_file, RouteViews pfx2as, \
                     RIR delegated stats, AS names JSON, mmdb, MRT or trombone compact): {:?}",
                    show(l)
                ),
            ),
            None => DbError::file(name, "empty database file"),
        });
    };
    load_as(name, data, fmt)
}

/// Loads `data` as the given format.
pub fn load_as(name: &str, data: &[u8], fmt: Format) -> Result<Loaded, DbError> {
    let mut l = match fmt {
        Format::Ip2Asn => fmt_ip2asn::load(name, data)?,
        Format::Pmacct => fmt_pmacct::load(name, data)?,
        Format::Pfx2as => fmt_pfx2as::load(name, data)?,
        Format::RirDelegated => fmt_rir::load(name, data)?,
        Format::Mmdb => fmt_mmdb::load(name, data)?,
        Format::AsNames => fmt_asnames::load(name, data)?,
        Format::Compact => compact::load(name, data)?,
        Format::Mrt => fmt_mrt::load(name, data)?,
    };
    if fmt != Format::Compact && fmt != Format::Mrt {
        let info = l.info();
        if info.date.is_none() {
            info.date = crate::text::date_from_name(name);
        }
    }
    Ok(l)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_text_formats_from_content() {
        assert_eq!(
            detect(b"# c\n1.0.0.0\t1.0.0.255\t13335\tUS\tX\n"),
            Some(Format::Ip2Asn)
        );
        assert_eq!(detect(b"1.0.0.0\t24\t13335\n"), Some(Format::Pfx2as));
        assert_eq!(detect(b"1.0.0.0\t24\t13335_2\n"), Some(Format::Pfx2as));
        assert_eq!(detect(b"! c\n65500,192.168.1.0/24\n"), Some(Format::Pmacct));
        assert_eq!(
            detect(b"2|apnic|20241001|79793|19830613|20240930|+1000\n"),
            Some(Format::RirDelegated)
        );
        assert_eq!(detect(b"{\"1\": \"LVLT-1, US\"}"), Some(Format::AsNames));
        assert_eq!(detect(b"hello world\n"), None);
        assert_eq!(detect(b""), None);
    }

    #[test]
    fn unrecognised_and_empty_errors() {
        let e = load_bytes("x.txt", b"\n\nhello world\n").unwrap_err();
        assert_eq!(e.location, crate::error::Location::Line(3));
        let e = load_bytes("y.txt", b"# only a comment\n").unwrap_err();
        assert!(e.to_string().contains("empty"), "{e}");
    }

    #[test]
    fn gzip_by_magic_and_truncation_error() {
        use flate2::write::GzEncoder;
        use std::io::Write;
        let mut enc = GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(b"1.0.0.0\t24\t13335\n").unwrap();
        let gz = enc.finish().unwrap();
        assert_eq!(
            gunzip("a.gz", &gz).unwrap().unwrap(),
            b"1.0.0.0\t24\t13335\n"
        );
        let cut = &gz[..gz.len() - 6];
        let e = gunzip("a.gz", cut).unwrap_err();
        assert!(e.to_string().starts_with("a.gz: byte offset"), "{e}");
        // plain data is read as it is
        assert_eq!(gunzip("p", b"plain").unwrap(), None);
    }
}
