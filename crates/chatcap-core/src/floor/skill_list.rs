//! An agent's skills: sorted indices, held inline up to [`INLINE`] so that reading them costs no
//! trip to the heap.

use std::ops::Deref;

use super::SkillPos;

/// Skills held inline; most agents have fewer.
const INLINE: usize = 5;

/// Sorted skill indices, no repeats (the floor keeps them so).
#[derive(Clone, Debug)]
pub(crate) enum SkillList {
    Inline { len: u8, items: [SkillPos; INLINE] },
    Heap(Vec<SkillPos>),
}

impl Default for SkillList {
    fn default() -> SkillList {
        SkillList::Inline { len: 0, items: [SkillPos(0); INLINE] }
    }
}

impl SkillList {
    /// The list of `skills`, which the caller has sorted.
    pub(crate) fn from_sorted(skills: &[SkillPos]) -> SkillList {
        if skills.len() <= INLINE {
            let mut items = [SkillPos(0); INLINE];
            items[..skills.len()].copy_from_slice(skills);
            SkillList::Inline { len: skills.len() as u8, items }
        } else {
            SkillList::Heap(skills.to_vec())
        }
    }

    /// Inserts a skill at `pos`, keeping the order the caller found it by.
    pub(crate) fn insert(&mut self, pos: usize, skill: SkillPos) {
        match self {
            SkillList::Inline { len, items } if usize::from(*len) < INLINE => {
                let n = usize::from(*len);
                items.copy_within(pos..n, pos + 1);
                items[pos] = skill;
                *len += 1;
            }
            SkillList::Inline { items, .. } => {
                let mut v = items.to_vec();
                v.insert(pos, skill);
                *self = SkillList::Heap(v);
            }
            SkillList::Heap(v) => v.insert(pos, skill),
        }
    }

    /// Removes the skill at `pos`.
    pub(crate) fn remove(&mut self, pos: usize) {
        match self {
            SkillList::Inline { len, items } => {
                let n = usize::from(*len);
                items.copy_within(pos + 1..n, pos);
                *len -= 1;
            }
            SkillList::Heap(v) => {
                v.remove(pos);
            }
        }
    }
}

impl Deref for SkillList {
    type Target = [SkillPos];

    #[inline]
    fn deref(&self) -> &[SkillPos] {
        match self {
            SkillList::Inline { len, items } => &items[..usize::from(*len)],
            SkillList::Heap(v) => v,
        }
    }
}

impl<'a> IntoIterator for &'a SkillList {
    type Item = &'a SkillPos;
    type IntoIter = std::slice::Iter<'a, SkillPos>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inserts_and_removes_keep_the_list_as_a_vec_would() {
        let mut list = SkillList::default();
        let mut naive: Vec<SkillPos> = Vec::new();
        // Grow past the inline size, then shrink back, at the front, middle and end.
        for (k, s) in [5u32, 1, 9, 3, 7, 2, 8, 4].into_iter().enumerate() {
            let pos = naive.binary_search(&SkillPos(s)).unwrap_err();
            naive.insert(pos, SkillPos(s));
            list.insert(pos, SkillPos(s));
            assert_eq!(&*list, &naive[..], "after insert {k}");
        }
        for s in [1u32, 9, 5, 3, 7, 2, 8, 4] {
            let pos = naive.binary_search(&SkillPos(s)).unwrap();
            naive.remove(pos);
            list.remove(pos);
            assert_eq!(&*list, &naive[..]);
        }
        assert!(list.is_empty());
        assert_eq!(&*SkillList::from_sorted(&[SkillPos(1), SkillPos(4)]), &[SkillPos(1), SkillPos(4)]);
        let long: Vec<SkillPos> = (0..9).map(SkillPos).collect();
        assert_eq!(&*SkillList::from_sorted(&long), &long[..]);
    }
}
