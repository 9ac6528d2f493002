//! LivePerson: the legacy Chat API (`availableAgents`, agent `info` and `availability`,
//! `availableSlots`) and the Operations `queuestate` API, read and rendered.
//!
//! Sentinels read here, and nowhere else: `maxChats` `-1` is [`Capacity::Unlimited`]; chat and
//! voice states `"1"` Offline, `"2"` Online, `"3"` Occupied, `"4"` Away; `agentGroupId` `-1` is no
//! group; `elapsedTimeInState` is in milliseconds, and `0` for an offline agent is "not kept"
//! (`None`); `availableSlots` `-1` is unlimited; in
//! `queuestate`, `-1` in every field is "no data" and `currentMaxWaitTimeInQueue` `-1` is
//! "nobody waits".

mod dto;
pub mod messaging;
mod render;
mod stream;

use std::collections::HashSet;
use std::fmt;
use std::time::Duration;

use chatcap_core::{Agent, AgentState, Capacity, GroupId, SkillId, Slots, Snapshot, Timestamp};

use crate::de::{Int, Text, from_json};
use crate::ingest::{AgentAt, AgentPath, MAX_QUEUE, SkillSet, synthesize_queue};
use crate::{AdapterError, Ingest, Warning, WarningKind};

pub use render::{QueueStateVersion, render_available_slots, render_queue_state};

pub(crate) use dto::{
    Agent as AgentDto, Agents as AgentsDto, AvailableAgents, Link, SkillInfo, Skills, SkillsInfo, StateCode,
    StateWord,
};

/// Reads a LivePerson `availableAgents` response in its JSON form.
///
/// Skills named by the agents (`skills.skill` and `skillsInfo.skillInfo`, whose names become
/// [`Skill::name`](chatcap_core::Skill::name)) become the snapshot's skills, in order of first
/// appearance. The `link rel="next"` is kept in [`Ingest::next_page`]. An agent whose `@id` an
/// earlier agent has is dropped whole, the first kept, with a warning at the repeat's
/// `availableAgents.agents.agent[i].@id`.
///
/// # Examples
///
/// ```
/// use chatcap_adapter::liveperson;
/// use chatcap_core::{AgentState, Capacity, Timestamp};
/// let doc = br#"{"availableAgents": {"agents": {"agent": [{"@id": "2", "@chatState": "4",
///   "@maxChats": "-1", "@voiceState": "1", "skills": {"skill": ["2", "4"]}, "userName": "Agent1"}]},
///   "link": {"@href": "https://webserver/next", "@rel": "next"}}}"#;
/// let ingest = liveperson::available_agents_json(doc, Timestamp::EPOCH)?;
/// let a = &ingest.snapshot.agents[0];
/// assert_eq!((a.chat_state, a.capacity), (AgentState::Away, Capacity::Unlimited));
/// assert_eq!(a.login.as_deref(), Some("Agent1"));
/// assert_eq!(ingest.next_page.as_deref(), Some("https://webserver/next"));
/// # Ok::<(), chatcap_adapter::AdapterError>(())
/// ```
///
/// # Errors
///
/// [`AdapterError::Json`] for malformed JSON or a field of the wrong type;
/// [`AdapterError::Invalid`] for a value out of range (`@maxChats` below `-1`, negative
/// `chats`, an agent with no `@id`).
pub fn available_agents_json(bytes: &[u8], taken_at: Timestamp) -> Result<Ingest, AdapterError> {
    available_agents_json_at(bytes, taken_at).map(|(ingest, _)| ingest)
}

/// [`available_agents_json`], with where each agent was found.
///
/// Each agent is converted as soon as it is read, so that the document is never held whole
/// as read values; a document that does not read (or has a shape the stream leaves to the
/// whole reading) is read again whole, for the error and its path.
pub(crate) fn available_agents_json_at(
    bytes: &[u8],
    taken_at: Timestamp,
) -> Result<(Ingest, Vec<AgentAt>), AdapterError> {
    match stream::available_agents(bytes, taken_at) {
        Some(read) => read,
        None => {
            let doc: dto::AvailableAgentsDoc = from_json(bytes)?;
            convert_available_agents(doc.available_agents, taken_at)
        }
    }
}

