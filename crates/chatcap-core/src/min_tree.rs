//! Tournament trees of `u128` or `u64` entries: the router's per-skill index, and the
//! simulator's calendar of chat ends and arrivals.

/// What a [`Tournament`] can hold: an unsigned integer whose maximum means "nothing", with a
/// group of children that fills one cache line.
pub trait TreeEntry: Copy + Ord + Eq + std::fmt::Debug + sealed::Sealed {
    /// The children of one inner node, together on a cache line.
    #[doc(hidden)]
    type Group: Copy + Eq + std::fmt::Debug + AsRef<[Self]> + AsMut<[Self]>;
    /// What a leaf holds when it holds nothing.
    const NOTHING: Self;
    /// A group of empty children.
    #[doc(hidden)]
    const EMPTY_GROUP: Self::Group;
    /// Children per inner node.
    #[doc(hidden)]
    const ARITY: usize;
    /// The least of a group's entries, without a branch.
    #[doc(hidden)]
    fn least_of(group: &Self::Group) -> Self;
    /// The entry as two words, both `u64::MAX` for nothing.
    #[doc(hidden)]
    fn to_words(self) -> [u64; 2];
    /// The entry [`TreeEntry::to_words`] made these words of.
    #[doc(hidden)]
    fn from_words(words: [u64; 2]) -> Self;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for u128 {}
    impl Sealed for u64 {}
}

/// Four `u128` entries on a cache line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(align(64))]
#[doc(hidden)]
pub struct Group4([u128; 4]);

impl AsRef<[u128]> for Group4 {
    fn as_ref(&self) -> &[u128] {
        &self.0
    }
}
impl AsMut<[u128]> for Group4 {
    fn as_mut(&mut self) -> &mut [u128] {
        &mut self.0
    }
}

/// Eight `u64` entries on a cache line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(align(64))]
#[doc(hidden)]
pub struct Group8([u64; 8]);

impl AsRef<[u64]> for Group8 {
    fn as_ref(&self) -> &[u64] {
        &self.0
    }
}
impl AsMut<[u64]> for Group8 {
    fn as_mut(&mut self) -> &mut [u64] {
        &mut self.0
    }
}

impl TreeEntry for u128 {
    type Group = Group4;
    const NOTHING: u128 = u128::MAX;
    const EMPTY_GROUP: Group4 = Group4([u128::MAX; 4]);
    const ARITY: usize = 4;

    /// The least of the group's entries, chosen without a branch: which child wins is a coin
    /// toss to the branch predictor, so the winner is chosen by conditional moves on the two
    /// halves of the entries (LLVM turns a select of whole `u128`s, `min` or
    /// `select_unpredictable`, into a branch, and a mispredicted branch costs more than the
    /// comparisons).
    #[inline]
    fn least_of(group: &Group4) -> u128 {
        let [a, b, c, d] = group.0;
        least(least(a, b), least(c, d))
    }

    #[inline]
    fn to_words(self) -> [u64; 2] {
        [(self >> 64) as u64, self as u64]
    }

    #[inline]
    fn from_words([hi, lo]: [u64; 2]) -> u128 {
        u128::from(hi) << 64 | u128::from(lo)
    }
}

impl TreeEntry for u64 {
    type Group = Group8;
    const NOTHING: u64 = u64::MAX;
    const EMPTY_GROUP: Group8 = Group8([u64::MAX; 8]);
    const ARITY: usize = 8;

    /// The least of the group's entries, by conditional moves (see the `u128` form).
    #[inline]
    fn least_of(group: &Group8) -> u64 {
        let m = |a: u64, b: u64| std::hint::select_unpredictable(a < b, a, b);
        let [a, b, c, d, e, f, g, h] = group.0;
        m(m(m(a, b), m(c, d)), m(m(e, f), m(g, h)))
    }

    #[inline]
    fn to_words(self) -> [u64; 2] {
        [self, u64::MAX]
    }

    #[inline]
    fn from_words([hi, _]: [u64; 2]) -> u64 {
        hi
    }
}

