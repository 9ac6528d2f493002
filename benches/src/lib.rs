//! Shared set-up for chatcap's criterion benches: one criterion configuration and the synthetic
//! floors every bench runs on.

use std::time::Duration;

use chatcap_core::{
    Agent, AgentState, Capacity, QueuedVisitor, Skill, SkillId, Snapshot, Timestamp, VisitorId,
};
use criterion::Criterion;

/// Floor sizes every bench runs across.
pub const SIZES: [usize; 5] = [10, 100, 1_000, 10_000, 100_000];

/// Skills on every synthetic floor.
pub const SKILLS: usize = 20;

/// The one criterion configuration of the project: short enough that the whole suite runs in
/// minutes on two cores, long enough for stable nanosecond figures.
pub fn criterion() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(50)
        .configure_from_args()
}

/// A small deterministic generator (SplitMix64), so floors are the same on every run.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
}

/// The skill id of skill number `i`.
pub fn skill_id(i: usize) -> String {
    format!("skill-{i}")
}

/// A floor of `agents` agents over [`SKILLS`] skills, 1 to 5 skills each, states mostly
/// online, limits 1 to 8 (some agents above theirs), and three visitors queued per skill.
pub fn snapshot(agents: usize) -> Snapshot {
    let mut rng = Rng::new(0x5eed ^ agents as u64);
    let taken_at = Timestamp::from_millis(1_700_000_000_000);
    // One id per skill and one list per set of skills, shared by the agents that have them, as
    // the adapter shares them within one payload.
    let skill_ids: Vec<SkillId> = (0..SKILLS).map(|i| SkillId::from(skill_id(i))).collect();
    let skills = skill_ids.iter().map(|id| Skill::new(id.clone())).collect();
    let mut lists: std::collections::HashMap<(usize, usize), std::sync::Arc<[SkillId]>> =
        std::collections::HashMap::new();
    let agents = (0..agents)
        .map(|i| {
            let state = match rng.below(10) {
                0..=6 => AgentState::Online,
                7 => AgentState::Occupied,
                8 => AgentState::Away,
                _ => AgentState::Offline,
            };
            // Unlimited agents would make every skill unlimited and the sums trivial: keep them
            // off the benches' floors so that the counted path is what is measured.
            let limit = 1 + rng.below(8) as u32;
            let active = rng.below(u64::from(limit) + 2) as u32;
            let n_skills = 1 + rng.below(5) as usize;
            let first = rng.below(SKILLS as u64) as usize;
            let skills = lists
                .entry((first, n_skills))
                .or_insert_with(|| {
                    (0..n_skills).map(|k| skill_ids[(first + k * 3) % SKILLS].clone()).collect()
                })
                .clone();
            let mut agent =
                Agent::new(format!("agent-{i}"), state, Capacity::Limited(limit)).with_active_chats(active);
            agent.skills = skills;
            agent.with_login(format!("login-{i}"))
        })
        .collect();
    let queue = (0..SKILLS as u64 * 3)
        .map(|v| {
            let skill = skill_ids[(v % SKILLS as u64) as usize].clone();
            QueuedVisitor::new(
                VisitorId(v),
                skill,
                Timestamp::from_millis(taken_at.as_millis() - 1_000 * v as i64),
            )
        })
        .collect();
    Snapshot { taken_at, skills, agents, queue }
}

/// The next poll of a floor made by [`snapshot`]: 10 seconds later, with one agent in a hundred
/// changed (at least one). Of those, in turn: a state change, a chat started or ended, a new
/// limit, a skill swapped, an agent gone and a new one in its stead. The queue keeps its
/// visitors but for one that left and one that arrived.
pub fn next_poll(snapshot: &Snapshot) -> Snapshot {
    let mut next = snapshot.clone();
    next.taken_at = Timestamp::from_millis(snapshot.taken_at.as_millis() + 10_000);
    let n = next.agents.len();
    let changed = (n / 100).max(1);
    let mut rng = Rng::new(0xc4a9 ^ n as u64);
    let mut picked = std::collections::BTreeSet::new();
    while picked.len() < changed {
        picked.insert(rng.below(n as u64) as usize);
    }
    for (k, &i) in picked.iter().enumerate() {
        let a = &mut next.agents[i];
        match k % 5 {
            0 => {
                a.chat_state = match a.chat_state {
                    AgentState::Online => AgentState::Away,
                    _ => AgentState::Online,
                }
            }
            1 => a.active_chats = if a.active_chats == 0 { 1 } else { a.active_chats - 1 },
            2 => {
                a.capacity = match a.capacity {
                    Capacity::Limited(l) => Capacity::Limited(l % 8 + 1),
                    Capacity::Unlimited => Capacity::Limited(4),
                }
            }
            3 => {
                let swapped = SkillId::from(skill_id((k * 7) % SKILLS));
                if !a.skills.contains(&swapped) {
                    let mut skills = a.skills.to_vec();
                    skills[0] = swapped;
                    a.skills = skills.into();
                }
            }
            _ => {
                a.id = format!("agent-new-{i}").into();
                a.login = Some(format!("login-new-{i}").into());
            }
        }
    }
    next.queue.remove(0);
    let last = next.queue.len() as u64;
    next.queue.push(QueuedVisitor::new(
        VisitorId(1_000_000 + last),
        next.skills[0].id.clone(),
        next.taken_at,
    ));
    next
}
