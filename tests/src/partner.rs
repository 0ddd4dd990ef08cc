//! A partner's dashboard in a test: a dev server the WooCommerce simulator can deliver
//! to, a partner made with `tally admin create-partner`, and an active card.

use database::catalog::{self, NewCard};
use database::pool;
use ledger::{Currency, EarnRule, EarnRuleParams, Rounding};

use super::TestServer;

/// A port nobody listens on yet.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A dev server (codes in `/dev/mailbox`) whose `PUBLIC_BASE_URL` is its own address,
/// trusting the simulator's CA at `ca_path`, with the WooCommerce feature `feature`.
pub async fn dashboard_server(ca_path: &str, feature: &str) -> TestServer {
    let port = free_port();
    let bind = format!("127.0.0.1:{port}");
    let public = format!("http://127.0.0.1:{port}");
    TestServer::start_with(&[
        ("TALLY_ENV", "dev"),
        ("SMTP_URL", ""),
        ("FEATURE_WOOCOMMERCE", feature),
        ("WOO_ALLOW_PRIVATE_NETWORKS", "true"),
        ("WOO_EXTRA_CA_CERT", ca_path),
        ("BIND_ADDR", &bind),
        ("PUBLIC_BASE_URL", &public),
    ])
    .await
}

/// Onboards a partner owned by `email` in Amsterdam with `tally admin create-partner`;
/// returns its id.
pub async fn create_partner(server: &TestServer, name: &str, email: &str) -> i64 {
    let dir = super::TempDir::new("partner");
    let env = super::base_env(&server.db, dir.path());
    let args = [
        "admin",
        "create-partner",
        "--name",
        name,
        "--email",
        email,
        "--timezone",
        "Europe/Amsterdam",
    ];
    let created = super::run_tally(&env, dir.path(), &args).await;
    assert!(created.success, "{}", created.stderr);
    let mut conn = pool::get(server.db.pool()).await.unwrap();
    database::partners::users_by_email(&mut conn, email)
        .await
        .unwrap()[0]
        .partner_id
}

/// An active USD card: 1 point per 1.00, rounded down, welcome bonus 50.
pub async fn add_usd_card(server: &TestServer, partner_id: i64, name: &str) -> i64 {
    let now = time::OffsetDateTime::now_utc();
    let mut conn = pool::get(server.db.pool()).await.unwrap();
    let club = catalog::find_or_create_club(&mut conn, partner_id, "Club", now)
        .await
        .unwrap();
    let rule = EarnRule::new(EarnRuleParams {
        currency: Currency::parse("USD").unwrap(),
        points_per_unit: 1,
        unit_amount: 1.into(),
        rounding: Rounding::Down,
        min_purchase_amount: 0.into(),
        min_points_per_purchase: 0,
        max_points_per_purchase: None,
        welcome_bonus_points: 50,
    })
    .unwrap();
    let new = NewCard {
        partner_id,
        club_id: club.id,
        name,
        rule: &rule,
        now,
    };
    catalog::create_card(&mut conn, &new).await.unwrap().id
}

/// Places a paid order for `email` in the simulated store; returns its id.
pub async fn place_order(sim: &woo_sim::Sim, email: &str, total: &str) -> i64 {
    let (ck, cs) = sim.read_write_key();
    let api = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(sim.ca_cert_pem().as_bytes()).unwrap())
        .build()
        .unwrap();
    let res = api
        .post(format!("{}/wp-json/wc/v3/orders", sim.base_url()))
        .basic_auth(ck, Some(cs))
        .json(&serde_json::json!({
            "status": "processing",
            "billing": {"first_name": "Sam", "last_name": "Shopper", "email": email},
            "line_items": [{"name": "Beans", "quantity": 1, "total": total}],
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    res.json::<serde_json::Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap()
}