/// The lesser of two entries, without a branch (see [`TreeEntry::least_of`]).
#[inline]
fn least(a: u128, b: u128) -> u128 {
    let (a_hi, a_lo, b_hi, b_lo) = ((a >> 64) as u64, a as u64, (b >> 64) as u64, b as u64);
    let keep = (a_hi < b_hi) | ((a_hi == b_hi) & (a_lo < b_lo));
    let hi = std::hint::select_unpredictable(keep, a_hi, b_hi);
    let lo = std::hint::select_unpredictable(keep, a_lo, b_lo);
    u128::from(hi) << 64 | u128::from(lo)
}

/// A tournament tree of `u128` entries, 4-ary.
pub type MinTree = Tournament<u128>;

/// A tournament tree of `u64` entries, 8-ary: half the memory of a [`MinTree`] per leaf, and
/// fewer levels, for callers whose entries fit.
pub type MinTree64 = Tournament<u64>;

/// A tournament tree: leaves that each hold an entry, a `u128` or a `u64` (or nothing), every inner node the
/// least of its children, so that the least entry sits at the root.
///
/// Reading the least entry costs one load; changing a leaf walks up toward the root and stops
/// at the first node that keeps its value: O(log leaves). A lower entry only compares itself
/// with each node on the way; a higher one changes only the nodes it won, each to the least of
/// its children, chosen without a branch. The children of a node fill one cache line (four
/// `u128`s, eight `u64`s), so that a walk up touches a half or a third of the lines a binary
/// tree's does (on a floor of 100,000 agents the lower levels are cache misses). Callers pack what they order by into the entry, high bits first, with a
/// tie-break that keeps live entries distinct (the router packs a ranking key above an agent's
/// rank by id; a simulator packs a time's bits above an event source's number). Leaves are
/// handed out and given back; the tree doubles when it runs out.
///
/// # Examples
///
/// ```
/// use chatcap_core::internal::MinTree;
/// let mut tree = MinTree::new();
/// let (a, b) = (tree.alloc(), tree.alloc());
/// tree.set(a, 30 << 32 | 1);
/// tree.set(b, 20 << 32 | 2);
/// assert_eq!(tree.min(), Some(20 << 32 | 2));
/// tree.release(b);
/// assert_eq!(tree.min(), Some(30 << 32 | 1));
/// ```
#[derive(Clone, Debug)]
pub struct Tournament<E: TreeEntry> {
    /// `levels[0]` holds the leaves, leaf `k` at `levels[0][k / ARITY][k % ARITY]`; entry `j`
    /// of `levels[l + 1][g]` is the least of `levels[l][g * ARITY + j]`. The last level is one
    /// group, whose least is `root`.
    levels: Vec<Vec<E::Group>>,
    /// The least entry of all, as two words (see [`TreeEntry::to_words`]): a `u128` is written
    /// as two words, and a read of the whole as one wide load would wait for the writes to
    /// reach the cache instead of taking them from the store buffer.
    root: [u64; 2],
    /// Leaves handed out and given back, for reuse.
    free: Vec<u32>,
    /// Leaves ever handed out; those at and above it were never used.
    used: u32,
}

impl<E: TreeEntry> Default for Tournament<E> {
    fn default() -> Tournament<E> {
        Tournament::new()
    }
}

impl<E: TreeEntry> Tournament<E> {
    /// What a leaf holds when it holds nothing; it orders after every entry. Entries must be
    /// below it.
    pub const EMPTY: E = E::NOTHING;

    /// A tree with no leaves.
    pub fn new() -> Tournament<E> {
        Tournament { levels: vec![vec![E::EMPTY_GROUP]], root: [u64::MAX; 2], free: Vec::new(), used: 0 }
    }

    fn cap(&self) -> usize {
        self.levels[0].len() * E::ARITY
    }

    /// The least entry held, `None` when every leaf is empty.
    #[inline]
    pub fn min(&self) -> Option<E> {
        let [hi, lo] = self.root;
        (hi & lo != u64::MAX).then(|| E::from_words(self.root))
    }

