//! Each family of operations returns its own error type, with typed fields: building and
//! syncing a [`SnapshotError`], events and routing an [`EventError`], queries a [`LookupError`],
//! conversions an [`InputError`].

use std::time::Duration;

use chatcap_core::*;

const T0: Timestamp = Timestamp::from_millis(1_700_000_000_000);

fn at(ms: i64) -> Timestamp {
    Timestamp::from_millis(T0.as_millis() + ms)
}

fn agent(id: &str) -> Agent {
    Agent::new(id, AgentState::Online, Capacity::Limited(2)).with_skills(["s".into()])
}

fn snapshot(agents: Vec<Agent>) -> Snapshot {
    Snapshot { taken_at: T0, skills: vec![Skill::new("s")], agents, queue: vec![] }
}

fn floor() -> Floor {
    Floor::new(snapshot(vec![agent("1").with_login("ann"), agent("2")])).unwrap()
}

fn check_snapshot(snapshot: Snapshot, expected: SnapshotError) {
    assert_eq!(Floor::new(snapshot.clone()).err(), Some(expected.clone()));
    // A sync to the same snapshot is refused alike and changes nothing.
    let mut f = floor();
    let before = f.to_snapshot();
    assert_eq!(f.sync(snapshot.taken_at, &snapshot).err(), Some(expected));
    assert_eq!(f.to_snapshot(), before);
}

fn check_event(ev: Event<'_>, ms: i64, expected: EventError) {
    let mut f = floor();
    let before = f.to_snapshot();
    assert_eq!(f.apply(at(ms), ev), Err(expected));
    assert_eq!(f.to_snapshot(), before, "a rejected event must change nothing");
}

#[test]
fn snapshots_are_refused_with_a_snapshot_error() {
    check_snapshot(
        snapshot(vec![agent("1"), agent("1")]),
        SnapshotError::DuplicateAgent { agent: "1".into() },
    );
    check_snapshot(
        snapshot(vec![agent("1").with_skills(["s".into(), "q".into()])]),
        SnapshotError::UnknownAgentSkill { agent: "1".into(), skill: "q".into() },
    );
    check_snapshot(
        snapshot(vec![agent("1").with_load(Weight::ONE)]),
        SnapshotError::LoadMismatch { agent: "1".into(), active: 0, load_thousandths: 1_000 },
    );
    let mut s = snapshot(vec![]);
    s.queue = vec![QueuedVisitor::new(VisitorId(4), "s", T0), QueuedVisitor::new(VisitorId(4), "s", T0)];
    check_snapshot(s, SnapshotError::DuplicateVisitor { visitor: VisitorId(4) });
    let mut s = snapshot(vec![]);
    s.queue = vec![QueuedVisitor::new(VisitorId(5), "s", at(1))];
    check_snapshot(
        s,
        SnapshotError::VisitorFromFuture { visitor: VisitorId(5), arrived_at: at(1), taken_at: T0 },
    );
}

#[test]
fn syncs_and_routers_in_the_past_or_with_unknown_skills_are_snapshot_errors() {
    let mut f = floor();
    let next = snapshot(vec![agent("1")]);
    let err = f.sync(at(-1), &next).unwrap_err();
    assert_eq!(err, SnapshotError::SyncInPast { at: at(-1), floor_time: T0 });
    assert_eq!(
        err.to_string(),
        "sync at 1699999999999 ms is earlier than the floor's time 1700000000000 ms; sync to snapshots in time order"
    );
    let relax = Relaxation { skill: "s".into(), after: Duration::from_secs(30), fallbacks: vec!["x".into()] };
    let err = Router::new(floor(), RouteBy::RoundRobin, &[relax]).unwrap_err();
    assert_eq!(err, SnapshotError::UnknownRelaxationSkill { skill: "x".into() });
    let mut router = Router::new(floor(), RouteBy::RoundRobin, &[]).unwrap();
    assert_eq!(router.sync(at(-1), &next), Err(SnapshotError::SyncInPast { at: at(-1), floor_time: T0 }));
}

