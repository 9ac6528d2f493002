//! Wait-time estimates as typed outcomes.

use std::fmt;
use std::time::Duration;

use crate::Summary;

/// How long the next visitor will wait, or why no number can be given.
///
/// These replace LivePerson's sentinels: `0` is [`AgentFreeNow`](Self::AgentFreeNow), `-1`
/// [`NoAgents`](Self::NoAgents), `-2` [`InsufficientData`](Self::InsufficientData).
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum WaitEstimate {
    /// A slot is free for the visitor now.
    AgentFreeNow,
    /// No agent is eligible: the visitor would wait for someone to come online.
    NoAgents,
    /// An input the method needs is missing.
    InsufficientData {
        /// What is missing.
        missing: MissingData,
    },
    /// An expected wait.
    Estimate {
        /// The expected wait, to the nanosecond; a wait too long for a [`Duration`] (or infinite)
        /// is [`Duration::MAX`].
        wait: Duration,
        /// How it was computed, with the inputs used.
        method: Method,
    },
}

/// An input a wait estimate could not do without.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum MissingData {
    /// The mean handle time of a chat.
    HandleTime,
    /// The mean patience of a waiting visitor.
    Patience,
    /// An observed wait (of the queue head, of the last visitor served, or any at all).
    WaitObservations,
}

impl fmt::Display for MissingData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MissingData::HandleTime => f.write_str("no mean handle time"),
            MissingData::Patience => f.write_str("no mean patience"),
            MissingData::WaitObservations => f.write_str("no observed wait"),
        }
    }
}

/// The method behind an [`WaitEstimate::Estimate`], with the inputs it used.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum Method {
    /// Queue position without abandonment: `(ahead + 1) / (s * mu)`, where `s * mu` is the rate
    /// at which the eligible agents' chat slots free up once all are taken.
    QueuePosition {
        /// Visitors that must be served from a freed slot before this one.
        ahead: u64,
        /// Slots freed per second: chat slots of the eligible agents over the mean handle time.
        release_rate_per_s: f64,
    },
    /// Queue position with exponential patience: `sum_{i=0..=ahead} 1 / (s * mu + i * theta)`,
    /// exact for M/M/s+M: while `i` visitors wait before this one, it moves up when a slot frees
    /// or one of them abandons.
    QueuePositionWithAbandonment {
        /// Visitors that must be served from a freed slot before this one.
        ahead: u64,
        /// Slots freed per second once all are taken.
        release_rate_per_s: f64,
        /// Abandonments per second of each waiting visitor: one over the mean patience.
        abandon_rate_per_s: f64,
    },
    /// Head of line: the newcomer will wait as long as the visitor now at the head of the queue
    /// has waited.
    HeadOfLine {
        /// How long the head of the queue has waited.
        head_wait: Duration,
    },
    /// Last to enter service: the newcomer will wait as long as the last visitor served did.
    LastToEnterService {
        /// The wait of the last visitor to reach an agent.
        last_wait: Duration,
    },
    /// An exponentially weighted moving average of observed waits ([`WaitAverage`]).
    MovingAverage {
        /// Waits observed so far.
        observations: u64,
        /// The weight of each new observation, in `(0, 1]`.
        weight: f64,
    },
}

