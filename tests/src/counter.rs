//! A shop counter in a test: a dev server (emails in `/dev/mailbox`), a partner whose USD
//! card is linked to a store (so online orders can be delivered too), an API token, and
//! helpers for cards with other rules and tiers, purchases through the API and the
//! wallets and entries they leave.

use database::catalog::{self, NewCard};
use database::posting::{self, Entry};
use database::wallets::{self, Wallet};
use database::{members, pool};
use ledger::{Currency, EarnRule, EarnRuleParams, Rounding, Tier};
use serde_json::Value;

use super::woo::Store;
use super::{api_token, TestServer};

/// The webhook secret of the linked store.
pub const SECRET: &str = "s3cretAlphanumeric42";

/// A partner at the counter.
#[derive(Debug)]
pub struct Counter {
    pub server: TestServer,
    /// The partner, its USD card (1 point per 1.00, rounded down, welcome bonus 50) and
    /// the store linked to it.
    pub store: Store,
    pub token: String,
}

/// Rules in USD: `points_per_unit` per 1.00, `rounding`, nothing else.
pub fn usd(rounding: Rounding) -> EarnRuleParams {
    EarnRuleParams {
        currency: Currency::parse("USD").unwrap(),
        points_per_unit: 1,
        unit_amount: 1.into(),
        rounding,
        min_purchase_amount: 0.into(),
        min_points_per_purchase: 0,
        max_points_per_purchase: None,
        welcome_bonus_points: 0,
    }
}

/// A dev server with the WooCommerce feature on, and the partner.
pub async fn counter() -> Counter {
    let server = TestServer::start_with(&[
        ("TALLY_ENV", "dev"),
        ("SMTP_URL", ""),
        ("FEATURE_WOOCOMMERCE", "true"),
    ])
    .await;
    let store = Store::connect(&server, SECRET).await;
    let token = api_token(&server, store.partner_id).await;
    Counter {
        server,
        store,
        token,
    }
}

/// A fresh Idempotency-Key.
pub fn fresh_key() -> String {
    use secrecy::ExposeSecret;
    identity::generate_token("k_")
        .unwrap()
        .expose_secret()
        .to_owned()
}

impl Counter {
    /// The partner's id.
    pub fn partner_id(&self) -> i64 {
        self.store.partner_id
    }

    /// The linked store's card.
    pub fn card_id(&self) -> i64 {
        self.store.card.id
    }

    /// A new active card with `params` and `tiers` (name, threshold, multiplier).
    pub async fn card(
        &self,
        name: &str,
        params: EarnRuleParams,
        tiers: &[(&str, i64, &str)],
    ) -> i64 {
        let now = time::OffsetDateTime::now_utc();
        let mut conn = pool::get(self.server.db.pool()).await.unwrap();
        let rule = EarnRule::new(params).unwrap();
        let card = catalog::create_card(
            &mut conn,
            &NewCard {
                partner_id: self.partner_id(),
                club_id: self.store.club_id,
                name,
                rule: &rule,
                now,
            },
        )
        .await
        .unwrap();
        for (name, threshold, multiplier) in tiers {
            self.add_tier(card.id, name, *threshold, multiplier).await;
        }
        card.id
    }

    /// Adds a tier to `card_id`.
    pub async fn add_tier(&self, card_id: i64, name: &str, threshold: i64, multiplier: &str) {
        let mut conn = pool::get(self.server.db.pool()).await.unwrap();
        let tier = Tier::new(
            name,
            ledger::Points::new(threshold),
            multiplier.parse().unwrap(),
        )
        .unwrap();
        catalog::add_tier(&mut conn, self.partner_id(), card_id, &tier)
            .await
            .unwrap();
    }

    /// `POST /api/v1/cards/{card_id}/purchases` with `body` and, when given, the key.
    pub async fn purchase(&self, card_id: i64, body: &Value, key: Option<&str>) -> (u16, Value) {
        let path = format!("/api/v1/cards/{card_id}/purchases");
        let mut req = self
            .server
            .client
            .post(self.server.url(&path))
            .bearer_auth(&self.token)
            .json(body);
        if let Some(key) = key {
            req = req.header("Idempotency-Key", key);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let text = res.text().await.unwrap();
        let json = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, json)
    }

    /// A purchase of `amount` for `email` on `card_id` with a fresh key; asserts 201.
    pub async fn buy(&self, card_id: i64, email: &str, amount: &str) -> Value {
        let body = serde_json::json!({"member_email": email, "amount": amount});
        let (status, json) = self.purchase(card_id, &body, Some(&fresh_key())).await;
        assert_eq!(status, 201, "{amount} for {email}: {json}");
        json
    }

    /// The member's wallet on `card_id`.
    pub async fn wallet(&self, card_id: i64, email: &str) -> Option<Wallet> {
        let mut conn = pool::get(self.server.db.pool()).await.unwrap();
        let member = members::find_by_email(&mut conn, &email.to_lowercase())
            .await
            .unwrap()?;
        wallets::find(&mut conn, self.partner_id(), card_id, member.id)
            .await
            .unwrap()
    }

    /// The wallet's entries, oldest first.
    pub async fn entries(&self, card_id: i64, email: &str) -> Vec<Entry> {
        let Some(wallet) = self.wallet(card_id, email).await else {
            return Vec::new();
        };
        let mut conn = pool::get(self.server.db.pool()).await.unwrap();
        let mut entries = posting::entries_of_wallet(&mut conn, self.partner_id(), wallet.id, 1000)
            .await
            .unwrap();
        entries.reverse();
        entries
    }

    /// The queued emails to `to`, newest first.
    pub async fn emails_to(&self, to: &str) -> Vec<database::outbox::OutboxEmail> {
        let mut conn = pool::get(self.server.db.pool()).await.unwrap();
        database::outbox::recent(&mut conn, 500)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.to_address.eq_ignore_ascii_case(to))
            .collect()
    }
}
