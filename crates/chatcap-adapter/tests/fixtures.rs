//! The vendor documents' examples (pinned under `testdata/`) and the hand-made quirk fixtures,
//! read into floors whose expected slots come from the documents or from the arithmetic in the
//! comments.

use std::time::Duration;

use chatcap_adapter::comm100::{self, Comm100Options, StatusTable};
use chatcap_adapter::liveperson::{self, QueueStateVersion};
use chatcap_adapter::{AdapterError, Format, Ingest, WarningKind, detect, read_agents, read_queue};
use chatcap_core::{
    Agent, AgentState, Capacity, Floor, MaxWait, Scope, SkillId, SkillSelection, Slots, Snapshot, Timestamp,
};
use rust_decimal::Decimal;

const T0: Timestamp = Timestamp::from_millis(1_700_000_000_000);

#[allow(clippy::disallowed_methods)] // the test reads the repository's fixtures
fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/../../testdata/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

fn agents(name: &str) -> Ingest {
    let bytes = fixture(name);
    read_agents(&[(name, bytes)], T0, &Comm100Options::default()).unwrap_or_else(|e| panic!("{e}"))
}

fn floor(ingest: Ingest) -> Floor {
    ingest.into_floor().unwrap_or_else(|e| panic!("{e}")).0
}

fn kinds(ingest: &Ingest) -> Vec<WarningKind> {
    ingest.warnings.iter().map(|w| w.kind).collect()
}

fn json(s: &str) -> serde_json::Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("{e}: {s}"))
}

// ---- 000 / 002: availableSlots ----

#[test]
fn doc_000_and_002_available_slots_is_one() {
    for name in ["liveperson/000_available_slots.json", "liveperson/002_available_slots.json"] {
        let bytes = fixture(name);
        assert_eq!(detect(&bytes).unwrap(), Format::LivePersonAvailableSlots);
        assert_eq!(liveperson::available_slots_json(&bytes).unwrap(), Slots::Count(1), "{name}");
    }
}

// ---- 001: availableAgents ----

#[test]
fn doc_001_available_agents_one_away_unlimited_agent() {
    let ingest = agents("liveperson/001_available_agents.json");
    let a = &ingest.snapshot.agents[0];
    assert_eq!(ingest.snapshot.agents.len(), 1);
    assert_eq!(a.id.as_str(), "2");
    assert_eq!(a.chat_state, AgentState::Away); // "@chatState": "4"
    assert_eq!(a.voice_state, Some(AgentState::Offline)); // "@voiceState": "1"
    assert_eq!(a.capacity, Capacity::Unlimited); // "@maxChats": "-1"
    assert_eq!(a.login.as_deref(), Some("Agent1"));
    assert_eq!(a.skills[..], [SkillId::from("2"), SkillId::from("4")]);
    assert_eq!(a.active_chats, 0);
    // `chats` is documented but absent from the example.
    assert!(kinds(&ingest).contains(&WarningKind::MissingChats));
    assert_eq!(
        ingest.next_page.as_deref(),
        Some(
            "https://webserver/api/account/20026006/agentSession/982759926/availableAgents?timeStamp=1331544926464"
        )
    );
    let floor = floor(ingest);
    // The only agent is away: nothing can start, although it is unlimited.
    assert_eq!(floor.slots("2").unwrap(), Slots::Count(0));
    assert_eq!(floor.slots_total(), Slots::Count(0));
    assert_eq!(floor.agent_slots_by_login("Agent1").unwrap(), Slots::Count(0));
}

// ---- 002: agent info, availability, the truncated availableAgents ----

#[test]
fn doc_002_agent_info_online_unlimited_with_three_named_skills() {
    let ingest = agents("liveperson/002_agent_info.json");
    let s = &ingest.snapshot;
    assert_eq!(s.agents.len(), 1);
    let a = &s.agents[0];
    assert_eq!(a.id.as_str(), "25025413");
    assert_eq!(a.login.as_deref(), Some("john@company.com"));
    assert_eq!((a.chat_state, a.voice_state), (AgentState::Online, Some(AgentState::Offline)));
    assert_eq!(a.capacity, Capacity::Unlimited);
    let names: Vec<_> = s.skills.iter().map(|k| (k.id.as_str(), k.name.as_deref().unwrap())).collect();
    assert_eq!(names, [("25975313", "Sales"), ("26060413", "Billing"), ("26077613", "OrdersHandlers")]);
    // The info resource reports neither chats held nor time in state.
    let k = kinds(&ingest);
    assert!(k.contains(&WarningKind::MissingChats) && k.contains(&WarningKind::TimeInState), "{k:?}");
    let floor = floor(ingest);
    assert_eq!(floor.slots("26060413").unwrap(), Slots::Unlimited);
}

#[test]
fn doc_002_availability_words() {
    let (av, w) = liveperson::availability_json(&fixture("liveperson/002_availability.json")).unwrap();
    assert_eq!((av.chat, av.voice), (Some(AgentState::Online), Some(AgentState::Offline)));
    assert!(w.is_empty());
    let (av, _) =
        liveperson::availability_json(&fixture("liveperson/002_availability_chat_only.json")).unwrap();
    assert_eq!((av.chat, av.voice), (Some(AgentState::Online), None));
}

#[test]
fn doc_002_truncated_available_agents_is_rejected_with_file_path_line_and_column() {
    let name = "liveperson/002_available_agents_truncated.json";
    let bytes = fixture(name);
    let err = read_agents(&[(name, &bytes)], T0, &Comm100Options::default()).unwrap_err();
    let AdapterError::Json { at, message } = &err else { panic!("expected a JSON error, got {err:?}") };
    assert_eq!(at.file.as_deref(), Some(name));
    // The sixth agent (index 5, id 26729413) is cut off after "@voiceState": "1", where the
    // parser waits for its next key.
    assert_eq!(at.path, "availableAgents.agents.agent[5]");
    let lines = bytes.iter().filter(|&&b| b == b'\n').count();
    assert!(at.line.unwrap() >= lines, "{err}");
    assert!(message.contains("EOF"), "{message}");
    let text = err.to_string();
    assert!(text.starts_with(&format!("{name}: availableAgents.agents.agent[5]")), "{text}");
}

