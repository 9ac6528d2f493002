//! The simulator against closed forms, and its determinism.

use chatcap_core::{Agent, AgentState, Capacity, Ranking, RouteBy, Skill, Snapshot};
use chatcap_sim::*;

/// `n` agents with one skill and `limit` chats each.
fn floor(n: usize, limit: u32) -> Snapshot {
    Snapshot {
        skills: vec![Skill::new("s")],
        agents: (0..n)
            .map(|i| {
                Agent::new(format!("agent-{i:03}"), AgentState::Online, Capacity::Limited(limit))
                    .with_skills(["s".into()])
            })
            .collect(),
        ..Snapshot::default()
    }
}

fn scenario(n: usize, per_hour: f64, aht_s: f64, patience: Patience, hours: usize) -> Scenario {
    Scenario {
        floor: floor(n, 1),
        traffic: vec![Arrivals { skill: "s".into(), per_hour: vec![per_hour] }],
        interval_s: 3600.0,
        intervals: hours,
        warmup_s: 3600.0,
        handle: HandleTime::Exponential { mean_s: aht_s },
        aht_by_concurrency: None,
        patience,
        route_by: RouteBy::Ranking(Ranking::LeastLoaded),
        relaxations: vec![],
        schedule: vec![],
        target_s: 20.0,
        by_interval: Default::default(),
    }
}

/// Within the 99.9% interval: 3.29 standard errors, the 95% half-width times 3.29 / 1.96.
fn assert_agrees(what: &str, sim: Estimate, exact: f64) {
    let tolerance = sim.ci95 * 3.29 / 1.96;
    assert!(
        (sim.mean - exact).abs() <= tolerance,
        "{what}: simulated {:.5} ± {:.5} (95%), exact {exact:.5}",
        sim.mean,
        sim.ci95
    );
    // A test that could not fail is no test: the interval must be tight enough to tell.
    assert!(sim.ci95 > 0.0 && sim.ci95 < 0.1 * exact.abs(), "{what}: ± {} is too wide to tell", sim.ci95);
}

/// Erlang C by the Erlang B recurrence, written out here independently of the library.
fn erlang_c(n: usize, a: f64) -> f64 {
    let mut b = 1.0;
    for k in 1..=n {
        b = a * b / (k as f64 + a * b);
    }
    let rho = a / n as f64;
    b / (1.0 - rho + rho * b)
}

#[test]
fn m_m_n_agrees_with_erlang_c() {
    // The ErlangC R package's README example: 100 arrivals per 30 minutes, AHT 180 s, 14 agents,
    // t = 20 s: P(wait) 0.1741319, service level 0.88835, ASA 7.8359 s.
    let sc = scenario(14, 200.0, 180.0, Patience::Unlimited, 25);
    let r = simulate(&sc, &RunConfig { replications: 80, seed: 2026, threads: None }).unwrap();
    let m = r.skills[0].total;
    let pw = erlang_c(14, 10.0);
    assert!((pw - 0.1741319).abs() < 1e-6, "the reference itself: {pw}");
    assert_agrees("P(wait)", m.p_wait, 0.1741319);
    assert_agrees("service level", m.service_level, 0.88835);
    assert_agrees("ASA", m.asa_s, 7.8359);
    // Each agent holds one chat: utilization is the occupancy a / n.
    assert_agrees("utilization", r.floor.agent_utilization, 10.0 / 14.0);
    assert_eq!(m.p_abandon.mean, 0.0);
}

#[test]
fn m_m_n_m_with_patience_equal_to_aht_is_poisson_in_system() {
    // With patience = AHT every visitor in the system leaves at rate 1/AHT, so the number in
    // system is Poisson(a): a = 50, n = 45 gives P(wait) = P(N >= 45) = 0.778959767375 and
    // P(abandon) = E[(N - 45)+] / a = 0.119139594028.
    let sc = scenario(45, 3000.0, 60.0, Patience::Exponential { mean_s: 60.0 }, 5);
    let r = simulate(&sc, &RunConfig { replications: 30, seed: 11, threads: None }).unwrap();
    let m = r.skills[0].total;
    assert_agrees("P(wait)", m.p_wait, 0.778959767375);
    assert_agrees("P(abandon)", m.p_abandon, 0.119139594028);
}

#[test]
fn doubling_the_traffic_never_improves_the_service_level() {
    let base = scenario(14, 200.0, 180.0, Patience::Exponential { mean_s: 120.0 }, 4);
    let mut double = base.clone();
    double.traffic[0].per_hour = vec![400.0];
    let cfg = RunConfig { replications: 10, seed: 5, threads: None };
    let (a, b) = (simulate(&base, &cfg).unwrap(), simulate(&double, &cfg).unwrap());
    let (sl1, sl2) = (a.skills[0].total.service_level, b.skills[0].total.service_level);
    assert!(sl2.mean < sl1.mean, "{sl1:?} vs {sl2:?}");
    assert!(b.skills[0].total.asa_s.mean > a.skills[0].total.asa_s.mean);
}

#[test]
fn the_same_seed_gives_the_same_report_on_any_number_of_threads() {
    let mut sc = scenario(6, 150.0, 120.0, Patience::Exponential { mean_s: 90.0 }, 3);
    sc.floor.agents[0].capacity = Capacity::Limited(3);
    sc.aht_by_concurrency = Some(vec![120.0, 150.0, 200.0]);
    let run =
        |threads| simulate(&sc, &RunConfig { replications: 8, seed: 99, threads: Some(threads) }).unwrap();
    // Compared as text: an interval with no visitors has NaN measures, which never equal.
    let one = format!("{:?}", run(1));
    assert_eq!(one, format!("{:?}", run(2)));
    assert_eq!(one, format!("{:?}", run(8)));
    let other = simulate(&sc, &RunConfig { replications: 8, seed: 100, threads: Some(2) }).unwrap();
    assert_ne!(one, format!("{other:?}"));
}

