//! The partner dashboard's WooCommerce pages over HTTP, against the running binary and
//! the WooCommerce simulator: connect, Overview, Settings, Activity, pause, resume,
//! disconnect — and nothing at all when the feature is off.

use std::time::Duration;

use tests::html::{csrf, field_value, six_digit_code};
use tests::{partner, TestServer};
use woo_sim::{Sim, SimOptions};

const OWNER: &str = "owner@corner.test";
const BASE: &str = "/partner/integrations/woocommerce";

struct World {
    server: TestServer,
    sim: Sim,
    partner_id: i64,
    card_id: i64,
}

/// A dev server the simulator can deliver to (`PUBLIC_BASE_URL` is its own address), a
/// partner with an active USD card, signed in.
async fn world_with(feature: &str) -> World {
    let sim = Sim::start(SimOptions::default()).await.unwrap();
    let server = partner::dashboard_server(sim.ca_cert_path().to_str().unwrap(), feature).await;
    let partner_id = sign_in_partner(&server).await;
    let card_id = partner::add_usd_card(&server, partner_id, "Coffee Card").await;
    World {
        server,
        sim,
        partner_id,
        card_id,
    }
}

async fn world() -> World {
    world_with("true").await
}

/// Creates the partner with `tally admin create-partner` and signs in with the code
/// from the dev mailbox; returns the partner's id.
async fn sign_in_partner(server: &TestServer) -> i64 {
    let partner_id = partner::create_partner(server, "Corner Café", OWNER).await;
    let (_, login) = server.page("/partner/login").await;
    let res = server
        .post_form(
            "/partner/login",
            &[("email", OWNER), ("csrf", &csrf(&login))],
        )
        .await;
    let code_page = res.text().await.unwrap();
    let (_, list) = server.page("/dev/mailbox").await;
    let row = list
        .split("<tr>")
        .find(|row| row.contains(&format!("<td>{OWNER}</td>")))
        .expect("a code in the mailbox");
    let start = row.find("href=\"/dev/mailbox/").unwrap() + "href=\"".len();
    let end = row[start..].find('"').unwrap() + start;
    let (_, email) = server.page(&row[start..end]).await;
    let code = six_digit_code(&email).unwrap();
    let res = server
        .post_form(
            "/partner/login/code",
            &[
                ("email", OWNER),
                ("code", &code),
                ("csrf", &csrf(&code_page)),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    partner_id
}

impl World {
    /// Submits the connect form; returns the response.
    async fn submit_connect(&self, key: (String, String)) -> reqwest::Response {
        let (status, page) = self.server.page(BASE).await;
        assert_eq!(status, 200, "{page}");
        let idem = field_value(&page, "idem").expect("an idempotency key");
        self.submit_connect_with(key, &page, &idem).await
    }

    /// Submits the connect form of `page` with the idempotency key `idem`.
    async fn submit_connect_with(
        &self,
        (ck, cs): (String, String),
        page: &str,
        idem: &str,
    ) -> reqwest::Response {
        let card = self.card_id.to_string();
        let idem = idem.to_owned();
        let url = self.sim.base_url();
        let fields = [
            ("csrf", csrf(page)),
            ("idem", idem),
            ("card_id", card),
            ("store_url", url),
            ("consumer_key", ck),
            ("consumer_secret", cs),
        ];
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        self.server.post_form(BASE, &fields).await
    }

    /// Connects through the form; returns the Overview's path.
    async fn connect(&self, key: (String, String)) -> String {
        let res = self.submit_connect(key).await;
        assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
        let location = res.headers()["location"].to_str().unwrap().to_owned();
        assert!(location.ends_with("?done=connected"), "{location}");
        location.trim_end_matches("?done=connected").to_owned()
    }

    /// Presses a button of `page_path` that posts to `action`, with extra fields and
    /// the page's fresh idempotency key.
    async fn press(
        &self,
        page_path: &str,
        action: &str,
        extra: &[(&str, &str)],
    ) -> reqwest::Response {
        let (status, page) = self.server.page(page_path).await;
        assert_eq!(status, 200, "{page}");
        let idem = field_value(&page, "idem").expect("an idempotency key");
        self.press_with(page_path, action, &idem, extra).await
    }

    /// Presses a button of `page_path` with the idempotency key `idem`.
    async fn press_with(
        &self,
        page_path: &str,
        action: &str,
        idem: &str,
        extra: &[(&str, &str)],
    ) -> reqwest::Response {
        let (status, page) = self.server.page(page_path).await;
        assert_eq!(status, 200, "{page}");
        let token = csrf(&page);
        let mut fields = vec![("csrf", token.as_str()), ("idem", idem)];
        fields.extend_from_slice(extra);
        self.server.post_form(action, &fields).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connecting_through_the_form_registers_the_webhook_on_the_store() {
    let w = world().await;
    let overview = w.connect(w.sim.read_write_key()).await;
    let hooks = w.sim.webhooks();
    assert_eq!(hooks.len(), 1, "{hooks:?}");
    assert!(hooks[0].delivery_url.starts_with(&w.server.base_url));
    let (status, page) = w.server.page(&format!("{overview}?done=connected")).await;
    assert_eq!(status, 200);
    assert!(page.contains("The store is connected."), "{page}");
    assert!(
        page.contains(&format!(
            "Webhook registered automatically (ID {})",
            hooks[0].id
        )),
        "{page}"
    );
    assert!(page.contains("No delivery has arrived yet"), "{page}");
    // The index lists it; a second submit does not connect twice.
    let (_, index) = w.server.page(BASE).await;
    assert!(
        tests::html::unescape(&index).contains(&w.sim.base_url()),
        "{index}"
    );
    let again = w.submit_connect(w.sim.read_write_key()).await;
    assert_eq!(again.status(), 409);
    assert!(again.text().await.unwrap().contains("already connected"));
    assert_eq!(w.sim.webhooks().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_key_is_refused_with_a_hint_and_nothing_is_connected() {
    let w = world().await;
    let res = w
        .submit_connect(("ck_wrong".into(), "cs_wrong".into()))
        .await;
    assert_eq!(res.status(), 502);
    let page = res.text().await.unwrap();
    assert!(
        page.contains("Could not connect to the WooCommerce store: "),
        "{page}"
    );
    assert!(w.sim.webhooks().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_key_connects_in_manual_mode_with_the_url_and_secret_to_copy() {
    let w = world().await;
    let overview = w.connect(w.sim.read_only_key()).await;
    assert!(w.sim.webhooks().is_empty());
    let (_, page) = w.server.page(&overview).await;
    assert!(
        page.contains("Add the webhook in WooCommerce by hand"),
        "{page}"
    );
    let url = tests::html::unescape(&page);
    assert!(
        url.contains(&format!(
            "data-copy=\"{}/webhooks/woocommerce/",
            w.server.base_url
        )),
        "{page}"
    );
    let marker = "id=\"webhook-secret\">";
    let secret_at = page.find(marker).expect("the secret") + marker.len();
    let secret = &page[secret_at..secret_at + 64];
    assert!(secret.chars().all(|c| c.is_ascii_hexdigit()), "{secret}");
    assert!(page.contains(&format!("data-copy=\"{secret}\"")));
    assert!(page.contains("/static/copy.js"));
    assert_eq!(w.server.get("/static/copy.js").await.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_are_saved_and_every_field_is_refused_with_its_own_message() {
    let w = world().await;
    let overview = w.connect(w.sim.read_write_key()).await;
    let settings = format!("{overview}/settings");
    let (_, page) = w.server.page(&settings).await;
    assert!(
        page.contains("1,000 points = 50.00 store discount"),
        "{page}"
    );
    assert!(page.contains("href=\"/partner/settings\""), "{page}");
    assert!(page.contains(OWNER), "the sender identity: {page}");
    let good = [
        ("award_on", "completed"),
        ("partial_refunds", "proportional"),
        ("email_language", "nl"),
        ("discount_enabled", "on"),
        ("value_per_point", "0.10"),
        ("min_points", "500"),
        ("max_points", "2000"),
        ("code_prefix", "cafe"),
        ("valid_days", "30"),
    ];
    let res = w.press(&settings, &settings, &good).await;
    assert_eq!(res.status(), 303);
    let (_, page) = w
        .server
        .page(res.headers()["location"].to_str().unwrap())
        .await;
    assert!(page.contains("Settings saved."), "{page}");
    assert!(page.contains("500 points = 50.00 store discount"), "{page}");
    assert!(page.contains("value=\"CAFE\""), "{page}");
    assert!(page.contains("<option value=\"nl\" selected>"), "{page}");

    let bad = [
        ("award_on", "shipped"),
        ("partial_refunds", "some"),
        ("email_language", "xx"),
        ("value_per_point", "0"),
        ("min_points", "zero"),
        ("max_points", "-5"),
        ("code_prefix", "TOO-LONG-PREFIX"),
        ("valid_days", "91"),
    ];
    let res = w.press(&settings, &settings, &bad).await;
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    for message in [
        "Choose “Processing or completed” or “Completed only”.",
        "Choose “Deduct nothing” or “Deduct proportionally”.",
        "Choose English, Dutch, German, French or Spanish.",
        "Enter an amount greater than 0, such as 0.05.",
        "Enter a whole number of points, 1 or more.",
        "Enter a whole number of points, or leave it empty for the whole balance.",
        "Use 1 to 12 letters A–Z or digits 0–9.",
        "Enter a number of days from 1 to 90.",
    ] {
        assert!(page.contains(message), "{message} missing in {page}");
    }
    assert!(
        page.contains("value=\"TOO-LONG-PREFIX\""),
        "what was typed stays"
    );
    let (_, page) = w.server.page(&settings).await;
    assert!(page.contains("value=\"CAFE\""), "nothing saved: {page}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pause_and_resume_and_a_double_pause_is_answered_kindly() {
    let w = world().await;
    let overview = w.connect(w.sim.read_write_key()).await;
    let pause = format!("{overview}/pause");
    let res = w.press(&overview, &pause, &[]).await;
    assert_eq!(res.status(), 303);
    assert!(res.headers()["location"]
        .to_str()
        .unwrap()
        .ends_with("?done=paused"));
    let (_, page) = w.server.page(&overview).await;
    assert!(page.contains("/resume"), "{page}");
    let again = w.press(&overview, &pause, &[]).await;
    assert_eq!(again.status(), 409);
    assert!(again
        .text()
        .await
        .unwrap()
        .contains("This integration is already paused."));
    let res = w.press(&overview, &format!("{overview}/resume"), &[]).await;
    assert_eq!(res.status(), 303);
    let (_, page) = w.server.page(&overview).await;
    assert!(page.contains("/pause"), "{page}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_form_sent_twice_with_its_key_is_carried_out_once_and_answered_alike() {
    let w = world().await;
    let (_, page) = w.server.page(BASE).await;
    let idem = field_value(&page, "idem").unwrap();
    let first = w
        .submit_connect_with(w.sim.read_write_key(), &page, &idem)
        .await;
    let again = w
        .submit_connect_with(w.sim.read_write_key(), &page, &idem)
        .await;
    assert_eq!(first.status(), 303);
    assert_eq!(
        again.status(),
        303,
        "{}",
        again.text().await.unwrap_or_default()
    );
    assert_eq!(first.headers()["location"], again.headers()["location"]);
    assert_eq!(w.sim.webhooks().len(), 1, "one webhook on the store");
    let overview = first.headers()["location"]
        .to_str()
        .unwrap()
        .trim_end_matches("?done=connected")
        .to_owned();

    // Pause, double-clicked: one pause, both answered "paused".
    let pause = format!("{overview}/pause");
    for _ in 0..2 {
        let res = w.press_with(&overview, &pause, "pause-key", &[]).await;
        assert_eq!(res.status(), 303);
        assert!(res.headers()["location"]
            .to_str()
            .unwrap()
            .ends_with("?done=paused"));
    }
    let mut conn = database::pool::get(w.server.db.pool()).await.unwrap();
    let log = database::activity::recent(&mut conn, w.partner_id, 50)
        .await
        .unwrap();
    let pauses = log.iter().filter(|e| e.action.contains("pause")).count();
    assert_eq!(pauses, 1, "{log:?}");

    // The same key with other values is refused and changes nothing.
    let settings = format!("{overview}/settings");
    let sent = w
        .press_with(
            &settings,
            &settings,
            "settings-key",
            &settings_fields("0.10"),
        )
        .await;
    assert_eq!(sent.status(), 303);
    let other = w
        .press_with(
            &settings,
            &settings,
            "settings-key",
            &settings_fields("0.20"),
        )
        .await;
    assert_eq!(other.status(), 409);
    assert!(other
        .text()
        .await
        .unwrap()
        .contains("This form was already sent with other values."));
    let (_, page) = w.server.page(&settings).await;
    assert!(page.contains("value=\"0.10\""), "{page}");

    // A refused form gives its key back: corrected, it goes through with the same key.
    let bad = w
        .press_with(&settings, &settings, "fix-key", &settings_fields("0"))
        .await;
    assert_eq!(bad.status(), 422);
    let fixed = w
        .press_with(&settings, &settings, "fix-key", &settings_fields("0.30"))
        .await;
    assert_eq!(fixed.status(), 303);
}

fn settings_fields(value_per_point: &'static str) -> Vec<(&'static str, &'static str)> {
    vec![
        ("award_on", "processing_or_completed"),
        ("partial_refunds", "ignore"),
        ("email_language", "en"),
        ("value_per_point", value_per_point),
        ("min_points", "1000"),
        ("max_points", ""),
        ("code_prefix", "POINTS"),
        ("valid_days", "7"),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disconnecting_asks_for_confirmation_and_deletes_the_webhook_from_the_store() {
    let w = world().await;
    let overview = w.connect(w.sim.read_write_key()).await;
    let confirm = format!("{overview}/disconnect");
    let unconfirmed = w.press(&confirm, &confirm, &[]).await;
    assert_eq!(unconfirmed.status(), 422);
    assert_eq!(w.sim.webhooks().len(), 1, "nothing changed");
    let res = w.press(&confirm, &confirm, &[("confirm", "yes")]).await;
    assert_eq!(res.status(), 200);
    let page = res.text().await.unwrap();
    assert!(
        page.contains("The webhook was deleted from the store."),
        "{page}"
    );
    assert!(page.contains("Revoke the API key in WordPress"), "{page}");
    assert!(w.sim.webhooks().is_empty());
    let (_, page) = w.server.page(&overview).await;
    assert!(page.contains("This store is disconnected."), "{page}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_in_the_store_shows_in_activity_and_is_explained() {
    let w = world().await;
    let overview = w.connect(w.sim.read_write_key()).await;
    let order = partner::place_order(&w.sim, "sam@example.com", "42.50").await;
    assert!(w.sim.wait_idle(Duration::from_secs(10)).await);
    let activity = format!("{overview}/activity");
    let (_, page) = w.server.page(&activity).await;
    assert!(
        page.contains(&format!("?order={order}\">{order}</a>")),
        "{page}"
    );
    assert!(page.contains("receipt processed"), "{page}");
    assert!(
        page.contains("(UTC+01:00)") || page.contains("(UTC+02:00)"),
        "times on the partner's clock (Amsterdam): {page}"
    );
    let (_, filtered) = w.server.page(&format!("{activity}?outcome=failed")).await;
    assert!(!filtered.contains("receipt processed"), "{filtered}");

    let (_, why) = w.server.page(&format!("{overview}?order={order}")).await;
    assert!(why.contains(&format!("Points for order {order}")), "{why}");
    assert!(why.contains("42.50 USD at"), "the rule explained: {why}");
    let (_, overview_page) = w.server.page(&overview).await;
    assert!(overview_page.contains("Last delivery:"), "{overview_page}");
    let (_, unknown) = w.server.page(&format!("{overview}?order=999999")).await;
    assert!(unknown.contains("Tally has received nothing for order 999999"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_feature_off_every_page_is_a_404_and_nothing_mentions_woocommerce() {
    let w = world_with("false").await;
    for path in [
        BASE.to_owned(),
        format!("{BASE}/1"),
        format!("{BASE}/1/settings"),
        format!("{BASE}/1/activity"),
        format!("{BASE}/1/disconnect"),
    ] {
        let (status, page) = w.server.page(&path).await;
        assert_eq!(status, 404, "{path}");
        assert!(
            !page.to_lowercase().contains("woocommerce"),
            "{path}: {page}"
        );
    }
    for path in [
        BASE.to_owned(),
        format!("{BASE}/1/settings"),
        format!("{BASE}/1/pause"),
        format!("{BASE}/1/resume"),
        format!("{BASE}/1/health"),
        format!("{BASE}/1/reactivate"),
        format!("{BASE}/1/check"),
        format!("{BASE}/1/disconnect"),
    ] {
        let res = w.server.post_form(&path, &[("csrf", "x")]).await;
        assert_eq!(res.status(), 404, "POST {path}");
    }
    let (status, home) = w.server.page("/partner").await;
    assert_eq!(status, 200);
    assert!(!home.to_lowercase().contains("woocommerce"), "{home}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_redeem_points_for_a_member_from_the_overview() {
    let w = world().await;
    let overview = w.connect(w.sim.read_write_key()).await;
    let (_, page) = w.server.page(&overview).await;
    assert!(
        !page.contains("Redeem points for a member"),
        "the discount is off by default"
    );
    let settings = format!("{overview}/settings");
    let mut on = settings_fields("0.05");
    on.push(("discount_enabled", "on"));
    on.retain(|(k, _)| *k != "min_points");
    on.push(("min_points", "100"));
    assert_eq!(w.press(&settings, &settings, &on).await.status(), 303);

    // Sam joins through an order, with 42 points and the welcome bonus of 50.
    place_order(&w, "sam@example.com", "42.50").await;
    let redeem = format!("{overview}/redeem");
    let (_, page) = w.server.page(&overview).await;
    assert!(page.contains("Redeem points for a member"), "{page}");
    let res = w
        .press(
            &overview,
            &redeem,
            &[("member", "sam@example.com"), ("points", "50")],
        )
        .await;
    assert_eq!(res.status(), 422, "below the minimum");
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Redeem at least 100 points at a time."));
    let res = w
        .press(
            &overview,
            &redeem,
            &[("member", "nobody@example.com"), ("points", "100")],
        )
        .await;
    assert_eq!(res.status(), 404);
    let res = w
        .press_with(
            &overview,
            &redeem,
            "behalf-1",
            &[("member", "sam@example.com"), ("points", "90")],
        )
        .await;
    assert_eq!(res.status(), 422, "{}", res.text().await.unwrap());
    let mut conn = database::pool::get(w.server.db.pool()).await.unwrap();
    let sam = database::members::find_by_email(&mut conn, "sam@example.com")
        .await
        .unwrap()
        .unwrap();
    let by_code = sam.code.clone();
    let res = w
        .press_with(
            &overview,
            &redeem,
            "behalf-2",
            &[("member", &by_code), ("points", "92")],
        )
        .await;
    assert_eq!(res.status(), 422, "92 is below the minimum of 100 too");
    // Top Sam up and redeem by member number, twice with one form: one coupon.
    place_order(&w, "sam@example.com", "100.00").await;
    let number = sam.number.to_string();
    for _ in 0..2 {
        let res = w
            .press_with(
                &overview,
                &redeem,
                "behalf-3",
                &[("member", &number), ("points", "150")],
            )
            .await;
        assert_eq!(res.status(), 200);
        let page = res.text().await.unwrap();
        assert!(
            page.contains("created for sam@example.com: 7.50 USD"),
            "{page}"
        );
    }
    assert_eq!(w.sim.coupons().len(), 1, "{:?}", w.sim.coupons());
    let log = database::activity::recent(&mut conn, w.partner_id, 50)
        .await
        .unwrap();
    let requested = log
        .iter()
        .find(|a| a.action == "redemption_requested")
        .expect("the redemption in the activity log");
    assert_eq!(requested.actor_kind, "partner_user");
    assert!(requested.partner_user_id.is_some());
}

/// Places a paid order in the simulated store and waits for its delivery.
async fn place_order(w: &World, email: &str, total: &str) {
    partner::place_order(&w.sim, email, total).await;
    assert!(w.sim.wait_idle(Duration::from_secs(10)).await);
}
