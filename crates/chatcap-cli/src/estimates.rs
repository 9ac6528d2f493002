//! Wait-time estimates and staffing: `erlang-c`, `erlang-a`, `staff` and `chat-model`.

use std::time::Duration;

use anyhow::{Result, bail};
use chatcap_core::{
    ChatModel, ChatModelMethod, ErlangA, ErlangC, StaffingTarget, Traffic, WINDOW_STATE_LIMIT, staff_chat,
    staff_erlang_a, staff_erlang_c,
};
use clap::{Args, Subcommand};
use serde::Serialize;

/// The estimate subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Erlang C (no abandonment): probability of waiting, ASA, service level, occupancy.
    #[command(
        after_help = "Example:\n  chatcap erlang-c --arrivals-per-hour 200 --aht-s 180 --agent-count 14 --target-s 20"
    )]
    ErlangC(ErlangCArgs),
    /// Erlang A (exponential patience): waiting, abandonment and service levels.
    #[command(
        after_help = "Example:\n  chatcap erlang-a --arrivals-per-hour 200 --aht-s 180 --agent-count 12 --target-s 20 --patience-s 60"
    )]
    ErlangA(ErlangAArgs),
    /// The fewest agents meeting a service-level target.
    #[command(
        after_help = "Example:\n  chatcap staff --arrivals-per-hour 200 --aht-s 180 --target-s 20 --service-level 0.8 --patience-s 60\n  chatcap staff --arrivals-per-hour 200 --aht-s 180 --target-s 20 --service-level 0.8 --max-chats 3 --aht-by-concurrency 180,240,300"
    )]
    Staff(StaffArgs),
    /// The chat concurrency model: agents holding several chats at once.
    #[command(
        after_help = "Example:\n  chatcap chat-model --agent-count 5 --max-chats 3 --aht-by-concurrency 180,240,300 --arrivals-per-hour 200 --patience-s 60 --target-s 20"
    )]
    ChatModel(ChatModelArgs),
}

/// Traffic and agents shared by `erlang-c` and `erlang-a`.
#[derive(Debug, Args)]
pub(crate) struct Load {
    /// Arrivals per hour.
    #[arg(long, allow_negative_numbers = true)]
    arrivals_per_hour: f64,
    /// Mean handle time in seconds.
    #[arg(long, allow_negative_numbers = true)]
    aht_s: f64,
    /// Agents (a head count).
    #[arg(long = "agent-count", alias = "agents", allow_negative_numbers = true)]
    agents: f64,
    /// Service-level target time in seconds; 0 asks for the share answered with no wait.
    #[arg(long, allow_negative_numbers = true)]
    target_s: f64,
}

#[derive(Debug, Args)]
pub(crate) struct ErlangCArgs {
    #[command(flatten)]
    load: Load,
}

#[derive(Debug, Args)]
pub(crate) struct ErlangAArgs {
    #[command(flatten)]
    load: Load,
    /// Mean patience of a waiting visitor in seconds.
    #[arg(long, allow_negative_numbers = true)]
    patience_s: f64,
}

#[derive(Debug, Args)]
pub(crate) struct StaffArgs {
    /// Arrivals per hour.
    #[arg(long, allow_negative_numbers = true)]
    arrivals_per_hour: f64,
    /// Mean handle time in seconds (with --max-chats, the per-level times are used instead).
    #[arg(long, allow_negative_numbers = true)]
    aht_s: f64,
    /// Service-level target time in seconds; 0 asks for the share answered with no wait.
    #[arg(long, allow_negative_numbers = true)]
    target_s: f64,
    /// Share of arrivals to answer within the target time, above 0 and at most 1.
    #[arg(long, allow_negative_numbers = true)]
    service_level: f64,
    /// Highest acceptable agent occupancy, above 0 and at most 1.
    #[arg(long, allow_negative_numbers = true)]
    max_occupancy: Option<f64>,
    /// Mean patience in seconds: staff with abandonment (Erlang A).
    #[arg(long, allow_negative_numbers = true)]
    patience_s: Option<f64>,
    /// Chats each agent may hold at once: staff with the chat concurrency model.
    #[arg(long, allow_negative_numbers = true, requires = "aht_by_concurrency")]
    max_chats: Option<f64>,
    /// Mean handle time in seconds while an agent holds 1, 2, ..., M chats, comma-separated.
    #[arg(long, value_delimiter = ',', allow_negative_numbers = true, requires = "max_chats")]
    aht_by_concurrency: Option<Vec<f64>>,
}

#[derive(Debug, Args)]
pub(crate) struct ChatModelArgs {
    /// Agents (a head count).
    #[arg(long = "agent-count", alias = "agents", allow_negative_numbers = true)]
    agents: f64,
    /// Chats each agent may hold at once.
    #[arg(long, allow_negative_numbers = true)]
    max_chats: f64,
    /// Mean handle time in seconds while an agent holds 1, 2, ..., M chats, comma-separated.
    #[arg(long, value_delimiter = ',', allow_negative_numbers = true, required = true)]
    aht_by_concurrency: Vec<f64>,
    /// Arrivals per hour.
    #[arg(long, allow_negative_numbers = true)]
    arrivals_per_hour: f64,
    /// Mean patience of a waiting visitor in seconds.
    #[arg(long, allow_negative_numbers = true)]
    patience_s: f64,
    /// Service-level target time in seconds; 0 asks for the share answered with no wait.
    #[arg(long, allow_negative_numbers = true)]
    target_s: f64,
}

