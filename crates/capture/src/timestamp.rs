//! Timestamp conversion to nanoseconds since the Unix epoch.
//!
//! Classic pcap stores seconds + micro/nanoseconds; pcapng stores a 64-bit
//! count of units whose size is the interface's `if_tsresol` (a negative power
//! of 10 or of 2), shifted by `if_tsoffset` seconds. Results saturate at the
//! i64 range instead of overflowing.

const NS_PER_S: i128 = 1_000_000_000;

/// How to turn a pcapng interface's timestamp units into nanoseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TsScale {
    /// Units are 10^-k s with k <= 9: multiply by 10^(9-k).
    Mul(u64),
    /// Units are 10^-k s with 9 < k <= 47: divide by 10^(k-9) (at most 10^38, fits in u128).
    Div(u128),
    /// Units are 2^-k s: multiply by 10^9 and shift right by k.
    Pow2(u32),
    /// Units of 10^-48 s or less: any 64-bit count is below 1 ns.
    Zero,
}

impl TsScale {
    /// Microseconds, the pcapng default when an interface has no `if_tsresol`.
    pub(crate) const MICROS: TsScale = TsScale::Mul(1_000);

    /// Decode the one-byte `if_tsresol` option value.
    pub(crate) fn from_tsresol(v: u8) -> TsScale {
        let exp = u32::from(v & 0x7f);
        if v & 0x80 != 0 {
            TsScale::Pow2(exp)
        } else if exp <= 9 {
            TsScale::Mul(10u64.pow(9 - exp))
        } else if exp - 9 <= 38 {
            TsScale::Div(10u128.pow(exp - 9))
        } else {
            TsScale::Zero
        }
    }

    /// Nanoseconds since the epoch for `units` timestamp units plus `offset_s` seconds.
    pub(crate) fn to_ns(self, units: u64, offset_s: i64) -> i64 {
        let ns: i128 = match self {
            TsScale::Mul(m) => i128::from(units) * i128::from(m),
            TsScale::Div(d) => (u128::from(units) / d) as i128,
            // units < 2^64 and 10^9 < 2^30, so the product fits in 94 bits.
            TsScale::Pow2(k) => ((u128::from(units) * 1_000_000_000u128) >> k) as i128,
            TsScale::Zero => 0,
        };
        saturate(ns + i128::from(offset_s) * NS_PER_S)
    }
}

/// Nanoseconds for a classic pcap timestamp: `sec` seconds plus `frac`
/// fractional units of `frac_ns` nanoseconds each (1000 for µs, 1 for ns).
/// Fractions out of range (>= 1 s) are added as they are, like libpcap does.
pub(crate) fn pcap_ns(sec: u32, frac: u32, frac_ns: u32) -> i64 {
    // u32::MAX * 10^9 + u32::MAX * 1000 < i64::MAX: no overflow possible.
    i64::from(sec) * 1_000_000_000 + i64::from(frac) * i64::from(frac_ns)
}

fn saturate(v: i128) -> i64 {
    v.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pcap_micro_and_nano() {
        assert_eq!(pcap_ns(1, 500_000, 1000), 1_500_000_000);
        assert_eq!(pcap_ns(2, 7, 1), 2_000_000_007);
        assert_eq!(
            pcap_ns(u32::MAX, u32::MAX, 1000),
            4_294_967_295_000_000_000 + 4_294_967_295_000
        );
    }

    #[test]
    fn decimal_resolutions() {
        // default microseconds
        assert_eq!(
            TsScale::MICROS.to_ns(1_500_000_123_456, 0),
            1_500_000_123_456_000
        );
        assert_eq!(TsScale::from_tsresol(6), TsScale::MICROS);
        // nanoseconds: identity
        assert_eq!(TsScale::from_tsresol(9).to_ns(123_456_789, 0), 123_456_789);
        // seconds
        assert_eq!(TsScale::from_tsresol(0).to_ns(3, 0), 3_000_000_000);
        // milliseconds
        assert_eq!(TsScale::from_tsresol(3).to_ns(1_234, 0), 1_234_000_000);
        // picoseconds truncate toward zero
        assert_eq!(TsScale::from_tsresol(12).to_ns(1_234_567, 0), 1_234);
        // 10^-127: every 64-bit count is < 1 ns
        assert_eq!(TsScale::from_tsresol(127).to_ns(u64::MAX, 0), 0);
        assert_eq!(TsScale::from_tsresol(127), TsScale::Zero);
        // 10^-47 is the largest divisor kept; 10^-48 is Zero
        assert_eq!(TsScale::from_tsresol(47).to_ns(u64::MAX, 0), 0);
        assert_eq!(TsScale::from_tsresol(48), TsScale::Zero);
        assert_eq!(TsScale::from_tsresol(28).to_ns(u64::MAX, 0), 1);
        assert_eq!(TsScale::from_tsresol(29).to_ns(u64::MAX, 0), 0);
        assert_eq!(TsScale::from_tsresol(19).to_ns(u64::MAX, 0), 1_844_674_407);
    }

    #[test]
    fn binary_resolutions() {
        // 2^-10 s units: 5.5 s = 5632 units
        assert_eq!(
            TsScale::from_tsresol(0x8a).to_ns(5 * 1024 + 512, 0),
            5_500_000_000
        );
        // 2^0: seconds
        assert_eq!(TsScale::from_tsresol(0x80).to_ns(7, 0), 7_000_000_000);
        // 2^-30: one unit is 0.93 ns -> 0
        assert_eq!(TsScale::from_tsresol(0x9e).to_ns(1, 0), 0);
        assert_eq!(TsScale::from_tsresol(0x9e).to_ns(1 << 30, 0), 1_000_000_000);
        // 2^-127 never overflows
        assert_eq!(TsScale::from_tsresol(0xff).to_ns(u64::MAX, 0), 0);
    }

    #[test]
    fn offset_and_saturation() {
        assert_eq!(TsScale::MICROS.to_ns(1_000_000, 100), 101_000_000_000);
        assert_eq!(TsScale::MICROS.to_ns(0, -1), -1_000_000_000);
        assert_eq!(TsScale::from_tsresol(0).to_ns(u64::MAX, 0), i64::MAX);
        assert_eq!(TsScale::MICROS.to_ns(0, i64::MIN), i64::MIN);
    }
}
