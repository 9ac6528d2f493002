//! Routing new chats: the head of a skill's queue goes to an agent chosen by a ranking, through
//! a per-skill index so that a routing decision does not scan the floor.

use std::collections::BTreeSet;
use std::fmt;
use std::time::Duration;

use crate::floor::AgentRec;
use crate::floor::SkillPos;
use crate::hash::FxMap;
use crate::min_tree::{MinTree, MinTree64};
use crate::transfer::{Key, key};
use crate::{
    AgentId, AgentIdx, Event, EventError, Floor, Ranking, SkillId, SkillIdx, Snapshot, SnapshotError,
    SyncReport, Timestamp, VisitorId, Weight,
};

/// How the router picks among the agents that can take a new chat. Every rule breaks ties by
/// agent id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "kebab-case"))]
pub enum RouteBy {
    /// The best agent by a [`Ranking`].
    Ranking(Ranking),
    /// Agents in turn, in agent id order: after an agent is served, the next chat of the same
    /// skill goes to the next agent by id that can take it, wrapping around.
    RoundRobin,
}

impl fmt::Display for RouteBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RouteBy::Ranking(r) => r.fmt(f),
            RouteBy::RoundRobin => f.pad("round-robin"),
        }
    }
}

/// Skill relaxation: once the head of `skill`'s queue has waited `after`, agents with any of the
/// `fallbacks` skills may take it too.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Relaxation {
    /// The skill whose visitors may be relaxed.
    pub skill: SkillId,
    /// How long the visitor must have waited.
    pub after: Duration,
    /// The skills whose agents may then take the chat.
    pub fallbacks: Vec<SkillId>,
}

/// What happened to the head of a queue.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Routed {
    /// The visitor was given to an agent.
    Assigned {
        /// The visitor, no longer queued.
        visitor: VisitorId,
        /// The agent, now holding the chat.
        agent: AgentId,
        /// The fallback skill through which the agent qualified, if not the queue's own.
        via_fallback: Option<SkillId>,
    },
    /// Nobody waits for the skill.
    QueueEmpty,
    /// The visitor waits on: no agent that may take it is online with a free slot.
    NoAgent {
        /// The visitor at the head of the queue.
        visitor: VisitorId,
    },
}

/// A routing decision by index, for callers that keep agents by index rather than by id, such as
/// a simulator: see [`Router::route_by_index`] and [`Router::arrive_by_index`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Assignment {
    /// The visitor served, no longer queued.
    pub visitor: VisitorId,
    /// The agent, now holding the chat.
    pub agent: AgentIdx,
    /// The fallback skill through which the agent qualified, if not the queue's own.
    pub via_fallback: Option<SkillIdx>,
}

/// An index entry: the ranking key (see [`route_key`]) in the high 96 bits, the agent's label,
/// the tie-break by id, in the low 32.
type Entry = u128;

/// What a leaf holds while its agent is not routable.
const EMPTY: Entry = MinTree::EMPTY;

/// The agents that can take a new plain chat, per skill, as [`Entry`]s.
#[derive(Clone, Debug)]
enum Index {
    /// For a ranking: per skill, a tournament tree with a leaf for every member, holding
    /// [`EMPTY`] while the member is not routable (each agent's leaves are in its [`Place`]).
    /// An event sets the agent's leaves once.
    Ranked { ranking: Ranking, trees: Trees },
    /// For round robin: per skill, the labels of the routable members, so that the next agent
    /// after the cursor is one range query away.
    RoundRobin(Vec<BTreeSet<u32>>),
}

/// The per-skill trees of a ranking: of compact entries while every key fits one (see
/// [`narrow_key`]), of [`Entry`]s from the first that does not on.
#[derive(Clone, Debug)]
enum Trees {
    /// Entries of a [`narrow_key`] in the high 32 bits and the agent's label in the low 32:
    /// half the memory, so that more of the index stays in cache on a large floor.
    Narrow(Vec<MinTree64>),
    /// [`Entry`]s.
    Wide(Vec<MinTree>),
}

impl Trees {
    fn new(ranking: Ranking, skills: usize) -> Trees {
        match ranking {
            Ranking::LongestInState => Trees::Wide(vec![MinTree::new(); skills]),
            _ => Trees::Narrow(vec![MinTree64::new(); skills]),
        }
    }

    fn resize(&mut self, skills: usize) {
        match self {
            Trees::Narrow(t) => t.resize(skills, MinTree64::new()),
            Trees::Wide(t) => t.resize(skills, MinTree::new()),
        }
    }

    fn alloc(&mut self, s: usize) -> u32 {
        match self {
            Trees::Narrow(t) => t[s].alloc(),
            Trees::Wide(t) => t[s].alloc(),
        }
    }

    fn release(&mut self, s: usize, leaf: u32) {
        match self {
            Trees::Narrow(t) => t[s].release(leaf),
            Trees::Wide(t) => t[s].release(leaf),
        }
    }

    /// The least entry of a skill's tree, widened to an [`Entry`] (entries of one kind of tree
    /// compare as the agents rank; the low 32 bits are the label in both).
    #[inline]
    fn min(&self, s: usize) -> Option<Entry> {
        match self {
            Trees::Narrow(t) => t.get(s)?.min().map(Entry::from),
            Trees::Wide(t) => t.get(s)?.min(),
        }
    }

    #[inline]
    fn prefetch(&self, s: usize, leaf: u32) {
        match self {
            Trees::Narrow(t) => {
                if let Some(t) = t.get(s) {
                    t.prefetch(leaf);
                }
            }
            Trees::Wide(t) => {
                if let Some(t) = t.get(s) {
                    t.prefetch(leaf);
                }
            }
        }
    }
}

