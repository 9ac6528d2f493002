//! Reading a large `availableAgents` payload allocates at most twice the payload's size at its
//! peak. Its own test binary, so that the counting allocator sees only this test's
//! allocations (one test, on the test's own thread).

use std::alloc::System;
use std::fmt::Write as _;

use chatcap_adapter::liveperson;
use chatcap_core::Timestamp;
use peakmem_alloc::{INSTRUMENTED_SYSTEM, PeakMemAlloc, PeakMemAllocTrait};

#[global_allocator]
static ALLOC: &PeakMemAlloc<System> = &INSTRUMENTED_SYSTEM;

/// An availableAgents payload as the API sends it (the bench's shape): attributes as `@` keys,
/// numbers as strings, one skill as a bare string and several as a list, `skillsInfo` with
/// names, 20 skills over the floor.
fn payload(agents: usize) -> Vec<u8> {
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let mut below = |n: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % n
    };
    let mut s = String::with_capacity(agents * 450);
    s.push_str(r#"{"availableAgents":{"agents":{"agent":["#);
    for i in 0..agents {
        if i > 0 {
            s.push(',');
        }
        let state = 1 + below(4);
        let max = if below(20) == 0 { -1 } else { 1 + below(8) as i64 };
        let chats = below(6);
        let n_skills = 1 + below(3) as usize;
        let first = below(20) as usize;
        let skills: Vec<String> = (0..n_skills).map(|k| format!("skill-{}", (first + k * 3) % 20)).collect();
        let skill_json = if n_skills == 1 {
            format!("\"{}\"", skills[0])
        } else {
            format!("[{}]", skills.iter().map(|k| format!("\"{k}\"")).collect::<Vec<_>>().join(","))
        };
        let info: Vec<String> =
            skills.iter().map(|k| format!(r#"{{"id":"{k}","name":"Skill {k}"}}"#)).collect();
        let info_json = if n_skills == 1 { info[0].clone() } else { format!("[{}]", info.join(",")) };
        let (g, ms) = (26_000_000 + below(50), below(3_600_000));
        let _ = write!(
            s,
            r#"{{"@id":"{id}","@chatState":"{state}","@voiceState":"1","@maxChats":"{max}","userName":"agent{i}","nickname":"Agent {i}","email":"agent{i}@example.com","privilegeGroup":"agents","skills":{{"skill":{skill_json}}},"skillsInfo":{{"skillInfo":{info_json}}},"chats":"{chats}","agentGroupName":"Group {g}","agentGroupId":"{g}","elapsedTimeInState":"{ms}"}}"#,
            id = 25_000_000 + i,
        );
    }
    s.push_str(r#"]},"link":{"@href":"https://webserver/next","@rel":"next"}}}"#);
    s.into_bytes()
}

#[test]
fn reading_a_large_payload_peaks_below_twice_its_size() {
    let agents = 50_000;
    let bytes = payload(agents);
    ALLOC.reset_peak_memory();
    let ingest = liveperson::available_agents_json(&bytes, Timestamp::EPOCH).unwrap();
    let peak = ALLOC.get_peak_memory();
    assert_eq!(ingest.snapshot.agents.len(), agents);
    assert_eq!(ingest.snapshot.skills.len(), 20);
    assert!(ingest.warnings.is_empty(), "{:?}", &ingest.warnings[..1]);
    assert!(
        peak <= 2 * bytes.len(),
        "reading {} bytes of {agents} agents peaked at {peak} bytes ({:.2} times the payload)",
        bytes.len(),
        peak as f64 / bytes.len() as f64
    );
}
