//! The capacity engine of chatcap: available slots, queue state and the offer decision for a
//! live-chat contact center, from a snapshot of its agents and queues.
//!
//! This crate performs no IO, never reads the clock, starts no threads, holds no global state and
//! uses no randomness: time is a value passed in, and the same inputs give the same outputs on
//! every machine. Vendor payloads are turned into a [`Snapshot`] elsewhere (`chatcap-adapter`);
//! here every value is typed: [`Capacity::Unlimited`], not `-1`.
//!
//! The steady-state queueing models behind wait estimates and staffing are re-exported from
//! `chatcap-queueing`, which depends on nothing of the floor: Erlang B and C ([`ErlangC`]),
//! Erlang A with patience ([`ErlangA`]), agents holding several chats at once ([`ChatModel`])
//! and the staffing searches ([`staff_erlang_c`] and its siblings): no factorials, stable at any
//! size, within 1e-12 of exact arithmetic for Erlang B and C. Their errors are
//! [`QueueingError`] (a model's inputs). The floor's errors come by family of operation:
//! [`SnapshotError`] (building a floor or router, syncing to a snapshot), [`EventError`] (an
//! event or a routing operation), [`LookupError`] (a query naming an agent that is not on the
//! floor) and [`InputError`] (a time, weight or wait budget that does not convert).
//!
//! A [`Floor`] is built once from a snapshot, which validates it; after that, queries are
//! infallible and cost constant time. [`Event`]s keep it current at a cost proportional to the
//! skills of the agent they name, and [`Floor::sync`] brings it to the vendor's next snapshot
//! (polled every few seconds) by applying only what changed, with a [`SyncReport`] of what did.
//! A [`Router`] adds a per-skill routing index that follows both.
//!
//! # Examples
//!
//! ```
//! use chatcap_core::*;
//! use std::time::Duration;
//!
//! let t0 = Timestamp::from_millis(1_700_000_000_000);
//! let mut floor = Floor::new(Snapshot {
//!     taken_at: t0,
//!     skills: vec![Skill::new("sales"), Skill::new("billing")],
//!     agents: vec![
//!         Agent::new("1", AgentState::Online, Capacity::Limited(3))
//!             .with_active_chats(2)
//!             .with_skills(["sales".into(), "billing".into()]),
//!         Agent::new("2", AgentState::Away, Capacity::Unlimited).with_skills(["sales".into()]),
//!     ],
//!     queue: vec![],
//! })?;
//! assert_eq!(floor.slots("sales")?, Slots::Count(1));
//!
//! // Agent 2 comes back: its unlimited capacity makes sales unlimited.
//! floor.apply(t0, Event::StateChanged { agent: &"2".into(), state: AgentState::Online })?;
//! assert_eq!(floor.slots("sales")?, Slots::Unlimited);
//! assert_eq!(floor.slots("billing")?, Slots::Count(1));
//!
//! let policy = OfferPolicy::new(MaxWait::from_secs(60)?).with_handle_time(Duration::from_secs(300));
//! assert!(floor.offer("billing", &policy)?.is_offer());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod error;
mod floor;
mod hash;
mod id;
mod min_tree;
mod model;
mod offer;
mod queue_state;
mod router;
mod slots;
mod transfer;
mod wait;
mod weight;

pub use chatcap_queueing::{
    ChatModel, ChatModelMethod, ChatModelResult, EXACT_STATE_LIMIT, ErlangA, ErlangC, Limit, QueueingError,
    Staffing, StaffingTarget, Traffic, WINDOW_STATE_LIMIT, erlang_b, staff_chat, staff_erlang_a,
    staff_erlang_c,
};
pub use error::{EventError, InputError, LookupError, SnapshotError};
pub use floor::{AgentIdx, AgentView, Event, Floor, Scope, SkillIdx, SkillKey, Summary, SyncReport};
pub use id::{AgentId, GroupId, SkillId, Timestamp, VisitorId};
pub use model::{Agent, AgentState, Capacity, QueuedVisitor, Skill, Snapshot};
pub use offer::{Decision, DeclineReason, OfferPolicy, Stance};
pub use queue_state::{QueueState, QueueStateView, QueueTotals, SkillQueueState, SkillSelection};
pub use router::{Assignment, Relaxation, RouteBy, Routed, Router};
pub use slots::{Completion, MaxWait, Slots, SlotsWithin};
pub use transfer::{
    Candidate, Excluded, Exclusion, Ranking, TransferCandidates, TransferRequest, TransferTarget,
};
pub use wait::{Method, MissingData, WaitAverage, WaitEstimate};
pub use weight::{Weight, WeightProblem};

/// Not part of the API: helpers the simulator (`chatcap-sim`) shares with the router. They may
/// change in any release.
#[doc(hidden)]
pub mod internal {
    pub use crate::hash::{FxHasher, FxMap};
    pub use crate::min_tree::{MinTree, MinTree64, Tournament, TreeEntry};
    pub use crate::router::prefetch;
}
