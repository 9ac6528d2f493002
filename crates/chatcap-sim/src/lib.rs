//! What-if simulation of a live-chat floor.
//!
//! A discrete-event simulation that drives the very [`Router`](chatcap_core::Router) and
//! [`Floor`](chatcap_core::Floor) a bot uses in production: visitors arrive (Poisson, with a
//! rate per interval), wait in the core's queues, are routed by the core's routing rules, and
//! hold chats for handle times drawn from exponential, lognormal or empirical distributions,
//! optionally slower at higher concurrency; they may abandon. Agents follow schedules of state
//! changes. Runs are deterministic from a seed: replication `r` draws from its own stream, so
//! results are identical whatever the number of threads.
//!
//! This crate reads no clock and performs no IO; the command line (`chatcap simulate`) does.
//!
//! # Examples
//!
//! ```
//! use chatcap_core::*;
//! use chatcap_sim::*;
//!
//! // Ten agents taking one chat at a time, 100 chats an hour of 3 minutes each.
//! let agents = (0..10)
//!     .map(|i| Agent::new(i, AgentState::Online, Capacity::Limited(1)).with_skills(["s".into()]))
//!     .collect();
//! let scenario = Scenario {
//!     floor: Snapshot { skills: vec![Skill::new("s")], agents, ..Snapshot::default() },
//!     traffic: vec![Arrivals { skill: "s".into(), per_hour: vec![100.0] }],
//!     interval_s: 3600.0,
//!     intervals: 2,
//!     warmup_s: 600.0,
//!     handle: HandleTime::Exponential { mean_s: 180.0 },
//!     aht_by_concurrency: None,
//!     patience: Patience::Unlimited,
//!     by_interval: IntervalFactors::default(),
//!     route_by: RouteBy::Ranking(Ranking::LeastLoaded),
//!     relaxations: vec![],
//!     schedule: vec![],
//!     target_s: 20.0,
//! };
//! let report = simulate(&scenario, &RunConfig { replications: 4, seed: 7, threads: Some(1) })?;
//! let sl = report.skills[0].total.service_level.mean;
//! assert!(sl > 0.9 && sl <= 1.0); // 5 Erlangs on 10 agents: most chats start at once
//! # Ok::<(), SimError>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod engine;
mod rng;
mod scenario;
mod stats;
mod study;

use chatcap_core::{SkillId, SnapshotError};
use rayon::prelude::*;

pub use scenario::{Arrivals, HandleTime, IntervalFactors, Patience, Scenario, StateChange, limits};
pub use stats::Estimate;
pub use study::{Setting, Study};

use engine::{Engine, RunTally};
use rng::Rng;
use stats::{FloorTally, SkillTally};

/// One replication played forward a step at a time, for showing a floor as it lives (the
/// demo source of `chatcap serve --demo`): the same engine and router as [`simulate`], with the
/// floor readable between steps.
///
/// # Examples
///
/// ```
/// use chatcap_sim::{Playback, Study};
/// let study = Study::from_toml(include_str!("../../../scenarios/afternoon.toml"))?;
/// let mut play = Playback::new(&study.scenarios[0].1, 7)?;
/// let at_start = play.floor().summary_total();
/// assert!(play.advance_to(1800.0));
/// assert!(play.now_s() > 1700.0 && play.now_s() <= 1800.0);
/// let later = play.floor().summary_total();
/// assert!(later.busy > 0 && at_start.busy == 0);
/// # Ok::<(), chatcap_sim::SimError>(())
/// ```
pub struct Playback<'a> {
    engine: Engine<'a>,
}

impl std::fmt::Debug for Playback<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Playback").field("now_s", &self.engine.now_s()).finish()
    }
}

