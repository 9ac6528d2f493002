//! Naming a skill: every query that takes one answers for a skill the floor defines and is an
//! error otherwise (a name it never listed, a skill a sync retired, an index from another
//! floor), never an empty answer that looks like a real one.

use std::time::Duration;

use chatcap_core::*;

const T0: i64 = 1_700_000_000_000;

fn at(ms: i64) -> Timestamp {
    Timestamp::from_millis(T0 + ms)
}

/// Two skills, two agents with room, one visitor waiting for each skill.
fn snapshot(skills: &[&str]) -> Snapshot {
    Snapshot {
        taken_at: at(0),
        skills: skills.iter().map(|&s| Skill::new(s)).collect(),
        agents: vec![
            Agent::new("a1", AgentState::Online, Capacity::Limited(2))
                .with_active_chats(1)
                .with_skills(skills.iter().map(|&s| SkillId::from(s)).collect::<Vec<_>>()),
            Agent::new("a2", AgentState::Away, Capacity::Limited(3)).with_skills(vec![skills[0].into()]),
        ],
        queue: skills
            .iter()
            .enumerate()
            .map(|(i, &s)| QueuedVisitor::new(VisitorId(i as u64), s, at(-5_000)))
            .collect(),
    }
}

fn policy() -> OfferPolicy {
    OfferPolicy::new(MaxWait::from_secs(60).unwrap()).with_handle_time(Duration::from_secs(300))
}

/// Every skill query of `floor` for `key`, with its error if any.
fn every_query(floor: &Floor, key: SkillIdx) -> Vec<Result<String, LookupError>> {
    let budget = MaxWait::from_secs(30).unwrap();
    let aht = Some(Duration::from_secs(300));
    let from = AgentId::from("a2");
    let transfer = TransferRequest::new(&from, TransferTarget::Skill(key));
    let agent = floor.agent(&"a1".into()).expect("a1 is on the floor");
    vec![
        floor.check_skill(key).map(|k| format!("{k:?}")),
        floor.slots(key).map(|s| format!("{s:?}")),
        floor.summary(Scope::Skill(key)).map(|s| format!("{s:?}")),
        floor.slots_within(Scope::Skill(key), budget, aht).map(|s| format!("{s:?}")),
        floor.queue_len(key).map(|n| n.to_string()),
        floor.queue_head(key).map(|v| format!("{v:?}")),
        floor.oldest_arrival(key).map(|t| format!("{t:?}")),
        floor.queue_exits(key).map(|e| format!("{e:?}")),
        floor.queue_state(key, at(1_000)).map(|q| format!("{q:?}")),
        floor.offer(key, &policy()).map(|d| d.to_string()),
        agent.has_skill(key).map(|h| h.to_string()),
        floor.transfer_candidates(&transfer).map(|t| format!("{:?}", t.candidates)),
        floor.transfer_candidates(&transfer.with_explain()).map(|t| format!("{:?}", t.excluded)),
    ]
}

#[test]
fn an_index_names_the_same_skill_on_a_floor_that_has_it_at_the_same_place() {
    let a = Floor::new(snapshot(&["sales", "billing"])).unwrap();
    let b = Floor::new(snapshot(&["sales", "billing"])).unwrap();
    for id in ["sales", "billing"] {
        let from_a = a.skill_index(id).unwrap();
        let own = b.skill_index(id).unwrap();
        assert_eq!(from_a, own);
        assert_eq!(every_query(&b, from_a), every_query(&b, own));
        assert!(every_query(&b, own).iter().all(Result::is_ok), "{id}");
    }
}

#[test]
fn an_index_from_another_floor_is_an_error_for_every_query() {
    let a = Floor::new(snapshot(&["sales", "billing", "support"])).unwrap();
    // The same ids at other places, and one place `b` does not have.
    let b = Floor::new(snapshot(&["billing", "sales"])).unwrap();
    for (id, place) in [("sales", 0), ("billing", 1), ("support", 2)] {
        let foreign = a.skill_index(id).unwrap();
        assert_eq!(foreign.get(), place);
        let err = LookupError::ForeignSkillIndex { index: place };
        for (k, got) in every_query(&b, foreign).into_iter().enumerate() {
            assert_eq!(got, Err(err.clone()), "query {k} for {id}");
        }
        assert_eq!(b.skill(foreign), None);
        // By id, the skill is found where `b` has it, if it has it.
        if let Some(own) = b.skill_index(id) {
            assert!(every_query(&b, own).iter().all(Result::is_ok), "{id}");
        }
    }
}

