//! Property: however an availableAgents payload spells a floor (JSON with numbers as strings or
//! numbers, one agent as a bare object, one skill as a bare value; or XML), it reads back as the
//! same agents. The reference is the generated floor itself, written out by a naive encoder.

use chatcap_adapter::liveperson;
use chatcap_core::{AgentState, Capacity, Timestamp};
use proptest::prelude::*;

#[derive(Clone, Debug)]
struct Gen {
    state: AgentState,
    capacity: Capacity,
    chats: u32,
    skills: Vec<u8>,
    login: Option<String>,
}

fn agent() -> impl Strategy<Value = Gen> {
    (
        prop::sample::select(AgentState::ALL.to_vec()),
        prop_oneof![Just(Capacity::Unlimited), (0u32..10).prop_map(Capacity::Limited)],
        0u32..12,
        prop::collection::btree_set(0u8..6, 0..4),
        prop::option::of("[a-z]{1,6}"),
    )
        .prop_map(|(state, capacity, chats, skills, login)| Gen {
            state,
            capacity,
            chats,
            skills: skills.into_iter().collect(),
            login,
        })
}

fn code(s: AgentState) -> u8 {
    match s {
        AgentState::Offline => 1,
        AgentState::Online => 2,
        AgentState::Occupied => 3,
        AgentState::Away => 4,
    }
}

fn max(c: Capacity) -> i64 {
    match c {
        Capacity::Unlimited => -1,
        Capacity::Limited(n) => i64::from(n),
    }
}

/// Writes a number as a JSON number or as a string.
fn num(n: i64, as_string: bool) -> String {
    if as_string { format!("\"{n}\"") } else { n.to_string() }
}

fn json(agents: &[Gen], strings: bool, bare: bool) -> String {
    let items: Vec<String> = agents
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let skills = match a.skills.as_slice() {
                [] => "null".to_owned(),
                [one] if bare => format!(r#"{{"skill": {}}}"#, num(i64::from(*one), strings)),
                many => format!(
                    r#"{{"skill": [{}]}}"#,
                    many.iter().map(|s| num(i64::from(*s), strings)).collect::<Vec<_>>().join(",")
                ),
            };
            let login = a.login.as_ref().map_or(String::new(), |l| format!(r#""userName": "{l}{i}","#));
            format!(
                r#"{{"@id": {}, "@chatState": {}, "@maxChats": {}, {login} "skills": {skills}, "chats": {}, "elapsedTimeInState": {}, "unknown": [1, {{"x": null}}]}}"#,
                num(i as i64 + 100, strings),
                num(i64::from(code(a.state)), strings),
                num(max(a.capacity), strings),
                num(i64::from(a.chats), strings),
                num(1000, strings),
            )
        })
        .collect();
    let list = if bare && items.len() == 1 { items[0].clone() } else { format!("[{}]", items.join(",")) };
    format!(r#"{{"availableAgents": {{"agents": {{"agent": {list}}}}}}}"#)
}

fn xml(agents: &[Gen]) -> String {
    let mut s = String::from("<availableAgents><agents>");
    for (i, a) in agents.iter().enumerate() {
        s.push_str(&format!(
            r#"<agent id="{}" chatState="{}" maxChats="{}">"#,
            i + 100,
            code(a.state),
            max(a.capacity)
        ));
        if let Some(l) = &a.login {
            s.push_str(&format!("<userName>{l}{i}</userName>"));
        }
        s.push_str("<skills>");
        for k in &a.skills {
            s.push_str(&format!("<skill>{k}</skill>"));
        }
        s.push_str(&format!(
            "</skills><chats>{}</chats><elapsedTimeInState>1000</elapsedTimeInState></agent>",
            a.chats
        ));
    }
    s.push_str("</agents></availableAgents>");
    s
}

fn check(bytes: &[u8], xml: bool, agents: &[Gen]) -> Result<(), TestCaseError> {
    let t = Timestamp::from_millis(1_700_000_000_000);
    let ingest = if xml {
        liveperson::available_agents_xml(bytes, t)
    } else {
        liveperson::available_agents_json(bytes, t)
    }
    .map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert!(ingest.warnings.is_empty(), "{:?}", ingest.warnings);
    prop_assert_eq!(ingest.snapshot.agents.len(), agents.len());
    for (i, (got, want)) in ingest.snapshot.agents.iter().zip(agents).enumerate() {
        prop_assert_eq!(got.id.as_str(), (i + 100).to_string());
        prop_assert_eq!(got.chat_state, want.state);
        prop_assert_eq!(got.capacity, want.capacity);
        prop_assert_eq!(got.active_chats, want.chats);
        prop_assert_eq!(
            got.login.as_deref().map(str::to_owned),
            want.login.as_ref().map(|l| format!("{l}{i}"))
        );
        let skills: Vec<String> = want.skills.iter().map(u8::to_string).collect();
        prop_assert_eq!(got.skills.iter().map(|s| s.as_str().to_owned()).collect::<Vec<_>>(), skills);
    }
    // Every skill an agent names is on the floor, once.
    let mut all: Vec<String> = agents.iter().flat_map(|a| a.skills.iter().map(u8::to_string)).collect();
    all.sort();
    all.dedup();
    let mut got: Vec<String> = ingest.snapshot.skills.iter().map(|s| s.id.as_str().to_owned()).collect();
    got.sort();
    prop_assert_eq!(got, all);
    ingest.into_floor().map_err(|e| TestCaseError::fail(e.to_string()))?;
    Ok(())
}

proptest! {
    #[test]
    fn every_spelling_reads_back_the_same_floor(agents in prop::collection::vec(agent(), 1..8), strings: bool, bare: bool) {
        check(json(&agents, strings, bare).as_bytes(), false, &agents)?;
        check(xml(&agents).as_bytes(), true, &agents)?;
    }
}
