//! Arguments as the shells name them, and the checks every shell applies to them.

use std::time::Duration;

use crate::AnswerError;

/// How a shell spells its arguments in messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Naming {
    /// Command-line flags: `--arrivals-per-hour`, `--agent-count`.
    Flags,
    /// Python keyword arguments: `arrivals_per_hour`, `agents`.
    Keywords,
}

/// An argument of an answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Param {
    /// Arrivals per hour.
    ArrivalsPerHour,
    /// Mean handle time in seconds.
    AhtS,
    /// A head count of agents.
    Agents,
    /// The service-level target time in seconds.
    TargetS,
    /// Mean patience in seconds.
    PatienceS,
    /// The share to answer within the target time.
    ServiceLevel,
    /// The highest acceptable occupancy.
    MaxOccupancy,
    /// Chats an agent may hold at once.
    MaxChats,
    /// Handle times per concurrency level.
    AhtByConcurrency,
    /// A transfer's ranking.
    Strategy,
    /// What a transferred chat weighs.
    Weight,
    /// How many transfer candidates to list.
    Limit,
    /// The skill a chat is transferred to.
    ToSkill,
    /// An agent's login or id.
    Agent,
    /// A skill id.
    Skill,
    /// A wait budget in whole seconds.
    MaxWaitS,
}

impl Naming {
    /// How this shell spells `param`.
    pub const fn name(self, param: Param) -> &'static str {
        match self {
            Naming::Flags => match param {
                Param::ArrivalsPerHour => "--arrivals-per-hour",
                Param::AhtS => "--aht-s",
                Param::Agents => "--agent-count",
                Param::TargetS => "--target-s",
                Param::PatienceS => "--patience-s",
                Param::ServiceLevel => "--service-level",
                Param::MaxOccupancy => "--max-occupancy",
                Param::MaxChats => "--max-chats",
                Param::AhtByConcurrency => "--aht-by-concurrency",
                Param::Strategy => "--strategy",
                Param::Weight => "--weight",
                Param::Limit => "--limit",
                Param::ToSkill => "--to-skill",
                Param::Agent => "--agent",
                Param::Skill => "--skill",
                Param::MaxWaitS => "--max-wait-s",
            },
            Naming::Keywords => match param {
                Param::ArrivalsPerHour => "arrivals_per_hour",
                Param::AhtS => "aht_s",
                Param::Agents => "agents",
                Param::TargetS => "target_s",
                Param::PatienceS => "patience_s",
                Param::ServiceLevel => "service_level",
                Param::MaxOccupancy => "max_occupancy",
                Param::MaxChats => "max_chats",
                Param::AhtByConcurrency => "aht_by_concurrency",
                Param::Strategy => "strategy",
                Param::Weight => "weight",
                Param::Limit => "limit",
                Param::ToSkill => "to_skill",
                Param::Agent => "agent",
                Param::Skill => "skill",
                Param::MaxWaitS => "max_wait_s",
            },
        }
    }
}

/// A number for a message: as typed for ordinary values, in scientific notation past 1e9 or
/// below 1e-6 (never hundreds of digits).
///
/// # Examples
///
/// ```
/// assert_eq!(chatcap_answers::num(2.5), "2.5");
/// assert_eq!(chatcap_answers::num(1e300), "1e300");
/// ```
pub fn num(x: f64) -> String {
    if x.is_finite() && x != 0.0 && !(1e-6..1e9).contains(&x.abs()) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

pub(crate) fn bad(message: String) -> AnswerError {
    AnswerError::Argument(message)
}

/// Checks on one shell's arguments.
#[derive(Clone, Copy)]
pub(crate) struct Check(pub(crate) Naming);

impl Check {
    pub(crate) fn positive(self, p: Param, value: f64) -> Result<f64, AnswerError> {
        if value.is_finite() && value > 0.0 {
            Ok(value)
        } else {
            Err(bad(format!("{} must be a finite number above zero, got {}", self.0.name(p), num(value))))
        }
    }

    pub(crate) fn fraction(self, p: Param, value: f64) -> Result<f64, AnswerError> {
        if value > 0.0 && value <= 1.0 {
            Ok(value)
        } else {
            Err(bad(format!("{} must be above 0 and at most 1, got {}", self.0.name(p), num(value))))
        }
    }

    pub(crate) fn secs(self, p: Param, value: f64) -> Result<Duration, AnswerError> {
        let value = self.positive(p, value)?;
        match Duration::try_from_secs_f64(value) {
            Ok(d) if !d.is_zero() => Ok(d),
            _ => Err(bad(format!("{} of {} s is out of range", self.0.name(p), num(value)))),
        }
    }

    /// A service-level target time: 0 (answered with no wait at all) or more.
    pub(crate) fn target_secs(self, value: f64) -> Result<Duration, AnswerError> {
        let name = self.0.name(Param::TargetS);
        if !(value.is_finite() && value >= 0.0) {
            return Err(bad(format!(
                "{name} must be a finite number of seconds of at least 0, got {}",
                num(value)
            )));
        }
        Duration::try_from_secs_f64(value)
            .map_err(|_| bad(format!("{name} of {} s is out of range", num(value))))
    }

    /// A whole number from 1, read from a float so that every numeric mistake gets this message.
    pub(crate) fn count(self, p: Param, value: f64) -> Result<u32, AnswerError> {
        if value.is_finite() && value >= 1.0 && value <= f64::from(u32::MAX) && value.fract() == 0.0 {
            Ok(value as u32)
        } else {
            Err(bad(format!(
                "{} must be a whole number from 1 to {}, got {}",
                self.0.name(p),
                u32::MAX,
                num(value)
            )))
        }
    }

    /// One handle time per concurrency level up to `max_chats`.
    pub(crate) fn handle_times(self, max_chats: f64, ahts: &[f64]) -> Result<Vec<Duration>, AnswerError> {
        let m = self.count(Param::MaxChats, max_chats)?;
        if ahts.len() != m as usize {
            return Err(bad(format!(
                "{} has {} values but {} is {m}; give one handle time per level",
                self.0.name(Param::AhtByConcurrency),
                ahts.len(),
                self.0.name(Param::MaxChats),
            )));
        }
        ahts.iter().map(|&s| self.secs(Param::AhtByConcurrency, s)).collect()
    }
}
