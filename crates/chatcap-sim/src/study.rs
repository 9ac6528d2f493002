//! Scenario files: a base floor, its traffic, and named variations, in TOML.
//!
//! ```toml
//! [run]
//! interval_minutes = 15
//! intervals = 8
//! warmup_minutes = 15
//! target_seconds = 60
//! routing = "least-loaded"      # most-free, fewest-chats, longest-in-state, round-robin
//! starts_at = "13:00"           # optional: the time of day at minute 0, for plots
//! service_level_goal = 0.8      # optional: the service level aimed at, drawn as a line
//!
//! [handle_time]
//! distribution = "exponential"  # lognormal (with sd_seconds), empirical (with samples_seconds)
//! mean_seconds = 420
//! by_concurrency_seconds = [420, 480, 560]   # optional: slower at 2 and 3 chats
//!
//! [patience]                    # leave out for visitors who never give up
//! mean_seconds = 180
//!
//! [[skills]]
//! id = "sales"
//!
//! [[agents]]                    # a group of alike agents: sales-0, sales-1, ...
//! count = 6
//! id_prefix = "sales-"
//! skills = ["sales"]
//! max_chats = 3                 # or "unlimited"
//! shift_minutes = [0, 120]      # online from 0 to 120 (optional: all run long)
//! breaks_minutes = [[60, 75]]   # away from 60 to 75 (optional)
//!
//! [[traffic]]
//! skill = "sales"
//! per_hour = [60, 80, 100, 90]  # one rate per interval; the last one holds after
//!
//! [[variations]]
//! name = "two more agents"
//! add_agents = [{ count = 2, id_prefix = "extra-", skills = ["sales"], max_chats = 3 }]
//!
//! [[variations]]
//! name = "traffic +50%"
//! scale_traffic = 1.5
//! ```

use std::ops::Range;
use std::time::Duration;

use chatcap_core::{
    Agent, AgentId, AgentState, Capacity, Ranking, Relaxation, RouteBy, Skill, SkillId, Snapshot,
};
use serde::Deserialize;
use toml::Spanned;

use crate::{Arrivals, HandleTime, IntervalFactors, Patience, Scenario, SimError, StateChange};

/// A scenario file: the base scenario and its variations, each a scenario of its own.
#[derive(Clone, Debug)]
pub struct Study {
    /// `("base", …)` first, then each variation by its name, in file order.
    pub scenarios: Vec<(String, Scenario)>,
    /// The time of day at the run's start, in seconds after midnight (`starts_at`).
    pub starts_at_s: Option<u32>,
    /// The service level aimed at (`service_level_goal`), for plots and tables.
    pub service_level_goal: Option<f64>,
}

