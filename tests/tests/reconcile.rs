//! Reconciliation shared by several workers (several server processes): each store is
//! claimed by one worker at a time, and a page's awards commit once.

use std::sync::Arc;

use tally::config::Config;
use tally::usecases::reconcile::Reconciler;
use tests::woo::Store;
use woo_client::{ClientConfig, WooClient};
use woo_sim::{Sim, SimOptions};

fn reconciler(db: &database::testing::TestDatabase, sim: &Sim) -> Reconciler {
    let vars = [
        ("DATABASE_URL", db.url().to_owned()),
        ("APP_SECRET_KEY", tests::TEST_APP_SECRET_KEY.to_owned()),
        ("TALLY_ENV", "dev".to_owned()),
        ("RECONCILE_INTERVAL", "1h".to_owned()),
    ];
    let config =
        Config::from_lookup(|k| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone()))
            .unwrap();
    let woo = WooClient::new(&ClientConfig {
        extra_ca_pem: Some(sim.ca_cert_pem().as_bytes().to_vec()),
        allow_private_networks: true,
        ..ClientConfig::default()
    })
    .unwrap();
    Reconciler {
        pool: db.pool().clone(),
        config: Arc::new(config),
        woo: Arc::new(woo),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_at_once_claim_a_store_once_and_award_its_orders_once() {
    let db = database::testing::TestDatabase::new().await;
    let sim = Sim::start(SimOptions::default()).await.unwrap();
    let (ck, cs) = sim.read_write_key();
    let store = Store::connect_to(&db, "secret0123456789", &sim.base_url(), (&ck, &cs)).await;
    let http = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(sim.ca_cert_pem().as_bytes()).unwrap())
        .build()
        .unwrap();
    for i in 0..5 {
        let res = http
            .post(format!("{}/wp-json/wc/v3/orders", sim.base_url()))
            .basic_auth(&ck, Some(&cs))
            .json(&serde_json::json!({
                "status": "completed",
                "billing": {"email": format!("r{i}@example.com")},
                "line_items": [{"name": "Tea", "quantity": 1, "total": "10.00"}],
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
    }
    let (a, b) = (reconciler(&db, &sim), reconciler(&db, &sim));
    let now = time::OffsetDateTime::now_utc();
    let (ra, rb) = tokio::join!(a.reconcile_next(now), b.reconcile_next(now));
    let claimed = [ra.unwrap(), rb.unwrap()];
    assert_eq!(
        claimed.iter().filter(|c| **c).count(),
        1,
        "one worker claims the store: {claimed:?}"
    );
    for i in 0..5 {
        assert_eq!(
            store.balance_in(&db, &format!("r{i}@example.com")).await,
            Some(60)
        );
    }
    // A later pass over the same orders changes nothing.
    assert!(
        !a.reconcile_next(now).await.unwrap(),
        "not due again within the interval"
    );
    let later = now + time::Duration::hours(2);
    assert!(a.reconcile_next(later).await.unwrap());
    for i in 0..5 {
        assert_eq!(
            store.balance_in(&db, &format!("r{i}@example.com")).await,
            Some(60)
        );
    }
}