impl<'a> Playback<'a> {
    /// Starts replication 0 of `seed` on the scenario.
    ///
    /// # Errors
    ///
    /// [`SimError`] when the scenario is invalid.
    pub fn new(scenario: &'a Scenario, seed: u64) -> Result<Playback<'a>, SimError> {
        let floor = scenario.validate()?;
        let rng = Rng::streams(seed, 1).swap_remove(0);
        Ok(Playback { engine: Engine::new(scenario, floor, rng) })
    }

    /// Starts replication `replication` of `seed` on the scenario: the very stream
    /// [`simulate`] gives that replication, so samples taken along several playbacks are
    /// independent and reproducible.
    ///
    /// # Errors
    ///
    /// [`SimError`] when the scenario is invalid, or `replication` is at least
    /// [`limits::MAX_REPLICATIONS`].
    ///
    /// # Examples
    ///
    /// ```
    /// use chatcap_sim::{Playback, Study};
    /// let study = Study::from_toml(include_str!("../../../scenarios/afternoon.toml"))?;
    /// let scenario = &study.scenarios[0].1;
    /// let mut first = Playback::replication(scenario, 7, 0)?;
    /// let mut again = Playback::new(scenario, 7)?;
    /// first.advance_to(900.0);
    /// again.advance_to(900.0);
    /// assert_eq!(first.now_s(), again.now_s());
    /// # Ok::<(), chatcap_sim::SimError>(())
    /// ```
    pub fn replication(
        scenario: &'a Scenario,
        seed: u64,
        replication: usize,
    ) -> Result<Playback<'a>, SimError> {
        if replication >= limits::MAX_REPLICATIONS {
            return Err(SimError::Invalid {
                field: "replication".into(),
                problem: format!("must be below {}, got {replication}", limits::MAX_REPLICATIONS),
            });
        }
        let floor = scenario.validate()?;
        let rng = Rng::streams(seed, replication + 1).swap_remove(replication);
        Ok(Playback { engine: Engine::new(scenario, floor, rng) })
    }

    /// Plays every event up to `t_s` simulated seconds from the start; false once the run is
    /// over (past the horizon, nobody left waiting).
    pub fn advance_to(&mut self, t_s: f64) -> bool {
        self.engine.advance_to(t_s)
    }

    /// The floor as the last event left it.
    pub fn floor(&self) -> &chatcap_core::Floor {
        self.engine.floor()
    }

    /// The time of the last event played, in simulated seconds from the start.
    pub fn now_s(&self) -> f64 {
        self.engine.now_s()
    }
}

/// What went wrong setting up a simulation.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SimError {
    /// A field of the scenario is out of range.
    #[error("scenario field {field} {problem}")]
    Invalid {
        /// The field, as a path (`traffic[0].per_hour`).
        field: String,
        /// What is wrong and what is expected.
        problem: String,
    },
    /// The scenario's floor is not a valid floor.
    #[error("scenario floor: {0}")]
    Floor(#[from] SnapshotError),
    /// A scenario file is not a valid study.
    #[error("{}{problem}", at.map_or(String::new(), |(line, column)| format!("line {line}, column {column}: ")))]
    File {
        /// The line and column, from 1, of the problem; `None` when it has no one place, as
        /// when a scenario is invalid as a whole (the problem then names the scenario and field).
        at: Option<(usize, usize)>,
        /// What is wrong.
        problem: String,
    },
    /// The thread pool could not be built.
    #[error("could not start {threads} worker threads: {reason}")]
    Threads {
        /// The threads asked for.
        threads: usize,
        /// Why not.
        reason: String,
    },
}

/// How to run a scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunConfig {
    /// Independent replications (at least 1).
    pub replications: usize,
    /// The seed; the same seed gives the same report.
    pub seed: u64,
    /// Worker threads; `None` for one per core. Results do not depend on it.
    pub threads: Option<usize>,
}

/// Service measures for one skill over a span of time, across replications.
///
/// Visitors count in the interval they arrive in, with their whole outcome: at the horizon
/// arrivals stop and the floor is run out until nobody waits, so a visitor still waiting then is
/// served (or abandons) after it, and its wait counts in full. The ratios are pooled over
/// replications (the sum of the numerators over the sum of the denominators, see
/// [`Estimate::ratio`]); the time averages (`mean_queue`) cover the span up to the horizon.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Metrics {
    /// Visitors who arrived.
    pub offered: Estimate,
    /// Visitors who were served.
    pub answered: Estimate,
    /// Visitors who gave up.
    pub abandoned: Estimate,
    /// Visitors still waiting at the horizon (their outcome comes from the run-out after it).
    pub still_waiting: Estimate,
    /// Visitors never served: still waiting when, after the horizon, nothing was left to serve
    /// them (no agent logged in for their skill, and no patience to run out). Counted as waited
    /// and not answered within the target.
    pub unserved: Estimate,
    /// Answered within the target, over offered. With a target of 0 s: the share answered with
    /// no wait at all.
    pub service_level: Estimate,
    /// Mean wait of the answered, in seconds.
    pub asa_s: Estimate,
    /// Share of offered visitors who waited at all (answered after a wait, abandoned, or
    /// unserved).
    pub p_wait: Estimate,
    /// Share of offered visitors who gave up.
    pub p_abandon: Estimate,
    /// Mean wait of everyone who left the queue (answered or abandoned), in seconds.
    pub mean_wait_all_s: Estimate,
    /// Time-average queue length.
    pub mean_queue: Estimate,
    /// Longest queue seen.
    pub max_queue: Estimate,
}

