//! The SVG plot of a study: per skill, the service level per interval of every variation with
//! its 95% band and the goal as a line; below, the ASA over all skills.

use anyhow::{Result, anyhow};
use chatcap_sim::{Report, Study};
use plotters::prelude::*;

/// One variation's line in one panel: (hours into the run, mean, half-width of the 95% band).
type Line = Vec<(f64, f64, f64)>;

const WIDTH: u32 = 900;
const PANEL: u32 = 260;

/// Draws the plot of a study's results (in the study's variation order).
pub(crate) fn service_level_and_asa(study: &Study, results: &[(&str, Report)]) -> Result<String> {
    let err = |e: &dyn std::fmt::Display| anyhow!("drawing the plot: {e}");
    let base = &study.scenarios[0].1;
    let (interval_s, target_s) = (base.interval_s, base.target_s);
    let skills: Vec<String> = results
        .first()
        .map(|(_, r)| r.skills.iter().map(|s| s.skill.as_str().to_owned()).collect())
        .unwrap_or_default();
    let mid = |i: usize| (i as f64 + 0.5) * interval_s / 3600.0;
    // Per skill, per variation: the service level per interval.
    let sl: Vec<Vec<Line>> = (0..skills.len())
        .map(|k| {
            results
                .iter()
                .map(|(_, r)| {
                    r.skills[k]
                        .intervals
                        .iter()
                        .enumerate()
                        .filter(|(_, m)| m.service_level.mean.is_finite())
                        .map(|(i, m)| (mid(i), m.service_level.mean, m.service_level.ci95.max(0.0)))
                        .collect()
                })
                .collect()
        })
        .collect();
    // ASA over all skills, weighted by the visitors answered.
    let asa: Vec<Line> = results
        .iter()
        .map(|(_, r)| {
            let intervals = r.skills.first().map_or(0, |s| s.intervals.len());
            (0..intervals)
                .filter_map(|i| {
                    let (mut answered, mut wait) = (0.0, 0.0);
                    for s in &r.skills {
                        let m = s.intervals[i];
                        if m.answered.mean > 0.0 && m.asa_s.mean.is_finite() {
                            answered += m.answered.mean;
                            wait += m.asa_s.mean * m.answered.mean;
                        }
                    }
                    (answered > 0.0).then(|| (mid(i), wait / answered, 0.0))
                })
                .collect()
        })
        .collect();
    let intervals = base.intervals;
    let end = intervals as f64 * interval_s / 3600.0;
    let asa_max = asa.iter().flatten().map(|p| p.1).fold(1.0, f64::max) * 1.1;
    let start_s = study.starts_at_s;
    let clock = move |h: &f64| {
        let at = start_s.map_or(0.0, f64::from) + h * 3600.0;
        let minutes = (at / 60.0).round() as i64;
        let (h, mm) = (minutes.div_euclid(60), minutes.rem_euclid(60));
        if start_s.is_some() { format!("{:02}:{mm:02}", h.rem_euclid(24)) } else { format!("+{h}:{mm:02}") }
    };
    let x_desc = if start_s.is_some() { "time of day" } else { "time since the start (h:mm)" };
    let colors = [BLUE, RED, GREEN, MAGENTA, CYAN, BLACK];
    let height = PANEL * (skills.len() as u32 + 1);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| err(&e))?;
        let panels = root.split_evenly((skills.len() + 1, 1));
        for (k, skill) in skills.iter().enumerate() {
            let goal =
                study.service_level_goal.map_or(String::new(), |g| format!(", goal {:.0}%", g * 100.0));
            let mut chart = ChartBuilder::on(&panels[k])
                .caption(
                    format!("Skill {skill}: answered within {target_s} s, over offered (95% band{goal})"),
                    ("sans-serif", 16),
                )
                .margin(8)
                .margin_right(30)
                .x_label_area_size(30)
                .y_label_area_size(50)
                .build_cartesian_2d(0.0..end, 0.0..1.0)
                .map_err(|e| err(&e))?;
            chart
                .configure_mesh()
                .x_desc(x_desc)
                .y_desc("service level")
                .x_label_formatter(&clock)
                .y_label_formatter(&|v| format!("{:.0}%", v * 100.0))
                .draw()
                .map_err(|e| err(&e))?;
            for (v, line) in sl[k].iter().enumerate() {
                let color = colors[v % colors.len()];
                let band: Vec<(f64, f64)> = line
                    .iter()
                    .map(|p| (p.0, (p.1 + p.2).min(1.0)))
                    .chain(line.iter().rev().map(|p| (p.0, (p.1 - p.2).max(0.0))))
                    .collect();
                if band.len() > 2 {
                    chart
                        .draw_series(std::iter::once(Polygon::new(band, color.mix(0.15).filled())))
                        .map_err(|e| err(&e))?;
                }
                let series = chart
                    .draw_series(LineSeries::new(line.iter().map(|p| (p.0, p.1)), color.stroke_width(2)))
                    .map_err(|e| err(&e))?;
                if k == 0 {
                    let name = results[v].0.to_owned();
                    series.label(name).legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
                    });
                }
            }
            if let Some(g) = study.service_level_goal {
                let series = chart
                    .draw_series(DashedLineSeries::new([(0.0, g), (end, g)], 6, 4, BLACK.stroke_width(1)))
                    .map_err(|e| err(&e))?;
                if k == 0 {
                    series.label("goal").legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLACK));
                }
            }
            if k == 0 {
                chart
                    .configure_series_labels()
                    .position(SeriesLabelPosition::LowerRight)
                    .background_style(WHITE.mix(0.8))
                    .border_style(BLACK)
                    .draw()
                    .map_err(|e| err(&e))?;
            }
        }
        let mut chart = ChartBuilder::on(&panels[skills.len()])
            .caption(
                "ASA of answered visitors, all skills (weighted by answered), seconds",
                ("sans-serif", 16),
            )
            .margin(8)
            .margin_right(30)
            .x_label_area_size(30)
            .y_label_area_size(50)
            .build_cartesian_2d(0.0..end, 0.0..asa_max)
            .map_err(|e| err(&e))?;
        chart
            .configure_mesh()
            .x_desc(x_desc)
            .y_desc("seconds")
            .x_label_formatter(&clock)
            .draw()
            .map_err(|e| err(&e))?;
        for (v, line) in asa.iter().enumerate() {
            let color = colors[v % colors.len()];
            chart
                .draw_series(LineSeries::new(line.iter().map(|p| (p.0, p.1)), color.stroke_width(2)))
                .map_err(|e| err(&e))?;
        }
        root.present().map_err(|e| err(&e))?;
    }
    Ok(svg)
}

