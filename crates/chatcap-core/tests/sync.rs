//! `Floor::sync` and `Router::sync` against rebuilding: for random pairs and chains of snapshots
//! of one contact center, a floor built from the first and synced to the last answers every
//! query as a floor built from the last does, and a router routes as a router built from it.

use std::collections::BTreeMap;
use std::time::Duration;

use chatcap_core::{
    Agent, AgentId, AgentState, Capacity, Event, EventError, Floor, GroupId, LookupError, MaxWait,
    OfferPolicy, QueuedVisitor, Ranking, Relaxation, RouteBy, Routed, Router, Scope, Skill, SkillId, Slots,
    Snapshot, Stance, Timestamp, TransferRequest, TransferTarget, VisitorId, Weight,
};
use proptest::prelude::*;

const AGENTS: usize = 14;
const SKILLS: usize = 5;
const VISITORS: u64 = 12;
const T0_MS: i64 = 1_700_000_000_000;

fn agent_id(i: usize) -> AgentId {
    AgentId::from(format!("{i}"))
}

fn skill_id(i: usize) -> SkillId {
    SkillId::from(format!("s{i}"))
}

/// One agent's fields, before the snapshot's skills are known.
#[derive(Clone, Debug)]
struct AgentSpec {
    state: AgentState,
    voice: Option<AgentState>,
    capacity: Capacity,
    active: u32,
    /// Thousandths of a slot per chat, when chats are weighted.
    weight: Option<u64>,
    skills: Vec<usize>,
    login: Option<usize>,
    group: Option<usize>,
    in_state_ms: u64,
}

fn state() -> impl Strategy<Value = AgentState> {
    prop::sample::select(AgentState::ALL.to_vec())
}

fn agent_spec() -> impl Strategy<Value = AgentSpec> {
    (
        (state(), prop::option::of(state())),
        prop_oneof![3 => (0u32..4).prop_map(Capacity::Limited), 1 => Just(Capacity::Unlimited)],
        0u32..5,
        prop::option::of(prop::sample::select(vec![250u64, 500, 1000, 1500])),
        prop::collection::vec(0..SKILLS, 0..4),
        (prop::option::of(0..6usize), prop::option::of(0..3usize)),
        0u64..50_000,
    )
        .prop_map(|((state, voice), capacity, active, weight, skills, (login, group), in_state_ms)| {
            AgentSpec { state, voice, capacity, active, weight, skills, login, group, in_state_ms }
        })
}

/// A snapshot of the pool's contact center: a subset of its skills, agents and visitors, in
/// any order, always valid.
#[derive(Clone, Debug)]
struct Spec {
    /// Skills listed, in order, with a display name or none.
    skills: Vec<(usize, Option<u8>)>,
    agents: Vec<(usize, AgentSpec)>,
    /// Visitor, skill (a position in `skills`), priority, wait so far in ms.
    queue: Vec<(u64, usize, i32, i64)>,
    /// Whether agents share the skill list's ids, as an adapter that interns them does (the
    /// sync then matches skills by address), or hold copies of their own.
    interned: bool,
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        Just((0..SKILLS).collect::<Vec<_>>()).prop_shuffle(),
        1..=SKILLS,
        prop::collection::vec(prop::option::of(0u8..2), SKILLS),
        prop::collection::vec(prop::option::of(agent_spec()), AGENTS),
        Just((0..AGENTS).collect::<Vec<_>>()).prop_shuffle(),
        prop::collection::vec(prop::option::of((0..SKILLS, -1i32..2, 0i64..90_000)), VISITORS as usize),
        any::<bool>(),
    )
        .prop_map(|(skill_order, listed, names, agents, agent_order, visitors, interned)| {
            let skills: Vec<(usize, Option<u8>)> =
                skill_order[..listed].iter().map(|&s| (s, names[s])).collect();
            let agents = agent_order.iter().filter_map(|&i| Some((i, agents[i].clone()?))).collect();
            let queue = visitors
                .iter()
                .enumerate()
                .filter_map(|(v, q)| q.map(|(s, p, w)| (v as u64, s % skills.len(), p, w)))
                .collect();
            Spec { skills, agents, queue, interned }
        })
}