impl WaitEstimate {
    /// Predicts the wait of a visitor joining a queue now, from the counts of a scope and the
    /// mean handle time, by queue position.
    ///
    /// The first `free` waiting visitors take the free slots; the rest wait for slots to free
    /// up. Once every slot is taken, the eligible agents' `s = free + releasable` slots (their
    /// limits: an agent above its limit frees no slot until it is back under it, and a slot of
    /// lighter chats counts once, see [`Summary::releasable`]) each free up at rate `1 / aht`, so
    /// the visitor with `ahead` visitors before it waits `(ahead + 1) / (s * mu)` on average
    /// (exact for plain chats, exponential handle times and no abandonment).
    ///
    /// # Examples
    ///
    /// ```
    /// use chatcap_core::{Slots, Summary, WaitEstimate};
    /// use std::time::Duration;
    /// let floor = Summary { eligible_agents: 2, unlimited_agents: 0, free: Slots::Count(1), busy: 5, releasable: 5, queued: 4 };
    /// // 3 visitors must wait for a freed slot before the newcomer: 4 / (6 slots / 60 s) = 40 s.
    /// let WaitEstimate::Estimate { wait, .. } = WaitEstimate::by_queue_position(&floor, Some(Duration::from_secs(60)))
    /// else { panic!() };
    /// assert_eq!(wait, Duration::from_secs(40));
    /// ```
    pub fn by_queue_position(scope: &Summary, aht: Option<Duration>) -> WaitEstimate {
        let free = match scope.free {
            crate::Slots::Unlimited => return WaitEstimate::AgentFreeNow,
            crate::Slots::Count(n) => n,
        };
        if free > scope.queued {
            return WaitEstimate::AgentFreeNow;
        }
        let slots = free.saturating_add(scope.releasable);
        if scope.eligible_agents == 0 || slots == 0 {
            return WaitEstimate::NoAgents;
        }
        let Some(aht) = aht else {
            return WaitEstimate::InsufficientData { missing: MissingData::HandleTime };
        };
        let ahead = scope.queued - free;
        // In (0, +inf]: `slots` is at least 1 and a handle time of zero gives +inf, hence a wait
        // of 0. So the wait below is neither NaN nor negative.
        let release_rate_per_s = slots as f64 / aht.as_secs_f64();
        WaitEstimate::Estimate {
            wait: saturating_duration((ahead as f64 + 1.0) / release_rate_per_s),
            method: Method::QueuePosition { ahead, release_rate_per_s },
        }
    }

    /// Predicts the wait of a visitor joining a queue now by queue position with exponential
    /// patience: `sum_{i=0..=ahead} 1 / (s * mu + i * theta)`, where `s * mu` is the slot release
    /// rate (as in [`by_queue_position`](Self::by_queue_position)) and `theta` one over the mean
    /// patience. This is the expected offered wait: the time until a slot would reach the visitor
    /// if it stayed, exact for exponential handle times and patience.
    ///
    /// # Examples
    ///
    /// ```
    /// use chatcap_core::{Slots, Summary, WaitEstimate};
    /// use std::time::Duration;
    /// let floor = Summary { eligible_agents: 2, unlimited_agents: 0, free: Slots::Count(0), busy: 6, releasable: 6, queued: 1 };
    /// let s = Duration::from_secs;
    /// // 1 ahead: 1/(6/60) + 1/(6/60 + 1/30) = 10 s + 7.5 s.
    /// let WaitEstimate::Estimate { wait, .. } =
    ///     WaitEstimate::by_queue_position_with_abandonment(&floor, Some(s(60)), Some(s(30)))
    /// else { panic!() };
    /// assert_eq!(wait, Duration::from_millis(17_500));
    /// ```
    pub fn by_queue_position_with_abandonment(
        scope: &Summary,
        aht: Option<Duration>,
        patience: Option<Duration>,
    ) -> WaitEstimate {
        let (ahead, release_rate_per_s) = match WaitEstimate::by_queue_position(scope, aht) {
            WaitEstimate::Estimate {
                method: Method::QueuePosition { ahead, release_rate_per_s }, ..
            } => (ahead, release_rate_per_s),
            other => return other,
        };
        let patience_s = patience.map_or(0.0, |p| p.as_secs_f64());
        if patience_s <= 0.0 {
            return WaitEstimate::InsufficientData { missing: MissingData::Patience };
        }
        // Finite: a patience above zero is at least a nanosecond.
        let abandon_rate_per_s = 1.0 / patience_s;
        let wait_s = offered_wait_s(ahead, release_rate_per_s, abandon_rate_per_s);
        WaitEstimate::Estimate {
            wait: saturating_duration(wait_s),
            method: Method::QueuePositionWithAbandonment { ahead, release_rate_per_s, abandon_rate_per_s },
        }
    }

