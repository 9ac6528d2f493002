//! The routes' handlers.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chatcap_adapter::liveperson::{QueueStateVersion, render_available_slots, render_queue_state};
use chatcap_answers::{AnswerError, Naming, SlotsQuery, TransferArgs, max_wait, transfer};
use chatcap_core::{
    Decision, MaxWait, Method, OfferPolicy, Scope, SkillId, SkillSelection, Slots, Stance, Summary,
    WaitEstimate,
};
use serde::Serialize;

use super::params::Params;
use super::{ApiError, AppState, bytes, json};
use crate::clock::rfc3339;
use crate::state::{Freshness, Published, SourceState};

type Shared = State<Arc<AppState>>;

/// The source a request names by account, or the only one when it names none.
fn source<'a>(state: &'a AppState, account: Option<&str>) -> Result<&'a Arc<SourceState>, ApiError> {
    match account {
        Some(a) => state.sources.iter().find(|s| s.account == a).ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                format!("unknown account {a:?}; this server follows {}", accounts(state)),
            )
        }),
        None if state.sources.len() == 1 => Ok(&state.sources[0]),
        None => Err(ApiError::bad_request(format!(
            "missing parameter account: this server follows several ({})",
            accounts(state)
        ))),
    }
}

fn accounts(state: &AppState) -> String {
    let list: Vec<&str> = state.sources.iter().map(|s| s.account.as_str()).collect();
    if list.is_empty() { "no account".to_owned() } else { list.join(", ") }
}

/// The source's last good floor, or a 503 saying there is none yet and why.
fn floor_of(source: &SourceState) -> Result<Arc<Published>, ApiError> {
    source.published().ok_or_else(|| {
        let status = source.status();
        let why = status
            .stopped
            .map(|s| format!("; the source stopped: {s}"))
            .or_else(|| status.last_error.map(|e| format!("; last error: {e}")))
            .unwrap_or_default();
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("no data yet from source {}{why}", source.name),
        )
    })
}

/// How old an answer's data is, as every `/v1` answer carries it.
#[derive(Serialize)]
struct Meta<'a> {
    account: &'a str,
    source: &'a str,
    as_of: String,
    age_ms: u64,
    stale: bool,
}

fn meta<'a>(source: &'a SourceState, fresh: Freshness) -> Meta<'a> {
    Meta {
        account: &source.account,
        source: &source.name,
        as_of: rfc3339(fresh.as_of),
        age_ms: fresh.age.as_millis().min(u128::from(u64::MAX)) as u64,
        stale: fresh.stale,
    }
}

/// The same, as headers on the LivePerson-compatible routes (whose bodies keep LivePerson's
/// shape).
fn freshness_headers(response: &mut Response, fresh: Freshness) {
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&rfc3339(fresh.as_of)) {
        h.insert("x-chatcap-as-of", v);
    }
    h.insert("x-chatcap-age-ms", HeaderValue::from(fresh.age.as_millis().min(u128::from(u64::MAX)) as u64));
    h.insert("x-chatcap-stale", HeaderValue::from_static(if fresh.stale { "true" } else { "false" }));
}

fn answer_error(e: AnswerError) -> ApiError {
    match e {
        AnswerError::Argument(m) => ApiError::bad_request(m),
        AnswerError::Lookup(m) => ApiError::new(StatusCode::NOT_FOUND, m.to_string()),
        other => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, other.to_string()),
    }
}

fn slots_number(s: Slots) -> Option<u64> {
    s.count()
}

fn wants_xml(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| (a.contains("application/xml") || a.contains("text/xml")) && !a.contains("json"))
}

/// `GET /api/account/{accountId}/chat/availableSlots`: LivePerson's answer, from the floor.
pub(super) async fn available_slots(
    State(state): Shared,
    Path(account): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let p = Params::parse(query.as_deref(), &["skill", "maxWaitTime", "agent", "v", "NC"], false)?;
    let (skill, agent) = (p.get("skill"), p.get("agent"));
    let wait = match p.get("maxWaitTime") {
        None => None,
        Some(w) => match w.trim().parse::<u32>() {
            Ok(n) if n <= 86_400 => Some(n),
            _ => {
                return Err(ApiError::bad_request(format!(
                    "maxWaitTime {w:?}: expected a whole number of seconds from 0 to 86400"
                )));
            }
        },
    };
    if agent.is_some() && (skill.is_some() || wait.is_some()) {
        return Err(ApiError::bad_request("agent cannot be used with other parameters (skill, maxWaitTime)"));
    }
    let source = source(&state, Some(&account))?;
    let aht = wait.and(source.aht).map(|d| d.as_secs_f64());
    let query =
        SlotsQuery::new(skill, agent, wait.map(f64::from), aht, Naming::Keywords).map_err(answer_error)?;
    let published = floor_of(source)?;
    let fresh = source.freshness_of(&published, state.clock.now());
    let slots = query.answer(&published.floor).map_err(answer_error)?.value;
    let mut response = if wants_xml(&headers) {
        let n = slots.count().map_or(-1, |n| i64::try_from(n).unwrap_or(i64::MAX));
        let body = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><availableSlots>{n}</availableSlots>");
        bytes(StatusCode::OK, "application/xml", body.into_bytes())
    } else {
        bytes(StatusCode::OK, "application/json", render_available_slots(slots).into_bytes())
    };
    freshness_headers(&mut response, fresh);
    Ok(response)
}

