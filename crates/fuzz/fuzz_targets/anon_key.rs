//! The `--anonymize` key-file loader (`trombone_anon::parse_key`, what
//! `Anonymizer::from_key_file` runs on the file's first 4,097 bytes) and the Crypto-PAn
//! anonymiser built from what it accepts.
//!
//! Never panics; accepts exactly 32 raw bytes or 64 hex digits between ASCII
//! whitespace (checked against an independent decoding); errors name the file, and a
//! bad-digit error's offset points at a byte that is not a hex digit. With an accepted
//! key, anonymisation is deterministic (two anonymisers from the key, each asked twice)
//! and prefix-preserving, as Crypto-PAn is: for fixed and input-derived IPv4 and IPv6
//! addresses, two anonymised addresses share exactly as many leading bits as the
//! originals (so a shared /24 stays shared, and distinct addresses stay distinct).
//!
//! Input: the key file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use trombone_anon::{parse_key, Anonymizer, KEY_LEN};

/// What `from_key_file` reads of a file (its `MAX_FILE` + 1 bytes, to tell "too long").
const READ_LIMIT: usize = 4097;
const NAME: &str = "fuzz.key";

fuzz_target!(|data: &[u8]| {
    let data = &data[..data.len().min(READ_LIMIT)];
    match parse_key(data, NAME) {
        Ok(key) => {
            assert_eq!(
                Some(key),
                oracle(data),
                "accepted a key the format does not allow"
            );
            check(&key, data);
        }
        Err(e) => {
            assert!(
                e.starts_with("fuzz.key: "),
                "error does not name the file: {e}"
            );
            assert_eq!(oracle(data), None, "refused a valid key: {e}");
            if let Some(at) = e
                .strip_prefix("fuzz.key: byte offset ")
                .and_then(|r| r.split(':').next())
            {
                let at: usize = at.parse().expect("an offset");
                assert!(
                    data.get(at).is_some_and(|b| !b.is_ascii_hexdigit()),
                    "offset {at} is not at a bad digit: {e}"
                );
            }
        }
    }
    // Any 32 bytes are a raw key file: exercise the anonymiser with input-chosen keys too.
    if data.len() > KEY_LEN {
        let raw: [u8; KEY_LEN] = data[..KEY_LEN].try_into().unwrap();
        assert_eq!(parse_key(&raw, NAME), Ok(raw));
        check(&raw, &data[KEY_LEN..]);
    }
});

/// The key the documented format gives for `data`, decoded independently.
fn oracle(data: &[u8]) -> Option<[u8; KEY_LEN]> {
    if data.len() == KEY_LEN {
        return data.try_into().ok();
    }
    let start = data.iter().position(|b| !b.is_ascii_whitespace())?;
    let end = data.iter().rposition(|b| !b.is_ascii_whitespace())? + 1;
    let hex = std::str::from_utf8(&data[start..end]).ok()?;
    if hex.len() != 2 * KEY_LEN || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let mut key = [0u8; KEY_LEN];
    for (i, k) in key.iter_mut().enumerate() {
        *k = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(key)
}

/// Determinism and prefix preservation under `key`, at fixed addresses and at
/// addresses taken from `seed`.
fn check(key: &[u8; KEY_LEN], seed: &[u8]) {
    let a = Anonymizer::from_key(key);
    let b = Anonymizer::from_key(key);
    let mut v4: Vec<u32> = [
        Ipv4Addr::new(192, 0, 2, 1),
        Ipv4Addr::new(192, 0, 2, 200), // same /24 as the one before
        Ipv4Addr::new(192, 0, 3, 1),
        Ipv4Addr::new(10, 0, 0, 1),
        Ipv4Addr::new(0, 0, 0, 0),
        Ipv4Addr::new(255, 255, 255, 255),
    ]
    .iter()
    .map(|&x| u32::from(x))
    .collect();
    let mut v6: Vec<u128> = [
        Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1),
        Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0xff),
        Ipv6Addr::new(0x2001, 0xdb8, 1, 0, 0, 0, 0, 1),
        Ipv6Addr::new(0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201),
        Ipv6Addr::UNSPECIFIED,
    ]
    .iter()
    .map(|&x| u128::from(x))
    .collect();
    for c in seed.chunks_exact(16).take(2) {
        let x = u128::from_be_bytes(c.try_into().unwrap());
        v6.push(x);
        v6.push(x ^ 1);
        v4.push((x >> 96) as u32);
        v4.push((x >> 96) as u32 ^ 0xff);
    }
    let a4: Vec<u32> = v4.iter().map(|&x| a.anonymize_v4(x)).collect();
    let a6: Vec<u128> = v6.iter().map(|&x| a.anonymize_v6(x)).collect();
    for (i, &x) in v4.iter().enumerate() {
        assert_eq!(a4[i], a.anonymize_v4(x), "not deterministic");
        assert_eq!(
            a4[i],
            b.anonymize_v4(x),
            "two anonymisers of one key disagree"
        );
        assert_eq!(
            a.anonymize(IpAddr::V4(x.into())),
            IpAddr::V4(a4[i].into()),
            "IpAddr and u32 forms disagree"
        );
    }
    for (i, &x) in v6.iter().enumerate() {
        assert_eq!(
            a6[i],
            b.anonymize_v6(x),
            "two anonymisers of one key disagree"
        );
        assert_eq!(a.anonymize(IpAddr::V6(x.into())), IpAddr::V6(a6[i].into()));
    }
    // 192.0.2.1 and 192.0.2.200 share a /24, and their anonymised forms do.
    assert_eq!(a4[0] >> 8, a4[1] >> 8, "a shared /24 is not preserved");
    assert_eq!(a6[0] >> 8, a6[1] >> 8, "a shared /120 is not preserved");
    for i in 0..v4.len() {
        for j in 0..i {
            let want = (v4[i] ^ v4[j]).leading_zeros();
            let got = (a4[i] ^ a4[j]).leading_zeros();
            assert_eq!(
                got, want,
                "IPv4 {:#x} {:#x}: shared prefix {want} became {got}",
                v4[i], v4[j]
            );
        }
    }
    for i in 0..v6.len() {
        for j in 0..i {
            let want = (v6[i] ^ v6[j]).leading_zeros();
            let got = (a6[i] ^ a6[j]).leading_zeros();
            assert_eq!(
                got, want,
                "IPv6 {:#x} {:#x}: shared prefix {want} became {got}",
                v6[i], v6[j]
            );
        }
    }
}
