//! Agents on a floor: their records, the indices that name them, and the read-only views of
//! them that queries hand out.

use std::fmt;
use std::time::Duration;

use super::{Contribution, Floor, SkillKey, SkillList, SkillPos, index_u32};
use crate::{
    Agent, AgentId, AgentState, Capacity, EventError, GroupId, LookupError, SkillId, Slots, Timestamp, Weight,
};

/// An agent's place on one floor: the cheapest way to name an agent in a hot loop, as
/// [`SkillIdx`](crate::SkillIdx) is for skills. Get one from [`Floor::agent_index`], [`AgentView::index`] or a
/// routing [`Assignment`](crate::Assignment).
///
/// An index names the agent that held the place when the index was handed out. Once that
/// agent leaves the index is stale, and calls that take it answer
/// [`LookupError::StaleAgentIndex`], never about the agent that took the place next. An index
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
/// assert_eq!(floor.check_index(b), Err(LookupError::StaleAgentIndex { place: 1 }));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AgentIdx {
    pub(super) place: u32,
    pub(super) generation: u32,
    pub(super) tag: u32,
}

impl AgentIdx {
    /// The place on the floor: below the number of places the floor has used, so callers can
    /// keep their own per-agent arrays indexed by it.
    pub const fn get(self) -> usize {
        self.place as usize
    }
}

/// An agent's record. What routing and a chat's start or end read comes first and the whole
/// record starts on a cache line, so that those read one line of it (on a floor of 100,000
/// agents, records straddling lines cost a cache miss more per event); ids, login, group and
/// the time in state come after.
#[derive(Clone, Debug)]
#[repr(C, align(64))]
pub(crate) struct AgentRec {
    /// What the held chats cost together, in thousandths of a slot; 0 exactly when `active` is 0.
    pub(super) load: u64,
    pub(super) capacity: Capacity,
    /// Sorted, no repeats.
    pub(super) skills: SkillList,
    /// How many agents have left this place: an [`AgentIdx`] of an earlier generation is stale.
    pub(super) generation: u32,
    /// 32 bits of the id's hash, which an [`AgentIdx`] carries to be checked against.
    pub(super) tag: u32,
    pub(super) active: u32,
    /// False for a place an agent left: it holds nothing until another agent joins into it.
    pub(super) present: bool,
    pub(super) chat_state: AgentState,
    pub(super) voice_state: Option<AgentState>,
    pub(super) id: AgentId,
    pub(super) login: Option<std::sync::Arc<str>>,
    pub(super) group: Option<GroupId>,
    pub(super) state_since: Timestamp,
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
    pub(crate) fn skills(&self) -> &[SkillPos] {
        &self.skills
    }

    /// When the agent entered its chat state.
    #[inline]
    pub(crate) fn state_since(&self) -> Timestamp {
        self.state_since
    }

    /// What a place holds once its agent has left: offline, no chats, no skills.
    pub(super) fn vacant(id: AgentId, generation: u32) -> AgentRec {
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
    pub(super) fn contribution(&self) -> Option<Contribution> {
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

/// The 32 bits of an id's hash that an [`AgentIdx`] carries.
pub(super) fn id_tag(id: &AgentId) -> u32 {
    (crate::hash::hash_str(id.as_str()) >> 32) as u32
}

impl Floor {
    /// How many agents are on the floor, in any state.
    pub fn agent_count(&self) -> usize {
        self.agents.len() - self.vacant.len()
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
    /// # Ok::<(), Box<dyn std::error::Error>>(())
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

    /// Free slots of one agent: its free capacity if it is `Online`, else 0.
    ///
    /// # Errors
    ///
    /// [`LookupError::UnknownAgent`] when the agent is not on the floor.
    pub fn agent_slots(&self, agent: &AgentId) -> Result<Slots, LookupError> {
        self.agent(agent)
            .map(|a| a.slots_for_new_chats())
            .ok_or_else(|| LookupError::UnknownAgent { agent: agent.clone() })
    }

    /// Free slots of the agent with a login name (LivePerson's `agent` parameter).
    ///
    /// # Errors
    ///
    /// [`LookupError::UnknownLogin`] when no agent has that login.
    pub fn agent_slots_by_login(&self, login: &str) -> Result<Slots, LookupError> {
        self.agent_by_login(login)
            .map(|a| a.slots_for_new_chats())
            .ok_or_else(|| LookupError::UnknownLogin { login: login.to_owned() })
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
    /// [`LookupError::StaleAgentIndex`] when the agent has left, or the index is from another
    /// floor.
    pub fn check_index(&self, idx: AgentIdx) -> Result<usize, LookupError> {
        match self.agents.get(idx.get()) {
            Some(rec) if rec.present && rec.generation == idx.generation && rec.tag == idx.tag => {
                Ok(idx.get())
            }
            _ => Err(LookupError::StaleAgentIndex { place: idx.get() }),
        }
    }

    /// The place of an agent on the floor, or the error a query naming a missing agent gets.
    pub(crate) fn lookup(&self, agent: &AgentId) -> Result<usize, LookupError> {
        self.agent_idx(agent).map_err(|_| LookupError::UnknownAgent { agent: agent.clone() })
    }

    /// The place of an agent on the floor, or the error an event naming a missing agent gets.
    pub(crate) fn agent_idx(&self, agent: &AgentId) -> Result<usize, EventError> {
        self.agent_index
            .get(agent.as_str(), |p| self.agents[p as usize].id.as_str())
            .map(|i| i as usize)
            .ok_or_else(|| EventError::UnknownAgent { agent: agent.clone() })
    }

    /// The record at place `i`, vacant or not.
    #[inline]
    pub(crate) fn rec(&self, i: usize) -> &AgentRec {
        &self.agents[i]
    }

    /// The record at place `i`, if the floor has used it.
    #[inline]
    pub(crate) fn try_rec(&self, i: usize) -> Option<&AgentRec> {
        self.agents.get(i)
    }

    /// How many places the floor has used: every place is below this.
    #[inline]
    pub(crate) fn places(&self) -> usize {
        self.agents.len()
    }

    /// The places of the agents with a skill, ascending.
    #[inline]
    pub(crate) fn members_of(&self, skill: SkillPos) -> &[u32] {
        &self.members[skill.get()]
    }

    /// The agent at place `i`.
    pub(super) fn view(&self, i: usize) -> AgentView<'_> {
        AgentView { floor: self, rec: &self.agents[i], place: i }
    }

    /// The index of the agent at place `i`.
    pub(crate) fn index_at(&self, i: usize) -> AgentIdx {
        let rec = &self.agents[i];
        AgentIdx { place: index_u32(i), generation: rec.generation, tag: rec.tag }
    }
}

/// One agent on a floor, read-only.
#[derive(Clone, Copy)]
pub struct AgentView<'a> {
    pub(super) floor: &'a Floor,
    pub(super) rec: &'a AgentRec,
    pub(super) place: usize,
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
    ///
    /// # Errors
    ///
    /// A [`LookupError`] when the floor does not define the skill named.
    pub fn has_skill(&self, skill: impl SkillKey) -> Result<bool, LookupError> {
        let s = self.floor.pos_of(skill)?;
        Ok(self.rec.skills.binary_search(&s).is_ok())
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
