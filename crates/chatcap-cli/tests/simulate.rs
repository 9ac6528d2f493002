//! `chatcap simulate` and `chatcap demo`, run as a user would.

use std::process::{Command, Output};

fn chatcap(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_chatcap")).args(args).output().expect("the binary runs")
}

fn ok(args: &[&str]) -> String {
    let out = chatcap(args);
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn fails(args: &[&str], needle: &str) {
    let out = chatcap(args);
    assert_eq!(out.status.code(), Some(1), "{args:?}");
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains(needle), "{err:?} lacks {needle:?}");
}

fn scenario(name: &str) -> String {
    format!("{}/../../scenarios/{name}", env!("CARGO_MANIFEST_DIR"))
}

const QUICK: [&str; 16] = [
    "simulate",
    "--agents",
    "14",
    "--max-chats",
    "1",
    "--aht-s",
    "180",
    "--arrivals-per-hour",
    "200",
    "--target-s",
    "20",
    "--hours",
    "20",
    "--replications",
    "20",
    "--json",
];

#[test]
fn the_quick_form_prints_each_measure_with_its_interval_and_agrees_with_erlang_c() {
    let text = ok(&QUICK);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let map = v.as_object().unwrap();
    let mut keys: Vec<&str> = map.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "agent_utilization",
            "agent_utilization_ci95",
            "asa_served_s",
            "asa_served_s_ci95",
            "mean_wait_all_s",
            "mean_wait_all_s_ci95",
            "overloaded",
            "p_abandon",
            "p_abandon_ci95",
            "p_wait",
            "p_wait_ci95",
            "service_level",
            "service_level_ci95",
            "still_waiting",
            "still_waiting_ci95",
            "unserved",
            "unserved_ci95",
        ]
    );
    assert_eq!(map["overloaded"], false);
    // Erlang C for this floor (the ErlangC R package's example): P(wait) 0.1741319, SL 0.88835.
    let (p, ci) = (map["p_wait"].as_f64().unwrap(), map["p_wait_ci95"].as_f64().unwrap());
    assert!((p - 0.1741319).abs() <= ci * 3.29 / 1.96, "p_wait {p} ± {ci}");
    let (sl, ci) = (map["service_level"].as_f64().unwrap(), map["service_level_ci95"].as_f64().unwrap());
    assert!((sl - 0.88835).abs() <= ci * 3.29 / 1.96, "service level {sl} ± {ci}");
}

