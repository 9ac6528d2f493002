//! The indexed floor: validated once, updated by events or by later snapshots, queried in
//! constant time.

mod skill_list;
mod sync;

use skill_list::SkillList;

pub use sync::SyncReport;

use std::cmp::Reverse;
use std::collections::BTreeSet;
use std::fmt;
use std::time::Duration;

use crate::hash::{FxMap, StrIndex};
use crate::{
    Agent, AgentId, AgentState, Capacity, GroupId, ModelError, QueuedVisitor, Skill, SkillId, Slots,
    Snapshot, Timestamp, VisitorId, Weight,
};

/// A skill's position on one floor: the cheapest way to name a skill in a hot loop.
///
/// An index is never given to another skill, so it names the same skill for that floor's
/// lifetime: a skill a later snapshot no longer lists is retired (queries and events treat it
/// as unknown) and comes back at the same index if listed again. An index from another floor
/// names whatever skill sits at that position here, or none.
///
/// # Examples
///
/// ```
/// use chatcap_core::{Floor, Skill, Snapshot};
/// let floor = Floor::new(Snapshot { skills: vec![Skill::new("sales")], ..Snapshot::default() })?;
/// let sales = floor.skill_index("sales").unwrap();
/// assert_eq!(floor.skill(sales).unwrap().id.as_str(), "sales");
/// # Ok::<(), chatcap_core::ModelError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SkillIdx(u32);

impl SkillIdx {
    /// The position in the floor's skill list.
    pub const fn get(self) -> usize {
        self.0 as usize
    }
}

/// An agent's place on one floor: the cheapest way to name an agent in a hot loop, as
/// [`SkillIdx`] is for skills. Get one from [`Floor::agent_index`], [`AgentView::index`] or a
/// routing [`Assignment`](crate::Assignment).
///
/// An index names the agent that held the place when the index was handed out. Once that
/// agent leaves the index is stale, and calls that take it answer
/// [`ModelError::StaleAgentIndex`], never about the agent that took the place next. An index
/// from another floor is refused the same way unless that floor has an agent with the same id
/// fingerprint (32 bits of its id's hash) at the same place and generation: in practice, the
/// same agent of the same snapshot.
///
/// # Examples
///
/// ```
/// use chatcap_core::*;
/// let snapshot = |agents: &[&str]| Snapshot {
///     agents: agents.iter().map(|&id| Agent::new(id, AgentState::Online, Capacity::Limited(2))).collect(),
///     ..Snapshot::default()
/// };
/// let mut floor = Floor::new(snapshot(&["a", "b"]))?;
/// let b = floor.agent_index(&"b".into()).unwrap();
/// assert_eq!(floor.agent_by_index(b).unwrap().id().as_str(), "b");
/// // b leaves and c takes its place: the index no longer names anyone.
/// floor.sync(floor.now(), &snapshot(&["a", "c"]))?;
/// assert!(floor.agent_by_index(b).is_none());
/// assert_eq!(floor.check_index(b), Err(ModelError::StaleAgentIndex { place: 1 }));
/// # Ok::<(), ModelError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AgentIdx {
    place: u32,
    generation: u32,
    tag: u32,
}

impl AgentIdx {
    /// The place on the floor: below the number of places the floor has used, so callers can
    /// keep their own per-agent arrays indexed by it.
    pub const fn get(self) -> usize {
        self.place as usize
    }
}

/// Anything that names a skill on a floor: a [`SkillIdx`], a [`SkillId`] or its text.
///
/// Queries that take a skill accept any of these; an unknown skill is a skill no agent has.
/// The trait is sealed: these are the ways to name a skill, and the set may grow.
pub trait SkillKey: sealed::Sealed {
    /// The skill's index on `floor`, if the floor defines it.
    #[doc(hidden)]
    fn resolve(&self, floor: &Floor) -> Option<SkillIdx>;
}

mod sealed {
    /// Only the core names skills.
    pub trait Sealed {}
    impl Sealed for super::SkillIdx {}
    impl Sealed for crate::SkillId {}
    impl Sealed for &crate::SkillId {}
    impl Sealed for &str {}
}

impl SkillKey for SkillIdx {
    #[inline]
    fn resolve(&self, floor: &Floor) -> Option<SkillIdx> {
        floor.listed.get(self.get()).is_some_and(|&on| on).then_some(*self)
    }
}

impl SkillKey for SkillId {
    #[inline]
    fn resolve(&self, floor: &Floor) -> Option<SkillIdx> {
        floor.skill_index(self.as_str())
    }
}

impl SkillKey for &SkillId {
    #[inline]
    fn resolve(&self, floor: &Floor) -> Option<SkillIdx> {
        floor.skill_index(self.as_str())
    }
}

impl SkillKey for &str {
    #[inline]
    fn resolve(&self, floor: &Floor) -> Option<SkillIdx> {
        floor.skill_index(self)
    }
}

/// What a slots or summary query covers: the whole floor, or one skill.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Every agent and every queued visitor, each counted once.
    All,
    /// The agents with this skill and the visitors waiting for it.
    Skill(SkillIdx),
}

/// A change on the floor. Apply it with [`Floor::apply`]; [`Floor::sync`] turns a new snapshot
/// into these.
///
/// Events borrow their ids, so applying one allocates nothing (except an agent joining, which
/// the floor keeps a copy of).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event<'a> {
    /// An agent logged on to the floor, as a snapshot would list it; its skills must be defined.
    AgentJoined {
        /// The agent, with an id not on the floor.
        agent: &'a Agent,
    },
    /// An agent left the floor, with whatever chats it held.
    AgentLeft {
        /// The agent.
        agent: &'a AgentId,
    },
    /// A skill is defined on the floor, or renamed if it is there already. Skills are never
    /// removed, so every [`SkillIdx`] stays valid.
    SkillDefined {
        /// The skill.
        skill: &'a Skill,
    },
    /// The agent's chats, as a snapshot counts them: how many it holds and what they weigh
    /// together (`None`: each weighs [`Weight::ONE`]).
    ChatsCounted {
        /// The agent.
        agent: &'a AgentId,
        /// Chats held now.
        active: u32,
        /// Their weighted load; given only with chats held.
        load: Option<Weight>,
    },
    /// The agent's login name changed.
    LoginChanged {
        /// The agent.
        agent: &'a AgentId,
        /// The new login, unique on the floor, or `None`.
        login: Option<&'a str>,
    },
    /// The agent moved to another group, or out of any.
    GroupChanged {
        /// The agent.
        agent: &'a AgentId,
        /// The new group.
        group: Option<&'a GroupId>,
    },
    /// The agent's chat state changed; its time in state restarts unless the state is the same.
    StateChanged {
        /// The agent.
        agent: &'a AgentId,
        /// The new chat state.
        state: AgentState,
    },
    /// The agent's voice state changed (it does not affect chat capacity).
    VoiceStateChanged {
        /// The agent.
        agent: &'a AgentId,
        /// The new voice state, `None` where the vendor reports none.
        state: Option<AgentState>,
    },
    /// The agent's concurrent-chat limit changed (it may now be below its active chats).
    CapacityChanged {
        /// The agent.
        agent: &'a AgentId,
        /// The new limit.
        capacity: Capacity,
    },
    /// The agent took a chat (even beyond its limit: the floor records what happened).
    ChatStarted {
        /// The agent.
        agent: &'a AgentId,
        /// What the chat costs of the agent's capacity ([`Weight::ONE`] for a plain chat).
        weight: Weight,
    },
    /// One of the agent's chats ended.
    ChatEnded {
        /// The agent.
        agent: &'a AgentId,
        /// The chat's weight, as when it started.
        weight: Weight,
    },
    /// A chat moved from one agent to another.
    ChatTransferred {
        /// The agent that held the chat.
        from: &'a AgentId,
        /// The agent that holds it now.
        to: &'a AgentId,
        /// The chat's weight.
        weight: Weight,
    },
    /// The agent gained a skill.
    SkillAdded {
        /// The agent.
        agent: &'a AgentId,
        /// The skill, defined on the floor.
        skill: &'a SkillId,
    },
    /// The agent lost a skill.
    SkillRemoved {
        /// The agent.
        agent: &'a AgentId,
        /// The skill.
        skill: &'a SkillId,
    },
    /// A visitor joined a skill's queue at the event's time.
    VisitorQueued {
        /// The visitor, not already queued.
        visitor: VisitorId,
        /// The skill, defined on the floor.
        skill: &'a SkillId,
        /// Higher is served first.
        priority: i32,
    },
    /// A visitor left the queue to be served.
    VisitorDequeued {
        /// The visitor.
        visitor: VisitorId,
    },
    /// A visitor left the queue without being served.
    VisitorAbandoned {
        /// The visitor.
        visitor: VisitorId,
    },
}

