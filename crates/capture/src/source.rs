//! Where the bytes come from: a memory map of a regular file, or a stream
//! (stdin, a pipe, any `Read`, a gzip decoder) read into one reused buffer.
//!
//! The reader asks for records piece by piece with [`Source::take`], which
//! returns a range; [`Source::bytes`] turns a range into a slice. For a map
//! the range is a position in the file; for a stream it is a position in the
//! buffer, which [`Source::begin_record`] rewinds so each record overwrites
//! the last one. The buffer keeps its size between records and grows only
//! when a record is larger than any before, and then only as the record's
//! bytes actually arrive, so a corrupt length field cannot make it allocate
//! more than about twice the data really present.

use std::fs::File;
use std::io::{self, BufReader, Cursor, Read};
use std::ops::Range;
use std::path::Path;

use flate2::read::MultiGzDecoder;
use memmap2::Mmap;

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
const STREAM_READ_BUFFER: usize = 64 * 1024;
const INITIAL_RECORD_BUFFER: usize = 4096;

/// Why a [`Source::take`] or [`Source::skip`] did not deliver.
#[derive(Debug)]
pub(crate) enum TakeError {
    /// End of input after this many of the requested bytes.
    Short(u64),
    /// The operating system or the decompressor reported an error.
    Io(io::Error),
}

/// A byte source positioned at the next unread byte.
pub(crate) enum Source {
    /// A memory-mapped regular file.
    Map {
        /// The mapping.
        map: Mmap,
        /// Next unread byte.
        pos: usize,
    },
    /// A sequential stream with one reused record buffer.
    Stream {
        /// The input, buffered.
        input: BufReader<Box<dyn Read + Send>>,
        /// Record buffer; its `len()` is its high-water mark, never shrunk.
        buf: Vec<u8>,
        /// Bytes of the current record held in `buf`.
        held: usize,
        /// Bytes consumed from the input so far.
        consumed: u64,
    },
}

/// An opened source and whether it is gzip-compressed.
pub(crate) struct Opened {
    /// The source, positioned at the first byte of the (decompressed) capture.
    pub(crate) source: Source,
    /// True if the bytes are being decompressed from gzip.
    pub(crate) gzip: bool,
}

impl Source {
    /// Open a file: map it if it is a regular, non-empty, uncompressed file;
    /// otherwise (pipe, device, gzip, empty, unmappable) stream it.
    pub(crate) fn open_path(path: &Path) -> io::Result<Opened> {
        let file = File::open(path)?;
        let meta = file.metadata()?;
        if meta.is_file() && meta.len() > 0 {
            // SAFETY: the map is read-only and private to this reader. As with
            // any mmap, another process truncating the file while it is mapped
            // makes later reads fault; captures being read are not expected to
            // be rewritten in place.
            if let Ok(map) = unsafe { Mmap::map(&file) } {
                if !map.starts_with(&GZIP_MAGIC) {
                    return Ok(Opened {
                        source: Source::Map { map, pos: 0 },
                        gzip: false,
                    });
                }
            }
        }
        Source::from_read(Box::new(file))
    }

