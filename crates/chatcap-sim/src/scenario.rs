//! What to simulate: a floor, its traffic and its rules, as plain data.

use chatcap_core::{AgentId, AgentState, Floor, Relaxation, RouteBy, SkillId, Snapshot, Weight};

use crate::SimError;

/// How long a chat lasts, at concurrency level one.
#[derive(Clone, Debug, PartialEq)]
pub enum HandleTime {
    /// Exponential with this mean, in seconds.
    Exponential {
        /// Mean in seconds.
        mean_s: f64,
    },
    /// Lognormal with this mean and standard deviation, in seconds.
    LogNormal {
        /// Mean in seconds.
        mean_s: f64,
        /// Standard deviation in seconds.
        sd_s: f64,
    },
    /// Drawn uniformly from observed handle times, in seconds.
    Empirical {
        /// The observations.
        samples_s: Vec<f64>,
    },
}

impl HandleTime {
    /// The distribution's mean in seconds.
    pub fn mean_s(&self) -> f64 {
        match self {
            HandleTime::Exponential { mean_s } | HandleTime::LogNormal { mean_s, .. } => *mean_s,
            HandleTime::Empirical { samples_s } => {
                samples_s.iter().sum::<f64>() / samples_s.len().max(1) as f64
            }
        }
    }
}

/// How long a visitor waits before giving up.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Patience {
    /// Visitors never abandon.
    Unlimited,
    /// Exponential with this mean, in seconds.
    Exponential {
        /// Mean in seconds.
        mean_s: f64,
    },
}

/// Poisson arrivals for one skill, with a rate per interval.
#[derive(Clone, Debug, PartialEq)]
pub struct Arrivals {
    /// The skill visitors ask for.
    pub skill: SkillId,
    /// Visitors per hour in each interval; the last rate holds for intervals past the list.
    pub per_hour: Vec<f64>,
}

/// An agent's state changes at a given time: shift start (`Online`), break (`Away`), shift end
/// (`Offline`).
#[derive(Clone, Debug, PartialEq)]
pub struct StateChange {
    /// The agent.
    pub agent: AgentId,
    /// Seconds from the start of the run.
    pub at_s: f64,
    /// The new chat state.
    pub state: AgentState,
}

/// A what-if scenario: the floor at the start, the traffic, and the rules.
///
/// # Examples
///
/// See [`crate::simulate`].
#[derive(Clone, Debug)]
pub struct Scenario {
    /// The floor at time zero: agents, skills and visitors already waiting.
    pub floor: Snapshot,
    /// Arrivals per skill.
    pub traffic: Vec<Arrivals>,
    /// The length of a reporting interval, in seconds.
    pub interval_s: f64,
    /// How many intervals the run lasts.
    pub intervals: usize,
    /// Arrivals in the first `warmup_s` seconds load the floor but are not counted.
    pub warmup_s: f64,
    /// Handle time at concurrency level one.
    pub handle: HandleTime,
    /// Mean handle time per concurrency level `1..=m`, in seconds: while an agent holds `k`
    /// chats, each ends at rate `1 / aht[k - 1]` (exponential handle times), or is drawn with
    /// mean `aht[k - 1]` at its start (other distributions). Levels past the list use the last.
    pub aht_by_concurrency: Option<Vec<f64>>,
    /// Visitor patience.
    pub patience: Patience,
    /// Handle times and patience that change over the day, as factors per interval.
    pub by_interval: IntervalFactors,
    /// How the router picks agents.
    pub route_by: RouteBy,
    /// Skill relaxations.
    pub relaxations: Vec<Relaxation>,
    /// Scheduled state changes.
    pub schedule: Vec<StateChange>,
    /// The service-level threshold: answered within this many seconds.
    pub target_s: f64,
}

/// Per interval, factors on the means of the handle time and the patience, for a day whose
/// chats grow longer or visitors less patient at some hours (a forecast's `aht_s` per interval).
/// Intervals past a list use its last factor; an empty list is 1 throughout.
///
/// A chat's handle time is drawn from the means (the base one and each level's of
/// [`Scenario::aht_by_concurrency`]) times the factor of the interval it is drawn in: at its
/// start, and again whenever its agent's concurrency changes, for exponential handle times per
/// level. A visitor's patience is drawn with the factor of the interval it arrives in.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct IntervalFactors {
    /// Factors on the handle-time means, per interval.
    pub aht: Vec<f64>,
    /// Factors on the patience mean, per interval.
    pub patience: Vec<f64>,
}

