//! Intraday staffing plans and shift scheduling for live-chat floors.
//!
//! From a forecast (arrivals, handle time and patience per skill and interval) a plan gives each
//! interval the agents it needs by three methods, and the performance each staffing actually
//! achieves when the whole day is simulated on the core's router:
//!
//! - **PSA** (pointwise stationary approximation): each interval on its own, by the stationary
//!   formula (Erlang C, Erlang A with patience, or the chat model for agents holding several
//!   chats) through the staffing searches of `chatcap-queueing`.
//! - **MOL** (modified offered load, Jennings, Mandelbaum, Massey and Whitt 1996): the formula
//!   fed the load an infinite-server floor would carry, `m'(t) = λ(t) − μ m(t)`, which lags
//!   behind the arrivals ([`modified_offered_load`]).
//! - **ISA** (iterative staffing algorithm, Feldman, Mandelbaum, Massey and Whitt 2008): the
//!   day simulated with ample agents, then again and again, each interval staffed from the
//!   number of chats in the system the last run saw, until no interval moves by more than one agent.
//!
//! [`schedule()`] then chooses how many agents start each shift template to cover a requirement,
//! as an integer program.
//!
//! This crate reads no clock and performs no IO (it runs simulation replications on threads);
//! the command line (`chatcap plan`, `chatcap schedule`) reads the files and prints.
//!
//! # Examples
//!
//! ```
//! use chatcap_plan::{Forecast, Methods, PlanConfig, plan};
//! let forecast = Forecast::parse(
//!     "interval_start,skill,arrivals,aht_s\n09:00,s,60,300\n09:30,s,90,300\n10:00,s,60,300\n",
//! )?;
//! let config = PlanConfig {
//!     methods: Methods { psa: true, mol: true, isa: false },
//!     replications: 4,
//!     ..PlanConfig::new(20.0, 0.8)
//! };
//! let plan = plan(&forecast, &config, &|_| {})?;
//! let peak = &plan.skills[0].intervals[1];
//! assert!(peak.staffing.psa > Some(12)); // 90 chats of 5 minutes in half an hour: 15 erlangs
//! assert!(peak.achieved.psa.is_some());
//! # Ok::<(), chatcap_plan::PlanError>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod day;
mod error;
mod forecast;
mod formulas;
mod mol;
mod requirements;
mod schedule;

pub use chatcap_sim::Estimate;
pub use error::PlanError;
pub use forecast::{Forecast, IntervalForecast, SkillForecast, limits};
pub use formulas::{Goal, Limits};
pub use mol::modified_offered_load;
pub use requirements::{MAX_REQUIREMENT_ROWS, Requirement, Requirements};
pub use schedule::{
    Assignment, BreakWindow, Coverage, EXACT_COLUMNS, MAX_COLUMNS, Schedule, ScheduleObjective,
    ShiftTemplate, Shifts, schedule,
};

use chatcap_sim::RunConfig;
use day::Day;
use formulas::Model;

/// Which methods a plan runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Methods {
    /// The pointwise stationary approximation.
    pub psa: bool,
    /// The modified offered load.
    pub mol: bool,
    /// The iterative staffing algorithm (simulation).
    pub isa: bool,
}

impl Methods {
    /// Every method.
    pub const ALL: Methods = Methods { psa: true, mol: true, isa: true };
}

