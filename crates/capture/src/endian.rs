//! Reading fixed-width integers in a file's byte order from byte slices.
//!
//! Callers check lengths first; these helpers take fixed-size windows with
//! `get`, so an out-of-range read yields 0 instead of panicking (it cannot
//! happen when the caller's length checks are right, and must not crash when
//! they are wrong).

/// A file's (or pcapng section's) byte order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Endian {
    /// Least significant byte first.
    Little,
    /// Most significant byte first.
    Big,
}

impl Endian {
    /// The u16 at `b[at..at + 2]`.
    pub(crate) fn u16(self, b: &[u8], at: usize) -> u16 {
        let a: [u8; 2] = window(b, at);
        match self {
            Endian::Little => u16::from_le_bytes(a),
            Endian::Big => u16::from_be_bytes(a),
        }
    }

    /// The u32 at `b[at..at + 4]`.
    pub(crate) fn u32(self, b: &[u8], at: usize) -> u32 {
        let a: [u8; 4] = window(b, at);
        match self {
            Endian::Little => u32::from_le_bytes(a),
            Endian::Big => u32::from_be_bytes(a),
        }
    }

    /// The i64 at `b[at..at + 8]`.
    pub(crate) fn i64(self, b: &[u8], at: usize) -> i64 {
        let a: [u8; 8] = window(b, at);
        match self {
            Endian::Little => i64::from_le_bytes(a),
            Endian::Big => i64::from_be_bytes(a),
        }
    }
}

fn window<const N: usize>(b: &[u8], at: usize) -> [u8; N] {
    b.get(at..at.saturating_add(N))
        .and_then(|s| s.try_into().ok())
        .unwrap_or([0; N])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_orders() {
        let b = [0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08];
        assert_eq!(Endian::Little.u16(&b, 1), 0x0302);
        assert_eq!(Endian::Big.u16(&b, 1), 0x0203);
        assert_eq!(Endian::Little.u32(&b, 0), 0x0403_0201);
        assert_eq!(Endian::Big.u32(&b, 4), 0x0506_0708);
        assert_eq!(Endian::Little.i64(&b, 0), 0x0807_0605_0403_0201);
        assert_eq!(Endian::Big.i64(&[0xff; 8], 0), -1);
    }

    #[test]
    fn out_of_range_is_zero_not_panic() {
        let b = [1, 2, 3];
        assert_eq!(Endian::Little.u32(&b, 0), 0);
        assert_eq!(Endian::Big.u16(&b, usize::MAX), 0);
    }
}