#[test]
fn doc_002_first_five_agents_repaired_by_hand() {
    // The well-formed part of the truncated example, closed after its fifth agent.
    let ingest = agents("liveperson/quirks/002_available_agents_first_five.json");
    let s = &ingest.snapshot;
    assert_eq!(s.agents.len(), 5);
    let big = s.agents.iter().find(|a| a.id.as_str() == "26663513").unwrap();
    // "skills": null, "skillsInfo": null, "@maxChats": "0"
    assert!(big.skills.is_empty());
    assert_eq!(big.capacity, Capacity::Limited(0));
    let reem = &s.agents[0];
    assert_eq!(reem.group, None); // "agentGroupId": "-1"
    assert_eq!(reem.time_in_state, Some(Duration::from_millis(908_445)));
    // The offline agents' "elapsedTimeInState": "0" is no time kept, not a state begun just now.
    assert!(s.agents[1..].iter().all(|a| a.chat_state == AgentState::Offline && a.time_in_state.is_none()));
    assert_eq!(s.agents[1].group.as_ref().map(|g| g.as_str()), Some("26432513"));
    assert_eq!(
        s.skills.iter().find(|k| k.id.as_str() == "26077613").unwrap().name.as_deref(),
        Some("OrdersHandlers")
    );
    let floor = floor(ingest);
    // Only Reem Diab is online ("2"), with "-1" (unlimited): every skill of hers is unlimited.
    assert_eq!(floor.slots("25975313").unwrap(), Slots::Unlimited);
    // The others are offline ("1"): 0 for them.
    assert_eq!(floor.agent_slots_by_login("sales").unwrap(), Slots::Count(0));
}

// ---- 003: queuestate ----

/// A floor that reproduces a queuestate example: one online agent per skill whose limit is
/// the example's available slots, and the example's queue.
fn floor_for_queue_state(name: &str) -> (Floor, String) {
    let text = String::from_utf8(fixture(name)).unwrap();
    let (report, _) = liveperson::queue_state_json(text.as_bytes()).unwrap();
    let mut snapshot = Snapshot { taken_at: T0, ..Snapshot::default() };
    for s in &report.skills {
        if let Some(st) = s.state {
            snapshot.skills.push(chatcap_core::Skill::new(s.skill.clone()));
            snapshot.agents.push(
                Agent::new(
                    format!("agent-{}", s.skill),
                    AgentState::Online,
                    Capacity::Limited(st.available_slots as u32),
                )
                .with_skills([s.skill.clone()]),
            );
        }
    }
    let mut ingest = Ingest { snapshot, ..Ingest::default() };
    liveperson::apply_queue_state(&report, &mut ingest).unwrap();
    (floor(ingest), text)
}

#[test]
fn doc_003_queuestate_v2_all_renders_as_documented() {
    let (floor, text) = floor_for_queue_state("liveperson/003_queuestate_v2_all.json");
    let view = floor.queue_state_view(SkillSelection::All, T0);
    assert_eq!(json(&liveperson::render_queue_state(&view, QueueStateVersion::V2)), json(&text));
}

#[test]
fn doc_003_queuestate_v1_all_and_skills_1_2() {
    let (floor, text) = floor_for_queue_state("liveperson/003_queuestate_v1_all.json");
    let view = floor.queue_state_view(SkillSelection::All, T0);
    assert_eq!(json(&liveperson::render_queue_state(&view, QueueStateVersion::V1)), json(&text));
    let only = [SkillId::from("1"), SkillId::from("2")];
    let view = floor.queue_state_view(SkillSelection::Only(&only), T0);
    let expected = String::from_utf8(fixture("liveperson/003_queuestate_v1_skills_1_2.json")).unwrap();
    // 5 + 11 = 16 slots, 5 + 14 = 19 waiting.
    assert_eq!(json(&liveperson::render_queue_state(&view, QueueStateVersion::V1)), json(&expected));
}

#[test]
fn doc_003_queuestate_v2_skill_without_data_is_minus_one_and_left_out_of_totals() {
    let (floor, text) = floor_for_queue_state("liveperson/003_queuestate_v2_skills_1_100.json");
    let only = [SkillId::from("1"), SkillId::from("100")];
    let view = floor.queue_state_view(SkillSelection::Only(&only), T0);
    let rendered = liveperson::render_queue_state(&view, QueueStateVersion::V2);
    assert_eq!(json(&rendered), json(&text));
    // Skill order follows the request, as in the document.
    assert!(rendered.find("\"1\"").unwrap() < rendered.find("\"100\"").unwrap());
}

#[test]
fn doc_003_queuestate_reads_sentinels() {
    let (r, w) = liveperson::queue_state_json(&fixture("liveperson/003_queuestate_v2_all.json")).unwrap();
    assert!(w.is_empty() && r.has_wait_times);
    let four = r.skills.iter().find(|s| s.skill.as_str() == "4").unwrap().state.unwrap();
    assert_eq!((four.available_slots, four.queue_size, four.max_wait), (27, 0, None)); // -1: nobody waits
    let totals = r.totals.unwrap();
    assert_eq!((totals.available_slots, totals.queue_size), (49, 34));
    assert_eq!(totals.max_wait, Some(Duration::from_millis(75_388)));
    let (r, _) =
        liveperson::queue_state_json(&fixture("liveperson/003_queuestate_v2_skills_1_100.json")).unwrap();
    assert_eq!(r.skills[1].state, None);
    let (r, _) = liveperson::queue_state_json(&fixture("liveperson/003_queuestate_v1_all.json")).unwrap();
    assert!(!r.has_wait_times);
}

// ---- 004: Comm100 ----

#[test]
fn doc_004_comm100_agents_page_with_default_assumptions() {
    let ingest = agents("comm100/004_realtime_agents_page1.json");
    let k = kinds(&ingest);
    for expected in [WarningKind::AssumedStatus, WarningKind::ZeroMaxChats, WarningKind::IncompletePages] {
        assert!(k.contains(&expected), "{expected:?} missing from {k:?}");
    }
    let s = &ingest.snapshot;
    assert_eq!(s.agents.len(), 5); // "total": 32, but this is page 1 of 7
    let online: Vec<_> = s.agents.iter().filter(|a| a.chat_state == AgentState::Online).collect();
    assert_eq!(online.len(), 2); // the two with the all-zero GUID
    assert!(online.iter().all(|a| a.active_chats == 1 && a.capacity == Capacity::Limited(3)));
    let floor = floor(ingest);
    // Two online agents, each holding 1 chat of the default 3: (3 - 1) + (3 - 1) = 4.
    assert_eq!(floor.slots_total(), Slots::Count(4));
}

#[test]
fn doc_004_comm100_zero_max_chats_settings() {
    let bytes = fixture("comm100/004_realtime_agents_page1.json");
    let read = |zero| {
        let opts = Comm100Options { zero_max_chats: zero, ..Comm100Options::default() };
        let (ingest, _) = comm100::agents_json(&bytes, T0, &opts).unwrap();
        floor(ingest).slots_total()
    };
    assert_eq!(read(Capacity::Unlimited), Slots::Unlimited);
    // Read literally, 0 takes no chats.
    assert_eq!(read(Capacity::Limited(0)), Slots::Count(0));
    // A limit of 1 with 1 chat held: 0 free each.
    assert_eq!(read(Capacity::Limited(1)), Slots::Count(0));
}

#[test]
fn doc_004_comm100_linear_chat_time_parses_exactly() {
    // "06:53:57.0500000": 6 h 53 min 57 s and 500,000 ticks of 100 ns.
    assert_eq!(comm100::parse_timespan("06:53:57.0500000"), Some(Duration::new(24_837, 50_000_000)));
    // "00:20:38.2649999": 20 min 38 s and 2,649,999 ticks.
    assert_eq!(comm100::parse_timespan("00:20:38.2649999"), Some(Duration::new(1_238, 264_999_900)));
}

