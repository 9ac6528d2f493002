//! The three staffing methods against independent computations: the stationary formulas
//! called directly, the offered-load ODE integrated numerically, and the delay probability a
//! time-varying day achieves in simulation.

use chatcap_plan::*;
use chatcap_queueing::{StaffingTarget, Traffic, staff_erlang_a, staff_erlang_c};
use std::f64::consts::PI;
use std::time::Duration;

/// The offered-load ODE m' = λ − m / aht by classic RK4 with small steps, started from `m0`,
/// with the area under m integrated as a second component (A' = m) for each interval's average.
fn rk4(rates: &[f64], ahts: &[f64], interval_s: f64, m0: f64, steps: usize) -> (Vec<f64>, f64) {
    let h = interval_s / steps as f64;
    let mut m = m0;
    let mut averages = Vec::new();
    for (&l, &a) in rates.iter().zip(ahts) {
        let f = |m: f64| l - m / a;
        let mut area = 0.0;
        for _ in 0..steps {
            let (k1, a1) = (f(m), m);
            let (k2, a2) = (f(m + h / 2.0 * k1), m + h / 2.0 * k1);
            let (k3, a3) = (f(m + h / 2.0 * k2), m + h / 2.0 * k2);
            let (k4, a4) = (f(m + h * k3), m + h * k3);
            m += h / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4);
            area += h / 6.0 * (a1 + 2.0 * a2 + 2.0 * a3 + a4);
        }
        averages.push(area / interval_s);
    }
    (averages, m)
}

#[test]
fn mol_matches_a_numerical_integration_of_the_ode() {
    let rates = [0.01, 0.05, 0.2, 0.12, 0.0, 0.03, 0.08, 0.02];
    let ahts = [300.0, 300.0, 420.0, 420.0, 200.0, 600.0, 600.0, 300.0];
    let interval = 1800.0;
    let got = modified_offered_load(&rates, &ahts, interval);
    // The periodic start: integrate the day over and over from 0 until the start settles.
    let mut m0 = 0.0;
    for _ in 0..50 {
        m0 = rk4(&rates, &ahts, interval, m0, 2000).1;
    }
    let (want, end) = rk4(&rates, &ahts, interval, m0, 2000);
    assert!((end - m0).abs() < 1e-9, "periodic: {end} against {m0}");
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        assert!((g - w).abs() < 1e-9 * w.max(1.0), "interval {i}: closed form {g} against RK4 {w}");
    }
    // The load lags behind λ/μ: in the peak interval it is below, right after it above.
    assert!(got[2] < rates[2] * ahts[2] && got[4] > 0.0);
}

fn flat_forecast(arrivals: f64, aht_s: f64, patience_s: Option<f64>, intervals: usize) -> Forecast {
    let i = IntervalForecast { arrivals, aht_s, patience_s };
    Forecast::new(
        1800,
        (0..intervals).map(|k| format!("{:02}:{:02}", 8 + k / 2, k % 2 * 30)).collect(),
        vec![SkillForecast { skill: "s".into(), intervals: vec![i; intervals] }],
    )
    .expect("a valid forecast")
}

/// A stationary day: every method staffs as the stationary formula called directly.
#[test]
fn stationary_forecast_agrees_with_stationary_staffing() {
    // 180 chats of 5 minutes per half hour: 30 erlangs.
    let traffic = Traffic::per_hour(360.0, Duration::from_secs(300)).expect("traffic");
    let sl = StaffingTarget::new(0.8, Duration::from_secs(30)).expect("target");
    let want_c = staff_erlang_c(traffic, &sl).expect("staffing").agents();
    let want_a = staff_erlang_a(traffic, Duration::from_secs(120), &sl).expect("staffing").agents();
    for (patience, want) in [(None, want_c), (Some(120.0), want_a)] {
        let config = PlanConfig { replications: 30, check: false, ..PlanConfig::new(30.0, 0.8) };
        let p = plan(&flat_forecast(180.0, 300.0, patience, 6), &config, &|_| {}).expect("plans");
        for iv in &p.skills[0].intervals {
            assert_eq!(iv.staffing.psa, Some(want), "psa, patience {patience:?}");
            assert_eq!(iv.staffing.mol, Some(want), "mol, patience {patience:?}");
            let isa = iv.staffing.isa.expect("isa ran");
            assert!(isa.abs_diff(want) <= 1, "isa {isa} against {want}, patience {patience:?}");
        }
    }
    // The delay-probability target: P(wait) at most 0.2 is a service level of 0.8 within 0 s.
    let dp = StaffingTarget::new(0.8, Duration::ZERO).expect("target");
    let want = staff_erlang_a(traffic, Duration::from_secs(120), &dp).expect("staffing").agents();
    let config = PlanConfig {
        replications: 40,
        check: false,
        delay_probability: Some(0.2),
        ..PlanConfig::new(30.0, 0.8)
    };
    let p = plan(&flat_forecast(180.0, 300.0, Some(120.0), 6), &config, &|_| {}).expect("plans");
    for iv in &p.skills[0].intervals {
        assert_eq!((iv.staffing.psa, iv.staffing.mol), (Some(want), Some(want)));
        let isa = iv.staffing.isa.expect("isa ran");
        assert!(isa.abs_diff(want) <= 1, "isa {isa} against {want}");
    }
}

