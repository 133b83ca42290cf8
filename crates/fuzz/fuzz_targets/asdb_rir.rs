//! The RIR delegated-statistics loader: never panics; a database it accepts answers lookups consistently.
//! Input: the file's content. When content detection would not pick this
//! format, a one-line prefix that makes it do so is put in front (see
//! `trombone_fuzz::for_format`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use trombone_asdb::Format;

fuzz_target!(|data: &[u8]| {
    if let Some(file) = trombone_fuzz::for_format(
        data,
        Format::RirDelegated,
        Some(b"2|apnic|20241001|3|19830613|20240930|+1000\n"),
    ) {
        trombone_fuzz::load_and_check(&[("fuzz-rir", &file)], data);
    }
});
