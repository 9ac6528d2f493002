//! Should a bot offer a human chat now?

use std::fmt;
use std::time::Duration;

use crate::{Floor, LookupError, MaxWait, SkillKey, Summary, WaitEstimate};

/// What to do when the data needed for a decision is missing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "snake_case"))]
pub enum Stance {
    /// Offer anyway: a visitor may wait longer than the budget.
    FailOpen,
    /// Decline: a visitor may miss a human who was available.
    #[default]
    FailClosed,
}

/// The limits a bot sets for offering a human chat.
///
/// # Examples
///
/// ```
/// use chatcap_core::{MaxWait, OfferPolicy, Stance};
/// use std::time::Duration;
/// let policy = OfferPolicy::new(MaxWait::from_secs(120)?)
///     .with_max_queue(10)
///     .with_handle_time(Duration::from_secs(300))
///     .with_missing_data(Stance::FailOpen);
/// assert_eq!(policy.max_queue, Some(10));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct OfferPolicy {
    /// The longest estimated wait at which a human is still offered.
    pub max_wait: MaxWait,
    /// Decline while this many visitors or more already wait (no limit when `None`).
    pub max_queue: Option<u64>,
    /// Mean chat handle time, for the wait estimate.
    pub aht: Option<Duration>,
    /// What to do when the handle time is needed but missing.
    pub missing_data: Stance,
}

impl OfferPolicy {
    /// A policy with a wait budget, no queue limit, no handle time and [`Stance::FailClosed`].
    pub const fn new(max_wait: MaxWait) -> Self {
        Self { max_wait, max_queue: None, aht: None, missing_data: Stance::FailClosed }
    }

    /// Sets the queue limit.
    pub const fn with_max_queue(mut self, max_queue: u64) -> Self {
        self.max_queue = Some(max_queue);
        self
    }

    /// Sets the mean handle time.
    pub const fn with_handle_time(mut self, aht: Duration) -> Self {
        self.aht = Some(aht);
        self
    }

    /// Sets the stance for missing data.
    pub const fn with_missing_data(mut self, stance: Stance) -> Self {
        self.missing_data = stance;
        self
    }
}

/// Offer a human chat, or decline with the reason.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "snake_case"))]
pub enum Decision {
    /// Offer: the visitor is expected to be served within the budget (or the data is missing and
    /// the stance is to fail open).
    Offer {
        /// The wait the visitor should expect.
        estimate: WaitEstimate,
    },
    /// Decline.
    Decline {
        /// Why.
        reason: DeclineReason,
    },
}

impl Decision {
    /// Whether the decision is to offer.
    pub const fn is_offer(&self) -> bool {
        matches!(self, Decision::Offer { .. })
    }
}

/// Why a human chat was not offered.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum DeclineReason {
    /// No agent with the skill is online with capacity.
    NoEligibleAgents,
    /// The queue has reached its limit.
    QueueFull {
        /// Visitors waiting.
        queued: u64,
        /// The policy's limit.
        max_queue: u64,
    },
    /// The estimated wait exceeds the budget.
    WaitTooLong {
        /// The estimated wait: always longer than `max_wait`.
        estimate: Duration,
        /// The policy's budget.
        max_wait: MaxWait,
    },
    /// The wait cannot be estimated without a mean handle time, and the stance is to fail closed.
    NoHandleTime,
}

impl fmt::Display for DeclineReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeclineReason::NoEligibleAgents => f.write_str("no agent with the skill is online with capacity"),
            DeclineReason::QueueFull { queued, max_queue } => {
                write!(f, "{queued} visitors queued, at the limit of {max_queue}")
            }
            DeclineReason::WaitTooLong { estimate, max_wait } => {
                write!(f, "estimated wait {:.0} s > {} s limit", estimate.as_secs_f64(), max_wait.as_secs())
            }
            DeclineReason::NoHandleTime => {
                f.write_str("no mean handle time to estimate the wait (fail closed)")
            }
        }
    }
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Decision::Offer { estimate } => write!(f, "offer: {estimate}"),
            Decision::Decline { reason } => write!(f, "declined: {reason}"),
        }
    }
}

