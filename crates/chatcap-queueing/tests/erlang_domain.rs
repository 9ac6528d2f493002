//! Erlang B, C and A over everything their constructors accept: loads from the smallest
//! subnormal to `f64::MAX` erlangs, handle times and patience from a nanosecond to
//! `Duration::MAX`, agents from 1 to `u32::MAX`, targets from zero to `Duration::MAX`. Every
//! answer is a number, every probability lies in [0, 1], every time and length is finite and not
//! negative, and the monotonicities of the models hold.

use std::time::Duration;

use chatcap_queueing::{ErlangA, ErlangC, QueueingError, Traffic, erlang_b};
use proptest::prelude::*;

/// The smallest positive `f64` (a subnormal).
const TINIEST: f64 = 5e-324;

/// The longest handle time or patience a `Duration` holds, in seconds (as `f64`, rounded up).
const LONGEST_S: f64 = 1.8446744073709552e19;

/// A positive number spread evenly in its logarithm over `[lo, hi]`, the ends included.
fn log_uniform(lo: f64, hi: f64) -> impl Strategy<Value = f64> {
    prop_oneof![
        8 => (lo.ln()..=hi.ln()).prop_map(move |l| l.exp().clamp(lo, hi)),
        1 => Just(lo),
        1 => Just(hi),
    ]
}

/// A duration of `secs` seconds, `Duration::MAX` past its range.
fn secs(secs: f64) -> Duration {
    Duration::try_from_secs_f64(secs).unwrap_or(Duration::MAX)
}

/// A duration from a nanosecond to `Duration::MAX`.
fn duration() -> impl Strategy<Value = Duration> {
    log_uniform(1e-9, LONGEST_S).prop_map(secs)
}

/// A target wait: zero, `Duration::MAX`, or anything between.
fn target() -> impl Strategy<Value = Duration> {
    prop_oneof![1 => Just(Duration::ZERO), 1 => Just(Duration::MAX), 6 => duration()]
}

/// Arrival rates over the whole positive range, and handle times over the whole range of
/// `Duration`: about nine in ten pairs give a representable load.
fn rate_and_aht() -> impl Strategy<Value = (f64, Duration)> {
    prop_oneof![
        4 => (log_uniform(TINIEST, f64::MAX), duration()),
        // Everyday floors, where the branches of Erlang B meet.
        1 => (log_uniform(1e-3, 1e4), log_uniform(1.0, 3_600.0).prop_map(secs)),
    ]
}

/// As [`rate_and_aht`], and half the time arrival rates of at most 10^12 a second, for which a
/// patience of a nanosecond keeps the queue short enough to sum at any load.
fn rate_and_aht_to_sum() -> impl Strategy<Value = (f64, Duration)> {
    prop_oneof![rate_and_aht(), (log_uniform(1e-6, 1e12), duration())]
}

/// The traffic, or `None` when the load is not representable, in which case `Traffic::new` must
/// refuse it.
fn traffic(rate: f64, aht: Duration) -> Result<Option<Traffic>, TestCaseError> {
    let load = rate * aht.as_secs_f64();
    match Traffic::new(rate, aht) {
        Ok(t) => {
            prop_assert!(load.is_finite() && load > 0.0, "accepted a load of {:e}", load);
            prop_assert_eq!(t.erlangs(), load);
            Ok(Some(t))
        }
        Err(e) => {
            prop_assert!(matches!(e, QueueingError::InvalidRate { .. }), "{}", e);
            prop_assert!(!(load.is_finite() && load > 0.0), "refused a load of {:e}: {}", load, e);
            Ok(None)
        }
    }
}

/// How to pick the agents for a load.
#[derive(Clone, Copy, Debug)]
enum Pick {
    /// Anywhere in `1..=u32::MAX`, evenly in the logarithm.
    Anywhere(f64),
    /// `a + z sqrt(a)`, where the agents meet the load.
    NearLoad(f64),
    /// `a` times the factor.
    Times(f64),
}

fn pick() -> impl Strategy<Value = Pick> {
    prop_oneof![
        2 => log_uniform(1.0, f64::from(u32::MAX)).prop_map(Pick::Anywhere),
        2 => (-6.0f64..12.0).prop_map(Pick::NearLoad),
        1 => log_uniform(1e-3, 1e3).prop_map(Pick::Times),
    ]
}

