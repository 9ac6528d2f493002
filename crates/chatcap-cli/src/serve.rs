//! `chatcap serve`: starts the live service of `chatcap-live`; nothing more.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, Result};
use chatcap_live::{Config, LogFormat};
use clap::Args;

/// `chatcap serve`.
#[derive(Args, Debug)]
pub(crate) struct ServeArgs {
    /// The configuration file (TOML: a server table and one source table per account)
    #[arg(long, value_name = "FILE", required_unless_present_any = ["demo", "check_config"])]
    config: Option<PathBuf>,
    /// Listen here instead of the address the configuration gives
    #[arg(long, value_name = "ADDR")]
    listen: Option<SocketAddr>,
    /// Check a configuration file, print it in brief (no secret) and exit
    #[arg(long, value_name = "FILE", conflicts_with_all = ["config", "demo"])]
    check_config: Option<PathBuf>,
    /// Serve the built-in demo floor (the simulator, in accelerated time): no vendor account needed
    #[arg(long, conflicts_with = "config")]
    demo: bool,
    /// Log lines as text or JSON (on stderr; RUST_LOG filters)
    #[arg(long, value_name = "FORMAT", value_parser = ["text", "json"], default_value = "text")]
    log_format: String,
}

fn load(path: &PathBuf) -> Result<Config> {
    let bytes = crate::vendor::read_bounded(path, 1024 * 1024, "configuration")?;
    let text = String::from_utf8(bytes).with_context(|| format!("{}: not UTF-8 text", path.display()))?;
    Config::from_toml(&text, &|name| std::env::var(name).ok()).with_context(|| path.display().to_string())
}

/// Runs `chatcap serve`.
pub(crate) fn serve(args: ServeArgs) -> Result<()> {
    if let Some(path) = &args.check_config {
        let config = load(path)?;
        crate::out!("{}", chatcap_live::describe(&config));
        return Ok(());
    }
    let mut config = match &args.config {
        Some(path) => load(path)?,
        None => Config::demo(SocketAddr::from(([127, 0, 0, 1], 8080))),
    };
    if let Some(listen) = args.listen {
        config.server.listen = listen;
    }
    let format = if args.log_format == "json" { LogFormat::Json } else { LogFormat::Text };
    Ok(chatcap_live::run(config, format)?)
}
