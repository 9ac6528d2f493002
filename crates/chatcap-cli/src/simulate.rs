//! `chatcap simulate` and `chatcap demo`: what-if studies on the simulator.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use chatcap_core::{Agent, AgentState, Capacity, Ranking, RouteBy, Skill, Snapshot};
use chatcap_sim::{
    Arrivals, Estimate, HandleTime, Patience, Report, RunConfig, Scenario, Study, simulate_observed,
};
use clap::Args;
use serde::Serialize;

use crate::progress::Progress;

/// The scenario `chatcap demo` runs, kept in the repository's `scenarios/` folder.
const DEMO: &str = include_str!("../../../scenarios/afternoon.toml");

/// `chatcap simulate`.
#[derive(Args, Debug)]
pub(crate) struct SimulateArgs {
    /// A scenario file (TOML); leave out for the single-skill form below
    #[arg(value_name = "SCENARIO.toml")]
    scenario: Option<PathBuf>,
    /// Independent replications
    #[arg(long, default_value_t = 20)]
    replications: usize,
    /// Seed: the same seed gives the same output, byte for byte
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Worker threads (default: one per core); the output does not depend on it
    #[arg(long)]
    threads: Option<usize>,
    /// Print JSON instead of a table
    #[arg(long)]
    json: bool,
    /// Show no progress (by default: a bar on a terminal, else a line every few seconds, once a
    /// run has taken more than two seconds, or CHATCAP_PROGRESS_AFTER_S)
    #[arg(long)]
    quiet: bool,
    /// Also draw service level and ASA per interval and variation to this SVG file
    #[arg(long, value_name = "OUT.svg")]
    plot: Option<PathBuf>,
    /// Start from the floor as a vendor payload has it (LivePerson availableAgents or Comm100
    /// realTime/Agents; repeat for pages): its agents and their chats join the file's
    #[arg(long, value_name = "FILE", requires = "scenario")]
    live_agents: Vec<PathBuf>,
    /// With --live-agents: the queue payload (LivePerson queuestate or Comm100 realTime/Queue)
    /// whose waiting visitors the run starts with
    #[arg(long, value_name = "FILE", requires = "live_agents")]
    live_queue: Option<PathBuf>,
    #[command(flatten)]
    quick: QuickArgs,
}

/// The single-skill form, without a file.
#[derive(Args, Debug)]
pub(crate) struct QuickArgs {
    /// Agents, a head count (single-skill form)
    #[arg(long = "agent-count", alias = "agents", conflicts_with = "scenario")]
    agents: Option<u32>,
    /// Chats each agent may hold
    #[arg(long, default_value_t = 1)]
    max_chats: u32,
    /// Mean handle time in seconds
    #[arg(long, allow_negative_numbers = true)]
    aht_s: Option<f64>,
    /// Mean handle time per concurrency level in seconds, comma separated
    #[arg(long, value_delimiter = ',', allow_negative_numbers = true)]
    aht_by_concurrency: Option<Vec<f64>>,
    /// Arrivals per hour
    #[arg(long, allow_negative_numbers = true)]
    arrivals_per_hour: Option<f64>,
    /// Mean patience in seconds (visitors never give up without it)
    #[arg(long, allow_negative_numbers = true)]
    patience_s: Option<f64>,
    /// Service-level target in seconds
    #[arg(long, allow_negative_numbers = true)]
    target_s: Option<f64>,
    /// Hours to simulate, counted after a warm-up of one reporting interval (at most an hour)
    #[arg(long, allow_negative_numbers = true)]
    hours: Option<f64>,
}

/// Runs `chatcap simulate`.
pub(crate) fn simulate(a: SimulateArgs) -> Result<()> {
    let config = RunConfig { replications: a.replications, seed: a.seed, threads: a.threads };
    if a.replications == 0 {
        bail!("--replications must be at least 1");
    }
    match &a.scenario {
        Some(path) => {
            let bytes = crate::vendor::read_bounded(path, 64 * 1024 * 1024, "scenario")?;
            let text = String::from_utf8(bytes)
                .map_err(|e| anyhow::anyhow!("{}: not UTF-8 text: {e}", path.display()))?;
            let mut study = Study::from_toml(&text).with_context(|| path.display().to_string())?;
            if !a.live_agents.is_empty() {
                let (floor, warnings) = crate::vendor::load_files(&a.live_agents, a.live_queue.as_ref())?;
                crate::vendor::print_warnings(&warnings);
                let live = floor.to_snapshot();
                let idle = study.idle_live_agents(&live);
                if !idle.is_empty() {
                    let shown: Vec<&str> = idle.iter().take(5).map(|id| id.as_str()).collect();
                    eprintln!(
                        "warning: {} of the {} live agents ({}{}) have none of the skills the scenario sends \
                         traffic to: they join the floor but take no simulated chats",
                        idle.len(),
                        live.agents.len(),
                        shown.join(", "),
                        if idle.len() > shown.len() { ", ..." } else { "" }
                    );
                }
                study =
                    study.starting_from(&floor.to_snapshot()).with_context(|| path.display().to_string())?;
            }
            run_study(&study, &config, a.json, a.plot.as_ref(), a.quiet)
        }
        None => quick(&a.quick, &config, a.json, a.quiet),
    }
}

