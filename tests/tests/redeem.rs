//! Redeeming points as store coupons against the WooCommerce simulator over HTTPS, through
//! the API's redeem-on-behalf endpoint (the portal and the dashboard use the same use
//! case): the happy path, every bound, store refusals, timeouts with and without the
//! coupon, duplicate codes, concurrent redemptions, a paused store, and the worker that
//! finishes what stayed unclear.

use std::time::Duration;

use reqwest::Method;
use serde_json::json;
use tests::redeem::{ours, world, ANN, BASE};
use woo_sim::{CouponFault, LookupFault};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redemption_creates_one_single_use_coupon_and_spends_the_points() {
    let w = world().await;
    let (status, body) = w.redeem(ANN, 1000, Some("first")).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["status"], "issued");
    assert_eq!(body["amount"], "50.00");
    assert_eq!(body["currency"], "USD");
    assert_eq!(body["points"], 1000);
    let code = body["code"].as_str().unwrap();
    assert!(code.starts_with("CAFE-") && code.len() == 13, "{code}");
    assert_eq!(code, code.to_uppercase());
    assert_eq!(w.balance(ANN).await, 500);

    let id = body["id"].as_str().unwrap();
    let on_store = ours(&w.sim, id);
    assert_eq!(on_store.len(), 1, "{on_store:?}");
    let c = &on_store[0];
    assert_eq!(c.code, code.to_lowercase());
    assert_eq!(c.amount, "50.00");
    assert_eq!(c.discount_type, "fixed_cart");
    assert_eq!((c.usage_limit, c.usage_limit_per_user), (1, 1));
    assert_eq!(c.email_restrictions, vec![ANN.to_string()]);
    assert!(c.description.contains(id), "{}", c.description);
    // Valid 7 days after today in the partner's zone (UTC), to the end of that day.
    let expires_on = body["expires_on"].as_str().unwrap();
    let today = time::OffsetDateTime::now_utc().date();
    assert_eq!(expires_on, (today + time::Duration::days(7)).to_string());
    assert_eq!(
        c.date_expires_gmt.as_deref(),
        Some(format!("{expires_on}T23:59:59").as_str())
    );

    // The same key again: the same redemption, nothing more spent.
    let (status, again) = w.redeem(ANN, 1000, Some("first")).await;
    assert_eq!(status, 201, "{again}");
    assert_eq!(again["id"], body["id"]);
    assert_eq!(w.balance(ANN).await, 500);
    assert_eq!(ours(&w.sim, id).len(), 1);
    // The same key with another body is refused.
    let (status, reused) = w.redeem(ANN, 200, Some("first")).await;
    assert_eq!(status, 409, "{reused}");
    assert_eq!(reused["error"]["code"], "idempotency_key_reused");
    w.give("bo@example.com", 1000).await;
    let (status, reused) = w.redeem("bo@example.com", 1000, Some("first")).await;
    assert_eq!(status, 409, "another member with the key: {reused}");
    assert_eq!(w.balance("bo@example.com").await, 1000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_bound_is_refused_with_its_code_and_deducts_nothing() {
    let w = world().await;
    for (points, code) in [
        (0, "validation_failed"),
        (99, "below_minimum"),
        (2001, "above_maximum"),
    ] {
        let (status, body) = w.redeem(ANN, points, None).await;
        assert_eq!(status, 422, "{points}: {body}");
        assert_eq!(body["error"]["code"], code, "{body}");
    }
    w.give("bo@example.com", 150).await;
    let (status, body) = w.redeem("bo@example.com", 200, None).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["code"], "insufficient_points");
    let (status, body) = w.redeem("nobody@example.com", 200, None).await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(w.balance(ANN).await, 1500);
    assert_eq!(w.balance("bo@example.com").await, 150);
    assert!(w.sim.coupons().is_empty());

    // Paused: refused; the discount off: refused.
    let path = format!("{BASE}/{}", w.integration);
    assert_eq!(
        w.call(Method::POST, &format!("{path}/pause"), None).await.0,
        200
    );
    let (status, body) = w.redeem(ANN, 500, None).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("integration_paused")),
        "{body}"
    );
    assert_eq!(
        w.call(Method::POST, &format!("{path}/resume"), None)
            .await
            .0,
        200
    );
    let off = json!({"discount": {"enabled": false}});
    assert_eq!(
        w.call(Method::PATCH, &format!("{path}/settings"), Some(off))
            .await
            .0,
        200
    );
    let (status, body) = w.redeem(ANN, 500, None).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (422, Some("discount_disabled")),
        "{body}"
    );
    assert_eq!(w.balance(ANN).await, 1500);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_refusal_gives_the_points_back() {
    let w = world().await;
    w.sim.faults().coupon_create_next(
        1,
        CouponFault::Refuse {
            status: 400,
            code: "coupon_invalid_amount".into(),
            message: "Invalid discount amount".into(),
        },
    );
    let (status, body) = w.redeem(ANN, 1000, None).await;
    assert_eq!(status, 502, "{body}");
    assert_eq!(body["error"]["code"], "store_unavailable");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("points were given back"));
    assert_eq!(w.balance(ANN).await, 1500);
    assert!(w.sim.coupons().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timeout_whose_coupon_was_created_is_found_and_not_created_twice() {
    let w = world().await;
    w.sim
        .faults()
        .coupon_create_next(1, CouponFault::SlowCreate(Duration::from_secs(2)));
    let (status, body) = w.redeem(ANN, 1000, None).await;
    assert!(status == 201 || status == 202, "{status} {body}");
    let id = body["id"].as_str().unwrap().to_owned();
    w.make_due().await;
    let r = w.settled(&id).await;
    assert_eq!(r.status, "issued", "{r:?}");
    assert_eq!(ours(&w.sim, &id).len(), 1, "{:?}", w.sim.coupons());
    assert_eq!(w.balance(ANN).await, 500);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_500_after_the_coupon_was_created_is_found_by_looking_it_up() {
    let w = world().await;
    w.sim
        .faults()
        .coupon_create_next(1, CouponFault::ErrorAfterCreate);
    let (status, body) = w.redeem(ANN, 1000, None).await;
    assert_eq!(status, 201, "found on the store at once: {body}");
    let id = body["id"].as_str().unwrap();
    assert_eq!(ours(&w.sim, id).len(), 1);
    assert_eq!(w.balance(ANN).await, 500);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_500_without_a_coupon_and_an_unclear_lookup_are_finished_by_the_worker() {
    let w = world().await;
    w.sim
        .faults()
        .coupon_create_next(1, CouponFault::ErrorBeforeCreate);
    w.sim.faults().coupon_lookup_next(1, LookupFault::Error);
    let (status, body) = w.redeem(ANN, 1000, None).await;
    assert_eq!(status, 202, "{body}");
    assert_eq!(body["status"], "pending");
    let id = body["id"].as_str().unwrap().to_owned();
    assert_eq!(w.balance(ANN).await, 500, "held while unclear");
    w.make_due().await;
    let r = w.settled(&id).await;
    assert_eq!(r.status, "issued", "the worker created it: {r:?}");
    assert_eq!(ours(&w.sim, &id).len(), 1);
    assert_eq!(w.balance(ANN).await, 500);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_duplicate_code_on_the_store_brings_a_new_code() {
    let w = world().await;
    w.sim
        .faults()
        .coupon_create_next(1, CouponFault::CodeTakenFirst);
    let (status, body) = w.redeem(ANN, 1000, None).await;
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_str().unwrap();
    let mine = ours(&w.sim, id);
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].code, body["code"].as_str().unwrap().to_lowercase());
    assert_eq!(w.sim.coupons().len(), 2, "someone else's coupon and ours");
    assert_eq!(w.balance(ANN).await, 500);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_concurrent_redemptions_beyond_the_balance_cannot_overdraw() {
    let w = world().await;
    let (a, b) = tokio::join!(
        w.redeem(ANN, 1000, Some("tab-a")),
        w.redeem(ANN, 1000, Some("tab-b"))
    );
    let mut statuses = [a.0, b.0];
    statuses.sort();
    assert_eq!(statuses, [201, 422], "{a:?} {b:?}");
    assert_eq!(w.balance(ANN).await, 500);
    assert_eq!(w.sim.coupons().len(), 1);
    // Again for more members, so the race is really run (never a deadlock or a 500).
    for n in 0..4 {
        let email = format!("race{n}@example.com");
        w.give(&email, 1500).await;
        let (a, b) = tokio::join!(w.redeem(&email, 1000, None), w.redeem(&email, 1000, None));
        let mut statuses = [a.0, b.0];
        statuses.sort();
        assert_eq!(statuses, [201, 422], "{email}: {a:?} {b:?}");
        assert_eq!(w.balance(&email).await, 500);
    }
    // A double click (the same key twice at once) redeems once.
    w.give("cy@example.com", 1000).await;
    let (a, b) = tokio::join!(
        w.redeem("cy@example.com", 400, Some("click")),
        w.redeem("cy@example.com", 400, Some("click"))
    );
    assert_eq!(a.1["id"], b.1["id"], "{a:?} {b:?}");
    assert_eq!(w.balance("cy@example.com").await, 600);
}
