//! Events: the changes a floor takes one at a time, each checked before it is applied.

use super::{AgentRec, Aggregate, Floor, SkillPos, SkillQueue, index_u32, load_of};
use crate::{
    Agent, AgentId, AgentState, Capacity, EventError, GroupId, Skill, SkillId, Timestamp, VisitorId, Weight,
};

/// A change on the floor. Apply it with [`Floor::apply`]; [`Floor::sync`] turns a new snapshot
/// into these.
///
/// Events borrow their ids, so applying one allocates nothing (except an agent joining, which
/// the floor keeps a copy of).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event<'a> {
    /// An agent logged on to the floor, as a snapshot would list it; its skills must be defined.
    AgentJoined {
        /// The agent, with an id not on the floor.
        agent: &'a Agent,
    },
    /// An agent left the floor, with whatever chats it held.
    AgentLeft {
        /// The agent.
        agent: &'a AgentId,
    },
    /// A skill is defined on the floor, or renamed if it is there already. Skills are never
    /// removed, so every [`SkillIdx`](crate::SkillIdx) stays valid.
    SkillDefined {
        /// The skill.
        skill: &'a Skill,
    },
    /// The agent's chats, as a snapshot counts them: how many it holds and what they weigh
    /// together (`None`: each weighs [`Weight::ONE`]).
    ChatsCounted {
        /// The agent.
        agent: &'a AgentId,
        /// Chats held now.
        active: u32,
        /// Their weighted load; given only with chats held.
        load: Option<Weight>,
    },
    /// The agent's login name changed.
    LoginChanged {
        /// The agent.
        agent: &'a AgentId,
        /// The new login, unique on the floor, or `None`.
        login: Option<&'a str>,
    },
    /// The agent moved to another group, or out of any.
    GroupChanged {
        /// The agent.
        agent: &'a AgentId,
        /// The new group.
        group: Option<&'a GroupId>,
    },
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

