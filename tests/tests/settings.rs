//! Business settings over HTTP: the owner changes the name, the business email and the
//! timezone; every field is checked (an unknown timezone is refused); the log says what
//! changed; times on the pages follow the new timezone.

use tests::html::unescape;
use tests::partner::create_partner;
use tests::partner_session::Dashboard;
use tests::TestServer;

const OWNER: &str = "owner@corner.test";

async fn owner_world() -> (TestServer, i64, Dashboard) {
    let server = TestServer::start_with(&[("TALLY_ENV", "dev"), ("SMTP_URL", "")]).await;
    let partner_id = create_partner(&server, "Corner Café", OWNER).await;
    let owner = Dashboard::sign_in(&server, OWNER).await;
    (server, partner_id, owner)
}

async fn save(owner: &Dashboard, name: &str, email: &str, timezone: &str) -> reqwest::Response {
    owner
        .submit(
            "/partner/settings",
            "/partner/settings",
            None,
            &[
                ("name", name),
                ("business_email", email),
                ("timezone", timezone),
            ],
        )
        .await
}

async fn partner(server: &TestServer, id: i64) -> database::partners::Partner {
    let mut conn = database::pool::get(server.db.pool()).await.unwrap();
    database::partners::find(&mut conn, id)
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_owner_saves_the_business_settings_and_the_log_says_what_changed() {
    let (server, partner_id, owner) = owner_world().await;
    let (status, page) = owner.page("/partner/settings").await;
    assert_eq!(status, 200);
    let page = unescape(&page);
    assert!(page.contains("value=\"Corner Café\""), "{page}");
    assert!(page.contains("value=\"owner@corner.test\""), "{page}");
    assert!(page.contains("value=\"Europe/Amsterdam\""), "{page}");
    assert!(page.contains("<datalist id=\"zones\">"), "{page}");
    assert!(
        page.contains("<option value=\"America/New_York\">"),
        "{page}"
    );

    let res = save(
        &owner,
        "  Corner Coffee  ",
        "Hello@Corner.test",
        "America/New_York",
    )
    .await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/partner/settings?done=saved");
    let saved = partner(&server, partner_id).await;
    assert_eq!(saved.name, "Corner Coffee");
    assert_eq!(saved.business_email, "Hello@Corner.test");
    assert_eq!(saved.timezone, "America/New_York");

    let (_, page) = owner.page("/partner/settings?done=saved").await;
    assert!(page.contains("Business settings saved."), "{page}");
    let (_, home) = owner.page("/partner").await;
    let home = unescape(&home);
    assert!(home.contains("<h1>Corner Coffee</h1>"), "{home}");
    assert!(home.contains("Times are in America/New_York."), "{home}");

    let (_, log) = owner.page("/partner/activity").await;
    let log = unescape(&log);
    assert!(
        log.contains("Changed the business settings: name from “Corner Café” to “Corner Coffee”, business email from “owner@corner.test” to “Hello@Corner.test”, timezone from “Europe/Amsterdam” to “America/New_York”"),
        "{log}"
    );
    // The log's times are on the new clock: New York is 4 or 5 hours behind UTC.
    assert!(
        log.contains("(UTC-04:00)") || log.contains("(UTC-05:00)"),
        "{log}"
    );

    // Saving the same values again logs nothing new.
    let before = log.matches("Changed the business settings").count();
    assert_eq!(
        save(
            &owner,
            "Corner Coffee",
            "Hello@Corner.test",
            "America/New_York"
        )
        .await
        .status(),
        303
    );
    let (_, log) = owner.page("/partner/activity").await;
    assert_eq!(
        unescape(&log)
            .matches("Changed the business settings")
            .count(),
        before
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_timezone_is_refused_and_nothing_is_saved() {
    let (server, partner_id, owner) = owner_world().await;
    let res = save(
        &owner,
        "Corner Coffee",
        "hello@corner.test",
        "Europe/Atlantis",
    )
    .await;
    assert_eq!(res.status(), 422);
    let page = unescape(&res.text().await.unwrap());
    assert!(
        page.contains("“Europe/Atlantis” is not a timezone Tally knows."),
        "{page}"
    );
    assert!(
        page.contains("value=\"Europe/Atlantis\""),
        "the typed value stays: {page}"
    );
    assert!(page.contains("value=\"Corner Coffee\""), "{page}");
    let unchanged = partner(&server, partner_id).await;
    assert_eq!(
        (unchanged.name.as_str(), unchanged.timezone.as_str()),
        ("Corner Café", "Europe/Amsterdam")
    );

    for bad in ["Amsterdam", "", "../etc/passwd"] {
        let res = save(&owner, "Corner Café", "owner@corner.test", bad).await;
        assert_eq!(res.status(), 422, "{bad:?}");
    }
    assert_eq!(
        partner(&server, partner_id).await.timezone,
        "Europe/Amsterdam"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_bad_field_is_explained_at_once() {
    let (server, partner_id, owner) = owner_world().await;
    let res = save(&owner, "   ", "no-at-sign", "UTC").await;
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(
        page.contains("Enter the business name (1 to 200 characters)."),
        "{page}"
    );
    assert!(page.contains("id=\"business_email-error\""), "{page}");
    assert!(
        !page.contains("id=\"timezone-error\""),
        "UTC is fine: {page}"
    );
    let long = "x".repeat(201);
    assert_eq!(
        save(&owner, &long, "owner@corner.test", "UTC")
            .await
            .status(),
        422
    );
    assert_eq!(
        partner(&server, partner_id).await.timezone,
        "Europe/Amsterdam"
    );
    let (_, log) = owner.page("/partner/activity").await;
    assert!(!log.contains("Changed the business settings"), "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_form_changes_nothing() {
    let (server, partner_id, owner) = owner_world().await;
    let res = owner
        .post(
            "/partner/settings",
            &[
                ("csrf", "stale"),
                ("idem", "x"),
                ("name", "Hijacked"),
                ("business_email", "evil@x.test"),
                ("timezone", "UTC"),
            ],
        )
        .await;
    assert_eq!(res.status(), 403);
    assert!(res.text().await.unwrap().contains("This form has expired"));
    assert_eq!(partner(&server, partner_id).await.name, "Corner Café");
}