/// A floor that routes new chats.
///
/// It keeps, per skill, the agents that can take a new plain chat now (`Online`, with a free
/// slot: room for a chat of [`Weight::ONE`]), ordered by the routing rule, so that
/// [`Router::route`] reads the best agent instead of scanning the floor. For a ranking the index
/// is a tournament tree per skill, and a change costs one O(log members) leaf update per skill
/// of the agents it names; for round robin it is an ordered set per skill, updated likewise.
///
/// Its methods come in three families:
///
/// - **Inputs** change the floor and keep the index current: [`Router::apply`] for one
///   [`Event`], [`Router::sync`] for a vendor's next snapshot, [`Router::end_chat_by_index`]
///   for a chat that ended at an agent known by index. Each fails as the floor does, and a
///   failed input changes nothing.
/// - **Decisions** are inputs that also answer: [`Router::arrive`] queues a visitor and routes
///   the head of its queue, [`Router::route`] routes the head of a queue after capacity came
///   free. Each returns a [`Routed`]; the `_by_index` forms
///   ([`Router::arrive_by_index`], [`Router::route_by_index`]) return an [`Assignment`] naming
///   the agent by [`AgentIdx`], for callers that keep their own per-agent state.
/// - **Queries** read without changing anything: [`Router::floor`] for every question a
///   [`Floor`] answers (slots, queue state, offers, transfers), [`Router::route_by`] for the
///   rule.
///
/// # Examples
///
/// ```
/// use chatcap_core::*;
/// let t0 = Timestamp::from_millis(0);
/// let floor = Floor::new(Snapshot {
///     taken_at: t0,
///     skills: vec![Skill::new("s")],
///     agents: vec![
///         Agent::new("a", AgentState::Online, Capacity::Limited(2)).with_active_chats(1).with_skills(["s".into()]),
///         Agent::new("b", AgentState::Online, Capacity::Limited(4)).with_active_chats(1).with_skills(["s".into()]),
///     ],
///     queue: vec![QueuedVisitor::new(VisitorId(1), "s", t0)],
/// })?;
/// let mut router = Router::new(floor, RouteBy::Ranking(Ranking::LeastLoaded), &[])?;
/// let s = router.floor().skill_index("s").unwrap();
/// // b holds 1 of 4 (0.25), a 1 of 2 (0.5): b is least loaded.
/// let routed = router.route(t0, s)?;
/// assert_eq!(routed, Routed::Assigned { visitor: VisitorId(1), agent: "b".into(), via_fallback: None });
/// assert_eq!(router.floor().slots(s)?, Slots::Count(3));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct Router {
    floor: Floor,
    route_by: RouteBy,
    /// Per skill, ordered by `after`: the fallback skills open after each wait.
    relax: Vec<Vec<(Duration, SkillPos)>>,
    index: Index,
    /// Per place, the agent's label and leaves.
    places: Vec<Place>,
    /// The places of the agents on the floor, in id order.
    by_id: Vec<u32>,
    /// Per label in use, the agent's place.
    by_label: FxMap<u32, u32>,
    /// The spacing of the last relabelling: the agent labelled `(k + 1) * step` then was at
    /// `by_id[k]`, and is until agents join before it (see [`Router::place_of`]).
    step: u32,
    /// Per skill, where round robin goes on from.
    cursor: Vec<Cursor>,
}

/// What the index keeps per place, together, so that updating an agent's entries reads one
/// record (on a floor of 100,000 agents, a separate label, list header and list were three cache
/// misses), aligned so that it never straddles two cache lines.
#[derive(Clone, Debug, Default)]
#[repr(align(32))]
struct Place {
    /// Labels order agents as their ids do, with room between them for agents joining (see
    /// [`Router::relabel`]).
    label: u32,
    /// For a ranking, the agent's leaf in each of its skills' trees, in the order of its skills.
    leaves: Leaves,
}

// Two places to a cache line.
const _: () = assert!(std::mem::size_of::<Place>() == 32);

/// An agent's leaves, inline for up to [`Leaves::INLINE`] skills.
#[derive(Clone, Debug)]
enum Leaves {
    Inline { len: u8, items: [u32; Leaves::INLINE] },
    Heap(Box<[u32]>),
}

impl Default for Leaves {
    fn default() -> Leaves {
        Leaves::Inline { len: 0, items: [0; Leaves::INLINE] }
    }
}

impl Leaves {
    const INLINE: usize = 4;

    fn new(leaves: impl ExactSizeIterator<Item = u32>) -> Leaves {
        if leaves.len() <= Leaves::INLINE {
            let mut items = [0; Leaves::INLINE];
            let mut len = 0;
            for (slot, leaf) in items.iter_mut().zip(leaves) {
                *slot = leaf;
                len += 1;
            }
            Leaves::Inline { len, items }
        } else {
            Leaves::Heap(leaves.collect())
        }
    }

    #[inline]
    fn as_slice(&self) -> &[u32] {
        match self {
            Leaves::Inline { len, items } => &items[..usize::from(*len)],
            Leaves::Heap(v) => v,
        }
    }
}

/// Where round robin goes on from in a skill.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Cursor {
    /// From the first agent by id: nobody has been served.
    Start,
    /// After the agent with this label, served last and still on the floor.
    Label(u32),
    /// After this id: the agent served last has left the floor.
    AfterId(AgentId),
}

