//! The server the load bench (`crates/chatcap-live/bench/bench.sh`) measures: `chatcap serve`'s
//! service with one LivePerson source following a fake vendor on loopback whose floor has
//! 10,000 agents on 20 skills and changes on every poll (about 5% of the agents take or end a
//! chat, or change state), polled every second.
//!
//! The server runs on its own runtime with `--workers` threads (default 1: one server core);
//! the fake vendor on another thread, as a vendor would be elsewhere. It prints
//! `listening http://ADDR TOKEN` once the first floor is synced, then serves until killed.
//!
//! ```sh
//! cargo run --release -p chatcap-live --example bench_server -- --agents 10000 --workers 1
//! ```
#![allow(clippy::disallowed_macros)] // the example prints its address

use std::sync::Arc;
use std::time::Duration;

use chatcap_live::fake::{Credentials, FakeVendor, Step};
use chatcap_live::{Config, Options, SystemClock};

const TOKEN: &str = "bench-token-0123456789abcdef";
const SKILLS: usize = 20;

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The `availableAgents` payload of poll `n`: agents keep their ids and skills; chats and states
/// move with the poll.
fn agents_payload(agents: usize, n: u64) -> Vec<u8> {
    let mut out = String::with_capacity(agents * 220);
    out.push_str(r#"{"availableAgents":{"agents":{"agent":["#);
    for i in 0..agents {
        // A cheap hash of (agent, poll) picks who changes: about 1 in 20 each poll.
        let h = (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ n.wrapping_mul(0xbf58_476d_1ce4_e5b9);
        let h = h ^ (h >> 31);
        let era = if h.is_multiple_of(20) { n } else { n / 20 };
        let state = match (i as u64 + era) % 10 {
            0 => 4,
            1 => 1,
            _ => 2,
        };
        let chats = (i as u64 + era * 7) % 4;
        let s1 = i % SKILLS;
        let s2 = (i * 7 + 3) % SKILLS;
        if i > 0 {
            out.push(',');
        }
        out.push_str(&format!(
            r#"{{"@id":"{}","@chatState":"{state}","@maxChats":"3","userName":"agent{i}","skills":{{"skill":["{}","{}"]}},"chats":"{chats}","elapsedTimeInState":"60000"}}"#,
            100_000 + i,
            1000 + s1,
            1000 + s2
        ));
    }
    out.push_str("]}}}");
    out.into_bytes()
}

fn queue_payload() -> Vec<u8> {
    let skills: Vec<String> = (0..SKILLS)
        .map(|s| {
            format!(r#""{}":{{"currentAvailableSlots":0,"currentQueueSize":{},"currentMaxWaitTimeInQueue":30000}}"#, 1000 + s, s % 5)
        })
        .collect();
    format!(r#"{{"skills":{{{}}}}}"#, skills.join(",")).into_bytes()
}

fn main() {
    let agents = arg("--agents", 10_000);
    let workers = arg("--workers", 1);
    // The fake vendor: its own thread and runtime.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
        rt.block_on(async move {
            let step = Step { agents: agents_payload(agents, 0), queue: queue_payload(), ..Step::default() };
            let creds = Credentials { bearer: Some("bench-vendor-bearer".into()), ..Credentials::default() };
            let fake = FakeVendor::start_with("1", vec![step], creds, false).await.expect("a port");
            fake.generate_agents(move |n| agents_payload(agents, n));
            tx.send(fake.url()).expect("the main thread waits");
            std::future::pending::<()>().await;
            drop(fake);
        });
    });
    let vendor = rx.recv().expect("the fake vendor starts");
    let text = format!(
        r#"
[server]
listen = "127.0.0.1:0"
tokens = ["{TOKEN}"]
workers = {workers}
[[source]]
kind = "liveperson"
account_id = "1"
base_url = "{vendor}"
poll_interval_s = 1
stale_after_s = 10
aht_s = 420
auth = {{ bearer = "bench-vendor-bearer" }}
"#
    );
    let config = Config::from_toml(&text, &|_| None).expect("the bench configuration");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()
        .expect("a runtime");
    rt.block_on(async move {
        let server = chatcap_live::start(config, Options { clock: Arc::new(SystemClock), poll: true })
            .await
            .expect("the server starts");
        while server.sources()[0].published().is_none() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        println!("listening http://{} {TOKEN}", server.addr());
        server.run_until_signal().await;
    });
}
