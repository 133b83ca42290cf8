//! trombone's compact binary database loader: never panics on a corrupt
//! body; a database it accepts answers lookups consistently.
//!
//! Input: the body of a compact file without its 8-byte magic and its
//! trailing CRC-32; the target puts the magic in front and appends the right
//! CRC, so mutations reach the structure parser instead of failing the
//! checksum. (Seeds are stored in that stripped form by scripts/fuzz.)
#![no_main]

use libfuzzer_sys::fuzz_target;

/// The compact format's magic (trombone_asdb's `compact::MAGIC`).
const MAGIC: &[u8] = b"TRMBASDB";

fuzz_target!(|data: &[u8]| {
    let mut file = Vec::with_capacity(MAGIC.len() + data.len() + 4);
    file.extend_from_slice(MAGIC);
    file.extend_from_slice(data);
    let mut crc = flate2::Crc::new();
    crc.update(&file);
    file.extend_from_slice(&crc.sum().to_le_bytes());
    trombone_fuzz::load_and_check(&[("fuzz-compact", &file)], data);
});
