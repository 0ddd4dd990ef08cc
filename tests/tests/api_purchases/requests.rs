//! The request rules of `POST /api/v1/cards/{card_id}/purchases`: the Idempotency-Key,
//! validation that names the field, the entry shape, cards that are not the partner's.

use serde_json::json;
use time::format_description::well_known::Rfc3339;

use super::{counter, fresh_key, ANN};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_idempotency_key_is_required() {
    let c = counter().await;
    let body = json!({"member_email": ANN, "amount": "10.00"});
    let (status, answer) = c.purchase(c.card_id(), &body, None).await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(answer["error"]["code"], "validation_failed");
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Idempotency-Key"),
        "{answer}"
    );
    let (status, _) = c.purchase(c.card_id(), &body, Some("  ")).await;
    assert_eq!(status, 400);
    let (status, _) = c.purchase(c.card_id(), &body, Some(&"k".repeat(151))).await;
    assert_eq!(status, 400);
    assert!(
        c.wallet(c.card_id(), ANN).await.is_none(),
        "nothing recorded"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_key_and_body_get_the_first_answer_and_another_body_is_refused() {
    let c = counter().await;
    let key = fresh_key();
    let body = json!({"member_email": ANN, "amount": "10.00", "reference": "R1"});
    let (status, first) = c.purchase(c.card_id(), &body, Some(&key)).await;
    assert_eq!(status, 201, "{first}");
    let (status, again) = c.purchase(c.card_id(), &body, Some(&key)).await;
    assert_eq!(status, 201);
    assert_eq!(again, first, "the first answer, word for word");

    for other in [
        json!({"member_email": ANN, "amount": "11.00", "reference": "R1"}),
        json!({"member_email": "bob@example.com", "amount": "10.00", "reference": "R1"}),
        json!({"member_email": ANN, "amount": "10.00"}),
    ] {
        let (status, answer) = c.purchase(c.card_id(), &other, Some(&key)).await;
        assert_eq!(status, 409, "{other}: {answer}");
        assert_eq!(answer["error"]["code"], "idempotency_key_reused");
    }
    // The same key on another card is another request too.
    let other_card = c
        .card("Tea", tests::counter::usd(ledger::Rounding::Down), &[])
        .await;
    assert_eq!(c.purchase(other_card, &body, Some(&key)).await.0, 409);

    let entries = c.entries(c.card_id(), ANN).await;
    assert_eq!(
        entries.len(),
        2,
        "one purchase and its welcome bonus: {entries:?}"
    );
    assert_eq!(c.wallet(c.card_id(), ANN).await.unwrap().balance, 60);
    assert!(c.wallet(c.card_id(), "bob@example.com").await.is_none());
    assert_eq!(c.emails_to(ANN).await.len(), 1, "one email");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_concurrent_requests_with_one_key_record_one_purchase() {
    let c = counter().await;
    let key = fresh_key();
    let url = c
        .server
        .url(&format!("/api/v1/cards/{}/purchases", c.card_id()));
    let mut requests = tokio::task::JoinSet::new();
    for _ in 0..10 {
        let (client, url, token, key) = (
            c.server.client.clone(),
            url.clone(),
            c.token.clone(),
            key.clone(),
        );
        requests.spawn(async move {
            let res = client
                .post(url)
                .bearer_auth(token)
                .header("Idempotency-Key", key)
                .json(&json!({"member_email": "new@example.com", "amount": "25.00"}))
                .send()
                .await
                .unwrap();
            (res.status().as_u16(), res.text().await.unwrap())
        });
    }
    let answers = requests.join_all().await;
    for (status, body) in &answers {
        assert_eq!(*status, 201, "{body}");
        assert_eq!(body, &answers[0].1, "every duplicate gets the first answer");
    }
    let entries = c.entries(c.card_id(), "new@example.com").await;
    let kinds: Vec<&str> = entries.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["purchase", "welcome_bonus"]);
    assert_eq!(
        c.wallet(c.card_id(), "new@example.com")
            .await
            .unwrap()
            .balance,
        75
    );
    assert_eq!(c.emails_to("new@example.com").await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_name_the_field_and_record_nothing() {
    let c = counter().await;
    let cases = [
        (
            json!({"member_email": ANN, "amount": "-5"}),
            "amount",
            "negative",
        ),
        (
            json!({"member_email": ANN, "amount": "abc"}),
            "amount",
            "number",
        ),
        (
            json!({"member_email": ANN, "amount": "1e5"}),
            "amount",
            "number",
        ),
        (
            json!({"member_email": ANN, "amount": "12,50"}),
            "amount",
            "number",
        ),
        (
            json!({"member_email": ANN, "amount": "12.345"}),
            "amount",
            "at most 2 decimals",
        ),
        (
            json!({"member_email": ANN, "amount": "0.00"}),
            "amount",
            "greater than zero",
        ),
        (
            json!({"member_email": ANN, "amount": "99999999999"}),
            "amount",
            "too large",
        ),
        (
            json!({"member_email": ANN, "amount": ""}),
            "amount",
            "Enter the amount",
        ),
        (
            json!({"member_email": ANN, "amount": 12.5}),
            "amount",
            "decimal string",
        ),
        (json!({"member_email": ANN}), "amount", "required"),
        (json!({"amount": "10.00"}), "member_email", "required"),
        (
            json!({"member_email": "ann@", "amount": "10.00"}),
            "member_email",
            "email",
        ),
        (
            json!({"member_email": "K7WX3M9P", "amount": "10.00"}),
            "member_email",
            "email",
        ),
        (
            json!({"member": "ab!cd", "amount": "10.00"}),
            "member",
            "member code",
        ),
        (
            json!({"member": ANN, "member_email": ANN, "amount": "10.00"}),
            "member",
            "not both",
        ),
        (
            json!({"member_email": ANN, "amount": "10.00", "reference": "r".repeat(201)}),
            "reference",
            "200",
        ),
        (
            json!({"member_email": ANN, "amount": "10.00", "reference": 7}),
            "reference",
            "string",
        ),
        (
            json!({"member_email": ANN, "amount": "10.00", "language": "xx"}),
            "language",
            "languages",
        ),
    ];
    for (body, field, says) in cases {
        let (status, answer) = c.purchase(c.card_id(), &body, Some(&fresh_key())).await;
        assert_eq!(status, 422, "{body}: {answer}");
        assert_eq!(answer["error"]["code"], "validation_failed", "{body}");
        let message = answer["error"]["message"].as_str().unwrap();
        assert!(
            message.starts_with(&format!("`{field}`")),
            "{body}: {message}"
        );
        assert!(message.contains(says), "{body}: {message}");
    }
    // Not JSON at all is a malformed request.
    let res = c
        .server
        .client
        .post(
            c.server
                .url(&format!("/api/v1/cards/{}/purchases", c.card_id())),
        )
        .bearer_auth(&c.token)
        .header("Idempotency-Key", fresh_key())
        .body("member_email=ann")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert!(
        c.wallet(c.card_id(), ANN).await.is_none(),
        "nothing recorded"
    );

    // A refused request gives its key back: corrected, it goes through.
    let key = fresh_key();
    let bad = json!({"member_email": ANN, "amount": "1.234"});
    assert_eq!(c.purchase(c.card_id(), &bad, Some(&key)).await.0, 422);
    let good = json!({"member_email": ANN, "amount": "1.23"});
    assert_eq!(c.purchase(c.card_id(), &good, Some(&key)).await.0, 201);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entries_have_the_documented_shape() {
    let c = counter().await;
    let body = json!({"member_email": ANN, "amount": "7.50", "reference": "R-77"});
    let (status, answer) = c.purchase(c.card_id(), &body, Some(&fresh_key())).await;
    assert_eq!(status, 201);
    let entries = answer["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    let mut keys: Vec<&str> = entries[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "applied_points",
            "balance_after",
            "channel",
            "created_at",
            "id",
            "kind",
            "note",
            "order_id",
            "points",
            "reference"
        ]
    );
    let stored = c.entries(c.card_id(), ANN).await;
    let purchase = &entries[0];
    assert_eq!(purchase["id"], stored[0].id.to_string());
    assert_eq!(purchase["kind"], "purchase");
    assert_eq!(purchase["channel"], "counter");
    assert_eq!(
        (
            purchase["points"].as_i64(),
            purchase["applied_points"].as_i64()
        ),
        (Some(7), Some(7))
    );
    assert_eq!(purchase["balance_after"], 7);
    assert!(purchase["order_id"].is_null() && purchase["note"].is_null());
    assert_eq!(purchase["reference"], "R-77");
    let created = purchase["created_at"].as_str().unwrap();
    assert!(
        time::OffsetDateTime::parse(created, &Rfc3339).is_ok(),
        "{created}"
    );
    assert_eq!(entries[1]["kind"], "welcome_bonus");
    assert_eq!(entries[1]["balance_after"], 57);
    assert_eq!(
        (answer["points"].as_i64(), answer["balance"].as_i64()),
        (Some(57), Some(57))
    );
    // Recorded in the activity log with the token as the actor.
    let mut conn = database::pool::get(c.server.db.pool()).await.unwrap();
    let log = database::activity::recent(&mut conn, c.partner_id(), 10)
        .await
        .unwrap();
    let entry = log
        .iter()
        .find(|a| a.action == "counter_purchase")
        .expect("logged");
    assert_eq!(entry.actor_kind, "api_token");
    assert_eq!(entry.details["amount"], "7.50");
    assert_eq!(
        (
            entry.details["points"].as_i64(),
            entry.details["welcome_bonus"].as_i64()
        ),
        (Some(7), Some(50))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_partners_card_an_unknown_card_and_an_inactive_card_are_refused() {
    let c = counter().await;
    let other = tests::woo::Store::connect_in(&c.server.db, "x", "Elsewhere").await;
    let body = json!({"member_email": ANN, "amount": "10.00"});
    for card in [other.card.id.to_string(), "999999".into(), "abc".into()] {
        let res = c
            .server
            .client
            .post(c.server.url(&format!("/api/v1/cards/{card}/purchases")))
            .bearer_auth(&c.token)
            .header("Idempotency-Key", fresh_key())
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404, "card {card}");
        let answer: serde_json::Value = res.json().await.unwrap();
        assert_eq!(answer["error"]["code"], "not_found");
    }
    // Without a token: 401.
    let res = c
        .server
        .client
        .post(
            c.server
                .url(&format!("/api/v1/cards/{}/purchases", c.card_id())),
        )
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);

    let mut conn = database::pool::get(c.server.db.pool()).await.unwrap();
    database::catalog::set_card_active(
        &mut conn,
        c.partner_id(),
        c.card_id(),
        false,
        time::OffsetDateTime::now_utc(),
    )
    .await
    .unwrap();
    drop(conn);
    let (status, answer) = c.purchase(c.card_id(), &body, Some(&fresh_key())).await;
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (422, Some("card_inactive")),
        "{answer}"
    );
    assert!(c.wallet(c.card_id(), ANN).await.is_none());
}