/// Agent measures over a span of time, across replications.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FloorMetrics {
    /// Share of logged-in agent time spent holding at least one chat.
    pub agent_utilization: Estimate,
    /// Mean chats held by an agent while it holds any.
    pub mean_concurrency: Estimate,
    /// Time-average number of chats in service.
    pub mean_chats_in_service: Estimate,
}

/// One skill's results: the whole run and each interval.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SkillReport {
    /// The skill.
    pub skill: SkillId,
    /// Over the whole run (after the warm-up).
    pub total: Metrics,
    /// Per interval.
    pub intervals: Vec<Metrics>,
    /// How much the queue grew over the second half of the counted span (from the middle of
    /// the span to the horizon), in visitors.
    pub backlog_growth: Estimate,
    /// The skill's arrivals exceed what the floor serves: over the second half of the counted
    /// span the queue grew by more than 5% of the visitors offered in it, beyond its 95%
    /// interval, and by at least 2 visitors.
    pub overloaded: bool,
}

/// The results of a simulation.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Report {
    /// Per skill, in floor order.
    pub skills: Vec<SkillReport>,
    /// The floor over the whole run.
    pub floor: FloorMetrics,
    /// The floor per interval.
    pub floor_intervals: Vec<FloorMetrics>,
    /// Events processed, over all replications.
    pub events: u64,
    /// Replications run.
    pub replications: usize,
    /// Some skill is overloaded ([`SkillReport::overloaded`]).
    pub overloaded: bool,
}

/// Runs a scenario's replications and summarizes them.
///
/// # Errors
///
/// [`SimError`] when the scenario is invalid or the worker threads cannot start.
pub fn simulate(scenario: &Scenario, config: &RunConfig) -> Result<Report, SimError> {
    simulate_observed(scenario, config, &|_| {})
}

/// As [`simulate`], reporting progress for a display: `progress(share)` is called from the
/// worker threads with the share of the whole run (all replications) simulated since the last
/// call, every 65,536 events and as each replication finishes; the shares add up to 1.
///
/// # Errors
///
/// As [`simulate`].
pub fn simulate_observed(
    scenario: &Scenario,
    config: &RunConfig,
    progress: &(dyn Fn(f64) + Sync),
) -> Result<Report, SimError> {
    let floor = scenario.validate()?;
    if config.replications == 0 {
        return Err(SimError::Invalid { field: "replications".into(), problem: "must be at least 1".into() });
    }
    if config.replications > limits::MAX_REPLICATIONS {
        return Err(SimError::Invalid {
            field: "replications".into(),
            problem: format!(
                "{} asked; at most {} in one run (run several seeds and pool them)",
                config.replications,
                limits::MAX_REPLICATIONS
            ),
        });
    }
    let cells =
        config.replications.saturating_mul(scenario.intervals).saturating_mul(floor.skill_count().max(1));
    if cells > limits::MAX_RUN_CELLS {
        return Err(SimError::Invalid {
            field: "replications".into(),
            problem: format!(
                "{} replications of {} intervals and {} skills keep {cells} tallies; at most {} \
                 (fewer replications or intervals per run)",
                config.replications,
                scenario.intervals,
                floor.skill_count(),
                limits::MAX_RUN_CELLS
            ),
        });
    }
    let streams = Rng::streams(config.seed, config.replications);
    // The report names the skills; the floor itself goes to the replications.
    let skill_ids: Vec<SkillId> = floor.skills().map(|s| s.id.clone()).collect();
    let run_on = |r: usize, floor: chatcap_core::Floor| {
        let share = 1.0 / config.replications as f64;
        Engine::new(scenario, floor, streams[r].clone()).run(&|done| progress(done * share))
    };
    let run = |r: usize| run_on(r, floor.clone());
    let tallies: Vec<RunTally> = match config.threads {
        Some(1) => {
            // The last replication on one thread takes the floor itself instead of a copy: on
            // a large floor the copy is a share of the run.
            let last = config.replications - 1;
            let mut tallies: Vec<RunTally> = (0..last).map(run).collect();
            tallies.push(run_on(last, floor));
            tallies
        }
        threads => {
            let mut pool = rayon::ThreadPoolBuilder::new();
            if let Some(t) = threads {
                pool = pool.num_threads(t);
            }
            let pool = pool
                .build()
                .map_err(|e| SimError::Threads { threads: threads.unwrap_or(0), reason: e.to_string() })?;
            // `collect` keeps replication order, so the summary is the same on any thread count.
            pool.install(|| (0..config.replications).into_par_iter().map(run).collect())
        }
    };
    Ok(summarize(scenario, &skill_ids, &tallies))
}

