//! NetFlow version 9 (RFC 3954): header, template and options template
//! flowsets, data flowsets through the shared template state.
//!
//! ```text
//! header (20 bytes): version=9 u16, count u16, sysUptime ms u32, unix secs u32,
//!                    package sequence u32 (counts export packets), source id u32
//! flowset:           flowset id u16 (0 template, 1 options template, >=256 data),
//!                    length u16 (header included), body, padding to 4 bytes
//! template record:   template id u16 (>=256), field count u16, (type u16, length u16)*
//! options template:  template id u16, scope length u16 (bytes), options length u16
//!                    (bytes), scope (type, length)*, option (type, length)*
//! ```

use std::net::IpAddr;

use crate::buf::Reader;
use crate::record::{FlowRecord, Protocol};
use crate::seq::SeqEvent;
use crate::stats::{DecodeError, Stats};
use crate::templates::{Field, Ie, Origin, Stream, Template, TemplateState, TimeBase};
use crate::{Limits, Outcome};

/// True when every byte is zero (set padding).
pub(crate) fn is_padding(b: &[u8]) -> bool {
    b.iter().all(|&x| x == 0)
}

/// Accounts one sequence-number observation.
pub(crate) fn seq_stats(ev: SeqEvent, stats: &mut Stats, records: bool) {
    match ev {
        SeqEvent::Gap(n) if records => stats.lost_records += n,
        SeqEvent::Gap(n) => stats.lost_datagrams += n,
        SeqEvent::Reset => stats.sequence_resets += 1,
        SeqEvent::First | SeqEvent::InOrder => {}
    }
}

/// Decodes one NetFlow v9 export packet.
#[allow(clippy::too_many_arguments)]
pub(crate) fn decode(
    dg: &[u8],
    exporter: IpAddr,
    now_ns: i64,
    state: &mut TemplateState,
    limits: &Limits,
    stats: &mut Stats,
    oc: &mut Outcome,
    out: &mut dyn FnMut(&FlowRecord),
) {
    let mut r = Reader::new(dg);
    let (Some(_version), Some(_count), Some(uptime), Some(secs), Some(seq), Some(source_id)) =
        (r.u16(), r.u16(), r.u32(), r.u32(), r.u32(), r.u32())
    else {
        return oc.fail(stats, DecodeError::TooShort);
    };
    let origin = Origin {
        protocol: Protocol::NetflowV9,
        exporter,
        domain: source_id,
    };
    let Some(stream) = state.stream((exporter, source_id, Protocol::NetflowV9), now_ns, stats)
    else {
        return oc.fail(stats, DecodeError::TooManyStreams);
    };
    stream.expire_pending(now_ns, limits, stats);
    seq_stats(stream.seq.observe(seq, Some(1)), stats, false);
    let time = TimeBase {
        export_secs: secs,
        sys_uptime_ms: uptime,
    };
    while r.remaining() > 0 {
        if r.remaining() < 4 {
            if !is_padding(r.rest()) {
                oc.fail(stats, DecodeError::SetLength);
            }
            break;
        }
        let (id, len) = (r.u16().unwrap_or(0), usize::from(r.u16().unwrap_or(0)));
        let Some(body) = len.checked_sub(4).and_then(|l| r.take(l)) else {
            oc.fail(stats, DecodeError::SetLength);
            break;
        };
        match id {
            0 => templates(body, stream, origin, limits, stats, oc, out),
            1 => options_templates(body, stream, origin, limits, stats, oc, out),
            2..=255 => oc.fail(stats, DecodeError::ReservedSetId),
            _ => {
                if let Err(e) =
                    stream.data_set_or_keep(id, body, time, origin, now_ns, limits, stats, out)
                {
                    oc.fail(stats, e);
                }
            }
        }
    }
}

