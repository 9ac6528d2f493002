//! Properties of the floor against a naive reference model that recomputes everything from
//! scratch after every event.

use std::cmp::Reverse;
use std::collections::BTreeMap;
use std::time::Duration;

use chatcap_core::{
    Agent, AgentId, AgentState, Assignment, Capacity, Decision, DeclineReason, Event, Exclusion, Floor,
    MaxWait, OfferPolicy, QueuedVisitor, Ranking, Relaxation, RouteBy, Routed, Router, Scope, Skill, SkillId,
    Slots, Snapshot, Stance, Timestamp, TransferRequest, TransferTarget, VisitorId, WaitEstimate, Weight,
};
use proptest::prelude::*;

const CASES: u32 = 10_000;

/// The reference: plain vectors, no indices, no running sums.
#[derive(Clone, Debug, PartialEq)]
struct Naive {
    skills: usize,
    agents: Vec<NaiveAgent>,
    /// visitor id -> skill
    queue: BTreeMap<u64, usize>,
    /// The time of the next event, in ms.
    clock: i64,
}

#[derive(Clone, Debug, PartialEq)]
struct NaiveAgent {
    state: AgentState,
    capacity: Capacity,
    active: u32,
    /// What the chats cost together, in thousandths of a slot.
    load: u64,
    skills: Vec<bool>,
    /// When the agent entered its state, in ms.
    since: i64,
}

/// The snapshot time of every generated floor, in ms.
const T0_MS: i64 = 1_000_000;

/// The counts a scope should have, computed from scratch with signed arithmetic.
#[derive(Debug, PartialEq)]
struct Expected {
    eligible: u64,
    unlimited: u64,
    free: Slots,
    busy: u64,
    /// Slots the held chats would free: per limited agent its limit less its whole free slots.
    releasable: u64,
    queued: u64,
}

impl Naive {
    fn expected(&self, skill: Option<usize>) -> Expected {
        let mut e =
            Expected { eligible: 0, unlimited: 0, free: Slots::ZERO, busy: 0, releasable: 0, queued: 0 };
        let mut free: i128 = 0;
        for a in &self.agents {
            let has = skill.is_none_or(|s| a.skills[s]);
            let eligible = has && a.state == AgentState::Online && a.capacity != Capacity::Limited(0);
            if !eligible {
                continue;
            }
            e.eligible += 1;
            e.busy += u64::from(a.active);
            match a.capacity {
                Capacity::Unlimited => {
                    e.unlimited += 1;
                    e.releasable += u64::from(a.active);
                }
                Capacity::Limited(n) => {
                    let own = (i128::from(n) * 1000 - i128::from(a.load)).max(0) / 1000;
                    free += own;
                    e.releasable += (i128::from(n) - own) as u64;
                }
            }
        }
        e.free = if e.unlimited > 0 { Slots::Unlimited } else { Slots::Count(free as u64) };
        e.queued = self.queue.values().filter(|&&s| skill.is_none_or(|k| k == s)).count() as u64;
        e
    }

    /// Applies an event the way the contract describes; `false` when it must be rejected.
    fn apply(&mut self, ev: &Ev) -> bool {
        let n = self.agents.len();
        match *ev {
            Ev::State(a, state) => {
                let agent = &mut self.agents[a % n];
                if agent.state != state {
                    agent.state = state;
                    agent.since = self.clock;
                }
            }
            Ev::Capacity(a, capacity) => self.agents[a % n].capacity = capacity,
            Ev::Start(a, w) => {
                let ag = &mut self.agents[a % n];
                if !can_start(ag, w) {
                    return false;
                }
                ag.active += 1;
                ag.load += w;
            }
            Ev::End(a, w) => {
                let ag = &mut self.agents[a % n];
                if !can_end(ag, w) {
                    return false;
                }
                ag.active -= 1;
                ag.load -= w;
            }
            Ev::Transfer(f, t, w) => {
                let (f, t) = (f % n, t % n);
                if f == t || !can_end(&self.agents[f], w) || !can_start(&self.agents[t], w) {
                    return false;
                }
                self.agents[f].active -= 1;
                self.agents[f].load -= w;
                self.agents[t].active += 1;
                self.agents[t].load += w;
            }
            Ev::AddSkill(a, s) => {
                let slot = &mut self.agents[a % n].skills[s % self.skills];
                if *slot {
                    return false;
                }
                *slot = true;
            }
            Ev::RemoveSkill(a, s) => {
                let slot = &mut self.agents[a % n].skills[s % self.skills];
                if !*slot {
                    return false;
                }
                *slot = false;
            }
            Ev::Queue(v, s) => {
                if self.queue.contains_key(&v) {
                    return false;
                }
                self.queue.insert(v, s % self.skills);
            }
            Ev::Dequeue(v) | Ev::Abandon(v) => {
                if self.queue.remove(&v).is_none() {
                    return false;
                }
            }
        }
        true
    }
}

