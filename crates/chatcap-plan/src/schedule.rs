//! Shift scheduling: how many agents start each shift template, as an integer program.
//!
//! Each column of the program is one way to work: a template, a start time, a break start
//! within the template's window and a pattern of days worked. Its variable is the number of
//! agents who work that way. Each interval of each day has a cover row: the agents working it
//! plus a shortfall variable reach the requirement. The shortfall carries a large penalty, so
//! an interval no shift can cover (outside opening hours, past a headcount cap) is reported by
//! how many agents it lacks rather than making the program infeasible.

use good_lp::{Expression, ProblemVariables, Solution, SolverModel, Variable, microlp, variable};

use crate::PlanError;
use crate::forecast::parse_clock;
use crate::requirements::Requirements;

/// The penalty per agent short in an interval: far above any shift's cost.
const SHORT_PENALTY: f64 = 10_000.0;
/// Programs with at most this many columns are solved exactly by branch and bound; larger ones
/// round the LP relaxation up and then drop agents greedily while nothing gets worse (the gap to
/// the relaxation's bound says how far from optimal that can be).
pub const EXACT_COLUMNS: usize = 40;
/// The most columns (ways to work) a program may have.
pub const MAX_COLUMNS: usize = 20_000;

/// What the schedule minimizes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScheduleObjective {
    /// The cost of the shifts (their hours unless a cost is given), every interval covered.
    Cost,
    /// Agent-intervals over and under the requirement, summed.
    Deviation,
}

/// One shift template of a shift file.
#[derive(Clone, Debug, PartialEq, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct ShiftTemplate {
    /// The template's name.
    pub name: String,
    /// Start times, `HH:MM`, on the requirement's interval grid.
    pub starts: Vec<String>,
    /// Length in hours, a whole number of intervals.
    pub hours: f64,
    /// The cost of one agent working it one day (default: its hours).
    #[serde(default)]
    pub cost: Option<f64>,
    /// The break: its length and the window its start falls in, in minutes after the shift's
    /// start.
    #[serde(default, rename = "break")]
    pub break_window: Option<BreakWindow>,
    /// Days-worked patterns, one character per day (`1` works, `0` is off): `"1111100"` works
    /// the first five days. Default: every day.
    #[serde(default)]
    pub patterns: Vec<String>,
}

/// A break's length and window.
#[derive(Clone, Copy, Debug, PartialEq, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct BreakWindow {
    /// Length in minutes, a whole number of intervals.
    pub minutes: u32,
    /// The earliest start, in minutes after the shift starts.
    pub earliest_min: u32,
    /// The latest start, in minutes after the shift starts.
    pub latest_min: u32,
}

/// A shift file: templates, opening hours and a headcount cap.
///
/// # Examples
///
/// ```
/// use chatcap_plan::Shifts;
/// let s = Shifts::from_toml(
///     r#"
///     opening = "08:00"
///     closing = "20:00"
///     [[shift]]
///     name = "day"
///     starts = ["08:00", "09:00"]
///     hours = 8
///     "#,
/// )?;
/// assert_eq!(s.shift[0].name, "day");
/// # Ok::<(), chatcap_plan::PlanError>(())
/// ```
#[derive(Clone, Debug, PartialEq, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Shifts {
    /// No shift starts before this (`HH:MM`).
    #[serde(default)]
    pub opening: Option<String>,
    /// No shift ends after this (`HH:MM`).
    #[serde(default)]
    pub closing: Option<String>,
    /// The most agents in the schedule.
    #[serde(default)]
    pub max_agents: Option<u32>,
    /// The templates.
    pub shift: Vec<ShiftTemplate>,
}

impl Shifts {
    /// Reads a shift file.
    ///
    /// # Errors
    ///
    /// [`PlanError::Shifts`] with the line and column of a TOML error or an unknown key.
    pub fn from_toml(text: &str) -> Result<Shifts, PlanError> {
        toml::from_str(text).map_err(|e| {
            let at = e.span().map(|span| {
                let before = &text[..span.start.min(text.len())];
                let line = before.matches('\n').count() + 1;
                let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
                (line, column)
            });
            PlanError::Shifts { at, problem: e.message().to_owned() }
        })
    }
}

