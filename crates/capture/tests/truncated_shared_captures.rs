//! Real captures cut short at many points: the reader yields exactly the
//! frames whose records end before the cut (a prefix of the full read, which
//! shared_captures.rs checks against capinfos), then either ends cleanly on a
//! record boundary or reports truncation at the start of the cut record.

mod common;

use std::io::{self, Read};
use std::sync::Arc;

use common::{corpus_files, drain, shared_pcaps, Outcome};
use trombone_capture::{CaptureReader, FileFormat};

/// Reads `data[..end]` without copying it.
struct Prefix {
    data: Arc<Vec<u8>>,
    pos: usize,
    end: usize,
}

impl Read for Prefix {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = out.len().min(self.end - self.pos);
        out[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

fn read_prefix(data: &Arc<Vec<u8>>, end: usize) -> Outcome {
    let src = Prefix {
        data: Arc::clone(data),
        pos: 0,
        end,
    };
    drain(CaptureReader::from_read("cut", Box::new(src)))
}

/// Cut points: every byte of small files; for larger ones an even spread
/// plus each frame's end and the bytes either side of it.
fn cut_points(len: usize, full: &Outcome) -> Vec<usize> {
    let mut cuts: Vec<usize> = if len <= 3000 {
        (0..len).collect()
    } else {
        (0..150).map(|i| i * len / 150).collect()
    };
    for f in full.frames.iter().take(40) {
        let e = f.end as usize;
        cuts.extend([e.saturating_sub(1), e, e + 1]);
    }
    cuts.retain(|&c| c < len);
    cuts.sort_unstable();
    cuts.dedup();
    cuts
}

#[test]
fn truncated_shared_captures_yield_prefix_then_error() {
    let Some(pcaps) = shared_pcaps() else { return };
    let mut files_checked = 0;
    let mut cuts_checked = 0;
    for (i, (rel, path)) in corpus_files(&pcaps).iter().enumerate() {
        let is_ng = rel.ends_with(".pcapng");
        if !(rel.starts_with("pcap-parser/") || is_ng || i % 20 == 0) {
            continue;
        }
        let data = Arc::new(std::fs::read(path).expect("read capture"));
        let full = read_prefix(&data, data.len());
        if full.failed() {
            continue; // not a capture, or damaged: nothing to cut
        }
        files_checked += 1;
        let classic = !matches!(full.format, Ok(FileFormat::PcapNg));
        for cut in cut_points(data.len(), &full) {
            cuts_checked += 1;
            let out = read_prefix(&data, cut);
            let done = full.frames.iter().filter(|f| f.end as usize <= cut).count();
            assert_eq!(out.frames.len(), done, "{rel} cut at {cut}: frame count");
            assert!(
                out.frames[..] == full.frames[..done],
                "{rel} cut at {cut}: frames differ"
            );
            let last_end = done.checked_sub(1).map_or(0, |k| full.frames[k].end);
            let on_frame_end = full.frames.iter().any(|f| f.end as usize == cut);
            match (&out.format, &out.error) {
                (Err((off, msg)), _) => {
                    assert_eq!(*off, 0, "{rel} cut at {cut}: {msg}");
                    assert!(
                        msg.starts_with("file ends inside") || msg.starts_with("file is empty"),
                        "{rel} cut at {cut}: {msg}"
                    );
                    assert_eq!(done, 0, "{rel} cut at {cut}");
                }
                (Ok(_), Some((off, msg))) => {
                    assert!(
                        !on_frame_end,
                        "{rel} cut at {cut} is a frame end but: {msg}"
                    );
                    assert!(
                        msg.starts_with("file ends inside"),
                        "{rel} cut at {cut}: {msg}"
                    );
                    assert!(
                        *off >= last_end && (*off as usize) < cut,
                        "{rel} cut at {cut}: error offset {off}, last frame ended at {last_end}"
                    );
                    if classic {
                        // every pcap record is a frame: the cut one starts where the last ended
                        let start = if done == 0 { 24 } else { last_end };
                        assert_eq!(*off, start, "{rel} cut at {cut}");
                    }
                }
                (Ok(_), None) => {
                    if classic {
                        assert!(
                            on_frame_end || cut == 24,
                            "{rel} cut at {cut} inside a record but no error"
                        );
                    }
                }
            }
        }
    }
    eprintln!("{files_checked} files, {cuts_checked} cut points checked");
    assert!(files_checked > 50, "only {files_checked} files checked");
}
