//! The estimate subcommands of the `chatcap` binary, run as a user would.

use std::process::{Command, Output};

fn chatcap(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_chatcap")).args(args).output().expect("the binary runs")
}

/// Runs a subcommand that must succeed and returns its one JSON object.
fn json(args: &[&str]) -> serde_json::Map<String, serde_json::Value> {
    let out = chatcap(args);
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), 1, "one line of JSON: {text}");
    match serde_json::from_str(&text).unwrap() {
        serde_json::Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

fn keys(map: &serde_json::Map<String, serde_json::Value>) -> Vec<&str> {
    let mut k: Vec<&str> = map.keys().map(String::as_str).collect();
    k.sort_unstable();
    k
}

fn num(map: &serde_json::Map<String, serde_json::Value>, key: &str) -> f64 {
    map[key].as_f64().unwrap_or_else(|| panic!("{key} is not a number"))
}

/// Runs a subcommand that must fail with exit code 1 and one line on stderr.
fn fails(args: &[&str], needle: &str) {
    let out = chatcap(args);
    assert_eq!(out.status.code(), Some(1), "{args:?}");
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains(needle), "{err:?} lacks {needle:?}");
    assert!(!err.contains("panicked") && !err.contains("backtrace"));
}

const ERLANG_C: [&str; 9] =
    ["erlang-c", "--arrivals-per-hour", "200", "--aht-s", "180", "--agents", "14", "--target-s", "20"];

#[test]
fn erlang_c_prints_the_published_example() {
    // --agents is the old spelling of --agent-count: both are read.
    let new = json(&[
        "erlang-c",
        "--arrivals-per-hour",
        "200",
        "--aht-s",
        "180",
        "--agent-count",
        "14",
        "--target-s",
        "20",
    ]);
    assert_eq!(new, json(&ERLANG_C));
    let m = json(&ERLANG_C);
    assert_eq!(keys(&m), ["asa_s", "erlang_b", "mean_queue_len", "occupancy", "p_wait", "service_level"]);
    assert!((num(&m, "p_wait") - 0.1741319).abs() < 5e-8);
    assert!((num(&m, "service_level") - 0.88835).abs() < 5e-6);
    assert!((num(&m, "asa_s") - 7.8359).abs() < 5e-5);
    assert!((num(&m, "occupancy") - 0.7142857).abs() < 5e-8);
}

#[test]
fn erlang_a_prints_its_fields() {
    let m = json(&[
        "erlang-a",
        "--arrivals-per-hour",
        "3000",
        "--aht-s",
        "60",
        "--agents",
        "45",
        "--target-s",
        "20",
        "--patience-s",
        "60",
    ]);
    assert_eq!(
        keys(&m),
        [
            "asa_served_s",
            "mean_queue_len",
            "mean_wait_all_s",
            "occupancy",
            "p_abandon",
            "p_offered_wait_le_t",
            "p_wait",
            "service_level",
            "sl_served_within_t_over_served",
        ]
    );
    // Patience equal to the handle time: Poisson(50) in system.
    assert!((num(&m, "p_wait") - 0.778959767375).abs() < 1e-11);
    assert!((num(&m, "p_abandon") - 0.119139594028).abs() < 1e-11);
}

#[test]
fn staff_prints_its_fields_for_each_model() {
    let base = [
        "staff",
        "--arrivals-per-hour",
        "200",
        "--aht-s",
        "180",
        "--target-s",
        "20",
        "--service-level",
        "0.8",
    ];
    let c = json(&base);
    assert_eq!(
        keys(&c),
        [
            "achieved_sl",
            "asa_s",
            "below_offered_load",
            "occupancy",
            "offered_load_agents",
            "p_abandon",
            "p_wait",
            "required_agents"
        ]
    );
    // At 14 agents: the published Erlang C figures, and nobody abandons.
    assert!((num(&c, "p_wait") - 0.1741319).abs() < 5e-8);
    assert!((num(&c, "asa_s") - 7.8359).abs() < 5e-5);
    assert_eq!((num(&c, "p_abandon"), num(&c, "offered_load_agents")), (0.0, 10.0));
    assert_eq!(c["below_offered_load"], false);
    assert_eq!(c["required_agents"], 14);
    let capped = json(&[&base[..], &["--max-occupancy", "0.7"]].concat());
    assert_eq!(capped["required_agents"], 15); // 10 erlangs at most 70% busy
    let a = json(&[&base[..], &["--patience-s", "60"]].concat());
    assert!(a["required_agents"].as_u64().unwrap() <= 14);
    let chat = json(&[&base[..], &["--max-chats", "3", "--aht-by-concurrency", "180,240,300"]].concat());
    assert!(chat["required_agents"].as_u64().unwrap() < 14);
    assert!(num(&chat, "achieved_sl") >= 0.8);
}

