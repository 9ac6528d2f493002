//! LivePerson's legacy Chat Agent API and Operations API.
//!
//! A poll: find the hosts (the Domain API's `agentVep` and `leDataReporting`, once; or
//! `base_url` for both), log in (OAuth2 client credentials or an OAuth1 key through the Login
//! Service; or a static bearer), open an agent session (once; its URL from the `Location`
//! header or `agentSessionLocation.link.@href`), then `GET availableAgents` (the last answer's
//! `rel="next"` link when it had one on the session's own host, a full fetch otherwise) and the
//! Operations `queuestate` (OAuth1-signed, or with the bearer).

use std::sync::Arc;

use chatcap_adapter::liveperson;
use reqwest::Url;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, LOCATION};
use serde::Deserialize;

use super::{Polled, Poller};
use crate::clock::Clock;
use crate::config::{Auth, SourceConfig};
use crate::http::{CallError, Vendor};
use crate::oauth1;
use crate::policy::Failure;

/// The hosts of an account.
#[derive(Clone, Debug)]
pub(crate) struct Hosts {
    /// The Login Service and Chat Agent API (`agentVep`).
    pub(crate) agent_vep: String,
    /// The Operations API (`leDataReporting`).
    pub(crate) operations: String,
}

pub(crate) struct LivePerson {
    cfg: SourceConfig,
    vendor: Vendor,
    clock: Arc<dyn Clock>,
    hosts: Option<Hosts>,
    bearer: Option<String>,
    session: Option<Url>,
    next: Option<Url>,
}

#[derive(Deserialize)]
struct BaseUri {
    #[serde(rename = "baseURI")]
    base_uri: String,
}

#[derive(Deserialize)]
struct LoginReply {
    bearer: String,
}

#[derive(Deserialize)]
struct SessionReply {
    #[serde(rename = "agentSessionLocation")]
    location: SessionLocation,
}

#[derive(Deserialize)]
struct SessionLocation {
    link: SessionLink,
}

#[derive(Deserialize)]
struct SessionLink {
    #[serde(rename = "@href")]
    href: String,
}

/// Reads a small JSON answer, naming the endpoint and what was expected when it cannot.
pub(crate) fn small_json<T: for<'de> Deserialize<'de>>(
    endpoint: &str,
    body: &[u8],
    expected: &str,
) -> Result<T, CallError> {
    serde_json::from_slice(body)
        .map_err(|e| CallError::bad_payload(endpoint, format!("{e}; expected {expected}")))
}

fn parse_url(endpoint: &str, s: &str) -> Result<Url, CallError> {
    Url::parse(s).map_err(|e| CallError::bad_payload(endpoint, format!("{s:?} is not a URL: {e}")))
}

/// Resolves a service's host through the Domain API; the host takes the Domain API's scheme
/// (https in production; a test's fake vendor speaks plain http).
pub(crate) async fn domain(vendor: &Vendor, cfg: &SourceConfig, service: &str) -> Result<String, CallError> {
    let url = format!(
        "{}/api/account/{}/service/{service}/baseURI.json?version=1.0",
        cfg.domain_api, cfg.account_id
    );
    let reply =
        vendor.send("domain", vendor.http().get(url).header(ACCEPT, "application/json"), false).await?;
    let b: BaseUri = small_json("domain", &reply.body, "{\"baseURI\": \"host\"}")?;
    let host = b.base_uri.trim().trim_end_matches('/');
    if host.is_empty() || host.contains(['/', '?', '#', '@', ' ']) {
        return Err(CallError::bad_payload("domain", format!("baseURI {host:?}: expected a host name")));
    }
    let scheme = if cfg.domain_api.starts_with("http://") { "http" } else { "https" };
    Ok(format!("{scheme}://{host}"))
}

/// Logs in at the Login Service with the source's credentials, for a bearer.
pub(crate) async fn login(vendor: &Vendor, cfg: &SourceConfig, agent_vep: &str) -> Result<String, CallError> {
    let body = match &cfg.auth {
        Auth::Bearer(b) => return Ok(b.expose().to_owned()),
        // The Login Service takes OAuth2 client credentials in its API-key fields, with dummy
        // values for the deprecated OAuth1 token.
        Auth::OAuth2 { client_id, client_secret } => serde_json::json!({
            "username": cfg.username,
            "appKey": client_id.expose(),
            "secret": client_secret.expose(),
            "accessToken": "dummy",
            "accessTokenSecret": "dummy",
        }),
        Auth::OAuth1(k) => serde_json::json!({
            "username": cfg.username,
            "appKey": k.app_key.expose(),
            "secret": k.app_secret.expose(),
            "accessToken": k.access_token.expose(),
            "accessTokenSecret": k.access_token_secret.expose(),
        }),
        Auth::ApiKey { .. } | Auth::None => {
            return Err(CallError {
                failure: Failure::Refused { status: 0 },
                message: "LivePerson takes a bearer, OAuth2 client credentials or an OAuth1 key".to_owned(),
            });
        }
    };
    let url = format!("{agent_vep}/api/account/{}/login?v=1.3", cfg.account_id);
    let request = vendor
        .http()
        .post(url)
        .header(CONTENT_TYPE, "application/json")
        .header(ACCEPT, "application/json")
        .body(body.to_string());
    let reply = vendor.send("login", request, true).await?;
    let r: LoginReply = small_json("login", &reply.body, "an object with \"bearer\"")?;
    if r.bearer.is_empty() {
        return Err(CallError::bad_payload("login", "empty bearer"));
    }
    Ok(r.bearer)
}

