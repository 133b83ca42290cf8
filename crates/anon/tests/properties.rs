//! Properties of the mapping that hold for any key: exact prefix preservation,
//! determinism across instances, and being a permutation (no two addresses
//! collide). Inputs come from a fixed-seed generator, so failures reproduce.

use std::collections::HashSet;
use std::net::IpAddr;

use trombone_anon::Anonymizer;

/// splitmix64: a small deterministic generator for test inputs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn next_u128(&mut self) -> u128 {
        (u128::from(self.next()) << 64) | u128::from(self.next())
    }
    fn key(&mut self) -> [u8; 32] {
        let mut k = [0u8; 32];
        for c in k.chunks_mut(8) {
            c.copy_from_slice(&self.next().to_le_bytes());
        }
        k
    }
}

/// Number of leading bits two 32-bit values share.
fn common_prefix_v4(a: u32, b: u32) -> u32 {
    (a ^ b).leading_zeros()
}

/// Number of leading bits two 128-bit values share.
fn common_prefix_v6(a: u128, b: u128) -> u32 {
    (a ^ b).leading_zeros()
}

/// A second address sharing exactly `k` leading bits with `a` (k < width),
/// with random bits after the first difference.
fn sibling_u128(a: u128, k: u32, rnd: u128) -> u128 {
    let flip = 1u128 << (127 - k);
    let low = flip - 1; // bits after position k
    ((a ^ flip) & !low) | (rnd & low)
}

#[test]
fn ipv4_prefixes_are_preserved_exactly() {
    let mut rng = Rng(1);
    for _ in 0..8 {
        let an = Anonymizer::from_key(&rng.key());
        for k in 0..=32u32 {
            for _ in 0..20 {
                let a = rng.next() as u32;
                let b = if k == 32 {
                    a
                } else {
                    (sibling_u128(u128::from(a) << 96, k, rng.next_u128()) >> 96) as u32
                };
                assert_eq!(common_prefix_v4(a, b), k);
                let (x, y) = (an.anonymize_v4(a), an.anonymize_v4(b));
                assert_eq!(common_prefix_v4(x, y), k, "{a:#x} {b:#x} -> {x:#x} {y:#x}");
            }
        }
    }
}

#[test]
fn ipv6_prefixes_are_preserved_exactly() {
    let mut rng = Rng(2);
    for _ in 0..4 {
        let an = Anonymizer::from_key(&rng.key());
        for k in 0..=128u32 {
            for _ in 0..4 {
                let a = rng.next_u128();
                let b = if k == 128 {
                    a
                } else {
                    sibling_u128(a, k, rng.next_u128())
                };
                assert_eq!(common_prefix_v6(a, b), k);
                let (x, y) = (an.anonymize_v6(a), an.anonymize_v6(b));
                assert_eq!(common_prefix_v6(x, y), k, "{a:#x} {b:#x} -> {x:#x} {y:#x}");
            }
        }
    }
}

#[test]
fn same_key_same_mapping_across_instances_and_clones() {
    let mut rng = Rng(3);
    let key = rng.key();
    let first = Anonymizer::from_key(&key);
    let second = Anonymizer::from_key(&key);
    let cloned = first.clone();
    for _ in 0..500 {
        let v4 = rng.next() as u32;
        let v6 = rng.next_u128();
        let want4 = first.anonymize_v4(v4);
        let want6 = first.anonymize_v6(v6);
        assert_eq!(second.anonymize_v4(v4), want4);
        assert_eq!(cloned.anonymize_v4(v4), want4);
        assert_eq!(first.anonymize_v4(v4), want4);
        assert_eq!(second.anonymize_v6(v6), want6);
        assert_eq!(
            second.anonymize(IpAddr::V6(v6.into())),
            IpAddr::V6(want6.into())
        );
        assert_eq!(
            second.anonymize(IpAddr::V4(v4.into())),
            IpAddr::V4(want4.into())
        );
    }
}

#[test]
fn different_keys_give_different_mappings() {
    let mut rng = Rng(4);
    let a = Anonymizer::from_key(&rng.key());
    // Changing only the padding secret (second half) must change the mapping too.
    let mut key = rng.key();
    let b = Anonymizer::from_key(&key);
    key[31] ^= 1;
    let c = Anonymizer::from_key(&key);
    let addrs: Vec<u32> = (0..64).map(|_| rng.next() as u32).collect();
    let map = |x: &Anonymizer| addrs.iter().map(|&v| x.anonymize_v4(v)).collect::<Vec<_>>();
    assert_ne!(map(&a), map(&b));
    assert_ne!(map(&b), map(&c));
    // And the mapping is not the identity.
    assert_ne!(map(&a), addrs);
}

#[test]
fn a_whole_slash_16_maps_one_to_one_onto_one_slash_16() {
    let an = Anonymizer::from_key(&Rng(5).key());
    let base = 0x0A00_0000u32; // 10.0.0.0/16
    let top = an.anonymize_v4(base) & 0xFFFF_0000;
    let mut seen = HashSet::with_capacity(1 << 16);
    for low in 0..=0xFFFFu32 {
        let out = an.anonymize_v4(base | low);
        assert_eq!(out & 0xFFFF_0000, top, "left the image /16 at {low:#x}");
        assert!(seen.insert(out), "collision at {low:#x}");
    }
    assert_eq!(seen.len(), 1 << 16);
}
