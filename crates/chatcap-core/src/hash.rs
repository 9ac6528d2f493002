//! A small, fast, deterministic hasher for the floor's id maps.
//!
//! The maps are only looked up, never iterated into an answer, so their order cannot leak into
//! output; a fixed hasher keeps lookups fast and the core free of random state.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A word-at-a-time hasher: each word is folded into the state with a full 64 x 64 -> 128-bit
/// multiply whose halves are XORed (the mixing step of foldhash and wyhash).
///
/// The multiply-rotate step of rustc's older `FxHasher` carries a difference only towards the
/// high bits, so ids that differ late in a word collide in all 64 bits about once in 256 pairs
/// (`agent-184` and `agent-109` did); the folded product spreads every input bit over both
/// halves.
#[derive(Default, Clone, Copy)]
pub struct FxHasher {
    hash: u64,
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;
const SEED_2: u64 = 0x9e_37_79_b9_7f_4a_7c_15;

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        let product = u128::from(self.hash ^ word ^ SEED_2) * u128::from(SEED);
        self.hash = (product as u64) ^ ((product >> 64) as u64);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

/// A map keyed by ids, hashed with [`FxHasher`].
pub type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// Hashes a string the way [`StrIndex`] keys it.
#[inline]
pub(crate) fn hash_str(s: &str) -> u64 {
    use std::hash::Hash;
    let mut h = FxHasher::default();
    s.hash(&mut h);
    h.finish()
}

/// A map from strings held elsewhere (in a `Vec` of records) to their positions.
///
/// It stores only each string's 64-bit hash and position, so building it copies no string and
/// touches no string twice; a lookup confirms the match against the record itself. Two distinct
/// strings with the same hash are kept exactly in a small overflow list.
#[derive(Clone, Debug)]
pub(crate) struct StrIndex {
    hash: fn(&str) -> u64,
    first: FxMap<u64, u32>,
    /// Positions of strings whose hash another string already took.
    overflow: Vec<(u64, u32)>,
}

impl StrIndex {
    pub(crate) fn with_capacity(n: usize) -> Self {
        let mut first = FxMap::default();
        first.reserve(n);
        Self { hash: hash_str, first, overflow: Vec::new() }
    }

    /// The position of `key`, where `key_at(pos)` gives the string stored at a position.
    #[inline]
    pub(crate) fn get<'a>(&self, key: &str, key_at: impl Fn(u32) -> &'a str) -> Option<u32> {
        let h = (self.hash)(key);
        let &pos = self.first.get(&h)?;
        if key_at(pos) == key {
            return Some(pos);
        }
        self.overflow.iter().find(|&&(oh, p)| oh == h && key_at(p) == key).map(|&(_, p)| p)
    }

    /// Records `key` at `pos`, unless it is there already: then the position that holds it.
    pub(crate) fn insert<'a>(
        &mut self,
        key: &str,
        pos: u32,
        key_at: impl Fn(u32) -> &'a str,
    ) -> Result<(), u32> {
        use std::collections::hash_map::Entry;
        let h = (self.hash)(key);
        match self.first.entry(h) {
            Entry::Vacant(e) => {
                e.insert(pos);
                Ok(())
            }
            Entry::Occupied(e) => {
                let p = *e.get();
                if key_at(p) == key {
                    return Err(p);
                }
                if let Some(&(_, p)) = self.overflow.iter().find(|&&(oh, p)| oh == h && key_at(p) == key) {
                    return Err(p);
                }
                self.overflow.push((h, pos));
                Ok(())
            }
        }
    }
}

