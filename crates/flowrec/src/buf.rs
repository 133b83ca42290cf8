//! A bounds-checked big-endian reader over a byte slice: every read either
//! returns the value or `None`, never panics.

/// A cursor over borrowed bytes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Reader<'a> {
    buf: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(crate) fn new(buf: &'a [u8]) -> Reader<'a> {
        Reader { buf }
    }

    /// Bytes left.
    pub(crate) fn remaining(&self) -> usize {
        self.buf.len()
    }

    /// The bytes not yet read.
    pub(crate) fn rest(&self) -> &'a [u8] {
        self.buf
    }

    /// Takes the next `n` bytes.
    pub(crate) fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.buf.len() {
            return None;
        }
        let (head, tail) = self.buf.split_at(n);
        self.buf = tail;
        Some(head)
    }

    /// Skips `n` bytes.
    pub(crate) fn skip(&mut self, n: usize) -> Option<()> {
        self.take(n).map(|_| ())
    }

    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        let b = self.take(N)?;
        let mut a = [0u8; N];
        a.copy_from_slice(b);
        Some(a)
    }

    pub(crate) fn u8(&mut self) -> Option<u8> {
        self.array::<1>().map(|a| a[0])
    }

    pub(crate) fn u16(&mut self) -> Option<u16> {
        self.array().map(u16::from_be_bytes)
    }

    pub(crate) fn u32(&mut self) -> Option<u32> {
        self.array().map(u32::from_be_bytes)
    }

    pub(crate) fn u128(&mut self) -> Option<u128> {
        self.array().map(u128::from_be_bytes)
    }
}

/// An unsigned big-endian integer of 1 to 8 bytes (IPFIX reduced-size
/// encoding, RFC 7011 §6.2); `None` for other lengths.
#[inline]
pub(crate) fn be_uint(b: &[u8]) -> Option<u64> {
    match *b {
        [a] => Some(u64::from(a)),
        [a, b] => Some(u64::from(u16::from_be_bytes([a, b]))),
        [a, b, c, d] => Some(u64::from(u32::from_be_bytes([a, b, c, d]))),
        [a, b, c, d, e, f, g, h] => Some(u64::from_be_bytes([a, b, c, d, e, f, g, h])),
        _ if b.is_empty() || b.len() > 8 => None,
        _ => Some(b.iter().fold(0u64, |v, &x| (v << 8) | u64::from(x))),
    }
}

/// XDR rounds opaque data up to a multiple of 4 bytes.
#[inline]
pub(crate) fn pad4(n: usize) -> usize {
    n.saturating_add(3) & !3
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_are_big_endian_and_bounded() {
        let mut r = Reader::new(&[1, 2, 3, 4, 5, 6, 7]);
        assert_eq!(r.u16(), Some(0x0102));
        assert_eq!(r.u32(), Some(0x0304_0506));
        assert_eq!(r.u32(), None);
        assert_eq!(r.remaining(), 1);
        assert_eq!(r.u8(), Some(7));
        assert_eq!(r.u8(), None);
    }

    #[test]
    fn reduced_size_unsigned() {
        assert_eq!(be_uint(&[0x12]), Some(0x12));
        assert_eq!(be_uint(&[1, 0, 0]), Some(0x10000));
        assert_eq!(be_uint(&[0; 9]), None);
        assert_eq!(be_uint(&[]), None);
        assert_eq!(pad4(70), 72);
        assert_eq!(pad4(72), 72);
        assert_eq!(pad4(usize::MAX), usize::MAX & !3);
    }
}