/// `GET /operations/api/account/{accountId}/queuestate`: the Operations shape, from the floor.
pub(super) async fn queue_state(
    State(state): Shared,
    Path(account): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let p = Params::parse(query.as_deref(), &["skillIds", "v"], false)?;
    let version = match p.get("v") {
        Some("1") => QueueStateVersion::V1,
        Some("2") => QueueStateVersion::V2,
        Some(v) => return Err(ApiError::bad_request(format!("v {v:?}: expected 1 or 2"))),
        None => return Err(ApiError::bad_request("missing parameter v (the API version: 1 or 2)")),
    };
    let ids: Option<Vec<SkillId>> = match p.get("skillIds").map(str::trim) {
        None | Some("all") => None,
        Some(list) => {
            let ids: Vec<SkillId> =
                list.split(',').map(str::trim).filter(|s| !s.is_empty()).map(SkillId::from).collect();
            if ids.is_empty() {
                return Err(ApiError::bad_request(format!(
                    "skillIds {list:?}: expected \"all\" or skill ids separated by commas"
                )));
            }
            Some(ids)
        }
    };
    let source = source(&state, Some(&account))?;
    let published = floor_of(source)?;
    let fresh = source.freshness_of(&published, state.clock.now());
    let floor = &published.floor;
    let selection = ids.as_deref().map_or(SkillSelection::All, SkillSelection::Only);
    let view = floor.queue_state_view(selection, floor.now());
    let mut response =
        bytes(StatusCode::OK, "application/json", render_queue_state(&view, version).into_bytes());
    freshness_headers(&mut response, fresh);
    Ok(response)
}

#[derive(Serialize)]
struct SlotsBody<'a> {
    #[serde(flatten)]
    meta: Meta<'a>,
    skill: Option<&'a str>,
    /// Free slots; `null` when unlimited.
    slots: Option<u64>,
    unlimited: bool,
    max_wait_s: Option<u32>,
    aht_s: Option<f64>,
    warning: Option<String>,
}

/// `GET /v1/slots`.
pub(super) async fn slots(State(state): Shared, RawQuery(query): RawQuery) -> Result<Response, ApiError> {
    let p = Params::parse(query.as_deref(), &["account", "skill", "max_wait_s"], true)?;
    let source = source(&state, p.get("account"))?;
    let wait = p.number("max_wait_s", "a whole number of seconds from 0 to 86400")?;
    let wait = wait.map(|w| max_wait(w, Naming::Keywords)).transpose().map_err(answer_error)?;
    let aht = wait.and(source.aht);
    let query = SlotsQuery::new(
        p.get("skill"),
        None,
        wait.map(|w| f64::from(w.as_secs())),
        aht.map(|d| d.as_secs_f64()),
        Naming::Keywords,
    )
    .map_err(answer_error)?;
    let published = floor_of(source)?;
    let fresh = source.freshness_of(&published, state.clock.now());
    let answer = query.answer(&published.floor).map_err(answer_error)?;
    Ok(json(
        StatusCode::OK,
        &SlotsBody {
            meta: meta(source, fresh),
            skill: p.get("skill"),
            slots: slots_number(answer.value),
            unlimited: answer.value == Slots::Unlimited,
            max_wait_s: wait.map(MaxWait::as_secs),
            aht_s: aht.map(|d| d.as_secs_f64()),
            warning: answer.warning,
        },
    ))
}

/// A wait estimate as JSON: the same keys as the Python package's.
#[derive(Serialize)]
struct EstimateBody {
    kind: &'static str,
    wait_s: Option<f64>,
    method: Option<&'static str>,
    ahead: Option<u64>,
    release_rate_per_s: Option<f64>,
    missing: Option<String>,
    text: String,
}

