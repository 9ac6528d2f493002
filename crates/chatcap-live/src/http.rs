//! Vendor calls: one place for the timeout, the size limit, metrics, and turning an answer
//! into a [`Failure`] the policy understands.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::{RequestBuilder, StatusCode};

use crate::metrics::Metrics;
use crate::policy::{CallBudget, Failure};

/// The largest vendor answer read: a 100,000-agent `availableAgents` payload is about 45 MB.
pub const MAX_BODY_BYTES: usize = 256 * 1024 * 1024;

/// A vendor call that failed, with what the policy needs and a message for people (which
/// names the endpoint and the status, never a credential).
#[derive(Clone, Debug)]
pub struct CallError {
    /// The failure.
    pub failure: Failure,
    /// What happened.
    pub message: String,
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl CallError {
    /// An answer that could not be read.
    pub fn bad_payload(endpoint: &str, e: impl fmt::Display) -> Self {
        Self { failure: Failure::BadPayload, message: format!("{endpoint}: {e}") }
    }
}

/// A successful answer.
#[derive(Debug)]
pub struct Reply {
    /// The headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: Vec<u8>,
}

/// A vendor's HTTP client as one source uses it.
#[derive(Clone, Debug)]
pub struct Vendor {
    http: reqwest::Client,
    source: String,
    metrics: Arc<Metrics>,
    timeout: Duration,
    throttle_statuses: &'static [u16],
    budget: Option<Arc<CallBudget>>,
    secrets: Arc<Vec<String>>,
}

impl Vendor {
    /// A client for `source`: every call times out after `timeout`; `throttle_statuses` are
    /// the statuses that mean throttled; with a budget, every call waits for it.
    pub fn new(
        http: reqwest::Client,
        source: String,
        metrics: Arc<Metrics>,
        timeout: Duration,
        throttle_statuses: &'static [u16],
        budget: Option<Arc<CallBudget>>,
    ) -> Self {
        Self { http, source, metrics, timeout, throttle_statuses, budget, secrets: Arc::default() }
    }

    /// The secrets the vendor's refusals must not echo into messages (they are replaced by
    /// `***`).
    pub fn with_secrets(mut self, secrets: Vec<String>) -> Self {
        self.secrets = Arc::new(secrets.into_iter().filter(|s| !s.is_empty()).collect());
        self
    }

    /// The underlying client, to build requests.
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// Sends a request (a login when `login`), reads the whole answer within the timeout, and
    /// classifies it.
    ///
    /// # Errors
    ///
    /// A [`CallError`] for anything but a 2xx answer read whole.
    pub async fn send(
        &self,
        endpoint: &'static str,
        request: RequestBuilder,
        login: bool,
    ) -> Result<Reply, CallError> {
        if let Some(b) = &self.budget {
            b.acquire().await;
        }
        let outcome = tokio::time::timeout(self.timeout, async {
            let response = request.send().await?;
            let status = response.status();
            let headers = response.headers().clone();
            let body = read_limited(response).await?;
            Ok::<_, ReadError>((status, headers, body))
        })
        .await;
        let (status, headers, body) = match outcome {
            Err(_) => {
                self.metrics.vendor_call(&self.source, endpoint, "timeout");
                return Err(CallError {
                    failure: Failure::Timeout,
                    message: format!("{endpoint}: no answer within {} s", self.timeout.as_secs_f64()),
                });
            }
            Ok(Err(e)) => {
                let label = if matches!(e, ReadError::TooLarge) { "too_large" } else { "error" };
                self.metrics.vendor_call(&self.source, endpoint, label);
                return Err(match e {
                    ReadError::TooLarge => CallError::bad_payload(
                        endpoint,
                        format!("answer larger than {} MiB", MAX_BODY_BYTES / (1024 * 1024)),
                    ),
                    ReadError::Http(e) => CallError {
                        failure: Failure::Transport,
                        message: format!("{endpoint}: {}", describe(&e)),
                    },
                });
            }
            Ok(Ok(v)) => v,
        };
        self.metrics.vendor_call(&self.source, endpoint, status.as_str());
        if status.is_success() {
            return Ok(Reply { headers, body });
        }
        let retry_after = retry_after(&headers);
        let code = status.as_u16();
        let reason = status.canonical_reason().unwrap_or("");
        let failure = if self.throttle_statuses.contains(&code) {
            Failure::Throttled { retry_after, login }
        } else if status == StatusCode::UNAUTHORIZED {
            Failure::Unauthorized
        } else if status.is_server_error() {
            Failure::ServerError { status: code, retry_after }
        } else {
            Failure::Refused { status: code }
        };
        let hint = match failure {
            Failure::Refused { .. } => format!(" ({})", excerpt(&body, &self.secrets)),
            _ => String::new(),
        };
        Err(CallError { failure, message: format!("{endpoint}: {code} {reason}{hint}") })
    }
}

enum ReadError {
    Http(reqwest::Error),
    TooLarge,
}

impl From<reqwest::Error> for ReadError {
    fn from(e: reqwest::Error) -> Self {
        ReadError::Http(e)
    }
}

async fn read_limited(mut response: reqwest::Response) -> Result<Vec<u8>, ReadError> {
    let mut body = Vec::with_capacity(response.content_length().map_or(8192, |n| n.min(1 << 24) as usize));
    while let Some(chunk) = response.chunk().await? {
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(ReadError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// A transport error in one line, without the URL's query.
fn describe(e: &reqwest::Error) -> String {
    let kind = if e.is_connect() {
        "cannot connect"
    } else if e.is_body() || e.is_decode() {
        "the answer broke off"
    } else if e.is_request() {
        "the request failed"
    } else {
        "transport error"
    };
    let mut source = std::error::Error::source(e);
    let mut detail = String::new();
    while let Some(s) = source {
        detail = s.to_string();
        source = s.source();
    }
    if detail.is_empty() { kind.to_owned() } else { format!("{kind}: {detail}") }
}

/// The start of a refusal's body, for the message: what the vendor said was wrong.
fn excerpt(body: &[u8], secrets: &[String]) -> String {
    let mut text = String::from_utf8_lossy(body).into_owned();
    for s in secrets {
        text = text.replace(s.as_str(), "***");
    }
    let text: String = text.chars().filter(|c| !c.is_control()).take(160).collect();
    if text.trim().is_empty() { "no details".to_owned() } else { text.trim().to_owned() }
}

/// `Retry-After` as seconds or an HTTP date.
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(SystemTime::now()).unwrap_or(Duration::ZERO))
}
