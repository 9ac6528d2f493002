//! Reports pinned to the bit: a fingerprint of every figure of a report (the bits of each mean
//! and interval, the counts, the flags) for scenarios that reach every path of the engine, so
//! that a change meant to keep results the same (how the engine stores its visitors, for
//! example) is seen to keep them, exactly. A change meant to move results updates the pins.

use chatcap_core::{
    Agent, AgentState, Capacity, QueuedVisitor, Ranking, RouteBy, Skill, Snapshot, Timestamp, VisitorId,
};
use chatcap_sim::*;

/// FNV-1a over 64-bit words.
struct Fingerprint(u64);

impl Fingerprint {
    fn word(&mut self, w: u64) {
        for b in w.to_le_bytes() {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn estimate(&mut self, e: &Estimate) {
        self.word(e.mean.to_bits());
        self.word(e.ci95.to_bits());
        self.word(e.dropped as u64);
    }

    fn metrics(&mut self, m: &Metrics) {
        for e in [
            &m.offered,
            &m.answered,
            &m.abandoned,
            &m.still_waiting,
            &m.unserved,
            &m.service_level,
            &m.asa_s,
            &m.p_wait,
            &m.p_abandon,
            &m.mean_wait_all_s,
            &m.mean_queue,
            &m.max_queue,
        ] {
            self.estimate(e);
        }
    }

    fn floor(&mut self, f: &FloorMetrics) {
        self.estimate(&f.agent_utilization);
        self.estimate(&f.mean_concurrency);
        self.estimate(&f.mean_chats_in_service);
    }

    fn of(r: &Report) -> u64 {
        let mut h = Fingerprint(0xcbf2_9ce4_8422_2325);
        for s in &r.skills {
            h.metrics(&s.total);
            for m in &s.intervals {
                h.metrics(m);
            }
            h.estimate(&s.backlog_growth);
            h.word(u64::from(s.overloaded));
        }
        h.floor(&r.floor);
        for f in &r.floor_intervals {
            h.floor(f);
        }
        h.word(r.events);
        h.word(r.replications as u64);
        h.word(u64::from(r.overloaded));
        h.0
    }
}

fn run(sc: &Scenario, seed: u64) -> Report {
    simulate(sc, &RunConfig { replications: 3, seed, threads: Some(1) }).unwrap()
}

/// One skill, agents of two chats, per-level exponential handle times (chats redrawn on every
/// change of load), traffic doubling in the middle interval.
fn one_skill(agents: usize, per_hour: f64, patience: Patience) -> Scenario {
    Scenario {
        floor: Snapshot {
            skills: vec![Skill::new("s")],
            agents: (0..agents)
                .map(|i| {
                    Agent::new(format!("a{i}"), AgentState::Online, Capacity::Limited(2))
                        .with_skills(["s".into()])
                })
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
        target_s: 20.0,
        by_interval: Default::default(),
    }
}

/// A floor that starts with chats held and visitors queued, a skill with nobody logged in,
/// empirical handle times, a warm-up and round robin.
fn started_floor() -> Scenario {
    let t0 = Timestamp::from_millis(1_700_000_000_000);
    let mut agents: Vec<Agent> = (0..6)
        .map(|i| {
            Agent::new(format!("b{i}"), AgentState::Online, Capacity::Limited(3))
                .with_active_chats(i % 3)
                .with_skills(["x".into(), "y".into()])
        })
        .collect();
    agents.push(Agent::new("off", AgentState::Offline, Capacity::Limited(2)).with_skills(["z".into()]));
    let queue = (0..5)
        .map(|i| QueuedVisitor::new(VisitorId(10 + i), if i % 2 == 0 { "x" } else { "z" }, t0))
        .collect();
    Scenario {
        floor: Snapshot {
            taken_at: t0,
            skills: vec![Skill::new("x"), Skill::new("y"), Skill::new("z")],
            agents,
            queue,
        },
        traffic: vec![
            Arrivals { skill: "x".into(), per_hour: vec![90.0, 150.0] },
            Arrivals { skill: "y".into(), per_hour: vec![40.0] },
            Arrivals { skill: "z".into(), per_hour: vec![5.0, 0.0] },
        ],
        interval_s: 900.0,
        intervals: 4,
        warmup_s: 300.0,
        handle: HandleTime::Empirical { samples_s: vec![60.0, 120.0, 240.0, 600.0, 900.0] },
        aht_by_concurrency: Some(vec![200.0, 260.0, 330.0]),
        patience: Patience::Exponential { mean_s: 400.0 },
        route_by: RouteBy::RoundRobin,
        relaxations: vec![],
        schedule: vec![],
        target_s: 30.0,
        by_interval: Default::default(),
    }
}

fn pins() -> Vec<(String, Scenario, u64)> {
    let mut out = vec![
        ("light, no patience".to_owned(), one_skill(4, 60.0, Patience::Unlimited), 1),
        ("overloaded, no patience".to_owned(), one_skill(2, 200.0, Patience::Unlimited), 2),
        ("overloaded, patience".to_owned(), one_skill(4, 200.0, Patience::Exponential { mean_s: 120.0 }), 3),
        ("started floor".to_owned(), started_floor(), 4),
        (
            "started floor, no patience".to_owned(),
            Scenario { patience: Patience::Unlimited, ..started_floor() },
            6,
        ),
    ];
    for (file, text) in [
        ("afternoon", include_str!("../../../scenarios/afternoon.toml")),
        ("single-skill", include_str!("../../../scenarios/single-skill.toml")),
    ] {
        let study = Study::from_toml(text).unwrap();
        for (name, sc) in study.scenarios {
            out.push((format!("{file}: {name}"), sc, 5));
        }
    }
    out
}

#[test]
fn reports_keep_their_fingerprints() {
    let want: &[(&str, u64)] = &[
        ("light, no patience", 0x68dfcc348a2f1ce8),
        ("overloaded, no patience", 0xe9790072d506c83b),
        ("overloaded, patience", 0x84e01341c19a82a0),
        ("started floor", 0x82326af234b14000),
        ("started floor, no patience", 0x2ba44a96d0dd10f2),
        ("afternoon: base", 0xc55651f3a9bfe965),
        ("afternoon: two more agents", 0x4a0606b96235a13a),
        ("afternoon: limit 4 chats", 0x9d4e8e6bdd06eaff),
        ("afternoon: round robin", 0x5049ae699f784b95),
        ("afternoon: traffic +25%", 0x8f3841c846e78927),
        ("single-skill: base", 0xd7be0071c2e24b25),
        ("single-skill: thirteen agents", 0xa695102e261eabb4),
    ];
    let got: Vec<(String, u64)> =
        pins().into_iter().map(|(name, sc, seed)| (name, Fingerprint::of(&run(&sc, seed)))).collect();
    let listed: String = got.iter().map(|(name, fp)| format!("    (\"{name}\", {fp:#018x}),\n")).collect();
    let want: Vec<(String, u64)> = want.iter().map(|&(n, fp)| (n.to_owned(), fp)).collect();
    assert_eq!(got, want, "the reports now:\n{listed}");
}
