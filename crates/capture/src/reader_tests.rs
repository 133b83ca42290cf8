//! Unit tests for `CaptureReader` over hand-built files, each read through
//! every kind of source (memory map, plain stream, one-byte-at-a-time stream,
//! gzip stream, gzip file), which must all agree.

use super::*;
use crate::stats::SkippedBlocks;
use crate::test_files::{NgFile, PcapFile};
use crate::{linktype, MAX_CAPLEN};
use std::io::{self, Cursor, Read, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

/// An owned copy of a frame.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Owned {
    ts_ns: i64,
    linktype: u32,
    interface: u32,
    wire_len: u32,
    data: Vec<u8>,
}

fn owned(ts_ns: i64, linktype: u32, interface: u32, wire_len: u32, data: &[u8]) -> Owned {
    Owned {
        ts_ns,
        linktype,
        interface,
        wire_len,
        data: data.to_vec(),
    }
}

/// Everything observable about reading one input to its end.
#[derive(Debug, PartialEq)]
struct Outcome {
    /// `Err((offset, message))` if opening failed.
    format: Result<FileFormat, (u64, String)>,
    frames: Vec<Owned>,
    /// Offset and message (without the file name) of the error that ended reading.
    error: Option<(u64, String)>,
    stats: ReadStats,
    /// `offset()` after reading stopped.
    final_offset: u64,
}

fn kind_text(e: &CaptureError) -> String {
    e.kind.to_string()
}

fn drain(opened: Result<CaptureReader, CaptureError>) -> Outcome {
    let mut r = match opened {
        Ok(r) => r,
        Err(e) => {
            return Outcome {
                format: Err((e.offset, kind_text(&e))),
                frames: Vec::new(),
                error: None,
                stats: ReadStats::default(),
                final_offset: 0,
            }
        }
    };
    let mut frames = Vec::new();
    let error = loop {
        match r.next_frame() {
            Ok(Some(f)) => frames.push(owned(f.ts_ns, f.linktype, f.interface, f.wire_len, f.data)),
            Ok(None) => break None,
            Err(e) => {
                assert_eq!(
                    e.offset,
                    r.offset(),
                    "offset() must point at the bad record"
                );
                break Some((e.offset, kind_text(&e)));
            }
        }
    };
    // Fused: after the end or an error, more calls give Ok(None).
    assert!(matches!(r.next_frame(), Ok(None)));
    assert!(matches!(r.next_frame(), Ok(None)));
    Outcome {
        format: Ok(r.format()),
        frames,
        error,
        stats: r.stats().clone(),
        final_offset: r.offset(),
    }
}

/// A reader that hands out one byte per call.
struct Trickle(Cursor<Vec<u8>>);
impl Read for Trickle {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = out.len().min(1);
        self.0.read(&mut out[..n])
    }
}

/// A reader whose reads return 1, 2, ... 4093 bytes in turn (a pipe's short reads).
struct Choppy(Cursor<Vec<u8>>, usize);
impl Read for Choppy {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        self.1 = self.1 % 4093 + 1;
        let n = out.len().min(self.1);
        self.0.read(&mut out[..n])
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

fn temp_path(tag: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!(
        "trombone-capture-unit-{}-{n}-{tag}",
        std::process::id()
    ))
}

fn via_file(bytes: &[u8], tag: &str) -> Outcome {
    let p = temp_path(tag);
    std::fs::write(&p, bytes).unwrap();
    let out = drain(CaptureReader::open(&p));
    std::fs::remove_file(&p).unwrap();
    out
}

/// Read `bytes` through every source kind; assert they agree; return the outcome.
fn read_everywhere(bytes: &[u8]) -> Outcome {
    let mapped = via_file(bytes, "plain");
    let streamed = drain(CaptureReader::from_read(
        "cursor",
        Box::new(Cursor::new(bytes.to_vec())),
    ));
    let trickled = drain(CaptureReader::from_read(
        "trickle",
        Box::new(Trickle(Cursor::new(bytes.to_vec()))),
    ));
    let gz = gzip(bytes);
    let gz_streamed = drain(CaptureReader::from_read(
        "gz",
        Box::new(Cursor::new(gz.clone())),
    ));
    let gz_file = via_file(&gz, "gz");
    assert_eq!(streamed, mapped, "stream vs map");
    assert_eq!(trickled, mapped, "one-byte stream vs map");
    if !bytes.is_empty() {
        assert_eq!(gz_streamed, mapped, "gzip stream vs map");
        assert_eq!(gz_file, mapped, "gzip file vs map");
    }
    mapped
}

