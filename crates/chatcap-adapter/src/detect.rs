//! Recognising a payload from its content, and reading agent and queue files of any vendor.

use std::fmt;

use chatcap_core::{Snapshot, Timestamp};
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::comm100::{self, Comm100Options};
use crate::ingest::FirstKept;
use crate::{AdapterError, Ingest, Location, liveperson};

/// The payloads this crate reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// LivePerson `availableAgents`, JSON.
    LivePersonAgentsJson,
    /// LivePerson `availableAgents`, XML.
    LivePersonAgentsXml,
    /// LivePerson agent `info`.
    LivePersonAgentInfo,
    /// LivePerson agent `availability`.
    LivePersonAvailability,
    /// LivePerson `availableSlots`.
    LivePersonAvailableSlots,
    /// LivePerson Operations `queuestate`.
    LivePersonQueueState,
    /// LivePerson messaging: the Agent Metrics API's agent view status.
    LivePersonAgentView,
    /// LivePerson messaging: the Messaging Operations API's current queue health.
    LivePersonQueueHealth,
    /// Comm100 `realTime/Agents` (one page, or the older API's bare list of agents).
    Comm100Agents,
    /// Comm100 `realTime/Queue` (a list of department entries, or one entry alone).
    Comm100Queue,
    /// Comm100 `realTime/Today`.
    Comm100Today,
    /// Comm100 `realTime/RightNow`.
    Comm100RightNow,
}

impl Format {
    /// The payload's name, as messages use it.
    pub const fn name(self) -> &'static str {
        match self {
            Format::LivePersonAgentsJson => "a LivePerson availableAgents (JSON) payload",
            Format::LivePersonAgentsXml => "a LivePerson availableAgents (XML) payload",
            Format::LivePersonAgentInfo => "a LivePerson agent info payload",
            Format::LivePersonAvailability => "a LivePerson availability payload",
            Format::LivePersonAvailableSlots => "a LivePerson availableSlots payload",
            Format::LivePersonQueueState => "a LivePerson queuestate payload",
            Format::LivePersonAgentView => "a LivePerson agent view status payload",
            Format::LivePersonQueueHealth => "a LivePerson messaging queue health payload",
            Format::Comm100Agents => "a Comm100 realTime/Agents payload",
            Format::Comm100Queue => "a Comm100 realTime/Queue payload",
            Format::Comm100Today => "a Comm100 realTime/Today payload",
            Format::Comm100RightNow => "a Comm100 realTime/RightNow payload",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Reads the top-level keys of a JSON object into `keys` as they come, so that the keys read
/// before a syntax error still tell the format; for a list, the keys of its first item (when an
/// object), and it says the document is a list.
struct Shape<'a> {
    keys: &'a mut Vec<String>,
    is_list: &'a mut bool,
}

impl<'de> DeserializeSeed<'de> for Shape<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Shape<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object or list")
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        push_keys(map, self.keys)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        *self.is_list = true;
        seq.next_element_seed(ItemKeys { keys: self.keys })?;
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(())
    }
}

/// Pushes an object's keys as they come, skipping the values.
fn push_keys<'de, A: MapAccess<'de>>(mut map: A, keys: &mut Vec<String>) -> Result<(), A::Error> {
    while let Some(k) = map.next_key::<String>()? {
        keys.push(k);
        map.next_value::<IgnoredAny>()?;
    }
    Ok(())
}

/// The keys of a list's first item, when it is an object; nothing otherwise.
struct ItemKeys<'a> {
    keys: &'a mut Vec<String>,
}

impl<'de> DeserializeSeed<'de> for ItemKeys<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ItemKeys<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        push_keys(map, self.keys)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(())
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
}

