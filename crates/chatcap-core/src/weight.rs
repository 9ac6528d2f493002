//! Weighted capacity: what one chat costs of an agent's limit, in exact thousandths.

use std::fmt;
use std::str::FromStr;

use crate::InputError;

/// What a chat costs of an agent's capacity, or what an agent's chats cost together: a positive
/// number of chat slots in exact thousandths.
///
/// A plain chat weighs [`Weight::ONE`], and an agent's `Limited(n)` holds `n` plain chats (the
/// vendor's `maxChats`); a messaging conversation might weigh 0.5. Weights are configured as
/// decimal text (parsed exactly, never through `f64`) and held as integers, so capacity
/// arithmetic stays exact and integer.
///
/// # Examples
///
/// ```
/// use chatcap_core::Weight;
/// let half: Weight = "0.5".parse()?;
/// assert_eq!(half.as_thousandths(), 500);
/// assert_eq!(half.to_string(), "0.5");
/// assert_eq!("1.250".parse::<Weight>()?.to_string(), "1.25");
/// assert!("0.0001".parse::<Weight>().is_err()); // finer than a thousandth
/// # Ok::<(), Box<dyn std::error::Error>>(())
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

/// Why a weight's text was rejected ([`InputError::InvalidWeight`]); its text follows
/// "invalid chat weight {text}: ".
///
/// # Examples
///
/// ```
/// use chatcap_core::{InputError, Weight, WeightProblem};
/// let err = "0.3333".parse::<Weight>().unwrap_err();
/// assert!(matches!(err, InputError::InvalidWeight { reason: WeightProblem::Places, .. }));
/// assert_eq!(WeightProblem::Places.to_string(), "a weight has at most three decimal places");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WeightProblem {
    /// No text at all.
    Empty,
    /// A character other than an ASCII digit or one decimal point (a sign included).
    NotANumber,
    /// An exponent, as in `1e3`.
    Exponent,
    /// A decimal point without a digit on each side, as in `.5` or `2.`.
    BothSides,
    /// Zero or a negative number.
    NotPositive,
    /// A nonzero digit after the third decimal place.
    Places,
    /// More than `u64::MAX` thousandths.
    TooLarge,
}

impl fmt::Display for WeightProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            WeightProblem::Empty => "a weight cannot be empty; write a number of slots such as 0.5",
            WeightProblem::NotANumber => "expected digits with at most one decimal point, such as 0.5 or 2",
            WeightProblem::Exponent => "a weight is written without an exponent: 1000, not 1e3",
            WeightProblem::BothSides => {
                "a weight needs a digit on both sides of its decimal point, such as 0.5 or 2.0"
            }
            WeightProblem::NotPositive => "a weight must be positive",
            WeightProblem::Places => "a weight has at most three decimal places",
            WeightProblem::TooLarge => "the weight is too large; the largest is 18446744073709551.615",
        })
    }
}

impl FromStr for Weight {
    type Err = InputError;

    /// Reads a positive decimal number of slots with at most three decimal places, exactly:
    /// `"0.5"`, `"1"`, `"1.250"` (zeros after the third decimal place are allowed too).
    ///
    /// The text is ASCII digits with an optional decimal point between digits: no sign, no
    /// exponent, no spaces, no leading or trailing point (`".5"` and `"2."` are rejected).
    ///
    /// # Errors
    ///
    /// [`InputError::InvalidWeight`] with the text and the reason: empty text, a character
    /// other than a digit or one decimal point, an exponent (`"1e3"`), a point without digits on
    /// both sides, a negative number or zero, a nonzero digit after the third decimal place, or
    /// a weight above `u64::MAX` thousandths.
    fn from_str(s: &str) -> Result<Weight, InputError> {
        parse_thousandths(s)
            .map(Weight)
            .map_err(|reason| InputError::InvalidWeight { text: s.to_owned(), reason })
    }
}