fn i64b(e: Endian, v: i64) -> [u8; 8] {
    match e {
        Endian::Little => v.to_le_bytes(),
        Endian::Big => v.to_be_bytes(),
    }
}

const LE: Endian = Endian::Little;
const BE: Endian = Endian::Big;

// ---------------------------------------------------------------- classic pcap

fn two_record_pcap(e: Endian, magic: u32) -> PcapFile {
    PcapFile::new(e, magic, 1)
        .record(1_600_000_000, 250_000, &[1, 2, 3, 4, 5, 6], 60)
        .record(1_600_000_001, 999_999, &[0xaa; 14], 14)
}

#[test]
fn pcap_micro_both_byte_orders() {
    for e in [LE, BE] {
        let f = two_record_pcap(e, 0xa1b2_c3d4);
        let out = read_everywhere(&f.bytes);
        assert_eq!(out.format, Ok(FileFormat::Pcap));
        assert_eq!(out.error, None);
        assert_eq!(
            out.frames,
            vec![
                owned(1_600_000_000_250_000_000, 1, 0, 60, &[1, 2, 3, 4, 5, 6]),
                owned(1_600_000_001_999_999_000, 1, 0, 14, &[0xaa; 14]),
            ]
        );
        assert_eq!(out.stats.frames, 2);
        assert_eq!(out.stats.captured_bytes, 20);
        assert_eq!(out.stats.wire_bytes, 74);
        assert_eq!(out.stats.snapped_frames, 1);
        assert_eq!(out.stats.sections, 0);
        // 24 + (16 + 6) + (16 + 14)
        assert_eq!(out.final_offset, 76);
        assert_eq!(f.bytes.len(), 76);
    }
}

/// A classic pcap of several stream buffers: records wholly in a chunk take the
/// reader's short path, the ones across chunks the general one (a file's chunks are
/// full; a pipe's short reads make small ones), and records longer than a chunk's
/// headroom are assembled apart; all sources agree frame by frame, and a corrupt record
/// header past the first refill is reported at its own offset with every earlier frame
/// kept.
#[test]
fn pcap_across_buffer_refills_short_and_general_paths_agree() {
    let mut f = PcapFile::new(LE, 0xa1b2_c3d4, 1);
    let mut expected_offset = 24u64;
    let mut n = 0u32;
    // record sizes 16 + (1..=1500) cycle, so refills split headers and bodies at
    // every kind of position; every 40th is longer than a chunk's headroom (assembled
    // in a buffer of its own)
    let rec_len = |n: u32| {
        if n % 40 == 39 {
            crate::source::HEADROOM as u32 + 5_000 + n
        } else {
            (n * 389) % 1500 + 1
        }
    };
    while f.bytes.len() < 3 * crate::source::STREAM_BUFFER {
        let len = rec_len(n);
        let data: Vec<u8> = (0..len).map(|i| (i + n) as u8).collect();
        f = f.record(n, 7, &data, len + 4);
        expected_offset += 16 + u64::from(len);
        n += 1;
    }
    let good = n;
    // then a header claiming more than MAX_CAPLEN
    f.record_caplen(n, 0, &[], MAX_CAPLEN + 1, 64);
    // (one-byte reads would make three million chunks: reads of varying sizes instead)
    let out = via_file(&f.bytes, "refills");
    let choppy = drain(CaptureReader::from_read(
        "choppy",
        Box::new(Choppy(Cursor::new(f.bytes.clone()), 0)),
    ));
    let gz = drain(CaptureReader::from_read(
        "gz",
        Box::new(Cursor::new(gzip(&f.bytes))),
    ));
    assert_eq!(choppy, out, "reads of 1 to 4093 bytes vs file");
    assert_eq!(gz, out, "gzip stream vs file");
    assert_eq!(out.frames.len() as u32, good);
    for (i, fr) in out.frames.iter().enumerate() {
        let len = rec_len(i as u32);
        assert_eq!(
            fr.ts_ns,
            i64::from(i as u32) * 1_000_000_000 + 7_000,
            "frame {i}"
        );
        assert_eq!(fr.wire_len, len + 4);
        assert_eq!(fr.data.len() as u32, len);
        assert_eq!(fr.data[0], i as u8);
    }
    assert_eq!(out.error.as_ref().map(|e| e.0), Some(expected_offset));
    assert_eq!(out.stats.frames, u64::from(good));
}

