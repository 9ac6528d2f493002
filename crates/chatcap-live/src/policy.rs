//! Vendor policy as data: what to do after each kind of failure, and how many calls a vendor
//! allows. The decisions are plain functions of the failure, the history and a jitter draw,
//! so they are tested without a clock; the pollers sleep what they say.
//!
//! | failure | LivePerson | Comm100 |
//! | --- | --- | --- |
//! | throttled (429; Comm100 also 403) | wait at least 1 s plus jitter (login: 5 s), or `Retry-After` | wait for the next window of the call budget (5 minutes), or `Retry-After`; every poller sharing the budget waits |
//! | 5xx, timeout, connection failure, unreadable payload | 5, 10, 15 s, then doubling up to 8 minutes (or `Retry-After` when longer) | the same |
//! | 401 | log in again, once; a second 401 in a row stops the source | the same (a static key cannot be renewed: it stops at the second) |
//! | other 4xx | stop the source and report why | the same |

use std::collections::VecDeque;
use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

/// How a vendor call or poll failed, as far as the policy cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Failure {
    /// The vendor throttled the call.
    Throttled {
        /// The `Retry-After` it sent, if any.
        retry_after: Option<Duration>,
        /// Whether the call was a login.
        login: bool,
    },
    /// A 5xx answer.
    ServerError {
        /// The status.
        status: u16,
        /// The `Retry-After` it sent, if any.
        retry_after: Option<Duration>,
    },
    /// No answer within the call's timeout.
    Timeout,
    /// The connection failed.
    Transport,
    /// The answer could not be read (malformed, truncated, or a snapshot that does not
    /// validate), or pages that did not fit together.
    BadPayload,
    /// 401: the credentials or session are no longer accepted.
    Unauthorized,
    /// Any other 4xx (or a redirect): no retry will fix it.
    Refused {
        /// The status.
        status: u16,
    },
}

/// What to do next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Try again after this long.
    Retry {
        /// How long to wait.
        after: Duration,
        /// Why, for metrics: `throttled`, `server_error`, `timeout`, `transport`, `bad_payload`.
        reason: &'static str,
    },
    /// Drop the session and credentials' bearer, log in again, and poll at once.
    Relogin,
    /// Stop polling: no retry can fix this.
    Stop,
}

/// How throttling is waited out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Throttle {
    /// At least `min` (`login_min` for a login) plus a uniform jitter of up to `jitter`.
    AtLeast {
        /// The least wait.
        min: Duration,
        /// The least wait after a throttled login.
        login_min: Duration,
        /// The largest jitter added.
        jitter: Duration,
    },
    /// Until the call budget's next window: a whole window from now.
    NextWindow(Duration),
}

/// A vendor's retry policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The HTTP statuses that mean "throttled".
    pub throttle_statuses: &'static [u16],
    /// How throttling is waited out.
    pub throttle: Throttle,
    /// The waits after the first failures of the 5xx kind, in order.
    pub steps: &'static [Duration],
    /// After the steps, each wait doubles the last, up to this.
    pub max_backoff: Duration,
    /// The longest `Retry-After` honoured.
    pub max_retry_after: Duration,
}

impl RetryPolicy {
    /// LivePerson's: 429 waits at least 1 s plus up to 1 s of jitter (a login 5 s, as its Login
    /// Service asks); 5xx waits 5, 10, 15 s, then doubles up to 8 minutes.
    pub const LIVEPERSON: RetryPolicy = RetryPolicy {
        throttle_statuses: &[429],
        throttle: Throttle::AtLeast {
            min: Duration::from_secs(1),
            login_min: Duration::from_secs(5),
            jitter: Duration::from_secs(1),
        },
        steps: &[Duration::from_secs(5), Duration::from_secs(10), Duration::from_secs(15)],
        max_backoff: Duration::from_secs(480),
        max_retry_after: Duration::from_secs(3600),
    };

    /// Comm100's: 403 and 429 wait for the next window of 5 minutes; 5xx as LivePerson.
    pub const COMM100: RetryPolicy = RetryPolicy {
        throttle_statuses: &[403, 429],
        throttle: Throttle::NextWindow(Duration::from_secs(300)),
        steps: &[Duration::from_secs(5), Duration::from_secs(10), Duration::from_secs(15)],
        max_backoff: Duration::from_secs(480),
        max_retry_after: Duration::from_secs(3600),
    };

    /// The wait after the `n`th failure in a row of the 5xx kind (from 1).
    pub fn backoff(&self, n: u32) -> Duration {
        let n = n.max(1) as usize;
        if let Some(&d) = self.steps.get(n - 1) {
            return d;
        }
        let last = self.steps.last().copied().unwrap_or(Duration::from_secs(1));
        let doublings = (n - self.steps.len()).min(32) as u32;
        last.saturating_mul(2u32.saturating_pow(doublings)).min(self.max_backoff)
    }
}

/// A poller's failure history under a policy.
#[derive(Clone, Debug)]
pub struct Backoff {
    policy: RetryPolicy,
    failures: u32,
    relogged: bool,
}

