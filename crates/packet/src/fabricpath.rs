//! Cisco FabricPath (DCE, ethertype 0x8903): a 16-byte outer header in front
//! of the original Ethernet frame.
//!
//! The outer header reads like an Ethernet header — outer destination and
//! source "hierarchical MACs" (switch id, sub-switch id, port id), then the
//! 4-byte FP tag: ethertype 0x8903, FTag (10 bits) and TTL (6 bits) — and the
//! frame as it entered the fabric follows whole (its own MACs, any 802.1Q tag,
//! its ethertype). Wireshark also accepts an 802.1Q/802.1ad tag before the FP
//! tag (a 20-byte header); the Ethernet walker handles both, since it meets
//! 0x8903 wherever an ethertype stands. FabricPath exists only inside the
//! fabric, so a frame carrying it is always a mirror of fabric links and is
//! always decapsulated.

/// Bytes of the FP tag after its ethertype: FTag and TTL.
pub(crate) const TAG_REST: usize = 2;

/// Offset of the inner Ethernet frame, given the offset just past the 0x8903 ethertype.
#[inline]
pub(crate) fn inner_start(after_ethertype: usize) -> usize {
    after_ethertype + TAG_REST
}

#[cfg(test)]
mod tests {
    use crate::ethernet::decap;
    use crate::link::Payload;
    use crate::{Skip, Tunnel};

    /// The 16-byte outer header: hierarchical MACs of switch 0x123 port 5
    /// (destination) and switch 0x456 port 9 (source), FTag 1, TTL 32.
    fn outer() -> Vec<u8> {
        vec![
            0x02, 0x01, 0x23, 0x00, 0x00, 0x05, // outer DA: U/L set, swid 0x123, lid 5
            0x02, 0x04, 0x56, 0x00, 0x00, 0x09, // outer SA: swid 0x456, lid 9
            0x89, 0x03, // FP ethertype
            0x00, 0x60, // FTag 1 (0x0060 >> 6), TTL 32 (0x0060 & 0x3f)
        ]
    }

    /// An inner Ethernet frame with an 802.1Q tag (VLAN 42) and a 1-byte IPv4 stub.
    fn inner() -> Vec<u8> {
        vec![
            0x00, 0x11, 0x22, 0x33, 0x44, 0x55, // DA
            0x00, 0x66, 0x77, 0x88, 0x99, 0xaa, // SA
            0x81, 0x00, 0x00, 0x2a, // VLAN 42
            0x08, 0x00, 0x45,
        ]
    }

    #[test]
    fn ftag_and_ttl_layout() {
        // FTag occupies the top 10 bits, TTL the low 6: 0x0060 = FTag 1, TTL 32.
        let w = u16::from_be_bytes([outer()[14], outer()[15]]);
        assert_eq!((w >> 6, w & 0x3f), (1, 32));
    }

    #[test]
    fn inner_frame_is_the_packet() {
        let mut f = outer();
        f.extend_from_slice(&inner());
        let l3 = decap(&f, 8).unwrap();
        assert_eq!(l3.payload, Payload::Ip(4));
        assert_eq!(l3.bytes, &[0x45]);
        assert_eq!(l3.dst_mac, [0x00, 0x11, 0x22, 0x33, 0x44, 0x55]);
        assert_eq!(l3.src_mac, [0x00, 0x66, 0x77, 0x88, 0x99, 0xaa]);
        assert_eq!(l3.vlan, 42);
        assert_eq!(l3.tunnel, Tunnel::FabricPath);
        assert_eq!(l3.tag_len, 16);
        assert_eq!(l3.depth, 1);
    }

    #[test]
    fn twenty_byte_header_with_outer_tag() {
        // An 802.1Q tag (VLAN 7) before the FP tag belongs to the outer header:
        // the inner frame (untagged here) keeps VLAN 0.
        let mut f = outer()[..12].to_vec();
        f.extend_from_slice(&[0x81, 0x00, 0x00, 0x07, 0x89, 0x03, 0x00, 0x60]);
        f.extend_from_slice(&[
            0, 0x11, 0x22, 0x33, 0x44, 0x55, 0, 0x66, 0x77, 0x88, 0x99, 0xaa,
        ]);
        f.extend_from_slice(&[0x86, 0xdd, 0x60]);
        let l3 = decap(&f, 8).unwrap();
        assert_eq!(l3.payload, Payload::Ip(6));
        assert_eq!(l3.bytes, &[0x60]);
        assert_eq!(l3.vlan, 0);
        assert_eq!(l3.tag_len, 20);
        assert_eq!(l3.src_mac[5], 0xaa);
    }

    #[test]
    fn mirror_tags_in_the_outer_header_are_counted_once() {
        // VN-Tag (4 + 2 bytes) and E-Tag (6 + 2) before the FP tag belong to
        // the outer header, which is removed whole: 12 (MACs) + 6 + 8 + 2
        // (FP ethertype) + 2 (FTag/TTL) = 30 bytes, not 30 plus the 14 of
        // tags a second time (a fuzzer found encap_len past the frame's end).
        let mut f = outer()[..12].to_vec();
        f.extend_from_slice(&[0x89, 0x26, 0x14, 0x23, 0x00, 0x47]);
        f.extend_from_slice(&[0x89, 0x3f, 0x60, 0x10, 0x00, 0x88, 0xdd, 0xaa]);
        f.extend_from_slice(&[0x89, 0x03, 0x00, 0x60]);
        f.extend_from_slice(&inner());
        let l3 = decap(&f, 8).unwrap();
        assert_eq!(l3.payload, Payload::Ip(4));
        assert_eq!(l3.bytes, &[0x45]);
        assert_eq!(l3.tunnel, Tunnel::VnTag);
        assert_eq!((l3.tag_len, l3.depth), (30, 3));
        assert_eq!(f.len() - l3.tag_len, inner().len());
    }

    #[test]
    fn truncated_or_too_deep_is_malformed() {
        let mut f = outer();
        f.extend_from_slice(&inner()[..13]);
        assert_eq!(decap(&f, 8).unwrap_err(), Skip::Malformed);
        assert_eq!(decap(&outer()[..15], 8).unwrap_err(), Skip::Malformed);
        // FabricPath in FabricPath in ...: nine headers exceed a budget of eight.
        let mut f = Vec::new();
        for _ in 0..9 {
            f.extend_from_slice(&outer());
        }
        f.extend_from_slice(&inner());
        assert_eq!(decap(&f, 8).unwrap_err(), Skip::Malformed);
        assert_eq!(decap(&f[16..], 8).unwrap().tag_len, 8 * 16);
    }

    #[test]
    fn inner_arp_is_other() {
        let mut f = outer();
        f.extend_from_slice(&inner()[..12]);
        f.extend_from_slice(&[0x08, 0x06, 0, 1]);
        let l3 = decap(&f, 8).unwrap();
        assert_eq!(l3.payload, Payload::Other(0x0806));
        assert_eq!(l3.bytes, &[0, 1]);
    }
}
