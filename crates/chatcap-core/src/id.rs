//! Identifiers and time values.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::InputError;

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Eq, PartialOrd, Ord)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(transparent))]
        pub struct $name(Arc<str>);

        impl PartialEq for $name {
            /// Ids compare as text; ids cloned from one another are equal without reading it
            /// (`Arc`'s own shortcut applies to sized contents only).
            #[inline]
            fn eq(&self, other: &Self) -> bool {
                Arc::ptr_eq(&self.0, &other.0) || *self.0 == *other.0
            }
        }

        impl std::hash::Hash for $name {
            /// As the text hashes, agreeing with `==`.
            #[inline]
            fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
                self.0.hash(state);
            }
        }

        impl $name {
            /// Creates an id from any string-like value.
            pub fn new(id: impl Into<Arc<str>>) -> Self {
                Self(id.into())
            }

            /// The id as the vendor spelled it.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// Where the id's text lives: ids cloned from one another share it.
            #[allow(dead_code, reason = "not every id type is compared by address")]
            pub(crate) fn addr(&self) -> usize {
                self.0.as_ptr() as usize
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                Self(id.into())
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> Self {
                Self(id.into())
            }
        }

        impl From<u64> for $name {
            fn from(id: u64) -> Self {
                Self(id.to_string().into())
            }
        }

        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.pad(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), &*self.0)
            }
        }
    };
}

string_id! {
    /// An agent's id: a LivePerson numeric id or a Comm100 GUID, kept as the vendor spelled it.
    ///
    /// Ids compare as strings; that order is the fixed tie-break wherever agents are ranked.
    ///
    /// # Examples
    ///
    /// ```
    /// use chatcap_core::AgentId;
    /// let a = AgentId::from(25025413);
    /// assert_eq!(a.as_str(), "25025413");
    /// assert_eq!(a, AgentId::from("25025413"));
    /// ```
    AgentId
}

string_id! {
    /// A skill's id: a LivePerson skill id or a Comm100 department GUID.
    ///
    /// # Examples
    ///
    /// ```
    /// use chatcap_core::SkillId;
    /// let s = SkillId::from("3fa85f64-5717-4562-b3fc-2c963f66afa6");
    /// assert_eq!(s.to_string(), "3fa85f64-5717-4562-b3fc-2c963f66afa6");
    /// ```
    SkillId
}

string_id! {
    /// An agent group's id (LivePerson `agentGroupId`).
    ///
    /// # Examples
    ///
    /// ```
    /// use chatcap_core::GroupId;
    /// assert_eq!(GroupId::from(26432513).as_str(), "26432513");
    /// ```
    GroupId
}

/// A queued visitor's id, assigned by the caller (the adapter numbers visitors it reads).
///
/// # Examples
///
/// ```
/// use chatcap_core::VisitorId;
/// assert!(VisitorId(1) < VisitorId(2));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(transparent))]
pub struct VisitorId(pub u64);

impl fmt::Display for VisitorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A point in time: milliseconds since the Unix epoch.
///
/// The core never reads the clock; every time it needs is passed in as a `Timestamp`.
///
/// # Examples
///
/// ```
/// use chatcap_core::Timestamp;
/// use std::time::Duration;
/// let t = Timestamp::from_millis(10_000);
/// assert_eq!(t.saturating_add(Duration::from_secs(5)), Timestamp::from_millis(15_000));
/// assert_eq!(t.saturating_duration_since(Timestamp::from_millis(4_000)), Duration::from_secs(6));
/// assert_eq!(Timestamp::from_millis(0).saturating_duration_since(t), Duration::ZERO);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(transparent))]
pub struct Timestamp(i64);

impl fmt::Display for Timestamp {
    /// Milliseconds since the Unix epoch, with the unit: `1700000000000 ms`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ms", self.0)
    }
}

impl Timestamp {
    /// The Unix epoch.
    pub const EPOCH: Timestamp = Timestamp(0);

    /// A time `ms` milliseconds after the Unix epoch (negative: before it).
    pub const fn from_millis(ms: i64) -> Self {
        Self(ms)
    }

    /// Milliseconds since the Unix epoch.
    pub const fn as_millis(self) -> i64 {
        self.0
    }

