//! The iptoasn.com ip2asn TSV loader: never panics; a database it accepts answers lookups consistently.
//! Input: the file's content. When content detection would not pick this
//! format, a one-line prefix that makes it do so is put in front (see
//! `trombone_fuzz::for_format`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use trombone_asdb::Format;

fuzz_target!(|data: &[u8]| {
    if let Some(file) = trombone_fuzz::for_format(
        data,
        Format::Ip2Asn,
        Some(b"1.0.0.0\t1.0.0.255\t13335\tUS\tCLOUDFLARENET\n"),
    ) {
        trombone_fuzz::load_and_check(&[("fuzz-ip2asn", &file)], data);
    }
});
