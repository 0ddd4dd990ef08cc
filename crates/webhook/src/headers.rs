//! The request headers a WooCommerce delivery carries.

/// Header names WooCommerce uses, lower-cased.
const SIGNATURE: &str = "x-wc-webhook-signature";
const TOPIC: &str = "x-wc-webhook-topic";
const RESOURCE: &str = "x-wc-webhook-resource";
const EVENT: &str = "x-wc-webhook-event";
const WEBHOOK_ID: &str = "x-wc-webhook-id";
const DELIVERY_ID: &str = "x-wc-webhook-delivery-id";
const SOURCE: &str = "x-wc-webhook-source";
const CONTENT_TYPE: &str = "content-type";
const WC_PREFIX: &str = "x-wc-webhook-";

/// The headers of one delivery that matter to Tally.
///
/// Names are matched case-insensitively; when a header is repeated, the first value
/// wins. Values are returned without surrounding whitespace. Headers this type does not
/// know are dropped, except that [`has_any_wc_header`](Self::has_any_wc_header)
/// remembers whether any `X-WC-Webhook-*` header was present.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliveryHeaders {
    signature: Option<String>,
    topic: Option<String>,
    resource: Option<String>,
    event: Option<String>,
    webhook_id: Option<String>,
    delivery_id: Option<String>,
    source: Option<String>,
    content_type: Option<String>,
    any_wc_header: bool,
}

impl DeliveryHeaders {
    /// Collects headers from `(name, value)` pairs in the order they were received.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut headers = Self::default();
        for (name, value) in pairs {
            let name = name.trim().to_ascii_lowercase();
            if name.starts_with(WC_PREFIX) {
                headers.any_wc_header = true;
            }
            let slot = match name.as_str() {
                SIGNATURE => &mut headers.signature,
                TOPIC => &mut headers.topic,
                RESOURCE => &mut headers.resource,
                EVENT => &mut headers.event,
                WEBHOOK_ID => &mut headers.webhook_id,
                DELIVERY_ID => &mut headers.delivery_id,
                SOURCE => &mut headers.source,
                CONTENT_TYPE => &mut headers.content_type,
                _ => continue,
            };
            if slot.is_none() {
                *slot = Some(value.trim().to_owned());
            }
        }
        headers
    }

    /// `X-WC-Webhook-Signature`, possibly empty.
    pub fn signature(&self) -> Option<&str> {
        self.signature.as_deref()
    }

    /// `X-WC-Webhook-Topic`, e.g. `order.updated`.
    pub fn topic(&self) -> Option<&str> {
        self.topic.as_deref()
    }

    /// `X-WC-Webhook-Resource`, e.g. `order`.
    pub fn resource(&self) -> Option<&str> {
        self.resource.as_deref()
    }

    /// `X-WC-Webhook-Event`, e.g. `updated`.
    pub fn event(&self) -> Option<&str> {
        self.event.as_deref()
    }

    /// `X-WC-Webhook-ID` as a number; `None` when absent or not an integer.
    pub fn webhook_id(&self) -> Option<i64> {
        self.webhook_id.as_deref()?.parse().ok()
    }

    /// `X-WC-Webhook-Delivery-ID`. Not unique: WooCommerce derives it from the webhook
    /// id and the current second, so never use it as an idempotency key.
    pub fn delivery_id(&self) -> Option<&str> {
        self.delivery_id.as_deref()
    }

    /// `X-WC-Webhook-Source`: the store's home URL, with a trailing slash.
    pub fn source(&self) -> Option<&str> {
        self.source.as_deref()
    }

    /// `Content-Type`, as sent (parameters included).
    pub fn content_type(&self) -> Option<&str> {
        self.content_type.as_deref()
    }

    /// Whether any `X-WC-Webhook-*` header was present (even an empty one).
    pub fn has_any_wc_header(&self) -> bool {
        self.any_wc_header
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_case_insensitive_and_values_trimmed() {
        let h = DeliveryHeaders::from_pairs([
            ("x-wc-WEBHOOK-signature", " abc= "),
            ("X-WC-Webhook-ID", "13"),
            ("content-TYPE", "application/json"),
        ]);
        assert_eq!(h.signature(), Some("abc="));
        assert_eq!(h.webhook_id(), Some(13));
        assert_eq!(h.content_type(), Some("application/json"));
        assert!(h.has_any_wc_header());
    }

    #[test]
    fn first_value_of_a_repeated_header_wins() {
        let h = DeliveryHeaders::from_pairs([
            ("X-WC-Webhook-Topic", "order.updated"),
            ("X-WC-Webhook-Topic", "order.deleted"),
        ]);
        assert_eq!(h.topic(), Some("order.updated"));
    }

    #[test]
    fn unknown_wc_header_still_counts_as_a_wc_header() {
        let h = DeliveryHeaders::from_pairs([("X-WC-Webhook-Whatever", "1")]);
        assert!(h.has_any_wc_header());
        assert_eq!(h.signature(), None);
        let plain = DeliveryHeaders::from_pairs([("Host", "example.com")]);
        assert!(!plain.has_any_wc_header());
    }

    #[test]
    fn webhook_id_that_is_not_a_number_is_none() {
        let h = DeliveryHeaders::from_pairs([("X-WC-Webhook-ID", "twelve")]);
        assert_eq!(h.webhook_id(), None);
    }
}
