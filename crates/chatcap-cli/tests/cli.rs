//! The `chatcap` binary run on the pinned fixtures: exact stdout, exit status, one-line errors.
//! Expected answers come from the vendor documents or from the arithmetic in the comments.

use std::process::Command;

fn testdata(name: &str) -> String {
    format!("{}/../../testdata/{name}", env!("CARGO_MANIFEST_DIR"))
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str]) -> Run {
    let args: Vec<String> =
        args.iter().map(|a| a.strip_prefix('@').map_or_else(|| (*a).to_owned(), testdata)).collect();
    let out = Command::new(env!("CARGO_BIN_EXE_chatcap")).args(&args).output().expect("the binary runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs `args` and checks that stdout is exactly `expected` plus a newline.
fn check(args: &[&str], expected: &str) {
    let r = run(args);
    assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
    assert_eq!(r.stdout, format!("{expected}\n"), "{args:?}");
}

/// Runs `args` and checks exit status 1, no stdout, and one stderr line holding every `parts`.
fn check_rejected(args: &[&str], parts: &[&str]) {
    let r = run(args);
    assert_eq!(r.code, 1, "{args:?}: {}", r.stderr);
    assert_eq!(r.stdout, "", "{args:?}");
    let errors: Vec<&str> = r.stderr.lines().filter(|l| !l.starts_with("warning: ")).collect();
    assert_eq!(errors.len(), 1, "{args:?}: expected one error line, got {:?}", r.stderr);
    for p in parts {
        assert!(errors[0].contains(p), "{args:?}: {p:?} not in {:?}", errors[0]);
    }
    assert!(!r.stderr.contains("panicked") && !r.stderr.contains("backtrace"), "{}", r.stderr);
}

const QUIRKS_JSON: &str = "@liveperson/quirks/agents.json";
const QUIRKS_XML: &str = "@liveperson/quirks/agents.xml";
const QUIRKS_QUEUE: &str = "@liveperson/quirks/queuestate_v2.json";

#[test]
fn slots_from_the_documents() {
    // 001: the one agent is away: nothing can start.
    check(&["slots", "--agents", "@liveperson/001_available_agents.json"], r#"{"availableSlots":0}"#);
    // 002 agent info: online with maxChats -1: unlimited.
    check(&["slots", "--agents", "@liveperson/002_agent_info.json"], r#"{"availableSlots":-1}"#);
    // 004 Comm100: two online agents, 1 chat each of the default 3: 2 + 2.
    check(&["slots", "--agents", "@comm100/004_realtime_agents_page1.json"], r#"{"availableSlots":4}"#);
    check(
        &[
            "slots",
            "--agents",
            "@comm100/004_realtime_agents_page1.json",
            "--comm100-zero-max-chats",
            "unlimited",
        ],
        r#"{"availableSlots":-1}"#,
    );
}

#[test]
fn slots_from_the_quirk_fixtures_json_and_xml() {
    for agents in [QUIRKS_JSON, QUIRKS_XML] {
        // Skill 1: ann 4 - 1 = 3, bob 3 - 0 (chats missing) = 3; dee occupied, fay away, gus 0.
        check(&["slots", "--agents", agents, "--skill", "1"], r#"{"availableSlots":6}"#);
        // Skill 2: ann 3, eve max(0, 2 - 4) = 0; hal has an unknown state code.
        check(&["slots", "--agents", agents, "--skill", "2"], r#"{"availableSlots":3}"#);
        // Skill 3: cy, online and unlimited.
        check(&["slots", "--agents", agents, "--skill", "3"], r#"{"availableSlots":-1}"#);
        // A skill no agent has.
        check(&["slots", "--agents", agents, "--skill", "777"], r#"{"availableSlots":0}"#);
        check(&["slots", "--agents", agents, "--agent", "ann"], r#"{"availableSlots":3}"#);
        check(&["slots", "--agents", agents, "--agent", "eve"], r#"{"availableSlots":0}"#);
        // Within 0 s, 2 queued on skill 1: 6 - 2.
        check(
            &["slots", "--agents", agents, "--queue", QUIRKS_QUEUE, "--skill", "1", "--max-wait", "0"],
            r#"{"availableSlots":4}"#,
        );
        // Within 120 s, AHT 300 s: busy 1 (ann); 1 * (1 - e^-0.4) = 0.33; floor(6.33) - 2 = 4.
        check(
            &[
                "slots",
                "--agents",
                agents,
                "--queue",
                QUIRKS_QUEUE,
                "--skill",
                "1",
                "--max-wait",
                "120",
                "--aht",
                "300",
            ],
            r#"{"availableSlots":4}"#,
        );
        // Skill 2 within 600 s, AHT 300 s: free 3; ann holds 1 of her 4 slots, eve 4 chats on a
        // limit of 2, so 1 + 2 = 3 slots can free up (eve's 2 chats over her limit free none):
        // 3 * (1 - e^-2) = 2.59; floor(5.59) - 1 queued = 4. (Exactly, with eve's excess ending
        // first: 0.86 + 1.47 = 2.33 expected slots, the same answer.)
        check(
            &[
                "slots",
                "--agents",
                agents,
                "--queue",
                QUIRKS_QUEUE,
                "--skill",
                "2",
                "--max-wait",
                "600",
                "--aht",
                "300",
            ],
            r#"{"availableSlots":4}"#,
        );
        // Without an AHT nothing ends in time: 3 - 1 = 2.
        check(
            &["slots", "--agents", agents, "--queue", QUIRKS_QUEUE, "--skill", "2", "--max-wait", "600"],
            r#"{"availableSlots":2}"#,
        );
    }
}

#[test]
fn slots_single_agent_and_comm100_pages() {
    // One agent as a bare object: 3 - 2 = 1.
    check(&["slots", "--agents", "@liveperson/quirks/single_agent.json"], r#"{"availableSlots":1}"#);
    check(
        &["slots", "--agents", "@liveperson/quirks/single_agent.xml", "--skill", "42"],
        r#"{"availableSlots":1}"#,
    );
    // a1: 3 (default) - 1 = 2; a2 away; a3 unknown status, away; a4: 2 - 2 = 0.
    check(
        &[
            "slots",
            "--agents",
            "@comm100/quirks/agents_page2.json",
            "--agents",
            "@comm100/quirks/agents_page1.json",
        ],
        r#"{"availableSlots":2}"#,
    );
    // Two visitors wait (Comm100 queue): within 0 s, max(0, 2 - 2) = 0.
    check(
        &[
            "slots",
            "--agents",
            "@comm100/quirks/agents_page1.json",
            "--agents",
            "@comm100/quirks/agents_page2.json",
            "--queue",
            "@comm100/quirks/queue.json",
            "--max-wait",
            "0",
        ],
        r#"{"availableSlots":0}"#,
    );
}

#[test]
fn queuestate_v1_and_v2() {
    // Skill 1: 6 slots, 2 waiting, longest 30,000 ms; skill 99 has no data: -1 and out of totals.
    check(
        &["queuestate", "--agents", QUIRKS_JSON, "--queue", QUIRKS_QUEUE, "--skill-ids", "1,99", "--v", "2"],
        r#"{"skills":{"1":{"currentAvailableSlots":6,"currentQueueSize":2,"currentMaxWaitTimeInQueue":30000},"99":{"currentAvailableSlots":-1,"currentQueueSize":-1,"currentMaxWaitTimeInQueue":-1}},"totals":{"currentAvailableSlots":6,"currentQueueSize":2,"currentMaxWaitTimeInQueue":30000}}"#,
    );
    // All skills, v1: 1 -> 6/2, 2 -> 3/1, 3 unlimited -> reported as 1, 0 waiting;
    // totals 6 + 3 + 1 = 10 slots, 2 + 1 = 3 waiting.
    check(
        &["queuestate", "--agents", QUIRKS_XML, "--queue", QUIRKS_QUEUE, "--v", "1"],
        r#"{"skills":{"1":{"currentAvailableSlots":6,"currentQueueSize":2},"2":{"currentAvailableSlots":3,"currentQueueSize":1},"3":{"currentAvailableSlots":1,"currentQueueSize":0}},"totals":{"currentAvailableSlots":10,"currentQueueSize":3}}"#,
    );
    // Nobody waits: -1 for the wait.
    check(
        &["queuestate", "--agents", QUIRKS_JSON, "--skill-ids", "2"],
        r#"{"skills":{"2":{"currentAvailableSlots":3,"currentQueueSize":0,"currentMaxWaitTimeInQueue":-1}},"totals":{"currentAvailableSlots":3,"currentQueueSize":0,"currentMaxWaitTimeInQueue":-1}}"#,
    );
}

#[test]
fn queuestate_skill_with_data_but_no_agents_is_zero_not_minus_one() {
    // Skill 42: solo's 3 - 2 = 1. Skill 5 has queue data (nobody waiting) but no agent: 0 slots.
    check(
        &[
            "queuestate",
            "--agents",
            "@liveperson/quirks/single_agent.json",
            "--queue",
            "@liveperson/quirks/queuestate_v2_idle_skill.json",
        ],
        r#"{"skills":{"42":{"currentAvailableSlots":1,"currentQueueSize":0,"currentMaxWaitTimeInQueue":-1},"5":{"currentAvailableSlots":0,"currentQueueSize":0,"currentMaxWaitTimeInQueue":-1}},"totals":{"currentAvailableSlots":1,"currentQueueSize":0,"currentMaxWaitTimeInQueue":-1}}"#,
    );
}

#[test]
fn agents_table_filters_and_json() {
    let r = run(&["agents", "--agents", QUIRKS_JSON, "--skill", "1", "--chat-state", "online"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    // Header, then ann, bob and gus: the online agents with skill 1.
    assert_eq!(lines.len(), 4, "{}", r.stdout);
    assert!(lines[0].starts_with("ID") && lines[0].contains("SLOTS"));
    let logins: Vec<&str> = lines[1..].iter().map(|l| l.split_whitespace().nth(1).unwrap()).collect();
    assert_eq!(logins, ["ann", "bob", "gus"]);
    // The missing chats of bob are reported on stderr.
    assert!(r.stderr.contains("agent[1].chats: no chats field"), "{}", r.stderr);

    let r = run(&["agents", "--agents", QUIRKS_XML, "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let list = v.as_array().unwrap();
    assert_eq!(list.len(), 8);
    assert_eq!(list[2]["capacity"], "unlimited");
    assert_eq!(list[4]["slots"], "0"); // eve, over her limit
    assert_eq!(list[0]["timeInStateMs"], 60_000);
}

#[test]
fn rejected_arguments() {
    check_rejected(
        &["slots", "--agents", QUIRKS_JSON, "--agent", "ann", "--skill", "1"],
        &["--agent", "--skill"],
    );
    check_rejected(
        &["slots", "--agents", QUIRKS_JSON, "--agent", "ann", "--max-wait", "5"],
        &["--agent", "--max-wait"],
    );
    // The old spelling --max-wait is still read; messages use the new one.
    check_rejected(
        &["slots", "--agents", QUIRKS_JSON, "--max-wait", "86401"],
        &["--max-wait-s 86401", "0 to 86400"],
    );
    check_rejected(&["slots", "--agents", QUIRKS_JSON, "--max-wait-s", "-1"], &["-1", "0 to 86400"]);
    check_rejected(
        &["slots", "--agents", QUIRKS_JSON, "--max-wait-s", "60.5"],
        &["--max-wait-s 60.5: expected a whole number of seconds"],
    );
    check_rejected(&["slots", "--agents", QUIRKS_JSON, "--max-wait-s", "1e300"], &["--max-wait-s 1e300:"]);
    check_rejected(
        &["transfer", "--agents", QUIRKS_JSON, "--from", "10", "--to-skill", "1", "--limit", "0"],
        &["--limit 0: expected a whole number of candidates of at least 1"],
    );
    check_rejected(
        &["transfer", "--agents", QUIRKS_JSON, "--from", "10", "--to-skill", "1", "--limit", "-1"],
        &["--limit -1"],
    );
    check_rejected(&["slots", "--agents", QUIRKS_JSON, "--agent", "nobody"], &["nobody"]);
    // 86400 itself is allowed.
    check(
        &["slots", "--agents", QUIRKS_JSON, "--skill", "1", "--max-wait-s", "86400"],
        r#"{"availableSlots":6}"#,
    );
}

/// A skill nobody has answers 0, as LivePerson does, and says why on stderr.
#[test]
fn an_unknown_skill_is_zero_with_a_warning() {
    let r = run(&["slots", "--agents", QUIRKS_JSON, "--skill", "nosuch"]);
    assert_eq!((r.code, r.stdout.as_str()), (0, "{\"availableSlots\":0}\n"));
    assert!(r.stderr.contains("warning: skill \"nosuch\" is not on the floor"), "{}", r.stderr);
    let r = run(&["agents", "--agents", QUIRKS_JSON, "--skill", "nosuch"]);
    assert_eq!(r.code, 0);
    assert!(r.stderr.contains("warning: skill \"nosuch\" is not on the floor"), "{}", r.stderr);
}

/// `agents --voice-state` filters as LivePerson's availableAgents does: of the quirk fixture's
/// agents only ann (offline) and bob (online) report a voice state.
#[test]
fn agents_filter_by_voice_state() {
    let r = run(&["agents", "--agents", QUIRKS_JSON, "--voice-state", "online"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let ids: Vec<&str> = r.stdout.lines().skip(1).filter_map(|l| l.split_whitespace().next()).collect();
    assert_eq!(ids, ["11"]);
    let r = run(&["agents", "--agents", QUIRKS_JSON, "--voice-state", "offline", "--chat-state", "online"]);
    let ids: Vec<&str> = r.stdout.lines().skip(1).filter_map(|l| l.split_whitespace().next()).collect();
    assert_eq!(ids, ["10"]);
}

#[test]
fn rejected_inputs_name_file_path_and_problem() {
    check_rejected(
        &["slots", "--agents", "@liveperson/002_available_agents_truncated.json"],
        &["002_available_agents_truncated.json", "availableAgents.agents.agent[5]", "line 126", "truncated"],
    );
    check_rejected(
        &["slots", "--agents", "@liveperson/quirks/bad_max_chats.json"],
        &[
            "bad_max_chats.json",
            "availableAgents.agents.agent[3].@maxChats",
            "line 5, column 53",
            "expected an integer",
        ],
    );
    check_rejected(
        &["slots", "--agents", "@liveperson/quirks/bad_max_chats.xml"],
        &["bad_max_chats.xml", "availableAgents.agents.agent[3].@maxChats", "line 6", "\"lots\""],
    );
    check_rejected(
        &["slots", "--agents", "@liveperson/quirks/truncated.xml"],
        &["truncated.xml", "truncated"],
    );
    check_rejected(
        &["slots", "--agents", "@liveperson/does_not_exist.json"],
        &["does_not_exist.json", "cannot read"],
    );
    // A queue given as agents, and agents given as a queue.
    check_rejected(&["slots", "--agents", QUIRKS_QUEUE], &["queuestate_v2.json", "holds no agents"]);
    check_rejected(
        &["slots", "--agents", QUIRKS_JSON, "--queue", QUIRKS_JSON],
        &["agents.json", "not a queue"],
    );
}

#[test]
fn arbitrary_bytes_never_panic() {
    let dir = std::env::temp_dir().join(format!("chatcap-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cases: [&[u8]; 6] = [
        b"",
        b"\xff\xfe\x00",
        b"{",
        b"<availableAgents><agents><agent id=\"1\" maxChats=\"",
        b"[1,2",
        b"{\"availableAgents\": 5}",
    ];
    for (i, bytes) in cases.iter().enumerate() {
        let path = dir.join(format!("case{i}"));
        std::fs::write(&path, bytes).unwrap();
        let r = run(&["slots", "--agents", path.to_str().unwrap()]);
        assert_eq!(r.code, 1, "case {i}: {}", r.stderr);
        assert_eq!(r.stderr.lines().count(), 1, "case {i}: {}", r.stderr);
        assert!(
            r.stderr.starts_with("error: ") && r.stderr.contains(&format!("case{i}")),
            "case {i}: {}",
            r.stderr
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A file with no end (`/dev/zero`) or past the size limit is refused after reading one byte past
/// the limit, not read until memory runs out.
#[cfg(unix)]
#[test]
fn files_are_read_up_to_a_limit() {
    check_rejected(
        &["slots", "--agents", "/dev/zero", "--skill", "1"],
        &["/dev/zero", "larger than 256 MiB"],
    );
    check_rejected(&["simulate", "/dev/zero"], &["/dev/zero", "larger than 64 MiB", "scenario"]);
}

/// Every subcommand's help ends with an example, and the examples run as written from the
/// repository's root (the simulations are left to their own tests).
#[test]
fn every_help_ends_with_an_example_that_runs() {
    let root = format!("{}/../..", env!("CARGO_MANIFEST_DIR"));
    for sub in [
        "slots",
        "queuestate",
        "agents",
        "transfer",
        "erlang-c",
        "erlang-a",
        "staff",
        "chat-model",
        "simulate",
        "demo",
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_chatcap")).args([sub, "--help"]).output().unwrap();
        let help = String::from_utf8(out.stdout).unwrap();
        let (_, examples) =
            help.split_once("Example:\n").unwrap_or_else(|| panic!("{sub} --help has no example"));
        let lines: Vec<&str> = examples.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
        assert!(
            !lines.is_empty() && lines.iter().all(|l| l.starts_with(&format!("chatcap {sub}"))),
            "{sub}: {lines:?}"
        );
        if matches!(sub, "simulate" | "demo") {
            continue;
        }
        for line in lines {
            let args: Vec<&str> = line.split_whitespace().skip(1).collect();
            let out =
                Command::new(env!("CARGO_BIN_EXE_chatcap")).args(&args).current_dir(&root).output().unwrap();
            assert!(out.status.success(), "{line}: {}", String::from_utf8_lossy(&out.stderr));
        }
    }
}
