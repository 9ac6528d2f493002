//! Scenario files: the examples in the repository, and bad files with their line numbers.

use chatcap_core::{AgentState, Capacity, RouteBy};
use chatcap_sim::*;

#[allow(clippy::disallowed_methods)] // the test reads the repository's example files
fn example(name: &str) -> String {
    let path = format!("{}/../../scenarios/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn the_afternoon_example_reads_into_five_scenarios() {
    let study = Study::from_toml(&example("afternoon.toml")).unwrap();
    let names: Vec<&str> = study.scenarios.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["base", "two more agents", "limit 4 chats", "round robin", "traffic +25%"]);
    let base = &study.scenarios[0].1;
    // 5 sales + 3 billing + 6 support + 4 late agents.
    assert_eq!(base.floor.agents.len(), 18);
    // The late shift starts Offline and comes online at minute 120; sales breaks 90-105.
    let late = base.floor.agents.iter().find(|a| a.id.as_str() == "late-0").unwrap();
    assert_eq!(late.chat_state, AgentState::Offline);
    let late_changes: Vec<(f64, AgentState)> =
        base.schedule.iter().filter(|c| c.agent.as_str() == "late-0").map(|c| (c.at_s, c.state)).collect();
    assert_eq!(late_changes, [(7_200.0, AgentState::Online), (14_400.0, AgentState::Offline)]);
    assert_eq!(base.schedule.iter().filter(|c| c.state == AgentState::Away).count(), 5);
    assert_eq!((base.interval_s, base.intervals, base.warmup_s), (900.0, 16, 900.0));
    let more = &study.scenarios[1].1;
    assert_eq!(more.floor.agents.len(), 20);
    assert!(study.scenarios[2].1.floor.agents.iter().all(|a| a.capacity == Capacity::Limited(4)));
    assert_eq!(study.scenarios[3].1.route_by, RouteBy::RoundRobin);
    let scaled = &study.scenarios[4].1;
    assert_eq!(scaled.traffic[0].per_hour[0], 75.0); // 60 x 1.25
}

#[test]
fn the_examples_simulate() {
    for name in ["afternoon.toml", "single-skill.toml"] {
        let study = Study::from_toml(&example(name)).unwrap();
        for (variation, sc) in &study.scenarios {
            let r = simulate(sc, &RunConfig { replications: 2, seed: 1, threads: Some(1) }).unwrap();
            assert!(r.events > 0, "{name} {variation}");
            for s in &r.skills {
                let sl = s.total.service_level.mean;
                assert!((0.0..=1.0).contains(&sl), "{name} {variation} {}: {sl}", s.skill);
            }
        }
    }
}

fn check_error(text: &str, expected: &str) {
    assert_eq!(Study::from_toml(text).unwrap_err().to_string(), expected);
}

const MINIMAL: &str = r#"
[run]
interval_minutes = 15
intervals = 2
target_seconds = 30

[handle_time]
distribution = "exponential"
mean_seconds = 300

[[skills]]
id = "s"

[[agents]]
count = 2
id_prefix = "a"
skills = ["s"]
max_chats = 2

[[traffic]]
skill = "s"
per_hour = [10]
"#;

#[test]
fn a_minimal_file_reads() {
    let study = Study::from_toml(MINIMAL).unwrap();
    assert_eq!(study.scenarios.len(), 1);
    assert_eq!(study.scenarios[0].1.patience, Patience::Unlimited);
}

#[test]
fn bad_files_say_where() {
    check_error(
        &MINIMAL.replace("per_hour = [10]", "per_hour = [10"),
        "line 22, column 15: unclosed array, expected `]`",
    );
    check_error(
        &MINIMAL.replace("skill = \"s\"\nper", "skill = \"t\"\nper"),
        "line 21, column 9: skill \"t\" is not among the [[skills]]",
    );
    check_error(
        &MINIMAL.replace("max_chats = 2", "max_chats = \"lots\""),
        "line 18, column 13: max_chats \"lots\": expected a whole number from 0 or \"unlimited\"",
    );
    check_error(
        &MINIMAL.replace("intervals = 2", "intervals = 2\nrouting = \"fastest\""),
        "line 5, column 11: unknown routing \"fastest\"; expected least-loaded, most-free, fewest-chats, longest-in-state or round-robin",
    );
    check_error(
        &MINIMAL.replace("target_seconds", "target_secs"),
        "line 5, column 1: unknown field `target_secs`, expected one of `interval_minutes`, `intervals`, `warmup_minutes`, `target_seconds`, `routing`, `starts_at`, `service_level_goal`",
    );
    check_error(
        &MINIMAL.replace("target_seconds = 30", "target_seconds = 30\nstarts_at = \"9am\""),
        "line 6, column 13: starts_at \"9am\": expected a time of day as HH:MM",
    );
    check_error(
        &MINIMAL.replace("target_seconds = 30", "target_seconds = 30\nservice_level_goal = 80"),
        "line 6, column 22: service_level_goal 80: expected a share above 0 and at most 1",
    );
    check_error(
        &MINIMAL.replace("per_hour = [10]", "per_hour = [-10]"),
        "scenario \"base\": scenario field traffic[0].per_hour must hold one rate of at least 0 per interval",
    );
}

