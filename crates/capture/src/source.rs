//! Where the bytes come from: a stream (a file, stdin, a pipe, any `Read`,
//! a gzip decoder) read into one reused buffer.
//!
//! The reader asks for records piece by piece with [`Source::take`], which
//! returns a range; [`Source::bytes`] turns a range into a slice. A range is
//! a position relative to the start of the current record
//! ([`Source::begin_record`]). The stream is read with large `read` calls
//! straight into one buffer, and records are served from it in place; only
//! when a record runs past the buffered data is its beginning moved to the
//! front and the rest read in. The buffer grows only when a record is larger
//! than the buffer, and then only as the record's bytes actually arrive, so a
//! corrupt length field cannot make it allocate more than about twice the
//! data really present.

use std::io::{self, Cursor, Read};
use std::ops::Range;

use flate2::read::MultiGzDecoder;

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
/// Size of the stream buffer (and of each `read` call at most).
pub(crate) const STREAM_BUFFER: usize = 1 << 20;

/// Why a [`Source::take`] or [`Source::skip`] did not deliver.
#[derive(Debug)]
pub(crate) enum TakeError {
    /// End of input after this many of the requested bytes.
    Short(u64),
    /// The operating system or the decompressor reported an error.
    Io(io::Error),
}

/// A sequential byte stream read into one reused buffer, positioned at the
/// next unread byte.
pub(crate) struct Source {
    /// The input.
    input: Box<dyn Read + Send>,
    /// The buffer; its `len()` is its high-water mark, never shrunk.
    buf: Vec<u8>,
    /// Where the current record starts in `buf`.
    rec: usize,
    /// Next unread byte in `buf`.
    lo: usize,
    /// End of the valid bytes in `buf`.
    hi: usize,
    /// Bytes consumed from the input so far.
    consumed: u64,
}

/// An opened source and whether it is gzip-compressed.
pub(crate) struct Opened {
    /// The source, positioned at the first byte of the (decompressed) capture.
    pub(crate) source: Source,
    /// True if the bytes are being decompressed from gzip.
    pub(crate) gzip: bool,
}

impl Source {
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
        let input: Box<dyn Read + Send> = if gzip {
            Box::new(MultiGzDecoder::new(whole))
        } else {
            Box::new(whole)
        };
        Ok(Opened {
            source: Source {
                input,
                buf: vec![0; STREAM_BUFFER],
                rec: 0,
                lo: 0,
                hi: 0,
                consumed: 0,
            },
            gzip,
        })
    }

    /// Bytes consumed so far: the offset of the next unread byte.
    pub(crate) fn consumed(&self) -> u64 {
        self.consumed
    }

    /// Start a new record: ranges restart at 0 (earlier ranges become invalid).
    pub(crate) fn begin_record(&mut self) {
        self.rec = self.lo;
    }

    /// Consume the next `n` bytes and return where they are for [`Source::bytes`].
    /// Consecutive takes within one record give adjacent ranges.
    pub(crate) fn take(&mut self, n: usize) -> Result<Range<usize>, TakeError> {
        if self.hi - self.lo < n {
            // Move the record's beginning to the front, then read.
            if self.rec > 0 {
                self.buf.copy_within(self.rec..self.hi, 0);
                self.lo -= self.rec;
                self.hi -= self.rec;
                self.rec = 0;
            }
            let end = self.lo + n;
            while self.hi < end {
                if self.hi == self.buf.len() {
                    // Full: grow, at most doubling, only now that the data has come.
                    let grown = (self.buf.len() * 2).min(end.max(self.buf.len() + 1));
                    self.buf.resize(grown, 0);
                }
                match self.input.read(&mut self.buf[self.hi..]) {
                    Ok(0) => {
                        let got = self.hi - self.lo;
                        self.lo = self.hi;
                        self.consumed += got as u64;
                        return Err(TakeError::Short(got as u64));
                    }
                    Ok(k) => self.hi += k,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(TakeError::Io(e)),
                }
            }
        }
        let r = (self.lo - self.rec)..(self.lo - self.rec + n);
        self.lo += n;
        self.consumed += n as u64;
        Ok(r)
    }

    /// A whole record of `head` header bytes and the body length `body(header)` gives,
    /// if it is all buffered: consumes it and returns where its header starts and its
    /// body's range (for [`Source::bytes`]); `None` (nothing consumed) otherwise, and
    /// the caller takes the slow path, which reads more or reports the error.
    #[inline]
    pub(crate) fn whole_record(
        &mut self,
        head: usize,
        body: impl FnOnce(&[u8]) -> Option<usize>,
    ) -> Option<Range<usize>> {
        let avail = &self.buf[self.lo..self.hi];
        let n = body(avail.get(..head)?)?;
        if avail.len() - head < n {
            return None;
        }
        self.rec = self.lo;
        self.lo += head + n;
        self.consumed += (head + n) as u64;
        Some(head..head + n)
    }

    /// Consume and discard the next `n` bytes without buffering them.
    pub(crate) fn skip(&mut self, n: u64) -> Result<(), TakeError> {
        let buffered = ((self.hi - self.lo) as u64).min(n);
        self.lo += buffered as usize;
        self.consumed += buffered;
        let rest = n - buffered;
        let copied = io::copy(&mut self.input.by_ref().take(rest), &mut io::sink())
            .map_err(TakeError::Io)?;
        self.consumed += copied;
        if copied < rest {
            return Err(TakeError::Short(buffered + copied));
        }
        Ok(())
    }

    /// The bytes of a range returned by [`Source::take`] (since the last [`Source::begin_record`]).
    /// An invalid range gives an empty slice rather than a panic.
    pub(crate) fn bytes(&self, r: Range<usize>) -> &[u8] {
        self.buf[self.rec..self.lo].get(r).unwrap_or(&[])
    }

    /// Capacity of the record buffer; for tests.
    #[cfg(test)]
    pub(crate) fn buffer_len(&self) -> usize {
        self.buf.len()
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
        assert!(s.buffer_len() <= 2 * 10_000 + STREAM_BUFFER);
        // and it is reused, not regrown, for smaller records
        let mut s = stream(vec![1u8; 3 * STREAM_BUFFER]);
        s.begin_record();
        s.take(2 * STREAM_BUFFER).unwrap();
        let after_big = s.buffer_len();
        assert!(after_big >= 2 * STREAM_BUFFER);
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