    /// Predicts the wait of a newcomer as the time the visitor at the head of the queue has
    /// waited so far (the head-of-line predictor).
    ///
    /// With a free slot for the newcomer the answer is [`AgentFreeNow`](Self::AgentFreeNow);
    /// without eligible agents, [`NoAgents`](Self::NoAgents); with nobody queued, the head's wait
    /// is unknown ([`MissingData::WaitObservations`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use chatcap_core::{Slots, Summary, WaitEstimate};
    /// use std::time::Duration;
    /// let floor = Summary { eligible_agents: 3, unlimited_agents: 0, free: Slots::Count(0), busy: 9, releasable: 9, queued: 4 };
    /// let e = WaitEstimate::by_head_of_line(&floor, Some(Duration::from_secs(95)));
    /// assert!(matches!(e, WaitEstimate::Estimate { wait, .. } if wait == Duration::from_secs(95)));
    /// ```
    pub fn by_head_of_line(scope: &Summary, head_waited: Option<Duration>) -> WaitEstimate {
        if let Some(outcome) = Self::without_wait(scope) {
            return outcome;
        }
        match head_waited {
            Some(head_wait) if scope.queued > 0 => {
                WaitEstimate::Estimate { wait: head_wait, method: Method::HeadOfLine { head_wait } }
            }
            _ => WaitEstimate::InsufficientData { missing: MissingData::WaitObservations },
        }
    }

    /// Predicts the wait of a newcomer as the wait of the last visitor to reach an agent.
    ///
    /// # Examples
    ///
    /// ```
    /// use chatcap_core::{MissingData, Slots, Summary, WaitEstimate};
    /// use std::time::Duration;
    /// let floor = Summary { eligible_agents: 3, unlimited_agents: 0, free: Slots::Count(0), busy: 9, releasable: 9, queued: 0 };
    /// let e = WaitEstimate::by_last_to_enter_service(&floor, Some(Duration::from_secs(40)));
    /// assert!(matches!(e, WaitEstimate::Estimate { wait, .. } if wait == Duration::from_secs(40)));
    /// assert_eq!(
    ///     WaitEstimate::by_last_to_enter_service(&floor, None),
    ///     WaitEstimate::InsufficientData { missing: MissingData::WaitObservations }
    /// );
    /// ```
    pub fn by_last_to_enter_service(scope: &Summary, last_waited: Option<Duration>) -> WaitEstimate {
        if let Some(outcome) = Self::without_wait(scope) {
            return outcome;
        }
        match last_waited {
            Some(last_wait) => {
                WaitEstimate::Estimate { wait: last_wait, method: Method::LastToEnterService { last_wait } }
            }
            None => WaitEstimate::InsufficientData { missing: MissingData::WaitObservations },
        }
    }

    /// The outcomes that need no wait data: a free slot for the newcomer, or no eligible agent.
    fn without_wait(scope: &Summary) -> Option<WaitEstimate> {
        match scope.free {
            crate::Slots::Unlimited => return Some(WaitEstimate::AgentFreeNow),
            crate::Slots::Count(free) if free > scope.queued => return Some(WaitEstimate::AgentFreeNow),
            crate::Slots::Count(_) => {}
        }
        let slots = match scope.free {
            crate::Slots::Count(free) => free.saturating_add(scope.releasable),
            crate::Slots::Unlimited => u64::MAX,
        };
        (scope.eligible_agents == 0 || slots == 0).then_some(WaitEstimate::NoAgents)
    }
}

impl fmt::Display for WaitEstimate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WaitEstimate::AgentFreeNow => f.write_str("an agent is free now"),
            WaitEstimate::NoAgents => f.write_str("no eligible agent"),
            WaitEstimate::InsufficientData { missing } => write!(f, "insufficient data: {missing}"),
            WaitEstimate::Estimate { wait, method } => {
                write!(f, "estimated wait {:.0} s", wait.as_secs_f64())?;
                match method {
                    Method::QueuePosition { ahead, .. } => write!(f, " ({ahead} ahead, by queue position)"),
                    Method::QueuePositionWithAbandonment { ahead, .. } => {
                        write!(f, " ({ahead} ahead, by queue position with abandonment)")
                    }
                    Method::HeadOfLine { .. } => f.write_str(" (head of line)"),
                    Method::LastToEnterService { .. } => f.write_str(" (last to enter service)"),
                    Method::MovingAverage { observations, .. } => {
                        write!(f, " (moving average of {observations} observed waits)")
                    }
                }
            }
        }
    }
}