/// The SVG plot of a plan: per skill, the agents each method requires per interval, and below
/// it the service level each method's staffing achieves in simulation, with the goal as a line.
pub(crate) fn plan(p: &chatcap_plan::Plan, goal: f64, target_s: f64) -> Result<String> {
    let err = |e: &dyn std::fmt::Display| anyhow!("drawing the plot: {e}");
    let colors = [BLUE, RED, GREEN];
    let methods = ["psa", "mol", "isa"];
    let rows = p.skills.len() * 2;
    let height = PANEL * rows.max(1) as u32;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| err(&e))?;
        let panels = root.split_evenly((rows.max(1), 1));
        for (k, s) in p.skills.iter().enumerate() {
            let n = s.intervals.len();
            let end = n as f64;
            let label = |x: &f64| {
                let i = (x.round() as usize).min(n.saturating_sub(1));
                s.intervals.get(i).map_or(String::new(), |iv| iv.start.clone())
            };
            let staffing = |m: &str, iv: &chatcap_plan::IntervalPlan| match m {
                "psa" => iv.staffing.psa,
                "mol" => iv.staffing.mol,
                _ => iv.staffing.isa,
            };
            let most = s
                .intervals
                .iter()
                .flat_map(|iv| methods.iter().filter_map(|m| staffing(m, iv)))
                .max()
                .unwrap_or(1)
                .max(1);
            let mut chart = ChartBuilder::on(&panels[2 * k])
                .caption(format!("Skill {}: agents required per interval", s.skill), ("sans-serif", 16))
                .margin(8)
                .margin_right(30)
                .x_label_area_size(30)
                .y_label_area_size(50)
                .build_cartesian_2d(0.0..end, 0.0..f64::from(most) * 1.1)
                .map_err(|e| err(&e))?;
            chart
                .configure_mesh()
                .x_desc("interval start")
                .y_desc("agents")
                .x_label_formatter(&label)
                .draw()
                .map_err(|e| err(&e))?;
            for (c, m) in methods.iter().enumerate() {
                let points: Vec<(f64, f64)> = s
                    .intervals
                    .iter()
                    .enumerate()
                    .filter_map(|(i, iv)| staffing(m, iv).map(|v| (i as f64, f64::from(v))))
                    .flat_map(|(x, y)| [(x, y), (x + 1.0, y)])
                    .collect();
                if points.is_empty() {
                    continue;
                }
                let color = colors[c];
                chart
                    .draw_series(LineSeries::new(points, color.stroke_width(2)))
                    .map_err(|e| err(&e))?
                    .label(*m)
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2)));
            }
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::UpperLeft)
                .background_style(WHITE.mix(0.8))
                .border_style(BLACK)
                .draw()
                .map_err(|e| err(&e))?;
            let mut chart = ChartBuilder::on(&panels[2 * k + 1])
                .caption(
                    format!(
                        "Skill {}: achieved service level ({target_s} s) in simulation, 95% band, goal {:.0}%",
                        s.skill,
                        goal * 100.0
                    ),
                    ("sans-serif", 16),
                )
                .margin(8)
                .margin_right(30)
                .x_label_area_size(30)
                .y_label_area_size(50)
                .build_cartesian_2d(0.0..end, 0.0..1.0)
                .map_err(|e| err(&e))?;
            chart
                .configure_mesh()
                .x_desc("interval start")
                .y_desc("service level")
                .x_label_formatter(&label)
                .y_label_formatter(&|v| format!("{:.0}%", v * 100.0))
                .draw()
                .map_err(|e| err(&e))?;
            for (c, m) in methods.iter().enumerate() {
                let line: Line = s
                    .intervals
                    .iter()
                    .enumerate()
                    .filter_map(|(i, iv)| {
                        let a = match *m {
                            "psa" => iv.achieved.psa,
                            "mol" => iv.achieved.mol,
                            _ => iv.achieved.isa,
                        }?;
                        let e = a.service_level;
                        e.mean.is_finite().then_some((i as f64 + 0.5, e.mean, e.ci95.max(0.0)))
                    })
                    .collect();
                if line.is_empty() {
                    continue;
                }
                let color = colors[c];
                let band: Vec<(f64, f64)> = line
                    .iter()
                    .map(|q| (q.0, (q.1 + q.2).min(1.0)))
                    .chain(line.iter().rev().map(|q| (q.0, (q.1 - q.2).max(0.0))))
                    .collect();
                if band.len() > 2 {
                    chart
                        .draw_series(std::iter::once(Polygon::new(band, color.mix(0.12).filled())))
                        .map_err(|e| err(&e))?;
                }
                chart
                    .draw_series(LineSeries::new(line.iter().map(|q| (q.0, q.1)), color.stroke_width(2)))
                    .map_err(|e| err(&e))?;
            }
            chart
                .draw_series(DashedLineSeries::new([(0.0, goal), (end, goal)], 6, 4, BLACK.stroke_width(1)))
                .map_err(|e| err(&e))?;
        }
        root.present().map_err(|e| err(&e))?;
    }
    Ok(svg)
}