/// Hands out `data` then fails with an I/O error instead of reporting its end.
struct FailsAfter(Cursor<Vec<u8>>);
impl Read for FailsAfter {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        match self.0.read(out)? {
            0 => Err(io::Error::other("disk gone")),
            n => Ok(n),
        }
    }
}

/// An input that fails after several chunks (so the error comes from the read-ahead
/// thread) or within the first (read by the reader itself): every whole record before
/// the failure is delivered, then the I/O error at the offset of the record it cut.
#[test]
fn read_error_after_chunks_keeps_earlier_frames() {
    for records in [40_000u32, 10] {
        let mut f = PcapFile::new(LE, 0xa1b2_c3d4, 1);
        for n in 0..records {
            f = f.record(n, 0, &[n as u8; 60], 60);
        }
        let whole = f.bytes.len();
        // cut the last record in half
        let cut = whole - 30;
        let out = drain(CaptureReader::from_read(
            "failing",
            Box::new(FailsAfter(Cursor::new(f.bytes[..cut].to_vec()))),
        ));
        assert_eq!(out.frames.len() as u32, records - 1, "{records} records");
        assert_eq!(
            out.frames.last().map(|f| f.ts_ns),
            Some(i64::from(records - 2) * 1_000_000_000)
        );
        let (offset, msg) = out.error.expect("an error");
        assert_eq!(offset, (whole - 76) as u64);
        assert!(msg.contains("disk gone"), "{msg}");
    }
}

#[test]
fn pcap_nanosecond_both_byte_orders() {
    for e in [LE, BE] {
        let f = two_record_pcap(e, 0xa1b2_3c4d);
        let out = read_everywhere(&f.bytes);
        assert_eq!(out.format, Ok(FileFormat::PcapNs));
        assert_eq!(out.frames[0].ts_ns, 1_600_000_000_000_250_000);
        assert_eq!(out.frames[1].ts_ns, 1_600_000_001_000_999_999);
    }
}

#[test]
fn pcap_literal_big_endian_bytes() {
    #[rustfmt::skip]
    let bytes = [
        0xa1, 0xb2, 0xc3, 0xd4, 0, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 96, 0, 0, 0, 101,
        0, 0, 0, 10, 0, 0, 0, 20, 0, 0, 0, 2, 0, 0, 0, 40, 0x45, 0x00,
    ];
    let out = read_everywhere(&bytes);
    assert_eq!(out.error, None);
    assert_eq!(
        out.frames,
        vec![owned(10_000_020_000, linktype::RAW, 0, 40, &[0x45, 0])]
    );
}

#[test]
fn modified_pcap() {
    let f = PcapFile::new(LE, 0xa1b2_cd34, 1)
        .record(5, 6, &[9; 10], 10)
        .record(7, 8, &[8; 3], 3);
    assert_eq!(f.bytes.len(), 24 + 24 + 10 + 24 + 3);
    let out = read_everywhere(&f.bytes);
    assert_eq!(out.format, Ok(FileFormat::PcapModified));
    assert_eq!(out.error, None);
    assert_eq!(
        out.frames,
        vec![
            owned(5_000_006_000, 1, 0, 10, &[9; 10]),
            owned(7_000_008_000, 1, 0, 3, &[8; 3])
        ]
    );
}

#[test]
fn pcap_linktype_fcs_bits_masked() {
    // FCS length 4 in the top nibble, P bit set, LINKTYPE_ETHERNET
    let f = PcapFile::new(BE, 0xa1b2_c3d4, 0x4400_0001).record(0, 0, &[0; 4], 4);
    let out = read_everywhere(&f.bytes);
    assert_eq!(out.frames[0].linktype, linktype::ETHERNET);
}

#[test]
fn pcap_empty_after_header_is_clean() {
    let f = PcapFile::new(LE, 0xa1b2_c3d4, 1);
    let out = read_everywhere(&f.bytes);
    assert_eq!(out.error, None);
    assert!(out.frames.is_empty());
    assert_eq!(out.final_offset, 24);
}

