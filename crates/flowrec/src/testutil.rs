//! Building datagrams field by field for the byte-exact tests.

use std::net::IpAddr;

use crate::{Decoder, FlowRecord, Limits, Record};

/// A big-endian byte builder.
#[derive(Default, Clone)]
pub(crate) struct B(pub(crate) Vec<u8>);

impl B {
    pub(crate) fn new() -> B {
        B(Vec::new())
    }
    pub(crate) fn u8(mut self, v: u8) -> B {
        self.0.push(v);
        self
    }
    pub(crate) fn u16(mut self, v: u16) -> B {
        self.0.extend_from_slice(&v.to_be_bytes());
        self
    }
    pub(crate) fn u32(mut self, v: u32) -> B {
        self.0.extend_from_slice(&v.to_be_bytes());
        self
    }
    pub(crate) fn u64(mut self, v: u64) -> B {
        self.0.extend_from_slice(&v.to_be_bytes());
        self
    }
    pub(crate) fn bytes(mut self, v: &[u8]) -> B {
        self.0.extend_from_slice(v);
        self
    }
    /// A NetFlow v9 / IPFIX set: id, length (header included), body.
    pub(crate) fn set(self, id: u16, body: B) -> B {
        let len = body.0.len() as u16 + 4;
        self.u16(id).u16(len).bytes(&body.0)
    }
    /// An sFlow TLV: format, length, data (already a multiple of 4 here).
    pub(crate) fn tlv(self, format: u32, body: B) -> B {
        let len = body.0.len() as u32;
        self.u32(format).u32(len).bytes(&body.0)
    }
    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }
}

pub(crate) fn exporter() -> IpAddr {
    "192.0.2.1".parse().unwrap()
}

/// Decodes `dg` and returns the flow records it handed out and the result.
pub(crate) fn flows(
    dec: &mut Decoder,
    now_ns: i64,
    dg: &[u8],
) -> (Vec<FlowRecord>, Result<u32, crate::DecodeError>) {
    let mut v = Vec::new();
    let r = dec.decode(exporter(), now_ns, dg, &mut |r| match r {
        Record::Flow(f) => v.push(f),
        other => panic!("unexpected {other:?}"),
    });
    (v, r)
}

pub(crate) fn decoder() -> Decoder {
    Decoder::new(Limits::default())
}

/// Every prefix of `dg` decodes without panicking, and every refusal is
/// counted: as many bad datagrams as errors returned.
pub(crate) fn every_prefix_is_counted(dg: &[u8]) {
    let mut dec = decoder();
    let mut errs = 0;
    for n in 0..dg.len() {
        if dec.decode(exporter(), 0, &dg[..n], &mut |_| {}).is_err() {
            errs += 1;
        }
    }
    let s = dec.stats();
    assert_eq!(s.bad_datagrams, errs);
    assert!(s.total_errors() >= errs);
    assert_eq!(s.datagrams, dg.len() as u64);
}
