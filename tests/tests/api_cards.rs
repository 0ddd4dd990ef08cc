//! The card endpoints of the partner API against the running binary (SPEC §8): create
//! (with the club found or made), the card's shape, list and its paging, PATCH of any
//! subset, refusals naming their field (422) or the body (400), another partner's card
//! (404), a retried create with an Idempotency-Key, and the activity log.

use reqwest::Method;
use serde_json::{json, Value};
use tests::{api_token, partner, TestServer};

struct Api {
    server: TestServer,
    partner_id: i64,
    token: String,
}

async fn api() -> Api {
    let server = TestServer::start().await;
    let partner_id = partner::create_partner(&server, "Corner Café", "owner@corner.test").await;
    let token = api_token(&server, partner_id).await;
    Api {
        server,
        partner_id,
        token,
    }
}

impl Api {
    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        self.call_as(&self.token, method, path, body).await
    }

    async fn call_as(
        &self,
        token: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut req = self
            .server
            .client
            .request(method, self.server.url(path))
            .bearer_auth(token);
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

    async fn raw(&self, method: Method, path: &str, body: &str) -> (u16, Value) {
        let res = self
            .server
            .client
            .request(method, self.server.url(path))
            .bearer_auth(&self.token)
            .header("content-type", "application/json")
            .body(body.to_owned())
            .send()
            .await
            .unwrap();
        (res.status().as_u16(), res.json().await.unwrap())
    }

    /// Creates a card; returns it.
    async fn create(&self, body: Value) -> Value {
        let (status, card) = self.call(Method::POST, "/api/v1/cards", Some(body)).await;
        assert_eq!(status, 201, "{card}");
        card
    }

    async fn clubs(&self) -> Vec<database::catalog::Club> {
        let mut conn = database::pool::get(self.server.db.pool()).await.unwrap();
        database::catalog::clubs_of_partner(&mut conn, self.partner_id)
            .await
            .unwrap()
    }
}

/// The error's message, which must name `field`.
fn refused(status: u16, body: &Value, expected: u16, field: &str) -> String {
    assert_eq!(status, expected, "{body}");
    assert_eq!(body["error"]["code"], "validation_failed", "{body}");
    let message = body["error"]["message"].as_str().unwrap().to_owned();
    assert!(message.contains(field), "{field} named in: {message}");
    message
}

#[tokio::test]
async fn a_card_without_a_club_goes_into_a_new_club_named_after_the_business() {
    let a = api().await;
    assert!(a.clubs().await.is_empty());
    let card = a
        .create(json!({"name": "Coffee Card", "currency": "eur"}))
        .await;
    let clubs = a.clubs().await;
    assert_eq!(clubs.len(), 1);
    assert_eq!(clubs[0].name, "Corner Café");
    assert_eq!(card["club_id"], clubs[0].id.to_string());
    // The defaults of SPEC §2, in the documented shape.
    assert!(
        card["id"].as_str().unwrap().parse::<i64>().is_ok(),
        "{card}"
    );
    assert_eq!(card["name"], "Coffee Card");
    assert_eq!(card["currency"], "EUR");
    assert_eq!(card["points_per_unit"], 1);
    assert_eq!(card["unit_amount"], "1.00");
    assert_eq!(card["rounding"], "down");
    assert_eq!(card["min_purchase_amount"], "0.00");
    assert_eq!(card["min_points_per_purchase"], 0);
    assert_eq!(card["max_points_per_purchase"], Value::Null);
    assert_eq!(card["welcome_bonus_points"], 0);
    assert_eq!(card["active"], true);
    assert_eq!(card["tiers"], json!([]));
    // The partner's one club takes the next card without being named.
    let second = a
        .create(json!({"name": "Tea Card", "currency": "EUR"}))
        .await;
    assert_eq!(second["club_id"], card["club_id"]);
    assert_eq!(a.clubs().await.len(), 1);
}