/// Runs `chatcap demo`: the built-in afternoon scenario, as a table.
pub(crate) fn demo() -> Result<()> {
    let study = Study::from_toml(DEMO).context("built-in scenario")?;
    crate::outln!(
        "Built-in scenario: a weekday afternoon on a three-skill floor (scenarios/afternoon.toml)\n"
    );
    run_study(&study, &RunConfig { replications: 20, seed: 1, threads: None }, false, None, false)
}

fn positive(name: &str, x: Option<f64>) -> Result<f64> {
    match x {
        Some(v) if v.is_finite() && v > 0.0 => Ok(v),
        Some(v) => bail!("--{name} {v}: expected a positive number"),
        None => bail!("--{name} is required for the single-skill form (or give a scenario file)"),
    }
}

fn quick(q: &QuickArgs, config: &RunConfig, json: bool, quiet: bool) -> Result<()> {
    let Some(agents) = q.agents else {
        bail!("give a scenario file, or --agent-count and the other single-skill options");
    };
    if agents == 0 || q.max_chats == 0 {
        bail!("--agent-count and --max-chats must be at least 1");
    }
    if agents as usize > chatcap_sim::limits::MAX_AGENTS {
        bail!("--agent-count {agents}: at most {} agents in a simulation", chatcap_sim::limits::MAX_AGENTS);
    }
    let aht = positive("aht-s", q.aht_s)?;
    let per_hour = positive("arrivals-per-hour", q.arrivals_per_hour)?;
    let target = match q.target_s {
        Some(t) if t.is_finite() && t >= 0.0 => t,
        Some(t) => bail!("--target-s {t}: expected a number of seconds of at least 0"),
        None => bail!("--target-s is required for the single-skill form"),
    };
    let hours = positive("hours", q.hours)?;
    let patience = match q.patience_s {
        None => Patience::Unlimited,
        p => Patience::Exponential { mean_s: positive("patience-s", p)? },
    };
    if let Some(levels) = &q.aht_by_concurrency
        && levels.len() != q.max_chats as usize
    {
        bail!(
            "--aht-by-concurrency has {} values; give one per level up to --max-chats {}",
            levels.len(),
            q.max_chats
        );
    }
    // Hour-long intervals; a partial last hour is a shorter run, not a longer one.
    let intervals = (hours.ceil() as usize).max(1) + 1;
    let scenario = Scenario {
        floor: Snapshot {
            skills: vec![Skill::new("chat")],
            agents: (0..agents)
                .map(|i| {
                    Agent::new(format!("agent-{i}"), AgentState::Online, Capacity::Limited(q.max_chats))
                        .with_skills(["chat".into()])
                })
                .collect(),
            ..Snapshot::default()
        },
        traffic: vec![Arrivals { skill: "chat".into(), per_hour: vec![per_hour] }],
        interval_s: 3600.0 * (hours / (intervals - 1) as f64),
        intervals,
        warmup_s: 3600.0 * (hours / (intervals - 1) as f64),
        handle: HandleTime::Exponential { mean_s: aht },
        aht_by_concurrency: q.aht_by_concurrency.clone(),
        patience,
        route_by: RouteBy::Ranking(Ranking::LeastLoaded),
        relaxations: vec![],
        schedule: vec![],
        target_s: target,
        by_interval: Default::default(),
    };
    let progress = Progress::new(1, quiet);
    let report = run_with_progress(&scenario, config, &progress, 0)?;
    progress.finish();
    warn_overload("", &report);
    let m = report.skills[0].total;
    let u = report.floor.agent_utilization;
    let fields: [(&str, Estimate); 8] = [
        ("p_wait", m.p_wait),
        ("p_abandon", m.p_abandon),
        ("asa_served_s", m.asa_s),
        ("mean_wait_all_s", m.mean_wait_all_s),
        ("service_level", m.service_level),
        ("agent_utilization", u),
        ("still_waiting", m.still_waiting),
        ("unserved", m.unserved),
    ];
    let mut out = serde_json::Map::new();
    for (name, e) in fields {
        out.insert(name.to_owned(), number(e.mean));
        out.insert(format!("{name}_ci95"), number(e.ci95));
    }
    out.insert("overloaded".to_owned(), serde_json::Value::Bool(report.overloaded));
    if json {
        crate::outln!("{}", serde_json::Value::Object(out));
    } else {
        for (k, v) in &out {
            crate::outln!("{k:<24} {v}");
        }
    }
    Ok(())
}

