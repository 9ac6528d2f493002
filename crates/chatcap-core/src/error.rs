//! The core's errors, one type per family of operations.
//!
//! - [`SnapshotError`]: building a [`Floor`](crate::Floor) or [`Router`](crate::Router) from a
//!   snapshot, and syncing one to a newer snapshot.
//! - [`EventError`]: applying an [`Event`](crate::Event) or a routing operation.
//! - [`LookupError`]: a query naming an agent by id, login or index that is not on the floor.
//! - [`InputError`]: a value that does not convert into a core type (a time, a weight, a wait
//!   budget).
//!
//! A failed call changes nothing: the floor is as it was before.

use crate::weight::Thousandths;
use crate::{AgentId, SkillId, Timestamp, VisitorId};

/// What is wrong with a snapshot: building a floor or router from it, or syncing to it.
///
/// Returned by [`Floor::new`](crate::Floor::new), [`Floor::sync`](crate::Floor::sync),
/// [`Router::new`](crate::Router::new) and [`Router::sync`](crate::Router::sync).
///
/// # Examples
///
/// ```
/// use chatcap_core::{Agent, AgentState, Capacity, Floor, Snapshot, SnapshotError};
/// let a = Agent::new("7", AgentState::Online, Capacity::Limited(1));
/// let err = Floor::new(Snapshot { agents: vec![a.clone(), a], ..Snapshot::default() }).unwrap_err();
/// assert_eq!(err, SnapshotError::DuplicateAgent { agent: "7".into() });
/// assert_eq!(err.to_string(), "agent 7 appears twice in the snapshot; agent ids must be unique");
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SnapshotError {
    /// Two agents share an id.
    #[error("agent {agent} appears twice in the snapshot; agent ids must be unique")]
    DuplicateAgent {
        /// The repeated id.
        agent: AgentId,
    },
    /// Two agents share a login name.
    #[error("agents {first} and {second} share the login {login:?}; logins must be unique")]
    DuplicateLogin {
        /// The shared login.
        login: String,
        /// The agent listed first.
        first: AgentId,
        /// The agent listed second.
        second: AgentId,
    },
    /// A skill is defined twice.
    #[error("skill {skill} is defined twice in the snapshot; skill ids must be unique")]
    DuplicateSkill {
        /// The repeated id.
        skill: SkillId,
    },
    /// An agent names a skill the snapshot does not define.
    #[error("agent {agent} has skill {skill}, which the snapshot does not define; add it to the skills")]
    UnknownAgentSkill {
        /// The agent.
        agent: AgentId,
        /// The undefined skill.
        skill: SkillId,
    },
    /// An agent lists a skill twice.
    #[error("agent {agent} lists skill {skill} twice; list each skill once")]
    DuplicateAgentSkill {
        /// The agent.
        agent: AgentId,
        /// The repeated skill.
        skill: SkillId,
    },
    /// An agent's time in state goes back before the representable range.
    #[error("agent {agent} has a time in state of {millis} ms, more than the snapshot time allows")]
    TimeInStateOutOfRange {
        /// The agent.
        agent: AgentId,
        /// The time in state, in milliseconds.
        millis: u128,
    },
    /// An agent's load does not fit its chats: a load given for an agent without chats.
    #[error(
        "agent {agent} would hold {active} chats with a load of {} slots; a load goes with its chats, so check the chat weights",
        Thousandths(*.load_thousandths)
    )]
    LoadMismatch {
        /// The agent.
        agent: AgentId,
        /// Its chats.
        active: u32,
        /// Its load, in thousandths of a slot.
        load_thousandths: i128,
    },
    /// A visitor waits for a skill the snapshot does not define.
    #[error("visitor {visitor} waits for skill {skill}, which the floor does not define")]
    UnknownQueueSkill {
        /// The visitor.
        visitor: VisitorId,
        /// The undefined skill.
        skill: SkillId,
    },
    /// Two queued visitors share an id.
    #[error("visitor {visitor} is queued twice; visitor ids must be unique")]
    DuplicateVisitor {
        /// The repeated id.
        visitor: VisitorId,
    },
    /// A visitor arrived after the snapshot was taken.
    #[error("visitor {visitor} arrived at {arrived_at}, after the snapshot time {taken_at}")]
    VisitorFromFuture {
        /// The visitor.
        visitor: VisitorId,
        /// Its arrival.
        arrived_at: Timestamp,
        /// The snapshot time.
        taken_at: Timestamp,
    },
    /// A sync is dated before the floor's current time.
    #[error("sync at {at} is earlier than the floor's time {floor_time}; sync to snapshots in time order")]
    SyncInPast {
        /// The sync's time.
        at: Timestamp,
        /// The floor's time.
        floor_time: Timestamp,
    },
    /// A router's relaxation names a skill the floor does not define.
    #[error("skill {skill} is not defined on the floor")]
    UnknownRelaxationSkill {
        /// The undefined skill.
        skill: SkillId,
    },
}

