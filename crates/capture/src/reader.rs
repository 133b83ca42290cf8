//! [`CaptureReader`]: opens a capture (file, stdin or any `Read`, optionally
//! gzip-compressed), detects pcap / pcapng, and yields [`Frame`]s one at a
//! time, borrowed from the stream's current chunk.

use std::io::{self, Read};
use std::ops::Range;
use std::path::Path;

use crate::endian::Endian;
use crate::error::{CaptureError, ErrorKind};
use crate::format::FileFormat;
use crate::pcap::{self, PcapHeader};
use crate::pcapng::{self, Section};
use crate::source::{Opened, Source, TakeError};
use crate::stats::ReadStats;
use crate::Frame;

/// Name used for standard input in messages.
const STDIN_NAME: &str = "<stdin>";

/// Reads frames from one capture file or stream.
///
/// Use [`CaptureReader::next_frame`] in a `while let` loop; each frame borrows
/// the reader until the next call. After the first error, or the end of the
/// input, `next_frame` keeps returning `Ok(None)`.
pub struct CaptureReader {
    name: String,
    source: Source,
    gzip: bool,
    format: FileFormat,
    kind: Kind,
    offset: u64,
    stats: ReadStats,
    done: bool,
}

/// Per-format state.
enum Kind {
    Pcap(PcapHeader),
    PcapNg(Section),
}

/// A frame located in the source, before it is borrowed out.
struct Found {
    ts_ns: i64,
    linktype: u32,
    interface: u32,
    wire_len: u32,
    data: Range<usize>,
}

impl Found {
    /// A pcapng packet block's frame, its block starting at `block_start` in the record;
    /// interfaces numbered across sections.
    #[inline]
    fn in_block(p: &pcapng::Packet, sec: &Section, block_start: usize) -> Found {
        let start = block_start + p.data_start;
        Found {
            ts_ns: p.ts_ns,
            linktype: p.linktype,
            interface: sec.first_index.saturating_add(p.interface),
            wire_len: p.wire_len,
            data: start..start + p.caplen as usize,
        }
    }
}

impl CaptureReader {
    /// Open a capture file; `-` means standard input. Files, gzip files
    /// (detected by magic), pipes and devices are all streamed.
    ///
    /// The file is read with `read(2)` calls into reused 128 KiB chunks that
    /// frames borrow from; once a chunk comes back full, a read-ahead thread
    /// does the reading (and any gzip decompression) while frames are parsed.
    /// A memory map was measured slower on a 3.4 GB, 5 M-packet capture already
    /// in the page cache (7 M frames/s against 18 M: its page faults cost more
    /// than the copy), and it turns a file truncated under us into SIGBUS.
    pub fn open(path: &Path) -> Result<CaptureReader, CaptureError> {
        if path.as_os_str() == "-" {
            return CaptureReader::from_read(STDIN_NAME, Box::new(io::stdin()));
        }
        let name = path.display().to_string();
        let file =
            std::fs::File::open(path).map_err(|e| CaptureError::new(&name, 0, ErrorKind::Io(e)))?;
        CaptureReader::from_read(&name, Box::new(file))
    }

    /// Read a capture from any byte stream (decompressing gzip if it starts
    /// with the gzip magic); `name` is used in error messages.
    pub fn from_read(name: &str, r: Box<dyn Read + Send>) -> Result<CaptureReader, CaptureError> {
        let opened =
            Source::from_read(r).map_err(|e| CaptureError::new(name, 0, ErrorKind::Io(e)))?;
        CaptureReader::start(name.to_string(), opened)
    }

    /// The name given at opening (the path as displayed, or `<stdin>`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The capture format detected from the magic number.
    pub fn format(&self) -> FileFormat {
        self.format
    }

    /// True if the capture is being decompressed from gzip.
    pub fn is_gzip(&self) -> bool {
        self.gzip
    }

    /// Byte offset, in the (decompressed) file, of the next record to read;
    /// after an error, the offset of the bad record.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Counters so far: frames, bytes, sections, interfaces, skipped blocks.
    pub fn stats(&self) -> &ReadStats {
        &self.stats
    }

