//! Sign-in end to end over HTTP against the running binary: codes, limits, links,
//! realms, sessions, CSRF — and logs that never hold a secret.

use database::{members, pool};
use secrecy::ExposeSecret;
use tests::html::{csrf, six_digit_code};
use tests::TestServer;

const DEV: [(&str, &str); 2] = [("TALLY_ENV", "dev"), ("SMTP_URL", "")];

/// Asks for a code on `login` (`/login` or `/partner/login`); returns the answer page.
async fn ask_code(server: &TestServer, login: &str, email: &str) -> (u16, String) {
    let (status, page) = server.page(login).await;
    assert_eq!(status, 200);
    let res = server
        .post_form(login, &[("email", email), ("csrf", &csrf(&page))])
        .await;
    (res.status().as_u16(), res.text().await.unwrap())
}

/// The newest code sent to `to`, read from the dev mailbox like a developer would.
async fn code_in_mailbox(server: &TestServer, to: &str) -> Option<String> {
    let (status, list) = server.page("/dev/mailbox").await;
    assert_eq!(status, 200);
    let row = list
        .split("<tr>")
        .find(|row| row.contains(&format!("<td>{to}</td>")))?;
    let start = row.find("href=\"/dev/mailbox/")? + "href=\"".len();
    let end = row[start..].find('"')? + start;
    let (_, email) = server.page(&row[start..end]).await;
    six_digit_code(&email)
}

async fn submit_code(
    server: &TestServer,
    code_page: &str,
    action: &str,
    email: &str,
    code: &str,
) -> reqwest::Response {
    server
        .post_form(
            action,
            &[("email", email), ("code", code), ("csrf", &csrf(code_page))],
        )
        .await
}

#[tokio::test]
async fn a_member_signs_in_with_the_code_from_the_mailbox_and_the_account_is_created() {
    let server = TestServer::start_with(&DEV).await;
    let (status, code_page) = ask_code(&server, "/login", "New.Member@Example.com").await;
    assert_eq!(status, 200);
    assert!(code_page.contains("New.Member@Example.com"), "{code_page}");
    let code = code_in_mailbox(&server, "New.Member@Example.com")
        .await
        .expect("a code in the mailbox");
    let res = submit_code(
        &server,
        &code_page,
        "/login/code",
        "New.Member@Example.com",
        &code,
    )
    .await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/portal");
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.starts_with("tally-member=")
            && cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let (status, portal) = server.page("/portal").await;
    assert_eq!(status, 200);
    assert!(portal.contains("/logout"));
    let mut conn = pool::get(server.db.pool()).await.unwrap();
    let member = members::find_by_email(&mut conn, "new.member@example.com")
        .await
        .unwrap()
        .expect("member created on verification");
    let events = database::sessions::sign_ins_of_member(&mut conn, member.id, 10)
        .await
        .unwrap();
    assert_eq!(
        events.iter().map(|e| e.0.as_str()).collect::<Vec<_>>(),
        vec!["code"]
    );
}

#[tokio::test]
async fn five_wrong_codes_lock_the_code_even_for_the_right_one() {
    let server = TestServer::start_with(&DEV).await;
    let (_, code_page) = ask_code(&server, "/login", "ann@example.com").await;
    let code = code_in_mailbox(&server, "ann@example.com").await.unwrap();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for left in (1..=4).rev() {
        let res = submit_code(&server, &code_page, "/login/code", "ann@example.com", wrong).await;
        assert_eq!(res.status(), 422);
        assert!(res
            .text()
            .await
            .unwrap()
            .contains(&format!("{left} tries left")));
    }
    let fifth = submit_code(&server, &code_page, "/login/code", "ann@example.com", wrong).await;
    assert!(fifth.text().await.unwrap().contains("Too many wrong tries"));
    let right = submit_code(&server, &code_page, "/login/code", "ann@example.com", &code).await;
    assert_eq!(right.status(), 422, "a locked code stays locked");
    assert!(right.text().await.unwrap().contains("Too many wrong tries"));
    assert_eq!(server.get("/portal").await.status(), 303);
}

