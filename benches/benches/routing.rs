//! Transfer candidates and routing across floor sizes.

use std::hint::black_box;

use chatcap_benches::{SIZES, criterion, skill_id, snapshot};

use chatcap_core::{
    AgentId, Event, Floor, Ranking, RouteBy, Routed, Router, Slots, TransferRequest, TransferTarget,
    VisitorId, Weight,
};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

fn transfer(c: &mut Criterion) {
    let mut g = c.benchmark_group("transfer");
    for &n in &SIZES {
        let floor = Floor::new(snapshot(n)).expect("valid floor");
        let s = floor.skill_index(&skill_id(5)).expect("skill");
        let from = AgentId::from("agent-0");
        let members = floor.agents().filter(|a| a.has_skill(s) == Ok(true)).count() as u64;
        g.throughput(Throughput::Elements(members.max(1)));
        for ranking in [Ranking::LeastLoaded, Ranking::MostFree] {
            let top5 =
                TransferRequest::new(&from, TransferTarget::Skill(s)).with_strategy(ranking).with_limit(5);
            let full = TransferRequest::new(&from, TransferTarget::Skill(s)).with_strategy(ranking);
            // The top 5 are the head of the full ranking.
            let (a, b) =
                (floor.transfer_candidates(&top5).unwrap(), floor.transfer_candidates(&full).unwrap());
            assert_eq!(a.candidates[..], b.candidates[..a.candidates.len().min(5)]);
            g.bench_with_input(BenchmarkId::new(format!("top5_{ranking}"), n), &n, |bch, _| {
                bch.iter(|| floor.transfer_candidates(black_box(&top5)).expect("known agent"))
            });
            g.bench_with_input(BenchmarkId::new(format!("full_{ranking}"), n), &n, |bch, _| {
                bch.iter(|| floor.transfer_candidates(black_box(&full)).expect("known agent"))
            });
        }
        let explain = TransferRequest::new(&from, TransferTarget::Skill(s)).with_limit(5).with_explain();
        g.bench_with_input(BenchmarkId::new("top5_explain", n), &n, |bch, _| {
            bch.iter(|| floor.transfer_candidates(black_box(&explain)).expect("known agent"))
        });
    }
    g.finish();
}

fn routing(c: &mut Criterion) {
    let mut g = c.benchmark_group("routing");
    g.throughput(Throughput::Elements(1));
    for &n in &SIZES {
        for route_by in [RouteBy::Ranking(Ranking::LeastLoaded), RouteBy::RoundRobin] {
            let mut router =
                Router::new(Floor::new(snapshot(n)).expect("valid floor"), route_by, &[]).expect("router");
            // The skill with the most room, so that a small floor can take the chat at all.
            let f = router.floor();
            let s = f
                .skill_indices()
                .max_by_key(|&s| (f.slots(s).unwrap(), std::cmp::Reverse(s)))
                .expect("skills");
            let skill = f.skill(s).expect("skill").id.clone();
            let now = router.floor().now();
            let mut next = 10_000_000u64;
            // One cycle: a visitor arrives, is routed, and the chat ends, so the floor stays as
            // it was. It holds the route and two events.
            g.bench_with_input(BenchmarkId::new(format!("arrive_route_end_{route_by}"), n), &n, |bch, _| {
                bch.iter(|| {
                    next += 1;
                    let visitor = VisitorId(next);
                    router
                        .apply(now, Event::VisitorQueued { visitor, skill: &skill, priority: 0 })
                        .expect("new");
                    // The snapshot's own visitors are ahead; serve until this one is served.
                    loop {
                        match router.route(now, black_box(s)).expect("in time") {
                            Routed::Assigned { visitor: v, agent, .. } => {
                                router
                                    .apply(now, Event::ChatEnded { agent: &agent, weight: Weight::ONE })
                                    .expect("held");
                                if v == visitor {
                                    break;
                                }
                            }
                            other => panic!("{other:?}"),
                        }
                    }
                })
            });
        }
        // The alternative a bot without an index writes: scan the floor for the least-loaded
        // agent of the skill with a free slot (ties by id), start the chat there and end it.
        let mut floor = Floor::new(snapshot(n)).expect("valid floor");
        let s = floor
            .skill_indices()
            .max_by_key(|&s| (floor.slots(s).unwrap(), std::cmp::Reverse(s)))
            .expect("skills");
        let now = floor.now();
        g.bench_with_input(BenchmarkId::new("pick_start_end_naive_scan", n), &n, |bch, _| {
            bch.iter(|| {
                let agent = floor
                    .agents()
                    .filter(|a| {
                        a.has_skill(black_box(s)) == Ok(true) && a.slots_for_new_chats() > Slots::ZERO
                    })
                    .min_by(|a, b| a.active_chats().cmp(&b.active_chats()).then_with(|| a.id().cmp(b.id())))
                    .map(|a| a.id().clone())
                    .expect("a free slot");
                floor.apply(now, Event::ChatStarted { agent: &agent, weight: Weight::ONE }).expect("known");
                floor.apply(now, Event::ChatEnded { agent: &agent, weight: Weight::ONE }).expect("held");
            })
        });
    }
    g.finish();
}

/// Indexing a floor for routing, on top of building it (`--bench core`, `floor/build`).
fn router_build(c: &mut Criterion) {
    let mut g = c.benchmark_group("router");
    for &n in &SIZES {
        let floor = Floor::new(snapshot(n)).expect("valid floor");
        g.throughput(Throughput::Elements(n as u64));
        for route_by in [RouteBy::Ranking(Ranking::LeastLoaded), RouteBy::RoundRobin] {
            g.bench_with_input(BenchmarkId::new(format!("build_{route_by}"), n), &n, |bch, _| {
                bch.iter_batched(
                    || floor.clone(),
                    |floor| Router::new(floor, route_by, &[]).expect("router"),
                    criterion::BatchSize::LargeInput,
                )
            });
        }
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = criterion();
    targets = transfer, routing, router_build
}
criterion_main!(benches);
