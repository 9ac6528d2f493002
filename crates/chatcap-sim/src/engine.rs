//! One replication: a discrete-event run of the floor, driving the core's own `Router`.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use chatcap_core::{
    AgentId, AgentIdx, AgentState, Event, Floor, Router, SkillIdx, Timestamp, VisitorId, Weight,
    internal::{FxMap, MinTree, prefetch},
};

use crate::rng::Rng;
use crate::scenario::{HandleTime, IntervalFactors, Patience, Scenario};
use crate::stats::{Backlog, FloorTally, SkillTally, spread};

/// What one replication counted.
#[derive(Clone, Debug, Default)]
pub(crate) struct RunTally {
    /// Per skill (in floor order), per interval.
    pub(crate) skills: Vec<Vec<SkillTally>>,
    /// Per interval, over the whole floor.
    pub(crate) floor: Vec<FloorTally>,
    /// Per skill (in floor order), its backlog over the second half of the counted span.
    pub(crate) backlog: Vec<Backlog>,
    /// Events that changed the floor: arrivals, chat ends, abandonments, timers, state changes.
    pub(crate) events: u64,
}

/// The timers that are neither chat ends, arrivals nor scheduled state changes. A timer whose
/// visitor no longer waits finds nothing to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Timer {
    /// The visitor gives up if still waiting.
    Abandon(VisitorId),
    /// A relaxation tier of skill `skill` opens for the visitor, if still waiting.
    Relax { skill: u32, visitor: VisitorId },
}

/// The earliest time over a fixed set of sources (agents, or traffic streams), each with at most
/// one pending time: the core's tournament tree, with a leaf per source holding the time's bits
/// above the source's number, so that ties go to the lower number.
#[derive(Clone, Debug)]
struct Earliest {
    tree: MinTree,
}

impl Earliest {
    fn new(sources: usize) -> Earliest {
        let mut tree = MinTree::new();
        for source in 0..sources {
            // A new tree hands out leaves 0, 1, 2, ... in order.
            let leaf = tree.alloc();
            debug_assert_eq!(leaf as usize, source);
        }
        Earliest { tree }
    }

    /// The earliest pending time and its source.
    #[inline]
    fn first(&self) -> Option<(u64, usize)> {
        self.tree.min().map(|e| ((e >> 32) as u64, e as u32 as usize))
    }

    /// Sets (or with `None` clears) the pending time of a source, as the bits of a time `>= 0`.
    #[inline]
    fn set(&mut self, source: usize, at: Option<u64>) {
        let entry = at.map_or(MinTree::EMPTY, |bits| u128::from(bits) << 32 | source as u128);
        self.tree.set(source as u32, entry);
    }
}

/// A time as bits that order as the times do: times are clamped to `+0.0` from below.
#[inline]
fn bits(t: f64) -> u64 {
    if t > 0.0 { t.to_bits() } else { 0 }
}

/// One chat's end in the [`ChatEnds`] calendar, with what the chat's end needs of its agent,
/// so that it reads no per-agent record of the run's own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct End {
    /// The end time, as [`bits`].
    at: u64,
    agent: AgentIdx,
    /// The queues the agent can serve: an index into the run's distinct lists of them.
    drains: u32,
    /// The agent's generation when the end was drawn: the end is stale once it has moved on.
    generation: u32,
}

impl End {
    /// The calendar's order: by time, ties to the lower agent.
    #[inline]
    fn key(self) -> (u64, usize) {
        (self.at, self.agent.get())
    }
}

/// The calendar of chat ends: every chat's end, earliest first, ties to the lower agent (the
/// order of a tournament tree over agents of their earliest ends, which it replaces).
///
/// A radix heap over the bits of the times: bucket 0 holds the ends at `last`, the time of the
/// end taken out last, and bucket `b > 0` those whose bits first differ from `last`'s at bit
/// `b - 1`, so every end in a bucket is earlier than every end in the buckets above it. Adding
/// an end appends it to its bucket; taking the earliest out re-sorts only the lowest bucket
/// that holds anything, into the buckets below. Every access is at the tail of a bucket or a
/// pass along one, so that at 100,000 agents the calendar stays in cache, where a tree over
/// the agents missed it at every level. Times added are never earlier than `last`: a chat ends
/// after the event that started it.
///
/// Redrawing an agent's chats moves the agent to a new generation instead of finding its old
/// ends: those are dropped when a pass meets them.
#[derive(Clone, Debug)]
struct ChatEnds {
    last: u64,
    buckets: Vec<Vec<End>>,
    /// Bit `b` is set when bucket `b` may hold an end, clear when it holds none: the lowest
    /// bucket in use is found without looking at the empty ones below it.
    filled: u128,
    /// The earliest live end.
    first: Option<End>,
    /// Whether to keep `second`.
    hint: bool,
    /// When `hint`, an end likely to be taken out after `first` (the next in `first`'s bucket,
    /// or one added since): a hint only, for warming the caches, and it may be stale.
    second: Option<End>,
    /// Per agent, what its ends carry: read together, one cache line per chat's start.
    agents: Vec<AgentEnds>,
    /// Whether any end may be stale (an agent has moved on a generation).
    stale: bool,
}

