//! The recorded LivePerson polls under `testdata/liveperson/sync/` (the `bot_offer` example's
//! input), read with the adapter: a floor built from poll 1 and synced through each later poll
//! answers as a floor built from that poll alone, and each sync reports exactly what the story
//! of the polls changed.

use std::time::Duration;

use chatcap_adapter::{Ingest, liveperson};
use chatcap_core::{Agent, Floor, SkillId, Snapshot, SyncReport, Timestamp};

const T0: Timestamp = Timestamp::from_millis(1_717_236_000_000);
const POLLS: u32 = 4;

const ANN: &str = "27110113";
const BOB: &str = "27110213";
const CID: &str = "27110313";
const EVE: &str = "27110513";
const GUS: &str = "27110613";
const FAY: &str = "27114513";

#[allow(clippy::disallowed_methods)] // the test reads the repository's fixtures
fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/../../testdata/liveperson/sync/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

fn taken_at(poll: u32) -> Timestamp {
    T0.saturating_add(Duration::from_secs(10) * (poll - 1))
}

/// One poll: the agents, with the visitors its `queuestate` stands for.
fn poll(k: u32) -> Ingest {
    let agents = format!("poll_{k}_available_agents.json");
    let queue = format!("poll_{k}_queuestate.json");
    let mut ingest = liveperson::available_agents_json(&fixture(&agents), taken_at(k))
        .unwrap_or_else(|e| panic!("{}", e.with_file(&agents)));
    let (report, warnings) =
        liveperson::queue_state_json(&fixture(&queue)).unwrap_or_else(|e| panic!("{}", e.with_file(&queue)));
    ingest.warnings.extend(warnings);
    liveperson::apply_queue_state(&report, &mut ingest).unwrap_or_else(|e| panic!("{}", e.with_file(&queue)));
    ingest
}

fn snapshot(k: u32) -> Snapshot {
    poll(k).snapshot
}

/// The agents as plain data, by id. Each agent's skills come in the floor's skill order, which
/// a sync keeps from poll 1 and a new floor takes from its own poll; the story keeps the two
/// the same (Ann, listed first throughout, names Sales and Billing first, Dee Support).
fn agents_by_id(floor: &Floor) -> Vec<Agent> {
    let mut agents: Vec<Agent> = floor.agents().map(|a| a.to_agent()).collect();
    agents.sort_by(|a, b| a.id.cmp(&b.id));
    agents
}

/// The kinds a report lists, each with its ids, in the report's order; empty kinds left out.
fn listed(r: &SyncReport) -> Vec<(&'static str, Vec<String>)> {
    let agents = |ids: &[chatcap_core::AgentId]| ids.iter().map(|id| id.as_str().to_owned()).collect();
    let skills = |ids: &[SkillId]| ids.iter().map(|id| id.as_str().to_owned()).collect();
    let visitors = |ids: &[chatcap_core::VisitorId]| ids.iter().map(|v| v.0.to_string()).collect();
    let all: Vec<(&'static str, Vec<String>)> = vec![
        ("joined", agents(&r.joined)),
        ("left", agents(&r.left)),
        ("state_changed", agents(&r.state_changed)),
        ("state_restarted", agents(&r.state_restarted)),
        ("voice_changed", agents(&r.voice_changed)),
        ("capacity_changed", agents(&r.capacity_changed)),
        ("chats_changed", agents(&r.chats_changed)),
        ("skills_changed", agents(&r.skills_changed)),
        ("login_changed", agents(&r.login_changed)),
        ("group_changed", agents(&r.group_changed)),
        ("skills_defined", skills(&r.skills_defined)),
        ("skills_retired", skills(&r.skills_retired)),
        ("skills_renamed", skills(&r.skills_renamed)),
        ("visitors_arrived", visitors(&r.visitors_arrived)),
        ("visitors_left", visitors(&r.visitors_left)),
        ("visitors_moved", visitors(&r.visitors_moved)),
    ];
    all.into_iter().filter(|(_, ids)| !ids.is_empty()).collect()
}

fn ids(ids: &[&str]) -> Vec<String> {
    ids.iter().map(|s| (*s).to_owned()).collect()
}

/// What each poll from 2 changed, written from the story of the polls, not from the payloads.
fn expected(k: u32) -> Vec<(&'static str, Vec<String>)> {
    match k {
        // Only the time in state moves on; the one billing visitor still waits, 10 s longer.
        2 => vec![],
        // Cid closes his chat and goes Away; Fay's account appears, logged in; two more billing
        // visitors queue behind the first.
        3 => vec![
            ("joined", ids(&[FAY])),
            ("state_changed", ids(&[CID])),
            ("chats_changed", ids(&[CID])),
            ("visitors_arrived", ids(&["2", "3"])),
        ],
        // Gus's account is gone; Cid is back Online and Eve logs off (listed Offline); Bob's
        // limit goes from 2 to 4 and he takes two chats; Ann's chats change; the queue drains.
        4 => vec![
            ("left", ids(&[GUS])),
            ("state_changed", ids(&[CID, EVE])),
            ("capacity_changed", ids(&[BOB])),
            ("chats_changed", ids(&[ANN, BOB])),
            ("visitors_left", ids(&["1", "2", "3"])),
        ],
        _ => unreachable!("the story has 4 polls"),
    }
}

#[test]
fn the_polls_read_with_no_warning_but_the_synthesised_queue() {
    for k in 1..=POLLS {
        let ingest = poll(k);
        for w in &ingest.warnings {
            assert_eq!(w.kind, chatcap_adapter::WarningKind::QueueArrivalsAssumed, "poll {k}: {w}");
        }
        assert_eq!(ingest.warnings.len(), usize::from(k != 4), "poll {k}: {:?}", ingest.warnings);
    }
}

#[test]
fn a_floor_synced_through_the_polls_answers_as_one_built_from_each() {
    let mut synced = Floor::new(snapshot(1)).unwrap_or_else(|e| panic!("poll 1: {e}"));
    for k in 2..=POLLS {
        let next = snapshot(k);
        let report = synced.sync(taken_at(k), &next).unwrap_or_else(|e| panic!("poll {k}: {e}"));
        assert_eq!(listed(&report), expected(k), "poll {k}: {report}");

        let fresh = Floor::new(next).unwrap_or_else(|e| panic!("poll {k}: {e}"));
        let skills: Vec<SkillId> = fresh.skills().chain(synced.skills()).map(|s| s.id.clone()).collect();
        for skill in &skills {
            assert_eq!(
                synced.slots(skill).unwrap(),
                fresh.slots(skill).unwrap(),
                "poll {k}: slots of {skill}"
            );
            assert_eq!(
                synced.queue_len(skill).unwrap(),
                fresh.queue_len(skill).unwrap(),
                "poll {k}: queue of {skill}"
            );
        }
        assert_eq!(synced.slots_total(), fresh.slots_total(), "poll {k}: slots in total");
        assert_eq!(synced.summary_total(), fresh.summary_total(), "poll {k}: summary");
        assert_eq!(agents_by_id(&synced), agents_by_id(&fresh), "poll {k}: agents");
    }
}