/// Reads a LivePerson `availableAgents` response in its XML form: attributes and child
/// elements map to the same fields as the JSON form's `@`-keys and members.
///
/// # Examples
///
/// ```
/// use chatcap_adapter::liveperson;
/// use chatcap_core::{Capacity, Timestamp};
/// let doc = br#"<availableAgents><agents>
///   <agent id="2" chatState="2" voiceState="1" maxChats="4"><userName>ann</userName>
///     <skills><skill>2</skill><skill>4</skill></skills><chats>1</chats></agent>
/// </agents></availableAgents>"#;
/// let ingest = liveperson::available_agents_xml(doc, Timestamp::EPOCH)?;
/// assert_eq!(ingest.snapshot.agents[0].capacity, Capacity::Limited(4));
/// assert_eq!(ingest.snapshot.skills.len(), 2);
/// # Ok::<(), chatcap_adapter::AdapterError>(())
/// ```
///
/// # Errors
///
/// [`AdapterError::Xml`] for malformed XML, a wrong root element or a number that is not one;
/// [`AdapterError::Invalid`] as for [`available_agents_json`].
pub fn available_agents_xml(bytes: &[u8], taken_at: Timestamp) -> Result<Ingest, AdapterError> {
    available_agents_xml_at(bytes, taken_at).map(|(ingest, _)| ingest)
}

/// [`available_agents_xml`], with where each agent was found.
pub(crate) fn available_agents_xml_at(
    bytes: &[u8],
    taken_at: Timestamp,
) -> Result<(Ingest, Vec<AgentAt>), AdapterError> {
    let doc = crate::xml::available_agents(bytes)?;
    convert_available_agents(doc, taken_at)
}

/// The path of the agents' list.
const AGENT_LIST: &str = "availableAgents.agents.agent";

fn convert_available_agents(
    doc: AvailableAgents,
    taken_at: Timestamp,
) -> Result<(Ingest, Vec<AgentAt>), AdapterError> {
    let mut b = Builder::new(taken_at);
    let agents = doc.agents.map(|a| a.agent.0).unwrap_or_default();
    b.agents.reserve(agents.len());
    for (i, a) in agents.into_iter().enumerate() {
        b.agent(a, AgentPath { list: AGENT_LIST, index: Some(i) })?;
    }
    let next_page = doc.link.0.into_iter().find(|l| l.rel.as_deref() == Some("next")).and_then(|l| l.href);
    Ok(b.finish_at(next_page))
}

/// Reads a LivePerson agent `info` response (the logged-in agent) into a one-agent snapshot.
///
/// `availability.chat` and `availability.voice` are words (`"Online"`); `loginName` becomes the
/// login, `skillsInfo` the skills. The response carries no chat count and no time in state:
/// warnings say they were counted as 0.
///
/// # Examples
///
/// ```
/// use chatcap_adapter::liveperson;
/// use chatcap_core::{AgentState, Capacity, Timestamp};
/// let doc = br#"{"info": {"id": "25025413", "loginName": "john@company.com", "maxChats": "-1",
///   "availability": {"chat": "Online", "voice": "Offline"},
///   "skillsInfo": {"skillInfo": {"id": "25975313", "name": "Sales"}}}}"#;
/// let ingest = liveperson::agent_info_json(doc, Timestamp::EPOCH)?;
/// let a = &ingest.snapshot.agents[0];
/// assert_eq!((a.chat_state, a.voice_state), (AgentState::Online, Some(AgentState::Offline)));
/// assert_eq!(ingest.snapshot.skills[0].name.as_deref(), Some("Sales"));
/// # Ok::<(), chatcap_adapter::AdapterError>(())
/// ```
///
/// # Errors
///
/// As for [`available_agents_json`].
pub fn agent_info_json(bytes: &[u8], taken_at: Timestamp) -> Result<Ingest, AdapterError> {
    agent_info_json_at(bytes, taken_at).map(|(ingest, _)| ingest)
}