    /// The next frame, `Ok(None)` at the end of the capture, or an error
    /// naming the offset of the bad or incomplete record.
    #[inline]
    pub fn next_frame(&mut self) -> Result<Option<Frame<'_>>, CaptureError> {
        // Classic pcap records and pcapng Enhanced Packet Blocks that are wholly
        // buffered take a short path (no error plumbing); anything else (a record to
        // read in, a bad header, other blocks, the end) takes the general one, which
        // produces the same frames and reports the errors.
        match (&self.kind, self.done) {
            (&Kind::Pcap(h), false) => {
                if let Some(f) = self.buffered_pcap(h) {
                    return Ok(Some(self.deliver(f)));
                }
            }
            (Kind::PcapNg(_), false) => match self.buffered_epb() {
                Some(Ok(f)) => return Ok(Some(self.deliver(f))),
                Some(Err(e)) => {
                    self.done = true;
                    return Err(e);
                }
                None => {}
            },
            _ => {}
        }
        self.next_frame_general()
    }

    /// [`CaptureReader::next_frame`] for any record, reading more input as needed.
    fn next_frame_general(&mut self) -> Result<Option<Frame<'_>>, CaptureError> {
        if self.done {
            return Ok(None);
        }
        let found = match self.kind {
            Kind::Pcap(h) => self.next_pcap(h),
            Kind::PcapNg(_) => self.next_pcapng(),
        };
        match found {
            Ok(Some(f)) => Ok(Some(self.deliver(f))),
            Ok(None) => {
                self.done = true;
                Ok(None)
            }
            Err(e) => {
                self.done = true;
                Err(e)
            }
        }
    }

    /// The next classic pcap record if it is wholly in the buffer and its header is
    /// valid; `None` (nothing consumed) otherwise.
    #[inline]
    fn buffered_pcap(&mut self, h: PcapHeader) -> Option<Found> {
        let mut rec = None;
        let data = self.source.whole_record(h.record_header_len(), |b| {
            let r = h.parse_record(b).ok()?;
            rec = Some(r);
            Some(r.caplen as usize)
        })?;
        let r = rec?;
        Some(Found {
            ts_ns: r.ts_ns,
            linktype: h.linktype,
            interface: 0,
            wire_len: r.wire_len,
            data,
        })
    }

    /// The next pcapng block if it is an Enhanced Packet Block wholly in the buffer with
    /// a valid length: its frame, or the error in it (it is consumed either way, as the
    /// general path would); `None` (nothing consumed) otherwise.
    #[inline]
    fn buffered_epb(&mut self) -> Option<Result<Found, CaptureError>> {
        let Kind::PcapNg(sec) = &mut self.kind else {
            return None;
        };
        let endian = sec.endian;
        let off = self.source.consumed();
        let body = self.source.whole_record(8, |h| {
            let len = endian.u32(h, 4);
            (endian.u32(h, 0) == pcapng::EPB && pcapng::check_block_len(pcapng::EPB, len).is_ok())
                .then(|| len as usize - 8)
        })?;
        let block = self.source.bytes(0..body.end);
        let parsed = pcapng::check_trailer(endian, block)
            .and_then(|()| pcapng::parse_packet(pcapng::EPB, block, sec));
        Some(match parsed {
            Ok(p) => Ok(Found::in_block(&p, sec, 0)),
            Err(k) => {
                self.offset = off;
                Err(CaptureError::new(&self.name, off, k))
            }
        })
    }

    /// Counts a frame just consumed and lends it out.
    #[inline]
    fn deliver(&mut self, f: Found) -> Frame<'_> {
        self.offset = self.source.consumed();
        let data = self.source.bytes(f.data);
        let s = &mut self.stats;
        s.frames += 1;
        s.captured_bytes += data.len() as u64;
        s.wire_bytes += u64::from(f.wire_len);
        if (data.len() as u64) < u64::from(f.wire_len) {
            s.snapped_frames += 1;
        }
        Frame {
            ts_ns: f.ts_ns,
            linktype: f.linktype,
            interface: f.interface,
            wire_len: f.wire_len,
            data,
        }
    }

    /// Read the file header (or first section header) and set up the reader.
    fn start(name: String, opened: Opened) -> Result<CaptureReader, CaptureError> {
        let mut r = CaptureReader {
            name,
            source: opened.source,
            gzip: opened.gzip,
            format: FileFormat::Pcap,
            kind: Kind::PcapNg(Section {
                endian: Endian::Little,
                interfaces: Vec::new(),
                first_index: 0,
            }),
            offset: 0,
            stats: ReadStats::default(),
            done: false,
        };
        r.source.begin_record();
        let first = match r.source.take(4) {
            Ok(range) => range,
            Err(TakeError::Short(0)) => return Err(r.error(0, ErrorKind::Empty)),
            Err(e) => return Err(r.take_error(e, 0, "file header", 4)),
        };
        let first4: [u8; 4] = r.source.bytes(first.clone()).try_into().unwrap_or([0; 4]);
        if pcap::magic(first4).is_some() {
            let rest = r
                .source
                .take(pcap::FILE_HEADER_LEN - 4)
                .map_err(|e| r.take_error(e, 0, "pcap file header", 24))?;
            let header = PcapHeader::parse(r.source.bytes(first.start..rest.end))
                .map_err(|k| r.error(0, k))?;
            r.format = header.format;
            r.kind = Kind::Pcap(header);
        } else if u32::from_be_bytes(first4) == pcapng::SHB {
            // length and byte-order magic
            r.source
                .take(8)
                .map_err(|e| r.take_error(e, 0, "pcapng section header block", 28))?;
            r.format = FileFormat::PcapNg;
            r.read_shb(first.start, 0)?;
        } else {
            return Err(r.error(0, ErrorKind::UnknownMagic(u32::from_be_bytes(first4))));
        }
        r.offset = r.source.consumed();
        Ok(r)
    }

    /// One classic pcap record.
    fn next_pcap(&mut self, h: PcapHeader) -> Result<Option<Found>, CaptureError> {
        let off = self.source.consumed();
        self.offset = off;
        self.source.begin_record();
        let hlen = h.record_header_len();
        let hr = match self.source.take(hlen) {
            Ok(r) => r,
            Err(TakeError::Short(0)) => return Ok(None),
            Err(e) => return Err(self.take_error(e, off, "pcap record header", hlen as u64)),
        };
        let rec = h
            .parse_record(self.source.bytes(hr))
            .map_err(|k| self.error(off, k))?;
        let needed = hlen as u64 + u64::from(rec.caplen);
        let data = self
            .source
            .take(rec.caplen as usize)
            .map_err(|e| self.take_error(e, off, "pcap record", needed))?;
        Ok(Some(Found {
            ts_ns: rec.ts_ns,
            linktype: h.linktype,
            interface: 0,
            wire_len: rec.wire_len,
            data,
        }))
    }

    /// pcapng blocks up to and including the next packet block.
    fn next_pcapng(&mut self) -> Result<Option<Found>, CaptureError> {
        loop {
            let off = self.source.consumed();
            self.offset = off;
            self.source.begin_record();
            let hr = match self.source.take(8) {
                Ok(r) => r,
                Err(TakeError::Short(0)) => return Ok(None),
                Err(e) => return Err(self.take_error(e, off, "pcapng block header", 8)),
            };
            let endian = self.section().endian;
            let head = self.source.bytes(hr.clone());
            let block_type = endian.u32(head, 0);
            if block_type == pcapng::SHB {
                self.source
                    .take(4)
                    .map_err(|e| self.take_error(e, off, "pcapng section header block", 28))?;
                self.read_shb(hr.start, off)?;
                continue;
            }
            let len = endian.u32(head, 4);
            pcapng::check_block_len(block_type, len).map_err(|k| self.error(off, k))?;
            if !matches!(
                block_type,
                pcapng::IDB | pcapng::EPB | pcapng::SPB | pcapng::PB
            ) {
                self.skip_block(block_type, len, off)?;
                continue;
            }
            let body = self
                .source
                .take(len as usize - 8)
                .map_err(|e| self.take_error(e, off, "pcapng block", u64::from(len)))?;
            let Kind::PcapNg(sec) = &mut self.kind else {
                return Ok(None);
            };
            let block = self.source.bytes(hr.start..body.end);
            let parsed = pcapng::check_trailer(endian, block).and_then(|()| {
                if block_type == pcapng::IDB {
                    sec.interfaces.push(pcapng::parse_idb(endian, block)?);
                    Ok(None)
                } else {
                    pcapng::parse_packet(block_type, block, sec).map(Some)
                }
            });
            match parsed {
                Ok(None) => self.stats.interfaces += 1,
                Ok(Some(p)) => return Ok(Some(Found::in_block(&p, sec, hr.start))),
                Err(k) => return Err(self.error(off, k)),
            }
        }
    }

    /// Finish reading a Section Header Block whose first 12 bytes (type,
    /// length, byte-order magic) start at `start` in the record, and begin a
    /// new section.
    fn read_shb(&mut self, start: usize, off: u64) -> Result<(), CaptureError> {
        let head: [u8; 12] = self
            .source
            .bytes(start..start + 12)
            .try_into()
            .unwrap_or([0; 12]);
        let endian = pcapng::section_endian([head[8], head[9], head[10], head[11]])
            .map_err(|k| self.error(off, k))?;
        let len = endian.u32(&head, 4);
        pcapng::check_block_len(pcapng::SHB, len).map_err(|k| self.error(off, k))?;
        let rest = self
            .source
            .take(len as usize - 12)
            .map_err(|e| self.take_error(e, off, "pcapng section header block", u64::from(len)))?;
        let block = self.source.bytes(start..rest.end);
        pcapng::check_trailer(endian, block)
            .and_then(|()| pcapng::check_shb_version(endian, block))
            .map_err(|k| self.error(off, k))?;
        if let Kind::PcapNg(sec) = &mut self.kind {
            let defined = u32::try_from(sec.interfaces.len()).unwrap_or(u32::MAX);
            sec.first_index = sec.first_index.saturating_add(defined);
            sec.interfaces.clear();
            sec.endian = endian;
        }
        self.stats.sections += 1;
        Ok(())
    }

    /// Skip a block that carries no frames, checking its trailing length.
    fn skip_block(&mut self, block_type: u32, len: u32, off: u64) -> Result<(), CaptureError> {
        let what = "pcapng block";
        self.source
            .skip(u64::from(len) - 12)
            .map_err(|e| self.take_error(e, off, what, u64::from(len)))?;
        let tr = self
            .source
            .take(4)
            .map_err(|e| self.take_error(e, off, what, u64::from(len)))?;
        let endian = self.section().endian;
        let trailing = endian.u32(self.source.bytes(tr), 0);
        if trailing != len {
            return Err(self.error(
                off,
                ErrorKind::BlockLengthMismatch {
                    block_type,
                    leading: len,
                    trailing,
                },
            ));
        }
        self.stats.skipped.count(block_type);
        Ok(())
    }

    /// The current pcapng section (a default one for classic pcap, never used).
    fn section(&self) -> &Section {
        const NONE: &Section = &Section {
            endian: Endian::Little,
            interfaces: Vec::new(),
            first_index: 0,
        };
        match &self.kind {
            Kind::PcapNg(s) => s,
            Kind::Pcap(_) => NONE,
        }
    }

    fn error(&self, offset: u64, kind: ErrorKind) -> CaptureError {
        CaptureError::new(&self.name, offset, kind)
    }

    /// Turn a failed take/skip of a record starting at `off` into an error.
    fn take_error(&self, e: TakeError, off: u64, what: &'static str, needed: u64) -> CaptureError {
        match e {
            TakeError::Io(io) if self.gzip => self.error(off, ErrorKind::Gzip(io)),
            TakeError::Io(io) => self.error(off, ErrorKind::Io(io)),
            TakeError::Short(_) => self.error(
                off,
                ErrorKind::Truncated {
                    what,
                    needed,
                    available: self.source.consumed().saturating_sub(off),
                },
            ),
        }
    }
}

#[cfg(test)]
#[path = "reader_tests.rs"]
mod tests;