/// Arrivals λ(t) = λ̄ (1 + 0.2 sin(μ t)) over a cycle 2π handle times long, in 24 intervals:
/// each interval's expected arrivals, the integral of λ over it.
fn sinusoid(erlangs: f64, intervals: usize) -> Forecast {
    let cycle = 3600.0;
    let mu = 2.0 * PI / cycle;
    let aht = 1.0 / mu;
    let lambda = erlangs * mu;
    let dt = cycle / intervals as f64;
    let cells = (0..intervals)
        .map(|i| {
            let (t0, t1) = (i as f64 * dt, (i + 1) as f64 * dt);
            let arrivals = lambda * (dt - 0.2 / mu * ((mu * t1).cos() - (mu * t0).cos()));
            IntervalForecast { arrivals, aht_s: aht, patience_s: Some(aht) }
        })
        .collect();
    Forecast::new(
        dt as u32,
        (0..intervals).map(|i| format!("#{i}")).collect(),
        vec![SkillForecast { skill: "s".into(), intervals: cells }],
    )
    .expect("a valid forecast")
}

fn spread(xs: &[f64]) -> f64 {
    xs.iter().copied().fold(f64::MIN, f64::max) - xs.iter().copied().fold(f64::MAX, f64::min)
}

fn check_sinusoid(erlangs: f64, intervals: usize, replications: usize, alphas: &[f64]) {
    let forecast = sinusoid(erlangs, intervals);
    for &alpha in alphas {
        let config = PlanConfig {
            delay_probability: Some(alpha),
            replications,
            seed: 11,
            isa_samples: 10,
            isa_final_replications: 4 * replications,
            ..PlanConfig::new(10.0, 0.8)
        };
        let p = plan(&forecast, &config, &|_| {}).expect("plans");
        // MOL tracks ISA while the load rises. Where it falls, agents logging out finish the
        // chats they hold, which frees the slots of those who stay: ISA, which sees this in
        // simulation, then staffs below MOL.
        check_isa(&p.skills[0], alpha, intervals * 5 / 12, &|psa, isa| {
            spread(psa) > 2.0 * spread(isa) && spread(psa) > 0.05
        });
    }
}

/// What a plan is held to: ISA's achieved P(wait) within ±0.05 of `alpha` in every interval
/// (or its service level of `alpha`, with `service_level`), PSA's worse by
/// `psa_worse(psa, isa)`, and MOL within three agents of ISA over the first `rising` intervals.
fn check_isa(s: &SkillPlan, alpha: f64, rising: usize, psa_worse: &dyn Fn(&[f64], &[f64]) -> bool) {
    check_isa_on(s, |a| a.p_wait.mean, alpha, rising, psa_worse);
}