/// [`agent_info_json`], with where the agent was found.
pub(crate) fn agent_info_json_at(
    bytes: &[u8],
    taken_at: Timestamp,
) -> Result<(Ingest, Vec<AgentAt>), AdapterError> {
    let doc: dto::InfoDoc = from_json(bytes)?;
    let info = doc.info;
    let mut b = Builder::new(taken_at);
    let (chat, voice) = match info.availability {
        Some(av) => (av.chat, av.voice),
        None => (None, None),
    };
    let chat_state = match chat {
        Some(t) => b.state_word(&t, "info.availability.chat").unwrap_or(AgentState::Offline),
        None => {
            b.warn(
                "info.availability.chat",
                WarningKind::MissingState,
                "no chat availability: counted as offline",
            );
            AgentState::Offline
        }
    };
    let voice_state = voice.and_then(|t| b.state_word(&t, "info.availability.voice"));
    let dto = dto::Agent {
        id: info.id,
        max_chats: info.max_chats,
        user_name: info.login_name,
        skills_info: info.skills_info,
        chats: info.chats,
        ..dto::Agent::default()
    };
    b.agent_with_states(dto, AgentPath { list: "info", index: None }, chat_state, voice_state, false)?;
    let next = info.link.0.into_iter().find(|l| l.rel.as_deref() == Some("next")).and_then(|l| l.href);
    Ok(b.finish_at(next))
}

/// An agent's availability as the `availability` resource reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Availability {
    /// The chat state; `None` when missing or not one of the four known words.
    pub chat: Option<AgentState>,
    /// The voice state; `None` when missing or not one of the four known words.
    pub voice: Option<AgentState>,
}

/// Reads a LivePerson `availability` response: `{"availability": {"chat": "Online", "voice": "Offline"}}`.
///
/// # Examples
///
/// ```
/// use chatcap_adapter::liveperson;
/// use chatcap_core::AgentState;
/// let (av, warnings) = liveperson::availability_json(br#"{"availability": {"chat": "Online"}}"#)?;
/// assert_eq!((av.chat, av.voice), (Some(AgentState::Online), None));
/// assert!(warnings.is_empty());
/// # Ok::<(), chatcap_adapter::AdapterError>(())
/// ```
///
/// # Errors
///
/// [`AdapterError::Json`] for malformed JSON or a field of the wrong type.
pub fn availability_json(bytes: &[u8]) -> Result<(Availability, Vec<Warning>), AdapterError> {
    let doc: dto::AvailabilityDoc = from_json(bytes)?;
    let mut b = Builder::new(Timestamp::EPOCH);
    let chat = doc.availability.chat.and_then(|t| b.state_word(&t, "availability.chat"));
    let voice = doc.availability.voice.and_then(|t| b.state_word(&t, "availability.voice"));
    Ok((Availability { chat, voice }, b.warnings))
}

/// Reads a LivePerson `availableSlots` response: `-1` is unlimited.
///
/// # Examples
///
/// ```
/// use chatcap_adapter::liveperson;
/// use chatcap_core::Slots;
/// assert_eq!(liveperson::available_slots_json(br#"{"availableSlots": 1}"#)?, Slots::Count(1));
/// assert_eq!(liveperson::available_slots_json(br#"{"availableSlots": "-1"}"#)?, Slots::Unlimited);
/// # Ok::<(), chatcap_adapter::AdapterError>(())
/// ```
///
/// # Errors
///
/// [`AdapterError::Json`] for malformed JSON or a missing field; [`AdapterError::Invalid`] for
/// a value below `-1`.
pub fn available_slots_json(bytes: &[u8]) -> Result<Slots, AdapterError> {
    let doc: dto::AvailableSlotsDoc = from_json(bytes)?;
    match doc.available_slots.0 {
        -1 => Ok(Slots::Unlimited),
        n if n >= 0 => Ok(Slots::Count(n as u64)),
        n => Err(AdapterError::invalid(
            "availableSlots",
            format!("found {n}; expected -1 (unlimited) or a count of 0 or more"),
        )),
    }
}

/// One skill's queue state as reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReportedQueue {
    /// `currentAvailableSlots` (LivePerson reports an unlimited skill as 1).
    pub available_slots: u64,
    /// `currentQueueSize`.
    pub queue_size: u64,
    /// `currentMaxWaitTimeInQueue`: `None` when nobody waits (`-1`) or the field is absent (v1).
    pub max_wait: Option<Duration>,
}

/// A requested skill and its reported queue state; `None` when the skill has no data (`-1`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportedSkill {
    /// The skill id (the key under `skills`).
    pub skill: SkillId,
    /// The state, or `None` for no data.
    pub state: Option<ReportedQueue>,
}

/// An Operations `queuestate` response, typed.
///
/// # Examples
///
/// See [`queue_state_json`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueStateReport {
    /// The skills, in document order.
    pub skills: Vec<ReportedSkill>,
    /// The totals as reported, if present.
    pub totals: Option<ReportedQueue>,
    /// Whether any entry carries `currentMaxWaitTimeInQueue` (a v2 response).
    pub has_wait_times: bool,
}

