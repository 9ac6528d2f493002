//! Who can take a transferred chat: ranked candidates, and the reason every other agent cannot.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::fmt;

use crate::floor::AgentRec;
use crate::floor::SkillPos;
use crate::{AgentId, AgentState, Capacity, Floor, LookupError, SkillIdx, Slots, Timestamp, Weight};

/// How candidates are ranked. Every strategy breaks ties by agent id, so the same floor always
/// gives the same order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "kebab-case"))]
pub enum Ranking {
    /// Ascending load ratio `load / limit` (with plain chats, `active / limit`); an unlimited
    /// agent's ratio is 0.
    #[default]
    LeastLoaded,
    /// Descending free capacity; unlimited agents first.
    MostFree,
    /// Ascending active chats.
    FewestChats,
    /// Descending time in the current state.
    LongestInState,
}

impl Ranking {
    /// Every strategy.
    pub const ALL: [Ranking; 4] =
        [Ranking::LeastLoaded, Ranking::MostFree, Ranking::FewestChats, Ranking::LongestInState];

    /// The strategy's name on command lines: `least-loaded`, `most-free`, ...
    pub const fn as_str(self) -> &'static str {
        match self {
            Ranking::LeastLoaded => "least-loaded",
            Ranking::MostFree => "most-free",
            Ranking::FewestChats => "fewest-chats",
            Ranking::LongestInState => "longest-in-state",
        }
    }
}

impl fmt::Display for Ranking {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// Where a chat is to be transferred.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransferTarget<'a> {
    /// One agent.
    Agent(&'a AgentId),
    /// Any agent with this skill.
    Skill(SkillIdx),
}

/// A transfer question: who can take the chat that `from` holds.
///
/// # Examples
///
/// ```
/// use chatcap_core::{Ranking, TransferRequest, TransferTarget, AgentId, SkillIdx};
/// let from = AgentId::from("25025413");
/// # let sales = chatcap_core::Floor::new(chatcap_core::Snapshot { skills: vec![chatcap_core::Skill::new("s")], ..Default::default() })?.skill_index("s").unwrap();
/// let request = TransferRequest::new(&from, TransferTarget::Skill(sales))
///     .with_strategy(Ranking::MostFree)
///     .with_limit(5);
/// assert_eq!(request.limit, Some(5));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TransferRequest<'a> {
    /// The agent that holds the chat.
    pub from: &'a AgentId,
    /// Where the chat should go.
    pub to: TransferTarget<'a>,
    /// How to rank the candidates.
    pub strategy: Ranking,
    /// Whether an agent without free capacity may still take the chat (some vendors allow
    /// exceeding capacity on transfer). Off by default.
    pub allow_over_capacity: bool,
    /// At most this many candidates, the best ones (all when `None`).
    pub limit: Option<usize>,
    /// Whether to list every agent left out, with its reason. Without it the answer lists no
    /// exclusions and a skill transfer looks only at the agents with the skill.
    pub explain: bool,
    /// What the chat costs of the receiving agent's capacity.
    pub weight: Weight,
}

impl<'a> TransferRequest<'a> {
    /// A request for a plain chat, ranked least-loaded, within capacity, with no limit and no
    /// explanation.
    pub const fn new(from: &'a AgentId, to: TransferTarget<'a>) -> Self {
        Self {
            from,
            to,
            strategy: Ranking::LeastLoaded,
            allow_over_capacity: false,
            limit: None,
            explain: false,
            weight: Weight::ONE,
        }
    }

    /// Sets the chat's weight.
    pub const fn with_weight(mut self, weight: Weight) -> Self {
        self.weight = weight;
        self
    }

    /// Sets the ranking.
    pub const fn with_strategy(mut self, strategy: Ranking) -> Self {
        self.strategy = strategy;
        self
    }

    /// Keeps only the best `k` candidates.
    pub const fn with_limit(mut self, k: usize) -> Self {
        self.limit = Some(k);
        self
    }

    /// Lists every agent left out, with its reason.
    pub const fn with_explain(mut self) -> Self {
        self.explain = true;
        self
    }

    /// Lets agents without free capacity take the chat.
    pub const fn allowing_over_capacity(mut self) -> Self {
        self.allow_over_capacity = true;
        self
    }
}

/// Why an agent cannot take a transferred chat. Checked in this order; the first that applies
/// is given.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum Exclusion {
    /// The agent holds the chat being transferred.
    IsCurrentOwner,
    /// The agent is logged off.
    Offline,
    /// The agent is away.
    Away,
    /// The agent lacks the target skill.
    MissingSkill,
    /// The agent's capacity is `Limited(0)`.
    ZeroCapacity,
    /// The agent has no room for the chat's weight (and the request does not allow exceeding
    /// capacity), or already holds the most chats that can be counted.
    AtCapacity,
}

