//! Histograms in results: hdrhistogram's V2 format with DEFLATE, base64-encoded.
//!
//! The format is hdrhistogram's own interchange format (the Java, C, Go and Rust
//! implementations read it), so distributions in results can be merged exactly —
//! by trombone's `merge` or by anyone else's code.

use base64::Engine;
use hdrhistogram::serialization::{Deserializer, Serializer, V2DeflateSerializer};
use hdrhistogram::Histogram;

/// A histogram as a base64 string of its V2 + DEFLATE serialisation.
///
/// Canonical: the same recorded values give the same string, however the histogram was
/// built (recorded at once, or added from pieces that grew its range differently) — the
/// values are re-recorded into a histogram whose range is fixed by its largest value.
pub fn encode(h: &Histogram<u64>) -> String {
    let high = h.max().max(2);
    let mut c = Histogram::<u64>::new_with_bounds(1, high, h.sigfig())
        .expect("1..max at the histogram's own precision is valid");
    for v in h.iter_recorded() {
        c.record_n(v.value_iterated_to().max(1), v.count_at_value())
            .expect("within the range just set");
    }
    let mut buf = Vec::new();
    V2DeflateSerializer::new()
        .serialize(&c, &mut buf)
        .expect("serialising into a Vec cannot fail");
    base64::engine::general_purpose::STANDARD.encode(buf)
}

/// Reads a histogram written by [`encode`] (or any V2 / V2 + DEFLATE writer).
pub fn decode(s: &str) -> Result<Histogram<u64>, String> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(s.trim())
        .map_err(|e| format!("histogram: not base64: {e}"))?;
    let mut h: Histogram<u64> = Deserializer::new()
        .deserialize(&mut bytes.as_slice())
        .map_err(|e| format!("histogram: {e:?}"))?;
    h.auto(true);
    Ok(h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_keeps_every_count() {
        let mut h = Histogram::<u64>::new(3).unwrap();
        h.auto(true);
        for v in [1u64, 30_000, 30_001, 45_000, 2_000_000, 2_000_000] {
            h.record(v).unwrap();
        }
        let back = decode(&encode(&h)).unwrap();
        assert_eq!(back.len(), 6);
        assert_eq!(back, h);
        assert_eq!(back.value_at_quantile(0.5), h.value_at_quantile(0.5));
    }

    #[test]
    fn the_same_values_give_the_same_string_however_built() {
        let mut whole = Histogram::<u64>::new(3).unwrap();
        whole.auto(true);
        let mut a = Histogram::<u64>::new(3).unwrap();
        a.auto(true);
        let mut b = Histogram::<u64>::new(3).unwrap();
        b.auto(true);
        for (i, v) in [5u64, 40_000, 7, 2_000_000, 33, 45_000].iter().enumerate() {
            whole.record(*v).unwrap();
            if i % 2 == 0 {
                a.record(*v).unwrap()
            } else {
                b.record(*v).unwrap()
            }
        }
        let mut sum = b.clone();
        sum.add(&a).unwrap();
        assert_eq!(encode(&sum), encode(&whole));
    }

    #[test]
    fn bad_input_is_an_error() {
        assert!(decode("not base64!").is_err());
        assert!(decode("AAAA").is_err());
    }
}
