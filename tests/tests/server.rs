//! The real binary: health, readiness, configuration refusals, pages and shutdown.

use std::time::Duration;

use database::testing::TestDatabase;
use tests::{base_env, run_tally, TempDir, TestServer};

#[tokio::test]
async fn healthz_and_readyz_answer_when_the_database_is_up() {
    let server = TestServer::start().await;
    let health = server.get("/healthz").await;
    assert_eq!(health.status(), 200);
    assert_eq!(health.text().await.unwrap(), "ok");
    let ready = server.get("/readyz").await;
    assert_eq!(ready.status(), 200);
    assert_eq!(ready.text().await.unwrap(), "ready");
}

#[tokio::test]
async fn readyz_says_unavailable_when_the_database_is_gone() {
    let server = TestServer::start().await;
    assert_eq!(server.get("/readyz").await.status(), 200);
    server.db.terminate_and_drop().await;
    let ready = server.get("/readyz").await;
    assert_eq!(ready.status(), 503);
    assert_eq!(ready.text().await.unwrap(), "database unreachable");
    assert_eq!(
        server.get("/healthz").await.status(),
        200,
        "the process itself is still up"
    );
}

#[tokio::test]
async fn pages_carry_a_strict_content_security_policy_and_a_request_id() {
    let server = TestServer::start().await;
    let home = server.get("/").await;
    assert_eq!(home.status(), 200);
    let csp = home.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("script-src 'self'") && csp.contains("default-src 'none'"),
        "{csp}"
    );
    assert!(!csp.contains("unsafe-inline"));
    assert!(home.headers().contains_key("x-request-id"));
    assert_eq!(home.headers()["x-content-type-options"], "nosniff");
    let body = home.text().await.unwrap();
    assert!(body.contains("/static/tally.css"));
}

#[tokio::test]
async fn static_files_are_served_from_the_binary() {
    let server = TestServer::start().await;
    let css = server.get("/static/tally.css").await;
    assert_eq!(css.status(), 200);
    assert!(css.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/css"));
    assert!(css.text().await.unwrap().contains(".topbar"));
    assert_eq!(server.get("/static/missing.css").await.status(), 404);
    assert_eq!(server.get("/static/../Cargo.toml").await.status(), 404);
}

#[tokio::test]
async fn unknown_pages_get_a_friendly_not_found_page() {
    let server = TestServer::start().await;
    let res = server.get("/no/such/page").await;
    assert_eq!(res.status(), 404);
    assert!(res.text().await.unwrap().contains("Page not found"));
}

#[tokio::test]
async fn serve_refuses_a_database_that_is_not_migrated() {
    let db = TestDatabase::empty().await;
    let dir = TempDir::new("unmigrated");
    let out = run_tally(&base_env(&db, dir.path()), dir.path(), &["serve"]).await;
    assert!(!out.success);
    assert!(
        out.stderr.contains("run `tally migrate` first"),
        "{}",
        out.stderr
    );
}

#[tokio::test]
async fn migrate_brings_an_empty_database_up_to_date_once() {
    let db = TestDatabase::empty().await;
    let dir = TempDir::new("migrate");
    let env = base_env(&db, dir.path());
    let first = run_tally(&env, dir.path(), &["migrate"]).await;
    assert!(first.success, "{}", first.stderr);
    assert!(
        first.stderr.contains("migration(s) applied"),
        "{}",
        first.stderr
    );
    let second = run_tally(&env, dir.path(), &["migrate"]).await;
    assert!(second.success);
    assert!(
        second.stderr.contains("The database is up to date."),
        "{}",
        second.stderr
    );
    assert!(database::migrate::status(db.url())
        .await
        .unwrap()
        .is_current());
}

#[tokio::test]
async fn production_refuses_to_start_without_its_secrets() {
    let db = TestDatabase::new().await;
    let dir = TempDir::new("secrets");
    for missing in ["APP_SECRET_KEY", "SMTP_URL"] {
        let mut env = base_env(&db, dir.path());
        env.retain(|(k, _)| k != missing);
        let out = run_tally(&env, dir.path(), &["serve"]).await;
        assert!(!out.success);
        assert!(
            out.stderr
                .contains(&format!("{missing} is required in production")),
            "{}",
            out.stderr
        );
    }
}

#[tokio::test]
async fn a_malformed_variable_is_named_in_the_error() {
    let db = TestDatabase::new().await;
    let dir = TempDir::new("malformed");
    let mut env = base_env(&db, dir.path());
    env.retain(|(k, _)| k != "BIND_ADDR");
    env.push(("BIND_ADDR".into(), "everywhere".into()));
    let out = run_tally(&env, dir.path(), &["serve"]).await;
    assert!(!out.success);
    assert!(
        out.stderr.contains("BIND_ADDR is not valid"),
        "{}",
        out.stderr
    );
}

#[tokio::test]
async fn sigterm_shuts_the_server_down_gracefully() {
    let mut server = TestServer::start().await;
    assert_eq!(server.get("/healthz").await.status(), 200);
    let status = std::process::Command::new("kill")
        .args(["-TERM", &server.pid().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    assert!(
        server.wait_exit(Duration::from_secs(15)).await,
        "tally serve should exit 0 after SIGTERM"
    );
}
