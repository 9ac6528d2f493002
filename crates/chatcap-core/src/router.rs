//! Routing new chats: the head of a skill's queue goes to an agent chosen by a ranking, through
//! a per-skill index so that a routing decision does not scan the floor.

use std::collections::BTreeSet;
use std::fmt;
use std::time::Duration;

use crate::floor::AgentRec;
use crate::transfer::{Key, key};
use crate::{AgentId, Event, Floor, ModelError, Ranking, SkillId, SkillIdx, Timestamp, VisitorId, Weight};

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

/// An index entry: the ranking key as one integer (see [`route_key`]), the agent's rank by id
/// (the tie-break), its position.
type Entry = (u128, u32, u32);

/// A floor that routes new chats.
///
/// It keeps, per skill, the agents that can take a new plain chat now (`Online`, with a free
/// slot: room for a chat of [`Weight::ONE`]), ordered by the routing rule, so that [`Router::route`] reads the best agent
/// instead of scanning the floor. Events go through [`Router::apply`], which keeps the floor's
/// aggregates and this index current; with the index an event costs a few ordered-set updates per
/// skill of the agents it names.
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
/// assert_eq!(router.floor().slots(s), Slots::Count(3));
/// # Ok::<(), ModelError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Router {
    floor: Floor,
    route_by: RouteBy,
    /// Per skill, ordered by `after`: the fallback skills open after each wait.
    relax: Vec<Vec<(Duration, SkillIdx)>>,
    index: Vec<BTreeSet<Entry>>,
    id_rank: Vec<u32>,
    /// Per skill, the id rank of the agent served last (round robin).
    cursor: Vec<Option<u32>>,
}