/// Per-scope counts of the agents eligible for new chats and of the queue.
///
/// Kept incrementally by the floor; [`Floor::summary`] reads it in constant time.
///
/// # Examples
///
/// ```
/// use chatcap_core::{Agent, AgentState, Capacity, Floor, Scope, Skill, Slots, Snapshot};
/// let floor = Floor::new(Snapshot {
///     skills: vec![Skill::new("s")],
///     agents: vec![
///         Agent::new("1", AgentState::Online, Capacity::Limited(3)).with_active_chats(1).with_skills(["s".into()]),
///         Agent::new("2", AgentState::Away, Capacity::Limited(3)).with_skills(["s".into()]),
///     ],
///     ..Snapshot::default()
/// })?;
/// let s = floor.summary(Scope::Skill(floor.skill_index("s").unwrap()));
/// assert_eq!((s.eligible_agents, s.free, s.busy), (1, Slots::Count(2), 1));
/// # Ok::<(), chatcap_core::ModelError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Summary {
    /// Agents eligible for new chats: `Online`, not `Limited(0)`, with the skill.
    pub eligible_agents: u64,
    /// Eligible agents with unlimited capacity.
    pub unlimited_agents: u64,
    /// Free slots of the eligible agents: unlimited if any is unlimited.
    pub free: Slots,
    /// Chats held by the eligible agents.
    pub busy: u64,
    /// Slots the eligible agents' held chats would free if they all ended: per agent with a
    /// limit, the limit less its free slots. An agent above its limit counts only its limit (the
    /// chats over it free nothing), and chats weighing less than a slot count by their weight
    /// (two half-weight chats hold one slot). For agents with no limit, their chats.
    pub releasable: u64,
    /// Visitors waiting.
    pub queued: u64,
}

/// Exact running sums over the eligible agents of one scope.
///
/// Sums are `u128` so that adding and removing contributions is exact for any floor; answers
/// saturate to `u64` only when read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Aggregate {
    eligible: u64,
    unlimited: u64,
    free: u128,
    busy: u128,
    releasable: u128,
}

/// What one agent adds to the aggregates of its scopes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Contribution {
    unlimited: bool,
    free: u32,
    busy: u32,
    releasable: u32,
}

impl Aggregate {
    #[inline]
    fn add(&mut self, c: Contribution) {
        self.eligible += 1;
        self.unlimited += u64::from(c.unlimited);
        self.free += u128::from(c.free);
        self.busy += u128::from(c.busy);
        self.releasable += u128::from(c.releasable);
    }

    #[inline]
    fn remove(&mut self, c: Contribution) {
        self.eligible -= 1;
        self.unlimited -= u64::from(c.unlimited);
        self.free -= u128::from(c.free);
        self.busy -= u128::from(c.busy);
        self.releasable -= u128::from(c.releasable);
    }

    #[inline]
    fn free_slots(&self) -> Slots {
        if self.unlimited > 0 { Slots::Unlimited } else { Slots::Count(saturate(self.free)) }
    }
}

#[inline]
fn saturate(n: u128) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

#[derive(Clone, Debug)]
pub(crate) struct AgentRec {
    /// False for a place an agent left: it holds nothing until another agent joins into it.
    present: bool,
    /// How many agents have left this place: an [`AgentIdx`] of an earlier generation is stale.
    generation: u32,
    /// 32 bits of the id's hash, which an [`AgentIdx`] carries to be checked against.
    tag: u32,
    id: AgentId,
    login: Option<String>,
    chat_state: AgentState,
    voice_state: Option<AgentState>,
    capacity: Capacity,
    active: u32,
    /// What the held chats cost together, in thousandths of a slot; 0 exactly when `active` is 0.
    load: u64,
    /// Sorted, no repeats.
    skills: SkillList,
    group: Option<GroupId>,
    state_since: Timestamp,
}

impl AgentRec {
    /// Whether an agent holds this place (false once it has left).
    #[inline]
    pub(crate) fn present(&self) -> bool {
        self.present
    }

    /// The agent's id.
    #[inline]
    pub(crate) fn id(&self) -> &AgentId {
        &self.id
    }

    /// The chat state.
    #[inline]
    pub(crate) fn chat_state(&self) -> AgentState {
        self.chat_state
    }

    /// The concurrent-chat limit.
    #[inline]
    pub(crate) fn capacity(&self) -> Capacity {
        self.capacity
    }

    /// Chats held.
    #[inline]
    pub(crate) fn active(&self) -> u32 {
        self.active
    }

    /// What the held chats cost together, in thousandths of a slot.
    #[inline]
    pub(crate) fn load(&self) -> u64 {
        self.load
    }

    /// The skills, sorted.
    #[inline]
    pub(crate) fn skills(&self) -> &[SkillIdx] {
        &self.skills
    }

    /// When the agent entered its chat state.
    #[inline]
    pub(crate) fn state_since(&self) -> Timestamp {
        self.state_since
    }

    /// What a place holds once its agent has left: offline, no chats, no skills.
    fn vacant(id: AgentId, generation: u32) -> AgentRec {
        AgentRec {
            present: false,
            generation,
            tag: 0,
            id,
            login: None,
            chat_state: AgentState::Offline,
            voice_state: None,
            capacity: Capacity::Limited(0),
            active: 0,
            load: 0,
            skills: SkillList::default(),
            group: None,
            state_since: Timestamp::EPOCH,
        }
    }

