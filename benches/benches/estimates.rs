//! Wait-time estimates and staffing: Erlang C, Erlang A, the chat concurrency model, staffing
//! and the queue-position predictors, across sizes.

use std::hint::black_box;
use std::time::Duration;

use chatcap_benches::criterion;
use chatcap_core::{
    ChatModel, ChatModelMethod, ErlangA, ErlangC, Slots, StaffingTarget, Summary, Traffic, WaitAverage,
    WaitEstimate, staff_chat, staff_erlang_a, staff_erlang_c,
};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

/// Offered loads (erlangs) the models run across, with agents 3% above the load.
const LOADS: [f64; 5] = [10.0, 100.0, 1_000.0, 5_000.0, 50_000.0];

fn traffic(erlangs: f64) -> Traffic {
    Traffic::new(erlangs / 300.0, Duration::from_secs(300)).expect("valid traffic")
}

fn erlang_c(c: &mut Criterion) {
    let mut g = c.benchmark_group("erlang_c");
    let target = Duration::from_secs(20);
    // The figure: 10,000 evaluations (P(wait) and service level) at a = 1,000, n = 1,030.
    let t = traffic(1_000.0);
    let check = ErlangC::new(t, 1_030).expect("stable");
    assert!((check.p_wait() - 0.248_908_785_843_602).abs() < 1e-12, "p_wait {}", check.p_wait());
    g.throughput(Throughput::Elements(10_000));
    g.bench_function("10k_evaluations/a1000_n1030", |b| {
        b.iter(|| {
            let mut acc = 0.0;
            for _ in 0..10_000 {
                let c = ErlangC::new(black_box(t), black_box(1_030)).expect("stable");
                acc += c.p_wait() + c.service_level(black_box(target));
            }
            acc
        })
    });
    g.throughput(Throughput::Elements(1));
    for &a in &LOADS {
        let t = traffic(a);
        let n = (a * 1.03).ceil() as u32 + 1;
        g.bench_with_input(BenchmarkId::new("p_wait_and_sl", a as u64), &a, |b, _| {
            b.iter(|| {
                let c = ErlangC::new(black_box(t), black_box(n)).expect("stable");
                (c.p_wait(), c.service_level(black_box(target)))
            })
        });
    }
    g.finish();
}

/// P(wait) and the service level within 20 s from the published Erlang crates, converted from
/// Erlang B where that is what a crate gives, exactly as chatcap converts.
fn peer_erlang_c(b: f64, a: f64, n: f64, target_over_aht: f64) -> (f64, f64) {
    let p_wait = n * b / ((n - a) + a * b);
    (p_wait, 1.0 - p_wait * (-(n - a) * target_over_aht).exp())
}

/// chatcap beside the fastest published Rust crates, in one group: 10,000 evaluations of P(wait)
/// and the service level from raw inputs (traffic checked and built each time for chatcap), at
/// a = 10, 100, 1,000 and 10,000. A peer that gives no number there says so on stderr.
fn peers(c: &mut Criterion) {
    let mut g = c.benchmark_group("erlang_c_peers");
    g.throughput(Throughput::Elements(10_000));
    const AHT_S: f64 = 180.0;
    const TARGET_S: f64 = 20.0;
    let target = Duration::from_secs(20);
    for (a, n) in [(10.0f64, 14u32), (100.0, 110), (1_000.0, 1_030), (10_000.0, 10_300)] {
        let chatcap = |a: f64, n: u32| {
            let t = Traffic::new(a / AHT_S, Duration::from_secs(180)).expect("valid traffic");
            let m = ErlangC::new(t, n).expect("stable");
            (m.p_wait(), m.service_level(target))
        };
        let e1 = |a: f64, n: u32| peer_erlang_c(erlang_e1::erlang_b(a, n), a, f64::from(n), TARGET_S / AHT_S);
        let poolsim = |a: f64, n: u32| {
            let p_wait = poolsim_core::erlang::erlang_c(a / AHT_S, 1.0 / AHT_S, n).unwrap_or(f64::NAN);
            (p_wait, 1.0 - p_wait * (-(f64::from(n) - a) * TARGET_S / AHT_S).exp())
        };
        let ours = chatcap(a, n);
        for (name, (p_wait, _)) in [("erlang_e1", e1(a, n)), ("poolsim-core", poolsim(a, n))] {
            let off = ((p_wait - ours.0) / ours.0).abs();
            if off.is_nan() || off >= 1e-9 {
                eprintln!("erlang_c_peers a={a} n={n}: {name} gives P(wait) {p_wait} against {}", ours.0);
            }
        }
        let id = format!("a{a}_n{n}");
        let run = |f: &dyn Fn(f64, u32) -> (f64, f64)| {
            let mut acc = 0.0;
            for _ in 0..10_000 {
                let (p, sl) = f(black_box(a), black_box(n));
                acc += p + sl;
            }
            acc
        };
        g.bench_function(BenchmarkId::new("chatcap", &id), |b| b.iter(|| run(&chatcap)));
        g.bench_function(BenchmarkId::new("erlang_e1", &id), |b| b.iter(|| run(&e1)));
        g.bench_function(BenchmarkId::new("poolsim_core", &id), |b| b.iter(|| run(&poolsim)));
    }
    g.finish();
}