impl Router {
    /// Indexes a floor for routing by `route_by`, with skill relaxations.
    ///
    /// # Errors
    ///
    /// [`SnapshotError::UnknownRelaxationSkill`] when a relaxation names a skill the floor does not define.
    pub fn new(floor: Floor, route_by: RouteBy, relaxations: &[Relaxation]) -> Result<Router, SnapshotError> {
        let skills = floor.skill_places();
        let mut relax = vec![Vec::new(); skills];
        for r in relaxations {
            let s = resolve(&floor, &r.skill)?;
            for f in &r.fallbacks {
                relax[s.get()].push((r.after, resolve(&floor, f)?));
            }
        }
        for tiers in &mut relax {
            tiers.sort();
            tiers.dedup();
        }
        let places = floor.places();
        let mut by_id: Vec<u32> = (0..places as u32).filter(|&i| floor.rec(i as usize).present()).collect();
        by_id.sort_unstable_by(|&a, &b| floor.rec(a as usize).id().cmp(floor.rec(b as usize).id()));
        let mut router = Router {
            floor,
            route_by,
            relax,
            index: Index::RoundRobin(Vec::new()),
            places: vec![Place::default(); places],
            by_id,
            by_label: FxMap::default(),
            step: 0,
            cursor: vec![Cursor::Start; skills],
        };
        router.relabel();
        Ok(router)
    }

    /// Labels every agent afresh, evenly spaced in id order, and rebuilds the index with the new
    /// labels; round-robin cursors stay with their agents.
    fn relabel(&mut self) {
        let cursors: Vec<Option<u32>> = self
            .cursor
            .iter()
            .map(|c| match c {
                Cursor::Label(l) => self.by_label.get(l).copied(),
                _ => None,
            })
            .collect();
        let step = (u64::from(u32::MAX) - 1) / (self.by_id.len() as u64 + 1);
        self.step = step as u32;
        self.by_label.clear();
        self.by_label.reserve(self.by_id.len());
        for (k, &i) in self.by_id.iter().enumerate() {
            let label = ((k as u64 + 1) * step) as u32;
            self.places[i as usize].label = label;
            self.by_label.insert(label, i);
        }
        for (c, place) in self.cursor.iter_mut().zip(cursors) {
            if let Some(i) = place {
                *c = Cursor::Label(self.places[i as usize].label);
            }
        }
        let skills = self.floor.skill_places();
        for place in &mut self.places {
            place.leaves = Leaves::default();
        }
        self.index = match self.route_by {
            RouteBy::Ranking(ranking) => Index::Ranked { ranking, trees: Trees::new(ranking, skills) },
            RouteBy::RoundRobin => Index::RoundRobin(vec![BTreeSet::new(); skills]),
        };
        for k in 0..self.by_id.len() {
            self.attach(self.by_id[k] as usize);
        }
    }

    /// The floor, for queries.
    pub fn floor(&self) -> &Floor {
        &self.floor
    }

    /// The floor, giving up the routing index.
    pub fn into_floor(self) -> Floor {
        self.floor
    }

    /// The routing rule.
    pub fn route_by(&self) -> RouteBy {
        self.route_by
    }

    /// Applies an event to the floor and keeps the routing index current.
    ///
    /// # Errors
    ///
    /// As [`Floor::apply`]; the floor and the index are then unchanged.
    pub fn apply(&mut self, now: Timestamp, event: Event<'_>) -> Result<(), EventError> {
        match event {
            Event::AgentJoined { agent } => {
                self.floor.apply(now, event)?;
                let place = self.floor.agent_idx(&agent.id)? as u32;
                self.reindex(&[], &[place], &[], &[]);
                return Ok(());
            }
            Event::AgentLeft { agent } => {
                let place = self.floor.agent_idx(agent)? as u32;
                if now < self.floor.now() {
                    return Err(EventError::EventInPast { at: now, floor_time: self.floor.now() });
                }
                self.cursors_leave(&[place]);
                self.detach(place as usize);
                // Cannot fail: the agent is on the floor and the time is not in the past.
                let left = self.floor.apply(now, event);
                self.reindex(&[place], &[], &[], &[]);
                return left;
            }
            Event::SkillDefined { .. } => {
                self.floor.apply(now, event)?;
                self.reindex(&[], &[], &[], &[]);
                return Ok(());
            }
            _ => {}
        }
        let named = named_agents(&self.floor, &event);
        if !matches!(event, Event::SkillAdded { .. } | Event::SkillRemoved { .. }) {
            let result = self.floor.apply(now, event);
            for i in named.into_iter().flatten() {
                self.refresh(i);
            }
            return result;
        }
        // The agent's skills change: it leaves the index under its old skills and comes back
        // under its new ones (the same ones when the event is rejected).
        for i in named.into_iter().flatten() {
            self.detach(i);
        }
        let result = self.floor.apply(now, event);
        for i in named.into_iter().flatten() {
            self.attach(i);
        }
        result
    }

