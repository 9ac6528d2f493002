//! Starting the service: the sources' pollers and the server, and stopping them.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::LiveError;
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::metrics::Metrics;
use crate::server::{AppState, route_labels, router};
use crate::state::SourceState;

/// How to start: the clock, and whether to start the sources' pollers.
#[derive(Clone)]
pub struct Options {
    /// Where `as_of` and ages are read.
    pub clock: Arc<dyn Clock>,
    /// Start a poller per source (`false`: the caller publishes floors itself, as tests do).
    pub poll: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self { clock: Arc::new(SystemClock), poll: true }
    }
}

impl std::fmt::Debug for Options {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Options").field("poll", &self.poll).finish()
    }
}

/// A running service.
#[derive(Debug)]
pub struct Server {
    addr: SocketAddr,
    sources: Vec<Arc<SourceState>>,
    metrics: Arc<Metrics>,
    pollers: Vec<JoinHandle<()>>,
    stop: watch::Sender<bool>,
    serving: JoinHandle<std::io::Result<()>>,
}

/// Binds the server's address, starts the sources' pollers (unless told not to) and serves.
///
/// # Errors
///
/// [`LiveError::Insecure`] when no token is configured and the address is not loopback;
/// [`LiveError::Bind`] when the address cannot be bound.
pub async fn start(config: Config, options: Options) -> Result<Server, LiveError> {
    let listen = config.server.listen;
    if config.server.tokens.is_empty() {
        if !listen.ip().is_loopback() {
            return Err(LiveError::Insecure { listen });
        }
        tracing::warn!(%listen, "no token configured: every route is open, so the server listens on loopback only");
    }
    let sources: Vec<Arc<SourceState>> =
        config.sources.iter().map(|s| Arc::new(SourceState::new(s))).collect();
    let metrics = Arc::new(Metrics::new(&route_labels()));
    let state =
        Arc::new(AppState::new(&config.server, sources.clone(), metrics.clone(), options.clock.clone()));
    let listener = TcpListener::bind(listen).await.map_err(|source| LiveError::Bind { listen, source })?;
    let addr = listener.local_addr().map_err(|source| LiveError::Bind { listen, source })?;
    let pollers = if options.poll {
        crate::sources::spawn_all(&config, &sources, &metrics, &options.clock)?
    } else {
        Vec::new()
    };
    let (stop, mut stopped) = watch::channel(false);
    let app = router(state);
    let serving = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = stopped.wait_for(|s| *s).await;
            })
            .await
    });
    tracing::info!(%addr, sources = sources.len(), "serving");
    Ok(Server { addr, sources, metrics, pollers, stop, serving })
}

impl Server {
    /// The address the server listens on (its port, when the configuration asked for port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The sources, in configuration order.
    pub fn sources(&self) -> &[Arc<SourceState>] {
        &self.sources
    }

    /// The metrics.
    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.metrics
    }

    /// Stops polling, lets requests in flight finish, and returns when the server is down.
    pub async fn shutdown(self) {
        for p in &self.pollers {
            p.abort();
        }
        let _ = self.stop.send(true);
        match self.serving.await {
            Ok(Ok(())) => tracing::info!("server stopped"),
            Ok(Err(e)) => tracing::error!(error = %e, "server failed"),
            Err(e) => tracing::error!(error = %e, "server task failed"),
        }
    }

    /// Serves until SIGTERM or Ctrl-C, then shuts down gracefully.
    pub async fn run_until_signal(self) {
        let ctrl_c = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        #[cfg(unix)]
        let term = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut s) => {
                    s.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        #[cfg(not(unix))]
        let term = std::future::pending::<()>();
        tokio::select! {
            () = ctrl_c => tracing::info!("Ctrl-C: shutting down"),
            () = term => tracing::info!("SIGTERM: shutting down"),
        }
        self.shutdown().await;
    }
}

/// How logs are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

/// Sets up logs (`RUST_LOG` filters; `info` by default) on standard error.
pub fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder =
        tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(ansi);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}

/// What `chatcap serve --check-config` prints: the configuration in brief, no secret in it.
pub fn describe(config: &Config) -> String {
    let mut out = format!(
        "configuration is valid: listen {}, {} token{}, stance {}\n",
        config.server.listen,
        config.server.tokens.len(),
        if config.server.tokens.len() == 1 { "" } else { "s" },
        match config.server.stance {
            chatcap_core::Stance::FailOpen => "fail_open",
            chatcap_core::Stance::FailClosed => "fail_closed",
        }
    );
    if config.server.tokens.is_empty() && !config.server.listen.ip().is_loopback() {
        out.push_str(
            "warning: no token configured: the server will refuse to listen on a non-loopback address\n",
        );
    }
    for s in &config.sources {
        out.push_str(&format!(
            "source {}: {}, poll every {} s, stale after {} s, aht {}\n",
            s.name(),
            s.base_url.as_deref().unwrap_or("vendor hosts from the Domain API"),
            s.poll_interval.as_secs_f64(),
            s.stale_after.as_secs_f64(),
            s.aht.map_or_else(|| "not set".to_owned(), |a| format!("{} s", a.as_secs_f64())),
        ));
    }
    out
}

/// Runs the service until SIGTERM or Ctrl-C: builds the runtime (`[server] workers` threads),
/// sets up logs, starts, serves, shuts down gracefully.
///
/// # Errors
///
/// As [`start`]; [`LiveError::Client`] when the runtime cannot be built.
pub fn run(config: Config, log_format: LogFormat) -> Result<(), LiveError> {
    init_logging(log_format);
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    if let Some(n) = config.server.workers {
        builder.worker_threads(n);
    }
    let runtime = builder.enable_all().build().map_err(|e| LiveError::Client(e.to_string()))?;
    runtime.block_on(async move {
        let server = start(config, Options::default()).await?;
        server.run_until_signal().await;
        Ok(())
    })
}