    /// Free capacity in thousandths of a slot, `None` when unlimited; never negative.
    #[inline]
    pub(crate) fn free_thousandths(&self) -> Option<u64> {
        match self.capacity {
            Capacity::Unlimited => None,
            Capacity::Limited(n) => Some((u64::from(n) * Weight::SCALE).saturating_sub(self.load)),
        }
    }

    /// Plain (weight-one) chats that fit: whole free slots.
    #[inline]
    pub(crate) fn free_slots(&self) -> Slots {
        match self.free_thousandths() {
            None => Slots::Unlimited,
            Some(t) => Slots::Count(t / Weight::SCALE),
        }
    }

    /// Whether a chat of weight `w` fits, and the agent can count one more chat.
    #[inline]
    pub(crate) fn fits(&self, w: Weight) -> bool {
        self.active < u32::MAX && self.free_thousandths().is_none_or(|t| t >= w.as_thousandths())
    }

    /// The agent's contribution to its scopes, `None` when not eligible for new chats.
    #[inline]
    fn contribution(&self) -> Option<Contribution> {
        if !self.chat_state.takes_new_chats() {
            return None;
        }
        match self.capacity {
            Capacity::Limited(0) => None,
            // At most the limit: fits in u32.
            Capacity::Limited(limit) => {
                let free = self.free_slots().count().unwrap_or(0) as u32;
                Some(Contribution { unlimited: false, free, busy: self.active, releasable: limit - free })
            }
            Capacity::Unlimited => {
                Some(Contribution { unlimited: true, free: 0, busy: self.active, releasable: self.active })
            }
        }
    }
}

/// Queue order: highest priority, then earliest arrival, then visitor id.
type QueueKey = (Reverse<i32>, Timestamp, VisitorId);

#[derive(Clone, Debug, Default)]
struct SkillQueue {
    by_service: BTreeSet<QueueKey>,
    by_arrival: BTreeSet<(Timestamp, VisitorId)>,
    dequeued: u64,
    abandoned: u64,
}

#[derive(Clone, Copy, Debug)]
struct VisitorRec {
    skill: SkillIdx,
    priority: i32,
    arrived_at: Timestamp,
}

/// A validated, indexed floor of agents and queues.
///
/// Built once from a [`Snapshot`], then kept current with [`Floor::apply`] for each event, or
/// with [`Floor::sync`] for each new snapshot a vendor gives. Every event costs time in
/// proportion to the skills of the agent it names (queue events: the log of the queue length);
/// every slots query costs constant time, whatever the size of the floor.
///
/// Agents keep their place on the floor while they stay: one that leaves frees its place for
/// the next to join, so [`Floor::agents`] lists a synced floor in the order agents took their
/// places, not in the order of the latest snapshot. Skills are never removed.
///
/// The floor performs no IO and never reads the clock: every time is passed in.
///
/// # Examples
///
/// ```
/// use chatcap_core::{Agent, AgentId, AgentState, Capacity, Event, Floor, Skill, Slots, Snapshot, Timestamp, Weight};
/// let t0 = Timestamp::from_millis(0);
/// let mut floor = Floor::new(Snapshot {
///     taken_at: t0,
///     skills: vec![Skill::new("billing")],
///     agents: vec![Agent::new("a1", AgentState::Online, Capacity::Limited(2)).with_skills(["billing".into()])],
///     queue: vec![],
/// })?;
/// assert_eq!(floor.slots("billing"), Slots::Count(2));
/// floor.apply(Timestamp::from_millis(1_000), Event::ChatStarted { agent: &AgentId::from("a1"), weight: Weight::ONE })?;
/// assert_eq!(floor.slots("billing"), Slots::Count(1));
/// # Ok::<(), chatcap_core::ModelError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Floor {
    now: Timestamp,
    /// Every skill ever defined, by index.
    skills: Vec<Skill>,
    /// Per skill, whether it is defined now (false: retired by a sync).
    listed: Vec<bool>,
    skill_index: FxMap<SkillId, SkillIdx>,
    /// Per place, the agent there, or a vacant place (`present` false).
    agents: Vec<AgentRec>,
    /// Vacant places, reused by the next agents to join.
    vacant: Vec<u32>,
    agent_index: StrIndex,
    login_index: StrIndex,
    skill_agg: Vec<Aggregate>,
    /// Per skill, the agents that have it, by position, ascending.
    members: Vec<Vec<u32>>,
    total_agg: Aggregate,
    queues: Vec<SkillQueue>,
    visitors: FxMap<VisitorId, VisitorRec>,
}

impl Floor {
    /// Validates a snapshot and indexes it.
    ///
    /// # Errors
    ///
    /// A [`ModelError`] naming the first problem found: a repeated agent id, login, skill or
    /// visitor; an agent or visitor naming an undefined skill; an agent listing a skill twice; a
    /// visitor that arrived after the snapshot was taken; a time in state beyond the
    /// representable range.
    ///
    /// # Examples
    ///
    /// ```
    /// use chatcap_core::{Agent, AgentState, Capacity, Floor, ModelError, Snapshot};
    /// let a = Agent::new("9", AgentState::Online, Capacity::Limited(1)).with_skills(["nope".into()]);
    /// let err = Floor::new(Snapshot { agents: vec![a], ..Snapshot::default() }).unwrap_err();
    /// assert!(matches!(err, ModelError::UnknownAgentSkill { .. }));
    /// ```
    pub fn new(snapshot: Snapshot) -> Result<Floor, ModelError> {
        let Snapshot { taken_at, skills, agents, queue } = snapshot;

        let mut skill_index = FxMap::default();
        skill_index.reserve(skills.len());
        for (i, skill) in skills.iter().enumerate() {
            let idx = SkillIdx(index_u32(i));
            if skill_index.insert(skill.id.clone(), idx).is_some() {
                return Err(ModelError::DuplicateSkill { skill: skill.id.clone() });
            }
        }

        let mut floor = Floor {
            now: taken_at,
            skill_agg: vec![Aggregate::default(); skills.len()],
            members: vec![Vec::new(); skills.len()],
            queues: vec![SkillQueue::default(); skills.len()],
            listed: vec![true; skills.len()],
            skills,
            skill_index,
            agents: Vec::with_capacity(agents.len()),
            vacant: Vec::new(),
            agent_index: StrIndex::with_capacity(agents.len()),
            login_index: StrIndex::with_capacity(agents.iter().filter(|a| a.login.is_some()).count()),
            total_agg: Aggregate::default(),
            visitors: FxMap::default(),
        };

        for agent in agents {
            let rec = floor.validate_agent(agent, taken_at)?;
            let i = index_u32(floor.agents.len());
            let recs = &floor.agents;
            if floor.agent_index.insert(rec.id.as_str(), i, |p| recs[p as usize].id.as_str()).is_err() {
                return Err(ModelError::DuplicateAgent { agent: rec.id });
            }
            if let Some(login) = &rec.login {
                let login_at = |p: u32| recs[p as usize].login.as_deref().unwrap_or_default();
                if let Err(first) = floor.login_index.insert(login, i, login_at) {
                    return Err(ModelError::DuplicateLogin {
                        login: login.clone(),
                        first: recs[first as usize].id.clone(),
                        second: rec.id,
                    });
                }
            }
            if let Some(c) = rec.contribution() {
                floor.total_agg.add(c);
                for s in &rec.skills {
                    floor.skill_agg[s.get()].add(c);
                }
            }
            for s in &rec.skills {
                floor.members[s.get()].push(i);
            }
            floor.agents.push(rec);
        }

        floor.visitors.reserve(queue.len());
        for v in queue {
            let Some(skill) = floor.skill_index(v.skill.as_str()) else {
                return Err(ModelError::UnknownQueueSkill { visitor: v.id, skill: v.skill });
            };
            if v.arrived_at > taken_at {
                return Err(ModelError::VisitorFromFuture {
                    visitor: v.id,
                    arrived_at: v.arrived_at,
                    taken_at,
                });
            }
            floor.enqueue(v.id, skill, v.priority, v.arrived_at)?;
        }
        Ok(floor)
    }

