//! LivePerson's messaging payloads: the examples of the Agent Metrics API (agent view status)
//! and the Messaging Operations API (current queue health), pinned under
//! `testdata/liveperson/messaging/`, and hand-made quirks; expected slots come from the
//! documents or from the arithmetic in the comments.

use std::time::Duration;

use chatcap_adapter::comm100::Comm100Options;
use chatcap_adapter::liveperson::{self, messaging};
use chatcap_adapter::{Format, WarningKind, detect, read_agents, read_queue};
use chatcap_core::{AgentState, Capacity, MaxWait, Scope, Slots, Timestamp};

const T0: Timestamp = Timestamp::from_millis(1_700_000_000_000);

#[allow(clippy::disallowed_methods)] // the test reads the repository's fixtures
fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/../../testdata/liveperson/messaging/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

#[test]
fn the_documents_agent_view_example() {
    let bytes = fixture("agent_view_status.json");
    assert_eq!(detect(&bytes).unwrap(), Format::LivePersonAgentView);
    let ingest = messaging::agent_view_json(&bytes, T0).unwrap();
    assert!(ingest.warnings.is_empty(), "{:?}", ingest.warnings);
    let a = &ingest.snapshot.agents;
    assert_eq!(a.len(), 2);
    assert_eq!((a[0].id.as_str(), a[0].login.as_deref()), ("8", Some("litalh@liveperson.com")));
    assert_eq!(
        (a[0].chat_state, a[0].capacity, a[0].active_chats),
        (AgentState::Online, Capacity::Limited(20), 0)
    );
    assert_eq!(a[0].time_in_state, Some(Duration::from_millis(92_854)));
    assert_eq!((a[1].chat_state, a[1].group.as_ref()), (AgentState::Away, None));
    let names: Vec<(&str, Option<&str>)> =
        ingest.snapshot.skills.iter().map(|s| (s.id.as_str(), s.name.as_deref())).collect();
    assert_eq!(names, [("2", Some("cats")), ("3", Some("lpsocial")), ("1", Some("dogs"))]);
    let (floor, _) = ingest.into_floor().unwrap();
    // Only lital (20 slots, none busy) is online; michal is away.
    assert_eq!(floor.slots("2").unwrap(), Slots::Count(20));
    assert_eq!(floor.slots_total(), Slots::Count(20));
}

#[test]
fn the_documents_queue_health_example_with_its_repeated_key() {
    let bytes = fixture("current_queue_health.json");
    assert_eq!(detect(&bytes).unwrap(), Format::LivePersonQueueHealth);
    let (report, warnings) = messaging::queue_health_json(&bytes).unwrap();
    let skills: Vec<(&str, u64, Option<Duration>)> = report
        .skills
        .iter()
        .map(|s| (s.skill.as_str(), s.state.unwrap().queue_size, s.state.unwrap().max_wait))
        .collect();
    assert_eq!(
        skills,
        [("12", 10, Some(Duration::from_millis(274))), ("13", 2, Some(Duration::from_millis(370)))]
    );
    assert_eq!(report.totals.unwrap().queue_size, 12);
    // The example lists unassignedConversationsAndFirstTimeConsumer twice for skill 13.
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0].at.path, "skillsMetrics.13.unassignedConversationsAndFirstTimeConsumer");
}

#[test]
fn quirks_read_into_the_floor_the_arithmetic_gives() {
    let agents = fixture("agent_view_quirks.json");
    let queue = fixture("queue_health_quirks.json");
    let mut ingest = read_agents(&[("view.json", &agents)], T0, &Comm100Options::default()).unwrap();
    read_queue("health.json", &queue, &mut ingest).unwrap();
    let kinds: Vec<WarningKind> = ingest.warnings.iter().map(|w| w.kind).collect();
    assert!(kinds.contains(&WarningKind::UnknownState), "eve's ON_BREAK: {kinds:?}");
    assert!(kinds.contains(&WarningKind::DuplicateAgent), "101 twice: {kinds:?}");
    assert!(kinds.contains(&WarningKind::QueueNoData), "skill 99: {kinds:?}");
    assert!(ingest.warnings.iter().all(|w| w.at.file.is_some()), "every warning names its file");
    let states: Vec<(&str, AgentState, u32)> =
        ingest.snapshot.agents.iter().map(|a| (a.id.as_str(), a.chat_state, a.active_chats)).collect();
    assert_eq!(
        states,
        [
            ("101", AgentState::Online, 3), // 2 busy + 1 ringing
            ("102", AgentState::Online, 3),
            ("103", AgentState::Occupied, 1), // BACK_SOON: no new conversations
            ("104", AgentState::Online, 7),
            ("105", AgentState::Away, 0), // unknown status
        ]
    );
    let (floor, _) = ingest.into_floor().unwrap();
    // Sales (12): ann 4 - 3 = 1, bob 3 - 3 = 0, eve away: 1 free; 3 actionable waiting.
    assert_eq!(floor.slots("12").unwrap(), Slots::Count(1));
    assert_eq!(floor.queue_len("12").unwrap(), 3);
    // Billing (13): dee is unlimited; 1 unassigned waiting (actionable has no data).
    assert_eq!(floor.slots("13").unwrap(), Slots::Unlimited);
    assert_eq!(floor.queue_len("13").unwrap(), 1);
    assert_eq!(floor.oldest_arrival("12").unwrap(), Some(T0.saturating_sub(Duration::from_secs(45))));
    // Within 600 s at 300 s per conversation: 1 + 6 releasable * (1 - e^-2) = 6.19, less 3
    // waiting: 3.
    let idx = floor.skill_index("12").unwrap();
    let within = floor
        .slots_within(Scope::Skill(idx), MaxWait::from_secs(600).unwrap(), Some(Duration::from_secs(300)))
        .unwrap();
    assert_eq!(within.slots, Slots::Count(3));
    // Rendered back in the legacy shapes, as chatcap serve's LivePerson routes answer.
    assert_eq!(liveperson::render_available_slots(floor.slots("12").unwrap()), r#"{"availableSlots":1}"#);
}

#[test]
fn bad_messaging_payloads_say_where() {
    let err = messaging::agent_view_json(
        br#"{"agentStatusRecords": [{"agentId": "1", "configuredMaxSlots": "many"}]}"#,
        T0,
    )
    .unwrap_err();
    assert!(err.to_string().contains("agentStatusRecords[0].configuredMaxSlots"), "{err}");
    let err = messaging::queue_health_json(br#"{"skillsMetrics": {"1": {"actionableConversations": 3"#)
        .unwrap_err();
    assert!(err.to_string().contains("line 1"), "{err}");
    let err = messaging::queue_health_json(br#"{"skillsMetrics": {"1": {}, "1": {}}}"#).unwrap_err();
    assert!(err.to_string().contains("listed twice"), "{err}");
}
