//! The AS names JSON loader: never panics; a database it accepts answers lookups consistently.
//! Input: the file's content (inputs that are not detected as AS names JSON are skipped).
#![no_main]

use libfuzzer_sys::fuzz_target;
use trombone_asdb::Format;

fuzz_target!(|data: &[u8]| {
    if let Some(file) = trombone_fuzz::for_format(data, Format::AsNames, None) {
        trombone_fuzz::load_and_check(&[("fuzz-asnames", &file)], data);
    }
});
