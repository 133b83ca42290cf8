//! Which timestamps can drive time: spans, bins, rates, detours and handshakes.
//!
//! A frame's timestamp is *untimed* when it carries none (a pcapng Simple Packet Block,
//! written as 0), or one before 1990 or more than a day in the future of the machine's
//! clock. Within one input, a timestamp more than the reorder tolerance behind the newest
//! one is an *outlier* (a clock stepped back, a corrupt record), and so is a lone jump
//! forward by more than a day: two consecutive timed packets past the jump (within the
//! tolerance of each other) say the capture really went on later, and the second is
//! accepted. Untimed packets and outliers still count in every matrix; they only do not
//! move time.

use std::time::{SystemTime, UNIX_EPOCH};

/// 1990-01-01T00:00:00Z in ns since the epoch.
const EARLIEST_NS: i64 = 631_152_000_000_000_000;
/// One day in ns.
const DAY_NS: i64 = 86_400_000_000_000;

/// The verdict on one timestamp.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stamp {
    /// Usable.
    Timed,
    /// None, zero, or absurd.
    Untimed,
    /// Far outside the input's flow of time.
    Outlier,
}

/// Checks the timestamps of one input in order.
#[derive(Clone, Debug)]
pub struct TimeGate {
    latest_ok: i64,
    newest: Option<i64>,
    reorder_ns: i64,
    jump_ns: i64,
    suspect: Option<i64>,
}

impl TimeGate {
    /// A gate for a new input, tolerating `reorder_ns` of reordering.
    pub fn new(reorder_ns: i64) -> TimeGate {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(i64::MAX / 2, |d| d.as_nanos() as i64);
        TimeGate {
            latest_ok: now.saturating_add(DAY_NS),
            newest: None,
            reorder_ns: reorder_ns.max(0),
            jump_ns: DAY_NS,
            suspect: None,
        }
    }

    /// The verdict on the next frame's timestamp.
    pub fn check(&mut self, ts: i64) -> Stamp {
        if !(EARLIEST_NS..=self.latest_ok).contains(&ts) {
            return Stamp::Untimed;
        }
        let Some(newest) = self.newest else {
            self.newest = Some(ts);
            return Stamp::Timed;
        };
        if ts < newest - self.reorder_ns {
            self.suspect = None;
            return Stamp::Outlier;
        }
        if ts > newest.saturating_add(self.jump_ns) {
            match self.suspect {
                Some(s) if (ts - s).abs() <= self.reorder_ns.max(1_000_000_000) => {
                    self.suspect = None;
                    self.newest = Some(ts);
                    return Stamp::Timed;
                }
                _ => {
                    self.suspect = Some(ts);
                    return Stamp::Outlier;
                }
            }
        }
        self.suspect = None;
        if ts > newest {
            self.newest = Some(ts);
        }
        Stamp::Timed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: i64 = 1_000_000_000;
    const T0: i64 = 1_700_000_000 * S;

    #[test]
    fn zero_and_absurd_are_untimed() {
        let mut g = TimeGate::new(2 * S);
        assert_eq!(g.check(0), Stamp::Untimed);
        assert_eq!(g.check(EARLIEST_NS - 1), Stamp::Untimed);
        assert_eq!(g.check(i64::MAX), Stamp::Untimed);
        assert_eq!(g.check(T0), Stamp::Timed);
    }

    #[test]
    fn backwards_beyond_tolerance_is_an_outlier() {
        let mut g = TimeGate::new(2 * S);
        assert_eq!(g.check(T0), Stamp::Timed);
        assert_eq!(g.check(T0 + 10 * S), Stamp::Timed);
        assert_eq!(g.check(T0 + 9 * S), Stamp::Timed); // 1 s back: reordering
        assert_eq!(g.check(T0 + 5 * S), Stamp::Outlier); // 5 s back
        assert_eq!(g.check(T0 + 11 * S), Stamp::Timed);
    }

    #[test]
    fn a_lone_jump_is_an_outlier_a_confirmed_one_is_a_gap() {
        let mut g = TimeGate::new(2 * S);
        assert_eq!(g.check(T0), Stamp::Timed);
        assert_eq!(g.check(T0 + 30 * DAY_NS), Stamp::Outlier); // lone
        assert_eq!(g.check(T0 + S), Stamp::Timed); // back to normal
        assert_eq!(g.check(T0 + 3 * DAY_NS), Stamp::Outlier); // a real gap: first packet
        assert_eq!(g.check(T0 + 3 * DAY_NS + S), Stamp::Timed); // confirmed
        assert_eq!(g.check(T0 + 3 * DAY_NS + 2 * S), Stamp::Timed);
        assert_eq!(g.check(T0 + 2 * S), Stamp::Outlier); // now far behind
    }
}
