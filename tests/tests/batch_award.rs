//! A batch of deliveries awards its new orders together, in a few multi-row statements
//! (`orders::batch`). Whatever the mix — new and known members, a member new to this
//! card, guests, repeats, refunds, other currencies, two stores — it must decide and
//! write exactly what the same deliveries decide one at a time.

use std::time::Instant;

use database::integrations;
use database::receipts::NewReceipt;
use database::testing::TestDatabase;
use database::{awards, members, outbox, pool, posting, receipts, wallets};
use tally::usecases::ingest::{self, Applied, Context, Job};
use tests::woo::{keys, order_json, Store};
use time::OffsetDateTime;

const SECRET: &str = "s3cretAlphanumeric42";

/// A database with two stores.
struct Side {
    db: TestDatabase,
    stores: [Store; 2],
}

async fn side() -> Side {
    let db = TestDatabase::new().await;
    let first = Store::connect_in(&db, SECRET, "Corner Café").await;
    let second = Store::connect_in(&db, SECRET, "Bakery Bram").await;
    // The first store offers its discount: its emails carry a sign-in link, issued in the
    // batch's transaction.
    let mut conn = pool::get(db.pool()).await.unwrap();
    let (_, mut settings) = integrations::find(&mut conn, first.partner_id, first.integration_id)
        .await
        .unwrap()
        .unwrap();
    settings.discount_enabled = true;
    integrations::update_settings(&mut conn, first.partner_id, first.integration_id, &settings)
        .await
        .unwrap();
    drop(conn);
    Side {
        db,
        stores: [first, second],
    }
}

async fn job(side: &Side, store: usize, body: &str, now: OffsetDateTime) -> Job {
    let store = &side.stores[store];
    let mut conn = pool::get(side.db.pool()).await.unwrap();
    let (integration, settings) =
        integrations::find(&mut conn, store.partner_id, store.integration_id)
            .await
            .unwrap()
            .unwrap();
    let Ok(webhook::Payload::Order(order)) = webhook::parse(body.as_bytes()) else {
        panic!("not an order: {body}");
    };
    Job {
        receipt: NewReceipt {
            partner_id: integration.partner_id,
            integration_id: integration.id,
            delivery_id: None,
            webhook_id: None,
            topic: Some("order.updated".into()),
            order_id: Some(order.id().to_string()),
            order_status: Some(order.status().as_str().into()),
            total: order.total().parse().ok(),
            currency: Some(order.currency().into()),
            email_hash: None,
            outcome: "failed".into(),
            reason: String::new(),
            points: 0,
            http_status: 200,
            received_at: now,
            processing_ms: 0,
        },
        integration,
        settings,
        order,
        now,
        started: Instant::now(),
    }
}

async fn apply(side: &Side, jobs: &[Job]) -> Applied {
    let keys = keys();
    let context = Context {
        keys: &keys,
        public_base_url: "https://loyalty.example",
    };
    let jobs: Vec<&Job> = jobs.iter().collect();
    ingest::apply_batch(side.db.pool(), context, &jobs)
        .await
        .unwrap()
}

fn in_euro(body: String) -> String {
    body.replace("\"currency\":\"USD\"", "\"currency\":\"EUR\"")
}

/// Deliveries as (store, body).
type Deliveries = Vec<(usize, String)>;

