//! The card form in a real headless Chromium: the owner types rules and watches the
//! preview of what example purchases earn follow every keystroke (exactly as the ledger
//! computes it, also where floating point would be off by one), adds a tier with the
//! "Add a tier" button, saves, and finds the card in the list.
//!
//! Screenshots of every step are kept under `target/screenshots/<test>/`.

use std::time::Duration;

use serde_json::Value;
use tests::browser::Browser;
use tests::{partner, TestServer};

const OWNER: &str = "owner@corner.test";

/// Signs in at `/partner/login` with the code from the mailbox.
async fn sign_in(b: &mut Browser, server: &TestServer) {
    b.goto(&server.url("/partner/login")).await;
    b.fill("#email", OWNER).await;
    b.press("Send me a code").await;
    b.find("#code").await;
    let code = tests::mailbox::code_for(server, OWNER)
        .await
        .expect("a code");
    b.fill("#code", &code).await;
    b.press("Sign in").await;
    b.wait_for_text("Sign out").await;
}

fn cell_css(row: &str, col: usize) -> String {
    format!("#card-preview td[data-row='{row}'][data-col='{col}']")
}

/// Waits until the preview cell says exactly `expected`.
async fn wait_cell(b: &Browser, row: &str, col: usize, expected: &str) {
    let script = format!(
        "var c = document.querySelector(\"{}\"); return c ? c.textContent : null;",
        cell_css(row, col)
    );
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let now = b.run(&script).await;
        if now.as_str() == Some(expected) {
            return;
        }
        if tokio::time::Instant::now() > deadline {
            panic!("preview cell {row},{col} never said {expected:?}; it says {now}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The preview table as the page shows it now: the heading row, then each row's cells.
async fn table(b: &Browser) -> Vec<Vec<String>> {
    let script = "return Array.from(document.querySelectorAll('#card-preview tr')).map(\
                  function (tr) { return Array.from(tr.children).map(function (c) {\
                  return c.textContent; }); });";
    let rows = b.run(script).await;
    rows.as_array()
        .unwrap()
        .iter()
        .map(|row| {
            row.as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_str().unwrap().to_owned())
                .collect()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_preview_follows_the_rules_as_they_are_typed_and_the_card_is_saved() {
    let server = TestServer::start_with(&[("TALLY_ENV", "dev"), ("SMTP_URL", "")]).await;
    let partner_id = partner::create_partner(&server, "Corner Café", OWNER).await;
    let mut b = Browser::start("cards-live-preview", 1280).await;
    sign_in(&mut b, &server).await;
    b.goto(&server.url("/partner/cards")).await;
    b.wait_for_text("No cards yet.").await;
    b.click("a[href='/partner/cards/new']").await;
    b.wait_for_text("What purchases earn").await;
    // The defaults: 1 point per 1.00, rounded down.
    wait_cell(&b, "1", 0, "12").await;
    b.shot("new-card").await;

    b.fill("#name", "Coffee Card").await;
    b.fill("#points_per_unit", "2").await;
    wait_cell(&b, "1", 0, "24").await; // 12.34 × 2 = 24.68, down
    b.select("#rounding", "nearest").await;
    wait_cell(&b, "1", 0, "25").await;
    b.wait_for_element_text("#preview-caption", "With the rules as typed")
        .await;

    // Exact arithmetic: 1.005 at 1 point per 0.01 is 100.5 points, 101 to the nearest
    // (1.005 / 0.01 in floating point is 100.49999999999999).
    b.fill("#points_per_unit", "1").await;
    b.fill("#unit_amount", "0.01").await;
    b.fill("#preview-amount", "1.005").await;
    wait_cell(&b, "custom", 0, "101").await;
    b.shot("exact-half").await;
    b.fill("#unit_amount", "0.001").await;
    b.wait_for_element_text("#preview-caption", "Correct the rules above")
        .await;
    b.fill("#unit_amount", "1.00").await;
    b.fill("#points_per_unit", "2").await;
    b.fill("#preview-amount", "27.50").await;
    wait_cell(&b, "custom", 0, "55").await;

    // The minimum purchase, the per-purchase clamp and the welcome bonus.
    b.fill("#min_purchase_amount", "10.00").await;
    wait_cell(&b, "0", 0, "0 (below minimum)").await;
    b.fill("#max_points_per_purchase", "150").await;
    wait_cell(&b, "3", 0, "150").await; // 100.00 × 2 = 200, capped
    b.fill("#min_points_per_purchase", "30").await;
    wait_cell(&b, "1", 0, "30").await; // 25, raised to the minimum
    b.fill("#welcome_bonus_points", "50").await;
    b.wait_for_element_text("#preview-welcome", "Plus 50 welcome bonus points")
        .await;

    // A tier adds a counter column; "Add a tier" gives a fourth row.
    b.fill("input[name='tier_name_0']", "Gold").await;
    b.fill("input[name='tier_threshold_0']", "1000").await;
    b.fill("input[name='tier_multiplier_0']", "1.5").await;
    wait_cell(&b, "1", 1, "37").await; // 12.34 × 2 × 1.5 = 37.02
    wait_cell(&b, "custom", 1, "83").await; // 27.50 × 2 × 1.5 = 82.5, nearest
    b.wait_for_element_text("#card-preview thead", "Counter, Gold ×1.5")
        .await;
    b.wait_for_element_text("#preview-note", "has not reached the first tier")
        .await;
    b.press("Add a tier").await;
    b.fill("input[name='tier_name_3']", "Platinum").await;
    b.fill("input[name='tier_threshold_3']", "5000").await;
    b.fill("input[name='tier_multiplier_3']", "2").await;
    wait_cell(&b, "1", 2, "49").await; // 12.34 × 2 × 2 = 49.36
    b.fill("input[name='tier_threshold_3']", "1000").await;
    b.wait_for_element_text("#preview-caption", "tiers").await;
    b.fill("input[name='tier_threshold_3']", "5000").await;
    wait_cell(&b, "1", 2, "49").await;
    b.shot("typed").await;
    let typed = table(&b).await;

    b.press("Create the card").await;
    b.wait_for_text("The card is created.").await;
    b.wait_for_element_text("#preview-caption", "With the saved rules.")
        .await;
    b.shot("created").await;

    // What the page computed while typing is what the ledger computes for the saved card.
    let mut conn = database::pool::get(server.db.pool()).await.unwrap();
    let saved = database::catalog::cards_page(&mut conn, partner_id, None, 10)
        .await
        .unwrap()
        .remove(0);
    assert_eq!(saved.card.name, "Coffee Card");
    let names: Vec<&str> = saved.tiers.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["Gold", "Platinum"], "the added row was saved");
    let (rule, tiers) = tally::usecases::cards::rules_of(&saved).unwrap();
    let ledger = tally::usecases::cards::preview(&rule, &tiers);
    let mut expected = vec![std::iter::once("Purchase".to_owned())
        .chain(ledger.columns.iter().cloned())
        .collect::<Vec<_>>()];
    for row in &ledger.rows {
        expected.push(
            std::iter::once(row.amount.clone())
                .chain(row.cells.iter().cloned())
                .collect(),
        );
    }
    let typed_examples: Vec<Vec<String>> = typed[..expected.len()].to_vec();
    assert_eq!(
        typed_examples, expected,
        "the live preview matches the ledger"
    );
    let after_save = table(&b).await;
    assert_eq!(&after_save[..expected.len()], &expected[..]);

    b.goto(&server.url("/partner/cards")).await;
    let list = b.wait_for_text("Coffee Card").await;
    assert!(
        list.contains("2 points per 1.00 EUR, rounded to the nearest point"),
        "{list}"
    );
    assert!(
        list.contains("Gold from 1,000 points ×1.5 · Platinum from 5,000 points ×2"),
        "{list}"
    );
    b.shot("list").await;
    let value: Value = b
        .run("return document.querySelectorAll('#cards li.card').length")
        .await;
    assert_eq!(value, 1);
    b.close().await;
}
