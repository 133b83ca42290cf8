//! Where the bytes come from: a stream (a file, stdin, a pipe, any `Read`,
//! a gzip decoder) read ahead on a thread of its own, in chunks.
//!
//! The reader asks for records piece by piece with [`Source::take`], which
//! returns a range; [`Source::bytes`] turns a range into a slice. A range is
//! a position relative to the start of the current record
//! ([`Source::begin_record`]).
//!
//! A read-ahead thread owns the input: it does the `read` calls (the kernel's
//! copy from the page cache) and, for a gzip input, the decompression, and
//! hands over chunks of up to [`CHUNK_DATA`] bytes through a short queue, so
//! the thread that parses never waits in a system call or in inflate while a
//! core is free. Records are served from the chunk in place. A chunk starts
//! with [`HEADROOM`] spare bytes: when a record runs past the end of one
//! chunk, its beginning is copied into the next chunk's headroom, just in
//! front of the new bytes, so the record is contiguous again at the cost of
//! copying only that record's first part. A record longer than the headroom
//! is assembled in a growing buffer instead, which grows only as the
//! record's bytes actually arrive, so a corrupt length field cannot make it
//! allocate more than about twice the data really present. Used chunks go
//! back to the thread to be filled again.

use std::io::{self, Cursor, Read};
use std::ops::Range;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

use flate2::read::MultiGzDecoder;

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
/// Size of a chunk buffer: its headroom and its data.
pub(crate) const STREAM_BUFFER: usize = 1 << 17;
/// Spare bytes in front of a chunk's data, for the part of a record carried over from
/// the chunk before.
pub(crate) const HEADROOM: usize = 1 << 14;
/// Chunks read ahead and waiting (besides the one being read and the one in use).
const READ_AHEAD: usize = 2;

/// Why a [`Source::take`] or [`Source::skip`] did not deliver.
#[derive(Debug)]
pub(crate) enum TakeError {
    /// End of input after this many of the requested bytes.
    Short(u64),
    /// The operating system or the decompressor reported an error.
    Io(io::Error),
}

/// A chunk: its buffer ([`STREAM_BUFFER`] bytes) and the end of its data, which starts
/// at [`HEADROOM`].
type Chunk = (Vec<u8>, usize);

/// Where the next chunk comes from.
enum Feed {
    /// Chunks are read by the reader itself until one comes back full: an input that
    /// fits in one chunk (short captures, test fixtures) or trickles in through a pipe
    /// never starts a thread.
    Here {
        input: Box<dyn Read + Send>,
        gzip: bool,
    },
    /// The read-ahead thread, started once a chunk came back full with more to come.
    Ahead {
        /// Filled chunks, then one error if reading failed; disconnected at the end.
        full: Receiver<io::Result<Chunk>>,
        /// Used chunks going back to be filled again.
        empty: SyncSender<Vec<u8>>,
    },
    /// Reading failed after the chunk already delivered: this error comes next.
    Failed(io::Error),
    /// The end of the input, or an error, has been delivered.
    Ended,
}

