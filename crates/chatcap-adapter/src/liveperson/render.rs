//! Core answers in LivePerson's shapes.

use std::fmt::Write as _;
use std::time::Duration;

use chatcap_core::{QueueStateView, Slots};

/// The `queuestate` API version to render.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum QueueStateVersion {
    /// `v=1`: available slots and queue size.
    V1,
    /// `v=2`: also `currentMaxWaitTimeInQueue` in milliseconds.
    #[default]
    V2,
}

/// Renders an `availableSlots` response: `{"availableSlots":N}`, `-1` for unlimited.
///
/// A count too large for LivePerson's signed 64-bit field is written as the largest one.
///
/// # Examples
///
/// ```
/// use chatcap_adapter::liveperson::render_available_slots;
/// use chatcap_core::Slots;
/// assert_eq!(render_available_slots(Slots::Count(3)), r#"{"availableSlots":3}"#);
/// assert_eq!(render_available_slots(Slots::Unlimited), r#"{"availableSlots":-1}"#);
/// ```
pub fn render_available_slots(slots: Slots) -> String {
    format!(r#"{{"availableSlots":{}}}"#, slots_value(slots, -1))
}

fn slots_value(slots: Slots, unlimited: i64) -> i64 {
    match slots {
        Slots::Count(n) => i64::try_from(n).unwrap_or(i64::MAX),
        Slots::Unlimited => unlimited,
    }
}

fn millis(wait: Option<Duration>) -> i64 {
    wait.map_or(-1, |w| i64::try_from(w.as_millis()).unwrap_or(i64::MAX))
}

/// Renders an Operations `queuestate` response from the core's queue-state view, as LivePerson
/// does: an unlimited skill reports 1 available slot; a skill without data reports `-1` in
/// every field and is left out of the totals; the totals sum the other skills' figures and take
/// their longest wait; `currentMaxWaitTimeInQueue` is in milliseconds, `-1` when nobody waits
/// (v2 only). Skills appear in the view's order.
///
/// # Examples
///
/// ```
/// use chatcap_adapter::liveperson::{render_queue_state, QueueStateVersion};
/// use chatcap_core::*;
/// let t0 = Timestamp::from_millis(0);
/// let floor = Floor::new(Snapshot {
///     taken_at: t0,
///     skills: vec![Skill::new("1")],
///     agents: vec![Agent::new("a", AgentState::Online, Capacity::Limited(5)).with_skills(["1".into()])],
///     queue: vec![],
/// })?;
/// let view = floor.queue_state_view(SkillSelection::Only(&["1".into(), "100".into()]), t0);
/// assert_eq!(render_queue_state(&view, QueueStateVersion::V1),
///     r#"{"skills":{"1":{"currentAvailableSlots":5,"currentQueueSize":0},"100":{"currentAvailableSlots":-1,"currentQueueSize":-1}},"totals":{"currentAvailableSlots":5,"currentQueueSize":0}}"#);
/// # Ok::<(), chatcap_core::SnapshotError>(())
/// ```
pub fn render_queue_state(view: &QueueStateView, version: QueueStateVersion) -> String {
    let mut out = String::with_capacity(64 + 96 * view.skills.len());
    out.push_str(r#"{"skills":{"#);
    for (i, s) in view.skills.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        // Skill ids are vendor text: let serde_json escape them.
        out.push_str(&serde_json::to_string(s.skill.as_str()).unwrap_or_else(|_| "\"\"".to_owned()));
        out.push(':');
        match s.state {
            Some(st) => {
                entry(&mut out, slots_value(st.available, 1), clamp(st.queued), millis(st.max_wait), version)
            }
            None => entry(&mut out, -1, -1, -1, version),
        }
    }
    out.push_str(r#"},"totals":"#);
    let t = &view.totals;
    // Each unlimited skill is reported as 1 slot, and the totals sum what is reported.
    let available = clamp(t.limited_slots.saturating_add(t.unlimited_skills));
    entry(&mut out, available, clamp(t.queued), millis(t.max_wait), version);
    out.push('}');
    out
}

fn clamp(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn entry(out: &mut String, available: i64, queued: i64, wait: i64, version: QueueStateVersion) {
    let _ = write!(out, r#"{{"currentAvailableSlots":{available},"currentQueueSize":{queued}"#);
    if version == QueueStateVersion::V2 {
        let _ = write!(out, r#","currentMaxWaitTimeInQueue":{wait}"#);
    }
    out.push('}');
}
