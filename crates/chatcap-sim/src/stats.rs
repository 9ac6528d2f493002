//! Counting a run, and summarizing replications with confidence intervals.

/// What one replication counted for one skill in one interval (by arrival interval for the
/// visitor counts, by time for the queue).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct SkillTally {
    pub(crate) offered: f64,
    pub(crate) answered: f64,
    pub(crate) abandoned: f64,
    /// Answered within the target.
    pub(crate) within: f64,
    /// Visitors who waited at all: answered after a wait, or abandoned.
    pub(crate) waited: f64,
    pub(crate) wait_sum_answered: f64,
    /// Waits of answered and abandoned visitors.
    pub(crate) wait_sum_all: f64,
    /// Queue length integrated over time.
    pub(crate) queue_area: f64,
    pub(crate) max_queue: f64,
}

/// What one replication counted over the whole floor in one interval.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct FloorTally {
    /// Agents logged in (not `Offline`), integrated over time.
    pub(crate) staffed_area: f64,
    /// Agents holding at least one chat, integrated over time.
    pub(crate) busy_area: f64,
    /// Chats in service, integrated over time.
    pub(crate) chat_area: f64,
    /// Seconds counted (after the warm-up).
    pub(crate) duration: f64,
}

impl SkillTally {
    pub(crate) fn add(&mut self, o: &SkillTally) {
        self.offered += o.offered;
        self.answered += o.answered;
        self.abandoned += o.abandoned;
        self.within += o.within;
        self.waited += o.waited;
        self.wait_sum_answered += o.wait_sum_answered;
        self.wait_sum_all += o.wait_sum_all;
        self.queue_area += o.queue_area;
        self.max_queue = self.max_queue.max(o.max_queue);
    }
}

impl FloorTally {
    pub(crate) fn add(&mut self, o: &FloorTally) {
        self.staffed_area += o.staffed_area;
        self.busy_area += o.busy_area;
        self.chat_area += o.chat_area;
        self.duration += o.duration;
    }
}

/// Calls `f(interval, seconds)` for each interval that `[from, to)` overlaps, with the overlap.
pub(crate) fn spread(interval_s: f64, from: f64, to: f64, mut f: impl FnMut(usize, f64)) {
    let mut t = from;
    while t < to {
        let i = (t / interval_s) as usize;
        let end = ((i + 1) as f64 * interval_s).min(to);
        if end <= t {
            // Rounding put `t` on a boundary: move to the next interval.
            t = (i + 1) as f64 * interval_s;
            continue;
        }
        f(i, end - t);
        t = end;
    }
}

/// A mean over replications and the half-width of its 95% confidence interval.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize)]
pub struct Estimate {
    /// The mean of the replications' values.
    pub mean: f64,
    /// Half the width of the 95% confidence interval (Student's t); 0 with one replication.
    pub ci95: f64,
}

impl Estimate {
    /// Summarizes one value per replication; replications where the value is undefined (`NaN`,
    /// such as an ASA with nobody answered) are left out.
    pub fn of(values: impl IntoIterator<Item = f64>) -> Estimate {
        let xs: Vec<f64> = values.into_iter().filter(|x| x.is_finite()).collect();
        let n = xs.len();
        if n == 0 {
            return Estimate { mean: f64::NAN, ci95: f64::NAN };
        }
        let mean = xs.iter().sum::<f64>() / n as f64;
        if n == 1 {
            return Estimate { mean, ci95: 0.0 };
        }
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        Estimate { mean, ci95: t975(n - 1) * (var / n as f64).sqrt() }
    }
}

/// The 0.975 quantile of Student's t with `df` degrees of freedom.
fn t975(df: usize) -> f64 {
    // Published table values for small df; the normal quantile beyond 30 is within 2%.
    const T: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145,
        2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048,
        2.045, 2.042,
    ];
    match df {
        0 => f64::NAN,
        1..=30 => T[df - 1],
        31..=60 => 2.000,
        61..=120 => 1.980,
        _ => 1.960,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_splits_at_interval_boundaries() {
        let mut got = Vec::new();
        spread(10.0, 5.0, 27.0, |i, dt| got.push((i, dt)));
        assert_eq!(got, [(0, 5.0), (1, 10.0), (2, 7.0)]);
        let mut none = Vec::new();
        spread(10.0, 5.0, 5.0, |i, dt| none.push((i, dt)));
        assert!(none.is_empty());
    }

    #[test]
    fn estimate_uses_students_t() {
        // Values 1..=5: mean 3, sd sqrt(2.5), t(4) = 2.776 -> 2.776 * sqrt(2.5 / 5) = 1.9629.
        let e = Estimate::of([1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(e.mean, 3.0);
        assert!((e.ci95 - 2.776 * 0.5f64.sqrt()).abs() < 1e-12);
        assert_eq!(Estimate::of([7.0]).ci95, 0.0);
        assert!(Estimate::of([f64::NAN]).mean.is_nan());
    }
}
