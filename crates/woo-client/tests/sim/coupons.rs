//! Coupons against the simulator: creation, duplicates, lookup, `meta_data`, and every
//! coupon fault knob as the client sees it (timeout, 500, lost race, refusal).

use std::time::Duration;

use time::macros::datetime;
use woo_client::{ClientConfig, ClientError, NewCoupon, WooApi, WooClient};
use woo_sim::{CouponFault, LookupFault};

use super::{trusting, Store};

fn coupon(code: &str) -> NewCoupon {
    NewCoupon::single_use(
        code,
        "5.00",
        "Ann.Buyer@example.com",
        datetime!(2031-01-31 23:59:59 +01:00),
        "Tally redemption 7",
    )
    .with_meta("_tally_redemption_id", "r-7")
}

/// A client that gives up after one second.
fn impatient(store: &Store) -> WooClient {
    WooClient::new(&ClientConfig {
        timeout: Duration::from_secs(1),
        ..trusting(&store.sim)
    })
    .unwrap()
}

fn codes_on_store(store: &Store) -> Vec<String> {
    store.sim.coupons().into_iter().map(|c| c.code).collect()
}

#[tokio::test]
async fn coupon_is_created_lower_case_refused_as_duplicate_and_found_by_code() {
    let store = Store::start().await;
    let creds = store.read_write();
    let coupon = NewCoupon::single_use(
        "POINTS-AB3CD4EF",
        "5.00",
        "ann.buyer@example.com",
        datetime!(2031-01-31 23:59:59 +01:00),
        "Tally redemption 1",
    );
    let created = store
        .client
        .create_coupon(&store.url, &creds, &coupon)
        .await
        .unwrap();
    assert_eq!(created.code, "points-ab3cd4ef");
    assert_eq!(created.amount, "5.00");
    assert!(created.date_expires.is_some());

    let again = NewCoupon {
        code: "Points-AB3CD4EF".into(),
        ..coupon
    };
    let err = store
        .client
        .create_coupon(&store.url, &creds, &again)
        .await
        .unwrap_err();
    match &err {
        ClientError::BadRequest { code, .. } => {
            assert_eq!(code, "woocommerce_rest_coupon_code_already_exists")
        }
        other => panic!("{other:?}"),
    }
    assert!(err.is_definite_refusal());
    assert!(err.is_duplicate_coupon_code());

    let found = store
        .client
        .find_coupon_by_code(&store.url, &creds, "POINTS-ab3cd4ef")
        .await
        .unwrap();
    assert_eq!(found.map(|c| c.id), Some(created.id));
    assert_eq!(
        store
            .client
            .find_coupon_by_code(&store.url, &creds, "POINTS-ZZZZZZZZ")
            .await,
        Ok(None)
    );
    store.sim.shutdown().await;
}

#[tokio::test]
async fn coupon_meta_and_restrictions_round_trip_through_find_by_code() {
    let store = Store::start().await;
    let creds = store.read_write();
    let created = store
        .client
        .create_coupon(&store.url, &creds, &coupon("META-1"))
        .await
        .unwrap();
    assert_eq!(created.meta("_tally_redemption_id").as_deref(), Some("r-7"));
    assert!(created.meta_data[0].id.is_some(), "each meta gets an id");

    let found = store
        .client
        .find_coupon_by_code(&store.url, &creds, "meta-1")
        .await
        .unwrap()
        .expect("found");
    assert_eq!(found.meta("_tally_redemption_id").as_deref(), Some("r-7"));
    assert_eq!(found.meta_data, created.meta_data);
    assert_eq!(found.email_restrictions, vec!["ann.buyer@example.com"]);
    assert_eq!(found.usage_limit, Some(1));
    assert_eq!(found.discount_type.as_deref(), Some("fixed_cart"));
    assert_eq!(found.description.as_deref(), Some("Tally redemption 7"));
    assert_eq!(
        found.date_expires_gmt.as_deref(),
        Some("2031-01-31T22:59:59")
    );

    let on_store = store.sim.coupons();
    assert_eq!(on_store.len(), 1);
    assert_eq!(
        on_store[0].meta,
        vec![("_tally_redemption_id".to_string(), "r-7".to_string())]
    );
    assert_eq!(on_store[0].usage_limit_per_user, 1);
    store.sim.shutdown().await;
}

#[tokio::test]
async fn slow_create_times_out_although_the_coupon_exists() {
    let store = Store::start().await;
    let creds = store.read_write();
    store
        .sim
        .faults()
        .coupon_create_next(1, CouponFault::SlowCreate(Duration::from_secs(3)));
    let err = impatient(&store)
        .create_coupon(&store.url, &creds, &coupon("SLOW-1"))
        .await
        .unwrap_err();
    assert_eq!(err, ClientError::Timeout);
    assert!(err.is_transient());
    assert_eq!(codes_on_store(&store), vec!["slow-1"]);
    let found = store
        .client
        .find_coupon_by_code(&store.url, &creds, "SLOW-1")
        .await
        .unwrap()
        .expect("the coupon was created");
    assert_eq!(found.meta("_tally_redemption_id").as_deref(), Some("r-7"));
    store.sim.shutdown().await;
}

