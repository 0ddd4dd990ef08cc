//! Redemption rows against a real PostgreSQL: one per idempotency key, a saga step saved
//! by one process only (compare and swap), and due redemptions claimed by one worker.

mod common;

use bigdecimal::BigDecimal;
use common::{now, world};
use database::integrations::{self, NewIntegration};
use database::pool;
use database::redemptions::{self, NewRedemption, SagaUpdate};

async fn integration(w: &common::World) -> i64 {
    let mut conn = pool::get(w.db.pool()).await.unwrap();
    integrations::create(
        &mut conn,
        &NewIntegration {
            partner_id: w.partner_id,
            public_id: "pub-redemption-test",
            club_id: w.card.club_id,
            card_id: w.card.id,
            store_url: "https://shop.test",
            consumer_key_enc: b"k",
            consumer_secret_enc: b"s",
            webhook_secret_enc: b"w",
            now: now(),
        },
    )
    .await
    .unwrap()
    .id
}

fn new<'a>(
    w: &common::World,
    integration_id: i64,
    key: &'a str,
    amount: &'a BigDecimal,
    saga: &'a serde_json::Value,
) -> NewRedemption<'a> {
    NewRedemption {
        partner_id: w.partner_id,
        integration_id,
        wallet_id: w.wallet_id,
        points: 100,
        amount,
        currency: "USD",
        code: "POINTS-ABCDEFGH",
        expires_on: now().date(),
        requested_by: "member",
        partner_user_id: None,
        idempotency_key: key,
        saga,
        next_attempt_at: now(),
        created_at: now(),
    }
}

#[tokio::test]
async fn one_redemption_per_key_and_one_saver_per_step() {
    let w = world().await;
    let id = integration(&w).await;
    let amount = BigDecimal::from(5);
    let saga = serde_json::json!({});
    let mut conn = pool::get(w.db.pool()).await.unwrap();
    let (first, inserted) =
        redemptions::insert_or_find(&mut conn, &new(&w, id, "k", &amount, &saga))
            .await
            .unwrap();
    assert!(inserted);
    let (again, inserted) =
        redemptions::insert_or_find(&mut conn, &new(&w, id, "k", &amount, &saga))
            .await
            .unwrap();
    assert!(!inserted);
    assert_eq!(again.id, first.id);

    let doc = serde_json::json!({"step": 1});
    let update = SagaUpdate {
        partner_id: w.partner_id,
        id: first.id,
        expected_version: first.saga_version,
        saga: &doc,
        code: "POINTS-ABCDEFGH",
        status: "pending",
        coupon_id: None,
        attempts: 1,
        next_attempt_at: None,
        last_error: None,
        issued_at: None,
    };
    assert!(
        redemptions::save_saga(&mut conn, &update)
            .await
            .unwrap()
            .is_some(),
        "the first saver wins"
    );
    assert!(
        redemptions::save_saga(&mut conn, &update)
            .await
            .unwrap()
            .is_none(),
        "a second saver of the same step loses"
    );
    let finished = SagaUpdate {
        expected_version: first.saga_version + 1,
        status: "issued",
        coupon_id: Some(9),
        ..update.clone()
    };
    assert!(redemptions::save_saga(&mut conn, &finished)
        .await
        .unwrap()
        .is_some());
    let late = SagaUpdate {
        expected_version: first.saga_version + 2,
        status: "reversed",
        ..update
    };
    assert!(
        redemptions::save_saga(&mut conn, &late)
            .await
            .unwrap()
            .is_none(),
        "a finished redemption never changes"
    );
    let row = redemptions::find(&mut conn, w.partner_id, first.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((row.status.as_str(), row.coupon_id), ("issued", Some(9)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_due_redemption_is_claimed_by_one_worker_and_leased() {
    let w = world().await;
    let id = integration(&w).await;
    let amount = BigDecimal::from(5);
    let saga = serde_json::json!({});
    {
        let mut conn = pool::get(w.db.pool()).await.unwrap();
        redemptions::insert_or_find(&mut conn, &new(&w, id, "due", &amount, &saga))
            .await
            .unwrap();
    }
    let later = now() + time::Duration::seconds(1);
    let lease = later + time::Duration::minutes(2);
    let mut tasks = Vec::new();
    for _ in 0..6 {
        let pool = w.db.pool().clone();
        tasks.push(tokio::spawn(async move {
            let mut conn = pool::get(&pool).await.unwrap();
            redemptions::claim_due(&mut conn, later, lease)
                .await
                .unwrap()
        }));
    }
    let mut claimed = 0;
    for t in tasks {
        if let Some(r) = t.await.unwrap() {
            claimed += 1;
            assert_eq!(r.next_attempt_at, Some(lease));
        }
    }
    assert_eq!(claimed, 1, "one worker takes it");
    let mut conn = pool::get(w.db.pool()).await.unwrap();
    assert!(
        redemptions::claim_due(&mut conn, later, lease)
            .await
            .unwrap()
            .is_none(),
        "leased"
    );
    assert!(
        redemptions::claim_due(&mut conn, lease, lease + time::Duration::minutes(2))
            .await
            .unwrap()
            .is_some(),
        "the lease runs out"
    );
}
