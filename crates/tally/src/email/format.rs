//! Numbers, money and dates written the way each language writes them.
//!
//! Templates never format numbers; the renderer puts these strings in their context.
//! Money goes through [`ledger::Money`] (decimal, never floating point).

use ledger::{Currency, Money};

use crate::email::message::Language;

/// The narrow no-break space French puts between groups of digits.
const NARROW_NBSP: char = '\u{202F}';

/// Points with the language's grouping: `1,200` (en), `1.200` (nl, de, es),
/// `1 200` (fr, with a narrow no-break space).
pub fn format_points(n: i64, lang: Language) -> String {
    let digits = group(&n.unsigned_abs().to_string(), thousands_separator(lang));
    if n < 0 {
        format!("-{digits}")
    } else {
        digits
    }
}

/// A decimal amount (`"60"`, `"1234.5"`) in `currency` (an ISO 4217 code), with the
/// currency's minor units and the language's separators and symbol placement:
/// `€1,234.50` and `60.00 CHF` (en), `€ 1.234,50` (nl), `1.234,50 €` (de, fr, es).
///
/// Text that is not an amount, or an unknown currency, is shown as given followed by
/// the code, rather than failing the whole email.
pub fn format_money(amount: &str, currency: &str, lang: Language) -> String {
    let Ok(currency) = Currency::parse(currency) else {
        return format!("{} {}", amount.trim(), currency.trim());
    };
    let Ok(money) = Money::parse(amount, currency) else {
        return format!("{} {}", amount.trim(), currency.code());
    };
    let plain = money.to_minor_string();
    let (whole, fraction) = plain.split_once('.').unwrap_or((&plain, ""));
    let mut number = group(whole, thousands_separator(lang));
    if !fraction.is_empty() {
        number.push(decimal_separator(lang));
        number.push_str(fraction);
    }
    match (lang, symbol(currency)) {
        (Language::En, Some(symbol)) => format!("{symbol}{number}"),
        (Language::En, None) => format!("{number} {}", currency.code()),
        (Language::Nl, Some(symbol)) => format!("{symbol} {number}"),
        (Language::Nl, None) => format!("{} {number}", currency.code()),
        (_, Some(symbol)) => format!("{number} {symbol}"),
        (_, None) => format!("{number} {}", currency.code()),
    }
}

/// A `YYYY-MM-DD` date written out: `30 November 2026` (en), `30 november 2026` (nl),
/// `30. November 2026` (de), `30 novembre 2026` (fr, `1er` on the first),
/// `30 de noviembre de 2026` (es). Anything else is shown as given.
pub fn format_date(yyyy_mm_dd: &str, lang: Language) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let Ok(date) = time::Date::parse(yyyy_mm_dd.trim(), &format) else {
        return yyyy_mm_dd.to_owned();
    };
    let (day, year) = (date.day(), date.year());
    let month = month_name(u8::from(date.month()), lang);
    match lang {
        Language::En | Language::Nl => format!("{day} {month} {year}"),
        Language::De => format!("{day}. {month} {year}"),
        Language::Fr if day == 1 => format!("1er {month} {year}"),
        Language::Fr => format!("{day} {month} {year}"),
        Language::Es => format!("{day} de {month} de {year}"),
    }
}

fn thousands_separator(lang: Language) -> char {
    match lang {
        Language::En => ',',
        Language::Nl | Language::De | Language::Es => '.',
        Language::Fr => NARROW_NBSP,
    }
}

fn decimal_separator(lang: Language) -> char {
    match lang {
        Language::En => '.',
        _ => ',',
    }
}

/// The symbol people know a currency by, for the few where it is unambiguous.
fn symbol(currency: Currency) -> Option<&'static str> {
    match currency.code() {
        "EUR" => Some("€"),
        "USD" => Some("$"),
        "GBP" => Some("£"),
        "JPY" => Some("¥"),
        _ => None,
    }
}

/// ASCII digits with `separator` between groups of three from the right.
fn group(digits: &str, separator: char) -> String {
    let len = digits.len();
    let mut out = String::with_capacity(len + len / 3 * separator.len_utf8());
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (len - i) % 3 == 0 {
            out.push(separator);
        }
        out.push(digit);
    }
    out
}

