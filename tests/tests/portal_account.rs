//! The member's account pages end to end, against the real binary: preferences; the
//! recent-code gate in front of email change, export and deletion; the email change;
//! the data export; deletion; CSRF. And one flow in headless Chromium at phone width.

use database::{members, pool, posting, sessions, wallets};
use secrecy::ExposeSecret;
use tests::browser::Browser;
use tests::html::csrf;
use tests::TestServer;
use time::{Duration, OffsetDateTime};

const DEV: [(&str, &str); 2] = [("TALLY_ENV", "dev"), ("SMTP_URL", "")];

async fn code_in_mailbox(server: &TestServer, to: &str) -> Option<String> {
    tests::mailbox::code_for(server, to).await
}

async fn sign_in_with_code(server: &TestServer, email: &str) {
    tests::mailbox::sign_in_member(server, email).await
}

/// Seeds the demo (Ann has a Coffee Card with history); returns (partner, card).
async fn seed(server: &TestServer) -> (i64, i64) {
    let dir = tests::TempDir::new("seed");
    let out = tests::run_tally(
        &tests::base_env(&server.db, dir.path()),
        dir.path(),
        &["admin", "seed-demo", "--json"],
    )
    .await;
    assert!(out.success, "{}", out.stderr);
    let seeded: serde_json::Value = serde_json::from_str(out.stdout.trim()).unwrap();
    let id = |k: &str| seeded[k].as_str().unwrap().parse::<i64>().unwrap();
    (id("partner_id"), id("card_id"))
}

async fn member(server: &TestServer, email: &str) -> members::Member {
    let mut conn = pool::get(server.db.pool()).await.unwrap();
    members::find_by_email(&mut conn, email)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no member {email}"))
}

/// A sign-in link for the member's card, as the emails carry.
async fn link_for(server: &TestServer, member_id: i64, partner_id: i64, card_id: i64) -> String {
    let keys = identity::KeyRing::new(
        identity::SecretKey::from_base64(tests::TEST_APP_SECRET_KEY).unwrap(),
        None,
    );
    let mut conn = pool::get(server.db.pool()).await.unwrap();
    let now = OffsetDateTime::now_utc();
    let token =
        tally::usecases::links::issue_link(&mut conn, &keys, member_id, partner_id, card_id, now)
            .await
            .unwrap();
    format!("/l/{}", token.expose_secret())
}

/// Signs Ann in by link (no code); returns her member row.
async fn ann_by_link(server: &TestServer) -> members::Member {
    let (partner_id, card_id) = seed(server).await;
    let ann = member(server, "ann@example.com").await;
    let res = server
        .get(&link_for(server, ann.id, partner_id, card_id).await)
        .await;
    assert_eq!(res.status(), 303);
    ann
}

/// Passes the gate of `next` (`/portal/account/export` …) with a code from the mailbox.
async fn pass_gate(server: &TestServer, next: &str, email: &str) {
    let (status, gate) = server.page(&format!("/portal/account/{next}")).await;
    assert_eq!(status, 200);
    assert!(gate.contains("Confirm it&#x27;s you") || gate.contains("Confirm it's you"));
    let res = server
        .post_form(
            "/portal/account/verify/send",
            &[("csrf", &csrf(&gate)), ("next", next)],
        )
        .await;
    assert_eq!(res.status(), 200);
    let code_page = res.text().await.unwrap();
    assert!(code_page.contains("name=\"code\""), "{code_page}");
    let code = code_in_mailbox(server, email).await.expect("a code");
    let res = server
        .post_form(
            "/portal/account/verify",
            &[("csrf", &csrf(&code_page)), ("next", next), ("code", &code)],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], format!("/portal/account/{next}"));
}

async fn export_json(server: &TestServer) -> reqwest::Response {
    let (_, page) = server.page("/portal/account/export").await;
    server
        .post_form("/portal/account/export", &[("csrf", &csrf(&page))])
        .await
}

