//! A connected WooCommerce store in a test database, and signed deliveries to it.

use database::catalog::{self, Card, NewCard};
use database::integrations::{self, NewIntegration};
use database::partners::{self, NewPartner};
use database::{pool, wallets};
use identity::{KeyRing, SecretKey};
use ledger::{Currency, EarnRule, EarnRuleParams, Rounding};
use tally::usecases::secrets::{integration_aad, IntegrationSecret};

use super::{TestServer, TEST_APP_SECRET_KEY};

/// The key ring the test server runs with.
pub fn keys() -> KeyRing {
    KeyRing::new(SecretKey::from_base64(TEST_APP_SECRET_KEY).unwrap(), None)
}

/// A partner with a USD card (1 point per 1.00, rounded down, welcome bonus 50) connected
/// to a store through an integration whose webhook secret is `secret`.
#[derive(Debug, Clone)]
pub struct Store {
    pub partner_id: i64,
    pub club_id: i64,
    pub card: Card,
    pub integration_id: i64,
    pub public_id: String,
    pub secret: String,
}

impl Store {
    pub async fn connect(server: &TestServer, secret: &str) -> Store {
        Self::connect_in(&server.db, secret, "Corner Café").await
    }

    pub async fn connect_in(
        db: &database::testing::TestDatabase,
        secret: &str,
        business: &str,
    ) -> Store {
        Self::connect_as(
            db,
            secret,
            business,
            "https://shop.test",
            ("ck_test", "cs_test"),
        )
        .await
    }

    /// A store at `store_url` whose REST API takes `credentials`.
    pub async fn connect_to(
        db: &database::testing::TestDatabase,
        secret: &str,
        store_url: &str,
        credentials: (&str, &str),
    ) -> Store {
        Self::connect_as(db, secret, "Corner Café", store_url, credentials).await
    }

    async fn connect_as(
        db: &database::testing::TestDatabase,
        secret: &str,
        business: &str,
        store_url: &str,
        credentials: (&str, &str),
    ) -> Store {
        let now = time::OffsetDateTime::now_utc();
        let mut conn = pool::get(db.pool()).await.unwrap();
        let owner = format!("owner{}@shop.test", rand_suffix().to_lowercase());
        let (partner, _) = partners::create_with_owner(
            &mut conn,
            &NewPartner {
                name: business,
                business_email: &owner,
                timezone: "UTC",
                owner_email: &owner,
                owner_email_normalized: &owner,
                owner_name: "",
                now,
            },
        )
        .await
        .unwrap();
        let club = catalog::find_or_create_club(&mut conn, partner.id, "Club", now)
            .await
            .unwrap();
        let rule = EarnRule::new(EarnRuleParams {
            currency: Currency::parse("USD").unwrap(),
            points_per_unit: 1,
            unit_amount: 1.into(),
            rounding: Rounding::Down,
            min_purchase_amount: 0.into(),
            min_points_per_purchase: 0,
            max_points_per_purchase: None,
            welcome_bonus_points: 50,
        })
        .unwrap();
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
        .unwrap();
        let public_id = format!("pub{}", rand_suffix());
        let keys = keys();
        let seal = |which, text: &str| {
            keys.encrypt_str(text, &integration_aad(&public_id, which))
                .unwrap()
        };
        let integration = integrations::create(
            &mut conn,
            &NewIntegration {
                partner_id: partner.id,
                public_id: &public_id,
                club_id: club.id,
                card_id: card.id,
                store_url,
                consumer_key_enc: &seal(IntegrationSecret::ConsumerKey, credentials.0),
                consumer_secret_enc: &seal(IntegrationSecret::ConsumerSecret, credentials.1),
                webhook_secret_enc: &seal(IntegrationSecret::WebhookSecret, secret),
                now,
            },
        )
        .await
        .unwrap();
        Store {
            partner_id: partner.id,
            club_id: club.id,
            card,
            integration_id: integration.id,
            public_id,
            secret: secret.into(),
        }
    }

    pub fn path(&self) -> String {
        format!("/webhooks/woocommerce/{}", self.public_id)
    }

    /// The member's balance on this store's card (None without a wallet).
    pub async fn balance(&self, server: &TestServer, email: &str) -> Option<i64> {
        self.balance_in(&server.db, email).await
    }

