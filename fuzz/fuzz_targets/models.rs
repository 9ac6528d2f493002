//! Erlang B, C and A from arbitrary rates, handle times, agents, patience and targets: each input
//! is refused with a typed error or gives numbers, probabilities in [0, 1], times finite and not
//! negative, and the monotonicities of the models.
#![no_main]

use std::time::Duration;

use chatcap_core::{ErlangA, ErlangC, QueueingError, Traffic, erlang_b};
use libfuzzer_sys::fuzz_target;

/// Reads fixed-size fields off the input, zeros past its end.
struct Fields<'a>(&'a [u8]);

impl Fields<'_> {
    fn bytes<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0; N];
        let n = N.min(self.0.len());
        out[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        out
    }

    /// Any `f64` bit pattern: NaN, infinities, negatives and subnormals included.
    fn f64(&mut self) -> f64 {
        f64::from_le_bytes(self.bytes())
    }

    /// A count spread over its orders of magnitude: the bits shifted right by 0 to 31.
    fn u32(&mut self) -> u32 {
        let [shift] = self.bytes();
        u32::from_le_bytes(self.bytes()) >> (shift % 32)
    }

    /// A duration from zero to `Duration::MAX`, spread over its orders of magnitude.
    fn duration(&mut self) -> Duration {
        let [shift] = self.bytes();
        let secs = u64::from_le_bytes(self.bytes()) >> (shift % 64);
        let nanos = u32::from_le_bytes(self.bytes()) % 1_000_000_000;
        Duration::new(secs, nanos)
    }
}

fn is_probability(x: f64) -> bool {
    (0.0..=1.0).contains(&x)
}

/// `got <= bound` up to rounding between two formulas (relative) and differences from one.
fn at_most(got: f64, bound: f64, rel: f64) -> bool {
    got <= bound + rel * got.abs().max(bound.abs()) + 4.0 * f64::EPSILON
}

fuzz_target!(|data: &[u8]| {
    let mut f = Fields(data);
    let (rate, aht) = (f.f64(), f.duration());
    let [mode] = f.bytes();
    let (raw_agents, z) = (f.u32(), f.f64());
    let patience = f.duration();
    let mut targets = [f.duration(), f.duration(), f.duration()];
    targets.sort();

    let load = rate * aht.as_secs_f64();
    let t = match Traffic::new(rate, aht) {
        Ok(t) => t,
        Err(e) => {
            assert!(matches!(e, QueueingError::InvalidRate { .. }), "{e}");
            assert!(
                !(rate.is_finite() && rate > 0.0 && load.is_finite() && load > 0.0),
                "refused {rate:e} x {aht:?}"
            );
            return;
        }
    };
    let a = t.erlangs();
    assert!(a.is_finite() && a > 0.0 && a == load, "{t:?}");
    // Agents as given, or where they meet the load: a + z sqrt(a).
    let n = if mode & 1 == 0 || !z.is_finite() {
        raw_agents
    } else {
        (a + z.clamp(-10.0, 20.0) * a.sqrt()).clamp(0.0, f64::from(u32::MAX)) as u32
    };

    // Erlang B.
    assert_eq!(erlang_b(0, t), 1.0);
    let b = erlang_b(n, t);
    assert!(is_probability(b), "B({n}, {a:e}) = {b}");
    if let Some(n1) = n.checked_add(1) {
        let b1 = erlang_b(n1, t);
        assert!(is_probability(b1) && b1 <= b, "B({n}, {a:e}) = {b:e}, B(n + 1) = {b1:e}");
    }

    // Erlang C.
    match ErlangC::new(t, n) {
        Ok(c) => {
            assert!(f64::from(n) > a);
            assert!(is_probability(c.p_wait()) && c.p_wait() >= b, "{c:?}");
            assert!(is_probability(c.occupancy()), "{c:?}");
            assert_eq!(c.service_level(Duration::ZERO), 1.0 - c.p_wait());
            let mut last = c.service_level(Duration::ZERO);
            for &target in &targets {
                let sl = c.service_level(target);
                assert!(is_probability(sl) && sl >= last, "{sl} within {target:?}: {c:?}");
                last = sl;
            }
            for v in [c.asa_s(), c.mean_queue_len()] {
                assert!(v.is_finite() && v >= 0.0, "{v}: {c:?}");
            }
        }
        Err(e) => assert!(matches!(e, QueueingError::UnstableQueue { .. }) && f64::from(n) <= a, "{e}"),
    }

    // Erlang A. Queues of more than 100,000 states to sum are skipped, to keep each run short.
    let p = patience.as_secs_f64();
    let (x, y) = (f64::from(n) * p / t.aht_s(), a * p / t.aht_s());
    let steps = if y >= x {
        (y - x) + 50.0 * (y + 1.0).sqrt()
    } else {
        (45.0 * x / (x - y) + 10.0).min(50.0 * (x + 1.0).sqrt())
    };
    if (1e5..=1.1e8).contains(&steps) {
        return;
    }
    let m = match ErlangA::new(t, n, patience) {
        Ok(m) => m,
        Err(QueueingError::ZeroCount { .. }) if n == 0 => return,
        Err(QueueingError::InvalidRate { .. }) if patience.is_zero() => return,
        Err(QueueingError::ModelTooLarge { .. }) if steps > 1e8 => return,
        Err(e) => panic!("{n} agents, patience {patience:?}, {t:?}: {e}"),
    };
    assert!(n > 0 && !patience.is_zero() && steps < 1e5, "built {m:?}");
    let p_wait = m.p_wait();
    for q in [p_wait, m.p_abandon(), m.occupancy()] {
        assert!(is_probability(q), "{q}: {m:?}");
    }
    for v in [m.asa_served_s(), m.mean_wait_all_s(), m.mean_queue_len()] {
        assert!(v.is_finite() && v >= 0.0, "{v}: {m:?}");
    }
    assert!(at_most(m.p_abandon(), p_wait, 1e-12), "{m:?}");
    assert_eq!(m.service_level(Duration::ZERO), 1.0 - p_wait);
    assert_eq!(m.p_offered_wait_le(Duration::ZERO), 1.0 - p_wait);
    let (mut last_sl, mut last_offered) = (1.0 - p_wait, 1.0 - p_wait);
    for &target in &targets {
        let (sl, offered) = (m.service_level(target), m.p_offered_wait_le(target));
        let share = m.answered_within_over_answered(target);
        assert!(is_probability(sl) && is_probability(offered) && is_probability(share), "{target:?}: {m:?}");
        assert!(sl >= 1.0 - p_wait, "{sl} within {target:?}: {m:?}");
        assert!(at_most(sl, offered, 1e-9), "{sl} above {offered} within {target:?}: {m:?}");
        assert!(sl <= 1.0 - m.p_abandon() + 1e-12, "{sl} within {target:?}: {m:?}");
        assert!(at_most(last_sl, sl, 1e-9) && at_most(last_offered, offered, 1e-9), "{target:?}: {m:?}");
        (last_sl, last_offered) = (sl, offered);
    }
});
