//! A fake vendor on loopback: a real HTTP server (axum on `127.0.0.1`, port 0) that speaks
//! LivePerson's and Comm100's APIs from real payloads, changes them between polls, injects
//! faults, and records every call. The service's tests run against it; so can anyone trying
//! `chatcap serve` without a vendor account.
//!
//! It serves, for the account it is made for:
//!
//! - LivePerson: the Domain API (`/api/account/{id}/service/{service}/baseURI.json`, pointing
//!   at itself), the Login Service (`POST /api/account/{id}/login`), agent sessions
//!   (`POST /api/account/{id}/agentSession`), `availableAgents` (with a `rel="next"` link to
//!   itself), the Operations `queuestate`, the Agent Metrics API's agent view status and the
//!   Messaging Operations API's current queue health;
//! - Comm100: `/v4/livechat/realTime/Agents` (paged), `Queue` and `RightNow`.
//!
//! Payloads are set per step ([`FakeVendor::set_step`]); faults are queued per endpoint and
//! each is used once ([`FakeVendor::fault`]).

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::Response;
use base64::Engine as _;
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// An endpoint of the fake.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Endpoint {
    /// LivePerson's Domain API.
    Domain,
    /// LivePerson's Login Service.
    Login,
    /// Opening an agent session.
    Session,
    /// `availableAgents`.
    Agents,
    /// Operations `queuestate`.
    Queue,
    /// LivePerson messaging: agent view status.
    MessagingAgents,
    /// LivePerson messaging: current queue health.
    MessagingQueue,
    /// Comm100 `realTime/Agents` (any page).
    Comm100Agents,
    /// Comm100 `realTime/Queue`.
    Comm100Queue,
    /// Comm100 `realTime/RightNow`.
    Comm100RightNow,
}

/// A fault to inject into one answer.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Answer with this status and an error body.
    Status(u16),
    /// Answer with this status and a `Retry-After` header.
    StatusRetryAfter(u16, String),
    /// Answer only after this long (longer than the caller's timeout: a timeout).
    Hang(Duration),
    /// Answer 200 with the payload cut in half.
    Truncated,
    /// Expire every bearer issued so far, and answer 401: the caller must log in again.
    ExpireToken,
    /// Comm100: the next first page (`pageIndex=1`) reports one more agent in `total` than the
    /// pages after it (an agent left while the pages were walked: a torn snapshot).
    TotalChanges,
}

/// A call the fake received.
#[derive(Clone, Debug)]
pub struct Call {
    /// When (tokio's clock, so paused time in tests).
    pub at: Instant,
    /// Which endpoint.
    pub endpoint: Endpoint,
    /// The path and query.
    pub target: String,
    /// The `Authorization` header.
    pub authorization: Option<String>,
    /// The status answered.
    pub status: u16,
}

/// The payloads of one step of the floor's life.
#[derive(Clone, Debug, Default)]
pub struct Step {
    /// LivePerson `availableAgents` (JSON).
    pub agents: Vec<u8>,
    /// LivePerson `queuestate`.
    pub queue: Vec<u8>,
    /// LivePerson messaging agent view status.
    pub messaging_agents: Vec<u8>,
    /// LivePerson messaging queue health.
    pub messaging_queue: Vec<u8>,
    /// Comm100: the whole agent list (a JSON array), paged by the fake.
    pub comm100_agents: Vec<u8>,
    /// Comm100 `realTime/Queue`.
    pub comm100_queue: Vec<u8>,
    /// Comm100 `realTime/RightNow`.
    pub comm100_right_now: Vec<u8>,
}

/// What credentials the fake accepts.
#[derive(Clone, Debug, Default)]
pub struct Credentials {
    /// A static bearer accepted from the start.
    pub bearer: Option<String>,
    /// OAuth2 client id and secret (or OAuth1 app key and secret) the Login Service accepts.
    pub login: Option<(String, String)>,
    /// Comm100 e-mail and API key accepted as HTTP Basic.
    pub basic: Option<(String, String)>,
}

type Generator = Arc<dyn Fn(u64) -> Vec<u8> + Send + Sync>;

struct Inner {
    account: String,
    addr: Mutex<Option<SocketAddr>>,
    steps: Mutex<Vec<Step>>,
    step: Mutex<usize>,
    generator: Mutex<Option<Generator>>,
    generated: Mutex<u64>,
    faults: Mutex<VecDeque<(Endpoint, Fault)>>,
    calls: Mutex<Vec<Call>>,
    credentials: Credentials,
    bearers: Mutex<Vec<String>>,
    logins: Mutex<u64>,
    session_in_header: Mutex<bool>,
    page_size: Mutex<usize>,
    record_calls: bool,
}

