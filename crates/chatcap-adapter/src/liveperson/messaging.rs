//! LivePerson's messaging APIs, which replaced the legacy chat endpoints: the Agent Metrics
//! API's agent view status (`POST .../messaging_history/api/account/{id}/agent-view/status`)
//! and the Messaging Operations API's current queue health
//! (`GET .../operations/api/account/{id}/msgqueuehealth/current/`).
//!
//! Read here, and nowhere else:
//!
//! - `currentStatus` `ONLINE` is Online, `AWAY` Away, `OFFLINE` Offline; `BACK_SOON` (the agent
//!   finishes the conversations it holds and takes no new ones) is Occupied: no new
//!   conversations, transfers still possible. Any other status is a warning, counted Away.
//! - A conversation slot is busy when `busySlots` says so, and taken while it rings
//!   (`ringingSlots`: offered to the agent, not yet accepted): the agent's active chats are
//!   their sum, its limit `configuredMaxSlots` (`-1` unlimited).
//! - `agentGroupId` `-1` is no group; `currentStatusDuration` is in milliseconds.
//! - Queue health: the visitors waiting for a skill are its `actionableConversations`
//!   (unassigned conversations waiting for an agent; `notActionableConversations` wait for the
//!   consumer), or `unassignedConversations` when that is missing; the longest has waited
//!   `maxWaitTimeForAgentAssignment` milliseconds. `-1` is no data. A metric listed twice (as
//!   in LivePerson's own example) keeps its last value, with a warning.

use std::collections::HashSet;
use std::time::Duration;

use chatcap_core::{Agent, AgentState, Capacity, GroupId, SkillId, Snapshot, Timestamp};
use serde::Deserialize;

use super::{QueueStateReport, ReportedQueue, ReportedSkill};
use crate::de::{Entries, Int, OneOrMany, Text, from_json};
use crate::ingest::{AgentAt, SkillSet, first_agent_id};
use crate::{AdapterError, Ingest, Location, Warning, WarningKind};

/// The agent view status, as the Agent Metrics API sends it.
#[derive(Deserialize, Debug, Default)]
#[serde(default, rename_all = "camelCase")]
struct AgentViewDoc {
    #[serde(rename = "_metadata")]
    metadata: Option<Metadata>,
    agent_status_records: OneOrMany<AgentRecord>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(default)]
struct Metadata {
    next: Option<MetaLink>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(default)]
struct MetaLink {
    href: Option<String>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(default, rename_all = "camelCase")]
struct AgentRecord {
    agent_id: Option<Text>,
    agent_login_name: Option<Text>,
    agent_name: Option<Text>,
    agent_skills: OneOrMany<SkillRecord>,
    agent_group_id: Option<Text>,
    current_status: Option<Text>,
    current_status_duration: Option<Int>,
    ringing_slots: Option<Int>,
    configured_max_slots: Option<Int>,
    busy_slots: Option<Int>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(default, rename_all = "camelCase")]
struct SkillRecord {
    skill_id: Option<Text>,
    skill_name: Option<Text>,
}

const ROOT: &str = "agentStatusRecords";

fn count(v: Option<Int>, path: &str, what: &str) -> Result<Option<u32>, AdapterError> {
    match v {
        None => Ok(None),
        Some(Int(n)) => u32::try_from(n).map(Some).map_err(|_| {
            AdapterError::invalid(path, format!("found {n}; expected {what} from 0 to {}", u32::MAX))
        }),
    }
}

/// Reads an agent view status response (one page of it; the next page's link, `_metadata.next`,
/// is kept in [`Ingest::next_page`]).
///
/// # Examples
///
/// ```
/// use chatcap_adapter::liveperson::messaging;
/// use chatcap_core::{AgentState, Capacity, Slots, Timestamp};
/// let doc = br#"{"accountID": "1", "agentStatusRecords": [{"agentId": "8", "agentLoginName": "ann",
///   "agentSkills": [{"skillId": "2", "skillName": "cats"}], "agentGroupId": -1,
///   "currentStatus": "ONLINE", "currentStatusDuration": 92854, "ringingSlots": 1,
///   "configuredMaxSlots": 4, "busySlots": 2}]}"#;
/// let ingest = messaging::agent_view_json(doc, Timestamp::EPOCH)?;
/// let a = &ingest.snapshot.agents[0];
/// assert_eq!((a.chat_state, a.capacity, a.active_chats), (AgentState::Online, Capacity::Limited(4), 3));
/// let (floor, _) = ingest.into_floor()?;
/// assert_eq!(floor.slots("2")?, Slots::Count(1));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// [`AdapterError::Json`] for malformed JSON or a field of the wrong type;
/// [`AdapterError::Invalid`] for an agent with no id or a negative count.
pub fn agent_view_json(bytes: &[u8], taken_at: Timestamp) -> Result<Ingest, AdapterError> {
    agent_view_json_at(bytes, taken_at).map(|(ingest, _)| ingest)
}

