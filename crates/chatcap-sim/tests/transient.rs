//! A short run from an empty floor against the exact transient solution of M/M/n.
//!
//! The reference is computed here, independently of the library: the distribution of the number
//! in system by uniformization, restarted at each change of the arrival rate, its time average
//! over each interval integrated exactly from the uniformized series, and the measures of the
//! visitors who arrive in an interval from it by PASTA.

use chatcap_core::{Agent, AgentState, Capacity, Ranking, RouteBy, Skill, Snapshot};
use chatcap_sim::*;

/// The number in system of M/M/n with `n` agents serving at rate `mu` each, FCFS, infinite
/// patience, empty at 0, with arrival rate `rates[i]` over interval `i` (each `d` long).
///
/// States `0..states` count the visitors in system; state `states` collects whatever would go
/// beyond, and keeps it: its mass bounds the chance that the untruncated process ever left the
/// truncated one before the time it is read at.
struct Transient {
    /// Per interval, `(1/d) ∫ p_k(t) dt` over the interval, for `k` in `0..=states`.
    mean: Vec<Vec<f64>>,
    /// Per interval, `p_k` at its end.
    end: Vec<Vec<f64>>,
    n: usize,
    mu: f64,
}

/// One step of the uniformized chain: `v P`, with `P = I + Q / big` (`big` at least every
/// state's total out-rate).
fn step(v: &[f64], n: usize, lambda: f64, mu: f64, big: f64, out: &mut [f64]) {
    let top = v.len() - 1;
    for (k, o) in out.iter_mut().enumerate() {
        *o = if k == top {
            v[k] + v[k - 1] * lambda / big
        } else {
            let death = k.min(n) as f64 * mu;
            let mut x = v[k] * (1.0 - (lambda + death) / big);
            if k > 0 {
                x += v[k - 1] * lambda / big;
            }
            if k + 1 < top {
                x += v[k + 1] * (k + 1).min(n) as f64 * mu / big;
            }
            x
        };
    }
}

/// Over `[0, h]` from `p`: `p(h)` into `p` and `∫ p(t) dt` added to `integral`, both from the
/// uniformized series `p(t) = Σ_j Pois(j; big t) p P^j`, whose integral term by term is
/// `∫_0^h Pois(j; big t) dt = P(Pois(big h) > j) / big`.
fn advance(p: &mut Vec<f64>, integral: &mut [f64], n: usize, lambda: f64, mu: f64, h: f64) {
    let big = lambda + n as f64 * mu;
    let x = big * h;
    let mut weight = (-x).exp();
    let mut below = 0.0;
    let mut u = p.clone();
    let mut next = vec![0.0; u.len()];
    let mut at_h = vec![0.0; u.len()];
    let mut j = 0usize;
    while 1.0 - below > 1e-17 && j < 1000 {
        below += weight;
        let tail = (1.0 - below).max(0.0);
        for ((a, i), &uk) in at_h.iter_mut().zip(integral.iter_mut()).zip(&u) {
            *a += weight * uk;
            *i += tail / big * uk;
        }
        step(&u, n, lambda, mu, big, &mut next);
        std::mem::swap(&mut u, &mut next);
        j += 1;
        weight *= x / j as f64;
    }
    *p = at_h;
}

impl Transient {
    fn solve(n: usize, mu: f64, rates: &[f64], d: f64, states: usize) -> Transient {
        let mut p = vec![0.0; states + 1];
        p[0] = 1.0;
        let (mut mean, mut end) = (Vec::new(), Vec::new());
        for &lambda in rates {
            // Short pieces keep every Poisson weight far from underflow.
            let pieces = (((lambda + n as f64 * mu) * d / 4.0).ceil() as usize).max(1);
            let h = d / pieces as f64;
            let mut integral = vec![0.0; states + 1];
            for _ in 0..pieces {
                advance(&mut p, &mut integral, n, lambda, mu, h);
            }
            mean.push(integral.iter().map(|x| x / d).collect());
            end.push(p.clone());
        }
        Transient { mean, end, n, mu }
    }

    /// `Σ_{n ≤ k < states} p_k f(k - n + 1)`: over the states where an arrival waits for the
    /// `(k - n + 1)`-th next departure.
    fn waiting(&self, p: &[f64], f: impl Fn(usize) -> f64) -> f64 {
        p[self.n..p.len() - 1].iter().enumerate().map(|(j, pk)| pk * f(j + 1)).sum()
    }