#[derive(Serialize)]
struct ErlangCOut {
    erlang_b: f64,
    p_wait: f64,
    asa_s: f64,
    service_level: f64,
    occupancy: f64,
    mean_queue_len: f64,
}

#[derive(Serialize)]
struct ErlangAOut {
    p_wait: f64,
    p_abandon: f64,
    asa_served_s: f64,
    mean_wait_all_s: f64,
    service_level: f64,
    sl_served_within_t_over_served: f64,
    p_offered_wait_le_t: f64,
    occupancy: f64,
    mean_queue_len: f64,
}

#[derive(Serialize)]
struct StaffOut {
    required_agents: u32,
    achieved_sl: f64,
    p_wait: f64,
    asa_s: f64,
    p_abandon: f64,
    occupancy: f64,
    offered_load_agents: f64,
    below_offered_load: bool,
}

#[derive(Serialize)]
struct ChatModelOut {
    p_wait: f64,
    p_abandon: f64,
    mean_wait_all_s: f64,
    asa_served_s: f64,
    service_level: f64,
    mean_chats_in_service: f64,
    agent_utilization: f64,
    slot_occupancy: f64,
    /// "exact" (the stationary distribution over occupancy counts), "window" (the chain of
    /// spreads within two chats, past the exact solver's state limit) or "balanced" (the
    /// birth-death approximation, past the window chain's).
    method: &'static str,
    /// How far `p_wait` may be from the exact model's; null when nothing bounds it.
    p_wait_error_bound: Option<f64>,
    /// The states of the exact solution, whichever method answered.
    exact_states: Option<usize>,
}

/// Runs one estimate subcommand and prints its JSON object.
pub(crate) fn run(command: Command) -> Result<()> {
    let json = match command {
        Command::ErlangC(args) => serde_json::to_string(&erlang_c(&args)?)?,
        Command::ErlangA(args) => serde_json::to_string(&erlang_a(&args)?)?,
        Command::Staff(args) => serde_json::to_string(&staff(&args)?)?,
        Command::ChatModel(args) => serde_json::to_string(&chat_model(&args)?)?,
    };
    crate::outln!("{json}");
    Ok(())
}

fn erlang_c(args: &ErlangCArgs) -> Result<ErlangCOut> {
    let (traffic, agents, target) = load(&args.load)?;
    let c = ErlangC::new(traffic, agents)?;
    Ok(ErlangCOut {
        erlang_b: c.erlang_b(),
        p_wait: c.p_wait(),
        asa_s: c.asa_s(),
        service_level: c.service_level(target),
        occupancy: c.occupancy(),
        mean_queue_len: c.mean_queue_len(),
    })
}

fn erlang_a(args: &ErlangAArgs) -> Result<ErlangAOut> {
    let (traffic, agents, target) = load(&args.load)?;
    let m = ErlangA::new(traffic, agents, secs("--patience-s", args.patience_s)?)?;
    Ok(ErlangAOut {
        p_wait: m.p_wait(),
        p_abandon: m.p_abandon(),
        asa_served_s: m.asa_served_s(),
        mean_wait_all_s: m.mean_wait_all_s(),
        service_level: m.service_level(target),
        sl_served_within_t_over_served: m.answered_within_over_answered(target),
        p_offered_wait_le_t: m.p_offered_wait_le(target),
        occupancy: m.occupancy(),
        mean_queue_len: m.mean_queue_len(),
    })
}

fn staff(args: &StaffArgs) -> Result<StaffOut> {
    let arrivals_per_hour = positive("--arrivals-per-hour", args.arrivals_per_hour)?;
    let aht = secs("--aht-s", args.aht_s)?;
    let mut target =
        StaffingTarget::new(fraction("--service-level", args.service_level)?, target_secs(args.target_s)?)?;
    if let Some(o) = args.max_occupancy {
        target = target.with_max_occupancy(fraction("--max-occupancy", o)?)?;
    }
    let patience = args.patience_s.map(|p| secs("--patience-s", p)).transpose()?;
    let s = match (&args.max_chats, &args.aht_by_concurrency) {
        (Some(m), Some(ahts)) => {
            let ahts = handle_times(*m, ahts)?;
            staff_chat(arrivals_per_hour / 3600.0, &ahts, patience, &target)?
        }
        _ => {
            let traffic = Traffic::per_hour(arrivals_per_hour, aht)?;
            match patience {
                Some(p) => staff_erlang_a(traffic, p, &target)?,
                None => staff_erlang_c(traffic, &target)?,
            }
        }
    };
    if s.below_offered_load() {
        eprintln!(
            "warning: {} agents are fewer than the offered load of {:.1}: they cannot serve every visitor, \
             and the target is met only because {:.1}% of visitors give up",
            s.agents(),
            s.offered_load(),
            s.p_abandon() * 100.0
        );
    }
    Ok(StaffOut {
        required_agents: s.agents(),
        achieved_sl: s.service_level(),
        p_wait: s.p_wait(),
        asa_s: s.asa_s(),
        p_abandon: s.p_abandon(),
        occupancy: s.occupancy(),
        offered_load_agents: s.offered_load(),
        below_offered_load: s.below_offered_load(),
    })
}