/// The deliveries applied before the batch, and the batch.
fn deliveries() -> (Deliveries, Deliveries) {
    let order = |id, status, total, email: Option<&str>| order_json(id, status, total, email, &[]);
    let before = vec![
        (0, order(1, "completed", "12.00", Some("carl@example.com"))),
        (0, order(2, "completed", "8.00", Some("carl@example.com"))),
        (1, order(3, "completed", "5.00", Some("xena@example.com"))),
        // Ivy then spends all her points (see below).
        (0, order(5, "completed", "10.00", Some("ivy@example.com"))),
    ];
    let batch = vec![
        (0, order(10, "completed", "20.00", Some("Ann@Example.com"))),
        (0, order(11, "processing", "35.50", Some("ben@example.com"))),
        (0, order(12, "completed", "5.00", None)),
        (0, order(13, "completed", "7.00", Some("ann@example.com"))),
        (0, order(14, "completed", "9.99", Some("carl@example.com"))),
        (
            0,
            order_json(
                15,
                "completed",
                "30.00",
                Some("dora@example.com"),
                &[(1, "-10.00")],
            ),
        ),
        (0, order(16, "pending", "10.00", Some("emil@example.com"))),
        (0, order(17, "completed", "10.00", Some("not-an-email"))),
        (
            0,
            in_euro(order(18, "completed", "10.00", Some("fay@example.com"))),
        ),
        (0, order(19, "completed", "0.50", Some("gus@example.com"))),
        (0, order(20, "completed", "40.00", Some("xena@example.com"))),
        (1, order(21, "completed", "15.00", Some("yuri@example.com"))),
        // Orders awarded before: their refunds take back from the award's wallet.
        (0, order(2, "refunded", "8.00", Some("carl@example.com"))),
        (0, order(10, "completed", "20.00", Some("ann@example.com"))),
        // Ivy's order refunded with her email gone from it, then a new order of hers:
        // one at a time, the refund finds nothing left to take and the new order's points
        // stay; the new order must not be written first.
        (0, order(5, "refunded", "10.00", None)),
        (0, order(22, "completed", "20.00", Some("ivy@example.com"))),
        (0, order(23, "completed", "25.00", Some("jon@example.com"))),
    ];
    (before, batch)
}

/// Ivy spends every point she has at the first store.
async fn ivy_spends_everything(side: &Side) {
    let store = &side.stores[0];
    let mut conn = pool::get(side.db.pool()).await.unwrap();
    let ivy = members::find_by_email(&mut conn, "ivy@example.com")
        .await
        .unwrap()
        .unwrap();
    let wallet = wallets::find(&mut conn, store.partner_id, store.card.id, ivy.id)
        .await
        .unwrap()
        .unwrap();
    drop(conn);
    posting::post(
        side.db.pool(),
        &posting::Posting {
            partner_id: store.partner_id,
            wallet_id: wallet.id,
            kind: ledger::EntryKind::Adjustment,
            channel: ledger::Channel::System,
            points: ledger::Points::new(-wallet.balance),
            tier_points: ledger::Points::ZERO,
            idempotency_key: "spent".into(),
            source: posting::EntrySource {
                note: Some("spent".into()),
                ..Default::default()
            },
            rule: None,
            now: OffsetDateTime::now_utc(),
        },
    )
    .await
    .unwrap();
}

/// Everything the deliveries wrote, without ids, codes and tokens.
async fn written(side: &Side) -> Vec<String> {
    let mut conn = pool::get(side.db.pool()).await.unwrap();
    let mut out = Vec::new();
    let emails = [
        "ann", "ben", "carl", "dora", "emil", "fay", "gus", "ivy", "jon", "xena", "yuri",
    ];
    for (s, store) in side.stores.iter().enumerate() {
        let mut receipts = receipts::recent(
            &mut conn,
            store.partner_id,
            store.integration_id,
            None,
            None,
            100,
        )
        .await
        .unwrap();
        receipts.sort_by_key(|r| r.id);
        for r in receipts {
            out.push(format!(
                "store {s} receipt {:?} {} {} {}",
                r.order_id, r.outcome, r.points, r.reason
            ));
        }
        for name in emails {
            let email = format!("{name}@example.com");
            let Some(member) = members::find_by_email(&mut conn, &email).await.unwrap() else {
                continue;
            };
            out.push(format!("member {email} {} {}", member.email, member.name));
            let Some(wallet) = wallets::find(&mut conn, store.partner_id, store.card.id, member.id)
                .await
                .unwrap()
            else {
                continue;
            };
            out.push(format!(
                "store {s} wallet {email} balance {} earned {} first purchase {}",
                wallet.balance,
                wallet.earned_points,
                wallet.first_purchase_at.is_some()
            ));
            let mut entries =
                posting::entries_of_wallet(&mut conn, store.partner_id, wallet.id, 100)
                    .await
                    .unwrap();
            entries.sort_by_key(|e| e.id);
            for e in entries {
                out.push(format!(
                    "store {s} entry {email} {} {} {} {} {} {:?} {:?} {:?}",
                    e.kind,
                    e.points,
                    e.applied_points,
                    e.balance_after,
                    e.idempotency_key
                        .replace(&store.integration_id.to_string(), "I"),
                    e.order_id,
                    e.reference,
                    e.rule
                ));
            }
        }
        for order in 1..=23 {
            if let Some(a) = awards::find(
                &mut conn,
                store.partner_id,
                store.integration_id,
                &order.to_string(),
            )
            .await
            .unwrap()
            {
                out.push(format!(
                    "store {s} award {order} {} {} {} taken back {} refunded {} {}",
                    a.order_total,
                    a.points_awarded,
                    a.welcome_bonus_points,
                    a.points_taken_back,
                    a.refunded_amount,
                    a.fully_refunded_at.is_some()
                ));
            }
        }
    }
    let mut queued: Vec<String> = outbox::recent(&mut conn, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|e| {
            let mut payload = e.payload.clone();
            blank_links(&mut payload);
            format!("email {} {} {} {payload}", e.kind, e.to_address, e.language)
        })
        .collect();
    queued.sort();
    out.extend(queued);
    out
}

