//! Shared helpers for the real-data tests: locating `../shared` and reading its files.

#![allow(dead_code)]

use std::io::Read;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::PathBuf;

/// The shared reference data directory: the repository root's parent + `/shared/data`.
pub fn shared() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let p = root.join("../shared/data");
    assert!(
        p.is_dir(),
        "shared data not found at {} (it must sit beside the repository)",
        p.display()
    );
    p
}

/// A file under `shared/data/asn/`.
pub fn asn(name: &str) -> PathBuf {
    shared().join("asn").join(name)
}

/// A file under `shared/data/mmdb/`.
pub fn mmdb(rel: &str) -> PathBuf {
    shared().join("mmdb").join(rel)
}

/// Reads a file, gunzipping `.gz` files, as UTF-8 text.
pub fn read_text(p: &PathBuf) -> String {
    let raw = std::fs::read(p).unwrap();
    if p.extension().is_some_and(|e| e == "gz") {
        let mut s = String::new();
        flate2::read::MultiGzDecoder::new(&raw[..])
            .read_to_string(&mut s)
            .unwrap();
        s
    } else {
        String::from_utf8(raw).unwrap()
    }
}

/// Parses an IPv4 dotted quad.
pub fn v4(s: &str) -> u32 {
    u32::from(s.parse::<Ipv4Addr>().unwrap())
}

/// Parses an IPv6 address.
pub fn v6(s: &str) -> u128 {
    u128::from(s.parse::<Ipv6Addr>().unwrap())
}

/// Parses any IP address.
pub fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}