impl Router {
    /// Indexes a floor for routing by `route_by`, with skill relaxations.
    ///
    /// # Errors
    ///
    /// [`ModelError::UnknownSkill`] when a relaxation names a skill the floor does not define.
    pub fn new(floor: Floor, route_by: RouteBy, relaxations: &[Relaxation]) -> Result<Router, ModelError> {
        let skills = floor.skills().len();
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
        let mut by_id: Vec<u32> = (0..floor.agents.len() as u32).collect();
        by_id.sort_unstable_by(|&a, &b| floor.agents[a as usize].id.cmp(&floor.agents[b as usize].id));
        let mut id_rank = vec![0; by_id.len()];
        for (rank, &i) in by_id.iter().enumerate() {
            id_rank[i as usize] = rank as u32;
        }
        let mut router = Router {
            floor,
            route_by,
            relax,
            index: vec![BTreeSet::new(); skills],
            id_rank,
            cursor: vec![None; skills],
        };
        for i in 0..router.floor.agents.len() {
            router.index_agent(i, true);
        }
        Ok(router)
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
    pub fn apply(&mut self, now: Timestamp, event: Event<'_>) -> Result<(), ModelError> {
        let named = named_agents(&self.floor, &event);
        for i in named.into_iter().flatten() {
            self.index_agent(i, false);
        }
        let result = self.floor.apply(now, event);
        for i in named.into_iter().flatten() {
            self.index_agent(i, true);
        }
        result
    }

    /// Routes the head of a skill's queue: among the agents with the skill (and, once the
    /// visitor has waited long enough, with its fallback skills) that are `Online` with a free
    /// slot, the best by the routing rule takes the chat. The floor's aggregates are updated as
    /// for any event. Cost: a few ordered-set operations per skill of the chosen agent.
    ///
    /// An index from another floor that names no skill here has an empty queue.
    ///
    /// # Errors
    ///
    /// [`ModelError::EventInPast`] when `now` is earlier than the floor's time;
    /// [`ModelError::TooManyChats`] when the chosen agent cannot count another chat.
    pub fn route(&mut self, now: Timestamp, skill: SkillIdx) -> Result<Routed, ModelError> {
        if now < self.floor.now() {
            return Err(ModelError::EventInPast { at: now, floor_time: self.floor.now() });
        }
        let Some((visitor, arrived_at)) = self.floor.head_of(skill) else {
            return Ok(Routed::QueueEmpty);
        };
        let waited = now.saturating_duration_since(arrived_at);
        let s = skill.get();
        let open = self.relax[s].iter().take_while(|(after, _)| *after <= waited).map(|&(_, f)| f);
        let Some((rank, i, pool)) = self.best(skill, open) else {
            return Ok(Routed::NoAgent { visitor });
        };
        self.index_agent(i, false);
        let served = self.floor.serve(now, visitor, i);
        self.index_agent(i, true);
        served?;
        self.cursor[s] = Some(rank);
        let via_fallback = (pool != skill).then(|| self.floor.skills()[pool.get()].id.clone());
        Ok(Routed::Assigned { visitor, agent: self.floor.agents[i].id.clone(), via_fallback })
    }

    /// A new visitor arrives for a skill: it joins the queue and the head of the queue is routed,
    /// as [`Event::VisitorQueued`] followed by [`Router::route`]. When nobody waits ahead, the
    /// visitor goes straight to the best agent without touching the queue, which is the same
    /// outcome at a third of the cost.
    ///
    /// # Errors
    ///
    /// [`ModelError::EventInPast`], [`ModelError::DuplicateVisitor`] for a visitor already
    /// queued, or [`ModelError::TooManyChats`]; the floor is then unchanged.
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
    /// assert_eq!(router.floor().queue_len(s), 1);
    /// # Ok::<(), ModelError>(())
    /// ```
    pub fn arrive(
        &mut self,
        now: Timestamp,
        visitor: VisitorId,
        skill: SkillIdx,
        priority: i32,
    ) -> Result<Routed, ModelError> {
        if now < self.floor.now() {
            return Err(ModelError::EventInPast { at: now, floor_time: self.floor.now() });
        }
        if self.floor.skill(skill).is_none() {
            return Ok(Routed::QueueEmpty);
        }
        if self.floor.head_of(skill).is_none() && !self.floor.is_queued(visitor) {
            // Nobody ahead: with no wait, only relaxations that open at once apply.
            let s = skill.get();
            let open = self.relax[s].iter().take_while(|(after, _)| after.is_zero()).map(|&(_, f)| f);
            if let Some((rank, i, pool)) = self.best(skill, open) {
                self.index_agent(i, false);
                let served = self.floor.serve_arrival(now, skill, i);
                self.index_agent(i, true);
                served?;
                self.cursor[s] = Some(rank);
                let via_fallback = (pool != skill).then(|| self.floor.skills()[pool.get()].id.clone());
                return Ok(Routed::Assigned {
                    visitor,
                    agent: self.floor.agents[i].id.clone(),
                    via_fallback,
                });
            }
        }
        let skill_id = self.floor.skills()[skill.get()].id.clone();
        self.floor.apply(now, Event::VisitorQueued { visitor, skill: &skill_id, priority })?;
        self.route(now, skill)
    }

    /// The best agent over the queue's own pool and the open fallback pools: its rank by id, its
    /// position, and the pool it qualified through.
    fn best(&self, skill: SkillIdx, open: impl Iterator<Item = SkillIdx>) -> Option<(u32, usize, SkillIdx)> {
        let cursor = self.cursor[skill.get()];
        let mut best: Option<(Entry, SkillIdx)> = None;
        for pool in std::iter::once(skill).chain(open) {
            if let Some(entry) = self.pick(pool, cursor)
                && best.is_none_or(|(b, _)| self.better(entry, b, cursor))
            {
                best = Some((entry, pool));
            }
        }
        best.map(|((_, rank, i), pool)| (rank, i as usize, pool))
    }

    /// The best entry of one pool: the first by key, or for round robin the first after the
    /// cursor, wrapping.
    fn pick(&self, pool: SkillIdx, cursor: Option<u32>) -> Option<Entry> {
        let set = &self.index[pool.get()];
        match (self.route_by, cursor) {
            (RouteBy::RoundRobin, Some(c)) => {
                set.range((RR_KEY, c.saturating_add(1), 0)..).next().or_else(|| set.first()).copied()
            }
            _ => set.first().copied(),
        }
    }

    /// Whether entry `a` beats entry `b` (both picked from their pools).
    fn better(&self, a: Entry, b: Entry, cursor: Option<u32>) -> bool {
        match (self.route_by, cursor) {
            (RouteBy::RoundRobin, Some(c)) => {
                // Distance forward from the cursor, wrapping: the nearer agent is next in turn.
                let dist = |rank: u32| rank.wrapping_sub(c).wrapping_sub(1);
                dist(a.1) < dist(b.1)
            }
            _ => a < b,
        }
    }

    /// Removes agent `i`'s entries, or inserts them when `insert`, as its record is now.
    fn index_agent(&mut self, i: usize, insert: bool) {
        let rec = &self.floor.agents[i];
        if !routable(rec) {
            return;
        }
        let entry = (route_key(self.route_by, rec), self.id_rank[i], i as u32);
        for s in &rec.skills {
            if insert {
                self.index[s.get()].insert(entry);
            } else {
                self.index[s.get()].remove(&entry);
            }
        }
    }
}

/// The one key of round robin: order by id rank alone.
const RR_KEY: u128 = 0;

/// A routable agent's ranking key as one integer, ordered as the ranking orders agents.
///
/// Least loaded compares `load / capacity` exactly: both are below 2^42 thousandths (a routable
/// agent has room, so its load is below its capacity of at most `u32::MAX` slots), so two
/// different ratios differ by more than 2^-84, and `floor(load * 2^84 / capacity)` keeps them
/// apart and in order while equal ratios map to equal keys.
fn route_key(route_by: RouteBy, rec: &AgentRec) -> u128 {
    match route_by {
        RouteBy::RoundRobin => RR_KEY,
        RouteBy::Ranking(r) => match key(r, rec) {
            Key::Ratio { num, den } => {
                debug_assert!(num < 1 << 42 && den < 1 << 42, "a routable agent has room");
                (u128::from(num) << 84) / u128::from(den)
            }
            // Most free first: more free room, smaller key; unlimited is the most of all.
            Key::Free(free) => u128::MAX - free.count().map_or(u128::MAX, u128::from),
            Key::Active(n) => u128::from(n),
            Key::Since(t) => (i128::from(t.as_millis()) - i128::from(i64::MIN)) as u128,
        },
    }
}

/// Online with room for a plain chat.
fn routable(rec: &AgentRec) -> bool {
    rec.chat_state.takes_new_chats() && rec.fits(Weight::ONE)
}

fn resolve(floor: &Floor, skill: &SkillId) -> Result<SkillIdx, ModelError> {
    floor.skill_index(skill.as_str()).ok_or_else(|| ModelError::UnknownSkill { skill: skill.clone() })
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
        Event::VisitorQueued { .. } | Event::VisitorDequeued { .. } | Event::VisitorAbandoned { .. } => {
            [None, None]
        }
    }
}
