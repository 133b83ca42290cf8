//! Agreement with independent readers over the shared capture corpus.
//!
//! capture-fixtures/shared-frame-counts.tsv holds, per file of
//! `<repo>/../shared/pcaps/{tcpdump,pcap-parser}`, the frame count and status
//! that capinfos (Wireshark's wiretap) -- or libpcap where wiretap does not
//! know the link type -- reported; scripts/record-shared-frame-counts made
//! it. Every file is read to its end or error without panicking, and:
//! - `ok` files: we read the same number of frames and no error, and where
//!   capinfos read them, the same total wire bytes and the same earliest
//!   and latest timestamps;
//! - `error` files: we also stop with an error, after the same number of frames;
//! - `not-capture` files: we refuse them at byte 0;
//! - rows with an `exception` keyword (few, each with its reason in the TSV):
//!   the frame count must still match; the keyword excuses exactly one
//!   metadata comparison, replaced by what the reason states (see `check`).

mod common;

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};

use common::{corpus_files, drain, repo_root, shared_pcaps, Outcome};
use trombone_capture::CaptureReader;

/// One row of the TSV.
#[derive(Debug)]
struct Expected {
    frames: u64,
    status: String,
    /// Sum of original (wire) lengths, when capinfos read the file.
    data_bytes: Option<u64>,
    /// Earliest and latest timestamp in ns, when capinfos printed well-formed ones.
    time_range: Option<(i64, i64)>,
    exception: String,
}

/// Parse capinfos' "SECONDS.FRACTION" (-S) into ns; None for "n/a", "-" or
/// malformed values (capinfos prints e.g. "0.-2078753" for invalid fractions).
fn parse_epoch(s: &str) -> Option<i64> {
    let (sec, frac) = s.split_once('.')?;
    // capinfos prints 6 digits for µs files and 9 for ns files; any other
    // width means an out-of-range fraction (e.g. "1000000" µs).
    if sec.is_empty() || !(frac.len() == 6 || frac.len() == 9) {
        return None;
    }
    if !sec.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sec: i64 = sec.parse().ok()?;
    let frac: i64 = format!("{frac:0<9}").parse().ok()?;
    sec.checked_mul(1_000_000_000)?.checked_add(frac)
}

fn load_expected() -> BTreeMap<String, Expected> {
    let path = repo_root().join("capture-fixtures/shared-frame-counts.tsv");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run scripts/record-shared-frame-counts)",
            path.display()
        )
    });
    let mut rows = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.starts_with("path\t") || line.is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        assert!(
            cols.len() >= 9,
            "{}:{}: too few columns",
            path.display(),
            i + 1
        );
        let frames = cols[1]
            .parse()
            .unwrap_or_else(|e| panic!("{}:{}: frames: {e}", path.display(), i + 1));
        rows.insert(
            cols[0].to_string(),
            Expected {
                frames,
                status: cols[2].to_string(),
                data_bytes: cols[5].parse().ok(),
                time_range: parse_epoch(cols[6]).zip(parse_epoch(cols[7])),
                exception: cols[8].to_string(),
            },
        );
    }
    rows
}

/// Which comparisons the `exception` keywords excuse. The field holds
/// `keyword: reason` entries separated by " ; ".
#[derive(Clone, Copy, Default)]
struct Excuses {
    /// sunatm-len: wiretap strips the 4-byte SunATM pseudo-header from lengths.
    sunatm_len: bool,
    /// capinfos-time: capinfos' start/end times are not the unsigned min/max.
    capinfos_time: bool,
}

fn excuses(exception: &str) -> Result<Excuses, String> {
    let mut x = Excuses::default();
    for entry in exception.split(" ; ").filter(|e| !e.trim().is_empty()) {
        match entry.split(':').next().unwrap_or("").trim() {
            "sunatm-len" => x.sunatm_len = true,
            "capinfos-time" => x.capinfos_time = true,
            other => return Err(format!("unknown exception keyword '{other}'")),
        }
    }
    Ok(x)
}

const LINKTYPE_SUNATM: u32 = 123;