#[test]
fn doc_004_comm100_queue() {
    let bytes = fixture("comm100/004_realtime_queue.json");
    assert_eq!(detect(&bytes).unwrap(), Format::Comm100Queue);
    let (q, w) = comm100::queue_json(&bytes).unwrap();
    assert_eq!(q.len(), 1);
    assert_eq!(q[0].department.as_ref().unwrap().as_str(), "3fa85f64-5717-4562-b3fc-2c963f66afa6");
    assert_eq!(q[0].name.as_deref(), Some("string"));
    assert_eq!(q[0].visitors, vec![("3fa85f64-5717-4562-b3fc-2c963f66afa6".to_owned(), Duration::ZERO)]);
    // "currentQueueLength": 0 but one visitor listed.
    assert!(w.iter().any(|w| w.kind == WarningKind::QueueLengthMismatch));
}

// ---- hand-made LivePerson quirks ----

fn check_quirk_floor(name: &str) {
    let mut ingest = agents(name);
    let k = kinds(&ingest);
    // Agent 11 has no chats; agent 12 lists skill 3 only in skillsInfo; agent 17 has state "9".
    for expected in [WarningKind::MissingChats, WarningKind::SkillListing, WarningKind::UnknownState] {
        assert!(k.contains(&expected), "{name}: {expected:?} missing from {k:?}");
    }
    assert_eq!(
        ingest.next_page.as_deref(),
        Some("https://webserver/api/account/1/agentSession/2/availableAgents?timeStamp=1331544926464")
    );
    let s = &ingest.snapshot;
    let ann = &s.agents[0];
    assert_eq!(ann.time_in_state, Some(Duration::from_secs(60)));
    assert_eq!(ann.group, None);
    assert_eq!(s.agents[1].group.as_ref().unwrap().as_str(), "26432513");
    assert_eq!(s.agents[1].voice_state, Some(AgentState::Online));
    assert_eq!(s.skills.iter().map(|k| k.id.as_str()).collect::<Vec<_>>(), ["1", "2", "3"]);
    assert_eq!(s.skills[2].name.as_deref(), Some("VIP"));
    let queue = fixture("liveperson/quirks/queuestate_v2.json");
    read_queue("queuestate_v2.json", &queue, &mut ingest).unwrap();
    let floor = floor(ingest);
    // Skill 1: ann (online, 4 - 1 = 3) + bob (online, 3 - 0, chats missing = 0) = 6;
    // dee is occupied, fay away (unlimited but away), gus has maxChats 0.
    assert_eq!(floor.slots("1").unwrap(), Slots::Count(6), "{name}");
    // Skill 2: ann 3 + eve max(0, 2 - 4) = 0; dee occupied; hal's unknown state is not routable.
    assert_eq!(floor.slots("2").unwrap(), Slots::Count(3), "{name}");
    // Skill 3 (from skillsInfo only): cy is online and unlimited.
    assert_eq!(floor.slots("3").unwrap(), Slots::Unlimited, "{name}");
    assert_eq!(floor.agent_slots_by_login("ann").unwrap(), Slots::Count(3));
    let idx = |s: &str| Scope::Skill(floor.skill_index(s).unwrap());
    // Skill 1 within 0 s: max(0, 6 - 2 queued) = 4.
    assert_eq!(floor.slots_within(idx("1"), MaxWait::NOW, None).unwrap().slots, Slots::Count(4));
    // Skill 1 within 120 s, AHT 300 s: ann's 1 chat frees 1 slot; 1 * (1 - e^-0.4) = 0.3297;
    // floor(6 + 0.3297) - 2 = 4.
    let aht = Some(Duration::from_secs(300));
    assert_eq!(
        floor.slots_within(idx("1"), MaxWait::from_secs(120).unwrap(), aht).unwrap().slots,
        Slots::Count(4)
    );
    // Skill 2 within 600 s, AHT 300 s: free 3; slots that can free up: ann 1, eve 2 (her limit;
    // the 2 chats over it free none) = 3; 3 * (1 - e^-2) = 2.594; floor(3 + 2.594) - 1 queued = 4.
    assert_eq!(
        floor.slots_within(idx("2"), MaxWait::from_secs(600).unwrap(), aht).unwrap().slots,
        Slots::Count(4)
    );
    // The longest wait on skill 1 is the reported 30,000 ms.
    let view = floor.queue_state_view(SkillSelection::All, T0);
    assert_eq!(view.skills[0].state.unwrap().max_wait, Some(Duration::from_secs(30)));
    assert_eq!(view.totals.queued, 3);
}

#[test]
fn quirks_json_floor() {
    check_quirk_floor("liveperson/quirks/agents.json");
}

#[test]
fn quirks_xml_floor_is_the_same_as_json() {
    check_quirk_floor("liveperson/quirks/agents.xml");
    let j = agents("liveperson/quirks/agents.json").snapshot;
    let x = agents("liveperson/quirks/agents.xml").snapshot;
    // The XML fixture spells hal's login with an entity: h&amp;l.
    assert_eq!(x.agents[7].login.as_deref(), Some("h&l"));
    assert_eq!(j.agents.len(), x.agents.len());
    for (a, b) in j.agents.iter().zip(&x.agents) {
        assert_eq!(
            (&a.id, a.chat_state, a.capacity, a.active_chats, &a.skills),
            (&b.id, b.chat_state, b.capacity, b.active_chats, &b.skills)
        );
    }
    assert_eq!(j.skills, x.skills);
}

#[test]
fn quirks_single_agent_as_bare_object_with_numbers() {
    for name in ["liveperson/quirks/single_agent.json", "liveperson/quirks/single_agent.xml"] {
        let ingest = agents(name);
        assert!(ingest.warnings.iter().all(|w| w.kind == WarningKind::TimeInState), "{:?}", ingest.warnings);
        let a = &ingest.snapshot.agents[0];
        assert_eq!((a.id.as_str(), a.capacity, a.active_chats), ("7", Capacity::Limited(3), 2));
        // 3 - 2 = 1 free on skill 42.
        assert_eq!(floor(ingest).slots("42").unwrap(), Slots::Count(1), "{name}");
    }
}

#[test]
fn quirks_bad_max_chats_names_path_line_and_column() {
    let err = read_agents(
        &[("bad.json", fixture("liveperson/quirks/bad_max_chats.json"))],
        T0,
        &Comm100Options::default(),
    )
    .unwrap_err();
    let at = err.location();
    assert_eq!(at.path, "availableAgents.agents.agent[3].@maxChats");
    // Line 5 holds agent 4; column 53 is the closing quote of "lots".
    assert_eq!((at.line, at.column), (Some(5), Some(53)));
    assert!(err.to_string().contains("expected an integer"), "{err}");
    let err = read_agents(
        &[("bad.xml", fixture("liveperson/quirks/bad_max_chats.xml"))],
        T0,
        &Comm100Options::default(),
    )
    .unwrap_err();
    assert!(matches!(err, AdapterError::Xml { .. }));
    let at = err.location();
    assert_eq!(
        (at.file.as_deref(), at.path.as_str()),
        (Some("bad.xml"), "availableAgents.agents.agent[3].@maxChats")
    );
    assert_eq!(at.line, Some(6));
}