/// A chat can start unless a count would overflow.
fn can_start(a: &NaiveAgent, w: u64) -> bool {
    a.active < u32::MAX && a.load.checked_add(w).is_some()
}

/// A chat can end when held, and its weight leaves a load exactly when chats remain.
fn can_end(a: &NaiveAgent, w: u64) -> bool {
    match a.load.checked_sub(w) {
        Some(0) => a.active == 1,
        Some(_) => a.active > 1,
        None => false,
    }
}

/// Chat weights in thousandths: messaging at half a slot, plain chats, heavy chats.
fn weight() -> impl Strategy<Value = u64> {
    prop::sample::select(vec![500u64, 1_000, 1_500])
}

fn w(t: u64) -> Weight {
    Weight::from_thousandths(t).expect("positive")
}

#[derive(Clone, Debug)]
enum Ev {
    State(usize, AgentState),
    Capacity(usize, Capacity),
    Start(usize, u64),
    End(usize, u64),
    Transfer(usize, usize, u64),
    AddSkill(usize, usize),
    RemoveSkill(usize, usize),
    Queue(u64, usize),
    Dequeue(u64),
    Abandon(u64),
}

fn agent_id(i: usize) -> AgentId {
    AgentId::from(format!("a{i}"))
}

fn skill_id(i: usize) -> SkillId {
    SkillId::from(format!("s{i}"))
}