#[test]
fn a_study_can_start_from_a_live_floor_with_its_queue() {
    use chatcap_core::{Agent, QueuedVisitor, Skill, Snapshot, Timestamp, VisitorId};
    let t0 = Timestamp::from_millis(1_700_000_000_000);
    // Two live agents, full, and five visitors already waiting for skill s.
    let live = Snapshot {
        taken_at: t0,
        skills: vec![Skill::new("s"), Skill::new("live-only")],
        agents: vec![
            Agent::new("live-1", AgentState::Online, Capacity::Limited(1))
                .with_active_chats(1)
                .with_skills(["s".into()]),
            Agent::new("live-2", AgentState::Online, Capacity::Limited(1))
                .with_active_chats(1)
                .with_skills(["s".into()]),
        ],
        queue: (0..5).map(|v| QueuedVisitor::new(VisitorId(v), "s", t0)).collect(),
    };
    let study = Study::from_toml(&MINIMAL.replace("per_hour = [10]", "per_hour = [0]"))
        .unwrap()
        .starting_from(&live)
        .unwrap();
    let sc = &study.scenarios[0].1;
    assert_eq!(sc.floor.agents.len(), 4); // 2 live + 2 from the file
    assert_eq!(sc.floor.skills.len(), 2);
    assert_eq!(sc.floor.queue.len(), 5);
    let r = simulate(sc, &RunConfig { replications: 3, seed: 1, threads: Some(1) }).unwrap();
    // The only events are chat ends: the 2 live chats and the 5 waiting visitors' chats, in each
    // of the 3 replications (the visitors are served as slots free up, within those events).
    assert_eq!(r.events, 3 * 7);
    assert_eq!(r.skills[0].total.offered.mean, 0.0);
    // An agent both in the file and on the floor is refused.
    let clash =
        Snapshot { agents: vec![Agent::new("a0", AgentState::Online, Capacity::Limited(1))], ..live.clone() };
    let err = Study::from_toml(MINIMAL).unwrap().starting_from(&clash).unwrap_err();
    assert_eq!(
        err.to_string(),
        "scenario field scenario \"base\" agents agent a0 is both in the file and on the live floor"
    );
}

/// Breaks lie inside their shift and do not overlap; the error points at the breaks.
#[test]
fn breaks_must_lie_inside_the_shift_and_apart() {
    let with = |lines: &str| MINIMAL.replace("max_chats = 2", &format!("max_chats = 2\n{lines}"));
    check_error(
        &with("shift_minutes = [0, 60]\nbreaks_minutes = [[50, 70]]"),
        "line 20, column 18: break [50, 70] is not inside the shift [0, 60]",
    );
    check_error(
        &with("shift_minutes = [30, 60]\nbreaks_minutes = [[20, 40]]"),
        "line 20, column 18: break [20, 40] is not inside the shift [30, 60]",
    );
    check_error(
        &with("breaks_minutes = [[40, 50], [10, 45]]"),
        "line 19, column 18: breaks [10, 45] and [40, 50] overlap",
    );
    check_error(
        &with("breaks_minutes = [[20, 10]]"),
        "line 19, column 18: break [20, 10]: expected a start of at least 0 before the end",
    );
    check_error(
        &with("shift_minutes = [60, 30]"),
        "line 19, column 17: shift_minutes [60, 30]: expected a start of at least 0 before the end",
    );
    // Breaks given out of order are fine, and apply in time order.
    let study =
        Study::from_toml(&with("shift_minutes = [0, 30]\nbreaks_minutes = [[20, 25], [5, 10]]")).unwrap();
    let a0: Vec<(f64, AgentState)> = study.scenarios[0]
        .1
        .schedule
        .iter()
        .filter(|c| c.agent.as_str() == "a0")
        .map(|c| (c.at_s, c.state))
        .collect();
    assert_eq!(
        a0,
        [
            (1_800.0, AgentState::Offline),
            (300.0, AgentState::Away),
            (600.0, AgentState::Online),
            (1_200.0, AgentState::Away),
            (1_500.0, AgentState::Online)
        ]
    );
}