/// The thousandths a weight's text stands for, or why it stands for none.
fn parse_thousandths(s: &str) -> Result<u64, WeightProblem> {
    let (negative, unsigned) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    // 'e' and 'E' are ASCII, so both slices fall on character boundaries.
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(i) => (&unsigned[..i], Some(&unsigned[i + 1..])),
        None => (unsigned, None),
    };
    let (whole, frac) = match mantissa.split_once('.') {
        Some((whole, frac)) => (whole, Some(frac)),
        None => (mantissa, None),
    };
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || !frac.is_none_or(digits) {
        return Err(WeightProblem::NotANumber);
    }
    if whole.is_empty() && frac.is_none() {
        return Err(if exponent.is_some() || negative {
            WeightProblem::NotANumber
        } else {
            WeightProblem::Empty
        });
    }
    if exponent.is_some() {
        return Err(WeightProblem::Exponent);
    }
    if whole.is_empty() || frac == Some("") {
        return Err(WeightProblem::BothSides);
    }
    if negative {
        return Err(WeightProblem::NotPositive);
    }
    let frac = frac.unwrap_or("");
    // All ASCII digits by now, so a byte index is a character boundary.
    let (places, beyond) = frac.split_at(frac.len().min(3));
    if beyond.bytes().any(|b| b != b'0') {
        return Err(WeightProblem::Places);
    }
    let digit = |b: u8| u64::from(b - b'0');
    let slots = whole
        .bytes()
        .try_fold(0u64, |n, b| n.checked_mul(10)?.checked_add(digit(b)))
        .ok_or(WeightProblem::TooLarge)?;
    let below_one = places.bytes().zip([100, 10, 1]).map(|(b, scale)| digit(b) * scale).sum::<u64>();
    let thousandths = slots
        .checked_mul(Weight::SCALE)
        .and_then(|t| t.checked_add(below_one))
        .ok_or(WeightProblem::TooLarge)?;
    if thousandths == 0 {
        return Err(WeightProblem::NotPositive);
    }
    Ok(thousandths)
}

impl TryFrom<u64> for Weight {
    type Error = InputError;
    fn try_from(thousandths: u64) -> Result<Weight, InputError> {
        Weight::from_thousandths(thousandths).ok_or(InputError::ZeroWeight)
    }
}

impl From<Weight> for u64 {
    fn from(w: Weight) -> u64 {
        w.0
    }
}

impl fmt::Display for Weight {
    /// The weight as a decimal number of slots, without trailing zeros: `0.5`, `1`, `1.25`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&Thousandths(i128::from(self.0)).to_string())
    }
}

/// Thousandths of a slot written as a decimal number of slots, without trailing zeros: `1500`
/// is `1.5`, `-500` is `-0.5`, `2000` is `2`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Thousandths(pub(crate) i128);

impl fmt::Display for Thousandths {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let scale = u128::from(Weight::SCALE);
        let (whole, mut frac) = (self.0.unsigned_abs() / scale, self.0.unsigned_abs() % scale);
        if frac == 0 {
            return write!(f, "{sign}{whole}");
        }
        let mut places = 3;
        while frac % 10 == 0 {
            frac /= 10;
            places -= 1;
        }
        write!(f, "{sign}{whole}.{frac:0places$}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousandths_print_as_decimals_without_trailing_zeros() {
        let t = |n: i128| Thousandths(n).to_string();
        assert_eq!(t(0), "0");
        assert_eq!(t(1_500), "1.5");
        assert_eq!(t(1_250), "1.25");
        assert_eq!(t(1_001), "1.001");
        assert_eq!(t(10), "0.01");
        assert_eq!(t(2_000), "2");
        assert_eq!(t(-500), "-0.5");
        assert_eq!(t(-3_000), "-3");
        assert_eq!(t(i128::MIN), "-170141183460469231731687303715884105.728");
    }

    #[test]
    fn the_too_large_reason_names_the_largest_weight() {
        let largest = Weight(u64::MAX).to_string();
        assert!(WeightProblem::TooLarge.to_string().ends_with(&largest), "{largest}");
        assert_eq!(largest.parse(), Ok(Weight(u64::MAX)));
    }
}
