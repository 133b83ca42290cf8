//! VXLAN (RFC 7348), UDP destination port 4789.
//!
//! Header: flags (8 bits, I = 0x08 says the VNI is valid), reserved (24),
//! VNI (24), reserved (8); the inner Ethernet frame follows. Real overlay
//! traffic, so opened only when asked ([`crate::Decap::vxlan`]).

/// UDP destination port.
pub(crate) const PORT: u16 = 4789;
/// Header length.
const LEN: usize = 8;
/// The I flag.
const FLAG_I: u8 = 0x08;

/// The inner Ethernet frame of a VXLAN payload; `None` when it is not VXLAN
/// (too short, or the I flag clear), which leaves the UDP packet as it is.
#[inline]
pub(crate) fn inner(udp_payload: &[u8]) -> Option<&[u8]> {
    if udp_payload.len() < LEN || udp_payload[0] & FLAG_I == 0 {
        return None;
    }
    Some(&udp_payload[LEN..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header() {
        // I flag, VNI 0x00_12_34.
        let d = [0x08, 0, 0, 0, 0x00, 0x12, 0x34, 0x00, 0xaa];
        assert_eq!(inner(&d), Some(&[0xaa][..]));
        let mut no_i = d;
        no_i[0] = 0x00;
        assert_eq!(inner(&no_i), None);
        assert_eq!(inner(&d[..7]), None);
        assert_eq!(inner(&d[..8]), Some(&[][..]));
    }
}
