//! chatcap's live service: the IO shell around the pure core, as quinn wraps quinn-proto.
//!
//! Sources poll the vendors' APIs (LivePerson's legacy Chat and Operations APIs and its
//! messaging APIs, Comm100's real-time API), read the payloads with `chatcap-adapter`, and keep
//! a [`Floor`](chatcap_core::Floor) current with `Floor::sync`; each poll publishes the floor
//! with the time its data was fetched. The server (`chatcap serve`) answers from the published
//! floors: LivePerson-compatible routes, so an existing bot changes only its base URL, and
//! chatcap's own `/v1` JSON with the data's age on every answer.
//!
//! The core and the adapter stay pure: this crate does the IO (HTTP both ways, the clock,
//! timers, logs) and nothing of the domain; every answer comes from `chatcap-answers` and the
//! core, so the service answers as `chatcap slots` does on the same payloads.
//!
//! Vendor policy (retries, back-off, throttling, call budgets) is data in [`policy`], tested
//! with tokio's paused clock against a fake vendor on loopback ([`fake`]).
//!
//! # Examples
//!
//! ```no_run
//! # async fn run() -> Result<(), chatcap_live::LiveError> {
//! let text = std::fs::read_to_string("chatcap.toml").unwrap();
//! let config = chatcap_live::Config::from_toml(&text, &|n| std::env::var(n).ok())?;
//! let server = chatcap_live::start(config, chatcap_live::Options::default()).await?;
//! println!("listening on {}", server.addr());
//! server.run_until_signal().await;
//! # Ok(()) }
//! ```

pub mod clock;
pub mod config;
pub mod fake;
pub mod http;
pub mod metrics;
pub mod oauth1;
pub mod policy;
pub mod server;
pub mod state;

mod serve;
mod sources;

pub use clock::{Clock, ManualClock, SystemClock, TokioClock};
pub use config::{Auth, Config, ConfigError, Kind, Secret, ServerConfig, SourceConfig};
pub use serve::{LogFormat, Options, Server, describe, init_logging, run, start};
pub use state::{Freshness, Published, SourceState, Status};

/// Why the service could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LiveError {
    /// The configuration was refused.
    #[error("configuration: {0}")]
    Config(#[from] ConfigError),
    /// No token is configured and the address is not a loopback one.
    #[error(
        "no token is configured, so the server listens on loopback only; {listen} is not: \
         set [server] tokens (or CHATCAP_TOKENS), or listen on 127.0.0.1"
    )]
    Insecure {
        /// The refused address.
        listen: std::net::SocketAddr,
    },
    /// The address could not be bound.
    #[error("cannot listen on {listen}: {source}")]
    Bind {
        /// The address.
        listen: std::net::SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client: {0}")]
    Client(String),
}