impl Floor {
    /// Decides whether to offer a human chat for a skill now.
    ///
    /// In order: a free slot for the newcomer
    /// (more free slots than visitors waiting, or an unlimited agent) is an offer; no eligible
    /// agent, or a queue at its limit, is a decline; otherwise the wait is estimated by queue
    /// position ([`WaitEstimate::by_queue_position`]) and offered if within the budget (the
    /// estimate, rounded to the nanosecond, at most [`MaxWait::as_duration`]). Without
    /// a handle time the policy's [`Stance`] decides. Constant time.
    ///
    /// # Errors
    ///
    /// A [`LookupError`] when the floor does not define the skill named: a bot asking for a
    /// skill the vendor does not list has a configuration to fix, which no decision would
    /// tell it.
    ///
    /// # Examples
    ///
    /// ```
    /// use chatcap_core::*;
    /// use std::time::Duration;
    /// let t0 = Timestamp::from_millis(0);
    /// let floor = Floor::new(Snapshot {
    ///     taken_at: t0,
    ///     skills: vec![Skill::new("billing")],
    ///     agents: vec![Agent::new("1", AgentState::Online, Capacity::Limited(2))
    ///         .with_active_chats(2).with_skills(["billing".into()])],
    ///     queue: (0..3).map(|i| QueuedVisitor::new(VisitorId(i), "billing", t0)).collect(),
    /// })?;
    /// let policy = OfferPolicy::new(MaxWait::from_secs(120)?).with_handle_time(Duration::from_secs(240));
    /// // 3 ahead, 2 slots freeing at 1/240 s each: (3 + 1) / (2 / 240) = 480 s.
    /// let d = floor.offer("billing", &policy)?;
    /// assert_eq!(d.to_string(), "declined: estimated wait 480 s > 120 s limit");
    /// let too_long = DeclineReason::WaitTooLong { estimate: Duration::from_secs(480), max_wait: policy.max_wait };
    /// assert_eq!(d, Decision::Decline { reason: too_long });
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[inline(always)]
    pub fn offer(&self, skill: impl SkillKey, policy: &OfferPolicy) -> Result<Decision, LookupError> {
        let s = self.pos_of(skill)?;
        Ok(decide(&self.summary_at(s), policy))
    }
}

/// The decision for a skill's counts.
#[inline(always)]
fn decide(scope: &Summary, policy: &OfferPolicy) -> Decision {
    if scope.free.count().is_none_or(|free| free > scope.queued) {
        return Decision::Offer { estimate: WaitEstimate::AgentFreeNow };
    }
    if scope.eligible_agents == 0 {
        return Decision::Decline { reason: DeclineReason::NoEligibleAgents };
    }
    if let Some(max_queue) = policy.max_queue
        && scope.queued >= max_queue
    {
        return Decision::Decline { reason: DeclineReason::QueueFull { queued: scope.queued, max_queue } };
    }
    match WaitEstimate::by_queue_position(scope, policy.aht) {
        // Compared as the durations the decision carries, so an offer's estimate is never
        // above the budget and a decline's always is.
        estimate @ WaitEstimate::Estimate { wait, .. } => {
            if wait <= policy.max_wait.as_duration() {
                Decision::Offer { estimate }
            } else {
                Decision::Decline {
                    reason: DeclineReason::WaitTooLong { estimate: wait, max_wait: policy.max_wait },
                }
            }
        }
        estimate @ WaitEstimate::InsufficientData { .. } => match policy.missing_data {
            Stance::FailOpen => Decision::Offer { estimate },
            Stance::FailClosed => Decision::Decline { reason: DeclineReason::NoHandleTime },
        },
        WaitEstimate::NoAgents => Decision::Decline { reason: DeclineReason::NoEligibleAgents },
        estimate @ WaitEstimate::AgentFreeNow => Decision::Offer { estimate },
    }
}
