//! REST quirks of auth, webhooks and coupons, over real HTTPS against the generated CA.

mod common;

use common::{sim, sim_with, webhook, Api, Receiver};
use serde_json::json;
use woo_sim::SimOptions;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn system_status_reports_version_and_currency_settings() {
    let sim = sim_with(SimOptions {
        currency: "JPY".into(),
        price_decimals: 0,
        ..Default::default()
    })
    .await;
    let r = Api::new(&sim).get("system_status").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["environment"]["version"], "8.9.1");
    assert_eq!(r.body["settings"]["currency"], "JPY");
    assert_eq!(r.body["settings"]["currency_symbol"], "¥");
    assert_eq!(r.body["settings"]["number_of_decimals"], 0);
    assert!(std::fs::read_to_string(sim.ca_cert_path())
        .unwrap()
        .contains("BEGIN CERTIFICATE"));
    assert!(sim.base_url().starts_with("https://127.0.0.1:"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authentication_errors_match_woocommerce() {
    let sim = sim().await;
    let api = Api::new(&sim);
    let (ck, _) = sim.read_write_key();
    let wrong_secret = api
        .with_key(Some((ck.clone(), "cs_wrong".into())))
        .get("orders")
        .await;
    assert_eq!(
        (wrong_secret.status, wrong_secret.code()),
        (401, "woocommerce_rest_authentication_error")
    );
    assert_eq!(wrong_secret.body["message"], "Consumer secret is invalid.");
    // An unknown key sets no error: the request runs anonymously.
    let unknown = api
        .with_key(Some(("ck_nope".into(), "cs_nope".into())))
        .get("orders")
        .await;
    assert_eq!(
        (unknown.status, unknown.code()),
        (401, "woocommerce_rest_cannot_view")
    );
    assert_eq!(unknown.body["message"], "Sorry, you cannot list resources.");
    let anonymous = api.with_key(None).get("orders/1").await;
    assert_eq!(
        (anonymous.status, anonymous.code()),
        (401, "woocommerce_rest_cannot_view")
    );
    let create = api
        .with_key(None)
        .post("coupons", json!({"code": "x"}))
        .await;
    assert_eq!(
        (create.status, create.code()),
        (401, "woocommerce_rest_cannot_create")
    );
    // Query-string keys work too.
    let (ck, cs) = sim.read_write_key();
    let q = api
        .with_key(None)
        .get(&format!("orders?consumer_key={ck}&consumer_secret={cs}"))
        .await;
    assert_eq!(q.status, 200);
    let none = api.get("nothing/here").await;
    assert_eq!((none.status, none.code()), (404, "rest_no_route"));
    let bad_id = api.get("webhooks/abc").await;
    assert_eq!(bad_id.status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_key_write_is_401_before_routing_and_validation() {
    let sim = sim().await;
    let ro = Api::new(&sim).with_key(Some(sim.read_only_key()));
    assert_eq!(ro.get("orders").await.status, 200);
    for (method, route, body) in [
        ("POST", "webhooks", json!({})),
        (
            "POST",
            "coupons",
            json!({"code": "X", "discount_type": "bogus"}),
        ),
        ("PUT", "orders/999999", json!({"status": "nonsense"})),
        ("DELETE", "webhooks/1", json!(null)),
        ("POST", "no/such/route", json!({})),
    ] {
        let r = ro.call(method, route, Some(body)).await;
        assert_eq!(r.status, 401, "{method} {route}");
        assert_eq!(r.code(), "woocommerce_rest_authentication_error");
        assert_eq!(
            r.body["message"],
            "The API key provided does not have write permissions."
        );
    }
    // The same empty body with a writable key gets the validation error instead.
    let rw = Api::new(&sim).post("webhooks", json!({})).await;
    assert_eq!((rw.status, rw.code()), (400, "rest_missing_callback_param"));
    assert!(sim.webhooks().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_create_ignores_status_and_never_returns_the_secret() {
    let sim = sim().await;
    let rx = Receiver::start(200, 200).await;
    let api = Api::new(&sim);
    let r = api
        .post("webhooks", json!({"name": "n", "topic": "order.updated", "delivery_url": rx.url, "status": "paused", "secret": "abc123"}))
        .await;
    assert_eq!(r.status, 201);
    assert_eq!(r.body["status"], "active");
    assert!(r.body.get("secret").is_none());
    assert_eq!(
        r.body["hooks"],
        json!(["woocommerce_update_order", "woocommerce_order_refunded"])
    );
    assert!(r.body["date_modified"].is_null());
    let id = r.body["id"].as_i64().unwrap();
    assert!(r
        .header("location")
        .unwrap()
        .ends_with(&format!("/wp-json/wc/v3/webhooks/{id}")));
    // Omitted secret: a random 50-char password, never returned by any endpoint.
    let r2 = api
        .post(
            "webhooks",
            json!({"topic": "order.updated", "delivery_url": rx.url}),
        )
        .await;
    let id2 = r2.body["id"].as_i64().unwrap();
    assert!(r2.body.get("secret").is_none());
    assert!(api
        .get(&format!("webhooks/{id2}"))
        .await
        .body
        .get("secret")
        .is_none());
    let list = api.get("webhooks").await;
    assert!(list
        .body
        .as_array()
        .unwrap()
        .iter()
        .all(|w| w.get("secret").is_none()));
    assert_eq!(webhook(&sim, id2).secret.chars().count(), 50);
    assert_eq!(webhook(&sim, id).secret, "abc123");
    let bad = api
        .post(
            "webhooks",
            json!({"topic": "order.exploded", "delivery_url": rx.url}),
        )
        .await;
    assert_eq!(
        (bad.status, bad.code()),
        (400, "woocommerce_rest_shop_webhook_invalid_topic")
    );
    let bad_url = api
        .post(
            "webhooks",
            json!({"topic": "order.updated", "delivery_url": "ftp://x"}),
        )
        .await;
    assert_eq!(
        (bad_url.status, bad_url.code()),
        (400, "woocommerce_rest_shop_webhook_invalid_delivery_url")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_get_missing_is_400_and_delete_needs_force() {
    let sim = sim().await;
    let rx = Receiver::start(200, 200).await;
    let api = Api::new(&sim);
    let missing = api.get("webhooks/4242").await;
    assert_eq!(
        (missing.status, missing.code()),
        (400, "woocommerce_rest_shop_webhook_invalid_id")
    );
    assert_eq!(missing.body["message"], "ID is invalid.");
    let id = api.webhook(&rx.url, "s").await;
    let no_force = api.delete(&format!("webhooks/{id}")).await;
    assert_eq!(
        (no_force.status, no_force.code()),
        (501, "woocommerce_rest_trash_not_supported")
    );
    assert_eq!(
        no_force.body["message"],
        "Webhooks do not support trashing."
    );
    let forced = api.delete(&format!("webhooks/{id}?force=true")).await;
    assert_eq!(forced.status, 200);
    assert_eq!(forced.body["id"], id);
    let again = api.delete(&format!("webhooks/{id}?force=true")).await;
    assert_eq!(
        (again.status, again.code()),
        (404, "woocommerce_rest_shop_webhook_invalid_id")
    );
    assert_eq!(again.body["message"], "Invalid ID.");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_put_validates_status_and_repings_on_new_url() {
    let sim = sim().await;
    let rx = Receiver::start(200, 200).await;
    let rx2 = Receiver::start(200, 200).await;
    let api = Api::new(&sim);
    let id = api.webhook(&rx.url, "s").await;
    let bad = api
        .put(&format!("webhooks/{id}"), json!({"status": "sleeping"}))
        .await;
    assert_eq!(bad.status, 400);
    let paused = api
        .put(&format!("webhooks/{id}"), json!({"status": "paused"}))
        .await;
    assert_eq!(paused.body["status"], "paused");
    assert!(!paused.body["date_modified"].is_null());
    api.put(&format!("webhooks/{id}"), json!({"status": "active"}))
        .await;
    assert_eq!(
        rx.pings().len(),
        1,
        "re-activating a pinged webhook does not ping"
    );
    api.put(&format!("webhooks/{id}"), json!({"delivery_url": rx2.url}))
        .await;
    assert_eq!(
        rx2.pings().len(),
        1,
        "a new URL on an active webhook is pinged"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn coupons_lowercase_refuse_duplicates_and_ignore_date_expires_gmt() {
    let sim = sim().await;
    let api = Api::new(&sim);
    let r = api
        .post("coupons", json!({
            "code": "LOYAL-500", "discount_type": "fixed_cart", "amount": "5", "usage_limit": 1,
            "usage_limit_per_user": 1, "individual_use": true, "email_restrictions": ["Ann.Buyer@Example.com"],
            "date_expires": "2027-12-31T23:59:59+02:00", "date_expires_gmt": "2030-01-01T00:00:00",
            "description": "Loyalty reward", "meta_data": [{"key": "_redemption", "value": "r-1"}],
        }))
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["code"], "loyal-500");
    assert_eq!(r.body["amount"], "5.00");
    assert_eq!(r.body["date_expires"], "2027-12-31T21:59:59");
    assert_eq!(r.body["date_expires_gmt"], "2027-12-31T21:59:59");
    assert_eq!(
        r.body["email_restrictions"],
        json!(["ann.buyer@example.com"])
    );
    assert_eq!(r.body["limit_usage_to_x_items"], json!(null));
    assert_eq!(r.body["meta_data"][0]["key"], "_redemption");
    let id = r.body["id"].as_i64().unwrap();
    let dup = api
        .post("coupons", json!({"code": "Loyal-500", "amount": "1"}))
        .await;
    assert_eq!(
        (dup.status, dup.code()),
        (400, "woocommerce_rest_coupon_code_already_exists")
    );
    assert_eq!(dup.body["message"], "The coupon code already exists");
    let found = api.get("coupons?code=LOYAL-500").await;
    assert_eq!(found.body.as_array().unwrap().len(), 1);
    assert_eq!(found.body[0]["id"], id);
    assert_eq!(api.get("coupons?code=nope").await.body, json!([]));
    assert_eq!(
        api.get(&format!("coupons/{id}")).await.body["code"],
        "loyal-500"
    );
    let bad = api
        .post("coupons", json!({"code": "B", "discount_type": "fixed"}))
        .await;
    assert_eq!((bad.status, bad.code()), (400, "rest_invalid_param"));
    assert_eq!(
        bad.body["data"]["params"]["discount_type"],
        "discount_type is not one of percent, fixed_cart, and fixed_product."
    );
    let empty = api.post("coupons", json!({"code": "  "})).await;
    assert_eq!(
        (empty.status, empty.code()),
        (400, "woocommerce_rest_empty_coupon_code")
    );
    // A trashed coupon no longer blocks its code.
    assert_eq!(
        api.delete(&format!("coupons/{id}")).await.body["status"],
        "trash"
    );
    assert_eq!(api.delete(&format!("coupons/{id}")).await.status, 410);
    assert_eq!(
        api.post("coupons", json!({"code": "loyal-500"}))
            .await
            .status,
        201
    );
}