fn chat_model(args: &ChatModelArgs) -> Result<ChatModelOut> {
    let agents = count("--agent-count", args.agents)?;
    let ahts = handle_times(args.max_chats, &args.aht_by_concurrency)?;
    let arrivals_per_s = positive("--arrivals-per-hour", args.arrivals_per_hour)? / 3600.0;
    let patience = secs("--patience-s", args.patience_s)?;
    let target = target_secs(args.target_s)?;
    let model = ChatModel::new(agents, &ahts, arrivals_per_s, Some(patience))?;
    let r = model.solve();
    let method = match r.method() {
        ChatModelMethod::Exact { .. } => "exact",
        ChatModelMethod::Window { .. } => "window",
        _ => "balanced",
    };
    let bound = r.p_wait_error_bound();
    if bound.is_none() {
        let why = if method == "balanced" {
            format!(
                "{} states of the window chain are past its {}: this is the balanced approximation, \
                 which assumes agents stay evenly loaded; with handle times that differ by concurrency \
                 its P(wait) can be off by a percentage point or more",
                model.window_states().map_or("more than 2^64".to_owned(), |s| s.to_string()),
                WINDOW_STATE_LIMIT
            )
        } else {
            "these handle times are outside the grid the window chain's error was measured on \
             (never shorter at a higher concurrency, at most 3 times the first level's)"
                .to_owned()
        };
        eprintln!("warning: {why}; P(wait) has no error bound");
    }
    Ok(ChatModelOut {
        p_wait: r.p_wait(),
        p_abandon: r.p_abandon(),
        mean_wait_all_s: r.mean_wait_all_s(),
        asa_served_s: r.asa_served_s(),
        service_level: r.service_level(target),
        mean_chats_in_service: r.mean_chats_in_service(),
        agent_utilization: r.agent_utilization(),
        slot_occupancy: r.slot_occupancy(),
        method,
        p_wait_error_bound: bound,
        exact_states: model.exact_states(),
    })
}

fn load(load: &Load) -> Result<(Traffic, u32, Duration)> {
    let arrivals_per_hour = positive("--arrivals-per-hour", load.arrivals_per_hour)?;
    let aht = secs("--aht-s", load.aht_s)?;
    let agents = count("--agent-count", load.agents)?;
    let target = target_secs(load.target_s)?;
    Ok((Traffic::per_hour(arrivals_per_hour, aht)?, agents, target))
}

fn handle_times(max_chats: f64, ahts: &[f64]) -> Result<Vec<Duration>> {
    let m = count("--max-chats", max_chats)?;
    if ahts.len() != m as usize {
        bail!(
            "--aht-by-concurrency has {} values but --max-chats is {m}; give one handle time per level",
            ahts.len()
        );
    }
    ahts.iter().map(|&s| secs("--aht-by-concurrency", s)).collect()
}

fn positive(flag: &str, value: f64) -> Result<f64> {
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        bail!("{flag} must be a finite number above zero, got {}", crate::num(value))
    }
}

fn fraction(flag: &str, value: f64) -> Result<f64> {
    if value > 0.0 && value <= 1.0 {
        Ok(value)
    } else {
        bail!("{flag} must be above 0 and at most 1, got {}", crate::num(value))
    }
}

fn secs(flag: &str, value: f64) -> Result<Duration> {
    let value = positive(flag, value)?;
    match Duration::try_from_secs_f64(value) {
        Ok(d) if !d.is_zero() => Ok(d),
        _ => bail!("{flag} of {} s is out of range", crate::num(value)),
    }
}

/// A service-level target time: 0 (answered with no wait at all) or more.
fn target_secs(value: f64) -> Result<Duration> {
    if !(value.is_finite() && value >= 0.0) {
        bail!("--target-s must be a finite number of seconds of at least 0, got {}", crate::num(value));
    }
    Duration::try_from_secs_f64(value)
        .map_err(|_| anyhow::anyhow!("--target-s of {} s is out of range", crate::num(value)))
}

fn count(flag: &str, value: f64) -> Result<u32> {
    // Parsed as a float so that every numeric mistake gets this message, not a usage error.
    if value.is_finite() && value >= 1.0 && value <= f64::from(u32::MAX) && value.fract() == 0.0 {
        Ok(value as u32)
    } else {
        bail!("{flag} must be a whole number from 1 to {}, got {}", u32::MAX, crate::num(value))
    }
}
