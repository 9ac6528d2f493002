//! `chatcap serve`, the real binary: it follows a fake vendor on loopback and answers exactly
//! as `chatcap slots` and `chatcap queuestate` do on the same payload files, enforces its
//! tokens, logs JSON without secrets, and stops gracefully on SIGTERM and Ctrl-C (SIGINT);
//! `--check-config` checks and echoes no secret; `--demo` needs no account.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use chatcap_live::fake::{Credentials, FakeVendor, Step};
use serde_json::Value;

const TOKEN: &str = "e2e-token-0123456789abcdef";
const BEARER: &str = "vendor-bearer-not-to-be-logged";

fn testdata(name: &str) -> String {
    format!("{}/../../testdata/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn chatcap(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_chatcap")).args(args).output().expect("the binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn temp_file(name: &str, text: &str) -> String {
    let dir = std::env::temp_dir().join(format!("chatcap-serve-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// A running `chatcap serve`: its address (read from its log) and every log line so far.
struct Served {
    child: Child,
    addr: String,
    lines: mpsc::Receiver<String>,
    log: Vec<String>,
}

fn serve(args: &[&str], envs: &[(&str, &str)]) -> Served {
    let mut child = Command::new(env!("CARGO_BIN_EXE_chatcap"))
        .arg("serve")
        .args(args)
        .envs(envs.iter().copied())
        .env_remove("CHATCAP_TOKENS")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let stderr = child.stderr.take().unwrap();
    let (tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut served = Served { child, addr: String::new(), lines, log: Vec::new() };
    let deadline = Instant::now() + Duration::from_secs(60);
    while served.addr.is_empty() {
        let line = served
            .lines
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .unwrap_or_else(|_| panic!("no 'serving' line; log: {:?}", served.log));
        if line.contains("serving") {
            let at = line.find("127.0.0.1:").expect("the address in the line");
            served.addr =
                line[at..].chars().take_while(|c| c.is_ascii_digit() || *c == '.' || *c == ':').collect();
        }
        served.log.push(line);
    }
    served
}

impl Served {
    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Sends a signal and waits for the exit; the whole log.
    fn stop(mut self, signal: &str) -> (std::process::ExitStatus, Vec<String>) {
        let pid = self.child.id().to_string();
        assert!(Command::new("kill").args([&format!("-{signal}"), &pid]).status().unwrap().success());
        let deadline = Instant::now() + Duration::from_secs(30);
        let status = loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                break s;
            }
            assert!(Instant::now() < deadline, "still running 30 s after SIG{signal}");
            std::thread::sleep(Duration::from_millis(20));
        };
        self.log.extend(self.lines.try_iter());
        (status, self.log)
    }
}

async fn get(client: &reqwest::Client, url: &str, token: Option<&str>) -> (u16, String) {
    let mut req = client.get(url);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.text().await.unwrap())
}

async fn wait_until(what: &str, mut ok: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !ok().await {
        assert!(Instant::now() < deadline, "waited 60 s for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn poll_step(i: usize) -> Step {
    let read = |n: String| std::fs::read(testdata(&n)).unwrap();
    Step {
        agents: read(format!("liveperson/sync/poll_{i}_available_agents.json")),
        queue: read(format!("liveperson/sync/poll_{i}_queuestate.json")),
        ..Step::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_answers_as_the_command_line_does_and_stops_on_sigterm() {
    let fake = FakeVendor::start(
        "5555",
        vec![poll_step(1), poll_step(4)],
        Credentials { bearer: Some(BEARER.into()), ..Credentials::default() },
    )
    .await
    .unwrap();
    let config = temp_file(
        "live.toml",
        &format!(
            "[server]\nlisten = \"127.0.0.1:8080\"\ntokens = [\"${{E2E_TOKEN}}\"]\n[[source]]\nkind = \"liveperson\"\n\
             account_id = \"5555\"\nbase_url = \"{}\"\npoll_interval_s = 0.2\nstale_after_s = 5\naht_s = 300\n\
             auth = {{ bearer = \"${{LP_BEARER}}\" }}\n",
            fake.url()
        ),
    );
    let served = serve(
        &["--config", &config, "--listen", "127.0.0.1:0", "--log-format", "json"],
        &[("E2E_TOKEN", TOKEN), ("LP_BEARER", BEARER)],
    );
    let client = reqwest::Client::new();
    wait_until("readiness", async || get(&client, &served.url("/readyz"), None).await.0 == 200).await;
    for (step, poll) in [(0, 1), (1, 4)] {
        fake.set_step(step);
        if step > 0 {
            let polls = |v: &Value| v["polls"].as_u64().unwrap_or(0);
            let (_, body) = get(&client, &served.url("/v1/floor"), Some(TOKEN)).await;
            let before = polls(&serde_json::from_str(&body).unwrap());
            wait_until("two more polls", async || {
                let (_, body) = get(&client, &served.url("/v1/floor"), Some(TOKEN)).await;
                polls(&serde_json::from_str(&body).unwrap()) >= before + 2
            })
            .await;
        }
        let agents = testdata(&format!("liveperson/sync/poll_{poll}_available_agents.json"));
        let queue = testdata(&format!("liveperson/sync/poll_{poll}_queuestate.json"));
        for skill in ["25975313", "26060413", "26077713", "404"] {
            for wait in [None, Some("0"), Some("600")] {
                let mut args = vec!["slots", "--agents", &agents, "--queue", &queue, "--skill", skill];
                let mut query = format!("skill={skill}");
                if let Some(w) = wait {
                    args.extend(["--max-wait-s", w, "--aht-s", "300"]);
                    query.push_str(&format!("&maxWaitTime={w}"));
                }
                let (code, cli, err) = chatcap(&args);
                assert_eq!(code, 0, "{err}");
                let url = served.url(&format!("/api/account/5555/chat/availableSlots?{query}"));
                let (status, live) = get(&client, &url, Some(TOKEN)).await;
                assert_eq!((status, live.as_str()), (200, cli.trim_end()), "poll {poll}, {query}");
            }
        }
        let (_, cli, _) = chatcap(&["queuestate", "--agents", &agents, "--queue", &queue, "--v", "2"]);
        let url = served.url("/operations/api/account/5555/queuestate?v=2");
        let (status, live) = get(&client, &url, Some(TOKEN)).await;
        assert_eq!((status, live.as_str()), (200, cli.trim_end()), "poll {poll}");
    }
    assert_eq!(get(&client, &served.url("/v1/slots"), None).await.0, 401);
    assert_eq!(get(&client, &served.url("/v1/slots"), Some("not-the-token-at-all")).await.0, 401);
    let (_, metrics) = get(&client, &served.url("/metrics"), Some(TOKEN)).await;
    assert!(metrics.contains("chatcap_vendor_calls_total{source=\"liveperson:5555\",endpoint=\"availableAgents\",status=\"200\"}"), "{metrics}");
    let (status, log) = served.stop("TERM");
    assert!(status.success(), "{status:?}");
    for line in &log {
        let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON: {line}: {e}"));
        assert!(v["level"].is_string(), "{line}");
        assert!(!line.contains(BEARER) && !line.contains(TOKEN), "a secret in the log: {line}");
    }
    assert!(log.iter().any(|l| l.contains("SIGTERM")), "{log:?}");
    assert!(log.iter().any(|l| l.contains("server stopped")), "{log:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_serves_without_an_account_and_stops_on_ctrl_c() {
    let served = serve(&["--demo", "--listen", "127.0.0.1:0"], &[]);
    assert!(served.log.iter().any(|l| l.contains("no token configured")), "{:?}", served.log);
    let client = reqwest::Client::new();
    wait_until("readiness", async || get(&client, &served.url("/readyz"), None).await.0 == 200).await;
    let (status, body) = get(&client, &served.url("/v1/offer?skill=sales&max_wait_s=120"), None).await;
    assert_eq!(status, 200, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert!(v["decision"] == "offer" || v["decision"] == "decline", "{v}");
    let (status, body) =
        get(&client, &served.url("/api/account/demo/chat/availableSlots?skill=billing"), None).await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = served.stop("INT");
    assert!(status.success(), "{status:?}");
}

#[test]
fn check_config_checks_and_echoes_no_secret() {
    let good = temp_file(
        "good.toml",
        "[server]\ntokens = [\"${CHECK_TOKEN}\"]\n[[source]]\nkind = \"comm100\"\nsite_id = \"10000\"\n\
         auth = { email = \"ops@example.com\", api_key = \"${CHECK_KEY}\" }\n",
    );
    let out = Command::new(env!("CARGO_BIN_EXE_chatcap"))
        .args(["serve", "--check-config", &good])
        .env("CHECK_TOKEN", "secret-token-abcdefghijkl")
        .env("CHECK_KEY", "secret-api-key")
        .env_remove("CHATCAP_TOKENS")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        stdout.starts_with("configuration is valid: listen 127.0.0.1:8080, 1 token, stance fail_closed"),
        "{stdout}"
    );
    assert!(stdout.contains("source comm100:10000"), "{stdout}");
    assert!(!stdout.contains("secret"), "{stdout}");
    // The variable missing: exit 1, naming the key and the variable.
    let (code, stdout, stderr) = chatcap(&["serve", "--check-config", &good]);
    assert_eq!((code, stdout.as_str()), (1, ""));
    assert!(stderr.contains("server.tokens[0]: environment variable CHECK_TOKEN is not set"), "{stderr}");
    let bad = temp_file(
        "bad.toml",
        "[[source]]\nkind = \"liveperson\"\naccount_id = \"1\"\nauth = { bearer = \"abc\", extra = \"secret-x\" }\n",
    );
    let (code, _, stderr) = chatcap(&["serve", "--check-config", &bad]);
    assert_eq!(code, 1);
    assert!(stderr.contains("source[0].auth: keys { bearer, extra }: expected"), "{stderr}");
    assert!(!stderr.contains("secret-x"), "{stderr}");
    let (code, _, stderr) = chatcap(&["serve"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("--config"), "{stderr}");
}

#[test]
fn the_command_line_reads_livepersons_messaging_payloads_too() {
    let agents = testdata("liveperson/messaging/agent_view_quirks.json");
    let queue = testdata("liveperson/messaging/queue_health_quirks.json");
    // Sales: ann's one free slot (4 less 2 busy and 1 ringing); billing: dee is unlimited.
    for (skill, expected) in [("12", r#"{"availableSlots":1}"#), ("13", r#"{"availableSlots":-1}"#)] {
        let (code, stdout, stderr) =
            chatcap(&["slots", "--agents", &agents, "--queue", &queue, "--skill", skill]);
        assert_eq!((code, stdout.trim_end()), (0, expected), "{stderr}");
        assert!(stderr.contains("ON_BREAK"), "the unknown status is reported: {stderr}");
    }
}