/// An exponentially weighted moving average of observed waits: each observation moves the
/// average by `weight` times its distance from it.
///
/// # Examples
///
/// ```
/// use chatcap_core::{Slots, Summary, WaitAverage, WaitEstimate};
/// use std::time::Duration;
/// let mut avg = WaitAverage::new(0.5).unwrap();
/// avg.observe(Duration::from_secs(100));
/// avg.observe(Duration::from_secs(50));
/// assert_eq!(avg.average(), Some(Duration::from_secs(75)));
/// let floor = Summary { eligible_agents: 3, unlimited_agents: 0, free: Slots::Count(0), busy: 9, releasable: 9, queued: 2 };
/// assert!(matches!(avg.estimate(&floor), WaitEstimate::Estimate { wait, .. } if wait == Duration::from_secs(75)));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct WaitAverage {
    weight: f64,
    /// A weighted mean of finite, non-negative seconds: finite and non-negative itself.
    average_s: f64,
    observations: u64,
}

impl WaitAverage {
    /// An empty average whose observations weigh `weight`, in `(0, 1]` (1: the last wait only).
    ///
    /// # Errors
    ///
    /// [`QueueingError::InvalidFraction`](crate::QueueingError::InvalidFraction) for a weight
    /// outside `(0, 1]`: a model input, like the queueing models'.
    pub fn new(weight: f64) -> Result<Self, crate::QueueingError> {
        if weight > 0.0 && weight <= 1.0 {
            Ok(Self { weight, average_s: 0.0, observations: 0 })
        } else {
            Err(crate::QueueingError::InvalidFraction { what: "moving average weight", value: weight })
        }
    }

    /// Takes in one observed wait. The first observation becomes the average.
    pub fn observe(&mut self, wait: Duration) {
        let w = wait.as_secs_f64();
        self.average_s =
            if self.observations == 0 { w } else { self.average_s + self.weight * (w - self.average_s) };
        self.observations = self.observations.saturating_add(1);
    }

    /// The average, to the nanosecond; `None` before the first observation.
    pub fn average(&self) -> Option<Duration> {
        (self.observations > 0).then(|| saturating_duration(self.average_s))
    }

    /// The waits observed so far.
    pub fn observations(&self) -> u64 {
        self.observations
    }

    /// The wait estimate for a newcomer to `scope`: the average, unless a slot is free or no
    /// agent is eligible.
    pub fn estimate(&self, scope: &Summary) -> WaitEstimate {
        if let Some(outcome) = WaitEstimate::without_wait(scope) {
            return outcome;
        }
        match self.average() {
            Some(wait) => WaitEstimate::Estimate {
                wait,
                method: Method::MovingAverage { observations: self.observations, weight: self.weight },
            },
            None => WaitEstimate::InsufficientData { missing: MissingData::WaitObservations },
        }
    }
}

/// A wait in seconds computed by a model, as a [`Duration`] rounded to the nanosecond.
///
/// The estimates above never compute NaN or a negative wait (each caller says why). A wait too
/// long for a `Duration` (about 584 billion years) or infinite saturates to [`Duration::MAX`].
/// Should NaN or a negative number arise anyway, it becomes `Duration::MAX` (the answer that
/// declines an offer) or zero, never a panic.
fn saturating_duration(secs: f64) -> Duration {
    match Duration::try_from_secs_f64(secs) {
        Ok(d) => d,
        Err(_) if secs < 0.0 => Duration::ZERO,
        // +inf, NaN, or beyond `Duration::MAX`.
        Err(_) => Duration::MAX,
    }
}

/// Terms of the offered-wait sum added one by one; the rest comes from the digamma function.
const EXACT_TERMS: u64 = 4_096;