/// How to plan.
#[derive(Clone, Debug, PartialEq)]
pub struct PlanConfig {
    /// The service-level threshold, in seconds: answered within this.
    pub target_s: f64,
    /// The share to answer within [`PlanConfig::target_s`] (above 0, at most 1).
    pub service_level: f64,
    /// Staff for a delay probability instead: at most this share of arrivals wait at all (the
    /// service level is still measured in simulation).
    pub delay_probability: Option<f64>,
    /// Occupancy and abandonment caps.
    pub limits: Limits,
    /// Chats an agent holds at once (at least 1).
    pub max_chats: u32,
    /// Mean handle time per concurrency level `1..=max_chats`, in seconds: their ratios to the
    /// first scale each interval's handle time (how much slower an agent works each chat as it
    /// holds more).
    pub aht_by_concurrency: Option<Vec<f64>>,
    /// A mean patience for every skill and interval, in seconds, over the forecast's.
    pub patience_s: Option<f64>,
    /// The share of scheduled agents' time lost to breaks, meetings and absence (at least 0,
    /// below 1): scheduled agents are the requirement divided by `1 − shrinkage`.
    pub shrinkage: f64,
    /// The methods to run.
    pub methods: Methods,
    /// Replications of every simulation: ISA's iterations and each staffing's check.
    pub replications: usize,
    /// The seed of every simulation (the same for every method: common random numbers).
    pub seed: u64,
    /// Worker threads; `None` for one per core. Results do not depend on it.
    pub threads: Option<usize>,
    /// ISA's most iterations.
    pub isa_max_iterations: usize,
    /// ISA's samples of the chats in the system per interval and replication.
    pub isa_samples: usize,
    /// Replications of ISA's final simulation (0 for none): once the iterations settle, the
    /// settled staffing is simulated once more, on a stream of its own, and each interval's
    /// staffing is read off that larger sample. Its noise, not the iterations', is then what
    /// moves the staffing at the edge of its target.
    pub isa_final_replications: usize,
    /// Simulate what each method's staffing achieves.
    pub check: bool,
}

impl PlanConfig {
    /// Every method, 100 replications of seed 1, shrinkage 0, one chat per agent, 20 ISA
    /// iterations at most with 20 samples an interval, and a final ISA simulation of 400
    /// replications.
    pub fn new(target_s: f64, service_level: f64) -> PlanConfig {
        PlanConfig {
            target_s,
            service_level,
            delay_probability: None,
            limits: Limits::default(),
            max_chats: 1,
            aht_by_concurrency: None,
            patience_s: None,
            shrinkage: 0.0,
            methods: Methods::ALL,
            replications: 100,
            seed: 1,
            threads: None,
            isa_max_iterations: 20,
            isa_samples: 20,
            isa_final_replications: 400,
            check: true,
        }
    }

    /// What each interval's staffing must achieve.
    pub fn goal(&self) -> Goal {
        match self.delay_probability {
            Some(alpha) => Goal::DelayProbability { alpha },
            None => Goal::ServiceLevel { level: self.service_level, within_s: self.target_s },
        }
    }
}

/// A value per method, `None` for a method not run.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize)]
pub struct PerMethod<T> {
    /// PSA's.
    pub psa: Option<T>,
    /// MOL's.
    pub mol: Option<T>,
    /// ISA's.
    pub isa: Option<T>,
}

impl<T> PerMethod<T> {
    /// The values with their method's name, in the order psa, mol, isa.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &T)> {
        [("psa", &self.psa), ("mol", &self.mol), ("isa", &self.isa)]
            .into_iter()
            .filter_map(|(n, v)| Some((n, v.as_ref()?)))
    }

    /// Each method's value through `f`, `None` where the method did not run.
    pub fn map<U>(&self, f: impl Fn(&T) -> U) -> PerMethod<U> {
        PerMethod {
            psa: self.psa.as_ref().map(&f),
            mol: self.mol.as_ref().map(&f),
            isa: self.isa.as_ref().map(&f),
        }
    }
}

/// What a staffing achieves in one interval, in simulation of the whole day: each a mean over
/// replications with its 95% interval. Visitors count in the interval they arrive in.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Achieved {
    /// The share of arrivals who waited at all.
    pub p_wait: Estimate,
    /// The share answered within the target.
    pub service_level: Estimate,
    /// The share who abandoned.
    pub p_abandon: Estimate,
    /// Mean wait of the answered, in seconds.
    pub asa_s: Estimate,
    /// Chats in service over the chat slots of the agents staffed (undefined with none).
    pub occupancy: Estimate,
}

/// One interval of one skill's plan.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct IntervalPlan {
    /// The interval's start, as the forecast writes it.
    pub start: String,
    /// Arrivals forecast.
    pub arrivals: f64,
    /// The modified offered load, in erlangs (chats in service with ample agents).
    pub offered_load: f64,
    /// Agents needed on the floor, per method.
    pub staffing: PerMethod<u32>,
    /// Agents to schedule, per method: the staffing over one minus the shrinkage (fractional).
    pub scheduled: PerMethod<f64>,
    /// What the staffing achieves, per method (when checked).
    pub achieved: PerMethod<Achieved>,
}