    /// Brings the floor to a new snapshot, as [`Floor::sync`] does, and the routing index with
    /// it: agents leaving and agents whose skills change leave the index, those joining and
    /// those whose skills changed come back under their skills, and every other agent that
    /// changed has its entries set again. Cost: what the floor's sync costs, plus a few index
    /// updates per skill of each agent that changed, plus one pass over the agents in id order
    /// when agents join or leave.
    ///
    /// Afterwards routing decisions are those of a router built on `Floor::new(next.clone())`
    /// with the same rule and relaxations, except that round robin carries on from the agent
    /// it served last (or, if that agent left, from the next agent by id after it).
    ///
    /// # Errors
    ///
    /// As [`Floor::sync`]; the floor and the index are then unchanged.
    ///
    /// # Examples
    ///
    /// ```
    /// use chatcap_core::*;
    /// let at = Timestamp::from_millis;
    /// let agent = |id: &str, chats: u32| {
    ///     Agent::new(id, AgentState::Online, Capacity::Limited(2)).with_active_chats(chats).with_skills(["s".into()])
    /// };
    /// let snapshot = |t: i64, agents: Vec<Agent>| Snapshot {
    ///     taken_at: at(t),
    ///     skills: vec![Skill::new("s")],
    ///     agents,
    ///     queue: vec![QueuedVisitor::new(VisitorId(1), "s", at(0))],
    /// };
    /// let floor = Floor::new(snapshot(0, vec![agent("a", 1), agent("b", 2)]))?;
    /// let mut router = Router::new(floor, RouteBy::Ranking(Ranking::LeastLoaded), &[])?;
    /// // b's chats end and c joins, idle: c and b tie at no chats; ids break the tie.
    /// let next = snapshot(5_000, vec![agent("a", 1), agent("b", 0), agent("c", 0)]);
    /// let report = router.sync(next.taken_at, &next)?;
    /// assert_eq!((report.joined.len(), report.chats_changed.len()), (1, 1));
    /// let s = router.floor().skill_index("s").unwrap();
    /// let routed = router.route(next.taken_at, s)?;
    /// assert_eq!(routed, Routed::Assigned { visitor: VisitorId(1), agent: "b".into(), via_fallback: None });
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn sync(&mut self, now: Timestamp, next: &Snapshot) -> Result<SyncReport, SnapshotError> {
        let plan = self.floor.plan(now, next)?;
        let leaving = plan.leaving().to_vec();
        self.cursors_leave(&leaving);
        for i in leaving.iter().copied().chain(plan.reskilled()) {
            self.detach(i as usize);
        }
        let (report, touched) = self.floor.commit(plan);
        self.reindex(&leaving, touched.joined(), touched.reskilled(), touched.changed());
        Ok(report)
    }

    /// Round-robin cursors at agents about to leave (at `leaving`, ascending places) hold on to
    /// their ids instead.
    fn cursors_leave(&mut self, leaving: &[u32]) {
        let floor = &self.floor;
        for c in &mut self.cursor {
            if let Cursor::Label(l) = c
                && let Some(&i) = self.by_label.get(l)
                && leaving.binary_search(&i).is_ok()
            {
                *c = Cursor::AfterId(floor.rec(i as usize).id().clone());
            }
        }
    }

    /// Brings the index up to date after agents left (`leaving`, already detached), joined
    /// (`joined`), changed skills (`reattach`, already detached) or changed otherwise
    /// (`refresh`), and after skills were defined.
    fn reindex(&mut self, leaving: &[u32], joined: &[u32], reattach: &[u32], refresh: &[u32]) {
        let skills = self.floor.skill_places();
        let places = self.floor.places();
        self.relax.resize(skills, Vec::new());
        self.cursor.resize(skills, Cursor::Start);
        self.places.resize(places, Place::default());
        match &mut self.index {
            Index::Ranked { trees, .. } => trees.resize(skills),
            Index::RoundRobin(sets) => sets.resize(skills, BTreeSet::new()),
        }
        if !leaving.is_empty() {
            let mut gone = vec![false; places];
            for &i in leaving {
                self.by_label.remove(&self.places[i as usize].label);
                gone[i as usize] = true;
            }
            self.by_id.retain(|&i| !gone[i as usize]);
        }
        let fits = joined.is_empty() || self.label_joiners(joined);
        if !fits {
            self.relabel();
            return;
        }
        for &i in joined.iter().chain(reattach) {
            self.attach(i as usize);
        }
        for &i in refresh {
            self.refresh(i as usize);
        }
    }

    /// Merges the agents at `joined` into the id order and gives each a label between its
    /// neighbours' labels; `false` when some run of them finds no room (then the caller labels
    /// everyone afresh). Each joiner costs a binary search by id; the merge itself compares
    /// nothing.
    fn label_joiners(&mut self, joined: &[u32]) -> bool {
        let floor = &self.floor;
        let id = |i: u32| floor.rec(i as usize).id();
        let mut new = joined.to_vec();
        new.sort_unstable_by(|&a, &b| id(a).cmp(id(b)));
        // Where each joins: before the agent at this position of `by_id`.
        let at: Vec<usize> = new.iter().map(|&j| self.by_id.partition_point(|&i| id(i) < id(j))).collect();
        let mut fits = true;
        let mut start = 0;
        while start < new.len() {
            // A run of joiners that go before the same agent share the gap before it.
            let pos = at[start];
            let end = start + at[start..].iter().take_while(|&&p| p == pos).count();
            let lo = pos.checked_sub(1).map_or(0, |k| self.places[self.by_id[k] as usize].label);
            let hi = self.by_id.get(pos).map_or(u32::MAX, |&i| self.places[i as usize].label);
            let (n, gap) = ((end - start) as u64, u64::from(hi - lo));
            if gap > n {
                for (k, &i) in new[start..end].iter().enumerate() {
                    let label = lo + (gap * (k as u64 + 1) / (n + 1)) as u32;
                    self.places[i as usize].label = label;
                    self.by_label.insert(label, i);
                }
            } else {
                fits = false;
            }
            start = end;
        }
        let old = std::mem::take(&mut self.by_id);
        let mut merged = Vec::with_capacity(old.len() + new.len());
        let mut from = 0;
        for (&pos, &i) in at.iter().zip(&new) {
            merged.extend_from_slice(&old[from..pos]);
            merged.push(i);
            from = pos;
        }
        merged.extend_from_slice(&old[from..]);
        self.by_id = merged;
        fits
    }

