//! Registered country per ASN as sorted, disjoint ASN intervals (RIR `asn` records cover blocks
//! of ASNs: storing them one ASN at a time made a two-line file cost millions of inserts).

use std::collections::BTreeMap;

use crate::source::AsnCountry;
use crate::Country;

/// Disjoint inclusive intervals `start -> (end, value)`, filled first come first served.
#[derive(Clone, Debug)]
pub struct Disjoint<T> {
    map: BTreeMap<u32, (u32, T)>,
}

impl<T> Default for Disjoint<T> {
    fn default() -> Self {
        Disjoint {
            map: BTreeMap::new(),
        }
    }
}

impl<T: Copy> Disjoint<T> {
    /// Gives `val` to the ASNs of `[a, b]` that have no value yet. `seen` is called, in
    /// ascending order, with the first ASN and value of every piece already inside `[a, b]`; an
    /// `Err` from it stops the fill (nothing of `[a, b]` is stored then).
    pub fn fill<E>(
        &mut self,
        a: u32,
        b: u32,
        val: T,
        mut seen: impl FnMut(u32, &T) -> Result<(), E>,
    ) -> Result<(), E> {
        // Pieces overlapping [a, b]: the one starting at or before a (if it reaches a), then
        // those starting inside.
        let mut over: Vec<(u32, u32)> = Vec::new();
        if let Some((&s, &(e, _))) = self.map.range(..a).next_back() {
            if e >= a {
                over.push((s, e));
            }
        }
        over.extend(self.map.range(a..=b).map(|(&s, &(e, _))| (s, e)));
        for &(s, _) in &over {
            if let Some((_, v)) = self.map.get(&s) {
                seen(s.max(a), v)?;
            }
        }
        let mut next = Some(a);
        for &(s, e) in &over {
            if let Some(n) = next {
                if s > n {
                    self.map.insert(n, (s - 1, val));
                }
            }
            next = e.checked_add(1).filter(|&x| x <= b);
            if e >= b {
                next = None;
            }
        }
        if let Some(n) = next {
            if n <= b {
                self.map.insert(n, (b, val));
            }
        }
        Ok(())
    }

    /// The pieces in ascending order as `(first, last, value)`.
    pub fn pieces(&self) -> impl Iterator<Item = (u32, u32, T)> + '_ {
        self.map.iter().map(|(&s, &(e, v))| (s, e, v))
    }
}

/// Registered country (and source index) per ASN: sorted disjoint intervals, binary search.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AsnCountries {
    first: Vec<u32>,
    last: Vec<u32>,
    val: Vec<(Country, u16)>,
}

impl AsnCountries {
    /// Combines records by precedence: strongest kind first, then earliest source, then record
    /// order; each ASN takes the first record that covers it. AS 0 (unknown) is left out.
    pub fn from_records(recs: &[AsnCountry]) -> AsnCountries {
        let mut order: Vec<usize> = (0..recs.len()).collect();
        order.sort_by_key(|&i| (recs[i].rank, recs[i].src));
        let mut d: Disjoint<(Country, u16)> = Disjoint::default();
        for i in order {
            let r = &recs[i];
            let a = r.asn.max(1);
            if r.last < a {
                continue;
            }
            let _ = d.fill(a, r.last, (r.country, r.src), |_, _| Ok::<(), ()>(()));
        }
        let mut out = AsnCountries::default();
        for (s, e, v) in d.pieces() {
            out.push(s, e, v);
        }
        out
    }

    /// Appends an interval above all present ones, merging with the last when contiguous and
    /// equal. Returns false (nothing stored) if it is not above them.
    pub fn push(&mut self, first: u32, last: u32, v: (Country, u16)) -> bool {
        if last < first || self.last.last().is_some_and(|&l| first <= l) {
            return false;
        }
        if let (Some(l), Some(pv)) = (self.last.last_mut(), self.val.last()) {
            if l.checked_add(1) == Some(first) && *pv == v {
                *l = last;
                return true;
            }
        }
        self.first.push(first);
        self.last.push(last);
        self.val.push(v);
        true
    }