/// Says on stderr, per overloaded skill, that the floor cannot keep up.
fn warn_overload(prefix: &str, report: &Report) {
    for s in report.skills.iter().filter(|s| s.overloaded) {
        let waiting = s.total.still_waiting.mean;
        eprintln!(
            "warning: {prefix}skill {:?} is overloaded: visitors arrive faster than the agents can serve them, \
             so the queue grew by {:.0} visitors over the second half of the run and {:.0} were still waiting at \
             its end; waits grow with the length of the run, and these figures describe this run, not a steady state",
            s.skill.as_str(),
            s.backlog_growth.mean,
            waiting,
        );
    }
}

fn number(x: f64) -> serde_json::Value {
    serde_json::Number::from_f64(x).map_or(serde_json::Value::Null, serde_json::Value::Number)
}

/// Runs variation `index` of a study, reporting to `progress`.
fn run_with_progress(
    scenario: &Scenario,
    config: &RunConfig,
    progress: &Progress,
    index: usize,
) -> Result<Report> {
    Ok(simulate_observed(scenario, config, &|share| progress.advance(index, share))?)
}

#[derive(Serialize)]
struct JsonVariation<'a> {
    name: &'a str,
    report: &'a Report,
}

fn run_study(
    study: &Study,
    config: &RunConfig,
    json: bool,
    plot: Option<&PathBuf>,
    quiet: bool,
) -> Result<()> {
    // A plot that cannot be written is said before the run, not after it.
    let plot_file = plot
        .map(|path| {
            std::fs::File::create(path)
                .map(|f| (path, f))
                .with_context(|| format!("{}: cannot write the plot", path.display()))
        })
        .transpose()?;
    let mut results = Vec::new();
    let progress = Progress::new(study.scenarios.len(), quiet);
    for (index, (name, scenario)) in study.scenarios.iter().enumerate() {
        let report = run_with_progress(scenario, config, &progress, index)
            .with_context(|| format!("variation {name:?}"))?;
        warn_overload(&format!("variation {name:?}: "), &report);
        results.push((name.as_str(), report));
    }
    progress.finish();
    if json {
        let all: Vec<JsonVariation<'_>> =
            results.iter().map(|(name, report)| JsonVariation { name, report }).collect();
        crate::outln!("{}", serde_json::json!({ "variations": all }));
    } else {
        crate::out!("{}", table(&results)?);
    }
    if let Some((path, mut file)) = plot_file {
        use std::io::Write as _;
        let svg = crate::plot::service_level_and_asa(study, &results)?;
        file.write_all(svg.as_bytes())
            .with_context(|| format!("{}: cannot write the plot", path.display()))?;
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}

fn pct(e: Estimate) -> String {
    if e.mean.is_finite() {
        format!("{:5.1}% ±{:4.1}", e.mean * 100.0, e.ci95 * 100.0)
    } else {
        "     -      ".into()
    }
}

fn secs(e: Estimate) -> String {
    if e.mean.is_finite() { format!("{:6.1}s ±{:5.1}", e.mean, e.ci95) } else { "      -       ".into() }
}

fn table(results: &[(&str, Report)]) -> Result<String> {
    let mut out = String::new();
    let replications = results.first().map_or(0, |(_, r)| r.replications);
    writeln!(out, "{replications} replications; means with 95% confidence half-widths\n")?;
    writeln!(
        out,
        "{:<20} {:<10} {:>8} {:>14} {:>16} {:>14} {:>9} {:>14}",
        "variation", "skill", "offered", "service level", "ASA", "abandoned", "max queue", "utilization"
    )?;
    for (name, r) in results {
        for (k, s) in r.skills.iter().enumerate() {
            let m = s.total;
            let util = if k == 0 { pct(r.floor.agent_utilization) } else { String::new() };
            writeln!(
                out,
                "{:<20} {:<10} {:>8.0} {:>14} {:>16} {:>14} {:>9.1} {:>14}",
                if k == 0 { *name } else { "" },
                s.skill.as_str(),
                m.offered.mean,
                pct(m.service_level),
                secs(m.asa_s),
                pct(m.p_abandon),
                m.max_queue.mean,
                util,
            )?;
        }
    }
    Ok(out)
}
