//! `chatcap plan` and `chatcap schedule`: intraday staffing from a forecast, and shifts that
//! cover a requirement.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::{Context, Result};
use chatcap_plan::{
    Achieved, Estimate, Forecast, Limits, Methods, Plan, PlanConfig, Requirements, ScheduleObjective, Shifts,
    plan, schedule,
};
use clap::{Args, ValueEnum};
use serde_json::{Map, Value, json};

use crate::progress::Progress;

/// Which methods to run.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub(crate) enum MethodArg {
    Psa,
    Mol,
    Isa,
    All,
}

/// `chatcap plan`.
#[derive(Args, Debug)]
pub(crate) struct PlanArgs {
    /// The forecast (CSV: interval_start, skill, arrivals, aht_s[, patience_s])
    #[arg(value_name = "FORECAST.csv")]
    forecast: PathBuf,
    /// Service-level threshold in seconds: answered within this
    #[arg(long, allow_negative_numbers = true)]
    target_s: f64,
    /// Share to answer within --target-s (0 to 1)
    #[arg(long, allow_negative_numbers = true)]
    service_level: f64,
    /// Staff for a delay probability instead: at most this share waits at all
    #[arg(long, allow_negative_numbers = true)]
    delay_probability: Option<f64>,
    /// At most this share abandons (models with patience)
    #[arg(long, allow_negative_numbers = true)]
    max_abandon: Option<f64>,
    /// At most this agent occupancy (share of chat slots in use)
    #[arg(long, allow_negative_numbers = true)]
    max_occupancy: Option<f64>,
    /// Chats an agent holds at once
    #[arg(long, default_value_t = 1)]
    max_chats: u32,
    /// Mean handle time per concurrency level in seconds, comma separated (their ratios scale
    /// each interval's aht_s)
    #[arg(long, value_delimiter = ',', allow_negative_numbers = true)]
    aht_by_concurrency: Option<Vec<f64>>,
    /// Mean patience in seconds for every skill, over the forecast's patience_s
    #[arg(long, allow_negative_numbers = true)]
    patience_s: Option<f64>,
    /// Share of scheduled time lost to breaks and absence: scheduled = staffing / (1 - S)
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    shrinkage: f64,
    /// The staffing methods to run
    #[arg(long, value_enum, default_value = "all")]
    method: MethodArg,
    /// Replications of every simulation (ISA's iterations and each staffing's check; ISA's final
    /// simulation of the settled staffing runs four times as many)
    #[arg(long, default_value_t = 100)]
    replications: usize,
    /// Seed: the same seed gives the same output
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Worker threads (default: one per core); the output does not depend on it
    #[arg(long)]
    threads: Option<usize>,
    /// Print JSON instead of a table
    #[arg(long)]
    json: bool,
    /// Show no progress
    #[arg(long)]
    quiet: bool,
    /// Draw required agents and achieved service level per method to this SVG file
    #[arg(long, value_name = "OUT.svg")]
    plot: Option<PathBuf>,
    /// Write the agents to schedule per interval (the best method run) to this CSV file, for
    /// `chatcap schedule`
    #[arg(long, value_name = "OUT.csv")]
    requirements: Option<PathBuf>,
}

/// Runs `chatcap plan`.
pub(crate) fn run_plan(a: PlanArgs) -> Result<()> {
    let bytes = crate::vendor::read_bounded(&a.forecast, chatcap_plan::limits::MAX_BYTES as u64, "forecast")?;
    let text = String::from_utf8(bytes)
        .map_err(|e| anyhow::anyhow!("{}: not UTF-8 text: {e}", a.forecast.display()))?;
    let forecast = Forecast::parse(&text).with_context(|| a.forecast.display().to_string())?;
    let methods = match a.method {
        MethodArg::Psa => Methods { psa: true, mol: false, isa: false },
        MethodArg::Mol => Methods { psa: false, mol: true, isa: false },
        MethodArg::Isa => Methods { psa: false, mol: false, isa: true },
        MethodArg::All => Methods::ALL,
    };
    let config = PlanConfig {
        delay_probability: a.delay_probability,
        limits: Limits { max_occupancy: a.max_occupancy, max_abandon: a.max_abandon },
        max_chats: a.max_chats,
        aht_by_concurrency: a.aht_by_concurrency.clone(),
        patience_s: a.patience_s,
        shrinkage: a.shrinkage,
        methods,
        replications: a.replications,
        isa_final_replications: a.replications.saturating_mul(4).min(chatcap_sim::limits::MAX_REPLICATIONS),
        seed: a.seed,
        threads: a.threads,
        ..PlanConfig::new(a.target_s, a.service_level)
    };
    let progress = Progress::new(1, a.quiet);
    let result = plan(&forecast, &config, &|share| progress.advance(0, share));
    progress.finish();
    let p = result?;
    if let Some(path) = &a.requirements {
        std::fs::write(path, p.requirements(false).to_csv())
            .with_context(|| format!("writing {}", path.display()))?;
    }
    if let Some(path) = &a.plot {
        let svg = crate::plot::plan(&p, a.service_level, a.target_s)?;
        std::fs::write(path, svg).with_context(|| format!("writing {}", path.display()))?;
    }
    if a.json {
        outln!("{}", serde_json::to_string_pretty(&plan_json(&p))?);
    } else {
        out!("{}", plan_table(&p));
    }
    Ok(())
}

