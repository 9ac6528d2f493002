//! Conversions at the edges of the API: chat weights from and to decimal text, timestamps from
//! and to system time.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chatcap_core::{InputError, Timestamp, Weight, WeightProblem};
use num_bigint::BigUint;
use proptest::prelude::*;

fn parse(s: &str) -> Result<Weight, InputError> {
    s.parse()
}

fn thousandths(s: &str) -> u64 {
    parse(s).unwrap_or_else(|e| panic!("{s:?}: {e}")).as_thousandths()
}

#[test]
fn weights_come_from_decimal_text_exactly() {
    assert_eq!(thousandths("0.5"), 500);
    assert_eq!(thousandths("1"), 1_000);
    assert_eq!(thousandths("1.250"), 1_250);
    assert_eq!(thousandths("0.001"), 1);
    assert_eq!(thousandths("007.50"), 7_500);
    // Zeros after the third decimal place change nothing, so they are allowed.
    assert_eq!(thousandths("1.2500000"), 1_250);
    assert_eq!(thousandths("18446744073709551.615"), u64::MAX);
}

#[test]
fn weights_print_as_decimals_without_trailing_zeros() {
    let shown = |t: u64| Weight::from_thousandths(t).unwrap().to_string();
    assert_eq!(shown(500), "0.5");
    assert_eq!(shown(1_000), "1");
    assert_eq!(shown(1_250), "1.25");
    assert_eq!(shown(10), "0.01");
    assert_eq!(shown(1_000_000), "1000");
    assert_eq!(Weight::ONE.to_string(), "1");
    assert_eq!(format!("[{:>5}]", Weight::from_thousandths(500).unwrap()), "[  0.5]");
}

#[test]
fn every_rejected_weight_says_why() {
    use WeightProblem::*;
    let cases: &[(&str, WeightProblem)] = &[
        ("", Empty),
        ("abc", NotANumber),
        ("-", NotANumber),
        ("+1", NotANumber),
        ("--1", NotANumber),
        (" 1", NotANumber),
        ("1 ", NotANumber),
        ("1,5", NotANumber),
        ("1.2.3", NotANumber),
        ("1_000", NotANumber),
        ("0x10", NotANumber),
        ("e3", NotANumber),
        ("٣", NotANumber), // a digit, but not an ASCII one
        ("inf", NotANumber),
        ("1e3", Exponent),
        ("1.5E-2", Exponent),
        ("2e", Exponent),
        ("2.", BothSides),
        (".5", BothSides),
        (".", BothSides),
        ("-1", NotPositive),
        ("-0.5", NotPositive),
        ("-0", NotPositive),
        ("0", NotPositive),
        ("000.000", NotPositive),
        ("0.3333", Places),
        ("1.0001", Places),
        ("0.0001", Places),
        ("18446744073709551.616", TooLarge),
        ("18446744073709552", TooLarge),
        ("79228162514264337593543950335", TooLarge),
    ];
    for &(text, reason) in cases {
        assert_eq!(parse(text), Err(InputError::InvalidWeight { text: text.to_owned(), reason }), "{text:?}");
    }
    assert_eq!(
        parse("0.3333").unwrap_err().to_string(),
        "invalid chat weight 0.3333: a weight has at most three decimal places"
    );
    assert_eq!(
        Weight::try_from(0).unwrap_err().to_string(),
        "invalid chat weight 0: a weight must be positive"
    );
    assert_eq!(Weight::try_from(0), Err(InputError::ZeroWeight));
    assert_eq!(Weight::try_from(1).map(Weight::as_thousandths), Ok(1));
}

/// What a weight's text stands for, by exact big-integer arithmetic on the digits: the text must
/// be `[0-9]+(\.[0-9]+)?`, not negative, and a positive whole number of thousandths up to
/// `u64::MAX`. The error is the reason's first words, for the rejections this decides apart.
fn reference(s: &str) -> Result<u64, &'static str> {
    let (negative, unsigned) = s.strip_prefix('-').map_or((false, s), |rest| (true, rest));
    let (whole, frac) = unsigned.split_once('.').unwrap_or((unsigned, "0"));
    let is_digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    if !is_digits(whole) || !is_digits(frac) {
        return Err("not a decimal");
    }
    if negative {
        return Err("a weight must be positive");
    }
    // value = digits / 10^places, so thousandths = digits * 1000 / 10^places.
    let digits: BigUint = format!("{whole}{frac}").parse().unwrap();
    let scaled = digits * 1_000u32;
    let unit = BigUint::from(10u32).pow(frac.len() as u32);
    if &scaled % &unit != BigUint::ZERO {
        return Err("a weight has at most three decimal places");
    }
    let t = scaled / unit;
    if t == BigUint::ZERO {
        return Err("a weight must be positive");
    }
    u64::try_from(t).map_err(|_| "the weight is too large")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10_000))]

    /// Every weight reads back from its text, and the text is the thousandths as a decimal
    /// without trailing zeros.
    #[test]
    fn every_weight_reads_back_from_its_text(t in 1..=u64::MAX) {
        let w = Weight::from_thousandths(t).unwrap();
        let text = w.to_string();
        prop_assert_eq!(parse(&text), Ok(w));
        let full = format!("{}.{:03}", t / 1_000, t % 1_000);
        prop_assert_eq!(text, full.trim_end_matches('0').trim_end_matches('.'));
    }

    /// Decimal text parses to what big-integer arithmetic on its digits says, and is rejected
    /// for the same reason.
    #[test]
    fn parsing_agrees_with_big_integer_arithmetic(s in "-?[0-9]{0,22}(\\.[0-9]{0,6})?") {
        check_against_reference(&s)?;
    }

    /// The same for text that is mostly not a decimal at all: never a panic, and never a weight
    /// the reference would not give.
    #[test]
    fn parsing_odd_text_agrees_with_the_reference(s in "[-+0-9.eE x]{0,12}") {
        check_against_reference(&s)?;
    }
}

fn check_against_reference(s: &str) -> Result<(), TestCaseError> {
    match (parse(s), reference(s)) {
        (Ok(w), Ok(t)) => prop_assert_eq!(w.as_thousandths(), t, "{:?}", s),
        (Err(InputError::InvalidWeight { text, reason }), Err(want)) => {
            prop_assert_eq!(&text, s);
            if want != "not a decimal" {
                let text = reason.to_string();
                prop_assert!(text.starts_with(want), "{:?}: {} vs {}", s, text, want);
            }
        }
        (got, want) => prop_assert!(false, "{:?}: parsed {:?}, reference {:?}", s, got, want),
    }
    Ok(())
}

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
        Err(InputError::SystemTimeOutOfRange { millis: max + 1 })
    );
    let err = Timestamp::try_from(UNIX_EPOCH - ms(min) - Duration::from_nanos(1)).unwrap_err();
    assert_eq!(err, InputError::SystemTimeOutOfRange { millis: min - 1 });
    assert_eq!(
        err.to_string(),
        "system time -9223372036854775809 ms from the unix epoch is out of range; a timestamp holds \
         milliseconds from the epoch that fit in an i64 (about 292 million years either way)"
    );
    // The latest system time Linux holds: i64 seconds.
    let latest = Duration::from_secs(i64::MAX as u64);
    assert_eq!(
        Timestamp::try_from(UNIX_EPOCH + latest),
        Err(InputError::SystemTimeOutOfRange { millis: i128::from(i64::MAX) * 1_000 })
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
