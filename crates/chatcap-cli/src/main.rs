//! The `chatcap` command line: parses arguments, calls the core, prints JSON.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod estimates;
mod plot;
mod simulate;

/// Capacity answers for live-chat contact centers, printed as JSON.
#[derive(Debug, Parser)]
#[command(name = "chatcap", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    #[command(flatten)]
    Estimates(estimates::Command),
    /// What-if simulation: a scenario file with variations, or one skill from the options
    Simulate(simulate::SimulateArgs),
    /// Runs the built-in example scenario and prints its table
    Demo,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Estimates(command) => estimates::run(command),
        Command::Simulate(args) => simulate::simulate(args),
        Command::Demo => simulate::demo(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