#[test]
fn chat_model_prints_its_fields() {
    let m = json(&[
        "chat-model",
        "--agents",
        "5",
        "--max-chats",
        "3",
        "--aht-by-concurrency",
        "180,240,300",
        "--arrivals-per-hour",
        "200",
        "--patience-s",
        "60",
        "--target-s",
        "20",
    ]);
    assert_eq!(
        keys(&m),
        [
            "agent_utilization",
            "asa_served_s",
            "exact_states",
            "mean_chats_in_service",
            "mean_wait_all_s",
            "method",
            "p_abandon",
            "p_wait",
            "p_wait_error_bound",
            "service_level",
            "slot_occupancy",
        ]
    );
    // 5 agents of 3 chats: C(8, 3) = 56 states, solved exactly.
    assert_eq!((m["method"].as_str(), m["exact_states"].as_u64()), (Some("exact"), Some(56)));
    assert_eq!(m["p_wait_error_bound"].as_f64(), Some(1e-9));
    for k in ["p_wait", "p_abandon", "service_level", "agent_utilization", "slot_occupancy"] {
        assert!((0.0..=1.0).contains(&num(&m, k)), "{k}");
    }
}

#[test]
fn bad_inputs_exit_1_with_one_clear_line() {
    let with = |flag: &str, value: &str| -> Vec<String> {
        let mut args: Vec<String> = ERLANG_C.iter().map(|s| s.to_string()).collect();
        let i = args.iter().position(|a| a == flag).unwrap();
        args[i + 1] = value.to_string();
        args
    };
    let run =
        |args: Vec<String>, needle: &str| fails(&args.iter().map(String::as_str).collect::<Vec<_>>(), needle);
    run(with("--agents", "10"), "the queue grows without bound");
    run(with("--agents", "0"), "--agent-count must be a whole number");
    run(with("--agents", "-3"), "--agent-count must be a whole number");
    run(with("--agents", "2.5"), "--agent-count must be a whole number from 1 to 4294967295, got 2.5");
    run(with("--agents", "inf"), "--agent-count must be a whole number");
    run(
        with("--arrivals-per-hour", "-200"),
        "--arrivals-per-hour must be a finite number above zero, got -200",
    );
    run(with("--arrivals-per-hour", "0"), "--arrivals-per-hour must be a finite number above zero");
    run(with("--aht-s", "NaN"), "--aht-s must be a finite number above zero, got NaN");
    // Numbers in messages never run to hundreds of digits.
    run(with("--aht-s", "1e-300"), "--aht-s of 1e-300 s is out of range");
    run(with("--agents", "1e300"), "--agent-count must be a whole number from 1 to 4294967295, got 1e300");
    run(with("--aht-s", "inf"), "--aht-s must be a finite number above zero, got inf");
    run(with("--target-s", "-1"), "--target-s must be a finite number of seconds of at least 0, got -1");
    run(with("--target-s", "NaN"), "--target-s must be a finite number of seconds of at least 0");
    fails(
        &[
            "staff",
            "--arrivals-per-hour",
            "200",
            "--aht-s",
            "180",
            "--target-s",
            "20",
            "--service-level",
            "1.5",
        ],
        "--service-level must be above 0 and at most 1",
    );
    fails(
        &[
            "chat-model",
            "--agents",
            "5",
            "--max-chats",
            "3",
            "--aht-by-concurrency",
            "180,240",
            "--arrivals-per-hour",
            "200",
            "--patience-s",
            "60",
            "--target-s",
            "20",
        ],
        "--aht-by-concurrency has 2 values but --max-chats is 3",
    );
}

/// Erlang C by the Erlang B recurrence, written out here independently of the library.
fn erlang_c_p_wait(n: u32, a: f64) -> f64 {
    let mut b = 1.0;
    for k in 1..=n {
        b = a * b / (f64::from(k) + a * b);
    }
    let rho = a / f64::from(n);
    b / (1.0 - rho + rho * b)
}

