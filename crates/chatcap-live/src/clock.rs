//! Wall-clock time for `as_of` and ages, read in one place so that tests can follow tokio's
//! paused clock instead.

use std::time::SystemTime;

use chatcap_core::Timestamp;

/// Where the service reads the time of day.
pub trait Clock: Send + Sync + 'static {
    /// Now.
    fn now(&self) -> Timestamp;
}

/// The system's clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::try_from(SystemTime::now()).unwrap_or(Timestamp::EPOCH)
    }
}

/// A clock that starts at a given time and advances with tokio's clock, so that under
/// `tokio::time::pause` (tests) wall-clock ages move exactly as tokio's timers do.
#[derive(Clone, Copy, Debug)]
pub struct TokioClock {
    start: Timestamp,
    since: tokio::time::Instant,
}

impl TokioClock {
    /// A clock reading `start` now.
    pub fn starting_at(start: Timestamp) -> Self {
        Self { start, since: tokio::time::Instant::now() }
    }
}

impl Clock for TokioClock {
    fn now(&self) -> Timestamp {
        self.start.saturating_add(self.since.elapsed())
    }
}

/// A clock that reads what it is set to: for tests, and for callers that keep their own time.
#[derive(Debug, Default)]
pub struct ManualClock(std::sync::atomic::AtomicI64);

impl ManualClock {
    /// A clock reading `t`.
    pub fn new(t: Timestamp) -> Self {
        Self(std::sync::atomic::AtomicI64::new(t.as_millis()))
    }

    /// Sets the time.
    pub fn set(&self, t: Timestamp) {
        self.0.store(t.as_millis(), std::sync::atomic::Ordering::SeqCst);
    }

    /// Moves the time on.
    pub fn advance(&self, d: std::time::Duration) {
        let ms = i64::try_from(d.as_millis()).unwrap_or(i64::MAX);
        let _ = self.0.fetch_update(
            std::sync::atomic::Ordering::SeqCst,
            std::sync::atomic::Ordering::SeqCst,
            |t| Some(t.saturating_add(ms)),
        );
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_millis(self.0.load(std::sync::atomic::Ordering::SeqCst))
    }
}

/// A timestamp as RFC 3339 with milliseconds, in UTC.
pub fn rfc3339(t: Timestamp) -> String {
    let st = SystemTime::from(t);
    humantime::format_rfc3339_millis(st).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_is_utc_with_millis() {
        assert_eq!(rfc3339(Timestamp::from_millis(1_717_236_000_123)), "2024-06-01T10:00:00.123Z");
    }

    #[tokio::test(start_paused = true)]
    async fn the_tokio_clock_follows_paused_time() {
        let c = TokioClock::starting_at(Timestamp::from_millis(1_000));
        tokio::time::sleep(std::time::Duration::from_secs(5)).await;
        assert_eq!(c.now(), Timestamp::from_millis(6_000));
    }
}
