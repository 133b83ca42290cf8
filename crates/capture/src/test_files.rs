//! Hand-built capture files for unit tests: tiny writers for classic pcap
//! and pcapng in either byte order, independent of the reading code.

use crate::endian::Endian;

fn u16b(e: Endian, v: u16) -> [u8; 2] {
    match e {
        Endian::Little => v.to_le_bytes(),
        Endian::Big => v.to_be_bytes(),
    }
}

fn u32b(e: Endian, v: u32) -> [u8; 4] {
    match e {
        Endian::Little => v.to_le_bytes(),
        Endian::Big => v.to_be_bytes(),
    }
}

/// Writes a classic pcap file.
pub(crate) struct PcapFile {
    e: Endian,
    modified: bool,
    /// The file so far.
    pub(crate) bytes: Vec<u8>,
    /// Offset of each record written, then the end offset.
    pub(crate) boundaries: Vec<usize>,
}

impl PcapFile {
    /// Header with `magic` (0xa1b2c3d4, 0xa1b23c4d or 0xa1b2cd34), version 2.4, snaplen 65535.
    pub(crate) fn new(e: Endian, magic: u32, linktype_field: u32) -> PcapFile {
        let mut bytes = Vec::new();
        bytes.extend_from_slice(&u32b(e, magic));
        bytes.extend_from_slice(&u16b(e, 2));
        bytes.extend_from_slice(&u16b(e, 4));
        bytes.extend_from_slice(&u32b(e, 0)); // thiszone
        bytes.extend_from_slice(&u32b(e, 0)); // sigfigs
        bytes.extend_from_slice(&u32b(e, 65535));
        bytes.extend_from_slice(&u32b(e, linktype_field));
        let boundaries = vec![bytes.len()];
        PcapFile {
            e,
            modified: magic == 0xa1b2_cd34,
            bytes,
            boundaries,
        }
    }

    /// Append a record; `caplen` is `data.len()` unless `caplen` overrides it.
    pub(crate) fn record(mut self, sec: u32, frac: u32, data: &[u8], wire_len: u32) -> PcapFile {
        self.record_caplen(sec, frac, data, data.len() as u32, wire_len);
        self
    }

    /// Append a record whose header claims `caplen` bytes (maybe not `data.len()`).
    pub(crate) fn record_caplen(
        &mut self,
        sec: u32,
        frac: u32,
        data: &[u8],
        caplen: u32,
        wire_len: u32,
    ) {
        let e = self.e;
        self.bytes.extend_from_slice(&u32b(e, sec));
        self.bytes.extend_from_slice(&u32b(e, frac));
        self.bytes.extend_from_slice(&u32b(e, caplen));
        self.bytes.extend_from_slice(&u32b(e, wire_len));
        if self.modified {
            self.bytes.extend_from_slice(&u32b(e, 3)); // ifindex
            self.bytes.extend_from_slice(&u16b(e, 0x0800)); // protocol
            self.bytes.extend_from_slice(&[0, 0]); // pkt_type, pad
        }
        self.bytes.extend_from_slice(data);
        self.boundaries.push(self.bytes.len());
    }
}

/// Writes a pcapng file block by block.
pub(crate) struct NgFile {
    e: Endian,
    /// The file so far.
    pub(crate) bytes: Vec<u8>,
    /// Offset of each block written, then the end offset.
    pub(crate) boundaries: Vec<usize>,
}

impl NgFile {
    /// An empty file (add a section header first).
    pub(crate) fn new() -> NgFile {
        NgFile {
            e: Endian::Little,
            bytes: Vec::new(),
            boundaries: vec![0],
        }
    }

    /// Append a block of `block_type` with `body` (padded to 4 bytes).
    pub(crate) fn block(mut self, block_type: u32, body: &[u8]) -> NgFile {
        let e = self.e;
        let padded = body.len().div_ceil(4) * 4;
        let total = (12 + padded) as u32;
        self.bytes.extend_from_slice(&u32b(e, block_type));
        self.bytes.extend_from_slice(&u32b(e, total));
        self.bytes.extend_from_slice(body);
        self.bytes.resize(self.bytes.len() + padded - body.len(), 0);
        self.bytes.extend_from_slice(&u32b(e, total));
        self.boundaries.push(self.bytes.len());
        self
    }

    /// Section Header Block in byte order `e` (version 1.0, unknown section length).
    pub(crate) fn shb(mut self, e: Endian) -> NgFile {
        self.e = e;
        let mut body = Vec::new();
        body.extend_from_slice(&u32b(e, 0x1A2B_3C4D));
        body.extend_from_slice(&u16b(e, 1));
        body.extend_from_slice(&u16b(e, 0));
        body.extend_from_slice(&[0xff; 8]);
        self.block(0x0A0D_0D0A, &body)
    }

    /// Interface Description Block with options given as (code, value).
    pub(crate) fn idb(self, linktype: u16, snaplen: u32, options: &[(u16, &[u8])]) -> NgFile {
        let e = self.e;
        let mut body = Vec::new();
        body.extend_from_slice(&u16b(e, linktype));
        body.extend_from_slice(&u16b(e, 0));
        body.extend_from_slice(&u32b(e, snaplen));
        if !options.is_empty() {
            for (code, value) in options {
                body.extend_from_slice(&u16b(e, *code));
                body.extend_from_slice(&u16b(e, value.len() as u16));
                body.extend_from_slice(value);
                body.resize(body.len().div_ceil(4) * 4, 0);
            }
            body.extend_from_slice(&[0; 4]); // opt_endofopt
        }
        self.block(1, &body)
    }

    /// Enhanced Packet Block.
    pub(crate) fn epb(self, iface: u32, ts: u64, data: &[u8], wire_len: u32) -> NgFile {
        let e = self.e;
        let mut body = Vec::new();
        body.extend_from_slice(&u32b(e, iface));
        body.extend_from_slice(&u32b(e, (ts >> 32) as u32));
        body.extend_from_slice(&u32b(e, ts as u32));
        body.extend_from_slice(&u32b(e, data.len() as u32));
        body.extend_from_slice(&u32b(e, wire_len));
        body.extend_from_slice(data);
        self.block(6, &body)
    }

    /// Obsolete Packet Block (type 2).
    pub(crate) fn pb(self, iface: u16, ts: u64, data: &[u8], wire_len: u32) -> NgFile {
        let e = self.e;
        let mut body = Vec::new();
        body.extend_from_slice(&u16b(e, iface));
        body.extend_from_slice(&u16b(e, 0)); // drops
        body.extend_from_slice(&u32b(e, (ts >> 32) as u32));
        body.extend_from_slice(&u32b(e, ts as u32));
        body.extend_from_slice(&u32b(e, data.len() as u32));
        body.extend_from_slice(&u32b(e, wire_len));
        body.extend_from_slice(data);
        self.block(2, &body)
    }

    /// Simple Packet Block.
    pub(crate) fn spb(self, wire_len: u32, data: &[u8]) -> NgFile {
        let e = self.e;
        let mut body = Vec::new();
        body.extend_from_slice(&u32b(e, wire_len));
        body.extend_from_slice(data);
        self.block(3, &body)
    }
}
