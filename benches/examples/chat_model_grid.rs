//! The chat model's approximations against its exact solution over a grid of floors.
//!
//! `cargo run --release -p chatcap-benches --example chat_model_grid` prints, for each chat limit
//! `m` (2 to 5) and ratio of the top level's handle time to the first's (1 to 3), the largest
//! absolute error in P(wait) of the balanced approximation and of the window chain over agents
//! up to what the exact solver reaches and loads from 70 % to 110 % of the full floor's release
//! rate (patience 120 s), and how the window chain's stated bound compares with its error.
//! `--rows` prints every cell instead.

use std::time::Duration;

use chatcap_core::ChatModel;

/// Handle times from 300 s at one chat to `ratio` times that at `m`, in equal steps.
fn profile(m: usize, ratio: f64) -> Vec<Duration> {
    (0..m)
        .map(|k| {
            let t = if m == 1 { 0.0 } else { k as f64 / (m - 1) as f64 };
            Duration::from_secs_f64(300.0 * (1.0 + (ratio - 1.0) * t))
        })
        .collect()
}

fn main() -> Result<(), chatcap_core::QueueingError> {
    let rows = std::env::args().any(|a| a == "--rows");
    // Agents per chat limit: up to about 40,000 exact states.
    let agents: [(usize, &[u32]); 4] = [
        (2, &[5, 10, 20, 40, 80, 160, 280]),
        (3, &[5, 10, 20, 30, 45, 60]),
        (4, &[4, 8, 12, 16, 20, 26]),
        (5, &[3, 6, 9, 12, 15, 18]),
    ];
    let ratios = [1.0, 1.5, 2.0, 3.0];
    let loads = [0.7, 0.8, 0.9, 0.95, 1.0, 1.05, 1.1];
    if !rows {
        println!(
            "| m | AHT_m / AHT_1 | agents | balanced: largest error | window: largest error | window: largest error / bound |"
        );
        println!("| --- | --- | --- | --- | --- | --- |");
    }
    for (m, ns) in agents {
        for ratio in ratios {
            let aht = profile(m, ratio);
            let (mut bal, mut win, mut use_of_bound) = (0.0f64, 0.0f64, 0.0f64);
            for &n in ns {
                for load in loads {
                    let top = aht[m - 1].as_secs_f64();
                    let lambda = load * f64::from(n) * m as f64 / top;
                    let model = ChatModel::new(n, &aht, lambda, Some(Duration::from_secs(120)))?;
                    let exact = model.solve_exact()?.p_wait();
                    let b = model.solve_balanced().p_wait();
                    let w = model.solve_window()?;
                    let bound = w.p_wait_error_bound().unwrap_or(f64::INFINITY);
                    let (eb, ew) = (b - exact, w.p_wait() - exact);
                    if rows {
                        println!(
                            "m={m} ratio={ratio} N={n} load={load} exact={exact:.6} balanced={eb:+.2e} window={ew:+.2e} bound={bound:.2e}"
                        );
                    }
                    bal = bal.max(eb.abs());
                    win = win.max(ew.abs());
                    if bound > 0.0 {
                        use_of_bound = use_of_bound.max(ew.abs() / bound);
                    }
                }
            }
            if !rows {
                let range = format!("{} to {}", ns[0], ns[ns.len() - 1]);
                println!("| {m} | {ratio} | {range} | {bal:.1e} | {win:.1e} | {use_of_bound:.2} |");
            }
        }
    }
    Ok(())
}