/// Agents starting one way to work.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Assignment {
    /// The template.
    pub shift: String,
    /// The start, `HH:MM`.
    pub start: String,
    /// The break's start, `HH:MM`, if the template has one.
    pub break_start: Option<String>,
    /// The days worked, one character a day.
    pub pattern: String,
    /// Agents.
    pub agents: u32,
}

/// One interval's requirement against its cover.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Coverage {
    /// The day, from 0.
    pub day: usize,
    /// The interval's start, `HH:MM`.
    pub start: String,
    /// Agents required.
    pub required: f64,
    /// Agents working it.
    pub scheduled: u32,
    /// Agents missing (0 when covered).
    pub short: f64,
}

/// A schedule and how good it is.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Schedule {
    /// Agents per way to work (only those with some).
    pub assignments: Vec<Assignment>,
    /// Every interval of every day.
    pub coverage: Vec<Coverage>,
    /// The integer solution's objective (including shortfall penalties).
    pub objective: f64,
    /// The LP relaxation's objective: no schedule does better.
    pub bound: f64,
    /// `(objective − bound) / objective`, 0 when the objective is 0.
    pub gap: f64,
    /// The penalty per agent short in an interval, part of the objective.
    pub short_penalty: f64,
    /// The intervals left short: no way to work covers them (opening hours, headcount).
    pub uncovered: Vec<Coverage>,
    /// How the integer solution was found: `"branch and bound"` (optimal) or `"LP rounded up,
    /// then improved greedily"` (within the gap of optimal).
    pub method: &'static str,
}

struct Column {
    template: usize,
    start_s: u32,
    break_s: Option<u32>,
    pattern: Vec<bool>,
    cost: f64,
    /// Intervals of a day worked, as indices into the day's grid.
    covers: Vec<usize>,
}

fn hhmm(s: u32) -> String {
    format!("{:02}:{:02}", s / 3600 % 24, s % 3600 / 60)
}

