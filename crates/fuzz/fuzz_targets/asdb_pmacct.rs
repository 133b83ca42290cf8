//! The pmacct networks_file loader: never panics; a database it accepts answers lookups consistently.
//! Input: the file's content. When content detection would not pick this
//! format, a one-line prefix that makes it do so is put in front (see
//! `trombone_fuzz::for_format`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use trombone_asdb::Format;

fuzz_target!(|data: &[u8]| {
    if let Some(file) =
        trombone_fuzz::for_format(data, Format::Pmacct, Some(b"65500,192.0.2.0/24\n"))
    {
        trombone_fuzz::load_and_check(&[("fuzz-pmacct", &file)], data);
    }
});