impl IntervalFactors {
    /// Each factor lies in this range.
    pub const RANGE: std::ops::RangeInclusive<f64> = 1e-3..=1e3;

    /// The factor of `list` in interval `i`.
    #[inline]
    pub(crate) fn at(list: &[f64], i: usize) -> f64 {
        match list.len() {
            0 => 1.0,
            n => list[i.min(n - 1)],
        }
    }
}

/// The limits every scenario and run is held to, checked before anything large is allocated,
/// so that no input makes a run abort, exhaust memory or go on for hours unannounced.
pub mod limits {
    /// Agents on a simulated floor.
    pub const MAX_AGENTS: usize = 1_000_000;
    /// Intervals times skills: the tallies one replication keeps.
    pub const MAX_CELLS: usize = 1_000_000;
    /// Replications times intervals times skills: the tallies a run keeps until it summarizes.
    pub const MAX_RUN_CELLS: usize = 5_000_000;
    /// Replications in one run.
    pub const MAX_REPLICATIONS: usize = 100_000;
    /// The run's length: a year, in seconds.
    pub const MAX_HORIZON_S: f64 = 366.0 * 86_400.0;
    /// Expected arrivals in one replication (each is two or three events: at ten million
    /// events a second, about half a minute).
    pub const MAX_ARRIVALS: f64 = 1e8;
}

impl Scenario {
    /// The expected number of arrivals in one replication: each stream's rate per interval
    /// (the last one holding for the intervals after it) times the interval's length.
    pub fn expected_arrivals(&self) -> f64 {
        let hours = self.interval_s / 3600.0;
        self.traffic
            .iter()
            .map(|t| {
                let given = t.per_hour.len().min(self.intervals);
                let listed: f64 = t.per_hour[..given].iter().sum();
                let rest = (self.intervals - given) as f64 * t.per_hour.last().copied().unwrap_or(0.0);
                (listed + rest) * hours
            })
            .sum()
    }

    /// The run's length in seconds.
    pub fn horizon_s(&self) -> f64 {
        self.interval_s * self.intervals as f64
    }

