//! Staffing: the fewest agents that meet a service-level target.
//!
//! Each search starts from a lower bound that no smaller floor can beat. For Erlang C it walks
//! up one agent at a time, carrying Erlang B by its one-step recurrence from a single
//! constant-cost evaluation at the start, so each candidate costs a few flops and an `exp`. The
//! Erlang A and chat searches, whose candidates each cost a pass over the queue states, step up
//! in doubling strides and then bisect (the service level grows with the agents).

use std::time::Duration;

use super::{ChatModel, ErlangA, ErlangC, Traffic, special};
use crate::QueueingError;

/// How many agents past its start a search tries before giving up.
const SEARCH_LIMIT: u64 = 10_000_000;

/// A service-level target: a share of arrivals answered within a time, optionally under a
/// maximum agent occupancy.
///
/// # Examples
///
/// ```
/// use chatcap_queueing::StaffingTarget;
/// use std::time::Duration;
/// let t = StaffingTarget::new(0.8, Duration::from_secs(20))?.with_max_occupancy(0.85)?;
/// assert_eq!(t.service_level(), 0.8);
/// assert!(StaffingTarget::new(1.5, Duration::from_secs(20)).is_err());
/// # Ok::<(), chatcap_queueing::QueueingError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StaffingTarget {
    service_level: f64,
    within: Duration,
    max_occupancy: Option<f64>,
}

impl StaffingTarget {
    /// At least `service_level` (above 0, at most 1) of arrivals answered within `within`.
    ///
    /// # Errors
    ///
    /// [`QueueingError::InvalidFraction`] for a service level outside `(0, 1]`.
    pub fn new(service_level: f64, within: Duration) -> Result<Self, QueueingError> {
        Ok(Self { service_level: fraction("service level", service_level)?, within, max_occupancy: None })
    }

    /// Also keeps agent occupancy at or below `max_occupancy` (above 0, at most 1).
    ///
    /// # Errors
    ///
    /// [`QueueingError::InvalidFraction`] for an occupancy outside `(0, 1]`.
    pub fn with_max_occupancy(self, max_occupancy: f64) -> Result<Self, QueueingError> {
        Ok(Self { max_occupancy: Some(fraction("max occupancy", max_occupancy)?), ..self })
    }

    /// The share of arrivals to answer within the target time.
    pub fn service_level(&self) -> f64 {
        self.service_level
    }

    /// The target time.
    pub fn within(&self) -> Duration {
        self.within
    }

    /// The occupancy cap, if any.
    pub fn max_occupancy(&self) -> Option<f64> {
        self.max_occupancy
    }

    fn met(&self, service_level: f64, occupancy: f64) -> bool {
        service_level >= self.service_level && self.max_occupancy.is_none_or(|cap| occupancy <= cap)
    }
}

fn fraction(what: &'static str, value: f64) -> Result<f64, QueueingError> {
    if value > 0.0 && value <= 1.0 { Ok(value) } else { Err(QueueingError::InvalidFraction { what, value }) }
}

/// The answer of a staffing search: the agents and what they achieve.
///
/// # Examples
///
/// ```
/// use chatcap_queueing::{StaffingTarget, Traffic, staff_erlang_c};
/// use std::time::Duration;
/// let traffic = Traffic::per_hour(200.0, Duration::from_secs(180))?;
/// let target = StaffingTarget::new(0.8, Duration::from_secs(20))?.with_max_occupancy(0.7)?;
/// let s = staff_erlang_c(traffic, &target)?;
/// assert_eq!(s.agents(), 15); // 14 would meet the service level at 71% occupancy
/// assert!(s.occupancy() <= 0.7 && s.service_level() >= 0.8);
/// # Ok::<(), chatcap_queueing::QueueingError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Staffing {
    agents: u32,
    service_level: f64,
    p_wait: f64,
    p_abandon: f64,
    asa_s: f64,
    occupancy: f64,
    offered_load: f64,
}

impl Staffing {
    /// The fewest agents that meet the target.
    pub fn agents(&self) -> u32 {
        self.agents
    }

    /// The service level they achieve.
    pub fn service_level(&self) -> f64 {
        self.service_level
    }

    /// The probability of waiting with them.
    pub fn p_wait(&self) -> f64 {
        self.p_wait
    }

    /// The average speed of answer in seconds (of the served visitors, where visitors abandon).
    pub fn asa_s(&self) -> f64 {
        self.asa_s
    }

    /// The share of arrivals that abandon with them (0 without patience).
    pub fn p_abandon(&self) -> f64 {
        self.p_abandon
    }

    /// Their occupancy (for chat agents: the share of chat slots in use).
    pub fn occupancy(&self) -> f64 {
        self.occupancy
    }

    /// The offered load in agents: the agents it would take to serve every arrival with none
    /// idle. Erlangs (arrivals times the mean handle time) for Erlang C and A; for chat agents,
    /// the arrivals over the most chats an agent completes per second at any concurrency level.
    pub fn offered_load(&self) -> f64 {
        self.offered_load
    }

