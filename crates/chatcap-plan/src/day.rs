//! One skill's day on the simulator: agents logged in and out at interval boundaries to follow
//! a staffing, the day warmed up on its own last intervals, and what the floor achieves.

use chatcap_core::{Agent, AgentId, AgentState, Capacity, Floor, Ranking, RouteBy, Skill, SkillId, Snapshot};
use chatcap_sim::{
    Arrivals, Estimate, HandleTime, IntervalFactors, Patience, Playback, RunConfig, Scenario, StateChange,
    simulate,
};
use rayon::prelude::*;

use crate::{Achieved, PlanError};

/// One skill's day as the simulator plays it.
#[derive(Clone, Debug)]
pub(crate) struct Day {
    pub(crate) skill: String,
    pub(crate) interval_s: f64,
    /// Visitors per hour in each interval of the day.
    pub(crate) per_hour: Vec<f64>,
    /// Intervals of the day's end played first to warm the floor up (the day is periodic).
    pub(crate) wrap: usize,
    /// The mean handle time at one chat (the arrival-weighted mean over the day).
    pub(crate) aht_s: f64,
    /// Per interval of the day, its handle time over `aht_s`.
    pub(crate) aht_factor: Vec<f64>,
    /// Per interval of the day, its patience over `patience_s`.
    pub(crate) patience_factor: Vec<f64>,
    /// Handle time per concurrency level over the handle time at one.
    pub(crate) slowdown: Option<Vec<f64>>,
    pub(crate) max_chats: u32,
    pub(crate) patience_s: Option<f64>,
    pub(crate) target_s: f64,
}

/// What a playback saw of the chats in the system (in service and waiting) in each interval.
#[derive(Clone, Debug, Default)]
pub(crate) struct InSystem {
    /// Per interval, how many samples saw each number of chats in the system.
    pub(crate) histogram: Vec<Vec<u64>>,
    /// Per interval, the chats in service summed over the samples.
    pub(crate) in_service: Vec<f64>,
    /// Samples per interval.
    pub(crate) samples: u64,
}

impl InSystem {
    fn merge(mut self, o: InSystem) -> InSystem {
        if self.histogram.is_empty() {
            return o;
        }
        for (h, oh) in self.histogram.iter_mut().zip(o.histogram) {
            if h.len() < oh.len() {
                h.resize(oh.len(), 0);
            }
            for (a, b) in h.iter_mut().zip(oh) {
                *a += b;
            }
        }
        for (a, b) in self.in_service.iter_mut().zip(o.in_service) {
            *a += b;
        }
        self.samples += o.samples;
        self
    }

    /// The share of interval `i`'s samples with at least `n` chats in the system.
    pub(crate) fn tail(&self, i: usize, n: u64) -> f64 {
        let h = &self.histogram[i];
        let at_least: u64 = h.iter().skip(usize::try_from(n).unwrap_or(usize::MAX)).sum();
        if self.samples == 0 { 0.0 } else { at_least as f64 / self.samples as f64 }
    }

    /// The fewest agents of `m` slots each whose slots the chats in the system in interval `i`
    /// reach at most `share` of the time.
    pub(crate) fn fewest(&self, i: usize, m: u64, share: f64) -> u64 {
        let mut n: u64 = 0;
        while self.tail(i, n * m) > share {
            n += 1;
        }
        n
    }

    /// The share of visitors arriving in interval `i` answered within `target_s` on `slots`
    /// chat slots, from the samples of the chats in the system. A newcomer who finds `L` of them
    /// starts at once if `L < slots`. Otherwise it waits behind the `j = L − slots` visitors
    /// queued while slots free at `release` per second (every agent at its limit) and each
    /// visitor waiting gives up at `theta` per second, itself included. From `k` ahead the next
    /// event comes at `release + (k + 1) θ` whatever it is, and moves the newcomer up unless it
    /// is its own abandonment; so it starts service within `t` with probability
    /// `release / (release + (j + 1) θ)` (the product of the per-step odds telescopes) times
    /// `P(S ≤ t)`, `S` a sum of exponentials of rates `release + k θ`, `k = 1..=j + 1`: the
    /// `(j + 1)`-th smallest of `release / θ + j + 1` exponentials of rate `θ`, whose law is
    /// the regularized incomplete beta `I_{1 − e^{−θt}}(j + 1, release / θ + 1)`. With no
    /// patience, `P(Poisson(release · t) ≥ j + 1)`.
    pub(crate) fn answered_within(
        &self,
        i: usize,
        slots: u64,
        release: f64,
        theta: f64,
        target_s: f64,
    ) -> f64 {
        use statrs::function::{beta::checked_beta_reg, gamma::checked_gamma_lr};
        if self.samples == 0 {
            return 1.0;
        }
        let h = &self.histogram[i];
        let from = usize::try_from(slots).unwrap_or(usize::MAX).min(h.len());
        let at_once: u64 = h[..from].iter().sum();
        let mut answered = at_once as f64;
        if release > 0.0 && target_s > 0.0 {
            for (j, &c) in h[from..].iter().enumerate() {
                if c == 0 {
                    continue;
                }
                let a = j as f64 + 1.0;
                // Patience so long that the beta's second shape passes ten million: the
                // visitors ahead hardly ever give up within the target, only the newcomer's
                // own odds are kept.
                let p = if theta > 0.0 && release / theta <= 1e7 {
                    let x = -f64::exp_m1(-theta * target_s);
                    let reach = checked_beta_reg(a, release / theta + 1.0, x).unwrap_or(0.0);
                    release / (release + a * theta) * reach
                } else {
                    release / (release + a * theta) * checked_gamma_lr(a, release * target_s).unwrap_or(0.0)
                };
                answered += c as f64 * p.clamp(0.0, 1.0);
            }
        }
        answered / self.samples as f64
    }

