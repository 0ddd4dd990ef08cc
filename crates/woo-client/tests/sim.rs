//! The real client over real HTTPS against the WooCommerce simulator: one test per hint
//! a partner can get, and the calls Tally makes.

use std::time::Duration;

use secrecy::SecretString;
use woo_client::{
    ClientConfig, ClientError, Credentials, Deleted, NewWebhook, OrderQuery, StoreUrl,
    WebhookStatus, WebhookUpdate, WooApi, WooClient,
};
use woo_sim::{Sim, SimOptions};

/// Coupons: creation, lookup, meta and the simulator's coupon fault knobs.
#[path = "sim/coupons.rs"]
mod coupons;

struct Store {
    sim: Sim,
    url: StoreUrl,
    client: WooClient,
}

impl Store {
    async fn start() -> Store {
        let sim = Sim::start(SimOptions::default())
            .await
            .expect("woo-sim starts");
        let url = StoreUrl::parse(&sim.base_url()).unwrap();
        let client = WooClient::new(&trusting(&sim)).unwrap();
        Store { sim, url, client }
    }

    fn read_write(&self) -> Credentials {
        let (ck, cs) = self.sim.read_write_key();
        Credentials::new(ck, cs)
    }

    fn read_only(&self) -> Credentials {
        let (ck, cs) = self.sim.read_only_key();
        Credentials::new(ck, cs)
    }

    /// Creates an order through the REST API (the client itself never writes orders).
    async fn create_order(&self, email: &str) -> u64 {
        let (ck, cs) = self.sim.read_write_key();
        let http = reqwest::Client::builder()
            .add_root_certificate(
                reqwest::Certificate::from_pem(self.sim.ca_cert_pem().as_bytes()).unwrap(),
            )
            .build()
            .unwrap();
        let order: serde_json::Value = http
            .post(self.url.api_url("orders"))
            .basic_auth(ck, Some(cs))
            .json(&serde_json::json!({
                "status": "processing",
                "billing": {"email": email},
                "line_items": [{"name": "Mug", "quantity": 2, "total": "19.50"}],
            }))
            .send()
            .await
            .unwrap()
            .error_for_status()
            .unwrap()
            .json()
            .await
            .unwrap();
        order["id"].as_u64().unwrap()
    }
}

fn trusting(sim: &Sim) -> ClientConfig {
    ClientConfig {
        extra_ca_pem: Some(sim.ca_cert_pem().as_bytes().to_vec()),
        allow_private_networks: true,
        ..ClientConfig::default()
    }
}

fn new_webhook(secret: &str) -> NewWebhook {
    NewWebhook {
        name: "Tally".into(),
        topic: "order.updated".into(),
        delivery_url: "https://127.0.0.1:9/webhooks/woocommerce/abc123".into(),
        secret: SecretString::from(secret),
    }
}

#[tokio::test]
async fn system_status_gives_currency_version_and_decimals() {
    let store = Store::start().await;
    let info = store
        .client
        .system_status(&store.url, &store.read_write())
        .await
        .unwrap();
    assert_eq!(info.currency, "USD");
    assert_eq!(info.decimals, Some(2));
    assert!(info.woocommerce_version.is_some());
    // A read-only key may read.
    assert_eq!(
        store
            .client
            .system_status(&store.url, &store.read_only())
            .await
            .unwrap(),
        info
    );
    store.sim.shutdown().await;
}

#[tokio::test]
async fn wrong_key_or_secret_is_wrong_credentials() {
    let store = Store::start().await;
    let unknown = Credentials::new(
        "ck_1111111111111111111111111111111111111111",
        "cs_2222222222222222222222222222222222222222",
    );
    let err = store
        .client
        .system_status(&store.url, &unknown)
        .await
        .unwrap_err();
    assert_eq!(err, ClientError::WrongCredentials);
    assert!(err.hint().starts_with("Wrong key"));
    let (ck, _) = store.sim.read_write_key();
    let wrong_secret = Credentials::new(ck, "cs_2222222222222222222222222222222222222222");
    assert_eq!(
        store.client.system_status(&store.url, &wrong_secret).await,
        Err(ClientError::WrongCredentials)
    );
    store.sim.shutdown().await;
}

#[tokio::test]
async fn read_only_key_creating_a_webhook_is_read_only_key() {
    let store = Store::start().await;
    let err = store
        .client
        .create_webhook(&store.url, &store.read_only(), &new_webhook("abc123"))
        .await
        .unwrap_err();
    assert_eq!(err, ClientError::ReadOnlyKey);
    assert!(err.is_definite_refusal());
    assert!(store.sim.webhooks().is_empty());
    store.sim.shutdown().await;
}

#[tokio::test]
async fn a_certificate_not_trusted_is_a_certificate_problem() {
    let store = Store::start().await;
    let config = ClientConfig {
        allow_private_networks: true,
        ..ClientConfig::default()
    };
    let untrusting = WooClient::new(&config).unwrap();
    let err = untrusting
        .system_status(&store.url, &store.read_write())
        .await
        .unwrap_err();
    match &err {
        // rustls's own words, found in reqwest's error chain.
        ClientError::Certificate(why) => assert!(why.contains("UnknownIssuer"), "{why}"),
        other => panic!("{other:?}"),
    }
    assert!(err.hint().starts_with("Certificate problem"));
    assert!(err.request_not_sent());
    store.sim.shutdown().await;
}

