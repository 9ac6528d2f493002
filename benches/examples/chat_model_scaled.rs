//! The chat model's scaled approximation (the window chain's correction carried over from
//! smaller floors) against the window chain solved on the floor itself.
//!
//! `cargo run --release -p chatcap-benches --example chat_model_scaled -- 3200,2400`
//! takes, for 3 chats (300/400/600 s and 300/600/900 s) on the first floor size and 4 and 5
//! chats (300 s to 900 s in equal steps) on the second, loads of 99.8 % to 100.2 % of
//! `N m / AHT_m` (where the correction peaks) and patience 120 s and 600 s, the answer of
//! `ChatModel::solve` (scaled, from the reference floor it picks; from half the floor where the
//! window chain is still within its reach) and of `solve_window`, and
//! prints each row and the largest error and share of the bound per profile.

use std::time::{Duration, Instant};

use chatcap_core::{ChatModel, ChatModelMethod};

fn main() -> Result<(), chatcap_core::QueueingError> {
    let sizes: Vec<u32> = match std::env::args().nth(1) {
        Some(list) => {
            list.split(',').map(|x| x.trim().parse().expect("agents: numbers, comma-separated")).collect()
        }
        None => vec![3200, 2400],
    };
    let (large, smaller) = (sizes[0], *sizes.get(1).unwrap_or(&sizes[0]));
    let s = Duration::from_secs;
    let profiles: [(Vec<Duration>, u32); 4] = [
        (vec![s(300), s(400), s(600)], large),
        (vec![s(300), s(600), s(900)], large),
        (vec![s(300), s(500), s(700), s(900)], smaller),
        (vec![s(300), s(450), s(600), s(750), s(900)], smaller),
    ];
    println!(
        "{:<22} {:>6} {:>6} {:>5} {:>10} {:>10} {:>10} {:>9} {:>9} {:>5} {:>7} {:>7}",
        "handle times (s)",
        "agents",
        "load",
        "pat.",
        "balanced",
        "window",
        "scaled",
        "error",
        "bound",
        "share",
        "ref.",
        "time"
    );
    let mut summary = Vec::new();
    for (aht, n) in &profiles {
        let m = aht.len();
        let label = aht.iter().map(|d| d.as_secs().to_string()).collect::<Vec<_>>().join("/");
        let (mut worst, mut share, mut widest) = (0.0f64, 0.0f64, 0.0f64);
        for load in [0.998, 0.999, 1.0, 1.001, 1.002] {
            for patience in [120, 600] {
                let rate = load * f64::from(*n) * m as f64 / aht[m - 1].as_secs_f64();
                let model = ChatModel::new(*n, aht, rate, Some(s(patience)))?;
                let start = Instant::now();
                // Where the window chain is still within `solve`'s reach, from half the floor.
                let scaled = match model.solve() {
                    r if matches!(r.method(), ChatModelMethod::Scaled { .. }) => r,
                    _ => model.solve_scaled(n / 2)?,
                };
                let took = start.elapsed();
                let ChatModelMethod::Scaled { reference_agents: reference, .. } = scaled.method() else {
                    unreachable!("scaled")
                };
                let window = model.solve_window()?.p_wait();
                let bound = scaled.p_wait_error_bound().expect("within the grid");
                let error = scaled.p_wait() - window;
                println!(
                    "{label:<22} {n:>6} {load:>6} {patience:>5} {:>10.4e} {window:>10.4e} {:>10.4e} {error:>9.2e} {bound:>9.2e} {:>5.2} {reference:>7} {:>6.2}s",
                    model.solve_balanced().p_wait(),
                    scaled.p_wait(),
                    error.abs() / bound,
                    took.as_secs_f64()
                );
                worst = worst.max(error.abs());
                share = share.max(error.abs() / bound);
                widest = widest.max(bound);
            }
        }
        summary.push(format!("| {label} | {n} | {worst:.1e} | {widest:.1e} | {share:.2} |"));
    }
    println!(
        "\n| handle times (s) | agents | largest error against the window chain | largest bound | largest error / bound |"
    );
    println!("| --- | --- | --- | --- | --- |");
    for row in summary {
        println!("{row}");
    }
    Ok(())
}