/// [`agent_view_json`], with where each agent was found.
pub(crate) fn agent_view_json_at(
    bytes: &[u8],
    taken_at: Timestamp,
) -> Result<(Ingest, Vec<AgentAt>), AdapterError> {
    let doc: AgentViewDoc = from_json(bytes)?;
    let mut skills = SkillSet::default();
    let mut warnings = Vec::new();
    let mut agents = Vec::new();
    let mut at = Vec::new();
    let mut ids = HashSet::new();
    let mut logins = HashSet::new();
    for (i, r) in doc.agent_status_records.0.into_iter().enumerate() {
        let path = format!("{ROOT}[{i}]");
        let Some(id) = first_agent_id(
            r.agent_id.map(|Text(id)| id),
            &path,
            "expected an id for every agent",
            &mut ids,
            &mut warnings,
        )?
        else {
            continue;
        };
        let chat_state = match r.current_status.as_ref().map(|t| t.0.trim().to_ascii_uppercase()).as_deref() {
            Some("ONLINE") => AgentState::Online,
            Some("AWAY") => AgentState::Away,
            Some("BACK_SOON") => AgentState::Occupied,
            Some("OFFLINE") => AgentState::Offline,
            Some(other) => {
                warnings.push(Warning::new(
                    format!("{path}.currentStatus"),
                    WarningKind::UnknownState,
                    format!(
                        "unknown status {other:?}; expected ONLINE, AWAY, BACK_SOON or OFFLINE: counted away"
                    ),
                ));
                AgentState::Away
            }
            None => {
                warnings.push(Warning::new(
                    format!("{path}.currentStatus"),
                    WarningKind::MissingState,
                    "no currentStatus: counted as offline",
                ));
                AgentState::Offline
            }
        };
        let capacity = match r.configured_max_slots {
            Some(Int(-1)) => Capacity::Unlimited,
            Some(Int(n)) => Capacity::Limited(u32::try_from(n).map_err(|_| {
                AdapterError::invalid(
                    format!("{path}.configuredMaxSlots"),
                    format!("found {n}; expected -1 (unlimited) or a limit from 0 to {}", u32::MAX),
                )
            })?),
            None => {
                warnings.push(Warning::new(
                    format!("{path}.configuredMaxSlots"),
                    WarningKind::MissingMaxChats,
                    "no configuredMaxSlots: counted as taking no conversations",
                ));
                Capacity::Limited(0)
            }
        };
        let busy = count(r.busy_slots, &format!("{path}.busySlots"), "a slot count")?;
        let ringing = count(r.ringing_slots, &format!("{path}.ringingSlots"), "a slot count")?;
        if busy.is_none() {
            warnings.push(Warning::new(
                format!("{path}.busySlots"),
                WarningKind::MissingChats,
                "no busySlots: counted as 0 busy slots",
            ));
        }
        let active_chats = busy.unwrap_or(0).saturating_add(ringing.unwrap_or(0));
        let time_in_state = match r.current_status_duration {
            Some(Int(ms)) if ms >= 0 => Some(Duration::from_millis(ms as u64)),
            Some(Int(ms)) => {
                warnings.push(Warning::new(
                    format!("{path}.currentStatusDuration"),
                    WarningKind::TimeInState,
                    format!("negative time in status ({ms} ms): taken as not reported"),
                ));
                None
            }
            None => None,
        };
        let group = match r.agent_group_id {
            Some(Text(g)) if g.trim() == "-1" || g.trim().is_empty() => None,
            Some(Text(g)) => Some(GroupId::from(g)),
            None => None,
        };
        let login = match r.agent_login_name.or(r.agent_name) {
            Some(Text(l)) if l.trim().is_empty() => None,
            Some(Text(l)) if !logins.insert(l.clone()) => {
                warnings.push(Warning::new(
                    format!("{path}.agentLoginName"),
                    WarningKind::DuplicateLogin,
                    format!("login {l:?} is used by an earlier agent: this agent's login is dropped"),
                ));
                None
            }
            Some(Text(l)) => Some(l),
            None => None,
        };
        let mut agent_skills: Vec<usize> = Vec::new();
        for (k, s) in r.agent_skills.0.into_iter().enumerate() {
            let spath = format!("{path}.agentSkills[{k}]");
            let Some(Text(sid)) = s.skill_id.filter(|t| !t.0.trim().is_empty()) else {
                warnings.push(Warning::new(
                    format!("{spath}.skillId"),
                    WarningKind::SkillListing,
                    "skill without an id: ignored",
                ));
                continue;
            };
            let (at, _) =
                skills.add(&sid, s.skill_name.as_ref().map(|t| t.0.as_str()), &spath, &mut warnings);
            if agent_skills.contains(&at) {
                warnings.push(Warning::new(
                    spath,
                    WarningKind::SkillListing,
                    format!("skill {sid} listed twice for this agent: counted once"),
                ));
                continue;
            }
            agent_skills.push(at);
        }
        at.push(AgentAt::spelled(
            Location::path(format!("{path}.agentId")),
            Location::path(format!("{path}.agentLoginName")),
        ));
        agents.push(Agent {
            id: id.into(),
            login: login.map(Into::into),
            chat_state,
            voice_state: None,
            capacity,
            active_chats,
            load: None,
            skills: skills.list(&agent_skills),
            group,
            time_in_state,
        });
    }
    let next_page = doc.metadata.and_then(|m| m.next).and_then(|l| l.href);
    let ingest = Ingest {
        snapshot: Snapshot { taken_at, skills: skills.skills, agents, queue: Vec::new() },
        warnings,
        next_page,
    };
    Ok((ingest, at))
}

