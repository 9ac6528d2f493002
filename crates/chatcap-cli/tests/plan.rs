//! `chatcap plan` and `chatcap schedule` on the example files, run as a user would.

use std::process::{Command, Output};

fn chatcap(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_chatcap")).args(args).output().expect("the binary runs")
}

fn ok(args: &[&str]) -> String {
    let out = chatcap(args);
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

fn fails(args: &[&str], needle: &str) {
    let out = chatcap(args);
    assert_eq!(out.status.code(), Some(1), "{args:?}");
    let err = String::from_utf8(out.stderr).expect("UTF-8 errors");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains(needle), "{err:?} lacks {needle:?}");
}

fn scenario(name: &str) -> String {
    format!("{}/../../scenarios/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn temp(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("chatcap-plan-test-{}-{name}", std::process::id()))
}

#[test]
fn plan_answers_json_with_the_documented_names() {
    let forecast = scenario("forecast_day.csv");
    let req = temp("requirements.csv");
    let svg = temp("plan.svg");
    let out = ok(&[
        "plan",
        &forecast,
        "--target-s",
        "60",
        "--service-level",
        "0.8",
        "--replications",
        "8",
        "--quiet",
        "--json",
        "--requirements",
        req.to_str().expect("a path"),
        "--plot",
        svg.to_str().expect("a path"),
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let intervals = v["intervals"].as_array().expect("intervals");
    // 24 half hours from 08:00 to 20:00, three skills.
    assert_eq!(intervals.len(), 72);
    let first = &intervals[0];
    assert_eq!(first["start"], "08:00");
    assert_eq!(first["skill"], "sales");
    assert_eq!(first["arrivals"], 21.0);
    for m in ["psa", "mol", "isa"] {
        assert!(first["staffing"][m].as_u64().is_some_and(|n| n > 0), "{m}: {first}");
        let a = &first["achieved"][m];
        for k in ["p_wait", "service_level", "p_abandon", "asa_s", "occupancy"] {
            assert!(a[k].is_number(), "{m}.{k}: {a}");
            assert!(a[format!("{k}_ci95")].is_number(), "{m}.{k}_ci95: {a}");
        }
    }
    let notes = v["method_notes"].as_array().expect("notes");
    assert!(notes.iter().any(|n| n.as_str().is_some_and(|s| s.contains("planned independently"))));
    // The requirement: one row per interval, the three skills' ISA staffing summed.
    let csv = std::fs::read_to_string(&req).expect("requirements written");
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows[0], "day,interval_start,skill,required");
    assert_eq!(rows.len(), 25);
    let isa_sum: u64 = intervals
        .iter()
        .filter(|i| i["start"] == "08:00")
        .map(|i| i["staffing"]["isa"].as_u64().unwrap_or(0))
        .sum();
    assert_eq!(rows[1], format!("0,08:00,,{isa_sum}"));
    let plot = std::fs::read_to_string(&svg).expect("plot written");
    assert!(plot.starts_with("<svg") && plot.contains("agents required"));
    let _ = std::fs::remove_file(req);
    let _ = std::fs::remove_file(svg);
}

#[test]
fn plan_prints_a_table_by_default() {
    let out = ok(&[
        "plan",
        &scenario("forecast_day.csv"),
        "--target-s",
        "60",
        "--service-level",
        "0.8",
        "--method",
        "psa",
        "--replications",
        "4",
        "--quiet",
    ]);
    assert!(out.starts_with("skill sales\nstart  arrivals    load  psa      SL%    P(w)%\n"), "{out}");
    assert!(out.contains("agent-hours: psa "));
}

#[test]
fn plan_rejects_bad_input_in_one_line() {
    let bad = temp("bad.csv");
    std::fs::write(&bad, "interval_start,skill,arrivals,aht_s\n08:00,s,x,300\n08:30,s,1,300\n")
        .expect("written");
    fails(
        &["plan", bad.to_str().expect("a path"), "--target-s", "20", "--service-level", "0.8"],
        "line 2, column arrivals: expected a number of arrivals",
    );
    let _ = std::fs::remove_file(bad);
    fails(
        &[
            "plan",
            &scenario("forecast_day.csv"),
            "--target-s",
            "20",
            "--service-level",
            "0.8",
            "--shrinkage",
            "1",
        ],
        "--shrinkage must be at least 0 and below 1",
    );
}

#[test]
fn schedule_covers_the_example_requirement() {
    let out =
        ok(&["schedule", &scenario("requirements_day.csv"), "--shifts", &scenario("shifts.toml"), "--json"]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    for k in ["assignments", "coverage", "objective", "bound", "gap", "uncovered", "method"] {
        assert!(!v[k].is_null(), "{k}");
    }
    // 7 days of 24 half hours.
    assert_eq!(v["coverage"].as_array().map(Vec::len), Some(168));
    let (obj, bound) = (v["objective"].as_f64().unwrap_or(0.0), v["bound"].as_f64().unwrap_or(f64::MAX));
    assert!(bound <= obj);
    assert!((v["gap"].as_f64().unwrap_or(-1.0) - (obj - bound) / obj).abs() < 1e-9);
    let table = ok(&["schedule", &scenario("requirements_day.csv"), "--shifts", &scenario("shifts.toml")]);
    assert!(table.contains("LP bound") && table.contains("every interval covered"), "{table}");
}

#[test]
fn schedule_reports_what_it_cannot_cover() {
    let req = temp("late.csv");
    std::fs::write(&req, "interval_start,required\n19:00,2\n19:30,2\n20:00,1.5\n").expect("written");
    let out =
        ok(&["schedule", req.to_str().expect("a path"), "--shifts", &scenario("shifts.toml"), "--days", "7"]);
    assert!(out.contains("day 0 20:00: required 1.50, scheduled 0, short 1.50"), "{out}");
    let _ = std::fs::remove_file(req);
}
