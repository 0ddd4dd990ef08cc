//! Fault knobs, strict URLs and webhook states, against a raw recording receiver.

mod common;

use std::time::{Duration, Instant};

use common::{hmac_b64, sim, sim_with, webhook, Api, Receiver};
use serde_json::json;
use woo_sim::SimOptions;

const IDLE: Duration = Duration::from_secs(10);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strict_store_refuses_loopback_urls() {
    let sim = sim_with(SimOptions {
        refuse_private_delivery_urls: true,
        ..Default::default()
    })
    .await;
    let api = Api::new(&sim);
    let rx = Receiver::start(200, 200).await;
    let hook = api.webhook(&rx.url, "s").await;
    api.order("1.00").await;
    assert!(sim.wait_idle(IDLE).await);
    assert!(
        rx.requests().is_empty(),
        "nothing reaches a loopback receiver"
    );
    let recs = sim.deliveries();
    let ping = recs.iter().find(|d| d.kind == "ping").unwrap();
    assert_eq!(
        ping.error.as_deref(),
        Some("Error: Delivery URL cannot be reached: A valid URL was not provided.")
    );
    let delivery = recs.iter().find(|d| d.kind == "order.updated").unwrap();
    assert_eq!(
        delivery.error.as_deref(),
        Some("A valid URL was not provided.")
    );
    assert_eq!(delivery.status, None);
    assert_eq!(webhook(&sim, hook).failure_count, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paused_webhooks_get_nothing_and_deleted_ones_lose_queued_deliveries() {
    let sim = sim_with(SimOptions {
        delivery_delay: Duration::from_millis(300),
        ..Default::default()
    })
    .await;
    let api = Api::new(&sim);
    let rx = Receiver::start(200, 200).await;
    let hook = api.webhook(&rx.url, "s").await;
    api.put(&format!("webhooks/{hook}"), json!({"status": "paused"}))
        .await;
    api.order("1.00").await;
    assert!(sim.wait_idle(IDLE).await);
    assert!(rx.deliveries().is_empty());
    api.put(&format!("webhooks/{hook}"), json!({"status": "active"}))
        .await;
    api.order("1.00").await;
    api.delete(&format!("webhooks/{hook}?force=true")).await;
    assert!(sim.wait_idle(IDLE).await);
    assert!(rx.deliveries().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_drop_next_loses_deliveries_without_counting_failures() {
    let sim = sim().await;
    let api = Api::new(&sim);
    let rx = Receiver::start(200, 200).await;
    let hook = api.webhook(&rx.url, "s").await;
    sim.faults().drop_next(2);
    api.order("1.00").await;
    assert!(sim.wait_idle(IDLE).await);
    api.order("2.00").await;
    assert!(sim.wait_idle(IDLE).await);
    assert!(rx.deliveries().is_empty());
    assert_eq!(webhook(&sim, hook).failure_count, 0);
    let third = api.order("3.00").await;
    assert_eq!(rx.wait_deliveries(1).await[0].json()["id"], third);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_duplicate_next_sends_twice() {
    let sim = sim().await;
    let api = Api::new(&sim);
    let rx = Receiver::start(200, 200).await;
    api.webhook(&rx.url, "s").await;
    sim.faults().duplicate_next(1);
    api.order("1.00").await;
    assert!(sim.wait_idle(IDLE).await);
    let d = rx.deliveries();
    assert_eq!(d.len(), 2);
    assert_eq!(d[0].body, d[1].body);
    api.order("2.00").await;
    assert!(sim.wait_idle(IDLE).await);
    assert_eq!(rx.deliveries().len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_delay_next_holds_deliveries_back() {
    let sim = sim().await;
    let api = Api::new(&sim);
    let rx = Receiver::start(200, 200).await;
    api.webhook(&rx.url, "s").await;
    sim.faults().delay_next(1, Duration::from_millis(700));
    let start = Instant::now();
    let late = api.order("1.00").await;
    let on_time = api.order("2.00").await;
    assert!(sim.wait_idle(IDLE).await);
    let d = rx.deliveries();
    assert_eq!(d.len(), 2);
    assert_eq!(d[0].json()["id"], on_time, "the undelayed one overtakes");
    assert_eq!(d[1].json()["id"], late);
    assert!(d[1].at.duration_since(start) >= Duration::from_millis(700));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_error_body_next_sends_a_signed_error_object() {
    let sim = sim().await;
    let api = Api::new(&sim);
    let rx = Receiver::start(200, 200).await;
    api.webhook(&rx.url, "sekret").await;
    sim.faults().error_body_next(
        1,
        "woocommerce_rest_cannot_view",
        "Sorry, you cannot view this resource.",
        401,
    );
    api.order("1.00").await;
    let d = rx.wait_deliveries(1).await.remove(0);
    assert_eq!(
        d.json(),
        json!({"code": "woocommerce_rest_cannot_view", "message": "Sorry, you cannot view this resource.", "data": {"status": 401}})
    );
    assert_eq!(
        d.header("X-WC-Webhook-Signature").unwrap(),
        hmac_b64("sekret", &d.body)
    );
}
