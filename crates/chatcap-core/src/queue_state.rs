//! The queue state per skill, from which a vendor's `queuestate` response is rendered.

use std::time::Duration;

use crate::{Floor, LookupError, SkillId, SkillKey, Slots, Timestamp};

/// One skill's queue state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct QueueState {
    /// Free slots for new chats.
    pub available: Slots,
    /// Visitors waiting.
    pub queued: u64,
    /// How long the longest-waiting visitor has waited; `None` when nobody waits.
    pub max_wait: Option<Duration>,
}

/// A requested skill and its queue state; `None` when the floor has no data for the skill.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SkillQueueState {
    /// The skill as requested.
    pub skill: SkillId,
    /// Its state, or `None` when the floor does not define the skill.
    pub state: Option<QueueState>,
}

/// Totals over the skills that have data (skills without data are left out).
///
/// Unlimited skills are counted apart so that a renderer can apply its vendor's convention
/// (LivePerson reports an unlimited skill as 1 available slot).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct QueueTotals {
    /// Skills with data.
    pub skills: u64,
    /// Skills whose slots are unlimited.
    pub unlimited_skills: u64,
    /// Sum of the slots of the limited skills (saturating).
    pub limited_slots: u64,
    /// Sum of the visitors waiting.
    pub queued: u64,
    /// The longest wait of any visitor; `None` when nobody waits.
    pub max_wait: Option<Duration>,
}

impl QueueTotals {
    /// Available slots over the skills: unlimited if any skill is.
    ///
    /// A skill's slots count each agent with the skill, so an agent with two requested skills
    /// counts twice, as the per-skill figures being summed do.
    pub fn available(&self) -> Slots {
        if self.unlimited_skills > 0 { Slots::Unlimited } else { Slots::Count(self.limited_slots) }
    }
}

/// The queue state of a list of skills, and their totals.
///
/// # Examples
///
/// ```
/// use chatcap_core::*;
/// use std::time::Duration;
/// let t0 = Timestamp::from_millis(0);
/// let floor = Floor::new(Snapshot {
///     taken_at: t0,
///     skills: vec![Skill::new("1"), Skill::new("2")],
///     agents: vec![
///         Agent::new("a", AgentState::Online, Capacity::Limited(5)).with_skills(["1".into()]),
///         Agent::new("b", AgentState::Online, Capacity::Unlimited).with_skills(["2".into()]),
///     ],
///     queue: vec![QueuedVisitor::new(VisitorId(7), "1", t0)],
/// })?;
/// let now = Timestamp::from_millis(15_253);
/// let view = floor.queue_state_view(SkillSelection::Only(&["1".into(), "100".into()]), now);
/// assert_eq!(view.skills[0].state.unwrap().max_wait, Some(Duration::from_millis(15_253)));
/// assert_eq!(view.skills[1].state, None); // skill 100: no data
/// assert_eq!((view.totals.skills, view.totals.limited_slots, view.totals.queued), (1, 5, 1));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct QueueStateView {
    /// The requested skills, each once, in request order (floor order for all skills).
    pub skills: Vec<SkillQueueState>,
    /// Totals over the skills with data.
    pub totals: QueueTotals,
}

/// Which skills a queue-state view covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SkillSelection<'a> {
    /// Every skill on the floor (LivePerson `skillIds=all`).
    All,
    /// These skills, in this order; repeats are shown once.
    Only(&'a [SkillId]),
}

impl Floor {
    /// One skill's queue state at `now`. Constant time.
    ///
    /// # Errors
    ///
    /// A [`LookupError`] when the floor does not define the skill named.
    pub fn queue_state(&self, skill: impl SkillKey, now: Timestamp) -> Result<QueueState, LookupError> {
        let skill = self.pos_of(skill)?;
        let s = self.summary_at(skill);
        Ok(QueueState {
            available: s.free,
            queued: s.queued,
            max_wait: self.oldest_arrival_at(skill).map(|t| now.saturating_duration_since(t)),
        })
    }

    /// The queue state of the selected skills at `now`, with totals over those that have data.
    pub fn queue_state_view(&self, selection: SkillSelection<'_>, now: Timestamp) -> QueueStateView {
        let mut view = QueueStateView::default();
        let mut add = |skill: SkillId, state: Option<QueueState>| {
            if let Some(st) = state {
                let t = &mut view.totals;
                t.skills += 1;
                match st.available {
                    Slots::Unlimited => t.unlimited_skills += 1,
                    Slots::Count(n) => t.limited_slots = t.limited_slots.saturating_add(n),
                }
                t.queued = t.queued.saturating_add(st.queued);
                t.max_wait = t.max_wait.max(st.max_wait);
            }
            view.skills.push(SkillQueueState { skill, state });
        };
        match selection {
            SkillSelection::All => {
                for idx in self.skill_indices() {
                    add(self.skill_at(idx.pos()).id.clone(), self.queue_state(idx, now).ok());
                }
            }
            SkillSelection::Only(ids) => {
                for (i, id) in ids.iter().enumerate() {
                    if ids[..i].contains(id) {
                        continue;
                    }
                    let state = self.queue_state(id, now).ok();
                    add(id.clone(), state);
                }
            }
        }
        view
    }
}
