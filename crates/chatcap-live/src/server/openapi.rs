//! The route table, and the OpenAPI document built from it: the router is built from the
//! same table, so the document lists exactly the routes served.

use std::sync::Arc;

use axum::routing::{MethodRouter, get};
use serde_json::{Map, Value, json};

use super::{AppState, handlers};

/// A parameter of a route.
#[derive(Debug)]
pub struct ParamDoc {
    /// Its name.
    pub name: &'static str,
    /// `path` or `query`.
    pub location: &'static str,
    /// Whether it must be given.
    pub required: bool,
    /// Its JSON schema type: `string`, `integer`, `number` or `boolean`.
    pub kind: &'static str,
    /// What it is.
    pub description: &'static str,
}

/// A route: its path (axum's syntax, which is OpenAPI's), its documentation and its handler.
pub struct RouteDoc {
    /// The path.
    pub path: &'static str,
    /// One line on what it answers.
    pub summary: &'static str,
    /// Whether a bearer token is required.
    pub auth: bool,
    /// The parameters.
    pub params: &'static [ParamDoc],
    /// The statuses it answers with, and when.
    pub responses: &'static [(u16, &'static str)],
    /// Its handler.
    pub handler: fn() -> MethodRouter<Arc<AppState>>,
}

impl std::fmt::Debug for RouteDoc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RouteDoc").field("path", &self.path).finish()
    }
}

const fn q(name: &'static str, kind: &'static str, required: bool, description: &'static str) -> ParamDoc {
    ParamDoc { name, location: "query", required, kind, description }
}

const ACCOUNT_PATH: ParamDoc = ParamDoc {
    name: "accountId",
    location: "path",
    required: true,
    kind: "string",
    description: "The account (source) to answer about",
};
const ACCOUNT: ParamDoc =
    q("account", "string", false, "The account (source); may be left out when one source is configured");

const COMMON: &[(u16, &str)] = &[
    (400, "a parameter is missing or malformed ({\"error\": ...} says which and what was expected)"),
    (401, "no token, or an unknown one"),
    (404, "unknown account, skill or agent"),
    (503, "no data yet from the source"),
];

