//! What the sources publish and the server reads: per source, the last good floor with when
//! its data was fetched, and the source's status. Readers never wait on a sync: a poll builds
//! the next floor aside and swaps it in whole.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use arc_swap::ArcSwapOption;
use chatcap_core::{Floor, Timestamp};

use crate::config::{Kind, SourceConfig};

/// A floor as a poll left it.
#[derive(Debug)]
pub struct Published {
    /// The floor.
    pub floor: Floor,
    /// When its data was fetched (the start of the poll that fetched it).
    pub as_of: Timestamp,
    /// Polls that succeeded so far, this one included.
    pub polls: u64,
    /// The adapter's warnings on this poll's payloads, as text (at most 20).
    pub warnings: Vec<String>,
    /// Figures the vendor reports beside the floor (Comm100's `realTime/RightNow`), by name.
    pub vendor: Vec<(String, i64)>,
}

/// How old a source's data is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Freshness {
    /// When the data was fetched.
    pub as_of: Timestamp,
    /// Its age now.
    pub age: Duration,
    /// Whether it is older than the source's `stale_after`.
    pub stale: bool,
}

/// What a source last did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Status {
    /// The last failure, if the last poll failed (cleared by a success).
    pub last_error: Option<String>,
    /// Why the source stopped polling, if it did (a refusal no retry can fix).
    pub stopped: Option<String>,
    /// Vendor calls that failed and were retried, in all.
    pub retries: u64,
}

/// One source as the server sees it.
#[derive(Debug)]
pub struct SourceState {
    /// `kind:account`.
    pub name: String,
    /// The account id the routes name it by.
    pub account: String,
    /// The vendor API.
    pub kind: Kind,
    /// Age past which its data is stale.
    pub stale_after: Duration,
    /// Mean handle time for `maxWaitTime` and estimates.
    pub aht: Option<Duration>,
    /// `/v1/offer`'s queue limit.
    pub max_queue: Option<u64>,
    published: ArcSwapOption<Published>,
    status: Mutex<Status>,
}

impl SourceState {
    /// A source with no data yet.
    pub fn new(config: &SourceConfig) -> Self {
        Self {
            name: config.name(),
            account: config.account_id.clone(),
            kind: config.kind,
            stale_after: config.stale_after,
            aht: config.aht,
            max_queue: config.max_queue,
            published: ArcSwapOption::empty(),
            status: Mutex::new(Status::default()),
        }
    }

    /// The last good floor, if any poll has succeeded.
    pub fn published(&self) -> Option<Arc<Published>> {
        self.published.load_full()
    }

    /// Swaps in a new floor.
    pub fn publish(&self, published: Published) {
        self.published.store(Some(Arc::new(published)));
        self.update(|s| s.last_error = None);
    }

    /// How old the data is at `now`; `None` before the first good poll.
    pub fn freshness(&self, now: Timestamp) -> Option<Freshness> {
        self.published.load().as_ref().map(|p| self.freshness_of(p, now))
    }

    /// How old `published` is at `now`.
    pub fn freshness_of(&self, published: &Published, now: Timestamp) -> Freshness {
        let age = now.saturating_duration_since(published.as_of);
        Freshness { as_of: published.as_of, age, stale: age > self.stale_after }
    }

    /// The status.
    pub fn status(&self) -> Status {
        self.status.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Changes the status.
    pub fn update(&self, f: impl FnOnce(&mut Status)) {
        if let Ok(mut s) = self.status.lock() {
            f(&mut s);
        }
    }
}
