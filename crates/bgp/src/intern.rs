//! Interning of variable-length slices in one arena: each distinct slice is stored once and
//! named by a dense `u32` id.

use std::hash::{Hash, Hasher};

/// Distinct slices stored back to back; ids index `spans`.
#[derive(Clone, Debug, Default)]
pub(crate) struct Interner<T> {
    data: Vec<T>,
    /// Start of slice `i` in `data`; slice `i` ends where `i + 1` starts (or at `data.len()`).
    starts: Vec<u32>,
    /// Open-addressing table of `id + 1` (0 = empty); its length is a power of two.
    table: Vec<u32>,
}

fn hash_of<T: Hash>(s: &[T]) -> u64 {
    let mut h = rustc_hash::FxHasher::default();
    s.hash(&mut h);
    h.finish()
}

impl<T: Copy + Hash + Eq> Interner<T> {
    /// Number of distinct slices.
    pub(crate) fn len(&self) -> usize {
        self.starts.len()
    }

    /// The slice named `id` (empty for an unknown id).
    pub(crate) fn get(&self, id: u32) -> &[T] {
        let i = id as usize;
        let Some(&s) = self.starts.get(i) else {
            return &[];
        };
        let e = self
            .starts
            .get(i + 1)
            .map_or(self.data.len(), |&e| e as usize);
        self.data.get(s as usize..e).unwrap_or(&[])
    }

    /// The id of `s`, storing it if new. `None` if the arena would pass `u32` offsets.
    pub(crate) fn intern(&mut self, s: &[T]) -> Option<u32> {
        if self.table.len() < 2 * (self.starts.len() + 1) {
            self.grow();
        }
        let mask = self.table.len() - 1;
        let mut i = hash_of(s) as usize & mask;
        loop {
            match self.table[i] {
                0 => break,
                v => {
                    if self.get(v - 1) == s {
                        return Some(v - 1);
                    }
                }
            }
            i = (i + 1) & mask;
        }
        let start = u32::try_from(self.data.len()).ok()?;
        if self.data.len() + s.len() > u32::MAX as usize
            || self.starts.len() >= u32::MAX as usize - 1
        {
            return None;
        }
        let id = self.starts.len() as u32;
        self.starts.push(start);
        self.data.extend_from_slice(s);
        self.table[i] = id + 1;
        Some(id)
    }

    /// Doubles the hash table and reinserts every id.
    fn grow(&mut self) {
        let cap = (self.table.len() * 2).max(64);
        let mut table = vec![0u32; cap];
        let mask = cap - 1;
        for id in 0..self.starts.len() as u32 {
            let mut i = hash_of(self.get(id)) as usize & mask;
            while table[i] != 0 {
                i = (i + 1) & mask;
            }
            table[i] = id + 1;
        }
        self.table = table;
    }

    /// Gives back spare capacity of the arena (the hash table keeps its size).
    pub(crate) fn shrink(&mut self) {
        self.data.shrink_to_fit();
        self.starts.shrink_to_fit();
    }

    /// Heap bytes held.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.data.capacity() * std::mem::size_of::<T>()
            + self.starts.capacity() * 4
            + self.table.capacity() * 4
    }

    /// Elements stored in the arena (all slices together).
    pub(crate) fn elements(&self) -> usize {
        self.data.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interns_each_slice_once() {
        let mut it: Interner<u32> = Interner::default();
        let a = it.intern(&[1, 2, 3]).unwrap();
        let b = it.intern(&[]).unwrap();
        let c = it.intern(&[1, 2]).unwrap();
        assert_eq!(it.intern(&[1, 2, 3]), Some(a));
        assert_eq!(it.intern(&[]), Some(b));
        assert_eq!((a, b, c), (0, 1, 2));
        assert_eq!(it.get(a), &[1, 2, 3]);
        assert_eq!(it.get(b), &[] as &[u32]);
        assert_eq!(it.get(c), &[1, 2]);
        assert_eq!(it.get(99), &[] as &[u32]);
        for i in 0..10_000u32 {
            let id = it.intern(&[i, i + 1]).unwrap();
            assert_eq!(it.get(id), &[i, i + 1]);
        }
        assert_eq!(
            it.intern(&[5000, 5001]).map(|id| it.get(id).to_vec()),
            Some(vec![5000, 5001])
        );
        assert_eq!(it.len(), 3 + 10_000 - 1, "[1, 2] was already there");
    }
}
