//! The queueing models' one error type: what is wrong with a model's inputs.

use std::fmt;

/// What went wrong building or solving a queueing model: an input out of its domain, a queue
/// that would grow without bound, or more work than a model takes on.
///
/// # Examples
///
/// ```
/// use chatcap_queueing::{QueueingError, Traffic};
/// use std::time::Duration;
/// let err = Traffic::per_hour(-1.0, Duration::from_secs(300)).unwrap_err();
/// assert!(matches!(err, QueueingError::InvalidRate { .. }));
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum QueueingError {
    /// A rate, a traffic or a handle time of a queueing model that is not a finite number above
    /// zero.
    #[error("{what} must be a finite number above zero, got {value}")]
    InvalidRate {
        /// The input, as the caller named it.
        what: &'static str,
        /// The rejected value.
        value: f64,
    },
    /// A probability or fraction of a queueing model outside its range.
    #[error("{what} must be above 0 and at most 1, got {value}")]
    InvalidFraction {
        /// The input.
        what: &'static str,
        /// The rejected value.
        value: f64,
    },
    /// A queueing model input that needs at least one of something.
    #[error("{what} must be at least 1")]
    ZeroCount {
        /// The input.
        what: &'static str,
    },
    /// Too few agents for the traffic in a model without abandonment: the queue would grow
    /// without bound.
    #[error(
        "{agents} agents cannot carry {traffic_erlangs} erlangs without abandonment: the queue grows \
         without bound; staff more agents than the traffic or model patience (erlang a)"
    )]
    UnstableQueue {
        /// The agents (or chat slots) offered.
        agents: u64,
        /// The offered load in erlangs: arrivals per second times the mean handle time.
        traffic_erlangs: f64,
    },
    /// The chat model's handle times per concurrency level do not match its chat limit.
    #[error("{given} handle times given for a limit of {max_chats} chats; give one per concurrency level")]
    HandleTimesMismatch {
        /// The chat limit per agent.
        max_chats: u32,
        /// The handle times given.
        given: usize,
    },
    /// A queueing model asked for more work than it takes on: an exact chat model beyond its
    /// state limit, or a queue too long to sum.
    #[error("the model is limited to {limit}")]
    ModelTooLarge {
        /// The limit exceeded (its message says what to do instead).
        limit: Limit,
    },
    /// The scaled chat model asked for a reference floor it cannot take: fewer than 400 agents
    /// (the smaller reference holds half of them), or more than the floor itself.
    #[error(
        "a reference floor of {reference} agents for a floor of {agents}: it must hold at least 400 agents \
         and at most the floor's own"
    )]
    ReferenceFloor {
        /// The reference floor's agents asked for.
        reference: u32,
        /// The floor's agents.
        agents: u32,
    },
    /// A staffing search found no agent count meeting the target up to its limit.
    #[error("no staffing up to {limit} agents meets the target; lower the target or check the inputs")]
    StaffingUnreachable {
        /// The largest agent count tried.
        limit: u64,
    },
}

/// A size limit of a queueing model, with the number it stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Limit {
    /// The chat model's chat slots, agents times chats each.
    ChatSlots,
    /// The exact chat model's shape: chats per agent and agents.
    ExactShape,
    /// The exact chat model's states.
    ExactStates,
    /// The window chain's shape: chats per agent and agents.
    WindowShape,
    /// The window chain's states.
    WindowStates,
    /// The queue states an Erlang A sum runs over.
    QueueStates,
}

impl Limit {
    /// The number the limit stands for: slots, states, or (for a shape) agents.
    pub const fn value(self) -> u64 {
        match self {
            Limit::ChatSlots | Limit::QueueStates => 100_000_000,
            Limit::ExactShape | Limit::WindowShape => 65_535,
            Limit::ExactStates => crate::chat_model::CHAIN_STATE_LIMIT as u64,
            Limit::WindowStates => crate::chat_model::WINDOW_CHAIN_LIMIT as u64,
        }
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Limit::ChatSlots => "100,000,000 chat slots (agents times chats each)",
            Limit::ExactShape => {
                "7 chats per agent and 65,535 agents when exact; use the balanced approximation"
            }
            Limit::ExactStates => {
                "500,000 states when exact; use the window chain or the balanced approximation"
            }
            Limit::WindowShape => {
                "7 chats per agent and 65,535 agents in the window chain; use the balanced approximation"
            }
            Limit::WindowStates => "2,000,000 states in the window chain; use the balanced approximation",
            Limit::QueueStates => "summing 100,000,000 queue states; shorten the patience or add agents",
        })
    }
}
