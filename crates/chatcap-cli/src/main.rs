//! The `chatcap` command line: parses arguments, calls the core, prints JSON.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod estimates;

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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Estimates(command) => estimates::run(command),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