/// `sum_{i=0..=ahead} 1 / (r + i * theta)` in seconds, for a release rate `r` and an abandonment
/// rate `theta`, both above zero. Up to [`EXACT_TERMS`] terms are summed from the smallest up;
/// the terms past them are `(psi(b + ahead + 1) - psi(b + EXACT_TERMS)) / theta` with
/// `b = r / theta`, from the asymptotic series of the digamma function, accurate to a few units
/// in the last place for arguments this large. So the cost is bounded whatever the queue: a
/// summary a caller built with `u64::MAX` visitors queued answers at once.
fn offered_wait_s(ahead: u64, r: f64, theta: f64) -> f64 {
    let head = ahead.min(EXACT_TERMS - 1);
    // Every term lies in [0, +inf): the release rate is above zero, so no NaN, nothing negative.
    let exact: f64 = (0..=head).rev().map(|i| 1.0 / (r + i as f64 * theta)).sum();
    if ahead < EXACT_TERMS {
        return exact;
    }
    let b = r / theta;
    let (lo, hi) = (b + EXACT_TERMS as f64, b + ahead as f64 + 1.0);
    exact + digamma_difference(lo, hi) / theta
}

/// `psi(hi) - psi(lo)` for `hi >= lo >= 4096`, without cancellation: the logarithm of the ratio
/// through `ln_1p`, then the differences of the series' terms `-1/(2x) - 1/(12x^2) + 1/(120x^4)`.
fn digamma_difference(lo: f64, hi: f64) -> f64 {
    let log = ((hi - lo) / lo).ln_1p();
    let series = |x: f64| {
        let x2 = x * x;
        -0.5 / x - 1.0 / (12.0 * x2) + 1.0 / (120.0 * x2 * x2)
    };
    log + (series(hi) - series(lo))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_become_durations_without_panicking() {
        assert_eq!(saturating_duration(40.0), Duration::from_secs(40));
        assert_eq!(saturating_duration(1.999_999_999_9), Duration::from_secs(2)); // to the nanosecond
        assert_eq!(saturating_duration(-0.0), Duration::ZERO);
        assert_eq!(saturating_duration(-1.0), Duration::ZERO);
        assert_eq!(saturating_duration(f64::NEG_INFINITY), Duration::ZERO);
        assert_eq!(saturating_duration(f64::INFINITY), Duration::MAX);
        assert_eq!(saturating_duration(f64::NAN), Duration::MAX);
        assert_eq!(saturating_duration(Duration::MAX.as_secs_f64()), Duration::MAX);
        assert_eq!(saturating_duration(f64::MAX), Duration::MAX);
    }

    #[test]
    fn the_offered_wait_of_a_long_queue_matches_the_sum_term_by_term() {
        // Against the plain sum from the smallest term up, past the switch to the digamma tail.
        for (r, theta) in [(0.1, 1.0 / 30.0), (2.5, 1.0 / 600.0), (40.0, 0.5), (1e-3, 1e-4)] {
            for ahead in [4_095u64, 4_096, 4_097, 10_000, 250_000, 2_000_000] {
                let plain: f64 = (0..=ahead).rev().map(|i| 1.0 / (r + i as f64 * theta)).sum();
                let got = offered_wait_s(ahead, r, theta);
                assert!(
                    ((got - plain) / plain).abs() < 1e-12,
                    "r {r} theta {theta} ahead {ahead}: {got} vs {plain}"
                );
            }
        }
    }

    #[test]
    fn the_offered_wait_of_any_queue_answers_at_once() {
        // A summary a caller built with every visitor a u64 can count: finite, and about
        // ln(ahead * theta / r) / theta.
        let (r, theta) = (0.1, 1.0 / 30.0);
        let got = offered_wait_s(u64::MAX, r, theta);
        let rough = (u64::MAX as f64 * theta / r).ln() / theta;
        assert!(got.is_finite() && (got - rough).abs() < 30.0 * 2.0, "{got} vs {rough}");
        let floor = Summary {
            eligible_agents: 1,
            unlimited_agents: 0,
            free: crate::Slots::ZERO,
            busy: 6,
            releasable: 6,
            queued: u64::MAX,
        };
        let e = WaitEstimate::by_queue_position_with_abandonment(
            &floor,
            Some(Duration::from_secs(60)),
            Some(Duration::from_secs(30)),
        );
        assert!(matches!(e, WaitEstimate::Estimate { wait, .. } if wait > Duration::from_secs(1_000)));
    }
}
