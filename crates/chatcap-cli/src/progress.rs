//! Progress of a long simulation on stderr: one bar with an ETA across all variations on a
//! terminal; off a terminal, a line every few seconds once a run has taken more than a few.

use std::io::IsTerminal as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Work is counted in millionths of a variation.
const UNIT: f64 = 1e6;

/// How long a run goes before progress shows (`CHATCAP_PROGRESS_AFTER_S` changes it), and how
/// often a plain line repeats.
const QUIET_FOR: Duration = Duration::from_secs(2);
const LINE_EVERY: Duration = Duration::from_secs(5);

fn quiet_for() -> Duration {
    std::env::var("CHATCAP_PROGRESS_AFTER_S")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .and_then(|s| Duration::try_from_secs_f64(s).ok())
        .unwrap_or(QUIET_FOR)
}

/// The progress of a study of `variations` variations.
pub(crate) struct Progress {
    variations: usize,
    done: AtomicU64,
    start: Instant,
    bar: Option<ProgressBar>,
    /// Off a terminal: when the last line was written, `None` before the first.
    last_line: Mutex<Option<Instant>>,
    quiet: bool,
    quiet_for: Duration,
}

impl Progress {
    pub(crate) fn new(variations: usize, quiet: bool) -> Progress {
        let terminal = std::io::stderr().is_terminal();
        let bar = (terminal && !quiet).then(|| {
            let bar = ProgressBar::with_draw_target(
                Some((variations as f64 * UNIT) as u64),
                ProgressDrawTarget::hidden(),
            );
            bar.set_style(
                ProgressStyle::with_template("simulating [{bar:30}] {percent:>3}% {msg} eta {eta}")
                    .expect("a valid template")
                    .progress_chars("=> "),
            );
            bar
        });
        Progress {
            variations,
            done: AtomicU64::new(0),
            start: Instant::now(),
            bar,
            last_line: Mutex::new(None),
            quiet,
            quiet_for: quiet_for(),
        }
    }

    /// Variation `index` (from 0) has simulated `share` more of itself.
    pub(crate) fn advance(&self, index: usize, share: f64) {
        if self.quiet {
            return;
        }
        let units = (share * UNIT).round() as u64;
        let done = self.done.fetch_add(units, Ordering::Relaxed) + units;
        let elapsed = self.start.elapsed();
        if elapsed < self.quiet_for {
            return;
        }
        let what = if self.variations > 1 {
            format!("variation {} of {}", index + 1, self.variations)
        } else {
            String::new()
        };
        if let Some(bar) = &self.bar {
            if bar.is_hidden() {
                bar.set_draw_target(ProgressDrawTarget::stderr());
            }
            bar.set_message(what);
            bar.set_position(done);
            return;
        }
        let Ok(mut last) = self.last_line.lock() else { return };
        if last.is_some_and(|t| t.elapsed() < LINE_EVERY) {
            return;
        }
        *last = Some(Instant::now());
        let share = done as f64 / (self.variations as f64 * UNIT);
        let left = if share > 0.0 { elapsed.as_secs_f64() * (1.0 - share) / share } else { f64::NAN };
        eprintln!(
            "simulating: {:.0}% done{}{}, {} elapsed, about {} left",
            (share * 100.0).min(100.0),
            if what.is_empty() { "" } else { ", " },
            what,
            clock(elapsed.as_secs_f64()),
            clock(left)
        );
    }

    /// Clears the bar.
    pub(crate) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Seconds as `1h02m`, `3m05s` or `12s`.
fn clock(s: f64) -> String {
    if !s.is_finite() {
        return "?".into();
    }
    let s = s.round() as u64;
    match (s / 3600, s % 3600 / 60, s % 60) {
        (0, 0, sec) => format!("{sec}s"),
        (0, min, sec) => format!("{min}m{sec:02}s"),
        (h, min, _) => format!("{h}h{min:02}m"),
    }
}

#[cfg(test)]
mod tests {
    use super::clock;

    #[test]
    fn clock_reads_as_a_duration() {
        assert_eq!(clock(12.4), "12s");
        assert_eq!(clock(185.0), "3m05s");
        assert_eq!(clock(3_725.0), "1h02m");
        assert_eq!(clock(f64::NAN), "?");
    }
}
