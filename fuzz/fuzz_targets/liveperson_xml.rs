//! LivePerson availableAgents XML on arbitrary bytes.
#![no_main]

use chatcap_adapter::liveperson;
use chatcap_core::Timestamp;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let t = Timestamp::from_millis(1_700_000_000_000);
    if let Ok(ingest) = liveperson::available_agents_xml(data, t) {
        let _ = ingest.into_floor();
    }
});