/// What the calendar keeps per agent.
#[derive(Clone, Copy, Debug)]
struct AgentEnds {
    /// The generation of the agent's live ends.
    generation: u32,
    /// The queues the agent can serve, as [`End::drains`].
    drains: u32,
}

impl ChatEnds {
    /// A calendar for agents serving, each, the queues of list `drains[agent]`, keeping a hint
    /// of the second end when `hint`.
    fn new(drains: &[u32], hint: bool) -> ChatEnds {
        ChatEnds {
            last: 0,
            buckets: vec![Vec::new(); 65],
            filled: 0,
            first: None,
            hint,
            second: None,
            agents: drains.iter().map(|&drains| AgentEnds { generation: 0, drains }).collect(),
            stale: false,
        }
    }

    /// The bucket of a time not earlier than `last`.
    #[inline]
    fn bucket(&self, at: u64) -> usize {
        (u64::BITS - (at ^ self.last).leading_zeros()) as usize
    }

    /// The earliest end: its time, as [`bits`], and its agent.
    #[inline]
    fn first(&self) -> Option<(u64, usize)> {
        self.first.map(|e| (e.at, e.agent.get()))
    }

    /// The queues `agent` can serve, as an index into the run's distinct lists of them.
    #[inline]
    fn drains(&self, agent: usize) -> u32 {
        self.agents[agent].drains
    }

    /// Asks the CPU for the calendar's record of an agent (a hint; changes nothing).
    #[inline]
    fn warm(&self, agent: usize) {
        if let Some(a) = self.agents.get(agent) {
            prefetch(a);
        }
    }

    /// A chat of `agent` ends at `at` (as [`bits`], not earlier than the last end taken out).
    #[inline]
    fn push(&mut self, at: u64, agent: AgentIdx) {
        debug_assert!(at >= self.last, "a chat ends after the event that started it");
        let AgentEnds { generation, drains } = self.agents[agent.get()];
        let e = End { at, agent, drains, generation };
        let b = self.bucket(at);
        self.buckets[b].push(e);
        self.filled |= 1 << b;
        if self.first.is_none_or(|f| e.key() < f.key()) {
            self.second = self.first;
            self.first = Some(e);
        } else if self.hint && self.second.is_none_or(|f| e.key() < f.key()) {
            self.second = Some(e);
        }
    }

    /// Every pending end of `agent` is dropped; the agent's ends from now on are new ones.
    fn forget(&mut self, agent: usize) {
        let generation = &mut self.agents[agent].generation;
        *generation = generation.checked_add(1).expect("fewer than 2^32 load changes per agent");
        self.stale = true;
        if self.first.is_some_and(|f| f.agent.get() == agent) {
            self.find_first();
        }
    }

    #[inline]
    fn live(&self, e: &End) -> bool {
        !self.stale || self.agents[e.agent.get()].generation == e.generation
    }

    /// Takes the earliest end out (the one [`ChatEnds::first`] names).
    #[inline]
    fn pop(&mut self) {
        let Some(f) = self.first else { return };
        if f.at != self.last {
            // `f` is the earliest, so its bucket is the lowest that holds anything: re-sort
            // that bucket from `f`'s time, every end in it going to a bucket below.
            let b = self.bucket(f.at);
            self.last = f.at;
            let mut ends = std::mem::take(&mut self.buckets[b]);
            for e in ends.drain(..) {
                if self.live(&e) {
                    let to = self.bucket(e.at);
                    self.buckets[to].push(e);
                    self.filled |= 1 << to;
                }
            }
            self.filled &= !(1 << b);
            // A large buffer goes back to the allocator: the buckets that fill change as the
            // times grow, and buffers kept at their peaks would add up to many times the ends
            // pending.
            if ends.capacity() <= 64 {
                self.buckets[b] = ends;
            }
        }
        let here = &mut self.buckets[0];
        if let Some(k) = here.iter().position(|e| *e == f) {
            here.swap_remove(k);
        }
        if here.is_empty() {
            self.filled &= !1;
        }
        self.find_first();
    }

    /// Finds the earliest live end: in the lowest bucket left with a live end.
    fn find_first(&mut self) {
        let (agents, stale) = (&self.agents, self.stale);
        self.first = None;
        self.second = None;
        while self.filled != 0 {
            let b = self.filled.trailing_zeros() as usize;
            let bucket = &mut self.buckets[b];
            if stale {
                bucket.retain(|e| agents[e.agent.get()].generation == e.generation);
            }
            if !self.hint {
                if let Some(e) = bucket.iter().min_by_key(|e| e.key()) {
                    self.first = Some(*e);
                    return;
                }
                self.filled &= !(1 << b);
                continue;
            }
            // The least and the next.
            let mut two: [Option<End>; 2] = [None, None];
            for &e in bucket.iter() {
                if two[0].is_none_or(|f| e.key() < f.key()) {
                    two = [Some(e), two[0]];
                } else if two[1].is_none_or(|f| e.key() < f.key()) {
                    two[1] = Some(e);
                }
            }
            if let [Some(first), second] = two {
                self.first = Some(first);
                self.second = second;
                if second.is_none() {
                    // Alone in its bucket: the next end is the least of the next bucket in
                    // use, worth finding while that bucket is short.
                    let above = self.filled & !((2 << b) - 1);
                    if above != 0 {
                        let next = &self.buckets[above.trailing_zeros() as usize];
                        if next.len() <= 16 {
                            self.second = next.iter().copied().min_by_key(|e| e.key());
                        }
                    }
                }
                return;
            }
            self.filled &= !(1 << b);
        }
    }
}

