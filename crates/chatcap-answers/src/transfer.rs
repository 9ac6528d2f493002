//! Transfer candidates: `chatcap transfer --json`.

use chatcap_core::{AgentId, AgentState, Floor, Ranking, Slots, TransferRequest, TransferTarget, Weight};
use serde::Serialize;

use crate::args::{Param, bad, num};
use crate::{AnswerError, Naming};

/// A transfer request, as the shells take it (checked by [`transfer`]).
#[derive(Clone, Debug, PartialEq)]
pub struct TransferArgs<'a> {
    /// The agent that holds the chat (its id as the payload gives it).
    pub from: &'a str,
    /// Transfer to any agent with this skill id.
    pub to_skill: Option<&'a str>,
    /// Transfer to this agent (when no skill is given).
    pub to_agent: Option<&'a str>,
    /// The ranking: least-loaded, most-free, fewest-chats or longest-in-state.
    pub strategy: &'a str,
    /// Only the best this many candidates (a whole number of at least 1).
    pub limit: Option<f64>,
    /// List every agent left out, with the reason.
    pub explain: bool,
    /// Let agents without free capacity take the chat.
    pub allow_over_capacity: bool,
    /// What the chat costs of the receiving agent's capacity, as a decimal (`"1"`, `"0.5"`).
    pub weight: &'a str,
}

/// A candidate for a transfer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TransferCandidate {
    /// The agent.
    pub agent_id: String,
    /// Its free slots; -1 for unlimited.
    pub free_slots: i64,
    /// The chats it holds.
    pub active_chats: u32,
    /// Its chat state (for tables; not in the JSON).
    #[serde(skip)]
    pub state: AgentState,
    /// Its free slots as the core counts them (for tables; not in the JSON).
    #[serde(skip)]
    pub free: Slots,
}

/// An agent left out of a transfer, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TransferExcluded {
    /// The agent.
    pub agent_id: String,
    /// Why: `offline`, `away`, `missing_skill`, `at_capacity`, `zero_capacity`,
    /// `is_current_owner`.
    pub reason: &'static str,
}

/// Who can take a transferred chat, best first, and (when explained) every agent left out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TransferAnswer {
    /// The candidates, best first (ties by agent id).
    pub candidates: Vec<TransferCandidate>,
    /// The agents left out with the reason; empty unless explained.
    pub excluded: Vec<TransferExcluded>,
}

fn slots_number(s: Slots) -> i64 {
    s.count().map_or(-1, |n| i64::try_from(n).unwrap_or(i64::MAX))
}

/// Ranks the agents who can take a chat from `from`, to a skill or to one agent.
///
/// # Errors
///
/// [`AnswerError::Argument`] for an unknown ranking, a malformed weight or limit, no target, or
/// a skill no agent has; [`AnswerError::Lookup`] for an agent not on the floor.
pub fn transfer(
    floor: &Floor,
    args: &TransferArgs<'_>,
    naming: Naming,
) -> Result<TransferAnswer, AnswerError> {
    let ranking = Ranking::ALL.into_iter().find(|r| r.as_str() == args.strategy).ok_or_else(|| {
        bad(format!("{} {:?}: unknown ranking", naming.name(Param::Strategy), args.strategy))
    })?;
    // The core reads the decimal exactly and says what is wrong with it.
    let weight: Weight = args
        .weight
        .parse()
        .map_err(|e| bad(format!("{} {}: {e}", naming.name(Param::Weight), args.weight)))?;
    let from = AgentId::from(args.from);
    let to_agent = args.to_agent.map(AgentId::from);
    let target = match (args.to_skill, &to_agent) {
        (Some(skill), _) => TransferTarget::Skill(floor.skill_index(skill).ok_or_else(|| {
            bad(format!("{} {skill}: no agent on the floor has this skill", naming.name(Param::ToSkill)))
        })?),
        (None, Some(agent)) => TransferTarget::Agent(agent),
        (None, None) => {
            return Err(bad(match naming {
                Naming::Flags => "give --to-skill or --to-agent".to_owned(),
                Naming::Keywords => "give to_skill or to_agent".to_owned(),
            }));
        }
    };
    let mut request = TransferRequest::new(&from, target).with_strategy(ranking).with_weight(weight);
    request.limit = match args.limit {
        None => None,
        Some(k) if k.fract() == 0.0 && (1.0..=1e9).contains(&k) => Some(k as usize),
        Some(k) => {
            return Err(bad(format!(
                "{} {}: expected a whole number of candidates of at least 1",
                naming.name(Param::Limit),
                num(k)
            )));
        }
    };
    request.allow_over_capacity = args.allow_over_capacity;
    request.explain = args.explain;
    let answer = floor.transfer_candidates(&request)?;
    Ok(TransferAnswer {
        candidates: answer
            .candidates
            .iter()
            .map(|c| TransferCandidate {
                agent_id: c.agent.as_str().to_owned(),
                free_slots: slots_number(c.free),
                active_chats: c.active_chats,
                state: c.state,
                free: c.free,
            })
            .collect(),
        excluded: answer
            .excluded
            .iter()
            .map(|e| TransferExcluded { agent_id: e.agent.as_str().to_owned(), reason: e.reason.as_str() })
            .collect(),
    })
}
