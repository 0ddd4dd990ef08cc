//! The counter page of the dashboard over HTTP (SPEC §7): find the member, type the
//! amount, preview the points (tier multiplier, welcome bonus), confirm; a double
//! confirm records once; staff may use it; bad input is explained and records nothing.

use ledger::Rounding;
use tests::counter::{counter, usd, Counter};
use tests::html::field_value;
use tests::session::{sign_in_partner, PartnerSession};

const ANN: &str = "ann@example.com";

/// The partner at the counter, with its owner signed in.
async fn world() -> (Counter, PartnerSession) {
    let c = counter().await;
    let mut conn = database::pool::get(c.server.db.pool()).await.unwrap();
    let owner = database::partners::find(&mut conn, c.partner_id())
        .await
        .unwrap()
        .unwrap()
        .business_email;
    drop(conn);
    let session = sign_in_partner(&c.server, &owner).await;
    (c, session)
}

/// Presses Preview with `member` and `amount` on `card_id`.
async fn preview(s: &PartnerSession, card_id: i64, member: &str, amount: &str) -> (u16, String) {
    let card = card_id.to_string();
    let fields = [
        ("card_id", card.as_str()),
        ("member", member),
        ("amount", amount),
        ("reference", ""),
    ];
    s.post_form("/partner/counter/preview", &fields).await
}

/// The fields of the preview's Confirm form, as the browser would send them.
fn confirm_form(page: &str) -> Vec<(String, String)> {
    let start = page
        .find("action=\"/partner/counter/confirm\"")
        .unwrap_or_else(|| panic!("no Confirm form on the page:\n{page}"));
    let form = &page[start..page[start..].find("</form>").unwrap() + start];
    [
        "idem",
        "card_id",
        "member",
        "amount",
        "reference",
        "expected_points",
    ]
    .iter()
    .map(|name| {
        let value = field_value(form, name).unwrap_or_else(|| panic!("no {name} in {form}"));
        (name.to_string(), value)
    })
    .collect()
}

async fn confirm(s: &PartnerSession, fields: &[(String, String)]) -> (u16, String) {
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    s.post_form("/partner/counter/confirm", &fields).await
}