fn number(x: f64) -> Value {
    if x.is_finite() { json!(x) } else { Value::Null }
}

fn achieved_json(a: &Achieved) -> Value {
    let mut m = Map::new();
    let mut put = |name: &str, e: Estimate| {
        m.insert(name.to_owned(), number(e.mean));
        m.insert(format!("{name}_ci95"), number(e.ci95));
    };
    put("p_wait", a.p_wait);
    put("service_level", a.service_level);
    put("p_abandon", a.p_abandon);
    put("asa_s", a.asa_s);
    put("occupancy", a.occupancy);
    Value::Object(m)
}

/// The JSON answer: one entry per skill and interval.
fn plan_json(p: &Plan) -> Value {
    let mut intervals = Vec::new();
    for s in &p.skills {
        for iv in &s.intervals {
            let staffing: Map<String, Value> =
                iv.staffing.iter().map(|(k, v)| (k.to_owned(), json!(v))).collect();
            let scheduled: Map<String, Value> =
                iv.scheduled.iter().map(|(k, v)| (k.to_owned(), number(*v))).collect();
            let achieved: Map<String, Value> =
                iv.achieved.iter().map(|(k, v)| (k.to_owned(), achieved_json(v))).collect();
            intervals.push(json!({
                "start": iv.start,
                "skill": s.skill,
                "arrivals": number(iv.arrivals),
                "offered_load": number(iv.offered_load),
                "staffing": staffing,
                "scheduled": scheduled,
                "achieved": achieved,
            }));
        }
    }
    let isa: Map<String, Value> = p
        .skills
        .iter()
        .filter_map(|s| {
            let r = s.isa?;
            Some((
                s.skill.clone(),
                json!({
                    "iterations": r.iterations,
                    "converged": r.converged,
                    "cycle": r.cycle,
                    "final_replications": r.final_replications,
                }),
            ))
        })
        .collect();
    json!({
        "interval_s": p.interval_s,
        "intervals": intervals,
        "isa": isa,
        "method_notes": p.method_notes,
    })
}

fn pct(e: Option<Estimate>) -> String {
    match e {
        Some(e) if e.mean.is_finite() => format!("{:.0}±{:.0}", e.mean * 100.0, e.ci95.max(0.0) * 100.0),
        _ => "-".into(),
    }
}

/// The table: per skill, per interval, the staffing and achieved service level of each method.
fn plan_table(p: &Plan) -> String {
    let mut s = String::new();
    let methods: Vec<&str> = p
        .skills
        .first()
        .and_then(|k| k.intervals.first())
        .map_or(Vec::new(), |iv| iv.staffing.iter().map(|(m, _)| m).collect());
    for k in &p.skills {
        let _ = writeln!(s, "skill {}", k.skill);
        let mut head = format!("{:<6} {:>8} {:>7}", "start", "arrivals", "load");
        for m in &methods {
            let _ = write!(head, " {:>4} {:>8} {:>8}", m, "SL%", "P(w)%");
        }
        let _ = writeln!(s, "{head}");
        for iv in &k.intervals {
            let _ = write!(s, "{:<6} {:>8.1} {:>7.1}", iv.start, iv.arrivals, iv.offered_load);
            for (m, n) in iv.staffing.iter() {
                let a = match m {
                    "psa" => iv.achieved.psa,
                    "mol" => iv.achieved.mol,
                    _ => iv.achieved.isa,
                };
                let _ = write!(
                    s,
                    " {:>4} {:>8} {:>8}",
                    n,
                    pct(a.map(|a| a.service_level)),
                    pct(a.map(|a| a.p_wait))
                );
            }
            let _ = writeln!(s);
        }
        let totals: Vec<String> = k
            .intervals
            .first()
            .map(|iv| iv.staffing.iter().map(|(m, _)| m).collect::<Vec<_>>())
            .unwrap_or_default()
            .into_iter()
            .map(|m| {
                let sum: u64 = k
                    .intervals
                    .iter()
                    .map(|iv| {
                        u64::from(
                            match m {
                                "psa" => iv.staffing.psa,
                                "mol" => iv.staffing.mol,
                                _ => iv.staffing.isa,
                            }
                            .unwrap_or(0),
                        )
                    })
                    .sum();
                format!("{m} {:.1}", sum as f64 * f64::from(p.interval_s) / 3600.0)
            })
            .collect();
        let _ = writeln!(s, "agent-hours: {}", totals.join(", "));
        let _ = writeln!(s);
    }
    let _ = writeln!(s, "SL% and P(w)%: achieved in simulation, mean ± 95% half-width.");
    for n in &p.method_notes {
        let _ = writeln!(s, "- {n}");
    }
    s
}

