//! The LivePerson messaging source against the fake vendor: agent view status and current
//! queue health, polled and answered as the command line's code answers on the same files.

use std::sync::Arc;
use std::time::Duration;

use chatcap_adapter::liveperson::render_available_slots;
use chatcap_answers::{Payload, load_floor};
use chatcap_core::{Capacity, Timestamp};
use chatcap_live::fake::{Credentials, Endpoint, FakeVendor, Step};
use chatcap_live::{Config, Options, TokioClock, start};
use tokio::time::sleep;

const T0: Timestamp = Timestamp::from_millis(1_717_236_000_000);

fn testdata(name: &str) -> Vec<u8> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/liveperson/messaging")
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn step(agents: &str, queue: &str) -> Step {
    Step { messaging_agents: testdata(agents), messaging_queue: testdata(queue), ..Step::default() }
}

#[tokio::test(start_paused = true)]
async fn messaging_accounts_get_slots_too() {
    let steps = vec![
        step("agent_view_quirks.json", "queue_health_quirks.json"),
        step("agent_view_status.json", "current_queue_health.json"),
    ];
    let creds =
        Credentials { login: Some(("app-key".into(), "app-secret".into())), ..Credentials::default() };
    let fake = FakeVendor::start("4321", steps.clone(), creds).await.unwrap();
    let text = format!(
        r#"
[server]
listen = "127.0.0.1:0"
[[source]]
kind = "liveperson"
api = "messaging"
account_id = "4321"
base_url = "{}"
poll_interval_s = 2
aht_s = 300
auth = {{ app_key = "app-key", app_secret = "app-secret", access_token = "t", access_token_secret = "ts" }}
"#,
        fake.url()
    );
    let config = Config::from_toml(&text, &|_| None).unwrap();
    let server =
        start(config, Options { clock: Arc::new(TokioClock::starting_at(T0)), poll: true }).await.unwrap();
    let base = format!("http://{}", server.addr());
    let client = reqwest::Client::new();
    sleep(Duration::from_secs(1)).await;
    for (i, s) in steps.iter().enumerate() {
        if i > 0 {
            fake.set_step(i);
            sleep(Duration::from_secs(2)).await;
        }
        let (cli, _) = load_floor(
            &[Payload { name: "agents", bytes: &s.messaging_agents }],
            Some(Payload { name: "queue", bytes: &s.messaging_queue }),
            T0,
            Capacity::Limited(3),
        )
        .unwrap();
        for skill in cli.skills() {
            let url = format!("{base}/api/account/4321/chat/availableSlots?skill={}", skill.id);
            let live = client.get(url).send().await.unwrap().text().await.unwrap();
            assert_eq!(
                live,
                render_available_slots(cli.slots(&skill.id).unwrap()),
                "step {i} skill {}",
                skill.id
            );
            let url =
                format!("{base}/api/account/4321/chat/availableSlots?skill={}&maxWaitTime=600", skill.id);
            let live = client.get(url).send().await.unwrap().text().await.unwrap();
            let idx = cli.skill_index(skill.id.as_str()).unwrap();
            let within = cli
                .slots_within(
                    chatcap_core::Scope::Skill(idx),
                    chatcap_core::MaxWait::from_secs(600).unwrap(),
                    Some(Duration::from_secs(300)),
                )
                .unwrap();
            assert_eq!(
                live,
                render_available_slots(within.slots),
                "step {i} skill {} within 600 s",
                skill.id
            );
        }
    }
    // The quirks' sales skill, by the arithmetic of the adapter's test: 1 free slot.
    fake.set_step(0);
    sleep(Duration::from_secs(2)).await;
    let live = client.get(format!("{base}/v1/slots?skill=12")).send().await.unwrap().text().await.unwrap();
    assert!(live.contains("\"slots\":1,"), "{live}");
    let agents = fake.calls_to(Endpoint::MessagingAgents);
    assert!(agents.iter().all(|c| c.target.contains("agent-view/status?limit=100&offset=0")));
    assert!(agents.iter().all(|c| c.authorization.as_deref() == Some("Bearer fake-bearer-1")));
    let queue = fake.calls_to(Endpoint::MessagingQueue);
    assert!(queue.iter().all(|c| c.target.contains("msgqueuehealth/current/?v=1&skillIds=all")));
    assert!(queue.iter().all(|c| c.authorization.as_deref().is_some_and(|a| a.starts_with("OAuth "))));
    assert!(queue.iter().all(|c| c.status == 200));
    server.shutdown().await;
}