#[test]
fn quirks_truncated_xml_is_rejected() {
    let err = liveperson::available_agents_xml(&fixture("liveperson/quirks/truncated.xml"), T0).unwrap_err();
    assert!(matches!(err, AdapterError::Xml { .. }), "{err:?}");
    assert!(err.to_string().contains("truncated"), "{err}");
}

// ---- hand-made Comm100 quirks ----

#[test]
fn comm100_pages_merge_and_map_statuses() {
    let p1 = fixture("comm100/quirks/agents_page1.json");
    let p2 = fixture("comm100/quirks/agents_page2.json");
    // Pages in either order; page 2 spells the field ongoingChats.
    let ingest = read_agents(&[("p2.json", &p2), ("p1.json", &p1)], T0, &Comm100Options::default()).unwrap();
    assert!(!kinds(&ingest).contains(&WarningKind::IncompletePages));
    let unknown: Vec<_> = ingest.warnings.iter().filter(|w| w.kind == WarningKind::UnknownStatus).collect();
    assert_eq!(unknown.len(), 1);
    assert_eq!(unknown[0].at.file.as_deref(), Some("p2.json"));
    assert_eq!(unknown[0].at.path, "list[0].currentStatusId");
    let s = &ingest.snapshot;
    assert_eq!(s.agents.iter().map(|a| &a.id.as_str()[..2]).collect::<Vec<_>>(), ["a1", "a2", "a3", "a4"]);
    assert_eq!(s.agents[2].chat_state, AgentState::Away); // unknown GUID: not routable
    assert_eq!(s.agents[3].active_chats, 2); // "ongoingChats": 2
    let floor = floor(ingest);
    // a1: online, 0 -> default 3, 1 chat: 2 free. a2 away. a3 unknown: away. a4: 2 - 2 = 0.
    assert_eq!(floor.slots_total(), Slots::Count(2));
}

#[test]
fn comm100_custom_status_table() {
    let p2 = fixture("comm100/quirks/agents_page2.json");
    let opts = Comm100Options {
        statuses: StatusTable::default().with("{6F9619FF-8B86-D011-B42D-00C04FC964FF}", AgentState::Online),
        ..Comm100Options::default()
    };
    let (ingest, _) = comm100::agents_json(&p2, T0, &opts).unwrap();
    assert!(!kinds(&ingest).contains(&WarningKind::UnknownStatus));
    assert!(!kinds(&ingest).contains(&WarningKind::AssumedStatus));
    // a3 online with 5 free, a4 full: 5.
    assert_eq!(floor(ingest).slots_total(), Slots::Count(5));
}

#[test]
fn comm100_pages_that_do_not_fit_are_rejected() {
    let p1 = fixture("comm100/quirks/agents_page1.json");
    let opts = Comm100Options::default();
    let err = comm100::agents_pages(&[("a", &p1), ("b", &p1)], T0, &opts).unwrap_err();
    assert!(
        matches!(err, AdapterError::Pages { .. }) && err.to_string().contains("page 1 given twice"),
        "{err}"
    );
    let p2 = String::from_utf8(fixture("comm100/quirks/agents_page2.json"))
        .unwrap()
        .replace("\"total\": 4", "\"total\": 5");
    let err = comm100::agents_pages(&[("a", p1.as_slice()), ("b", p2.as_bytes())], T0, &opts).unwrap_err();
    assert!(err.to_string().contains("disagree on total"), "{err}");
    // Both pages claim 5 agents but list 4.
    let p1 = String::from_utf8(p1).unwrap().replace("\"total\": 4", "\"total\": 5");
    let err = comm100::agents_pages(&[("a", p1.as_bytes()), ("b", p2.as_bytes())], T0, &opts).unwrap_err();
    assert!(err.to_string().contains("list 4 agents; expected total = 5"), "{err}");
}

#[test]
fn comm100_queue_visitors_wait_for_their_department() {
    let mut ingest = agents("comm100/quirks/agents_page1.json");
    read_queue("queue.json", &fixture("comm100/quirks/queue.json"), &mut ingest).unwrap();
    assert!(kinds(&ingest).contains(&WarningKind::WaitUnitAssumed));
    let floor = floor(ingest);
    let d1 = "d1d1d1d1-0000-0000-0000-000000000001";
    assert_eq!(floor.queue_len(d1).unwrap(), 2);
    // The longest waiter: 90 s.
    assert_eq!(floor.oldest_arrival(d1).unwrap(), Some(Timestamp::from_millis(T0.as_millis() - 90_000)));
    // Whole floor within 0 s: a1's 2 free (page 1 only) minus 2 waiting = 0.
    assert_eq!(floor.slots_within(Scope::All, MaxWait::NOW, None).unwrap().slots, Slots::Count(0));
}

#[test]
fn comm100_today_and_right_now_are_exact() {
    let t = comm100::today_json(&fixture("comm100/quirks/today.json")).unwrap();
    assert_eq!(
        t.service_accessibility_rate,
        Some("0.9461538461538461538461538462".parse::<Decimal>().unwrap())
    );
    assert_eq!(t.unique_chat_rate, Some(Decimal::new(1, 1)));
    assert_eq!(t.avg_chat_time, Some(Decimal::new(30_525, 2)));
    assert_eq!((t.total_chats, t.chat_requests, t.abandonded_chats), (Some(120), Some(130), Some(7)));
    let r = comm100::right_now_json(&fixture("comm100/quirks/right_now.json")).unwrap();
    assert_eq!((r.logged_in_agents, r.agents_in_chat, r.current_queue_length), (Some(4), Some(2), Some(2)));
    assert_eq!(r.chat_utilization, Some(Decimal::new(60, 0)));
    assert_eq!(detect(&fixture("comm100/quirks/today.json")).unwrap(), Format::Comm100Today);
    assert_eq!(detect(&fixture("comm100/quirks/right_now.json")).unwrap(), Format::Comm100RightNow);
}

#[test]
fn timespan_with_days_and_one_tick() {
    // "1.02:00:00.0000001": 1 day 2 h and one 100 ns tick.
    assert_eq!(comm100::parse_timespan("1.02:00:00.0000001"), Some(Duration::new(26 * 3600, 100)));
    for bad in
        ["", "1:2", "24:00:00", "00:00:60", "00:00:00.", "00:00:00.1234567890", "-01:00:00", "a.00:00:00"]
    {
        assert_eq!(comm100::parse_timespan(bad), None, "{bad:?}");
    }
}

