//! The team page over HTTP against the running binary: an owner invites staff by email,
//! the invitation arrives, the new user signs in with a code; roles change; removed
//! users are signed out at once and cannot sign in again; staff cannot reach the
//! owner-only pages; every change is in the activity log with who did it.

use tests::html::unescape;
use tests::mailbox::mail;
use tests::partner::create_partner;
use tests::partner_session::Dashboard;
use tests::TestServer;

const OWNER: &str = "owner@corner.test";
const STAFF: &str = "sam@corner.test";

async fn dev_server() -> TestServer {
    TestServer::start_with(&[("TALLY_ENV", "dev"), ("SMTP_URL", "")]).await
}

/// A dev server, the partner "Corner Café" and its owner, signed in.
async fn owner_world() -> (TestServer, i64, Dashboard) {
    let server = dev_server().await;
    let partner_id = create_partner(&server, "Corner Café", OWNER).await;
    let owner = Dashboard::sign_in(&server, OWNER).await;
    (server, partner_id, owner)
}

async fn invite(owner: &Dashboard, email: &str, role: &str) -> reqwest::Response {
    owner
        .submit(
            "/partner/team",
            "/partner/team",
            None,
            &[("email", email), ("name", ""), ("role", role)],
        )
        .await
}

async fn user_id(server: &TestServer, partner_id: i64, email: &str) -> i64 {
    let mut conn = database::pool::get(server.db.pool()).await.unwrap();
    database::partners::find_user_by_email(&mut conn, partner_id, email)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no user {email}"))
        .id
}

