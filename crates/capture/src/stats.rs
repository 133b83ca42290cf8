//! Counters a reader keeps while reading: frames yielded and blocks skipped.

/// What a reader has read so far.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReadStats {
    /// Frames yielded.
    pub frames: u64,
    /// Sum of captured lengths of the frames yielded.
    pub captured_bytes: u64,
    /// Sum of original (wire) lengths of the frames yielded.
    pub wire_bytes: u64,
    /// Frames whose captured length is shorter than their wire length (cut by snaplen).
    pub snapped_frames: u64,
    /// pcapng Section Header Blocks read (0 for classic pcap).
    pub sections: u64,
    /// pcapng Interface Description Blocks read (0 for classic pcap).
    pub interfaces: u64,
    /// pcapng blocks that carry no frames and were skipped, by kind.
    pub skipped: SkippedBlocks,
}

/// pcapng blocks skipped (read, checked for length, not interpreted), by kind.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SkippedBlocks {
    /// Name Resolution Blocks (type 4).
    pub name_resolution: u64,
    /// Interface Statistics Blocks (type 5).
    pub interface_statistics: u64,
    /// Decryption Secrets Blocks (type 10).
    pub decryption_secrets: u64,
    /// systemd Journal Export Blocks (type 9).
    pub journal_export: u64,
    /// Custom Blocks (types 0x00000BAD and 0x40000BAD).
    pub custom: u64,
    /// Any other block type (obsolete, reserved, local use, unknown).
    pub other: u64,
}

impl SkippedBlocks {
    /// Total number of blocks skipped, all kinds together.
    pub fn total(&self) -> u64 {
        self.name_resolution
            + self.interface_statistics
            + self.decryption_secrets
            + self.journal_export
            + self.custom
            + self.other
    }

    /// Count one skipped block of pcapng block type `block_type`.
    pub(crate) fn count(&mut self, block_type: u32) {
        let slot = match block_type {
            4 => &mut self.name_resolution,
            5 => &mut self.interface_statistics,
            9 => &mut self.journal_export,
            10 => &mut self.decryption_secrets,
            0x0000_0BAD | 0x4000_0BAD => &mut self.custom,
            _ => &mut self.other,
        };
        *slot += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_by_kind() {
        let mut s = SkippedBlocks::default();
        for t in [4, 5, 5, 9, 10, 0xBAD, 0x4000_0BAD, 3, 0x8000_0001] {
            s.count(t);
        }
        assert_eq!(s.name_resolution, 1);
        assert_eq!(s.interface_statistics, 2);
        assert_eq!(s.journal_export, 1);
        assert_eq!(s.decryption_secrets, 1);
        assert_eq!(s.custom, 2);
        assert_eq!(s.other, 2);
        assert_eq!(s.total(), 9);
    }
}
