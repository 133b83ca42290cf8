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
    out: &mut dyn FnMut(&FlowRecord),
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
    // could not be counted (template unknown, or an error). `flow_records`: those of
    // data (not options) templates, for exporters that count their own (seq::OwnCount).
    let mut data_records = Some(0u32);
    let mut flow_records = Some(0u32);
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
                let options = stream.is_options(id);
                match stream.data_set_or_keep(id, body, time, origin, now_ns, limits, stats, out) {
                    Ok(Some(n)) => {
                        data_records = data_records.map(|d| d.wrapping_add(n));
                        if !options {
                            flow_records = flow_records.map(|d| d.wrapping_add(n));
                        }
                    }
                    Ok(None) => (data_records, flow_records) = (None, None),
                    Err(e) => {
                        (data_records, flow_records) = (None, None);
                        oc.fail(stats, e);
                    }
                }
            }
        }
    }
    if data_records.is_none() {
        flow_records = None;
    }
    let rfc = stream.seq.observe(seq, data_records);
    let (ev, latched) = stream.own_count.observe(seq, flow_records, rfc);
    stats.sequence_own_records += u64::from(latched);
    seq_stats(ev, stats, true);
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
    out: &mut dyn FnMut(&FlowRecord),
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

#[cfg(test)]
mod tests {
    use crate::testutil::{decoder, every_prefix_is_counted, flows, B};
    use crate::{DecodeError, Protocol};

    /// A message: header (length filled in) and sets.
    fn message(seq: u32, sets: B) -> Vec<u8> {
        B::new()
            .u16(10)
            .u16(16 + sets.len() as u16)
            .u32(1_712_361_600)
            .u32(seq)
            .u32(5) // observation domain
            .bytes(&sets.0)
            .0
    }

    const V6_SRC: u128 = 0x2001_0db8_0000_0000_0000_0000_0000_0001;
    const V6_DST: u128 = 0x2001_0db8_0000_0000_0000_0000_0000_0002;

    /// Template 300: IPv6 addresses, 64-bit counters, flowStart/EndMilliseconds,
    /// an enterprise field, a variable-length interfaceName, protocol, ports,
    /// selectorId, dot1qVlanId, flowDirection.
    fn template() -> B {
        let t = B::new()
            .u16(300)
            .u16(14)
            .u16(27)
            .u16(16)
            .u16(28)
            .u16(16)
            .u16(1)
            .u16(8)
            .u16(2)
            .u16(8)
            .u16(152)
            .u16(8)
            .u16(153)
            .u16(8)
            .u16(0x8000 | 100) // enterprise element 100 of PEN 9
            .u16(4)
            .u32(9)
            .u16(82) // interfaceName, variable length
            .u16(0xFFFF)
            .u16(4)
            .u16(1)
            .u16(7)
            .u16(2)
            .u16(11)
            .u16(2)
            .u16(302)
            .u16(1)
            .u16(243)
            .u16(2)
            .u16(61)
            .u16(1);
        B::new().set(2, t)
    }

    fn record(name: &[u8], octets: u64) -> B {
        let b = B::new()
            .bytes(&V6_SRC.to_be_bytes())
            .bytes(&V6_DST.to_be_bytes())
            .u64(octets)
            .u64(3)
            .u64(1_712_361_599_250)
            .u64(1_712_361_599_750)
            .u32(0xdead_beef);
        let b = if name.len() < 255 {
            b.u8(name.len() as u8)
        } else {
            b.u8(255).u16(name.len() as u16)
        };
        b.bytes(name)
            .u8(17)
            .u16(53)
            .u16(40_000)
            .u8(7) // selector 7
            .u16(300)
            .u8(1) // egress
    }

    /// Options template 400 scoped by selectorId: selector 7 takes 1 packet
    /// then skips 99 (samplingPacketInterval 1, samplingPacketSpace 99).
    fn sampling_options() -> B {
        let t = B::new()
            .u16(400)
            .u16(3)
            .u16(1)
            .u16(302)
            .u16(1)
            .u16(305)
            .u16(4)
            .u16(306)
            .u16(4);
        let d = B::new().u8(7).u32(1).u32(99);
        B::new().set(3, t).set(400, d)
    }

