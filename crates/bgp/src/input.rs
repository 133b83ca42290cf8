//! Opening MRT input: compression detected by magic bytes (gzip, bzip2, or none), a byte counter
//! on the decompressed stream, and a content check that tells MRT from other files.

use std::io::{self, BufRead, BufReader, Read};

/// How an MRT stream is compressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Compression {
    /// Not compressed.
    None,
    /// gzip (one or more members).
    Gzip,
    /// bzip2 (one or more streams), decoded by the pure-Rust `libbz2-rs-sys`.
    Bzip2,
}

impl Compression {
    /// Short name for reports.
    pub fn name(self) -> &'static str {
        match self {
            Compression::None => "none",
            Compression::Gzip => "gzip",
            Compression::Bzip2 => "bzip2",
        }
    }

    /// The compression a stream starting with `head` uses (by magic bytes).
    pub fn detect(head: &[u8]) -> Compression {
        if head.starts_with(&[0x1f, 0x8b]) {
            Compression::Gzip
        } else if head.len() >= 4 && head.starts_with(b"BZh") && (b'1'..=b'9').contains(&head[3]) {
            Compression::Bzip2
        } else {
            Compression::None
        }
    }
}

/// Counts the bytes read through it.
pub(crate) struct Counting<R> {
    pub(crate) inner: R,
    pub(crate) pos: u64,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.pos += n as u64;
        Ok(n)
    }
}

/// A shared count of raw (compressed) bytes read.
pub(crate) type RawCount = std::rc::Rc<std::cell::Cell<u64>>;

/// A decompressing reader over `input` (compression detected from its first bytes), with the
/// compressed-byte counter kept reachable.
pub(crate) fn decompress<'a, R: Read + 'a>(
    input: R,
) -> io::Result<(Compression, Box<dyn Read + 'a>, RawCount)> {
    let raw = std::rc::Rc::new(std::cell::Cell::new(0u64));
    let mut buf = BufReader::with_capacity(
        1 << 16,
        Tally {
            inner: input,
            n: raw.clone(),
        },
    );
    let comp = Compression::detect(buf.fill_buf()?);
    let r: Box<dyn Read + 'a> = match comp {
        Compression::None => Box::new(buf),
        Compression::Gzip => Box::new(Loud {
            inner: flate2::bufread::MultiGzDecoder::new(buf),
            what: "gzip",
        }),
        Compression::Bzip2 => Box::new(Loud {
            inner: bzip2::bufread::MultiBzDecoder::new(buf),
            what: "bzip2",
        }),
    };
    Ok((comp, r, raw))
}

/// Turns a decompressor's errors into `InvalidData`: a stream cut at a block boundary makes
/// the decoders report `UnexpectedEof`, which the MRT framing would otherwise take for a clean
/// end of file between two records.
struct Loud<R> {
    inner: R,
    what: &'static str,
}

impl<R: Read> Read for Loud<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf).map_err(|e| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{} stream cut short or corrupt: {e}", self.what),
            )
        })
    }
}

/// Counts raw (compressed) bytes into a shared cell.
struct Tally<R> {
    inner: R,
    n: std::rc::Rc<std::cell::Cell<u64>>,
}

impl<R: Read> Read for Tally<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let k = self.inner.read(buf)?;
        self.n.set(self.n.get() + k as u64);
        Ok(k)
    }
}

/// MRT types this crate reads (TABLE_DUMP, TABLE_DUMP_V2, BGP4MP, BGP4MP_ET) and their highest
/// defined subtype.
fn known_type(ty: u16, subtype: u16) -> bool {
    match ty {
        12 => (1..=2).contains(&subtype),
        13 => (1..=13).contains(&subtype),
        16 | 17 => subtype <= 11,
        _ => false,
    }
}

/// True if `head` starts with a plausible MRT common header: a type this crate reads with a
/// defined subtype, and a body length under 16 MiB. Text never passes (bytes 4-5 would have to
/// be `00 0c`..`00 11`).
pub fn looks_like_mrt_header(head: &[u8]) -> bool {
    if head.len() < 12 {
        return false;
    }
    let ty = u16::from_be_bytes([head[4], head[5]]);
    let sub = u16::from_be_bytes([head[6], head[7]]);
    let len = u32::from_be_bytes([head[8], head[9], head[10], head[11]]);
    known_type(ty, sub) && len < (16 << 20) && (ty != 17 || len >= 4)
}

/// Whether `data` (a whole file, or at least its first compressed block) is MRT, and how it is
/// compressed: `Some(compression)` when the decompressed stream starts with a plausible MRT
/// header, else `None`.
pub fn sniff(data: &[u8]) -> Option<Compression> {
    let comp = Compression::detect(data);
    let mut head = [0u8; 12];
    let n = match comp {
        Compression::None => {
            let k = data.len().min(12);
            head[..k].copy_from_slice(&data[..k]);
            k
        }
        Compression::Gzip => read_up_to(flate2::read::MultiGzDecoder::new(data), &mut head),
        Compression::Bzip2 => read_up_to(bzip2::read::MultiBzDecoder::new(data), &mut head),
    };
    (n == 12 && looks_like_mrt_header(&head)).then_some(comp)
}

/// Reads until `buf` is full, the stream ends or an error; returns the bytes read.
fn read_up_to(mut r: impl Read, buf: &mut [u8]) -> usize {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) | Err(_) => break,
            Ok(k) => n += k,
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_compression_and_mrt() {
        assert_eq!(Compression::detect(b"\x1f\x8b\x08"), Compression::Gzip);
        assert_eq!(Compression::detect(b"BZh91AY&SY"), Compression::Bzip2);
        assert_eq!(Compression::detect(b"BZhx"), Compression::None);
        let hdr = [0, 0, 0, 1, 0, 13, 0, 1, 0, 0, 0, 10];
        assert_eq!(sniff(&hdr), Some(Compression::None));
        assert_eq!(sniff(b"1.0.0.0\t24\t13335\n"), None);
        assert_eq!(sniff(&hdr[..11]), None);
        let mut bad = hdr;
        bad[7] = 14; // TABLE_DUMP_V2 subtype 14 is undefined
        assert_eq!(sniff(&bad), None);
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&hdr).unwrap();
        assert_eq!(sniff(&gz.finish().unwrap()), Some(Compression::Gzip));
        let mut bz = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
        bz.write_all(&hdr).unwrap();
        assert_eq!(sniff(&bz.finish().unwrap()), Some(Compression::Bzip2));
    }
}
