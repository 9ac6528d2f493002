//! The indexed floor: validated once, updated by events, queried in constant time.

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
/// Skills are never removed from a floor, so an index stays valid for that floor's lifetime. An
/// index from another floor names whatever skill sits at that position here, or none.
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

/// Anything that names a skill on a floor: a [`SkillIdx`], a [`SkillId`] or its text.
///
/// Queries that take a skill accept any of these; an unknown skill is a skill no agent has.
pub trait SkillKey {
    /// The skill's index on `floor`, if the floor defines it.
    fn resolve(&self, floor: &Floor) -> Option<SkillIdx>;
}

impl SkillKey for SkillIdx {
    #[inline]
    fn resolve(&self, floor: &Floor) -> Option<SkillIdx> {
        (self.get() < floor.skills.len()).then_some(*self)
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

/// A change on the floor. Apply it with [`Floor::apply`].
///
/// Events borrow their ids, so applying one allocates nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event<'a> {
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
    pub(crate) id: AgentId,
    login: Option<String>,
    pub(crate) chat_state: AgentState,
    voice_state: Option<AgentState>,
    pub(crate) capacity: Capacity,
    pub(crate) active: u32,
    /// What the held chats cost together, in thousandths of a slot; 0 exactly when `active` is 0.
    pub(crate) load: u64,
    /// Sorted, no repeats.
    pub(crate) skills: Vec<SkillIdx>,
    group: Option<GroupId>,
    pub(crate) state_since: Timestamp,
}

impl AgentRec {
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
/// Built once from a [`Snapshot`], then kept current with [`Floor::apply`]. Every event costs
/// time in proportion to the skills of the agent it names (queue events: the log of the queue
/// length); every slots query costs constant time, whatever the size of the floor.
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
    skills: Vec<Skill>,
    skill_index: FxMap<SkillId, SkillIdx>,
    pub(crate) agents: Vec<AgentRec>,
    agent_index: StrIndex,
    login_index: StrIndex,
    skill_agg: Vec<Aggregate>,
    /// Per skill, the agents that have it, by position, ascending.
    pub(crate) members: Vec<Vec<u32>>,
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
            skills,
            skill_index,
            agents: Vec::with_capacity(agents.len()),
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
        let in_state_ms = agent.time_in_state.as_millis();
        let state_since = i64::try_from(in_state_ms)
            .ok()
            .and_then(|ms| taken_at.as_millis().checked_sub(ms))
            .map(Timestamp::from_millis)
            .ok_or_else(|| ModelError::TimeInStateOutOfRange {
                agent: agent.id.clone(),
                millis: in_state_ms,
            })?;
        let load = match agent.load {
            None => u64::from(agent.active_chats) * Weight::SCALE,
            Some(w) if agent.active_chats > 0 => w.as_thousandths(),
            Some(w) => {
                return Err(ModelError::LoadMismatch { agent: agent.id, active: 0, load: w.to_string() });
            }
        };
        Ok(AgentRec {
            id: agent.id,
            login: agent.login,
            chat_state: agent.chat_state,
            voice_state: agent.voice_state,
            capacity: agent.capacity,
            active: agent.active_chats,
            load,
            skills,
            group: agent.group,
            state_since,
        })
    }

    /// The floor's time: the snapshot time, or the time of the latest event applied.
    pub fn now(&self) -> Timestamp {
        self.now
    }

    /// How many agents are on the floor, in any state.
    pub fn agent_count(&self) -> usize {
        self.agents.len()
    }

    /// The skills, in snapshot order.
    pub fn skills(&self) -> &[Skill] {
        &self.skills
    }

    /// The index of every skill, in snapshot order.
    pub fn skill_indices(&self) -> impl ExactSizeIterator<Item = SkillIdx> + use<> {
        (0..index_u32(self.skills.len())).map(SkillIdx)
    }

    /// The index of a skill, if the floor defines it.
    #[inline]
    pub fn skill_index(&self, skill: &str) -> Option<SkillIdx> {
        self.skill_index.get(skill).copied()
    }

    /// The skill at an index, if there is one.
    pub fn skill(&self, idx: SkillIdx) -> Option<&Skill> {
        self.skills.get(idx.get())
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
        Some(AgentView { floor: self, rec: &self.agents[i as usize] })
    }

    /// The agent with a login name, if it is on the floor.
    pub fn agent_by_login(&self, login: &str) -> Option<AgentView<'_>> {
        let i =
            self.login_index.get(login, |p| self.agents[p as usize].login.as_deref().unwrap_or_default())?;
        Some(AgentView { floor: self, rec: &self.agents[i as usize] })
    }

    /// Every agent, in snapshot order.
    pub fn agents(&self) -> impl ExactSizeIterator<Item = AgentView<'_>> + '_ {
        self.agents.iter().map(move |rec| AgentView { floor: self, rec })
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

    /// The floor as plain data again, at its current time.
    ///
    /// # Examples
    ///
    /// ```
    /// use chatcap_core::{Agent, AgentState, Capacity, Floor, Skill, Snapshot};
    /// let snapshot = Snapshot {
    ///     skills: vec![Skill::new("s")],
    ///     agents: vec![Agent::new("1", AgentState::Online, Capacity::Unlimited).with_skills(["s".into()])],
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
        Snapshot { taken_at: self.now, skills: self.skills.clone(), agents, queue }
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
                load: format_thousandths(a.load as i128 - w.as_thousandths() as i128),
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

    /// The agent's position in snapshot order, the order of [`Floor::agents`].
    pub fn position(&self, agent: &AgentId) -> Option<usize> {
        self.agent_idx(agent).ok()
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

/// Thousandths of a slot as a decimal number of slots: `1500` is `1.5`.
fn format_thousandths(t: i128) -> String {
    let d = rust_decimal::Decimal::from_i128_with_scale(t, 3).normalize();
    d.to_string()
}

fn index_u32(i: usize) -> u32 {
    // A floor of more than 4 billion agents or skills does not fit in memory anyway.
    u32::try_from(i).unwrap_or(u32::MAX)
}

/// One agent on a floor, read-only.
#[derive(Clone, Copy)]
pub struct AgentView<'a> {
    pub(crate) floor: &'a Floor,
    pub(crate) rec: &'a AgentRec,
}

impl fmt::Debug for AgentView<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The agent, not the whole floor it points into.
        self.rec.fmt(f)
    }
}

impl<'a> AgentView<'a> {
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
            time_in_state: self.time_in_state(self.floor.now),
        }
    }
}
