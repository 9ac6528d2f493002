//! A tournament tree of `u128` entries: the router's per-skill index, and the simulator's
//! calendar of chat ends and arrivals.

/// A tournament tree: leaves that each hold a `u128` entry (or nothing), every inner node the
/// least of its two children, so that the least entry sits at the root.
///
/// Reading the least entry costs one load; changing a leaf walks up toward the root, choosing
/// each winner without a branch, and stops at the first node that keeps its value: O(log
/// leaves). Callers pack what they order by into the entry, high bits first, with a tie-break
/// that keeps live entries distinct (the router packs a ranking key above an agent's rank by
/// id; a simulator packs a time's bits above an event source's number). Leaves are handed out
/// and given back; the tree doubles when it runs out.
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
    /// `nodes[1]` is the root, the children of node `k` are `2k` and `2k + 1`, and the leaves
    /// are `nodes[cap..2 * cap]`. `nodes[0]` is unused.
    nodes: Vec<u128>,
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
        MinTree { nodes: vec![MinTree::EMPTY; 2], free: Vec::new(), used: 0 }
    }

    fn cap(&self) -> usize {
        self.nodes.len() / 2
    }

    /// The least entry held, `None` when every leaf is empty.
    #[inline]
    pub fn min(&self) -> Option<u128> {
        let e = self.nodes[1];
        (e != MinTree::EMPTY).then_some(e)
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

    /// Sets what a leaf holds ([`MinTree::EMPTY`] for nothing) and restores the order on the way
    /// to the root. O(log leaves).
    ///
    /// # Panics
    ///
    /// When `leaf` was never handed out by [`MinTree::alloc`] and lies beyond the tree.
    #[inline]
    pub fn set(&mut self, leaf: u32, entry: u128) {
        let mut k = self.cap() + leaf as usize;
        if self.nodes[k] == entry {
            return;
        }
        self.nodes[k] = entry;
        // Up to the root, or to the first node that keeps its value. Which child wins is a coin
        // toss to the branch predictor, so the winner is chosen by conditional moves on the two
        // halves of the entries: LLVM turns a select of whole `u128`s (`min`, or
        // `select_unpredictable`) into a branch, and a mispredicted branch per level costs more
        // than the comparisons.
        let (mut hi, mut lo) = ((entry >> 64) as u64, entry as u64);
        while k > 1 {
            let sibling = self.nodes[k ^ 1];
            let (s_hi, s_lo) = ((sibling >> 64) as u64, sibling as u64);
            let keep = (hi < s_hi) | ((hi == s_hi) & (lo < s_lo));
            hi = std::hint::select_unpredictable(keep, hi, s_hi);
            lo = std::hint::select_unpredictable(keep, lo, s_lo);
            k /= 2;
            let least = u128::from(hi) << 64 | u128::from(lo);
            if self.nodes[k] == least {
                return;
            }
            self.nodes[k] = least;
        }
    }

    fn grow(&mut self) {
        let cap = self.cap();
        let mut nodes = vec![MinTree::EMPTY; 4 * cap];
        nodes[2 * cap..3 * cap].copy_from_slice(&self.nodes[cap..]);
        for k in (1..2 * cap).rev() {
            nodes[k] = nodes[2 * k].min(nodes[2 * k + 1]);
        }
        self.nodes = nodes;
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
                }
                _ => {}
            }
            assert_eq!(tree.min(), naive.iter().flatten().min().copied(), "step {step}");
        }
    }
}
