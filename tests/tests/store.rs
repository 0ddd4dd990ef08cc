//! Tally against the WooCommerce simulator over HTTPS: orders placed in the store turn
//! into points through the webhook, and reconciliation catches what a delivery missed —
//! once, however the two race.

use std::time::Duration;

use database::pool;
use tests::woo::Store;
use tests::TestServer;
use woo_client::{ClientConfig, Credentials, NewWebhook, StoreUrl, WooApi, WooClient};
use woo_sim::{Sim, SimOptions};

const SECRET: &str = "SimSecret0123456789abcdef";

struct World {
    server: TestServer,
    sim: Sim,
    store: Store,
    api: reqwest::Client,
}

async fn world(reconcile_interval: &str) -> World {
    let sim = Sim::start(SimOptions::default()).await.unwrap();
    let ca = sim.ca_cert_path().to_str().unwrap().to_owned();
    let server = TestServer::start_with(&[
        ("FEATURE_WOOCOMMERCE", "true"),
        ("WOO_ALLOW_PRIVATE_NETWORKS", "true"),
        ("WOO_EXTRA_CA_CERT", &ca),
        ("RECONCILE_INTERVAL", reconcile_interval),
    ])
    .await;
    let (ck, cs) = sim.read_write_key();
    let store = Store::connect_to(&server.db, SECRET, &sim.base_url(), (&ck, &cs)).await;
    // The webhook, as Tally registers it on a real store.
    let client = WooClient::new(&ClientConfig {
        extra_ca_pem: Some(sim.ca_cert_pem().as_bytes().to_vec()),
        allow_private_networks: true,
        ..ClientConfig::default()
    })
    .unwrap();
    client
        .create_webhook(
            &StoreUrl::parse(&sim.base_url()).unwrap(),
            &Credentials::new(ck, cs),
            &NewWebhook {
                name: "Tally".into(),
                topic: "order.updated".into(),
                delivery_url: server.url(&store.path()),
                secret: SECRET.into(),
            },
        )
        .await
        .unwrap();
    let api = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(sim.ca_cert_pem().as_bytes()).unwrap())
        .build()
        .unwrap();
    World {
        server,
        sim,
        store,
        api,
    }
}

