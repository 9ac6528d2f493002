//! The queues of a floor: per skill, visitors in service order and in arrival order.

use std::cmp::Reverse;
use std::collections::BTreeSet;

use super::{Floor, SkillKey, SkillPos};
use crate::{EventError, LookupError, QueuedVisitor, Timestamp, VisitorId};

/// Queue order: highest priority, then earliest arrival, then visitor id.
pub(super) type QueueKey = (Reverse<i32>, Timestamp, VisitorId);

#[derive(Clone, Debug, Default)]
pub(super) struct SkillQueue {
    pub(super) by_service: BTreeSet<QueueKey>,
    pub(super) by_arrival: BTreeSet<(Timestamp, VisitorId)>,
    pub(super) dequeued: u64,
    pub(super) abandoned: u64,
}

#[derive(Clone, Copy, Debug)]
pub(super) struct VisitorRec {
    pub(super) skill: SkillPos,
    pub(super) priority: i32,
    pub(super) arrived_at: Timestamp,
}

impl Floor {
    /// Visitors waiting for a skill.
    ///
    /// # Errors
    ///
    /// A [`LookupError`] when the floor does not define the skill named (so for every query on
    /// a skill's queue below).
    #[inline]
    pub fn queue_len(&self, skill: impl SkillKey) -> Result<u64, LookupError> {
        let s = self.pos_of(skill)?;
        Ok(self.queues[s.get()].by_service.len() as u64)
    }

    /// The visitor a skill's queue serves next (highest priority, then earliest arrival), if
    /// anyone waits.
    pub fn queue_head(&self, skill: impl SkillKey) -> Result<Option<QueuedVisitor>, LookupError> {
        let s = self.pos_of(skill)?;
        Ok(self.queues[s.get()].by_service.first().map(|&(Reverse(priority), arrived_at, id)| {
            QueuedVisitor { id, skill: self.skills[s.get()].id.clone(), arrived_at, priority }
        }))
    }

    /// When the longest-waiting visitor of a skill arrived, if anyone waits.
    pub fn oldest_arrival(&self, skill: impl SkillKey) -> Result<Option<Timestamp>, LookupError> {
        Ok(self.oldest_arrival_at(self.pos_of(skill)?))
    }

    /// When the longest-waiting visitor of a skill the floor gave `s` to arrived.
    pub(crate) fn oldest_arrival_at(&self, s: SkillPos) -> Option<Timestamp> {
        self.queues[s.get()].by_arrival.first().map(|&(t, _)| t)
    }

    /// How many visitors have left a skill's queue to be served, and how many abandoned it,
    /// through events since the floor was built.
    pub fn queue_exits(&self, skill: impl SkillKey) -> Result<(u64, u64), LookupError> {
        let q = &self.queues[self.pos_of(skill)?.get()];
        Ok((q.dequeued, q.abandoned))
    }

    /// Whether a visitor waits in any queue.
    pub fn is_queued(&self, visitor: VisitorId) -> bool {
        self.visitors.contains_key(&visitor)
    }

    /// The next visitor of a skill's queue, without cloning anything.
    pub(crate) fn head_of(&self, skill: SkillPos) -> Option<(VisitorId, Timestamp)> {
        let &(_, arrived_at, id) = self.queues.get(skill.get())?.by_service.first()?;
        Some((id, arrived_at))
    }

    pub(super) fn enqueue(
        &mut self,
        visitor: VisitorId,
        skill: SkillPos,
        priority: i32,
        arrived_at: Timestamp,
    ) -> Result<(), VisitorId> {
        use std::collections::hash_map::Entry;
        match self.visitors.entry(visitor) {
            Entry::Occupied(_) => return Err(visitor),
            Entry::Vacant(slot) => {
                slot.insert(VisitorRec { skill, priority, arrived_at });
            }
        }
        let q = &mut self.queues[skill.get()];
        q.by_service.insert((Reverse(priority), arrived_at, visitor));
        q.by_arrival.insert((arrived_at, visitor));
        Ok(())
    }

    pub(super) fn dequeue(&mut self, visitor: VisitorId) -> Result<SkillPos, EventError> {
        let v = self.visitors.remove(&visitor).ok_or(EventError::UnknownVisitor { visitor })?;
        let q = &mut self.queues[v.skill.get()];
        q.by_service.remove(&(Reverse(v.priority), v.arrived_at, visitor));
        q.by_arrival.remove(&(v.arrived_at, visitor));
        Ok(v.skill)
    }
}