#[test]
fn quirks_empty_elements_as_empty_strings() {
    // XML-to-JSON converters turn <skills/> into "": no skills, not an error.
    let ingest = agents("liveperson/quirks/empty_elements.json");
    assert!(ingest.snapshot.agents[0].skills.is_empty());
    assert!(ingest.snapshot.skills.is_empty());
    // One online agent, maxChats 2, 0 chats: 2.
    assert_eq!(floor(ingest).slots_total(), Slots::Count(2));
    let err = liveperson::available_agents_json(
        br#"{"availableAgents": {"agents": {"agent": {"@id": "1", "skills": "x"}}}}"#,
        T0,
    )
    .unwrap_err();
    assert_eq!(err.location().path, "availableAgents.agents.agent.skills");
}

#[test]
fn agent_info_errors_name_its_member_paths() {
    // In the info resource maxChats is a member, not an attribute: no "@" in the path.
    let err = liveperson::agent_info_json(br#"{"info": {"id": "1", "maxChats": "-7"}}"#, T0).unwrap_err();
    assert_eq!(err.location().path, "info.maxChats");
    let err = liveperson::agent_info_json(br#"{"info": {"maxChats": "2"}}"#, T0).unwrap_err();
    assert_eq!(err.location().path, "info.id");
}

#[test]
fn duplicate_and_empty_logins() {
    let doc = br#"{"availableAgents": {"agents": {"agent": [
        {"@id": "1", "@chatState": "2", "@maxChats": "1", "chats": 0, "elapsedTimeInState": 0, "userName": "ann"},
        {"@id": "2", "@chatState": "2", "@maxChats": "1", "chats": 0, "elapsedTimeInState": 0, "userName": "ann"},
        {"@id": "3", "@chatState": "2", "@maxChats": "1", "chats": 0, "elapsedTimeInState": 0, "userName": ""},
        {"@id": "4", "@chatState": "2", "@maxChats": "1", "chats": 0, "elapsedTimeInState": 0, "userName": ""}]}}}"#;
    let ingest = liveperson::available_agents_json(doc, T0).unwrap();
    assert_eq!(kinds(&ingest), [WarningKind::DuplicateLogin]);
    assert_eq!(ingest.warnings[0].at.path, "availableAgents.agents.agent[1].userName");
    let logins: Vec<_> = ingest.snapshot.agents.iter().map(|a| a.login.as_deref()).collect();
    assert_eq!(logins, [Some("ann"), None, None, None]);
    // The floor builds: one login each at most. Four online agents with 1 free each: 4.
    assert_eq!(floor(ingest).slots_total(), Slots::Count(4));
}

// ---- repeated agent ids ----

#[test]
fn liveperson_repeated_agent_id_keeps_the_first_and_warns() {
    let ingest = agents("liveperson/quirks/repeated_agent_id.json");
    assert_eq!(kinds(&ingest), [WarningKind::DuplicateAgent]);
    assert_eq!(ingest.warnings[0].at.path, "availableAgents.agents.agent[1].@id");
    let s = &ingest.snapshot;
    assert_eq!(s.agents.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(), ["7", "8"]);
    // The first agent 7: maxChats 3, 1 chat, login ann; the repeat (maxChats 10, ann2) is gone.
    let a = &s.agents[0];
    assert_eq!((a.capacity, a.active_chats, a.login.as_deref()), (Capacity::Limited(3), 1, Some("ann")));
    // Skill 9 only the repeat named.
    assert_eq!(s.skills.iter().map(|k| k.id.as_str()).collect::<Vec<_>>(), ["1"]);
    // Skill 1: agent 7 (3 - 1) + agent 8 (2 - 0) = 4.
    assert_eq!(floor(ingest).slots("1").unwrap(), Slots::Count(4));
}

#[test]
fn liveperson_xml_repeated_agent_id_warns_with_its_path_line_and_column() {
    let ingest = agents("liveperson/quirks/repeated_agent_id.xml");
    assert_eq!(kinds(&ingest), [WarningKind::DuplicateAgent, WarningKind::DuplicateAgent]);
    let at: Vec<_> = ingest.warnings.iter().map(|w| (w.at.path.as_str(), w.at.line, w.at.column)).collect();
    // Line 5: the second <agent id="7">, from column 5; line 6: <id>7</id> after 4 spaces and
    // the 34 characters of <agent chatState="2" maxChats="1">, column 39.
    assert_eq!(
        at,
        [
            ("availableAgents.agents.agent[1].@id", Some(5), Some(5)),
            ("availableAgents.agents.agent[2].id", Some(6), Some(39)),
        ]
    );
    assert_eq!(ingest.warnings[0].at.file.as_deref(), Some("liveperson/quirks/repeated_agent_id.xml"));
    let ids: Vec<_> = ingest.snapshot.agents.iter().map(|a| a.id.as_str().to_owned()).collect();
    assert_eq!(ids, ["7", "8"]);
    let floor = floor(ingest);
    // 7: 3 - 1, 8: 2 - 0; cy's maxChats 1 went with her repeated id.
    assert_eq!(floor.slots("1").unwrap(), Slots::Count(4));
    assert_eq!(floor.slots_total(), Slots::Count(4));
}

#[test]
fn repeated_agent_id_and_login_across_files_keep_the_first() {
    let (a, b) =
        ("liveperson/quirks/repeated_agent_id.json", "liveperson/quirks/repeated_agent_next_page.json");
    let ingest = read_agents(&[(a, fixture(a)), (b, fixture(b))], T0, &Comm100Options::default()).unwrap();
    let w: Vec<_> =
        ingest.warnings.iter().map(|w| (w.kind, w.at.file.as_deref().unwrap(), w.at.path.as_str())).collect();
    assert_eq!(
        w,
        [
            (WarningKind::DuplicateAgent, a, "availableAgents.agents.agent[1].@id"),
            (WarningKind::DuplicateAgent, b, "availableAgents.agents.agent[0].@id"),
            (WarningKind::DuplicateLogin, b, "availableAgents.agents.agent[1].userName"),
        ]
    );
    let s = &ingest.snapshot;
    let got: Vec<_> = s.agents.iter().map(|a| (a.id.as_str(), a.login.as_deref(), a.chat_state)).collect();
    // Agent 7 as the first file has it (online), not as the second (away); agent 9 loses bob.
    assert_eq!(
        got,
        [
            ("7", Some("ann"), AgentState::Online),
            ("8", Some("bob"), AgentState::Online),
            ("9", None, AgentState::Online)
        ]
    );
    // Skill 1: 7 (3 - 1) + 8 (2 - 0) + 9 (1 - 0) = 5.
    assert_eq!(floor(ingest).slots("1").unwrap(), Slots::Count(5));
}