    fn validate_agent(&self, agent: Agent, taken_at: Timestamp) -> Result<AgentRec, ModelError> {
        let mut skills = Vec::with_capacity(agent.skills.len());
        for skill in &agent.skills {
            let Some(idx) = self.skill_index(skill.as_str()) else {
                return Err(ModelError::UnknownAgentSkill { agent: agent.id, skill: skill.clone() });
            };
            skills.push(idx);
        }
        skills.sort_unstable();
        if let Some(w) = skills.windows(2).find(|w| w[0] == w[1]) {
            let skill = self.skills[w[0].get()].id.clone();
            return Err(ModelError::DuplicateAgentSkill { agent: agent.id, skill });
        }
        let state_since = state_since(&agent, taken_at)?.unwrap_or(taken_at);
        let load = load_of(&agent.id, agent.active_chats, agent.load)?;
        Ok(AgentRec {
            present: true,
            generation: 0,
            tag: id_tag(&agent.id),
            id: agent.id,
            login: agent.login,
            chat_state: agent.chat_state,
            voice_state: agent.voice_state,
            capacity: agent.capacity,
            active: agent.active_chats,
            load,
            skills: SkillList::from_sorted(&skills),
            group: agent.group,
            state_since,
        })
    }

    /// The floor's time: the snapshot time, or the time of the latest event or sync applied.
    pub fn now(&self) -> Timestamp {
        self.now
    }

    /// How many agents are on the floor, in any state.
    pub fn agent_count(&self) -> usize {
        self.agents.len() - self.vacant.len()
    }

