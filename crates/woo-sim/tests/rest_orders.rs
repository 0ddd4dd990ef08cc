//! REST quirks of orders, refunds and listing, over real HTTPS against the generated CA.

mod common;

use std::time::Duration;

use common::{sim, sim_with, Api};
use serde_json::json;
use woo_sim::SimOptions;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn coupon_lines_apply_and_count_usage() {
    let sim = sim().await;
    let api = Api::new(&sim);
    api.post(
        "coupons",
        json!({"code": "ONCE", "amount": "5", "usage_limit": 1}),
    )
    .await;
    let order = json!({"status": "processing", "billing": {"email": "a@example.com"},
        "line_items": [{"name": "Mug", "quantity": 2, "price": "12.50"}], "coupon_lines": [{"code": "ONCE"}]});
    let r = api.post("orders", order.clone()).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["total"], "20.00");
    assert_eq!(r.body["discount_total"], "5.00");
    assert_eq!(r.body["coupon_lines"][0]["code"], "once");
    assert_eq!(r.body["line_items"][0]["subtotal"], "25.00");
    assert_eq!(r.body["line_items"][0]["price"], 10);
    let again = api.post("orders", order).await;
    assert_eq!(
        (again.status, again.code()),
        (400, "woocommerce_rest_invalid_coupon")
    );
    assert_eq!(
        again.body["message"],
        "Coupon usage limit has been reached."
    );
    api.post(
        "coupons",
        json!({"code": "OLD", "amount": "1", "date_expires": "2020-01-01T00:00:00"}),
    )
    .await;
    let expired = api
        .post(
            "orders",
            json!({"line_items": [{"name": "x", "total": "3"}], "coupon_lines": [{"code": "old"}]}),
        )
        .await;
    assert_eq!(expired.body["message"], "This coupon has expired.");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orders_use_store_decimals_and_price_is_a_number() {
    let sim = sim_with(SimOptions {
        currency: "EUR".into(),
        price_decimals: 3,
        ..Default::default()
    })
    .await;
    let api = Api::new(&sim);
    let r = api
        .post("orders", json!({
            "status": "processing",
            "line_items": [{"name": "Tea", "quantity": 2, "price": 9.5}, {"name": "Cup", "total": "1.2345"}],
            "shipping_lines": [{"method_id": "flat_rate", "method_title": "Flat", "total": "4"}],
        }))
        .await;
    assert_eq!(r.status, 201);
    assert_eq!(r.body["total"], "24.235");
    assert_eq!(r.body["shipping_total"], "4.000");
    assert_eq!(r.body["currency"], "EUR");
    assert_eq!(r.body["currency_symbol"], "€");
    assert_eq!(r.body["line_items"][0]["price"], 9.5);
    assert!(r.body["date_paid"].is_string());
    assert!(!r.body["date_created"].as_str().unwrap().contains('+'));
    assert_eq!(
        r.body["_links"]["self"][0]["href"],
        format!("{}/wp-json/wc/v3/orders/{}", sim.base_url(), r.body["id"])
    );
    let missing = api.get("orders/999").await;
    assert_eq!(
        (missing.status, missing.code()),
        (404, "woocommerce_rest_shop_order_invalid_id")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partial_refund_keeps_status_and_total_full_refund_sets_refunded() {
    let sim = sim().await;
    let api = Api::new(&sim);
    let id = api.order("50.00").await;
    api.put(&format!("orders/{id}"), json!({"status": "completed"}))
        .await;
    let no_gateway = api
        .post(&format!("orders/{id}/refunds"), json!({"amount": "10.00"}))
        .await;
    assert_eq!(
        (no_gateway.status, no_gateway.code()),
        (500, "woocommerce_rest_cannot_create_order_refund")
    );
    let r = api
        .post(
            &format!("orders/{id}/refunds"),
            json!({"amount": "10.00", "reason": "damaged", "api_refund": false}),
        )
        .await;
    assert_eq!(r.status, 201);
    assert_eq!(r.body["amount"], "10.00");
    assert!(r
        .header("location")
        .unwrap()
        .contains("(?P<order_id>[\\d]+)"));
    let o = api.get(&format!("orders/{id}")).await.body;
    assert_eq!(o["status"], "completed");
    assert_eq!(o["total"], "50.00");
    assert_eq!(
        o["refunds"],
        json!([{"id": r.body["id"], "reason": "damaged", "total": "-10.00"}])
    );
    let too_much = api
        .post(
            &format!("orders/{id}/refunds"),
            json!({"amount": "40.01", "api_refund": false}),
        )
        .await;
    assert_eq!(too_much.body["message"], "Invalid refund amount.");
    api.post(
        &format!("orders/{id}/refunds"),
        json!({"amount": "40", "api_refund": false}),
    )
    .await;
    let o = sim.order(id).unwrap();
    assert_eq!(o["status"], "refunded");
    assert_eq!(o["total"], "50.00");
    let totals: Vec<&str> = o["refunds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["total"].as_str().unwrap())
        .collect();
    assert_eq!(totals, ["-40.00", "-10.00"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orders_list_paginates_and_modified_after_is_exclusive() {
    let sim = sim().await;
    let api = Api::new(&sim);
    let first = api.order("1.00").await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let mut ids = vec![first];
    for _ in 0..4 {
        ids.push(api.order("2.00").await);
    }
    let page1 = api.get("orders?per_page=2&orderby=id&order=asc").await;
    assert_eq!(page1.header("x-wp-total").unwrap(), "5");
    assert_eq!(page1.header("x-wp-totalpages").unwrap(), "3");
    let got: Vec<i64> = page1
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_i64().unwrap())
        .collect();
    assert_eq!(got, ids[..2]);
    let links = page1.headers_all("link").join(", ");
    assert!(
        links.contains("page=2")
            && links.contains("rel=\"next\"")
            && !links.contains("rel=\"prev\""),
        "{links}"
    );
    let page2 = api
        .get("orders?per_page=2&page=2&orderby=id&order=asc")
        .await;
    let links = page2.headers_all("link").join(", ");
    assert!(
        links.contains("rel=\"prev\"") && links.contains("rel=\"next\""),
        "{links}"
    );
    let stamp = sim.order(first).unwrap()["date_modified_gmt"]
        .as_str()
        .unwrap()
        .to_string();
    let after = api
        .get(&format!(
            "orders?modified_after={stamp}&dates_are_gmt=true&per_page=100"
        ))
        .await;
    let got: Vec<i64> = after
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_i64().unwrap())
        .collect();
    assert!(!got.contains(&first), "modified_after is exclusive");
    assert_eq!(got.len(), 4);
    let before = api.get(&format!("orders?modified_before={stamp}Z")).await;
    assert_eq!(before.body, json!([]));
    let by_status = api.get("orders?status=processing").await;
    assert_eq!(by_status.body, json!([]));
    for bad in ["orders?per_page=101", "orders?per_page=0"] {
        let r = api.get(bad).await;
        assert_eq!((r.status, r.code()), (400, "rest_invalid_param"), "{bad}");
        assert_eq!(
            r.body["data"]["params"]["per_page"],
            "per_page must be between 1 (inclusive) and 100 (inclusive)"
        );
    }
    let bad_date = api.get("orders?modified_after=yesterday").await;
    assert_eq!(bad_date.status, 400);
}
