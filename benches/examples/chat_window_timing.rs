//! Passes and seconds of the chat model's window chain (line sweeps, then Gauss-Seidel), built
//! and solved through the public API.
//!
//! `cargo run --release -p chatcap-benches --example chat_window_timing -- 50,100,200,400,800`
//! prints, for 3 chats at 300/600/900 s and 5 at 300/375/450/525/600 s, the critical load and
//! 90 % of it (a share of `N m / AHT_m`), patience 120 s, each floor's states, passes and the
//! time to build and solve it.

use std::time::{Duration, Instant};

use chatcap_core::{ChatModel, ChatModelMethod};

fn main() -> Result<(), chatcap_core::QueueingError> {
    let agents: Vec<u32> = match std::env::args().nth(1) {
        Some(list) => {
            list.split(',').map(|x| x.trim().parse().expect("agents: numbers, comma-separated")).collect()
        }
        None => vec![50, 100, 200],
    };
    let s = Duration::from_secs;
    println!(
        "{:>5} {:>5} {:>6} {:>10} {:>7} {:>10} {:>12}",
        "chats", "load", "agents", "states", "passes", "time", "P(wait)"
    );
    for aht in [vec![s(300), s(600), s(900)], vec![s(300), s(375), s(450), s(525), s(600)]] {
        let m = aht.len();
        for load in [1.0, 0.9] {
            for &n in &agents {
                let rate = load * f64::from(n) * m as f64 / aht[m - 1].as_secs_f64();
                let model = ChatModel::new(n, &aht, rate, Some(s(120)))?;
                let t = Instant::now();
                let r = model.solve_window()?;
                let took = t.elapsed();
                let ChatModelMethod::Window { states, sweeps } = r.method() else {
                    unreachable!("solve_window answers by the window chain")
                };
                println!(
                    "{m:>5} {:>4}% {n:>6} {states:>10} {sweeps:>7} {:>9.2?} {:>12.6e}",
                    (load * 100.0) as u32,
                    took,
                    r.p_wait()
                );
            }
        }
    }
    Ok(())
}
