//! The Comm100 source against fake vendors on loopback, under tokio's paused clock: pages are
//! walked to `pageCount`, a torn snapshot is fetched again, the service answers as the command
//! line does on the pages the fake served, and the shared call budget holds across sources,
//! counted by the fakes themselves.

use std::sync::Arc;
use std::time::Duration;

use chatcap_answers::{Payload, load_floor};
use chatcap_core::{Capacity, Timestamp};
use chatcap_live::fake::{Credentials, Endpoint, FakeVendor, Fault, Step};
use chatcap_live::{Config, Options, Server, TokioClock, start};
use serde_json::{Value, json};
use tokio::time::{Instant, sleep};

const T0: Timestamp = Timestamp::from_millis(1_717_236_000_000);

fn testdata(path: &str) -> Vec<u8> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata").join(path);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

const ONLINE: &str = "00000000-0000-0000-0000-000000000000";
const AWAY: &str = "00000000-0000-0000-0000-000000000002";

/// `n` agents as `realTime/Agents` lists them; `shift` changes their chats between steps.
fn agents(n: usize, shift: usize) -> Vec<u8> {
    let list: Vec<Value> = (0..n)
        .map(|i| {
            json!({
                "agentId": format!("0000000{i:x}-aaaa-bbbb-cccc-000000000000"),
                "displayName": format!("agent {i}"),
                "currentStatusId": if i % 4 == 3 { AWAY } else { ONLINE },
                "onGoingChats": (i + shift) % 4,
                "maxConcurrentChats": if i % 5 == 0 { 0 } else { 3 },
                "intradayChats": 0, "intradayLinearChatTime": "00:00:00", "statusDistribution": {}
            })
        })
        .collect();
    serde_json::to_vec(&list).unwrap()
}

fn step(n: usize, shift: usize) -> Step {
    Step {
        comm100_agents: agents(n, shift),
        comm100_queue: testdata("comm100/quirks/queue.json"),
        comm100_right_now: testdata("comm100/quirks/right_now.json"),
        ..Step::default()
    }
}

fn basic() -> Credentials {
    Credentials { basic: Some(("ops@example.com".into(), "api-key-1".into())), ..Credentials::default() }
}

async fn service(fakes: &[(&str, &FakeVendor)], poll_s: f64) -> Server {
    let mut text = String::from("[server]\nlisten = \"127.0.0.1:0\"\n");
    for (site, fake) in fakes {
        text.push_str(&format!(
            "[[source]]\nkind = \"comm100\"\nsite_id = \"{site}\"\nbase_url = \"{}\"\npoll_interval_s = {poll_s}\n\
             stale_after_s = 600\ntimeout_s = 5\nauth = {{ email = \"ops@example.com\", api_key = \"api-key-1\" }}\n",
            fake.url()
        ));
    }
    let config = Config::from_toml(&text, &|_| None).unwrap();
    start(config, Options { clock: Arc::new(TokioClock::starting_at(T0)), poll: true }).await.unwrap()
}

/// The pages the fake serves now, fetched as a plain client would, and the floor the command
/// line builds from them (`chatcap slots --agents p1 --agents p2 ... --queue queue.json`).
async fn cli_floor(fake: &FakeVendor, site: &str) -> chatcap_core::Floor {
    let client = reqwest::Client::new();
    let get = |path: String| {
        let client = client.clone();
        async move {
            client
                .get(format!("{}/v4/livechat/realTime/{path}", fake.url()))
                .basic_auth("ops@example.com", Some("api-key-1"))
                .send()
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap()
                .to_vec()
        }
    };
    let first = get(format!("Agents?siteId={site}&pageIndex=1")).await;
    let count = serde_json::from_slice::<Value>(&first).unwrap()["pageCount"].as_u64().unwrap();
    let mut pages = vec![first];
    for i in 2..=count {
        pages.push(get(format!("Agents?siteId={site}&pageIndex={i}")).await);
    }
    let queue = get(format!("Queue?siteId={site}")).await;
    let names: Vec<String> = (1..=pages.len()).map(|i| format!("p{i}")).collect();
    let agents: Vec<Payload<'_>> =
        pages.iter().zip(&names).map(|(b, n)| Payload { name: n, bytes: b }).collect();
    load_floor(&agents, Some(Payload { name: "queue", bytes: &queue }), T0, Capacity::Limited(3)).unwrap().0
}

