//! The model types through serde (with the `serde` feature).
#![cfg(feature = "serde")]

use chatcap_core::*;

#[test]
fn a_snapshot_survives_a_json_round_trip_and_builds_the_same_floor() {
    let t0 = Timestamp::from_millis(1_700_000_000_000);
    let snapshot = Snapshot {
        taken_at: t0,
        skills: vec![Skill::new("s").with_name("Sales")],
        agents: vec![
            Agent::new("1", AgentState::Online, Capacity::Limited(3))
                .with_active_chats(1)
                .with_skills(["s".into()]),
            Agent::new("2", AgentState::Away, Capacity::Unlimited).with_login("bo"),
        ],
        queue: vec![QueuedVisitor::new(VisitorId(9), "s", t0)],
    };
    let json = serde_json::to_string(&snapshot).unwrap();
    // Typed values, not vendor sentinels.
    assert!(json.contains(r#""capacity":{"limited":3}"#), "{json}");
    assert!(json.contains(r#""capacity":"unlimited""#), "{json}");
    assert!(json.contains(r#""chat_state":"away""#), "{json}");
    let back: Snapshot = serde_json::from_str(&json).unwrap();
    assert_eq!(back, snapshot);
    assert_eq!(Floor::new(back).unwrap().slots("s").unwrap(), Slots::Count(2));
}

#[test]
fn max_wait_is_checked_when_deserialized() {
    assert_eq!(serde_json::from_str::<MaxWait>("86400").unwrap().as_secs(), 86_400);
    let err = serde_json::from_str::<MaxWait>("86401").unwrap_err().to_string();
    assert!(err.contains("must be between 0 and 86400 seconds"), "{err}");
}

#[test]
fn decisions_serialize_with_their_reason() {
    let d = Decision::Decline { reason: DeclineReason::QueueFull { queued: 4, max_queue: 4 } };
    assert_eq!(
        serde_json::to_string(&d).unwrap(),
        r#"{"decline":{"reason":{"queue_full":{"queued":4,"max_queue":4}}}}"#
    );
}

#[test]
fn waits_serialize_as_durations_and_budgets_as_seconds() {
    let estimate = std::time::Duration::from_millis(480_500);
    let reason = DeclineReason::WaitTooLong { estimate, max_wait: MaxWait::from_secs(120).unwrap() };
    let json = serde_json::to_string(&Decision::Decline { reason }).unwrap();
    assert_eq!(
        json,
        r#"{"decline":{"reason":{"wait_too_long":{"estimate":{"secs":480,"nanos":500000000},"max_wait":120}}}}"#
    );
    assert_eq!(serde_json::from_str::<Decision>(&json).unwrap(), Decision::Decline { reason });
}