/// Template flowset (id 0).
fn templates(
    body: &[u8],
    stream: &mut Stream,
    origin: Origin,
    limits: &Limits,
    stats: &mut Stats,
    oc: &mut Outcome,
    out: &mut dyn FnMut(&FlowRecord),
) {
    let mut b = Reader::new(body);
    while b.remaining() >= 4 && !is_padding(b.rest()) {
        let (tid, n) = (b.u16().unwrap_or(0), usize::from(b.u16().unwrap_or(0)));
        let Some(wire) = b.take(n * 4).filter(|_| tid >= 256 && n > 0) else {
            return oc.fail(stats, DecodeError::BadTemplate);
        };
        let fields = wire
            .chunks_exact(4)
            .map(|c| Field {
                ie: Ie::from_id(u16::from_be_bytes([c[0], c[1]])),
                len: u16::from_be_bytes([c[2], c[3]]),
            })
            .collect();
        let Some(t) = Template::new(fields, wire, false) else {
            return oc.fail(stats, DecodeError::BadTemplate);
        };
        if let Err(e) = stream.add_template(tid, t, origin, limits, stats, out) {
            oc.fail(stats, e);
        }
    }
}

/// Options template flowset (id 1). Scope fields (system, interface, line
/// card, cache, template) are skipped by length.
fn options_templates(
    body: &[u8],
    stream: &mut Stream,
    origin: Origin,
    limits: &Limits,
    stats: &mut Stats,
    oc: &mut Outcome,
    out: &mut dyn FnMut(&FlowRecord),
) {
    let mut b = Reader::new(body);
    while b.remaining() >= 6 && !is_padding(b.rest()) {
        let tid = b.u16().unwrap_or(0);
        let scope_len = usize::from(b.u16().unwrap_or(0));
        let opt_len = usize::from(b.u16().unwrap_or(0));
        let ok = tid >= 256 && scope_len % 4 == 0 && opt_len % 4 == 0 && opt_len > 0;
        let Some(wire) = b.take(scope_len + opt_len).filter(|_| ok) else {
            return oc.fail(stats, DecodeError::BadTemplate);
        };
        let fields = wire
            .chunks_exact(4)
            .enumerate()
            .map(|(i, c)| Field {
                ie: if i * 4 < scope_len {
                    Ie::Skip
                } else {
                    Ie::from_id(u16::from_be_bytes([c[0], c[1]]))
                },
                len: u16::from_be_bytes([c[2], c[3]]),
            })
            .collect();
        let Some(t) = Template::new(fields, wire, true) else {
            return oc.fail(stats, DecodeError::BadTemplate);
        };
        if let Err(e) = stream.add_template(tid, t, origin, limits, stats, out) {
            oc.fail(stats, e);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testutil::{decoder, every_prefix_is_counted, flows, B};
    use crate::{DecodeError, Decoder, Limits, Protocol};

    fn header(seq: u32) -> B {
        B::new()
            .u16(9)
            .u16(0) // count: not relied on
            .u32(10_000) // sysUptime ms
            .u32(1_712_361_600)
            .u32(seq)
            .u32(42) // source id
    }

    /// Template 256: addresses, counters, times, ports, protocol, flags,
    /// interfaces, ASes, sampler id, MACs, VLAN — 53 bytes a record.
    fn template() -> B {
        let fields: [(u16, u16); 18] = [
            (8, 4),
            (12, 4),
            (1, 4),
            (2, 4),
            (22, 4),
            (21, 4),
            (7, 2),
            (11, 2),
            (4, 1),
            (6, 1),
            (10, 2),
            (14, 2),
            (16, 2),
            (17, 2),
            (48, 1),
            (56, 6),
            (80, 6),
            (58, 2),
        ];
        let t = fields
            .iter()
            .fold(B::new().u16(256).u16(18), |b, &(id, len)| {
                b.u16(id).u16(len)
            });
        B::new().set(0, t.u32(0)) // 4 bytes of padding at the end of the flowset
    }

    /// Options template 257: scope System (type 1, 4 bytes); FLOW_SAMPLER_ID
    /// (1 byte), SAMPLING_INTERVAL (4), SAMPLING_ALGORITHM (1); and its data:
    /// sampler 3 samples 1 in 50.
    fn options() -> B {
        let t = B::new()
            .u16(257)
            .u16(4)
            .u16(12)
            .u16(1)
            .u16(4)
            .u16(48)
            .u16(1)
            .u16(34)
            .u16(4)
            .u16(35)
            .u16(1)
            .u16(0); // padding
        let d = B::new().u32(0).u8(3).u32(50).u8(2).u16(0);
        B::new().set(1, t).set(257, d)
    }

    fn record(src: u8, bytes: u32) -> B {
        B::new()
            .bytes(&[10, 1, 1, src])
            .bytes(&[10, 2, 2, 2])
            .u32(bytes)
            .u32(2)
            .u32(8_000)
            .u32(9_000)
            .u16(1234)
            .u16(80)
            .u8(6)
            .u8(0x12)
            .u16(5)
            .u16(6)
            .u16(100)
            .u16(200)
            .u8(3)
            .bytes(&[2, 0, 0, 0, 0, 1])
            .bytes(&[2, 0, 0, 0, 0, 2])
            .u16(42)
    }

    fn data(n: u8) -> B {
        let body = (0..n).fold(B::new(), |b, i| b.bytes(&record(i + 1, 1000).0));
        B::new().set(256, body.u16(0))
    }

    #[test]
    fn templates_options_and_data_in_one_packet() {
        let dg = header(1)
            .bytes(&template().0)
            .bytes(&options().0)
            .bytes(&data(2).0);
        let mut dec = decoder();
        let (recs, r) = flows(&mut dec, 0, &dg.0);
        assert_eq!(r, Ok(2));
        let f = recs[0];
        assert_eq!((f.protocol, f.domain), (Protocol::NetflowV9, 42));
        assert_eq!((f.src, f.dst, f.ip_version), (0x0A01_0101, 0x0A02_0202, 4));
        assert_eq!((f.bytes, f.packets), (1000, 2));
        // Exported at 1712361600 s, uptime 10 s: 8 s and 9 s of uptime.
        assert_eq!(
            (f.start_ns, f.end_ns),
            (1_712_361_598_000_000_000, 1_712_361_599_000_000_000)
        );
        assert_eq!(
            (f.sport, f.dport, f.proto, f.tcp_flags),
            (1234, 80, 6, 0x12)
        );
        assert_eq!((f.in_if, f.out_if, f.src_as, f.dst_as), (5, 6, 100, 200));
        assert_eq!(
            (f.src_mac, f.dst_mac, f.vlan),
            ([2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2], 42)
        );
        // Sampler 3 was announced at 1 in 50 by the options data.
        assert_eq!(f.sampling_interval, 50);
        assert_eq!(recs[1].src, 0x0A01_0102);
        let s = dec.stats();
        assert_eq!(
            (
                s.templates_received,
                s.options_templates_received,
                s.templates_active
            ),
            (1, 1, 2)
        );
        assert_eq!(
            (s.options_records, s.flow_records, s.total_errors()),
            (1, 2, 0)
        );
        assert_eq!(s.streams_active, 1);
    }

    #[test]
    fn data_before_its_template_waits_for_it() {
        let mut dec = decoder();
        let (recs, r) = flows(&mut dec, 0, &header(1).bytes(&data(2).0).0);
        assert_eq!((recs.len(), r), (0, Ok(0)));
        assert_eq!(dec.stats().sets_buffered, 1);
        let (recs, r) = flows(&mut dec, 1_000, &header(2).bytes(&template().0).0);
        assert_eq!((recs.len(), r), (2, Ok(2)));
        // No options yet: sampling unknown.
        assert_eq!(recs[0].sampling_interval, 0);
        let s = dec.stats();
        assert_eq!((s.records_decoded_late, s.sets_dropped_no_template), (2, 0));
        // Within one packet the template may also follow the data.
        let dg = header(3).bytes(&data(1).0).bytes(&template().0);
        assert_eq!(flows(&mut dec, 2_000, &dg.0).1, Ok(1));
    }

    #[test]
    fn refresh_and_replacement() {
        let mut dec = decoder();
        flows(&mut dec, 0, &header(1).bytes(&template().0).0)
            .1
            .unwrap();
        flows(&mut dec, 0, &header(2).bytes(&template().0).0)
            .1
            .unwrap();
        assert_eq!(
            (
                dec.stats().templates_received,
                dec.stats().templates_replaced
            ),
            (2, 0)
        );
        // Template 256 again, now just IPV4_SRC_ADDR and IN_BYTES (8 bytes).
        let t = B::new().u16(256).u16(2).u16(8).u16(4).u16(1).u16(4);
        let d = B::new().bytes(&[192, 0, 2, 9]).u32(777);
        let dg = header(3).set(0, t).set(256, d);
        let (recs, _) = flows(&mut dec, 0, &dg.0);
        assert_eq!((recs[0].src, recs[0].bytes), (0xC000_0209, 777));
        let s = dec.stats();
        assert_eq!((s.templates_replaced, s.templates_active), (1, 1));
    }

    #[test]
    fn export_packet_sequence() {
        let mut dec = decoder();
        for seq in [1, 2, 5, 6, 1] {
            flows(&mut dec, 0, &header(seq).0).1.unwrap();
        }
        let s = dec.stats();
        assert_eq!(
            (s.lost_datagrams, s.sequence_resets, s.lost_records),
            (2, 1, 0)
        );
    }

    #[test]
    fn malformed_flowsets_are_counted_by_reason() {
        let mut dec = Decoder::new(Limits {
            max_templates_per_stream: 1,
            ..Limits::default()
        });
        let cases: Vec<(B, DecodeError)> = vec![
            (
                header(1).set(5, B::new().u32(0)),
                DecodeError::ReservedSetId,
            ),
            (
                header(2).set(0, B::new().u16(100).u16(1).u16(8).u16(4)),
                DecodeError::BadTemplate,
            ),
            (
                header(3).set(0, B::new().u16(300).u16(0)),
                DecodeError::BadTemplate,
            ),
            (
                header(4).set(0, B::new().u16(300).u16(2).u16(8).u16(4)),
                DecodeError::BadTemplate,
            ),
            (
                header(5).set(0, B::new().u16(300).u16(1).u16(8).u16(0)),
                DecodeError::BadTemplate,
            ),
            (header(6).u16(256).u16(3), DecodeError::SetLength),
            (header(7).u16(256).u16(40).u32(0), DecodeError::SetLength),
            (header(8).u16(256), DecodeError::SetLength),
            (
                header(9)
                    .bytes(&template().0)
                    .set(0, B::new().u16(300).u16(1).u16(8).u16(4)),
                DecodeError::TooManyTemplates,
            ),
            (B(header(10).0[..19].to_vec()), DecodeError::TooShort),
        ];
        let n = cases.len() as u64;
        for (dg, want) in cases {
            assert_eq!(flows(&mut dec, 0, &dg.0).1, Err(want), "{:?}", dg.0);
        }
        let s = dec.stats();
        assert_eq!((s.bad_datagrams, s.total_errors()), (n, n));
        assert_eq!(s.error(DecodeError::BadTemplate), 4);
        assert_eq!(s.error(DecodeError::SetLength), 3);
    }

    #[test]
    fn every_truncation_is_counted_never_a_panic() {
        let dg = header(1)
            .bytes(&template().0)
            .bytes(&options().0)
            .bytes(&data(2).0);
        every_prefix_is_counted(&dg.0);
    }
}