    /// Of the visitors arriving in interval `i`: the share who wait.
    fn p_wait(&self, i: usize) -> f64 {
        self.waiting(&self.mean[i], |_| 1.0)
    }

    /// Of the visitors arriving in interval `i`: the share served within `target_s`. With FCFS
    /// an arrival finding `k ≥ n` waits for the `(k - n + 1)`-th departure at rate `n mu`.
    fn service_level(&self, i: usize, target_s: f64) -> f64 {
        let x = self.n as f64 * self.mu * target_s;
        1.0 - self.waiting(&self.mean[i], |m| poisson_cdf(m - 1, x))
    }

    /// Of the visitors arriving in interval `i`: the mean wait, in seconds.
    fn mean_wait(&self, i: usize) -> f64 {
        let rate = self.n as f64 * self.mu;
        self.waiting(&self.mean[i], |m| m as f64 / rate)
    }

    /// The time-average queue over interval `i`.
    fn mean_queue(&self, i: usize) -> f64 {
        self.waiting(&self.mean[i], |m| (m - 1) as f64)
    }

    /// The time-average share of the agents busy over interval `i`.
    fn utilization(&self, i: usize) -> f64 {
        let p = &self.mean[i];
        p[..p.len() - 1].iter().enumerate().map(|(k, pk)| pk * k.min(self.n) as f64).sum::<f64>()
            / self.n as f64
    }

    /// The expected queue at the end of interval `i`.
    fn queue_at_end(&self, i: usize) -> f64 {
        self.waiting(&self.end[i], |m| (m - 1) as f64)
    }

    /// The most mass collected beyond the truncation, over the whole run.
    fn beyond(&self) -> f64 {
        self.end.iter().map(|p| p[p.len() - 1]).fold(0.0, f64::max)
    }
}

/// `P(Pois(x) ≤ m)`, which is `P(Gamma(m + 1, 1) > x)`.
fn poisson_cdf(m: usize, x: f64) -> f64 {
    let mut term = (-x).exp();
    let mut sum = term;
    for j in 1..=m {
        term *= x / j as f64;
        sum += term;
    }
    sum.min(1.0)
}

/// The stationary M/M/n, from the textbook formulas: `p_0 = 1 / (Σ_{k<n} a^k/k! + a^n/n! /
/// (1 - ρ))`, `p_k = p_0 a^k/k!` below `n` and `p_0 a^n/n! ρ^(k-n)` from it, Erlang C `C = p_0
/// a^n/n! / (1 - ρ)`; the wait is 0 with probability `1 - C`, else exponential at `n mu -
/// lambda`.
struct Stationary {
    p: Vec<f64>,
    c: f64,
    drain: f64,
}

impl Stationary {
    fn new(n: usize, lambda: f64, mu: f64, states: usize) -> Stationary {
        let a = lambda / mu;
        let rho = a / n as f64;
        let mut term = 1.0;
        let mut below = 0.0;
        for k in 0..n {
            below += term;
            term *= a / (k + 1) as f64;
        }
        let p0 = 1.0 / (below + term / (1.0 - rho));
        let mut p = Vec::with_capacity(states);
        let mut t = 1.0;
        for k in 0..states {
            p.push(p0 * t);
            t *= if k < n { a / (k + 1) as f64 } else { rho };
        }
        Stationary { p, c: p0 * term / (1.0 - rho), drain: n as f64 * mu - lambda }
    }

    fn service_level(&self, target_s: f64) -> f64 {
        1.0 - self.c * (-self.drain * target_s).exp()
    }

    fn asa(&self) -> f64 {
        self.c / self.drain
    }
}

