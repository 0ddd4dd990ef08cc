//! Money as WooCommerce shows it: decimal strings with the store's number of decimals.

use serde_json::{Number, Value};

/// An amount in the store's smallest unit (10^-decimals).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub(crate) struct Money(pub(crate) i64);

impl Money {
    pub(crate) const ZERO: Money = Money(0);

    /// Parses a decimal string like `wc_format_decimal`, rounding half away from zero.
    pub(crate) fn parse(s: &str, decimals: u32) -> Option<Money> {
        let s = s.trim();
        let (neg, digits) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s.strip_prefix('+').unwrap_or(s)),
        };
        let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
        if int.is_empty() && frac.is_empty()
            || !int.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let scale = 10i64.checked_pow(decimals)?;
        let mut units: i64 = if int.is_empty() { 0 } else { int.parse().ok()? };
        units = units.checked_mul(scale)?;
        let mut frac_units = 0i64;
        let mut round_up = false;
        for (i, b) in frac.bytes().enumerate() {
            let d = i64::from(b - b'0');
            if (i as u32) < decimals {
                frac_units = frac_units * 10 + d;
            } else {
                if i as u32 == decimals {
                    round_up = d >= 5;
                }
                break;
            }
        }
        for _ in (frac.len() as u32)..decimals {
            frac_units *= 10;
        }
        units = units.checked_add(frac_units + i64::from(round_up))?;
        Some(Money(if neg { -units } else { units }))
    }

    /// Reads a JSON string or number.
    pub(crate) fn from_json(v: &Value, decimals: u32) -> Option<Money> {
        match v {
            Value::String(s) => Money::parse(s, decimals),
            Value::Number(n) => Money::parse(&n.to_string(), decimals),
            _ => None,
        }
    }

    /// `"50.00"`, `"-10.00"`, `"1500"` (0 decimals).
    pub(crate) fn format(self, decimals: u32) -> String {
        let scale = 10i64.pow(decimals);
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let scale_u = scale.unsigned_abs();
        if decimals == 0 {
            format!("{sign}{abs}")
        } else {
            format!(
                "{sign}{}.{:0width$}",
                abs / scale_u,
                abs % scale_u,
                width = decimals as usize
            )
        }
    }

    /// The amount as a JSON number the way PHP's `json_encode` prints a float: `25`, `9.5`.
    pub(crate) fn per_unit_number(self, quantity: i64, decimals: u32) -> Number {
        let scale = 10i64.pow(decimals);
        let q = quantity.max(1);
        if self.0 % (scale * q) == 0 {
            return Number::from(self.0 / (scale * q));
        }
        let f = self.0 as f64 / scale as f64 / q as f64;
        Number::from_f64(f).unwrap_or_else(|| Number::from(0))
    }

    /// The same amount at another number of decimals (rounding half away from zero).
    pub(crate) fn rescale(self, from: u32, to: u32) -> Money {
        if to >= from {
            Money(self.0 * 10i64.pow(to - from))
        } else {
            let div = 10i64.pow(from - to);
            let q = self.0.abs() / div + i64::from(self.0.abs() % div * 2 >= div);
            Money(q * self.0.signum())
        }
    }

    /// `self * percent / 100`, rounded half away from zero.
    pub(crate) fn percent(self, percent: Money, decimals: u32) -> Money {
        let scale = i128::from(10i64.pow(decimals));
        let num = i128::from(self.0) * i128::from(percent.0);
        let den = scale * 100;
        let q = (num * 2 + den) / (den * 2);
        Money(q as i64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_formats() {
        assert_eq!(Money::parse("10", 2), Some(Money(1000)));
        assert_eq!(Money::parse("10.005", 2), Some(Money(1001)));
        assert_eq!(Money::parse("-10.5", 2).unwrap().format(2), "-10.50");
        assert_eq!(Money::parse("1500", 0).unwrap().format(0), "1500");
        assert_eq!(Money::parse("1.2345", 3).unwrap().format(3), "1.235");
        assert_eq!(Money::parse("abc", 2), None);
        assert_eq!(Money(5000).per_unit_number(2, 2).to_string(), "25");
        assert_eq!(Money(1900).per_unit_number(2, 2).to_string(), "9.5");
        assert_eq!(Money(5000).percent(Money(1000), 2), Money(500));
    }
}