/// Reads an Operations `queuestate` response (v1 or v2).
///
/// A skill reporting `-1` in every field has no data ([`ReportedSkill::state`] is `None`); one
/// reporting `-1` in only some fields is read as no data too, with a warning. Values below
/// `-1` are errors.
///
/// # Examples
///
/// ```
/// use chatcap_adapter::liveperson;
/// use std::time::Duration;
/// let doc = br#"{"skills": {"1": {"currentAvailableSlots": 5, "currentQueueSize": 5,
///   "currentMaxWaitTimeInQueue": 65203}, "100": {"currentAvailableSlots": -1,
///   "currentQueueSize": -1, "currentMaxWaitTimeInQueue": -1}},
///   "totals": {"currentAvailableSlots": 5, "currentQueueSize": 5, "currentMaxWaitTimeInQueue": 65203}}"#;
/// let (report, warnings) = liveperson::queue_state_json(doc)?;
/// assert_eq!(report.skills[0].state.unwrap().max_wait, Some(Duration::from_millis(65_203)));
/// assert_eq!(report.skills[1].state, None);
/// assert!(warnings.is_empty());
/// # Ok::<(), chatcap_adapter::AdapterError>(())
/// ```
///
/// # Errors
///
/// [`AdapterError::Json`] for malformed JSON or a missing field; [`AdapterError::Invalid`] for
/// a value below `-1`.
pub fn queue_state_json(bytes: &[u8]) -> Result<(QueueStateReport, Vec<Warning>), AdapterError> {
    let doc: dto::QueueStateDoc = from_json(bytes)?;
    let mut warnings = Vec::new();
    let mut has_wait_times = false;
    let mut skills = Vec::with_capacity(doc.skills.0.len());
    let mut seen = HashSet::new();
    for (id, q) in doc.skills.0 {
        let path = format!("skills.{id}");
        if !seen.insert(id.clone()) {
            return Err(AdapterError::invalid(path, "skill listed twice; expected each skill once"));
        }
        has_wait_times |= q.current_max_wait_time_in_queue.is_some();
        let state = reported(&q, &path, &mut warnings)?;
        skills.push(ReportedSkill { skill: SkillId::from(id), state });
    }
    let totals = match doc.totals {
        Some(t) => {
            has_wait_times |= t.current_max_wait_time_in_queue.is_some();
            reported(&t, "totals", &mut warnings)?
        }
        None => None,
    };
    Ok((QueueStateReport { skills, totals, has_wait_times }, warnings))
}

fn reported(
    q: &dto::SkillQueue,
    path: &str,
    warnings: &mut Vec<Warning>,
) -> Result<Option<ReportedQueue>, AdapterError> {
    let field = |name: &str, v: i64| -> Result<Option<u64>, AdapterError> {
        match v {
            -1 => Ok(None),
            n if n >= 0 => Ok(Some(n as u64)),
            n => Err(AdapterError::invalid(
                format!("{path}.{name}"),
                format!("found {n}; expected -1 (no data) or a value of 0 or more"),
            )),
        }
    };
    let slots = field("currentAvailableSlots", q.current_available_slots.0)?;
    let size = field("currentQueueSize", q.current_queue_size.0)?;
    let wait = match q.current_max_wait_time_in_queue {
        Some(w) => Some(field("currentMaxWaitTimeInQueue", w.0)?),
        None => None,
    };
    match (slots, size) {
        (Some(available_slots), Some(queue_size)) => Ok(Some(ReportedQueue {
            available_slots,
            queue_size,
            max_wait: wait.flatten().map(Duration::from_millis),
        })),
        (None, None) => Ok(None),
        _ => {
            warnings.push(Warning::new(
                path,
                WarningKind::QueueNoData,
                "-1 (no data) in some fields only: the skill is read as having no data",
            ));
            Ok(None)
        }
    }
}

