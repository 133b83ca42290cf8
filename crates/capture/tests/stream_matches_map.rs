//! Every shared capture read through the memory map, a plain `Read` over a
//! file, an in-memory `Cursor`, a gzip stream and a gzip file gives identical
//! frames, final error (offset and message) and statistics.

mod common;

use std::fs::File;
use std::io::{Cursor, Write};
use std::path::PathBuf;

use common::{corpus_files, drain, shared_pcaps};
use trombone_capture::CaptureReader;

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(bytes).expect("gzip into memory");
    enc.finish().expect("gzip into memory")
}

#[test]
fn every_shared_capture_reads_the_same_from_every_source() {
    let Some(pcaps) = shared_pcaps() else { return };
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("stream_matches_map");
    std::fs::create_dir_all(&tmp).expect("create temp dir");
    let files = corpus_files(&pcaps);
    let (mut frames, mut gz_files) = (0usize, 0usize);
    for (i, (rel, path)) in files.iter().enumerate() {
        let bytes = std::fs::read(path).expect("read capture");
        let mapped = drain(CaptureReader::open(path));
        frames += mapped.frames.len();

        let file = File::open(path).expect("open capture");
        let streamed = drain(CaptureReader::from_read(rel, Box::new(file)));
        assert_eq!(streamed, mapped, "{rel}: File stream vs map");

        let cursor = drain(CaptureReader::from_read(
            rel,
            Box::new(Cursor::new(bytes.clone())),
        ));
        assert_eq!(cursor, mapped, "{rel}: Cursor vs map");

        let gz = gzip(&bytes);
        let mut r = CaptureReader::from_read(rel, Box::new(Cursor::new(gz.clone())));
        if let Ok(r) = &mut r {
            assert!(r.is_gzip(), "{rel}");
        }
        let gz_stream = drain(r);
        assert_eq!(gz_stream, mapped, "{rel}: gzip stream vs map");

        // gzip files through open(): every 10th file, to keep disk writes small
        if i % 10 == 0 {
            let gz_path = tmp.join(format!("{i}.pcap.gz"));
            std::fs::write(&gz_path, &gz).expect("write gzip file");
            let gz_file = drain(CaptureReader::open(&gz_path));
            assert_eq!(gz_file, mapped, "{rel}: gzip file vs map");
            std::fs::remove_file(&gz_path).expect("remove gzip file");
            gz_files += 1;
        }
    }
    eprintln!(
        "{} files, {frames} frames identical from map, File, Cursor, gzip stream; {gz_files} via gzip files",
        files.len()
    );
    assert!(
        frames > 10_000,
        "corpus unexpectedly small: {frames} frames"
    );
}
