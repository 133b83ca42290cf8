//! Which capture file format a reader found.

use std::fmt;

/// The capture file format, detected from the file's magic number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FileFormat {
    /// Classic libpcap with microsecond timestamps (magic a1b2c3d4).
    Pcap,
    /// Classic libpcap with nanosecond timestamps (magic a1b23c4d).
    PcapNs,
    /// Alexey Kuznetzov's "modified" pcap: 24-byte record headers (magic a1b2cd34).
    PcapModified,
    /// pcapng (one or more sections).
    PcapNg,
}

impl FileFormat {
    /// The short name also used by `Display`: "pcap", "pcap-ns", "pcap-modified", "pcapng".
    pub fn as_str(self) -> &'static str {
        match self {
            FileFormat::Pcap => "pcap",
            FileFormat::PcapNs => "pcap-ns",
            FileFormat::PcapModified => "pcap-modified",
            FileFormat::PcapNg => "pcapng",
        }
    }
}

impl fmt::Display for FileFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names() {
        assert_eq!(FileFormat::Pcap.to_string(), "pcap");
        assert_eq!(FileFormat::PcapNs.to_string(), "pcap-ns");
        assert_eq!(FileFormat::PcapModified.to_string(), "pcap-modified");
        assert_eq!(FileFormat::PcapNg.to_string(), "pcapng");
    }
}
