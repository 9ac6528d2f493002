//! Scenario tests for transfer candidates and routing, worked out by hand.

use std::time::Duration;

use AgentState::*;
use Capacity::*;
use chatcap_core::*;

const T0: Timestamp = Timestamp::from_millis(1_331_544_926_464);

fn at(secs: u64) -> Timestamp {
    T0.saturating_add(Duration::from_secs(secs))
}

/// `(id, state, capacity, active, skills, seconds in state)`
type Row<'a> = (&'a str, AgentState, Capacity, u32, &'a [&'a str], u64);

fn floor(skills: &[&str], rows: &[Row<'_>], queue: &[(u64, &str, u64)]) -> Floor {
    Floor::new(Snapshot {
        taken_at: T0,
        skills: skills.iter().map(|s| Skill::new(*s)).collect(),
        agents: rows
            .iter()
            .map(|&(id, state, cap, active, sk, secs)| {
                let mut a = Agent::new(id, state, cap)
                    .with_active_chats(active)
                    .with_skills(sk.iter().map(|s| SkillId::from(*s)));
                a.time_in_state = Some(Duration::from_secs(secs));
                a
            })
            .collect(),
        queue: queue
            .iter()
            .map(|&(v, s, ago)| {
                QueuedVisitor::new(VisitorId(v), s, T0.saturating_sub(Duration::from_secs(ago)))
            })
            .collect(),
    })
    .expect("valid snapshot")
}

/// The agents of LivePerson's availableAgents example (reference 002), as the adapter reads them.
fn seed_floor() -> Floor {
    floor(
        &["25975313", "26060413", "26077613"],
        &[
            ("25025413", Online, Unlimited, 0, &["25975313", "26060413", "26077613"], 908),
            ("26559413", Offline, Limited(4), 0, &["25975313"], 0),
            ("26621513", Offline, Limited(4), 0, &["25975313"], 0),
            ("26663513", Offline, Limited(0), 0, &[], 0),
            ("26699013", Offline, Limited(4), 0, &["26077613"], 0),
        ],
        &[],
    )
}

fn check_transfer(
    f: &Floor,
    request: TransferRequest<'_>,
    candidates: &[&str],
    excluded: &[(&str, Exclusion)],
) {
    let got = f.transfer_candidates(&request).expect("known agents");
    let ids: Vec<&str> = got.candidates.iter().map(|c| c.agent.as_str()).collect();
    assert_eq!(ids, candidates, "candidates");
    let why: Vec<(&str, Exclusion)> = got.excluded.iter().map(|e| (e.agent.as_str(), e.reason)).collect();
    assert_eq!(why, excluded, "excluded");
}

#[test]
fn transfer_to_sales_from_the_seed_admin_finds_nobody_online() {
    let f = seed_floor();
    let from = AgentId::from("25025413");
    let sales = f.skill_index("25975313").unwrap();
    check_transfer(
        &f,
        TransferRequest::new(&from, TransferTarget::Skill(sales)).with_explain(),
        &[],
        &[
            ("25025413", Exclusion::IsCurrentOwner),
            ("26559413", Exclusion::Offline),
            ("26621513", Exclusion::Offline),
            ("26663513", Exclusion::Offline),
            ("26699013", Exclusion::Offline),
        ],
    );
}

#[test]
fn transfer_from_a_sales_agent_to_the_unlimited_admin() {
    let mut f = seed_floor();
    let sales_agent = AgentId::from("26559413");
    f.apply(at(1), Event::StateChanged { agent: &sales_agent, state: Online }).unwrap();
    f.apply(at(2), Event::ChatStarted { agent: &sales_agent, weight: Weight::ONE }).unwrap();
    let admin = AgentId::from("25025413");
    let got =
        f.transfer_candidates(&TransferRequest::new(&sales_agent, TransferTarget::Agent(&admin))).unwrap();
    assert_eq!(
        got.candidates,
        [Candidate { agent: &admin, state: Online, free: Slots::Unlimited, active_chats: 0 }]
    );
    // Back the other way: the sales agent is the holder only of its own chat; the admin holds none.
    let to_sales = f.skill_index("25975313").unwrap();
    check_transfer(
        &f,
        TransferRequest::new(&admin, TransferTarget::Skill(to_sales)).with_explain(),
        &["26559413"],
        &[
            ("25025413", Exclusion::IsCurrentOwner),
            ("26621513", Exclusion::Offline),
            ("26663513", Exclusion::Offline),
            ("26699013", Exclusion::Offline),
        ],
    );
}

/// A floor where every ranking orders the same four candidates differently.
fn ranked_floor() -> Floor {
    floor(
        &["s"],
        &[
            //  id   state     cap         active skills  secs  | ratio free chats
            ("a", Online, Limited(4), 3, &["s"], 10), // 0.75   1     3
            ("b", Occupied, Limited(10), 4, &["s"], 50), // 0.40   6     4
            ("c", Online, Unlimited, 5, &["s"], 20),  // 0      inf   5
            ("d", Online, Limited(2), 1, &["s"], 40), // 0.50   1     1
            ("e", Online, Limited(3), 3, &["s"], 99), // full
            ("f", Away, Limited(3), 0, &["s"], 99),   // away
            ("g", Online, Limited(0), 0, &["s"], 99), // zero capacity
            ("h", Online, Limited(5), 0, &[], 99),    // no skill
            ("z", Online, Limited(5), 1, &["s"], 1),  // holder
        ],
        &[],
    )
}

#[test]
fn every_ranking_orders_the_candidates_as_defined() {
    let f = ranked_floor();
    let from = AgentId::from("z");
    let s = f.skill_index("s").unwrap();
    let req = |r: Ranking| TransferRequest::new(&from, TransferTarget::Skill(s)).with_strategy(r);
    check_transfer(&f, req(Ranking::LeastLoaded), &["c", "b", "d", "a"], &[]);
    // a and d both have 1 free: the tie goes to the id.
    check_transfer(&f, req(Ranking::MostFree), &["c", "b", "a", "d"], &[]);
    check_transfer(&f, req(Ranking::FewestChats), &["d", "a", "b", "c"], &[]);
    check_transfer(&f, req(Ranking::LongestInState), &["b", "d", "c", "a"], &[]);
    check_transfer(&f, req(Ranking::LeastLoaded).with_limit(2), &["c", "b"], &[]);
    check_transfer(
        &f,
        req(Ranking::FewestChats).with_limit(1).with_explain(),
        &["d"],
        &[
            ("e", Exclusion::AtCapacity),
            ("f", Exclusion::Away),
            ("g", Exclusion::ZeroCapacity),
            ("h", Exclusion::MissingSkill),
            ("z", Exclusion::IsCurrentOwner),
        ],
    );
    // Over capacity allowed: e joins, ranked by its load of 3/3.
    check_transfer(&f, req(Ranking::LeastLoaded).allowing_over_capacity(), &["c", "b", "d", "a", "e"], &[]);
}

#[test]
fn transfer_errors_name_the_missing_agent() {
    let f = ranked_floor();
    let (ghost, a) = (AgentId::from("ghost"), AgentId::from("a"));
    let err = f.transfer_candidates(&TransferRequest::new(&ghost, TransferTarget::Agent(&a))).unwrap_err();
    assert_eq!(err.to_string(), "agent ghost is not on the floor");
    let err = f.transfer_candidates(&TransferRequest::new(&a, TransferTarget::Agent(&ghost))).unwrap_err();
    assert_eq!(err, LookupError::UnknownAgent { agent: ghost });
}

#[test]
fn round_robin_serves_every_agent_once_before_any_twice() {
    let queue: Vec<(u64, &str, u64)> = (0..7).map(|v| (v, "s", 100 - v)).collect();
    let f = floor(
        &["s"],
        &[
            ("b", Online, Limited(9), 0, &["s"], 0),
            ("a", Online, Limited(9), 0, &["s"], 0),
            ("c", Online, Limited(9), 0, &["s"], 0),
        ],
        &queue,
    );
    let mut r = Router::new(f, RouteBy::RoundRobin, &[]).unwrap();
    let s = r.floor().skill_index("s").unwrap();
    let mut served = Vec::new();
    for k in 0..7 {
        match r.route(at(k), s).unwrap() {
            Routed::Assigned { visitor, agent, via_fallback: None } => {
                assert_eq!(visitor, VisitorId(k)); // the longest waiting first
                served.push(agent.to_string());
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(served, ["a", "b", "c", "a", "b", "c", "a"]);
    assert_eq!(r.route(at(8), s).unwrap(), Routed::QueueEmpty);
}

#[test]
fn routing_waits_when_nobody_can_take_the_chat_and_resumes_when_someone_can() {
    let f = floor(
        &["s"],
        &[("a", Online, Limited(1), 1, &["s"], 0), ("b", Occupied, Limited(3), 0, &["s"], 0)],
        &[(1, "s", 5)],
    );
    let mut r = Router::new(f, RouteBy::Ranking(Ranking::MostFree), &[]).unwrap();
    let s = r.floor().skill_index("s").unwrap();
    assert_eq!(r.route(at(1), s).unwrap(), Routed::NoAgent { visitor: VisitorId(1) });
    r.apply(at(2), Event::ChatEnded { agent: &"a".into(), weight: Weight::ONE }).unwrap();
    assert_eq!(
        r.route(at(3), s).unwrap(),
        Routed::Assigned { visitor: VisitorId(1), agent: "a".into(), via_fallback: None }
    );
    assert_eq!(r.floor().queue_exits(s).unwrap(), (1, 0));
    assert_eq!(r.floor().slots(s).unwrap(), Slots::ZERO);
}

#[test]
fn skill_relaxation_opens_fallback_agents_after_the_wait() {
    // Billing's only agent is full; a sales agent may help once a visitor has waited 60 s.
    let f = floor(
        &["billing", "sales"],
        &[("bill", Online, Limited(1), 1, &["billing"], 0), ("sal", Online, Limited(2), 0, &["sales"], 0)],
        &[(1, "billing", 30)],
    );
    let relax = [Relaxation {
        skill: "billing".into(),
        after: Duration::from_secs(60),
        fallbacks: vec!["sales".into()],
    }];
    let mut r = Router::new(f, RouteBy::Ranking(Ranking::LeastLoaded), &relax).unwrap();
    let billing = r.floor().skill_index("billing").unwrap();
    // Waited 30 + 29 = 59 s: not yet.
    assert_eq!(r.route(at(29), billing).unwrap(), Routed::NoAgent { visitor: VisitorId(1) });
    // Waited 60 s: the sales agent takes it.
    assert_eq!(
        r.route(at(30), billing).unwrap(),
        Routed::Assigned { visitor: VisitorId(1), agent: "sal".into(), via_fallback: Some("sales".into()) }
    );
    let bad = [Relaxation { skill: "billing".into(), after: Duration::ZERO, fallbacks: vec!["nope".into()] }];
    let err = Router::new(r.into_floor(), RouteBy::RoundRobin, &bad).unwrap_err();
    assert_eq!(err.to_string(), "skill nope is not defined on the floor");
}

#[test]
fn relaxed_routing_ranks_every_open_pool_together() {
    // Both agents idle with the same limit; ties go to the agent id, whichever pool it is in.
    let f = floor(
        &["billing", "sales"],
        &[
            ("b-agent", Online, Limited(2), 0, &["billing"], 0),
            ("a-agent", Online, Limited(2), 0, &["sales"], 0),
        ],
        &[(1, "billing", 100)],
    );
    let relax = [Relaxation {
        skill: "billing".into(),
        after: Duration::from_secs(10),
        fallbacks: vec!["sales".into()],
    }];
    let mut r = Router::new(f, RouteBy::Ranking(Ranking::FewestChats), &relax).unwrap();
    let billing = r.floor().skill_index("billing").unwrap();
    assert_eq!(
        r.route(at(0), billing).unwrap(),
        Routed::Assigned {
            visitor: VisitorId(1),
            agent: "a-agent".into(),
            via_fallback: Some("sales".into())
        }
    );
}
