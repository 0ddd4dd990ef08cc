//! ISO 4217 currencies and their minor units.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{shown, LedgerError};

/// A currency from the built-in ISO 4217 table, with the number of digits after the
/// decimal point its money is usually written with (EUR 2, JPY 0, BHD 3).
///
/// Only [`Currency::parse`] and the constants build one, so every `Currency` is real.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Currency {
    code: &'static str,
    minor_units: u32,
}

/// Active ISO 4217 currencies used for payments, with their minor units. Funds codes,
/// precious metals and testing codes are left out on purpose: no shop sells in them.
#[rustfmt::skip]
const TABLE: &[(&str, u32)] = &[
    ("AED", 2), ("AFN", 2), ("ALL", 2), ("AMD", 2), ("ANG", 2), ("AOA", 2), ("ARS", 2),
    ("AUD", 2), ("AWG", 2), ("AZN", 2), ("BAM", 2), ("BBD", 2), ("BDT", 2), ("BGN", 2),
    ("BHD", 3), ("BIF", 0), ("BMD", 2), ("BND", 2), ("BOB", 2), ("BRL", 2), ("BSD", 2),
    ("BTN", 2), ("BWP", 2), ("BYN", 2), ("BZD", 2), ("CAD", 2), ("CDF", 2), ("CHF", 2),
    ("CLP", 0), ("CNY", 2), ("COP", 2), ("CRC", 2), ("CUP", 2), ("CVE", 2), ("CZK", 2),
    ("DJF", 0), ("DKK", 2), ("DOP", 2), ("DZD", 2), ("EGP", 2), ("ERN", 2), ("ETB", 2),
    ("EUR", 2), ("FJD", 2), ("FKP", 2), ("GBP", 2), ("GEL", 2), ("GHS", 2), ("GIP", 2),
    ("GMD", 2), ("GNF", 0), ("GTQ", 2), ("GYD", 2), ("HKD", 2), ("HNL", 2), ("HTG", 2),
    ("HUF", 2), ("IDR", 2), ("ILS", 2), ("INR", 2), ("IQD", 3), ("IRR", 2), ("ISK", 0),
    ("JMD", 2), ("JOD", 3), ("JPY", 0), ("KES", 2), ("KGS", 2), ("KHR", 2), ("KMF", 0),
    ("KPW", 2), ("KRW", 0), ("KWD", 3), ("KYD", 2), ("KZT", 2), ("LAK", 2), ("LBP", 2),
    ("LKR", 2), ("LRD", 2), ("LSL", 2), ("LYD", 3), ("MAD", 2), ("MDL", 2), ("MGA", 2),
    ("MKD", 2), ("MMK", 2), ("MNT", 2), ("MOP", 2), ("MRU", 2), ("MUR", 2), ("MVR", 2),
    ("MWK", 2), ("MXN", 2), ("MYR", 2), ("MZN", 2), ("NAD", 2), ("NGN", 2), ("NIO", 2),
    ("NOK", 2), ("NPR", 2), ("NZD", 2), ("OMR", 3), ("PAB", 2), ("PEN", 2), ("PGK", 2),
    ("PHP", 2), ("PKR", 2), ("PLN", 2), ("PYG", 0), ("QAR", 2), ("RON", 2), ("RSD", 2),
    ("RUB", 2), ("RWF", 0), ("SAR", 2), ("SBD", 2), ("SCR", 2), ("SDG", 2), ("SEK", 2),
    ("SGD", 2), ("SHP", 2), ("SLE", 2), ("SOS", 2), ("SRD", 2), ("SSP", 2), ("STN", 2),
    ("SVC", 2), ("SYP", 2), ("SZL", 2), ("THB", 2), ("TJS", 2), ("TMT", 2), ("TND", 3),
    ("TOP", 2), ("TRY", 2), ("TTD", 2), ("TWD", 2), ("TZS", 2), ("UAH", 2), ("UGX", 0),
    ("USD", 2), ("UYU", 2), ("UZS", 2), ("VED", 2), ("VES", 2), ("VND", 0), ("VUV", 0),
    ("WST", 2), ("XAF", 0), ("XCD", 2), ("XCG", 2), ("XOF", 0), ("XPF", 0), ("YER", 2),
    ("ZAR", 2), ("ZMW", 2), ("ZWG", 2),
];

impl Currency {
    /// Euro.
    pub const EUR: Currency = Currency::known("EUR", 2);
    /// US dollar.
    pub const USD: Currency = Currency::known("USD", 2);
    /// Pound sterling.
    pub const GBP: Currency = Currency::known("GBP", 2);
    /// Swiss franc.
    pub const CHF: Currency = Currency::known("CHF", 2);
    /// Japanese yen (no minor unit).
    pub const JPY: Currency = Currency::known("JPY", 0);
    /// Bahraini dinar (three decimals).
    pub const BHD: Currency = Currency::known("BHD", 3);