fn erlang_a(c: &mut Criterion) {
    let mut g = c.benchmark_group("erlang_a");
    g.throughput(Throughput::Elements(1));
    let target = Duration::from_secs(20);
    let patience = Duration::from_secs(600);
    for &a in &LOADS {
        let t = traffic(a);
        let n = (a * 0.98).ceil() as u32;
        let m = ErlangA::new(t, n, patience).expect("valid");
        assert!(m.p_wait() > 0.0 && m.p_wait() <= 1.0);
        g.bench_with_input(BenchmarkId::new("metrics", a as u64), &a, |b, _| {
            b.iter(|| {
                let m = ErlangA::new(black_box(t), black_box(n), black_box(patience)).expect("valid");
                (m.p_wait(), m.p_abandon(), m.asa_served_s())
            })
        });
        g.bench_with_input(BenchmarkId::new("metrics_and_sl", a as u64), &a, |b, _| {
            b.iter(|| {
                let m = ErlangA::new(black_box(t), black_box(n), black_box(patience)).expect("valid");
                (m.p_wait(), m.p_abandon(), m.service_level(black_box(target)))
            })
        });
    }
    g.finish();
}

fn staffing(c: &mut Criterion) {
    let mut g = c.benchmark_group("staffing");
    g.throughput(Throughput::Elements(1));
    let target = StaffingTarget::new(0.8, Duration::from_secs(20)).expect("valid target");
    for &a in &LOADS {
        let t = traffic(a);
        let s = staff_erlang_c(t, &target).expect("reachable");
        let below = ErlangC::new(t, s.agents() - 1).map_or(0.0, |c| c.service_level(target.within()));
        assert!(s.service_level() >= 0.8 && below < 0.8);
        g.bench_with_input(BenchmarkId::new("erlang_c", a as u64), &a, |b, _| {
            b.iter(|| staff_erlang_c(black_box(t), black_box(&target)).expect("reachable").agents())
        });
    }
    let patience = Duration::from_secs(600);
    for &a in &LOADS[..4] {
        let t = traffic(a);
        assert!(staff_erlang_a(t, patience, &target).expect("reachable").service_level() >= 0.8);
        g.bench_with_input(BenchmarkId::new("erlang_a", a as u64), &a, |b, _| {
            b.iter(|| {
                staff_erlang_a(black_box(t), black_box(patience), black_box(&target))
                    .expect("reachable")
                    .agents()
            })
        });
    }
    let s = Duration::from_secs;
    let aht = [s(300), s(360), s(420), s(480)];
    for agents in [10.0, 100.0, 1_000.0] {
        // Arrivals for about `agents` agents of 4 chats at 85% of their slots.
        let lambda = agents * 4.0 * 0.85 / 480.0;
        g.bench_with_input(BenchmarkId::new("chat_m4", agents as u64), &agents, |b, _| {
            b.iter(|| {
                staff_chat(black_box(lambda), black_box(&aht), Some(s(120)), black_box(&target))
                    .expect("reachable")
                    .agents()
            })
        });
    }
    g.finish();
}

