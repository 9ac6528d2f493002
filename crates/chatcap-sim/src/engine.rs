//! One replication: a discrete-event run of the floor, driving the core's own `Router`.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use chatcap_core::{
    AgentId, AgentState, Event, Floor, Routed, Router, SkillIdx, Timestamp, VisitorId, Weight,
};

use crate::rng::Rng;
use crate::scenario::{HandleTime, Patience, Scenario};
use crate::stats::{FloorTally, SkillTally, spread};

/// What one replication counted.
#[derive(Clone, Debug, Default)]
pub(crate) struct RunTally {
    /// Per skill (in floor order), per interval.
    pub(crate) skills: Vec<Vec<SkillTally>>,
    /// Per interval, over the whole floor.
    pub(crate) floor: Vec<FloorTally>,
    /// Events that changed the floor: arrivals, chat ends, abandonments, timers, state changes.
    pub(crate) events: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    /// The next arrival of traffic stream `i`.
    Arrival(u32),
    /// A chat of `agent` with visitor number `visitor` ends, if the agent's epoch is still `epoch`.
    Departure { agent: u32, visitor: u32, epoch: u32 },
    /// Visitor number `v` gives up if still waiting.
    Abandon(u32),
    /// A relaxation tier of a skill opens for its oldest visitors.
    Relax(u32),
    /// Scheduled state change `i`.
    State(u32),
}

/// A visitor of the run. Visitors of the starting snapshot are served but not counted.
#[derive(Clone, Copy, Debug)]
struct Visitor {
    id: VisitorId,
    skill: u32,
    arrived: f64,
    interval: u32,
    counted: bool,
    waiting: bool,
}

#[derive(Clone, Debug)]
struct AgentSim {
    id: AgentId,
    /// Bumped whenever the agent's chats are given new end times; older departures are void.
    epoch: u32,
    /// Visitor numbers of the chats held (`HELD_AT_START` for chats held when the run began).
    chats: Vec<u32>,
    staffed: bool,
    /// The queues this agent can serve: its skills', and those that fall back to them.
    drains: Vec<SkillIdx>,
}

const HELD_AT_START: u32 = u32::MAX;

/// One replication of a scenario.
pub(crate) struct Engine<'a> {
    sc: &'a Scenario,
    router: Router,
    rng: Rng,
    t0: Timestamp,
    now: f64,
    horizon: f64,
    seq: u64,
    heap: BinaryHeap<Reverse<(u64, u64, Kind)>>,
    visitors: Vec<Visitor>,
    /// Visitors of the starting snapshot, by id; the run's own visitors are numbered from
    /// `first_new_id` in arrival order, after them.
    by_visitor_id: HashMap<VisitorId, u32>,
    first_new_id: u64,
    next_visitor_id: u64,
    agents: Vec<AgentSim>,
    skill_idx: Vec<SkillIdx>,
    traffic_skill: Vec<SkillIdx>,
    relax_after: Vec<Vec<f64>>,
    /// Exponential handle times with a mean per concurrency level: every change of an agent's
    /// load redraws the remaining times of its chats, which memorylessness makes exact.
    redraw: bool,
    tally: RunTally,
    /// Scratch space for `drain`.
    open: Vec<SkillIdx>,
    queue_len: Vec<u64>,
    queue_since: Vec<f64>,
    staffed: u64,
    busy: u64,
    chats: u64,
    floor_since: f64,
}