#[tokio::test]
async fn a_fourth_code_within_fifteen_minutes_is_refused_with_when_to_try_again() {
    let server = TestServer::start_with(&DEV).await;
    for _ in 0..3 {
        assert_eq!(ask_code(&server, "/login", "ben@example.com").await.0, 200);
    }
    let (status, page) = ask_code(&server, "/login", "ben@example.com").await;
    assert_eq!(status, 429);
    assert!(
        page.contains("Try again in") && page.contains("minutes"),
        "{page}"
    );
    assert!(
        server.logs().contains("rate limit hit"),
        "a limit hit is logged"
    );
}

#[tokio::test]
async fn partner_sign_in_gives_the_same_answer_for_unknown_emails_and_sends_nothing() {
    let server = TestServer::start_with(&DEV).await;
    let dir = tests::TempDir::new("partner");
    let env = tests::base_env(&server.db, dir.path());
    let created = tests::run_tally(
        &env,
        dir.path(),
        &[
            "admin",
            "create-partner",
            "--name",
            "Corner Café",
            "--email",
            "owner@corner.test",
        ],
    )
    .await;
    assert!(created.success, "{}", created.stderr);

    let (known_status, known) = ask_code(&server, "/partner/login", "owner@corner.test").await;
    let (unknown_status, unknown) =
        ask_code(&server, "/partner/login", "stranger@corner.test").await;
    assert_eq!((known_status, unknown_status), (200, 200));
    let strip = |page: &str, email: &str| page.replace(email, "EMAIL").replace(&csrf(page), "CSRF");
    assert_eq!(
        strip(&known, "owner@corner.test"),
        strip(&unknown, "stranger@corner.test")
    );
    assert!(code_in_mailbox(&server, "stranger@corner.test")
        .await
        .is_none());

    let code = code_in_mailbox(&server, "owner@corner.test").await.unwrap();
    let res = submit_code(
        &server,
        &known,
        "/partner/login/code",
        "owner@corner.test",
        &code,
    )
    .await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/partner");
    let (status, home) = server.page("/partner").await;
    assert_eq!(status, 200);
    assert!(home.contains("Corner Café"));
    // The realms are separate: a partner session is no member session.
    assert_eq!(server.get("/portal").await.status(), 303);
}

#[tokio::test]
async fn a_sign_in_link_lands_on_the_card_and_an_expired_one_shows_a_friendly_sign_in_page() {
    let server = TestServer::start_with(&DEV).await;
    let keys = identity::KeyRing::new(
        identity::SecretKey::from_base64(tests::TEST_APP_SECRET_KEY).unwrap(),
        None,
    );
    let seeded = {
        let dir = tests::TempDir::new("seed");
        let out = tests::run_tally(
            &tests::base_env(&server.db, dir.path()),
            dir.path(),
            &["admin", "seed-demo", "--json"],
        )
        .await;
        serde_json::from_str::<serde_json::Value>(out.stdout.trim()).unwrap()
    };
    let partner_id: i64 = seeded["partner_id"].as_str().unwrap().parse().unwrap();
    let card_id: i64 = seeded["card_id"].as_str().unwrap().parse().unwrap();
    let mut conn = pool::get(server.db.pool()).await.unwrap();
    let ann = members::find_by_email(&mut conn, "ann@example.com")
        .await
        .unwrap()
        .unwrap();
    let now = time::OffsetDateTime::now_utc();
    let live =
        tally::usecases::links::issue_link(&mut conn, &keys, ann.id, partner_id, card_id, now)
            .await
            .unwrap();
    let old = tally::usecases::links::issue_link(
        &mut conn,
        &keys,
        ann.id,
        partner_id,
        card_id,
        now - time::Duration::days(8),
    )
    .await
    .unwrap();

    let expired = server.get(&format!("/l/{}", old.expose_secret())).await;
    assert_eq!(expired.status(), 200);
    let page = expired.text().await.unwrap();
    assert!(
        page.contains("expired or is no longer valid") && page.contains("name=\"email\""),
        "{page}"
    );
    let unknown = server.get("/l/l_not-a-real-token").await;
    assert_eq!(unknown.status(), 200);

    let res = server.get(&format!("/l/{}", live.expose_secret())).await;
    assert_eq!(res.status(), 303);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(
        location,
        format!("/portal/cards/{partner_id}/{card_id}#store-discount")
    );
    let (status, card) = server
        .page(location.trim_end_matches("#store-discount"))
        .await;
    assert_eq!(status, 200);
    assert!(
        card.contains("Coffee Card") && card.contains("87"),
        "{card}"
    );
    let events = database::sessions::sign_ins_of_member(&mut conn, ann.id, 10)
        .await
        .unwrap();
    assert_eq!(
        events.iter().map(|e| e.0.as_str()).collect::<Vec<_>>(),
        vec!["link"]
    );
}