#[test]
fn pcap_truncated_at_every_byte() {
    let f = two_record_pcap(BE, 0xa1b2_c3d4);
    let full = read_everywhere(&f.bytes).frames;
    // record boundaries: 24, 46, 76
    assert_eq!(f.boundaries, vec![24, 46, 76]);
    for cut in 0..f.bytes.len() {
        let out = read_everywhere(&f.bytes[..cut]);
        if cut == 0 {
            assert_eq!(
                out.format,
                Err((0, "file is empty, no capture header".into()))
            );
            continue;
        }
        if cut < 24 {
            let (off, msg) = out.format.unwrap_err();
            assert_eq!(off, 0);
            assert!(msg.contains("file ends inside"), "cut {cut}: {msg}");
            continue;
        }
        // frames = records wholly inside the cut; error at the record the cut falls in
        let whole = f.boundaries[1..].iter().filter(|&&b| b <= cut).count();
        assert_eq!(out.frames, full[..whole], "cut {cut}");
        if f.boundaries.contains(&cut) {
            assert_eq!(out.error, None, "cut {cut} is on a boundary");
        } else {
            let start = f.boundaries[whole];
            let (off, msg) = out.error.expect("truncation must be an error");
            assert_eq!(off, start as u64, "cut {cut}");
            assert!(msg.starts_with("file ends inside a pcap record"), "{msg}");
            assert!(msg.contains(&format!("{} left", cut - start)), "{msg}");
        }
    }
}

#[test]
fn pcap_caplen_over_limit_stops_with_error() {
    let mut f = PcapFile::new(LE, 0xa1b2_c3d4, 1).record(1, 0, &[1, 2], 2);
    // claims 300 000 bytes but carries 4: the bound triggers before reading
    f.record_caplen(2, 0, &[0; 4], 300_000, 300_000);
    let out = read_everywhere(&f.bytes);
    assert_eq!(out.frames.len(), 1);
    assert_eq!(
        out.error,
        Some((
            42,
            "captured length 300000 exceeds the 262144-byte limit (corrupt record?)".into()
        ))
    );
}

#[test]
fn pcap_caplen_at_limit_accepted() {
    let big = vec![0x5a; MAX_CAPLEN as usize];
    let f = PcapFile::new(LE, 0xa1b2_c3d4, 1).record(1, 0, &big, MAX_CAPLEN);
    let out = read_everywhere(&f.bytes);
    assert_eq!(out.error, None);
    assert_eq!(out.frames[0].data.len(), MAX_CAPLEN as usize);
}

#[test]
fn pcap_bad_version() {
    let mut f = PcapFile::new(LE, 0xa1b2_c3d4, 1);
    f.bytes[4] = 3;
    let out = read_everywhere(&f.bytes);
    assert_eq!(out.format, Err((0, "unsupported pcap version 3.4".into())));
}

#[test]
fn unknown_magic() {
    let out = read_everywhere(b"Licensed under the Apache License");
    assert_eq!(
        out.format,
        Err((
            0,
            "not a pcap, pcapng or gzip file (first four bytes 4c696365)".into()
        ))
    );
}

#[test]
fn error_display_has_file_and_offset() {
    let f = two_record_pcap(LE, 0xa1b2_c3d4);
    let mut r = CaptureReader::from_read("cut.pcap", Box::new(Cursor::new(f.bytes[..66].to_vec())))
        .unwrap();
    assert_eq!(r.name(), "cut.pcap");
    assert!(r.next_frame().unwrap().is_some());
    let e = r.next_frame().unwrap_err();
    assert_eq!(
        e.to_string(),
        "cut.pcap: byte 46: file ends inside a pcap record (30 bytes needed, 20 left)"
    );
    assert!(e.is_truncation());
}

// ---------------------------------------------------------------- pcapng

