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
    out: &mut dyn FnMut(FlowRecord),
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
    out: &mut dyn FnMut(FlowRecord),
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
    out: &mut dyn FnMut(FlowRecord),
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