fn same_answers(live: &chatcap_core::Floor, cli: &chatcap_core::Floor) {
    assert_eq!(live.agent_count(), cli.agent_count());
    assert_eq!(live.slots_total(), cli.slots_total());
    for s in cli.skills() {
        assert_eq!(live.slots(&s.id).unwrap(), cli.slots(&s.id).unwrap(), "{}", s.id);
        assert_eq!(live.queue_len(&s.id).unwrap(), cli.queue_len(&s.id).unwrap(), "{}", s.id);
    }
    assert_eq!(
        live.summary(chatcap_core::Scope::All).unwrap(),
        cli.summary(chatcap_core::Scope::All).unwrap()
    );
}

#[tokio::test(start_paused = true)]
async fn pages_are_walked_and_answered_as_the_command_line_does() {
    let fake = FakeVendor::start("777", vec![step(12, 0), step(13, 1)], basic()).await.unwrap();
    let server = service(&[("777", &fake)], 20.0).await;
    sleep(Duration::from_secs(10)).await;
    let live = server.sources()[0].published().expect("a first poll");
    let cli = cli_floor(&fake, "777").await;
    same_answers(&live.floor, &cli);
    assert_eq!(live.floor.agent_count(), 12);
    // 3 pages of 5, the queue and RightNow: 5 calls, spaced by the budget.
    let calls = fake.calls();
    let ours: Vec<&str> = calls.iter().take(5).map(|c| c.target.as_str()).collect();
    assert!(ours[0].contains("Agents?siteId=777&pageIndex=1"), "{ours:?}");
    assert!(ours[2].contains("pageIndex=3"), "{ours:?}");
    assert!(ours[3].starts_with("/v4/livechat/realTime/Queue?siteId=777"), "{ours:?}");
    assert!(ours[4].starts_with("/v4/livechat/realTime/RightNow"), "{ours:?}");
    assert!(calls.iter().all(|c| c.authorization.as_deref().is_some_and(|a| a.starts_with("Basic "))));
    assert_eq!(live.vendor.iter().find(|(k, _)| k == "loggedInAgents").map(|(_, v)| *v), Some(4));
    // The next step changes the floor; the next poll follows it.
    fake.set_step(1);
    sleep(Duration::from_secs(20)).await;
    let live = server.sources()[0].published().unwrap();
    assert_eq!(live.polls, 2);
    same_answers(&live.floor, &cli_floor(&fake, "777").await);
    server.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_torn_snapshot_is_fetched_again() {
    let fake = FakeVendor::start("777", vec![step(12, 0)], basic()).await.unwrap();
    // The first page of the first walk counts one agent more than the next pages.
    fake.fault(Endpoint::Comm100Agents, Fault::TotalChanges);
    let server = service(&[("777", &fake)], 60.0).await;
    sleep(Duration::from_secs(30)).await;
    let pages: Vec<String> = fake
        .calls_to(Endpoint::Comm100Agents)
        .iter()
        .map(|c| c.target.split("pageIndex=").nth(1).unwrap().split('&').next().unwrap().to_owned())
        .collect();
    // Page 1 (torn), page 2 disagrees: walk again, 1, 2, 3.
    assert_eq!(pages, ["1", "2", "1", "2", "3"]);
    let live = server.sources()[0].published().expect("the second walk made a floor");
    assert_eq!(live.floor.agent_count(), 12);
    same_answers(&live.floor, &cli_floor(&fake, "777").await);
}

#[tokio::test(start_paused = true)]
async fn pages_that_keep_changing_fail_the_poll_and_are_retried() {
    let fake = FakeVendor::start("777", vec![step(12, 0)], basic()).await.unwrap();
    for _ in 0..3 {
        fake.fault(Endpoint::Comm100Agents, Fault::TotalChanges);
    }
    let server = service(&[("777", &fake)], 60.0).await;
    sleep(Duration::from_secs(8)).await;
    let status = server.sources()[0].status();
    let error = status.last_error.unwrap_or_default();
    assert!(error.contains("changed during each of 3 walks"), "{error}");
    assert!(server.sources()[0].published().is_none());
    sleep(Duration::from_secs(30)).await;
    assert!(server.sources()[0].published().is_some(), "recovered once the pages held still");
}

#[tokio::test(start_paused = true)]
async fn the_call_budget_holds_across_every_comm100_source() {
    let a = FakeVendor::start("1", vec![step(12, 0)], basic()).await.unwrap();
    let b = FakeVendor::start("2", vec![step(3, 0)], basic()).await.unwrap();
    // Both would poll every 50 ms without a budget.
    let server = service(&[("1", &a), ("2", &b)], 0.05).await;
    let start = Instant::now();
    sleep(Duration::from_secs(12 * 60)).await;
    let mut times: Vec<Duration> = a.calls().iter().chain(b.calls().iter()).map(|c| c.at - start).collect();
    times.sort();
    let window = Duration::from_secs(300);
    let most = (0..times.len())
        .map(|i| times[i..].iter().take_while(|&&t| t - times[i] < window).count())
        .max()
        .unwrap();
    assert!(most <= 300, "{most} calls within 5 minutes");
    assert!(times.len() >= 700, "the budget is used, not wasted: {} calls in 12 minutes", times.len());
    // Both sources got their share.
    assert!(a.calls().len() > 100 && b.calls().len() > 100, "{} {}", a.calls().len(), b.calls().len());
    server.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn throttling_closes_the_budget_for_every_source_until_the_next_window() {
    let a = FakeVendor::start("1", vec![step(3, 0)], basic()).await.unwrap();
    let b = FakeVendor::start("2", vec![step(3, 0)], basic()).await.unwrap();
    let server = service(&[("1", &a), ("2", &b)], 2.0).await;
    sleep(Duration::from_secs(20)).await;
    a.fault(Endpoint::Comm100Queue, Fault::Status(403));
    sleep(Duration::from_secs(400)).await;
    let refused = a.calls().into_iter().find(|c| c.status == 403).expect("the 403 was served").at;
    let after: Vec<Duration> =
        a.calls().iter().chain(b.calls().iter()).filter(|c| c.at > refused).map(|c| c.at - refused).collect();
    let first = after.iter().min().copied().unwrap();
    assert!(first >= Duration::from_secs(300), "a call {first:?} after the 403");
    // Retry-After, when given, is honoured (here longer than the window).
    b.fault(Endpoint::Comm100RightNow, Fault::StatusRetryAfter(429, "420".into()));
    sleep(Duration::from_secs(500)).await;
    let throttled = b.calls().into_iter().find(|c| c.status == 429).unwrap().at;
    let next =
        a.calls().iter().chain(b.calls().iter()).filter(|c| c.at > throttled).map(|c| c.at - throttled).min();
    assert!(next.is_some_and(|d| d >= Duration::from_secs(420)), "{next:?}");
    assert!(server.sources().iter().all(|s| s.status().stopped.is_none()));
}

#[tokio::test(start_paused = true)]
async fn a_bearer_is_sent_as_such_and_a_refused_key_stops_the_source() {
    let fake = FakeVendor::start(
        "9",
        vec![step(3, 0)],
        Credentials { bearer: Some("c100-token".into()), ..Credentials::default() },
    )
    .await
    .unwrap();
    let text = format!(
        "[server]\nlisten = \"127.0.0.1:0\"\n[[source]]\nkind = \"comm100\"\nsite_id = \"9\"\nbase_url = \"{}\"\n\
         auth = {{ bearer = \"c100-token\" }}\n[[source]]\nkind = \"comm100\"\nsite_id = \"10\"\nbase_url = \"{}\"\n\
         auth = {{ email = \"x@y.z\", api_key = \"wrong\" }}\n",
        fake.url(),
        fake.url()
    );
    let config = Config::from_toml(&text, &|_| None).unwrap();
    let server =
        start(config, Options { clock: Arc::new(TokioClock::starting_at(T0)), poll: true }).await.unwrap();
    sleep(Duration::from_secs(10)).await;
    assert!(
        fake.calls()
            .iter()
            .filter(|c| c.target.contains("siteId=9"))
            .all(|c| c.authorization.as_deref() == Some("Bearer c100-token"))
    );
    assert!(server.sources()[0].published().is_some());
    // A wrong key: 401, tried once more (a key cannot be renewed), then the source stops.
    let stopped = server.sources()[1].status().stopped.unwrap_or_default();
    assert!(stopped.starts_with("realTime/Agents: 401 Unauthorized; not retried"), "{stopped}");
    assert_eq!(fake.calls().iter().filter(|c| c.target.contains("siteId=10")).count(), 2);
    assert!(!stopped.contains("wrong"), "{stopped}");
}
