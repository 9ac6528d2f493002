//! `chatcap transfer`: who can take a chat, ranked, and why every other agent cannot.

use std::fmt::Write as _;

use anyhow::{Context, Result, bail};
use chatcap_core::{AgentId, Floor, Ranking, Slots, TransferRequest, TransferTarget, Weight};
use clap::Args;
use serde::Serialize;

use crate::vendor::{Input, load, print_warnings};

/// `chatcap transfer`.
#[derive(Args, Debug)]
pub(crate) struct TransferArgs {
    #[command(flatten)]
    input: Input,
    /// The agent that holds the chat (its id as the payload gives it)
    #[arg(long, value_name = "AGENT_ID")]
    from: String,
    /// Transfer to any agent with this skill id
    #[arg(long, value_name = "ID", conflicts_with = "to_agent", required_unless_present = "to_agent")]
    to_skill: Option<String>,
    /// Transfer to this agent
    #[arg(long, value_name = "AGENT_ID")]
    to_agent: Option<String>,
    /// How to rank the candidates
    #[arg(long, value_name = "RANKING", default_value = "least-loaded",
          value_parser = ["least-loaded", "most-free", "fewest-chats", "longest-in-state"])]
    strategy: String,
    /// Show only the best K candidates (at least 1)
    #[arg(long, value_name = "K", allow_negative_numbers = true)]
    limit: Option<f64>,
    /// Also list every agent left out, with the reason
    #[arg(long)]
    explain: bool,
    /// Let agents without free capacity take the chat (as some vendors allow on transfer)
    #[arg(long)]
    allow_over_capacity: bool,
    /// What the chat costs of the receiving agent's capacity, e.g. 0.5 for messaging
    #[arg(long, value_name = "SLOTS", default_value = "1")]
    weight: String,
    /// Print JSON (candidates and every excluded agent) instead of a table
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct JsonCandidate<'a> {
    agent_id: &'a str,
    /// -1 for unlimited.
    free_slots: i64,
    active_chats: u32,
}

#[derive(Serialize)]
struct JsonExcluded<'a> {
    agent_id: &'a str,
    reason: &'static str,
}

#[derive(Serialize)]
struct JsonAnswer<'a> {
    candidates: Vec<JsonCandidate<'a>>,
    excluded: Vec<JsonExcluded<'a>>,
}

fn slots_number(s: Slots) -> i64 {
    s.count().map_or(-1, |n| i64::try_from(n).unwrap_or(i64::MAX))
}

/// Runs `chatcap transfer`.
pub(crate) fn transfer(a: TransferArgs) -> Result<()> {
    let (floor, warnings) = load(&a.input)?;
    print_warnings(&warnings);
    let ranking = Ranking::ALL
        .into_iter()
        .find(|r| r.as_str() == a.strategy)
        .with_context(|| format!("--strategy {:?}: unknown ranking", a.strategy))?;
    // The core reads the decimal exactly and says what is wrong with it.
    let weight: Weight = a.weight.parse().with_context(|| format!("--weight {}", a.weight))?;
    let from = AgentId::from(a.from.as_str());
    let to_agent = a.to_agent.as_deref().map(AgentId::from);
    let target = match (&a.to_skill, &to_agent) {
        (Some(skill), _) => TransferTarget::Skill(skill_index(&floor, skill)?),
        (None, Some(agent)) => TransferTarget::Agent(agent),
        (None, None) => bail!("give --to-skill or --to-agent"),
    };
    let mut request = TransferRequest::new(&from, target).with_strategy(ranking).with_weight(weight);
    request.limit = match a.limit {
        None => None,
        Some(k) if k.fract() == 0.0 && (1.0..=1e9).contains(&k) => Some(k as usize),
        Some(k) => bail!("--limit {}: expected a whole number of candidates of at least 1", crate::num(k)),
    };
    request.allow_over_capacity = a.allow_over_capacity;
    request.explain = a.explain || a.json;
    let answer = floor.transfer_candidates(&request)?;
    if a.json {
        let json = JsonAnswer {
            candidates: answer
                .candidates
                .iter()
                .map(|c| JsonCandidate {
                    agent_id: c.agent.as_str(),
                    free_slots: slots_number(c.free),
                    active_chats: c.active_chats,
                })
                .collect(),
            excluded: answer
                .excluded
                .iter()
                .map(|e| JsonExcluded { agent_id: e.agent.as_str(), reason: e.reason.as_str() })
                .collect(),
        };
        crate::outln!("{}", serde_json::to_string(&json)?);
        return Ok(());
    }
    let mut out = String::new();
    writeln!(out, "{:<5} {:<24} {:<9} {:>10} {:>12}", "rank", "agent", "state", "free", "active")?;
    for (i, c) in answer.candidates.iter().enumerate() {
        writeln!(out, "{:<5} {:<24} {:<9} {:>10} {:>12}", i + 1, c.agent, c.state, c.free, c.active_chats)?;
    }
    if answer.candidates.is_empty() {
        writeln!(out, "no agent can take the chat")?;
    }
    if a.explain {
        writeln!(out, "\nleft out:")?;
        for e in &answer.excluded {
            writeln!(out, "      {:<24} {}", e.agent, e.reason)?;
        }
    }
    crate::out!("{out}");
    Ok(())
}

fn skill_index(floor: &Floor, skill: &str) -> Result<chatcap_core::SkillIdx> {
    floor
        .skill_index(skill)
        .with_context(|| format!("--to-skill {skill}: no agent on the floor has this skill"))
}