/// The current queue health, as the Messaging Operations API sends it.
#[derive(Deserialize, Debug, Default)]
#[serde(default, rename_all = "camelCase")]
struct QueueHealthDoc {
    skills_metrics: Entries<Entries<Int>>,
    #[serde(alias = "metricsTotals")]
    metrics_total: Option<Entries<Int>>,
}

/// Reads a Messaging Current Queue Health response into a queue report, which
/// [`apply_queue_state`](super::apply_queue_state) turns into waiting visitors as it does for
/// `queuestate`.
///
/// # Examples
///
/// ```
/// use chatcap_adapter::liveperson::messaging;
/// use std::time::Duration;
/// let doc = br#"{"skillsMetrics": {"12": {"time": 1516277646515, "unassignedConversations": 34,
///   "actionableConversations": 10, "notActionableConversations": 14,
///   "maxWaitTimeForAgentAssignment": 274000}}}"#;
/// let (report, warnings) = messaging::queue_health_json(doc)?;
/// let q = report.skills[0].state.unwrap();
/// assert_eq!((q.queue_size, q.max_wait), (10, Some(Duration::from_millis(274_000))));
/// assert!(warnings.is_empty());
/// # Ok::<(), chatcap_adapter::AdapterError>(())
/// ```
///
/// # Errors
///
/// [`AdapterError::Json`] for malformed JSON or a metric that is not a whole number;
/// [`AdapterError::Invalid`] for a skill listed twice or a value below `-1`.
pub fn queue_health_json(bytes: &[u8]) -> Result<(QueueStateReport, Vec<Warning>), AdapterError> {
    let doc: QueueHealthDoc = from_json(bytes)?;
    let mut warnings = Vec::new();
    let mut skills = Vec::with_capacity(doc.skills_metrics.0.len());
    let mut seen = HashSet::new();
    for (id, metrics) in doc.skills_metrics.0 {
        let path = format!("skillsMetrics.{id}");
        if !seen.insert(id.clone()) {
            return Err(AdapterError::invalid(path, "skill listed twice; expected each skill once"));
        }
        let state = metrics_queue(&metrics, &path, &mut warnings)?;
        skills.push(ReportedSkill { skill: SkillId::from(id), state });
    }
    let totals = match &doc.metrics_total {
        Some(t) => metrics_queue(t, "metricsTotal", &mut warnings)?,
        None => None,
    };
    Ok((QueueStateReport { skills, totals, has_wait_times: true }, warnings))
}