/// At least one agent and at most `u32::MAX`.
fn agents(pick: Pick, a: f64) -> u32 {
    let n = match pick {
        Pick::Anywhere(n) => n,
        Pick::NearLoad(z) => a + z * a.sqrt(),
        Pick::Times(f) => a * f,
    };
    n.clamp(1.0, f64::from(u32::MAX)) as u32
}

/// Whether `x` is a probability.
fn is_probability(x: f64) -> bool {
    (0.0..=1.0).contains(&x)
}

/// `got <= bound` but for `rel` of the larger and a few ulps of one (rounding where the two come
/// from different formulas, or one is a difference from one).
fn at_most(got: f64, bound: f64, rel: f64) -> bool {
    got <= bound + rel * got.abs().max(bound.abs()) + 4.0 * f64::EPSILON
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    /// Erlang B: a probability, 1 for no agents, falling in the agents, rising in the load, and
    /// obeying its recurrence `B(n + 1) = a B(n) / (n + 1 + a B(n))` (to the 1e-12 of each value).
    #[test]
    fn erlang_b_is_a_probability_monotone_in_agents_and_load(
        (rate, aht) in rate_and_aht(),
        pick in pick(),
        growth in log_uniform(1.0 + 1e-12, 1e6),
    ) {
        let Some(t) = traffic(rate, aht)? else { return Ok(()) };
        let a = t.erlangs();
        prop_assert_eq!(erlang_b(0, t), 1.0);
        let n = agents(pick, a).min(u32::MAX - 1);
        let (b, b1) = (erlang_b(n, t), erlang_b(n + 1, t));
        prop_assert!(is_probability(b) && is_probability(b1), "B({}, {:e}) = {}, B(n + 1) = {}", n, a, b, b1);
        prop_assert!(b1 <= b, "B({}, {:e}) = {:e} < B(n + 1) = {:e}", n, a, b, b1);
        if b > 1e-290 && b1 > 1e-290 {
            let ab = a * b;
            let next = ab / (f64::from(n) + 1.0 + ab);
            prop_assert!(((b1 - next) / next).abs() <= 3e-12, "B({}, {:e}) = {:e}, B(n + 1) = {:e}, recurrence {:e}", n, a, b, b1, next);
        }
        if let Ok(more) = Traffic::new(rate * growth, aht) {
            let bm = erlang_b(n, more);
            prop_assert!(is_probability(bm));
            prop_assert!(at_most(b, bm, 1e-12), "B({}, {:e}) = {:e} > B(n, {:e}) = {:e}", n, a, b, more.erlangs(), bm);
        }
    }

    /// Erlang C: refused exactly when the agents do not exceed the load; otherwise P(wait) is a
    /// probability at least Erlang B and falling in the agents, the service level is a
    /// probability rising in the target from 1 - P(wait) at zero, and the mean wait and queue are
    /// finite, not negative and in Little's ratio.
    #[test]
    fn erlang_c_is_sane_wherever_it_is_stable(
        (rate, aht) in rate_and_aht(),
        pick in pick(),
        t1 in target(),
        t2 in target(),
    ) {
        let Some(t) = traffic(rate, aht)? else { return Ok(()) };
        let a = t.erlangs();
        let n = agents(pick, a);
        let c = match ErlangC::new(t, n) {
            Ok(c) => c,
            Err(e) => {
                prop_assert!(matches!(e, QueueingError::UnstableQueue { .. }), "{}", e);
                prop_assert!(f64::from(n) <= a, "{} agents refused for {:e} erlangs", n, a);
                return Ok(());
            }
        };
        prop_assert!(f64::from(n) > a);
        let b = erlang_b(n, t);
        prop_assert_eq!(c.erlang_b(), b);
        prop_assert!(is_probability(c.p_wait()) && c.p_wait() >= b, "P(wait) {} with B {}", c.p_wait(), b);
        prop_assert!(is_probability(c.occupancy()));
        let (lo, hi) = if t1 <= t2 { (t1, t2) } else { (t2, t1) };
        let (sl_lo, sl_hi) = (c.service_level(lo), c.service_level(hi));
        prop_assert!(is_probability(sl_lo) && is_probability(sl_hi));
        prop_assert!(sl_lo <= sl_hi, "service level {} within {:?} above {} within {:?}", sl_lo, lo, sl_hi, hi);
        prop_assert_eq!(c.service_level(Duration::ZERO), 1.0 - c.p_wait());
        prop_assert!(c.service_level(Duration::ZERO) <= sl_lo && sl_hi <= c.service_level(Duration::MAX));
        for v in [c.asa_s(), c.mean_queue_len()] {
            prop_assert!(v.is_finite() && v >= 0.0, "{}", v);
        }
        // Little: waiting visitors = arrivals x mean wait.
        let little = t.arrivals_per_s() * c.asa_s();
        if c.mean_queue_len() > 1e-290 && little.is_normal() {
            prop_assert!(((c.mean_queue_len() - little) / little).abs() < 1e-12, "{} vs {}", c.mean_queue_len(), little);
        }
        if let Some(n1) = n.checked_add(1) {
            let c1 = ErlangC::new(t, n1).expect("more agents stay stable");
            prop_assert!(c1.p_wait() <= c.p_wait(), "{} agents wait {}, {} wait {}", n, c.p_wait(), n1, c1.p_wait());
            prop_assert!(c1.service_level(lo) >= sl_lo);
        }
    }
}

