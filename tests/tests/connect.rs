//! Connecting a store (SPEC §3.2) against the simulator over HTTPS.

use database::activity::Actor;
use database::pool;
use tally::usecases::connect::{connect, ConnectError, ConnectForm, WebhookSetup};
use tests::woo::{keys, Store};
use woo_client::{ClientConfig, WooClient};
use woo_sim::{Sim, SimOptions};

async fn client(sim: &Sim) -> WooClient {
    WooClient::new(&ClientConfig {
        extra_ca_pem: Some(sim.ca_cert_pem().as_bytes().to_vec()),
        allow_private_networks: true,
        ..ClientConfig::default()
    })
    .unwrap()
}

fn form(card_id: i64, url: &str, (ck, cs): (String, String)) -> ConnectForm {
    ConnectForm {
        card_id,
        store_url: url.into(),
        consumer_key: ck,
        consumer_secret: cs,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connecting_registers_the_webhook_automatically_with_tallys_url_and_secret() {
    let db = database::testing::TestDatabase::new().await;
    let shop = Store::connect_in(&db, "unused", "Corner Café").await;
    let sim = Sim::start(SimOptions::default()).await.unwrap();
    let woo = client(&sim).await;
    let now = time::OffsetDateTime::now_utc();
    let url = format!(
        "{}/",
        sim.base_url()
            .to_uppercase()
            .replace("HTTPS://", "https://")
    );
    let connected = connect(
        db.pool(),
        &keys(),
        &woo,
        "https://loyalty.example",
        shop.partner_id,
        Actor::System,
        &form(shop.card.id, &url, sim.read_write_key()),
        now,
    )
    .await
    .unwrap();
    let WebhookSetup::Automatic { webhook_id } = connected.webhook else {
        panic!("{:?}", connected.webhook)
    };
    assert_eq!(
        connected.integration.store_url,
        sim.base_url(),
        "normalised: lower-case host, no trailing slash"
    );
    assert!(connected.currency_warning.is_none());
    let hooks = sim.webhooks();
    let hook = hooks.iter().find(|h| h.id == webhook_id).unwrap();
    assert_eq!(
        hook.delivery_url,
        format!(
            "https://loyalty.example/webhooks/woocommerce/{}",
            connected.integration.public_id
        )
    );
    assert_eq!(hook.topic, "order.updated");
    assert!(hook.secret.chars().all(|c| c.is_ascii_alphanumeric()) && hook.secret.len() >= 32);
    let mut conn = pool::get(db.pool()).await.unwrap();
    let (stored, _) =
        database::integrations::find(&mut conn, shop.partner_id, connected.integration.id)
            .await
            .unwrap()
            .unwrap();
    let aad = tally::usecases::secrets::integration_aad(
        &stored.public_id,
        tally::usecases::secrets::IntegrationSecret::WebhookSecret,
    );
    let secret = keys()
        .decrypt_string(stored.webhook_secret_enc.as_ref().unwrap(), &aad)
        .unwrap();
    assert_eq!(
        secrecy::ExposeSecret::expose_secret(&secret),
        hook.secret,
        "the stored secret is the one the store signs with"
    );
    assert_eq!(stored.webhook_mode.as_deref(), Some("automatic"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_key_connects_in_manual_mode_with_the_stores_reason() {
    let db = database::testing::TestDatabase::new().await;
    let shop = Store::connect_in(&db, "unused", "Corner Café").await;
    let sim = Sim::start(SimOptions::default()).await.unwrap();
    let connected = connect(
        db.pool(),
        &keys(),
        &client(&sim).await,
        "https://loyalty.example",
        shop.partner_id,
        Actor::System,
        &form(shop.card.id, &sim.base_url(), sim.read_only_key()),
        time::OffsetDateTime::now_utc(),
    )
    .await
    .unwrap();
    match connected.webhook {
        WebhookSetup::Manual { reason } => assert!(
            reason.contains("write permissions") || reason.contains("read-only"),
            "{reason}"
        ),
        other => panic!("expected manual mode, got {other:?}"),
    }
    assert!(sim.webhooks().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_explain_themselves_and_a_currency_mismatch_warns() {
    let db = database::testing::TestDatabase::new().await;
    let shop = Store::connect_in(&db, "unused", "Corner Café").await;
    let sim = Sim::start(SimOptions {
        currency: "EUR".into(),
        ..SimOptions::default()
    })
    .await
    .unwrap();
    let woo = client(&sim).await;
    let now = time::OffsetDateTime::now_utc();
    let http = connect(
        db.pool(),
        &keys(),
        &woo,
        "https://x.example",
        shop.partner_id,
        Actor::System,
        &form(shop.card.id, "http://shop.example", sim.read_write_key()),
        now,
    )
    .await;
    assert_eq!(http.unwrap_err().to_string(), "Store URL must use HTTPS");
    let wrong = connect(
        db.pool(),
        &keys(),
        &woo,
        "https://x.example",
        shop.partner_id,
        Actor::System,
        &form(
            shop.card.id,
            &sim.base_url(),
            ("ck_wrong".into(), "cs_wrong".into()),
        ),
        now,
    )
    .await;
    let message = wrong.unwrap_err().to_string();
    assert!(
        message.starts_with("Could not connect to the WooCommerce store"),
        "{message}"
    );
    let ok = connect(
        db.pool(),
        &keys(),
        &woo,
        "https://x.example",
        shop.partner_id,
        Actor::System,
        &form(shop.card.id, &sim.base_url(), sim.read_write_key()),
        now,
    )
    .await
    .unwrap();
    assert!(ok.currency_warning.unwrap().contains("EUR"));
    let again = connect(
        db.pool(),
        &keys(),
        &woo,
        "https://x.example",
        shop.partner_id,
        Actor::System,
        &form(shop.card.id, &sim.base_url(), sim.read_write_key()),
        now,
    )
    .await;
    assert!(matches!(again, Err(ConnectError::AlreadyConnected)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconnecting_a_disconnected_store_revives_the_same_integration() {
    let db = database::testing::TestDatabase::new().await;
    let shop = Store::connect_in(&db, "unused", "Corner Café").await;
    let sim = Sim::start(SimOptions::default()).await.unwrap();
    let woo = client(&sim).await;
    let now = time::OffsetDateTime::now_utc();
    let first = connect(
        db.pool(),
        &keys(),
        &woo,
        "https://x.example",
        shop.partner_id,
        Actor::System,
        &form(shop.card.id, &sim.base_url(), sim.read_write_key()),
        now,
    )
    .await
    .unwrap();
    let mut conn = pool::get(db.pool()).await.unwrap();
    database::integrations::set_status(
        &mut conn,
        shop.partner_id,
        first.integration.id,
        "disconnected",
        now,
    )
    .await
    .unwrap();
    let second = connect(
        db.pool(),
        &keys(),
        &woo,
        "https://x.example",
        shop.partner_id,
        Actor::System,
        &form(shop.card.id, &sim.base_url(), sim.read_write_key()),
        now,
    )
    .await
    .unwrap();
    assert!(second.revived);
    assert_eq!(second.integration.id, first.integration.id);
    assert_eq!(
        second.integration.public_id, first.integration.public_id,
        "the delivery URL stays the same"
    );
}
