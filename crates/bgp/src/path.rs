//! AS paths: the public segment form, the compact encoding stored in the path arena, and the
//! views the queries need (origin, and the hop sequence a route takes).
//!
//! Encoding: each segment is a header `kind << 24 | count` followed by its `count` ASNs; an
//! empty path (a route the collector's own AS originated) encodes as nothing.

use std::fmt;

/// The kind of an AS path segment (RFC 4271 and RFC 5065 type codes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SegmentKind {
    /// AS_SET (1): an unordered set, from aggregation.
    Set = 1,
    /// AS_SEQUENCE (2): the ordinary ordered hops.
    Sequence = 2,
    /// AS_CONFED_SEQUENCE (3): hops inside a confederation.
    ConfedSequence = 3,
    /// AS_CONFED_SET (4).
    ConfedSet = 4,
}

impl SegmentKind {
    fn from_code(c: u32) -> Option<SegmentKind> {
        match c {
            1 => Some(SegmentKind::Set),
            2 => Some(SegmentKind::Sequence),
            3 => Some(SegmentKind::ConfedSequence),
            4 => Some(SegmentKind::ConfedSet),
            _ => None,
        }
    }
}

/// One segment of an AS path.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Segment {
    /// Its kind.
    pub kind: SegmentKind,
    /// Its ASNs, in the order they were on the wire.
    pub asns: Vec<u32>,
}

/// An AS path as received (prepending kept), segment by segment.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct AsPath {
    /// The segments, nearest AS first.
    pub segments: Vec<Segment>,
}

/// The origin of a route: one AS, or the members of a final AS_SET (as CAIDA's pfx2as writes
/// `a,b`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Origin {
    /// A single origin AS.
    As(u32),
    /// An AS_SET origin: its distinct members in wire order.
    Set(Vec<u32>),
}

impl Origin {
    /// True if `asn` is the origin or a member of the origin set.
    pub fn includes(&self, asn: u32) -> bool {
        match self {
            Origin::As(a) => *a == asn,
            Origin::Set(s) => s.contains(&asn),
        }
    }

    /// The first AS listed (the pfx2as "first AS" rule).
    pub fn first(&self) -> u32 {
        match self {
            Origin::As(a) => *a,
            Origin::Set(s) => s.first().copied().unwrap_or(0),
        }
    }
}

impl fmt::Display for Origin {
    /// `a`, or `a,b` for a set (CAIDA pfx2as notation).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::As(a) => write!(f, "{a}"),
            Origin::Set(s) => {
                let v: Vec<String> = s.iter().map(u32::to_string).collect();
                write!(f, "{}", v.join(","))
            }
        }
    }
}

impl AsPath {
    /// A path of one AS_SEQUENCE.
    pub fn from_sequence(asns: &[u32]) -> AsPath {
        AsPath {
            segments: vec![Segment {
                kind: SegmentKind::Sequence,
                asns: asns.to_vec(),
            }],
        }
    }

    /// Every ASN in wire order, segment kinds ignored.
    pub fn flat(&self) -> Vec<u32> {
        self.segments
            .iter()
            .flat_map(|s| s.asns.iter().copied())
            .collect()
    }

    /// The route's origin (see [`Origin`]); `None` for an empty path or one ending in a
    /// confederation segment.
    pub fn origin(&self) -> Option<Origin> {
        origin(&encode(self))
    }
}

impl fmt::Display for AsPath {
    /// bgpdump style: sequences as `a b c`, sets as `{a,b}`, confederation segments as `(a b)`
    /// and `[a,b]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for s in &self.segments {
            let join = |sep: &str| {
                s.asns
                    .iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join(sep)
            };
            if !first {
                f.write_str(" ")?;
            }
            first = false;
            match s.kind {
                SegmentKind::Sequence => f.write_str(&join(" "))?,
                SegmentKind::Set => write!(f, "{{{}}}", join(","))?,
                SegmentKind::ConfedSequence => write!(f, "({})", join(" "))?,
                SegmentKind::ConfedSet => write!(f, "[{}]", join(","))?,
            }
        }
        Ok(())
    }
}

/// Most ASNs one segment may hold in the encoding (far above what a BGP message can carry).
const MAX_SEGMENT: usize = (1 << 24) - 1;

/// Encodes a path for the arena; `None` if a segment is impossibly long.
pub(crate) fn encode(p: &AsPath) -> Vec<u32> {
    let mut v = Vec::with_capacity(
        p.segments.len() + p.segments.iter().map(|s| s.asns.len()).sum::<usize>(),
    );
    for s in &p.segments {
        let n = s.asns.len().min(MAX_SEGMENT);
        v.push((s.kind as u32) << 24 | n as u32);
        v.extend_from_slice(&s.asns[..n]);
    }
    v
}

/// Iterates the segments of an encoded path as `(kind, asns)`; stops at anything malformed.
pub(crate) fn segments(enc: &[u32]) -> impl Iterator<Item = (SegmentKind, &[u32])> {
    let mut rest = enc;
    std::iter::from_fn(move || {
        let (&h, tail) = rest.split_first()?;
        let kind = SegmentKind::from_code(h >> 24)?;
        let n = (h & 0xff_ffff) as usize;
        let asns = tail.get(..n)?;
        rest = &tail[n..];
        Some((kind, asns))
    })
}