/// A mean patience.
#[derive(Clone, Copy, Debug)]
enum Patience {
    Fixed(Duration),
    /// Such that the arrivals during one patience, `lambda / theta`, are this many: a queue
    /// short enough to sum at any load.
    PerLoad(f64),
}

/// The queue states an Erlang A model sums (as `ErlangA::new` estimates them), to keep slow cases
/// out of the random ones.
fn erlang_a_steps(t: Traffic, n: u32, patience: Duration) -> f64 {
    let p = patience.as_secs_f64();
    let (x, y) = (f64::from(n) * p / t.aht_s(), t.erlangs() * p / t.aht_s());
    if y >= x {
        (y - x) + 50.0 * (y + 1.0).sqrt()
    } else {
        (45.0 * x / (x - y) + 10.0).min(50.0 * (x + 1.0).sqrt())
    }
}

/// Everything an Erlang A model reports, checked for range and consistency at the given targets.
fn check_erlang_a(m: &ErlangA, targets: &mut [Duration]) -> Result<(), TestCaseError> {
    let p_wait = m.p_wait();
    for p in [p_wait, m.p_abandon(), m.occupancy()] {
        prop_assert!(is_probability(p), "{} in {:?}", p, m);
    }
    for v in [m.asa_served_s(), m.mean_wait_all_s(), m.mean_queue_len()] {
        prop_assert!(v.is_finite() && v >= 0.0, "{} in {:?}", v, m);
    }
    prop_assert!(at_most(m.p_abandon(), p_wait, 1e-12), "abandon {} above wait {}", m.p_abandon(), p_wait);
    // At zero, only those served at once, that is 1 - P(wait), as the docs define it.
    prop_assert_eq!(m.service_level(Duration::ZERO), 1.0 - p_wait);
    prop_assert_eq!(m.p_offered_wait_le(Duration::ZERO), 1.0 - p_wait);
    targets.sort();
    let mut last: Option<(f64, f64)> = None;
    for &t in targets.iter() {
        let (sl, offered, share) =
            (m.service_level(t), m.p_offered_wait_le(t), m.answered_within_over_answered(t));
        for p in [sl, offered, share] {
            prop_assert!(is_probability(p), "{} within {:?} in {:?}", p, t, m);
        }
        prop_assert!(sl >= 1.0 - p_wait, "service level {} below 1 - P(wait) {}", sl, 1.0 - p_wait);
        // Answered within t: the offered wait was at most t, and the visitor did not abandon.
        prop_assert!(at_most(sl, offered, 1e-9), "answered {} above offered {} within {:?}", sl, offered, t);
        // 1 - P(abandon) is a difference from one of a sum over the queue: allow for its rounding.
        prop_assert!(
            sl <= 1.0 - m.p_abandon() + 1e-12,
            "answered {} above served {}",
            sl,
            1.0 - m.p_abandon()
        );
        if let Some((sl0, off0)) = last {
            prop_assert!(at_most(sl0, sl, 1e-9), "service level fell from {} to {} at {:?}", sl0, sl, t);
            prop_assert!(
                at_most(off0, offered, 1e-9),
                "offered wait within fell from {} to {} at {:?}",
                off0,
                offered,
                t
            );
        }
        last = Some((sl, offered));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(600))]

    /// Erlang A: built for any agents and patience unless the queue is too long to sum, and then
    /// every probability in [0, 1], times finite, the service level between 1 - P(wait) (at
    /// target 0, exactly) and the offered-wait distribution, rising in the target; more agents
    /// wait less and answer more.
    #[test]
    fn erlang_a_is_sane_for_any_agents_and_patience(
        (rate, aht) in rate_and_aht_to_sum(),
        pick in pick(),
        patience in prop_oneof![
            4 => duration().prop_map(Patience::Fixed),
            1 => Just(Patience::Fixed(Duration::from_nanos(1))),
            1 => Just(Patience::Fixed(Duration::MAX)),
            4 => log_uniform(1e-3, 1e5).prop_map(Patience::PerLoad),
        ],
        targets in prop::collection::vec(target(), 3),
    ) {
        let Some(t) = traffic(rate, aht)? else { return Ok(()) };
        let n = agents(pick, t.erlangs());
        let patience = match patience {
            Patience::Fixed(d) => d,
            Patience::PerLoad(y) => secs(y * t.aht_s() / t.erlangs()).max(Duration::from_nanos(1)),
        };
        let zero_agents = ErlangA::new(t, 0, patience);
        prop_assert!(matches!(zero_agents, Err(QueueingError::ZeroCount { .. })), "{:?}", zero_agents);
        let no_patience = ErlangA::new(t, n, Duration::ZERO);
        prop_assert!(matches!(no_patience, Err(QueueingError::InvalidRate { .. })), "{:?}", no_patience);
        // Cases of more than a few hundred thousand queue states run in the named tests below.
        let steps = erlang_a_steps(t, n, patience);
        prop_assume!(!(2e5..=1.1e8).contains(&steps));
        let m = match ErlangA::new(t, n, patience) {
            Ok(m) => m,
            Err(e) => {
                prop_assert!(matches!(e, QueueingError::ModelTooLarge { .. }), "{}", e);
                prop_assert!(steps > 1e8, "refused at {:e} steps: {}", steps, e);
                return Ok(());
            }
        };
        prop_assert!(steps <= 1e8, "built at {:e} steps", steps);
        let mut targets = targets;
        check_erlang_a(&m, &mut targets)?;
        if let Some(n1) = n.checked_add(1)
            && erlang_a_steps(t, n1, patience) < 2e5
        {
            let m1 = ErlangA::new(t, n1, patience).expect("fewer states than n");
            prop_assert!(at_most(m1.p_wait(), m.p_wait(), 1e-12), "{} agents wait {}, {} wait {}", n, m.p_wait(), n1, m1.p_wait());
            for &target in &targets {
                prop_assert!(at_most(m.service_level(target), m1.service_level(target), 1e-9));
            }
        }
    }
}