/// Why an event or a routing operation was rejected.
///
/// Returned by [`Floor::apply`](crate::Floor::apply), [`Router::apply`](crate::Router::apply)
/// and the router's `route`, `arrive` and `*_by_index` operations.
///
/// # Examples
///
/// ```
/// use chatcap_core::{Event, EventError, Floor, Snapshot, Timestamp};
/// let mut floor = Floor::new(Snapshot { taken_at: Timestamp::from_millis(10), ..Snapshot::default() })?;
/// let err = floor.apply(Timestamp::from_millis(5), Event::AgentLeft { agent: &"1".into() }).unwrap_err();
/// assert_eq!(err, EventError::EventInPast { at: Timestamp::from_millis(5), floor_time: Timestamp::from_millis(10) });
/// # Ok::<(), chatcap_core::SnapshotError>(())
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum EventError {
    /// An event is dated before the floor's current time.
    #[error("event at {at} is earlier than the floor's time {floor_time}; apply events in time order")]
    EventInPast {
        /// The event's time.
        at: Timestamp,
        /// The floor's time.
        floor_time: Timestamp,
    },
    /// An agent joining is on the floor already.
    #[error("agent {agent} is on the floor already; an agent joins once")]
    AgentOnFloor {
        /// The agent.
        agent: AgentId,
    },
    /// An agent joining, or a login change, would give two agents one login.
    #[error("agents {first} and {second} share the login {login:?}; logins must be unique")]
    DuplicateLogin {
        /// The shared login.
        login: String,
        /// The agent holding the login.
        first: AgentId,
        /// The agent that would take it too.
        second: AgentId,
    },
    /// An agent joining names a skill the floor does not define.
    #[error("agent {agent} has skill {skill}, which the floor does not define; define the skill first")]
    UnknownAgentSkill {
        /// The agent.
        agent: AgentId,
        /// The undefined skill.
        skill: SkillId,
    },
    /// An agent joining lists a skill twice.
    #[error("agent {agent} lists skill {skill} twice; list each skill once")]
    DuplicateAgentSkill {
        /// The agent.
        agent: AgentId,
        /// The repeated skill.
        skill: SkillId,
    },
    /// An agent joining has a time in state that goes back before the representable range.
    #[error("agent {agent} has a time in state of {millis} ms, more than the event time allows")]
    TimeInStateOutOfRange {
        /// The agent.
        agent: AgentId,
        /// The time in state, in milliseconds.
        millis: u128,
    },
    /// An agent's load does not fit its chats: a load without chats, or chats ending that would
    /// leave a load behind (or take more than there is).
    #[error(
        "agent {agent} would hold {active} chats with a load of {} slots; a load goes with its chats, so check the chat weights",
        Thousandths(*.load_thousandths)
    )]
    LoadMismatch {
        /// The agent.
        agent: AgentId,
        /// Its chats, as they would be.
        active: u32,
        /// Its load as it would be, in thousandths of a slot: zero or negative when chats
        /// ending would take more than the agent holds.
        load_thousandths: i128,
    },
    /// An [`AgentIdx`](crate::AgentIdx) names an agent that has left, or comes from another
    /// floor.
    #[error(
        "no agent at place {place} matches the index: the agent has left the floor, or the index is from another floor; look the agent up again by id"
    )]
    StaleAgentIndex {
        /// The place the index names.
        place: usize,
    },
    /// An event names an agent that is not on the floor.
    #[error("agent {agent} is not on the floor")]
    UnknownAgent {
        /// The missing agent.
        agent: AgentId,
    },
    /// An event names a skill that the floor does not define.
    #[error("skill {skill} is not defined on the floor")]
    UnknownSkill {
        /// The missing skill.
        skill: SkillId,
    },
    /// A [`SkillIdx`](crate::SkillIdx) the floor did not give, as for
    /// [`LookupError::ForeignSkillIndex`].
    #[error(
        "the skill index {index} is from another floor: no skill here matches it; look the skill up again by id"
    )]
    ForeignSkillIndex {
        /// The position the index names.
        index: usize,
    },
    /// An event names a visitor that is not queued.
    #[error("visitor {visitor} is not queued")]
    UnknownVisitor {
        /// The missing visitor.
        visitor: VisitorId,
    },
    /// A visitor arriving is queued already.
    #[error("visitor {visitor} is queued twice; visitor ids must be unique")]
    DuplicateVisitor {
        /// The repeated id.
        visitor: VisitorId,
    },
    /// A chat ended or was transferred away from an agent holding none.
    #[error("agent {agent} holds no chat to end or transfer")]
    NoActiveChat {
        /// The agent.
        agent: AgentId,
    },
    /// An agent would hold more than `u32::MAX` chats.
    #[error("agent {agent} already holds the most chats that can be counted")]
    TooManyChats {
        /// The agent.
        agent: AgentId,
    },
    /// A chat was transferred from an agent to itself.
    #[error("agent {agent} cannot transfer a chat to itself")]
    TransferToSelf {
        /// The agent.
        agent: AgentId,
    },
    /// An agent was given a skill it has.
    #[error("agent {agent} already has skill {skill}")]
    SkillAlreadyHeld {
        /// The agent.
        agent: AgentId,
        /// The skill.
        skill: SkillId,
    },
    /// A skill was removed from an agent that lacks it.
    #[error("agent {agent} does not have skill {skill}")]
    SkillNotHeld {
        /// The agent.
        agent: AgentId,
        /// The skill.
        skill: SkillId,
    },
}

