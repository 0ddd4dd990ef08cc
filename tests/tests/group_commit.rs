//! Group commit of webhook deliveries (`usecases::ingest`) against the running binary:
//! deliveries queued behind a busy writer share one transaction, a failing one fails
//! alone, and nothing is answered before it is committed.

use std::sync::Arc;
use std::time::Duration;

use tests::woo::{deliver, hold_order_lock, order_json, Store};
use tests::TestServer;

const SECRET: &str = "s3cretAlphanumeric42";
/// One writer: every delivery queues behind the one before.
const ONE_WRITER: [(&str, &str); 2] = [("FEATURE_WOOCOMMERCE", "true"), ("INGEST_WRITERS", "1")];

fn spawn_delivery(
    server: &Arc<TestServer>,
    store: &Store,
    body: String,
) -> tokio::task::JoinHandle<u16> {
    let (server, store) = (server.clone(), store.clone());
    tokio::spawn(async move {
        deliver(&server, &store, &body, SECRET)
            .await
            .status()
            .as_u16()
    })
}

/// A server with one writer, busy with a delivery of `order_id` that waits on the order's
/// lock (held until the returned sender fires): what is delivered next queues behind it
/// and shares the writer's next batch.
async fn writer_busy_on(
    order_id: i64,
) -> (
    Arc<TestServer>,
    Store,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<Result<(), database::DbError>>,
    tokio::task::JoinHandle<u16>,
) {
    let server = TestServer::start_with(&ONE_WRITER).await;
    let store = Store::connect(&server, SECRET).await;
    let (release, holder) = hold_order_lock(&server, &store, &order_id.to_string()).await;
    let server = Arc::new(server);
    let first = spawn_delivery(
        &server,
        &store,
        order_json(
            order_id,
            "completed",
            "10.00",
            Some("first@example.com"),
            &[],
        ),
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    (server, store, release, holder, first)
}

#[tokio::test]
async fn a_delivery_that_fails_inside_a_shared_batch_fails_alone_and_the_others_are_awarded() {
    let (server, store, release, holder, first) = writer_busy_on(500).await;
    let mut queued = Vec::new();
    for i in 0..6 {
        let email = format!("q{i}@example.com");
        queued.push((
            Some(email.clone()),
            spawn_delivery(
                &server,
                &store,
                order_json(510 + i, "completed", "20.00", Some(&email), &[]),
            ),
        ));
    }
    // A total WooCommerce's format allows but the ledger refuses (more than 40
    // characters): this delivery's decision fails.
    let huge = "9".repeat(48);
    queued.push((
        None,
        spawn_delivery(
            &server,
            &store,
            order_json(599, "completed", &huge, Some("bad@example.com"), &[]),
        ),
    ));
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(
        store.balance(&server, "q0@example.com").await,
        None,
        "nothing is written while the batch ahead waits"
    );
    release.send(()).unwrap();
    holder.await.unwrap().unwrap();
    assert_eq!(first.await.unwrap(), 200);
    for (email, task) in queued {
        let status = task.await.unwrap();
        match email {
            Some(email) => {
                assert_eq!(status, 200, "{email}");
                // 20.00 at the test card's rate, plus the welcome bonus.
                assert_eq!(store.balance(&server, &email).await, Some(70), "{email}");
            }
            None => assert_eq!(status, 500, "the unreadable order"),
        }
    }
    assert_eq!(store.balance(&server, "bad@example.com").await, None);
    assert!(
        server
            .logs()
            .contains("a batch of deliveries failed; applying each on its own"),
        "the queued deliveries shared one batch, which failed and was applied one by one"
    );
    let receipts = store.receipts(&server).await;
    assert_eq!(receipts.len(), 8, "one receipt per delivery, none twice");
    assert_eq!(
        receipts.iter().filter(|r| r.outcome == "processed").count(),
        7
    );
    let failed: Vec<_> = receipts.iter().filter(|r| r.outcome == "failed").collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].order_id.as_deref(), Some("599"));
    assert_eq!(failed[0].http_status, 500);
}