/// The same interval averages by another method: the forward equations `p' = p Q` with the
/// integral `I' = p`, by the classical Runge-Kutta method with a fixed step.
fn runge_kutta(n: usize, mu: f64, rates: &[f64], d: f64, states: usize, steps: usize) -> Vec<Vec<f64>> {
    let derivative = |p: &[f64], lambda: f64| -> Vec<f64> {
        let top = p.len() - 1;
        (0..p.len())
            .map(|k| {
                if k == top {
                    return p[k - 1] * lambda;
                }
                let mut x = -p[k] * (lambda + k.min(n) as f64 * mu);
                if k > 0 {
                    x += p[k - 1] * lambda;
                }
                if k + 1 < top {
                    x += p[k + 1] * (k + 1).min(n) as f64 * mu;
                }
                x
            })
            .collect()
    };
    let axpy =
        |p: &[f64], h: f64, k: &[f64]| -> Vec<f64> { p.iter().zip(k).map(|(a, b)| a + h * b).collect() };
    let mut p = vec![0.0; states + 1];
    p[0] = 1.0;
    let h = d / steps as f64;
    let mut out = Vec::new();
    for &lambda in rates {
        let mut integral = vec![0.0; states + 1];
        for _ in 0..steps {
            let k1 = derivative(&p, lambda);
            let p2 = axpy(&p, h / 2.0, &k1);
            let k2 = derivative(&p2, lambda);
            let p3 = axpy(&p, h / 2.0, &k2);
            let k3 = derivative(&p3, lambda);
            let p4 = axpy(&p, h, &k3);
            let k4 = derivative(&p4, lambda);
            for k in 0..p.len() {
                integral[k] += h / 6.0 * (p[k] + 2.0 * p2[k] + 2.0 * p3[k] + p4[k]);
                p[k] += h / 6.0 * (k1[k] + 2.0 * k2[k] + 2.0 * k3[k] + k4[k]);
            }
        }
        out.push(integral.iter().map(|x| x / d).collect());
    }
    out
}

fn max_difference(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f64::max)
}

/// The reference against the stationary M/M/n: after a long time at a constant rate the
/// transient distribution is Erlang C's, and it is a distribution all along.
#[test]
fn the_transient_reference_tends_to_erlang_c() {
    // The textbook formulas against the published figures of the ErlangC R package's README:
    // 14 agents, 10 erlangs, AHT 180 s, target 20 s.
    let published = Stationary::new(14, 10.0 / 180.0, 1.0 / 180.0, 400);
    assert!((published.c - 0.1741319).abs() < 1e-6, "{}", published.c);
    assert!((published.service_level(20.0) - 0.88835).abs() < 1e-5);
    assert!((published.asa() - 7.8359).abs() < 1e-4);
    assert!((published.p.iter().sum::<f64>() - 1.0).abs() < 1e-12);

    // Two long intervals at one rate: the second is stationary to far below the tolerance
    // (the relaxation time is 1 / (√(n mu) - √lambda)², about 600 s for the first floor and
    // 540 s for the second, against intervals of 12,000 s and 20,000 s).
    for (n, lambda, mu, d) in
        [(3, 2.0 / 60.0, 1.0 / 60.0, 12_000.0), (14, 10.0 / 180.0, 1.0 / 180.0, 20_000.0)]
    {
        let states = 200;
        let exact = Stationary::new(n, lambda, mu, states);
        let tr = Transient::solve(n, mu, &[lambda, lambda], d, states);
        for i in 0..2 {
            let total: f64 = tr.end[i].iter().sum();
            assert!((total - 1.0).abs() < 1e-12, "n {n}: p sums to {total}");
            let mean_total: f64 = tr.mean[i].iter().sum();
            assert!((mean_total - 1.0).abs() < 1e-12, "n {n}: the time average sums to {mean_total}");
            assert!(tr.end[i].iter().all(|&x| x >= -1e-15));
        }
        assert!(tr.beyond() < 1e-12, "n {n}: {} beyond the truncation", tr.beyond());
        let gap = max_difference(&tr.end[1][..states], &exact.p);
        assert!(gap < 1e-11, "n {n}: p(t) is {gap} away from stationary");
        let tol = 1e-10;
        assert!((tr.p_wait(1) - exact.c).abs() < tol, "n {n}: {} vs Erlang C {}", tr.p_wait(1), exact.c);
        for target in [0.0, 5.0, 20.0, 60.0] {
            let (got, want) = (tr.service_level(1, target), exact.service_level(target));
            assert!((got - want).abs() < tol, "n {n}, {target} s: {got} vs {want}");
        }
        assert!(
            (tr.mean_wait(1) - exact.asa()).abs() < 1e-8,
            "n {n}: {} vs {}",
            tr.mean_wait(1),
            exact.asa()
        );
        // The first interval starts empty: fewer wait than in the long run.
        assert!(tr.p_wait(0) < exact.c);
    }
}

