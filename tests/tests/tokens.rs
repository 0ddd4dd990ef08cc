//! API tokens over HTTP: an owner creates one with a name, sees it once, uses it on the
//! API; revoking it refuses it from the next request on; a resent form shows nothing
//! again; everything is in the activity log.

use tests::html::unescape;
use tests::partner::create_partner;
use tests::partner_session::Dashboard;
use tests::TestServer;

const OWNER: &str = "owner@corner.test";
/// An API path that answers a valid token with 404 (no such store) and anything else
/// with 401.
const PROBE: &str = "/api/v1/integrations/woocommerce/999999";

async fn owner_world() -> (TestServer, i64, Dashboard) {
    let server = TestServer::start_with(&[
        ("TALLY_ENV", "dev"),
        ("SMTP_URL", ""),
        ("FEATURE_WOOCOMMERCE", "true"),
    ])
    .await;
    let partner_id = create_partner(&server, "Corner Café", OWNER).await;
    let owner = Dashboard::sign_in(&server, OWNER).await;
    (server, partner_id, owner)
}

/// The token on a creation page.
fn shown_token(page: &str) -> String {
    let start = page.find("id=\"new-token\">").expect("the new token") + "id=\"new-token\">".len();
    let end = page[start..].find('<').unwrap() + start;
    unescape(&page[start..end])
}

async fn api_status(server: &TestServer, token: &str) -> (u16, serde_json::Value) {
    let res = reqwest::Client::new()
        .get(server.url(PROBE))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap())
}

async fn create(owner: &Dashboard, name: &str, idem: Option<&str>) -> reqwest::Response {
    owner
        .submit(
            "/partner/tokens",
            "/partner/tokens",
            idem,
            &[("name", name)],
        )
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_token_is_shown_once_and_works_on_the_api() {
    let (server, partner_id, owner) = owner_world().await;
    let res = create(&owner, "Till software", None).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let page = res.text().await.unwrap();
    assert!(page.contains("it is shown only this once"), "{page}");
    assert!(page.contains("data-copy=\""), "a copy button: {page}");
    assert!(page.contains("/static/copy.js"), "{page}");
    let token = shown_token(&page);
    assert!(token.starts_with("tly_") && token.len() > 30, "{token}");

    let (_, list) = owner.page("/partner/tokens").await;
    assert!(!list.contains(&token), "never shown again");
    assert!(list.contains("Till software"), "{list}");
    assert!(
        list.contains(&format!("<code>{}…</code>", &token[..8])),
        "{list}"
    );
    assert!(list.contains("Never"), "not used yet: {list}");

    let (status, body) = api_status(&server, &token).await;
    assert_eq!(status, 404, "the token is accepted: {body}");
    let (status, _) = api_status(&server, "tly_not-a-real-token").await;
    assert_eq!(status, 401);

    let (_, list) = owner.page("/partner/tokens").await;
    assert!(!list.contains("Never"), "last used is shown: {list}");

    let mut conn = database::pool::get(server.db.pool()).await.unwrap();
    let stored = database::tokens::of_partner(&mut conn, partner_id)
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert_ne!(stored[0].token_hash, token.as_bytes(), "stored hashed");
    assert!(stored[0].last_used_at.is_some());
    let (_, log) = owner.page("/partner/activity").await;
    let log = unescape(&log);
    assert!(
        log.contains("Created the API token “Till software”"),
        "{log}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_token_gets_401_at_once() {
    let (server, partner_id, owner) = owner_world().await;
    let page = create(&owner, "Old till", None).await.text().await.unwrap();
    let token = shown_token(&page);
    assert_eq!(api_status(&server, &token).await.0, 404);
    let mut conn = database::pool::get(server.db.pool()).await.unwrap();
    let id = database::tokens::of_partner(&mut conn, partner_id)
        .await
        .unwrap()[0]
        .id;

    let revoke = format!("/partner/tokens/{id}/revoke");
    let res = owner.submit("/partner/tokens", &revoke, None, &[]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/partner/tokens?done=revoked");
    let (status, body) = api_status(&server, &token).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error"]["code"], "unauthorized");

    let (_, list) = owner.page("/partner/tokens?done=revoked").await;
    assert!(list.contains("Token revoked"), "{list}");
    assert!(list.contains("Revoked "), "{list}");
    assert!(!list.contains(&revoke), "no revoke button any more: {list}");
    // Revoking again (a stale tab) changes nothing and still lands on the list.
    let res = owner
        .submit("/partner/tokens", &revoke, Some("again"), &[])
        .await;
    assert_eq!(res.status(), 303);
    let (_, log) = owner.page("/partner/activity").await;
    assert_eq!(
        unescape(&log)
            .matches("Revoked the API token “Old till”")
            .count(),
        1,
        "{log}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resent_form_shows_no_token_and_makes_no_second_one() {
    let (server, partner_id, owner) = owner_world().await;
    let first = create(&owner, "Till", Some("create-once")).await;
    assert_eq!(first.status(), 200);
    let token = shown_token(&first.text().await.unwrap());
    let again = create(&owner, "Till", Some("create-once")).await;
    assert_eq!(again.status(), 303);
    assert_eq!(again.headers()["location"], "/partner/tokens?done=shown");
    let (_, page) = owner.page("/partner/tokens?done=shown").await;
    assert!(page.contains("Its value was shown once"), "{page}");
    assert!(!page.contains(&token));

    let mut conn = database::pool::get(server.db.pool()).await.unwrap();
    assert_eq!(
        database::tokens::of_partner(&mut conn, partner_id)
            .await
            .unwrap()
            .len(),
        1
    );
    // The stored answer of the form is the redirect, never the page with the token.
    let key = database::idempotency::Key {
        partner_id,
        scope: "form:tokens:create",
        key: "create-once",
    };
    let hash = tally::usecases::idempotency::fingerprint(&["Till"]);
    let now = time::OffsetDateTime::now_utc();
    let claim = database::idempotency::claim(&mut conn, key, &hash, now)
        .await
        .unwrap();
    let database::idempotency::Claim::Replay { status, body } = claim else {
        panic!("{claim:?}")
    };
    assert_eq!(status, 303);
    assert_eq!(
        String::from_utf8(body).unwrap(),
        "/partner/tokens?done=shown"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_need_a_name_and_another_partners_token_is_not_found() {
    let (server, partner_id, owner) = owner_world().await;
    let res = create(&owner, "   ", None).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("Give the token a name"));
    let other = create_partner(&server, "Other Shop", "boss@other.test").await;
    let theirs = tests::api_token(&server, other).await;
    let mut conn = database::pool::get(server.db.pool()).await.unwrap();
    let their_id = database::tokens::of_partner(&mut conn, other)
        .await
        .unwrap()[0]
        .id;
    let res = owner
        .submit(
            "/partner/tokens",
            &format!("/partner/tokens/{their_id}/revoke"),
            None,
            &[],
        )
        .await;
    assert_eq!(res.status(), 404);
    assert_eq!(api_status(&server, &theirs).await.0, 404, "still works");
    assert!(database::tokens::of_partner(&mut conn, partner_id)
        .await
        .unwrap()
        .is_empty());
}
