//! The core's hot queries: slots, slots within a wait budget, the offer decision, events,
//! floor build and sync to the next poll, across floor sizes.

use std::hint::black_box;
use std::time::Duration;

use chatcap_benches::{Rng, SIZES, SKILLS, criterion, next_poll, skill_id, snapshot};
use chatcap_core::{
    AgentId, Decision, Event, Floor, MaxWait, OfferPolicy, Ranking, RouteBy, Router, Scope, Slots, Timestamp,
    VisitorId, WaitEstimate, Weight,
};
use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

fn slots(c: &mut Criterion) {
    let mut g = c.benchmark_group("slots");
    g.throughput(Throughput::Elements(1));
    for &n in &SIZES {
        let floor = Floor::new(snapshot(n)).expect("valid floor");
        let idx = floor.skill_index(&skill_id(7)).expect("skill exists");
        let id = skill_id(7);
        let naive: Slots =
            floor.agents().filter(|a| a.has_skill(idx).unwrap()).map(|a| a.slots_for_new_chats()).sum();
        assert_eq!(floor.slots(idx).unwrap(), naive);
        g.bench_with_input(BenchmarkId::new("skill_by_index", n), &n, |b, _| {
            b.iter(|| floor.slots(black_box(idx)))
        });
        g.bench_with_input(BenchmarkId::new("skill_by_id", n), &n, |b, _| {
            b.iter(|| floor.slots(black_box(id.as_str())))
        });
        g.bench_with_input(BenchmarkId::new("total", n), &n, |b, _| {
            b.iter(|| black_box(&floor).slots_total())
        });
        // The alternative: a scan over the agents, as a bot without an index would do.
        g.bench_with_input(BenchmarkId::new("skill_naive_scan", n), &n, |b, _| {
            b.iter(|| {
                black_box(&floor)
                    .agents()
                    .filter(|a| a.has_skill(black_box(idx)) == Ok(true))
                    .map(|a| a.slots_for_new_chats())
                    .sum::<Slots>()
            })
        });
        g.bench_with_input(BenchmarkId::new("total_naive_scan", n), &n, |b, _| {
            b.iter(|| black_box(&floor).agents().map(|a| a.slots_for_new_chats()).sum::<Slots>())
        });
        let budget = MaxWait::from_secs(120).expect("in range");
        let aht = Some(Duration::from_secs(300));
        g.bench_with_input(BenchmarkId::new("within_budget", n), &n, |b, _| {
            b.iter(|| floor.slots_within(black_box(Scope::Skill(idx)), black_box(budget), black_box(aht)))
        });
    }
    g.finish();
}

fn offer(c: &mut Criterion) {
    let mut g = c.benchmark_group("offer");
    g.throughput(Throughput::Elements(1));
    let policy = OfferPolicy::new(MaxWait::from_secs(120).expect("in range"))
        .with_max_queue(1_000_000)
        .with_handle_time(Duration::from_secs(300));
    for &n in &SIZES {
        let mut floor = Floor::new(snapshot(n)).expect("valid floor");
        let idx = floor.skill_index(&skill_id(3)).expect("skill exists");
        g.bench_with_input(BenchmarkId::new("free_now", n), &n, |b, _| {
            b.iter(|| floor.offer(black_box(idx), black_box(&policy)))
        });
        // The alternative: scan for an agent of the skill with a free slot.
        assert!(floor.agents().any(|a| a.has_skill(idx).unwrap() && a.slots_for_new_chats() > Slots::ZERO));
        g.bench_with_input(BenchmarkId::new("free_now_naive_scan", n), &n, |b, _| {
            b.iter(|| {
                black_box(&floor)
                    .agents()
                    .any(|a| a.has_skill(black_box(idx)) == Ok(true) && a.slots_for_new_chats() > Slots::ZERO)
            })
        });
        // Queue more visitors than there are free slots, so the wait must be estimated.
        let free = floor.slots(idx).unwrap().count().expect("limited floor");
        let skill = skill_id(3).into();
        for v in 0..free + 5 {
            let visitor = VisitorId(1_000_000 + v);
            floor
                .apply(floor.now(), Event::VisitorQueued { visitor, skill: &skill, priority: 0 })
                .expect("new visitor");
        }
        let decided = floor.offer(idx, &policy).unwrap();
        assert!(matches!(
            decided,
            Decision::Decline { .. } | Decision::Offer { estimate: WaitEstimate::Estimate { .. } }
        ));
        g.bench_with_input(BenchmarkId::new("estimated", n), &n, |b, _| {
            b.iter(|| floor.offer(black_box(idx), black_box(&policy)))
        });
    }
    g.finish();
}