    #[test]
    fn records_with_varlen_enterprise_and_selector_sampling() {
        let long = vec![b'x'; 300];
        let data = B::new()
            .bytes(&record(b"eth0", 1500).0)
            .bytes(&record(&long, 9000).0);
        let dg = message(
            0,
            B::new()
                .bytes(&sampling_options().0)
                .bytes(&template().0)
                .set(256 + 44, data),
        );
        let mut dec = decoder();
        let (recs, r) = flows(&mut dec, 0, &dg);
        assert_eq!(r, Ok(2));
        let f = recs[0];
        assert_eq!((f.protocol, f.domain), (Protocol::Ipfix, 5));
        assert_eq!((f.src, f.dst, f.ip_version), (V6_SRC, V6_DST, 6));
        assert_eq!((f.bytes, f.packets), (1500, 3));
        assert_eq!(
            (f.start_ns, f.end_ns),
            (1_712_361_599_250_000_000, 1_712_361_599_750_000_000)
        );
        assert_eq!(
            (f.proto, f.sport, f.dport, f.vlan, f.direction),
            (17, 53, 40_000, 300, 1)
        );
        assert_eq!(f.sampling_interval, 100);
        assert_eq!(f.scaled_bytes(), 150_000);
        // The record after a 300-byte variable-length field decodes too.
        assert_eq!((recs[1].bytes, recs[1].dport), (9000, 40_000));
        let s = dec.stats();
        assert_eq!(
            (s.options_records, s.flow_records, s.total_errors()),
            (1, 2, 0)
        );
        // The next message's sequence: 3 data records (1 options + 2 flows) sent before it.
        flows(&mut dec, 0, &message(3, B::new())).1.unwrap();
        flows(&mut dec, 0, &message(3, B::new())).1.unwrap();
        assert_eq!(
            (dec.stats().lost_records, dec.stats().sequence_resets),
            (0, 0)
        );
    }

    #[test]
    fn uptime_and_ntp_timestamps() {
        // Options template 401: meteringProcessId scope, systemInitTimeMilliseconds.
        let opt_t = B::new()
            .u16(401)
            .u16(2)
            .u16(1)
            .u16(143)
            .u16(4)
            .u16(160)
            .u16(8);
        let opt_d = B::new().u32(1).u64(1_712_000_000_000);
        // Template 301: flowStartSysUpTime, flowEndSysUpTime (ms since init), IPv4 addresses.
        let t301 = B::new()
            .u16(301)
            .u16(4)
            .u16(22)
            .u16(4)
            .u16(21)
            .u16(4)
            .u16(8)
            .u16(4)
            .u16(12)
            .u16(4);
        let d301 = B::new()
            .u32(1_000)
            .u32(2_500)
            .bytes(&[10, 0, 0, 1])
            .bytes(&[10, 0, 0, 2]);
        // Template 302: flowStart/EndMicroseconds (NTP format).
        let t302 = B::new().u16(302).u16(2).u16(154).u16(8).u16(155).u16(8);
        let ntp_secs = (1_712_361_600u64 + 2_208_988_800) << 32;
        let d302 = B::new()
            .u64(ntp_secs | 0x4000_0000)
            .u64((ntp_secs + (1 << 32)) | 0x8000_0000);
        let dg = message(
            0,
            B::new()
                .set(3, opt_t)
                .set(401, opt_d)
                .set(2, t301.bytes(&t302.0))
                .set(301, d301)
                .set(302, d302),
        );
        let mut dec = decoder();
        let (recs, r) = flows(&mut dec, 0, &dg);
        assert_eq!(r, Ok(2));
        assert_eq!(
            (recs[0].start_ns, recs[0].end_ns),
            (1_712_000_001_000_000_000, 1_712_000_002_500_000_000)
        );
        // .25 s and 1.5 s after 2024-04-06T00:00:00Z.
        assert_eq!(
            (recs[1].start_ns, recs[1].end_ns),
            (1_712_361_600_250_000_000, 1_712_361_601_500_000_000)
        );
        assert_eq!(recs[1].ip_version, 0);
    }

    #[test]
    fn options_data_before_its_template() {
        let mut dec = decoder();
        let opts = sampling_options();
        // The options data set alone, then its template: it updates the
        // sampling late, and counts as no flow record decoded late.
        let data_only = B(opts.0[4 + 18..].to_vec());
        assert_eq!(flows(&mut dec, 0, &message(0, data_only)).1, Ok(0));
        assert_eq!(dec.stats().sets_buffered, 1);
        let t_only = B(opts.0[..4 + 18].to_vec());
        flows(&mut dec, 0, &message(1, t_only.bytes(&template().0)))
            .1
            .unwrap();
        let s = dec.stats();
        assert_eq!(
            (s.options_records, s.records_decoded_late, s.flow_records),
            (1, 0, 0)
        );
        let (recs, _) = flows(&mut dec, 0, &message(2, B::new().set(300, record(b"x", 5))));
        assert_eq!(recs[0].sampling_interval, 100);
    }