    /// Fewer agents than the offered load: they cannot serve every arrival, and abandonment is
    /// what keeps the queue finite (`p_abandon` of the arrivals give up).
    ///
    /// # Examples
    ///
    /// ```
    /// use chatcap_queueing::{StaffingTarget, Traffic, staff_erlang_a};
    /// use std::time::Duration;
    /// // 10 erlangs, very impatient visitors, half of them answered within a minute.
    /// let traffic = Traffic::per_hour(200.0, Duration::from_secs(180))?;
    /// let target = StaffingTarget::new(0.5, Duration::from_secs(60))?;
    /// let s = staff_erlang_a(traffic, Duration::from_secs(10), &target)?;
    /// assert!(s.below_offered_load() && s.agents() < 10);
    /// assert!(s.p_abandon() > 0.3);
    /// # Ok::<(), chatcap_queueing::QueueingError>(())
    /// ```
    pub fn below_offered_load(&self) -> bool {
        f64::from(self.agents) < self.offered_load
    }
}

/// The fewest agents meeting `target` under Erlang C (infinitely patient visitors).
///
/// # Errors
///
/// [`QueueingError::StaffingUnreachable`] if no count up to ten million agents past the start
/// meets the target (a service level of exactly 1 with a target time of zero, for example).
///
/// # Examples
///
/// ```
/// use chatcap_queueing::{StaffingTarget, Traffic, staff_erlang_c};
/// use std::time::Duration;
/// // 10 erlangs, 80% within 20 s: 13 agents reach 0.796, 14 reach 0.888.
/// let traffic = Traffic::per_hour(200.0, Duration::from_secs(180))?;
/// let s = staff_erlang_c(traffic, &StaffingTarget::new(0.8, Duration::from_secs(20))?)?;
/// assert_eq!(s.agents(), 14);
/// # Ok::<(), chatcap_queueing::QueueingError>(())
/// ```
pub fn staff_erlang_c(traffic: Traffic, target: &StaffingTarget) -> Result<Staffing, QueueingError> {
    let a = traffic.erlangs();
    // Stability needs n > a; the occupancy cap needs n >= a / cap.
    let mut n = (a.floor() + 1.0).max(target.max_occupancy.map_or(0.0, |cap| (a / cap).ceil()));
    let start = n;
    if n > f64::from(u32::MAX) {
        return Err(QueueingError::StaffingUnreachable { limit: u64::from(u32::MAX) });
    }
    let mut b = special::erlang_b(n as u64, a);
    loop {
        let c = ErlangC::from_erlang_b(traffic, n as u32, b);
        let sl = c.service_level(target.within);
        if target.met(sl, c.occupancy()) {
            return Ok(Staffing {
                agents: c.agents(),
                service_level: sl,
                p_wait: c.p_wait(),
                p_abandon: 0.0,
                asa_s: c.asa_s(),
                occupancy: c.occupancy(),
                offered_load: a,
            });
        }
        n += 1.0;
        if n - start > SEARCH_LIMIT as f64 || n > f64::from(u32::MAX) {
            return Err(QueueingError::StaffingUnreachable { limit: n as u64 - 1 });
        }
        let ab = a * b;
        b = ab / (n + ab);
    }
}

/// The fewest agents meeting `target` under Erlang A (visitors abandon after a mean
/// `patience`); the service level counts answered visitors over all offered.
///
/// # Errors
///
/// As [`staff_erlang_c`], and [`QueueingError::InvalidRate`] for a zero patience.
///
/// # Examples
///
/// ```
/// use chatcap_queueing::{StaffingTarget, Traffic, staff_erlang_a, staff_erlang_c};
/// use std::time::Duration;
/// let traffic = Traffic::per_hour(200.0, Duration::from_secs(180))?;
/// let target = StaffingTarget::new(0.8, Duration::from_secs(20))?;
/// let a = staff_erlang_a(traffic, Duration::from_secs(60), &target)?;
/// // Abandonment shortens the queue, so patience never needs more agents than Erlang C.
/// assert!(a.agents() <= staff_erlang_c(traffic, &target)?.agents());
/// # Ok::<(), chatcap_queueing::QueueingError>(())
/// ```
pub fn staff_erlang_a(
    traffic: Traffic,
    patience: Duration,
    target: &StaffingTarget,
) -> Result<Staffing, QueueingError> {
    let a = traffic.erlangs();
    // Served load is at most n erlangs, so the service level is at most n / a.
    let start = (target.service_level * a).ceil().max(1.0);
    if start > f64::from(u32::MAX) {
        return Err(QueueingError::StaffingUnreachable { limit: u64::from(u32::MAX) });
    }
    first_met(start as u32, |n| {
        let m = match ErlangA::new(traffic, n, patience) {
            Ok(m) => m,
            // A queue too long to sum (over 10^8 waiting) answers nobody within any target.
            Err(QueueingError::ModelTooLarge { .. }) => return Ok(None),
            Err(e) => return Err(e),
        };
        let sl = m.service_level(target.within);
        Ok(target.met(sl, m.occupancy()).then(|| Staffing {
            agents: n,
            service_level: sl,
            p_wait: m.p_wait(),
            p_abandon: m.p_abandon(),
            asa_s: m.asa_served_s(),
            occupancy: m.occupancy(),
            offered_load: a,
        }))
    })
}

