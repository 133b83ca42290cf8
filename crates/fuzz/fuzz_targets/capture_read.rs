//! The pcap / pcapng reader: reads every frame of an arbitrary file without
//! panicking, through three paths that must agree frame for frame and on
//! where (and whether) they stop with an error: the file opened by path, a
//! stream read whole, and a stream that arrives a few bytes per read. Every
//! frame is also handed to the packet parser, as the pipeline does.
#![no_main]

use std::io::{Cursor, Write};
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use trombone_capture::CaptureReader;
use trombone_fuzz::Trickle;

/// One frame as read: (ts, linktype, interface, wire_len, bytes).
type Seen = (i64, u32, u32, u32, Vec<u8>);

/// What one reading produced: the frames, the error offset (if it stopped on
/// an error) and the final offset.
#[derive(Debug, PartialEq, Eq)]
struct Outcome {
    frames: Vec<Seen>,
    error_at: Option<u64>,
    opened: bool,
}

fn drain(name: &str, r: Result<CaptureReader, trombone_capture::CaptureError>) -> Outcome {
    let mut r = match r {
        Ok(r) => r,
        Err(e) => {
            let msg = e.to_string();
            assert!(
                msg.contains(name),
                "error does not name the file {name}: {msg}"
            );
            return Outcome {
                frames: Vec::new(),
                error_at: None,
                opened: false,
            };
        }
    };
    let mut frames = Vec::new();
    let error_at = loop {
        match r.next_frame() {
            Ok(Some(f)) => {
                assert!(
                    f.data.len() <= 16 * 1024 * 1024,
                    "frame of {} bytes",
                    f.data.len()
                );
                let _ =
                    trombone_packet::parse(f.linktype, f.data, f.wire_len, f.ts_ns, f.interface);
                frames.push((
                    f.ts_ns,
                    f.linktype,
                    f.interface,
                    f.wire_len,
                    f.data.to_vec(),
                ));
            }
            Ok(None) => break None,
            Err(e) => {
                let msg = e.to_string();
                assert!(
                    msg.contains(name),
                    "error does not name the file {name}: {msg}"
                );
                break Some(r.offset());
            }
        }
    };
    // After the end or an error the reader stays finished.
    assert!(matches!(r.next_frame(), Ok(None)));
    let s = r.stats();
    assert_eq!(s.frames, frames.len() as u64);
    assert_eq!(
        s.captured_bytes,
        frames.iter().map(|f| f.4.len() as u64).sum::<u64>()
    );
    Outcome {
        frames,
        error_at,
        opened: true,
    }
}

/// A per-process scratch file for the by-path reader.
fn scratch() -> &'static std::path::PathBuf {
    static P: OnceLock<std::path::PathBuf> = OnceLock::new();
    P.get_or_init(|| std::env::temp_dir().join(format!("trombone-fuzz-{}.cap", std::process::id())))
}

fn write_scratch(data: &[u8]) -> std::path::PathBuf {
    let p = scratch().clone();
    let mut f = std::fs::File::create(&p).expect("scratch file");
    f.write_all(data).expect("scratch write");
    p
}

fuzz_target!(|data: &[u8]| {
    let whole = drain(
        "fuzz",
        CaptureReader::from_read("fuzz", Box::new(Cursor::new(data.to_vec()))),
    );
    let step = 1 + data.len() % 7;
    let trickled = drain(
        "fuzz",
        CaptureReader::from_read("fuzz", Box::new(Trickle::new(data.to_vec(), step))),
    );
    assert_eq!(
        whole, trickled,
        "whole stream and {step}-byte reads disagree"
    );
    let path = write_scratch(data);
    let by_path = drain(&path.display().to_string(), CaptureReader::open(&path));
    let _ = std::fs::remove_file(&path);
    // The file path names the file differently, so only the frames and the
    // error position are compared.
    assert_eq!(
        whole.frames, by_path.frames,
        "stream and file disagree on frames"
    );
    assert_eq!(
        whole.error_at, by_path.error_at,
        "stream and file stop at different offsets"
    );
    assert_eq!(
        whole.opened, by_path.opened,
        "stream and file disagree on the header"
    );
});