fn check_isa_on(
    s: &SkillPlan,
    measure: fn(&Achieved) -> f64,
    alpha: f64,
    rising: usize,
    psa_worse: &dyn Fn(&[f64], &[f64]) -> bool,
) {
    let p_wait = |f: fn(&PerMethod<Achieved>) -> Option<Achieved>| -> Vec<f64> {
        s.intervals.iter().map(|i| measure(&f(&i.achieved).expect("checked"))).collect()
    };
    let (isa, psa, mol) = (p_wait(|a| a.isa), p_wait(|a| a.psa), p_wait(|a| a.mol));
    let staff = |f: fn(&IntervalPlan) -> Option<u32>| -> Vec<u32> {
        s.intervals.iter().map(|i| f(i).unwrap_or(0)).collect()
    };
    let context = format!(
        "target {alpha}: isa {isa:.3?}\npsa {psa:.3?}\nisa {:?}\nmol {:?}\npsa {:?}\n{:?}",
        staff(|i| i.staffing.isa),
        staff(|i| i.staffing.mol),
        staff(|i| i.staffing.psa),
        s.isa
    );
    let range =
        |v: &[f64]| (v.iter().copied().fold(f64::MAX, f64::min), v.iter().copied().fold(f64::MIN, f64::max));
    // What the README quotes (`--nocapture`).
    #[allow(clippy::disallowed_macros)]
    {
        eprintln!(
            "target {alpha}: isa {:.3?}, psa {:.3?}, mol {:.3?} (lowest, highest)",
            range(&isa),
            range(&psa),
            range(&mol)
        );
    }
    for (i, x) in isa.iter().enumerate() {
        assert!((x - alpha).abs() <= 0.05, "interval {i}: {x}\n{context}");
    }
    assert!(psa_worse(&psa, &isa), "{context}");
    for iv in &s.intervals[..rising] {
        let (isa, mol) = (iv.staffing.isa.unwrap_or(0), iv.staffing.mol.unwrap_or(0));
        assert!(isa.abs_diff(mol) <= 3, "mol {mol} against isa {isa}\n{context}");
    }
}

// ISA holds the delay probability steady over the cycle; PSA, which ignores that the load lags
// the arrivals, swings around it. Two things bound how close "steady" can be. Whole agents: at
// 200 erlangs one agent moves the delay probability by up to 0.03, and ISA takes the fewest
// agents meeting the target, so it lands up to that far below it. Noise: one interval's delay
// probability over 2,000 replications has a standard error of about 0.01. Fewer erlangs or
// replications leave less room than the ±0.05 the test holds every interval to.

#[test]
fn isa_holds_a_delay_probability_of_a_tenth_over_a_sinusoidal_cycle() {
    check_sinusoid(200.0, 24, 2000, &[0.1]);
}

#[test]
fn isa_holds_a_delay_probability_of_three_tenths_over_a_sinusoidal_cycle() {
    check_sinusoid(200.0, 24, 2000, &[0.3]);
}

#[test]
fn isa_holds_a_delay_probability_of_a_half_over_a_sinusoidal_cycle() {
    check_sinusoid(200.0, 24, 2000, &[0.5]);
}

/// The service-level variant on the sinusoidal day: 80% answered within 10 s in every
/// interval, within ±0.05.
#[test]
fn isa_holds_a_service_level_over_a_sinusoidal_cycle() {
    let config = PlanConfig {
        replications: 2000,
        seed: 11,
        isa_samples: 10,
        isa_final_replications: 8000,
        ..PlanConfig::new(10.0, 0.8)
    };
    let p = plan(&sinusoid(200.0, 24), &config, &|_| {}).expect("plans");
    check_isa_on(&p.skills[0], |a| a.service_level.mean, 0.8, 10, &|psa, isa| {
        spread(psa) > 2.0 * spread(isa) && spread(psa) > 0.05
    });
}

/// A chat day from 10:00 to 15:00 in quarter hours with a lunch peak at 12:30: agents hold two
/// chats, each slower at two (480 s at one, 600 s at two), visitors give up after 180 s on
/// average. ISA holds the delay probability at 0.1 in every quarter hour, within ±0.05; PSA,
/// staffing each quarter hour as if it were steady, strays more than twice as far from the
/// target and leaves that band (it staffs the rise for arrivals the floor has not yet had to
/// serve); MOL, fed the lagged load, stays within a few agents of ISA while the load rises.
/// (One agent is two chat slots here, so a delay probability nearer one half would move by more
/// than the band per agent: the sinusoidal tests cover 0.3 and 0.5.)
#[test]
fn isa_holds_the_delay_probability_over_a_chat_day_with_a_lunch_peak() {
    let intervals = 20;
    let cells = (0..intervals)
        .map(|i| {
            let hour = 10.0 + (i as f64 + 0.5) / 4.0;
            let arrivals = 300.0 + 400.0 * (-(hour - 12.5f64).powi(2) / (2.0 * 0.6f64.powi(2))).exp();
            IntervalForecast { arrivals, aht_s: 480.0, patience_s: Some(180.0) }
        })
        .collect();
    let forecast = Forecast::new(
        900,
        (0..intervals).map(|k| format!("{:02}:{:02}", 10 + k / 4, k % 4 * 15)).collect(),
        vec![SkillForecast { skill: "chat".into(), intervals: cells }],
    )
    .expect("a valid forecast");
    let alpha = 0.1;
    let config = PlanConfig {
        delay_probability: Some(alpha),
        max_chats: 2,
        aht_by_concurrency: Some(vec![480.0, 600.0]),
        replications: 1000,
        isa_final_replications: 4000,
        seed: 5,
        isa_samples: 10,
        ..PlanConfig::new(30.0, 0.8)
    };
    let p = plan(&forecast, &config, &|_| {}).expect("plans");
    let worst = |xs: &[f64]| xs.iter().map(|x| (x - alpha).abs()).fold(0.0, f64::max);
    // MOL against ISA while the load rises to its peak (the first ten quarter hours).
    check_isa(&p.skills[0], alpha, 10, &|psa, isa| worst(psa) > 2.0 * worst(isa) && worst(psa) > 0.05);
}