#[tokio::test]
async fn signing_out_ends_the_session_on_the_server() {
    let server = TestServer::start_with(&DEV).await;
    let (_, code_page) = ask_code(&server, "/login", "cleo@example.com").await;
    let code = code_in_mailbox(&server, "cleo@example.com").await.unwrap();
    let res = submit_code(
        &server,
        &code_page,
        "/login/code",
        "cleo@example.com",
        &code,
    )
    .await;
    let token = res.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let (_, portal) = server.page("/portal").await;
    let out = server
        .post_form("/logout", &[("csrf", &csrf(&portal))])
        .await;
    assert_eq!(out.status(), 303);
    // Even the old cookie value, replayed, no longer works.
    let replay = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let res = replay
        .get(server.url("/portal"))
        .header("cookie", token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/login");
}

#[tokio::test]
async fn forms_without_a_matching_csrf_token_change_nothing() {
    let server = TestServer::start_with(&DEV).await;
    let bare = reqwest::Client::new();
    let res = bare
        .post(server.url("/login"))
        .form(&[("email", "eve@example.com"), ("csrf", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert!(code_in_mailbox(&server, "eve@example.com").await.is_none());
}

#[tokio::test]
async fn over_https_cookies_are_secure_with_the_host_prefix() {
    let server = TestServer::start_with(&[
        ("TALLY_ENV", "dev"),
        ("SMTP_URL", ""),
        ("PUBLIC_BASE_URL", "https://loyalty.example"),
    ])
    .await;
    let res = server.get("/login").await;
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.starts_with("__Host-tally-pre=")
            && cookie.contains("Secure")
            && cookie.contains("Path=/"),
        "{cookie}"
    );
}

#[tokio::test]
async fn pages_speak_the_chosen_language() {
    let server = TestServer::start_with(&DEV).await;
    let res = server
        .client
        .get(server.url("/login"))
        .header("accept-language", "de-DE,de;q=0.9")
        .send()
        .await
        .unwrap();
    let german = res.text().await.unwrap();
    assert!(german.contains("lang=\"de\""));
    let (_, dutch) = server.page("/login?lang=nl").await;
    assert!(dutch.contains("lang=\"nl\""));
    assert_ne!(german, dutch);
}

#[tokio::test]
async fn the_most_verbose_logs_hold_no_code_token_secret_or_email() {
    let server = TestServer::start_with(&[
        ("TALLY_ENV", "dev"),
        ("SMTP_URL", ""),
        ("RUST_LOG", "trace"),
    ])
    .await;
    let (_, code_page) = ask_code(&server, "/login", "dora.secret@example.com").await;
    let code = code_in_mailbox(&server, "dora.secret@example.com")
        .await
        .unwrap();
    let wrong = submit_code(
        &server,
        &code_page,
        "/login/code",
        "dora.secret@example.com",
        "999999",
    )
    .await;
    assert_eq!(wrong.status(), 422);
    let res = submit_code(
        &server,
        &code_page,
        "/login/code",
        "dora.secret@example.com",
        &code,
    )
    .await;
    let token = res.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .split('=')
        .nth(1)
        .unwrap()
        .to_owned();
    let (_, portal) = server.page("/portal").await;
    let logs = server.logs();
    assert!(
        logs.len() > 1000,
        "trace logging should be verbose: {} bytes",
        logs.len()
    );
    for secret in [
        code.as_str(),
        token.as_str(),
        "dora.secret",
        tests::TEST_APP_SECRET_KEY,
        &csrf(&code_page),
        &csrf(&portal),
    ] {
        assert!(
            !logs.contains(secret),
            "the logs contain a secret: {secret}"
        );
    }
}
