//! Webhook ping and delivery quirks, one test each, against a raw recording receiver.

mod common;

use std::time::Duration;

use common::{hmac_b64, sim, sim_with, webhook, Api, Receiver};
use serde_json::json;
use woo_sim::SimOptions;

const IDLE: Duration = Duration::from_secs(10);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ping_is_unsigned_form_and_only_an_exact_200_counts() {
    let sim = sim().await;
    let api = Api::new(&sim);
    let rx = Receiver::start(201, 200).await;
    let id = api.webhook(&rx.url, "s").await;
    // Sent synchronously inside the create request.
    let pings = rx.pings();
    assert_eq!(pings.len(), 1);
    let p = &pings[0];
    assert_eq!(p.body, format!("webhook_id={id}").as_bytes());
    assert_eq!(
        p.header("Content-Type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(
        p.header("User-Agent"),
        Some("WooCommerce/8.9.1 Hookshot (WordPress/6.5.3)")
    );
    assert!(p.headers.iter().all(|(k, _)| !k.starts_with("X-WC-")));
    assert_eq!(
        p.header_names(),
        [
            "Host",
            "User-Agent",
            "Accept",
            "Accept-Encoding",
            "Connection",
            "Content-Length",
            "Content-Type"
        ]
    );
    let record = sim
        .deliveries()
        .into_iter()
        .find(|d| d.kind == "ping")
        .unwrap();
    assert_eq!(record.status, Some(201));
    assert!(!record.success);
    assert_eq!(
        record.error.as_deref(),
        Some("Error: Delivery URL returned response code: 201")
    );
    let w = webhook(&sim, id);
    assert_eq!(
        (w.status.as_str(), w.pending_delivery, w.failure_count),
        ("active", true, 0)
    );

    let ok = Receiver::start(200, 200).await;
    let id2 = api.webhook(&ok.url, "s").await;
    assert!(!webhook(&sim, id2).pending_delivery);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delivery_is_signed_over_the_exact_bytes_with_woocommerce_headers() {
    let sim = sim().await;
    let api = Api::new(&sim);
    let rx = Receiver::start(200, 200).await;
    let hook = api.webhook(&rx.url, "loyalty-secret-0123456789").await;
    let order = api.order("50.00").await;
    assert!(sim.wait_idle(IDLE).await);
    let d = rx.wait_deliveries(1).await.remove(0);
    assert!(
        d.request_line.starts_with("POST /hook HTTP/1.0"),
        "{}",
        d.request_line
    );
    assert_eq!(
        d.header_names(),
        [
            "Host",
            "User-Agent",
            "Accept",
            "Accept-Encoding",
            "Content-Type",
            "X-WC-Webhook-Source",
            "X-WC-Webhook-Topic",
            "X-WC-Webhook-Resource",
            "X-WC-Webhook-Event",
            "X-WC-Webhook-Signature",
            "X-WC-Webhook-ID",
            "X-WC-Webhook-Delivery-ID",
            "Connection",
            "Content-Length",
        ]
    );
    assert_eq!(
        d.header("X-WC-Webhook-Source").unwrap(),
        format!("{}/", sim.base_url())
    );
    assert_eq!(d.header("X-WC-Webhook-Topic"), Some("order.updated"));
    assert_eq!(d.header("X-WC-Webhook-Resource"), Some("order"));
    assert_eq!(d.header("X-WC-Webhook-Event"), Some("updated"));
    assert_eq!(d.header("X-WC-Webhook-ID").unwrap(), hook.to_string());
    assert_eq!(d.header("Content-Type"), Some("application/json"));
    assert_eq!(
        d.header("X-WC-Webhook-Signature").unwrap(),
        hmac_b64("loyalty-secret-0123456789", &d.body)
    );
    // wp_json_encode escapes slashes, so re-serialised JSON would not verify.
    let text = String::from_utf8(d.body.clone()).unwrap();
    assert!(text.contains(r#""href":"https:\/\/127.0.0.1"#));
    let reserialised = serde_json::to_vec(&d.json()).unwrap();
    assert_ne!(
        hmac_b64("loyalty-secret-0123456789", &reserialised),
        d.header("X-WC-Webhook-Signature").unwrap()
    );
    let body = d.json();
    assert_eq!(body["id"], order);
    assert_eq!(body["total"], "50.00");
    assert_eq!(body["line_items"][0]["price"], 50);
    assert!(body["_links"]["self"][0]["href"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/orders/{order}")));
    assert_eq!(body, sim.order(order).unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn html_entity_secret_is_decoded_before_signing() {
    let sim = sim().await;
    let api = Api::new(&sim);
    let rx = Receiver::start(200, 200).await;
    let hook = api.webhook(&rx.url, "s3cr&amp;t<>\"'x&y").await;
    assert_eq!(webhook(&sim, hook).secret, "s3cr&t<>\"'x&y");
    api.order("5.00").await;
    let d = rx.wait_deliveries(1).await.remove(0);
    let sig = d.header("X-WC-Webhook-Signature").unwrap();
    assert_eq!(sig, hmac_b64("s3cr&t<>\"'x&y", &d.body));
    assert_ne!(sig, hmac_b64("s3cr&amp;t<>\"'x&y", &d.body));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn body_is_built_at_send_time() {
    let sim = sim_with(SimOptions {
        delivery_delay: Duration::from_millis(400),
        ..Default::default()
    })
    .await;
    let api = Api::new(&sim);
    let rx = Receiver::start(200, 200).await;
    api.webhook(&rx.url, "s").await;
    let order = api.order("5.00").await;
    api.put(
        &format!("orders/{order}"),
        json!({"billing": {"first_name": "Changed"}}),
    )
    .await;
    assert!(sim.wait_idle(IDLE).await);
    let d = rx.deliveries();
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].json()["billing"]["first_name"], "Changed");
    assert_eq!(d[0].json()["status"], "pending");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_while_queued_add_no_delivery() {
    let sim = sim_with(SimOptions {
        delivery_delay: Duration::from_millis(400),
        ..Default::default()
    })
    .await;
    let api = Api::new(&sim);
    let rx = Receiver::start(200, 200).await;
    api.webhook(&rx.url, "s").await;
    let order = api.order("5.00").await;
    for status in ["on-hold", "processing", "completed"] {
        api.put(&format!("orders/{order}"), json!({"status": status}))
            .await;
    }
    assert!(sim.wait_idle(IDLE).await);
    let d = rx.deliveries();
    assert_eq!(d.len(), 1, "three quick changes arrive as one delivery");
    assert_eq!(d[0].json()["status"], "completed");
    // Once that delivery ran, the next change queues a new one.
    api.put(
        &format!("orders/{order}"),
        json!({"customer_note": "again"}),
    )
    .await;
    assert!(sim.wait_idle(IDLE).await);
    assert_eq!(rx.deliveries().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delivery_id_repeats_for_one_webhook_within_a_second() {
    let sim = sim().await;
    let api = Api::new(&sim);
    let rx = Receiver::start(200, 200).await;
    api.webhook(&rx.url, "s").await;
    for _attempt in 0..5 {
        let before = sim.deliveries().len();
        api.order("1.00").await;
        api.order("2.00").await;
        assert!(sim.wait_idle(IDLE).await);
        let recs: Vec<_> = sim.deliveries().into_iter().skip(before).collect();
        assert_eq!(recs.len(), 2);
        let ids: Vec<String> = recs
            .iter()
            .map(|r| r.delivery_id.clone().unwrap())
            .collect();
        assert!(ids
            .iter()
            .all(|i| i.len() == 32 && i.bytes().all(|b| b.is_ascii_hexdigit())));
        if recs[0].at == recs[1].at {
            assert_eq!(
                ids[0], ids[1],
                "same webhook, same second: same Delivery-ID"
            );
            assert_ne!(recs[0].order_id, recs[1].order_id);
            return;
        }
        assert_ne!(ids[0], ids[1]);
    }
    panic!("never managed two deliveries within one second");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seventh_consecutive_failure_disables_and_reactivation_keeps_the_count() {
    let sim = sim().await;
    let api = Api::new(&sim);
    let rx = Receiver::start(200, 302).await;
    let hook = api.webhook(&rx.url, "s").await;
    api.order("1.00").await;
    assert!(sim.wait_idle(IDLE).await);
    assert_eq!(
        webhook(&sim, hook).failure_count,
        0,
        "a 302 counts as success"
    );
    rx.set_delivery_status(500);
    for i in 1..=7 {
        api.order("1.00").await;
        assert!(sim.wait_idle(IDLE).await);
        let w = webhook(&sim, hook);
        if i < 7 {
            assert_eq!(
                (w.status.as_str(), w.failure_count),
                ("active", i),
                "after failure {i}"
            );
        } else {
            assert_eq!((w.status.as_str(), w.failure_count), ("disabled", 6));
        }
    }
    // Disabled: no more deliveries queued.
    let delivered = rx.deliveries().len();
    api.order("1.00").await;
    assert!(sim.wait_idle(IDLE).await);
    assert_eq!(rx.deliveries().len(), delivered);
    let r = api
        .put(&format!("webhooks/{hook}"), json!({"status": "active"}))
        .await;
    assert_eq!(r.body["status"], "active");
    assert_eq!(
        webhook(&sim, hook).failure_count,
        6,
        "re-activation keeps the count"
    );
    api.order("1.00").await;
    assert!(sim.wait_idle(IDLE).await);
    assert_eq!(
        webhook(&sim, hook).status,
        "disabled",
        "one more failure disables again"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rejecting_endpoint_gets_a_ping_after_every_delivery_until_disabled() {
    let sim = sim().await;
    let api = Api::new(&sim);
    let rx = Receiver::start(401, 401).await;
    let hook = api.webhook(&rx.url, "s").await;
    for _ in 0..7 {
        api.order("1.00").await;
        assert!(sim.wait_idle(IDLE).await);
    }
    let kinds: Vec<String> = sim.deliveries().into_iter().map(|d| d.kind).collect();
    let mut expected = vec!["ping".to_string()];
    for i in 0..7 {
        expected.push("order.updated".into());
        if i < 6 {
            expected.push("ping".into());
        }
    }
    assert_eq!(kinds, expected);
    let w = webhook(&sim, hook);
    assert_eq!(
        (w.status.as_str(), w.failure_count, w.pending_delivery),
        ("disabled", 6, true)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refunds_and_updates_each_fire_order_updated() {
    let sim = sim().await;
    let api = Api::new(&sim);
    let rx = Receiver::start(200, 200).await;
    api.webhook(&rx.url, "s").await;
    let order = api.order("50.00").await;
    assert!(sim.wait_idle(IDLE).await);
    api.post(
        &format!("orders/{order}/refunds"),
        json!({"amount": "10", "api_refund": false}),
    )
    .await;
    assert!(sim.wait_idle(IDLE).await);
    api.post(
        &format!("orders/{order}/refunds"),
        json!({"amount": "40", "api_refund": false}),
    )
    .await;
    assert!(sim.wait_idle(IDLE).await);
    let d = rx.deliveries();
    assert_eq!(d.len(), 3);
    assert_eq!(d[1].json()["status"], "pending");
    assert_eq!(d[1].json()["refunds"][0]["total"], "-10.00");
    assert_eq!(d[2].json()["status"], "refunded");
}
