//! LivePerson JSON readers on arbitrary bytes; availableSlots parse -> render -> parse.
#![no_main]

use chatcap_adapter::liveperson;
use chatcap_core::Timestamp;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let t = Timestamp::from_millis(1_700_000_000_000);
    if let Ok(ingest) = liveperson::available_agents_json(data, t) {
        if let Ok((floor, _)) = ingest.into_floor() {
            let _ = liveperson::render_available_slots(floor.slots_total());
        }
    }
    let _ = liveperson::agent_info_json(data, t).map(|i| i.into_floor());
    let _ = liveperson::availability_json(data);
    if let Ok(slots) = liveperson::available_slots_json(data) {
        let rendered = liveperson::render_available_slots(slots);
        let again = liveperson::available_slots_json(rendered.as_bytes())
            .expect("rendered availableSlots reads back");
        assert_eq!(again, slots, "{rendered}");
    }
});
