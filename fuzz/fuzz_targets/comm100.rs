//! Comm100 readers on arbitrary bytes.
#![no_main]

use chatcap_adapter::Ingest;
use chatcap_adapter::comm100::{self, Comm100Options};
use chatcap_core::Timestamp;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let t = Timestamp::from_millis(1_700_000_000_000);
    let opts = Comm100Options::default();
    if let Ok((ingest, _)) = comm100::agents_json(data, t, &opts) {
        let _ = ingest.into_floor();
    }
    let _ = comm100::agents_pages(&[("a", data), ("b", data)], t, &opts);
    if let Ok((queues, _)) = comm100::queue_json(data) {
        let mut ingest = Ingest::default();
        comm100::apply_queue(&queues, &mut ingest);
        let _ = ingest.into_floor();
    }
    let _ = comm100::today_json(data);
    let _ = comm100::right_now_json(data);
    let _ = comm100::parse_timespan(&String::from_utf8_lossy(data));
});
