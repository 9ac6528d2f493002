//! Available slots: `chatcap slots`, `Floor.slots` in Python.

use std::time::Duration;

use chatcap_core::{AgentId, Floor, MaxWait, Scope, Slots};

use crate::args::{Param, bad, num};
use crate::{Answer, AnswerError, Naming};

/// A slots query, checked before the floor is read ([`SlotsQuery::new`]).
#[derive(Clone, Debug, PartialEq)]
pub struct SlotsQuery {
    skill: Option<String>,
    agent: Option<String>,
    max_wait: Option<MaxWait>,
    aht: Option<Duration>,
}

/// A wait budget in whole seconds, 0 to 86,400 (LivePerson's `maxWaitTime`).
///
/// # Errors
///
/// [`AnswerError::Argument`] for anything else.
pub fn max_wait(value: f64, naming: Naming) -> Result<MaxWait, AnswerError> {
    match MaxWait::from_secs(value as u32) {
        Ok(w) if value.fract() == 0.0 && (0.0..=86_400.0).contains(&value) => Ok(w),
        _ => Err(bad(format!(
            "{} {}: expected a whole number of seconds from 0 to 86400",
            naming.name(Param::MaxWaitS),
            num(value)
        ))),
    }
}

/// A mean chat duration in seconds, above 0 and at most 1e9.
///
/// # Errors
///
/// [`AnswerError::Argument`] for anything else.
pub fn handle_time(value: f64, naming: Naming) -> Result<Duration, AnswerError> {
    if value.is_finite() && value > 0.0 && value <= 1e9 {
        Ok(Duration::from_secs_f64(value))
    } else {
        Err(bad(format!(
            "{} {}: expected a number of seconds above 0, at most 1e9",
            naming.name(Param::AhtS),
            num(value)
        )))
    }
}

impl SlotsQuery {
    /// The slots of the floor (no skill, no agent), of a skill, or of one agent (by login name
    /// or id); with a wait budget in seconds, the chats that can start within it, given the
    /// visitors queued and, with a mean handle time, the chats expected to end.
    ///
    /// # Errors
    ///
    /// [`AnswerError::Argument`] when an agent is combined with a skill or a budget, a budget
    /// is not a whole number of seconds from 0 to 86,400, or a handle time is given without a
    /// budget or out of range.
    pub fn new(
        skill: Option<&str>,
        agent: Option<&str>,
        max_wait_s: Option<f64>,
        aht_s: Option<f64>,
        naming: Naming,
    ) -> Result<SlotsQuery, AnswerError> {
        let name = |p| naming.name(p);
        if agent.is_some() && (skill.is_some() || max_wait_s.is_some()) {
            return Err(bad(format!(
                "{} cannot be combined with {} or {} (the availableSlots API allows agent alone)",
                name(Param::Agent),
                name(Param::Skill),
                name(Param::MaxWaitS)
            )));
        }
        let max_wait = max_wait_s.map(|w| max_wait(w, naming)).transpose()?;
        let aht = match aht_s {
            None => None,
            Some(_) if max_wait.is_none() => {
                return Err(bad(format!("{} needs {}", name(Param::AhtS), name(Param::MaxWaitS))));
            }
            Some(s) => Some(handle_time(s, naming)?),
        };
        Ok(SlotsQuery { skill: skill.map(str::to_owned), agent: agent.map(str::to_owned), max_wait, aht })
    }

    /// The answer on a floor; the warning says when the skill is not on it (its slots are 0).
    ///
    /// # Errors
    ///
    /// [`AnswerError::Lookup`] for an agent that is not on the floor.
    pub fn answer(&self, floor: &Floor) -> Result<Answer<Slots>, AnswerError> {
        if let Some(login) = &self.agent {
            let slots = floor
                .agent_slots_by_login(login)
                .or_else(|_| floor.agent_slots(&AgentId::from(login.as_str())))?;
            return Ok(Answer { value: slots, warning: None });
        }
        let (scope, warning) = match &self.skill {
            None => (Some(Scope::All), None),
            Some(s) => match floor.skill_index(s) {
                Some(idx) => (Some(Scope::Skill(idx)), None),
                None => (
                    None,
                    Some(format!("skill {s:?} is not on the floor: no agent has it, so its slots are 0")),
                ),
            },
        };
        let value = match (scope, self.max_wait) {
            // A skill no agent has: no slots.
            (None, _) => Slots::ZERO,
            (Some(scope), Some(w)) => floor.slots_within(scope, w, self.aht)?.slots,
            (Some(scope), None) => floor.summary(scope)?.free,
        };
        Ok(Answer { value, warning })
    }
}
