//! The Crypto-PAn mapping itself: key schedule and padding block computed once,
//! then 32 (IPv4) or 128 (IPv6) AES block encryptions per address, batched on
//! the stack so no address ever touches the heap.

use std::fmt;
use std::net::IpAddr;
use std::path::Path;

use aes::cipher::{BlockCipherEncrypt, KeyInit};
use aes::{Aes128, Block};

use crate::key_file;

/// A keyed Crypto-PAn address anonymiser. Cheap to share (`Send + Sync`, no
/// interior mutability); build it once and call it for every address.
#[derive(Clone)]
pub struct Anonymizer {
    /// AES-128 with the first half of the key, expanded once.
    cipher: Aes128,
    /// The padding block: the second half of the key encrypted with `cipher`,
    /// as a big-endian 128-bit number.
    pad: u128,
}

impl fmt::Debug for Anonymizer {
    /// Never prints key material.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Anonymizer { .. }")
    }
}

impl Anonymizer {
    /// Builds an anonymiser from a 32-byte key: bytes 0..16 are the AES-128
    /// key, bytes 16..32 the padding secret.
    pub fn from_key(key: &[u8; 32]) -> Anonymizer {
        let mut aes_key = [0u8; 16];
        aes_key.copy_from_slice(&key[..16]);
        let cipher = Aes128::new(&aes_key.into());
        let mut pad_block = [0u8; 16];
        pad_block.copy_from_slice(&key[16..]);
        let mut block = Block::from(pad_block);
        cipher.encrypt_block(&mut block);
        let mut pad = [0u8; 16];
        pad.copy_from_slice(&block);
        Anonymizer {
            cipher,
            pad: u128::from_be_bytes(pad),
        }
    }

    /// Reads a key file (32 raw bytes, or 64 hex digits with optional
    /// surrounding whitespace) and builds an anonymiser; the error names the file.
    pub fn from_key_file(path: impl AsRef<Path>) -> Result<Anonymizer, String> {
        key_file::read_key_file(path.as_ref()).map(|k| Anonymizer::from_key(&k))
    }

    /// Anonymises an IPv4 address given as a host-order `u32` (`0xC000_0201` is 192.0.2.1).
    pub fn anonymize_v4(&self, addr: u32) -> u32 {
        let otp = self.one_time_pad::<32>(u128::from(addr) << 96);
        addr ^ (otp >> 96) as u32
    }

    /// Anonymises an IPv6 address given as a host-order `u128`.
    pub fn anonymize_v6(&self, addr: u128) -> u128 {
        addr ^ self.one_time_pad::<128>(addr)
    }

    /// Anonymises an address of either family, keeping its family. (An
    /// IPv4-mapped IPv6 address is treated as IPv6: map it to IPv4 first if
    /// it should anonymise like its IPv4 form.)
    pub fn anonymize(&self, addr: IpAddr) -> IpAddr {
        match addr {
            IpAddr::V4(a) => IpAddr::V4(self.anonymize_v4(u32::from(a)).into()),
            IpAddr::V6(a) => IpAddr::V6(self.anonymize_v6(u128::from(a)).into()),
        }
    }

    /// The `N` pad bits for an address held in the top `N` bits of `top`,
    /// returned in the top `N` bits: bit `i` (from the top) is the first bit of
    /// AES(the address's first `i` bits followed by the padding block's other bits).
    #[inline]
    fn one_time_pad<const N: usize>(&self, top: u128) -> u128 {
        let mut blocks = [Block::default(); N];
        for (i, b) in blocks.iter_mut().enumerate() {
            *b = Block::from(Self::block_input(top, self.pad, i).to_be_bytes());
        }
        // All inputs are known up front, so encrypt them as one batch: the
        // AES-NI back end pipelines several blocks at a time.
        self.cipher.encrypt_blocks(&mut blocks);
        let mut otp = 0u128;
        for (i, b) in blocks.iter().enumerate() {
            otp |= u128::from(b[0] >> 7) << (127 - i);
        }
        otp
    }

    /// The cipher input for bit `i`: the first `i` bits of `top`, the rest from `pad`.
    #[inline]
    fn block_input(top: u128, pad: u128, i: usize) -> u128 {
        let keep = u128::MAX.checked_shl(128 - i as u32).unwrap_or(0);
        (top & keep) | (pad & !keep)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_input_takes_prefix_from_address_and_rest_from_pad() {
        let top = u128::MAX;
        let pad = 0;
        assert_eq!(Anonymizer::block_input(top, pad, 0), 0);
        assert_eq!(Anonymizer::block_input(top, pad, 1), 1 << 127);
        assert_eq!(Anonymizer::block_input(top, pad, 8), 0xFF << 120);
        assert_eq!(Anonymizer::block_input(top, pad, 127), u128::MAX - 1);
        assert_eq!(Anonymizer::block_input(0, u128::MAX, 4), u128::MAX >> 4);
    }

    #[test]
    fn padding_block_is_the_encrypted_second_half_of_the_key() {
        // FIPS-197 appendix C.1: AES-128 with key 000102..0f encrypts
        // 00112233445566778899aabbccddeeff to 69c4e0d86a7b0430d8cdb78070b4c55a.
        let mut key = [0u8; 32];
        for (i, k) in key[..16].iter_mut().enumerate() {
            *k = i as u8;
        }
        for (i, k) in key[16..].iter_mut().enumerate() {
            *k = (i as u8) * 0x11;
        }
        let a = Anonymizer::from_key(&key);
        assert_eq!(a.pad, 0x69c4e0d86a7b0430d8cdb78070b4c55a);
    }

    #[test]
    fn debug_output_hides_the_key() {
        let a = Anonymizer::from_key(&[0xAB; 32]);
        let s = format!("{a:?}");
        assert_eq!(s, "Anonymizer { .. }");
    }
}
