//! The core's one error type.

use crate::weight::Thousandths;
use crate::{AgentId, SkillId, Timestamp, VisitorId};

/// What went wrong building a floor, applying an event or asking about an agent.
///
/// A failed call changes nothing: the floor is as it was before.
///
/// # Examples
///
/// ```
/// use chatcap_core::{Agent, AgentState, Capacity, Floor, ModelError, Snapshot};
/// let a = Agent::new("7", AgentState::Online, Capacity::Limited(1));
/// let err = Floor::new(Snapshot { agents: vec![a.clone(), a], ..Snapshot::default() }).unwrap_err();
/// assert_eq!(err.to_string(), "agent 7 appears twice in the snapshot; agent ids must be unique");
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ModelError {
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
    /// An agent names a skill the floor does not define.
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
    /// A visitor waits for a skill the floor does not define.
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
    /// An agent joining is on the floor already.
    #[error("agent {agent} is on the floor already; an agent joins once")]
    AgentOnFloor {
        /// The agent.
        agent: AgentId,
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
    /// An event or query names an agent that is not on the floor.
    #[error("agent {agent} is not on the floor")]
    UnknownAgent {
        /// The missing agent.
        agent: AgentId,
    },
    /// A query names a login that is not on the floor.
    #[error("no agent on the floor has the login {login:?}")]
    UnknownLogin {
        /// The missing login.
        login: String,
    },
    /// An event names a skill that the floor does not define.
    #[error("skill {skill} is not defined on the floor")]
    UnknownSkill {
        /// The missing skill.
        skill: SkillId,
    },
    /// An event names a visitor that is not queued.
    #[error("visitor {visitor} is not queued")]
    UnknownVisitor {
        /// The missing visitor.
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
    /// An event is dated before the floor's current time.
    #[error("event at {at} is earlier than the floor's time {floor_time}; apply events in time order")]
    EventInPast {
        /// The event's time.
        at: Timestamp,
        /// The floor's time.
        floor_time: Timestamp,
    },
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
    /// A chat weight that is not a positive number of thousandths.
    #[error("invalid chat weight {value}: {reason}")]
    InvalidWeight {
        /// The rejected value as given.
        value: String,
        /// What is wrong with it.
        reason: crate::WeightProblem,
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
    /// A wait budget outside 0..=86,400 seconds.
    #[error("max wait of {secs} s is out of range; it must be between 0 and 86400 seconds")]
    MaxWaitOutOfRange {
        /// The rejected value.
        secs: i64,
    },
}