#[tokio::test]
async fn every_rule_and_the_tiers_come_back_as_sent_in_the_currencys_units() {
    let a = api().await;
    let card = a
        .create(json!({
            "name": "Yen Card",
            "currency": "JPY",
            "points_per_unit": 3,
            "unit_amount": "100",
            "rounding": "nearest",
            "min_purchase_amount": "500",
            "min_points_per_purchase": 5,
            "max_points_per_purchase": 300,
            "welcome_bonus_points": 50,
            "active": false,
            "tiers": [
                {"name": "Gold", "threshold": 1000, "multiplier": "1.50"},
                {"name": "Silver", "threshold": 500, "multiplier": "1.25"},
            ],
        }))
        .await;
    assert_eq!(card["unit_amount"], "100");
    assert_eq!(card["min_purchase_amount"], "500");
    assert_eq!(card["rounding"], "nearest");
    assert_eq!(card["max_points_per_purchase"], 300);
    assert_eq!(card["active"], false);
    assert_eq!(
        card["tiers"],
        json!([
            {"name": "Silver", "threshold": 500, "multiplier": "1.25"},
            {"name": "Gold", "threshold": 1000, "multiplier": "1.5"},
        ]),
        "lowest threshold first, multipliers as decimal strings"
    );
    let dinar = a
        .create(json!({"name": "Dinar Card", "currency": "BHD", "unit_amount": "0.5"}))
        .await;
    assert_eq!(dinar["unit_amount"], "0.500");
    assert_eq!(dinar["min_purchase_amount"], "0.000");
    // The list answers the same shape.
    let (status, list) = a.call(Method::GET, "/api/v1/cards", None).await;
    assert_eq!(status, 200);
    assert_eq!(list["cards"][1]["tiers"], card["tiers"]);
    assert_eq!(list["cards"][1]["unit_amount"], "100");
    // The rules are what the ledger earns with: 1,234 JPY at 3 per 100 = 37.02 → 37.
    let mut conn = database::pool::get(a.server.db.pool()).await.unwrap();
    let id: i64 = card["id"].as_str().unwrap().parse().unwrap();
    let saved = database::catalog::find_card(&mut conn, a.partner_id, id)
        .await
        .unwrap()
        .unwrap();
    let rule = saved.earn_rule().unwrap();
    let amount = ledger::Money::parse("1234", ledger::Currency::JPY).unwrap();
    let earned = rule
        .points_for(&amount, ledger::Channel::WooCommerce, None)
        .unwrap();
    assert_eq!(earned.points(), ledger::Points::new(37));
}

#[tokio::test]
async fn with_two_clubs_a_new_card_must_name_one_of_the_partners_own() {
    let a = api().await;
    let first = a.create(json!({"name": "Coffee", "currency": "EUR"})).await;
    let other_partner = partner::create_partner(&a.server, "Other Shop", "boss@other.test").await;
    let mut conn = database::pool::get(a.server.db.pool()).await.unwrap();
    let now = time::OffsetDateTime::now_utc();
    let second = database::catalog::find_or_create_club(&mut conn, a.partner_id, "Bakery", now)
        .await
        .unwrap();
    let foreign = database::catalog::find_or_create_club(&mut conn, other_partner, "Theirs", now)
        .await
        .unwrap();
    let (status, body) = a
        .call(
            Method::POST,
            "/api/v1/cards",
            Some(json!({"name": "Bread", "currency": "EUR"})),
        )
        .await;
    let message = refused(status, &body, 422, "club_id");
    assert!(message.contains("You have 2 clubs"), "{message}");
    let (status, body) = a
        .call(
            Method::POST,
            "/api/v1/cards",
            Some(json!({"name": "Bread", "currency": "EUR", "club_id": foreign.id.to_string()})),
        )
        .await;
    refused(status, &body, 422, "club_id");
    let bread = a
        .create(json!({"name": "Bread", "currency": "EUR", "club_id": second.id.to_string()}))
        .await;
    assert_eq!(bread["club_id"], second.id.to_string());
    assert_ne!(bread["club_id"], first["club_id"]);
}

