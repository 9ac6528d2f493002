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
    /// Visitors still waiting at the horizon (then served, or not, as the floor runs out).
    pub(crate) still_waiting: f64,
    /// Visitors nobody served: still waiting when the run-out after the horizon had no event
    /// left (no agent could take them and they had no patience to run out).
    pub(crate) unserved: f64,
}

/// What one replication counted of one skill's backlog, for the overload test: the queue at
/// the middle of the counted span and at its end, and the visitors offered in between.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Backlog {
    pub(crate) queue_mid: f64,
    pub(crate) queue_end: f64,
    pub(crate) offered_late: f64,
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
        self.still_waiting += o.still_waiting;
        self.unserved += o.unserved;
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
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Estimate {
    /// The estimate: the mean of the replications' values, or for a ratio (such as a service
    /// level) the pooled ratio, the sum over replications of the numerator over the sum of the
    /// denominator.
    pub mean: f64,
    /// Half the width of the 95% confidence interval (Student's t with one degree of freedom
    /// fewer than the replications counted); 0 with one replication.
    pub ci95: f64,
    /// Replications left out because their value was undefined (`NaN` or infinite); 0 for pooled
    /// ratios, where a replication with nothing to count weighs nothing.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub dropped: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Estimate {
    /// Summarizes one value per replication: their mean and the Student-t interval of the
    /// mean. Replications whose value is undefined (`NaN`, infinite) are left out and counted in
    /// [`Estimate::dropped`].
    ///
    /// # Examples
    ///
    /// ```
    /// use chatcap_sim::Estimate;
    /// let e = Estimate::of([1.0, 2.0, 3.0, 4.0, 5.0, f64::NAN]);
    /// assert_eq!((e.mean, e.dropped), (3.0, 1));
    /// // t(0.975; 4) = 2.776445, sd sqrt(2.5), n 5
    /// assert!((e.ci95 - 2.776445 * (2.5f64 / 5.0).sqrt()).abs() < 1e-6);
    /// ```
    pub fn of(values: impl IntoIterator<Item = f64>) -> Estimate {
        let mut dropped = 0;
        let xs: Vec<f64> = values
            .into_iter()
            .filter(|x| {
                dropped += usize::from(!x.is_finite());
                x.is_finite()
            })
            .collect();
        let n = xs.len();
        if n == 0 {
            return Estimate { mean: f64::NAN, ci95: f64::NAN, dropped };
        }
        let mean = xs.iter().sum::<f64>() / n as f64;
        if n == 1 {
            return Estimate { mean, ci95: 0.0, dropped };
        }
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        Estimate { mean, ci95: t975(n - 1) * (var / n as f64).sqrt(), dropped }
    }

    /// The pooled ratio of replications' `(numerator, denominator)` pairs: `R = Σy / Σx`, with
    /// the ratio estimator's interval, `t · sqrt(Σ(y - R x)² / (n - 1) / n) / mean(x)` (the
    /// delta method). Every replication counts, one with nothing to count (`x = 0`) with no
    /// weight; the ratio is undefined (`NaN`) when all denominators are 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use chatcap_sim::Estimate;
    /// // 3 of 10 waited in one replication, 0 of 0 in another, 5 of 10 in a third.
    /// let e = Estimate::ratio([(3.0, 10.0), (0.0, 0.0), (5.0, 10.0)]);
    /// assert_eq!(e.mean, 0.4);
    /// assert!(Estimate::ratio([(0.0, 0.0)]).mean.is_nan());
    /// ```
    pub fn ratio(pairs: impl IntoIterator<Item = (f64, f64)> + Clone) -> Estimate {
        let (mut sy, mut sx, mut n) = (0.0, 0.0, 0usize);
        for (y, x) in pairs.clone() {
            sy += y;
            sx += x;
            n += 1;
        }
        if n == 0 || sx <= 0.0 {
            return Estimate { mean: f64::NAN, ci95: f64::NAN, dropped: 0 };
        }
        let r = sy / sx;
        if n == 1 {
            return Estimate { mean: r, ci95: 0.0, dropped: 0 };
        }
        let ss: f64 = pairs.into_iter().map(|(y, x)| (y - r * x).powi(2)).sum();
        let mean_x = sx / n as f64;
        let se = (ss / (n - 1) as f64 / n as f64).sqrt() / mean_x;
        Estimate { mean: r, ci95: t975(n - 1) * se, dropped: 0 }
    }
}

/// The 0.975 quantile of Student's t with `df` degrees of freedom (`NaN` for none).
pub(crate) fn t975(df: usize) -> f64 {
    use statrs::distribution::{ContinuousCDF, StudentsT};
    match StudentsT::new(0.0, 1.0, df as f64) {
        Ok(t) if df > 0 => t.inverse_cdf(0.975),
        _ => f64::NAN,
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

    /// Published 0.975 quantiles of Student's t (to the 4 decimals of the classic tables,
    /// and to 6 from the exact values for df 1, 2 and 31).
    #[test]
    fn t_quantiles_match_the_tables() {
        let table = [
            (1, 12.706205),
            (2, 4.302653),
            (4, 2.776445),
            (10, 2.228139),
            (30, 2.042272),
            (31, 2.039513),
            (60, 2.000298),
            (120, 1.979930),
            (1000, 1.962339),
        ];
        for (df, want) in table {
            let got = t975(df);
            assert!((got - want).abs() < 1e-6, "df {df}: {got} against {want}");
        }
        assert!(t975(0).is_nan());
    }

    #[test]
    fn estimate_uses_students_t_and_counts_what_it_drops() {
        // Values 1..=5: mean 3, sd sqrt(2.5), t(4) = 2.776445 -> 1.963243.
        let e = Estimate::of([1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!((e.mean, e.dropped), (3.0, 0));
        assert!((e.ci95 - 2.776445 * 0.5f64.sqrt()).abs() < 1e-6);
        assert_eq!(Estimate::of([7.0]).ci95, 0.0);
        let nan = Estimate::of([f64::NAN, f64::INFINITY]);
        assert!(nan.mean.is_nan());
        assert_eq!(nan.dropped, 2);
    }

    /// The pooled ratio and its delta-method interval, against the formula worked by hand.
    #[test]
    fn ratio_is_pooled_with_a_delta_method_interval() {
        // y = 1, 4, 4; x = 2, 8, 4: R = 9 / 14; residuals 1 - 18/14, 4 - 72/14, 4 - 36/14.
        let e = Estimate::ratio([(1.0, 2.0), (4.0, 8.0), (4.0, 4.0)]);
        let r = 9.0 / 14.0;
        assert!((e.mean - r).abs() < 1e-15);
        let ss = (1.0f64 - 2.0 * r).powi(2) + (4.0f64 - 8.0 * r).powi(2) + (4.0f64 - 4.0 * r).powi(2);
        let se = (ss / 2.0 / 3.0).sqrt() / (14.0 / 3.0);
        assert!((e.ci95 - 4.302653 * se).abs() < 1e-6);
        // Equal ratios in every replication: no spread.
        let flat = Estimate::ratio([(1.0, 2.0), (3.0, 6.0)]);
        assert_eq!((flat.mean, flat.ci95), (0.5, 0.0));
        // A replication with nothing to count weighs nothing: not dropped, not a zero.
        let e = Estimate::ratio([(3.0, 10.0), (0.0, 0.0)]);
        assert_eq!((e.mean, e.dropped), (0.3, 0));
    }
}