    #[test]
    fn withdrawals() {
        let mut dec = decoder();
        let dg = message(
            0,
            B::new().bytes(&template().0).bytes(&sampling_options().0),
        );
        flows(&mut dec, 0, &dg).1.unwrap();
        assert_eq!(dec.stats().templates_active, 2);
        // Withdraw template 300: its data now waits.
        flows(
            &mut dec,
            0,
            &message(1, B::new().set(2, B::new().u16(300).u16(0))),
        )
        .1
        .unwrap();
        let data = B::new().set(300, record(b"a", 1).u16(0));
        let (recs, _) = flows(&mut dec, 0, &message(1, data));
        assert!(recs.is_empty());
        let s = dec.stats();
        assert_eq!(
            (s.templates_withdrawn, s.templates_active, s.sets_buffered),
            (1, 1, 1)
        );
        // Withdraw every options template (template id 3 in set 3).
        flows(
            &mut dec,
            0,
            &message(1, B::new().set(3, B::new().u16(3).u16(0))),
        )
        .1
        .unwrap();
        assert_eq!(
            (
                dec.stats().templates_withdrawn,
                dec.stats().templates_active
            ),
            (2, 0)
        );
    }

    #[test]
    fn data_record_sequence_gaps() {
        let mut dec = decoder();
        let t = B::new().set(2, B::new().u16(256).u16(1).u16(1).u16(4));
        let data = |n: u32| B::new().set(256, (0..n).fold(B::new(), |b, i| b.u32(i)));
        flows(&mut dec, 0, &message(10, t.bytes(&data(3).0)))
            .1
            .unwrap();
        flows(&mut dec, 0, &message(13, data(2))).1.unwrap(); // in order
        flows(&mut dec, 0, &message(20, data(1))).1.unwrap(); // 5 lost
        flows(&mut dec, 0, &message(0, data(1))).1.unwrap(); // restart
        let s = dec.stats();
        assert_eq!(
            (s.lost_records, s.sequence_resets, s.flow_records),
            (5, 1, 7)
        );
    }

    #[test]
    fn malformed_messages_are_counted_by_reason() {
        let mut dec = decoder();
        let mut long = message(0, B::new());
        long[3] = 40; // says 40 bytes, has 16
        assert_eq!(flows(&mut dec, 0, &long).1, Err(DecodeError::IpfixLength));
        // Says 16 bytes, has 20: the message is decoded, the rest counted.
        let mut short = message(0, B::new().u32(0));
        short[3] = 16;
        assert_eq!(flows(&mut dec, 0, &short).1, Err(DecodeError::IpfixLength));
        let cases = [
            (B::new().set(1, B::new().u32(0)), DecodeError::ReservedSetId),
            // Options template with scope count 0.
            (
                B::new().set(3, B::new().u16(401).u16(1).u16(0).u16(8).u16(4)),
                DecodeError::BadTemplate,
            ),
            // Scope count above the field count.
            (
                B::new().set(3, B::new().u16(401).u16(1).u16(2).u16(8).u16(4)),
                DecodeError::BadTemplate,
            ),
            // Enterprise specifier cut before its PEN.
            (
                B::new().set(2, B::new().u16(256).u16(1).u16(0x8001).u16(4)),
                DecodeError::BadTemplate,
            ),
            // Withdrawal of template 5 (below 256, not the set id).
            (
                B::new().set(2, B::new().u16(5).u16(0)),
                DecodeError::BadTemplate,
            ),
            (B::new().u16(256).u16(2), DecodeError::SetLength),
        ];
        for (sets, want) in cases {
            assert_eq!(flows(&mut dec, 0, &message(0, sets)).1, Err(want));
        }
        // A variable-length field running past the end of its set.
        let t = B::new().set(2, B::new().u16(256).u16(1).u16(82).u16(0xFFFF));
        let d = B::new().set(256, B::new().u8(200).u8(1));
        assert_eq!(
            flows(&mut dec, 0, &message(0, t.bytes(&d.0))).1,
            Err(DecodeError::RecordTruncated)
        );
        assert_eq!(
            flows(&mut dec, 0, &[0, 10, 0, 16]).1,
            Err(DecodeError::TooShort)
        );
        let s = dec.stats();
        assert_eq!((s.bad_datagrams, s.total_errors()), (10, 10));
        assert_eq!(s.error(DecodeError::BadTemplate), 4);
    }

    #[test]
    fn every_truncation_is_counted_never_a_panic() {
        let data = B::new().bytes(&record(b"eth0", 1500).0);
        let dg = message(
            0,
            B::new()
                .bytes(&sampling_options().0)
                .bytes(&template().0)
                .set(300, data),
        );
        every_prefix_is_counted(&dg);
    }
}