impl<'a> Engine<'a> {
    /// Sets up a replication from a validated scenario and its floor.
    pub(crate) fn new(sc: &'a Scenario, floor: Floor, seed: u64, replication: u64) -> Engine<'a> {
        let t0 = floor.now();
        let skill_idx: Vec<SkillIdx> = floor.skill_indices().collect();
        let skills = skill_idx.len();
        let mut relax_after = vec![Vec::new(); skills];
        let mut falls_back_to: Vec<Vec<SkillIdx>> = vec![Vec::new(); skills];
        for r in &sc.relaxations {
            let Some(q) = floor.skill_index(r.skill.as_str()) else { continue };
            relax_after[q.get()].push(r.after.as_secs_f64());
            for fb in r.fallbacks.iter().filter_map(|fb| floor.skill_index(fb.as_str())) {
                falls_back_to[fb.get()].push(q);
            }
        }
        let mut agents = Vec::with_capacity(floor.agent_count());
        for a in floor.agents() {
            let mut drains: Vec<SkillIdx> = Vec::new();
            for s in a.skills().filter_map(|s| floor.skill_index(s.as_str())) {
                drains.push(s);
                drains.extend(&falls_back_to[s.get()]);
            }
            drains.sort_unstable();
            drains.dedup();
            agents.push(AgentSim {
                id: a.id().clone(),
                epoch: 0,
                chats: vec![HELD_AT_START; a.active_chats() as usize],
                staffed: a.chat_state() != AgentState::Offline,
                drains,
            });
        }
        let queue_len = skill_idx.iter().map(|&s| floor.queue_len(s)).collect();
        let snapshot_queue = floor.to_snapshot().queue;
        let router =
            Router::new(floor, sc.route_by, &sc.relaxations).expect("relaxations checked by validate");
        let traffic_skill =
            sc.traffic.iter().filter_map(|t| router.floor().skill_index(t.skill.as_str())).collect();
        let mut engine = Engine {
            sc,
            router,
            rng: Rng::for_replication(seed, replication),
            t0,
            now: 0.0,
            horizon: sc.horizon_s(),
            seq: 0,
            heap: BinaryHeap::new(),
            visitors: Vec::new(),
            by_visitor_id: HashMap::new(),
            first_new_id: snapshot_queue.iter().map(|v| v.id.0 + 1).max().unwrap_or(0),
            next_visitor_id: 0,
            agents,
            skill_idx,
            traffic_skill,
            relax_after,
            redraw: matches!(sc.handle, HandleTime::Exponential { .. }) && sc.aht_by_concurrency.is_some(),
            tally: RunTally {
                skills: vec![vec![SkillTally::default(); sc.intervals]; skills],
                floor: vec![FloorTally::default(); sc.intervals],
                events: 0,
            },
            open: Vec::new(),
            queue_len,
            queue_since: vec![0.0; skills],
            staffed: 0,
            busy: 0,
            chats: 0,
            floor_since: 0.0,
        };
        engine.next_visitor_id = engine.first_new_id;
        if sc.warmup_s <= 0.0 {
            // The queue the run starts with counts toward the first interval's longest queue.
            for (s, &len) in engine.queue_len.iter().enumerate() {
                engine.tally.skills[s][0].max_queue = len as f64;
            }
        }
        for v in snapshot_queue {
            let skill =
                engine.router.floor().skill_index(v.skill.as_str()).expect("queue skills are on the floor");
            let arrived = v.arrived_at.as_millis().saturating_sub(t0.as_millis()) as f64 / 1000.0;
            engine.add_visitor(v.id, skill, arrived, false);
        }
        for a in 0..engine.agents.len() {
            let held = engine.agents[a].chats.len() as u64;
            engine.staffed += u64::from(engine.agents[a].staffed);
            engine.chats += held;
            engine.busy += u64::from(held > 0);
            engine.schedule_all_chats(a);
        }
        for i in 0..sc.traffic.len() {
            engine.schedule_arrival(i, 0.0);
        }
        for (i, c) in sc.schedule.iter().enumerate() {
            engine.push(c.at_s, Kind::State(i as u32));
        }
        let all = engine.skill_idx.clone();
        engine.drain(&all);
        engine
    }

    /// Runs to the horizon and returns what was counted.
    pub(crate) fn run(mut self) -> RunTally {
        while let Some(Reverse((bits, _, kind))) = self.heap.pop() {
            let t = f64::from_bits(bits);
            if t > self.horizon {
                break;
            }
            self.now = t;
            // Count what changes the floor; voided departures and spent timers are not events.
            let live = match kind {
                Kind::Departure { agent, epoch, .. } => self.agents[agent as usize].epoch == epoch,
                Kind::Abandon(v) => self.visitors[v as usize].waiting,
                Kind::Arrival(_) | Kind::Relax(_) | Kind::State(_) => true,
            };
            self.tally.events += u64::from(live);
            match kind {
                Kind::Arrival(i) => self.arrive(i as usize),
                Kind::Departure { agent, visitor, epoch } => self.depart(agent as usize, visitor, epoch),
                Kind::Abandon(v) => self.abandon(v as usize),
                Kind::Relax(s) => {
                    let s = self.skill_idx[s as usize];
                    self.drain(&[s]);
                }
                Kind::State(i) => self.change_state(i as usize),
            }
        }
        self.now = self.horizon;
        self.advance_floor();
        for s in 0..self.queue_len.len() {
            self.advance_queue(s);
        }
        self.tally
    }

    fn push(&mut self, t: f64, kind: Kind) {
        // Times are non-negative, so their bit patterns order as the numbers do.
        self.seq += 1;
        self.heap.push(Reverse((t.max(0.0).to_bits(), self.seq, kind)));
    }

    fn stamp(&self) -> Timestamp {
        Timestamp::from_millis(self.t0.as_millis().saturating_add((self.now * 1000.0).floor() as i64))
    }

    fn interval_of(&self, t: f64) -> usize {
        ((t / self.sc.interval_s) as usize).min(self.sc.intervals - 1)
    }

    fn schedule_arrival(&mut self, stream: usize, from: f64) {
        let rates = &self.sc.traffic[stream].per_hour;
        let mut t = from;
        loop {
            let i = (t / self.sc.interval_s) as usize;
            if t >= self.horizon {
                return;
            }
            let rate = rates[i.min(rates.len() - 1)] / 3600.0;
            let end = (i + 1) as f64 * self.sc.interval_s;
            if rate > 0.0 {
                let next = t + self.rng.exp(1.0 / rate);
                if next < end {
                    self.push(next, Kind::Arrival(stream as u32));
                    return;
                }
            }
            // Memoryless: past the interval's end, draw again at the next interval's rate.
            t = end;
        }
    }

    fn add_visitor(&mut self, id: VisitorId, skill: SkillIdx, arrived: f64, counted: bool) -> u32 {
        let n = self.visitors.len() as u32;
        let interval = self.interval_of(arrived.max(0.0)) as u32;
        self.visitors.push(Visitor {
            id,
            skill: skill.get() as u32,
            arrived,
            interval,
            counted,
            waiting: true,
        });
        if id.0 < self.first_new_id {
            self.by_visitor_id.insert(id, n);
        }
        n
    }

    /// The number of a visitor in `visitors`: the run's own visitors follow the snapshot's, in
    /// id order.
    fn visitor_number(&self, id: VisitorId) -> u32 {
        match id.0.checked_sub(self.first_new_id) {
            Some(k) => (self.by_visitor_id.len() as u64 + k) as u32,
            None => self.by_visitor_id[&id],
        }
    }

    fn arrive(&mut self, stream: usize) {
        self.schedule_arrival(stream, self.now);
        let skill = self.traffic_skill[stream];
        let id = VisitorId(self.next_visitor_id);
        self.next_visitor_id += 1;
        let counted = self.now >= self.sc.warmup_s;
        let n = self.add_visitor(id, skill, self.now, counted);
        if counted {
            let i = self.visitors[n as usize].interval as usize;
            self.tally.skills[skill.get()][i].offered += 1.0;
        }
        self.set_queue(skill.get(), 1);
        let now = self.stamp();
        match self.router.arrive(now, id, skill, 0).expect("visitor ids are new") {
            Routed::Assigned { visitor, position, .. } => self.assigned(visitor, position),
            Routed::NoAgent { .. } | Routed::QueueEmpty => {}
        }
        if self.visitors[n as usize].waiting {
            // Only a visitor who has to wait can give up, or be helped by a relaxation.
            if let Patience::Exponential { mean_s } = self.sc.patience {
                let give_up = self.now + self.rng.exp(mean_s);
                self.push(give_up, Kind::Abandon(n));
            }
            for k in 0..self.relax_after[skill.get()].len() {
                let at = self.now + self.relax_after[skill.get()][k];
                self.push(at, Kind::Relax(skill.get() as u32));
            }
        }
    }

    fn abandon(&mut self, n: usize) {
        let v = self.visitors[n];
        if !v.waiting {
            return;
        }
        self.visitors[n].waiting = false;
        self.set_queue(v.skill as usize, -1);
        let now = self.stamp();
        self.router.apply(now, Event::VisitorAbandoned { visitor: v.id }).expect("the visitor waits");
        if v.counted {
            let t = &mut self.tally.skills[v.skill as usize][v.interval as usize];
            t.abandoned += 1.0;
            t.waited += 1.0;
            t.wait_sum_all += self.now - v.arrived;
        }
    }

    fn depart(&mut self, a: usize, visitor: u32, epoch: u32) {
        if self.agents[a].epoch != epoch {
            return;
        }
        let Some(pos) = self.agents[a].chats.iter().position(|&c| c == visitor) else { return };
        self.agents[a].chats.swap_remove(pos);
        self.set_agent_chats(a, -1);
        self.router.end_chat(self.stamp(), a, Weight::ONE).expect("the agent holds the chat");
        if self.redraw {
            self.schedule_all_chats(a);
        }
        let drains = std::mem::take(&mut self.agents[a].drains);
        self.drain(&drains);
        self.agents[a].drains = drains;
    }

    fn change_state(&mut self, i: usize) {
        let change = &self.sc.schedule[i];
        let a = self.router.floor().position(&change.agent).expect("scheduled agents checked by validate");
        let staffed = change.state != AgentState::Offline;
        if staffed != self.agents[a].staffed {
            self.advance_floor();
            self.agents[a].staffed = staffed;
            if staffed {
                self.staffed += 1;
            } else {
                self.staffed -= 1;
            }
        }
        let now = self.stamp();
        let id = self.agents[a].id.clone();
        self.router.apply(now, Event::StateChanged { agent: &id, state: change.state }).expect("known agent");
        if change.state == AgentState::Online {
            let drains = std::mem::take(&mut self.agents[a].drains);
            self.drain(&drains);
            self.agents[a].drains = drains;
        }
    }

    /// Routes the heads of these queues, the oldest head first each time, until no agent can
    /// take the head of any of them. Routing only uses capacity up, so a queue whose head found
    /// nobody is done for this call.
    fn drain(&mut self, queues: &[SkillIdx]) {
        let mut open = std::mem::take(&mut self.open);
        open.clear();
        open.extend_from_slice(queues);
        self.drain_open(&mut open);
        self.open = open;
    }

    fn drain_open(&mut self, open: &mut Vec<SkillIdx>) {
        loop {
            let f = self.router.floor();
            let Some((_, pos)) =
                open.iter().enumerate().filter_map(|(k, &q)| f.oldest_arrival(q).map(|t| (t, k))).min()
            else {
                return;
            };
            match self.router.route(self.stamp(), open[pos]).expect("time moves forward") {
                Routed::Assigned { visitor, position, .. } => self.assigned(visitor, position),
                Routed::NoAgent { .. } | Routed::QueueEmpty => {
                    open.swap_remove(pos);
                }
            }
        }
    }

    fn assigned(&mut self, visitor: VisitorId, a: usize) {
        let n = self.visitor_number(visitor);
        let v = self.visitors[n as usize];
        self.visitors[n as usize].waiting = false;
        self.set_queue(v.skill as usize, -1);
        if v.counted {
            let wait = self.now - v.arrived;
            let t = &mut self.tally.skills[v.skill as usize][v.interval as usize];
            t.answered += 1.0;
            t.wait_sum_answered += wait;
            t.wait_sum_all += wait;
            if wait > 0.0 {
                t.waited += 1.0;
            }
            if wait <= self.sc.target_s {
                t.within += 1.0;
            }
        }
        self.agents[a].chats.push(n);
        self.set_agent_chats(a, 1);
        if self.redraw {
            self.schedule_all_chats(a);
        } else {
            let level = self.agents[a].chats.len();
            let end = self.now + self.draw_handle(level);
            let epoch = self.agents[a].epoch;
            self.push(end, Kind::Departure { agent: a as u32, visitor: n, epoch });
        }
    }

    /// Gives every chat of agent `a` a fresh end time (all of them, as at the start or after a
    /// change of load with per-level exponential handle times).
    fn schedule_all_chats(&mut self, a: usize) {
        self.agents[a].epoch = self.agents[a].epoch.wrapping_add(1);
        let level = self.agents[a].chats.len();
        let epoch = self.agents[a].epoch;
        for k in 0..level {
            let visitor = self.agents[a].chats[k];
            let end = self.now + self.draw_handle(level);
            self.push(end, Kind::Departure { agent: a as u32, visitor, epoch });
        }
    }

    /// A handle time for a chat of an agent holding `level` chats.
    fn draw_handle(&mut self, level: usize) -> f64 {
        let base_mean = self.sc.handle.mean_s();
        let mean = match &self.sc.aht_by_concurrency {
            Some(levels) => levels[level.clamp(1, levels.len()) - 1],
            None => base_mean,
        };
        match &self.sc.handle {
            HandleTime::Exponential { .. } => self.rng.exp(mean),
            HandleTime::LogNormal { mean_s, sd_s } => {
                // Scale the configured shape to this level's mean.
                let scale = mean / mean_s;
                let sigma2 = (1.0 + (sd_s / mean_s).powi(2)).ln();
                let mu = mean_s.ln() - sigma2 / 2.0;
                scale * (mu + sigma2.sqrt() * self.rng.normal()).exp()
            }
            HandleTime::Empirical { samples_s } => {
                let x = samples_s[self.rng.below(samples_s.len())];
                x * mean / base_mean
            }
        }
    }

    fn set_queue(&mut self, s: usize, delta: i64) {
        self.advance_queue(s);
        self.queue_len[s] = self.queue_len[s].saturating_add_signed(delta);
        if self.now >= self.sc.warmup_s {
            let i = self.interval_of(self.now);
            let t = &mut self.tally.skills[s][i];
            t.max_queue = t.max_queue.max(self.queue_len[s] as f64);
        }
    }

    fn advance_queue(&mut self, s: usize) {
        let (from, len) = (self.queue_since[s].max(self.sc.warmup_s), self.queue_len[s] as f64);
        let bins = &mut self.tally.skills[s];
        spread(self.sc.interval_s, from, self.now, |i, dt| bins[i].queue_area += len * dt);
        self.queue_since[s] = self.now;
    }

    fn set_agent_chats(&mut self, a: usize, delta: i64) {
        self.advance_floor();
        let held = self.agents[a].chats.len() as u64;
        let before = held.saturating_add_signed(-delta);
        self.chats = self.chats.saturating_add_signed(delta);
        self.busy = self.busy + u64::from(held > 0) - u64::from(before > 0);
    }

    fn advance_floor(&mut self) {
        let from = self.floor_since.max(self.sc.warmup_s);
        let (staffed, busy, chats) = (self.staffed as f64, self.busy as f64, self.chats as f64);
        let bins = &mut self.tally.floor;
        spread(self.sc.interval_s, from, self.now, |i, dt| {
            bins[i].staffed_area += staffed * dt;
            bins[i].busy_area += busy * dt;
            bins[i].chat_area += chats * dt;
            bins[i].duration += dt;
        });
        self.floor_since = self.now;
    }
}
