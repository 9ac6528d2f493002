//! LivePerson payloads exactly as the server sends them (the XML form converted to JSON: `@`
//! for attributes, numbers as strings, one item as a bare value). Nothing here is interpreted;
//! see `convert` for that.

use serde::Deserialize;

use chatcap_core::AgentState;

use crate::de::{Entries, Int, OneOrMany, Scalar, Text, empty_as_none, parse_int};

/// A chat or voice state code as `availableAgents` sends it: `"1"` Offline, `"2"` Online,
/// `"3"` Occupied, `"4"` Away, as a string or a number (any notation of the whole number: `2.0`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum StateCode {
    Known(AgentState),
    Unknown(String),
}

impl StateCode {
    fn of(t: &str) -> Option<AgentState> {
        match t.trim() {
            "1" => Some(AgentState::Offline),
            "2" => Some(AgentState::Online),
            "3" => Some(AgentState::Occupied),
            "4" => Some(AgentState::Away),
            other => match parse_int(other) {
                Ok(1) => Some(AgentState::Offline),
                Ok(2) => Some(AgentState::Online),
                Ok(3) => Some(AgentState::Occupied),
                Ok(4) => Some(AgentState::Away),
                _ => None,
            },
        }
    }
}

impl From<Text> for StateCode {
    fn from(Text(t): Text) -> Self {
        match StateCode::of(&t) {
            Some(s) => StateCode::Known(s),
            None => StateCode::Unknown(t),
        }
    }
}

impl<'de> Deserialize<'de> for StateCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // From the document's text, so that a code written 2.0 is read as exactly as "2".
        let text = match Scalar::read(d)? {
            Scalar::Str(s) => s,
            Scalar::Num(n) => n.into(),
            Scalar::Other(o) => {
                return Err(serde::de::Error::custom(format!(
                    "found {}; expected a state code (1, 2, 3 or 4, as a number or a string)",
                    if o.len() > 40 { "a long value" } else { o }
                )));
            }
        };
        Ok(match StateCode::of(&text) {
            Some(s) => StateCode::Known(s),
            None => StateCode::Unknown(text.into_owned()),
        })
    }
}

/// A state as the `availability` resource words it: `"Online"`, `"Offline"`, `"Occupied"`,
/// `"Away"` (any case).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum StateWord {
    Known(AgentState),
    Unknown(String),
}

impl From<Text> for StateWord {
    fn from(Text(t): Text) -> Self {
        let w = t.trim();
        match AgentState::ALL.into_iter().find(|s| s.as_str().eq_ignore_ascii_case(w)) {
            Some(s) => StateWord::Known(s),
            None => StateWord::Unknown(t),
        }
    }
}

impl<'de> Deserialize<'de> for StateWord {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Text::deserialize(d).map(StateWord::from)
    }
}

/// `GET .../availableAgents`.
#[derive(Deserialize, Debug)]
pub(crate) struct AvailableAgentsDoc {
    #[serde(rename = "availableAgents")]
    pub(crate) available_agents: AvailableAgents,
}

#[derive(Deserialize, Debug, Default)]
#[serde(default)]
pub(crate) struct AvailableAgents {
    #[serde(deserialize_with = "empty_as_none")]
    pub(crate) agents: Option<Agents>,
    pub(crate) link: OneOrMany<Link>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(default)]
pub(crate) struct Agents {
    pub(crate) agent: OneOrMany<Agent>,
}

#[derive(Deserialize, Debug, Default, PartialEq, Eq)]
#[serde(default)]
pub(crate) struct Link {
    #[serde(rename = "@href", alias = "href")]
    pub(crate) href: Option<String>,
    #[serde(rename = "@rel", alias = "rel")]
    pub(crate) rel: Option<String>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct Agent {
    #[serde(rename = "@id", alias = "id")]
    pub(crate) id: Option<Text>,
    #[serde(rename = "@chatState", alias = "chatState")]
    pub(crate) chat_state: Option<StateCode>,
    #[serde(rename = "@voiceState", alias = "voiceState")]
    pub(crate) voice_state: Option<StateCode>,
    #[serde(rename = "@maxChats", alias = "maxChats")]
    pub(crate) max_chats: Option<Int>,
    pub(crate) user_name: Option<Text>,
    pub(crate) nickname: Option<Text>,
    pub(crate) email: Option<Text>,
    pub(crate) privilege_group: Option<Text>,
    #[serde(deserialize_with = "empty_as_none")]
    pub(crate) skills: Option<Skills>,
    #[serde(deserialize_with = "empty_as_none")]
    pub(crate) skills_info: Option<SkillsInfo>,
    pub(crate) chats: Option<Int>,
    pub(crate) agent_group_name: Option<Text>,
    pub(crate) agent_group_id: Option<Text>,
    pub(crate) elapsed_time_in_state: Option<Int>,
    /// Where the XML reader found the id (`None` from JSON): the key as a path spells it (`@id`
    /// for an attribute, `id` for a child element), the line and the column.
    #[serde(skip)]
    pub(crate) id_at: Option<(&'static str, usize, usize)>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(default)]
pub(crate) struct Skills {
    pub(crate) skill: OneOrMany<Text>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct SkillsInfo {
    pub(crate) skill_info: OneOrMany<SkillInfo>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(default)]
pub(crate) struct SkillInfo {
    #[serde(alias = "@id")]
    pub(crate) id: Option<Text>,
    #[serde(alias = "@name")]
    pub(crate) name: Option<Text>,
}

/// `GET .../agentSession/{id}/info`: the logged-in agent.
#[derive(Deserialize, Debug)]
pub(crate) struct InfoDoc {
    pub(crate) info: Info,
}

#[derive(Deserialize, Debug, Default)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct Info {
    pub(crate) link: OneOrMany<Link>,
    pub(crate) agent_name: Option<Text>,
    pub(crate) display_name: Option<Text>,
    pub(crate) login_name: Option<Text>,
    pub(crate) id: Option<Text>,
    pub(crate) max_chats: Option<Int>,
    pub(crate) chats: Option<Int>,
    #[serde(deserialize_with = "empty_as_none")]
    pub(crate) availability: Option<Availability>,
    #[serde(deserialize_with = "empty_as_none")]
    pub(crate) skills_info: Option<SkillsInfo>,
}

/// `GET .../agentSession/{id}/availability`.
#[derive(Deserialize, Debug)]
pub(crate) struct AvailabilityDoc {
    pub(crate) availability: Availability,
}

#[derive(Deserialize, Debug, Default)]
#[serde(default)]
pub(crate) struct Availability {
    pub(crate) chat: Option<StateWord>,
    pub(crate) voice: Option<StateWord>,
}

/// `GET .../chat/availableSlots`.
#[derive(Deserialize, Debug)]
pub(crate) struct AvailableSlotsDoc {
    #[serde(rename = "availableSlots")]
    pub(crate) available_slots: Int,
}

/// Operations `GET .../queuestate` (v1 and v2).
#[derive(Deserialize, Debug)]
pub(crate) struct QueueStateDoc {
    pub(crate) skills: Entries<SkillQueue>,
    #[serde(default)]
    pub(crate) totals: Option<SkillQueue>,
}

#[derive(Deserialize, Debug)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SkillQueue {
    pub(crate) current_available_slots: Int,
    pub(crate) current_queue_size: Int,
    #[serde(default)]
    pub(crate) current_max_wait_time_in_queue: Option<Int>,
}