/// Sign-in links carry a random token: blanked for the comparison.
fn blank_links(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::String(s) if s.contains("/l/") => *s = "<link>".into(),
        serde_json::Value::Array(items) => items.iter_mut().for_each(blank_links),
        serde_json::Value::Object(map) => map.values_mut().for_each(blank_links),
        _ => {}
    }
}

#[tokio::test]
async fn a_mixed_batch_writes_exactly_what_one_delivery_at_a_time_writes() {
    let (before, batch) = deliveries();
    let now = OffsetDateTime::now_utc();
    let (together, alone) = (side().await, side().await);
    for side in [&together, &alone] {
        for (store, body) in &before {
            let job = job(side, *store, body, now).await;
            apply(side, std::slice::from_ref(&job)).await;
        }
        ivy_spends_everything(side).await;
    }

    let mut jobs = Vec::new();
    for (store, body) in &batch {
        jobs.push(job(&together, *store, body, now).await);
    }
    let applied = apply(&together, &jobs).await;
    // Ann's first order, Ben, Carl's new order, Fay (another currency: skipped), Gus,
    // Xena on a card new to her, and Yuri at the second store; none after the first
    // delivery of an order awarded before (Carl's refund).
    assert_eq!(applied, Applied { together: 7 });
    for (store, body) in &batch {
        let job = job(&alone, *store, body, now).await;
        assert_eq!(
            apply(&alone, std::slice::from_ref(&job)).await,
            Applied { together: 0 },
            "a lone delivery takes the one-at-a-time path"
        );
    }

    let (got, expected) = (written(&together).await, written(&alone).await);
    for (g, e) in got.iter().zip(&expected) {
        assert_eq!(g, e);
    }
    assert_eq!(got.len(), expected.len());
    // A few of the facts that must hold, so that two equally wrong sides cannot pass.
    assert!(
        got.contains(
            &"store 0 wallet ann@example.com balance 77 earned 27 first purchase true".to_string()
        ),
        "{got:#?}"
    );
    assert!(
        got.iter()
            .any(|l| l.starts_with("store 0 wallet carl@example.com balance 71 ")),
        "{got:#?}"
    );
    assert!(
        got.contains(
            &"store 0 wallet xena@example.com balance 90 earned 40 first purchase true".to_string()
        ),
        "{got:#?}"
    );
    assert!(
        got.iter()
            .any(|l| l.starts_with("store 0 receipt Some(\"18\") skipped 0 Order currency EUR")),
        "{got:#?}"
    );
    assert!(
        got.iter()
            .any(|l| l.starts_with("store 1 receipt Some(\"21\") processed 65 ")),
        "{got:#?}"
    );
}