/// Decodes an encoded path.
pub(crate) fn decode(enc: &[u32]) -> AsPath {
    AsPath {
        segments: segments(enc)
            .map(|(kind, asns)| Segment {
                kind,
                asns: asns.to_vec(),
            })
            .collect(),
    }
}

/// The origin of an encoded path: the last AS of a final AS_SEQUENCE, or the distinct members
/// of a final AS_SET. Confederation segments are skipped (they never leave the confederation).
pub(crate) fn origin(enc: &[u32]) -> Option<Origin> {
    let (kind, asns) = segments(enc)
        .filter(|(k, a)| matches!(k, SegmentKind::Sequence | SegmentKind::Set) && !a.is_empty())
        .last()?;
    match kind {
        SegmentKind::Set => {
            let mut s: Vec<u32> = Vec::with_capacity(asns.len());
            for &a in asns {
                if !s.contains(&a) {
                    s.push(a);
                }
            }
            Some(if s.len() == 1 {
                Origin::As(s[0])
            } else {
                Origin::Set(s)
            })
        }
        _ => asns.last().map(|&a| Origin::As(a)),
    }
}

/// The hop sequence of an encoded path: AS_SEQUENCE ASNs in order (confederation segments
/// dropped) and the members of a final AS_SET. `None` when an AS_SET sits before the last
/// segment: no hop order can be read through it.
pub(crate) fn hops(enc: &[u32]) -> Option<(Vec<u32>, &[u32])> {
    let segs: Vec<(SegmentKind, &[u32])> = segments(enc)
        .filter(|(k, a)| matches!(k, SegmentKind::Sequence | SegmentKind::Set) && !a.is_empty())
        .collect();
    let mut seq = Vec::new();
    let mut tail: &[u32] = &[];
    for (i, (k, a)) in segs.iter().enumerate() {
        match k {
            SegmentKind::Set if i + 1 == segs.len() => tail = a,
            SegmentKind::Set => return None,
            _ => seq.extend_from_slice(a),
        }
    }
    Some((seq, tail))
}

/// The transit ASes of a path from A to B: the ASes strictly between its first and last AS,
/// with prepending collapsed (`A A X X Y B B` gives `X Y`).
pub fn transit_of(path: &[u32]) -> Vec<u32> {
    let mut d: Vec<u32> = Vec::with_capacity(path.len());
    for &a in path {
        if d.last() != Some(&a) {
            d.push(a);
        }
    }
    if d.len() <= 2 {
        return Vec::new();
    }
    d[1..d.len() - 1].to_vec()
}

/// A path with prepending collapsed (`A A A B` gives `A B`).
pub fn dedup_prepending(path: &[u32]) -> Vec<u32> {
    let mut d: Vec<u32> = Vec::with_capacity(path.len());
    for &a in path {
        if d.last() != Some(&a) {
            d.push(a);
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(kind: SegmentKind, asns: &[u32]) -> Segment {
        Segment {
            kind,
            asns: asns.to_vec(),
        }
    }

    #[test]
    fn encoding_roundtrips_and_views() {
        let p = AsPath {
            segments: vec![
                seg(SegmentKind::ConfedSequence, &[65001, 65002]),
                seg(SegmentKind::Sequence, &[10, 20, 20, 30]),
                seg(SegmentKind::Set, &[40, 50, 40]),
            ],
        };
        let e = encode(&p);
        assert_eq!(e.len(), 3 + 2 + 4 + 3);
        assert_eq!(decode(&e), p);
        assert_eq!(origin(&e), Some(Origin::Set(vec![40, 50])));
        assert_eq!(hops(&e), Some((vec![10, 20, 20, 30], &[40, 50, 40][..])));
        assert_eq!(p.to_string(), "(65001 65002) 10 20 20 30 {40,50,40}");
        let q = AsPath::from_sequence(&[1, 2, 3]);
        assert_eq!(q.origin(), Some(Origin::As(3)));
        assert_eq!(encode(&AsPath::default()), Vec::<u32>::new());
        assert_eq!(origin(&[]), None);
        // a set in the middle: no hop order
        let mid = AsPath {
            segments: vec![
                seg(SegmentKind::Set, &[1, 2]),
                seg(SegmentKind::Sequence, &[3]),
            ],
        };
        assert_eq!(hops(&encode(&mid)), None);
        assert_eq!(mid.origin(), Some(Origin::As(3)));
        // a one-member set is a single origin
        let one = AsPath {
            segments: vec![
                seg(SegmentKind::Sequence, &[1]),
                seg(SegmentKind::Set, &[7, 7]),
            ],
        };
        assert_eq!(one.origin(), Some(Origin::As(7)));
        // malformed encodings stop quietly
        assert_eq!(decode(&[0x0900_0001, 5]), AsPath::default());
        assert_eq!(decode(&[0x0200_0005, 5]), AsPath::default());
    }

    #[test]
    fn transit_collapses_prepending() {
        assert_eq!(transit_of(&[1, 1, 1, 2]), Vec::<u32>::new());
        assert_eq!(transit_of(&[1, 5, 5, 6, 2, 2]), vec![5, 6]);
        assert_eq!(transit_of(&[7]), Vec::<u32>::new());
        assert_eq!(transit_of(&[]), Vec::<u32>::new());
        assert_eq!(dedup_prepending(&[1, 1, 2, 2, 1]), vec![1, 2, 1]);
    }
}