/// Recognises a payload from its content: XML or JSON, and for JSON its top-level keys.
///
/// # Examples
///
/// ```
/// use chatcap_adapter::{detect, Format};
/// assert_eq!(detect(br#"{"availableAgents": {}}"#)?, Format::LivePersonAgentsJson);
/// assert_eq!(detect(b"<?xml version=\"1.0\"?><availableAgents/>")?, Format::LivePersonAgentsXml);
/// assert_eq!(detect(br#"{"total": 0, "list": []}"#)?, Format::Comm100Agents);
/// assert!(detect(br#"{"something": 1}"#).is_err());
/// # Ok::<(), chatcap_adapter::AdapterError>(())
/// ```
///
/// # Errors
///
/// [`AdapterError::Json`] when JSON-looking content is malformed; [`AdapterError::UnknownFormat`]
/// when the content matches no payload this crate reads.
pub fn detect(bytes: &[u8]) -> Result<Format, AdapterError> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let first = body.iter().copied().find(|b| !b.is_ascii_whitespace());
    let unknown = |message: String| AdapterError::UnknownFormat { at: Location::default(), message };
    match first {
        Some(b'<') => return Ok(Format::LivePersonAgentsXml),
        Some(b'{' | b'[') => {}
        Some(_) => {
            return Err(unknown("neither JSON nor XML; expected a LivePerson or Comm100 payload".to_owned()));
        }
        None => return Err(unknown("empty input; expected a LivePerson or Comm100 payload".to_owned())),
    }
    let (mut keys, mut is_list) = (Vec::new(), false);
    let mut de = serde_json::Deserializer::from_slice(body);
    let read = Shape { keys: &mut keys, is_list: &mut is_list }.deserialize(&mut de).and_then(|_| de.end());
    if is_list {
        // A list is Comm100's: agents (the older API's bare list) when its first item looks like
        // an agent, department queues otherwise (the queue reader refuses what is not one). A
        // broken list is reported by that reader, which names the path.
        return Ok(classify_list(&keys));
    }
    if let Err(e) = read {
        // A broken document whose first keys tell the format is reported by that format's
        // reader, which names the path; otherwise report the syntax error here.
        if let Some(format) = classify(&keys) {
            return Ok(format);
        }
        return Err(crate::de::json_error(String::new(), e));
    }
    classify(&keys).ok_or_else(|| {
        let shown: Vec<&str> = keys.iter().take(5).map(String::as_str).collect();
        unknown(format!(
            "a JSON object with keys {shown:?}; expected a LivePerson (availableAgents, info, availability, \
             availableSlots, queuestate, agent view status, queue health) or Comm100 (realTime/Agents, Queue, \
             Today, RightNow) payload"
        ))
    })
}

fn classify(keys: &[String]) -> Option<Format> {
    let has = |k: &str| keys.iter().any(|x| x == k);
    let format = if has("availableAgents") {
        Format::LivePersonAgentsJson
    } else if has("info") {
        Format::LivePersonAgentInfo
    } else if has("availability") {
        Format::LivePersonAvailability
    } else if has("availableSlots") {
        Format::LivePersonAvailableSlots
    } else if has("skills") {
        Format::LivePersonQueueState
    } else if has("agentStatusRecords") {
        Format::LivePersonAgentView
    } else if has("skillsMetrics") || has("metricsTotal") {
        Format::LivePersonQueueHealth
    } else if has("list") || has("pageCount") {
        Format::Comm100Agents
    } else if has("loggedInAgents")
        || has("agentsInChat")
        || has("ongoingChatsWithAgent")
        || has("visitorOnSite")
    {
        Format::Comm100RightNow
    } else if has("totalChats") || has("chatRequests") || has("avgChatTime") || has("chatAcceptanceRate") {
        Format::Comm100Today
    } else if has("visitors") || has("queue") || has("routeToDepartmentId") || has("routeToAgentId") {
        // One department queue given alone, as the older API's documents show it.
        Format::Comm100Queue
    } else {
        return None;
    };
    Some(format)
}

/// The format of a JSON list, from the keys of its first item.
fn classify_list(first_keys: &[String]) -> Format {
    let has = |k: &str| first_keys.iter().any(|x| x == k);
    // Queue entries carry ongoingChats too: only the agents' own fields tell.
    let agent = has("agentId") || has("currentStatusId") || has("onGoingChats") || has("intradayChats");
    let queue = has("visitors") || has("queue") || has("routeToDepartmentId") || has("currentQueueLength");
    if agent && !queue { Format::Comm100Agents } else { Format::Comm100Queue }
}

