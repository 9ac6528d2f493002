//! The stationary staffing formulas the methods feed: Erlang C, Erlang A or the chat model,
//! through the staffing searches of `chatcap-queueing`.

use std::time::Duration;

use chatcap_queueing::{
    ChatModel, ErlangA, QueueingError, StaffingTarget, Traffic, staff_chat, staff_erlang_a, staff_erlang_c,
};

use crate::PlanError;

/// What each interval's staffing must achieve.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Goal {
    /// At least `level` of arrivals answered within `within_s` seconds.
    ServiceLevel {
        /// The share, above 0 and at most 1.
        level: f64,
        /// The target time, in seconds.
        within_s: f64,
    },
    /// At most `alpha` of arrivals wait at all.
    DelayProbability {
        /// The share, at least 0 and below 1.
        alpha: f64,
    },
}

/// The constraints every interval's staffing also meets, where the model supports them.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Limits {
    /// Agent occupancy (for chat agents, the share of chat slots in use) at most this.
    pub max_occupancy: Option<f64>,
    /// The share of arrivals that abandon at most this (models with patience only).
    pub max_abandon: Option<f64>,
}

/// The queueing model of one skill: how agents serve.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Model {
    /// One chat at a time, patient visitors.
    ErlangC,
    /// One chat at a time, visitors abandon after a mean patience.
    ErlangA,
    /// Several chats at a time; `slowdown[k - 1]` is the handle time at concurrency `k` over the
    /// handle time at one.
    Chat { slowdown: Vec<f64> },
}

/// The fewest agents that meet `goal` and `limits` for `arrivals_per_s` visitors a second
/// with mean handle time `aht_s` (at one chat) and mean patience `patience_s`; 0 with no
/// arrivals. Errors are the model's.
pub(crate) fn required(
    model: &Model,
    arrivals_per_s: f64,
    aht_s: f64,
    patience_s: Option<f64>,
    goal: Goal,
    limits: Limits,
) -> Result<u32, QueueingError> {
    if arrivals_per_s <= 0.0 {
        return Ok(0);
    }
    let target = target(goal, limits)?;
    let aht = duration(aht_s)?;
    let patience = patience_s.map(duration).transpose()?;
    match (model, patience) {
        (Model::Chat { slowdown }, _) => {
            let levels: Vec<Duration> =
                slowdown.iter().map(|f| duration(aht_s * f)).collect::<Result<_, _>>()?;
            let found = staff_chat(arrivals_per_s, &levels, patience, &target)?;
            let mut n = found.agents();
            if let (Some(cap), Some(_)) = (limits.max_abandon, patience)
                && found.p_abandon() > cap
            {
                n = step_up(n, |n| {
                    let m = ChatModel::new(n, &levels, arrivals_per_s, patience)?;
                    Ok(m.solve().p_abandon() <= cap)
                })?;
            }
            Ok(n)
        }
        (Model::ErlangA, Some(patience)) => {
            let traffic = Traffic::new(arrivals_per_s, aht)?;
            let found = staff_erlang_a(traffic, patience, &target)?;
            let mut n = found.agents();
            if let Some(cap) = limits.max_abandon
                && found.p_abandon() > cap
            {
                n = step_up(n, |n| Ok(ErlangA::new(traffic, n, patience)?.p_abandon() <= cap))?;
            }
            Ok(n)
        }
        (Model::ErlangC | Model::ErlangA, _) => {
            Ok(staff_erlang_c(Traffic::new(arrivals_per_s, aht)?, &target)?.agents())
        }
    }
}

fn target(goal: Goal, limits: Limits) -> Result<StaffingTarget, QueueingError> {
    let t = match goal {
        Goal::ServiceLevel { level, within_s } => StaffingTarget::new(level, duration(within_s)?)?,
        // P(wait) at most alpha is a service level of 1 - alpha within no time.
        Goal::DelayProbability { alpha } => StaffingTarget::new(1.0 - alpha, Duration::ZERO)?,
    };
    match limits.max_occupancy {
        Some(cap) => t.with_max_occupancy(cap),
        None => Ok(t),
    }
}

fn duration(s: f64) -> Result<Duration, QueueingError> {
    Duration::try_from_secs_f64(s).map_err(|_| QueueingError::InvalidRate { what: "seconds", value: s })
}

/// The first count from `n` on that `ok` accepts (acceptance grows with the count).
fn step_up(n: u32, mut ok: impl FnMut(u32) -> Result<bool, QueueingError>) -> Result<u32, QueueingError> {
    let mut m = n;
    while !ok(m)? {
        m = m.checked_add(1).ok_or(QueueingError::StaffingUnreachable { limit: u64::from(m) })?;
        if m - n > 1_000_000 {
            return Err(QueueingError::StaffingUnreachable { limit: u64::from(m) });
        }
    }
    Ok(m)
}

/// Checks a goal and limits as the command line spells them.
pub(crate) fn check(goal: Goal, limits: Limits) -> Result<(), PlanError> {
    let setting = |setting, problem: String| Err(PlanError::Setting { setting, problem });
    match goal {
        Goal::ServiceLevel { level, within_s } => {
            if !(level > 0.0 && level <= 1.0) {
                return setting("--service-level", format!("must be above 0 and at most 1, got {level}"));
            }
            if !(within_s.is_finite() && (0.0..=86_400.0).contains(&within_s)) {
                return setting("--target-s", format!("must be from 0 to 86400 seconds, got {within_s}"));
            }
        }
        Goal::DelayProbability { alpha } => {
            if !(0.0..1.0).contains(&alpha) {
                return setting(
                    "--delay-probability",
                    format!("must be at least 0 and below 1, got {alpha}"),
                );
            }
        }
    }
    if let Some(o) = limits.max_occupancy
        && !(o > 0.0 && o <= 1.0)
    {
        return setting("--max-occupancy", format!("must be above 0 and at most 1, got {o}"));
    }
    if let Some(a) = limits.max_abandon
        && !(a > 0.0 && a <= 1.0)
    {
        return setting("--max-abandon", format!("must be above 0 and at most 1, got {a}"));
    }
    Ok(())
}