impl Exclusion {
    /// The reason as a snake_case word: `at_capacity`, `missing_skill`, ...
    pub const fn as_str(self) -> &'static str {
        match self {
            Exclusion::IsCurrentOwner => "is_current_owner",
            Exclusion::Offline => "offline",
            Exclusion::Away => "away",
            Exclusion::MissingSkill => "missing_skill",
            Exclusion::ZeroCapacity => "zero_capacity",
            Exclusion::AtCapacity => "at_capacity",
        }
    }
}

impl fmt::Display for Exclusion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// An agent that can take the chat.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Candidate<'a> {
    /// The agent.
    pub agent: &'a AgentId,
    /// Its chat state (`Online` or `Occupied`).
    pub state: AgentState,
    /// Its free capacity in whole slots.
    pub free: Slots,
    /// Chats it holds now.
    pub active_chats: u32,
}

/// An agent left out, and why.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Excluded<'a> {
    /// The agent.
    pub agent: &'a AgentId,
    /// Why it cannot take the chat.
    pub reason: Exclusion,
}

/// The answer to a [`TransferRequest`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TransferCandidates<'a> {
    /// Candidates, best first.
    pub candidates: Vec<Candidate<'a>>,
    /// With [`TransferRequest::explain`], every other agent on the floor in floor order, with
    /// its reason; agents that qualified but fell outside the limit are not listed.
    pub excluded: Vec<Excluded<'a>>,
}

/// The part of a ranking key that depends on the strategy; ties fall to the agent id.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Key {
    /// active / limit, compared exactly by cross-multiplying; `den` is never 0.
    Ratio {
        num: u64,
        den: u64,
    },
    /// Higher is better: compare reversed.
    Free(Slots),
    Active(u32),
    Since(Timestamp),
}

impl Ord for Key {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Key::Ratio { num: a, den: b }, Key::Ratio { num: c, den: d }) => {
                (u128::from(*a) * u128::from(*d)).cmp(&(u128::from(*c) * u128::from(*b)))
            }
            (Key::Free(a), Key::Free(b)) => b.cmp(a),
            (Key::Active(a), Key::Active(b)) => a.cmp(b),
            (Key::Since(a), Key::Since(b)) => a.cmp(b),
            // One request ranks with one strategy: mixed keys never meet.
            _ => Ordering::Equal,
        }
    }
}

// Equality follows the order: 1/2 and 2/4 are the same load.
impl PartialEq for Key {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Key {}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

pub(crate) fn key(strategy: Ranking, rec: &AgentRec) -> Key {
    match strategy {
        Ranking::LeastLoaded => match rec.capacity() {
            Capacity::Unlimited => Key::Ratio { num: 0, den: 1 },
            Capacity::Limited(n) => Key::Ratio { num: rec.load(), den: u64::from(n.max(1)) * Weight::SCALE },
        },
        Ranking::MostFree => Key::Free(rec.free_thousandths().map_or(Slots::Unlimited, Slots::Count)),
        Ranking::FewestChats => Key::Active(rec.active()),
        Ranking::LongestInState => Key::Since(rec.state_since()),
    }
}

/// A candidate with its rank, ordered best first.
struct Ranked<'a> {
    key: Key,
    rec: &'a AgentRec,
}

impl Ranked<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key.cmp(&other.key).then_with(|| self.rec.id().cmp(other.rec.id()))
    }
}

impl PartialEq for Ranked<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Ranked<'_> {}
impl PartialOrd for Ranked<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(Ord::cmp(self, other))
    }
}
impl Ord for Ranked<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        Ranked::cmp(self, other)
    }
}

/// The skill a candidate must have.
#[derive(Clone, Copy)]
enum Need {
    /// None: a transfer to one agent.
    Nothing,
    Skill(SkillPos),
}

/// Why `rec` cannot take the chat, or `None` if it can.
fn exclusion(rec: &AgentRec, owner: usize, i: usize, need: Need, over: bool, w: Weight) -> Option<Exclusion> {
    if i == owner {
        return Some(Exclusion::IsCurrentOwner);
    }
    match rec.chat_state() {
        AgentState::Offline => return Some(Exclusion::Offline),
        AgentState::Away => return Some(Exclusion::Away),
        AgentState::Online | AgentState::Occupied => {}
    }
    let has_skill = match need {
        Need::Nothing => true,
        Need::Skill(s) => rec.skills().binary_search(&s).is_ok(),
    };
    if !has_skill {
        return Some(Exclusion::MissingSkill);
    }
    if rec.capacity().is_zero() {
        return Some(Exclusion::ZeroCapacity);
    }
    // An agent that cannot count one more chat is full whatever the policy.
    if (!over && !rec.fits(w)) || rec.active() == u32::MAX {
        return Some(Exclusion::AtCapacity);
    }
    None
}