/// Reads agent files of any vendor into one snapshot: LivePerson `availableAgents` (JSON or
/// XML) or agent `info`, or the pages of a Comm100 `realTime/Agents` response (merged and
/// checked with [`comm100::agents_pages`]). Errors and warnings name the file.
///
/// An agent id an earlier file (or an earlier agent of the same file) already has is dropped,
/// the first kept, with a [`WarningKind::DuplicateAgent`](crate::WarningKind::DuplicateAgent)
/// warning at the repeat; a login an earlier agent has is dropped from the later agent
/// ([`WarningKind::DuplicateLogin`](crate::WarningKind::DuplicateLogin)).
///
/// # Examples
///
/// ```
/// use chatcap_adapter::{comm100::Comm100Options, read_agents};
/// use chatcap_core::Timestamp;
/// let xml = br#"<availableAgents><agents><agent id="1" chatState="2" maxChats="2"><chats>0</chats></agent></agents></availableAgents>"#;
/// let ingest = read_agents(&[("a.xml", &xml[..])], Timestamp::EPOCH, &Comm100Options::default())?;
/// assert_eq!(ingest.snapshot.agents.len(), 1);
/// # Ok::<(), chatcap_adapter::AdapterError>(())
/// ```
///
/// # Errors
///
/// The errors of the vendor readers, and [`AdapterError::UnknownFormat`] for a file that holds
/// no agents (a queue, for example).
pub fn read_agents<N: AsRef<str>, B: AsRef<[u8]>>(
    files: &[(N, B)],
    taken_at: Timestamp,
    opts: &Comm100Options,
) -> Result<Ingest, AdapterError> {
    let mut out = Ingest { snapshot: Snapshot { taken_at, ..Snapshot::default() }, ..Ingest::default() };
    let mut kept = FirstKept::default();
    let mut comm100_pages = Vec::new();
    for (name, bytes) in files {
        let (name, bytes) = (name.as_ref(), bytes.as_ref());
        let format = detect(bytes).map_err(|e| e.with_file(name))?;
        let read = match format {
            Format::LivePersonAgentsJson => liveperson::available_agents_json_at(bytes, taken_at),
            Format::LivePersonAgentsXml => liveperson::available_agents_xml_at(bytes, taken_at),
            Format::LivePersonAgentInfo => liveperson::agent_info_json_at(bytes, taken_at),
            Format::LivePersonAgentView => liveperson::messaging::agent_view_json_at(bytes, taken_at),
            Format::Comm100Agents => {
                comm100_pages.push((name, bytes));
                continue;
            }
            other => Err(AdapterError::UnknownFormat {
                at: Location::default(),
                message: format!(
                    "{other} holds no agents; expected LivePerson availableAgents (JSON or XML), agent info, \
                     agent view status, or Comm100 realTime/Agents"
                ),
            }),
        };
        let (ingest, at) = read.map_err(|e| e.with_file(name))?;
        let file: std::sync::Arc<str> = name.into();
        let at = at.into_iter().map(|a| a.with_file(&file)).collect();
        kept.append(&mut out, ingest.with_file(name), at);
    }
    if !comm100_pages.is_empty() {
        let (ingest, at) = comm100::agents_pages_at(&comm100_pages, taken_at, opts)?;
        kept.append(&mut out, ingest, at);
    }
    Ok(out)
}

/// Adds the visitors of a queue file to a snapshot: a LivePerson `queuestate` response (see
/// [`liveperson::apply_queue_state`]) or a Comm100 `realTime/Queue` response (see
/// [`comm100::apply_queue`]). Errors and warnings name the file.
///
/// # Examples
///
/// ```
/// use chatcap_adapter::{read_queue, Ingest};
/// let mut ingest = Ingest::default();
/// read_queue("q.json", br#"{"skills":{"1":{"currentAvailableSlots":0,"currentQueueSize":3}}}"#, &mut ingest)?;
/// assert_eq!(ingest.snapshot.queue.len(), 3);
/// # Ok::<(), chatcap_adapter::AdapterError>(())
/// ```
///
/// # Errors
///
/// The errors of the vendor readers, and [`AdapterError::UnknownFormat`] for a file that is not
/// a queue.
pub fn read_queue(name: &str, bytes: &[u8], ingest: &mut Ingest) -> Result<(), AdapterError> {
    let before = ingest.warnings.len();
    match detect(bytes).map_err(|e| e.with_file(name))? {
        Format::LivePersonQueueState => {
            let (report, warnings) = liveperson::queue_state_json(bytes).map_err(|e| e.with_file(name))?;
            ingest.warnings.extend(warnings);
            liveperson::apply_queue_state(&report, ingest).map_err(|e| e.with_file(name))?;
        }
        Format::LivePersonQueueHealth => {
            let (report, warnings) =
                liveperson::messaging::queue_health_json(bytes).map_err(|e| e.with_file(name))?;
            ingest.warnings.extend(warnings);
            liveperson::apply_queue_state(&report, ingest).map_err(|e| e.with_file(name))?;
        }
        Format::Comm100Queue => {
            let (queues, warnings) = comm100::queue_json(bytes).map_err(|e| e.with_file(name))?;
            ingest.warnings.extend(warnings);
            comm100::apply_queue(&queues, ingest);
        }
        other => {
            return Err(AdapterError::UnknownFormat {
                at: Location::default().with_file(name),
                message: format!(
                    "{other} is not a queue; expected a LivePerson queuestate or messaging queue health, or \
                     Comm100 realTime/Queue payload"
                ),
            });
        }
    }
    for w in &mut ingest.warnings[before..] {
        w.at.file.get_or_insert_with(|| name.to_owned());
    }
    Ok(())
}
