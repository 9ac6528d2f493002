//! Scenario tests: each a few lines of data, with the expected answer worked out by hand from
//! the contract in DESIGN.md.

use std::time::Duration;

use chatcap_core::*;

const T0: Timestamp = Timestamp::from_millis(1_700_000_000_000);

fn at(ms: i64) -> Timestamp {
    Timestamp::from_millis(T0.as_millis() + ms)
}

/// `(id, state, capacity, active, skills)`
type Row<'a> = (&'a str, AgentState, Capacity, u32, &'a [&'a str]);

fn floor(skills: &[&str], rows: &[Row<'_>], queue: &[(u64, &str, i64)]) -> Floor {
    Floor::new(Snapshot {
        taken_at: T0,
        skills: skills.iter().map(|s| Skill::new(*s)).collect(),
        agents: rows
            .iter()
            .map(|&(id, state, cap, active, sk)| {
                Agent::new(id, state, cap)
                    .with_active_chats(active)
                    .with_skills(sk.iter().map(|s| SkillId::from(*s)))
            })
            .collect(),
        queue: queue.iter().map(|&(v, s, ms)| QueuedVisitor::new(VisitorId(v), s, at(ms))).collect(),
    })
    .expect("valid snapshot")
}

/// Checks the slots of every named skill and of the whole floor.
fn check_slots(rows: &[Row<'_>], expected: &[(&str, Slots)], total: Slots) {
    let skills: Vec<&str> = expected.iter().map(|(s, _)| *s).collect();
    let f = floor(&skills, rows, &[]);
    for &(skill, want) in expected {
        assert_eq!(f.slots(skill).unwrap(), want, "skill {skill}");
    }
    assert_eq!(f.slots_total(), total, "total");
}

use AgentState::*;
use Capacity::*;

#[test]
fn slots_sum_free_capacity_of_online_agents_with_the_skill() {
    check_slots(
        &[
            ("1", Online, Limited(4), 1, &["a", "b"]), // 3 free
            ("2", Online, Limited(2), 0, &["a"]),      // 2 free
            ("3", Occupied, Limited(5), 0, &["a"]),    // takes no new chats
            ("4", Away, Limited(5), 0, &["b"]),        // takes none
            ("5", Offline, Unlimited, 0, &["a"]),      // logged off: unlimited does not count
            ("6", Online, Limited(1), 3, &["b"]),      // above its limit: 0, never negative
            ("7", Online, Limited(0), 0, &["a", "b"]), // takes no chats
        ],
        &[("a", Slots::Count(5)), ("b", Slots::Count(3)), ("c", Slots::Count(0))],
        Slots::Count(5), // agents 1 and 2, each counted once
    );
}

#[test]
fn one_unlimited_online_agent_makes_its_skill_unlimited() {
    check_slots(
        &[("1", Online, Unlimited, 7, &["a"]), ("2", Online, Limited(3), 1, &["b"])],
        &[("a", Slots::Unlimited), ("b", Slots::Count(2))],
        Slots::Unlimited,
    );
}

#[test]
fn a_hundred_thousand_agents_at_the_largest_limit_do_not_overflow() {
    let agents = (0..100_000)
        .map(|i| Agent::new(i, Online, Limited(u32::MAX)).with_skills([SkillId::from("s")]))
        .collect();
    let f =
        Floor::new(Snapshot { taken_at: T0, skills: vec![Skill::new("s")], agents, queue: vec![] }).unwrap();
    // 100,000 x 4,294,967,295
    assert_eq!(f.slots("s").unwrap(), Slots::Count(429_496_729_500_000));
    assert_eq!(f.slots_total(), Slots::Count(429_496_729_500_000));
    let s = f.summary(Scope::All).unwrap();
    assert_eq!((s.eligible_agents, s.busy), (100_000, 0));
}

#[test]
fn agent_slots_by_id_and_login() {
    let f = Floor::new(Snapshot {
        taken_at: T0,
        skills: vec![],
        agents: vec![
            Agent::new("1", Online, Limited(4)).with_active_chats(1).with_login("ann"),
            Agent::new("2", Occupied, Limited(4)).with_login("bob"),
            Agent::new("3", Online, Unlimited),
        ],
        queue: vec![],
    })
    .unwrap();
    assert_eq!(f.agent_slots(&"1".into()), Ok(Slots::Count(3)));
    assert_eq!(f.agent_slots_by_login("ann"), Ok(Slots::Count(3)));
    assert_eq!(f.agent_slots_by_login("bob"), Ok(Slots::ZERO));
    assert_eq!(f.agent_slots(&"3".into()), Ok(Slots::Unlimited));
    assert_eq!(f.agent_slots(&"9".into()), Err(LookupError::UnknownAgent { agent: "9".into() }));
    assert_eq!(
        f.agent_slots_by_login("zed").unwrap_err().to_string(),
        "no agent on the floor has the login \"zed\""
    );
}

fn check_within(
    free_limit: u32,
    active: u32,
    queued: usize,
    w: u32,
    aht: Option<u64>,
    expected: Slots,
    how: Completion,
) {
    let queue: Vec<(u64, &str, i64)> = (0..queued as u64).map(|v| (v, "s", -1_000)).collect();
    let f = floor(&["s"], &[("1", Online, Limited(free_limit), active, &["s"])], &queue);
    let scope = Scope::Skill(f.skill_index("s").unwrap());
    let got = f.slots_within(scope, MaxWait::from_secs(w).unwrap(), aht.map(Duration::from_secs)).unwrap();
    assert_eq!(got.slots, expected, "limit {free_limit} active {active} q {queued} w {w} aht {aht:?}");
    match (got.completion, how) {
        (Completion::Expected { completions: g }, Completion::Expected { completions: e }) => {
            assert!((g - e).abs() < 1e-9, "completions {g} vs {e}")
        }
        (g, e) => assert_eq!(g, e),
    }
}

#[test]
fn slots_within_a_wait_budget() {
    // W = 0: max(0, free - q) = max(0, 4 - 1) = 3
    check_within(10, 6, 1, 0, Some(300), Slots::Count(3), Completion::ZeroBudget);
    // Without an AHT the completion term is 0: 4 - 1 = 3
    check_within(10, 6, 1, 600, None, Slots::Count(3), Completion::NoHandleTime);
    // W = AHT ln 2: half of the 6 busy chats end: floor(4 + 3) - 1 = 6
    let w = (300.0 * std::f64::consts::LN_2).round() as u32; // 208 s, e^(-208/300) = 0.49991
    check_within(
        10,
        6,
        1,
        w,
        Some(300),
        Slots::Count(6),
        Completion::Expected { completions: 6.0 * (1.0 - (-208.0f64 / 300.0).exp()) },
    );
    // The queue is longer than what frees up: floor(0 + 4 * (1 - e^-1)) = floor(2.528) = 2; 2 - 5 < 0 -> 0
    check_within(
        4,
        4,
        5,
        60,
        Some(60),
        Slots::ZERO,
        Completion::Expected { completions: 4.0 * (1.0 - (-1.0f64).exp()) },
    );
    // The largest budget with a short AHT: every busy chat ends: 0 + 4 - 0 = 4
    check_within(4, 4, 0, 86_400, Some(1), Slots::Count(4), Completion::Expected { completions: 4.0 });
}

#[test]
fn slots_within_stays_unlimited() {
    let f = floor(&["s"], &[("1", Online, Unlimited, 3, &["s"])], &[(1, "s", 0)]);
    let got =
        f.slots_within(Scope::All, MaxWait::from_secs(30).unwrap(), Some(Duration::from_secs(60))).unwrap();
    assert_eq!((got.slots, got.completion), (Slots::Unlimited, Completion::Unlimited));
}

#[test]
fn max_wait_range_is_the_apis() {
    assert!(MaxWait::from_secs(0).is_ok());
    assert!(MaxWait::from_secs(86_400).is_ok());
    assert_eq!(
        MaxWait::from_secs(86_401).unwrap_err().to_string(),
        "max wait of 86401 s is out of range; it must be between 0 and 86400 seconds"
    );
}

/// LivePerson's queuestate v2 example, rebuilt as a floor: skills 1..4 with the documented slots,
/// queue sizes and longest waits.
#[test]
fn queue_state_reproduces_the_liveperson_v2_example() {
    let mut queue = Vec::new();
    let mut v = 0;
    // (skill, queue size, longest wait ms)
    for (skill, size, wait) in [("1", 5, 15_253), ("2", 14, 75_388), ("3", 15, 15_253)] {
        for k in 0..size {
            // The first visitor waited longest; the rest arrived later.
            queue.push((v, skill, if k == 0 { -wait } else { -1_000 }));
            v += 1;
        }
    }
    let f = floor(
        &["1", "2", "3", "4"],
        &[
            ("a", Online, Limited(5), 0, &["1"]),
            ("b", Online, Limited(12), 1, &["2"]),
            ("c", Online, Limited(6), 0, &["3"]),
            ("d", Online, Limited(30), 3, &["4"]),
        ],
        &queue,
    );
    let view = f.queue_state_view(SkillSelection::All, T0);
    let rows: Vec<_> = view
        .skills
        .iter()
        .map(|s| {
            let st = s.state.unwrap();
            (s.skill.as_str(), st.available, st.queued, st.max_wait.map(|d| d.as_millis()))
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("1", Slots::Count(5), 5, Some(15_253)),
            ("2", Slots::Count(11), 14, Some(75_388)),
            ("3", Slots::Count(6), 15, Some(15_253)),
            ("4", Slots::Count(27), 0, None),
        ]
    );
    let t = view.totals;
    assert_eq!(
        (t.available(), t.queued, t.max_wait),
        (Slots::Count(49), 34, Some(Duration::from_millis(75_388)))
    );

    // skillIds=1,100: skill 100 has no data and is left out of the totals.
    let only = f.queue_state_view(SkillSelection::Only(&["1".into(), "100".into(), "1".into()]), T0);
    assert_eq!(only.skills.len(), 2);
    assert_eq!(only.skills[1], SkillQueueState { skill: "100".into(), state: None });
    assert_eq!((only.totals.available(), only.totals.queued, only.totals.skills), (Slots::Count(5), 5, 1));
}

#[test]
fn queue_totals_count_unlimited_skills_apart() {
    let f =
        floor(&["u", "l"], &[("1", Online, Unlimited, 0, &["u"]), ("2", Online, Limited(3), 1, &["l"])], &[]);
    let t = f.queue_state_view(SkillSelection::All, T0).totals;
    assert_eq!((t.unlimited_skills, t.limited_slots, t.available()), (1, 2, Slots::Unlimited));
}

fn decide(rows: &[Row<'_>], queued: usize, policy: OfferPolicy) -> Decision {
    let queue: Vec<(u64, &str, i64)> = (0..queued as u64).map(|v| (v, "s", -1_000)).collect();
    floor(&["s"], rows, &queue).offer("s", &policy).unwrap()
}

fn policy(w: u32) -> OfferPolicy {
    OfferPolicy::new(MaxWait::from_secs(w).unwrap())
}

#[test]
fn offer_decisions_and_their_reasons() {
    let aht = Duration::from_secs(300);
    // A free slot beyond the queue: offer now.
    let d = decide(&[("1", Online, Limited(3), 1, &["s"])], 1, policy(0));
    assert_eq!(d, Decision::Offer { estimate: WaitEstimate::AgentFreeNow });
    // Nobody online with the skill.
    let d = decide(&[("1", Away, Limited(3), 0, &["s"])], 0, policy(60));
    assert_eq!(d, Decision::Decline { reason: DeclineReason::NoEligibleAgents });
    // Queue at its limit.
    let d = decide(
        &[("1", Online, Limited(2), 2, &["s"])],
        4,
        policy(60).with_max_queue(4).with_handle_time(aht),
    );
    assert_eq!(d, Decision::Decline { reason: DeclineReason::QueueFull { queued: 4, max_queue: 4 } });
    // 2 slots busy, 1 ahead: (1 + 1) / (2 / 300 s) = 300 s. Within a 300 s budget, not a 299 s one.
    let full = [("1", Online, Limited(2), 2, &["s"][..])];
    let d = decide(&full, 1, policy(300).with_handle_time(aht));
    let Decision::Offer { estimate: WaitEstimate::Estimate { wait, method } } = d else { panic!("{d:?}") };
    assert_eq!(wait, Duration::from_secs(300));
    assert_eq!(method, Method::QueuePosition { ahead: 1, release_rate_per_s: 2.0 / 300.0 });
    let d = decide(&full, 1, policy(299).with_handle_time(aht));
    let reason = DeclineReason::WaitTooLong { estimate: aht, max_wait: MaxWait::from_secs(299).unwrap() };
    assert_eq!(d, Decision::Decline { reason });
    assert_eq!(d.to_string(), "declined: estimated wait 300 s > 299 s limit");
    // No AHT: the stance decides.
    let d = decide(&full, 1, policy(300));
    assert_eq!(d, Decision::Decline { reason: DeclineReason::NoHandleTime });
    let d = decide(&full, 1, policy(300).with_missing_data(Stance::FailOpen));
    assert_eq!(
        d,
        Decision::Offer { estimate: WaitEstimate::InsufficientData { missing: MissingData::HandleTime } }
    );
    // Unknown skill: an error, not a decision.
    let f = floor(&["s"], &[], &[]);
    assert_eq!(f.offer("nope", &policy(60)), Err(LookupError::UnknownSkill { skill: "nope".into() }));
}

#[test]
fn free_slots_are_taken_by_the_queue_first() {
    // 1 free slot, 3 queued, 3 busy: the first visitor takes the free slot, 2 wait for a freed
    // one; 4 slots once full: (2 + 1) / (4 / 120 s) = 90 s.
    let d = decide(
        &[("1", Online, Limited(4), 3, &["s"])],
        3,
        policy(90).with_handle_time(Duration::from_secs(120)),
    );
    let Decision::Offer { estimate: WaitEstimate::Estimate { wait, .. } } = d else { panic!("{d:?}") };
    assert_eq!(wait, Duration::from_secs(90));
}

#[test]
fn events_move_slots_as_described() {
    let mut f =
        floor(&["a", "b"], &[("1", Online, Limited(3), 0, &["a"]), ("2", Away, Limited(2), 0, &["b"])], &[]);
    let (a1, a2) = (AgentId::from("1"), AgentId::from("2"));
    let mut step = |ms: i64, ev: Event<'_>, a: u64, b: u64| {
        f.apply(at(ms), ev).unwrap();
        assert_eq!(
            (f.slots("a").unwrap(), f.slots("b").unwrap()),
            (Slots::Count(a), Slots::Count(b)),
            "after {ev:?}"
        );
    };
    step(1, Event::ChatStarted { agent: &a1, weight: Weight::ONE }, 2, 0);
    step(2, Event::StateChanged { agent: &a2, state: Online }, 2, 2);
    step(3, Event::ChatTransferred { from: &a1, to: &a2, weight: Weight::ONE }, 3, 1);
    step(4, Event::SkillAdded { agent: &a2, skill: &"a".into() }, 4, 1);
    step(5, Event::CapacityChanged { agent: &a1, capacity: Limited(1) }, 2, 1);
    step(6, Event::ChatStarted { agent: &a1, weight: Weight::ONE }, 1, 1);
    step(7, Event::ChatStarted { agent: &a1, weight: Weight::ONE }, 1, 1); // forced beyond the limit: 0 from agent 1
    step(8, Event::ChatEnded { agent: &a1, weight: Weight::ONE }, 1, 1);
    step(9, Event::ChatEnded { agent: &a1, weight: Weight::ONE }, 2, 1);
    step(10, Event::SkillRemoved { agent: &a2, skill: &"a".into() }, 1, 1);
    step(11, Event::StateChanged { agent: &a1, state: Occupied }, 0, 1);
    assert_eq!(f.agent(&a1).unwrap().state_since(), at(11));
    assert_eq!(f.agent(&a1).unwrap().time_in_state(at(20)), Duration::from_millis(9));
    assert_eq!(f.now(), at(11));
}

#[test]
fn queue_events_keep_priority_then_arrival_order() {
    let mut f = floor(&["s"], &[], &[(1, "s", -5_000)]);
    let s = SkillId::from("s");
    f.apply(at(1), Event::VisitorQueued { visitor: VisitorId(2), skill: &s, priority: 0 }).unwrap();
    f.apply(at(2), Event::VisitorQueued { visitor: VisitorId(3), skill: &s, priority: 5 }).unwrap();
    assert_eq!(f.queue_head("s").unwrap().unwrap().id, VisitorId(3)); // highest priority first
    assert_eq!(f.oldest_arrival("s").unwrap(), Some(at(-5_000)));
    f.apply(at(3), Event::VisitorDequeued { visitor: VisitorId(3) }).unwrap();
    assert_eq!(f.queue_head("s").unwrap().unwrap().id, VisitorId(1)); // then earliest arrival
    f.apply(at(4), Event::VisitorAbandoned { visitor: VisitorId(1) }).unwrap();
    assert_eq!(f.queue_head("s").unwrap().unwrap().id, VisitorId(2));
    assert_eq!(f.oldest_arrival("s").unwrap(), Some(at(1)));
    assert_eq!(f.queue_len("s").unwrap(), 1);
    assert_eq!(f.queue_exits("s").unwrap(), (1, 1));
    assert_eq!(
        f.queue_state(f.skill_index("s").unwrap(), at(1_001)).unwrap().max_wait,
        Some(Duration::from_millis(1_000))
    );
}

fn check_event_error(ev: Event<'_>, ms: i64, expected: &str) {
    let mut f = floor(
        &["s"],
        &[("1", Online, Limited(3), 0, &["s"]), ("2", Online, Limited(3), 1, &[])],
        &[(1, "s", 0)],
    );
    let before = f.to_snapshot();
    let err = f.apply(at(ms), ev).unwrap_err();
    assert_eq!(err.to_string(), expected);
    assert_eq!(f.to_snapshot(), before, "a rejected event must change nothing");
}

#[test]
fn rejected_events_say_why_and_change_nothing() {
    let (a1, a2, a9) = (AgentId::from("1"), AgentId::from("2"), AgentId::from("9"));
    let (s, x) = (SkillId::from("s"), SkillId::from("x"));
    check_event_error(
        Event::ChatEnded { agent: &a1, weight: Weight::ONE },
        1,
        "agent 1 holds no chat to end or transfer",
    );
    check_event_error(
        Event::ChatStarted { agent: &a9, weight: Weight::ONE },
        1,
        "agent 9 is not on the floor",
    );
    check_event_error(
        Event::ChatTransferred { from: &a2, to: &a2, weight: Weight::ONE },
        1,
        "agent 2 cannot transfer a chat to itself",
    );
    check_event_error(
        Event::ChatTransferred { from: &a1, to: &a2, weight: Weight::ONE },
        1,
        "agent 1 holds no chat to end or transfer",
    );
    check_event_error(Event::SkillAdded { agent: &a1, skill: &s }, 1, "agent 1 already has skill s");
    check_event_error(Event::SkillRemoved { agent: &a2, skill: &s }, 1, "agent 2 does not have skill s");
    check_event_error(Event::SkillAdded { agent: &a2, skill: &x }, 1, "skill x is not defined on the floor");
    check_event_error(
        Event::VisitorQueued { visitor: VisitorId(1), skill: &s, priority: 0 },
        1,
        "visitor 1 is queued twice; visitor ids must be unique",
    );
    check_event_error(Event::VisitorDequeued { visitor: VisitorId(7) }, 1, "visitor 7 is not queued");
    check_event_error(
        Event::ChatStarted { agent: &a1, weight: Weight::ONE },
        -1,
        "event at 1699999999999 ms is earlier than the floor's time 1700000000000 ms; apply events in time order",
    );
}

fn check_invalid(snapshot: Snapshot, expected: &str) {
    assert_eq!(Floor::new(snapshot).unwrap_err().to_string(), expected);
}

#[test]
fn invalid_snapshots_name_the_culprit() {
    let skills = vec![Skill::new("s")];
    let a = |id: &str| Agent::new(id, Online, Limited(1));
    check_invalid(
        Snapshot { skills: vec![Skill::new("s"), Skill::new("s")], ..Snapshot::default() },
        "skill s is defined twice in the snapshot; skill ids must be unique",
    );
    check_invalid(
        Snapshot {
            skills: skills.clone(),
            agents: vec![a("1").with_skills(["s".into(), "s".into()])],
            ..Snapshot::default()
        },
        "agent 1 lists skill s twice; list each skill once",
    );
    check_invalid(
        Snapshot { agents: vec![a("1").with_skills(["q".into()])], ..Snapshot::default() },
        "agent 1 has skill q, which the snapshot does not define; add it to the skills",
    );
    check_invalid(
        Snapshot { agents: vec![a("1").with_login("x"), a("2").with_login("x")], ..Snapshot::default() },
        "agents 1 and 2 share the login \"x\"; logins must be unique",
    );
    check_invalid(
        Snapshot { queue: vec![QueuedVisitor::new(VisitorId(4), "q", T0)], ..Snapshot::default() },
        "visitor 4 waits for skill q, which the floor does not define",
    );
    check_invalid(
        Snapshot {
            taken_at: T0,
            skills: skills.clone(),
            queue: vec![QueuedVisitor::new(VisitorId(4), "s", T0), QueuedVisitor::new(VisitorId(4), "s", T0)],
            ..Snapshot::default()
        },
        "visitor 4 is queued twice; visitor ids must be unique",
    );
    check_invalid(
        Snapshot {
            taken_at: T0,
            skills,
            queue: vec![QueuedVisitor::new(VisitorId(4), "s", at(1))],
            ..Snapshot::default()
        },
        "visitor 4 arrived at 1700000000001 ms, after the snapshot time 1700000000000 ms",
    );
    let mut old = a("1");
    old.time_in_state = Some(Duration::from_secs(u64::MAX));
    check_invalid(
        Snapshot { agents: vec![old], ..Snapshot::default() },
        "agent 1 has a time in state of 18446744073709551615000 ms, more than the snapshot time allows",
    );
}

#[test]
fn time_in_state_comes_back_out_of_the_snapshot() {
    let mut a = Agent::new("1", Online, Limited(1));
    a.time_in_state = Some(Duration::from_millis(908_445));
    let f = Floor::new(Snapshot { taken_at: T0, agents: vec![a.clone()], ..Snapshot::default() }).unwrap();
    assert_eq!(f.agent(&"1".into()).unwrap().state_since(), at(-908_445));
    assert_eq!(f.to_snapshot().agents, vec![a]);
}

/// A weight from its decimal text (the parsing itself is tested in `conversions.rs`).
fn weight(s: &str) -> Weight {
    s.parse().unwrap()
}

#[test]
fn weighted_chats_use_capacity_in_thousandths() {
    let half = weight("0.5");
    let mut f =
        floor(&["s"], &[("1", Online, Limited(2), 0, &["s"]), ("2", Online, Limited(1), 0, &["s"])], &[]);
    let a1 = AgentId::from("1");
    // Two messaging conversations of 0.5 and one plain chat: load 2 of 2.
    f.apply(at(1), Event::ChatStarted { agent: &a1, weight: half }).unwrap();
    assert_eq!(f.slots("s").unwrap(), Slots::Count(2)); // 1.5 free rounds down to 1, plus agent 2's 1
    f.apply(at(2), Event::ChatStarted { agent: &a1, weight: half }).unwrap();
    assert_eq!(f.slots("s").unwrap(), Slots::Count(2));
    f.apply(at(3), Event::ChatStarted { agent: &a1, weight: Weight::ONE }).unwrap();
    assert_eq!(f.slots("s").unwrap(), Slots::Count(1));
    let a = f.agent(&a1).unwrap();
    assert_eq!((a.active_chats(), a.load(), a.free()), (3, Some(weight("2")), Slots::ZERO));
    // A half-slot chat still fits where a plain one does not.
    f.apply(at(4), Event::ChatEnded { agent: &a1, weight: half }).unwrap();
    let from = AgentId::from("2");
    f.apply(at(5), Event::ChatStarted { agent: &from, weight: Weight::ONE }).unwrap();
    let s = f.skill_index("s").unwrap();
    let plain = f.transfer_candidates(&TransferRequest::new(&from, TransferTarget::Skill(s))).unwrap();
    assert!(plain.candidates.is_empty());
    let light = f
        .transfer_candidates(&TransferRequest::new(&from, TransferTarget::Skill(s)).with_weight(half))
        .unwrap();
    assert_eq!(light.candidates.iter().map(|c| c.agent.as_str()).collect::<Vec<_>>(), ["1"]);
    // Ending a chat with the wrong weight is refused and changes nothing.
    let before = f.to_snapshot();
    let err = f.apply(at(6), Event::ChatEnded { agent: &from, weight: half }).unwrap_err();
    assert_eq!(
        err.to_string(),
        "agent 2 would hold 0 chats with a load of 0.5 slots; a load goes with its chats, so check the chat weights"
    );
    assert_eq!(f.to_snapshot(), before);
    // The weighted load survives a trip through the snapshot.
    assert_eq!(before.agents[0].load, Some(weight("1.5")));
    assert_eq!(before.agents[1].load, None);
    assert_eq!(Floor::new(before.clone()).unwrap().to_snapshot(), before);
}

#[test]
fn a_load_needs_chats() {
    check_invalid(
        Snapshot {
            agents: vec![Agent::new("1", Online, Limited(2)).with_load(Weight::ONE)],
            ..Snapshot::default()
        },
        "agent 1 would hold 0 chats with a load of 1 slots; a load goes with its chats, so check the chat weights",
    );
}