    /// The country and source index of `asn`.
    pub fn get(&self, asn: u32) -> Option<(Country, u16)> {
        let i = self.first.partition_point(|&f| f <= asn);
        (i > 0 && self.last[i - 1] >= asn).then(|| self.val[i - 1])
    }

    /// ASNs with a country.
    pub fn len(&self) -> usize {
        self.first
            .iter()
            .zip(&self.last)
            .map(|(&f, &l)| (l - f) as usize + 1)
            .sum()
    }

    /// The intervals, ascending, as `(first, last, country, source)`.
    pub fn intervals(&self) -> impl Iterator<Item = (u32, u32, Country, u16)> + '_ {
        (0..self.first.len()).map(|i| (self.first[i], self.last[i], self.val[i].0, self.val[i].1))
    }

    /// Heap bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.first.capacity() * 4
            + self.last.capacity() * 4
            + self.val.capacity() * std::mem::size_of::<(Country, u16)>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::AsnCountryRank;

    fn rec(asn: u32, last: u32, cc: &[u8; 2], rank: AsnCountryRank, src: u16) -> AsnCountry {
        AsnCountry {
            asn,
            last,
            country: Country(*cc),
            rank,
            src,
        }
    }

    #[test]
    fn fill_keeps_first_values_and_reports_overlaps() {
        let mut d: Disjoint<u8> = Disjoint::default();
        d.fill(10, 20, 1, |_, _| Ok::<(), ()>(())).unwrap();
        d.fill(30, 40, 2, |_, _| Ok::<(), ()>(())).unwrap();
        let mut seen = Vec::new();
        d.fill(5, 50, 3, |a, &v| {
            seen.push((a, v));
            Ok::<(), ()>(())
        })
        .unwrap();
        assert_eq!(seen, vec![(10, 1), (30, 2)]);
        let p: Vec<_> = d.pieces().collect();
        assert_eq!(
            p,
            vec![
                (5, 9, 3),
                (10, 20, 1),
                (21, 29, 3),
                (30, 40, 2),
                (41, 50, 3)
            ]
        );
        // a conflict stops the fill and stores nothing
        assert_eq!(d.fill(0, 60, 4, |a, _| Err(a)), Err(5));
        assert_eq!(d.pieces().count(), 5);
        d.fill(u32::MAX - 1, u32::MAX, 9, |_, _| Ok::<(), ()>(()))
            .unwrap();
        d.fill(0, u32::MAX, 8, |_, _| Ok::<(), ()>(())).unwrap();
        let p: Vec<_> = d.pieces().collect();
        assert_eq!(p.first(), Some(&(0, 4, 8)));
        assert_eq!(p.last(), Some(&(u32::MAX - 1, u32::MAX, 9)));
        assert_eq!(p[p.len() - 2], (51, u32::MAX - 2, 8));
    }

    #[test]
    fn precedence_rank_then_source_then_order() {
        use AsnCountryRank::*;
        let m = AsnCountries::from_records(&[
            rec(100, 100, b"US", NameSuffix, 0),
            rec(1, 200, b"KH", Column, 1),
            rec(150, 160, b"LA", Rir, 2),
            rec(155, 170, b"VN", Rir, 2),
            rec(0, 0, b"ZZ", Rir, 0),
        ]);
        assert_eq!(m.get(0), None, "AS 0 never has a country");
        assert_eq!(m.get(100).map(|v| v.0), Some(Country(*b"KH")));
        assert_eq!(m.get(155).map(|v| v.0), Some(Country(*b"LA")));
        assert_eq!(m.get(165).map(|v| v.0), Some(Country(*b"VN")));
        assert_eq!(m.get(171).map(|v| v.0), Some(Country(*b"KH")));
        assert_eq!(m.get(201), None);
        assert_eq!(m.len(), 200);
    }
}
