//! Every kind of error, from inputs a careless user gives: each message says its file, its
//! place and its complaint once. A printer of error chains (`{:#}` in anyhow) adds each source's
//! message after the error's own, so the chain is what is checked.

use std::error::Error as _;

use chatcap_adapter::comm100::{self, Comm100Options};
use chatcap_adapter::liveperson;
use chatcap_adapter::{AdapterError, Ingest, read_agents, read_queue};
use chatcap_core::Timestamp;

const T0: Timestamp = Timestamp::from_millis(1_700_000_000_000);

#[allow(clippy::disallowed_methods)] // the test reads the repository's fixtures
fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/../../testdata/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

/// The error and its sources, as a chain printer writes them.
fn chain(e: &AdapterError) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

/// The first stretch of 20 or more characters that occurs twice in `s`, if any.
fn repeated(s: &str) -> Option<&str> {
    let b = s.as_bytes();
    (0..b.len().saturating_sub(19)).find_map(|i| {
        let w = &b[i..i + 20];
        b[i + 1..].windows(20).any(|x| x == w).then(|| s.get(i..i + 20).unwrap_or("(not utf-8)"))
    })
}

/// Long names, as real exports have: a file named twice would show. (Two files of one folder
/// share its name, which is no repeat of a source: these differ from their first characters.)
const AGENTS: &str = "exports/2024-05-17/floor/agents_page_1.json";
const AGENTS_2: &str = "downloads/realtime-agents-page-2.json";

fn errors() -> Vec<(&'static str, AdapterError)> {
    let opts = Comm100Options::default();
    let mut out = Vec::new();
    let truncated = fixture("liveperson/002_available_agents_truncated.json");
    out.push(("json", read_agents(&[(AGENTS, &truncated)], T0, &opts).unwrap_err()));
    let bad = fixture("liveperson/quirks/bad_max_chats.json");
    out.push(("json value", read_agents(&[(AGENTS, &bad)], T0, &opts).unwrap_err()));
    let xml = fixture("liveperson/quirks/truncated.xml");
    out.push(("xml", read_agents(&[(AGENTS, &xml)], T0, &opts).unwrap_err()));
    let mismatched = b"<availableAgents>\n<agents>\n</agent>\n</availableAgents>";
    out.push(("xml syntax", read_agents(&[(AGENTS, &mismatched[..])], T0, &opts).unwrap_err()));
    let attribute = br#"<availableAgents><agents><agent id="1 chatState="2"/></agents></availableAgents>"#;
    out.push(("xml attribute", read_agents(&[(AGENTS, &attribute[..])], T0, &opts).unwrap_err()));
    let xml = fixture("liveperson/quirks/fractional_max_chats.xml");
    out.push(("xml value", read_agents(&[(AGENTS, &xml)], T0, &opts).unwrap_err()));
    let no_id = br#"{"info": {"maxChats": "2"}}"#;
    out.push(("invalid", read_agents(&[(AGENTS, &no_id[..])], T0, &opts).unwrap_err()));
    let shape = fixture("comm100/quirks/queue_unknown_shape.json");
    out.push(("invalid shape", read_queue(AGENTS_2, &shape, &mut Ingest::default()).unwrap_err()));
    let unknown = br#"{"something": {"nested": 1}}"#;
    out.push(("unknown format", read_agents(&[(AGENTS, &unknown[..])], T0, &opts).unwrap_err()));
    let page = fixture("comm100/quirks/agents_page1.json");
    out.push(("not a queue", read_queue(AGENTS, &page, &mut Ingest::default()).unwrap_err()));
    out.push(("pages", comm100::agents_pages(&[(AGENTS, &page), (AGENTS, &page)], T0, &opts).unwrap_err()));
    let older = fixture("comm100/quirks/agents_older_api.json");
    out.push((
        "pages shapes",
        comm100::agents_pages(&[(AGENTS, &older), (AGENTS_2, &page)], T0, &opts).unwrap_err(),
    ));
    // Two readings merged by hand, both with agent 7: the core refuses the snapshot.
    let one = fixture("liveperson/quirks/single_agent.json");
    let mut merged = liveperson::available_agents_json(&one, T0).unwrap();
    merged.merge(liveperson::available_agents_json(&one, T0).unwrap());
    let model = merged.into_floor().unwrap_err();
    out.push(("model", model.clone()));
    out.push(("model with files", model.with_file(format!("{AGENTS}, {AGENTS_2}"))));
    out
}

#[test]
fn no_error_message_repeats_itself() {
    let errors = errors();
    let kinds: Vec<_> = errors
        .iter()
        .map(|(_, e)| match e {
            AdapterError::Json { .. } => "Json",
            AdapterError::Xml { .. } => "Xml",
            AdapterError::Invalid { .. } => "Invalid",
            AdapterError::UnknownFormat { .. } => "UnknownFormat",
            AdapterError::Pages { .. } => "Pages",
            AdapterError::Model { .. } => "Model",
            _ => "other",
        })
        .collect();
    for kind in ["Json", "Xml", "Invalid", "UnknownFormat", "Pages", "Model"] {
        assert!(kinds.contains(&kind), "no {kind} error rendered");
    }
    for (case, e) in &errors {
        let text = chain(e);
        assert!(repeated(&text).is_none(), "{case}: {:?} twice in {text}", repeated(&text));
    }
}

#[test]
fn a_model_error_says_its_complaint_once_and_no_document_root() {
    let (_, e) = errors().into_iter().find(|(case, _)| *case == "model").unwrap();
    assert!(e.source().is_none());
    assert_eq!(chain(&e), "agent 7 appears twice in the snapshot; agent ids must be unique");
    let e = e.with_file("agents.json");
    assert_eq!(chain(&e), "agents.json: agent 7 appears twice in the snapshot; agent ids must be unique");
}

#[test]
fn a_file_given_twice_is_named_once() {
    let (_, e) = errors().into_iter().find(|(case, _)| *case == "pages").unwrap();
    assert_eq!(e.to_string(), format!("{AGENTS}: pageIndex: page 1 given twice; expected each page once"));
}

#[test]
fn the_repeat_finder_finds_repeats() {
    assert_eq!(repeated("a.json: a.json"), None);
    let twice = format!("{AGENTS}: {AGENTS}");
    assert_eq!(repeated(&twice), Some(&AGENTS[..20]));
}