/// A change to a scenario file's values, made as the file is read, before its scenarios are
/// built: the base scenario and every variation see it. A sweep makes one set per grid point.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Setting {
    /// The head count of the `[[agents]]` group whose `id_prefix` is `group`, or `group`
    /// followed by `-` (`"sales"` names the group of prefix `"sales-"`).
    AgentCount {
        /// The group's prefix.
        group: String,
        /// Its new head count.
        count: usize,
    },
    /// Every traffic rate times this factor (at least 0).
    TrafficScale(f64),
    /// Every handle time (the mean, the standard deviation, the samples and the means per
    /// concurrency level) times this factor (above 0).
    AhtScale(f64),
    /// Every agent group's chat limit.
    MaxChats(Capacity),
    /// The routing rule, as a file names it (`least-loaded`, ..., `round-robin`).
    Routing(String),
    /// The mean patience in seconds (above 0): visitors give up, exponentially.
    PatienceS(f64),
    /// The service-level target time in seconds (at least 0).
    TargetS(f64),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    run: Run,
    handle_time: Handle,
    patience: Option<PatienceTable>,
    skills: Vec<SkillRow>,
    #[serde(default)]
    agents: Vec<AgentGroup>,
    traffic: Vec<TrafficRow>,
    #[serde(default)]
    relaxations: Vec<RelaxRow>,
    #[serde(default)]
    variations: Vec<Variation>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Run {
    interval_minutes: f64,
    intervals: usize,
    #[serde(default)]
    warmup_minutes: f64,
    target_seconds: f64,
    #[serde(default)]
    routing: Option<Spanned<String>>,
    starts_at: Option<Spanned<String>>,
    service_level_goal: Option<Spanned<f64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Handle {
    distribution: Spanned<String>,
    mean_seconds: Option<f64>,
    sd_seconds: Option<f64>,
    samples_seconds: Option<Vec<f64>>,
    by_concurrency_seconds: Option<Vec<f64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PatienceTable {
    mean_seconds: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SkillRow {
    id: String,
    name: Option<String>,
}

/// A number of chats, or the word `unlimited`.
type MaxChats = Spanned<toml::Value>;

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct AgentGroup {
    count: usize,
    id_prefix: String,
    skills: Vec<Spanned<String>>,
    max_chats: MaxChats,
    shift_minutes: Option<Spanned<[f64; 2]>>,
    #[serde(default)]
    breaks_minutes: Option<Spanned<Vec<[f64; 2]>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TrafficRow {
    skill: Spanned<String>,
    per_hour: Vec<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RelaxRow {
    skill: Spanned<String>,
    after_seconds: f64,
    fallbacks: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Variation {
    name: String,
    #[serde(default)]
    add_agents: Vec<AgentGroup>,
    #[serde(default)]
    remove_agents: Vec<Spanned<String>>,
    scale_traffic: Option<f64>,
    max_chats: Option<MaxChats>,
    routing: Option<Spanned<String>>,
    patience_mean_seconds: Option<f64>,
}

/// Changes a file's values as a [`Setting`] says.
fn apply(file: &mut File, setting: &Setting) -> Result<(), SimError> {
    let invalid = |field: &str, problem: String| SimError::Invalid { field: field.to_owned(), problem };
    let scale = |values: &mut [f64], f: f64| values.iter_mut().for_each(|v| *v *= f);
    match setting {
        Setting::AgentCount { group, count } => {
            let dashed = format!("{group}-");
            let Some(g) = file.agents.iter_mut().find(|g| g.id_prefix == *group || g.id_prefix == dashed)
            else {
                let known: Vec<&str> = file.agents.iter().map(|g| g.id_prefix.as_str()).collect();
                return Err(invalid(
                    &format!("agents.{group}"),
                    format!(
                        "names no [[agents]] group: none has id_prefix {group:?} or {dashed:?} (the groups: {})",
                        known.join(", ")
                    ),
                ));
            };
            g.count = *count;
        }
        Setting::TrafficScale(f) => {
            if !(f.is_finite() && *f >= 0.0) {
                return Err(invalid(
                    "traffic_scale",
                    format!("must be a finite factor of at least 0, got {f}"),
                ));
            }
            file.traffic.iter_mut().for_each(|t| scale(&mut t.per_hour, *f));
        }
        Setting::AhtScale(f) => {
            if !(f.is_finite() && *f > 0.0) {
                return Err(invalid("aht_scale", format!("must be a finite factor above 0, got {f}")));
            }
            let h = &mut file.handle_time;
            for x in [&mut h.mean_seconds, &mut h.sd_seconds].into_iter().flatten() {
                *x *= f;
            }
            for xs in [&mut h.samples_seconds, &mut h.by_concurrency_seconds].into_iter().flatten() {
                scale(xs, *f);
            }
        }
        Setting::MaxChats(cap) => {
            let value = match cap {
                Capacity::Unlimited => toml::Value::String("unlimited".to_owned()),
                Capacity::Limited(n) => toml::Value::Integer(i64::from(*n)),
            };
            for g in &mut file.agents {
                g.max_chats = Spanned::new(g.max_chats.span(), value.clone());
            }
        }
        Setting::Routing(rule) => {
            if rule != "round-robin" && !Ranking::ALL.iter().any(|k| k.as_str() == rule) {
                return Err(invalid(
                    "routing",
                    format!(
                        "unknown routing {rule:?}; expected least-loaded, most-free, fewest-chats, longest-in-state or round-robin"
                    ),
                ));
            }
            let span = file.run.routing.as_ref().map_or(0..0, Spanned::span);
            file.run.routing = Some(Spanned::new(span, rule.clone()));
        }
        Setting::PatienceS(p) => {
            if !(p.is_finite() && *p > 0.0) {
                return Err(invalid(
                    "patience_s",
                    format!("must be a finite number of seconds above 0, got {p}"),
                ));
            }
            file.patience = Some(PatienceTable { mean_seconds: *p });
        }
        Setting::TargetS(t) => {
            if !(t.is_finite() && *t >= 0.0) {
                return Err(invalid(
                    "target_s",
                    format!("must be a finite number of seconds of at least 0, got {t}"),
                ));
            }
            file.run.target_seconds = *t;
        }
    }
    Ok(())
}

/// Line and column (from 1) of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

impl Study {
    /// Reads a scenario file's text.
    ///
    /// # Errors
    ///
    /// [`SimError::File`] with the problem and, where it has one place, its line and column: malformed TOML, an unknown field, a
    /// missing one, a skill no `[[skills]]` entry defines, an unknown routing rule or
    /// distribution; and any error of [`Scenario::validate`] for the base or a variation.
    pub fn from_toml(text: &str) -> Result<Study, SimError> {
        Study::from_toml_with(text, &[])
    }

    /// Reads a scenario file's text with its values changed by `settings`, in order.
    ///
    /// # Examples
    ///
    /// ```
    /// use chatcap_sim::{Setting, Study};
    /// let text = include_str!("../../../scenarios/single-skill.toml");
    /// let more = Study::from_toml_with(text, &[Setting::AgentCount { group: "agent".into(), count: 14 }])?;
    /// assert_eq!(more.scenarios[0].1.floor.agents.len(), 14);
    /// # Ok::<(), chatcap_sim::SimError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Study::from_toml`], and [`SimError::Invalid`] naming the setting for a group no
    /// `[[agents]]` entry has, an unknown routing rule, or a value out of range.
    pub fn from_toml_with(text: &str, settings: &[Setting]) -> Result<Study, SimError> {
        let at = |span: Option<Range<usize>>, problem: String| SimError::File {
            at: span.map(|s| line_col(text, s.start)),
            problem,
        };
        let mut file: File = toml::from_str(text).map_err(|e| at(e.span(), e.message().to_owned()))?;
        for setting in settings {
            apply(&mut file, setting)?;
        }
        let skills: Vec<Skill> = file
            .skills
            .iter()
            .map(|s| {
                let skill = Skill::new(s.id.as_str());
                match &s.name {
                    Some(n) => skill.with_name(n.as_str()),
                    None => skill,
                }
            })
            .collect();
        let known = |s: &Spanned<String>| -> Result<SkillId, SimError> {
            if skills.iter().any(|k| k.id.as_str() == s.get_ref()) {
                Ok(SkillId::from(s.get_ref().as_str()))
            } else {
                Err(at(Some(s.span()), format!("skill {:?} is not among the [[skills]]", s.get_ref())))
            }
        };
        let route_by = |r: &Option<Spanned<String>>| -> Result<Option<RouteBy>, SimError> {
            let Some(r) = r else { return Ok(None) };
            let rule = match r.get_ref().as_str() {
                "round-robin" => RouteBy::RoundRobin,
                other => match Ranking::ALL.iter().find(|k| k.as_str() == other) {
                    Some(&k) => RouteBy::Ranking(k),
                    None => {
                        return Err(at(
                            Some(r.span()),
                            format!(
                                "unknown routing {other:?}; expected least-loaded, most-free, fewest-chats, longest-in-state or round-robin"
                            ),
                        ));
                    }
                },
            };
            Ok(Some(rule))
        };
        let capacity = |m: &MaxChats| -> Result<Capacity, SimError> {
            match m.get_ref() {
                toml::Value::Integer(n) if u32::try_from(*n).is_ok() => Ok(Capacity::Limited(*n as u32)),
                toml::Value::String(w) if w == "unlimited" => Ok(Capacity::Unlimited),
                other => Err(at(
                    Some(m.span()),
                    format!("max_chats {other}: expected a whole number from 0 or \"unlimited\""),
                )),
            }
        };
        let group = |g: &AgentGroup,
                     agents: &mut Vec<Agent>,
                     schedule: &mut Vec<StateChange>|
         -> Result<(), SimError> {
            let skill_ids = g.skills.iter().map(known).collect::<Result<Vec<_>, _>>()?;
            let cap = capacity(&g.max_chats)?;
            let shift = g.shift_minutes.as_ref().map(|s| *s.get_ref());
            if let (Some(span), Some([start, end])) = (g.shift_minutes.as_ref().map(Spanned::span), shift)
                && !(start.is_finite() && end.is_finite() && 0.0 <= start && start < end)
            {
                return Err(at(
                    Some(span),
                    format!("shift_minutes [{start}, {end}]: expected a start of at least 0 before the end"),
                ));
            }
            let no_breaks = Vec::new();
            let breaks = g.breaks_minutes.as_ref().map_or(&no_breaks, |b| b.get_ref());
            let breaks_span = g.breaks_minutes.as_ref().map(Spanned::span);
            let mut sorted = breaks.clone();
            sorted.sort_by(|x, y| x[0].total_cmp(&y[0]));
            for (k, &[from, to]) in sorted.iter().enumerate() {
                if !(from.is_finite() && to.is_finite() && 0.0 <= from && from < to) {
                    return Err(at(
                        breaks_span.clone(),
                        format!("break [{from}, {to}]: expected a start of at least 0 before the end"),
                    ));
                }
                if let Some([start, end]) = shift
                    && (from < start || to > end)
                {
                    return Err(at(
                        breaks_span.clone(),
                        format!("break [{from}, {to}] is not inside the shift [{start}, {end}]"),
                    ));
                }
                if let Some(&[next_from, next_to]) = sorted.get(k + 1)
                    && next_from < to
                {
                    return Err(at(
                        breaks_span.clone(),
                        format!("breaks [{from}, {to}] and [{next_from}, {next_to}] overlap"),
                    ));
                }
            }
            for k in 0..g.count {
                let id = AgentId::from(format!("{}{k}", g.id_prefix));
                let mut at = |minutes: f64, state| {
                    schedule.push(StateChange { agent: id.clone(), at_s: minutes * 60.0, state });
                };
                let mut state = AgentState::Online;
                if let Some([start, end]) = shift {
                    if start > 0.0 {
                        state = AgentState::Offline;
                        at(start, AgentState::Online);
                    }
                    at(end, AgentState::Offline);
                }
                for &[from, to] in &sorted {
                    at(from, AgentState::Away);
                    at(to, AgentState::Online);
                }
                agents.push(Agent::new(id, state, cap).with_skills(skill_ids.iter().cloned()));
            }
            Ok(())
        };

        let mut agents = Vec::new();
        let mut schedule = Vec::new();
        for g in &file.agents {
            group(g, &mut agents, &mut schedule)?;
        }
        let traffic = file
            .traffic
            .iter()
            .map(|t| Ok(Arrivals { skill: known(&t.skill)?, per_hour: t.per_hour.clone() }))
            .collect::<Result<Vec<_>, SimError>>()?;
        let relaxations = file
            .relaxations
            .iter()
            .map(|r| {
                Ok(Relaxation {
                    skill: known(&r.skill)?,
                    after: Duration::try_from_secs_f64(r.after_seconds).map_err(|_| {
                        at(
                            Some(r.skill.span()),
                            format!("after_seconds {} is not a duration", r.after_seconds),
                        )
                    })?,
                    fallbacks: r.fallbacks.iter().map(known).collect::<Result<_, _>>()?,
                })
            })
            .collect::<Result<Vec<_>, SimError>>()?;
        let h = &file.handle_time;
        let need = |x: Option<f64>, what: &str| {
            x.ok_or_else(|| {
                at(Some(h.distribution.span()), format!("{} needs {what}", h.distribution.get_ref()))
            })
        };
        let handle = match h.distribution.get_ref().as_str() {
            "exponential" => HandleTime::Exponential { mean_s: need(h.mean_seconds, "mean_seconds")? },
            "lognormal" => HandleTime::LogNormal {
                mean_s: need(h.mean_seconds, "mean_seconds")?,
                sd_s: need(h.sd_seconds, "sd_seconds")?,
            },
            "empirical" => HandleTime::Empirical {
                samples_s: h.samples_seconds.clone().ok_or_else(|| {
                    at(Some(h.distribution.span()), "empirical needs samples_seconds".to_owned())
                })?,
            },
            other => {
                return Err(at(
                    Some(h.distribution.span()),
                    format!("unknown distribution {other:?}; expected exponential, lognormal or empirical"),
                ));
            }
        };
        let base = Scenario {
            floor: Snapshot { skills: skills.clone(), agents, ..Snapshot::default() },
            traffic,
            interval_s: file.run.interval_minutes * 60.0,
            intervals: file.run.intervals,
            warmup_s: file.run.warmup_minutes * 60.0,
            handle,
            aht_by_concurrency: h.by_concurrency_seconds.clone(),
            patience: file
                .patience
                .map_or(Patience::Unlimited, |p| Patience::Exponential { mean_s: p.mean_seconds }),
            by_interval: IntervalFactors::default(),
            route_by: route_by(&file.run.routing)?.unwrap_or(RouteBy::Ranking(Ranking::LeastLoaded)),
            relaxations,
            schedule,
            target_s: file.run.target_seconds,
        };
        let mut scenarios = vec![("base".to_owned(), base.clone())];
        for v in &file.variations {
            let mut sc = base.clone();
            for g in &v.add_agents {
                group(g, &mut sc.floor.agents, &mut sc.schedule)?;
            }
            for gone in &v.remove_agents {
                let before = sc.floor.agents.len();
                sc.floor.agents.retain(|a| a.id.as_str() != gone.get_ref());
                if sc.floor.agents.len() == before {
                    return Err(at(
                        Some(gone.span()),
                        format!("agent {:?} is not in the base scenario", gone.get_ref()),
                    ));
                }
                sc.schedule.retain(|c| c.agent.as_str() != gone.get_ref());
            }
            if let Some(f) = v.scale_traffic {
                sc.traffic.iter_mut().for_each(|t| t.per_hour.iter_mut().for_each(|r| *r *= f));
            }
            if let Some(m) = &v.max_chats {
                let cap = capacity(m)?;
                sc.floor.agents.iter_mut().for_each(|a| a.capacity = cap);
            }
            if let Some(rule) = route_by(&v.routing)? {
                sc.route_by = rule;
            }
            if let Some(p) = v.patience_mean_seconds {
                sc.patience = Patience::Exponential { mean_s: p };
            }
            scenarios.push((v.name.clone(), sc));
        }
        for (name, sc) in &scenarios {
            sc.validate()
                .map_err(|e| SimError::File { at: None, problem: format!("scenario {name:?}: {e}") })?;
        }
        let starts_at_s = match &file.run.starts_at {
            None => None,
            Some(t) => Some(time_of_day(t.get_ref()).ok_or_else(|| {
                at(Some(t.span()), format!("starts_at {:?}: expected a time of day as HH:MM", t.get_ref()))
            })?),
        };
        let service_level_goal = match &file.run.service_level_goal {
            None => None,
            Some(g) if *g.get_ref() > 0.0 && *g.get_ref() <= 1.0 => Some(*g.get_ref()),
            Some(g) => {
                return Err(at(
                    Some(g.span()),
                    format!("service_level_goal {}: expected a share above 0 and at most 1", g.get_ref()),
                ));
            }
        };
        Ok(Study { scenarios, starts_at_s, service_level_goal })
    }
}

impl Study {
    /// The live floor's agents that have none of the skills any scenario of the study sends
    /// traffic to, nor a fallback skill of its relaxations: they would join the floor and take
    /// none of the simulated chats (Comm100 agents, for one, carry no skills at all).
    pub fn idle_live_agents<'s>(&self, live: &'s Snapshot) -> Vec<&'s AgentId> {
        let served: Vec<&SkillId> = self
            .scenarios
            .iter()
            .flat_map(|(_, sc)| {
                sc.traffic.iter().map(|t| &t.skill).chain(sc.relaxations.iter().flat_map(|r| &r.fallbacks))
            })
            .collect();
        live.agents.iter().filter(|a| !a.skills.iter().any(|s| served.contains(&s))).map(|a| &a.id).collect()
    }

    /// Starts every scenario of the study from a live floor, such as one the adapter read from a
    /// vendor payload: its agents (with their chats) and its waiting visitors join each scenario's
    /// own agents, its skills join the file's, and time zero is the snapshot's time.
    ///
    /// # Errors
    ///
    /// [`SimError::Invalid`] when an agent of the file is also on the live floor, or when a
    /// scenario is then not valid.
    pub fn starting_from(mut self, live: &Snapshot) -> Result<Study, SimError> {
        for (name, sc) in &mut self.scenarios {
            for agent in &sc.floor.agents {
                if live.agents.iter().any(|a| a.id == agent.id) {
                    return Err(SimError::Invalid {
                        field: format!("scenario {name:?} agents"),
                        problem: format!("agent {} is both in the file and on the live floor", agent.id),
                    });
                }
            }
            let mut skills = live.skills.clone();
            skills.extend(
                sc.floor.skills.iter().filter(|s| !live.skills.iter().any(|l| l.id == s.id)).cloned(),
            );
            let mut agents = live.agents.clone();
            agents.append(&mut sc.floor.agents);
            sc.floor = Snapshot { taken_at: live.taken_at, skills, agents, queue: live.queue.clone() };
            sc.validate()?;
        }
        Ok(self)
    }
}

/// `HH:MM` (00:00 to 23:59) as seconds after midnight.
fn time_of_day(s: &str) -> Option<u32> {
    let (h, m) = s.split_once(':')?;
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60 && s.len() == 5).then_some(h * 3600 + m * 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_from_one() {
        assert_eq!(line_col("ab\ncd", 0), (1, 1));
        assert_eq!(line_col("ab\ncd", 4), (2, 2));
    }

    #[test]
    fn times_of_day_read_as_seconds() {
        assert_eq!(time_of_day("13:05"), Some(47_100));
        assert_eq!(time_of_day("00:00"), Some(0));
        for bad in ["24:00", "12:60", "1:30", "12:3", "noon", "12-30"] {
            assert_eq!(time_of_day(bad), None, "{bad}");
        }
    }
}