    /// Checks the scenario and builds its starting floor.
    ///
    /// # Errors
    ///
    /// [`SimError::Invalid`] naming the field: a non-positive or non-finite time, a negative
    /// rate, an empty empirical distribution, a skill or agent unknown to the floor (in traffic,
    /// relaxations or the schedule), an agent holding weighted chats; or the
    /// floor's own [`SnapshotError`](chatcap_core::SnapshotError).
    pub fn validate(&self) -> Result<Floor, SimError> {
        let bad =
            |field: &str, what: String| Err(SimError::Invalid { field: field.to_owned(), problem: what });
        let positive = |x: f64| x.is_finite() && x > 0.0;
        if !positive(self.interval_s) {
            return bad(
                "interval_s",
                format!("must be a positive number of seconds, got {}", self.interval_s),
            );
        }
        if self.intervals == 0 {
            return bad("intervals", "must be at least 1".into());
        }
        let skills = self.floor.skills.len().max(1);
        if self.intervals.saturating_mul(skills) > limits::MAX_CELLS {
            return bad(
                "intervals",
                format!(
                    "{} intervals of {skills} skills make {} tallies; at most {} per run \
                     (use longer intervals, or split the run)",
                    self.intervals,
                    self.intervals.saturating_mul(skills),
                    limits::MAX_CELLS
                ),
            );
        }
        if self.horizon_s() > limits::MAX_HORIZON_S {
            return bad(
                "intervals",
                format!(
                    "the run lasts {:.0} days; at most {:.0} days (split it into shorter runs)",
                    self.horizon_s() / 86_400.0,
                    limits::MAX_HORIZON_S / 86_400.0
                ),
            );
        }
        if self.floor.agents.len() > limits::MAX_AGENTS {
            return bad(
                "floor.agents",
                format!("{} agents; at most {} in a simulation", self.floor.agents.len(), limits::MAX_AGENTS),
            );
        }
        if !(self.warmup_s.is_finite() && self.warmup_s >= 0.0 && self.warmup_s < self.horizon_s()) {
            return bad(
                "warmup_s",
                format!("must be at least 0 and shorter than the run, got {}", self.warmup_s),
            );
        }
        if !(self.target_s.is_finite() && self.target_s >= 0.0) {
            return bad(
                "target_s",
                format!("must be a number of seconds of at least 0, got {}", self.target_s),
            );
        }
        match &self.handle {
            HandleTime::Exponential { mean_s } if !positive(*mean_s) => {
                return bad("handle.mean_s", format!("must be positive, got {mean_s}"));
            }
            HandleTime::LogNormal { mean_s, sd_s } if !positive(*mean_s) || !positive(*sd_s) => {
                return bad("handle", format!("mean and sd must be positive, got {mean_s} and {sd_s}"));
            }
            HandleTime::Empirical { samples_s }
                if samples_s.is_empty() || !samples_s.iter().all(|&x| positive(x)) =>
            {
                return bad("handle.samples_s", "must hold at least one positive number of seconds".into());
            }
            _ => {}
        }
        if let Some(levels) = &self.aht_by_concurrency
            && (levels.is_empty() || !levels.iter().all(|&x| positive(x)))
        {
            return bad("aht_by_concurrency", "must hold one positive number of seconds per level".into());
        }
        if let Patience::Exponential { mean_s } = self.patience
            && !positive(mean_s)
        {
            return bad("patience.mean_s", format!("must be positive, got {mean_s}"));
        }
        for (field, list) in
            [("by_interval.aht", &self.by_interval.aht), ("by_interval.patience", &self.by_interval.patience)]
        {
            if list.len() > limits::MAX_CELLS {
                return bad(field, format!("{} factors; at most {}", list.len(), limits::MAX_CELLS));
            }
            if let Some((i, x)) = list.iter().enumerate().find(|(_, x)| !IntervalFactors::RANGE.contains(*x))
            {
                return bad(
                    &format!("{field}[{i}]"),
                    format!("must be a factor from 0.001 to 1000, got {x}"),
                );
            }
        }
        let floor = Floor::new(self.floor.clone())?;
        for (i, t) in self.traffic.iter().enumerate() {
            if floor.skill_index(t.skill.as_str()).is_none() {
                return bad(&format!("traffic[{i}].skill"), format!("skill {} is not on the floor", t.skill));
            }
            if t.per_hour.is_empty() || !t.per_hour.iter().all(|&r| r.is_finite() && r >= 0.0) {
                return bad(
                    &format!("traffic[{i}].per_hour"),
                    "must hold one rate of at least 0 per interval".into(),
                );
            }
        }
        let arrivals = self.expected_arrivals();
        if arrivals > limits::MAX_ARRIVALS {
            return bad(
                "traffic",
                format!(
                    "{} arrivals expected in one replication; at most {:.0e} (about half a minute \
                     of simulation; split the run or lower the rates)",
                    if arrivals.is_finite() {
                        format!("about {arrivals:.3e}")
                    } else {
                        "unboundedly many".into()
                    },
                    limits::MAX_ARRIVALS
                ),
            );
        }
        for (i, r) in self.relaxations.iter().enumerate() {
            for skill in std::iter::once(&r.skill).chain(&r.fallbacks) {
                if floor.skill_index(skill.as_str()).is_none() {
                    return bad(&format!("relaxations[{i}]"), format!("skill {skill} is not on the floor"));
                }
            }
        }
        for a in floor.agents() {
            // The simulator starts and ends plain chats; a weighted load could not be ended.
            if a.load().is_some_and(|w| w.as_thousandths() != u64::from(a.active_chats()) * Weight::SCALE) {
                return bad(
                    "floor.agents",
                    format!("agent {} holds weighted chats; the simulator handles plain chats only", a.id()),
                );
            }
        }
        for (i, c) in self.schedule.iter().enumerate() {
            if floor.agent(&c.agent).is_none() {
                return bad(
                    &format!("schedule[{i}].agent"),
                    format!("agent {} is not on the floor", c.agent),
                );
            }
            if !(c.at_s.is_finite() && c.at_s >= 0.0) {
                return bad(&format!("schedule[{i}].at_s"), format!("must be at least 0, got {}", c.at_s));
            }
        }
        Ok(floor)
    }
}
