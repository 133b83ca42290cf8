//! Counters of what the decoder saw, and why it refused what it refused.

use std::fmt;

/// Why (part of) a datagram could not be decoded. Each is counted in
/// [`Stats::errors`]; the datagram's records decoded before the error are kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DecodeError {
    /// Shorter than its protocol's header.
    TooShort,
    /// Neither sFlow v5 nor NetFlow v5/v9/IPFIX.
    UnknownVersion,
    /// sFlow agent or next-hop address type other than 0, 1 (IPv4), 2 (IPv6).
    SflowAddressType,
    /// An sFlow sample runs past the end of the datagram or is shorter than its fields.
    SflowSampleTruncated,
    /// An sFlow flow or counter record runs past the end of its sample or is shorter than its fields.
    SflowRecordTruncated,
    /// More sFlow samples or records announced than there were bytes for.
    SflowCount,
    /// NetFlow v5 record count 0 or above 30, or the datagram shorter than the count says.
    V5Count,
    /// IPFIX message length differs from the datagram length.
    IpfixLength,
    /// A NetFlow v9 flowset or IPFIX set shorter than 4 bytes or running past the end.
    SetLength,
    /// Set id 2..=255 in NetFlow v9 (0, 1 are templates) or 0, 1, 4..=255 in IPFIX.
    ReservedSetId,
    /// A template or options template record cut short, with a template id
    /// below 256, no fields, a zero-length field, or options scope lengths that do not add up.
    BadTemplate,
    /// The exporter already has `Limits::max_templates_per_stream` templates.
    TooManyTemplates,
    /// `Limits::max_streams` (exporter, domain) pairs are already tracked.
    TooManyStreams,
    /// A data record's variable-length field runs past the end of its set.
    RecordTruncated,
}

impl DecodeError {
    /// Every error kind, in `index` order.
    pub const ALL: [DecodeError; 14] = [
        DecodeError::TooShort,
        DecodeError::UnknownVersion,
        DecodeError::SflowAddressType,
        DecodeError::SflowSampleTruncated,
        DecodeError::SflowRecordTruncated,
        DecodeError::SflowCount,
        DecodeError::V5Count,
        DecodeError::IpfixLength,
        DecodeError::SetLength,
        DecodeError::ReservedSetId,
        DecodeError::BadTemplate,
        DecodeError::TooManyTemplates,
        DecodeError::TooManyStreams,
        DecodeError::RecordTruncated,
    ];

    /// Position in [`DecodeError::ALL`] and [`Stats::errors`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// A short snake_case name, for logs and JSON keys.
    pub fn name(self) -> &'static str {
        match self {
            DecodeError::TooShort => "too_short",
            DecodeError::UnknownVersion => "unknown_version",
            DecodeError::SflowAddressType => "sflow_address_type",
            DecodeError::SflowSampleTruncated => "sflow_sample_truncated",
            DecodeError::SflowRecordTruncated => "sflow_record_truncated",
            DecodeError::SflowCount => "sflow_count",
            DecodeError::V5Count => "v5_count",
            DecodeError::IpfixLength => "ipfix_length",
            DecodeError::SetLength => "set_length",
            DecodeError::ReservedSetId => "reserved_set_id",
            DecodeError::BadTemplate => "bad_template",
            DecodeError::TooManyTemplates => "too_many_templates",
            DecodeError::TooManyStreams => "too_many_streams",
            DecodeError::RecordTruncated => "record_truncated",
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::error::Error for DecodeError {}

/// Everything the decoder counted since it was made.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Datagrams given to `decode`.
    pub datagrams: u64,
    /// Their bytes.
    pub bytes: u64,
    /// Datagrams by protocol: sFlow v5.
    pub sflow_datagrams: u64,
    /// NetFlow v5 datagrams.
    pub v5_datagrams: u64,
    /// NetFlow v9 datagrams.
    pub v9_datagrams: u64,
    /// IPFIX messages.
    pub ipfix_datagrams: u64,
    /// Datagrams with at least one error (each error is also counted by reason in `errors`).
    pub bad_datagrams: u64,
    /// Errors by reason, indexed by [`DecodeError::index`].
    pub errors: [u64; DecodeError::ALL.len()],

    /// sFlow flow samples (format 1 and 3) handed out as `Record::PacketSample`.
    pub packet_samples: u64,
    /// sFlow flow samples whose raw header used a header protocol with no pcap LINKTYPE here (still handed out, `linktype` None).
    pub unsupported_header_protocol: u64,
    /// sFlow flow samples without a raw packet header record (still handed out, `header` empty).
    pub samples_without_header: u64,
    /// sFlow counter samples (format 2 and 4).
    pub counter_samples: u64,
    /// Generic interface counter records handed out as `Record::Counters`.
    pub counter_records: u64,
    /// sFlow samples of other formats or enterprises, skipped by their length.
    pub skipped_samples: u64,
    /// sFlow flow and counter records of other formats, skipped by their length.
    pub skipped_records: u64,

    /// Flow records handed out as `Record::Flow` (NetFlow v5, v9, IPFIX; late ones included).
    pub flow_records: u64,
    /// Options data records read (sampling and system-init-time updates come from them).
    pub options_records: u64,
    /// Template records received (refreshes included).
    pub templates_received: u64,
    /// Options template records received (refreshes included).
    pub options_templates_received: u64,
    /// Templates that replaced a different one with the same id.
    pub templates_replaced: u64,
    /// Templates withdrawn (IPFIX field count 0) or dropped with their stream.
    pub templates_withdrawn: u64,
    /// Templates (and options templates) currently held.
    pub templates_active: u64,
    /// Data sets kept aside because their template was not known yet.
    pub sets_buffered: u64,
    /// Flow records decoded late from kept-aside sets, once their template came.
    pub records_decoded_late: u64,
    /// Data sets dropped because their template never came in time (aged, over budget, or stream dropped).
    pub sets_dropped_no_template: u64,
    /// Their bytes.
    pub bytes_dropped_no_template: u64,

    /// Datagrams lost by sequence gaps (sFlow per agent/sub-agent, NetFlow v9 per source id).
    pub lost_datagrams: u64,
    /// Flow records lost by sequence gaps (NetFlow v5 and IPFIX count records).
    pub lost_records: u64,
    /// Sequence numbers that went back (exporter restart or reordering); not counted as loss.
    pub sequence_resets: u64,
    /// IPFIX streams found numbering each message by the data records sent *including*
    /// its own (softflowd 1.1.0; RFC 7011 counts those sent before it), and checked that
    /// way from then on: a lost message is still a gap (see `seq::OwnCount`).
    pub sequence_own_records: u64,
    /// NetFlow v9 / IPFIX (exporter, domain) streams currently tracked (templates, sequence, sampling).
    pub streams_active: u64,
    /// Streams dropped to make room for a new one (the least recently seen, when idle long enough).
    pub streams_evicted: u64,
}

impl Stats {
    /// Errors of one kind.
    pub fn error(&self, e: DecodeError) -> u64 {
        self.errors[e.index()]
    }

    /// Errors of every kind.
    pub fn total_errors(&self) -> u64 {
        self.errors.iter().sum()
    }

    pub(crate) fn count(&mut self, e: DecodeError) {
        self.errors[e.index()] += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_is_in_index_order() {
        for (i, e) in DecodeError::ALL.iter().enumerate() {
            assert_eq!(e.index(), i);
        }
        let mut names: Vec<_> = DecodeError::ALL.iter().map(|e| e.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), DecodeError::ALL.len());
    }
}
