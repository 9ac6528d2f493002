//! The simulator against the exact stationary solution of the chat-concurrency model, solved here
//! from its generator by Gaussian elimination.

use chatcap_core::*;
use chatcap_sim::*;

const N: usize = 3; // agents
const M: usize = 2; // chats each
const QMAX: usize = 80; // queue truncation: the tail beyond it is far below 1e-12 here

/// States: `counts[k]` agents hold `k` chats, and `q` visitors wait (only when all are full).
#[derive(Clone, Debug, PartialEq)]
struct State {
    counts: [usize; M + 1],
    q: usize,
}

fn states() -> Vec<State> {
    let mut out = Vec::new();
    for n0 in 0..=N {
        for n1 in 0..=N - n0 {
            let n2 = N - n0 - n1;
            out.push(State { counts: [n0, n1, n2], q: 0 });
        }
    }
    for q in 1..=QMAX {
        out.push(State { counts: [0, 0, N], q });
    }
    out
}

struct Exact {
    p_wait: f64,
    p_abandon: f64,
    mean_chats: f64,
}

fn solve(lambda: f64, aht: [f64; M], theta: f64) -> Exact {
    let st = states();
    let idx = |s: &State| st.iter().position(|x| x == s).expect("state in space");
    let n = st.len();
    // Generator transposed: a[j][i] = rate i -> j, diagonal minus the outflow.
    let mut a = vec![vec![0.0f64; n]; n];
    let add = |from: usize, to: usize, rate: f64, a: &mut Vec<Vec<f64>>| {
        a[to][from] += rate;
        a[from][from] -= rate;
    };
    for (i, s) in st.iter().enumerate() {
        // Arrival: to a least-loaded agent below the cap, else the queue.
        if let Some(k) = (0..M).find(|&k| s.counts[k] > 0) {
            let mut t = s.clone();
            t.counts[k] -= 1;
            t.counts[k + 1] += 1;
            add(i, idx(&t), lambda, &mut a);
        } else if s.q < QMAX {
            add(i, idx(&State { counts: s.counts, q: s.q + 1 }), lambda, &mut a);
        }
        // Completions: an agent with k chats ends one at rate k / AHT_k.
        for k in 1..=M {
            if s.counts[k] == 0 {
                continue;
            }
            let rate = s.counts[k] as f64 * k as f64 / aht[k - 1];
            if s.q > 0 {
                // The freed slot takes the head of the queue at once.
                add(i, idx(&State { counts: s.counts, q: s.q - 1 }), rate, &mut a);
            } else {
                let mut t = s.clone();
                t.counts[k] -= 1;
                t.counts[k - 1] += 1;
                add(i, idx(&t), rate, &mut a);
            }
        }
        if s.q > 0 {
            add(i, idx(&State { counts: s.counts, q: s.q - 1 }), s.q as f64 * theta, &mut a);
        }
    }
    // Replace the last balance equation by the normalization and solve.
    let mut b = vec![0.0; n];
    a[n - 1] = vec![1.0; n];
    b[n - 1] = 1.0;
    for c in 0..n {
        let p = (c..n).max_by(|&x, &y| a[x][c].abs().total_cmp(&a[y][c].abs())).unwrap();
        a.swap(c, p);
        b.swap(c, p);
        for r in 0..n {
            if r != c {
                let f = a[r][c] / a[c][c];
                if f != 0.0 {
                    let pivot = a[c].clone();
                    for (x, p) in a[r][c..].iter_mut().zip(&pivot[c..]) {
                        *x -= f * p;
                    }
                    b[r] -= f * b[c];
                }
            }
        }
    }
    let pi: Vec<f64> = (0..n).map(|i| b[i] / a[i][i]).collect();
    let full = |s: &State| s.counts[M] == N;
    Exact {
        p_wait: st.iter().zip(&pi).filter(|(s, _)| full(s)).map(|(_, p)| p).sum(),
        p_abandon: st.iter().zip(&pi).map(|(s, p)| p * s.q as f64 * theta).sum::<f64>() / lambda,
        mean_chats: st
            .iter()
            .zip(&pi)
            .map(|(s, p)| p * (0..=M).map(|k| k * s.counts[k]).sum::<usize>() as f64)
            .sum(),
    }
}

