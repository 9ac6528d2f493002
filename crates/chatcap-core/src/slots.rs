//! Slot counts and the wait budget.

use std::fmt;
use std::time::Duration;

use crate::InputError;

/// A number of chats that can start: a count, or no limit at all.
///
/// Arithmetic saturates; a count is never negative. `Unlimited` orders above every count.
///
/// # Examples
///
/// ```
/// use chatcap_core::Slots;
/// assert_eq!(Slots::Count(2) + Slots::Count(3), Slots::Count(5));
/// assert_eq!(Slots::Count(u64::MAX) + Slots::Count(1), Slots::Count(u64::MAX));
/// assert_eq!(Slots::Count(2) + Slots::Unlimited, Slots::Unlimited);
/// assert!(Slots::Unlimited > Slots::Count(u64::MAX));
/// assert_eq!(Slots::Count(2).saturating_sub(5), Slots::Count(0));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "snake_case"))]
pub enum Slots {
    /// This many chats.
    Count(u64),
    /// No limit.
    Unlimited,
}

impl Slots {
    /// No slots.
    pub const ZERO: Slots = Slots::Count(0);

    /// Whether at least one chat can start.
    pub const fn is_available(self) -> bool {
        !matches!(self, Slots::Count(0))
    }

    /// The count, or `None` when unlimited.
    pub const fn count(self) -> Option<u64> {
        match self {
            Slots::Count(n) => Some(n),
            Slots::Unlimited => None,
        }
    }

    /// Removes `n` slots, stopping at zero; unlimited stays unlimited.
    pub const fn saturating_sub(self, n: u64) -> Slots {
        match self {
            Slots::Count(c) => Slots::Count(c.saturating_sub(n)),
            Slots::Unlimited => Slots::Unlimited,
        }
    }
}

impl std::ops::Add for Slots {
    type Output = Slots;
    fn add(self, rhs: Slots) -> Slots {
        match (self, rhs) {
            (Slots::Count(a), Slots::Count(b)) => Slots::Count(a.saturating_add(b)),
            _ => Slots::Unlimited,
        }
    }
}

impl std::iter::Sum for Slots {
    fn sum<I: Iterator<Item = Slots>>(iter: I) -> Slots {
        iter.fold(Slots::ZERO, |a, b| a + b)
    }
}

impl fmt::Display for Slots {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Slots::Count(n) => n.fmt(f),
            Slots::Unlimited => f.pad("unlimited"),
        }
    }
}

/// How long a visitor may wait before a chat starts: 0 to 86,400 seconds (LivePerson `maxWaitTime`).
///
/// # Examples
///
/// ```
/// use chatcap_core::MaxWait;
/// assert_eq!(MaxWait::from_secs(120)?.as_secs(), 120);
/// assert!(MaxWait::from_secs(86_401).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "u32", into = "u32")
)]
pub struct MaxWait(u32);

impl MaxWait {
    /// The largest budget: 24 hours.
    pub const MAX_SECS: u32 = 86_400;

    /// No waiting: only chats that can start immediately.
    pub const NOW: MaxWait = MaxWait(0);

    /// A budget of `secs` seconds.
    ///
    /// # Errors
    ///
    /// [`InputError::MaxWaitOutOfRange`] when `secs` is above 86,400.
    pub const fn from_secs(secs: u32) -> Result<MaxWait, InputError> {
        if secs > Self::MAX_SECS {
            return Err(InputError::MaxWaitOutOfRange { secs });
        }
        Ok(MaxWait(secs))
    }

    /// The budget in seconds.
    pub const fn as_secs(self) -> u32 {
        self.0
    }

    /// The budget as a duration.
    pub const fn as_duration(self) -> Duration {
        Duration::from_secs(self.0 as u64)
    }
}

impl TryFrom<u32> for MaxWait {
    type Error = InputError;
    fn try_from(secs: u32) -> Result<Self, InputError> {
        MaxWait::from_secs(secs)
    }
}

impl From<MaxWait> for u32 {
    fn from(w: MaxWait) -> u32 {
        w.0
    }
}

/// The chats that can start within a wait budget, and how the answer was reached.
///
/// # Examples
///
/// See [`Floor::slots_within`](crate::Floor::slots_within).
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SlotsWithin {
    /// The answer: `max(0, floor(free + completions) - queued)`, or unlimited.
    pub slots: Slots,
    /// Free slots of eligible agents now.
    pub free: Slots,
    /// Chats held by eligible agents now.
    pub busy: u64,
    /// Slots those chats would free if they all ended ([`Summary::releasable`](crate::Summary::releasable)).
    pub releasable: u64,
    /// Visitors already waiting.
    pub queued: u64,
    /// How the chats expected to end within the budget were counted.
    pub completion: Completion,
}