    /// A tree with the same leaves handed out and given back as `self`, each leaf holding what
    /// `f` makes of `self`'s entry there (called on live leaves only; free and never used ones
    /// hold nothing). O(leaves).
    pub fn convert<F: TreeEntry>(&self, mut f: impl FnMut(E) -> F) -> Tournament<F> {
        let mut tree = Tournament::<F>::new();
        while tree.cap() < self.used as usize {
            tree.grow();
        }
        tree.used = self.used;
        tree.free = self.free.clone();
        for leaf in 0..self.used {
            let e = self.get(leaf);
            if e != E::NOTHING {
                tree.set(leaf, f(e));
            }
        }
        tree
    }

    /// A new leaf, holding nothing. Leaves given back are handed out again first, so `n` calls
    /// on a new tree return `0..n` in order. Amortized O(1): the tree doubles when full.
    pub fn alloc(&mut self) -> u32 {
        if let Some(leaf) = self.free.pop() {
            return leaf;
        }
        if self.used as usize == self.cap() {
            self.grow();
        }
        self.used += 1;
        self.used - 1
    }

    /// Gives a leaf back; it holds nothing from now on.
    pub fn release(&mut self, leaf: u32) {
        self.set(leaf, E::NOTHING);
        self.free.push(leaf);
    }

    /// What a leaf holds ([`Tournament::EMPTY`] for nothing, or for a leaf beyond the tree).
    #[inline]
    pub fn get(&self, leaf: u32) -> E {
        let leaf = leaf as usize;
        self.levels[0].get(leaf / E::ARITY).map_or(E::NOTHING, |g| g.as_ref()[leaf % E::ARITY])
    }

    /// Asks the CPU to bring a leaf's cache line in, without waiting for it: a hint for a
    /// caller that knows which leaf it will set next.
    #[inline]
    pub fn prefetch(&self, leaf: u32) {
        if let Some(g) = self.levels[0].get(leaf as usize / E::ARITY) {
            crate::router::prefetch(g);
        }
    }

    /// Sets what a leaf holds ([`Tournament::EMPTY`] for nothing) and restores the order on the way
    /// to the root. O(log leaves).
    ///
    /// # Panics
    ///
    /// When `leaf` was never handed out by [`MinTree::alloc`] and lies beyond the tree.
    #[inline]
    pub fn set(&mut self, leaf: u32, entry: E) {
        let leaf = leaf as usize;
        let arity = E::ARITY;
        let mut g = leaf / arity;
        let slot = &mut self.levels[0][g].as_mut()[leaf % arity];
        let old = *slot;
        if old == entry {
            return;
        }
        *slot = entry;
        if entry < old {
            // Lower: each node on the way up takes the new entry while it beats the node's
            // value, and the walk stops at the first it does not beat.
            for level in &mut self.levels[1..] {
                let node = &mut level[g / arity].as_mut()[g % arity];
                if *node <= entry {
                    return;
                }
                *node = entry;
                g /= arity;
            }
            if self.min().is_none_or(|root| entry < root) {
                self.set_root(entry);
            }
        } else {
            // Higher: only nodes that the old entry won change, each to the least of its
            // children (live entries are distinct, so the old one won only its own path).
            for l in 1..self.levels.len() {
                let (parent, j) = (g / arity, g % arity);
                if self.levels[l][parent].as_ref()[j] != old {
                    return;
                }
                let least = E::least_of(&self.levels[l - 1][g]);
                self.levels[l][parent].as_mut()[j] = least;
                g = parent;
            }
            if self.min() == Some(old) {
                let top = E::least_of(&self.levels[self.levels.len() - 1][0]);
                self.set_root(top);
            }
        }
    }

    #[inline]
    fn set_root(&mut self, entry: E) {
        self.root = entry.to_words();
    }

