//! Wait-time estimates and staffing: Erlang C, Erlang A, the chat concurrency model, staffing
//! and the queue-position predictors, across sizes.

use std::hint::black_box;
use std::time::Duration;

use chatcap_benches::criterion;
use chatcap_core::{ErlangA, ErlangC, Traffic};
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

criterion_group! { name = benches; config = criterion(); targets = erlang_c, erlang_a }
criterion_main!(benches);
