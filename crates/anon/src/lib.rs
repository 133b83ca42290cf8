//! Prefix-preserving anonymisation of IPv4 and IPv6 addresses with Crypto-PAn.
//!
//! Crypto-PAn (J. Xu, J. Fan, M. Ammar, S. Moon, "Prefix-Preserving IP Address
//! Anonymization: Measurement-based Security Evaluation and a New
//! Cryptography-based Scheme", ICNP 2002) maps every address to another one so
//! that two addresses sharing exactly a `k`-bit prefix map to two addresses
//! sharing exactly a `k`-bit prefix. Subnet structure survives (so aggregates
//! by prefix stay meaningful) while the real addresses cannot be read back
//! without the key. The same key gives the same mapping on every run and at
//! every site, so anonymised outputs from several probes can be joined.
//!
//! The key is 32 bytes: the first 16 are the AES-128 key, the last 16 a secret
//! that is encrypted once into the padding block. Output bit `i` of an address
//! is its input bit `i` XOR the first bit of `AES(first i bits of the address,
//! then the padding block's remaining bits)`. IPv4 and IPv6 use the same
//! construction over 32 and 128 bits (an IPv4 address is placed in the top 32
//! bits of the block), which is what the reference implementation and the
//! maintained ports (Go, Python, C#, Node) do, so their test vectors apply.
//!
//! ```
//! use std::net::IpAddr;
//! use trombone_anon::Anonymizer;
//!
//! let a = Anonymizer::from_key(&[7; 32]);
//! let x: IpAddr = "192.0.2.1".parse().unwrap();
//! let y: IpAddr = "192.0.2.200".parse().unwrap();
//! let (ax, ay) = (a.anonymize(x), a.anonymize(y));
//! // Same key, same answer; the shared /24 is still shared after anonymisation.
//! assert_eq!(ax, a.anonymize(x));
//! match (ax, ay) {
//!     (IpAddr::V4(p), IpAddr::V4(q)) => assert_eq!(p.octets()[..3], q.octets()[..3]),
//!     _ => unreachable!(),
//! }
//! ```
//!
//! Key files ([`Anonymizer::from_key_file`]) hold either exactly 32 raw bytes
//! or 64 hexadecimal digits (surrounding whitespace, such as a final newline,
//! is ignored). Generate one with `head -c 32 /dev/urandom > trombone.key` or
//! `openssl rand -hex 32 > trombone.key`, and keep it private: anyone holding
//! it can test guesses of the original addresses.

#![warn(missing_docs)]

mod anonymizer;
mod key_file;

pub use anonymizer::Anonymizer;
pub use key_file::{parse_key, KEY_LEN};
