//! The plain-data model of a contact-center floor.
//!
//! These types carry no invariants of their own: a [`Snapshot`] is checked once, when a
//! [`Floor`](crate::Floor) is built from it.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::{AgentId, GroupId, SkillId, Timestamp, VisitorId};

/// An agent's state for one channel (chat or voice).
///
/// # Examples
///
/// ```
/// use chatcap_core::AgentState;
/// assert!(AgentState::Online.takes_new_chats());
/// assert!(!AgentState::Occupied.takes_new_chats());
/// assert!(AgentState::Occupied.takes_transfers());
/// assert!(!AgentState::Away.takes_transfers());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "snake_case"))]
pub enum AgentState {
    /// Logged off: takes no chats.
    Offline,
    /// Takes new chats and transfers.
    Online,
    /// Takes only transferred chats.
    Occupied,
    /// Logged on but takes no chats.
    Away,
}

impl AgentState {
    /// Every state, in a fixed order.
    pub const ALL: [AgentState; 4] =
        [AgentState::Offline, AgentState::Online, AgentState::Occupied, AgentState::Away];

    /// Whether an agent in this state may be given a new chat.
    pub const fn takes_new_chats(self) -> bool {
        matches!(self, AgentState::Online)
    }

    /// Whether an agent in this state may be given a transferred chat.
    pub const fn takes_transfers(self) -> bool {
        matches!(self, AgentState::Online | AgentState::Occupied)
    }

    /// The lowercase name, as used in messages and command lines.
    pub const fn as_str(self) -> &'static str {
        match self {
            AgentState::Offline => "offline",
            AgentState::Online => "online",
            AgentState::Occupied => "occupied",
            AgentState::Away => "away",
        }
    }
}

impl fmt::Display for AgentState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// How many chats an agent may hold at once.
///
/// # Examples
///
/// ```
/// use chatcap_core::{Capacity, Slots};
/// assert_eq!(Capacity::Limited(4).free(1), Slots::Count(3));
/// assert_eq!(Capacity::Limited(2).free(5), Slots::Count(0)); // over its limit: 0, never negative
/// assert_eq!(Capacity::Unlimited.free(100), Slots::Unlimited);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "snake_case"))]
pub enum Capacity {
    /// No limit.
    Unlimited,
    /// At most this many chats; `Limited(0)` takes none.
    Limited(u32),
}

impl Capacity {
    /// Free capacity for an agent holding `active` chats: never negative.
    pub const fn free(self, active: u32) -> crate::Slots {
        match self {
            Capacity::Unlimited => crate::Slots::Unlimited,
            Capacity::Limited(n) => crate::Slots::Count(n.saturating_sub(active) as u64),
        }
    }

    /// Whether this capacity takes no chats at all (`Limited(0)`).
    pub const fn is_zero(self) -> bool {
        matches!(self, Capacity::Limited(0))
    }
}

/// One agent as a snapshot reports it.
///
/// # Examples
///
/// ```
/// use chatcap_core::{Agent, AgentState, Capacity, SkillId};
/// let a = Agent::new("7", AgentState::Online, Capacity::Limited(3))
///     .with_active_chats(1)
///     .with_skills([SkillId::from("sales")]);
/// assert_eq!(a.active_chats, 1);
/// assert_eq!(a.skills[..], [SkillId::from("sales")]);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Agent {
    /// The agent's id.
    pub id: AgentId,
    /// The login name, if the vendor gives one (LivePerson `userName`); unique on a floor.
    ///
    /// Shared text, as the ids are: a snapshot that holds the floor's own login (one edited from
    /// the last) is compared by address in [`Floor::sync`](crate::Floor::sync).
    pub login: Option<Arc<str>>,
    /// State for chat.
    pub chat_state: AgentState,
    /// State for voice, where the vendor reports it.
    pub voice_state: Option<AgentState>,
    /// Concurrent-chat limit.
    pub capacity: Capacity,
    /// Chats held now; may exceed the limit (a forced transfer, a lowered limit).
    pub active_chats: u32,
    /// What the held chats cost of the limit together, where chats are weighted; `None` means
    /// each weighs [`Weight::ONE`](crate::Weight::ONE). Given only with chats held.
    pub load: Option<crate::Weight>,
    /// Skills, each at most once, each defined on the floor.
    ///
    /// A shared list: agents with the same skills may hold one list between them, which keeps a
    /// large poll small and lets [`Floor::sync`](crate::Floor::sync) find an agent's skills in
    /// cache.
    pub skills: Arc<[SkillId]>,
    /// The agent's group, if any.
    pub group: Option<GroupId>,
    /// How long the agent has been in its chat state when the snapshot was taken, where the
    /// vendor says. Without it a new floor takes the agent to have entered its state at the
    /// snapshot time, and [`Floor::sync`](crate::Floor::sync) keeps the start it knows unless the
    /// state changed.
    pub time_in_state: Option<Duration>,
}