/// The fewest chat agents meeting `target` under the chat concurrency model ([`ChatModel`]):
/// the balanced approximation finds a candidate, and where [`ChatModel::solve`] solves a chain
/// (exact within [`EXACT_STATE_LIMIT`](crate::EXACT_STATE_LIMIT) states, the window chain within
/// [`WINDOW_STATE_LIMIT`](crate::WINDOW_STATE_LIMIT)), that settles the answer. Occupancy is the
/// share of chat slots in use.
///
/// # Errors
///
/// As [`ChatModel::new`] and [`staff_erlang_c`].
///
/// # Examples
///
/// ```
/// use chatcap_queueing::{StaffingTarget, staff_chat};
/// use std::time::Duration;
/// let s = Duration::from_secs;
/// let target = StaffingTarget::new(0.8, s(60))?;
/// let staffing = staff_chat(100.0 / 600.0, &[s(300), s(400), s(500)], Some(s(180)), &target)?;
/// assert!(staffing.service_level() >= 0.8);
/// # Ok::<(), chatcap_queueing::QueueingError>(())
/// ```
pub fn staff_chat(
    arrivals_per_s: f64,
    aht_by_concurrency: &[Duration],
    patience: Option<Duration>,
    target: &StaffingTarget,
) -> Result<Staffing, QueueingError> {
    // Validates the inputs once, with one agent.
    ChatModel::new(1, aht_by_concurrency, arrivals_per_s, patience.or(Some(Duration::from_secs(1))))?;
    let peak = aht_by_concurrency
        .iter()
        .enumerate()
        .map(|(k, d)| (k + 1) as f64 / d.as_secs_f64())
        .fold(0.0, f64::max);
    // Served chats per second are at most N times an agent's best throughput.
    let start =
        ((target.service_level * arrivals_per_s / peak).ceil().max(1.0)).min(f64::from(u32::MAX)) as u32;
    let evaluate = |n: u32, exact: bool| -> Result<Option<Staffing>, QueueingError> {
        let model = match ChatModel::new(n, aht_by_concurrency, arrivals_per_s, patience) {
            Ok(m) => m,
            // Too few slots for patient visitors, or a queue too long to sum: not a candidate.
            Err(QueueingError::UnstableQueue { .. } | QueueingError::ModelTooLarge { .. }) => {
                return Ok(None);
            }
            Err(e) => return Err(e),
        };
        let r = if exact { model.solve() } else { model.solve_balanced() };
        let sl = r.service_level(target.within);
        Ok(target.met(sl, r.slot_occupancy()).then(|| Staffing {
            agents: n,
            service_level: sl,
            p_wait: r.p_wait(),
            p_abandon: r.p_abandon(),
            asa_s: r.asa_served_s(),
            occupancy: r.slot_occupancy(),
            offered_load: arrivals_per_s / peak,
        }))
    };
    let found = first_met(start, |n| evaluate(n, false))?;
    let small = |n: u32| {
        ChatModel::new(n, aht_by_concurrency, arrivals_per_s, patience)
            .ok()
            .is_some_and(|m| m.solves_a_chain())
    };
    if !small(found.agents) {
        return Ok(found);
    }
    // Settle with the exact solution around the candidate.
    let mut n = found.agents;
    let mut best = evaluate(n, true)?;
    if best.is_some() {
        while n > 1 {
            match evaluate(n - 1, true)? {
                Some(s) => {
                    best = Some(s);
                    n -= 1;
                }
                None => break,
            }
        }
        return Ok(best.unwrap_or(found));
    }
    loop {
        n += 1;
        if let Some(s) = evaluate(n, true)? {
            return Ok(s);
        }
        if u64::from(n - found.agents) >= SEARCH_LIMIT || n == u32::MAX {
            return Err(QueueingError::StaffingUnreachable { limit: u64::from(n) });
        }
    }
}

/// The first count from `start` on that `eval` accepts, assuming that acceptance only grows with
/// the count: doubling steps up, then bisection, so `O(log n)` evaluations.
fn first_met(
    start: u32,
    mut eval: impl FnMut(u32) -> Result<Option<Staffing>, QueueingError>,
) -> Result<Staffing, QueueingError> {
    if let Some(s) = eval(start)? {
        return Ok(s);
    }
    let (mut lo, mut step) = (u64::from(start), 1u64);
    let (mut hi, mut found) = loop {
        let candidate = lo + step;
        if step > SEARCH_LIMIT || candidate > u64::from(u32::MAX) {
            return Err(QueueingError::StaffingUnreachable { limit: lo });
        }
        match eval(candidate as u32)? {
            Some(s) => break (candidate, s),
            None => {
                lo = candidate;
                step *= 2;
            }
        }
    };
    // lo fails, hi meets the target.
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        match eval(mid as u32)? {
            Some(s) => {
                hi = mid;
                found = s;
            }
            None => lo = mid,
        }
    }
    Ok(found)
}