#[tokio::test]
async fn name_language_and_loyalty_emails_are_saved_and_the_portal_speaks_the_language() {
    let server = TestServer::start_with(&DEV).await;
    sign_in_with_code(&server, "zoe@example.com").await;
    let (status, page) = server.page("/portal/account").await;
    assert_eq!(status, 200);
    assert!(page.contains("Your account"), "{page}");
    let res = server
        .post_form(
            "/portal/account",
            &[
                ("csrf", &csrf(&page)),
                ("name", "  Zoë Zimmer  "),
                ("language", "nl"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/portal/account?saved=1");
    let zoe = member(&server, "zoe@example.com").await;
    assert_eq!(zoe.name, "Zoë Zimmer");
    assert_eq!(zoe.language, "nl");
    assert!(
        !zoe.loyalty_emails,
        "an unticked box switches loyalty emails off"
    );
    let (_, page) = server.page("/portal/account?saved=1").await;
    assert!(
        page.contains("Je account") || page.contains("account"),
        "{page}"
    );
    assert!(page.contains("Mijn gegevens downloaden"), "{page}");
    assert!(page.contains("lang=\"nl\""), "{page}");
    let (_, cards) = server.page("/portal").await;
    assert!(
        cards.contains("lang=\"nl\""),
        "the whole portal follows: {cards}"
    );

    let res = server
        .post_form(
            "/portal/account",
            &[
                ("csrf", &csrf(&page)),
                ("name", "Zoë"),
                ("language", "fr"),
                ("loyalty_emails", "on"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let zoe = member(&server, "zoe@example.com").await;
    assert_eq!((zoe.language.as_str(), zoe.loyalty_emails), ("fr", true));
}

#[tokio::test]
async fn a_link_sign_in_is_asked_for_a_code_before_the_export_and_then_gets_its_entries() {
    let server = TestServer::start_with(&DEV).await;
    let ann = ann_by_link(&server).await;
    // Without a code: the page explains and offers one; the download itself refuses.
    let (status, gate) = server.page("/portal/account/export").await;
    assert_eq!(status, 200);
    assert!(gate.contains("Send me a code"), "{gate}");
    assert!(!gate.contains("Download my data (JSON)"), "{gate}");
    let res = server
        .post_form("/portal/account/export", &[("csrf", &csrf(&gate))])
        .await;
    assert_eq!(res.status(), 303, "no export without a recent code");

    pass_gate(&server, "export", "ann@example.com").await;
    let res = export_json(&server).await;
    assert_eq!(res.status(), 200);
    let disposition = res.headers()["content-disposition"].to_str().unwrap();
    assert!(
        disposition.starts_with("attachment;") && disposition.contains(".json"),
        "{disposition}"
    );
    let data: serde_json::Value = res.json().await.unwrap();
    assert_eq!(data["profile"]["email"], "ann@example.com");
    assert_eq!(data["profile"]["name"], "Ann Archer");
    assert_eq!(data["email_preferences"]["loyalty_emails"], true);
    let mut conn = pool::get(server.db.pool()).await.unwrap();
    let views = wallets::of_member(&mut conn, ann.id).await.unwrap();
    assert_eq!(data["cards"].as_array().unwrap().len(), views.len());
    let w = &views[0].wallet;
    let entries = posting::entries_of_wallet(&mut conn, w.partner_id, w.id, 1000)
        .await
        .unwrap();
    let card = &data["cards"][0];
    assert_eq!(card["card"], "Coffee Card");
    assert_eq!(card["balance"], w.balance);
    let exported = card["entries"].as_array().unwrap();
    assert_eq!(exported.len(), entries.len());
    assert!(!exported.is_empty());
    let sum: i64 = exported
        .iter()
        .map(|e| e["applied_points"].as_i64().unwrap())
        .sum();
    assert_eq!(sum, w.balance, "the entries add up to the balance");
    assert!(card["redemptions"].as_array().unwrap().is_empty());
    let methods: Vec<_> = data["sign_ins"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["method"].as_str().unwrap())
        .collect();
    assert_eq!(methods, vec!["link"]);
}

#[tokio::test]
async fn a_code_sign_in_older_than_ten_minutes_is_asked_again() {
    let server = TestServer::start_with(&DEV).await;
    sign_in_with_code(&server, "zoe@example.com").await;
    let (_, page) = server.page("/portal/account/export").await;
    assert!(
        page.contains("Download my data (JSON)"),
        "a fresh code sign-in goes straight through: {page}"
    );
    let zoe = member(&server, "zoe@example.com").await;
    let mut conn = pool::get(server.db.pool()).await.unwrap();
    let session = sessions::of_member(&mut conn, zoe.id).await.unwrap()[0].clone();
    let eleven_minutes_ago = OffsetDateTime::now_utc() - Duration::minutes(11);
    sessions::mark_code_verified(&mut conn, session.id, eleven_minutes_ago)
        .await
        .unwrap();
    for next in ["export", "email", "delete"] {
        let (status, page) = server.page(&format!("/portal/account/{next}")).await;
        assert_eq!(status, 200);
        assert!(page.contains("Send me a code"), "{next}: {page}");
    }
    assert_eq!(export_json(&server).await.status(), 303);
    pass_gate(&server, "export", "zoe@example.com").await;
    assert_eq!(export_json(&server).await.status(), 200);
}

/// Asks for the change to `new`; returns the page with the code field.
async fn request_change(server: &TestServer, new: &str) -> String {
    let (status, page) = server.page("/portal/account/email").await;
    assert_eq!(status, 200);
    let res = server
        .post_form(
            "/portal/account/email",
            &[("csrf", &csrf(&page)), ("email", new)],
        )
        .await;
    assert_eq!(res.status(), 200);
    let page = res.text().await.unwrap();
    assert!(page.contains("name=\"code\""), "{page}");
    page
}

async fn submit_change(
    server: &TestServer,
    page: &str,
    new: &str,
    code: &str,
) -> reqwest::Response {
    server
        .post_form(
            "/portal/account/email/code",
            &[("csrf", &csrf(page)), ("email", new), ("code", code)],
        )
        .await
}

#[tokio::test]
async fn the_email_changes_with_the_code_sent_to_the_new_address_and_not_with_a_wrong_one() {
    let server = TestServer::start_with(&DEV).await;
    sign_in_with_code(&server, "zoe@example.com").await;
    let zoe = member(&server, "zoe@example.com").await;
    let page = request_change(&server, "Zoe.New@Example.org").await;
    let code = code_in_mailbox(&server, "Zoe.New@Example.org")
        .await
        .expect("the code goes to the new address");
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let res = submit_change(&server, &page, "Zoe.New@Example.org", wrong).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("tries left"));
    assert_eq!(member(&server, "zoe@example.com").await.id, zoe.id);
    let res = submit_change(&server, &page, "Zoe.New@Example.org", &code).await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/portal/account?saved=email");
    let moved = member(&server, "zoe.new@example.org").await;
    assert_eq!(moved.id, zoe.id);
    assert_eq!(moved.email, "Zoe.New@Example.org");
    let mut conn = pool::get(server.db.pool()).await.unwrap();
    assert!(members::find_by_email(&mut conn, "zoe@example.com")
        .await
        .unwrap()
        .is_none());
    let (_, account) = server.page("/portal/account?saved=email").await;
    assert!(
        account.contains("Your email address is changed."),
        "{account}"
    );
}

#[tokio::test]
async fn an_address_another_member_uses_is_refused_only_after_its_code() {
    let server = TestServer::start_with(&DEV).await;
    seed(&server).await;
    sign_in_with_code(&server, "zoe@example.com").await;
    // The answer to the request does not tell whether the address is known.
    let page = request_change(&server, "ben@example.com").await;
    let code = code_in_mailbox(&server, "ben@example.com").await.unwrap();
    let res = submit_change(&server, &page, "ben@example.com", &code).await;
    assert_eq!(res.status(), 409);
    let text = res.text().await.unwrap();
    assert!(
        text.contains("already belongs to another Tally account"),
        "{text}"
    );
    assert!(!text.contains("Ben"), "{text}");
    assert_eq!(
        member(&server, "zoe@example.com").await.email,
        "zoe@example.com"
    );
    assert_eq!(member(&server, "ben@example.com").await.name, "Ben Baker");
}

#[tokio::test]
async fn deletion_anonymises_the_member_keeps_the_ledger_signs_out_and_the_email_starts_afresh() {
    let server = TestServer::start_with(&DEV).await;
    seed(&server).await;
    sign_in_with_code(&server, "ann@example.com").await;
    let ann = member(&server, "ann@example.com").await;
    let mut conn = pool::get(server.db.pool()).await.unwrap();
    let before = wallets::of_member(&mut conn, ann.id).await.unwrap();
    let w = before[0].wallet.clone();
    let entries_before = posting::entries_of_wallet(&mut conn, w.partner_id, w.id, 1000)
        .await
        .unwrap();

    let (status, page) = server.page("/portal/account/delete").await;
    assert_eq!(status, 200);
    assert!(page.contains("Delete my account for good"), "{page}");
    let res = server
        .post_form("/portal/account/delete", &[("csrf", &csrf(&page))])
        .await;
    assert_eq!(res.status(), 422, "the box must be ticked");
    assert!(member(&server, "ann@example.com")
        .await
        .deleted_at
        .is_none());

    let res = server
        .post_form(
            "/portal/account/delete",
            &[("csrf", &csrf(&page)), ("confirm", "on")],
        )
        .await;
    assert_eq!(res.status(), 200);
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("tally-member=;"), "{cookie}");
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Your account is deleted"));
    assert_eq!(server.get("/portal").await.status(), 303);

    let gone = members::find_by_id(&mut conn, ann.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(gone.email, format!("deleted-{}@invalid", ann.id));
    assert_eq!(gone.email_normalized, gone.email);
    assert_eq!(gone.name, "");
    assert_eq!(gone.phone, None);
    assert!(!gone.loyalty_emails);
    assert!(gone.deleted_at.is_some());
    let after = wallets::of_member(&mut conn, ann.id).await.unwrap();
    assert_eq!(after[0].wallet.balance, w.balance, "the ledger total stays");
    let entries_after = posting::entries_of_wallet(&mut conn, w.partner_id, w.id, 1000)
        .await
        .unwrap();
    assert_eq!(entries_after, entries_before);
    let sessions = sessions::of_member(&mut conn, ann.id).await.unwrap();
    assert!(sessions.iter().all(|s| s.revoked_at.is_some()));
    let mailbox = server.page("/dev/mailbox").await.1;
    assert!(
        !mailbox.contains("ann@example.com"),
        "emails to her are blanked"
    );

    sign_in_with_code(&server, "ann@example.com").await;
    let fresh = member(&server, "ann@example.com").await;
    assert_ne!(fresh.id, ann.id);
    assert!(wallets::of_member(&mut conn, fresh.id)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn account_forms_without_a_matching_csrf_token_change_nothing() {
    let server = TestServer::start_with(&DEV).await;
    sign_in_with_code(&server, "zoe@example.com").await;
    for (path, fields) in [
        (
            "/portal/account",
            vec![("name", "Mallory"), ("language", "de")],
        ),
        ("/portal/account/export", vec![]),
        (
            "/portal/account/email",
            vec![("email", "mallory@example.com")],
        ),
        ("/portal/account/delete", vec![("confirm", "on")]),
        ("/portal/account/verify/send", vec![("next", "export")]),
    ] {
        let missing = server.post_form(path, &fields).await;
        assert!(
            missing.status().is_client_error(),
            "{path} without a token: {}",
            missing.status()
        );
        let mut forged = fields.clone();
        forged.push(("csrf", "forged"));
        let res = server.post_form(path, &forged).await;
        assert_eq!(res.status(), 403, "{path} with a forged token");
    }
    let zoe = member(&server, "zoe@example.com").await;
    assert_eq!((zoe.name.as_str(), zoe.language.as_str()), ("", "en"));
    assert!(zoe.deleted_at.is_none());
    assert!(code_in_mailbox(&server, "mallory@example.com")
        .await
        .is_none());
}

/// Whether the page fits the window: nothing wider than the viewport.
async fn fits(b: &Browser) -> bool {
    let width = b
        .run("return [document.documentElement.scrollWidth, window.innerWidth];")
        .await;
    width[0].as_i64().unwrap() <= width[1].as_i64().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_phone_a_member_signed_in_by_link_exports_their_data_after_a_code() {
    let server = TestServer::start_with(&DEV).await;
    let (partner_id, card_id) = seed(&server).await;
    let ann = member(&server, "ann@example.com").await;
    let link = link_for(&server, ann.id, partner_id, card_id).await;
    let mut b = Browser::start("portal-account-export", 390).await;
    b.goto(&server.url(&link)).await;
    b.wait_for_text("Coffee Card").await;
    b.click("nav a[href='/portal/account']").await;
    b.wait_for_text("Download my data").await;
    assert!(fits(&b).await, "the account page fits 390 px");
    b.shot("account").await;
    b.click("a[href='/portal/account/export']").await;
    b.wait_for_text("Confirm it's you").await;
    assert!(fits(&b).await);
    b.shot("asked-for-a-code").await;
    b.press("Send me a code").await;
    b.find("#code").await;
    b.shot("code-sent").await;
    let code = code_in_mailbox(&server, "ann@example.com").await.unwrap();
    b.fill("#code", &code).await;
    b.press("Continue").await;
    b.wait_for_text("Download my data (JSON)").await;
    assert!(fits(&b).await);
    b.shot("export-ready").await;
    // What the button downloads, fetched by the page itself (a download has no page).
    let got = b
        .run(
            "const f = document.querySelector('form#export');\
             return fetch(f.action, {method: 'POST', body: new URLSearchParams(new FormData(f))})\
               .then(r => r.text().then(t => [r.headers.get('content-disposition'), t]));",
        )
        .await;
    let disposition = got[0].as_str().unwrap();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    let data: serde_json::Value = serde_json::from_str(got[1].as_str().unwrap()).unwrap();
    assert_eq!(data["profile"]["email"], "ann@example.com");
    assert!(!data["cards"][0]["entries"].as_array().unwrap().is_empty());
    b.press("Download my data (JSON)").await;
    b.shot("downloaded").await;
    assert!(b.current_url().await.ends_with("/portal/account/export"));
    b.close().await;
}
