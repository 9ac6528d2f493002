//! `availableAgents` JSON read as a stream: each agent converted as soon as it is read, so that
//! a payload of 100,000 agents is never held as 100,000 read values beside the snapshot made
//! of them.
//!
//! The stream takes the documents the whole reading (`dto::AvailableAgentsDoc`, then
//! `convert_available_agents`) takes, in the shapes the API sends, and gives the same
//! snapshot, warnings and first conversion error. Whatever it does not take (a document that
//! does not read, a duplicate key, an object given as an array) it leaves to the whole reading,
//! which then gives the error, with its path, exactly as before.

use std::borrow::Cow;
use std::fmt;

use chatcap_core::Timestamp;
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::{AGENT_LIST, AgentDto, Builder, Link};
use crate::de::OneOrMany;
use crate::ingest::{AgentAt, AgentPath};
use crate::{AdapterError, Ingest};

/// Reads the document as a stream; `None` when the stream does not take it.
pub(super) fn available_agents(
    bytes: &[u8],
    taken_at: Timestamp,
) -> Option<Result<(Ingest, Vec<AgentAt>), AdapterError>> {
    // Saved API responses sometimes start with a UTF-8 byte order mark.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut sink = Sink { b: Builder::new(taken_at), failed: None };
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let link = Root { sink: &mut sink }.deserialize(&mut de).ok()?;
    de.end().ok()?;
    let next_page = link.0.into_iter().find(|l| l.rel.as_deref() == Some("next")).and_then(|l| l.href);
    Some(match sink.failed {
        Some(e) => Err(e),
        None => Ok(sink.b.finish_at(next_page)),
    })
}

/// Where the agents go as they are read.
struct Sink {
    b: Builder,
    /// The first agent that did not convert: the rest are read (a later one may not read at
    /// all, which the whole reading reports first) but not converted.
    failed: Option<AdapterError>,
}

impl Sink {
    fn agent(&mut self, index: usize, a: AgentDto) {
        if self.failed.is_none()
            && let Err(e) = self.b.agent(a, AgentPath { list: AGENT_LIST, index: Some(index) })
        {
            self.failed = Some(e);
        }
    }
}

fn duplicate<E: de::Error>(key: &'static str) -> E {
    E::duplicate_field(key)
}

/// `{"availableAgents": {...}}`: the `link` of the document.
struct Root<'a> {
    sink: &'a mut Sink,
}

impl<'de> DeserializeSeed<'de> for Root<'_> {
    type Value = OneOrMany<Link>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Root<'_> {
    type Value = OneOrMany<Link>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an availableAgents document")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut link = None;
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            if key == "availableAgents" {
                if link.is_some() {
                    return Err(duplicate("availableAgents"));
                }
                link = Some(map.next_value_seed(Available { sink: &mut *self.sink })?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        link.ok_or_else(|| de::Error::missing_field("availableAgents"))
    }
}

/// The `availableAgents` object: `agents` streamed, `link` read.
struct Available<'a> {
    sink: &'a mut Sink,
}

impl<'de> DeserializeSeed<'de> for Available<'_> {
    type Value = OneOrMany<Link>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Available<'_> {
    type Value = OneOrMany<Link>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let (mut agents, mut link) = (false, None);
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            match &*key {
                "agents" => {
                    if agents {
                        return Err(duplicate("agents"));
                    }
                    agents = true;
                    map.next_value_seed(Agents { sink: &mut *self.sink })?;
                }
                "link" => {
                    if link.is_some() {
                        return Err(duplicate("link"));
                    }
                    link = Some(map.next_value::<OneOrMany<Link>>()?);
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(link.unwrap_or_default())
    }
}

/// `agents`: an object holding `agent`, or empty (`null`, `""`), as `empty_as_none` takes it.
struct Agents<'a> {
    sink: &'a mut Sink,
}

impl<'de> DeserializeSeed<'de> for Agents<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Agents<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object, null or an empty string")
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        if v.trim().is_empty() { Ok(()) } else { Err(E::invalid_value(de::Unexpected::Str(v), &self)) }
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut agent = false;
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            if key == "agent" {
                if agent {
                    return Err(duplicate("agent"));
                }
                agent = true;
                map.next_value_seed(AgentList { sink: &mut *self.sink })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

/// `agent`: a list of agents, one agent as a bare object, or `null`, as `OneOrMany` takes it.
struct AgentList<'a> {
    sink: &'a mut Sink,
}

