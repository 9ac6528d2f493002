//! Whatever the bytes: detect, read as agents and as a queue, build the floor, render the
//! answers, and read the rendered answers back.
#![no_main]

use chatcap_adapter::comm100::Comm100Options;
use chatcap_adapter::liveperson::{self, QueueStateVersion};
use chatcap_adapter::{detect, read_agents, read_queue};
use chatcap_core::{SkillSelection, Timestamp};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = detect(data);
    let t = Timestamp::from_millis(1_700_000_000_000);
    let Ok(mut ingest) = read_agents(&[("input", data)], t, &Comm100Options::default()) else { return };
    let _ = read_queue("input", data, &mut ingest);
    let Ok((floor, _)) = ingest.into_floor() else { return };
    let slots = floor.slots_total();
    let rendered = liveperson::render_available_slots(slots);
    assert_eq!(liveperson::available_slots_json(rendered.as_bytes()).expect("reads back"), slots);
    let view = floor.queue_state_view(SkillSelection::All, t);
    let rendered = liveperson::render_queue_state(&view, QueueStateVersion::V2);
    let (back, _) =
        liveperson::queue_state_json(rendered.as_bytes()).expect("rendered queuestate reads back");
    assert_eq!(back.skills.len(), view.skills.len());
});
