//! Erlang B and Erlang C (M/M/n, no abandonment).

use std::time::Duration;

use super::{Traffic, special};
use crate::QueueingError;

/// The Erlang B blocking probability: the share of arrivals that find all `agents` busy in a
/// loss system (no queue) offered `traffic`.
///
/// Its cost does not grow with the agents: `B = P(N = n) / P(N <= n)` for `N ~ Poisson(a)` is
/// computed as a ratio of incomplete gamma terms (Temme's uniform expansion near the load, the
/// finite series of `1/B` above it, a Poisson tail series below it, the recurrence under 30
/// agents), never through `e^a`, `a^n` or `n!`; relative error within 1e-12 of exact
/// arithmetic. Always in `[0, 1]`: falling in the agents, rising in the load, 1 for no agents.
///
/// # Examples
///
/// ```
/// use chatcap_queueing::{Traffic, erlang_b};
/// use std::time::Duration;
/// // 2 erlangs on 2 servers: (2^2/2) / (1 + 2 + 2) = 0.4.
/// let t = Traffic::new(2.0, Duration::from_secs(1))?;
/// assert!((erlang_b(2, t) - 0.4).abs() < 1e-15);
/// assert_eq!(erlang_b(0, t), 1.0);
/// # Ok::<(), chatcap_queueing::QueueingError>(())
/// ```
#[inline]
pub fn erlang_b(agents: u32, traffic: Traffic) -> f64 {
    special::erlang_b(u64::from(agents), traffic.erlangs())
}

/// Erlang C: `agents` agents, one FCFS queue, infinitely patient visitors.
///
/// Built only for a stable queue (more agents than erlangs of traffic); the constructor does
/// the work and the accessors are a few flops.
///
/// # Examples
///
/// ```
/// use chatcap_queueing::{ErlangC, QueueingError, Traffic};
/// use std::time::Duration;
/// let traffic = Traffic::per_hour(200.0, Duration::from_secs(180))?; // 10 erlangs
/// let c = ErlangC::new(traffic, 14)?;
/// assert!((c.asa_s() - 7.8359).abs() < 1e-4);
/// assert!((c.occupancy() - 0.7142857).abs() < 1e-7);
/// assert!(matches!(ErlangC::new(traffic, 10), Err(QueueingError::UnstableQueue { agents: 10, .. })));
/// # Ok::<(), QueueingError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ErlangC {
    traffic: Traffic,
    agents: u32,
    erlang_b: f64,
    p_wait: f64,
}

impl ErlangC {
    /// The Erlang C model of `agents` agents offered `traffic`.
    ///
    /// # Errors
    ///
    /// [`QueueingError::UnstableQueue`] unless `agents` exceeds the traffic in erlangs: without
    /// abandonment the queue would grow without bound ([`ErlangA`](crate::ErlangA) covers that
    /// case).
    #[inline]
    pub fn new(traffic: Traffic, agents: u32) -> Result<Self, QueueingError> {
        let a = traffic.erlangs();
        let n = f64::from(agents);
        if n <= a {
            return Err(QueueingError::UnstableQueue { agents: u64::from(agents), traffic_erlangs: a });
        }
        let b = special::erlang_b(u64::from(agents), a);
        Ok(Self::from_erlang_b(traffic, agents, b))
    }

    /// The model from a known Erlang B value (`agents > erlangs` holds).
    #[inline]
    pub(crate) fn from_erlang_b(traffic: Traffic, agents: u32, erlang_b: f64) -> Self {
        let a = traffic.erlangs();
        let n = f64::from(agents);
        // n B / (n - a (1 - B)), with the denominator as a sum of two positive terms so that
        // nothing cancels when n is close to a.
        // C >= B always (the ratio is B times n / (n - a (1 - B)) >= 1); rounding at loads far
        // below the agents may leave it an ulp under, which the max restores.
        let p_wait = (n * erlang_b / ((n - a) + a * erlang_b)).max(erlang_b).min(1.0);
        Self { traffic, agents, erlang_b, p_wait }
    }

    /// The traffic.
    #[inline]
    pub fn traffic(&self) -> Traffic {
        self.traffic
    }

    /// The agents.
    #[inline]
    pub fn agents(&self) -> u32 {
        self.agents
    }

    /// Erlang B for the same agents and traffic (the blocking probability without a queue).
    #[inline]
    pub fn erlang_b(&self) -> f64 {
        self.erlang_b
    }

    /// The probability that an arrival waits (Erlang C).
    #[inline]
    pub fn p_wait(&self) -> f64 {
        self.p_wait
    }

    /// The average speed of answer in seconds: the mean wait over all arrivals.
    #[inline]
    pub fn asa_s(&self) -> f64 {
        self.p_wait * self.traffic.aht_s() / self.excess()
    }

    /// The service level: the probability that an arrival is answered within `target`.
    ///
    /// # Examples
    ///
    /// ```
    /// use chatcap_queueing::{ErlangC, Traffic};
    /// use std::time::Duration;
    /// let c = ErlangC::new(Traffic::per_hour(200.0, Duration::from_secs(180))?, 14)?;
    /// assert_eq!(c.service_level(Duration::ZERO), 1.0 - c.p_wait());
    /// assert!(c.service_level(Duration::from_secs(60)) > c.service_level(Duration::from_secs(20)));
    /// # Ok::<(), chatcap_queueing::QueueingError>(())
    /// ```
    #[inline]
    pub fn service_level(&self, target: Duration) -> f64 {
        let decay = (-self.excess() * target.as_secs_f64() / self.traffic.aht_s()).exp();
        (1.0 - self.p_wait * decay).clamp(0.0, 1.0)
    }

    /// Agent occupancy: the share of agent time spent on chats, `erlangs / agents`.
    #[inline]
    pub fn occupancy(&self) -> f64 {
        self.traffic.erlangs() / f64::from(self.agents)
    }

    /// The mean number of visitors waiting.
    #[inline]
    pub fn mean_queue_len(&self) -> f64 {
        self.p_wait * self.traffic.erlangs() / self.excess()
    }

    /// Agents beyond the offered load, `n - a`, above zero by construction.
    #[inline]
    fn excess(&self) -> f64 {
        f64::from(self.agents) - self.traffic.erlangs()
    }
}