fn events(c: &mut Criterion) {
    let mut g = c.benchmark_group("events");
    for &n in &SIZES {
        let mut floor = Floor::new(snapshot(n)).expect("valid floor");
        let mut rng = Rng::new(42);
        let ids: Vec<AgentId> =
            (0..1024).map(|_| AgentId::from(format!("agent-{}", rng.below(n as u64)))).collect();
        let now = floor.now();
        // Each iteration starts a chat and ends it again, so the floor stays the same size.
        g.throughput(Throughput::Elements(2));
        let mut k = 0;
        g.bench_with_input(BenchmarkId::new("chat_started_and_ended", n), &n, |b, _| {
            b.iter(|| {
                let agent = &ids[k & 1023];
                k += 1;
                floor
                    .apply(now, Event::ChatStarted { agent: black_box(agent), weight: Weight::ONE })
                    .expect("known agent");
                floor
                    .apply(now, Event::ChatEnded { agent: black_box(agent), weight: Weight::ONE })
                    .expect("known agent");
            })
        });
        let states = [chatcap_core::AgentState::Away, chatcap_core::AgentState::Online];
        g.bench_with_input(BenchmarkId::new("state_away_and_back", n), &n, |b, _| {
            b.iter(|| {
                let agent = &ids[k & 1023];
                k += 1;
                for state in states {
                    floor
                        .apply(now, Event::StateChanged { agent: black_box(agent), state })
                        .expect("known agent");
                }
            })
        });
        assert!(floor.slots_total() > Slots::ZERO);
    }
    g.finish();
}

fn build(c: &mut Criterion) {
    let mut g = c.benchmark_group("floor");
    g.sample_size(20);
    for &n in &SIZES {
        let snap = snapshot(n);
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::new("build", n), &n, |b, _| {
            b.iter_batched(
                || snap.clone(),
                |s| {
                    let floor = Floor::new(s).expect("valid floor");
                    assert_eq!(floor.skill_count(), SKILLS);
                    floor
                },
                BatchSize::LargeInput,
            )
        });
    }
    g.finish();
}

/// Following a live floor: a sync to the next poll (1 % of agents changed) and a sync to an
/// unchanged poll, beside rebuilding from the poll, for the floor and for a router. Every poll
/// holds its own ids and logins, as one read from a vendor's payload does (its skill ids and
/// lists shared within it, as the adapter shares them); the `shared` rows sync polls that share
/// their texts with the floor's.
fn sync(c: &mut Criterion) {
    let mut g = c.benchmark_group("sync");
    g.sample_size(20);
    let by = RouteBy::Ranking(Ranking::LeastLoaded);
    for &n in &SIZES {
        let (a, b) = (snapshot(n), next_poll(&snapshot(n)));
        let mut at = b.taken_at.as_millis();
        let mut tick = move || {
            at += 1;
            Timestamp::from_millis(at)
        };
        let mut floor = Floor::new(a.clone()).expect("valid floor");
        let mut router = Router::new(Floor::new(a.clone()).expect("valid floor"), by, &[]).expect("router");
        let report = floor.sync(tick(), &b).expect("valid poll");
        assert_eq!(report.joined.len(), report.left.len());
        assert!(!report.is_empty());
        assert_eq!(floor.slots_total(), Floor::new(b.clone()).expect("valid floor").slots_total());
        floor.sync(tick(), &a).expect("valid poll");
        // Each poll is read afresh, as from a vendor: no string is shared with the floor's.
        let a = snapshot(n);
        // Iterations go to the next poll and back in turn: each is one sync of 1 % changed.
        g.throughput(Throughput::Elements(1));
        let mut flip = false;
        g.bench_with_input(BenchmarkId::new("floor_changed_1pct", n), &n, |bch, _| {
            bch.iter(|| {
                flip = !flip;
                floor.sync(tick(), black_box(if flip { &b } else { &a })).expect("valid poll")
            })
        });
        g.bench_with_input(BenchmarkId::new("router_changed_1pct", n), &n, |bch, _| {
            bch.iter(|| {
                flip = !flip;
                router.sync(tick(), black_box(if flip { &b } else { &a })).expect("valid poll")
            })
        });
        {
            // Polls whose unchanged agents share their texts with the floor, as a caller that
            // edits the last poll into the next gives them: ids and logins compare by address.
            let a = snapshot(n);
            let b = next_poll(&a);
            let mut floor = Floor::new(a.clone()).expect("valid floor");
            g.bench_with_input(BenchmarkId::new("floor_shared_changed_1pct", n), &n, |bch, _| {
                bch.iter(|| {
                    flip = !flip;
                    floor.sync(tick(), black_box(if flip { &b } else { &a })).expect("valid poll")
                })
            });
            g.bench_with_input(BenchmarkId::new("floor_shared_unchanged", n), &n, |bch, _| {
                bch.iter(|| floor.sync(tick(), black_box(&a)).expect("valid poll"))
            });
        }
        g.bench_with_input(BenchmarkId::new("floor_unchanged", n), &n, |bch, _| {
            bch.iter(|| floor.sync(tick(), black_box(&a)).expect("valid poll"))
        });
        g.bench_with_input(BenchmarkId::new("router_unchanged", n), &n, |bch, _| {
            bch.iter(|| router.sync(tick(), black_box(&a)).expect("valid poll"))
        });
        g.bench_with_input(BenchmarkId::new("floor_rebuild", n), &n, |bch, _| {
            bch.iter_batched(|| b.clone(), |s| Floor::new(s).expect("valid floor"), BatchSize::LargeInput)
        });
        g.bench_with_input(BenchmarkId::new("router_rebuild", n), &n, |bch, _| {
            bch.iter_batched(
                || b.clone(),
                |s| Router::new(Floor::new(s).expect("valid floor"), by, &[]).expect("router"),
                BatchSize::LargeInput,
            )
        });
    }
    g.finish();
}

criterion_group! {
    name = core;
    config = criterion();
    targets = slots, offer, events, build, sync
}
criterion_main!(core);