/// A visitor of the run. Visitors of the starting snapshot are served but not counted.
#[derive(Clone, Copy, Debug)]
struct Visitor {
    id: VisitorId,
    skill: u32,
    arrived: f64,
    interval: u32,
    counted: bool,
}

/// The visitors now waiting: their records in slots that are reused as visitors leave, and the
/// slot of each by id. A visitor is tallied when it leaves (served or abandoned; at the end of
/// the run, unserved) and its slot goes to the next to wait, so this holds as many records as
/// the queues ever held at once, whatever the traffic. A visitor served on arrival never takes
/// a slot.
#[derive(Clone, Debug, Default)]
struct Waiting {
    slots: Vec<Option<Visitor>>,
    free: Vec<usize>,
    slot_of: FxMap<VisitorId, usize>,
}

impl Waiting {
    fn insert(&mut self, v: Visitor) {
        let slot = match self.free.pop() {
            Some(slot) => {
                self.slots[slot] = Some(v);
                slot
            }
            None => {
                self.slots.push(Some(v));
                self.slots.len() - 1
            }
        };
        self.slot_of.insert(v.id, slot);
    }

    /// Takes a visitor out, if it waits.
    fn remove(&mut self, id: VisitorId) -> Option<Visitor> {
        let slot = self.slot_of.remove(&id)?;
        self.free.push(slot);
        self.slots.get_mut(slot)?.take()
    }

    fn contains(&self, id: VisitorId) -> bool {
        self.slot_of.contains_key(&id)
    }

    /// The visitors waiting, in slot order.
    fn iter(&self) -> impl Iterator<Item = &Visitor> {
        self.slots.iter().flatten()
    }
}

/// Where the next event comes from. At equal times, the earlier variant goes first.
#[derive(Clone, Copy, Debug)]
enum Source {
    ChatEnd,
    State,
    Arrival(usize),
    Timer,
}

/// What [`Engine::handle`] tells the loop.
enum Flow {
    /// Go on to the next event.
    Next,
    /// The horizon was reached: look at the calendar again.
    Again,
    /// The run is over.
    Done,
}

/// The floor size from which the engine warms the caches ahead of events. On the 2-core
/// machine the bench runs on (2 MB of L2 cache a core), warming cost about 8% at 1,000 agents
/// and 3% at 10,000, where the records are in cache anyway, and gained from 100,000 on.
const WARM_FROM: usize = 32_768;

