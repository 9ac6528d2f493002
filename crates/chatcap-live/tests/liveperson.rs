//! The LivePerson legacy source against the fake vendor on loopback, under tokio's paused
//! clock: the recorded polls are followed (the service answers as a floor built by the command
//! line's code from each poll's payloads), and every fault gets the policy's answer, with the
//! waits measured on the fake's own record of its calls.

use std::sync::Arc;
use std::time::Duration;

use chatcap_adapter::liveperson::{QueueStateVersion, render_available_slots, render_queue_state};
use chatcap_answers::{Payload, load_floor};
use chatcap_core::{Capacity, SkillSelection, Timestamp};
use chatcap_live::fake::{Credentials, Endpoint, FakeVendor, Fault, Step};
use chatcap_live::{Clock, Config, Options, Server, TokioClock, start};
use serde_json::Value;
use tokio::time::{Instant, sleep};

const TOKEN: &str = "test-token-0123456789abcdef";
const T0: Timestamp = Timestamp::from_millis(1_717_236_000_000);
const ACCOUNT: &str = "1234";

fn testdata(path: &str) -> Vec<u8> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata").join(path);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The four recorded polls of `testdata/liveperson/sync/`.
fn recorded() -> Vec<Step> {
    (1..=4)
        .map(|i| Step {
            agents: testdata(&format!("liveperson/sync/poll_{i}_available_agents.json")),
            queue: testdata(&format!("liveperson/sync/poll_{i}_queuestate.json")),
            ..Step::default()
        })
        .collect()
}

fn oauth2() -> Credentials {
    Credentials { login: Some(("client-id".into(), "client-secret".into())), ..Credentials::default() }
}

struct Setup {
    fake: FakeVendor,
    server: Server,
    client: reqwest::Client,
    base: String,
    start: Instant,
}

async fn setup(auth: &str, credentials: Credentials, extra: &str) -> Setup {
    let fake = FakeVendor::start(ACCOUNT, recorded(), credentials).await.unwrap();
    let hosts =
        if extra.contains("domain_api") { String::new() } else { format!("base_url = \"{}\"\n", fake.url()) };
    let text = format!(
        r#"
[server]
listen = "127.0.0.1:0"
tokens = ["{TOKEN}"]
[[source]]
kind = "liveperson"
account_id = "{ACCOUNT}"
{hosts}poll_interval_s = 2
stale_after_s = 10
aht_s = 420
timeout_s = 3
auth = {auth}
{extra}
"#
    );
    let config = Config::from_toml(&text, &|_| None).unwrap();
    let clock: Arc<dyn Clock> = Arc::new(TokioClock::starting_at(T0));
    let start = Instant::now();
    let server = chatcap_live::start(config, Options { clock, poll: true }).await.unwrap();
    let base = format!("http://{}", server.addr());
    Setup { fake, server, client: reqwest::Client::new(), base, start }
}