    /// Doubles the leaves and builds the levels above them afresh.
    fn grow(&mut self) {
        let groups = self.levels[0].len() * 2;
        self.levels.truncate(1);
        self.levels[0].resize(groups, E::EMPTY_GROUP);
        loop {
            let below = &self.levels[self.levels.len() - 1];
            if below.len() == 1 {
                break;
            }
            let above: Vec<E::Group> = below
                .chunks(E::ARITY)
                .map(|children| {
                    let mut g = E::EMPTY_GROUP;
                    for (slot, child) in g.as_mut().iter_mut().zip(children) {
                        *slot = E::least_of(child);
                    }
                    g
                })
                .collect();
            self.levels.push(above);
        }
        let least = E::least_of(&self.levels[self.levels.len() - 1][0]);
        self.set_root(least);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Drives `tree` through 20,000 random allocations, releases and sets against a plain list,
    /// checking after every change that the root is the least live entry and that each set leaf
    /// reads back what was set; `entry` makes an entry from two random numbers and the step.
    /// `check` sees the tree and the number of leaves used so far after each change.
    fn drive<E: TreeEntry>(
        tree: &mut Tournament<E>,
        mut x: u64,
        entry: impl Fn(u64, u64, u32) -> E,
        mut check: impl FnMut(&Tournament<E>, u32, usize),
    ) {
        let mut naive: Vec<Option<E>> = Vec::new();
        let mut leaves: Vec<u32> = Vec::new();
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for step in 0..20_000u32 {
            match next() % 4 {
                0 => {
                    let leaf = tree.alloc();
                    if leaf as usize >= naive.len() {
                        naive.resize(leaf as usize + 1, None);
                    }
                    assert_eq!(naive[leaf as usize], None, "a handed-out leaf is empty");
                    leaves.push(leaf);
                }
                1 if !leaves.is_empty() => {
                    let leaf = leaves.swap_remove((next() % leaves.len() as u64) as usize);
                    tree.release(leaf);
                    naive[leaf as usize] = None;
                }
                _ if !leaves.is_empty() => {
                    let leaf = leaves[(next() % leaves.len() as u64) as usize];
                    let e = entry(next(), next(), step);
                    let e = if next() % 5 == 0 { E::NOTHING } else { e };
                    tree.set(leaf, e);
                    naive[leaf as usize] = (e != E::NOTHING).then_some(e);
                    assert_eq!(tree.get(leaf), e);
                }
                _ => {}
            }
            assert_eq!(tree.min(), naive.iter().flatten().min().copied(), "step {step}");
            check(tree, step, naive.len());
        }
    }

    /// The 4-ary tree of `u128`s. Few distinct values in both halves of the entry, so that ties
    /// in the high half are common; the step keeps entries apart.
    #[test]
    fn root_is_the_least_entry_through_changes_growth_and_reuse() {
        let entry =
            |a: u64, b: u64, step: u32| u128::from(a % 8) << 90 | u128::from(b % 8) << 40 | u128::from(step);
        drive(&mut MinTree::new(), 0x9E37_79B9_7F4A_7C15, entry, |_, _, _| {});
    }

    /// The 8-ary tree of `u64`s, with few distinct keys; every 1,000 steps a conversion to
    /// `u128`s keeps every leaf, the root, and the leaves handed out next.
    #[test]
    fn compact_tree_is_the_least_entry_and_converts_leaf_for_leaf() {
        let entry = |a: u64, _: u64, step: u32| (a % 8) << 40 | u64::from(step);
        drive(&mut MinTree64::new(), 0x2545_F491_4F6C_DD1D, entry, |tree, step, used| {
            if step % 1_000 != 0 {
                return;
            }
            let mut wide: MinTree = tree.convert(u128::from);
            assert_eq!(wide.min(), tree.min().map(u128::from));
            for leaf in 0..used as u32 + 9 {
                let e = tree.get(leaf);
                let want = if e == MinTree64::EMPTY { MinTree::EMPTY } else { u128::from(e) };
                assert_eq!(wide.get(leaf), want);
            }
            let mut same = tree.clone();
            for _ in 0..3 {
                assert_eq!(wide.alloc(), same.alloc());
            }
        });
    }
}
