//! Bounds and plain formatting for the decimal numbers the crate accepts.
//!
//! Every decimal that enters the crate (amounts, unit amounts, multipliers, values per
//! point) goes through [`parts`], which keeps the arithmetic finite: at most
//! [`MAX_DECIMALS`] digits after the point and [`MAX_INTEGER_DIGITS`] before it. That is
//! far beyond any real purchase and keeps `10^scale` small.

use bigdecimal::num_bigint::{BigInt, Sign};
use bigdecimal::BigDecimal;

use crate::LedgerError;

/// Digits kept after the decimal point.
pub(crate) const MAX_DECIMALS: u32 = 18;
/// Digits allowed before the decimal point.
pub(crate) const MAX_INTEGER_DIGITS: u32 = 18;

/// `10^exponent`.
pub(crate) fn pow10(exponent: u32) -> BigInt {
    BigInt::from(10u8).pow(exponent)
}

/// Splits `value` into an unscaled integer and a scale (`value = int / 10^scale`), with
/// the scale at least zero and trailing zeros past [`MAX_DECIMALS`] dropped; refuses values
/// with more decimals or integer digits than the crate keeps. `what` names the value in
/// the error message.
pub(crate) fn parts(value: &BigDecimal, what: &'static str) -> Result<(BigInt, u32), LedgerError> {
    let (mut int, exponent) = value.as_bigint_and_exponent();
    if int.sign() == Sign::NoSign {
        return Ok((BigInt::from(0u8), 0));
    }
    let too_large = LedgerError::TooLarge { what };
    let mut scale: i64 = exponent;
    if scale < 0 {
        let shift = u32::try_from(scale.unsigned_abs()).map_err(|_| too_large.clone())?;
        if shift > MAX_INTEGER_DIGITS {
            return Err(too_large);
        }
        int *= pow10(shift);
        scale = 0;
    }
    let ten = BigInt::from(10u8);
    while scale > i64::from(MAX_DECIMALS) && (&int % &ten).sign() == Sign::NoSign {
        int /= &ten;
        scale -= 1;
    }
    if scale > i64::from(MAX_DECIMALS) {
        return Err(LedgerError::TooManyDecimals {
            what,
            max: MAX_DECIMALS,
        });
    }
    let scale = u32::try_from(scale).map_err(|_| too_large.clone())?;
    if int.magnitude() >= pow10(MAX_INTEGER_DIGITS + scale).magnitude() {
        return Err(too_large);
    }
    Ok((int, scale))
}

/// Checks `value` against the bounds of [`parts`] and returns it with a scale of at least
/// zero (so `1E+2` becomes `100`), otherwise unchanged: `50.00` keeps its two decimals.
pub(crate) fn bounded(value: &BigDecimal, what: &'static str) -> Result<BigDecimal, LedgerError> {
    let (int, scale) = parts(value, what)?;
    Ok(BigDecimal::new(int, i64::from(scale)))
}

/// Writes `int / 10^scale` with exactly `scale` digits after the point, never in
/// exponent notation: `(-5, 3)` → `-0.005`.
pub(crate) fn plain(int: &BigInt, scale: u32) -> String {
    let mut digits = int.magnitude().to_string();
    let scale = usize::try_from(scale).unwrap_or(usize::MAX);
    let mut out = String::new();
    if int.sign() == Sign::Minus {
        out.push('-');
    }
    if scale == 0 {
        out.push_str(&digits);
        return out;
    }
    if digits.len() <= scale {
        digits = format!("{}{digits}", "0".repeat(scale + 1 - digits.len()));
    }
    let (whole, fraction) = digits
        .split_at_checked(digits.len() - scale)
        .unwrap_or(("0", ""));
    out.push_str(whole);
    out.push('.');
    out.push_str(fraction);
    out
}

/// Writes `value` exactly, with at least `min_decimals` digits after the point (padding
/// with zeros, never cutting): `(50, 2)` → `50.00`, `(49.999, 2)` → `49.999`.
pub(crate) fn exact_with_min_decimals(value: &BigDecimal, min_decimals: u32) -> String {
    let (int, exponent) = value.as_bigint_and_exponent();
    let (int, scale) = if exponent < 0 {
        let shift = u32::try_from(exponent.unsigned_abs()).unwrap_or(u32::MAX);
        (int * pow10(shift.min(MAX_INTEGER_DIGITS)), 0u32)
    } else {
        (int, u32::try_from(exponent).unwrap_or(u32::MAX))
    };
    if scale >= min_decimals {
        plain(&int, scale)
    } else {
        plain(&(int * pow10(min_decimals - scale)), min_decimals)
    }
}

/// Writes `value` exactly with no trailing zeros after the point: `1.50` → `1.5`,
/// `2.00` → `2`.
pub(crate) fn trimmed(value: &BigDecimal) -> String {
    let text = exact_with_min_decimals(value, 0);
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn dec(text: &str) -> BigDecimal {
        BigDecimal::from_str(text).unwrap()
    }

    #[test]
    fn plain_never_uses_exponents() {
        assert_eq!(plain(&BigInt::from(-5), 3), "-0.005");
        assert_eq!(plain(&BigInt::from(5000), 2), "50.00");
        assert_eq!(plain(&BigInt::from(7), 0), "7");
        assert_eq!(plain(&BigInt::from(0), 2), "0.00");
    }

    #[test]
    fn parts_normalises_negative_scales_and_drops_extra_trailing_zeros() {
        assert_eq!(parts(&dec("1E+2"), "amount"), Ok((BigInt::from(100), 0)));
        assert_eq!(
            parts(&dec("1.5000000000000000000000"), "amount"),
            Ok((BigInt::from(1_500_000_000_000_000_000u64), 18))
        );
        assert_eq!(parts(&dec("50.00"), "amount"), Ok((BigInt::from(5000), 2)));
    }

    #[test]
    fn parts_refuses_absurd_values() {
        assert_eq!(
            parts(&dec("0.0000000000000000001"), "amount"),
            Err(LedgerError::TooManyDecimals {
                what: "amount",
                max: 18
            })
        );
        assert_eq!(
            parts(&dec("1000000000000000000"), "amount"),
            Err(LedgerError::TooLarge { what: "amount" })
        );
        assert_eq!(
            parts(&dec("1E+100"), "amount"),
            Err(LedgerError::TooLarge { what: "amount" })
        );
        assert!(parts(&dec("999999999999999999.999999999999999999"), "amount").is_ok());
    }

    #[test]
    fn exact_and_trimmed_formats() {
        assert_eq!(exact_with_min_decimals(&dec("50"), 2), "50.00");
        assert_eq!(exact_with_min_decimals(&dec("49.999"), 2), "49.999");
        assert_eq!(exact_with_min_decimals(&dec("1E+3"), 0), "1000");
        assert_eq!(trimmed(&dec("1.50")), "1.5");
        assert_eq!(trimmed(&dec("2.00")), "2");
        assert_eq!(trimmed(&dec("100")), "100");
    }
}
