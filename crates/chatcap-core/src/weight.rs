//! Weighted capacity: what one chat costs of an agent's limit, in exact thousandths.

use std::fmt;

use rust_decimal::Decimal;

use crate::ModelError;

/// What a chat costs of an agent's capacity, or what an agent's chats cost together: a positive
/// number of chat slots in exact thousandths.
///
/// A plain chat weighs [`Weight::ONE`], and an agent's `Limited(n)` holds `n` plain chats (the
/// vendor's `maxChats`); a messaging conversation might weigh 0.5. Weights are configured as
/// decimals and held as integers, so capacity arithmetic stays exact and integer.
///
/// # Examples
///
/// ```
/// use chatcap_core::Weight;
/// use rust_decimal::Decimal;
/// let half = Weight::try_from(Decimal::new(5, 1))?; // 0.5
/// assert_eq!(half.as_thousandths(), 500);
/// assert_eq!(half.to_string(), "0.5");
/// assert!(Weight::try_from(Decimal::new(1, 4)).is_err()); // 0.0001 is finer than a thousandth
/// # Ok::<(), chatcap_core::ModelError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "u64", into = "u64")
)]
pub struct Weight(u64);

impl Weight {
    /// Thousandths in one chat slot.
    pub const SCALE: u64 = 1_000;

    /// One plain chat.
    pub const ONE: Weight = Weight(Self::SCALE);

    /// A weight of `thousandths` / 1000 slots; `None` for zero.
    pub const fn from_thousandths(thousandths: u64) -> Option<Weight> {
        if thousandths == 0 { None } else { Some(Weight(thousandths)) }
    }

    /// The weight of `n` plain chats; `None` for zero.
    pub const fn from_chats(n: u32) -> Option<Weight> {
        Self::from_thousandths(n as u64 * Self::SCALE)
    }

    /// The weight in thousandths of a slot.
    pub const fn as_thousandths(self) -> u64 {
        self.0
    }
}

impl TryFrom<Decimal> for Weight {
    type Error = ModelError;

    /// Converts a positive decimal with at most three decimal places.
    ///
    /// # Errors
    ///
    /// [`ModelError::InvalidWeight`] for zero, a negative number, more than three decimal
    /// places, or a number too large to hold.
    fn try_from(d: Decimal) -> Result<Weight, ModelError> {
        let bad = |reason| ModelError::InvalidWeight { value: d.to_string(), reason };
        if d <= Decimal::ZERO {
            return Err(bad("a weight must be positive"));
        }
        let scaled =
            d.checked_mul(Decimal::from(Self::SCALE)).ok_or_else(|| bad("the weight is too large"))?;
        if scaled.fract() != Decimal::ZERO {
            return Err(bad("a weight has at most three decimal places"));
        }
        let millis = u64::try_from(scaled).map_err(|_| bad("the weight is too large"))?;
        Ok(Weight(millis))
    }
}

impl TryFrom<u64> for Weight {
    type Error = ModelError;
    fn try_from(thousandths: u64) -> Result<Weight, ModelError> {
        Weight::from_thousandths(thousandths)
            .ok_or(ModelError::InvalidWeight { value: "0".into(), reason: "a weight must be positive" })
    }
}

impl From<Weight> for u64 {
    fn from(w: Weight) -> u64 {
        w.0
    }
}

impl From<Weight> for Decimal {
    fn from(w: Weight) -> Decimal {
        Decimal::from(w.0) / Decimal::from(Weight::SCALE)
    }
}

impl fmt::Display for Weight {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = Decimal::from(*self).normalize().to_string();
        f.pad(&s)
    }
}
