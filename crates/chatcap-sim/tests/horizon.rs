//! The horizon rule: every visitor offered has an outcome, in the interval it arrived in.

use chatcap_core::{Agent, AgentState, Capacity, Ranking, RouteBy, Skill, Snapshot};
use chatcap_sim::*;

fn scenario(agents: usize, state: AgentState, per_hour: f64, patience: Patience, target_s: f64) -> Scenario {
    Scenario {
        floor: Snapshot {
            skills: vec![Skill::new("s")],
            agents: (0..agents)
                .map(|i| Agent::new(format!("a{i}"), state, Capacity::Limited(2)).with_skills(["s".into()]))
                .collect(),
            ..Snapshot::default()
        },
        traffic: vec![Arrivals { skill: "s".into(), per_hour: vec![per_hour, 2.0 * per_hour, per_hour] }],
        interval_s: 1800.0,
        intervals: 3,
        warmup_s: 0.0,
        handle: HandleTime::Exponential { mean_s: 300.0 },
        aht_by_concurrency: Some(vec![300.0, 420.0]),
        patience,
        route_by: RouteBy::Ranking(Ranking::LeastLoaded),
        relaxations: vec![],
        schedule: vec![],
        target_s,
        by_interval: Default::default(),
    }
}

fn run(sc: &Scenario) -> Report {
    simulate(sc, &RunConfig { replications: 6, seed: 11, threads: Some(1) }).unwrap()
}

/// Offered = answered + abandoned + unserved, per interval and in total, in every regime; the
/// counts are exact per replication, so their means agree to rounding.
#[test]
fn every_visitor_offered_has_an_outcome() {
    for (agents, per_hour, patience) in [
        (4, 60.0, Patience::Unlimited),
        (4, 200.0, Patience::Unlimited),
        (4, 200.0, Patience::Exponential { mean_s: 120.0 }),
        (2, 400.0, Patience::Exponential { mean_s: 600.0 }),
    ] {
        let r = run(&scenario(agents, AgentState::Online, per_hour, patience, 20.0));
        let s = &r.skills[0];
        for m in s.intervals.iter().chain([&s.total]) {
            let outcomes = m.answered.mean + m.abandoned.mean + m.unserved.mean;
            assert!(m.offered.mean > 0.0);
            assert!((m.offered.mean - outcomes).abs() < 1e-9, "{agents} agents, {per_hour}/h: {m:?}");
            assert_eq!(m.unserved.mean, 0.0, "someone is logged in to serve them");
        }
    }
}

/// Overloaded without patience, the last interval's visitors are still waiting at the horizon
/// and wait on after it: they count as waited, not as offered and forgotten.
#[test]
fn visitors_waiting_at_the_horizon_count_as_waited() {
    // 2 agents of 2 chats: at most 4 / 420 s = 34 chats an hour; 400 an hour arrive.
    let r = run(&scenario(2, AgentState::Online, 200.0, Patience::Unlimited, 20.0));
    let last = r.skills[0].intervals.last().unwrap();
    assert!(last.still_waiting.mean > 0.5 * last.offered.mean, "{last:?}");
    assert!(last.p_wait.mean > 0.99, "{last:?}");
    // They were served after the horizon, after long waits.
    assert!(last.asa_s.mean > 1800.0, "{last:?}");
    assert!(r.overloaded && r.skills[0].overloaded);
}

/// Nobody logged in: nobody is served, and the report says so rather than counting them as
/// offered only.
#[test]
fn visitors_nobody_can_serve_are_unserved() {
    let r = run(&scenario(3, AgentState::Offline, 60.0, Patience::Unlimited, 20.0));
    let t = r.skills[0].total;
    assert!(t.offered.mean > 10.0);
    assert_eq!(t.unserved.mean, t.offered.mean);
    assert_eq!(t.still_waiting.mean, t.offered.mean);
    assert_eq!((t.p_wait.mean, t.service_level.mean, t.answered.mean), (1.0, 0.0, 0.0));
    assert!(r.overloaded);
}

/// At a target of 0 s the service level is the share answered with no wait at all.
#[test]
fn target_zero_is_the_share_not_waiting() {
    for patience in [Patience::Unlimited, Patience::Exponential { mean_s: 90.0 }] {
        let r = run(&scenario(3, AgentState::Online, 30.0, patience, 0.0));
        let total = r.skills[0].total;
        assert!(total.p_wait.mean > 0.05 && total.p_wait.mean < 0.95, "{total:?}");
        for m in r.skills[0].intervals.iter().chain([&total]) {
            assert!((m.service_level.mean - (1.0 - m.p_wait.mean)).abs() < 1e-12, "{m:?}");
        }
    }
}

/// A comfortably staffed floor is not overloaded, and little is left waiting at its end.
#[test]
fn a_stable_floor_is_not_overloaded() {
    let r = run(&scenario(8, AgentState::Online, 60.0, Patience::Unlimited, 20.0));
    assert!(!r.overloaded, "{:?}", r.skills[0].backlog_growth);
    assert!(r.skills[0].total.still_waiting.mean < 1.0);
}

/// The limits are checked before a run allocates: a year-long, a too-busy and a too-finely cut
/// scenario are refused with the limit in the message.
#[test]
fn limits_are_checked_up_front() {
    let base = scenario(2, AgentState::Online, 60.0, Patience::Unlimited, 20.0);
    let err = |sc: &Scenario, replications: usize| {
        simulate(sc, &RunConfig { replications, seed: 1, threads: Some(1) }).unwrap_err().to_string()
    };
    let long = Scenario { intervals: 20_000, interval_s: 3600.0, ..base.clone() };
    assert!(err(&long, 1).contains("at most 366 days"), "{}", err(&long, 1));
    let fine = Scenario { intervals: 2_000_000, interval_s: 1.0, ..base.clone() };
    assert!(err(&fine, 1).contains("at most 1000000 per run"));
    let busy =
        Scenario { traffic: vec![Arrivals { skill: "s".into(), per_hour: vec![1e9] }], ..base.clone() };
    assert!(err(&busy, 1).contains("at most 1e8"), "{}", err(&busy, 1));
    assert!(err(&base, limits::MAX_REPLICATIONS + 1).contains("at most 100000 in one run"));
    // 100 intervals of 1 skill: 60,000 replications would keep 6,000,000 tallies.
    let many = Scenario { intervals: 100, ..base.clone() };
    assert!(err(&many, 60_000).contains("at most 5000000"), "{}", err(&many, 60_000));
    // Just inside: expected arrivals are the rates times the intervals' hours.
    assert!((base.expected_arrivals() - (60.0 + 120.0 + 60.0) / 2.0).abs() < 1e-9);
}
