//! LivePerson's messaging APIs, which replaced the legacy chat endpoints, so that messaging
//! accounts get slots too.
//!
//! A poll: find the hosts (the Domain API's `agentVep` for the Login Service, `msgHist` for
//! the Agent Metrics API and `leDataReporting` for the Messaging Operations API, once; or
//! `base_url` for all), log in as the legacy source does (or use a static bearer), then
//! `POST messaging_history/api/account/{id}/agent-view/status` (every page: `_metadata.next`
//! on the same host) and `GET operations/api/account/{id}/msgqueuehealth/current/`
//! (OAuth1-signed, or with the bearer).

use std::sync::Arc;

use chatcap_adapter::comm100::Comm100Options;
use chatcap_adapter::{read_agents, read_queue};
use reqwest::Url;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE};

use super::liveperson::{Hosts, domain, login};
use super::{Polled, Poller};
use crate::clock::Clock;
use crate::config::{Auth, SourceConfig};
use crate::http::{CallError, Vendor};
use crate::oauth1;

/// The most agent view pages read in one poll.
const MAX_PAGES: usize = 100;

pub(crate) struct Messaging {
    cfg: SourceConfig,
    vendor: Vendor,
    clock: Arc<dyn Clock>,
    hosts: Option<(Hosts, String)>,
    bearer: Option<String>,
}

impl Messaging {
    pub(crate) fn new(cfg: SourceConfig, vendor: Vendor, clock: Arc<dyn Clock>) -> Self {
        Self { cfg, vendor, clock, hosts: None, bearer: None }
    }

    /// The Login Service's and Operations API's hosts, and the Agent Metrics API's.
    async fn hosts(&mut self) -> Result<(Hosts, String), CallError> {
        if let Some(h) = &self.hosts {
            return Ok(h.clone());
        }
        let hosts = match &self.cfg.base_url {
            Some(base) => (Hosts { agent_vep: base.clone(), operations: base.clone() }, base.clone()),
            None => (
                Hosts {
                    agent_vep: domain(&self.vendor, &self.cfg, "agentVep").await?,
                    operations: domain(&self.vendor, &self.cfg, "leDataReporting").await?,
                },
                domain(&self.vendor, &self.cfg, "msgHist").await?,
            ),
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
}

impl Poller for Messaging {
    async fn poll(&mut self) -> Result<Polled, CallError> {
        let (hosts, history) = self.hosts().await?;
        let bearer = self.bearer(&hosts).await?;
        let as_of = self.clock.now();
        let first = format!(
            "{history}/messaging_history/api/account/{}/agent-view/status?limit=100&offset=0",
            self.cfg.account_id
        );
        let mut url = Url::parse(&first).map_err(|e| CallError::bad_payload("agent-view/status", e))?;
        let mut pages: Vec<(String, Vec<u8>)> = Vec::new();
        loop {
            let request = self
                .vendor
                .http()
                .post(url.clone())
                .header(AUTHORIZATION, format!("Bearer {bearer}"))
                .header(CONTENT_TYPE, "application/json")
                .header(ACCEPT, "application/json")
                .body("{}");
            let body = self.vendor.send("agent-view/status", request, false).await?.body;
            let page = chatcap_adapter::liveperson::messaging::agent_view_json(&body, as_of)
                .map_err(|e| CallError::bad_payload("agent-view/status", e))?;
            pages.push((format!("agent-view page {}", pages.len() + 1), body));
            // The next page only on the same host: the bearer goes with it.
            let next = page.next_page.as_deref().and_then(|h| url.join(h).ok()).filter(|n| {
                n.host() == url.host()
                    && n.port_or_known_default() == url.port_or_known_default()
                    && *n != url
            });
            match next {
                Some(n) if pages.len() < MAX_PAGES => url = n,
                Some(_) => {
                    return Err(CallError::bad_payload(
                        "agent-view/status",
                        format!("more than {MAX_PAGES} pages of agents in one poll"),
                    ));
                }
                None => break,
            }
        }
        let mut ingest =
            tokio::task::spawn_blocking(move || read_agents(&pages, as_of, &Comm100Options::default()))
                .await
                .map_err(|e| CallError::bad_payload("agent-view/status", e))?
                .map_err(|e| CallError::bad_payload("agent-view/status", e))?;
        let queue_url = format!(
            "{}/operations/api/account/{}/msgqueuehealth/current/?v=1&skillIds={}",
            hosts.operations, self.cfg.account_id, self.cfg.skill_ids
        );
        let queue_url = Url::parse(&queue_url).map_err(|e| CallError::bad_payload("msgqueuehealth", e))?;
        let auth = match &self.cfg.auth {
            Auth::OAuth1(key) => {
                let nonce: String = std::iter::repeat_with(fastrand::alphanumeric).take(24).collect();
                let ts = self.clock.now().as_millis().max(0) as u64 / 1000;
                oauth1::authorization("GET", &queue_url, key, &nonce, ts)
            }
            _ => format!("Bearer {bearer}"),
        };
        let request =
            self.vendor.http().get(queue_url).header(AUTHORIZATION, auth).header(ACCEPT, "application/json");
        let body = self.vendor.send("msgqueuehealth", request, false).await?.body;
        read_queue("msgqueuehealth", &body, &mut ingest)
            .map_err(|e| CallError::bad_payload("msgqueuehealth", e))?;
        Ok(Polled { snapshot: ingest.snapshot, warnings: ingest.warnings, as_of, vendor: Vec::new() })
    }

    fn reset_auth(&mut self) {
        self.bearer = None;
    }
}
