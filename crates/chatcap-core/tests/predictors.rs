//! Queue-position and empirical wait predictors.

use std::time::Duration;

use chatcap_core::{Method, MissingData, Slots, Summary, WaitAverage, WaitEstimate};
use proptest::prelude::*;

fn scope(free: u64, busy: u64, queued: u64) -> Summary {
    Summary {
        eligible_agents: 4,
        unlimited_agents: 0,
        free: Slots::Count(free),
        busy,
        releasable: busy,
        queued,
    }
}

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

/// The estimated wait in seconds.
fn wait_of(e: WaitEstimate) -> f64 {
    match e {
        WaitEstimate::Estimate { wait, .. } => wait.as_secs_f64(),
        other => panic!("no estimate: {other:?}"),
    }
}

#[test]
fn abandonment_form_sums_the_rates_of_moving_up() {
    // 10 slots of 100 s: 0.1 slots/s; patience 50 s: 0.02/s per waiting visitor; 3 ahead.
    let e =
        WaitEstimate::by_queue_position_with_abandonment(&scope(0, 10, 3), Some(secs(100)), Some(secs(50)));
    let want = 1.0 / 0.1 + 1.0 / 0.12 + 1.0 / 0.14 + 1.0 / 0.16;
    assert!((wait_of(e) - want).abs() <= 0.5e-9); // rounded to the nanosecond
    let WaitEstimate::Estimate { method, .. } = e else { unreachable!() };
    assert_eq!(
        method,
        Method::QueuePositionWithAbandonment { ahead: 3, release_rate_per_s: 0.1, abandon_rate_per_s: 0.02 }
    );
    assert_eq!(e.to_string(), "estimated wait 32 s (3 ahead, by queue position with abandonment)");
}

#[test]
fn abandonment_form_tends_to_the_plain_form_for_endless_patience() {
    let plain = wait_of(WaitEstimate::by_queue_position(&scope(2, 8, 9), Some(secs(60))));
    let patient = wait_of(WaitEstimate::by_queue_position_with_abandonment(
        &scope(2, 8, 9),
        Some(secs(60)),
        Some(Duration::from_secs(1_000_000_000)),
    ));
    assert!((patient - plain).abs() < 1e-6 * plain, "{patient} vs {plain}");
    // Abandonment ahead can only shorten the wait.
    let impatient = wait_of(WaitEstimate::by_queue_position_with_abandonment(
        &scope(2, 8, 9),
        Some(secs(60)),
        Some(secs(30)),
    ));
    assert!(impatient < plain);
}

#[test]
fn predictors_share_the_typed_outcomes() {
    let free_now = scope(3, 1, 1);
    let nobody = Summary {
        eligible_agents: 0,
        unlimited_agents: 0,
        free: Slots::Count(0),
        busy: 0,
        releasable: 0,
        queued: 2,
    };
    let s = Some(secs(30));
    for (e, want) in [
        (WaitEstimate::by_queue_position_with_abandonment(&free_now, s, s), WaitEstimate::AgentFreeNow),
        (WaitEstimate::by_head_of_line(&free_now, s), WaitEstimate::AgentFreeNow),
        (WaitEstimate::by_last_to_enter_service(&free_now, s), WaitEstimate::AgentFreeNow),
        (WaitEstimate::by_queue_position_with_abandonment(&nobody, s, s), WaitEstimate::NoAgents),
        (WaitEstimate::by_head_of_line(&nobody, s), WaitEstimate::NoAgents),
        (WaitEstimate::by_last_to_enter_service(&nobody, s), WaitEstimate::NoAgents),
        (
            WaitEstimate::by_queue_position_with_abandonment(&scope(0, 4, 1), s, None),
            WaitEstimate::InsufficientData { missing: MissingData::Patience },
        ),
        (
            WaitEstimate::by_queue_position_with_abandonment(&scope(0, 4, 1), None, s),
            WaitEstimate::InsufficientData { missing: MissingData::HandleTime },
        ),
        (
            WaitEstimate::by_head_of_line(&scope(0, 4, 0), s),
            WaitEstimate::InsufficientData { missing: MissingData::WaitObservations },
        ),
        (
            WaitEstimate::by_head_of_line(&scope(0, 4, 2), None),
            WaitEstimate::InsufficientData { missing: MissingData::WaitObservations },
        ),
    ] {
        assert_eq!(e, want);
    }
    let hol = WaitEstimate::by_head_of_line(&scope(0, 4, 2), Some(secs(75)));
    assert_eq!(
        hol,
        WaitEstimate::Estimate { wait: secs(75), method: Method::HeadOfLine { head_wait: secs(75) } }
    );
    let les = WaitEstimate::by_last_to_enter_service(&scope(1, 4, 2), Some(secs(12)));
    assert_eq!(
        les,
        WaitEstimate::Estimate { wait: secs(12), method: Method::LastToEnterService { last_wait: secs(12) } }
    );
    assert_eq!(les.to_string(), "estimated wait 12 s (last to enter service)");
}