/// Schedules `days` days of `requirements` with `shifts` (a requirement of one day repeats on
/// every day).
///
/// # Errors
///
/// [`PlanError::Shifts`] for a template that does not fit the requirement's grid or days;
/// [`PlanError::TooLarge`] past [`MAX_COLUMNS`]; [`PlanError::Solver`] if the solver fails.
/// An interval that cannot be covered is no error: it is in [`Schedule::uncovered`].
///
/// # Examples
///
/// ```
/// use chatcap_plan::{Requirements, ScheduleObjective, Shifts, schedule};
/// let req = Requirements::parse("interval_start,required\n08:00,1\n09:00,2\n10:00,1\n")?;
/// let shifts = Shifts::from_toml("[[shift]]\nname = \"a\"\nstarts = [\"08:00\", \"09:00\"]\nhours = 2\n")?;
/// let s = schedule(&req, &shifts, 1, ScheduleObjective::Cost)?;
/// assert_eq!(s.objective, 4.0); // one agent 08-10, one 09-11
/// assert!(s.uncovered.is_empty() && s.bound <= s.objective);
/// # Ok::<(), chatcap_plan::PlanError>(())
/// ```
pub fn schedule(
    requirements: &Requirements,
    shifts: &Shifts,
    days: usize,
    objective: ScheduleObjective,
) -> Result<Schedule, PlanError> {
    let bad = |problem: String| PlanError::Shifts { at: None, problem };
    if !(1..=31).contains(&days) {
        return Err(PlanError::Setting {
            setting: "--days",
            problem: format!("must be from 1 to 31, got {days}"),
        });
    }
    let req_days = requirements.days();
    if req_days != 1 && req_days != days {
        return Err(PlanError::Setting {
            setting: "--days",
            problem: format!(
                "is {days}, but the requirements cover {req_days} days (give one day, or as many as --days)"
            ),
        });
    }
    let by_slot = requirements.total_by_slot();
    let n = requirements.intervals();
    let step = requirements.interval_s();
    let first = requirements.first_s();
    let clock = |what: &str, s: &str| {
        parse_clock(s).map(|t| t as u32).ok_or_else(|| bad(format!("{what} {s:?} is not a time HH:MM")))
    };
    let opening = shifts.opening.as_deref().map(|s| clock("opening", s)).transpose()?;
    let closing = shifts.closing.as_deref().map(|s| clock("closing", s)).transpose()?;
    let mut columns = Vec::new();
    for (t, tpl) in shifts.shift.iter().enumerate() {
        let len_s = tpl.hours * 3600.0;
        if !(len_s > 0.0 && len_s <= 86_400.0) || (len_s / f64::from(step)).fract() != 0.0 {
            return Err(bad(format!(
                "shift {}: hours {} must be a whole number of {}-minute intervals, at most 24",
                tpl.name,
                tpl.hours,
                step / 60
            )));
        }
        let len = (len_s / f64::from(step)) as usize;
        let cost = tpl.cost.unwrap_or(tpl.hours);
        if !(cost.is_finite() && cost >= 0.0) {
            return Err(bad(format!("shift {}: cost must be at least 0", tpl.name)));
        }
        let patterns: Vec<Vec<bool>> = if tpl.patterns.is_empty() {
            vec![vec![true; days]]
        } else {
            tpl.patterns
                .iter()
                .map(|p| {
                    let v: Vec<bool> = p.chars().map(|c| c == '1').collect();
                    if v.len() != days || !p.chars().all(|c| c == '0' || c == '1') {
                        Err(bad(format!(
                            "shift {}: pattern {p:?} must be {days} characters of 0 and 1",
                            tpl.name
                        )))
                    } else {
                        Ok(v)
                    }
                })
                .collect::<Result<_, _>>()?
        };
        let breaks: Vec<Option<(usize, usize)>> = match tpl.break_window {
            None => vec![None],
            Some(b) => {
                // Within a day, so that the seconds below neither wrap nor walk a long loop.
                if b.minutes.max(b.earliest_min).max(b.latest_min) > 1_440 {
                    return Err(bad(format!(
                        "shift {}: the break's minutes, earliest_min and latest_min must be at most 1440",
                        tpl.name
                    )));
                }
                let blen = b.minutes * 60;
                if blen == 0
                    || blen % step != 0
                    || (b.earliest_min * 60) % step != 0
                    || b.latest_min < b.earliest_min
                {
                    return Err(bad(format!(
                        "shift {}: the break's minutes and window must be whole {}-minute intervals, earliest before latest",
                        tpl.name,
                        step / 60
                    )));
                }
                let mut v = Vec::new();
                let mut at = b.earliest_min * 60;
                while at <= b.latest_min * 60 {
                    let (k, l) = ((at / step) as usize, (blen / step) as usize);
                    if k + l <= len {
                        v.push(Some((k, l)));
                    }
                    at += step;
                }
                if v.is_empty() {
                    return Err(bad(format!("shift {}: the break does not fit in the shift", tpl.name)));
                }
                v
            }
        };
        for s in &tpl.starts {
            let start = clock(&format!("shift {} start", tpl.name), s)?;
            let offset = i64::from(start) - i64::from(first);
            if offset % i64::from(step) != 0 {
                return Err(bad(format!(
                    "shift {} starts at {s}, off the requirement's {}-minute grid from {}",
                    tpl.name,
                    step / 60,
                    hhmm(first)
                )));
            }
            let end = start + len as u32 * step;
            if opening.is_some_and(|o| start < o) || closing.is_some_and(|c| end > c) {
                continue; // outside opening hours: not a way to work
            }
            // May be before the first interval: a shift that starts before the requirement does
            // covers only the intervals it has.
            let k0 = offset / i64::from(step);
            for br in &breaks {
                let covers: Vec<usize> = (0..len)
                    .filter(|j| br.is_none_or(|(k, l)| *j < k || *j >= k + l))
                    .filter_map(|j| usize::try_from(k0 + j as i64).ok())
                    .filter(|i| *i < n)
                    .collect();
                for p in &patterns {
                    if columns.len() >= MAX_COLUMNS {
                        return Err(PlanError::TooLarge {
                            what: "ways to work (columns)",
                            found: columns.len() + 1,
                            limit: MAX_COLUMNS,
                        });
                    }
                    columns.push(Column {
                        template: t,
                        start_s: start,
                        break_s: br.map(|(k, _)| start + k as u32 * step),
                        pattern: p.clone(),
                        cost,
                        covers: covers.clone(),
                    });
                }
            }
        }
    }
    let required = |d: usize, i: usize| by_slot[if req_days == 1 { 0 } else { d }][i];
    let solve = |integer: bool| -> Result<(f64, Vec<f64>, Vec<f64>), PlanError> {
        let mut vars = ProblemVariables::new();
        let x: Vec<Variable> = columns
            .iter()
            .map(|_| {
                let v = variable().min(0);
                let v = match shifts.max_agents {
                    Some(m) => v.max(f64::from(m)),
                    None => v,
                };
                vars.add(if integer { v.integer() } else { v })
            })
            .collect();
        let under: Vec<Variable> = (0..days * n).map(|_| vars.add(variable().min(0))).collect();
        let over: Vec<Variable> = match objective {
            ScheduleObjective::Deviation => (0..days * n).map(|_| vars.add(variable().min(0))).collect(),
            ScheduleObjective::Cost => Vec::new(),
        };
        let mut goal = Expression::from(0.0);
        match objective {
            ScheduleObjective::Cost => {
                for (c, v) in columns.iter().zip(&x) {
                    goal += c.cost * c.pattern.iter().filter(|w| **w).count() as f64 * *v;
                }
                for u in &under {
                    goal += SHORT_PENALTY * *u;
                }
            }
            ScheduleObjective::Deviation => {
                for u in &under {
                    goal += SHORT_PENALTY * *u;
                }
                for o in &over {
                    goal += *o;
                }
            }
        }
        let mut model = vars.minimise(goal).using(microlp);
        let mut cover: Vec<Expression> = vec![Expression::from(0.0); days * n];
        for (c, v) in columns.iter().zip(&x) {
            for (d, works) in c.pattern.iter().enumerate() {
                if *works {
                    for &i in &c.covers {
                        cover[d * n + i] += *v;
                    }
                }
            }
        }
        for (k, e) in cover.into_iter().enumerate() {
            let r = required(k / n, k % n);
            match objective {
                ScheduleObjective::Cost => model = model.with((e + under[k]).geq(r)),
                ScheduleObjective::Deviation => model = model.with((e - over[k] + under[k]).eq(r)),
            }
        }
        if let Some(m) = shifts.max_agents {
            let mut total = Expression::from(0.0);
            for v in &x {
                total += *v;
            }
            model = model.with(total.leq(f64::from(m)));
        }
        let sol = model.solve().map_err(|e| PlanError::Solver { reason: e.to_string() })?;
        let xs: Vec<f64> = x.iter().map(|v| sol.value(*v)).collect();
        let us: Vec<f64> = under.iter().map(|v| sol.value(*v)).collect();
        let os: Vec<f64> = over.iter().map(|v| sol.value(*v)).collect();
        let value = match objective {
            ScheduleObjective::Cost => {
                columns
                    .iter()
                    .zip(&xs)
                    .map(|(c, v)| c.cost * c.pattern.iter().filter(|w| **w).count() as f64 * v)
                    .sum::<f64>()
                    + us.iter().sum::<f64>() * SHORT_PENALTY
            }
            ScheduleObjective::Deviation => os.iter().sum::<f64>() + us.iter().sum::<f64>() * SHORT_PENALTY,
        };
        Ok((value, xs, us))
    };
    let (bound, relaxed, _) = solve(false)?;
    let exact = columns.len() <= EXACT_COLUMNS;
    let agents: Vec<u32> = if exact {
        solve(true)?.1.iter().map(|v| v.round().max(0.0) as u32).collect()
    } else {
        round_up(&columns, &relaxed, n, days, &required, shifts.max_agents, objective)
    };
    // The objective and cover recomputed from the rounded integer solution.
    let mut scheduled = vec![0u32; days * n];
    for (c, a) in columns.iter().zip(&agents) {
        for (d, works) in c.pattern.iter().enumerate() {
            if *works {
                for &i in &c.covers {
                    scheduled[d * n + i] = scheduled[d * n + i].saturating_add(*a);
                }
            }
        }
    }
    let coverage: Vec<Coverage> = (0..days * n)
        .map(|k| {
            let r = required(k / n, k % n);
            Coverage {
                day: k / n,
                start: hhmm(first + (k % n) as u32 * step),
                required: r,
                scheduled: scheduled[k],
                short: (r - f64::from(scheduled[k])).max(0.0),
            }
        })
        .collect();
    let short: f64 = coverage.iter().map(|c| c.short).sum();
    let value = match objective {
        ScheduleObjective::Cost => {
            columns
                .iter()
                .zip(&agents)
                .map(|(c, a)| c.cost * c.pattern.iter().filter(|w| **w).count() as f64 * f64::from(*a))
                .sum::<f64>()
                + short * SHORT_PENALTY
        }
        ScheduleObjective::Deviation => {
            coverage.iter().map(|c| (f64::from(c.scheduled) - c.required).max(0.0)).sum::<f64>()
                + short * SHORT_PENALTY
        }
    };
    // The relaxation's optimum is at most the integer one; only the solver's tolerance could
    // put it a hair above.
    let bound = bound.min(value);
    let gap = if value > 0.0 { (value - bound) / value } else { 0.0 };
    let assignments = columns
        .iter()
        .zip(&agents)
        .filter(|(_, a)| **a > 0)
        .map(|(c, a)| Assignment {
            shift: shifts.shift[c.template].name.clone(),
            start: hhmm(c.start_s),
            break_start: c.break_s.map(hhmm),
            pattern: c.pattern.iter().map(|w| if *w { '1' } else { '0' }).collect(),
            agents: *a,
        })
        .collect();
    let uncovered = coverage.iter().filter(|c| c.short > 1e-9).cloned().collect();
    let method = if exact { "branch and bound" } else { "LP rounded up, then improved greedily" };
    Ok(Schedule {
        assignments,
        coverage,
        objective: value,
        bound,
        gap,
        short_penalty: SHORT_PENALTY,
        uncovered,
        method,
    })
}

