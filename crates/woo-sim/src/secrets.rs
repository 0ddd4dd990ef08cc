//! Webhook secrets: the generated default and the HTML-entity decoding applied before signing.

use crate::state::random_string;

/// `wp_generate_password( 50, true, true )`: 50 chars with special and extra-special chars.
pub(crate) fn generate() -> String {
    const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!@#$%^&*()-_ []{}<>~`+=,.;:/?|";
    random_string(50, CHARS)
}

/// `wp_specialchars_decode( $secret, ENT_QUOTES )`: one pass, only WordPress' own entities.
pub(crate) fn decode(s: &str) -> String {
    const TABLE: &[(&str, &str)] = &[
        ("&#039;", "'"),
        ("&#39;", "'"),
        ("&#x27;", "'"),
        ("&quot;", "\""),
        ("&#034;", "\""),
        ("&#34;", "\""),
        ("&#x22;", "\""),
        ("&lt;", "<"),
        ("&#060;", "<"),
        ("&#60;", "<"),
        ("&gt;", ">"),
        ("&#062;", ">"),
        ("&#62;", ">"),
        ("&amp;", "&"),
        ("&#038;", "&"),
        ("&#38;", "&"),
    ];
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    'outer: while !rest.is_empty() {
        if rest.starts_with('&') {
            for (from, to) in TABLE {
                if rest.len() >= from.len() && rest[..from.len()].eq_ignore_ascii_case(from) {
                    out.push_str(to);
                    rest = &rest[from.len()..];
                    continue 'outer;
                }
            }
        }
        let c = rest.chars().next().unwrap_or_default();
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// `html_entity_decode` for coupon codes: WordPress' entities plus `&nbsp;`.
pub(crate) fn decode_html(s: &str) -> String {
    decode(&s.replace("&nbsp;", "\u{a0}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_the_recorded_secret() {
        assert_eq!(decode("s3cr&amp;t<>\"'x&y"), "s3cr&t<>\"'x&y");
        assert_eq!(decode("a&amp;lt;b&#039;"), "a&lt;b'");
        assert_eq!(generate().chars().count(), 50);
    }
}