#[tokio::test]
async fn the_simulator_on_loopback_is_refused_unless_private_networks_are_allowed() {
    let store = Store::start().await;
    let config = ClientConfig {
        allow_private_networks: false,
        ..trusting(&store.sim)
    };
    let strict = WooClient::new(&config).unwrap();
    // The literal 127.0.0.1 …
    assert_eq!(
        strict.system_status(&store.url, &store.read_write()).await,
        Err(ClientError::PrivateAddress)
    );
    // … and a name resolving to it, refused inside the resolver.
    let port = store.url.as_str().rsplit(':').next().unwrap();
    let by_name = StoreUrl::parse(&format!("https://localhost:{port}")).unwrap();
    assert_eq!(
        strict.system_status(&by_name, &store.read_write()).await,
        Err(ClientError::PrivateAddress)
    );
    store.sim.shutdown().await;
}

#[tokio::test]
async fn a_store_without_the_rest_route_is_rest_api_missing() {
    let store = Store::start().await;
    // A sub-folder the store does not serve its REST API under: 404 `rest_no_route`.
    let wrong_folder = StoreUrl::parse(&format!("{}/shop", store.url)).unwrap();
    let err = store
        .client
        .system_status(&wrong_folder, &store.read_write())
        .await
        .unwrap_err();
    assert_eq!(err, ClientError::RestApiMissing);
    assert!(err
        .hint()
        .starts_with("REST API missing or permalinks set to Plain"));
    store.sim.shutdown().await;
}

#[tokio::test]
async fn a_slow_store_times_out() {
    let store = Store::start().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let holder = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let config = ClientConfig {
        timeout: Duration::from_millis(500),
        ..trusting(&store.sim)
    };
    let client = WooClient::new(&config).unwrap();
    let silent = StoreUrl::parse(&format!("https://127.0.0.1:{port}")).unwrap();
    let err = client
        .system_status(&silent, &store.read_write())
        .await
        .unwrap_err();
    assert_eq!(err, ClientError::Timeout);
    assert!(err.hint().starts_with("Timeout"));
    holder.abort();
    store.sim.shutdown().await;
}

#[tokio::test]
async fn webhook_create_get_update_delete_and_delete_again() {
    let store = Store::start().await;
    let creds = store.read_write();
    let created = store
        .client
        .create_webhook(&store.url, &creds, &new_webhook("Abc123secret"))
        .await
        .unwrap();
    assert_eq!(created.status, WebhookStatus::Active);
    assert_eq!(created.topic, "order.updated");
    assert_eq!(
        created.delivery_url,
        "https://127.0.0.1:9/webhooks/woocommerce/abc123"
    );
    let on_store = store.sim.webhooks();
    assert_eq!(on_store.len(), 1);
    assert_eq!(on_store[0].secret, "Abc123secret");

    assert_eq!(
        store
            .client
            .get_webhook(&store.url, &creds, created.id)
            .await
            .unwrap(),
        Some(created.clone())
    );

    let paused = store
        .client
        .update_webhook(
            &store.url,
            &creds,
            created.id,
            &WebhookUpdate {
                status: Some(WebhookStatus::Paused),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(paused.status, WebhookStatus::Paused);

    assert_eq!(
        store
            .client
            .delete_webhook(&store.url, &creds, created.id)
            .await,
        Ok(Deleted::Removed)
    );
    assert_eq!(
        store
            .client
            .delete_webhook(&store.url, &creds, created.id)
            .await,
        Ok(Deleted::AlreadyGone)
    );
    assert_eq!(
        store
            .client
            .get_webhook(&store.url, &creds, created.id)
            .await,
        Ok(None)
    );
    assert!(store.sim.webhooks().is_empty());
    store.sim.shutdown().await;
}

#[tokio::test]
async fn orders_are_listed_page_by_page_oldest_change_first() {
    let store = Store::start().await;
    let creds = store.read_write();
    let before = time::OffsetDateTime::now_utc() - time::Duration::minutes(5);
    let mut ids = Vec::new();
    for n in 0..5 {
        ids.push(store.create_order(&format!("buyer{n}@example.com")).await);
    }
    let mut seen = Vec::new();
    let mut page = 1;
    loop {
        let query = OrderQuery {
            modified_after: Some(before),
            page,
            per_page: 2,
        };
        let got = store
            .client
            .list_orders(&store.url, &creds, &query)
            .await
            .unwrap();
        assert_eq!(got.total, Some(5));
        assert_eq!(got.total_pages, Some(3));
        for order in &got.orders {
            let value = order.to_value();
            assert!(order.as_str().contains("\"line_items\""));
            seen.push(value["id"].as_u64().unwrap());
        }
        if !got.has_more(2) {
            break;
        }
        page += 1;
    }
    assert_eq!(page, 3);
    let mut sorted = seen.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, ids);

    let later = OrderQuery {
        modified_after: Some(time::OffsetDateTime::now_utc() + time::Duration::minutes(5)),
        page: 1,
        per_page: 100,
    };
    let none = store
        .client
        .list_orders(&store.url, &creds, &later)
        .await
        .unwrap();
    assert!(none.orders.is_empty());
    assert_eq!(none.total, Some(0));
    store.sim.shutdown().await;
}
