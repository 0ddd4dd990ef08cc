//! The counter page in a real headless Chromium, as counter staff use it on a phone:
//! sign in, enter a new customer's email and an amount with a decimal comma, see the
//! points, confirm — a double click records one purchase — and serve the next customer.
//!
//! Screenshots of every step are kept under `target/screenshots/<test>/`.

use tests::browser::Browser;
use tests::counter::{counter, Counter};

const WALK_IN: &str = "walk-in@example.com";

/// Signs the partner's owner in at `/partner/login` with the code from the mailbox.
async fn sign_in(b: &mut Browser, c: &Counter) {
    let mut conn = database::pool::get(c.server.db.pool()).await.unwrap();
    let owner = database::partners::find(&mut conn, c.partner_id())
        .await
        .unwrap()
        .unwrap()
        .business_email;
    drop(conn);
    b.goto(&c.server.url("/partner/login")).await;
    b.fill("#email", &owner).await;
    b.press("Send me a code").await;
    b.find("#code").await;
    let code = tests::mailbox::code_for(&c.server, &owner)
        .await
        .expect("a code");
    b.fill("#code", &code).await;
    b.press("Sign in").await;
    b.wait_for_text("Sign out").await;
}

/// Whether the page fits the screen's width (nothing to scroll sideways).
async fn fits_the_screen(b: &Browser) -> bool {
    let fits = b
        .run("return document.documentElement.scrollWidth <= window.innerWidth;")
        .await;
    fits.as_bool().unwrap_or(false)
}

/// Clicks the Confirm button twice in a row, as a double click does.
async fn double_click_confirm(b: &Browser) {
    b.find("#preview button[type=submit]").await;
    b.run(
        "const button = document.querySelector('#preview button[type=submit]');\
         button.click(); button.click(); return true;",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counter_staff_on_a_phone_record_a_new_customer_once_and_serve_the_next() {
    let c = counter().await;
    let mut b = Browser::start("counter-phone", 390).await;
    sign_in(&mut b, &c).await;
    b.goto(&c.server.url("/partner/counter")).await;
    b.wait_for_text("Coffee Card").await;
    assert!(fits_the_screen(&b).await, "the counter fits a phone");
    b.shot("counter").await;

    // A new customer, an amount typed with a decimal comma.
    b.fill("#member", WALK_IN).await;
    b.fill("#amount", "12,50").await;
    b.press("Preview").await;
    let preview = b.wait_for_text("New customer").await;
    assert!(
        preview.contains("62 points"),
        "12 + the 50 welcome bonus: {preview}"
    );
    assert!(preview.contains("12.50 USD earns 12 points"), "{preview}");
    assert!(preview.contains("+ 50 points welcome bonus"), "{preview}");
    assert!(fits_the_screen(&b).await, "the preview fits a phone");
    b.shot("preview").await;
    assert!(
        c.wallet(c.card_id(), WALK_IN).await.is_none(),
        "a preview records nothing"
    );

    // Name and language for the new member, then a double click on Confirm.
    b.fill("#name", "Walker").await;
    b.select("#language", "nl").await;
    double_click_confirm(&b).await;
    let receipt = b.wait_for_text("+62 points to Walker").await;
    assert!(receipt.contains("balance now 62 points"), "{receipt}");
    assert!(receipt.contains("Next customer"), "{receipt}");
    assert!(fits_the_screen(&b).await, "the receipt fits a phone");
    b.shot("receipt").await;
    let kinds: Vec<String> = c
        .entries(c.card_id(), WALK_IN)
        .await
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds, ["purchase", "welcome_bonus"], "recorded once");
    assert_eq!(c.emails_to(WALK_IN).await.len(), 1, "one points email");

    // The next purchase: the counter is empty again, the member is known now.
    assert_eq!(
        b.find("#member")
            .await
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some("")
    );
    b.fill("#member", WALK_IN).await;
    b.fill("#amount", "3").await;
    b.press("Preview").await;
    let preview = b.wait_for_text("Balance after: 65 points").await;
    assert!(preview.contains("Walker"), "who was found: {preview}");
    assert!(preview.contains("62 points"), "the balance now: {preview}");
    b.shot("known-member").await;
    b.press("Confirm").await;
    b.wait_for_text("+3 points to Walker").await;
    b.shot("second-receipt").await;
    assert_eq!(c.wallet(c.card_id(), WALK_IN).await.unwrap().balance, 65);
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_pages_script_a_double_click_still_records_once() {
    let c = counter().await;
    let mut b = Browser::start("counter-double-click", 1280).await;
    sign_in(&mut b, &c).await;
    b.goto(&c.server.url("/partner/counter")).await;
    b.fill("#member", WALK_IN).await;
    b.fill("#amount", "20.00").await;
    b.press("Preview").await;
    b.wait_for_text("70 points").await;
    // Both clicks reach the server now; its idempotency key records one purchase, and the
    // answer the browser shows is the receipt.
    b.run("document.querySelector('#preview form').removeAttribute('data-once'); return true;")
        .await;
    double_click_confirm(&b).await;
    let receipt = b.wait_for_text("+70 points to walk-in@example.com").await;
    assert!(receipt.contains("balance now 70 points"), "{receipt}");
    b.shot("receipt").await;
    let kinds: Vec<String> = c
        .entries(c.card_id(), WALK_IN)
        .await
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds, ["purchase", "welcome_bonus"], "recorded once");

    // Bad input is shown next to its field.
    b.fill("#member", WALK_IN).await;
    b.fill("#amount", "4.999").await;
    b.press("Preview").await;
    b.wait_for_text("USD amounts have at most 2 decimals.")
        .await;
    b.shot("bad-amount").await;
    assert_eq!(c.wallet(c.card_id(), WALK_IN).await.unwrap().balance, 70);
    b.close().await;
}
