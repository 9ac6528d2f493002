//! The indexed floor: validated once, updated by events or by later snapshots, queried in
//! constant time.
//!
//! By concern: `agent` (records, indices, views), `aggregate` (the running sums and the slots
//! queries that read them), `queue` (per-skill queues), `events` (one change at a time),
//! `sync` (a whole snapshot at a time), `sync_key` (what a sync compares, per place, compact)
//! and `skill_list` (an agent's skills, inline). This file holds the floor itself: building it
//! from a snapshot, its skills, and the way back to plain data.

mod agent;
mod aggregate;
mod events;
mod queue;
mod skill_list;
mod sync;
mod sync_key;

pub(crate) use agent::AgentRec;
use agent::id_tag;
pub use agent::{AgentIdx, AgentView};
pub use aggregate::Summary;
use aggregate::{Aggregate, Contribution};
pub use events::Event;
use queue::{SkillQueue, VisitorRec};
use skill_list::SkillList;
pub use sync::SyncReport;
use sync_key::SyncKeys;

use crate::error::AgentProblem;
use crate::hash::{FxMap, StrIndex};
use crate::{
    Agent, AgentId, LookupError, QueuedVisitor, Skill, SkillId, Snapshot, SnapshotError, Timestamp,
    VisitorId, Weight,
};

/// A skill's position on one floor: the cheapest way to name a skill in a hot loop.
///
/// An index is never given to another skill, so it names the same skill for that floor's
/// lifetime: a skill a later snapshot no longer lists is retired (a query naming it is an
/// [`LookupError::UnknownSkill`]) and comes back at the same index if listed again.
///
/// An index carries 32 bits of its skill id's hash, checked on every use: an index from
/// another floor names the same skill if that floor has it at the same position, and is a
/// [`LookupError::ForeignSkillIndex`] otherwise (two different skill ids at the same position
/// pass the check only if their hashes agree in those 32 bits).
///
/// # Examples
///
/// ```
/// use chatcap_core::{Floor, LookupError, Skill, Snapshot};
/// let floor = Floor::new(Snapshot { skills: vec![Skill::new("sales")], ..Snapshot::default() })?;
/// let sales = floor.skill_index("sales").unwrap();
/// assert_eq!(floor.skill(sales).unwrap().id.as_str(), "sales");
///
/// // The same position on a floor where another skill sits there is an error, not an answer.
/// let other = Floor::new(Snapshot { skills: vec![Skill::new("billing")], ..Snapshot::default() })?;
/// assert_eq!(other.slots(sales), Err(LookupError::ForeignSkillIndex { index: 0 }));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SkillIdx {
    pos: SkillPos,
    tag: u32,
}

impl SkillIdx {
    /// The position in the floor's skill list.
    #[inline]
    pub const fn get(self) -> usize {
        self.pos.get()
    }

    /// The position, for the floor's own arrays.
    #[inline]
    pub(crate) const fn pos(self) -> SkillPos {
        self.pos
    }
}

/// A skill's position in the floor's own arrays: what an agent's skill list and the per-skill
/// tables hold. Public queries take a [`SkillIdx`], which is checked against the floor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct SkillPos(u32);

impl SkillPos {
    /// The position in the floor's skill list.
    #[inline]
    pub(crate) const fn get(self) -> usize {
        self.0 as usize
    }
}

/// 32 bits of a skill id's hash, which a [`SkillIdx`] carries to be checked against.
fn skill_tag(id: &SkillId) -> u32 {
    (crate::hash::hash_str(id.as_str()) >> 32) as u32
}

/// Anything that names a skill on a floor: a [`SkillIdx`], a [`SkillId`] or its text.
///
/// Queries that take a skill accept any of these. A name the floor does not define (or a
/// skill it retired) is a [`LookupError::UnknownSkill`]; an index the floor did not give is a
/// [`LookupError::ForeignSkillIndex`]. The trait is sealed: these are the ways to name a
/// skill, and the set may grow.
pub trait SkillKey: sealed::Sealed {
    /// The skill's index on `floor`, if the floor defines it.
    #[doc(hidden)]
    fn resolve(&self, floor: &Floor) -> Result<SkillIdx, LookupError>;
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
    fn resolve(&self, floor: &Floor) -> Result<SkillIdx, LookupError> {
        floor.check_skill(*self)
    }
}

impl SkillKey for SkillId {
    #[inline]
    fn resolve(&self, floor: &Floor) -> Result<SkillIdx, LookupError> {
        self.as_str().resolve(floor)
    }
}

impl SkillKey for &SkillId {
    #[inline]
    fn resolve(&self, floor: &Floor) -> Result<SkillIdx, LookupError> {
        self.as_str().resolve(floor)
    }
}