#[tokio::test]
async fn error_after_create_is_transient_and_the_coupon_exists() {
    let store = Store::start().await;
    let creds = store.read_write();
    store
        .sim
        .faults()
        .coupon_create_next(1, CouponFault::ErrorAfterCreate);
    let err = store
        .client
        .create_coupon(&store.url, &creds, &coupon("AFTER-1"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, ClientError::ServerError { status: 500, .. }),
        "{err:?}"
    );
    assert!(err.is_transient() && !err.is_definite_refusal());
    let found = store
        .client
        .find_coupon_by_code(&store.url, &creds, "after-1")
        .await
        .unwrap();
    assert!(found.is_some());
    // Retrying the same code now meets the coupon it created.
    let again = store
        .client
        .create_coupon(&store.url, &creds, &coupon("AFTER-1"))
        .await
        .unwrap_err();
    assert!(again.is_duplicate_coupon_code());
    store.sim.shutdown().await;
}

#[tokio::test]
async fn error_before_create_is_transient_and_nothing_exists() {
    let store = Store::start().await;
    let creds = store.read_write();
    store
        .sim
        .faults()
        .coupon_create_next(1, CouponFault::ErrorBeforeCreate);
    let err = store
        .client
        .create_coupon(&store.url, &creds, &coupon("BEFORE-1"))
        .await
        .unwrap_err();
    assert!(err.is_transient(), "{err:?}");
    assert!(store.sim.coupons().is_empty());
    // Only the next one was affected.
    store
        .client
        .create_coupon(&store.url, &creds, &coupon("BEFORE-1"))
        .await
        .unwrap();
    assert_eq!(codes_on_store(&store), vec!["before-1"]);
    store.sim.shutdown().await;
}

#[tokio::test]
async fn a_code_taken_first_by_someone_else_is_a_duplicate() {
    let store = Store::start().await;
    let creds = store.read_write();
    store
        .sim
        .faults()
        .coupon_create_next(1, CouponFault::CodeTakenFirst);
    let err = store
        .client
        .create_coupon(&store.url, &creds, &coupon("RACE-1"))
        .await
        .unwrap_err();
    assert!(err.is_duplicate_coupon_code(), "{err:?}");
    assert!(err.is_definite_refusal());
    let theirs = store.sim.coupons();
    assert_eq!(theirs.len(), 1);
    assert_eq!(theirs[0].code, "race-1");
    assert!(theirs[0].meta.is_empty(), "not ours: no redemption meta");
    let found = store
        .client
        .find_coupon_by_code(&store.url, &creds, "RACE-1")
        .await
        .unwrap()
        .expect("theirs is found");
    assert_eq!(found.id, theirs[0].id);
    assert_eq!(found.meta("_tally_redemption_id"), None);

    // A shop manager's coupon made in wp-admin blocks the code the same way.
    let id = store.sim.create_coupon_directly("Manual-1");
    assert!(store
        .sim
        .coupons()
        .iter()
        .any(|c| c.id == id && c.code == "manual-1"));
    let err = store
        .client
        .create_coupon(&store.url, &creds, &coupon("MANUAL-1"))
        .await
        .unwrap_err();
    assert!(err.is_duplicate_coupon_code());
    store.sim.shutdown().await;
}

#[tokio::test]
async fn a_refused_create_is_a_definite_refusal_and_nothing_exists() {
    let store = Store::start().await;
    let creds = store.read_write();
    store.sim.faults().coupon_create_next(
        1,
        CouponFault::Refuse {
            status: 400,
            code: "coupon_invalid_email_address".into(),
            message: "Invalid email address restriction".into(),
        },
    );
    let err = store
        .client
        .create_coupon(&store.url, &creds, &coupon("NO-1"))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        ClientError::BadRequest {
            code: "coupon_invalid_email_address".into(),
            message: "Invalid email address restriction".into(),
        }
    );
    assert!(err.is_definite_refusal() && !err.is_transient());
    assert!(!err.is_duplicate_coupon_code());
    assert!(store.sim.coupons().is_empty());
    store.sim.shutdown().await;
}

#[tokio::test]
async fn lookup_faults_are_timeout_and_transient_errors() {
    let store = Store::start().await;
    let creds = store.read_write();
    store
        .client
        .create_coupon(&store.url, &creds, &coupon("LOOK-1"))
        .await
        .unwrap();
    let faults = store.sim.faults();

    faults.coupon_lookup_next(1, LookupFault::Slow(Duration::from_secs(3)));
    let err = impatient(&store)
        .find_coupon_by_code(&store.url, &creds, "LOOK-1")
        .await
        .unwrap_err();
    assert_eq!(err, ClientError::Timeout);

    faults.coupon_lookup_next(1, LookupFault::Error);
    let err = store
        .client
        .find_coupon_by_code(&store.url, &creds, "LOOK-1")
        .await
        .unwrap_err();
    assert!(
        matches!(err, ClientError::ServerError { status: 500, .. }),
        "{err:?}"
    );
    assert!(err.is_transient());

    let found = store
        .client
        .find_coupon_by_code(&store.url, &creds, "LOOK-1")
        .await
        .unwrap();
    assert!(found.is_some(), "the knobs applied to one lookup each");
    store.sim.shutdown().await;
}