/// A running fake vendor.
pub struct FakeVendor {
    addr: SocketAddr,
    inner: Arc<Inner>,
    task: JoinHandle<()>,
}

impl std::fmt::Debug for FakeVendor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeVendor").field("addr", &self.addr).finish()
    }
}

impl Drop for FakeVendor {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl FakeVendor {
    /// Starts a fake for `account` on `127.0.0.1`, port 0, serving `steps` (step 0 first).
    ///
    /// # Errors
    ///
    /// When no port can be bound.
    pub async fn start(
        account: &str,
        steps: Vec<Step>,
        credentials: Credentials,
    ) -> std::io::Result<FakeVendor> {
        Self::start_with(account, steps, credentials, true).await
    }

    /// As [`FakeVendor::start`]; with `record_calls` false it keeps no call log (a bench's fake,
    /// called for hours, would otherwise grow without end).
    ///
    /// # Errors
    ///
    /// When no port can be bound.
    pub async fn start_with(
        account: &str,
        steps: Vec<Step>,
        credentials: Credentials,
        record_calls: bool,
    ) -> std::io::Result<FakeVendor> {
        let bearers = credentials.bearer.iter().cloned().collect();
        let inner = Arc::new(Inner {
            account: account.to_owned(),
            addr: Mutex::new(None),
            steps: Mutex::new(steps),
            step: Mutex::new(0),
            generator: Mutex::new(None),
            generated: Mutex::new(0),
            faults: Mutex::new(VecDeque::new()),
            calls: Mutex::new(Vec::new()),
            credentials,
            bearers: Mutex::new(bearers),
            logins: Mutex::new(0),
            session_in_header: Mutex::new(true),
            page_size: Mutex::new(5),
            record_calls,
        });
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        *lock(&inner.addr) = Some(addr);
        let app = Router::new().fallback(handle).with_state(inner.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(FakeVendor { addr, inner, task })
    }

    /// Its base URL: `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Serves step `i` from now on (the last step when past the end).
    pub fn set_step(&self, i: usize) {
        *lock(&self.inner.step) = i;
    }

    /// Replaces the steps.
    pub fn set_steps(&self, steps: Vec<Step>) {
        *lock(&self.inner.steps) = steps;
    }

    /// Serves `availableAgents` from a generator, called with the number of the call (from 0).
    pub fn generate_agents(&self, f: impl Fn(u64) -> Vec<u8> + Send + Sync + 'static) {
        *lock(&self.inner.generator) = Some(Arc::new(f));
    }

    /// Queues a fault for the next call to `endpoint`.
    pub fn fault(&self, endpoint: Endpoint, fault: Fault) {
        lock(&self.inner.faults).push_back((endpoint, fault));
    }

    /// Whether the agent session URL comes in the `Location` header (the default) or only in
    /// the body.
    pub fn session_in_header(&self, yes: bool) {
        *lock(&self.inner.session_in_header) = yes;
    }

    /// Comm100's page size (default 5).
    pub fn set_page_size(&self, n: usize) {
        *lock(&self.inner.page_size) = n.max(1);
    }

    /// Every call so far.
    pub fn calls(&self) -> Vec<Call> {
        lock(&self.inner.calls).clone()
    }

    /// The calls to one endpoint.
    pub fn calls_to(&self, endpoint: Endpoint) -> Vec<Call> {
        self.calls().into_iter().filter(|c| c.endpoint == endpoint).collect()
    }

    /// Logins that succeeded.
    pub fn logins(&self) -> u64 {
        *lock(&self.inner.logins)
    }
}

fn respond(status: StatusCode, content_type: &'static str, body: Vec<u8>) -> Response {
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = status;
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

fn error(status: u16) -> Response {
    let s = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    respond(s, "application/json", format!("{{\"error\":\"fake vendor: {status}\"}}").into_bytes())
}

fn route(method: &Method, path: &str, account: &str) -> Option<Endpoint> {
    let lp = format!("/api/account/{account}/");
    if let Some(rest) = path.strip_prefix(&lp) {
        return match (method.as_str(), rest) {
            ("GET", r) if r.starts_with("service/") && r.ends_with("/baseURI.json") => Some(Endpoint::Domain),
            ("POST", "login") => Some(Endpoint::Login),
            ("POST", "agentSession") => Some(Endpoint::Session),
            ("GET", r) if r.starts_with("agentSession/") && r.ends_with("/availableAgents") => {
                Some(Endpoint::Agents)
            }
            _ => None,
        };
    }
    match (method.as_str(), path) {
        ("GET", p) if p == format!("/operations/api/account/{account}/queuestate") => Some(Endpoint::Queue),
        ("POST", p) if p == format!("/messaging_history/api/account/{account}/agent-view/status") => {
            Some(Endpoint::MessagingAgents)
        }
        ("GET", p) if p == format!("/operations/api/account/{account}/msgqueuehealth/current/") => {
            Some(Endpoint::MessagingQueue)
        }
        ("GET", "/v4/livechat/realTime/Agents") => Some(Endpoint::Comm100Agents),
        ("GET", "/v4/livechat/realTime/Queue") => Some(Endpoint::Comm100Queue),
        ("GET", "/v4/livechat/realTime/RightNow") => Some(Endpoint::Comm100RightNow),
        _ => None,
    }
}

fn query_param(uri: &Uri, name: &str) -> Option<String> {
    form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

async fn handle(
    State(inner): State<Arc<Inner>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let target = uri.path_and_query().map_or_else(|| uri.path().to_owned(), |p| p.as_str().to_owned());
    let authorization = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let Some(endpoint) = route(&method, uri.path(), &inner.account) else {
        return error(404);
    };
    // Recorded on arrival (status 0 until answered: a call the caller gave up on keeps it).
    let index = inner.record_calls.then(|| {
        let mut calls = lock(&inner.calls);
        calls.push(Call {
            at: Instant::now(),
            endpoint,
            target,
            authorization: authorization.clone(),
            status: 0,
        });
        calls.len() - 1
    });
    let response = answer(&inner, endpoint, &uri, authorization.as_deref(), &body).await;
    if let Some(i) = index
        && let Some(c) = lock(&inner.calls).get_mut(i)
    {
        c.status = response.status().as_u16();
    }
    response
}

fn authorized(inner: &Inner, endpoint: Endpoint, authorization: Option<&str>) -> bool {
    let Some(auth) = authorization else { return false };
    if let Some(b) = auth.strip_prefix("Bearer ") {
        return lock(&inner.bearers).iter().any(|x| x == b);
    }
    if let Some(basic) = auth.strip_prefix("Basic ") {
        let Some((email, key)) = &inner.credentials.basic else { return false };
        let expected = base64::engine::general_purpose::STANDARD.encode(format!("{email}:{key}"));
        return basic == expected;
    }
    if auth.starts_with("OAuth ") && matches!(endpoint, Endpoint::Queue | Endpoint::MessagingQueue) {
        let Some((app_key, _)) = &inner.credentials.login else { return false };
        let fields =
            ["oauth_nonce=", "oauth_signature=", "oauth_timestamp=", "oauth_token=", "oauth_version=\"1.0\""];
        return auth.contains(&format!("oauth_consumer_key=\"{app_key}\""))
            && auth.contains("oauth_signature_method=\"HMAC-SHA1\"")
            && fields.iter().all(|f| auth.contains(f));
    }
    false
}

async fn answer(
    inner: &Inner,
    endpoint: Endpoint,
    uri: &Uri,
    authorization: Option<&str>,
    body: &[u8],
) -> Response {
    let first_page = query_param(uri, "pageIndex").is_none_or(|p| p == "1");
    let fault = {
        let mut faults = lock(&inner.faults);
        faults
            .iter()
            .position(|(e, f)| *e == endpoint && (first_page || *f != Fault::TotalChanges))
            .and_then(|i| faults.remove(i))
            .map(|(_, f)| f)
    };
    let mut truncate = false;
    let mut torn = false;
    match fault {
        Some(Fault::Status(s)) => return error(s),
        Some(Fault::StatusRetryAfter(s, after)) => {
            let mut r = error(s);
            if let Ok(v) = HeaderValue::from_str(&after) {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
            return r;
        }
        Some(Fault::Hang(d)) => tokio::time::sleep(d).await,
        Some(Fault::Truncated) => truncate = true,
        Some(Fault::ExpireToken) => {
            lock(&inner.bearers).clear();
            return error(401);
        }
        Some(Fault::TotalChanges) => torn = true,
        None => {}
    }
    let addr = lock(&inner.addr).map(|a| a.to_string()).unwrap_or_default();
    let step = {
        let steps = lock(&inner.steps);
        let i = (*lock(&inner.step)).min(steps.len().saturating_sub(1));
        steps.get(i).cloned().unwrap_or_default()
    };
    let json = |bytes: Vec<u8>| {
        let bytes = if truncate { bytes[..bytes.len() / 2].to_vec() } else { bytes };
        respond(StatusCode::OK, "application/json", bytes)
    };
    match endpoint {
        Endpoint::Domain => json(
            serde_json::json!({"service": "any", "account": inner.account, "baseURI": addr})
                .to_string()
                .into_bytes(),
        ),
        Endpoint::Login => {
            let v: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
            let ok = inner.credentials.login.as_ref().is_some_and(|(id, secret)| {
                v["appKey"].as_str() == Some(id.as_str()) && v["secret"].as_str() == Some(secret.as_str())
            });
            if !ok {
                return error(401);
            }
            let n = {
                let mut l = lock(&inner.logins);
                *l += 1;
                *l
            };
            let bearer = format!("fake-bearer-{n}");
            lock(&inner.bearers).push(bearer.clone());
            json(serde_json::json!({"csrf": "x", "config": {}, "bearer": bearer}).to_string().into_bytes())
        }
        Endpoint::Session => {
            if !authorized(inner, endpoint, authorization) {
                return error(401);
            }
            let href = format!("http://{addr}/api/account/{}/agentSession/fake-session-1", inner.account);
            let body =
                serde_json::json!({"agentSessionLocation": {"link": {"@href": href, "@rel": "location"}}});
            let mut r = respond(StatusCode::CREATED, "application/json", body.to_string().into_bytes());
            if *lock(&inner.session_in_header)
                && let Ok(v) = HeaderValue::from_str(&href)
            {
                r.headers_mut().insert(header::LOCATION, v);
            }
            r
        }
        Endpoint::Agents => {
            if !authorized(inner, endpoint, authorization) {
                return error(401);
            }
            let generator = lock(&inner.generator).clone();
            let bytes = match generator {
                Some(g) => {
                    let n = {
                        let mut c = lock(&inner.generated);
                        *c += 1;
                        *c - 1
                    };
                    g(n)
                }
                None => with_next_link(&step.agents, &addr, &inner.account),
            };
            json(bytes)
        }
        Endpoint::Queue => {
            if !authorized(inner, endpoint, authorization) {
                return error(401);
            }
            if query_param(uri, "v").is_none() {
                return error(400);
            }
            json(step.queue)
        }
        Endpoint::MessagingAgents | Endpoint::MessagingQueue => {
            if !authorized(inner, endpoint, authorization) {
                return error(401);
            }
            json(if endpoint == Endpoint::MessagingAgents {
                step.messaging_agents
            } else {
                step.messaging_queue
            })
        }
        Endpoint::Comm100Agents | Endpoint::Comm100Queue | Endpoint::Comm100RightNow => {
            if !authorized(inner, endpoint, authorization) {
                return error(401);
            }
            if query_param(uri, "siteId").as_deref() != Some(inner.account.as_str()) {
                return error(400);
            }
            match endpoint {
                Endpoint::Comm100Agents => {
                    let page: usize = query_param(uri, "pageIndex").and_then(|p| p.parse().ok()).unwrap_or(1);
                    json(comm100_page(&step.comm100_agents, page, *lock(&inner.page_size), torn))
                }
                Endpoint::Comm100Queue => json(step.comm100_queue),
                _ => json(step.comm100_right_now),
            }
        }
    }
}

/// The payload with its `link rel="next"` pointing back at the fake (a timestamped URL).
fn with_next_link(agents: &[u8], addr: &str, account: &str) -> Vec<u8> {
    let Ok(mut v) = serde_json::from_slice::<serde_json::Value>(agents) else {
        return agents.to_vec();
    };
    if let Some(obj) = v.get_mut("availableAgents").and_then(|a| a.as_object_mut()) {
        let href = format!(
            "http://{addr}/api/account/{account}/agentSession/fake-session-1/availableAgents?v=1&NC=true&timeStamp=1331544926464"
        );
        obj.insert("link".into(), serde_json::json!({"@href": href, "@rel": "next"}));
    }
    v.to_string().into_bytes()
}

/// One page of a Comm100 agent list.
fn comm100_page(all: &[u8], page: usize, size: usize, torn: bool) -> Vec<u8> {
    let list: Vec<serde_json::Value> = serde_json::from_slice(all).unwrap_or_default();
    let total = list.len() + usize::from(torn);
    let count = total.div_ceil(size).max(1);
    let items: Vec<&serde_json::Value> = list.iter().skip((page.max(1) - 1) * size).take(size).collect();
    serde_json::json!({"total": total, "pageCount": count, "list": items, "pageIndex": page, "pageSize": size})
        .to_string()
        .into_bytes()
}