impl Setup {
    async fn get(&self, path: &str) -> (u16, String) {
        let r = self.client.get(format!("{}{path}", self.base)).bearer_auth(TOKEN).send().await.unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    async fn json(&self, path: &str) -> Value {
        let (s, body) = self.get(path).await;
        assert_eq!(s, 200, "{path}: {body}");
        serde_json::from_str(&body).unwrap()
    }

    /// Seconds since the start, of each call to an endpoint, with its status.
    fn times(&self, endpoint: Endpoint) -> Vec<(f64, u16)> {
        self.fake.calls_to(endpoint).iter().map(|c| ((c.at - self.start).as_secs_f64(), c.status)).collect()
    }

    async fn ready(&self) -> (u16, Value) {
        let r = self.client.get(format!("{}/readyz", self.base)).send().await.unwrap();
        let s = r.status().as_u16();
        (s, serde_json::from_str(&r.text().await.unwrap()).unwrap())
    }
}

/// What the command line answers on one recorded poll: slots per skill and the queue state.
fn expected(step: &Step) -> (Vec<(String, String)>, String) {
    let (floor, _) = load_floor(
        &[Payload { name: "agents", bytes: &step.agents }],
        Some(Payload { name: "queue", bytes: &step.queue }),
        T0,
        Capacity::Limited(3),
    )
    .unwrap();
    let slots = floor
        .skills()
        .map(|s| (s.id.to_string(), render_available_slots(floor.slots(&s.id).unwrap())))
        .collect();
    let qs =
        render_queue_state(&floor.queue_state_view(SkillSelection::All, floor.now()), QueueStateVersion::V2);
    (slots, qs)
}

#[tokio::test(start_paused = true)]
async fn the_recorded_polls_are_followed_and_answered_as_the_command_line_does() {
    let s = setup(r#"{ client_id = "client-id", client_secret = "client-secret" }"#, oauth2(), "").await;
    sleep(Duration::from_secs(1)).await;
    let steps = recorded();
    for (i, step) in steps.iter().enumerate() {
        if i > 0 {
            s.fake.set_step(i);
            sleep(Duration::from_secs(2)).await;
        }
        let (slots, qs) = expected(step);
        for (skill, answer) in &slots {
            let (status, body) =
                s.get(&format!("/api/account/{ACCOUNT}/chat/availableSlots?skill={skill}")).await;
            assert_eq!((status, &body), (200, answer), "poll {} skill {skill}", i + 1);
        }
        let (status, body) = s.get(&format!("/operations/api/account/{ACCOUNT}/queuestate?v=2")).await;
        assert_eq!((status, body), (200, qs), "poll {}", i + 1);
        let floor = s.json("/v1/floor").await;
        assert_eq!(floor["stale"], false);
        assert!(floor["age_ms"].as_u64().unwrap() <= 1_000, "{floor}");
    }
    // One login and one session for all the polls; rel=next followed after the first.
    assert_eq!(s.fake.logins(), 1);
    assert_eq!(s.fake.calls_to(Endpoint::Session).len(), 1);
    let agents = s.fake.calls_to(Endpoint::Agents);
    assert!(agents.len() >= 4, "{agents:?}");
    assert!(!agents[0].target.contains("timeStamp="), "{}", agents[0].target);
    assert!(agents[1..].iter().all(|c| c.target.contains("timeStamp=")), "{agents:?}");
    assert!(agents.iter().all(|c| c.authorization.as_deref() == Some("Bearer fake-bearer-1")));
    let queue = s.fake.calls_to(Endpoint::Queue);
    assert!(queue.iter().all(|c| c.target.contains("v=2") && c.target.contains("skillIds=all")));
    // Polls every 2 s, measured on the fake.
    let t = s.times(Endpoint::Agents);
    for w in t.windows(2) {
        assert!((w[1].0 - w[0].0 - 2.0).abs() < 0.05, "{t:?}");
    }
    let (status, _) = s.ready().await;
    assert_eq!(status, 200);
    s.server.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn throttling_waits_at_least_a_second_or_what_retry_after_says() {
    let s = setup(
        r#"{ bearer = "static-bearer" }"#,
        Credentials { bearer: Some("static-bearer".into()), ..Credentials::default() },
        "",
    )
    .await;
    sleep(Duration::from_secs(1)).await;
    s.fake.fault(Endpoint::Agents, Fault::Status(429));
    sleep(Duration::from_secs(4)).await; // the poll at 2 s is throttled
    s.fake.fault(Endpoint::Queue, Fault::StatusRetryAfter(429, "7".into()));
    sleep(Duration::from_secs(20)).await;
    let t = s.times(Endpoint::Agents);
    let i = t.iter().position(|c| c.1 == 429).unwrap();
    let gap = t[i + 1].0 - t[i].0;
    assert!((1.0..2.0).contains(&gap), "429 without Retry-After: waited {gap} s; {t:?}");
    let q = s.times(Endpoint::Queue);
    let j = q.iter().position(|c| c.1 == 429).unwrap();
    let gap = q[j + 1].0 - q[j].0;
    assert!((6.95..7.1).contains(&gap), "Retry-After 7: waited {gap} s; {q:?}");
    assert!(s.server.metrics().vendor_calls(&format!("liveperson:{ACCOUNT}"), "queuestate", "429") == 1);
    let (_, metrics) = s.get("/metrics").await;
    assert!(
        metrics.contains(&format!(
            "chatcap_vendor_retries_total{{source=\"liveperson:{ACCOUNT}\",reason=\"throttled\"}} 2"
        )),
        "{metrics}"
    );
}

#[tokio::test(start_paused = true)]
async fn server_errors_back_off_five_ten_fifteen_then_double_and_recover() {
    let s = setup(
        r#"{ bearer = "static-bearer" }"#,
        Credentials { bearer: Some("static-bearer".into()), ..Credentials::default() },
        "",
    )
    .await;
    sleep(Duration::from_secs(1)).await;
    for status in [500, 502, 503, 504, 503] {
        s.fake.fault(Endpoint::Agents, Fault::Status(status));
    }
    // Polls: 2 (500), 7 (502), 17 (503), 32 (504), 62 (503), 122 ok.
    sleep(Duration::from_secs(40)).await;
    // Meanwhile the last good floor still answers, marked stale past 10 s.
    let v = s.json("/v1/slots").await;
    assert_eq!(v["stale"], true);
    assert!(v["age_ms"].as_u64().unwrap() >= 40_000, "{v}");
    let (status, ready) = s.ready().await;
    assert_eq!(status, 503);
    assert!(ready["sources"][0]["reason"].as_str().unwrap().contains("availableAgents: 504"), "{ready}");
    let v = s.json("/v1/offer?skill=1").await;
    assert_eq!(v["decision"], "decline");
    assert!(v["reason"].as_str().unwrap().contains("stale"), "{v}");
    sleep(Duration::from_secs(90)).await;
    let t = s.times(Endpoint::Agents);
    let failed: Vec<f64> = t.iter().filter(|c| c.1 >= 500).map(|c| c.0).collect();
    let recovered = t.iter().find(|c| c.1 == 200 && c.0 > failed[4]).unwrap().0;
    let gaps: Vec<f64> = failed.windows(2).map(|w| w[1] - w[0]).chain([recovered - failed[4]]).collect();
    for (gap, expected) in gaps.iter().zip([5.0, 10.0, 15.0, 30.0, 60.0]) {
        assert!((gap - expected).abs() < 0.05, "gaps {gaps:?}");
    }
    let v = s.json("/v1/slots").await;
    assert_eq!(v["stale"], false, "{v}");
    assert_eq!(s.ready().await.0, 200);
}

#[tokio::test(start_paused = true)]
async fn timeouts_and_truncated_payloads_keep_the_last_good_floor() {
    let s = setup(
        r#"{ bearer = "static-bearer" }"#,
        Credentials { bearer: Some("static-bearer".into()), ..Credentials::default() },
        "",
    )
    .await;
    sleep(Duration::from_secs(1)).await;
    let before = s.json("/v1/floor").await;
    s.fake.set_step(2);
    s.fake.fault(Endpoint::Agents, Fault::Hang(Duration::from_secs(60)));
    s.fake.fault(Endpoint::Queue, Fault::Truncated);
    // 2 s: hangs, given up at 5 s; 10 s (5 s later): agents fine, queuestate truncated; 20 s
    // (10 s later, the second failure in a row): fine.
    sleep(Duration::from_secs(8)).await;
    let during = s.json("/v1/floor").await;
    assert_eq!(during["polls"], 1, "{during}");
    assert_eq!(during["skills"], before["skills"]);
    assert!(during["last_error"].as_str().unwrap().contains("no answer within 3 s"), "{during}");
    sleep(Duration::from_secs(5)).await;
    let during = s.json("/v1/floor").await;
    assert!(during["last_error"].as_str().unwrap().starts_with("queuestate: "), "{during}");
    sleep(Duration::from_secs(7)).await;
    let after = s.json("/v1/floor").await;
    assert_eq!(after["polls"], 2, "{after}");
    assert_eq!(after["last_error"], Value::Null);
    let (slots, _) = expected(&recorded()[2]);
    for (skill, answer) in slots {
        assert_eq!(
            s.get(&format!("/api/account/{ACCOUNT}/chat/availableSlots?skill={skill}")).await.1,
            answer
        );
    }
    let t = s.times(Endpoint::Agents);
    assert!((t[1].0 - 2.0).abs() < 0.05 && (t[2].0 - 10.0).abs() < 0.05, "{t:?}");
}

#[tokio::test(start_paused = true)]
async fn an_expired_token_logs_in_again_once() {
    let s = setup(r#"{ client_id = "client-id", client_secret = "client-secret" }"#, oauth2(), "").await;
    sleep(Duration::from_secs(1)).await;
    s.fake.fault(Endpoint::Agents, Fault::ExpireToken);
    sleep(Duration::from_secs(2)).await;
    assert_eq!(s.fake.logins(), 2);
    assert_eq!(s.fake.calls_to(Endpoint::Session).len(), 2);
    let agents = s.fake.calls_to(Endpoint::Agents);
    assert_eq!(agents.last().unwrap().authorization.as_deref(), Some("Bearer fake-bearer-2"));
    assert_eq!(agents.last().unwrap().status, 200);
    // A throttled login waits 5 s at least.
    s.fake.fault(Endpoint::Agents, Fault::ExpireToken);
    s.fake.fault(Endpoint::Login, Fault::Status(429));
    sleep(Duration::from_secs(10)).await;
    let logins = s.times(Endpoint::Login);
    let i = logins.iter().position(|c| c.1 == 429).unwrap();
    let gap = logins[i + 1].0 - logins[i].0;
    assert!((5.0..6.0).contains(&gap), "{logins:?}");
    assert_eq!(s.ready().await.0, 200);
}

#[tokio::test(start_paused = true)]
async fn a_refused_static_bearer_stops_the_source_and_says_why() {
    let s = setup(
        r#"{ bearer = "static-bearer" }"#,
        Credentials { bearer: Some("static-bearer".into()), ..Credentials::default() },
        "",
    )
    .await;
    sleep(Duration::from_secs(1)).await;
    s.fake.fault(Endpoint::Agents, Fault::ExpireToken);
    sleep(Duration::from_secs(30)).await;
    // 401, a new session tried once (refused: the bearer is gone), then stopped.
    assert_eq!(s.fake.calls_to(Endpoint::Session).len(), 2);
    let calls_then = s.fake.calls().len();
    sleep(Duration::from_secs(60)).await;
    assert_eq!(s.fake.calls().len(), calls_then, "a stopped source makes no call");
    let (status, ready) = s.ready().await;
    assert_eq!(status, 503);
    let reason = ready["sources"][0]["reason"].as_str().unwrap();
    assert!(reason.starts_with("stopped: agentSession: 401 Unauthorized; not retried"), "{reason}");
    assert!(!reason.contains("static-bearer"));
    // The server still answers from the last floor, stale.
    let v = s.json("/v1/slots").await;
    assert_eq!(v["stale"], true);
}

#[tokio::test(start_paused = true)]
async fn other_refusals_stop_the_source() {
    let s = setup(
        r#"{ bearer = "static-bearer" }"#,
        Credentials { bearer: Some("static-bearer".into()), ..Credentials::default() },
        "",
    )
    .await;
    sleep(Duration::from_secs(1)).await;
    s.fake.fault(Endpoint::Queue, Fault::Status(404));
    sleep(Duration::from_secs(20)).await;
    assert_eq!(s.fake.calls_to(Endpoint::Queue).len(), 2);
    let (_, ready) = s.ready().await;
    assert!(ready["sources"][0]["reason"].as_str().unwrap().contains("queuestate: 404 Not Found"), "{ready}");
    let (_, metrics) = s.get("/metrics").await;
    assert!(
        metrics.contains(&format!("chatcap_source_stopped{{source=\"liveperson:{ACCOUNT}\"}} 1")),
        "{metrics}"
    );
}

#[tokio::test(start_paused = true)]
async fn hosts_come_from_the_domain_api_and_oauth1_signs_queuestate() {
    let fake_creds =
        Credentials { login: Some(("app-key".into(), "app-secret".into())), ..Credentials::default() };
    // The domain API's address is only known once the fake runs: start it, then the service.
    let fake = FakeVendor::start(ACCOUNT, recorded(), fake_creds).await.unwrap();
    let text = format!(
        r#"
[server]
listen = "127.0.0.1:0"
[[source]]
kind = "liveperson"
account_id = "{ACCOUNT}"
domain_api = "{}"
poll_interval_s = 2
auth = {{ app_key = "app-key", app_secret = "app-secret", access_token = "tok", access_token_secret = "tok-secret" }}
"#,
        fake.url()
    );
    let config = Config::from_toml(&text, &|_| None).unwrap();
    let server =
        start(config, Options { clock: Arc::new(TokioClock::starting_at(T0)), poll: true }).await.unwrap();
    fake.session_in_header(false);
    sleep(Duration::from_secs(5)).await;
    let domain = fake.calls_to(Endpoint::Domain);
    let services: Vec<&str> = domain.iter().map(|c| c.target.as_str()).collect();
    assert_eq!(services.len(), 2, "{services:?}");
    assert!(services[0].contains("/service/agentVep/baseURI.json?version=1.0"), "{services:?}");
    assert!(services[1].contains("/service/leDataReporting/baseURI.json"), "{services:?}");
    let queue = fake.calls_to(Endpoint::Queue);
    assert!(queue.len() >= 3);
    for c in &queue {
        let auth = c.authorization.as_deref().unwrap();
        assert!(auth.starts_with("OAuth ") && auth.contains("oauth_token=\"tok\""), "{auth}");
        assert!(!auth.contains("tok-secret") && !auth.contains("app-secret"), "{auth}");
        assert_eq!(c.status, 200);
    }
    assert!(server.sources()[0].published().is_some());
    server.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_next_link_to_another_host_is_not_followed() {
    let s = setup(
        r#"{ bearer = "static-bearer" }"#,
        Credentials { bearer: Some("static-bearer".into()), ..Credentials::default() },
        "",
    )
    .await;
    // The payload as recorded, whose link points at https://webserver/...
    let raw = testdata("liveperson/quirks/agents.json");
    s.fake.generate_agents(move |_| raw.clone());
    sleep(Duration::from_secs(5)).await;
    let agents = s.fake.calls_to(Endpoint::Agents);
    assert!(agents.len() >= 3);
    assert!(agents.iter().all(|c| !c.target.contains("timeStamp=")), "{agents:?}");
}
