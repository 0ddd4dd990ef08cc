//! What counter staff (or the partner's till software) type, read once into values that
//! cannot be wrong: the member (email, member number or member code), the amount in the
//! card's currency, the free-text reference, and a new customer's name and language.

use bigdecimal::BigDecimal;
use identity::Email;
use ledger::{Currency, LedgerError, Money};

use crate::email::language::Language;

/// The largest amount one counter purchase may have, in whole units of the currency.
pub const MAX_AMOUNT: u64 = 1_000_000_000;

/// The longest reference (a receipt number, a note) kept with a purchase.
pub const MAX_REFERENCE: usize = 200;

/// The longest name kept for a new customer.
pub const MAX_NAME: usize = 100;

/// How a request names the member (SPEC §8): an email when it contains `@`, a member
/// number when it is all digits, a member code otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemberRef {
    Email(Email),
    Number(i64),
    /// Upper case, as printed on the member's card.
    Code(String),
}

/// Why the member field was not understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MemberRefError {
    #[error("Enter the member's email, member code or member number.")]
    Empty,
    #[error("{0}")]
    Email(identity::EmailError),
    #[error("That member number is too long.")]
    Number,
    #[error("A member code has only letters and digits, such as K7WX3M9P.")]
    Code,
}

impl MemberRef {
    pub fn parse(text: &str) -> Result<MemberRef, MemberRefError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(MemberRefError::Empty);
        }
        if text.contains('@') {
            return Email::parse(text)
                .map(MemberRef::Email)
                .map_err(MemberRefError::Email);
        }
        if text.bytes().all(|b| b.is_ascii_digit()) {
            return text
                .parse()
                .map(MemberRef::Number)
                .map_err(|_| MemberRefError::Number);
        }
        let code: String = text.chars().filter(|c| *c != '-' && *c != ' ').collect();
        if code.is_empty() || code.len() > 32 || !code.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(MemberRefError::Code);
        }
        Ok(MemberRef::Code(code.to_ascii_uppercase()))
    }
}

/// Why an amount was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("Enter the amount of the purchase.")]
    Empty,
    #[error("Enter the amount as a number, such as 12.50.")]
    NotANumber,
    #[error("Write the amount without thousands separators, such as 1234.50.")]
    Separators,
    #[error("The amount cannot be negative.")]
    Negative,
    #[error("Enter an amount greater than zero.")]
    Zero,
    #[error("{}", decimals_message(*.currency))]
    TooManyDecimals { currency: Currency },
    #[error("That amount is too large for one purchase.")]
    TooLarge,
}

fn decimals_message(currency: Currency) -> String {
    match currency.minor_units() {
        0 => format!("{currency} amounts have no decimals."),
        1 => format!("{currency} amounts have at most 1 decimal."),
        n => format!("{currency} amounts have at most {n} decimals."),
    }
}

/// Reads a counter amount in `currency`: plain digits with a decimal point, or — when
/// `decimal_comma` (what people type at a till in the Netherlands or Germany) — a
/// decimal comma (`12,50`). At most the currency's minor units of decimals (extra zeros
/// are fine), greater than zero, at most [`MAX_AMOUNT`].
pub fn parse_amount(
    text: &str,
    currency: Currency,
    decimal_comma: bool,
) -> Result<Money, AmountError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(AmountError::Empty);
    }
    if let Some(rest) = text.strip_prefix('-') {
        return Err(if rest.trim().is_empty() {
            AmountError::NotANumber
        } else {
            AmountError::Negative
        });
    }
    let owned;
    let text = if decimal_comma && text.contains(',') {
        if text.contains('.') || text.matches(',').count() > 1 {
            return Err(AmountError::Separators);
        }
        owned = text.replace(',', ".");
        owned.as_str()
    } else {
        text
    };
    let money = Money::parse(text, currency).map_err(|e| match e {
        LedgerError::EmptyAmount => AmountError::Empty,
        LedgerError::TooLarge { .. } => AmountError::TooLarge,
        LedgerError::TooManyDecimals { .. } => AmountError::TooManyDecimals { currency },
        LedgerError::NegativeAmount { .. } => AmountError::Negative,
        _ => AmountError::NotANumber,
    })?;
    let minor = i64::from(currency.minor_units());
    let in_minor_units = money.amount().with_scale(minor);
    if in_minor_units != *money.amount() {
        return Err(AmountError::TooManyDecimals { currency });
    }
    // `12.500` is kept as 12.50: a counter amount has the currency's decimals.
    let money = Money::new(in_minor_units, currency).map_err(|_| AmountError::TooLarge)?;
    if money.amount() > &BigDecimal::from(MAX_AMOUNT) {
        return Err(AmountError::TooLarge);
    }
    if money.is_zero() {
        return Err(AmountError::Zero);
    }
    Ok(money)
}

