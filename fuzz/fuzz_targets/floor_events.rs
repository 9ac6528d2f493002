//! Random event sequences applied to a `Router` (and so its `Floor`), checked after every event
//! against a naive model that recomputes slots, queues and the routing choice from scratch.
#![no_main]

use chatcap_core::{
    Agent, AgentId, AgentState, Capacity, Event, Floor, Ranking, RouteBy, Routed, Router, Skill, SkillId,
    Slots, Snapshot, Timestamp, VisitorId, Weight,
};
use libfuzzer_sys::fuzz_target;

const SKILLS: usize = 3;

#[derive(Clone, Debug)]
struct Naive {
    state: AgentState,
    capacity: Capacity,
    active: u32,
    skills: [bool; SKILLS],
}

impl Naive {
    fn eligible(&self, skill: usize) -> bool {
        self.skills[skill] && self.state == AgentState::Online && self.capacity != Capacity::Limited(0)
    }

    fn free(&self) -> Slots {
        match self.capacity {
            Capacity::Unlimited => Slots::Unlimited,
            Capacity::Limited(n) => Slots::Count(u64::from(n.saturating_sub(self.active))),
        }
    }

    /// Least-loaded key as a fraction (chats, limit): unlimited agents count as empty.
    fn load(&self) -> (u64, u64) {
        match self.capacity {
            Capacity::Unlimited => (0, 1),
            Capacity::Limited(n) => (u64::from(self.active), u64::from(n.max(1))),
        }
    }
}

fn state(b: u8) -> AgentState {
    AgentState::ALL[usize::from(b) % 4]
}

fn capacity(b: u8) -> Capacity {
    match b % 5 {
        4 => Capacity::Unlimited,
        n => Capacity::Limited(u32::from(n)),
    }
}

fn skill_id(s: usize) -> SkillId {
    SkillId::from(format!("s{s}"))
}

fn slots_of(naive: &[Naive], skill: Option<usize>) -> Slots {
    naive
        .iter()
        .filter(|a| {
            skill.map_or(a.state == AgentState::Online && a.capacity != Capacity::Limited(0), |s| {
                a.eligible(s)
            })
        })
        .map(Naive::free)
        .sum()
}

fuzz_target!(|data: &[u8]| {
    let mut bytes = data.iter().copied();
    let Some(n) = bytes.next().map(|b| usize::from(b % 8) + 1) else { return };
    let mut naive = Vec::new();
    let mut agents = Vec::new();
    for i in 0..n {
        let (Some(st), Some(cap), Some(mask)) = (bytes.next(), bytes.next(), bytes.next()) else { return };
        let a = Naive {
            state: state(st),
            capacity: capacity(cap),
            active: 0,
            skills: [0, 1, 2].map(|s| mask >> s & 1 == 1),
        };
        let skills: Vec<SkillId> = (0..SKILLS).filter(|&s| a.skills[s]).map(skill_id).collect();
        agents.push(Agent::new(format!("a{i}"), a.state, a.capacity).with_skills(skills));
        naive.push(a);
    }
    let ids: Vec<AgentId> = (0..n).map(|i| AgentId::from(format!("a{i}"))).collect();
    let skill_ids: Vec<SkillId> = (0..SKILLS).map(skill_id).collect();
    let mut now = Timestamp::from_millis(1_000);
    let snapshot = Snapshot {
        taken_at: now,
        skills: (0..SKILLS).map(|s| Skill::new(skill_id(s))).collect(),
        agents,
        queue: vec![],
    };
    let floor = Floor::new(snapshot).expect("a valid floor");
    let mut router = Router::new(floor, RouteBy::Ranking(Ranking::LeastLoaded), &[]).expect("no relaxations");
    let mut queues: [Vec<VisitorId>; SKILLS] = Default::default();
    let mut next_visitor = 0u64;
    while let (Some(op), Some(x), Some(y)) = (bytes.next(), bytes.next(), bytes.next()) {
        now = Timestamp::from_millis(now.as_millis() + 1);
        let a = usize::from(x) % n;
        let s = usize::from(y) % SKILLS;
        let id = &ids[a];
        match op % 8 {
            0 => {
                router.apply(now, Event::StateChanged { agent: id, state: state(y) }).expect("a known agent");
                naive[a].state = state(y);
            }
            1 => {
                router
                    .apply(now, Event::CapacityChanged { agent: id, capacity: capacity(y) })
                    .expect("a known agent");
                naive[a].capacity = capacity(y);
            }
            2 => {
                router
                    .apply(now, Event::ChatStarted { agent: id, weight: Weight::ONE })
                    .expect("room to count a chat");
                naive[a].active += 1;
            }
            3 => {
                let ok = router.apply(now, Event::ChatEnded { agent: id, weight: Weight::ONE }).is_ok();
                assert_eq!(ok, naive[a].active > 0, "a chat ends exactly when one is held");
                naive[a].active -= u32::from(ok);
            }
            4 => {
                if router.apply(now, Event::SkillAdded { agent: id, skill: &skill_ids[s] }).is_ok() {
                    naive[a].skills[s] = true;
                }
            }
            5 => {
                if router.apply(now, Event::SkillRemoved { agent: id, skill: &skill_ids[s] }).is_ok() {
                    naive[a].skills[s] = false;
                }
            }
            6 => {
                let v = VisitorId(next_visitor);
                next_visitor += 1;
                router
                    .apply(now, Event::VisitorQueued { visitor: v, skill: &skill_ids[s], priority: 0 })
                    .expect("a new visitor");
                queues[s].push(v);
            }
            _ => {
                let idx = router.floor().skill_index(skill_ids[s].as_str()).expect("a skill of the floor");
                let best = (0..n)
                    .filter(|&i| naive[i].eligible(s) && naive[i].free() != Slots::ZERO)
                    // Least loaded first (fractions compared exactly), then by id.
                    .min_by(|&i, &j| {
                        let ((ni, di), (nj, dj)) = (naive[i].load(), naive[j].load());
                        (u128::from(ni) * u128::from(dj))
                            .cmp(&(u128::from(nj) * u128::from(di)))
                            .then(ids[i].cmp(&ids[j]))
                    });
                match router.route(now, idx).expect("time moves forward") {
                    Routed::QueueEmpty => assert!(queues[s].is_empty()),
                    Routed::NoAgent { visitor } => {
                        assert_eq!(Some(&visitor), queues[s].first());
                        assert_eq!(best, None, "an agent could have taken the chat");
                    }
                    Routed::Assigned { visitor, agent, via_fallback } => {
                        assert_eq!(via_fallback, None);
                        assert_eq!(Some(visitor), queues[s].first().copied(), "the head of the queue");
                        assert_eq!(Some(&agent), best.map(|i| &ids[i]), "the least-loaded eligible agent");
                        queues[s].remove(0);
                        naive[best.expect("checked")].active += 1;
                    }
                    // `Routed` is non-exhaustive: an outcome this target does not check is a finding.
                    other => panic!("unchecked routing outcome {other:?}"),
                }
            }
        }
        let floor = router.floor();
        assert_eq!(floor.slots_total(), slots_of(&naive, None));
        for s in 0..SKILLS {
            assert_eq!(floor.slots(skill_ids[s].as_str()), Ok(slots_of(&naive, Some(s))), "skill {s}");
            assert_eq!(floor.queue_len(skill_ids[s].as_str()), Ok(queues[s].len() as u64), "queue {s}");
        }
    }
});
