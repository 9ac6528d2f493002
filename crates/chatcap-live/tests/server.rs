//! The server over published floors, through a real HTTP client on loopback: answers equal
//! what the command line's code gives on the same payloads (and the README's figures), tokens
//! are enforced, bad requests get a 400 that says what was expected, and staleness is on every
//! answer.

use std::sync::Arc;
use std::time::Duration;

use chatcap_adapter::liveperson::{QueueStateVersion, render_available_slots, render_queue_state};
use chatcap_answers::{Naming, Payload, SlotsQuery, TransferArgs, load_floor, transfer};
use chatcap_core::{Capacity, MaxWait, OfferPolicy, SkillSelection, Stance, Timestamp};
use chatcap_live::{Clock, Config, LiveError, ManualClock, Options, Published, Server, start};
use serde_json::Value;

const TOKEN: &str = "test-token-0123456789abcdef";
const T0: Timestamp = Timestamp::from_millis(1_717_236_000_000);

fn testdata(path: &str) -> Vec<u8> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata").join(path);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The quirks floor: `testdata/liveperson/quirks/agents.json` with its queuestate, at T0.
fn quirks_floor() -> chatcap_core::Floor {
    let agents = testdata("liveperson/quirks/agents.json");
    let queue = testdata("liveperson/quirks/queuestate_v2.json");
    let (floor, _) = load_floor(
        &[Payload { name: "agents.json", bytes: &agents }],
        Some(Payload { name: "queuestate_v2.json", bytes: &queue }),
        T0,
        Capacity::Limited(3),
    )
    .unwrap();
    floor
}

struct Harness {
    server: Server,
    clock: Arc<ManualClock>,
    client: reqwest::Client,
    base: String,
}

impl Harness {
    async fn start(config: &str) -> Harness {
        let config = Config::from_toml(config, &|_| None).unwrap();
        let clock = Arc::new(ManualClock::new(T0));
        let options = Options { clock: clock.clone() as Arc<dyn Clock>, poll: false };
        let server = start(config, options).await.unwrap();
        let base = format!("http://{}", server.addr());
        Harness { server, clock, client: reqwest::Client::new(), base }
    }

    /// The usual server: one LivePerson source (account 1, aht 300 s, stale after 10 s).
    async fn one_source() -> Harness {
        Harness::start(&format!(
            r#"
[server]
listen = "127.0.0.1:0"
tokens = ["{TOKEN}", "another-token-abcdefghijkl"]
[[source]]
kind = "liveperson"
account_id = "1"
base_url = "http://127.0.0.1:9"
aht_s = 300
stale_after_s = 10
auth = {{ bearer = "vendor-bearer" }}
"#
        ))
        .await
    }

    fn publish(&self, source: usize, floor: chatcap_core::Floor, as_of: Timestamp) {
        self.server.sources()[source].publish(Published {
            floor,
            as_of,
            polls: 1,
            warnings: vec![],
            vendor: vec![],
        });
    }

    async fn get(&self, path: &str) -> (u16, String) {
        self.get_with(path, Some(&format!("Bearer {TOKEN}")), None).await
    }

