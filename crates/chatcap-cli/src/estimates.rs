//! Wait-time estimates and staffing: `erlang-c`, `erlang-a`, `staff` and `chat-model`.

use anyhow::Result;
use chatcap_answers as answers;
use clap::{Args, Subcommand};

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

/// Runs one estimate subcommand and prints its JSON object, after its warning if any.
pub(crate) fn run(command: Command) -> Result<()> {
    let json = match command {
        Command::ErlangC(args) => serde_json::to_string(&answers::erlang_c(&load(&args.load), FLAGS)?)?,
        Command::ErlangA(args) => serde_json::to_string(&answers::erlang_a(
            &answers::ErlangAArgs { load: load(&args.load), patience_s: args.patience_s },
            FLAGS,
        )?)?,
        Command::Staff(args) => {
            let chat = args.max_chats.zip(args.aht_by_concurrency);
            let answer = answers::staff(
                &answers::StaffArgs {
                    arrivals_per_hour: args.arrivals_per_hour,
                    aht_s: args.aht_s,
                    target_s: args.target_s,
                    service_level: args.service_level,
                    max_occupancy: args.max_occupancy,
                    patience_s: args.patience_s,
                    chat,
                },
                FLAGS,
            )?;
            warn(answer.warning.as_deref());
            serde_json::to_string(&answer.value)?
        }
        Command::ChatModel(args) => {
            let answer = answers::chat_model(
                &answers::ChatModelArgs {
                    agents: args.agents,
                    max_chats: args.max_chats,
                    aht_by_concurrency: args.aht_by_concurrency,
                    arrivals_per_hour: args.arrivals_per_hour,
                    patience_s: Some(args.patience_s),
                    target_s: args.target_s,
                },
                FLAGS,
            )?;
            warn(answer.warning.as_deref());
            serde_json::to_string(&answer.value)?
        }
    };
    crate::outln!("{json}");
    Ok(())
}

/// Messages name the command line's flags.
const FLAGS: answers::Naming = answers::Naming::Flags;

fn warn(warning: Option<&str>) {
    if let Some(w) = warning {
        eprintln!("warning: {w}");
    }
}

fn load(load: &Load) -> answers::ErlangCArgs {
    answers::ErlangCArgs {
        arrivals_per_hour: load.arrivals_per_hour,
        aht_s: load.aht_s,
        agents: load.agents,
        target_s: load.target_s,
    }
}
