//! The members endpoints of the partner API (SPEC §8) against the running binary: finding
//! a member by email, code or number; a wallet with its value and entries; manual
//! adjustments with every `Idempotency-Key` rule, including concurrent duplicates; and
//! nothing of another partner's.

use database::members::Member;
use database::pool;
use reqwest::Method;
use serde_json::{json, Value};
use tests::members::{counter_purchase, entries, join};
use tests::woo::Store;
use tests::{api_token, TestServer};

const SECRET: &str = "s3cretAlphanumeric42";
const ANN: &str = "ann@example.com";

struct World {
    server: TestServer,
    shop: Store,
    token: String,
    /// 62 points on the card: 12 from a counter purchase of 12.34 and the bonus of 50.
    ann: Member,
}

async fn world() -> World {
    let server = TestServer::start_with(&[("FEATURE_WOOCOMMERCE", "true")]).await;
    let shop = Store::connect_in(&server.db, SECRET, "Corner Café").await;
    let token = api_token(&server, shop.partner_id).await;
    let ann = join(&server, &shop, ANN, "Ann Archer").await;
    counter_purchase(&server, &shop, &ann, "12.34").await;
    World {
        server,
        shop,
        token,
        ann,
    }
}

impl World {
    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        key: Option<&str>,
    ) -> (u16, Value) {
        call(&self.server, Some(&self.token), method, path, body, key).await
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        self.call(Method::GET, path, None, None).await
    }

    fn adjustments(&self) -> String {
        format!("/api/v1/cards/{}/adjustments", self.shop.card.id)
    }

    async fn adjust(&self, body: Value, key: Option<&str>) -> (u16, Value) {
        self.call(Method::POST, &self.adjustments(), Some(body), key)
            .await
    }

    async fn balance(&self) -> i64 {
        self.shop.balance(&self.server, ANN).await.unwrap()
    }

    async fn adjustment_count(&self) -> usize {
        let all = entries(&self.server, &self.shop, &self.ann).await;
        all.iter().filter(|e| e.kind == "adjustment").count()
    }
}