    /// The time elapsed from `earlier` to `self`, zero if `earlier` is later.
    pub fn saturating_duration_since(self, earlier: Timestamp) -> Duration {
        let ms = self.0.saturating_sub(earlier.0);
        Duration::from_millis(u64::try_from(ms).unwrap_or(0))
    }

    /// `self` plus `d`, saturating at the largest representable time.
    pub fn saturating_add(self, d: Duration) -> Timestamp {
        let ms = i64::try_from(d.as_millis()).unwrap_or(i64::MAX);
        Timestamp(self.0.saturating_add(ms))
    }

    /// `self` minus `d`, saturating at the smallest representable time.
    pub fn saturating_sub(self, d: Duration) -> Timestamp {
        let ms = i64::try_from(d.as_millis()).unwrap_or(i64::MAX);
        Timestamp(self.0.saturating_sub(ms))
    }
}

impl From<Timestamp> for SystemTime {
    /// The same instant as a system time.
    ///
    /// # Examples
    ///
    /// ```
    /// use chatcap_core::Timestamp;
    /// use std::time::{Duration, SystemTime, UNIX_EPOCH};
    /// let t = Timestamp::from_millis(1_700_000_000_123);
    /// assert_eq!(SystemTime::from(t), UNIX_EPOCH + Duration::from_millis(1_700_000_000_123));
    /// assert_eq!(SystemTime::from(Timestamp::from_millis(-1_500)), UNIX_EPOCH - Duration::from_millis(1_500));
    /// ```
    ///
    /// # Panics
    ///
    /// Where the platform's `SystemTime` cannot hold the instant, as `SystemTime + Duration`
    /// does. On Linux and the other Unix-like platforms it holds every timestamp (its seconds
    /// are an `i64`); Windows' system time is narrower (it begins in 1601).
    fn from(t: Timestamp) -> SystemTime {
        let from_epoch = Duration::from_millis(t.0.unsigned_abs());
        if t.0 >= 0 { UNIX_EPOCH + from_epoch } else { UNIX_EPOCH - from_epoch }
    }
}

impl TryFrom<SystemTime> for Timestamp {
    type Error = InputError;

    /// The system time to the millisecond, rounded toward the past: a time between two
    /// milliseconds becomes the earlier one, so the timestamp is never later than the time.
    ///
    /// # Examples
    ///
    /// ```
    /// use chatcap_core::Timestamp;
    /// use std::time::{Duration, SystemTime, UNIX_EPOCH};
    /// let t = Timestamp::from_millis(1_700_000_000_123);
    /// assert_eq!(Timestamp::try_from(SystemTime::from(t))?, t);
    /// let later = UNIX_EPOCH + Duration::from_micros(1_700_000_000_123_999);
    /// assert_eq!(Timestamp::try_from(later)?, t);
    /// let before = UNIX_EPOCH - Duration::from_micros(1);
    /// assert_eq!(Timestamp::try_from(before)?, Timestamp::from_millis(-1));
    /// // A time beyond i64 milliseconds, where the platform can hold one:
    /// if let Some(far) = UNIX_EPOCH.checked_add(Duration::from_secs(1 << 62)) {
    ///     let err = Timestamp::try_from(far).unwrap_err();
    ///     assert!(err.to_string().starts_with("system time 4611686018427387904000 ms from the unix epoch is out of range"));
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`InputError::SystemTimeOutOfRange`] for a time more than `i64::MAX` milliseconds after
    /// the epoch or `i64::MIN` before it.
    fn try_from(t: SystemTime) -> Result<Timestamp, InputError> {
        // A `Duration` is below 2^64 seconds, so its milliseconds fit an i128 with room to spare.
        let millis = match t.duration_since(UNIX_EPOCH) {
            Ok(after) => after.as_millis() as i128,
            Err(e) => {
                let before = e.duration();
                let part_ms = before.subsec_nanos() % 1_000_000 != 0;
                -((before.as_millis() + u128::from(part_ms)) as i128)
            }
        };
        i64::try_from(millis).map(Timestamp).map_err(|_| InputError::SystemTimeOutOfRange { millis })
    }
}
