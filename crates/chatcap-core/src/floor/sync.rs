//! Following a live floor: the difference between the floor and the vendor's next snapshot,
//! found in one pass over the snapshot and applied as the events it stands for.
//!
//! A sync runs in two steps, so that a snapshot that does not validate changes nothing: a
//! [`Plan`] reads the floor and the snapshot and checks everything [`Floor::new`] would check;
//! [`Floor::commit`] then applies the plan and cannot fail. The router runs the same two steps
//! with its index updates between them.

use std::fmt;

use super::sync_key::same_text;
use super::{AgentRec, Floor, SkillList, SkillPos, index_u32, load_of, state_since};
use crate::hash::FxMap;
use crate::{
    Agent, AgentId, AgentState, Capacity, GroupId, Skill, SkillId, Snapshot, SnapshotError, Timestamp,
    VisitorId,
};

/// What a [`Floor::sync`] changed, by kind, with the ids of what changed.
///
/// Agents appear in the order of the snapshot, visitors by id; an agent with several changes
/// is listed under each kind. Visitors are matched by id: a visitor whose skill, priority or
/// arrival differs from what the floor holds is `moved`.
///
/// # Examples
///
/// ```
/// use chatcap_core::*;
/// let t0 = Timestamp::from_millis(0);
/// let s = || vec![Skill::new("s")];
/// let mut floor = Floor::new(Snapshot {
///     taken_at: t0,
///     skills: s(),
///     agents: vec![Agent::new("1", AgentState::Online, Capacity::Limited(2)).with_skills(["s".into()])],
///     queue: vec![],
/// })?;
/// let t1 = Timestamp::from_millis(5_000);
/// let report = floor.sync(t1, &Snapshot {
///     taken_at: t1,
///     skills: s(),
///     agents: vec![
///         Agent::new("1", AgentState::Online, Capacity::Limited(2)).with_active_chats(1).with_skills(["s".into()]),
///         Agent::new("2", AgentState::Online, Capacity::Limited(3)).with_skills(["s".into()]),
///     ],
///     queue: vec![],
/// })?;
/// assert_eq!(report.joined, [AgentId::from("2")]);
/// assert_eq!(report.chats_changed, [AgentId::from("1")]);
/// assert_eq!(report.to_string(), "1 joined, 1 with chats changed");
/// assert_eq!(floor.slots("s")?, Slots::Count(4));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SyncReport {
    /// Agents new on the floor.
    pub joined: Vec<AgentId>,
    /// Agents no longer in the snapshot, gone from the floor.
    pub left: Vec<AgentId>,
    /// Agents whose chat state changed.
    pub state_changed: Vec<AgentId>,
    /// Agents in the same chat state whose time in state says they entered it at another time
    /// (they left it and came back between snapshots, or the vendor's clock moved).
    pub state_restarted: Vec<AgentId>,
    /// Agents whose voice state changed.
    pub voice_changed: Vec<AgentId>,
    /// Agents whose concurrent-chat limit changed.
    pub capacity_changed: Vec<AgentId>,
    /// Agents whose chats held, or their weighted load, changed.
    pub chats_changed: Vec<AgentId>,
    /// Agents whose skills changed.
    pub skills_changed: Vec<AgentId>,
    /// Agents whose login name changed.
    pub login_changed: Vec<AgentId>,
    /// Agents whose group changed.
    pub group_changed: Vec<AgentId>,
    /// Skills new on the floor, or listed again after a snapshot left them out.
    pub skills_defined: Vec<SkillId>,
    /// Skills the snapshot no longer lists: retired, treated as unknown until listed again.
    pub skills_retired: Vec<SkillId>,
    /// Skills whose display name changed.
    pub skills_renamed: Vec<SkillId>,
    /// Visitors new in the queues.
    pub visitors_arrived: Vec<VisitorId>,
    /// Visitors no longer queued (served or abandoned: a snapshot does not say which).
    pub visitors_left: Vec<VisitorId>,
    /// Visitors whose skill, priority or arrival changed.
    pub visitors_moved: Vec<VisitorId>,
}