impl LivePerson {
    pub(crate) fn new(cfg: SourceConfig, vendor: Vendor, clock: Arc<dyn Clock>) -> Self {
        Self { cfg, vendor, clock, hosts: None, bearer: None, session: None, next: None }
    }

    async fn hosts(&mut self) -> Result<Hosts, CallError> {
        if let Some(h) = &self.hosts {
            return Ok(h.clone());
        }
        let hosts = match &self.cfg.base_url {
            Some(base) => Hosts { agent_vep: base.clone(), operations: base.clone() },
            None => Hosts {
                agent_vep: domain(&self.vendor, &self.cfg, "agentVep").await?,
                operations: domain(&self.vendor, &self.cfg, "leDataReporting").await?,
            },
        };
        self.hosts = Some(hosts.clone());
        Ok(hosts)
    }

    async fn bearer(&mut self, hosts: &Hosts) -> Result<String, CallError> {
        if let Some(b) = &self.bearer {
            return Ok(b.clone());
        }
        let b = login(&self.vendor, &self.cfg, &hosts.agent_vep).await?;
        self.bearer = Some(b.clone());
        Ok(b)
    }

    async fn session(&mut self, hosts: &Hosts, bearer: &str) -> Result<Url, CallError> {
        if let Some(s) = &self.session {
            return Ok(s.clone());
        }
        let url = format!("{}/api/account/{}/agentSession?v=1&NC=true", hosts.agent_vep, self.cfg.account_id);
        let request = self
            .vendor
            .http()
            .post(url)
            .header(AUTHORIZATION, format!("Bearer {bearer}"))
            .header(CONTENT_TYPE, "application/json")
            .header(ACCEPT, "application/json")
            .body(r#"{"loginData": ""}"#);
        let reply = self.vendor.send("agentSession", request, false).await?;
        let href = match reply.headers.get(LOCATION).and_then(|v| v.to_str().ok()) {
            Some(l) if !l.is_empty() => l.to_owned(),
            _ => {
                let r: SessionReply = small_json(
                    "agentSession",
                    &reply.body,
                    "a Location header or agentSessionLocation.link.@href",
                )?;
                r.location.link.href
            }
        };
        let mut session = parse_url("agentSession", &href)?;
        session.set_query(None);
        if !session.path().ends_with('/') {
            session.set_path(&format!("{}/", session.path()));
        }
        self.session = Some(session.clone());
        Ok(session)
    }

    fn queue_request(&self, hosts: &Hosts, bearer: &str) -> Result<reqwest::RequestBuilder, CallError> {
        let url = format!(
            "{}/operations/api/account/{}/queuestate?v=2&skillIds={}",
            hosts.operations, self.cfg.account_id, self.cfg.skill_ids
        );
        let url = parse_url("queuestate", &url)?;
        let auth = match &self.cfg.auth {
            Auth::OAuth1(key) => {
                let nonce: String = std::iter::repeat_with(fastrand::alphanumeric).take(24).collect();
                let ts = self.clock.now().as_millis().max(0) as u64 / 1000;
                oauth1::authorization("GET", &url, key, &nonce, ts)
            }
            _ => format!("Bearer {bearer}"),
        };
        Ok(self.vendor.http().get(url).header(AUTHORIZATION, auth).header(ACCEPT, "application/json"))
    }
}

impl Poller for LivePerson {
    async fn poll(&mut self) -> Result<Polled, CallError> {
        let hosts = self.hosts().await?;
        let bearer = self.bearer(&hosts).await?;
        let session = self.session(&hosts, &bearer).await?;
        let as_of = self.clock.now();
        let url = match self.next.take() {
            Some(next) => next,
            None => session
                .join("availableAgents?v=1&NC=true")
                .map_err(|e| CallError::bad_payload("availableAgents", e))?,
        };
        let request = self
            .vendor
            .http()
            .get(url)
            .header(AUTHORIZATION, format!("Bearer {bearer}"))
            .header(ACCEPT, "application/json");
        let reply = self.vendor.send("availableAgents", request, false).await?;
        // Reading a large floor takes milliseconds: off the workers that answer requests.
        let body = reply.body;
        let mut ingest = tokio::task::spawn_blocking(move || liveperson::available_agents_json(&body, as_of))
            .await
            .map_err(|e| CallError::bad_payload("availableAgents", e))?
            .map_err(|e| CallError::bad_payload("availableAgents", e))?;
        // Follow rel="next" only on the session's own host: the bearer goes with it.
        self.next = ingest.next_page.as_deref().and_then(|href| Url::parse(href).ok()).filter(|u| {
            u.scheme() == session.scheme()
                && u.host() == session.host()
                && u.port_or_known_default() == session.port_or_known_default()
        });
        let reply = self.vendor.send("queuestate", self.queue_request(&hosts, &bearer)?, false).await?;
        let (report, warnings) =
            liveperson::queue_state_json(&reply.body).map_err(|e| CallError::bad_payload("queuestate", e))?;
        ingest.warnings.extend(warnings);
        liveperson::apply_queue_state(&report, &mut ingest)
            .map_err(|e| CallError::bad_payload("queuestate", e))?;
        Ok(Polled { snapshot: ingest.snapshot, warnings: ingest.warnings, as_of, vendor: Vec::new() })
    }

    fn reset_auth(&mut self) {
        self.bearer = None;
        self.session = None;
        self.next = None;
    }
}