async fn call(
    server: &TestServer,
    token: Option<&str>,
    method: Method,
    path: &str,
    body: Option<Value>,
    key: Option<&str>,
) -> (u16, Value) {
    let mut req = server.client.request(method, server.url(path));
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    if let Some(key) = key {
        req = req.header("Idempotency-Key", key);
    }
    if let Some(body) = body {
        req = req.json(&body);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_is_found_by_email_code_or_number() {
    let w = world().await;
    let expected = json!({
        "id": w.ann.id.to_string(), "number": w.ann.number, "code": w.ann.code,
        "email": ANN, "name": "Ann Archer", "language": "en",
    });
    let by_email = format!("/api/v1/members?email={}", "%20Ann@EXAMPLE.com%20");
    let by_code = format!("/api/v1/members?code={}", w.ann.code.to_lowercase());
    let by_number = format!("/api/v1/members?number={}", w.ann.number);
    for path in [by_email, by_code, by_number] {
        let (status, body) = w.get(&path).await;
        assert_eq!((status, &body), (200, &expected), "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lookup_needs_exactly_one_key_and_finds_no_stranger() {
    let w = world().await;
    for path in [
        "/api/v1/members".to_owned(),
        "/api/v1/members?email=".to_owned(),
        format!("/api/v1/members?email={ANN}&code={}", w.ann.code),
        "/api/v1/members?number=12ab".to_owned(),
    ] {
        let (status, body) = w.get(&path).await;
        assert_eq!(
            (status, code(&body)),
            (400, "validation_failed"),
            "{path}: {body}"
        );
    }
    let (status, body) = w.get("/api/v1/members?email=nobody@example.com").await;
    assert_eq!((status, code(&body)), (404, "not_found"));
    // Known to another partner only: not this partner's member.
    let other = Store::connect_in(&w.server.db, SECRET, "Other Shop").await;
    let carol = join(&w.server, &other, "carol@example.com", "Carol").await;
    for path in [
        "/api/v1/members?email=carol@example.com".to_owned(),
        format!("/api/v1/members?number={}", carol.number),
        format!("/api/v1/members?code={}", carol.code),
    ] {
        assert_eq!(w.get(&path).await.0, 404, "{path}");
    }
    let (status, _) = call(
        &w.server,
        None,
        Method::GET,
        "/api/v1/members?email=ann@example.com",
        None,
        None,
    )
    .await;
    assert_eq!(status, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_wallet_answers_balance_value_and_entries_newest_first() {
    let w = world().await;
    let path = format!("/api/v1/cards/{}/wallets/{}", w.shop.card.id, w.ann.id);
    let (status, wallet) = w.get(&path).await;
    assert_eq!(status, 200, "{wallet}");
    assert_eq!(wallet["member_id"], w.ann.id.to_string().as_str());
    assert_eq!(wallet["card_id"], w.shop.card.id.to_string().as_str());
    assert_eq!(wallet["points"], 62);
    assert_eq!(wallet["value"], Value::Null, "the points discount is off");
    let kinds: Vec<&str> = wallet["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["welcome_bonus", "purchase"]);
    let purchase = &wallet["entries"][1];
    let mut keys: Vec<&str> = purchase
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    for field in [
        "applied_points",
        "balance_after",
        "channel",
        "created_at",
        "id",
        "kind",
        "order_id",
        "points",
        "reference",
    ] {
        assert!(keys.contains(&field), "{field} in {purchase}");
    }
    assert_eq!(purchase["channel"], "counter");
    assert_eq!(
        (
            purchase["points"].as_i64(),
            purchase["applied_points"].as_i64()
        ),
        (Some(12), Some(12))
    );
    assert_eq!(purchase["balance_after"], 12);
    assert_eq!(purchase["order_id"], Value::Null);
    assert!(purchase["id"].is_string());
    assert!(time::OffsetDateTime::parse(
        purchase["created_at"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339
    )
    .is_ok());
    // Paged with limit and before.
    let (_, first) = w.get(&format!("{path}?limit=1")).await;
    assert_eq!(first["entries"].as_array().unwrap().len(), 1);
    assert_eq!(first["entries"][0]["kind"], "welcome_bonus");
    let next = first["next"].as_str().expect("a next cursor");
    let (_, second) = w.get(&format!("{path}?limit=1&before={next}")).await;
    assert_eq!(second["entries"][0]["kind"], "purchase");
    assert_eq!(second["next"], Value::Null);
    assert_eq!(w.get(&format!("{path}?limit=500")).await.0, 400);
    // With the store's points discount on, the balance has a value: 62 × 0.05.
    w.shop
        .set(&w.server, |s| {
            s.discount_enabled = true;
            s.value_per_point = "0.05".parse().unwrap();
        })
        .await;
    let (_, wallet) = w.get(&path).await;
    assert_eq!(
        wallet["value"],
        json!({"amount": "3.10", "currency": "USD"})
    );
    // No wallet on the card, another partner's card or member: 404.
    let bob = join(
        &w.server,
        &Store::connect_in(&w.server.db, SECRET, "Other").await,
        "bob@example.com",
        "Bob",
    )
    .await;
    let other = Store::connect_in(&w.server.db, SECRET, "Third").await;
    let ann_elsewhere = join(&w.server, &other, ANN, "Ann").await;
    assert_eq!(ann_elsewhere.id, w.ann.id);
    for path in [
        format!("/api/v1/cards/{}/wallets/{}", w.shop.card.id, bob.id),
        format!("/api/v1/cards/{}/wallets/{}", other.card.id, w.ann.id),
        format!("/api/v1/cards/{}/wallets/999999", w.shop.card.id),
        format!("/api/v1/cards/x/wallets/{}", w.ann.id),
    ] {
        let (status, body) = w.get(&path).await;
        assert_eq!((status, code(&body)), (404, "not_found"), "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_adjustment_needs_a_key_and_a_replay_gets_the_first_answer() {
    let w = world().await;
    let body = json!({"member": ANN, "points": -5, "note": "Broken cup"});
    let (status, refused) = w.adjust(body.clone(), None).await;
    assert_eq!(
        (status, code(&refused)),
        (400, "validation_failed"),
        "{refused}"
    );
    assert_eq!(w.balance().await, 62);
    let (status, first) = w.adjust(body.clone(), Some("adj-1")).await;
    assert_eq!(status, 201, "{first}");
    assert_eq!(first["points"], -5);
    assert_eq!(first["balance"], 57);
    let entry = &first["entries"][0];
    assert_eq!(
        (entry["kind"].as_str(), entry["channel"].as_str()),
        (Some("adjustment"), Some("api"))
    );
    assert_eq!(
        (entry["points"].as_i64(), entry["applied_points"].as_i64()),
        (Some(-5), Some(-5))
    );
    assert_eq!(entry["balance_after"], 57);
    // The same key and body: the first answer, nothing posted again.
    let (status, again) = w.adjust(body.clone(), Some("adj-1")).await;
    assert_eq!((status, &again), (201, &first));
    // The same key with another body: refused.
    let other = json!({"member": ANN, "points": -6, "note": "Broken cup"});
    let (status, reused) = w.adjust(other, Some("adj-1")).await;
    assert_eq!((status, code(&reused)), (409, "idempotency_key_reused"));
    assert_eq!(w.balance().await, 57);
    assert_eq!(w.adjustment_count().await, 1);
    // By member number and code too.
    let by_number = json!({"member": w.ann.number.to_string(), "points": 3, "note": "Sorry"});
    assert_eq!(w.adjust(by_number, Some("adj-2")).await.0, 201);
    let by_code = json!({"member": w.ann.code.to_lowercase(), "points": 2, "note": "Sorry again"});
    assert_eq!(w.adjust(by_code, Some("adj-3")).await.0, 201);
    assert_eq!(w.balance().await, 62);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_adjustment_is_refused_beyond_the_balance_without_a_note_or_for_strangers() {
    let w = world().await;
    let (status, body) = w
        .adjust(
            json!({"member": ANN, "points": -63, "note": "Too much"}),
            Some("k-1"),
        )
        .await;
    assert_eq!(
        (status, code(&body)),
        (422, "insufficient_points"),
        "{body}"
    );
    for (refused, key) in [
        (json!({"member": ANN, "points": 5}), "k-2"),
        (json!({"member": ANN, "points": 5, "note": "   "}), "k-3"),
        (
            json!({"member": ANN, "points": 5, "note": "x".repeat(501)}),
            "k-4",
        ),
        (
            json!({"member": ANN, "points": 0, "note": "Nothing"}),
            "k-5",
        ),
    ] {
        let (status, body) = w.adjust(refused.clone(), Some(key)).await;
        assert_eq!(
            (status, code(&body)),
            (422, "validation_failed"),
            "{refused}: {body}"
        );
    }
    for malformed in [
        json!({"member": ANN, "note": "No points"}),
        json!({"member": ANN, "points": 1.5, "note": "Half"}),
        json!({"points": 5, "note": "Who?"}),
    ] {
        let (status, body) = w.adjust(malformed.clone(), Some("k-6")).await;
        assert_eq!(
            (status, code(&body)),
            (400, "validation_failed"),
            "{malformed}: {body}"
        );
    }
    let (status, body) = w
        .adjust(
            json!({"member": "nobody@example.com", "points": 5, "note": "Who?"}),
            Some("k-7"),
        )
        .await;
    assert_eq!((status, code(&body)), (404, "not_found"));
    let other = Store::connect_in(&w.server.db, SECRET, "Other Shop").await;
    let carol = join(&w.server, &other, "carol@example.com", "Carol").await;
    let (status, _) = w
        .adjust(
            json!({"member": carol.email, "points": 5, "note": "Not mine"}),
            Some("k-8"),
        )
        .await;
    assert_eq!(status, 404);
    let foreign = format!("/api/v1/cards/{}/adjustments", other.card.id);
    let (status, _) = w
        .call(
            Method::POST,
            &foreign,
            Some(json!({"member": ANN, "points": 5, "note": "x"})),
            Some("k-9"),
        )
        .await;
    assert_eq!(status, 404);
    assert_eq!(w.balance().await, 62);
    assert_eq!(w.adjustment_count().await, 0);
    assert_eq!(other.balance(&w.server, "carol@example.com").await, Some(0));
    // A refusal gives the key back: the corrected request goes through with it.
    let (status, body) = w
        .adjust(
            json!({"member": ANN, "points": -62, "note": "All of it"}),
            Some("k-1"),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["balance"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ten_concurrent_requests_with_one_key_post_once() {
    let w = world().await;
    let body = json!({"member": ANN, "points": -10, "note": "Counted twice"});
    let start = std::sync::Arc::new(tokio::sync::Barrier::new(10));
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let (client, url, token) = (
            w.server.client.clone(),
            w.server.url(&w.adjustments()),
            w.token.clone(),
        );
        let (body, start) = (body.clone(), start.clone());
        tasks.push(tokio::spawn(async move {
            start.wait().await;
            let res = client
                .post(url)
                .bearer_auth(token)
                .header("Idempotency-Key", "same-key")
                .json(&body)
                .send()
                .await
                .unwrap();
            (res.status().as_u16(), res.json::<Value>().await.unwrap())
        }));
    }
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.unwrap());
    }
    for answer in &answers {
        assert_eq!(answer, &answers[0], "{answers:?}");
    }
    assert_eq!(answers[0].0, 201);
    assert_eq!(w.adjustment_count().await, 1);
    assert_eq!(w.balance().await, 52);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_activity_log_names_the_token_the_member_the_points_and_the_note() {
    let w = world().await;
    let (status, _) = w
        .adjust(
            json!({"member": ANN, "points": 7, "note": "Loyal customer"}),
            Some("log-1"),
        )
        .await;
    assert_eq!(status, 201);
    let mut conn = pool::get(w.server.db.pool()).await.unwrap();
    let hash = tests::woo::keys().token_hash(&w.token).unwrap();
    let token = database::tokens::find_active(&mut conn, &hash)
        .await
        .unwrap()
        .unwrap();
    let log = database::activity::recent(&mut conn, w.shop.partner_id, 50)
        .await
        .unwrap();
    let logged: Vec<_> = log
        .iter()
        .filter(|a| a.action == "points_adjusted")
        .collect();
    assert_eq!(logged.len(), 1, "{log:?}");
    assert_eq!(logged[0].actor_kind, "api_token");
    assert_eq!(logged[0].api_token_id, Some(token.id));
    assert_eq!(logged[0].details["member_id"], w.ann.id.to_string());
    assert_eq!(logged[0].details["points"], 7);
    assert_eq!(logged[0].details["note"], "Loyal customer");
}
