//! `tally admin seed-demo` and `tally admin create-partner` against a fresh database.

use database::testing::TestDatabase;
use database::{catalog, members, pool, posting, wallets};
use tests::{base_env, run_tally, TempDir};

fn field(json: &serde_json::Value, name: &str) -> String {
    json[name]
        .as_str()
        .unwrap_or_else(|| panic!("{name} missing or not a string in {json}"))
        .to_owned()
}

#[tokio::test]
async fn seeding_twice_duplicates_nothing_but_issues_a_fresh_token() {
    let db = TestDatabase::new().await;
    let dir = TempDir::new("seed");
    let env = base_env(&db, dir.path());
    let first = run_tally(&env, dir.path(), &["admin", "seed-demo", "--json"]).await;
    assert!(first.success, "{}", first.stderr);
    let a: serde_json::Value =
        serde_json::from_str(first.stdout.trim()).expect("stdout is exactly one JSON object");
    let keys: Vec<_> = a.as_object().unwrap().keys().cloned().collect();
    assert_eq!(keys.len(), 5, "{keys:?}");
    for k in [
        "partner_id",
        "club_id",
        "card_id",
        "api_token",
        "partner_email",
    ] {
        field(&a, k);
    }
    let second = run_tally(&env, dir.path(), &["admin", "seed-demo", "--json"]).await;
    assert!(second.success, "{}", second.stderr);
    let b: serde_json::Value = serde_json::from_str(second.stdout.trim()).unwrap();
    for k in ["partner_id", "club_id", "card_id", "partner_email"] {
        assert_eq!(field(&a, k), field(&b, k), "{k}");
    }
    assert_ne!(field(&a, "api_token"), field(&b, "api_token"));

    // The card is USD, 1 point per 1.00 rounded down, welcome bonus 50; balances show the
    // history: purchases + bonus (- Cleo's correction), once.
    let partner_id: i64 = field(&a, "partner_id").parse().unwrap();
    let card_id: i64 = field(&a, "card_id").parse().unwrap();
    let mut conn = pool::get(db.pool()).await.unwrap();
    let card = catalog::find_card(&mut conn, partner_id, card_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            card.currency.as_str(),
            card.points_per_unit,
            card.rounding.as_str(),
            card.welcome_bonus_points
        ),
        ("USD", 1, "down", 50)
    );
    for (email, balance, entries) in [
        ("ann@example.com", 87, 3),
        ("ben@example.com", 58, 2),
        ("cleo@example.com", 107, 5),
    ] {
        let member = members::find_by_email(&mut conn, email)
            .await
            .unwrap()
            .unwrap();
        let wallet = wallets::find(&mut conn, partner_id, card_id, member.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(wallet.balance, balance, "{email}");
        let history = posting::entries_of_wallet(&mut conn, partner_id, wallet.id, 100)
            .await
            .unwrap();
        assert_eq!(history.len(), entries, "{email}");
    }
}

#[tokio::test]
async fn seed_without_json_explains_how_to_sign_in() {
    let db = TestDatabase::new().await;
    let dir = TempDir::new("seed-text");
    let out = run_tally(
        &base_env(&db, dir.path()),
        dir.path(),
        &["admin", "seed-demo"],
    )
    .await;
    assert!(out.success, "{}", out.stderr);
    assert!(out.stdout.contains("/partner/login"), "{}", out.stdout);
    assert!(out.stdout.contains("owner@demo-coffee.test"));
}

#[tokio::test]
async fn create_partner_onboards_a_partner_and_refuses_bad_input() {
    let db = TestDatabase::new().await;
    let dir = TempDir::new("partner");
    let env = base_env(&db, dir.path());
    let ok = run_tally(
        &env,
        dir.path(),
        &[
            "admin",
            "create-partner",
            "--name",
            "Bakery Bram",
            "--email",
            " Bram@Bakery.test ",
            "--timezone",
            "Europe/Amsterdam",
        ],
    )
    .await;
    assert!(ok.success, "{}", ok.stderr);
    assert!(
        ok.stdout.contains("Bram@Bakery.test can sign in"),
        "{}",
        ok.stdout
    );
    let mut conn = pool::get(db.pool()).await.unwrap();
    let users = database::partners::users_by_email(&mut conn, "bram@bakery.test")
        .await
        .unwrap();
    assert_eq!(users.len(), 1);
    assert_eq!(users[0].role, "owner");

    let bad_email = run_tally(
        &env,
        dir.path(),
        &[
            "admin",
            "create-partner",
            "--name",
            "X",
            "--email",
            "not-an-email",
        ],
    )
    .await;
    assert!(!bad_email.success);
    assert!(
        bad_email
            .stderr
            .contains("does not look like an email address"),
        "{}",
        bad_email.stderr
    );
    let bad_tz = run_tally(
        &env,
        dir.path(),
        &[
            "admin",
            "create-partner",
            "--name",
            "X",
            "--email",
            "x@y.test",
            "--timezone",
            "Mars",
        ],
    )
    .await;
    assert!(!bad_tz.success);
    assert!(
        bad_tz.stderr.contains("not a timezone name"),
        "{}",
        bad_tz.stderr
    );
}