/// SHB, two interfaces (Ethernet µs; raw IP ns with +10 s offset), one
/// packet per kind of packet block, and one of each skipped block kind.
fn rich_pcapng(e: Endian) -> NgFile {
    NgFile::new()
        .shb(e)
        .idb(1, 0, &[(2, b"eth0")])
        .idb(101, 64, &[(9, &[9]), (14, &i64b(e, 10))])
        .block(4, &[0, 0, 0, 0]) // NRB (just end-of-records)
        .epb(0, 1_500_000_000_000_001, &[1, 2, 3], 3)
        .epb(1, 2_000_000_007, &[0x45, 0, 0, 20, 9], 20)
        .block(5, &[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]) // ISB
        .block(0x0000_0BAD, &[0, 0, 0x7e, 0xd9, b'x'])
        .spb(8, &[7; 8])
        .block(10, &[0; 8]) // DSB
        .block(9, b"MESSAGE=x\n") // systemd journal
        .pb(1, 3_000_000_000, &[6; 2], 2)
        .block(0x8000_1234, &[1, 2, 3]) // local use, unknown
}

#[test]
fn pcapng_rich_both_byte_orders() {
    for e in [LE, BE] {
        let f = rich_pcapng(e);
        let out = read_everywhere(&f.bytes);
        assert_eq!(out.format, Ok(FileFormat::PcapNg));
        assert_eq!(out.error, None);
        assert_eq!(
            out.frames,
            vec![
                owned(1_500_000_000_000_001_000, 1, 0, 3, &[1, 2, 3]),
                // ns units + 10 s offset
                owned(12_000_000_007, 101, 1, 20, &[0x45, 0, 0, 20, 9]),
                // SPB: no timestamp, interface 0
                owned(0, 1, 0, 8, &[7; 8]),
                owned(13_000_000_000, 101, 1, 2, &[6; 2]),
            ]
        );
        let s = &out.stats;
        assert_eq!((s.sections, s.interfaces, s.frames), (1, 2, 4));
        assert_eq!(
            s.skipped,
            SkippedBlocks {
                name_resolution: 1,
                interface_statistics: 1,
                decryption_secrets: 1,
                journal_export: 1,
                custom: 1,
                other: 1,
            }
        );
        assert_eq!(out.final_offset, f.bytes.len() as u64);
    }
}

#[test]
fn pcapng_spb_respects_snaplen() {
    // interface snaplen 4: an SPB of a 10-byte packet stores 4 bytes (+ padding)
    let f = NgFile::new().shb(LE).idb(1, 4, &[]).spb(10, &[1, 2, 3, 4]);
    let out = read_everywhere(&f.bytes);
    assert_eq!(out.error, None);
    assert_eq!(out.frames, vec![owned(0, 1, 0, 10, &[1, 2, 3, 4])]);
    assert_eq!(out.stats.snapped_frames, 1);
}

#[test]
fn pcapng_tsresol_power_of_two_and_decimal() {
    let f = NgFile::new()
        .shb(BE)
        .idb(1, 0, &[(9, &[0x80 | 10])]) // 2^-10 s
        .idb(1, 0, &[(9, &[3])]) // ms
        .idb(1, 0, &[(9, &[0]), (14, &(-5i64).to_be_bytes())]) // s, -5 s offset
        .epb(0, 5 * 1024 + 256, &[0], 1)
        .epb(1, 1_234, &[0], 1)
        .epb(2, 100, &[0], 1);
    let ts: Vec<i64> = read_everywhere(&f.bytes)
        .frames
        .iter()
        .map(|f| f.ts_ns)
        .collect();
    assert_eq!(ts, vec![5_250_000_000, 1_234_000_000, 95_000_000_000]);
}

#[test]
fn pcapng_tsoffset_little_endian() {
    let f = NgFile::new()
        .shb(LE)
        .idb(1, 0, &[(14, &1_000i64.to_le_bytes())])
        .epb(0, 1, &[0], 1);
    assert_eq!(read_everywhere(&f.bytes).frames[0].ts_ns, 1_000_000_001_000);
}