const AGENTS: usize = 3;
const AHT_S: f64 = 60.0;
const INTERVAL_S: f64 = 300.0;
/// The offered load of each interval, in erlangs on 3 agents: stable, overloaded (ρ 1.2), well
/// below, then overloaded (ρ 1.5) up to the horizon.
const LOAD: [f64; 4] = [2.0, 3.6, 1.5, 4.5];
const STATES: usize = 150;

fn rates_per_s() -> Vec<f64> {
    LOAD.iter().map(|a| a / AHT_S).collect()
}

fn reference() -> Transient {
    Transient::solve(AGENTS, 1.0 / AHT_S, &rates_per_s(), INTERVAL_S, STATES)
}

/// The transient reference by uniformization agrees with the forward equations integrated by
/// Runge-Kutta, through the changes of rate.
#[test]
fn the_transient_reference_agrees_with_the_forward_equations() {
    let tr = reference();
    assert!(tr.beyond() < 1e-12, "{} beyond the truncation", tr.beyond());
    let rk = runge_kutta(AGENTS, 1.0 / AHT_S, &rates_per_s(), INTERVAL_S, STATES, 3000);
    for (i, (a, b)) in tr.mean.iter().zip(&rk).enumerate() {
        let gap = max_difference(a, b);
        assert!(gap < 1e-12, "interval {i}: {gap}");
        assert!((a.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    }
}

fn empty_floor(n: usize) -> Snapshot {
    Snapshot {
        skills: vec![Skill::new("s")],
        agents: (0..n)
            .map(|i| {
                Agent::new(format!("agent-{i:03}"), AgentState::Online, Capacity::Limited(1))
                    .with_skills(["s".into()])
            })
            .collect(),
        ..Snapshot::default()
    }
}

fn scenario(n: usize, aht_s: f64, per_hour: Vec<f64>, interval_s: f64, target_s: f64) -> Scenario {
    Scenario {
        floor: empty_floor(n),
        intervals: per_hour.len(),
        traffic: vec![Arrivals { skill: "s".into(), per_hour }],
        interval_s,
        warmup_s: 0.0,
        handle: HandleTime::Exponential { mean_s: aht_s },
        aht_by_concurrency: None,
        patience: Patience::Unlimited,
        route_by: RouteBy::Ranking(Ranking::LeastLoaded),
        relaxations: vec![],
        schedule: vec![],
        target_s,
        by_interval: Default::default(),
    }
}

/// Within 4 times the 95% half-width (7.8 standard errors: a sound simulator fails one comparison
/// by chance with a probability below 1e-14), or within `floor`, whichever is wider.
///
/// The reference is exact to 1e-12, so all the tolerance is for the simulation's noise. The
/// floors (0.005 for a share, 0.25 s for a wait, 0.01 for a queue) sit below 4 half-widths at
/// the replications used here, so they only matter if a half-width comes out implausibly small
/// (an interval estimate is itself noisy); they are far below the errors this test is for: the
/// last interval's visitors still waiting at the horizon are a third of it, and counting them as
/// not waiting moves its P(wait) by 0.4 and its ASA by a minute; a mean of per-replication
/// ratios instead of a pooled ratio moves P(wait) by 0.03 to 0.05 in the others.
fn assert_close(what: &str, sim: Estimate, exact: f64, floor: f64) {
    let tolerance = (4.0 * sim.ci95).max(floor);
    assert!(
        (sim.mean - exact).abs() <= tolerance,
        "{what}: simulated {:.5} ± {:.5} (95%), exact {exact:.5}",
        sim.mean,
        sim.ci95
    );
    // A test that could not fail is no test: the interval must be tight enough to tell.
    assert!(sim.ci95 > 0.0 && tolerance < 0.1 * exact.abs(), "{what}: ± {} is too wide to tell", sim.ci95);
}

/// Per interval, from an empty floor through an overload that lasts to the horizon, the
/// simulated P(wait), service level and ASA of the visitors offered in the interval match the
/// exact transient M/M/n values, at a target of 20 s and of 0 s.
#[test]
fn a_short_run_from_an_empty_floor_matches_the_transient_m_m_n() {
    let tr = reference();
    let per_hour: Vec<f64> = LOAD.iter().map(|a| a * 3600.0 / AHT_S).collect();
    let last = LOAD.len() - 1;
    for (target_s, seed) in [(20.0, 2027), (0.0, 4099)] {
        let sc = scenario(AGENTS, AHT_S, per_hour.clone(), INTERVAL_S, target_s);
        let r = simulate(&sc, &RunConfig { replications: 40_000, seed, threads: None }).unwrap();
        let s = &r.skills[0];
        for (i, m) in s.intervals.iter().enumerate() {
            let at = |what: &str| format!("target {target_s} s, interval {i}, {what}");
            let offered = LOAD[i] / AHT_S * INTERVAL_S;
            assert_close(&at("offered"), m.offered, offered, 0.0);
            assert_close(&at("P(wait)"), m.p_wait, tr.p_wait(i), 0.005);
            assert_close(&at("service level"), m.service_level, tr.service_level(i, target_s), 0.005);
            assert_close(&at("ASA"), m.asa_s, tr.mean_wait(i), 0.25);
            // The time tallies stop at the horizon.
            assert_close(&at("mean queue"), m.mean_queue, tr.mean_queue(i), 0.01);
            assert_close(
                &at("utilization"),
                r.floor_intervals[i].agent_utilization,
                tr.utilization(i),
                0.005,
            );
            if target_s == 0.0 {
                assert!((m.service_level.mean - (1.0 - m.p_wait.mean)).abs() < 1e-12);
            }
            assert_eq!(m.unserved.mean, 0.0);
        }
        // The horizon rule matters: the queue at the horizon is several visitors long, most of
        // them offered in the last interval, and they count as waited there.
        let queue_at_horizon = tr.queue_at_end(last);
        assert!(queue_at_horizon > 3.0, "{queue_at_horizon}");
        assert_close("still waiting at the horizon", s.total.still_waiting, queue_at_horizon, 0.05);
        let late = &s.intervals[last];
        assert!(late.still_waiting.mean > 0.5 * queue_at_horizon, "{late:?}");
        assert!(late.still_waiting.mean > 0.25 * late.offered.mean, "{late:?}");
        assert!(tr.p_wait(last) > 0.8 && tr.p_wait(last) < 0.95, "{}", tr.p_wait(last));
    }
}

/// An overloaded floor: almost everyone waits, the report says it is overloaded, and the queue
/// left at the horizon is the fluid backlog. A comfortably staffed floor is not overloaded.
#[test]
fn an_overloaded_floor_is_reported_as_such() {
    // 5 agents of one chat, AHT 180 s: they serve 100 an hour; 200 an hour arrive (10 erlangs).
    let hours = 8;
    let (lambda, aht_s, replications) = (200.0 / 3600.0, 180.0, 8);
    let config = RunConfig { replications, seed: 31, threads: None };
    let sc = scenario(5, aht_s, vec![200.0; hours], 3600.0, 20.0);
    let r = simulate(&sc, &config).unwrap();
    let s = &r.skills[0];
    assert!(s.total.p_wait.mean >= 0.99, "{:?}", s.total.p_wait);
    assert!(r.overloaded && s.overloaded, "{:?}", s.backlog_growth);
    // The fluid backlog (lambda - n mu) H is 800. The queue at the horizon is the arrivals
    // (Poisson, mean 1,600) less the departures (all 5 agents are busy after the first minutes:
    // close to Poisson, mean 800) less the 5 in service, so its standard deviation is about
    // √(1,600 + 800) = 49 and that of the mean over 8 replications 17 (the reference above, on
    // 2,000 states, gives a mean of 797.1 and a standard deviation of 48.9). Allowed: 4 of
    // those, plus 10 for the 5 in service and the few departures lost while the floor fills.
    let horizon = hours as f64 * 3600.0;
    let fluid = (lambda - 5.0 / aht_s) * horizon;
    let sd = ((lambda + 5.0 / aht_s) * horizon).sqrt() / (replications as f64).sqrt();
    let still = s.total.still_waiting.mean;
    assert!((still - fluid).abs() <= 4.0 * sd + 10.0, "{still} left waiting, fluid {fluid}, sd {sd}");

    // 14 agents at 10 erlangs (ρ 0.71): a mean queue of 0.43 in the long run.
    let stable = simulate(&scenario(14, aht_s, vec![200.0; hours], 3600.0, 20.0), &config).unwrap();
    let s = &stable.skills[0];
    assert!(!stable.overloaded && !s.overloaded, "{:?}", s.backlog_growth);
    assert!(s.total.still_waiting.mean < 2.0, "{:?}", s.total.still_waiting);
    assert!(s.total.p_wait.mean < 0.3, "{:?}", s.total.p_wait);
}
