//! The running sums per scope (each skill, and the whole floor) over the agents eligible for
//! new chats, and the slots and summary queries that read them.

use super::{AgentRec, Floor, Scope, SkillKey};
use crate::{LookupError, Slots};

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
/// let s = floor.summary(Scope::Skill(floor.skill_index("s").unwrap()))?;
/// assert_eq!((s.eligible_agents, s.free, s.busy), (1, Slots::Count(2), 1));
/// # Ok::<(), Box<dyn std::error::Error>>(())
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

/// The summary of one scope's sums.
#[inline]
fn summarize(agg: &Aggregate, queued: u64) -> Summary {
    Summary {
        eligible_agents: agg.eligible,
        unlimited_agents: agg.unlimited,
        free: agg.free_slots(),
        busy: saturate(agg.busy),
        releasable: saturate(agg.releasable),
        queued,
    }
}

/// Exact running sums over the eligible agents of one scope.
///
/// Sums are `u128` so that adding and removing contributions is exact for any floor; answers
/// saturate to `u64` only when read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Aggregate {
    pub(super) eligible: u64,
    pub(super) unlimited: u64,
    pub(super) free: u128,
    pub(super) busy: u128,
    pub(super) releasable: u128,
}

/// What one agent adds to the aggregates of its scopes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Contribution {
    pub(super) unlimited: bool,
    pub(super) free: u32,
    pub(super) busy: u32,
    pub(super) releasable: u32,
}

impl Aggregate {
    #[inline]
    pub(super) fn add(&mut self, c: Contribution) {
        self.eligible += 1;
        self.unlimited += u64::from(c.unlimited);
        self.free += u128::from(c.free);
        self.busy += u128::from(c.busy);
        self.releasable += u128::from(c.releasable);
    }

    #[inline]
    pub(super) fn remove(&mut self, c: Contribution) {
        self.eligible -= 1;
        self.unlimited -= u64::from(c.unlimited);
        self.free -= u128::from(c.free);
        self.busy -= u128::from(c.busy);
        self.releasable -= u128::from(c.releasable);
    }

    #[inline]
    pub(super) fn free_slots(&self) -> Slots {
        if self.unlimited > 0 { Slots::Unlimited } else { Slots::Count(saturate(self.free)) }
    }
}

#[inline]
pub(super) fn saturate(n: u128) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

impl Floor {
    /// Free slots for new chats with a skill: unlimited if any eligible agent is unlimited, else
    /// the sum of their free capacity. Constant time.
    ///
    /// # Errors
    ///
    /// A [`LookupError`] when the floor does not define the skill named (see [`SkillKey`]).
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
    /// assert_eq!(floor.slots("s")?, Slots::Count(2)); // 2 from agent 1; Occupied and over-limit add none
    /// assert!(floor.slots("unknown").is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[inline]
    pub fn slots(&self, skill: impl SkillKey) -> Result<Slots, LookupError> {
        let s = self.pos_of(skill)?;
        Ok(self.skill_agg[s.get()].free_slots())
    }

    /// Free slots for new chats over the whole floor, each agent counted once. Constant time.
    #[inline]
    pub fn slots_total(&self) -> Slots {
        self.total_agg.free_slots()
    }

    /// The counts behind the slots of a scope. Constant time.
    ///
    /// # Errors
    ///
    /// A [`LookupError`] when the scope is a skill the floor does not define; never for
    /// [`Scope::All`] (which [`Floor::summary_total`] answers without a `Result`).
    #[inline]
    pub fn summary(&self, scope: Scope) -> Result<Summary, LookupError> {
        match scope {
            Scope::All => Ok(self.summary_total()),
            Scope::Skill(idx) => Ok(self.summary_at(self.check_skill(idx)?.pos())),
        }
    }

    /// The counts of a skill the floor gave `s` to.
    #[inline]
    pub(crate) fn summary_at(&self, s: super::SkillPos) -> Summary {
        summarize(&self.skill_agg[s.get()], self.queues[s.get()].by_service.len() as u64)
    }

    /// The counts behind the slots of the whole floor, each agent and visitor counted once.
    /// Constant time.
    #[inline]
    pub fn summary_total(&self) -> Summary {
        summarize(&self.total_agg, self.visitors.len() as u64)
    }

    /// Changes one agent and moves its contribution in every scope it belongs to.
    #[inline]
    pub(super) fn update_agent(&mut self, i: usize, change: impl FnOnce(&mut AgentRec)) {
        self.sync_keys.mark(i);
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
}