    /// The mean of the chats in the system beyond the first `n` in interval `i`: the queue a
    /// floor of `n` slots would have.
    pub(crate) fn mean_beyond(&self, i: usize, n: u64) -> f64 {
        let from = usize::try_from(n).unwrap_or(usize::MAX);
        let excess: f64 =
            self.histogram[i].iter().enumerate().skip(from).map(|(l, &c)| (l - from) as f64 * c as f64).sum();
        if self.samples == 0 { 0.0 } else { excess / self.samples as f64 }
    }

    /// The mean number of chats in service in interval `i`.
    pub(crate) fn mean_in_service(&self, i: usize) -> f64 {
        if self.samples == 0 { 0.0 } else { self.in_service[i] / self.samples as f64 }
    }
}

impl Day {
    pub(crate) fn len(&self) -> usize {
        self.per_hour.len()
    }

    /// A value per interval of the day as the run plays it: the wrapped intervals, then the
    /// day (`wrap` is at most the day's length; an empty list stays empty).
    fn full<T: Copy>(&self, day: &[T]) -> Vec<T> {
        let from = day.len().saturating_sub(self.wrap);
        day[from..].iter().chain(day).copied().collect()
    }

    /// The scenario of the day under `staffing` (agents per interval of the day).
    pub(crate) fn scenario(&self, staffing: &[u32]) -> Scenario {
        let full = self.full(staffing);
        let most = full.iter().copied().max().unwrap_or(0).max(1);
        let skill = SkillId::new(self.skill.as_str());
        let id = |i: u32| AgentId::new(format!("agent-{i}"));
        let first = full.first().copied().unwrap_or(0);
        let agents = (0..most)
            .map(|i| {
                let state = if i < first { AgentState::Online } else { AgentState::Offline };
                Agent::new(id(i), state, Capacity::Limited(self.max_chats)).with_skills([skill.clone()])
            })
            .collect();
        let mut schedule = Vec::new();
        for (j, w) in full.windows(2).enumerate() {
            let at_s = (j + 1) as f64 * self.interval_s;
            let (before, after) = (w[0], w[1]);
            let state = if after > before { AgentState::Online } else { AgentState::Offline };
            for i in before.min(after)..before.max(after) {
                schedule.push(StateChange { agent: id(i), at_s, state });
            }
        }
        Scenario {
            floor: Snapshot { skills: vec![Skill::new(skill.clone())], agents, ..Snapshot::default() },
            traffic: vec![Arrivals { skill, per_hour: self.full(&self.per_hour) }],
            interval_s: self.interval_s,
            intervals: full.len(),
            warmup_s: self.wrap as f64 * self.interval_s,
            handle: HandleTime::Exponential { mean_s: self.aht_s },
            aht_by_concurrency: self.slowdown.as_ref().map(|s| s.iter().map(|f| f * self.aht_s).collect()),
            patience: self.patience_s.map_or(Patience::Unlimited, |mean_s| Patience::Exponential { mean_s }),
            route_by: RouteBy::Ranking(Ranking::LeastLoaded),
            relaxations: vec![],
            schedule,
            target_s: self.target_s,
            by_interval: IntervalFactors {
                aht: self.full(&self.aht_factor),
                patience: self.full(&self.patience_factor),
            },
        }
    }

    fn sim_error(&self, source: chatcap_sim::SimError) -> PlanError {
        PlanError::Simulation { skill: self.skill.clone(), source }
    }

    /// What `staffing` achieves, per interval of the day.
    pub(crate) fn achieved(&self, staffing: &[u32], run: &RunConfig) -> Result<Vec<Achieved>, PlanError> {
        let scenario = self.scenario(staffing);
        let report = simulate(&scenario, run).map_err(|e| self.sim_error(e))?;
        let skill = report.skills.first();
        Ok((0..self.len())
            .map(|i| {
                let j = i + self.wrap;
                let m = skill.and_then(|s| s.intervals.get(j)).copied().unwrap_or_default();
                let slots = f64::from(staffing[i]) * f64::from(self.max_chats);
                let chats =
                    report.floor_intervals.get(j).map(|f| f.mean_chats_in_service).unwrap_or_default();
                let occupancy = if slots > 0.0 {
                    Estimate { mean: chats.mean / slots, ci95: chats.ci95 / slots, dropped: chats.dropped }
                } else {
                    Estimate { mean: f64::NAN, ci95: f64::NAN, dropped: 0 }
                };
                Achieved {
                    p_wait: m.p_wait,
                    service_level: m.service_level,
                    p_abandon: m.p_abandon,
                    asa_s: m.asa_s,
                    occupancy,
                }
            })
            .collect())
    }