    /// As [`Router::apply`] with [`Event::ChatEnded`], for the agent an index names (see
    /// [`Floor::agent_index`] and [`Assignment`]): the same change without looking the agent's
    /// id up, for callers that keep indices, such as a simulator.
    ///
    /// # Errors
    ///
    /// As [`Router::apply`] with [`Event::ChatEnded`]; the floor and the index are then unchanged.
    ///
    /// [`EventError::StaleAgentIndex`] when the agent has left or the index is from another
    /// floor.
    ///
    /// # Examples
    ///
    /// ```
    /// use chatcap_core::*;
    /// let floor = Floor::new(Snapshot {
    ///     skills: vec![Skill::new("s")],
    ///     agents: vec![Agent::new("a", AgentState::Online, Capacity::Limited(1)).with_skills(["s".into()])],
    ///     ..Snapshot::default()
    /// })?;
    /// let mut router = Router::new(floor, RouteBy::RoundRobin, &[])?;
    /// let s = router.floor().skill_index("s").unwrap();
    /// let now = router.floor().now();
    /// let Some(served) = router.arrive_by_index(now, VisitorId(1), s, 0)? else { panic!() };
    /// assert_eq!(router.floor().slots(s)?, Slots::ZERO);
    /// router.end_chat_by_index(now, served.agent, Weight::ONE)?;
    /// assert_eq!(router.floor().slots(s)?, Slots::Count(1));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn end_chat_by_index(
        &mut self,
        now: Timestamp,
        agent: AgentIdx,
        weight: Weight,
    ) -> Result<(), EventError> {
        let i =
            self.floor.check_index(agent).map_err(|_| EventError::StaleAgentIndex { place: agent.get() })?;
        let result = self.floor.end_chat_at(now, i, weight);
        self.refresh(i);
        result
    }

    /// Asks the CPU to bring in the records a change to `agent` (a chat's end, or its start)
    /// will read, without waiting for them and without reading them: a hint for a caller that
    /// knows which agent comes next, such as a simulator's calendar of chat ends, so that on a
    /// large floor the cache misses overlap with other work. Changes nothing; an index that
    /// names no agent here brings nothing in.
    ///
    /// The agent's leaves in the index are found from those records: [`Router::warm_index`]
    /// brings them in, best called once the records are in.
    #[inline]
    pub fn warm(&self, agent: AgentIdx) {
        self.warm_records(agent.get());
    }

    /// Asks the CPU to bring in `agent`'s leaves in the index, reading its records to find
    /// them (see [`Router::warm`]). Changes nothing.
    #[inline]
    pub fn warm_index(&self, agent: AgentIdx) {
        self.warm_leaves(agent.get());
    }

    /// Reads what routing a chat of `skill` now would read first, the agent the index would
    /// choose (relaxations aside), and asks the CPU for its records, as [`Router::warm`], or
    /// with `leaves` for its leaves in the index too, as [`Router::warm_index`] (best once its
    /// records are in). Returns the agent's place ([`AgentIdx::get`]), so that a caller can
    /// warm its own records of the agent. Changes nothing.
    #[inline]
    pub fn warm_route(&self, skill: SkillIdx, leaves: bool) -> Option<usize> {
        let Index::Ranked { trees, .. } = &self.index else { return None };
        let i = self.place_of(trees.min(skill.get())? as u32)? as usize;
        if leaves {
            self.warm_leaves(i);
        } else {
            self.warm_records(i);
        }
        Some(i)
    }

    /// The hint of [`Router::warm`], by place.
    #[inline]
    fn warm_records(&self, i: usize) {
        if let (Some(rec), Some(place)) = (self.floor.try_rec(i), self.places.get(i)) {
            prefetch(rec);
            prefetch(place);
        }
    }

    #[inline]
    fn warm_leaves(&self, i: usize) {
        let (Some(rec), Some(place)) = (self.floor.try_rec(i), self.places.get(i)) else { return };
        if let Index::Ranked { trees, .. } = &self.index {
            for (s, &leaf) in rec.skills().iter().zip(place.leaves.as_slice()) {
                trees.prefetch(s.get(), leaf);
            }
        }
    }

    /// Routes the head of a skill's queue: among the agents with the skill (and, once the
    /// visitor has waited long enough, with its fallback skills) that are `Online` with a free
    /// slot, the best by the routing rule takes the chat. The floor's aggregates are updated as
    /// for any event. Cost: a few ordered-set operations per skill of the chosen agent.
    ///
    /// # Errors
    ///
    /// [`EventError::EventInPast`] when `now` is earlier than the floor's time;
    /// [`EventError::ForeignSkillIndex`] for an index the floor did not give, and
    /// [`EventError::UnknownSkill`] for a skill a sync retired;
    /// [`EventError::TooManyChats`] when the chosen agent cannot count another chat.
    pub fn route(&mut self, now: Timestamp, skill: SkillIdx) -> Result<Routed, EventError> {
        match self.route_by_index(now, skill)? {
            Some(assignment) => Ok(self.routed(assignment)),
            None => Ok(self.unrouted(skill.pos())),
        }
    }

    /// As [`Router::route`], reporting the agent by index: `None` when the visitor at the head
    /// waits on or nobody waits.
    ///
    /// # Errors
    ///
    /// As [`Router::route`].
    pub fn route_by_index(
        &mut self,
        now: Timestamp,
        skill: SkillIdx,
    ) -> Result<Option<Assignment>, EventError> {
        if now < self.floor.now() {
            return Err(EventError::EventInPast { at: now, floor_time: self.floor.now() });
        }
        let skill = self.floor.check_skill(skill).map_err(EventError::from_skill_lookup)?.pos();
        let Some((visitor, arrived_at)) = self.floor.head_of(skill) else {
            return Ok(None);
        };
        let waited = now.saturating_duration_since(arrived_at);
        let s = skill.get();
        let open = self.relax[s].iter().take_while(|(after, _)| *after <= waited).map(|&(_, f)| f);
        let Some((rank, i, pool)) = self.best(skill, open) else {
            return Ok(None);
        };
        let served = self.floor.serve(now, visitor, i);
        self.refresh(i);
        served?;
        self.cursor[s] = Cursor::Label(rank);
        let agent = self.floor.index_at(i);
        Ok(Some(Assignment {
            visitor,
            agent,
            via_fallback: (pool != skill).then(|| self.floor.idx_of(pool)),
        }))
    }

    /// The routing decision with the agent's and the fallback skill's ids.
    fn routed(&self, a: Assignment) -> Routed {
        Routed::Assigned {
            visitor: a.visitor,
            agent: self.floor.rec(a.agent.get()).id().clone(),
            via_fallback: a.via_fallback.map(|f| self.floor.skill_at(f.pos()).id.clone()),
        }
    }

    /// What a queue that was not routed holds at its head.
    fn unrouted(&self, skill: SkillPos) -> Routed {
        match self.floor.head_of(skill) {
            Some((visitor, _)) => Routed::NoAgent { visitor },
            None => Routed::QueueEmpty,
        }
    }

    /// A new visitor arrives for a skill: it joins the queue and the head of the queue is routed,
    /// as [`Event::VisitorQueued`] followed by [`Router::route`]. When nobody waits ahead, the
    /// visitor goes straight to the best agent without touching the queue, which is the same
    /// outcome at a third of the cost.
    ///
    /// # Errors
    ///
    /// [`EventError::EventInPast`], [`EventError::DuplicateVisitor`] for a visitor already
    /// queued, or [`EventError::TooManyChats`]; the floor is then unchanged.
    ///
    /// # Examples
    ///
    /// ```
    /// use chatcap_core::*;
    /// let floor = Floor::new(Snapshot {
    ///     skills: vec![Skill::new("s")],
    ///     agents: vec![Agent::new("a", AgentState::Online, Capacity::Limited(1)).with_skills(["s".into()])],
    ///     ..Snapshot::default()
    /// })?;
    /// let mut router = Router::new(floor, RouteBy::RoundRobin, &[])?;
    /// let s = router.floor().skill_index("s").unwrap();
    /// let now = router.floor().now();
    /// assert_eq!(router.arrive(now, VisitorId(1), s, 0)?, Routed::Assigned { visitor: VisitorId(1), agent: "a".into(), via_fallback: None });
    /// assert_eq!(router.arrive(now, VisitorId(2), s, 0)?, Routed::NoAgent { visitor: VisitorId(2) });
    /// assert_eq!(router.floor().queue_len(s)?, 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn arrive(
        &mut self,
        now: Timestamp,
        visitor: VisitorId,
        skill: SkillIdx,
        priority: i32,
    ) -> Result<Routed, EventError> {
        match self.arrive_by_index(now, visitor, skill, priority)? {
            Some(assignment) => Ok(self.routed(assignment)),
            None => Ok(self.unrouted(skill.pos())),
        }
    }

    /// As [`Router::arrive`], reporting the agent by index: `None` when the head of the queue
    /// (the new visitor, or one ahead of it) waits on.
    ///
    /// # Errors
    ///
    /// As [`Router::arrive`].
    ///
    /// # Examples
    ///
    /// ```
    /// use chatcap_core::*;
    /// let floor = Floor::new(Snapshot {
    ///     skills: vec![Skill::new("s")],
    ///     agents: vec![Agent::new("a", AgentState::Online, Capacity::Limited(1)).with_skills(["s".into()])],
    ///     ..Snapshot::default()
    /// })?;
    /// let mut router = Router::new(floor, RouteBy::RoundRobin, &[])?;
    /// let s = router.floor().skill_index("s").unwrap();
    /// let now = router.floor().now();
    /// let served = router.arrive_by_index(now, VisitorId(1), s, 0)?;
    /// let a = router.floor().agent_index(&"a".into());
    /// assert_eq!(served, Some(Assignment { visitor: VisitorId(1), agent: a.unwrap(), via_fallback: None }));
    /// assert_eq!(router.arrive_by_index(now, VisitorId(2), s, 0)?, None);
    /// // The chat ends: the waiting visitor is next.
    /// router.end_chat_by_index(now, a.unwrap(), Weight::ONE)?;
    /// assert_eq!(router.route_by_index(now, s)?.map(|a| a.visitor), Some(VisitorId(2)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn arrive_by_index(
        &mut self,
        now: Timestamp,
        visitor: VisitorId,
        skill: SkillIdx,
        priority: i32,
    ) -> Result<Option<Assignment>, EventError> {
        if now < self.floor.now() {
            return Err(EventError::EventInPast { at: now, floor_time: self.floor.now() });
        }
        let idx = self.floor.check_skill(skill).map_err(EventError::from_skill_lookup)?;
        let skill = idx.pos();
        if self.floor.head_of(skill).is_none() && !self.floor.is_queued(visitor) {
            // Nobody ahead: with no wait, only relaxations that open at once apply.
            let s = skill.get();
            let open = self.relax[s].iter().take_while(|(after, _)| after.is_zero()).map(|&(_, f)| f);
            if let Some((rank, i, pool)) = self.best(skill, open) {
                let served = self.floor.serve_arrival(now, skill, i);
                self.refresh(i);
                served?;
                self.cursor[s] = Cursor::Label(rank);
                return Ok(Some(Assignment {
                    visitor,
                    agent: self.floor.index_at(i),
                    via_fallback: (pool != skill).then(|| self.floor.idx_of(pool)),
                }));
            }
        }
        let skill_id = self.floor.skill_at(skill).id.clone();
        self.floor.apply(now, Event::VisitorQueued { visitor, skill: &skill_id, priority })?;
        self.route_by_index(now, idx)
    }

    /// The best agent over the queue's own pool and the open fallback pools: its rank by id, its
    /// position, and the pool it qualified through.
    fn best(&self, skill: SkillPos, open: impl Iterator<Item = SkillPos>) -> Option<(u32, usize, SkillPos)> {
        let cursor = self.cursor_label(skill);
        let mut best: Option<(Entry, SkillPos)> = None;
        for pool in std::iter::once(skill).chain(open) {
            if let Some(entry) = self.pick(pool, cursor)
                && best.is_none_or(|(b, _)| self.better(entry, b, cursor))
            {
                best = Some((entry, pool));
            }
        }
        best.and_then(|(entry, pool)| {
            let label = entry as u32;
            Some((label, self.place_of(label)? as usize, pool))
        })
    }

    /// The place of the agent with a label. While no agent has joined before it since the last
    /// relabelling, its label says where it is in `by_id`, which is cheaper to read than the map
    /// (and reads the agent's place record, which the routing decision reads next).
    #[inline]
    fn place_of(&self, label: u32) -> Option<u32> {
        if let Some(k) = label.checked_div(self.step).and_then(|k| k.checked_sub(1))
            && let Some(&i) = self.by_id.get(k as usize)
            && self.places[i as usize].label == label
        {
            return Some(i);
        }
        self.by_label.get(&label).copied()
    }

    /// The label round robin goes on after in a skill: `None` from the start.
    fn cursor_label(&self, skill: SkillPos) -> Option<u32> {
        match &self.cursor[skill.get()] {
            Cursor::Start => None,
            Cursor::Label(l) => Some(*l),
            Cursor::AfterId(id) => {
                // The last agent by id up to the one that left; labels start above 0.
                let floor = &self.floor;
                let k = self.by_id.partition_point(|&i| floor.rec(i as usize).id() <= id);
                Some(k.checked_sub(1).map_or(0, |k| self.places[self.by_id[k] as usize].label))
            }
        }
    }

    /// The best entry of one pool: the first by key, or for round robin the first after the
    /// cursor, wrapping.
    fn pick(&self, pool: SkillPos, cursor: Option<u32>) -> Option<Entry> {
        match &self.index {
            Index::Ranked { trees, .. } => trees.min(pool.get()),
            Index::RoundRobin(sets) => {
                let set = &sets[pool.get()];
                let next = match cursor {
                    Some(c) => set.range(c.saturating_add(1)..).next().or_else(|| set.first()),
                    None => set.first(),
                };
                next.map(|&rank| Entry::from(rank))
            }
        }
    }

    /// Whether entry `a` beats entry `b` (both picked from their pools).
    fn better(&self, a: Entry, b: Entry, cursor: Option<u32>) -> bool {
        match (self.route_by, cursor) {
            (RouteBy::RoundRobin, Some(c)) => {
                // Distance forward from the cursor, wrapping: the nearer agent is next in turn.
                let dist = |rank: u32| rank.wrapping_sub(c).wrapping_sub(1);
                dist(a as u32) < dist(b as u32)
            }
            _ => a < b,
        }
    }

    /// Brings agent `i`'s entries up to date with its record, under the skills it is indexed by.
    #[inline]
    fn refresh(&mut self, i: usize) {
        let rec = self.floor.rec(i);
        let place = &self.places[i];
        let rank = place.label;
        match &mut self.index {
            Index::Ranked { ranking, trees: Trees::Narrow(trees) } => {
                let entry = if !routable(rec) {
                    MinTree64::EMPTY
                } else if let Some(k) = narrow_key(*ranking, rec) {
                    u64::from(k) << 32 | u64::from(rank)
                } else {
                    // A key that does not fit: the index goes wide for good.
                    self.widen();
                    self.refresh(i);
                    return;
                };
                for (s, &leaf) in rec.skills().iter().zip(place.leaves.as_slice()) {
                    trees[s.get()].set(leaf, entry);
                }
            }
            Index::Ranked { ranking, trees: Trees::Wide(trees) } => {
                let entry =
                    if routable(rec) { route_key(*ranking, rec) << 32 | Entry::from(rank) } else { EMPTY };
                for (s, &leaf) in rec.skills().iter().zip(place.leaves.as_slice()) {
                    trees[s.get()].set(leaf, entry);
                }
            }
            Index::RoundRobin(sets) => {
                for s in rec.skills() {
                    if routable(rec) {
                        sets[s.get()].insert(rank);
                    } else {
                        sets[s.get()].remove(&rank);
                    }
                }
            }
        }
    }

    /// Takes agent `i` out of the index under its current skills.
    fn detach(&mut self, i: usize) {
        let rec = self.floor.rec(i);
        match &mut self.index {
            Index::Ranked { trees, .. } => {
                let leaves = std::mem::take(&mut self.places[i].leaves);
                for (s, &leaf) in rec.skills().iter().zip(leaves.as_slice()) {
                    trees.release(s.get(), leaf);
                }
            }
            Index::RoundRobin(sets) => {
                for s in rec.skills() {
                    sets[s.get()].remove(&self.places[i].label);
                }
            }
        }
    }

    /// Puts agent `i` into the index under its current skills, as its record is now.
    fn attach(&mut self, i: usize) {
        if let Index::Ranked { trees, .. } = &mut self.index {
            let skills = self.floor.rec(i).skills();
            self.places[i].leaves = Leaves::new(skills.iter().map(|s| trees.alloc(s.get())));
        }
        self.refresh(i);
    }

    /// Turns compact trees into trees of [`Entry`]s, each agent's leaves where they were, each
    /// live leaf holding its agent's entry as the agent's record is now.
    #[cold]
    #[inline(never)]
    fn widen(&mut self) {
        let Index::Ranked { ranking, trees: Trees::Narrow(narrow) } = &self.index else { return };
        let ranking = *ranking;
        let wide = narrow
            .iter()
            .map(|tree| {
                tree.convert(|e| {
                    let label = e as u32;
                    let place = self.place_of(label);
                    debug_assert!(place.is_some(), "a live leaf's agent is on the floor");
                    place.map_or(EMPTY, |i| {
                        let rec = self.floor.rec(i as usize);
                        if routable(rec) { route_key(ranking, rec) << 32 | Entry::from(label) } else { EMPTY }
                    })
                })
            })
            .collect();
        self.index = Index::Ranked { ranking, trees: Trees::Wide(wide) };
    }
}

