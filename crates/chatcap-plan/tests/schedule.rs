//! The scheduler against brute-force enumeration of every schedule on small cases.

use chatcap_plan::*;

/// The least cost over every assignment of 0..=max agents to each way to work, where a way to
/// work is a (start interval, covered intervals) pair of the given cost.
fn brute_force(required: &[f64], ways: &[(Vec<usize>, f64)], max: u32) -> f64 {
    let mut best = f64::INFINITY;
    let mut counts = vec![0u32; ways.len()];
    loop {
        let mut cover = vec![0u32; required.len()];
        let mut cost = 0.0;
        for (w, c) in ways.iter().zip(&counts) {
            cost += w.1 * f64::from(*c);
            for &i in &w.0 {
                cover[i] += c;
            }
        }
        if cover.iter().zip(required).all(|(c, r)| f64::from(*c) >= *r) {
            best = best.min(cost);
        }
        // The next assignment, as an odometer.
        let mut k = 0;
        loop {
            if k == counts.len() {
                return best;
            }
            counts[k] += 1;
            if counts[k] <= max {
                break;
            }
            counts[k] = 0;
            k += 1;
        }
    }
}

fn req(values: &[f64]) -> Requirements {
    let mut text = String::from("interval_start,required\n");
    for (i, v) in values.iter().enumerate() {
        text.push_str(&format!("{:02}:00,{v}\n", 8 + i));
    }
    Requirements::parse(&text).expect("requirements")
}