/// How ISA ended for one skill.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct IsaRun {
    /// Simulations of the day run.
    pub iterations: usize,
    /// The last iteration moved no interval's staffing by more than one agent; the staffing is
    /// the one it gave.
    pub converged: bool,
    /// Not converged: the staffing came back to an earlier state, this many iterations before;
    /// each interval then keeps the most agents of the states in the cycle.
    pub cycle: Option<usize>,
    /// Replications of the final simulation of the settled staffing that set the staffing
    /// reported (see [`PlanConfig::isa_final_replications`]); `None` when there was none.
    pub final_replications: Option<usize>,
}

/// One skill's plan.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct SkillPlan {
    /// The skill.
    pub skill: String,
    /// Per interval, in the forecast's order.
    pub intervals: Vec<IntervalPlan>,
    /// How ISA ended, if it ran.
    pub isa: Option<IsaRun>,
}

/// A plan: each skill's staffing by each method, and what it achieves.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Plan {
    /// The interval length, in seconds.
    pub interval_s: u32,
    /// Per skill, in the forecast's order.
    pub skills: Vec<SkillPlan>,
    /// How the numbers were reached, for the reader.
    pub method_notes: Vec<String>,
}

impl Plan {
    /// The requirement to schedule: each interval's scheduled agents by the best method run
    /// (ISA, else MOL, else PSA), summed over skills when `by_skill` is false.
    pub fn requirements(&self, by_skill: bool) -> Requirements {
        let mut rows: Vec<Requirement> = Vec::new();
        for s in &self.skills {
            for (i, iv) in s.intervals.iter().enumerate() {
                let v = iv.scheduled.isa.or(iv.scheduled.mol).or(iv.scheduled.psa).unwrap_or(0.0);
                if by_skill {
                    rows.push(Requirement {
                        day: 0,
                        interval: i,
                        start: iv.start.clone(),
                        skill: Some(s.skill.clone()),
                        required: v,
                    });
                } else if let Some(r) = rows.get_mut(i) {
                    r.required += v;
                } else {
                    rows.push(Requirement {
                        day: 0,
                        interval: i,
                        start: iv.start.clone(),
                        skill: None,
                        required: v,
                    });
                }
            }
        }
        Requirements::from_rows(self.interval_s, rows)
    }
}