#[tokio::test]
async fn patch_changes_the_fields_it_names_and_keeps_the_rest() {
    let a = api().await;
    let card = a
        .create(json!({
            "name": "Coffee Card",
            "currency": "USD",
            "max_points_per_purchase": 30,
            "welcome_bonus_points": 50,
            "tiers": [{"name": "Gold", "threshold": 100, "multiplier": "2"}],
        }))
        .await;
    let path = format!("/api/v1/cards/{}", card["id"].as_str().unwrap());
    let (status, changed) = a
        .call(
            Method::PATCH,
            &path,
            Some(json!({"rounding": "up", "unit_amount": "2.5"})),
        )
        .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["rounding"], "up");
    assert_eq!(changed["unit_amount"], "2.50");
    assert_eq!(changed["welcome_bonus_points"], 50, "kept");
    assert_eq!(changed["max_points_per_purchase"], 30, "kept");
    assert_eq!(changed["tiers"], card["tiers"], "kept");
    // A GET → PATCH round trip (read-only fields included) changes nothing.
    let (status, same) = a.call(Method::PATCH, &path, Some(changed.clone())).await;
    assert_eq!(status, 200, "{same}");
    assert_eq!(same["tiers"], changed["tiers"]);
    let (status, cleared) = a
        .call(
            Method::PATCH,
            &path,
            Some(json!({"max_points_per_purchase": null, "tiers": [], "active": false})),
        )
        .await;
    assert_eq!(status, 200, "{cleared}");
    assert_eq!(cleared["max_points_per_purchase"], Value::Null);
    assert_eq!(cleared["tiers"], json!([]));
    assert_eq!(cleared["active"], false);
    let (status, tiers) = a
        .call(
            Method::PATCH,
            &path,
            Some(json!({"tiers": [
                {"name": "Silver", "threshold": 0, "multiplier": "1.1"},
                {"name": "Gold", "threshold": 500, "multiplier": "1.5"},
            ]})),
        )
        .await;
    assert_eq!(status, 200, "{tiers}");
    assert_eq!(tiers["tiers"][1]["name"], "Gold");

    // The activity log says what changed, and that this token did it.
    let mut conn = database::pool::get(a.server.db.pool()).await.unwrap();
    let log = database::activity::recent(&mut conn, a.partner_id, 20)
        .await
        .unwrap();
    let changes: Vec<_> = log.iter().filter(|e| e.action == "card_changed").collect();
    assert_eq!(changes.len(), 3, "the round trip changed nothing: {log:?}");
    assert!(changes.iter().all(|e| e.api_token_id.is_some()
        && e.actor_kind == "api_token"
        && e.subject.as_deref() == Some("Coffee Card")));
    let first = changes.last().unwrap();
    assert_eq!(
        first.details["changes"]["rounding"],
        json!({"from": "down", "to": "up"})
    );
    assert_eq!(
        first.details["changes"]["unit_amount"],
        json!({"from": "1.00", "to": "2.50"})
    );
    assert!(first.details["changes"].get("name").is_none());
    assert!(log
        .iter()
        .any(|e| e.action == "card_created" && e.api_token_id.is_some()));
}