    const fn known(code: &'static str, minor_units: u32) -> Currency {
        Currency { code, minor_units }
    }

    /// Reads an ISO 4217 code in any case, ignoring surrounding spaces: `"eur"`,
    /// `" EUR "`. Codes outside the built-in table are refused.
    pub fn parse(text: &str) -> Result<Currency, LedgerError> {
        let wanted = text.trim();
        TABLE
            .iter()
            .find(|(code, _)| code.eq_ignore_ascii_case(wanted))
            .map(|&(code, minor_units)| Currency { code, minor_units })
            .ok_or_else(|| LedgerError::UnknownCurrency {
                code: shown(wanted),
            })
    }

    /// The upper-case code, e.g. `"EUR"`.
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// Digits after the decimal point in ordinary amounts: EUR 2, JPY 0, BHD 3.
    pub fn minor_units(&self) -> u32 {
        self.minor_units
    }

    /// Every currency in the built-in table.
    pub fn all() -> impl Iterator<Item = Currency> {
        TABLE
            .iter()
            .map(|&(code, minor_units)| Currency { code, minor_units })
    }
}

/// The code: `EUR`.
impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code)
    }
}

impl std::str::FromStr for Currency {
    type Err = LedgerError;
    fn from_str(text: &str) -> Result<Currency, LedgerError> {
        Currency::parse(text)
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code)
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Currency, D::Error> {
        let text = String::deserialize(deserializer)?;
        Currency::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_accepts_any_case_and_surrounding_spaces() {
        assert_eq!(Currency::parse("eur"), Ok(Currency::EUR));
        assert_eq!(Currency::parse("  Usd "), Ok(Currency::USD));
        assert_eq!(Currency::parse("EUR").map(|c| c.code()), Ok("EUR"));
    }

    #[test]
    #[rustfmt::skip]
    fn minor_units_follow_the_currency() {
        for (code, minor) in [
            ("EUR", 2), ("USD", 2), ("GBP", 2), ("JPY", 0), ("KRW", 0), ("CLP", 0),
            ("ISK", 0), ("VND", 0), ("BHD", 3), ("KWD", 3), ("JOD", 3), ("OMR", 3),
            ("TND", 3), ("CHF", 2), ("SEK", 2), ("NOK", 2), ("DKK", 2), ("PLN", 2),
            ("CZK", 2), ("HUF", 2), ("AUD", 2), ("CAD", 2), ("NZD", 2), ("BRL", 2),
            ("MXN", 2), ("INR", 2), ("CNY", 2), ("ZAR", 2),
        ] {
            assert_eq!(
                Currency::parse(code).map(|c| c.minor_units()),
                Ok(minor),
                "{code}"
            );
        }
    }

    #[test]
    fn unknown_codes_are_refused_with_a_readable_message() {
        for bad in ["", "EU", "EURO", "XXX", "BTC", "XAU", "€", "e u r"] {
            let err = Currency::parse(bad);
            assert!(
                matches!(err, Err(LedgerError::UnknownCurrency { .. })),
                "{bad:?} gave {err:?}"
            );
        }
        let message = Currency::parse("btc").map_err(|e| e.to_string());
        assert_eq!(
            message,
            Err("“btc” is not a currency we know: use a three-letter ISO 4217 code such as EUR or USD.".to_owned())
        );
    }

    #[test]
    fn the_table_is_sorted_unique_and_well_formed() {
        let codes: Vec<&str> = TABLE.iter().map(|(code, _)| *code).collect();
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(codes, sorted);
        for (code, minor) in TABLE {
            assert!(code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase()));
            assert!(*minor <= 3);
        }
    }

    #[test]
    fn constants_match_the_table() {
        for constant in [
            Currency::EUR,
            Currency::USD,
            Currency::GBP,
            Currency::CHF,
            Currency::JPY,
            Currency::BHD,
        ] {
            assert_eq!(Currency::parse(constant.code()), Ok(constant));
        }
    }

    #[test]
    fn serde_uses_the_code_and_validates_it() {
        assert_eq!(
            serde_json::to_string(&Currency::JPY).ok().as_deref(),
            Some("\"JPY\"")
        );
        let back: Result<Currency, _> = serde_json::from_str("\"bhd\"");
        assert_eq!(back.ok(), Some(Currency::BHD));
        let bad: Result<Currency, _> = serde_json::from_str("\"ABC\"");
        assert!(bad.is_err());
    }
}
