//! Intraday planning and scheduling: a 15-minute day of three skills planned by ISA to
//! convergence, and a week of 30-minute requirements scheduled with breaks.

use std::hint::black_box;

use chatcap_plan::{
    Forecast, IntervalForecast, Methods, PlanConfig, Requirements, ScheduleObjective, Shifts, SkillForecast,
    plan, schedule,
};
use criterion::{Criterion, criterion_group, criterion_main};

/// 96 quarter hours of three skills with a lunch peak: 20 to 60 erlangs each.
fn day() -> Forecast {
    let skills = [("sales", 40.0, 420.0), ("support", 60.0, 600.0), ("billing", 20.0, 480.0)];
    let starts = (0..96).map(|i| format!("{:02}:{:02}", i / 4, 15 * (i % 4))).collect();
    let skills = skills
        .iter()
        .map(|&(name, peak_erlangs, aht)| SkillForecast {
            skill: name.into(),
            intervals: (0..96)
                .map(|i| {
                    let h = i as f64 / 4.0;
                    // Night low, a morning ramp, a peak at 12:30, an evening decline.
                    let shape = 0.2 + 0.8 * (-((h - 12.5) / 4.5).powi(2)).exp();
                    IntervalForecast {
                        arrivals: peak_erlangs * shape * 900.0 / aht,
                        aht_s: aht,
                        patience_s: Some(240.0),
                    }
                })
                .collect(),
        })
        .collect();
    Forecast::new(900, starts, skills).expect("a valid forecast")
}

fn isa_day(c: &mut Criterion) {
    let forecast = day();
    let config = PlanConfig {
        delay_probability: Some(0.2),
        methods: Methods { psa: false, mol: false, isa: true },
        check: false,
        replications: 50,
        isa_final_replications: 200,
        isa_samples: 10,
        ..PlanConfig::new(30.0, 0.8)
    };
    let mut g = c.benchmark_group("plan");
    g.sample_size(10);
    g.bench_function("isa_96_intervals_3_skills", |b| {
        b.iter(|| {
            let p = plan(black_box(&forecast), &config, &|_| {}).expect("plans");
            assert!(p.skills.iter().all(|s| s.isa.is_some()));
            p
        })
    });
    g.finish();
}

fn week_schedule(c: &mut Criterion) {
    let day = include_str!("../../scenarios/requirements_day.csv");
    let mut text = String::from("day,interval_start,required\n");
    for d in 0..7 {
        for line in day.lines().skip(1) {
            let f: Vec<&str> = line.split(',').collect();
            // Weekends lighter.
            let r: f64 = f[3].parse::<f64>().expect("a number") * if d >= 5 { 0.6 } else { 1.0 };
            text.push_str(&format!("{d},{},{r:.2}\n", f[1]));
        }
    }
    let req = Requirements::parse(&text).expect("requirements");
    let shifts = Shifts::from_toml(include_str!("../../scenarios/shifts.toml")).expect("shifts");
    let mut g = c.benchmark_group("schedule");
    g.sample_size(10);
    g.bench_function("week_30min_breaks", |b| {
        b.iter(|| {
            let s = schedule(black_box(&req), &shifts, 7, ScheduleObjective::Cost).expect("schedules");
            assert!(s.bound <= s.objective);
            s
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = chatcap_benches::criterion();
    targets = isa_day, week_schedule
}
criterion_main!(benches);