/// A query names an agent that is not on the floor.
///
/// Returned by [`Floor::agent_slots`](crate::Floor::agent_slots),
/// [`Floor::agent_slots_by_login`](crate::Floor::agent_slots_by_login),
/// [`Floor::check_index`](crate::Floor::check_index) and
/// [`Floor::transfer_candidates`](crate::Floor::transfer_candidates).
///
/// # Examples
///
/// ```
/// use chatcap_core::{Floor, LookupError, Snapshot};
/// let floor = Floor::new(Snapshot::default())?;
/// assert_eq!(floor.agent_slots_by_login("ann"), Err(LookupError::UnknownLogin { login: "ann".into() }));
/// # Ok::<(), chatcap_core::SnapshotError>(())
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum LookupError {
    /// No agent on the floor has this id.
    #[error("agent {agent} is not on the floor")]
    UnknownAgent {
        /// The missing agent.
        agent: AgentId,
    },
    /// No agent on the floor has this login.
    #[error("no agent on the floor has the login {login:?}")]
    UnknownLogin {
        /// The missing login.
        login: String,
    },
    /// An [`AgentIdx`](crate::AgentIdx) names an agent that has left, or comes from another
    /// floor.
    #[error(
        "no agent at place {place} matches the index: the agent has left the floor, or the index is from another floor; look the agent up again by id"
    )]
    StaleAgentIndex {
        /// The place the index names.
        place: usize,
    },
    /// A query names a skill the floor does not define: a name it never listed, or a skill
    /// a sync retired.
    #[error("skill {skill} is not defined on the floor")]
    UnknownSkill {
        /// The skill named.
        skill: SkillId,
    },
    /// A [`SkillIdx`](crate::SkillIdx) the floor did not give: from another floor, where
    /// another skill (or none) sits at its position here.
    #[error(
        "the skill index {index} is from another floor: no skill here matches it; look the skill up again by id"
    )]
    ForeignSkillIndex {
        /// The position the index names.
        index: usize,
    },
}

