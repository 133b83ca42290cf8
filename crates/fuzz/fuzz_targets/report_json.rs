//! The JSON result loader, `trombone_schema::Report::from_json`: what `trombone merge`
//! (`load_result`), `trombone report` and `trombone plan` (`trombone_report::parse`)
//! read result files with.
//!
//! Never panics; a result it accepts survives a round trip: written as trombone writes
//! results (`serde_json` pretty, as `trombone_output` does) and compact, it reads back
//! equal, and writing what was read back gives the same text again.
//!
//! Input: the file's text (invalid UTF-8 is replaced, as a lossy read would; a strict
//! read refuses it before the loader runs). Seeds are small results written by
//! `trombone analyze --format json` on the hairpin fixture; `dicts/report.dict` holds
//! the contract's field names.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trombone_schema::Report;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(report) = Report::from_json(&text) else {
        return;
    };
    let pretty = serde_json::to_string_pretty(&report).expect("a result serialises");
    let back = Report::from_json(&pretty)
        .unwrap_or_else(|e| panic!("a written result does not read back: {e}\n{pretty}"));
    assert_eq!(back, report, "the round trip changed the result");
    let again = serde_json::to_string_pretty(&back).expect("a result serialises");
    assert_eq!(
        again, pretty,
        "writing the read-back result gives other text"
    );
    let compact = serde_json::to_string(&report).expect("a result serialises");
    let back = Report::from_json(&compact)
        .unwrap_or_else(|e| panic!("a compact result does not read back: {e}\n{compact}"));
    assert_eq!(back, report, "the compact round trip changed the result");
});
