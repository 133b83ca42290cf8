//! The MaxMind DB (.mmdb) loader: never panics; a database it accepts answers lookups consistently.
//! Input: the file's content (inputs without the mmdb metadata marker are skipped).
#![no_main]

use libfuzzer_sys::fuzz_target;
use trombone_asdb::Format;

fuzz_target!(|data: &[u8]| {
    if let Some(file) = trombone_fuzz::for_format(data, Format::Mmdb, None) {
        trombone_fuzz::load_and_check(&[("fuzz-mmdb", &file)], data);
    }
});
