//! Money: a non-negative decimal amount in a currency. Never floating point.

use std::fmt;

use bigdecimal::num_bigint::{BigInt, Sign};
use bigdecimal::BigDecimal;
use serde::{Deserialize, Serialize};

use crate::decimal::{bounded, exact_with_min_decimals, parts, pow10};
use crate::error::shown;
use crate::fraction::Fraction;
use crate::{Currency, LedgerError, Rounding};

/// Longest text [`Money::parse`] reads; anything longer is not a real amount.
const MAX_TEXT_LEN: usize = 40;

/// A non-negative amount of money in one currency.
///
/// The amount is kept exactly as given, including decimals beyond the currency's minor
/// unit (stores send totals such as `49.999`). Equality compares values, so `50` and
/// `50.00` EUR are equal. Serialized as `{"amount": "50.00", "currency": "EUR"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "MoneyRepr", into = "MoneyRepr")]
pub struct Money {
    amount: BigDecimal,
    currency: Currency,
}

impl Money {
    /// Wraps an amount, refusing negative amounts and values beyond the crate's bounds
    /// (more than 18 decimals or 18 integer digits).
    pub fn new(amount: BigDecimal, currency: Currency) -> Result<Money, LedgerError> {
        let amount = bounded(&amount, "amount")?;
        if amount.sign() == Sign::Minus {
            return Err(LedgerError::NegativeAmount { what: "amount" });
        }
        Ok(Money { amount, currency })
    }

    /// Reads plain decimal text such as `50`, `50.00` or `49.999`, ignoring surrounding
    /// spaces. Refuses empty text, signs, exponents, spaces or separators inside the
    /// number, and absurdly long or precise values.
    pub fn parse(text: &str, currency: Currency) -> Result<Money, LedgerError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(LedgerError::EmptyAmount);
        }
        if text.len() > MAX_TEXT_LEN {
            return Err(LedgerError::TooLarge { what: "amount" });
        }
        let malformed = || LedgerError::MalformedAmount { shown: shown(text) };
        let (whole, fraction) = match text.split_once('.') {
            Some((whole, fraction)) => (whole, Some(fraction)),
            None => (text, None),
        };
        let all_digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
        if !all_digits(whole) || fraction.is_some_and(|f| !all_digits(f)) {
            return Err(malformed());
        }
        let fraction = fraction.unwrap_or("");
        let int: BigInt = format!("{whole}{fraction}")
            .parse()
            .map_err(|_| malformed())?;
        let scale = i64::try_from(fraction.len()).map_err(|_| malformed())?;
        Money::new(BigDecimal::new(int, scale), currency)
    }

    /// `int / 10^scale` without the bounds of [`Money::new`], for results the crate
    /// computes itself (a coupon value can exceed what a purchase may be). Callers
    /// guarantee `int >= 0`; a negative value becomes zero.
    pub(crate) fn from_scaled(int: BigInt, scale: u32, currency: Currency) -> Money {
        if int.sign() == Sign::Minus {
            return Money::zero(currency);
        }
        Money {
            amount: BigDecimal::new(int, i64::from(scale)),
            currency,
        }
    }

    /// Zero in `currency`.
    pub fn zero(currency: Currency) -> Money {
        Money {
            amount: BigDecimal::new(BigInt::from(0u8), 0),
            currency,
        }
    }

    /// The exact amount, as given.
    pub fn amount(&self) -> &BigDecimal {
        &self.amount
    }

    /// The currency.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// Exactly zero.
    pub fn is_zero(&self) -> bool {
        self.amount.sign() == Sign::NoSign
    }

    /// The sum of two amounts in the same currency.
    pub fn plus(&self, other: &Money) -> Result<Money, LedgerError> {
        self.same_currency(other)?;
        Money::new(&self.amount + &other.amount, self.currency)
    }

    /// Refuses `other` when it is in a different currency.
    pub(crate) fn same_currency(&self, other: &Money) -> Result<(), LedgerError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(LedgerError::CurrencyMismatch {
                expected: self.currency,
                found: other.currency,
            })
        }
    }

    /// The amount cut to the currency's minor unit, never rounded up: 49.999 EUR →
    /// 49.99 EUR. What a coupon may be worth.
    pub fn round_down_to_minor_unit(&self) -> Money {
        Money {
            amount: self.rounded_to_minor_unit(Rounding::Down),
            currency: self.currency,
        }
    }

    /// The amount for display, with exactly the currency's minor units: `50.00` (EUR),
    /// `1000` (JPY), `1.250` (BHD).
    ///
    /// Extra decimals are rounded **half away from zero** (49.995 → `50.00`, 49.994 →
    /// `49.99`): this is how a person would write the amount, not what it is worth as a
    /// coupon (see [`Money::round_down_to_minor_unit`]). Use [`Money::to_exact_string`]
    /// where nothing may be lost.
    pub fn to_minor_string(&self) -> String {
        let rounded = self.rounded_to_minor_unit(Rounding::Nearest);
        exact_with_min_decimals(&rounded, self.currency.minor_units())
    }

    /// The exact amount, padded to at least the currency's minor units and never cut:
    /// `50` EUR → `50.00`, `49.999` EUR → `49.999`.
    pub fn to_exact_string(&self) -> String {
        exact_with_min_decimals(&self.amount, self.currency.minor_units())
    }

    fn rounded_to_minor_unit(&self, rounding: Rounding) -> BigDecimal {
        let minor = self.currency.minor_units();
        // `new` and `parse` bounded the amount, so `parts` cannot fail here; fall back
        // to the amount unchanged rather than panic.
        let Ok((int, scale)) = parts(&self.amount, "amount") else {
            return self.amount.clone();
        };
        if scale <= minor {
            return BigDecimal::new(int, i64::from(scale));
        }
        match Fraction::new(int, pow10(scale)) {
            Some(fraction) => fraction.round_to_decimals(minor, rounding),
            None => self.amount.clone(),
        }
    }
}

