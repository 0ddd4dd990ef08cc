//! The posting operation against a real PostgreSQL: exactly-once, never below zero,
//! append-only.

mod common;

use common::{now, world};
use database::posting::{self, EntrySource, Posting, PostingError};
use database::{pool, wallets};
use diesel_async::RunQueryDsl;
use ledger::{Channel, EntryKind, LedgerError, Points};

fn posting(w: &common::World, kind: EntryKind, points: i64, key: &str) -> Posting {
    Posting {
        partner_id: w.partner_id,
        wallet_id: w.wallet_id,
        kind,
        channel: Channel::Counter,
        points: Points::new(points),
        tier_points: Points::ZERO,
        idempotency_key: key.into(),
        source: EntrySource::default(),
        rule: None,
        now: now(),
    }
}

async fn balance(w: &common::World) -> i64 {
    let mut conn = pool::get(w.db.pool()).await.unwrap();
    wallets::find_by_id(&mut conn, w.partner_id, w.wallet_id)
        .await
        .unwrap()
        .unwrap()
        .balance
}

async fn entries(w: &common::World) -> Vec<posting::Entry> {
    let mut conn = pool::get(w.db.pool()).await.unwrap();
    posting::entries_of_wallet(&mut conn, w.partner_id, w.wallet_id, 1000)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_posting_moves_the_balance_and_records_balance_after() {
    let w = world().await;
    let first = posting::post(w.db.pool(), &posting(&w, EntryKind::Purchase, 40, "p1"))
        .await
        .unwrap();
    assert!(!first.replayed);
    assert_eq!(
        (
            first.entry.points,
            first.entry.applied_points,
            first.entry.balance_after
        ),
        (40, 40, 40)
    );
    posting::post(w.db.pool(), &posting(&w, EntryKind::Redemption, -15, "r1"))
        .await
        .unwrap();
    assert_eq!(balance(&w).await, 25);
}

#[tokio::test]
async fn refund_after_spending_records_the_full_deduction_and_clamps_at_zero() {
    let w = world().await;
    posting::post(w.db.pool(), &posting(&w, EntryKind::Purchase, 30, "p1"))
        .await
        .unwrap();
    let refund = posting::post(w.db.pool(), &posting(&w, EntryKind::Refund, -50, "f1"))
        .await
        .unwrap();
    assert_eq!(
        (
            refund.entry.points,
            refund.entry.applied_points,
            refund.entry.balance_after
        ),
        (-50, -30, 0)
    );
    assert_eq!(balance(&w).await, 0);
}

#[tokio::test]
async fn an_adjustment_larger_than_the_balance_is_refused_and_changes_nothing() {
    let w = world().await;
    posting::post(w.db.pool(), &posting(&w, EntryKind::Purchase, 10, "p1"))
        .await
        .unwrap();
    let err = posting::post(w.db.pool(), &posting(&w, EntryKind::Adjustment, -11, "a1"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            PostingError::Refused(LedgerError::AdjustmentExceedsBalance { .. })
        ),
        "{err:?}"
    );
    assert_eq!(balance(&w).await, 10);
    assert_eq!(entries(&w).await.len(), 1);
}

#[tokio::test]
async fn reposting_a_key_with_the_same_content_returns_the_first_entry() {
    let w = world().await;
    let first = posting::post(w.db.pool(), &posting(&w, EntryKind::Purchase, 12, "same"))
        .await
        .unwrap();
    let again = posting::post(w.db.pool(), &posting(&w, EntryKind::Purchase, 12, "same"))
        .await
        .unwrap();
    assert!(again.replayed);
    assert_eq!(again.entry, first.entry);
    assert_eq!(balance(&w).await, 12);
}

#[tokio::test]
async fn reposting_a_key_with_different_content_is_an_error() {
    let w = world().await;
    posting::post(w.db.pool(), &posting(&w, EntryKind::Purchase, 12, "same"))
        .await
        .unwrap();
    let err = posting::post(w.db.pool(), &posting(&w, EntryKind::Purchase, 13, "same"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, PostingError::IdempotencyKeyReused(ref k) if k == "same"),
        "{err:?}"
    );
    assert_eq!(balance(&w).await, 12);
}

#[tokio::test]
async fn posting_to_an_unknown_wallet_is_an_error() {
    let w = world().await;
    let mut p = posting(&w, EntryKind::Purchase, 1, "x");
    p.wallet_id += 1000;
    let err = posting::post(w.db.pool(), &p).await.unwrap_err();
    assert!(matches!(err, PostingError::WalletNotFound), "{err:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_postings_keep_balance_equal_to_the_sum_of_applied_points() {
    let w = std::sync::Arc::new(world().await);
    posting::post(w.db.pool(), &posting(&w, EntryKind::Purchase, 100, "seed"))
        .await
        .unwrap();
    let mut tasks = Vec::new();
    for i in 0..50 {
        let w = w.clone();
        tasks.push(tokio::spawn(async move {
            // A mix of credits, clamped refunds, redemptions and adjustments.
            let (kind, points) = match i % 5 {
                0 => (EntryKind::Purchase, 7),
                1 => (EntryKind::Refund, -40),
                2 => (EntryKind::Redemption, -25),
                3 => (EntryKind::Adjustment, -30),
                _ => (EntryKind::WelcomeBonus, 3),
            };
            posting::post(w.db.pool(), &posting(&w, kind, points, &format!("c{i}"))).await
        }));
    }
    let mut refused = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => {}
            Err(PostingError::Refused(_)) => refused += 1,
            Err(other) => panic!("unexpected error: {other:?}"),
        }
    }
    let all = entries(&w).await;
    let sum: i64 = all.iter().map(|e| e.applied_points).sum();
    assert_eq!(all.len() + refused, 51);
    assert_eq!(balance(&w).await, sum);
    assert!(sum >= 0);
    assert!(all.iter().all(|e| e.balance_after >= 0));
    // Replaying the history in order gives every recorded balance_after.
    let mut running = 0;
    for e in all.iter().rev() {
        running += e.applied_points;
        assert_eq!(e.balance_after, running, "entry {}", e.id);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_same_key_posted_twenty_times_concurrently_yields_one_entry() {
    let w = std::sync::Arc::new(world().await);
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let w = w.clone();
        tasks.push(tokio::spawn(async move {
            posting::post(
                w.db.pool(),
                &posting(&w, EntryKind::Purchase, 9, "order-77"),
            )
            .await
            .unwrap()
        }));
    }
    let mut fresh = 0;
    let mut ids = std::collections::HashSet::new();
    for task in tasks {
        let posted = task.await.unwrap();
        if !posted.replayed {
            fresh += 1;
        }
        ids.insert(posted.entry.id);
    }
    assert_eq!(fresh, 1);
    assert_eq!(ids.len(), 1);
    assert_eq!(entries(&w).await.len(), 1);
    assert_eq!(balance(&w).await, 9);
}

#[tokio::test]
async fn the_database_refuses_to_update_or_delete_an_entry() {
    let w = world().await;
    posting::post(w.db.pool(), &posting(&w, EntryKind::Purchase, 5, "p1"))
        .await
        .unwrap();
    let mut conn = pool::get(w.db.pool()).await.unwrap();
    let update = diesel::sql_query("UPDATE entries SET points = 500, applied_points = 500")
        .execute(&mut conn)
        .await;
    let message = update.unwrap_err().to_string();
    assert!(message.contains("append-only"), "{message}");
    let delete = diesel::sql_query("DELETE FROM entries")
        .execute(&mut conn)
        .await;
    assert!(delete.unwrap_err().to_string().contains("append-only"));
    let truncate = diesel::sql_query("TRUNCATE entries CASCADE")
        .execute(&mut conn)
        .await;
    assert!(truncate.is_err());
    assert_eq!(entries(&w).await[0].points, 5);
}

#[tokio::test]
async fn the_database_refuses_a_negative_balance_even_from_raw_sql() {
    let w = world().await;
    let mut conn = pool::get(w.db.pool()).await.unwrap();
    let result = diesel::sql_query("UPDATE wallets SET balance = -1")
        .execute(&mut conn)
        .await;
    let message = result.unwrap_err().to_string();
    assert!(message.contains("balance"), "{message}");
}