/// Plans a forecast: each skill's staffing per interval by each method of `config`, and (if
/// [`PlanConfig::check`]) what it achieves in simulation. `progress(share)` is called with the
/// share of the work done since the last call (ISA's iterations count as its most; the shares
/// add up to 1).
///
/// # Errors
///
/// [`PlanError::Setting`] for a setting out of range; [`PlanError::Staffing`] when a formula
/// finds no staffing for an interval; [`PlanError::Simulation`] when the simulator rejects a
/// day (too many arrivals, for one).
pub fn plan(
    forecast: &Forecast,
    config: &PlanConfig,
    progress: &(dyn Fn(f64) + Sync),
) -> Result<Plan, PlanError> {
    let goal = config.goal();
    formulas::check(goal, config.limits)?;
    let setting = |setting, problem: String| Err(PlanError::Setting { setting, problem });
    if !(0.0..1.0).contains(&config.shrinkage) {
        return setting("--shrinkage", format!("must be at least 0 and below 1, got {}", config.shrinkage));
    }
    if !(1..=100).contains(&config.max_chats) {
        return setting("--max-chats", format!("must be from 1 to 100, got {}", config.max_chats));
    }
    if let Some(p) = config.patience_s
        && !(p.is_finite() && p > 0.0 && p <= limits::MAX_SECONDS)
    {
        return setting("--patience-s", format!("must be above 0 and at most 86400 seconds, got {p}"));
    }
    let simulating = config.check || config.methods.isa;
    if simulating && !(1..=chatcap_sim::limits::MAX_REPLICATIONS).contains(&config.replications) {
        return setting("--replications", format!("must be from 1 to 100000, got {}", config.replications));
    }
    if config.methods.isa && (config.isa_max_iterations == 0 || !(1..=1000).contains(&config.isa_samples)) {
        return setting("isa", "needs at least one iteration and 1 to 1000 samples an interval".into());
    }
    if config.methods.isa && config.isa_final_replications > chatcap_sim::limits::MAX_REPLICATIONS {
        return setting(
            "isa",
            format!(
                "a final simulation of at most 100000 replications, got {}",
                config.isa_final_replications
            ),
        );
    }
    if !(config.methods.psa || config.methods.mol || config.methods.isa) {
        return setting("--method", "names no method".into());
    }
    let slowdown = match &config.aht_by_concurrency {
        Some(levels) => {
            if levels.is_empty() || !levels.iter().all(|x| x.is_finite() && *x > 0.0) {
                return setting(
                    "--aht-by-concurrency",
                    "must hold one positive number of seconds per level".into(),
                );
            }
            if config.max_chats > 1 && levels.len() != config.max_chats as usize {
                return setting(
                    "--aht-by-concurrency",
                    format!(
                        "gives {} levels; expected {}, one per chat up to --max-chats",
                        levels.len(),
                        config.max_chats
                    ),
                );
            }
            Some(levels.iter().map(|x| x / levels[0]).collect::<Vec<f64>>())
        }
        None => None,
    };
    let max_chats = slowdown.as_ref().map_or(config.max_chats, |s| s.len() as u32);
    let pool = {
        let mut b = rayon::ThreadPoolBuilder::new();
        if let Some(t) = config.threads {
            b = b.num_threads(t);
        }
        b.build().map_err(|e| PlanError::Simulation {
            skill: String::new(),
            source: chatcap_sim::SimError::Threads {
                threads: config.threads.unwrap_or(0),
                reason: e.to_string(),
            },
        })?
    };
    let run = RunConfig { replications: config.replications, seed: config.seed, threads: config.threads };
    let interval_s = f64::from(forecast.interval_s());
    let methods_run =
        [config.methods.psa, config.methods.mol, config.methods.isa].iter().filter(|m| **m).count();
    let units_per_skill = (if config.methods.isa { config.isa_max_iterations + 1 } else { 0 })
        + if config.check { methods_run } else { 0 };
    let unit = 1.0 / (forecast.skills().len() * units_per_skill.max(1)) as f64;
    let mut skills = Vec::with_capacity(forecast.skills().len());
    let mut any_patience = false;
    for sf in forecast.skills() {
        let patience = |i: usize| config.patience_s.or(sf.intervals[i].patience_s);
        let has_patience = patience(0).is_some();
        any_patience |= has_patience;
        let model = match &slowdown {
            Some(s) => Model::Chat { slowdown: s.clone() },
            None if max_chats > 1 => Model::Chat { slowdown: vec![1.0; max_chats as usize] },
            None if has_patience => Model::ErlangA,
            None => Model::ErlangC,
        };
        let d = sf.intervals.len();
        let rates: Vec<f64> = sf.intervals.iter().map(|x| x.arrivals / interval_s).collect();
        let ahts: Vec<f64> = sf.intervals.iter().map(|x| x.aht_s).collect();
        let mol_load = modified_offered_load(&rates, &ahts, interval_s);
        let staff = |i: usize, rate: f64| {
            formulas::required(&model, rate, ahts[i], patience(i), goal, config.limits).map_err(|source| {
                PlanError::Staffing {
                    skill: sf.skill.clone(),
                    interval: forecast.starts()[i].clone(),
                    source,
                }
            })
        };
        let psa: Option<Vec<u32>> = if config.methods.psa {
            Some((0..d).map(|i| staff(i, rates[i])).collect::<Result<_, _>>()?)
        } else {
            None
        };
        let mol: Option<Vec<u32>> = if config.methods.mol {
            Some(
                (0..d)
                    .map(|i| {
                        if rates[i] <= 0.0 && mol_load[i] < 1e-9 {
                            Ok(0)
                        } else {
                            staff(i, mol_load[i] / ahts[i])
                        }
                    })
                    .collect::<Result<_, _>>()?,
            )
        } else {
            None
        };
        let total_arrivals: f64 = sf.intervals.iter().map(|x| x.arrivals).sum();
        let weighted = |f: &dyn Fn(usize) -> f64| {
            if total_arrivals > 0.0 {
                (0..d).map(|i| sf.intervals[i].arrivals * f(i)).sum::<f64>() / total_arrivals
            } else {
                (0..d).map(f).sum::<f64>() / d as f64
            }
        };
        let aht_mean = weighted(&|i| ahts[i]);
        let patience_mean = has_patience.then(|| weighted(&|i| patience(i).unwrap_or(0.0)));
        let horizon = aht_mean.max(patience_mean.unwrap_or(0.0)) * 5.0;
        let day = Day {
            skill: sf.skill.clone(),
            interval_s,
            per_hour: rates.iter().map(|r| r * 3600.0).collect(),
            wrap: ((horizon / interval_s).ceil() as usize).clamp(1, d),
            aht_s: aht_mean,
            aht_factor: (0..d).map(|i| ahts[i] / aht_mean).collect(),
            patience_factor: match patience_mean {
                Some(mean) if mean > 0.0 => (0..d).map(|i| patience(i).unwrap_or(mean) / mean).collect(),
                _ => Vec::new(),
            },
            slowdown: slowdown.clone(),
            max_chats,
            patience_s: patience_mean,
            target_s: config.target_s,
        };
        let (isa, isa_run) = if config.methods.isa {
            let (s, r) =
                isa(&day, &rates, &ahts, &patience, &mol_load, config, goal, &pool, &|| progress(unit))?;
            (Some(s), Some(r))
        } else {
            (None, None)
        };
        let check = |staffing: &Option<Vec<u32>>| -> Result<Option<Vec<Achieved>>, PlanError> {
            match staffing {
                Some(s) if config.check => {
                    let a = day.achieved(s, &run)?;
                    progress(unit);
                    Ok(Some(a))
                }
                _ => Ok(None),
            }
        };
        let achieved = PerMethod { psa: check(&psa)?, mol: check(&mol)?, isa: check(&isa)? };
        let day_staffing = PerMethod { psa, mol, isa };
        let scale = 1.0 / (1.0 - config.shrinkage);
        let intervals = (0..d)
            .map(|i| {
                let staffing = day_staffing.map(|v| v[i]);
                IntervalPlan {
                    start: forecast.starts()[i].clone(),
                    arrivals: sf.intervals[i].arrivals,
                    offered_load: mol_load[i],
                    scheduled: staffing.map(|&n| f64::from(n) * scale),
                    staffing,
                    achieved: achieved.map(|a| a[i]),
                }
            })
            .collect();
        skills.push(SkillPlan { skill: sf.skill.clone(), intervals, isa: isa_run });
    }
    let method_notes = notes(config, goal, max_chats, slowdown.is_some(), any_patience, &skills);
    Ok(Plan { interval_s: forecast.interval_s(), skills, method_notes })
}