#[test]
fn small_schedules_are_optimal_and_the_gap_is_honest() {
    let cases: [&[f64]; 4] = [
        &[1.0, 2.0, 3.0, 2.0, 1.0, 0.0],
        &[2.5, 0.5, 3.0, 1.2, 2.0, 2.0],
        &[0.0, 4.0, 4.0, 0.0, 1.0, 1.0],
        &[1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
    ];
    let shifts = Shifts::from_toml(
        r#"
        [[shift]]
        name = "short"
        starts = ["08:00", "10:00", "12:00"]
        hours = 2
        cost = 2.5
        [[shift]]
        name = "long"
        starts = ["08:00", "09:00"]
        hours = 4
        "#,
    )
    .expect("shifts");
    // The same ways to work, by hand: covered intervals (08:00 is 0) and cost.
    let ways = vec![
        (vec![0, 1], 2.5),
        (vec![2, 3], 2.5),
        (vec![4, 5], 2.5),
        (vec![0, 1, 2, 3], 4.0),
        (vec![1, 2, 3, 4], 4.0),
    ];
    for r in cases {
        let s = schedule(&req(r), &shifts, 1, ScheduleObjective::Cost).expect("schedules");
        let want = brute_force(r, &ways, 5);
        assert!((s.objective - want).abs() < 1e-9, "{r:?}: {} against brute force {want}", s.objective);
        assert!(s.bound <= s.objective + 1e-9, "{r:?}: bound {} above {}", s.bound, s.objective);
        let gap = if s.objective > 0.0 { (s.objective - s.bound) / s.objective } else { 0.0 };
        assert!((s.gap - gap).abs() < 1e-12 && s.gap >= 0.0);
        assert!(s.uncovered.is_empty());
        for c in &s.coverage {
            assert!(f64::from(c.scheduled) >= c.required);
        }
    }
    // Fractional requirements: the relaxation can cover 0.5 with half an agent, so its bound is
    // below the integer optimum, and the gap says by how much.
    let s = schedule(&req(&[0.5, 0.5, 0.0, 0.0, 0.0, 0.0]), &shifts, 1, ScheduleObjective::Cost)
        .expect("schedules");
    assert_eq!(s.objective, 2.5);
    assert!((s.bound - 1.25).abs() < 1e-9, "bound {}", s.bound);
    assert!((s.gap - 0.5).abs() < 1e-9);
}

#[test]
fn an_interval_no_shift_can_cover_is_reported_not_an_error() {
    let shifts = Shifts::from_toml(
        r#"
        opening = "08:00"
        closing = "12:00"
        [[shift]]
        name = "a"
        starts = ["08:00", "10:00", "12:00"]
        hours = 2
        "#,
    )
    .expect("shifts");
    let s = schedule(&req(&[1.0, 1.0, 2.0, 2.0, 3.0, 1.5]), &shifts, 1, ScheduleObjective::Cost)
        .expect("schedules");
    let short: Vec<(String, f64)> = s.uncovered.iter().map(|c| (c.start.clone(), c.short)).collect();
    assert_eq!(short, [("12:00".to_owned(), 3.0), ("13:00".to_owned(), 1.5)]);
    assert_eq!(s.coverage[2].scheduled, 2);
    // A headcount cap leaves intervals short too.
    let capped = Shifts { max_agents: Some(1), closing: None, ..shifts };
    let s = schedule(&req(&[1.0, 1.0, 2.0, 2.0, 0.0, 0.0]), &capped, 1, ScheduleObjective::Cost)
        .expect("schedules");
    // One agent covers 08:00-10:00 (2 short at 10:00 and 11:00) or 10:00-12:00 (1 short in
    // each of the four): 4 short either way.
    assert_eq!(s.uncovered.iter().map(|c| c.short).sum::<f64>(), 4.0);
}

#[test]
fn breaks_and_days_off_shape_the_cover() {
    let shifts = Shifts::from_toml(
        r#"
        [[shift]]
        name = "day"
        starts = ["08:00"]
        hours = 4
        patterns = ["110", "011", "101"]
        break = { minutes = 60, earliest_min = 60, latest_min = 120 }
        "#,
    )
    .expect("shifts");
    let s = schedule(&req(&[1.0, 1.0, 1.0, 1.0]), &shifts, 3, ScheduleObjective::Cost).expect("schedules");
    // Each day needs one agent breaking at 09:00 and one at 10:00 (each covers the other's
    // break). Either break needs every day worked by some pattern, and no single pattern works
    // all three: two agents per break, four agents of 2 days × 4 h.
    assert!(s.uncovered.is_empty(), "{:?}", s.uncovered);
    assert_eq!(s.assignments.iter().map(|a| a.agents).sum::<u32>(), 4);
    assert_eq!(s.objective, 32.0);
    for c in &s.coverage {
        assert!(f64::from(c.scheduled) >= c.required, "{c:?}");
    }
}

/// A week too large for branch and bound: the rounded solution covers every interval, and its
/// gap to the relaxation's bound is what it reports.
#[test]
fn a_week_rounds_the_relaxation_up_and_reports_its_gap() {
    let mut text = String::from("day,interval_start,required\n");
    for d in 0..7 {
        for i in 0..24 {
            let r = 3.0 + 2.0 * ((i as f64) / 3.0).sin().abs() + d as f64 * 0.3;
            text.push_str(&format!("{d},{:02}:{:02},{r:.2}\n", 8 + i / 2, 30 * (i % 2)));
        }
    }
    let req = Requirements::parse(&text).expect("requirements");
    let shifts = Shifts::from_toml(include_str!("../../../scenarios/shifts.toml")).expect("shifts");
    let s = schedule(&req, &shifts, 7, ScheduleObjective::Cost).expect("schedules");
    assert_eq!(s.method, "LP rounded up, then improved greedily");
    assert!(s.uncovered.is_empty());
    for c in &s.coverage {
        assert!(f64::from(c.scheduled) >= c.required, "{c:?}");
    }
    // The objective recomputed from the assignments: hours times days worked.
    let cost: f64 = s
        .assignments
        .iter()
        .map(|a| {
            let per_day = if a.shift == "full" { 8.0 } else { 4.4 };
            per_day * a.pattern.chars().filter(|c| *c == '1').count() as f64 * f64::from(a.agents)
        })
        .sum();
    assert!((cost - s.objective).abs() < 1e-6, "{cost} against {}", s.objective);
    assert!(s.bound <= s.objective && s.gap >= 0.0 && s.gap < 0.2, "bound {} gap {}", s.bound, s.gap);
    assert!((s.gap - (s.objective - s.bound) / s.objective).abs() < 1e-12);
}

/// A break window beyond a day is refused, not turned into seconds that wrap or a walk over
/// billions of starts.
#[test]
fn a_break_window_beyond_a_day_is_refused() {
    let shifts = Shifts::from_toml(
        r#"
        [[shift]]
        name = "day"
        starts = ["08:00"]
        hours = 4
        break = { minutes = 60, earliest_min = 60, latest_min = 4000000000 }
        "#,
    )
    .expect("shifts");
    let e = schedule(&req(&[1.0, 1.0, 1.0, 1.0]), &shifts, 1, ScheduleObjective::Cost).unwrap_err();
    assert!(e.to_string().contains("must be at most 1440"), "{e}");
}
