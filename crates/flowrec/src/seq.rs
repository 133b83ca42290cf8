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

/// The event for `seq` when `expected` was due.
fn event(expected: u32, seq: u32) -> SeqEvent {
    let ahead = seq.wrapping_sub(expected);
    if ahead == 0 {
        SeqEvent::InOrder
    } else if ahead < MAX_GAP {
        SeqEvent::Gap(u64::from(ahead))
    } else {
        SeqEvent::Reset
    }
}

impl SeqTracker {
    /// Compares `seq` with what was expected, then expects `seq + advance`
    /// next (`advance` None: the count is unknown, so the next number is not checked).
    pub(crate) fn observe(&mut self, seq: u32, advance: Option<u32>) -> SeqEvent {
        let ev = match self.expected {
            None => SeqEvent::First,
            Some(e) => event(e, seq),
        };
        self.expected = advance.map(|a| seq.wrapping_add(a));
        ev
    }
}

/// IPFIX exporters that number a message by the data records sent *including* its own.
///
/// RFC 7011 (section 3.1): the sequence number is the count, modulo 2^32, of the data
/// records sent in the stream from the observation domain *before* this message. softflowd
/// 1.1.0 sends the count including the message's own flow records (its options data
/// records not counted): its first message carries its own record count, and every
/// message the previous number plus its own records. Read by the RFC, that is a false gap
/// or reset wherever two neighbouring messages hold different numbers of records.
///
/// A stream is read that way only with both signs: its first message numbered by its own
/// (non-zero) flow-record count — an RFC exporter's first message says 0 — and then a
/// message that is out of order by the RFC but exactly in order counted that way. From
/// then on its numbers are checked that way, so a message lost is still a gap of its
/// records. A stream joined in the middle shows no first sign and is read by the RFC.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct OwnCount {
    /// The previous message's number (None: none yet, or its records were not counted).
    prev: Option<u32>,
    /// Messages seen (saturating at 2).
    seen: u8,
    /// The first message was numbered by its own flow records.
    first_sign: bool,
    /// The stream numbers its messages this way.
    pub(crate) latched: bool,
}

impl OwnCount {
    /// The event for message `seq` holding `own` flow records (None: not all counted),
    /// given `rfc`, what the RFC reading ([`SeqTracker`]) said. True in the second value
    /// when this message latched the stream.
    pub(crate) fn observe(
        &mut self,
        seq: u32,
        own: Option<u32>,
        rfc: SeqEvent,
    ) -> (SeqEvent, bool) {
        let prev = std::mem::replace(&mut self.prev, own.map(|_| seq));
        let first = self.seen == 0;
        self.seen = self.seen.saturating_add(1).min(2);
        let Some(own) = own else {
            return (if self.latched { SeqEvent::First } else { rfc }, false);
        };
        if first {
            self.first_sign = own > 0 && seq == own;
            return (rfc, false);
        }
        let Some(p) = prev else {
            return (if self.latched { SeqEvent::First } else { rfc }, false);
        };
        let counted = event(p.wrapping_add(own), seq);
        if self.latched {
            return (counted, false);
        }
        if self.first_sign && rfc != SeqEvent::InOrder && counted == SeqEvent::InOrder {
            self.latched = true;
            return (SeqEvent::InOrder, true);
        }
        (rfc, false)
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

    /// Runs messages (seq, all data records, flow records) through both readings.
    fn run(msgs: &[(u32, u32, u32)]) -> (Vec<SeqEvent>, bool) {
        let (mut t, mut o) = (SeqTracker::default(), OwnCount::default());
        let evs = msgs
            .iter()
            .map(|&(seq, all, own)| o.observe(seq, Some(own), t.observe(seq, Some(all))).0)
            .collect();
        (evs, o.latched)
    }

    #[test]
    fn own_count_numbering() {
        use SeqEvent::*;
        // softflowd-ipfix.pcap by tshark: FlowSequence 22, 55, 85, 117 with 23 (22 flows
        // and 1 options record), 33, 30, 32 data records
        let sf = [(22, 23, 22), (55, 33, 33), (85, 30, 30), (117, 32, 32)];
        assert_eq!(run(&sf), (vec![First, InOrder, InOrder, InOrder], true));
        // the same with the message of 30 records lost: a gap of 30 records
        let lost = [(22, 23, 22), (55, 33, 33), (117, 32, 32)];
        assert_eq!(run(&lost), (vec![First, InOrder, Gap(30)], true));
        // an RFC exporter (first message 0): a loss of 30 records where the next message
        // holds exactly 30 more than the one before is still a gap
        let rfc = [(0, 10, 10), (10, 5, 5), (45, 35, 35)];
        assert_eq!(run(&rfc), (vec![First, InOrder, Gap(30)], false));
        // joined in the middle (no first sign): read by the RFC
        let mid = [(500, 10, 10), (520, 20, 20)];
        assert_eq!(run(&mid), (vec![First, Gap(10)], false));
        // the first sign alone latches nothing while the RFC reading holds
        let both = [(5, 5, 5), (10, 5, 5), (15, 5, 5)];
        assert_eq!(run(&both), (vec![First, InOrder, InOrder], false));
    }
}
