//! Receipts: newest first, paged with the `next` cursor, filtered by outcome.

use reqwest::Method;
use serde_json::{json, Value};
use tests::woo::{deliver, order_json};

use super::{code, world, World, BASE, SECRET};

async fn insert_receipt(w: &World, outcome: &str, minutes_ago: i64) {
    let conn = database::pool::get(w.server.db.pool()).await.unwrap();
    database::receipts::insert(
        &conn,
        &database::receipts::NewReceipt {
            partner_id: w.shop.partner_id,
            integration_id: w.shop.integration_id,
            delivery_id: Some("d".into()),
            webhook_id: Some(12),
            topic: Some("order.updated".into()),
            order_id: Some(format!("{minutes_ago}")),
            order_status: Some("cancelled".into()),
            total: None,
            currency: None,
            email_hash: None,
            outcome: outcome.into(),
            reason: "inserted".into(),
            points: 0,
            http_status: 200,
            received_at: time::OffsetDateTime::now_utc() - time::Duration::minutes(minutes_ago),
            processing_ms: 1,
        },
    )
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn receipts_page_newest_first_with_the_cursor_and_filter_by_outcome() {
    let w = world().await;
    for m in (1..=5).rev() {
        insert_receipt(&w, "skipped", m).await;
    }
    let award = order_json(101, "processing", "40.00", Some("ann@example.com"), &[]);
    assert_eq!(
        deliver(&w.server, &w.shop, &award, SECRET).await.status(),
        200
    );
    let pending = order_json(102, "pending", "10.00", Some("bob@example.com"), &[]);
    assert_eq!(
        deliver(&w.server, &w.shop, &pending, SECRET).await.status(),
        200
    );
    assert_eq!(
        deliver(&w.server, &w.shop, &pending, "wrong-secret")
            .await
            .status(),
        401
    );

    let path = format!("{BASE}/{}/receipts", w.shop.integration_id);
    let (status, first) = w.call(Method::GET, &format!("{path}?limit=3"), None).await;
    assert_eq!(status, 200, "{first}");
    let outcomes = |page: &Value| {
        page["receipts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["outcome"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(outcomes(&first), ["failed", "ignored", "processed"]);
    let processed = &first["receipts"][2];
    assert_eq!(
        (
            processed["order_id"].as_str(),
            processed["order_status"].as_str()
        ),
        (Some("101"), Some("processing"))
    );
    assert!(processed["points"].as_i64().unwrap() >= 40 && processed["received_at"].is_string());
    assert!(processed.get("delivery_id").is_some() && processed["reason"].is_string());
    let next = first["next"].as_str().unwrap();
    let (_, second) = w
        .call(Method::GET, &format!("{path}?limit=3&before={next}"), None)
        .await;
    assert_eq!(outcomes(&second), ["skipped"; 3]);
    assert_eq!(
        second["receipts"][0]["order_id"], "1",
        "newest of the inserted ones first"
    );
    let (_, third) = w
        .call(
            Method::GET,
            &format!("{path}?limit=3&before={}", second["next"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(
        (outcomes(&third).len(), third["next"].clone()),
        (2, Value::Null)
    );
    let (_, all) = w.call(Method::GET, &path, None).await;
    assert_eq!(
        (
            all["receipts"].as_array().unwrap().len(),
            all["next"].clone()
        ),
        (8, Value::Null)
    );

    let (_, skipped) = w
        .call(
            Method::GET,
            &format!("{path}?outcome=skipped&limit=4"),
            None,
        )
        .await;
    assert_eq!(outcomes(&skipped), ["skipped"; 4]);
    let (_, rest) = w
        .call(
            Method::GET,
            &format!(
                "{path}?outcome=skipped&limit=4&before={}",
                skipped["next"].as_str().unwrap()
            ),
            None,
        )
        .await;
    assert_eq!(
        (outcomes(&rest), rest["next"].clone()),
        (vec!["skipped".to_owned()], Value::Null)
    );
    let (_, failed) = w
        .call(Method::GET, &format!("{path}?outcome=failed"), None)
        .await;
    assert_eq!(outcomes(&failed), ["failed"]);
    for bad in [
        "outcome=lost",
        "limit=0",
        "limit=201",
        "limit=ten",
        "before=abc",
    ] {
        let (status, body) = w.call(Method::GET, &format!("{path}?{bad}"), None).await;
        assert_eq!(
            (status, code(&body)),
            (400, "validation_failed"),
            "{bad}: {body}"
        );
    }

    let (_, got) = w
        .call(
            Method::GET,
            &format!("{BASE}/{}", w.shop.integration_id),
            None,
        )
        .await;
    assert_eq!(
        got["counts_24h"],
        json!({"processed": 1, "ignored": 1, "skipped": 5, "failed": 1})
    );
    assert!(
        got["last_delivery_at"].is_string() && got["last_failure"]["at"].is_string(),
        "{got}"
    );
    assert!(got["last_failure"]["reason"].is_string() && got["last_failure"]["hint"].is_string());
}