#[test]
fn invalid_scenarios_name_the_field() {
    let mut sc = scenario(2, 10.0, 60.0, Patience::Unlimited, 2);
    sc.traffic[0].per_hour = vec![-1.0];
    let err = simulate(&sc, &RunConfig { replications: 1, seed: 0, threads: Some(1) }).unwrap_err();
    assert_eq!(
        err.to_string(),
        "scenario field traffic[0].per_hour must hold one rate of at least 0 per interval"
    );
    let mut sc = scenario(2, 10.0, 60.0, Patience::Unlimited, 2);
    sc.traffic[0].skill = "nope".into();
    let err = simulate(&sc, &RunConfig { replications: 1, seed: 0, threads: Some(1) }).unwrap_err();
    assert_eq!(err.to_string(), "scenario field traffic[0].skill skill nope is not on the floor");
}

#[test]
fn m_m_n_m_agrees_with_erlang_a() {
    // 12 agents, 120 chats an hour of 300 s (a = 10), patience 180 s: the core's Erlang A, which
    // is checked against a double-double reference in its own tests.
    use std::time::Duration;
    let traffic = chatcap_core::Traffic::per_hour(120.0, Duration::from_secs(300)).unwrap();
    let exact = chatcap_core::ErlangA::new(traffic, 12, Duration::from_secs(180)).unwrap();
    let sc = scenario(12, 120.0, 300.0, Patience::Exponential { mean_s: 180.0 }, 101);
    let r = simulate(&sc, &RunConfig { replications: 20, seed: 77, threads: None }).unwrap();
    let m = r.skills[0].total;
    assert_agrees("P(wait)", m.p_wait, exact.p_wait());
    assert_agrees("P(abandon)", m.p_abandon, exact.p_abandon());
    assert_agrees("ASA of the served", m.asa_s, exact.asa_served_s());
    assert_agrees("mean wait of all", m.mean_wait_all_s, exact.mean_wait_all_s());
    assert_agrees("service level", m.service_level, exact.service_level(Duration::from_secs(20)));
}

#[test]
fn scenarios_the_engine_could_not_run_are_refused_up_front() {
    let cfg = RunConfig { replications: 1, seed: 0, threads: Some(1) };
    let mut sc = scenario(2, 10.0, 60.0, Patience::Unlimited, 2);
    sc.relaxations = vec![chatcap_core::Relaxation {
        skill: "s".into(),
        after: std::time::Duration::from_secs(30),
        fallbacks: vec!["ghost".into()],
    }];
    let err = simulate(&sc, &cfg).unwrap_err();
    assert_eq!(err.to_string(), "scenario field relaxations[0] skill ghost is not on the floor");
    let mut sc = scenario(2, 10.0, 60.0, Patience::Unlimited, 2);
    sc.floor.agents[0].active_chats = 2;
    sc.floor.agents[0].load = chatcap_core::Weight::from_thousandths(1_500);
    let err = simulate(&sc, &cfg).unwrap_err();
    assert_eq!(
        err.to_string(),
        "scenario field floor.agents agent agent-000 holds weighted chats; the simulator handles plain chats only"
    );
}

#[test]
fn handle_times_and_patience_per_interval_agree_with_erlang_a_in_each() {
    // Two intervals of 100 hours on 12 agents: 200 chats an hour of 150 s with a patience of
    // 360 s, then 120 chats an hour of twice that with half that patience. Each interval is,
    // but for its first minutes, its own stationary Erlang A: a = 8.33 then a = 10.
    use std::time::Duration;
    let mut sc = scenario(12, 120.0, 150.0, Patience::Exponential { mean_s: 360.0 }, 2);
    sc.interval_s = 100.0 * 3600.0;
    sc.traffic[0].per_hour = vec![200.0, 120.0];
    sc.by_interval = IntervalFactors { aht: vec![1.0, 2.0], patience: vec![1.0, 0.5] };
    let r = simulate(&sc, &RunConfig { replications: 10, seed: 31, threads: None }).unwrap();
    for (i, (per_hour, aht_s, patience_s)) in [(200.0, 150, 360), (120.0, 300, 180)].into_iter().enumerate() {
        let traffic = chatcap_core::Traffic::per_hour(per_hour, Duration::from_secs(aht_s)).unwrap();
        let exact = chatcap_core::ErlangA::new(traffic, 12, Duration::from_secs(patience_s)).unwrap();
        let m = r.skills[0].intervals[i];
        assert_agrees(&format!("interval {i}: P(wait)"), m.p_wait, exact.p_wait());
        assert_agrees(&format!("interval {i}: P(abandon)"), m.p_abandon, exact.p_abandon());
        assert_agrees(&format!("interval {i}: ASA of the served"), m.asa_s, exact.asa_served_s());
    }
    // A factor out of range names its place.
    sc.by_interval.aht = vec![1.0, 0.0];
    let err = simulate(&sc, &RunConfig { replications: 1, seed: 0, threads: Some(1) }).unwrap_err();
    assert_eq!(
        err.to_string(),
        "scenario field by_interval.aht[1] must be a factor from 0.001 to 1000, got 0"
    );
}