/// Adds the visitors a `queuestate` report says are waiting to a snapshot.
///
/// Per skill, `currentQueueSize` visitors are added: the longest-waiting one arrived
/// `currentMaxWaitTimeInQueue` before the snapshot time, the others at the snapshot time (the
/// report gives no other arrival); a warning says so. A skill no agent has is added to the
/// snapshot's skills. Skills without data add nobody.
///
/// # Examples
///
/// ```
/// use chatcap_adapter::liveperson;
/// use chatcap_core::{Timestamp, Snapshot};
/// let (report, _) = liveperson::queue_state_json(br#"{"skills": {"1": {"currentAvailableSlots": 0,
///   "currentQueueSize": 2, "currentMaxWaitTimeInQueue": 15253}}}"#)?;
/// let mut ingest = chatcap_adapter::Ingest {
///     snapshot: Snapshot { taken_at: Timestamp::from_millis(100_000), ..Snapshot::default() },
///     ..Default::default()
/// };
/// liveperson::apply_queue_state(&report, &mut ingest)?;
/// assert_eq!(ingest.snapshot.queue.len(), 2);
/// assert_eq!(ingest.snapshot.queue[0].arrived_at, Timestamp::from_millis(100_000 - 15_253));
/// # Ok::<(), chatcap_adapter::AdapterError>(())
/// ```
///
/// # Errors
///
/// [`AdapterError::Invalid`] when a queue is larger than a million visitors.
pub fn apply_queue_state(report: &QueueStateReport, ingest: &mut Ingest) -> Result<(), AdapterError> {
    let taken_at = ingest.snapshot.taken_at;
    let mut skills = SkillSet::from_snapshot(&ingest.snapshot);
    let with_agents: HashSet<&SkillId> =
        ingest.snapshot.agents.iter().flat_map(|a| a.skills.iter()).collect();
    let mut plans = Vec::new();
    for s in &report.skills {
        let path = format!("skills.{}", s.skill);
        let Some(st) = s.state else {
            ingest.warnings.push(Warning::new(
                &path,
                WarningKind::QueueNoData,
                "no queue-state data (-1): nobody counted waiting",
            ));
            continue;
        };
        if st.queue_size > MAX_QUEUE {
            return Err(AdapterError::invalid(
                format!("{path}.currentQueueSize"),
                format!("found {}; expected at most {MAX_QUEUE} visitors", st.queue_size),
            ));
        }
        // A skill with data is on the floor even when no agent has it: its queue state is then
        // 0 slots, not "no data".
        skills.add(s.skill.as_str(), None, &path, &mut ingest.warnings);
        if st.queue_size == 0 {
            continue;
        }
        if !with_agents.contains(&s.skill) {
            ingest.warnings.push(Warning::new(
                &path,
                WarningKind::QueueSkillWithoutAgents,
                format!("skill {} has visitors waiting but no agent has it", s.skill),
            ));
        }
        let message = match (st.max_wait, st.queue_size) {
            (Some(w), 1) => {
                format!("1 visitor taken to have arrived {} ms before the snapshot time", w.as_millis())
            }
            (Some(w), n) => format!(
                "{n} visitors: the longest-waiting taken to have arrived {} ms before the snapshot time, \
                 the other {} at the snapshot time (their arrivals are not reported)",
                w.as_millis(),
                n - 1
            ),
            (None, n) => {
                format!("{n} visitors with no reported wait: taken to have arrived at the snapshot time")
            }
        };
        ingest.warnings.push(Warning::new(&path, WarningKind::QueueArrivalsAssumed, message));
        plans.push((s.skill.clone(), st.queue_size, st.max_wait));
    }
    ingest.snapshot.skills = skills.skills;
    for (skill, size, wait) in plans {
        synthesize_queue(&mut ingest.snapshot, &skill, size, wait, taken_at);
    }
    Ok(())
}

/// Reads state codes and words, skills and limits into core agents, collecting warnings.
pub(crate) struct Builder {
    taken_at: Timestamp,
    skills: SkillSet,
    agents: Vec<Agent>,
    /// Where each agent was found, in order.
    at: Vec<AgentAt>,
    ids: HashSet<String>,
    logins: HashSet<String>,
    pub(crate) warnings: Vec<Warning>,
}

impl Builder {
    pub(crate) fn new(taken_at: Timestamp) -> Self {
        Self {
            taken_at,
            skills: SkillSet::default(),
            agents: Vec::new(),
            at: Vec::new(),
            ids: HashSet::new(),
            logins: HashSet::new(),
            warnings: Vec::new(),
        }
    }

    fn warn(&mut self, path: impl Into<String>, kind: WarningKind, message: impl Into<String>) {
        self.warnings.push(Warning::new(path, kind, message));
    }