impl SyncReport {
    /// The kinds, each with its count and its words, in the order they print.
    fn kinds(&self) -> [(usize, &'static str); 16] {
        [
            (self.joined.len(), "joined"),
            (self.left.len(), "left"),
            (self.state_changed.len(), "changed state"),
            (self.state_restarted.len(), "restarted their state"),
            (self.voice_changed.len(), "changed voice state"),
            (self.capacity_changed.len(), "with a new chat limit"),
            (self.chats_changed.len(), "with chats changed"),
            (self.skills_changed.len(), "with skills changed"),
            (self.login_changed.len(), "with a new login"),
            (self.group_changed.len(), "with a new group"),
            (self.skills_defined.len(), "skills defined"),
            (self.skills_retired.len(), "skills retired"),
            (self.skills_renamed.len(), "skills renamed"),
            (self.visitors_arrived.len(), "visitors queued"),
            (self.visitors_left.len(), "visitors left the queue"),
            (self.visitors_moved.len(), "visitors moved in the queue"),
        ]
    }

    /// Whether the snapshot matched the floor exactly.
    pub fn is_empty(&self) -> bool {
        self.kinds().iter().all(|&(n, _)| n == 0)
    }
}

impl fmt::Display for SyncReport {
    /// The non-zero kinds with their counts, `"no change"` when there are none.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for (n, words) in self.kinds() {
            if n == 0 {
                continue;
            }
            if !first {
                f.write_str(", ")?;
            }
            first = false;
            write!(f, "{n} {words}")?;
        }
        if first {
            f.write_str("no change")?;
        }
        Ok(())
    }
}

/// Agents compared per block: the texts and skill lists of a block are read first, in a tight
/// loop that has many of them on their way from memory at once, and then compared.
const WARM_BLOCK: usize = 64;

/// Reads the first byte of every text and the first skill a block of the snapshot's agents
/// points to, so that comparing them finds them in cache. An agent whose id is shared with the
/// floor's at the place it is expected at (`at` for the first of the block) has its texts
/// compared by address: only its skills are read.
fn warm(block: &[Agent], keys: &super::sync_key::SyncKeys, at: usize) -> u64 {
    let first = |s: &str| u64::from(s.as_bytes().first().copied().unwrap_or(0));
    let mut acc = 0u64;
    for (k, a) in block.iter().enumerate() {
        acc ^= a.skills.first().map_or(0, |s| s.addr() as u64);
        acc ^= a.skills.last().map_or(0, |s| s.addr() as u64);
        if keys.shares_id(at + k, a) {
            continue;
        }
        acc ^= first(a.id.as_str());
        acc ^= a.login.as_deref().map_or(0, first);
        acc ^= a.group.as_ref().map_or(0, |g| first(g.as_str()));
    }
    acc
}

/// An agent that stays, with what it will be.
#[derive(Debug)]
struct Change<'s> {
    place: u32,
    state: AgentState,
    since: Timestamp,
    voice: Option<AgentState>,
    capacity: Capacity,
    active: u32,
    load: u64,
    /// The new skills, when they changed.
    skills: Option<SkillList>,
    /// The new login, when it changed.
    login: Option<Option<&'s std::sync::Arc<str>>>,
    /// The new group, when it changed.
    group: Option<Option<&'s GroupId>>,
}

/// A checked difference between a floor and a snapshot, ready to apply.
#[derive(Debug)]
pub(crate) struct Plan<'s> {
    now: Timestamp,
    /// Per skill the floor has, whether the snapshot lists it.
    listed: Vec<bool>,
    new_skills: Vec<&'s Skill>,
    renamed: Vec<(SkillPos, &'s Skill)>,
    joins: Vec<AgentRec>,
    changes: Vec<Change<'s>>,
    leaves: Vec<u32>,
    /// Visitors to take out of the queues (those gone and those moved).
    departures: Vec<VisitorId>,
    /// Visitors to put in (those new and those moved): id, skill, priority, arrival.
    arrivals: Vec<(VisitorId, SkillPos, i32, Timestamp)>,
    report: SyncReport,
}

impl Plan<'_> {
    /// The places of the agents leaving.
    pub(crate) fn leaving(&self) -> &[u32] {
        &self.leaves
    }

    /// The places of the agents staying whose skills change.
    pub(crate) fn reskilled(&self) -> impl Iterator<Item = u32> + '_ {
        self.changes.iter().filter(|c| c.skills.is_some()).map(|c| c.place)
    }
}

/// The places a committed plan touched, for the router to bring its index up to date.
#[derive(Debug, Default)]
pub(crate) struct Touched {
    /// Places the agents joining took, in the order they joined.
    joined: Vec<u32>,
    /// Places of agents staying whose skills changed.
    reskilled: Vec<u32>,
    /// Places of the other agents staying that changed.
    changed: Vec<u32>,
}

