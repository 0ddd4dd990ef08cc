//! The member's side of redemption and redeem-on-behalf in the dashboard, against the
//! running binary and the WooCommerce simulator: the store-discount block (and when it is
//! hidden), a redemption from the card page to the coupon page, the coupon email, "my
//! coupons", refusals, a double submit; staff redeeming for a member from the Overview;
//! and the whole member flow in headless Chromium on a phone-sized screen.

use reqwest::Method;
use serde_json::json;
use tests::browser::Browser;
use tests::html::{csrf, field_value, six_digit_code, unescape};
use tests::mailbox::{mail, sign_in_member};
use tests::redeem::{ours, world_with, World, ANN, BASE};
use tests::TestServer;

const DEV: [(&str, &str); 2] = [("TALLY_ENV", "dev"), ("SMTP_URL", "")];

fn card_path(w: &World) -> String {
    format!("/portal/cards/{}/{}", w.shop.partner_id, w.shop.card.id)
}

/// Sends the card page's redeem form with `points` and the page's own key (or `idem`).
async fn submit(w: &World, points: &str, idem: Option<&str>) -> reqwest::Response {
    let (_, page) = w.server.page(&card_path(w)).await;
    let key = idem
        .map(str::to_owned)
        .unwrap_or_else(|| field_value(&page, "idem").unwrap());
    w.server
        .post_form(
            &format!("{}/redeem", card_path(w)),
            &[("csrf", &csrf(&page)), ("idem", &key), ("points", points)],
        )
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_turns_points_into_a_coupon_from_the_card_page() {
    let w = world_with(&DEV).await;
    sign_in_member(&w.server, ANN).await;
    let (status, page) = w.server.page(&card_path(&w)).await;
    assert_eq!(status, 200);
    let text = unescape(&page);
    assert!(text.contains("Store discount"), "{page}");
    assert!(text.contains("Your 1,500 points are worth"), "{page}");
    assert!(
        text.contains("At least 100 points per code. At most 2,000 points per code."),
        "{page}"
    );

    let res = submit(&w, "1000", Some("one-form")).await;
    assert_eq!(res.status(), 303);
    let coupon_page = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(coupon_page.starts_with(&format!("/portal/coupons/{}/", w.shop.partner_id)));
    // The same form again (a double click): the same coupon, nothing more spent.
    let again = submit(&w, "1000", Some("one-form")).await;
    assert_eq!(again.headers()["location"].to_str().unwrap(), coupon_page);
    assert_eq!(w.balance(ANN).await, 500);

    let (status, page) = w.server.page(&coupon_page).await;
    assert_eq!(status, 200, "{page}");
    let id = coupon_page.rsplit('/').next().unwrap();
    let on_store = ours(&w.sim, id);
    assert_eq!(on_store.len(), 1);
    let code = on_store[0].code.to_uppercase();
    assert!(
        page.contains(&format!("<code id=\"coupon-code\">{code}</code>")),
        "{page}"
    );
    assert!(page.contains(&format!("data-copy=\"{code}\"")), "{page}");
    assert!(page.contains("50.00"), "{page}");
    assert!(page.contains("/static/copy.js"));

    let (_, list) = w.server.page("/portal/coupons").await;
    assert!(
        list.contains(&code) && list.contains("Ready to use"),
        "{list}"
    );
    let email = mail(&w.server, ANN, "").await.unwrap();
    assert!(
        email.contains(&code),
        "the coupon email carries the code: {email}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_explain_themselves_and_the_block_hides_when_the_store_is_paused() {
    let w = world_with(&DEV).await;
    sign_in_member(&w.server, ANN).await;
    let res = submit(&w, "50", None).await;
    assert_eq!(res.status(), 303);
    let back = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(back.starts_with(&card_path(&w)), "{back}");
    let (_, page) = w.server.page(&back).await;
    assert!(
        unescape(&page).contains("Redeem at least 100 points."),
        "{page}"
    );
    let res = submit(&w, "lots", None).await;
    let (_, page) = w
        .server
        .page(res.headers()["location"].to_str().unwrap())
        .await;
    assert!(
        unescape(&page).contains("Enter a whole number of points."),
        "{page}"
    );
    assert_eq!(w.balance(ANN).await, 1500);
    assert!(w.sim.coupons().is_empty());

    let pause = format!("{BASE}/{}/pause", w.integration);
    assert_eq!(w.call(Method::POST, &pause, None).await.0, 200);
    let (_, page) = w.server.page(&card_path(&w)).await;
    assert!(
        !page.contains("Store discount"),
        "hidden while paused: {page}"
    );
    // A form kept open in another tab from before the pause is refused.
    let res = submit(&w, "500", Some("old-tab")).await;
    let (_, page) = w
        .server
        .page(res.headers()["location"].to_str().unwrap())
        .await;
    assert!(
        unescape(&page).contains("This shop does not offer discount codes right now."),
        "{page}"
    );
    assert_eq!(w.balance(ANN).await, 1500);

    let resume = format!("{BASE}/{}/resume", w.integration);
    assert_eq!(w.call(Method::POST, &resume, None).await.0, 200);
    let off = json!({"discount": {"enabled": false}});
    let settings = format!("{BASE}/{}/settings", w.integration);
    assert_eq!(w.call(Method::PATCH, &settings, Some(off)).await.0, 200);
    let (_, page) = w.server.page(&card_path(&w)).await;
    assert!(
        !page.contains("Store discount"),
        "hidden with the discount off: {page}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn below_the_minimum_the_block_shows_the_progress_instead_of_a_form() {
    let w = world_with(&DEV).await;
    w.give("bo@example.com", 40).await;
    sign_in_member(&w.server, "bo@example.com").await;
    let (_, page) = w.server.page(&card_path(&w)).await;
    assert!(
        unescape(&page).contains("Only 60 more points until your first"),
        "{page}"
    );
    assert!(!page.contains("id=\"redeem-form\""), "{page}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_on_a_phone_signs_in_with_a_code_redeems_and_copies_the_code() {
    let w = world_with(&DEV).await;
    let mut b = Browser::start("portal-redeem", 390).await;
    b.goto(&w.server.url("/login")).await;
    b.fill("#email", ANN).await;
    b.press("Send me a code").await;
    b.find("#code").await;
    let code = six_digit_code(&mail(&w.server, ANN, "").await.unwrap()).unwrap();
    b.fill("#code", &code).await;
    b.press("Sign in").await;
    b.wait_for_text("Coffee").await;
    b.shot("cards").await;
    b.goto(&w.server.url(&card_path(&w))).await;
    b.wait_for_text("Store discount").await;
    b.shot("card-with-discount").await;
    b.fill("#points", "1000").await;
    b.press("Get my discount code").await;
    b.wait_for_text("Your discount code").await;
    b.shot("coupon").await;
    let shown = b.text("#coupon-code").await;
    assert!(shown.starts_with("CAFE-"), "{shown}");
    b.allow_clipboard().await;
    b.click("button[data-copy]").await;
    b.wait_for_element_text("button[data-copy]", "Copied").await;
    assert_eq!(b.clipboard().await, shown);
    let wide = b
        .run("return document.documentElement.scrollWidth > window.innerWidth")
        .await;
    assert_eq!(wide, json!(false), "the coupon page fits a phone");
    assert_eq!(w.balance(ANN).await, 500);
    b.goto(&w.server.url("/portal/coupons")).await;
    b.wait_for_text(&shown).await;
    b.shot("my-coupons").await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_sign_in_link_shows_the_friendly_note_in_chromium() {
    let server = TestServer::start_with(&DEV).await;
    let mut b = Browser::start("portal-expired-link", 390).await;
    b.goto(&server.url("/l/l_expired-or-unknown-token")).await;
    let page = b.wait_for_text("expired or is no longer valid").await;
    assert!(!page.contains("Something went wrong"), "{page}");
    b.find("#email").await;
    b.shot("expired-link").await;
    b.close().await;
}