impl Floor {
    /// Applies one event at time `now`, updating every aggregate it touches.
    ///
    /// Costs time in proportion to the skills of the agents the event names, or the log of the
    /// queue length for visitor events. An agent joining or leaving, or gaining or losing a
    /// skill, also shifts that skill's member list (a memory move, no comparisons); a
    /// [`Floor::sync`] batches those into one pass per skill.
    ///
    /// # Errors
    ///
    /// An [`EventError`] when the event is earlier than the floor's time, names an agent, skill or
    /// visitor the floor does not know, ends a chat an agent does not hold, transfers a chat to
    /// its holder, adds a skill an agent has or removes one it lacks, queues a visitor twice, or
    /// joins an agent already on the floor, sharing a login, or naming an undefined skill.
    /// The floor is then unchanged.
    ///
    /// # Examples
    ///
    /// ```
    /// use chatcap_core::{Agent, AgentId, AgentState, Capacity, Event, Floor, EventError, Snapshot, Timestamp, Weight};
    /// let mut floor = Floor::new(Snapshot {
    ///     agents: vec![Agent::new("1", AgentState::Online, Capacity::Limited(2))],
    ///     ..Snapshot::default()
    /// })?;
    /// let a = AgentId::from("1");
    /// let err = floor.apply(Timestamp::from_millis(5), Event::ChatEnded { agent: &a, weight: Weight::ONE }).unwrap_err();
    /// assert_eq!(err, EventError::NoActiveChat { agent: a });
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn apply(&mut self, now: Timestamp, event: Event<'_>) -> Result<(), EventError> {
        if now < self.now {
            return Err(EventError::EventInPast { at: now, floor_time: self.now });
        }
        match event {
            Event::AgentJoined { agent } => {
                if self.agent_idx(&agent.id).is_ok() {
                    return Err(EventError::AgentOnFloor { agent: agent.id.clone() });
                }
                if let Some(login) = &agent.login
                    && let Some(holder) = self.agent_by_login(login)
                {
                    return Err(EventError::DuplicateLogin {
                        login: login.to_string(),
                        first: holder.id().clone(),
                        second: agent.id.clone(),
                    });
                }
                let rec = self.validate_agent(agent.clone(), now)?;
                let i = self.place_agent(rec);
                for &s in self.agents[i as usize].skills.iter() {
                    let members = &mut self.members[s.get()];
                    if let Err(at) = members.binary_search(&i) {
                        members.insert(at, i);
                    }
                }
            }
            Event::AgentLeft { agent } => {
                let i = self.agent_idx(agent)?;
                for &s in self.agents[i].skills.iter() {
                    let members = &mut self.members[s.get()];
                    if let Ok(at) = members.binary_search(&index_u32(i)) {
                        members.remove(at);
                    }
                }
                self.vacate(i);
            }
            Event::SkillDefined { skill } => {
                self.define_skill(skill);
            }
            Event::ChatsCounted { agent, active, load } => {
                let i = self.agent_idx(agent)?;
                let load = load_of(agent, active, load)?;
                self.update_agent(i, |a| {
                    a.active = active;
                    a.load = load;
                });
            }
            Event::LoginChanged { agent, login } => {
                let i = self.agent_idx(agent)?;
                if let Some(login) = login
                    && let Some(holder) = self.agent_by_login(login)
                    && holder.id() != agent
                {
                    return Err(EventError::DuplicateLogin {
                        login: login.to_owned(),
                        first: holder.id().clone(),
                        second: agent.clone(),
                    });
                }
                self.set_login(i, login.map(std::sync::Arc::from));
            }
            Event::GroupChanged { agent, group } => {
                let i = self.agent_idx(agent)?;
                self.sync_keys.mark(i);
                self.agents[i].group = group.cloned();
            }
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
                self.sync_keys.mark(i);
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
                    return Err(EventError::TransferToSelf { agent: from.clone() });
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
                self.sync_keys.mark(i);
                let Err(pos) = rec.skills.binary_search(&s) else {
                    return Err(EventError::SkillAlreadyHeld { agent: agent.clone(), skill: skill.clone() });
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
                self.sync_keys.mark(i);
                let Ok(pos) = rec.skills.binary_search(&s) else {
                    return Err(EventError::SkillNotHeld { agent: agent.clone(), skill: skill.clone() });
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
                self.enqueue(visitor, s, priority, now)
                    .map_err(|visitor| EventError::DuplicateVisitor { visitor })?;
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

    /// Puts a validated agent into a vacant place, or a new one, and indexes it everywhere but
    /// in the skills' member lists, which the caller keeps.
    pub(super) fn place_agent(&mut self, mut rec: AgentRec) -> u32 {
        let i = match self.vacant.pop() {
            Some(i) => {
                rec.generation = self.agents[i as usize].generation;
                self.agents[i as usize] = rec;
                i
            }
            None => {
                self.agents.push(rec);
                index_u32(self.agents.len() - 1)
            }
        };
        self.sync_keys.mark(i as usize);
        let recs = &self.agents;
        let rec = &recs[i as usize];
        // Checked by the caller: neither the id nor the login is on the floor.
        let _ = self.agent_index.insert(rec.id.as_str(), i, |p| recs[p as usize].id.as_str());
        if let Some(login) = &rec.login {
            let _ =
                self.login_index.insert(login, i, |p| recs[p as usize].login.as_deref().unwrap_or_default());
        }
        if let Some(c) = rec.contribution() {
            self.total_agg.add(c);
            for s in &rec.skills {
                self.skill_agg[s.get()].add(c);
            }
        }
        i
    }

    /// Empties agent `i`'s place: out of the aggregates and the id and login indexes. The caller
    /// takes it out of the skills' member lists.
    pub(super) fn vacate(&mut self, i: usize) {
        self.sync_keys.mark(i);
        let rec = &self.agents[i];
        if let Some(c) = rec.contribution() {
            self.total_agg.remove(c);
            for s in &rec.skills {
                self.skill_agg[s.get()].remove(c);
            }
        }
        self.agent_index.remove(rec.id.as_str(), index_u32(i));
        if let Some(login) = &rec.login {
            self.login_index.remove(login, index_u32(i));
        }
        let id = rec.id.clone();
        let generation = rec.generation.wrapping_add(1);
        self.agents[i] = AgentRec::vacant(id, generation);
        self.vacant.push(index_u32(i));
    }

    /// Gives agent `i` a new login, keeping the login index; the caller has checked that no
    /// other agent holds it.
    pub(super) fn set_login(&mut self, i: usize, login: Option<std::sync::Arc<str>>) {
        let pos = index_u32(i);
        self.sync_keys.mark(i);
        if let Some(old) = self.agents[i].login.take() {
            self.login_index.remove(&old, pos);
        }
        self.agents[i].login = login;
        let recs = &self.agents;
        if let Some(new) = &recs[i].login {
            let _ =
                self.login_index.insert(new, pos, |p| recs[p as usize].login.as_deref().unwrap_or_default());
        }
    }

    /// Defines a skill, or renames it if the floor has it; returns its index and whether it is
    /// new.
    pub(super) fn define_skill(&mut self, skill: &Skill) -> (SkillPos, bool) {
        if let Some(&idx) = self.skill_index.get(skill.id.as_str()) {
            self.skills[idx.get()].name.clone_from(&skill.name);
            let revived = !std::mem::replace(&mut self.listed[idx.get()], true);
            return (idx, revived);
        }
        let idx = SkillPos(index_u32(self.skills.len()));
        self.skills.push(skill.clone());
        self.listed.push(true);
        self.skill_tags.push(super::skill_tag(&skill.id));
        self.skill_index.insert(skill.id.clone(), idx);
        self.skill_agg.push(Aggregate::default());
        self.members.push(Vec::new());
        self.queues.push(SkillQueue::default());
        (idx, true)
    }

    pub(super) fn skill_idx(&self, skill: &SkillId) -> Result<SkillPos, EventError> {
        self.pos_by_name(skill.as_str()).ok_or_else(|| EventError::UnknownSkill { skill: skill.clone() })
    }

    pub(super) fn check_can_end_chat(&self, i: usize, w: Weight) -> Result<(), EventError> {
        let a = &self.agents[i];
        if a.active == 0 {
            return Err(EventError::NoActiveChat { agent: a.id.clone() });
        }
        let left = a.load.checked_sub(w.as_thousandths());
        // The last chat takes the whole load with it; any other leaves some behind.
        let consistent = match left {
            Some(0) => a.active == 1,
            Some(_) => a.active > 1,
            None => false,
        };
        if !consistent {
            return Err(EventError::LoadMismatch {
                agent: a.id.clone(),
                active: a.active - 1,
                load_thousandths: i128::from(a.load) - i128::from(w.as_thousandths()),
            });
        }
        Ok(())
    }

    pub(super) fn check_can_add_chat(&self, i: usize, w: Weight) -> Result<(), EventError> {
        let a = &self.agents[i];
        if a.active == u32::MAX || a.load.checked_add(w.as_thousandths()).is_none() {
            return Err(EventError::TooManyChats { agent: a.id.clone() });
        }
        Ok(())
    }

    /// Serves a queued visitor with agent `i`: the visitor leaves the queue, the agent takes the
    /// chat. The caller has checked that both exist and that `now` is not in the past.
    pub(crate) fn serve(&mut self, now: Timestamp, visitor: VisitorId, i: usize) -> Result<(), EventError> {
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
        skill: SkillPos,
        i: usize,
    ) -> Result<(), EventError> {
        self.check_can_add_chat(i, Weight::ONE)?;
        self.queues[skill.get()].dequeued += 1;
        self.update_agent(i, |a| add_chat(a, Weight::ONE));
        self.now = now;
        Ok(())
    }

    /// As [`Event::ChatEnded`] for agent `i`, found by position instead of by id.
    pub(crate) fn end_chat_at(&mut self, now: Timestamp, i: usize, weight: Weight) -> Result<(), EventError> {
        if now < self.now {
            return Err(EventError::EventInPast { at: now, floor_time: self.now });
        }
        self.check_can_end_chat(i, weight)?;
        self.update_agent(i, |a| end_chat(a, weight));
        self.now = now;
        Ok(())
    }
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