/// Why a reference, name or language was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("The reference is too long: at most 200 characters.")]
    ReferenceTooLong,
    #[error("The name is too long: at most 100 characters.")]
    NameTooLong,
    #[error("Choose one of the languages: en, nl, de, fr or es.")]
    Language,
}

/// The reference kept with a purchase: trimmed, `None` when empty.
pub fn parse_reference(text: &str) -> Result<Option<String>, TextError> {
    let text = text.trim();
    if text.chars().count() > MAX_REFERENCE {
        return Err(TextError::ReferenceTooLong);
    }
    Ok((!text.is_empty()).then(|| text.to_owned()))
}

/// A new customer's name, trimmed (may be empty).
pub fn parse_name(text: &str) -> Result<String, TextError> {
    let text = text.trim();
    if text.chars().count() > MAX_NAME {
        return Err(TextError::NameTooLong);
    }
    Ok(text.to_owned())
}

/// A new customer's email language; English when nothing was chosen.
pub fn parse_language(text: &str) -> Result<Language, TextError> {
    if text.trim().is_empty() {
        return Ok(Language::En);
    }
    Language::parse(text).ok_or(TextError::Language)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur(text: &str) -> Result<String, AmountError> {
        parse_amount(text, Currency::EUR, true).map(|m| m.to_exact_string())
    }

    #[test]
    fn amounts_take_a_point_or_a_decimal_comma() {
        assert_eq!(eur("12.50"), Ok("12.50".into()));
        assert_eq!(eur(" 12,50 "), Ok("12.50".into()));
        assert_eq!(eur("12"), Ok("12.00".into()));
        assert_eq!(eur("12.500"), Ok("12.50".into()));
        assert_eq!(
            parse_amount("12,50", Currency::EUR, false),
            Err(AmountError::NotANumber)
        );
    }

    #[test]
    fn amounts_are_refused_with_a_reason() {
        assert_eq!(eur(""), Err(AmountError::Empty));
        assert_eq!(eur("-5"), Err(AmountError::Negative));
        assert_eq!(eur("abc"), Err(AmountError::NotANumber));
        assert_eq!(eur("1e5"), Err(AmountError::NotANumber));
        assert_eq!(eur("1.234,50"), Err(AmountError::Separators));
        assert_eq!(eur("1,234,50"), Err(AmountError::Separators));
        assert_eq!(eur("0"), Err(AmountError::Zero));
        assert_eq!(eur("0,00"), Err(AmountError::Zero));
        assert_eq!(
            eur("12.345"),
            Err(AmountError::TooManyDecimals {
                currency: Currency::EUR
            })
        );
        assert_eq!(eur("1000000000.01"), Err(AmountError::TooLarge));
        assert_eq!(eur(&"9".repeat(30)), Err(AmountError::TooLarge));
        assert_eq!(eur("1000000000"), Ok("1000000000.00".into()));
    }

    #[test]
    fn decimals_follow_the_currency() {
        let yen = parse_amount("1200.5", Currency::JPY, true).unwrap_err();
        assert_eq!(yen.to_string(), "JPY amounts have no decimals.");
        let dinar = parse_amount("1.250", Currency::BHD, true).unwrap();
        assert_eq!(dinar.to_exact_string(), "1.250");
        let usd = parse_amount("1,234", Currency::USD, true).unwrap_err();
        assert_eq!(usd.to_string(), "USD amounts have at most 2 decimals.");
    }

    #[test]
    fn members_are_named_by_email_number_or_code() {
        assert!(matches!(
            MemberRef::parse(" Ann@Example.com "),
            Ok(MemberRef::Email(e)) if e.normalized() == "ann@example.com"
        ));
        assert_eq!(MemberRef::parse("1042"), Ok(MemberRef::Number(1042)));
        assert_eq!(
            MemberRef::parse("k7wx-3m9p"),
            Ok(MemberRef::Code("K7WX3M9P".into()))
        );
        assert_eq!(MemberRef::parse("  "), Err(MemberRefError::Empty));
        assert_eq!(MemberRef::parse("ab!cd"), Err(MemberRefError::Code));
        assert_eq!(
            MemberRef::parse(&"9".repeat(30)),
            Err(MemberRefError::Number)
        );
        assert!(matches!(
            MemberRef::parse("ann@"),
            Err(MemberRefError::Email(_))
        ));
    }

    #[test]
    fn references_names_and_languages() {
        assert_eq!(parse_reference("  "), Ok(None));
        assert_eq!(parse_reference(" R-12 "), Ok(Some("R-12".into())));
        assert_eq!(
            parse_reference(&"x".repeat(201)),
            Err(TextError::ReferenceTooLong)
        );
        assert!(parse_reference(&"é".repeat(200)).is_ok());
        assert_eq!(parse_language(""), Ok(Language::En));
        assert_eq!(parse_language("nl"), Ok(Language::Nl));
        assert_eq!(parse_language("xx"), Err(TextError::Language));
        assert_eq!(parse_name(&"n".repeat(101)), Err(TextError::NameTooLong));
    }
}
