//! Forecast and requirements text from arbitrary bytes: each is read or refused with a typed
//! error, never a panic; a forecast read has the same intervals for every skill and values in
//! range, and a requirement read writes CSV that reads back the same.
#![no_main]

use chatcap_plan::{Forecast, Requirements};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(f) = Forecast::parse(text) {
        assert!([900, 1800, 3600].contains(&f.interval_s()));
        for s in f.skills() {
            assert_eq!(s.intervals.len(), f.starts().len());
            for i in &s.intervals {
                assert!(i.arrivals >= 0.0 && i.aht_s > 0.0 && i.arrivals.is_finite());
            }
        }
    }
    if let Ok(r) = Requirements::parse(text) {
        let again = Requirements::parse(&r.to_csv()).expect("written requirements read back");
        assert_eq!(again.total_by_slot().len(), r.total_by_slot().len());
    }
});