    /// Samples the chats in the system `samples` times, evenly, in every interval of the day, in
    /// each of `replications` replications under `staffing`.
    pub(crate) fn in_system(
        &self,
        staffing: &[u32],
        replications: usize,
        seed: u64,
        samples: usize,
        pool: &rayon::ThreadPool,
    ) -> Result<InSystem, PlanError> {
        let scenario = self.scenario(staffing);
        scenario.validate().map_err(|e| self.sim_error(e))?;
        let d = self.len();
        let one = |r: usize| -> Result<InSystem, PlanError> {
            let mut play = Playback::replication(&scenario, seed, r).map_err(|e| self.sim_error(e))?;
            let mut out = InSystem {
                histogram: vec![Vec::new(); d],
                in_service: vec![0.0; d],
                samples: samples as u64,
            };
            for i in 0..d {
                for k in 0..samples {
                    let t = ((self.wrap + i) as f64 + (k as f64 + 0.5) / samples as f64) * self.interval_s;
                    play.advance_to(t);
                    let (busy, queued) = count(play.floor());
                    let l = usize::try_from(busy.saturating_add(queued)).unwrap_or(usize::MAX);
                    let h = &mut out.histogram[i];
                    if h.len() <= l {
                        h.resize(l.saturating_add(1), 0);
                    }
                    h[l] += 1;
                    out.in_service[i] += busy as f64;
                }
            }
            Ok(out)
        };
        let runs: Vec<Result<InSystem, PlanError>> =
            pool.install(|| (0..replications).into_par_iter().map(one).collect());
        let mut total = InSystem::default();
        for r in runs {
            total = total.merge(r?);
        }
        Ok(total)
    }
}

/// Chats held by the agents logged in, and visitors waiting: what competes for the staffed
/// slots (an agent logging out finishes its chats, which hold none of them).
fn count(floor: &Floor) -> (u64, u64) {
    let s = floor.summary_total();
    (s.busy, s.queued)
}

#[cfg(test)]
mod tests {
    use super::InSystem;

    /// The newcomer's race, by uniformization of the chain "k visitors ahead" with its own
    /// abandonment as a loss: a method independent of the incomplete beta.
    fn uniformized(j: usize, release: f64, theta: f64, t: f64) -> f64 {
        let lambda = release + (j as f64 + 1.0) * theta;
        // f[k]: the chance of being served within the steps taken so far, from k ahead.
        let mut f = vec![0.0; j + 1];
        let (mut total, mut weight) = (0.0, (-lambda * t).exp());
        for step in 0..20_000 {
            total += weight * f[j];
            weight *= lambda * t / (step as f64 + 1.0);
            let g: Vec<f64> = (0..=j)
                .map(|k| {
                    let up = release + k as f64 * theta;
                    let next = if k == 0 { 1.0 } else { f[k - 1] };
                    up / lambda * next + (1.0 - (up + theta) / lambda) * f[k]
                })
                .collect();
            f = g;
        }
        total
    }

    #[test]
    fn answered_within_matches_the_uniformized_chain() {
        // 40 samples: 10 with a free slot among 5, then 5 each at 5, 6, 8, 11, 15 and 20.
        let mut histogram = vec![0u64; 21];
        histogram[2] = 10;
        for l in [5, 6, 8, 11, 15, 20] {
            histogram[l] = 5;
        }
        let seen = InSystem { histogram: vec![histogram.clone()], in_service: vec![0.0], samples: 40 };
        for (release, theta, t) in [(2.0, 0.3, 3.0), (0.5, 0.0, 20.0), (10.0, 2.0, 0.4), (1.0, 1e-9, 5.0)] {
            let want = (10.0
                + [5, 6, 8, 11, 15, 20]
                    .iter()
                    .map(|&l| 5.0 * uniformized(l - 5, release, theta, t))
                    .sum::<f64>())
                / 40.0;
            let got = seen.answered_within(0, 5, release, theta, t);
            assert!(
                (got - want).abs() < 1e-9,
                "release {release}, theta {theta}, t {t}: {got} against {want}"
            );
        }
        // No wait allowed: only those who find a slot; all slots free: everyone.
        assert_eq!(seen.answered_within(0, 5, 2.0, 0.3, 0.0), 0.25);
        assert_eq!(seen.answered_within(0, 21, 2.0, 0.3, 10.0), 1.0);
    }
}