impl StrIndex {
    /// Forgets `key` at `pos`; does nothing if `key` is not held at `pos`.
    pub(crate) fn remove(&mut self, key: &str, pos: u32) {
        let h = (self.hash)(key);
        if let Some(at) = self.overflow.iter().position(|&(oh, p)| oh == h && p == pos) {
            self.overflow.swap_remove(at);
            return;
        }
        if self.first.get(&h) != Some(&pos) {
            return;
        }
        // Another key with the same hash moves up from the overflow list, if there is one.
        match self.overflow.iter().position(|&(oh, _)| oh == h) {
            Some(at) => {
                let (_, p) = self.overflow.swap_remove(at);
                self.first.insert(h, p);
            }
            None => {
                self.first.remove(&h);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colliding_hashes_are_kept_apart() {
        // Every key hashes alike: every lookup must fall back to comparing the strings.
        let keys = ["a", "b", "c", "b"];
        let mut idx = StrIndex { hash: |_| 7, ..StrIndex::with_capacity(4) };
        let at = |p: u32| keys[p as usize];
        assert_eq!(idx.insert("a", 0, at), Ok(()));
        assert_eq!(idx.insert("b", 1, at), Ok(()));
        assert_eq!(idx.insert("c", 2, at), Ok(()));
        assert_eq!(idx.insert("b", 3, at), Err(1));
        assert_eq!(
            [idx.get("a", at), idx.get("b", at), idx.get("c", at), idx.get("d", at)],
            [Some(0), Some(1), Some(2), None]
        );
    }

    #[test]
    fn ids_that_differ_late_in_a_word_do_not_collide() {
        // Ids of vendors' shapes, numbered: no two of 200,000 share a 64-bit hash, and the top
        // 32 bits (an agent index's tag) collide no more than chance allows.
        let mut hashes: Vec<u64> = (0..100_000)
            .flat_map(|i| [hash_str(&format!("agent-{i}")), hash_str(&format!("{}", 25_025_413 + i))])
            .collect();
        hashes.sort_unstable();
        assert!(hashes.windows(2).all(|w| w[0] != w[1]));
        let mut tags: Vec<u64> = hashes.iter().map(|h| h >> 32).collect();
        tags.sort_unstable();
        tags.dedup();
        // 200,000 draws from 2^32: about 4.7 pairs expected to share a tag.
        assert!(tags.len() >= 200_000 - 30, "{} distinct tags", tags.len());
    }

    #[test]
    fn insert_reports_the_holder_of_a_repeated_key() {
        let keys = ["x", "y", "x"];
        let mut idx = StrIndex::with_capacity(3);
        assert_eq!(idx.insert("x", 0, |p| keys[p as usize]), Ok(()));
        assert_eq!(idx.insert("y", 1, |p| keys[p as usize]), Ok(()));
        assert_eq!(idx.insert("x", 2, |p| keys[p as usize]), Err(0));
        assert_eq!(idx.get("y", |p| keys[p as usize]), Some(1));
        assert_eq!(idx.get("z", |p| keys[p as usize]), None);
    }

    #[test]
    fn removing_a_key_keeps_its_colliding_neighbours() {
        let keys = ["a", "b", "c"];
        let at = |p: u32| keys[p as usize];
        let mut idx = StrIndex { hash: |_| 7, ..StrIndex::with_capacity(3) };
        for (p, k) in keys.iter().enumerate() {
            assert_eq!(idx.insert(k, p as u32, at), Ok(()));
        }
        // "a" holds the first place; "b" and "c" overflow.
        idx.remove("a", 0);
        assert_eq!([idx.get("a", at), idx.get("b", at), idx.get("c", at)], [None, Some(1), Some(2)]);
        idx.remove("c", 2);
        assert_eq!([idx.get("a", at), idx.get("b", at), idx.get("c", at)], [None, Some(1), None]);
        // A key not held at that position stays.
        idx.remove("b", 0);
        assert_eq!(idx.get("b", at), Some(1));
        idx.remove("b", 1);
        assert_eq!(idx.get("b", at), None);
        assert_eq!(idx.insert("a", 0, at), Ok(()));
        assert_eq!(idx.get("a", at), Some(0));
    }
}