    /// The skills defined on the floor, in index order: snapshot order for a floor just built;
    /// skills a sync defines come after, and those it retires are left out.
    pub fn skills(&self) -> impl Iterator<Item = &Skill> + '_ {
        self.skills.iter().zip(&self.listed).filter(|(_, on)| **on).map(|(s, _)| s)
    }

    /// How many skills are defined on the floor.
    pub fn skill_count(&self) -> usize {
        self.listed.iter().filter(|&&on| on).count()
    }

    /// The index of every skill defined on the floor, in index order.
    pub fn skill_indices(&self) -> impl Iterator<Item = SkillIdx> + '_ {
        self.listed.iter().enumerate().filter(|(_, on)| **on).map(|(i, _)| SkillIdx(index_u32(i)))
    }

    /// The index of a skill, if the floor defines it.
    #[inline]
    pub fn skill_index(&self, skill: &str) -> Option<SkillIdx> {
        self.skill_index.get(skill).copied().filter(|s| self.listed[s.get()])
    }

    /// The skill at an index, if the floor defines it.
    pub fn skill(&self, idx: SkillIdx) -> Option<&Skill> {
        self.skills.get(idx.get()).filter(|_| self.listed[idx.get()])
    }

    /// How many skill indices the floor has given out, retired ones included: every
    /// [`SkillIdx`] it hands out is below this.
    pub(crate) fn skill_places(&self) -> usize {
        self.skills.len()
    }

    /// The skill at an index, retired or not.
    pub(crate) fn skill_at(&self, idx: SkillIdx) -> &Skill {
        &self.skills[idx.get()]
    }

    /// One agent, if it is on the floor.
    ///
    /// # Examples
    ///
    /// ```
    /// use chatcap_core::{Agent, AgentState, Capacity, Floor, Slots, Snapshot};
    /// let floor = Floor::new(Snapshot {
    ///     agents: vec![Agent::new("1", AgentState::Online, Capacity::Limited(2)).with_active_chats(5)],
    ///     ..Snapshot::default()
    /// })?;
    /// let a = floor.agent(&"1".into()).unwrap();
    /// assert_eq!((a.active_chats(), a.free()), (5, Slots::Count(0)));
    /// # Ok::<(), chatcap_core::ModelError>(())
    /// ```
    pub fn agent(&self, id: &AgentId) -> Option<AgentView<'_>> {
        let i = self.agent_index.get(id.as_str(), |p| self.agents[p as usize].id.as_str())?;
        Some(self.view(i as usize))
    }

    /// The agent with a login name, if it is on the floor.
    pub fn agent_by_login(&self, login: &str) -> Option<AgentView<'_>> {
        let i =
            self.login_index.get(login, |p| self.agents[p as usize].login.as_deref().unwrap_or_default())?;
        Some(self.view(i as usize))
    }

    /// Every agent, in the order of their places: snapshot order for a floor just built; after
    /// agents leave and join, those joining take the places of those gone, then come last.
    pub fn agents(&self) -> impl Iterator<Item = AgentView<'_>> + '_ {
        (0..self.agents.len()).filter(|&i| self.agents[i].present).map(move |i| self.view(i))
    }

    /// Free slots for new chats with a skill: unlimited if any eligible agent is unlimited, else
    /// the sum of their free capacity. A skill the floor does not define has 0. Constant time.
    ///
    /// # Examples
    ///
    /// ```
    /// use chatcap_core::{Agent, AgentState, Capacity, Floor, Skill, Slots, Snapshot};
    /// let floor = Floor::new(Snapshot {
    ///     skills: vec![Skill::new("s")],
    ///     agents: vec![
    ///         Agent::new("1", AgentState::Online, Capacity::Limited(3)).with_active_chats(1).with_skills(["s".into()]),
    ///         Agent::new("2", AgentState::Occupied, Capacity::Limited(3)).with_skills(["s".into()]),
    ///         Agent::new("3", AgentState::Online, Capacity::Limited(1)).with_active_chats(4).with_skills(["s".into()]),
    ///     ],
    ///     ..Snapshot::default()
    /// })?;
    /// assert_eq!(floor.slots("s"), Slots::Count(2)); // 2 from agent 1; Occupied and over-limit add none
    /// assert_eq!(floor.slots("unknown"), Slots::Count(0));
    /// # Ok::<(), chatcap_core::ModelError>(())
    /// ```
    #[inline]
    pub fn slots(&self, skill: impl SkillKey) -> Slots {
        match skill.resolve(self) {
            Some(idx) => self.skill_agg[idx.get()].free_slots(),
            None => Slots::ZERO,
        }
    }

    /// Free slots for new chats over the whole floor, each agent counted once. Constant time.
    #[inline]
    pub fn slots_total(&self) -> Slots {
        self.total_agg.free_slots()
    }

    /// Free slots of one agent: its free capacity if it is `Online`, else 0.
    ///
    /// # Errors
    ///
    /// [`ModelError::UnknownAgent`] when the agent is not on the floor.
    pub fn agent_slots(&self, agent: &AgentId) -> Result<Slots, ModelError> {
        self.agent(agent)
            .map(|a| a.slots_for_new_chats())
            .ok_or_else(|| ModelError::UnknownAgent { agent: agent.clone() })
    }

    /// Free slots of the agent with a login name (LivePerson's `agent` parameter).
    ///
    /// # Errors
    ///
    /// [`ModelError::UnknownLogin`] when no agent has that login.
    pub fn agent_slots_by_login(&self, login: &str) -> Result<Slots, ModelError> {
        self.agent_by_login(login)
            .map(|a| a.slots_for_new_chats())
            .ok_or_else(|| ModelError::UnknownLogin { login: login.to_owned() })
    }

    /// The counts behind the slots of a scope. Constant time.
    #[inline]
    pub fn summary(&self, scope: Scope) -> Summary {
        let (agg, queued) = match scope {
            Scope::All => (&self.total_agg, self.visitors.len() as u64),
            Scope::Skill(idx) => match (self.skill_agg.get(idx.get()), self.queues.get(idx.get())) {
                (Some(agg), Some(q)) => (agg, q.by_service.len() as u64),
                _ => return Summary::EMPTY,
            },
        };
        Summary {
            eligible_agents: agg.eligible,
            unlimited_agents: agg.unlimited,
            free: agg.free_slots(),
            busy: saturate(agg.busy),
            releasable: saturate(agg.releasable),
            queued,
        }
    }

    /// Visitors waiting for a skill (0 for a skill the floor does not define).
    #[inline]
    pub fn queue_len(&self, skill: impl SkillKey) -> u64 {
        skill.resolve(self).map_or(0, |idx| self.queues[idx.get()].by_service.len() as u64)
    }

    /// The visitor a skill's queue serves next: highest priority, then earliest arrival.
    pub fn queue_head(&self, skill: impl SkillKey) -> Option<QueuedVisitor> {
        let idx = skill.resolve(self)?;
        let &(Reverse(priority), arrived_at, id) = self.queues[idx.get()].by_service.first()?;
        Some(QueuedVisitor { id, skill: self.skills[idx.get()].id.clone(), arrived_at, priority })
    }

    /// When the longest-waiting visitor of a skill arrived, if anyone waits.
    pub fn oldest_arrival(&self, skill: impl SkillKey) -> Option<Timestamp> {
        let idx = skill.resolve(self)?;
        self.queues[idx.get()].by_arrival.first().map(|&(t, _)| t)
    }

    /// How many visitors have left a skill's queue to be served, and how many abandoned it,
    /// through events since the floor was built.
    pub fn queue_exits(&self, skill: impl SkillKey) -> (u64, u64) {
        skill.resolve(self).map_or((0, 0), |idx| {
            let q = &self.queues[idx.get()];
            (q.dequeued, q.abandoned)
        })
    }

    /// The floor as plain data again, at its current time, with every agent's time in state.
    ///
    /// # Examples
    ///
    /// ```
    /// use chatcap_core::{Agent, AgentState, Capacity, Floor, Skill, Snapshot};
    /// use std::time::Duration;
    /// let snapshot = Snapshot {
    ///     skills: vec![Skill::new("s")],
    ///     agents: vec![Agent::new("1", AgentState::Online, Capacity::Unlimited)
    ///         .with_skills(["s".into()])
    ///         .with_time_in_state(Duration::from_secs(30))],
    ///     ..Snapshot::default()
    /// };
    /// assert_eq!(Floor::new(snapshot.clone())?.to_snapshot(), snapshot);
    /// # Ok::<(), chatcap_core::ModelError>(())
    /// ```
    pub fn to_snapshot(&self) -> Snapshot {
        let agents = self.agents().map(|a| a.to_agent()).collect();
        // Sorted by id below: the map's order never shows.
        #[allow(clippy::disallowed_methods)]
        let mut queue: Vec<QueuedVisitor> = self
            .visitors
            .iter()
            .map(|(&id, v)| QueuedVisitor {
                id,
                skill: self.skills[v.skill.get()].id.clone(),
                arrived_at: v.arrived_at,
                priority: v.priority,
            })
            .collect();
        queue.sort_by_key(|v| v.id);
        Snapshot { taken_at: self.now, skills: self.skills().cloned().collect(), agents, queue }
    }

    /// Applies one event at time `now`, updating every aggregate it touches.
    ///
    /// Costs time in proportion to the skills of the agents the event names, or the log of the
    /// queue length for visitor events.
    ///
    /// # Errors
    ///
    /// A [`ModelError`] when the event is earlier than the floor's time, names an agent, skill or
    /// visitor the floor does not know, ends a chat an agent does not hold, transfers a chat to
    /// its holder, adds a skill an agent has or removes one it lacks, or queues a visitor twice.
    /// The floor is then unchanged.
    ///
    /// # Examples
    ///
    /// ```
    /// use chatcap_core::{Agent, AgentId, AgentState, Capacity, Event, Floor, ModelError, Snapshot, Timestamp, Weight};
    /// let mut floor = Floor::new(Snapshot {
    ///     agents: vec![Agent::new("1", AgentState::Online, Capacity::Limited(2))],
    ///     ..Snapshot::default()
    /// })?;
    /// let a = AgentId::from("1");
    /// let err = floor.apply(Timestamp::from_millis(5), Event::ChatEnded { agent: &a, weight: Weight::ONE }).unwrap_err();
    /// assert_eq!(err, ModelError::NoActiveChat { agent: a });
    /// # Ok::<(), chatcap_core::ModelError>(())
    /// ```
    pub fn apply(&mut self, now: Timestamp, event: Event<'_>) -> Result<(), ModelError> {
        if now < self.now {
            return Err(ModelError::EventInPast { at: now, floor_time: self.now });
        }
        match event {
            Event::AgentJoined { agent } => {
                if self.agent_idx(&agent.id).is_ok() {
                    return Err(ModelError::AgentOnFloor { agent: agent.id.clone() });
                }
                if let Some(login) = &agent.login
                    && let Some(holder) = self.agent_by_login(login)
                {
                    return Err(ModelError::DuplicateLogin {
                        login: login.clone(),
                        first: holder.id().clone(),
                        second: agent.id.clone(),
                    });
                }
                let rec = self.validate_agent(agent.clone(), now)?;
                let i = self.place_agent(rec);
                for &s in self.agents[i as usize].skills.iter() {
                    let members = &mut self.members[s.get()];
                    if let Err(at) = members.binary_search(&i) {
                        members.insert(at, i);
                    }
                }
            }
            Event::AgentLeft { agent } => {
                let i = self.agent_idx(agent)?;
                for &s in self.agents[i].skills.iter() {
                    let members = &mut self.members[s.get()];
                    if let Ok(at) = members.binary_search(&index_u32(i)) {
                        members.remove(at);
                    }
                }
                self.vacate(i);
            }
            Event::SkillDefined { skill } => {
                self.define_skill(skill);
            }
            Event::ChatsCounted { agent, active, load } => {
                let i = self.agent_idx(agent)?;
                let load = load_of(agent, active, load)?;
                self.update_agent(i, |a| {
                    a.active = active;
                    a.load = load;
                });
            }
            Event::LoginChanged { agent, login } => {
                let i = self.agent_idx(agent)?;
                if let Some(login) = login
                    && let Some(holder) = self.agent_by_login(login)
                    && holder.id() != agent
                {
                    return Err(ModelError::DuplicateLogin {
                        login: login.to_owned(),
                        first: holder.id().clone(),
                        second: agent.clone(),
                    });
                }
                self.set_login(i, login.map(str::to_owned));
            }
            Event::GroupChanged { agent, group } => {
                let i = self.agent_idx(agent)?;
                self.agents[i].group = group.cloned();
            }
            Event::StateChanged { agent, state } => {
                let i = self.agent_idx(agent)?;
                self.update_agent(i, |a| {
                    if a.chat_state != state {
                        a.chat_state = state;
                        a.state_since = now;
                    }
                });
            }
            Event::VoiceStateChanged { agent, state } => {
                let i = self.agent_idx(agent)?;
                self.agents[i].voice_state = state;
            }
            Event::CapacityChanged { agent, capacity } => {
                let i = self.agent_idx(agent)?;
                self.update_agent(i, |a| a.capacity = capacity);
            }
            Event::ChatStarted { agent, weight } => {
                let i = self.agent_idx(agent)?;
                self.check_can_add_chat(i, weight)?;
                self.update_agent(i, |a| add_chat(a, weight));
            }
            Event::ChatEnded { agent, weight } => {
                let i = self.agent_idx(agent)?;
                self.check_can_end_chat(i, weight)?;
                self.update_agent(i, |a| end_chat(a, weight));
            }
            Event::ChatTransferred { from, to, weight } => {
                let f = self.agent_idx(from)?;
                let t = self.agent_idx(to)?;
                if f == t {
                    return Err(ModelError::TransferToSelf { agent: from.clone() });
                }
                self.check_can_end_chat(f, weight)?;
                self.check_can_add_chat(t, weight)?;
                self.update_agent(f, |a| end_chat(a, weight));
                self.update_agent(t, |a| add_chat(a, weight));
            }
            Event::SkillAdded { agent, skill } => {
                let i = self.agent_idx(agent)?;
                let s = self.skill_idx(skill)?;
                let rec = &mut self.agents[i];
                let Err(pos) = rec.skills.binary_search(&s) else {
                    return Err(ModelError::SkillAlreadyHeld { agent: agent.clone(), skill: skill.clone() });
                };
                rec.skills.insert(pos, s);
                if let Some(c) = rec.contribution() {
                    self.skill_agg[s.get()].add(c);
                }
                let members = &mut self.members[s.get()];
                if let Err(at) = members.binary_search(&index_u32(i)) {
                    members.insert(at, index_u32(i));
                }
            }
            Event::SkillRemoved { agent, skill } => {
                let i = self.agent_idx(agent)?;
                let s = self.skill_idx(skill)?;
                let rec = &mut self.agents[i];
                let Ok(pos) = rec.skills.binary_search(&s) else {
                    return Err(ModelError::SkillNotHeld { agent: agent.clone(), skill: skill.clone() });
                };
                rec.skills.remove(pos);
                if let Some(c) = rec.contribution() {
                    self.skill_agg[s.get()].remove(c);
                }
                let members = &mut self.members[s.get()];
                if let Ok(at) = members.binary_search(&index_u32(i)) {
                    members.remove(at);
                }
            }
            Event::VisitorQueued { visitor, skill, priority } => {
                let s = self.skill_idx(skill)?;
                self.enqueue(visitor, s, priority, now)?;
            }
            Event::VisitorDequeued { visitor } => {
                let s = self.dequeue(visitor)?;
                self.queues[s.get()].dequeued += 1;
            }
            Event::VisitorAbandoned { visitor } => {
                let s = self.dequeue(visitor)?;
                self.queues[s.get()].abandoned += 1;
            }
        }
        self.now = now;
        Ok(())
    }

    /// Puts a validated agent into a vacant place, or a new one, and indexes it everywhere but
    /// in the skills' member lists, which the caller keeps.
    fn place_agent(&mut self, mut rec: AgentRec) -> u32 {
        let i = match self.vacant.pop() {
            Some(i) => {
                rec.generation = self.agents[i as usize].generation;
                self.agents[i as usize] = rec;
                i
            }
            None => {
                self.agents.push(rec);
                index_u32(self.agents.len() - 1)
            }
        };
        let recs = &self.agents;
        let rec = &recs[i as usize];
        // Checked by the caller: neither the id nor the login is on the floor.
        let _ = self.agent_index.insert(rec.id.as_str(), i, |p| recs[p as usize].id.as_str());
        if let Some(login) = &rec.login {
            let _ =
                self.login_index.insert(login, i, |p| recs[p as usize].login.as_deref().unwrap_or_default());
        }
        if let Some(c) = rec.contribution() {
            self.total_agg.add(c);
            for s in &rec.skills {
                self.skill_agg[s.get()].add(c);
            }
        }
        i
    }

    /// Empties agent `i`'s place: out of the aggregates and the id and login indexes. The caller
    /// takes it out of the skills' member lists.
    fn vacate(&mut self, i: usize) {
        let rec = &self.agents[i];
        if let Some(c) = rec.contribution() {
            self.total_agg.remove(c);
            for s in &rec.skills {
                self.skill_agg[s.get()].remove(c);
            }
        }
        self.agent_index.remove(rec.id.as_str(), index_u32(i));
        if let Some(login) = &rec.login {
            self.login_index.remove(login, index_u32(i));
        }
        let id = rec.id.clone();
        let generation = rec.generation.wrapping_add(1);
        self.agents[i] = AgentRec::vacant(id, generation);
        self.vacant.push(index_u32(i));
    }

    /// Gives agent `i` a new login, keeping the login index; the caller has checked that no
    /// other agent holds it.
    fn set_login(&mut self, i: usize, login: Option<String>) {
        let pos = index_u32(i);
        if let Some(old) = self.agents[i].login.take() {
            self.login_index.remove(&old, pos);
        }
        self.agents[i].login = login;
        let recs = &self.agents;
        if let Some(new) = &recs[i].login {
            let _ =
                self.login_index.insert(new, pos, |p| recs[p as usize].login.as_deref().unwrap_or_default());
        }
    }

    /// Defines a skill, or renames it if the floor has it; returns its index and whether it is
    /// new.
    fn define_skill(&mut self, skill: &Skill) -> (SkillIdx, bool) {
        if let Some(&idx) = self.skill_index.get(skill.id.as_str()) {
            self.skills[idx.get()].name.clone_from(&skill.name);
            let revived = !std::mem::replace(&mut self.listed[idx.get()], true);
            return (idx, revived);
        }
        let idx = SkillIdx(index_u32(self.skills.len()));
        self.skills.push(skill.clone());
        self.listed.push(true);
        self.skill_index.insert(skill.id.clone(), idx);
        self.skill_agg.push(Aggregate::default());
        self.members.push(Vec::new());
        self.queues.push(SkillQueue::default());
        (idx, true)
    }

    pub(crate) fn agent_idx(&self, agent: &AgentId) -> Result<usize, ModelError> {
        self.agent_index
            .get(agent.as_str(), |p| self.agents[p as usize].id.as_str())
            .map(|i| i as usize)
            .ok_or_else(|| ModelError::UnknownAgent { agent: agent.clone() })
    }

    fn skill_idx(&self, skill: &SkillId) -> Result<SkillIdx, ModelError> {
        self.skill_index(skill.as_str()).ok_or_else(|| ModelError::UnknownSkill { skill: skill.clone() })
    }

    fn check_can_end_chat(&self, i: usize, w: Weight) -> Result<(), ModelError> {
        let a = &self.agents[i];
        if a.active == 0 {
            return Err(ModelError::NoActiveChat { agent: a.id.clone() });
        }
        let left = a.load.checked_sub(w.as_thousandths());
        // The last chat takes the whole load with it; any other leaves some behind.
        let consistent = match left {
            Some(0) => a.active == 1,
            Some(_) => a.active > 1,
            None => false,
        };
        if !consistent {
            return Err(ModelError::LoadMismatch {
                agent: a.id.clone(),
                active: a.active - 1,
                load_thousandths: i128::from(a.load) - i128::from(w.as_thousandths()),
            });
        }
        Ok(())
    }

    fn check_can_add_chat(&self, i: usize, w: Weight) -> Result<(), ModelError> {
        let a = &self.agents[i];
        if a.active == u32::MAX || a.load.checked_add(w.as_thousandths()).is_none() {
            return Err(ModelError::TooManyChats { agent: a.id.clone() });
        }
        Ok(())
    }

    /// Changes one agent and moves its contribution in every scope it belongs to.
    #[inline]
    fn update_agent(&mut self, i: usize, change: impl FnOnce(&mut AgentRec)) {
        let rec = &mut self.agents[i];
        let before = rec.contribution();
        change(rec);
        let after = rec.contribution();
        if before == after {
            return;
        }
        let apply = |agg: &mut Aggregate| {
            if let Some(c) = before {
                agg.remove(c);
            }
            if let Some(c) = after {
                agg.add(c);
            }
        };
        apply(&mut self.total_agg);
        for s in &rec.skills {
            apply(&mut self.skill_agg[s.get()]);
        }
    }

    fn enqueue(
        &mut self,
        visitor: VisitorId,
        skill: SkillIdx,
        priority: i32,
        arrived_at: Timestamp,
    ) -> Result<(), ModelError> {
        use std::collections::hash_map::Entry;
        match self.visitors.entry(visitor) {
            Entry::Occupied(_) => return Err(ModelError::DuplicateVisitor { visitor }),
            Entry::Vacant(slot) => {
                slot.insert(VisitorRec { skill, priority, arrived_at });
            }
        }
        let q = &mut self.queues[skill.get()];
        q.by_service.insert((Reverse(priority), arrived_at, visitor));
        q.by_arrival.insert((arrived_at, visitor));
        Ok(())
    }

    /// The next visitor of a skill's queue, without cloning anything.
    pub(crate) fn head_of(&self, skill: SkillIdx) -> Option<(VisitorId, Timestamp)> {
        let &(_, arrived_at, id) = self.queues.get(skill.get())?.by_service.first()?;
        Some((id, arrived_at))
    }

    /// Serves a queued visitor with agent `i`: the visitor leaves the queue, the agent takes the
    /// chat. The caller has checked that both exist and that `now` is not in the past.
    pub(crate) fn serve(&mut self, now: Timestamp, visitor: VisitorId, i: usize) -> Result<(), ModelError> {
        self.check_can_add_chat(i, Weight::ONE)?;
        let s = self.dequeue(visitor)?;
        self.queues[s.get()].dequeued += 1;
        self.update_agent(i, |a| add_chat(a, Weight::ONE));
        self.now = now;
        Ok(())
    }

    /// A new visitor of `skill` served at once by agent `i`, never queued; it counts as served
    /// from the queue.
    pub(crate) fn serve_arrival(
        &mut self,
        now: Timestamp,
        skill: SkillIdx,
        i: usize,
    ) -> Result<(), ModelError> {
        self.check_can_add_chat(i, Weight::ONE)?;
        self.queues[skill.get()].dequeued += 1;
        self.update_agent(i, |a| add_chat(a, Weight::ONE));
        self.now = now;
        Ok(())
    }

    /// As [`Event::ChatEnded`] for agent `i`, found by position instead of by id.
    pub(crate) fn end_chat_at(&mut self, now: Timestamp, i: usize, weight: Weight) -> Result<(), ModelError> {
        if now < self.now {
            return Err(ModelError::EventInPast { at: now, floor_time: self.now });
        }
        self.check_can_end_chat(i, weight)?;
        self.update_agent(i, |a| end_chat(a, weight));
        self.now = now;
        Ok(())
    }

    /// Whether a visitor waits in any queue.
    pub fn is_queued(&self, visitor: VisitorId) -> bool {
        self.visitors.contains_key(&visitor)
    }

    /// The index of an agent on the floor, if it is there.
    pub fn agent_index(&self, agent: &AgentId) -> Option<AgentIdx> {
        self.agent_idx(agent).ok().map(|i| self.index_at(i))
    }

    /// The agent an index names, if it is still on the floor.
    pub fn agent_by_index(&self, idx: AgentIdx) -> Option<AgentView<'_>> {
        let i = self.check_index(idx).ok()?;
        Some(self.view(i))
    }

    /// The place an index names, if the agent it was handed out for is still there.
    ///
    /// # Errors
    ///
    /// [`ModelError::StaleAgentIndex`] when the agent has left, or the index is from another
    /// floor.
    pub fn check_index(&self, idx: AgentIdx) -> Result<usize, ModelError> {
        match self.agents.get(idx.get()) {
            Some(rec) if rec.present && rec.generation == idx.generation && rec.tag == idx.tag => {
                Ok(idx.get())
            }
            _ => Err(ModelError::StaleAgentIndex { place: idx.get() }),
        }
    }

    /// The record at place `i`, vacant or not.
    #[inline]
    pub(crate) fn rec(&self, i: usize) -> &AgentRec {
        &self.agents[i]
    }

    /// How many places the floor has used: every place is below this.
    #[inline]
    pub(crate) fn places(&self) -> usize {
        self.agents.len()
    }

    /// The places of the agents with a skill, ascending.
    #[inline]
    pub(crate) fn members_of(&self, skill: SkillIdx) -> &[u32] {
        &self.members[skill.get()]
    }

    /// The agent at place `i`.
    fn view(&self, i: usize) -> AgentView<'_> {
        AgentView { floor: self, rec: &self.agents[i], place: i }
    }

    /// The index of the agent at place `i`.
    pub(crate) fn index_at(&self, i: usize) -> AgentIdx {
        let rec = &self.agents[i];
        AgentIdx { place: index_u32(i), generation: rec.generation, tag: rec.tag }
    }

    fn dequeue(&mut self, visitor: VisitorId) -> Result<SkillIdx, ModelError> {
        let v = self.visitors.remove(&visitor).ok_or(ModelError::UnknownVisitor { visitor })?;
        let q = &mut self.queues[v.skill.get()];
        q.by_service.remove(&(Reverse(v.priority), v.arrived_at, visitor));
        q.by_arrival.remove(&(v.arrived_at, visitor));
        Ok(v.skill)
    }
}