    /// The snapshot, and where each of its agents was found.
    fn finish_at(self, next_page: Option<String>) -> (Ingest, Vec<AgentAt>) {
        let ingest = Ingest {
            snapshot: Snapshot {
                taken_at: self.taken_at,
                skills: self.skills.skills,
                agents: self.agents,
                queue: Vec::new(),
            },
            warnings: self.warnings,
            next_page,
        };
        (ingest, self.at)
    }

    /// A state code `"1"`..`"4"`; anything else is a warning and `None`.
    fn state_code(&mut self, code: &StateCode, path: &dyn fmt::Display) -> Option<AgentState> {
        match code {
            StateCode::Known(s) => Some(*s),
            StateCode::Unknown(other) => {
                self.warn(
                    path.to_string(),
                    WarningKind::UnknownState,
                    format!(
                        "unknown state code {other:?}; expected 1 (offline), 2 (online), 3 (occupied) or 4 (away): \
                         agent not routable"
                    ),
                );
                None
            }
        }
    }

    /// A state word (`"Online"`); anything else is a warning and `None`.
    fn state_word(&mut self, word: &StateWord, path: &str) -> Option<AgentState> {
        match word {
            StateWord::Known(s) => Some(*s),
            StateWord::Unknown(w) => {
                self.warn(
                    path,
                    WarningKind::UnknownState,
                    format!(
                        "unknown state {w:?}; expected Online, Offline, Occupied or Away: agent not routable"
                    ),
                );
                None
            }
        }
    }

    fn agent(&mut self, a: AgentDto, path: AgentPath) -> Result<(), AdapterError> {
        let chat_state = match &a.chat_state {
            Some(t) => self.state_code(t, &Field(path, ".@chatState")).unwrap_or(AgentState::Offline),
            None => {
                self.warn(
                    format!("{path}.@chatState"),
                    WarningKind::MissingState,
                    "no chat state: counted as offline",
                );
                AgentState::Offline
            }
        };
        let voice_state = match &a.voice_state {
            Some(t) => self.state_code(t, &Field(path, ".@voiceState")),
            None => None,
        };
        self.agent_with_states(a, path, chat_state, voice_state, true)
    }