/// With a delay probability the floor meets easily and an abandonment cap it does not, ISA
/// staffs for the cap: within one agent of the fewest agents whose Erlang A abandonment is
/// under it, as PSA does.
#[test]
fn isa_staffs_for_an_abandonment_cap() {
    use chatcap_queueing::ErlangA;
    let traffic = Traffic::per_hour(360.0, Duration::from_secs(300)).expect("traffic");
    let patience = Duration::from_secs(120);
    let cap = 0.01;
    let want = (1..)
        .find(|&n| ErlangA::new(traffic, n, patience).expect("model").p_abandon() <= cap)
        .expect("some staffing meets the cap");
    let config = PlanConfig {
        replications: 40,
        check: false,
        delay_probability: Some(0.9),
        limits: Limits { max_abandon: Some(cap), ..Limits::default() },
        ..PlanConfig::new(30.0, 0.8)
    };
    let p = plan(&flat_forecast(180.0, 300.0, Some(120.0), 6), &config, &|_| {}).expect("plans");
    for iv in &p.skills[0].intervals {
        assert_eq!(iv.staffing.psa, Some(want), "psa");
        let isa = iv.staffing.isa.expect("isa ran");
        assert!(isa.abs_diff(want) <= 1, "isa {isa} against {want}");
    }
}

/// A day whose handle time doubles at noon, arrivals flat: each half is stationary, so every
/// method staffs it by Erlang C, and the simulated check, which draws each chat's handle time
/// from its own half, achieves Erlang C's service level at that staffing in each interval an
/// hour or more past a change.
#[test]
fn each_interval_is_simulated_with_its_own_handle_time() {
    use chatcap_queueing::ErlangC;
    let cells = (0..12)
        .map(|k| IntervalForecast {
            arrivals: 180.0,
            aht_s: if k < 6 { 300.0 } else { 600.0 },
            patience_s: None,
        })
        .collect();
    let forecast = Forecast::new(
        1800,
        (0..12).map(|k| format!("{:02}:{:02}", 9 + k / 2, k % 2 * 30)).collect(),
        vec![SkillForecast { skill: "s".into(), intervals: cells }],
    )
    .expect("a valid forecast");
    let config = PlanConfig {
        methods: Methods { psa: true, mol: false, isa: false },
        replications: 200,
        seed: 3,
        ..PlanConfig::new(20.0, 0.8)
    };
    let p = plan(&forecast, &config, &|_| {}).expect("plans");
    for (k, iv) in p.skills[0].intervals.iter().enumerate() {
        if k % 6 < 2 {
            continue;
        }
        let aht = Duration::from_secs(if k < 6 { 300 } else { 600 });
        let n = iv.staffing.psa.expect("psa ran");
        let exact = ErlangC::new(Traffic::per_hour(360.0, aht).expect("traffic"), n)
            .expect("stable")
            .service_level(Duration::from_secs(20));
        let sim = iv.achieved.psa.expect("checked").service_level;
        assert!(
            (sim.mean - exact).abs() <= sim.ci95 * 3.29 / 1.96 && sim.ci95 < 0.05,
            "interval {k} ({n} agents): simulated {:.4} ± {:.4}, Erlang C {exact:.4}",
            sim.mean,
            sim.ci95
        );
    }
}