fn summarize(scenario: &Scenario, skill_ids: &[SkillId], runs: &[RunTally]) -> Report {
    let intervals = scenario.intervals;
    let skills: Vec<SkillReport> = skill_ids
        .iter()
        .enumerate()
        .map(|(s, skill)| {
            let total = metrics(runs.iter().map(|r| {
                let mut t = SkillTally::default();
                r.skills[s].iter().for_each(|i| t.add(i));
                let mut f = FloorTally::default();
                r.floor.iter().for_each(|i| f.add(i));
                (t, f.duration)
            }));
            let per = (0..intervals)
                .map(|i| metrics(runs.iter().map(|r| (r.skills[s][i], r.floor[i].duration))))
                .collect();
            let backlog_growth =
                Estimate::of(runs.iter().map(|r| r.backlog[s].queue_end - r.backlog[s].queue_mid));
            let offered_late =
                runs.iter().map(|r| r.backlog[s].offered_late).sum::<f64>() / runs.len() as f64;
            let overloaded =
                backlog_growth.mean - backlog_growth.ci95 > 0.05 * offered_late && backlog_growth.mean >= 2.0;
            SkillReport { skill: skill.clone(), total, intervals: per, backlog_growth, overloaded }
        })
        .collect();
    let floor_total = floor_metrics(runs.iter().map(|r| {
        let mut f = FloorTally::default();
        r.floor.iter().for_each(|i| f.add(i));
        f
    }));
    let floor_intervals = (0..intervals).map(|i| floor_metrics(runs.iter().map(|r| r.floor[i]))).collect();
    Report {
        overloaded: skills.iter().any(|s: &SkillReport| s.overloaded),
        skills,
        floor: floor_total,
        floor_intervals,
        events: runs.iter().map(|r| r.events).sum(),
        replications: runs.len(),
    }
}

fn metrics(runs: impl Iterator<Item = (SkillTally, f64)> + Clone) -> Metrics {
    let of = |f: fn(&SkillTally) -> f64| Estimate::of(runs.clone().map(|(t, _)| f(&t)));
    let ratio = |f: fn(&SkillTally, f64) -> (f64, f64)| Estimate::ratio(runs.clone().map(|(t, d)| f(&t, d)));
    Metrics {
        offered: of(|t| t.offered),
        answered: of(|t| t.answered),
        abandoned: of(|t| t.abandoned),
        still_waiting: of(|t| t.still_waiting),
        unserved: of(|t| t.unserved),
        service_level: ratio(|t, _| (t.within, t.offered)),
        asa_s: ratio(|t, _| (t.wait_sum_answered, t.answered)),
        p_wait: ratio(|t, _| (t.waited, t.offered)),
        p_abandon: ratio(|t, _| (t.abandoned, t.offered)),
        mean_wait_all_s: ratio(|t, _| (t.wait_sum_all, t.answered + t.abandoned)),
        mean_queue: ratio(|t, d| (t.queue_area, d)),
        max_queue: of(|t| t.max_queue),
    }
}

fn floor_metrics(runs: impl Iterator<Item = FloorTally> + Clone) -> FloorMetrics {
    let ratio = |f: fn(&FloorTally) -> (f64, f64)| Estimate::ratio(runs.clone().map(|t| f(&t)));
    FloorMetrics {
        agent_utilization: ratio(|t| (t.busy_area, t.staffed_area)),
        mean_concurrency: ratio(|t| (t.chat_area, t.busy_area)),
        mean_chats_in_service: ratio(|t| (t.chat_area, t.duration)),
    }
}
