//! What the Overview tab (and `GET /api/v1/integrations/woocommerce/{id}`) shows, and the
//! answer to "why did this order earn (or not earn) points?".

use std::net::IpAddr;

use database::integrations::{Integration, Settings};
use database::posting::Entry;
use database::receipts::{self, Counts, Receipt};
use database::reconcile::{self, Run};
use database::DbError;
use identity::KeyRing;
use secrecy::ExposeSecret;
use time::{Duration, OffsetDateTime};

use crate::usecases::connect::delivery_url;
use crate::usecases::secrets::{integration_aad, IntegrationSecret};

/// The Overview of one integration.
#[derive(Debug)]
pub struct Overview {
    pub integration: Integration,
    pub settings: Settings,
    pub delivery_url: String,
    /// Shown only in manual mode, where the partner types it into WooCommerce.
    pub manual_secret: Option<String>,
    pub manual_reason: Option<String>,
    pub health: String,
    pub health_checked_at: Option<OffsetDateTime>,
    pub counts_24h: Counts,
    pub last_failure: Option<(OffsetDateTime, String, &'static str)>,
    pub public_url_warning: Option<String>,
    pub currency_warning: Option<String>,
    pub latest_check: Option<Run>,
}

/// Why a store could not deliver to `PUBLIC_BASE_URL` (WordPress refuses loopback,
/// private addresses and ports other than 80, 443 and 8080).
pub fn public_url_warning(public_base_url: &str) -> Option<String> {
    let rest = public_base_url
        .split_once("://")
        .map(|(_, r)| r)
        .unwrap_or(public_base_url);
    let authority = rest.split('/').next().unwrap_or(rest);
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || authority.starts_with('[') => {
            (h, p.parse::<u16>().ok())
        }
        _ => (authority, None),
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let port = port.unwrap_or(if public_base_url.starts_with("https") {
        443
    } else {
        80
    });
    let private = host == "localhost"
        || host.ends_with(".localhost")
        || host
            .parse::<IpAddr>()
            .is_ok_and(|ip| !woo_client::is_public(ip));
    if private {
        Some(format!("Stores cannot deliver to {public_base_url}: it is a local or private address. Set PUBLIC_BASE_URL to an address the store can reach."))
    } else if ![80, 443, 8080].contains(&port) {
        Some(format!("Stores cannot deliver to {public_base_url}: WooCommerce only delivers to ports 80, 443 and 8080."))
    } else {
        None
    }
}

/// The hint for a failed receipt.
fn hint_for(reason: &str) -> &'static str {
    if reason.starts_with("Signature") {
        "The webhook secret in WooCommerce does not match: recreate the webhook with the secret shown here."
    } else if reason.contains("error instead of the order") {
        "The API key's WordPress user lost its rights: give it the Shop manager role, or connect again with a new key."
    } else if reason.contains("larger than 1 MiB") {
        "An unusually large order; check plugins that add data to orders."
    } else {
        "If this keeps happening, use “Check for missed orders”."
    }
}

pub async fn overview(
    pool: &database::Pool,
    keys: &KeyRing,
    public_base_url: &str,
    integration: Integration,
    settings: Settings,
    now: OffsetDateTime,
) -> Result<Overview, DbError> {
    let mut conn = database::pool::get(pool).await?;
    let counts_24h = receipts::counts_since(
        &mut conn,
        integration.partner_id,
        integration.id,
        now - Duration::hours(24),
    )
    .await?;
    let last_failure = receipts::recent(
        &mut conn,
        integration.partner_id,
        integration.id,
        Some("failed"),
        None,
        1,
    )
    .await?
    .into_iter()
    .next()
    .map(|r| (r.received_at, r.reason.clone(), hint_for(&r.reason)));
    let (health, health_checked_at, refusal) =
        database::webhook_health::health(&mut conn, integration.partner_id, integration.id).await?;
    let latest_check =
        reconcile::latest_run(&mut conn, integration.partner_id, integration.id).await?;
    let card = database::catalog::find_card(&mut conn, integration.partner_id, integration.card_id)
        .await?;
    // No recorded mode (the webhook step never finished) is treated as manual.
    let manual = integration.webhook_mode.as_deref() != Some("automatic");
    let manual_secret = if manual {
        integration
            .webhook_secret_enc
            .as_deref()
            .and_then(|blob| {
                keys.decrypt_string(
                    blob,
                    &integration_aad(&integration.public_id, IntegrationSecret::WebhookSecret),
                )
                .ok()
            })
            .map(|s| s.expose_secret().to_owned())
    } else {
        None
    };
    let currency_warning = match (&integration.store_currency, &card) {
        (Some(store), Some(card)) if !store.eq_ignore_ascii_case(&card.currency) => Some(format!(
            "The store sells in {store} but the card counts in {}: orders in {store} are skipped.",
            card.currency
        )),
        _ => None,
    };
    Ok(Overview {
        delivery_url: delivery_url(public_base_url, &integration.public_id),
        manual_secret,
        manual_reason: if manual { refusal } else { None },
        health,
        health_checked_at,
        counts_24h,
        last_failure,
        public_url_warning: public_url_warning(public_base_url),
        currency_warning,
        latest_check,
        integration,
        settings,
    })
}

/// Why an order earned (or did not earn) points: its receipts and the entries it made,
/// each with the rule breakdown stored with it.
#[derive(Debug)]
pub struct Explanation {
    pub receipts: Vec<Receipt>,
    pub entries: Vec<(Entry, Option<String>)>,
}

pub async fn explain_order(
    pool: &database::Pool,
    integration: &Integration,
    order_id: &str,
) -> Result<Explanation, DbError> {
    let mut conn = database::pool::get(pool).await?;
    let receipts =
        receipts::of_order(&mut conn, integration.partner_id, integration.id, order_id).await?;
    let entries = database::posting::entries_of_order(
        &mut conn,
        integration.partner_id,
        integration.id,
        order_id,
    )
    .await?
    .into_iter()
    .map(|e| {
        let why = e
            .rule
            .as_ref()
            .and_then(|r| serde_json::from_value::<ledger::Breakdown>(r.clone()).ok())
            .map(|b| b.explain());
        (e, why)
    })
    .collect();
    Ok(Explanation { receipts, entries })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreachable_public_addresses_are_explained() {
        assert!(public_url_warning("http://127.0.0.1:8080")
            .unwrap()
            .contains("local or private"));
        assert!(public_url_warning("http://localhost:8080").is_some());
        assert!(public_url_warning("https://192.168.1.5").is_some());
        assert!(public_url_warning("https://loyalty.example:8443")
            .unwrap()
            .contains("ports 80, 443 and 8080"));
        assert_eq!(public_url_warning("https://loyalty.example"), None);
        assert_eq!(public_url_warning("http://loyalty.example:8080"), None);
    }
}
