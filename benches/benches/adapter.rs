//! Vendor ingest: a 10,000-agent LivePerson availableAgents payload read into a core snapshot,
//! against a generic `serde_json::Value` parse of the same bytes.

use std::fmt::Write as _;
use std::hint::black_box;

use chatcap_adapter::liveperson;
use chatcap_benches::{Rng, SKILLS, criterion, skill_id};
use chatcap_core::Timestamp;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

/// An availableAgents payload in the shape the API sends: attributes as `@` keys, numbers as
/// strings, one skill as a bare string and several as a list, `skillsInfo` with names.
fn payload(agents: usize) -> Vec<u8> {
    let mut rng = Rng::new(0xad_a97e ^ agents as u64);
    let mut s = String::with_capacity(agents * 700);
    s.push_str(r#"{"availableAgents":{"agents":{"agent":["#);
    for i in 0..agents {
        if i > 0 {
            s.push(',');
        }
        let state = 1 + rng.below(4);
        let max = if rng.below(20) == 0 { -1 } else { 1 + rng.below(8) as i64 };
        let chats = rng.below(6);
        let n_skills = 1 + rng.below(3) as usize;
        let first = rng.below(SKILLS as u64) as usize;
        let skills: Vec<String> = (0..n_skills).map(|k| skill_id((first + k * 3) % SKILLS)).collect();
        let skill_json = if n_skills == 1 {
            format!("\"{}\"", skills[0])
        } else {
            format!("[{}]", skills.iter().map(|k| format!("\"{k}\"")).collect::<Vec<_>>().join(","))
        };
        let info: Vec<String> =
            skills.iter().map(|k| format!(r#"{{"id":"{k}","name":"Skill {k}"}}"#)).collect();
        let info_json = if n_skills == 1 { info[0].clone() } else { format!("[{}]", info.join(",")) };
        let _ = write!(
            s,
            r#"{{"@id":"{id}","@chatState":"{state}","@voiceState":"1","@maxChats":"{max}","userName":"agent{i}","nickname":"Agent {i}","email":"agent{i}@example.com","privilegeGroup":"agents","skills":{{"skill":{skill_json}}},"skillsInfo":{{"skillInfo":{info_json}}},"chats":"{chats}","agentGroupName":"Group {g}","agentGroupId":"{g}","elapsedTimeInState":"{ms}"}}"#,
            id = 25_000_000 + i,
            g = 26_000_000 + rng.below(50),
            ms = rng.below(3_600_000),
        );
    }
    s.push_str(r#"]},"link":{"@href":"https://webserver/api/account/1/agentSession/2/availableAgents?timeStamp=1331544926464","@rel":"next"}}}"#);
    s.into_bytes()
}

fn ingest(c: &mut Criterion) {
    let mut g = c.benchmark_group("adapter");
    let n = 10_000;
    let bytes = payload(n);
    let t = Timestamp::from_millis(1_700_000_000_000);
    let read = liveperson::available_agents_json(&bytes, t).expect("the payload reads");
    assert_eq!(read.snapshot.agents.len(), n);
    assert_eq!(read.snapshot.skills.len(), SKILLS);
    assert!(read.warnings.is_empty(), "{:?}", &read.warnings[..1]);
    let value: serde_json::Value = serde_json::from_slice(&bytes).expect("valid JSON");
    assert_eq!(value["availableAgents"]["agents"]["agent"].as_array().map(Vec::len), Some(n));
    g.throughput(Throughput::Bytes(bytes.len() as u64));
    g.bench_with_input(BenchmarkId::new("available_agents_typed_ingest", n), &bytes, |b, bytes| {
        b.iter(|| liveperson::available_agents_json(black_box(bytes), t).map(|i| i.snapshot.agents.len()))
    });
    g.bench_with_input(BenchmarkId::new("available_agents_serde_json_value", n), &bytes, |b, bytes| {
        b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(bytes)).map(|v| v.is_object()))
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = criterion();
    targets = ingest
}
criterion_main!(benches);