fn estimate_body(e: &WaitEstimate) -> EstimateBody {
    let mut b = EstimateBody {
        kind: match e {
            WaitEstimate::AgentFreeNow => "agent_free_now",
            WaitEstimate::NoAgents => "no_agents",
            WaitEstimate::InsufficientData { .. } => "insufficient_data",
            WaitEstimate::Estimate { .. } => "estimate",
            _ => "other",
        },
        wait_s: None,
        method: None,
        ahead: None,
        release_rate_per_s: None,
        missing: None,
        text: e.to_string(),
    };
    match e {
        WaitEstimate::InsufficientData { missing } => b.missing = Some(missing.to_string()),
        WaitEstimate::Estimate { wait, method } => {
            b.wait_s = Some(wait.as_secs_f64());
            if let Method::QueuePosition { ahead, release_rate_per_s } = method {
                b.method = Some("queue_position");
                b.ahead = Some(*ahead);
                b.release_rate_per_s = Some(*release_rate_per_s);
            } else {
                b.method = Some("other");
            }
        }
        _ => {}
    }
    b
}

#[derive(Serialize)]
struct OfferBody<'a> {
    account: &'a str,
    source: &'a str,
    /// `null` before the source's first good poll.
    as_of: Option<String>,
    age_ms: Option<u64>,
    stale: bool,
    skill: &'a str,
    decision: &'static str,
    reason: String,
    /// The estimate behind an offer (beside a stance's decision: the last good floor's).
    estimate: Option<EstimateBody>,
    /// Set when the data was stale or missing and the configured stance decided.
    stance_applied: Option<&'static str>,
    /// What the last good floor would decide, when a stance decided instead.
    floor_decision: Option<String>,
    max_wait_s: u32,
}

fn stance_name(s: Stance) -> &'static str {
    match s {
        Stance::FailOpen => "fail_open",
        Stance::FailClosed => "fail_closed",
    }
}

/// `GET /v1/offer`: whether a bot should offer a human chat now.
pub(super) async fn offer(State(state): Shared, RawQuery(query): RawQuery) -> Result<Response, ApiError> {
    let p = Params::parse(query.as_deref(), &["account", "skill", "max_wait_s", "max_queue"], true)?;
    let source = source(&state, p.get("account"))?;
    let skill = p.required("skill", "the skill id to offer a chat for")?;
    let max_wait_s = p.number("max_wait_s", "a whole number of seconds from 0 to 86400")?;
    let budget = match max_wait_s {
        Some(w) => max_wait(w, Naming::Keywords).map_err(answer_error)?,
        None => state.default_max_wait,
    };
    let max_queue = match p.number("max_queue", "a whole number of visitors, 0 or more")? {
        Some(q) if q >= 0.0 && q.fract() == 0.0 => Some(q as u64),
        Some(q) => {
            return Err(ApiError::bad_request(format!("max_queue {q}: expected a whole number, 0 or more")));
        }
        None => source.max_queue,
    };
    let mut policy = OfferPolicy::new(budget).with_missing_data(state.stance);
    if let Some(aht) = source.aht {
        policy = policy.with_handle_time(aht);
    }
    if let Some(q) = max_queue {
        policy = policy.with_max_queue(q);
    }
    let published = source.published();
    let fresh = published.as_ref().map(|p| source.freshness_of(p, state.clock.now()));
    let decision = published.as_ref().map(|p| p.floor.offer(skill, &policy));
    let stance = state.stance;
    let mut body = OfferBody {
        account: &source.account,
        source: &source.name,
        as_of: fresh.map(|f| rfc3339(f.as_of)),
        age_ms: fresh.map(|f| f.age.as_millis().min(u128::from(u64::MAX)) as u64),
        stale: fresh.is_none_or(|f| f.stale),
        skill,
        decision: "decline",
        reason: String::new(),
        estimate: None,
        stance_applied: None,
        floor_decision: None,
        max_wait_s: budget.as_secs(),
    };
    let why_stale = match fresh {
        None => Some("no data yet from the source".to_owned()),
        Some(f) if f.stale => Some(format!(
            "data is stale ({:.1} s old, stale after {} s)",
            f.age.as_secs_f64(),
            fmt_secs(source.stale_after)
        )),
        Some(_) => None,
    };
    match (why_stale, decision) {
        (Some(why), floor) => {
            body.stance_applied = Some(stance_name(stance));
            body.decision = if stance == Stance::FailOpen { "offer" } else { "decline" };
            body.reason = format!("{why}: {}", stance_name(stance).replace('_', " "));
            match floor {
                Some(Ok(d)) => {
                    body.floor_decision = Some(d.to_string());
                    if let Decision::Offer { estimate } = d {
                        body.estimate = Some(estimate_body(&estimate));
                    }
                }
                Some(Err(e)) => body.floor_decision = Some(e.to_string()),
                None => {}
            }
        }
        (None, Some(Err(_))) => return Err(not_on_floor(skill, source)),
        (None, Some(Ok(Decision::Offer { estimate }))) => {
            body.decision = "offer";
            body.reason = estimate.to_string();
            body.estimate = Some(estimate_body(&estimate));
        }
        (None, Some(Ok(Decision::Decline { reason }))) => body.reason = reason.to_string(),
        // Fresh data always comes with a floor.
        (None, None) => body.reason = "no data yet from the source".to_owned(),
    }
    Ok(json(StatusCode::OK, &body))
}