fn month_name(month: u8, lang: Language) -> &'static str {
    const EN: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    const NL: [&str; 12] = [
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ];
    const DE: [&str; 12] = [
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    ];
    const FR: [&str; 12] = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ];
    const ES: [&str; 12] = [
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ];
    let names = match lang {
        Language::En => &EN,
        Language::Nl => &NL,
        Language::De => &DE,
        Language::Fr => &FR,
        Language::Es => &ES,
    };
    names
        .get(usize::from(month.saturating_sub(1)))
        .copied()
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use Language::{De, En, Es, Fr, Nl};

    #[test]
    fn points_are_grouped_per_language() {
        assert_eq!(format_points(1200, En), "1,200");
        assert_eq!(format_points(1200, Nl), "1.200");
        assert_eq!(format_points(1200, De), "1.200");
        assert_eq!(format_points(1200, Es), "1.200");
        assert_eq!(format_points(1200, Fr), "1\u{202F}200");
        assert_eq!(format_points(1_234_567, En), "1,234,567");
        assert_eq!(format_points(1_234_567, Fr), "1\u{202F}234\u{202F}567");
        assert_eq!(format_points(999, Nl), "999");
        assert_eq!(format_points(0, De), "0");
        assert_eq!(format_points(-45_000, En), "-45,000");
        assert_eq!(format_points(i64::MIN, En), "-9,223,372,036,854,775,808");
    }

    #[test]
    fn money_in_english_puts_known_symbols_first() {
        assert_eq!(format_money("60", "EUR", En), "€60.00");
        assert_eq!(format_money("60.00", "USD", En), "$60.00");
        assert_eq!(format_money("7.5", "GBP", En), "£7.50");
        assert_eq!(format_money("60", "CHF", En), "60.00 CHF");
        assert_eq!(format_money("1234.5", "EUR", En), "€1,234.50");
        assert_eq!(format_money("1500", "JPY", En), "¥1,500");
        assert_eq!(format_money("1.25", "bhd", En), "1.250 BHD");
    }

    #[test]
    fn money_in_dutch_puts_the_symbol_first_with_a_space() {
        assert_eq!(format_money("60", "EUR", Nl), "€ 60,00");
        assert_eq!(format_money("1234.5", "EUR", Nl), "€ 1.234,50");
        assert_eq!(format_money("60", "CHF", Nl), "CHF 60,00");
    }

    #[test]
    fn money_in_german_french_and_spanish_puts_the_symbol_last() {
        assert_eq!(format_money("60", "EUR", De), "60,00 €");
        assert_eq!(format_money("1234.5", "EUR", De), "1.234,50 €");
        assert_eq!(format_money("60", "EUR", Fr), "60,00 €");
        assert_eq!(format_money("1234.5", "EUR", Fr), "1\u{202F}234,50 €");
        assert_eq!(format_money("60", "EUR", Es), "60,00 €");
        assert_eq!(format_money("1234.5", "EUR", Es), "1.234,50 €");
        assert_eq!(format_money("60", "CHF", De), "60,00 CHF");
        assert_eq!(format_money("1500", "JPY", Es), "1.500 ¥");
    }

    #[test]
    fn money_rounds_extra_decimals_for_display_and_survives_bad_input() {
        assert_eq!(format_money("49.995", "EUR", En), "€50.00");
        assert_eq!(format_money("0", "EUR", Fr), "0,00 €");
        assert_eq!(format_money("abc", "EUR", En), "abc EUR");
        assert_eq!(format_money("5", "XYZ", En), "5 XYZ");
    }

    #[test]
    fn dates_are_written_out_per_language() {
        assert_eq!(format_date("2026-11-30", En), "30 November 2026");
        assert_eq!(format_date("2026-11-30", Nl), "30 november 2026");
        assert_eq!(format_date("2026-11-30", De), "30. November 2026");
        assert_eq!(format_date("2026-11-30", Fr), "30 novembre 2026");
        assert_eq!(format_date("2026-11-30", Es), "30 de noviembre de 2026");
        assert_eq!(format_date("2027-03-01", Fr), "1er mars 2027");
        assert_eq!(format_date("2027-03-01", De), "1. März 2027");
        assert_eq!(format_date("2027-08-05", Nl), "5 augustus 2027");
        assert_eq!(format_date("2027-02-09", Es), "9 de febrero de 2027");
        assert_eq!(format_date("2027-01-01", En), "1 January 2027");
        assert_eq!(format_date("soon", En), "soon");
        assert_eq!(format_date("2026-02-30", En), "2026-02-30");
    }
}
