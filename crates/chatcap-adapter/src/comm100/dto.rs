//! Comm100 payloads exactly as the server sends them.

use serde::Deserialize;
use serde::de::IgnoredAny;

use crate::de::{Dec, Int, Text};

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
    pub(crate) visitors: Vec<Visitor>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct Department {
    pub(crate) id: Option<Text>,
    pub(crate) name: Option<Text>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct Visitor {
    pub(crate) visitor_id: Option<Text>,
    pub(crate) contact_identity_id: Option<Text>,
    pub(crate) wait_time: Option<Int>,
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
