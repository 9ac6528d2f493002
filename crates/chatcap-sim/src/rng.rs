//! A small, fast, seedable generator: xoshiro256++, seeded through SplitMix64.
//!
//! Replication `r` of a seed starts `r` jumps of 2^128 steps after the seed's state, so the
//! replications' streams never overlap and results do not depend on which thread runs which
//! replication.

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
    /// The generator of a seed: its state is four SplitMix64 outputs from the seed.
    pub(crate) fn from_seed(seed: u64) -> Rng {
        let mut st = seed;
        let s = [splitmix(&mut st), splitmix(&mut st), splitmix(&mut st), splitmix(&mut st)];
        Rng { s }
    }

    /// The streams of `count` replications of a seed: the first is the seed's generator, each
    /// next one a [`jump`](Rng::jump) after the one before.
    pub(crate) fn streams(seed: u64, count: usize) -> Vec<Rng> {
        let mut rng = Rng::from_seed(seed);
        let mut out = Vec::with_capacity(count);
        for _ in 0..count {
            out.push(rng.clone());
            rng.jump();
        }
        out
    }

    /// Advances the state by 2^128 steps, as the reference `jump()` of Blackman and Vigna does.
    pub(crate) fn jump(&mut self) {
        const JUMP: [u64; 4] =
            [0x180e_c6d3_3cfd_0aba, 0xd5a6_1266_f0c9_392c, 0xa958_2618_e03f_c9aa, 0x39ab_dc45_29b1_661c];
        let mut acc = [0u64; 4];
        for word in JUMP {
            for b in 0..64 {
                if word & (1u64 << b) != 0 {
                    for (a, s) in acc.iter_mut().zip(&self.s) {
                        *a ^= s;
                    }
                }
                self.next_u64();
            }
        }
        self.s = acc;
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

    /// The published outputs of the reference xoshiro256plusplus.c from the state [1, 2, 3, 4].
    #[test]
    fn matches_the_reference_outputs() {
        let mut r = Rng { s: [1, 2, 3, 4] };
        let want: [u64; 10] = [
            41943041,
            58720359,
            3588806011781223,
            3591011842654386,
            9228616714210784205,
            9973669472204895162,
            14011001112246962877,
            12406186145184390807,
            15849039046786891736,
            10450023813501588000,
        ];
        for w in want {
            assert_eq!(r.next_u64(), w);
        }
    }

    /// The reference `jump()` from the state [0, 0, 0, 1]: the state after it and the first
    /// outputs, as published with a Fortran port checked against the C reference.
    #[test]
    fn jump_matches_the_reference() {
        let mut r = Rng { s: [0, 0, 0, 1] };
        assert_eq!(r.clone().next_u64(), 0x0000_0000_0080_0000);
        r.jump();
        assert_eq!(
            r.s,
            [0x934D_05E8_B207_6310, 0xEABD_D0BF_76A1_BE51, 0x75DD_6A99_2ACC_B1E8, 0xC660_C602_A733_0187]
        );
        for w in [0x88F9_A31A_FDB4_39F5, 0x3813_4A20_DFA1_A232, 0x21D6_A25A_2977_97C7, 0xFCA0_846C_C616_D4F8]
        {
            assert_eq!(r.next_u64(), w);
        }
    }

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a = Rng::streams(7, 3);
        let b = Rng::streams(7, 3);
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(x.s, y.s);
        }
        assert_eq!(a[0].s, Rng::from_seed(7).s);
        let mut jumped = Rng::from_seed(7);
        jumped.jump();
        jumped.jump();
        assert_eq!(a[2].s, jumped.s);
        assert_ne!(a[0].clone().next_u64(), a[1].clone().next_u64());
        assert_ne!(Rng::from_seed(7).next_u64(), Rng::from_seed(8).next_u64());
    }

    #[test]
    fn exponential_has_its_mean_and_variance() {
        // 200,000 draws: the sample mean of Exp(mean 3) has standard error 3 / sqrt(n) = 0.0067.
        let mut r = Rng::from_seed(1);
        let n = 200_000;
        let xs: Vec<f64> = (0..n).map(|_| r.exp(3.0)).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        assert!((mean - 3.0).abs() < 5.0 * 3.0 / (n as f64).sqrt(), "mean {mean}");
        assert!((var - 9.0).abs() < 0.3, "variance {var}");
    }

    #[test]
    fn normal_is_standard() {
        let mut r = Rng::from_seed(2);
        let n = 200_000;
        let xs: Vec<f64> = (0..n).map(|_| r.normal()).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        assert!(mean.abs() < 5.0 / (n as f64).sqrt(), "mean {mean}");
        assert!((var - 1.0).abs() < 0.02, "variance {var}");
    }
}