impl Summary {
    const EMPTY: Summary = Summary {
        eligible_agents: 0,
        unlimited_agents: 0,
        free: Slots::ZERO,
        busy: 0,
        releasable: 0,
        queued: 0,
    };
}

/// When the agent entered its chat state, from its time in state at `taken_at`; `None` when
/// the snapshot does not say.
fn state_since(agent: &Agent, taken_at: Timestamp) -> Result<Option<Timestamp>, ModelError> {
    let Some(in_state) = agent.time_in_state else { return Ok(None) };
    let in_state_ms = in_state.as_millis();
    i64::try_from(in_state_ms)
        .ok()
        .and_then(|ms| taken_at.as_millis().checked_sub(ms))
        .map(|ms| Some(Timestamp::from_millis(ms)))
        .ok_or_else(|| ModelError::TimeInStateOutOfRange { agent: agent.id.clone(), millis: in_state_ms })
}

/// An agent's load in thousandths of a slot, from its chats and their weighted load.
fn load_of(agent: &AgentId, active: u32, load: Option<Weight>) -> Result<u64, ModelError> {
    match load {
        None => Ok(u64::from(active) * Weight::SCALE),
        Some(w) if active > 0 => Ok(w.as_thousandths()),
        Some(w) => Err(ModelError::LoadMismatch {
            agent: agent.clone(),
            active: 0,
            load_thousandths: i128::from(w.as_thousandths()),
        }),
    }
}