#[tokio::test]
async fn refused_rules_are_422_with_a_message_naming_each_field() {
    let a = api().await;
    let card = a.create(json!({"name": "Coffee", "currency": "EUR"})).await;
    let path = format!("/api/v1/cards/{}", card["id"].as_str().unwrap());
    let cases = [
        (
            json!({"currency": "XYZ"}),
            "currency",
            "is not a currency we know",
        ),
        (
            json!({"points_per_unit": -1}),
            "points_per_unit",
            "whole number",
        ),
        (
            json!({"points_per_unit": 1.5}),
            "points_per_unit",
            "whole number",
        ),
        (json!({"unit_amount": "0"}), "unit_amount", "greater than 0"),
        (
            json!({"unit_amount": "0.001"}),
            "unit_amount",
            "at most 2 decimals",
        ),
        (
            json!({"rounding": "half_even"}),
            "rounding",
            "down, nearest or up",
        ),
        (
            json!({"min_purchase_amount": "-1"}),
            "min_purchase_amount",
            "0 or more",
        ),
        (
            json!({"min_points_per_purchase": 10, "max_points_per_purchase": 5}),
            "max_points_per_purchase",
            "at least the minimum",
        ),
        (
            json!({"welcome_bonus_points": -5}),
            "welcome_bonus_points",
            "0 or more",
        ),
        (json!({"name": " "}), "name", "1 to 200 characters"),
        (
            json!({"tiers": [{"name": "", "threshold": 0, "multiplier": "1"}]}),
            "tiers[0].name",
            "1 to 100 characters",
        ),
        (
            json!({"tiers": [
                {"name": "Gold", "threshold": 100, "multiplier": "1.5"},
                {"name": "gold", "threshold": 200, "multiplier": "2"},
            ]}),
            "tiers[1].name",
            "its own name",
        ),
        (
            json!({"tiers": [
                {"name": "Gold", "threshold": 100, "multiplier": "1.5"},
                {"name": "Silver", "threshold": 100, "multiplier": "2"},
            ]}),
            "tiers[1].threshold",
            "its own threshold",
        ),
        (
            json!({"tiers": [{"name": "Gold", "threshold": 100, "multiplier": "0"}]}),
            "tiers[0].multiplier",
            "greater than 0",
        ),
    ];
    for (body, field, words) in cases {
        let (status, answer) = a.call(Method::PATCH, &path, Some(body.clone())).await;
        let message = refused(status, &answer, 422, field);
        assert!(message.contains(words), "{body}: {message}");
        assert_eq!(answer["error"]["fields"][0]["field"], field, "{answer}");
    }
    // Nothing of it was saved.
    let (_, list) = a.call(Method::GET, "/api/v1/cards", None).await;
    assert_eq!(list["cards"][0]["unit_amount"], "1.00");
    assert_eq!(list["cards"][0]["tiers"], json!([]));
    // A create without the required fields names both; several problems are all named.
    let (status, answer) = a.call(Method::POST, "/api/v1/cards", Some(json!({}))).await;
    let message = refused(status, &answer, 422, "name");
    assert!(message.contains("currency"), "{message}");
    let (status, answer) = a
        .call(
            Method::POST,
            "/api/v1/cards",
            Some(json!({"name": "X", "currency": "EUR", "unit_amount": "-2", "rounding": "sideways"})),
        )
        .await;
    let message = refused(status, &answer, 422, "unit_amount");
    assert!(message.contains("rounding"), "{message}");
}

