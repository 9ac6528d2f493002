//! Comm100 Live Chat v4 real-time API.
//!
//! A poll walks `realTime/Agents` page by page (`pageIndex` from 1 to the first page's
//! `pageCount`, asked as `pageIndex` and `pageSize` query parameters, which the reference does
//! not list: the answer's own names), then reads `realTime/Queue` and `realTime/RightNow`. A
//! page whose `total` differs from the first's, or pages that do not add up to `total`, are a
//! torn snapshot (agents came or went during the walk): the walk starts again, at most three
//! times. Every call waits for the call budget shared by all Comm100 sources (300 calls per
//! 5 minutes per IP address).

use std::sync::Arc;

use base64::Engine as _;
use chatcap_adapter::comm100::{self, Comm100Options};
use reqwest::header::{ACCEPT, AUTHORIZATION};

use super::{Polled, Poller};
use crate::clock::Clock;
use crate::config::{Auth, SourceConfig};
use crate::http::{CallError, Vendor};
use crate::policy::Failure;

/// Comm100's API host when `base_url` is not set.
pub(crate) const DEFAULT_BASE: &str = "https://api5.comm100.io";

/// Walks of the agent pages tried before a torn snapshot is a failure.
const WALKS: usize = 3;

/// The most pages walked: more could not be fetched within the call budget anyway.
const MAX_PAGES: u64 = 100;

/// The page size asked for.
const PAGE_SIZE: u64 = 100;

pub(crate) struct Comm100 {
    cfg: SourceConfig,
    vendor: Vendor,
    clock: Arc<dyn Clock>,
    options: Comm100Options,
}

impl Comm100 {
    pub(crate) fn new(cfg: SourceConfig, vendor: Vendor, clock: Arc<dyn Clock>) -> Self {
        let options = Comm100Options { zero_max_chats: cfg.zero_max_chats, ..Comm100Options::default() };
        Self { cfg, vendor, clock, options }
    }

    fn authorization(&self) -> Result<String, CallError> {
        match &self.cfg.auth {
            Auth::Bearer(b) => Ok(format!("Bearer {}", b.expose())),
            Auth::ApiKey { email, api_key } => {
                let pair = format!("{}:{}", email.expose(), api_key.expose());
                Ok(format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(pair)))
            }
            _ => Err(CallError {
                failure: Failure::Refused { status: 0 },
                message: "Comm100 takes { email, api_key } or { bearer }".to_owned(),
            }),
        }
    }

    async fn get(&self, endpoint: &'static str, path: &str, query: &str) -> Result<Vec<u8>, CallError> {
        let base = self.cfg.base_url.as_deref().unwrap_or(DEFAULT_BASE);
        let url = format!("{base}/v4/livechat/realTime/{path}?siteId={}{query}", self.cfg.account_id);
        let request = self
            .vendor
            .http()
            .get(url)
            .header(AUTHORIZATION, self.authorization()?)
            .header(ACCEPT, "application/json");
        Ok(self.vendor.send(endpoint, request, false).await?.body)
    }

    /// One walk of the agent pages: the pages, or why they do not make one snapshot.
    async fn walk(&self, as_of: chatcap_core::Timestamp) -> Result<Result<Vec<Vec<u8>>, String>, CallError> {
        let page = |i: u64| format!("&pageIndex={i}&pageSize={PAGE_SIZE}");
        let first = self.get("realTime/Agents", "Agents", &page(1)).await?;
        let (_, figures) = comm100::agents_json(&first, as_of, &self.options)
            .map_err(|e| CallError::bad_payload("realTime/Agents", e))?;
        let count = figures.page_count.unwrap_or(1);
        if count > MAX_PAGES {
            return Err(CallError::bad_payload(
                "realTime/Agents",
                format!(
                    "pageCount {count}: more than {MAX_PAGES} pages, past what the call budget allows per poll"
                ),
            ));
        }
        let mut pages = vec![first];
        for i in 2..=count {
            let bytes = self.get("realTime/Agents", "Agents", &page(i)).await?;
            let (_, f) = comm100::agents_json(&bytes, as_of, &self.options)
                .map_err(|e| CallError::bad_payload("realTime/Agents", e))?;
            if f.total != figures.total || f.page_count != figures.page_count {
                return Ok(Err(format!(
                    "page {i} says total {} in {} pages, page 1 said {} in {}",
                    opt(f.total),
                    opt(f.page_count),
                    opt(figures.total),
                    opt(figures.page_count)
                )));
            }
            pages.push(bytes);
        }
        Ok(Ok(pages))
    }
}

fn opt(v: Option<u64>) -> String {
    v.map_or_else(|| "none".to_owned(), |n| n.to_string())
}

impl Poller for Comm100 {
    async fn poll(&mut self) -> Result<Polled, CallError> {
        let mut torn = Vec::new();
        let mut walked = None;
        for _ in 0..WALKS {
            let as_of = self.clock.now();
            match self.walk(as_of).await? {
                Ok(pages) => {
                    let named: Vec<(String, &[u8])> = pages
                        .iter()
                        .enumerate()
                        .map(|(i, p)| (format!("page {}", i + 1), p.as_slice()))
                        .collect();
                    match comm100::agents_pages(&named, as_of, &self.options) {
                        Ok(ingest) => {
                            walked = Some((ingest, as_of));
                            break;
                        }
                        // Pages that list other agents than total says: torn too.
                        Err(chatcap_adapter::AdapterError::Pages { message, .. }) => torn.push(message),
                        Err(e) => return Err(CallError::bad_payload("realTime/Agents", e)),
                    }
                }
                Err(why) => torn.push(why),
            }
            tracing::info!(source = %self.cfg.name(), why = %torn.last().map_or("", String::as_str), "torn snapshot: walking the agent pages again");
        }
        let Some((mut ingest, as_of)) = walked else {
            return Err(CallError::bad_payload(
                "realTime/Agents",
                format!("the pages changed during each of {WALKS} walks: {}", torn.join("; ")),
            ));
        };
        let queue = self.get("realTime/Queue", "Queue", "").await?;
        let (queues, warnings) =
            comm100::queue_json(&queue).map_err(|e| CallError::bad_payload("realTime/Queue", e))?;
        ingest.warnings.extend(warnings);
        comm100::apply_queue(&queues, &mut ingest);
        let right_now = self.get("realTime/RightNow", "RightNow", "").await?;
        let r = comm100::right_now_json(&right_now)
            .map_err(|e| CallError::bad_payload("realTime/RightNow", e))?;
        let vendor = [
            ("loggedInAgents", r.logged_in_agents),
            ("agentsInChat", r.agents_in_chat),
            ("visitorOnSite", r.visitor_on_site),
            ("ongoingChats", r.ongoing_chats),
            ("ongoingChatsWithAgent", r.ongoing_chats_with_agent),
            ("ongoingChatsWithBot", r.ongoing_chats_with_bot),
            ("currentQueueLength", r.current_queue_length),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k.to_owned(), i64::try_from(v).unwrap_or(i64::MAX))))
        .collect();
        Ok(Polled { snapshot: ingest.snapshot, warnings: ingest.warnings, as_of, vendor })
    }

    fn reset_auth(&mut self) {}
}
