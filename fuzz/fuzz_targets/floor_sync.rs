//! Random sequences of snapshots of one contact center, some of them invalid, synced into a
//! `Router` (and so its `Floor`): after each sync the floor answers as a floor built from that
//! snapshot, routing picks the agent a freshly built router picks, and an invalid snapshot is
//! refused exactly when building a floor from it fails, changing nothing. Every other snapshot
//! holds the ids, logins and skill lists of the one before wherever they are equal, as a poll
//! edited from the last does, so that the sync's match by address is driven too.
#![no_main]

use std::time::Duration;

use chatcap_core::{
    Agent, AgentState, Capacity, Floor, QueuedVisitor, Ranking, RouteBy, Router, Scope, Skill, SkillId,
    Snapshot, Timestamp, VisitorId,
};
use libfuzzer_sys::fuzz_target;

const SKILLS: usize = 3;

fn skill_id(s: usize) -> SkillId {
    SkillId::from(format!("s{s}"))
}

/// Reads one snapshot from the front of `data`; `None` when the bytes run out.
fn snapshot(data: &mut &[u8], at_ms: i64) -> Option<Snapshot> {
    let mut next = || -> Option<u8> {
        let (&b, rest) = data.split_first()?;
        *data = rest;
        Some(b)
    };
    let listed = next()?;
    let skills: Vec<Skill> =
        (0..SKILLS).filter(|s| listed & (1 << s) != 0 || listed & 0x80 != 0).map(|s| Skill::new(skill_id(s))).collect();
    let n = usize::from(next()? % 9);
    let mut agents = Vec::with_capacity(n);
    for _ in 0..n {
        let (id, st, cap, active, mask, login) = (next()?, next()?, next()?, next()?, next()?, next()?);
        let capacity = match cap % 5 {
            4 => Capacity::Unlimited,
            k => Capacity::Limited(u32::from(k)),
        };
        // Skills the snapshot does not list, or a login given twice, make it invalid: those
        // snapshots must be refused.
        let mut agent = Agent::new(format!("a{}", id % 10), AgentState::ALL[usize::from(st % 4)], capacity)
            .with_active_chats(u32::from(active % 5))
            .with_skills((0..SKILLS).filter(|s| mask & (1 << s) != 0).map(skill_id))
            .with_time_in_state(Duration::from_millis(u64::from(st) * 97));
        if login < 4 {
            agent = agent.with_login(format!("l{login}"));
        }
        agents.push(agent);
    }
    let q = usize::from(next()? % 5);
    let mut queue = Vec::with_capacity(q);
    for _ in 0..q {
        let (v, s, wait) = (next()?, next()?, next()?);
        queue.push(QueuedVisitor::new(
            VisitorId(u64::from(v % 8)),
            skill_id(usize::from(s) % SKILLS),
            Timestamp::from_millis(at_ms - i64::from(wait) * 10),
        ));
    }
    Some(Snapshot { taken_at: Timestamp::from_millis(at_ms), skills, agents, queue })
}

/// `next` with every id, login and skill list equal to one of `last`'s replaced by `last`'s own.
fn share_texts(last: &Snapshot, next: &mut Snapshot) {
    use std::collections::HashMap;
    let ids: HashMap<&str, &chatcap_core::AgentId> = last.agents.iter().map(|a| (a.id.as_str(), &a.id)).collect();
    let logins: HashMap<&str, &std::sync::Arc<str>> =
        last.agents.iter().filter_map(|a| Some((&**a.login.as_ref()?, a.login.as_ref()?))).collect();
    let lists: HashMap<&[SkillId], &std::sync::Arc<[SkillId]>> =
        last.agents.iter().map(|a| (&a.skills[..], &a.skills)).collect();
    for a in &mut next.agents {
        if let Some(&id) = ids.get(a.id.as_str()) {
            a.id = id.clone();
        }
        if let Some(&l) = a.login.as_deref().and_then(|l| logins.get(l)) {
            a.login = Some(l.clone());
        }
        if let Some(&list) = lists.get(&a.skills[..]) {
            a.skills = list.clone();
        }
    }
}

fn same_answers(synced: &Floor, fresh: &Floor) {
    assert_eq!(synced.agent_count(), fresh.agent_count());
    assert_eq!(synced.slots_total(), fresh.slots_total());
    assert_eq!(synced.summary_total(), fresh.summary_total());
    for s in 0..SKILLS {
        let id = skill_id(s);
        assert_eq!(synced.slots(&id), fresh.slots(&id), "slots of {id}");
        assert_eq!(synced.queue_len(&id), fresh.queue_len(&id));
        assert_eq!(synced.queue_head(&id), fresh.queue_head(&id));
        if let (Some(a), Some(b)) = (synced.skill_index(id.as_str()), fresh.skill_index(id.as_str())) {
            assert_eq!(synced.summary(Scope::Skill(a)), fresh.summary(Scope::Skill(b)));
        }
    }
    for a in fresh.agents() {
        let mut mine = synced.agent(a.id()).expect("every agent of the snapshot is on the synced floor").to_agent();
        let mut theirs = a.to_agent();
        std::sync::Arc::make_mut(&mut mine.skills).sort();
        std::sync::Arc::make_mut(&mut theirs.skills).sort();
        assert_eq!(mine, theirs);
    }
}

fuzz_target!(|data: &[u8]| {
    let mut data = data;
    let t0 = 1_700_000_000_000;
    let Some(first) = snapshot(&mut data, t0) else { return };
    let mut last = first.clone();
    let Ok(floor) = Floor::new(first) else { return };
    let by = RouteBy::Ranking(Ranking::LeastLoaded);
    let Ok(mut router) = Router::new(floor, by, &[]) else { return };
    let mut at = t0;
    while let Some(mut next) = {
        at += 1_000;
        snapshot(&mut data, at)
    } {
        if (at - t0) % 2_000 == 0 {
            share_texts(&last, &mut next);
        }
        let before = router.floor().to_snapshot();
        let fresh = Floor::new(next.clone());
        match (router.sync(next.taken_at, &next), fresh) {
            (Ok(_), Ok(fresh)) => {
                same_answers(router.floor(), &fresh);
                // Routing a new visitor to every skill picks the same agents.
                let mut other = Router::new(fresh, by, &[]).expect("no relaxations");
                for s in 0..SKILLS {
                    let id = skill_id(s);
                    let (Some(a), Some(b)) = (router.floor().skill_index(id.as_str()), other.floor().skill_index(id.as_str()))
                    else {
                        continue;
                    };
                    let v = VisitorId(100 + s as u64);
                    let mine = router.arrive(next.taken_at, v, a, 0).expect("new visitor");
                    let theirs = other.arrive(next.taken_at, v, b, 0).expect("new visitor");
                    assert_eq!(mine, theirs);
                }
            }
            (Err(_), Err(_)) => {
                // Refused: nothing changed.
                assert_eq!(router.floor().to_snapshot(), before);
            }
            (mine, theirs) => panic!("sync gave {mine:?} where a fresh floor gave {:?}", theirs.map(|_| ())),
        }
        last = next;
    }
});