impl World {
    /// Places an order through the store's REST API, as a checkout would.
    async fn place_order(&self, email: &str, total: &str, status: &str) -> i64 {
        let (ck, cs) = self.sim.read_write_key();
        let res = self
            .api
            .post(format!("{}/wp-json/wc/v3/orders", self.sim.base_url()))
            .basic_auth(ck, Some(cs))
            .json(&serde_json::json!({
                "status": status,
                "billing": {"first_name": "Sam", "last_name": "Shopper", "email": email},
                "line_items": [{"name": "Beans", "quantity": 1, "total": total}],
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
        res.json::<serde_json::Value>().await.unwrap()["id"]
            .as_i64()
            .unwrap()
    }

    async fn set_status(&self, id: i64, status: &str) {
        let (ck, cs) = self.sim.read_write_key();
        let res = self
            .api
            .put(format!("{}/wp-json/wc/v3/orders/{id}", self.sim.base_url()))
            .basic_auth(ck, Some(cs))
            .json(&serde_json::json!({ "status": status }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
    }

    async fn balance_within(
        &self,
        email: &str,
        want: Option<i64>,
        within: Duration,
    ) -> Option<i64> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let got = self.store.balance(&self.server, email).await;
            if got == want || tokio::time::Instant::now() > deadline {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_placed_in_the_store_puts_points_on_the_wallet() {
    let w = world("1h").await;
    let id = w
        .place_order("sam@example.com", "42.50", "processing")
        .await;
    assert!(w.sim.wait_idle(Duration::from_secs(10)).await);
    assert_eq!(
        w.balance_within("sam@example.com", Some(92), Duration::from_secs(5))
            .await,
        Some(92)
    );
    w.set_status(id, "completed").await;
    assert!(w.sim.wait_idle(Duration::from_secs(10)).await);
    assert_eq!(
        w.store.balance(&w.server, "sam@example.com").await,
        Some(92),
        "completing changes nothing"
    );
    let deliveries = w.sim.deliveries();
    assert!(
        deliveries.iter().any(|d| d.status == Some(200)),
        "the store saw 200s"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_delivery_is_awarded_by_reconciliation() {
    let w = world("1s").await;
    w.sim.faults().drop_next(1);
    w.place_order("lost@example.com", "20.00", "processing")
        .await;
    assert!(w.sim.wait_idle(Duration::from_secs(10)).await);
    assert_eq!(
        w.balance_within("lost@example.com", Some(70), Duration::from_secs(20))
            .await,
        Some(70),
        "reconciliation finds the order"
    );
    let receipts = w.store.receipts(&w.server).await;
    assert!(receipts
        .iter()
        .any(|r| r.topic.as_deref() == Some("reconciliation") && r.outcome == "processed"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delivery_and_a_reconciliation_of_the_same_order_award_once() {
    let w = world("1s").await;
    w.place_order("twice@example.com", "10.00", "completed")
        .await;
    assert!(w.sim.wait_idle(Duration::from_secs(10)).await);
    assert_eq!(
        w.balance_within("twice@example.com", Some(60), Duration::from_secs(5))
            .await,
        Some(60)
    );
    // Let several reconciliation passes read the same order.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        w.store.balance(&w.server, "twice@example.com").await,
        Some(60)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_for_missed_orders_runs_over_the_last_week_and_reports_a_summary() {
    let w = world("1h").await;
    w.sim.faults().drop_next(1);
    w.place_order("missed@example.com", "30.00", "completed")
        .await;
    w.place_order("seen@example.com", "5.00", "completed").await;
    w.place_order("waiting@example.com", "5.00", "on-hold")
        .await;
    assert!(w.sim.wait_idle(Duration::from_secs(10)).await);
    let token = tests::api_token(&w.server, w.store.partner_id).await;
    let path = format!(
        "/api/v1/integrations/woocommerce/{}/reconcile",
        w.store.integration_id
    );
    let res = w
        .server
        .client
        .post(w.server.url(&path))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let run = loop {
        let res = w
            .server
            .client
            .get(w.server.url(&path))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let body: serde_json::Value = res.json().await.unwrap();
        if body["run"]["status"] == "done" || tokio::time::Instant::now() > deadline {
            break body["run"].clone();
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(run["status"], "done", "{run}");
    assert_eq!(run["summary"]["orders_seen"], 3, "{run}");
    assert_eq!(run["summary"]["awarded"], 1, "{run}");
    assert_eq!(run["summary"]["already_processed"], 1, "{run}");
    assert_eq!(run["summary"]["ignored"], 1, "{run}");
    assert_eq!(
        w.store.balance(&w.server, "missed@example.com").await,
        Some(80)
    );
    let unauthorized = w
        .server
        .client
        .post(w.server.url(&path))
        .send()
        .await
        .unwrap();
    assert_eq!(unauthorized.status(), 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orders_placed_while_paused_are_not_back_filled_after_resume() {
    let w = world("1s").await;
    let mut conn = pool::get(w.server.db.pool()).await.unwrap();
    let now = time::OffsetDateTime::now_utc;
    database::integrations::set_status(
        &mut conn,
        w.store.partner_id,
        w.store.integration_id,
        "paused",
        now(),
    )
    .await
    .unwrap();
    let paused_order = w
        .place_order("paused@example.com", "25.00", "completed")
        .await;
    assert!(w.sim.wait_idle(Duration::from_secs(10)).await);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    database::integrations::set_status(
        &mut conn,
        w.store.partner_id,
        w.store.integration_id,
        "active",
        now(),
    )
    .await
    .unwrap();
    // Several passes run after the resume; none reaches back into the pause.
    tokio::time::sleep(Duration::from_secs(4)).await;
    let modified = w.sim.order(paused_order).unwrap()["date_modified_gmt"].clone();
    assert_eq!(
        w.store.balance(&w.server, "paused@example.com").await,
        None,
        "modified {modified}, now {}",
        now()
    );
    let receipts = w.store.receipts(&w.server).await;
    assert!(
        receipts.iter().any(|r| r.outcome == "skipped"),
        "the delivery during the pause was receipted and skipped"
    );
    // An order placed after resuming is picked up as usual.
    w.place_order("after@example.com", "5.00", "completed")
        .await;
    assert_eq!(
        w.balance_within("after@example.com", Some(55), Duration::from_secs(10))
            .await,
        Some(55)
    );
}