/// `agents` agents of `aht.len()` chats on one skill, least-loaded routing, exponential handle
/// times per concurrency level and patience, one rate over `intervals` hours after an hour's
/// warm-up.
fn one_skill_floor(agents: usize, aht: &[f64], per_hour: f64, patience: f64, intervals: usize) -> Scenario {
    Scenario {
        floor: Snapshot {
            skills: vec![Skill::new("s")],
            agents: (0..agents)
                .map(|i| {
                    Agent::new(i as u64, AgentState::Online, Capacity::Limited(aht.len() as u32))
                        .with_skills(["s".into()])
                })
                .collect(),
            ..Snapshot::default()
        },
        traffic: vec![Arrivals { skill: "s".into(), per_hour: vec![per_hour] }],
        interval_s: 3600.0,
        intervals,
        warmup_s: 3600.0,
        handle: HandleTime::Exponential { mean_s: aht[0] },
        aht_by_concurrency: Some(aht.to_vec()),
        patience: Patience::Exponential { mean_s: patience },
        route_by: RouteBy::Ranking(Ranking::LeastLoaded),
        relaxations: vec![],
        schedule: vec![],
        target_s: 30.0,
        by_interval: Default::default(),
    }
}

#[test]
fn chat_concurrency_agrees_with_the_exact_solution() {
    let (per_hour, aht, patience) = (45.0, [300.0, 400.0], 120.0);
    let exact = solve(per_hour / 3600.0, aht, 1.0 / patience);
    let sc = one_skill_floor(N, &aht, per_hour, patience, 201);
    let r = simulate(&sc, &RunConfig { replications: 20, seed: 404, threads: None }).unwrap();
    let m = r.skills[0].total;
    let check = |what: &str, sim: Estimate, exact: f64| {
        // The 99.9% interval, and an interval narrow enough to tell.
        assert!((sim.mean - exact).abs() <= sim.ci95 * 3.29 / 1.96, "{what}: {sim:?} vs exact {exact}");
        assert!(sim.ci95 < 0.1 * exact, "{what}: ± {} is too wide to tell", sim.ci95);
    };
    check("P(wait)", m.p_wait, exact.p_wait);
    check("P(abandon)", m.p_abandon, exact.p_abandon);
    check("chats in service", r.floor.mean_chats_in_service, exact.mean_chats);
}

#[test]
fn the_cores_chat_model_agrees_with_the_solution_solved_here() {
    // The simulator's reference above and the core's exact chat model are two independent
    // solutions of the same chain (the core attaches the queue analytically, this one truncates
    // it far out): they must agree to rounding.
    use std::time::Duration;
    let (per_hour, aht, patience) = (45.0, [300.0, 400.0], 120.0);
    let here = solve(per_hour / 3600.0, aht, 1.0 / patience);
    let levels = aht.map(Duration::from_secs_f64);
    let core = ChatModel::new(N as u32, &levels, per_hour / 3600.0, Some(Duration::from_secs_f64(patience)))
        .unwrap()
        .solve();
    for (what, a, b) in [
        ("P(wait)", core.p_wait(), here.p_wait),
        ("P(abandon)", core.p_abandon(), here.p_abandon),
        ("chats in service", core.mean_chats_in_service(), here.mean_chats),
    ] {
        assert!((a - b).abs() <= 1e-9 * b, "{what}: core {a} vs here {b}");
    }
}