/// Every route of the server.
pub static ROUTES: &[RouteDoc] = &[
    RouteDoc {
        path: "/api/account/{accountId}/chat/availableSlots",
        summary: "LivePerson-compatible availableSlots: {\"availableSlots\": N}, -1 for unlimited (XML for Accept: application/xml); X-Chatcap-As-Of, -Age-Ms and -Stale headers",
        auth: true,
        params: &[
            ACCOUNT_PATH,
            q("skill", "string", false, "Count only agents with this skill"),
            q(
                "maxWaitTime",
                "integer",
                false,
                "Chats that can start within this many seconds (0 to 86400), given the queue and the source's aht_s",
            ),
            q("agent", "string", false, "One agent's slots, by login name or id; not with other parameters"),
            q("v", "string", false, "LivePerson's API version (ignored)"),
            q("NC", "string", false, "LivePerson's no-cache flag (ignored)"),
        ],
        responses: COMMON,
        handler: || get(handlers::available_slots),
    },
    RouteDoc {
        path: "/operations/api/account/{accountId}/queuestate",
        summary: "LivePerson Operations-compatible queuestate: per skill currentAvailableSlots, currentQueueSize and (v=2) currentMaxWaitTimeInQueue, with totals",
        auth: true,
        params: &[
            ACCOUNT_PATH,
            q("v", "integer", true, "Response version: 1, or 2 (adds currentMaxWaitTimeInQueue)"),
            q("skillIds", "string", false, "\"all\" (the default) or skill ids separated by commas"),
        ],
        responses: COMMON,
        handler: || get(handlers::queue_state),
    },
    RouteDoc {
        path: "/v1/slots",
        summary: "Free slots of the floor or a skill, or within a wait budget; with as_of, age_ms and stale",
        auth: true,
        params: &[
            ACCOUNT,
            q("skill", "string", false, "Count only agents with this skill"),
            q("max_wait_s", "integer", false, "Chats that can start within this many seconds (0 to 86400)"),
        ],
        responses: COMMON,
        handler: || get(handlers::slots),
    },
    RouteDoc {
        path: "/v1/offer",
        summary: "Whether to offer a human chat now: decision, reason and estimate; on stale or missing data the server's stance decides and the reason says so",
        auth: true,
        params: &[
            ACCOUNT,
            q("skill", "string", true, "The skill the visitor would wait for"),
            q(
                "max_wait_s",
                "integer",
                false,
                "The longest acceptable estimated wait (default: the server's max_wait_s)",
            ),
            q(
                "max_queue",
                "integer",
                false,
                "Decline while this many visitors or more wait (default: the source's max_queue)",
            ),
        ],
        responses: COMMON,
        handler: || get(handlers::offer),
    },
    RouteDoc {
        path: "/v1/transfer",
        summary: "Who can take a chat an agent holds, best first, and with explain every agent left out and why",
        auth: true,
        params: &[
            ACCOUNT,
            q("from", "string", true, "The agent that holds the chat"),
            q("to_skill", "string", false, "Transfer to any agent with this skill"),
            q("to_agent", "string", false, "Transfer to this agent (when no skill is given)"),
            q(
                "strategy",
                "string",
                false,
                "least-loaded (default), most-free, fewest-chats or longest-in-state",
            ),
            q("limit", "integer", false, "Only the best this many candidates"),
            q("explain", "boolean", false, "List every agent left out, with the reason"),
            q(
                "weight",
                "string",
                false,
                "What the chat costs of the receiver's capacity, a decimal (default 1)",
            ),
            q("allow_over_capacity", "boolean", false, "Let agents without free capacity take the chat"),
        ],
        responses: COMMON,
        handler: || get(handlers::transfer_route),
    },
    RouteDoc {
        path: "/v1/estimate",
        summary: "The wait a newcomer to a skill should expect, by queue position, with the counts behind it",
        auth: true,
        params: &[ACCOUNT, q("skill", "string", true, "The skill")],
        responses: COMMON,
        handler: || get(handlers::estimate),
    },
    RouteDoc {
        path: "/v1/floor",
        summary: "The floor in brief: agents, per-skill slots and queues, the adapter's warnings, the source's status",
        auth: true,
        params: &[ACCOUNT],
        responses: COMMON,
        handler: || get(handlers::floor),
    },
    RouteDoc {
        path: "/healthz",
        summary: "The process is alive",
        auth: false,
        params: &[],
        responses: &[],
        handler: || get(handlers::healthz),
    },
    RouteDoc {
        path: "/readyz",
        summary: "200 when every source has fresh data; 503 naming the sources that do not, and why",
        auth: false,
        params: &[],
        responses: &[(503, "a source has no data yet, stale data, or stopped")],
        handler: || get(handlers::readyz),
    },
    RouteDoc {
        path: "/metrics",
        summary: "Prometheus text: vendor calls, retries, polls, data age per source, requests by route and status, request latency",
        auth: true,
        params: &[],
        responses: &[(401, "no token, or an unknown one")],
        handler: || get(handlers::metrics),
    },
    RouteDoc {
        path: "/openapi.json",
        summary: "This document",
        auth: true,
        params: &[],
        responses: &[(401, "no token, or an unknown one")],
        handler: || get(handlers::openapi),
    },
];

/// The OpenAPI 3.0 document of [`ROUTES`].
pub fn openapi_json() -> String {
    let mut paths = Map::new();
    for r in ROUTES {
        let params: Vec<Value> = r
            .params
            .iter()
            .map(|p| {
                json!({
                    "name": p.name,
                    "in": p.location,
                    "required": p.required,
                    "description": p.description,
                    "schema": {"type": p.kind},
                })
            })
            .collect();
        let mut responses = Map::new();
        responses.insert("200".into(), json!({"description": "the answer"}));
        for (status, when) in r.responses {
            if *status == 401 && !r.auth {
                continue;
            }
            responses.insert(status.to_string(), json!({"description": when}));
        }
        let mut op = json!({
            "summary": r.summary,
            "operationId": operation_id(r.path),
            "parameters": params,
            "responses": responses,
        });
        if !r.auth {
            op["security"] = json!([]);
        }
        paths.insert(r.path.to_owned(), json!({ "get": op }));
    }
    let doc = json!({
        "openapi": "3.0.3",
        "info": {
            "title": "chatcap serve",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Live capacity and offer answers over LivePerson and Comm100 floors; every /v1 answer carries as_of, age_ms and stale",
        },
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearer": []}],
        "paths": paths,
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

fn operation_id(path: &str) -> String {
    let words: Vec<&str> = path.split(['/', '.', '{', '}']).filter(|w| !w.is_empty()).collect();
    words.join("_")
}