/// How [`SlotsWithin`] counted the chats expected to end within the budget.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "snake_case"))]
pub enum Completion {
    /// `releasable * (1 - exp(-W / AHT))` slots are expected to free up within the budget.
    Expected {
        /// The expected number of slots freed (not rounded).
        completions: f64,
    },
    /// The budget is 0 seconds: no chat ends in time.
    ZeroBudget,
    /// No mean handle time was given, so completions were counted as 0.
    NoHandleTime,
    /// The skill is unlimited; completions do not matter.
    Unlimited,
}

impl crate::Floor {
    /// The new chats that could start within a wait budget, given the visitors already queued.
    ///
    /// `max(0, floor(free + releasable * (1 - exp(-W / AHT))) - queued)`, where `free` is the
    /// free slots of the eligible agents of the scope, `releasable` the slots their held chats
    /// would free ([`Summary::releasable`](crate::Summary::releasable)) and `queued` the visitors
    /// waiting in it. A zero budget gives `max(0, free - queued)`; without a handle time the
    /// completion term is 0 and [`SlotsWithin::completion`] says so; unlimited stays unlimited.
    /// Constant time.
    ///
    /// Each releasable slot is taken to free up within the budget with the probability that an
    /// exponential handle time ends within it, independently. That is exact in expectation for
    /// plain chats within the limit. An agent above its limit counts only its limit, not its
    /// chats: the chats over the limit free nothing (the count still overstates such an agent a
    /// little, since its excess must end before any slot frees). A slot held by chats weighing
    /// less than one frees when enough of them end, and is counted once.
    ///
    /// # Errors
    ///
    /// A [`LookupError`](crate::LookupError) when the scope is a skill the floor does not
    /// define.
    ///
    /// # Examples
    ///
    /// ```
    /// use chatcap_core::*;
    /// use std::time::Duration;
    /// let t0 = Timestamp::from_millis(0);
    /// let floor = Floor::new(Snapshot {
    ///     taken_at: t0,
    ///     skills: vec![Skill::new("s")],
    ///     agents: vec![Agent::new("1", AgentState::Online, Capacity::Limited(10))
    ///         .with_active_chats(8).with_skills(["s".into()])],
    ///     queue: vec![QueuedVisitor::new(VisitorId(1), "s", t0)],
    /// })?;
    /// let s = Scope::Skill(floor.skill_index("s").unwrap());
    /// // free 2, busy 8, W = AHT: 8 * (1 - 1/e) = 5.06 chats end; floor(7.06) - 1 = 6
    /// let aht = Duration::from_secs(300);
    /// assert_eq!(floor.slots_within(s, MaxWait::from_secs(300)?, Some(aht))?.slots, Slots::Count(6));
    /// assert_eq!(floor.slots_within(s, MaxWait::NOW, Some(aht))?.slots, Slots::Count(1));
    /// let no_aht = floor.slots_within(s, MaxWait::from_secs(300)?, None)?;
    /// assert_eq!((no_aht.slots, no_aht.completion), (Slots::Count(1), Completion::NoHandleTime));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn slots_within(
        &self,
        scope: crate::Scope,
        max_wait: MaxWait,
        aht: Option<Duration>,
    ) -> Result<SlotsWithin, crate::LookupError> {
        let s = self.summary(scope)?;
        let Slots::Count(free) = s.free else {
            return Ok(SlotsWithin {
                slots: Slots::Unlimited,
                free: s.free,
                busy: s.busy,
                releasable: s.releasable,
                queued: s.queued,
                completion: Completion::Unlimited,
            });
        };
        let (completion, ended) = match aht {
            _ if max_wait.as_secs() == 0 => (Completion::ZeroBudget, 0),
            None => (Completion::NoHandleTime, 0),
            Some(aht) => {
                let x = f64::from(max_wait.as_secs()) / aht.as_secs_f64();
                // releasable * (1 - e^-x), with exp_m1 for accuracy when x is small.
                let completions = s.releasable as f64 * -(-x).exp_m1();
                // `completions` lies in [0, releasable]; the float-to-int cast saturates.
                (Completion::Expected { completions }, completions.floor() as u64)
            }
        };
        Ok(SlotsWithin {
            slots: Slots::Count(free.saturating_add(ended).saturating_sub(s.queued)),
            free: s.free,
            busy: s.busy,
            releasable: s.releasable,
            queued: s.queued,
            completion,
        })
    }
}