/// Far above its agents, Erlang B went above one by about `n` ulps (1.00000067 at three billion
/// agents), took up to `n` steps to get there, and made Erlang A's P(wait) NaN. Here `1/B` is
/// compared with its expansion `1 + n/a + n(n - 1)/a^2`, whose next term is below 1e-18 of it.
#[test]
fn erlang_b_far_above_the_agents_stays_at_most_one() {
    for n in [30u32, 31, 1_000, 3_000_000_000, u32::MAX] {
        let nf = f64::from(n);
        for a in [1.5 * (nf + 1.0) * 1.001, 10.0 * nf, 1e6 * nf, 1e10, 1e20, 1e300, 1.0000007e300, f64::MAX] {
            if a <= 1.5 * (nf + 1.0) {
                continue;
            }
            let b = erlang_b(n, Traffic::new(a, Duration::from_secs(1)).unwrap());
            assert!(is_probability(b), "B({n}, {a:e}) = {b}");
            if a >= 1e6 * nf {
                let r = nf / a;
                let want = 1.0 / (1.0 + r + r * (nf - 1.0) / a);
                assert!(((b - want) / want).abs() <= 1e-15, "B({n}, {a:e}) = {b}, want {want}");
            }
        }
    }
    // 2.3e18 erlangs on 30 agents gave B = 1 + 7e-15, and Erlang A's P(wait) was NaN; with a
    // patience of a nanosecond against a handle time of 11.6 days, 2,300 wait on average.
    let t = Traffic::new(2.2970073693278477e12, Duration::from_secs(1_000_000)).unwrap();
    let m = ErlangA::new(t, 30, Duration::from_nanos(1)).unwrap();
    check_erlang_a(&m, &mut [Duration::from_nanos(1), Duration::from_secs(1), Duration::MAX]).unwrap();
    // Everyone waits, and nearly everyone abandons (the agents serve 30 in 2.3e18).
    assert!(m.p_wait() == 1.0 && m.p_abandon() > 1.0 - 1e-16, "{m:?}");
    // Three billion agents offered ten billion erlangs.
    let t = Traffic::new(1e10, Duration::from_secs(1)).unwrap();
    let m = ErlangA::new(t, 3_000_000_000, Duration::from_nanos(1)).unwrap();
    check_erlang_a(&m, &mut [Duration::from_nanos(1), Duration::from_secs(1), Duration::MAX]).unwrap();
    // Nearly everyone finds the agents busy, and about 70% abandon.
    assert!(m.p_wait() > 0.99 && (m.p_abandon() - 0.7).abs() < 1e-3, "{m:?}");
}