/// A target of 0 s asks for the share answered with no wait: 1 - P(wait), in every model.
#[test]
fn target_zero_is_the_share_answered_with_no_wait() {
    for n in ["11", "14", "30"] {
        let m = json(&[
            "erlang-c",
            "--arrivals-per-hour",
            "200",
            "--aht-s",
            "180",
            "--agents",
            n,
            "--target-s",
            "0",
        ]);
        let want = 1.0 - erlang_c_p_wait(n.parse().unwrap(), 10.0);
        assert!((num(&m, "service_level") - want).abs() < 1e-12, "{n}: {m:?} against {want}");
    }
    let a = json(&[
        "erlang-a",
        "--arrivals-per-hour",
        "200",
        "--aht-s",
        "180",
        "--agents",
        "9",
        "--target-s",
        "0",
        "--patience-s",
        "60",
    ]);
    assert!(num(&a, "p_wait") > 0.3);
    assert!((num(&a, "service_level") - (1.0 - num(&a, "p_wait"))).abs() < 1e-12, "{a:?}");
    let chat = json(&[
        "chat-model",
        "--agents",
        "5",
        "--max-chats",
        "3",
        "--aht-by-concurrency",
        "180,240,300",
        "--arrivals-per-hour",
        "200",
        "--patience-s",
        "60",
        "--target-s",
        "0",
    ]);
    assert!(num(&chat, "p_wait") > 0.1);
    assert!((num(&chat, "service_level") - (1.0 - num(&chat, "p_wait"))).abs() < 1e-12, "{chat:?}");
    // Staffing for 80% answered at once: the fewest n with 1 - C(n, 10) >= 0.8.
    let want = (11..).find(|&n| 1.0 - erlang_c_p_wait(n, 10.0) >= 0.8).unwrap();
    let s = json(&[
        "staff",
        "--arrivals-per-hour",
        "200",
        "--aht-s",
        "180",
        "--target-s",
        "0",
        "--service-level",
        "0.8",
    ]);
    assert_eq!(s["required_agents"], want);
    assert!((num(&s, "achieved_sl") - (1.0 - num(&s, "p_wait"))).abs() < 1e-12);
}

/// Staffing below the offered load meets its target only through abandonment, and says so.
#[test]
fn staffing_below_the_load_says_abandonment_does_the_work() {
    let args = [
        "staff",
        "--arrivals-per-hour",
        "200",
        "--aht-s",
        "180",
        "--target-s",
        "60",
        "--service-level",
        "0.5",
        "--patience-s",
        "10",
    ];
    let out = chatcap(&args);
    assert!(out.status.success());
    let m = json(&args);
    let agents = m["required_agents"].as_u64().unwrap();
    assert!(agents < 10, "{m:?}");
    assert_eq!(m["below_offered_load"], true);
    // Served load is at most the agents: at least 1 - n / a of the arrivals are not served, and
    // with no one abandoning in service, they abandon.
    assert!(num(&m, "p_abandon") >= 1.0 - agents as f64 / 10.0, "{m:?}");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("fewer than the offered load of 10.0") && stderr.contains("give up"), "{stderr}");
}

/// Past the exact solver's limit the answer is the window chain, with its bound; past the window
/// chain's, its correction carried over from smaller floors, which says when it has none.
#[test]
fn chat_model_says_when_it_approximates() {
    let args = |agents: &'static str, per_hour: &'static str| {
        [
            "chat-model",
            "--agent-count",
            agents,
            "--max-chats",
            "3",
            "--aht-by-concurrency",
            "300,400,600",
            "--arrivals-per-hour",
            per_hour,
            "--patience-s",
            "120",
            "--target-s",
            "20",
        ]
    };
    // C(64, 3) = 41,664 exact states, past the limit of 40,000; the window chain holds 62^2.
    let m = json(&args("61", "1000"));
    assert_eq!((m["method"].as_str(), m["exact_states"].as_u64()), (Some("window"), Some(41_664)));
    let bound = num(&m, "p_wait_error_bound");
    assert!((0.12 / 61.0..5e-3).contains(&bound), "{bound}");
    assert!(chatcap(&args("61", "1000")).stderr.is_empty());
    // 1,000 agents: 1,002,001 window states, truncated to those that hold probability.
    let m = json(&args("1000", "16000"));
    assert_eq!(m["method"].as_str(), Some("window"));
    assert!(num(&m, "p_wait_error_bound") < 2e-3, "{m:?}");
    // 20,000 agents: past the window chain's limit of 640,000 states even truncated: the window
    // chain's correction carried over from smaller floors, with its bound (at the critical load,
    // where the correction is largest).
    let m = json(&args("20000", "360000"));
    assert_eq!(m["method"].as_str(), Some("scaled"));
    let bound = num(&m, "p_wait_error_bound");
    assert!((1e-4..2e-3).contains(&bound), "{bound}");
    assert!(chatcap(&args("20000", "360000")).stderr.is_empty());
    // Handle times where an agent's throughput falls as it takes its third chat (1/300, 2/300,
    // then 3/900 per s) are past what was measured: no bound, and a warning.
    let slow: Vec<&str> = args("20000", "240000")
        .into_iter()
        .map(|a| if a == "300,400,600" { "300,300,900" } else { a })
        .collect();
    let m = json(&slow);
    assert_eq!(m["method"].as_str(), Some("scaled"));
    assert!(m["p_wait_error_bound"].is_null(), "{m:?}");
    let stderr = String::from_utf8(chatcap(&slow).stderr).unwrap();
    assert!(stderr.contains("carried over from floors of") && stderr.contains("no error bound"), "{stderr}");
}