impl Touched {
    /// Places the agents joining took, in the order they joined.
    pub(crate) fn joined(&self) -> &[u32] {
        &self.joined
    }

    /// Places of agents staying whose skills changed.
    pub(crate) fn reskilled(&self) -> &[u32] {
        &self.reskilled
    }

    /// Places of the other agents staying that changed.
    pub(crate) fn changed(&self) -> &[u32] {
        &self.changed
    }
}

impl Floor {
    /// Brings the floor to a new snapshot of the same contact center: every difference becomes
    /// the event it stands for (an agent joined or left; its state, time in state, limit,
    /// chats, skills, login or group changed; a skill defined or renamed; a visitor queued,
    /// gone or moved), applied to the aggregates without rebuilding them.
    ///
    /// Afterwards every query answers as `Floor::new(next.clone())` would. What differs is
    /// numbering, never an answer: skills keep the indices they had (a skill the snapshot no
    /// longer lists is retired, unknown to queries and events, and keeps its index should it
    /// come back; new skills come after), so [`Floor::skills`] and an agent's
    /// [`skills`](crate::AgentView::skills) follow that order; and agents keep their places
    /// ([`Floor::agents`] lists them in that order). An agent whose time in state the snapshot
    /// omits keeps the start the floor knows, unless its state changed; then it entered the
    /// state at `next.taken_at`.
    ///
    /// Cost: one pass over the snapshot and one over the floor's places, plus, for what
    /// changed, what the same events would cost. An agent is looked for first at the place
    /// after the previous one's, so a vendor that lists agents in a stable order costs no id
    /// hashing; an agent's skills are matched by the address of their ids first, which costs
    /// no string comparison when the adapter shares one id per skill (as chatcap's does, with
    /// one list per set of skills). An id, login or group that is the floor's own (a snapshot
    /// made by editing the last one shares them) is matched by address, without reading its
    /// text. The floor's side of the comparison is a compact key per place (an exact copy of
    /// what a sync compares, with its texts side by side in one table), read in place order; an
    /// agent changed by an event since the last sync is compared with its full record instead.
    ///
    /// # Errors
    ///
    /// [`SnapshotError::SyncInPast`] when `now` is earlier than the floor's time, or any error
    /// [`Floor::new`] gives for `next`. The floor is then unchanged.
    ///
    /// # Examples
    ///
    /// ```
    /// use chatcap_core::*;
    /// let snapshot = |at: i64, state: AgentState| Snapshot {
    ///     taken_at: Timestamp::from_millis(at),
    ///     skills: vec![Skill::new("s")],
    ///     agents: vec![Agent::new("1", state, Capacity::Limited(3)).with_skills(["s".into()])],
    ///     queue: vec![QueuedVisitor::new(VisitorId(7), "s", Timestamp::from_millis(0))],
    /// };
    /// let mut floor = Floor::new(snapshot(0, AgentState::Away))?;
    /// assert_eq!(floor.slots("s")?, Slots::ZERO);
    /// let next = snapshot(10_000, AgentState::Online);
    /// let report = floor.sync(next.taken_at, &next)?;
    /// assert_eq!(report.state_changed, [AgentId::from("1")]);
    /// assert_eq!(floor.slots("s")?, Slots::Count(3));
    /// assert_eq!(floor.agent(&"1".into()).unwrap().state_since(), next.taken_at);
    ///
    /// // A snapshot that does not validate changes nothing.
    /// let mut bad = snapshot(20_000, AgentState::Away);
    /// bad.agents[0].skills = ["s".into(), "undefined".into()].into();
    /// assert!(floor.sync(bad.taken_at, &bad).is_err());
    /// assert_eq!(floor.slots("s")?, Slots::Count(3));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn sync(&mut self, now: Timestamp, next: &Snapshot) -> Result<SyncReport, SnapshotError> {
        let plan = self.plan(now, next)?;
        Ok(self.commit(plan).0)
    }

    /// Checks `next` and finds how it differs from the floor, changing nothing.
    pub(crate) fn plan<'s>(&self, now: Timestamp, next: &'s Snapshot) -> Result<Plan<'s>, SnapshotError> {
        if now < self.now {
            return Err(SnapshotError::SyncInPast { at: now, floor_time: self.now });
        }
        let taken_at = next.taken_at;
        let mut report = SyncReport::default();

        // Skills: which of the floor's the snapshot lists, and which are new.
        let mut listed = vec![false; self.skills.len()];
        let mut new_skills: Vec<&Skill> = Vec::new();
        let mut new_index: FxMap<&str, SkillPos> = FxMap::default();
        let mut renamed = Vec::new();
        for skill in &next.skills {
            match self.skill_index.get(skill.id.as_str()).copied() {
                Some(idx) => {
                    if std::mem::replace(&mut listed[idx.get()], true) {
                        return Err(SnapshotError::DuplicateSkill { skill: skill.id.clone() });
                    }
                    let renamed_too = self.skills[idx.get()].name != skill.name;
                    if renamed_too {
                        renamed.push((idx, skill));
                    }
                    if !self.listed[idx.get()] {
                        report.skills_defined.push(skill.id.clone());
                    } else if renamed_too {
                        report.skills_renamed.push(skill.id.clone());
                    }
                }
                None => {
                    let idx = SkillPos(index_u32(self.skills.len() + new_skills.len()));
                    if new_index.insert(skill.id.as_str(), idx).is_some() {
                        return Err(SnapshotError::DuplicateSkill { skill: skill.id.clone() });
                    }
                    new_skills.push(skill);
                    report.skills_defined.push(skill.id.clone());
                }
            }
        }
        for (i, skill) in self.skills.iter().enumerate() {
            if self.listed[i] && !listed[i] {
                report.skills_retired.push(skill.id.clone());
            }
        }
        let resolve = |id: &SkillId| -> Option<SkillPos> {
            match self.skill_index.get(id.as_str()).copied() {
                Some(idx) => listed[idx.get()].then_some(idx),
                None => new_index.get(id.as_str()).copied(),
            }
        };
        // Adapters share one id per skill among the agents that have it: an agent's skill is
        // found by the address of its text first, and by the text only when that fails.
        let mut by_addr: Vec<(usize, SkillPos)> =
            next.skills.iter().filter_map(|s| Some((s.id.addr(), resolve(&s.id)?))).collect();
        by_addr.sort_unstable();
        let by_address =
            |id: &SkillId| by_addr.binary_search_by_key(&id.addr(), |&(a, _)| a).ok().map(|k| by_addr[k].1);
        let resolve_fast = |id: &SkillId| by_address(id).or_else(|| resolve(id));
        // Per skill index, the address of the snapshot's id for it (0 for a skill it does not
        // list): an agent whose skills are unchanged and in order is checked without a search.
        let mut addr_of = vec![0usize; self.skills.len() + new_skills.len()];
        for &(addr, idx) in &by_addr {
            addr_of[idx.get()] = addr;
        }
        // The agent's skills, sorted, into `skills`.
        let skills_into = |agent: &Agent, skills: &mut Vec<SkillPos>| -> Result<(), SnapshotError> {
            skills.clear();
            for id in agent.skills.iter() {
                let Some(idx) = resolve_fast(id) else {
                    return Err(SnapshotError::UnknownAgentSkill {
                        agent: agent.id.clone(),
                        skill: id.clone(),
                    });
                };
                skills.push(idx);
            }
            skills.sort_unstable();
            if let Some(w) = skills.windows(2).find(|w| w[0] == w[1]) {
                let skill = agent.skills.iter().find(|id| resolve(id) == Some(w[0])).cloned();
                return Err(SnapshotError::DuplicateAgentSkill {
                    agent: agent.id.clone(),
                    skill: skill.unwrap_or_else(|| SkillId::from("")),
                });
            }
            Ok(())
        };

        // Agents: each found at the place after the last one found, else by id. Vacant places
        // count as seen, so that the places not seen at the end are those of agents leaving.
        let mut seen = vec![false; self.agents.len()];
        for &v in &self.vacant {
            seen[v as usize] = true;
        }
        let mut found = 0usize;
        let mut skills = Vec::new();
        let mut joining: FxMap<&str, ()> = FxMap::default();
        let mut joins = Vec::new();
        let mut changes = Vec::new();
        let mut guess = 0usize;
        let mut warmth = 0u64;
        let keys = &self.sync_keys;
        for block in next.agents.chunks(WARM_BLOCK) {
            warmth ^= warm(block, keys, guess);
            for agent in block {
                let since = state_since(agent, taken_at)?;
                let load = load_of(&agent.id, agent.active_chats, agent.load)?;
                // The place after the last one found, checked against its key where the key can
                // stand for the record, else against the record; then by id.
                let at_guess = if keys.usable(guess) {
                    keys.has_id(guess, &agent.id)
                } else {
                    self.agents.get(guess).is_some_and(|rec| {
                        rec.present && same_text(rec.id.as_str().as_bytes(), agent.id.as_str().as_bytes())
                    })
                };
                let place = if at_guess { Some(guess) } else { self.agent_idx(&agent.id).ok() };
                let Some(i) = place else {
                    if joining.insert(agent.id.as_str(), ()).is_some() {
                        return Err(SnapshotError::DuplicateAgent { agent: agent.id.clone() });
                    }
                    joins.push(AgentRec {
                        present: true,
                        generation: 0,
                        tag: super::agent::id_tag(&agent.id),
                        id: agent.id.clone(),
                        login: agent.login.clone(),
                        chat_state: agent.chat_state,
                        voice_state: agent.voice_state,
                        capacity: agent.capacity,
                        active: agent.active_chats,
                        load,
                        skills: {
                            skills_into(agent, &mut skills)?;
                            SkillList::from_sorted(&skills)
                        },
                        group: agent.group.clone(),
                        state_since: since.unwrap_or(taken_at),
                    });
                    report.joined.push(agent.id.clone());
                    continue;
                };
                if std::mem::replace(&mut seen[i], true) {
                    return Err(SnapshotError::DuplicateAgent { agent: agent.id.clone() });
                }
                guess = i + 1;
                found += 1;
                let rec = &self.agents[i];
                if keys.usable(i) {
                    debug_assert!(keys.agrees(i, rec), "the sync key of place {i} is stale");
                    if keys.unchanged(i, agent, since, load, &addr_of) {
                        continue;
                    }
                }
                // The same skills, found by address: every skill the agent has is among those the
                // snapshot lists for it, and as many (the agent's are distinct, so the lists are
                // the same set). Few skills each: a comparison per pair beats sorting.
                let same = agent.skills.len() == rec.skills.len()
                    && (agent
                        .skills
                        .iter()
                        .zip(rec.skills.iter())
                        .all(|(id, s)| id.addr() == addr_of[s.get()])
                        || rec
                            .skills
                            .iter()
                            .all(|s| agent.skills.iter().any(|id| id.addr() == addr_of[s.get()])));
                let skills = if same {
                    None
                } else {
                    skills_into(agent, &mut skills)?;
                    (skills[..] != rec.skills[..]).then(|| SkillList::from_sorted(&skills))
                };
                let since = since.unwrap_or(if agent.chat_state == rec.chat_state {
                    rec.state_since
                } else {
                    taken_at
                });
                let same_login = agent.login.as_deref() == rec.login.as_deref();
                if same
                    && same_login
                    && agent.chat_state == rec.chat_state
                    && since == rec.state_since
                    && agent.voice_state == rec.voice_state
                    && agent.capacity == rec.capacity
                    && agent.active_chats == rec.active
                    && load == rec.load
                    && agent.group == rec.group
                {
                    continue;
                }
                let login = (!same_login).then_some(agent.login.as_ref());
                let group = (agent.group != rec.group).then_some(agent.group.as_ref());
                let kinds = [
                    (agent.chat_state != rec.chat_state, &mut report.state_changed),
                    (
                        agent.chat_state == rec.chat_state && since != rec.state_since,
                        &mut report.state_restarted,
                    ),
                    (agent.voice_state != rec.voice_state, &mut report.voice_changed),
                    (agent.capacity != rec.capacity, &mut report.capacity_changed),
                    (agent.active_chats != rec.active || load != rec.load, &mut report.chats_changed),
                    (skills.is_some(), &mut report.skills_changed),
                    (login.is_some(), &mut report.login_changed),
                    (group.is_some(), &mut report.group_changed),
                ];
                let mut changed = false;
                for (yes, list) in kinds {
                    if yes {
                        list.push(agent.id.clone());
                        changed = true;
                    }
                }
                if changed {
                    changes.push(Change {
                        place: index_u32(i),
                        state: agent.chat_state,
                        since,
                        voice: agent.voice_state,
                        capacity: agent.capacity,
                        active: agent.active_chats,
                        load,
                        skills,
                        login,
                        group,
                    });
                }
            }
        }
        std::hint::black_box(warmth);
        let mut leaves = Vec::new();
        if found < self.agent_count() {
            for (i, _) in seen.iter().enumerate().filter(|(_, seen)| !**seen) {
                leaves.push(index_u32(i));
                report.left.push(self.agents[i].id.clone());
            }
        }

        // Logins: a new one must be free once those leaving or changing theirs give theirs up.
        let mut freed: Vec<u32> = leaves.clone();
        freed.extend(changes.iter().filter(|c| c.login.is_some()).map(|c| c.place));
        freed.sort_unstable();
        let mut claimed: FxMap<&str, &AgentId> = FxMap::default();
        let changed_logins =
            changes.iter().filter_map(|c| Some((&**c.login??, &self.agents[c.place as usize].id)));
        let joining_logins = joins.iter().filter_map(|r| Some((r.login.as_deref()?, &r.id)));
        for (login, id) in changed_logins.chain(joining_logins) {
            if let Some(first) = claimed.insert(login, id) {
                return Err(SnapshotError::DuplicateLogin {
                    login: login.to_owned(),
                    first: first.clone(),
                    second: id.clone(),
                });
            }
            let login_at = |p: u32| self.agents[p as usize].login.as_deref().unwrap_or_default();
            if let Some(p) = self.login_index.get(login, login_at)
                && freed.binary_search(&p).is_err()
            {
                return Err(SnapshotError::DuplicateLogin {
                    login: login.to_owned(),
                    first: self.agents[p as usize].id.clone(),
                    second: id.clone(),
                });
            }
        }

        // Visitors, matched by id.
        let mut queued: FxMap<VisitorId, ()> = FxMap::default();
        queued.reserve(next.queue.len());
        let mut departures = Vec::new();
        let mut arrivals = Vec::new();
        for v in &next.queue {
            let Some(skill) = resolve(&v.skill) else {
                return Err(SnapshotError::UnknownQueueSkill { visitor: v.id, skill: v.skill.clone() });
            };
            if v.arrived_at > taken_at {
                return Err(SnapshotError::VisitorFromFuture {
                    visitor: v.id,
                    arrived_at: v.arrived_at,
                    taken_at,
                });
            }
            if queued.insert(v.id, ()).is_some() {
                return Err(SnapshotError::DuplicateVisitor { visitor: v.id });
            }
            match self.visitors.get(&v.id) {
                Some(r) if r.skill == skill && r.priority == v.priority && r.arrived_at == v.arrived_at => {}
                Some(_) => {
                    departures.push(v.id);
                    arrivals.push((v.id, skill, v.priority, v.arrived_at));
                    report.visitors_moved.push(v.id);
                }
                None => {
                    arrivals.push((v.id, skill, v.priority, v.arrived_at));
                    report.visitors_arrived.push(v.id);
                }
            }
        }
        let staying = next.queue.len() - report.visitors_arrived.len();
        if self.visitors.len() > staying {
            // Some visitors are gone. The map's order does not show: they are sorted below.
            #[allow(clippy::disallowed_methods)]
            let gone = self.visitors.keys().filter(|id| !queued.contains_key(id)).copied();
            let first = report.visitors_left.len();
            report.visitors_left.extend(gone);
            report.visitors_left[first..].sort_unstable();
            departures.extend_from_slice(&report.visitors_left[first..]);
        }
        report.visitors_arrived.sort_unstable();
        report.visitors_moved.sort_unstable();

        Ok(Plan { now, listed, new_skills, renamed, joins, changes, leaves, departures, arrivals, report })
    }

    /// Applies a plan made on this floor as it is now.
    pub(crate) fn commit(&mut self, plan: Plan<'_>) -> (SyncReport, Touched) {
        let Plan { now, listed, new_skills, renamed, joins, changes, leaves, departures, arrivals, report } =
            plan;
        let mut touched = Touched::default();
        self.listed.copy_from_slice(&listed);
        for skill in new_skills {
            self.define_skill(skill);
        }
        for (idx, skill) in renamed {
            self.skills[idx.get()].name.clone_from(&skill.name);
        }

        // Skill memberships to drop and to add, (skill, place), applied per skill at the end.
        let mut drops: Vec<(SkillPos, u32)> = Vec::new();
        let mut adds: Vec<(SkillPos, u32)> = Vec::new();
        for &i in &leaves {
            drops.extend(self.agents[i as usize].skills.iter().map(|&s| (s, i)));
            self.vacate(i as usize);
        }
        // Those joining take the lowest places first, in snapshot order, so that places keep
        // to the order the vendor lists agents in.
        self.vacant.sort_unstable_by(|a, b| b.cmp(a));
        let mut new_logins = Vec::new();
        for c in changes {
            let i = c.place as usize;
            if let Some(skills) = &c.skills {
                let old = &self.agents[i].skills;
                drops.extend(old.iter().filter(|s| skills.binary_search(s).is_err()).map(|&s| (s, c.place)));
                adds.extend(skills.iter().filter(|s| old.binary_search(s).is_err()).map(|&s| (s, c.place)));
                touched.reskilled.push(c.place);
            } else {
                touched.changed.push(c.place);
            }
            if let Some(login) = c.login {
                self.set_login(i, None);
                new_logins.push((i, login));
            }
            if let Some(group) = c.group {
                self.sync_keys.mark(i);
                self.agents[i].group = group.cloned();
            }
            self.restate(i, c);
        }
        for (i, login) in new_logins {
            self.set_login(i, login.cloned());
        }
        for rec in joins {
            let i = self.place_agent(rec);
            adds.extend(self.agents[i as usize].skills.iter().map(|&s| (s, i)));
            touched.joined.push(i);
        }
        self.regroup_members(drops, adds);

        for visitor in departures {
            // Planned from the queues as they are: every visitor leaving is queued.
            let _ = self.dequeue(visitor);
        }
        for (visitor, skill, priority, arrived_at) in arrivals {
            // Planned: the visitor is not queued (a moved one has just left).
            let _ = self.enqueue(visitor, skill, priority, arrived_at);
        }
        self.sync_keys.refresh(&self.agents);
        self.now = now;
        (report, touched)
    }

    /// Sets an agent that stays to what a change says, moving its contribution out of the
    /// scopes it was in and into those it is in now.
    fn restate(&mut self, i: usize, c: Change<'_>) {
        self.sync_keys.mark(i);
        let rec = &mut self.agents[i];
        if let Some(before) = rec.contribution() {
            self.total_agg.remove(before);
            for s in &rec.skills {
                self.skill_agg[s.get()].remove(before);
            }
        }
        rec.chat_state = c.state;
        rec.state_since = c.since;
        rec.voice_state = c.voice;
        rec.capacity = c.capacity;
        rec.active = c.active;
        rec.load = c.load;
        if let Some(skills) = c.skills {
            rec.skills = skills;
        }
        if let Some(after) = rec.contribution() {
            self.total_agg.add(after);
            for s in &rec.skills {
                self.skill_agg[s.get()].add(after);
            }
        }
    }

    /// Applies membership changes per skill: drops first, then adds, each skill's list kept
    /// sorted. Each change is found by binary search and the members between changes move as
    /// one block, so a skill costs its changes times a search plus one move of its members
    /// after the first change.
    fn regroup_members(&mut self, mut drops: Vec<(SkillPos, u32)>, mut adds: Vec<(SkillPos, u32)>) {
        drops.sort_unstable();
        adds.sort_unstable();
        for group in drops.chunk_by(|a, b| a.0 == b.0) {
            let members = &mut self.members[group[0].0.get()];
            // Compacted forward: `kept` members are final; the block after each one dropped
            // moves down over the gap.
            let mut kept = 0;
            let mut from = 0;
            for &(_, place) in group {
                // Planned from the lists as they are: a place dropped is a member.
                let Ok(at) = members[from..].binary_search(&place).map(|k| from + k) else { continue };
                members.copy_within(from..at, kept);
                kept += at - from;
                from = at + 1;
            }
            let len = members.len();
            members.copy_within(from..len, kept);
            members.truncate(kept + (len - from));
        }
        for group in adds.chunk_by(|a, b| a.0 == b.0) {
            // Merged in place from the back: each block of members after a new one moves up
            // past the new ones still to place. A place added is never a member already (those
            // leaving were dropped above).
            let members = &mut self.members[group[0].0.get()];
            let old_len = members.len();
            members.resize(old_len + group.len(), 0);
            let mut end = old_len;
            for (j, &(_, place)) in group.iter().enumerate().rev() {
                let at = members[..end].partition_point(|&m| m < place);
                members.copy_within(at..end, at + j + 1);
                members[at + j] = place;
                end = at;
            }
        }
    }
}