/// Tera escapes `/` and quotes in text; this undoes it for searching.
fn text(page: &str) -> String {
    tests::html::unescape(page)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_counter_shows_the_card_and_lets_staff_pick_among_several() {
    let (c, owner) = world().await;
    let (status, page) = owner.page("/partner/counter").await;
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("Coffee Card") && page.contains("(USD)"),
        "{page}"
    );
    assert!(page.contains("name=\"member\"") && page.contains("name=\"amount\""));
    assert!(
        !page.contains("<select id=\"card_id\""),
        "one card: no picker"
    );
    let tea = c.card("Tea Card", usd(Rounding::Down), &[]).await;
    let (_, page) = owner.page(&format!("/partner/counter?card_id={tea}")).await;
    assert!(page.contains("<select id=\"card_id\""), "{page}");
    assert!(
        page.contains(&format!("<option value=\"{tea}\" selected>Tea Card (USD)")),
        "{page}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_preview_shows_who_was_found_and_the_points_with_the_tier_multiplier() {
    let (c, owner) = world().await;
    c.add_tier(c.card_id(), "Gold", 100, "1.5").await;
    let first = c.buy(c.card_id(), ANN, "100.00").await;
    let code = first["member"]["code"].as_str().unwrap().to_owned();
    let number = first["member"]["number"].as_i64().unwrap();
    let before = c.entries(c.card_id(), ANN).await.len();

    // A decimal comma, as typed at a till in the Netherlands: 11,00 × 1.5 = 16.5 → 16.
    let (status, page) = preview(&owner, c.card_id(), &code, "11,00").await;
    assert_eq!(status, 200, "{page}");
    let page = text(&page);
    assert!(
        page.contains(&format!("{number} · {code}")),
        "the member found: {page}"
    );
    assert!(page.contains("150 points"), "the balance: {page}");
    assert!(
        page.contains("Gold (×1.5 at the counter)"),
        "the tier: {page}"
    );
    assert!(
        page.contains(
            "11.00 USD earns <strong>16</strong> points with the Gold tier multiplier ×1.5"
        ),
        "{page}"
    );
    assert!(page.contains("Balance after: 166 points"), "{page}");
    assert!(
        !page.contains("welcome bonus"),
        "not a first purchase: {page}"
    );
    let form = confirm_form(&page);
    assert!(
        form.contains(&("amount".into(), "11.00".into())),
        "{form:?}"
    );
    assert!(
        form.contains(&("expected_points".into(), "16".into())),
        "{form:?}"
    );
    assert_eq!(
        c.entries(c.card_id(), ANN).await.len(),
        before,
        "a preview records nothing"
    );

    // By member number too; a new customer's email shows the welcome bonus.
    let (status, page) = preview(&owner, c.card_id(), &number.to_string(), "2").await;
    assert_eq!(status, 200);
    assert!(page.contains("3</strong> points"), "2.00 × 1.5: {page}");
    let (status, page) = preview(&owner, c.card_id(), "new@example.com", "12.50").await;
    assert_eq!(status, 200);
    let page = text(&page);
    assert!(page.contains("New customer"), "{page}");
    assert!(page.contains("62 points"), "12 + 50: {page}");
    assert!(page.contains("+ 50 points welcome bonus"), "{page}");
    assert!(
        page.contains("name=\"language\""),
        "a new customer's email language: {page}"
    );
    assert!(
        c.wallet(c.card_id(), "new@example.com").await.is_none(),
        "nobody created"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn confirming_records_the_purchase_and_shows_a_receipt_and_an_empty_counter() {
    let (c, owner) = world().await;
    let (_, page) = preview(&owner, c.card_id(), "Nora@Example.com", "10.00").await;
    let mut form = confirm_form(&page);
    form.push(("name".into(), "Nora".into()));
    form.push(("language".into(), "de".into()));
    let (status, receipt) = confirm(&owner, &form).await;
    assert_eq!(status, 200, "{receipt}");
    let receipt = text(&receipt);
    assert!(
        receipt.contains("+60 points to <span class=\"wrap\">Nora</span>"),
        "{receipt}"
    );
    assert!(
        receipt.contains("balance now <strong>60</strong> points"),
        "{receipt}"
    );
    assert!(receipt.contains("Welcome bonus: 50 points"), "{receipt}");
    assert!(receipt.contains("Next customer"), "{receipt}");
    assert_eq!(
        field_value(&receipt, "member").as_deref(),
        Some(""),
        "an empty counter"
    );

    let entries = c.entries(c.card_id(), "nora@example.com").await;
    let kinds: Vec<(&str, &str, i64)> = entries
        .iter()
        .map(|e| (e.kind.as_str(), e.channel.as_str(), e.points))
        .collect();
    assert_eq!(
        kinds,
        [
            ("purchase", "counter", 10),
            ("welcome_bonus", "counter", 50)
        ]
    );
    assert!(
        entries[0].partner_user_id.is_some(),
        "the staff user is the source"
    );
    let emails = c.emails_to("nora@example.com").await;
    assert_eq!((emails.len(), emails[0].language.as_str()), (1, "de"));
    let mut conn = database::pool::get(c.server.db.pool()).await.unwrap();
    let nora = database::members::find_by_email(&mut conn, "nora@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(nora.name, "Nora");
    let log = database::activity::recent(&mut conn, c.partner_id(), 10)
        .await
        .unwrap();
    let entry = log
        .iter()
        .find(|a| a.action == "counter_purchase")
        .expect("logged");
    assert_eq!(entry.actor_kind, "partner_user");
    assert_eq!(entry.partner_user_id, entries[0].partner_user_id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_double_confirm_records_one_purchase() {
    let (c, owner) = world().await;
    let (_, page) = preview(&owner, c.card_id(), ANN, "10.00").await;
    let form = confirm_form(&page);
    // Twice at once (a double click), then once more (a reload of the answer).
    let (a, b) = tokio::join!(confirm(&owner, &form), confirm(&owner, &form));
    let (again_status, again) = confirm(&owner, &form).await;
    for (status, body) in [&a, &b, &(again_status, again.clone())] {
        assert_eq!(*status, 200, "{body}");
        assert!(
            text(body).contains("+60 points to"),
            "every answer is the receipt: {body}"
        );
    }
    let kinds: Vec<String> = c
        .entries(c.card_id(), ANN)
        .await
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds, ["purchase", "welcome_bonus"]);
    assert_eq!(c.wallet(c.card_id(), ANN).await.unwrap().balance, 60);
    assert_eq!(c.emails_to(ANN).await.len(), 1);

    // The same key with other values is refused, and changes nothing.
    let mut other = form.clone();
    other.iter_mut().find(|(k, _)| k == "amount").unwrap().1 = "99.00".into();
    let (status, _) = confirm(&owner, &other).await;
    assert_eq!(status, 409);
    assert_eq!(c.wallet(c.card_id(), ANN).await.unwrap().balance, 60);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_record_purchases_at_the_counter() {
    let (c, _owner) = world().await;
    let mut conn = database::pool::get(c.server.db.pool()).await.unwrap();
    let new = database::partners::NewPartnerUser {
        partner_id: c.partner_id(),
        email: "staff@corner.test",
        email_normalized: "staff@corner.test",
        name: "Sam",
        role: "staff",
        now: time::OffsetDateTime::now_utc(),
    };
    let staff_user = database::partners::add_user(&mut conn, &new)
        .await
        .unwrap()
        .unwrap();
    drop(conn);
    let staff = sign_in_partner(&c.server, "staff@corner.test").await;
    let (status, page) = staff.page("/partner/counter").await;
    assert_eq!(status, 200, "{page}");
    let (_, page) = preview(&staff, c.card_id(), ANN, "3.00").await;
    let (status, receipt) = confirm(&staff, &confirm_form(&page)).await;
    assert_eq!(status, 200, "{receipt}");
    let entries = c.entries(c.card_id(), ANN).await;
    assert_eq!(entries[0].partner_user_id, Some(staff_user.id));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_explained_next_to_its_field_and_records_nothing() {
    let (c, owner) = world().await;
    c.buy(c.card_id(), ANN, "1.00").await;
    let cases = [
        (ANN, "12.345", 422, "USD amounts have at most 2 decimals."),
        (
            ANN,
            "abc",
            422,
            "Enter the amount as a number, such as 12.50.",
        ),
        (ANN, "-3", 422, "The amount cannot be negative."),
        (
            ANN,
            "1.234,50",
            422,
            "Write the amount without thousands separators",
        ),
        (ANN, "0", 422, "Enter an amount greater than zero."),
        (ANN, "", 422, "Enter the amount of the purchase."),
        (
            "ZZZZZZZZ",
            "5.00",
            404,
            "No member of yours has that member code or number.",
        ),
        (
            "424242",
            "5.00",
            404,
            "No member of yours has that member code or number.",
        ),
        ("", "5.00", 422, "Enter the member"),
        (
            "ann@",
            "5.00",
            422,
            "That does not look like an email address",
        ),
    ];
    for (member, amount, status, says) in cases {
        let (got, page) = preview(&owner, c.card_id(), member, amount).await;
        assert_eq!(got, status, "{member} {amount}: {page}");
        let page = text(&page);
        assert!(
            page.contains(&format!("<p class=\"error field\">{says}")),
            "{member} {amount}: {page}"
        );
        assert!(
            !page.contains("/partner/counter/confirm"),
            "nothing to confirm"
        );
    }
    // A bad amount still says who was found.
    let (_, page) = preview(&owner, c.card_id(), ANN, "abc").await;
    assert!(
        text(&page).contains("<dt>Balance</dt><dd>51 points"),
        "{page}"
    );
    assert_eq!(
        c.entries(c.card_id(), ANN).await.len(),
        2,
        "nothing recorded"
    );

    // Another partner's card, an expired form.
    let other = tests::woo::Store::connect_in(&c.server.db, "x", "Elsewhere").await;
    let (status, _) = preview(&owner, other.card.id, ANN, "5.00").await;
    assert_eq!(status, 404);
    let res = owner
        .request(reqwest::Method::POST, "/partner/counter/preview")
        .form(&[
            ("csrf", "stale"),
            ("card_id", &c.card_id().to_string()),
            ("member", ANN),
            ("amount", "5"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn below_the_minimum_the_preview_says_it_earns_nothing_and_nothing_can_be_confirmed() {
    let (c, owner) = world().await;
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
    let (status, page) = preview(&owner, card, ANN, "9.99").await;
    assert_eq!(status, 200, "{page}");
    let page = text(&page);
    assert!(page.contains("0 points"), "{page}");
    assert!(
        page.contains("9.99 USD is below the minimum purchase of 10.00 USD: no points."),
        "{page}"
    );
    assert!(
        page.contains("does not count as a first purchase"),
        "{page}"
    );
    assert!(
        !page.contains("/partner/counter/confirm"),
        "no Confirm: {page}"
    );

    // A confirm sent anyway is refused.
    let (_, good) = preview(&owner, card, ANN, "10.00").await;
    let mut form = confirm_form(&good);
    for (k, v) in form.iter_mut() {
        match k.as_str() {
            "amount" => *v = "9.99".into(),
            "expected_points" => *v = "0".into(),
            _ => {}
        }
    }
    let (status, page) = confirm(&owner, &form).await;
    assert_eq!(status, 422, "{page}");
    assert!(
        text(&page).contains("below this card's minimum purchase of 10.00 USD"),
        "{page}"
    );
    assert!(
        c.wallet(card, ANN).await.is_none(),
        "nothing recorded, nobody joined"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn points_that_changed_since_the_preview_are_shown_again_before_anything_is_recorded() {
    let (c, owner) = world().await;
    let (_, page) = preview(&owner, c.card_id(), ANN, "10.00").await;
    let form = confirm_form(&page);
    // Meanwhile the member's first purchase is recorded elsewhere: no welcome bonus now.
    c.buy(c.card_id(), ANN, "1.00").await;
    let (status, page) = confirm(&owner, &form).await;
    assert_eq!(status, 409, "{page}");
    let page = text(&page);
    assert!(
        page.contains("the points changed since the preview (from 60 to 10)"),
        "{page}"
    );
    let again = confirm_form(&page);
    assert!(
        again.contains(&("expected_points".into(), "10".into())),
        "{again:?}"
    );
    assert_eq!(
        c.wallet(c.card_id(), ANN).await.unwrap().balance,
        51,
        "nothing recorded"
    );
    let (status, _) = confirm(&owner, &again).await;
    assert_eq!(status, 200);
    assert_eq!(c.wallet(c.card_id(), ANN).await.unwrap().balance, 61);
}
