//! The pages in a real headless browser (Debian's Chromium): they render, and the
//! browser reports no Content-Security-Policy violation or console error.

use std::process::Command;

use database::{members, pool};
use secrecy::ExposeSecret;
use tests::TestServer;

/// Loads `url` in headless Chromium; returns (DOM after load, browser log).
fn chromium(url: &str) -> (String, String) {
    let profile = tests::TempDir::new("chromium");
    let out = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=3000",
            "--window-size=390,844",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(url)
        .output()
        .expect("run chromium (install Debian's chromium package; .ci/run does)");
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn assert_clean(url: &str, log: &str) {
    for line in log.lines() {
        let lower = line.to_lowercase();
        assert!(
            !(lower.contains("content security policy")
                || lower.contains("refused to")
                || lower.contains("console") && lower.contains("error")),
            "{url}: the browser reported: {line}"
        );
    }
}

#[tokio::test]
async fn public_pages_render_in_chromium_without_policy_violations() {
    let server = TestServer::start_with(&[("TALLY_ENV", "dev"), ("SMTP_URL", "")]).await;
    for (path, expect) in [
        ("/", "One loyalty wallet"),
        ("/login", "Send me a code"),
        ("/login?lang=de", "lang=\"de\""),
        ("/partner/login", "business dashboard"),
        ("/no/such/page", "Page not found"),
    ] {
        let url = server.url(path);
        let (dom, log) = tokio::task::spawn_blocking({
            let url = url.clone();
            move || chromium(&url)
        })
        .await
        .unwrap();
        assert!(
            dom.contains(expect),
            "{path}: expected {expect:?} in the rendered page:\n{dom}"
        );
        assert!(dom.contains("/static/tally.css"));
        assert_clean(&url, &log);
    }
}

#[tokio::test]
async fn a_member_arriving_by_sign_in_link_sees_their_card_in_chromium() {
    let server = TestServer::start_with(&[("TALLY_ENV", "dev"), ("SMTP_URL", "")]).await;
    let dir = tests::TempDir::new("seed");
    let out = tests::run_tally(
        &tests::base_env(&server.db, dir.path()),
        dir.path(),
        &["admin", "seed-demo", "--json"],
    )
    .await;
    let seeded: serde_json::Value = serde_json::from_str(out.stdout.trim()).unwrap();
    let partner_id: i64 = seeded["partner_id"].as_str().unwrap().parse().unwrap();
    let card_id: i64 = seeded["card_id"].as_str().unwrap().parse().unwrap();
    let keys = identity::KeyRing::new(
        identity::SecretKey::from_base64(tests::TEST_APP_SECRET_KEY).unwrap(),
        None,
    );
    let mut conn = pool::get(server.db.pool()).await.unwrap();
    let cleo = members::find_by_email(&mut conn, "cleo@example.com")
        .await
        .unwrap()
        .unwrap();
    let link = tally::usecases::links::issue_link(
        &mut conn,
        &keys,
        cleo.id,
        partner_id,
        card_id,
        time::OffsetDateTime::now_utc(),
    )
    .await
    .unwrap();
    let url = server.url(&format!("/l/{}", link.expose_secret()));
    let (dom, log) = tokio::task::spawn_blocking({
        let url = url.clone();
        move || chromium(&url)
    })
    .await
    .unwrap();
    assert!(dom.contains("Coffee Card") && dom.contains("107"), "{dom}");
    assert!(
        dom.contains("Correction"),
        "the history shows the adjustment: {dom}"
    );
    assert_clean(&url, &log);
}