/// Mixed into the seed of ISA's final simulation, so that its stream is not the iterations'.
const FINAL_STREAM: u64 = 0x5eed_f1a1_0000_0001;

#[allow(clippy::too_many_arguments)]
fn isa(
    day: &Day,
    rates: &[f64],
    ahts: &[f64],
    patience: &dyn Fn(usize) -> Option<f64>,
    mol_load: &[f64],
    config: &PlanConfig,
    goal: Goal,
    pool: &rayon::ThreadPool,
    tick: &dyn Fn(),
) -> Result<(Vec<u32>, IsaRun), PlanError> {
    let d = day.len();
    let m = u64::from(day.max_chats);
    // Ample agents: the most chats an infinite-server floor holds, with a wide margin (its count
    // is close to Poisson with the modified offered load as mean).
    let peak = mol_load.iter().copied().fold(0.0, f64::max);
    let ample = ((peak + 6.0 * peak.sqrt() + 10.0) / m as f64).ceil().min(1e6) as u32;
    let mut staffing = vec![ample; d];
    let mut iterations = 0;
    let mut converged = false;
    let mut cycle = None;
    let mut history: Vec<Vec<u32>> = Vec::new();
    // The handle time of a chat while its agent holds all `m`: the rate at which a full floor
    // frees slots, which is what a visitor who finds every slot taken waits on.
    let top = day.slowdown.as_ref().and_then(|s| s.last().copied()).unwrap_or(1.0);
    // The fewest agents meeting the goal, per interval, from what a simulation saw.
    let staff_from = |seen: &day::InSystem| -> Vec<u32> {
        (0..d)
            .map(|i| {
                if rates[i] <= 0.0 {
                    return 0;
                }
                let mut n = match goal {
                    // The fewest agents n whose n·m slots the chats in the system reach at
                    // most alpha of the time.
                    Goal::DelayProbability { alpha } => seen.fewest(i, m, alpha),
                    // From the fewest whose slots the chats reach at most 1 − level of the time
                    // (every visitor answered at once otherwise), down while one agent fewer
                    // still answers `level` within the target, the wait of each visitor who
                    // finds the slots full read off the chats ahead of it.
                    Goal::ServiceLevel { level, within_s } => {
                        let theta = patience(i).map_or(0.0, |p| 1.0 / p);
                        let release = |n: u64| (n * m) as f64 / (ahts[i] * top);
                        let mut n = seen.fewest(i, m, 1.0 - level);
                        while n > 0
                            && seen.answered_within(i, (n - 1) * m, release(n - 1), theta, within_s) >= level
                        {
                            n -= 1;
                        }
                        n
                    }
                };
                // Under an abandonment cap, also the fewest whose slots leave few enough
                // waiting: visitors abandon at the patience rate times the mean queue,
                // read off the same samples as the chats beyond the slots.
                if let (Some(cap), Some(p)) = (config.limits.max_abandon, patience(i)) {
                    while seen.mean_beyond(i, n * m) / p > cap * rates[i] {
                        n += 1;
                    }
                }
                let occupancy = config
                    .limits
                    .max_occupancy
                    .map_or(0, |cap| (seen.mean_in_service(i) / (m as f64 * cap)).ceil() as u64);
                u32::try_from(n.max(occupancy)).unwrap_or(u32::MAX)
            })
            .collect()
    };
    while iterations < config.isa_max_iterations {
        iterations += 1;
        let seen = day.in_system(&staffing, config.replications, config.seed, config.isa_samples, pool)?;
        tick();
        let next = staff_from(&seen);
        // A service level is read off the queue the last staffing had, which a staffing too
        // low makes long and one too high makes short: the undamped step overshoots both ways
        // (32 agents, then 42, then 32 on a stationary 30 erlangs). Half a step settles.
        let next: Vec<u32> = match goal {
            Goal::DelayProbability { .. } => next,
            Goal::ServiceLevel { .. } => next
                .iter()
                .zip(&staffing)
                .map(|(&a, &b)| ((u64::from(a) + u64::from(b)).div_ceil(2)) as u32)
                .collect(),
        };
        // Converged when no interval moved by more than one agent (the stopping rule of
        // Feldman, Mandelbaum, Massey and Whitt): sampling noise alone moves a staffing at the
        // edge of its target by one agent from one simulation to the next.
        if next.iter().zip(&staffing).all(|(a, b)| a.abs_diff(*b) <= 1) {
            converged = true;
            staffing = next;
            break;
        }
        // Sampling noise can leave the staffing cycling between a few states: stop at the first
        // repeat and keep, per interval, the most agents any state of the cycle gives.
        if let Some(k) = history.iter().position(|h| *h == next) {
            let mut most = next;
            for h in &history[k..] {
                for (m, x) in most.iter_mut().zip(h) {
                    *m = (*m).max(*x);
                }
            }
            cycle = Some(history.len() - k);
            staffing = most;
            break;
        }
        history.push(std::mem::replace(&mut staffing, next));
    }
    for _ in iterations..config.isa_max_iterations {
        tick();
    }
    // The iterations' simulations are small, so the staffing they settle on is as noisy as
    // their samples: one agent at the edge of its target moves the delay probability by a few
    // hundredths. A final simulation of the settled staffing, with more replications and a
    // stream of its own, sets the staffing from samples that noise moves less.
    let mut final_replications = None;
    if config.isa_final_replications > 0 {
        let seen = day.in_system(
            &staffing,
            config.isa_final_replications,
            config.seed ^ FINAL_STREAM,
            config.isa_samples,
            pool,
        )?;
        staffing = staff_from(&seen);
        final_replications = Some(config.isa_final_replications);
    }
    tick();
    Ok((staffing, IsaRun { iterations, converged, cycle, final_replications }))
}

