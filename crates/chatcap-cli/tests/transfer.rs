//! `chatcap transfer`, run as a user would, on the project's fixtures.

use std::process::{Command, Output};

fn chatcap(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_chatcap")).args(args).output().expect("the binary runs")
}

fn fixture(path: &str) -> String {
    format!("{}/../../testdata/{path}", env!("CARGO_MANIFEST_DIR"))
}

fn ok(args: &[&str]) -> String {
    let out = chatcap(args);
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn transfer_to_sales_from_the_seed_admin_leaves_everyone_out_with_a_reason() {
    // Reference 002's availableAgents example: the admin 25025413 is the only agent online.
    let agents = fixture("liveperson/quirks/002_available_agents_first_five.json");
    let json =
        ok(&["transfer", "--agents", &agents, "--from", "25025413", "--to-skill", "25975313", "--json"]);
    assert_eq!(
        json.trim(),
        r#"{"candidates":[],"excluded":[{"agent_id":"25025413","reason":"is_current_owner"},{"agent_id":"26559413","reason":"offline"},{"agent_id":"26621513","reason":"offline"},{"agent_id":"26663513","reason":"offline"},{"agent_id":"26699013","reason":"offline"}]}"#
    );
}

#[test]
fn transfer_candidates_are_ranked_and_explained() {
    // agents.json, skill 1, from ann (10): bob (11) online 0 of 3, dee (13) occupied 1 of 5;
    // cy (12) and eve (14) lack skill 1, fay (15) is away, gus (16) has a limit of 0, hal (17)
    // has an unknown state and is read as offline.
    let agents = fixture("liveperson/quirks/agents.json");
    let base = ["transfer", "--agents", agents.as_str(), "--from", "10", "--to-skill", "1"];
    let run = |extra: &[&str]| ok(&[&base[..], extra].concat());
    // least-loaded: bob 0/3 = 0 before dee 1/5 = 0.2
    let json = run(&["--json"]);
    assert!(json.starts_with(r#"{"candidates":[{"agent_id":"11","free_slots":3,"active_chats":0},{"agent_id":"13","free_slots":4,"active_chats":1}]"#), "{json}");
    assert!(json.contains(r#"{"agent_id":"16","reason":"zero_capacity"}"#), "{json}");
    // most-free: dee has 4 free, bob 3
    let json = run(&["--strategy", "most-free", "--limit", "1", "--json"]);
    assert!(
        json.starts_with(r#"{"candidates":[{"agent_id":"13","free_slots":4,"active_chats":1}],"#),
        "{json}"
    );
    let table = run(&["--explain"]);
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[1].starts_with("1     11") && lines[2].starts_with("2     13"), "{table}");
    assert!(table.contains("15                       away"), "{table}");
    // To one agent: fay is away.
    let json = ok(&["transfer", "--agents", &agents, "--from", "10", "--to-agent", "15", "--json"]);
    assert_eq!(json.trim(), r#"{"candidates":[],"excluded":[{"agent_id":"15","reason":"away"}]}"#);
}

#[test]
fn bad_transfer_requests_exit_1_with_one_line() {
    let agents = fixture("liveperson/quirks/agents.json");
    for (args, needle) in [
        (vec!["--from", "99", "--to-skill", "1"], "agent 99 is not on the floor"),
        (vec!["--from", "10", "--to-skill", "404"], "--to-skill 404"),
        (vec!["--from", "10", "--to-skill", "1", "--weight", "0"], "invalid chat weight 0"),
        (vec!["--from", "10", "--to-skill", "1", "--strategy", "random"], "random"),
        (vec!["--from", "10", "--to-skill", "1", "--to-agent", "11"], "cannot be used with"),
    ] {
        let out = chatcap(&[&["transfer", "--agents", agents.as_str()][..], &args].concat());
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        let last = err.lines().filter(|l| !l.starts_with("warning:")).collect::<Vec<_>>().join("\n");
        assert!(last.contains(needle), "{args:?}: {err}");
    }
}
