//! Key files: exactly 32 raw bytes, or 64 hexadecimal digits with optional
//! surrounding ASCII whitespace (a trailing newline from `openssl rand -hex 32`).

use std::io::Read;
use std::path::Path;

/// Length of a Crypto-PAn key in bytes (16 AES-128 key + 16 padding secret).
pub const KEY_LEN: usize = 32;

/// Largest key file read; anything longer is certainly not a key.
const MAX_FILE: u64 = 4096;

/// Reads and parses a key file; errors name the file.
pub(crate) fn read_key_file(path: &Path) -> Result<[u8; KEY_LEN], String> {
    let name = path.display();
    let file =
        std::fs::File::open(path).map_err(|e| format!("{name}: cannot open key file: {e}"))?;
    let mut data = Vec::with_capacity(128);
    file.take(MAX_FILE + 1)
        .read_to_end(&mut data)
        .map_err(|e| format!("{name}: cannot read key file: {e}"))?;
    parse_key(&data, &name.to_string())
}

/// Parses key file contents: exactly 32 raw bytes, or 64 hex digits (either
/// case) with optional surrounding whitespace. `name` is used in errors.
pub fn parse_key(data: &[u8], name: &str) -> Result<[u8; KEY_LEN], String> {
    if data.len() == KEY_LEN {
        let mut key = [0u8; KEY_LEN];
        key.copy_from_slice(data);
        return Ok(key);
    }
    let text = data.trim_ascii();
    if text.len() != 2 * KEY_LEN {
        return Err(format!(
            "{name}: a key file holds exactly {KEY_LEN} raw bytes or {} hex digits; \
             this one has {} bytes{}",
            2 * KEY_LEN,
            data.len(),
            if data.len() as u64 > MAX_FILE {
                " or more"
            } else {
                ""
            }
        ));
    }
    let mut key = [0u8; KEY_LEN];
    for (i, pair) in text.chunks_exact(2).enumerate() {
        match (hex_digit(pair[0]), hex_digit(pair[1])) {
            (Some(h), Some(l)) => key[i] = h << 4 | l,
            _ => {
                let at = if hex_digit(pair[0]).is_none() {
                    2 * i
                } else {
                    2 * i + 1
                };
                let lead = data.len() - data.trim_ascii_start().len();
                return Err(format!(
                    "{name}: byte offset {}: not a hex digit in a 64-digit hex key",
                    lead + at
                ));
            }
        }
    }
    Ok(key)
}

/// The value of one ASCII hex digit.
fn hex_digit(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191A1B1C1D1E1F";

    fn counting_key() -> [u8; 32] {
        let mut k = [0u8; 32];
        for (i, b) in k.iter_mut().enumerate() {
            *b = i as u8;
        }
        k
    }

    #[test]
    fn raw_32_bytes_are_the_key() {
        let raw = [0x0a_u8; 32]; // even bytes that look like newlines are key material
        assert_eq!(parse_key(&raw, "k").unwrap(), raw);
    }

    #[test]
    fn hex_with_newline_and_mixed_case() {
        let text = format!("{HEX}\n");
        assert_eq!(parse_key(text.as_bytes(), "k").unwrap(), counting_key());
        let text = format!("  {HEX}\r\n\n");
        assert_eq!(parse_key(text.as_bytes(), "k").unwrap(), counting_key());
    }

    #[test]
    fn wrong_length_names_file_and_size() {
        let e = parse_key(b"abcd\n", "/etc/k.key").unwrap_err();
        assert!(e.starts_with("/etc/k.key: "), "{e}");
        assert!(e.contains("this one has 5 bytes"), "{e}");
        let e = parse_key(&[0u8; 31], "k").unwrap_err();
        assert!(e.contains("has 31 bytes"), "{e}");
    }

    #[test]
    fn bad_hex_digit_reports_offset() {
        let mut text = format!(" {HEX}\n").into_bytes();
        text[1 + 37] = b'g';
        let e = parse_key(&text, "k.key").unwrap_err();
        assert_eq!(
            e,
            "k.key: byte offset 38: not a hex digit in a 64-digit hex key"
        );
    }

    #[test]
    fn key_file_round_trip_and_missing_file() {
        let dir = std::env::temp_dir().join(format!("trombone-anon-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("key.hex");
        std::fs::write(&p, format!("{HEX}\n")).unwrap();
        assert_eq!(read_key_file(&p).unwrap(), counting_key());
        let big = dir.join("big.key");
        std::fs::write(&big, vec![b'0'; 10_000]).unwrap();
        let e = read_key_file(&big).unwrap_err();
        assert!(e.contains("4097 bytes or more"), "{e}");
        let missing = dir.join("missing.key");
        let e = read_key_file(&missing).unwrap_err();
        assert!(e.contains("missing.key: cannot open key file"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