async fn sign_in_codes_to(server: &TestServer, email: &str) -> usize {
    let mut conn = database::pool::get(server.db.pool()).await.unwrap();
    database::outbox::recent(&mut conn, 100)
        .await
        .unwrap()
        .iter()
        .filter(|e| e.to_address == email && e.kind == "sign_in_code")
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invited_staff_member_gets_an_email_signs_in_with_a_code_and_sees_the_dashboard() {
    let (server, partner_id, owner) = owner_world().await;
    let res = invite(&owner, STAFF, "staff").await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    assert_eq!(res.headers()["location"], "/partner/team?done=invited");

    let email = mail(&server, STAFF, "invited you")
        .await
        .expect("an invitation");
    let email = unescape(&email);
    assert!(
        email.contains("owner@corner.test invited you to Corner Café on Tally"),
        "{email}"
    );
    assert!(email.contains("as a member of staff"), "{email}");
    assert!(email.contains("/partner/login"), "{email}");

    let (_, team) = owner.page("/partner/team?done=invited").await;
    assert!(team.contains("Invitation sent."), "{team}");
    assert!(team.contains(STAFF), "{team}");

    let staff = Dashboard::sign_in(&server, STAFF).await;
    let (status, home) = staff.page("/partner").await;
    assert_eq!(status, 200);
    let home = unescape(&home);
    assert!(home.contains("Corner Café"), "{home}");
    assert!(
        home.contains("Signed in as sam@corner.test (staff)"),
        "{home}"
    );
    assert!(
        !home.contains("href=\"/partner/team\""),
        "staff see no Team link"
    );

    let (status, log) = staff.page("/partner/activity").await;
    assert_eq!(status, 200, "staff may read the log");
    let log = unescape(&log);
    let invited = log
        .split("<tr id=\"activity-")
        .find(|row| row.contains("Invited sam@corner.test as staff"))
        .unwrap_or_else(|| panic!("the invitation in the log: {log}"));
    assert!(invited.contains(OWNER), "who invited: {invited}");
    assert!(log.contains("Signed in with a code"), "{log}");

    let mut conn = database::pool::get(server.db.pool()).await.unwrap();
    let users = database::partners::users_of_partner(&mut conn, partner_id)
        .await
        .unwrap();
    let sam = users.iter().find(|u| u.email == STAFF).unwrap();
    assert_eq!(sam.role, "staff");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_get_403_on_the_owner_pages_and_forms_and_nothing_changes() {
    let (server, partner_id, owner) = owner_world().await;
    assert_eq!(invite(&owner, STAFF, "staff").await.status(), 303);
    let staff = Dashboard::sign_in(&server, STAFF).await;
    let owner_id = user_id(&server, partner_id, OWNER).await;
    let (_, home) = staff.page("/partner").await;
    let token = tests::html::csrf(&home);

    for path in ["/partner/team", "/partner/settings", "/partner/tokens"] {
        let (status, page) = staff.page(path).await;
        assert_eq!(status, 403, "GET {path}");
        assert!(page.contains("Only the owner can do this"), "{page}");
    }
    let posts = [
        (
            "/partner/team".to_owned(),
            vec![("email", "eve@corner.test"), ("role", "owner")],
        ),
        (
            format!("/partner/team/{owner_id}/role"),
            vec![("role", "staff")],
        ),
        (format!("/partner/team/{owner_id}/remove"), vec![]),
        (
            "/partner/settings".to_owned(),
            vec![
                ("name", "Taken"),
                ("business_email", "x@y.test"),
                ("timezone", "UTC"),
            ],
        ),
        ("/partner/tokens".to_owned(), vec![("name", "Mine")]),
        ("/partner/tokens/1/revoke".to_owned(), vec![]),
    ];
    for (path, fields) in &posts {
        let mut all = vec![("csrf", token.as_str()), ("idem", "staff-try")];
        all.extend_from_slice(fields);
        let res = staff.post(path, &all).await;
        assert_eq!(res.status(), 403, "POST {path}");
    }
    let mut conn = database::pool::get(server.db.pool()).await.unwrap();
    let users = database::partners::users_of_partner(&mut conn, partner_id)
        .await
        .unwrap();
    assert_eq!(users.len(), 2, "nobody was invited");
    assert!(users.iter().all(|u| u.disabled_at.is_none()));
    assert_eq!(
        users.iter().find(|u| u.id == owner_id).unwrap().role,
        "owner"
    );
    let partner = database::partners::find(&mut conn, partner_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(partner.name, "Corner Café");
    assert!(database::tokens::of_partner(&mut conn, partner_id)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invitations_that_cannot_be_sent_are_refused_clearly() {
    let (server, _, owner) = owner_world().await;
    create_partner(&server, "Other Shop", "boss@other.test").await;

    let res = invite(&owner, OWNER, "staff").await;
    assert_eq!(res.status(), 409);
    assert!(
        unescape(&res.text().await.unwrap()).contains("owner@corner.test is already on your team.")
    );

    assert_eq!(invite(&owner, STAFF, "staff").await.status(), 303);
    let res = invite(&owner, " SAM@corner.test ", "owner").await;
    assert_eq!(res.status(), 409);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("is already on your team."));

    let res = invite(&owner, "boss@other.test", "staff").await;
    assert_eq!(res.status(), 409);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("already signs in to another business"));

    let res = invite(&owner, "not-an-address", "staff").await;
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(
        page.contains("value=\"not-an-address\""),
        "the typed address is kept: {page}"
    );

    let res = invite(&owner, "new@corner.test", "admin").await;
    assert_eq!(res.status(), 422);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Choose a role: staff or owner."));
    assert!(mail(&server, "new@corner.test", "").await.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_double_submitted_invitation_adds_one_user_and_sends_one_email() {
    let (server, partner_id, owner) = owner_world().await;
    let fields = [("email", STAFF), ("name", "Sam"), ("role", "staff")];
    for _ in 0..2 {
        let res = owner
            .submit(
                "/partner/team",
                "/partner/team",
                Some("invite-once"),
                &fields,
            )
            .await;
        assert_eq!(res.status(), 303);
    }
    let mut conn = database::pool::get(server.db.pool()).await.unwrap();
    let invitations = database::outbox::recent(&mut conn, 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == "invitation")
        .count();
    assert_eq!(invitations, 1);
    let users = database::partners::users_of_partner(&mut conn, partner_id)
        .await
        .unwrap();
    assert_eq!(users.len(), 2);
    assert_eq!(users[1].name, "Sam");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_owner_cannot_remove_or_demote_themself() {
    let (server, partner_id, owner) = owner_world().await;
    let me = user_id(&server, partner_id, OWNER).await;
    let res = owner
        .submit(
            "/partner/team",
            &format!("/partner/team/{me}/remove"),
            None,
            &[],
        )
        .await;
    assert_eq!(res.status(), 409);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("You cannot change your own role or remove yourself."));
    let res = owner
        .submit(
            "/partner/team",
            &format!("/partner/team/{me}/role"),
            None,
            &[("role", "staff")],
        )
        .await;
    assert_eq!(res.status(), 409);
    let (status, _) = owner.page("/partner/team").await;
    assert_eq!(status, 200, "still an owner, still signed in");
    let (_, team) = owner.page("/partner/team").await;
    assert!(
        !team.contains(&format!("/partner/team/{me}/remove")),
        "no button for yourself"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_removed_user_is_signed_out_at_once_and_cannot_sign_in_until_invited_again() {
    let (server, partner_id, owner) = owner_world().await;
    assert_eq!(invite(&owner, STAFF, "staff").await.status(), 303);
    let staff = Dashboard::sign_in(&server, STAFF).await;
    assert_eq!(staff.page("/partner").await.0, 200);
    let sam = user_id(&server, partner_id, STAFF).await;

    let res = owner
        .submit(
            "/partner/team",
            &format!("/partner/team/{sam}/remove"),
            None,
            &[],
        )
        .await;
    assert_eq!(res.status(), 303);
    let res = staff.get("/partner").await;
    assert_eq!(res.status(), 303, "the session stopped working");
    assert_eq!(res.headers()["location"], "/partner/login");

    let codes = sign_in_codes_to(&server, STAFF).await;
    let again = Dashboard::new(&server, STAFF);
    let (status, _) = again.try_sign_in(&server).await;
    assert_ne!(status, 303, "a removed user cannot sign in");
    assert_eq!(
        sign_in_codes_to(&server, STAFF).await,
        codes,
        "no code is sent"
    );

    let (_, team) = owner.page("/partner/team").await;
    assert!(team.contains("Removed "), "{team}");
    let (_, log) = owner.page("/partner/activity").await;
    assert!(
        unescape(&log).contains("Removed sam@corner.test from the team"),
        "{log}"
    );

    // Invited again, they are back (same row, the new role).
    assert_eq!(invite(&owner, STAFF, "owner").await.status(), 303);
    let back = Dashboard::sign_in(&server, STAFF).await;
    assert_eq!(back.page("/partner/team").await.0, 200, "now an owner");
    assert_eq!(user_id(&server, partner_id, STAFF).await, sam);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_promoted_owner_manages_the_team_and_a_demoted_one_gets_403() {
    let (server, partner_id, owner) = owner_world().await;
    assert_eq!(invite(&owner, STAFF, "staff").await.status(), 303);
    let staff = Dashboard::sign_in(&server, STAFF).await;
    assert_eq!(staff.page("/partner/team").await.0, 403);
    let sam = user_id(&server, partner_id, STAFF).await;
    let me = user_id(&server, partner_id, OWNER).await;

    let res = owner
        .submit(
            "/partner/team",
            &format!("/partner/team/{sam}/role"),
            None,
            &[("role", "owner")],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        staff.page("/partner/team").await.0,
        200,
        "the new role applies at once"
    );

    let res = staff
        .submit(
            "/partner/team",
            &format!("/partner/team/{me}/role"),
            None,
            &[("role", "staff")],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(owner.page("/partner/team").await.0, 403);
    let (_, log) = staff.page("/partner/activity").await;
    let log = unescape(&log);
    assert!(
        log.contains("Changed the role of sam@corner.test from staff to owner"),
        "{log}"
    );
    assert!(
        log.contains("Changed the role of owner@corner.test from owner to staff"),
        "{log}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_partners_people_are_not_found() {
    let (server, partner_id, owner) = owner_world().await;
    let other = create_partner(&server, "Other Shop", "boss@other.test").await;
    let boss = user_id(&server, other, "boss@other.test").await;
    for action in ["role", "remove"] {
        let res = owner
            .submit(
                "/partner/team",
                &format!("/partner/team/{boss}/{action}"),
                None,
                &[("role", "staff")],
            )
            .await;
        assert_eq!(res.status(), 404, "{action}");
    }
    let mut conn = database::pool::get(server.db.pool()).await.unwrap();
    let boss_row = database::partners::find_user(&mut conn, other, boss)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (boss_row.role.as_str(), boss_row.disabled_at),
        ("owner", None)
    );
    assert_ne!(other, partner_id);
}