    async fn get_with(&self, path: &str, auth: Option<&str>, accept: Option<&str>) -> (u16, String) {
        let mut req = self.client.get(format!("{}{path}", self.base));
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        if let Some(a) = accept {
            req = req.header("accept", a);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        (status, resp.text().await.unwrap())
    }

    async fn json(&self, path: &str) -> Value {
        let (status, body) = self.get(path).await;
        assert_eq!(status, 200, "{path}: {body}");
        serde_json::from_str(&body).unwrap()
    }

    async fn error(&self, path: &str, status: u16, part: &str) {
        let (got, body) = self.get(path).await;
        assert_eq!(got, status, "{path}: {body}");
        let v: Value = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{path}: {e}: {body}"));
        let message = v["error"].as_str().unwrap();
        assert!(message.contains(part), "{path}: {message:?} should say {part:?}");
    }
}

/// `chatcap slots` on the same floor: the command line's query, checked and answered the
/// same way, rendered as it prints it.
fn cli_slots(skill: Option<&str>, agent: Option<&str>, wait: Option<f64>, aht: Option<f64>) -> String {
    let q = SlotsQuery::new(skill, agent, wait, aht, Naming::Flags).unwrap();
    render_available_slots(q.answer(&quirks_floor()).unwrap().value)
}

#[tokio::test]
async fn available_slots_equal_the_command_line() {
    let h = Harness::one_source().await;
    h.publish(0, quirks_floor(), T0);
    // The README's figures for these payloads.
    let (s, body) = h.get("/api/account/1/chat/availableSlots?skill=1&v=1&NC=true").await;
    assert_eq!((s, body.as_str()), (200, r#"{"availableSlots":6}"#));
    let (s, body) = h.get("/api/account/1/chat/availableSlots?skill=2&maxWaitTime=600").await;
    assert_eq!((s, body.as_str()), (200, r#"{"availableSlots":4}"#));
    for (query, skill, agent, wait) in [
        ("", None, None, None),
        ("?skill=2", Some("2"), None, None),
        ("?skill=3", Some("3"), None, None),
        ("?skill=42", Some("42"), None, None),
        ("?maxWaitTime=0", None, None, Some(0.0)),
        ("?skill=1&maxWaitTime=120", Some("1"), None, Some(120.0)),
        ("?skill=2&maxWaitTime=86400", Some("2"), None, Some(86_400.0)),
        ("?agent=ann", None, Some("ann"), None),
        ("?agent=11", None, Some("11"), None),
        ("?agent=cy", None, Some("cy"), None),
    ] {
        let (s, body) = h.get(&format!("/api/account/1/chat/availableSlots{query}")).await;
        assert_eq!(s, 200, "{query}: {body}");
        assert_eq!(body, cli_slots(skill, agent, wait, wait.map(|_| 300.0)), "{query}");
    }
    // cy is unlimited: -1, as LivePerson says it.
    assert_eq!(h.get("/api/account/1/chat/availableSlots?agent=cy").await.1, r#"{"availableSlots":-1}"#);
}

#[tokio::test]
async fn available_slots_speak_xml_when_asked() {
    let h = Harness::one_source().await;
    h.publish(0, quirks_floor(), T0);
    let auth = format!("Bearer {TOKEN}");
    let (s, body) =
        h.get_with("/api/account/1/chat/availableSlots?skill=1", Some(&auth), Some("application/xml")).await;
    assert_eq!(s, 200);
    assert!(body.ends_with("<availableSlots>6</availableSlots>"), "{body}");
    let (_, body) =
        h.get_with("/api/account/1/chat/availableSlots?skill=1", Some(&auth), Some("application/json")).await;
    assert_eq!(body, r#"{"availableSlots":6}"#);
}

#[tokio::test]
async fn livepersons_validation_is_kept() {
    let h = Harness::one_source().await;
    h.publish(0, quirks_floor(), T0);
    let p = "/api/account/1/chat/availableSlots";
    h.error(&format!("{p}?maxWaitTime=86401"), 400, "from 0 to 86400").await;
    h.error(&format!("{p}?maxWaitTime=-1"), 400, "maxWaitTime").await;
    h.error(&format!("{p}?maxWaitTime=1.5"), 400, "whole number").await;
    h.error(&format!("{p}?maxWaitTime=ten"), 400, "maxWaitTime \"ten\"").await;
    h.error(&format!("{p}?agent=ann&skill=1"), 400, "agent cannot be used with other parameters").await;
    h.error(&format!("{p}?agent=ann&maxWaitTime=5"), 400, "agent cannot be used").await;
    h.error(&format!("{p}?skill=1&skill=2"), 400, "given twice").await;
    h.error(&format!("{p}?agent=nobody"), 404, "nobody").await;
    h.error("/api/account/2/chat/availableSlots", 404, "unknown account \"2\"").await;
}

#[tokio::test]
async fn queue_state_equals_the_command_line() {
    let h = Harness::one_source().await;
    h.publish(0, quirks_floor(), T0);
    let floor = quirks_floor();
    for (query, ids, version) in [
        ("v=2", None, QueueStateVersion::V2),
        ("v=1", None, QueueStateVersion::V1),
        ("v=2&skillIds=1,99", Some(vec!["1", "99"]), QueueStateVersion::V2),
        ("v=1&skillIds=all", None, QueueStateVersion::V1),
        ("v=2&skillIds=2", Some(vec!["2"]), QueueStateVersion::V2),
    ] {
        let ids: Option<Vec<chatcap_core::SkillId>> = ids.map(|v| v.into_iter().map(Into::into).collect());
        let selection = ids.as_deref().map_or(SkillSelection::All, SkillSelection::Only);
        let expected = render_queue_state(&floor.queue_state_view(selection, floor.now()), version);
        let (s, body) = h.get(&format!("/operations/api/account/1/queuestate?{query}")).await;
        assert_eq!((s, body), (200, expected), "{query}");
    }
    // Skill 1 as the payload reported it: 2 waiting, the longest for 30 s.
    let v = h.json("/operations/api/account/1/queuestate?v=2&skillIds=1").await;
    assert_eq!(v["skills"]["1"]["currentQueueSize"], 2);
    assert_eq!(v["skills"]["1"]["currentMaxWaitTimeInQueue"], 30_000);
    h.error("/operations/api/account/1/queuestate", 400, "missing parameter v").await;
    h.error("/operations/api/account/1/queuestate?v=3", 400, "expected 1 or 2").await;
    h.error("/operations/api/account/1/queuestate?v=2&skillIds=,", 400, "skill ids").await;
}

#[tokio::test]
async fn v1_slots_carry_their_age() {
    let h = Harness::one_source().await;
    h.publish(0, quirks_floor(), T0);
    h.clock.advance(Duration::from_millis(2_500));
    let v = h.json("/v1/slots?skill=1").await;
    assert_eq!(v["slots"], 6);
    assert_eq!(v["unlimited"], false);
    assert_eq!(v["as_of"], "2024-06-01T10:00:00.000Z");
    assert_eq!(v["age_ms"], 2_500);
    assert_eq!(v["stale"], false);
    let v = h.json("/v1/slots?account=1&skill=2&max_wait_s=600").await;
    assert_eq!(v["slots"], 4);
    assert_eq!(v["aht_s"], 300.0);
    let v = h.json("/v1/slots?skill=3").await;
    assert_eq!((v["slots"].clone(), v["unlimited"].clone()), (Value::Null, Value::Bool(true)));
    let v = h.json("/v1/slots?skill=nope").await;
    assert_eq!(v["slots"], 0);
    assert!(v["warning"].as_str().unwrap().contains("not on the floor"));
    h.clock.advance(Duration::from_millis(8_000));
    let v = h.json("/v1/slots?skill=1").await;
    assert_eq!((v["age_ms"].clone(), v["stale"].clone()), (Value::from(10_500), Value::Bool(true)));
    h.error("/v1/slots?skil=1", 400, "unknown parameter \"skil\"").await;
    h.error("/v1/slots?max_wait_s=86401", 400, "max_wait_s 86401").await;
    h.error("/v1/slots?max_wait_s=soon", 400, "max_wait_s \"soon\"").await;
    h.error("/v1/slots?account=9", 404, "unknown account").await;
}

#[tokio::test]
async fn offers_follow_the_floor_and_the_stance_on_stale_data() {
    let h = Harness::one_source().await;
    // No data yet: fail closed.
    let v = h.json("/v1/offer?skill=1").await;
    assert_eq!(v["decision"], "decline");
    assert_eq!(v["stance_applied"], "fail_closed");
    assert!(v["reason"].as_str().unwrap().starts_with("no data yet"), "{v}");
    h.publish(0, quirks_floor(), T0);
    let floor = quirks_floor();
    // A skill the floor does not define: not found, as for an estimate.
    h.error("/v1/offer?skill=nope&max_wait_s=120", 404, "skill \"nope\" is not on the floor").await;
    for skill in ["1", "2", "3"] {
        for wait in [0, 30, 120, 3_600] {
            let policy = OfferPolicy::new(MaxWait::from_secs(wait).unwrap())
                .with_handle_time(Duration::from_secs(300))
                .with_missing_data(Stance::FailClosed);
            let expected = floor.offer(skill, &policy).unwrap();
            let v = h.json(&format!("/v1/offer?skill={skill}&max_wait_s={wait}")).await;
            let decision = if expected.is_offer() { "offer" } else { "decline" };
            assert_eq!(v["decision"], decision, "{skill} {wait}: {v}");
            let shown =
                format!("{}: {}", decision.replace("decline", "declined"), v["reason"].as_str().unwrap());
            assert_eq!(shown, expected.to_string(), "{skill} {wait}");
            assert_eq!(v["stale"], false);
            assert_eq!(v["stance_applied"], Value::Null);
        }
    }
    // Stale: fail closed, whatever the floor says, and the reason says so.
    h.clock.advance(Duration::from_secs(11));
    let v = h.json("/v1/offer?skill=1&max_wait_s=120").await;
    assert_eq!(v["decision"], "decline");
    assert_eq!(v["stale"], true);
    assert_eq!(v["reason"], "data is stale (11.0 s old, stale after 10 s): fail closed");
    assert_eq!(v["floor_decision"], "offer: an agent is free now");
    h.error("/v1/offer", 400, "missing parameter skill").await;
    // A queue limit from the request, on a floor with no free slot: one agent holding its one
    // chat, two visitors waiting.
    use chatcap_core::{Agent, AgentState, QueuedVisitor, Skill, Snapshot, VisitorId};
    let busy = chatcap_core::Floor::new(Snapshot {
        taken_at: T0,
        skills: vec![Skill::new("s")],
        agents: vec![
            Agent::new("a", AgentState::Online, Capacity::Limited(1))
                .with_active_chats(1)
                .with_skills(["s".into()]),
        ],
        queue: (0..2).map(|i| QueuedVisitor::new(VisitorId(i), "s", T0)).collect(),
    })
    .unwrap();
    h.publish(0, busy, h.clock.now());
    let v = h.json("/v1/offer?skill=s&max_wait_s=3600&max_queue=2").await;
    assert_eq!(v["decision"], "decline");
    assert_eq!(v["reason"], "2 visitors queued, at the limit of 2");
    let v = h.json("/v1/offer?skill=s&max_wait_s=3600").await;
    assert_eq!(v["decision"], "offer");
    assert_eq!(v["estimate"]["ahead"], 2);
    assert_eq!(v["estimate"]["wait_s"], 900.0); // (2 + 1) * 300 s / 1 slot
    h.error("/v1/offer?skill=1&max_queue=-2", 400, "max_queue").await;
}

#[tokio::test]
async fn fail_open_offers_on_stale_data() {
    let h = Harness::start(
        r#"
[server]
listen = "127.0.0.1:0"
stance = "fail_open"
[[source]]
kind = "liveperson"
account_id = "1"
stale_after_s = 5
poll_interval_s = 1
auth = { bearer = "x" }
"#,
    )
    .await;
    h.publish(0, quirks_floor(), T0);
    h.clock.advance(Duration::from_secs(6));
    // skill 2 has no free slot for a newcomer and no handle time: the floor would decline.
    let v = h.json("/v1/offer?skill=nope").await;
    assert_eq!(v["decision"], "offer");
    assert_eq!(v["stance_applied"], "fail_open");
    assert!(v["reason"].as_str().unwrap().ends_with(": fail open"), "{v}");
    assert_eq!(v["floor_decision"], "skill nope is not defined on the floor");
}

#[tokio::test]
async fn transfers_equal_the_command_line() {
    let h = Harness::one_source().await;
    h.publish(0, quirks_floor(), T0);
    let floor = quirks_floor();
    for (query, to_skill, to_agent, strategy, limit, explain) in [
        (
            "from=10&to_skill=1&strategy=least-loaded&explain=true",
            Some("1"),
            None,
            "least-loaded",
            None,
            true,
        ),
        ("from=10&to_skill=2&strategy=most-free", Some("2"), None, "most-free", None, false),
        ("from=11&to_skill=1&limit=1", Some("1"), None, "least-loaded", Some(1.0), false),
        ("from=10&to_agent=13&explain", None, Some("13"), "least-loaded", None, true),
    ] {
        let args = TransferArgs {
            from: if query.starts_with("from=11") { "11" } else { "10" },
            to_skill,
            to_agent,
            strategy,
            limit,
            explain,
            allow_over_capacity: false,
            weight: "1",
        };
        let expected = serde_json::to_value(transfer(&floor, &args, Naming::Flags).unwrap()).unwrap();
        let v = h.json(&format!("/v1/transfer?{query}")).await;
        assert_eq!(v["candidates"], expected["candidates"], "{query}");
        assert_eq!(v["excluded"], expected["excluded"], "{query}");
        assert!(v["as_of"].is_string());
    }
    h.error("/v1/transfer?from=10&to_skill=1&strategy=fastest", 400, "unknown ranking").await;
    h.error("/v1/transfer?from=10&to_skill=1&limit=0", 400, "limit").await;
    h.error("/v1/transfer?from=10", 400, "to_skill or to_agent").await;
    h.error("/v1/transfer?to_skill=1", 400, "missing parameter from").await;
    h.error("/v1/transfer?from=10&to_skill=1&explain=maybe", 400, "explain \"maybe\"").await;
    h.error("/v1/transfer?from=10&to_skill=1&weight=x", 400, "weight").await;
}

#[tokio::test]
async fn estimates_and_the_floor_in_brief() {
    let h = Harness::one_source().await;
    h.publish(0, quirks_floor(), T0);
    let floor = quirks_floor();
    let idx = floor.skill_index("2").unwrap();
    let summary = floor.summary(chatcap_core::Scope::Skill(idx)).unwrap();
    let v = h.json("/v1/estimate?skill=2").await;
    assert_eq!(v["queued"], summary.queued);
    assert_eq!(v["busy"], summary.busy);
    assert_eq!(v["eligible_agents"], summary.eligible_agents);
    let expected = chatcap_core::WaitEstimate::by_queue_position(&summary, Some(Duration::from_secs(300)));
    assert_eq!(v["estimate"]["text"], expected.to_string());
    h.error("/v1/estimate?skill=nope", 404, "not on the floor").await;
    let v = h.json("/v1/floor").await;
    assert_eq!(v["agents"], floor.agent_count());
    assert_eq!(v["kind"], "liveperson");
    let skills: Vec<&str> =
        v["skills"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap()).collect();
    let expected: Vec<&str> = floor.skills().map(|s| s.id.as_str()).collect();
    assert_eq!(skills, expected);
    assert_eq!(v["skills"][0]["free_slots"], 6);
}

#[tokio::test]
async fn tokens_are_required_except_for_health_and_readiness() {
    let h = Harness::one_source().await;
    h.publish(0, quirks_floor(), T0);
    let routes = [
        "/api/account/1/chat/availableSlots",
        "/operations/api/account/1/queuestate?v=2",
        "/v1/slots",
        "/v1/offer?skill=1",
        "/v1/transfer?from=10&to_skill=1",
        "/v1/estimate?skill=1",
        "/v1/floor",
        "/metrics",
        "/openapi.json",
    ];
    for route in routes {
        for auth in [
            None,
            Some("Bearer wrong-token-0123456789"),
            Some("Bearer "),
            Some(TOKEN),
            Some("Basic dGVzdA=="),
        ] {
            let (s, body) = h.get_with(route, auth, None).await;
            assert_eq!(s, 401, "{route} with {auth:?}: {body}");
            assert!(body.contains("missing or unknown token"), "{body}");
        }
        let (s, _) = h.get_with(route, Some("Bearer another-token-abcdefghijkl"), None).await;
        assert_eq!(s, 200, "{route}");
        let (s, _) = h.get_with(route, Some(&format!("LivePerson appKey={TOKEN}")), None).await;
        assert_eq!(s, 200, "{route}");
    }
    assert_eq!(h.get_with("/healthz", None, None).await.0, 200);
    assert_eq!(h.get_with("/readyz", None, None).await.0, 200);
    // The metrics counted the refusals by route.
    let (_, text) = h.get("/metrics").await;
    assert!(text.contains("chatcap_http_requests_total{route=\"/v1/floor\",status=\"401\"} 5"), "{text}");
    assert!(text.contains("chatcap_http_requests_total{route=\"/v1/floor\",status=\"200\"} 2"), "{text}");
}

#[tokio::test]
async fn readiness_names_the_sources_without_fresh_data() {
    let h = Harness::start(&format!(
        r#"
[server]
listen = "127.0.0.1:0"
tokens = ["{TOKEN}"]
[[source]]
kind = "liveperson"
account_id = "1"
auth = {{ bearer = "x" }}
[[source]]
kind = "comm100"
site_id = "2"
stale_after_s = 30
auth = {{ email = "a@b.c", api_key = "k" }}
"#
    ))
    .await;
    let (s, body) = h.get_with("/readyz", None, None).await;
    assert_eq!(s, 503);
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["sources"][0]["reason"], "no data yet");
    h.publish(0, quirks_floor(), T0);
    let (s, body) = h.get_with("/readyz", None, None).await;
    assert_eq!(s, 503, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (v["sources"][0]["ready"].clone(), v["sources"][1]["ready"].clone()),
        (Value::Bool(true), Value::Bool(false))
    );
    h.publish(1, quirks_floor(), T0);
    assert_eq!(h.get_with("/readyz", None, None).await.0, 200);
    h.clock.advance(Duration::from_secs(15));
    let (s, body) = h.get_with("/readyz", None, None).await;
    assert_eq!(s, 503);
    assert!(body.contains("stale: 15.0 s old, stale after 10 s"), "{body}");
    // Several sources: account is required on /v1.
    h.error("/v1/slots", 400, "missing parameter account").await;
    assert_eq!(h.json("/v1/slots?account=2").await["source"], "comm100:2");
}

#[tokio::test]
async fn no_request_makes_the_server_fail() {
    let h = Harness::one_source().await;
    h.publish(0, quirks_floor(), T0);
    let long = "9".repeat(5000);
    let weird = [
        "/v1/slots?skill=%00%ff".to_owned(),
        "/v1/slots?max_wait_s=1e999".to_owned(),
        "/v1/slots?max_wait_s=NaN".to_owned(),
        "/v1/offer?skill=1&max_wait_s=-0".to_owned(),
        format!("/v1/offer?skill={long}"),
        format!("/v1/transfer?from=10&to_skill=1&limit={long}"),
        "/v1/transfer?from=10&to_skill=1&weight=0.0001".to_owned(),
        "/v1/transfer?from=10&to_skill=1&weight=-1".to_owned(),
        "/v1/transfer?from=nobody&to_skill=1".to_owned(),
        "/api/account/1/chat/availableSlots?maxWaitTime=99999999999999999999".to_owned(),
        "/api/account/%2e%2e/chat/availableSlots".to_owned(),
        "/operations/api/account/1/queuestate?v=2&skillIds=%20,%20".to_owned(),
        "/v1/floor?account=&account=".to_owned(),
        "/v1/nothing".to_owned(),
    ];
    for path in &weird {
        let (s, body) = h.get(path).await;
        assert!((200..500).contains(&s), "{path}: {s} {body}");
        assert!(serde_json::from_str::<Value>(&body).is_ok(), "{path}: {body}");
    }
    let resp = h.client.post(format!("{}/v1/slots", h.base)).bearer_auth(TOKEN).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 405);
    let body: Value = serde_json::from_str(&resp.text().await.unwrap()).unwrap();
    assert_eq!(body["error"], "every route takes GET only");
    assert_eq!(h.get("/healthz").await.0, 200);
}

#[tokio::test]
async fn openapi_lists_every_route_served() {
    let h = Harness::one_source().await;
    h.publish(0, quirks_floor(), T0);
    let doc = h.json("/openapi.json").await;
    let paths = doc["paths"].as_object().unwrap();
    assert_eq!(paths.len(), chatcap_live::server::ROUTES.len());
    for (path, item) in paths {
        let concrete = path.replace("{accountId}", "1");
        let (s, body) = h.get(&concrete).await;
        assert_ne!(s, 404, "{path} is documented but not served: {body}");
        assert!(item["get"]["summary"].is_string());
        let documented: Vec<&str> = item["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        if path.starts_with("/v1/") {
            // A /v1 route refuses the parameters it does not document, and takes those it does.
            h.error(&format!("{concrete}?undocumented=1"), 400, "unknown parameter").await;
            for name in documented {
                let (s, body) = h.get(&format!("{concrete}?{name}=x")).await;
                assert!(!body.contains("unknown parameter"), "{path} {name}: {s} {body}");
            }
        }
    }
}

#[tokio::test]
async fn without_a_token_the_server_stays_on_loopback() {
    let config = Config::from_toml(
        "[server]\nlisten = \"0.0.0.0:0\"\n[[source]]\nkind = \"demo\"\naccount_id = \"d\"\n",
        &|_| None,
    )
    .unwrap();
    let err = start(config, Options { poll: false, ..Options::default() }).await.unwrap_err();
    assert!(matches!(err, LiveError::Insecure { .. }), "{err}");
    assert!(err.to_string().contains("loopback"), "{err}");
}

#[test]
fn the_readmes_configuration_reads() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap();
    let section = readme.split("### Configuration").nth(1).expect("the README's configuration section");
    let toml = section.split("```toml\n").nth(1).and_then(|s| s.split("```").next()).expect("its TOML block");
    let env = |name: &str| (name != "CHATCAP_TOKENS").then(|| format!("{name}-value-long-enough"));
    let config = Config::from_toml(toml, &env).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(config.sources.len(), 1);
    assert_eq!(config.server.tokens[0].expose(), "CHATCAP_BOT_TOKEN-value-long-enough");
    assert_eq!(config.sources[0].aht, Some(Duration::from_secs(420)));
}
