//! Telling the creation ping from a signed delivery and from everything else.

use crate::headers::DeliveryHeaders;

/// What kind of request reached the delivery URL, judged from headers and body only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The ping WooCommerce sends when a webhook is created or activated: no signature,
    /// no `X-WC-Webhook-*` header, a form-encoded body that is exactly
    /// `webhook_id=<digits>`. It must be answered with exactly 200 and nothing else done.
    Ping {
        /// The id of the webhook that was created.
        webhook_id: i64,
    },
    /// A non-empty signature header is present: verify it with
    /// [`verify_signature`](crate::verify_signature) before reading the body.
    Signed,
    /// Neither: no (or an empty) signature and not a ping. Garbage or forged traffic.
    Unsigned,
}

/// Classifies a request from its headers and raw body. Never panics.
///
/// The ping's `Content-Type` must be absent or `application/x-www-form-urlencoded`
/// (parameters allowed); surrounding ASCII whitespace in the body is ignored.
pub fn classify(headers: &DeliveryHeaders, body: &[u8]) -> Kind {
    if headers.signature().is_some_and(|s| !s.is_empty()) {
        return Kind::Signed;
    }
    if headers.has_any_wc_header() || !is_form_or_absent(headers.content_type()) {
        return Kind::Unsigned;
    }
    match ping_webhook_id(body) {
        Some(webhook_id) => Kind::Ping { webhook_id },
        None => Kind::Unsigned,
    }
}

fn is_form_or_absent(content_type: Option<&str>) -> bool {
    let Some(content_type) = content_type else {
        return true;
    };
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    essence.eq_ignore_ascii_case("application/x-www-form-urlencoded")
}

/// `webhook_id=<digits>` → the positive id it names.
fn ping_webhook_id(body: &[u8]) -> Option<i64> {
    let body = std::str::from_utf8(body.trim_ascii()).ok()?;
    let digits = body.strip_prefix("webhook_id=")?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse::<i64>().ok().filter(|id| *id > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> DeliveryHeaders {
        DeliveryHeaders::from_pairs(pairs.iter().copied())
    }

    const FORM: (&str, &str) = ("Content-Type", "application/x-www-form-urlencoded");

    #[test]
    fn ping_with_form_content_type() {
        let kind = classify(&headers(&[FORM]), b"webhook_id=12");
        assert_eq!(kind, Kind::Ping { webhook_id: 12 });
    }

    #[test]
    fn ping_without_content_type_and_with_trailing_newline() {
        let kind = classify(&headers(&[]), b"webhook_id=7\r\n");
        assert_eq!(kind, Kind::Ping { webhook_id: 7 });
    }

    #[test]
    fn ping_content_type_with_charset_is_accepted() {
        let ct = (
            "content-type",
            "Application/X-WWW-Form-Urlencoded; charset=UTF-8",
        );
        assert_eq!(
            classify(&headers(&[ct]), b"webhook_id=3"),
            Kind::Ping { webhook_id: 3 }
        );
    }

    #[test]
    fn ping_shaped_body_with_json_content_type_is_unsigned() {
        let ct = ("Content-Type", "application/json");
        assert_eq!(classify(&headers(&[ct]), b"webhook_id=12"), Kind::Unsigned);
    }

    #[test]
    fn ping_shaped_body_with_a_wc_header_is_unsigned() {
        let h = headers(&[FORM, ("X-WC-Webhook-Topic", "order.updated")]);
        assert_eq!(classify(&h, b"webhook_id=12"), Kind::Unsigned);
    }

    #[test]
    fn malformed_ping_bodies_are_unsigned() {
        for body in [
            &b"webhook_id="[..],
            b"webhook_id=12&x=1",
            b"webhook_id=-3",
            b"webhook_id=+3",
            b"webhook_id=0",
            b"webhook_id=99999999999999999999",
            b"webhook_id=1 2",
            b"WEBHOOK_ID=12",
            b"",
            b"\xff\xfe",
        ] {
            assert_eq!(
                classify(&headers(&[FORM]), body),
                Kind::Unsigned,
                "{body:?}"
            );
        }
    }

    #[test]
    fn signature_header_makes_it_signed_whatever_the_body() {
        let h = headers(&[("X-WC-Webhook-Signature", "abc")]);
        assert_eq!(classify(&h, b"webhook_id=12"), Kind::Signed);
        assert_eq!(classify(&h, b"\x00garbage"), Kind::Signed);
    }

    #[test]
    fn empty_signature_header_is_unsigned() {
        let h = headers(&[("X-WC-Webhook-Signature", "  ")]);
        assert_eq!(classify(&h, b"{\"id\":1}"), Kind::Unsigned);
        assert_eq!(classify(&h, b"webhook_id=12"), Kind::Unsigned);
    }

    #[test]
    fn json_without_signature_is_unsigned() {
        let ct = ("Content-Type", "application/json");
        assert_eq!(classify(&headers(&[ct]), b"{\"id\":11}"), Kind::Unsigned);
    }
}