impl Floor {
    /// Who can take the chat that `request.from` holds: candidates ranked by the request's
    /// strategy (ties by agent id) and, with `explain`, every other agent with its reason.
    ///
    /// A candidate is `Online` or `Occupied`, is not the holder, has the target skill, and has
    /// room for the chat's weight unless the request allows exceeding capacity; `Limited(0)`
    /// never qualifies.
    /// With a limit `k` the best `k` are found without sorting the rest. Without `explain`, a
    /// skill transfer looks only at the agents with the skill.
    ///
    /// # Errors
    ///
    /// [`LookupError::UnknownAgent`] when the holder or the target agent is not on the floor;
    /// [`LookupError::ForeignSkillIndex`] or [`LookupError::UnknownSkill`] when the target skill
    /// is not one the floor defines.
    ///
    /// # Examples
    ///
    /// ```
    /// use chatcap_core::*;
    /// let floor = Floor::new(Snapshot {
    ///     skills: vec![Skill::new("sales")],
    ///     agents: vec![
    ///         Agent::new("1", AgentState::Online, Capacity::Limited(4)).with_active_chats(2).with_skills(["sales".into()]),
    ///         Agent::new("2", AgentState::Occupied, Capacity::Limited(4)).with_active_chats(1).with_skills(["sales".into()]),
    ///         Agent::new("3", AgentState::Online, Capacity::Limited(2)).with_active_chats(2).with_skills(["sales".into()]),
    ///         Agent::new("4", AgentState::Away, Capacity::Limited(4)),
    ///     ],
    ///     ..Snapshot::default()
    /// })?;
    /// let from = AgentId::from("1");
    /// let sales = floor.skill_index("sales").unwrap();
    /// let answer = floor.transfer_candidates(&TransferRequest::new(&from, TransferTarget::Skill(sales)).with_explain())?;
    /// let ids: Vec<&str> = answer.candidates.iter().map(|c| c.agent.as_str()).collect();
    /// assert_eq!(ids, ["2"]);
    /// let why: Vec<(&str, Exclusion)> = answer.excluded.iter().map(|e| (e.agent.as_str(), e.reason)).collect();
    /// assert_eq!(why, [("1", Exclusion::IsCurrentOwner), ("3", Exclusion::AtCapacity), ("4", Exclusion::Away)]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn transfer_candidates<'a>(
        &'a self,
        request: &TransferRequest<'_>,
    ) -> Result<TransferCandidates<'a>, LookupError> {
        let owner = self.lookup(request.from)?;
        let over = request.allow_over_capacity;
        let limit = request.limit.unwrap_or(usize::MAX);
        let mut out = TransferCandidates::default();
        let mut heap: BinaryHeap<Ranked<'a>> = BinaryHeap::new();
        let mut consider = |i: usize, need: Need, out: &mut TransferCandidates<'a>| {
            let rec = self.rec(i);
            match exclusion(rec, owner, i, need, over, request.weight) {
                Some(reason) => {
                    if request.explain {
                        out.excluded.push(Excluded { agent: rec.id(), reason });
                    }
                }
                None => {
                    if limit == 0 {
                        return;
                    }
                    let ranked = Ranked { key: key(request.strategy, rec), rec };
                    if heap.len() < limit {
                        heap.push(ranked);
                    } else if heap.peek().is_some_and(|worst| ranked < *worst) {
                        heap.pop();
                        heap.push(ranked);
                    }
                }
            }
        };
        match request.to {
            TransferTarget::Agent(target) => {
                let t = self.lookup(target)?;
                consider(t, Need::Nothing, &mut out);
            }
            TransferTarget::Skill(skill) => {
                let s = self.check_skill(skill)?.pos();
                if request.explain {
                    for i in (0..self.places()).filter(|&i| self.rec(i).present()) {
                        consider(i, Need::Skill(s), &mut out);
                    }
                } else {
                    // Members have the skill: no need to look it up in each agent's list.
                    for &i in self.members_of(s) {
                        consider(i as usize, Need::Nothing, &mut out);
                    }
                }
            }
        }
        out.candidates = heap
            .into_sorted_vec()
            .into_iter()
            .map(|r| Candidate {
                agent: r.rec.id(),
                state: r.rec.chat_state(),
                free: r.rec.free_slots(),
                active_chats: r.rec.active(),
            })
            .collect();
        Ok(out)
    }
}
