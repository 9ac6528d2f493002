//! Aggregation multigrid for the chat model's chains.
//!
//! The balance equations of a chain are solved on a hierarchy of coarser chains, each lumping
//! neighbouring states of the one below (two levels of total chats by two phases), with the
//! rates between lumps weighted by the current solution (iterative aggregation-disaggregation
//! applied recursively). Every grid's unknowns are scaled by a mass per state (`ln_m`), so that
//! nothing underflows however unlikely a state is; the rates themselves are the chain's own.

/// Coarsening stops at this many states; the coarsest chain is solved by Gaussian elimination.
const COARSEST: usize = 400;

/// No coarse edge: both ends of a fine edge fall in one aggregate.
const INTERNAL: u32 = u32::MAX;

/// One coarse grid: a chain over aggregates of the grid below.
pub(super) struct Grid {
    n: usize,
    /// Aggregate (in this grid) of each state of the grid below.
    agg: Vec<u32>,
    /// Edge of this grid that each edge of the grid below adds to, or [`INTERNAL`].
    edge: Vec<u32>,
    /// Incoming edges in CSR form: sources and rates (between aggregates, as the solution of
    /// the grid below weights them).
    in_start: Vec<usize>,
    in_from: Vec<u32>,
    rate: Vec<f64>,
    /// Rates scaled by the masses of the two ends: `rate * m(from) / m(to)`.
    weight: Vec<f64>,
    /// Total rate out of each aggregate.
    out: Vec<f64>,
    /// Log of each aggregate's scale: the largest of its members'.
    ln_m: Vec<f64>,
    /// Window and the two counts of each aggregate (halved), for the next coarsening.
    coord: Vec<(u32, u32, u32)>,
    /// The scaled solution.
    y: Vec<f64>,
}

/// A grid's structure as the next coarsening reads it.
struct Fine<'a> {
    in_start: &'a [usize],
    in_from: &'a [u32],
    rate: &'a [f64],
    ln_m: &'a [f64],
    y: &'a [f64],
}

impl Grid {
    /// The hierarchy of coarse grids over a chain with these edges and coordinates (level,
    /// phase); empty when the chain is already small. The work and memory grow with the edges.
    pub(super) fn hierarchy(in_start: &[usize], in_from: &[u32], coord: &[(u32, u32, u32)]) -> Vec<Grid> {
        let mut grids: Vec<Grid> = Vec::new();
        let mut n = coord.len();
        while n > COARSEST {
            let next = match grids.last() {
                None => Grid::coarsen(in_start, in_from, coord),
                Some(g) => Grid::coarsen(&g.in_start, &g.in_from, &g.coord),
            };
            // A coarsening that barely shrinks the chain would not end.
            if next.n * 10 > n * 9 {
                break;
            }
            n = next.n;
            grids.push(next);
        }
        grids
    }

    fn coarsen(in_start: &[usize], in_from: &[u32], coord: &[(u32, u32, u32)]) -> Grid {
        let key = |&(a, x, y): &(u32, u32, u32)| (a, x >> 1, y >> 1);
        let mut keys: Vec<(u32, u32, u32)> = coord.iter().map(key).collect();
        keys.sort_unstable();
        keys.dedup();
        let agg: Vec<u32> = coord
            .iter()
            .map(|c| keys.binary_search(&key(c)).expect("every key was pushed") as u32)
            .collect();
        let n = keys.len();
        // Coarse edges: the distinct (to, from) pairs between aggregates.
        let mut pairs: Vec<(u32, u32, u32)> = Vec::new();
        for t in 0..coord.len() {
            for e in in_start[t]..in_start[t + 1] {
                let (i, j) = (agg[in_from[e] as usize], agg[t]);
                if i != j {
                    pairs.push((j, i, e as u32));
                }
            }
        }
        pairs.sort_unstable();
        let mut edge = vec![INTERNAL; in_from.len()];
        let mut coarse_start = vec![0usize; n + 1];
        let mut coarse_from: Vec<u32> = Vec::new();
        let mut last: Option<(u32, u32)> = None;
        for &(j, i, e) in &pairs {
            if last != Some((j, i)) {
                coarse_from.push(i);
                coarse_start[j as usize + 1] += 1;
                last = Some((j, i));
            }
            edge[e as usize] = (coarse_from.len() - 1) as u32;
        }
        for j in 0..n {
            coarse_start[j + 1] += coarse_start[j];
        }
        let edges = coarse_from.len();
        Grid {
            n,
            agg,
            edge,
            in_start: coarse_start,
            in_from: coarse_from,
            rate: vec![0.0; edges],
            weight: vec![0.0; edges],
            out: vec![0.0; n],
            ln_m: vec![0.0; n],
            coord: keys,
            y: vec![0.0; n],
        }
    }