#[test]
fn a_router_refuses_an_index_from_another_floor_and_changes_nothing() {
    let a = Floor::new(snapshot(&["sales", "billing"])).unwrap();
    let b = Floor::new(snapshot(&["billing", "sales"])).unwrap();
    let foreign = a.skill_index("sales").unwrap();
    let mut router = Router::new(b, RouteBy::Ranking(Ranking::LeastLoaded), &[]).unwrap();
    let before = router.floor().to_snapshot();
    let err = EventError::ForeignSkillIndex { index: 0 };
    assert_eq!(router.route(at(1_000), foreign), Err(err.clone()));
    assert_eq!(router.route_by_index(at(1_000), foreign), Err(err.clone()));
    assert_eq!(router.arrive(at(1_000), VisitorId(9), foreign, 0), Err(err.clone()));
    assert_eq!(router.arrive_by_index(at(1_000), VisitorId(9), foreign, 0), Err(err));
    assert_eq!(router.floor().to_snapshot(), before);
    assert!(!router.floor().is_queued(VisitorId(9)));
    // Its own index routes: sales's visitor (listed second on `b`) goes to a1, the one Online
    // agent with room.
    let own = router.floor().skill_index("sales").unwrap();
    assert_eq!(
        router.route(at(1_000), own),
        Ok(Routed::Assigned { visitor: VisitorId(1), agent: "a1".into(), via_fallback: None })
    );
}

#[test]
fn a_name_the_floor_does_not_define_is_an_error() {
    let floor = Floor::new(snapshot(&["sales"])).unwrap();
    let err = Err(LookupError::UnknownSkill { skill: "nope".into() });
    assert_eq!(floor.slots("nope"), err.clone().map(|()| Slots::ZERO));
    assert_eq!(floor.queue_len("nope"), err.clone().map(|()| 0));
    let nope = SkillId::from("nope");
    assert_eq!(floor.queue_head(&nope), err.clone().map(|()| None));
    assert_eq!(floor.oldest_arrival(nope), err.clone().map(|()| None));
    assert_eq!(floor.queue_exits("nope"), err.clone().map(|()| (0, 0)));
    assert_eq!(floor.offer("nope", &policy()).map(|d| d.to_string()), err.clone().map(|()| String::new()));
    assert_eq!(floor.agent(&"a1".into()).unwrap().has_skill("nope"), err.map(|()| false));
    assert_eq!(floor.skill_index("nope"), None);
}

#[test]
fn a_retired_skill_is_unknown_until_a_sync_lists_it_again() {
    let mut floor = Floor::new(snapshot(&["sales", "billing"])).unwrap();
    let billing = floor.skill_index("billing").unwrap();
    assert_eq!(floor.slots(billing), Ok(Slots::Count(1)));
    // The next poll drops billing: its agents, visitors and the skill itself.
    let mut next = snapshot(&["sales"]);
    next.taken_at = at(10_000);
    floor.sync(at(10_000), &next).unwrap();
    let gone = LookupError::UnknownSkill { skill: "billing".into() };
    for (k, got) in every_query(&floor, billing).into_iter().enumerate() {
        assert_eq!(got, Err(gone.clone()), "query {k}");
    }
    assert_eq!(floor.slots("billing"), Err(gone));
    // Listed again, the old index names it again, and answers as a floor built afresh does.
    let mut again = snapshot(&["sales", "billing"]);
    again.taken_at = at(20_000);
    floor.sync(at(20_000), &again).unwrap();
    let fresh = Floor::new(again).unwrap();
    assert_eq!(floor.skill_index("billing"), Some(billing));
    let fresh_billing = fresh.skill_index("billing").unwrap();
    assert_eq!(floor.slots(billing), fresh.slots(fresh_billing));
    assert_eq!(floor.summary(Scope::Skill(billing)), fresh.summary(Scope::Skill(fresh_billing)));
}