    /// Stream from `r`, decompressing if it starts with the gzip magic.
    pub(crate) fn from_read(mut r: Box<dyn Read + Send>) -> io::Result<Opened> {
        let mut peek = [0u8; 2];
        let mut n = 0;
        while n < peek.len() {
            match r.read(&mut peek[n..]) {
                Ok(0) => break,
                Ok(k) => n += k,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
        let gzip = n == 2 && peek == GZIP_MAGIC;
        let whole = Cursor::new(peek).take(n as u64).chain(r);
        let inner: Box<dyn Read + Send> = if gzip {
            Box::new(MultiGzDecoder::new(whole))
        } else {
            Box::new(whole)
        };
        Ok(Opened {
            source: Source::Stream {
                input: BufReader::with_capacity(STREAM_READ_BUFFER, inner),
                buf: vec![0; INITIAL_RECORD_BUFFER],
                held: 0,
                consumed: 0,
            },
            gzip,
        })
    }

    /// Bytes consumed so far: the offset of the next unread byte.
    pub(crate) fn consumed(&self) -> u64 {
        match self {
            Source::Map { pos, .. } => *pos as u64,
            Source::Stream { consumed, .. } => *consumed,
        }
    }

    /// Start a new record: stream buffers are rewound (earlier ranges become invalid).
    pub(crate) fn begin_record(&mut self) {
        if let Source::Stream { held, .. } = self {
            *held = 0;
        }
    }

    /// Consume the next `n` bytes and return where they are for [`Source::bytes`].
    /// Consecutive takes within one record give adjacent ranges.
    pub(crate) fn take(&mut self, n: usize) -> Result<Range<usize>, TakeError> {
        match self {
            Source::Map { map, pos } => {
                let avail = map.len() - *pos;
                if n > avail {
                    *pos = map.len();
                    return Err(TakeError::Short(avail as u64));
                }
                let r = *pos..*pos + n;
                *pos += n;
                Ok(r)
            }
            Source::Stream {
                input,
                buf,
                held,
                consumed,
            } => {
                let start = *held;
                let end = start + n;
                let mut got = start;
                while got < end {
                    if got == buf.len() {
                        // Full: grow, at most doubling, only now that the data has come.
                        let grown = (buf.len() * 2).max(INITIAL_RECORD_BUFFER).min(end);
                        buf.resize(grown, 0);
                    }
                    let lim = end.min(buf.len());
                    match input.read(&mut buf[got..lim]) {
                        Ok(0) => {
                            *held = got;
                            *consumed += (got - start) as u64;
                            return Err(TakeError::Short((got - start) as u64));
                        }
                        Ok(k) => got += k,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(e) => return Err(TakeError::Io(e)),
                    }
                }
                *held = end;
                *consumed += n as u64;
                Ok(start..end)
            }
        }
    }

    /// Consume and discard the next `n` bytes without buffering them.
    pub(crate) fn skip(&mut self, n: u64) -> Result<(), TakeError> {
        match self {
            Source::Map { map, pos } => {
                let avail = (map.len() - *pos) as u64;
                if n > avail {
                    *pos = map.len();
                    return Err(TakeError::Short(avail));
                }
                *pos += n as usize;
                Ok(())
            }
            Source::Stream {
                input, consumed, ..
            } => {
                let copied = io::copy(&mut input.by_ref().take(n), &mut io::sink())
                    .map_err(TakeError::Io)?;
                *consumed += copied;
                if copied < n {
                    return Err(TakeError::Short(copied));
                }
                Ok(())
            }
        }
    }

    /// The bytes of a range returned by [`Source::take`] (since the last [`Source::begin_record`]).
    /// An invalid range gives an empty slice rather than a panic.
    pub(crate) fn bytes(&self, r: Range<usize>) -> &[u8] {
        let all: &[u8] = match self {
            Source::Map { map, .. } => map,
            Source::Stream { buf, held, .. } => &buf[..*held],
        };
        all.get(r).unwrap_or(&[])
    }

    /// Capacity of the stream record buffer (0 for a map); for tests.
    #[cfg(test)]
    pub(crate) fn buffer_len(&self) -> usize {
        match self {
            Source::Map { .. } => 0,
            Source::Stream { buf, .. } => buf.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn stream(data: Vec<u8>) -> Source {
        Source::from_read(Box::new(Cursor::new(data)))
            .unwrap()
            .source
    }

    /// A reader that hands out one byte per call, to exercise short reads.
    struct Trickle(Vec<u8>, usize);
    impl Read for Trickle {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            if self.1 >= self.0.len() || out.is_empty() {
                return Ok(0);
            }
            out[0] = self.0[self.1];
            self.1 += 1;
            Ok(1)
        }
    }

    #[test]
    fn stream_take_is_adjacent_and_rewinds() {
        let mut s = stream((0u8..20).collect());
        s.begin_record();
        let a = s.take(3).unwrap();
        let b = s.take(4).unwrap();
        assert_eq!((a.clone(), b.clone()), (0..3, 3..7));
        assert_eq!(s.bytes(a.start..b.end), &[0, 1, 2, 3, 4, 5, 6]);
        s.begin_record();
        let c = s.take(2).unwrap();
        assert_eq!(s.bytes(c), &[7, 8]);
        assert_eq!(s.consumed(), 9);
        s.skip(5).unwrap();
        assert_eq!(s.consumed(), 14);
        s.begin_record();
        let d = s.take(2).unwrap();
        assert_eq!(s.bytes(d), &[14, 15]);
        // 4 left, ask for 10
        assert!(matches!(s.take(10), Err(TakeError::Short(4))));
        assert_eq!(s.consumed(), 20);
        assert!(matches!(s.take(1), Err(TakeError::Short(0))));
        assert!(matches!(s.skip(1), Err(TakeError::Short(0))));
    }

    #[test]
    fn stream_handles_one_byte_reads() {
        let data: Vec<u8> = (0u8..50).collect();
        let mut s = Source::from_read(Box::new(Trickle(data, 0)))
            .unwrap()
            .source;
        s.begin_record();
        let r = s.take(50).unwrap();
        assert_eq!(s.bytes(r), (0u8..50).collect::<Vec<_>>().as_slice());
    }

    #[test]
    fn buffer_grows_only_with_data() {
        // A record claiming 100 MB but with only 10 000 bytes behind it must
        // not allocate 100 MB.
        let mut s = stream(vec![7u8; 10_000]);
        s.begin_record();
        assert!(matches!(s.take(100_000_000), Err(TakeError::Short(10_000))));
        assert!(s.buffer_len() <= 2 * 10_000 + INITIAL_RECORD_BUFFER);
        // and it is reused, not regrown, for smaller records
        let mut s = stream(vec![1u8; 30_000]);
        s.begin_record();
        s.take(20_000).unwrap();
        let after_big = s.buffer_len();
        assert!(after_big >= 20_000);
        s.begin_record();
        s.take(5_000).unwrap();
        assert_eq!(s.buffer_len(), after_big);
    }

    #[test]
    fn gzip_detected_and_decompressed() {
        let plain: Vec<u8> = (0..5000u32).map(|i| (i % 251) as u8).collect();
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(&plain).unwrap();
        let gz = enc.finish().unwrap();
        let opened = Source::from_read(Box::new(Cursor::new(gz))).unwrap();
        assert!(opened.gzip);
        let mut s = opened.source;
        s.begin_record();
        let r = s.take(5000).unwrap();
        assert_eq!(s.bytes(r), plain.as_slice());
        assert!(matches!(s.take(1), Err(TakeError::Short(0))));
    }

    #[test]
    fn short_inputs_not_mistaken_for_gzip() {
        let opened = Source::from_read(Box::new(Cursor::new(vec![0x1f]))).unwrap();
        assert!(!opened.gzip);
        let mut s = opened.source;
        s.begin_record();
        let r = s.take(1).unwrap();
        assert_eq!(s.bytes(r), &[0x1f]);
        let opened = Source::from_read(Box::new(Cursor::new(Vec::new()))).unwrap();
        assert!(!opened.gzip);
    }

    #[test]
    fn invalid_range_is_empty() {
        let mut s = stream(vec![1, 2, 3]);
        s.begin_record();
        s.take(2).unwrap();
        assert_eq!(s.bytes(1..5), &[] as &[u8]);
    }
}