/// The snapshot a spec stands for at `at_ms`: skills an agent has that the snapshot does not
/// list are dropped, and so are repeated skills and logins.
fn snapshot(spec: &Spec, at_ms: i64) -> Snapshot {
    let listed: Vec<usize> = spec.skills.iter().map(|&(s, _)| s).collect();
    let shared: Vec<SkillId> = (0..SKILLS).map(skill_id).collect();
    let id_of = |s: usize| if spec.interned { shared[s].clone() } else { skill_id(s) };
    let mut logins_taken = Vec::new();
    let agents = spec
        .agents
        .iter()
        .map(|(i, a)| {
            let mut skills: Vec<usize> = Vec::new();
            for &s in &a.skills {
                if listed.contains(&s) && !skills.contains(&s) {
                    skills.push(s);
                }
            }
            let login = a.login.filter(|l| !logins_taken.contains(l));
            logins_taken.extend(login);
            let mut agent = Agent::new(agent_id(*i), a.state, a.capacity)
                .with_active_chats(a.active)
                .with_skills(skills.into_iter().map(id_of))
                .with_time_in_state(Duration::from_millis(a.in_state_ms));
            if let (Some(w), true) = (a.weight, a.active > 0) {
                agent = agent.with_load(Weight::from_thousandths(w * u64::from(a.active)).unwrap());
            }
            agent.voice_state = a.voice;
            agent.login = login.map(|l| format!("login{l}").into());
            agent.group = a.group.map(|g| GroupId::from(format!("g{g}")));
            agent
        })
        .collect();
    let at = Timestamp::from_millis(at_ms);
    Snapshot {
        taken_at: at,
        skills: spec
            .skills
            .iter()
            .map(|&(s, name)| {
                let skill = Skill::new(id_of(s));
                match name {
                    Some(n) => skill.with_name(format!("name{n}")),
                    None => skill,
                }
            })
            .collect(),
        agents,
        queue: spec
            .queue
            .iter()
            .map(|&(v, s, priority, waited)| QueuedVisitor {
                priority,
                ..QueuedVisitor::new(
                    VisitorId(v),
                    skill_id(spec.skills[s].0),
                    Timestamp::from_millis(at_ms - waited),
                )
            })
            .collect(),
    }
}

/// `next` with every id, login, group and skill list it has in common (by text) with `last`
/// replaced by `last`'s own, as a reader that remembers the last poll hands them on: a floor
/// synced to it compares those by address. Texts are shared wherever they are equal, also
/// between different agents (a login one agent gave up and another took).
fn sharing_texts_with(last: &Snapshot, mut next: Snapshot) -> Snapshot {
    use std::collections::HashMap;
    use std::sync::Arc;
    let mut ids: HashMap<String, AgentId> = HashMap::new();
    let mut logins: HashMap<String, Arc<str>> = HashMap::new();
    let mut groups: HashMap<String, GroupId> = HashMap::new();
    let mut skills: HashMap<String, SkillId> = HashMap::new();
    let mut lists: HashMap<Vec<String>, Arc<[SkillId]>> = HashMap::new();
    let names = |list: &[SkillId]| list.iter().map(|s| s.as_str().to_owned()).collect::<Vec<_>>();
    for s in &last.skills {
        skills.insert(s.id.as_str().to_owned(), s.id.clone());
    }
    for a in &last.agents {
        ids.insert(a.id.as_str().to_owned(), a.id.clone());
        if let Some(l) = &a.login {
            logins.insert(l.to_string(), Arc::clone(l));
        }
        if let Some(g) = &a.group {
            groups.insert(g.as_str().to_owned(), g.clone());
        }
        lists.insert(names(&a.skills), Arc::clone(&a.skills));
    }
    for s in &mut next.skills {
        if let Some(id) = skills.get(s.id.as_str()) {
            s.id = id.clone();
        }
    }
    for a in &mut next.agents {
        if let Some(id) = ids.get(a.id.as_str()) {
            a.id = id.clone();
        }
        if let Some(l) = a.login.as_ref().and_then(|l| logins.get(&**l)) {
            a.login = Some(Arc::clone(l));
        }
        if let Some(g) = a.group.as_ref().and_then(|g| groups.get(g.as_str())) {
            a.group = Some(g.clone());
        }
        match lists.get(&names(&a.skills)) {
            Some(list) => a.skills = Arc::clone(list),
            None => {
                a.skills = a
                    .skills
                    .iter()
                    .map(|s| skills.get(s.as_str()).cloned().unwrap_or_else(|| s.clone()))
                    .collect()
            }
        }
    }
    next
}

/// One edit of an agent of a spec (`p`, modulo the agents): a new state, chats, login, group,
/// skill toggled, limit or voice state, or the agent gone (`v` even) or a new agent beside it.
fn edit(spec: &mut Spec, p: usize, kind: u8, v: usize) {
    if spec.agents.is_empty() {
        return;
    }
    let p = p % spec.agents.len();
    let a = &mut spec.agents[p].1;
    match kind {
        0 => a.state = AgentState::ALL[v % 4],
        1 => a.active = v as u32,
        2 => a.login = (v < 5).then_some(v),
        3 => a.group = (v < 3).then_some(v),
        4 => {
            let s = v % SKILLS;
            match a.skills.iter().position(|&x| x == s) {
                Some(i) => {
                    a.skills.remove(i);
                }
                None => a.skills.push(s),
            }
        }
        5 => a.capacity = Capacity::Limited(v as u32),
        6 => a.voice = Some(AgentState::ALL[v % 4]),
        _ if v.is_multiple_of(2) => {
            spec.agents.remove(p);
        }
        _ => {
            if let Some(free) = (0..AGENTS).find(|i| spec.agents.iter().all(|(j, _)| j != i)) {
                let twin = spec.agents[p].1.clone();
                spec.agents.insert(p, (free, twin));
            }
        }
    }
}

