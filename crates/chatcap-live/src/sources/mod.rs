//! The sources: one poller per configured account, each driven by [`drive`] under its vendor's
//! [`RetryPolicy`].

mod comm100;
mod demo;
mod liveperson;
mod messaging;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chatcap_adapter::Warning;
use chatcap_core::{Floor, Snapshot, Timestamp};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::LiveError;
use crate::clock::Clock;
use crate::config::{Config, Kind, SourceConfig};
use crate::http::{CallError, Vendor};
use crate::metrics::Metrics;
use crate::policy::{Action, Backoff, CallBudget, Failure, RetryPolicy};
use crate::state::{Published, SourceState};

/// What one poll brought back.
#[derive(Debug)]
pub(crate) struct Polled {
    pub(crate) snapshot: Snapshot,
    pub(crate) warnings: Vec<Warning>,
    /// When the data was fetched.
    pub(crate) as_of: Timestamp,
    /// Figures the vendor gives beside the floor.
    pub(crate) vendor: Vec<(String, i64)>,
}

/// A source's polling, one snapshot per call.
pub(crate) trait Poller: Send {
    /// Fetches the floor as it is now.
    fn poll(&mut self) -> impl Future<Output = Result<Polled, CallError>> + Send;
    /// Forgets the bearer and session, so that the next poll logs in again.
    fn reset_auth(&mut self);
}

/// The shared parts every poller is built with.
#[derive(Clone)]
pub(crate) struct Context {
    pub(crate) http: reqwest::Client,
    pub(crate) metrics: Arc<Metrics>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) comm100_budget: Arc<CallBudget>,
}

impl Context {
    pub(crate) fn vendor(
        &self,
        config: &SourceConfig,
        policy: &RetryPolicy,
        budget: Option<Arc<CallBudget>>,
    ) -> Vendor {
        Vendor::new(
            self.http.clone(),
            config.name(),
            self.metrics.clone(),
            config.timeout,
            policy.throttle_statuses,
            budget,
        )
        .with_secrets(config.auth.secrets())
    }
}

/// The HTTP client every source shares: no redirects (a redirect would carry a bearer to
/// wherever it points), rustls.
pub(crate) fn http_client() -> Result<reqwest::Client, LiveError> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("chatcap/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| LiveError::Client(e.to_string()))
}

/// Starts a poller per source. Comm100's sources share one call budget (its limit is per IP).
pub(crate) fn spawn_all(
    config: &Config,
    states: &[Arc<SourceState>],
    metrics: &Arc<Metrics>,
    clock: &Arc<dyn Clock>,
) -> Result<Vec<JoinHandle<()>>, LiveError> {
    let ctx = Context {
        http: http_client()?,
        metrics: metrics.clone(),
        clock: clock.clone(),
        comm100_budget: Arc::new(CallBudget::comm100()),
    };
    let mut tasks = Vec::new();
    for (i, (cfg, state)) in config.sources.iter().zip(states).enumerate() {
        let seed = 0x9e37_79b9_7f4a_7c15_u64.wrapping_mul(i as u64 + 1);
        tasks.push(spawn(cfg, state.clone(), &ctx, seed));
    }
    Ok(tasks)
}

/// Starts one source's poller.
pub(crate) fn spawn(cfg: &SourceConfig, state: Arc<SourceState>, ctx: &Context, seed: u64) -> JoinHandle<()> {
    let interval = cfg.poll_interval;
    match cfg.kind {
        Kind::LivePerson => {
            let policy = RetryPolicy::LIVEPERSON;
            let poller =
                liveperson::LivePerson::new(cfg.clone(), ctx.vendor(cfg, &policy, None), ctx.clock.clone());
            tokio::spawn(drive(poller, state, policy, interval, ctx.clone(), seed))
        }
        Kind::LivePersonMessaging => {
            let policy = RetryPolicy::LIVEPERSON;
            let poller =
                messaging::Messaging::new(cfg.clone(), ctx.vendor(cfg, &policy, None), ctx.clock.clone());
            tokio::spawn(drive(poller, state, policy, interval, ctx.clone(), seed))
        }
        Kind::Comm100 => {
            let policy = RetryPolicy::COMM100;
            let vendor = ctx.vendor(cfg, &policy, Some(ctx.comm100_budget.clone()));
            let poller = comm100::Comm100::new(cfg.clone(), vendor, ctx.clock.clone());
            tokio::spawn(drive(poller, state, policy, interval, ctx.clone(), seed))
        }
        Kind::Demo => {
            let poller = demo::Demo::new(cfg, ctx.clock.clone());
            tokio::spawn(drive(poller, state, RetryPolicy::LIVEPERSON, interval, ctx.clone(), seed))
        }
    }
}

