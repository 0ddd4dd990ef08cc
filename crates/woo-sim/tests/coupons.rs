//! Coupons over REST: `meta_data` and the other stored fields, [`woo_sim::Sim::coupons`],
//! coupons made directly (wp-admin), and each coupon fault knob.

mod common;

use std::time::{Duration, Instant};

use common::{sim, Api};
use serde_json::{json, Value};
use woo_sim::{CouponFault, LookupFault};

fn body(code: &str) -> Value {
    json!({
        "code": code, "discount_type": "fixed_cart", "amount": "5.00", "usage_limit": 1,
        "usage_limit_per_user": 1, "individual_use": true,
        "email_restrictions": ["Ann.Buyer@example.com"], "date_expires": "2027-12-31T23:59:59",
        "description": "Loyalty reward: 500 points",
        "meta_data": [{"key": "_loyalty_redemption_id", "value": "r-123"}, {"key": "_n", "value": 7}],
    })
}

fn assert_critical_error(r: &common::Resp) {
    assert_eq!(r.status, 500);
    assert_eq!(r.code(), "internal_server_error");
    assert!(r.body["message"]
        .as_str()
        .unwrap()
        .contains("There has been a critical error on this website."));
    assert_eq!(r.body["data"], json!({"status": 500}));
    assert_eq!(r.body["additional_errors"], json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn coupon_meta_and_fields_are_stored_and_returned_like_woocommerce() {
    let sim = sim().await;
    let api = Api::new(&sim);
    let r = api.post("coupons", body("LOYAL-1")).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let meta = r.body["meta_data"].as_array().unwrap().clone();
    assert_eq!(meta.len(), 2);
    assert!(meta.iter().all(|m| m["id"].as_i64().is_some()));
    assert_ne!(meta[0]["id"], meta[1]["id"]);
    assert_eq!(meta[0]["value"], "r-123");
    assert_eq!(meta[1]["value"], 7, "values are echoed as sent");
    assert_eq!(r.body["usage_limit"], 1);
    assert_eq!(r.body["usage_limit_per_user"], 1);
    assert_eq!(r.body["description"], "Loyalty reward: 500 points");
    assert_eq!(r.body["date_expires"], "2027-12-31T23:59:59");
    assert_eq!(r.body["date_expires_gmt"], "2027-12-31T23:59:59");

    let found = api.get("coupons?code=loyal-1").await;
    assert_eq!(found.body[0]["meta_data"], json!(meta));

    let views = sim.coupons();
    assert_eq!(views.len(), 1);
    let v = &views[0];
    assert_eq!(v.id, r.body["id"].as_u64().unwrap());
    assert_eq!(v.code, "loyal-1");
    assert_eq!(v.amount, "5.00");
    assert_eq!(v.discount_type, "fixed_cart");
    assert_eq!(v.email_restrictions, vec!["ann.buyer@example.com"]);
    assert_eq!((v.usage_limit, v.usage_limit_per_user), (1, 1));
    assert_eq!(v.date_expires_gmt.as_deref(), Some("2027-12-31T23:59:59"));
    assert_eq!(v.description, "Loyalty reward: 500 points");
    assert_eq!(
        v.meta,
        vec![
            ("_loyalty_redemption_id".to_string(), "r-123".to_string()),
            ("_n".to_string(), "7".to_string())
        ]
    );
    assert_eq!(v.status, "publish");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coupon_created_directly_blocks_its_code_and_is_found() {
    let sim = sim().await;
    let api = Api::new(&sim);
    let id = sim.create_coupon_directly("  Staff-10 ");
    let dup = api.post("coupons", body("STAFF-10")).await;
    assert_eq!(
        (dup.status, dup.code()),
        (400, "woocommerce_rest_coupon_code_already_exists")
    );
    let found = api.get("coupons?code=staff-10").await;
    assert_eq!(found.body[0]["id"].as_u64(), Some(id));
    let v = &sim.coupons()[0];
    assert_eq!(
        (v.code.as_str(), v.status.as_str()),
        ("staff-10", "publish")
    );
    // wp-admin does not refuse a second one with the same code; the newest wins lookups.
    let newer = sim.create_coupon_directly("staff-10");
    assert_eq!(sim.coupons().len(), 2);
    let found = api.get("coupons?code=staff-10").await;
    assert_eq!(found.body.as_array().unwrap().len(), 1);
    assert_eq!(found.body[0]["id"].as_u64(), Some(newer));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_create_creates_first_and_answers_late() {
    let sim = sim().await;
    let api = Api::new(&sim);
    let wait = Duration::from_millis(1500);
    sim.faults()
        .coupon_create_next(1, CouponFault::SlowCreate(wait));
    let start = Instant::now();
    let call = {
        let api = api.clone();
        tokio::spawn(async move { api.post("coupons", body("SLOW-1")).await })
    };
    // The coupon is there while the answer is still pending.
    let deadline = Instant::now() + Duration::from_secs(1);
    while sim.coupons().is_empty() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(sim.coupons().len(), 1);
    assert!(!call.is_finished());
    let r = call.await.unwrap();
    assert_eq!(r.status, 201);
    assert!(start.elapsed() >= wait);
    // One call only.
    let start = Instant::now();
    assert_eq!(api.post("coupons", body("FAST-1")).await.status, 201);
    assert!(start.elapsed() < wait);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn error_after_create_answers_500_with_the_coupon_created() {
    let sim = sim().await;
    let api = Api::new(&sim);
    sim.faults()
        .coupon_create_next(1, CouponFault::ErrorAfterCreate);
    let r = api.post("coupons", body("AFTER-1")).await;
    assert_critical_error(&r);
    assert_eq!(sim.coupons()[0].code, "after-1");
    assert_eq!(
        api.get("coupons?code=after-1").await.body[0]["code"],
        "after-1"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn error_before_create_answers_500_with_nothing_created() {
    let sim = sim().await;
    let api = Api::new(&sim);
    sim.faults()
        .coupon_create_next(2, CouponFault::ErrorBeforeCreate);
    assert_critical_error(&api.post("coupons", body("BEFORE-1")).await);
    assert_critical_error(&api.post("coupons", body("BEFORE-1")).await);
    assert!(sim.coupons().is_empty());
    assert_eq!(api.post("coupons", body("BEFORE-1")).await.status, 201);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn code_taken_first_answers_the_duplicate_code_error() {
    let sim = sim().await;
    let api = Api::new(&sim);
    sim.faults()
        .coupon_create_next(1, CouponFault::CodeTakenFirst);
    let r = api.post("coupons", body("RACE-1")).await;
    assert_eq!(
        (r.status, r.code()),
        (400, "woocommerce_rest_coupon_code_already_exists")
    );
    assert_eq!(r.body["message"], "The coupon code already exists");
    let theirs = sim.coupons();
    assert_eq!(theirs.len(), 1);
    assert_eq!(theirs[0].code, "race-1");
    assert!(theirs[0].meta.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refuse_answers_the_given_rest_error_with_nothing_created() {
    let sim = sim().await;
    let api = Api::new(&sim);
    sim.faults().coupon_create_next(
        1,
        CouponFault::Refuse {
            status: 403,
            code: "woocommerce_rest_cannot_create".into(),
            message: "Sorry, you are not allowed to create resources.".into(),
        },
    );
    let r = api.post("coupons", body("NO-1")).await;
    assert_eq!(
        r.body,
        json!({"code": "woocommerce_rest_cannot_create",
               "message": "Sorry, you are not allowed to create resources.", "data": {"status": 403}})
    );
    assert_eq!(r.status, 403);
    assert!(sim.coupons().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lookup_faults_apply_to_lookups_by_code_only() {
    let sim = sim().await;
    let api = Api::new(&sim);
    assert_eq!(api.post("coupons", body("LOOK-1")).await.status, 201);
    sim.faults().coupon_lookup_next(1, LookupFault::Error);
    // A listing without `code` is not a lookup and is unaffected.
    assert_eq!(api.get("coupons").await.status, 200);
    assert_critical_error(&api.get("coupons?code=look-1").await);
    assert_eq!(api.get("coupons?code=look-1").await.status, 200);

    let wait = Duration::from_millis(800);
    sim.faults().coupon_lookup_next(1, LookupFault::Slow(wait));
    let start = Instant::now();
    let r = api.get("coupons?code=look-1").await;
    assert!(start.elapsed() >= wait);
    assert_eq!(r.body[0]["code"], "look-1");
    // Creation is not affected by lookup knobs, nor lookups by creation knobs.
    sim.faults()
        .coupon_create_next(1, CouponFault::ErrorBeforeCreate);
    assert_eq!(api.get("coupons?code=look-1").await.status, 200);
}