fn chat_model(c: &mut Criterion) {
    let mut g = c.benchmark_group("chat_model");
    g.throughput(Throughput::Elements(1));
    let s = Duration::from_secs;
    let aht = [s(300), s(360), s(420), s(480)];
    // The figure: the exact solution for N = 20, m = 4 (10,626 states).
    for agents in [5u32, 10, 20] {
        let model =
            ChatModel::new(agents, &aht, f64::from(agents) * 4.0 * 0.9 / 480.0, Some(s(120))).expect("valid");
        let r = model.solve_exact().expect("small enough");
        assert!(matches!(r.method(), ChatModelMethod::Exact { .. }) && r.p_wait() > 0.0 && r.p_wait() < 1.0);
        g.bench_with_input(BenchmarkId::new("exact_m4", agents), &agents, |b, _| {
            b.iter(|| black_box(&model).solve_exact().expect("small enough").p_wait())
        });
    }
    // The window chain beside the exact solution on the same floors (20 agents: 651 states
    // against 10,626), and past the exact reach.
    for agents in [10u32, 20, 60] {
        let model =
            ChatModel::new(agents, &aht, f64::from(agents) * 4.0 * 0.9 / 480.0, Some(s(120))).expect("valid");
        let r = model.solve_window().expect("small enough");
        assert!(matches!(r.method(), ChatModelMethod::Window { .. }) && r.p_wait() > 0.0 && r.p_wait() < 1.0);
        g.bench_with_input(BenchmarkId::new("window_m4", agents), &agents, |b, _| {
            b.iter(|| black_box(&model).solve_window().expect("small enough").p_wait())
        });
    }
    for agents in [20u32, 1_000, 100_000] {
        let model =
            ChatModel::new(agents, &aht, f64::from(agents) * 4.0 * 0.9 / 480.0, Some(s(120))).expect("valid");
        g.bench_with_input(BenchmarkId::new("balanced_m4", agents), &agents, |b, _| {
            b.iter(|| black_box(&model).solve_balanced().p_wait())
        });
    }
    g.finish();
}

fn predictors(c: &mut Criterion) {
    let mut g = c.benchmark_group("predictors");
    g.throughput(Throughput::Elements(1));
    let aht = Some(Duration::from_secs(300));
    let patience = Some(Duration::from_secs(120));
    for queued in [0u64, 10, 100, 1_000] {
        let scope = Summary {
            eligible_agents: 50,
            unlimited_agents: 0,
            free: Slots::Count(0),
            busy: 150,
            releasable: 150,
            queued,
        };
        g.bench_with_input(BenchmarkId::new("queue_position", queued), &queued, |b, _| {
            b.iter(|| WaitEstimate::by_queue_position(black_box(&scope), black_box(aht)))
        });
        let e = WaitEstimate::by_queue_position_with_abandonment(&scope, aht, patience);
        assert!(matches!(e, WaitEstimate::Estimate { wait, .. } if wait > Duration::ZERO));
        g.bench_with_input(BenchmarkId::new("queue_position_abandonment", queued), &queued, |b, _| {
            b.iter(|| {
                WaitEstimate::by_queue_position_with_abandonment(
                    black_box(&scope),
                    black_box(aht),
                    black_box(patience),
                )
            })
        });
    }
    let scope = Summary {
        eligible_agents: 50,
        unlimited_agents: 0,
        free: Slots::Count(0),
        busy: 150,
        releasable: 150,
        queued: 7,
    };
    g.bench_function("head_of_line", |b| {
        b.iter(|| WaitEstimate::by_head_of_line(black_box(&scope), black_box(Some(Duration::from_secs(42)))))
    });
    let mut avg = WaitAverage::new(0.1).expect("valid weight");
    g.bench_function("moving_average_observe", |b| {
        b.iter(|| {
            avg.observe(black_box(Duration::from_secs(42)));
            avg.average()
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = criterion();
    targets = erlang_c, peers, erlang_a, staffing, chat_model, predictors
}
criterion_main!(benches);