fn notes(
    config: &PlanConfig,
    goal: Goal,
    max_chats: u32,
    slowdown: bool,
    patience: bool,
    skills: &[SkillPlan],
) -> Vec<String> {
    let mut n = vec![
        "Skills are planned independently: every agent is dedicated to one skill, and no chat \
         overflows to another skill's agents."
            .to_owned(),
    ];
    let model = if max_chats > 1 {
        format!(
            "the chat model (agents hold up to {max_chats} chats{})",
            if slowdown { ", slower per chat as they hold more" } else { "" }
        )
    } else if patience {
        "Erlang A (visitors abandon after an exponential patience) where a skill has a patience, \
         Erlang C where it has none"
            .to_owned()
    } else {
        "Erlang C (patient visitors)".to_owned()
    };
    n.push(match goal {
        Goal::DelayProbability { alpha } => {
            format!("Target: at most {alpha} of arrivals wait (delay probability).")
        }
        Goal::ServiceLevel { level, within_s } => {
            format!("Target: {level} of arrivals answered within {within_s} s.")
        }
    });
    if config.methods.psa {
        n.push(format!("psa: each interval's arrivals and handle time on their own, through {model}."));
    }
    if config.methods.mol {
        n.push(format!(
            "mol: the modified offered load m'(t) = λ(t) − μ m(t), solved exactly over each interval and \
             averaged over it, the day taken as periodic (m starts where it ends), fed to {model}."
        ));
    }
    if config.methods.isa {
        let iters: Vec<String> = skills
            .iter()
            .filter_map(|s| {
                let r = s.isa?;
                Some(format!(
                    "{} {} iteration{}{}",
                    s.skill,
                    r.iterations,
                    if r.iterations == 1 { "" } else { "s" },
                    match (r.converged, r.cycle) {
                        (true, _) => String::new(),
                        (false, Some(c)) =>
                            format!(", stopped in a cycle of {c} (the most agents of it kept)"),
                        (false, None) => ", not converged".into(),
                    }
                ))
            })
            .collect();
        let final_note = if config.isa_final_replications > 0 {
            format!(
                "; the staffing reported is read off a final simulation of the settled staffing, {} \
                 replications on a stream of their own",
                config.isa_final_replications
            )
        } else {
            String::new()
        };
        n.push(match goal {
            Goal::DelayProbability { .. } => format!(
                "isa: the day simulated from ample agents, {} replications an iteration, {} samples of the \
                 chats in the system per interval; each interval then staffed with the fewest agents \
                 whose chat slots the chats in the system reach at most the delay probability of the \
                 time, until no interval's staffing moves by more than one agent ({}){}.",
                config.replications,
                config.isa_samples,
                iters.join("; "),
                final_note
            ),
            Goal::ServiceLevel { .. } => format!(
                "isa: the day simulated from ample agents, {} replications an iteration, {} samples of the \
                 chats in the system per interval; each interval then staffed with the fewest agents \
                 whose slots answer the service level within the target, a visitor who finds them all \
                 taken waiting behind the queue it sees while slots free at the full floor's rate and \
                 those ahead give up at the patience rate, moving half way each time, until no \
                 interval's staffing moves by more than one agent ({}){}.",
                config.replications,
                config.isa_samples,
                iters.join("; "),
                final_note
            ),
        });
    }
    if config.check {
        n.push(format!(
            "achieved: each staffing simulated over the whole day on the core's router ({} replications, \
             seed {}, the same for every method), agents logged in and out at interval boundaries, \
             visitors counted in the interval they arrive in; values are means with 95% intervals. \
             Chats take the handle time of the interval they start in and visitors the patience of \
             the interval they arrive in; the day warms up on its own last intervals.",
            config.replications, config.seed
        ));
    }
    if config.limits.max_abandon.is_some() {
        n.push(
            "max-abandon: applied to psa and mol through the model's abandonment; isa with a delay \
             probability staffs for it from the simulated queue (the patience rate times the mean \
             chats beyond the slots, over the arrivals), with a service-level goal through the model."
                .into(),
        );
    }
    if config.shrinkage > 0.0 {
        n.push(format!("scheduled: staffing over 1 − {} shrinkage, kept fractional.", config.shrinkage));
    }
    n
}