/// One skill's (or the totals') metrics as a reported queue: `None` when there is no data.
fn metrics_queue(
    metrics: &Entries<Int>,
    path: &str,
    warnings: &mut Vec<Warning>,
) -> Result<Option<ReportedQueue>, AdapterError> {
    let mut names = HashSet::new();
    for (k, _) in &metrics.0 {
        if !names.insert(k.as_str()) {
            warnings.push(Warning::new(
                format!("{path}.{k}"),
                WarningKind::UnreadableField,
                format!("{k} listed twice: the last value is kept"),
            ));
        }
    }
    let get = |name: &str| -> Result<Option<u64>, AdapterError> {
        match metrics.0.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.0) {
            None | Some(-1) => Ok(None),
            Some(n) if n >= 0 => Ok(Some(n as u64)),
            Some(n) => Err(AdapterError::invalid(
                format!("{path}.{name}"),
                format!("found {n}; expected -1 (no data) or a value of 0 or more"),
            )),
        }
    };
    let waiting = match get("actionableConversations")? {
        Some(n) => Some(n),
        None => get("unassignedConversations")?,
    };
    let max_wait = get("maxWaitTimeForAgentAssignment")?.map(Duration::from_millis);
    Ok(waiting.map(|queue_size| ReportedQueue {
        // Queue health reports no free slots; the floor's agents say.
        available_slots: 0,
        queue_size,
        max_wait: if queue_size == 0 { None } else { max_wait },
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_metric_listed_twice_is_read_with_a_warning() {
        let doc = br#"{"skillsMetrics": {"13": {"actionableConversations": 2,
            "unassignedConversationsAndFirstTimeConsumer": 0, "unassignedConversationsAndFirstTimeConsumer": 0,
            "maxWaitTimeForAgentAssignment": 370}}}"#;
        let (report, warnings) = queue_health_json(doc).unwrap();
        assert_eq!(report.skills[0].state.unwrap().queue_size, 2);
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].at.path, "skillsMetrics.13.unassignedConversationsAndFirstTimeConsumer");
    }

    #[test]
    fn no_data_and_fallbacks() {
        let doc = br#"{"skillsMetrics": {"1": {"actionableConversations": -1, "unassignedConversations": 5},
            "2": {"actionableConversations": -1, "unassignedConversations": -1}, "3": {"actionableConversations": -4}}}"#;
        let err = queue_health_json(doc).unwrap_err();
        assert!(err.to_string().contains("skillsMetrics.3.actionableConversations"), "{err}");
        let doc = br#"{"skillsMetrics": {"1": {"actionableConversations": -1, "unassignedConversations": 5},
            "2": {"actionableConversations": -1, "unassignedConversations": -1}}}"#;
        let (report, _) = queue_health_json(doc).unwrap();
        assert_eq!(report.skills[0].state.unwrap().queue_size, 5);
        assert_eq!(report.skills[1].state, None);
    }

    #[test]
    fn statuses_and_slots() {
        let doc = br#"{"agentStatusRecords": [
            {"agentId": "1", "currentStatus": "BACK_SOON", "configuredMaxSlots": "3", "busySlots": "1"},
            {"agentId": "2", "currentStatus": "LUNCH", "configuredMaxSlots": -1, "busySlots": 0},
            {"agentId": "1", "currentStatus": "ONLINE", "configuredMaxSlots": 3, "busySlots": 0},
            {"agentId": "3", "currentStatus": "ONLINE"}]}"#;
        let ingest = agent_view_json(doc, Timestamp::EPOCH).unwrap();
        let a = &ingest.snapshot.agents;
        assert_eq!(a.len(), 3);
        assert_eq!((a[0].chat_state, a[0].active_chats), (AgentState::Occupied, 1));
        assert_eq!((a[1].chat_state, a[1].capacity), (AgentState::Away, Capacity::Unlimited));
        assert_eq!(a[2].capacity, Capacity::Limited(0));
        let kinds: Vec<WarningKind> = ingest.warnings.iter().map(|w| w.kind).collect();
        assert_eq!(
            kinds,
            [
                WarningKind::UnknownState,
                WarningKind::DuplicateAgent,
                WarningKind::MissingMaxChats,
                WarningKind::MissingChats
            ]
        );
        let err =
            agent_view_json(br#"{"agentStatusRecords": [{"currentStatus": "ONLINE"}]}"#, Timestamp::EPOCH)
                .unwrap_err();
        assert!(err.to_string().contains("agentStatusRecords[0].agentId"), "{err}");
        let err = agent_view_json(
            br#"{"agentStatusRecords": [{"agentId": "1", "busySlots": -2}]}"#,
            Timestamp::EPOCH,
        )
        .unwrap_err();
        assert!(err.to_string().contains("agentStatusRecords[0].busySlots"), "{err}");
    }
}
