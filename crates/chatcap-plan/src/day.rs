//! One skill's day on the simulator: agents logged in and out at interval boundaries to follow
//! a staffing, the day warmed up on its own last intervals, and what the floor achieves.

use chatcap_core::{
    Agent, AgentId, AgentState, Capacity, Floor, Ranking, RouteBy, Scope, Skill, SkillId, Snapshot,
};
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
    let s = floor.summary(Scope::All);
    (s.busy, s.queued)
}
