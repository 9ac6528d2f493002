//! Comm100 payloads exactly as the server sends them.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, IgnoredAny, MapAccess, SeqAccess};

use crate::de::{Dec, Int, Text};

/// `GET livechat/realTime/Agents` in either shape: the current API's page (an object with
/// `list`), or the older API's bare list of agents.
#[derive(Debug)]
pub(crate) enum AgentsDoc {
    Page(AgentsPage),
    BareList(Vec<Agent>),
}

impl<'de> Deserialize<'de> for AgentsDoc {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> de::Visitor<'de> for V {
            type Value = AgentsDoc;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a page of agents (an object with list) or a list of agents")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<AgentsDoc, A::Error> {
                AgentsPage::deserialize(de::value::MapAccessDeserializer::new(map)).map(AgentsDoc::Page)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<AgentsDoc, A::Error> {
                Vec::deserialize(de::value::SeqAccessDeserializer::new(seq)).map(AgentsDoc::BareList)
            }
        }
        d.deserialize_any(V)
    }
}

/// `GET livechat/realTime/Queue` in either shape: a list of department entries, or one entry
/// given alone (`alone`), as the older API's documents show a queue.
#[derive(Debug)]
pub(crate) struct QueueDoc {
    pub(crate) entries: Vec<Queue>,
    pub(crate) alone: bool,
}

impl<'de> Deserialize<'de> for QueueDoc {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> de::Visitor<'de> for V {
            type Value = QueueDoc;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of department queues or one department queue")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<QueueDoc, A::Error> {
                let one = Queue::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(QueueDoc { entries: vec![one], alone: true })
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<QueueDoc, A::Error> {
                let entries = Vec::deserialize(de::value::SeqAccessDeserializer::new(seq))?;
                Ok(QueueDoc { entries, alone: false })
            }
        }
        d.deserialize_any(V)
    }
}

/// `GET livechat/realTime/Agents`, one page.
#[derive(Deserialize, Debug, Default)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct AgentsPage {
    pub(crate) total: Option<Int>,
    pub(crate) page_count: Option<Int>,
    pub(crate) page_index: Option<Int>,
    pub(crate) page_size: Option<Int>,
    pub(crate) list: Vec<Agent>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct Agent {
    pub(crate) agent_id: Option<Text>,
    pub(crate) display_name: Option<Text>,
    pub(crate) current_status_id: Option<Text>,
    // The documentation spells it both ways.
    #[serde(alias = "ongoingChats")]
    pub(crate) on_going_chats: Option<Int>,
    pub(crate) max_concurrent_chats: Option<Int>,
    pub(crate) intraday_chats: Option<Text>,
    pub(crate) intraday_linear_chat_time: Option<Text>,
    pub(crate) status_distribution: Option<IgnoredAny>,
}

/// `GET livechat/realTime/Queue`: a list of these, one per department.
#[derive(Deserialize, Debug, Default)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct Queue {
    pub(crate) route_to_department_id: Option<Text>,
    pub(crate) route_to_department: Option<Department>,
    pub(crate) route_to_agent_id: Option<Text>,
    pub(crate) route_to_agent: Option<IgnoredAny>,
    pub(crate) ongoing_chats: Option<Int>,
    pub(crate) max_concurrent_chats: Option<Int>,
    pub(crate) current_queue_length: Option<Int>,
    #[serde(rename = "avgWaitTimeinLast30Mins")]
    pub(crate) avg_wait_time_in_last30_mins: Option<Int>,
    #[serde(rename = "avgWaitTimeinLast60Mins")]
    pub(crate) avg_wait_time_in_last60_mins: Option<Int>,
    #[serde(rename = "abandonedChatsinLast30Mins")]
    pub(crate) abandoned_chats_in_last30_mins: Option<Int>,
    #[serde(rename = "switchedtoMessagesinLast30Mins")]
    pub(crate) switched_to_messages_in_last30_mins: Option<Int>,
    pub(crate) visitors: Option<Vec<Visitor>>,
    /// The older API's list of waiting visitors (its documents have no `currentQueueLength`).
    pub(crate) queue: Option<Vec<Visitor>>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct Department {
    pub(crate) id: Option<Text>,
    pub(crate) name: Option<Text>,
}

/// A waiting visitor: an object, or (as an older list may give it) a bare id.
#[derive(Debug, Default)]
pub(crate) struct Visitor {
    pub(crate) visitor_id: Option<Text>,
    pub(crate) wait_time: Option<Int>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(default, rename_all = "camelCase")]
struct VisitorObject {
    visitor_id: Option<Text>,
    wait_time: Option<Int>,
}

impl<'de> Deserialize<'de> for Visitor {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> de::Visitor<'de> for V {
            type Value = Visitor;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a visitor (an object with visitorId and waitTime) or a visitor id")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Visitor, A::Error> {
                let v = VisitorObject::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(Visitor { visitor_id: v.visitor_id, wait_time: v.wait_time })
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Visitor, E> {
                Ok(Visitor { visitor_id: Some(Text(v.to_owned())), wait_time: None })
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Visitor, E> {
                Ok(Visitor { visitor_id: Some(Text(v.to_string())), wait_time: None })
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Visitor, E> {
                Ok(Visitor { visitor_id: Some(Text(v.to_string())), wait_time: None })
            }
        }
        d.deserialize_any(V)
    }
}

/// `GET livechat/realTime/Today`.
#[derive(Deserialize, Debug, Default)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct Today {
    pub(crate) avg_waiting_time: Option<Dec>,
    pub(crate) total_chats: Option<Int>,
    pub(crate) chat_requests: Option<Int>,
    pub(crate) abandonded_chats: Option<Int>,
    pub(crate) switched_to_message_chats: Option<Int>,
    pub(crate) unique_chat_rate: Option<Dec>,
    pub(crate) avg_score: Option<Dec>,
    pub(crate) service_accessibility_rate: Option<Dec>,
    pub(crate) accepted_invitations: Option<Int>,
    pub(crate) department_transferred_chats: Option<Int>,
    pub(crate) missed_chats: Option<Int>,
    pub(crate) chat_acceptance_rate: Option<Dec>,
    pub(crate) total_transferred_chats: Option<Int>,
    pub(crate) agent_avg_response_time: Option<Dec>,
    pub(crate) chats: Option<Int>,
    pub(crate) avg_chat_time: Option<Dec>,
    pub(crate) agent_utilization: Option<Dec>,
}

/// `GET livechat/realTime/RightNow`.
#[derive(Deserialize, Debug, Default)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct RightNow {
    pub(crate) logged_in_agents: Option<Int>,
    pub(crate) agents_in_chat: Option<Int>,
    pub(crate) chat_utilization: Option<Dec>,
    pub(crate) visitor_on_site: Option<Int>,
    pub(crate) ongoing_chats: Option<Int>,
    pub(crate) ongoing_chats_with_agent: Option<Int>,
    pub(crate) current_queue_length: Option<Int>,
    pub(crate) ongoing_chats_with_bot: Option<Int>,
}
