//! Reading string or number fields out of the one flat JSON object that
//! `tally admin seed-demo --json` prints. Not a JSON parser: xtask keeps no dependencies.

/// The value of the top-level field `key` as text: a string (unescaped) or a bare
/// number/literal. `None` when absent.
pub fn field(json: &str, key: &str) -> Option<String> {
    let needle = format!("\"{key}\"");
    let mut search_from = 0;
    while let Some(found) = json[search_from..].find(&needle) {
        let after_key = search_from + found + needle.len();
        search_from = after_key;
        let rest = json[after_key..].trim_start();
        // A key is followed by a colon; the same text as a value is not.
        let Some(value) = rest.strip_prefix(':') else {
            continue;
        };
        let value = value.trim_start();
        return match value.strip_prefix('"') {
            Some(string) => unescape_string(string),
            None => {
                let end = value.find([',', '}', ']']).unwrap_or(value.len());
                Some(value[..end].trim().to_string())
            }
        };
    }
    None
}

/// The string starting right after an opening quote, up to its closing quote.
fn unescape_string(text: &str) -> Option<String> {
    let mut out = String::new();
    let mut chars = text.chars();
    loop {
        match chars.next()? {
            '"' => return Some(out),
            '\\' => match chars.next()? {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                'r' => out.push('\r'),
                'b' => out.push('\u{8}'),
                'f' => out.push('\u{c}'),
                'u' => {
                    let hex: String = chars.by_ref().take(4).collect();
                    out.push(
                        char::from_u32(u32::from_str_radix(&hex, 16).ok()?).unwrap_or('\u{fffd}'),
                    );
                }
                other => out.push(other),
            },
            other => out.push(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn reads_strings_numbers_and_escapes() {
        let json = r#"{"partner_id": "p_1", "club_id":42,"card_id" : "c\"x\u0041",
                       "api_token":"tok/\\abc","partner_email":"demo@example.com"}"#;
        assert_eq!(field(json, "partner_id").as_deref(), Some("p_1"));
        assert_eq!(field(json, "club_id").as_deref(), Some("42"));
        assert_eq!(field(json, "card_id").as_deref(), Some("c\"xA"));
        assert_eq!(field(json, "api_token").as_deref(), Some("tok/\\abc"));
        assert_eq!(
            field(json, "partner_email").as_deref(),
            Some("demo@example.com")
        );
        assert_eq!(field(json, "missing"), None);
    }

    #[test]
    fn a_value_equal_to_a_key_name_is_not_a_key() {
        let json = r#"{"a": "card_id", "card_id": "real"}"#;
        assert_eq!(field(json, "card_id").as_deref(), Some("real"));
    }
}
