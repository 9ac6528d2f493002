//! queuestate on arbitrary bytes, then parse -> floor -> render -> parse: the rendered response
//! reads back with the floor's figures.
#![no_main]

use chatcap_adapter::Ingest;
use chatcap_adapter::liveperson::{self, QueueStateVersion};
use chatcap_core::{Agent, AgentState, Capacity, Skill, SkillSelection, Slots, Snapshot, Timestamp};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok((report, _)) = liveperson::queue_state_json(data) else { return };
    // Keep each input fast: big queues are only more of the same visitors.
    if report.skills.iter().any(|s| s.state.is_some_and(|st| st.queue_size > 1_000)) {
        return;
    }
    let t = Timestamp::from_millis(1_700_000_000_000);
    let mut snapshot = Snapshot { taken_at: t, ..Snapshot::default() };
    for (i, s) in report.skills.iter().enumerate() {
        if let Some(st) = s.state {
            snapshot.skills.push(Skill::new(s.skill.clone()));
            let cap = u32::try_from(st.available_slots).map_or(Capacity::Unlimited, Capacity::Limited);
            snapshot
                .agents
                .push(Agent::new(format!("a{i}"), AgentState::Online, cap).with_skills([s.skill.clone()]));
        }
    }
    let mut ingest = Ingest { snapshot, ..Ingest::default() };
    if liveperson::apply_queue_state(&report, &mut ingest).is_err() {
        return;
    }
    let Ok((floor, _)) = ingest.into_floor() else { return };
    let ids: Vec<_> = report.skills.iter().map(|s| s.skill.clone()).collect();
    let view = floor.queue_state_view(SkillSelection::Only(&ids), t);
    for version in [QueueStateVersion::V1, QueueStateVersion::V2] {
        let rendered = liveperson::render_queue_state(&view, version);
        let (back, _) =
            liveperson::queue_state_json(rendered.as_bytes()).expect("rendered queuestate reads back");
        assert_eq!(back.skills.len(), view.skills.len(), "{rendered}");
        for (b, v) in back.skills.iter().zip(&view.skills) {
            assert_eq!(b.skill, v.skill);
            match (b.state, v.state) {
                (None, None) => {}
                (Some(b), Some(v)) => {
                    let expected = match v.available {
                        Slots::Unlimited => 1,
                        Slots::Count(n) => n.min(i64::MAX as u64),
                    };
                    assert_eq!(b.available_slots, expected, "{rendered}");
                    assert_eq!(b.queue_size, v.queued, "{rendered}");
                    if version == QueueStateVersion::V2 {
                        assert_eq!(
                            b.max_wait.map(|d| d.as_millis()),
                            v.max_wait.map(|d| d.as_millis()),
                            "{rendered}"
                        );
                    }
                }
                _ => panic!("no-data skills differ: {rendered}"),
            }
        }
        // Rendering what was read back gives the same text.
        let again = liveperson::render_queue_state(&view, version);
        assert_eq!(again, rendered);
    }
});
