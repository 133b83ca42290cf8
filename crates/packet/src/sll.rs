//! Linux cooked capture headers, v1 (LINKTYPE_LINUX_SLL) and v2 (LINKTYPE_LINUX_SLL2).

use crate::link::{payload_of, L3};
use crate::Skip;

/// SLL v1 header length.
const V1_LEN: usize = 16;
/// SLL v2 header length.
const V2_LEN: usize = 20;

/// Copies a link-layer address of `len` bytes into a MAC when it is 6 bytes long.
fn mac_of(addr: &[u8], len: u8) -> [u8; 6] {
    let mut m = [0u8; 6];
    if len == 6 {
        m.copy_from_slice(&addr[..6]);
    }
    m
}

/// Maps the cooked header's protocol field (an ethertype) to the payload.
fn finish(data: &[u8], off: usize, proto: u16, mac: [u8; 6]) -> Result<L3<'_>, Skip> {
    let mut l3 = L3::bare(&data[off..], 0);
    l3.payload = payload_of(proto);
    // The cooked header carries one address, the sender's (ours for
    // outgoing packets), so it is the source MAC either way.
    l3.src_mac = mac;
    Ok(l3)
}

/// Strips a Linux cooked v1 header: type(2) arphrd(2) addrlen(2) addr(8) protocol(2).
pub(crate) fn decap_v1(data: &[u8]) -> Result<L3<'_>, Skip> {
    if data.len() < V1_LEN {
        return Err(Skip::Malformed);
    }
    let addr_len = u16::from_be_bytes([data[4], data[5]]).min(8) as u8;
    let mac = mac_of(&data[6..14], addr_len);
    let proto = u16::from_be_bytes([data[14], data[15]]);
    finish(data, V1_LEN, proto, mac)
}

/// Strips a Linux cooked v2 header: protocol(2) reserved(2) ifindex(4) arphrd(2) type(1) addrlen(1) addr(8).
pub(crate) fn decap_v2(data: &[u8]) -> Result<L3<'_>, Skip> {
    if data.len() < V2_LEN {
        return Err(Skip::Malformed);
    }
    let proto = u16::from_be_bytes([data[0], data[1]]);
    let addr_len = data[11].min(8);
    let mac = mac_of(&data[12..20], addr_len);
    finish(data, V2_LEN, proto, mac)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::Payload;

    #[test]
    fn v1_ipv4() {
        let mut f = vec![0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 9, 0, 0, 0x08, 0x00];
        f.push(0x45);
        let l3 = decap_v1(&f).unwrap();
        assert_eq!(l3.payload, Payload::Ip(4));
        assert_eq!(l3.bytes, &[0x45]);
        assert_eq!(l3.src_mac, [2, 0, 0, 0, 0, 9]);
    }

    #[test]
    fn v2_ipv6_and_arp() {
        let mut f = vec![
            0x86, 0xdd, 0, 0, 0, 0, 0, 3, 0, 1, 0, 6, 2, 0, 0, 0, 0, 7, 0, 0,
        ];
        f.push(0x60);
        let l3 = decap_v2(&f).unwrap();
        assert_eq!(l3.payload, Payload::Ip(6));
        assert_eq!(l3.bytes, &[0x60]);
        f[0] = 0x08;
        f[1] = 0x06;
        assert_eq!(decap_v2(&f).unwrap().payload, Payload::Other(0x0806));
    }

    #[test]
    fn short_headers_are_malformed() {
        assert_eq!(decap_v1(&[0; 15]).unwrap_err(), Skip::Malformed);
        assert_eq!(decap_v2(&[0; 19]).unwrap_err(), Skip::Malformed);
    }
}
