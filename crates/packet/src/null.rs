//! BSD loopback headers: NULL (family in the writer's byte order) and LOOP (network order).

use crate::link::{Payload, L3};
use crate::Skip;

/// Maps a BSD address family number to an IP version (AF_INET6 differs per OS).
fn family_version(af: u32) -> Option<u8> {
    match af {
        2 => Some(4),
        10 | 24 | 28 | 30 => Some(6),
        _ => None,
    }
}

/// Shared tail: 4-byte header then IP (or another family, which carries no ethertype).
fn finish(data: &[u8], af: u32) -> Result<L3<'_>, Skip> {
    let mut l3 = L3::bare(&data[4..], 0);
    l3.payload = match family_version(af) {
        Some(v) => Payload::Ip(v),
        None => Payload::Other(0),
    };
    Ok(l3)
}

/// Strips a DLT_NULL header; its byte order is the writer's, so take the reading that is small.
pub(crate) fn decap_null(data: &[u8]) -> Result<L3<'_>, Skip> {
    if data.len() < 4 {
        return Err(Skip::Malformed);
    }
    let b = [data[0], data[1], data[2], data[3]];
    let le = u32::from_le_bytes(b);
    let af = if le <= 0xFFFF {
        le
    } else {
        u32::from_be_bytes(b)
    };
    finish(data, af)
}

/// Strips a DLT_LOOP header (family in network byte order).
pub(crate) fn decap_loop(data: &[u8]) -> Result<L3<'_>, Skip> {
    if data.len() < 4 {
        return Err(Skip::Malformed);
    }
    finish(
        data,
        u32::from_be_bytes([data[0], data[1], data[2], data[3]]),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn null_both_byte_orders() {
        let le = [2, 0, 0, 0, 0x45];
        let be = [0, 0, 0, 2, 0x45];
        assert_eq!(decap_null(&le).unwrap().payload, Payload::Ip(4));
        assert_eq!(decap_null(&be).unwrap().payload, Payload::Ip(4));
        assert_eq!(
            decap_null(&[30, 0, 0, 0, 0x60]).unwrap().payload,
            Payload::Ip(6)
        );
        assert_eq!(
            decap_null(&[7, 0, 0, 0]).unwrap().payload,
            Payload::Other(0)
        );
    }

    #[test]
    fn loop_is_network_order() {
        assert_eq!(
            decap_loop(&[0, 0, 0, 24, 0x60]).unwrap().payload,
            Payload::Ip(6)
        );
        assert_eq!(
            decap_loop(&[24, 0, 0, 0, 0x60]).unwrap().payload,
            Payload::Other(0)
        );
        assert_eq!(decap_loop(&[0, 0, 0]).unwrap_err(), Skip::Malformed);
    }
}
