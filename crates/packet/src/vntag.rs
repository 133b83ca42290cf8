//! Port-extender tags: Cisco VN-Tag (ethertype 0x8926) and IEEE 802.1BR
//! E-Tag (ethertype 0x893F).
//!
//! Both sit in the Ethernet header where a VLAN tag would, and both are
//! followed by the frame's next ethertype:
//! - VN-Tag: 4 bytes after its ethertype — D, P, destination VIF (14 bits),
//!   L, R, version (2 bits), source VIF (12 bits);
//! - E-Tag: 6 bytes after its ethertype — E-PCP, E-DEI, ingress E-CID base
//!   (12 bits), reserved, GRP, E-CID base (12 bits), ingress E-CID extension,
//!   E-CID extension.
//!
//! They only exist between a switch and its port extenders, so a captured
//! frame carrying one is a mirror of such a link: they are always removed.
//! The MACs stay the frame's; its VLAN is the first 802.1Q/802.1ad tag
//! wherever it stands relative to the port-extender tag.

/// VN-Tag bytes after its ethertype.
pub(crate) const VNTAG_LEN: usize = 4;
/// E-Tag bytes after its ethertype.
pub(crate) const ETAG_LEN: usize = 6;

#[cfg(test)]
mod tests {
    use crate::ethernet::decap;
    use crate::link::Payload;
    use crate::{Skip, Tunnel};

    /// Ethernet addresses followed by the given bytes.
    fn frame(rest: &[u8]) -> Vec<u8> {
        let mut f = vec![
            0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x00, 0x66, 0x77, 0x88, 0x99, 0xaa,
        ];
        f.extend_from_slice(rest);
        f
    }

    #[test]
    fn vntag_then_ipv4() {
        // VN-Tag: D=1, dvif 0x0123, svif 0x045, then IPv4.
        let f = frame(&[0x89, 0x26, 0x81, 0x23, 0x00, 0x45, 0x08, 0x00, 0x45]);
        let l3 = decap(&f, 8).unwrap();
        assert_eq!(l3.payload, Payload::Ip(4));
        assert_eq!(l3.bytes, &[0x45]);
        assert_eq!(l3.tunnel, Tunnel::VnTag);
        assert_eq!(l3.tag_len, 6);
        assert_eq!(l3.vlan, 0);
        assert_eq!(l3.dst_mac, [0x00, 0x11, 0x22, 0x33, 0x44, 0x55]);
    }

    #[test]
    fn vntag_then_vlan_keeps_vlan() {
        let f = frame(&[
            0x89, 0x26, 0x00, 0x01, 0x00, 0x02, // VN-Tag
            0x81, 0x00, 0x20, 0x64, // PCP 1, VLAN 100
            0x86, 0xdd, 0x60,
        ]);
        let l3 = decap(&f, 8).unwrap();
        assert_eq!((l3.vlan, l3.tag_len, l3.payload), (100, 6, Payload::Ip(6)));
    }

    #[test]
    fn vlan_then_etag_then_ipv6() {
        // S-tag 300, then E-Tag (E-PCP 3, ingress E-CID 0x010, GRP 0, E-CID 0x020), then IPv6.
        let f = frame(&[
            0x88, 0xa8, 0x01, 0x2c, // S-tag VLAN 300
            0x89, 0x3f, 0x60, 0x10, 0x00, 0x20, 0x00, 0x00, // E-Tag
            0x86, 0xdd, 0x60, 0x00,
        ]);
        let l3 = decap(&f, 8).unwrap();
        assert_eq!(l3.payload, Payload::Ip(6));
        assert_eq!(l3.bytes, &[0x60, 0x00]);
        assert_eq!(l3.vlan, 300);
        assert_eq!(l3.tunnel, Tunnel::ETag);
        assert_eq!(l3.tag_len, 8);
        assert_eq!(l3.depth, 1);
    }

    #[test]
    fn etag_then_vntag_counts_both() {
        let f = frame(&[
            0x89, 0x3f, 0, 0, 0, 0, 0, 0, // E-Tag
            0x89, 0x26, 0, 0, 0, 0, // VN-Tag
            0x08, 0x06, 0x00, 0x01, // ARP
        ]);
        let l3 = decap(&f, 8).unwrap();
        assert_eq!(l3.payload, Payload::Other(0x0806));
        assert_eq!(l3.tunnel, Tunnel::ETag);
        assert_eq!((l3.tag_len, l3.depth), (14, 2));
        assert_eq!(decap(&f, 1).unwrap_err(), Skip::Malformed);
    }

    #[test]
    fn truncated_tags_are_malformed() {
        assert_eq!(
            decap(&frame(&[0x89, 0x26, 0, 0, 0, 0, 0x08]), 8).unwrap_err(),
            Skip::Malformed
        );
        assert_eq!(
            decap(&frame(&[0x89, 0x3f, 0, 0, 0, 0, 0]), 8).unwrap_err(),
            Skip::Malformed
        );
    }
}