/// The answer for a skill the source's floor does not define.
fn not_on_floor(skill: &str, source: &SourceState) -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, format!("skill {skill:?} is not on the floor of {}", source.name))
}

fn fmt_secs(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 { format!("{}", s as u64) } else { format!("{s}") }
}

#[derive(Serialize)]
struct TransferBody<'a> {
    #[serde(flatten)]
    meta: Meta<'a>,
    from: &'a str,
    #[serde(flatten)]
    answer: chatcap_answers::TransferAnswer,
}

/// `GET /v1/transfer`: who can take a chat `from` holds.
pub(super) async fn transfer_route(
    State(state): Shared,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let p = Params::parse(
        query.as_deref(),
        &[
            "account",
            "from",
            "to_skill",
            "to_agent",
            "strategy",
            "limit",
            "explain",
            "weight",
            "allow_over_capacity",
        ],
        true,
    )?;
    let source = source(&state, p.get("account"))?;
    let from = p.required("from", "the agent that holds the chat")?;
    let args = TransferArgs {
        from,
        to_skill: p.get("to_skill"),
        to_agent: p.get("to_agent"),
        strategy: p.get("strategy").unwrap_or("least-loaded"),
        limit: p.number("limit", "a whole number of candidates of at least 1")?,
        explain: p.flag("explain")?,
        allow_over_capacity: p.flag("allow_over_capacity")?,
        weight: p.get("weight").unwrap_or("1"),
    };
    let published = floor_of(source)?;
    let fresh = source.freshness_of(&published, state.clock.now());
    let answer = transfer(&published.floor, &args, Naming::Keywords).map_err(answer_error)?;
    Ok(json(StatusCode::OK, &TransferBody { meta: meta(source, fresh), from, answer }))
}

#[derive(Serialize)]
struct ScopeBody {
    eligible_agents: u64,
    free_slots: Option<u64>,
    unlimited: bool,
    busy: u64,
    queued: u64,
}

fn scope_body(s: &Summary) -> ScopeBody {
    ScopeBody {
        eligible_agents: s.eligible_agents,
        free_slots: s.free.count(),
        unlimited: s.free == Slots::Unlimited,
        busy: s.busy,
        queued: s.queued,
    }
}

#[derive(Serialize)]
struct EstimateAnswer<'a> {
    #[serde(flatten)]
    meta: Meta<'a>,
    skill: &'a str,
    aht_s: Option<f64>,
    #[serde(flatten)]
    scope: ScopeBody,
    estimate: EstimateBody,
}

/// `GET /v1/estimate`: the wait a newcomer should expect, by queue position.
pub(super) async fn estimate(State(state): Shared, RawQuery(query): RawQuery) -> Result<Response, ApiError> {
    let p = Params::parse(query.as_deref(), &["account", "skill"], true)?;
    let source = source(&state, p.get("account"))?;
    let skill = p.required("skill", "the skill id")?;
    let published = floor_of(source)?;
    let fresh = source.freshness_of(&published, state.clock.now());
    let floor = &published.floor;
    let idx = floor.skill_index(skill).ok_or_else(|| not_on_floor(skill, source))?;
    let summary = floor.summary(Scope::Skill(idx)).map_err(|_| not_on_floor(skill, source))?;
    let estimate = WaitEstimate::by_queue_position(&summary, source.aht);
    Ok(json(
        StatusCode::OK,
        &EstimateAnswer {
            meta: meta(source, fresh),
            skill,
            aht_s: source.aht.map(|d| d.as_secs_f64()),
            scope: scope_body(&summary),
            estimate: estimate_body(&estimate),
        },
    ))
}

#[derive(Serialize)]
struct SkillBody<'a> {
    id: &'a str,
    name: Option<&'a str>,
    #[serde(flatten)]
    scope: ScopeBody,
}

