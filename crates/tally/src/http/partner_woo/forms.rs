//! What the WooCommerce pages' forms and queries carry. Every field has a default, so a
//! malformed submission reaches the handler (and its feature check) instead of a 400.

use serde::Deserialize;

/// A button that changes state: the CSRF token and the form's idempotency key.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ActionForm {
    pub csrf: String,
    pub idem: String,
    /// The "I understand" checkbox of the disconnect confirmation.
    pub confirm: Option<String>,
}

/// The connect form (SPEC §3.2).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ConnectFields {
    pub csrf: String,
    pub idem: String,
    pub card_id: String,
    pub store_url: String,
    pub consumer_key: String,
    pub consumer_secret: String,
}

/// The Settings form (SPEC §3.5); an unticked checkbox is absent.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SettingsFields {
    pub csrf: String,
    pub idem: String,
    pub award_on: String,
    pub partial_refunds: String,
    pub email_language: String,
    pub discount_enabled: Option<String>,
    pub value_per_point: String,
    pub min_points: String,
    pub max_points: String,
    pub code_prefix: String,
    pub valid_days: String,
}

/// `?done=` after a successful POST, `?order=` for "why did this order earn points?".
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct OverviewQuery {
    pub done: Option<String>,
    pub order: Option<String>,
}

/// `?before=<receipt id>&outcome=<outcome>` on the Activity tab.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ActivityQuery {
    pub before: Option<String>,
    pub outcome: Option<String>,
    pub done: Option<String>,
}

/// What a `?done=` code says.
pub fn done_message(code: &str) -> Option<&'static str> {
    Some(match code {
        "connected" => "The store is connected.",
        "paused" => "Paused: deliveries are still received but skipped, and redemption is hidden, until you resume.",
        "resumed" => "Resumed: new orders earn points again. Orders placed while paused are not back-filled.",
        "saved" => "Settings saved.",
        "health" => "The webhook was checked on the store.",
        "reactivated" => "The webhook is active again. WooCommerce keeps its failure count: one more failed delivery disables it again.",
        "check" => "Checking the store for missed orders from the last 7 days. Reload this page to see the progress.",
        _ => return None,
    })
}
