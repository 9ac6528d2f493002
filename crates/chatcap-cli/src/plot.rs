//! The SVG plot of a study: service level and ASA per interval, one line per variation.

use anyhow::{Result, anyhow};
use chatcap_sim::Report;
use plotters::prelude::*;

/// Points of one line: minutes into the run, and the value.
type Line = Vec<(f64, f64)>;

/// Two panels, service level over offered visitors (all skills pooled by offered weight) and
/// ASA, per interval, one line per variation.
pub(crate) fn service_level_and_asa(results: &[(&str, Report)], interval_s: f64) -> Result<String> {
    let err = |e: &dyn std::fmt::Display| anyhow!("drawing the plot: {e}");
    let series: Vec<(&str, Line, Line)> = results
        .iter()
        .map(|(name, r)| {
            let intervals = r.skills.first().map_or(0, |s| s.intervals.len());
            let mut sl = Vec::new();
            let mut asa = Vec::new();
            for i in 0..intervals {
                let (mut offered, mut within, mut answered, mut wait) = (0.0, 0.0, 0.0, 0.0);
                for s in &r.skills {
                    let m = s.intervals[i];
                    if m.offered.mean > 0.0 && m.service_level.mean.is_finite() {
                        offered += m.offered.mean;
                        within += m.service_level.mean * m.offered.mean;
                    }
                    if m.answered.mean > 0.0 && m.asa_s.mean.is_finite() {
                        answered += m.answered.mean;
                        wait += m.asa_s.mean * m.answered.mean;
                    }
                }
                let minutes = (i as f64 + 0.5) * interval_s / 60.0;
                if offered > 0.0 {
                    sl.push((minutes, within / offered));
                }
                if answered > 0.0 {
                    asa.push((minutes, wait / answered));
                }
            }
            (*name, sl, asa)
        })
        .collect();
    let end =
        series.iter().flat_map(|(_, sl, _)| sl.iter().map(|p| p.0)).fold(1.0, f64::max) + interval_s / 120.0;
    let asa_max = series.iter().flat_map(|(_, _, a)| a.iter().map(|p| p.1)).fold(1.0, f64::max) * 1.1;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (900, 700)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| err(&e))?;
        let (top, bottom) = root.split_vertically(350);
        let colors = [BLUE, RED, GREEN, MAGENTA, CYAN, BLACK];
        let mut sl_chart = ChartBuilder::on(&top)
            .caption("Service level (answered within target, over offered)", ("sans-serif", 18))
            .margin(10)
            .x_label_area_size(30)
            .y_label_area_size(50)
            .build_cartesian_2d(0.0..end, 0.0..1.0)
            .map_err(|e| err(&e))?;
        sl_chart.configure_mesh().x_desc("minutes").y_desc("service level").draw().map_err(|e| err(&e))?;
        let mut asa_chart = ChartBuilder::on(&bottom)
            .caption("ASA of answered visitors (seconds)", ("sans-serif", 18))
            .margin(10)
            .x_label_area_size(30)
            .y_label_area_size(50)
            .build_cartesian_2d(0.0..end, 0.0..asa_max)
            .map_err(|e| err(&e))?;
        asa_chart.configure_mesh().x_desc("minutes").y_desc("seconds").draw().map_err(|e| err(&e))?;
        for (k, (name, sl, asa)) in series.iter().enumerate() {
            let color = colors[k % colors.len()];
            sl_chart
                .draw_series(LineSeries::new(sl.iter().copied(), color.stroke_width(2)))
                .map_err(|e| err(&e))?
                .label(*name)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2)));
            asa_chart
                .draw_series(LineSeries::new(asa.iter().copied(), color.stroke_width(2)))
                .map_err(|e| err(&e))?;
        }
        sl_chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()
            .map_err(|e| err(&e))?;
        root.present().map_err(|e| err(&e))?;
    }
    Ok(svg)
}