    pub async fn balance_in(
        &self,
        db: &database::testing::TestDatabase,
        email: &str,
    ) -> Option<i64> {
        let mut conn = pool::get(db.pool()).await.unwrap();
        let member = database::members::find_by_email(&mut conn, email)
            .await
            .unwrap()?;
        wallets::find(&mut conn, self.partner_id, self.card.id, member.id)
            .await
            .unwrap()
            .map(|w| w.balance)
    }

    /// Changes the integration's settings.
    pub async fn set(&self, server: &TestServer, change: impl FnOnce(&mut integrations::Settings)) {
        let mut conn = pool::get(server.db.pool()).await.unwrap();
        let (_, mut settings) = integrations::find(&mut conn, self.partner_id, self.integration_id)
            .await
            .unwrap()
            .unwrap();
        change(&mut settings);
        integrations::update_settings(&mut conn, self.partner_id, self.integration_id, &settings)
            .await
            .unwrap();
    }

    pub async fn receipts(&self, server: &TestServer) -> Vec<database::receipts::Receipt> {
        let mut conn = pool::get(server.db.pool()).await.unwrap();
        database::receipts::recent(
            &mut conn,
            self.partner_id,
            self.integration_id,
            None,
            None,
            1000,
        )
        .await
        .unwrap()
    }
}

fn rand_suffix() -> String {
    identity::generate_token("")
        .map(|t| {
            secrecy::ExposeSecret::expose_secret(&t)
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .take(16)
                .collect()
        })
        .unwrap()
}

/// An order as WooCommerce sends it (the fields Tally reads, and a few it does not).
pub fn order_json(
    id: i64,
    status: &str,
    total: &str,
    email: Option<&str>,
    refunds: &[(i64, &str)],
) -> String {
    serde_json::json!({
        "id": id,
        "parent_id": 0,
        "number": id.to_string(),
        "status": status,
        "currency": "USD",
        "total": total,
        "customer_id": 0,
        "billing": {"first_name": "Ann", "last_name": "Archer", "email": email.unwrap_or(""), "phone": ""},
        "refunds": refunds.iter().map(|(rid, t)| serde_json::json!({"id": rid, "reason": "", "total": t})).collect::<Vec<_>>(),
        "date_modified_gmt": "2026-11-23T12:00:00",
        "line_items": [{"id": 1, "name": "Coffee", "quantity": 1, "price": 3}],
    })
    .to_string()
}

/// POSTs `body` as WooCommerce would, signed with `secret`.
pub async fn deliver(
    server: &TestServer,
    store: &Store,
    body: &str,
    secret: &str,
) -> reqwest::Response {
    let signature = webhook::sign(secret.as_bytes(), body.as_bytes());
    server
        .client
        .post(server.url(&store.path()))
        .header("content-type", "application/json")
        .header("user-agent", "WooCommerce/8.9.1 Hookshot (WordPress/6.5.3)")
        .header("x-wc-webhook-source", "https://shop.test/")
        .header("x-wc-webhook-topic", "order.updated")
        .header("x-wc-webhook-resource", "order")
        .header("x-wc-webhook-event", "updated")
        .header("x-wc-webhook-signature", signature)
        .header("x-wc-webhook-id", "12")
        .header(
            "x-wc-webhook-delivery-id",
            "736613e554af3f08c40b27952431da40",
        )
        .body(body.to_owned())
        .send()
        .await
        .unwrap()
}

/// Holds order `order_id`'s lock in an open transaction, as a delivery mid-transaction
/// would, until the returned sender fires (or is dropped).
pub async fn hold_order_lock(
    server: &TestServer,
    store: &Store,
    order_id: &str,
) -> (
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<Result<(), database::DbError>>,
) {
    let pool = server.db.pool().clone();
    let (partner_id, integration_id) = (store.partner_id, store.integration_id);
    let order_id = order_id.to_owned();
    let (locked_tx, locked_rx) = tokio::sync::oneshot::channel();
    let (release_tx, release_rx) = tokio::sync::oneshot::channel::<()>();
    let holder = tokio::spawn(async move {
        database::transaction(&pool, |conn| {
            use database::ScopedFutureExt;
            async move {
                database::awards::lock_order(conn, partner_id, integration_id, &order_id).await?;
                let _ = locked_tx.send(());
                let _ = release_rx.await;
                Ok::<_, database::DbError>(())
            }
            .scope_boxed()
        })
        .await
    });
    locked_rx.await.unwrap();
    (release_tx, holder)
}