/// The window chain of `agents` agents of 3 chats on one skill against a long simulation of the
/// same floor (`warmup_h` hours of warm-up, `hours` counted, `replications` runs), printed and
/// checked: the simulated P(wait) within its 99.9 % interval, widened by the grid's envelope for
/// the window chain (0.12 / N), of the window chain's. Returns the simulated estimate, that
/// interval's half width and the balanced approximation's P(wait).
#[allow(clippy::disallowed_macros)] // prints what it measured
fn window_against_a_long_simulation(
    agents: usize,
    aht: [f64; 3],
    per_hour: f64,
    (hours, warmup_h, replications, seed): (usize, f64, usize, u64),
) -> (Estimate, f64, f64) {
    use std::time::Duration;
    let patience = 120.0;
    let levels = aht.map(Duration::from_secs_f64);
    let model =
        ChatModel::new(agents as u32, &levels, per_hour / 3600.0, Some(Duration::from_secs_f64(patience)))
            .unwrap();
    let window = model.solve_window().unwrap();
    let balanced = model.solve_balanced().p_wait();
    let bound = window.p_wait_error_bound().unwrap();
    let mut sc = one_skill_floor(agents, &aht, per_hour, patience, hours);
    sc.warmup_s = warmup_h * 3600.0;
    let r = simulate(&sc, &RunConfig { replications, seed, threads: None }).unwrap();
    let sim = r.skills[0].total.p_wait;
    let z = sim.ci95 * 3.29 / 1.96; // the 99.9 % interval
    println!(
        "{agents} agents: P(wait) simulated {:.5} ± {:.5}, window {:.5} (bound {bound:.1e}), balanced {balanced:.5}",
        sim.mean,
        sim.ci95,
        window.p_wait()
    );
    let envelope = 0.12 / agents as f64;
    assert!((sim.mean - window.p_wait()).abs() <= z + envelope, "window {} vs {sim:?}", window.p_wait());
    assert!(envelope <= bound, "{bound}");
    (sim, z, balanced)
}

/// Past the exact solver's reach (150 agents of 3 chats: 585,276 exact states), a long simulation
/// against the window chain. The handle times 300, 600 and 900 s give every busy agent the same
/// throughput, the grid's hardest case, at the critical load. The check is the 99.9 % interval
/// widened by the grid's envelope for the window chain (0.12 / N), tighter than the bound the
/// result states (which adds twice its step from the balanced approximation). At this length the
/// interval (about ± 3e-3) is too wide to tell the balanced approximation (5e-3 lower) apart.
#[test]
fn chat_model_past_the_exact_reach_agrees_with_a_long_simulation() {
    let per_hour = 150.0 * 3.0 / 900.0 * 3600.0;
    let (sim, _, _) =
        window_against_a_long_simulation(150, [300.0, 600.0, 900.0], per_hour, (121, 1.0, 100, 7_150));
    assert!(sim.ci95 < 0.15 * sim.mean, "{sim:?}");
}

/// Far past the exact solver's reach, 1,000 agents of 3 chats (300/400/600 s: throughput rising
/// with concurrency up to 2 chats, then flat) at the critical load: the truncated window chain
/// against a long simulation. From 2 N to 3 N chats the balanced throughput equals the arrivals,
/// so the chats in progress wander there without drift and take about `N^2 / (2 lambda)`, a day,
/// to forget an empty start: the warm-up is two and a half days (with one hour the simulated
/// P(wait) came out 0.0297, 3.4e-3 below the chain). Simulated 0.0319 ± 0.0026 against the
/// window chain's 0.0332 (bound 1.4e-3), the scaled approximation's 0.0333 carried over from 500
/// agents (bound 1.8e-3) and the balanced 0.0282: the balanced answer is just
/// inside the 99.9 % interval, and telling the two apart would take about four times the run.
/// Ignored: about 8 minutes in release
/// (`cargo test --release -p chatcap-sim --test chat_model -- --ignored --nocapture`).
#[test]
#[ignore]
fn chat_model_at_a_thousand_agents_agrees_with_a_long_simulation() {
    let per_hour = 1_000.0 * 3.0 / 600.0 * 3600.0;
    let (sim, z, balanced) =
        window_against_a_long_simulation(1_000, [300.0, 400.0, 600.0], per_hour, (120, 60.0, 300, 71_000));
    // Narrow enough to hold the window chain to far less than the bound it states.
    assert!(z < 5e-3, "{sim:?}");
    assert!(balanced < sim.mean, "balanced {balanced} vs {sim:?}");
}
