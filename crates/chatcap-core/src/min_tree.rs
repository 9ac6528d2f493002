//! A tournament tree of `u128` entries: the router's per-skill index, and the simulator's
//! calendar of chat ends and arrivals.

/// Children per inner node: a group of them fills one cache line.
const ARITY: usize = 4;

/// The entries of one node's children, together on a cache line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(align(64))]
struct Group([u128; ARITY]);

impl Group {
    const EMPTY: Group = Group([MinTree::EMPTY; ARITY]);

    /// The least of the group's entries, chosen without a branch: which child wins is a coin
    /// toss to the branch predictor, so the winner is chosen by conditional moves on the two
    /// halves of the entries (LLVM turns a select of whole `u128`s, `min` or
    /// `select_unpredictable`, into a branch, and a mispredicted branch costs more than the
    /// comparisons).
    #[inline]
    fn least(&self) -> u128 {
        let [a, b, c, d] = self.0;
        least(least(a, b), least(c, d))
    }
}

/// The lesser of two entries, without a branch (see [`Group::least`]).
#[inline]
fn least(a: u128, b: u128) -> u128 {
    let (a_hi, a_lo, b_hi, b_lo) = ((a >> 64) as u64, a as u64, (b >> 64) as u64, b as u64);
    let keep = (a_hi < b_hi) | ((a_hi == b_hi) & (a_lo < b_lo));
    let hi = std::hint::select_unpredictable(keep, a_hi, b_hi);
    let lo = std::hint::select_unpredictable(keep, a_lo, b_lo);
    u128::from(hi) << 64 | u128::from(lo)
}

/// A tournament tree: leaves that each hold a `u128` entry (or nothing), every inner node the
/// least of its children, so that the least entry sits at the root.
///
/// Reading the least entry costs one load; changing a leaf walks up toward the root and stops
/// at the first node that keeps its value: O(log leaves). A lower entry only compares itself
/// with each node on the way; a higher one changes only the nodes it won, each to the least of
/// its children, chosen without a branch. The tree is 4-ary, the four children of a node on one cache line, so that a walk up
/// touches half the lines a binary tree's does (on a floor of 100,000 agents the lower levels
/// are cache misses). Callers pack what they order by into the entry, high bits first, with a
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
pub struct MinTree {
    /// `levels[0]` holds the leaves, leaf `k` at `levels[0][k / ARITY].0[k % ARITY]`; entry `j`
    /// of `levels[l + 1][g]` is the least of `levels[l][g * ARITY + j]`. The last level is one
    /// group, whose least is `root`.
    levels: Vec<Vec<Group>>,
    /// The least entry of all, as its high and low halves: it is written as two words, and a
    /// read of the whole as one wide load would wait for the writes to reach the cache instead
    /// of taking them from the store buffer.
    root: [u64; 2],
    /// Leaves handed out and given back, for reuse.
    free: Vec<u32>,
    /// Leaves ever handed out; those at and above it were never used.
    used: u32,
}

impl Default for MinTree {
    fn default() -> MinTree {
        MinTree::new()
    }
}

impl MinTree {
    /// What a leaf holds when it holds nothing; it orders after every entry. Entries must be
    /// below it.
    pub const EMPTY: u128 = u128::MAX;

    /// A tree with no leaves.
    pub fn new() -> MinTree {
        MinTree { levels: vec![vec![Group::EMPTY]], root: [u64::MAX; 2], free: Vec::new(), used: 0 }
    }

    fn cap(&self) -> usize {
        self.levels[0].len() * ARITY
    }

    /// The least entry held, `None` when every leaf is empty.
    #[inline]
    pub fn min(&self) -> Option<u128> {
        let [hi, lo] = self.root;
        (hi & lo != u64::MAX).then(|| u128::from(hi) << 64 | u128::from(lo))
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
        self.set(leaf, MinTree::EMPTY);
        self.free.push(leaf);
    }