#[tokio::test]
async fn copies_of_one_order_in_one_batch_award_it_once() {
    let (server, store, release, holder, first) = writer_busy_on(700).await;
    let mut copies = Vec::new();
    for _ in 0..5 {
        copies.push(spawn_delivery(
            &server,
            &store,
            order_json(701, "completed", "20.00", Some("twice@example.com"), &[]),
        ));
        copies.push(spawn_delivery(
            &server,
            &store,
            order_json(702, "processing", "30.00", Some("twice@example.com"), &[]),
        ));
    }
    tokio::time::sleep(Duration::from_millis(700)).await;
    release.send(()).unwrap();
    holder.await.unwrap().unwrap();
    assert_eq!(first.await.unwrap(), 200);
    for copy in copies {
        assert_eq!(copy.await.unwrap(), 200);
    }
    // 20 + 30 at the test card's rate, one welcome bonus for the member's first order.
    assert_eq!(
        store.balance(&server, "twice@example.com").await,
        Some(20 + 30 + 50)
    );
    let receipts = store.receipts(&server).await;
    assert_eq!(receipts.len(), 11);
    assert_eq!(
        receipts.iter().filter(|r| r.outcome == "processed").count(),
        3,
        "the held order and each of the two others once"
    );
}

/// New orders of a batch are written together, in multi-row statements: when one of those
/// statements fails half-way (here the entries', on a key already used for another
/// wallet), nothing of the batch stays, and each delivery is applied again on its own.
#[tokio::test]
async fn a_multi_row_write_that_fails_half_way_rolls_the_batch_back_and_each_is_applied_alone() {
    let (server, store, release, holder, first) = writer_busy_on(800).await;
    // Order 830's purchase key, already taken by an entry on another member's wallet.
    {
        let now = time::OffsetDateTime::now_utc();
        let mut conn = database::pool::get(server.db.pool()).await.unwrap();
        let (early, _) = database::members::find_or_create(
            &mut conn,
            &database::members::NewMember {
                email: "early@example.com",
                email_normalized: "early@example.com",
                name: "Early",
                language: "en",
                now,
            },
            || "KNQC2DE3".into(),
        )
        .await
        .unwrap();
        let (wallet, _) = database::wallets::find_or_create(
            &mut conn,
            store.partner_id,
            store.card.id,
            early.id,
            now,
        )
        .await
        .unwrap();
        drop(conn);
        database::posting::post(
            server.db.pool(),
            &database::posting::Posting {
                partner_id: store.partner_id,
                wallet_id: wallet.id,
                kind: ledger::EntryKind::Adjustment,
                channel: ledger::Channel::System,
                points: ledger::Points::new(1),
                tier_points: ledger::Points::ZERO,
                idempotency_key: format!("woo:{}:830", store.integration_id),
                source: database::posting::EntrySource {
                    note: Some("taken".into()),
                    ..Default::default()
                },
                rule: None,
                now,
            },
        )
        .await
        .unwrap();
    }
    let mut queued = Vec::new();
    for i in 0..4 {
        let email = format!("w{i}@example.com");
        queued.push((
            Some(email.clone()),
            spawn_delivery(
                &server,
                &store,
                order_json(810 + i, "completed", "20.00", Some(&email), &[]),
            ),
        ));
    }
    queued.push((
        None,
        spawn_delivery(
            &server,
            &store,
            order_json(830, "completed", "20.00", Some("late@example.com"), &[]),
        ),
    ));
    tokio::time::sleep(Duration::from_millis(700)).await;
    release.send(()).unwrap();
    holder.await.unwrap().unwrap();
    assert_eq!(first.await.unwrap(), 200);
    for (email, task) in queued {
        let status = task.await.unwrap();
        match email {
            Some(email) => {
                assert_eq!(status, 200, "{email}");
                assert_eq!(store.balance(&server, &email).await, Some(70), "{email}");
            }
            None => assert_eq!(status, 500, "the order whose key was taken"),
        }
    }
    assert!(server
        .logs()
        .contains("a batch of deliveries failed; applying each on its own"));
    assert_eq!(
        store.balance(&server, "late@example.com").await,
        None,
        "nothing of the failed order stays"
    );
    assert_eq!(store.balance(&server, "early@example.com").await, Some(1));
    let receipts = store.receipts(&server).await;
    assert_eq!(receipts.len(), 6, "one receipt per delivery, none twice");
    assert_eq!(
        receipts.iter().filter(|r| r.outcome == "processed").count(),
        5
    );
}
