//! Memory grows with the floor and the queue, not with the traffic: a day of a floor peaks at
//! what an hour of it does. Its own test binary, so that the counting allocator sees only this
//! test's allocations (one test, run on the test's own thread).

use std::alloc::System;

use chatcap_core::{Agent, AgentState, Capacity, Ranking, RouteBy, Skill, Snapshot};
use chatcap_sim::*;
use peakmem_alloc::{INSTRUMENTED_SYSTEM, PeakMemAlloc, PeakMemAllocTrait};

#[global_allocator]
static ALLOC: &PeakMemAlloc<System> = &INSTRUMENTED_SYSTEM;

/// 200 agents of 3 chats over two skills at 85% load, with patience: `hours` long, counted as
/// one interval, so that the tallies are the same size whatever the length.
fn floor(hours: f64) -> Scenario {
    let agents = 200;
    let aht = 300.0;
    // 85% of what the floor serves, split over the two skills.
    let per_hour = 0.85 * (agents * 3) as f64 * 3600.0 / aht / 2.0;
    Scenario {
        floor: Snapshot {
            skills: vec![Skill::new("s"), Skill::new("t")],
            agents: (0..agents)
                .map(|i| {
                    Agent::new(format!("a{i}"), AgentState::Online, Capacity::Limited(3))
                        .with_skills(["s".into(), "t".into()])
                })
                .collect(),
            ..Snapshot::default()
        },
        traffic: vec![
            Arrivals { skill: "s".into(), per_hour: vec![per_hour] },
            Arrivals { skill: "t".into(), per_hour: vec![per_hour] },
        ],
        interval_s: hours * 3600.0,
        intervals: 1,
        warmup_s: 0.0,
        handle: HandleTime::Exponential { mean_s: aht },
        aht_by_concurrency: None,
        patience: Patience::Exponential { mean_s: 120.0 },
        route_by: RouteBy::Ranking(Ranking::LeastLoaded),
        relaxations: vec![],
        schedule: vec![],
        target_s: 20.0,
        by_interval: Default::default(),
    }
}

/// The peak of the bytes allocated while one replication runs (and is summarized), above what
/// was allocated before it, and the visitors it offered.
fn peak(sc: &Scenario) -> (usize, f64) {
    ALLOC.reset_peak_memory();
    let report = simulate(sc, &RunConfig { replications: 1, seed: 3, threads: Some(1) }).unwrap();
    let peak = ALLOC.get_peak_memory();
    (peak, report.skills.iter().map(|s| s.total.offered.mean).sum())
}

#[test]
fn a_day_peaks_at_what_an_hour_does() {
    let (hour, day) = (floor(1.0), floor(24.0));
    let (hour_peak, hour_offered) = peak(&hour);
    let (day_peak, day_offered) = peak(&day);
    assert!(day_offered > 20.0 * hour_offered, "{day_offered} against {hour_offered}");
    let margin = (hour_peak / 10).max(16 << 10);
    assert!(
        day_peak <= hour_peak + margin,
        "a day of {day_offered} visitors peaked at {day_peak} bytes, an hour of {hour_offered} at {hour_peak}"
    );
}
