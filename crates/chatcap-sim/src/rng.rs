//! A small, fast, seedable generator: xoshiro256++, seeded through SplitMix64.
//!
//! Each replication gets its own stream from `(seed, replication)`, so results do not depend on
//! which thread runs which replication.

/// xoshiro256++ (Blackman and Vigna).
#[derive(Clone, Debug)]
pub(crate) struct Rng {
    s: [u64; 4],
}

fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Rng {
    /// The stream of one replication of one seed.
    pub(crate) fn for_replication(seed: u64, replication: u64) -> Rng {
        let mut st = seed ^ replication.wrapping_mul(0xd1b5_4a32_d192_ed03);
        let s = [splitmix(&mut st), splitmix(&mut st), splitmix(&mut st), splitmix(&mut st)];
        Rng { s }
    }

    #[inline]
    pub(crate) fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let result = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// Uniform in (0, 1]: never 0, so that `ln` is finite.
    #[inline]
    pub(crate) fn open01(&mut self) -> f64 {
        ((self.next_u64() >> 11) + 1) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Exponential with the given mean.
    #[inline]
    pub(crate) fn exp(&mut self, mean: f64) -> f64 {
        -mean * self.open01().ln()
    }

    /// Standard normal (Box-Muller; one of the pair is dropped for simplicity).
    pub(crate) fn normal(&mut self) -> f64 {
        let (u, v) = (self.open01(), self.open01());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }

    /// An index in `0..n` (n > 0).
    #[inline]
    pub(crate) fn below(&mut self, n: usize) -> usize {
        // Lemire's multiply-shift; the bias for n far below 2^64 is negligible here.
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a: Vec<u64> = (0..4).map(|_| Rng::for_replication(7, 0).next_u64()).collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]));
        assert_ne!(Rng::for_replication(7, 0).next_u64(), Rng::for_replication(7, 1).next_u64());
        assert_ne!(Rng::for_replication(7, 0).next_u64(), Rng::for_replication(8, 0).next_u64());
    }

    #[test]
    fn exponential_has_its_mean_and_variance() {
        // 200,000 draws: the sample mean of Exp(mean 3) has standard error 3 / sqrt(n) = 0.0067.
        let mut r = Rng::for_replication(1, 0);
        let n = 200_000;
        let xs: Vec<f64> = (0..n).map(|_| r.exp(3.0)).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        assert!((mean - 3.0).abs() < 5.0 * 3.0 / (n as f64).sqrt(), "mean {mean}");
        assert!((var - 9.0).abs() < 0.3, "variance {var}");
    }

    #[test]
    fn normal_is_standard() {
        let mut r = Rng::for_replication(2, 0);
        let n = 200_000;
        let xs: Vec<f64> = (0..n).map(|_| r.normal()).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        assert!(mean.abs() < 5.0 / (n as f64).sqrt(), "mean {mean}");
        assert!((var - 1.0).abs() < 0.02, "variance {var}");
    }
}