#[test]
fn comm100_repeated_agent_id_in_a_page_and_across_pages() {
    let bytes = fixture("comm100/quirks/agents_repeated_in_page.json");
    let (ingest, _) = comm100::agents_json(&bytes, T0, &Comm100Options::default()).unwrap();
    let dup: Vec<_> = ingest.warnings.iter().filter(|w| w.kind == WarningKind::DuplicateAgent).collect();
    assert_eq!(dup.len(), 1);
    assert_eq!(dup[0].at.path, "list[1].agentId");
    // "total": 3 counts the three entries: the page is whole.
    assert!(!kinds(&ingest).contains(&WarningKind::IncompletePages));
    assert_eq!(ingest.snapshot.agents.len(), 2);
    // Ann as first listed (limit 4, 1 chat): 3; Bob 2 - 0 = 2.
    assert_eq!(floor(ingest).slots_total(), Slots::Count(5));

    let (p1, p2) =
        (fixture("comm100/quirks/agents_page1.json"), fixture("comm100/quirks/agents_repeat_page2.json"));
    let ingest =
        comm100::agents_pages(&[("p1.json", &p1), ("p2.json", &p2)], T0, &Comm100Options::default()).unwrap();
    let dup: Vec<_> = ingest.warnings.iter().filter(|w| w.kind == WarningKind::DuplicateAgent).collect();
    assert_eq!(dup.len(), 1);
    assert_eq!((dup[0].at.file.as_deref(), dup[0].at.path.as_str()), (Some("p2.json"), "list[0].agentId"));
    let ids: Vec<_> = ingest.snapshot.agents.iter().map(|a| &a.id.as_str()[..2]).collect();
    assert_eq!(ids, ["a1", "a2", "a5"]);
    // a1 from page 1 (limit 0 -> 3, 1 chat): 2; a2 away; a5: 3 - 1 = 2.
    assert_eq!(floor(ingest).slots_total(), Slots::Count(4));
}

// ---- whole numbers written as floats ----

#[test]
fn liveperson_whole_number_floats_are_integers() {
    for name in ["liveperson/quirks/whole_number_floats.json", "liveperson/quirks/whole_number_floats.xml"] {
        let ingest = agents(name);
        assert!(ingest.warnings.is_empty(), "{name}: {:?}", ingest.warnings);
        let got: Vec<_> = ingest
            .snapshot
            .agents
            .iter()
            .map(|a| (a.chat_state, a.capacity, a.active_chats, a.time_in_state))
            .collect();
        assert_eq!(
            got,
            [
                // chatState 2.0, maxChats 4.0, chats "1.0", elapsedTimeInState 6e4
                (AgentState::Online, Capacity::Limited(4), 1, Some(Duration::from_millis(60_000))),
                // maxChats "5E0", chats 2e0, elapsedTimeInState "1.5e3"
                (AgentState::Online, Capacity::Limited(5), 2, Some(Duration::from_millis(1_500))),
            ],
            "{name}"
        );
        assert_eq!(ingest.snapshot.skills.iter().map(|k| k.id.as_str()).collect::<Vec<_>>(), ["42"]);
        // (4 - 1) + (5 - 2) = 6.
        assert_eq!(floor(ingest).slots("42").unwrap(), Slots::Count(6), "{name}");
    }
    let (r, _) =
        liveperson::queue_state_json(&fixture("liveperson/quirks/queuestate_whole_number_floats.json"))
            .unwrap();
    let st = r.skills[0].state.unwrap();
    assert_eq!((st.available_slots, st.queue_size, st.max_wait), (5, 2, Some(Duration::from_millis(30_000))));
}

