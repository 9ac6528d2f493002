//! Simulated events per second on one thread, and the speed-up from threads.

use std::hint::black_box;

use chatcap_core::{Agent, AgentState, Capacity, Ranking, RouteBy, Skill, SkillId, Snapshot};
use chatcap_sim::{Arrivals, HandleTime, Patience, RunConfig, Scenario, simulate};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

/// A floor of `agents` agents over 4 skills, 3 chats each, loaded to about 85%, for
/// `quarters` quarter-hours (the first a warm-up).
fn scenario(agents: usize, quarters: usize) -> Scenario {
    let skills: Vec<SkillId> = (0..4).map(|i| SkillId::from(format!("skill-{i}"))).collect();
    let floor = Snapshot {
        skills: skills.iter().map(|s| Skill::new(s.clone())).collect(),
        agents: (0..agents)
            .map(|i| {
                Agent::new(format!("agent-{i}"), AgentState::Online, Capacity::Limited(3))
                    .with_skills([skills[i % 4].clone(), skills[(i + 1) % 4].clone()])
            })
            .collect(),
        ..Snapshot::default()
    };
    // 3 slots per agent, 300 s per chat: 36 chats an hour per agent at full load.
    let per_skill = agents as f64 * 36.0 * 0.85 / 4.0;
    Scenario {
        floor,
        traffic: skills.iter().map(|s| Arrivals { skill: s.clone(), per_hour: vec![per_skill] }).collect(),
        interval_s: 900.0,
        intervals: quarters,
        warmup_s: 900.0,
        handle: HandleTime::Exponential { mean_s: 300.0 },
        aht_by_concurrency: None,
        patience: Patience::Exponential { mean_s: 120.0 },
        route_by: RouteBy::Ranking(Ranking::LeastLoaded),
        relaxations: vec![],
        schedule: vec![],
        target_s: 30.0,
        by_interval: Default::default(),
    }
}

fn events_per_second(c: &mut Criterion) {
    let mut g = c.benchmark_group("sim");
    g.sample_size(10);
    // 8 simulated hours up to 1,000 agents; the larger floors run shorter, so that one run
    // stays near a second (10,000 agents: 2 hours, 100,000: 30 minutes, a warm-up included).
    for (agents, quarters) in [(10, 32), (100, 32), (1_000, 32), (10_000, 8), (100_000, 2)] {
        let sc = scenario(agents, quarters);
        let one = RunConfig { replications: 1, seed: 1, threads: Some(1) };
        let events = simulate(&sc, &one).expect("valid").events;
        assert!(events > 1_000);
        g.throughput(Throughput::Elements(events));
        g.bench_with_input(BenchmarkId::new("one_thread_events", agents), &agents, |b, _| {
            b.iter(|| simulate(black_box(&sc), &one).expect("valid"))
        });
    }
    let sc = scenario(100, 32);
    let events =
        simulate(&sc, &RunConfig { replications: 8, seed: 1, threads: Some(1) }).expect("valid").events;
    g.throughput(Throughput::Elements(events));
    for threads in [1, 2] {
        let cfg = RunConfig { replications: 8, seed: 1, threads: Some(threads) };
        g.bench_with_input(BenchmarkId::new("eight_replications_threads", threads), &threads, |b, _| {
            b.iter(|| simulate(black_box(&sc), &cfg).expect("valid"))
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = chatcap_benches::criterion();
    targets = events_per_second
}
criterion_main!(benches);