#[test]
fn events_are_refused_with_an_event_error() {
    let (a1, a9, s) = (AgentId::from("1"), AgentId::from("9"), SkillId::from("s"));
    check_event(
        Event::ChatStarted { agent: &a1, weight: Weight::ONE },
        -1,
        EventError::EventInPast { at: at(-1), floor_time: T0 },
    );
    check_event(Event::AgentLeft { agent: &a9 }, 0, EventError::UnknownAgent { agent: a9.clone() });
    let joining = agent("1");
    check_event(Event::AgentJoined { agent: &joining }, 0, EventError::AgentOnFloor { agent: a1.clone() });
    // An agent joining is checked as one in a snapshot is, with the event's own variants.
    let joining = agent("3").with_skills(["q".into()]);
    check_event(
        Event::AgentJoined { agent: &joining },
        0,
        EventError::UnknownAgentSkill { agent: "3".into(), skill: "q".into() },
    );
    let joining = agent("3").with_login("ann");
    check_event(
        Event::AgentJoined { agent: &joining },
        0,
        EventError::DuplicateLogin { login: "ann".into(), first: a1.clone(), second: "3".into() },
    );
    check_event(
        Event::ChatsCounted { agent: &a1, active: 0, load: Some(Weight::ONE) },
        0,
        EventError::LoadMismatch { agent: a1.clone(), active: 0, load_thousandths: 1_000 },
    );
    check_event(
        Event::ChatEnded { agent: &a1, weight: Weight::ONE },
        0,
        EventError::NoActiveChat { agent: a1.clone() },
    );
    check_event(
        Event::SkillAdded { agent: &a1, skill: &s },
        0,
        EventError::SkillAlreadyHeld { agent: a1.clone(), skill: s.clone() },
    );
    check_event(
        Event::VisitorDequeued { visitor: VisitorId(7) },
        0,
        EventError::UnknownVisitor { visitor: VisitorId(7) },
    );
    let mut f = floor();
    f.apply(T0, Event::VisitorQueued { visitor: VisitorId(1), skill: &s, priority: 0 }).unwrap();
    assert_eq!(
        f.apply(T0, Event::VisitorQueued { visitor: VisitorId(1), skill: &s, priority: 0 }),
        Err(EventError::DuplicateVisitor { visitor: VisitorId(1) })
    );
}

#[test]
fn routing_operations_are_refused_with_an_event_error() {
    let mut router = Router::new(floor(), RouteBy::RoundRobin, &[]).unwrap();
    let s = router.floor().skill_index("s").unwrap();
    assert_eq!(router.route(at(-1), s), Err(EventError::EventInPast { at: at(-1), floor_time: T0 }));
    assert_eq!(
        router.arrive(at(-1), VisitorId(1), s, 0),
        Err(EventError::EventInPast { at: at(-1), floor_time: T0 })
    );
    let a1 = router.floor().agent_index(&"1".into()).unwrap();
    assert_eq!(
        router.end_chat_by_index(T0, a1, Weight::ONE),
        Err(EventError::NoActiveChat { agent: "1".into() })
    );
}

#[test]
fn queries_are_refused_with_a_lookup_error() {
    let f = floor();
    let ghost = AgentId::from("ghost");
    assert_eq!(f.agent_slots(&ghost), Err(LookupError::UnknownAgent { agent: ghost.clone() }));
    assert_eq!(f.agent_slots_by_login("bob"), Err(LookupError::UnknownLogin { login: "bob".into() }));
    assert_eq!(f.agent_slots_by_login("ann"), Ok(Slots::Count(2)));
    let one = AgentId::from("1");
    let err = f.transfer_candidates(&TransferRequest::new(&ghost, TransferTarget::Agent(&one))).unwrap_err();
    assert_eq!(err, LookupError::UnknownAgent { agent: ghost });
    let other = Floor::new(snapshot(vec![agent("x"), agent("y"), agent("z")])).unwrap();
    let z = other.agent_index(&"z".into()).unwrap();
    assert_eq!(f.check_index(z), Err(LookupError::StaleAgentIndex { place: 2 }));
}

#[test]
fn conversions_are_refused_with_an_input_error() {
    assert_eq!(MaxWait::from_secs(86_401), Err(InputError::MaxWaitOutOfRange { secs: 86_401 }));
    assert_eq!(MaxWait::from_secs(86_400).map(MaxWait::as_secs), Ok(86_400));
    assert_eq!(
        MaxWait::try_from(u32::MAX).unwrap_err().to_string(),
        "max wait of 4294967295 s is out of range; it must be between 0 and 86400 seconds"
    );
    assert_eq!(
        "1e3".parse::<Weight>(),
        Err(InputError::InvalidWeight { text: "1e3".into(), reason: WeightProblem::Exponent })
    );
    assert_eq!(Weight::try_from(0), Err(InputError::ZeroWeight));
}