#[derive(Serialize)]
struct FloorBody<'a> {
    #[serde(flatten)]
    meta: Meta<'a>,
    kind: &'static str,
    agents: usize,
    polls: u64,
    total: ScopeBody,
    skills: Vec<SkillBody<'a>>,
    warnings: &'a [String],
    vendor: serde_json::Map<String, serde_json::Value>,
    last_error: Option<String>,
    stopped: Option<String>,
}

/// `GET /v1/floor`: the floor in brief.
pub(super) async fn floor(State(state): Shared, RawQuery(query): RawQuery) -> Result<Response, ApiError> {
    let p = Params::parse(query.as_deref(), &["account"], true)?;
    let source = source(&state, p.get("account"))?;
    let published = floor_of(source)?;
    let fresh = source.freshness_of(&published, state.clock.now());
    let floor = &published.floor;
    let status = source.status();
    let skills = floor
        .skill_indices()
        .filter_map(|idx| {
            let summary = floor.summary(Scope::Skill(idx)).ok()?;
            floor.skill(idx).map(|s| SkillBody {
                id: s.id.as_str(),
                name: s.name.as_deref(),
                scope: scope_body(&summary),
            })
        })
        .collect();
    let vendor = published.vendor.iter().map(|(k, v)| (k.clone(), serde_json::Value::from(*v))).collect();
    Ok(json(
        StatusCode::OK,
        &FloorBody {
            meta: meta(source, fresh),
            kind: source.kind.as_str(),
            agents: floor.agent_count(),
            polls: published.polls,
            total: scope_body(&floor.summary_total()),
            skills,
            warnings: &published.warnings,
            vendor,
            last_error: status.last_error,
            stopped: status.stopped,
        },
    ))
}

/// `GET /healthz`: the process is alive.
pub(super) async fn healthz() -> Response {
    bytes(StatusCode::OK, "application/json", b"{\"status\":\"ok\"}".to_vec())
}

#[derive(Serialize)]
struct SourceReadiness<'a> {
    source: &'a str,
    ready: bool,
    age_ms: Option<u64>,
    reason: Option<String>,
}

#[derive(Serialize)]
struct Readiness<'a> {
    ready: bool,
    sources: Vec<SourceReadiness<'a>>,
}

/// `GET /readyz`: 200 when every source has fresh data, else 503 naming those that do not.
pub(super) async fn readyz(State(state): Shared) -> Response {
    let now = state.clock.now();
    let sources: Vec<SourceReadiness<'_>> = state
        .sources
        .iter()
        .map(|s| {
            let fresh = s.freshness(now);
            let status = s.status();
            let reason = match (fresh, &status.stopped) {
                (_, Some(stopped)) => Some(format!("stopped: {stopped}")),
                (None, None) => Some(match &status.last_error {
                    Some(e) => format!("no data yet; last error: {e}"),
                    None => "no data yet".to_owned(),
                }),
                (Some(f), None) if f.stale => Some(format!(
                    "stale: {:.1} s old, stale after {} s{}",
                    f.age.as_secs_f64(),
                    fmt_secs(s.stale_after),
                    status.last_error.map(|e| format!("; last error: {e}")).unwrap_or_default()
                )),
                _ => None,
            };
            SourceReadiness {
                source: &s.name,
                ready: reason.is_none(),
                age_ms: fresh.map(|f| f.age.as_millis().min(u128::from(u64::MAX)) as u64),
                reason,
            }
        })
        .collect();
    let ready = !sources.is_empty() && sources.iter().all(|s| s.ready);
    let status = if ready { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    json(status, &Readiness { ready, sources })
}

/// `GET /metrics`: the Prometheus text format.
pub(super) async fn metrics(State(state): Shared) -> Response {
    let text = state.metrics.render(&state.gauges());
    bytes(StatusCode::OK, "text/plain; version=0.0.4; charset=utf-8", text.into_bytes())
}

/// `GET /openapi.json`.
pub(super) async fn openapi(State(state): Shared) -> Response {
    bytes(StatusCode::OK, "application/json", state.openapi.clone().into_bytes())
}

/// A method a route does not take: every route is GET.
pub(super) async fn method_not_allowed() -> Response {
    let mut r = ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "every route takes GET only").into_response();
    r.headers_mut().insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
    r
}

/// Anything else: a 404 that lists the routes.
pub(super) async fn not_found() -> Response {
    ApiError::new(StatusCode::NOT_FOUND, "no such route; GET /openapi.json lists them").into_response()
}