/// A routable agent's ranking key in 32 bits, ordered as [`route_key`] orders keys (and equal
/// where it is equal), when it fits: `None` for a key that does not.
///
/// Least loaded keeps `floor(load * 2^31 / capacity)` while the capacity is below 2^15
/// thousandths (32 slots): two different ratios of such capacities differ by at least
/// 2^-30, so the floors at 2^-31 keep them apart and in order, while equal ratios map to equal
/// codes. Most free keeps `u32::MAX - free` (unlimited 0) for fewer than `u32::MAX`
/// thousandths free; fewest chats the count. Longest in state never fits.
#[inline]
fn narrow_key(ranking: Ranking, rec: &AgentRec) -> Option<u32> {
    match key(ranking, rec) {
        Key::Ratio { num, den } => (num < den && den < 1 << 15).then(|| ((num << 31) / den) as u32),
        Key::Free(free) => match free.count() {
            None => Some(0),
            Some(c) => u32::try_from(c).ok().filter(|&c| c < u32::MAX).map(|c| u32::MAX - c),
        },
        Key::Active(n) => Some(n),
        Key::Since(_) => None,
    }
}

/// A routable agent's ranking key as one integer below 2^96 - 1, ordered as the ranking orders
/// agents.
///
/// Least loaded compares `load / capacity` exactly: both are below 2^42 thousandths (a routable
/// agent has room, so its load is below its capacity of at most `u32::MAX` slots), so two
/// different ratios differ by more than 2^-84, and `floor(load * 2^84 / capacity)` keeps them
/// apart and in order while equal ratios map to equal keys.
fn route_key(ranking: Ranking, rec: &AgentRec) -> u128 {
    let k = match key(ranking, rec) {
        Key::Ratio { num, den } => {
            debug_assert!(num < 1 << 42 && den < 1 << 42, "a routable agent has room");
            (u128::from(num) << 84) / u128::from(den)
        }
        // Most free first: more free room, smaller key; unlimited is the most of all. A routable
        // agent has at least one free slot and at most `u32::MAX`.
        Key::Free(free) => KEY_TOP - free.count().map_or(KEY_TOP, u128::from),
        Key::Active(n) => u128::from(n),
        Key::Since(t) => (i128::from(t.as_millis()) - i128::from(i64::MIN)) as u128,
    };
    debug_assert!(k < KEY_TOP, "a key packs with a rank into an entry below EMPTY");
    k
}

