//! Counter purchases through the API (SPEC §2, §8): the card rules' arithmetic as the
//! ledger applies it at the counter — rounding, minimum purchase, minimum and maximum
//! points, the tier multiplier (never online), the welcome bonus once — and the request
//! rules: `Idempotency-Key`, validation naming the field, new members, the points email,
//! other partners' cards.

use ledger::Rounding;
use serde_json::{json, Value};
use tests::counter::{counter, fresh_key, usd};
use tests::woo::{deliver, order_json};

#[path = "api_purchases/requests.rs"]
mod requests;

const ANN: &str = "ann@example.com";

/// The points of each entry of a purchase answer, in order.
fn entry_points(answer: &Value) -> Vec<(String, i64)> {
    answer["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["kind"].as_str().unwrap().to_owned(),
                e["points"].as_i64().unwrap(),
            )
        })
        .collect()
}

fn purchase_only(points: i64) -> Vec<(String, i64)> {
    vec![("purchase".to_owned(), points)]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_rounding_mode_is_applied_once_to_the_whole_purchase() {
    let c = counter().await;
    let down = c.card("Down", usd(Rounding::Down), &[]).await;
    let nearest = c.card("Nearest", usd(Rounding::Nearest), &[]).await;
    let up = c.card("Up", usd(Rounding::Up), &[]).await;
    // One point per 2.00, so a whole amount can land exactly on .5.
    let halves = c
        .card(
            "Halves",
            ledger::EarnRuleParams {
                unit_amount: 2.into(),
                ..usd(Rounding::Nearest)
            },
            &[],
        )
        .await;
    let cases = [
        (down, "12.99", 12),
        (down, "0.99", 0),
        (nearest, "12.49", 12),
        (nearest, "12.50", 13),
        (nearest, "12.51", 13),
        (up, "12.01", 13),
        (up, "12.00", 12),
        (halves, "5.00", 3),
        (halves, "4.99", 2),
    ];
    for (i, (card, amount, points)) in cases.into_iter().enumerate() {
        let email = format!("member{i}@example.com");
        let answer = c.buy(card, &email, amount).await;
        assert_eq!(entry_points(&answer), purchase_only(points), "{amount}");
        assert_eq!(answer["points"], points, "{amount}: {answer}");
        assert_eq!(answer["balance"], points);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_purchase_below_the_minimum_earns_nothing_and_is_not_the_first_purchase() {
    let c = counter().await;
    let card = c
        .card(
            "Minimum",
            ledger::EarnRuleParams {
                min_purchase_amount: 10.into(),
                welcome_bonus_points: 25,
                ..usd(Rounding::Down)
            },
            &[],
        )
        .await;
    let below = c.buy(card, ANN, "9.99").await;
    assert_eq!(entry_points(&below), purchase_only(0), "{below}");
    assert_eq!(
        (below["points"].as_i64(), below["balance"].as_i64()),
        (Some(0), Some(0))
    );
    let wallet = c.wallet(card, ANN).await.unwrap();
    assert!(wallet.first_purchase_at.is_none(), "not a first purchase");

    // The first qualifying purchase brings the welcome bonus.
    let first = c.buy(card, ANN, "10.00").await;
    assert_eq!(
        entry_points(&first),
        vec![
            ("purchase".to_owned(), 10),
            ("welcome_bonus".to_owned(), 25)
        ]
    );
    assert_eq!(first["balance"], 35);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_minimum_points_raise_and_the_maximum_caps_a_purchase() {
    let c = counter().await;
    let card = c
        .card(
            "Clamped",
            ledger::EarnRuleParams {
                min_points_per_purchase: 5,
                max_points_per_purchase: Some(50),
                ..usd(Rounding::Down)
            },
            &[],
        )
        .await;
    assert_eq!(
        entry_points(&c.buy(card, ANN, "1.00").await),
        purchase_only(5)
    );
    assert_eq!(
        entry_points(&c.buy(card, ANN, "30.00").await),
        purchase_only(30)
    );
    let capped = c.buy(card, ANN, "80.00").await;
    assert_eq!(entry_points(&capped), purchase_only(50));
    assert_eq!(capped["balance"], 85);
    let entries = c.entries(card, ANN).await;
    let rule = entries.last().unwrap().rule.clone().unwrap();
    assert_eq!(rule["clamp"]["kind"], "capped_at_maximum", "{rule}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tier_multiplier_applies_at_the_counter_and_never_to_online_orders() {
    let c = counter().await;
    // The store's card: 1 point per 1.00 rounded down, welcome bonus 50; Gold from 100.
    let card = c.card_id();
    c.add_tier(card, "Gold", 100, "1.5").await;

    // 100 points from purchases reach Gold (the welcome bonus does not count).
    let first = c.buy(card, ANN, "100.00").await;
    assert_eq!(
        entry_points(&first),
        vec![
            ("purchase".to_owned(), 100),
            ("welcome_bonus".to_owned(), 50)
        ]
    );
    assert_eq!(c.wallet(card, ANN).await.unwrap().earned_points, 100);

    // At the counter Gold earns ×1.5: 11.00 → 16.5 → 16 (rounded down once).
    let counter_purchase = c.buy(card, ANN, "11.00").await;
    assert_eq!(entry_points(&counter_purchase), purchase_only(16));
    assert_eq!(counter_purchase["entries"][0]["channel"], "counter");
    let entries = c.entries(card, ANN).await;
    let rule = entries.last().unwrap().rule.clone().unwrap();
    assert_eq!(
        (rule["tier"].as_str(), rule["multiplier"].as_str()),
        (Some("Gold"), Some("1.5"))
    );

    // The same member's online order of the same amount gets no multiplier.
    let order = order_json(501, "processing", "11.00", Some(ANN), &[]);
    assert_eq!(
        deliver(&c.server, &c.store, &order, &c.store.secret)
            .await
            .status(),
        200
    );
    let entries = c.entries(card, ANN).await;
    let online = entries.last().unwrap();
    assert_eq!(
        (online.channel.as_str(), online.kind.as_str(), online.points),
        ("woocommerce", "purchase", 11)
    );
    let rule = online.rule.clone().unwrap();
    assert!(rule["multiplier"].is_null(), "{rule}");
    assert_eq!(
        c.wallet(card, ANN).await.unwrap().balance,
        100 + 50 + 16 + 11
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_welcome_bonus_comes_exactly_once_per_wallet() {
    let c = counter().await;
    let card = c.card_id();
    let first = c.buy(card, ANN, "10.00").await;
    assert_eq!(
        entry_points(&first),
        vec![
            ("purchase".to_owned(), 10),
            ("welcome_bonus".to_owned(), 50)
        ]
    );
    assert_eq!(
        (first["points"].as_i64(), first["balance"].as_i64()),
        (Some(60), Some(60))
    );
    let second = c.buy(card, ANN, "10.00").await;
    assert_eq!(entry_points(&second), purchase_only(10));
    assert_eq!(second["balance"], 70);
    // An online order later brings no second bonus either.
    let order = order_json(601, "completed", "5.00", Some(ANN), &[]);
    assert_eq!(
        deliver(&c.server, &c.store, &order, &c.store.secret)
            .await
            .status(),
        200
    );
    let kinds: Vec<String> = c
        .entries(card, ANN)
        .await
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds, ["purchase", "welcome_bonus", "purchase", "purchase"]);
    // Another member's wallet has its own bonus.
    let bob = c.buy(card, "bob@example.com", "1.00").await;
    assert_eq!(bob["balance"], 51);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_email_becomes_a_member_with_a_wallet_and_gets_the_points_email() {
    let c = counter().await;
    let body = json!({
        "member_email": "  Nora@Example.com ", "amount": "12.34", "reference": "till 4 / 0815",
        "member_name": "Nora Visser", "language": "nl",
    });
    let (status, answer) = c.purchase(c.card_id(), &body, Some(&fresh_key())).await;
    assert_eq!(status, 201, "{answer}");
    assert_eq!(answer["member_created"], true);
    assert_eq!(answer["member"]["email"], "Nora@Example.com");
    assert_eq!(answer["member"]["name"], "Nora Visser");
    assert_eq!(answer["member"]["language"], "nl");
    assert_eq!(
        (answer["points"].as_i64(), answer["balance"].as_i64()),
        (Some(62), Some(62))
    );
    assert_eq!(answer["entries"][0]["reference"], "till 4 / 0815");
    let wallet = c.wallet(c.card_id(), "nora@example.com").await.unwrap();
    assert_eq!(wallet.balance, 62);

    // The points email, in the member's language, with the new balance.
    let mail = tests::mailbox::mail(&c.server, "Nora@Example.com", "62 punten")
        .await
        .expect("the points email in the outbox");
    assert!(mail.contains("62"), "{mail}");
    let emails = c.emails_to("nora@example.com").await;
    assert_eq!(emails.len(), 1);
    assert_eq!(
        (emails[0].kind.as_str(), emails[0].language.as_str()),
        ("points", "nl")
    );

    // The same email again is the same member: no second member, no second bonus.
    let again = c.buy(c.card_id(), "nora@example.com", "1.00").await;
    assert_eq!(again["member_created"], false);
    assert_eq!(again["member"]["id"], answer["member"]["id"]);
    assert_eq!(again["balance"], 63);
    assert_eq!(c.emails_to("nora@example.com").await.len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_who_switched_loyalty_emails_off_gets_none() {
    let c = counter().await;
    c.buy(c.card_id(), ANN, "5.00").await;
    assert_eq!(c.emails_to(ANN).await.len(), 1);
    let mut conn = database::pool::get(c.server.db.pool()).await.unwrap();
    let ann = database::members::find_by_email(&mut conn, ANN)
        .await
        .unwrap()
        .unwrap();
    assert!(database::members::unsubscribe(&mut conn, ann.id)
        .await
        .unwrap());
    drop(conn);
    let answer = c.buy(c.card_id(), ANN, "5.00").await;
    assert_eq!(answer["balance"], 60);
    assert_eq!(c.emails_to(ANN).await.len(), 1, "no second email");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_are_found_by_code_or_number_only_with_a_wallet_of_this_partner() {
    let c = counter().await;
    let first = c.buy(c.card_id(), ANN, "5.00").await;
    let code = first["member"]["code"].as_str().unwrap().to_owned();
    let number = first["member"]["number"].as_i64().unwrap();
    // Another card of the same partner: the member joins it by code or number.
    let other = c.card("Tea Card", usd(Rounding::Down), &[]).await;
    for member in [code.to_lowercase(), number.to_string()] {
        let body = json!({"member": member, "amount": "2.00"});
        let (status, answer) = c.purchase(other, &body, Some(&fresh_key())).await;
        assert_eq!(status, 201, "{member}: {answer}");
        assert_eq!(answer["member"]["email"], ANN);
    }
    assert_eq!(c.wallet(other, ANN).await.unwrap().balance, 4);
    // `member` may also be an email.
    let body = json!({"member": "ANN@example.com", "amount": "1.00"});
    assert_eq!(c.purchase(other, &body, Some(&fresh_key())).await.0, 201);

    // Someone known only to another partner is not found by code or number.
    let stranger = tests::woo::Store::connect_in(&c.server.db, "x", "Elsewhere").await;
    let mut conn = database::pool::get(c.server.db.pool()).await.unwrap();
    let (zoe, _) = database::members::find_or_create(
        &mut conn,
        &database::members::NewMember {
            email: "zoe@example.com",
            email_normalized: "zoe@example.com",
            name: "Zoe",
            language: "en",
            now: time::OffsetDateTime::now_utc(),
        },
        || "ZQECXDE7".to_owned(),
    )
    .await
    .unwrap();
    database::wallets::find_or_create(
        &mut conn,
        stranger.partner_id,
        stranger.card.id,
        zoe.id,
        time::OffsetDateTime::now_utc(),
    )
    .await
    .unwrap();
    drop(conn);
    for member in [
        zoe.code.clone(),
        zoe.number.to_string(),
        "ABCDEFGH".to_owned(),
    ] {
        let body = json!({"member": member, "amount": "2.00"});
        let (status, answer) = c.purchase(c.card_id(), &body, Some(&fresh_key())).await;
        assert_eq!(
            (status, answer["error"]["code"].as_str()),
            (404, Some("not_found")),
            "{member}: {answer}"
        );
    }
    assert!(c.wallet(c.card_id(), "zoe@example.com").await.is_none());
}