fn check(rel: &str, exp: &Expected, got: &Outcome) -> Result<(), String> {
    let n = got.frames.len() as u64;
    let excuse = excuses(&exp.exception).map_err(|e| format!("{rel}: {e}"))?;
    match exp.status.as_str() {
        "ok" => {
            if let Err((off, msg)) = &got.format {
                return Err(format!("{rel}: refused at byte {off}: {msg}"));
            }
            if let Some((off, msg)) = &got.error {
                return Err(format!(
                    "{rel}: error at byte {off} after {n} frames: {msg} (independent reader: {} frames, clean)",
                    exp.frames
                ));
            }
            if n != exp.frames {
                return Err(format!(
                    "{rel}: {n} frames, independent reader {}",
                    exp.frames
                ));
            }
            if let Some(bytes) = exp.data_bytes {
                let expected = if excuse.sunatm_len {
                    if got.frames.iter().any(|f| f.linktype != LINKTYPE_SUNATM) {
                        return Err(format!(
                            "{rel}: sunatm-len exception but not all frames are SunATM"
                        ));
                    }
                    bytes + 4 * n
                } else {
                    bytes
                };
                if got.stats.wire_bytes != expected {
                    return Err(format!(
                        "{rel}: {} wire bytes, expected {expected} (capinfos {bytes})",
                        got.stats.wire_bytes
                    ));
                }
            }
            if let Some((first, last)) = exp.time_range {
                let min = got.frames.iter().map(|f| f.ts_ns).min();
                let max = got.frames.iter().map(|f| f.ts_ns).max();
                let agree = (min, max) == (Some(first), Some(last));
                if excuse.capinfos_time {
                    if agree {
                        return Err(format!(
                            "{rel}: capinfos-time exception but the times agree"
                        ));
                    }
                } else if !agree {
                    return Err(format!(
                        "{rel}: timestamps {min:?}..{max:?} ns, capinfos {first}..{last}"
                    ));
                }
            }
        }
        "error" => {
            if !got.failed() {
                return Err(format!(
                    "{rel}: read cleanly ({n} frames) but the independent reader reported an error"
                ));
            }
            if n != exp.frames {
                return Err(format!(
                    "{rel}: {n} frames before the error, independent reader {}",
                    exp.frames
                ));
            }
        }
        "not-capture" => match &got.format {
            Err((0, _)) => {}
            other => return Err(format!("{rel}: not a capture, but opening gave {other:?}")),
        },
        s => return Err(format!("{rel}: unknown status '{s}' in the TSV")),
    }
    Ok(())
}

#[test]
fn capinfos_epoch_parsing() {
    assert_eq!(
        parse_epoch("1476535656.489094"),
        Some(1_476_535_656_489_094_000)
    );
    assert_eq!(
        parse_epoch("1418145369.924505488"),
        Some(1_418_145_369_924_505_488)
    );
    assert_eq!(parse_epoch("0.-2078753"), None);
    assert_eq!(parse_epoch("1418145370.1000000"), None);
    assert_eq!(parse_epoch("n/a"), None);
    assert_eq!(parse_epoch("-"), None);
}

#[test]
fn shared_corpus_frame_counts_match_independent_readers() {
    let Some(pcaps) = shared_pcaps() else { return };
    let expected = load_expected();
    let files = corpus_files(&pcaps);

    // The TSV must cover exactly the corpus, so a changed corpus forces re-recording.
    let listed: Vec<&String> = expected.keys().collect();
    let present: Vec<&String> = files.iter().map(|(rel, _)| rel).collect();
    assert_eq!(
        listed, present,
        "TSV and corpus differ: rerun scripts/record-shared-frame-counts"
    );

    let mut failures = Vec::new();
    let mut tally: BTreeMap<&str, usize> = BTreeMap::new();
    for (rel, path) in &files {
        let exp = &expected[rel];
        let got = match catch_unwind(AssertUnwindSafe(|| drain(CaptureReader::open(path)))) {
            Ok(got) => got,
            Err(_) => {
                failures.push(format!("{rel}: PANICKED"));
                continue;
            }
        };
        match check(rel, exp, &got) {
            Ok(()) => {
                let kind = if exp.exception.is_empty() {
                    exp.status.as_str()
                } else {
                    "exception"
                };
                *tally.entry(kind).or_default() += 1;
            }
            Err(e) => failures.push(e),
        }
    }
    eprintln!("{} files: agreed {tally:?}", files.len());
    assert!(
        failures.is_empty(),
        "{} of {} files disagree:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
    // the corpus is what the brief says it is: hundreds of captures
    assert!(tally.get("ok").copied().unwrap_or(0) > 800, "{tally:?}");
}