impl SkillKey for &str {
    #[inline]
    fn resolve(&self, floor: &Floor) -> Result<SkillIdx, LookupError> {
        floor.skill_index(self).ok_or_else(|| LookupError::UnknownSkill { skill: SkillId::from(*self) })
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
/// assert_eq!(floor.slots("billing")?, Slots::Count(2));
/// floor.apply(Timestamp::from_millis(1_000), Event::ChatStarted { agent: &AgentId::from("a1"), weight: Weight::ONE })?;
/// assert_eq!(floor.slots("billing")?, Slots::Count(1));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct Floor {
    now: Timestamp,
    /// Every skill ever defined, by index.
    skills: Vec<Skill>,
    /// Per skill, whether it is defined now (false: retired by a sync).
    listed: Vec<bool>,
    /// Per skill, its id's tag, which its [`SkillIdx`] carries.
    skill_tags: Vec<u32>,
    skill_index: FxMap<SkillId, SkillPos>,
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
    /// Per place, a compact copy of what a sync compares.
    sync_keys: SyncKeys,
}

impl Floor {
    /// Validates a snapshot and indexes it.
    ///
    /// # Errors
    ///
    /// A [`SnapshotError`] naming the first problem found: a repeated agent id, login, skill or
    /// visitor; an agent or visitor naming an undefined skill; an agent listing a skill twice; a
    /// visitor that arrived after the snapshot was taken; a time in state beyond the
    /// representable range; a load given for an agent without chats.
    ///
    /// # Examples
    ///
    /// ```
    /// use chatcap_core::{Agent, AgentState, Capacity, Floor, Snapshot, SnapshotError};
    /// let a = Agent::new("9", AgentState::Online, Capacity::Limited(1)).with_skills(["nope".into()]);
    /// let err = Floor::new(Snapshot { agents: vec![a], ..Snapshot::default() }).unwrap_err();
    /// assert_eq!(err, SnapshotError::UnknownAgentSkill { agent: "9".into(), skill: "nope".into() });
    /// ```
    pub fn new(snapshot: Snapshot) -> Result<Floor, SnapshotError> {
        let Snapshot { taken_at, skills, agents, queue } = snapshot;

        let mut skill_index = FxMap::default();
        skill_index.reserve(skills.len());
        for (i, skill) in skills.iter().enumerate() {
            let idx = SkillPos(index_u32(i));
            if skill_index.insert(skill.id.clone(), idx).is_some() {
                return Err(SnapshotError::DuplicateSkill { skill: skill.id.clone() });
            }
        }

        let mut floor = Floor {
            now: taken_at,
            skill_agg: vec![Aggregate::default(); skills.len()],
            members: vec![Vec::new(); skills.len()],
            queues: vec![SkillQueue::default(); skills.len()],
            listed: vec![true; skills.len()],
            skill_tags: skills.iter().map(|s| skill_tag(&s.id)).collect(),
            skills,
            skill_index,
            agents: Vec::with_capacity(agents.len()),
            vacant: Vec::new(),
            agent_index: StrIndex::with_capacity(agents.len()),
            login_index: StrIndex::with_capacity(agents.iter().filter(|a| a.login.is_some()).count()),
            total_agg: Aggregate::default(),
            visitors: FxMap::default(),
            sync_keys: SyncKeys::default(),
        };

        for agent in agents {
            let rec = floor.validate_agent(agent, taken_at)?;
            let i = index_u32(floor.agents.len());
            let recs = &floor.agents;
            if floor.agent_index.insert(rec.id.as_str(), i, |p| recs[p as usize].id.as_str()).is_err() {
                return Err(SnapshotError::DuplicateAgent { agent: rec.id });
            }
            if let Some(login) = &rec.login {
                let login_at = |p: u32| recs[p as usize].login.as_deref().unwrap_or_default();
                if let Err(first) = floor.login_index.insert(login, i, login_at) {
                    return Err(SnapshotError::DuplicateLogin {
                        login: login.to_string(),
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
        floor.sync_keys = SyncKeys::new(&floor.agents);

        floor.visitors.reserve(queue.len());
        for v in queue {
            let Some(skill) = floor.pos_by_name(v.skill.as_str()) else {
                return Err(SnapshotError::UnknownQueueSkill { visitor: v.id, skill: v.skill });
            };
            if v.arrived_at > taken_at {
                return Err(SnapshotError::VisitorFromFuture {
                    visitor: v.id,
                    arrived_at: v.arrived_at,
                    taken_at,
                });
            }
            if let Err(visitor) = floor.enqueue(v.id, skill, v.priority, v.arrived_at) {
                return Err(SnapshotError::DuplicateVisitor { visitor });
            }
        }
        Ok(floor)
    }

    fn validate_agent(&self, agent: Agent, taken_at: Timestamp) -> Result<AgentRec, AgentProblem> {
        let mut skills = Vec::with_capacity(agent.skills.len());
        for skill in agent.skills.iter() {
            let Some(idx) = self.pos_by_name(skill.as_str()) else {
                return Err(AgentProblem::UnknownSkill { agent: agent.id, skill: skill.clone() });
            };
            skills.push(idx);
        }
        skills.sort_unstable();
        if let Some(w) = skills.windows(2).find(|w| w[0] == w[1]) {
            let skill = self.skills[w[0].get()].id.clone();
            return Err(AgentProblem::DuplicateSkill { agent: agent.id, skill });
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
        self.listed
            .iter()
            .enumerate()
            .filter(|(_, on)| **on)
            .map(|(i, _)| self.idx_of(SkillPos(index_u32(i))))
    }

    /// The index of a skill, if the floor defines it.
    #[inline]
    pub fn skill_index(&self, skill: &str) -> Option<SkillIdx> {
        self.pos_by_name(skill).map(|s| self.idx_of(s))
    }

    /// The skill at an index, if the floor defines it and gave the index.
    pub fn skill(&self, idx: SkillIdx) -> Option<&Skill> {
        self.check_skill(idx).ok().map(|idx| &self.skills[idx.get()])
    }

    /// `idx` if it names a skill the floor defines now.
    ///
    /// # Errors
    ///
    /// [`LookupError::ForeignSkillIndex`] for an index the floor did not give;
    /// [`LookupError::UnknownSkill`] for the index of a skill a sync retired.
    #[inline]
    pub fn check_skill(&self, idx: SkillIdx) -> Result<SkillIdx, LookupError> {
        let p = idx.get();
        if self.skill_tags.get(p) == Some(&idx.tag) && self.listed[p] {
            Ok(idx)
        } else {
            Err(self.skill_error(idx))
        }
    }

    /// Why `idx` names no skill defined now: out of the way of the queries' fast path.
    #[cold]
    #[inline(never)]
    fn skill_error(&self, idx: SkillIdx) -> LookupError {
        match self.skill_tags.get(idx.get()) {
            Some(&tag) if tag == idx.tag => {
                LookupError::UnknownSkill { skill: self.skills[idx.get()].id.clone() }
            }
            _ => LookupError::ForeignSkillIndex { index: idx.get() },
        }
    }

    /// The position of a skill the floor defines now, by id.
    #[inline]
    pub(crate) fn pos_by_name(&self, skill: &str) -> Option<SkillPos> {
        self.skill_index.get(skill).copied().filter(|s| self.listed[s.get()])
    }

    /// The public index of a position the floor gave out.
    #[inline]
    pub(crate) fn idx_of(&self, pos: SkillPos) -> SkillIdx {
        SkillIdx { pos, tag: self.skill_tags[pos.get()] }
    }

    /// The position a key names, if the floor defines that skill.
    #[inline]
    pub(crate) fn pos_of(&self, skill: impl SkillKey) -> Result<SkillPos, LookupError> {
        skill.resolve(self).map(SkillIdx::pos)
    }

    /// How many skill indices the floor has given out, retired ones included: every
    /// position it hands out is below this.
    pub(crate) fn skill_places(&self) -> usize {
        self.skills.len()
    }

    /// The skill at an index, retired or not.
    pub(crate) fn skill_at(&self, idx: SkillPos) -> &Skill {
        &self.skills[idx.get()]
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
    /// # Ok::<(), Box<dyn std::error::Error>>(())
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
}

/// When the agent entered its chat state, from its time in state at `taken_at`; `None` when
/// the snapshot does not say.
fn state_since(agent: &Agent, taken_at: Timestamp) -> Result<Option<Timestamp>, AgentProblem> {
    let Some(in_state) = agent.time_in_state else { return Ok(None) };
    let in_state_ms = in_state.as_millis();
    i64::try_from(in_state_ms)
        .ok()
        .and_then(|ms| taken_at.as_millis().checked_sub(ms))
        .map(|ms| Some(Timestamp::from_millis(ms)))
        .ok_or_else(|| AgentProblem::TimeInState { agent: agent.id.clone(), millis: in_state_ms })
}

/// An agent's load in thousandths of a slot, from its chats and their weighted load.
fn load_of(agent: &AgentId, active: u32, load: Option<Weight>) -> Result<u64, AgentProblem> {
    match load {
        None => Ok(u64::from(active) * Weight::SCALE),
        Some(w) if active > 0 => Ok(w.as_thousandths()),
        Some(w) => {
            Err(AgentProblem::Load { agent: agent.clone(), load_thousandths: i128::from(w.as_thousandths()) })
        }
    }
}

fn index_u32(i: usize) -> u32 {
    // A floor of more than 4 billion agents or skills does not fit in memory anyway.
    u32::try_from(i).unwrap_or(u32::MAX)
}
