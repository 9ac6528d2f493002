//! Conversions at the edges of the API: timestamps from and to system time.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chatcap_core::{ModelError, Timestamp};
use proptest::prelude::*;

#[test]
fn timestamps_and_system_times_name_the_same_instant() {
    let t = Timestamp::from_millis(1_700_000_000_123);
    let sys = UNIX_EPOCH + Duration::new(1_700_000_000, 123_000_000);
    assert_eq!(SystemTime::from(t), sys);
    assert_eq!(Timestamp::try_from(sys), Ok(t));
    assert_eq!(SystemTime::from(Timestamp::EPOCH), UNIX_EPOCH);
    assert_eq!(SystemTime::from(Timestamp::from_millis(-1)), UNIX_EPOCH - Duration::from_millis(1));
    // Between two milliseconds: the earlier one, on both sides of the epoch.
    assert_eq!(Timestamp::try_from(sys + Duration::from_nanos(999_999)), Ok(t));
    assert_eq!(Timestamp::try_from(UNIX_EPOCH - Duration::from_nanos(1)), Ok(Timestamp::from_millis(-1)));
    assert_eq!(Timestamp::try_from(UNIX_EPOCH - Duration::from_millis(2)), Ok(Timestamp::from_millis(-2)));
}

// Linux and the other Unix-like platforms hold every timestamp as a system time, and more.
#[cfg(unix)]
#[test]
fn system_times_beyond_i64_milliseconds_are_out_of_range() {
    let max = i128::from(i64::MAX);
    let min = i128::from(i64::MIN);
    let ms = |n: i128| Duration::from_millis(n.unsigned_abs() as u64);
    // The extremes convert.
    assert_eq!(
        Timestamp::try_from(UNIX_EPOCH + ms(max) + Duration::from_nanos(999_999)),
        Ok(Timestamp::from_millis(i64::MAX))
    );
    assert_eq!(Timestamp::try_from(UNIX_EPOCH - ms(min)), Ok(Timestamp::from_millis(i64::MIN)));
    // One step beyond does not: a millisecond later, or a nanosecond earlier (it rounds down).
    assert_eq!(
        Timestamp::try_from(UNIX_EPOCH + ms(max) + Duration::from_millis(1)),
        Err(ModelError::SystemTimeOutOfRange { millis: max + 1 })
    );
    let err = Timestamp::try_from(UNIX_EPOCH - ms(min) - Duration::from_nanos(1)).unwrap_err();
    assert_eq!(err, ModelError::SystemTimeOutOfRange { millis: min - 1 });
    assert_eq!(
        err.to_string(),
        "system time -9223372036854775809 ms from the unix epoch is out of range; a timestamp holds \
         milliseconds from the epoch that fit in an i64 (about 292 million years either way)"
    );
    // The latest system time Linux holds: i64 seconds.
    let latest = Duration::from_secs(i64::MAX as u64);
    assert_eq!(
        Timestamp::try_from(UNIX_EPOCH + latest),
        Err(ModelError::SystemTimeOutOfRange { millis: i128::from(i64::MAX) * 1_000 })
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10_000))]

    /// Every timestamp survives a trip through system time.
    #[cfg(unix)]
    #[test]
    fn every_timestamp_survives_system_time(ms in any::<i64>()) {
        let t = Timestamp::from_millis(ms);
        prop_assert_eq!(Timestamp::try_from(SystemTime::from(t)), Ok(t));
    }

    /// A system time becomes the last millisecond at or before it.
    #[test]
    fn a_system_time_rounds_down_to_its_millisecond(
        secs in 0u64..=4_000_000_000_000,
        nanos in 0u32..1_000_000_000,
        before in any::<bool>(),
    ) {
        let d = Duration::new(secs, nanos);
        let sys = if before { UNIX_EPOCH - d } else { UNIX_EPOCH + d };
        let t = Timestamp::try_from(sys).unwrap();
        let back = SystemTime::from(t);
        prop_assert!(back <= sys);
        prop_assert!(sys < back + Duration::from_millis(1));
    }
}