/// Checked by the caller: neither count overflows.
fn add_chat(a: &mut AgentRec, w: Weight) {
    a.active += 1;
    a.load += w.as_thousandths();
}

/// Checked by the caller: the agent holds the chat and its load.
fn end_chat(a: &mut AgentRec, w: Weight) {
    a.active -= 1;
    a.load -= w.as_thousandths();
}

/// The 32 bits of an id's hash that an [`AgentIdx`] carries.
fn id_tag(id: &AgentId) -> u32 {
    (crate::hash::hash_str(id.as_str()) >> 32) as u32
}

fn index_u32(i: usize) -> u32 {
    // A floor of more than 4 billion agents or skills does not fit in memory anyway.
    u32::try_from(i).unwrap_or(u32::MAX)
}

/// One agent on a floor, read-only.
#[derive(Clone, Copy)]
pub struct AgentView<'a> {
    floor: &'a Floor,
    rec: &'a AgentRec,
    place: usize,
}

impl fmt::Debug for AgentView<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The agent, not the whole floor it points into.
        self.rec.fmt(f)
    }
}

impl<'a> AgentView<'a> {
    /// The agent's index on its floor.
    pub fn index(&self) -> AgentIdx {
        self.floor.index_at(self.place)
    }

    /// The agent's id.
    pub fn id(&self) -> &'a AgentId {
        &self.rec.id
    }

    /// The login name, if known.
    pub fn login(&self) -> Option<&'a str> {
        self.rec.login.as_deref()
    }

    /// The chat state.
    pub fn chat_state(&self) -> AgentState {
        self.rec.chat_state
    }

    /// The voice state, where reported.
    pub fn voice_state(&self) -> Option<AgentState> {
        self.rec.voice_state
    }

    /// The concurrent-chat limit.
    pub fn capacity(&self) -> Capacity {
        self.rec.capacity
    }

    /// Chats held now.
    pub fn active_chats(&self) -> u32 {
        self.rec.active
    }

    /// What the held chats cost of the limit together (`None` with no chats).
    pub fn load(&self) -> Option<Weight> {
        Weight::from_thousandths(self.rec.load)
    }

    /// Free capacity whatever the state, in whole slots: `max(0, limit - load)` rounded down,
    /// or unlimited. With plain chats, `max(0, limit - active)`.
    pub fn free(&self) -> Slots {
        self.rec.free_slots()
    }

    /// Free slots for new chats: [`free`](Self::free) if `Online`, else 0.
    pub fn slots_for_new_chats(&self) -> Slots {
        if self.rec.chat_state.takes_new_chats() { self.free() } else { Slots::ZERO }
    }

    /// Whether the agent may be given new chats: `Online` and not `Limited(0)`.
    pub fn is_eligible_for_new_chats(&self) -> bool {
        self.rec.contribution().is_some()
    }

    /// The agent's skills, in the floor's skill order.
    pub fn skills(&self) -> impl ExactSizeIterator<Item = &'a SkillId> + 'a {
        let floor = self.floor;
        self.rec.skills.iter().map(move |s| &floor.skills[s.get()].id)
    }

    /// Whether the agent has a skill.
    pub fn has_skill(&self, skill: impl SkillKey) -> bool {
        skill.resolve(self.floor).is_some_and(|s| self.rec.skills.binary_search(&s).is_ok())
    }

    /// The agent's group, if any.
    pub fn group(&self) -> Option<&'a GroupId> {
        self.rec.group.as_ref()
    }

    /// When the agent entered its chat state.
    pub fn state_since(&self) -> Timestamp {
        self.rec.state_since
    }

    /// How long the agent has been in its chat state at `now` (zero if `now` is earlier).
    pub fn time_in_state(&self, now: Timestamp) -> Duration {
        now.saturating_duration_since(self.rec.state_since)
    }

    /// The agent as plain data, with its time in state at the floor's time.
    pub fn to_agent(&self) -> Agent {
        Agent {
            id: self.rec.id.clone(),
            login: self.rec.login.clone(),
            chat_state: self.rec.chat_state,
            voice_state: self.rec.voice_state,
            capacity: self.rec.capacity,
            active_chats: self.rec.active,
            // Plain chats need no load: keep the snapshot as it would be written.
            load: Weight::from_thousandths(self.rec.load)
                .filter(|&w| u64::from(self.rec.active) * Weight::SCALE != w.as_thousandths()),
            skills: self.skills().cloned().collect(),
            group: self.rec.group.clone(),
            time_in_state: Some(self.time_in_state(self.floor.now)),
        }
    }
}
