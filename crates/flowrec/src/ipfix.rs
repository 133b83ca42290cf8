//! IPFIX (RFC 7011): message header, template and options template sets
//! (with withdrawals), data sets through the shared template state.
//!
//! ```text
//! header (16 bytes): version=10 u16, length u16 (whole message), export time u32,
//!                    sequence u32 (data records sent before this message), domain u32
//! set:               set id u16 (2 template, 3 options template, >=256 data),
//!                    length u16 (header included), records, padding
//! field specifier:   E bit + element id u16, length u16 (65535: variable),
//!                    enterprise number u32 when E is set
//! template record:   template id u16, field count u16 (0: withdrawal), specifiers
//! options template:  template id u16, field count u16, scope field count u16 (> 0),
//!                    specifiers (scope first)
//! ```

use std::net::IpAddr;

use crate::buf::Reader;
use crate::netflow9::{is_padding, seq_stats};
use crate::record::{FlowRecord, Protocol};
use crate::stats::{DecodeError, Stats};
use crate::templates::{Field, Ie, Origin, Stream, Template, TemplateState, TimeBase};
use crate::{Limits, Outcome};

/// Header length.
pub(crate) const HEADER_LEN: usize = 16;

/// Decodes one IPFIX message.
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
    let (Some(_version), Some(length), Some(export_secs), Some(seq), Some(domain)) =
        (r.u16(), r.u16(), r.u32(), r.u32(), r.u32())
    else {
        return oc.fail(stats, DecodeError::TooShort);
    };
    let length = usize::from(length);
    if length < HEADER_LEN || length > dg.len() {
        return oc.fail(stats, DecodeError::IpfixLength);
    }
    if length < dg.len() {
        // Trailing bytes after the message: decode the message, count the rest.
        oc.fail(stats, DecodeError::IpfixLength);
        r = Reader::new(&dg[HEADER_LEN..length]);
    }
    let origin = Origin {
        protocol: Protocol::Ipfix,
        exporter,
        domain,
    };
    let Some(stream) = state.stream((exporter, domain, Protocol::Ipfix), now_ns, stats) else {
        return oc.fail(stats, DecodeError::TooManyStreams);
    };
    stream.expire_pending(now_ns, limits, stats);
    let time = TimeBase {
        export_secs,
        sys_uptime_ms: 0,
    };
    // Data records in this message, for the sequence number; None once a set
    // could not be counted (template unknown, or an error).
    let mut data_records = Some(0u32);
    while r.remaining() > 0 {
        if r.remaining() < 4 {
            data_records = None;
            oc.fail(stats, DecodeError::SetLength);
            break;
        }
        let (id, len) = (r.u16().unwrap_or(0), usize::from(r.u16().unwrap_or(0)));
        let Some(body) = len.checked_sub(4).and_then(|l| r.take(l)) else {
            data_records = None;
            oc.fail(stats, DecodeError::SetLength);
            break;
        };
        match id {
            2 => templates(body, false, stream, origin, limits, stats, oc, out),
            3 => templates(body, true, stream, origin, limits, stats, oc, out),
            0..=255 => oc.fail(stats, DecodeError::ReservedSetId),
            _ => {
                match stream.data_set_or_keep(id, body, time, origin, now_ns, limits, stats, out) {
                    Ok(Some(n)) => data_records = data_records.map(|d| d.wrapping_add(n)),
                    Ok(None) => data_records = None,
                    Err(e) => {
                        data_records = None;
                        oc.fail(stats, e);
                    }
                }
            }
        }
    }
    seq_stats(stream.seq.observe(seq, data_records), stats, true);
}

/// Reads `count` field specifiers. Scope fields are read like the others:
/// in IPFIX they are ordinary information elements (samplerId, selectorId...).
fn specifiers(b: &mut Reader<'_>, count: usize) -> Option<Vec<Field>> {
    let mut fields = Vec::with_capacity(count.min(b.remaining() / 4));
    for _ in 0..count {
        let id = b.u16()?;
        let len = b.u16()?;
        let ie = if id & 0x8000 != 0 {
            b.u32()?; // enterprise number: not an element we read
            Ie::Skip
        } else {
            Ie::from_id(id)
        };
        fields.push(Field { ie, len });
    }
    Some(fields)
}

/// A template set (`options` false) or options template set (`true`).
#[allow(clippy::too_many_arguments)]
fn templates(
    body: &[u8],
    options: bool,
    stream: &mut Stream,
    origin: Origin,
    limits: &Limits,
    stats: &mut Stats,
    oc: &mut Outcome,
    out: &mut dyn FnMut(FlowRecord),
) {
    let set_id = if options { 3 } else { 2 };
    let mut b = Reader::new(body);
    while b.remaining() >= 4 && !is_padding(b.rest()) {
        let start = b.rest();
        let (tid, count) = (b.u16().unwrap_or(0), usize::from(b.u16().unwrap_or(0)));
        if count == 0 {
            // Withdrawal: one template, or all of this set's kind.
            if tid == set_id {
                stream.withdraw_all(options, stats);
            } else if tid >= 256 {
                stream.withdraw(tid, stats);
            } else {
                return oc.fail(stats, DecodeError::BadTemplate);
            }
            continue;
        }
        if options && !matches!(b.u16(), Some(s) if s > 0 && usize::from(s) <= count) {
            return oc.fail(stats, DecodeError::BadTemplate);
        }
        let Some(fields) = specifiers(&mut b, count).filter(|_| tid >= 256) else {
            return oc.fail(stats, DecodeError::BadTemplate);
        };
        let wire = &start[..start.len() - b.remaining()];
        let Some(t) = Template::new(fields, wire, options) else {
            return oc.fail(stats, DecodeError::BadTemplate);
        };
        if let Err(e) = stream.add_template(tid, t, origin, limits, stats, out) {
            oc.fail(stats, e);
        }
    }
}