impl Agent {
    /// An agent with no chats, no skills, no login, no group and no time in state.
    pub fn new(id: impl Into<AgentId>, chat_state: AgentState, capacity: Capacity) -> Self {
        Self {
            id: id.into(),
            login: None,
            chat_state,
            voice_state: None,
            capacity,
            active_chats: 0,
            load: None,
            skills: Arc::default(),
            group: None,
            time_in_state: None,
        }
    }

    /// Sets the chats held now.
    pub fn with_active_chats(mut self, n: u32) -> Self {
        self.active_chats = n;
        self
    }

    /// Sets the weighted load of the held chats.
    pub fn with_load(mut self, load: crate::Weight) -> Self {
        self.load = Some(load);
        self
    }

    /// Sets the skills.
    pub fn with_skills(mut self, skills: impl IntoIterator<Item = SkillId>) -> Self {
        self.skills = skills.into_iter().collect();
        self
    }

    /// Sets how long the agent has been in its chat state.
    pub fn with_time_in_state(mut self, in_state: Duration) -> Self {
        self.time_in_state = Some(in_state);
        self
    }

    /// Sets the login name.
    pub fn with_login(mut self, login: impl Into<Arc<str>>) -> Self {
        self.login = Some(login.into());
        self
    }
}

/// A skill (LivePerson skill, Comm100 department).
///
/// # Examples
///
/// ```
/// use chatcap_core::Skill;
/// let s = Skill::new("25975313").with_name("Sales");
/// assert_eq!(s.name.as_deref(), Some("Sales"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Skill {
    /// The skill's id.
    pub id: SkillId,
    /// A display name, if known.
    pub name: Option<String>,
}

impl Skill {
    /// A skill with no name.
    pub fn new(id: impl Into<SkillId>) -> Self {
        Self { id: id.into(), name: None }
    }

    /// Sets the display name.
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }
}

/// A visitor waiting in a skill's queue.
///
/// Queues serve the highest `priority` first, then the earliest arrival.
///
/// # Examples
///
/// ```
/// use chatcap_core::{QueuedVisitor, Timestamp, VisitorId};
/// let v = QueuedVisitor::new(VisitorId(1), "sales", Timestamp::from_millis(0));
/// assert_eq!(v.priority, 0);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct QueuedVisitor {
    /// The visitor's id, unique on the floor.
    pub id: VisitorId,
    /// The skill the visitor waits for.
    pub skill: SkillId,
    /// When the visitor joined the queue.
    pub arrived_at: Timestamp,
    /// Higher is served first.
    pub priority: i32,
}

impl QueuedVisitor {
    /// A visitor with priority 0.
    pub fn new(id: VisitorId, skill: impl Into<SkillId>, arrived_at: Timestamp) -> Self {
        Self { id, skill: skill.into(), arrived_at, priority: 0 }
    }
}

/// The floor at one moment: skills, agents and queued visitors, as read from a vendor.
///
/// Build a [`Floor`](crate::Floor) from it to validate it and ask questions.
///
/// # Examples
///
/// ```
/// use chatcap_core::{Agent, AgentState, Capacity, Floor, Skill, Snapshot, Timestamp};
/// let snapshot = Snapshot {
///     taken_at: Timestamp::from_millis(1_700_000_000_000),
///     skills: vec![Skill::new("sales")],
///     agents: vec![Agent::new("1", AgentState::Online, Capacity::Limited(2))
///         .with_skills(["sales".into()])],
///     queue: vec![],
/// };
/// let floor = Floor::new(snapshot)?;
/// assert_eq!(floor.agent_count(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Snapshot {
    /// When the snapshot was taken.
    pub taken_at: Timestamp,
    /// Every skill agents or visitors may name, each once.
    pub skills: Vec<Skill>,
    /// Every agent, each id once.
    pub agents: Vec<Agent>,
    /// Visitors waiting, in any order.
    pub queue: Vec<QueuedVisitor>,
}