/// Turns a generated event into the floor's event and hands it to `apply` (a floor's or a
/// router's); `true` when it was accepted.
fn apply_with(
    naive: &Naive,
    ev: &Ev,
    now: Timestamp,
    mut apply: impl FnMut(Timestamp, Event<'_>) -> Result<(), chatcap_core::EventError>,
) -> bool {
    let n = naive.agents.len();
    let ids: Vec<AgentId> = (0..n).map(agent_id).collect();
    let sk = |s: usize| skill_id(s % naive.skills);
    let r = match *ev {
        Ev::State(a, state) => apply(now, Event::StateChanged { agent: &ids[a % n], state }),
        Ev::Capacity(a, capacity) => apply(now, Event::CapacityChanged { agent: &ids[a % n], capacity }),
        Ev::Start(a, t) => apply(now, Event::ChatStarted { agent: &ids[a % n], weight: w(t) }),
        Ev::End(a, t) => apply(now, Event::ChatEnded { agent: &ids[a % n], weight: w(t) }),
        Ev::Transfer(f, to, t) => {
            apply(now, Event::ChatTransferred { from: &ids[f % n], to: &ids[to % n], weight: w(t) })
        }
        Ev::AddSkill(a, s) => apply(now, Event::SkillAdded { agent: &ids[a % n], skill: &sk(s) }),
        Ev::RemoveSkill(a, s) => apply(now, Event::SkillRemoved { agent: &ids[a % n], skill: &sk(s) }),
        Ev::Queue(v, s) => {
            apply(now, Event::VisitorQueued { visitor: VisitorId(v), skill: &sk(s), priority: 0 })
        }
        Ev::Dequeue(v) => apply(now, Event::VisitorDequeued { visitor: VisitorId(v) }),
        Ev::Abandon(v) => apply(now, Event::VisitorAbandoned { visitor: VisitorId(v) }),
    };
    r.is_ok()
}

fn apply_to_floor(floor: &mut Floor, naive: &Naive, ev: &Ev, now: Timestamp) -> bool {
    apply_with(naive, ev, now, |t, e| floor.apply(t, e))
}

fn state() -> impl Strategy<Value = AgentState> {
    prop::sample::select(AgentState::ALL.to_vec())
}

fn capacity() -> impl Strategy<Value = Capacity> {
    prop_oneof![
        1 => Just(Capacity::Unlimited),
        1 => Just(Capacity::Limited(0)),
        1 => Just(Capacity::Limited(u32::MAX)),
        6 => (1u32..6).prop_map(Capacity::Limited),
    ]
}

fn active() -> impl Strategy<Value = u32> {
    prop_oneof![8 => 0u32..8, 1 => Just(u32::MAX - 1), 1 => Just(u32::MAX)]
}

fn naive_agent(skills: usize) -> impl Strategy<Value = NaiveAgent> {
    (state(), capacity(), active(), prop::collection::vec(any::<bool>(), skills), 0u32..4).prop_map(
        |(state, capacity, active, skills, in_state)| NaiveAgent {
            state,
            capacity,
            active,
            load: u64::from(active) * 1_000,
            skills,
            since: T0_MS - i64::from(in_state) * 1_000,
        },
    )
}

fn naive() -> impl Strategy<Value = Naive> {
    (1usize..5).prop_flat_map(|skills| {
        (
            prop::collection::vec(naive_agent(skills), 1..10),
            prop::collection::btree_map(0u64..20, 0..skills, 0..6),
        )
            .prop_map(move |(agents, queue)| Naive { skills, agents, queue, clock: T0_MS })
    })
}

fn event() -> impl Strategy<Value = Ev> {
    prop_oneof![
        (any::<usize>(), state()).prop_map(|(a, s)| Ev::State(a, s)),
        (any::<usize>(), capacity()).prop_map(|(a, c)| Ev::Capacity(a, c)),
        (any::<usize>(), weight()).prop_map(|(a, w)| Ev::Start(a, w)),
        (any::<usize>(), weight()).prop_map(|(a, w)| Ev::End(a, w)),
        (any::<usize>(), any::<usize>(), weight()).prop_map(|(f, t, w)| Ev::Transfer(f, t, w)),
        (any::<usize>(), any::<usize>()).prop_map(|(a, s)| Ev::AddSkill(a, s)),
        (any::<usize>(), any::<usize>()).prop_map(|(a, s)| Ev::RemoveSkill(a, s)),
        (0u64..20, any::<usize>()).prop_map(|(v, s)| Ev::Queue(v, s)),
        (0u64..20).prop_map(Ev::Dequeue),
        (0u64..20).prop_map(Ev::Abandon),
    ]
}

fn to_agent(i: usize, a: &NaiveAgent) -> Agent {
    let mut agent = Agent::new(agent_id(i), a.state, a.capacity)
        .with_active_chats(a.active)
        .with_skills(a.skills.iter().enumerate().filter(|(_, h)| **h).map(|(s, _)| skill_id(s)));
    agent.time_in_state = Some(Duration::from_millis((T0_MS - a.since) as u64));
    agent
}

/// The transfer rules of DESIGN.md, one agent at a time, in their stated order.
fn naive_reason(
    n: &Naive,
    i: usize,
    from: usize,
    skill: Option<usize>,
    over: bool,
    wt: u64,
) -> Option<Exclusion> {
    let a = &n.agents[i];
    if i == from {
        Some(Exclusion::IsCurrentOwner)
    } else if a.state == AgentState::Offline {
        Some(Exclusion::Offline)
    } else if a.state == AgentState::Away {
        Some(Exclusion::Away)
    } else if skill.is_some_and(|s| s >= n.skills || !a.skills[s]) {
        Some(Exclusion::MissingSkill)
    } else if a.capacity == Capacity::Limited(0) {
        Some(Exclusion::ZeroCapacity)
    } else if (!over && matches!(a.capacity, Capacity::Limited(l) if u64::from(l) * 1000 < a.load + wt))
        || a.active == u32::MAX
    {
        Some(Exclusion::AtCapacity)
    } else {
        None
    }
}

/// Sorts every candidate with a comparator written from the strategy's definition.
fn naive_rank(n: &Naive, mut ids: Vec<usize>, strategy: Ranking) -> Vec<usize> {
    let ratio = |a: &NaiveAgent| match a.capacity {
        Capacity::Unlimited => (0i128, 1i128),
        Capacity::Limited(l) => (i128::from(a.load), i128::from(l) * 1000),
    };
    let free = |a: &NaiveAgent| match a.capacity {
        Capacity::Unlimited => i128::MAX,
        Capacity::Limited(l) => (i128::from(l) * 1000 - i128::from(a.load)).max(0),
    };
    ids.sort_by(|&x, &y| {
        let (a, b) = (&n.agents[x], &n.agents[y]);
        let by = match strategy {
            Ranking::LeastLoaded => {
                let ((an, ad), (bn, bd)) = (ratio(a), ratio(b));
                (an * bd).cmp(&(bn * ad))
            }
            Ranking::MostFree => free(b).cmp(&free(a)),
            Ranking::FewestChats => a.active.cmp(&b.active),
            Ranking::LongestInState => a.since.cmp(&b.since),
        };
        by.then_with(|| agent_id(x).cmp(&agent_id(y)))
    });
    ids
}

fn build(n: &Naive) -> Floor {
    let t0 = Timestamp::from_millis(T0_MS);
    let snapshot = Snapshot {
        taken_at: t0,
        skills: (0..n.skills).map(|s| Skill::new(skill_id(s))).collect(),
        agents: n.agents.iter().enumerate().map(|(i, a)| to_agent(i, a)).collect(),
        queue: n.queue.iter().map(|(&v, &s)| QueuedVisitor::new(VisitorId(v), skill_id(s), t0)).collect(),
    };
    Floor::new(snapshot).expect("generated snapshots are valid")
}

/// Every scope of the floor against the reference, and every agent's state.
fn assert_matches(floor: &Floor, naive: &Naive) -> Result<(), TestCaseError> {
    let check = |scope: Scope, skill: Option<usize>| -> Result<(), TestCaseError> {
        let got = floor.summary(scope).unwrap();
        let want = naive.expected(skill);
        prop_assert_eq!(
            (got.eligible_agents, got.unlimited_agents, got.free, got.busy, got.releasable, got.queued),
            (want.eligible, want.unlimited, want.free, want.busy, want.releasable, want.queued),
            "scope {:?}",
            scope
        );
        Ok(())
    };
    check(Scope::All, None)?;
    prop_assert_eq!(floor.slots_total(), naive.expected(None).free);
    for s in 0..naive.skills {
        let idx = floor.skill_index(&format!("s{s}")).expect("skill");
        check(Scope::Skill(idx), Some(s))?;
        prop_assert_eq!(floor.slots(idx).unwrap(), naive.expected(Some(s)).free);
        prop_assert_eq!(floor.queue_len(idx).unwrap(), naive.expected(Some(s)).queued);
    }
    for (i, a) in naive.agents.iter().enumerate() {
        let v = floor.agent(&agent_id(i)).expect("agent");
        prop_assert_eq!((v.chat_state(), v.capacity(), v.active_chats()), (a.state, a.capacity, a.active));
        prop_assert_eq!(v.state_since().as_millis(), a.since);
        prop_assert_eq!(v.load().map_or(0, Weight::as_thousandths), a.load);
        let skills: Vec<bool> = (0..naive.skills).map(|s| v.has_skill(skill_id(s)).unwrap()).collect();
        prop_assert_eq!(&skills, &a.skills);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    /// After any sequence of events, incremental aggregates equal a recomputation from scratch,
    /// and a rejected event changes nothing.
    #[test]
    fn incremental_aggregates_match_recomputation(start in naive(), events in prop::collection::vec(event(), 0..40)) {
        let mut naive = start;
        let mut floor = build(&naive);
        assert_matches(&floor, &naive)?;
        for (k, ev) in events.iter().enumerate() {
            let before = floor.to_snapshot();
            let now = Timestamp::from_millis(T0_MS + k as i64);
            naive.clock = now.as_millis();
            let accepted = naive.apply(ev);
            prop_assert_eq!(apply_to_floor(&mut floor, &naive, ev, now), accepted, "event {:?}", ev);
            if !accepted {
                let mut after = floor.to_snapshot();
                after.taken_at = before.taken_at;
                prop_assert_eq!(after, before, "a rejected event changed the floor");
            }
            assert_matches(&floor, &naive)?;
        }
    }

    /// Adding an eligible agent never lowers slots, for any skill or the total; an unlimited one
    /// makes its skills unlimited.
    #[test]
    fn adding_an_eligible_agent_never_lowers_slots(n in naive(), extra in naive_agent(5)) {
        let mut extra = extra;
        extra.state = AgentState::Online;
        extra.skills.truncate(n.skills);
        if extra.capacity == Capacity::Limited(0) {
            extra.capacity = Capacity::Limited(1);
        }
        let before = build(&n);
        let mut grown = n.clone();
        grown.agents.push(extra.clone());
        let after = build(&grown);
        prop_assert!(after.slots_total() >= before.slots_total());
        for s in 0..n.skills {
            let id = skill_id(s);
            prop_assert!(after.slots(&id).unwrap() >= before.slots(&id).unwrap());
            if extra.skills[s] && extra.capacity == Capacity::Unlimited {
                prop_assert_eq!(after.slots(&id).unwrap(), Slots::Unlimited);
            }
        }
    }

    /// Offline, Away and Occupied agents never add slots for new chats, whatever their capacity.
    #[test]
    fn agents_not_online_add_no_slots(
        n in naive(),
        extra in naive_agent(5),
        state in prop::sample::select(vec![AgentState::Offline, AgentState::Occupied, AgentState::Away]),
    ) {
        let mut extra = extra;
        extra.state = state;
        extra.skills.truncate(n.skills);
        let before = build(&n);
        let mut grown = n.clone();
        grown.agents.push(extra);
        let after = build(&grown);
        prop_assert_eq!(after.slots_total(), before.slots_total());
        for s in 0..n.skills {
            prop_assert_eq!(after.slots(skill_id(s)).unwrap(), before.slots(skill_id(s)).unwrap());
        }
        let id = agent_id(n.agents.len());
        prop_assert_eq!(after.agent_slots(&id).expect("agent"), Slots::ZERO);
    }

    /// Slots within a budget follow the contract's formula, recomputed here from the reference.
    #[test]
    fn slots_within_follow_the_formula(n in naive(), w in 0u32..=86_400, aht in prop::option::of(1u64..3_600)) {
        let floor = build(&n);
        let budget = MaxWait::from_secs(w).expect("in range");
        for s in 0..n.skills {
            let e = n.expected(Some(s));
            let got = floor.slots_within(Scope::Skill(floor.skill_index(&format!("s{s}")).expect("skill")), budget, aht.map(Duration::from_secs)).unwrap();
            let want = match e.free {
                Slots::Unlimited => Slots::Unlimited,
                Slots::Count(free) => {
                    let completions = match aht {
                        Some(aht) if w > 0 => (e.releasable as f64 * (1.0 - (-(f64::from(w)) / aht as f64).exp())).floor(),
                        _ => 0.0,
                    };
                    let total = free as f64 + completions - e.queued as f64;
                    Slots::Count(total.max(0.0) as u64)
                }
            };
            // exp and exp_m1 may round differently exactly at an integer; allow that one step.
            match (got.slots, want) {
                (Slots::Count(g), Slots::Count(w)) => prop_assert!(g.abs_diff(w) <= 1, "got {} want {}", g, w),
                (g, w) => prop_assert_eq!(g, w),
            }
        }
    }

    /// The decision never offers when no eligible agent has a free slot and the queue is at its
    /// limit; an offered estimate is within the budget and a wait declined as too long is not.
    #[test]
    fn never_offers_without_room_and_queue_budget(
        n in naive(),
        max_queue in 0u64..8,
        w in 0u32..=86_400,
        aht in prop::option::of(prop_oneof![Just(0), 1u64..3_600, Just(u64::MAX)]),
        open in any::<bool>(),
    ) {
        let floor = build(&n);
        let mut policy = OfferPolicy::new(MaxWait::from_secs(w).expect("in range"))
            .with_max_queue(max_queue)
            .with_missing_data(if open { Stance::FailOpen } else { Stance::FailClosed });
        policy.aht = aht.map(Duration::from_secs);
        for s in 0..n.skills {
            let e = n.expected(Some(s));
            let decision = floor.offer(skill_id(s), &policy).unwrap();
            if e.free == Slots::ZERO && e.queued >= max_queue {
                prop_assert!(!decision.is_offer(), "{:?} {:?}", e, decision);
            }
            // A free slot for the newcomer is always an offer.
            if e.free > Slots::Count(e.queued) {
                prop_assert!(decision.is_offer(), "{:?} {:?}", e, decision);
            }
            match decision {
                Decision::Offer { estimate: WaitEstimate::Estimate { wait, .. } } => {
                    prop_assert!(wait <= policy.max_wait.as_duration(), "{:?}", decision);
                }
                Decision::Decline { reason: DeclineReason::WaitTooLong { estimate, max_wait } } => {
                    prop_assert_eq!(max_wait, policy.max_wait);
                    prop_assert!(estimate > max_wait.as_duration(), "{:?}", decision);
                }
                _ => {}
            }
        }
    }

    /// Transfer candidates equal a naive reference that filters and sorts everything, for every
    /// strategy, with and without a limit, an explanation or over-capacity transfers.
    #[test]
    fn transfer_candidates_match_a_full_sort(
        n in naive(),
        from in any::<usize>(),
        target in prop_oneof![(0usize..6).prop_map(Some), any::<usize>().prop_map(|_| None)],
        to_agent in any::<usize>(),
        strategy in prop::sample::select(Ranking::ALL.to_vec()),
        over in any::<bool>(),
        limit in prop::option::of(0usize..6),
        explain in any::<bool>(),
        wt in weight(),
    ) {
        let floor = build(&n);
        let count = n.agents.len();
        let from = from % count;
        let from_id = agent_id(from);
        let to_id = agent_id(to_agent % count);
        // Skills s0..s5 sit at the same positions on both floors, so an index from `wide` names
        // the same skill on `floor`; those past its skill count are not defined there, and an
        // index for one of them is an error.
        let wide = Floor::new(Snapshot { skills: (0..6).map(|s| Skill::new(skill_id(s))).collect(), ..Snapshot::default() })
            .expect("valid");
        let to = match target {
            Some(s) => TransferTarget::Skill(wide.skill_index(&format!("s{s}")).expect("skill")),
            None => TransferTarget::Agent(&to_id),
        };
        let mut req = TransferRequest::new(&from_id, to).with_strategy(strategy);
        req.allow_over_capacity = over;
        req.limit = limit;
        req.explain = explain;
        req.weight = w(wt);
        if let Some(s) = target
            && floor.skill_index(skill_id(s).as_str()).is_none()
        {
            prop_assert_eq!(floor.transfer_candidates(&req), Err(chatcap_core::LookupError::ForeignSkillIndex { index: s }));
            return Ok(());
        }
        let got = floor.transfer_candidates(&req).expect("known agents");

        let pool: Vec<usize> = match target {
            Some(_) => (0..count).collect(),
            None => vec![to_agent % count],
        };
        let need = target;
        let reasons: Vec<(usize, Option<Exclusion>)> =
            pool.iter().map(|&i| (i, naive_reason(&n, i, from, need, over, wt))).collect();
        let mut want = naive_rank(&n, reasons.iter().filter(|(_, r)| r.is_none()).map(|&(i, _)| i).collect(), strategy);
        want.truncate(limit.unwrap_or(usize::MAX));
        let got_ids: Vec<String> = got.candidates.iter().map(|c| c.agent.to_string()).collect();
        let want_ids: Vec<String> = want.iter().map(|&i| agent_id(i).to_string()).collect();
        prop_assert_eq!(got_ids, want_ids);
        for c in &got.candidates {
            prop_assert!(over || c.free.is_available(), "candidate without room: {:?}", c);
        }
        let want_excluded: Vec<(String, Exclusion)> = if explain {
            reasons.iter().filter_map(|&(i, r)| r.map(|r| (agent_id(i).to_string(), r))).collect()
        } else {
            Vec::new()
        };
        let got_excluded: Vec<(String, Exclusion)> = got.excluded.iter().map(|e| (e.agent.to_string(), e.reason)).collect();
        prop_assert_eq!(got_excluded, want_excluded);
    }

    /// Routing picks what a full scan would. The head of a queue is its visitor of highest
    /// priority, then earliest arrival, then lowest id. It goes to the best agent that is Online
    /// with a free slot and has the queue's skill or, once the head has waited a relaxation's
    /// `after`, one of its fallback skills: the first by the ranking, or for round robin the
    /// next by id after the last agent served from that queue, wrapping. The decision names the
    /// fallback skill through which the agent qualified, when it lacks the queue's own: the one
    /// of the earliest tier to open, then first in skill order. After every operation the agent
    /// and visitor chosen, the queue contents and heads, and the whole floor equal the reference,
    /// and nobody is given a chat beyond capacity.
    #[test]
    fn routing_matches_a_full_scan(
        start in naive(),
        waiting in prop::collection::vec((priority(), 0i64..60), 20),
        relax in prop::collection::vec(
            (any::<usize>(), after_ms(), prop::collection::vec(any::<usize>(), 0..3)),
            0..4,
        ),
        route_by in prop_oneof![
            prop::sample::select(Ranking::ALL.to_vec()).prop_map(RouteBy::Ranking),
            Just(RouteBy::RoundRobin),
        ],
        ops in prop::collection::vec((0i64..12, prop_oneof![
            3 => any::<usize>().prop_map(Op::Route),
            3 => (any::<usize>(), any::<bool>(), priority()).prop_map(|(s, r, p)| Op::Arrive(s, r, p)),
            1 => (any::<usize>(), any::<bool>()).prop_map(|(v, abandon)| Op::Leave(v, abandon)),
            3 => event().prop_filter("agent events only", |e| !matches!(e, Ev::Queue(..) | Ev::Dequeue(_) | Ev::Abandon(_))).prop_map(Op::Event),
        ]), 0..40),
    ) {
        let mut naive = start;
        let skills = naive.skills;
        // (queue skill, after in ms, fallback skill), one per fallback.
        let tiers: Vec<(usize, i64, usize)> = relax
            .iter()
            .flat_map(|(s, after, fallbacks)| fallbacks.iter().map(move |f| (s % skills, *after, f % skills)))
            .collect();
        let relaxations: Vec<Relaxation> = relax
            .iter()
            .map(|(s, after, fallbacks)| Relaxation {
                skill: skill_id(s % skills),
                after: Duration::from_millis(*after as u64),
                fallbacks: fallbacks.iter().map(|f| skill_id(f % skills)).collect(),
            })
            .collect();
        // Queue order as the key: priority (highest first), arrival in ms, visitor id.
        let mut queue: BTreeMap<(Reverse<i32>, i64, u64), usize> = naive
            .queue
            .iter()
            .map(|(&v, &s)| {
                let (priority, ago) = waiting[v as usize % waiting.len()];
                ((Reverse(priority), T0_MS - ago, v), s)
            })
            .collect();
        let floor = build_with_queue(&naive, &queue);
        let mut unknown = relaxations.clone();
        unknown.push(Relaxation { skill: skill_id(0), after: Duration::ZERO, fallbacks: vec!["nowhere".into()] });
        prop_assert!(Router::new(floor.clone(), route_by, &unknown).is_err());
        let mut router = Router::new(floor, route_by, &relaxations).expect("known skills");
        assert_queue_matches(router.floor(), &queue, skills)?;
        let mut cursor: Vec<Option<usize>> = vec![None; skills];
        let mut next_visitor = 100u64;
        let mut clock = T0_MS;
        for (dt, op) in &ops {
            clock += dt;
            let now = Timestamp::from_millis(clock);
            naive.clock = clock;
            let mut routed = None;
            match op {
                Op::Event(ev) => {
                    let accepted = naive.apply(ev);
                    let ok = apply_via_router(&mut router, &naive, ev, now);
                    prop_assert_eq!(ok, accepted);
                }
                Op::Arrive(s, and_route, priority) => {
                    let s = s % skills;
                    let v = next_visitor;
                    next_visitor += 1;
                    naive.queue.insert(v, s);
                    queue.insert((Reverse(*priority), clock, v), s);
                    let idx = router.floor().skill_index(&format!("s{s}")).expect("skill");
                    if *and_route {
                        let want = naive_route(&mut naive, &mut queue, &mut cursor, route_by, &tiers, s, clock);
                        let got = if v.is_multiple_of(2) {
                            router.arrive(now, VisitorId(v), idx, *priority).expect("new visitor")
                        } else {
                            let at = router.arrive_by_index(now, VisitorId(v), idx, *priority).expect("new visitor");
                            by_position(&router, at, &want)
                        };
                        prop_assert_eq!(&got, &want);
                        routed = Some(got);
                    } else {
                        let event = Event::VisitorQueued { visitor: VisitorId(v), skill: &skill_id(s), priority: *priority };
                        router.apply(now, event).expect("new visitor");
                    }
                }
                Op::Leave(pick, abandon) => {
                    // A queued visitor leaves (served elsewhere, or abandoning); with nobody
                    // queued, an unknown visitor is refused.
                    let key = (!queue.is_empty()).then(|| *queue.keys().nth(pick % queue.len()).expect("in range"));
                    let visitor = VisitorId(key.map_or(999_999, |(_, _, v)| v));
                    let event = if *abandon { Event::VisitorAbandoned { visitor } } else { Event::VisitorDequeued { visitor } };
                    let ok = router.apply(now, event).is_ok();
                    prop_assert_eq!(ok, key.is_some());
                    if let Some(key) = key {
                        queue.remove(&key);
                        naive.queue.remove(&key.2);
                    }
                }
                Op::Route(s) => {
                    let s = s % skills;
                    let idx = router.floor().skill_index(&format!("s{s}")).expect("skill");
                    let want = naive_route(&mut naive, &mut queue, &mut cursor, route_by, &tiers, s, clock);
                    let got = if next_visitor.is_multiple_of(2) {
                        router.route(now, idx).expect("in time")
                    } else {
                        let at = router.route_by_index(now, idx).expect("in time");
                        by_position(&router, at, &want)
                    };
                    prop_assert_eq!(&got, &want);
                    routed = Some(got);
                }
            }
            if let Some(Routed::Assigned { agent, .. }) = &routed {
                let a = router.floor().agent(agent).expect("agent");
                let within = match a.capacity() {
                    Capacity::Unlimited => true,
                    Capacity::Limited(l) => a.load().map_or(0, Weight::as_thousandths) <= u64::from(l) * 1000,
                };
                prop_assert!(within, "routed beyond capacity: {:?}", a);
            }
            assert_queue_matches(router.floor(), &queue, skills)?;
            assert_matches(router.floor(), &naive)?;
        }
    }
}

/// Priorities around zero, and the extremes.
fn priority() -> impl Strategy<Value = i32> {
    prop_oneof![6 => -2i32..3, 1 => Just(i32::MIN), 1 => Just(i32::MAX)]
}

/// A relaxation's wait in ms: at once, within the few hundred ms a case runs, or never.
fn after_ms() -> impl Strategy<Value = i64> {
    prop_oneof![2 => Just(0i64), 6 => 1i64..150, 1 => Just(1_000_000_000)]
}

/// The reference's floor with its queue as `queue` holds it: priorities and arrival times.
fn build_with_queue(n: &Naive, queue: &BTreeMap<(Reverse<i32>, i64, u64), usize>) -> Floor {
    let mut snapshot = build(n).to_snapshot();
    snapshot.queue = queue
        .iter()
        .map(|(&(Reverse(priority), at, v), &s)| QueuedVisitor {
            priority,
            ..QueuedVisitor::new(VisitorId(v), skill_id(s), Timestamp::from_millis(at))
        })
        .collect();
    Floor::new(snapshot).expect("generated snapshots are valid")
}

/// The floor's queues against the reference: every visitor with its skill, arrival and priority,
/// and each skill's head.
fn assert_queue_matches(
    floor: &Floor,
    queue: &BTreeMap<(Reverse<i32>, i64, u64), usize>,
    skills: usize,
) -> Result<(), TestCaseError> {
    let mut got: Vec<(u64, SkillId, i64, i32)> = floor
        .to_snapshot()
        .queue
        .into_iter()
        .map(|v| (v.id.0, v.skill, v.arrived_at.as_millis(), v.priority))
        .collect();
    got.sort();
    let mut want: Vec<(u64, SkillId, i64, i32)> =
        queue.iter().map(|(&(Reverse(p), at, v), &s)| (v, skill_id(s), at, p)).collect();
    want.sort();
    prop_assert_eq!(got, want);
    for s in 0..skills {
        let head = floor.queue_head(skill_id(s)).unwrap().map(|v| v.id.0);
        let want = queue.iter().find(|&(_, &qs)| qs == s).map(|(&(_, _, v), _)| v);
        prop_assert_eq!(head, want, "head of s{}", s);
    }
    Ok(())
}

#[derive(Clone, Debug)]
enum Op {
    Route(usize),
    /// A visitor joins a skill's queue with a priority; with `true`, through `Router::arrive`,
    /// which also routes.
    Arrive(usize, bool, i32),
    /// The queued visitor at this place in queue order (any queue) leaves: abandons with `true`.
    Leave(usize, bool),
    Event(Ev),
}

/// A decision of `Router::route_by_index` or `Router::arrive_by_index` in the shape of `want`'s: `None`
/// stands for whichever of `NoAgent` and `QueueEmpty` is wanted, and for `QueueEmpty` when an
/// assignment is wanted, so that it fails the comparison.
fn by_position(router: &Router, got: Option<Assignment>, want: &Routed) -> Routed {
    match got {
        Some(a) => Routed::Assigned {
            visitor: a.visitor,
            agent: router.floor().agent_by_index(a.agent).expect("the agent is on the floor").id().clone(),
            via_fallback: a.via_fallback.map(|f| router.floor().skill(f).unwrap().id.clone()),
        },
        None if matches!(want, Routed::Assigned { .. }) => Routed::QueueEmpty,
        None => want.clone(),
    }
}

/// Routes the head of skill `s` at `now_ms` the way the contract says, by a full scan of the
/// reference: `tiers` are the relaxations as (queue skill, after in ms, fallback skill).
fn naive_route(
    naive: &mut Naive,
    queue: &mut BTreeMap<(Reverse<i32>, i64, u64), usize>,
    cursor: &mut [Option<usize>],
    route_by: RouteBy,
    tiers: &[(usize, i64, usize)],
    s: usize,
    now_ms: i64,
) -> Routed {
    // The key orders by priority (highest first), then arrival, then id: the first of the
    // skill's visitors is its head.
    let Some((&key, _)) = queue.iter().find(|&(_, &qs)| qs == s) else {
        return Routed::QueueEmpty;
    };
    let (_, arrived, v) = key;
    let waited = now_ms - arrived;
    // The fallbacks open for the head, earliest tier first, then in skill order.
    let mut open: Vec<(i64, usize)> = tiers
        .iter()
        .filter(|&&(qs, after, _)| qs == s && after <= waited)
        .map(|&(_, after, f)| (after, f))
        .collect();
    open.sort_unstable();
    let able: Vec<usize> = (0..naive.agents.len())
        .filter(|&i| {
            let a = &naive.agents[i];
            a.state == AgentState::Online
                && (a.skills[s] || open.iter().any(|&(_, f)| a.skills[f]))
                && a.active < u32::MAX
                && match a.capacity {
                    Capacity::Unlimited => true,
                    Capacity::Limited(l) => a.load + 1000 <= u64::from(l) * 1000,
                }
        })
        .collect();
    let chosen = match route_by {
        RouteBy::Ranking(r) => naive_rank(naive, able, r).first().copied(),
        RouteBy::RoundRobin => {
            let mut by_id = able;
            by_id.sort_by_key(|&i| agent_id(i));
            let after = cursor[s].map(agent_id);
            by_id
                .iter()
                .copied()
                .find(|&i| after.as_ref().is_some_and(|c| agent_id(i) > *c))
                .or(by_id.first().copied())
        }
    };
    let Some(i) = chosen else {
        return Routed::NoAgent { visitor: VisitorId(v) };
    };
    let via_fallback = if naive.agents[i].skills[s] {
        None
    } else {
        open.iter().find(|&&(_, f)| naive.agents[i].skills[f]).map(|&(_, f)| skill_id(f))
    };
    queue.remove(&key);
    naive.queue.remove(&v);
    naive.agents[i].active += 1;
    naive.agents[i].load += 1000;
    cursor[s] = Some(i);
    Routed::Assigned { visitor: VisitorId(v), agent: agent_id(i), via_fallback }
}

fn apply_via_router(router: &mut Router, naive: &Naive, ev: &Ev, now: Timestamp) -> bool {
    match *ev {
        // Half the chat ends go by position, the way a simulator ends them.
        Ev::End(a, t) if a.is_multiple_of(2) => {
            let idx = router.floor().agent_index(&agent_id(a % naive.agents.len())).expect("on the floor");
            router.end_chat_by_index(now, idx, w(t)).is_ok()
        }
        _ => apply_with(naive, ev, now, |t, e| router.apply(t, e)),
    }
}
