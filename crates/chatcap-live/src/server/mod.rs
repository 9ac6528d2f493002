//! The HTTP server: LivePerson-compatible routes, chatcap's own `/v1` JSON, health, readiness,
//! metrics and the OpenAPI document, over the floors the sources publish.
//!
//! Every route is one entry of [`ROUTES`]: the router, the metrics' route labels and
//! `/openapi.json` are all built from that table. Every request goes through one middleware
//! that checks the bearer token (all routes but `/healthz` and `/readyz`) and counts the
//! request and its latency. Handlers read the published floor through an atomic pointer
//! swap and never wait on a poll.

mod handlers;
mod openapi;
mod params;

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chatcap_core::{MaxWait, Stance};
use serde::Serialize;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::clock::Clock;
use crate::config::{Secret, ServerConfig};
use crate::metrics::{Metrics, SourceGauges};
use crate::state::SourceState;

pub use openapi::{ParamDoc, ROUTES, RouteDoc, openapi_json};

/// What every handler reads.
pub struct AppState {
    sources: Vec<Arc<SourceState>>,
    tokens: Vec<[u8; 32]>,
    stance: Stance,
    default_max_wait: MaxWait,
    metrics: Arc<Metrics>,
    clock: Arc<dyn Clock>,
    openapi: String,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("sources", &self.sources.len())
            .field("tokens", &self.tokens.len())
            .finish()
    }
}

impl AppState {
    /// The state of a server over `sources`, with the server's settings and metrics.
    pub fn new(
        server: &ServerConfig,
        sources: Vec<Arc<SourceState>>,
        metrics: Arc<Metrics>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        let tokens = server.tokens.iter().map(digest).collect();
        let default_max_wait = MaxWait::from_secs(server.default_max_wait_s)
            .unwrap_or(MaxWait::from_secs(120).expect("120 s is a valid budget"));
        Self {
            sources,
            tokens,
            stance: server.stance,
            default_max_wait,
            metrics,
            clock,
            openapi: openapi_json(),
        }
    }

    /// The metrics' gauges of every source, now.
    pub fn gauges(&self) -> Vec<SourceGauges> {
        let now = self.clock.now();
        self.sources
            .iter()
            .map(|s| {
                let published = s.published();
                let fresh = published.as_ref().map(|p| s.freshness_of(p, now));
                SourceGauges {
                    source: s.name.clone(),
                    age_s: fresh.map(|f| f.age.as_secs_f64()),
                    stale: fresh.is_none_or(|f| f.stale),
                    stopped: s.status().stopped.is_some(),
                    agents: published.map_or(0, |p| p.floor.agent_count()),
                }
            })
            .collect()
    }
}

fn digest(token: &Secret) -> [u8; 32] {
    Sha256::digest(token.expose().as_bytes()).into()
}

/// The metrics' route labels, in [`ROUTES`] order.
pub fn route_labels() -> Vec<&'static str> {
    ROUTES.iter().map(|r| r.path).collect()
}

/// The router of every route in [`ROUTES`], each behind the auth and metrics middleware.
pub fn router(state: Arc<AppState>) -> Router {
    let mut router = Router::new();
    for (id, route) in ROUTES.iter().enumerate() {
        let guarded = (route.handler)()
            .layer(axum::middleware::from_fn_with_state((state.clone(), id, route.auth), guard));
        router = router.route(route.path, guarded);
    }
    let unmatched = state.metrics.unmatched();
    router
        .fallback(handlers::not_found)
        .method_not_allowed_fallback(handlers::method_not_allowed)
        .layer(axum::middleware::from_fn_with_state((state.clone(), unmatched, false), count_unmatched))
        .with_state(state)
}

/// Checks the token (where the route needs one) and counts the request.
async fn guard(
    State((state, id, auth)): State<(Arc<AppState>, usize, bool)>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let response =
        if auth && !authorized(&state, request.headers()) { unauthorized() } else { next.run(request).await };
    state.metrics.request(id, response.status().as_u16(), started.elapsed());
    response
}

/// Counts the requests that no route matched (the fallback); matched ones carry their
/// `MatchedPath` and are counted by [`guard`].
async fn count_unmatched(
    State((state, id, _)): State<(Arc<AppState>, usize, bool)>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let matched = request.extensions().get::<axum::extract::MatchedPath>().is_some();
    let response = next.run(request).await;
    if !matched {
        state.metrics.request(id, response.status().as_u16(), started.elapsed());
    }
    response
}

/// Whether the request carries one of the configured tokens, as `Authorization: Bearer T` (or
/// `Authorization: LivePerson appKey=T`, the header LivePerson's own routes take, so that a bot
/// changes only its base URL and key). Compared in constant time, digest against digest; with
/// no token configured, every request is.
fn authorized(state: &AppState, headers: &HeaderMap) -> bool {
    if state.tokens.is_empty() {
        return true;
    }
    let Some(value) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let presented = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .or_else(|| value.strip_prefix("LivePerson appKey="))
        .unwrap_or("")
        .trim();
    if presented.is_empty() {
        return false;
    }
    let presented: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
    let mut ok = subtle::Choice::from(0);
    for t in &state.tokens {
        ok |= t.ct_eq(&presented);
    }
    ok.into()
}

fn unauthorized() -> Response {
    let mut r = ApiError::new(
        StatusCode::UNAUTHORIZED,
        "missing or unknown token: send Authorization: Bearer <one of the server's tokens>",
    )
    .into_response();
    r.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    r
}

/// An error answer: a status and `{"error": message}`.
#[derive(Debug, Clone)]
pub struct ApiError {
    status: StatusCode,
    message: String,
}

impl ApiError {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self { status, message: message.into() }
    }

    fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: &'a str,
    status: u16,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        json(self.status, &ErrorBody { error: &self.message, status: self.status.as_u16() })
    }
}

/// A JSON answer.
fn json<T: Serialize>(status: StatusCode, value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(body) => bytes(status, "application/json", body),
        Err(e) => bytes(
            StatusCode::INTERNAL_SERVER_ERROR,
            "application/json",
            format!(
                "{{\"error\":\"cannot write the answer: {}\",\"status\":500}}",
                e.to_string().replace('"', "'")
            )
            .into_bytes(),
        ),
    }
}

fn bytes(status: StatusCode, content_type: &'static str, body: Vec<u8>) -> Response {
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = status;
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}