/// Objectives of `chatcap schedule`.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub(crate) enum ObjectiveArg {
    Cost,
    Deviation,
}

/// `chatcap schedule`.
#[derive(Args, Debug)]
pub(crate) struct ScheduleArgs {
    /// The requirement (CSV columns: day (optional), interval_start, skill (optional), required), as `chatcap plan
    /// --requirements` writes it
    #[arg(value_name = "REQUIREMENTS.csv")]
    requirements: PathBuf,
    /// The shift templates (TOML)
    #[arg(long, value_name = "SHIFTS.toml")]
    shifts: PathBuf,
    /// Days to schedule (a requirement of one day repeats on each)
    #[arg(long, default_value_t = 7)]
    days: usize,
    /// What to minimize
    #[arg(long, value_enum, default_value = "cost")]
    objective: ObjectiveArg,
    /// Print JSON instead of a table
    #[arg(long)]
    json: bool,
}

/// Runs `chatcap schedule`.
pub(crate) fn run_schedule(a: ScheduleArgs) -> Result<()> {
    let read = |path: &PathBuf, what: &str| -> Result<String> {
        let bytes = crate::vendor::read_bounded(path, chatcap_plan::limits::MAX_BYTES as u64, what)?;
        String::from_utf8(bytes).map_err(|e| anyhow::anyhow!("{}: not UTF-8 text: {e}", path.display()))
    };
    let req = Requirements::parse(&read(&a.requirements, "requirements")?)
        .with_context(|| a.requirements.display().to_string())?;
    let shifts =
        Shifts::from_toml(&read(&a.shifts, "shifts")?).with_context(|| a.shifts.display().to_string())?;
    let objective = match a.objective {
        ObjectiveArg::Cost => ScheduleObjective::Cost,
        ObjectiveArg::Deviation => ScheduleObjective::Deviation,
    };
    let s = schedule(&req, &shifts, a.days, objective)?;
    if a.json {
        outln!("{}", serde_json::to_string_pretty(&s)?);
        return Ok(());
    }
    let mut t = String::new();
    let _ = writeln!(t, "{:<12} {:>6} {:>6} {:<10} {:>6}", "shift", "start", "break", "days", "agents");
    for x in &s.assignments {
        let _ = writeln!(
            t,
            "{:<12} {:>6} {:>6} {:<10} {:>6}",
            x.shift,
            x.start,
            x.break_start.as_deref().unwrap_or("-"),
            x.pattern,
            x.agents
        );
    }
    let total: u32 = s.assignments.iter().map(|x| x.agents).sum();
    let _ = writeln!(t, "agents: {total}");
    let _ = writeln!(
        t,
        "objective {:.2}, LP bound {:.2}, gap {:.2}% ({})",
        s.objective,
        s.bound,
        s.gap * 100.0,
        s.method
    );
    if s.uncovered.is_empty() {
        let _ = writeln!(t, "every interval covered");
    } else {
        let _ = writeln!(
            t,
            "intervals left short (no shift can cover them), {} per agent short in the objective:",
            s.short_penalty
        );
        for c in &s.uncovered {
            let _ = writeln!(
                t,
                "  day {} {}: required {:.2}, scheduled {}, short {:.2}",
                c.day, c.start, c.required, c.scheduled, c.short
            );
        }
    }
    out!("{t}");
    Ok(())
}
