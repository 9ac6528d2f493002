//! The demo source under tokio's paused clock: the simulator plays the afternoon and the
//! service answers from its floor, every route alike.

use std::sync::Arc;
use std::time::Duration;

use chatcap_core::Timestamp;
use chatcap_live::{Config, Options, TokioClock, start};
use serde_json::Value;
use tokio::time::sleep;

#[tokio::test(start_paused = true)]
async fn the_demo_floor_lives_and_every_route_answers() {
    let mut config = Config::demo("127.0.0.1:0".parse().unwrap());
    config.sources[0].speed = 120.0;
    let clock = Arc::new(TokioClock::starting_at(Timestamp::from_millis(1_717_236_000_000)));
    let server = start(config, Options { clock, poll: true }).await.unwrap();
    let base = format!("http://{}", server.addr());
    let client = reqwest::Client::new();
    let get = |path: &str| {
        let (client, url) = (client.clone(), format!("{base}{path}"));
        async move {
            let r = client.get(url).send().await.unwrap();
            let status = r.status().as_u16();
            (status, r.text().await.unwrap())
        }
    };
    sleep(Duration::from_millis(500)).await;
    let (s, body) = get("/v1/floor").await;
    assert_eq!(s, 200, "{body}");
    let start: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(start["total"]["busy"], 0, "{start}");
    // An hour of the afternoon, 30 s at 120 times.
    sleep(Duration::from_secs(30)).await;
    let (_, body) = get("/v1/floor").await;
    let later: Value = serde_json::from_str(&body).unwrap();
    assert!(later["total"]["busy"].as_u64().unwrap() > 0, "{later}");
    assert!(later["polls"].as_u64().unwrap() >= 30, "{later}");
    assert_eq!(later["stale"], false);
    let sim_s = later["vendor"]["simulated_s"].as_i64().unwrap();
    assert!((3_500..=3_720).contains(&sim_s), "{later}");
    for skill in later["skills"].as_array().unwrap() {
        let id = skill["id"].as_str().unwrap();
        let (s, body) = get(&format!("/api/account/demo/chat/availableSlots?skill={id}")).await;
        assert_eq!(s, 200);
        let v: Value = serde_json::from_str(&body).unwrap();
        let (_, body) = get(&format!("/v1/slots?skill={id}")).await;
        let ours: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["availableSlots"], ours["slots"], "{id}");
        let (s, body) = get(&format!("/v1/offer?skill={id}&max_wait_s=60")).await;
        assert_eq!(s, 200, "{body}");
        assert_eq!(get(&format!("/v1/estimate?skill={id}")).await.0, 200);
    }
    assert_eq!(get("/operations/api/account/demo/queuestate?v=2").await.0, 200);
    assert_eq!(get("/readyz").await.0, 200);
    server.shutdown().await;
}
