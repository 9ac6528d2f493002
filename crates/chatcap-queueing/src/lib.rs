//! Steady-state queueing models of a chat floor: Erlang B and C, Erlang A (with patience), the
//! chat concurrency model, and staffing.
//!
//! The models depend on nothing of the floor: `chatcap-core` re-exports them for the wait
//! estimates and staffing questions it answers, and analysts' tools (a planner, the Python
//! package) can use them alone. Errors are [`QueueingError`], what is wrong with a model's
//! inputs; the floor's own errors are the core's.
//!
//! Everything here is pure `f64` arithmetic on validated inputs: no factorials, no allocation
//! in the Erlang B, C and A evaluations, and typed errors instead of NaN or probabilities above
//! one. Times are [`Duration`]s; rates are per second.
//!
//! # Examples
//!
//! ```
//! use chatcap_queueing::{ErlangC, Traffic};
//! use std::time::Duration;
//! // 100 chats per 30 minutes, 3 minutes each, 14 agents (the ErlangC R package's example).
//! let traffic = Traffic::per_hour(200.0, Duration::from_secs(180))?;
//! let c = ErlangC::new(traffic, 14)?;
//! assert!((c.p_wait() - 0.1741319).abs() < 1e-7);
//! assert!((c.service_level(Duration::from_secs(20)) - 0.88835).abs() < 1e-5);
//! # Ok::<(), chatcap_queueing::QueueingError>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use std::time::Duration;

mod chat_model;
mod erlang_a;
mod erlang_c;
mod error;
mod special;
mod staffing;

pub use chat_model::{ChatModel, ChatModelMethod, ChatModelResult, EXACT_STATE_LIMIT, WINDOW_STATE_LIMIT};
pub use erlang_a::ErlangA;
pub use erlang_c::{ErlangC, erlang_b};
pub use error::{Limit, QueueingError};
pub use staffing::{Staffing, StaffingTarget, staff_chat, staff_erlang_a, staff_erlang_c};

/// Offered traffic: an arrival rate and a mean handle time, both finite and above zero.
///
/// # Examples
///
/// ```
/// use chatcap_queueing::Traffic;
/// use std::time::Duration;
/// let t = Traffic::per_hour(360.0, Duration::from_secs(300))?;
/// assert!((t.erlangs() - 30.0).abs() < 1e-12);
/// assert!(Traffic::per_hour(-1.0, Duration::from_secs(300)).is_err());
/// # Ok::<(), chatcap_queueing::QueueingError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Traffic {
    arrivals_per_s: f64,
    aht_s: f64,
    erlangs: f64,
}

impl Traffic {
    /// Traffic from arrivals per second and the mean handle time.
    ///
    /// # Errors
    ///
    /// [`QueueingError::InvalidRate`] if the rate is not finite and above zero, the handle time is
    /// zero, or their product (the load in erlangs) is not a finite number above zero.
    #[inline]
    pub fn new(arrivals_per_s: f64, aht: Duration) -> Result<Self, QueueingError> {
        let arrivals_per_s = positive("arrival rate", arrivals_per_s)?;
        let aht_s = positive("mean handle time (s)", aht.as_secs_f64())?;
        let erlangs = positive("offered load (erlangs)", arrivals_per_s * aht_s)?;
        Ok(Self { arrivals_per_s, aht_s, erlangs })
    }

    /// Traffic from arrivals per hour and the mean handle time.
    ///
    /// # Errors
    ///
    /// As [`Traffic::new`].
    pub fn per_hour(arrivals_per_hour: f64, aht: Duration) -> Result<Self, QueueingError> {
        positive("arrivals per hour", arrivals_per_hour)?;
        Self::new(arrivals_per_hour / 3600.0, aht)
    }

    /// Arrivals per second.
    #[inline]
    pub fn arrivals_per_s(&self) -> f64 {
        self.arrivals_per_s
    }

    /// The mean handle time in seconds.
    #[inline]
    pub fn aht_s(&self) -> f64 {
        self.aht_s
    }

    /// The offered load in erlangs: arrivals per second times the mean handle time.
    #[inline]
    pub fn erlangs(&self) -> f64 {
        self.erlangs
    }
}

/// `value` if it is finite and above zero.
#[inline]
pub(crate) fn positive(what: &'static str, value: f64) -> Result<f64, QueueingError> {
    if value.is_finite() && value > 0.0 { Ok(value) } else { Err(QueueingError::InvalidRate { what, value }) }
}