/// `50.00 EUR`: [`Money::to_minor_string`] and the code.
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.to_minor_string(), self.currency)
    }
}

/// The JSON shape: the amount as an exact decimal string.
#[derive(Serialize, Deserialize)]
struct MoneyRepr {
    amount: String,
    currency: Currency,
}

impl From<Money> for MoneyRepr {
    fn from(money: Money) -> MoneyRepr {
        MoneyRepr {
            amount: money.to_exact_string(),
            currency: money.currency,
        }
    }
}

impl TryFrom<MoneyRepr> for Money {
    type Error = LedgerError;
    fn try_from(repr: MoneyRepr) -> Result<Money, LedgerError> {
        Money::parse(&repr.amount, repr.currency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur(text: &str) -> Money {
        Money::parse(text, Currency::EUR).unwrap()
    }

    #[test]
    fn parse_accepts_plain_decimals_and_keeps_them_exactly() {
        assert_eq!(eur("50").to_exact_string(), "50.00");
        assert_eq!(eur("50.00").to_exact_string(), "50.00");
        assert_eq!(eur("49.999").to_exact_string(), "49.999");
        assert_eq!(eur(" 7.5 ").to_exact_string(), "7.50");
        assert_eq!(eur("50"), eur("50.000"));
        assert_eq!(eur("0").to_exact_string(), "0.00");
    }

    #[test]
    fn parse_refuses_what_is_not_a_plain_amount() {
        assert_eq!(
            Money::parse("", Currency::EUR),
            Err(LedgerError::EmptyAmount)
        );
        assert_eq!(
            Money::parse("   ", Currency::EUR),
            Err(LedgerError::EmptyAmount)
        );
        for bad in [
            "abc", "1e5", "1E5", "-1", "+1", " 1 2", "1,50", "1.2.3", ".5", "5.", "NaN", "inf",
            "Infinity", "0x10", "١٢", "1_000",
        ] {
            assert!(
                matches!(
                    Money::parse(bad, Currency::EUR),
                    Err(LedgerError::MalformedAmount { .. })
                ),
                "{bad:?}"
            );
        }
        assert_eq!(
            Money::parse(&"9".repeat(41), Currency::EUR),
            Err(LedgerError::TooLarge { what: "amount" })
        );
        assert_eq!(
            Money::parse(&"9".repeat(19), Currency::EUR),
            Err(LedgerError::TooLarge { what: "amount" })
        );
        assert_eq!(
            Money::parse("0.0000000000000000001", Currency::EUR),
            Err(LedgerError::TooManyDecimals {
                what: "amount",
                max: 18
            })
        );
    }

    #[test]
    fn malformed_message_is_readable_and_short() {
        let long = format!("x{}", "y".repeat(30));
        let message = Money::parse(&long, Currency::EUR).unwrap_err().to_string();
        assert_eq!(
            message,
            format!(
                "“x{}…” is not an amount: write digits with an optional decimal point, such as 12.50.",
                "y".repeat(23)
            )
        );
    }

    #[test]
    fn new_refuses_negative_amounts() {
        let minus_one: BigDecimal = "-1".parse().unwrap();
        assert_eq!(
            Money::new(minus_one, Currency::EUR),
            Err(LedgerError::NegativeAmount { what: "amount" })
        );
    }

    #[test]
    fn minor_string_uses_the_currency_minor_units_half_away_from_zero() {
        assert_eq!(eur("50").to_minor_string(), "50.00");
        assert_eq!(eur("49.995").to_minor_string(), "50.00");
        assert_eq!(eur("49.994").to_minor_string(), "49.99");
        assert_eq!(
            Money::parse("1000", Currency::JPY)
                .unwrap()
                .to_minor_string(),
            "1000"
        );
        assert_eq!(
            Money::parse("999.5", Currency::JPY)
                .unwrap()
                .to_minor_string(),
            "1000"
        );
        assert_eq!(
            Money::parse("1.25", Currency::BHD)
                .unwrap()
                .to_minor_string(),
            "1.250"
        );
        assert_eq!(eur("50").to_string(), "50.00 EUR");
    }

    #[test]
    fn round_down_never_rounds_up() {
        assert_eq!(eur("49.999").round_down_to_minor_unit(), eur("49.99"));
        assert_eq!(eur("0.009").round_down_to_minor_unit(), eur("0"));
        assert_eq!(
            eur("12.3").round_down_to_minor_unit().to_exact_string(),
            "12.30"
        );
    }

    #[test]
    fn plus_adds_and_refuses_mixed_currencies() {
        assert_eq!(eur("10.005").plus(&eur("0.995")), Ok(eur("11")));
        let yen = Money::parse("5", Currency::JPY).unwrap();
        assert_eq!(
            eur("1").plus(&yen),
            Err(LedgerError::CurrencyMismatch {
                expected: Currency::EUR,
                found: Currency::JPY
            })
        );
    }

    #[test]
    fn serde_shape_is_amount_string_and_code() {
        let json = serde_json::to_string(&eur("49.999")).unwrap();
        assert_eq!(json, r#"{"amount":"49.999","currency":"EUR"}"#);
        let back: Money = serde_json::from_str(&json).unwrap();
        assert_eq!(back, eur("49.999"));
        assert!(serde_json::from_str::<Money>(r#"{"amount":"-1","currency":"EUR"}"#).is_err());
    }
}