/// An integer schedule from the LP relaxation: every column rounded up (so the cover is at least
/// the relaxation's), trimmed to the headcount cap, then agents removed one at a time, dearest
/// first, while the objective does not grow.
fn round_up(
    columns: &[Column],
    relaxed: &[f64],
    n: usize,
    days: usize,
    required: &dyn Fn(usize, usize) -> f64,
    max_agents: Option<u32>,
    objective: ScheduleObjective,
) -> Vec<u32> {
    let mut agents: Vec<u32> = relaxed.iter().map(|v| (v - 1e-7).ceil().max(0.0) as u32).collect();
    let mut cover = vec![0i64; days * n];
    let add = |cover: &mut Vec<i64>, c: &Column, k: i64| {
        for (d, works) in c.pattern.iter().enumerate() {
            if *works {
                for &i in &c.covers {
                    cover[d * n + i] += k;
                }
            }
        }
    };
    for (c, a) in columns.iter().zip(&agents) {
        add(&mut cover, c, i64::from(*a));
    }
    let day_cost = |c: &Column| c.cost * c.pattern.iter().filter(|w| **w).count() as f64;
    // What removing one agent of column `c` changes in the objective.
    let delta = |cover: &[i64], c: &Column| -> f64 {
        let mut change = match objective {
            ScheduleObjective::Cost => -day_cost(c),
            ScheduleObjective::Deviation => 0.0,
        };
        for (d, works) in c.pattern.iter().enumerate() {
            if *works {
                for &i in &c.covers {
                    let k = d * n + i;
                    let (r, now) = (required(d, i), cover[k] as f64);
                    let short = |x: f64| (r - x).max(0.0) * SHORT_PENALTY;
                    let over = |x: f64| match objective {
                        ScheduleObjective::Deviation => (x - r).max(0.0),
                        ScheduleObjective::Cost => 0.0,
                    };
                    change += short(now - 1.0) - short(now) + over(now - 1.0) - over(now);
                }
            }
        }
        change
    };
    let mut order: Vec<usize> = (0..columns.len()).collect();
    order.sort_by(|&a, &b| day_cost(&columns[b]).total_cmp(&day_cost(&columns[a])).then(a.cmp(&b)));
    if let Some(cap) = max_agents {
        while agents.iter().map(|a| u64::from(*a)).sum::<u64>() > u64::from(cap) {
            // Drop the agent whose loss costs least.
            let Some(&j) = order
                .iter()
                .filter(|&&j| agents[j] > 0)
                .min_by(|&&a, &&b| delta(&cover, &columns[a]).total_cmp(&delta(&cover, &columns[b])))
            else {
                break;
            };
            agents[j] -= 1;
            add(&mut cover, &columns[j], -1);
        }
    }
    loop {
        let mut improved = false;
        for &j in &order {
            while agents[j] > 0 && delta(&cover, &columns[j]) < -1e-9 {
                agents[j] -= 1;
                add(&mut cover, &columns[j], -1);
                improved = true;
            }
        }
        if !improved {
            return agents;
        }
    }
}