/// Every agent, by id, its skills sorted (an agent lists them in the order of the floor's skill
/// indices, which a synced floor gives out in another order).
fn agents_by_id(floor: &Floor) -> BTreeMap<AgentId, Agent> {
    floor
        .agents()
        .map(|a| {
            let mut agent = a.to_agent();
            std::sync::Arc::make_mut(&mut agent.skills).sort();
            (a.id().clone(), agent)
        })
        .collect()
}

/// Checks that `synced` answers every query as `fresh` does.
fn assert_same_answers(synced: &Floor, fresh: &Floor) -> Result<(), TestCaseError> {
    prop_assert_eq!(synced.now(), fresh.now());
    prop_assert_eq!(synced.agent_count(), fresh.agent_count());
    prop_assert_eq!(agents_by_id(synced), agents_by_id(fresh));
    prop_assert_eq!(synced.slots_total(), fresh.slots_total());
    prop_assert_eq!(synced.summary_total(), fresh.summary_total());
    prop_assert_eq!(synced.summary(Scope::All), Ok(fresh.summary_total()));
    let policies = [
        OfferPolicy::new(MaxWait::from_secs(0).unwrap()),
        OfferPolicy::new(MaxWait::from_secs(120).unwrap()).with_handle_time(Duration::from_secs(300)),
        OfferPolicy::new(MaxWait::from_secs(60).unwrap())
            .with_max_queue(2)
            .with_missing_data(Stance::FailClosed),
    ];
    let waits = [(0, None), (30, Some(Duration::from_secs(240))), (600, Some(Duration::from_secs(60)))];
    for (w, aht) in waits {
        let w = MaxWait::from_secs(w).unwrap();
        prop_assert_eq!(synced.slots_within(Scope::All, w, aht), fresh.slots_within(Scope::All, w, aht));
    }
    for s in 0..SKILLS + 1 {
        let id = skill_id(s);
        let key = id.as_str();
        prop_assert_eq!(synced.slots(key), fresh.slots(key), "slots of {}", key);
        prop_assert_eq!(synced.queue_len(key), fresh.queue_len(key));
        prop_assert_eq!(synced.queue_head(key), fresh.queue_head(key));
        prop_assert_eq!(synced.oldest_arrival(key), fresh.oldest_arrival(key));
        for p in &policies {
            prop_assert_eq!(synced.offer(key, p), fresh.offer(key, p), "offer for {}", key);
        }
        let (Some(si), fi) = (synced.skill_index(key), fresh.skill_index(key)) else {
            // Skills are never removed: what the fresh floor lacks, the synced floor may keep.
            prop_assert!(fresh.skill_index(key).is_none());
            continue;
        };
        let Some(fi) = fi else {
            // A skill the snapshot no longer lists: no agents, nobody waiting.
            let empty = synced.summary(Scope::Skill(si)).unwrap();
            prop_assert_eq!((empty.eligible_agents, empty.free, empty.queued), (0, Slots::ZERO, 0));
            prop_assert!(synced.agents().all(|a| a.has_skill(si) == Ok(false)));
            continue;
        };
        prop_assert_eq!(synced.summary(Scope::Skill(si)), fresh.summary(Scope::Skill(fi)));
        prop_assert_eq!(synced.skill(si), fresh.skill(fi));
        for (w, aht) in waits {
            let w = MaxWait::from_secs(w).unwrap();
            prop_assert_eq!(
                synced.slots_within(Scope::Skill(si), w, aht),
                fresh.slots_within(Scope::Skill(fi), w, aht)
            );
        }
        prop_assert_eq!(synced.queue_state(si, synced.now()), fresh.queue_state(fi, fresh.now()));
        for from in fresh.agents().map(|a| a.id().clone()) {
            for strategy in Ranking::ALL {
                for explain in [false, true] {
                    let ask = |floor: &Floor, idx| {
                        let mut r =
                            TransferRequest::new(&from, TransferTarget::Skill(idx)).with_strategy(strategy);
                        if explain {
                            r = r.with_explain();
                        }
                        floor.transfer_candidates(&r).map(|answer| {
                            let mut excluded: Vec<_> =
                                answer.excluded.iter().map(|e| (e.agent.clone(), e.reason)).collect();
                            // Exclusions come in the order of the floor's places.
                            excluded.sort();
                            let candidates: Vec<_> = answer
                                .candidates
                                .iter()
                                .map(|c| (c.agent.clone(), c.free, c.active_chats))
                                .collect();
                            (candidates, excluded)
                        })
                    };
                    prop_assert_eq!(ask(synced, si), ask(fresh, fi));
                }
            }
        }
    }
    Ok(())
}

/// The relaxations a router gets: every pair of skills both floors define, opening at once or
/// after 30 s.
fn relaxations(a: &Snapshot, b: &Snapshot) -> Vec<Relaxation> {
    let both: Vec<&SkillId> =
        a.skills.iter().map(|s| &s.id).filter(|id| b.skills.iter().any(|t| &t.id == *id)).collect();
    both.windows(2)
        .enumerate()
        .map(|(k, w)| Relaxation {
            skill: w[0].clone(),
            after: Duration::from_secs(30 * (k as u64 % 2)),
            fallbacks: vec![w[1].clone()],
        })
        .collect()
}