#[test]
fn pcapng_sections_change_byte_order_and_renumber_interfaces() {
    let f = NgFile::new()
        .shb(LE)
        .idb(linktype::ETHERNET as u16, 0, &[])
        .epb(0, 1, &[1], 1)
        .shb(BE)
        .idb(linktype::RAW as u16, 0, &[])
        .idb(linktype::LINUX_SLL as u16, 0, &[(9, &[9])])
        .epb(1, 2, &[2, 2], 2)
        .epb(0, 3, &[3], 1)
        .shb(LE)
        .idb(linktype::NULL as u16, 0, &[])
        .epb(0, 4, &[4; 4], 4);
    let out = read_everywhere(&f.bytes);
    assert_eq!(out.error, None);
    assert_eq!(
        out.frames,
        vec![
            owned(1_000, linktype::ETHERNET, 0, 1, &[1]),
            // section 2 interface 1 is file interface 1 + 1 = 2
            owned(2, linktype::LINUX_SLL, 2, 2, &[2, 2]),
            owned(3_000, linktype::RAW, 1, 1, &[3]),
            owned(4_000, linktype::NULL, 3, 4, &[4; 4]),
        ]
    );
    assert_eq!((out.stats.sections, out.stats.interfaces), (3, 4));
}

#[test]
fn pcapng_interface_of_previous_section_is_gone() {
    let f = NgFile::new()
        .shb(LE)
        .idb(1, 0, &[])
        .shb(LE)
        .epb(0, 1, &[1], 1);
    let out = read_everywhere(&f.bytes);
    assert!(out.frames.is_empty());
    assert_eq!(
        out.error,
        Some((
            f.boundaries[3] as u64,
            "packet refers to interface 0 but the section defines 0".into()
        ))
    );
}

#[test]
fn pcapng_no_interfaces_only_custom_blocks() {
    let f = NgFile::new()
        .shb(BE)
        .block(0x0000_0BAD, &[0, 0, 0x7e, 0xd9])
        .block(0x4000_0BAD, &[0, 0, 0x7e, 0xd9]);
    let out = read_everywhere(&f.bytes);
    assert_eq!(out.error, None);
    assert!(out.frames.is_empty());
    assert_eq!(out.stats.skipped.custom, 2);
}

#[test]
fn pcapng_truncated_at_every_byte() {
    let f = rich_pcapng(LE);
    let full = read_everywhere(&f.bytes);
    // block index -> frames completed by then
    let packet_blocks: Vec<usize> = [4, 5, 8, 11].to_vec();
    for cut in 0..f.bytes.len() {
        let out = read_everywhere(&f.bytes[..cut]);
        if cut == 0 {
            assert!(out.format.is_err());
            continue;
        }
        if cut < f.boundaries[1] {
            // inside the first section header: opening fails at 0
            let (off, msg) = out.format.unwrap_err();
            assert_eq!(off, 0);
            assert!(msg.starts_with("file ends inside"), "cut {cut}: {msg}");
            continue;
        }
        let blocks_done = f.boundaries[1..].iter().filter(|&&b| b <= cut).count();
        let frames = packet_blocks.iter().filter(|&&i| i < blocks_done).count();
        assert_eq!(out.frames, full.frames[..frames], "cut {cut}");
        if f.boundaries.contains(&cut) {
            assert_eq!(out.error, None, "cut {cut}");
        } else {
            let (off, msg) = out.error.expect("truncation must be an error");
            assert_eq!(off, f.boundaries[blocks_done] as u64, "cut {cut}");
            assert!(msg.starts_with("file ends inside a pcapng block"), "{msg}");
        }
    }
}

#[test]
fn pcapng_bad_block_lengths() {
    let base = NgFile::new().shb(LE).idb(1, 0, &[]).epb(0, 0, &[1], 1);
    let at = base.boundaries[2]; // the EPB
    for (len, why) in [
        (30u32, "not a multiple of 4"),
        (28, "below the EPB minimum"),
        (8, "below any block minimum"),
        (0x7fff_fffc, "above 16 MiB"),
    ] {
        let mut b = base.bytes.clone();
        b[at + 4..at + 8].copy_from_slice(&len.to_le_bytes());
        let out = read_everywhere(&b);
        assert!(out.frames.is_empty(), "{why}");
        assert_eq!(
            out.error,
            Some((
                at as u64,
                format!("pcapng block type 0x00000006 has bad total length {len}")
            )),
            "{why}"
        );
    }
}