#[tokio::test]
async fn malformed_bodies_are_400() {
    let a = api().await;
    let card = a.create(json!({"name": "Coffee", "currency": "EUR"})).await;
    let path = format!("/api/v1/cards/{}", card["id"].as_str().unwrap());
    for (method, path) in [
        (Method::POST, "/api/v1/cards"),
        (Method::PATCH, path.as_str()),
    ] {
        let (status, body) = a.raw(method.clone(), path, "{not json").await;
        refused(status, &body, 400, "not valid JSON");
        let (status, body) = a.raw(method.clone(), path, "[1, 2]").await;
        refused(status, &body, 400, "JSON object");
        let (status, body) = a
            .raw(method.clone(), path, r#"{"points_per_unit": "ten"}"#)
            .await;
        refused(status, &body, 400, "points_per_unit");
        let (status, body) = a.raw(method.clone(), path, r#"{"unit_amount": 1.5}"#).await;
        refused(status, &body, 400, "unit_amount");
        let (status, body) = a.raw(method.clone(), path, r#"{"colour": "red"}"#).await;
        refused(status, &body, 400, "colour");
        let (status, body) = a
            .raw(method.clone(), path, r#"{"tiers": {"name": "Gold"}}"#)
            .await;
        refused(status, &body, 400, "tiers");
    }
    let (status, body) = a
        .call_as("tly_not_a_token", Method::GET, "/api/v1/cards", None)
        .await;
    assert_eq!(status, 401, "{body}");
}

#[tokio::test]
async fn another_partners_card_is_not_found() {
    let a = api().await;
    let ours = a.create(json!({"name": "Coffee", "currency": "EUR"})).await;
    let other = partner::create_partner(&a.server, "Other Shop", "boss@other.test").await;
    let theirs = partner::add_usd_card(&a.server, other, "Their Card").await;
    let other_token = api_token(&a.server, other).await;
    for id in [theirs.to_string(), "999999".into(), "not-a-number".into()] {
        let (status, body) = a
            .call(
                Method::PATCH,
                &format!("/api/v1/cards/{id}"),
                Some(json!({"name": "Mine now"})),
            )
            .await;
        assert_eq!(status, 404, "{id}: {body}");
        assert_eq!(body["error"]["code"], "not_found");
    }
    let (_, list) = a
        .call_as(&other_token, Method::GET, "/api/v1/cards", None)
        .await;
    let names: Vec<&str> = list["cards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Their Card"], "only their own");
    let path = format!("/api/v1/cards/{}", ours["id"].as_str().unwrap());
    let (status, _) = a
        .call_as(
            &other_token,
            Method::PATCH,
            &path,
            Some(json!({"name": "X"})),
        )
        .await;
    assert_eq!(status, 404);
    let (_, list) = a.call(Method::GET, "/api/v1/cards", None).await;
    assert_eq!(list["cards"][0]["name"], "Coffee", "unchanged");
}

#[tokio::test]
async fn the_list_pages_newest_first_with_limit_and_before() {
    let a = api().await;
    for n in 1..=5 {
        a.create(json!({"name": format!("Card {n}"), "currency": "EUR"}))
            .await;
    }
    let names = |page: &Value| -> Vec<String> {
        page["cards"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let (status, all) = a.call(Method::GET, "/api/v1/cards", None).await;
    assert_eq!(status, 200);
    assert_eq!(
        names(&all),
        ["Card 5", "Card 4", "Card 3", "Card 2", "Card 1"]
    );
    assert_eq!(all["next"], Value::Null);
    let (_, first) = a.call(Method::GET, "/api/v1/cards?limit=2", None).await;
    assert_eq!(names(&first), ["Card 5", "Card 4"]);
    let next = first["next"].as_str().unwrap();
    let (_, second) = a
        .call(
            Method::GET,
            &format!("/api/v1/cards?limit=2&before={next}"),
            None,
        )
        .await;
    assert_eq!(names(&second), ["Card 3", "Card 2"]);
    let next = second["next"].as_str().unwrap();
    let (_, last) = a
        .call(
            Method::GET,
            &format!("/api/v1/cards?limit=2&before={next}"),
            None,
        )
        .await;
    assert_eq!(names(&last), ["Card 1"]);
    assert_eq!(last["next"], Value::Null);
    for bad in ["limit=0", "limit=201", "limit=ten", "before=yesterday"] {
        let (status, body) = a
            .call(Method::GET, &format!("/api/v1/cards?{bad}"), None)
            .await;
        let field = bad.split('=').next().unwrap();
        refused(status, &body, 400, field);
    }
}

#[tokio::test]
async fn a_retried_create_with_an_idempotency_key_makes_one_card() {
    let a = api().await;
    let body = json!({"name": "Coffee", "currency": "EUR"});
    let send = |body: Value| {
        a.server
            .client
            .post(a.server.url("/api/v1/cards"))
            .bearer_auth(&a.token)
            .header("Idempotency-Key", "create-coffee-1")
            .json(&body)
            .send()
    };
    let first = send(body.clone()).await.unwrap();
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    let again = send(body).await.unwrap();
    assert_eq!(again.status(), 201);
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["id"], first["id"], "the first answer, replayed");
    let other = send(json!({"name": "Tea", "currency": "EUR"}))
        .await
        .unwrap();
    assert_eq!(other.status(), 409);
    let other: Value = other.json().await.unwrap();
    assert_eq!(other["error"]["code"], "idempotency_key_reused");
    let (_, list) = a.call(Method::GET, "/api/v1/cards", None).await;
    assert_eq!(list["cards"].as_array().unwrap().len(), 1);
    // A refused create gives its key back: corrected, the same key works.
    let key = "create-refused-1";
    let refused_once = a
        .server
        .client
        .post(a.server.url("/api/v1/cards"))
        .bearer_auth(&a.token)
        .header("Idempotency-Key", key)
        .json(&json!({"name": "Tea"}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused_once.status(), 422);
    let corrected = a
        .server
        .client
        .post(a.server.url("/api/v1/cards"))
        .bearer_auth(&a.token)
        .header("Idempotency-Key", key)
        .json(&json!({"name": "Tea", "currency": "EUR"}))
        .send()
        .await
        .unwrap();
    assert_eq!(corrected.status(), 201);
}

#[tokio::test]
async fn the_currency_is_fixed_once_a_member_has_a_wallet() {
    let a = api().await;
    let card = a.create(json!({"name": "Coffee", "currency": "EUR"})).await;
    let id: i64 = card["id"].as_str().unwrap().parse().unwrap();
    let path = format!("/api/v1/cards/{id}");
    // Before anyone joins, the currency can still change.
    let (status, body) = a
        .call(Method::PATCH, &path, Some(json!({"currency": "USD"})))
        .await;
    assert_eq!(status, 200, "{body}");
    let now = time::OffsetDateTime::now_utc();
    let mut conn = database::pool::get(a.server.db.pool()).await.unwrap();
    let new = database::members::NewMember {
        email: "ann@example.com",
        email_normalized: "ann@example.com",
        name: "Ann",
        language: "en",
        now,
    };
    let (member, _) = database::members::find_or_create(&mut conn, &new, || "TCARDS23".into())
        .await
        .unwrap();
    database::wallets::find_or_create(&mut conn, a.partner_id, id, member.id, now)
        .await
        .unwrap();
    let (status, body) = a
        .call(Method::PATCH, &path, Some(json!({"currency": "EUR"})))
        .await;
    let message = refused(status, &body, 422, "currency");
    assert!(message.contains("cannot change"), "{message}");
    // Other rules still change.
    let (status, body) = a
        .call(
            Method::PATCH,
            &path,
            Some(json!({"currency": "USD", "points_per_unit": 2})),
        )
        .await;
    assert_eq!(status, 200, "the same currency is no change: {body}");
    assert_eq!(body["points_per_unit"], 2);
}

#[tokio::test]
async fn two_changes_at_once_of_different_fields_both_stick() {
    let a = api().await;
    let card = a
        .create(json!({
            "name": "Coffee",
            "currency": "EUR",
            "tiers": [{"name": "Gold", "threshold": 100, "multiplier": "2"}],
        }))
        .await;
    let path = format!("/api/v1/cards/{}", card["id"].as_str().unwrap());
    for round in 1..=5 {
        let welcome = json!({"welcome_bonus_points": round * 10});
        let tiers = json!({"tiers": [
            {"name": "Gold", "threshold": 100, "multiplier": format!("{round}.5")},
            {"name": "Silver", "threshold": 50, "multiplier": "1.5"},
        ]});
        let (first, second) = tokio::join!(
            a.call(Method::PATCH, &path, Some(welcome)),
            a.call(Method::PATCH, &path, Some(tiers)),
        );
        assert_eq!(first.0, 200, "{}", first.1);
        assert_eq!(second.0, 200, "{}", second.1);
        let (_, list) = a.call(Method::GET, "/api/v1/cards", None).await;
        let saved = &list["cards"][0];
        assert_eq!(saved["welcome_bonus_points"], round * 10, "{saved}");
        assert_eq!(
            saved["tiers"][1]["multiplier"],
            format!("{round}.5"),
            "{saved}"
        );
        assert_eq!(saved["tiers"].as_array().unwrap().len(), 2, "{saved}");
    }
}
