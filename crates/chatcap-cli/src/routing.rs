//! `chatcap transfer`: who can take a chat, ranked, and why every other agent cannot.

use std::fmt::Write as _;

use anyhow::Result;
use chatcap_answers as answers;
use clap::Args;

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

/// Runs `chatcap transfer`.
pub(crate) fn transfer(a: TransferArgs) -> Result<()> {
    let (floor, warnings) = load(&a.input)?;
    print_warnings(&warnings);
    let args = answers::TransferArgs {
        from: &a.from,
        to_skill: a.to_skill.as_deref(),
        to_agent: a.to_agent.as_deref(),
        strategy: &a.strategy,
        limit: a.limit,
        explain: a.explain || a.json,
        allow_over_capacity: a.allow_over_capacity,
        weight: &a.weight,
    };
    let answer = answers::transfer(&floor, &args, answers::Naming::Flags)?;
    if a.json {
        crate::outln!("{}", serde_json::to_string(&answer)?);
        return Ok(());
    }
    let mut out = String::new();
    writeln!(out, "{:<5} {:<24} {:<9} {:>10} {:>12}", "rank", "agent", "state", "free", "active")?;
    for (i, c) in answer.candidates.iter().enumerate() {
        writeln!(
            out,
            "{:<5} {:<24} {:<9} {:>10} {:>12}",
            i + 1,
            c.agent_id,
            c.state,
            c.free,
            c.active_chats
        )?;
    }
    if answer.candidates.is_empty() {
        writeln!(out, "no agent can take the chat")?;
    }
    if a.explain {
        writeln!(out, "\nleft out:")?;
        for e in &answer.excluded {
            writeln!(out, "      {:<24} {}", e.agent_id, e.reason)?;
        }
    }
    crate::out!("{out}");
    Ok(())
}
