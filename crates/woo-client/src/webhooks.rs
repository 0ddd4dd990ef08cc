//! Webhook resources (`/wp-json/wc/v3/webhooks`, WOOCOMMERCE.md §6).

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

/// `active`, `paused` or `disabled` (WooCommerce disables after the 7th consecutive
/// failed delivery).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WebhookStatus {
    Active,
    Paused,
    Disabled,
}

/// A webhook to create. WooCommerce ignores `status` on create (always active) and
/// generates an unreadable secret when none is sent, so the secret is required here.
#[derive(Debug, Clone)]
pub struct NewWebhook {
    /// Always sent: the default name uses PHP's deprecated `strftime`.
    pub name: String,
    /// e.g. `order.updated`.
    pub topic: String,
    pub delivery_url: String,
    /// Alphanumeric (WooCommerce HTML-decodes the secret before signing).
    pub secret: SecretString,
}

/// Changes to a webhook (PUT); `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct WebhookUpdate {
    pub status: Option<WebhookStatus>,
    pub delivery_url: Option<String>,
    pub secret: Option<SecretString>,
}

/// A webhook as the store describes it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Webhook {
    pub id: u64,
    pub status: WebhookStatus,
    pub topic: String,
    pub delivery_url: String,
}

/// The outcome of a delete that did not fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deleted {
    /// The store deleted it now.
    Removed,
    /// The store did not have it (any more): the goal is reached all the same.
    AlreadyGone,
}

/// The JSON body of a create; the secret is exposed only into the request body.
#[derive(Serialize)]
pub(crate) struct NewWebhookBody<'a> {
    name: &'a str,
    topic: &'a str,
    delivery_url: &'a str,
    secret: &'a str,
}

impl<'a> From<&'a NewWebhook> for NewWebhookBody<'a> {
    fn from(w: &'a NewWebhook) -> Self {
        NewWebhookBody {
            name: &w.name,
            topic: &w.topic,
            delivery_url: &w.delivery_url,
            secret: w.secret.expose_secret(),
        }
    }
}

#[derive(Serialize)]
pub(crate) struct WebhookUpdateBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<WebhookStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    delivery_url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<&'a str>,
}

impl<'a> From<&'a WebhookUpdate> for WebhookUpdateBody<'a> {
    fn from(u: &'a WebhookUpdate) -> Self {
        WebhookUpdateBody {
            status: u.status,
            delivery_url: u.delivery_url.as_deref(),
            secret: u.secret.as_ref().map(|s| s.expose_secret()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recorded_webhook_answer_parses() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/woocommerce-captures/rest/webhook_create_201.json"
        );
        let capture: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let hook: Webhook = serde_json::from_value(capture["response_body"].clone()).unwrap();
        assert_eq!(
            hook,
            Webhook {
                id: 12,
                status: WebhookStatus::Active,
                topic: "order.updated".into(),
                delivery_url: "http://127.0.0.1:9911/hook/main".into()
            }
        );
    }

    #[test]
    fn update_body_sends_only_what_changes_and_debug_hides_secrets() {
        let update = WebhookUpdate {
            status: Some(WebhookStatus::Paused),
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_string(&WebhookUpdateBody::from(&update)).unwrap(),
            r#"{"status":"paused"}"#
        );
        let new = NewWebhook {
            name: "Tally".into(),
            topic: "order.updated".into(),
            delivery_url: "https://tally.example/webhooks/woocommerce/x".into(),
            secret: SecretString::from("abcSECRET123"),
        };
        let body = serde_json::to_value(NewWebhookBody::from(&new)).unwrap();
        assert_eq!(body["secret"], "abcSECRET123");
        assert!(!format!("{new:?}").contains("abcSECRET123"));
    }
}