#[test]
fn pcapng_trailer_mismatch() {
    let f = NgFile::new()
        .shb(BE)
        .idb(1, 0, &[])
        .epb(0, 0, &[1], 1)
        .block(5, &[0; 4])
        .epb(0, 0, &[2], 1);
    // corrupt the ISB's trailing length (last 4 bytes of block 3)
    let mut b = f.bytes.clone();
    let end = f.boundaries[4];
    b[end - 1] = 99;
    let out = read_everywhere(&b);
    assert_eq!(out.frames.len(), 1);
    let (off, msg) = out.error.unwrap();
    assert_eq!(off, f.boundaries[3] as u64);
    assert_eq!(
        msg,
        "pcapng block type 0x00000005: trailing length 99 differs from leading length 16"
    );
    // and an EPB's
    let mut b = f.bytes.clone();
    b[f.boundaries[3] - 1] = 0;
    let out = read_everywhere(&b);
    assert!(out.frames.is_empty());
    assert_eq!(out.error.unwrap().0, f.boundaries[2] as u64);
}

#[test]
fn pcapng_bad_byte_order_magic_and_version() {
    let f = NgFile::new().shb(LE).idb(1, 0, &[]);
    let mut b = f.bytes.clone();
    b[8] = 0;
    assert_eq!(
        read_everywhere(&b).format,
        Err((
            0,
            "pcapng section header has bad byte-order magic 003c2b1a".into()
        ))
    );
    let mut b = f.bytes.clone();
    b[12] = 2;
    assert_eq!(
        read_everywhere(&b).format,
        Err((0, "unsupported pcapng version 2.0".into()))
    );
    // a later section header that is bad stops reading there
    let f = NgFile::new()
        .shb(LE)
        .idb(1, 0, &[])
        .epb(0, 0, &[1], 1)
        .shb(BE)
        .idb(1, 0, &[]);
    let mut b = f.bytes.clone();
    b[f.boundaries[3] + 8] = 0x55;
    let out = read_everywhere(&b);
    assert_eq!(out.frames.len(), 1);
    assert_eq!(out.error.unwrap().0, f.boundaries[3] as u64);
}

#[test]
fn pcapng_caplen_exceeds_block() {
    let f = NgFile::new()
        .shb(LE)
        .idb(1, 0, &[])
        .epb(0, 0, &[1, 2, 3, 4], 4);
    let mut b = f.bytes.clone();
    let at = f.boundaries[2];
    b[at + 20] = 5; // caplen 5, room 4
    let out = read_everywhere(&b);
    assert_eq!(
        out.error,
        Some((
            at as u64,
            "captured length 5 does not fit in its block (4 bytes of room)".into()
        ))
    );
}

#[test]
fn pcapng_huge_corrupt_length_does_not_allocate_it() {
    // An unknown block claiming 16 MiB in a 60-byte stream: truncation error,
    // and the stream path must not have buffered 16 MiB (skipped blocks are
    // not buffered at all).
    let f = NgFile::new().shb(LE).block(0x99, &[0; 4]);
    let mut b = f.bytes.clone();
    let at = f.boundaries[1];
    b[at + 4..at + 8].copy_from_slice(&pcapng::MAX_BLOCK_LEN.to_le_bytes());
    let mut r = CaptureReader::from_read("x", Box::new(Cursor::new(b.clone()))).unwrap();
    let e = r.next_frame().unwrap_err();
    assert_eq!(e.offset, at as u64);
    assert!(e.is_truncation());
    // (the stream buffer has a fixed size of its own; it must not have grown)
    assert!(r.source.buffer_len() <= crate::source::STREAM_BUFFER);
    // same for an EPB (buffered): grows only with the bytes that exist
    b[at..at + 4].copy_from_slice(&6u32.to_le_bytes());
    let mut r = CaptureReader::from_read("x", Box::new(Cursor::new(b))).unwrap();
    assert!(r.next_frame().unwrap_err().is_truncation());
    // (the stream buffer has a fixed size of its own; it must not have grown)
    assert!(r.source.buffer_len() <= crate::source::STREAM_BUFFER);
}

#[test]
fn not_a_capture_pcapng_fragment_without_section_header() {
    // an EPB at the start of the file (like pcap-parser's err-eof.bin)
    let mut b = NgFile::new()
        .shb(LE)
        .idb(1, 0, &[])
        .epb(0, 0, &[1], 1)
        .bytes;
    b.drain(..48);
    let out = read_everywhere(&b);
    assert_eq!(
        out.format,
        Err((
            0,
            "not a pcap, pcapng or gzip file (first four bytes 06000000)".into()
        ))
    );
}