/// Asks the CPU to bring the cache line holding `at` in, without waiting for it: a hint, which
/// changes nothing (and does nothing off x86-64).
#[inline(always)]
pub fn prefetch<T>(at: &T) {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse"))]
    safe_arch::prefetch_t0(at);
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse")))]
    let _ = at;
}

/// Keys stay below this, so that a key and a rank pack into one `u128` that orders before
/// [`EMPTY`].
const KEY_TOP: u128 = (1 << 96) - 1;

/// Online with room for a plain chat.
fn routable(rec: &AgentRec) -> bool {
    rec.chat_state().takes_new_chats() && rec.fits(Weight::ONE)
}

fn resolve(floor: &Floor, skill: &SkillId) -> Result<SkillPos, SnapshotError> {
    floor
        .pos_by_name(skill.as_str())
        .ok_or_else(|| SnapshotError::UnknownRelaxationSkill { skill: skill.clone() })
}

/// The agents an event names, by position (unknown agents are left to `Floor::apply` to reject).
fn named_agents(floor: &Floor, event: &Event<'_>) -> [Option<usize>; 2] {
    let idx = |a: &AgentId| floor.agent_idx(a).ok();
    match *event {
        Event::StateChanged { agent, .. }
        | Event::VoiceStateChanged { agent, .. }
        | Event::CapacityChanged { agent, .. }
        | Event::ChatStarted { agent, .. }
        | Event::ChatEnded { agent, .. }
        | Event::SkillAdded { agent, .. }
        | Event::SkillRemoved { agent, .. } => [idx(agent), None],
        Event::ChatTransferred { from, to, .. } => [idx(from), idx(to)],
        Event::ChatsCounted { agent, .. } => [idx(agent), None],
        // Joining, leaving and defining skills are handled before this is asked.
        _ => [None, None],
    }
}