impl Backoff {
    /// No failure yet.
    pub fn new(policy: RetryPolicy) -> Self {
        Self { policy, failures: 0, relogged: false }
    }

    /// The policy.
    pub fn policy(&self) -> &RetryPolicy {
        &self.policy
    }

    /// A poll succeeded: the history is forgotten.
    pub fn succeeded(&mut self) {
        self.failures = 0;
        self.relogged = false;
    }

    /// What to do after `failure`; `jitter` is a draw in `[0, 1)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use chatcap_live::policy::{Action, Backoff, Failure, RetryPolicy};
    /// use std::time::Duration;
    /// let mut b = Backoff::new(RetryPolicy::LIVEPERSON);
    /// let five_xx = Failure::ServerError { status: 503, retry_after: None };
    /// let waits: Vec<_> = (0..5).map(|_| match b.failed(five_xx, 0.0) {
    ///     Action::Retry { after, .. } => after.as_secs(),
    ///     other => panic!("{other:?}"),
    /// }).collect();
    /// assert_eq!(waits, [5, 10, 15, 30, 60]);
    /// assert_eq!(b.failed(Failure::Unauthorized, 0.0), Action::Relogin);
    /// assert_eq!(b.failed(Failure::Unauthorized, 0.0), Action::Stop);
    /// ```
    pub fn failed(&mut self, failure: Failure, jitter: f64) -> Action {
        let jitter = if jitter.is_finite() { jitter.clamp(0.0, 1.0) } else { 0.0 };
        let honour = |retry_after: Option<Duration>, d: Duration| match retry_after {
            Some(r) => d.max(r.min(self.policy.max_retry_after)),
            None => d,
        };
        match failure {
            Failure::Throttled { retry_after, login } => {
                let after = match self.policy.throttle {
                    Throttle::AtLeast { min, login_min, jitter: j } => {
                        let base = if login { login_min } else { min };
                        honour(retry_after, base + j.mul_f64(jitter))
                    }
                    Throttle::NextWindow(window) => honour(retry_after, window),
                };
                Action::Retry { after, reason: "throttled" }
            }
            Failure::Unauthorized => {
                if self.relogged {
                    Action::Stop
                } else {
                    self.relogged = true;
                    Action::Relogin
                }
            }
            Failure::Refused { .. } => Action::Stop,
            Failure::ServerError { retry_after, .. } => {
                self.failures = self.failures.saturating_add(1);
                Action::Retry {
                    after: honour(retry_after, self.policy.backoff(self.failures)),
                    reason: "server_error",
                }
            }
            Failure::Timeout | Failure::Transport | Failure::BadPayload => {
                self.failures = self.failures.saturating_add(1);
                let reason = match failure {
                    Failure::Timeout => "timeout",
                    Failure::Transport => "transport",
                    _ => "bad_payload",
                };
                Action::Retry { after: self.policy.backoff(self.failures), reason }
            }
        }
    }
}

/// A budget of calls shared by every poller of a vendor: at most `limit` calls in any
/// `window` (a sliding window, the strictest reading of "300 calls per 5 minutes"), spaced at
/// least `window / limit` apart so that traffic is smooth, not bursts; a throttled answer
/// closes the budget for everyone until the time given.
#[derive(Debug)]
pub struct CallBudget {
    limit: usize,
    window: Duration,
    inner: Mutex<BudgetState>,
}

#[derive(Debug, Default)]
struct BudgetState {
    calls: VecDeque<Instant>,
    closed_until: Option<Instant>,
}

impl CallBudget {
    /// Comm100's: 300 calls per 5 minutes per IP address.
    pub fn comm100() -> Self {
        Self::new(300, Duration::from_secs(300))
    }

    /// A budget of `limit` calls per `window`.
    pub fn new(limit: usize, window: Duration) -> Self {
        Self { limit: limit.max(1), window, inner: Mutex::new(BudgetState::default()) }
    }

    /// The window.
    pub fn window(&self) -> Duration {
        self.window
    }

    /// Waits until a call is allowed, and counts it.
    pub async fn acquire(&self) {
        let spacing = self.window / self.limit as u32;
        loop {
            let wait_until = {
                let mut s = self.inner.lock().await;
                let now = Instant::now();
                while s.calls.front().is_some_and(|&t| now.duration_since(t) >= self.window) {
                    s.calls.pop_front();
                }
                let mut at = now;
                if let Some(c) = s.closed_until {
                    if c > now {
                        at = at.max(c);
                    } else {
                        s.closed_until = None;
                    }
                }
                if s.calls.len() >= self.limit
                    && let Some(&oldest) = s.calls.front()
                {
                    at = at.max(oldest + self.window);
                }
                if let Some(&last) = s.calls.back() {
                    at = at.max(last + spacing);
                }
                if at <= now {
                    s.calls.push_back(now);
                    return;
                }
                at
            };
            tokio::time::sleep_until(wait_until).await;
        }
    }

