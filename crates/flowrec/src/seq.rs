//! Sequence-number gap tracking for one exporter stream.

/// What one sequence number said.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SeqEvent {
    /// The first number seen, or one after an unknown count: nothing to compare with.
    First,
    /// As expected.
    InOrder,
    /// This many numbers were skipped (lost datagrams or records).
    Gap(u64),
    /// The number went back: the exporter restarted, or datagrams were reordered.
    Reset,
}

/// The next sequence number a stream should send.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct SeqTracker {
    expected: Option<u32>,
}

/// A jump forward of more than this is taken for a restart, not a loss.
const MAX_GAP: u32 = 1 << 30;

impl SeqTracker {
    /// Compares `seq` with what was expected, then expects `seq + advance`
    /// next (`advance` None: the count is unknown, so the next number is not checked).
    pub(crate) fn observe(&mut self, seq: u32, advance: Option<u32>) -> SeqEvent {
        let ev = match self.expected {
            None => SeqEvent::First,
            Some(e) if e == seq => SeqEvent::InOrder,
            Some(e) => {
                let ahead = seq.wrapping_sub(e);
                if ahead < MAX_GAP {
                    SeqEvent::Gap(u64::from(ahead))
                } else {
                    SeqEvent::Reset
                }
            }
        };
        self.expected = advance.map(|a| seq.wrapping_add(a));
        ev
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaps_resets_and_wrap() {
        let mut t = SeqTracker::default();
        assert_eq!(t.observe(10, Some(1)), SeqEvent::First);
        assert_eq!(t.observe(11, Some(1)), SeqEvent::InOrder);
        assert_eq!(t.observe(15, Some(1)), SeqEvent::Gap(3));
        assert_eq!(t.observe(2, Some(1)), SeqEvent::Reset);
        assert_eq!(t.observe(3, Some(5)), SeqEvent::InOrder);
        assert_eq!(t.observe(8, None), SeqEvent::InOrder);
        assert_eq!(t.observe(100, Some(1)), SeqEvent::First);
        let mut t = SeqTracker::default();
        t.observe(u32::MAX, Some(1));
        assert_eq!(t.observe(0, Some(1)), SeqEvent::InOrder);
        assert_eq!(t.observe(3, Some(1)), SeqEvent::Gap(2));
    }
}