/// A sequential byte stream, read ahead in chunks, positioned at the next unread byte.
pub(crate) struct Source {
    /// Where the next chunk comes from.
    feed: Feed,
    /// A used chunk kept for the next read while the reader reads for itself.
    spare: Option<Vec<u8>>,
    /// The chunk (or assembled record) being read.
    buf: Vec<u8>,
    /// End of the valid bytes in `buf`.
    hi: usize,
    /// Where the current record starts in `buf`.
    rec: usize,
    /// Next unread byte in `buf`.
    lo: usize,
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
                feed: Feed::Here { input, gzip },
                spare: None,
                buf: Vec::new(),
                hi: 0,
                rec: 0,
                lo: 0,
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
        while self.hi - self.lo < n {
            match self.next_chunk() {
                Some(Ok(chunk)) => self.append(chunk),
                Some(Err(e)) => return Err(TakeError::Io(e)),
                None => {
                    let got = self.hi - self.lo;
                    self.lo = self.hi;
                    self.consumed += got as u64;
                    return Err(TakeError::Short(got as u64));
                }
            }
        }
        let r = (self.lo - self.rec)..(self.lo - self.rec + n);
        self.lo += n;
        self.consumed += n as u64;
        Ok(r)
    }

    /// The next filled chunk, an error, or `None` at the end of the input.
    fn next_chunk(&mut self) -> Option<io::Result<Chunk>> {
        match std::mem::replace(&mut self.feed, Feed::Ended) {
            Feed::Here { mut input, gzip } => {
                let mut c = self.spare.take().unwrap_or_else(|| vec![0; STREAM_BUFFER]);
                let (n, filled) = fill(&mut input, &mut c, gzip);
                match filled {
                    // a full chunk with more to come: a big input, read ahead from now on
                    Filled::More if n == STREAM_BUFFER => {
                        let (full_tx, full) = sync_channel(READ_AHEAD);
                        let (empty, empty_rx) = sync_channel(READ_AHEAD + 2);
                        let started = std::thread::Builder::new()
                            .name("read-ahead".into())
                            .spawn(move || read_ahead(input, gzip, &full_tx, &empty_rx));
                        self.feed = match started {
                            Ok(_) => Feed::Ahead { full, empty },
                            Err(e) => Feed::Failed(e),
                        };
                    }
                    // a pipe's short read: stay here
                    Filled::More => self.feed = Feed::Here { input, gzip },
                    Filled::End => {}
                    Filled::Failed(e) if n == HEADROOM => return Some(Err(e)),
                    Filled::Failed(e) => self.feed = Feed::Failed(e),
                }
                (n > HEADROOM).then_some(Ok((c, n)))
            }
            Feed::Ahead { full, empty } => match full.recv() {
                Ok(Ok(c)) => {
                    self.feed = Feed::Ahead { full, empty };
                    Some(Ok(c))
                }
                Ok(Err(e)) => Some(Err(e)),
                Err(_) => None,
            },
            Feed::Failed(e) => Some(Err(e)),
            Feed::Ended => None,
        }
    }

    /// Keeps a used chunk for the next read (the read-ahead thread's, once it runs).
    fn recycle(&mut self, c: Vec<u8>) {
        if c.len() != STREAM_BUFFER {
            return;
        }
        match &self.feed {
            Feed::Ahead { empty, .. } => {
                let _ = empty.try_send(c);
            }
            _ => self.spare = Some(c),
        }
    }

    /// Continue the stream with `chunk` (valid up to `end`), keeping the current
    /// record's bytes (`rec..hi`) contiguous with the new ones.
    fn append(&mut self, (mut chunk, end): (Vec<u8>, usize)) {
        let carry = self.hi - self.rec;
        if carry <= HEADROOM {
            // the record's beginning goes just in front of the new data
            let at = HEADROOM - carry;
            chunk[at..HEADROOM].copy_from_slice(&self.buf[self.rec..self.hi]);
            self.lo = at + (self.lo - self.rec);
            self.rec = at;
            self.hi = end;
            let old = std::mem::replace(&mut self.buf, chunk);
            self.recycle(old);
        } else {
            // a long record: assemble it in a buffer of its own, which grows as its
            // bytes arrive
            let mut whole = if self.buf.len() == STREAM_BUFFER {
                Vec::with_capacity(carry + (end - HEADROOM))
            } else {
                std::mem::take(&mut self.buf)
            };
            if whole.is_empty() {
                whole.extend_from_slice(&self.buf[self.rec..self.hi]);
            } else {
                whole.copy_within(self.rec..self.hi, 0);
                whole.truncate(carry);
            }
            whole.extend_from_slice(&chunk[HEADROOM..end]);
            let old = std::mem::replace(&mut self.buf, whole);
            self.recycle(old);
            self.recycle(chunk);
            self.lo -= self.rec;
            self.rec = 0;
            self.hi = self.buf.len();
        }
    }

    /// Consume and discard the next `n` bytes without keeping them (ranges taken before
    /// become invalid).
    pub(crate) fn skip(&mut self, n: u64) -> Result<(), TakeError> {
        let mut rest = n;
        loop {
            let k = ((self.hi - self.lo) as u64).min(rest);
            self.lo += k as usize;
            self.consumed += k;
            rest -= k;
            if rest == 0 {
                return Ok(());
            }
            // all buffered bytes skipped: nothing before them is needed
            self.rec = self.lo;
            match self.next_chunk() {
                Some(Ok(chunk)) => self.append(chunk),
                Some(Err(e)) => return Err(TakeError::Io(e)),
                None => return Err(TakeError::Short(n - rest)),
            }
        }
    }

    /// A whole record of `head` header bytes and the body length `body(header)` gives,
    /// if it is all buffered: consumes it and returns its body's range (for
    /// [`Source::bytes`]); `None` (nothing consumed) otherwise, and the caller takes the
    /// general path, which reads more or reports the error.
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

    /// The bytes of a range returned by [`Source::take`] (since the last [`Source::begin_record`]).
    /// An invalid range gives an empty slice rather than a panic.
    pub(crate) fn bytes(&self, r: Range<usize>) -> &[u8] {
        self.buf[self.rec..self.lo].get(r).unwrap_or(&[])
    }

    /// Size of the buffer holding the current record; for tests.
    #[cfg(test)]
    pub(crate) fn buffer_len(&self) -> usize {
        self.buf.len()
    }
}

/// How filling a chunk ended.
enum Filled {
    /// The chunk is full, or a plain stream's read came up short: there may be more.
    More,
    /// The input ended.
    End,
    /// Reading failed (after the bytes filled).
    Failed(io::Error),
}

/// Fills `c` from [`HEADROOM`] on and returns the end of the data and how it ended. A
/// chunk is filled until full, except that a short read of a plain stream (a pipe with
/// nothing more for now) ends it, so the reader never waits for a chunk to fill while
/// there are bytes to read; a file fills it, and a gzip decoder keeps going until it
/// does.
fn fill(input: &mut dyn Read, c: &mut [u8], gzip: bool) -> (usize, Filled) {
    let mut n = HEADROOM;
    while n < c.len() {
        match input.read(&mut c[n..]) {
            Ok(0) => return (n, Filled::End),
            Ok(k) => {
                n += k;
                if !gzip && n < c.len() {
                    return (n, Filled::More);
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return (n, Filled::Failed(e)),
        }
    }
    (n, Filled::More)
}

/// The read-ahead thread: fills chunks and queues them, then an error if reading
/// failed; stops at the end of the input, after an error, or when the reader is gone.
fn read_ahead(
    mut input: Box<dyn Read + Send>,
    gzip: bool,
    full: &SyncSender<io::Result<Chunk>>,
    empty: &Receiver<Vec<u8>>,
) {
    loop {
        let mut c = empty.try_recv().unwrap_or_else(|_| vec![0; STREAM_BUFFER]);
        let (n, filled) = fill(&mut input, &mut c, gzip);
        if n > HEADROOM && full.send(Ok((c, n))).is_err() {
            return;
        }
        match filled {
            Filled::More => {}
            Filled::End => return,
            Filled::Failed(e) => {
                let _ = full.send(Err(e));
                return;
            }
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