#[test]
fn moving_average_weighs_each_observation() {
    let mut avg = WaitAverage::new(0.25).unwrap();
    assert_eq!(avg.average(), None);
    assert_eq!(
        avg.estimate(&scope(0, 4, 1)),
        WaitEstimate::InsufficientData { missing: MissingData::WaitObservations }
    );
    let mut naive: Option<f64> = None;
    for w in [40u64, 80, 0, 120, 60] {
        avg.observe(secs(w));
        let w = w as f64;
        naive = Some(naive.map_or(w, |m| 0.75 * m + 0.25 * w));
    }
    assert!((avg.average().unwrap().as_secs_f64() - naive.unwrap()).abs() <= 0.5e-9); // to the ns
    assert_eq!(avg.observations(), 5);
    let e = avg.estimate(&scope(0, 4, 1));
    assert!(matches!(
        e,
        WaitEstimate::Estimate { method: Method::MovingAverage { observations: 5, .. }, .. }
    ));
    assert_eq!(avg.estimate(&scope(2, 4, 1)), WaitEstimate::AgentFreeNow);
    for bad in [0.0, -0.5, 1.5, f64::NAN] {
        assert!(WaitAverage::new(bad).is_err());
    }
}

/// Any duration, weighted toward the edges: zero, a nanosecond, `Duration::MAX`.
fn duration() -> impl Strategy<Value = Duration> {
    prop_oneof![
        Just(Duration::ZERO),
        Just(Duration::from_nanos(1)),
        Just(Duration::MAX),
        (any::<u64>(), 0u32..1_000_000_000).prop_map(|(s, n)| Duration::new(s, n)),
        (0u64..100_000).prop_map(Duration::from_millis),
    ]
}

proptest! {
    /// Every predictor gives a duration for any counts and times, down to zero and up to
    /// `Duration::MAX`, without a panic; the queue-position forms agree with their formulas.
    #[test]
    fn waits_are_durations_for_any_input(
        eligible in 0u64..4,
        free in 0u64..50,
        busy in prop_oneof![0u64..50, Just(u64::MAX)],
        queued in 0u64..200,
        aht in prop::option::of(duration()),
        patience in prop::option::of(duration()),
        observed in prop::collection::vec(duration(), 0..4),
    ) {
        let s = Summary { eligible_agents: eligible, unlimited_agents: 0, free: Slots::Count(free), busy, releasable: busy, queued };
        let plain = WaitEstimate::by_queue_position(&s, aht);
        if let WaitEstimate::Estimate { wait, method: Method::QueuePosition { ahead, release_rate_per_s } } = plain {
            let secs = (ahead as f64 + 1.0) / release_rate_per_s;
            let want = if secs >= Duration::MAX.as_secs_f64() { Duration::MAX } else { Duration::from_secs_f64(secs) };
            prop_assert_eq!(wait, want);
        }
        let impatient = WaitEstimate::by_queue_position_with_abandonment(&s, aht, patience);
        if let (WaitEstimate::Estimate { wait: a, .. }, WaitEstimate::Estimate { wait: p, .. }) = (impatient, plain) {
            // Abandonment only shortens the wait (up to the rounding of a sum of many terms).
            prop_assert!(a <= p.saturating_add(Duration::from_nanos(1) + p.mul_f64(1e-12)), "{:?} vs {:?}", impatient, plain);
        }
        let _ = WaitEstimate::by_head_of_line(&s, aht).to_string();
        let mut avg = WaitAverage::new(0.5).unwrap();
        for &d in &observed {
            avg.observe(d);
        }
        let range = observed.iter().min().zip(observed.iter().max());
        if let (Some(a), Some((&lo, &hi))) = (avg.average(), range) {
            // A weighted mean lies between the extremes (to the nanosecond, as f64 seconds round).
            let slack = Duration::from_nanos(1) + hi.mul_f64(1e-15);
            prop_assert!(lo.saturating_sub(slack) <= a && a <= hi.saturating_add(slack), "{:?} in {:?}..={:?}", a, lo, hi);
        }
        let _ = avg.estimate(&s).to_string();
    }
}
