//! The WooCommerce pages of the partner dashboard in a real headless Chromium, clicked
//! through as a partner would: sign in with a code, connect the simulated store, watch
//! an order arrive and ask why it earned its points, change settings with the live
//! preview, pause, resume and disconnect; and, with a read-only key, the manual steps
//! whose copy buttons put the delivery URL and the secret on the clipboard.
//!
//! Screenshots of every step are kept under `target/screenshots/<test>/`.

use std::time::Duration;

use tests::browser::Browser;
use tests::{partner, TestServer};
use woo_sim::{Sim, SimOptions};

const OWNER: &str = "owner@corner.test";

struct World {
    server: TestServer,
    sim: Sim,
}

async fn world() -> World {
    let sim = Sim::start(SimOptions::default()).await.unwrap();
    let server = partner::dashboard_server(sim.ca_cert_path().to_str().unwrap(), "true").await;
    let partner_id = partner::create_partner(&server, "Corner Café", OWNER).await;
    partner::add_usd_card(&server, partner_id, "Coffee Card").await;
    World { server, sim }
}

/// Signs in at `/partner/login` with the code from the mailbox.
async fn sign_in(b: &mut Browser, server: &TestServer) {
    b.goto(&server.url("/partner/login")).await;
    b.fill("#email", OWNER).await;
    b.press("Send me a code").await;
    b.find("#code").await;
    b.shot("code-requested").await;
    let code = tests::mailbox::code_for(server, OWNER)
        .await
        .expect("a code");
    b.fill("#code", &code).await;
    b.press("Sign in").await;
    b.wait_for_text("Sign out").await;
}

/// Fills and submits the connect form with `(key, secret)`.
async fn connect(b: &mut Browser, w: &World, (ck, cs): (String, String)) {
    b.goto(&w.server.url("/partner/integrations/woocommerce"))
        .await;
    b.wait_for_text("Connect a store").await;
    b.fill("#store_url", &w.sim.base_url()).await;
    b.fill("#consumer_key", &ck).await;
    b.fill("#consumer_secret", &cs).await;
    b.shot("connect-form").await;
    b.press("Connect the store").await;
    b.wait_for_text("The store is connected.").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partner_connects_sees_an_order_changes_settings_pauses_and_disconnects() {
    let w = world().await;
    let mut b = Browser::start("dashboard-connect-and-run", 1280).await;
    sign_in(&mut b, &w.server).await;
    b.shot("signed-in").await;

    connect(&mut b, &w, w.sim.read_write_key()).await;
    let hooks = w.sim.webhooks();
    assert_eq!(hooks.len(), 1, "{hooks:?}");
    assert!(hooks[0].delivery_url.starts_with(&w.server.base_url));
    let page = b
        .wait_for_text(&format!(
            "Webhook registered automatically (ID {})",
            hooks[0].id
        ))
        .await;
    assert!(page.contains("No delivery has arrived yet"), "{page}");
    b.shot("connected").await;

    // A test order in the store arrives, and the Overview explains it.
    let order = partner::place_order(&w.sim, "sam@example.com", "42.50").await;
    assert!(w.sim.wait_idle(Duration::from_secs(10)).await);
    let overview = b.current_url().await;
    let overview = overview.split('?').next().unwrap().to_owned();
    b.goto(&overview).await;
    b.wait_for_text("Last delivery:").await;
    b.fill("#order", &order.to_string()).await;
    b.press("Explain").await;
    let why = b.wait_for_text(&format!("Points for order {order}")).await;
    assert!(why.contains("42.50 USD at"), "the rule explained: {why}");
    b.shot("order-explained").await;
    b.click("nav.tabs a[href$='/activity']").await;
    let activity = b.wait_for_text(&order.to_string()).await;
    assert!(activity.contains("processed"), "{activity}");
    b.shot("activity").await;

    // Settings: the preview follows the typing; the server saves what was typed.
    b.click("nav.tabs a[href$='/settings']").await;
    b.wait_for_element_text("#discount-preview", "1,000 points = 50.00 store discount")
        .await;
    b.fill("#value_per_point", "0.10").await;
    b.wait_for_element_text("#discount-preview", "1,000 points = 100.00 store discount")
        .await;
    b.fill("#min_points", "250").await;
    b.wait_for_element_text("#discount-preview", "250 points = 25.00 store discount")
        .await;
    b.fill("#min_points", "").await;
    b.wait_for_element_text("#discount-preview", "Enter a minimum")
        .await;
    b.fill("#min_points", "250").await;
    b.fill("#code_prefix", "CAFE").await;
    b.shot("settings-preview").await;
    b.press("Save settings").await;
    b.wait_for_text("Settings saved.").await;
    b.wait_for_element_text("#discount-preview", "250 points = 25.00 store discount")
        .await;
    b.shot("settings-saved").await;

    // Pause and resume.
    b.goto(&overview).await;
    b.press("Pause").await;
    b.wait_for_text("Paused: deliveries are still received but skipped")
        .await;
    b.shot("paused").await;
    b.press("Resume").await;
    let page = b
        .wait_for_text("Resumed: new orders earn points again.")
        .await;
    assert!(!page.contains("Paused: deliveries are received"), "{page}");
    b.shot("resumed").await;

    // Disconnect asks first; then the webhook is gone from the store.
    b.click("a.danger").await;
    b.wait_for_text("Members keep every point.").await;
    b.click("input[name=confirm]").await;
    b.shot("disconnect-confirm").await;
    b.press("Disconnect the store").await;
    b.wait_for_text("The webhook was deleted from the store.")
        .await;
    b.wait_for_text("Revoke the API key in WordPress").await;
    b.shot("disconnected").await;
    assert!(w.sim.webhooks().is_empty(), "{:?}", w.sim.webhooks());
    b.goto(&overview).await;
    b.wait_for_text("This store is disconnected.").await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_key_shows_manual_steps_whose_copy_buttons_fill_the_clipboard() {
    let w = world().await;
    let mut b = Browser::start("dashboard-manual-mode", 390).await;
    sign_in(&mut b, &w.server).await;
    connect(&mut b, &w, w.sim.read_only_key()).await;
    let page = b
        .wait_for_text("Add the webhook in WooCommerce by hand")
        .await;
    assert_eq!(
        page.matches("The API key is read-only").count(),
        1,
        "the store's reason, said once: {page}"
    );
    assert!(w.sim.webhooks().is_empty());
    b.shot("manual-steps").await;
    b.allow_clipboard().await;

    let url = b.text("#delivery-url").await;
    assert!(
        url.starts_with(&format!("{}/webhooks/woocommerce/", w.server.base_url)),
        "{url}"
    );
    b.click("#delivery-url + button[data-copy]").await;
    b.wait_for_element_text("#delivery-url + button", "Copied")
        .await;
    assert_eq!(b.clipboard().await, url);

    let secret = b.text("#webhook-secret").await;
    assert_eq!(secret.len(), 64, "{secret}");
    b.click("#webhook-secret + button[data-copy]").await;
    b.wait_for_element_text("#webhook-secret + button", "Copied")
        .await;
    assert_eq!(b.clipboard().await, secret);
    b.shot("secret-copied").await;

    // What was copied is what the store must use: a delivery signed with it is accepted.
    let unsigned = w
        .server
        .client
        .post(&url)
        .header("content-type", "application/json")
        .header("x-wc-webhook-topic", "order.updated")
        .header("x-wc-webhook-signature", "wrong")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status(), 401, "the URL is the receiver's");
    b.close().await;
}
