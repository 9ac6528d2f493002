//! Recognising a payload from its content, and reading agent and queue files of any vendor.

use std::fmt;

use chatcap_core::{Snapshot, Timestamp};
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::comm100::{self, Comm100Options};
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
    /// Comm100 `realTime/Agents` (one page).
    Comm100Agents,
    /// Comm100 `realTime/Queue`.
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
/// before a syntax error still tell the format; a list leaves `keys` empty and says so.
struct Shape<'a> {
    keys: &'a mut Vec<String>,
}

impl<'de> DeserializeSeed<'de> for Shape<'_> {
    type Value = bool;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Shape<'_> {
    /// Whether the document is a list.
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object or list")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        while let Some(k) = map.next_key::<String>()? {
            self.keys.push(k);
            map.next_value::<IgnoredAny>()?;
        }
        Ok(false)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<bool, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(true)
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
    if first == Some(b'[') {
        return Ok(Format::Comm100Queue);
    }
    let mut keys = Vec::new();
    let mut de = serde_json::Deserializer::from_slice(body);
    let read = Shape { keys: &mut keys }.deserialize(&mut de).and_then(|_| de.end());
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
             availableSlots, queuestate) or Comm100 (realTime/Agents, Queue, Today, RightNow) payload"
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
    } else {
        return None;
    };
    Some(format)
}

/// Reads agent files of any vendor into one snapshot: LivePerson `availableAgents` (JSON or
/// XML) or agent `info`, or the pages of a Comm100 `realTime/Agents` response (merged and
/// checked with [`comm100::agents_pages`]). Errors and warnings name the file.
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
    let mut comm100_pages = Vec::new();
    for (name, bytes) in files {
        let (name, bytes) = (name.as_ref(), bytes.as_ref());
        let format = detect(bytes).map_err(|e| e.with_file(name))?;
        let ingest = match format {
            Format::LivePersonAgentsJson => liveperson::available_agents_json(bytes, taken_at),
            Format::LivePersonAgentsXml => liveperson::available_agents_xml(bytes, taken_at),
            Format::LivePersonAgentInfo => liveperson::agent_info_json(bytes, taken_at),
            Format::Comm100Agents => {
                comm100_pages.push((name, bytes));
                continue;
            }
            other => Err(AdapterError::UnknownFormat {
                at: Location::default(),
                message: format!(
                    "{other} holds no agents; expected LivePerson availableAgents (JSON or XML), agent info, \
                     or Comm100 realTime/Agents"
                ),
            }),
        }
        .map_err(|e| e.with_file(name))?;
        out.merge(ingest.with_file(name));
    }
    if !comm100_pages.is_empty() {
        out.merge(comm100::agents_pages(&comm100_pages, taken_at, opts)?);
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
        Format::Comm100Queue => {
            let (queues, warnings) = comm100::queue_json(bytes).map_err(|e| e.with_file(name))?;
            ingest.warnings.extend(warnings);
            comm100::apply_queue(&queues, ingest);
        }
        other => {
            return Err(AdapterError::UnknownFormat {
                at: Location::default().with_file(name),
                message: format!(
                    "{other} is not a queue; expected a LivePerson queuestate or Comm100 realTime/Queue payload"
                ),
            });
        }
    }
    for w in &mut ingest.warnings[before..] {
        w.at.file.get_or_insert_with(|| name.to_owned());
    }
    Ok(())
}