impl<'de> DeserializeSeed<'de> for AgentList<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for AgentList<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("one item or a list of items")
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut index = 0;
        while let Some(a) = seq.next_element::<AgentDto>()? {
            self.sink.agent(index, a);
            index += 1;
        }
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        let a = AgentDto::deserialize(de::value::MapAccessDeserializer::new(map))?;
        self.sink.agent(0, a);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::de::from_json;
    use crate::liveperson::{convert_available_agents, dto};

    /// What the whole reading gives, spelled out for comparison.
    fn whole(bytes: &[u8]) -> String {
        let read = from_json::<dto::AvailableAgentsDoc>(bytes)
            .and_then(|doc| convert_available_agents(doc.available_agents, Timestamp::EPOCH));
        shown(read)
    }

    fn shown(read: Result<(Ingest, Vec<AgentAt>), AdapterError>) -> String {
        match read {
            Ok((ingest, at)) => {
                let at: Vec<_> = at.iter().map(|a| (a.id(), a.login())).collect();
                format!("{ingest:?} {at:?}")
            }
            Err(e) => format!("error {e:?}: {e}"),
        }
    }

    /// The stream gives what the whole reading gives, or leaves the document to it.
    fn check(bytes: &[u8], streams: bool) {
        let text = String::from_utf8_lossy(bytes);
        match available_agents(bytes, Timestamp::EPOCH) {
            Some(read) => {
                assert!(streams, "streamed, but expected to be left to the whole reading: {text}");
                assert_eq!(shown(read), whole(bytes), "{text}");
            }
            None => assert!(!streams, "left to the whole reading: {text}"),
        }
    }

    #[test]
    fn the_stream_reads_as_the_whole_reading_does() {
        for fixture in [
            &include_bytes!("../../../../testdata/liveperson/001_available_agents.json")[..],
            include_bytes!("../../../../testdata/liveperson/quirks/agents.json"),
            include_bytes!("../../../../testdata/liveperson/quirks/002_available_agents_first_five.json"),
            include_bytes!("../../../../testdata/liveperson/quirks/empty_elements.json"),
            include_bytes!("../../../../testdata/liveperson/quirks/repeated_agent_id.json"),
            include_bytes!("../../../../testdata/liveperson/quirks/repeated_agent_next_page.json"),
            include_bytes!("../../../../testdata/liveperson/quirks/single_agent.json"),
            include_bytes!("../../../../testdata/liveperson/quirks/bad_max_chats.json"),
            include_bytes!("../../../../testdata/liveperson/quirks/fractional_max_chats.json"),
        ] {
            // A fixture that does not read is left to the whole reading; one that reads streams.
            let reads =
                !matches!(from_json::<dto::AvailableAgentsDoc>(fixture), Err(AdapterError::Json { .. }));
            check(fixture, reads);
        }
        let a = r#"{"@id":"1","@chatState":"2","@maxChats":"2","chats":"0","elapsedTimeInState":"5","userName":"ann","skills":{"skill":"7"}}"#;
        let streamed = [
            format!(r#"{{"availableAgents":{{"agents":{{"agent":{a}}}}}}}"#),
            format!(r#"{{"availableAgents":{{"agents":{{"agent":[{a},{a}]}}}}}}"#),
            format!("\u{feff}{{\"availableAgents\":{{\"agents\":{{\"agent\":[{a}]}}}}}}"),
            r#"{"availableAgents":{"agents":null}}"#.to_owned(),
            r#"{"availableAgents":{"agents":" "}}"#.to_owned(),
            r#"{"availableAgents":{"agents":{}}}"#.to_owned(),
            r#"{"availableAgents":{"agents":{"agent":null}}}"#.to_owned(),
            r#"{"availableAgents":{}}"#.to_owned(),
            r#"{"other":1,"availableAgents":{"x":[1],"agents":{"y":{},"agent":[]},"link":[{"@rel":"next","@href":"h"}]}}"#
                .to_owned(),
            format!(r#"{{"availableAgent\u0073":{{"agents":{{"agent":[{a}]}}}}}}"#),
            // Warnings: no chats, a skill only in skillsInfo, a login used twice, an unknown state.
            r#"{"availableAgents":{"agents":{"agent":[{"@id":"1","@chatState":"9","@maxChats":"1","userName":"u",
                "skillsInfo":{"skillInfo":{"id":"3","name":"n"}}},{"@id":"2","@maxChats":"1","userName":"u",
                "skills":{"skill":["4","4"]},"skillsInfo":{"skillInfo":[{"id":"4","name":"m"},{"name":"x"}]}},
                {"@id":"1","@maxChats":"1"}]}}}"#
                .to_owned(),
            // The first agent does not convert; the second reads.
            format!(r#"{{"availableAgents":{{"agents":{{"agent":[{{"@id":"1","@maxChats":"-5"}},{a}]}}}}}}"#),
            r#"{"availableAgents":{"agents":{"agent":[{"@maxChats":"1"}]}}}"#.to_owned(),
        ];
        for doc in &streamed {
            check(doc.as_bytes(), true);
        }
        let left = [
            // The first agent does not convert and the second does not read: the reading error.
            r#"{"availableAgents":{"agents":{"agent":[{"@id":"1","@maxChats":"-5"},{"@maxChats":"x"}]}}}"#
                .to_owned(),
            format!(r#"{{"availableAgents":{{"agents":{{"agent":[{a}],"agent":[{a}]}}}}}}"#),
            format!(r#"{{"availableAgents":{{"agents":{{"agent":[{a}]}},"agents":null}}}}"#),
            r#"{"availableAgents":{},"availableAgents":{}}"#.to_owned(),
            r#"{"availableAgents":{"agents":{"agent":"1"}}}"#.to_owned(),
            r#"{"availableAgents":{"agents":"x"}}"#.to_owned(),
            r#"{"availableAgents":[]}"#.to_owned(),
            r#"{"availableAgents":{}} x"#.to_owned(),
            r#"{"availableAgents":{"agents":{"agent":[{"@id":"1"}"#.to_owned(),
            r#"{}"#.to_owned(),
            r#"[]"#.to_owned(),
        ];
        for doc in &left {
            check(doc.as_bytes(), false);
        }
    }
}