/// A value that does not convert into a core type.
///
/// Returned by `TryFrom<SystemTime> for Timestamp`, `FromStr` and `TryFrom<u64>` for
/// [`Weight`](crate::Weight), and [`MaxWait::from_secs`](crate::MaxWait::from_secs).
///
/// # Examples
///
/// ```
/// use chatcap_core::{InputError, Weight, WeightProblem};
/// let err = "-1".parse::<Weight>().unwrap_err();
/// assert_eq!(err, InputError::InvalidWeight { text: "-1".into(), reason: WeightProblem::NotPositive });
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum InputError {
    /// A system time too far from the Unix epoch for a [`Timestamp`]: more than `i64::MAX`
    /// milliseconds after it or `i64::MIN` before it.
    #[error(
        "system time {millis} ms from the unix epoch is out of range; a timestamp holds milliseconds \
         from the epoch that fit in an i64 (about 292 million years either way)"
    )]
    SystemTimeOutOfRange {
        /// The rejected time in whole milliseconds from the epoch (negative: before it).
        millis: i128,
    },
    /// A chat weight's text that is not a positive number of slots with at most three decimal
    /// places.
    #[error("invalid chat weight {text}: {reason}")]
    InvalidWeight {
        /// The rejected text as given.
        text: String,
        /// What is wrong with it.
        reason: crate::WeightProblem,
    },
    /// A chat weight of zero thousandths.
    #[error("invalid chat weight 0: a weight must be positive")]
    ZeroWeight,
    /// A wait budget above 86,400 seconds.
    #[error("max wait of {secs} s is out of range; it must be between 0 and 86400 seconds")]
    MaxWaitOutOfRange {
        /// The rejected value.
        secs: u32,
    },
}

/// What is wrong with an agent joining the floor, whether from a snapshot or an event; each
/// family turns it into its own variant.
impl EventError {
    /// The event error for a skill lookup that failed.
    pub(crate) fn from_skill_lookup(e: LookupError) -> EventError {
        match e {
            LookupError::UnknownSkill { skill } => EventError::UnknownSkill { skill },
            LookupError::ForeignSkillIndex { index } => EventError::ForeignSkillIndex { index },
            other => unreachable!("a skill lookup fails only on the skill: {other:?}"),
        }
    }
}

#[derive(Debug)]
pub(crate) enum AgentProblem {
    UnknownSkill { agent: AgentId, skill: SkillId },
    DuplicateSkill { agent: AgentId, skill: SkillId },
    TimeInState { agent: AgentId, millis: u128 },
    Load { agent: AgentId, load_thousandths: i128 },
}

impl From<AgentProblem> for SnapshotError {
    fn from(p: AgentProblem) -> SnapshotError {
        match p {
            AgentProblem::UnknownSkill { agent, skill } => SnapshotError::UnknownAgentSkill { agent, skill },
            AgentProblem::DuplicateSkill { agent, skill } => {
                SnapshotError::DuplicateAgentSkill { agent, skill }
            }
            AgentProblem::TimeInState { agent, millis } => {
                SnapshotError::TimeInStateOutOfRange { agent, millis }
            }
            AgentProblem::Load { agent, load_thousandths } => {
                SnapshotError::LoadMismatch { agent, active: 0, load_thousandths }
            }
        }
    }
}

impl From<AgentProblem> for EventError {
    fn from(p: AgentProblem) -> EventError {
        match p {
            AgentProblem::UnknownSkill { agent, skill } => EventError::UnknownAgentSkill { agent, skill },
            AgentProblem::DuplicateSkill { agent, skill } => EventError::DuplicateAgentSkill { agent, skill },
            AgentProblem::TimeInState { agent, millis } => {
                EventError::TimeInStateOutOfRange { agent, millis }
            }
            AgentProblem::Load { agent, load_thousandths } => {
                EventError::LoadMismatch { agent, active: 0, load_thousandths }
            }
        }
    }
}