#[test]
fn liveperson_fractional_limit_is_refused_naming_the_field() {
    let err = liveperson::available_agents_json(&fixture("liveperson/quirks/fractional_max_chats.json"), T0)
        .unwrap_err();
    assert!(matches!(err, AdapterError::Json { .. }), "{err:?}");
    assert_eq!(err.location().path, "availableAgents.agents.agent[0].@maxChats");
    assert!(err.to_string().contains("found 2.5, which is not a whole number"), "{err}");
    let err = liveperson::available_agents_xml(&fixture("liveperson/quirks/fractional_max_chats.xml"), T0)
        .unwrap_err();
    assert!(matches!(err, AdapterError::Xml { .. }), "{err:?}");
    assert_eq!(err.location().path, "availableAgents.agents.agent[0].@maxChats");
    assert_eq!(err.location().line, Some(2));
    assert!(err.to_string().contains(r#"found "2.5", which is not a whole number"#), "{err}");
}

#[test]
fn comm100_whole_number_floats_are_integers() {
    let (ingest, page) = comm100::agents_json(
        &fixture("comm100/quirks/agents_whole_number_floats.json"),
        T0,
        &Comm100Options::default(),
    )
    .unwrap();
    assert_eq!(
        (page.total, page.page_count, page.page_index, page.page_size),
        (Some(1), Some(1), Some(1), Some(5))
    );
    assert!(!kinds(&ingest).contains(&WarningKind::IncompletePages));
    let a = &ingest.snapshot.agents[0];
    assert_eq!((a.active_chats, a.capacity), (1, Capacity::Limited(4)));
    assert_eq!(floor(ingest).slots_total(), Slots::Count(3)); // 4 - 1

    let (q, w) = comm100::queue_json(&fixture("comm100/quirks/queue_whole_number_floats.json")).unwrap();
    assert!(!w.iter().any(|w| w.kind == WarningKind::QueueLengthMismatch), "{w:?}");
    let q = &q[0];
    let waits: Vec<_> = q.visitors.iter().map(|(_, w)| w.as_secs()).collect();
    assert_eq!(waits, [50, 50, 120]); // 50.0, 5e1, 1.2e2
    assert_eq!((q.queue_length, q.ongoing_chats, q.max_concurrent_chats), (3, 1, 6));
    assert_eq!((q.avg_wait_last_30_mins.as_secs(), q.avg_wait_last_60_mins.as_secs()), (45, 50));

    let r = comm100::right_now_json(&fixture("comm100/quirks/right_now_whole_number_floats.json")).unwrap();
    assert_eq!(
        (r.logged_in_agents, r.agents_in_chat, r.visitor_on_site, r.current_queue_length),
        (Some(4), Some(2), Some(10), Some(3))
    );
}

#[test]
fn comm100_fractional_wait_is_refused_naming_the_field() {
    let mut ingest = Ingest::default();
    let err =
        read_queue("q.json", &fixture("comm100/quirks/queue_fractional_wait.json"), &mut ingest).unwrap_err();
    assert!(matches!(err, AdapterError::Json { .. }), "{err:?}");
    assert_eq!(err.location().path, "[0].visitors[0].waitTime");
    let text = err.to_string();
    assert!(text.starts_with("q.json: [0].visitors[0].waitTime (line 3"), "{text}");
    assert!(text.contains("found 50.5, which is not a whole number; expected an integer"), "{text}");
}

// ---- Comm100's older real-time API ----

#[test]
fn comm100_older_queue_lists_visitors_under_queue() {
    let bytes = fixture("comm100/quirks/queue_older_api.json");
    assert_eq!(detect(&bytes).unwrap(), Format::Comm100Queue);
    let (q, w) = comm100::queue_json(&bytes).unwrap();
    assert_eq!(q.len(), 2);
    // Sales: three listed, the third without a waitTime.
    assert_eq!(q[0].queue_length, 3);
    let listed: Vec<_> = q[0].visitors.iter().map(|(id, w)| (id.as_str(), w.as_secs())).collect();
    assert_eq!(listed, [("v1", 40), ("v2", 75), ("v3", 0)]);
    // Support: "currentQueueLength": 4 and two listed: 4 count.
    assert_eq!((q[1].queue_length, q[1].visitors.len()), (4, 2));
    let older: Vec<_> =
        w.iter().filter(|w| w.kind == WarningKind::OlderApiShape).map(|w| w.at.path.as_str()).collect();
    assert_eq!(older, ["[0].queue", "[1].queue"]);
    let assumed = w.iter().find(|w| w.kind == WarningKind::QueueArrivalsAssumed).unwrap();
    assert_eq!(assumed.at.path, "[0].queue");
    assert!(assumed.message.starts_with("1 of the 3 visitors listed has no waitTime"), "{}", assumed.message);
    let mismatch = w.iter().find(|w| w.kind == WarningKind::QueueLengthMismatch).unwrap();
    assert_eq!(mismatch.at.path, "[1].currentQueueLength");
    assert!(
        mismatch.message.starts_with("currentQueueLength is 4 but 2 are listed under queue"),
        "{}",
        mismatch.message
    );

    let mut ingest = agents("comm100/quirks/agents_page1.json");
    read_queue("old.json", &bytes, &mut ingest).unwrap();
    let floor = floor(ingest);
    let (d1, d2) = ("d1d1d1d1-0000-0000-0000-000000000001", "d2d2d2d2-0000-0000-0000-000000000002");
    assert_eq!((floor.queue_len(d1).unwrap(), floor.queue_len(d2).unwrap()), (3, 4));
    assert_eq!(floor.oldest_arrival(d1).unwrap(), Some(Timestamp::from_millis(T0.as_millis() - 75_000)));
    assert_eq!(floor.oldest_arrival(d2).unwrap(), Some(Timestamp::from_millis(T0.as_millis() - 20_000)));
}

#[test]
fn comm100_older_queue_given_alone_with_bare_visitor_ids() {
    let bytes = fixture("comm100/quirks/queue_older_api_single.json");
    assert_eq!(detect(&bytes).unwrap(), Format::Comm100Queue);
    let mut ingest = agents("comm100/quirks/agents_page1.json");
    read_queue("old.json", &bytes, &mut ingest).unwrap();
    let k = kinds(&ingest);
    assert!(
        k.contains(&WarningKind::OlderApiShape) && k.contains(&WarningKind::QueueArrivalsAssumed),
        "{k:?}"
    );
    // No waits: no unit assumed.
    assert!(!k.contains(&WarningKind::WaitUnitAssumed), "{k:?}");
    let floor = floor(ingest);
    let d2 = "d2d2d2d2-0000-0000-0000-000000000002";
    // "v7" and "v8", with no wait: both at the snapshot time.
    assert_eq!(floor.queue_len(d2).unwrap(), 2);
    assert_eq!(floor.oldest_arrival(d2).unwrap(), Some(T0));
}

#[test]
fn comm100_older_agents_as_a_bare_list() {
    let bytes = fixture("comm100/quirks/agents_older_api.json");
    assert_eq!(detect(&bytes).unwrap(), Format::Comm100Agents);
    let ingest = agents("comm100/quirks/agents_older_api.json");
    let older: Vec<_> = ingest.warnings.iter().filter(|w| w.kind == WarningKind::OlderApiShape).collect();
    assert_eq!(older.len(), 1);
    assert!(older[0].message.contains("no paging"), "{}", older[0].message);
    assert!(!kinds(&ingest).contains(&WarningKind::IncompletePages));
    assert_eq!(ingest.snapshot.agents.len(), 3);
    // Ann 4 - 1, Bob 2 - 0; Cy is away (…0002).
    assert_eq!(floor(ingest).slots_total(), Slots::Count(5));
    // Mixed with a page of the current API: refused.
    let page = fixture("comm100/quirks/agents_page1.json");
    let err =
        comm100::agents_pages(&[("old.json", &bytes), ("new.json", &page)], T0, &Comm100Options::default())
            .unwrap_err();
    assert!(matches!(err, AdapterError::Pages { .. }), "{err:?}");
    assert_eq!(err.location().file.as_deref(), Some("old.json"));
    assert!(err.to_string().contains("while new.json is a page of the current API"), "{err}");
    // And it is no queue.
    let mut ingest = Ingest::default();
    assert!(read_queue("old.json", &bytes, &mut ingest).is_err());
}

#[test]
fn comm100_queue_shapes_that_cannot_be_read_are_refused() {
    for (name, says) in [
        (
            "comm100/quirks/queue_unknown_shape.json",
            r#"a queue entry with keys ["departmentId", "waitingVisitors"] and neither currentQueueLength nor a list"#,
        ),
        ("comm100/quirks/queue_both_lists.json", "both visitors and queue"),
    ] {
        let bytes = fixture(name);
        assert_eq!(detect(&bytes).unwrap(), Format::Comm100Queue, "{name}");
        let mut ingest = Ingest::default();
        let err = read_queue(name, &bytes, &mut ingest).unwrap_err();
        assert!(matches!(err, AdapterError::Invalid { .. }), "{err:?}");
        assert_eq!(err.location().path, "[0]", "{name}");
        assert!(err.to_string().contains(says), "{err}");
        assert!(ingest.snapshot.queue.is_empty());
    }
    let err = comm100::queue_json(&fixture("comm100/quirks/queue_length_too_long.json")).unwrap_err();
    assert_eq!(err.location().path, "[0].currentQueueLength");
    assert!(err.to_string().contains("found 1000001; expected at most 1000000 visitors"), "{err}");
}

// ---- a queue length and its list disagree ----

#[test]
fn comm100_queue_length_above_the_list_counts() {
    let bytes = fixture("comm100/quirks/queue_length_exceeds_list.json");
    let (q, w) = comm100::queue_json(&bytes).unwrap();
    assert_eq!((q[0].queue_length, q[0].visitors.len()), (5, 2));
    let m = w.iter().find(|w| w.kind == WarningKind::QueueLengthMismatch).unwrap();
    assert_eq!(m.at.path, "[0].currentQueueLength");
    assert_eq!(
        m.message,
        "currentQueueLength is 5 but 2 are listed under visitors: the larger, 5, counts; the 3 not listed are \
         taken to have arrived at the snapshot time"
    );
    let mut ingest = agents("comm100/quirks/agents_page1.json");
    read_queue("q.json", &bytes, &mut ingest).unwrap();
    let floor = floor(ingest);
    let d1 = "d1d1d1d1-0000-0000-0000-000000000001";
    assert_eq!(floor.queue_len(d1).unwrap(), 5);
    assert_eq!(floor.oldest_arrival(d1).unwrap(), Some(Timestamp::from_millis(T0.as_millis() - 60_000)));
    // a1's 2 free slots against 5 waiting: none within 0 s.
    assert_eq!(floor.slots_within(Scope::All, MaxWait::NOW, None).unwrap().slots, Slots::Count(0));
}

#[test]
fn doc_004_queue_list_above_the_length_counts() {
    let (q, w) = comm100::queue_json(&fixture("comm100/004_realtime_queue.json")).unwrap();
    // "currentQueueLength": 0 with one visitor listed.
    assert_eq!(q[0].queue_length, 1);
    let m = w.iter().find(|w| w.kind == WarningKind::QueueLengthMismatch).unwrap();
    assert_eq!(m.message, "currentQueueLength is 0 but 1 is listed under visitors: the larger, 1, counts");
}

#[test]
fn comm100_hand_built_queue_length_is_capped() {
    let q = comm100::DepartmentQueue {
        department: Some(SkillId::from("d")),
        name: None,
        queue_length: 3_000_000,
        ongoing_chats: 0,
        max_concurrent_chats: 0,
        avg_wait_last_30_mins: Duration::ZERO,
        avg_wait_last_60_mins: Duration::ZERO,
        abandoned_last_30_mins: 0,
        switched_to_messages_last_30_mins: 0,
        visitors: vec![("v".to_owned(), Duration::from_secs(9))],
    };
    let mut ingest =
        Ingest { snapshot: Snapshot { taken_at: T0, ..Snapshot::default() }, ..Ingest::default() };
    comm100::apply_queue(&[q], &mut ingest);
    assert_eq!(ingest.snapshot.queue.len(), 1_000_000);
    assert_eq!(ingest.snapshot.queue[0].arrived_at, Timestamp::from_millis(T0.as_millis() - 9_000));
    assert!(kinds(&ingest).contains(&WarningKind::QueueLengthMismatch));
}

#[test]
fn offline_agents_reporting_no_time_in_state_do_not_restart_at_every_poll() {
    // The documented example read twice, 10 s apart: its one online agent reports the same
    // 908,445 ms, so she re-entered her state; the offline agents' "0" says nothing, and a sync
    // must not take it for a state begun at each poll.
    let bytes = fixture("liveperson/quirks/002_available_agents_first_five.json");
    let read = |ms| liveperson::available_agents_json(&bytes, Timestamp::from_millis(ms)).unwrap().snapshot;
    let (first, next) = (read(1_700_000_000_000), read(1_700_000_010_000));
    let mut floor = Floor::new(first).unwrap();
    let report = floor.sync(next.taken_at, &next).unwrap();
    assert_eq!(report.state_restarted, [chatcap_core::AgentId::from("25025413")], "{report}");
}

// ---- shared texts ----

/// Agents read from one payload share one id per skill and one list per set of skills, in
/// both LivePerson forms: the same set in another order is another
/// list, and what the snapshot holds is what was listed, whatever is shared.
#[test]
fn one_payload_shares_its_skill_ids_and_lists() {
    let json = br#"{"availableAgents":{"agents":{"agent":[
        {"@id":"1","@chatState":"2","@maxChats":"2","chats":0,"skills":{"skill":["10","20"]}},
        {"@id":"2","@chatState":"2","@maxChats":"2","chats":0,"skills":{"skill":["10","20"]}},
        {"@id":"3","@chatState":"2","@maxChats":"2","chats":0,"skills":{"skill":["20","10"]}},
        {"@id":"4","@chatState":"2","@maxChats":"2","chats":0,"skills":{"skill":"20"}}]}}}"#;
    let xml = br#"<availableAgents><agents>
        <agent id="1" chatState="2" maxChats="2"><skills><skill>10</skill><skill>20</skill></skills><chats>0</chats></agent>
        <agent id="2" chatState="2" maxChats="2"><skills><skill>10</skill><skill>20</skill></skills><chats>0</chats></agent>
        <agent id="3" chatState="2" maxChats="2"><skills><skill>20</skill><skill>10</skill></skills><chats>0</chats></agent>
        <agent id="4" chatState="2" maxChats="2"><skills><skill>20</skill></skills><chats>0</chats></agent>
        </agents></availableAgents>"#;
    for ingest in [
        liveperson::available_agents_json(json, T0).unwrap_or_else(|e| panic!("{e}")),
        liveperson::available_agents_xml(xml, T0).unwrap_or_else(|e| panic!("{e}")),
    ] {
        let s = &ingest.snapshot;
        let text = |id: &SkillId| id.as_str().as_ptr();
        let listed: Vec<_> = s.skills.iter().map(|k| (k.id.as_str(), text(&k.id))).collect();
        for a in &s.agents {
            for id in a.skills.iter() {
                assert!(
                    listed.contains(&(id.as_str(), text(id))),
                    "agent {} has its own copy of skill {id}",
                    a.id
                );
            }
        }
        let names = |a: &Agent| a.skills.iter().map(|id| id.as_str().to_owned()).collect::<Vec<_>>();
        assert_eq!(names(&s.agents[0]), ["10", "20"]);
        assert_eq!(names(&s.agents[2]), ["20", "10"]);
        assert_eq!(names(&s.agents[3]), ["20"]);
        assert!(std::sync::Arc::ptr_eq(&s.agents[0].skills, &s.agents[1].skills));
        assert!(!std::sync::Arc::ptr_eq(&s.agents[0].skills, &s.agents[2].skills));
    }
}