    /// Closes the budget for everyone for `d` (after a throttled answer).
    pub async fn close_for(&self, d: Duration) {
        let mut s = self.inner.lock().await;
        let until = Instant::now() + d;
        s.closed_until = Some(s.closed_until.map_or(until, |c| c.max(until)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn retry(a: Action) -> Duration {
        match a {
            Action::Retry { after, .. } => after,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn liveperson_throttling_waits_at_least_a_second_plus_jitter_and_five_for_a_login() {
        let mut b = Backoff::new(RetryPolicy::LIVEPERSON);
        let t = |login, retry_after| Failure::Throttled { retry_after, login };
        assert_eq!(retry(b.failed(t(false, None), 0.0)), Duration::from_secs(1));
        assert_eq!(retry(b.failed(t(false, None), 0.5)), Duration::from_millis(1_500));
        assert_eq!(retry(b.failed(t(true, None), 0.25)), Duration::from_millis(5_250));
        // Retry-After is honoured when longer, not when shorter.
        assert_eq!(retry(b.failed(t(false, Some(Duration::from_secs(7))), 0.5)), Duration::from_secs(7));
        assert_eq!(retry(b.failed(t(false, Some(Duration::from_millis(10))), 0.0)), Duration::from_secs(1));
        // Throttling is not a failure of the 5xx kind: the 5xx steps start over.
        assert_eq!(retry(b.failed(Failure::Timeout, 0.0)), Duration::from_secs(5));
    }

    #[test]
    fn server_errors_step_then_double_up_to_eight_minutes() {
        let mut b = Backoff::new(RetryPolicy::LIVEPERSON);
        let waits: Vec<u64> = (0..12)
            .map(|_| retry(b.failed(Failure::ServerError { status: 502, retry_after: None }, 0.9)).as_secs())
            .collect();
        assert_eq!(waits, [5, 10, 15, 30, 60, 120, 240, 480, 480, 480, 480, 480]);
        b.succeeded();
        assert_eq!(retry(b.failed(Failure::BadPayload, 0.0)), Duration::from_secs(5));
        let with_header = Failure::ServerError { status: 503, retry_after: Some(Duration::from_secs(90)) };
        assert_eq!(retry(b.failed(with_header, 0.0)), Duration::from_secs(90));
        let absurd = Failure::ServerError { status: 503, retry_after: Some(Duration::from_secs(1_000_000)) };
        assert_eq!(retry(b.failed(absurd, 0.0)), Duration::from_secs(3600));
    }

    #[test]
    fn a_401_logs_in_again_once_and_other_refusals_stop() {
        let mut b = Backoff::new(RetryPolicy::LIVEPERSON);
        assert_eq!(b.failed(Failure::Unauthorized, 0.0), Action::Relogin);
        b.succeeded();
        assert_eq!(b.failed(Failure::Unauthorized, 0.0), Action::Relogin);
        assert_eq!(b.failed(Failure::Unauthorized, 0.0), Action::Stop);
        let mut b = Backoff::new(RetryPolicy::LIVEPERSON);
        assert_eq!(b.failed(Failure::Refused { status: 404 }, 0.0), Action::Stop);
        assert_eq!(b.failed(Failure::Refused { status: 400 }, 0.0), Action::Stop);
    }

    #[test]
    fn comm100_throttling_waits_for_the_next_window() {
        let mut b = Backoff::new(RetryPolicy::COMM100);
        let t = Failure::Throttled { retry_after: None, login: false };
        assert_eq!(retry(b.failed(t, 0.7)), Duration::from_secs(300));
        let t = Failure::Throttled { retry_after: Some(Duration::from_secs(400)), login: false };
        assert_eq!(retry(b.failed(t, 0.7)), Duration::from_secs(400));
        assert!(RetryPolicy::COMM100.throttle_statuses.contains(&403));
        assert!(!RetryPolicy::LIVEPERSON.throttle_statuses.contains(&403));
    }

    #[tokio::test(start_paused = true)]
    async fn the_budget_never_allows_more_than_its_limit_in_a_window() {
        let budget = std::sync::Arc::new(CallBudget::new(10, Duration::from_secs(60)));
        let start = Instant::now();
        let times = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let mut tasks = Vec::new();
        for _ in 0..3 {
            let (budget, times) = (budget.clone(), times.clone());
            tasks.push(tokio::spawn(async move {
                for _ in 0..10 {
                    budget.acquire().await;
                    times.lock().unwrap().push(Instant::now().duration_since(start));
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        let mut times = times.lock().unwrap().clone();
        times.sort();
        assert_eq!(times.len(), 30);
        for (i, &t) in times.iter().enumerate() {
            let in_window = times[i..].iter().take_while(|&&u| u - t < Duration::from_secs(60)).count();
            assert!(in_window <= 10, "{in_window} calls in the minute from {t:?}");
        }
        // Smooth: 6 s apart, so 30 calls take 174 s.
        assert_eq!(times[29], Duration::from_secs(174));
    }

    #[tokio::test(start_paused = true)]
    async fn a_closed_budget_holds_every_caller() {
        let budget = CallBudget::new(300, Duration::from_secs(300));
        let start = Instant::now();
        budget.acquire().await;
        budget.close_for(Duration::from_secs(300)).await;
        budget.acquire().await;
        assert_eq!(Instant::now().duration_since(start), Duration::from_secs(300));
    }
}
