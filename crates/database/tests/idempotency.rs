//! Idempotency keys against a real PostgreSQL: one request does the work, replays get
//! its answer, a different request with the same key is refused, and of many concurrent
//! claims exactly one wins.

mod common;

use common::{now, world};
use database::idempotency::{self, Claim, Key, ABANDONED_AFTER};
use database::pool;

fn key(partner_id: i64, k: &str) -> Key<'_> {
    Key {
        partner_id,
        scope: "test:redeem",
        key: k,
    }
}

#[tokio::test]
async fn a_key_is_fresh_once_then_in_flight_then_replayed() {
    let w = world().await;
    let mut conn = pool::get(w.db.pool()).await.unwrap();
    let k = key(w.partner_id, "k1");
    assert_eq!(
        idempotency::claim(&mut conn, k, b"body", now())
            .await
            .unwrap(),
        Claim::Fresh
    );
    assert_eq!(
        idempotency::claim(&mut conn, k, b"body", now())
            .await
            .unwrap(),
        Claim::InFlight
    );
    assert_eq!(
        idempotency::claim(&mut conn, k, b"other", now())
            .await
            .unwrap(),
        Claim::Reused
    );
    idempotency::complete(&mut conn, k, 201, b"{\"id\":\"7\"}", now())
        .await
        .unwrap();
    assert_eq!(
        idempotency::claim(&mut conn, k, b"body", now())
            .await
            .unwrap(),
        Claim::Replay {
            status: 201,
            body: b"{\"id\":\"7\"}".to_vec()
        }
    );
    // A finished key is never released or taken over.
    idempotency::release(&mut conn, k).await.unwrap();
    let later = now() + ABANDONED_AFTER * 10;
    assert!(matches!(
        idempotency::claim(&mut conn, k, b"body", later)
            .await
            .unwrap(),
        Claim::Replay { status: 201, .. }
    ));
}

#[tokio::test]
async fn a_released_key_can_be_used_again_and_an_abandoned_one_taken_over() {
    let w = world().await;
    let mut conn = pool::get(w.db.pool()).await.unwrap();
    let k = key(w.partner_id, "k2");
    assert_eq!(
        idempotency::claim(&mut conn, k, b"a", now()).await.unwrap(),
        Claim::Fresh
    );
    idempotency::release(&mut conn, k).await.unwrap();
    assert_eq!(
        idempotency::claim(&mut conn, k, b"b", now()).await.unwrap(),
        Claim::Fresh
    );
    let soon = now() + ABANDONED_AFTER - time::Duration::seconds(1);
    assert_eq!(
        idempotency::claim(&mut conn, k, b"b", soon).await.unwrap(),
        Claim::InFlight
    );
    let late = now() + ABANDONED_AFTER + time::Duration::seconds(1);
    assert_eq!(
        idempotency::claim(&mut conn, k, b"b", late).await.unwrap(),
        Claim::Fresh
    );
    assert_eq!(
        idempotency::claim(&mut conn, k, b"b", late).await.unwrap(),
        Claim::InFlight
    );
}

#[tokio::test]
async fn keys_belong_to_their_partner_and_scope() {
    let w = world().await;
    let mut conn = pool::get(w.db.pool()).await.unwrap();
    let k = key(w.partner_id, "shared");
    assert_eq!(
        idempotency::claim(&mut conn, k, b"a", now()).await.unwrap(),
        Claim::Fresh
    );
    let other_scope = Key {
        scope: "test:other",
        ..k
    };
    assert_eq!(
        idempotency::claim(&mut conn, other_scope, b"a", now())
            .await
            .unwrap(),
        Claim::Fresh
    );
    assert_eq!(
        idempotency::delete_before(&mut conn, now() + time::Duration::seconds(1))
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        idempotency::claim(&mut conn, k, b"a", now()).await.unwrap(),
        Claim::Fresh
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn of_twenty_concurrent_claims_exactly_one_is_fresh() {
    let w = world().await;
    let partner_id = w.partner_id;
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let pool = w.db.pool().clone();
        tasks.push(tokio::spawn(async move {
            let mut conn = pool::get(&pool).await.unwrap();
            idempotency::claim(&mut conn, key(partner_id, "race"), b"same", now())
                .await
                .unwrap()
        }));
    }
    let mut fresh = 0;
    for t in tasks {
        match t.await.unwrap() {
            Claim::Fresh => fresh += 1,
            Claim::InFlight => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(fresh, 1);
}
