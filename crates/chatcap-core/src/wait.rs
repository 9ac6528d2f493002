//! Wait-time estimates as typed outcomes.

use std::fmt;
use std::time::Duration;

use crate::Summary;

/// How long the next visitor will wait, or why no number can be given.
///
/// These replace LivePerson's sentinels: `0` is [`AgentFreeNow`](Self::AgentFreeNow), `-1`
/// [`NoAgents`](Self::NoAgents), `-2` [`InsufficientData`](Self::InsufficientData).
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum WaitEstimate {
    /// A slot is free for the visitor now.
    AgentFreeNow,
    /// No agent is eligible: the visitor would wait for someone to come online.
    NoAgents,
    /// An input the method needs is missing.
    InsufficientData {
        /// What is missing.
        missing: MissingData,
    },
    /// An expected wait.
    Estimate {
        /// The expected wait in seconds.
        wait_s: f64,
        /// How it was computed, with the inputs used.
        method: Method,
    },
}

/// An input a wait estimate could not do without.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum MissingData {
    /// The mean handle time of a chat.
    HandleTime,
}

impl fmt::Display for MissingData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MissingData::HandleTime => f.write_str("no mean handle time"),
        }
    }
}

/// The method behind an [`WaitEstimate::Estimate`], with the inputs it used.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum Method {
    /// Queue position without abandonment: `(ahead + 1) / (s * mu)`, where `s * mu` is the rate
    /// at which the eligible agents' chat slots free up once all are taken.
    QueuePosition {
        /// Visitors that must be served from a freed slot before this one.
        ahead: u64,
        /// Slots freed per second: chat slots of the eligible agents over the mean handle time.
        release_rate_per_s: f64,
    },
}

impl WaitEstimate {
    /// Predicts the wait of a visitor joining a queue now, from the counts of a scope and the
    /// mean handle time, by queue position.
    ///
    /// The first `free` waiting visitors take the free slots; the rest wait for slots to free
    /// up. Once every slot is taken, the eligible agents hold `free + busy` chats, each ending at
    /// rate `1 / aht`, so the visitor with `ahead` visitors before it waits `(ahead + 1) / (s * mu)`
    /// on average (exact for exponential handle times and no abandonment).
    ///
    /// # Examples
    ///
    /// ```
    /// use chatcap_core::{Slots, Summary, WaitEstimate};
    /// use std::time::Duration;
    /// let floor = Summary { eligible_agents: 2, unlimited_agents: 0, free: Slots::Count(1), busy: 5, queued: 4 };
    /// // 3 visitors must wait for a freed slot before the newcomer: 4 / (6 slots / 60 s) = 40 s.
    /// let WaitEstimate::Estimate { wait_s, .. } = WaitEstimate::by_queue_position(&floor, Some(Duration::from_secs(60)))
    /// else { panic!() };
    /// assert!((wait_s - 40.0).abs() < 1e-9);
    /// ```
    pub fn by_queue_position(scope: &Summary, aht: Option<Duration>) -> WaitEstimate {
        let free = match scope.free {
            crate::Slots::Unlimited => return WaitEstimate::AgentFreeNow,
            crate::Slots::Count(n) => n,
        };
        if free > scope.queued {
            return WaitEstimate::AgentFreeNow;
        }
        let slots = free.saturating_add(scope.busy);
        if scope.eligible_agents == 0 || slots == 0 {
            return WaitEstimate::NoAgents;
        }
        let Some(aht) = aht else {
            return WaitEstimate::InsufficientData { missing: MissingData::HandleTime };
        };
        let ahead = scope.queued - free;
        let release_rate_per_s = slots as f64 / aht.as_secs_f64();
        WaitEstimate::Estimate {
            wait_s: (ahead as f64 + 1.0) / release_rate_per_s,
            method: Method::QueuePosition { ahead, release_rate_per_s },
        }
    }
}

impl fmt::Display for WaitEstimate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WaitEstimate::AgentFreeNow => f.write_str("an agent is free now"),
            WaitEstimate::NoAgents => f.write_str("no eligible agent"),
            WaitEstimate::InsufficientData { missing } => write!(f, "insufficient data: {missing}"),
            WaitEstimate::Estimate { wait_s, method } => {
                write!(f, "estimated wait {wait_s:.0} s")?;
                match method {
                    Method::QueuePosition { ahead, .. } => write!(f, " ({ahead} ahead, by queue position)"),
                }
            }
        }
    }
}
