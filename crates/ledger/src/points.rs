//! Whole loyalty points.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A whole number of points. Signed, because entries record deductions as negative
/// deltas; a balance is a `Points` that the posting rules keep at zero or above.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Points(i64);

impl Points {
    /// No points.
    pub const ZERO: Points = Points(0);

    /// Wraps a whole number of points.
    pub const fn new(points: i64) -> Points {
        Points(points)
    }

    /// The number of points.
    pub const fn get(self) -> i64 {
        self.0
    }

    /// `self + other`, or `None` on overflow.
    pub fn checked_add(self, other: Points) -> Option<Points> {
        self.0.checked_add(other.0).map(Points)
    }

    /// `self - other`, or `None` on overflow.
    pub fn checked_sub(self, other: Points) -> Option<Points> {
        self.0.checked_sub(other.0).map(Points)
    }

    /// `-self`, or `None` for the one value whose negation does not fit.
    pub fn checked_neg(self) -> Option<Points> {
        self.0.checked_neg().map(Points)
    }

    /// Below zero.
    pub const fn is_negative(self) -> bool {
        self.0 < 0
    }

    /// Above zero.
    pub const fn is_positive(self) -> bool {
        self.0 > 0
    }

    /// Exactly zero.
    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// The number with a comma between groups of three digits, as shown to people:
    /// `1,200`, `-45,000`.
    pub fn grouped(&self) -> String {
        let digits = self.0.unsigned_abs().to_string();
        let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
        if self.0 < 0 {
            out.push('-');
        }
        let len = digits.len();
        for (i, digit) in digits.chars().enumerate() {
            if i > 0 && (len - i) % 3 == 0 {
                out.push(',');
            }
            out.push(digit);
        }
        out
    }
}

/// Plain digits, no separators: `1200`, `-45`. Use [`Points::grouped`] for people.
impl fmt::Display for Points {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl From<Points> for i64 {
    fn from(points: Points) -> i64 {
        points.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grouped_puts_commas_between_thousands() {
        assert_eq!(Points::new(0).grouped(), "0");
        assert_eq!(Points::new(999).grouped(), "999");
        assert_eq!(Points::new(1200).grouped(), "1,200");
        assert_eq!(Points::new(-45_000).grouped(), "-45,000");
        assert_eq!(Points::new(1_234_567).grouped(), "1,234,567");
        assert_eq!(
            Points::new(i64::MIN).grouped(),
            "-9,223,372,036,854,775,808"
        );
    }

    #[test]
    fn display_is_plain_digits() {
        assert_eq!(Points::new(1200).to_string(), "1200");
        assert_eq!(Points::new(-3).to_string(), "-3");
    }

    #[test]
    fn checked_arithmetic_reports_overflow() {
        assert_eq!(Points::new(i64::MAX).checked_add(Points::new(1)), None);
        assert_eq!(Points::new(i64::MIN).checked_sub(Points::new(1)), None);
        assert_eq!(Points::new(i64::MIN).checked_neg(), None);
        assert_eq!(
            Points::new(5).checked_sub(Points::new(7)),
            Some(Points::new(-2))
        );
    }

    #[test]
    fn serializes_as_a_bare_integer() {
        assert_eq!(
            serde_json::to_string(&Points::new(-12)).ok().as_deref(),
            Some("-12")
        );
        let back: Result<Points, _> = serde_json::from_str("42");
        assert_eq!(back.ok(), Some(Points::new(42)));
    }
}