#[test]
fn the_same_seed_prints_the_same_bytes_on_any_number_of_threads() {
    let file = scenario("afternoon.toml");
    let run = |threads: &str| {
        ok(&["simulate", &file, "--replications", "4", "--seed", "9", "--threads", threads, "--json"])
    };
    let one = run("1");
    assert_eq!(one, run("2"));
    assert_eq!(one, run("8"));
    let v: serde_json::Value = serde_json::from_str(&one).unwrap();
    let names: Vec<&str> =
        v["variations"].as_array().unwrap().iter().map(|x| x["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["base", "two more agents", "limit 4 chats", "round robin", "traffic +25%"]);
}

#[test]
fn the_demo_prints_a_table_of_every_variation() {
    let text = ok(&["demo"]);
    for needle in [
        "variation",
        "service level",
        "base",
        "two more agents",
        "traffic +25%",
        "sales",
        "billing",
        "support",
    ] {
        assert!(text.contains(needle), "{needle} missing from\n{text}");
    }
}

#[test]
fn a_plot_is_an_svg_with_a_line_per_variation() {
    let out = std::env::temp_dir().join(format!("chatcap-plot-{}.svg", std::process::id()));
    let out_s = out.to_str().unwrap();
    ok(&["simulate", &scenario("single-skill.toml"), "--replications", "2", "--plot", out_s]);
    let svg = std::fs::read_to_string(&out).unwrap();
    std::fs::remove_file(&out).ok();
    assert!(svg.starts_with("<svg"), "{}", &svg[..80.min(svg.len())]);
    assert!(svg.contains("base") && svg.contains("thirteen agents"));
    // Series are drawn 2 px wide: two panels times two variations, plus a legend mark each.
    let series = svg.matches("<polyline").count();
    assert!(series > 6, "the mesh is drawn too");
    assert_eq!(
        svg.matches(r#"stroke-width="2""#).count(),
        6,
        "two panels x two variations + two legend marks"
    );
    // Each data line has one point per counted interval (8 hours after the warm-up hour).
    let first = svg.split(r#"stroke-width="2" points=""#).nth(1).unwrap();
    let points = first.split('"').next().unwrap().split_whitespace().count();
    assert_eq!(points, 8);
    // A 95% band per variation; no goal in this file, so no goal line; hours from the start.
    assert_eq!(svg.matches("<polygon").count(), 2);
    assert!(!svg.contains("goal") && svg.contains("time since the start"));
}

/// The afternoon study starts at 12:00 and aims at 80%: one panel per skill with the goal as a
/// line, the time of day on the axis; "wrote FILE" on stderr.
#[test]
fn a_plot_has_a_panel_per_skill_the_goal_and_the_time_of_day() {
    let out = std::env::temp_dir().join(format!("chatcap-plot-afternoon-{}.svg", std::process::id()));
    let out_s = out.to_str().unwrap();
    let run = chatcap(&["simulate", &scenario("afternoon.toml"), "--replications", "2", "--plot", out_s]);
    assert!(run.status.success());
    assert!(String::from_utf8_lossy(&run.stderr).contains(&format!("wrote {out_s}")));
    let svg = std::fs::read_to_string(&out).unwrap();
    std::fs::remove_file(&out).ok();
    for skill in ["sales", "billing", "support"] {
        assert!(svg.contains(&format!("Skill {skill}: answered within 60 s")), "{skill}");
    }
    assert_eq!(svg.matches("goal 80%").count(), 3);
    // 16 intervals of 15 minutes from 12:00: the axis runs to 16:00.
    assert!(svg.contains("12:00") && svg.contains("16:00") && svg.contains("time of day"));
    // 3 skills x 5 variations bands.
    assert_eq!(svg.matches("<polygon").count(), 15);
}

/// A plot that cannot be written is said at once, before any simulation.
#[test]
fn a_bad_plot_path_fails_before_the_run() {
    fails(
        &["simulate", &scenario("afternoon.toml"), "--plot", "/nonexistent/dir/out.svg"],
        "/nonexistent/dir/out.svg: cannot write the plot",
    );
}

#[test]
fn bad_input_exits_1_with_one_line() {
    let dir = std::env::temp_dir().join(format!("chatcap-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.toml");
    std::fs::write(&bad, "[run]\ninterval_minutes = 15\nintervals = \"many\"\n").unwrap();
    let bad_s = bad.to_str().unwrap().to_owned();
    fails(
        &["simulate", &bad_s],
        &format!("{bad_s}: line 3, column 13: invalid type: string \"many\", expected usize"),
    );
    fails(&["simulate", "/nonexistent/x.toml"], "/nonexistent/x.toml: cannot read the scenario file");
    let mut args = QUICK.to_vec();
    args[8] = "-5";
    fails(&args, "--arrivals-per-hour -5: expected a positive number");
    fails(&["simulate", "--agents", "3"], "--aht-s is required");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_study_starts_from_a_live_vendor_floor_and_its_queue() {
    let dir = env!("CARGO_MANIFEST_DIR");
    let file = format!("{dir}/tests/data/live-floor.toml");
    let agents = format!("{dir}/../../testdata/liveperson/quirks/agents.json");
    let queue = format!("{dir}/../../testdata/liveperson/quirks/queuestate_v2.json");
    let json = ok(&[
        "simulate",
        &file,
        "--live-agents",
        &agents,
        "--live-queue",
        &queue,
        "--replications",
        "3",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let base = &v["variations"][0]["report"];
    // The payload's skills 1, 2 and 3 (3 from skillsInfo) make the floor's skills.
    let skills: Vec<&str> =
        base["skills"].as_array().unwrap().iter().map(|s| s["skill"].as_str().unwrap()).collect();
    assert_eq!(skills, ["1", "2", "3"]);
    // queuestate_v2 has 2 visitors waiting for skill 1 at the start: the first interval saw them.
    assert_eq!(base["skills"][0]["intervals"][0]["max_queue"]["mean"].as_f64(), Some(2.0));
    // Without a scenario file the live floor has nothing to add to.
    let out = chatcap(&["simulate", "--live-agents", &agents]);
    assert_eq!(out.status.code(), Some(1));
}

/// 10 erlangs on 5 agents: everyone waits, the queue grows, and the run says so.
#[test]
fn an_overloaded_floor_is_reported_as_such() {
    let out = chatcap(&[
        "simulate",
        "--agents",
        "5",
        "--max-chats",
        "1",
        "--aht-s",
        "180",
        "--arrivals-per-hour",
        "200",
        "--target-s",
        "20",
        "--hours",
        "8",
        "--replications",
        "4",
        "--json",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["overloaded"], true);
    assert!(v["p_wait"].as_f64().unwrap() >= 0.99, "{v}");
    // The queue grows at 200 - 100 = 100 visitors an hour over the 9 simulated hours.
    let waiting = v["still_waiting"].as_f64().unwrap();
    assert!((800.0..1000.0).contains(&waiting), "{waiting}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("overloaded") && stderr.contains("faster than the agents can serve"), "{stderr}");
}

/// A reader that stops reading (`chatcap demo | head -1`) ends the program quietly.
#[test]
fn a_closed_stdout_ends_quietly() {
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_chatcap"))
        .arg("demo")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    // Close the reading end before the demo has printed anything: its first write fails.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{:?}: {stderr}", out.status);
    assert!(!stderr.contains("panicked") && !stderr.contains("error"), "{stderr}");
}

/// No single flag makes a run abort, exhaust memory or run for hours: each limit is one line.
#[test]
fn limits_are_one_clear_line_before_anything_large_is_allocated() {
    let quick = |extra: &[&str]| -> Vec<String> {
        let mut v: Vec<String> = ["simulate", "--max-chats", "1", "--aht-s", "180", "--target-s", "20"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        v.extend(extra.iter().map(|s| s.to_string()));
        v
    };
    let cases: [(&[&str], &str); 5] = [
        (&["--agents", "5", "--arrivals-per-hour", "200", "--hours", "1e9"], "at most 1000000 per run"),
        (&["--agents", "4294967295", "--arrivals-per-hour", "200", "--hours", "8"], "at most 1000000 agents"),
        (&["--agents", "100000000", "--arrivals-per-hour", "200", "--hours", "8"], "at most 1000000 agents"),
        (&["--agents", "5", "--arrivals-per-hour", "1e308", "--hours", "8"], "unboundedly many arrivals"),
        (
            &["--agents", "5", "--arrivals-per-hour", "200", "--hours", "8", "--replications", "1000000"],
            "at most 100000 in one run",
        ),
    ];
    for (extra, needle) in cases {
        let args = quick(extra);
        fails(&args.iter().map(String::as_str).collect::<Vec<_>>(), needle);
    }
}

/// Comm100 agents carry no skills: joining a study they would take no traffic, and the run says
/// so. `--comm100-zero-max-chats` is the one option every payload-reading subcommand shares.
#[test]
fn live_agents_without_the_scenarios_skills_are_named_and_zero_max_chats_is_shared() {
    let dir = env!("CARGO_MANIFEST_DIR");
    let page = format!("{dir}/../../testdata/comm100/004_realtime_agents_page1.json");
    let file = scenario("single-skill.toml");
    let out = chatcap(&[
        "simulate",
        &file,
        "--live-agents",
        &page,
        "--replications",
        "2",
        "--comm100-zero-max-chats",
        "7",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr);
    // The fixture's 5 agents all report maxConcurrentChats 0 and no departments.
    assert!(stderr.contains("read as a limit of 7 chats"), "{stderr}");
    assert!(
        stderr.contains("5 of the 5 live agents") && stderr.contains("take no simulated chats"),
        "{stderr}"
    );
    // The same option, the same reading, in `agents`.
    let out = chatcap(&["agents", "--agents", &page, "--comm100-zero-max-chats", "unlimited"]);
    assert!(out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("read as unlimited"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Off a terminal a run reports its progress in lines on stderr (here from its start, every five
/// seconds after); `--quiet` silences it.
#[test]
fn progress_shows_off_a_terminal_unless_quiet() {
    let args = [
        "simulate",
        "--agents",
        "20",
        "--max-chats",
        "2",
        "--aht-s",
        "300",
        "--arrivals-per-hour",
        "400",
        "--target-s",
        "20",
        "--hours",
        "4",
        "--replications",
        "4",
        "--threads",
        "1",
    ];
    let run = |quiet: bool| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_chatcap"));
        cmd.args(args).env("CHATCAP_PROGRESS_AFTER_S", "0");
        if quiet {
            cmd.arg("--quiet");
        }
        let out = cmd.output().unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stderr).unwrap()
    };
    let loud = run(false);
    let lines: Vec<&str> = loud.lines().filter(|l| l.starts_with("simulating: ")).collect();
    assert!(!lines.is_empty(), "{loud}");
    assert!(
        lines[0].contains("% done") && lines[0].contains("elapsed") && lines[0].contains("left"),
        "{loud}"
    );
    assert_eq!(run(true), "");
}