/// Routes every queue until nothing more is routed, then offers a new visitor to every skill;
/// the decisions, in order.
fn drain(router: &mut Router, at: Timestamp) -> Result<Vec<Routed>, EventError> {
    let mut decisions = Vec::new();
    for round in 0..3 {
        for k in 0..SKILLS {
            let Some(s) = router.floor().skill_index(skill_id(k).as_str()) else { continue };
            decisions.push(router.route(at, s)?);
            let visitor = VisitorId(1_000 + round * 10 + k as u64);
            decisions.push(router.arrive(at, visitor, s, 0)?);
        }
    }
    Ok(decisions)
}

/// One event on the floor between two polls, named by numbers: what happens, to which agent of
/// the pool, and a value for it.
type EventSpec = (u8, usize, usize);

fn events() -> impl Strategy<Value = Vec<EventSpec>> {
    prop::collection::vec((0u8..13, 0..AGENTS, 0..6usize), 0..12)
}

/// Applies events as specified, through the floor's `apply` or a router's; events the floor
/// refuses change nothing and are passed over.
fn apply_events(spec: &[EventSpec], mut apply: impl FnMut(Event<'_>) -> Result<(), EventError>) {
    let skills: Vec<SkillId> = (0..SKILLS).map(skill_id).collect();
    for &(kind, agent, value) in spec {
        let id = agent_id(agent);
        let state = AgentState::ALL[value % AgentState::ALL.len()];
        let login = format!("login{value}");
        let group = GroupId::from(format!("g{}", value % 3));
        let weight = Weight::from_thousandths(if value % 2 == 0 { 1000 } else { 500 }).unwrap();
        let joining = Agent::new(id.clone(), state, Capacity::Limited(value as u32))
            .with_skills([skills[value % SKILLS].clone()])
            .with_login(format!("join{value}"));
        let event = match kind {
            0 => Event::ChatStarted { agent: &id, weight },
            1 => Event::ChatEnded { agent: &id, weight },
            2 => Event::StateChanged { agent: &id, state },
            3 => Event::VoiceStateChanged { agent: &id, state: (value % 2 == 0).then_some(state) },
            4 => Event::CapacityChanged {
                agent: &id,
                capacity: if value == 5 { Capacity::Unlimited } else { Capacity::Limited(value as u32) },
            },
            5 => Event::LoginChanged { agent: &id, login: (value != 5).then_some(login.as_str()) },
            6 => Event::GroupChanged { agent: &id, group: (value != 5).then_some(&group) },
            7 => Event::SkillAdded { agent: &id, skill: &skills[value % SKILLS] },
            8 => Event::SkillRemoved { agent: &id, skill: &skills[value % SKILLS] },
            9 => Event::ChatsCounted { agent: &id, active: value as u32, load: None },
            10 => Event::AgentLeft { agent: &id },
            11 => Event::AgentJoined { agent: &joining },
            _ => Event::ChatTransferred { from: &id, to: &agent_id((agent + value) % AGENTS), weight },
        };
        let _ = apply(event);
    }
}

/// Routes the head of every queue and one new visitor per skill (`round` keeps their ids apart
/// from earlier rounds'), passing over what the router refuses.
fn route_some(router: &mut Router, at: Timestamp, round: u64) {
    for k in 0..SKILLS {
        let Some(s) = router.floor().skill_index(skill_id(k).as_str()) else { continue };
        let _ = router.route(at, s);
        let _ = router.arrive(at, VisitorId(50_000 + round * 100 + k as u64), s, 0);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

    #[test]
    fn a_floor_changed_by_events_between_polls_syncs_as_a_fresh_floor(
        chain in prop::collection::vec((spec(), events()), 2..6),
    ) {
        let mut floor = Floor::new(snapshot(&chain[0].0, T0_MS)).unwrap();
        for (k, (spec, between)) in chain.iter().enumerate().skip(1) {
            // Events after the last poll change agents behind the sync's back, in place.
            let at = Timestamp::from_millis(T0_MS + 10_000 * k as i64 - 5_000);
            apply_events(between, |e| floor.apply(at, e));
            let next = snapshot(spec, T0_MS + 10_000 * k as i64);
            floor.sync(next.taken_at, &next).unwrap();
            assert_same_answers(&floor, &Floor::new(next.clone()).unwrap())?;
            // And the same poll again, now that every place's key is written afresh.
            prop_assert!(floor.sync(next.taken_at, &next).unwrap().is_empty());
        }
    }

    #[test]
    fn a_router_changed_by_events_and_routing_between_polls_syncs_as_a_fresh_router(
        chain in prop::collection::vec((spec(), events()), 2..5),
        ranking in prop::sample::select(Ranking::ALL.to_vec()),
    ) {
        let by = RouteBy::Ranking(ranking);
        let mut router = Router::new(Floor::new(snapshot(&chain[0].0, T0_MS)).unwrap(), by, &[]).unwrap();
        for (k, (spec, between)) in chain.iter().enumerate().skip(1) {
            // Polls 100 s apart; events and routing halfway, after the last look at the floor.
            let at = Timestamp::from_millis(T0_MS + 100_000 * k as i64 - 50_000);
            apply_events(between, |e| router.apply(at, e));
            route_some(&mut router, at, k as u64);
            let next = snapshot(spec, T0_MS + 100_000 * k as i64);
            router.sync(next.taken_at, &next).unwrap();
            let mut fresh = Router::new(Floor::new(next.clone()).unwrap(), by, &[]).unwrap();
            assert_same_answers(router.floor(), fresh.floor())?;
            let later = next.taken_at.saturating_add(Duration::from_secs(45));
            prop_assert_eq!(drain(&mut router, later), drain(&mut fresh, later));
        }
    }

    #[test]
    fn a_synced_floor_answers_as_a_floor_built_from_the_snapshot(a in spec(), b in spec()) {
        let (sa, sb) = (snapshot(&a, T0_MS), snapshot(&b, T0_MS + 10_000));
        let mut floor = Floor::new(sa).unwrap();
        let report = floor.sync(sb.taken_at, &sb).unwrap();
        let fresh = Floor::new(sb.clone()).unwrap();
        assert_same_answers(&floor, &fresh)?;
        // Syncing the same snapshot again changes nothing and says so.
        let again = floor.sync(sb.taken_at, &sb).unwrap();
        prop_assert!(again.is_empty(), "{}", again);
        assert_same_answers(&floor, &fresh)?;
        // The report names who joined and left.
        let ids = |s: &[Agent]| s.iter().map(|x| x.id.clone()).collect::<Vec<_>>();
        let (before, after) = (ids(&snapshot(&a, T0_MS).agents), ids(&sb.agents));
        let joined: Vec<AgentId> = after.iter().filter(|id| !before.contains(id)).cloned().collect();
        let mut left: Vec<AgentId> = before.iter().filter(|id| !after.contains(id)).cloned().collect();
        let mut reported_left = report.left.clone();
        left.sort();
        reported_left.sort();
        prop_assert_eq!(&report.joined, &joined);
        prop_assert_eq!(reported_left, left);
    }

    #[test]
    fn polls_a_few_edits_apart_sharing_texts_with_the_last_sync_as_the_last_snapshot(
        first in spec(),
        steps in prop::collection::vec(prop::collection::vec((0..AGENTS, 0u8..8, 0usize..6), 0..4), 1..5),
    ) {
        let mut spec = first;
        let mut last = snapshot(&spec, T0_MS);
        let mut floor = Floor::new(last.clone()).unwrap();
        for (k, edits) in steps.iter().enumerate() {
            let at = T0_MS + 10_000 * (k as i64 + 1);
            // Every agent not edited stays as it was, in its state since the same moment; every
            // visitor waits on.
            for (_, a) in &mut spec.agents {
                a.in_state_ms += 10_000;
            }
            for (_, _, _, waited) in &mut spec.queue {
                *waited += 10_000;
            }
            for &(p, kind, v) in edits {
                edit(&mut spec, p, kind, v);
            }
            let next = sharing_texts_with(&last, snapshot(&spec, at));
            let report = floor.sync(next.taken_at, &next).unwrap();
            prop_assert!(edits.is_empty() <= report.is_empty(), "no edit, yet {}", report);
            assert_same_answers(&floor, &Floor::new(next.clone()).unwrap())?;
            last = next;
        }
    }

    #[test]
    fn a_chain_of_polls_sharing_texts_with_the_last_syncs_as_the_last_snapshot(
        chain in prop::collection::vec(spec(), 2..6),
    ) {
        let mut last = snapshot(&chain[0], T0_MS);
        let mut floor = Floor::new(last.clone()).unwrap();
        for (k, spec) in chain.iter().enumerate().skip(1) {
            let next = sharing_texts_with(&last, snapshot(spec, T0_MS + 10_000 * k as i64));
            floor.sync(next.taken_at, &next).unwrap();
            assert_same_answers(&floor, &Floor::new(next.clone()).unwrap())?;
            let again = floor.sync(next.taken_at, &next).unwrap();
            prop_assert!(again.is_empty(), "{}", again);
            last = next;
        }
    }

    #[test]
    fn a_chain_of_syncs_answers_as_the_last_snapshot(chain in prop::collection::vec(spec(), 2..6)) {
        let mut floor = Floor::new(snapshot(&chain[0], T0_MS)).unwrap();
        for (k, spec) in chain.iter().enumerate().skip(1) {
            let next = snapshot(spec, T0_MS + 10_000 * k as i64);
            floor.sync(next.taken_at, &next).unwrap();
            assert_same_answers(&floor, &Floor::new(next).unwrap())?;
        }
    }

    #[test]
    fn a_synced_router_routes_as_a_router_built_from_the_snapshot(
        chain in prop::collection::vec(spec(), 2..5),
        ranking in prop::sample::select(Ranking::ALL.to_vec()),
    ) {
        let first = snapshot(&chain[0], T0_MS);
        let last = snapshot(&chain[chain.len() - 1], T0_MS + 10_000 * chain.len() as i64);
        let relax = relaxations(&first, &last);
        let by = RouteBy::Ranking(ranking);
        let mut synced = Router::new(Floor::new(first).unwrap(), by, &relax).unwrap();
        for (k, spec) in chain.iter().enumerate().skip(1) {
            let next = if k + 1 == chain.len() { last.clone() } else { snapshot(spec, T0_MS + 10_000 * k as i64) };
            synced.sync(next.taken_at, &next).unwrap();
        }
        let mut fresh = Router::new(Floor::new(last.clone()).unwrap(), by, &relax).unwrap();
        assert_same_answers(synced.floor(), fresh.floor())?;
        let at = last.taken_at.saturating_add(Duration::from_secs(45));
        prop_assert_eq!(drain(&mut synced, at), drain(&mut fresh, at));
        assert_same_answers(synced.floor(), fresh.floor())?;
    }

    #[test]
    fn round_robin_goes_on_after_the_agent_served_last(
        chain in prop::collection::vec(spec(), 2..5),
        serve in prop::collection::vec(0..SKILLS, 0..6),
    ) {
        let mut router = Router::new(Floor::new(snapshot(&chain[0], T0_MS)).unwrap(), RouteBy::RoundRobin, &[]).unwrap();
        // Per skill, the id of the agent served last.
        let mut last: BTreeMap<SkillId, AgentId> = BTreeMap::new();
        let mut visitor = 10_000;
        for (k, spec) in chain.iter().enumerate() {
            let at = Timestamp::from_millis(T0_MS + 10_000 * k as i64);
            if k > 0 {
                let next = snapshot(spec, T0_MS + 10_000 * k as i64);
                router.sync(at, &next).unwrap();
            }
            for &s in &serve {
                let id = skill_id(s);
                let Some(idx) = router.floor().skill_index(id.as_str()) else { continue };
                // The naive answer: the first agent by id after the one served last that is
                // online with room for a plain chat, wrapping around.
                let mut able: Vec<AgentId> = router
                    .floor()
                    .agents()
                    .filter(|a| a.has_skill(idx) == Ok(true) && a.chat_state() == AgentState::Online)
                    .filter(|a| match a.capacity() {
                        Capacity::Unlimited => true,
                        Capacity::Limited(n) => {
                            a.load().map_or(0, |w| w.as_thousandths()) + 1000 <= u64::from(n) * 1000
                        }
                    })
                    .map(|a| a.id().clone())
                    .collect();
                able.sort();
                let want = match last.get(&id) {
                    Some(prev) => able.iter().find(|a| *a > prev).or(able.first()),
                    None => able.first(),
                };
                visitor += 1;
                let got = router.arrive(at, VisitorId(visitor), idx, 0).unwrap();
                match (got, want) {
                    (Routed::Assigned { agent, .. }, Some(want)) => {
                        prop_assert_eq!(&agent, want);
                        last.insert(id, agent);
                    }
                    (Routed::NoAgent { .. }, None) => {}
                    (got, want) => prop_assert!(false, "routed {:?}, expected {:?}", got, want),
                }
            }
        }
    }

    #[test]
    fn an_invalid_snapshot_changes_nothing(a in spec(), b in spec(), flaw in 0usize..7) {
        let sa = snapshot(&a, T0_MS);
        let mut bad = snapshot(&b, T0_MS + 10_000);
        let flawed = match flaw {
            0 if !bad.agents.is_empty() => {
                let twin = bad.agents[0].clone();
                bad.agents.push(twin);
                true
            }
            1 if !bad.agents.is_empty() => {
                bad.agents[0].skills = bad.agents[0].skills.iter().cloned().chain([SkillId::from("undefined")]).collect();
                true
            }
            2 if !bad.skills.is_empty() => {
                let twin = bad.skills[0].clone();
                bad.skills.push(twin);
                true
            }
            3 if !bad.queue.is_empty() => {
                bad.queue[0].arrived_at = Timestamp::from_millis(T0_MS + 20_000);
                true
            }
            4 if bad.agents.len() >= 2 => {
                bad.agents[0].login = Some("same".into());
                bad.agents[1].login = Some("same".into());
                true
            }
            5 if !bad.agents.is_empty() => {
                bad.agents[0].active_chats = 0;
                bad.agents[0].load = Some(Weight::ONE);
                true
            }
            _ => {
                bad.taken_at = Timestamp::from_millis(T0_MS - 1);
                false
            }
        };
        let mut floor = Floor::new(sa.clone()).unwrap();
        let mut router = Router::new(Floor::new(sa.clone()).unwrap(), RouteBy::Ranking(Ranking::LeastLoaded), &[]).unwrap();
        let now = bad.taken_at;
        if flawed {
            prop_assert_eq!(Floor::new(bad.clone()).is_err(), true);
        }
        prop_assert!(floor.sync(now, &bad).is_err());
        prop_assert!(router.sync(now, &bad).is_err());
        let untouched = Floor::new(sa).unwrap();
        assert_same_answers(&floor, &untouched)?;
        assert_same_answers(router.floor(), &untouched)?;
    }
}

#[test]
fn an_omitted_time_in_state_keeps_the_known_start_unless_the_state_changed() {
    let at = Timestamp::from_millis;
    let agent = |id: &str, state| Agent::new(id, state, Capacity::Limited(2));
    let snap = |t: i64, agents: Vec<Agent>| Snapshot { taken_at: at(t), agents, ..Snapshot::default() };
    let mut floor = Floor::new(snap(
        10_000,
        vec![
            agent("1", AgentState::Online).with_time_in_state(Duration::from_secs(4)),
            agent("2", AgentState::Away),
        ],
    ))
    .unwrap();
    assert_eq!(floor.agent(&"1".into()).unwrap().state_since(), at(6_000));
    assert_eq!(floor.agent(&"2".into()).unwrap().state_since(), at(10_000));
    let report = floor
        .sync(at(20_000), &snap(20_000, vec![agent("1", AgentState::Online), agent("2", AgentState::Online)]))
        .unwrap();
    // Agent 1 stays online since 6 s; agent 2's change is dated to the snapshot that shows it.
    assert_eq!(floor.agent(&"1".into()).unwrap().state_since(), at(6_000));
    assert_eq!(floor.agent(&"2".into()).unwrap().state_since(), at(20_000));
    assert_eq!(report.state_changed, [AgentId::from("2")]);
    assert!(report.state_restarted.is_empty());
}

#[test]
fn a_place_left_is_taken_by_the_next_agent_to_join() {
    let at = Timestamp::from_millis;
    let agent = |id: &str| Agent::new(id, AgentState::Online, Capacity::Limited(1));
    let snap = |t: i64, agents: Vec<Agent>| Snapshot { taken_at: at(t), agents, ..Snapshot::default() };
    let mut floor = Floor::new(snap(0, vec![agent("a"), agent("b"), agent("c")])).unwrap();
    floor.sync(at(1), &snap(1, vec![agent("a"), agent("c"), agent("d"), agent("e")])).unwrap();
    let order: Vec<&str> = floor.agents().map(|a| a.id().as_str()).collect();
    assert_eq!(order, ["a", "d", "c", "e"]);
    assert_eq!(floor.slots_total(), Slots::Count(4));
}

#[test]
fn router_labels_survive_many_joins_between_two_ids() {
    // Agents "a" and "b" hold the ends; joiners "a0", "a00", ... keep landing just after "a"
    // until the room between labels runs out and everyone is labelled afresh.
    let at = Timestamp::from_millis;
    let skills = vec![Skill::new("s")];
    let agent =
        |id: String| Agent::new(id, AgentState::Online, Capacity::Limited(1)).with_skills(["s".into()]);
    let mut ids = vec!["a".to_owned(), "b".to_owned()];
    let floor = Floor::new(Snapshot {
        taken_at: at(0),
        skills: skills.clone(),
        agents: ids.iter().cloned().map(agent).collect(),
        queue: vec![],
    })
    .unwrap();
    let mut router = Router::new(floor, RouteBy::Ranking(Ranking::LeastLoaded), &[]).unwrap();
    for k in 1..80 {
        ids.push(format!("a{}", "0".repeat(k)));
        let next = Snapshot {
            taken_at: at(k as i64),
            skills: skills.clone(),
            agents: ids.iter().cloned().map(agent).collect(),
            queue: vec![],
        };
        router.sync(next.taken_at, &next).unwrap();
    }
    // Every agent is idle with one slot: they are served in id order.
    let s = router.floor().skill_index("s").unwrap();
    let mut served = Vec::new();
    for v in 0..ids.len() as u64 {
        match router.arrive(at(100), VisitorId(v), s, 0).unwrap() {
            Routed::Assigned { agent, .. } => served.push(agent.as_str().to_owned()),
            other => panic!("{other:?}"),
        }
    }
    ids.sort();
    assert_eq!(served, ids);
}

#[test]
fn a_stale_or_foreign_agent_index_is_an_error_not_another_agent() {
    let at = Timestamp::from_millis;
    let agent = |id: &str| Agent::new(id, AgentState::Online, Capacity::Limited(2)).with_active_chats(1);
    let snap = |t: i64, ids: &[&str]| Snapshot {
        taken_at: at(t),
        agents: ids.iter().map(|&id| agent(id)).collect(),
        ..Snapshot::default()
    };
    let mut router =
        Router::new(Floor::new(snap(0, &["a", "b"])).unwrap(), RouteBy::RoundRobin, &[]).unwrap();
    let b = router.floor().agent_index(&"b".into()).unwrap();
    // b leaves and c takes its place.
    router.sync(at(1), &snap(1, &["a", "c"])).unwrap();
    let c = router.floor().agent_index(&"c".into()).unwrap();
    assert_eq!(c.get(), b.get());
    assert_eq!(
        router.end_chat_by_index(at(2), b, Weight::ONE),
        Err(EventError::StaleAgentIndex { place: b.get() })
    );
    assert_eq!(router.floor().agent(&"c".into()).unwrap().active_chats(), 1);
    // b comes back in another place: the old index names nobody still.
    router.sync(at(3), &snap(3, &["a", "c", "b"])).unwrap();
    assert!(router.floor().agent_by_index(b).is_none());
    // An index from a floor of other agents is refused too.
    let other = Floor::new(snap(0, &["x", "y"])).unwrap();
    let y = other.agent_index(&"y".into()).unwrap();
    assert_eq!(router.floor().check_index(y), Err(LookupError::StaleAgentIndex { place: 1 }));
    assert_eq!(
        router.end_chat_by_index(at(4), y, Weight::ONE),
        Err(EventError::StaleAgentIndex { place: 1 })
    );
    // A fresh index works.
    router.end_chat_by_index(at(4), c, Weight::ONE).unwrap();
    assert_eq!(router.floor().agent(&"c".into()).unwrap().active_chats(), 0);
    assert_eq!(router.floor().agent_by_index(c).unwrap().index(), c);
}

/// A text of one of the lengths that meet the edges of the sync's word-at-a-time comparison
/// and of its compact keys (whose texts must each fit in 16 bits), ending in `last`.
fn edge_text(len: usize, last: u8) -> String {
    let mut text = "x".repeat(len);
    text.push(char::from(b'0' + last));
    text
}

/// Agents whose ids and logins differ only in their last byte, at lengths around a word and
/// beyond what a compact key holds, with up to eight skills (more than a key holds): one
/// snapshot per spec, `(id length, id's last byte, login, skills as bits, chats)` per agent.
type EdgeAgent = (usize, u8, Option<(usize, u8)>, u8, u32);

fn edge_agents() -> impl Strategy<Value = Vec<EdgeAgent>> {
    let len = prop::sample::select(vec![0usize, 6, 7, 8, 9, 15, 16, 17, 70_000]);
    prop::collection::vec((len.clone(), 0u8..4, prop::option::of((len, 0u8..4)), any::<u8>(), 0u32..3), 0..8)
}

fn edge_snapshot(agents: &[EdgeAgent], at_ms: i64) -> Snapshot {
    let skills: Vec<SkillId> = (0..8).map(|s| SkillId::from(format!("e{s}"))).collect();
    let mut ids = Vec::new();
    let mut logins = Vec::new();
    let agents = agents
        .iter()
        .filter_map(|&(len, last, login, bits, active)| {
            let id = edge_text(len, last);
            let login = login.map(|(l, c)| edge_text(l, c)).filter(|l| !logins.contains(l));
            if ids.contains(&id) {
                return None;
            }
            ids.push(id.clone());
            logins.extend(login.clone());
            let mut agent = Agent::new(id, AgentState::Online, Capacity::Limited(3))
                .with_active_chats(active)
                // In its state since the first snapshot: unchanged agents stay unchanged.
                .with_time_in_state(Duration::from_millis((at_ms - T0_MS) as u64))
                .with_skills((0..8).filter(|s| bits & (1 << s) != 0).map(|s| skills[s].clone()));
            agent.login = login.map(Into::into);
            Some(agent)
        })
        .collect();
    Snapshot {
        taken_at: Timestamp::from_millis(at_ms),
        skills: skills.iter().cloned().map(Skill::new).collect(),
        agents,
        queue: vec![],
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// Long chains churn the places, so the keys' text table is written afresh on the way.
    #[test]
    fn texts_that_differ_late_long_texts_and_many_skills_sync_exactly(
        chain in prop::collection::vec(edge_agents(), 2..40),
    ) {
        let mut floor = Floor::new(edge_snapshot(&chain[0], T0_MS)).unwrap();
        for (k, agents) in chain.iter().enumerate().skip(1) {
            let next = edge_snapshot(agents, T0_MS + 10_000 * k as i64);
            floor.sync(next.taken_at, &next).unwrap();
            let fresh = Floor::new(next.clone()).unwrap();
            prop_assert_eq!(agents_by_id(&floor), agents_by_id(&fresh));
            prop_assert_eq!(floor.slots_total(), fresh.slots_total());
            for s in 0..8 {
                let id = format!("e{s}");
                prop_assert_eq!(floor.slots(id.as_str()), fresh.slots(id.as_str()));
            }
            for agent in &next.agents {
                if let Some(login) = &agent.login {
                    prop_assert_eq!(floor.agent_by_login(login).map(|a| a.id().clone()), Some(agent.id.clone()));
                }
            }
            prop_assert!(floor.sync(next.taken_at, &next).unwrap().is_empty());
        }
    }
}
