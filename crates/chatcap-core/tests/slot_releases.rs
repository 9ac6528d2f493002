//! Slots within a wait budget and queue-position waits count slot releases, not chat ends: an
//! agent above its limit frees no slot for the chats over it, and lighter chats free a slot
//! together.

use std::time::Duration;

use chatcap_core::*;

fn floor(agents: Vec<Agent>) -> Floor {
    Floor::new(Snapshot { skills: vec![Skill::new("s")], agents, ..Snapshot::default() }).unwrap()
}

fn agent(id: &str, limit: u32, chats: u32) -> Agent {
    Agent::new(id, AgentState::Online, Capacity::Limited(limit))
        .with_active_chats(chats)
        .with_skills(["s".into()])
}

fn scope(f: &Floor) -> Scope {
    Scope::Skill(f.skill_index("s").unwrap())
}

#[test]
fn an_agent_over_its_limit_releases_only_its_limit() {
    // Limit 2, holding 5 chats (the limit was lowered under it): 2 releasable slots, not 5.
    let f = floor(vec![agent("a", 2, 5), agent("b", 3, 1)]);
    let s = f.summary(scope(&f)).unwrap();
    assert_eq!((s.free, s.busy, s.releasable), (Slots::Count(2), 6, 3));
    // W = AHT ln 4: each slot frees with probability 3/4. free 2 + 3 * 0.75 = 4.25 -> 4.
    let aht = Duration::from_secs(100);
    let w = MaxWait::from_secs((100.0 * 4f64.ln()).round() as u32).unwrap();
    let p = 1.0 - (-f64::from(w.as_secs()) / 100.0).exp();
    let got = f.slots_within(scope(&f), w, Some(aht)).unwrap();
    assert_eq!(got.slots, Slots::Count((2.0 + 3.0 * p).floor() as u64));
    // Counting the chats instead would have said floor(2 + 6 p) = 6.
    assert_eq!(got.slots, Slots::Count(4));
}

#[test]
fn half_weight_chats_free_one_slot_together() {
    // Two chats of half a slot each on a limit of 2: one slot free, one held by both.
    let a = agent("a", 2, 2).with_load(Weight::from_thousandths(1_000).unwrap());
    // Three chats of 0.4: 1.2 slots used, so 0 whole slots free and 2 releasable.
    let b = agent("b", 2, 3).with_load(Weight::from_thousandths(1_200).unwrap());
    let f = floor(vec![a, b]);
    let s = f.summary(scope(&f)).unwrap();
    assert_eq!((s.free, s.busy, s.releasable), (Slots::Count(1), 5, 3));
    // Every chat ending within a day's budget frees 3 slots, not 5.
    let all = f
        .slots_within(scope(&f), MaxWait::from_secs(86_400).unwrap(), Some(Duration::from_secs(60)))
        .unwrap();
    assert_eq!(all.slots, Slots::Count(4));
}

#[test]
fn queue_position_waits_for_slot_releases() {
    // Limits 2 and 3, all held (one agent above its limit), 4 visitors queued: the newcomer waits
    // for 5 releases at 5 slots / 60 s: 60 s. Counting the 7 chats would say 5 / (7 / 60) = 42.9 s.
    let mut f = floor(vec![agent("a", 2, 4), agent("b", 3, 3)]);
    let t0 = f.now();
    let skill = SkillId::from("s");
    for v in 0..4 {
        f.apply(t0, Event::VisitorQueued { visitor: VisitorId(v), skill: &skill, priority: 0 }).unwrap();
    }
    let s = f.summary(scope(&f)).unwrap();
    assert_eq!((s.free, s.busy, s.releasable, s.queued), (Slots::Count(0), 7, 5, 4));
    let WaitEstimate::Estimate { wait, .. } =
        WaitEstimate::by_queue_position(&s, Some(Duration::from_secs(60)))
    else {
        panic!("an estimate")
    };
    assert_eq!(wait, Duration::from_secs(60));
}