/// One replication of a scenario.
pub(crate) struct Engine<'a> {
    sc: &'a Scenario,
    router: Router,
    rng: Rng,
    t0: Timestamp,
    now: f64,
    horizon: f64,
    /// The middle of the counted span (from the warm-up to the horizon), and whether the run has
    /// passed it.
    mid: f64,
    past_mid: bool,
    /// Past the horizon: no arrivals, no state changes, no time tallies; the floor serves the
    /// visitors still waiting.
    running_out: bool,
    /// Counted visitors now waiting.
    waiting_counted: u64,
    /// The interval `now` is in, and where it ends (the last interval never ends).
    interval: usize,
    interval_end: f64,
    /// Every chat's end.
    chat_ends: ChatEnds,
    /// Per traffic stream, its next arrival.
    arrivals: Earliest,
    /// The scheduled state changes in time order (the file's order at equal times), and the next.
    schedule: Vec<usize>,
    next_change: usize,
    /// Patience and relaxation timers: time, sequence number (first set, first out at equal
    /// times), what.
    timers: BinaryHeap<Reverse<(u64, u64, Timer)>>,
    seq: u64,
    /// The visitors waiting, of the snapshot and of the run.
    queued: Waiting,
    /// The id of the run's next visitor: the run's visitors are numbered in arrival order, after
    /// the snapshot's.
    next_visitor_id: u64,
    /// Per agent, whether it is staffed (not offline), and its id, for state changes.
    staffed_now: Vec<bool>,
    ids: Vec<AgentId>,
    /// The distinct lists of queues agents can serve, sorted; agents name theirs by position.
    drain_lists: Vec<Vec<SkillIdx>>,
    skill_idx: Vec<SkillIdx>,
    traffic_skill: Vec<SkillIdx>,
    /// Per traffic stream and interval, the mean time between arrivals in seconds (infinite
    /// for no traffic); the last one holds for the intervals after it.
    gaps: Vec<Vec<f64>>,
    relax_after: Vec<Vec<f64>>,
    /// Whether to warm the caches with the agents of the events to come: on a floor whose
    /// records outgrow a core's caches ([`WARM_FROM`] agents), where that saves more than it
    /// costs.
    warm: bool,
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
    /// Sets up a replication from a validated scenario, its floor and the replication's stream.
    pub(crate) fn new(sc: &'a Scenario, floor: Floor, rng: Rng) -> Engine<'a> {
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
        let mut agent_drains = Vec::with_capacity(floor.agent_count());
        let mut staffed_now = Vec::with_capacity(floor.agent_count());
        let mut ids = Vec::with_capacity(floor.agent_count());
        let mut held = Vec::with_capacity(floor.agent_count());
        let mut drain_lists: Vec<Vec<SkillIdx>> = Vec::new();
        for a in floor.agents() {
            let mut drains: Vec<SkillIdx> = Vec::new();
            for s in a.skills().filter_map(|s| floor.skill_index(s.as_str())) {
                drains.push(s);
                drains.extend(&falls_back_to[s.get()]);
            }
            drains.sort_unstable();
            drains.dedup();
            held.push((a.index(), a.active_chats()));
            let list = match drain_lists.iter().position(|l| *l == drains) {
                Some(k) => k,
                None => {
                    drain_lists.push(drains);
                    drain_lists.len() - 1
                }
            };
            ids.push(a.id().clone());
            staffed_now.push(a.chat_state() != AgentState::Offline);
            agent_drains.push(u32::try_from(list).expect("fewer distinct skill lists than 2^32"));
        }
        let queue_len =
            skill_idx.iter().map(|&s| floor.queue_len(s).expect("the floor's own skill")).collect();
        // The floor was built from the scenario's snapshot, every visitor of which it queues: its
        // queue in id order, as `to_snapshot` gives it, without copying the agents as well.
        let mut snapshot_queue = sc.floor.queue.clone();
        snapshot_queue.sort_by_key(|v| v.id);
        debug_assert_eq!(snapshot_queue, floor.to_snapshot().queue);
        let router =
            Router::new(floor, sc.route_by, &sc.relaxations).expect("relaxations checked by validate");
        let traffic_skill =
            sc.traffic.iter().filter_map(|t| router.floor().skill_index(t.skill.as_str())).collect();
        let mut schedule: Vec<usize> = (0..sc.schedule.len()).collect();
        schedule.sort_by(|&a, &b| sc.schedule[a].at_s.total_cmp(&sc.schedule[b].at_s));
        let mut engine = Engine {
            sc,
            router,
            rng,
            t0,
            now: 0.0,
            horizon: sc.horizon_s(),
            mid: sc.warmup_s + (sc.horizon_s() - sc.warmup_s) / 2.0,
            past_mid: false,
            running_out: false,
            waiting_counted: 0,
            interval: 0,
            interval_end: if sc.intervals > 1 { sc.interval_s } else { f64::INFINITY },
            chat_ends: ChatEnds::new(&agent_drains, agent_drains.len() >= WARM_FROM),
            arrivals: Earliest::new(sc.traffic.len()),
            schedule,
            next_change: 0,
            timers: BinaryHeap::new(),
            seq: 0,
            queued: Waiting::default(),
            next_visitor_id: snapshot_queue.iter().map(|v| v.id.0.saturating_add(1)).max().unwrap_or(0),
            staffed_now,
            ids,
            drain_lists,
            skill_idx,
            traffic_skill,
            gaps: sc.traffic.iter().map(|t| t.per_hour.iter().map(|&x| 3600.0 / x).collect()).collect(),
            relax_after,
            warm: agent_drains.len() >= WARM_FROM,
            redraw: matches!(sc.handle, HandleTime::Exponential { .. }) && sc.aht_by_concurrency.is_some(),
            tally: RunTally {
                skills: vec![vec![SkillTally::default(); sc.intervals]; skills],
                floor: vec![FloorTally::default(); sc.intervals],
                backlog: vec![Backlog::default(); skills],
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
            let v = engine.visitor(v.id, skill, arrived, false);
            engine.queued.insert(v);
        }
        for (a, (idx, held)) in held.into_iter().enumerate() {
            debug_assert_eq!(idx.get(), a, "a new floor's agents are in place order");
            let held = u64::from(held);
            engine.staffed += u64::from(engine.staffed_now[a]);
            engine.chats += held;
            engine.busy += u64::from(held > 0);
            // Chats held at the start end after a fresh handle time each, as memorylessness
            // makes exact for exponential handle times.
            let level = held as usize;
            for _ in 0..held {
                let end = bits(engine.draw_handle(level));
                engine.chat_ends.push(end, idx);
            }
        }
        for i in 0..sc.traffic.len() {
            engine.schedule_arrival(i, 0.0);
        }
        let all = engine.skill_idx.clone();
        engine.drain(&all);
        engine
    }

    /// Runs to the horizon, then runs the floor out, and returns what was counted.
    ///
    /// At the horizon arrivals and scheduled state changes stop and the time tallies close; the
    /// floor goes on serving (and visitors go on abandoning) until no counted visitor waits, so
    /// every visitor offered has an outcome, tallied in the interval it arrived in. Visitors
    /// whom nothing is left to serve are counted as waited and unserved.
    pub(crate) fn run(mut self, progress: &dyn Fn(f64)) -> RunTally {
        // The share of the replication reported so far: simulated time over the horizon, and
        // the run-out after it as the last step.
        let mut reported = 0.0;
        while let Some((at, source)) = self.next_event() {
            if self.tally.events & 0xffff == 0 && !self.running_out {
                let share = (self.now / self.horizon).clamp(reported, 1.0);
                progress(share - reported);
                reported = share;
            }
            match self.handle(at, source) {
                Flow::Next | Flow::Again => {}
                Flow::Done => break,
            }
        }
        if !self.running_out {
            // The calendar ran dry before the horizon.
            if !self.past_mid {
                self.pass_mid();
            }
            self.reach_horizon();
        }
        if self.waiting_counted > 0 {
            for v in self.queued.iter().filter(|v| v.counted) {
                let t = &mut self.tally.skills[v.skill as usize][v.interval as usize];
                t.unserved += 1.0;
                t.waited += 1.0;
            }
        }
        progress(1.0 - reported);
        self.tally
    }

    /// Handles the event at `at` from `source`: one step of [`Engine::run`].
    #[inline]
    fn handle(&mut self, at: u64, source: Source) -> Flow {
        let t = f64::from_bits(at);
        if !self.running_out {
            if !self.past_mid && t > self.mid {
                self.pass_mid();
            }
            if t > self.horizon {
                self.reach_horizon();
                if self.waiting_counted == 0 {
                    return Flow::Done;
                }
                // The calendar no longer holds arrivals or state changes: look again.
                return Flow::Again;
            }
        }
        self.now = t;
        while t >= self.interval_end {
            self.interval += 1;
            self.interval_end = if self.interval + 1 < self.sc.intervals {
                (self.interval + 1) as f64 * self.sc.interval_s
            } else {
                f64::INFINITY
            };
        }
        // Count what changes the floor; spent timers are not events.
        let live = match source {
            Source::ChatEnd => {
                self.depart();
                true
            }
            Source::Arrival(i) => {
                self.arrive(i);
                true
            }
            Source::State => {
                let i = self.schedule[self.next_change];
                self.next_change += 1;
                self.change_state(i);
                true
            }
            Source::Timer => {
                let Some(Reverse((_, _, timer))) = self.timers.pop() else { unreachable!() };
                match timer {
                    Timer::Abandon(v) => self.abandon(v),
                    Timer::Relax { skill, visitor } => {
                        let waiting = self.queued.contains(visitor);
                        if waiting {
                            self.drain(&[self.skill_idx[skill as usize]]);
                        }
                        waiting
                    }
                }
            }
        };
        self.tally.events += u64::from(live);
        if self.running_out && self.waiting_counted == 0 {
            return Flow::Done;
        }
        Flow::Next
    }

    /// Plays events up to simulated time `until_s` (seconds from the start); false once the
    /// run is over (the horizon passed and nobody counted waits).
    pub(crate) fn advance_to(&mut self, until_s: f64) -> bool {
        while let Some((at, source)) = self.next_event() {
            if f64::from_bits(at) > until_s {
                return true;
            }
            if let Flow::Done = self.handle(at, source) {
                return false;
            }
        }
        false
    }

    /// The floor now.
    pub(crate) fn floor(&self) -> &chatcap_core::Floor {
        self.router.floor()
    }

    /// Simulated seconds since the start.
    pub(crate) fn now_s(&self) -> f64 {
        self.now
    }

    fn pass_mid(&mut self) {
        self.past_mid = true;
        for (b, &len) in self.tally.backlog.iter_mut().zip(&self.queue_len) {
            b.queue_mid = len as f64;
        }
    }

    /// Closes the time tallies at the horizon and stops arrivals and state changes.
    fn reach_horizon(&mut self) {
        self.now = self.horizon;
        self.advance_floor();
        for s in 0..self.queue_len.len() {
            self.advance_queue(s);
        }
        for (b, &len) in self.tally.backlog.iter_mut().zip(&self.queue_len) {
            b.queue_end = len as f64;
        }
        if self.waiting_counted > 0 {
            for v in self.queued.iter().filter(|v| v.counted) {
                self.tally.skills[v.skill as usize][v.interval as usize].still_waiting += 1.0;
            }
        }
        for stream in 0..self.sc.traffic.len() {
            self.arrivals.set(stream, None);
        }
        self.next_change = self.schedule.len();
        self.running_out = true;
    }

    /// The earliest pending event, as the bits of its time, and where it comes from.
    #[inline]
    fn next_event(&self) -> Option<(u64, Source)> {
        let mut next: Option<(u64, Source)> = self.chat_ends.first().map(|(t, _)| (t, Source::ChatEnd));
        let mut consider = |t: u64, source: Source| {
            if next.is_none_or(|(best, _)| t < best) {
                next = Some((t, source));
            }
        };
        if let Some(&i) = self.schedule.get(self.next_change) {
            consider(bits(self.sc.schedule[i].at_s), Source::State);
        }
        if let Some((t, i)) = self.arrivals.first() {
            consider(t, Source::Arrival(i));
        }
        if let Some(Reverse((t, _, _))) = self.timers.peek() {
            consider(*t, Source::Timer);
        }
        next
    }

    fn set_timer(&mut self, t: f64, timer: Timer) {
        self.seq += 1;
        self.timers.push(Reverse((bits(t), self.seq, timer)));
    }

    fn stamp(&self) -> Timestamp {
        // `now` is not negative, so the cast truncates to whole milliseconds toward the past.
        Timestamp::from_millis(self.t0.as_millis().saturating_add((self.now * 1000.0) as i64))
    }

    fn interval_of(&self, t: f64) -> usize {
        ((t / self.sc.interval_s) as usize).min(self.sc.intervals - 1)
    }

    fn schedule_arrival(&mut self, stream: usize, from: f64) {
        let gaps = &self.gaps[stream];
        let mut t = from;
        let mut i = if from == self.now { self.interval } else { (from / self.sc.interval_s) as usize };
        loop {
            if t >= self.horizon {
                self.arrivals.set(stream, None);
                return;
            }
            let gap = gaps[i.min(gaps.len() - 1)];
            let end = (i + 1) as f64 * self.sc.interval_s;
            if gap.is_finite() {
                let next = t + self.rng.exp(gap);
                if next < end {
                    self.arrivals.set(stream, Some(bits(next)));
                    return;
                }
            }
            // Memoryless: past the interval's end, draw again at the next interval's rate.
            t = end;
            i += 1;
        }
    }

    /// A visitor's record; a counted visitor counts as waiting until it is tallied.
    fn visitor(&mut self, id: VisitorId, skill: SkillIdx, arrived: f64, counted: bool) -> Visitor {
        let interval = if arrived == self.now { self.interval } else { self.interval_of(arrived.max(0.0)) };
        self.waiting_counted += u64::from(counted);
        Visitor { id, skill: skill.get() as u32, arrived, interval: interval as u32, counted }
    }

    /// A waiting visitor taken from the queue is served by agent `a`.
    fn serve_queued(&mut self, id: VisitorId, a: AgentIdx) {
        let v = self.queued.remove(id).expect("the router serves visitors who wait");
        self.assigned(v, a, true);
    }

    fn arrive(&mut self, stream: usize) {
        if self.warm {
            // The agent this arrival will likely go to had its records warmed at the arrival
            // before: its leaves in the routing index, and the calendar's record of it, load
            // while the next arrival is drawn.
            if let Some(i) = self.router.warm_route(self.traffic_skill[stream], true) {
                self.chat_ends.warm(i);
            }
        }
        self.schedule_arrival(stream, self.now);
        let skill = self.traffic_skill[stream];
        let id = VisitorId(self.next_visitor_id);
        self.next_visitor_id += 1;
        let counted = self.now >= self.sc.warmup_s;
        let v = self.visitor(id, skill, self.now, counted);
        if counted {
            self.tally.skills[skill.get()][self.interval].offered += 1.0;
            if self.past_mid {
                self.tally.backlog[skill.get()].offered_late += 1.0;
            }
        }
        let now = self.stamp();
        let waits = match self.router.arrive_by_index(now, id, skill, 0).expect("visitor ids are new") {
            // The newcomer itself is served, at once: it never counts as queued.
            Some(a) if a.visitor == id => {
                self.assigned(v, a.agent, false);
                false
            }
            // Served from the queue: another visitor was ahead of this one, who waits.
            Some(a) => {
                self.set_queue(skill.get(), 1);
                self.queued.insert(v);
                self.serve_queued(a.visitor, a.agent);
                true
            }
            None => {
                self.set_queue(skill.get(), 1);
                self.queued.insert(v);
                true
            }
        };
        if waits {
            // Only a visitor who has to wait can give up, or be helped by a relaxation.
            if let Patience::Exponential { mean_s } = self.sc.patience {
                let factor = IntervalFactors::at(&self.sc.by_interval.patience, self.interval);
                let give_up = self.now + self.rng.exp(mean_s * factor);
                self.set_timer(give_up, Timer::Abandon(id));
            }
            for k in 0..self.relax_after[skill.get()].len() {
                let at = self.now + self.relax_after[skill.get()][k];
                self.set_timer(at, Timer::Relax { skill: skill.get() as u32, visitor: id });
            }
        }
        // The next arrival's queue is known, and this arrival's routing has moved its index on:
        // the records of the agent the next one would go to load meanwhile.
        if self.warm
            && let Some((_, next)) = self.arrivals.first()
        {
            self.router.warm_route(self.traffic_skill[next], false);
        }
    }

    /// A visitor gives up, if still waiting; whether it did.
    fn abandon(&mut self, id: VisitorId) -> bool {
        let Some(v) = self.queued.remove(id) else { return false };
        self.set_queue(v.skill as usize, -1);
        let now = self.stamp();
        self.router.apply(now, Event::VisitorAbandoned { visitor: v.id }).expect("the visitor waits");
        if v.counted {
            self.waiting_counted -= 1;
            let t = &mut self.tally.skills[v.skill as usize][v.interval as usize];
            t.abandoned += 1.0;
            t.waited += 1.0;
            t.wait_sum_all += self.now - v.arrived;
        }
        true
    }

    /// The first chat in the calendar ends.
    fn depart(&mut self) {
        let Some(end) = self.chat_ends.first else { return };
        self.chat_ends.pop();
        // The next chat's end is known now, and likely the one after it: the records of the one
        // after load while this one is worked on.
        let next = self.chat_ends.first.filter(|_| self.warm);
        if self.warm
            && let Some(after) = self.chat_ends.second
        {
            self.router.warm(after.agent);
        }
        self.router
            .end_chat_by_index(self.stamp(), end.agent, Weight::ONE)
            .expect("the agent holds the chat");
        let held = self.held(end.agent);
        self.set_agent_chats(held, -1);
        if self.redraw {
            self.redraw_chats(end.agent);
        }
        self.drain_list(end.drains as usize);
        // The next one's leaves in the routing index, found from its records (loading since
        // the end before), once this end's work gave those records time to come in.
        if let Some(next) = next {
            self.router.warm_index(next.agent);
        }
    }

    /// The chats an agent holds now.
    fn held(&self, agent: AgentIdx) -> u32 {
        self.router.floor().agent_by_index(agent).map_or(0, |a| a.active_chats())
    }

    fn change_state(&mut self, i: usize) {
        let change = &self.sc.schedule[i];
        let a = self
            .router
            .floor()
            .agent_index(&change.agent)
            .expect("scheduled agents checked by validate")
            .get();
        let staffed = change.state != AgentState::Offline;
        if staffed != self.staffed_now[a] {
            self.advance_floor();
            self.staffed_now[a] = staffed;
            if staffed {
                self.staffed += 1;
            } else {
                self.staffed -= 1;
            }
        }
        let now = self.stamp();
        self.router
            .apply(now, Event::StateChanged { agent: &self.ids[a], state: change.state })
            .expect("known agent");
        if change.state == AgentState::Online {
            self.drain_list(self.chat_ends.drains(a) as usize);
        }
    }

    /// As [`Engine::drain`], for the queues of one of the distinct lists agents serve.
    fn drain_list(&mut self, list: usize) {
        // Lent out while the queues drain (only this reads the lists), then put back.
        let queues = std::mem::take(&mut self.drain_lists[list]);
        self.drain(&queues);
        self.drain_lists[list] = queues;
    }

    /// Routes the heads of these queues, the oldest head first each time, until no agent can
    /// take the head of any of them. Routing only uses capacity up, so a queue whose head found
    /// nobody is done for this call.
    fn drain(&mut self, queues: &[SkillIdx]) {
        if queues.iter().all(|s| self.queue_len[s.get()] == 0) {
            return;
        }
        let mut open = std::mem::take(&mut self.open);
        open.clear();
        open.extend_from_slice(queues);
        self.drain_open(&mut open);
        self.open = open;
    }

    fn drain_open(&mut self, open: &mut Vec<SkillIdx>) {
        loop {
            let f = self.router.floor();
            let Some((_, pos)) = open
                .iter()
                .enumerate()
                .filter_map(|(k, &q)| f.oldest_arrival(q).expect("the floor's own skill").map(|t| (t, k)))
                .min()
            else {
                return;
            };
            match self.router.route_by_index(self.stamp(), open[pos]).expect("time moves forward") {
                Some(a) => self.serve_queued(a.visitor, a.agent),
                None => {
                    open.swap_remove(pos);
                }
            }
        }
    }

    /// A visitor, no longer waiting, is served by agent `a`, from the queue or on arrival.
    fn assigned(&mut self, v: Visitor, a: AgentIdx, from_queue: bool) {
        if from_queue {
            self.set_queue(v.skill as usize, -1);
        }
        if v.counted {
            self.waiting_counted -= 1;
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
        let held = self.held(a);
        self.set_agent_chats(held, 1);
        if self.redraw {
            // Every chat of the agent, the new one included, gets a new end time.
            self.redraw_chats(a);
        } else {
            let end = self.now + self.draw_handle(held as usize);
            self.chat_ends.push(bits(end), a);
        }
    }

    /// Gives every chat of agent `a` a fresh end time, after a change of its load with
    /// per-level exponential handle times.
    fn redraw_chats(&mut self, a: AgentIdx) {
        self.chat_ends.forget(a.get());
        let level = self.held(a) as usize;
        for _ in 0..level {
            let end = bits(self.now + self.draw_handle(level));
            self.chat_ends.push(end, a);
        }
    }

    /// A handle time for a chat of an agent holding `level` chats.
    fn draw_handle(&mut self, level: usize) -> f64 {
        let base_mean = self.sc.handle.mean_s();
        let factor = IntervalFactors::at(&self.sc.by_interval.aht, self.interval);
        let mean = factor
            * match &self.sc.aht_by_concurrency {
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
        if self.now >= self.sc.warmup_s && !self.running_out {
            let t = &mut self.tally.skills[s][self.interval];
            t.max_queue = t.max_queue.max(self.queue_len[s] as f64);
        }
    }

    /// Where the interval `now` is in began.
    fn interval_start(&self) -> f64 {
        self.interval as f64 * self.sc.interval_s
    }

    fn advance_queue(&mut self, s: usize) {
        if self.running_out {
            return;
        }
        let (from, len) = (self.queue_since[s].max(self.sc.warmup_s), self.queue_len[s] as f64);
        self.queue_since[s] = self.now;
        if from >= self.now {
            return;
        }
        if from >= self.interval_start() {
            // Within the current interval: no boundary to split at.
            self.tally.skills[s][self.interval].queue_area += len * (self.now - from);
            return;
        }
        let bins = &mut self.tally.skills[s];
        spread(self.sc.interval_s, from, self.now, |i, dt| bins[i].queue_area += len * dt);
    }

    /// An agent's chats changed by `delta`, to `held`.
    fn set_agent_chats(&mut self, held: u32, delta: i64) {
        self.advance_floor();
        let held = u64::from(held);
        let before = held.saturating_add_signed(-delta);
        self.chats = self.chats.saturating_add_signed(delta);
        self.busy = self.busy + u64::from(held > 0) - u64::from(before > 0);
    }

    fn advance_floor(&mut self) {
        if self.running_out {
            return;
        }
        let from = self.floor_since.max(self.sc.warmup_s);
        self.floor_since = self.now;
        if from >= self.now {
            return;
        }
        let (staffed, busy, chats) = (self.staffed as f64, self.busy as f64, self.chats as f64);
        let add = |bin: &mut FloorTally, dt: f64| {
            bin.staffed_area += staffed * dt;
            bin.busy_area += busy * dt;
            bin.chat_area += chats * dt;
            bin.duration += dt;
        };
        if from >= self.interval_start() {
            add(&mut self.tally.floor[self.interval], self.now - from);
            return;
        }
        let bins = &mut self.tally.floor;
        spread(self.sc.interval_s, from, self.now, |i, dt| add(&mut bins[i], dt));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tests' own stream of pseudo-random numbers (xorshift64).
    fn xorshift(x: &mut u64) {
        *x ^= *x << 13;
        *x ^= *x >> 7;
        *x ^= *x << 17;
    }

    /// Against a plain list: after every change the root is the earliest pending time, ties to
    /// the lower source.
    #[test]
    fn earliest_is_the_least_pending_time() {
        for sources in [1, 3, 8, 100] {
            let mut tree = Earliest::new(sources);
            let mut naive: Vec<Option<u64>> = vec![None; sources];
            let mut x: u64 = 0x2545_F491_4F6C_DD1D;
            for _ in 0..5_000 {
                xorshift(&mut x);
                let source = (x % sources as u64) as usize;
                // Few distinct times, so that ties are common; some sources fall idle.
                let at = (!x.is_multiple_of(7)).then(|| bits(((x >> 8) % 16) as f64 * 0.5));
                tree.set(source, at);
                naive[source] = at;
                let want = naive.iter().enumerate().filter_map(|(s, t)| t.map(|t| (t, s))).min();
                assert_eq!(tree.first(), want);
            }
        }
    }

    /// Against a plain list: the calendar's first is always the earliest live end, ties to the
    /// lower agent, through pushes, pops and forgotten agents.
    #[test]
    fn chat_ends_are_taken_earliest_first() {
        let agents = 7;
        let floor = Floor::new(chatcap_core::Snapshot {
            agents: (0..agents)
                .map(|i| {
                    chatcap_core::Agent::new(
                        format!("a{i}"),
                        AgentState::Online,
                        chatcap_core::Capacity::Limited(1),
                    )
                })
                .collect(),
            ..chatcap_core::Snapshot::default()
        })
        .unwrap();
        let idx: Vec<AgentIdx> = floor.agents().map(|a| a.index()).collect();
        // With and without the hint of the second end, which must not change the order.
        for hint in [false, true] {
            let mut cal = ChatEnds::new(&vec![0; agents], hint);
            let mut naive: Vec<(u64, usize)> = Vec::new();
            let mut now = 0.0f64;
            let mut x: u64 = 0x2545_F491_4F6C_DD1D;
            for _ in 0..20_000 {
                xorshift(&mut x);
                let agent = (x % agents as u64) as usize;
                match (x >> 8) % 8 {
                    0..=3 => {
                        // Few distinct times, so that ties are common.
                        let at = bits(now + ((x >> 16) % 8) as f64 * 0.5);
                        cal.push(at, idx[agent]);
                        naive.push((at, agent));
                    }
                    4 => {
                        cal.forget(agent);
                        naive.retain(|&(_, a)| a != agent);
                    }
                    _ => {
                        if let Some((at, _)) = cal.first() {
                            cal.pop();
                            let k = naive.iter().position(|&e| e == *naive.iter().min().unwrap()).unwrap();
                            naive.swap_remove(k);
                            now = f64::from_bits(at);
                        }
                    }
                }
                assert_eq!(cal.first(), naive.iter().min().copied());
            }
        }
    }

    #[test]
    fn time_bits_order_as_the_times() {
        let times = [-1.0, -0.0, 0.0, 1e-300, 0.5, 1.0, 3600.0, 1e12];
        for w in times.windows(2) {
            assert!(bits(w[0]) <= bits(w[1]), "{} {}", w[0], w[1]);
        }
        assert_eq!(bits(-0.0), bits(0.0));
    }
}
