//! Exact non-negative fractions, so that rounding decisions are never approximate.
//!
//! Earn rules divide (`amount ÷ unit_amount`) and the quotient need not terminate
//! (`10.00 ÷ 3.00`). Instead of dividing to some fixed number of digits, the crate keeps
//! the quotient as a fraction of two big integers and rounds that: a value just below
//! `x.5` can never be mistaken for `x.5`.

use bigdecimal::num_bigint::{BigInt, Sign};
use bigdecimal::BigDecimal;

use crate::decimal::{plain, pow10};
use crate::Rounding;

/// Digits after the point shown for a quotient that does not terminate.
pub(crate) const SHOWN_DECIMALS: u32 = 30;

/// `numerator / denominator`, with `numerator >= 0` and `denominator > 0`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Fraction {
    numerator: BigInt,
    denominator: BigInt,
}

impl Fraction {
    /// `None` when the numerator is negative or the denominator is not positive.
    pub(crate) fn new(numerator: BigInt, denominator: BigInt) -> Option<Fraction> {
        if numerator.sign() == Sign::Minus || denominator.sign() != Sign::Plus {
            return None;
        }
        Some(Fraction {
            numerator,
            denominator,
        })
    }

    /// Rounds to a whole number, once.
    pub(crate) fn round(&self, rounding: Rounding) -> BigInt {
        let quotient = &self.numerator / &self.denominator;
        let remainder = &self.numerator % &self.denominator;
        let bump = match rounding {
            Rounding::Down => false,
            Rounding::Up => remainder.sign() != Sign::NoSign,
            Rounding::Nearest => remainder * 2u8 >= self.denominator,
        };
        if bump {
            quotient + 1u8
        } else {
            quotient
        }
    }

    /// Rounds to `decimals` digits after the point and returns the decimal.
    pub(crate) fn round_to_decimals(&self, decimals: u32, rounding: Rounding) -> BigDecimal {
        let scaled = Fraction {
            numerator: &self.numerator * pow10(decimals),
            denominator: self.denominator.clone(),
        };
        BigDecimal::new(scaled.round(rounding), i64::from(decimals))
    }

    /// The value as a decimal string without trailing zeros, and whether it is exact.
    /// A quotient that does not terminate is cut (rounded down) after
    /// [`SHOWN_DECIMALS`] digits and reported as not exact.
    pub(crate) fn to_decimal_string(&self) -> (String, bool) {
        let scaled = &self.numerator * pow10(SHOWN_DECIMALS);
        let digits = &scaled / &self.denominator;
        let exact = (&scaled % &self.denominator).sign() == Sign::NoSign;
        let text = plain(&digits, SHOWN_DECIMALS);
        if exact {
            let text = text.trim_end_matches('0').trim_end_matches('.').to_owned();
            (text, true)
        } else {
            (text, false)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frac(n: i64, d: i64) -> Fraction {
        Fraction::new(BigInt::from(n), BigInt::from(d)).unwrap()
    }

    #[test]
    fn refuses_negative_or_zero_parts() {
        assert!(Fraction::new(BigInt::from(-1), BigInt::from(2)).is_none());
        assert!(Fraction::new(BigInt::from(1), BigInt::from(0)).is_none());
        assert!(Fraction::new(BigInt::from(1), BigInt::from(-2)).is_none());
    }

    #[test]
    fn rounds_each_way() {
        let two_and_a_half = frac(5, 2);
        assert_eq!(two_and_a_half.round(Rounding::Down), BigInt::from(2));
        assert_eq!(two_and_a_half.round(Rounding::Nearest), BigInt::from(3));
        assert_eq!(two_and_a_half.round(Rounding::Up), BigInt::from(3));
        let whole = frac(6, 2);
        assert_eq!(whole.round(Rounding::Up), BigInt::from(3));
        let just_below_half = frac(10_i64.pow(17) * 5 - 1, 10_i64.pow(18));
        assert_eq!(just_below_half.round(Rounding::Nearest), BigInt::from(0));
    }

    #[test]
    fn decimal_strings_say_when_they_are_cut() {
        assert_eq!(
            frac(2599, 100).to_decimal_string(),
            ("25.99".to_owned(), true)
        );
        assert_eq!(frac(300, 100).to_decimal_string(), ("3".to_owned(), true));
        assert_eq!(frac(0, 7).to_decimal_string(), ("0".to_owned(), true));
        let (text, exact) = frac(10, 3).to_decimal_string();
        assert!(!exact);
        assert_eq!(text, format!("3.{}", "3".repeat(30)));
    }
}
