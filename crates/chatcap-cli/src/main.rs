//! `chatcap`: vendor payloads, queueing models and scenarios in; capacity answers out.
//!
//! A thin shell over `chatcap-core`, `chatcap-adapter` and `chatcap-sim`: it parses arguments,
//! reads files and prints; every answer comes from the libraries. Exit status 0 on success, 1 on
//! bad input or arguments, with one line on stderr naming the file, the place in it and the
//! problem.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Writes to stdout like `print!`, as an expression of type `anyhow::Result<()>`: a closed
/// stdout (a reader such as `head` that has all it wants) becomes an error that `main` ends on
/// quietly, instead of the panic `print!` raises.
#[macro_export]
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        std::io::stdout().lock().write_fmt(format_args!($($arg)*)).map_err(anyhow::Error::from)?;
    }};
}

/// As [`out!`], with a line break.
#[macro_export]
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let mut stdout = std::io::stdout().lock();
        stdout.write_fmt(format_args!($($arg)*)).map_err(anyhow::Error::from)?;
        stdout.write_all(b"\n").map_err(anyhow::Error::from)?;
    }};
}

mod estimates;
mod plan;
mod plot;
mod progress;
mod routing;
mod serve;
mod simulate;
mod vendor;

/// Capacity answers for live-chat contact centers.
#[derive(Parser, Debug)]
#[command(name = "chatcap", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// What a Comm100 agent's maxConcurrentChats 0 stands for: a number of chats, or "unlimited"
    #[arg(long, global = true, value_name = "N|unlimited", default_value = "3")]
    comm100_zero_max_chats: String,
}

#[derive(Subcommand, Debug)]
enum Command {
    #[command(flatten)]
    Vendor(vendor::Command),
    /// Who can take a transferred chat: candidates ranked, and why every other agent cannot
    #[command(
        after_help = "Example:\n  chatcap transfer --agents testdata/liveperson/quirks/agents.json --from 10 --to-skill 1 --strategy least-loaded --explain"
    )]
    Transfer(routing::TransferArgs),
    #[command(flatten)]
    Estimates(estimates::Command),
    /// What-if simulation: a scenario file with variations, or one skill from the options
    #[command(
        after_help = "Example:\n  chatcap simulate scenarios/afternoon.toml --replications 50 --plot afternoon.svg\n  chatcap simulate --agent-count 14 --max-chats 1 --aht-s 180 --arrivals-per-hour 200 --target-s 20 --hours 8 --json"
    )]
    Simulate(simulate::SimulateArgs),
    /// Intraday staffing from a forecast: agents per interval by PSA, MOL and ISA, and what
    /// each staffing achieves when the day is simulated
    #[command(
        after_help = "Example:\n  chatcap plan scenarios/forecast_day.csv --target-s 60 --service-level 0.8 --patience-s 300 --plot plan.svg --requirements requirements.csv"
    )]
    Plan(plan::PlanArgs),
    /// Shifts that cover a requirement: how many agents start each shift template, as an
    /// integer program, with its LP bound and gap
    #[command(
        after_help = "Example:\n  chatcap schedule requirements.csv --shifts scenarios/shifts.toml --days 7"
    )]
    Schedule(plan::ScheduleArgs),
    /// Runs the built-in example scenario and prints its table
    #[command(after_help = "Example:\n  chatcap demo")]
    Demo,
    /// The live service: capacity and offer answers over the vendors' APIs, over HTTP
    #[command(
        after_help = "Example:\n  chatcap serve --config chatcap.toml\n  chatcap serve --check-config chatcap.toml\n  chatcap serve --demo"
    )]
    Serve(serve::ServeArgs),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { ExitCode::from(1) } else { ExitCode::SUCCESS };
        }
    };
    // The libraries do not panic; should one ever, say so in one line rather than a backtrace.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("error: internal error: {info}; please report it with the input that caused it");
    }));
    if let Err(e) = vendor::set_comm100_zero_max_chats(&cli.comm100_zero_max_chats) {
        eprintln!("error: {e:#}");
        return ExitCode::from(1);
    }
    let result = std::panic::catch_unwind(|| match cli.command {
        Command::Vendor(cmd) => vendor::run(cmd),
        Command::Transfer(args) => routing::transfer(args),
        Command::Estimates(cmd) => estimates::run(cmd),
        Command::Simulate(args) => simulate::simulate(args),
        Command::Plan(args) => plan::run_plan(args),
        Command::Schedule(args) => plan::run_schedule(args),
        Command::Demo => simulate::demo(),
        Command::Serve(args) => serve::serve(args),
    });
    match result {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(e)) if closed_stdout(&e) => ExitCode::SUCCESS,
        Ok(Err(e)) => {
            eprintln!("error: {}", one_line(&format!("{e:#}")));
            ExitCode::from(1)
        }
        Err(_) => ExitCode::from(1),
    }
}

/// Whether an error is stdout closed under us: the reader wants no more, which is no error.
fn closed_stdout(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Messages quote vendor text, which may hold line breaks: keep the error on one line.
fn one_line(s: &str) -> String {
    s.replace(['\n', '\r'], " ")
}
