//! Decimal amounts as WooCommerce writes them: text, never floating point.

/// Longest amount accepted, in characters (far beyond any real order).
const MAX_LEN: usize = 64;

/// Why a piece of text is not an amount.
pub(crate) fn check_non_negative(text: &str) -> Result<(), &'static str> {
    if text.len() > MAX_LEN {
        return Err("is longer than 64 characters");
    }
    let (int, frac) = match text.split_once('.') {
        Some((int, frac)) => (int, Some(frac)),
        None => (text, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if text.starts_with('-') {
        return Err("must not be negative");
    }
    if !all_digits(int) || frac.is_some_and(|f| !all_digits(f)) {
        return Err("must be a decimal number such as \"50.00\" or \"1500\"");
    }
    Ok(())
}

/// Like [`check_non_negative`], also allowing one leading `-` (refund totals).
pub(crate) fn check_signed(text: &str) -> Result<(), &'static str> {
    let magnitude = text.strip_prefix('-').unwrap_or(text);
    check_non_negative(magnitude)
        .map_err(|_| "must be a decimal number such as \"-10.00\" or \"0\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_any_number_of_decimals() {
        for ok in ["50.00", "1500", "29.999", "0", "12.345", "0.5", "007.10"] {
            assert_eq!(check_non_negative(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn refuses_what_is_not_a_plain_decimal() {
        for bad in [
            "", ".5", "5.", "-1", "1e3", "1E3", "+5", " 5", "5 ", "1,50", "1.2.3", "NaN", "١٢",
        ] {
            assert!(check_non_negative(bad).is_err(), "{bad:?}");
        }
        assert!(check_non_negative(&"9".repeat(65)).is_err());
    }

    #[test]
    fn signed_allows_one_minus() {
        for ok in ["-10.00", "10.00", "-0", "-25"] {
            assert_eq!(check_signed(ok), Ok(()), "{ok}");
        }
        for bad in ["--1", "-", "-.5", "- 1", "-1e2"] {
            assert!(check_signed(bad).is_err(), "{bad:?}");
        }
    }
}
