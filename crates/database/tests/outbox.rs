//! The email outbox against a real PostgreSQL: an email cancelled while it was being
//! sent (its member deleted the account) stays cancelled and blanked.

mod common;

use common::{now, world};
use database::outbox::{self, NewEmail};
use database::{member_data, pool};

#[tokio::test]
async fn an_email_cancelled_mid_send_is_not_marked_sent_nor_refilled() {
    let w = world().await;
    let mut conn = pool::get(w.db.pool()).await.unwrap();
    let payload = serde_json::json!({"member_name": "Ann", "code": "123456"});
    let id = outbox::enqueue(
        &conn,
        &NewEmail {
            partner_id: Some(w.partner_id),
            member_id: Some(w.member_id),
            kind: "points",
            to_address: "ann@example.com",
            language: "en",
            payload: &payload,
            idempotency_key: "test:cancelled-mid-send",
            now: now(),
        },
    )
    .await
    .unwrap()
    .unwrap();
    // The account is deleted while the worker is talking to the SMTP server.
    member_data::erase_emails(&mut conn, w.member_id, "ann@example.com", "deleted@invalid")
        .await
        .unwrap();
    outbox::mark_sent(&mut conn, id, Some(&payload), now())
        .await
        .unwrap();
    let row = outbox::find(&mut conn, id).await.unwrap().unwrap();
    assert_eq!(row.status, "failed", "{row:?}");
    assert_ne!(row.payload, payload, "the content stays blanked: {row:?}");
    assert_eq!(row.to_address, "deleted@invalid");
}
