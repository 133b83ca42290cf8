//! Compact ASN -> AS name map: sorted ASNs with offsets into one string buffer.

/// AS names stored as one text buffer with a sorted ASN index (no per-name allocation).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AsNames {
    asns: Vec<u32>,
    /// `ends[i]` = end offset of name `i` in `text`; name `i` starts at `ends[i-1]` (or 0).
    ends: Vec<u32>,
    text: String,
}

impl AsNames {
    /// Builds from `(asn, name)` pairs; when an ASN repeats, the first pair wins.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (u32, &'a str)>) -> AsNames {
        let mut v: Vec<(u32, usize, &str)> = pairs
            .into_iter()
            .enumerate()
            .map(|(i, (a, n))| (a, i, n))
            .collect();
        v.sort_by_key(|&(a, i, _)| (a, i));
        v.dedup_by_key(|&mut (a, _, _)| a);
        let mut out = AsNames::default();
        out.text.reserve(v.iter().map(|x| x.2.len()).sum());
        for (a, _, n) in v {
            out.text.push_str(n);
            out.asns.push(a);
            out.ends
                .push(u32::try_from(out.text.len()).unwrap_or(u32::MAX));
        }
        out
    }

    /// The name of `asn`, if known.
    pub fn get(&self, asn: u32) -> Option<&str> {
        let i = self.asns.binary_search(&asn).ok()?;
        let start = if i == 0 {
            0
        } else {
            *self.ends.get(i - 1)? as usize
        };
        let end = *self.ends.get(i)? as usize;
        self.text.get(start..end)
    }

    /// Number of names.
    pub fn len(&self) -> usize {
        self.asns.len()
    }

    /// Iterates `(asn, name)` in ASN order.
    pub fn iter(&self) -> impl Iterator<Item = (u32, &str)> + '_ {
        self.asns
            .iter()
            .enumerate()
            .filter_map(move |(i, &a)| self.get_at(i).map(|n| (a, n)))
    }

    fn get_at(&self, i: usize) -> Option<&str> {
        let start = if i == 0 {
            0
        } else {
            *self.ends.get(i - 1)? as usize
        };
        self.text.get(start..*self.ends.get(i)? as usize)
    }

    /// Heap bytes used.
    pub fn heap_bytes(&self) -> usize {
        self.asns.capacity() * 4 + self.ends.capacity() * 4 + self.text.capacity()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_name_wins_and_lookup() {
        let n = AsNames::from_pairs([(7, "seven"), (3, "three"), (7, "other"), (0, "")]);
        assert_eq!(n.get(7), Some("seven"));
        assert_eq!(n.get(3), Some("three"));
        assert_eq!(n.get(0), Some(""));
        assert_eq!(n.get(4), None);
        assert_eq!(n.len(), 3);
        let all: Vec<_> = n.iter().collect();
        assert_eq!(all, vec![(0, ""), (3, "three"), (7, "seven")]);
    }
}