    fn agent_with_states(
        &mut self,
        a: AgentDto,
        path: AgentPath,
        chat_state: AgentState,
        voice_state: Option<AgentState>,
        lists_skills: bool,
    ) -> Result<(), AdapterError> {
        // availableAgents carries the id and the limit as attributes (`@id`), info as members.
        let attr = if lists_skills { "@" } else { "" };
        let id = match a.id {
            Some(Text(id)) if !id.trim().is_empty() => id,
            _ => {
                return Err(AdapterError::invalid(
                    format!("{path}.{attr}id"),
                    "missing agent id; expected an id for every agent",
                ));
            }
        };
        let login_key = if lists_skills { "userName" } else { "loginName" };
        let here = AgentAt::Listed {
            agent: path,
            id_key: a.id_at.map_or(if lists_skills { "@id" } else { "id" }, |(key, _, _)| key),
            id_line_column: a.id_at.map(|(_, line, column)| (line, column)),
            login_key,
            file: None,
        };
        // A repeat is dropped whole, before it adds skills, a login or warnings of its own.
        if !self.ids.insert(id.clone()) {
            self.warnings.push(Warning {
                at: here.id(),
                kind: WarningKind::DuplicateAgent,
                message: format!(
                    "agent id {id:?} is used by an earlier agent: this agent is dropped, the first kept"
                ),
            });
            return Ok(());
        }
        let capacity = match a.max_chats {
            Some(Int(-1)) => Capacity::Unlimited,
            Some(Int(n)) => match u32::try_from(n) {
                Ok(n) => Capacity::Limited(n),
                Err(_) => {
                    return Err(AdapterError::invalid(
                        format!("{path}.{attr}maxChats"),
                        format!("found {n}; expected -1 (unlimited) or a limit from 0 to {}", u32::MAX),
                    ));
                }
            },
            None => {
                self.warn(
                    format!("{path}.{attr}maxChats"),
                    WarningKind::MissingMaxChats,
                    "no maxChats: counted as taking no chats",
                );
                Capacity::Limited(0)
            }
        };
        let active_chats = match a.chats {
            Some(Int(n)) => u32::try_from(n).map_err(|_| {
                AdapterError::invalid(
                    format!("{path}.chats"),
                    format!("found {n}; expected a chat count from 0 to {}", u32::MAX),
                )
            })?,
            None => {
                self.warn(
                    format!("{path}.chats"),
                    WarningKind::MissingChats,
                    "no chats field: counted as 0 active chats",
                );
                0
            }
        };
        let time_in_state = match a.elapsed_time_in_state {
            // Offline agents report 0 (the documented example's do): their time is not kept, and
            // a 0 read as "just now" would restart their state at every poll.
            Some(Int(0)) if chat_state == AgentState::Offline => None,
            Some(Int(ms)) if ms >= 0 => Some(Duration::from_millis(ms as u64)),
            Some(Int(ms)) => {
                self.warn(
                    format!("{path}.elapsedTimeInState"),
                    WarningKind::TimeInState,
                    format!("negative time in state ({ms} ms): taken as not reported"),
                );
                None
            }
            None => {
                self.warn(
                    format!("{path}.elapsedTimeInState"),
                    WarningKind::TimeInState,
                    "no elapsedTimeInState: time in state not reported",
                );
                None
            }
        };
        let group = match a.agent_group_id {
            Some(Text(g)) if g.trim() == "-1" || g.trim().is_empty() => None,
            Some(Text(g)) => Some(GroupId::from(g)),
            None => None,
        };
        let login = match a.user_name {
            // An empty userName is no login (it could not be asked for anyway).
            Some(Text(l)) if l.trim().is_empty() => None,
            Some(Text(l)) if !self.logins.insert(l.clone()) => {
                self.warn(
                    format!("{path}.userName"),
                    WarningKind::DuplicateLogin,
                    format!("login {l:?} is used by an earlier agent: this agent's login is dropped"),
                );
                None
            }
            Some(Text(l)) => Some(l.into()),
            None => None,
        };
        let mut skills: Vec<usize> = Vec::new();
        let listed = a.skills.map(|s| s.skill.0).unwrap_or_default();
        for (k, Text(s)) in listed.into_iter().enumerate() {
            let spath = Listed(path, ".skills.skill", k);
            self.add_agent_skill(&mut skills, &s, None, &spath, false);
        }
        let info = a.skills_info.map(|s| s.skill_info.0).unwrap_or_default();
        for (k, si) in info.into_iter().enumerate() {
            let spath = Listed(path, ".skillsInfo.skillInfo", k);
            let Some(Text(sid)) = si.id else {
                self.warn(
                    format!("{spath}.id"),
                    WarningKind::SkillListing,
                    "skillInfo without an id: ignored",
                );
                continue;
            };
            let name = si.name.map(|t| t.0);
            self.add_agent_skill(&mut skills, &sid, name.as_deref(), &spath, lists_skills);
        }
        self.at.push(here);
        self.agents.push(Agent {
            id: id.into(),
            login,
            chat_state,
            voice_state,
            capacity,
            active_chats,
            // LivePerson reports no chat weights: each chat counts as one.
            load: None,
            skills: self.skills.list(&skills),
            group,
            time_in_state,
        });
        Ok(())
    }

    /// Adds a skill to an agent: once only, and a skill only `skillsInfo` names is reported.
    fn add_agent_skill(
        &mut self,
        skills: &mut Vec<usize>,
        id: &str,
        name: Option<&str>,
        path: &dyn fmt::Display,
        from_info: bool,
    ) {
        let (at, _) = self.skills.add(id, name, path, &mut self.warnings);
        if skills.contains(&at) {
            if !from_info {
                self.warn(
                    path.to_string(),
                    WarningKind::SkillListing,
                    format!("skill {id} listed twice for this agent: counted once"),
                );
            }
            return;
        }
        if from_info {
            self.warn(
                path.to_string(),
                WarningKind::SkillListing,
                format!("skill {id} is in skillsInfo but not in skills: added"),
            );
        }
        skills.push(at);
    }
}

/// A field of an agent (`availableAgents.agents.agent[3].@chatState`), written out only when a
/// warning names it.
struct Field(AgentPath, &'static str);

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.0, self.1)
    }
}

/// An item of one of an agent's lists (`availableAgents.agents.agent[3].skills.skill[1]`),
/// written out only when a warning names it.
struct Listed(AgentPath, &'static str, usize);

impl fmt::Display for Listed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}[{}]", self.0, self.1, self.2)
    }
}
