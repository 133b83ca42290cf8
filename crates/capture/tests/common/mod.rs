//! Helpers shared by the integration tests: locating the shared capture
//! corpus, listing its files, and reading a capture into owned frames.

#![allow(dead_code)] // each test binary uses a different subset

use std::path::{Path, PathBuf};

use trombone_capture::{CaptureError, CaptureReader, FileFormat, ReadStats};

/// The shared capture folder `<repo>/../shared/pcaps`, or `None` when it is
/// missing and `TROMBONE_SKIP_SHARED=1` allows skipping. Panics (fails the
/// test loudly) when it is missing and skipping was not asked for.
pub fn shared_pcaps() -> Option<PathBuf> {
    let manifest =
        std::fs::canonicalize(env!("CARGO_MANIFEST_DIR")).expect("canonicalize CARGO_MANIFEST_DIR");
    let repo = manifest
        .parent()
        .and_then(Path::parent)
        .expect("crate sits at <repo>/crates/capture");
    let pcaps = repo
        .parent()
        .expect("repo has a parent directory")
        .join("shared")
        .join("pcaps");
    if pcaps.is_dir() {
        return Some(pcaps);
    }
    if std::env::var("TROMBONE_SKIP_SHARED").as_deref() == Ok("1") {
        eprintln!(
            "SKIPPED: {} missing and TROMBONE_SKIP_SHARED=1",
            pcaps.display()
        );
        return None;
    }
    panic!(
        "shared capture corpus {} is missing: put the shared folder beside the repo, \
         or set TROMBONE_SKIP_SHARED=1 to skip these tests",
        pcaps.display()
    );
}

/// The repository root (for capture-fixtures/).
pub fn repo_root() -> PathBuf {
    let manifest =
        std::fs::canonicalize(env!("CARGO_MANIFEST_DIR")).expect("canonicalize CARGO_MANIFEST_DIR");
    manifest
        .parent()
        .and_then(Path::parent)
        .expect("crate sits at <repo>/crates/capture")
        .to_path_buf()
}

/// Every regular file directly in `pcaps/tcpdump` and `pcaps/pcap-parser`,
/// as (path relative to `pcaps`, full path), sorted.
pub fn corpus_files(pcaps: &Path) -> Vec<(String, PathBuf)> {
    let mut files = Vec::new();
    for dir in ["tcpdump", "pcap-parser"] {
        let entries = std::fs::read_dir(pcaps.join(dir))
            .unwrap_or_else(|e| panic!("read {}/{dir}: {e}", pcaps.display()));
        for entry in entries {
            let entry = entry.expect("directory entry");
            if entry.file_type().expect("file type").is_file() {
                let name = entry.file_name().to_string_lossy().into_owned();
                files.push((format!("{dir}/{name}"), entry.path()));
            }
        }
    }
    files.sort();
    files
}

/// An owned copy of a frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OwnedFrame {
    pub ts_ns: i64,
    pub linktype: u32,
    pub interface: u32,
    pub wire_len: u32,
    pub data: Vec<u8>,
    /// `offset()` right after the frame: where its record ends.
    pub end: u64,
}

/// Everything observable about reading one capture to its end.
#[derive(Debug, PartialEq)]
pub struct Outcome {
    /// Format, or (offset, message) if opening failed.
    pub format: Result<FileFormat, (u64, String)>,
    pub frames: Vec<OwnedFrame>,
    /// (offset, message) of the error that ended reading, if any.
    pub error: Option<(u64, String)>,
    pub stats: ReadStats,
}

impl Outcome {
    /// True if opening or reading stopped with an error.
    pub fn failed(&self) -> bool {
        self.format.is_err() || self.error.is_some()
    }
}

/// Read everything from an opened (or failed) reader.
pub fn drain(opened: Result<CaptureReader, CaptureError>) -> Outcome {
    let mut r = match opened {
        Ok(r) => r,
        Err(e) => {
            return Outcome {
                format: Err((e.offset, e.kind.to_string())),
                frames: Vec::new(),
                error: None,
                stats: ReadStats::default(),
            }
        }
    };
    let mut frames = Vec::new();
    let error = loop {
        match r.next_frame() {
            Ok(Some(f)) => {
                let (ts_ns, linktype, interface, wire_len, data) = (
                    f.ts_ns,
                    f.linktype,
                    f.interface,
                    f.wire_len,
                    f.data.to_vec(),
                );
                frames.push(OwnedFrame {
                    ts_ns,
                    linktype,
                    interface,
                    wire_len,
                    data,
                    end: r.offset(),
                });
            }
            Ok(None) => break None,
            Err(e) => break Some((e.offset, e.kind.to_string())),
        }
    };
    Outcome {
        format: Ok(r.format()),
        frames,
        error,
        stats: r.stats().clone(),
    }
}
