//! Decompresses the committed default database (`data/default.asdb.gz`) into `OUT_DIR`, so
//! the binary embeds the compact file itself and a run does not gunzip 11 MB before its
//! first packet (about a quarter of the database's load time).

use std::io::Read;
use std::path::PathBuf;

fn main() {
    let src = "data/default.asdb.gz";
    println!("cargo:rerun-if-changed={src}");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("default.asdb");
    let gz = std::fs::read(src).unwrap_or_else(|e| panic!("{src}: {e}"));
    let mut raw = Vec::with_capacity(gz.len() * 4);
    if !gz.is_empty() {
        flate2::read::MultiGzDecoder::new(&gz[..])
            .read_to_end(&mut raw)
            .unwrap_or_else(|e| panic!("{src}: not a valid gzip file: {e}"));
    }
    std::fs::write(&out, raw).unwrap_or_else(|e| panic!("{}: {e}", out.display()));
}