    /// Lumps the grid below, weighted by its solution: this grid's rates, scales and start.
    fn restrict(&mut self, fine: &Fine<'_>) {
        self.ln_m.fill(f64::NEG_INFINITY);
        for (i, &a) in self.agg.iter().enumerate() {
            let m = &mut self.ln_m[a as usize];
            *m = m.max(fine.ln_m[i]);
        }
        self.y.fill(0.0);
        self.rate.fill(0.0);
        // Each member's share of its aggregate's mass, scaled: sigma_i y_i.
        let member = |i: usize, agg: &[u32], ln_m: &[f64]| {
            fine.y[i] * (fine.ln_m[i] - ln_m[agg[i] as usize]).exp()
        };
        for i in 0..self.agg.len() {
            self.y[self.agg[i] as usize] += member(i, &self.agg, &self.ln_m);
        }
        for t in 0..self.agg.len() {
            for e in fine.in_start[t]..fine.in_start[t + 1] {
                let c = self.edge[e];
                if c != INTERNAL {
                    let s = fine.in_from[e] as usize;
                    self.rate[c as usize] += member(s, &self.agg, &self.ln_m) * fine.rate[e];
                }
            }
        }
        self.out.fill(0.0);
        for j in 0..self.n {
            for c in self.in_start[j]..self.in_start[j + 1] {
                let i = self.in_from[c] as usize;
                let r = if self.y[i] > 0.0 { self.rate[c] / self.y[i] } else { 0.0 };
                self.rate[c] = r;
                self.out[i] += r;
                // Masses of adjacent aggregates differ by far less than e^700 in any chain the
                // solver takes; the clamp only keeps a weight finite.
                let ratio = (self.ln_m[i] - self.ln_m[j]).clamp(-700.0, 700.0).exp();
                self.weight[c] = r * ratio;
            }
        }
    }

    /// A forward and a backward Gauss-Seidel sweep.
    fn smooth(&mut self) {
        for t in (0..self.n).chain((0..self.n).rev()) {
            if self.out[t] > 0.0 {
                let mut inflow = 0.0;
                for c in self.in_start[t]..self.in_start[t + 1] {
                    inflow += self.weight[c] * self.y[self.in_from[c] as usize];
                }
                self.y[t] = inflow / self.out[t];
            }
        }
    }

    /// Solves the grid's chain by state reduction without subtractions (Grassmann, Taksar and
    /// Heyman), which keeps every unknown to its own relative precision however small; leaves
    /// `y` as it was if the chain cannot be reduced.
    fn solve_dense(&mut self) {
        let n = self.n;
        if n < 2 {
            return;
        }
        // q[i * n + j]: the rate from i to j.
        let mut q = vec![0.0f64; n * n];
        for t in 0..n {
            for c in self.in_start[t]..self.in_start[t + 1] {
                q[self.in_from[c] as usize * n + t] += self.rate[c];
            }
        }
        let mut total = vec![0.0f64; n];
        for k in (1..n).rev() {
            let s: f64 = q[k * n..k * n + k].iter().sum();
            if !(s > 0.0 && s.is_finite()) {
                return;
            }
            total[k] = s;
            for i in 0..k {
                let f = q[i * n + k] / s;
                if f != 0.0 {
                    for j in 0..k {
                        q[i * n + j] += f * q[k * n + j];
                    }
                }
            }
        }
        let mut y = vec![0.0f64; n];
        y[0] = 1.0;
        for k in 1..n {
            let mut inflow = 0.0;
            for i in 0..k {
                let r = q[i * n + k];
                if r != 0.0 {
                    inflow += y[i] * r * (self.ln_m[i] - self.ln_m[k]).clamp(-700.0, 700.0).exp();
                }
            }
            y[k] = inflow / total[k];
        }
        let (sum, old): (f64, f64) = (y.iter().sum(), self.y.iter().sum());
        if sum.is_finite() && sum > 0.0 {
            for (v, new) in self.y.iter_mut().zip(y) {
                *v = new * (old / sum);
            }
        }
    }
}

/// One cycle on the coarse grids from `k` down, starting from the grid's restricted `y`: a
/// sweep, a correction from the next grid (twice: a W-cycle), a sweep; the coarsest is solved.
fn cycle(grids: &mut [Grid], k: usize) {
    if k + 1 == grids.len() {
        grids[k].solve_dense();
        return;
    }
    grids[k].smooth();
    for _ in 0..2 {
        let (this, below) = grids.split_at_mut(k + 1);
        let g = &this[k];
        below[0].restrict(&Fine { in_start: &g.in_start, in_from: &g.in_from, rate: &g.rate, ln_m: &g.ln_m, y: &g.y });
        let start = below[0].y.clone();
        cycle(grids, k + 1);
        let (this, below) = grids.split_at_mut(k + 1);
        prolong(&mut this[k].y, &below[0].agg, &start, &below[0].y);
    }
    grids[k].smooth();
}

/// Rescales each fine unknown by its aggregate's new value over the one it started from.
fn prolong(y: &mut [f64], agg: &[u32], start: &[f64], solved: &[f64]) {
    if !solved.iter().all(|v| v.is_finite()) {
        return;
    }
    for (v, &a) in y.iter_mut().zip(agg) {
        let (s, t) = (start[a as usize], solved[a as usize]);
        if s > 0.0 {
            *v *= t / s;
        }
    }
}

/// The coarse correction of a fine solution `y`: restricts it to the first coarse grid,
/// cycles, and rescales `y` by the result.
pub(super) fn correct(grids: &mut [Grid], in_start: &[usize], in_from: &[u32], rate: &[f64], ln_m: &[f64], y: &mut [f64]) {
    if grids.is_empty() {
        return;
    }
    grids[0].restrict(&Fine { in_start, in_from, rate, ln_m, y });
    let start = grids[0].y.clone();
    cycle(grids, 0);
    prolong(y, &grids[0].agg, &start, &grids[0].y);
}
