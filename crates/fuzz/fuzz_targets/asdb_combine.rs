//! Loading several database files at once, each format detected from its
//! content (gzip included), and combining them by the documented rule.
//!
//! Input: up to three files separated by the line `@@`.
#![no_main]

use libfuzzer_sys::fuzz_target;

/// Separates the files in one input.
const SEP: &[u8] = b"\n@@\n";

fuzz_target!(|data: &[u8]| {
    let mut files: Vec<(&str, &[u8])> = Vec::with_capacity(3);
    let names = ["fuzz-a", "fuzz-b", "fuzz-c"];
    let mut rest = data;
    while files.len() < 2 {
        match rest.windows(SEP.len()).position(|w| w == SEP) {
            Some(p) => {
                files.push((names[files.len()], &rest[..p]));
                rest = &rest[p + SEP.len()..];
            }
            None => break,
        }
    }
    files.push((names[files.len()], rest));
    match trombone_asdb::AsDb::load_bytes(&files) {
        Ok(db) => trombone_fuzz::check_db(&db, data),
        Err(e) => {
            let msg = e.to_string();
            assert!(msg.contains("fuzz-"), "error does not name the file: {msg}");
        }
    }
});