/// The most warnings a published floor keeps, as text.
const KEPT_WARNINGS: usize = 20;

/// Polls, syncs and publishes, forever: after a success waits for the next interval (from the
/// start of the poll); after a failure does what the policy says. A failing source keeps its
/// last good floor (whose age then grows past `stale_after`); a refused one stops and says why.
pub(crate) async fn drive<P: Poller>(
    mut poller: P,
    state: Arc<SourceState>,
    policy: RetryPolicy,
    interval: Duration,
    ctx: Context,
    seed: u64,
) {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut backoff = Backoff::new(policy);
    let mut floor: Option<Floor> = None;
    let mut polls = 0u64;
    let name = state.name.clone();
    loop {
        let started = Instant::now();
        let result = match poller.poll().await {
            Ok(polled) => {
                // Syncing and copying a large floor takes milliseconds: off the workers that
                // answer requests.
                let (st, n) = (state.clone(), polls + 1);
                let mut f = floor.take();
                let joined = tokio::task::spawn_blocking(move || {
                    let r = publish(&mut f, polled, &st, n);
                    (f, r)
                })
                .await;
                match joined {
                    Ok((f, r)) => {
                        floor = f;
                        r.map(|()| polls += 1)
                    }
                    Err(e) => Err(CallError::bad_payload("snapshot", format!("the sync failed: {e}"))),
                }
            }
            Err(e) => Err(e),
        };
        let outcome = if result.is_ok() { "ok" } else { "failed" };
        ctx.metrics.poll(&name, outcome, started.elapsed());
        match result {
            Ok(()) => {
                backoff.succeeded();
                tracing::debug!(source = %name, polls, "poll synced");
                tokio::time::sleep_until(started + interval).await;
            }
            Err(e) => {
                state.update(|s| s.last_error = Some(e.message.clone()));
                match backoff.failed(e.failure, rng.f64()) {
                    Action::Retry { after, reason } => {
                        ctx.metrics.retry(&name, reason);
                        state.update(|s| s.retries += 1);
                        tracing::warn!(source = %name, error = %e.message, retry_in_s = after.as_secs_f64(), "poll failed");
                        if matches!(e.failure, Failure::Throttled { .. })
                            && matches!(backoff.policy().throttle, crate::policy::Throttle::NextWindow(_))
                        {
                            // The budget is the vendor's per address: every poller waits.
                            ctx.comm100_budget.close_for(after).await;
                        }
                        tokio::time::sleep(after).await;
                    }
                    Action::Relogin => {
                        tracing::warn!(source = %name, error = %e.message, "credentials refused: logging in again");
                        poller.reset_auth();
                    }
                    Action::Stop => {
                        let why = format!("{}; not retried (fix the configuration and restart)", e.message);
                        tracing::error!(source = %name, error = %why, "source stopped");
                        state.update(|s| s.stopped = Some(why));
                        return;
                    }
                }
            }
        }
    }
}

/// Brings the floor to the polled snapshot (built afresh the first time) and publishes a copy.
fn publish(
    floor: &mut Option<Floor>,
    polled: Polled,
    state: &SourceState,
    polls: u64,
) -> Result<(), CallError> {
    let Polled { snapshot, warnings, as_of, vendor } = polled;
    let invalid = |e: chatcap_core::SnapshotError| CallError::bad_payload("snapshot", e);
    match floor {
        Some(f) => {
            f.sync(as_of, &snapshot).map_err(invalid)?;
        }
        None => *floor = Some(Floor::new(snapshot).map_err(invalid)?),
    }
    let Some(f) = floor.as_ref() else { return Ok(()) };
    state.publish(Published {
        floor: f.clone(),
        as_of,
        polls,
        warnings: warnings.iter().take(KEPT_WARNINGS).map(|w| format!("{}: {}", w.at, w.message)).collect(),
        vendor,
    });
    Ok(())
}
