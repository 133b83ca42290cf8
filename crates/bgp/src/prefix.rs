//! IP prefixes as compact keys (host bits always cleared).

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

/// An IPv4 or IPv6 prefix: network address (host bits cleared) and length.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Prefix {
    /// IPv4: address in host order and length 0..=32.
    V4(u32, u8),
    /// IPv6: address in host order and length 0..=128.
    V6(u128, u8),
}

/// Mask of the top `len` bits of a `bits`-bit address, as a `u128`.
fn mask(len: u8, bits: u32) -> u128 {
    let len = u32::from(len).min(bits);
    if len == 0 {
        return 0;
    }
    let all = if bits == 128 {
        u128::MAX
    } else {
        (1u128 << bits) - 1
    };
    let host = bits - len;
    if host == 0 {
        all
    } else {
        all & !((1u128 << host) - 1)
    }
}

impl Prefix {
    /// An IPv4 prefix (host bits are cleared); `None` if `len > 32`.
    pub fn v4(addr: u32, len: u8) -> Option<Prefix> {
        (len <= 32).then(|| Prefix::V4((u128::from(addr) & mask(len, 32)) as u32, len))
    }

    /// An IPv6 prefix (host bits are cleared); `None` if `len > 128`.
    pub fn v6(addr: u128, len: u8) -> Option<Prefix> {
        (len <= 128).then(|| Prefix::V6(addr & mask(len, 128), len))
    }

    /// A prefix from an address and length (host bits are cleared); `None` if too long.
    pub fn new(addr: IpAddr, len: u8) -> Option<Prefix> {
        match addr {
            IpAddr::V4(a) => Prefix::v4(u32::from(a), len),
            IpAddr::V6(a) => Prefix::v6(u128::from(a), len),
        }
    }

    /// The prefix length.
    pub fn len(&self) -> u8 {
        match *self {
            Prefix::V4(_, l) | Prefix::V6(_, l) => l,
        }
    }

    /// True for the zero-length (default) prefix.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// True for IPv4.
    pub fn is_v4(&self) -> bool {
        matches!(self, Prefix::V4(..))
    }

    /// The network address.
    pub fn addr(&self) -> IpAddr {
        match *self {
            Prefix::V4(a, _) => IpAddr::V4(Ipv4Addr::from(a)),
            Prefix::V6(a, _) => IpAddr::V6(Ipv6Addr::from(a)),
        }
    }

    /// The last address covered, as a `u128` (IPv4 in the low 32 bits).
    pub fn last_u128(&self) -> u128 {
        match *self {
            Prefix::V4(a, l) => u128::from(a) | (!mask(l, 32) & u128::from(u32::MAX)),
            Prefix::V6(a, l) => a | !mask(l, 128),
        }
    }

    /// True if `ip` lies inside the prefix (same family only).
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (*self, ip) {
            (Prefix::V4(a, l), IpAddr::V4(x)) => {
                u128::from(u32::from(x)) & mask(l, 32) == u128::from(a)
            }
            (Prefix::V6(a, l), IpAddr::V6(x)) => u128::from(x) & mask(l, 128) == a,
            _ => false,
        }
    }
}

impl fmt::Display for Prefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr(), self.len())
    }
}

impl FromStr for Prefix {
    type Err = String;

    /// Parses `addr/len`; host bits must be clear.
    fn from_str(s: &str) -> Result<Prefix, String> {
        let (a, l) = s
            .split_once('/')
            .ok_or_else(|| format!("no '/' in {s:?}"))?;
        let addr: IpAddr = a.parse().map_err(|e| format!("{s:?}: {e}"))?;
        let len: u8 = l.parse().map_err(|e| format!("{s:?}: {e}"))?;
        let p = Prefix::new(addr, len).ok_or_else(|| format!("{s:?}: length too long"))?;
        if p.addr() != addr {
            return Err(format!("{s:?}: host bits set"));
        }
        Ok(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_and_formats() {
        assert_eq!(
            Prefix::v4(0x0a01_02ff, 24),
            Some(Prefix::V4(0x0a01_0200, 24))
        );
        assert_eq!(Prefix::v4(1, 33), None);
        assert_eq!(Prefix::v4(0xffff_ffff, 0), Some(Prefix::V4(0, 0)));
        let p: Prefix = "2001:db8::/32".parse().unwrap();
        assert_eq!(p.to_string(), "2001:db8::/32");
        assert!(p.contains("2001:db8::1".parse().unwrap()));
        assert!(!p.contains("2001:db9::1".parse().unwrap()));
        assert!(!p.contains("1.1.1.1".parse().unwrap()));
        assert!("10.0.0.1/24".parse::<Prefix>().is_err());
        let q: Prefix = "10.0.0.0/8".parse().unwrap();
        assert_eq!(q.last_u128(), 0x0aff_ffff);
        assert_eq!(Prefix::v6(u128::MAX, 128).unwrap().last_u128(), u128::MAX);
    }
}