/// Pages read together keep one id per skill and one list per set of skills: the second page's
/// agents take the first page's ids.
#[test]
fn pages_read_together_share_skill_ids_and_lists() {
    let page = |first: u32| {
        format!(
            r#"{{"availableAgents":{{"agents":{{"agent":[
            {{"@id":"{first}","@chatState":"2","@maxChats":"2","chats":0,"skills":{{"skill":["10","20"]}}}},
            {{"@id":"{}","@chatState":"2","@maxChats":"2","chats":0,"skills":{{"skill":["10","20"]}}}}]}}}}}}"#,
            first + 1
        )
        .into_bytes()
    };
    let ingest = read_agents(&[("p1.json", page(1)), ("p2.json", page(3))], T0, &Comm100Options::default())
        .unwrap_or_else(|e| panic!("{e}"));
    let s = &ingest.snapshot;
    assert_eq!(s.agents.len(), 4);
    assert_eq!(s.skills.len(), 2);
    for a in &s.agents {
        assert!(
            std::sync::Arc::ptr_eq(&a.skills, &s.agents[0].skills),
            "agent {} has a list of its own",
            a.id
        );
        for (id, skill) in a.skills.iter().zip(&s.skills) {
            assert_eq!(
                id.as_str().as_ptr(),
                skill.id.as_str().as_ptr(),
                "agent {} has its own copy of {id}",
                a.id
            );
        }
    }
}
