//! The benchmark's store: a partner with a USD card (1 point per 1.00, rounded down,
//! welcome bonus 50) connected through an integration whose webhook secret is
//! [`crate::WEBHOOK_SECRET`], sealed with the server's key as `tally connect` seals it.

use anyhow::Context;
use database::catalog::{self, NewCard};
use database::integrations::{self, NewIntegration};
use database::partners::{self, NewPartner};
use ledger::{Currency, EarnRule, EarnRuleParams, Rounding};
use tally::usecases::secrets::{integration_aad, IntegrationSecret};

/// What the load generator and the checks need to know about the store.
#[derive(Debug, Clone)]
pub struct Store {
    pub partner_id: i64,
    pub card_id: i64,
    pub integration_id: i64,
    pub public_id: String,
}

impl Store {
    /// The delivery URL path of the store's webhook.
    pub fn path(&self) -> String {
        format!("/webhooks/woocommerce/{}", self.public_id)
    }
}

/// Creates the partner, club, card and integration directly through `database`.
pub async fn connect(pool: &database::Pool) -> anyhow::Result<Store> {
    let now = time::OffsetDateTime::now_utc();
    let mut conn = database::pool::get(pool).await?;
    let owner = "owner@bench.test";
    let (partner, _) = partners::create_with_owner(
        &mut conn,
        &NewPartner {
            name: "Bench Café",
            business_email: owner,
            timezone: "UTC",
            owner_email: owner,
            owner_email_normalized: owner,
            owner_name: "",
            now,
        },
    )
    .await
    .context("creating the partner")?;
    let club = catalog::find_or_create_club(&mut conn, partner.id, "Club", now).await?;
    let rule = EarnRule::new(EarnRuleParams {
        currency: Currency::parse("USD")?,
        points_per_unit: 1,
        unit_amount: 1.into(),
        rounding: Rounding::Down,
        min_purchase_amount: 0.into(),
        min_points_per_purchase: 0,
        max_points_per_purchase: None,
        welcome_bonus_points: crate::orders::WELCOME_BONUS,
    })?;
    let card = catalog::create_card(
        &mut conn,
        &NewCard {
            partner_id: partner.id,
            club_id: club.id,
            name: "Coffee Card",
            rule: &rule,
            now,
        },
    )
    .await
    .context("creating the card")?;
    let public_id = "benchStore0000000001".to_string();
    let keys = crate::keys()?;
    let seal = |which, text: &str| {
        keys.encrypt_str(text, &integration_aad(&public_id, which))
            .map_err(|e| anyhow::anyhow!("sealing a store secret: {e}"))
    };
    let integration = integrations::create(
        &mut conn,
        &NewIntegration {
            partner_id: partner.id,
            public_id: &public_id,
            club_id: club.id,
            card_id: card.id,
            // Reconciliation (every RECONCILE_INTERVAL) fails fast on this address and
            // changes nothing the benchmark measures.
            store_url: "https://store.invalid",
            consumer_key_enc: &seal(IntegrationSecret::ConsumerKey, "ck_bench")?,
            consumer_secret_enc: &seal(IntegrationSecret::ConsumerSecret, "cs_bench")?,
            webhook_secret_enc: &seal(IntegrationSecret::WebhookSecret, crate::WEBHOOK_SECRET)?,
            now,
        },
    )
    .await
    .context("creating the integration")?;
    Ok(Store {
        partner_id: partner.id,
        card_id: card.id,
        integration_id: integration.id,
        public_id,
    })
}
