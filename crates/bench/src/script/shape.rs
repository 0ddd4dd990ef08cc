//! Values of the same shape as a captured one, unique per pgbench transaction: built in
//! SQL from the transaction's unique number `:u`.

use anyhow::bail;

/// Whether pgbench would read part of `text` as a `:variable` (it does so even inside
/// quotes); `::` casts are fine.
pub fn has_variable(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b':' {
            let start = i;
            while i < bytes.len() && bytes[i] == b':' {
                i += 1;
            }
            let single = i - start == 1;
            let name = bytes
                .get(i)
                .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_');
            if single && name {
                return true;
            }
        } else {
            i += 1;
        }
    }
    false
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Upper,
    Lower,
    Digit,
    Other,
}

fn class(c: char) -> Class {
    if c.is_ascii_uppercase() {
        Class::Upper
    } else if c.is_ascii_lowercase() {
        Class::Lower
    } else if c.is_ascii_digit() {
        Class::Digit
    } else {
        Class::Other
    }
}

fn literal(text: &str) -> String {
    // Colons go through chr(58) so that pgbench never sees a variable.
    let pieces: Vec<String> = text
        .split(':')
        .map(|p| format!("'{}'", p.replace('\'', "''")))
        .collect();
    pieces.join(" || chr(58) || ")
}

/// Text shaped like `value`: letters stay letters and digits digits, drawn from those
/// seen at this parameter in every capture (`seen`), so a constraint the captured values
/// met (an alphabet, "contains a letter") still holds; other characters are kept. The
/// positions spell `:u` in mixed radix, unique while `:u < needed`.
pub fn text(value: &str, seen: &[String], needed: i64) -> anyhow::Result<String> {
    let alphabet = |wanted: Class| -> String {
        let mut chars: Vec<char> = seen
            .iter()
            .flat_map(|s| s.chars())
            .chain(value.chars())
            .filter(|c| class(*c) == wanted)
            .collect();
        chars.sort_unstable();
        chars.dedup();
        chars.into_iter().collect()
    };
    let mut pieces = Vec::new();
    let mut other = String::new();
    let mut radix: i64 = 1;
    for c in value.chars() {
        let k = class(c);
        if k == Class::Other {
            other.push(c);
            continue;
        }
        if !other.is_empty() {
            pieces.push(literal(&other));
            other.clear();
        }
        let letters = alphabet(k);
        let size = i64::try_from(letters.len())?;
        pieces.push(format!(
            "substr('{letters}', 1 + (:u::bigint / {radix} % {size})::int, 1)"
        ));
        radix = radix.saturating_mul(size);
    }
    if !other.is_empty() {
        pieces.push(literal(&other));
    }
    if radix < needed {
        bail!("a varying value ({value}) has too few shapes ({radix}) to stay unique over {needed} transactions");
    }
    Ok(format!("({})", pieces.join(" || ")))
}

/// Bytes as long as the captured ones (`\x…`), unique per transaction.
pub fn bytes(value: &str, index: usize) -> String {
    let hex_len = value.trim_start_matches("\\x").len().max(2);
    format!(
        "decode(right(lpad(to_hex(:u::bigint * 16 + {index}), {hex_len}, '0'), {hex_len}), 'hex')"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colons_that_pgbench_would_read_as_variables_are_found() {
        assert!(!has_variable("SELECT $1::text, a::bigint"));
        assert!(has_variable("SELECT :c0"));
        assert!(has_variable("SELECT '12:00'"));
        assert!(!has_variable("SELECT ':'"));
    }

    #[test]
    fn a_shape_too_small_to_stay_unique_is_refused() {
        assert!(text("A", &[], 1000).is_err());
        let code = text("YWQ83RU9", &["QC93X76T".to_string()], 1000).unwrap();
        assert_eq!(code.matches("substr(").count(), 8);
        assert!(!has_variable(&code.replace(":u::", "")));
    }

    #[test]
    fn other_characters_are_kept_and_colons_spelled_out() {
        let text = text("ab:1", &["cd:2".into()], 10).unwrap();
        assert!(text.contains("chr(58)"));
    }
}