    /// What a leaf holds ([`MinTree::EMPTY`] for nothing, or for a leaf beyond the tree).
    #[inline]
    pub fn get(&self, leaf: u32) -> u128 {
        let leaf = leaf as usize;
        self.levels[0].get(leaf / ARITY).map_or(MinTree::EMPTY, |g| g.0[leaf % ARITY])
    }

    /// Asks the CPU to bring a leaf's cache line in, without waiting for it: a hint for a
    /// caller that knows which leaf it will set next.
    #[inline]
    pub fn prefetch(&self, leaf: u32) {
        if let Some(g) = self.levels[0].get(leaf as usize / ARITY) {
            crate::router::prefetch(g);
        }
    }

    /// Sets what a leaf holds ([`MinTree::EMPTY`] for nothing) and restores the order on the way
    /// to the root. O(log leaves).
    ///
    /// # Panics
    ///
    /// When `leaf` was never handed out by [`MinTree::alloc`] and lies beyond the tree.
    #[inline]
    pub fn set(&mut self, leaf: u32, entry: u128) {
        let leaf = leaf as usize;
        let mut g = leaf / ARITY;
        let slot = &mut self.levels[0][g].0[leaf % ARITY];
        let old = *slot;
        if old == entry {
            return;
        }
        *slot = entry;
        if entry < old {
            // Lower: each node on the way up takes the new entry while it beats the node's
            // value, and the walk stops at the first it does not beat.
            for level in &mut self.levels[1..] {
                let node = &mut level[g / ARITY].0[g % ARITY];
                if *node <= entry {
                    return;
                }
                *node = entry;
                g /= ARITY;
            }
            if self.min().is_none_or(|root| entry < root) {
                self.set_root(entry);
            }
        } else {
            // Higher: only nodes that the old entry won change, each to the least of its
            // children (live entries are distinct, so the old one won only its own path).
            for l in 1..self.levels.len() {
                let (parent, j) = (g / ARITY, g % ARITY);
                if self.levels[l][parent].0[j] != old {
                    return;
                }
                let least = self.levels[l - 1][g].least();
                self.levels[l][parent].0[j] = least;
                g = parent;
            }
            if self.min() == Some(old) {
                let top = self.levels[self.levels.len() - 1][0].least();
                self.set_root(top);
            }
        }
    }

    #[inline]
    fn set_root(&mut self, entry: u128) {
        self.root = [(entry >> 64) as u64, entry as u64];
    }

    /// Doubles the leaves and builds the levels above them afresh.
    fn grow(&mut self) {
        let groups = self.levels[0].len() * 2;
        self.levels.truncate(1);
        self.levels[0].resize(groups, Group::EMPTY);
        loop {
            let below = &self.levels[self.levels.len() - 1];
            if below.len() == 1 {
                break;
            }
            let above: Vec<Group> = below
                .chunks(ARITY)
                .map(|children| {
                    let mut g = Group::EMPTY;
                    for (slot, child) in g.0.iter_mut().zip(children) {
                        *slot = child.least();
                    }
                    g
                })
                .collect();
            self.levels.push(above);
        }
        let least = self.levels[self.levels.len() - 1][0].least();
        self.set_root(least);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Against a plain list: after every change the root is the least live entry.
    #[test]
    fn root_is_the_least_entry_through_changes_growth_and_reuse() {
        let mut tree = MinTree::new();
        let mut naive: Vec<Option<u128>> = Vec::new();
        let mut leaves: Vec<u32> = Vec::new();
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
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
                    // Few distinct values in both halves of the entry, so that ties in the high
                    // half are common; the step keeps entries apart.
                    let entry =
                        u128::from(next() % 8) << 90 | u128::from(next() % 8) << 40 | u128::from(step);
                    let entry = if next() % 5 == 0 { MinTree::EMPTY } else { entry };
                    tree.set(leaf, entry);
                    naive[leaf as usize] = (entry != MinTree::EMPTY).then_some(entry);
                    assert_eq!(tree.get(leaf), entry);
                }
                _ => {}
            }
            assert_eq!(tree.min(), naive.iter().flatten().min().copied(), "step {step}");
        }
    }
}