/// Erlang C at the edge of stability with the most agents there are: the smallest excess of
/// agents over the load that `f64` can tell from zero.
#[test]
fn erlang_c_with_u32_max_agents_just_above_the_load() {
    let n = f64::from(u32::MAX);
    for a in [n.next_down(), n - 0.5, n - 1e4, n * 0.999] {
        let t = Traffic::new(a, Duration::from_secs(1)).unwrap();
        let c = ErlangC::new(t, u32::MAX).unwrap();
        assert!(is_probability(c.p_wait()) && c.p_wait() >= c.erlang_b(), "{c:?}");
        for target in [Duration::ZERO, Duration::from_nanos(1), Duration::from_secs(1), Duration::MAX] {
            assert!(is_probability(c.service_level(target)), "{target:?}: {c:?}");
        }
        assert!(c.asa_s().is_finite() && c.mean_queue_len().is_finite(), "{c:?}");
        assert!(
            matches!(ErlangC::new(t, u32::MAX - 1), Err(QueueingError::UnstableQueue { .. }))
                == (n - 1.0 <= a)
        );
    }
}

/// The random cases skip floors whose queue takes over 200,000 states to sum; these take 2.6
/// million and 26 million, and the last one more than the 100,000,000 that `ErlangA::new`
/// accepts.
#[test]
fn erlang_a_with_the_longest_queue_it_sums() {
    // 5,000 erlangs on 2,500 agents: about 2,500 x patience waiting, plus 50 sqrt(5,000 x patience).
    let t = Traffic::new(5_000.0, Duration::from_secs(1)).unwrap();
    for patience in [1_000.0, 10_000.0] {
        let m = ErlangA::new(t, 2_500, secs(patience)).unwrap();
        check_erlang_a(&m, &mut [Duration::from_secs(1), Duration::MAX]).unwrap();
        // Served load is all the agents: half the visitors abandon.
        assert!((m.p_abandon() - 0.5).abs() < 1e-6, "{m:?}");
    }
    let err = ErlangA::new(t, 2_500, secs(41_000.0)).unwrap_err();
    assert!(matches!(err, QueueingError::ModelTooLarge { .. }), "{err}");
}

/// Found by the fuzz target: an overloaded floor of handle times of 585 billion years, where the
/// direct sum of the offered-wait probability let its negative binomial weights fall into
/// subnormals, where they stopped falling (a weight times a ratio below one rounded back to
/// itself). The pass never settled, and the fallback, a difference of two numbers equal to 1e-10,
/// gave 1.5e-10 within 5e7 s but 1.5e-68 within 1.5e8 s.
#[test]
fn erlang_a_offered_wait_within_a_target_rises_with_it_on_a_floor_of_endless_chats() {
    let t = Traffic::new(0.0014038085937519984, secs(1.8446744073698607e19)).unwrap();
    let m = ErlangA::new(t, 26_843_545, secs(26_843_545.71798692)).unwrap();
    let mut targets: Vec<Duration> = [1e7, 5e7, 1e8, 1.5e8, 1.677_721_6e8, 2e8, 5e8, 1e10].map(secs).to_vec();
    check_erlang_a(&m, &mut targets).unwrap();
    // About 37,700 wait ahead, each leaving after 2.7e7 s on average: within 1e8 s hardly any
    // arrival has seen them all leave.
    assert!(m.p_offered_wait_le(secs(1e8)) < 1e-60, "{}", m.p_offered_wait_le(secs(1e8)));
}
